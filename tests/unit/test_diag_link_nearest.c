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
 * (at one instant: to 192.0.2.10 first), each refused 1 ms after it
 * unless `silent11`; the gateway answers 502 at R + 600 ms. Returns the
 * linked attempts' addresses' last octets, in order, as a number (10,
 * 11, 1011, 1110).
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
	struct uf_side out[2], web[2];
	const int64_t at[2] = { at10, at11 };
	const struct txn *t;
	int64_t r;
	int got = 0, first = at11 < at10;

	scene_init(&s, u);
	out[0] = s.out;
	web[0] = s.web;
	uf_side_init(&out[1], "10.0.0.1", 50001, 8000);
	uf_side_init(&web[1], "192.0.2.11", 80, 9500);
	query(&s);
	answer(&s, 0, two, 2);
	uf_handshake(u, &u->cli, &u->srv);
	r = u->next_ts_ns + 10 * UF_MS;
	uf_at(u, r);
	uf_get(u, &u->cli, &u->srv, URL, HOST);
	/* in time order: the first SYN, the second SYN unless later than
	 * the first's refusal, the refusals, the second SYN if later */
	uf_at(u, r + at[first]);
	uf_syn(u, &out[first], &web[first]);
	if (at[!first] <= at[first] + 1 * UF_MS) {
		uf_at(u, r + at[!first]);
		uf_syn(u, &out[!first], &web[!first]);
	}
	for (int k = 0; k < 2; k++) {
		int j = k ? !first : first;

		if (k == 1 && at[!first] > at[first] + 1 * UF_MS) {
			uf_at(u, r + at[!first]);
			uf_syn(u, &out[!first], &web[!first]);
		}
		if (j == 1 && silent11)
			continue;
		uf_at(u, r + at[j] + 1 * UF_MS);
		uf_rst(u, &web[j], &out[j]);
	}
	uf_at(u, r + 600 * UF_MS);
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
	/* the nearer, whichever address the look-up gave first */
	assert_int_equal(attempts(state, 100 * UF_MS, 0, false), 1110);
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
