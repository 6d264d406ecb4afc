/*
 * test_diag_link_claims.c: who takes evidence two requests could both
 * have (diag/link.c, diag.h). Transactions settle in the order their
 * stories ended, then in request order: the first to settle takes the
 * nearest unclaimed evidence, and one that finds it taken shares it
 * (flagged shared). Two stories that end at the same instant settle in
 * request order, whichever way the run is cut. A look-up another
 * request took while an earlier answer's TTL still ran says the cache
 * no longer held the host (a gateway asks only for what it does not
 * know): a request that came before that query went out waited for it
 * too, and shares it.
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
 * HOST's address cached. Client 1 (10.0.0.5) asks at R, client 2
 * (10.0.0.6) at R + 5 ms; the gateway's one SYN to 192.0.2.10 goes at
 * R + 6 ms and is refused 1 ms later; the gateway answers client 1 at
 * R + 10 ms + `gap1` and client 2 at R + 10 ms.
 */
static void
one_refusal_two_requests(struct uf *u, int64_t gap1)
{
	struct scene s;
	struct uf_side cli[2], gw[2], out[2];
	int64_t r = clients_cached(&s, u, 2, cli, gw, out);

	uf_at(u, r);
	uf_get(u, &cli[0], &gw[0], URL, HOST);
	uf_at(u, r + 5 * UF_MS);
	uf_get(u, &cli[1], &gw[1], URL, HOST);
	uf_at(u, r + 6 * UF_MS);
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	if (gap1 < 0) {
		uf_at(u, r + 10 * UF_MS + gap1);
		uf_status(u, &gw[0], &cli[0], 502);
		uf_at(u, r + 10 * UF_MS);
		uf_status(u, &gw[1], &cli[1], 502);
	} else {
		uf_at(u, r + 10 * UF_MS);
		uf_status(u, &gw[1], &cli[1], 502);
		uf_at(u, r + 10 * UF_MS + gap1);
		uf_status(u, &gw[0], &cli[0], 502);
	}
}

/* Which of the two took the refusal for itself (1 or 2; the other
 * shares it). */
static int
taker(const struct uf *u)
{
	const struct txn *t1 = uf_txn((struct uf *)u, 1);
	const struct txn *t2 = uf_txn((struct uf *)u, 2);

	expect_verdict(t1, V_CANNOT_CONNECT, C_TCP_RST);
	expect_verdict(t2, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t1->d.nconns, 1);
	assert_int_equal(t2->d.nconns, 1);
	assert_int_equal(t1->d.conns[0], t2->d.conns[0]);
	assert_true(t1->d.shared != t2->d.shared);
	return t1->d.shared ? 2 : 1;
}

static void
test_same_end_request_order(void **state)
{
	struct uf *u = *state;

	one_refusal_two_requests(u, 0);
	uf_diagnose(u);
	assert_int_equal(taker(u), 1);
	/* in steps of one transaction */
	uf_diag_start(u, NULL);
	diag_update(&u->dg, &u->fl);
	for (int k = 0; k < 64 && !diag_run_step(&u->dg, &u->fl, true, 1);
	    k++)
		;
	assert_int_equal(taker(u), 1);
}

static void
test_first_ended_takes(void **state)
{
	struct uf *u = *state;

	/* client 2's story ended first */
	one_refusal_two_requests(u, 1);
	uf_diagnose(u);
	assert_int_equal(taker(u), 2);
	u = again(state);
	one_refusal_two_requests(u, -1);
	uf_diagnose(u);
	assert_int_equal(taker(u), 1);
}

/*
 * HOST's address cached 10 s before (TTL 300 s). Client 1 asks at R,
 * client 2 at R + 2 ms; the gateway asks for HOST at R + 3 ms (NXDOMAIN)
 * and answers client 1 502 at R + 10 ms, client 2 502 at R + 20 ms. A
 * gateway asks for a name only when its cache no longer holds it
 * (evicted, flushed, whatever the TTL said): client 2, who came before
 * the query went out, waited for that look-up too, and was not served
 * from the cache. The look-up is client 1's own; client 2 shares it.
 */
static void
test_taken_lookup_asked_again(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli[2], gw[2], out[2];
	const struct txn *t1, *t2;
	int64_t r;

	scene_init(&s, u);
	lookup_at(&s, T0 - 10 * UF_S, HOST, 0, addr300, 1);
	uf_at(u, T0);
	clients_connect(&s, 2, cli, gw, out);
	r = u->next_ts_ns + 10 * UF_MS;
	uf_at(u, r);
	uf_get(u, &cli[0], &gw[0], URL, HOST);
	uf_at(u, r + 2 * UF_MS);
	uf_get(u, &cli[1], &gw[1], URL, HOST);
	lookup_at(&s, r + 3 * UF_MS, HOST, 3, NULL, 0);
	uf_at(u, r + 10 * UF_MS);
	uf_status(u, &gw[0], &cli[0], 502);
	uf_at(u, r + 20 * UF_MS);
	uf_status(u, &gw[1], &cli[1], 502);
	uf_diagnose(u);
	t1 = uf_txn(u, 1);
	t2 = uf_txn(u, 2);
	expect_verdict(t1, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	assert_int_equal(t1->d.dns_link, LINK_TIME);
	assert_false(t1->d.shared);
	expect_verdict(t2, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	assert_int_equal(t2->d.ndns, 1);
	assert_int_equal(t2->d.dns[0], t1->d.dns[0]);
	assert_true(t2->d.shared);
}

/*
 * HOST's address cached; the gateway keeps a connection to it from port
 * 50002, used before. Client 1 asks for URL at R, client 2 at R + 76 us.
 * The gateway sends client 1's request on the kept connection at
 * R + 170 us; for client 2 it connects from 50001 at R + 250 us (the SYN
 * sent again 1 s later, never answered) and answers it 502 3 s after
 * (its connect timeout). The kept connection stays silent until the
 * gateway answers client 1 504 at R + 14 s and closes it. Client 2
 * settles first and must not take client 1's exchange: a gateway that
 * gives up on a request it sent closes that connection, and this one
 * was still open when client 2 was answered.
 */
static void
test_silent_exchange_still_open(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli[2], gw[2], out[2], pool;
	const struct txn *t1, *t2;
	int64_t r = clients_and_pool(&s, u, 2, cli, gw, out,
	    &pool);

	uf_at(u, r);
	uf_get(u, &cli[0], &gw[0], URL, HOST);
	uf_at(u, r + 76 * 1000LL);
	uf_get(u, &cli[1], &gw[1], URL, HOST);
	uf_at(u, r + 170 * 1000LL);
	uf_get(u, &pool, &s.web, "/", HOST);
	for (int64_t at = r + 250 * 1000LL; at < r + 2 * UF_S; at += UF_S) {
		uf_at(u, at);
		uf_syn(u, &out[1], &s.web);
	}
	uf_at(u, r + 3 * UF_S + 250 * 1000LL);
	uf_status(u, &gw[1], &cli[1], 502);
	uf_at(u, r + 14 * UF_S);
	uf_status(u, &gw[0], &cli[0], 504);
	uf_fin(u, &pool, &s.web);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	t1 = uf_txn(u, 1);
	t2 = uf_txn(u, 2);
	expect_verdict(t2, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(t2->d.up_req, NONE32);
	expect_verdict(t1, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_not_equal(t1->d.up_req, NONE32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_end_request_order,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_first_ended_takes,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_silent_exchange_still_open, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_taken_lookup_asked_again,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
