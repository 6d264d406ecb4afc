/*
 * test_diag_steps.c: retiring and evicting in steps (diag.h:
 * diag_retire_begin, diag_evict_begin, diag_keep_step, diag_keep_cancel)
 * ends as the one call does, whatever the budget of each step: the same
 * result, the same transactions, connections, messages and look-ups,
 * the same evidence. A pass that feeding or a diagnosis interrupts
 * changes nothing; one with nothing to do does not begin; one asked
 * before diag_update took the new messages fails, changing nothing.
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

/* Request 1 served, 2 refused, three idle SYNs, 3 waiting 300 s later
 * (still open at the end); diagnosed. */
static void
three_requests(struct uf *u)
{
	served_then_refused(u, 3, "198.51.100.9", T0 + 2 * UF_MS + 300 * UF_S);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 3);
}

/* What a retirement leaves, written out: compared as text. */
static void
left(const struct uf *u, char *out, size_t len)
{
	size_t o;
	uint64_t f[64];

	o = (size_t)snprintf(out, len, "txns %zu conns %zu msgs %zu dns %zu "
	    "total %llu errors %llu evicted %llu keeping %d\n", u->dg.ntxns,
	    u->fl.nconns, u->fl.nmsgs, u->fl.ndns,
	    (unsigned long long)diag_total(&u->dg),
	    (unsigned long long)u->dg.errors,
	    (unsigned long long)u->fl.stats.conns_evicted,
	    u->dg.keeping != NULL);
	for (size_t i = 0; i < u->dg.ntxns && o < len; i++) {
		const struct txn *t = &u->dg.txns[i];
		size_t n = uf_evidence(u, t, f, 64);

		o += (size_t)snprintf(out + o, len - o, "txn %u %s %s:",
		    t->id, verdict_key(t->d.verdict), uf_str(u, t->url));
		for (size_t k = 0; k < n && o < len; k++)
			o += (size_t)snprintf(out + o, len - o, " %llu",
			    (unsigned long long)f[k]);
		if (o < len)
			o += (size_t)snprintf(out + o, len - o, "\n");
	}
}

static const uint8_t all[3] = { 1, 1, 1 };

/* Runs the pass begun to its end with steps of `budget`; its result. */
static long
steps(struct uf *u, size_t budget, unsigned *calls)
{
	long result = -7;

	for (*calls = 1; !diag_keep_step(&u->dg, &u->fl, budget, &result);
	    (*calls)++)
		assert_true(*calls < 100000);
	assert_null(u->dg.keeping);
	return result;
}

static void
test_retire_in_steps(void **state)
{
	static const size_t budgets[] = { 1, 2, 3, 5, 8, 64, 100000 };
	struct uf *u = *state;
	char want[4096], got[4096];
	unsigned calls;

	three_requests(u);
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 2);
	left(u, want, sizeof want);
	assert_int_equal(u->dg.ntxns, 1);
	assert_int_equal(u->dg.txns[0].id, 3);
	for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
		u = again(state);
		three_requests(u);
		assert_int_equal(diag_retire_begin(&u->dg, &u->fl, all), 1);
		assert_non_null(u->dg.keeping);
		assert_int_equal(steps(u, budgets[b], &calls), 2);
		left(u, got, sizeof got);
		assert_string_equal(got, want);
		if (budgets[b] == 1)
			assert_true(calls > 10);
	}
}

static void
test_pass_cancelled(void **state)
{
	struct uf *u = *state;
	char want[4096], before[4096], got[4096];
	long result;

	three_requests(u);
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 2);
	left(u, want, sizeof want);
	for (int how = 0; how < 3; how++) {
		u = again(state);
		three_requests(u);
		left(u, before, sizeof before);
		assert_int_equal(diag_retire_begin(&u->dg, &u->fl, all), 1);
		assert_false(diag_keep_step(&u->dg, &u->fl, 1, &result));
		if (how == 0)
			diag_update(&u->dg, &u->fl);
		else if (how == 1)
			diag_run(&u->dg, &u->fl, false);
		else
			diag_keep_cancel(&u->dg);
		assert_null(u->dg.keeping);
		left(u, got, sizeof got);
		assert_string_equal(got, before);
		/* a step with no pass under way: done, nothing retired */
		result = 5;
		assert_true(diag_keep_step(&u->dg, &u->fl, 1, &result));
		assert_int_equal(result, -1);
		left(u, got, sizeof got);
		assert_string_equal(got, before);
		assert_int_equal(diag_retire(&u->dg, &u->fl, all), 2);
		left(u, got, sizeof got);
		assert_string_equal(got, want);
	}
}

static void
test_pass_not_begun(void **state)
{
	static const uint8_t none[3] = { 0, 0, 0 };
	struct uf *u = *state;
	struct uf_side a, b;
	char before[4096], got[4096];

	three_requests(u);
	left(u, before, sizeof before);
	/* nothing to retire */
	assert_int_equal(diag_retire_begin(&u->dg, &u->fl, none), 0);
	assert_null(u->dg.keeping);
	/* only the open one flagged: it is not over */
	{
		static const uint8_t open[3] = { 0, 0, 1 };

		assert_int_equal(diag_retire_begin(&u->dg, &u->fl, open), 0);
	}
	left(u, got, sizeof got);
	assert_string_equal(got, before);
	/* a message fed and not taken by diag_update: -1, nothing done */
	uf_side_init(&a, "10.0.0.1", 52000, 100);
	uf_side_init(&b, "192.0.2.50", 80, 500);
	uf_handshake(u, &a, &b);
	uf_get(u, &a, &b, "/x", "x.test");
	assert_int_equal(diag_retire_begin(&u->dg, &u->fl, all), -1);
	assert_null(u->dg.keeping);
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), -1);
	assert_int_equal(u->dg.ntxns, 3);
}

static void
test_evict_in_steps(void **state)
{
	static const size_t budgets[] = { 1, 2, 7, 100000 };
	struct uf *u = *state;
	char want[4096], got[4096];
	unsigned calls;
	long rc;

	three_requests(u);
	flow_set_conn_budget(&u->fl, 4);
	assert_true(flow_wants_evict(&u->fl));
	rc = diag_evict(&u->dg, &u->fl);
	assert_true(rc > 0);
	left(u, want, sizeof want);
	for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
		u = again(state);
		three_requests(u);
		flow_set_conn_budget(&u->fl, 4);
		assert_int_equal(diag_evict_begin(&u->dg, &u->fl), 1);
		assert_int_equal(steps(u, budgets[b], &calls), rc);
		left(u, got, sizeof got);
		assert_string_equal(got, want);
		assert_false(flow_wants_evict(&u->fl));
	}
	/* under the budget: nothing to do */
	u = again(state);
	three_requests(u);
	assert_int_equal(diag_evict_begin(&u->dg, &u->fl), 0);
	assert_null(u->dg.keeping);
}

/*
 * Steps of budget 1 from the begin: a pass stopped after any number of
 * them and cancelled changes nothing, and a whole pass after it ends as
 * one call does. The steps that begin work not cut into steps (the
 * windows' sort, for an eviction the choice of what goes, the plan and
 * the compaction) are told beforehand, each once.
 */
static void
cancel_everywhere(void **state, bool evict, size_t blocking)
{
	struct uf *u = *state;
	char want[4096], before[4096], got[4096];
	long want_rc, result = -7;
	size_t nsteps = 0, nblocking = 0;
	bool done = false;

	three_requests(u);
	if (evict)
		flow_set_conn_budget(&u->fl, 4);
	want_rc = evict ? diag_evict(&u->dg, &u->fl) :
	    diag_retire(&u->dg, &u->fl, all);
	assert_true(want_rc > 0);
	left(u, want, sizeof want);
	/* the steps of a whole pass */
	u = again(state);
	three_requests(u);
	if (evict)
		flow_set_conn_budget(&u->fl, 4);
	assert_int_equal(evict ? diag_evict_begin(&u->dg, &u->fl) :
	    diag_retire_begin(&u->dg, &u->fl, all), 1);
	while (!done) {
		nblocking += diag_keep_blocks_next(&u->dg);
		done = diag_keep_step(&u->dg, &u->fl, 1, &result);
		nsteps++;
		assert_true(nsteps < 1000);
	}
	assert_int_equal(result, want_rc);
	assert_int_equal(nblocking, blocking);
	left(u, got, sizeof got);
	assert_string_equal(got, want);
	for (size_t stop = 0; stop < nsteps; stop++) {
		u = again(state);
		three_requests(u);
		if (evict)
			flow_set_conn_budget(&u->fl, 4);
		left(u, before, sizeof before);
		assert_int_equal(evict ? diag_evict_begin(&u->dg, &u->fl) :
		    diag_retire_begin(&u->dg, &u->fl, all), 1);
		for (size_t k = 0; k < stop; k++)
			assert_false(diag_keep_step(&u->dg, &u->fl, 1,
			    &result));
		diag_keep_cancel(&u->dg);
		assert_null(u->dg.keeping);
		assert_false(diag_keep_blocks_next(&u->dg));
		left(u, got, sizeof got);
		assert_string_equal(got, before);
		assert_int_equal(evict ? diag_evict(&u->dg, &u->fl) :
		    diag_retire(&u->dg, &u->fl, all), want_rc);
		left(u, got, sizeof got);
		assert_string_equal(got, want);
	}
}

static void
test_retire_cancelled_anywhere(void **state)
{
	cancel_everywhere(state, false, 3);
}

static void
test_evict_cancelled_anywhere(void **state)
{
	cancel_everywhere(state, true, 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_retire_in_steps, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_pass_cancelled, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_pass_not_begun, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_evict_in_steps, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_retire_cancelled_anywhere,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_evict_cancelled_anywhere,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
