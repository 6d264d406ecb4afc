/*
 * test_diag_link_count.c: the counts a run gives (diag.h: diag_run,
 * diag_run_step; diag/link.c): errors per verdict over the transactions
 * held and those retired, each counted once, however many transactions
 * a retirement removed before (the model's vector keeps room past its
 * end) and however the run is cut into steps; a run in steps changes the
 * counts only once complete, and counting many settled transactions
 * costs a step a small part of its budget.
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

#define NREQ 1200

/* NREQ clients (10.0.0.5, ports 20000 on) each ask for URL, 10 ms apart,
 * and the gateway answers each 502 at once, with no upstream traffic. */
static void
many_errors(struct uf *u)
{
	struct uf_side cli, gw;

	for (int k = 0; k < NREQ; k++) {
		uf_at(u, T0 + k * 10 * UF_MS);
		uf_side_init(&cli, "10.0.0.5", (uint16_t)(20000 + k), 3000);
		gw = u->srv;
		uf_handshake(u, &cli, &gw);
		uf_get(u, &cli, &gw, URL, HOST);
		uf_status(u, &gw, &cli, 502);
	}
}

static void
expect_counts(const struct diag *dg, uint64_t errors)
{
	assert_int_equal(dg->errors, errors);
	assert_int_equal(dg->counts[V_UNKNOWN], errors);
	for (int v = 0; v < V_COUNT; v++)
		if (v != V_UNKNOWN)
			assert_int_equal(dg->counts[v], 0);
}

/* Retires the first n transactions held; returns how many went. */
static long
retire_first(struct uf *u, size_t n)
{
	uint8_t *flags = calloc(u->dg.ntxns + 1, 1);
	long r;

	assert_non_null(flags);
	memset(flags, 1, n);
	r = diag_retire(&u->dg, &u->fl, flags);
	free(flags);
	return r;
}

static void
test_counts_after_retiring(void **state)
{
	struct uf *u = *state;

	many_errors(u);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, NREQ);
	expect_counts(&u->dg, NREQ);
	/* more held than one piece of counting takes, fewer than before */
	assert_int_equal(retire_first(u, 100), 100);
	assert_int_equal(u->dg.ntxns, NREQ - 100);
	diag_run(&u->dg, &u->fl, false);
	expect_counts(&u->dg, NREQ);
	/* fewer held than one piece takes */
	assert_int_equal(retire_first(u, 300), 300);
	assert_int_equal(u->dg.ntxns, NREQ - 400);
	diag_run(&u->dg, &u->fl, false);
	expect_counts(&u->dg, NREQ);
	assert_int_equal(u->dg.retired.txns, 400);
	assert_int_equal(u->dg.retired.errors, 400);
}

/* In steps of budget 1: the counts stay as they were until the run is
 * complete, then they are the one-call run's. */
static void
test_counts_in_steps(void **state)
{
	struct uf *u = *state;
	unsigned calls = 0;

	many_errors(u);
	flow_finish(&u->fl);
	uf_diag_start(u, NULL);
	diag_update(&u->dg, &u->fl);
	while (!diag_run_step(&u->dg, &u->fl, true, 1)) {
		assert_int_equal(u->dg.errors, 0);
		assert_int_equal(u->dg.counts[V_UNKNOWN], 0);
		calls++;
		assert_true(calls < 4 * NREQ);
	}
	/* each transaction was listed and settled, one per step */
	assert_true(calls >= 2 * NREQ - 1);
	expect_counts(&u->dg, NREQ);
	for (size_t i = 0; i < u->dg.ntxns; i++)
		assert_true(u->dg.txns[i].settled);
	/* all settled: counting them again takes a step or two */
	assert_int_equal(retire_first(u, 10), 10);
	calls = 0;
	while (!diag_run_step(&u->dg, &u->fl, true, 1)) {
		expect_counts(&u->dg, NREQ);
		calls++;
	}
	assert_true(calls <= 1);
	expect_counts(&u->dg, NREQ);
}

/* A request never answered: a run in steps (not final) under way, then
 * the capture ends (final): the request is settled, not pending. */
static void
test_final_restarts_run(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;

	scene_init(&s, u);
	ask(&s);
	uf_diag_start(u, NULL);
	diag_update(&u->dg, &u->fl);
	assert_false(diag_run_step(&u->dg, &u->fl, false, 1));
	flow_finish(&u->fl);
	assert_true(diag_run_step(&u->dg, &u->fl, true, SIZE_MAX));
	t = uf_txn(u, 1);
	assert_true(t->settled);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(u->dg.errors, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts_after_retiring,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_counts_in_steps, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_final_restarts_run,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
