/*
 * pane_packets.c: the packet list (P from the requests list), one row per
 * frame like Wireshark's: No., time (absolute, relative to the request or
 * delta: T cycles), source, destination, protocol, length, info. It opens
 * on the frames between the selected request and its answer, evidence rows
 * marked. F or : takes a display filter, run over the whole capture in
 * slices between keystrokes (a reader of its own; only matching frame
 * references are kept; rows are read back from the file when drawn).
 * Space marks a frame, m marks a range, E writes marked or shown frames,
 * Enter opens the packet's detail (pane_detail.c), r goes to its request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/reread.h"
#include "../capture/export.h"
#include "../filter/dfilter.h"
#include "../report/report.h"
#include "../util/vec.h"
#include "ui_int.h"

#define PK_SLICE_NS (15LL * 1000000LL)	/* a pass yields this often */
#define PK_DRAW_NS (150LL * 1000000LL)	/* and shows its progress */
#define PK_MAX_EVIDENCE 512
#define PK_HEAD_H 3		/* title, filter line, column names */
#define PK_FOOT_H 0
#define PK_TEXT_MAX 512

enum pk_time { PT_ABS, PT_REL, PT_DELTA, PT_COUNT };

struct pk_rows {
	struct frame_ref *r;
	size_t n, cap;
};

struct pk_view {
	struct reread cf;	/* reads shown rows back */
	struct frame_scan scan;	/* the pass's own reader */
	struct ff_index ix;
	struct frame_fields *ff;
	struct dfilter *df;	/* applied filter, NULL: the request's frames */
	char text[PK_TEXT_MAX];	/* as typed */
	char applied[PK_TEXT_MAX];
	struct dfilter_error err;
	bool err_on;
	struct pk_rows rows, marks;
	uint64_t ev[PK_MAX_EVIDENCE];
	size_t nev;
	size_t sel, top;
	int tmode;		/* enum pk_time */
	uint32_t txn;		/* NONE32: none */
	int64_t ref_ts;		/* the request's time */
	uint64_t want;		/* select the first row from this frame on */
	bool sel_set;
	bool anchored;
	uint64_t anchor;
	bool busy;		/* a pass is running */
	uint64_t seen;		/* frames the pass has read */
	int64_t t0, drawn;
	struct frame_ref frame1;	/* where the capture starts */
};

/* ---- rows and marks ------------------------------------------------------ */

static int
rows_push(struct pk_rows *rs, const struct frame_ref *r)
{
	if (vec_reserve((void **)&rs->r, &rs->cap, rs->n + 1, sizeof *rs->r,
	    SIZE_MAX / sizeof *rs->r) != 0)
		return -1;
	rs->r[rs->n++] = *r;
	return 0;
}

/* First index whose number is >= n. */
static size_t
rows_find(const struct pk_rows *rs, uint64_t n)
{
	size_t lo;

	VEC_LOWER_BOUND(lo, rs->n, rs->r[mid].number < n);
	return lo;
}

static bool
rows_has(const struct pk_rows *rs, uint64_t n)
{
	size_t i = rows_find(rs, n);

	return i < rs->n && rs->r[i].number == n;
}

static bool
marks_toggle(struct pk_rows *m, const struct frame_ref *r)
{
	size_t i = rows_find(m, r->number);

	if (i < m->n && m->r[i].number == r->number) {
		memmove(&m->r[i], &m->r[i + 1], (m->n - i - 1) * sizeof *m->r);
		m->n--;
		return false;
	}
	if (rows_push(m, r) < 0)
		return false;
	memmove(&m->r[i + 1], &m->r[i], (m->n - 1 - i) * sizeof *m->r);
	m->r[i] = *r;
	return true;
}

/* Marks rows a..b (sorted, inclusive): a merge, no duplicates. */
static int
marks_add(struct pk_rows *m, const struct frame_ref *add, size_t n)
{
	struct frame_ref *out = malloc((m->n + n + 1) * sizeof *out);
	size_t i = 0, j = 0, k = 0;

	if (out == NULL)
		return -1;
	while (i < m->n || j < n) {
		if (j == n || (i < m->n && m->r[i].number < add[j].number))
			out[k++] = m->r[i++];
		else if (i == m->n || add[j].number < m->r[i].number)
			out[k++] = add[j++];
		else {
			out[k++] = m->r[i++];
			j++;
		}
	}
	free(m->r);
	m->r = out;
	m->n = k;
	m->cap = m->n + n + 1;
	return 0;
}

static bool
is_evidence(const struct pk_view *pk, uint64_t n)
{
	for (size_t i = 0; i < pk->nev; i++)
		if (pk->ev[i] == n)
			return true;
	return false;
}

/* ---- the pass ------------------------------------------------------------ */

static void
pass_stop(struct ui *u)
{
	struct pk_view *pk = u->pk;

	pk->busy = false;
	u->dirty |= D_FLOW | D_STATUS;
}

/* Starts reading at `from` (offset, number), up to frame `last` (0: end). */
static void
pass_start(struct ui *u, const struct frame_ref *from, uint64_t last)
{
	struct pk_view *pk = u->pk;

	pk->rows.n = 0;
	pk->sel = pk->top = 0;
	pk->sel_set = false;
	pk->anchored = false;
	pk->seen = 0;
	pk->t0 = clock_mono_ns();
	if (frame_scan_start(&pk->scan, &u->eng.flow, from, last) < 0) {
		ui_message(u, true, "%s", reread_error(&pk->scan.rr));
		return;
	}
	pk->busy = true;
	u->dirty |= D_FLOW | D_STATUS;
}

static bool
pk_busy(const struct ui *u)
{
	return u->pk != NULL && u->pk->busy;
}

static void
pass_take(struct ui *u, const struct frame *f)
{
	struct pk_view *pk = u->pk;
	struct frame_ref r = frame_ref_of(f);

	if (rows_push(&pk->rows, &r) < 0) {
		ui_message(u, true, "out of memory: the list stops at frame "
		    "%llu", (unsigned long long)f->number);
		pass_stop(u);
		return;
	}
	if (!pk->sel_set && f->number >= pk->want) {
		pk->sel = pk->rows.n - 1;
		pk->top = pk->sel > 2 ? pk->sel - 2 : 0;
		pk->sel_set = true;
	}
}

/* One slice of the pass: as many frames as fit in PK_SLICE_NS. */
static void
pk_step(struct ui *u)
{
	struct pk_view *pk = u->pk;

	if (pk == NULL || !pk->busy)
		return;
	unsigned need = dfilter_needs(pk->df);
	int64_t end = clock_mono_ns() + PK_SLICE_NS;
	struct frame f;
	int rc = 1;

	while (pk->busy) {
		unsigned budget = 512;

		while ((rc = frame_scan_next(&pk->scan, pk->df, need, &f,
		    &budget)) == 1)
			pass_take(u, &f);
		pk->seen += 512 - budget;
		if (rc != 2) {
			if (rc < 0)
				ui_message(u, true, "%s",
				    reread_error(&pk->scan.rr));
			pass_stop(u);
			if (pk->df)
				ui_message(u, false, "filter done: %zu frames "
				    "match (%.2f s)", pk->rows.n,
				    (double)(clock_mono_ns() - pk->t0) / 1e9);
		}
		if (clock_mono_ns() >= end)
			break;
	}
	if (!pk->busy || clock_mono_ns() - pk->drawn >= PK_DRAW_NS) {
		pk->drawn = clock_mono_ns();
		u->dirty |= D_FLOW | D_STATUS;
	}
}

/* ---- opening, filtering ---------------------------------------------- */

static void
pk_free(struct pk_view *pk)
{
	if (pk == NULL)
		return;
	reread_close(&pk->cf);
	frame_scan_close(&pk->scan);
	ff_index_free(&pk->ix);
	dfilter_free(pk->df);
	free(pk->ff);
	free(pk->rows.r);
	free(pk->marks.r);
	free(pk);
}

static struct pk_view *
pk_new(struct ui *u)
{
	struct pk_view *pk = calloc(1, sizeof *pk);
	char err[512];

	if (pk == NULL || (pk->ff = malloc(sizeof *pk->ff)) == NULL) {
		ui_message(u, true, "out of memory for the packet list");
		pk_free(pk);
		return NULL;
	}
	pk->txn = NONE32;
	pk->tmode = PT_REL;
	if (reread_open(&pk->cf, u->opts->path, &u->eng.flow.offsets) < 0) {
		ui_message(u, true, "%s", reread_error(&pk->cf));
		pk_free(pk);
		return NULL;
	}
	if (frame_scan_open(&pk->scan, u->opts->path, &u->eng.flow, err,
	    sizeof err) < 0) {
		ui_message(u, true, "%s", err);
		pk_free(pk);
		return NULL;
	}
	/* frame.time_relative counts from frame 1 (a ring may start later) */
	pk->frame1 = pk->cf.first;
	pk->ix.first_ts = pk->frame1.ts_ns;
	if (u->opts->dfilter)
		snprintf(pk->text, sizeof pk->text, "%s", u->opts->dfilter);
	return pk;
}

/* The frames of the selected request, or the filter's over the capture. */
static void
pk_run(struct ui *u)
{
	struct pk_view *pk = u->pk;
	const struct txn *t = pk->txn != NONE32 ?
	    &ui_model(u)->diag.txns[pk->txn] : NULL;
	/* a retired row's own frames: decoded with its rebuilt model */
	const struct flow *fl = pk->df == NULL && t ? &ui_model(u)->flow :
	    &u->eng.flow;
	struct frame_ref first, last;

	if (ff_index_stale(&pk->ix, fl) && ff_index_build(&pk->ix, fl) != 0) {
		ui_message(u, true, "out of memory for the packet list");
		return;
	}
	if (pk->df == NULL && t != NULL) {
		txn_frame_range(&ui_model(u)->flow, t, &first, &last);
		if (first.number != 0) {
			pass_start(u, &first, last.number);
			return;
		}
	}
	/* the whole capture: from frame 1 */
	pass_start(u, &pk->frame1, 0);
}

/* Compiles pk->text; blank: back to the request's frames. */
static void
pk_apply(struct ui *u)
{
	struct pk_view *pk = u->pk;
	struct dfilter *df = NULL;

	pk->err_on = false;
	if (!dfilter_blank(pk->text) &&
	    (df = dfilter_compile(pk->text, &pk->err)) == NULL) {
		pk->err_on = true;
		ui_message(u, true, "filter: %s (F to edit)", pk->err.msg);
		u->dirty |= D_FLOW;
		return;
	}
	dfilter_free(pk->df);
	pk->df = df;
	snprintf(pk->applied, sizeof pk->applied, "%s", df ? pk->text : "");
	pk_run(u);
}

static bool
pk_open(struct ui *u)
{
	const struct txn *t = ui_selected(u);
	const struct flow *fl = &ui_model(u)->flow;
	struct pk_view *pk;

	if (u->loading) {
		ui_message(u, true, "the capture is still loading (q stops "
		    "loading)");
		return false;
	}
	if (u->pk == NULL && (u->pk = pk_new(u)) == NULL)
		return false;
	pk = u->pk;
	pk->txn = t ? (uint32_t)(t - ui_model(u)->diag.txns) : NONE32;
	pk->nev = t ? diag_evidence_frames(fl, t, fl->stats.last_ts, pk->ev,
	    PK_MAX_EVIDENCE) : 0;
	pk->ref_ts = t ? fl->msgs[t->req].start.ts_ns : pk->frame1.ts_ns;
	pk->want = t ? fl->msgs[t->req].start.number : 0;
	if (pk->df == NULL && !dfilter_blank(pk->text) && !pk->err_on)
		pk_apply(u);	/* -Y on the command line */
	else if (pk->df == NULL || pk->rows.n == 0)
		pk_run(u);
	else {			/* same filter: follow the selection */
		pk->sel = rows_find(&pk->rows, pk->want);
		if (pk->sel >= pk->rows.n)
			pk->sel = pk->rows.n ? pk->rows.n - 1 : 0;
		pk->top = pk->sel > 2 ? pk->sel - 2 : 0;
	}
	return true;
}

static void
pk_close(struct ui *u)
{
	if (u->pk)
		u->pk->busy = false;
}

static void
pk_destroy(struct ui *u)
{
	pk_free(u->pk);
	u->pk = NULL;
}

/* ---- drawing ------------------------------------------------------------- */

static size_t
pk_page(const struct ui *u)
{
	int h = getmaxy(u->wflow) - PK_HEAD_H - PK_FOOT_H;

	return h > 0 ? (size_t)h : 1;
}

struct pk_cols {
	int no, time, addr, proto, len, info;
};

static void
pk_geometry(const struct ui *u, struct pk_cols *c)
{
	int w = getmaxx(u->wflow) - 2, rest;

	c->no = 7;
	c->time = u->pk->tmode == PT_ABS ? 15 : 11;
	c->proto = 6;
	c->len = w >= 100 ? 5 : 0;	/* narrow screens: info first */
	rest = w - 2 - c->no - (c->time + 1) - (c->proto + 1) -
	    (c->len ? c->len + 1 : 0);
	c->addr = rest / 4;
	if (c->addr < 11)
		c->addr = 11;
	if (c->addr > 39)
		c->addr = 39;
	c->info = rest - 2 * (c->addr + 1);
	if (c->info < 1)
		c->info = 1;
}

static void
pk_fmt_time(const struct ui *u, size_t i, char *out, size_t len)
{
	const struct pk_view *pk = u->pk;
	int64_t ts = pk->rows.r[i].ts_ns, d;

	if (pk->tmode == PT_ABS) {
		ui_fmt_clock(ts, 6, out, len);
		return;
	}
	d = pk->tmode == PT_REL ? ts - pk->ref_ts :
	    i > 0 ? ts - pk->rows.r[i - 1].ts_ns : 0;
	snprintf(out, len, "%s%lld.%06lld", d < 0 ? "-" : pk->tmode == PT_REL ?
	    "+" : "", (long long)((d < 0 ? -d : d) / 1000000000),
	    (long long)((d < 0 ? -d : d) / 1000 % 1000000));
}

/* A cell of a row, cut at the right border (narrow screens). */
static void
pk_put(struct ui *u, int y, int x, int w, const char *safe, attr_t a)
{
	int room = getmaxx(u->wflow) - 1 - x;

	ui_put(u->wflow, y, x, w < room ? w : room, safe, a, true);
}

static void
pk_row(struct ui *u, const struct pk_cols *c, int y, size_t i)
{
	struct pk_view *pk = u->pk;
	const struct frame_ref *r = &pk->rows.r[i];
	char no[24], tm[40], src[ADDR_STRLEN], dst[ADDR_STRLEN], el[64],
	    info[1024], len[16];
	bool sel = i == pk->sel, ev = is_evidence(pk, r->number);
	attr_t a = sel ? u->attr[TE_SELECTED] : u->attr[TE_NORMAL];
	struct frame f;
	int x = 1;

	if (reread_frame(&pk->cf, r, &f) < 0) {
		ui_put(u->wflow, y, 1, getmaxx(u->wflow) - 2, "(cannot read "
		    "the frame again)", u->attr[TE_ERROR], true);
		return;
	}
	ff_fill(pk->ff, &pk->ix, &f, FF_NEED_ALL);
	ff_addrs(pk->ff, src, dst, sizeof src);
	ff_info(pk->ff, info, sizeof info);	/* escaped */
	pk_put(u, y, x, 1, rows_has(&pk->marks, r->number) ?
	    "+" : " ", sel ? a : u->attr[TE_GOOD]);
	pk_put(u, y, x + 1, 1, ev ? "*" : " ", sel ? a :
	    u->attr[TE_BAD]);
	x += 2;
	snprintf(no, sizeof no, "%*llu ", c->no - 1,
	    (unsigned long long)r->number);
	pk_put(u, y, x, c->no, no, a);
	x += c->no;
	pk_fmt_time(u, i, tm, sizeof tm);
	pk_put(u, y, x, c->time + 1, tm, a);
	x += c->time + 1;
	ui_elide_mid(src, c->addr, u->g.ellipsis, el, sizeof el);
	pk_put(u, y, x, c->addr + 1, el, a);
	x += c->addr + 1;
	ui_elide_mid(dst, c->addr, u->g.ellipsis, el, sizeof el);
	pk_put(u, y, x, c->addr + 1, el, a);
	x += c->addr + 1;
	pk_put(u, y, x, c->proto + 1, ff_protocol(pk->ff), a);
	x += c->proto + 1;
	if (c->len) {
		snprintf(len, sizeof len, "%*u ", c->len - 1, pk->ff->wirelen);
		pk_put(u, y, x, c->len + 1, len, a);
		x += c->len + 1;
	}
	pk_put(u, y, x, getmaxx(u->wflow) - 1 - x, info,
	    ev && !sel ? u->attr[TE_BAD] : a);
}

static void
pk_title(struct ui *u)
{
	struct pk_view *pk = u->pk;
	const struct txn *t = pk->txn != NONE32 ?
	    &ui_model(u)->diag.txns[pk->txn] : NULL;
	char title[200];
	uint64_t size = pk->scan.rr.cf ? capfile_size(pk->scan.rr.cf) : 0;

	if (pk->df)
		snprintf(title, sizeof title, "Packets %s %zu frame%s match%s",
		    u->g.dash, pk->rows.n, pk->rows.n == 1 ? "" : "s",
		    pk->rows.n == 1 ? "es" : "");
	else if (t)
		snprintf(title, sizeof title, "Packets of request #%u %s "
		    "%zu frames", t->id, u->g.dash, pk->rows.n);
	else
		snprintf(title, sizeof title, "Packets %s %zu frames",
		    u->g.dash, pk->rows.n);
	if (pk->busy && size)
		snprintf(title + strlen(title), sizeof title - strlen(title),
		    " (filtering %llu%%)", (unsigned long long)
		    (capfile_pos(pk->scan.rr.cf) * 100 / size));
	if (pk->marks.n || pk->anchored)
		snprintf(title + strlen(title), sizeof title - strlen(title),
		    ", %zu marked%s", pk->marks.n, pk->anchored ?
		    " (range from here)" : "");
	ui_title(u, u->wflow, 2, title, true);
}

/* The filter line, and under it the caret of a syntax error. */
static void
pk_filter_line(struct ui *u)
{
	struct pk_view *pk = u->pk;
	int w = getmaxx(u->wflow) - 2;
	char line[PK_TEXT_MAX + 64], esc[PK_TEXT_MAX * 4];

	if (pk->err_on) {
		size_t n = 0;

		memset(line, ' ', sizeof line);
		n = 8 + pk->err.pos;
		if (n + pk->err.len + 2 < sizeof line) {
			line[n] = '^';
			memset(line + n + 1, '~', pk->err.len - 1);
			snprintf(line + n + pk->err.len, sizeof line - n -
			    pk->err.len, " %s", pk->err.msg);
		} else {
			snprintf(line, sizeof line, "%s", pk->err.msg);
		}
		ui_esc_str(u, pk->text, esc, sizeof esc);
		ui_put(u->wflow, 1, 1, 8, "Filter: ", u->attr[TE_LABEL], true);
		ui_put(u->wflow, 1, 9, w - 8, esc, u->attr[TE_VALUE], true);
		ui_put(u->wflow, 2, 1, w, line, u->attr[TE_ERROR], true);
		return;
	}
	ui_put(u->wflow, 1, 1, 8, "Filter: ", u->attr[TE_LABEL], true);
	if (pk->df)
		ui_put(u->wflow, 1, 9, w - 8, ui_esc_str(u, pk->applied, esc,
		    sizeof esc), u->attr[TE_VALUE], true);
	else
		ui_put(u->wflow, 1, 9, w - 8, "(none: the request's frames; "
		    "F or : to filter the capture)", u->attr[TE_DIM], true);
}

static void
pk_header(struct ui *u, const struct pk_cols *c)
{
	static const char *const tnames[PT_COUNT] = { "Time", "Since req",
	    "Delta" };
	char h[512];

	snprintf(h, sizeof h, "  %*s %-*s %-*s %-*s %-*s %s%sInfo",
	    c->no - 1, "No.", c->time, tnames[u->pk->tmode], c->addr, "Source",
	    c->addr, "Destination", c->proto, "Proto", c->len ? " Len" : "",
	    c->len ? "  " : "");
	ui_put(u->wflow, 2, 1, getmaxx(u->wflow) - 2, h, u->attr[TE_HEADER],
	    true);
}

static void
pk_draw(struct ui *u)
{
	struct pk_view *pk = u->pk;
	struct pk_cols c;
	size_t page = pk_page(u);

	werase(u->wflow);
	ui_box(u, u->wflow, u->g.ul, u->g.ur, 0, 0, false);
	pk_title(u);
	pk_geometry(u, &c);
	pk_filter_line(u);
	if (!pk->err_on)
		pk_header(u, &c);
	for (size_t i = 0; i < page && pk->top + i < pk->rows.n; i++)
		pk_row(u, &c, PK_HEAD_H + (int)i, pk->top + i);
	if (pk->rows.n == 0)
		ui_put(u->wflow, PK_HEAD_H, 3, getmaxx(u->wflow) - 4, pk->busy ?
		    "filtering…" : "no frames", u->attr[TE_DIM], true);
	wnoutrefresh(u->wflow);
}

/* ---- keys ------------------------------------------------------------ */

static void
pk_filter_prompt(struct ui *u)
{
	struct pk_view *pk = u->pk;
	char buf[PK_TEXT_MAX];

	snprintf(buf, sizeof buf, "%s", pk->text);
	if (!prompt_line(u, "Display filter: ", buf, sizeof buf))
		return;
	snprintf(pk->text, sizeof pk->text, "%s", buf);
	pk_apply(u);
}

/* A one-key question on the status line; 0 when cancelled. */
static int
pk_choice(struct ui *u, const char *q)
{
	int k;

	werase(u->wstat);
	ui_put(u->wstat, 0, 0, u->cols, q, u->attr[TE_STATUS], true);
	wnoutrefresh(u->wstat);
	doupdate();
	do {
		wtimeout(u->wstat, 200);
		k = wgetch(u->wstat);
	} while (k == ERR && !ui_interrupted(u));
	u->dirty |= D_STATUS;
	return k == ERR || k == 27 ? 0 : k;
}

static void
pk_export(struct ui *u)
{
	struct pk_view *pk = u->pk;
	const struct pk_rows *rs = &pk->rows;
	char q[200], name[1024], err[512], esc[1100];
	uint64_t written = 0;
	bool force = false;
	int k;

	if (pk->marks.n > 0) {
		snprintf(q, sizeof q, "Export the %zu (m)arked frames or the "
		    "%zu (d)isplayed ones? ", pk->marks.n, pk->rows.n);
		k = pk_choice(u, q);
		if (k != 'm' && k != 'd') {
			ui_message(u, false, "export cancelled");
			return;
		}
		rs = k == 'm' ? &pk->marks : &pk->rows;
	}
	if (rs->n == 0 || pk->busy) {
		ui_message(u, true, pk->busy ? "the filter is still running" :
		    "no frames to export");
		return;
	}
	snprintf(name, sizeof name, "gw502-frames-%llu-%llu.pcap",
	    (unsigned long long)rs->r[0].number,
	    (unsigned long long)rs->r[rs->n - 1].number);
	if (!prompt_line(u, "Export to: ", name, sizeof name) || !name[0]) {
		ui_message(u, false, "export cancelled");
		return;
	}
	if (!confirm_overwrite(u, name, "export", &force))
		return;
	ui_esc_str(u, name, esc, sizeof esc);
	if (export_frames(u->opts->path, &u->eng.flow.offsets, rs->r, rs->n,
	    name, force, &written, err, sizeof err) < 0) {
		ui_message(u, true, "export failed: %s", ui_esc_str(u, err, esc,
		    sizeof esc));
		return;
	}
	ui_message(u, false, "exported %llu frames (%llu%s%llu) to %s",
	    (unsigned long long)written, (unsigned long long)rs->r[0].number,
	    u->g.dash, (unsigned long long)rs->r[rs->n - 1].number, esc);
}

/* m: the first press remembers a row, the second marks rows in between. */
static void
pk_range(struct ui *u)
{
	struct pk_view *pk = u->pk;
	size_t a, b;

	if (pk->rows.n == 0)
		return;
	if (!pk->anchored) {
		pk->anchored = true;
		pk->anchor = pk->rows.r[pk->sel].number;
		ui_message(u, false, "range from frame %llu: m again on its "
		    "last frame", (unsigned long long)pk->anchor);
		return;
	}
	pk->anchored = false;
	a = rows_find(&pk->rows, pk->anchor);
	b = pk->sel;
	if (a > b) {
		size_t t = a;

		a = b;
		b = t;
	}
	if (b >= pk->rows.n)
		b = pk->rows.n - 1;
	if (marks_add(&pk->marks, &pk->rows.r[a], b - a + 1) < 0) {
		ui_message(u, true, "out of memory for the marks");
		return;
	}
	ui_message(u, false, "marked frames %llu%s%llu (%zu rows); %zu marked",
	    (unsigned long long)pk->rows.r[a].number, u->g.dash,
	    (unsigned long long)pk->rows.r[b].number, b - a + 1, pk->marks.n);
}

static bool
pk_move(struct ui *u, int act)
{
	struct pk_view *pk = u->pk;
	struct ui_list l = { pk->rows.n, pk->sel, pk->top };

	if (!ui_list_move(&l, act, pk_page(u), true))
		return false;
	pk->sel = l.sel;
	pk->top = l.top;
	pk->sel_set = true;
	return true;
}

static bool
pk_selected(const struct ui *u, struct frame_ref *r)
{
	const struct pk_view *pk = u->pk;

	if (pk == NULL || pk->sel >= pk->rows.n)
		return false;
	*r = pk->rows.r[pk->sel];
	return true;
}

const struct frame_fields *
pk_read_selected(struct ui *u, struct frame *f)
{
	struct pk_view *pk = u->pk;
	const struct frame_ref *r;

	if (pk == NULL || pk->sel >= pk->rows.n)
		return NULL;
	r = &pk->rows.r[pk->sel];
	if (reread_frame(&pk->cf, r, f) < 0)
		return NULL;
	ff_fill(pk->ff, &pk->ix, f, FF_NEED_ALL);
	return pk->ff;
}

/*
 * The request a frame belongs to: the one whose evidence (request, answer,
 * look-ups, attempts; a retired row: the frames it keeps) holds it, else
 * the one of the model whose frame range holds it (the list's request
 * first); 0 when none.
 */
uint32_t
pk_txn_of_frame(const struct ui *u, uint64_t number)
{
	const struct diag *dg = &u->eng.diag;
	const struct flow *fl = &u->eng.flow;
	uint64_t ev[PK_MAX_EVIDENCE];
	uint32_t in_range = 0, id;

	for (size_t i = 0; i < dg->ntxns; i++) {
		struct frame_ref first, last;
		size_t n = diag_evidence_frames(fl, &dg->txns[i],
		    fl->stats.last_ts, ev, PK_MAX_EVIDENCE);

		for (size_t k = 0; k < n; k++)
			if (ev[k] == number)
				return dg->txns[i].id;
		txn_frame_range(fl, &dg->txns[i], &first, &last);
		if (first.number <= number && number <= last.number &&
		    (in_range == 0 || (u->pk && !u->mini_on &&
		    i == u->pk->txn)))
			in_range = dg->txns[i].id;
	}
	if ((id = rows_id_of_frame(&u->retired_rows, number)) != 0)
		return id;
	return in_range;
}

static void
pk_jump(struct ui *u)
{
	struct frame_ref r;
	uint32_t id;

	if (!pk_selected(u, &r))
		return;
	if ((id = pk_txn_of_frame(u, r.number)) == 0) {
		ui_message(u, true, "frame %llu belongs to no request",
		    (unsigned long long)r.number);
		return;
	}
	ui_show_txn(u, id);
	ui_message(u, false, "frame %llu: request #%u", (unsigned long long)
	    r.number, id);
}

static bool
pk_key(struct ui *u, int act)
{
	struct pk_view *pk = u->pk;

	if (pk_move(u, act)) {
		u->dirty |= D_FLOW;
		return true;
	}
	switch (act) {
	case ACT_ENTER:
		if (pk->rows.n)
			ui_push_view(u, &ui_pane_detail);
		return true;
	case ACT_JUMP:
		pk_jump(u);
		return true;
	case ACT_DFILTER:
		pk_filter_prompt(u);
		break;
	case ACT_MARK:
		if (pk->rows.n)
			marks_toggle(&pk->marks, &pk->rows.r[pk->sel]);
		break;
	case ACT_RANGE:
		pk_range(u);
		break;
	case ACT_UNMARK:
		pk->marks.n = 0;
		pk->anchored = false;
		ui_message(u, false, "no frame marked");
		break;
	case ACT_EXPORT_MARKED:
		pk_export(u);
		break;
	case ACT_TIME:
		pk->tmode = (pk->tmode + 1) % PT_COUNT;
		break;
	default:
		return false;
	}
	u->dirty |= D_FLOW | D_STATUS;
	return true;
}

/* ---- the view's entry in the screen manager's table -------------------- */

static uint32_t *
pk_txn_ref(struct ui *u)
{
	return u->pk ? &u->pk->txn : NULL;
}

static bool
pk_busy_step(struct ui *u)
{
	pk_step(u);
	return pk_busy(u);
}

static void
pk_click(struct ui *u, int y)
{
	struct pk_view *pk = u->pk;
	size_t row = pk->top + (size_t)(y - PK_HEAD_H);

	if (y >= PK_HEAD_H && row < pk->rows.n) {
		pk->sel = row;
		pk->sel_set = true;
		u->dirty |= D_FLOW;
	}
}

/* The page's height changed: the selected packet stays in view. */
static void
pk_resize(struct ui *u)
{
	struct pk_view *pk = u->pk;
	struct ui_list l;

	if (!pk)
		return;
	l = (struct ui_list){ pk->rows.n, pk->sel, pk->top };
	ui_list_fit(&l, pk_page(u));
	pk->sel = l.sel;
	pk->top = l.top;
}

const struct ui_pane ui_pane_packets = {
	.name = "Packets",
	.ctx = CX_PK,
	.dirty = D_FLOW,
	.help = "the request's frames, or a display filter's",
	.open = pk_open,
	.close = pk_close,
	.draw = pk_draw,
	.key = pk_key,
	.click = pk_click,
	.resize = pk_resize,
	.slot = SLOT_FULL,
	.txn_ref = pk_txn_ref,
	.step = pk_busy_step,
	.destroy = pk_destroy,
};
