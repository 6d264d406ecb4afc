/*
 * test_req_list.c: the request list after a diagnosis is built in steps
 * between looks at the keys (req_build_begin/req_build_step, issue 13).
 * Built in steps of any size it is the list built at once, rows, order
 * and counts; the list shown meanwhile does not move; a list rebuilt at
 * once meanwhile (a filter key) is not undone by the older build; and the
 * list names requests by id, so what it shows stays true while a trim
 * retires its transactions into rows.
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
#include "ui/ui_int.h"

#define CAPTURE "examples/gw502-lab.pcap"

struct fixture {
	struct ui_opts opts;
	struct ui *u;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	struct engine_opts eo;
	char err[256];

	assert_non_null(fx);
	fx->u = calloc(1, sizeof *fx->u);
	assert_non_null(fx->u);
	fx->opts.path = CAPTURE;
	fx->u->opts = &fx->opts;
	engine_default_opts(&eo);
	if (engine_open(&fx->u->eng, CAPTURE, &eo, err, sizeof err) != 0)
		fail_msg("%s: %s", CAPTURE, err);
	while (engine_step(&fx->u->eng, 0) == 1)
		;
	engine_diagnose(&fx->u->eng);
	assert_true(fx->u->eng.diag.ntxns >= 8);
	req_init(fx->u);
	assert_non_null(fx->u->rq.ls.ids);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	ui_pane_requests.destroy(fx->u);
	rows_free(&fx->u->retired_rows);
	engine_close(&fx->u->eng);
	free(fx->u);
	free(fx);
	return 0;
}

/* The even transactions retire into rows, as a trim does: afterwards
 * each request is in exactly one of the model and the rows. */
static void
retire_even(struct ui *u)
{
	struct diag *dg = &u->eng.diag;
	size_t n = dg->ntxns, nrows;
	uint8_t *retire = calloc(n, 1);
	uint32_t *ids = calloc(n, sizeof *ids);

	assert_non_null(retire);
	assert_non_null(ids);
	for (size_t i = 0; i < n; i++) {
		ids[i] = dg->txns[i].id;
		/* what a trim takes (ui.c ui_trim_rows) */
		if (i % 2 == 0 && dg->txns[i].settled && txn_final_ns(dg,
		    &u->eng.flow, &dg->txns[i]) <= u->eng.flow.stats.last_ts) {
			retire[i] = 1;
			assert_int_equal(rows_stage(&u->retired_rows, dg,
			    &u->eng.flow, &dg->txns[i]), 0);
		}
	}
	assert_true(diag_retire(dg, &u->eng.flow, retire) > 0);
	rows_commit(&u->retired_rows);
	nrows = u->retired_rows.n;
	assert_true(nrows > 0 && dg->ntxns > 0);
	assert_int_equal(nrows + dg->ntxns, n);
	for (size_t i = 0; i < n; i++)
		assert_true((diag_find(dg, ids[i]) != NONE32) !=
		    (rows_by_id(&u->retired_rows, ids[i]) != SIZE_MAX));
	free(ids);
	free(retire);
}

static void
lists_equal(const struct req_list *a, const struct req_list *b)
{
	assert_int_equal(a->n, b->n);
	assert_memory_equal(a->ids, b->ids, a->n * sizeof *a->ids);
	assert_int_equal(a->matches, b->matches);
	assert_int_equal(a->client_w, b->client_w);
	assert_memory_equal(a->shown, b->shown, sizeof a->shown);
	assert_memory_equal(a->by_status, b->by_status, sizeof a->by_status);
	assert_memory_equal(a->client_counts, b->client_counts,
	    sizeof a->client_counts);
}

/* A copy of the list shown, its ids in memory of their own. */
static struct req_list
list_copy(const struct req_list *ls)
{
	struct req_list c = *ls;

	c.ids = malloc((ls->n ? ls->n : 1) * sizeof *c.ids);
	assert_non_null(c.ids);
	memcpy(c.ids, ls->ids, ls->n * sizeof *c.ids);
	return c;
}

/* Builds in steps of `budget`; the list shown holds until the last one.
 * Returns how many steps it took. */
static size_t
build_in_steps(struct ui *u, size_t budget)
{
	struct req_list before = list_copy(&u->rq.ls);
	size_t steps = 1;

	assert_true(req_build_begin(u));
	while (!req_build_step(u, budget)) {
		lists_equal(&u->rq.ls, &before);
		steps++;
		assert_true(steps < 100000);
	}
	free(before.ids);
	return steps;
}

static void
steps_give_the_list_at_once(void **state)
{
	struct fixture *fx = *state;
	struct ui *u = fx->u;
	static const size_t budgets[] = { 1, 2, 3, 7, 1024 };

	retire_even(u);
	for (int all = 0; all < 2; all++)
		for (int search = 0; search < 2; search++)
			for (size_t b = 0; b < sizeof budgets /
			    sizeof budgets[0]; b++) {
				struct req_list at_once;
				size_t steps, total = u->eng.diag.ntxns +
				    u->retired_rows.n;

				u->rq.show_all = all;
				snprintf(u->rq.search, sizeof u->rq.search,
				    "%s", search ? "lab" : "");
				req_rebuild(u);
				at_once = list_copy(&u->rq.ls);
				assert_true(at_once.n > 0);
				if (all)
					assert_int_equal(at_once.n, total);
				/* from an empty list shown, so that the
				 * build's result is not the list before */
				u->rq.ls.n = 0;
				steps = build_in_steps(u, budgets[b]);
				lists_equal(&u->rq.ls, &at_once);
				/* `budget` entries a step, no more, no less */
				assert_int_equal(steps, (total + budgets[b] -
				    1) / budgets[b]);
				free(at_once.ids);
			}
}

static void
selection_follows_its_id(void **state)
{
	struct fixture *fx = *state;
	struct ui *u = fx->u;
	struct req_pane *rq = &u->rq;
	uint32_t id;

	u->rq.show_all = true;
	req_rebuild(u);
	assert_true(rq->ls.n >= 3);
	rq->sel = 2;
	id = rq->sel_id = rq->ls.ids[2];
	retire_even(u);
	build_in_steps(u, 1);
	assert_int_equal(rq->ls.ids[rq->sel], id);
	assert_int_equal(rq->sel_id, id);
	/* hidden now (errors only): the row after it, by id */
	u->rq.show_all = false;
	build_in_steps(u, 2);
	assert_true(rq->ls.n > 0);
	assert_true(rq->sel < rq->ls.n);
	assert_int_equal(rq->sel_id, rq->ls.ids[rq->sel]);
}

static void
a_list_rebuilt_meanwhile_stays(void **state)
{
	struct fixture *fx = *state;
	struct ui *u = fx->u;
	struct req_list errors;

	u->rq.show_all = true;
	assert_true(req_build_begin(u));
	assert_false(req_build_step(u, 1));
	/* `a` while it is built: errors only, at once */
	u->rq.show_all = false;
	req_rebuild(u);
	errors = list_copy(&u->rq.ls);
	assert_true(errors.n < u->eng.diag.ntxns);
	assert_true(req_build_step(u, 1));
	lists_equal(&u->rq.ls, &errors);
	free(errors.ids);
}

/* The reading waits for a build; if the model grew all the same, the
 * list is built at once, never past the room the build had. */
static void
a_model_grown_meanwhile_is_listed_at_once(void **state)
{
	struct fixture *fx = *state;
	struct ui *u = fx->u;
	struct diag *dg = &u->eng.diag;
	struct req_list at_once;

	u->rq.show_all = true;
	assert_true(req_build_begin(u));
	assert_false(req_build_step(u, 1));
	/* one more entry: a row for a transaction still in the model */
	assert_int_equal(rows_stage(&u->retired_rows, dg, &u->eng.flow,
	    &dg->txns[0]), 0);
	rows_commit(&u->retired_rows);
	assert_true(req_build_step(u, 1));
	assert_int_equal(u->rq.ls.n, dg->ntxns + 1);
	at_once = list_copy(&u->rq.ls);
	req_rebuild(u);
	lists_equal(&u->rq.ls, &at_once);
	free(at_once.ids);
}

/* Listed before the trim, every entry still shows its own request. */
static void
ids_hold_through_a_trim(void **state)
{
	struct fixture *fx = *state;
	struct ui *u = fx->u;
	struct req_list before;
	size_t rows = 0;

	u->rq.show_all = true;
	req_rebuild(u);
	before = list_copy(&u->rq.ls);
	retire_even(u);
	lists_equal(&u->rq.ls, &before);
	for (size_t i = 0; i < before.n; i++) {
		uint32_t e = req_entry_of(u, before.ids[i]);
		struct row_view v;

		assert_int_not_equal(e, NONE32);
		rows += !(e & REQ_LIVE);
		req_entry_view(u, e, &v);
		assert_int_equal(v.id, before.ids[i]);
	}
	assert_int_equal(rows, u->retired_rows.n);
	/* an id nobody has */
	assert_int_equal(req_entry_of(u, 0), NONE32);
	free(before.ids);
}

/*
 * Every error status is counted, however many there are (a gateway's own
 * codes, relayed ones, masked failures behind any status), and the
 * counts do not depend on the order the rows and the model's
 * transactions come in: the list built in steps from the retired rows'
 * part is the list built at once.
 */
static void
every_status_is_counted(void **state)
{
	struct fixture *fx = *state;
	struct ui *u = fx->u;
	struct diag *dg = &u->eng.diag;
	uint64_t want[REQ_STATUS_SLOTS] = { 0 };
	struct req_list at_once;
	size_t n = dg->ntxns, distinct = 0;

	/* statuses from 999 down: a header of 20 slots kept the first
	 * ones it met and lost the rest */
	for (size_t i = 0; i < n; i++) {
		dg->txns[i].status = (uint16_t)(i == 0 ? 0 : 999 - 7 * i);
		dg->txns[i].is_error = true;
		want[dg->txns[i].status]++;
	}
	for (size_t st = 0; st < REQ_STATUS_SLOTS; st++)
		distinct += want[st] != 0;
	assert_true(distinct > 20);
	retire_even(u);
	req_rebuild(u);
	at_once = list_copy(&u->rq.ls);
	assert_memory_equal(at_once.by_status, want, sizeof want);
	u->rq.ls.n = 0;
	build_in_steps(u, 3);
	assert_true(u->rq.rows_part_ok);	/* built from the rows' part */
	lists_equal(&u->rq.ls, &at_once);
	free(at_once.ids);
}

/* The title's counts as an ASCII terminal shows them, none counted yet. */
static struct ui *
title_counts_setup(void **state)
{
	struct ui *u = ((struct fixture *)*state)->u;

	u->utf8 = false;
	u->g.mul = "x";
	u->g.ellipsis = "...";
	memset(u->rq.ls.by_status, 0, sizeof u->rq.ls.by_status);
	return u;
}

static void
title_counts_in_order(void **state)
{
	struct ui *u = title_counts_setup(state);
	uint64_t *by = u->rq.ls.by_status;
	char out[1024];

	req_status_counts(u, 200, out, sizeof out);
	assert_string_equal(out, "");
	by[502] = 25, by[200] = 2, by[503] = 1, by[504] = 3, by[0] = 1;
	req_status_counts(u, 200, out, sizeof out);
	assert_string_equal(out,
	    "200x2 | 502x25 | 503x1 | 504x3 | no answerx1");
	/* too narrow for all: the most frequent, then an ellipsis */
	req_status_counts(u, 30, out, sizeof out);
	assert_string_equal(out, "200x2 | 502x25 | 504x3 | ...");
	req_status_counts(u, 12, out, sizeof out);
	assert_string_equal(out, "502x25 | ...");
	req_status_counts(u, 11, out, sizeof out);
	assert_string_equal(out, "");
}

/* Any number of statuses, any room: never wider than the room, in
 * order of status, and an ellipsis exactly when some are left out. */
static void
title_counts_fit(void **state)
{
	struct ui *u = title_counts_setup(state);
	uint64_t *by = u->rq.ls.by_status;
	char out[1024];

	for (size_t st = 100; st < REQ_STATUS_SLOTS; st += 3)
		by[st] = st % 7 + 1;
	by[0] = 9;
	for (int room = 0; room <= 400; room++) {
		size_t listed = 0, prev = 0, len;
		const char *p = out;
		bool more;

		req_status_counts(u, room, out, sizeof out);
		len = strlen(out);
		assert_true(len <= (size_t)room);
		more = len >= 3 && strcmp(out + len - 3, "...") == 0;
		while (*p != '\0' && *p != '.') {
			size_t st = 0;

			if (strncmp(p, "no answer", 9) == 0)
				p += 9, st = REQ_STATUS_SLOTS;
			else
				st = strtoul(p, (char **)&p, 10);
			assert_true(st > prev);
			prev = st;
			assert_int_equal(*p, 'x');
			assert_int_equal(strtoull(p + 1, (char **)&p, 10),
			    by[st % REQ_STATUS_SLOTS]);
			listed++;
			if (strncmp(p, " | ", 3) == 0)
				p += 3;
		}
		/* all 301 statuses fit in no title: some always left out,
		 * and from 17 columns on one at least ("no answerx9 | ...") */
		assert_true(more == (listed > 0));
		if (room >= 17)
			assert_true(listed > 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(steps_give_the_list_at_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(selection_follows_its_id,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_list_rebuilt_meanwhile_stays,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_model_grown_meanwhile_is_listed_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(ids_hold_through_a_trim,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(every_status_is_counted,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(title_counts_in_order,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(title_counts_fit,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
