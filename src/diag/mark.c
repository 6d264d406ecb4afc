/*
 * mark.c: what the transactions not settled yet may still link to, marked
 * so that retiring and evicting (retire.c) keep it: their host's look-ups
 * in their windows and the cached answer before them, connections to any
 * address those gave, and upstream requests for the resource.
 *
 * Each window reaches to the end of the per-key lists, so walking them
 * window by window is quadratic when many requests for one host are open
 * at once (issue 13: 40,000 took seconds, with keys waiting). Here each
 * list is walked once: windows of one host and port are taken earliest
 * first, the earliest one's look-ups give every address the later ones
 * could see, and a list already marked from some position on is marked
 * again only below it. The walk goes in steps (diag_mark_step), so that a
 * screen looks at its keys in between; the model must not change
 * meanwhile.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/vec.h"
#include "diag.h"
#include "diag_int.h"

/* Addresses a look-up's answer is compared with before it is collected. */
#define MARK_RECENT_ADDRS 16

struct open_window {
	uint32_t host_hash;
	uint16_t port;
	int64_t from;
	uint32_t txn;
};

struct mark_pass {
	const struct diag *dg;
	const struct flow *fl;
	uint8_t *conn, *msg, *dns;
	struct open_window *w;		/* sorted by host, port, time */
	size_t nw, next;		/* windows, the one marked next */
	/* per list of by_dst and by_host: 1 + the position from which it is
	 * marked to its end; 0: not at all */
	size_t *dst_done, *host_done;
	struct gw_addr *addrs;		/* the look-ups' answers, one host */
	size_t naddrs, addrs_cap;
	size_t *walked, walked_cap;	/* w[] whose look-ups were walked,
					 * in the current host and port */
	size_t nwalked;
};

static int
window_cmp(const void *a, const void *b)
{
	const struct open_window *x = a, *y = b;

	if (x->host_hash != y->host_hash)
		return x->host_hash < y->host_hash ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->txn < y->txn ? -1 : x->txn > y->txn;
}

static int
addr_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct gw_addr));
}

/* The part of l from `from` on that is not marked yet: [*lo, *hi), which
 * counts as marked from then on; false if none. */
static bool
unmarked(const struct key_index *ki, const struct key_list *l,
    size_t *done, int64_t from, size_t *lo, size_t *hi)
{
	size_t li = (size_t)(l - ki->lists);

	*lo = key_lower(l, from);
	*hi = done[li] ? done[li] - 1 : l->n;
	if (*lo >= *hi)
		return false;
	done[li] = *lo + 1;
	return true;
}

/* Connections to a:port from `from` on. */
static void
mark_dst(struct mark_pass *mp, const struct gw_addr *a, uint16_t port,
    int64_t from)
{
	const struct key_list *l = key_find(&mp->dg->by_dst, dst_hash(a, port));
	size_t lo, hi;

	if (l == NULL || !unmarked(&mp->dg->by_dst, l, mp->dst_done, from,
	    &lo, &hi))
		return;
	for (size_t p = lo; p < hi; p++)
		mp->conn[l->items[p]] = 1;
}

static void
mark_answer_dsts(struct mark_pass *mp, const struct dns_query *q,
    uint16_t port, int64_t from)
{
	const struct flow *fl = mp->fl;

	for (unsigned j = 0; j < q->nanswers; j++) {
		const struct dns_answer *a = &fl->dns_answers[q->first_answer + j];

		if (a->addr.family)
			mark_dst(mp, &a->addr, port, from);
	}
}

/* What only this transaction's own request time decides: the cached
 * answer and the look-up in flight when it came, its literal address,
 * and the upstream requests for its resource. */
static void
mark_own(struct mark_pass *mp, const struct txn *t, int64_t from)
{
	const struct diag *dg = mp->dg;
	const struct flow *fl = mp->fl;
	const char *host = flow_str(fl, t->host);
	const struct gw_addr *client = &fl->conns[t->conn].caddr;
	int64_t req = fl->msgs[t->req].start.ts_ns;
	uint32_t cached = diag_cached_answer(dg, fl, t, client, req, req);
	uint32_t inflight = diag_inflight_query(dg, fl, t, client, req, req);
	const struct key_list *l = key_find(&dg->by_name, t->host_hash);
	struct gw_addr literal;
	uint32_t caches[DIAG_SOCKETS + 1];
	size_t lo, hi, ncaches = diag_socket_caches(dg, fl, t, client, req,
	    cached, caches, DIAG_SOCKETS);

	if (host_literal(host, &literal))
		mark_dst(mp, &literal, t->port, from);
	if (cached != NONE32)
		caches[ncaches++] = cached;
	/* the newest answer, and the other caches' the gateway may have
	 * answered from (two proxies) */
	for (size_t k = 0; k < ncaches; k++) {
		mp->dns[caches[k]] = 1;
		mark_answer_dsts(mp, &fl->dns[caches[k]], t->port, from);
	}
	/* the look-up in flight, from its first query on */
	if (l != NULL && inflight != NONE32)
		for (size_t p = key_lower(l, fl->dns[diag_lookup_start(dg, fl,
		    inflight)].query.ts_ns); p < l->n && l->ts[p] < from; p++)
			mp->dns[l->items[p]] = 1;
	l = key_find(&dg->by_host, t->resource_hash);
	if (l == NULL || !unmarked(&dg->by_host, l, mp->host_done, from, &lo,
	    &hi))
		return;
	for (size_t p = lo; p < hi; p++) {
		mp->msg[l->items[p]] = 1;
		mp->conn[fl->msgs[l->items[p]].conn] = 1;
	}
}

/* Was a seen among the last few addresses collected? Answers mostly
 * repeat one small set: this keeps the list near its size, unsorted. */
static bool
addr_recent(const struct mark_pass *mp, const struct gw_addr *a)
{
	for (size_t i = mp->naddrs, k = 0; i > 0 && k < MARK_RECENT_ADDRS;
	    i--, k++)
		if (addr_cmp(&mp->addrs[i - 1], a) == 0)
			return true;
	return false;
}

/* The host's look-ups from `from` on, and connections to every address
 * they gave; returns the items walked, or -1 out of memory. */
static long
mark_lookups(struct mark_pass *mp, const struct txn *t, int64_t from)
{
	const struct flow *fl = mp->fl;
	const char *host = flow_str(fl, t->host);
	const struct key_list *l = key_find(&mp->dg->by_name, t->host_hash);
	size_t n = 0, p = l ? key_lower(l, from) : 0;
	long walked = l ? (long)(l->n - p) : 0;

	mp->naddrs = 0;
	for (; l && p < l->n; p++) {
		const struct dns_query *q = &fl->dns[l->items[p]];

		if (strcasecmp(flow_str(fl, q->qname), host) != 0)
			continue;
		mp->dns[l->items[p]] = 1;
		for (unsigned j = 0; j < q->nanswers; j++) {
			const struct dns_answer *a =
			    &fl->dns_answers[q->first_answer + j];

			if (a->addr.family == 0 || addr_recent(mp, &a->addr))
				continue;
			if (vec_reserve((void **)&mp->addrs, &mp->addrs_cap,
			    mp->naddrs + 1, sizeof *mp->addrs, SIZE_MAX) != 0)
				return -1;
			mp->addrs[mp->naddrs++] = a->addr;
		}
	}
	if (mp->naddrs > 1)
		qsort(mp->addrs, mp->naddrs, sizeof *mp->addrs, addr_cmp);
	for (size_t i = 0; i < mp->naddrs; i++)
		if (i == 0 || addr_cmp(&mp->addrs[i], &mp->addrs[n - 1]) != 0)
			mp->addrs[n++] = mp->addrs[i];
	for (size_t i = 0; i < n; i++)
		mark_dst(mp, &mp->addrs[i], t->port, from);
	return walked + (long)n;
}

/*
 * Window w[i]. Windows of one host and port come earliest first: the
 * earliest one's walk marks what every later one's would (their windows
 * are inside it); a host whose name only shares the hash gets its own
 * walk. Returns the items walked, or -1 out of memory.
 */
static long
mark_window(struct mark_pass *mp, size_t i)
{
	const struct flow *fl = mp->fl;
	const struct open_window *w = mp->w;
	const struct txn *t = &mp->dg->txns[w[i].txn];
	const char *host = flow_str(fl, t->host);
	size_t k = 0;
	long walked;

	if (i == 0 || w[i].host_hash != w[i - 1].host_hash ||
	    w[i].port != w[i - 1].port)
		mp->nwalked = 0;	/* another host and port */
	mark_own(mp, t, w[i].from);
	/* the hosts walked: one, unless names share the hash */
	while (k < mp->nwalked && strcasecmp(host, flow_str(fl,
	    mp->dg->txns[w[mp->walked[k]].txn].host)) != 0)
		k++;
	if (k < mp->nwalked)
		return 1;
	if (vec_reserve((void **)&mp->walked, &mp->walked_cap,
	    mp->nwalked + 1, sizeof *mp->walked, SIZE_MAX) != 0 ||
	    (walked = mark_lookups(mp, t, w[i].from)) < 0)
		return -1;
	mp->walked[mp->nwalked++] = i;
	return 1 + walked;
}

struct mark_pass *
diag_mark_begin(const struct diag *dg, const struct flow *fl,
    const uint8_t *keep, uint8_t *conn, uint8_t *msg, uint8_t *dns)
{
	struct mark_pass *mp = calloc(1, sizeof *mp);
	size_t n = 0;

	if (mp == NULL)
		return NULL;
	*mp = (struct mark_pass){ .dg = dg, .fl = fl, .conn = conn,
	    .msg = msg, .dns = dns };
	for (size_t i = dg->first_unsettled; i < dg->ntxns; i++)
		n += keep[i] && !dg->txns[i].settled;
	if (n == 0)
		return mp;
	mp->dst_done = calloc(dg->by_dst.nlists + 1, sizeof *mp->dst_done);
	mp->host_done = calloc(dg->by_host.nlists + 1, sizeof *mp->host_done);
	mp->w = malloc(n * sizeof *mp->w);
	if (mp->dst_done == NULL || mp->host_done == NULL || mp->w == NULL) {
		diag_mark_free(mp);
		return NULL;
	}
	for (size_t i = dg->first_unsettled; i < dg->ntxns; i++) {
		const struct txn *t = &dg->txns[i];
		struct open_window *w = &mp->w[mp->nw];

		if (!keep[i] || t->settled)
			continue;
		w->host_hash = t->host_hash;
		w->port = t->port;
		w->from = add_sat(fl->msgs[t->req].start.ts_ns, -DIAG_SLACK_NS);
		w->txn = (uint32_t)i;
		mp->nw++;
	}
	qsort(mp->w, mp->nw, sizeof *mp->w, window_cmp);
	return mp;
}

int
diag_mark_step(struct mark_pass *mp, size_t *budget)
{
	long walked;

	for (; mp->next < mp->nw; mp->next++) {
		if (*budget == 0)
			return 0;
		if ((walked = mark_window(mp, mp->next)) < 0)
			return -1;
		*budget -= (size_t)walked < *budget ? (size_t)walked : *budget;
	}
	return 1;
}

void
diag_mark_free(struct mark_pass *mp)
{
	if (mp == NULL)
		return;
	free(mp->dst_done);
	free(mp->host_done);
	free(mp->addrs);
	free(mp->walked);
	free(mp->w);
	free(mp);
}
