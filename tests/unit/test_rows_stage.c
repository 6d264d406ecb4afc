/*
 * test_rows_stage.c: the screen stages the rows of what a trim retires
 * (rows_stage) while the retirement goes on in steps, and lists them only
 * once it is over (rows_commit, issue 13): until then the list and its
 * row indices must not move; then every row is listed once, in id order,
 * whatever order they were staged in, with its own texts; rows_unstage
 * drops what a retirement that did not happen staged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "ui/rows.h"

#define CAPTURE "examples/gw502-lab.pcap"

static void
load(struct engine *e)
{
	struct engine_opts eo;
	char err[256];

	engine_default_opts(&eo);
	if (engine_open(e, CAPTURE, &eo, err, sizeof err) != 0)
		fail_msg("%s: %s", CAPTURE, err);
	while (engine_step(e, 0) == 1)
		;
	engine_diagnose(e);
	assert_true(e->diag.ntxns >= 8);
}

/* Every listed row in id order, each with its transaction's URL. */
static void
listed_in_order(const struct ui_rows *rs, const struct engine *e)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct row_view v;
		uint32_t ti;

		rows_view(rs, i, &v);
		if (i > 0)
			assert_true(rs->rows[i - 1].id < v.id);
		assert_int_equal(rows_by_id(rs, v.id), i);
		ti = diag_find(&e->diag, v.id);
		assert_int_not_equal(ti, NONE32);
		assert_string_equal(v.url, flow_str(&e->flow,
		    e->diag.txns[ti].url));
	}
}

static void
staged_rows_wait_for_commit(void **state)
{
	struct engine e;
	struct ui_rows rs;
	struct row_view first;
	size_t n, half = 0;

	(void)state;
	load(&e);
	n = e.diag.ntxns;
	memset(&rs, 0, sizeof rs);
	/* the even ones first, newest first */
	for (size_t i = n; i-- > 0;)
		if (i % 2 == 0) {
			assert_int_equal(rows_stage(&rs, &e.diag, &e.flow,
			    &e.diag.txns[i]), 0);
			half++;
		}
	assert_int_equal(rs.n, 0);
	assert_int_equal(rows_by_id(&rs, e.diag.txns[0].id), SIZE_MAX);
	rows_commit(&rs);
	assert_int_equal(rs.n, half);
	listed_in_order(&rs, &e);
	/* the odd ones between them: the list holds until the commit */
	rows_view(&rs, 0, &first);
	for (size_t i = 1; i < n; i += 2)
		assert_int_equal(rows_stage(&rs, &e.diag, &e.flow,
		    &e.diag.txns[i]), 0);
	assert_int_equal(rs.n, half);
	assert_int_equal(rs.rows[0].id, first.id);
	assert_int_equal(rows_by_id(&rs, e.diag.txns[1].id), SIZE_MAX);
	rows_commit(&rs);
	assert_int_equal(rs.n, n);
	listed_in_order(&rs, &e);
	/* a retirement that did not happen lists nothing */
	assert_int_equal(rows_stage(&rs, &e.diag, &e.flow, &e.diag.txns[0]), 0);
	rows_unstage(&rs);
	rows_commit(&rs);
	assert_int_equal(rs.n, n);
	listed_in_order(&rs, &e);
	rows_free(&rs);
	engine_close(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(staged_rows_wait_for_commit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
