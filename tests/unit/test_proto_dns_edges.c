/*
 * test_proto_dns_edges.c: DNS messages at their edges: the negative-caching
 * time from the authority section (RFC 2308), questions after the first,
 * record fields, record and rdata lengths that end exactly at the message
 * end, and compression pointers that go forward or loop.
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
#include "unit_wbuf.h"

static void
whdr(struct wbuf *w, unsigned qd, unsigned an, unsigned ns)
{
	w->n = 0;
	w16(w, 0x4242);
	w16(w, 0x8183);
	w16(w, qd);
	w16(w, an);
	w16(w, ns);
	w16(w, 0);
}

/* "example.com" IN A at offset 12. */
static void
wquestion(struct wbuf *w)
{
	wbytes(w, "\7example\3com\0", 13);
	w16(w, 1);
	w16(w, 1);
}

/* An SOA for example.com (pointer to 12) with the given TTL and MINIMUM. */
static void
wsoa(struct wbuf *w, uint32_t ttl, uint32_t minimum, unsigned extra)
{
	unsigned i;

	w16(w, 0xc00c);
	w16(w, 6);
	w16(w, 1);
	w32(w, ttl);
	w16(w, 2 + 2 + 20 + extra);
	w16(w, 0xc00c);			/* MNAME */
	w16(w, 0xc00c);			/* RNAME */
	for (i = 0; i < extra; i++)
		w8(w, 0);
	w32(w, 2026113001);		/* serial */
	w32(w, 7200);
	w32(w, 900);
	w32(w, 1209600);
	w32(w, minimum);
}

static struct dns_msg *
parse(const struct wbuf *w, int want)
{
	static struct dns_msg m;
	struct unit_guard g;
	const uint8_t *d = unit_guard_copy(&g, w->b, w->n);

	memset(&m, 0x5a, sizeof m);
	assert_int_equal(dns_parse(d, w->n, &m), want);
	unit_guard_free(&g);
	return &m;
}

/*
 * RFC 2308 5: a negative answer may be cached for the smaller of the SOA
 * record's TTL and its MINIMUM field; the first SOA counts, records of
 * other types and SOAs too short for a MINIMUM do not.
 */
static void
test_negative_ttl(void **state)
{
	struct wbuf w;
	struct dns_msg *m;

	(void)state;
	whdr(&w, 1, 0, 1);
	wquestion(&w);
	wsoa(&w, 3600, 300, 0);
	m = parse(&w, 0);
	assert_int_equal(m->rcode, 3);
	assert_int_equal(m->neg_ttl, 300);
	whdr(&w, 1, 0, 1);
	wquestion(&w);
	wsoa(&w, 60, 300, 0);
	assert_int_equal(parse(&w, 0)->neg_ttl, 60);
	whdr(&w, 1, 0, 1);
	wquestion(&w);
	wsoa(&w, 61, 61, 3);		/* longer names: MINIMUM is the last 4 */
	assert_int_equal(parse(&w, 0)->neg_ttl, 61);
	/* an NS record first, then the SOA; then a second SOA */
	whdr(&w, 1, 0, 3);
	wquestion(&w);
	w16(&w, 0xc00c); w16(&w, 2); w16(&w, 1); w32(&w, 5); w16(&w, 2);
	w16(&w, 0xc00c);
	wsoa(&w, 500, 400, 0);
	wsoa(&w, 10, 10, 0);
	assert_int_equal(parse(&w, 0)->neg_ttl, 400);
	/* an SOA whose rdata is one byte short of the 22 a MINIMUM needs */
	whdr(&w, 1, 0, 1);
	wquestion(&w);
	w16(&w, 0xc00c); w16(&w, 6); w16(&w, 1); w32(&w, 50); w16(&w, 21);
	w8(&w, 0);
	w32(&w, 1); w32(&w, 2); w32(&w, 3); w32(&w, 4); w32(&w, 40);
	assert_int_equal(parse(&w, 0)->neg_ttl, 0);
	/* exactly 22 bytes: root MNAME and RNAME */
	whdr(&w, 1, 0, 1);
	wquestion(&w);
	w16(&w, 0xc00c); w16(&w, 6); w16(&w, 1); w32(&w, 50); w16(&w, 22);
	w8(&w, 0); w8(&w, 0);
	w32(&w, 1); w32(&w, 2); w32(&w, 3); w32(&w, 4); w32(&w, 40);
	assert_int_equal(parse(&w, 0)->neg_ttl, 40);
	/* the authority record cut one byte short: nothing read from it */
	w.n--;
	assert_int_equal(parse(&w, 0)->neg_ttl, 0);
	/* its fixed fields cut: the same */
	w.n -= 22 + 1;
	assert_int_equal(parse(&w, 0)->neg_ttl, 0);
	/* no SOA in the authority section: 0 */
	whdr(&w, 1, 0, 0);
	wquestion(&w);
	wsoa(&w, 60, 60, 0);
	assert_int_equal(parse(&w, 0)->neg_ttl, 0);
}

/*
 * The first question is the one kept; a later malformed question leaves
 * it in place, a malformed first one fails the message.
 */
static void
test_questions(void **state)
{
	struct wbuf w;
	struct dns_msg *m;

	(void)state;
	whdr(&w, 2, 0, 0);
	wquestion(&w);
	wbytes(&w, "\3www\xc0\x0c", 6);
	w16(&w, 28);
	w16(&w, 3);
	m = parse(&w, 0);
	assert_string_equal(m->qname, "example.com");
	assert_int_equal(m->qtype, 1);
	assert_int_equal(m->qclass, 1);
	assert_int_equal(m->qdcount, 2);
	/* the second question lacks its class: the first is still there */
	w.n -= 2;
	m = parse(&w, 0);
	assert_string_equal(m->qname, "example.com");
	assert_int_equal(m->qtype, 1);
	/* the first question's type and class end the message exactly */
	whdr(&w, 1, 0, 0);
	wquestion(&w);
	m = parse(&w, 0);
	assert_int_equal(m->qtype, 1);
	w.n--;
	m = parse(&w, -1);
	assert_string_equal(m->qname, "");
	/* a question count of 0: no name */
	whdr(&w, 0, 0, 0);
	m = parse(&w, 0);
	assert_string_equal(m->qname, "");
	assert_int_equal(m->nanswers, 0);
	assert_int_equal(m->neg_ttl, 0);
	/* 11 bytes are no header */
	w.n = 11;
	parse(&w, -1);
}

/* Record fields, and an rdata that ends exactly at the message end. */
static void
test_record_fields(void **state)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xab,
	    [15] = 0xcd };
	struct wbuf w;
	struct dns_msg *m;
	char buf[64];

	(void)state;
	whdr(&w, 1, 2, 0);
	wquestion(&w);
	w16(&w, 0xc00c); w16(&w, 1); w16(&w, 0x00fe); w32(&w, 0x01020304);
	w16(&w, 4); w32(&w, 0xc0000207);
	w16(&w, 0xc00c); w16(&w, 28); w16(&w, 3); w32(&w, 0x7fffffff);
	w16(&w, 16); wbytes(&w, v6, 16);
	m = parse(&w, 0);
	assert_int_equal(m->nanswers, 2);
	assert_int_equal(m->answers[0].type, DNS_T_A);
	assert_int_equal(m->answers[0].rclass, 0xfe);
	assert_int_equal(m->answers[0].ttl, 0x01020304);
	assert_string_equal(addr_fmt(&m->answers[0].addr, buf, sizeof buf),
	    "192.0.2.7");
	assert_string_equal(m->answers[0].target, "");
	assert_int_equal(m->answers[1].rclass, 3);
	assert_int_equal(m->answers[1].ttl, 0x7fffffff);
	assert_string_equal(addr_fmt(&m->answers[1].addr, buf, sizeof buf),
	    "2001:db8::abcd");
	assert_string_equal(m->answers[1].name, "example.com");
	/* the last rdata byte missing: the first record stays */
	w.n--;
	m = parse(&w, 0);
	assert_int_equal(m->nanswers, 1);
	/* a record header one byte short of its 10 fixed bytes */
	w.n -= 16 + 1;
	m = parse(&w, 0);
	assert_int_equal(m->nanswers, 1);
	/* an AAAA of 15 bytes is malformed */
	whdr(&w, 0, 1, 0);
	w8(&w, 0); w16(&w, 28); w16(&w, 1); w32(&w, 1); w16(&w, 15);
	wbytes(&w, v6, 15);
	assert_int_equal(parse(&w, 0)->nanswers, 0);
	/* a CNAME whose target ends one byte before its rdata does */
	whdr(&w, 0, 1, 0);
	w8(&w, 0); w16(&w, 5); w16(&w, 1); w32(&w, 1); w16(&w, 4);
	wbytes(&w, "\1a\0\0", 4);
	assert_int_equal(parse(&w, 0)->nanswers, 0);
	/* ... and exactly at its end, which is the message end */
	whdr(&w, 0, 1, 0);
	w8(&w, 0); w16(&w, 5); w16(&w, 1); w32(&w, 1); w16(&w, 3);
	wbytes(&w, "\1a\0", 3);
	m = parse(&w, 0);
	assert_int_equal(m->nanswers, 1);
	assert_string_equal(m->answers[0].target, "a");
	assert_string_equal(m->answers[0].name, ".");
}

static int
name_at(const uint8_t *b, size_t len, size_t off, char *out, size_t *end)
{
	struct unit_guard g;
	const uint8_t *d = unit_guard_copy(&g, b, len);
	int r;

	r = dns_read_name(d, len, &off, out, DNS_NAME_MAX);
	unit_guard_free(&g);
	if (end != NULL)
		*end = off;
	return r;
}

/*
 * Compression pointers may point forward as well as back; the name ends
 * just past the first pointer; a pointer to itself or into a cycle fails;
 * the 0x40 and 0x80 label types are not pointers.
 */
static void
test_compression(void **state)
{
	/* 0: "a" -> 6; 4: "b."; 6..: "c" root; 9: ptr to 4 */
	static const uint8_t b[] = { 1, 'a', 0xc0, 6, 1, 'b', 1, 'c', 0,
	    0xc0, 4, 0x40, 0, 0x80, 0, 0xc0, 0x0f };
	char out[DNS_NAME_MAX];
	size_t end;

	(void)state;
	assert_int_equal(name_at(b, sizeof b, 0, out, &end), 0);
	assert_string_equal(out, "a.c");
	assert_int_equal(end, 4);
	assert_int_equal(name_at(b, sizeof b, 9, out, &end), 0);
	assert_string_equal(out, "b.c");
	assert_int_equal(end, 11);
	assert_int_equal(name_at(b, sizeof b, 6, out, &end), 0);
	assert_int_equal(end, 9);
	assert_int_equal(name_at(b, sizeof b, 8, out, &end), 0);
	assert_string_equal(out, ".");
	assert_int_equal(end, 9);
	assert_int_equal(name_at(b, sizeof b, 11, out, NULL), -1);
	assert_int_equal(name_at(b, sizeof b, 13, out, NULL), -1);
	assert_int_equal(name_at(b, sizeof b, 15, out, &end), -1);
	assert_int_equal(end, 15);
	/* the name's root is the message's last byte: whole */
	assert_int_equal(name_at(b, 9, 0, out, &end), 0);
	assert_int_equal(end, 4);
	/* the root cut off */
	assert_int_equal(name_at(b, 8, 0, out, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negative_ttl),
		cmocka_unit_test(test_questions),
		cmocka_unit_test(test_record_fields),
		cmocka_unit_test(test_compression),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
