/*
 * test_flow_chunk_hex.c: chunk sizes are hexadecimal (RFC 9112 7.1),
 * their letters in either case: a chunked answer whose sizes hold a-f
 * and A-F ends where its last chunk says, and the next answer on the
 * connection is read as its own; sizes read exactly, not just near.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_flow.h"

/* size chunk bytes of `fill` after its size line "text\r\n". */
static size_t
chunk(char *out, size_t cap, const char *text, size_t size, char fill)
{
	size_t n = (size_t)snprintf(out, cap, "%s\r\n", text);

	assert_true(n + size + 2 < cap);
	memset(out + n, fill, size);
	memcpy(out + n + size, "\r\n", 2);
	return n + size + 2;
}

static void
answer_with(void **state, const char *size_a, size_t a, const char *size_b,
    size_t b)
{
	struct uf *u = *state;
	static char body[8192];
	size_t n = 0;
	uint64_t last, next;
	const struct http_msg *m;

	uf_handshake(u, &u->cli, &u->srv);
	uf_get(u, &u->cli, &u->srv, "http://example.com/", "example.com");
	uf_send(u, &u->srv, &u->cli, "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n");
	n += chunk(body + n, sizeof body - n, size_a, a, 'x');
	n += chunk(body + n, sizeof body - n, size_b, b, 'x');
	memcpy(body + n, "0\r\n\r\n", 5);
	n += 5;
	last = uf_send_bytes(u, &u->srv, &u->cli, body, n);
	uf_get(u, &u->cli, &u->srv, "http://example.com/2", "example.com");
	next = uf_send(u, &u->srv, &u->cli, "HTTP/1.1 204 No Content\r\n\r\n");
	assert_int_equal(u->fl.nmsgs, 4);
	m = &u->fl.msgs[1];
	assert_int_equal(m->dir, 1);
	assert_int_equal(m->status, 200);
	assert_true(m->complete);
	assert_int_equal(m->end.number, last);
	m = &u->fl.msgs[3];
	assert_int_equal(m->status, 204);
	assert_true(m->valid);
	assert_int_equal(m->end.number, next);
}

static void
test_upper_case(void **state)
{
	answer_with(state, "1A", 26, "FF", 255);
}

static void
test_every_letter(void **state)
{
	answer_with(state, "aBc", 0xabc, "DeF", 0xdef);
}

/*
 * Each chunk in a segment of its own, its bytes line feeds: a size read
 * short would take a chunk's last LF for the end of its line (the CRLF
 * after the data is skipped up to a LF), and the answer would end in the
 * second segment instead of at the last chunk.
 */
static void
test_sizes_exact(void **state)
{
	struct uf *u = *state;
	char seg[512];
	uint64_t end;

	uf_handshake(u, &u->cli, &u->srv);
	uf_get(u, &u->cli, &u->srv, "http://example.com/", "example.com");
	uf_send(u, &u->srv, &u->cli, "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n");
	uf_send_bytes(u, &u->srv, &u->cli, seg,
	    chunk(seg, sizeof seg, "1A", 26, '\n'));
	uf_send_bytes(u, &u->srv, &u->cli, seg,
	    chunk(seg, sizeof seg, "fF", 255, '\n'));
	assert_int_equal(u->fl.nmsgs, 2);
	assert_false(u->fl.msgs[1].complete);
	end = uf_send(u, &u->srv, &u->cli, "0\r\n\r\n");
	assert_true(u->fl.msgs[1].complete);
	assert_int_equal(u->fl.msgs[1].end.number, end);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_upper_case, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_every_letter, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_sizes_exact, uf_setup,
		    uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
