/*
 * test_diag_retire_late.c: retiring other transactions keeps what a
 * kept one refers to (diag.h: diag_retire), also its upstream request
 * whose reply came only after the gateway had given up (the reply is no
 * part of its story, so nothing else flags that pair: the request must
 * be kept for its own sake once its connection is closed).
 */
#include "diag_scene.h"

#define R (T0 + 10 * UF_S)

static void
test_request_of_a_late_reply_kept(void **state)
{
	static const uint8_t first_only[4] = { 1, 0, 0, 0 };
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2;
	const struct txn *t;
	uint64_t up;

	scene_init(&s, u);
	served(&s);				/* transaction 1 */
	uf_at(u, R);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL_B);
	s.out.port = 50001;
	uf_handshake(u, &s.out, &s.web);
	up = uf_get(u, &s.out, &s.web, "/b", HOST);
	uf_at(u, R + 5 * UF_S);
	uf_status(u, &gw2, &cli2, 504);		/* the gateway gives up */
	uf_fin(u, &s.out, &s.web);		/* and closes */
	uf_at(u, R + 6 * UF_S);
	uf_status(u, &s.web, &s.out, 200);	/* then the reply */
	uf_fin(u, &s.web, &s.out);
	uf_at(u, R + 20 * UF_S);
	uf_dns_query(u, &s.res, &s.dns, 0x99, "other.test", DNS_T_A);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 2);
	t = uf_txn(u, 2);
	assert_true(t->settled);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_equal(t->d.up_resp, NONE32);
	assert_int_equal(u->fl.msgs[t->d.up_req].head.number, up);

	assert_int_equal(diag_retire(&u->dg, &u->fl, first_only), 1);
	assert_int_equal(u->dg.ntxns, 1);
	t = uf_txn(u, 2);
	assert_true(t->d.up_req != NONE32);
	assert_int_equal(u->fl.msgs[t->d.up_req].head.number, up);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_request_of_a_late_reply_kept, uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
