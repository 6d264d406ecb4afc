/*
 * test_diag_link_nearest.c: which of a host's connection attempts is
 * nearest a request (diag/link.c, DESIGN §2): an attempt at the very
 * instant of the request is at distance zero and beats any later one;
 * of two at one instant, to two of the host's addresses, the one
 * captured first is the request's. The attempts that follow it (the
 * gateway's retries) are those started once it was over.
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
 * HOST has two addresses (cached). The client asks at R; the gateway's
 * SYN to 192.0.2.10 goes at R + `at10`, to 192.0.2.11 at R + `at11`
 * (fed in that order), each refused 1 ms after it unless `silent11`;
 * the gateway answers 502 at R + 150 ms. Returns the linked attempts'
 * addresses' last octets, in order, as a number (10, 11, 1011, 1110).
 */
static int
attempts(void **state, int64_t at10, int64_t at11, bool silent11)
{
	static const struct uf_rr two[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
	};
	struct uf *u = again(state);
	struct scene s;
	struct uf_side o11, w11;
	const struct txn *t;
	int64_t r;
	int got = 0;

	scene_init(&s, u);
	uf_side_init(&o11, "10.0.0.1", 50001, 8000);
	uf_side_init(&w11, "192.0.2.11", 80, 9500);
	query(&s);
	answer(&s, 0, two, 2);
	uf_handshake(u, &u->cli, &u->srv);
	r = u->next_ts_ns + 10 * UF_MS;
	uf_at(u, r);
	uf_get(u, &u->cli, &u->srv, URL, HOST);
	uf_at(u, r + at10);
	uf_syn(u, &s.out, &s.web);
	if (at11 > at10) {
		uf_at(u, r + at10 + 1 * UF_MS);
		uf_rst(u, &s.web, &s.out);
	}
	uf_at(u, r + at11);
	uf_syn(u, &o11, &w11);
	if (at11 == at10) {
		uf_at(u, r + at10 + 1 * UF_MS);
		uf_rst(u, &s.web, &s.out);
	}
	if (!silent11) {
		uf_at(u, r + at11 + 1 * UF_MS);
		uf_rst(u, &w11, &o11);
	}
	uf_at(u, r + 150 * UF_MS);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	for (unsigned k = 0; k < t->d.nconns; k++)
		got = got * 100 + u->fl.conns[t->d.conns[k]].saddr.a[3];
	return got;
}

/* At the request's instant: distance zero, then its retry 100 ms on. */
static void
test_at_the_request_instant(void **state)
{
	assert_int_equal(attempts(state, 0, 100 * UF_MS, false), 1011);
	assert_int_equal(attempts(state, 1 * UF_MS, 100 * UF_MS, false),
	    1011);
}

/* Two at one instant: the first captured (to 192.0.2.10), refused; the
 * other, started before that refusal, is no retry of it. */
static void
test_same_instant_first_captured(void **state)
{
	assert_int_equal(attempts(state, 5 * UF_MS, 5 * UF_MS, true), 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_at_the_request_instant,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_same_instant_first_captured, uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
