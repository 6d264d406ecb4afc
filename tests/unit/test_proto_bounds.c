/*
 * test_proto_bounds.c: every decoder of src/proto, fed every prefix of
 * well-formed input placed right before an inaccessible page (unit_guard.h),
 * must never read past the length it is given ("every length checked"), and
 * what it reports must lie within those bytes. The plain build has no ASan:
 * without the guard page an overread there goes unnoticed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "unit_guard.h"
#include "proto/dns.h"
#include "proto/http.h"
#include "proto/packet.h"

struct buf {
	uint8_t b[512];
	size_t n;
};

static void
put(struct buf *w, const void *p, size_t n)
{
	assert_true(w->n + n <= sizeof w->b);
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void
put8(struct buf *w, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(w, &b, 1);
}

static void
put16(struct buf *w, unsigned v)
{
	put8(w, v >> 8);
	put8(w, v & 0xff);
}

static void
put32(struct buf *w, uint32_t v)
{
	put16(w, v >> 16);
	put16(w, v & 0xffff);
}

static void
set16(struct buf *w, size_t at, unsigned v)
{
	w->b[at] = (uint8_t)(v >> 8);
	w->b[at + 1] = (uint8_t)v;
}

/* TCP header with 'opt' option bytes (a multiple of 4) and a payload. */
static void
tcp_seg(struct buf *w, unsigned optlen, const char *payload)
{
	unsigned i;

	put16(w, 40000);
	put16(w, 80);
	put32(w, 1000);
	put32(w, 2000);
	put8(w, (5 + optlen / 4) << 4);
	put8(w, 0x18);
	put16(w, 1024);
	put32(w, 0);
	for (i = 0; i < optlen; i++)
		put8(w, i + 1 == optlen ? 0 : 1);	/* NOPs, then EOL */
	put(w, payload, strlen(payload));
}

static void
udp_dgram(struct buf *w, const char *payload)
{
	put16(w, 5353);
	put16(w, 53);
	put16(w, 8 + (unsigned)strlen(payload));
	put16(w, 0);
	put(w, payload, strlen(payload));
}

/* IPv4 header with IHL words, then l4; fixes the total length. */
static void
ip4_hdr(struct buf *w, unsigned ihl, unsigned proto, const struct buf *l4)
{
	size_t start = w->n;
	unsigned i;

	put8(w, 0x40 | ihl);
	put8(w, 0);
	put16(w, 0);
	put16(w, 0x1234);
	put16(w, 0x4000);
	put8(w, 64);
	put8(w, proto);
	put16(w, 0);
	put32(w, 0x0a000001);
	put32(w, 0xc0000250);
	for (i = 20; i < ihl * 4; i++)
		put8(w, 1);			/* NOP options */
	put(w, l4->b, l4->n);
	set16(w, start + 2, (unsigned)(w->n - start));
}

/* IPv6 header; rest is the extension chain and the L4 bytes. */
static void
ip6_hdr(struct buf *w, unsigned nh, const struct buf *rest)
{
	unsigned i;

	put32(w, 0x60000000);
	put16(w, (unsigned)rest->n);
	put8(w, nh);
	put8(w, 64);
	for (i = 0; i < 32; i++)
		put8(w, i % 16 == 15 ? 1 + i / 16 : i % 16 == 0 ? 0x20 : 0);
	put(w, rest->b, rest->n);
}

/* Every prefix of f through decode_frame, in guarded memory. */
static void
frame_prefixes(int lt, const struct buf *f)
{
	struct unit_guard g;
	struct pkt p;
	enum decode_result r = DECODE_MALFORMED;
	const uint8_t *d;
	size_t n;

	for (n = 0; n <= f->n; n++) {
		d = unit_guard_copy(&g, f->b, n);
		r = decode_frame(lt, d, (uint32_t)n, &p);
		assert_true(r == DECODE_OK || r == DECODE_MALFORMED);
		if (p.payload_len > 0)
			assert_true(p.payload >= d && p.payload + p.payload_len <= d + n);
		if (p.frag_len > 0)
			assert_true(p.frag_data >= d && p.frag_data + p.frag_len <= d + n);
		unit_guard_free(&g);
	}
	assert_int_equal(r, DECODE_OK);
	assert_int_not_equal(p.ipver, 0);
}

/* The IP packets every link type carries here. */
static size_t
ip_packets(struct buf *out, size_t max)
{
	struct buf l4, ext, q;
	size_t k = 0;

	assert_true(max >= 7);
	/* IPv4, IHL 7 (8 option bytes), TCP with 12 option bytes + data */
	memset(&l4, 0, sizeof l4);
	tcp_seg(&l4, 12, "GET / HTTP/1.1\r\n");
	memset(&out[k], 0, sizeof out[k]);
	ip4_hdr(&out[k++], 7, 6, &l4);
	/* IPv4 UDP */
	memset(&l4, 0, sizeof l4);
	udp_dgram(&l4, "dns?");
	memset(&out[k], 0, sizeof out[k]);
	ip4_hdr(&out[k++], 5, 17, &l4);
	/* IPv4 ICMP port unreachable quoting IPv4 (IHL 6) + TCP */
	memset(&l4, 0, sizeof l4);
	tcp_seg(&l4, 0, "");
	memset(&q, 0, sizeof q);
	ip4_hdr(&q, 6, 6, &l4);
	q.n = 24 + 8;			/* header and 8 L4 bytes, as routers do */
	memset(&l4, 0, sizeof l4);
	put32(&l4, 0x03030000);
	put32(&l4, 0);
	put(&l4, q.b, q.n);
	memset(&out[k], 0, sizeof out[k]);
	ip4_hdr(&out[k++], 5, 1, &l4);
	/* IPv6 hop-by-hop (8) + destination options (16) + AH (12) + TCP */
	memset(&ext, 0, sizeof ext);
	put8(&ext, 60); put8(&ext, 0); put16(&ext, 0x0104); put32(&ext, 0);
	put8(&ext, 51); put8(&ext, 1); put16(&ext, 0x0106);
	put32(&ext, 0); put32(&ext, 0); put32(&ext, 0);
	put8(&ext, 6); put8(&ext, 1); put16(&ext, 0);
	put32(&ext, 7); put32(&ext, 9);
	tcp_seg(&ext, 4, "data");
	memset(&out[k], 0, sizeof out[k]);
	ip6_hdr(&out[k++], 0, &ext);
	/* IPv6 first fragment (routing header before it) of a UDP datagram */
	memset(&ext, 0, sizeof ext);
	put8(&ext, 44); put8(&ext, 0); put8(&ext, 0); put8(&ext, 0);
	put32(&ext, 0);
	put8(&ext, 17); put8(&ext, 0); put16(&ext, 0x0001); put32(&ext, 77);
	udp_dgram(&ext, "first");
	set16(&ext, 16 + 4, 8 + 40);	/* the whole datagram is longer */
	memset(&out[k], 0, sizeof out[k]);
	ip6_hdr(&out[k++], 43, &ext);
	/* ICMPv6 port unreachable quoting IPv6 + dstopts + UDP */
	memset(&ext, 0, sizeof ext);
	put8(&ext, 17); put8(&ext, 0); put16(&ext, 0x0104); put32(&ext, 0);
	udp_dgram(&ext, "q");
	memset(&q, 0, sizeof q);
	ip6_hdr(&q, 60, &ext);
	memset(&l4, 0, sizeof l4);
	put32(&l4, 0x01040000);
	put32(&l4, 0);
	put(&l4, q.b, q.n);
	memset(&out[k], 0, sizeof out[k]);
	ip6_hdr(&out[k++], 58, &l4);
	/* IPv4 non-first fragment */
	memset(&l4, 0, sizeof l4);
	put(&l4, "fragment", 8);
	memset(&out[k], 0, sizeof out[k]);
	ip4_hdr(&out[k], 5, 17, &l4);
	set16(&out[k++], 6, 0x2001);
	return k;
}

static void
test_every_link_prefix(void **state)
{
	struct buf pk[7], f;
	size_t k, n, i;
	unsigned ver;

	(void)state;
	n = ip_packets(pk, 7);
	for (k = 0; k < n; k++) {
		ver = pk[k].b[0] >> 4;
		/* Ethernet, then 802.1Q, then QinQ (802.1ad outer) */
		for (i = 0; i < 3; i++) {
			memset(&f, 0, sizeof f);
			put32(&f, 0x02000000); put16(&f, 1);
			put32(&f, 0x02000000); put16(&f, 2);
			if (i == 2) {
				put16(&f, 0x88a8);
				put16(&f, 100);
			}
			if (i >= 1) {
				put16(&f, 0x8100);
				put16(&f, 200);
			}
			put16(&f, ver == 4 ? 0x0800 : 0x86dd);
			put(&f, pk[k].b, pk[k].n);
			frame_prefixes(1, &f);
		}
		/* Linux cooked v1, with and without a VLAN tag */
		for (i = 0; i < 2; i++) {
			memset(&f, 0, sizeof f);
			put16(&f, 0); put16(&f, 1); put16(&f, 6);
			put32(&f, 0x02000000); put32(&f, 0x00010000);
			if (i == 1) {
				put16(&f, 0x8100);
				put16(&f, 7);
			}
			put16(&f, ver == 4 ? 0x0800 : 0x86dd);
			put(&f, pk[k].b, pk[k].n);
			frame_prefixes(113, &f);
		}
		/* Linux cooked v2 */
		memset(&f, 0, sizeof f);
		put16(&f, ver == 4 ? 0x0800 : 0x86dd);
		put16(&f, 0); put32(&f, 2); put16(&f, 1); put8(&f, 0);
		put8(&f, 6); put32(&f, 0x02000000); put32(&f, 0x00010000);
		put(&f, pk[k].b, pk[k].n);
		frame_prefixes(276, &f);
		/* BSD NULL in either byte order, OpenBSD LOOP */
		memset(&f, 0, sizeof f);
		put32(&f, ver == 4 ? 0x02000000 : 0x1e000000);
		put(&f, pk[k].b, pk[k].n);
		frame_prefixes(0, &f);
		memset(&f, 0, sizeof f);
		put32(&f, ver == 4 ? 2 : 24);
		put(&f, pk[k].b, pk[k].n);
		frame_prefixes(0, &f);
		frame_prefixes(108, &f);
		/* raw IP, and the version-specific types */
		frame_prefixes(101, &pk[k]);
		frame_prefixes(12, &pk[k]);
		frame_prefixes(14, &pk[k]);
		frame_prefixes(ver == 4 ? 228 : 229, &pk[k]);
	}
}

/* A response with compression everywhere, a CNAME, A, AAAA and an SOA. */
static void
dns_message(struct buf *w)
{
	memset(w, 0, sizeof *w);
	put16(w, 0x1234); put16(w, 0x8183); put16(w, 1); put16(w, 3);
	put16(w, 1); put16(w, 0);
	put(w, "\3www\7example\3com\0", 17);	/* at 12 */
	put16(w, 1); put16(w, 1);
	put16(w, 0xc00c); put16(w, 5); put16(w, 1); put32(w, 30);
	put16(w, 7);
	put(w, "\4edge\xc0\x10", 7);		/* edge.example.com, at 45 */
	put16(w, 0xc02d); put16(w, 1); put16(w, 1); put32(w, 60);
	put16(w, 4); put32(w, 0xc0000207);
	put16(w, 0xc02d); put16(w, 28); put16(w, 1); put32(w, 60);
	put16(w, 16); put32(w, 0x20010db8); put32(w, 0); put32(w, 0);
	put32(w, 7);
	put16(w, 0xc010); put16(w, 6); put16(w, 1); put32(w, 900);
	put16(w, 27);
	put(w, "\2ns\xc0\x10", 5);
	put16(w, 0xc010);
	put32(w, 1); put32(w, 2); put32(w, 3); put32(w, 4); put32(w, 120);
}

static void
test_dns_prefixes(void **state)
{
	struct dns_msg *m = malloc(sizeof *m);
	struct unit_guard g;
	struct buf w;
	const uint8_t *d;
	size_t n, off;
	char name[DNS_NAME_MAX];
	int r = -1;

	(void)state;
	assert_non_null(m);
	dns_message(&w);
	for (n = 0; n <= w.n; n++) {
		d = unit_guard_copy(&g, w.b, n);
		r = dns_parse(d, n, m);
		off = 12;
		if (dns_read_name(d, n, &off, name, sizeof name) == 0)
			assert_true(off <= n);
		off = 45;
		if (dns_read_name(d, n, &off, name, sizeof name) == 0)
			assert_true(off <= n);
		unit_guard_free(&g);
	}
	/* The whole message decodes to everything it holds. */
	assert_int_equal(r, 0);
	assert_string_equal(m->qname, "www.example.com");
	assert_int_equal(m->nanswers, 3);
	assert_string_equal(m->answers[0].target, "edge.example.com");
	assert_string_equal(m->answers[1].name, "edge.example.com");
	assert_int_equal(m->answers[2].type, DNS_T_AAAA);
	assert_int_equal(m->neg_ttl, 120);
	free(m);
}

/* A name whose last readable byte is a label length: nothing follows it. */
static void
test_dns_label_at_end(void **state)
{
	static const uint8_t names[][8] = {
		{ 3, 'a', 'b', 'c', 5 },
		{ 1 },
		{ 63 },
		{ 2, 'x', 'y', 0xc0 },
	};
	static const size_t lens[] = { 5, 1, 1, 4 };
	struct unit_guard g;
	const uint8_t *d;
	char out[DNS_NAME_MAX];
	size_t i, off;

	(void)state;
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		d = unit_guard_copy(&g, names[i], lens[i]);
		off = 0;
		assert_int_equal(dns_read_name(d, lens[i], &off, out, sizeof out),
		    -1);
		assert_int_equal(off, 0);	/* *off moves on success only */
		unit_guard_free(&g);
	}
}

static void
http_prefixes(bool req, const char *s)
{
	struct http_head *h = malloc(sizeof *h), *hm = malloc(sizeof *hm);
	struct unit_guard g;
	const uint8_t *d;
	size_t n, len = strlen(s);
	enum http_result r = HTTP_INCOMPLETE, rm = HTTP_INCOMPLETE;

	assert_non_null(h);
	assert_non_null(hm);
	for (n = 0; n <= len; n++) {
		d = unit_guard_copy(&g, s, n);
		r = req ? http_parse_request(d, n, h) :
		    http_parse_response(d, n, h);
		/* A parse that goes on from the previous prefix agrees. */
		rm = n == 0 ? r : rm == HTTP_INCOMPLETE ?
		    http_parse_more(d, n, hm) : rm;
		if (n == 0)
			*hm = *h;
		assert_int_equal(r, rm);
		if (r == HTTP_OK)
			assert_true(h->head_len <= n);
		assert_true(http_line_text_len(d, n) <= n);
		unit_guard_free(&g);
	}
	assert_int_equal(r, HTTP_OK);
	assert_int_equal(h->head_len, len);
	free(h);
	free(hm);
}

static void
test_http_prefixes(void **state)
{
	(void)state;
	http_prefixes(true, "\r\nGET http://a.example:8080/x?y HTTP/1.1\r\n"
	    "Host: a.example:8080\r\nContent-Length: 12, 12\r\n"
	    "Transfer-Encoding: gzip , chunked\r\n"
	    "Connection: keep-alive\r\nX-Long: 0123456789abcdef0123456789\r\n"
	    "\r\n");
	http_prefixes(true, "CONNECT a.example:443 HTTP/1.1\nHost: a\n\n");
	http_prefixes(true, "OPTIONS * HTTP/1.0\r\n\r\n");
	http_prefixes(false, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n");
	http_prefixes(false, "HTTP/1.0 200\r\n\r\n");
}

/*
 * Output buffers: every name, line and host is written within the outlen
 * it is given, NUL included, and cut only between whole labels, escapes or
 * bytes (dns.h, http.h). Each buffer ends right before the guard page.
 */
static void
test_output_bounds(void **state)
{
	static const uint8_t name[] = "\3abc\2\xff" "d\1e\0";
	char full[DNS_NAME_MAX];
	struct unit_guard g;
	char *out;
	size_t outlen, off, n;
	uint16_t port;

	(void)state;
	unit_guard_init(&g, 4096);
	off = 0;
	assert_int_equal(dns_read_name(name, sizeof name - 1, &off, full,
	    sizeof full), 0);
	assert_string_equal(full, "abc.\\255d.e");
	for (outlen = 0; outlen <= strlen(full) + 1; outlen++) {
		out = unit_guard_room(&g, outlen);
		memset(out, '#', outlen);
		off = 0;
		assert_int_equal(dns_read_name(name, sizeof name - 1, &off, out,
		    outlen), 0);
		assert_int_equal(off, sizeof name - 1);
		if (outlen == 0)
			continue;
		n = strlen(out);	/* the NUL is within outlen */
		assert_true(n < outlen);
		assert_memory_equal(out, full, n);
		/* whole pieces only: "abc", ".", "\255", "d", ".", "e" */
		assert_true(n == 0 || n == 1 || n == 2 || n == 3 || n == 4 ||
		    n == 8 || n == 9 || n == 10 || n == 11);
		if (outlen == strlen(full) + 1)
			assert_string_equal(out, full);
	}
	/* the root */
	out = unit_guard_room(&g, 2);
	off = 0;
	assert_int_equal(dns_read_name((const uint8_t *)"", 1, &off, out, 2), 0);
	assert_string_equal(out, ".");
	out = unit_guard_room(&g, 1);
	off = 0;
	assert_int_equal(dns_read_name((const uint8_t *)"", 1, &off, out, 1), 0);
	assert_string_equal(out, "");
	/* the first line of a head, its bytes right before the guard: no
	 * byte past those given is read */
	for (n = 0; n <= 26; n++) {
		out = unit_guard_room(&g, n);
		memcpy(out, "HTTP/1.1 502 Bad Gateway\r\n", n);
		assert_int_equal(http_line_text_len((const uint8_t *)out, n),
		    n < 24 ? n : 24);
	}
	/* a line without an end: all of it */
	for (n = 0; n <= 8; n++) {
		out = unit_guard_room(&g, n);
		memcpy(out, "abcdefgh", n);
		assert_int_equal(http_line_text_len((const uint8_t *)out, n),
		    n);
	}
	/* a host, as long as its buffer allows and no longer */
	for (outlen = 1; outlen <= 12; outlen++) {
		out = unit_guard_room(&g, outlen);
		if (http_split_authority("host.test:8", out, outlen, &port)) {
			assert_true(outlen > 9);
			assert_string_equal(out, "host.test");
			assert_int_equal(port, 8);
		} else {
			assert_true(outlen <= 9);
		}
		out = unit_guard_room(&g, outlen);
		if (http_url_host("http://[::1]/", out, outlen, &port)) {
			assert_true(outlen > 3);
			assert_string_equal(out, "::1");
			assert_int_equal(port, 80);
		} else {
			assert_true(outlen <= 3);
		}
	}
	unit_guard_free(&g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_link_prefix),
		cmocka_unit_test(test_dns_prefixes),
		cmocka_unit_test(test_dns_label_at_end),
		cmocka_unit_test(test_http_prefixes),
		cmocka_unit_test(test_output_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
