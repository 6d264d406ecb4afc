/*
 * test_diag_heap.c: retiring, evicting and building evidence give back
 * every byte they took (diag.h, evidence.h, ladder.h): a model retired
 * and evicted, its evidence and flow view built, then freed, holds
 * nothing more than before (unit_heap.h counts the heap; under
 * AddressSanitizer, which finds leaks itself, the check holds
 * trivially).
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

#include "diag/evidence.h"
#include "diag/ladder.h"
#include "unit_heap.h"
#include "unit_flow.h"
#include "diag_scene.h"

static void
test_everything_given_back(void **state)
{
	static const uint8_t all[3] = { 1, 1, 1 };
	size_t live = unit_heap_live();
	void *st;
	struct uf *u;
	struct evidence ev;
	struct ladder l;

	(void)state;
	assert_int_equal(uf_setup(&st), 0);
	u = st;
	/* the story ends at 400 s */
	served_then_refused(u, 6, "198.51.100.4", T0 + 400 * UF_S);
	flow_set_conn_budget(&u->fl, 4);
	uf_diag_run(u, NULL, false);
	assert_true(diag_evict(&u->dg, &u->fl) > 0);
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 2);
	diag_update(&u->dg, &u->fl);
	diag_run(&u->dg, &u->fl, false);
	memset(&ev, 0, sizeof ev);
	memset(&l, 0, sizeof l);
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, uf_txn(u, 3),
	    u->fl.stats.last_ts, EVIDENCE_ARROWS), 0);
	assert_int_equal(ladder_build(&l, &u->fl, &u->dg, uf_txn(u, 3)), 0);
	evidence_free(&ev);
	ladder_free(&l);
	uf_teardown(&st);
	assert_int_equal(unit_heap_live(), live);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_everything_given_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
