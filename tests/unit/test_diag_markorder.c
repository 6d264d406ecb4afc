/*
 * test_diag_markorder.c: an eviction keeps what the earliest open
 * request of a host and port may still link to (diag/mark.c: windows
 * of one host and port are walked earliest first, and the later ones
 * find the host walked). A asks at R, B (same host, port 80) at R + 3 s;
 * a look-up at R + 1 s gives a new address, .77; an idle SYN of the
 * gateway to .77 at R + 0.5 s lies in A's window only (B's cache and
 * look-ups start later), and so does one at R + 0.6 s: A links one as
 * its attempt, only the walk of A's window keeps the other. Both stay;
 * one just before A's window goes.
 */
#include "diag_scene.h"

#define R (T0 + 10 * UF_S)

static const struct uf_rr at77[] = { { DNS_T_A, NULL, 300, "192.0.2.77" } };

static uint64_t
idle_syn(struct uf *u, int64_t at, uint16_t sport)
{
	struct uf_side from, to;

	uf_side_init(&from, "10.0.0.1", sport, 100);
	uf_side_init(&to, "192.0.2.77", 80, 0);
	uf_at(u, at);
	return uf_syn(u, &from, &to);
}

static bool
kept(const struct uf *u, uint64_t frame)
{
	for (size_t i = 0; i < u->fl.nconns; i++)
		if (u->fl.conns[i].first.number == frame)
			return true;
	return false;
}

static void
test_earliest_window_walks(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2;
	uint64_t before, inside[2];

	scene_init(&s, u);
	before = idle_syn(u, R - 300 * UF_MS, 50300);
	uf_at(u, R - 2 * UF_MS);
	ask(&s);
	assert_int_equal(s.req_ts, R);
	inside[0] = idle_syn(u, R + 500 * UF_MS, 50301);
	inside[1] = idle_syn(u, R + 600 * UF_MS, 50302);
	uf_at(u, R + 1 * UF_S);
	query(&s);
	answer(&s, 0, at77, 1);
	for (uint16_t k = 0; k < 6; k++)	/* others' idle attempts */
		idle_syn(u, R + 2 * UF_S, (uint16_t)(50400 + k));
	uf_at(u, R + 3 * UF_S - 2 * UF_MS);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	uf_wait(u, 1 * UF_S);
	uf_dns_query(u, &s.res, &s.dns, 0x77, "other.test", DNS_T_A);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 2);
	assert_false(uf_txn(u, 1)->settled);
	assert_false(uf_txn(u, 2)->settled);
	flow_set_conn_budget(&u->fl, 4);
	assert_true(diag_evict(&u->dg, &u->fl) > 0);
	assert_true(kept(u, inside[0]));
	assert_true(kept(u, inside[1]));
	assert_false(kept(u, before));
}

static bool
lookup_kept(const struct uf *u, uint64_t frame)
{
	for (size_t i = 0; i < u->fl.ndns; i++)
		if (u->fl.dns[i].query.number == frame)
			return true;
	return false;
}

/*
 * Retiring a served request keeps the look-ups of HOST in an open
 * request's window that nothing else keeps: A asks at R, its SYNs go
 * unanswered; at R + 5 s the gateway asks for HOST again (no request of
 * its own; A's attempt came long before), and at R + 6 s (the newest
 * answer, which the gateway's cache keeps); the capture goes on to R +
 * 10 s, so they are older than what a retirement keeps as recent.
 */
static void
test_window_keeps_lookups(void **state)
{
	static uint8_t all[8];
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2;
	uint64_t later, cached;

	scene_init(&s, u);
	cached = lookup_at(&s, R - 10 * UF_S, HOST, 0, addr300, 1);
	uf_at(u, R - 9 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL_B);
	uf_status(u, &gw2, &cli2, 404);
	uf_at(u, R - 2 * UF_MS);
	ask(&s);
	uf_syn(u, &s.out, &s.web);
	later = lookup_at(&s, R + 5 * UF_S, HOST, 0, addr300, 1);
	lookup_at(&s, R + 6 * UF_S, HOST, 0, addr300, 1);	/* the newest */
	uf_at(u, R + 10 * UF_S);
	uf_dns_query(u, &s.res, &s.dns, 0x99, "other.test", DNS_T_A);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 2);
	assert_true(uf_txn(u, 1)->settled);
	assert_false(uf_txn(u, 2)->settled);
	all[0] = all[1] = 1;
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 1);
	assert_true(lookup_kept(u, later));
	assert_true(lookup_kept(u, cached));	/* A's cached answer */
}

/*
 * A look-up in an open request's window gives two addresses: idle
 * attempts to either, in the window, stay (every address the walk
 * collects is marked, the last of the sorted ones included).
 */
static void
test_every_address_marked(void **state)
{
	static const struct uf_rr two[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.77" },
		{ DNS_T_A, NULL, 300, "192.0.2.78" },
	};
	struct uf *u = *state;
	struct scene s;
	struct uf_side from, to;
	uint64_t idle[2][2];

	scene_init(&s, u);
	uf_at(u, R - 2 * UF_MS);
	ask(&s);
	for (int a = 0; a < 2; a++)
		for (int k = 0; k < 2; k++) {
			uf_side_init(&from, "10.0.0.1",
			    (uint16_t)(50500 + 2 * a + k), 100);
			uf_side_init(&to, a ? "192.0.2.78" : "192.0.2.77", 80,
			    0);
			uf_at(u, R + (500 + 100 * (2 * a + k)) * UF_MS);
			idle[a][k] = uf_syn(u, &from, &to);
		}
	uf_at(u, R + 1 * UF_S);
	query(&s);
	answer(&s, 0, two, 2);
	uf_side_init(&to, "198.51.100.4", 80, 0);
	for (uint16_t k = 0; k < 6; k++) {	/* elsewhere: these go */
		uf_side_init(&from, "10.0.0.1", (uint16_t)(50600 + k), 100);
		uf_syn(u, &from, &to);
	}
	uf_at(u, R + 3 * UF_S);
	uf_dns_query(u, &s.res, &s.dns, 0x77, "other.test", DNS_T_A);
	uf_diag_run(u, NULL, false);
	assert_false(uf_txn(u, 1)->settled);
	flow_set_conn_budget(&u->fl, 4);
	assert_true(diag_evict(&u->dg, &u->fl) > 0);
	for (int a = 0; a < 2; a++)
		for (int k = 0; k < 2; k++)
			assert_true(kept(u, idle[a][k]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_earliest_window_walks,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_window_keeps_lookups,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_every_address_marked,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
