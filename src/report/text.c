/*
 * text.c: --report=text, what an admin reads over SSH: one block per
 * gateway error, verdict first, then the evidence and the fix. Every
 * captured string goes through esc_term.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../alog/alog.h"
#include "../proto/dns.h"
#include "../peer/peer.h"
#include "../proto/packet.h"
#include "../util/escape.h"
#include "../diag/evidence.h"
#include "report.h"

static const char *
safe(const char *s, char *buf, size_t len)
{
	esc_term_str(s, buf, len, true);
	return buf;
}

static void
text_dns(FILE *out, const struct flow *fl, const struct evidence_row *r)
{
	char rtt[EVIDENCE_NUM_MAX], answers[EVIDENCE_TEXT_MAX];

	/* names are printable already: dns.c escapes as \DDD */
	fprintf(out, "    DNS   #%-7" PRIu64 " %-4s %s → %s: ", r->frame,
	    r->kind_name, r->name, r->peer);
	if (r->reply_frame == 0)
		fputs("no answer\n", out);
	else
		fprintf(out, "%s in %s (#%" PRIu64 ")%s\n", r->text,
		    evidence_fmt_delay(r, rtt, sizeof rtt), r->reply_frame,
		    evidence_fmt_answers(fl, r, answers, sizeof answers));
}

static void
text_syn(FILE *out, const struct evidence_row *r)
{
	char num[EVIDENCE_NUM_MAX];

	fprintf(out, "    SYN   #%-7" PRIu64 " → %s  %s", r->frame, r->peer,
	    evidence_fmt_secs(r->offset_ns, num, sizeof num));
	if (r->seq > 1) {	/* not the first: the interval before it */
		fprintf(out, "  (%s", evidence_fmt_secs(r->interval_ns, num,
		    sizeof num));
		if (*evidence_fmt_factor(r, num, sizeof num))
			fprintf(out, ", ×%s", num);
		fputc(')', out);
	}
	fputc('\n', out);
}

/* What answered the SYNs, after all of them (as a series reads best). */
static void
text_reply(FILE *out, const struct evidence_row *r)
{
	char line[1024];

	switch (r->kind) {
	case EK_SYNACK:
		fprintf(out, "    SYN/ACK #%-5" PRIu64 " connected\n", r->frame);
		break;
	case EK_RST:
		fprintf(out, "    RST   #%-7" PRIu64 " from %s\n", r->frame,
		    r->peer);
		break;
	case EK_ICMP:
		fprintf(out, "    ICMP  #%-7" PRIu64 " from %s: %s (type %u "
		    "code %u)\n", r->frame, r->peer, r->text, r->type, r->code);
		break;
	case EK_TLS_HELLO:
		fprintf(out, "    TLS   #%-7" PRIu64 " ClientHello%s%s%s%s\n",
		    r->frame, *r->name ? " for " : "", r->name,
		    *r->text ? ", " : "", r->text);
		break;
	case EK_TLS_REQUEST:
		fprintf(out, "    TLS   #%-7" PRIu64 " the gateway's request, "
		    "encrypted\n", r->frame);
		break;
	case EK_TLS_END:
		fprintf(out, "    TLS   #%-7" PRIu64 " %s: %s\n", r->frame,
		    r->kind_name, safe(r->text, line, sizeof line));
		break;
	default:
		break;
	}
}

static void
text_upstream(FILE *out, const struct evidence_row *r)
{
	char line[1024];

	if (r->kind == EK_UP_REQUEST)
		fprintf(out, "    UP    #%-7" PRIu64 " %s%s%s%s\n", r->frame,
		    safe(r->text, line, sizeof line), *r->peer ? " (to " : "",
		    r->peer, *r->peer ? ")" : "");
	else if (r->frame)
		fprintf(out, "    REPLY #%-7" PRIu64 " %s\n", r->frame,
		    safe(r->text, line, sizeof line));
	else
		fputs("    REPLY (none)\n", out);
}

/* The evidence rows a person reads: DNS, SYNs, their answers, upstream. */
static void
text_rows(FILE *out, const struct flow *fl, const struct evidence *ev)
{
	char note[EVIDENCE_TEXT_MAX];

	for (size_t i = 0; i < ev->n; i++) {
		const struct evidence_row *r = &ev->rows[i];

		if (r->kind == EK_DNS_QUERY)
			text_dns(out, fl, r);
		else if (r->kind == EK_DNS_CACHE)
			fprintf(out, "          %s\n", evidence_fmt_cache(fl, r,
			    note, sizeof note));
	}
	for (size_t i = 0; i < ev->n; i++)
		if (ev->rows[i].kind == EK_SYN && ev->rows[i].listed)
			text_syn(out, &ev->rows[i]);
	for (size_t i = 0; i < ev->n; i++)
		if (ev->rows[i].listed)
			text_reply(out, &ev->rows[i]);
	for (size_t i = 0; i < ev->n; i++)
		if (ev->rows[i].kind == EK_UP_REQUEST ||
		    ev->rows[i].kind == EK_UP_REPLY)
			text_upstream(out, &ev->rows[i]);
}

void
report_text_txn(FILE *out, const struct engine *e, const struct txn *t,
    const struct evidence *ev)
{
	const struct flow *fl = &e->flow;
	const struct conn *cc = &fl->conns[t->conn];
	const struct http_msg *req = &fl->msgs[t->req];
	const struct evidence_row *answer = evidence_find(ev, EK_ANSWER, 0);
	char cli[ADDR_PORT_STRLEN], gw[ADDR_PORT_STRLEN], when[40];
	char url[4 * 2048], why[1024], status[16], took[EVIDENCE_NUM_MAX];
	struct frame_ref first, last;

	if (t->status)
		snprintf(status, sizeof status, "%u", t->status);
	else
		snprintf(status, sizeof status, "no answer");
	fprintf(out, "#%-4u %s (%s)  %s after %s\n", t->id,
	    txn_label(t), cause_key(t->d.cause), status,
	    answer ? evidence_fmt_delay(answer, took, sizeof took) : "?");
	safe(flow_str(fl, t->url), url, sizeof url);
	fprintf(out, "    %s → %s  %s %s\n",
	    addr_port_fmt(&cc->caddr, cc->cport, cli, sizeof cli),
	    addr_port_fmt(&cc->saddr, cc->sport, gw, sizeof gw),
	    safe(flow_str(fl, req->method), why, sizeof why), url);
	report_iso_time(req->head.ts_ns, when, sizeof when);
	txn_frame_range(fl, t, &first, &last);
	fprintf(out, "    at %s, frames %" PRIu64 "–%" PRIu64 "%s\n", when,
	    (uint64_t)first.number, (uint64_t)last.number, t->d.shared ?
	    " (evidence shared with another request)" : "");
	if (t->d.ambiguous)
		fprintf(out, "    Ambiguous: request %u came within a "
		    "millisecond for the same host and has an equal claim on "
		    "this evidence\n", t->rival);
	fprintf(out, "    Why:  %s\n", safe(ev->summary, why, sizeof why));
	text_rows(out, fl, ev);
	peer_report_text(out, e, t);
	if (t->d.cause != C_NONE)
		fprintf(out, "    Fix:  %s\n", ev->remedy);
	alog_text_txn(out, e->alog, t->id);	/* --access-log: "Log:" */
	fputc('\n', out);
}
