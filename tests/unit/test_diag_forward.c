/*
 * test_diag_forward.c: whose is an upstream request forwarded on a
 * pooled connection (diag/link.c, forwarded_for_later): a gateway
 * forwards a request within a fraction of a millisecond, so one sent
 * within DIAG_AMBIG_NS (1 ms, inclusive) after a request for the same
 * URL that came more than 1 ms after an earlier one is the later
 * request's, even when the earlier one settles first and the reply
 * would fit it; the earlier one then has no upstream request.
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

/*
 * Request 1 is served on an upstream connection kept alive (frames
 * 1-10). At 2 s client A asks for /b, client B a_to_b later; b_to_up
 * after B's request the gateway sends GET /b on the pooled connection;
 * its reply is 502, and the gateway answers A 502, then B.
 */
static void
forwarded(struct uf *u, struct forward *fw)
{
	struct scene s;
	struct uf_side ca, ga, cb, gb;
	int64_t r;

	scene_init(&s, u);
	served(&s);
	uf_side_init(&ca, "10.0.0.6", 40001, 3000);
	uf_side_init(&cb, "10.0.0.7", 40002, 4000);
	ga = gb = u->srv;
	uf_at(u, s.req_ts + 1 * UF_S);
	uf_handshake(u, &ca, &ga);
	uf_handshake(u, &cb, &gb);
	r = s.req_ts + 2 * UF_S;
	uf_at(u, r);
	uf_get(u, &ca, &ga, URL_B, HOST);
	uf_at(u, r + fw->a_to_b);
	uf_get(u, &cb, &gb, URL_B, HOST);
	uf_at(u, r + fw->a_to_b + fw->b_to_up);
	uf_get(u, &s.out, &s.web, "/b", HOST);
	fw->up = (uint32_t)(u->fl.nmsgs - 1);
	uf_at(u, r + 60 * UF_MS);
	uf_status(u, &s.web, &s.out, 502);
	uf_at(u, r + 60 * UF_MS + 500 * 1000LL);
	uf_status(u, &ga, &ca, 502);
	uf_at(u, r + 61 * UF_MS);
	uf_status(u, &gb, &cb, 502);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_forwarded_for_the_later,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
