/*
 * ladder.c: builds the ladder-diagram rows of a transaction from the
 * model: the client's request and the gateway's answer, the linked DNS
 * queries and answers, every connection attempt (SYNs, SYN/ACK, RST,
 * quoted ICMP errors, FINs) and the upstream request and reply.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/dns.h"
#include "ladder.h"

struct lb {
	struct ladder *l;
	const struct flow *fl;
	const struct txn *t;
	int failed;
};

static const char *const col_names[LC_COUNT] = {
	"Client", "Gateway", "DNS", "Upstream"
};

const char *
ladder_col_name(enum ladder_col c)
{
	return (unsigned)c < LC_COUNT ? col_names[c] : "?";
}

static struct ladder_row *
row_add(struct lb *b, const struct frame_ref *f, int from, int to, bool bad)
{
	struct ladder *l = b->l;
	struct ladder_row *r;

	if (f->number == 0)
		return NULL;
	if (vec_reserve((void **)&l->rows, &l->cap, l->n + 1, sizeof *l->rows,
	    SIZE_MAX) < 0) {
		b->failed = 1;
		return NULL;
	}
	r = &l->rows[l->n++];
	memset(r, 0, sizeof *r);
	r->frame = f->number;
	r->ts_ns = f->ts_ns;
	r->from = (uint8_t)from;
	r->to = (uint8_t)to;
	r->bad = bad;
	return r;
}

static void
row_label(struct ladder_row *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
row_label(struct ladder_row *r, const char *fmt, ...)
{
	va_list ap;

	if (!r)
		return;
	va_start(ap, fmt);
	vsnprintf(r->label, sizeof r->label, fmt, ap);
	va_end(ap);
}

static void
row_detail(struct ladder_row *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
row_detail(struct ladder_row *r, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (!r)
		return;
	n = strlen(r->detail);
	if (n >= sizeof r->detail - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(r->detail + n, sizeof r->detail - n, fmt, ap);
	va_end(ap);
}

static void
row_endpoints(struct ladder_row *r, const struct gw_addr *a, uint16_t ap,
    const struct gw_addr *b, uint16_t bp)
{
	char x[ADDR_STRLEN], y[ADDR_STRLEN];

	addr_fmt(a, x, sizeof x);
	addr_fmt(b, y, sizeof y);
	if (ap || bp)
		row_detail(r, "%s%s%s:%u -> %s%s%s:%u\n",
		    a->family == 6 ? "[" : "", x, a->family == 6 ? "]" : "", ap,
		    b->family == 6 ? "[" : "", y, b->family == 6 ? "]" : "", bp);
	else
		row_detail(r, "%s -> %s\n", x, y);
}

static void
set_col(struct ladder *l, int col, const struct gw_addr *a)
{
	if (l->addr[col].family == 0 && a->family != 0)
		l->addr[col] = *a;
}

static void
add_client(struct lb *b)
{
	const struct flow *fl = b->fl;
	const struct txn *t = b->t;
	const struct conn *c = &fl->conns[t->conn];
	const struct http_msg *m = &fl->msgs[t->req];
	struct ladder_row *r;

	set_col(b->l, LC_CLIENT, &c->caddr);
	set_col(b->l, LC_GATEWAY, &c->saddr);
	r = row_add(b, &m->start, LC_CLIENT, LC_GATEWAY, false);
	row_label(r, "%s %s", flow_str(fl, m->method), flow_str(fl, t->url));
	row_endpoints(r, &c->caddr, c->cport, &c->saddr, c->sport);
	row_detail(r, "Client request (transaction %u):\n%s\n", t->id,
	    flow_str(fl, m->first_line));
	if (t->resp == NONE32)
		return;
	m = &fl->msgs[t->resp];
	r = row_add(b, &m->start, LC_GATEWAY, LC_CLIENT, t->is_error);
	row_label(r, "%s", m->valid ? flow_str(fl, m->first_line) :
	    "(invalid reply)");
	row_endpoints(r, &c->saddr, c->sport, &c->caddr, c->cport);
	row_detail(r, "Gateway's answer to the client:\n%s\n",
	    flow_str(fl, m->first_line));
}

static void
dns_answer_label(const struct flow *fl, const struct dns_query *q,
    struct ladder_row *r)
{
	const struct dns_answer *a;
	char ad[ADDR_STRLEN];
	uint16_t i;

	if (q->rcode > 0) {
		row_label(r, "%s", dns_rcode_name((unsigned)q->rcode));
		return;
	}
	for (i = 0; i < q->nanswers; i++) {
		a = &fl->dns_answers[q->first_answer + i];
		if (a->type == DNS_T_CNAME)
			row_detail(r, "%s CNAME %s\n", flow_str(fl, a->name),
			    flow_str(fl, a->target));
		else
			row_detail(r, "%s %s %s\n", flow_str(fl, a->name),
			    dns_type_name(a->type), addr_fmt(&a->addr, ad,
			    sizeof ad));
	}
	for (i = 0; i < q->nanswers; i++) {
		a = &fl->dns_answers[q->first_answer + i];
		if (a->type == DNS_T_A || a->type == DNS_T_AAAA) {
			row_label(r, "%s %s%s", dns_type_name(a->type),
			    addr_fmt(&a->addr, ad, sizeof ad),
			    q->nanswers > 1 ? " ..." : "");
			return;
		}
	}
	row_label(r, q->nanswers ? "CNAME %s" : "NOERROR (no answer)%s",
	    q->nanswers ? flow_str(fl, fl->dns_answers[q->first_answer].target)
	    : "");
}

static void
add_dns(struct lb *b)
{
	const struct flow *fl = b->fl;
	const struct diagnosis *d = &b->t->d;
	const struct dns_query *q;
	struct ladder_row *r;
	uint8_t k;

	for (k = 0; k < d->ndns; k++) {
		q = &fl->dns[d->dns[k]];
		set_col(b->l, LC_GATEWAY, &q->client);
		set_col(b->l, LC_DNS, &q->server);
		r = row_add(b, &q->query, LC_GATEWAY, LC_DNS,
		    q->rcode < 0 && d->cause == C_DNS_NO_RESPONSE);
		row_label(r, "DNS %s? %s%s", dns_type_name(q->qtype),
		    flow_str(fl, q->qname), q->rcode < 0 ? " (no answer)" : "");
		row_endpoints(r, &q->client, q->cport, &q->server, q->sport);
		row_detail(r, "DNS query id 0x%04x over %s\n", q->id,
		    q->over_tcp ? "TCP" : "UDP");
		if (q->rcode < 0)
			continue;
		r = row_add(b, &q->answer, LC_DNS, LC_GATEWAY,
		    q->rcode > 0 || (q->nanswers == 0 && d->cause == C_DNS_ERROR));
		row_endpoints(r, &q->server, q->sport, &q->client, q->cport);
		row_detail(r, "DNS answer id 0x%04x, RCODE %d %s, rtt %.3f ms\n",
		    q->id, q->rcode, dns_rcode_name((unsigned)q->rcode),
		    (double)(q->answer.ts_ns - q->query.ts_ns) / 1e6);
		dns_answer_label(fl, q, r);
	}
}

static void
add_syns(struct lb *b, const struct conn *c, bool failed)
{
	struct ladder_row *r;
	uint8_t k;

	for (k = 0; k < c->nsyn; k++) {
		r = row_add(b, &c->syns[k], LC_GATEWAY, LC_UPSTREAM,
		    failed && k > 0);
		row_label(r, k == 0 ? "SYN" : "SYN retransmission");
		row_endpoints(r, &c->caddr, c->cport, &c->saddr, c->sport);
		if (k > 0)
			row_detail(r, "Attempt %u, %.3f s after the previous "
			    "SYN\n", k + 1, (double)(c->syns[k].ts_ns -
			    c->syns[k - 1].ts_ns) / 1e9);
	}
}

static void
add_conn(struct lb *b, const struct conn *c)
{
	const struct diagnosis *d = &b->t->d;
	bool failed = c->synack.number == 0;
	struct ladder_row *r;
	char from[ADDR_STRLEN];

	set_col(b->l, LC_GATEWAY, &c->caddr);
	set_col(b->l, LC_UPSTREAM, &c->saddr);
	add_syns(b, c, failed && d->cause == C_SYN_UNANSWERED);
	r = row_add(b, &c->synack, LC_UPSTREAM, LC_GATEWAY, false);
	row_label(r, "SYN/ACK");
	row_endpoints(r, &c->saddr, c->sport, &c->caddr, c->cport);
	if (c->rst.number) {
		r = row_add(b, &c->rst, c->rst_from_server ? LC_UPSTREAM :
		    LC_GATEWAY, c->rst_from_server ? LC_GATEWAY : LC_UPSTREAM,
		    c->rst_from_server);
		row_label(r, "RST");
		if (c->rst_from_server)
			row_endpoints(r, &c->saddr, c->sport, &c->caddr,
			    c->cport);
		else
			row_endpoints(r, &c->caddr, c->cport, &c->saddr,
			    c->sport);
	}
	if (c->icmp.number) {
		r = row_add(b, &c->icmp, LC_UPSTREAM, LC_GATEWAY, true);
		row_label(r, "ICMP%s %u/%u", c->icmp_ver == 6 ? "v6" : "",
		    c->icmp_type, c->icmp_code);
		row_detail(r, "ICMP%s from %s: %s\n", c->icmp_ver == 6 ? "v6" :
		    "", addr_fmt(&c->icmp_from, from, sizeof from),
		    icmp_unreach_name(c->icmp_ver, c->icmp_type, c->icmp_code));
		row_detail(r, "quotes the SYN ");
		row_endpoints(r, &c->caddr, c->cport, &c->saddr, c->sport);
	}
	r = row_add(b, &c->fin[1], LC_UPSTREAM, LC_GATEWAY,
	    d->cause == C_UPSTREAM_CLOSED);
	row_label(r, "FIN");
	row_endpoints(r, &c->saddr, c->sport, &c->caddr, c->cport);
	r = row_add(b, &c->fin[0], LC_GATEWAY, LC_UPSTREAM, false);
	row_label(r, "FIN");
	row_endpoints(r, &c->caddr, c->cport, &c->saddr, c->sport);
}

static void
add_upstream_msgs(struct lb *b)
{
	const struct flow *fl = b->fl;
	const struct diagnosis *d = &b->t->d;
	const struct http_msg *m;
	struct ladder_row *r;

	if (d->up_req != NONE32) {
		m = &fl->msgs[d->up_req];
		r = row_add(b, &m->start, LC_GATEWAY, LC_UPSTREAM, false);
		row_label(r, "%s %s", flow_str(fl, m->method),
		    flow_str(fl, m->target));
		row_detail(r, "Upstream request:\n%s\n",
		    flow_str(fl, m->first_line));
	}
	if (d->up_resp != NONE32) {
		m = &fl->msgs[d->up_resp];
		r = row_add(b, &m->start, LC_UPSTREAM, LC_GATEWAY,
		    !m->valid || d->cause == C_UPSTREAM_5XX);
		row_label(r, "%s", *flow_str(fl, m->first_line) ?
		    flow_str(fl, m->first_line) : "(empty first line)");
		row_detail(r, "Upstream reply%s%s:\n%s\n",
		    m->valid ? "" : ", not valid HTTP: ",
		    m->valid ? "" : flow_str(fl, m->error),
		    flow_str(fl, m->first_line));
	}
}

/* Stable insertion sort by frame: rows were appended in groups. */
static void
rows_sort(struct ladder *l)
{
	struct ladder_row tmp;
	size_t i, j;

	for (i = 1; i < l->n; i++) {
		if (l->rows[i].frame >= l->rows[i - 1].frame)
			continue;
		tmp = l->rows[i];
		for (j = i; j > 0 && l->rows[j - 1].frame > tmp.frame; j--)
			l->rows[j] = l->rows[j - 1];
		l->rows[j] = tmp;
	}
}

int
ladder_build(struct ladder *l, const struct flow *fl, const struct diag *dg,
    const struct txn *t)
{
	struct lb b = { l, fl, t, 0 };
	const struct diagnosis *d = &t->d;
	uint8_t k;
	bool up_listed = false;

	(void)dg;
	l->n = 0;
	memset(l->addr, 0, sizeof l->addr);
	add_client(&b);
	add_dns(&b);
	for (k = 0; k < d->nconns; k++) {
		add_conn(&b, &fl->conns[d->conns[k]]);
		up_listed |= d->conns[k] == d->up_conn;
	}
	if (d->up_conn != NONE32 && !up_listed)
		add_conn(&b, &fl->conns[d->up_conn]);
	add_upstream_msgs(&b);
	rows_sort(l);
	return b.failed ? -1 : 0;
}

void
ladder_free(struct ladder *l)
{
	free(l->rows);
	memset(l, 0, sizeof *l);
}
