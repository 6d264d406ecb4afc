/*
 * pane_requests.c: the list of client requests (top pane). Keeps a
 * filtered index of transaction numbers, rebuilt only when the filter
 * (errors/all, text search, one client) or the model changes, and draws
 * only the visible rows, so a key costs the same on a million requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_int.h"

#define COL_METHOD 7
#define URL_MIN 10

void
req_init(struct ui *u)
{
	u->rq.cap = 1024;
	u->rq.idx = malloc(u->rq.cap * sizeof *u->rq.idx);
	u->rq.sel_txn = NONE32;
	u->rq.client_w = 15;
}

void
req_free(struct ui *u)
{
	free(u->rq.idx);
	u->rq.idx = NULL;
}

size_t
req_page(const struct ui *u)
{
	int h = getmaxy(u->wreq) - 2;	/* top border and header */

	return h > 0 ? (size_t)h : 1;
}

static const struct conn *
txn_conn(const struct ui *u, const struct txn *t)
{
	return &u->eng.flow.conns[t->conn];
}

static bool
req_match(const struct ui *u, const struct txn *t)
{
	const struct flow *fl = &u->eng.flow;
	char a[ADDR_STRLEN];

	if (!u->rq.show_all && !t->is_error)
		return false;
	if (u->rq.client_on && !addr_eq(&txn_conn(u, t)->caddr, &u->rq.client))
		return false;
	if (!u->rq.search[0])
		return true;
	if (strcasestr(flow_str(fl, t->url), u->rq.search) ||
	    strcasestr(flow_str(fl, t->host), u->rq.search))
		return true;
	addr_fmt(&txn_conn(u, t)->caddr, a, sizeof a);
	return strstr(a, u->rq.search) != NULL;
}

/* Where sel_txn is in the (sorted) index, or the row just after it. */
static size_t
req_find(const struct req_pane *rq, uint32_t txn)
{
	size_t lo = 0, hi = rq->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rq->idx[mid] < txn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
req_keep_visible(struct ui *u)
{
	struct req_pane *rq = &u->rq;
	size_t page = req_page(u);

	if (rq->n == 0) {
		rq->sel = rq->top = 0;
		return;
	}
	if (rq->sel >= rq->n)
		rq->sel = rq->n - 1;
	if (rq->sel < rq->top)
		rq->top = rq->sel;
	if (rq->sel >= rq->top + page)
		rq->top = rq->sel - page + 1;
	if (rq->top + page > rq->n)
		rq->top = rq->n > page ? rq->n - page : 0;
}

static void
req_client_width(struct ui *u, const struct txn *t)
{
	char a[ADDR_STRLEN];
	int w;

	w = (int)strlen(addr_fmt(&txn_conn(u, t)->caddr, a, sizeof a));
	if (w > u->rq.client_w)
		u->rq.client_w = w;
}

void
req_rebuild(struct ui *u)
{
	struct req_pane *rq = &u->rq;
	const struct diag *dg = &u->eng.diag;
	uint32_t *nidx;
	size_t i;

	if (dg->ntxns > rq->cap) {
		nidx = realloc(rq->idx, dg->ntxns * sizeof *rq->idx);
		if (!nidx) {
			ui_message(u, true, "out of memory for the list");
			return;
		}
		rq->idx = nidx;
		rq->cap = dg->ntxns;
	}
	rq->n = 0;
	rq->client_w = 6;	/* "Client" */
	memset(rq->shown, 0, sizeof rq->shown);
	for (i = 0; i < dg->ntxns; i++) {
		if (!req_match(u, &dg->txns[i]))
			continue;
		rq->idx[rq->n++] = (uint32_t)i;
		if (dg->txns[i].d.verdict < V_COUNT)
			rq->shown[dg->txns[i].d.verdict]++;
		req_client_width(u, &dg->txns[i]);
	}
	rq->built_ntxns = dg->ntxns;
	if (u->wreq && ui_top_height(u) != u->top_h)
		ui_layout(u);
	if (rq->sel_txn != NONE32)
		rq->sel = req_find(rq, rq->sel_txn);
	req_keep_visible(u);
	if (rq->n == 0)
		rq->sel_txn = NONE32;
	else if (rq->sel_txn == NONE32 || rq->idx[rq->sel] != rq->sel_txn)
		rq->sel_txn = rq->idx[rq->sel];
	u->dirty |= D_REQ | D_STATUS;
}

/* Moves the selection to row pos (clamped); true when it moved. */
static bool
req_goto(struct ui *u, size_t pos)
{
	struct req_pane *rq = &u->rq;

	if (rq->n == 0)
		return false;
	if (pos >= rq->n)
		pos = rq->n - 1;
	if (pos == rq->sel && rq->idx[pos] == rq->sel_txn)
		return false;
	rq->sel = pos;
	rq->sel_txn = rq->idx[pos];
	req_keep_visible(u);
	ui_selection_changed(u);
	return true;
}

bool
req_key(struct ui *u, int k)
{
	struct req_pane *rq = &u->rq;
	size_t page = req_page(u);

	switch (k) {
	case KEY_UP: case 'k':
		if (rq->sel > 0)
			req_goto(u, rq->sel - 1);
		return true;
	case KEY_DOWN: case 'j':
		req_goto(u, rq->sel + 1);
		return true;
	case KEY_PPAGE: case 'b': case 2:	/* ^B */
		req_goto(u, rq->sel > page ? rq->sel - page : 0);
		return true;
	case KEY_NPAGE: case ' ': case 6:	/* ^F */
		req_goto(u, rq->sel + page);
		return true;
	case KEY_HOME: case 'g':
		req_goto(u, 0);
		return true;
	case KEY_END: case 'G':
		req_goto(u, rq->n ? rq->n - 1 : 0);
		return true;
	default:
		return false;
	}
}

static void
req_refilter(struct ui *u)
{
	req_rebuild(u);
	ui_selection_changed(u);
}

void
req_toggle_all(struct ui *u)
{
	u->rq.show_all = !u->rq.show_all;
	req_refilter(u);
	ui_message(u, false, u->rq.show_all ? "showing all requests" :
	    "showing gateway errors only");
}

void
req_toggle_client(struct ui *u)
{
	const struct txn *t = ui_selected(u);
	char a[ADDR_STRLEN];

	if (u->rq.client_on) {
		u->rq.client_on = false;
		req_refilter(u);
		ui_message(u, false, "client filter off");
		return;
	}
	if (!t) {
		ui_message(u, true, "no request selected: nothing to filter on");
		return;
	}
	u->rq.client = txn_conn(u, t)->caddr;
	u->rq.client_on = true;
	req_refilter(u);
	ui_message(u, false, "only client %s (ip.addr==%s); c again: all "
	    "clients", addr_fmt(&u->rq.client, a, sizeof a), a);
}

void
req_search(struct ui *u)
{
	char buf[sizeof u->rq.search];

	snprintf(buf, sizeof buf, "%s", u->rq.search);
	if (!prompt_line(u, "Filter (URL, host, client; empty: none): ", buf,
	    sizeof buf))
		return;
	snprintf(u->rq.search, sizeof u->rq.search, "%s", buf);
	req_refilter(u);
	if (u->rq.search[0] && u->rq.n == 0)
		ui_message(u, true, "nothing matches \"%s\"%s", u->rq.search,
		    u->rq.show_all ? "" : " among the errors (a: all)");
}

/* ---- drawing --------------------------------------------------------- */

struct req_cols {
	int time, client, url, verdict, dur;
	int time_dec;
	bool long_badge;
};

static void
req_columns(const struct ui *u, int width, struct req_cols *c)
{
	int fixed;

	c->long_badge = width >= UI_WIDE_COLS - 2;
	c->time = c->long_badge ? 12 : 8;
	c->time_dec = c->long_badge ? 3 : 0;
	c->verdict = c->long_badge ? 19 : 8;
	c->dur = 7;
	c->client = u->rq.client_w;
	fixed = c->time + 1 + 1 + COL_METHOD + 1 + 1 + 3 + 1 + c->verdict +
	    1 + c->dur;
	if (width - fixed - c->client < URL_MIN + 10 && c->client > 15)
		c->client = width - fixed - URL_MIN - 10 > 15 ?
		    width - fixed - URL_MIN - 10 : 15;
	c->url = width - fixed - c->client;
	if (c->url < 1)
		c->url = 1;
}

static void
req_header(struct ui *u, const struct req_cols *c, int width)
{
	char line[512];

	snprintf(line, sizeof line, "%-*s %-*s %-*s %-*s %3s %-*s %*s",
	    c->time, "Time", c->client, "Client", COL_METHOD, "Method",
	    c->url, "URL", "St", c->verdict, "Verdict", c->dur, "Elapsed");
	ui_put(u->wreq, 1, 1, width, line, u->attr[TE_HEADER], true);
}

/* Puts text at x (width cols, elided in the middle); returns next x. */
static int
cell(struct ui *u, int y, int x, int w, const char *safe, attr_t a)
{
	char buf[1024];

	ui_elide_mid(safe, w, u->g.ellipsis, buf, sizeof buf);
	ui_put(u->wreq, y, x, w, buf, a, true);
	ui_put(u->wreq, y, x + w, 1, " ", a, true);
	return x + w + 1;
}

static void
req_row(struct ui *u, int y, const struct txn *t, const struct req_cols *c,
    bool sel)
{
	const struct flow *fl = &u->eng.flow;
	const struct http_msg *m = &fl->msgs[t->req];
	attr_t base = sel ? u->attr[u->focus == PANE_REQUESTS ? TE_SELECTED :
	    TE_SELECTED_IDLE] : u->attr[TE_NORMAL];
	char tmp[64], esc[4096], a[ADDR_STRLEN];
	int x = 1;

	ui_fmt_clock(m->start.ts_ns, c->time_dec, tmp, sizeof tmp);
	x = cell(u, y, x, c->time, tmp, base);
	x = cell(u, y, x, c->client, addr_fmt(&txn_conn(u, t)->caddr, a,
	    sizeof a), base);
	x = cell(u, y, x, COL_METHOD, ui_esc_str(u, flow_str(fl, m->method),
	    esc, sizeof esc), base);
	x = cell(u, y, x, c->url, ui_esc_str(u, flow_str(fl, t->url), esc,
	    sizeof esc), base);
	if (t->status)
		snprintf(tmp, sizeof tmp, "%3u", t->status);
	else
		snprintf(tmp, sizeof tmp, "  -");
	x = cell(u, y, x, 3, tmp, sel ? base : u->attr[t->is_error ?
	    TE_CODE_ERROR : TE_CODE_OK]);
	x = cell(u, y, x, c->verdict, c->long_badge ?
	    verdict_label((enum verdict)t->d.verdict) :
	    ui_verdict_short(t->d.verdict), sel ? base :
	    ui_verdict_attr(u, t->d.verdict));
	ui_fmt_dur(txn_elapsed_ns(fl, t, fl->stats.last_ts), tmp, sizeof tmp);
	snprintf(esc, sizeof esc, "%*s", c->dur, tmp);
	ui_put(u->wreq, y, x, c->dur, esc, base, true);
}

static void
req_empty(struct ui *u, int width)
{
	char line[256];

	if (u->loading)
		snprintf(line, sizeof line, "reading the capture%s",
		    u->g.ellipsis);
	else if (u->eng.diag.ntxns == 0)
		snprintf(line, sizeof line, "no HTTP requests to a proxy port "
		    "in this capture (-p PORTS?)");
	else if (u->rq.search[0] || u->rq.client_on)
		snprintf(line, sizeof line, "no request matches the filter "
		    "(/ to change, c to clear the client)");
	else
		snprintf(line, sizeof line, "no gateway errors among %zu "
		    "requests: press a to show all", u->eng.diag.ntxns);
	ui_put(u->wreq, 2, 2, width - 2, line, u->attr[TE_DIM], false);
}

void
req_draw(struct ui *u)
{
	struct req_pane *rq = &u->rq;
	struct req_cols c;
	char title[256], older[48];
	size_t i, page = req_page(u);
	int width = u->cols - 2;

	older[0] = '\0';
	if (u->eng.diag.retired.txns)	/* --keep: counted, not listed */
		snprintf(older, sizeof older, " (+%llu older)",
		    (unsigned long long)u->eng.diag.retired.txns);
	werase(u->wreq);
	ui_box(u, u->wreq, u->g.ul, u->g.ur, 0, 0, false);
	snprintf(title, sizeof title, "%s %zu/%zu%s%s%s%s",
	    rq->show_all ? "Requests" : "Gateway errors", rq->n,
	    u->eng.diag.ntxns, rq->search[0] ? " /" : "",
	    rq->search[0] ? "filter" : "", rq->client_on ? " client" : "",
	    older);
	ui_title(u, u->wreq, 2, title, u->focus == PANE_REQUESTS);
	req_columns(u, width, &c);
	req_header(u, &c, width);
	if (rq->n == 0)
		req_empty(u, width);
	for (i = 0; i < page && rq->top + i < rq->n; i++)
		req_row(u, (int)i + 2, &u->eng.diag.txns[rq->idx[rq->top + i]],
		    &c, rq->top + i == rq->sel);
	wnoutrefresh(u->wreq);
}
