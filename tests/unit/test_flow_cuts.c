/*
 * test_flow_cuts.c: TCP may cut a byte stream anywhere. Two pipelined
 * requests (the first's head longer than what is parsed on every segment,
 * the second with a body) and the two answers (the first with a body,
 * the second without), cut into two segments at every byte and into three
 * around the places where parsing changes (64 bytes in, the blank line,
 * the body): every cut gives the same messages, with the same texts,
 * pairs and completeness, each head ending in the frame that carried its
 * last byte and each message starting in the frame of its first byte.
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

static const char requests[] =
    "GET http://cuts.test/a-rather-long-path/with/several/parts/index.html"
    " HTTP/1.1\r\nHost: cuts.test\r\nAccept: */*\r\n\r\n"
    "POST http://cuts.test/form HTTP/1.1\r\nHost: cuts.test\r\n"
    "Content-Length: 7\r\n\r\nx=1&y=2";
static const char answers[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: upstream-test\r\n"
    "Content-Length: 5\r\n\r\nhello"
    "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n";

/* Where each message begins and its head ends (offset of its last byte)
 * and where it ends, in requests[] and answers[]. */
struct spans {
	size_t start[2], head_last[2], last[2];
};

static struct spans
spans_of(const char *s)
{
	struct spans sp;
	const char *second = strstr(s + 1, s[0] == 'G' ? "POST " : "HTTP/");
	size_t len = strlen(s);

	sp.start[0] = 0;
	sp.start[1] = (size_t)(second - s);
	sp.head_last[0] = (size_t)(strstr(s, "\r\n\r\n") - s) + 3;
	sp.head_last[1] = (size_t)(strstr(second, "\r\n\r\n") - s) + 3;
	sp.last[0] = sp.start[1] - 1;
	sp.last[1] = len - 1;
	return sp;
}

/* The frame that carried byte `at` of a string sent cut at a and b. */
static uint64_t
frame_of(size_t at, size_t a, size_t b, const uint64_t fr[3])
{
	return at < a ? fr[0] : at < b ? fr[1] : fr[2];
}

/* Sends s from `from` cut at a <= b (empty pieces are not sent). */
static void
send_cut(struct uf *fx, struct uf_side *from, const struct uf_side *to,
    const char *s, size_t a, size_t b, uint64_t fr[3])
{
	size_t len = strlen(s), cut[4] = { 0, a, b, len };

	for (int k = 0; k < 3; k++) {
		fr[k] = 0;
		if (cut[k + 1] > cut[k])
			fr[k] = uf_send_bytes(fx, from, to, s + cut[k],
			    cut[k + 1] - cut[k]);
	}
}

static void
check_side(const struct uf *fx, const struct conn *c, int dir,
    const char *s, size_t a, size_t b, const uint64_t fr[3])
{
	struct spans sp = spans_of(s);
	uint32_t mi = c->first_msg[dir];

	for (int k = 0; k < 2; k++, mi = fx->fl.msgs[mi].next) {
		const struct http_msg *m;

		assert_int_not_equal(mi, NONE32);
		m = &fx->fl.msgs[mi];
		assert_true(m->valid);
		assert_true(m->complete);
		assert_int_equal(m->start.number,
		    frame_of(sp.start[k], a, b, fr));
		assert_int_equal(m->head.number,
		    frame_of(sp.head_last[k], a, b, fr));
		assert_int_equal(m->end.number, frame_of(sp.last[k], a, b, fr));
		assert_int_not_equal(m->pair, NONE32);
		assert_int_equal(fx->fl.msgs[m->pair].pair, mi);
	}
	assert_int_equal(mi, NONE32);
}

/* One connection (client port `port`) with both strings cut at a, b. */
static void
exchange_cut(struct uf *fx, uint16_t port, size_t qa, size_t qb, size_t aa,
    size_t ab)
{
	struct uf_side cli = fx->cli, srv = fx->srv;
	uint64_t qfr[3], afr[3];
	const struct conn *c;
	uint32_t q;

	cli.port = port;
	uf_handshake(fx, &cli, &srv);
	send_cut(fx, &cli, &srv, requests, qa, qb, qfr);
	send_cut(fx, &srv, &cli, answers, aa, ab, afr);
	c = &fx->fl.conns[fx->fl.nconns - 1];
	assert_int_equal(c->cport, port);
	assert_int_equal(c->nmsg[0], 2);
	assert_int_equal(c->nmsg[1], 2);
	check_side(fx, c, 0, requests, qa, qb, qfr);
	check_side(fx, c, 1, answers, aa, ab, afr);
	q = c->first_msg[0];
	assert_string_equal(uf_str(fx, fx->fl.msgs[q].target),
	    "http://cuts.test/a-rather-long-path/with/several/parts/"
	    "index.html");
	assert_string_equal(uf_str(fx, fx->fl.msgs[q].host), "cuts.test");
	assert_int_equal(fx->fl.msgs[fx->fl.msgs[q].pair].status, 200);
	q = fx->fl.msgs[q].next;
	assert_string_equal(uf_str(fx, fx->fl.msgs[q].method), "POST");
	assert_string_equal(uf_str(fx, fx->fl.msgs[q].target),
	    "http://cuts.test/form");
	assert_int_equal(fx->fl.msgs[fx->fl.msgs[q].pair].status, 502);
	assert_string_equal(uf_line(fx, &fx->fl.msgs[fx->fl.msgs[q].pair]),
	    "HTTP/1.1 502 Bad Gateway");
	assert_int_equal(c->bytes[0], strlen(requests));
	assert_int_equal(c->bytes[1], strlen(answers));
}

static void
test_cut_at_every_byte(void **state)
{
	struct uf *fx = *state;
	size_t nq = strlen(requests), na = strlen(answers);
	uint16_t port = 20000;

	for (size_t a = 1; a < nq || a < na; a++) {
		size_t qa = a < nq ? a : nq, aa = a < na ? a : na;

		exchange_cut(fx, port++, qa, qa, aa, aa);
	}
	assert_int_equal(fx->fl.stats.stream_gaps, 0);
	assert_int_equal(fx->fl.stats.heads_too_long, 0);
}

/* Three pieces around 64 bytes, the first blank line and the body. */
static void
test_cut_in_three(void **state)
{
	struct uf *fx = *state;
	struct spans q = spans_of(requests), r = spans_of(answers);
	size_t marks[] = { 62, 63, 64, 65, 66, q.head_last[0] - 1,
	    q.head_last[0], q.head_last[0] + 1, r.head_last[0] - 1,
	    r.head_last[0], r.head_last[0] + 1, r.head_last[0] + 3,
	    q.last[1] - 2 };
	size_t nmarks = sizeof marks / sizeof marks[0];
	uint16_t port = 30000;

	for (size_t i = 0; i < nmarks; i++)
		for (size_t j = i; j < nmarks; j++) {
			size_t a = marks[i] < marks[j] ? marks[i] : marks[j];
			size_t b = marks[i] < marks[j] ? marks[j] : marks[i];
			size_t na = strlen(answers);

			exchange_cut(fx, port++, a, b, a < na ? a : na,
			    b < na ? b : na);
		}
	assert_int_equal(fx->fl.stats.stream_gaps, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cut_at_every_byte,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_cut_in_three, uf_setup,
		    uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
