/*
 * test_diag_retry.c: which of two next attempts the gateway's answer
 * followed (diag/link.c, fits_better): when the gateway, having given up
 * on the host's first address, tries two more at once, one refused just
 * before the answer beats one still waiting for its SYN's answer.
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

#include "unit_flow.h"
#include "diag_scene.h"

/*
 * HOST has three addresses; the SYNs to 192.0.2.10 go unanswered until
 * the gateway gives up (7 s); then it tries 192.0.2.11 (a SYN never
 * answered) and 192.0.2.12 (refused by RST 10 ms later) at once, and
 * answers 502 at 7.6 s.
 */
static void
test_refused_beats_waiting(void **state)
{
	static const struct uf_rr three[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
		{ DNS_T_A, NULL, 300, "192.0.2.12" },
	};
	struct uf *u = *state;
	struct scene s;
	struct uf_side o11, w11, o12, w12;
	const struct txn *t;
	uint64_t syn[3], s12;
	int64_t at;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 0, three, 3);
	at = u->next_ts_ns;
	syns_given_up(&s, syn);
	uf_side_init(&o11, "10.0.0.1", 50001, 8000);
	uf_side_init(&w11, "192.0.2.11", 80, 0);
	uf_side_init(&o12, "10.0.0.1", 50002, 8500);
	uf_side_init(&w12, "192.0.2.12", 80, 0);
	uf_at(u, at + 7 * UF_S);
	uf_syn(u, &o11, &w11);
	s12 = uf_syn(u, &o12, &w12);
	uf_at(u, at + 7 * UF_S + 10 * UF_MS);
	uf_rst(u, &w12, &o12);
	uf_at(u, at + 7600 * UF_MS);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, 2);
	assert_int_equal(conn_syn(&u->fl.conns[t->d.conns[0]], 0)->number,
	    syn[0]);
	assert_int_equal(conn_syn(&u->fl.conns[t->d.conns[1]], 0)->number, s12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_beats_waiting,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
