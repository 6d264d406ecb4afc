/*
 * retire.c: forgets transactions whose story is over once their reader is
 * done with them (a streamed report has printed them, a live view keeps
 * only recent successes), keeping their counts, and with them the
 * evidence nothing else can still need. This is what keeps the model of a
 * long capture, or of an endless live one, the size of what is in play.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/vec.h"
#include "diag.h"
#include "diag_int.h"

/* Extra margin below the oldest window still open, for skewed clocks. */
#define RETIRE_MARGIN_NS (1000LL * 1000000LL)

struct keep {
	uint8_t *txn, *conn, *msg, *dns;
};

uint32_t
diag_find(const struct diag *dg, uint32_t id)
{
	size_t lo;

	VEC_LOWER_BOUND(lo, dg->ntxns, dg->txns[mid].id < id);
	return lo < dg->ntxns && dg->txns[lo].id == id ? (uint32_t)lo :
	    NONE32;
}

/* When a connection began to close (first FIN or RST), or INT64_MAX. */
static int64_t
close_ns(const struct conn *c)
{
	int64_t at = INT64_MAX;
	const struct frame_ref *ends[3] = { &c->fin[0], &c->fin[1], &c->rst };

	for (int i = 0; i < 3; i++)
		if (ends[i]->number && ends[i]->ts_ns < at)
			at = ends[i]->ts_ns;
	return at;
}

/* A message's frames stop changing when it is complete (reports name
 * the frame that completed it) or its connection has closed. */
static int64_t
msg_done_ns(const struct http_msg *m, const struct conn *c)
{
	return m->complete ? m->end.ts_ns : close_ns(c);
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

int64_t
txn_final_ns(const struct diag *dg, const struct flow *fl,
    const struct txn *t)
{
	const struct conn *c = &fl->conns[t->conn];
	const struct http_msg *req = &fl->msgs[t->req];
	int64_t at = msg_done_ns(req, c), left;

	if (t->resp != NONE32)
		return max64(at, max64(msg_done_ns(&fl->msgs[t->resp], c),
		    add_sat(fl->msgs[t->resp].head.ts_ns, DIAG_SLACK_NS)));
	/* unanswered: over when the client has left and the timeout passed */
	left = c->fin[0].number ? c->fin[0].ts_ns :
	    c->rst.number ? c->rst.ts_ns : INT64_MAX;
	return max64(at, max64(left, add_sat(req->start.ts_ns,
	    add_sat(dg->opts.timeout_ns, DIAG_SLACK_NS))));
}

/* Marks a transaction's own messages, connections and look-ups. */
static void
keep_refs(const struct txn *t, struct keep *k)
{
	const struct diagnosis *d = &t->d;

	k->conn[t->conn] = 1;
	k->msg[t->req] = 1;
	if (t->resp != NONE32)
		k->msg[t->resp] = 1;
	for (unsigned i = 0; i < d->ndns; i++)
		k->dns[d->dns[i]] = 1;
	for (unsigned i = 0; i < d->nconns; i++)
		k->conn[d->conns[i]] = 1;
	if (d->up_req != NONE32)
		k->msg[d->up_req] = 1;	/* on up_conn, kept below */
	if (d->up_resp != NONE32)
		k->msg[d->up_resp] = 1;
	if (d->up_conn != NONE32)
		k->conn[d->up_conn] = 1;
}

/*
 * A kept connection loses only request/response pairs from its start:
 * pairing is by position (k-th response, k-th request), so removing
 * anything else would pair the rest wrongly.
 */
static void
keep_pairs(const struct flow *fl, uint32_t ci, struct keep *k)
{
	const struct conn *c = &fl->conns[ci];
	uint32_t q = c->first_msg[0], r = c->first_msg[1];

	while (q != NONE32 && r != NONE32 && !k->msg[q] && !k->msg[r]) {
		q = fl->msgs[q].next;
		r = fl->msgs[r].next;
	}
	for (; q != NONE32; q = fl->msgs[q].next)
		k->msg[q] = 1;
	for (; r != NONE32; r = fl->msgs[r].next)
		k->msg[r] = 1;
}

/* Everything at or after `from`, or still open, stays: traffic to come
 * and transactions not settled yet may link to it. */
static void
keep_recent(const struct diag *dg, const struct flow *fl, int64_t from,
    struct keep *k)
{
	int64_t idle_from = add_sat(fl->stats.last_ts, -dg->opts.timeout_ns);
	uint32_t refs[3];

	for (size_t i = 0; i < fl->nconns; i++) {
		const struct conn *c = &fl->conns[i];

		if (c->last.ts_ns >= from ||
		    (!c->closed && c->last.ts_ns >= idle_from))
			k->conn[i] = 1;
	}
	for (size_t i = 0; i < fl->nmsgs; i++)
		if (fl->msgs[i].start.ts_ns >= from) {
			k->msg[i] = 1;
			k->conn[fl->msgs[i].conn] = 1;
		}
	for (size_t i = 0; i < fl->ndns; i++)
		if (fl->dns[i].query.ts_ns >= from)
			k->dns[i] = 1;
	for (size_t i = 0; i < fl->nconns; i++) {
		if (!k->conn[i])
			continue;
		for (size_t n = stream_msg_refs(&fl->conns[i], refs); n > 0; n--)
			k->msg[refs[n - 1]] = 1;
		keep_pairs(fl, (uint32_t)i, k);
	}
}

/*
 * The gateway's DNS cache outlives the look-ups: requests yet to come may
 * be served from it. Keeps the newest answer per name while its TTL lasts
 * (without memory for the de-duplication, every answer still valid), and
 * the look-ups still in flight, which requests to come may wait for.
 */
static void
keep_cache(const struct flow *fl, int64_t from, struct keep *k)
{
	size_t nb = 16;
	uint32_t *newest;

	while (nb < 2 * fl->ndns)
		nb *= 2;
	newest = malloc(nb * sizeof *newest);
	if (newest != NULL)
		for (size_t b = 0; b < nb; b++)
			newest[b] = NONE32;
	for (size_t i = fl->ndns; i-- > 0;) {
		const struct dns_query *q = &fl->dns[i];
		const char *name = flow_str(fl, q->qname);
		size_t b;

		if (q->rcode < 0 && q->query.ts_ns >= add_sat(from,
		    -DIAG_INFLIGHT_NS))
			k->dns[i] = 1;
		if (!diag_cache_entry(fl, q))
			continue;
		if (newest != NULL) {
			for (b = name_hash(name) & (nb - 1); newest[b] != NONE32 &&
			    strcasecmp(flow_str(fl, fl->dns[newest[b]].qname),
			    name) != 0; b = (b + 1) & (nb - 1))
				;
			if (newest[b] != NONE32)
				continue;	/* an older answer: replaced */
			newest[b] = (uint32_t)i;
		}
		if (diag_cache_valid(fl, q, from))
			k->dns[i] = 1;
	}
	free(newest);
}

/* Chooses the transactions that go, counting them; 0 if none. */
static size_t
choose_txns(struct diag *dg, const struct flow *fl, const uint8_t *retire,
    struct keep *k, int64_t *from)
{
	int64_t now = fl->stats.last_ts;
	size_t gone = 0;

	for (size_t i = 0; i < dg->ntxns; i++) {
		const struct txn *t = &dg->txns[i];

		if (retire[i] && t->settled && txn_final_ns(dg, fl, t) <= now) {
			gone++;
			continue;
		}
		k->txn[i] = 1;
	}
	/* requests yet to come look back no further than this */
	*from = add_sat(now, -(2 * DIAG_SLACK_NS + RETIRE_MARGIN_NS));
	return gone;
}

static void
count_retired(struct diag *dg, const struct txn *t)
{
	dg->retired.txns++;
	if (!t->is_error)
		return;
	dg->retired.errors++;
	dg->retired.counts[t->d.verdict]++;
}

static void
remap_txn(struct txn *t, const struct flow_maps *mp, const uint32_t *tmap)
{
	struct diagnosis *d = &t->d;

	t->conn = mp->conn[t->conn];
	t->req = mp->msg[t->req];
	t->resp = flow_remap(mp->msg, t->resp);
	t->next_on_conn = flow_remap(tmap, t->next_on_conn);
	for (unsigned i = 0; i < d->ndns; i++)
		d->dns[i] = mp->dns[d->dns[i]];
	for (unsigned i = 0; i < d->nconns; i++)
		d->conns[i] = mp->conn[d->conns[i]];
	d->up_req = flow_remap(mp->msg, d->up_req);
	d->up_resp = flow_remap(mp->msg, d->up_resp);
	d->up_conn = flow_remap(mp->conn, d->up_conn);
}

/* Moves the kept transactions down; tmap: old index → new. */
static void
move_txns(struct diag *dg, const struct flow_maps *mp, const uint32_t *tmap)
{
	size_t n = 0;

	for (size_t i = 0; i < dg->ntxns; i++) {
		struct txn t = dg->txns[i];

		if (tmap[i] == NONE32) {
			count_retired(dg, &t);
			continue;
		}
		remap_txn(&t, mp, tmap);
		dg->txns[n++] = t;
	}
	dg->ntxns = n;
	dg->first_unsettled = 0;
	while (dg->first_unsettled < n && dg->txns[dg->first_unsettled].settled)
		dg->first_unsettled++;
}

/* Per-item flags follow their items; the freed tail is cleared. */
static void
remap_flags(uint8_t *flags, size_t cap, const uint32_t *map, size_t old_n)
{
	size_t n = 0;

	if (flags == NULL)
		return;
	for (size_t i = 0; i < old_n && i < cap; i++)
		if (map[i] != NONE32)
			flags[n++] = flags[i];
	if (n < cap)
		memset(flags + n, 0, (old_n < cap ? old_n : cap) - n);
}

static void
remap_queues(struct diag *dg, const struct flow_maps *mp, const uint32_t *tmap)
{
	size_t n = 0, old_n = mp->old_nconns < dg->conn_cap ? mp->old_nconns :
	    dg->conn_cap;

	for (size_t i = 0; i < old_n; i++) {
		if (mp->conn[i] == NONE32)
			continue;
		dg->conn_head[n] = flow_remap(tmap, dg->conn_head[i]);
		dg->conn_tail[n] = flow_remap(tmap, dg->conn_tail[i]);
		n++;
	}
	for (size_t i = n; i < old_n; i++)
		dg->conn_head[i] = dg->conn_tail[i] = NONE32;
}

static void
keep_free(struct keep *k)
{
	free(k->txn);
	free(k->conn);
	free(k->msg);
	free(k->dns);
}

/* Flags (all clear) for every item of the model, and the transactions'
 * map and string refs; -1 when out of memory. */
static int
keep_alloc(struct keep *k, uint32_t **tmap, strref ***extra,
    const struct diag *dg, const struct flow *fl)
{
	k->txn = calloc(dg->ntxns + 1, 1);
	k->conn = calloc(fl->nconns + 1, 1);
	k->msg = calloc(fl->nmsgs + 1, 1);
	k->dns = calloc(fl->ndns + 1, 1);
	*tmap = malloc((dg->ntxns + 1) * sizeof **tmap);
	*extra = malloc((2 * dg->ntxns + 1) * sizeof **extra);
	return k->txn && k->conn && k->msg && k->dns && *tmap && *extra ? 0 :
	    -1;
}

/*
 * Numbers the transactions k->txn keeps and marks what they refer to and,
 * for unsettled ones (a settled one is not diagnosed again), what their
 * windows hold; their string refs go to extra[]. Returns how many refs,
 * or -1 out of memory.
 */
static long
keep_txns(struct diag *dg, const struct flow *fl, struct keep *k,
    uint32_t *tmap, strref **extra)
{
	size_t nextra = 0, next = 0;

	for (size_t i = 0; i < dg->ntxns; i++) {
		tmap[i] = k->txn[i] ? (uint32_t)next++ : NONE32;
		if (!k->txn[i])
			continue;
		keep_refs(&dg->txns[i], k);
		extra[nextra++] = &dg->txns[i].url;
		extra[nextra++] = &dg->txns[i].host;
	}
	if (diag_mark_windows(dg, fl, k->txn, k->conn, k->msg, k->dns) != 0)
		return -1;
	return (long)nextra;
}

/* The diagnosis follows a compaction of the model (flow_compact). */
static void
renumber(struct diag *dg, struct flow *fl, struct flow_maps *mp,
    const uint32_t *tmap)
{
	size_t old_ntxns = dg->ntxns;

	dg->pass.on = false;	/* its list holds the old indices */
	move_txns(dg, mp, tmap);
	remap_queues(dg, mp, tmap);
	remap_flags(dg->conn_claimed, dg->conn_claimed_cap, mp->conn,
	    mp->old_nconns);
	remap_flags(dg->msg_claimed, dg->msg_claimed_cap, mp->msg,
	    mp->old_nmsgs);
	remap_flags(dg->dns_claimed, dg->dns_claimed_cap, mp->dns,
	    mp->old_ndns);
	dg->msgs_seen = fl->nmsgs;
	key_remap(&dg->by_name, mp->dns, mp->old_ndns);
	key_remap(&dg->by_dst, mp->conn, mp->old_nconns);
	key_remap(&dg->by_host, mp->msg, mp->old_nmsgs);
	key_remap(&dg->by_req, tmap, old_ntxns);
	flow_maps_free(mp);
}

long
diag_retire(struct diag *dg, struct flow *fl, const uint8_t *retire)
{
	struct keep k;
	struct flow_maps mp;
	strref **extra = NULL;
	uint32_t *tmap = NULL;
	size_t gone;
	long nextra, rc = -1;
	int64_t from;

	if (dg->msgs_seen != fl->nmsgs)
		return -1;	/* diag_update first: renumbering needs it */
	if (keep_alloc(&k, &tmap, &extra, dg, fl) != 0)
		goto out;
	if ((gone = choose_txns(dg, fl, retire, &k, &from)) == 0) {
		rc = 0;
		goto out;
	}
	if ((nextra = keep_txns(dg, fl, &k, tmap, extra)) < 0)
		goto out;
	keep_recent(dg, fl, from, &k);
	keep_cache(fl, from, &k);
	if (flow_compact(fl, k.conn, k.msg, k.dns, extra, (size_t)nextra,
	    &mp) != 0)
		goto out;
	renumber(dg, fl, &mp, tmap);
	rc = (long)gone;
out:
	keep_free(&k);
	free(tmap);
	free(extra);
	return rc;
}

/* Connections that carried nothing and nothing kept in k refers to, with
 * when each was last active. */
static size_t
idle_conns(const struct flow *fl, const struct keep *k,
    struct timed_index *out)
{
	size_t n = 0;

	for (size_t i = 0; i < fl->nconns; i++)
		if (!k->conn[i] && conn_evictable(&fl->conns[i])) {
			out[n].at = fl->conns[i].last.ts_ns;
			out[n++].index = (uint32_t)i;
		}
	return n;
}

long
diag_evict(struct diag *dg, struct flow *fl)
{
	struct keep k;
	struct flow_maps mp;
	struct timed_index *idle = NULL;
	strref **extra = NULL;
	uint32_t *tmap = NULL;
	size_t nidle, target, drop = 0;
	long nextra, rc = -1;

	if (!flow_wants_evict(fl))
		return 0;
	if (dg->msgs_seen != fl->nmsgs)
		return -1;	/* diag_update first: renumbering needs it */
	/* none that carried nothing (a busy gateway's real connections):
	 * the transactions' windows are not worth walking */
	for (nidle = 0; nidle < fl->nconns &&
	    !conn_evictable(&fl->conns[nidle]); nidle++)
		;
	if (nidle == fl->nconns) {
		flow_evicted(fl, 0);
		return 0;
	}
	if (keep_alloc(&k, &tmap, &extra, dg, fl) != 0 ||
	    (idle = malloc((fl->nconns + 1) * sizeof *idle)) == NULL)
		goto out;
	memset(k.txn, 1, dg->ntxns);
	if ((nextra = keep_txns(dg, fl, &k, tmap, extra)) < 0)
		goto out;
	nidle = idle_conns(fl, &k, idle);
	/* down to three quarters of the budget: evictions stay rare */
	target = fl->limits.conn_budget - fl->limits.conn_budget / 4;
	if (fl->nconns > target)
		drop = fl->nconns - target < nidle ? fl->nconns - target : nidle;
	if (drop == 0) {
		flow_evicted(fl, 0);
		rc = 0;
		goto out;
	}
	qsort(idle, nidle, sizeof *idle, timed_index_cmp);
	memset(k.conn, 1, fl->nconns);
	memset(k.msg, 1, fl->nmsgs);
	memset(k.dns, 1, fl->ndns);
	for (size_t i = 0; i < drop; i++)
		k.conn[idle[i].index] = 0;
	if (flow_compact(fl, k.conn, k.msg, k.dns, extra, (size_t)nextra,
	    &mp) != 0)
		goto out;
	renumber(dg, fl, &mp, tmap);
	flow_evicted(fl, drop);
	rc = (long)drop;
out:
	keep_free(&k);
	free(tmap);
	free(extra);
	free(idle);
	return rc;
}
