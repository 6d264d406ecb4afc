/*
 * test_diag_calls.c: diag.h's calls out of order. A retirement or an
 * eviction begun with frames fed since diag_update refuses (-1: its
 * renumbering needs them taken) and changes nothing; diag_free leaves
 * an empty diagnosis, which may be freed again.
 */
#include "diag_scene.h"

static void
test_update_first(void **state)
{
	static const uint8_t all[4] = { 1, 1, 1, 1 };
	struct uf *u = *state;
	struct uf_side cli, gw;
	size_t nconns;

	served_then_refused(u, 6, "198.51.100.4", T0 + 400 * UF_S);
	uf_diag_run(u, NULL, false);
	uf_at(u, T0 + 401 * UF_S);	/* a request fed, not taken */
	client_asks(u, &cli, &gw, "10.0.0.9", 40009, URL);
	flow_set_conn_budget(&u->fl, 4);
	nconns = u->fl.nconns;
	assert_true(flow_wants_evict(&u->fl));
	assert_int_equal(diag_evict_begin(&u->dg, &u->fl), -1);
	assert_int_equal(diag_retire_begin(&u->dg, &u->fl, all), -1);
	assert_int_equal(diag_evict(&u->dg, &u->fl), -1);
	assert_int_equal(u->fl.nconns, nconns);
	assert_int_equal(u->dg.ntxns, 3);
	diag_update(&u->dg, &u->fl);
	assert_int_equal(u->dg.ntxns, 4);
	assert_true(diag_evict(&u->dg, &u->fl) > 0);
}

static void
test_free_twice(void **state)
{
	struct uf *u = *state;
	struct scene s;

	scene_init(&s, u);
	ask_refused(&s);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 1);
	diag_free(&u->dg);
	assert_int_equal(u->dg.ntxns, 0);
	assert_null(u->dg.txns);
	assert_int_equal(u->dg.errors, 0);
	assert_int_equal(diag_total(&u->dg), 0);
	diag_free(&u->dg);	/* and uf_teardown frees it once more */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_update_first, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_free_twice, uf_setup,
		    uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
