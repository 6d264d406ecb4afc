/*
 * view_flow.c: the ladder diagram of one transaction (Enter), like
 * sngrep's call flow: columns Client | Gateway | DNS | Upstream, one arrow
 * per frame of the transaction's evidence list (evidence.h) with its time
 * from the request and its label, a selection that scrolls,
 * the selected arrow's full label at the bottom, and Enter for the frame's
 * summary.
 */
#include <stdio.h>
#include <string.h>

#include "../peer/peer.h"
#include "ui_int.h"

#define FV_TIME_W 10	/* "+123.456 s" */
#define FV_FRAME_W 7
#define FV_HOP_W 7	/* --peer: the hop's frame number, "-" when unseen */
#define FV_HEAD_H 3	/* border/title, column names, addresses */
#define FV_FOOT_H 3	/* separator and two lines for the selected arrow */

static void
fv_close(struct ui *u)
{
	ladder_free(&u->fv.lad);
	u->fv.txn = NONE32;
}

static bool
fv_open(struct ui *u)
{
	const struct txn *t = ui_selected(u);

	if (!t)
		return false;
	if (ladder_build(&u->fv.lad, &ui_model(u)->flow, &ui_model(u)->diag,
	    t) < 0) {
		ui_message(u, true, "out of memory for the flow view");
		return false;
	}
	u->fv.txn = (uint32_t)(t - ui_model(u)->diag.txns);
	u->fv.sel = u->fv.top = 0;
	return true;
}

static size_t
fv_page(const struct ui *u)
{
	int h = getmaxy(u->wflow) - FV_HEAD_H - FV_FOOT_H - 1;

	return h > 0 ? (size_t)h : 1;
}

struct fv_geom {
	int time_w, frame_w;	/* 0: the column is left out (narrow) */
	int hop_w;		/* --peer: the Hop column (0: none) */
	int left;		/* first column of the diagram */
	int x[EC_COUNT];	/* lifeline positions */
};

/*
 * Lifelines at least 6 apart; on a narrow screen the Time column goes
 * first, then Frame (the footer still names the selected row's frame), so
 * that the diagram never runs over the right border.
 */
static void
fv_geometry(const struct ui *u, struct fv_geom *g)
{
	int w = getmaxx(u->wflow) - 2, first, last, span, i;

	g->time_w = FV_TIME_W;
	g->frame_w = FV_FRAME_W;
	g->hop_w = u->eng.peer != NULL && peer_shares(u->eng.peer) ?
	    FV_HOP_W : 0;
	for (;;) {
		g->left = 1 + (g->time_w ? g->time_w + 1 : 0) +
		    (g->frame_w ? g->frame_w + 1 : 0) +
		    (g->hop_w ? g->hop_w + 1 : 0);
		first = g->left + 4;
		last = w - 4;
		span = (last - first) / (EC_COUNT - 1);
		if (span >= 6 || (g->time_w == 0 && g->frame_w == 0 &&
		    g->hop_w == 0))
			break;
		if (g->time_w)
			g->time_w = 0;
		else if (g->hop_w)
			g->hop_w = 0;
		else
			g->frame_w = 0;
	}
	if (span < 2)
		span = 2;
	if (first + span * (EC_COUNT - 1) > w)
		first = w - span * (EC_COUNT - 1);
	if (first < 1)
		first = 1;
	for (i = 0; i < EC_COUNT; i++)
		g->x[i] = first + span * i;
}

/* The Frame column's x: after Time, before Hop. */
static int
fv_frame_x(const struct fv_geom *g)
{
	return 1 + (g->time_w ? g->time_w + 1 : 0);
}

/* --peer: the hop frame that saw an upstream or DNS row, "-" when the hop
 * did not; false for the rows the hop has nothing to say about. */
static bool
fv_hop_frame(struct ui *u, const struct evidence_row *r, char *out,
    size_t outlen)
{
	struct peer_sighting at;
	int seen = ui_hop_sighting(u, r, &at);

	if (seen < 0)
		return false;
	if (seen == 0)
		snprintf(out, outlen, "-");
	else
		snprintf(out, outlen, "%llu", (unsigned long long)at.frame);
	return true;
}

static void
fv_header(struct ui *u, const struct fv_geom *g)
{
	const struct ladder *l = &u->fv.lad;
	char a[ADDR_STRLEN], buf[64];
	int i, half = (g->x[1] - g->x[0]) / 2, x, bw;
	int right = getmaxx(u->wflow) - 2;	/* the last column inside */

	if (g->time_w)
		ui_put(u->wflow, 1, 1, g->time_w, "Time", u->attr[TE_HEADER],
		    true);
	if (g->frame_w)
		ui_put(u->wflow, 1, fv_frame_x(g), g->frame_w, "Frame",
		    u->attr[TE_HEADER], true);
	if (g->hop_w)
		ui_put(u->wflow, 1, g->left - g->hop_w - 1, g->hop_w, "Hop",
		    u->attr[TE_HEADER], true);
	for (i = 0; i < EC_COUNT; i++) {
		snprintf(buf, sizeof buf, "%s", evidence_col_name(i));
		x = g->x[i] - ui_width(buf) / 2;
		ui_put(u->wflow, 1, x, (int)strlen(buf), buf,
		    u->attr[TE_FLOW_COLUMN], false);
		if (l->ev.addr[i].family == 0)
			continue;
		ui_elide_mid(addr_fmt(&l->ev.addr[i], a, sizeof a), 2 * half - 1,
		    u->g.ellipsis, buf, sizeof buf);
		bw = ui_width(buf);
		x = g->x[i] - bw / 2;
		/* centred on the last lifeline it would cover the border */
		if (x + bw > right + 1)
			x = right + 1 - bw;
		ui_put(u->wflow, 2, x > 1 ? x : 1, bw, buf, u->attr[TE_DIM],
		    false);
	}
}

static void
fv_lifelines(struct ui *u, const struct fv_geom *g, int y)
{
	int i;

	wattrset(u->wflow, u->attr[TE_FLOW_LIFELINE]);
	for (i = 0; i < EC_COUNT; i++)
		mvwaddch(u->wflow, y, g->x[i], u->g.vl);
}

/*
 * The label in width columns: when it is too long, the words before its
 * last stay whole and the last (a URL, a name) loses its middle, so rows
 * that differ by a word still differ ("DNS A? b…t"); when those words
 * take the room, they are cut and the label's last character ends it
 * ("DNS AAA…t", not "DNS …test" for both).
 */
static void
fv_fit_label(const struct ui *u, const char *label, int width, char *out,
    size_t outlen)
{
	const char *last = strrchr(label, ' ');
	int ew = ui_width(u->g.ellipsis), lead_w, used;
	size_t lead, hb, tail, ell;

	if (ui_width(label) <= width || last == NULL || width < ew + 2) {
		ui_elide_mid(label, width, u->g.ellipsis, out, outlen);
		return;
	}
	lead = (size_t)(last + 1 - label);
	lead_w = ui_width(label) - ui_width(last + 1);
	if (lead_w + ew + 2 <= width && lead < outlen) {
		memcpy(out, label, lead);
		ui_elide_mid(last + 1, width - lead_w, u->g.ellipsis,
		    out + lead, outlen - lead);
		return;
	}
	hb = ui_prefix_cols(label, width - ew - 1, &used);
	for (tail = strlen(label) - 1; tail > 0 &&
	    ((unsigned char)label[tail] & 0xc0) == 0x80; tail--)
		;	/* back to the last character's first byte */
	ell = strlen(u->g.ellipsis);
	if (hb + ell + strlen(label + tail) >= outlen) {
		ui_elide_mid(label, width, u->g.ellipsis, out, outlen);
		return;
	}
	memcpy(out, label, hb);
	memcpy(out + hb, u->g.ellipsis, ell);
	strcpy(out + hb + ell, label + tail);
}

static void
fv_arrow(struct ui *u, const struct fv_geom *g, int y,
    const struct evidence_row *r, bool sel)
{
	int x0 = g->x[r->from], x1 = g->x[r->to], lo, hi, span, lw, lx;
	attr_t a = u->attr[sel ? TE_FLOW_SELECTED : r->bad ? TE_FLOW_BAD :
	    TE_FLOW_ARROW];
	char esc[EVIDENCE_LABEL_MAX * 4], lab[EVIDENCE_LABEL_MAX * 4];

	lo = x0 < x1 ? x0 : x1;
	hi = x0 < x1 ? x1 : x0;
	if (hi - lo < 2)
		return;
	wattrset(u->wflow, a);
	mvwhline(u->wflow, y, lo + 1, u->g.hl, hi - lo - 1);
	mvwaddch(u->wflow, y, x1 > x0 ? hi - 1 : lo + 1, x1 > x0 ? '>' : '<');
	span = hi - lo - 5;
	if (span < 1)
		return;
	ui_esc_str(u, r->label, esc, sizeof esc);
	fv_fit_label(u, esc, span, lab, sizeof lab);
	lw = ui_width(lab);
	lx = lo + 2 + (span - lw) / 2 + (x1 > x0 ? 0 : 1);
	ui_put(u->wflow, y, lx - 1, 1, " ", a, true);
	ui_put(u->wflow, y, lx, lw, lab, a, false);
	ui_put(u->wflow, y, lx + lw, 1, " ", a, true);
}

static void
fv_row(struct ui *u, const struct fv_geom *g, int y, size_t i)
{
	const struct evidence_row *r = u->fv.lad.rows[i];
	bool sel = i == u->fv.sel;
	char f[32];
	attr_t a = u->attr[sel ? TE_FLOW_SELECTED : TE_DIM];

	snprintf(f, sizeof f, "%llu", (unsigned long long)r->frame);
	/* the time from the request, as the reports count it */
	if (g->time_w)
		ui_put(u->wflow, y, 1, g->time_w, r->rel, a, true);
	if (g->frame_w)
		ui_put(u->wflow, y, fv_frame_x(g), g->frame_w, f, a, true);
	if (g->hop_w && fv_hop_frame(u, r, f, sizeof f))
		ui_put(u->wflow, y, g->left - g->hop_w - 1, g->hop_w, f, a,
		    true);
	fv_lifelines(u, g, y);
	fv_arrow(u, g, y, r, sel);
}

/* "Frame N at CLOCK, FROM → TO": the footer and the detail popup. */
static void
fv_row_head(const struct ui *u, const struct evidence_row *r, char *out,
    size_t outlen)
{
	char clock[32];

	ui_fmt_clock(r->ts_ns, 6, clock, sizeof clock);
	snprintf(out, outlen, "Frame %llu at %s, %s %s %s",
	    (unsigned long long)r->frame, clock, evidence_col_name(r->from),
	    u->g.arrow, evidence_col_name(r->to));
}

static void
fv_footer(struct ui *u)
{
	const struct evidence_row *r;
	int h = getmaxy(u->wflow), w = getmaxx(u->wflow) - 2;
	char esc[EVIDENCE_LABEL_MAX * 4], line[128];

	wattrset(u->wflow, u->attr[TE_BORDER]);
	mvwhline(u->wflow, h - FV_FOOT_H, 1, u->g.hl, w);
	if (u->fv.lad.n == 0)
		return;
	r = u->fv.lad.rows[u->fv.sel];
	fv_row_head(u, r, line, sizeof line);
	ui_put(u->wflow, h - 2, 1, w, line, u->attr[TE_LABEL], true);
	ui_esc_str(u, r->label, esc, sizeof esc);
	ui_put(u->wflow, h - 1 - 0, 1, w, esc, u->attr[r->bad ? TE_FLOW_BAD :
	    TE_VALUE], true);
}

static void
fv_draw(struct ui *u)
{
	const struct txn *t = u->fv.txn != NONE32 ?
	    &ui_model(u)->diag.txns[u->fv.txn] : NULL;
	struct fv_geom g;
	char title[256], esc[200];
	size_t i, page = fv_page(u);
	int y;

	werase(u->wflow);
	ui_box(u, u->wflow, u->g.ul, u->g.ur, 0, 0, false);
	if (t) {
		ui_esc_str(u, flow_str(&ui_model(u)->flow, t->url), esc,
		    sizeof esc);
		snprintf(title, sizeof title, "Flow of request #%u %s", t->id,
		    esc);
		ui_title(u, u->wflow, 2, title, true);
	}
	fv_geometry(u, &g);
	fv_header(u, &g);
	for (y = FV_HEAD_H; y < FV_HEAD_H + (int)page; y++)
		fv_lifelines(u, &g, y);
	for (i = 0; i < page && u->fv.top + i < u->fv.lad.n; i++)
		fv_row(u, &g, FV_HEAD_H + (int)i, u->fv.top + i);
	fv_footer(u);
	wnoutrefresh(u->wflow);
}

#define FV_DETAIL_LINES 16

static void
fv_details(struct ui *u)
{
	const struct evidence_row *r;
	char head[128], lab[EVIDENCE_LABEL_MAX * 4];
	char esc[FV_DETAIL_LINES][512];
	const char *lines[FV_DETAIL_LINES + 3], *p, *nl;
	size_t n = 0, k = 0;

	if (u->fv.lad.n == 0)
		return;
	r = u->fv.lad.rows[u->fv.sel];
	fv_row_head(u, r, head, sizeof head);
	lines[n++] = head;
	lines[n++] = ui_esc_str(u, r->label, lab, sizeof lab);
	lines[n++] = "";
	/* the detail holds network text: escape it line by line */
	for (p = r->detail; *p && k < FV_DETAIL_LINES; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p) - 1;
		lines[n++] = ui_esc(u, p, (size_t)(nl - p) + (nl[0] != '\n'),
		    esc[k], sizeof esc[k]);
		k++;
		if (nl[0] != '\n')
			break;
	}
	dialog_info(u, "Frame", lines, n);
}

static bool
fv_key(struct ui *u, int act)
{
	struct fv_view *fv = &u->fv;
	struct ui_list l = { fv->lad.n, fv->sel, fv->top };

	if (act == ACT_ENTER) {
		fv_details(u);
		return true;
	}
	if (!ui_list_move(&l, act, fv_page(u), true))
		return false;
	fv->sel = l.sel;
	fv->top = l.top;
	u->dirty |= D_FLOW;
	return true;
}

/* ---- the view's entry in the screen manager's table -------------------- */

static void
fv_click(struct ui *u, int y)
{
	size_t row = u->fv.top + (size_t)(y - FV_HEAD_H);

	if (y >= FV_HEAD_H && row < u->fv.lad.n) {
		u->fv.sel = row;
		u->dirty |= D_FLOW;
	}
}

/* The page's height changed: the selected message stays in view. */
static void
fv_resize(struct ui *u)
{
	struct fv_view *fv = &u->fv;
	struct ui_list l = { fv->lad.n, fv->sel, fv->top };

	ui_list_fit(&l, fv_page(u));
	fv->sel = l.sel;
	fv->top = l.top;
}

static uint32_t *
fv_txn_ref(struct ui *u)
{
	return &u->fv.txn;
}

const struct ui_pane ui_pane_flow = {
	.name = "Flow",
	.ctx = CX_FLOW,
	.dirty = D_FLOW,
	.help = "the ladder diagram of one request",
	.open = fv_open,
	.close = fv_close,
	.draw = fv_draw,
	.key = fv_key,
	.click = fv_click,
	.resize = fv_resize,
	.slot = SLOT_FULL,
	.txn_ref = fv_txn_ref,
	.destroy = fv_close,
};
