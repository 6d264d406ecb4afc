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

	if (t->resp != NONE32 && is_error_status(dg, t->status))
		at = max64(at, diag_partners_final_ns(dg, fl, t));
	if (t->resp != NONE32)
		return max64(at, max64(msg_done_ns(&fl->msgs[t->resp], c),
		    diag_ready_ns(dg, fl, t)));
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
	for (unsigned i = 0; i < d->ntries; i++)
		k->msg[d->tries[i]] = 1;	/* on conns, kept above */
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
 * and transactions not settled yet may link to it (keep_recent_step). */
static bool
conn_recent(const struct conn *c, int64_t from, int64_t idle_from)
{
	return c->last.ts_ns >= from || (!c->closed && c->last.ts_ns >= idle_from);
}

/* A kept connection's messages still coming and its pairs. */
static void
keep_conn_msgs(const struct flow *fl, uint32_t ci, struct keep *k)
{
	uint32_t refs[3];

	for (size_t n = stream_msg_refs(&fl->conns[ci], refs); n > 0; n--)
		k->msg[refs[n - 1]] = 1;
	keep_pairs(fl, ci, k);
}

/*
 * Was a newer answer for q's name met (any socket; with `socket`, from
 * q's socket)? Marks q met if not. newest[] holds query indices, those
 * met per socket tagged with NEWEST_SOCKET.
 */
#define NEWEST_SOCKET 0x80000000u
static bool
newer_met(const struct flow *fl, uint32_t *newest, size_t nb, uint32_t i,
    uint32_t hash, bool socket)
{
	const struct dns_query *q = &fl->dns[i];
	const char *name = flow_str(fl, q->qname);
	uint32_t tag = socket ? NEWEST_SOCKET : 0;
	size_t b;

	if (socket)
		hash ^= (addr_hash(&q->client) ^ q->cport) * 0x9e3779b1u;
	for (b = hash & (nb - 1); newest[b] != NONE32; b = (b + 1) & (nb - 1)) {
		const struct dns_query *m = &fl->dns[newest[b] & ~NEWEST_SOCKET];

		if ((newest[b] & NEWEST_SOCKET) == tag &&
		    (!socket || diag_same_socket(m, q)) &&
		    strcasecmp(flow_str(fl, m->qname), name) == 0)
			return true;
	}
	newest[b] = i | tag;
	return false;
}

/*
 * What KEEP_CACHE met, walking the look-ups newest first: newest[] the
 * names (and kept sockets' names), chains[] each look-up in flight's
 * oldest send kept so far and chain_sends[] how many of its sends were
 * kept for their resends alone; nb slots each, a power of two. Either
 * array may be NULL (no memory): the cache then keeps more, and a long
 * look-up's oldest sends go.
 */
struct dns_met {
	uint32_t *newest, *chains;
	uint8_t *chain_sends;
	size_t nb;
};

/*
 * nginx sends a look-up again every resend_timeout while a request waits
 * for it, however long requests keep coming (the busy lab's: 35 s), and
 * link.c's diag_lookup_start walks back over its sends, each within
 * DIAG_INFLIGHT_NS of the next. So an unanswered query older than that
 * stays while a resend of it that stays (same name, ID, type and client)
 * came within DIAG_INFLIGHT_NS after it: DIAG_LOOKUP_WALK of them at most
 * per look-up, what that walk takes. Unanswered query i, taken newest
 * first, stays already when `recent`; returns whether it stays.
 */
static bool
keep_resent(const struct flow *fl, struct dns_met *met, uint32_t i,
    bool recent)
{
	uint32_t *chains = met->chains;
	size_t nb = met->nb;
	const struct dns_query *q = &fl->dns[i];
	const char *name = flow_str(fl, q->qname);
	uint32_t hash = name_hash(name) ^ (q->id * 0x9e3779b1u) ^ q->qtype ^
	    addr_hash(&q->client);
	size_t b;

	for (b = hash & (nb - 1); chains[b] != NONE32; b = (b + 1) & (nb - 1)) {
		const struct dns_query *m = &fl->dns[chains[b]];

		if (m->id != q->id || m->qtype != q->qtype ||
		    !addr_eq(&m->client, &q->client) ||
		    strcasecmp(flow_str(fl, m->qname), name) != 0)
			continue;
		if (!recent && (m->query.ts_ns - q->query.ts_ns >
		    DIAG_INFLIGHT_NS || met->chain_sends[b] == DIAG_LOOKUP_WALK))
			return false;
		chains[b] = i;
		met->chain_sends[b] += !recent;
		return true;
	}
	if (recent) {
		chains[b] = i;
		met->chain_sends[b] = 0;
	}
	return recent;
}

/*
 * The gateway's DNS cache outlives the look-ups: requests yet to come may
 * be served from it. Keeps the newest answer per name while its TTL lasts
 * (without memory for the de-duplication, every answer still valid), and
 * the look-ups still in flight, which requests to come may wait for.
 * So does each kept resolver socket's cache (diag_socket_caches). Query
 * i, taken newest first; met: what came before it in the walk.
 */
static void
keep_cache_query(const struct diag *dg, const struct flow *fl, size_t i,
    int64_t from, struct dns_met *met, struct keep *k)
{
	const struct dns_query *q = &fl->dns[i];
	uint32_t *newest = met->newest, hash;
	size_t nb = met->nb;
	bool replaced;

	if (q->rcode < 0) {
		bool recent = q->query.ts_ns >= add_sat(from,
		    -DIAG_INFLIGHT_NS);

		if (met->chains != NULL)
			recent = keep_resent(fl, met, (uint32_t)i, recent);
		if (recent)
			k->dns[i] = 1;
	}
	if (!diag_cache_entry(fl, q)) {
		/* asking (or failed): that socket's cache holds nothing
		 * older; an empty NOERROR says nothing */
		if (q->socket_kept && q->rcode != 0 && newest != NULL)
			(void)newer_met(fl, newest, nb, (uint32_t)i,
			    name_hash(flow_str(fl, q->qname)), true);
		return;
	}
	hash = name_hash(flow_str(fl, q->qname));
	replaced = newest != NULL && newer_met(fl, newest, nb, (uint32_t)i,
	    hash, false);
	/* a kept socket's newest answer: that cache's own while valid,
	 * whoever asked again (diag_socket_caches) */
	if (q->socket_kept && (newest == NULL || !newer_met(fl, newest, nb,
	    (uint32_t)i, hash, true)) && diag_cache_valid(fl, q, from)) {
		k->dns[i] = 1;
		return;
	}
	if (replaced)
		return;	/* an older answer: replaced */
	/* asked again before `from`: no request to come takes it (that
	 * query may go now, and q with it, as if it had never been) */
	if (diag_cache_valid(fl, q, from) &&
	    !diag_asked_again(fl, key_find(&dg->by_name, hash), q, NULL,
	    add_sat(from, -1)))
		k->dns[i] = 1;
}

/*
 * What a reverse proxy's request not settled yet looks back at when it
 * is (link.c walks back over the gateway's attempts and its loop's
 * events, from the answer and from a try that carried the request, to
 * the request): every connection begun and message sent since the
 * oldest such request came, DIAG_ASK_NS before it (what it looks at
 * around its own first attempts). INT64_MAX: none open. (A forward
 * proxy's requests name their host: the windows' marks, diag_mark, keep
 * what they reach.)
 */
static int64_t
open_origin_from(const struct diag *dg, const struct flow *fl,
    const struct keep *k)
{
	int64_t oldest = INT64_MAX;

	for (size_t i = dg->first_unsettled; i < dg->ntxns; i++) {
		const struct txn *t = &dg->txns[i];
		int64_t at = fl->msgs[t->req].start.ts_ns;

		if (k->txn[i] && !t->settled && at < oldest &&
		    diag_origin_form(fl, t))
			oldest = at;
	}
	return add_sat(oldest, -DIAG_ASK_NS);
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
	for (unsigned i = 0; i < d->ntries; i++)
		d->tries[i] = mp->msg[d->tries[i]];
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

/*
 * A retirement or an eviction goes in phases; those that walk the model
 * go in steps (diag_keep_step) with the model frozen in between, the last
 * one compacts it.
 */
enum keep_phase {
	KEEP_REFS,		/* the kept transactions' own refs */
	KEEP_WINDOWS,		/* what the open ones may still link to */
	KEEP_RECENT_CONNS,	/* retire: connections still in play */
	KEEP_RECENT_MSGS,	/* retire: messages from `from` on */
	KEEP_RECENT_DNS,	/* retire: look-ups from `from` on */
	KEEP_PAIRS,		/* retire: kept connections' messages */
	KEEP_CACHE,		/* retire: the gateway's DNS cache */
	KEEP_IDLE_SCAN,		/* evict: connections that carried nothing */
	KEEP_IDLE,		/* evict: which of them go */
	KEEP_PLAN,		/* the compaction's maps */
	KEEP_COMPACT,
	KEEP_DONE
};

static const uint8_t retire_phases[] = { KEEP_REFS, KEEP_WINDOWS,
	KEEP_RECENT_CONNS, KEEP_RECENT_MSGS, KEEP_RECENT_DNS, KEEP_PAIRS,
	KEEP_CACHE, KEEP_PLAN, KEEP_COMPACT, KEEP_DONE };
/* the idle connections first: none (a busy gateway's connections all
 * carry something), and the windows are not worth walking */
static const uint8_t evict_phases[] = { KEEP_IDLE_SCAN, KEEP_REFS,
	KEEP_WINDOWS, KEEP_IDLE, KEEP_PLAN, KEEP_COMPACT, KEEP_DONE };

struct keep_pass {
	const uint8_t *phases;	/* retire_phases or evict_phases */
	size_t phase;		/* index in phases[] */
	size_t next;		/* the item the phase looks at next */
	struct keep k;
	uint32_t *tmap;		/* transactions: old index -> new */
	strref **extra;		/* the kept transactions' string refs */
	size_t nextra, nkept;
	long result;		/* retire: transactions going; evict:
				 * connections */
	int64_t from;		/* retire: requests to come look back to */
	int64_t idle_from;	/* retire: open connections idle since */
	int64_t open_from;	/* retire: open reverse-proxy requests
				 * look back to */
	struct mark_pass *mark;
	struct flow_maps maps;	/* KEEP_PLAN's, for KEEP_COMPACT */
	struct dns_met met;	/* KEEP_CACHE's */
	struct timed_index *idle;	/* KEEP_IDLE_SCAN's, nidle */
	size_t nidle;
	struct gone_req *gone;	/* retire: KEEP_PLAN's dg->gone, ngone */
	size_t ngone;
	struct key_index by_gone;	/* and its index */
};

static void
keep_pass_free(struct keep_pass *p)
{
	free(p->k.txn);
	free(p->k.conn);
	free(p->k.msg);
	free(p->k.dns);
	free(p->tmap);
	free(p->extra);
	free(p->met.newest);
	free(p->met.chains);
	free(p->met.chain_sends);
	free(p->idle);
	free(p->gone);
	key_free(&p->by_gone);
	diag_mark_free(p->mark);
	flow_maps_free(&p->maps);
	free(p);
}

void
diag_keep_cancel(struct diag *dg)
{
	if (dg->keeping == NULL)
		return;
	keep_pass_free(dg->keeping);
	dg->keeping = NULL;
}

/* A pass with flags (all clear) for every item of the model, and the
 * transactions' map and string refs; NULL when out of memory. */
static struct keep_pass *
keep_pass_new(const struct diag *dg, const struct flow *fl,
    const uint8_t *phases)
{
	struct keep_pass *p = calloc(1, sizeof *p);

	if (p == NULL)
		return NULL;
	p->phases = phases;
	p->k.txn = calloc(dg->ntxns + 1, 1);
	p->k.conn = calloc(fl->nconns + 1, 1);
	p->k.msg = calloc(fl->nmsgs + 1, 1);
	p->k.dns = calloc(fl->ndns + 1, 1);
	p->tmap = malloc((dg->ntxns + 1) * sizeof *p->tmap);
	p->extra = malloc((2 * dg->ntxns + 1) * sizeof *p->extra);
	if (p->k.txn && p->k.conn && p->k.msg && p->k.dns && p->tmap &&
	    p->extra)
		return p;
	keep_pass_free(p);
	return NULL;
}

/*
 * Numbers transaction i if k.txn keeps it and marks what it refers to;
 * its string refs go to extra[]. (What the windows of unsettled ones
 * hold, KEEP_WINDOWS marks: a settled one is not diagnosed again.)
 */
static void
keep_txn(struct diag *dg, struct keep_pass *p, size_t i)
{
	p->tmap[i] = p->k.txn[i] ? (uint32_t)p->nkept++ : NONE32;
	if (!p->k.txn[i])
		return;
	keep_refs(&dg->txns[i], &p->k);
	p->extra[p->nextra++] = &dg->txns[i].url;
	p->extra[p->nextra++] = &dg->txns[i].host;
}

/* Item i of a phase that walks one array of the model. */
static void
keep_item(struct diag *dg, const struct flow *fl, struct keep_pass *p,
    size_t i)
{
	struct keep *k = &p->k;

	switch (p->phases[p->phase]) {
	case KEEP_REFS:
		keep_txn(dg, p, i);
		break;
	case KEEP_RECENT_CONNS:
		if (conn_recent(&fl->conns[i], p->from, p->idle_from) ||
		    fl->conns[i].first.ts_ns >= p->open_from)
			k->conn[i] = 1;
		break;
	case KEEP_RECENT_MSGS:
		if (fl->msgs[i].start.ts_ns >= p->from ||
		    fl->msgs[i].start.ts_ns >= p->open_from) {
			k->msg[i] = 1;
			k->conn[fl->msgs[i].conn] = 1;
		}
		break;
	case KEEP_RECENT_DNS:
		if (fl->dns[i].query.ts_ns >= p->from)
			k->dns[i] = 1;
		break;
	case KEEP_PAIRS:
		if (k->conn[i])
			keep_conn_msgs(fl, (uint32_t)i, k);
		break;
	case KEEP_IDLE_SCAN:
		if (conn_evictable(&fl->conns[i])) {
			p->idle[p->nidle].at = fl->conns[i].last.ts_ns;
			p->idle[p->nidle++].index = (uint32_t)i;
		}
		break;
	case KEEP_CACHE:	/* newest first */
		keep_cache_query(dg, fl, fl->ndns - 1 - i, p->from, &p->met,
		    k);
		break;
	}
}

/* How many items the phase walks; SIZE_MAX: not a walk. */
static size_t
keep_items(const struct diag *dg, const struct flow *fl, uint8_t phase)
{
	switch (phase) {
	case KEEP_REFS:
		return dg->ntxns;
	case KEEP_RECENT_CONNS:
	case KEEP_PAIRS:
	case KEEP_IDLE_SCAN:
		return fl->nconns;
	case KEEP_RECENT_MSGS:
		return fl->nmsgs;
	case KEEP_RECENT_DNS:
	case KEEP_CACHE:
		return fl->ndns;
	default:
		return SIZE_MAX;
	}
}

/*
 * The least recently active idle connections (those that carried nothing,
 * KEEP_IDLE_SCAN's, that nothing kept refers to) go, down to three
 * quarters of the budget (evictions stay rare): k then keeps everything
 * else. Returns how many go (0: none, the pass ends).
 */
static long
choose_idle(const struct flow *fl, struct keep_pass *p)
{
	struct keep *k = &p->k;
	size_t target, drop = 0, n = 0;

	for (size_t i = 0; i < p->nidle; i++)
		if (!k->conn[p->idle[i].index])
			p->idle[n++] = p->idle[i];
	p->nidle = n;
	target = fl->limits.conn_budget - fl->limits.conn_budget / 4;
	if (fl->nconns > target)
		drop = fl->nconns - target < p->nidle ? fl->nconns - target :
		    p->nidle;
	if (drop == 0)
		return 0;
	qsort(p->idle, p->nidle, sizeof *p->idle, timed_index_cmp);
	memset(k->conn, 1, fl->nconns);
	memset(k->msg, 1, fl->nmsgs);
	memset(k->dns, 1, fl->ndns);
	for (size_t i = 0; i < drop; i++)
		k->conn[p->idle[i].index] = 0;
	return (long)drop;
}

/*
 * An eviction walks the whole model (marks, plan, compaction): not for a
 * handful of idle connections among many busy ones (a gateway with more
 * requests pending than the budget), which would cost a walk each time
 * the budget is passed again and bound nothing. A flood of empty
 * connections (the case the budget is for) is mostly idle ones.
 */
#define EVICT_MIN_IDLE_SHARE 16	/* at least 1/16 of the connections */

static bool
too_few_idle(const struct flow *fl, const struct keep_pass *p)
{
	return p->nidle == 0 || p->nidle < fl->nconns / EVICT_MIN_IDLE_SHARE;
}

/* Room in extra[] for n more refs; -1 out of memory. */
static int
extra_reserve(struct keep_pass *p, size_t n)
{
	strref **extra = realloc(p->extra, (p->nextra + n + 1) *
	    sizeof *extra);

	if (extra == NULL)
		return -1;
	p->extra = extra;
	return 0;
}

#define GONE_KEY(g) ((g)->req_ns)

static int
gone_cmp(const void *a, const void *b)
{
	const struct gone_req *x = a, *y = b;

	return x->req_ns < y->req_ns ? -1 : x->req_ns > y->req_ns;
}

/* Is upstream request mi one an open request may still take: kept, and
 * claimed by nobody (what forwarded_for_later says of a claimed one is
 * never used, and claims stay)? */
static bool
up_unclaimed(const struct diag *dg, const struct keep_pass *p, uint32_t mi)
{
	return p->k.msg[mi] && (mi >= dg->msg_claimed_cap ||
	    !dg->msg_claimed[mi]);
}

/* Did a request at req_ns come more than DIAG_AMBIG_NS after an open
 * one (oldest: the oldest open request's time), or after `from` (those
 * to come)? */
static bool
after_open(const struct keep_pass *p, int64_t oldest, int64_t req_ns)
{
	return req_ns > add_sat(oldest, DIAG_AMBIG_NS) || req_ns >= p->from;
}

/*
 * May an open request, or one yet to come, still look at a retired one,
 * g? link.c's forwarded_for_later looks at it for a request that came
 * before it (after_open), and for an upstream request for its resource
 * sent within DIAG_AMBIG_NS after it (up_unclaimed).
 */
static bool
gone_needed(const struct diag *dg, const struct keep_pass *p,
    int64_t oldest, const struct gone_req *g)
{
	const struct key_list *up = key_find(&dg->by_host, g->resource_hash);

	if (up == NULL || !after_open(p, oldest, g->req_ns))
		return false;
	for (size_t q = key_lower(up, g->req_ns); q < up->n &&
	    up->ts[q] <= add_sat(g->req_ns, DIAG_AMBIG_NS); q++)
		if (up_unclaimed(dg, p, up->items[q]))
			return true;
	return false;
}

/*
 * The retiring requests gone_needed takes, found from the other end (the
 * upstream requests left unclaimed are few; the retiring requests many):
 * those for the resource of an unclaimed one that came within
 * DIAG_AMBIG_NS before it, each once (taken[]). Appended to out[n..];
 * returns the new n.
 */
static size_t
gone_retiring(const struct diag *dg, const struct flow *fl,
    const struct keep_pass *p, int64_t oldest, uint8_t *taken,
    struct gone_req *out, size_t n)
{
	for (size_t li = 0; li < dg->by_host.nlists; li++) {
		const struct key_list *up = &dg->by_host.lists[li];

		for (size_t q = 0; q < up->n; q++) {
			const struct key_list *l;
			size_t r;

			if (!up_unclaimed(dg, p, up->items[q]) ||
			    (l = key_find(&dg->by_req, name_hash(flow_str(fl,
			    fl->msgs[up->items[q]].authority)))) == NULL)
				continue;
			for (r = key_lower(l, add_sat(up->ts[q],
			    -DIAG_AMBIG_NS)); r < l->n && l->ts[r] <= up->ts[q];
			    r++) {
				const struct txn *t = &dg->txns[l->items[r]];

				if (p->tmap[l->items[r]] != NONE32 ||
				    taken[l->items[r]] ||
				    t->resource_hash != up->hash ||
				    !after_open(p, oldest, l->ts[r]))
					continue;
				taken[l->items[r]] = 1;
				out[n++] = (struct gone_req){ l->ts[r],
				    t->host_hash, t->resource_hash, t->url,
				    t->port };
			}
		}
	}
	return n;
}

/*
 * What a retirement leaves of the retired requests (dg->gone, planned
 * into p->gone and p->by_gone, their URLs into extra[] so that the
 * compaction of the strings keeps them); an eviction keeps them all.
 * 0, or -1 out of memory (the model unchanged).
 */
static int
plan_gone(const struct diag *dg, const struct flow *fl, struct keep_pass *p)
{
	size_t cap = dg->ngone + (dg->ntxns - p->nkept) + 1, nold;
	int64_t oldest = INT64_MAX;
	uint8_t *taken = NULL;
	bool ok;

	if (p->phases != retire_phases) {
		if (extra_reserve(p, dg->ngone) != 0)
			return -1;
		for (size_t j = 0; j < dg->ngone; j++)
			p->extra[p->nextra++] = &dg->gone[j].url;
		return 0;
	}
	if ((p->gone = malloc(cap * sizeof *p->gone)) == NULL ||
	    (taken = calloc(dg->ntxns + 1, 1)) == NULL ||
	    extra_reserve(p, cap) != 0) {
		free(taken);
		return -1;
	}
	for (size_t i = dg->first_unsettled; i < dg->ntxns; i++)
		if (p->k.txn[i] && !dg->txns[i].settled &&
		    fl->msgs[dg->txns[i].req].start.ts_ns < oldest)
			oldest = fl->msgs[dg->txns[i].req].start.ts_ns;
	for (size_t j = 0; j < dg->ngone; j++)
		if (gone_needed(dg, p, oldest, &dg->gone[j]))
			p->gone[p->ngone++] = dg->gone[j];
	nold = p->ngone;
	p->ngone = gone_retiring(dg, fl, p, oldest, taken, p->gone, nold);
	free(taken);
	VEC_MERGE_TAIL(struct gone_req, p->gone, nold, p->ngone, GONE_KEY,
	    gone_cmp, ok);
	if (!ok)
		return -1;
	for (size_t j = 0; j < p->ngone; j++) {
		if (key_add(&p->by_gone, p->gone[j].host_hash, (uint32_t)j,
		    p->gone[j].req_ns) != 0)
			return -1;
		p->extra[p->nextra++] = &p->gone[j].url;
	}
	return 0;
}

/* The retired requests planned replace those there were. */
static void
take_gone(struct diag *dg, struct keep_pass *p)
{
	free(dg->gone);
	key_free(&dg->by_gone);
	dg->gone = p->gone;
	dg->ngone = p->ngone;
	dg->by_gone = p->by_gone;
	p->gone = NULL;
	memset(&p->by_gone, 0, sizeof p->by_gone);
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
	remap_flags(dg->conn_probe, dg->conn_probe_cap, mp->conn,
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
	key_remap(&dg->by_answer, tmap, old_ntxns);
	key_remap(&dg->by_fetch, tmap, old_ntxns);
	flow_maps_free(mp);
}

/* The model without what the pass did not keep, by the plan's maps; -1
 * out of memory (nothing changed). */
static int
keep_compact(struct diag *dg, struct flow *fl, struct keep_pass *p)
{
	bool evict = p->phases == evict_phases;

	if (flow_compact_planned(fl, p->k.conn, p->k.msg, p->extra, p->nextra,
	    &p->maps) != 0)
		return -1;
	renumber(dg, fl, &p->maps, p->tmap);
	if (evict)
		flow_evicted(fl, (uint64_t)p->result);
	else
		take_gone(dg, p);
	return 0;
}

/* One phase that is not a walk of the model, or its step; false while
 * more remains. */
static bool
keep_phase_step(struct diag *dg, struct flow *fl, struct keep_pass *p,
    size_t *budget)
{
	int rc;

	switch (p->phases[p->phase]) {
	case KEEP_WINDOWS:
		if (p->mark == NULL) {	/* the sort: a step of its own */
			p->mark = diag_mark_begin(dg, fl, p->k.txn, p->k.conn,
			    p->k.msg, p->k.dns);
			if (p->mark != NULL)
				return false;
			p->result = -1;
			return true;
		}
		if ((rc = diag_mark_step(p->mark, budget)) == 0)
			return false;
		if (rc < 0)
			p->result = -1;
		diag_mark_free(p->mark);
		p->mark = NULL;
		return true;
	case KEEP_IDLE:
		p->result = choose_idle(fl, p);
		return true;
	case KEEP_PLAN:
		if (flow_compact_plan(fl, p->k.conn, p->k.msg, p->k.dns,
		    &p->maps) != 0 || plan_gone(dg, fl, p) != 0)
			p->result = -1;
		return true;
	case KEEP_COMPACT:
		if (keep_compact(dg, fl, p) != 0)
			p->result = -1;
		return true;
	}
	return true;
}

bool
diag_keep_step(struct diag *dg, struct flow *fl, size_t budget,
    long *result)
{
	struct keep_pass *p = dg->keeping;
	const size_t given = budget;
	bool none;

	while (p != NULL && p->phases[p->phase] != KEEP_DONE) {
		size_t n = keep_items(dg, fl, p->phases[p->phase]);

		/* one not cut into steps has a call of its own */
		if (n == SIZE_MAX && (budget == 0 || budget < given ||
		    !keep_phase_step(dg, fl, p, &budget)))
			return false;
		if (n == SIZE_MAX)
			budget = 0;
		for (; n != SIZE_MAX && p->next < n; p->next++) {
			if (budget == 0)
				return false;
			budget--;
			keep_item(dg, fl, p, p->next);
		}
		p->next = 0;
		none = p->result == 0 && (p->phases[p->phase] == KEEP_IDLE ||
		    (p->phases[p->phase] == KEEP_IDLE_SCAN &&
		    too_few_idle(fl, p)));
		if (none)
			flow_evicted(fl, 0);	/* none could go */
		/* out of memory, or nothing to evict: nothing changes */
		if (p->result < 0 || none)
			break;
		p->phase++;
	}
	*result = p != NULL ? p->result : -1;
	if (p != NULL && p->phases == evict_phases && p->result < 0)
		flow_evicted(fl, 0);	/* reading goes on, over the budget */
	diag_keep_cancel(dg);
	return true;
}

bool
diag_keep_blocks_next(const struct diag *dg)
{
	const struct keep_pass *p = dg->keeping;

	if (p == NULL)
		return false;
	switch (p->phases[p->phase]) {
	case KEEP_WINDOWS:
		return p->mark == NULL;	/* their sort */
	case KEEP_IDLE:
	case KEEP_PLAN:
	case KEEP_COMPACT:
		return true;
	default:
		return false;
	}
}

int
diag_retire_begin(struct diag *dg, struct flow *fl, const uint8_t *retire)
{
	struct keep_pass *p;
	struct dns_met *m;

	diag_keep_cancel(dg);
	if (dg->msgs_seen != fl->nmsgs)
		return -1;	/* diag_update first: renumbering needs it */
	if ((p = keep_pass_new(dg, fl, retire_phases)) == NULL)
		return -1;
	if ((p->result = (long)choose_txns(dg, fl, retire, &p->k,
	    &p->from)) == 0) {
		keep_pass_free(p);
		return 0;
	}
	p->idle_from = add_sat(fl->stats.last_ts, -dg->opts.timeout_ns);
	p->open_from = open_origin_from(dg, fl, &p->k);
	m = &p->met;
	/* a name a query (and a kept socket's name): half full at most */
	for (m->nb = 16; m->nb < (fl->dns_kept_sockets ? 4 : 2) * fl->ndns;
	    m->nb *= 2)
		;
	m->newest = malloc(m->nb * sizeof *m->newest);
	/* only a resolver's own socket resends a look-up for long (as
	 * link.c's diag_lookup_start walks back) */
	if (fl->dns_kept_sockets > 0 || fl->dns_servers_many) {
		m->chains = malloc(m->nb * sizeof *m->chains);
		m->chain_sends = malloc(m->nb);
	}
	if (m->chains == NULL || m->chain_sends == NULL) {
		free(m->chains);
		free(m->chain_sends);
		m->chains = NULL;
		m->chain_sends = NULL;
	}
	for (size_t b = 0; b < m->nb; b++) {
		if (m->newest != NULL)
			m->newest[b] = NONE32;
		if (m->chains != NULL)
			m->chains[b] = NONE32;
	}
	dg->keeping = p;
	return 1;
}

int
diag_evict_begin(struct diag *dg, struct flow *fl)
{
	struct keep_pass *p;

	diag_keep_cancel(dg);
	if (!flow_wants_evict(fl))
		return 0;
	if (dg->msgs_seen != fl->nmsgs)
		return -1;	/* diag_update first: renumbering needs it */
	if ((p = keep_pass_new(dg, fl, evict_phases)) == NULL ||
	    (p->idle = malloc((fl->nconns + 1) * sizeof *p->idle)) == NULL) {
		if (p != NULL)
			keep_pass_free(p);
		flow_evicted(fl, 0);	/* reading goes on, over the budget */
		return -1;
	}
	memset(p->k.txn, 1, dg->ntxns);
	dg->keeping = p;
	return 1;
}

/* A pass begun (1) runs to its end; else what its begin said. */
static long
keep_run(struct diag *dg, struct flow *fl, int begun)
{
	long result = begun;

	if (begun == 1)
		while (!diag_keep_step(dg, fl, SIZE_MAX, &result))
			;
	return result;
}

long
diag_retire(struct diag *dg, struct flow *fl, const uint8_t *retire)
{
	return keep_run(dg, fl, diag_retire_begin(dg, fl, retire));
}

long
diag_evict(struct diag *dg, struct flow *fl)
{
	return keep_run(dg, fl, diag_evict_begin(dg, fl));
}
