/*
 * evidence.c: a transaction's evidence as rows (evidence.h), written once
 * for every output. One walk over the linked look-ups and connection
 * attempts decides what was seen (txn_saw) and sets the numbers; it writes
 * the rows into the list in place, or lists only their frames
 * (diag_evidence_frames), so the evidence frames come from the same walk.
 * Text is formatted only for the outputs that print it (enum
 * evidence_mode): a report of every request builds no screen text.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/dns.h"
#include "../proto/packet.h"
#include "../proto/tls.h"
#include "../util/dur.h"
#include "diag_int.h"
#include "evidence.h"

static const char *const col_names[EC_COUNT] = {
	"Client", "Gateway", "DNS", "Upstream"
};

const char *
evidence_col_name(enum evidence_col c)
{
	return (unsigned)c < EC_COUNT ? col_names[c] : "?";
}

struct frame_list {
	uint64_t *out;
	size_t n, max;
};

/* The walk's mode besides enum evidence_mode: the listed frames only. */
#define MODE_FRAMES (-1)

struct walk {
	const struct flow *fl;
	const struct txn *t;
	int64_t now, t0;	/* the capture's time; the request's */
	struct evidence *ev;	/* the rows go here, */
	struct frame_list *frames; /* or only their listed frames here */
	int mode;		/* enum evidence_mode or MODE_FRAMES */
	int failed;
	struct evidence_row *r;	/* the row being written */
	struct evidence_row scratch; /* it, when the list has no room or
				      * only the frames are wanted */
};

/* Does the walk's output show text of this mode? */
static bool
shows(const struct walk *w, enum evidence_mode m)
{
	return w->mode >= (int)m;
}

const char *
evidence_fmt_secs(int64_t ns, char *buf, size_t len)
{
	return dur_fmt_rel(ns, buf, len);	/* rounded as the delays are */
}

const char *
evidence_fmt_delay(const struct evidence_row *r, char *buf, size_t len)
{
	if (r->kind == EK_ANSWER)	/* rounded as the request list is */
		dur_fmt_secs(r->delay_ns, buf, len);
	else
		snprintf(buf, len, "%.1f ms", (double)r->delay_ns / 1e6);
	return buf;
}

const char *
evidence_fmt_factor(const struct evidence_row *r, char *buf, size_t len)
{
	if (r->prev_interval_ns > 0)
		snprintf(buf, len, "%.1f", (double)r->interval_ns /
		    (double)r->prev_interval_ns);
	else if (len)
		buf[0] = '\0';
	return buf;
}

/* The row's delay (DNS round trip, a reply after its SYN, the answer). */
static void
set_delay(struct walk *w, int64_t ns)
{
	struct evidence_row *r = w->r;

	r->delay_ns = ns;
	if (shows(w, EVIDENCE_PANE))
		evidence_fmt_delay(r, r->delay, sizeof r->delay);
}

/* snprintf's "%s" without the format: most of a row's text is a copy. */
static void
copy(char *out, size_t outlen, const char *s)
{
	size_t n = strnlen(s, outlen - 1);

	memcpy(out, s, n);
	out[n] = '\0';
}

static void
fmt(char *out, size_t outlen, const char *f, ...)
    __attribute__((format(printf, 3, 4)));
static void
fmt(char *out, size_t outlen, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(out, outlen, f, ap);
	va_end(ap);
}

/* The flow view's arrow label of the row being written. */
static void
label(struct walk *w, const char *f, ...)
    __attribute__((format(printf, 2, 3)));
static void
label(struct walk *w, const char *f, ...)
{
	va_list ap;

	if (!shows(w, EVIDENCE_ARROWS))
		return;
	va_start(ap, f);
	vsnprintf(w->r->label, sizeof w->r->label, f, ap);
	va_end(ap);
}

/* Appends to the row's detail (several lines): the flow view's. */
static void
detail(struct walk *w, const char *f, ...)
    __attribute__((format(printf, 2, 3)));
static void
detail(struct walk *w, const char *f, ...)
{
	struct evidence_row *r = w->r;
	size_t n;
	va_list ap;

	if (!shows(w, EVIDENCE_ARROWS) ||
	    (n = strlen(r->detail)) >= sizeof r->detail - 1)
		return;
	va_start(ap, f);
	vsnprintf(r->detail + n, sizeof r->detail - n, f, ap);
	va_end(ap);
}

static void
endpoints(struct walk *w, const struct gw_addr *a, uint16_t ap,
    const struct gw_addr *b, uint16_t bp)
{
	char x[ADDR_STRLEN + 8], y[ADDR_STRLEN + 8];

	if (!shows(w, EVIDENCE_ARROWS))
		return;
	if (ap || bp)
		detail(w, "%s -> %s\n", addr_port_fmt(a, ap, x, sizeof x),
		    addr_port_fmt(b, bp, y, sizeof y));
	else
		detail(w, "%s -> %s\n", addr_fmt(a, x, sizeof x),
		    addr_fmt(b, y, sizeof y));
}

/* Empties a row's text without zeroing its kilobytes. */
static void
clear_text(struct evidence_row *r)
{
	r->rel[0] = r->delay[0] = r->offset[0] = r->interval[0] = '\0';
	r->factor[0] = r->peer[0] = r->name[0] = r->kind_name[0] = '\0';
	r->text[0] = r->answers[0] = r->label[0] = r->detail[0] = '\0';
}

/*
 * Starts a row of this kind for frame f (NULL: a note), in place at the
 * end of the list. The screen's rows are zeroed whole (detail is appended
 * to); the reports' and the frames' only up to their text.
 */
static struct evidence_row *
row_start(struct walk *w, enum evidence_kind kind, const struct frame_ref *f,
    int from, int to)
{
	struct evidence_row *r = &w->scratch;
	struct evidence *ev = w->ev;

	if (ev && !w->failed) {
		if (ev->n < ev->cap || vec_reserve((void **)&ev->rows,
		    &ev->cap, ev->n + 1, sizeof *ev->rows,
		    SIZE_MAX / sizeof *ev->rows) == 0)
			r = &ev->rows[ev->n];
		else
			w->failed = 1;
	}
	w->r = r;
	if (shows(w, EVIDENCE_PANE)) {
		memset(r, 0, sizeof *r);
	} else {
		memset(r, 0, offsetof(struct evidence_row, rel));
		clear_text(r);
	}
	r->kind = (uint8_t)kind;
	r->from = (uint8_t)from;
	r->to = (uint8_t)to;
	r->ref = NONE32;
	if (f && f->number) {
		r->frame = f->number;
		r->ts_ns = f->ts_ns;
		r->offset_lo = f->offset_lo;
		r->rel_ns = f->ts_ns - w->t0;
		if (shows(w, EVIDENCE_PANE))
			evidence_fmt_secs(r->rel_ns, r->rel, sizeof r->rel);
	}
	return r;
}

static void
row_end(struct walk *w)
{
	struct evidence_row *r = w->r;
	struct frame_list *l = w->frames;

	if (w->failed)
		return;
	if (w->ev) {
		if (w->ev->first[r->kind] == 0)
			w->ev->first[r->kind] = w->ev->n + 1;
		w->ev->n++;
	}
	else if (r->listed && r->frame && l->n < l->max)
		l->out[l->n++] = r->frame;
}

static bool
saw(const struct walk *w, const struct frame_ref *f)
{
	return txn_saw(w->fl, w->t, f, w->now);
}

/* ---- the client's side ------------------------------------------------- */

static void
walk_client(struct walk *w)
{
	const struct flow *fl = w->fl;
	const struct txn *t = w->t;
	const struct conn *c = &fl->conns[t->conn];
	const struct http_msg *m = &fl->msgs[t->req];
	struct evidence_row *r;
	struct flow_line lb;
	const char *line;

	r = row_start(w, EK_REQUEST, flow_msg_frame(m), EC_CLIENT,
	    EC_GATEWAY);
	r->ref = t->req;
	r->listed = true;
	if (shows(w, EVIDENCE_PANE))
		fmt(r->text, sizeof r->text, "%s %s", flow_str(fl, m->method),
		    flow_str(fl, t->url));
	label(w, "%s", r->text);
	endpoints(w, &c->caddr, c->cport, &c->saddr, c->sport);
	detail(w, "Client request (transaction %u):\n%s\n", t->id,
	    flow_msg_line(fl, m, &lb));
	row_end(w);

	if (t->resp == NONE32) {
		r = row_start(w, EK_ANSWER, NULL, EC_GATEWAY, EC_CLIENT);
		r->bad = true;
	} else {
		m = &fl->msgs[t->resp];
		r = row_start(w, EK_ANSWER, flow_msg_frame(m), EC_GATEWAY,
		    EC_CLIENT);
		r->ref = t->resp;
		r->listed = true;
		r->bad = t->is_error;
		line = flow_msg_line(fl, m, &lb);
		if (shows(w, EVIDENCE_PANE))
			copy(r->text, sizeof r->text, line);
		label(w, "%s", m->valid ? line : "(invalid reply)");
		endpoints(w, &c->saddr, c->sport, &c->caddr, c->cport);
		detail(w, "Gateway's answer to the client:\n%s\n", line);
	}
	set_delay(w, txn_elapsed_ns(fl, t, w->now));
	row_end(w);
}

/* ---- DNS ------------------------------------------------------------- */

/*
 * " 10.0.0.1 CNAME x" (the first four answers) into list; with a walk,
 * also its row's label and details (the flow view's answer arrow).
 */
static void
dns_answers(const struct flow *fl, const struct dns_query *q, char *list,
    size_t listlen, struct walk *w)
{
	char ad[ADDR_STRLEN];
	size_t o = 0;
	bool labelled = false;

	list[0] = '\0';
	for (unsigned j = 0; j < q->nanswers; j++) {
		const struct dns_answer *a =
		    &fl->dns_answers[q->first_answer + j];

		if (a->addr.family)
			addr_fmt(&a->addr, ad, sizeof ad);
		if (j < 4 && o < listlen)
			o += (size_t)snprintf(list + o, listlen - o,
			    a->addr.family ? " %s" : " CNAME %s",
			    a->addr.family ? ad : flow_str(fl, a->target));
		if (!w)
			continue;
		if (a->type == DNS_T_CNAME)
			detail(w, "%s CNAME %s\n", flow_str(fl, a->name),
			    flow_str(fl, a->target));
		else
			detail(w, "%s %s %s\n", flow_str(fl, a->name),
			    dns_type_name(a->type), ad);
		if (!labelled && (a->type == DNS_T_A || a->type == DNS_T_AAAA)) {
			label(w, "%s %s%s", dns_type_name(a->type), ad,
			    q->nanswers > 1 ? " ..." : "");
			labelled = true;
		}
	}
	if (!w || labelled)
		return;
	if (q->rcode > 0)
		label(w, "%s", dns_rcode_name((unsigned)q->rcode));
	else if (q->nanswers)
		label(w, "CNAME %s",
		    flow_str(fl, fl->dns_answers[q->first_answer].target));
	else
		label(w, "NOERROR (no answer)");
}

/* What a query's row and its answer's row both say: server, type, name,
 * and once answered, the RCODE, the round trip and the addresses. */
static void
dns_fields(struct walk *w, const struct dns_query *q, bool answered)
{
	const struct flow *fl = w->fl;
	struct evidence_row *r = w->r;

	addr_fmt(&q->server, r->peer, sizeof r->peer);
	copy(r->kind_name, sizeof r->kind_name, dns_type_name(q->qtype));
	copy(r->name, sizeof r->name, flow_str(fl, q->qname));
	if (!answered) {
		copy(r->text, sizeof r->text, "no answer");
		return;
	}
	copy(r->text, sizeof r->text, dns_rcode_name((unsigned)q->rcode));
	set_delay(w, q->answer.ts_ns - q->query.ts_ns);
	if (shows(w, EVIDENCE_PANE))
		dns_answers(fl, q, r->answers, sizeof r->answers, NULL);
}

const char *
evidence_fmt_answers(const struct flow *fl, const struct evidence_row *r,
    char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (r->kind == EK_DNS_ANSWER || (r->kind == EK_DNS_QUERY &&
	    r->reply_frame))
		dns_answers(fl, &fl->dns[r->ref], buf, len, NULL);
	else
		buf[0] = '\0';
	return buf;
}

static void
walk_dns(struct walk *w)
{
	const struct flow *fl = w->fl;
	const struct diagnosis *d = &w->t->d;
	struct evidence_row *r;

	for (unsigned k = 0; k < d->ndns; k++) {
		const struct dns_query *q = &fl->dns[d->dns[k]];
		bool answered = q->rcode >= 0 && saw(w, &q->answer);

		r = row_start(w, EK_DNS_QUERY, &q->query, EC_GATEWAY, EC_DNS);
		r->ref = d->dns[k];
		r->listed = true;
		r->bad = !answered && d->cause == C_DNS_NO_RESPONSE;
		r->reply_frame = answered ? q->answer.number : 0;
		dns_fields(w, q, answered);
		label(w, "DNS %s? %s%s", r->kind_name, r->name, answered ? "" :
		    " (no answer)");
		endpoints(w, &q->client, q->cport, &q->server, q->sport);
		detail(w, "DNS query id 0x%04x over %s\n", q->id,
		    q->over_tcp ? "TCP" : "UDP");
		row_end(w);
		if (!answered)
			continue;
		r = row_start(w, EK_DNS_ANSWER, &q->answer, EC_DNS,
		    EC_GATEWAY);
		r->ref = d->dns[k];
		r->listed = true;
		/* NOERROR with only a CNAME: that answer is the DNS error */
		r->bad = q->rcode > 0 || (!diag_gave_address(fl, q) &&
		    d->cause == C_DNS_ERROR);
		dns_fields(w, q, true);
		endpoints(w, &q->server, q->sport, &q->client, q->cport);
		detail(w, "DNS answer id 0x%04x, RCODE %d %s, rtt %s\n",
		    q->id, q->rcode, r->text, r->delay);
		if (shows(w, EVIDENCE_ARROWS))
			dns_answers(fl, q, r->answers, sizeof r->answers, w);
		row_end(w);
	}
	if (d->ndns && d->dns_link == LINK_CACHE) {
		const struct dns_query *q = &fl->dns[d->dns[0]];

		r = row_start(w, EK_DNS_CACHE, NULL, EC_DNS, EC_GATEWAY);
		r->ref = d->dns[0];
		r->reply_frame = q->answer.number;
		r->delay_ns = fl->msgs[w->t->req].start.ts_ns -
		    q->answer.ts_ns;
		if (shows(w, EVIDENCE_PANE))
			evidence_fmt_cache(fl, r, r->text, sizeof r->text);
		row_end(w);
	}
}

const char *
evidence_fmt_cache(const struct flow *fl, const struct evidence_row *r,
    char *buf, size_t len)
{
	snprintf(buf, len, "from the gateway's DNS cache: answered at frame %"
	    PRIu64 ", %.1f s before the request (TTL %" PRIu32 ")",
	    r->reply_frame, (double)r->delay_ns / 1e9,
	    diag_cache_ttl(fl, &fl->dns[r->ref]));
	return buf;
}

/* ---- connection attempts ------------------------------------------------ */

/* The last SYN of c sent at or before f: the one f answers. */
static const struct frame_ref *
answered_syn(const struct conn *c, const struct frame_ref *f)
{
	const struct frame_ref *s = conn_syn(c, 0);

	for (unsigned k = 1; k < c->nsyn; k++)
		if (conn_syn(c, k)->number < f->number)
			s = conn_syn(c, k);
	return s;
}

/* A reply to the attempt's SYN (SYN/ACK, RST, ICMP): its delay. */
static void
reply_delay(struct walk *w, const struct conn *c, const struct frame_ref *f)
{
	const struct frame_ref *s = answered_syn(c, f);

	if (c->nsyn)
		set_delay(w, f->ts_ns - s->ts_ns);
}

static void
walk_icmp(struct walk *w, const struct conn *c, uint32_t ci,
    const struct frame_ref *f)
{
	const struct conn_icmp *e = conn_icmp(w->fl, c);
	struct evidence_row *r;
	char from[ADDR_STRLEN];

	if (!saw(w, f))
		return;
	r = row_start(w, EK_ICMP, f, EC_UPSTREAM, EC_GATEWAY);
	r->ref = ci;
	r->listed = r->bad = true;
	r->type = e->type;
	r->code = e->code;
	addr_fmt(&e->from, r->peer, sizeof r->peer);
	copy(r->kind_name, sizeof r->kind_name, e->ver == 6 ? "ICMPv6" :
	    "ICMP");
	copy(r->text, sizeof r->text, icmp_unreach_name(e->ver, e->type,
	    e->code));
	reply_delay(w, c, f);
	label(w, "%s %u/%u", r->kind_name, e->type, e->code);
	detail(w, "%s from %s: %s\n", r->kind_name, addr_fmt(&e->from,
	    from, sizeof from), r->text);
	detail(w, "quotes the SYN ");
	endpoints(w, &c->caddr, c->cport, &c->saddr, c->sport);
	row_end(w);
}

/* The words of a failed handshake's row (EK_TLS_END). */
static void
tls_end_text(const struct conn_tls *tls, const struct tls_end_at *e,
    char *out, size_t outlen, const struct flow *fl)
{
	const char *name;

	switch (e->how) {
	case TLS_END_PLAIN:
		fmt(out, outlen, "plain text, no TLS: %s", flow_str(fl,
		    tls->reply_line));
		break;
	case TLS_END_SERVER_ALERT:
	case TLS_END_GATEWAY_ALERT:
		name = tls_alert_name(tls->alert[e->how ==
		    TLS_END_GATEWAY_ALERT ? 0 : 1]);
		fmt(out, outlen, "%s alert %u%s%s%s",
		    e->how == TLS_END_GATEWAY_ALERT ? "the gateway's" :
		    "the server's", tls->alert[e->how == TLS_END_GATEWAY_ALERT ?
		    0 : 1], *name ? " (" : "", name, *name ? ")" : "");
		break;
	case TLS_END_ABORTED:
		copy(out, outlen, "the gateway's encrypted alert before its "
		    "Finished");
		break;
	case TLS_END_GATEWAY_CLOSED:
		copy(out, outlen, "the gateway closed it without sending the "
		    "request");
		break;
	case TLS_END_UNANSWERED:
		copy(out, outlen, "no answer to the ClientHello; the gateway "
		    "closed it");
		break;
	default:
		copy(out, outlen, "the server closed it without an alert");
		break;
	}
}

/*
 * A connection the gateway opened with a TLS ClientHello: the hello
 * (the name asked, the version agreed) and, when the handshake failed,
 * the frame that shows how (handshake.c).
 */
static void
walk_tls(struct walk *w, const struct conn *c, uint32_t ci)
{
	const struct conn_tls *tls = conn_tls(w->fl, c);
	struct evidence_row *r;
	struct tls_end_at e;
	bool server;

	/* a tunnel's TLS is its client's, relayed: no handshake of the
	 * gateway's to show */
	if (tls == NULL || !saw(w, &tls->hello) ||
	    w->fl->msgs[w->t->req].form == HTTP_FORM_AUTHORITY)
		return;
	r = row_start(w, EK_TLS_HELLO, &tls->hello, EC_GATEWAY, EC_UPSTREAM);
	r->ref = ci;
	r->listed = true;
	if (w->mode != MODE_FRAMES) {
		copy(r->name, sizeof r->name, flow_str(w->fl, tls->sni));
		copy(r->text, sizeof r->text, tls_version_name(tls->version));
	}
	label(w, "TLS ClientHello");
	if (*flow_str(w->fl, tls->sni))
		detail(w, "Server name (SNI): %s\n", flow_str(w->fl, tls->sni));
	endpoints(w, &c->caddr, c->cport, &c->saddr, c->sport);
	row_end(w);
	if (saw(w, &tls->data)) {
		r = row_start(w, EK_TLS_REQUEST, &tls->data, EC_GATEWAY,
		    EC_UPSTREAM);
		r->ref = ci;
		r->listed = true;
		label(w, "TLS request (encrypted)");
		endpoints(w, &c->caddr, c->cport, &c->saddr, c->sport);
		row_end(w);
	}
	if (!diag_tls_txn_end(w->fl, w->t, c, w->now, &e))
		return;
	server = e.how == TLS_END_PLAIN || e.how == TLS_END_SERVER_ALERT ||
	    e.how == TLS_END_SERVER_CLOSED;
	r = row_start(w, EK_TLS_END, &e.at, server ? EC_UPSTREAM : EC_GATEWAY,
	    server ? EC_GATEWAY : EC_UPSTREAM);
	r->ref = ci;
	r->listed = r->bad = true;
	if (e.how == TLS_END_SERVER_ALERT || e.how == TLS_END_GATEWAY_ALERT) {
		r->type = tls->alert[e.how == TLS_END_GATEWAY_ALERT ? 0 : 1];
		r->code = 1;
	}
	if (w->mode != MODE_FRAMES) {
		copy(r->kind_name, sizeof r->kind_name,
		    diag_tls_end_key((enum tls_end)e.how));
		tls_end_text(tls, &e, r->text, sizeof r->text, w->fl);
	}
	if (r->code)
		label(w, "TLS alert %u %s", r->type, tls_alert_name(r->type));
	else
		label(w, "TLS %s", e.how == TLS_END_PLAIN ? "answered in plain "
		    "text" : e.how == TLS_END_ABORTED ? "encrypted alert" :
		    e.how == TLS_END_GATEWAY_CLOSED ? "closed, no request" :
		    e.how == TLS_END_UNANSWERED ? "no answer" : "closed");
	detail(w, "%s\n", r->text);
	if (server)
		endpoints(w, &c->saddr, c->sport, &c->caddr, c->cport);
	else
		endpoints(w, &c->caddr, c->cport, &c->saddr, c->sport);
	row_end(w);
}

/* The transaction's request on connection ci: the one that carried it,
 * its (last) try there, else the connection's first (a retry's). */
static uint32_t
conn_request(const struct walk *w, const struct conn *c, uint32_t ci)
{
	const struct diagnosis *d = &w->t->d;
	uint32_t req = c->first_msg[0];

	if (d->up_req != NONE32 && w->fl->msgs[d->up_req].conn == ci)
		return d->up_req;
	for (unsigned k = 0; k < d->ntries; k++)
		if (w->fl->msgs[d->tries[k]].conn == ci)
			req = d->tries[k];
	return req;
}

/*
 * Did the upstream close with the transaction's request unanswered? Its
 * reply there tells, not any byte of the connection: a pooled
 * connection's earlier replies are other requests' (and a model rebuilt
 * from the transaction's frames has not read them). A close before the
 * request (the keep-alive race) left no request to answer.
 */
static bool
closed_unanswered(const struct walk *w, const struct conn *c, uint32_t ci)
{
	uint32_t req = conn_request(w, c, ci), resp;

	if (c->synack.number == 0)
		return false;
	if (req == NONE32)
		return !c->bytes[1] && !c->data[1].number;
	if (c->fin[1].number < w->fl->msgs[req].start.number)
		return false;
	resp = w->fl->msgs[req].pair;
	return resp == NONE32 || !saw(w, &w->fl->msgs[resp].start);
}

static void
walk_fins(struct walk *w, const struct conn *c, uint32_t ci)
{
	const struct diagnosis *d = &w->t->d;
	bool gw = saw(w, &c->fin[0]), up = saw(w, &c->fin[1]);
	bool gw_first = gw && (!up || c->fin[0].number < c->fin[1].number);
	struct evidence_row *r;

	/* in frame order: who closed first is the story (bug 3) */
	for (int pass = 0; pass < 2; pass++) {
		if (gw && (pass == 0) == gw_first) {
			r = row_start(w, EK_FIN_GATEWAY, &c->fin[0],
			    EC_GATEWAY, EC_UPSTREAM);
			r->ref = ci;
			if (shows(w, EVIDENCE_PANE))
				copy(r->text, sizeof r->text, !up ? "the "
				    "gateway closed the connection" : gw_first ?
				    "the gateway closed the connection first" :
				    "the gateway closed its side after");
			label(w, "FIN");
			endpoints(w, &c->caddr, c->cport, &c->saddr, c->sport);
			row_end(w);
		}
		if (up && (pass == 0) != gw_first) {
			r = row_start(w, EK_FIN_UPSTREAM, &c->fin[1],
			    EC_UPSTREAM, EC_GATEWAY);
			r->ref = ci;
			r->listed = true;
			r->bad = d->cause == C_UPSTREAM_CLOSED && !gw_first;
			if (shows(w, EVIDENCE_PANE))
				copy(r->text, sizeof r->text, gw_first ?
				    "upstream closed after the gateway" :
				    closed_unanswered(w, c, ci) ? "upstream "
				    "closed without a reply" : "upstream "
				    "closed the connection");
			label(w, "FIN");
			endpoints(w, &c->saddr, c->sport, &c->caddr, c->cport);
			row_end(w);
		}
	}
}

/* An upstream request and its reply (NONE32: none came, a bad row). */
static void
walk_exchange(struct walk *w, uint32_t req, uint32_t resp)
{
	const struct flow *fl = w->fl;
	const struct diagnosis *d = &w->t->d;
	const struct http_msg *m = &fl->msgs[req];
	struct evidence_row *r;
	struct flow_line lb;
	enum refusal refusal;

	r = row_start(w, EK_UP_REQUEST, flow_msg_frame(m), EC_GATEWAY,
	    EC_UPSTREAM);
	r->ref = req;
	r->listed = true;
	if (w->mode != MODE_FRAMES)
		copy(r->text, sizeof r->text, flow_msg_line(fl, m, &lb));
	/* several servers tried: each request says where it went */
	if (d->ntries && w->mode != MODE_FRAMES)
		addr_port_fmt(&fl->conns[m->conn].saddr,
		    fl->conns[m->conn].sport, r->peer, sizeof r->peer);
	label(w, "%s %s", flow_str(fl, m->method),
	    flow_str(fl, m->target));
	detail(w, "Upstream request:\n%s\n", r->text);
	row_end(w);
	if (resp == NONE32) {
		r = row_start(w, EK_UP_REPLY, NULL, EC_UPSTREAM, EC_GATEWAY);
		r->bad = true;
		row_end(w);
		return;
	}
	m = &fl->msgs[resp];
	r = row_start(w, EK_UP_REPLY, &m->head, EC_UPSTREAM, EC_GATEWAY);
	r->ref = resp;
	r->listed = true;
	r->bad = !m->valid || m->bad_body || (resp == d->up_resp &&
	    (d->cause == C_UPSTREAM_5XX || d->cause == C_HTTP_INVALID));
	if (w->mode != MODE_FRAMES)
		copy(r->text, sizeof r->text, flow_msg_line(fl, m, &lb));
	refusal = m->valid ? diag_refusal(fl, m) : REFUSAL_NONE;
	if (refusal == REFUSAL_BAD_BODY && shows(w, EVIDENCE_PANE))
		fmt(r->name, sizeof r->name, "not valid HTTP: a chunk "
		    "without a size");
	else if (refusal == REFUSAL_BAD_STATUS && shows(w, EVIDENCE_PANE))
		fmt(r->name, sizeof r->name, "not valid HTTP: a status "
		    "outside 100-599");
	else if (refusal == REFUSAL_CODING && r->bad &&
	    d->cause == C_HTTP_INVALID && shows(w, EVIDENCE_PANE))
		fmt(r->name, sizeof r->name, "Transfer-Encoding: %s: a coding "
		    "the gateway refused", flow_str(fl, m->error_line));
	else if (m->valid && r->bad && d->cause == C_HTTP_INVALID &&
	    shows(w, EVIDENCE_PANE))
		fmt(r->name, sizeof r->name, m->too_long ?
		    "a head of over %u bytes: more than the gateway reads" :
		    "a %u-byte head: more than the gateway reads",
		    (unsigned)m->head_len);
	else if (!m->valid && shows(w, EVIDENCE_PANE))
		fmt(r->name, sizeof r->name, *flow_str(fl, m->error_line) ?
		    "not valid HTTP: %s: \"%s\"" : "not valid HTTP: %s%s",
		    flow_str(fl, m->error), flow_str(fl, m->error_line));
	label(w, "%s", *r->text ? r->text :
	    "(empty first line)");
	detail(w, "Upstream reply%s%s:\n%s\n", m->valid ? "" :
	    ", not valid HTTP: ", m->valid ? "" : flow_str(fl, m->error),
	    r->text);
	row_end(w);
}

/*
 * A connection of the chain before the last that connected: the gateway
 * sent the request on it, and again on the next one when its reply was
 * junk, a close or nothing (retries, link.c's retry_attempt; a reverse
 * proxy's earlier try, on a pooled connection too: the try's request).
 */
static void
walk_retried(struct walk *w, const struct conn *c, uint32_t ci)
{
	uint32_t req = conn_request(w, c, ci), resp;

	if (req == NONE32 || !saw(w, &w->fl->msgs[req].head))
		return;
	resp = w->fl->msgs[req].pair;
	if (resp != NONE32 && !saw(w, &w->fl->msgs[resp].head))
		resp = NONE32;
	walk_exchange(w, req, resp);
}

static void
walk_conn(struct walk *w, uint32_t ci, unsigned attempt,
    struct syn_series *ss, unsigned *si)
{
	const struct flow *fl = w->fl;
	const struct diagnosis *d = &w->t->d;
	const struct conn *c = &fl->conns[ci];
	const struct conn_icmp *e = conn_icmp(fl, c);
	bool synack = saw(w, &c->synack), icmp = saw(w, &e->first);
	bool rst = saw(w, &c->rst);
	const struct frame_ref *last_syn;
	struct evidence_row *r;
	unsigned nsyn, run;
	char ca[ADDR_STRLEN];

	r = row_start(w, EK_CONNECT, NULL, EC_GATEWAY, EC_UPSTREAM);
	r->ref = ci;
	r->seq = attempt;
	if (shows(w, EVIDENCE_PANE)) {
		addr_port_fmt(&c->saddr, c->sport, r->peer, sizeof r->peer);
		fmt(r->text, sizeof r->text, "%s from %s port %u", r->peer,
		    addr_fmt(&c->caddr, ca, sizeof ca), c->cport);
	}
	row_end(w);
	/* each connection counts its SYNs from 1: a new socket's first SYN
	 * is no retransmission, whether to the host's next address or to
	 * the same one again, and a backoff factor across two means nothing */
	run = *si;
	for (; *si < ss->n && ss->conn[*si] == ci; (*si)++) {
		const struct frame_ref *f = &ss->syn[*si];

		r = row_start(w, EK_SYN, f, EC_GATEWAY, EC_UPSTREAM);
		r->ref = ci;
		r->seq = *si - run + 1;
		r->listed = true;
		r->bad = !synack && d->cause == C_SYN_UNANSWERED &&
		    f->number != conn_syn(c, 0)->number;
		if (w->mode != MODE_FRAMES)
			addr_port_fmt(&c->saddr, c->sport, r->peer,
			    sizeof r->peer);
		r->offset_ns = f->ts_ns - ss->syn[0].ts_ns;
		if (shows(w, EVIDENCE_PANE))
			evidence_fmt_secs(r->offset_ns, r->offset,
			    sizeof r->offset);
		label(w, "%s", f->number == conn_syn(c, 0)->number ? "SYN" :
		    "SYN retransmission");
		endpoints(w, &c->caddr, c->cport, &c->saddr, c->sport);
		/* interval_ns: since the series' previous SYN, whatever its
		 * address (JSON's intervals_ms); shown only within one */
		if (*si > 0)
			r->interval_ns = f->ts_ns - ss->syn[*si - 1].ts_ns;
		if (r->seq > 1) {
			r->prev_interval_ns = r->seq > 2 ?
			    ss->syn[*si - 1].ts_ns - ss->syn[*si - 2].ts_ns : 0;
			if (shows(w, EVIDENCE_PANE)) {
				evidence_fmt_secs(r->interval_ns, r->interval,
				    sizeof r->interval);
				evidence_fmt_factor(r, r->factor,
				    sizeof r->factor);
			}
			detail(w, "Attempt %u, %s after the previous SYN%s%s\n",
			    r->seq, r->interval, *r->factor ? ", x" : "",
			    r->factor);
		}
		row_end(w);
	}
	if (synack) {
		r = row_start(w, EK_SYNACK, &c->synack, EC_UPSTREAM,
		    EC_GATEWAY);
		r->ref = ci;
		r->listed = true;
		if (shows(w, EVIDENCE_PANE))
			copy(r->text, sizeof r->text, "connected");
		reply_delay(w, c, &c->synack);
		label(w, "SYN/ACK");
		endpoints(w, &c->saddr, c->sport, &c->caddr, c->cport);
		row_end(w);
	}
	walk_tls(w, c, ci);
	if (rst) {
		bool server = c->rst_from_server;

		r = row_start(w, server ? EK_RST : EK_RST_GATEWAY, &c->rst,
		    server ? EC_UPSTREAM : EC_GATEWAY,
		    server ? EC_GATEWAY : EC_UPSTREAM);
		r->ref = ci;
		r->listed = r->bad = server;
		if (w->mode != MODE_FRAMES)
			addr_fmt(server ? &c->saddr : &c->caddr, r->peer,
			    sizeof r->peer);
		/* after a handshake the server resets, it refuses no more */
		if (shows(w, EVIDENCE_PANE))
			fmt(r->text, sizeof r->text, "%s%s", !server ?
		    "sent by the gateway" : c->synack.number ? "from the "
		    "server: connection reset" : "from the server: connection "
		    "refused", c->synack.number ? "" : " (no SYN/ACK)");
		reply_delay(w, c, &c->rst);
		label(w, "RST");
		if (server)
			endpoints(w, &c->saddr, c->sport, &c->caddr, c->cport);
		else
			endpoints(w, &c->caddr, c->cport, &c->saddr, c->sport);
		row_end(w);
	}
	if (icmp) {
		walk_icmp(w, c, ci, &e->first);
		/* a retried SYN draws an ICMP error of its own (bug 2) */
		if (e->last.number != e->first.number)
			walk_icmp(w, c, ci, &e->last);
	}
	nsyn = diag_syns_seen(fl, w->t, c, w->now, &last_syn);
	if (!synack && !icmp && !(rst && c->rst_from_server) && nsyn) {
		r = row_start(w, EK_NO_REPLY, NULL, EC_UPSTREAM, EC_GATEWAY);
		r->ref = ci;
		r->bad = true;
		if (shows(w, EVIDENCE_PANE))
			fmt(r->text, sizeof r->text, "no answer to %u SYN%s%s",
			    nsyn, nsyn == 1 ? "" : "s", nsyn > c->nsyn ?
			    " (only the first 16 listed)" : "");
		row_end(w);
	}
	if (synack && ci != d->up_conn && (attempt < d->nconns || d->ntries))
		walk_retried(w, c, ci);
	/* the connection that carried the request closes after its reply */
	if (ci != w->t->d.up_conn || w->t->d.up_req == NONE32)
		walk_fins(w, c, ci);
}

/*
 * Walks the evidence of t, writing its rows into ev (or only the listed
 * frames into frames); 0 or -1 (memory).
 */
static int
evidence_walk(const struct flow *fl, const struct txn *t, int64_t now_ns,
    int mode, struct evidence *ev, struct frame_list *frames)
{
	const struct diagnosis *d = &t->d;
	/* on the stack (6 KB, not zeroed: row_start and diag_syn_series
	 * write what is read): a report walks every transaction */
	struct walk walk, *w = &walk;
	struct syn_series series, *ss = &series;
	unsigned si = 0;

	w->fl = fl;
	w->t = t;
	w->now = now_ns;
	w->t0 = fl->msgs[t->req].head.ts_ns;
	w->ev = ev;
	w->frames = frames;
	w->mode = mode;
	w->failed = 0;
	w->r = &w->scratch;
	walk_client(w);
	walk_dns(w);
	diag_syn_series(fl, t, now_ns, ss);
	/* up_conn, when set, is the last of them (link_request_line) but
	 * after a reverse proxy's tries: in the order they began */
	for (unsigned k = 0; k < d->nconns; k++)
		walk_conn(w, d->conns[k], k + 1, ss, &si);
	if (d->up_req != NONE32)
		walk_exchange(w, d->up_req, d->up_resp);
	if (d->up_conn != NONE32 && d->up_req != NONE32)
		walk_fins(w, &fl->conns[d->up_conn], d->up_conn);
	return w->failed ? -1 : 0;
}

/* ---- the list -------------------------------------------------------- */

static void
set_col(struct evidence *ev, enum evidence_col col, const struct gw_addr *a)
{
	if (ev->addr[col].family == 0 && a->family != 0)
		ev->addr[col] = *a;
}

int
evidence_build(struct evidence *ev, const struct diag *dg,
    const struct flow *fl, const struct txn *t, int64_t now_ns,
    enum evidence_mode mode)
{
	const struct conn *cc = &fl->conns[t->conn];

	ev->n = 0;
	memset(ev->addr, 0, sizeof ev->addr);
	memset(ev->first, 0, sizeof ev->first);
	diag_summary(dg, fl, t, ev->summary, sizeof ev->summary);
	ev->remedy = txn_remedy(fl, t);
	if (evidence_walk(fl, t, now_ns, (int)mode, ev, NULL) != 0)
		return -1;
	/* the gateway as its clients see it: every connection has it */
	set_col(ev, EC_CLIENT, &cc->caddr);
	set_col(ev, EC_GATEWAY, &cc->saddr);
	for (size_t i = 0; i < ev->n; i++) {
		const struct evidence_row *r = &ev->rows[i];

		if (r->kind == EK_DNS_QUERY)
			set_col(ev, EC_DNS, &fl->dns[r->ref].server);
		else if (r->kind == EK_CONNECT)
			set_col(ev, EC_UPSTREAM, &fl->conns[r->ref].saddr);
	}
	return 0;
}

void
evidence_free(struct evidence *ev)
{
	free(ev->rows);
	memset(ev, 0, sizeof *ev);
}

const struct evidence_row *
evidence_find(const struct evidence *ev, enum evidence_kind kind, size_t k)
{
	if ((unsigned)kind >= EK_COUNT || ev->first[kind] == 0)
		return NULL;
	for (size_t i = ev->first[kind] - 1; i < ev->n; i++)
		if (ev->rows[i].kind == kind && k-- == 0)
			return &ev->rows[i];
	return NULL;
}

const struct evidence_row *
evidence_find_last(const struct evidence *ev, enum evidence_kind kind)
{
	if ((unsigned)kind >= EK_COUNT || ev->first[kind] == 0)
		return NULL;
	for (size_t i = ev->n; i-- > ev->first[kind] - 1;)
		if (ev->rows[i].kind == kind)
			return &ev->rows[i];
	return NULL;
}

/*
 * Sorts out[0..n) and drops repeats, in place. By insertion: a
 * transaction lists a few frames, nearly in order already, where qsort's
 * set-up costs more than the sort (it ran for every request of a report).
 */
static size_t
sort_unique(uint64_t *out, size_t n)
{
	size_t u = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t x = out[i];
		size_t k = u;

		while (k > 0 && out[k - 1] > x)
			k--;
		if (k > 0 && out[k - 1] == x)
			continue;
		for (size_t j = u; j > k; j--)	/* a few places: no call */
			out[j] = out[j - 1];
		out[k] = x;
		u++;
	}
	return u;
}

size_t
evidence_frames(const struct evidence *ev, uint64_t *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ev->n && n < max; i++)
		if (ev->rows[i].listed && ev->rows[i].frame)
			out[n++] = ev->rows[i].frame;
	return sort_unique(out, n);
}

size_t
diag_evidence_frames(const struct flow *fl, const struct txn *t,
    int64_t now_ns, uint64_t *out, size_t max)
{
	struct frame_list l = { out, 0, max };

	if (evidence_walk(fl, t, now_ns, MODE_FRAMES, NULL, &l) != 0)
		return 0;
	return sort_unique(out, l.n);
}
