/*
 * link.c: finds the upstream evidence of each client transaction (DESIGN
 * §2) — the gateway's DNS look-up of the host, its connection attempts to
 * the answers, the upstream request and reply — and sets the verdict.
 * Concurrent requests for one host each take the nearest unclaimed
 * evidence; evidence that has to be reused is marked shared.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../proto/http.h"
#include "diag.h"
#include "diag_int.h"

#define MAX_CANDIDATE_ADDRS 16

struct window {
	int64_t from, to;
	const struct gw_addr *client;	/* the requesting client */
	bool claim;			/* settled: take the evidence */
};

static bool
in_window(const struct window *w, int64_t ts)
{
	return ts >= w->from && ts <= w->to;
}

static int
claims_reserve(uint8_t **flags, size_t *cap, size_t n)
{
	size_t old = *cap;

	if (n <= old)
		return 0;
	if (vec_reserve((void **)flags, cap, n, 1, SIZE_MAX) != 0)
		return -1;
	memset(*flags + old, 0, *cap - old);
	return 0;
}

/* Traffic of the requesting client itself is never upstream evidence. */
static bool
from_gateway(const struct diag *dg, const struct gw_addr *a,
    const struct window *w)
{
	if (dg->opts.gateway.family)
		return addr_eq(a, &dg->opts.gateway);
	return !addr_eq(a, w->client);
}

/* The DNS look-up: queries for host from one resolver socket. */
static void
link_dns(struct diag *dg, const struct flow *fl, struct txn *t,
    const struct window *w)
{
	const char *host = flow_str(fl, t->host);
	uint32_t first = NONE32, shared = NONE32;
	const struct dns_query *q0;

	for (uint32_t i = chain_first(&dg->by_name, name_hash(host));
	    i != NONE32; i = chain_next(&dg->by_name, i)) {
		const struct dns_query *q = &fl->dns[i];

		if (q->query.ts_ns < w->from)
			break;	/* newest first: the rest is older */
		if (!in_window(w, q->query.ts_ns) ||
		    !from_gateway(dg, &q->client, w) ||
		    strcasecmp(flow_str(fl, q->qname), host) != 0)
			continue;
		if (!dg->dns_claimed[i])
			first = i;	/* keeps the earliest unclaimed */
		else if (shared == NONE32)
			shared = i;	/* the latest claimed */
	}
	if (first == NONE32) {
		if (shared == NONE32)
			return;
		first = shared;
		t->d.shared = true;
	}
	q0 = &fl->dns[first];
	/* the look-up: that query and what the same socket asked after it */
	for (size_t i = first; i < fl->ndns && t->d.ndns < DIAG_MAX_DNS;
	    i++) {
		const struct dns_query *q = &fl->dns[i];

		if (q->query.ts_ns > w->to)
			break;
		if (q->cport != q0->cport || !addr_eq(&q->client, &q0->client) ||
		    strcasecmp(flow_str(fl, q->qname), host) != 0)
			continue;
		if (dg->dns_claimed[i] && !t->d.shared)
			continue;
		t->d.dns[t->d.ndns++] = (uint32_t)i;
		dg->dns_claimed[i] |= w->claim;
	}
}

/* Appends the A/AAAA addresses of q's answer to out[n..max); new n. */
static size_t
answer_addrs(const struct flow *fl, const struct dns_query *q,
    struct gw_addr *out, size_t n, size_t max)
{
	for (unsigned j = 0; j < q->nanswers && n < max; j++) {
		const struct dns_answer *a = &fl->dns_answers[q->first_answer + j];

		if (a->addr.family)
			out[n++] = a->addr;
	}
	return n;
}

/* Addresses the host resolved to (following CNAMEs), or its literal IP. */
static size_t
candidate_addrs(const struct flow *fl, const struct txn *t,
    struct gw_addr *out, size_t max)
{
	size_t n = 0;

	if (addr_parse(flow_str(fl, t->host), &out[0]))
		return 1;
	for (unsigned k = 0; k < t->d.ndns; k++)
		n = answer_addrs(fl, &fl->dns[t->d.dns[k]], out, n, max);
	return n;
}

static int64_t
conn_end_ts(const struct conn *c)
{
	return c->last.ts_ns;
}

/*
 * Connection attempts to the candidates: the earliest unclaimed one in the
 * window, then the ones the gateway started after it had failed (its
 * retries), not those running at the same time (other clients').
 */
static void
link_conns(struct diag *dg, const struct flow *fl, struct txn *t,
    const struct window *w, const struct gw_addr *addrs, size_t naddrs)
{
	uint32_t found[64];
	size_t nfound = 0;
	int64_t busy_until = INT64_MIN;
	bool any_unclaimed = false;

	for (size_t a = 0; a < naddrs; a++) {
		for (uint32_t i = chain_first(&dg->by_dst,
		    dst_hash(&addrs[a], t->port)); i != NONE32;
		    i = chain_next(&dg->by_dst, i)) {
			const struct conn *c = &fl->conns[i];

			if (c->first.ts_ns < w->from)
				break;
			if (c->sport != t->port || !addr_eq(&c->saddr,
			    &addrs[a]) || c->role == CONN_CLIENT ||
			    !in_window(w, c->first.ts_ns) ||
			    !from_gateway(dg, &c->caddr, w))
				continue;
			if (nfound < sizeof found / sizeof found[0])
				found[nfound++] = i;
			if (!dg->conn_claimed[i])
				any_unclaimed = true;
		}
	}
	/* oldest first: conns are numbered in the order they started */
	for (size_t i = 1; i < nfound; i++)
		for (size_t j = i; j > 0 && found[j - 1] > found[j]; j--) {
			uint32_t tmp = found[j];

			found[j] = found[j - 1];
			found[j - 1] = tmp;
		}
	if (!any_unclaimed && nfound) {
		/* all taken: share the latest one */
		t->d.shared = true;
		t->d.conns[t->d.nconns++] = found[nfound - 1];
		return;
	}
	for (size_t i = 0; i < nfound && t->d.nconns < DIAG_MAX_CONNS; i++) {
		const struct conn *c = &fl->conns[found[i]];

		if (dg->conn_claimed[found[i]] || c->first.ts_ns < busy_until)
			continue;
		t->d.conns[t->d.nconns++] = found[i];
		dg->conn_claimed[found[i]] |= w->claim;
		busy_until = conn_end_ts(c);
		if (c->synack.number != 0)
			break;	/* connected: no further attempt needed */
	}
}

/* The k-th response on a connection answers its k-th request. */
static uint32_t
response_to(const struct flow *fl, uint32_t req)
{
	return fl->msgs[req].pair;
}

/* Does the upstream request ask for what the client asked for? */
static bool
same_resource(const struct flow *fl, const struct txn *t,
    const struct http_msg *up)
{
	const char *url = flow_str(fl, t->url);
	const char *target = flow_str(fl, up->target);
	const char *path;
	size_t ul = strlen(url), tl = strlen(target);

	if (strcmp(url, target) == 0)
		return true;
	/* origin form upstream: compare with the URL's path */
	path = strstr(url, "://");
	path = path ? strchr(path + 3, '/') : NULL;
	if (path != NULL)
		return strcmp(path, target) == 0;
	return ul == 0 || tl == 0;
}

/* The upstream request (and reply) that relayed this transaction. */
static void
link_upstream(struct diag *dg, const struct flow *fl, struct txn *t,
    const struct window *w)
{
	const char *host = flow_str(fl, t->host);
	char mhost[HTTP_HOST_MAX];
	uint16_t mport;
	uint32_t best = NONE32;

	for (uint32_t i = chain_first(&dg->by_host, name_hash(host));
	    i != NONE32; i = chain_next(&dg->by_host, i)) {
		const struct http_msg *m = &fl->msgs[i];
		const struct conn *c = &fl->conns[m->conn];

		if (m->head.ts_ns < w->from)
			break;
		if (!in_window(w, m->head.ts_ns) || dg->msg_claimed[i] ||
		    c->sport != t->port || !from_gateway(dg, &c->caddr, w) ||
		    !same_resource(fl, t, m))
			continue;
		/* the index's buckets mix hosts: compare the host itself */
		request_host(fl, m, mhost, sizeof mhost, &mport);
		if (strcasecmp(mhost, host) != 0)
			continue;
		best = i;	/* newest first: ends on the earliest */
	}
	if (best == NONE32)
		return;
	dg->msg_claimed[best] |= w->claim;
	t->d.up_req = best;
	t->d.up_conn = fl->msgs[best].conn;
	t->d.up_resp = response_to(fl, best);
	if (t->d.up_resp != NONE32 &&
	    fl->msgs[t->d.up_resp].head.ts_ns > add_sat(w->to, DIAG_SLACK_NS))
		t->d.up_resp = NONE32;	/* came after the gateway gave up */
	/* the connection that carried it is an attempt too */
	for (unsigned k = 0; k < t->d.nconns; k++)
		if (t->d.conns[k] == t->d.up_conn)
			return;
	if (t->d.nconns < DIAG_MAX_CONNS) {
		t->d.conns[t->d.nconns++] = t->d.up_conn;
		dg->conn_claimed[t->d.up_conn] |= w->claim;
	}
}

/*
 * Everything an open transaction may still link to, whatever claims
 * others make meanwhile: its host's look-ups in its window, connections
 * to any address they gave, and upstream requests for the host.
 */
void
diag_mark_window(const struct diag *dg, const struct flow *fl,
    const struct txn *t, uint8_t *conn, uint8_t *msg, uint8_t *dns)
{
	const char *host = flow_str(fl, t->host);
	int64_t from = add_sat(fl->msgs[t->req].start.ts_ns, -DIAG_SLACK_NS);
	struct gw_addr addrs[MAX_CANDIDATE_ADDRS];
	size_t naddrs = addr_parse(host, &addrs[0]) ? 1 : 0;

	for (uint32_t i = chain_first(&dg->by_name, name_hash(host));
	    i != NONE32 && fl->dns[i].query.ts_ns >= from;
	    i = chain_next(&dg->by_name, i)) {
		const struct dns_query *q = &fl->dns[i];

		if (strcasecmp(flow_str(fl, q->qname), host) != 0)
			continue;
		dns[i] = 1;
		naddrs = answer_addrs(fl, q, addrs, naddrs,
		    MAX_CANDIDATE_ADDRS);
	}
	for (size_t a = 0; a < naddrs; a++)
		for (uint32_t i = chain_first(&dg->by_dst,
		    dst_hash(&addrs[a], t->port)); i != NONE32 &&
		    fl->conns[i].first.ts_ns >= from;
		    i = chain_next(&dg->by_dst, i))
			conn[i] = 1;
	for (uint32_t i = chain_first(&dg->by_host, name_hash(host));
	    i != NONE32 && fl->msgs[i].head.ts_ns >= from;
	    i = chain_next(&dg->by_host, i)) {
		msg[i] = 1;
		conn[fl->msgs[i].conn] = 1;
	}
}

static void
set(struct txn *t, enum verdict v, enum cause c)
{
	t->d.verdict = (uint8_t)v;
	t->d.cause = (uint8_t)c;
}

/*
 * Did the upstream close (FIN or RST) before the gateway gave up, and
 * before the gateway closed its side (which a server's FIN only answers)?
 */
static bool
server_closed_first(const struct conn *c, const struct window *w)
{
	const struct frame_ref *close = c->fin[1].number ? &c->fin[1] :
	    (c->rst.number && c->rst_from_server) ? &c->rst : NULL;

	if (close == NULL || c->bytes[1] != 0 || close->ts_ns > w->to)
		return false;
	return c->fin[0].number == 0 || close->number < c->fin[0].number;
}

static void
verdict_upstream(const struct flow *fl, struct txn *t,
    const struct window *w)
{
	const struct conn *uc = &fl->conns[t->d.up_conn];

	if (t->d.up_resp != NONE32) {
		const struct http_msg *r = &fl->msgs[t->d.up_resp];

		if (!r->valid)
			set(t, V_BAD_RESPONSE, C_HTTP_INVALID);
		else if (r->status == 502 || r->status == 503 ||
		    r->status == 504)
			set(t, V_RELAYED, C_UPSTREAM_5XX);
		else
			set(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
		return;
	}
	if (server_closed_first(uc, w))
		set(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	else
		set(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
}

/* The outcome of the last attempt decides between the connect causes. */
static bool
verdict_connect(const struct flow *fl, struct txn *t, const struct window *w)
{
	const struct conn *last;

	if (t->d.nconns == 0)
		return false;
	last = &fl->conns[t->d.conns[t->d.nconns - 1]];
	if (last->synack.number != 0) {
		/* connected, but no request of this client's was seen on it */
		if (last->bytes[1] != 0)
			return false;
		if (server_closed_first(last, w))
			set(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
		else
			set(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
		return true;
	}
	if (last->icmp.number != 0)
		set(t, V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
	else if (last->rst.number != 0 && last->rst_from_server)
		set(t, V_CANNOT_CONNECT, C_TCP_RST);
	else
		set(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	return true;
}

static bool
verdict_dns(const struct flow *fl, struct txn *t)
{
	bool answered = false, any_addr = false;
	int bad_rcode = 0;

	if (t->d.ndns == 0)
		return false;
	for (unsigned k = 0; k < t->d.ndns; k++) {
		const struct dns_query *q = &fl->dns[t->d.dns[k]];

		if (q->rcode < 0)
			continue;
		answered = true;
		if (q->rcode == 3)
			bad_rcode = 3;
		else if (q->rcode != 0 && bad_rcode == 0)
			bad_rcode = q->rcode;
		for (unsigned j = 0; j < q->nanswers; j++)
			if (fl->dns_answers[q->first_answer + j].addr.family)
				any_addr = true;
	}
	if (any_addr)
		return false;	/* resolved: DNS is not the cause */
	if (!answered)
		set(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	else if (bad_rcode == 3)
		set(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	else
		set(t, V_HOST_NOT_RESOLVABLE, C_DNS_ERROR);
	return true;
}

static void
diagnose(struct diag *dg, const struct flow *fl, struct txn *t, int64_t now,
    bool claim)
{
	const struct http_msg *req = &fl->msgs[t->req];
	struct gw_addr addrs[MAX_CANDIDATE_ADDRS];
	size_t naddrs;
	struct window w;

	memset(&t->d, 0, sizeof t->d);
	t->d.up_req = t->d.up_resp = t->d.up_conn = NONE32;
	w.client = &fl->conns[t->conn].caddr;
	w.claim = claim;
	w.from = add_sat(req->start.ts_ns, -DIAG_SLACK_NS);
	w.to = txn_end_ns(fl, t, now);
	link_dns(dg, fl, t, &w);
	naddrs = candidate_addrs(fl, t, addrs, MAX_CANDIDATE_ADDRS);
	link_conns(dg, fl, t, &w, addrs, naddrs);
	link_upstream(dg, fl, t, &w);
	if (t->status != 0 && !t->is_error)
		set(t, V_OK, C_NONE);
	else if (t->d.up_req != NONE32)
		verdict_upstream(fl, t, &w);
	else if (!verdict_connect(fl, t, &w) && !verdict_dns(fl, t))
		set(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	if (t->status == 0 && !claim && t->d.verdict == V_UNKNOWN)
		t->d.verdict = V_PENDING;	/* the story is not over */
}

void
diag_run(struct diag *dg, const struct flow *fl, bool final)
{
	int64_t now = fl->stats.last_ts;

	if (claims_reserve(&dg->dns_claimed, &dg->dns_claimed_cap,
	    fl->ndns + 1) != 0 ||
	    claims_reserve(&dg->conn_claimed, &dg->conn_claimed_cap,
	    fl->nconns + 1) != 0 ||
	    claims_reserve(&dg->msg_claimed, &dg->msg_claimed_cap,
	    fl->nmsgs + 1) != 0)
		return;
	for (size_t i = dg->first_unsettled; i < dg->ntxns; i++) {
		struct txn *t = &dg->txns[i];
		bool settle;

		if (t->settled)
			continue;
		/* an answer settles it once late evidence (skewed clocks of
		 * an -i any capture) has had the slack to arrive */
		settle = final || (t->resp != NONE32 && now > add_sat(
		    fl->msgs[t->resp].head.ts_ns, DIAG_SLACK_NS)) ||
		    now > add_sat(fl->msgs[t->req].start.ts_ns,
		    add_sat(dg->opts.timeout_ns, DIAG_SLACK_NS));
		/* an open request is looked at, but claims nothing yet */
		diagnose(dg, fl, t, now, settle);
		t->settled = settle;
	}
	while (dg->first_unsettled < dg->ntxns &&
	    dg->txns[dg->first_unsettled].settled)
		dg->first_unsettled++;
	memcpy(dg->counts, dg->retired.counts, sizeof dg->counts);
	dg->errors = dg->retired.errors;
	for (size_t i = 0; i < dg->ntxns; i++) {
		if (!dg->txns[i].is_error)
			continue;
		dg->counts[dg->txns[i].d.verdict]++;
		dg->errors++;
	}
}
