/*
 * txn.c: client transactions from the HTTP messages of connections to the
 * proxy (requests and answers pair in order per connection), and the
 * indexes that let each one find its upstream evidence quickly.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../proto/http.h"
#include "diag.h"
#include "diag_int.h"

#define MAX_TXNS (16u << 20)

void
diag_init(struct diag *dg, const struct diag_opts *opts)
{
	memset(dg, 0, sizeof *dg);
	dg->opts = *opts;
}

void
diag_free(struct diag *dg)
{
	diag_keep_cancel(dg);
	free(dg->txns);
	free(dg->conn_head);
	free(dg->conn_tail);
	key_free(&dg->by_name);
	key_free(&dg->by_dst);
	key_free(&dg->by_host);
	key_free(&dg->by_req);
	key_free(&dg->by_answer);
	key_free(&dg->by_fetch);
	key_free(&dg->by_gone);
	diag_backend_free(dg);
	diag_probe_free(dg);
	free(dg->gone);
	free(dg->dns_claimed);
	free(dg->conn_claimed);
	free(dg->msg_claimed);
	free(dg->pass.over);
	memset(dg, 0, sizeof *dg);
}

uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)tolower((unsigned char)*s)) * 16777619u;
	return h;
}

/*
 * Host and path together: an upstream request is found by what it asks
 * for (same_resource compares the same path), so many requests for one
 * host cost no walk over each other's. Absolute URLs count by their path.
 * The host comes hashed (name_hash): a transaction has it already.
 */
uint32_t
resource_hash(uint32_t host_hash, const char *target)
{
	uint32_t h = host_hash;

	for (target = http_url_path(target); *target; target++)
		h = (h ^ (uint8_t)*target) * 16777619u;
	return h;
}

uint32_t
dst_hash(const struct gw_addr *a, uint16_t port)
{
	return (addr_hash(a) ^ port) * 2654435761u;
}

/* Host and port of a request (the host is also m->authority). */
void
request_host(const struct flow *fl, const struct http_msg *m, char *host,
    size_t hostlen, uint16_t *port)
{
	http_request_host(m->form, flow_str(fl, m->target),
	    flow_str(fl, m->host), host, hostlen, port);
}

bool
host_literal(const char *host, struct gw_addr *out)
{
	for (const char *s = host; *s; s++) {
		unsigned c = (unsigned char)*s;

		if (!(c - '0' < 10u || (c | 0x20) - 'a' < 6u || c == ':' ||
		    c == '.')) {
			memset(out, 0, sizeof *out);
			return false;
		}
	}
	return addr_parse(host, out);
}

/* Out of memory, what is left unindexed is taken by the next call (a run
 * waits for it: link.c's indexed). */
static void
index_new(struct diag *dg, const struct flow *fl)
{
	for (; dg->by_name.seen < fl->ndns; dg->by_name.seen++) {
		uint32_t i = (uint32_t)dg->by_name.seen;

		if (key_add(&dg->by_name, name_hash(flow_str(fl,
		    fl->dns[i].qname)), i, fl->dns[i].query.ts_ns) != 0)
			return;
	}
	for (; dg->by_dst.seen < fl->nconns; dg->by_dst.seen++) {
		uint32_t i = (uint32_t)dg->by_dst.seen;

		if (key_add(&dg->by_dst, dst_hash(&fl->conns[i].saddr,
		    fl->conns[i].sport), i, fl->conns[i].first.ts_ns) != 0)
			return;
		diag_probe_note(dg, fl, i);
	}
}

bool
is_error_status(const struct diag *dg, uint16_t status)
{
	if (status == 0)
		return true;
	for (size_t i = 0; i < dg->opts.nstatuses; i++)
		if (dg->opts.statuses[i] == status)
			return true;
	return false;
}

/* url, host and port of a client request, as DESIGN §3 defines them. */
static void
txn_target(struct flow *fl, struct txn *t, const struct http_msg *m)
{
	const char *target = flow_str(fl, m->target);
	char own[HTTP_HOST_MAX];
	char url[HTTP_TARGET_MAX + HTTP_HOST_MAX + 8];
	uint16_t port = m->port;
	int n;

	/* the flow worked out the host once (m->authority); none there while
	 * the request names one is a string the full pool refused */
	if (m->authority != 0) {
		t->host = m->authority;
		t->host_hash = name_hash(flow_str(fl, m->authority));
	} else {
		request_host(fl, m, own, sizeof own, &port);
		t->host_hash = name_hash(own);
		t->host = strpool_add(&fl->strings, own, strlen(own));
	}
	if (m->form == HTTP_FORM_ORIGIN || m->form == HTTP_FORM_ASTERISK) {
		n = snprintf(url, sizeof url, "http://%s%s",
		    flow_str(fl, m->host), target);
		if (n < 0)
			n = 0;
		t->url = strpool_add(&fl->strings, url,
		    (size_t)n < sizeof url ? (size_t)n : sizeof url - 1);
	} else {
		t->url = m->target;
	}
	if (port == 0)
		port = m->form == HTTP_FORM_AUTHORITY ? 443 : 80;
	t->resource_hash = resource_hash(t->host_hash, flow_str(fl, t->url));
	t->port = port;
}

/* Transactions by host, for rival claims on the same evidence. */
static void
index_request(struct diag *dg, const struct flow *fl, uint32_t ti)
{
	const struct txn *t = &dg->txns[ti];

	key_add(&dg->by_req, t->host_hash, ti,
	    fl->msgs[t->req].start.ts_ns);
}

/*
 * Pairs t with the request for the same host and port that came just
 * before it, when they are closer than DIAG_AMBIG_NS: evidence linked by
 * time could be either's. Set once, so retiring one changes nothing.
 */
static void
pair_rival(struct diag *dg, const struct flow *fl, struct txn *t)
{
	const char *host = flow_str(fl, t->host);
	int64_t req = fl->msgs[t->req].start.ts_ns;
	const struct key_list *l = key_find(&dg->by_req, t->host_hash);

	for (size_t p = l ? key_lower(l, add_sat(req, -DIAG_AMBIG_NS)) : 0;
	    l && p < l->n && l->ts[p] <= req; p++) {
		struct txn *u = &dg->txns[l->items[p]];

		if (u == t || u->port != t->port ||
		    strcasecmp(flow_str(fl, u->host), host) != 0)
			continue;
		t->rival = u->id;
		if (u->rival == 0)
			u->rival = t->id;
		return;
	}
}

/* Per-connection queues of transactions, grown with NONE32 fill. */
static int
conn_queue_reserve(struct diag *dg, size_t n)
{
	size_t ncap;
	uint32_t *h, *t;

	if (n <= dg->conn_cap)
		return 0;
	ncap = dg->conn_cap ? dg->conn_cap : 1024;
	while (ncap < n)
		ncap *= 2;
	h = realloc(dg->conn_head, ncap * sizeof *h);
	if (h == NULL)
		return -1;
	dg->conn_head = h;
	t = realloc(dg->conn_tail, ncap * sizeof *t);
	if (t == NULL)
		return -1;
	dg->conn_tail = t;
	for (size_t i = dg->conn_cap; i < ncap; i++)
		h[i] = t[i] = NONE32;
	dg->conn_cap = ncap;
	return 0;
}

static void
new_txn(struct diag *dg, struct flow *fl, uint32_t mi)
{
	const struct http_msg *m = &fl->msgs[mi];
	struct txn *t;
	uint32_t ti;

	if (dg->ntxns >= MAX_TXNS ||
	    vec_reserve((void **)&dg->txns, &dg->txns_cap, dg->ntxns + 1,
	    sizeof *dg->txns, MAX_TXNS) != 0 ||
	    conn_queue_reserve(dg, (size_t)m->conn + 1) != 0) {
		dg->txns_dropped++;
		return;
	}
	ti = (uint32_t)dg->ntxns++;
	t = &dg->txns[ti];
	memset(t, 0, sizeof *t);
	t->id = (uint32_t)(ti + 1 + dg->retired.txns);	/* ids outlive retiring */
	t->conn = m->conn;
	t->req = mi;
	t->resp = NONE32;
	t->next_on_conn = NONE32;
	t->is_error = true;
	t->d.up_req = t->d.up_resp = t->d.up_conn = NONE32;
	t->d.verdict = V_PENDING;
	t->give_up_ns = add_sat(m->start.ts_ns, add_sat(dg->opts.timeout_ns,
	    DIAG_SLACK_NS));
	txn_target(fl, t, m);
	pair_rival(dg, fl, t);
	index_request(dg, fl, ti);
	if (dg->conn_tail[m->conn] != NONE32)
		dg->txns[dg->conn_tail[m->conn]].next_on_conn = ti;
	if (dg->conn_head[m->conn] == NONE32)
		dg->conn_head[m->conn] = ti;
	dg->conn_tail[m->conn] = ti;
}

/* The gateway's answer goes to the oldest unanswered request. */
static void
answer_txn(struct diag *dg, const struct flow *fl, uint32_t mi)
{
	const struct http_msg *m = &fl->msgs[mi];
	uint32_t ti;
	struct txn *t;

	if (m->conn >= dg->conn_cap || (ti = dg->conn_head[m->conn]) ==
	    NONE32)
		return;
	t = &dg->txns[ti];
	t->resp = mi;
	t->status = m->valid ? m->status : 0;
	t->is_error = is_error_status(dg, t->status);
	dg->conn_head[m->conn] = t->next_on_conn;
	/* the errors a cache may answer from one fetch (link.c
	 * fetch_partners); out of memory: unindexed, each on its own */
	if (t->is_error)
		(void)key_add(&dg->by_answer, t->resource_hash, ti,
		    m->head.ts_ns);
}

/* 0, or -1 out of memory (not indexed). */
static int
index_upstream_request(struct diag *dg, const struct flow *fl, uint32_t mi)
{
	const char *host = flow_str(fl, fl->msgs[mi].authority);

	if (host[0] == '\0')
		return 0;
	return key_add(&dg->by_host, resource_hash(name_hash(host),
	    flow_str(fl, fl->msgs[mi].target)), mi, fl->msgs[mi].head.ts_ns);
}

void
diag_update(struct diag *dg, struct flow *fl)
{
	dg->pass.on = false;	/* what was fed is for a new run */
	diag_keep_cancel(dg);
	for (; dg->msgs_seen < fl->nmsgs; dg->msgs_seen++) {
		uint32_t mi = (uint32_t)dg->msgs_seen;
		const struct http_msg *m = &fl->msgs[mi];
		const struct conn *c = &fl->conns[m->conn];

		if (c->role != CONN_CLIENT) {
			if (m->dir == 0 && m->valid &&
			    index_upstream_request(dg, fl, mi) != 0)
				break;	/* out of memory: the next call */
			continue;
		}
		if (m->dir == 0 && m->valid)
			new_txn(dg, fl, mi);
		else if (m->dir == 0)
			dg->bad_requests++;
		else if (m->dir == 1)
			answer_txn(dg, fl, mi);
	}
	index_new(dg, fl);
}
