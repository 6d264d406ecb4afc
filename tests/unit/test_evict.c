/*
 * test_evict.c: the connection budget (issue 13, F2). A SYN flood is
 * evicted down to the budget, the least recently active first, and
 * counted; connections that carried data stay; and a request whose
 * upstream SYNs go unanswered in the middle of the flood keeps every one
 * of them as its evidence (syn-unanswered), the same frames a run
 * without a budget finds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_flow.h"

#define HOST "www.test"
#define URL "http://" HOST "/"
#define BUDGET 64
#define FLOOD_EVERY 100		/* flood SYNs between two frames of the story */

static unsigned flood_sent;

/* One SYN of the flood: the gateway to a new port of another host. */
static void
flood_syn(struct uf *u)
{
	struct uf_side from, to;

	uf_side_init(&from, "10.0.0.1", (uint16_t)(10000 + flood_sent % 50000),
	    flood_sent);
	uf_side_init(&to, "198.51.100.7", (uint16_t)(1 + flood_sent % 65535),
	    0);
	flood_sent++;
	uf_syn(u, &from, &to);
}

/* n SYNs of the flood (each frame is a slice: uf_slices_begin) */
static void
flood(struct uf *u, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		flood_syn(u);
}

/* After every frame, as engine_step and engine_diagnose do. */
static void
slice_evicting(struct uf *u)
{
	diag_update(&u->dg, &u->fl);
	assert_true(diag_evict(&u->dg, &u->fl) >= 0);
	diag_run(&u->dg, &u->fl, false);
	/* an eviction is due only past the budget, and then it ran */
	assert_false(flow_wants_evict(&u->fl));
}

static const struct uf_rr resolved[] = {
	{ DNS_T_A, HOST, 60, "192.0.2.10" },
};

struct story {
	uint64_t syn[3], resp;
	enum verdict verdict;
	enum cause cause;
	unsigned nconns;
	struct syn_series ss;
};

/*
 * A client asks the proxy for URL inside a SYN flood; the gateway
 * resolves it and tries 192.0.2.10:80 three times (at 20, 21 and 23 s),
 * never answered, and gives the client a 502 at 30 s.
 */
static void
story(struct uf *u, size_t budget, struct story *st)
{
	struct uf_side res, dns, out, web;
	const struct txn *t;
	const int64_t at[3] = { 20 * UF_S, 21 * UF_S, 23 * UF_S };

	memset(st, 0, sizeof *st);
	flood_sent = 0;
	flow_set_conn_budget(&u->fl, budget);
	uf_side_init(&res, "10.0.0.1", 33000, 0);
	uf_side_init(&dns, "10.0.0.53", 53, 0);
	uf_side_init(&out, "10.0.0.1", 50000, 7000);
	uf_side_init(&web, "192.0.2.10", 80, 9000);
	uf_slices_begin(u, NULL);
	u->after_frame = slice_evicting;
	uf_at(u, 10 * UF_S);
	flood(u, 3 * FLOOD_EVERY);
	uf_handshake(u, &u->cli, &u->srv);
	flood(u, FLOOD_EVERY);
	uf_get(u, &u->cli, &u->srv, URL, HOST);
	flood(u, FLOOD_EVERY);
	uf_dns_query(u, &res, &dns, 0x100, HOST, DNS_T_A);
	flood(u, FLOOD_EVERY);
	uf_dns_answer(u, &dns, &res, 0x100, HOST, DNS_T_A, 0, resolved, 1);
	for (int i = 0; i < 3; i++) {
		uf_at(u, at[i]);
		flood(u, FLOOD_EVERY);
		st->syn[i] = uf_syn(u, &out, &web);
		flood(u, FLOOD_EVERY);
	}
	uf_at(u, 30 * UF_S);
	flood(u, 2 * FLOOD_EVERY);
	st->resp = uf_status(u, &u->srv, &u->cli, 502);
	flood(u, 3 * FLOOD_EVERY);
	uf_slices_end(u);
	assert_int_equal(u->dg.ntxns, 1);
	t = &u->dg.txns[0];
	st->verdict = t->d.verdict;
	st->cause = t->d.cause;
	st->nconns = t->d.nconns;
	diag_syn_series(&u->fl, t, u->fl.stats.last_ts, &st->ss);
}

static void
evidence_kept_in_flood(void **state)
{
	struct uf *u = *state;
	struct story unbudgeted, flooded;

	story(u, 0, &unbudgeted);
	assert_int_equal(u->fl.stats.conns_evicted, 0);
	uf_teardown(state);
	uf_setup(state);
	u = *state;
	story(u, BUDGET, &flooded);
	/* the flood was evicted: the model holds about the budget */
	assert_true(flood_sent > 10 * BUDGET);
	assert_true(u->fl.stats.conns_evicted >= flood_sent - BUDGET);
	assert_true(u->fl.nconns <= BUDGET);
	/* and the story is told as without a budget */
	assert_int_equal(flooded.verdict, V_CANNOT_CONNECT);
	assert_int_equal(flooded.cause, C_SYN_UNANSWERED);
	assert_int_equal(unbudgeted.verdict, V_CANNOT_CONNECT);
	assert_int_equal(unbudgeted.cause, C_SYN_UNANSWERED);
	assert_int_equal(flooded.nconns, 1);
	assert_int_equal(flooded.ss.n, 3);
	assert_int_equal(unbudgeted.ss.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(flooded.ss.syn[i].number, flooded.syn[i]);
		assert_int_equal(unbudgeted.ss.syn[i].number, flooded.syn[i]);
	}
}

/* Oldest first; what carried data stays however old; counted. */
static void
flood_evicted_oldest_first(void **state)
{
	struct uf *u = *state;
	struct uf_side a, b;
	uint64_t total;

	flood_sent = 0;
	flow_set_conn_budget(&u->fl, BUDGET);
	uf_slices_begin(u, NULL);
	u->after_frame = slice_evicting;
	/* an old connection that carried data (not HTTP) */
	uf_side_init(&a, "10.0.0.9", 40001, 100);
	uf_side_init(&b, "203.0.113.5", 22, 200);
	uf_handshake(u, &a, &b);
	uf_send(u, &a, &b, "SSH-2.0-x\r\n");
	flood(u, 10 * BUDGET);
	total = flood_sent + 1;
	assert_int_equal(u->fl.nconns + u->fl.stats.conns_evicted, total);
	assert_true(u->fl.nconns <= BUDGET);
	/* it stayed, first of all */
	assert_int_equal(u->fl.conns[0].sport, 22);
	/* the newest SYNs of the flood stayed, in order */
	for (size_t i = 1; i < u->fl.nconns; i++)
		assert_true(u->fl.conns[i].first.ts_ns >
		    u->fl.conns[i - 1].first.ts_ns);
	assert_int_equal(u->fl.conns[u->fl.nconns - 1].sport,
	    (uint16_t)(1 + (flood_sent - 1) % 65535));
	uf_slices_end(u);
}

/*
 * Over the budget, every connection that carried nothing is one an open
 * request may still link to (its attempts to the address its look-up
 * gave): none goes, nothing else either, and the next eviction is due a
 * quarter later.
 */
static void
needed_idle_connections_stay(void **state)
{
	struct uf *u = *state;
	struct uf_side res, dns, out, web, a, b;
	size_t nconns, nmsgs, ndns;

	flow_set_conn_budget(&u->fl, 4);
	uf_side_init(&res, "10.0.0.1", 33000, 0);
	uf_side_init(&dns, "10.0.0.53", 53, 0);
	uf_side_init(&web, "192.0.2.10", 80, 9000);
	/* what no request needs, but that is no idle connection, stays */
	uf_side_init(&a, "10.0.0.9", 40001, 100);
	uf_side_init(&b, "203.0.113.5", 22, 200);
	uf_at(u, 1 * UF_S);
	uf_handshake(u, &a, &b);
	uf_send(u, &a, &b, "SSH-2.0-x\r\n");
	uf_dns_query(u, &res, &dns, 0x99, "other.test", DNS_T_A);
	uf_at(u, 10 * UF_S);
	uf_handshake(u, &u->cli, &u->srv);
	uf_get(u, &u->cli, &u->srv, URL, HOST);
	uf_dns_query(u, &res, &dns, 0x100, HOST, DNS_T_A);
	uf_dns_answer(u, &dns, &res, 0x100, HOST, DNS_T_A, 0, resolved, 1);
	for (uint16_t i = 0; i < 6; i++) {
		uf_side_init(&out, "10.0.0.1", (uint16_t)(50000 + i),
		    7000u + i);
		uf_at(u, (11 + i) * UF_S);
		uf_syn(u, &out, &web);
	}
	assert_true(flow_wants_evict(&u->fl));
	uf_diag_start(u, NULL);
	diag_update(&u->dg, &u->fl);
	nconns = u->fl.nconns;
	nmsgs = u->fl.nmsgs;
	ndns = u->fl.ndns;
	assert_int_equal(nconns, 8);
	assert_int_equal(ndns, 2);
	assert_int_equal(diag_evict(&u->dg, &u->fl), 0);
	assert_int_equal(u->fl.nconns, nconns);
	assert_int_equal(u->fl.nmsgs, nmsgs);
	assert_int_equal(u->fl.ndns, ndns);
	assert_int_equal(u->fl.conns[0].sport, 22);
	assert_int_equal(u->dg.ntxns, 1);
	assert_int_equal(u->fl.stats.conns_evicted, 0);
	assert_false(flow_wants_evict(&u->fl));
	for (size_t i = 2; i < nconns; i++)
		assert_int_equal(u->fl.conns[i].sport, 80);
}

/*
 * Over the budget with one idle connection among forty that carried
 * data (a gateway with more requests waiting than the budget): a pass
 * would walk the whole model to free one, so none runs; the next is due
 * a quarter later.
 */
static void
few_idle_among_busy_stay(void **state)
{
	struct uf *u = *state;
	struct uf_side a, b;

	flow_set_conn_budget(&u->fl, 16);
	uf_side_init(&a, "10.0.0.9", 39999, 100);
	uf_side_init(&b, "198.51.100.7", 80, 200);
	uf_at(u, 1 * UF_S);
	uf_syn(u, &a, &b);	/* idle, the oldest, needed by nothing */
	uf_side_init(&b, "203.0.113.5", 22, 200);
	for (uint16_t i = 0; i < 40; i++) {
		uf_side_init(&a, "10.0.0.9", (uint16_t)(40000 + i), 100);
		uf_at(u, (2 + i) * UF_S);
		uf_handshake(u, &a, &b);
		uf_send(u, &a, &b, "SSH-2.0-x\r\n");
	}
	assert_int_equal(u->fl.nconns, 41);
	assert_true(flow_wants_evict(&u->fl));
	uf_diag_start(u, NULL);
	diag_update(&u->dg, &u->fl);
	assert_int_equal(diag_evict(&u->dg, &u->fl), 0);
	assert_int_equal(u->fl.nconns, 41);
	assert_int_equal(u->fl.conns[0].sport, 80);
	assert_int_equal(u->fl.stats.conns_evicted, 0);
	assert_false(flow_wants_evict(&u->fl));
}

/* Without a budget nothing is evicted, however many connections. */
static void
no_budget_no_eviction(void **state)
{
	struct uf *u = *state;

	flood_sent = 0;
	flow_set_conn_budget(&u->fl, 0);
	uf_slices_begin(u, NULL);
	u->after_frame = slice_evicting;
	flood(u, 4 * BUDGET);
	uf_slices_end(u);
	assert_int_equal(u->fl.nconns, 4 * BUDGET);
	assert_int_equal(u->fl.stats.conns_evicted, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(evidence_kept_in_flood,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(flood_evicted_oldest_first,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(few_idle_among_busy_stay,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(no_budget_no_eviction,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(needed_idle_connections_stay,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
