/*
 * test_flow_reasm.c: TCP reassembly at its limits (stream.c). Segments
 * after a hole wait, up to 8 segments and 16 KiB, until the hole is
 * filled, and then every byte counts once; one more than that, a segment
 * a mebibyte or more ahead, or an ACK from the receiver past the hole
 * means the capture lost it: the hole is skipped, counted in stream_gaps,
 * and what waited is delivered. Sequence numbers wrap past 2^32.
 * Overlapping retransmissions deliver each byte once, wherever they
 * overlap what waits.
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

static uint8_t zeros[4096];

/*
 * A connection from client port `port` whose server's sequence numbers
 * start at isn, a GET, and the head of a response with a body of
 * body_len bytes; returns the sequence number of the body's first byte.
 */
static uint32_t
answer_head(struct uf *fx, uint16_t port, uint32_t isn, uint32_t body_len)
{
	char head[128];

	fx->cli.port = port;
	fx->cli.seq = 1000;
	fx->srv.seq = isn;
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_get(fx, &fx->cli, &fx->srv, "/body", "body.test");
	snprintf(head, sizeof head,
	    "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n", body_len);
	uf_send(fx, &fx->srv, &fx->cli, head);
	return fx->srv.seq;
}

static uint64_t
body_at(struct uf *fx, uint32_t seq, uint32_t len)
{
	assert_true(len <= sizeof zeros);
	return uf_segment(fx, &fx->srv, &fx->cli, seq, TCPF_ACK, zeros, len);
}

/* The response of the newest connection. */
static const struct http_msg *
last_answer(const struct uf *fx)
{
	const struct conn *c = &fx->fl.conns[fx->fl.nconns - 1];

	assert_int_not_equal(c->last_msg[1], NONE32);
	return &fx->fl.msgs[c->last_msg[1]];
}

/*
 * The first 1000 bytes of a body lost and resent after `n` segments of
 * the sizes given (sequence numbers wrapping past 2^32 on the way);
 * returns the bytes counted missing.
 */
static uint64_t
held_then_resent(struct uf *fx, uint16_t port, const uint32_t *sizes,
    unsigned n, bool *complete)
{
	uint64_t gaps = fx->fl.stats.stream_gaps;
	uint32_t total = 1000, base, at;

	for (unsigned k = 0; k < n; k++)
		total += sizes[k];
	base = answer_head(fx, port, UINT32_MAX - 5000, total);
	at = base + 1000;
	for (unsigned k = 0; k < n; k++) {
		body_at(fx, at, sizes[k]);
		at += sizes[k];
	}
	body_at(fx, base, 1000);
	*complete = last_answer(fx)->complete;
	return fx->fl.stats.stream_gaps - gaps;
}

static void
test_hold_limits(void **state)
{
	struct uf *fx = *state;
	uint32_t eight[8], nine[9], over[8];
	bool complete;

	for (unsigned k = 0; k < 9; k++)
		nine[k] = 100;
	for (unsigned k = 0; k < 8; k++)
		eight[k] = over[k] = 2048;	/* 16384 bytes: just fits */
	over[7] = 2049;
	assert_int_equal(held_then_resent(fx, 40001, eight, 8, &complete), 0);
	assert_true(complete);
	assert_int_equal(held_then_resent(fx, 40002, nine, 8, &complete), 0);
	assert_true(complete);
	/* a ninth segment, or a byte past 16 KiB: the hole is given up */
	assert_int_equal(held_then_resent(fx, 40003, nine, 9, &complete),
	    1000);
	assert_true(complete);
	assert_int_equal(held_then_resent(fx, 40004, over, 8, &complete),
	    1000);
	assert_true(complete);
	assert_int_equal(fx->fl.nconns, 4);
}

/* A segment less than 1 MiB ahead waits; one 1 MiB ahead or more means
 * the capture lost what is between. */
static void
test_how_far_ahead(void **state)
{
	struct uf *fx = *state;
	uint32_t base;
	uint64_t gaps;

	base = answer_head(fx, 40001, 7, 4u << 20);
	gaps = fx->fl.stats.stream_gaps;
	body_at(fx, base + (1u << 20) - 1, 10);
	assert_int_equal(fx->fl.stats.stream_gaps, gaps);
	body_at(fx, base, 100);	/* still a hole after it */
	assert_int_equal(fx->fl.stats.stream_gaps, gaps);

	base = answer_head(fx, 40002, UINT32_MAX - 100, 4u << 20);
	gaps = fx->fl.stats.stream_gaps;
	body_at(fx, base + (1u << 20), 10);
	assert_int_equal(fx->fl.stats.stream_gaps, gaps + (1u << 20));
	/* what was skipped comes too late: counted once */
	body_at(fx, base, 100);
	assert_int_equal(fx->fl.stats.stream_gaps, gaps + (1u << 20));
	assert_false(last_answer(fx)->complete);
}

/* The client acknowledges bytes of the server the capture does not
 * have: the hole up to its ACK is skipped at once (and no more); an ACK
 * of what was seen changes nothing. */
static void
test_ack_past_hole(void **state)
{
	struct uf *fx = *state;
	uint32_t base = answer_head(fx, 40001, UINT32_MAX - 10, 3000);
	uint64_t gaps = fx->fl.stats.stream_gaps, end;

	body_at(fx, base + 1000, 1000);	/* waits for [base, base + 1000) */
	uf_tcp(fx, &fx->cli, &fx->srv, fx->cli.seq, base, TCPF_ACK, NULL, 0);
	assert_int_equal(fx->fl.stats.stream_gaps, gaps);
	uf_tcp(fx, &fx->cli, &fx->srv, fx->cli.seq, base + 1, TCPF_ACK, NULL,
	    0);
	assert_int_equal(fx->fl.stats.stream_gaps, gaps + 1);
	body_at(fx, base, 1000);	/* the rest of the hole: 999 new */
	assert_int_equal(fx->fl.stats.stream_gaps, gaps + 1);
	assert_false(last_answer(fx)->complete);
	end = body_at(fx, base + 2000, 1000);
	assert_true(last_answer(fx)->complete);
	assert_int_equal(last_answer(fx)->end.number, end);
	/* a hole acknowledged whole: skipped up to the held segment */
	base = answer_head(fx, 40002, 1u << 31, 3000);
	gaps = fx->fl.stats.stream_gaps;
	body_at(fx, base + 1000, 1000);
	uf_tcp(fx, &fx->cli, &fx->srv, fx->cli.seq, base + 2000, TCPF_ACK,
	    NULL, 0);
	assert_int_equal(fx->fl.stats.stream_gaps, gaps + 1000);
	body_at(fx, base + 2000, 1000);
	assert_true(last_answer(fx)->complete);
}

/*
 * A request head sent out of order with overlapping retransmissions: the
 * parser sees each byte once, in order, so the target and Host are
 * exactly as sent; the head ends in the frame that filled the hole's
 * last byte before the blank line.
 */
static void
test_overlaps_deliver_once(void **state)
{
	struct uf *fx = *state;
	static const char head[] = "GET /0123456789abcdefghijklmnop HTTP/1.1"
	    "\r\nHost: overlap.test\r\n\r\n";
	const size_t len = sizeof head - 1;
	static const struct { uint32_t from, to; } order[] = {
		{ 10, 20 }, { 15, 30 }, { 40, 45 }, { 30, 40 }, { 45, 0 },
		{ 12, 14 }, { 0, 12 },
	};
	const struct http_msg *m;
	uint32_t isn;
	uint64_t last = 0;

	fx->cli.seq = UINT32_MAX - 20;	/* wraps inside the head */
	uf_handshake(fx, &fx->cli, &fx->srv);
	isn = fx->cli.seq;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		uint32_t to = order[i].to ? order[i].to : (uint32_t)len;

		last = uf_segment(fx, &fx->cli, &fx->srv, isn + order[i].from,
		    TCPF_ACK, head + order[i].from, to - order[i].from);
		if (i + 1 < sizeof order / sizeof order[0])
			assert_int_equal(fx->fl.nmsgs, 0);
	}
	assert_int_equal(fx->fl.nmsgs, 1);
	m = &fx->fl.msgs[0];
	assert_true(m->valid);
	assert_string_equal(uf_str(fx, m->target),
	    "/0123456789abcdefghijklmnop");
	assert_string_equal(uf_str(fx, m->host), "overlap.test");
	assert_int_equal(m->start.number, last);
	assert_int_equal(fx->fl.stats.stream_gaps, 0);
	/* the next request right after, in order */
	fx->cli.seq = isn + (uint32_t)len;
	uf_get(fx, &fx->cli, &fx->srv, "/next", "overlap.test");
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_string_equal(uf_str(fx, fx->fl.msgs[1].target), "/next");
}

/*
 * Resent bytes of a body some of which the capture cut (snap length):
 * what is new but not captured is a gap, counted once.
 */
static void
test_resent_partly_captured(void **state)
{
	struct uf *fx = *state;
	uint32_t base = answer_head(fx, 40001, 5, 400);
	uint64_t gaps;
	struct pkt p;

	body_at(fx, base, 100);
	gaps = fx->fl.stats.stream_gaps;
	uf_pkt_between(&p, L4_TCP, &fx->srv, &fx->cli);
	p.seq = base + 50;
	p.tcp_flags = TCPF_ACK;
	p.payload = zeros;
	p.payload_len = 40;	/* [50, 90) captured: all old */
	p.payload_wire_len = 150;	/* [100, 200) new, not captured */
	uf_feed(fx, &p);
	assert_int_equal(fx->fl.stats.stream_gaps, gaps + 100);
	p.seq = base + 150;
	p.payload_len = 100;	/* [150, 250): [200, 250) new, captured */
	p.payload_wire_len = 100;
	uf_feed(fx, &p);
	assert_int_equal(fx->fl.stats.stream_gaps, gaps + 100);
	assert_false(last_answer(fx)->complete);
	body_at(fx, base + 250, 150);
	assert_true(last_answer(fx)->complete);
	assert_int_equal(last_answer(fx)->end.number, fx->frame);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hold_limits, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_how_far_ahead, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_ack_past_hole, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_overlaps_deliver_once,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_resent_partly_captured,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
