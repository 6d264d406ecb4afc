/*
 * test_follow_tls.c: a followed TLS connection as the stream pane lists
 * it (follow_tls.c): records split over chunks and interleaved with the
 * other side's, sealed after their side's ChangeCipherSpec, several
 * handshake messages in one record, a plain-text reply to the hello, a
 * record or a header the capture cut; a stream that is no TLS is left
 * alone. The chunks are built in memory as follow_conn hands them back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flow/follow.h"
#include "unit_tls.h"

/* A follow with room for what the tests write. */
struct built {
	struct follow f;
	struct follow_chunk chunks[16];
	uint8_t data[8192];
};

static void
built_init(struct built *b)
{
	memset(b, 0, sizeof *b);
	b->f.chunks = b->chunks;
	b->f.data = b->data;
}

/* Appends n bytes from dir as a chunk of their own (frame = its index). */
static void
chunk(struct built *b, uint8_t dir, const void *p, size_t n)
{
	assert_true(b->f.nchunks < 16 && b->f.len + n <= sizeof b->data);
	b->chunks[b->f.nchunks] = (struct follow_chunk){ dir,
	    b->f.nchunks + 1, 0, (uint32_t)b->f.len, (uint32_t)n };
	b->f.nchunks++;
	memcpy(b->data + b->f.len, p, n);
	b->f.len += n;
}

/* A record of type ct around body (n bytes), into w. */
static void
record(struct wbuf *w, unsigned ct, const uint8_t *body, size_t n)
{
	w->n = 0;
	w8(w, ct);
	w16(w, 0x0303);
	w16(w, (unsigned)n);
	wbytes(w, body, n);
}

/* The gateway's ClientHello (asking for sni, or none) as the first
 * chunk. */
static void
hello_chunk(struct built *b, const char *sni)
{
	struct wbuf hs, rec;

	ut_client_hello(&hs, sni);
	record(&rec, TLS_CT_HANDSHAKE, hs.b, hs.n);
	chunk(b, 0, rec.b, rec.n);
}

static void
assert_line(const struct follow_tls *ft, size_t k, uint8_t dir,
    uint32_t chunk_index, const char *want)
{
	char line[512];

	assert_true(k < ft->nitems);
	assert_int_equal(ft->items[k].dir, dir);
	assert_int_equal(ft->items[k].chunk, chunk_index);
	assert_true(ft->items[k].record);
	follow_tls_describe(ft, &ft->items[k], line, sizeof line);
	assert_string_equal(line, want);
}

static void
test_not_tls_left_alone(void **state)
{
	struct built b;
	struct follow_tls ft;
	const char *get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	struct wbuf hello, rec;

	(void)state;
	built_init(&b);
	chunk(&b, 0, get, strlen(get));
	assert_int_equal(follow_tls_read(&b.f, &ft), 0);
	assert_int_equal(ft.nitems, 0);
	assert_null(ft.items);
	/* a handshake record that is no ClientHello does not open TLS */
	ut_server_hello(&hello, TLS_V13);
	record(&rec, TLS_CT_HANDSHAKE, hello.b, hello.n);
	built_init(&b);
	chunk(&b, 0, rec.b, rec.n);
	assert_int_equal(follow_tls_read(&b.f, &ft), 0);
}

/* The gateway's ClientHello split over two chunks, the server's answer
 * between them; the gateway's records after its ChangeCipherSpec are
 * sealed, the server's alert before its own is in the clear. */
static void
test_records_in_order(void **state)
{
	struct built b;
	struct follow_tls ft;
	struct wbuf hs, rec, sh;
	static const uint8_t ccs = 1, sealed[40] = { 7 }, alert[2] = { 2, 48 };
	uint8_t out[2048];
	size_t n = 0;

	(void)state;
	built_init(&b);
	ut_client_hello(&hs, "a.example");
	record(&rec, TLS_CT_HANDSHAKE, hs.b, hs.n);
	chunk(&b, 0, rec.b, 20);
	ut_server_hello(&sh, TLS_V13);
	record(&hs, TLS_CT_HANDSHAKE, sh.b, sh.n);
	chunk(&b, 1, hs.b, hs.n);
	memcpy(out, rec.b + 20, rec.n - 20);
	n = rec.n - 20;
	record(&rec, TLS_CT_CCS, &ccs, 1);
	memcpy(out + n, rec.b, rec.n);
	n += rec.n;
	record(&rec, TLS_CT_HANDSHAKE, sealed, sizeof sealed);
	memcpy(out + n, rec.b, rec.n);
	n += rec.n;
	chunk(&b, 0, out, n);
	record(&rec, TLS_CT_ALERT, alert, sizeof alert);
	chunk(&b, 1, rec.b, rec.n);

	assert_int_equal(follow_tls_read(&b.f, &ft), 1);
	assert_int_equal(ft.nitems, 5);
	assert_line(&ft, 0, 0, 0, "TLS handshake: ClientHello for a.example "
	    "(77 bytes)");
	assert_line(&ft, 1, 1, 1, "TLS handshake: ServerHello choosing "
	    "TLS 1.3 (56 bytes)");
	assert_line(&ft, 2, 0, 2, "TLS change cipher spec (1 byte)");
	assert_line(&ft, 3, 0, 2, "TLS handshake, encrypted (40 bytes)");
	assert_false(ft.items[2].sealed);
	assert_true(ft.items[3].sealed);
	assert_line(&ft, 4, 1, 3, "TLS alert: fatal unknown_ca (2 bytes)");
	follow_tls_free(&ft);
	assert_null(ft.items);
}

/* A TLS 1.2 server's first flight in one record; its alert after its
 * ChangeCipherSpec is sealed; application data is encrypted always. */
static void
test_messages_and_sealed_alert(void **state)
{
	struct built b;
	struct follow_tls ft;
	struct wbuf rec, flight;
	static const uint8_t ccs = 1, alert[2] = { 1, 0 }, data[26] = { 3 };
	static const uint8_t cert[] = { 11, 0, 0, 3, 0, 0, 0 };
	static const uint8_t done[] = { 14, 0, 0, 0 };
	static const uint8_t odd[] = { 99, 0, 0, 0 };

	(void)state;
	built_init(&b);
	hello_chunk(&b, NULL);
	ut_server_hello(&flight, 0);
	wbytes(&flight, cert, sizeof cert);
	wbytes(&flight, done, sizeof done);
	wbytes(&flight, odd, sizeof odd);
	record(&rec, TLS_CT_HANDSHAKE, flight.b, flight.n);
	chunk(&b, 1, rec.b, rec.n);
	record(&rec, TLS_CT_CCS, &ccs, 1);
	chunk(&b, 1, rec.b, rec.n);	/* a chunk each: the server's */
	record(&rec, TLS_CT_ALERT, alert, sizeof alert);
	chunk(&b, 0, rec.b, rec.n);
	record(&rec, TLS_CT_ALERT, data, sizeof data);
	chunk(&b, 1, rec.b, rec.n);
	record(&rec, TLS_CT_APPDATA, data, sizeof data);
	chunk(&b, 1, rec.b, rec.n);

	assert_int_equal(follow_tls_read(&b.f, &ft), 1);
	assert_int_equal(ft.nitems, 6);
	assert_line(&ft, 0, 0, 0, "TLS handshake: ClientHello (59 bytes)");
	assert_line(&ft, 1, 1, 1, "TLS handshake: ServerHello choosing "
	    "TLS 1.2, Certificate, ServerHelloDone, message 99 (65 bytes)");
	assert_line(&ft, 2, 1, 2, "TLS change cipher spec (1 byte)");
	assert_line(&ft, 3, 0, 3, "TLS alert: warning close_notify "
	    "(2 bytes)");
	assert_line(&ft, 4, 1, 4, "TLS alert, encrypted (26 bytes)");
	assert_line(&ft, 5, 1, 5, "TLS application data, encrypted "
	    "(26 bytes)");
	follow_tls_free(&ft);
}

/* A server that speaks no TLS answers the hello in plain HTTP: its bytes
 * are one item, not records. */
static void
test_plain_reply(void **state)
{
	struct built b;
	struct follow_tls ft;
	const char *reply = "HTTP/1.1 400 Bad Request\r\n\r\n";

	(void)state;
	built_init(&b);
	hello_chunk(&b, "plain.example");
	chunk(&b, 1, reply, 10);
	chunk(&b, 1, reply + 10, strlen(reply) - 10);
	assert_int_equal(follow_tls_read(&b.f, &ft), 1);
	assert_int_equal(ft.nitems, 2);
	assert_false(ft.items[1].record);
	assert_int_equal(ft.items[1].dir, 1);
	assert_int_equal(ft.items[1].chunk, 1);
	assert_int_equal(ft.items[1].off, 0);
	assert_int_equal(ft.items[1].len, strlen(reply));
	assert_memory_equal(ft.bytes[1] + ft.items[1].off, reply,
	    strlen(reply));
	follow_tls_free(&ft);
}

/* The capture ends inside a record, then inside a record header. */
static void
test_cut_by_the_capture(void **state)
{
	struct built b;
	struct follow_tls ft;
	struct wbuf rec;
	static const uint8_t head[3] = { TLS_CT_APPDATA, 3, 3 }, data[300];

	(void)state;
	built_init(&b);
	hello_chunk(&b, "a.example");
	chunk(&b, 1, head, sizeof head);
	record(&rec, TLS_CT_APPDATA, data, sizeof data);
	chunk(&b, 0, rec.b, 105);
	assert_int_equal(follow_tls_read(&b.f, &ft), 1);
	assert_int_equal(ft.nitems, 3);
	assert_line(&ft, 1, 1, 1, "TLS: 3 bytes of a record header, the rest "
	    "not in the capture");
	assert_line(&ft, 2, 0, 2, "TLS application data, encrypted (300 "
	    "bytes, 100 of them in the capture)");
	follow_tls_free(&ft);
}

/* The message walk stops at a header the body cuts, and past max. */
static void
test_handshake_types(void **state)
{
	static const uint8_t body[] = { 2, 0, 0, 1, 0, 11, 0, 0, 0, 14, 0 };
	uint8_t types[4];

	(void)state;
	assert_int_equal(tls_handshake_types(body, sizeof body, types, 4), 2);
	assert_int_equal(types[0], 2);
	assert_int_equal(types[1], 11);
	assert_int_equal(tls_handshake_types(body, sizeof body, types, 1), 1);
	assert_int_equal(tls_handshake_types(body, 3, types, 4), 0);
	/* a length past the body: the first message, no more */
	assert_int_equal(tls_handshake_types((const uint8_t[]){ 1, 0, 9, 0,
	    11, 0, 0, 0 }, 8, types, 4), 1);
	assert_string_equal(tls_handshake_name(20), "Finished");
	assert_string_equal(tls_handshake_name(99), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_tls_left_alone),
		cmocka_unit_test(test_records_in_order),
		cmocka_unit_test(test_messages_and_sealed_alert),
		cmocka_unit_test(test_plain_reply),
		cmocka_unit_test(test_cut_by_the_capture),
		cmocka_unit_test(test_handshake_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
