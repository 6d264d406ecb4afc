/*
 * test_flow_invalid.c: bytes that are not a valid HTTP/1.x head, as the
 * model records them (flow.h's struct http_msg): an invalid message with
 * the first line as sent (at most 200 characters), the parser's reason,
 * and the offending header line when it is not the first ("" when the
 * first line is); it starts in the frame of its first byte and ends in
 * the frame that showed it invalid. An answer cut by the server's FIN or
 * a RST is an invalid reply; a request cut so is no message. After an
 * invalid head nothing more is read that way. While a head is shorter
 * than 64 bytes each segment parses it again; past that, only a segment
 * that ends a line does, so a bad byte in a line still open shows the
 * head invalid only with the line's end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_flow.h"

/* A new connection to the proxy from client port `port`. */
static void
open_conn(struct uf *fx, uint16_t port, struct uf_side *c, struct uf_side *s)
{
	*c = fx->cli;
	*s = fx->srv;
	c->port = port;
	uf_handshake(fx, c, s);
}

static const struct http_msg *
only_msg(const struct uf *fx, int dir)
{
	const struct conn *c = &fx->fl.conns[fx->fl.nconns - 1];

	assert_int_equal(c->nmsg[dir], 1);
	return &fx->fl.msgs[c->first_msg[dir]];
}

static void
test_invalid_requests(void **state)
{
	struct uf *fx = *state;
	struct uf_side c, s;
	const struct http_msg *m;
	uint64_t f1, f2;
	char longline[400];

	/* the first line is not a request line */
	open_conn(fx, 40001, &c, &s);
	f1 = uf_send(fx, &c, &s, "HELLO THERE\r\n\r\n");
	m = only_msg(fx, 0);
	assert_false(m->valid);
	assert_string_equal(uf_line(fx, m), "HELLO THERE");
	assert_string_equal(uf_str(fx, m->error_line), "");
	assert_true(strlen(uf_str(fx, m->error)) > 0);
	assert_int_equal(m->start.number, f1);
	assert_int_equal(m->end.number, f1);
	uf_get(fx, &c, &s, "http://after.test/", "after.test");
	assert_int_equal(fx->fl.conns[fx->fl.nconns - 1].nmsg[0], 1);

	/* a header line without a colon, in the second segment */
	open_conn(fx, 40002, &c, &s);
	f1 = uf_send(fx, &c, &s, "GET http://h.test/ HTTP/1.1\r\nHost: h\r\n");
	f2 = uf_send(fx, &c, &s, "No colon here\r\nX: y\r\n\r\n");
	m = only_msg(fx, 0);
	assert_false(m->valid);
	assert_string_equal(uf_line(fx, m),
	    "GET http://h.test/ HTTP/1.1");
	assert_string_equal(uf_str(fx, m->error_line), "No colon here");
	assert_int_equal(m->start.number, f1);
	assert_int_equal(m->end.number, f2);
	assert_int_equal(m->head.number, f2);

	/* a first line longer than what is kept: its first 200 characters */
	open_conn(fx, 40003, &c, &s);
	memset(longline, 'A', sizeof longline);
	memcpy(longline, "GET /", 5);
	memcpy(longline + 300, "\x01\r\n\r\n", 6);
	uf_send(fx, &c, &s, longline);
	m = only_msg(fx, 0);
	assert_false(m->valid);
	assert_int_equal(strlen(uf_line(fx, m)), 200);
	assert_memory_equal(uf_line(fx, m), longline, 200);

	/* a request cut by the client's FIN: no message */
	open_conn(fx, 40004, &c, &s);
	uf_send(fx, &c, &s, "GET http://cut.test/ HTTP/1.1\r\nHo");
	uf_fin(fx, &c, &s);
	assert_int_equal(fx->fl.conns[fx->fl.nconns - 1].nmsg[0], 0);
}

static void
test_answers_cut(void **state)
{
	struct uf *fx = *state;
	struct uf_side c, s;
	const struct http_msg *m;
	uint64_t first, end;

	/* cut by a RST from the server */
	open_conn(fx, 40001, &c, &s);
	uf_get(fx, &c, &s, "http://r.test/", "r.test");
	first = uf_send(fx, &s, &c, "HTTP/1.1 502 Bad Gat");
	uf_send(fx, &s, &c, "eway\r\nContent-");
	end = uf_rst(fx, &s, &c);
	m = only_msg(fx, 1);
	assert_false(m->valid);
	assert_string_equal(uf_str(fx, m->error), "incomplete response head");
	assert_string_equal(uf_line(fx, m),
	    "HTTP/1.1 502 Bad Gateway");
	assert_string_equal(uf_str(fx, m->error_line), "");
	assert_int_equal(m->start.number, first);
	assert_int_equal(m->end.number, end);
	assert_int_equal(fx->fl.msgs[m->pair].dir, 0);

	/* a header line the parser refuses, then the FIN: that reason and
	 * that line, not "incomplete" */
	open_conn(fx, 40002, &c, &s);
	uf_get(fx, &c, &s, "http://f.test/", "f.test");
	uf_send(fx, &s, &c, "HTTP/1.1 200 OK\r\nServer: x\r\n");
	end = uf_send(fx, &s, &c, "Broken line\r\n");
	uf_fin(fx, &s, &c);
	m = only_msg(fx, 1);
	assert_false(m->valid);
	assert_string_not_equal(uf_str(fx, m->error),
	    "incomplete response head");
	assert_string_equal(uf_str(fx, m->error_line), "Broken line");
	assert_int_equal(m->end.number, end);

	/* nothing of an answer before the FIN: no reply at all */
	open_conn(fx, 40003, &c, &s);
	uf_get(fx, &c, &s, "http://n.test/", "n.test");
	uf_fin(fx, &s, &c);
	assert_int_equal(fx->fl.conns[fx->fl.nconns - 1].nmsg[1], 0);
	/* an answer whole, then the FIN: valid, nothing invalid added */
	open_conn(fx, 40004, &c, &s);
	uf_get(fx, &c, &s, "http://w.test/", "w.test");
	uf_status(fx, &s, &c, 503);
	uf_fin(fx, &s, &c);
	m = only_msg(fx, 1);
	assert_true(m->valid);
	assert_int_equal(m->status, 503);
}

/*
 * A control character in a header value, in a segment without a line
 * end, after the first 63 bytes of the head: that segment shows it
 * invalid. After the first 64: the next segment, which ends the line.
 */
static void
test_judged_at_line_end_past_64_bytes(void **state)
{
	struct uf *fx = *state;
	static const char start[] = "GET http://q.test/ HTTP/1.1\r\n"
	    "Host: q.test\r\nX-Pad: ";
	struct uf_side c, s;
	char head[80];

	for (size_t before = 63; before <= 64; before++) {
		const struct http_msg *m;
		uint64_t f1, f2, f3;

		memset(head, 'a', sizeof head);
		memcpy(head, start, sizeof start - 1);
		head[before] = '\0';
		open_conn(fx, (uint16_t)(41000 + before), &c, &s);
		f1 = uf_send(fx, &c, &s, head);
		f2 = uf_send(fx, &c, &s, "b\001c");
		assert_int_equal(fx->fl.conns[fx->fl.nconns - 1].nmsg[0],
		    before < 64);
		f3 = uf_send(fx, &c, &s, "\r\n\r\n");
		m = only_msg(fx, 0);
		assert_false(m->valid);
		assert_int_equal(strncmp(uf_str(fx, m->error_line),
		    "X-Pad: aaa", 10), 0);
		assert_int_equal(m->start.number, f1);
		assert_int_equal(m->end.number, before < 64 ? f2 : f3);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_invalid_requests,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_answers_cut, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_judged_at_line_end_past_64_bytes, uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
