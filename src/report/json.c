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
json_dns(FILE *out, const struct flow *fl, const struct txn *t)
{
	fputs(",\"dns\":[", out);
	for (unsigned k = 0; k < t->d.ndns; k++) {
		const struct dns_query *q = &fl->dns[t->d.dns[k]];
		bool answered = q->rcode >= 0 && txn_saw(fl, t, &q->answer,
		    fl->stats.last_ts);

		fprintf(out, "%s{", k ? "," : "");
		jframe(out, "frame", q->query.number);
		fputc(',', out);
		jstr(out, "name", flow_str(fl, q->qname));
		fputc(',', out);
		jstr(out, "type", dns_type_name(q->qtype));
		fputc(',', out);
		jaddr(out, "server", &q->server);
		if (answered) {
			fputc(',', out);
			jstr(out, "rcode", dns_rcode_name((unsigned)q->rcode));
			fputs(",\"rtt_ms\":", out);
			jms(out, q->answer.ts_ns - q->query.ts_ns);
		} else {
			fputs(",\"rcode\":null,\"rtt_ms\":null", out);
		}
		fputc(',', out);
		jframe(out, "response_frame", answered ? q->answer.number : 0);
		fputc(',', out);
		jstr(out, "link", link_key(t->d.dns_link));
		fputs(",\"answers\":[", out);
		for (unsigned j = 0; answered && j < q->nanswers; j++) {
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

static const char *
connect_outcome(const struct flow *fl, const struct txn *t,
    const struct conn *c)
{
	int64_t now = fl->stats.last_ts;

	if (txn_saw(fl, t, &c->synack, now))
		return "connected";
	if (txn_saw(fl, t, &c->icmp, now))
		return "icmp-unreachable";
	if (c->rst_from_server && txn_saw(fl, t, &c->rst, now))
		return "tcp-rst";
	return "syn-unanswered";
}

static void
json_connect(FILE *out, const struct flow *fl, const struct txn *t)
{
	const struct conn *c = &fl->conns[t->d.conns[t->d.nconns - 1]];
	int64_t now = fl->stats.last_ts;
	struct syn_series ss;

	diag_syn_series(fl, t, &ss);
	fputs(",\"connect\":{", out);
	jaddr(out, "server", &c->saddr);
	fprintf(out, ",\"port\":%u,", c->sport);
	jstr(out, "outcome", connect_outcome(fl, t, c));
	fputc(',', out);
	jstr(out, "link", link_key(t->d.conn_link));
	fprintf(out, ",\"attempts\":%u,\"syn_frames\":[", t->d.nconns);
	for (unsigned i = 0; i < ss.n; i++)
		fprintf(out, "%s%" PRIu64, i ? "," : "", ss.syn[i].number);
	fputs("],\"syn_times_ms\":[", out);
	for (unsigned i = 0; i < ss.n; i++) {
		fputs(i ? "," : "", out);
		jms(out, ss.syn[i].ts_ns - ss.syn[0].ts_ns);
	}
	fputs("],\"intervals_ms\":[", out);
	for (unsigned i = 1; i < ss.n; i++) {
		fputs(i > 1 ? "," : "", out);
		jms(out, ss.syn[i].ts_ns - ss.syn[i - 1].ts_ns);
	}
	fputc(']', out);
	if (txn_saw(fl, t, &c->synack, now)) {
		fputc(',', out);
		jframe(out, "synack_frame", c->synack.number);
	}
	if (c->rst_from_server && txn_saw(fl, t, &c->rst, now)) {
		fputc(',', out);
		jframe(out, "rst_frame", c->rst.number);
	}
	if (txn_saw(fl, t, &c->icmp, now)) {
		fprintf(out, ",\"icmp\":{\"frame\":%" PRIu64 ",\"type\":%u,"
		    "\"code\":%u,", c->icmp.number, c->icmp_type, c->icmp_code);
		jstr(out, "name", icmp_unreach_name(c->icmp_ver, c->icmp_type,
		    c->icmp_code));
		fputc(',', out);
		jaddr(out, "from", &c->icmp_from);
		fputc('}', out);
	}
	fputc('}', out);
}

static void
json_upstream(FILE *out, const struct flow *fl, const struct txn *t)
{
	fputs(",\"upstream\":{", out);
	jframe(out, "request_frame",
	    flow_msg_frame(&fl->msgs[t->d.up_req])->number);
	fputc(',', out);
	jstr(out, "request_line", flow_str(fl, fl->msgs[t->d.up_req].first_line));
	fputc(',', out);
	if (t->d.up_resp != NONE32) {
		const struct http_msg *r = &fl->msgs[t->d.up_resp];

		jframe(out, "response_frame", r->head.number);
		fputc(',', out);
		jstr(out, "first_line", flow_str(fl, r->first_line));
		fprintf(out, ",\"valid\":%s", r->valid ? "true" : "false");
		if (r->valid)
			fprintf(out, ",\"status\":%u", r->status);
	} else {
		fputs("\"response_frame\":null,\"first_line\":null", out);
	}
	fputc('}', out);
}

void
report_json_txn(FILE *out, const struct engine *e, const struct txn *t)
{
	const struct flow *fl = &e->flow;
	const struct conn *cc = &fl->conns[t->conn];
	const struct http_msg *req = &fl->msgs[t->req];
	uint64_t ev[512];
	size_t nev;
	char buf[512], when[40];

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
	jframe(out, "request_frame", flow_msg_frame(req)->number);
	fputc(',', out);
	jframe(out, "response_frame", t->resp != NONE32 ?
	    flow_msg_frame(&fl->msgs[t->resp])->number : 0);
	report_iso_time(req->head.ts_ns, when, sizeof when);
	fputc(',', out);
	jstr(out, "request_time", when);
	fputs(",\"elapsed_ms\":", out);
	jms(out, txn_elapsed_ns(fl, t, fl->stats.last_ts));
	fputc(',', out);
	jstr(out, "verdict", verdict_key(t->d.verdict));
	fputc(',', out);
	jstr(out, "cause", cause_key(t->d.cause));
	diag_summary(&e->diag, fl, t, buf, sizeof buf);
	fputc(',', out);
	jstr(out, "summary", buf);
	fputc(',', out);
	jstr(out, "remedy", cause_remedy(t->d.cause));
	fprintf(out, ",\"shared\":%s,", t->d.shared ? "true" : "false");
	if (t->d.masked)
		fputs("\"masked\":true,", out);
	if (t->d.ambiguous)
		fprintf(out, "\"ambiguous\":true,\"rivals\":[%u],",
		    t->rival);
	fputs("\"evidence_frames\":[", out);
	nev = diag_evidence_frames(fl, t, fl->stats.last_ts, ev,
	    sizeof ev / sizeof ev[0]);
	for (size_t i = 0; i < nev; i++)
		fprintf(out, "%s%" PRIu64, i ? "," : "", ev[i]);
	fputc(']', out);
	if (t->d.ndns)
		json_dns(out, fl, t);
	if (t->d.nconns)
		json_connect(out, fl, t);
	if (t->d.up_req != NONE32)
		json_upstream(out, fl, t);
	peer_report_json(out, e, t);
	alog_json_txn(out, e->alog, t->id);	/* --access-log: "log" */
	fputs("}\n", out);
}
