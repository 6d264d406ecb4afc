/*
 * test_diag_cancel.c: a retirement or an eviction cancelled after any
 * number of steps gives back every byte it took (diag.h:
 * diag_keep_cancel; unit_heap.h counts the heap), the plan's maps
 * included when it is cancelled between its plan and its compaction;
 * and a pass begun while another is under way cancels that one.
 */
#include "unit_heap.h"
#include "diag_scene.h"

static const uint8_t all[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };

/* Begins a pass (evict or retire), takes `steps` steps of budget 1,
 * cancels it; returns whether it ended before that. */
static bool
cancelled_after(void **state, bool evict, unsigned steps)
{
	struct uf *u = again(state);
	long result;
	size_t live;
	bool over = false;

	served_then_refused(u, 6, "198.51.100.4", T0 + 400 * UF_S);
	uf_diag_run(u, NULL, false);
	flow_set_conn_budget(&u->fl, 4);
	live = unit_heap_live();
	assert_int_equal(evict ? diag_evict_begin(&u->dg, &u->fl) :
	    diag_retire_begin(&u->dg, &u->fl, all), 1);
	for (unsigned k = 0; k < steps && !over; k++)
		over = diag_keep_step(&u->dg, &u->fl, 1, &result);
	if (over)
		return true;
	diag_keep_cancel(&u->dg);
	if (unit_heap_live() != live)
		fail_msg("%s cancelled after %u steps: %zu bytes more",
		    evict ? "eviction" : "retirement", steps,
		    unit_heap_live() - live);
	return false;
}

static void
test_cancel_gives_back(void **state)
{
	for (int evict = 0; evict <= 1; evict++) {
		unsigned steps = 0;

		while (!cancelled_after(state, evict, steps))
			assert_true(++steps < 10000);
		assert_true(steps > 3);
	}
}

/* A pass begun while another is under way replaces it: the one under
 * way is cancelled, and gives back what it took. */
static void
test_begin_cancels(void **state)
{
	for (int evict_first = 0; evict_first <= 1; evict_first++) {
		struct uf *u = again(state);
		long result;
		size_t live;

		served_then_refused(u, 6, "198.51.100.4", T0 + 400 * UF_S);
		uf_diag_run(u, NULL, false);
		flow_set_conn_budget(&u->fl, 4);
		live = unit_heap_live();
		assert_int_equal(evict_first ? diag_evict_begin(&u->dg, &u->fl) :
		    diag_retire_begin(&u->dg, &u->fl, all), 1);
		assert_false(diag_keep_step(&u->dg, &u->fl, 1, &result));
		assert_int_equal(evict_first ?
		    diag_retire_begin(&u->dg, &u->fl, all) :
		    diag_evict_begin(&u->dg, &u->fl), 1);
		diag_keep_cancel(&u->dg);
		assert_int_equal(unit_heap_live(), live);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cancel_gives_back,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_begin_cancels,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
