/*
 * test_diag_walks.c: the bounded walks of diag/link.c (diag_int.h): a
 * look-up still in flight and the gateway's cached answer are searched
 * among the last DIAG_CACHE_WALK (256) queries for the name, whoever
 * asked them, and no further; so is the first query of a look-up (the
 * A before the AAAA, and the sends before it), past other sockets'
 * queries, up to DIAG_LOOKUP_WALK (32) of its own. A look-up holds at most DIAG_MAX_DNS queries (the
 * first 16 of a socket's retries), up to one sent at the very instant
 * the gateway answered. The walks are per name: other names' look-ups
 * in between cost nothing. A capture flooded with the client's own queries for
 * the host costs a bounded walk, at the price of the older evidence.
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

/* The client (10.0.0.5) asks the DNS server for HOST n times, 100 us
 * apart from `at`, answered (one address) when `answered`. */
static void
client_floods(struct scene *s, int64_t at, int n, bool answered)
{
	struct uf_side me;

	uf_side_init(&me, "10.0.0.5", 41000, 0);
	for (int k = 0; k < n; k++) {
		uint16_t id = (uint16_t)(0x4000 + k);

		uf_at(s->u, at + k * 100 * 1000LL);
		uf_dns_query(s->u, &me, &s->dns, id, HOST, DNS_T_A);
		if (answered)
			uf_dns_answer(s->u, &s->dns, &me, id, HOST, DNS_T_A,
			    0, addr300, 1);
	}
}

/*
 * The gateway asks for HOST at T0 and never hears back; then the client
 * asks the DNS server for HOST `others` times itself; then it asks the
 * proxy, which answers 502 2 s later.
 */
static const struct txn *
in_flight_behind(void **state, int others)
{
	struct uf *u = again(state);
	struct scene s;
	uint64_t q;

	scene_init(&s, u);
	q = query(&s);
	client_floods(&s, T0 + 10 * UF_MS, others, false);
	uf_at(u, T0 + 100 * UF_MS);
	ask(&s);
	uf_at(u, s.req_ts + 2 * UF_S);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	assert_int_equal(u->fl.dns[0].query.number, q);
	return uf_txn(u, 1);
}

static void
test_in_flight_walk(void **state)
{
	const struct txn *t;

	t = in_flight_behind(state, DIAG_CACHE_WALK - 1);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_int_equal(t->d.ndns, 1);
	assert_int_equal(t->d.dns[0], 0);
	t = in_flight_behind(state, DIAG_CACHE_WALK);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.ndns, 0);
}

/*
 * The gateway resolved HOST at T0 (TTL 300); the client then resolves
 * it `others` times itself; then it asks the proxy, the gateway's SYN to
 * the cached address is refused and it answers 502.
 */
static const struct txn *
cached_behind(void **state, int others)
{
	struct uf *u = again(state);
	struct scene s;

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	client_floods(&s, T0 + 10 * UF_MS, others, true);
	uf_at(u, T0 + 200 * UF_MS);
	ask_refused(&s);
	uf_diagnose(u);
	return uf_txn(u, 1);
}

static void
test_cache_walk(void **state)
{
	const struct txn *t;

	t = cached_behind(state, DIAG_CACHE_WALK - 1);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.dns_link, LINK_CACHE);
	assert_int_equal(t->d.ndns, 1);
	assert_int_equal(t->d.dns[0], 0);
	t = cached_behind(state, DIAG_CACHE_WALK);
	assert_int_equal(t->d.ndns, 0);
	assert_int_equal(t->d.nconns, 0);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
}

/*
 * The gateway's socket 33000 asks for HOST 100 ms before the request
 * (never answered) and again 1 ms after it (answered NXDOMAIN); between
 * the two, `others` queries for HOST from its other sockets (33001 on,
 * never answered) 0.25 ms apart. Returns the request's look-up.
 */
static const struct txn *
lookup_behind(void **state, int others)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side res2;

	scene_init(&s, u);
	uf_at(u, T0);
	query(&s);
	for (int k = 0; k < others; k++) {
		res2 = s.res;
		res2.port = (uint16_t)(33001 + k);
		uf_at(u, T0 + 10 * UF_MS + k * UF_MS / 4);
		uf_dns_query(u, &res2, &s.dns, (uint16_t)(0x2000 + k), HOST,
		    DNS_T_A);
	}
	uf_at(u, T0 + 100 * UF_MS);
	ask(&s);
	query(&s);
	answer(&s, 3, NULL, 0);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	return uf_txn(u, 1);
}

static void
test_lookup_start_walk(void **state)
{
	const struct txn *t;

	/* 255 others: the query 100 ms before is the look-up's first */
	t = lookup_behind(state, DIAG_CACHE_WALK - 1);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	assert_int_equal(t->d.ndns, 2);
	assert_int_equal(t->d.dns[0], 0);
	assert_int_equal(t->d.dns[1], DIAG_CACHE_WALK);
	/* 256 others: the walk stops before it; the look-up starts after
	 * the request */
	t = lookup_behind(state, DIAG_CACHE_WALK);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	assert_int_equal(t->d.ndns, 1);
	assert_int_equal(t->d.dns[0], DIAG_CACHE_WALK + 1);
}

/* The gateway's socket asks for HOST `n` times, 100 ms apart, never
 * answered; the last query and the 502 share one instant. */
static const struct txn *
retries(void **state, int n)
{
	struct uf *u = again(state);
	struct scene s;
	int64_t at;

	scene_init(&s, u);
	ask(&s);
	at = u->next_ts_ns;
	for (int k = 0; k < n; k++) {
		uf_at(u, at + k * 100 * UF_MS);
		uf_dns_query(u, &s.res, &s.dns, 0x500, HOST, DNS_T_A);
	}
	uf_at(u, at + (n - 1) * 100 * UF_MS);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	return uf_txn(u, 1);
}

static void
test_lookup_size(void **state)
{
	const struct txn *t;

	t = retries(state, 3);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_int_equal(t->d.ndns, 3);
	t = retries(state, DIAG_MAX_DNS + 4);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	/* the first query and the newest: an answer would come last */
	assert_int_equal(t->d.ndns, DIAG_MAX_DNS);
	assert_int_equal(t->d.dns[0], 0);
	for (unsigned k = 1; k < t->d.ndns; k++)
		assert_int_equal(t->d.dns[k], k + 4);
	assert_int_equal(t->d.nconns, 0);
}

/* The cached answer is found behind 300 look-ups of other names. */
static void
test_walks_per_name(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	char name[32];

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	for (int k = 0; k < 300; k++) {
		snprintf(name, sizeof name, "n%d.test", k);
		uf_dns_query(u, &s.res, &s.dns, (uint16_t)(0x6000 + k), name,
		    DNS_T_A);
		uf_dns_answer(u, &s.dns, &s.res, (uint16_t)(0x6000 + k), name,
		    DNS_T_A, 0, addr300, 1);
	}
	uf_wait(u, 1 * UF_S);
	t = refused_from_cache(&s);
	assert_int_equal(t->d.ndns, 1);
	assert_int_equal(t->d.dns[0], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_flight_walk, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_cache_walk, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_lookup_start_walk,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_lookup_size, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_walks_per_name, uf_setup,
		    uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
