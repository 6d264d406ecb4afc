/*
 * test_diag_forward.c: whose is an upstream request forwarded on a
 * pooled connection (diag/link.c, forwarded_for_later): a gateway
 * forwards a request within a fraction of a millisecond, so one sent
 * within DIAG_AMBIG_NS (1 ms, inclusive) after a request for the same
 * URL that came more than 1 ms after an earlier one is the later
 * request's, even when the earlier one settles first and the reply
 * would fit it; the earlier one then has no upstream request. So it is
 * when the later request was retired before the earlier one settled
 * (a report streams and retires as it reads: the same verdict).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag/diag_int.h"
#include "unit_flow.h"
#include "diag_scene.h"

struct forward {
	int64_t a_to_b;		/* B's request after A's */
	int64_t b_to_up;	/* the upstream request after B's */
	uint32_t up;		/* its message */
};

/* The proxy's ends of clients A's and B's connections, and A's. */
struct clients {
	struct uf_side ca, ga, cb, gb;
};

/*
 * Request 1 is served on an upstream connection kept alive (frames
 * 1-10). At 2 s client A asks for /b, client B a_to_b later; b_to_up
 * after B's request the gateway sends GET /b on the pooled connection;
 * its reply, 502, comes 60 ms after A's request. Returns that time.
 */
static int64_t
forwarded_asks(struct uf *u, struct forward *fw, struct clients *c)
{
	struct scene s;
	int64_t r;

	scene_init(&s, u);
	served(&s);
	uf_side_init(&c->ca, "10.0.0.6", 40001, 3000);
	uf_side_init(&c->cb, "10.0.0.7", 40002, 4000);
	c->ga = c->gb = u->srv;
	uf_at(u, s.req_ts + 1 * UF_S);
	uf_handshake(u, &c->ca, &c->ga);
	uf_handshake(u, &c->cb, &c->gb);
	r = s.req_ts + 2 * UF_S;
	uf_at(u, r);
	uf_get(u, &c->ca, &c->ga, URL_B, HOST);
	uf_at(u, r + fw->a_to_b);
	uf_get(u, &c->cb, &c->gb, URL_B, HOST);
	uf_at(u, r + fw->a_to_b + fw->b_to_up);
	uf_get(u, &s.out, &s.web, "/b", HOST);
	fw->up = (uint32_t)(u->fl.nmsgs - 1);
	uf_at(u, r + 60 * UF_MS);
	uf_status(u, &s.web, &s.out, 502);
	return r;
}

/* forwarded_asks; the gateway answers A 502, then B. */
static void
forwarded(struct uf *u, struct forward *fw)
{
	struct clients c;
	int64_t r = forwarded_asks(u, fw, &c);

	uf_at(u, r + 60 * UF_MS + 500 * 1000LL);
	uf_status(u, &c.ga, &c.ca, 502);
	uf_at(u, r + 61 * UF_MS);
	uf_status(u, &c.gb, &c.cb, 502);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 3);
}

/* Whose the upstream request is: A's (2), B's (3). */
static uint32_t
taken_by(void **state, int64_t a_to_b, int64_t b_to_up)
{
	struct uf *u = again(state);
	struct forward fw = { a_to_b, b_to_up, NONE32 };
	const struct txn *a, *b;

	forwarded(u, &fw);
	a = uf_txn(u, 2);
	b = uf_txn(u, 3);
	assert_true(u->fl.msgs[fw.up].dir == 0);
	if (a->d.up_req == fw.up) {
		expect_verdict(a, V_RELAYED, C_UPSTREAM_5XX);
		assert_int_equal(b->d.up_req, NONE32);
		return 2;
	}
	assert_int_equal(a->d.up_req, NONE32);
	expect_verdict(a, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(b->d.up_req, fw.up);
	expect_verdict(b, V_RELAYED, C_UPSTREAM_5XX);
	return 3;
}

static void
test_forwarded_for_the_later(void **state)
{
	const int64_t us = 1000;

	/* B 50 ms after A, the upstream request 0.5 ms after B: B's */
	assert_int_equal(taken_by(state, 50 * UF_MS, 500 * us), 3);
	/* at B's very time (a coarse clock), and 1 ms after B still B's;
	 * later than that, A's */
	assert_int_equal(taken_by(state, 50 * UF_MS, 0), 3);
	assert_int_equal(taken_by(state, 50 * UF_MS, DIAG_AMBIG_NS), 3);
	assert_int_equal(taken_by(state, 50 * UF_MS, DIAG_AMBIG_NS + 1), 2);
	/* B more than 1 ms after A: a later request; at 1 ms, not */
	assert_int_equal(taken_by(state, DIAG_AMBIG_NS + 1, 500 * us), 3);
	assert_int_equal(taken_by(state, DIAG_AMBIG_NS, 500 * us), 2);
}

/* Time passes: a look-up nobody asked for, at `at`. */
static void
later(struct uf *u, int64_t at)
{
	struct scene s;

	scene_init(&s, u);
	lookup_at(&s, at, "other.test", 0, addr300, 1);
}

/*
 * The same when B's story is over long before A's (the gateway answers
 * B at once, A only 5 s later) and a report that prints B retires it
 * before A settles. B's answer, 504, is not the reply's 502: B takes no
 * upstream request, so none is claimed, and only B's coming just before
 * it keeps A from taking it. A looks at B all the same (retire.c keeps
 * what of B it needs), so A's verdict is the whole read's, whichever
 * way it is read; once A is retired too, nothing of B is left.
 */
static void
test_forwarded_for_a_retired_one(void **state)
{
	static const uint8_t b_only[3] = { 0, 0, 1 }, all[3] = { 1, 1, 1 };

	for (int retire = 0; retire <= 1; retire++) {
		struct uf *u = again(state);
		struct forward fw = { 50 * UF_MS, 500 * 1000LL, NONE32 };
		struct clients c;
		int64_t r = forwarded_asks(u, &fw, &c);
		const struct txn *a;

		uf_at(u, r + 61 * UF_MS);
		uf_status(u, &c.gb, &c.cb, 504);
		later(u, r + 2 * UF_S);
		uf_diag_run(u, NULL, false);
		assert_true(uf_txn(u, 3)->settled);
		assert_int_equal(uf_txn(u, 3)->d.up_req, NONE32);
		assert_false(uf_txn(u, 2)->settled);
		if (retire)
			assert_int_equal(diag_retire(&u->dg, &u->fl, b_only),
			    1);
		uf_at(u, r + 5 * UF_S);
		uf_status(u, &c.ga, &c.ca, 502);
		later(u, r + 8 * UF_S);
		uf_slices_end(u);
		a = uf_txn(u, 2);
		assert_int_equal(a->d.up_req, NONE32);
		expect_verdict(a, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
		if (!retire)
			continue;
		assert_int_equal(u->dg.ngone, 1);
		assert_int_equal(diag_retire(&u->dg, &u->fl, all), 2);
		assert_int_equal(u->dg.ntxns, 0);
		assert_int_equal(u->dg.ngone, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forwarded_for_the_later,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_forwarded_for_a_retired_one, uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
