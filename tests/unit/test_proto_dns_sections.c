/*
 * test_proto_dns_sections.c: what dns.h promises about a response's
 * sections as a whole: a malformed answer record stops decoding there,
 * keeping the records read before it, and nothing after it is read (not
 * the next answer, not the authority section's SOA), whatever made the
 * record malformed; records of other types are stepped over; the
 * authority section is read only after a whole answer section, and a
 * malformed authority record ends it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit_guard.h"
#include "proto/dns.h"
#include "unit_wbuf.h"

/* A response with one question (a.test IN A at offset 12). */
static void
whead(struct wbuf *w, unsigned an, unsigned ns)
{
	w->n = 0;
	w16(w, 0x1234);
	w16(w, 0x8180);
	w16(w, 1);
	w16(w, an);
	w16(w, ns);
	w16(w, 0);
	wbytes(w, "\1a\4test\0", 8);
	w16(w, DNS_T_A);
	w16(w, 1);
}

/* A record for a.test (a pointer to the question's name). */
static void
wrr(struct wbuf *w, unsigned type, uint32_t ttl, const void *rd,
    unsigned rdlen)
{
	w16(w, 0xc00c);
	w16(w, type);
	w16(w, 1);
	w32(w, ttl);
	w16(w, rdlen);
	wbytes(w, rd, rdlen);
}

static void
wa(struct wbuf *w, uint8_t last)
{
	const uint8_t a[4] = { 192, 0, 2, last };

	wrr(w, DNS_T_A, 60, a, 4);
}

/* An SOA of 22 bytes of rdata (root MNAME and RNAME), MINIMUM 77. */
static void
wsoa77(struct wbuf *w)
{
	static const uint8_t soa[22] = { 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0,
	    3, 0, 0, 0, 4, 0, 0, 0, 77 };

	wrr(w, DNS_T_SOA, 300, soa, sizeof soa);
}

static struct dns_msg *
parse(const struct wbuf *w)
{
	static struct dns_msg m;
	struct unit_guard g;
	const uint8_t *d = unit_guard_copy(&g, w->b, w->n);

	memset(&m, 0x5a, sizeof m);
	assert_int_equal(dns_parse(d, w->n, &m), 0);
	unit_guard_free(&g);
	return &m;
}

/* A record that makes the answer section malformed. */
struct bad_rr {
	const char *what;
	unsigned type;		/* 0: an owner name with a 0x80 label */
	const char *rd;		/* NULL: a pointer to itself */
	unsigned rdlen;
};

static const struct bad_rr bad_rrs[] = {
	{ "A of 3 bytes", DNS_T_A, "\1\2\3", 3 },
	{ "A of 5 bytes", DNS_T_A, "\1\2\3\4\5", 5 },
	{ "AAAA of 15 bytes", DNS_T_AAAA, "0123456789abcde", 15 },
	{ "AAAA of 17 bytes", DNS_T_AAAA, "0123456789abcdefg", 17 },
	{ "CNAME ending before its rdata", DNS_T_CNAME, "\1b\0\0", 4 },
	/* the root label would be the next record's first byte (0xc0) */
	{ "CNAME past its rdata", DNS_T_CNAME, "\1b", 2 },
	{ "CNAME with a 0x40 label", DNS_T_CNAME, "\x41" "b\0", 3 },
	{ "CNAME pointing to itself", DNS_T_CNAME, NULL, 2 },
	{ "owner with a 0x80 label", 0, "\1\2\3\4", 4 },
};

static void
wbad(struct wbuf *w, const struct bad_rr *b)
{
	size_t at = w->n + 12;	/* where its rdata begins */
	uint8_t self[2] = { (uint8_t)(0xc0 | at >> 8), (uint8_t)at };

	if (b->type == 0) {
		wbytes(w, "\x81x\0", 3);
		w16(w, DNS_T_A);
		w16(w, 1);
		w32(w, 1);
		w16(w, b->rdlen);
		wbytes(w, b->rd, b->rdlen);
	} else {
		wrr(w, b->type, 1, b->rd != NULL ? (const void *)b->rd : self,
		    b->rdlen);
	}
}

/*
 * One bad record between two good A records, then an SOA: only the first
 * A is kept, and neither the A after the bad record nor the SOA is read.
 */
static void
test_malformed_answer_stops(void **state)
{
	struct wbuf w;
	struct dns_msg *m;
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof bad_rrs / sizeof bad_rrs[0]; i++) {
		whead(&w, 3, 1);
		wa(&w, 1);
		wbad(&w, &bad_rrs[i]);
		wa(&w, 3);
		wsoa77(&w);
		m = parse(&w);
		if (m->nanswers != 1 || m->neg_ttl != 0)
			fail_msg("%s: %u answers, neg_ttl %u (want 1, 0)",
			    bad_rrs[i].what, m->nanswers, m->neg_ttl);
		assert_string_equal(addr_fmt(&m->answers[0].addr, buf,
		    sizeof buf), "192.0.2.1");
		assert_int_equal(m->answers_dropped, 0);
	}
}

/*
 * The same good records with nothing bad between them: all three A
 * records and the SOA are read (so the test above fails for the reason
 * it says); records of other types (MX, TXT, an unknown type) between
 * them are stepped over, whatever their rdata holds.
 */
static void
test_whole_sections(void **state)
{
	struct wbuf w;
	struct dns_msg *m;
	char buf[64];

	(void)state;
	whead(&w, 6, 1);
	wa(&w, 1);
	wrr(&w, 15, 1, "\0\12\xc0", 3);		/* MX cut short: not read */
	wa(&w, 2);
	wrr(&w, 16, 1, "\5hello", 6);
	wrr(&w, 4242, 1, "", 0);
	wa(&w, 3);
	wsoa77(&w);
	m = parse(&w);
	assert_int_equal(m->nanswers, 3);
	assert_int_equal(m->neg_ttl, 77);
	for (unsigned i = 0; i < 3; i++) {
		char want[16];

		snprintf(want, sizeof want, "192.0.2.%u", i + 1);
		assert_int_equal(m->answers[i].type, DNS_T_A);
		assert_string_equal(addr_fmt(&m->answers[i].addr, buf,
		    sizeof buf), want);
		assert_string_equal(m->answers[i].name, "a.test");
	}
	/* a CNAME then an A: both, in order, the target written out */
	whead(&w, 2, 0);
	wrr(&w, DNS_T_CNAME, 9, "\1b\4test\0", 8);
	wa(&w, 9);
	m = parse(&w);
	assert_int_equal(m->nanswers, 2);
	assert_int_equal(m->answers[0].type, DNS_T_CNAME);
	assert_string_equal(m->answers[0].target, "b.test");
	assert_int_equal(m->answers[0].ttl, 9);
	assert_int_equal(m->answers[1].type, DNS_T_A);
	assert_string_equal(m->answers[1].target, "");
}

/*
 * More A/AAAA/CNAME records than DNS_MAX_ANSWERS: the first ones are
 * kept, the others counted, and the authority section after them is
 * still read. Records of other types are not counted as dropped.
 */
static void
test_answers_dropped(void **state)
{
	struct wbuf w;
	struct dns_msg *m;
	unsigned i, n = DNS_MAX_ANSWERS + 3;
	char buf[64], want[16];

	(void)state;
	whead(&w, n + 1, 1);
	for (i = 0; i < n; i++)
		wa(&w, (uint8_t)i);
	wrr(&w, 16, 1, "\1x", 2);
	wsoa77(&w);
	m = parse(&w);
	assert_int_equal(m->nanswers, DNS_MAX_ANSWERS);
	assert_int_equal(m->answers_dropped, 3);
	snprintf(want, sizeof want, "192.0.2.%u", DNS_MAX_ANSWERS - 1);
	assert_string_equal(addr_fmt(&m->answers[DNS_MAX_ANSWERS - 1].addr,
	    buf, sizeof buf), want);
	assert_int_equal(m->neg_ttl, 77);
	/* exactly DNS_MAX_ANSWERS: none dropped */
	whead(&w, DNS_MAX_ANSWERS, 0);
	for (i = 0; i < DNS_MAX_ANSWERS; i++)
		wa(&w, (uint8_t)i);
	m = parse(&w);
	assert_int_equal(m->nanswers, DNS_MAX_ANSWERS);
	assert_int_equal(m->answers_dropped, 0);
}

/*
 * The authority section: a malformed record ends it (an SOA after it is
 * not read); an SOA after records of other types is; the counts in the
 * header bound what is read (an SOA past nscount is not).
 */
static void
test_authority(void **state)
{
	struct wbuf w;

	(void)state;
	whead(&w, 0, 2);
	w8(&w, 0x40);			/* an owner of an obsolete type */
	w16(&w, 2); w16(&w, 1); w32(&w, 1); w16(&w, 0);
	wsoa77(&w);
	assert_int_equal(parse(&w)->neg_ttl, 0);
	whead(&w, 0, 2);
	wrr(&w, 2, 1, "\0", 1);		/* NS */
	wsoa77(&w);
	assert_int_equal(parse(&w)->neg_ttl, 77);
	whead(&w, 0, 1);
	wrr(&w, 2, 1, "\0", 1);
	wsoa77(&w);
	assert_int_equal(parse(&w)->neg_ttl, 0);
	/* an answer count past the records there: what was read is kept,
	 * the SOA is read as an answer (not A/AAAA/CNAME: stepped over) */
	whead(&w, 2, 0);
	wa(&w, 5);
	wsoa77(&w);
	assert_int_equal(parse(&w)->nanswers, 1);
	assert_int_equal(parse(&w)->neg_ttl, 0);
}

/*
 * The header's four counts are read from their own fields (RFC 1035
 * 4.1.1), the high byte first; a count larger than the records there
 * keeps what was read.
 */
static void
test_header_counts(void **state)
{
	static const uint8_t hdr[12] = { 0xab, 0xcd, 0x81, 0x80, 0, 0,
	    0x01, 0x02, 0x03, 0x04, 0x05, 0x06 };
	struct dns_msg m;

	(void)state;
	assert_int_equal(dns_parse(hdr, sizeof hdr, &m), 0);
	assert_int_equal(m.id, 0xabcd);
	assert_int_equal(m.qdcount, 0);
	assert_int_equal(m.ancount, 0x0102);
	assert_int_equal(m.nscount, 0x0304);
	assert_int_equal(m.arcount, 0x0506);
	assert_int_equal(m.nanswers, 0);
}

/*
 * A compression pointer holds a 14-bit offset (RFC 1035 4.1.4): names
 * past the first 256 bytes of a message are reached through the pointer's
 * first byte too. The question is preceded by nothing that moves it, so
 * the target lies in a TXT record's rdata, at 0x12c and at 0x3fe (the
 * message is that long).
 */
static void
far_pointer(size_t at)
{
	struct wbuf w;
	struct dns_msg *m;
	size_t pad;

	whead(&w, 2, 0);
	/* a TXT record whose rdata ends where the name must start */
	pad = at - (w.n + 12);
	w16(&w, 0xc00c); w16(&w, 16); w16(&w, 1); w32(&w, 1);
	w16(&w, pad + 10);
	for (size_t i = 0; i < pad; i++)
		w8(&w, i % 2 ? 'x' : 0);
	assert_int_equal(w.n, at);
	wbytes(&w, "\3far\4test\0", 10);
	/* a CNAME whose target is that name */
	w16(&w, 0xc00c); w16(&w, DNS_T_CNAME); w16(&w, 1); w32(&w, 1);
	w16(&w, 2);
	w8(&w, 0xc0 | (unsigned)(at >> 8));
	w8(&w, at & 0xff);
	m = parse(&w);
	assert_int_equal(m->nanswers, 1);
	assert_string_equal(m->answers[0].target, "far.test");
}

static void
test_far_pointers(void **state)
{
	(void)state;
	far_pointer(0x12c);
	far_pointer(0x1ff);
	far_pointer(0x3fe);
}

/*
 * Records past DNS_MAX_ANSWERS are counted, not decoded: one whose rdata
 * is empty, ending exactly at the message end, still counts.
 */
static void
test_dropped_at_end(void **state)
{
	struct wbuf w;
	struct dns_msg *m;

	(void)state;
	whead(&w, DNS_MAX_ANSWERS + 1, 0);
	for (unsigned i = 0; i < DNS_MAX_ANSWERS; i++)
		wa(&w, (uint8_t)i);
	wrr(&w, DNS_T_AAAA, 1, "", 0);
	m = parse(&w);
	assert_int_equal(m->nanswers, DNS_MAX_ANSWERS);
	assert_int_equal(m->answers_dropped, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_answer_stops),
		cmocka_unit_test(test_whole_sections),
		cmocka_unit_test(test_answers_dropped),
		cmocka_unit_test(test_authority),
		cmocka_unit_test(test_header_counts),
		cmocka_unit_test(test_far_pointers),
		cmocka_unit_test(test_dropped_at_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
