/* test_dns.c: DNS message and name decoding, including hostile names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dns.h"
#include "unit_wbuf.h"

/* Dotted name to labels; "" is the root. No terminator when ptr >= 0. */
static void
wname(struct wbuf *w, const char *name, int ptr)
{
	const char *dot;
	size_t n;

	while (*name != '\0') {
		dot = strchr(name, '.');
		n = dot != NULL ? (size_t)(dot - name) : strlen(name);
		w8(w, (unsigned)n);
		wbytes(w, name, n);
		name += n + (dot != NULL);
	}
	if (ptr >= 0)
		w16(w, 0xc000 | (unsigned)ptr);
	else
		w8(w, 0);
}

static void
whdr(struct wbuf *w, unsigned id, unsigned flags, unsigned qd, unsigned an)
{
	w->n = 0;
	w16(w, id);
	w16(w, flags);
	w16(w, qd);
	w16(w, an);
	w16(w, 0);
	w16(w, 0);
}

/* Record header: name already written; returns where rdlength goes. */
static void
wrr(struct wbuf *w, unsigned type, uint32_t ttl, unsigned rdlen)
{
	w16(w, type);
	w16(w, 1);
	w32(w, ttl);
	w16(w, rdlen);
}

/*
 * www.Example.COM A -> CNAME edge.cdn.net, edge.cdn.net A 192.0.2.7,
 * edge.cdn.net AAAA 2001:db8::7, with compression in names and rdata.
 */
static void
build_response(struct wbuf *w)
{
	size_t target;
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };

	whdr(w, 0xbeef, 0x8180, 1, 3);
	wname(w, "www.Example.COM", -1);
	w16(w, 1);
	w16(w, 1);
	wname(w, "", 12);
	wrr(w, 5, 300, 11);
	target = w->n;
	wname(w, "edge.cdn", 12 + 4 + 8);	/* edge.cdn + ".com" */
	wname(w, "", (int)target);
	wrr(w, 1, 60, 4);
	w8(w, 192); w8(w, 0); w8(w, 2); w8(w, 7);
	wname(w, "", (int)target);
	wrr(w, 28, 60, 16);
	memcpy(w->b + w->n, v6, 16);
	w->n += 16;
}

static void
test_response(void **state)
{
	struct wbuf w;
	struct dns_msg *m = malloc(sizeof *m);
	char buf[64];

	(void)state;
	assert_non_null(m);
	build_response(&w);
	assert_int_equal(dns_parse(w.b, w.n, m), 0);
	assert_int_equal(m->id, 0xbeef);
	assert_true(m->response);
	assert_false(m->truncated);
	assert_int_equal(m->rcode, 0);
	assert_int_equal(m->opcode, 0);
	assert_string_equal(m->qname, "www.example.com");
	assert_int_equal(m->qtype, DNS_T_A);
	assert_int_equal(m->qclass, 1);
	assert_int_equal(m->ancount, 3);
	assert_int_equal(m->nanswers, 3);
	assert_int_equal(m->answers_dropped, 0);
	assert_int_equal(m->answers[0].type, DNS_T_CNAME);
	assert_string_equal(m->answers[0].name, "www.example.com");
	assert_string_equal(m->answers[0].target, "edge.cdn.com");
	assert_int_equal(m->answers[0].ttl, 300);
	assert_int_equal(m->answers[1].type, DNS_T_A);
	assert_string_equal(m->answers[1].name, "edge.cdn.com");
	assert_string_equal(addr_fmt(&m->answers[1].addr, buf, sizeof buf),
	    "192.0.2.7");
	assert_int_equal(m->answers[2].type, DNS_T_AAAA);
	assert_string_equal(addr_fmt(&m->answers[2].addr, buf, sizeof buf),
	    "2001:db8::7");
	free(m);
}

static void
test_header_flags(void **state)
{
	struct wbuf w;
	struct dns_msg m;

	(void)state;
	/* NXDOMAIN, TC, opcode 2, no question. */
	whdr(&w, 1, 0x8000 | (2 << 11) | 0x0200 | 3, 0, 0);
	assert_int_equal(dns_parse(w.b, w.n, &m), 0);
	assert_int_equal(m.rcode, 3);
	assert_int_equal(m.opcode, 2);
	assert_true(m.truncated);
	assert_string_equal(m.qname, "");
	assert_string_equal(dns_rcode_name(m.rcode), "NXDOMAIN");
	/* A query is not a response. */
	whdr(&w, 1, 0x0100, 1, 0);
	wname(&w, "", -1);
	w16(&w, 2);
	w16(&w, 1);
	assert_int_equal(dns_parse(w.b, w.n, &m), 0);
	assert_false(m.response);
	assert_string_equal(m.qname, ".");
	assert_int_equal(m.qtype, 2);
	/* Short header, truncated question. */
	assert_int_equal(dns_parse(w.b, 11, &m), -1);
	assert_int_equal(dns_parse(w.b, 0, &m), -1);
	assert_int_equal(dns_parse(w.b, w.n - 1, &m), -1);
}

static void
test_names(void **state)
{
	static const char *const rc[] = { "NOERROR", "FORMERR", "SERVFAIL",
	    "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET",
	    "NOTAUTH", "NOTZONE" };
	unsigned i;

	(void)state;
	for (i = 0; i < 11; i++)
		assert_string_equal(dns_rcode_name(i), rc[i]);
	assert_string_equal(dns_rcode_name(11), "RCODE?");
	assert_string_equal(dns_rcode_name(4096), "RCODE?");
	assert_string_equal(dns_type_name(1), "A");
	assert_string_equal(dns_type_name(5), "CNAME");
	assert_string_equal(dns_type_name(28), "AAAA");
	assert_string_equal(dns_type_name(65), "HTTPS");
	assert_string_equal(dns_type_name(9999), "other");
}

/* Every named type, and no other number below 65536 has a name. */
static void
test_type_table(void **state)
{
	static const struct {
		unsigned type;
		const char *name;
	} named[] = {
		{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" },
		{ 12, "PTR" }, { 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" },
		{ 33, "SRV" }, { 41, "OPT" }, { 43, "DS" }, { 46, "RRSIG" },
		{ 47, "NSEC" }, { 48, "DNSKEY" }, { 64, "SVCB" },
		{ 65, "HTTPS" }, { 255, "ANY" }, { 257, "CAA" }
	};
	size_t i, nnamed = 0;
	unsigned t;

	(void)state;
	for (i = 0; i < sizeof named / sizeof named[0]; i++)
		assert_string_equal(dns_type_name(named[i].type), named[i].name);
	for (t = 0; t < 65536; t++)
		nnamed += strcmp(dns_type_name(t), "other") != 0;
	assert_int_equal(nnamed, sizeof named / sizeof named[0]);
}

static int
name_at(const uint8_t *b, size_t len, size_t off, char *out, size_t outlen,
    size_t *end)
{
	int r = dns_read_name(b, len, &off, out, outlen);

	if (end != NULL)
		*end = off;
	return r;
}

static void
test_escapes(void **state)
{
	static const uint8_t b[] = { 3, 'a', '.', 'B', 4, ' ', 0xff, '_', '-',
	    1, 0, 0 };
	char out[DNS_NAME_MAX];
	size_t end, i;

	(void)state;
	assert_int_equal(name_at(b, sizeof b, 0, out, sizeof out, &end), 0);
	assert_string_equal(out, "a\\046b.\\032\\255_-.\\000");
	assert_int_equal(end, sizeof b);
	for (i = 0; out[i] != '\0'; i++)
		assert_true(out[i] >= 0x20 && out[i] < 0x7f);
	/* Small buffers truncate without cutting an escape in half. */
	assert_int_equal(name_at(b, sizeof b, 0, out, 4, NULL), 0);
	assert_string_equal(out, "a");
	assert_int_equal(name_at(b, sizeof b, 0, out, 1, NULL), 0);
	assert_string_equal(out, "");
	assert_int_equal(name_at(b, sizeof b, 0, out, 0, NULL), 0);
}

/*
 * Each byte value as a one-byte label: letters fold to lower case, digits,
 * '-' and '_' stay, everything else is a three-digit decimal escape.
 */
static void
test_escape_every_byte(void **state)
{
	uint8_t b[3] = { 1, 0, 0 };
	char out[DNS_NAME_MAX], want[8];
	size_t end;
	unsigned c;

	(void)state;
	for (c = 0; c < 256; c++) {
		b[1] = (uint8_t)c;
		if (c >= 'A' && c <= 'Z')
			snprintf(want, sizeof want, "%c", (int)(c + 32));
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_')
			snprintf(want, sizeof want, "%c", (int)c);
		else
			snprintf(want, sizeof want, "\\%03u", c);
		assert_int_equal(name_at(b, sizeof b, 0, out, sizeof out, &end), 0);
		assert_string_equal(out, want);
		assert_int_equal(end, 3);
	}
	/* An escape needs four bytes and the NUL; a plain byte two. */
	b[1] = ' ';
	assert_int_equal(name_at(b, sizeof b, 0, out, 4, NULL), 0);
	assert_string_equal(out, "");
	assert_int_equal(name_at(b, sizeof b, 0, out, 5, NULL), 0);
	assert_string_equal(out, "\\032");
	b[1] = 'q';
	assert_int_equal(name_at(b, sizeof b, 0, out, 1, NULL), 0);
	assert_string_equal(out, "");
	assert_int_equal(name_at(b, sizeof b, 0, out, 2, NULL), 0);
	assert_string_equal(out, "q");
}

static void
test_pointers(void **state)
{
	/* 0: "x" root; 3: "y" -> 0; 7: self; 9/11: a two-pointer cycle. */
	static const uint8_t b[] = { 1, 'x', 0, 1, 'y', 0xc0, 0x00,
	    0xc0, 0x07, 0xc0, 0x0b, 0xc0, 0x09, 0xc0, 0xff, 0xc0 };
	char out[DNS_NAME_MAX];
	size_t end;

	(void)state;
	assert_int_equal(name_at(b, sizeof b, 3, out, sizeof out, &end), 0);
	assert_string_equal(out, "y.x");
	assert_int_equal(end, 7);	/* just past the pointer */
	assert_int_equal(name_at(b, sizeof b, 7, out, sizeof out, &end), -1);
	assert_int_equal(end, 7);	/* untouched on error */
	assert_int_equal(name_at(b, sizeof b, 9, out, sizeof out, NULL), -1);
	assert_int_equal(name_at(b, sizeof b, 11, out, sizeof out, NULL), -1);
	/* Pointer past the end; pointer missing its second byte. */
	assert_int_equal(name_at(b, sizeof b, 13, out, sizeof out, NULL), -1);
	assert_int_equal(name_at(b, sizeof b, 15, out, sizeof out, NULL), -1);
	/* Offset already at or past the end. */
	assert_int_equal(name_at(b, sizeof b, sizeof b, out, sizeof out, NULL),
	    -1);
	assert_int_equal(name_at(b, 0, 0, out, sizeof out, NULL), -1);
	/* Unterminated name. */
	assert_int_equal(name_at(b, 2, 0, out, sizeof out, NULL), -1);
}

static void
test_jump_bound(void **state)
{
	/* A chain of pointers each to the previous one, ending at a root. */
	uint8_t b[1 + 2 * 40];
	char out[DNS_NAME_MAX];
	size_t i;

	(void)state;
	b[0] = 0;
	for (i = 0; i < 40; i++) {
		b[1 + 2 * i] = 0xc0;
		b[2 + 2 * i] = (uint8_t)(i == 0 ? 0 : 1 + 2 * (i - 1));
	}
	/* Pointer i takes i+1 jumps to reach the root. */
	assert_int_equal(name_at(b, sizeof b, 1 + 2 * (DNS_MAX_JUMPS - 1), out,
	    sizeof out, NULL), 0);
	assert_string_equal(out, ".");
	assert_int_equal(name_at(b, sizeof b, 1 + 2 * DNS_MAX_JUMPS, out,
	    sizeof out, NULL), -1);
}

static void
test_lengths(void **state)
{
	uint8_t b[400];
	char out[DNS_NAME_MAX];
	size_t n = 0, i, end;

	(void)state;
	/* Label of 64: the length byte reads as an extended label type. */
	b[0] = 64;
	memset(b + 1, 'a', 64);
	b[65] = 0;
	assert_int_equal(name_at(b, 66, 0, out, sizeof out, NULL), -1);
	b[0] = 0x80;
	assert_int_equal(name_at(b, 66, 0, out, sizeof out, NULL), -1);
	/* 63 is fine. */
	b[0] = 63;
	b[64] = 0;
	assert_int_equal(name_at(b, 65, 0, out, sizeof out, NULL), 0);
	assert_int_equal(strlen(out), 63);
	/* Exactly 255 wire bytes: 3 x (1+63) + (1+61) + 1. */
	for (i = 0; i < 4; i++) {
		b[n] = i < 3 ? 63 : 61;
		memset(b + n + 1, 'a' + (int)i, b[n]);
		n += 1 + b[n];
	}
	b[n++] = 0;
	assert_int_equal(n, 255);
	assert_int_equal(name_at(b, n, 0, out, sizeof out, &end), 0);
	assert_int_equal(end, 255);
	assert_int_equal(strlen(out), 253);
	/* One more byte is too long. */
	b[3 * 64] = 62;
	memset(b + 3 * 64 + 1, 'd', 62);
	b[255] = 0;
	assert_int_equal(name_at(b, 256, 0, out, sizeof out, NULL), -1);
	/* Over 255 through pointers too: 5 labels of 63 via a pointer. */
	n = 0;
	for (i = 0; i < 5; i++) {
		b[n] = 63;
		memset(b + n + 1, 'z', 63);
		n += 64;
	}
	b[n++] = 0;
	b[n++] = 0xc0;
	b[n++] = 0;
	assert_int_equal(name_at(b, n, n - 2, out, sizeof out, NULL), -1);
	/* 255 wire bytes of escapes do not fit the output: truncated. */
	n = 0;
	for (i = 0; i < 4; i++) {
		b[n] = i < 3 ? 63 : 61;
		memset(b + n + 1, 0xff, b[n]);
		n += 1 + b[n];
	}
	b[n++] = 0;
	assert_int_equal(name_at(b, n, 0, out, sizeof out, &end), 0);
	assert_int_equal(end, 255);
	assert_true(strlen(out) > 200 && strlen(out) < DNS_NAME_MAX);
	for (i = 0; out[i] != '\0'; i++)	/* whole escapes only */
		if (out[i] == '\\')
			assert_true(i + 3 < strlen(out));
}

static void
test_bad_answers(void **state)
{
	struct wbuf w;
	struct dns_msg *m = malloc(sizeof *m);
	size_t i;

	(void)state;
	assert_non_null(m);
	/* The A record's rdlength overruns: stop there, keep the CNAME. */
	build_response(&w);
	w.n -= 16 + 10 + 2 + 4;		/* drop AAAA and the A's rdata */
	assert_int_equal(dns_parse(w.b, w.n, m), 0);
	assert_int_equal(m->nanswers, 1);
	assert_int_equal(m->answers[0].type, DNS_T_CNAME);
	/* An A record of 5 bytes is malformed. */
	whdr(&w, 1, 0x8180, 0, 2);
	wname(&w, "a", -1);
	wrr(&w, 1, 1, 5);
	w32(&w, 0x01020304);
	w8(&w, 5);
	wname(&w, "b", -1);
	wrr(&w, 1, 1, 4);
	w32(&w, 0x01020304);
	assert_int_equal(dns_parse(w.b, w.n, m), 0);
	assert_int_equal(m->nanswers, 0);
	/* A CNAME whose name runs past its rdata. */
	whdr(&w, 1, 0x8180, 0, 1);
	wname(&w, "a", -1);
	wrr(&w, 5, 1, 3);
	wname(&w, "bcd", -1);
	assert_int_equal(dns_parse(w.b, w.n, m), 0);
	assert_int_equal(m->nanswers, 0);
	/* Other types are skipped; past DNS_MAX_ANSWERS they are counted. */
	whdr(&w, 1, 0x8180, 0, 40);
	for (i = 0; i < 40; i++) {
		wname(&w, "", -1);
		wrr(&w, i % 2 ? 1 : 16, 1, 4);
		w32(&w, (uint32_t)i);
	}
	assert_int_equal(dns_parse(w.b, w.n, m), 0);
	assert_int_equal(m->nanswers, DNS_MAX_ANSWERS);
	assert_int_equal(m->answers_dropped, 20 - DNS_MAX_ANSWERS);
	assert_string_equal(m->answers[0].name, ".");
	/* Hostile counts over a tiny message. */
	whdr(&w, 1, 0x8180, 1, 0xffff);
	w.b[4] = 0xff;
	wname(&w, "a", -1);
	w16(&w, 1);
	w16(&w, 1);
	assert_int_equal(dns_parse(w.b, w.n, m), 0);
	assert_string_equal(m->qname, "a");
	assert_int_equal(m->nanswers, 0);
	free(m);
}

/* Every prefix of a valid message, in an exact-size heap copy for ASan. */
static void
test_prefixes(void **state)
{
	struct wbuf w;
	struct dns_msg *m = malloc(sizeof *m);
	size_t n;
	uint8_t *cp;
	int r;

	(void)state;
	assert_non_null(m);
	build_response(&w);
	for (n = 0; n <= w.n; n++) {
		cp = malloc(n ? n : 1);
		assert_non_null(cp);
		memcpy(cp, w.b, n);
		r = dns_parse(cp, n, m);
		if (n < 12 + 17 + 4)
			assert_int_equal(r, -1);
		else
			assert_int_equal(r, 0);
		assert_true(m->nanswers <= 3);
		assert_true(strlen(m->qname) < DNS_NAME_MAX);
		if (n == w.n)
			assert_int_equal(m->nanswers, 3);
		free(cp);
	}
	free(m);
}

/* Random bytes: anything goes except crashes and unprintable names. */
static void
test_random(void **state)
{
	struct dns_msg *m = malloc(sizeof *m);
	uint8_t *b;
	uint32_t x = 12345;
	size_t i, j, n, k;

	(void)state;
	assert_non_null(m);
	for (i = 0; i < 20000; i++) {
		n = 12 + i % 120;
		b = malloc(n);
		assert_non_null(b);
		for (j = 0; j < n; j++) {
			x = x * 1103515245u + 12345u;
			/* Bias towards pointers and short labels. */
			b[j] = (uint8_t)((x >> 16) % 5 == 0 ? 0xc0 :
			    (x >> 16) % 5 == 1 ? (x >> 8) % 16 : x >> 24);
		}
		b[4] = 0;
		b[5] = 1;
		(void)dns_parse(b, n, m);
		for (k = 0; m->qname[k] != '\0'; k++)
			assert_true(m->qname[k] >= 0x20 && m->qname[k] < 0x7f);
		free(b);
	}
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_header_flags),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_type_table),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_escape_every_byte),
		cmocka_unit_test(test_pointers),
		cmocka_unit_test(test_jump_bound),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_bad_answers),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
