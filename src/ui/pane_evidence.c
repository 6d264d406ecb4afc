/*
 * pane_evidence.c: why the selected request failed: verdict and summary,
 * the DNS look-ups, every connection attempt with its time, offset from
 * the first SYN, interval and backoff factor, the RST or ICMP error, the
 * upstream request and reply, the gateway's answer, the remedy and the
 * evidence frame numbers. It renders the transaction's evidence list
 * (diag/evidence.h), the reports' own, and decides nothing itself. Lines
 * are built (and wrapped) once per selection; drawing only copies the
 * visible ones.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../alog/alog.h"
#include "../diag/evidence.h"
#include "../peer/peer.h"
#include "ui_int.h"

#define EV_LABEL_W 9
#define EV_TMP 2048

void
ev_init(struct ui *u)
{
	u->ev.lines = calloc(EV_MAX_LINES, sizeof *u->ev.lines);
	u->ev.txn = NONE32;
}

void
ev_free(struct ui *u)
{
	free(u->ev.lines);
	u->ev.lines = NULL;
}

static int
ev_text_width(const struct ui *u)
{
	int w = getmaxx(u->wev) - 2 - EV_LABEL_W - 1;

	if (u->wide)
		w -= 1;	/* the stream pane's border overlaps our right edge */
	return w > 8 ? w : 8;
}

static void
ev_push(struct ui *u, const char *label, int lab_elem, int elem,
    const char *safe)
{
	struct ev_line *l;

	if (u->ev.n >= EV_MAX_LINES)
		return;
	l = &u->ev.lines[u->ev.n++];
	snprintf(l->label, sizeof l->label, "%s", label);
	l->lab_elem = (uint8_t)lab_elem;
	l->elem = (uint8_t)elem;
	snprintf(l->text, sizeof l->text, "%s", safe);
}

/* Adds safe text, wrapped at spaces to the pane's width. */
static void
ev_add_safe(struct ui *u, const char *label, int elem, const char *s)
{
	int width = ev_text_width(u), used;
	size_t n, cut;
	char part[EV_LINE_MAX];

	do {
		n = ui_prefix_cols(s, width, &used);
		cut = n;
		if (s[n] != '\0') {
			while (cut > 0 && s[cut] != ' ')
				cut--;
			if (cut < n / 2)
				cut = n;
		}
		if (cut == 0)
			cut = strlen(s) ? 1 : 0;
		snprintf(part, sizeof part, "%.*s", (int)cut, s);
		ev_push(u, label, TE_LABEL, elem, part);
		label = "";
		s += cut;
		while (*s == ' ')
			s++;
	} while (*s);
}

static void
ev_add(struct ui *u, const char *label, int elem, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void
ev_add(struct ui *u, const char *label, int elem, const char *fmt, ...)
{
	char buf[EV_TMP];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	ev_add_safe(u, label, elem, buf);
}

/* ---- the rows of the evidence list (evidence.h), nothing else -------- */

static void
ev_head(struct ui *u, const struct txn *t, const struct evidence *ev)
{
	const struct evidence_row *req = evidence_find(ev, EK_REQUEST, 0);
	const struct evidence_row *ans = evidence_find(ev, EK_ANSWER, 0);
	char esc[EV_TMP];

	ev_add(u, "Verdict", t->d.verdict == V_OK ? TE_GOOD : TE_BAD, "%s  (%s)",
	    txn_label(t), cause_key((enum cause)t->d.cause));
	if (u->ev.n)
		u->ev.lines[u->ev.n - 1].elem = 0xff;	/* verdict colour */
	ev_add_safe(u, "", TE_VALUE, ui_esc_str(u, ev->summary, esc,
	    sizeof esc));
	ev_add(u, "Request", TE_VALUE, "#%u %s", t->id, ui_esc_str(u,
	    req->text, esc, sizeof esc));
	if (ans->frame)
		ev_add(u, "Answer", t->is_error ? TE_BAD : TE_GOOD,
		    "%s after %s  (frame %llu)", ui_esc_str(u, ans->text, esc,
		    sizeof esc), ans->delay, (unsigned long long)ans->frame);
	else
		ev_add(u, "Answer", TE_BAD, "none: the gateway never answered "
		    "(%s so far)", ans->delay);
	if (t->d.shared)
		ev_add(u, "Note", TE_DIM, "this evidence also explains another "
		    "request at the same time");
	if (t->d.ambiguous)
		ev_add(u, "Note", TE_DIM, "ambiguous: request %u came within "
		    "1 ms for the same host", (unsigned)t->rival);
}

static void
ev_dns(struct ui *u, const struct evidence_row *r)
{
	char name[EV_TMP], ans[EV_TMP], rtt[48] = "", frames[64];
	int elem = r->reply_frame == 0 || strcmp(r->text, "NOERROR") ?
	    TE_BAD : *r->answers ? TE_GOOD : TE_VALUE;

	if (r->reply_frame) {
		snprintf(rtt, sizeof rtt, "  rtt %s", r->delay);
		snprintf(frames, sizeof frames, "#%llu %s #%llu",
		    (unsigned long long)r->frame, u->g.arrow,
		    (unsigned long long)r->reply_frame);
	} else {
		snprintf(frames, sizeof frames, "#%llu",
		    (unsigned long long)r->frame);
	}
	ev_add(u, "DNS", elem, "%s %s %s %s%s%s  %s", r->kind_name,
	    ui_esc_str(u, r->name, name, sizeof name), u->g.arrow, r->text,
	    ui_esc_str(u, r->answers, ans, sizeof ans), rtt, frames);
}

static void
ev_syn(struct ui *u, const struct evidence_row *r)
{
	char abs[32], lab[16];

	ui_fmt_clock(r->ts_ns, 6, abs, sizeof abs);
	snprintf(lab, sizeof lab, "SYN %u", r->seq);
	if (!*r->interval)
		ev_add(u, lab, TE_VALUE, "%s %s  #%llu", abs, r->offset,
		    (unsigned long long)r->frame);
	else
		ev_add(u, lab, TE_VALUE, "%s %s (%s%s%s%s)  #%llu", abs,
		    r->offset, r->interval, *r->factor ? " " : "",
		    *r->factor ? u->g.mul : "", r->factor,
		    (unsigned long long)r->frame);
}

static void
ev_row(struct ui *u, const struct evidence_row *r)
{
	char esc[EV_TMP], e2[EV_TMP];
	unsigned long long f = (unsigned long long)r->frame;

	switch (r->kind) {
	case EK_DNS_QUERY:
		ev_dns(u, r);
		break;
	case EK_DNS_CACHE:
	case EK_NO_REPLY:
		ev_add(u, "", r->bad ? TE_BAD : TE_DIM, "%s", r->text);
		break;
	case EK_CONNECT:
		ev_add(u, "Connect", TE_VALUE, "%s%s", r->text, r->seq ? "" :
		    " (pooled: carried the request)");
		break;
	case EK_SYN:
		ev_syn(u, r);
		break;
	case EK_SYNACK:
		ev_add(u, "SYN/ACK", TE_GOOD, "connected after %s  #%llu",
		    r->delay, f);
		break;
	case EK_RST:
	case EK_RST_GATEWAY:
		ev_add(u, "RST", r->bad ? TE_BAD : TE_VALUE, "%s after %s  "
		    "#%llu", r->text, r->delay, f);
		break;
	case EK_ICMP:
		ev_add(u, "ICMP", TE_BAD, "%s (%s type %u code %u) from %s "
		    "after %s  #%llu", r->text, r->kind_name, r->type, r->code,
		    r->peer, r->delay, f);
		break;
	case EK_TLS_HELLO:
		ev_add(u, "TLS", TE_VALUE, "ClientHello%s%s%s%s  #%llu",
		    *r->name ? " for " : "", ui_esc_str(u, r->name, esc,
		    sizeof esc), *r->text ? ", " : "", r->text, f);
		break;
	case EK_TLS_REQUEST:
		ev_add(u, "TLS", TE_VALUE, "the gateway's request, encrypted  "
		    "#%llu", f);
		break;
	case EK_TLS_END:
		ev_add(u, "TLS", TE_BAD, "%s  #%llu", ui_esc_str(u, r->text,
		    esc, sizeof esc), f);
		break;
	case EK_FIN_GATEWAY:
	case EK_FIN_UPSTREAM:
		ev_add(u, "FIN", r->bad ? TE_BAD : TE_VALUE, "%s  #%llu",
		    r->text, f);
		break;
	case EK_UP_REQUEST:
		ev_add(u, "Upstream", TE_VALUE, "%s%s%s  #%llu", ui_esc_str(u,
		    r->text, esc, sizeof esc), *r->peer ? " " : "",
		    *r->peer ? r->peer : "", f);
		break;
	case EK_UP_REPLY:
		if (!r->frame) {
			ev_add(u, "Reply", TE_BAD, "none");
			break;
		}
		ev_add(u, "Reply", r->bad ? TE_BAD : TE_GOOD, "%s  #%llu",
		    *r->text ? ui_esc_str(u, r->text, esc, sizeof esc) :
		    "(empty line)", f);
		if (*r->name)
			ev_add(u, "", TE_BAD, "%s",
			    ui_esc_str(u, r->name, e2, sizeof e2));
		break;
	default:	/* request, answer: the head; DNS answer: its query's */
		break;
	}
}

static void
ev_tail(struct ui *u, const struct evidence *ev)
{
	uint64_t frames[64];
	char list[EV_TMP];
	size_t n, i, o = 0;
	const char *fix = ev->remedy;

	if (fix && *fix)
		ev_add(u, "Fix", TE_REMEDY, "%s", fix);
	n = evidence_frames(ev, frames, 64);
	list[0] = '\0';
	for (i = 0; i < n && o + 24 < sizeof list; i++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%llu",
		    i ? " " : "", (unsigned long long)frames[i]);
	if (n)
		ev_add(u, "Frames", TE_FRAMES, "%s%s", list, n == 64 ?
		    u->g.ellipsis : "");
}

/* --access-log: the line the log has for this request (the reports' Log:) */
static void
ev_log(struct ui *u, const struct txn *t)
{
	const struct alog_set *s = u->eng.alog;
	const struct alog_entry *en;
	char text[EV_TMP], esc[EV_TMP * 4];

	if (s == NULL)
		return;
	if ((en = alog_txn_entry(s, t->id)) == NULL) {
		ev_add(u, "Log", TE_DIM, "not in the access log");
		return;
	}
	snprintf(text, sizeof text, "%s:%u %s", s->files[en->file],
	    (unsigned)en->line, alog_str(s, en->text));
	ev_add_safe(u, "Log", TE_VALUE, ui_esc_str(u, text, esc, sizeof esc));
}

/* --peer: where between the gateway and the destination it failed */
static void
ev_next_hop(struct ui *u, const struct txn *t)
{
	struct peer_verdict v;

	if (u->eng.peer == NULL || !peer_explain(u->eng.peer, ui_model(u), t,
	    &v))
		return;
	ev_add(u, "Next hop", v.where == PEER_NONE ? TE_DIM : TE_BAD,
	    "%s: %s", v.where == PEER_NONE ? "not placed" :
	    peer_where_key((enum peer_where)v.where), v.summary);
	ev_add(u, "Hop fix", TE_REMEDY, "%s", peer_remedy(&v));
}

/* --peer: was this upstream-side frame seen at the next hop, and when? */
static void
ev_hop_sighting(struct ui *u, const struct evidence_row *r)
{
	struct peer_sighting at;
	char clock[32];
	int seen = ui_hop_sighting(u, r, &at);

	if (seen < 0)
		return;
	if (seen == 0) {
		ev_add(u, "", TE_DIM, "  #%llu not seen at the hop",
		    (unsigned long long)r->frame);
		return;
	}
	ui_fmt_clock(at.ts_ns, 6, clock, sizeof clock);
	ev_add(u, "", TE_DIM, "  #%llu at the hop: hop #%llu %s",
	    (unsigned long long)r->frame, (unsigned long long)at.frame, clock);
}

void
ev_build(struct ui *u, const struct txn *t)
{
	struct ev_pane *ev = &u->ev;
	const struct engine *m = ui_model(u);
	uint32_t id = t ? (uint32_t)(t - m->diag.txns) : NONE32;
	struct evidence list = { 0 };
	struct row_view v;

	if (!ev->lines || !u->wev)
		return;
	if (id != ev->txn)
		ev->top = 0;
	ev->txn = id;
	ev->n = 0;
	if (t && evidence_build(&list, &m->diag, &m->flow, t,
	    m->flow.stats.last_ts, EVIDENCE_PANE) != 0)
		ev_add(u, "", TE_BAD, "out of memory for the evidence");
	else if (t) {
		/* a retired row: the sentence the main diagnosis said */
		if (ui_selected_view(u, &v) && v.summary[0])
			snprintf(list.summary, sizeof list.summary, "%s",
			    v.summary);
		ev_head(u, t, &list);
		ev_log(u, t);
		ev_next_hop(u, t);
		for (size_t i = 0; i < list.n; i++) {
			ev_row(u, &list.rows[i]);
			ev_hop_sighting(u, &list.rows[i]);
		}
		ev_tail(u, &list);
	}
	evidence_free(&list);
	if (ev->top >= ev->n)
		ev->top = ev->n ? ev->n - 1 : 0;
	u->dirty |= D_EV;
}

/* ---- drawing and keys -------------------------------------------------- */

static void
ev_titles(struct ui *u)
{
	ui_title(u, u->wev, 2, "Evidence", u->focus == PANE_EVIDENCE);
	if (!u->wide)	/* the other tab of the bottom area */
		ui_put(u->wev, 0, 2 + 10 + 1, 14, " Stream (s) ",
		    u->attr[TE_DIM], false);
}

void
ev_draw(struct ui *u)
{
	struct ev_pane *ev = &u->ev;
	const struct txn *t = ui_selected(u);
	const struct ev_line *l;
	size_t i, page = ui_page(u->wev);
	int w = ev_text_width(u), y;
	attr_t a;

	werase(u->wev);
	ui_box(u, u->wev, u->g.lt, u->wide ? u->g.tt : u->g.rt, u->g.ll,
	    u->wide ? u->g.bt : u->g.lr, true);
	ev_titles(u);
	if (!t && u->mini_err[0])
		ui_put(u->wev, 1, 2, w, u->mini_err, u->attr[TE_BAD], false);
	else if (!t)
		ui_put(u->wev, 1, 2, w, "no request selected", u->attr[TE_DIM],
		    false);
	for (i = 0; i < page && ev->top + i < ev->n; i++) {
		l = &ev->lines[ev->top + i];
		y = (int)i + 1;
		ui_put(u->wev, y, 1, EV_LABEL_W, l->label,
		    u->attr[l->lab_elem], true);
		a = l->elem == 0xff ? (t ? ui_verdict_attr(u, t->d.verdict) :
		    u->attr[TE_NORMAL]) : u->attr[l->elem];
		ui_put(u->wev, y, 1 + EV_LABEL_W + 1, w, l->text, a, false);
	}
	if (ev->top + page < ev->n)
		ui_put(u->wev, getmaxy(u->wev) - 1, getmaxx(u->wev) - 12, 8,
		    " more ", u->attr[TE_TITLE], false);
	wnoutrefresh(u->wev);
}

bool
ev_key(struct ui *u, int k)
{
	struct ev_pane *ev = &u->ev;
	size_t top = ev->top;

	if (!ui_scroll_key(k, ev->n, ui_page(u->wev), &top))
		return false;
	if (top != ev->top) {
		ev->top = top;
		u->dirty |= D_EV;
	}
	return true;
}

/* ---- the pane's entry in the screen manager's table ------------------- */

static void
ev_resize(struct ui *u)
{
	ev_build(u, ui_selected(u));	/* wrapped to the new width */
}

static uint32_t *
ev_txn_ref(struct ui *u)
{
	return &u->ev.txn;
}

const struct ui_pane ui_pane_evidence = {
	.name = "Evidence",
	.ctx = CX_EV,
	.dirty = D_EV,
	.help = "why the selected request failed",
	.draw = ev_draw,
	.key = ev_key,
	.resize = ev_resize,
	.on_select = ev_build,
	.slot = SLOT_EVIDENCE,
	.txn_ref = ev_txn_ref,
	.destroy = ev_free,
};
