/* test_proto_ip.c: IPv4/IPv6 (extension headers, fragments), TCP, UDP, ICMP. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "unit_ip4.h"
#include "proto/packet.h"

static const uint8_t SRC4[4] = { 10, 0, 0, 1 }, DST4[4] = { 192, 0, 2, 80 };
static const uint8_t SRC6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t DST6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void
put16(uint8_t *b, unsigned v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void
put32(uint8_t *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b + 2, v & 0xffff);
}

/* IPv4 header + l4 at b; total length from l4len. Returns the length. */
static size_t
ip4(uint8_t *b, uint8_t proto, const uint8_t *l4, size_t l4len,
    unsigned fragword)
{
	return unit_ip4(b, proto, SRC4, DST4, 0, fragword, l4, l4len);
}

/* IPv6 header; ext is the extension chain (if any) followed by l4. */
static size_t
ip6(uint8_t *b, uint8_t nh, const uint8_t *rest, size_t restlen)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, (unsigned)restlen);
	b[6] = nh;
	b[7] = 64;
	memcpy(b + 8, SRC6, 16);
	memcpy(b + 24, DST6, 16);
	memmove(b + 40, rest, restlen);
	return 40 + restlen;
}

static size_t
tcp(uint8_t *b, unsigned sport, unsigned dport, uint32_t seq, uint8_t flags,
    const char *payload)
{
	size_t n = strlen(payload);

	memset(b, 0, 20);
	put16(b, sport);
	put16(b + 2, dport);
	put32(b + 4, seq);
	put32(b + 8, 0x01020304);
	b[12] = 5 << 4;
	b[13] = flags;
	put16(b + 14, 65535);
	memcpy(b + 20, payload, n);
	return 20 + n;
}

static size_t
udp(uint8_t *b, unsigned sport, unsigned dport, const char *payload)
{
	size_t n = strlen(payload);

	put16(b, sport);
	put16(b + 2, dport);
	put16(b + 4, (unsigned)(8 + n));
	put16(b + 6, 0);
	memcpy(b + 8, payload, n);
	return 8 + n;
}

/* Decodes from an exact-size heap copy, so ASan sees any overread. */
static enum decode_result
dec(const uint8_t *b, size_t n, struct pkt *p)
{
	uint8_t *cp = malloc(n ? n : 1);
	enum decode_result r;
	const uint8_t *pl;

	assert_non_null(cp);
	memcpy(cp, b, n);
	memset(p, 0xa5, sizeof *p);	/* decode_ip must not rely on a clean p */
	p->vlan = 0;
	r = decode_ip(cp, (uint32_t)n, p);
	/* Whatever happened, the payload span lies within the input. */
	if (p->payload_len > 0) {
		assert_true(p->payload >= cp);
		assert_true(p->payload + p->payload_len <= cp + n);
	}
	assert_true(p->payload_len <= p->payload_wire_len);
	pl = p->payload;
	p->payload = pl != NULL && p->payload_len > 0 ?
	    b + (pl - cp) : NULL;	/* rebase for the caller */
	free(cp);
	return r;
}

static void
test_ip4_tcp(void **state)
{
	uint8_t seg[64], b[128];
	struct pkt p;
	size_t n;
	char s[ADDR_STRLEN];

	(void)state;
	n = tcp(seg, 40000, 80, 1000, TCPF_SYN | TCPF_ACK | 0xc0, "GET");
	n = ip4(b, 6, seg, n, 0x4000);	/* DF is not a fragment */
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.ipver, 4);
	assert_int_equal(p.l4, L4_TCP);
	assert_false(p.fragment);
	assert_string_equal(addr_fmt(&p.src, s, sizeof s), "10.0.0.1");
	assert_string_equal(addr_fmt(&p.dst, s, sizeof s), "192.0.2.80");
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 80);
	assert_int_equal(p.seq, 1000);
	assert_int_equal(p.ack, 0x01020304);
	assert_int_equal(p.tcp_flags, TCPF_SYN | TCPF_ACK);	/* ECN bits off */
	assert_int_equal(p.payload_len, 3);
	assert_int_equal(p.payload_wire_len, 3);
	assert_memory_equal(p.payload, "GET", 3);
	assert_false(p.quote.valid);
	/* Trailing link padding is not payload. */
	memset(b + n, 0, 10);
	assert_int_equal(dec(b, n + 10, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 3);
	/* Snapped short: captured vs claimed. */
	assert_int_equal(dec(b, n - 2, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 1);
	assert_int_equal(p.payload_wire_len, 3);
	/* TCP options: data offset 8. */
	n = tcp(seg, 1, 2, 3, TCPF_RST, "xxxxxxxxxxxxhi");
	seg[12] = 8 << 4;
	n = ip4(b, 6, seg, n, 0);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 2);
	assert_memory_equal(p.payload, "hi", 2);
	/* TSO: total length 0 on the sending host means "use the capture". */
	put16(b + 2, 0);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 2);
	assert_int_equal(p.payload_wire_len, 2);
}

static void
test_ip4_malformed(void **state)
{
	uint8_t seg[64], b[128];
	struct pkt p;
	size_t n, sn;

	(void)state;
	sn = tcp(seg, 1, 2, 3, 0, "abc");
	n = ip4(b, 6, seg, sn, 0);
	b[0] = 0x44;				/* IHL 4 */
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	b[0] = 0x4f;				/* IHL 15: 60 > 43 */
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	b[0] = 0x46;				/* IHL 6 > total 20 ... */
	put16(b + 2, 20);
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	b[0] = 0x45;
	put16(b + 2, 19);			/* total < header */
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	assert_int_equal(p.ipver, 4);		/* addresses kept */
	assert_int_equal(p.src.family, 4);
	put16(b + 2, (unsigned)n);
	b[0] = 0x55;				/* version 5 */
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	b[0] = 0x05;
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	b[0] = 0x45;
	/* TCP data offset < 5 and past the capture: ports still filled. */
	b[20 + 12] = 4 << 4;
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	assert_int_equal(p.sport, 1);
	assert_int_equal(p.dport, 2);
	assert_int_equal(p.src.family, 4);
	assert_int_equal(p.payload_len, 0);
	b[20 + 12] = 6 << 4;			/* 24 > 23 captured */
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	assert_int_equal(p.dport, 2);
	/* IP total length shorter than the TCP header. */
	b[20 + 12] = 5 << 4;
	put16(b + 2, 30);
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	assert_int_equal(p.dport, 2);
	assert_int_equal(dec(b, 0, &p), DECODE_MALFORMED);
}

static void
test_udp(void **state)
{
	uint8_t seg[64], b[128];
	struct pkt p;
	size_t n, sn;

	(void)state;
	sn = udp(seg, 5353, 53, "query");
	n = ip4(b, 17, seg, sn, 0);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.l4, L4_UDP);
	assert_int_equal(p.sport, 5353);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.payload_len, 5);
	assert_memory_equal(p.payload, "query", 5);
	/* UDP length shorter than the IP payload bounds the payload. */
	put16(b + 24, 8 + 2);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 2);
	assert_int_equal(p.payload_wire_len, 2);
	/* Longer than IP says, or shorter than its own header. */
	put16(b + 24, 8 + 6);
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	assert_int_equal(p.dport, 53);
	put16(b + 24, 7);
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	/* Captured short: payload is what is there. */
	put16(b + 24, 8 + 5);
	assert_int_equal(dec(b, n - 3, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 2);
	assert_int_equal(p.payload_wire_len, 5);
	/* Other protocols: payload is the whole L4 span. */
	n = ip4(b, 47, seg, sn, 0);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.l4, 47);
	assert_int_equal(p.payload_len, sn);
	assert_int_equal(p.sport, 0);
}

static void
test_ip4_fragments(void **state)
{
	uint8_t seg[64], b[128];
	struct pkt p;
	size_t n, sn;

	(void)state;
	/* First fragment: MF, offset 0; UDP length covers the datagram. */
	sn = udp(seg, 1000, 53, "0123456789abcdef");
	put16(seg + 4, 1000);
	n = ip4(b, 17, seg, sn, 0x2000);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_true(p.fragment);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.payload_len, 16);
	assert_int_equal(p.payload_wire_len, 992);
	/* what reassembly needs: the bytes after the IP header, where */
	assert_int_equal(p.frag_len, sn);
	assert_memory_equal(p.frag_data, seg, sn);
	assert_int_equal(p.frag_offset, 0);
	assert_true(p.frag_more);
	/* Later fragment: no L4 decoding, the data is the payload. */
	n = ip4(b, 17, seg, sn, 0x0003);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_true(p.fragment);
	assert_int_equal(p.frag_offset, 24);
	assert_false(p.frag_more);
	assert_int_equal(p.l4, L4_UDP);
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.dport, 0);
	assert_int_equal(p.payload_len, sn);
	/* Last fragment (offset, no MF). */
	n = ip4(b, 6, seg, sn, 0x0100);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_true(p.fragment);
	assert_int_equal(p.sport, 0);
	/* A first fragment too short for TCP's header. */
	n = ip4(b, 6, seg, 8, 0x2000);
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	assert_true(p.fragment);
	assert_int_equal(p.sport, 1000);
}

static void
test_ip6(void **state)
{
	uint8_t rest[256], b[320], seg[64];
	struct pkt p;
	size_t n, sn, r;
	char s[ADDR_STRLEN];

	(void)state;
	sn = tcp(seg, 443, 50000, 7, TCPF_FIN | TCPF_ACK, "bye");
	n = ip6(b, 6, seg, sn);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.ipver, 6);
	assert_int_equal(p.l4, L4_TCP);
	assert_string_equal(addr_fmt(&p.src, s, sizeof s), "2001:db8::1");
	assert_string_equal(addr_fmt(&p.dst, s, sizeof s), "2001:db8::2");
	assert_int_equal(p.sport, 443);
	assert_int_equal(p.tcp_flags, TCPF_FIN | TCPF_ACK);
	assert_int_equal(p.payload_len, 3);
	/* Hop-by-hop (8) -> routing (24) -> dest opts (16) -> AH (16) -> TCP. */
	memset(rest, 0, sizeof rest);
	r = 0;
	rest[r] = 43; rest[r + 1] = 0; r += 8;
	rest[r] = 60; rest[r + 1] = 2; r += 24;
	rest[r] = 51; rest[r + 1] = 1; r += 16;
	rest[r] = 6; rest[r + 1] = 2; r += 16;
	memcpy(rest + r, seg, sn);
	n = ip6(b, 0, rest, r + sn);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.l4, L4_TCP);
	assert_int_equal(p.sport, 443);
	assert_int_equal(p.payload_len, 3);
	assert_memory_equal(p.payload, "bye", 3);
	assert_int_equal(p.payload_wire_len, 3);
	assert_false(p.fragment);
	/* Trailing bytes beyond the payload length are not payload. */
	assert_int_equal(dec(b, n + 5, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 3);
	/* An extension header running past the payload length. */
	put16(b + 4, 8 + 10);
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	assert_int_equal(p.ipver, 6);
	/* Jumbogram style payload length 0: the capture bounds it. */
	put16(b + 4, 0);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 3);
	/* ESP and no-next-header stop the walk. */
	rest[0] = 50;
	n = ip6(b, 0, rest, r + sn);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.l4, 50);
	rest[0] = 59;
	n = ip6(b, 0, rest, 8);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.l4, 59);
	assert_int_equal(p.payload_len, 0);
	/* An endless chain of destination options is cut off. */
	memset(rest, 0, sizeof rest);
	for (r = 0; r < 20 * 8; r += 8)
		rest[r] = 60;
	n = ip6(b, 60, rest, r);
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	/* Bad version, short header. */
	n = ip6(b, 6, seg, sn);
	b[0] = 0x70;
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	b[0] = 0x60;
	assert_int_equal(dec(b, 39, &p), DECODE_MALFORMED);
}

static void
test_ip6_fragments(void **state)
{
	uint8_t rest[128], b[192], seg[64];
	struct pkt p;
	size_t n, sn;

	(void)state;
	sn = udp(seg, 4000, 53, "abcdefgh");
	put16(seg + 4, 3000);
	memset(rest, 0, 8);
	rest[0] = 17;
	put16(rest + 2, 0x0001);		/* offset 0, M */
	rest[4] = 1; rest[5] = 2; rest[6] = 3; rest[7] = 4;	/* id */
	memcpy(rest + 8, seg, sn);
	n = ip6(b, 44, rest, 8 + sn);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_true(p.fragment);
	assert_int_equal(p.l4, L4_UDP);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.payload_len, 8);
	/* what reassembly needs: id, offset, M and the bytes after */
	assert_int_equal(p.frag_id, 0x01020304);
	assert_int_equal(p.frag_offset, 0);
	assert_true(p.frag_more);
	assert_int_equal(p.frag_len, sn);
	assert_memory_equal(p.frag_data, seg, sn);
	/* Non-first fragment: what follows is data even if it looks like headers. */
	put16(rest + 2, 185 << 3);
	rest[0] = 0;
	n = ip6(b, 44, rest, 8 + sn);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_true(p.fragment);
	assert_int_equal(p.l4, 0);
	assert_int_equal(p.dport, 0);
	assert_int_equal(p.payload_len, sn);
	assert_int_equal(p.frag_offset, 1480);
	assert_false(p.frag_more);
	/* Atomic fragment (offset 0, no M) is not a fragment (RFC 6946). */
	put16(rest + 2, 0);
	rest[0] = 17;
	put16(seg + 4, (unsigned)sn);
	memcpy(rest + 8, seg, sn);
	n = ip6(b, 44, rest, 8 + sn);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_false(p.fragment);
	assert_int_equal(p.dport, 53);
	/* Fragment header cut short. */
	n = ip6(b, 44, rest, 6);
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
}

/*
 * L4 headers cut at each boundary: 4 bytes give the ports, 8 a UDP header,
 * 20 a TCP one; a data offset below 5 or past the capture is malformed.
 */
static void
test_l4_boundaries(void **state)
{
	uint8_t b[256], seg[64];
	struct pkt p;
	size_t n, sn, cut;

	(void)state;
	udp(seg, 1234, 53, "");
	for (cut = 0; cut <= 8; cut++) {
		n = ip4(b, 17, seg, cut, 0);
		assert_int_equal(dec(b, n, &p), cut == 8 ? DECODE_OK :
		    DECODE_MALFORMED);
		assert_int_equal(p.sport, cut >= 4 ? 1234 : 0);
		assert_int_equal(p.dport, cut >= 4 ? 53 : 0);
		assert_int_equal(p.payload_len, 0);
	}
	/* The UDP length bounds the payload, the capture what is read. */
	sn = udp(seg, 1234, 53, "abcd");
	n = ip4(b, 17, seg, sn, 0);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 4);
	assert_int_equal(p.payload_wire_len, 4);
	assert_int_equal(dec(b, n - 1, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 3);
	assert_int_equal(p.payload_wire_len, 4);
	sn = tcp(seg, 40000, 8080, 7, TCPF_ACK, "xyz12345");
	for (cut = 0; cut <= 20; cut++) {
		n = ip4(b, 6, seg, cut, 0);
		assert_int_equal(dec(b, n, &p), cut == 20 ? DECODE_OK :
		    DECODE_MALFORMED);
		assert_int_equal(p.sport, cut >= 4 ? 40000 : 0);
		assert_int_equal(p.seq, cut >= 20 ? 7 : 0);
		assert_int_equal(p.ack, cut >= 20 ? 0x01020304 : 0);
		assert_int_equal(p.payload_len, 0);
	}
	/* Data offset 4 (16 bytes) is too small; 6 needs 24 bytes. */
	seg[12] = 4 << 4;
	n = ip4(b, 6, seg, sn, 0);
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	assert_int_equal(p.payload_len, 0);
	seg[12] = 6 << 4;
	n = ip4(b, 6, seg, 23, 0);
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	n = ip4(b, 6, seg, sn, 0);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.payload_len, sn - 24);
	assert_int_equal(p.payload_wire_len, sn - 24);
	/* An IP total length ending inside the TCP options. */
	put16(b + 2, 20 + 22);
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
}

/* An IPv4 header length below 20 is malformed, but what it says is kept. */
static void
test_ip4_short_ihl(void **state)
{
	uint8_t b[256], seg[64];
	struct pkt p;
	size_t n, sn;
	char s[ADDR_STRLEN];

	(void)state;
	sn = tcp(seg, 1, 2, 3, TCPF_SYN, "");
	n = ip4(b, 6, seg, sn, 0);
	b[0] = 0x44;
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	assert_int_equal(p.ipver, 4);
	assert_int_equal(p.l4, L4_TCP);
	assert_string_equal(addr_fmt(&p.dst, s, sizeof s), "192.0.2.80");
	b[0] = 0x45;
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.dport, 2);
}

/* ICMP error quoting a TCP SYN we sent: the quote names the connection. */
static size_t
icmp4_unreach(uint8_t *b, uint8_t type, uint8_t code, size_t quote_l4)
{
	uint8_t seg[64], inner[128], msg[192];
	size_t sn, in;

	sn = tcp(seg, 40001, 8080, 0xdeadbeef, TCPF_SYN, "");
	/* Quoted packet: from the gateway to the origin server. */
	in = ip4(inner, 6, seg, sn, 0);
	memcpy(inner + 12, DST4, 4);
	memcpy(inner + 16, SRC4, 4);
	memset(msg, 0, 8);
	msg[0] = type;
	msg[1] = code;
	memcpy(msg + 8, inner, 20 + quote_l4);
	(void)in;
	return ip4(b, 1, msg, 8 + 20 + quote_l4, 0);
}

static void
test_icmp4(void **state)
{
	uint8_t b[256];
	struct pkt p;
	size_t n;
	char s[ADDR_STRLEN];

	(void)state;
	n = icmp4_unreach(b, 3, 13, 8);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.l4, L4_ICMP);
	assert_int_equal(p.icmp_type, 3);
	assert_int_equal(p.icmp_code, 13);
	assert_true(p.quote.valid);
	assert_int_equal(p.quote.l4, L4_TCP);
	assert_string_equal(addr_fmt(&p.quote.src, s, sizeof s), "192.0.2.80");
	assert_string_equal(addr_fmt(&p.quote.dst, s, sizeof s), "10.0.0.1");
	assert_int_equal(p.quote.sport, 40001);
	assert_int_equal(p.quote.dport, 8080);
	assert_int_equal(p.quote.seq, 0xdeadbeef);
	/* Only 4 L4 bytes quoted: ports, no sequence number. */
	n = icmp4_unreach(b, 3, 3, 4);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_true(p.quote.valid);
	assert_int_equal(p.quote.dport, 8080);
	assert_int_equal(p.quote.seq, 0);
	/* Quote cut inside the IP header: no quote at all. */
	n = icmp4_unreach(b, 11, 0, 0);
	assert_int_equal(dec(b, n - 10, &p), DECODE_OK);
	assert_int_equal(p.icmp_type, 11);
	assert_false(p.quote.valid);
	/* Quoted IP with a bogus IHL. */
	n = icmp4_unreach(b, 3, 1, 8);
	b[28] = 0x4f;
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_false(p.quote.valid);
	/* Echo request: informational, nothing quoted. */
	n = icmp4_unreach(b, 8, 0, 8);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.icmp_type, 8);
	assert_false(p.quote.valid);
	assert_int_equal(p.payload_len, 28);
	/* A 3-byte ICMP message. */
	n = icmp4_unreach(b, 3, 3, 0);
	put16(b + 2, 23);
	assert_int_equal(dec(b, n, &p), DECODE_MALFORMED);
	assert_int_equal(p.icmp_type, 3);
	assert_false(p.quote.valid);
}

static void
test_icmp6(void **state)
{
	uint8_t b[256], msg[160], inner[128], seg[32], ext[64];
	struct pkt p;
	size_t n, in, sn;

	(void)state;
	sn = udp(seg, 5000, 53, "");
	in = ip6(inner, 17, seg, sn);
	memset(msg, 0, 8);
	msg[0] = 1;
	msg[1] = 1;
	memcpy(msg + 8, inner, in);
	n = ip6(b, 58, msg, 8 + in);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.l4, L4_ICMP6);
	assert_int_equal(p.icmp_type, 1);
	assert_int_equal(p.icmp_code, 1);
	assert_true(p.quote.valid);
	assert_int_equal(p.quote.l4, L4_UDP);
	assert_int_equal(p.quote.dport, 53);
	assert_int_equal(p.quote.src.family, 6);
	/* Quoted packet with a destination-options header. */
	memset(ext, 0, 8);
	ext[0] = 17;
	memcpy(ext + 8, seg, sn);
	in = ip6(inner, 60, ext, 8 + sn);
	memcpy(msg + 8, inner, in);
	n = ip6(b, 58, msg, 8 + in);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.quote.l4, L4_UDP);
	assert_int_equal(p.quote.sport, 5000);
	/* Quote cut inside the extension chain: addresses only. */
	n = ip6(b, 58, msg, 8 + 44);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_true(p.quote.valid);
	assert_int_equal(p.quote.sport, 0);
	/* Cut inside the IPv6 header. */
	n = ip6(b, 58, msg, 8 + 30);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_false(p.quote.valid);
	/* Echo reply. */
	msg[0] = 129;
	n = ip6(b, 58, msg, 8 + in);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_false(p.quote.valid);
	/* ICMPv6 under IPv4 (or ICMP under IPv6) is not decoded as such. */
	n = ip4(b, 58, msg, 8 + in, 0);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.icmp_type, 0);
}

/* Which ICMP types quote the offending packet: v4 errors, v6 types < 128. */
static void
test_icmp_error_types(void **state)
{
	uint8_t b[256], msg[160], inner[128], seg[32];
	struct pkt p;
	size_t n, in, sn;
	unsigned t;

	(void)state;
	for (t = 0; t < 256; t++) {
		n = icmp4_unreach(b, (uint8_t)t, 0, 8);
		assert_int_equal(dec(b, n, &p), DECODE_OK);
		assert_int_equal(p.quote.valid,
		    t == 3 || t == 4 || t == 5 || t == 11 || t == 12);
	}
	sn = udp(seg, 5000, 53, "");
	in = ip6(inner, 17, seg, sn);
	memset(msg, 0, 8);
	memcpy(msg + 8, inner, in);
	for (t = 0; t < 256; t++) {
		msg[0] = (uint8_t)t;
		n = ip6(b, 58, msg, 8 + in);
		assert_int_equal(dec(b, n, &p), DECODE_OK);
		assert_int_equal(p.quote.valid, t < 128);
	}
}

/* The quote's length at each boundary: header, ports, sequence number. */
static void
test_icmp_quote_lengths(void **state)
{
	uint8_t b[256];
	struct pkt p;
	size_t n, q;

	(void)state;
	for (q = 0; q <= 8; q++) {
		n = icmp4_unreach(b, 3, 3, q);
		assert_int_equal(dec(b, n, &p), DECODE_OK);
		assert_true(p.quote.valid);
		assert_int_equal(p.quote.l4, L4_TCP);
		assert_int_equal(p.quote.sport, q >= 4 ? 40001 : 0);
		assert_int_equal(p.quote.dport, q >= 4 ? 8080 : 0);
		assert_int_equal(p.quote.seq, q >= 8 ? 0xdeadbeef : 0);
	}
	/* 19 bytes of quoted IPv4 header are not enough. */
	n = icmp4_unreach(b, 3, 3, 0);
	assert_int_equal(dec(b, n - 1, &p), DECODE_OK);
	assert_false(p.quote.valid);
	/* A quoted UDP datagram has ports but no sequence number. */
	n = icmp4_unreach(b, 3, 3, 8);
	b[20 + 8 + 9] = 17;
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_int_equal(p.quote.l4, L4_UDP);
	assert_int_equal(p.quote.sport, 40001);
	assert_int_equal(p.quote.seq, 0);
	/* A later fragment quoted: no L4 header in it. */
	n = icmp4_unreach(b, 3, 3, 8);
	b[20 + 8 + 7] = 1;
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_true(p.quote.valid);
	assert_int_equal(p.quote.sport, 0);
	/* Quoted header with options (IHL 6): the ports come after them. */
	n = icmp4_unreach(b, 3, 3, 8);
	memmove(b + 20 + 8 + 24, b + 20 + 8 + 20, 8);
	b[20 + 8] = 0x46;
	put32(b + 20 + 8 + 20, 0x01010101);
	n += 4;
	put16(b + 2, (unsigned)n);
	assert_int_equal(dec(b, n, &p), DECODE_OK);
	assert_true(p.quote.valid);
	assert_int_equal(p.quote.sport, 40001);
	assert_int_equal(p.quote.seq, 0xdeadbeef);
	/* IHL 6 over 23 quoted bytes: the header overruns the quote. */
	put16(b + 2, 20 + 8 + 23);
	assert_int_equal(dec(b, 20 + 8 + 23, &p), DECODE_OK);
	assert_false(p.quote.valid);
	put16(b + 2, 20 + 8 + 24);
	assert_int_equal(dec(b, 20 + 8 + 24, &p), DECODE_OK);
	assert_true(p.quote.valid);
	assert_int_equal(p.quote.sport, 0);
}

static void
test_unreach_names(void **state)
{
	(void)state;
	assert_string_equal(icmp_unreach_name(4, 3, 13),
	    "Communication administratively filtered");
	assert_string_equal(icmp_unreach_name(4, 3, 10),
	    "Host administratively prohibited");
	assert_string_equal(icmp_unreach_name(4, 3, 9),
	    "Network administratively prohibited");
	assert_string_equal(icmp_unreach_name(4, 3, 3), "Port unreachable");
	assert_string_equal(icmp_unreach_name(4, 3, 1), "Host unreachable");
	assert_string_equal(icmp_unreach_name(4, 3, 4), "Fragmentation needed");
	assert_string_equal(icmp_unreach_name(4, 3, 16),
	    "Destination unreachable (unknown code)");
	assert_string_equal(icmp_unreach_name(4, 11, 0),
	    "Time to live exceeded in transit");
	assert_string_equal(icmp_unreach_name(6, 1, 1),
	    "Communication with destination administratively prohibited");
	assert_string_equal(icmp_unreach_name(6, 1, 4), "Port unreachable");
	assert_string_equal(icmp_unreach_name(6, 1, 3), "Address unreachable");
	assert_string_equal(icmp_unreach_name(6, 1, 0),
	    "No route to destination");
	assert_string_equal(icmp_unreach_name(6, 1, 200),
	    "Destination unreachable (unknown code)");
	assert_string_equal(icmp_unreach_name(6, 2, 0), "Packet too big");
	assert_string_equal(icmp_unreach_name(6, 3, 0),
	    "Hop limit exceeded in transit");
	assert_non_null(icmp_unreach_name(4, 200, 200));
	assert_non_null(icmp_unreach_name(6, 200, 200));
}

/* Every name of both tables, and the first code past each. */
static void
test_unreach_tables(void **state)
{
	static const char *const v4[] = {
		"Network unreachable", "Host unreachable",
		"Protocol unreachable", "Port unreachable",
		"Fragmentation needed", "Source route failed",
		"Destination network unknown", "Destination host unknown",
		"Source host isolated", "Network administratively prohibited",
		"Host administratively prohibited", "Network unreachable for TOS",
		"Host unreachable for TOS",
		"Communication administratively filtered",
		"Host precedence violation", "Precedence cutoff in effect",
	};
	static const char *const v6[] = {
		"No route to destination",
		"Communication with destination administratively prohibited",
		"Beyond scope of source address", "Address unreachable",
		"Port unreachable",
		"Source address failed ingress/egress policy",
		"Reject route to destination", "Error in Source Routing Header",
		"Headers too long",
	};
	const char *unknown = "Destination unreachable (unknown code)";
	uint8_t c;

	(void)state;
	for (c = 0; c < 16; c++)
		assert_string_equal(icmp_unreach_name(4, 3, c), v4[c]);
	assert_string_equal(icmp_unreach_name(4, 3, 16), unknown);
	for (c = 0; c < 9; c++)
		assert_string_equal(icmp_unreach_name(6, 1, c), v6[c]);
	assert_string_equal(icmp_unreach_name(6, 1, 9), unknown);
	assert_string_equal(icmp_unreach_name(4, 4, 0), "Source quench");
	assert_string_equal(icmp_unreach_name(4, 5, 1), "Redirect");
	assert_string_equal(icmp_unreach_name(4, 11, 1),
	    "Fragment reassembly time exceeded");
	assert_string_equal(icmp_unreach_name(4, 11, 2),
	    "Time exceeded (unknown code)");
	assert_string_equal(icmp_unreach_name(4, 12, 0), "Parameter problem");
	assert_string_equal(icmp_unreach_name(4, 0, 0), "ICMP");
	assert_string_equal(icmp_unreach_name(4, 1, 0), "ICMP");
	assert_string_equal(icmp_unreach_name(6, 3, 1),
	    "Fragment reassembly time exceeded");
	assert_string_equal(icmp_unreach_name(6, 3, 2),
	    "Time exceeded (unknown code)");
	assert_string_equal(icmp_unreach_name(6, 4, 0), "Parameter problem");
	assert_string_equal(icmp_unreach_name(6, 0, 0), "ICMPv6");
	assert_string_equal(icmp_unreach_name(6, 5, 0), "ICMPv6");
	/* The version decides the table: type 3 is unreachable only in v4. */
	assert_string_equal(icmp_unreach_name(4, 3, 3), "Port unreachable");
	assert_string_equal(icmp_unreach_name(6, 3, 3),
	    "Time exceeded (unknown code)");
}

/* Every prefix of several valid packets: no crash, sane spans. */
static void
test_prefixes(void **state)
{
	uint8_t pk[4][256], seg[64], rest[128];
	size_t len[4], n, i, sn;
	struct pkt p;
	enum decode_result r;

	(void)state;
	sn = tcp(seg, 1, 2, 3, TCPF_PSH, "payload");
	len[0] = ip4(pk[0], 6, seg, sn, 0);
	len[1] = icmp4_unreach(pk[1], 3, 13, 8);
	memset(rest, 0, 24);
	rest[0] = 44;
	rest[8] = 17;
	put16(rest + 10, 1);
	sn = udp(seg, 1, 53, "dns");
	memcpy(rest + 16, seg, sn);
	len[2] = ip6(pk[2], 0, rest, 16 + sn);
	sn = udp(seg, 1, 53, "dns");
	len[3] = ip4(pk[3], 17, seg, sn, 0);
	for (i = 0; i < 4; i++) {
		for (n = 0; n <= len[i]; n++) {
			r = dec(pk[i], n, &p);
			assert_true(r == DECODE_OK || r == DECODE_MALFORMED);
			if (n == len[i])
				assert_int_equal(r, DECODE_OK);
			if (r == DECODE_OK)
				assert_int_not_equal(p.ipver, 0);
		}
	}
}

/* Random mutations of valid packets. */
static void
test_random(void **state)
{
	uint8_t base[256], b[256], seg[64];
	size_t n, sn, i, k;
	uint32_t x = 99;
	struct pkt p;

	(void)state;
	sn = tcp(seg, 1, 2, 3, TCPF_PSH, "some payload bytes");
	n = ip4(base, 6, seg, sn, 0);
	for (i = 0; i < 50000; i++) {
		memcpy(b, base, n);
		if (i % 3 == 0)
			n = icmp4_unreach(b, 3, 3, 8);
		else if (i % 3 == 1)
			n = ip6(b, (uint8_t)(i / 3 % 64), seg, sn);
		for (k = 0; k < 4; k++) {
			x = x * 1103515245u + 12345u;
			b[(x >> 8) % n] = (uint8_t)(x >> 20);
		}
		(void)dec(b, (x >> 4) % (n + 1), &p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip4_tcp),
		cmocka_unit_test(test_ip4_malformed),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_ip4_fragments),
		cmocka_unit_test(test_ip6),
		cmocka_unit_test(test_ip6_fragments),
		cmocka_unit_test(test_icmp4),
		cmocka_unit_test(test_icmp6),
		cmocka_unit_test(test_l4_boundaries),
		cmocka_unit_test(test_ip4_short_ihl),
		cmocka_unit_test(test_icmp_error_types),
		cmocka_unit_test(test_icmp_quote_lengths),
		cmocka_unit_test(test_unreach_names),
		cmocka_unit_test(test_unreach_tables),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
