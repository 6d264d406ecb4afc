/*
 * pane_evidence.c: why the selected request failed: verdict and summary,
 * the DNS look-ups, every connection attempt with its time, offset from
 * the first SYN, interval and backoff factor, the RST or ICMP error, the
 * upstream request and reply, the gateway's answer, the remedy and the
 * evidence frame numbers. Lines are built (and wrapped) once per
 * selection; drawing only copies the visible ones.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../proto/dns.h"
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

static void
ms_str(int64_t ns, char *out, size_t outlen)
{
	if (ns < 10000000)
		snprintf(out, outlen, "%.1fms", (double)ns / 1e6);
	else
		ui_fmt_dur(ns, out, outlen);
}

/* ---- the verdict and the client's side ---------------------------------- */

static void
ev_head(struct ui *u, const struct txn *t)
{
	const struct flow *fl = &u->eng.flow;
	const struct http_msg *m = &fl->msgs[t->req];
	char sum[1024], esc[EV_TMP], dur[32];

	ev_add(u, "Verdict", t->d.verdict == V_OK ? TE_GOOD : TE_BAD, "%s  (%s)",
	    verdict_label((enum verdict)t->d.verdict),
	    cause_key((enum cause)t->d.cause));
	if (u->ev.n)
		u->ev.lines[u->ev.n - 1].elem = 0xff;	/* verdict colour */
	diag_summary(&u->eng.diag, fl, t, sum, sizeof sum);
	ev_add_safe(u, "", TE_VALUE, ui_esc_str(u, sum, esc, sizeof esc));
	ev_add(u, "Request", TE_VALUE, "#%u %s %s", t->id,
	    ui_esc_str(u, flow_str(fl, m->method), sum, sizeof sum),
	    ui_esc_str(u, flow_str(fl, t->url), esc, sizeof esc));
	ui_fmt_dur(txn_elapsed_ns(fl, t, fl->stats.last_ts), dur, sizeof dur);
	if (t->resp != NONE32) {
		ev_add(u, "Answer", t->is_error ? TE_BAD : TE_GOOD,
		    "%s after %s  (frame %llu)", ui_esc_str(u, flow_str(fl,
		    fl->msgs[t->resp].first_line), esc, sizeof esc), dur,
		    (unsigned long long)fl->msgs[t->resp].start.number);
	} else {
		ev_add(u, "Answer", TE_BAD, "none: the gateway never answered "
		    "(%s so far)", dur);
	}
	if (t->d.shared)
		ev_add(u, "Note", TE_DIM, "this evidence also explains another "
		    "request at the same time");
}

/* ---- DNS ------------------------------------------------------------- */

static void
dns_outcome(struct ui *u, const struct dns_query *q, char *out,
    size_t outlen, int *elem)
{
	const struct flow *fl = &u->eng.flow;
	const struct dns_answer *a;
	char ad[ADDR_STRLEN], esc[600];
	uint16_t i;

	*elem = TE_BAD;
	if (q->rcode < 0) {
		snprintf(out, outlen, "no answer");
		return;
	}
	if (q->rcode > 0) {
		snprintf(out, outlen, "%s", dns_rcode_name((unsigned)q->rcode));
		return;
	}
	for (i = 0; i < q->nanswers; i++) {
		a = &fl->dns_answers[q->first_answer + i];
		if (a->type == DNS_T_A || a->type == DNS_T_AAAA) {
			*elem = TE_GOOD;
			snprintf(out, outlen, "%s%s", addr_fmt(&a->addr, ad,
			    sizeof ad), q->nanswers > 1 ? " (+more)" : "");
			return;
		}
	}
	if (q->nanswers) {
		*elem = TE_VALUE;
		snprintf(out, outlen, "CNAME %s", ui_esc_str(u, flow_str(fl,
		    fl->dns_answers[q->first_answer].target), esc, sizeof esc));
		return;
	}
	*elem = TE_VALUE;	/* often the other family's query */
	snprintf(out, outlen, "NOERROR, no address");
}

static bool
same_question(const struct flow *fl, const struct dns_query *a,
    const struct dns_query *b)
{
	return a->qtype == b->qtype &&
	    strcasecmp(flow_str(fl, a->qname), flow_str(fl, b->qname)) == 0;
}

/* One line per question (name, type): retries folded in. */
static void
ev_dns(struct ui *u, const struct txn *t)
{
	const struct flow *fl = &u->eng.flow;
	const struct diagnosis *d = &t->d;
	const struct dns_query *q, *ans;
	char out[700], name[600], rtt[32];
	unsigned k, j, nq;
	bool seen;
	int elem;

	for (k = 0; k < d->ndns; k++) {
		q = &fl->dns[d->dns[k]];
		for (seen = false, j = 0; j < k && !seen; j++)
			seen = same_question(fl, &fl->dns[d->dns[j]], q);
		if (seen)
			continue;
		ans = NULL;
		for (nq = 0, j = k; j < d->ndns; j++) {
			if (!same_question(fl, &fl->dns[d->dns[j]], q))
				continue;
			nq++;
			if (!ans && fl->dns[d->dns[j]].rcode >= 0)
				ans = &fl->dns[d->dns[j]];
		}
		dns_outcome(u, ans ? ans : q, out, sizeof out, &elem);
		rtt[0] = '\0';
		if (ans)
			ms_str(ans->answer.ts_ns - ans->query.ts_ns, rtt,
			    sizeof rtt);
		ui_esc_str(u, flow_str(fl, q->qname), name, sizeof name);
		ev_add(u, "DNS", elem, "%s %s %s %s%s%s%s  #%llu%s%llu",
		    dns_type_name(q->qtype), name, u->g.arrow, out,
		    ans ? "  rtt " : "", rtt, nq > 1 ? (nq == 2 ? "  1 retry" :
		    "  retries") : "", (unsigned long long)q->query.number,
		    ans ? u->g.arrow : "",
		    ans ? (unsigned long long)ans->answer.number : 0ULL);
		if (nq > 2)
			ev_add(u, "", TE_DIM, "%u queries for this name", nq);
	}
	if (d->ndns && d->dns_link == LINK_CACHE) {
		q = &fl->dns[d->dns[0]];
		ui_fmt_rel(fl->msgs[t->req].start.ts_ns - q->answer.ts_ns, rtt,
		    sizeof rtt);
		ev_add(u, "", TE_DIM, "from the gateway's DNS cache: answered "
		    "%s before the request (TTL %u)", rtt,
		    (unsigned)diag_cache_ttl(fl, q));
	}
	if (d->ambiguous)
		ev_add(u, "", TE_DIM, "ambiguous: request %u came within 1 ms "
		    "for the same host", (unsigned)t->rival);
}

/* ---- connection attempts ------------------------------------------------ */

struct syn_clock {
	int64_t first, prev, prev_iv;
	unsigned n;
};

static void
ev_syn(struct ui *u, struct syn_clock *sc, const struct frame_ref *f)
{
	char abs[32], off[32], iv[32], fac[48] = "", lab[16];
	int64_t dt;

	if (sc->n == 0)
		sc->first = f->ts_ns;
	sc->n++;
	ui_fmt_clock(f->ts_ns, 6, abs, sizeof abs);
	ui_fmt_rel(f->ts_ns - sc->first, off, sizeof off);
	snprintf(lab, sizeof lab, "SYN %u", sc->n);
	if (sc->n == 1) {
		ev_add(u, lab, TE_VALUE, "%s %s  #%llu", abs, off,
		    (unsigned long long)f->number);
		sc->prev = f->ts_ns;
		return;
	}
	dt = f->ts_ns - sc->prev;
	ui_fmt_rel(dt, iv, sizeof iv);
	if (sc->prev_iv > 0)
		snprintf(fac, sizeof fac, " %s%.2f", u->g.mul,
		    (double)dt / (double)sc->prev_iv);
	ev_add(u, lab, TE_VALUE, "%s %s (%s%s)  #%llu", abs, off, iv, fac,
	    (unsigned long long)f->number);
	sc->prev_iv = dt;
	sc->prev = f->ts_ns;
}

static void
ev_conn_outcome(struct ui *u, const struct conn *c)
{
	char a[ADDR_STRLEN], d[32];
	int64_t t0 = c->nsyn ? c->syns[c->nsyn - 1].ts_ns : c->first.ts_ns;

	if (c->icmp.number) {
		ms_str(c->icmp.ts_ns - t0, d, sizeof d);
		ev_add(u, "ICMP", TE_BAD, "%s (ICMP%s type %u code %u) from %s "
		    "after %s  #%llu", icmp_unreach_name(c->icmp_ver,
		    c->icmp_type, c->icmp_code), c->icmp_ver == 6 ? "v6" : "",
		    c->icmp_type, c->icmp_code, addr_fmt(&c->icmp_from, a,
		    sizeof a), d, (unsigned long long)c->icmp.number);
	}
	if (c->synack.number) {
		ms_str(c->synack.ts_ns - t0, d, sizeof d);
		ev_add(u, "SYN/ACK", TE_GOOD, "connected after %s  #%llu", d,
		    (unsigned long long)c->synack.number);
	}
	if (c->rst.number && (c->rst_from_server || !c->synack.number)) {
		ms_str(c->rst.ts_ns - t0, d, sizeof d);
		ev_add(u, "RST", c->rst_from_server ? TE_BAD : TE_VALUE,
		    "%s after %s%s  #%llu", c->rst_from_server ?
		    "from the server: connection refused" : "sent by the gateway",
		    d, c->synack.number ? "" : " (no SYN/ACK)",
		    (unsigned long long)c->rst.number);
	}
	if (!c->synack.number && !c->rst.number && !c->icmp.number &&
	    c->nsyn)
		ev_add(u, "", TE_BAD, "no answer to %u SYN%s%s", c->nsyn +
		    c->syns_dropped, c->nsyn + c->syns_dropped == 1 ? "" : "s",
		    c->syns_dropped ? " (only the first 16 listed)" : "");
	if (c->fin[1].number && c->synack.number &&
	    !(c->bytes[1] || c->data[1].number))
		ev_add(u, "FIN", TE_BAD, "upstream closed without a reply  #%llu",
		    (unsigned long long)c->fin[1].number);
}

static void
ev_conns(struct ui *u, const struct txn *t)
{
	const struct flow *fl = &u->eng.flow;
	const struct diagnosis *d = &t->d;
	struct syn_clock sc = { 0, 0, 0, 0 };
	const struct conn *c;
	char sa[ADDR_STRLEN], ca[ADDR_STRLEN];
	unsigned k, s;
	bool v6;

	for (k = 0; k < d->nconns; k++) {
		c = &fl->conns[d->conns[k]];
		v6 = c->saddr.family == 6;
		ev_add(u, "Connect", TE_VALUE, "%s%s%s:%u from %s port %u",
		    v6 ? "[" : "", addr_fmt(&c->saddr, sa, sizeof sa),
		    v6 ? "]" : "", c->sport, addr_fmt(&c->caddr, ca, sizeof ca),
		    c->cport);
		for (s = 0; s < c->nsyn; s++)
			ev_syn(u, &sc, &c->syns[s]);
		ev_conn_outcome(u, c);
	}
}

/* ---- upstream request and reply --------------------------------------- */

static void
ev_upstream(struct ui *u, const struct txn *t)
{
	const struct flow *fl = &u->eng.flow;
	const struct http_msg *m;
	char esc[EV_TMP], e2[256];

	if (t->d.up_req != NONE32) {
		m = &fl->msgs[t->d.up_req];
		ev_add(u, "Upstream", TE_VALUE, "%s  #%llu", ui_esc_str(u,
		    flow_str(fl, m->first_line), esc, sizeof esc),
		    (unsigned long long)m->start.number);
	}
	if (t->d.up_resp == NONE32) {
		if (t->d.up_req != NONE32)
			ev_add(u, "Reply", TE_BAD, "none");
		return;
	}
	m = &fl->msgs[t->d.up_resp];
	ev_add(u, "Reply", m->valid && t->d.cause != C_UPSTREAM_5XX ?
	    TE_GOOD : TE_BAD, "%s  #%llu", *flow_str(fl, m->first_line) ?
	    ui_esc_str(u, flow_str(fl, m->first_line), esc, sizeof esc) :
	    "(empty line)", (unsigned long long)m->start.number);
	if (!m->valid)
		ev_add(u, "", TE_BAD, "not valid HTTP: %s", ui_esc_str(u,
		    flow_str(fl, m->error), e2, sizeof e2));
}

static void
ev_tail(struct ui *u, const struct txn *t)
{
	const struct flow *fl = &u->eng.flow;
	uint64_t frames[64];
	char list[EV_TMP];
	size_t n, i, o = 0;
	const char *fix = cause_remedy((enum cause)t->d.cause);

	if (fix && *fix)
		ev_add(u, "Fix", TE_REMEDY, "%s", fix);
	n = diag_evidence_frames(fl, t, fl->stats.last_ts, frames, 64);
	list[0] = '\0';
	for (i = 0; i < n && o + 24 < sizeof list; i++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%llu",
		    i ? " " : "", (unsigned long long)frames[i]);
	if (n)
		ev_add(u, "Frames", TE_FRAMES, "%s%s", list, n == 64 ?
		    u->g.ellipsis : "");
}

void
ev_build(struct ui *u, const struct txn *t)
{
	struct ev_pane *ev = &u->ev;
	uint32_t id = t ? (uint32_t)(t - u->eng.diag.txns) : NONE32;

	if (!ev->lines || !u->wev)
		return;
	if (id != ev->txn)
		ev->top = 0;
	ev->txn = id;
	ev->n = 0;
	if (t) {
		ev_head(u, t);
		ev_dns(u, t);
		ev_conns(u, t);
		ev_upstream(u, t);
		ev_tail(u, t);
	}
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
	if (!t)
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
