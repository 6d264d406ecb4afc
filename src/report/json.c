/*
 * json.c: --report=json, one object per line per transaction, with the
 * keys of DESIGN §3 (stable: scripts rely on them).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../alog/alog.h"
#include "../proto/dns.h"
#include "../proto/packet.h"
#include "../peer/peer.h"
#include "../util/escape.h"
#include "../diag/evidence.h"
#include "report.h"

static void
jstr(FILE *out, const char *key, const char *val)
{
	char buf[4 * 2048 + 64];

	esc_json(val, strlen(val), buf, sizeof buf);
	fprintf(out, "\"%s\":\"%s\"", key, buf);
}

static void
jaddr(FILE *out, const char *key, const struct gw_addr *a)
{
	char buf[ADDR_STRLEN];

	jstr(out, key, addr_fmt(a, buf, sizeof buf));
}

static void
jframe(FILE *out, const char *key, uint64_t frame)
{
	if (frame)
		fprintf(out, "\"%s\":%" PRIu64, key, frame);
	else
		fprintf(out, "\"%s\":null", key);
}

static void
jms(FILE *out, int64_t ns)
{
	fprintf(out, "%.3f", (double)ns / 1e6);
}

static void
json_dns(FILE *out, const struct flow *fl, const struct txn *t,
    const struct evidence *ev)
{
	const struct evidence_row *r;

	fputs(",\"dns\":[", out);
	for (size_t k = 0; (r = evidence_find(ev, EK_DNS_QUERY, k)); k++) {
		const struct dns_query *q = &fl->dns[r->ref];

		fprintf(out, "%s{", k ? "," : "");
		jframe(out, "frame", r->frame);
		fputc(',', out);
		jstr(out, "name", r->name);
		fputc(',', out);
		jstr(out, "type", r->kind_name);
		fputc(',', out);
		jstr(out, "server", r->peer);
		if (r->reply_frame) {
			fputc(',', out);
			jstr(out, "rcode", r->text);
			fputs(",\"rtt_ms\":", out);
			jms(out, r->delay_ns);
		} else {
			fputs(",\"rcode\":null,\"rtt_ms\":null", out);
		}
		fputc(',', out);
		jframe(out, "response_frame", r->reply_frame);
		fputc(',', out);
		jstr(out, "link", link_key(t->d.dns_link));
		fputs(",\"answers\":[", out);
		/* every answer (the rows name the first four) */
		for (unsigned j = 0; r->reply_frame && j < q->nanswers; j++) {
			const struct dns_answer *a =
			    &fl->dns_answers[q->first_answer + j];
			char buf[ADDR_STRLEN + 8 + DNS_NAME_MAX];
			char esc[4 * sizeof buf];

			if (a->addr.family)
				addr_fmt(&a->addr, buf, sizeof buf);
			else
				snprintf(buf, sizeof buf, "CNAME %s",
				    flow_str(fl, a->target));
			esc_json(buf, strlen(buf), esc, sizeof esc);
			fprintf(out, "%s\"%s\"", j ? "," : "", esc);
		}
		fputs("]}", out);
	}
	fputc(']', out);
}

/* The row of kind that the attempt ci shows, or NULL. */
static const struct evidence_row *
conn_row(const struct evidence *ev, enum evidence_kind kind, uint32_t ci)
{
	const struct evidence_row *r;

	for (size_t k = 0; (r = evidence_find(ev, kind, k)); k++)
		if (r->ref == ci)
			return r;
	return NULL;
}

static void
json_connect(FILE *out, const struct flow *fl, const struct txn *t,
    const struct evidence *ev)
{
	uint32_t ci = t->d.conns[t->d.nconns - 1];
	const struct conn *c = &fl->conns[ci];
	const struct evidence_row *synack = conn_row(ev, EK_SYNACK, ci);
	const struct evidence_row *rst = conn_row(ev, EK_RST, ci);
	const struct evidence_row *icmp = conn_row(ev, EK_ICMP, ci);
	const struct evidence_row *r;
	unsigned i;

	fputs(",\"connect\":{", out);
	jaddr(out, "server", &c->saddr);
	fprintf(out, ",\"port\":%u,", c->sport);
	jstr(out, "outcome", synack ? "connected" : icmp ? "icmp-unreachable" :
	    rst ? "tcp-rst" : "syn-unanswered");
	fputc(',', out);
	jstr(out, "link", link_key(t->d.conn_link));
	fprintf(out, ",\"attempts\":%u,\"syn_frames\":[", t->d.nconns);
	for (i = 0; (r = evidence_find(ev, EK_SYN, i)); i++)
		fprintf(out, "%s%" PRIu64, i ? "," : "", r->frame);
	fputs("],\"syn_times_ms\":[", out);
	for (i = 0; (r = evidence_find(ev, EK_SYN, i)); i++) {
		fputs(i ? "," : "", out);
		jms(out, r->offset_ns);
	}
	fputs("],\"intervals_ms\":[", out);
	for (i = 1; (r = evidence_find(ev, EK_SYN, i)); i++) {
		fputs(i > 1 ? "," : "", out);
		jms(out, r->interval_ns);
	}
	fputc(']', out);
	if (synack) {
		fputc(',', out);
		jframe(out, "synack_frame", synack->frame);
	}
	if (rst) {
		fputc(',', out);
		jframe(out, "rst_frame", rst->frame);
	}
	if (icmp) {
		fprintf(out, ",\"icmp\":{\"frame\":%" PRIu64 ",\"type\":%u,"
		    "\"code\":%u,", icmp->frame, icmp->type, icmp->code);
		jstr(out, "name", icmp->text);
		fputc(',', out);
		jstr(out, "from", icmp->peer);
		fputc('}', out);
	}
	fputc('}', out);
}

static void
json_upstream(FILE *out, const struct flow *fl, const struct evidence *ev)
{
	const struct evidence_row *up = evidence_find(ev, EK_UP_REQUEST, 0);
	const struct evidence_row *reply = evidence_find(ev, EK_UP_REPLY, 0);

	fputs(",\"upstream\":{", out);
	jframe(out, "request_frame", up->frame);
	fputc(',', out);
	jstr(out, "request_line", up->text);
	fputc(',', out);
	if (reply && reply->frame) {
		const struct http_msg *m = &fl->msgs[reply->ref];

		jframe(out, "response_frame", reply->frame);
		fputc(',', out);
		jstr(out, "first_line", reply->text);
		fprintf(out, ",\"valid\":%s", m->valid ? "true" : "false");
		if (m->valid)
			fprintf(out, ",\"status\":%u", m->status);
	} else {
		fputs("\"response_frame\":null,\"first_line\":null", out);
	}
	fputc('}', out);
}

void
report_json_txn(FILE *out, const struct engine *e, const struct txn *t,
    const struct evidence *ev)
{
	const struct flow *fl = &e->flow;
	const struct conn *cc = &fl->conns[t->conn];
	const struct http_msg *req = &fl->msgs[t->req];
	const struct evidence_row *request = evidence_find(ev, EK_REQUEST, 0);
	const struct evidence_row *answer = evidence_find(ev, EK_ANSWER, 0);
	uint64_t frames[512];
	size_t nev;
	char when[40];

	fprintf(out, "{\"id\":%u,", t->id);
	jaddr(out, "client", &cc->caddr);
	fprintf(out, ",\"client_port\":%u,", cc->cport);
	jaddr(out, "gateway", &cc->saddr);
	fprintf(out, ",\"gateway_port\":%u,", cc->sport);
	jstr(out, "method", flow_str(fl, req->method));
	fputc(',', out);
	jstr(out, "url", flow_str(fl, t->url));
	fputc(',', out);
	jstr(out, "host", flow_str(fl, t->host));
	fprintf(out, ",\"port\":%u,", t->port);
	if (t->status)
		fprintf(out, "\"status\":%u,", t->status);
	else
		fputs("\"status\":null,", out);
	jframe(out, "request_frame", request->frame);
	fputc(',', out);
	jframe(out, "response_frame", answer->frame);
	report_iso_time(req->head.ts_ns, when, sizeof when);
	fputc(',', out);
	jstr(out, "request_time", when);
	fputs(",\"elapsed_ms\":", out);
	jms(out, answer->delay_ns);
	fputc(',', out);
	jstr(out, "verdict", verdict_key(t->d.verdict));
	fputc(',', out);
	jstr(out, "cause", cause_key(t->d.cause));
	fputc(',', out);
	jstr(out, "summary", ev->summary);
	fputc(',', out);
	jstr(out, "remedy", cause_remedy(t->d.cause));
	fprintf(out, ",\"shared\":%s,", t->d.shared ? "true" : "false");
	if (t->d.masked)
		fputs("\"masked\":true,", out);
	if (t->d.ambiguous)
		fprintf(out, "\"ambiguous\":true,\"rivals\":[%u],",
		    t->rival);
	fputs("\"evidence_frames\":[", out);
	nev = evidence_frames(ev, frames, sizeof frames / sizeof frames[0]);
	for (size_t i = 0; i < nev; i++)
		fprintf(out, "%s%" PRIu64, i ? "," : "", frames[i]);
	fputc(']', out);
	if (t->d.ndns)
		json_dns(out, fl, t, ev);
	if (t->d.nconns)
		json_connect(out, fl, t, ev);
	if (t->d.up_req != NONE32)
		json_upstream(out, fl, ev);
	peer_report_json(out, e, t);
	alog_json_txn(out, e->alog, t->id);	/* --access-log: "log" */
	fputs("}\n", out);
}
