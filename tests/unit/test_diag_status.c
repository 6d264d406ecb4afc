/*
 * test_diag_status.c: which answers are gateway errors (--status;
 * diag_int.h: is_error_status): the first nstatuses codes of the
 * options, no code past them; an answer that is no HTTP (status 0)
 * always.
 */
#include "diag_scene.h"
#include "diag/diag_int.h"

static void
test_only_the_codes_given(void **state)
{
	struct diag_opts o;
	struct diag dg;

	(void)state;
	uf_diag_opts(&o);
	o.statuses[3] = 500;	/* past nstatuses: not one of them */
	o.statuses[4] = 404;
	diag_init(&dg, &o);
	assert_true(is_error_status(&dg, 502));
	assert_true(is_error_status(&dg, 504));
	assert_true(is_error_status(&dg, 0));
	assert_false(is_error_status(&dg, 500));
	assert_false(is_error_status(&dg, 404));
	assert_false(is_error_status(&dg, 200));
	diag_free(&dg);
	o.nstatuses = 5;
	diag_init(&dg, &o);
	assert_true(is_error_status(&dg, 500));
	assert_true(is_error_status(&dg, 404));
	assert_false(is_error_status(&dg, 501));
	diag_free(&dg);
}

/* --status 500: a 502 answer is a success of the 5xx class, a 500 the
 * error diagnosed. */
static void
test_status_option(void **state)
{
	struct diag_opts o;
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;

	uf_diag_opts(&o);
	o.statuses[0] = 500;
	o.nstatuses = 1;
	scene_init(&s, u);
	ask_refused(&s);
	uf_diag_run(u, &o, true);
	t = uf_txn(u, 1);
	assert_false(t->is_error);
	assert_int_equal(t->d.verdict, V_OK);
	assert_string_equal(txn_label(t), "SERVER ERROR");
	assert_int_equal(u->dg.errors, 0);

	u = again(state);
	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	gateway_answers(&s, 500);
	uf_diag_run(u, &o, true);
	t = uf_txn(u, 1);
	assert_true(t->is_error);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(u->dg.errors, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_the_codes_given),
		cmocka_unit_test_setup_teardown(test_status_option,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
