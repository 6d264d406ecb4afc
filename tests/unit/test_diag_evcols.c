/*
 * test_diag_evcols.c: the flow view's columns (evidence.h: ev.addr, the
 * first address seen per column): a look-up retried at a second DNS
 * server keeps the first server's column, and the gateway is the
 * address its clients reach, not the one it resolves or connects from.
 */
#include "diag_scene.h"
#include "diag/evidence.h"

static void
test_first_server_per_column(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side dns2;
	struct evidence ev = { 0 };
	const struct txn *t;
	char a[ADDR_STRLEN];

	uf_side_init(&dns2, "10.0.0.54", 53, 0);
	scene_init(&s, u);
	ask(&s);
	query(&s);
	uf_wait(u, 1 * UF_S);
	uf_dns_query(u, &s.res, &dns2, 0x500, HOST, DNS_T_A);
	uf_dns_answer(u, &dns2, &s.res, 0x500, HOST, DNS_T_A, 0, addr300, 1);
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.ndns, 2);
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_REPORT), 0);
	assert_string_equal(addr_fmt(&ev.addr[EC_DNS], a, sizeof a),
	    "10.0.0.53");
	assert_string_equal(addr_fmt(&ev.addr[EC_GATEWAY], a, sizeof a),
	    "10.0.0.1");
	assert_string_equal(addr_fmt(&ev.addr[EC_CLIENT], a, sizeof a),
	    "10.0.0.5");
	assert_string_equal(addr_fmt(&ev.addr[EC_UPSTREAM], a, sizeof a),
	    "192.0.2.10");
	assert_string_equal(evidence_find(&ev, EK_DNS_QUERY, 1)->peer,
	    "10.0.0.54");
	assert_string_equal(evidence_col_name(EC_UPSTREAM), "Upstream");
	assert_string_equal(evidence_col_name(EC_COUNT), "?");
	evidence_free(&ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_server_per_column,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
