/*
 * pane_requests.c: the list of client requests (top pane). Keeps a
 * filtered index of transaction numbers, rebuilt only when the filters
 * (errors/all, a text, one client, a display filter over the frames) or
 * the model change, and draws only the visible rows, so a key costs the
 * same on a million requests. `/` searches every visible column and n/N
 * step through the matches; the header counts the errors per status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../filter/dfilter.h"
#include "../alog/alog.h"
#include "../util/dur.h"
#include "ui_int.h"

#define COL_METHOD 7
#define URL_MIN 10

void
req_init(struct ui *u)
{
	u->rq.ls.cap = 1024;
	u->rq.ls.ids = malloc(u->rq.ls.cap * sizeof *u->rq.ls.ids);
	u->rq.sel_id = 0;
	u->rq.ls.client_w = 15;
}

static void
req_free(struct ui *u)
{
	free(u->rq.ls.ids);
	free(u->rq.next.ids);
	free(u->rq.rows_part.ids);
	u->rq.ls.ids = u->rq.next.ids = u->rq.rows_part.ids = NULL;
}

static size_t
req_page(const struct ui *u)
{
	int h = getmaxy(u->wreq) - 2;	/* top border and header */

	return h > 0 ? (size_t)h : 1;
}

void
req_entry_view(const struct ui *u, uint32_t e, struct row_view *v)
{
	if (e & REQ_LIVE)
		rows_txn_view(&u->eng.flow, &u->eng.diag.txns[e & ~REQ_LIVE],
		    v);
	else
		rows_view(&u->retired_rows, e, v);
}

uint32_t
req_entry_of(const struct ui *u, uint32_t id)
{
	uint32_t ti = diag_find(&u->eng.diag, id);
	size_t r;

	if (ti != NONE32)
		return REQ_LIVE | ti;
	r = rows_by_id(&u->retired_rows, id);
	return r != SIZE_MAX ? (uint32_t)r : NONE32;
}

static void
req_fmt_status(const struct row_view *t, char *out, size_t len)
{
	if (t->status)
		snprintf(out, len, "%3u", t->status);
	else
		snprintf(out, len, "  -");
}

/* Does any column of the row (and the cause behind its verdict) hold
 * `text`, case-insensitively? */
static bool
req_row_has(const struct row_view *t, const char *text)
{
	char a[ADDR_STRLEN], st[16], tm[32], el[32];
	const char *cols[10];

	req_fmt_status(t, st, sizeof st);
	ui_fmt_clock(t->start_ns, 3, tm, sizeof tm);
	cols[0] = t->url;
	cols[1] = t->host;
	cols[2] = addr_fmt(t->client, a, sizeof a);
	cols[3] = t->method;
	cols[4] = t->status ? st : "no answer";
	cols[5] = ui_txn_badge(t, true);
	cols[6] = ui_txn_badge(t, false);
	cols[7] = cause_key((enum cause)t->cause);
	cols[8] = tm;
	dur_fmt_short(t->elapsed_ns, el, sizeof el);
	cols[9] = el;
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		if (cols[i] && strcasestr(cols[i], text))
			return true;
	return false;
}

/* Does request `id`'s row hold `text`? (false: forgotten) */
static bool
req_id_has(const struct ui *u, uint32_t id, const char *text)
{
	uint32_t e = req_entry_of(u, id);
	struct row_view v;

	if (e == NONE32)
		return false;
	req_entry_view(u, e, &v);
	return req_row_has(&v, text);
}

static bool
req_match(const struct ui *u, uint32_t e, const struct row_view *t)
{
	if (!u->rq.show_all && !t->is_error)
		return false;
	if (u->rq.client_on && !addr_eq(t->client, &u->rq.client))
		return false;
	if (u->rq.narrow[0] && !req_row_has(t, u->rq.narrow))
		return false;
	return u->rf == NULL || rf_busy(u->rf) || rf_keeps(u, u->rf, e);
}

/* Errors per status ("502×17 · no answer×1"), over every request. */
static void
req_count_status(struct req_list *ls, const struct row_view *t)
{
	if (t->is_error && t->status < REQ_STATUS_SLOTS)
		ls->by_status[t->status]++;
}

/* Where sel_id is in the (by id) index, or the row just after it. */
static size_t
req_find(const struct ui *u, uint32_t id)
{
	const struct req_list *ls = &u->rq.ls;
	size_t lo;

	VEC_LOWER_BOUND(lo, ls->n, ls->ids[mid] < id);
	return lo;
}

static void
req_keep_visible(struct ui *u)
{
	struct req_pane *rq = &u->rq;
	struct ui_list l = { rq->ls.n, rq->sel, rq->top };

	ui_list_fit(&l, req_page(u));
	rq->sel = l.sel;
	rq->top = l.top;
}

static void
req_client_width(struct req_list *ls, const struct row_view *t)
{
	char a[ADDR_STRLEN];
	int w;

	w = (int)strlen(addr_fmt(t->client, a, sizeof a));
	if (w > ls->client_w)
		ls->client_w = w;
}

/* One entry of a list being built: counted, and listed when it passes. */
static void
req_add_entry(struct ui *u, struct req_list *ls, uint32_t e)
{
	struct row_view v;

	req_entry_view(u, e, &v);
	/* -c: the header and status line count that client, as --report -c
	 * does */
	if (!u->opts->eo.client.family || addr_eq(v.client,
	    &u->opts->eo.client)) {
		req_count_status(ls, &v);
		if (v.is_error && v.verdict < V_COUNT)
			ls->client_counts[v.verdict]++;
	}
	if (!req_match(u, e, &v))
		return;
	if (u->rq.search[0] && req_row_has(&v, u->rq.search))
		ls->matches++;
	ls->ids[ls->n++] = v.id;
	if (v.verdict < V_COUNT)
		ls->shown[v.verdict]++;
	req_client_width(ls, &v);
}

static size_t
req_total(const struct ui *u)
{
	return u->eng.diag.ntxns + u->retired_rows.n;
}

/* An empty list with room for every request; false: out of memory. */
static bool
req_list_begin(struct ui *u, struct req_list *ls)
{
	size_t total = req_total(u);
	uint32_t *ids;

	if (total > ls->cap) {
		if ((ids = realloc(ls->ids, total * sizeof *ids)) == NULL)
			return false;
		ls->ids = ids;
		ls->cap = total;
	}
	ls->n = 0;
	ls->matches = 0;
	memset(ls->by_status, 0, sizeof ls->by_status);
	ls->client_w = 6;	/* "Client" */
	memset(ls->shown, 0, sizeof ls->shown);
	memset(ls->client_counts, 0, sizeof ls->client_counts);
	return true;
}

/* Lists up to `budget` more entries, the retired rows and the model's
 * transactions merged by id; true when all are. */
static bool
req_merge(struct ui *u, struct req_list *ls, size_t *ti, size_t *ri,
    size_t budget)
{
	const struct diag *dg = &u->eng.diag;
	const struct ui_rows *rs = &u->retired_rows;

	while (*ti < dg->ntxns || *ri < rs->n) {
		if (budget-- == 0)
			return false;
		if (*ri < rs->n && (*ti == dg->ntxns ||
		    rs->rows[*ri].id < dg->txns[*ti].id))
			req_add_entry(u, ls, (uint32_t)(*ri)++);
		else
			req_add_entry(u, ls, REQ_LIVE | (uint32_t)(*ti)++);
	}
	return true;
}

/* The list just built is shown: the selection follows its id. */
static void
req_install(struct ui *u)
{
	struct req_pane *rq = &u->rq;

	if (u->wreq && ui_top_height(u) != u->top_h)
		ui_layout(u);
	if (rq->sel_id != 0)
		rq->sel = req_find(u, rq->sel_id);
	req_keep_visible(u);
	rq->sel_id = rq->ls.n ? rq->ls.ids[rq->sel] : 0;
	u->dirty |= D_REQ | D_STATUS;
}

static bool
req_list_same(const struct req_list *a, const struct req_list *b)
{
	return a->n == b->n && a->matches == b->matches &&
	    a->client_w == b->client_w &&
	    memcmp(a->ids, b->ids, a->n * sizeof *a->ids) == 0 &&
	    memcmp(a->shown, b->shown, sizeof a->shown) == 0 &&
	    memcmp(a->by_status, b->by_status, sizeof a->by_status) == 0 &&
	    memcmp(a->client_counts, b->client_counts,
	    sizeof a->client_counts) == 0;
}

/* GW502TUI_ROWS=stats: the list a build made, against the whole list
 * built again (what tests/e2e/test_tui_rows.sh reads at exit). */
static void
req_check(struct ui *u)
{
	struct req_list whole;
	size_t ti = 0, ri = 0;

	memset(&whole, 0, sizeof whole);
	if (!req_list_begin(u, &whole))
		return;
	req_merge(u, &whole, &ti, &ri, SIZE_MAX);
	u->rq.checked++;
	if (!req_list_same(&whole, &u->rq.ls))
		u->rq.differed++;
	free(whole.ids);
}

/* The whole list again (a filter changed): the rows' part too, next. */
void
req_rebuild(struct ui *u)
{
	struct req_pane *rq = &u->rq;
	size_t ti = 0, ri = 0;

	rq->building = false;	/* this list is the newer */
	rq->rows_part_ok = false;	/* the filters may have changed */
	if (!req_list_begin(u, &rq->ls)) {
		ui_message(u, true, "out of memory for the list");
		return;
	}
	req_merge(u, &rq->ls, &ti, &ri, SIZE_MAX);
	req_install(u);
}

/* The rows' part can be kept: not under a display filter (its verdicts
 * name rows by place, and come later). */
static bool
req_part_usable(const struct ui *u)
{
	return u->rf == NULL;
}

static int
id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

#define ID_KEY(p) (*(p))

/* ids[0..from) and ids[from..n) ascending, merged; false: out of memory. */
static bool
ids_merge(uint32_t *ids, size_t from, size_t n)
{
	bool ok;

	VEC_MERGE_TAIL(uint32_t, ids, from, n, ID_KEY, id_cmp, ok);
	return ok;
}

void
req_rows_add(struct ui *u)
{
	struct req_list *part = &u->rq.rows_part;
	const struct ui_rows *rs = &u->retired_rows;
	size_t from = part->n;

	if (!u->rq.rows_part_ok)
		return;
	if (!req_part_usable(u) ||
	    vec_reserve((void **)&part->ids, &part->cap, part->n + rs->nstaged,
	    sizeof *part->ids, UINT32_MAX) != 0) {
		u->rq.rows_part_ok = false;	/* built again by the next list */
		return;
	}
	for (size_t i = rs->n; i < rs->n + rs->nstaged; i++)
		req_add_entry(u, part, (uint32_t)i);
	if (!ids_merge(part->ids, from, part->n))
		u->rq.rows_part_ok = false;
}

bool
req_build_begin(struct ui *u)
{
	struct req_pane *rq = &u->rq;

	if (!req_list_begin(u, &rq->next))
		return false;
	rq->next_txn = rq->next_row = 0;
	rq->next_total = req_total(u);
	rq->next_part = req_part_usable(u);
	rq->next_counted = false;
	if (rq->next_part && rq->rows_part_ok)
		rq->reused++;
	else if (rq->next_part)	/* the part is built again first */
		rq->next_part = req_list_begin(u, &rq->rows_part);
	if (!rq->next_part)
		rq->rows_part_ok = false;
	rq->building = true;
	return true;
}

/* The rows' part built again (rows next_row on); false when the budget
 * ran out first. */
static bool
req_part_fill(struct ui *u, size_t *budget)
{
	struct req_pane *rq = &u->rq;

	while (rq->next_row < u->retired_rows.n) {
		if (*budget == 0)
			return false;
		(*budget)--;
		req_add_entry(u, &rq->rows_part, (uint32_t)rq->next_row++);
	}
	rq->rows_part_ok = true;
	return true;
}

/* The model's transactions (next_txn on) into the next list, which
 * holds the rows' part's counts and, for now, only their ids. */
static bool
req_live_fill(struct ui *u, size_t *budget)
{
	struct req_pane *rq = &u->rq;
	struct req_list *next = &rq->next;
	uint32_t *ids = next->ids;
	size_t cap = next->cap;

	if (!rq->next_counted) {
		*next = rq->rows_part;	/* its counts */
		next->ids = ids;
		next->cap = cap;
		next->n = 0;
		rq->next_counted = true;
	}
	while (rq->next_txn < u->eng.diag.ntxns) {
		if (*budget == 0)
			return false;
		(*budget)--;
		req_add_entry(u, next, REQ_LIVE | (uint32_t)rq->next_txn++);
	}
	return true;
}

/* The model's ids (next->ids[0..n)) merged with the rows' part; false:
 * out of memory, or a display filter came since the build began. */
static bool
req_part_merge(struct ui *u)
{
	struct req_list *next = &u->rq.next;
	const struct req_list *part = &u->rq.rows_part;

	if (!req_part_usable(u))
		return false;
	if (part->n == 0)
		return true;
	if (next->n > 0)
		memmove(next->ids + part->n, next->ids,
		    next->n * sizeof *next->ids);
	memcpy(next->ids, part->ids, part->n * sizeof *next->ids);
	next->n += part->n;
	return ids_merge(next->ids, part->n, next->n);
}

/* A build that merges the rows' part with the model's transactions;
 * false when the budget ran out first. */
static bool
req_part_step(struct ui *u, size_t budget)
{
	struct req_pane *rq = &u->rq;
	size_t ti = 0, ri = 0;

	if (!rq->rows_part_ok && !req_part_fill(u, &budget))
		return false;
	if (!req_live_fill(u, &budget))
		return false;
	if (!req_part_merge(u)) {	/* the whole list at once */
		rq->rows_part_ok = false;
		req_list_begin(u, &rq->next);
		req_merge(u, &rq->next, &ti, &ri, SIZE_MAX);
	}
	return true;
}

bool
req_build_step(struct ui *u, size_t budget)
{
	struct req_pane *rq = &u->rq;
	struct req_list built;

	if (!rq->building)
		return true;
	/* the reading waits for the build, so the model holds still; if
	 * anything changed it all the same, the list is built at once */
	if (req_total(u) != rq->next_total) {
		req_rebuild(u);
		return true;
	}
	if (rq->next_part ? !req_part_step(u, budget) :
	    !req_merge(u, &rq->next, &rq->next_txn, &rq->next_row, budget))
		return false;
	/* the list shown before keeps its memory for the next build */
	built = rq->next;
	rq->next = rq->ls;
	rq->ls = built;
	rq->building = false;
	if (u->rows_stats)
		req_check(u);
	req_install(u);
	return true;
}

void
req_update(struct ui *u)
{
	if (!req_build_begin(u)) {
		req_rebuild(u);
		return;
	}
	req_build_step(u, SIZE_MAX);
}

/* Moves the selection to row pos (clamped); true when it moved. */
static bool
req_goto(struct ui *u, size_t pos)
{
	struct req_pane *rq = &u->rq;

	if (rq->ls.n == 0)
		return false;
	if (pos >= rq->ls.n)
		pos = rq->ls.n - 1;
	if (pos == rq->sel && rq->ls.ids[pos] == rq->sel_id)
		return false;
	rq->sel = pos;
	rq->sel_id = rq->ls.ids[pos];
	req_keep_visible(u);
	ui_selection_changed(u);
	return true;
}

static bool
req_move(struct ui *u, int act)
{
	struct req_pane *rq = &u->rq;
	struct ui_list l = { rq->ls.n, rq->sel, rq->top };

	if (!ui_list_move(&l, act, req_page(u), true))
		return false;
	req_goto(u, l.sel);
	return true;
}

/* n/N: the next (previous) row matching the search, wrapping around. */
static void
req_next_match(struct ui *u, bool back)
{
	struct req_pane *rq = &u->rq;

	if (!rq->search[0]) {
		ui_message(u, true, "no search: / or F3 to search");
		return;
	}
	for (size_t k = 1; k <= rq->ls.n; k++) {
		size_t i = back ? (rq->sel + rq->ls.n - k) % rq->ls.n :
		    (rq->sel + k) % rq->ls.n;

		if (req_id_has(u, rq->ls.ids[i], rq->search)) {
			if ((back && i > rq->sel) || (!back && i < rq->sel))
				ui_message(u, false, "search wrapped");
			req_goto(u, i);
			return;
		}
	}
	ui_message(u, true, "\"%s\" is in no row%s", rq->search,
	    rq->show_all ? "" : " among the errors (a: all)");
}

static void
req_refilter(struct ui *u)
{
	req_rebuild(u);
	ui_selection_changed(u);
}

static void
req_toggle_all(struct ui *u)
{
	u->rq.show_all = !u->rq.show_all;
	req_refilter(u);
	ui_message(u, false, u->rq.show_all ? "showing all requests" :
	    "showing gateway errors only");
}

static void
req_toggle_client(struct ui *u)
{
	struct row_view t;
	char a[ADDR_STRLEN];

	if (u->rq.client_on) {
		u->rq.client_on = false;
		req_refilter(u);
		ui_message(u, false, "client filter off");
		return;
	}
	if (!ui_selected_view(u, &t)) {
		ui_message(u, true, "no request selected: nothing to filter on");
		return;
	}
	u->rq.client = *t.client;
	u->rq.client_on = true;
	req_refilter(u);
	ui_message(u, false, "only client %s (ip.addr==%s); c again: all "
	    "clients", addr_fmt(&u->rq.client, a, sizeof a), a);
}

static void
req_search(struct ui *u)
{
	struct req_pane *rq = &u->rq;
	char buf[sizeof rq->search];

	snprintf(buf, sizeof buf, "%s", rq->search);
	if (!prompt_line(u, "Search (any column; empty: none): ", buf,
	    sizeof buf))
		return;
	snprintf(rq->search, sizeof rq->search, "%s", buf);
	req_rebuild(u);
	if (rq->search[0] && rq->ls.n) {
		/* the selected row when it matches, else the next one */
		if (!req_id_has(u, rq->ls.ids[rq->sel], rq->search))
			req_next_match(u, false);
	}
}

/* \\ or F4: only the rows containing a text. */
static void
req_narrow(struct ui *u)
{
	char buf[sizeof u->rq.narrow];

	snprintf(buf, sizeof buf, "%s", u->rq.narrow);
	if (!prompt_line(u, "Filter (any column; empty: none): ", buf,
	    sizeof buf))
		return;
	snprintf(u->rq.narrow, sizeof u->rq.narrow, "%s", buf);
	req_refilter(u);
	if (u->rq.narrow[0] && u->rq.ls.n == 0)
		ui_message(u, true, "nothing matches \"%s\"%s", u->rq.narrow,
		    u->rq.show_all ? "" : " among the errors (a: all)");
}

/* Applies a display filter to the list ("": none). */
static void
req_set_dfilter(struct ui *u, const char *text)
{
	struct rf_scan *rf = NULL;

	if (u->loading) {
		ui_message(u, true, "the capture is still loading (q stops "
		    "loading)");
		return;
	}
	if (!dfilter_blank(text) && (rf = rf_start(u, text)) == NULL)
		return;	/* the error is on the status line */
	rf_free(u->rf);
	u->rf = rf;
	snprintf(u->rq.dfilter, sizeof u->rq.dfilter, "%s", rf ? text : "");
	if (!rf) {
		req_refilter(u);
		ui_message(u, false, "display filter off");
	}
	u->dirty |= D_REQ | D_STATUS;
}

static void
req_dfilter_prompt(struct ui *u)
{
	char buf[sizeof u->rq.dfilter];

	snprintf(buf, sizeof buf, "%s", u->rq.dfilter);
	if (prompt_line(u, "Display filter (requests with a matching frame): ",
	    buf, sizeof buf))
		req_set_dfilter(u, buf);
}

void
req_start(struct ui *u)
{
	if (u->opts->dfilter && !dfilter_blank(u->opts->dfilter) &&
	    u->rf == NULL)
		req_set_dfilter(u, u->opts->dfilter);
}

static bool
req_step(struct ui *u)
{
	if (!rf_busy(u->rf))
		return false;
	if (rf_step(u, u->rf)) {
		req_refilter(u);
		ui_message(u, false, "display filter: %zu request%s",
		    u->rq.ls.n, u->rq.ls.n == 1 ? "" : "s");
		return false;
	}
	u->dirty |= D_REQ;	/* the title's progress */
	return true;
}

void
req_show(struct ui *u, uint32_t id)
{
	struct req_pane *rq = &u->rq;
	uint32_t e = req_entry_of(u, id);
	struct row_view v;

	if (e == NONE32)
		return;
	req_entry_view(u, e, &v);
	if (!req_match(u, e, &v)) {	/* widen what hides it */
		rq->show_all = rq->show_all || !v.is_error;
		rq->narrow[0] = '\0';
		rq->client_on = false;
		rf_free(u->rf);
		u->rf = NULL;
		rq->dfilter[0] = '\0';
	}
	rq->sel_id = id;
	req_refilter(u);
}

static bool
req_key(struct ui *u, int act)
{
	const struct txn *t = ui_selected(u);

	if (req_move(u, act))
		return true;
	switch (act) {
	case ACT_ENTER:
		if (t)
			ui_push_view(u, &ui_pane_flow);
		return true;
	case ACT_PACKETS:
		ui_push_view(u, &ui_pane_packets);
		return true;
	case ACT_SEARCH:
		req_search(u);
		return true;
	case ACT_NEXT: case ACT_PREV:
		req_next_match(u, act == ACT_PREV);
		return true;
	case ACT_NARROW:
		req_narrow(u);
		return true;
	case ACT_DFILTER:
		req_dfilter_prompt(u);
		return true;
	case ACT_ALL:
		req_toggle_all(u);
		return true;
	case ACT_CLIENT:
		req_toggle_client(u);
		return true;
	case ACT_EXPORT:
		if (t)
			export_dialog(u, t);
		else
			ui_message(u, true, "no request selected to export");
		return true;
	default:
		return false;
	}
}

/* ---- drawing --------------------------------------------------------- */

struct req_cols {
	int time, client, method, url, verdict, dur;	/* 0: not shown */
	int log;	/* --access-log: L logged, - not in the log (0: none) */
	int time_dec;
	bool long_badge;
};

/* Narrow screens drop Elapsed, Method, then Time: no row runs over. */
static void
req_columns(const struct ui *u, int width, struct req_cols *c)
{
	int fixed;

	c->long_badge = width >= UI_WIDE_COLS - 2;
	c->time = c->long_badge ? 12 : 8;
	c->time_dec = c->long_badge ? 3 : 0;
	c->verdict = c->long_badge ? 19 : 8;
	c->dur = 7;
	c->method = COL_METHOD;
	c->client = u->rq.ls.client_w;
	if (width < 70)
		c->dur = 0;
	if (width < 60)
		c->method = 0;
	if (width < 50) {
		c->time = 0;
		c->client = c->client > 15 ? 15 : c->client;
	}
	c->log = u->eng.alog != NULL ? 1 : 0;
	fixed = (c->time ? c->time + 1 : 0) + 1 + (c->method ? c->method + 1 :
	    0) + 1 + 3 + 1 + (c->log ? c->log + 1 : 0) + c->verdict +
	    (c->dur ? 1 + c->dur : 0);
	if (width - fixed - c->client < URL_MIN + 10 && c->client > 15)
		c->client = width - fixed - URL_MIN - 10 > 15 ?
		    width - fixed - URL_MIN - 10 : 15;
	c->url = width - fixed - c->client;
	if (c->url < URL_MIN / 2) {	/* tiny: the client gives way */
		c->client -= URL_MIN / 2 - c->url;
		c->url = URL_MIN / 2;
		if (c->client < 7)
			c->client = 7;
	}
}

static void
req_header(struct ui *u, const struct req_cols *c, int width)
{
	char line[512];
	int o = 0;

	if (c->time)
		o += snprintf(line + o, sizeof line - o, "%-*s ", c->time,
		    "Time");
	o += snprintf(line + o, sizeof line - o, "%-*s ", c->client, "Client");
	if (c->method)
		o += snprintf(line + o, sizeof line - o, "%-*s ", c->method,
		    "Method");
	o += snprintf(line + o, sizeof line - o, "%-*s %3s %s%-*s", c->url,
	    "URL", "St", c->log ? "L " : "", c->verdict, "Verdict");
	if (c->dur)
		snprintf(line + o, sizeof line - o, " %*s", c->dur, "Elapsed");
	ui_put(u->wreq, 1, 1, width, line, u->attr[TE_HEADER], true);
}

/* Puts text at x (w cols, elided in the middle, never past the right
 * border); returns the next x. */
static int
cell(struct ui *u, int y, int x, int w, const char *safe, attr_t a)
{
	int right = getmaxx(u->wreq) - 1;
	char buf[1024];

	if (w <= 0 || x >= right)
		return x;
	if (x + w > right)
		w = right - x;
	ui_elide_mid(safe, w, u->g.ellipsis, buf, sizeof buf);
	ui_put(u->wreq, y, x, w, buf, a, true);
	if (x + w < right)
		ui_put(u->wreq, y, x + w, 1, " ", a, true);
	return x + w + 1;
}

static void
req_row(struct ui *u, int y, const struct row_view *t,
    const struct req_cols *c, bool sel)
{
	attr_t base = sel ? u->attr[u->focus == PANE_REQUESTS ? TE_SELECTED :
	    TE_SELECTED_IDLE] : u->attr[TE_NORMAL];
	char tmp[64], esc[4096], a[ADDR_STRLEN];
	int x = 1;

	/* the search's matches stand out, as in less */
	if (!sel && u->rq.search[0] && req_row_has(t, u->rq.search))
		base |= A_BOLD;
	ui_fmt_clock(t->start_ns, c->time_dec, tmp, sizeof tmp);
	x = cell(u, y, x, c->time, tmp, base);
	x = cell(u, y, x, c->client, addr_fmt(t->client, a, sizeof a), base);
	x = cell(u, y, x, c->method, ui_esc_str(u, t->method, esc, sizeof esc),
	    base);
	x = cell(u, y, x, c->url, ui_esc_str(u, t->url, esc, sizeof esc),
	    base);
	req_fmt_status(t, tmp, sizeof tmp);
	x = cell(u, y, x, 3, tmp, sel ? base : u->attr[t->is_error ?
	    TE_CODE_ERROR : TE_CODE_OK]);
	if (c->log)	/* the access log has this request, or not */
		x = cell(u, y, x, 1, alog_txn_entry(u->eng.alog, t->id) ? "L" :
		    "-", base);
	x = cell(u, y, x, c->verdict, ui_txn_badge(t, c->long_badge),
	    sel ? base :
	    ui_verdict_attr(u, t->verdict));
	dur_fmt_short(t->elapsed_ns, tmp, sizeof tmp);
	snprintf(esc, sizeof esc, "%*s", c->dur, tmp);
	cell(u, y, x, c->dur, esc, base);
}

static void
req_empty(struct ui *u, int width)
{
	char line[256], hint[128];

	if (u->loading)
		snprintf(line, sizeof line, "reading the capture%s",
		    u->g.ellipsis);
	else if (diag_total(&u->eng.diag) == 0 &&
	    engine_ports_hint(&u->eng, hint, sizeof hint, NULL))
		snprintf(line, sizeof line, "no HTTP requests to a proxy port "
		    "in this capture: a reverse proxy's? try %s", hint);
	else if (diag_total(&u->eng.diag) == 0)
		snprintf(line, sizeof line, "no HTTP requests to a proxy port "
		    "in this capture (-p PORTS?)");
	else if (rf_busy(u->rf))
		snprintf(line, sizeof line, "filtering%s", u->g.ellipsis);
	else if (u->rq.narrow[0] || u->rq.client_on || u->rf)
		snprintf(line, sizeof line, "no request matches the filter "
		    "(\\ and F to change, c to clear the client)");
	else
		snprintf(line, sizeof line, "no gateway errors among %zu "
		    "requests: press a to show all", (size_t)(u->eng.diag.ntxns +
		    u->retired_rows.n));
	ui_put(u->wreq, 2, 2, width - 2, line, u->attr[TE_DIM], false);
}

/* One status's count as the title shows it: "502×17", "no answer×1". */
static int
status_item(const struct ui *u, size_t st, char *out, size_t len)
{
	unsigned long long n = (unsigned long long)u->rq.ls.by_status[st];

	if (st)
		snprintf(out, len, "%zu%s%llu", st, u->g.mul, n);
	else
		snprintf(out, len, "no answer%s%llu", u->g.mul, n);
	return ui_width(out);
}

struct status_count {
	uint16_t status;
	uint64_t n;
};

/* Most frequent first; among equals, in the title's order. */
static int
status_count_cmp(const void *a, const void *b)
{
	const struct status_count *x = a, *y = b;
	unsigned kx = x->status ? x->status : REQ_STATUS_SLOTS,
	    ky = y->status ? y->status : REQ_STATUS_SLOTS;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return kx < ky ? -1 : kx > ky;
}

void
req_status_counts(const struct ui *u, int room, char *out, size_t len)
{
	const uint64_t *by_status = u->rq.ls.by_status;
	const char *dot = u->utf8 ? " \xc2\xb7 " : " | ";
	struct status_count seen[REQ_STATUS_SLOTS];
	bool shown[REQ_STATUS_SLOTS] = { false };
	size_t nseen = 0, nshown, o = 0;
	int used = 0, dot_w = ui_width(dot), more_w;
	char item[64];

	out[0] = '\0';
	if (len == 0)
		return;
	/* a column takes at most 3 bytes here ("…"): out has room */
	if (room > (int)((len - 1) / 3))
		room = (int)((len - 1) / 3);
	for (size_t st = 0; st < REQ_STATUS_SLOTS; st++)
		if (by_status[st] != 0) {
			seen[nseen].status = (uint16_t)st;
			seen[nseen++].n = by_status[st];
		}
	qsort(seen, nseen, sizeof *seen, status_count_cmp);
	/* while some are left out, room for " · …" too */
	more_w = dot_w + ui_width(u->g.ellipsis);
	for (nshown = 0; nshown < nseen; nshown++) {
		int w = status_item(u, seen[nshown].status, item,
		    sizeof item) + (used ? dot_w : 0);

		if (used + w + (nshown + 1 < nseen ? more_w : 0) > room)
			break;
		shown[seen[nshown].status] = true;
		used += w;
	}
	if (nshown == 0)
		return;
	for (size_t k = 1; k <= REQ_STATUS_SLOTS; k++) {
		size_t st = k % REQ_STATUS_SLOTS;	/* 0 comes last */

		if (shown[st]) {
			status_item(u, st, item, sizeof item);
			o += (size_t)snprintf(out + o, len - o, "%s%s",
			    o ? dot : "", item);
		}
	}
	if (nshown < nseen)
		snprintf(out + o, len - o, "%s%s", dot, u->g.ellipsis);
}

static void
req_title(struct ui *u)
{
	struct req_pane *rq = &u->rq;
	char title[1400], counts[1024], esc[700];
	int o, w = getmaxx(u->wreq), used;

	o = snprintf(title, sizeof title, "%s %zu/%zu",
	    rq->show_all ? "Requests" : "Gateway errors", rq->ls.n,
	    (size_t)(u->eng.diag.ntxns + u->retired_rows.n));
	if (rq->search[0])
		o += snprintf(title + o, sizeof title - o, " /%s (%zu)",
		    ui_esc_str(u, rq->search, esc, sizeof esc), rq->ls.matches);
	if (rq->narrow[0])
		o += snprintf(title + o, sizeof title - o, " \\%s",
		    ui_esc_str(u, rq->narrow, esc, sizeof esc));
	if (u->rf)
		o += snprintf(title + o, sizeof title - o, " F:%s",
		    ui_esc_str(u, rq->dfilter, esc, sizeof esc));
	if (rf_busy(u->rf))
		o += snprintf(title + o, sizeof title - o, " (filtering %u%%)",
		    rf_percent(u->rf));
	if (rq->client_on)
		o += snprintf(title + o, sizeof title - o, " client");
	if (u->eng.diag.retired.txns > u->retired_rows.n)	/* --keep: counted, not
							 * listed */
		snprintf(title + o, sizeof title - o, " (+%llu older)",
		    (unsigned long long)(u->eng.diag.retired.txns - u->retired_rows.n));
	ui_title(u, u->wreq, 2, title, u->focus == PANE_REQUESTS);
	/* the errors per status, right-aligned, as many as fit */
	used = ui_width(title) + 4;
	req_status_counts(u, w - 6 - used, counts, sizeof counts);
	if (counts[0])
		ui_put(u->wreq, 0, w - 3 - ui_width(counts), ui_width(counts) +
		    2, counts, u->attr[TE_TITLE], false);
}

static void
req_draw(struct ui *u)
{
	struct req_pane *rq = &u->rq;
	struct req_cols c;
	size_t i, page = req_page(u);
	int width = u->cols - 2;

	werase(u->wreq);
	ui_box(u, u->wreq, u->g.ul, u->g.ur, 0, 0, false);
	req_title(u);
	req_columns(u, width, &c);
	req_header(u, &c, width);
	if (rq->ls.n == 0)
		req_empty(u, width);
	for (i = 0; i < page && rq->top + i < rq->ls.n; i++) {
		uint32_t e = req_entry_of(u, rq->ls.ids[rq->top + i]);
		struct row_view v;

		if (e == NONE32)	/* --keep forgot it since: a blank row
					 * until the next list */
			continue;
		req_entry_view(u, e, &v);
		req_row(u, (int)i + 2, &v, &c, rq->top + i == rq->sel);
	}
	wnoutrefresh(u->wreq);
}

/* A click on a row selects it (row 2 is the first under the header). */
static void
req_click(struct ui *u, int y)
{
	if (y >= 2 && u->rq.top + (size_t)(y - 2) < u->rq.ls.n)
		req_goto(u, u->rq.top + (size_t)(y - 2));
}

static void
req_destroy(struct ui *u)
{
	rf_free(u->rf);
	u->rf = NULL;
	req_free(u);
}

const struct ui_pane ui_pane_requests = {
	.name = "Requests",
	.ctx = CX_REQ,
	.dirty = D_REQ,
	.help = "the client requests, errors first",
	.draw = req_draw,
	.key = req_key,
	.click = req_click,
	.resize = req_keep_visible,	/* the page's height changed */
	.slot = SLOT_TOP,
	.step = req_step,
	.destroy = req_destroy,
};
