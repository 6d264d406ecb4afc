/*
 * ui.c: the screen manager and the TUI's main loop. Opens the capture, sets
 * up the terminal, loads the file in slices between redraws (progress bar,
 * list filling as it loads, keys still working), lays out the panes of
 * ui_panes[] and the views stacked on them, turns keys (and the mouse)
 * into actions (keys.c) for the focused pane, redraws only the dirty
 * parts, and restores the terminal on every way out (quit, Ctrl-C, error,
 * SIGTERM/SIGHUP). No pane is named here beyond the two tables.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../alog/alog.h"
#include "../peer/peer.h"
#include "ui_int.h"

#define UI_DIAG_EVERY_NS (300LL * 1000000LL)	/* diagnose while loading */

/* --keep N: diagnose (and trim) also once 4N messages came in, about N
 * requests (at least UI_KEEP_MIN_MSGS, so that a tiny N does not diagnose
 * every few packets): memory stays near the list's size, loading near
 * its speed */
#define UI_KEEP_GROWTH 4
#define UI_KEEP_MIN_MSGS 16384
/* Without --keep, rows start once this many requests were seen: below,
 * the model is small anyway and stays whole (the packet list's and the
 * filters' HTTP fields come from the model's messages, which a retired
 * row no longer has there) */
#define UI_ROWS_FROM 25000
#define UI_PROGRESS_EVERY_NS (100LL * 1000000LL)
/* A load slice reads at most UI_SLICE_FRAMES, and stops looking at more
 * once UI_SLICE_NS have passed (checked every UI_STEP_FRAMES): keys and
 * signals wait for no more than that however slow the frames (issue 13) */
#define UI_SLICE_NS (20LL * 1000000LL)
#define UI_STEP_FRAMES 1000
/*
 * The smallest screen the layout is drawn on: 30 columns keep every
 * pane's border and title, the list's four column headings whole and a
 * prompt's label with room to type (test_files_signals F7); 10 rows are
 * 2 list rows, 2 lines of evidence, the status line and the hint bar, and
 * one message of the flow view over its footer. Smaller, a message says
 * so (ui_draw_too_small).
 */
#define UI_MIN_COLS 30
#define UI_MIN_ROWS 10
/* A diagnosis slice (also at most UI_SLICE_NS) looks at the clock after
 * this many transactions: one takes microseconds, a hard one a few ms */
#define UI_DIAG_STEP 16
#define UI_IDLE_MS 200
#define UI_SETTLE_MS 60		/* stream loads once keys pause this long */

#define UI_WHEEL_LINES 3	/* rows a mouse wheel step scrolls */

/* The tiled panes of the main screen, in enum ui_pane_id order (Tab order). */
static const struct ui_pane *const ui_panes[PANE_COUNT] = {
	&ui_pane_requests, &ui_pane_evidence, &ui_pane_stream,
};

/* Every pane and view: what --keep renumbers, what steps, what is freed. */
static const struct ui_pane *const ui_all[] = {
	&ui_pane_requests, &ui_pane_evidence, &ui_pane_stream,
	&ui_pane_flow, &ui_pane_packets, &ui_pane_detail,
};
#define UI_NALL (sizeof ui_all / sizeof ui_all[0])

/* Set by the signal handler, read by the loop: the only static state. */
static volatile sig_atomic_t ui_signal_seen;

static void
ui_on_signal(int sig)
{
	ui_signal_seen = sig;
}

static void
ui_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ui_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: a blocked read returns */
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

bool
ui_interrupted(const struct ui *u)
{
	(void)u;
	return ui_signal_seen != 0;
}

void
ui_message(struct ui *u, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->msg, sizeof u->msg, fmt, ap);
	va_end(ap);
	u->msg_err = error;
	u->dirty |= D_STATUS;
}

/* The selected list entry, or NONE32. */
static uint32_t
ui_selected_entry(const struct ui *u)
{
	return u->rq.ls.n && u->rq.sel < u->rq.ls.n ?
	    req_entry_of(u, u->rq.ls.ids[u->rq.sel]) : NONE32;
}

/* The selected transaction, in the model the panes read (ui_model):
 * NULL when nothing is selected or its model is not (yet) there. */
const struct txn *
ui_selected(const struct ui *u)
{
	uint32_t e = ui_selected_entry(u);

	if (e == NONE32)
		return NULL;
	if (e & REQ_LIVE)
		return u->mini_on ? NULL : &u->eng.diag.txns[e & ~REQ_LIVE];
	return u->mini_on && u->mini_id == u->retired_rows.rows[e].id ?
	    &u->mini.diag.txns[u->mini_txn] : NULL;
}

bool
ui_selected_view(const struct ui *u, struct row_view *v)
{
	uint32_t e = ui_selected_entry(u);

	if (e == NONE32)
		return false;
	req_entry_view(u, e, v);
	return true;
}

static void
ui_mini_close(struct ui *u)
{
	if (u->mini_id != 0) {
		u->mini.peer = NULL;	/* the engine's, not the copy's */
		engine_close(&u->mini);
	}
	u->mini_on = false;
	u->mini_id = 0;
	u->mini_err[0] = '\0';
}

void
ui_model_sync(struct ui *u)
{
	uint32_t e = ui_selected_entry(u), ti;
	int64_t t0 = clock_mono_ns(), took;
	char err[600];

	if (e == NONE32 || (e & REQ_LIVE)) {
		ui_mini_close(u);
		return;
	}
	if (u->mini_on && u->mini_id == u->retired_rows.rows[e].id)
		return;
	ui_mini_close(u);
	if (rows_rebuild(&u->retired_rows, e, u->opts->path, &u->eng, &u->mini, &ti,
	    err, sizeof err) != 0) {
		snprintf(u->mini_err, sizeof u->mini_err, "request #%u: %s",
		    u->retired_rows.rows[e].id, err);
		ui_message(u, true, "%s", u->mini_err);
		u->mini_on = true;	/* the panes show nothing but why */
		u->mini_id = 0;
		return;
	}
	u->mini.peer = u->eng.peer;
	u->mini.alog = u->eng.alog;
	u->mini_on = true;
	u->mini_id = u->retired_rows.rows[e].id;
	u->mini_txn = ti;
	u->rows_rebuilt++;
	took = clock_mono_ns() - t0;
	u->rows_rebuild_ns += took;
	if (took > u->rows_rebuild_max_ns)
		u->rows_rebuild_max_ns = took;
}

void
ui_selection_changed(struct ui *u)
{
	const struct txn *t;

	ui_model_sync(u);
	t = ui_selected(u);

	for (int i = 0; i < PANE_COUNT; i++)
		if (ui_panes[i]->on_select)
			ui_panes[i]->on_select(u, t);
	u->dirty |= D_REQ | D_EV | D_ST | D_STATUS;
}

const struct ui_pane *
ui_focused(const struct ui *u)
{
	return u->nviews ? u->views[u->nviews - 1] : ui_panes[u->focus];
}

/* Is tiled pane i on the screen (narrow screens show one bottom pane)? */
static bool
ui_pane_shown(const struct ui *u, int i)
{
	return i == PANE_REQUESTS || u->wide || u->bottom == i;
}

void
ui_focus(struct ui *u, int pane)
{
	u->focus = pane;
	if (pane != PANE_REQUESTS && !u->wide)
		u->bottom = pane;
	u->dirty |= D_REQ | D_EV | D_ST | D_HINTS;
}

bool
ui_push_view(struct ui *u, const struct ui_pane *v)
{
	if (u->nviews >= UI_MAX_VIEWS || (v->open && !v->open(u)))
		return false;
	u->views[u->nviews++] = v;
	u->dirty = D_ALL;
	return true;
}

static void
ui_pop_view(struct ui *u)
{
	const struct ui_pane *v;

	if (u->nviews == 0)
		return;
	v = u->views[--u->nviews];
	if (v->close)
		v->close(u);
	u->dirty = D_ALL;
}

void
ui_show_txn(struct ui *u, uint32_t id)
{
	while (u->nviews)
		ui_pop_view(u);
	ui_focus(u, PANE_REQUESTS);
	req_show(u, id);
}

int
ui_read_key(struct ui *u, WINDOW *w, int timeout_ms)
{
	int k;

	if (u->waits)
		waits_look(u->waits, clock_mono_ns());
	wtimeout(w, timeout_ms);
	k = wgetch(w);
	if (u->waits)
		waits_looked(u->waits, clock_mono_ns(), k != ERR);
	return k;
}

static int
ui_getkey(struct ui *u, int timeout_ms)
{
	/* read through the status window: getch() would repaint stdscr */
	return ui_read_key(u, u->wstat, timeout_ms);
}

/* ---- layout ------------------------------------------------------------ */

static void
ui_delwins(struct ui *u)
{
	WINDOW **w[] = { &u->wreq, &u->wev, &u->wst, &u->wstat, &u->wflow,
	    &u->whint };
	size_t i;

	for (i = 0; i < sizeof w / sizeof w[0]; i++)
		if (*w[i]) {
			delwin(*w[i]);
			*w[i] = NULL;
		}
}

/* The list takes what its rows need, at most 45% of the screen. */
int
ui_top_height(const struct ui *u)
{
	int h = u->rows - 2, max = h * 45 / 100, want;

	want = u->rq.ls.n + 2 < (size_t)max ? (int)u->rq.ls.n + 2 : max;
	if (want < 6)
		want = 6;
	if (want > h - 4)
		want = h - 4;
	return want > 1 ? want : 1;
}

void
ui_layout(struct ui *u)
{
	int h, ev_w;

	ui_delwins(u);
	getmaxyx(stdscr, u->rows, u->cols);
	/* smaller, the panes are laid out at the minimum, unseen: only
	 * ui_draw_too_small's message shows */
	if (u->rows < UI_MIN_ROWS)
		u->rows = UI_MIN_ROWS;
	if (u->cols < UI_MIN_COLS)
		u->cols = UI_MIN_COLS;
	u->wide = u->cols >= UI_WIDE_COLS;
	h = u->rows - 2;	/* the status line and the hint bar */
	u->top_h = ui_top_height(u);
	u->wreq = newwin(u->top_h, u->cols, 0, 0);
	ev_w = u->wide ? u->cols / 2 : u->cols;
	u->wev = newwin(h - u->top_h, ev_w, u->top_h, 0);
	u->wst = u->wide ? newwin(h - u->top_h, u->cols - ev_w + 1, u->top_h,
	    ev_w - 1) : newwin(h - u->top_h, u->cols, u->top_h, 0);
	u->wstat = newwin(1, u->cols, u->rows - 2, 0);
	u->whint = newwin(1, u->cols, u->rows - 1, 0);
	keypad(u->wstat, TRUE);
	u->wflow = newwin(h, u->cols, 0, 0);
	if (!u->wide && u->focus != PANE_REQUESTS)
		u->bottom = u->focus;
	clearok(curscr, TRUE);
	for (size_t i = 0; i < UI_NALL; i++)
		if (ui_all[i]->resize)
			ui_all[i]->resize(u);
	u->dirty = D_ALL;
}

/* ---- terminal ------------------------------------------------------- */

static int
ui_term_start(struct ui *u, char *err, size_t errlen)
{
	const char *cs;

	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	u->utf8 = cs && strcmp(cs, "UTF-8") == 0;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "%s: the TUI needs a terminal "
		    "(use --report to print the diagnosis)", u->opts->path);
		return -1;
	}
	if (!ui_terminfo_known() || !(u->scr = newterm(NULL, stdout, stdin))) {
		snprintf(err, errlen, "%s: cannot use terminal type '%s'",
		    u->opts->path, getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	u->curses_on = true;
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	u->colour = has_colors() && !getenv("NO_COLOR");
	if (u->colour && start_color() == OK) {
		use_default_colors();
	} else {
		u->colour = false;
	}
	ui_glyphs_init(&u->g, u->utf8);
	return 0;
}

static void
ui_term_stop(struct ui *u)
{
	if (!u->curses_on)
		return;
	ui_delwins(u);
	curs_set(1);
	endwin();
	delscreen(u->scr);
	u->scr = NULL;
	u->curses_on = false;
}

/* ---- loading -------------------------------------------------------- */

static bool
shown_by_pane(uint32_t *const *refs, size_t n, uint32_t ti)
{
	for (size_t r = 0; r < n; r++)
		if (refs[r] && *refs[r] == ti)
			return true;
	return false;
}

/* The model was renumbered: panes holding indices look them up again
 * (a retired row's panes read their own model: nothing to renumber). */
static void
ui_renumbered(struct ui *u)
{
	for (size_t r = 0; r < UI_NALL && !u->mini_on; r++)
		if (ui_all[r]->renumbered)
			ui_all[r]->renumbered(u);
	u->dirty |= D_ALL;
}

/*
 * With --keep N the list keeps the newest N successful requests and the
 * newest N errors: older settled ones are retired (the counts keep them).
 * Flags them in retire[]; false when there is nothing worth a trim.
 */
static bool
ui_trim_keep(struct ui *u, uint32_t *const *refs, size_t nrefs,
    uint8_t *retire)
{
	const struct diag *dg = &u->eng.diag;
	size_t keep = u->opts->keep, settled[2] = { 0, 0 }, excess[2];
	bool any = false;

	for (size_t i = 0; i < dg->ntxns; i++)
		if (dg->txns[i].settled)
			settled[dg->txns[i].is_error]++;
	/* in steps of a quarter: each trim renumbers the whole model */
	if (settled[0] <= keep + keep / 4 && settled[1] <= keep + keep / 4)
		return false;
	for (int e = 0; e < 2; e++)
		excess[e] = settled[e] > keep ? settled[e] - keep : 0;
	for (size_t i = 0; i < dg->ntxns; i++) {
		const struct txn *t = &dg->txns[i];

		if (t->settled && excess[t->is_error] > 0 &&
		    !shown_by_pane(refs, nrefs, (uint32_t)i)) {
			retire[i] = 1;
			excess[t->is_error]--;
			any = true;
		}
	}
	return any;
}

/*
 * Without --keep every transaction whose story is over (settled, and its
 * final time passed: what diag_retire takes) becomes a list row and
 * leaves the model; what a pane shows of the model stays. Flags them in
 * retire[]; false when there is nothing worth a trim.
 */
static bool
ui_trim_rows(struct ui *u, uint32_t *const *refs, size_t nrefs,
    uint8_t *retire)
{
	const struct diag *dg = &u->eng.diag;
	const struct flow *fl = &u->eng.flow;
	size_t over = 0;

	if (diag_total(dg) < u->rows_from)
		return false;
	for (size_t i = 0; i < dg->ntxns; i++) {
		const struct txn *t = &dg->txns[i];

		if (t->settled && txn_final_ns(dg, fl, t) <= fl->stats.last_ts &&
		    !shown_by_pane(refs, nrefs, (uint32_t)i)) {
			retire[i] = 1;
			over++;
		}
	}
	/* at least a quarter of the model: each trim renumbers all of it,
	 * a pause the keys would wait through for a few rows (issue 13) */
	return over > 0 && over >= dg->ntxns / 4;
}

/*
 * A trim under way: rows are staged for what retires (without --keep),
 * then diag/retire.c marks what stays and compacts the model, in slices
 * between looks at the keys (issue 13), the model frozen meanwhile.
 */
enum ui_trim_phase { TRIM_ROWS, TRIM_RETIRE };

struct ui_trim {
	uint8_t phase;		/* enum ui_trim_phase */
	size_t next;		/* TRIM_ROWS: the transaction looked at next */
	bool retiring;		/* TRIM_RETIRE: diag_retire_begin done */
	uint8_t *retire;	/* per transaction */
	uint32_t *refs[UI_NALL];	/* the panes' transactions, and */
	uint32_t ids[UI_NALL];		/* their ids when last looked */
	size_t nrefs;
};

/* The panes' transaction refs and their ids, as they are now. */
static size_t
ui_pane_refs(struct ui *u, uint32_t **refs, uint32_t *ids)
{
	const struct diag *dg = &u->eng.diag;
	size_t nrefs = 0;

	for (size_t r = 0; r < UI_NALL && !u->mini_on; r++) {
		refs[nrefs] = ui_all[r]->txn_ref ? ui_all[r]->txn_ref(u) : NULL;
		if (refs[nrefs] && *refs[nrefs] < dg->ntxns) {
			ids[nrefs] = dg->txns[*refs[nrefs]].id;
			nrefs++;
		}
	}
	return nrefs;
}

static void
ui_trim_free(struct ui *u)
{
	if (u->trim == NULL)
		return;
	free(u->trim->retire);
	free(u->trim);
	u->trim = NULL;
}

/*
 * Retires what --keep or the rows let go, so memory levels off however
 * long the capture or big the file. A transaction a pane shows when it
 * begins is not retired; the panes find theirs again by id (a retired
 * row's panes read their own model: nothing to renumber). True when a
 * trim has begun: ui_trim_slice goes on with it.
 */
static bool
ui_trim_begin(struct ui *u)
{
	struct diag *dg = &u->eng.diag;
	struct ui_trim *tr;

	if ((u->opts->keep == 0 && !u->rows_on) || dg->ntxns == 0)
		return false;
	if ((tr = calloc(1, sizeof *tr)) == NULL ||
	    (tr->retire = calloc(dg->ntxns, 1)) == NULL) {
		free(tr);
		return false;
	}
	u->trim = tr;
	tr->nrefs = ui_pane_refs(u, tr->refs, tr->ids);
	if (!(u->opts->keep ? ui_trim_keep(u, tr->refs, tr->nrefs, tr->retire) :
	    ui_trim_rows(u, tr->refs, tr->nrefs, tr->retire))) {
		ui_trim_free(u);
		return false;
	}
	tr->phase = u->opts->keep ? TRIM_RETIRE : TRIM_ROWS;
	return true;
}

/* The rows of what retires, staged (rows.h): a row that cannot be made
 * keeps its transaction in the model. True when all are. */
static bool
ui_trim_stage(struct ui *u, size_t budget)
{
	struct ui_trim *tr = u->trim;
	const struct diag *dg = &u->eng.diag;

	for (; tr->next < dg->ntxns; tr->next++) {
		if (budget-- == 0)
			return false;
		if (tr->retire[tr->next] && rows_stage(&u->retired_rows, dg,
		    &u->eng.flow, &dg->txns[tr->next]) != 0)
			tr->retire[tr->next] = 0;
	}
	return true;
}

/* The trim is over (result: what diag_retire returned): the staged rows
 * are listed, and the panes look their transactions up again. */
static void
ui_trim_end(struct ui *u, long result)
{
	struct ui_trim *tr = u->trim;
	struct diag *dg = &u->eng.diag;

	diag_keep_cancel(dg);	/* if cut short */
	if (result > 0) {
		req_rows_add(u);
		rows_commit(&u->retired_rows);
		for (size_t r = 0; r < tr->nrefs; r++)
			*tr->refs[r] = diag_find(dg, tr->ids[r]);
		ui_renumbered(u);
	} else {
		rows_unstage(&u->retired_rows);
	}
	ui_trim_free(u);
}

/* Items a step of the retirement or eviction marks between looks at the
 * clock: each costs tens of nanoseconds */
#define UI_KEEP_STEP 4096

/* A step that cannot be cut (a sort, the compaction) waits for the next
 * slice once this much of the slice is spent: both would add up */
#define UI_KEEP_FRESH_NS (2LL * 1000000LL)

/* Rows staged between looks at the clock: each gathers its frames from
 * the model, a few microseconds */
#define UI_STAGE_STEP 128

/* Steps of a pass of diag/retire.c (a trim's retirement, an eviction)
 * until `until`; true when it is over, with its result. */
static bool
ui_keep_steps(struct ui *u, int64_t until, long *result)
{
	int64_t fresh = until - UI_SLICE_NS + UI_KEEP_FRESH_NS;

	do {
		if (diag_keep_blocks_next(&u->eng.diag) &&
		    clock_mono_ns() > fresh)
			return false;
		if (diag_keep_step(&u->eng.diag, &u->eng.flow, UI_KEEP_STEP,
		    result))
			return true;
	} while (!ui_signal_seen && clock_mono_ns() < until);
	return false;
}

/* One slice of the trim; true when it is over. */
static bool
ui_trim_slice(struct ui *u, int64_t until)
{
	struct ui_trim *tr = u->trim;
	long result = 0;
	int rc;

	while (tr->phase == TRIM_ROWS) {
		if (ui_trim_stage(u, UI_STAGE_STEP))
			tr->phase = TRIM_RETIRE;
		else if (ui_signal_seen || clock_mono_ns() >= until) {
			return false;
		}
	}
	if (!tr->retiring) {
		tr->retiring = true;
		if ((rc = diag_retire_begin(&u->eng.diag, &u->eng.flow,
		    tr->retire)) != 1) {
			ui_trim_end(u, rc);
			return true;
		}
	}
	/* a selection moved meanwhile is looked up again by its new id */
	tr->nrefs = ui_pane_refs(u, tr->refs, tr->ids);
	if (!ui_keep_steps(u, until, &result))
		return false;
	ui_trim_end(u, result);
	return true;
}

/* The connection budget is over (flow_wants_evict): an eviction begins,
 * in steps as a trim's retirement (ui_evict_slice). */
static void
ui_evict_begin(struct ui *u)
{
	if (flow_wants_evict(&u->eng.flow) &&
	    diag_evict_begin(&u->eng.diag, &u->eng.flow) == 1)
		u->evicting = true;
}

/* One slice of the eviction; true when it is over. */
static bool
ui_evict_slice(struct ui *u, int64_t until)
{
	long result;

	if (!ui_keep_steps(u, until, &result))
		return false;
	u->evicting = false;
	if (result > 0)		/* connection indices changed */
		ui_renumbered(u);
	return true;
}

/* The diagnosis under way begins: it takes what was read, after an
 * eviction if the budget is over; then it runs in slices between looks
 * at the keys (ui_work_slice), the model frozen until it is done. */
static void
ui_diagnose_begin(struct ui *u)
{
	engine_diagnose_begin(&u->eng);
	ui_evict_begin(u);
	u->diagnosing = true;
	u->diag_last = u->load_read;
}

/* The diagnosis and its trim are complete and listed (never half-counted
 * verdicts: the list and its counts change only as a whole): the panes
 * show the selection's. */
static void
ui_diagnosed(struct ui *u)
{
	u->diag_nmsgs = u->eng.flow.nmsgs;
	ui_model_sync(u);
	ev_build(u, ui_selected(u));
	u->dirty |= D_REQ | D_EV | D_STATUS;
	if (u->nviews)
		u->dirty |= D_FLOW;
}

/* A diagnosis all at once (live capture): eviction, diagnosis, trim. */
void
ui_diagnose(struct ui *u)
{
	ui_diagnose_begin(u);
	if (u->evicting)
		ui_evict_slice(u, INT64_MAX);
	engine_diagnose_step(&u->eng, SIZE_MAX);
	u->diagnosing = false;
	u->last_diag_ns = clock_mono_ns();
	if (ui_trim_begin(u) && !ui_trim_slice(u, INT64_MAX))
		ui_trim_end(u, -1);	/* a signal: nothing retired */
	req_update(u);
	ui_diagnosed(u);
}

/* What the model left out (limits, bad input) stays visible until a key. */
static void
ui_notice(struct ui *u)
{
	char notice[400];

	engine_notice(&u->eng, notice, sizeof notice);
	if (notice[0])
		ui_message(u, true, "notice: %s", notice);
}

/* The reading is over (the file's end, or q): its last diagnosis runs in
 * slices, still "Loading", then ui_load_done. Work under way (an
 * eviction, a diagnosis, a trim) ends first. */
static void
ui_load_end(struct ui *u, bool cancelled)
{
	u->load_read = true;
	u->cancelled = cancelled;
	if (!u->evicting && u->trim == NULL && !u->listing && !u->diag_done)
		ui_diagnose_begin(u);
}

static void
ui_load_done(struct ui *u)
{
	u->loading = false;
	if (u->opts->alog != NULL) {	/* the log's lines, once all is read */
		alog_match(u->opts->alog, &u->eng);
		u->eng.alog = u->opts->alog;
	}
	ui_selection_changed(u);
	req_start(u);	/* -Y: the list by its frames */
	if (u->cancelled)
		ui_message(u, false, "loading cancelled after %llu frames: "
		    "showing what was read", (unsigned long long)
		    u->eng.flow.stats.frames);
	else if (u->eng.damaged)
		ui_message(u, true, "%s (showing the frames before it)",
		    u->eng.error);
	else
		ui_notice(u);
}

/* A diagnosis, its trim and its list are over while loading. */
static void
ui_load_diagnosed(struct ui *u)
{
	ui_diagnosed(u);
	if (u->load_read && !u->diag_last)
		ui_diagnose_begin(u);	/* q came during it: the last one */
	else if (u->load_read)
		ui_load_done(u);
	else if (u->rq.ls.n && ui_selected(u) && u->ev.txn == NONE32)
		ui_selection_changed(u);
}

/* Entries a step of the list's build adds between looks at the clock:
 * each costs about a microsecond (a transaction's row, its client) */
#define UI_LIST_STEP 1024

/* The diagnosis and its trim are over while loading: its list is built
 * in slices (the one shown meanwhile names its requests by id, which a
 * trim does not change). */
static void
ui_list_begin(struct ui *u)
{
	if (req_build_begin(u)) {
		u->listing = true;
		return;
	}
	req_rebuild(u);		/* no memory for two lists */
	ui_load_diagnosed(u);
}

/* One slice of the list's build; true when it is over. */
static bool
ui_list_slice(struct ui *u, int64_t until)
{
	do
		if (req_build_step(u, UI_LIST_STEP))
			return true;
	while (!ui_signal_seen && clock_mono_ns() < until);
	return false;
}

/*
 * One slice of the work that holds the reading (issue 13: each at most
 * UI_SLICE_NS, so keys and signals wait no longer): an eviction, then a
 * diagnosis, its trim, its list. False when there is none.
 */
static bool
ui_work_slice(struct ui *u)
{
	int64_t until = clock_mono_ns() + UI_SLICE_NS;
	bool done;

	if (u->evicting) {
		if (ui_evict_slice(u, until) && u->load_read && !u->diagnosing)
			ui_diagnose_begin(u);
		return true;
	}
	if (u->trim != NULL) {
		if (ui_trim_slice(u, until))
			ui_list_begin(u);
		return true;
	}
	if (u->listing) {
		if (ui_list_slice(u, until)) {
			u->listing = false;
			ui_load_diagnosed(u);
		}
		return true;
	}
	if (u->diag_done) {	/* a slice of its own: each is O(model) */
		u->diag_done = false;
		if (!ui_trim_begin(u))
			ui_list_begin(u);
		return true;
	}
	if (!u->diagnosing)
		return false;
	do
		done = engine_diagnose_step(&u->eng, UI_DIAG_STEP);
	while (!done && !ui_signal_seen && clock_mono_ns() < until);
	if (done) {
		u->diagnosing = false;
		u->diag_done = true;
		u->last_diag_ns = clock_mono_ns();
	}
	return true;
}

static size_t
keep_growth(size_t keep)
{
	return keep > UI_KEEP_MIN_MSGS / UI_KEEP_GROWTH ?
	    keep * UI_KEEP_GROWTH : UI_KEEP_MIN_MSGS;
}

static void
ui_load_slice(struct ui *u)
{
	int64_t start = clock_mono_ns(), now;
	uint64_t stepped = 0;
	int more;

	if (ui_work_slice(u))	/* nothing is read until it is done */
		return;
	do {
		more = engine_step(&u->eng, UI_STEP_FRAMES);
		stepped += UI_STEP_FRAMES;
	} while (more && stepped < UI_SLICE_FRAMES && !ui_signal_seen &&
	    !flow_wants_evict(&u->eng.flow) &&
	    clock_mono_ns() - start < UI_SLICE_NS);
	now = clock_mono_ns();

	if (!more) {
		ui_load_end(u, false);
		return;
	}
	/* a bounded list (--keep, rows) is trimmed as it grows, not only in
	 * time */
	if (now - u->last_diag_ns >= UI_DIAG_EVERY_NS ||
	    ((u->opts->keep || u->rows_on) &&
	    u->eng.flow.nmsgs > u->diag_nmsgs + keep_growth(u->opts->keep)))
		ui_diagnose_begin(u);
	else
		ui_evict_begin(u);
	if (!(u->dirty & D_STATUS) &&
	    now - u->last_diag_ns >= UI_PROGRESS_EVERY_NS)
		u->dirty |= D_STATUS;
}

/* ---- drawing --------------------------------------------------------- */

/* Is the terminal smaller than the layout needs? */
static bool
ui_too_small(void)
{
	return LINES < UI_MIN_ROWS || COLS < UI_MIN_COLS;
}

/* Instead of a broken layout: what is wrong, centred, wrapped at spaces. */
static void
ui_draw_too_small(void)
{
	char msg[96];
	const char *line[4], *p = msg;
	size_t len[4];
	int n = 0, y;

	snprintf(msg, sizeof msg, "terminal too small: %dx%d, need at least "
	    "%dx%d", COLS, LINES, UI_MIN_COLS, UI_MIN_ROWS);
	while (*p && n < 4) {
		line[n] = p;
		len[n] = ui_wrap_cut(p, COLS);
		p += len[n++];
		while (*p == ' ')
			p++;
	}
	werase(stdscr);
	y = LINES > n ? (LINES - n) / 2 : 0;
	for (int i = 0; i < n && y + i < LINES; i++)
		mvaddnstr(y + i, (COLS - (int)len[i]) / 2, line[i],
		    (int)len[i]);
	wnoutrefresh(stdscr);
}

static void
ui_draw(struct ui *u)
{
	if (ui_too_small()) {
		ui_draw_too_small();
		u->dirty = 0;
		doupdate();
		return;
	}
	if (u->nviews) {
		if (u->dirty & (D_FLOW | D_REQ | D_EV | D_ST))
			u->views[u->nviews - 1]->draw(u);
	} else {
		for (int i = 0; i < PANE_COUNT; i++)
			if ((u->dirty & ui_panes[i]->dirty) &&
			    ui_pane_shown(u, i))
				ui_panes[i]->draw(u);
	}
	if (u->dirty & D_STATUS)
		status_draw(u);
	ui_hints_draw(u);
	u->dirty = 0;
	doupdate();
}

/* ---- actions ---------------------------------------------------------- */

static bool
ui_is_movement(int act)
{
	return act >= ACT_UP && act <= ACT_END;
}

/* What no pane takes: the screen's own actions. */
static void
ui_global(struct ui *u, int act)
{
	switch (act) {
	case ACT_HELP:
		help_dialog(u);
		break;
	case ACT_THEME:
		ui_theme_next(u);
		break;
	case ACT_QUIT:
		u->quit = true;
		break;
	case ACT_BACK:	/* from a view to what it covers; from a pane to
			 * the list */
		if (u->nviews)
			ui_pop_view(u);
		else
			ui_focus(u, PANE_REQUESTS);
		break;
	case ACT_TAB: case ACT_BTAB:
		ui_focus(u, (u->focus + (act == ACT_TAB ? 1 : PANE_COUNT - 1)) %
		    PANE_COUNT);
		break;
	case ACT_PAUSE:
		ui_live_pause(u);
		break;
	case ACT_SAVE:
		ui_live_save(u);
		break;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		u->dirty = D_ALL;
		break;
	default:
		break;
	}
}

/*
 * The focused pane first; an action it does not take (and that is no
 * movement) goes to the main screen's panes, which act on the selected
 * request (e from the flow view, s from the list); then the screen's own.
 */
static void
ui_dispatch(struct ui *u, int act)
{
	const struct ui_pane *f = ui_focused(u);

	if (act == ACT_NONE || (f->key && f->key(u, act)))
		return;
	if (!ui_is_movement(act))
		for (int i = 0; i < PANE_COUNT; i++)
			if (ui_panes[i] != f && ui_panes[i]->key &&
			    ui_panes[i]->key(u, act))
				return;
	ui_global(u, act);
}

/* ---- the mouse --------------------------------------------------------- */

static void
ui_mouse_on(struct ui *u)
{
	u->mouse = !u->opts->no_mouse &&
	    mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED |
	    BUTTON5_PRESSED, NULL) != 0;
	if (u->mouse)
		mouseinterval(0);	/* a press is a click: no waiting */
}

static WINDOW *
ui_slot_window(const struct ui *u, int slot)
{
	WINDOW *const w[] = { u->wreq, u->wev, u->wst, u->wflow };

	return slot >= 0 && slot <= SLOT_FULL ? w[slot] : NULL;
}

/* The pane (or view) under the pointer, its tiled index or -1. */
static const struct ui_pane *
ui_pane_at(const struct ui *u, int y, int x, int *tiled)
{
	*tiled = -1;
	if (u->nviews) {
		const struct ui_pane *v = u->views[u->nviews - 1];

		return wenclose(ui_slot_window(u, v->slot), y, x) ? v : NULL;
	}
	for (int i = 0; i < PANE_COUNT; i++)
		if (ui_pane_shown(u, i) &&
		    wenclose(ui_slot_window(u, ui_panes[i]->slot), y, x)) {
			*tiled = i;
			return ui_panes[i];
		}
	return NULL;
}

/* A click selects the row (and focuses its pane) or runs the hint bar's
 * item; the wheel scrolls. */
static void
ui_mouse(struct ui *u)
{
	const struct ui_pane *p;
	MEVENT ev;
	int tiled;

	if (getmouse(&ev) != OK)
		return;
	if ((ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) &&
	    wenclose(u->whint, ev.y, ev.x)) {
		ui_dispatch(u, ui_hint_at(u, ev.x));	/* htop's F-key bar */
		return;
	}
	if (!(p = ui_pane_at(u, ev.y, ev.x, &tiled)))
		return;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		for (int i = 0; i < UI_WHEEL_LINES && p->key; i++)
			p->key(u, ev.bstate & BUTTON4_PRESSED ? ACT_UP :
			    ACT_DOWN);
		return;
	}
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
		return;
	if (tiled >= 0 && tiled != u->focus)
		ui_focus(u, tiled);
	if (p->click)
		p->click(u, ev.y - getbegy(ui_slot_window(u, p->slot)));
}

static void
ui_key(struct ui *u, int k)
{
	int act;

	if (u->msg[0]) {	/* a message stays until the next key */
		u->msg[0] = '\0';
		u->dirty |= D_STATUS;
	}
	if (k == KEY_RESIZE) {
		ui_layout(u);
		return;
	}
	if (ui_too_small()) {	/* nothing to act on: the keys that quit */
		if (ui_action(u, CX_REQ, k) == ACT_QUIT)
			u->quit = true;
		return;
	}
	if (k == KEY_MOUSE) {
		if (u->mouse)
			ui_mouse(u);
		return;
	}
	act = ui_action(u, ui_focused(u)->ctx, k);
	/* q while reading stops the reading; q again (during the last
	 * diagnosis, or after it) quits */
	if (u->loading && act == ACT_QUIT && k != KEY_F(10) && !u->load_read) {
		ui_load_end(u, true);
		return;
	}
	ui_dispatch(u, act);
	u->dirty |= D_HINTS;
}

/* ---- the loop -------------------------------------------------------- */

static void
ui_loop(struct ui *u)
{
	int k, wait;
	bool settle, busy, keyed = false;

	while (!u->quit && !ui_signal_seen) {
		if (u->loading) {
			if (!keyed)	/* a key's answer is drawn first */
				ui_load_slice(u);
		} else if (u->opts->live && !u->live_dead)
			ui_live_poll(u);	/* waits for a key or packets */
		keyed = false;
		busy = false;
		for (size_t i = 0; i < UI_NALL; i++)	/* filter passes */
			if (ui_all[i]->step && ui_all[i]->step(u))
				busy = true;
		if (u->dirty)
			ui_draw(u);
		settle = u->nviews == 0 && st_wants_load(u);
		wait = u->loading || busy ||
		    (u->opts->live && !u->live_dead) ? 0 :
		    settle ? UI_SETTLE_MS : UI_IDLE_MS;
		k = ui_getkey(u, wait);
		if (k == ERR) {
			if (!u->loading && settle)
				st_load(u);
			continue;
		}
		ui_key(u, k);
		keyed = true;
	}
}

static void
ui_free(struct ui *u)
{
	for (size_t i = 0; i < UI_NALL; i++)
		if (ui_all[i]->destroy)
			ui_all[i]->destroy(u);
	ui_mini_close(u);
	ui_trim_free(u);
	waits_free(u->waits);
	rows_free(&u->retired_rows);
	if (u->engine_open)
		engine_close(&u->eng);
	free(u);
}

static int
ui_setup(struct ui *u, char *err, size_t errlen)
{
	const char *rows_env, *waits_env;

	if (ui_term_start(u, err, errlen) < 0)
		return -1;
	ui_theme_init(u);
	req_init(u);
	ev_init(u);
	st_init(u);
	if (!u->ev.lines || !u->rq.ls.ids) {
		snprintf(err, errlen, "%s: out of memory", u->opts->path);
		return -1;
	}
	ui_mouse_on(u);
	u->rq.show_all = u->opts->show_all != 0;
	/* test knobs (doc/performance.md): GW502TUI_ROWS=0 keeps every
	 * transaction's model, =stats starts the rows at once and says at
	 * exit how many there were */
	rows_env = getenv("GW502TUI_ROWS");
	u->rows_on = u->opts->keep == 0 && u->opts->alog == NULL &&
	    !(rows_env && strcmp(rows_env, "0") == 0);
	u->rows_stats = rows_env && strcmp(rows_env, "stats") == 0;
	waits_env = getenv("GW502TUI_WAITS");
	if (waits_env && strcmp(waits_env, "stats") == 0)
		u->waits = waits_new();
	u->rows_from = u->rows_stats ? 0 : UI_ROWS_FROM;
	if (u->opts->eo.client.family) {	/* -c ADDR, as --report */
		u->rq.client = u->opts->eo.client;
		u->rq.client_on = true;
	}
	u->focus = PANE_REQUESTS;
	u->bottom = PANE_EVIDENCE;
	u->loading = u->opts->live == NULL;
	u->load_t0_ns = u->last_diag_ns = clock_mono_ns();
	ui_layout(u);
	return 0;
}

int
ui_main(const struct ui_opts *o, char *err, size_t errlen)
{
	struct ui *u = calloc(1, sizeof *u);
	char theme_err[sizeof u->theme_err];
	int rc = 0;

	if (!u) {
		snprintf(err, errlen, "%s: out of memory", o->path);
		return 1;
	}
	u->opts = o;
	u->ev.txn = u->st.txn = u->fv.txn = NONE32;
	if ((o->live ? engine_init(&u->eng, &o->eo, err, errlen) :
	    engine_open(&u->eng, o->path, &o->eo, err, errlen)) < 0) {
		free(u);
		return 1;
	}
	if (o->peer != NULL && peer_attach(&u->eng, o->peer, err, errlen) != 0) {
		engine_close(&u->eng);
		free(u);
		return 1;
	}
	u->engine_open = true;
	u->eng.evict_by_caller = true;	/* in slices: ui_evict_begin */
	ui_signal_seen = 0;
	ui_signals();
	if (ui_setup(u, err, errlen) < 0) {
		rc = 1;
	} else {
		ui_loop(u);
	}
	snprintf(theme_err, sizeof theme_err, "%s", u->theme_err);
	ui_term_stop(u);
	if (theme_err[0])
		fprintf(stderr, "gw502tui: %s\n", theme_err);
	if (u->rows_stats)
		fprintf(stderr, "gw502tui: rows: %zu retired of %llu requests, "
		    "%llu rebuilt on selection (mean %.2f ms, max %.2f ms)\n",
		    u->retired_rows.n, (unsigned long long)diag_total(&u->eng.diag),
		    (unsigned long long)u->rows_rebuilt, u->rows_rebuilt ?
		    (double)u->rows_rebuild_ns / 1e6 / (double)u->rows_rebuilt :
		    0.0, (double)u->rows_rebuild_max_ns / 1e6);
	if (u->rows_stats)
		fprintf(stderr, "gw502tui: list: %llu builds took the rows' "
		    "part as it was (%zu listed); %llu checked against the "
		    "whole list, %llu differed\n",
		    (unsigned long long)u->rq.reused, u->rq.rows_part.n,
		    (unsigned long long)u->rq.checked,
		    (unsigned long long)u->rq.differed);
	if (u->waits)
		waits_report(u->waits);
	/* Ctrl-C is the user quitting (like q): a clean exit */
	if (rc == 0 && ui_signal_seen && ui_signal_seen != SIGINT) {
		snprintf(err, errlen, "%s: interrupted by signal %d (%s)",
		    o->path, (int)ui_signal_seen,
		    strsignal((int)ui_signal_seen));
		rc = 1;
	}
	ui_free(u);
	return rc;
}
