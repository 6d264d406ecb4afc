/*
 * test_proto_frames.c: link headers at their exact lengths (a header that
 * ends exactly where the capture ends is whole, not short), the BSD
 * loopback family in either byte order, and the L4 length rules of UDP and
 * TCP at their boundaries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "unit_guard.h"
#include "proto/packet.h"

/* Decodes n bytes that end where the readable memory ends. */
static enum decode_result
dec(int lt, const uint8_t *b, size_t n, struct pkt *p)
{
	struct unit_guard g;
	const uint8_t *d = unit_guard_copy(&g, b, n);
	enum decode_result r = decode_frame(lt, d, (uint32_t)n, p);

	if (p->payload_len > 0)
		assert_true(p->payload >= d && p->payload + p->payload_len <= d + n);
	p->payload = p->payload_len > 0 ? b + (p->payload - d) : NULL;
	unit_guard_free(&g);
	return r;
}

/* IPv4/UDP 10.0.0.1:1234 -> 10.0.0.2:53, payload "hi". */
static const uint8_t IP4[] = {
	0x45, 0, 0, 30, 0, 0, 0x40, 0, 64, 17, 0, 0,
	10, 0, 0, 1, 10, 0, 0, 2,
	0x04, 0xd2, 0, 53, 0, 10, 0, 0, 'h', 'i'
};

/*
 * A link header that is exactly as long as its type says and carries no
 * IP (ARP and the like) is a whole frame that is simply not IP; one byte
 * less is a broken frame.
 */
static void
test_header_only_frames(void **state)
{
	uint8_t b[64];
	struct pkt p;

	(void)state;
	/* Ethernet carrying ARP: 14 bytes */
	memset(b, 0, sizeof b);
	b[12] = 0x08;
	b[13] = 0x06;
	assert_int_equal(dec(1, b, 14, &p), DECODE_NOT_IP);
	assert_int_equal(dec(1, b, 13, &p), DECODE_MALFORMED);
	/* Ethernet, an 802.1Q tag that ends the capture, ARP inside */
	b[12] = 0x81;
	b[13] = 0x00;
	b[14] = 0x00;
	b[15] = 0x2a;
	b[16] = 0x08;
	b[17] = 0x06;
	assert_int_equal(dec(1, b, 18, &p), DECODE_NOT_IP);
	assert_int_equal(p.vlan, 42);
	assert_int_equal(dec(1, b, 17, &p), DECODE_MALFORMED);
	/* Linux SLL: 16 bytes, protocol at 14 */
	memset(b, 0, sizeof b);
	b[14] = 0x08;
	b[15] = 0x06;
	assert_int_equal(dec(113, b, 16, &p), DECODE_NOT_IP);
	assert_int_equal(dec(113, b, 15, &p), DECODE_MALFORMED);
	/* Linux SLL2: 20 bytes, protocol first */
	memset(b, 0, sizeof b);
	b[0] = 0x08;
	b[1] = 0x06;
	assert_int_equal(dec(276, b, 20, &p), DECODE_NOT_IP);
	assert_int_equal(dec(276, b, 19, &p), DECODE_MALFORMED);
	/* BSD NULL and LOOP: 4 bytes of a family that is not IP (AF_UNIX) */
	memset(b, 0, sizeof b);
	b[0] = 1;
	assert_int_equal(dec(0, b, 4, &p), DECODE_NOT_IP);
	assert_int_equal(dec(0, b, 3, &p), DECODE_MALFORMED);
	b[0] = 0;
	b[3] = 1;
	assert_int_equal(dec(108, b, 4, &p), DECODE_NOT_IP);
	assert_int_equal(dec(108, b, 3, &p), DECODE_MALFORMED);
	/* Every link type's header alone, with an IP type: no IP header */
	memset(b, 0, sizeof b);
	b[12] = 0x08;
	assert_int_equal(dec(1, b, 14, &p), DECODE_MALFORMED);
}

static void
null_frame(uint8_t *b, const uint8_t fam[4])
{
	memcpy(b, fam, 4);
	memcpy(b + 4, IP4, sizeof IP4);
}

/*
 * LINKTYPE_NULL's family is in the capturing host's byte order. Only the
 * values AF_INET and the AF_INET6s are IP; any other 32-bit value, read in
 * either order, is not, whatever its bytes look like.
 */
static void
test_null_family(void **state)
{
	static const uint8_t ip[][4] = {
		{ 2, 0, 0, 0 }, { 0, 0, 0, 2 },
		{ 24, 0, 0, 0 }, { 0, 0, 0, 24 },
		{ 28, 0, 0, 0 }, { 0, 0, 0, 28 },
		{ 30, 0, 0, 0 }, { 0, 0, 0, 30 },
	};
	static const uint8_t not_ip[][4] = {
		{ 2, 1, 0, 0 },		/* 258 little-endian */
		{ 2, 0, 1, 0 },		/* 0x10002 / 0x02000100 */
		{ 2, 0, 0, 0x80 },	/* 0x80000002 / 0x02000080 */
		{ 2, 0, 0, 1 },
		{ 1, 0, 0, 2 },
		{ 0, 2, 0, 0 },
		{ 0, 0, 2, 0 },
		{ 3, 0, 0, 0 }, { 0, 0, 0, 3 },
		{ 23, 0, 0, 0 }, { 25, 0, 0, 0 }, { 29, 0, 0, 0 },
		{ 31, 0, 0, 0 }, { 0, 0, 0, 31 },
	};
	uint8_t b[64];
	struct pkt p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof ip / sizeof ip[0]; i++) {
		null_frame(b, ip[i]);
		assert_int_equal(dec(0, b, 4 + sizeof IP4, &p), DECODE_OK);
		assert_int_equal(p.ipver, 4);
		assert_int_equal(p.dport, 53);
		assert_int_equal(p.payload_len, 2);
		assert_memory_equal(p.payload, "hi", 2);
	}
	for (i = 0; i < sizeof not_ip / sizeof not_ip[0]; i++) {
		null_frame(b, not_ip[i]);
		assert_int_equal(dec(0, b, 4 + sizeof IP4, &p), DECODE_NOT_IP);
		assert_int_equal(p.ipver, 0);
	}
	/* LOOP is always network order: a little-endian 2 is not AF_INET. */
	null_frame(b, ip[1]);
	assert_int_equal(dec(108, b, 4 + sizeof IP4, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 2);
	null_frame(b, ip[0]);
	assert_int_equal(dec(108, b, 4 + sizeof IP4, &p), DECODE_NOT_IP);
}

/*
 * A capture cut short by the snap length: the IP header claims more than
 * was captured. Every link type hands on exactly the captured bytes after
 * its header, so the payload is what is there, and the wire length what
 * the header claims.
 */
static void
test_snapped_frames(void **state)
{
	static const struct {
		int lt;
		uint8_t hdr[20];
		size_t hlen;
	} links[] = {
		{ 1, { [12] = 0x08 }, 14 },
		{ 113, { [14] = 0x08 }, 16 },
		{ 276, { 0x08 }, 20 },
		{ 0, { 2 }, 4 },
		{ 0, { 0, 0, 0, 2 }, 4 },
		{ 108, { 0, 0, 0, 2 }, 4 },
		{ 101, { 0 }, 0 },
		{ 228, { 0 }, 0 },
	};
	uint8_t b[128], ip[64];
	struct pkt p;
	size_t i, n;

	(void)state;
	memcpy(ip, IP4, sizeof IP4);
	ip[3] = 200;			/* total length 200: 172 payload bytes */
	ip[25] = 180;			/* UDP length 180 */
	for (i = 0; i < sizeof links / sizeof links[0]; i++) {
		memcpy(b, links[i].hdr, links[i].hlen);
		memcpy(b + links[i].hlen, ip, sizeof IP4);
		n = links[i].hlen + sizeof IP4;
		assert_int_equal(dec(links[i].lt, b, n, &p), DECODE_OK);
		assert_int_equal(p.ipver, 4);
		assert_int_equal(p.payload_len, 2);
		assert_int_equal(p.payload_wire_len, 172);
		assert_memory_equal(p.payload, "hi", 2);
	}
}

/* Raw IP link types that promise a version get exactly that version. */
static void
test_raw_versions(void **state)
{
	uint8_t b[64];
	struct pkt p;

	(void)state;
	memcpy(b, IP4, sizeof IP4);
	assert_int_equal(dec(228, b, sizeof IP4, &p), DECODE_OK);
	assert_int_equal(dec(229, b, sizeof IP4, &p), DECODE_MALFORMED);
	assert_int_equal(dec(228, b, 0, &p), DECODE_MALFORMED);
	assert_int_equal(dec(228, b, 1, &p), DECODE_MALFORMED);
	assert_int_equal(p.ipver, 0);
	b[0] = 0x60;
	assert_int_equal(dec(229, b, 1, &p), DECODE_MALFORMED);
	assert_int_equal(dec(228, b, sizeof IP4, &p), DECODE_MALFORMED);
}

static void
put16(uint8_t *b, unsigned v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* IPv6 header in front of an UDP datagram: plen and the UDP length. */
static size_t
ip6_udp(uint8_t *b, unsigned plen, unsigned ulen, size_t body)
{
	size_t i;

	memset(b, 0, 48);
	b[0] = 0x60;
	put16(b + 4, plen);
	b[6] = 17;
	b[7] = 64;
	b[23] = 1;
	b[39] = 2;
	put16(b + 40, 1234);
	put16(b + 42, 53);
	put16(b + 44, ulen);
	for (i = 0; i < body; i++)
		b[48 + i] = (uint8_t)('a' + i);
	return 48 + body;
}

/*
 * RFC 2675: only a UDP length of 0 over IPv6 means "the IP length rules";
 * any other UDP length bounds the payload, also when IP carries more. Over
 * IPv4, 0 is just too short.
 */
static void
test_udp_lengths(void **state)
{
	uint8_t b[128], v4[64];
	struct pkt p;
	size_t n;

	(void)state;
	/* IPv6 payload 8+6, UDP length 8+4: two bytes of trailer */
	n = ip6_udp(b, 14, 12, 6);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 4);
	assert_int_equal(p.payload_wire_len, 4);
	/* jumbogram-style 0: the IPv6 length */
	n = ip6_udp(b, 14, 0, 6);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 6);
	assert_int_equal(p.payload_wire_len, 6);
	assert_int_equal(p.dport, 53);
	/* a UDP length of 1..7 is never valid */
	n = ip6_udp(b, 14, 1, 6);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_MALFORMED);
	n = ip6_udp(b, 14, 7, 6);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_MALFORMED);
	/* exactly 8: a datagram with an empty payload */
	n = ip6_udp(b, 14, 8, 6);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.payload_wire_len, 0);
	/* longer than IP's payload, not a fragment: malformed */
	n = ip6_udp(b, 14, 15, 6);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_MALFORMED);
	n = ip6_udp(b, 14, 14, 6);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_int_equal(p.payload_len, 6);
	/* IPv4 with UDP length 0 is malformed, not a jumbogram */
	memcpy(v4, IP4, sizeof IP4);
	v4[24] = v4[25] = 0;
	assert_int_equal(decode_ip(v4, sizeof IP4, &p), DECODE_MALFORMED);
	assert_int_equal(p.payload_len, 0);
	/* the ports are there as soon as 4 bytes are, the rest needs 8 */
	memcpy(v4, IP4, sizeof IP4);
	v4[3] = 24;
	assert_int_equal(decode_ip(v4, 24, &p), DECODE_MALFORMED);
	assert_int_equal(p.sport, 1234);
	assert_int_equal(p.dport, 53);
	v4[3] = 23;
	assert_int_equal(decode_ip(v4, 23, &p), DECODE_MALFORMED);
	assert_int_equal(p.sport, 0);
}

/* IPv4 + TCP with a data offset of doff words and n payload bytes. */
static size_t
ip4_tcp(uint8_t *b, unsigned doff, size_t n)
{
	size_t len = 20 + doff * 4 + n, i;

	memset(b, 0, len);
	b[0] = 0x45;
	put16(b + 2, (unsigned)len);
	b[8] = 64;
	b[9] = 6;
	b[15] = 1;
	b[19] = 2;
	put16(b + 20, 443);
	put16(b + 22, 50000);
	b[24 + 3] = 9;			/* seq 9 */
	b[28 + 3] = 7;			/* ack 7 */
	b[32] = (uint8_t)(doff << 4);
	b[33] = 0xff;			/* every flag, ECE/CWR/URG too */
	for (i = 40; i < 20 + doff * 4; i++)
		b[i] = 1;		/* NOP options */
	for (i = 0; i < n; i++)
		b[20 + doff * 4 + i] = (uint8_t)('A' + i);
	return len;
}

/*
 * TCP's data offset: 5..15 words, within the segment. A header with no
 * payload has a wire payload of 0; only the flags packet.h names are kept.
 */
static void
test_tcp_offsets(void **state)
{
	uint8_t b[128];
	struct pkt p;
	size_t n;
	unsigned doff;

	(void)state;
	for (doff = 5; doff <= 15; doff++) {
		n = ip4_tcp(b, doff, 3);
		assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
		assert_int_equal(p.payload_len, 3);
		assert_int_equal(p.payload_wire_len, 3);
		assert_int_equal(p.payload[0], 'A');
		assert_int_equal(p.seq, 9);
		assert_int_equal(p.ack, 7);
		assert_int_equal(p.tcp_flags, TCPF_FIN | TCPF_SYN | TCPF_RST |
		    TCPF_PSH | TCPF_ACK);
		/* header only: no payload, on the wire either */
		n = ip4_tcp(b, doff, 0);
		assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
		assert_int_equal(p.payload_len, 0);
		assert_int_equal(p.payload_wire_len, 0);
		/* the options cut one byte short */
		assert_int_equal(decode_ip(b, (uint32_t)n - 1, &p),
		    DECODE_MALFORMED);
		assert_int_equal(p.payload_len, 0);
	}
	for (doff = 0; doff < 5; doff++) {
		n = ip4_tcp(b, 5, 8);
		b[32] = (uint8_t)(doff << 4);
		assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_MALFORMED);
		assert_int_equal(p.payload_len, 0);
		assert_int_equal(p.dport, 50000);
	}
	/* 19 bytes of TCP: ports only */
	n = ip4_tcp(b, 5, 0);
	put16(b + 2, 39);
	assert_int_equal(decode_ip(b, 39, &p), DECODE_MALFORMED);
	assert_int_equal(p.sport, 443);
	assert_int_equal(p.seq, 0);
	assert_int_equal(p.tcp_flags, 0);
}

/* IPv6 header with next header nh and rest as its payload (plen = n). */
static size_t
ip6(uint8_t *b, unsigned nh, const uint8_t *rest, size_t n)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, (unsigned)n);
	b[6] = (uint8_t)nh;
	b[7] = 64;
	b[23] = 1;
	b[39] = 2;
	memcpy(b + 40, rest, n);
	return 40 + n;
}

/*
 * Fills the stack below the caller with non-zero bytes, so that a decoder
 * that forgot to initialise a local finds garbage rather than the zeros a
 * fresh test process happens to have there.
 */
static void __attribute__((noinline))
dirty_stack(void)
{
	volatile uint8_t junk[8192];
	size_t i;

	for (i = 0; i < sizeof junk; i++)
		junk[i] = 0xff;
}

/* A UDP datagram 1234 -> 53 with payload "ok". */
static const uint8_t UDP[] = { 0x04, 0xd2, 0, 53, 0, 10, 0, 0, 'o', 'k' };

/*
 * IPv6 extension headers: a header that ends exactly at the packet's end
 * is whole; one that does not fit, or a chain longer than the decoder
 * walks (16 headers), makes the packet malformed, not something else.
 */
static void
test_ip6_ext_chain(void **state)
{
	uint8_t rest[256], b[320];
	struct pkt p;
	size_t n, k, i;

	(void)state;
	/* 15 destination-options headers, then UDP: walked */
	for (k = 14; k <= 16; k++) {
		n = 0;
		for (i = 0; i < k; i++) {
			memset(rest + n, 0, 8);
			rest[n] = i + 1 < k ? 60 : 17;
			n += 8;
		}
		memcpy(rest + n, UDP, sizeof UDP);
		n = ip6(b, 60, rest, n + sizeof UDP);
		if (k < 16) {
			assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
			assert_int_equal(p.l4, L4_UDP);
			assert_int_equal(p.dport, 53);
			assert_int_equal(p.payload_len, 2);
		} else {
			assert_int_equal(decode_ip(b, (uint32_t)n, &p),
			    DECODE_MALFORMED);
		}
	}
	/* a next-header value of an extension, and nothing after it */
	static const uint8_t ext[] = { 0, 43, 60, 51, 44 };
	for (i = 0; i < sizeof ext; i++) {
		n = ip6(b, ext[i], rest, 0);
		assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_MALFORMED);
		n = ip6(b, ext[i], (const uint8_t *)"\x11", 1);
		assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_MALFORMED);
	}
	/* hop-by-hop ending exactly at the end, "no next header" after it */
	memset(rest, 0, 8);
	rest[0] = 59;
	n = ip6(b, 0, rest, 8);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_int_equal(p.l4, 59);
	assert_false(p.fragment);
	assert_int_equal(decode_ip(b, (uint32_t)n - 1, &p), DECODE_MALFORMED);
	/* AH (length in 4-byte units + 2): 12 bytes exactly */
	memset(rest, 0, 12);
	rest[0] = 59;
	rest[1] = 1;
	n = ip6(b, 51, rest, 12);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_int_equal(p.l4, 59);
	n = ip6(b, 51, rest, 11);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_MALFORMED);
	/* a first fragment header that ends the packet, then a later one */
	memset(rest, 0, 8);
	rest[0] = 59;
	rest[3] = 1;			/* offset 0, more fragments */
	rest[7] = 9;			/* id 9 */
	n = ip6(b, 44, rest, 8);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_true(p.fragment);
	assert_true(p.frag_more);
	assert_int_equal(p.frag_id, 9);
	assert_int_equal(p.frag_offset, 0);
	assert_int_equal(p.frag_len, 0);
	n = ip6(b, 44, rest, 7);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_MALFORMED);
	/* no fragment header: not a fragment, whatever the stack held */
	n = ip6(b, 17, UDP, sizeof UDP);
	dirty_stack();
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_false(p.fragment);
	assert_int_equal(p.frag_len, 0);
	assert_int_equal(p.payload_len, 2);
	memset(rest, 0, 8);
	rest[0] = 17;
	memcpy(rest + 8, UDP, sizeof UDP);
	n = ip6(b, 60, rest, 8 + sizeof UDP);
	dirty_stack();
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_false(p.fragment);
	assert_int_equal(p.payload_len, 2);
}

/*
 * After a first fragment's header the chain goes on (a destination options
 * header may follow it); after a later fragment's header come data bytes,
 * which are not walked as headers even when the next-header value names
 * an extension.
 */
static void
test_ip6_fragment_chain(void **state)
{
	uint8_t rest[64], b[128];
	struct pkt p;
	size_t n;

	(void)state;
	memset(rest, 0, sizeof rest);
	rest[0] = 60;			/* fragment: next is dstopts */
	rest[3] = 1;			/* offset 0, M */
	rest[7] = 5;
	rest[8] = 17;			/* dstopts (8 bytes): next is UDP */
	memcpy(rest + 16, UDP, sizeof UDP);
	n = ip6(b, 44, rest, 16 + sizeof UDP);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_true(p.fragment);
	assert_int_equal(p.l4, L4_UDP);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.payload_len, 2);
	/* offset 8 (the lowest offset bit), next header "dstopts": data */
	memset(rest, 0, sizeof rest);
	rest[0] = 60;
	rest[3] = 8;			/* offset 1 unit, no M */
	rest[7] = 5;
	memset(rest + 8, 0, 16);	/* would be a dstopts of 8 bytes */
	n = ip6(b, 44, rest, 24);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_true(p.fragment);
	assert_false(p.frag_more);
	assert_int_equal(p.frag_offset, 8);
	assert_int_equal(p.frag_len, 16);
	assert_int_equal(p.frag_wire_len, 16);
	assert_int_equal(p.l4, 60);
	assert_int_equal(p.payload_len, 16);
	/* a quote of such a later fragment: addresses, no ports */
	memset(rest, 0, sizeof rest);
	rest[0] = 1;			/* destination unreachable */
	rest[1] = 4;
	n = ip6(rest + 8, 44, (const uint8_t *)"\x11\0\0\x08\0\0\0\5\x04\xd2\0\x35", 12);
	n = ip6(b, 58, rest, 8 + n);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_true(p.quote.valid);
	assert_int_equal(p.quote.l4, L4_UDP);
	assert_int_equal(p.quote.dport, 0);
}

/*
 * IP headers that end exactly where the packet ends are whole packets (of
 * a protocol without a decoder here, or "no next header"); a byte less is
 * malformed. IPv4 options (IHL > 5) count as header.
 */
static void
test_ip_header_only(void **state)
{
	uint8_t b[64];
	struct pkt p;
	unsigned ihl;

	(void)state;
	for (ihl = 5; ihl <= 15; ihl++) {
		memset(b, 1, sizeof b);	/* NOP options */
		b[0] = (uint8_t)(0x40 | ihl);
		b[1] = 0;
		put16(b + 2, ihl * 4);
		put16(b + 4, 0x1234);	/* identification */
		put16(b + 6, 0);
		b[8] = 63;		/* TTL */
		b[9] = 253;		/* experimental: no decoder */
		assert_int_equal(decode_ip(b, ihl * 4, &p), DECODE_OK);
		assert_int_equal(p.ipver, 4);
		assert_int_equal(p.l4, 253);
		assert_int_equal(p.ip_id, 0x1234);
		assert_int_equal(p.ttl, 63);
		assert_int_equal(p.payload_len, 0);
		assert_int_equal(p.payload_wire_len, 0);
		assert_false(p.fragment);
		assert_int_equal(decode_ip(b, ihl * 4 - 1, &p), DECODE_MALFORMED);
		/* a total length shorter than the header */
		put16(b + 2, ihl * 4 - 1);
		assert_int_equal(decode_ip(b, ihl * 4 + 8, &p), DECODE_MALFORMED);
	}
	ip6(b, 59, UDP, 0);
	put16(b + 4, 0);
	assert_int_equal(decode_ip(b, 40, &p), DECODE_OK);
	assert_int_equal(p.ipver, 6);
	assert_int_equal(p.l4, 59);
	assert_int_equal(p.ttl, 64);
	assert_int_equal(decode_ip(b, 39, &p), DECODE_MALFORMED);
	assert_int_equal(p.ipver, 0);
}

/*
 * IPv4 fragments: any offset, or MF, makes one (DF does not); the
 * fragment's data start after the header (options included), its wire
 * length is what the total length leaves, its id the IP identification.
 */
static void
test_ip4_fragment_fields(void **state)
{
	static const unsigned words[] = { 0x0001, 0x2000, 0x2001, 0x1fff,
	    0x4001, 0x4000, 0x0000 };
	uint8_t b[64];
	struct pkt p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		memset(b, 0, sizeof b);
		b[0] = 0x46;		/* IHL 6: 4 option bytes */
		put16(b + 2, 24 + 12);
		put16(b + 4, 0xbeef);
		put16(b + 6, words[i]);
		b[8] = 64;
		b[9] = 253;
		memcpy(b + 24, "fragmentdata", 12);
		assert_int_equal(decode_ip(b, 24 + 10, &p), DECODE_OK);
		assert_int_equal(p.fragment, (words[i] & 0x3fff) != 0);
		if (!p.fragment) {
			assert_int_equal(p.frag_len, 0);
			continue;
		}
		assert_int_equal(p.frag_offset, (words[i] & 0x1fff) * 8);
		assert_int_equal(p.frag_more, (words[i] & 0x2000) != 0);
		assert_int_equal(p.frag_id, 0xbeef);
		assert_int_equal(p.frag_len, 10);
		assert_int_equal(p.frag_wire_len, 12);
		assert_memory_equal(p.frag_data, "fragmentda", 10);
	}
}

static void
assert_addr(const struct gw_addr *a, const char *want)
{
	char buf[64];

	assert_string_equal(addr_fmt(a, buf, sizeof buf), want);
}

/*
 * An ICMP error's quote names the connection by its own addresses, which
 * need not be the outer packet's (a NAT rewrote the outer destination;
 * the router is not the quoted destination), also behind IP options on
 * both headers.
 */
static void
test_icmp_quote_addresses(void **state)
{
	static const uint8_t router[4] = { 203, 0, 113, 1 };
	static const uint8_t natted[4] = { 198, 51, 100, 7 };
	static const uint8_t qsrc[4] = { 10, 0, 0, 1 };
	static const uint8_t qdst[4] = { 192, 0, 2, 80 };
	uint8_t b[128], *q;
	struct pkt p;
	unsigned outer_ihl, inner_ihl;
	size_t n;

	(void)state;
	for (outer_ihl = 5; outer_ihl <= 6; outer_ihl++) {
		for (inner_ihl = 5; inner_ihl <= 7; inner_ihl++) {
			memset(b, 1, sizeof b);
			n = outer_ihl * 4;
			b[0] = (uint8_t)(0x40 | outer_ihl);
			put16(b + 6, 0);
			b[8] = 250;
			b[9] = 1;
			memcpy(b + 12, router, 4);
			memcpy(b + 16, natted, 4);
			b[n] = 3;	/* port unreachable */
			b[n + 1] = 3;
			memset(b + n + 2, 0, 6);
			q = b + n + 8;
			q[0] = (uint8_t)(0x40 | inner_ihl);
			put16(q + 2, 60);
			put16(q + 6, 0);
			q[9] = 6;
			memcpy(q + 12, qsrc, 4);
			memcpy(q + 16, qdst, 4);
			put16(q + inner_ihl * 4, 40001);
			put16(q + inner_ihl * 4 + 2, 443);
			memcpy(q + inner_ihl * 4 + 4, "\0\0\1\2", 4);
			n += 8 + inner_ihl * 4 + 8;
			put16(b + 2, (unsigned)n);
			assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
			assert_addr(&p.src, "203.0.113.1");
			assert_addr(&p.dst, "198.51.100.7");
			assert_int_equal(p.icmp_type, 3);
			assert_true(p.quote.valid);
			assert_addr(&p.quote.src, "10.0.0.1");
			assert_addr(&p.quote.dst, "192.0.2.80");
			assert_int_equal(p.quote.l4, L4_TCP);
			assert_int_equal(p.quote.sport, 40001);
			assert_int_equal(p.quote.dport, 443);
			assert_int_equal(p.quote.seq, 0x102);
		}
	}
}

/*
 * ICMPv6: the quote's addresses are its own; a quote of the bare IPv6
 * header names the connection's addresses, ports need 4 more bytes and
 * the TCP sequence number 8.
 */
static void
test_icmp6_quote_lengths(void **state)
{
	uint8_t b[160], *q;
	struct pkt p;
	size_t cut, n;

	(void)state;
	for (cut = 0; cut <= 8; cut += 4) {
		memset(b, 0, sizeof b);
		b[0] = 0x60;
		b[6] = 58;
		b[7] = 255;
		b[8] = 0x20; b[9] = 0x01; b[23] = 0xff;	/* router */
		b[24] = 0x20; b[25] = 0x01; b[39] = 0x99;
		b[40] = 1;		/* destination unreachable */
		b[41] = 4;		/* port unreachable */
		q = b + 48;
		q[0] = 0x60;
		q[6] = 6;
		q[7] = 64;
		q[8] = 0x20; q[9] = 0x01; q[23] = 0x01;
		q[24] = 0x20; q[25] = 0x01; q[39] = 0x02;
		put16(q + 40, 40001);
		put16(q + 42, 443);
		q[47] = 5;
		n = 48 + 40 + cut;
		put16(b + 4, (unsigned)(n - 40));
		assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
		assert_addr(&p.src, "2001::ff");
		assert_true(p.quote.valid);
		assert_addr(&p.quote.src, "2001::1");
		assert_addr(&p.quote.dst, "2001::2");
		assert_int_equal(p.quote.l4, L4_TCP);
		assert_int_equal(p.quote.sport, cut >= 4 ? 40001 : 0);
		assert_int_equal(p.quote.dport, cut >= 4 ? 443 : 0);
		assert_int_equal(p.quote.seq, cut >= 8 ? 5 : 0);
		/* one byte short of the IPv6 header: no quote at all */
		if (cut == 0) {
			put16(b + 4, (unsigned)(n - 41));
			assert_int_equal(decode_ip(b, (uint32_t)n - 1, &p),
			    DECODE_OK);
			assert_false(p.quote.valid);
			assert_int_equal(p.quote.l4, 0);
		}
	}
}

/* An ICMPv6 destination unreachable quoting q (n bytes). */
static size_t
icmp6_error(uint8_t *b, const uint8_t *q, size_t n)
{
	uint8_t body[128];

	assert_true(8 + n <= sizeof body);
	memset(body, 0, 8);
	body[0] = 1;
	body[1] = 4;
	memcpy(body + 8, q, n);
	return ip6(b, 58, body, 8 + n);
}

/*
 * Quoted IPv6 extension chains: a first fragment (offset 0, M set) still
 * has its ports quoted; a chain cut short names the header it was cut in.
 */
static void
test_icmp6_quote_chains(void **state)
{
	uint8_t q[96], rest[48], b[192];
	struct pkt p;
	size_t n;

	(void)state;
	memset(rest, 0, sizeof rest);
	rest[0] = 17;
	rest[3] = 1;			/* offset 0, more fragments */
	rest[7] = 3;
	memcpy(rest + 8, UDP, sizeof UDP);
	n = ip6(q, 44, rest, 8 + sizeof UDP);
	n = icmp6_error(b, q, n);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_true(p.quote.valid);
	assert_int_equal(p.quote.l4, L4_UDP);
	assert_int_equal(p.quote.sport, 1234);
	assert_int_equal(p.quote.dport, 53);
	/* destination options cut after 4 of its 8 bytes */
	memset(rest, 0, sizeof rest);
	rest[0] = 17;
	ip6(q, 60, rest, 8 + sizeof UDP);
	n = icmp6_error(b, q, 44);
	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_true(p.quote.valid);
	assert_int_equal(p.quote.l4, 60);
	assert_int_equal(p.quote.sport, 0);
	assert_addr(&p.quote.dst, "::2");
}

/*
 * A short ICMP message: its type and code are known from 2 bytes on (so
 * it can still be counted), but there is no payload before the 8-byte
 * header is whole.
 */
static void
test_icmp_short(void **state)
{
	uint8_t b[64];
	struct pkt p;
	size_t len;

	(void)state;
	for (len = 0; len <= 8; len++) {
		memset(b, 0, sizeof b);
		b[0] = 0x45;
		put16(b + 2, (unsigned)(20 + len));
		b[8] = 64;
		b[9] = 1;
		b[20] = 11;		/* time exceeded */
		b[21] = 1;
		assert_int_equal(decode_ip(b, (uint32_t)(20 + len), &p),
		    len < 8 ? DECODE_MALFORMED : DECODE_OK);
		assert_int_equal(p.icmp_type, len >= 2 ? 11 : 0);
		assert_int_equal(p.icmp_code, len >= 2 ? 1 : 0);
		assert_int_equal(p.payload_len, 0);
		assert_int_equal(p.payload_wire_len, 0);
		assert_false(p.quote.valid);
	}
	/* an echo request: the payload is what follows the 8 header bytes */
	memcpy(b + 20, "\x08\0\0\0\0\1\0\2ping", 12);
	put16(b + 2, 32 + 3);
	assert_int_equal(decode_ip(b, 32, &p), DECODE_OK);
	assert_int_equal(p.icmp_type, 8);
	assert_int_equal(p.payload_len, 4);
	assert_int_equal(p.payload_wire_len, 7);
	assert_memory_equal(p.payload, "ping", 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_only_frames),
		cmocka_unit_test(test_null_family),
		cmocka_unit_test(test_snapped_frames),
		cmocka_unit_test(test_raw_versions),
		cmocka_unit_test(test_udp_lengths),
		cmocka_unit_test(test_tcp_offsets),
		cmocka_unit_test(test_ip_header_only),
		cmocka_unit_test(test_ip4_fragment_fields),
		cmocka_unit_test(test_ip6_ext_chain),
		cmocka_unit_test(test_ip6_fragment_chain),
		cmocka_unit_test(test_icmp_quote_addresses),
		cmocka_unit_test(test_icmp6_quote_lengths),
		cmocka_unit_test(test_icmp6_quote_chains),
		cmocka_unit_test(test_icmp_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
