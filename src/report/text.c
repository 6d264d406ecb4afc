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
#include "report.h"

static const char *
safe(const char *s, char *buf, size_t len)
{
	esc_term_str(s, buf, len, true);
	return buf;
}

static void
text_dns(FILE *out, const struct flow *fl, const struct txn *t)
{
	char srv[ADDR_STRLEN];

	for (unsigned k = 0; k < t->d.ndns; k++) {
		const struct dns_query *q = &fl->dns[t->d.dns[k]];

		/* names are printable already: dns.c escapes as \DDD */
		fprintf(out, "    DNS   #%-7" PRIu64 " %-4s %s → %s: ",
		    q->query.number, dns_type_name(q->qtype),
		    flow_str(fl, q->qname), addr_fmt(&q->server, srv,
		    sizeof srv));
		if (q->rcode < 0 || !txn_saw(fl, t, &q->answer,
		    fl->stats.last_ts)) {
			fputs("no answer\n", out);
			continue;
		}
		fprintf(out, "%s in %.1f ms (#%" PRIu64 ")",
		    dns_rcode_name((unsigned)q->rcode),
		    (double)(q->answer.ts_ns - q->query.ts_ns) / 1e6,
		    q->answer.number);
		for (unsigned j = 0; j < q->nanswers && j < 4; j++) {
			const struct dns_answer *a =
			    &fl->dns_answers[q->first_answer + j];

			if (a->addr.family)
				fprintf(out, " %s", addr_fmt(&a->addr, srv,
				    sizeof srv));
			else
				fprintf(out, " CNAME %s", flow_str(fl,
				    a->target));
		}
		fputc('\n', out);
	}
	if (t->d.dns_link == LINK_CACHE && t->d.ndns) {
		const struct dns_query *q = &fl->dns[t->d.dns[0]];

		fprintf(out, "          from the gateway's DNS cache: answered "
		    "at frame %" PRIu64 ", %.1f s before the request (TTL "
		    "%" PRIu32 ")\n", q->answer.number,
		    (double)(fl->msgs[t->req].start.ts_ns - q->answer.ts_ns) /
		    1e9, diag_cache_ttl(fl, q));
	}
}

static void
text_connect(FILE *out, const struct flow *fl, const struct txn *t)
{
	struct syn_series ss;
	char dst[ADDR_STRLEN];
	int64_t now = fl->stats.last_ts;

	diag_syn_series(fl, t, &ss);
	for (unsigned i = 0; i < ss.n; i++) {
		const struct conn *c = &fl->conns[ss.conn[i]];
		int64_t off = ss.syn[i].ts_ns - ss.syn[0].ts_ns;

		fprintf(out, "    SYN   #%-7" PRIu64 " → %s:%u  +%.3f s",
		    ss.syn[i].number, addr_fmt(&c->saddr, dst, sizeof dst),
		    c->sport, (double)off / 1e9);
		if (i > 0) {
			int64_t gap = ss.syn[i].ts_ns - ss.syn[i - 1].ts_ns;

			fprintf(out, "  (+%.3f s", (double)gap / 1e9);
			if (i > 1) {
				int64_t prev = ss.syn[i - 1].ts_ns -
				    ss.syn[i - 2].ts_ns;

				if (prev > 0)
					fprintf(out, ", ×%.1f",
					    (double)gap / (double)prev);
			}
			fputc(')', out);
		}
		fputc('\n', out);
	}
	for (unsigned k = 0; k < t->d.nconns; k++) {
		const struct conn *c = &fl->conns[t->d.conns[k]];

		if (txn_saw(fl, t, &c->synack, now))
			fprintf(out, "    SYN/ACK #%-5" PRIu64 " connected\n",
			    c->synack.number);
		if (c->rst_from_server && txn_saw(fl, t, &c->rst, now))
			fprintf(out, "    RST   #%-7" PRIu64 " from %s\n",
			    c->rst.number, addr_fmt(&c->saddr, dst,
			    sizeof dst));
		if (txn_saw(fl, t, &c->icmp, now))
			fprintf(out, "    ICMP  #%-7" PRIu64 " from %s: %s "
			    "(type %u code %u)\n", c->icmp.number,
			    addr_fmt(&c->icmp_from, dst, sizeof dst),
			    icmp_unreach_name(c->icmp_ver, c->icmp_type,
			    c->icmp_code), c->icmp_type, c->icmp_code);
	}
}

static void
text_upstream(FILE *out, const struct flow *fl, const struct txn *t)
{
	char line[1024];

	fprintf(out, "    UP    #%-7" PRIu64 " %s\n",
	    flow_msg_frame(&fl->msgs[t->d.up_req])->number,
	    safe(flow_str(fl, fl->msgs[t->d.up_req].first_line), line,
	    sizeof line));
	if (t->d.up_resp != NONE32)
		fprintf(out, "    REPLY #%-7" PRIu64 " %s\n",
		    fl->msgs[t->d.up_resp].head.number,
		    safe(flow_str(fl, fl->msgs[t->d.up_resp].first_line),
		    line, sizeof line));
	else
		fputs("    REPLY (none)\n", out);
}

void
report_text_txn(FILE *out, const struct engine *e, const struct txn *t)
{
	const struct flow *fl = &e->flow;
	const struct conn *cc = &fl->conns[t->conn];
	const struct http_msg *req = &fl->msgs[t->req];
	char cli[ADDR_STRLEN], gw[ADDR_STRLEN], when[40], status[16];
	char url[4 * 2048], why[512], whysafe[1024];
	struct frame_ref first, last;

	if (t->status)
		snprintf(status, sizeof status, "%u", t->status);
	else
		snprintf(status, sizeof status, "no answer");
	fprintf(out, "#%-4u %s (%s)  %s after %.3f s\n", t->id,
	    verdict_label(t->d.verdict), cause_key(t->d.cause), status,
	    (double)txn_elapsed_ns(fl, t, fl->stats.last_ts) / 1e9);
	safe(flow_str(fl, t->url), url, sizeof url);
	fprintf(out, "    %s:%u → %s:%u  %s %s\n",
	    addr_fmt(&cc->caddr, cli, sizeof cli), cc->cport,
	    addr_fmt(&cc->saddr, gw, sizeof gw), cc->sport,
	    safe(flow_str(fl, req->method), why, sizeof why), url);
	report_iso_time(req->head.ts_ns, when, sizeof when);
	txn_frame_range(fl, t, &first, &last);
	fprintf(out, "    at %s, frames %" PRIu64 "–%" PRIu64 "%s\n", when,
	    first.number, last.number, t->d.shared ?
	    " (evidence shared with another request)" : "");
	if (t->d.ambiguous)
		fprintf(out, "    Ambiguous: request %u came within a "
		    "millisecond for the same host and has an equal claim on "
		    "this evidence\n", t->rival);
	diag_summary(&e->diag, fl, t, why, sizeof why);
	fprintf(out, "    Why:  %s\n", safe(why, whysafe, sizeof whysafe));
	text_dns(out, fl, t);
	if (t->d.nconns)
		text_connect(out, fl, t);
	if (t->d.up_req != NONE32)
		text_upstream(out, fl, t);
	peer_report_text(out, e, t);
	if (t->d.cause != C_NONE)
		fprintf(out, "    Fix:  %s\n", cause_remedy(t->d.cause));
	alog_text_txn(out, e->alog, t->id);	/* --access-log: "Log:" */
	fputc('\n', out);
}
