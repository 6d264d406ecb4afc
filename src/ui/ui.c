/*
 * ui.c: the TUI's main loop. Opens the capture, sets up the terminal, loads
 * the file in slices between redraws (progress bar, list filling as it
 * loads, keys still working), dispatches keys to the focused pane or view,
 * redraws only the dirty parts, and restores the terminal on every way out
 * (quit, error, SIGINT/SIGTERM/SIGHUP).
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

#include "ui_int.h"

#define UI_DIAG_EVERY_NS (300LL * 1000000LL)	/* diagnose while loading */

/* --keep N: diagnose (and trim) also once 4N messages came in, about N
 * requests (at least UI_KEEP_MIN_MSGS, so that a tiny N does not diagnose
 * every few packets): memory stays near the list's size, loading near
 * its speed */
#define UI_KEEP_GROWTH 4
#define UI_KEEP_MIN_MSGS 16384
#define UI_PROGRESS_EVERY_NS (100LL * 1000000LL)
#define UI_IDLE_MS 200
#define UI_SETTLE_MS 60		/* stream loads once keys pause this long */

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

const struct txn *
ui_selected(const struct ui *u)
{
	if (u->rq.n == 0 || u->rq.sel >= u->rq.n)
		return NULL;
	return &u->eng.diag.txns[u->rq.idx[u->rq.sel]];
}

void
ui_selection_changed(struct ui *u)
{
	const struct txn *t = ui_selected(u);

	ev_build(u, t);
	st_select(u, t);
	u->dirty |= D_REQ | D_EV | D_ST | D_STATUS;
}

int
ui_getkey(struct ui *u, int timeout_ms)
{
	int k;

	/* read through the status window: getch() would repaint stdscr */
	wtimeout(u->wstat, timeout_ms);
	k = wgetch(u->wstat);
	return k;
}

/* ---- layout ------------------------------------------------------------ */

static void
ui_delwins(struct ui *u)
{
	WINDOW **w[] = { &u->wreq, &u->wev, &u->wst, &u->wstat, &u->wflow };
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
	int h = u->rows - 1, max = h * 45 / 100, want;

	want = u->rq.n + 2 < (size_t)max ? (int)u->rq.n + 2 : max;
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
	if (u->rows < 3)
		u->rows = 3;
	if (u->cols < 20)
		u->cols = 20;
	u->wide = u->cols >= UI_WIDE_COLS;
	h = u->rows - 1;
	u->top_h = ui_top_height(u);
	u->wreq = newwin(u->top_h, u->cols, 0, 0);
	ev_w = u->wide ? u->cols / 2 : u->cols;
	u->wev = newwin(h - u->top_h, ev_w, u->top_h, 0);
	u->wst = u->wide ? newwin(h - u->top_h, u->cols - ev_w + 1, u->top_h,
	    ev_w - 1) : newwin(h - u->top_h, u->cols, u->top_h, 0);
	u->wstat = newwin(1, u->cols, u->rows - 1, 0);
	keypad(u->wstat, TRUE);
	u->wflow = newwin(h, u->cols, 0, 0);
	if (!u->wide && u->focus != PANE_REQUESTS)
		u->bottom = u->focus;
	clearok(curscr, TRUE);
	ev_build(u, ui_selected(u));
	u->st.width = -1;	/* render again for the new width */
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

/*
 * With --keep N the list keeps the newest N successful requests and the
 * newest N errors: older settled ones are retired (the counts keep them),
 * so memory levels off however long the capture or big the file. A
 * transaction a pane shows is never retired; the panes find theirs again
 * by id. The caller rebuilds the list.
 */
static void
ui_trim(struct ui *u)
{
	struct diag *dg = &u->eng.diag;
	uint32_t *refs[] = { &u->rq.sel_txn, &u->ev.txn, &u->st.txn,
	    &u->fv.txn, pk_txn_ref(u) };
	const size_t nrefs = sizeof refs / sizeof refs[0];
	uint32_t ids[sizeof refs / sizeof refs[0]];
	size_t keep = u->opts->keep, settled[2] = { 0, 0 }, excess[2];
	uint8_t *retire;

	if (keep == 0)
		return;
	for (size_t i = 0; i < dg->ntxns; i++)
		if (dg->txns[i].settled)
			settled[dg->txns[i].is_error]++;
	/* in steps of a quarter: each trim renumbers the whole model */
	if ((settled[0] <= keep + keep / 4 &&
	    settled[1] <= keep + keep / 4) ||
	    (retire = calloc(dg->ntxns, 1)) == NULL)
		return;
	for (int e = 0; e < 2; e++)
		excess[e] = settled[e] > keep ? settled[e] - keep : 0;
	for (size_t i = 0; i < dg->ntxns; i++) {
		const struct txn *t = &dg->txns[i];

		if (t->settled && excess[t->is_error] > 0 &&
		    !shown_by_pane(refs, nrefs, (uint32_t)i)) {
			retire[i] = 1;
			excess[t->is_error]--;
		}
	}
	for (size_t r = 0; r < nrefs; r++)
		ids[r] = refs[r] && *refs[r] != NONE32 ?
		    dg->txns[*refs[r]].id : 0;
	if (diag_retire(dg, &u->eng.flow, retire) > 0) {
		for (size_t r = 0; r < nrefs; r++)
			if (refs[r])
				*refs[r] = ids[r] ? diag_find(dg, ids[r]) :
				    NONE32;
		st_renumbered(u);
		u->dirty |= D_ALL;
	}
	free(retire);
}

void
ui_diagnose(struct ui *u)
{
	engine_diagnose(&u->eng);
	u->last_diag_ns = clock_mono_ns();
	ui_trim(u);
	u->diag_nmsgs = u->eng.flow.nmsgs;
	req_rebuild(u);
	ev_build(u, ui_selected(u));
	u->dirty |= D_REQ | D_EV | D_STATUS;
	if (u->mode == MODE_FLOW)
		u->dirty |= D_FLOW;
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

static void
ui_load_end(struct ui *u, bool cancelled)
{
	u->loading = false;
	u->cancelled = cancelled;
	ui_diagnose(u);
	ui_selection_changed(u);
	if (cancelled)
		ui_message(u, false, "loading cancelled after %llu frames: "
		    "showing what was read", (unsigned long long)
		    u->eng.flow.stats.frames);
	else if (u->eng.damaged)
		ui_message(u, true, "%s (showing the frames before it)",
		    u->eng.error);
	else
		ui_notice(u);
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
	int more = engine_step(&u->eng, UI_SLICE_FRAMES);
	int64_t now = clock_mono_ns();

	if (!more) {
		ui_load_end(u, false);
		return;
	}
	/* a bounded list (--keep) is trimmed as it grows, not only in time */
	if (now - u->last_diag_ns >= UI_DIAG_EVERY_NS || (u->opts->keep &&
	    u->eng.flow.nmsgs > u->diag_nmsgs + keep_growth(u->opts->keep))) {
		ui_diagnose(u);
		if (u->rq.n && ui_selected(u) && u->ev.txn == NONE32)
			ui_selection_changed(u);
	}
	if (!(u->dirty & D_STATUS) &&
	    now - u->last_diag_ns >= UI_PROGRESS_EVERY_NS)
		u->dirty |= D_STATUS;
}

/* ---- drawing --------------------------------------------------------- */

static void
ui_draw(struct ui *u)
{
	if (u->mode == MODE_PACKETS) {
		if (u->dirty & (D_FLOW | D_REQ | D_EV | D_ST))
			pk_draw(u);
	} else if (u->mode == MODE_FLOW) {
		if (u->dirty & (D_FLOW | D_REQ | D_EV | D_ST))
			fv_draw(u);
	} else {
		if (u->dirty & D_REQ)
			req_draw(u);
		if ((u->dirty & D_EV) && (u->wide || u->bottom == PANE_EVIDENCE))
			ev_draw(u);
		if ((u->dirty & D_ST) && (u->wide || u->bottom == PANE_STREAM))
			st_draw(u);
	}
	if (u->dirty & D_STATUS)
		status_draw(u);
	u->dirty = 0;
	doupdate();
}

/* ---- keys ------------------------------------------------------------ */

static void
ui_focus(struct ui *u, int pane)
{
	u->focus = pane;
	if (pane != PANE_REQUESTS && !u->wide)
		u->bottom = pane;
	u->dirty |= D_REQ | D_EV | D_ST;
}

static void
ui_show_stream(struct ui *u)
{
	if (!u->wide && u->bottom != PANE_STREAM) {
		ui_focus(u, PANE_STREAM);
		return;
	}
	st_toggle_side(u);
}

static bool
ui_global_key(struct ui *u, int k)
{
	const struct txn *t = ui_selected(u);

	switch (k) {
	case '?': case KEY_F(1):
		help_dialog(u);
		return true;
	case 't':
		ui_theme_next(u);
		return true;
	case 'a':
		req_toggle_all(u);
		return true;
	case '/':
		req_search(u);
		return true;
	case 'c':
		req_toggle_client(u);
		return true;
	case 'e':
		if (t)
			export_dialog(u, t);
		else
			ui_message(u, true, "no request selected to export");
		return true;
	case 's':
		ui_show_stream(u);
		return true;
	case 'x':
		if (!u->wide && u->bottom != PANE_STREAM)
			ui_focus(u, PANE_STREAM);
		st_toggle_hex(u);
		return true;
	case 'p':
		if (!u->opts->live)
			return false;
		ui_live_pause(u);
		return true;
	case 'w':
		if (!u->opts->live)
			return false;
		ui_live_save(u);
		return true;
	case 12:	/* ^L */
		clearok(curscr, TRUE);
		u->dirty = D_ALL;
		return true;
	default:
		return false;
	}
}

static void
ui_main_key(struct ui *u, int k)
{
	if (k == '\t' || k == KEY_BTAB) {
		ui_focus(u, (u->focus + (k == '\t' ? 1 : PANE_COUNT - 1)) %
		    PANE_COUNT);
		return;
	}
	if (k == '\n' || k == '\r' || k == KEY_ENTER) {
		if (ui_selected(u))
			fv_open(u);
		return;
	}
	if (k == 'P') {		/* the selected request's packets */
		pk_open(u);
		return;
	}
	if (k == 'q' || k == 'Q') {
		u->quit = true;
		return;
	}
	if (ui_global_key(u, k))
		return;
	if (u->focus == PANE_REQUESTS)
		req_key(u, k);
	else if (u->focus == PANE_EVIDENCE)
		ev_key(u, k);
	else
		st_key(u, k);
}

static void
ui_key(struct ui *u, int k)
{
	if (u->msg[0]) {	/* a message stays until the next key */
		u->msg[0] = '\0';
		u->dirty |= D_STATUS;
	}
	if (k == KEY_RESIZE) {
		ui_layout(u);
		return;
	}
	if (u->loading && (k == 'q' || k == 'Q')) {
		ui_load_end(u, true);
		return;
	}
	if (u->mode == MODE_PACKETS) {
		if (!pk_key(u, k) && (k == 't' || k == '?' || k == KEY_F(1)))
			ui_global_key(u, k);
		return;
	}
	if (u->mode == MODE_FLOW) {
		if (!fv_key(u, k) && (k == 't' || k == '?' || k == 'e' ||
		    k == KEY_F(1)))
			ui_global_key(u, k);
		return;
	}
	ui_main_key(u, k);
}

/* ---- the loop -------------------------------------------------------- */

static void
ui_loop(struct ui *u)
{
	int k, wait;
	bool settle;

	while (!u->quit && !ui_signal_seen) {
		if (u->loading)
			ui_load_slice(u);
		else if (u->opts->live && !u->live_dead)
			ui_live_poll(u);	/* waits for a key or packets */
		if (pk_busy(u))
			pk_step(u);	/* a display filter over the capture */
		if (u->dirty)
			ui_draw(u);
		settle = u->st.want && u->mode == MODE_MAIN &&
		    (u->wide || u->bottom == PANE_STREAM);
		wait = u->loading || pk_busy(u) ||
		    (u->opts->live && !u->live_dead) ? 0 :
		    settle ? UI_SETTLE_MS : UI_IDLE_MS;
		k = ui_getkey(u, wait);
		if (k == ERR) {
			if (!u->loading && settle)
				st_load(u);
			continue;
		}
		ui_key(u, k);
	}
}

static void
ui_free(struct ui *u)
{
	fv_close(u);
	pk_destroy(u);
	req_free(u);
	ev_free(u);
	st_free(u);
	if (u->engine_open)
		engine_close(&u->eng);
	free(u);
}

static int
ui_setup(struct ui *u, char *err, size_t errlen)
{
	if (ui_term_start(u, err, errlen) < 0)
		return -1;
	ui_theme_init(u);
	req_init(u);
	ev_init(u);
	st_init(u);
	if (!u->ev.lines || !u->rq.idx) {
		snprintf(err, errlen, "%s: out of memory", u->opts->path);
		return -1;
	}
	u->rq.show_all = u->opts->show_all != 0;
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
	u->engine_open = true;
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
	if (rc == 0 && ui_signal_seen) {
		snprintf(err, errlen, "%s: interrupted by signal %d (%s)",
		    o->path, (int)ui_signal_seen,
		    strsignal((int)ui_signal_seen));
		rc = 1;
	}
	ui_free(u);
	return rc;
}
