/*
 * link.c: finds the upstream evidence of each client transaction (DESIGN
 * §2) — the gateway's DNS look-up of the host, its connection attempts to
 * the answers, the upstream request and reply — and sets the verdict.
 * Concurrent requests for one host each take the nearest unclaimed
 * evidence; evidence that has to be reused is marked shared.
 */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../proto/http.h"
#include "diag.h"
#include "diag_int.h"
#include "masked.h"

#define MAX_CANDIDATE_ADDRS 16

struct window {
	const struct flow *fl;	/* the model the window looks into */
	int64_t from, to;
	int64_t req;			/* the request's first byte */
	const struct gw_addr *client;	/* the requesting client */
	uint16_t port;	/* where the gateway connects: the URL's, or a
			 * backend's (backend_addr) */
	bool backend_alone;	/* backend_addr's pick had no rival */
	uint32_t at_once;	/* the attempt backend_addr found the gateway
				 * opened at once for t, else NONE32 */
	int64_t resolved;	/* when t had its address: the answer of the
				 * look-up it waited for, else INT64_MIN */
	bool tunnel;		/* t is a CONNECT: TLS through it is its
				 * client's, no handshake of the gateway's */
};

int
diag_flags_reserve(uint8_t **flags, size_t *cap, size_t n)
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
sent_by_gateway(const struct diag *dg, const struct gw_addr *a,
    const struct gw_addr *client)
{
	if (dg->opts.gateway.family)
		return addr_eq(a, &dg->opts.gateway);
	return !addr_eq(a, client);
}

static bool
from_gateway(const struct diag *dg, const struct gw_addr *a,
    const struct window *w)
{
	return sent_by_gateway(dg, a, w->client);
}

/* Is c an attempt of the gateway's that may be a request's try: from
 * the gateway, and no health check of its (probes.c)? */
static bool
gateway_try(const struct diag *dg, const struct flow *fl,
    const struct conn *c, const struct window *w)
{
	return from_gateway(dg, &c->caddr, w) &&
	    !diag_probe(dg, fl, (uint32_t)(c - fl->conns));
}

/*
 * How far t's request is from an item that began at ts: the gateway acts
 * on a request within milliseconds, so the nearest item after the request
 * is its own; one that began before it (inside the clock-skew slack) only
 * wins when nothing after does.
 */
static int64_t
distance(const struct window *w, int64_t ts)
{
	if (ts >= w->req)
		return ts - w->req;
	return add_sat(add_sat(w->req, -ts), DIAG_SLACK_NS);
}

/* Which of two candidates (a, the best so far, or NONE32) is nearer. */
static bool
nearer(const struct window *w, int64_t ts, uint32_t i, int64_t best_ts,
    uint32_t best)
{
	int64_t d = distance(w, ts), bd;

	if (best == NONE32)
		return true;
	bd = distance(w, best_ts);
	return d < bd || (d == bd && i < best);
}

/* What an upstream request's reply must be for the gateway's answer. */
enum reply_need {
	NEED_RELAYED,	/* the status the gateway answered, relayed */
	NEED_RELAYED_LATE,	/* that, after retries: relayed at once */
	NEED_FIT,	/* none in time, or one the answer can follow */
	NEED_FIT_OR_JUNK	/* a success may have relayed junk (masked) */
};

/* What a candidate must be besides lying in the window. */
struct fit {
	const struct diag *dg;
	const struct flow *fl;
	const struct txn *t;
	const struct window *w;
	const struct gw_addr *addr;	/* connections: the server's */
	int64_t until;			/* the latest start taken */
	bool (*fits)(const struct fit *f, uint32_t item);
	const uint8_t *claimed;
	const uint32_t *rejected;	/* tried and found not to fit */
	unsigned nrejected;
	uint32_t on_conn;		/* upstream requests: this conn's */
	uint8_t need;			/* upstream requests: enum reply_need */
	/* connections: t's try on a pooled connection, from its request
	 * to its end, when no other began for it (pooled_try) */
	int64_t pooled_from, pooled_until;
};

static bool
rejected(const struct fit *f, uint32_t item)
{
	for (unsigned k = 0; k < f->nrejected; k++)
		if (f->rejected[k] == item)
			return true;
	return false;
}

struct pick {
	uint32_t item;		/* NONE32: none yet */
	int64_t ts;
};

static void
consider(const struct window *w, struct pick *pk, uint32_t item, int64_t ts)
{
	if (nearer(w, ts, item, pk->ts, pk->item)) {
		pk->item = item;
		pk->ts = ts;
	}
}

/*
 * The candidate of l nearest to the request, scanning out from the
 * request's time both ways and stopping each way at the first unclaimed
 * one that fits, so the cost is what lies between, not the window; the
 * claimed ones met on the way go to *shared (the fallback). The gateway
 * cannot act on a request before it came: backwards only the clock skew
 * of an `-i any` capture is allowed (what came earlier is in flight or
 * cached, and found as such).
 */
static void
pick_nearest(const struct fit *f, const struct key_list *l,
    struct pick *best, struct pick *shared)
{
	size_t mid;

	if (l == NULL)
		return;
	mid = key_lower(l, f->w->req);
	for (size_t p = mid; p < l->n && l->ts[p] <= f->until; p++) {
		uint32_t i = l->items[p];

		if (rejected(f, i) || !f->fits(f, i))
			continue;
		consider(f->w, f->claimed[i] == CLAIM_TAKEN ? shared : best,
		    i, l->ts[p]);
		if (f->claimed[i] != CLAIM_TAKEN)
			break;
	}
	for (size_t p = mid; p > 0 && l->ts[p - 1] >= add_sat(f->w->req,
	    -DIAG_SKEW_NS); p--) {
		uint32_t i = l->items[p - 1];

		if (rejected(f, i) || !f->fits(f, i))
			continue;
		consider(f->w, f->claimed[i] == CLAIM_TAKEN ? shared : best,
		    i, l->ts[p - 1]);
		if (f->claimed[i] != CLAIM_TAKEN)
			break;
	}
}

/*
 * A kept resolver socket (a proxy's own) asks again for a name only for a
 * request that came after its answer: a query of a type answered already,
 * or one sent over LOOKUP_PAIR_NS after the look-up's first answer, starts
 * another look-up, not a retry (squid asks AAAA just after its A was
 * answered, 0.1 ms after: the same look-up).
 */
#define LOOKUP_PAIR_NS (2LL * 1000000LL)
struct answered {
	int64_t at;		/* the look-up's first answer; INT64_MAX: none */
	unsigned types;		/* bit per query type answered (A, AAAA, other) */
};

static unsigned
type_bit(uint16_t qtype)
{
	return qtype == DNS_T_A ? 1u : qtype == DNS_T_AAAA ? 2u : 4u;
}

static bool
new_lookup(const struct dns_query *q0, const struct dns_query *q,
    const struct answered *a, bool resend)
{
	return q0->socket_kept && q->query.ts_ns >= a->at &&
	    ((a->types & type_bit(q->qtype)) != 0 ||
	    (!resend && q->query.ts_ns > add_sat(a->at, LOOKUP_PAIR_NS)));
}

static void
answered_add(struct answered *a, const struct dns_query *q)
{
	if (q->rcode < 0)
		return;
	if (q->answer.ts_ns < a->at)
		a->at = q->answer.ts_ns;
	a->types |= type_bit(q->qtype);
}

/*
 * Is q a resend of q0's query? nginx sends a look-up again every 5 s
 * (resend_timeout) with the same ID while a request waits for it, each
 * request giving up after its own resolver_timeout, so a request may
 * wait on a look-up asked long before it (up to DIAG_INFLIGHT_NS); with
 * two resolvers it sends to each in turn, from one socket per resolver.
 */
static bool
resent(const struct dns_query *q0, const struct dns_query *q)
{
	return q->id == q0->id && q->qtype == q0->qtype &&
	    addr_eq(&q->client, &q0->client) &&
	    (diag_same_socket(q0, q) ? q0->socket_kept || q->socket_kept :
	    (q0->socket_kept && q->socket_kept) ||
	    !addr_eq(&q0->server, &q->server));
}

/* The look-up's query of q's type: its first, or the pair beside it. */
static const struct dns_query *
like_query(const struct dns_query *q, const struct dns_query *q0,
    const struct dns_query *pair)
{
	return q->qtype == q0->qtype ? q0 :
	    pair != NULL && q->qtype == pair->qtype ? pair : NULL;
}

/* Does a kept socket's query q ask for the type of the look-up's first
 * query or of its pair under another ID? A proxy's own socket resends
 * with the same ID (nginx, squid): q begins another look-up (squid's
 * next, once it gave the silent one up). */
static bool
new_id(const struct dns_query *q, const struct dns_query *q0,
    const struct dns_query *pair)
{
	const struct dns_query *like = like_query(q, q0, pair);

	return q->socket_kept && like != NULL && q->id != like->id;
}

/*
 * A look-up: query `first` and what the same socket asked for the same
 * name after it until `until` (its retries, the AAAA beside the A), and
 * its resends from another socket. A long one keeps its first query and
 * its newest: the answer comes last.
 */
static void
add_lookup(const struct diag *dg, const struct flow *fl, struct txn *t,
    uint32_t first, int64_t until)
{
	const struct dns_query *q0 = &fl->dns[first];
	const char *name = flow_str(fl, q0->qname);
	const struct key_list *l = key_find(&dg->by_name, name_hash(name));
	struct answered answered = { INT64_MAX, 0 };
	const struct dns_query *pair = NULL;	/* the AAAA beside the A */
	unsigned taken = 0;

	for (size_t p = l ? key_lower(l, q0->query.ts_ns) : 0;
	    l && p < l->n && l->ts[p] <= until && taken < DIAG_CACHE_WALK;
	    p++) {
		uint32_t i = l->items[p];
		const struct dns_query *q = &fl->dns[i], *like;
		bool same = diag_same_socket(q, q0);

		if (i < first)
			continue;
		if ((!same && !resent(q0, q) && (pair == NULL ||
		    !resent(pair, q))) ||
		    strcasecmp(flow_str(fl, q->qname), name) != 0)
			continue;
		if (same && pair == NULL && q->qtype != q0->qtype &&
		    q->query.ts_ns <= add_sat(q0->query.ts_ns, DIAG_SLACK_NS))
			pair = q;
		/* a resend of the type not answered yet is the look-up's:
		 * nginx resends the AAAA beside an answered A, waiting for
		 * both */
		like = like_query(q, q0, pair);
		if (new_lookup(q0, q, &answered, like != NULL &&
		    q->id == like->id) || (same && new_id(q, q0, pair)))
			break;
		answered_add(&answered, q);
		/* claimed sends from before the request: the look-up t
		 * waited for, shared */
		if (dg->dns_claimed[i] && !t->d.shared && i != first &&
		    q->query.ts_ns >= fl->msgs[t->req].start.ts_ns)
			continue;
		if (t->d.ndns == DIAG_MAX_DNS) {
			memmove(&t->d.dns[1], &t->d.dns[2], (DIAG_MAX_DNS - 2) *
			    sizeof t->d.dns[0]);
			t->d.ndns--;
		}
		t->d.dns[t->d.ndns++] = i;
		taken++;
	}
}

/* The first query of the look-up q belongs to: what the same socket
 * asked for the same name just before it (the A before the AAAA), not
 * before a kept socket's earlier look-up was answered; and the earlier
 * sends of a kept socket's query. */
uint32_t
diag_lookup_start(const struct diag *dg, const struct flow *fl, uint32_t qi)
{
	const struct dns_query *q0 = &fl->dns[qi];
	const struct key_list *l = key_find(&dg->by_name,
	    name_hash(flow_str(fl, q0->qname)));
	uint32_t first = qi;
	unsigned steps = 0, moves = 0;

	/* past other sockets' queries for the name (another proxy asks
	 * too), as far back as DIAG_LOOKUP_WALK of its own */
	for (size_t p = l ? key_lower(l, q0->query.ts_ns) : 0; p > 0 &&
	    steps < DIAG_CACHE_WALK && moves < DIAG_LOOKUP_WALK;
	    p--, steps++) {
		const struct dns_query *q = &fl->dns[l->items[p - 1]];
		const struct dns_query *f0 = &fl->dns[first];
		bool near = f0->query.ts_ns - q->query.ts_ns <= DIAG_SLACK_NS;

		/* each send within DIAG_INFLIGHT_NS of the next: nginx
		 * resends while requests wait, however long (the busy lab's
		 * for 35 s); a socket not known as a resolver's own resends
		 * only to another server, from another socket */
		if (!near && (f0->query.ts_ns - q->query.ts_ns >
		    DIAG_INFLIGHT_NS || (!q0->socket_kept &&
		    !fl->dns_servers_many)))
			break;
		/* further back only a resend joins (its ID tells at once) */
		if (l->items[p - 1] >= first || (!near && (q->rcode >= 0 ||
		    !resent(q0, q))) || strcasecmp(flow_str(fl, q->qname),
		    flow_str(fl, q0->qname)) != 0)
			continue;
		if (near && diag_same_socket(q, f0)) {
			struct answered earlier = { INT64_MAX, 0 };

			answered_add(&earlier, q);
			if (new_lookup(f0, f0, &earlier, false))
				break;
			first = l->items[p - 1];
			moves++;
		} else if (resent(q0, q) && q->rcode < 0) {
			/* unanswered: the newest send takes the answer */
			first = l->items[p - 1];
			moves++;
		}
	}
	return first;
}

/*
 * The DNS look-up in the window: the unclaimed query for host nearest to
 * the request, then what the same socket asked after it (its retries).
 */
static bool
fits_dns(const struct fit *f, uint32_t i)
{
	const struct dns_query *q = &f->fl->dns[i];

	return from_gateway(f->dg, &q->client, f->w) &&
	    !diag_foreign_query(f->fl, f->t, q) &&
	    strcasecmp(flow_str(f->fl, q->qname), flow_str(f->fl,
	    f->t->host)) == 0;
}

/* A query of a look-up that began once the request had come: a query
 * just after the request may be the AAAA of a look-up asked for another
 * request just before it. */
static bool
fits_own_dns(const struct fit *f, uint32_t i)
{
	return fits_dns(f, i) && f->fl->dns[diag_lookup_start(f->dg, f->fl,
	    i)].query.ts_ns >= f->w->req;
}

/* The nearest unclaimed look-up of its own, else the nearest one at all
 * (in flight when the request came, or shared). */
static bool
link_dns(struct diag *dg, const struct flow *fl, struct txn *t,
    const struct window *w, int64_t until)
{
	struct fit f = { dg, fl, t, w, NULL, until < w->to ? until : w->to,
	    fits_own_dns, dg->dns_claimed, NULL, 0, NONE32, NEED_FIT, 0, 0 };
	const struct key_list *l = key_find(&dg->by_name, t->host_hash);
	struct pick best = { NONE32, 0 }, shared = { NONE32, 0 };

	pick_nearest(&f, l, &best, &shared);
	if (best.item == NONE32) {
		f.fits = fits_dns;
		shared.item = NONE32;
		pick_nearest(&f, l, &best, &shared);
	}
	if (best.item == NONE32) {
		if (shared.item == NONE32)
			return false;
		best = shared;
		t->d.shared = true;
	}
	t->d.dns_link = LINK_TIME;
	add_lookup(dg, fl, t, diag_lookup_start(dg, fl, best.item), w->to);
	return true;
}

/* Was q asked before the request within DIAG_INFLIGHT_NS, and not
 * answered before it? */
static bool
inflight_at(const struct dns_query *q, int64_t req)
{
	return q->query.ts_ns >= add_sat(req, -DIAG_INFLIGHT_NS) &&
	    (q->rcode < 0 || q->answer.ts_ns >= req);
}

/*
 * A look-up still in flight when the request came (asked before it, not
 * answered yet): the gateway waits for it rather than asking again. The
 * newest, but where the resolver of the request's proxy port is known
 * and the newest is not its (another proxy's socket, not known yet:
 * nginx with three servers has each socket ask a third of the names),
 * that resolver's own look-up in flight, if there is one; so too where
 * such a newest one was answered already (nginx told REFUSED on its
 * third socket while squid's look-up was silent). A newest one from a
 * socket of no resolver's that came at once after a request for the name
 * on the request's own port is that proxy's: nginx, its waiters given up,
 * begins a new look-up (a new ID) from its next server's socket, maybe
 * never seen before, while the old one, unanswered and resent seconds
 * before, still looks in flight.
 */
uint32_t
diag_inflight_query(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct gw_addr *client, int64_t from,
    int64_t req)
{
	const char *host = flow_str(fl, t->host);
	const struct key_list *l = key_find(&dg->by_name, t->host_hash);
	uint16_t port = fl->conns[t->conn].sport;
	int64_t end = txn_end_ns(fl, t, fl->stats.last_ts);
	uint32_t newest = NONE32;
	unsigned steps = 0;

	for (size_t p = l ? key_lower(l, from) : 0;
	    p > 0 && steps < DIAG_CACHE_WALK; p--, steps++) {
		uint32_t i = l->items[p - 1];
		const struct dns_query *q = &fl->dns[i];

		if (!sent_by_gateway(dg, &q->client, client) ||
		    diag_foreign_query(fl, t, q) ||
		    strcasecmp(flow_str(fl, q->qname), host) != 0)
			continue;
		if (q->query.ts_ns < add_sat(req, -DIAG_INFLIGHT_NS))
			break;
		if (newest == NONE32) {
			bool own = dns_own_resolver(fl, q, port, end) ||
			    !dns_port_resolver_known(fl, port, end) ||
			    (q->resolver == 0 && q->asked_for == port);

			if (!inflight_at(q, req)) {
				if (own)
					return NONE32;	/* the newest was over */
				continue;	/* another's: its own may not be */
			}
			if (own)
				return i;
			newest = i;
			continue;
		}
		if (dns_own_resolver(fl, q, port, end))
			return inflight_at(q, req) ? i : newest;
	}
	return newest;
}

static bool
link_dns_inflight(struct diag *dg, const struct flow *fl, struct txn *t,
    const struct window *w)
{
	uint32_t i = diag_inflight_query(dg, fl, t, w->client, w->req,
	    w->req);

	if (i == NONE32)
		return false;
	t->d.dns_link = LINK_TIME;
	t->d.shared = dg->dns_claimed[i] != 0;
	add_lookup(dg, fl, t, diag_lookup_start(dg, fl, i), w->to);
	return true;
}

uint32_t
diag_cache_ttl(const struct flow *fl, const struct dns_query *q)
{
	uint64_t ttl = UINT32_MAX;
	bool any_addr = false;

	for (unsigned j = 0; j < q->nanswers; j++) {
		const struct dns_answer *a = &fl->dns_answers[q->first_answer + j];

		if (a->addr.family) {
			any_addr = true;
			if (a->ttl < ttl)
				ttl = a->ttl;
		}
	}
	if (!any_addr)
		ttl = q->neg_ttl ? q->neg_ttl : DIAG_NEG_TTL_S;
	else if (ttl < DIAG_CACHE_MIN_S)
		ttl = DIAG_CACHE_MIN_S;	/* proxies keep addresses at least so long */
	return ttl > DIAG_CACHE_MAX_S ? DIAG_CACHE_MAX_S : (uint32_t)ttl;
}

/*
 * What a resolver's cache keeps: addresses, or NXDOMAIN (RFC 2308). An
 * empty NOERROR (no AAAA beside the A) says nothing of the host, and
 * proxies do not cache SERVFAIL or REFUSED.
 */
bool
diag_gave_address(const struct flow *fl, const struct dns_query *q)
{
	for (unsigned j = 0; j < q->nanswers; j++)
		if (fl->dns_answers[q->first_answer + j].addr.family)
			return true;
	return false;
}

bool
diag_cache_entry(const struct flow *fl, const struct dns_query *q)
{
	return q->rcode == 3 || (q->rcode == 0 && diag_gave_address(fl, q));
}

/*
 * Was q's name asked for again after q's answer, up to `until`? A
 * resolver asks only for what its cache no longer holds, so q had expired
 * there, whatever its TTL (raised to DIAG_CACHE_MIN_S) said: a request
 * after that waits for the new look-up. The query beside q's own (the
 * AAAA after the A) is not asking again. Whoever asked: the newest query
 * for the name decides, so that retirement (diag_keep_step) can tell the
 * same from the queries it keeps. l: the look-ups of q's name (by_name).
 */
bool
diag_asked_again(const struct flow *fl, const struct key_list *l,
    const struct dns_query *q, const struct txn *t, int64_t until)
{
	const char *name = flow_str(fl, q->qname);
	unsigned steps = 0;

	for (size_t p = l ? key_lower(l, add_sat(until, 1)) : 0;
	    p > 0 && steps < DIAG_CACHE_WALK; p--, steps++) {
		const struct dns_query *a = &fl->dns[l->items[p - 1]];

		if ((t == NULL || !diag_foreign_query(fl, t, a)) &&
		    strcasecmp(flow_str(fl, a->qname), name) == 0)
			return a->query.ts_ns > add_sat(q->answer.ts_ns,
			    DIAG_SLACK_NS);
	}
	return false;
}

bool
diag_cache_valid(const struct flow *fl, const struct dns_query *q,
    int64_t at)
{
	return q->rcode >= 0 && q->answer.number != 0 &&
	    at <= add_sat(q->answer.ts_ns,
	    (int64_t)diag_cache_ttl(fl, q) * 1000000000LL);
}

/*
 * The gateway's cached answer for host: the newest answer it received
 * before `before`, if still valid at `at`. NONE32 when there is none.
 * The walk is bounded: a cache holds one answer per name.
 */
uint32_t
diag_cached_answer(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct gw_addr *client, int64_t before,
    int64_t at)
{
	const char *host = flow_str(fl, t->host);
	const struct key_list *l = key_find(&dg->by_name, t->host_hash);
	unsigned steps = 0;

	for (size_t p = l ? key_lower(l, add_sat(before, 1)) : 0;
	    p > 0 && steps < DIAG_CACHE_WALK; p--, steps++) {
		uint32_t i = l->items[p - 1];
		const struct dns_query *q = &fl->dns[i];

		if (!diag_cache_entry(fl, q) || q->answer.ts_ns > before ||
		    !sent_by_gateway(dg, &q->client, client) ||
		    diag_foreign_query(fl, t, q) ||
		    strcasecmp(flow_str(fl, q->qname), host) != 0)
			continue;
		return diag_cache_valid(fl, q, at) &&
		    !diag_asked_again(fl, l, q, t, before) ? i : NONE32;
	}
	return NONE32;
}

/*
 * Two proxies on one gateway (or an nginx's workers) keep a cache each,
 * behind a resolver socket each: one may still hold an answer another
 * has let go and asked for again. Their sockets' queries are marked
 * socket_kept (dnslog.c); a socket's newest query for the name decides
 * what that cache holds: an answer, or nothing while it asks (an empty
 * NOERROR, the AAAA beside an A, says nothing). Once a socket is known,
 * one not known yet is a cache too (nginx with three servers asks from
 * each a third of its names, and is known late): whose it is, the
 * gateway's attempts tell (cache_used).
 */
size_t
diag_socket_caches(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct gw_addr *client, int64_t before,
    uint32_t newest, uint32_t *out, size_t max)
{
	const char *host;
	const struct key_list *l;
	const struct dns_query *seen[DIAG_SOCKETS];
	size_t nseen = 0, nkept = 0, n = 0;
	unsigned steps = 0, past_kept = 0;
	bool unknown = false;	/* a socket not known yet was seen */

	if (fl->dns_kept_sockets == 0)
		return 0;	/* no resolver socket of a proxy's own */
	host = flow_str(fl, t->host);
	l = key_find(&dg->by_name, t->host_hash);
	if (newest != NONE32) {
		seen[nseen++] = &fl->dns[newest];
		nkept += fl->dns[newest].socket_kept;
		unknown = !fl->dns[newest].socket_kept;
	}
	/* every kept socket seen, a few queries more for one not known */
	for (size_t p = l ? key_lower(l, add_sat(before, 1)) : 0; p > 0 &&
	    steps < DIAG_CACHE_WALK && nseen < DIAG_SOCKETS && n < max &&
	    (nkept < fl->dns_kept_sockets || (!unknown &&
	    past_kept++ < DIAG_SOCKETS)); p--, steps++) {
		uint32_t i = l->items[p - 1];
		const struct dns_query *q = &fl->dns[i];
		size_t k;

		if ((q->rcode == 0 && !diag_cache_entry(fl, q)) ||
		    !sent_by_gateway(dg, &q->client, client) ||
		    diag_foreign_query(fl, t, q) ||
		    strcasecmp(flow_str(fl, q->qname), host) != 0)
			continue;
		for (k = 0; k < nseen && !diag_same_socket(seen[k], q); k++)
			;
		if (k < nseen)
			continue;
		seen[nseen++] = q;
		nkept += q->socket_kept;
		unknown |= !q->socket_kept;
		if (diag_cache_entry(fl, q) && q->answer.ts_ns <= before &&
		    diag_cache_valid(fl, q, before))
			out[n++] = i;
	}
	return n;
}

/* No look-up of its own: the gateway answered from its cache, i
 * (diag_cached_answer; NONE32 when it held nothing). */
static bool
link_dns_cache(struct txn *t, uint32_t i)
{
	if (i == NONE32)
		return false;
	/* the answer that gave the address (or the NXDOMAIN) */
	t->d.dns_link = LINK_CACHE;
	t->d.dns[t->d.ndns++] = i;
	return true;
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

/* Is c the gateway's connection (or attempt) to addr at w's port? */
static bool
gateway_conn_to(const struct diag *dg, const struct flow *fl,
    const struct conn *c, const struct gw_addr *addr,
    const struct window *w)
{
	return c->sport == w->port && addr_eq(&c->saddr, addr) &&
	    c->role != CONN_CLIENT && gateway_try(dg, fl, c, w);
}

/* Does q's answer name this address? */
static bool
answers_addr(const struct flow *fl, const struct dns_query *q,
    const struct gw_addr *a)
{
	for (unsigned j = 0; j < q->nanswers; j++)
		if (addr_eq(&fl->dns_answers[q->first_answer + j].addr, a))
			return true;
	return false;
}

/* How many gateway attempts to addr at w's port began in [from, to)
 * (UINT_MAX: over DIAG_CACHE_WALK). */
static unsigned
attempts_between(const struct diag *dg, const struct flow *fl,
    const struct window *w, const struct gw_addr *addr,
    int64_t from, int64_t to)
{
	const struct key_list *l = key_find(&dg->by_dst,
	    dst_hash(addr, w->port));
	unsigned n = 0, steps = 0;

	for (size_t p = l ? key_lower(l, from) : 0; l && p < l->n &&
	    l->ts[p] < to; p++) {
		if (++steps > DIAG_CACHE_WALK)
			return UINT_MAX;	/* too many to count: plenty */
		if (gateway_conn_to(dg, fl, &fl->conns[l->items[p]], addr, w))
			n++;
	}
	return n;
}

/*
 * Was an attempt to addr at `at` a look-up's asker's, not a cached
 * answer's? It was when an answer for t's host naming addr reached the
 * gateway just before (DIAG_ANSWER_ACT_NS), or when more such answers
 * came in the slack before it than the gateway made attempts to addr
 * since the first of them: each asker connects once, however long a
 * loaded proxy takes to get to it.
 */
static bool
answered_just_before(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, const struct gw_addr *addr,
    int64_t at)
{
	const struct key_list *l = key_find(&dg->by_name, t->host_hash);
	unsigned steps = 0, answers = 0;
	int64_t from = at;

	for (size_t p = l ? key_lower(l, add_sat(at, 1)) : 0; p > 0 &&
	    l->ts[p - 1] >= add_sat(at, -DIAG_SLACK_NS) &&
	    steps < DIAG_CACHE_WALK; p--, steps++) {
		const struct dns_query *q = &fl->dns[l->items[p - 1]];

		if (q->answer.number == 0 || q->answer.ts_ns > at ||
		    !from_gateway(dg, &q->client, w) ||
		    !answers_addr(fl, q, addr))
			continue;
		if (q->answer.ts_ns >= add_sat(at, -DIAG_ANSWER_ACT_NS))
			return true;
		answers++;
		if (q->answer.ts_ns < from)
			from = q->answer.ts_ns;
	}
	return answers > 0 &&
	    attempts_between(dg, fl, w, addr, from, at) < answers;
}

/*
 * Did a request for t's host come to another proxy port on the gateway
 * within the clock's skew before `at`? An attempt then is that proxy's
 * (squid connecting for its own request while nginx answers from its
 * cached NXDOMAIN), no sign of the cache t's proxy used.
 */
static bool
other_proxy_asked(const struct diag *dg, const struct flow *fl,
    const struct txn *t, int64_t at)
{
	const struct key_list *l = key_find(&dg->by_req, t->host_hash);
	const char *host = flow_str(fl, t->host);
	uint16_t port = fl->conns[t->conn].sport;
	unsigned steps = 0;

	for (size_t p = l ? key_lower(l, add_sat(at, 1)) : 0; p > 0 &&
	    l->ts[p - 1] >= add_sat(at, -DIAG_SKEW_NS) &&
	    steps < DIAG_CACHE_WALK; p--, steps++) {
		const struct txn *u = &dg->txns[l->items[p - 1]];

		if (u != t && fl->conns[u->conn].sport != port &&
		    strcasecmp(flow_str(fl, u->host), host) == 0)
			return true;
	}
	return false;
}

/*
 * When did the gateway first try an address of its cached answer i for
 * the host (the host's port) from the request on, before `until`?
 * INT64_MAX: it did not. If it did, the cache held the host when the
 * request came: a look-up it started later was for another request, once
 * the answer had expired. A rival cache (another socket's than the
 * newest answer) counts no attempt another proxy port's request for the
 * host may have made.
 */
static int64_t
cache_first_try(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, uint32_t i, int64_t until,
    bool rival)
{
	struct gw_addr addrs[MAX_CANDIDATE_ADDRS];
	int64_t first = INT64_MAX;
	size_t n;

	if (i == NONE32)
		return first;
	n = answer_addrs(fl, &fl->dns[i], addrs, 0, MAX_CANDIDATE_ADDRS);
	for (size_t a = 0; a < n; a++) {
		const struct key_list *l = key_find(&dg->by_dst,
		    dst_hash(&addrs[a], w->port));
		unsigned steps = 0;

		for (size_t p = l ? key_lower(l, w->req) : 0; l && p < l->n &&
		    l->ts[p] < until && l->ts[p] < first &&
		    steps < DIAG_CACHE_WALK; p++, steps++) {
			if (gateway_conn_to(dg, fl, &fl->conns[l->items[p]],
			    &addrs[a], w) && !answered_just_before(dg, fl, t, w,
			    &addrs[a], l->ts[p]) && !(rival &&
			    other_proxy_asked(dg, fl, t, l->ts[p]))) {
				first = l->ts[p];
				break;
			}
		}
	}
	return first;
}

/* The newest NXDOMAIN of cached and the n others (a resolver's socket's,
 * not a stub's, whose newer look-up replaced it; or any socket's beside
 * a kept socket's cached answer: two proxies' caches, early in a capture
 * before the other's sockets are known), else cached. */
static uint32_t
newest_nxdomain(const struct flow *fl, uint32_t cached,
    const uint32_t *others, size_t n)
{
	uint32_t best = cached != NONE32 && fl->dns[cached].rcode == 3 ?
	    cached : NONE32;
	bool beside_kept = cached != NONE32 && fl->dns[cached].socket_kept;

	for (size_t k = 0; k < n; k++) {
		const struct dns_query *q = &fl->dns[others[k]];

		if (q->rcode == 3 && (q->socket_kept || q->resolver != 0 ||
		    beside_kept) &&
		    (best == NONE32 ||
		    q->answer.ts_ns > fl->dns[best].answer.ts_ns))
			best = others[k];
	}
	return best != NONE32 ? best : cached;
}

/*
 * The cache the gateway answered t from: the newest answer for the host
 * (diag_cached_answer), or another socket's cached answer (two proxies'
 * caches) when the gateway tried an address of that one first, by
 * DIAG_CACHE_TIE_NS, before `until`; when it tried none and answered an
 * error, a socket's NXDOMAIN (a proxy that held an address would have
 * tried it: early in a capture, before the sockets are known as the
 * proxies', another proxy's newer answer is no rival). *tried (unless
 * NULL): it tried an address of the one returned.
 */
static uint32_t
cache_used(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, int64_t until, bool *tried)
{
	uint32_t cached = diag_cached_answer(dg, fl, t, w->client, w->req,
	    w->req);
	uint32_t others[DIAG_SOCKETS];
	size_t n = diag_socket_caches(dg, fl, t, w->client, w->req, cached,
	    others, DIAG_SOCKETS);
	int64_t first, newest;

	if (n == 0 && tried == NULL)
		return cached;	/* one cache: no attempt to weigh */
	/* an attempt after the gateway's answer was not t's (another
	 * proxy's, whose cache holds an address this one's has not) */
	if (until > add_sat(w->to, DIAG_SKEW_NS))
		until = add_sat(w->to, DIAG_SKEW_NS);
	first = newest = cache_first_try(dg, fl, t, w, cached, until, false);
	for (size_t k = 0; k < n; k++) {
		int64_t at = cache_first_try(dg, fl, t, w, others[k], until,
		    true);

		if (at < first && at < add_sat(newest, -DIAG_CACHE_TIE_NS)) {
			cached = others[k];
			first = at;
		}
	}
	if (first == INT64_MAX && t->is_error)
		cached = newest_nxdomain(fl, cached, others, n);
	if (tried != NULL)
		*tried = first != INT64_MAX;
	return cached;
}

/*
 * Was the gateway still retrying a look-up of the host from another
 * socket when the request came (its last query under two seconds
 * before)? A resolver asks again from the socket it asked from; a new
 * look-up from another socket while one is retried comes when that one
 * gives up, for whoever asks next: the request waited for the old one.
 */
static bool
retrying_elsewhere(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, const struct dns_query *own)
{
	uint32_t i = diag_inflight_query(dg, fl, t, w->client, w->req, w->req);

	return i != NONE32 && !diag_same_socket(&fl->dns[i], own) &&
	    fl->dns[i].query.ts_ns >= add_sat(w->req, -2 * DIAG_ACT_NS);
}

/*
 * Did t's look-up answer (name an address, with `addresses`) only after
 * the gateway answered (within the skew DIAG_SKEW_NS allows)?
 */
static bool
answered_after(const struct flow *fl, const struct txn *t, int64_t to,
    bool addresses)
{
	bool after = false;

	for (unsigned k = 0; k < t->d.ndns; k++) {
		const struct dns_query *q = &fl->dns[t->d.dns[k]];

		if (q->rcode < 0 || (addresses && (q->rcode != 0 ||
		    !diag_gave_address(fl, q))))
			continue;
		if (q->answer.ts_ns <= to)
			return false;
		after = true;
	}
	return after;
}

/* The query of the look-up in flight when t came, or NONE32. */
static uint32_t
inflight_at_request(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w)
{
	return diag_inflight_query(dg, fl, t, w->client, w->req, w->req);
}

/* Was i, the look-up in flight when t came (inflight_at_request), told
 * an error or NXDOMAIN before the gateway answered? */
static bool
inflight_failed(const struct flow *fl, const struct window *w, uint32_t i)
{
	return i != NONE32 && fl->dns[i].rcode > 0 &&
	    fl->dns[i].answer.ts_ns <= w->to;
}

/* Is q from the resolver of t's proxy port, that port's alone, as known
 * by t's end (flow's dns_sole_resolver)? */
static bool
port_own_query(const struct flow *fl, const struct txn *t,
    const struct dns_query *q)
{
	return dns_sole_resolver(fl, q, fl->conns[t->conn].sport,
	    txn_end_ns(fl, t, fl->stats.last_ts));
}

/* Was the resolver of t's proxy port (its alone) asking for the host
 * when t came (i: inflight_at_request)? Then that proxy held no answer
 * for it (it asks for what it does not know), whatever another proxy's
 * socket, not known yet, had cached. */
static bool
own_resolver_asking(const struct flow *fl, const struct txn *t, uint32_t i)
{
	return i != NONE32 && port_own_query(fl, t, &fl->dns[i]);
}

/*
 * Was i, the look-up in flight when t came (inflight_at_request), the one
 * whose answer is the cache (`cached`), still waiting for its other half
 * (the AAAA asked beside the A, unanswered through t's window)? A proxy
 * that waits for both
 * (nginx unless ipv6=off) never had the address: t waited for it (an
 * attempt to the address meanwhile was another request's, to a host
 * sharing it; one of t's own is linked through the look-up's A all the
 * same).
 */
static bool
half_inflight(const struct diag *dg, const struct flow *fl,
    const struct window *w, uint32_t i, uint32_t cached)
{
	const struct dns_query *q;

	if (i == NONE32)
		return false;
	q = &fl->dns[i];
	return q->qtype != fl->dns[cached].qtype &&
	    (q->rcode < 0 || q->answer.ts_ns > w->to) &&
	    diag_lookup_start(dg, fl, i) == cached;
}

/*
 * Its own look-up right after the request, else the cache, else one in
 * flight, else the nearest look-up in the window. A look-up right after
 * it that another request took already is that one's when the cache
 * still held the host: the gateway asks only for what it does not know.
 * Nor does it wait long to ask: a look-up that starts later than the
 * slack after the request, while one was in flight when it came, is
 * another request's; this one waited for the look-up in flight. So is
 * one, late or not, after the gateway had tried a cached address: it had
 * the host. The look-up was another cache's, a second proxy's or
 * worker's on the same gateway (nginx keeps an answer until the second
 * after its TTL ends, while squid beside it asks again), or a late
 * one for another request. A proxy that connects lazily, after the
 * client's next bytes, may still look up late on its own: without such
 * an attempt the look-up stays the request's. A look-up from another
 * socket while the one in flight was still retried, started over
 * DIAG_ASK_NS after the request, is the next one (retrying_elsewhere).
 */
static void
link_dns_any(struct diag *dg, const struct flow *fl, struct txn *t,
    const struct window *w)
{
	uint32_t cached;

	if (link_dns(dg, fl, t, w, add_sat(w->req, DIAG_ACT_NS))) {
		struct diagnosis own = t->d;
		const struct dns_query *q = &fl->dns[t->d.dns[0]];
		/* begun late, or answered after the gateway's own answer:
		 * the request did not wait for it. Within the skew, an
		 * address came too late all the same (the gateway answered
		 * without it), and so did a failure when the look-up in
		 * flight had failed before the answer (no skew needed) */
		bool late = q->query.ts_ns > add_sat(w->req, DIAG_SLACK_NS) ||
		    (q->answer.number &&
		    q->answer.ts_ns > add_sat(w->to, DIAG_SKEW_NS)) ||
		    answered_after(fl, t, w->to, true) ||
		    (answered_after(fl, t, w->to, false) &&
		    inflight_failed(fl, w, inflight_at_request(dg, fl, t,
		    w))),
		    /* a send just after the request of a look-up begun
		     * well before it (over the slack an A may lead its
		     * AAAA by) is a resend, the look-up's timer, not the
		     * request's doing: which look-up in flight it waited
		     * for is diag_inflight_query's to say (another proxy's
		     * may be in flight beside it) */
		    resend = q->query.ts_ns < add_sat(w->req, -DIAG_SLACK_NS),
		    waits = late || resend || (q->query.ts_ns > add_sat(w->req,
		    DIAG_ASK_NS) && retrying_elsewhere(dg, fl, t, w, q)), tried;
		cached = cache_used(dg, fl, t, w, q->query.ts_ns, &tried);

		if (!t->d.shared && !waits && !tried)
			return;
		t->d.ndns = 0;
		t->d.shared = false;
		/* shared, late or after a cached try: the cache, if the
		 * gateway had it (a look-up it shares asking the name
		 * again says it had not, and so does one the request's
		 * port's own resolver was asking) */
		if ((tried || (own.shared && cached != NONE32 &&
		    !diag_asked_again(fl, key_find(&dg->by_name,
		    t->host_hash), &fl->dns[cached], t, q->query.ts_ns) &&
		    !port_own_query(fl, t, q))) &&
		    link_dns_cache(t, cached))
			return;
		if (waits && link_dns_inflight(dg, fl, t, w))
			return;
		t->d = own;
		return;
	}
	cached = cache_used(dg, fl, t, w, add_sat(w->req, DIAG_SLACK_NS),
	    NULL);
	/* an error answered with no address of the cache tried, after the
	 * look-up in flight failed: the gateway waited for that one (an
	 * nginx request beside squid's cached answer) */
	if (cached != NONE32 && t->is_error) {
		uint32_t i = inflight_at_request(dg, fl, t, w);

		if ((inflight_failed(fl, w, i) && cache_first_try(dg, fl, t,
		    w, cached, w->to, false) == INT64_MAX) ||
		    half_inflight(dg, fl, w, i, cached) ||
		    own_resolver_asking(fl, t, i))
			cached = NONE32;
	}
	if (!link_dns_cache(t, cached) && !link_dns_inflight(dg, fl, t, w))
		link_dns(dg, fl, t, w, w->to);
}

/* Did the linked look-up answer this address? */
static bool
gave_address(const struct flow *fl, const struct txn *t,
    const struct gw_addr *a)
{
	for (unsigned k = 0; k < t->d.ndns; k++)
		if (answers_addr(fl, &fl->dns[t->d.dns[k]], a))
			return true;
	return false;
}

/* Addresses the host resolved to (following CNAMEs), or its literal IP. */
static size_t
candidate_addrs(const struct flow *fl, const struct txn *t,
    struct gw_addr *out, size_t max)
{
	size_t n = 0;

	if (host_literal(flow_str(fl, t->host), &out[0]))
		return 1;
	for (unsigned k = 0; k < t->d.ndns; k++)
		n = answer_addrs(fl, &fl->dns[t->d.dns[k]], out, n, max);
	return n;
}

/*
 * The first of n items (each `size` bytes, a frame_ref at `at` in it)
 * whose frame came at or after ts: the flow keeps its connections and
 * messages in the order they began.
 */
static size_t
began_lower(const void *items, size_t n, size_t size, size_t at,
    int64_t ts)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct frame_ref *r = (const struct frame_ref *)(const
		    void *)((const char *)items + mid * size + at);

		if (r->ts_ns < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t
conn_lower(const struct flow *fl, int64_t ts)
{
	return began_lower(fl->conns, fl->nconns, sizeof *fl->conns,
	    offsetof(struct conn, first), ts);
}

size_t
diag_msg_lower(const struct flow *fl, int64_t ts)
{
	return began_lower(fl->msgs, fl->nmsgs, sizeof *fl->msgs,
	    offsetof(struct http_msg, start), ts);
}

/* A frame this transaction could have seen: before its end + slack. */
static bool
seen(const struct window *w, const struct frame_ref *r)
{
	return r->number != 0 && r->ts_ns <= add_sat(w->to, DIAG_SLACK_NS);
}

/*
 * Did c's TLS handshake fail in t's time (handshake.c)? The gateway could
 * not send the request on it: an attempt that failed as a refused one
 * did, though it connected. Only connections that began with a
 * ClientHello pay for the question; a tunnel's TLS is its client's.
 */
static bool
tls_failed(const struct conn *c, const struct window *w,
    struct tls_end_at *e)
{
	struct tls_end_at none;

	return c->tls != NONE32 && !w->tunnel && diag_tls_end(w->fl, c,
	    add_sat(w->to, DIAG_SLACK_NS), e != NULL ? e : &none);
}

/* Did the gateway send its request (encrypted) on c in t's time: a TLS
 * connection whose handshake went through? */
static bool
tls_sent(const struct conn *c, const struct window *w)
{
	const struct conn_tls *tls = conn_tls(w->fl, c);

	return tls != NULL && !w->tunnel && seen(w, &tls->data);
}

/*
 * Did t's answer follow what ended c, a connection its request went on
 * over TLS: a close of either side, or the server's last record (its
 * reply), within DIAG_ACT_NS before the answer? Of the gateway's TLS
 * connections begun at once for several requests, this is the one
 * (a timeout's answer follows the gateway's close of its connection).
 */
static bool
tls_ended_at_answer(const struct flow *fl, const struct txn *t,
    const struct conn *c)
{
	const struct conn_tls *tls = conn_tls(fl, c);
	const struct frame_ref *ends[] = { &tls->gw_close, &tls->server_last,
	    &c->fin[0], &c->fin[1], &c->rst };
	int64_t answer;

	if (t->resp == NONE32)
		return false;
	answer = fl->msgs[t->resp].head.ts_ns;
	for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++)
		if (ends[k]->number != 0 && ends[k]->ts_ns <= answer &&
		    ends[k]->ts_ns >= add_sat(answer, -DIAG_ACT_NS) &&
		    ends[k]->ts_ns > tls->data.ts_ns)
			return true;
	return false;
}

/* Did c connect, in t's time, so that the gateway could send on it? */
static bool
conn_up(const struct conn *c, const struct window *w)
{
	return seen(w, &c->synack) && !tls_failed(c, w, NULL);
}

static bool
fits_conn(const struct fit *f, uint32_t i)
{
	int64_t began = f->fl->conns[i].first.ts_ns;

	return gateway_conn_to(f->dg, f->fl, &f->fl->conns[i], f->addr,
	    f->w) && !(began >= f->pooled_from && began < f->pooled_until) &&
	    began >= add_sat(f->w->resolved, -DIAG_SKEW_NS);
}

/* SYNs of c sent by `at`. */
static unsigned
syns_by(const struct conn *c, int64_t at)
{
	unsigned n = c->nsyn;

	while (n > 0 && conn_syn(c, n - 1)->ts_ns > at)
		n--;
	return n;
}

/* SYNs the transaction could have seen (up to its end + slack). */
static unsigned
syns_seen(const struct conn *c, const struct window *w)
{
	return syns_by(c, add_sat(w->to, DIAG_SLACK_NS));
}

/* The last frame of an attempt the transaction saw: SYN, RST, ICMP, or
 * the one that showed its TLS handshake failed. */
static int64_t
attempt_seen_ns(const struct conn *c, const struct window *w)
{
	const struct frame_ref *icmp = &conn_icmp(w->fl, c)->first;
	unsigned n = syns_seen(c, w);
	int64_t at = n ? conn_syn(c, n - 1)->ts_ns : c->first.ts_ns;
	struct tls_end_at tls;

	if (seen(w, &c->rst) && c->rst.ts_ns > at)
		at = c->rst.ts_ns;
	if (seen(w, icmp) && icmp->ts_ns > at)
		at = icmp->ts_ns;
	if (tls_failed(c, w, &tls) && tls.at.ts_ns > at)
		at = tls.at.ts_ns;
	return at;
}

/*
 * When the gateway gave up on an attempt: its RST or ICMP error, else
 * the next SYN retransmission that never came (the backoff doubles).
 */
static int64_t
attempt_over_ns(const struct conn *c, const struct window *w)
{
	const struct conn_icmp *e = conn_icmp(w->fl, c);
	int64_t gap = 1000000000LL;	/* the initial RTO */
	int64_t last, step;
	unsigned n = syns_seen(c, w);
	struct tls_end_at tls;

	if (tls_failed(c, w, &tls))
		return tls.at.ts_ns;
	if (c->rst_from_server && seen(w, &c->rst))
		return c->rst.ts_ns;
	/* a SYN sent again after an ICMP error (a soft one to the kernel:
	 * the lab's ICMPv6 prohibited): given up at the last one, up to
	 * the answer */
	if (seen(w, &e->last) && e->last.ts_ns <= add_sat(w->to, DIAG_SKEW_NS))
		return e->last.ts_ns;
	if (seen(w, &e->first))
		return e->first.ts_ns;
	if (n == 0)
		return c->first.ts_ns;
	last = conn_syn(c, n - 1)->ts_ns;
	/* the backoff doubles: the next would have come twice the last
	 * step later */
	step = n >= 2 ? last - conn_syn(c, n - 2)->ts_ns : 0;
	if (step > 0)
		gap = 2 * step;
	return add_sat(last, gap);
}

/* The k-th response on a connection answers its k-th request. */
static uint32_t
response_to(const struct flow *fl, uint32_t req)
{
	return fl->msgs[req].pair;
}

/*
 * Does the gateway's request up keep the method of the client's req? A
 * proxy passes it on as it came (a POST stays a POST: many clients send
 * GET and POST for one path at once), but for HEAD, which a caching
 * nginx asks as GET (proxy_cache_convert_head), and CONNECT.
 */
static bool
same_method(const struct flow *fl, const struct http_msg *req,
    const struct http_msg *up)
{
	const char *m = flow_str(fl, req->method);
	const char *u = flow_str(fl, up->method);

	/* bytes that name no request say nothing; a tunnel carries the
	 * client's own requests */
	if (u[0] == '\0' || strcmp(m, "CONNECT") == 0)
		return true;
	return strcmp(m, u) == 0 || (req->head_method && strcmp(u, "GET") == 0);
}

/* Does the upstream request ask for what the client asked for? */
bool
diag_same_resource(const struct flow *fl, const struct txn *t,
    const struct http_msg *up)
{
	const char *url = flow_str(fl, t->url);
	const char *target = flow_str(fl, up->target);
	const char *path;
	bool same;

	if (strcmp(url, target) == 0)
		same = true;
	else {	/* origin form upstream: compare with the URL's path */
		path = http_url_sep(url);
		path = path ? strchr(path + 3, '/') : NULL;
		same = path != NULL ? strcmp(path, target) == 0 :
		    url[0] == '\0' || target[0] == '\0';
	}
	return same && same_method(fl, &fl->msgs[t->req], up);
}

/*
 * Was c closed (by the gateway, or the server) by the answer, or does
 * the capture stop before it could show that? A gateway that answers an
 * error for a request it sent without a reply gives the connection up:
 * it cannot use one again with a request outstanding.
 */
static bool
given_up(const struct flow *fl, const struct conn *c, const struct window *w)
{
	return seen(w, &c->fin[0]) || seen(w, &c->fin[1]) ||
	    seen(w, &c->rst) ||
	    fl->stats.last_ts <= add_sat(w->to, DIAG_SLACK_NS);
}

/*
 * Was the connection reset, or closed by the server (`by_gateway`: or
 * by the gateway), over a second before the answer? A gateway sees that
 * at once: it answers, or tries again, then; it does not wait on a
 * closed connection. (First RST and FIN: what a capture read in slices
 * has seen by then as well.)
 */
static bool
closed_long_before(const struct conn *c, const struct window *w,
    bool by_gateway)
{
	int64_t at = INT64_MAX;

	if (c->rst.number)
		at = c->rst.ts_ns;
	if (c->fin[1].number && c->fin[1].ts_ns < at)
		at = c->fin[1].ts_ns;
	if (by_gateway && c->fin[0].number && c->fin[0].ts_ns < at)
		at = c->fin[0].ts_ns;
	return at != INT64_MAX && add_sat(at, DIAG_ACT_NS) < w->to;
}

static bool server_closed_first(const struct conn *c, const struct window *w,
    bool pooled);

/*
 * A gateway refuses a reply it cannot pass on though its status line
 * parsed: a status outside 100-599 (RFC 9110 15: invalid; squid answers
 * 502, nginx relays it), a transfer coding other than chunked (squid:
 * ERR_INVALID_RESP; nginx relays it), a head more than it reads (nginx:
 * "upstream sent too big header") or a body it cannot frame ("upstream
 * sent invalid chunked response"); it answers its error at once, or
 * closes the client's connection without one.
 */
static bool
refused_reply(const struct flow *fl, const struct txn *t,
    const struct window *w, const struct http_msg *m)
{
	if (!t->is_error || add_sat(m->head.ts_ns, DIAG_ACT_NS) < w->to)
		return false;
	return m->bad_body || m->status > 599 || (t->status != 0 &&
	    (m->odd_coding || diag_head_too_big(fl, m)));
}

/* Did the valid reply r come after the answer, beyond the skew? The
 * gateway cannot have relayed it: it gave up waiting before (a 504 at
 * its read timeout: the request went out a while before the answer),
 * or the request was another's, answered at once for a failure of its
 * own. */
static bool
relayed_too_late(const struct flow *fl, const struct window *w, uint32_t r)
{
	return fl->msgs[r].valid &&
	    fl->msgs[r].head.ts_ns > add_sat(w->to, DIAG_SKEW_NS);
}

/*
 * Could the gateway have answered t after up_req's reply? A valid reply
 * that came in time is what it relayed, so its status must be t's; junk
 * is relayed by an error, or by a success only when masked_ok.
 */
static bool
reply_fits(const struct flow *fl, const struct txn *t,
    const struct window *w, uint32_t up_req, bool masked_ok)
{
	uint32_t r = response_to(fl, up_req);
	const struct conn *c = &fl->conns[fl->msgs[up_req].conn];
	const struct http_msg *m;

	/* a gateway answers a close without a byte (the server's, first)
	 * at once, and junk at once or once it gave up waiting for the rest
	 * of it: either over a second before the answer, on a connection
	 * closed then, was an attempt it tried again after */
	if (r == NONE32 || !seen(w, &fl->msgs[r].head))
		return !t->is_error || (given_up(fl, c, w) &&
		    !(server_closed_first(c, w, true) &&
		    closed_long_before(c, w, false)));
	m = &fl->msgs[r];
	if (!m->valid && m->too_long && !t->is_error)
		return true;	/* a gateway that reads more relayed it */
	if (!m->valid)	/* a success relays junk only as a last resort */
		return (add_sat(m->head.ts_ns, DIAG_ACT_NS) >= w->to ||
		    (given_up(fl, c, w) && !closed_long_before(c, w, true))) &&
		    (t->is_error || masked_ok);
	if (relayed_too_late(fl, w, r))	/* gave up waiting, or not its */
		return t->is_error && given_up(fl, c, w) &&
		    fl->msgs[up_req].head.ts_ns <= add_sat(w->to,
		    -DIAG_ACT_NS);
	return m->status == t->status || refused_reply(fl, t, w, m);
}

/*
 * The request on c for what t asked, sent while t ran, whose reply (if
 * any came in time) is what the gateway answered, or NONE32. A look at
 * its first few.
 */
static uint32_t
carried(const struct flow *fl, const struct txn *t, const struct window *w,
    const struct conn *c)
{
	unsigned n = 0;

	for (uint32_t m = c->first_msg[0]; m != NONE32 &&
	    n < DIAG_CARRIES_LOOK; m = fl->msgs[m].next, n++) {
		const struct frame_ref *h = &fl->msgs[m].head;

		if (h->ts_ns >= w->from && seen(w, h) &&
		    diag_same_resource(fl, t, &fl->msgs[m]) &&
		    reply_fits(fl, t, w, m, true))
			return m;
	}
	return NONE32;
}

static bool
carries(const struct flow *fl, const struct txn *t, const struct window *w,
    const struct conn *c)
{
	return carried(fl, t, w, c) != NONE32;
}

/*
 * Did c connect, carry another resource's request first and none of
 * t's? A proxy opens a connection for the request it then sends: one
 * that sent nothing of t's over it was not t's, however near t it began.
 */
static bool
opened_for_other(const struct flow *fl, const struct txn *t,
    const struct window *w, const struct conn *c)
{
	uint32_t m = c->first_msg[0];

	return conn_up(c, w) && m != NONE32 &&
	    seen(w, &fl->msgs[m].head) &&
	    !diag_same_resource(fl, t, &fl->msgs[m]) && !carries(fl, t, w, c);
}

/*
 * A success the gateway relayed (not a CONNECT, which a proxy may answer
 * before it has connected) had a reply, so a connection that connected.
 */
static bool
relayed_success(const struct flow *fl, const struct txn *t)
{
	return !t->is_error && t->status < 400 &&
	    fl->msgs[t->req].form != HTTP_FORM_AUTHORITY;
}

/* Was the attempt refused (the server's RST, an ICMP error, a TLS
 * handshake that failed but for the gateway's timeout on a silent
 * server) in time? */
static bool
refused(const struct conn *c, const struct window *w)
{
	struct tls_end_at tls;

	return (c->rst_from_server && seen(w, &c->rst)) ||
	    seen(w, &conn_icmp(w->fl, c)->first) || (tls_failed(c, w, &tls) &&
	    tls.how != TLS_END_UNANSWERED);
}

/*
 * Could the gateway's answer have followed from this last attempt? It
 * answers within moments of an RST or ICMP error (not before it), and
 * after an unanswered handshake once it gave up: after the last SYN,
 * before the retransmission that never came (it closed the socket).
 */
static bool
answer_follows(const struct flow *fl, const struct txn *t,
    const struct window *w, const struct conn *c)
{
	int64_t over = attempt_over_ns(c, w);
	unsigned n = syns_seen(c, w);

	if (t->resp == NONE32)
		return true;
	if (conn_up(c, w))	/* silent, or carrying this request */
		return !closed_long_before(c, w, false) &&
		    ((!seen(w, &c->data[0]) && !seen(w, &c->data[1])) ||
		    carries(fl, t, w, c));
	if (relayed_success(fl, t))
		return false;
	/* refused after the answer (beyond the skew): pending then */
	if (refused(c, w) && over <= add_sat(w->to, DIAG_SKEW_NS))
		return w->to <= add_sat(over, DIAG_ACT_NS);
	/* a gateway that gave up closed the socket: no SYN after that;
	 * and no connect timeout is shorter than a retransmission */
	return n == 0 || (w->to <= add_sat(over, DIAG_ACT_NS) &&
	    conn_syn(c, n - 1)->ts_ns <= w->to &&
	    w->to >= add_sat(conn_syn(c, 0)->ts_ns, DIAG_MIN_CONNECT_SEEN_NS));
}

/*
 * When the server ended an attempt: refused it (RST, ICMP), or, once
 * connected, replied or closed. INT64_MAX: it did not (unanswered SYNs,
 * silence: the gateway gave up at a time no packet shows).
 */
static int64_t
server_end_ns(const struct conn *c, const struct window *w)
{
	int64_t at = INT64_MAX;

	if (refused(c, w))
		return attempt_over_ns(c, w);
	if (!conn_up(c, w))
		return INT64_MAX;
	if (seen(w, &c->data[1]))
		at = c->data[1].ts_ns;
	if (seen(w, &c->fin[1]) && c->fin[1].ts_ns < at)
		at = c->fin[1].ts_ns;
	if (c->rst_from_server && seen(w, &c->rst) && c->rst.ts_ns < at)
		at = c->rst.ts_ns;
	return at;
}

/*
 * Which of two next attempts the answer follows better: one the server
 * ended (a refusal, a reply, a close) beats one given up, as the gateway
 * answers such an end at once; of two so ended, the one ended nearer to
 * the answer, unless the attempt before them was refused (`at_once`):
 * then the gateway's began right after that refusal, and the earlier is
 * its; else the earlier.
 */
static bool
fits_better(const struct flow *fl, const struct window *w, uint32_t a,
    uint32_t b, bool at_once)
{
	int64_t ea = server_end_ns(&fl->conns[a], w),
	    eb = server_end_ns(&fl->conns[b], w);

	if ((ea != INT64_MAX) != (eb != INT64_MAX))
		return ea != INT64_MAX;
	if (ea != INT64_MAX && !at_once && ea != eb)
		return ea > eb;
	return a < b;
}

/* Has t tried this address already? */
static bool
tried_addr(const struct flow *fl, const struct txn *t, const struct gw_addr *a)
{
	for (unsigned k = 0; k < t->d.nconns; k++)
		if (addr_eq(&fl->conns[t->d.conns[k]].saddr, a))
			return true;
	return false;
}

/* Was u's request sent upstream by `at`? On a pooled connection or one
 * opened for it, it needs no attempt begun at `at`. */
static bool
forwarded_by(const struct flow *fl, const struct diag *dg,
    const struct txn *u, int64_t at)
{
	const struct key_list *l = key_find(&dg->by_host, u->resource_hash);
	unsigned steps = 0;

	for (size_t p = l ? key_lower(l, fl->msgs[u->req].start.ts_ns) : 0;
	    l && p < l->n && l->ts[p] <= at && steps < DIAG_CACHE_WALK;
	    p++, steps++)
		if (diag_same_resource(fl, u, &fl->msgs[l->items[p]]))
			return true;
	return false;
}

/* What makes another request for t's host count (other_request). */
enum other_req {
	OTHER_WAITING,		/* not settled yet */
	OTHER_NOT_SENT		/* not sent upstream yet */
};

/* Did a request for t's host other than t, that counts as `kind` says,
 * come from `from` to `at`? Looked for from `at` back. */
static bool
other_request(const struct fit *f, int64_t from, int64_t at,
    enum other_req kind)
{
	const struct key_list *l = key_find(&f->dg->by_req, f->t->host_hash);
	const char *host = flow_str(f->fl, f->t->host);

	for (size_t p = l ? key_lower(l, add_sat(at, 1)) : 0;
	    p > 0 && l->ts[p - 1] >= from; p--) {
		const struct txn *u = &f->dg->txns[l->items[p - 1]];

		if (u == f->t || strcasecmp(flow_str(f->fl, u->host), host) != 0)
			continue;
		if (kind == OTHER_WAITING ? !u->settled :
		    !forwarded_by(f->fl, f->dg, u, at))
			return true;
	}
	return false;
}

/*
 * Did another request for t's host, from DIAG_INFLIGHT_NS before t's on,
 * come by `at` and wait until after t was answered (one answered before
 * has claimed its attempts, or as a success marked its failed ones
 * CLAIM_TRIED)? Then a new connection at `at` to an address t tried may
 * be that request's. Settling goes in answer order, so this is the same
 * whether the capture is diagnosed at once or as it is read. Requests
 * through every proxy port count: they share the gateway's sockets.
 * Looked for from `at` back: on a busy host the nearest one waits.
 */
static bool
rival_before(const struct fit *f, int64_t at)
{
	return other_request(f, add_sat(f->w->req, -DIAG_INFLIGHT_NS), at,
	    OTHER_WAITING);
}

/*
 * Was t's request sent on c, and got no valid reply in time? (Junk, a
 * close or silence: a gateway may send it again on a new connection.) A
 * connection that carried only other requests (a health check's GET
 * /health opened just before t's try) was no try of t's.
 */
static bool
exchange_failed(const struct flow *fl, const struct txn *t,
    const struct window *w, const struct conn *c)
{
	unsigned n = 0;
	bool sent = false;

	for (uint32_t m = c->first_msg[0]; m != NONE32 &&
	    n < DIAG_CARRIES_LOOK; m = fl->msgs[m].next, n++) {
		uint32_t r = response_to(fl, m);

		if (!diag_same_resource(fl, t, &fl->msgs[m]))
			continue;
		if (r != NONE32 && seen(w, &fl->msgs[r].head) &&
		    fl->msgs[r].valid)
			return false;
		sent = true;
	}
	return sent;
}

/* Is x among the n items? */
static bool
listed(const uint32_t *items, unsigned n, uint32_t x)
{
	for (unsigned k = 0; k < n; k++)
		if (items[k] == x)
			return true;
	return false;
}

/* Is connection ci one of d's attempts already? */
static bool
linked_attempt(const struct diagnosis *d, uint32_t ci)
{
	return listed(d->conns, d->nconns, ci);
}

/* Did a client's request other than `except` begin in (from, to]? */
static bool
client_asked_between(const struct flow *fl, int64_t from, int64_t to,
    uint32_t except)
{
	unsigned steps = 0;

	for (size_t i = diag_msg_lower(fl, add_sat(from, 1)); i < fl->nmsgs &&
	    fl->msgs[i].start.ts_ns <= to && steps < DIAG_CACHE_WALK;
	    i++, steps++)
		if (fl->msgs[i].dir == 0 && i != except &&
		    fl->conns[fl->msgs[i].conn].role == CONN_CLIENT)
			return true;
	return steps == DIAG_CACHE_WALK;
}

/* Did a client's request other than `except` begin within the clock's
 * skew before `at` (at it included)? The gateway's connection begun at
 * `at` may be its first try. */
static bool
asked_just_before(const struct flow *fl, int64_t at, uint32_t except)
{
	return client_asked_between(fl, add_sat(at, -(DIAG_SKEW_NS + 1)), at,
	    except);
}

/* Was connection c over by `by`: closed or reset by its server, or
 * refused by an ICMP error (a proxy tries the next server at once)? */
static bool
over_by(const struct flow *fl, const struct conn *c, int64_t by)
{
	const struct frame_ref *icmp = &conn_icmp(fl, c)->first;

	return (c->fin[1].number && c->fin[1].ts_ns <= by) ||
	    (c->rst.number && c->rst.ts_ns <= by) ||
	    (icmp->number && icmp->ts_ns <= by);
}

/*
 * Did the gateway act at once for client request m: open a connection,
 * or send an upstream request, within the clock's skew after it, before
 * another client's request and before `before` (HAProxy does in a
 * fraction of a millisecond)? With `standing`, only on a connection
 * still standing then: after a refusal nginx tries the next server at
 * once, and that may be what comes at `before`.
 */
static bool
acted_for(const struct flow *fl, const struct http_msg *m, uint32_t mi,
    int64_t before, bool standing)
{
	int64_t until = add_sat(m->start.ts_ns, DIAG_SKEW_NS);
	unsigned steps = 0;

	if (until >= before)
		until = add_sat(before, -1);

	for (size_t i = mi + 1; i < fl->nmsgs && steps < DIAG_CARRIES_LOOK &&
	    fl->msgs[i].start.ts_ns <= until; i++, steps++)
		if (fl->msgs[i].dir == 0 &&
		    fl->conns[fl->msgs[i].conn].role == CONN_CLIENT) {
			until = fl->msgs[i].start.ts_ns;
			break;
		}
	for (size_t i = conn_lower(fl, m->start.ts_ns); i < fl->nconns &&
	    fl->conns[i].first.ts_ns <= until && steps < DIAG_CARRIES_LOOK;
	    i++, steps++)
		if (fl->conns[i].role != CONN_CLIENT && fl->conns[i].nsyn > 0 &&
		    !(standing && over_by(fl, &fl->conns[i], before)))
			return true;
	for (size_t i = mi + 1; i < fl->nmsgs && steps < DIAG_CARRIES_LOOK &&
	    fl->msgs[i].start.ts_ns <= until; i++, steps++)
		if (fl->msgs[i].dir == 0 &&
		    fl->conns[fl->msgs[i].conn].role != CONN_CLIENT &&
		    !(standing && over_by(fl, &fl->conns[fl->msgs[i].conn],
		    before)))
			return true;
	return false;
}

/*
 * Did the gateway send client request m's path upstream by `until` (on
 * a pooled connection: its try), on a connection its server had not
 * closed by `by` (nginx tries the next server at once when a pooled one
 * closes on the request)?
 */
static bool
sent_upstream(const struct flow *fl, const struct http_msg *m,
    int64_t until, int64_t by)
{
	const char *path = http_url_path(flow_str(fl, m->target));
	unsigned steps = 0;

	for (size_t i = diag_msg_lower(fl, m->start.ts_ns); i < fl->nmsgs &&
	    fl->msgs[i].start.ts_ns <= until && steps < DIAG_CACHE_WALK;
	    i++, steps++) {
		const struct conn *c = &fl->conns[fl->msgs[i].conn];

		if (fl->msgs[i].dir == 0 && c->role != CONN_CLIENT &&
		    strcmp(http_url_path(flow_str(fl, fl->msgs[i].target)),
		    path) == 0)
			return !over_by(fl, c, by);
	}
	return false;
}

/*
 * May connection q be the first try of a client's request other than
 * t's: one to any proxy on the gateway within the clock's skew before
 * q whose path the gateway did not send upstream at once, nor acted for
 * otherwise before q (HAProxy's SYN to another server 0.1 ms after it:
 * its try, and q, 0.7 ms after it, a retry of t's); or one to the proxy
 * t came through (the gateway's address and port) within DIAG_ASK_NS
 * before q that the gateway did not act for at once (a busy nginx acts
 * 2-4 ms after a request)?
 */
static bool
may_be_first_try(const struct flow *fl, const struct txn *t, uint32_t q)
{
	const struct conn *tc = &fl->conns[t->conn];
	int64_t at = fl->conns[q].first.ts_ns;
	unsigned steps = 0;

	for (size_t i = diag_msg_lower(fl, add_sat(at, -DIAG_ASK_NS));
	    i < fl->nmsgs && fl->msgs[i].start.ts_ns <= at &&
	    steps < DIAG_CARRIES_LOOK; i++, steps++) {
		const struct http_msg *m = &fl->msgs[i];
		const struct conn *c = &fl->conns[m->conn];

		if (m->dir != 0 || i == t->req || c->role != CONN_CLIENT ||
		    over_by(fl, c, at) || (m->pair != NONE32 &&
		    fl->msgs[m->pair].start.ts_ns <= at))
			continue;	/* done with before q */
		if (m->start.ts_ns >= add_sat(at, -DIAG_SKEW_NS)) {
			if (!sent_upstream(fl, m, add_sat(m->start.ts_ns,
			    DIAG_SKEW_NS), at) &&
			    !acted_for(fl, m, (uint32_t)i, at, true))
				return true;
		} else if (c->sport == tc->sport &&
		    addr_eq(&c->saddr, &tc->saddr) &&
		    !acted_for(fl, m, (uint32_t)i, at, false) &&
		    !sent_upstream(fl, m, at, at))
			return true;
	}
	return steps == DIAG_CARRIES_LOOK;
}

/*
 * Could the attempt at l's position p be a retry of the one at k: k got
 * no answer and began a connect timeout before p (a new socket, as
 * HAProxy tries again)?
 */
static bool
retries_silent(const struct flow *fl, const struct window *w,
    const struct key_list *l, size_t k, size_t p)
{
	const struct conn *r = &fl->conns[l->items[k]];

	return l->ts[p] - l->ts[k] >= DIAG_MIN_CONNECT_SEEN_NS &&
	    !refused(r, w) && !conn_up(r, w);
}

static bool turned_after(const struct diag *dg, const struct flow *fl,
    const struct window *w, const struct conn *r, int64_t at,
    int64_t latest);
static bool began_after_refusal(const struct diag *dg, const struct flow *fl,
    const struct window *w, uint32_t ci);

/*
 * Could the attempt at l's position p be a request's: begun at once
 * after a client's request, or as a busy proxy acted on one a few
 * milliseconds before (may_be_first_try: HAProxy's SYN 3 ms after a
 * request in a busy round), its first try; or a connect timeout after
 * another silent attempt to the address, or a turn-around after a
 * refusal (turn_around_retry): a retry on a new socket, as HAProxy
 * makes?
 */
static bool
asked_or_retried(const struct fit *f, const struct key_list *l, size_t p)
{
	unsigned steps = 0;

	if (asked_just_before(f->fl, l->ts[p], f->t->req) ||
	    may_be_first_try(f->fl, f->t, l->items[p]))
		return true;
	for (size_t k = p; k-- > 0 && l->ts[p] - l->ts[k] <= DIAG_RETRY_NS &&
	    steps < DIAG_CARRIES_LOOK; steps++)
		if (retries_silent(f->fl, f->w, l, k, p) ||
		    turned_after(f->dg, f->fl, f->w, &f->fl->conns[l->items[k]],
		    l->ts[p], l->ts[p - 1]))
			return true;
	return false;
}

/*
 * Did the gateway open a connection to f->addr in the second before t's
 * request that no request settled before t has claimed? Something the
 * capture shows no request for uses the address too (a proxy port not
 * watched, a health check): a new attempt to it may be that one's. With
 * `requests_explain`, one that may be a request's (asked_or_retried),
 * claimed when that one settles, is not such a thing: after a silent
 * try, HAProxy's next one to the address is told from the other
 * requests' by its time (retry_by_time).
 */
static bool
unexplained_before(const struct fit *f, const struct key_list *l,
    bool requests_explain)
{
	unsigned steps = 0;

	for (size_t p = key_lower(l, add_sat(f->w->req, -DIAG_ACT_NS));
	    p < l->n && l->ts[p] < f->w->req; p++) {
		uint32_t i = l->items[p];

		if (linked_attempt(&f->t->d, i) || f->claimed[i] ||
		    !fits_conn(f, i))
			continue;
		/* more than a lookout's worth: too busy to tell */
		if (!requests_explain || steps++ == DIAG_CARRIES_LOOK ||
		    !asked_or_retried(f, l, p))
			return true;
	}
	return false;
}

/*
 * Can the attempt at l's position p only be a retry of prev, a reverse
 * proxy's try that met silence or a refusal (the caller's), rivals or
 * not? p began a connect timeout, or a turn-around, after prev (the
 * caller's `after`), and was over before t's end (refused, or silent a
 * connect timeout long: the gateway gave up on it too, or tried again),
 * not as another request's first try (may_be_first_try; unless it is
 * prev's retry after the turn-around the gateway waited, turned_after,
 * not begun just after another refusal, when it may be that request's
 * next try: HAProxy must try prev's request again then, and a loaded
 * one sends a request 4 ms after it came), and no other attempt to the
 * address began since prev early enough for p to be its retry. HAProxy
 * tries each request on new sockets half a second apart (its connect
 * timeout, or after a refusal min(timeout connect, 1 s)) while the
 * requests of a busy host keep coming.
 */
static bool
retry_by_time(const struct fit *f, const struct key_list *l, size_t p,
    uint32_t prev)
{
	const struct conn *pc = &f->fl->conns[prev];
	const struct conn *c = &f->fl->conns[l->items[p]];
	int64_t latest = add_sat(l->ts[p], -DIAG_MIN_CONNECT_SEEN_NS);
	int64_t over = refused(c, f->w) ? attempt_over_ns(c, f->w) :
	    add_sat(l->ts[p], DIAG_MIN_CONNECT_SEEN_NS);
	unsigned steps = 0;

	if (over > f->w->to || (may_be_first_try(f->fl, f->t, l->items[p]) &&
	    !(p > 0 && turned_after(f->dg, f->fl, f->w, pc, l->ts[p],
	    l->ts[p - 1]) && !began_after_refusal(f->dg, f->fl, f->w,
	    l->items[p]))))
		return false;
	for (size_t k = p; k-- > 0 && l->ts[k] > pc->first.ts_ns; steps++)
		if (steps == DIAG_CACHE_WALK ||
		    (l->ts[k] <= latest && l->items[k] != prev))
			return false;
	return true;
}

/*
 * Could the attempt at l's position p, begun a busy timer's lateness
 * short of a connect timeout after prev, be another attempt's retry on
 * time: one other than prev begun a connect timeout (and up to that
 * lateness more) before it?
 */
static bool
retry_on_time(const struct key_list *l, size_t p, uint32_t prev)
{
	int64_t from = add_sat(l->ts[p],
	    -(DIAG_MIN_CONNECT_NS + DIAG_TIMER_LATE_NS));
	size_t k = key_lower(l, add_sat(l->ts[p],
	    1 - DIAG_MIN_CONNECT_SEEN_NS));

	while (k-- > 0 && l->ts[k] >= from)
		if (l->items[k] != prev)
			return true;
	return false;
}

/* What a retry follows: a failed attempt, tried again at once or after
 * a connect timeout; an exchange on a connection that connected (only a
 * connection carrying t's request again); a refusal, tried again after a
 * reverse proxy's turn-around. */
enum retry_of { RETRY_FAILED, RETRY_CONNECTED, RETRY_TURNED };

/*
 * A new connection of the gateway's to an address t tried already, the
 * first begun after prev (from `after` to `until`, or up to `late`
 * sooner when it fits: a busy gateway's timer), when no rival
 * request had come by then: the same request tried again on a fresh
 * socket. Traffic Server tries an address four times, back to back
 * after a refusal and after its connect timeout otherwise; after a reply
 * that was junk, a close or silence it sends the request again on a new
 * connection, as a gateway does when a pooled connection failed. One
 * that connected must carry t's request; after one that connected
 * (`connected`), only such a one.
 */
static uint32_t
retry_attempt(const struct fit *base, const struct gw_addr *addrs,
    size_t naddrs, uint32_t prev, int64_t after, int64_t late,
    int64_t until, enum retry_of kind)
{
	const struct flow *fl = base->fl;
	const struct conn *pc = &fl->conns[prev];
	bool connected = kind == RETRY_CONNECTED;
	/* a reverse proxy's tries of a request to a silent server, or
	 * after a refusal's turn-around: each on a new socket (HAProxy),
	 * told by time; a forward proxy's follow look-ups */
	bool by_time = kind == RETRY_TURNED || (!refused(pc, base->w) &&
	    !conn_up(pc, base->w) && diag_origin_form(fl, base->t));
	uint32_t best = NONE32;
	int64_t best_ts = INT64_MAX;

	for (size_t a = 0; a < naddrs; a++) {
		const struct key_list *l;
		struct fit f = *base;

		if (!tried_addr(fl, base->t, &addrs[a]))
			continue;
		l = key_find(&base->dg->by_dst, dst_hash(&addrs[a],
		    base->w->port));
		f.addr = &addrs[a];
		if (l == NULL || unexplained_before(&f, l, by_time))
			continue;
		for (size_t p = key_lower(l, add_sat(after, -late));
		    p < l->n && l->ts[p] <= base->w->to &&
		    l->ts[p] <= until && l->ts[p] < best_ts; p++) {
			uint32_t i = l->items[p];
			const struct conn *c = &fl->conns[i];

			if (i <= prev || f.claimed[i] || !fits_conn(&f, i) ||
			    ((connected || conn_up(c, base->w)) &&
			    (!conn_up(c, base->w) ||
			    !carries(fl, base->t, base->w, c))) ||
			    (l->ts[p] < after && retry_on_time(l, p, prev)))
				continue;
			if (!rival_before(&f, l->ts[p]) || (by_time &&
			    retry_by_time(&f, l, p, prev))) {
				best = i;
				best_ts = l->ts[p];
				break;
			}
			if (l->ts[p] >= after)
				break;	/* another's: not this one's retry */
		}
	}
	return best;
}

/* Did t's first attempt (attempt_chain's) begin as the gateway acted
 * on t's request? */
static bool
began_at_once(const struct fit *f)
{
	int64_t at = f->fl->conns[f->t->d.conns[0]].first.ts_ns;

	return at >= add_sat(f->w->req, -DIAG_SKEW_NS) &&
	    at <= add_sat(f->w->req, DIAG_ASK_NS);
}

/*
 * The gateway's next attempt: one to a candidate not tried yet that
 * started once the previous one was over, and at once (a gateway tries
 * the host's next address right away, or not at all), whose end the
 * answer can have followed: of those, the one it follows best
 * (fits_better); or the same address tried again (retry_attempt), when
 * that began first. After a connection that connected, only the request
 * sent again, when its exchange failed.
 */
static uint32_t
next_attempt(const struct fit *base, const struct gw_addr *addrs,
    size_t naddrs, uint32_t prev)
{
	const struct flow *fl = base->fl;
	const struct conn *pc = &fl->conns[prev];
	int64_t after = attempt_seen_ns(pc, base->w);
	int64_t over = attempt_over_ns(pc, base->w);
	int64_t until = add_sat(over, DIAG_ACT_NS), late = 0;
	uint32_t best = NONE32, again;

	if (conn_up(pc, base->w))
		return base->t->is_error && seen(base->w, &pc->data[0]) &&
		    exchange_failed(fl, base->t, base->w, pc) ?
		    retry_attempt(base, addrs, naddrs, prev, pc->data[0].ts_ns,
		    0, base->w->to, RETRY_CONNECTED) : NONE32;
	for (size_t a = 0; a < naddrs; a++) {
		const struct key_list *l = key_find(&base->dg->by_dst,
		    dst_hash(&addrs[a], base->w->port));
		struct fit f = *base;

		if (tried_addr(fl, base->t, &addrs[a]))
			continue;
		f.addr = &addrs[a];
		for (size_t p = l ? key_lower(l, after) : 0; l && p < l->n &&
		    l->ts[p] <= base->w->to && l->ts[p] <= until; p++) {
			uint32_t i = l->items[p];

			if (i > prev && f.claimed[i] != CLAIM_TAKEN &&
			    fits_conn(&f, i) &&
			    answer_follows(fl, base->t, base->w,
			    &fl->conns[i]) && (best == NONE32 ||
			    fits_better(fl, base->w, i, best,
			    refused(pc, base->w))))
				best = i;
		}
	}
	/* the same address again once this attempt was given up: at its
	 * refusal, else not before any gateway's connect timeout */
	if (!refused(pc, base->w) && pc->nsyn > 0 && after <
	    add_sat(conn_syn(pc, 0)->ts_ns, DIAG_MIN_CONNECT_SEEN_NS)) {
		after = add_sat(conn_syn(pc, 0)->ts_ns,
		    DIAG_MIN_CONNECT_SEEN_NS);
		late = DIAG_TIMER_LATE_NS;
	}
	again = retry_attempt(base, addrs, naddrs, prev, after, late,
	    add_sat(over, DIAG_RETRY_NS), RETRY_FAILED);
	/* a reverse proxy's after a refusal's turn-around (HAProxy's:
	 * other requests' first tries came in between), in a chain begun
	 * at once for t: from an attempt time alone took, a chain of
	 * another request's tries */
	if (again == NONE32 && refused(pc, base->w) &&
	    diag_origin_form(fl, base->t) && began_at_once(base))
		again = retry_attempt(base, addrs, naddrs, prev,
		    add_sat(over, DIAG_MIN_CONNECT_SEEN_NS), 0,
		    add_sat(over, DIAG_RETRY_NS), RETRY_TURNED);
	if (again != NONE32 && (best == NONE32 ||
	    fl->conns[again].first.ts_ns < fl->conns[best].first.ts_ns))
		return again;
	return best;
}

/* The attempts from `first` on: it, then the gateway's retries. */
static void
attempt_chain(struct txn *t, const struct fit *f, const struct gw_addr *addrs,
    size_t naddrs, uint32_t first)
{
	t->d.nconns = 0;
	for (uint32_t ci = first; ci != NONE32 &&
	    t->d.nconns < DIAG_MAX_CONNS;
	    ci = next_attempt(f, addrs, naddrs, ci))
		t->d.conns[t->d.nconns++] = ci;
}

/*
 * When the connection t's attempts ended on went quiet, if the error
 * answer can only have followed it by the gateway giving up on it (it
 * connected, and sent no byte nor closed in time): its request, else
 * its handshake. INT64_MAX when not so.
 */
static int64_t
quiet_since(const struct flow *fl, const struct txn *t,
    const struct window *w)
{
	const struct conn *c = &fl->conns[t->d.conns[t->d.nconns - 1]];

	if (!t->is_error || !conn_up(c, w) || seen(w, &c->data[1]) ||
	    server_closed_first(c, w, false))
		return INT64_MAX;
	return seen(w, &c->data[0]) ? c->data[0].ts_ns : c->synack.ts_ns;
}

/* Were t's attempts under way at `since`, and refused after it, before
 * the answer? */
static bool
refused_after(const struct flow *fl, const struct txn *t,
    const struct window *w, int64_t since)
{
	const struct conn *end = &fl->conns[t->d.conns[t->d.nconns - 1]];
	int64_t over = attempt_over_ns(end, w);

	return fl->conns[t->d.conns[0]].first.ts_ns <= since &&
	    refused(end, w) && over >= since && over <= w->to;
}

/*
 * From the answer back (what fits lies just before it): the latest
 * unclaimed attempt to addr begun from `from` on whose end the answer
 * follows; with `like` (not NONE32), another one than `like` that did
 * not connect and was refused, or not, as `like` was. *began: its start
 * in the index. NONE32 when there is none within DIAG_CACHE_WALK.
 */
static uint32_t
followed_since(const struct fit *base, const struct gw_addr *addr,
    int64_t from, uint32_t like, int64_t *began)
{
	const struct flow *fl = base->fl;
	const struct window *w = base->w;
	const struct key_list *l = key_find(&base->dg->by_dst,
	    dst_hash(addr, base->w->port));
	struct fit f = *base;
	unsigned steps = 0;

	f.addr = addr;
	for (size_t p = l ? key_lower(l, add_sat(w->to, 1)) : 0; p > 0 &&
	    l->ts[p - 1] >= from && steps < DIAG_CACHE_WALK; p--, steps++) {
		uint32_t i = l->items[p - 1];
		const struct conn *c = &fl->conns[i];

		if (i != like && f.claimed[i] != CLAIM_TAKEN &&
		    fits_conn(&f, i) && (like == NONE32 ||
		    (!conn_up(c, w) &&
		    refused(c, w) == refused(&fl->conns[like], w))) &&
		    answer_follows(fl, base->t, w, c)) {
			*began = l->ts[p - 1];
			return i;
		}
	}
	return NONE32;
}

/*
 * Under load (another request for the host waiting) a gateway's retries
 * cannot be told from other clients' attempts and are not chained. A
 * chain that ended on a failed attempt long before the answer still
 * fits when an unclaimed attempt to that address that failed the same
 * way began once it was given up, and the answer follows that one: the
 * gateway tried again, the address failing as it did.
 */
static bool
retried_unlinked(const struct fit *base, uint32_t end)
{
	const struct window *w = base->w;
	const struct conn *e = &base->fl->conns[end];
	int64_t from, began;

	if (!base->t->is_error || conn_up(e, w))
		return false;
	from = refused(e, w) ? attempt_over_ns(e, w) :
	    add_sat(e->first.ts_ns, DIAG_MIN_CONNECT_SEEN_NS);
	return followed_since(base, &e->saddr, from, end, &began) != NONE32;
}

/*
 * The unclaimed attempt to a candidate address whose end the answer
 * follows, the latest begun after the request; NONE32 when there is
 * none.
 */
static uint32_t
answered_end(const struct fit *base, const struct gw_addr *addrs,
    size_t naddrs)
{
	uint32_t best = NONE32;
	int64_t best_ts = INT64_MIN, began;

	for (size_t a = 0; a < naddrs; a++) {
		uint32_t i = followed_since(base, &addrs[a], best == NONE32 ?
		    base->w->req : add_sat(best_ts, 1), NONE32, &began);

		if (i != NONE32) {
			best = i;
			best_ts = began;
		}
	}
	return best;
}

/* Was t's attempt c refused over DIAG_ACT_NS before the gateway's error
 * answer? */
static bool
refused_long_before(const struct flow *fl, const struct txn *t,
    const struct window *w, uint32_t c)
{
	return t->is_error && t->resp != NONE32 && refused(&fl->conns[c], w) &&
	    add_sat(attempt_over_ns(&fl->conns[c], w), DIAG_ACT_NS) < w->to;
}

/*
 * t's try on a pooled connection: its path sent upstream within the
 * clock's skew after its request, on a connection opened before it, no
 * other client having asked for the path since the skew before t's
 * request (a popular path's request may be another's). Its request's
 * time in *from and its end (the server's close or reset, or its reply;
 * else t's end) in *until: a proxy tries one server at a time, so no
 * attempt begun between is t's (nginx's storm: another request's SYN
 * 8 ms after t's, while t's pooled try waited 12 ms for the server's
 * close). Nothing (*from > *until) when there is none.
 */
static void
pooled_try(const struct flow *fl, const struct txn *t, const struct window *w,
    int64_t *from, int64_t *until)
{
	const struct http_msg *m = &fl->msgs[t->req];
	int64_t limit = add_sat(m->start.ts_ns, DIAG_SKEW_NS);
	const char *path = http_url_path(flow_str(fl, m->target));
	unsigned steps = 0;

	*from = INT64_MAX;
	*until = INT64_MIN;
	if (!diag_origin_form(fl, t))
		return;
	for (size_t i = diag_msg_lower(fl, add_sat(m->start.ts_ns,
	    -DIAG_SKEW_NS)); i < fl->nmsgs && fl->msgs[i].start.ts_ns <= limit &&
	    steps < DIAG_CACHE_WALK; i++, steps++) {
		const struct http_msg *u = &fl->msgs[i];
		const struct conn *c = &fl->conns[u->conn];
		int64_t end = w->to;

		if (u->dir != 0 || i == t->req || strcmp(http_url_path(
		    flow_str(fl, u->target)), path) != 0)
			continue;
		if (c->role == CONN_CLIENT)
			return;		/* asked by another too */
		if (u->start.ts_ns < m->start.ts_ns ||
		    c->first.ts_ns >= m->start.ts_ns)
			continue;
		if (c->fin[1].number && c->fin[1].ts_ns < end)
			end = c->fin[1].ts_ns;
		if (c->rst.number && c->rst.ts_ns < end)
			end = c->rst.ts_ns;
		if (u->pair != NONE32 && fl->msgs[u->pair].start.ts_ns < end)
			end = fl->msgs[u->pair].start.ts_ns;
		*from = m->start.ts_ns;
		*until = end;
		return;
	}
}

/* Could attempt i be a try of a reverse proxy's chain to f->addr:
 * unclaimed, the gateway's to it, no handshake? */
static bool
grid_candidate(const struct fit *f, uint32_t i)
{
	return !f->claimed[i] && fits_conn(f, i) &&
	    !conn_up(&f->fl->conns[i], f->w);
}

/* One of a chain all refused, or all silent, as `refusing` says. */
static bool
grid_attempt(const struct fit *f, uint32_t i, bool refusing)
{
	return grid_candidate(f, i) &&
	    refused(&f->fl->conns[i], f->w) == refusing;
}

/* Can `step` part a reverse proxy's retries of one server: a turn-around
 * after a refusal, or a connect timeout after silence? */
static bool
grid_step(int64_t step)
{
	return step >= DIAG_MIN_CONNECT_SEEN_NS && step <= DIAG_RETRY_NS;
}

/*
 * The grid attempt of l nearest `at`, within a timer's lateness, begun
 * after `after`; NONE32 when there is none.
 */
static uint32_t
grid_point(const struct fit *f, const struct key_list *l, int64_t at,
    int64_t after, bool refusing)
{
	uint32_t best = NONE32;
	int64_t best_off = INT64_MAX;
	unsigned steps = 0;

	for (size_t p = key_lower(l, add_sat(at, -DIAG_TIMER_LATE_NS));
	    p < l->n && l->ts[p] <= add_sat(at, DIAG_TIMER_LATE_NS) &&
	    steps < DIAG_CACHE_WALK; p++, steps++) {
		int64_t off = l->ts[p] > at ? l->ts[p] - at : at - l->ts[p];

		if (l->ts[p] > after && off < best_off &&
		    grid_attempt(f, l->items[p], refusing)) {
			best = l->items[p];
			best_off = off;
		}
	}
	return best;
}

/*
 * Fills t's attempts with n on the grid from `first` (at t0) with step
 * `step`; false when a point has none.
 */
static bool
fill_grid(struct txn *t, const struct fit *f, const struct key_list *l,
    uint32_t first, int64_t t0, int64_t step, unsigned n, bool refusing)
{
	int64_t after = t0;

	t->d.nconns = 0;
	t->d.conns[t->d.nconns++] = first;
	for (unsigned k = 1; k < n; k++) {
		uint32_t i = grid_point(f, l, t0 + (int64_t)k * step, after,
		    refusing);

		if (i == NONE32) {
			t->d.nconns = 0;
			return false;
		}
		t->d.conns[t->d.nconns++] = i;
		after = f->fl->conns[i].first.ts_ns;
	}
	return true;
}

/*
 * The grid attempt begun first as the gateway acted on t's request, no
 * other request for the host having come in between; NONE32 when none
 * is.
 */
static uint32_t
grid_first(const struct fit *f, const struct key_list *l)
{
	unsigned steps = 0;

	for (size_t p = key_lower(l, f->w->req); p < l->n &&
	    l->ts[p] <= add_sat(f->w->req, DIAG_ASK_NS) &&
	    steps < DIAG_CACHE_WALK; p++, steps++) {
		if (grid_candidate(f, l->items[p]))
			return other_request(f, f->w->req, l->ts[p],
			    OTHER_NOT_SENT) ? NONE32 : l->items[p];
	}
	return NONE32;
}

/* The proxy port t came on: the gateway's side of the client's connection. */
static uint16_t
proxy_port(const struct flow *fl, const struct txn *t)
{
	return fl->conns[t->conn].sport;
}

static bool
grid_port(const struct diag *dg, uint16_t port)
{
	for (size_t k = 0; k < dg->ngrid_ports; k++)
		if (dg->grid_ports[k] == port)
			return true;
	return false;
}

/*
 * A settled chain that shows t's proxy trying one server again on a
 * grid: three attempts or more, every one to that server and refused,
 * or every one silent, each begun a turn-around (a connect timeout at
 * most) after the one before. nginx and Traffic Server do not (the next
 * server, or again at once): grid_chain is for the ports that do.
 */
static void
learn_grid(struct diag *dg, const struct flow *fl, const struct txn *t,
    const struct window *w)
{
	const struct conn *c0 = &fl->conns[t->d.conns[0]];
	bool refusing = refused(c0, w);

	if (t->d.nconns < 3 || t->d.shared || !diag_origin_form(fl, t) ||
	    dg->ngrid_ports == DIAG_GRID_PORTS ||
	    grid_port(dg, proxy_port(fl, t)))
		return;
	for (unsigned k = 0; k < t->d.nconns; k++) {
		const struct conn *c = &fl->conns[t->d.conns[k]];
		int64_t gap = k ? c->first.ts_ns -
		    fl->conns[t->d.conns[k - 1]].first.ts_ns : 0;

		if (!addr_eq(&c->saddr, &c0->saddr) || c->sport != c0->sport ||
		    conn_up(c, w) || refused(c, w) != refusing ||
		    (k > 0 && !grid_step(gap)))
			return;
	}
	dg->grid_ports[dg->ngrid_ports++] = proxy_port(fl, t);
}

/*
 * When t's chain of tries ended, as its client saw: the gateway's answer,
 * or its close of the client's connection without one (HAProxy's
 * "sC--"). INT64_MIN when neither: the client left first, or the
 * capture stops.
 */
static int64_t
grid_end(const struct flow *fl, const struct txn *t, const struct window *w)
{
	const struct conn *cc = &fl->conns[t->conn];

	if (t->resp != NONE32)
		return w->to;
	if (seen(w, &cc->fin[1]) && (cc->fin[0].number == 0 ||
	    cc->fin[1].number < cc->fin[0].number))
		return cc->fin[1].ts_ns;
	return INT64_MIN;
}

/*
 * The last of a refused chain begun with `first`: the grid attempt
 * refused just before `end`, when `first` was not (then it was the one
 * attempt); NONE32 when there is none.
 */
static uint32_t
grid_last(const struct fit *f, const struct key_list *l, uint32_t first,
    int64_t end)
{
	const struct conn *fc = &f->fl->conns[first];
	unsigned steps = 0;

	if (end <= add_sat(attempt_over_ns(fc, f->w), DIAG_ANSWER_ACT_NS))
		return NONE32;
	for (size_t p = key_lower(l, add_sat(end, 1));
	    p > 0 && l->ts[p - 1] > fc->first.ts_ns &&
	    l->ts[p - 1] >= add_sat(end, -DIAG_ANSWER_ACT_NS) &&
	    steps < DIAG_CACHE_WALK; p--, steps++) {
		int64_t over = attempt_over_ns(&f->fl->conns[l->items[p - 1]],
		    f->w);

		if (grid_attempt(f, l->items[p - 1], true) &&
		    over <= add_sat(end, DIAG_SKEW_NS) &&
		    end <= add_sat(over, DIAG_ANSWER_ACT_NS))
			return l->items[p - 1];
	}
	return NONE32;
}

/*
 * A reverse proxy's chain of tries to one refusing or silent server,
 * told by its ends where other requests' chains to that server overlap
 * it (HAProxy in a busy round: three chains within 10 ms, their
 * attempts a millisecond apart): the attempt begun at once for t, and
 * the answer, which follows the last attempt's refusal at once, or its
 * connect timeout. Between them the attempts lie on an even grid: HAProxy
 * tries again min(timeout connect, 1 s) after a refusal, or a connect
 * timeout after silence, the same step for every retry, each within a
 * timer's lateness. The densest grid (a step of at least the shortest
 * connect timeout) whose every point has an unclaimed attempt like the
 * first: a sparser one would leave attempts of the chain to nobody.
 */
static bool
grid_chain(struct txn *t, const struct fit *base, const struct gw_addr *addrs,
    size_t naddrs)
{
	const struct flow *fl = base->fl;
	int64_t end = grid_end(fl, t, base->w);

	if (!t->is_error || end == INT64_MIN || !diag_origin_form(fl, t) ||
	    !grid_port(base->dg, proxy_port(fl, t)))
		return false;
	for (size_t a = 0; a < naddrs; a++) {
		struct fit f = *base;
		const struct key_list *l;
		uint32_t first, last = NONE32;
		bool refusing;
		int64_t t0, span;

		f.addr = &addrs[a];
		l = key_find(&base->dg->by_dst, dst_hash(&addrs[a],
		    base->w->port));
		if (l == NULL || (first = grid_first(&f, l)) == NONE32)
			continue;
		refusing = refused(&fl->conns[first], base->w);
		t0 = fl->conns[first].first.ts_ns;
		if (refusing && (last = grid_last(&f, l, first, end)) == NONE32)
			continue;
		span = (refusing ? fl->conns[last].first.ts_ns : end) - t0;
		for (unsigned n = DIAG_MAX_CONNS; n >= 2; n--) {
			/* refused: n attempts, the last one the end's;
			 * silent: n, the end a connect timeout after it */
			unsigned on_grid = refusing ? n - 1 : n;
			int64_t step = span / on_grid;

			if (!grid_step(step) || !fill_grid(t, &f, l, first,
			    t0, step, on_grid, refusing))
				continue;
			if (refusing)
				t->d.conns[t->d.nconns++] = last;
			return true;
		}
	}
	return false;
}

/*
 * Connection attempts to the candidates: the unclaimed one nearest to the
 * request, then the ones the gateway started after it had failed (its
 * retries, maybe to the host's next address), not those running at the
 * same time (other clients'). A chain whose end the gateway's answer
 * cannot have followed is another client's: the next nearest is tried.
 * One that ended on a quiet connection gives way to the next when that
 * one was under way when the quiet one's request went out, and refused
 * after it, before the answer: the gateway answers a refusal at once,
 * and waits longer than that before it gives up on silence. When no
 * chain reaches the answer and the nearest ended on a refusal long
 * before it, the last attempt is the unclaimed one the answer follows.
 */
static void
link_conns(struct diag *dg, const struct flow *fl, struct txn *t,
    const struct window *w, const struct gw_addr *addrs, size_t naddrs)
{
	uint32_t tried[DIAG_CHAIN_TRIES];
	struct fit f = { dg, fl, t, w, NULL, w->to, fits_conn,
	    dg->conn_claimed, tried, 0, NONE32, NEED_FIT, 0, 0 };
	uint32_t first = NONE32, quiet = NONE32, last;
	int64_t since = INT64_MAX;
	const struct conn *end;
	bool long_before;

	pooled_try(fl, t, w, &f.pooled_from, &f.pooled_until);
	if (grid_chain(t, &f, addrs, naddrs))
		goto linked;
	for (;;) {
		struct pick best = { NONE32, 0 }, shared = { NONE32, 0 };

		for (size_t a = 0; a < naddrs; a++) {
			f.addr = &addrs[a];
			pick_nearest(&f, key_find(&dg->by_dst,
			    dst_hash(&addrs[a], w->port)), &best, &shared);
		}
		if (best.item == NONE32 && f.nrejected == 0) {
			if (shared.item == NONE32 || (relayed_success(fl, t) &&
			    !conn_up(&fl->conns[shared.item], w)) ||
			    (t->is_error && opened_for_other(fl, t, w,
			    &fl->conns[shared.item])))
				return;
			/* all taken: share the nearest one */
			t->d.shared = true;
			t->d.conns[t->d.nconns++] = shared.item;
			t->d.conn_link = LINK_TIME;
			return;
		}
		if (best.item == NONE32)
			break;
		if (first == NONE32)
			first = best.item;
		attempt_chain(t, &f, addrs, naddrs, best.item);
		end = &fl->conns[t->d.conns[t->d.nconns - 1]];
		if (quiet != NONE32) {
			if (answer_follows(fl, t, w, end) &&
			    refused_after(fl, t, w, since))
				goto linked;
			break;
		}
		if (answer_follows(fl, t, w, end)) {
			since = quiet_since(fl, t, w);
			if (since == INT64_MAX || f.nrejected == DIAG_CHAIN_TRIES)
				goto linked;
			quiet = best.item;	/* unless the next was refused */
		} else if (f.nrejected == DIAG_CHAIN_TRIES)
			break;
		tried[f.nrejected++] = best.item;
	}
	if (quiet != NONE32) {
		attempt_chain(t, &f, addrs, naddrs, quiet);
		goto linked;
	}
	for (unsigned k = 0; k < f.nrejected; k++) {
		attempt_chain(t, &f, addrs, naddrs, tried[k]);
		if (retried_unlinked(&f, t->d.conns[t->d.nconns - 1]))
			goto linked;
	}
	attempt_chain(t, &f, addrs, naddrs, first);
	/* a gateway answers a refusal at once, or tries again at once: one
	 * long before the answer was not its last attempt (its retries
	 * were not chained under load); the last is the unclaimed attempt
	 * the answer follows. So is a failed one when the nearest chains
	 * ended on a connection that carried another URL (nginx's waiters
	 * for a late answer, released newest first: the oldest one's
	 * attempt comes after the others', which carried their own URLs);
	 * one that connected is left to the upstream request's rules */
	end = &fl->conns[t->d.conns[t->d.nconns - 1]];
	long_before = refused_long_before(fl, t, w,
	    t->d.conns[t->d.nconns - 1]);
	if ((long_before || (conn_up(end, w) &&
	    seen(w, &end->data[0]) && !carries(fl, t, w, end))) &&
	    (last = answered_end(&f, addrs, naddrs)) != NONE32 &&
	    (long_before || !conn_up(&fl->conns[last], w)))
		attempt_chain(t, &f, addrs, naddrs, last);
	if (relayed_success(fl, t) &&
	    !conn_up(&fl->conns[t->d.conns[t->d.nconns - 1]], w)) {
		t->d.nconns = 0;	/* another client's failing attempts */
		return;
	}
linked:
	t->d.conn_link = t->d.dns_link == LINK_CACHE ? LINK_CACHE :
	    LINK_ADDRESS;
}

/*
 * Did the gateway relay junk reply r as its answer? nginx passes bytes
 * that are no status line on as they are (HTTP/0.9), at once or, read
 * to the close, when the server closes: the answer follows the junk, or
 * the server's FIN or RST, within DIAG_ANSWER_ACT_NS.
 */
static bool
junk_relayed(const struct flow *fl, const struct window *w, uint32_t r)
{
	const struct http_msg *m = &fl->msgs[r];
	const struct conn *c = &fl->conns[m->conn];
	int64_t at = m->head.ts_ns, until = add_sat(w->to, DIAG_SKEW_NS);
	int64_t close = c->fin[1].number ? c->fin[1].ts_ns :
	    c->rst.number && c->rst_from_server ? c->rst.ts_ns : INT64_MAX;

	if (m->valid || at > until)
		return false;
	if (close > at && close <= until)	/* read to the close */
		at = close;
	return at >= add_sat(w->to, -DIAG_ANSWER_ACT_NS);
}

/*
 * The upstream request that relayed this transaction (the strongest link:
 * it names the URL), the nearest unclaimed one after the request; the
 * connection that carried it may have been opened long before (a pool).
 */
/*
 * A valid reply to the upstream request that came before the gateway
 * answered is what the gateway relayed: its status must be the answer's
 * (else that upstream request served another client); junk, as it was.
 */
static bool
answer_fits(const struct fit *f, uint32_t up_req)
{
	uint32_t r = response_to(f->fl, up_req);

	if (f->need == NEED_RELAYED_LATE && f->t->status == 0)
		return r != NONE32 && junk_relayed(f->fl, f->w, r);
	/* relayed: it came before the answer (give or take the skew) */
	if (f->need == NEED_RELAYED || f->need == NEED_RELAYED_LATE)
		return f->t->status != 0 && r != NONE32 &&
		    f->fl->msgs[r].head.ts_ns <= add_sat(f->w->to,
		    DIAG_SKEW_NS) && (f->need == NEED_RELAYED ||
		    f->fl->msgs[r].head.ts_ns >= add_sat(f->w->to,
		    -DIAG_FORWARD_NS)) && f->fl->msgs[r].valid &&
		    f->fl->msgs[r].status == f->t->status;
	return f->t->status == 0 || reply_fits(f->fl, f->t, f->w, up_req,
	    f->need == NEED_FIT_OR_JUNK);
}

/* Did t's own look-up (or the one in flight it waited for) end within
 * `within` before `at`? Another request's look-up is no reason for t's
 * to wait. */
static bool
resolved_just_before(const struct fit *f, int64_t at, int64_t within)
{
	const struct diagnosis *d = &f->t->d;

	for (unsigned k = 0; k < d->ndns && d->dns_link == LINK_TIME; k++) {
		const struct dns_query *q = &f->fl->dns[d->dns[k]];

		if (q->rcode >= 0 && q->answer.ts_ns <= at &&
		    q->answer.ts_ns >= add_sat(at, -within))
			return true;
	}
	return false;
}

/*
 * The gateway acts on a request at once: it forwards it on a pooled
 * connection right after it came or after its look-up; a connection it
 * opens for it starts as soon as it has the address, and carries it
 * first. What came later is another client's (a retry on the chain of
 * attempts is found there). The first request on a connection whose SYN
 * was sent before the request came is the one the connection was opened
 * for, an earlier request's; a later one on it is a pooled request.
 */
/* Did m begin with its connection's first payload byte? Not "is it the
 * connection's first message": retiring drops a pool's older requests. */
static bool
first_on_conn(const struct flow *fl, const struct http_msg *m)
{
	return m->start.number == fl->conns[m->conn].data[0].number;
}

/* Is m the first request on a connection whose SYN was seen? */
static bool
opened_for(const struct flow *fl, const struct http_msg *m)
{
	return fl->conns[m->conn].nsyn > 0 && first_on_conn(fl, m);
}

/* When the gateway began forwarding up_req: at `opened` (its
 * connection's SYN, or the attempts' first) when up_req is the first
 * request on a connection opened for it, else when it sent it. */
static int64_t
began_ns(const struct flow *fl, uint32_t up_req, int64_t opened)
{
	const struct http_msg *m = &fl->msgs[up_req];

	return opened_for(fl, m) ? opened : m->head.ts_ns;
}

int64_t
diag_try_began_ns(const struct flow *fl, uint32_t up_req)
{
	const struct conn *c = &fl->conns[fl->msgs[up_req].conn];

	return began_ns(fl, up_req, c->first.ts_ns);
}

static bool
sent_at_once(const struct fit *f, const struct http_msg *m,
    const struct conn *c)
{
	int64_t from = add_sat(f->w->req, -DIAG_SKEW_NS), at = m->head.ts_ns;

	if (opened_for(f->fl, m)) {
		if (c->first.ts_ns < from)
			return false;
		at = c->first.ts_ns;
	}
	return at <= add_sat(f->w->req, DIAG_FORWARD_NS) ||
	    resolved_just_before(f, at, DIAG_FORWARD_NS);
}

/* Does a request for port, resource and url ask for what t asked? */
static bool
asks_as(const struct fit *f, uint16_t port, uint32_t resource, strref url)
{
	return port == f->t->port && resource == f->t->resource_hash &&
	    strcmp(flow_str(f->fl, url), flow_str(f->fl, f->t->url)) == 0;
}

/*
 * Was m forwarded at once for another request for the same resource,
 * one that came well after t's and just before m? (A pooled connection
 * carries a request within a fraction of a millisecond.) That request
 * may have been retired since: retire.c keeps what t needs of it.
 */
static bool
forwarded_for_later(const struct fit *f, const struct http_msg *m)
{
	const struct diag *dg = f->dg;
	const struct key_list *l = key_find(&dg->by_req, f->t->host_hash);
	const struct key_list *g = NULL;
	int64_t after = add_sat(f->w->req, DIAG_AMBIG_NS);
	int64_t from = add_sat(m->head.ts_ns, -DIAG_AMBIG_NS);

	/* gone[] is in time order: mostly, all came before */
	if (dg->ngone > 0 && dg->gone[dg->ngone - 1].req_ns >= from &&
	    dg->gone[dg->ngone - 1].req_ns > after)
		g = key_find(&dg->by_gone, f->t->host_hash);

	for (size_t p = l ? key_lower(l, from) : 0; l && p < l->n &&
	    l->ts[p] <= m->head.ts_ns; p++) {
		const struct txn *u = &dg->txns[l->items[p]];

		if (u != f->t && l->ts[p] > after &&
		    asks_as(f, u->port, u->resource_hash, u->url))
			return true;
	}
	for (size_t p = g ? key_lower(g, from) : 0; g && p < g->n &&
	    g->ts[p] <= m->head.ts_ns; p++) {
		const struct gone_req *u = &dg->gone[g->items[p]];

		if (g->ts[p] > after &&
		    asks_as(f, u->port, u->resource_hash, u->url))
			return true;
	}
	return false;
}

/* A reverse proxy (a request in origin form) forwards to its backends'
 * ports, which its configuration names, not the URL. */
static bool
upstream_port_fits(const struct fit *f, uint16_t port)
{
	return port == f->w->port || diag_origin_form(f->fl, f->t);
}

static bool
fits_upstream_path(const struct fit *f, uint32_t i)
{
	const struct http_msg *m = &f->fl->msgs[i];
	const struct conn *c = &f->fl->conns[m->conn];

	if (f->on_conn != NONE32 ? m->conn != f->on_conn :
	    (f->need != NEED_RELAYED_LATE && !sent_at_once(f, m, c)) ||
	    forwarded_for_later(f, m))
		return false;
	return upstream_port_fits(f, c->sport) &&
	    from_gateway(f->dg, &c->caddr, f->w) &&
	    diag_same_resource(f->fl, f->t, m) && answer_fits(f, i);
}

/* An upstream request that asks for what t asked, where and when t's
 * could have gone. */
static bool
fits_upstream(const struct fit *f, uint32_t i)
{
	const struct http_msg *m = &f->fl->msgs[i];

	if (!fits_upstream_path(f, i))
		return false;
	/* a reverse proxy may name its backend instead (nginx's Host:
	 * $proxy_host): on the connection found by time, the path will do */
	if (f->on_conn != NONE32 && f->t->d.conn_link == LINK_TIME &&
	    diag_origin_form(f->fl, f->t))
		return true;
	/* the index's keys are hashes: compare the host itself */
	return strcasecmp(flow_str(f->fl, m->authority),
	    flow_str(f->fl, f->t->host)) == 0;
}

/* The latest a request can have been forwarded on a pooled connection. */
static int64_t
forward_until(const struct flow *fl, const struct txn *t,
    const struct window *w)
{
	int64_t until = add_sat(w->req, DIAG_ACT_NS);

	for (unsigned k = 0; k < t->d.ndns; k++) {
		const struct dns_query *q = &fl->dns[t->d.dns[k]];

		if (t->d.dns_link == LINK_TIME && seen(w, &q->answer) &&
		    add_sat(q->answer.ts_ns, DIAG_FORWARD_NS) > until)
			until = add_sat(q->answer.ts_ns, DIAG_FORWARD_NS);
	}
	return until < w->to ? until : w->to;
}

/* The unclaimed request on f->on_conn nearest to the request that fits
 * (a look at the connection's first few). */
static uint32_t
on_conn_request(const struct fit *f)
{
	const struct conn *c = &f->fl->conns[f->on_conn];
	unsigned n = 0;

	struct pick best = { NONE32, 0 };

	for (uint32_t m = c->first_msg[0]; m != NONE32 &&
	    n < DIAG_CARRIES_LOOK; m = f->fl->msgs[m].next, n++) {
		const struct frame_ref *h = &f->fl->msgs[m].head;

		if (!f->claimed[m] && h->ts_ns >= f->w->from &&
		    h->ts_ns <= f->w->to && f->fits(f, m))
			consider(f->w, &best, m, h->ts_ns);
	}
	return best.item;
}

/*
 * A reverse proxy that names its backend as the Host (nginx's default,
 * $proxy_host: an upstream block's name) on a pooled connection: the
 * by_host index, by the client's host, does not have it. The first
 * unclaimed upstream request forwarded at once, from the request on,
 * asking for its path; else the last that began within the skew before
 * it.
 */
static uint32_t
upstream_by_path(const struct fit *f)
{
	const struct flow *fl = f->fl;
	int64_t from = add_sat(f->w->req, -DIAG_SKEW_NS);
	uint32_t before = NONE32;
	unsigned steps = 0;

	for (size_t i = diag_msg_lower(fl, from); i < fl->nmsgs &&
	    fl->msgs[i].start.ts_ns <= f->until && steps < DIAG_CACHE_WALK;
	    i++, steps++) {
		const struct http_msg *m = &fl->msgs[i];

		if (m->dir != 0 || !m->valid || f->claimed[i] ||
		    fl->conns[m->conn].role == CONN_CLIENT ||
		    !fits_upstream_path(f, (uint32_t)i))
			continue;
		if (m->start.ts_ns >= f->w->req)
			return (uint32_t)i;
		before = (uint32_t)i;	/* the latest one before it */
	}
	return before;
}

/* The unclaimed upstream request that fits `need`: on on_conn, else
 * the nearest one; NONE32 when there is none. */
static uint32_t
find_upstream(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, uint32_t on_conn,
    enum reply_need need)
{
	/* forwarded at once (sent_at_once): soon after the request or
	 * after its look-up's answer */
	struct fit f = { dg, fl, t, w, NULL, forward_until(fl, t, w),
	    fits_upstream, dg->msg_claimed, NULL, 0, on_conn, (uint8_t)need,
	    0, 0 };
	struct pick best = { NONE32, 0 }, claimed = { NONE32, 0 };

	if (on_conn != NONE32)
		return on_conn_request(&f);
	pick_nearest(&f, key_find(&dg->by_host, t->resource_hash), &best,
	    &claimed);
	if (best.item == NONE32 && diag_origin_form(fl, t))
		return upstream_by_path(&f);
	return best.item;
}

static void
take_upstream(const struct flow *fl, struct txn *t, const struct window *w,
    uint32_t up_req)
{
	t->d.up_req = up_req;
	t->d.up_conn = fl->msgs[up_req].conn;
	t->d.up_resp = response_to(fl, up_req);
	if (t->d.up_resp != NONE32 && (fl->msgs[t->d.up_resp].head.ts_ns >
	    add_sat(w->to, DIAG_SLACK_NS) ||
	    relayed_too_late(fl, w, t->d.up_resp)))
		t->d.up_resp = NONE32;	/* came after the gateway gave up */
}

/* Was the connection `up` opened after t's first attempt began (at
 * chain) and before the gateway gave up its last one (`last`)? */
static bool
opened_while_pending(const struct window *w, int64_t chain,
    const struct conn *last, const struct conn *up)
{
	return up->first.ts_ns > chain &&
	    up->first.ts_ns < attempt_over_ns(last, w);
}

/*
 * Is up_req, with no reply, on a connection the gateway opened while the
 * attempt it opened at once for t (a success: backend_addr) was pending?
 * Then it is another request's: a gateway opens no second connection
 * for a request while one is pending, and a success fits a request whose
 * reply is missing (a lost reply) that may be a failure's only try.
 */
static bool
opened_for_another(const struct flow *fl, const struct window *w,
    uint32_t up_req)
{
	const struct conn *a;

	if (w->at_once == NONE32 || response_to(fl, up_req) != NONE32)
		return false;
	a = &fl->conns[w->at_once];
	return !conn_up(a, w) && opened_while_pending(w, a->first.ts_ns,
	    a, &fl->conns[fl->msgs[up_req].conn]);
}

static bool
link_upstream(struct diag *dg, const struct flow *fl, struct txn *t,
    const struct window *w, uint32_t on_conn, enum reply_need need)
{
	uint32_t i = find_upstream(dg, fl, t, w, on_conn, need);

	/* on_conn is t's own: what it carried is t's */
	if (i == NONE32 || (on_conn == NONE32 &&
	    opened_for_another(fl, w, i)))
		return false;
	take_upstream(fl, t, w, i);
	return true;
}

/*
 * The upstream request the gateway sent after its first attempt failed
 * (the host's next address), found by its reply: the status the gateway
 * answered, relayed at once, on a connection opened after that attempt.
 * A reverse proxy's success may have no attempt of its own linked (a
 * first try that failed, silent until the connect timeout, looks like
 * another client's failing attempts): then the try (its next server's,
 * on a new connection or a pooled one) began after the request
 * (try_began_ns). So did a reverse proxy's try whose junk it passed on
 * (junk_relayed), whatever attempts time linked. The newest one, a
 * bounded walk back from the answer.
 */
static bool
link_relayed_late(struct diag *dg, const struct flow *fl, struct txn *t,
    const struct window *w)
{
	struct fit f = { dg, fl, t, w, NULL, w->to, fits_upstream,
	    dg->msg_claimed, NULL, 0, NONE32, NEED_RELAYED_LATE, 0, 0 };
	const struct key_list *l = key_find(&dg->by_host, t->resource_hash);
	int64_t after = w->req;
	unsigned steps = 0;
	/* junk a reverse proxy passed on names its try by when it came
	 * (junk_relayed), whatever attempts time linked: its first try's
	 * too (a busy path's requests for it a few ms apart) */
	bool junk = t->status == 0 && diag_origin_form(fl, t);
	bool after_failed = t->d.nconns > 0 && !junk;

	if (t->status == 0 && (t->resp == NONE32 || fl->msgs[t->resp].valid))
		return false;	/* no answer, or one that names no status */
	if (after_failed) {		/* after that attempt failed */
		const struct conn *failed = &fl->conns[t->d.conns[0]];

		if (conn_up(failed, w))
			return false;
		after = attempt_seen_ns(failed, w);
	} else if (!junk && (t->is_error || !diag_origin_form(fl, t)))
		return false;
	for (size_t p = l ? key_lower(l, add_sat(w->to, 1)) : 0; p > 0 &&
	    l->ts[p - 1] >= add_sat(w->req, -DIAG_SKEW_NS) &&
	    steps < DIAG_CACHE_WALK; p--, steps++) {
		uint32_t i = l->items[p - 1];

		if (dg->msg_claimed[i] || (after_failed ?
		    fl->conns[fl->msgs[i].conn].first.ts_ns :
		    diag_try_began_ns(fl, i)) < after || !fits_upstream(&f, i))
			continue;
		t->d.up_req = i;
		t->d.up_conn = fl->msgs[i].conn;
		t->d.up_resp = response_to(fl, i);
		return true;
	}
	return false;
}

/* Did attempt ci fail before connection up began: to another address
 * (the host's next one), its last SYN before? */
static bool
failed_before(const struct flow *fl, const struct window *w, uint32_t ci,
    uint32_t up)
{
	const struct conn *c = &fl->conns[ci], *u = &fl->conns[up];

	return ci < up && !conn_up(c, w) && !addr_eq(&c->saddr,
	    &u->saddr) && attempt_seen_ns(c, w) <= u->first.ts_ns;
}

/* Did one of t's earlier tries go on connection ci? */
static bool
carried_a_try(const struct flow *fl, const struct txn *t, uint32_t ci)
{
	for (unsigned k = 0; k < t->d.ntries; k++)
		if (fl->msgs[t->d.tries[k]].conn == ci)
			return true;
	return false;
}

/*
 * The connection that carried the upstream request is the last attempt;
 * attempts that failed before it (the host's other addresses) and the
 * connections of its earlier tries stay.
 */
static void
link_carrier(const struct flow *fl, struct txn *t, const struct window *w)
{
	unsigned n = 0;

	for (unsigned k = 0; k < t->d.nconns; k++)
		if (t->d.conns[k] != t->d.up_conn &&
		    (failed_before(fl, w, t->d.conns[k], t->d.up_conn) ||
		    carried_a_try(fl, t, t->d.conns[k])))
			t->d.conns[n++] = t->d.conns[k];
	if (n == DIAG_MAX_CONNS)
		n--;
	t->d.conns[n++] = t->d.up_conn;
	t->d.nconns = (uint8_t)n;
	t->d.conn_link = LINK_REQUEST_LINE;
}

/*
 * The look-up that gave the address the upstream connection went to: the
 * newest answer naming it before its SYN, asked in the window. (The
 * gateway's cache entry for the host, when there is one, link_dns_any
 * has linked already: this runs only when it linked nothing. A pooled
 * connection opened long before keeps no older look-up: an expired
 * answer is no longer what the gateway knows, and a report that retires
 * as it goes has forgotten it.)
 */
static void
link_dns_address(const struct diag *dg, const struct flow *fl,
    struct txn *t, const struct window *w)
{
	const struct conn *c = &fl->conns[t->d.up_conn];
	const char *host = flow_str(fl, t->host);
	const struct key_list *l = key_find(&dg->by_name, t->host_hash);
	unsigned steps = 0;

	for (size_t p = l ? key_lower(l, add_sat(c->first.ts_ns, 1)) : 0;
	    p > 0 && l->ts[p - 1] >= w->from && steps < DIAG_CACHE_WALK;
	    p--, steps++) {
		uint32_t i = l->items[p - 1];
		const struct dns_query *q = &fl->dns[i];

		if (q->rcode != 0 || q->answer.ts_ns > c->first.ts_ns ||
		    !from_gateway(dg, &q->client, w) ||
		    strcasecmp(flow_str(fl, q->qname), host) != 0 ||
		    !answers_addr(fl, q, &c->saddr))
			continue;
		t->d.dns_link = LINK_ADDRESS;
		t->d.dns[t->d.ndns++] = i;
		return;
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
 * On a fresh connection any reply byte rules it out; on a pooled one the
 * bytes before were earlier requests' replies.
 */
static bool
server_closed_first(const struct conn *c, const struct window *w,
    bool pooled)
{
	const struct frame_ref *close = c->fin[1].number ? &c->fin[1] :
	    (c->rst.number && c->rst_from_server) ? &c->rst : NULL;

	if (close == NULL || (!pooled && seen(w, &c->data[1])) ||
	    close->ts_ns > w->to)
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
		else if (r->status != t->status && refused_reply(fl, t, w, r))
			set(t, V_BAD_RESPONSE, C_HTTP_INVALID);
		else
			set(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
		return;
	}
	if (server_closed_first(uc, w,
	    !first_on_conn(fl, &fl->msgs[t->d.up_req])))
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
	if (conn_up(last, w)) {
		enum tls_after after;
		struct frame_ref at;

		/* a request went over TLS: how the server's side ended */
		if (!w->tunnel && t->resp != NONE32 && diag_tls_after(fl, last,
		    add_sat(w->to, DIAG_SLACK_NS), w->to, &after, &at)) {
			if (after == TLS_AFTER_REPLIED)
				return false;	/* unread: unknown */
			set(t, V_BAD_RESPONSE, after == TLS_AFTER_CLOSED ?
			    C_UPSTREAM_CLOSED : C_UPSTREAM_TIMEOUT);
			return true;
		}
		/* connected, but no request of this client's was seen on it */
		if (seen(w, &last->data[1]))
			return false;
		if (server_closed_first(last, w, false))
			set(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
		else
			set(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
		return true;
	}
	if (tls_failed(last, w, NULL))
		set(t, V_CANNOT_CONNECT, C_TLS_HANDSHAKE);
	else if (seen(w, &conn_icmp(fl, last)->first))
		set(t, V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
	else if (last->rst_from_server && seen(w, &last->rst))
		set(t, V_CANNOT_CONNECT, C_TCP_RST);
	else
		set(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	return true;
}

/* What t's look-up got, by query type (type_bit): the types that gave an
 * address, that were answered, that got no answer in the window (a
 * resend of one answered later is no silent type), and the worst rcode. */
struct dns_types {
	unsigned addr, answered, silent;
	int bad_rcode;
	int64_t had;	/* the first answer with an address (INT64_MAX) */
};

static void
dns_types(const struct flow *fl, const struct txn *t,
    const struct window *w, struct dns_types *ty)
{
	memset(ty, 0, sizeof *ty);
	ty->had = INT64_MAX;
	for (unsigned k = 0; k < t->d.ndns; k++) {
		const struct dns_query *q = &fl->dns[t->d.dns[k]];

		if (q->rcode < 0 || !seen(w, &q->answer)) {
			ty->silent |= type_bit(q->qtype);
			continue;
		}
		ty->answered |= type_bit(q->qtype);
		if (q->rcode == 3)
			ty->bad_rcode = 3;
		else if (q->rcode != 0 && ty->bad_rcode == 0)
			ty->bad_rcode = q->rcode;
		if (diag_gave_address(fl, q)) {
			ty->addr |= type_bit(q->qtype);
			if (q->answer.ts_ns < ty->had)
				ty->had = q->answer.ts_ns;
		}
	}
}

/*
 * A look-up t waited on whose A gave an address while the AAAA asked
 * beside it (or the other way round) got no answer, with no attempt of
 * t's own (nor upstream request: the caller's): the gateway waited for both,
 * as nginx's resolver does unless told ipv6=off, until its
 * resolver_timeout (a server or firewall that drops AAAA queries fails
 * every such request). A proxy that connects with the A alone (squid)
 * does so at once: an attempt begun later than that, or one whose end
 * the gateway's answer does not follow, was another request's.
 */
static bool
half_answered(const struct flow *fl, const struct txn *t,
    const struct window *w, const struct dns_types *ty)
{
	const struct conn *first, *last;
	int64_t had;

	if (t->d.dns_link != LINK_TIME || ty->addr == 0 ||
	    (ty->silent & ~ty->answered) == 0)
		return false;
	if (t->d.nconns == 0)
		return true;
	first = &fl->conns[t->d.conns[0]];
	last = &fl->conns[t->d.conns[t->d.nconns - 1]];
	had = ty->had > w->req ? ty->had : w->req;
	return first->first.ts_ns > add_sat(had, DIAG_ACT_NS) ||
	    !answer_follows(fl, t, w, last);
}

static bool
verdict_dns(struct txn *t, const struct dns_types *ty)
{
	if (t->d.ndns == 0 || ty->addr != 0)
		return false;	/* resolved: DNS is not the cause */
	if (ty->answered == 0)
		set(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	else if (ty->bad_rcode == 3)
		set(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	else
		set(t, V_HOST_NOT_RESOLVABLE, C_DNS_ERROR);
	return true;
}

/* Was t's look-up asked before `at`: in flight when the request came? */
static bool
asked_before(const struct flow *fl, const struct txn *t, int64_t at)
{
	return t->d.ndns > 0 && t->d.dns_link == LINK_TIME &&
	    fl->dns[t->d.dns[0]].query.ts_ns < at;
}

/*
 * What t takes for itself once settled. A gateway error takes all its
 * evidence; a success takes only what it certainly used (its upstream
 * request and a connection that connected), so a fast success never
 * takes the failed attempts or look-up of a slow failing request.
 */
static void
claim(struct diag *dg, const struct flow *fl, const struct txn *t,
    const struct window *w)
{
	const struct diagnosis *d = &t->d;

	if (d->up_req != NONE32)
		dg->msg_claimed[d->up_req] = 1;
	for (unsigned k = 0; k < d->ntries; k++)
		dg->msg_claimed[d->tries[k]] = 1;
	for (unsigned k = 0; k < d->nconns; k++)
		if (t->is_error || conn_up(&fl->conns[d->conns[k]], w))
			dg->conn_claimed[d->conns[k]] = CLAIM_TAKEN;
		else if (dg->conn_claimed[d->conns[k]] == 0)
			dg->conn_claimed[d->conns[k]] = CLAIM_TRIED;
	/* a look-up in flight when the request came is not its own: the
	 * request that started it may still take it as its own */
	if (!t->is_error || d->dns_link != LINK_TIME ||
	    asked_before(fl, t, w->req))
		return;
	for (unsigned k = 0; k < d->ndns; k++)
		dg->dns_claimed[d->dns[k]] = 1;
}

/* The failure the evidence shows, whatever the gateway's status said. */
static void
verdict_evidence(const struct flow *fl, struct txn *t,
    const struct window *w)
{
	struct dns_types ty;

	if (t->d.up_req != NONE32) {
		verdict_upstream(fl, t, w);
		return;
	}
	dns_types(fl, t, w, &ty);
	if (half_answered(fl, t, w, &ty)) {
		t->d.half_answered = true;
		t->d.nconns = 0;
		t->d.conn_link = LINK_NONE;
		set(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	} else if (!verdict_connect(fl, t, w) && !verdict_dns(t, &ty)) {
		set(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	}
}

/*
 * Proxies label failures their own way (DESIGN §7): a success or a 5xx
 * after an invalid upstream reply (apache passes one on as 200), or an
 * answer the gateway made itself with another error status (500, 404 …)
 * after the look-up or the connection failed (an attempt the answer can
 * have followed: not a handshake still under way, another request's) or
 * the server closed without a byte, is a gateway error all the same.
 */
static bool
masked_failure(const struct flow *fl, const struct txn *t,
    const struct window *w)
{
	/* 502/503/504 left out of --status were left out on purpose */
	if (t->status >= 502 && t->status <= 504)
		return false;
	if (t->d.up_resp != NONE32)	/* a 4xx is the client's own error */
		return t->d.cause == C_HTTP_INVALID &&
		    !fl->msgs[t->d.up_resp].too_long &&
		    (t->status < 400 || t->status >= 500);
	/* a timeout is no evidence of its own that the answer was not
	 * relayed: its reply may be a pooled one linked elsewhere */
	return t->status >= 400 && (t->d.verdict == V_HOST_NOT_RESOLVABLE ||
	    (t->d.verdict == V_CANNOT_CONNECT && answer_follows(fl, t, w,
	    &fl->conns[t->d.conns[t->d.nconns - 1]])) ||
	    t->d.cause == C_UPSTREAM_CLOSED);
}

/* When up_req was sent, if the error answer can only have followed it
 * by the gateway giving up (no reply nor close before it); else
 * INT64_MAX. */
static int64_t
sent_quiet(const struct flow *fl, const struct window *w, uint32_t up_req)
{
	uint32_t r = response_to(fl, up_req);
	const struct conn *c = &fl->conns[fl->msgs[up_req].conn];

	if ((r != NONE32 && seen(w, &fl->msgs[r].head)) ||
	    server_closed_first(c, w, !first_on_conn(fl, &fl->msgs[up_req])))
		return INT64_MAX;
	return fl->msgs[up_req].head.ts_ns;
}

/* Would carrying up_req drop one of t's attempts (link_carrier): one
 * to the same address, or not over when its connection began? */
static bool
contradicts(const struct flow *fl, const struct txn *t,
    const struct window *w, uint32_t up_req)
{
	uint32_t uc = fl->msgs[up_req].conn;

	for (unsigned k = 0; k < t->d.nconns; k++)
		if (t->d.conns[k] != uc && !failed_before(fl, w, t->d.conns[k],
		    uc))
			return true;
	return false;
}

/*
 * When the try up_req ended without a valid reply: at its reply that
 * was none (*cause C_HTTP_INVALID), the server's close (C_UPSTREAM_CLOSED)
 * or the gateway's, at its timeout (C_UPSTREAM_TIMEOUT); INT64_MAX when
 * it did not so end in the window.
 */
static int64_t
try_end_ns(const struct flow *fl, const struct window *w, uint32_t up_req,
    uint8_t *cause)
{
	const struct http_msg *m = &fl->msgs[up_req];
	const struct conn *c = &fl->conns[m->conn];
	const struct frame_ref *ends[] = { &c->fin[1], &c->fin[0], &c->rst };
	const bool by_server[] = { true, false, c->rst_from_server };
	uint32_t r = response_to(fl, up_req);
	int64_t at = INT64_MAX;

	if (r != NONE32 && seen(w, &fl->msgs[r].start)) {
		*cause = C_HTTP_INVALID;
		return fl->msgs[r].valid ? INT64_MAX : fl->msgs[r].start.ts_ns;
	}
	for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++)
		if (seen(w, ends[k]) && ends[k]->ts_ns >= m->head.ts_ns &&
		    ends[k]->ts_ns < at) {
			at = ends[k]->ts_ns;
			*cause = by_server[k] ? C_UPSTREAM_CLOSED :
			    C_UPSTREAM_TIMEOUT;
		}
	return at;
}

/* When the try up_req, which got a valid reply (try_end_ns: INT64_MAX),
 * stopped holding the request: at that reply when it is a 5xx nginx may
 * go on from (proxy_next_upstream http_503); INT64_MAX when the reply
 * served it, or none came in the window. */
static int64_t
reply_5xx_ns(const struct flow *fl, const struct window *w, uint32_t up_req)
{
	uint32_t r = response_to(fl, up_req);

	return r != NONE32 && seen(w, &fl->msgs[r].start) &&
	    fl->msgs[r].valid && fl->msgs[r].status >= 500 ?
	    fl->msgs[r].start.ts_ns : INT64_MAX;
}

/*
 * When the gateway acted on the end of its try up_req, which ended at
 * `failed` as `cause` said (try_end_ns): a busy worker reads its
 * server's close late, and nginx closes its own side before it tries
 * the next server (ngx_http_upstream_next), so its next try follows its
 * own close, seen after the server's within DIAG_UNTRIED_NS; else
 * `failed`.
 */
static int64_t
try_acted_ns(const struct flow *fl, const struct window *w, uint32_t up_req,
    int64_t failed, uint8_t cause)
{
	const struct conn *c = &fl->conns[fl->msgs[up_req].conn];
	const struct frame_ref *own = &c->fin[0];

	if (cause != C_UPSTREAM_CLOSED || !seen(w, own) ||
	    own->ts_ns < failed || own->ts_ns - failed > DIAG_UNTRIED_NS)
		return failed;
	return own->ts_ns;
}

/* Did the try up_req end (a reply without status, a close) within
 * DIAG_ANSWER_ACT_NS before t's answer, which then followed it? */
static bool
ended_at_answer(const struct flow *fl, const struct txn *t,
    const struct window *w, uint32_t up_req)
{
	uint8_t cause;
	int64_t end = try_end_ns(fl, w, up_req, &cause), answer;

	if (t->resp == NONE32 || end == INT64_MAX)
		return false;
	answer = fl->msgs[t->resp].head.ts_ns;
	return end <= answer && end >= add_sat(answer, -DIAG_ANSWER_ACT_NS);
}

/*
 * An error's request line when no reply of its status came (NEED_FIT).
 * The gateway does one thing for a request, at once: it sends it on a
 * pooled connection, or opens one for it (trying the next address when
 * that fails). So of the request on the connection t's attempts ended
 * on and the nearest one elsewhere, and of failed attempts the answer
 * follows and a request on a connection that contradicts them, the one
 * the gateway began first is t's; the other is another client's, for
 * the same resource.
 */
static void
link_fit(struct diag *dg, const struct flow *fl, struct txn *t,
    const struct window *w, uint32_t last, bool connected)
{
	int64_t chain = t->d.nconns ? fl->conns[t->d.conns[0]].first.ts_ns :
	    INT64_MAX;
	uint32_t on = connected ? find_upstream(dg, fl, t, w, last,
	    NEED_FIT) : NONE32;
	uint32_t other = find_upstream(dg, fl, t, w, NONE32, NEED_FIT);
	int64_t at = other == NONE32 ? INT64_MAX : distance(w,
	    diag_try_began_ns(fl, other));

	/* the answer followed the other's end, not on's: the other was t's
	 * (Go's Caddy sends a request on whichever of the connections it
	 * dialled for a crowd comes up first) */
	bool answer_ends_other = on != NONE32 && other != NONE32 &&
	    ended_at_answer(fl, t, w, other) && !ended_at_answer(fl, t, w, on);

	if (on != NONE32 && !answer_ends_other &&
	    at >= distance(w, began_ns(fl, on, chain))) {
		take_upstream(fl, t, w, on);
		t->d.conn_link = LINK_REQUEST_LINE;
		return;
	}
	if (other == NONE32)
		return;
	/* failed attempts of its own the answer follows, begun first, or
	 * under way when the other request went out and refused after it
	 * (as in link_conns); or still under way when the other's
	 * connection opened: a gateway opens no second connection for a
	 * request while one is pending (one that retries, as Traffic
	 * Server does, answers long after the first attempt, and on a busy
	 * host its retries may not be linked); but a reverse proxy's
	 * attempts guessed by time alone (backend_addr) yield to a request
	 * that carried t's path */
	if (last != NONE32 && !connected && !(t->d.conn_link == LINK_TIME &&
	    diag_origin_form(fl, t)) && dg->conn_claimed[last] != CLAIM_TAKEN &&
	    contradicts(fl, t, w, other) &&
	    ((answer_follows(fl, t, w, &fl->conns[last]) &&
	    (distance(w, chain) < at ||
	    refused_after(fl, t, w, sent_quiet(fl, w, other)))) ||
	    opened_while_pending(w, chain, &fl->conns[last],
	    &fl->conns[fl->msgs[other].conn])))
		return;
	take_upstream(fl, t, w, other);
	link_carrier(fl, t, w);
}

/*
 * The request line: one whose reply the gateway relayed (the status it
 * answered, just before), else one the answer can follow; on the
 * connection the attempts ended on, else on a pooled one. A success
 * takes one whose reply was junk (masked) only if none carried its
 * status.
 */
static void
link_request_line(struct diag *dg, const struct flow *fl, struct txn *t,
    const struct window *w)
{
	uint32_t last = t->d.nconns ? t->d.conns[t->d.nconns - 1] : NONE32;
	bool connected = last != NONE32 && conn_up(&fl->conns[last], w);
	enum reply_need most = t->is_error ? NEED_FIT : NEED_FIT_OR_JUNK;

	for (enum reply_need need = NEED_RELAYED; need <= most; need++) {
		if (need == NEED_RELAYED_LATE) {
			if (link_relayed_late(dg, fl, t, w)) {
				link_carrier(fl, t, w);
				return;
			}
			continue;
		}
		if (need == NEED_FIT && t->is_error) {
			link_fit(dg, fl, t, w, last, connected);
			return;
		}
		if (connected && link_upstream(dg, fl, t, w, last, need)) {
			t->d.conn_link = LINK_REQUEST_LINE;
			return;
		}
		if (link_upstream(dg, fl, t, w, NONE32, need)) {
			link_carrier(fl, t, w);
			return;
		}
	}
}

/* One step of a search's budget (none: NULL); false when none is left. */
static bool
chain_step(unsigned *budget)
{
	if (budget == NULL)
		return true;
	if (*budget == 0)
		return false;
	(*budget)--;
	return true;
}

/* Is msgs[i] an unclaimed request the gateway sent upstream for t's
 * resource? */
static bool
gateway_asks_for(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, size_t i)
{
	const struct http_msg *m = &fl->msgs[i];
	const struct conn *mc = &fl->conns[m->conn];

	return m->dir == 0 && m->valid && !dg->msg_claimed[i] &&
	    mc->role != CONN_CLIENT && from_gateway(dg, &mc->caddr, w) &&
	    diag_same_resource(fl, t, m);
}

/* Is msgs[i], not up_req, such a request (gateway_asks_for) begun in
 * [failed, failed + within], before t's answer? */
static bool
try_fits(const struct diag *dg, const struct flow *fl, const struct txn *t,
    const struct window *w, uint32_t up_req, size_t i, int64_t failed,
    int64_t within)
{
	const struct http_msg *m = &fl->msgs[i];
	int64_t began = began_ns(fl, (uint32_t)i,
	    fl->conns[m->conn].first.ts_ns);

	return i != up_req && began >= failed &&
	    began <= add_sat(failed, within) && m->start.ts_ns < w->to &&
	    gateway_asks_for(dg, fl, t, w, i);
}

/*
 * A reverse proxy whose try failed (a close, silence until its timeout)
 * sends the request at once to its group's next server (nginx's
 * proxy_next_upstream error timeout), on a pooled connection or a new
 * one, and answers after the last try. The next try of up_req, which
 * failed at `failed`: the first unclaimed request of the gateway's for
 * the same path begun (its connection's SYN, when opened for it) within
 * `within` after, before the answer: DIAG_UNTRIED_NS after an exchange
 * failed, DIAG_NEXT_NS after a refusal (the loop's same turn; one begun
 * later is another request's for that path). Two short walks: the
 * requests sent in that time, and the connections opened in it (their
 * first request sent after the handshake, later): a walk over every
 * request up to the answer, a second later in a storm, spent the
 * search's budget before the attempts were looked at.
 */
static uint32_t
next_try(const struct diag *dg, const struct flow *fl, const struct txn *t,
    const struct window *w, uint32_t up_req, int64_t failed, int64_t within,
    unsigned *budget)
{
	int64_t until = add_sat(failed, within);
	uint32_t best = NONE32;
	unsigned steps = 0;

	for (size_t i = diag_msg_lower(fl, failed); i < fl->nmsgs &&
	    fl->msgs[i].start.ts_ns <= until && steps < DIAG_CACHE_WALK &&
	    chain_step(budget); i++, steps++)
		if (try_fits(dg, fl, t, w, up_req, i, failed, within)) {
			best = (uint32_t)i;
			break;
		}
	steps = 0;
	for (size_t i = conn_lower(fl, failed); i < fl->nconns &&
	    fl->conns[i].first.ts_ns <= until && steps < DIAG_CACHE_WALK &&
	    chain_step(budget); i++, steps++) {
		uint32_t mi = fl->conns[i].first_msg[0];

		if (mi != NONE32 && mi < best && opened_for(fl, &fl->msgs[mi]) &&
		    try_fits(dg, fl, t, w, up_req, mi, failed, within))
			best = mi;
	}
	return best;
}

/*
 * Could connection i be the try after prev, which failed at `failed`?
 * nginx connects to its group's next server in the same turn of its
 * event loop (proxy_next_upstream error): begun within DIAG_NEXT_NS after
 * `failed`, before the answer, unclaimed and not connected (one that
 * connected carried a request: next_try's), to the port of the try
 * before (a group's servers) or its address (a server's instances); one
 * to neither is another request's backend. A refused one need not be
 * the last (the answer at once after it): reaches_answer follows it on,
 * through a silent attempt's connect timeout too.
 */
static bool
reattempt_fits(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, const struct conn *prev,
    size_t i)
{
	const struct conn *c = &fl->conns[i];

	return !linked_attempt(&t->d, (uint32_t)i) &&
	    c->role != CONN_CLIENT && c->sport != FLOW_DNS_PORT &&
	    c->nsyn > 0 && !dg->conn_claimed[i] && !conn_up(c, w) &&
	    gateway_try(dg, fl, c, w) && (c->sport == prev->sport ||
	    addr_eq(&c->saddr, &prev->saddr)) && (refused(c, w) ?
	    t->resp != NONE32 && !relayed_success(fl, t) :
	    answer_follows(fl, t, w, c));
}

/* The attempts that fit as the try after prev (reattempt_fits) lie from
 * conn_lower(failed) while they begin by this. */
static bool
reattempt_window(const struct flow *fl, const struct window *w, size_t i,
    int64_t failed)
{
	return i < fl->nconns && fl->conns[i].first.ts_ns <=
	    add_sat(failed, DIAG_NEXT_NS) && fl->conns[i].first.ts_ns < w->to;
}

static bool reaches_answer(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, size_t ci, unsigned depth,
    unsigned *budget);

/*
 * Busy, several requests' tries run through refusals at once, their
 * next attempts microseconds apart: the one that can lead on to t's
 * answer (reaches_answer) is t's. Can one of the attempts after ci's
 * refusal at `at`?
 */
static bool
reaches_after(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, size_t ci, int64_t at,
    unsigned depth, unsigned *budget)
{
	unsigned steps = 0;

	for (size_t i = conn_lower(fl, at); reattempt_window(fl, w, i, at) &&
	    steps < DIAG_CACHE_WALK && chain_step(budget); i++, steps++)
		if (reattempt_fits(dg, fl, t, w, &fl->conns[ci], i) &&
		    reaches_answer(dg, fl, t, w, i, depth, budget))
			return true;
	return false;
}

/*
 * Can t's tries run on from attempt ci to its answer: the answer at once
 * after ci's refusal (DIAG_NEXT_NS), a request for t's path after it
 * (next_try), or an attempt after it that can (depth more at most)?
 * An attempt whose end is not seen (unanswered SYNs) may be the last;
 * one refused after the answer is not t's. *budget bounds the search:
 * a step for each attempt and each request looked at.
 */
static bool
reaches_answer(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, size_t ci, unsigned depth,
    unsigned *budget)
{
	const struct conn *c = &fl->conns[ci];
	int64_t at;

	if (!chain_step(budget))
		return false;
	if (!refused(c, w))
		return true;
	at = attempt_seen_ns(c, w);
	if (at > w->to)
		return false;
	if (w->to - at <= DIAG_NEXT_NS ||
	    next_try(dg, fl, t, w, NONE32, at, DIAG_NEXT_NS, budget) != NONE32)
		return true;
	return depth > 0 && reaches_after(dg, fl, t, w, ci, at, depth - 1,
	    budget);
}

/*
 * A gateway's event loop acts on what comes in the order it comes: a
 * client's request, a refusal of one of its attempts; each with one
 * action: an attempt begun (a SYN), a request sent on a pooled
 * connection, an error answer. In a storm of refusals that order tells
 * several requests' next tries apart, microseconds apart.
 */
struct loop_events {
	int8_t delta[DIAG_CARRIES_LOOK];	/* +1 to act on, -1 action */
	int64_t at[DIAG_CARRIES_LOOK];
	size_t n;			/* > DIAG_CARRIES_LOOK: too many */
};

static void
loop_event(struct loop_events *e, int64_t at, int8_t delta)
{
	size_t k = e->n++;

	if (k >= DIAG_CARRIES_LOOK)
		return;
	for (; k > 0 && e->at[k - 1] > at; k--) {
		e->at[k] = e->at[k - 1];
		e->delta[k] = e->delta[k - 1];
	}
	e->at[k] = at;
	e->delta[k] = delta;
}

/* The gateway's loop events in [from, to), in order; more than
 * DIAG_CARRIES_LOOK of them, or DIAG_CACHE_WALK connections or messages
 * looked at (a hostile capture's thousands): e->n says too many. */
static void
loop_events(const struct diag *dg, const struct flow *fl,
    const struct window *w, int64_t from, int64_t to, struct loop_events *e)
{
	unsigned steps = 0;

	e->n = 0;
	for (size_t i = conn_lower(fl, add_sat(from, -DIAG_NEXT_NS));
	    i < fl->nconns && fl->conns[i].first.ts_ns < to &&
	    e->n <= DIAG_CARRIES_LOOK; i++) {
		const struct conn *c = &fl->conns[i];
		int64_t over;

		if (++steps > DIAG_CACHE_WALK) {
			e->n = DIAG_CARRIES_LOOK + 1;
			return;
		}
		if (c->role == CONN_CLIENT || c->sport == FLOW_DNS_PORT ||
		    c->nsyn == 0 || !from_gateway(dg, &c->caddr, w))
			continue;
		if (c->first.ts_ns >= from)
			loop_event(e, c->first.ts_ns, -1);
		over = refused(c, w) ? attempt_over_ns(c, w) : INT64_MAX;
		if (over >= from && over < to)
			loop_event(e, over, 1);
	}
	for (size_t i = diag_msg_lower(fl, from); i < fl->nmsgs &&
	    fl->msgs[i].start.ts_ns < to && e->n <= DIAG_CARRIES_LOOK; i++) {
		const struct http_msg *m = &fl->msgs[i];
		bool client = fl->conns[m->conn].role == CONN_CLIENT;

		if (++steps > 2 * DIAG_CACHE_WALK) {
			e->n = DIAG_CARRIES_LOOK + 1;
			return;
		}
		if (m->dir == 1 && m->valid && m->status >= 500 && client)
			loop_event(e, m->start.ts_ns, -1);
		else if (m->dir == 0 && client)
			loop_event(e, m->start.ts_ns, 1);
		else if (m->dir == 0 && !opened_for(fl, m))
			loop_event(e, m->start.ts_ns, -1);
	}
}

/*
 * How many requests and refusals were still to act on when the refusal
 * at `failed` came (looking DIAG_NEXT_NS back); -1: too many events.
 */
static int
queued_at(const struct diag *dg, const struct flow *fl,
    const struct window *w, int64_t failed)
{
	struct loop_events e;
	int queued = 0;

	loop_events(dg, fl, w, add_sat(failed, -DIAG_NEXT_NS), failed, &e);
	if (e.n > DIAG_CARRIES_LOOK)
		return -1;
	for (size_t k = 0; k < e.n; k++)
		if (e.delta[k] > 0)
			queued++;
		else if (queued > 0)
			queued--;
	return queued;
}

/*
 * Was the action at `acted` (an attempt begun, an answer) the one for the
 * refusal at `failed`: as many actions after that refusal before it as
 * there were events `queued` before it? Too many to tell: yes.
 */
static bool
acted_in_turn(const struct diag *dg, const struct flow *fl,
    const struct window *w, int64_t failed, int queued, int64_t acted)
{
	struct loop_events e;
	int actions = 0;

	if (queued < 0)
		return true;
	loop_events(dg, fl, w, add_sat(failed, 1), acted, &e);
	if (e.n > DIAG_CARRIES_LOOK)
		return true;
	for (size_t k = 0; k < e.n; k++)
		actions += e.delta[k] < 0;
	return actions == queued;
}

/*
 * The try after prev (its connection's index; it failed at `failed`): of
 * the attempts that fit (reattempt_fits) and can lead on to the answer
 * (reaches_answer), the one begun in turn (acted_in_turn), else the
 * first; none when the gateway did not answer (it closed the client's
 * connection: nothing tells its last try).
 */
static uint32_t
next_reattempt(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, int64_t failed,
    uint32_t prev)
{
	unsigned steps = 0, budget = DIAG_CHAIN_BUDGET;
	uint32_t first = NONE32;
	int queued;

	if (t->resp == NONE32)	/* no answer to follow at once */
		return NONE32;
	queued = queued_at(dg, fl, w, failed);
	for (size_t i = conn_lower(fl, failed); reattempt_window(fl, w, i,
	    failed) && steps < DIAG_CACHE_WALK; i++, steps++) {
		if (!reattempt_fits(dg, fl, t, w, &fl->conns[prev], i) ||
		    !reaches_answer(dg, fl, t, w, i, DIAG_MAX_CONNS, &budget))
			continue;
		if (acted_in_turn(dg, fl, w, failed, queued,
		    fl->conns[i].first.ts_ns))
			return (uint32_t)i;
		if (first == NONE32)
			first = (uint32_t)i;
	}
	return first;
}

/*
 * When t's last try failed, and how (*cause): its exchange's end
 * (try_end_ns), else its last attempt's refusal; INT64_MAX when it did
 * not so fail (an unanswered connect's end is not seen).
 */
static int64_t
last_try_end_ns(const struct flow *fl, const struct txn *t,
    const struct window *w, uint8_t *cause)
{
	const struct conn *c;

	if (t->d.up_req != NONE32)
		return try_end_ns(fl, w, t->d.up_req, cause);
	if (t->d.nconns == 0)
		return INT64_MAX;
	c = &fl->conns[t->d.conns[t->d.nconns - 1]];
	return refused(c, w) && !conn_up(c, w) ?
	    attempt_seen_ns(c, w) : INT64_MAX;
}

/* Attempt ci stays among t's (link_carrier keeps only those that
 * failed before the carrier opened: a pooled one opened long before),
 * before the last; the first when there is none. */
static void
keep_attempt(struct txn *t, uint32_t ci)
{
	struct diagnosis *d = &t->d;

	if (linked_attempt(d, ci) || d->nconns == DIAG_MAX_CONNS)
		return;
	if (d->nconns == 0) {
		d->conns[d->nconns++] = ci;
		return;
	}
	d->conns[d->nconns] = d->conns[d->nconns - 1];
	d->conns[d->nconns++ - 1] = ci;
}

/* The failed exchange up_req becomes one of t's earlier tries; false:
 * no room. */
static bool
keep_try(struct txn *t, uint8_t cause)
{
	struct diagnosis *d = &t->d;

	if (d->up_req == NONE32)
		return true;
	if (d->ntries == DIAG_MAX_TRIES)
		return false;
	d->tries[d->ntries] = d->up_req;
	d->try_cause[d->ntries++] = cause;
	return true;
}

/*
 * Does the try up_req end where t's answer follows at once: its reply
 * relayed (the answer's status) or one without a status line, its
 * server's close or the gateway's timeout, DIAG_UNTRIED_NS before the
 * answer at most?
 */
static bool
ends_at_answer(const struct flow *fl, const struct txn *t,
    const struct window *w, uint32_t up_req)
{
	uint32_t r = response_to(fl, up_req);
	uint8_t cause;
	int64_t end;

	if (t->resp == NONE32)
		return false;
	if (r != NONE32 && seen(w, &fl->msgs[r].start)) {
		const struct http_msg *m = &fl->msgs[r];

		if (m->valid && m->status != t->status)
			return false;
		end = m->start.ts_ns;
	} else
		end = try_end_ns(fl, w, up_req, &cause);
	return end <= w->to && w->to - end <= DIAG_UNTRIED_NS;
}

/* Could upstream request i be t's try after the silent attempt, begun
 * after its last SYN at `after` (try_after_silence)? */
static bool
silence_try_fits(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, size_t i, int64_t after)
{
	return fl->msgs[i].start.ts_ns > after &&
	    gateway_asks_for(dg, fl, t, w, i) &&
	    ends_at_answer(fl, t, w, (uint32_t)i);
}

/*
 * After a try that did not connect and whose end is not seen (unanswered
 * SYNs: nginx gave up at its connect timeout, seconds after the
 * request), the next try: the latest request for t's path the gateway
 * began after the attempt's last SYN whose end the answer follows at
 * once (ends_at_answer), unclaimed. Looked for among the requests for
 * t's resource (its host and path), else back from the answer (a
 * backend's Host, not the client's).
 */
static uint32_t
try_after_silence(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, const struct conn *c)
{
	const struct key_list *l = key_find(&dg->by_host, t->resource_hash);
	unsigned n = syns_seen(c, w), steps = 0;
	int64_t after;

	if (n == 0 || conn_up(c, w) || refused(c, w))
		return NONE32;
	after = conn_syn(c, n - 1)->ts_ns;
	/* the latest first: back from the answer, over seconds of a busy
	 * path's requests (a read timeout's worth) */
	for (size_t p = l ? key_lower(l, add_sat(w->to, 1)) : 0; p > 0 &&
	    l->ts[p - 1] > after && steps < DIAG_SILENCE_WALK; p--, steps++)
		if (silence_try_fits(dg, fl, t, w, l->items[p - 1], after))
			return l->items[p - 1];
	steps = 0;
	for (size_t i = diag_msg_lower(fl, add_sat(w->to, 1)); i > 0 &&
	    fl->msgs[i - 1].start.ts_ns > after && steps < DIAG_CACHE_WALK;
	    i--, steps++)
		if (silence_try_fits(dg, fl, t, w, i - 1, after))
			return (uint32_t)(i - 1);
	return NONE32;
}

/*
 * The refused attempt after the silent one s (begun after its last SYN
 * at `after`; s's group: reattempt_fits) that the action at `acted` (an
 * attempt begun, t's answer) was in turn for (acted_in_turn), refused
 * DIAG_NEXT_NS before at most; the latest refused of those. When none
 * was in turn, the latest refused if `any`, else none: the action was
 * the gateway's own (a connect timeout's). A bounded walk back over
 * attempts begun DIAG_UNTRIED_NS before `acted` at most.
 */
static uint32_t
refused_before(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, const struct conn *s,
    int64_t after, int64_t acted, bool any)
{
	uint32_t in_turn = NONE32, latest = NONE32;
	int64_t from = add_sat(acted, -DIAG_UNTRIED_NS);
	unsigned steps = 0;

	for (size_t i = conn_lower(fl, acted); i > 0 &&
	    fl->conns[i - 1].first.ts_ns > after &&
	    fl->conns[i - 1].first.ts_ns >= from &&
	    steps < DIAG_CACHE_WALK; i--, steps++) {
		const struct conn *k = &fl->conns[i - 1];
		int64_t over = attempt_over_ns(k, w);
		uint32_t ki = (uint32_t)(i - 1);

		if (!refused(k, w) || over > acted || acted - over >
		    DIAG_NEXT_NS || !reattempt_fits(dg, fl, t, w, s, ki))
			continue;
		if (latest == NONE32 ||
		    over > attempt_over_ns(&fl->conns[latest], w))
			latest = ki;
		if (acted_in_turn(dg, fl, w, over, queued_at(dg, fl, w, over),
		    acted) && (in_turn == NONE32 ||
		    over > attempt_over_ns(&fl->conns[in_turn], w)))
			in_turn = ki;
	}
	return in_turn != NONE32 ? in_turn : any ? latest : NONE32;
}

/*
 * The refusals walked back from the action at `acted` (refused_before:
 * for `acted` itself `any` refused if none was in turn; for each
 * attempt before it, the refusal it was in turn for), all begun after
 * `after`. In chain[], the last first, `room` at most; how many.
 */
static unsigned
refusal_chain(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, const struct conn *s,
    int64_t after, int64_t acted, bool any, uint32_t *chain, unsigned room)
{
	unsigned len = 0;

	for (uint32_t ci = refused_before(dg, fl, t, w, s, after, acted, any);
	    ci != NONE32 && len < room; ci = refused_before(dg, fl, t, w, s,
	    after, fl->conns[ci].first.ts_ns, false))
		chain[len++] = ci;
	return len;
}

/*
 * After the silent attempt s (its connect timed out, a time no packet
 * shows), the tries refused one after the other up to the action at
 * `acted` (t's answer, or the try that then carried the request): nginx
 * gave up on s and went on through its group. Walked back from `acted`,
 * each refusal the one the next action was in turn for (for the answer,
 * else the latest refused), to the first, begun by the timeout itself
 * (after s's last SYN, before the SYN that never came). None run on to
 * a 504: a gateway answers that after a timeout, a 502 or 503 after a
 * refusal (nginx's ngx_http_upstream_next, HAProxy's sC and sH). In
 * chain[], the last first, `room` at most; how many (0: none).
 */
static unsigned
refused_after_silence(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, const struct conn *s,
    int64_t acted, uint32_t *chain, unsigned room)
{
	unsigned n = syns_seen(s, w), len;

	if (n == 0 || refused(s, w) || conn_up(s, w) ||
	    (acted == w->to && t->status == 504))
		return 0;
	len = refusal_chain(dg, fl, t, w, s, conn_syn(s, n - 1)->ts_ns, acted,
	    acted == w->to, chain, room);
	if (len == 0 || fl->conns[chain[len - 1]].first.ts_ns >
	    add_sat(attempt_over_ns(s, w), DIAG_TIMER_LATE_NS))
		return 0;
	return len;
}

/* Is t's method one a proxy does not send twice (POST, PATCH, LOCK)? */
static bool
not_idempotent(const struct flow *fl, const struct txn *t)
{
	const char *m = flow_str(fl, fl->msgs[t->req].method);

	return strcmp(m, "POST") == 0 || strcmp(m, "PATCH") == 0 ||
	    strcmp(m, "LOCK") == 0;
}

/*
 * Was t's request sent on its last try and is its method not idempotent?
 * Then the gateway answered after that try: nginx passes such a request
 * to the next server only before it sent it (proxy_next_upstream without
 * non_idempotent), and HAProxy resends no request once sent.
 */
static bool
sent_once(const struct flow *fl, const struct txn *t)
{
	return t->d.up_req != NONE32 && not_idempotent(fl, t);
}

/*
 * Could upstream request i be t's try before one that began at `began`:
 * one the gateway sent for t's resource (gateway_asks_for), not yet
 * among t's, after t's request (not before it by a clock's skew: a
 * client that sends a request again at once after the gateway closed on
 * it), whose exchange failed (try_end_ns: no valid reply, a close, the
 * gateway's timeout) at most DIAG_UNTRIED_NS before? Its end (and the
 * cause in *cause), else INT64_MIN.
 */
static int64_t
prev_try_end(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, uint32_t i, int64_t began,
    uint8_t *cause)
{
	int64_t end;

	if (i == t->d.up_req || listed(t->d.tries, t->d.ntries, i) ||
	    !gateway_asks_for(dg, fl, t, w, i))
		return INT64_MIN;
	end = try_end_ns(fl, w, i, cause);
	return end > began || began - end > DIAG_UNTRIED_NS ? INT64_MIN : end;
}

/* i instead of *best if it fits (prev_try_end) and ended later. */
static void
later_prev_try(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, uint32_t i, int64_t began,
    uint32_t *best, int64_t *best_end, uint8_t *cause)
{
	uint8_t why = C_NONE;
	int64_t end = prev_try_end(dg, fl, t, w, i, began, &why);

	if (end > *best_end) {
		*best = i;
		*best_end = end;
		*cause = why;
	}
}

/*
 * The try before `next` (an upstream request of t's): of those that fit
 * (prev_try_end), the one that ended last; its cause in *cause, its end
 * in *end. Looked
 * for among the requests for t's resource back from next's try over up
 * to DIAG_SILENCE_WALK of them (on a busy path the try before may have
 * waited a read timeout), else over DIAG_CACHE_WALK requests of any
 * kind (a reverse proxy that names its backend as the Host: the index,
 * by the client's host, does not have them). NONE32: none, and none for
 * a POST (sent once, it is not sent again).
 */
static uint32_t
prev_try(const struct diag *dg, const struct flow *fl, const struct txn *t,
    const struct window *w, int64_t began, uint8_t *cause, int64_t *end)
{
	const struct key_list *l = key_find(&dg->by_host, t->resource_hash);
	int64_t best_end = INT64_MIN;
	uint32_t best = NONE32;
	unsigned steps = 0;

	if (not_idempotent(fl, t))
		return NONE32;
	for (size_t p = l ? key_lower(l, began) : 0; p > 0 &&
	    l->ts[p - 1] >= w->req && steps < DIAG_SILENCE_WALK;
	    p--, steps++)
		later_prev_try(dg, fl, t, w, l->items[p - 1], began, &best,
		    &best_end, cause);
	steps = 0;
	for (size_t i = diag_msg_lower(fl, began); best == NONE32 && i > 0 &&
	    fl->msgs[i - 1].start.ts_ns >= w->req && steps < DIAG_CACHE_WALK;
	    i--, steps++)
		later_prev_try(dg, fl, t, w, (uint32_t)(i - 1), began, &best,
		    &best_end, cause);
	*end = best_end;
	return best;
}

/* Is the last try's reply the junk t's answer passed on (junk_relayed)?
 * nginx tries no server after it: junk is no error to it. */
static bool
passed_on_junk(const struct flow *fl, const struct txn *t,
    const struct window *w)
{
	return t->status == 0 && t->d.up_resp != NONE32 &&
	    junk_relayed(fl, w, t->d.up_resp);
}

/*
 * The tries before the one t's gateway began at `began` (its first
 * linked: found by its reply, a status relayed, a close, tries are
 * followed on from it), newest first, while there is room: each goes
 * before those found, its connection among the attempts, and so do the
 * refusals between it and the try after (nginx going on through its
 * group: a closed pooled try, two servers refusing, a pooled try that
 * took it; refusal_chain, all begun after the try failed, the latest
 * refused first when none was in the loop's turn), room kept for the
 * try's own connection.
 */
static void
link_prev_tries(const struct diag *dg, const struct flow *fl, struct txn *t,
    const struct window *w, int64_t began)
{
	struct diagnosis *d = &t->d;
	uint32_t req, chain[DIAG_MAX_CONNS];
	uint8_t cause = C_NONE;
	int64_t ended;

	while (d->ntries < DIAG_MAX_TRIES && d->nconns < DIAG_MAX_CONNS &&
	    (req = prev_try(dg, fl, t, w, began, &cause, &ended)) != NONE32) {
		unsigned len = refusal_chain(dg, fl, t, w,
		    &fl->conns[fl->msgs[req].conn], ended, began, true, chain,
		    DIAG_MAX_CONNS - d->nconns - 1);

		memmove(&d->tries[1], &d->tries[0], d->ntries *
		    sizeof d->tries[0]);
		memmove(&d->try_cause[1], &d->try_cause[0], d->ntries *
		    sizeof d->try_cause[0]);
		d->tries[0] = req;
		d->try_cause[0] = cause;
		d->ntries++;
		while (len > 0)
			keep_attempt(t, chain[--len]);
		if (!linked_attempt(d, fl->msgs[req].conn))
			d->conns[d->nconns++] = fl->msgs[req].conn;
		began = diag_try_began_ns(fl, req);
	}
}

/*
 * Is one of chain[]'s refusals to a server other than the one t's host
 * is pinned to (backends.c), which carried its request (fc)? Then it is
 * another host's: a proxy acting late for an earlier request (HAProxy
 * under load, 5 ms after it, just as the next request for another host
 * came), not a try of t's before its server.
 */
static bool
other_than_pinned(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct conn *fc, const uint32_t *chain,
    unsigned len)
{
	if (!diag_backend_pinned(dg, t->host_hash, &fc->saddr, fc->sport))
		return false;
	for (unsigned k = 0; k < len; k++) {
		const struct conn *c = &fl->conns[chain[k]];

		if (c->sport != fc->sport || !addr_eq(&c->saddr, &fc->saddr))
			return true;
	}
	return false;
}

/*
 * Did the gateway wait after the refusal at `over` (HAProxy's turn-around
 * before it tries again) rather than act for it in its loop's same turn
 * (nginx: the group's next server, or its 502): within DIAG_NEXT_NS after
 * it, each action owed to what came just before it (queued_at) or since
 * (a client's request, another refusal)? Too busy to tell: no.
 */
static bool
waited_after_refusal(const struct diag *dg, const struct flow *fl,
    const struct window *w, int64_t over)
{
	struct loop_events e;
	int owed = queued_at(dg, fl, w, over);

	if (owed < 0)
		return false;
	loop_events(dg, fl, w, add_sat(over, 1), add_sat(over, DIAG_NEXT_NS),
	    &e);
	if (e.n > DIAG_CARRIES_LOOK)
		return false;
	for (size_t k = 0; k < e.n; k++)
		if (e.delta[k] > 0)
			owed++;
		else if (owed-- == 0)
			return false;	/* acted for the refusal */
	return true;
}

/*
 * Is an attempt begun at `at` the retry after a turn-around of attempt
 * r, refused: begun a connect timeout (less the skew) after r's refusal
 * or later, the first since then (the attempt to the address before it
 * began at `latest`), by a gateway that waited after that refusal
 * (waited_after_refusal)? The callers look DIAG_RETRY_NS back at most.
 */
static bool
turned_after(const struct diag *dg, const struct flow *fl,
    const struct window *w, const struct conn *r, int64_t at,
    int64_t latest)
{
	int64_t over;

	if (!refused(r, w) || !gateway_try(dg, fl, r, w))
		return false;
	over = attempt_over_ns(r, w);
	return at - over >= DIAG_MIN_CONNECT_SEEN_NS &&
	    latest < add_sat(over, DIAG_MIN_CONNECT_SEEN_NS) &&
	    waited_after_refusal(dg, fl, w, over);
}

/*
 * Is attempt a a request's try after a refusal's turn-around
 * (turned_after an attempt to its address begun DIAG_RETRY_NS before it
 * at most)? HAProxy tries a refused request again so, on a new socket,
 * 10-20 ms late under load.
 */
static bool
turn_around_retry(const struct diag *dg, const struct flow *fl,
    const struct window *w, uint32_t a)
{
	const struct conn *c = &fl->conns[a];
	const struct key_list *l = key_find(&dg->by_dst,
	    dst_hash(&c->saddr, c->sport));
	int64_t at = c->first.ts_ns;
	size_t p = l ? key_lower(l, at) : 0;
	unsigned steps = 0;

	for (size_t k = p; k-- > 0 && l->ts[k] >= add_sat(at, -DIAG_RETRY_NS) &&
	    steps < DIAG_CARRIES_LOOK; steps++)
		if (turned_after(dg, fl, w, &fl->conns[l->items[k]], at,
		    l->ts[p - 1]))
			return true;
	return false;
}

/*
 * The refusals before t's first try that carried the request (nginx
 * going on from refusing servers to one that took it), found by neither
 * its reply nor a path: walked back from that try's beginning, each the
 * refusal the next attempt was in the loop's turn for (refused_before;
 * for the try itself the latest refused when none was: a busy loop's
 * turns are not always told), all begun after t's request, the first in
 * turn for the request itself
 * and no request's retry after a refusal's turn-around (turn_around_retry:
 * HAProxy's, begun just after t's request and refused, t then sent at
 * once on a pooled connection to another server, is the retry, not t's
 * try of the refusing server first, nginx's way).
 * Appended to t's attempts; true: some were.
 */
static bool
link_refused_before(const struct diag *dg, const struct flow *fl,
    struct txn *t, const struct window *w)
{
	struct diagnosis *d = &t->d;
	uint32_t first = d->ntries ? d->tries[0] : d->up_req;
	const struct conn *fc = &fl->conns[fl->msgs[first].conn];
	uint32_t chain[DIAG_MAX_CONNS];
	unsigned len = refusal_chain(dg, fl, t, w, fc, add_sat(w->req, -1),
	    diag_try_began_ns(fl, first), true, chain,
	    DIAG_MAX_CONNS - d->nconns);

	if (len == 0 || !acted_in_turn(dg, fl, w, w->req, queued_at(dg, fl,
	    w, w->req), fl->conns[chain[len - 1]].first.ts_ns) ||
	    other_than_pinned(dg, fl, t, fc, chain, len) ||
	    turn_around_retry(dg, fl, w, chain[len - 1]))
		return false;
	while (len > 0)
		d->conns[d->nconns++] = chain[--len];
	return true;
}

/*
 * Where t's tries run on from the silent attempt k: the first of the
 * refusals up to the action at `acted` (refused_after_silence), else
 * that action's time; INT64_MAX: none (no request, no refusals up to
 * the answer).
 */
static int64_t
silence_ends(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, const struct conn *k)
{
	uint32_t chain[DIAG_MAX_CONNS];
	uint32_t req = try_after_silence(dg, fl, t, w, k);
	int64_t acted = req == NONE32 ? w->to : diag_try_began_ns(fl, req);
	unsigned len = refused_after_silence(dg, fl, t, w, k, acted, chain,
	    DIAG_MAX_CONNS);

	if (len > 0)
		return fl->conns[chain[len - 1]].first.ts_ns;
	return req == NONE32 ? INT64_MAX : acted;
}

/*
 * After the silent attempt s, another one begun by its connect timeout
 * (after s's last SYN, before the SYN that never came; s's group) from
 * which t's tries run on (silence_ends) after the same timeout again:
 * a gateway's connect timeout is one setting, so the second silence
 * lasts as long as the first, DIAG_ASK_NS either way at most (timers
 * late under load); the nearest to that. NONE32: none.
 */
static uint32_t
silent_after(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, const struct conn *s)
{
	unsigned n = syns_seen(s, w), steps = 0;
	int64_t until = add_sat(attempt_over_ns(s, w), DIAG_NEXT_NS);
	int64_t best = DIAG_ASK_NS + 1;
	uint32_t found = NONE32;

	if (n == 0 || t->d.nconns == DIAG_MAX_CONNS)
		return NONE32;
	for (size_t i = conn_lower(fl, add_sat(conn_syn(s, n - 1)->ts_ns, 1));
	    i < fl->nconns && fl->conns[i].first.ts_ns <= until &&
	    fl->conns[i].first.ts_ns < w->to && steps < DIAG_CACHE_WALK;
	    i++, steps++) {
		const struct conn *k = &fl->conns[i];
		int64_t timeout = k->first.ts_ns - s->first.ts_ns;
		int64_t due = add_sat(k->first.ts_ns, timeout), off;

		/* cheap tests first: nothing can begin after the answer */
		if (refused(k, w) || due > add_sat(w->to, DIAG_ASK_NS) ||
		    !reattempt_fits(dg, fl, t, w, s, i))
			continue;
		off = silence_ends(dg, fl, t, w, k);
		if (off == INT64_MAX)
			continue;
		off = off > due ? off - due : due - off;
		if (off < best) {
			best = off;
			found = (uint32_t)i;
		}
	}
	return found;
}

/* What link_after_silence linked: the tries' end, or what they go on
 * from. */
enum silence_next { SILENCE_END, SILENCE_REQUEST, SILENCE_ATTEMPT };

/*
 * t's last try so far the silent attempt: the request the gateway went
 * on to (try_after_silence), the refusals between kept among the
 * attempts (SILENCE_REQUEST: its end the answer follows at once, only
 * refusals may come between); else the refusals up to the answer
 * (SILENCE_END); else another silent attempt (silent_after,
 * SILENCE_ATTEMPT).
 */
static enum silence_next
link_after_silence(const struct diag *dg, const struct flow *fl,
    struct txn *t, const struct window *w)
{
	struct diagnosis *d = &t->d;
	uint32_t silent = d->conns[d->nconns - 1], chain[DIAG_MAX_CONNS];
	const struct conn *s = &fl->conns[silent];
	uint32_t req = try_after_silence(dg, fl, t, w, s);
	unsigned len;

	if (req != NONE32) {
		bool first_tries = d->ntries == 0;

		len = refused_after_silence(dg, fl, t, w, s,
		    diag_try_began_ns(fl, req), chain, DIAG_MAX_CONNS);
		take_upstream(fl, t, w, req);
		link_carrier(fl, t, w);
		keep_attempt(t, silent);
		while (len > 0)
			keep_attempt(t, chain[--len]);
		/* a try between that failed (nginx's pooled connection its
		 * server closed on the request), when it goes first among
		 * t's tries (those before the silence are linked after) */
		if (first_tries)
			link_prev_tries(dg, fl, t, w,
			    diag_try_began_ns(fl, req));
		return SILENCE_REQUEST;
	}
	if (t->resp == NONE32)
		return SILENCE_END;
	len = refused_after_silence(dg, fl, t, w, s, w->to, chain,
	    DIAG_MAX_CONNS - d->nconns);
	while (len > 0)
		d->conns[d->nconns++] = chain[--len];
	if (d->conns[d->nconns - 1] != silent ||
	    (req = silent_after(dg, fl, t, w, s)) == NONE32)
		return SILENCE_END;
	d->conns[d->nconns++] = req;
	return SILENCE_ATTEMPT;
}

/*
 * The tries after the first, each begun at once after the one before
 * failed: a request for the same path (next_try), or a connection that
 * did not connect (next_reattempt), whichever began first; after a
 * silent attempt, whose end no packet shows, what link_after_silence
 * finds. The last request is t's upstream request, the earlier ones
 * kept in t->d.tries with how each failed; when the last try did not
 * connect, t has no upstream request and its attempts end with that
 * one. The attempts in the order they began (connections are numbered
 * so): the last try's may be a pooled one opened before an earlier
 * try's.
 */
static void
link_next_tries(const struct diag *dg, const struct flow *fl, struct txn *t,
    const struct window *w)
{
	struct diagnosis *d = &t->d;
	enum silence_next then = SILENCE_END;
	bool out_of_order = false;	/* attempts kept after later ones */
	uint8_t cause = C_NONE;
	int64_t failed;

	if (d->up_req != NONE32) {
		link_prev_tries(dg, fl, t, w, diag_try_began_ns(fl, d->up_req));
		out_of_order = link_refused_before(dg, fl, t, w);
	}
	for (unsigned steps = 0; steps < DIAG_MAX_CONNS &&
	    !sent_once(fl, t) && !passed_on_junk(fl, t, w); steps++) {
		uint32_t req = NONE32, ci;

		if ((failed = last_try_end_ns(fl, t, w, &cause)) == INT64_MAX) {
			if (d->up_req == NONE32 && d->nconns > 0 &&
			    (then = link_after_silence(dg, fl, t, w)) !=
			    SILENCE_END) {
				/* refusals kept before a carrier opened for
				 * t, begun after it */
				out_of_order |= then == SILENCE_REQUEST &&
				    fl->conns[d->up_conn].first.ts_ns >= w->req;
				continue;
			}
			break;
		}
		if (then != SILENCE_REQUEST)
			req = next_try(dg, fl, t, w, d->up_req, failed,
			    d->up_req != NONE32 ? DIAG_UNTRIED_NS :
			    DIAG_NEXT_NS, NULL);
		ci = next_reattempt(dg, fl, t, w, d->up_req != NONE32 ?
		    try_acted_ns(fl, w, d->up_req, failed, cause) : failed,
		    d->up_req != NONE32 ? d->up_conn : d->conns[d->nconns - 1]);

		if (ci != NONE32 && (req == NONE32 || fl->conns[ci].first.ts_ns <
		    diag_try_began_ns(fl, req))) {
			if (d->nconns == DIAG_MAX_CONNS || !keep_try(t, cause))
				break;
			d->up_req = d->up_resp = d->up_conn = NONE32;
			d->conns[d->nconns++] = ci;
		} else if (req != NONE32 && keep_try(t, cause)) {
			take_upstream(fl, t, w, req);
			link_carrier(fl, t, w);
		} else
			break;
	}
	/* the last server silent or refusing: the tries before the first
	 * found; then, whatever the last, the tries before the first
	 * attempt (nginx's tries of pooled connections their servers
	 * closed, a silent server between) */
	if (d->up_req == NONE32 && d->ntries > 0)
		link_prev_tries(dg, fl, t, w, diag_try_began_ns(fl, d->tries[0]));
	if (d->nconns > 0) {
		int64_t first = fl->conns[d->conns[0]].first.ts_ns;
		uint32_t earliest = d->ntries ? d->tries[0] : d->up_req;

		if (earliest == NONE32 ||
		    first < diag_try_began_ns(fl, earliest))
			link_prev_tries(dg, fl, t, w, first);
	}
	for (unsigned k = 1; (d->ntries || out_of_order) && k < d->nconns;
	    k++)
		for (unsigned j = k; j > 0 && d->conns[j - 1] > d->conns[j]; j--) {
			uint32_t x = d->conns[j];

			d->conns[j] = d->conns[j - 1];
			d->conns[j - 1] = x;
		}
}

/*
 * Did the gateway try c's address again and again from c to the attempt
 * at position p of its list l, with no pause longer than a retry's
 * turn-around (DIAG_RETRY_NS: HAProxy trying one server on new sockets)?
 * One after a longer pause is another request's.
 */
static bool
retried_from(const struct diag *dg, const struct flow *fl,
    const struct window *w, const struct key_list *l, size_t p,
    const struct conn *c)
{
	const struct conn *y = &fl->conns[l->items[p]];
	unsigned steps = 0;

	for (; p > 0 && l->ts[p - 1] >= c->first.ts_ns &&
	    steps < DIAG_CACHE_WALK; p--, steps++) {
		const struct conn *x = &fl->conns[l->items[p - 1]];

		if (!gateway_try(dg, fl, x, w))
			continue;
		if (y->first.ts_ns - attempt_over_ns(x, w) > DIAG_RETRY_NS)
			return false;
		if (x == c)
			return true;
		y = x;
	}
	return false;
}

/*
 * When the gateway's last attempt to c's address and port before the
 * answer was refused (an RST, an ICMP error; after the answer by the
 * clock skew at most); INT64_MAX when it was not, or over
 * DIAG_FORWARD_NS before: a gateway answers a refusal at once.
 * INT64_MAX too when that attempt is not c yet began within DIAG_ASK_NS
 * of c's end: requests' next tries through a group of refusing servers,
 * where the last attempt to c's address is another request's.
 */
static int64_t
refused_before_answer(const struct diag *dg, const struct flow *fl,
    const struct window *w, const struct conn *c)
{
	const struct key_list *l = key_find(&dg->by_dst,
	    dst_hash(&c->saddr, c->sport));
	unsigned steps = 0;

	for (size_t p = l ? key_lower(l, add_sat(w->to, 1)) : 0; p > 0 &&
	    l->ts[p - 1] >= w->from && steps < DIAG_CACHE_WALK; p--, steps++) {
		const struct conn *k = &fl->conns[l->items[p - 1]];
		int64_t at;

		if (!gateway_try(dg, fl, k, w))
			continue;
		if (!refused(k, w) || conn_up(k, w) || (k != c &&
		    (k->first.ts_ns <= add_sat(attempt_over_ns(c, w),
		    DIAG_ASK_NS) || !retried_from(dg, fl, w, l, p - 1, c))))
			return INT64_MAX;
		at = attempt_seen_ns(k, w);
		if (at > add_sat(w->to, DIAG_SKEW_NS) ||
		    w->to - at > DIAG_FORWARD_NS)
			return INT64_MAX;
		return at;
	}
	return INT64_MAX;
}

/* Did another request for t's host begin in (from, to]? */
static bool
host_asked_between(const struct diag *dg, const struct flow *fl,
    const struct txn *t, int64_t from, int64_t to)
{
	const struct key_list *l = key_find(&dg->by_req, t->host_hash);
	unsigned steps = 0;

	for (size_t p = l ? key_lower(l, add_sat(from, 1)) : 0; l &&
	    p < l->n && l->ts[p] <= to && steps < DIAG_CACHE_WALK;
	    p++, steps++) {
		const struct txn *u = &dg->txns[l->items[p]];

		if (u != t && strcasecmp(flow_str(fl, u->host),
		    flow_str(fl, t->host)) == 0)
			return true;
	}
	return false;
}

/*
 * Was conns[ci] begun just after another attempt of the gateway was
 * refused (DIAG_NEXT_NS)? Then it is likely a next try, the request's
 * first one long over: no attempt to order by its refusal.
 */
static bool
began_after_refusal(const struct diag *dg, const struct flow *fl,
    const struct window *w, uint32_t ci)
{
	int64_t at = fl->conns[ci].first.ts_ns;
	unsigned steps = 0;

	for (uint32_t i = ci; i > 0 && steps < DIAG_CARRIES_LOOK; steps++) {
		const struct conn *k = &fl->conns[--i];
		int64_t over;

		if (k->first.ts_ns < add_sat(at, -DIAG_ASK_NS))
			break;
		if (!refused(k, w) || !gateway_try(dg, fl, k, w))
			continue;
		over = attempt_over_ns(k, w);
		if (over <= at && at - over <= DIAG_NEXT_NS)
			return true;
	}
	return false;
}

/*
 * Did the gateway act for t at `at`: within `within` after t's request
 * (at once: the clock's skew), no other client's request between? Then
 * a connection it opened later is no first try of t's, though it may
 * carry a later request for the same path, and one with no reply fits a
 * success.
 */
static bool
acted_for_t(const struct flow *fl, const struct txn *t,
    const struct window *w, int64_t at, int64_t within)
{
	return at >= w->req && at <= add_sat(w->req, within) &&
	    !client_asked_between(fl, w->req, at, t->req);
}

/*
 * Is the attempt at l's position p a retry of another request's: of a
 * silent attempt to the same address begun after c, within the clock's
 * skew after another client's request (the gateway acting for it), a
 * connect timeout before p, or of such an attempt's own retries (up to
 * `depth` more back)? HAProxy tries each request on new sockets half a
 * second apart: one after t's end may be the third or fourth try of a
 * request that came long after c. (After a refusal, a proxy's next
 * request is refused too: nothing tells a retry from it.)
 */
static bool
retry_for_another(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, const struct conn *c,
    const struct key_list *l, size_t p, unsigned depth, unsigned *steps)
{
	for (size_t k = p; k-- > 0 && l->ts[k] > c->first.ts_ns &&
	    l->ts[p] - l->ts[k] <= DIAG_RETRY_NS && *steps < DIAG_CACHE_WALK;
	    ++*steps)
		if (retries_silent(fl, w, l, k, p) &&
		    gateway_try(dg, fl, &fl->conns[l->items[k]], w) &&
		    (asked_just_before(fl, l->ts[k], t->req) || (depth > 0 &&
		    retry_for_another(dg, fl, t, w, c, l, k, depth - 1,
		    steps))))
			return true;
	return false;
}

/*
 * Did the gateway try c's address again after t was answered: c's SYN
 * again, or a new connection within a retry's turn-around of c's end
 * with no client's request to ask for it, after the answer and just
 * before it (DIAG_ASK_NS), or at all just before it (DIAG_SKEW_NS: a
 * proxy connects for a request at once, one that came in while t's
 * last try was failing too), nor a request for t's host after the
 * answer within DIAG_FORWARD_NS (a busy Varnish opened its connection
 * for a new request 31 ms after it)?
 * Then c was the attempt of a request still waiting (a proxy that
 * answered t at once, trying nothing, while it served a batch of
 * requests), not t's. Connections begun within DIAG_ASK_NS of c's end,
 * or just after another attempt was refused (began_after_refusal), are
 * no such retry: a reverse proxy moving the requests of a group whose
 * servers all refuse from one server to the next.
 */
static int64_t settle_ns(const struct diag *dg, const struct flow *fl,
    const struct txn *t);
static int64_t ready_ns(const struct diag *dg, const struct flow *fl,
    const struct txn *t, int64_t at);

static bool
tried_again_after(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, const struct conn *c)
{
	const struct key_list *l = key_find(&dg->by_dst,
	    dst_hash(&c->saddr, c->sport));
	int64_t until = add_sat(attempt_over_ns(c, w), DIAG_RETRY_NS);
	int64_t storm = add_sat(attempt_over_ns(c, w), DIAG_ASK_NS);
	/* acted for t: first after t's request, nobody else's between,
	 * at once or as a busy HAProxy does, 3 ms late */
	bool at_once = acted_for_t(fl, t, w, c->first.ts_ns, DIAG_ASK_NS);
	int64_t settles = ready_ns(dg, fl, t, settle_ns(dg, fl, t));
	unsigned steps = 0, walked = 0, n = syns_by(c, settles);

	/* nothing after t may settle (ready_ns): a diagnosis made then,
	 * slice by slice, has no later frame */
	if (until > settles)
		until = settles;
	/* its own SYN sent again (after an ICMP error, a soft one) */
	if (n > 0 && conn_syn(c, n - 1)->ts_ns > add_sat(w->to, DIAG_SKEW_NS))
		return true;

	for (size_t p = l ? key_lower(l, add_sat(w->to, 1)) : 0; l &&
	    p < l->n && l->ts[p] <= until && steps < DIAG_CACHE_WALK;
	    p++, steps++)
		if (l->ts[p] >= storm && gateway_try(dg, fl,
		    &fl->conns[l->items[p]], w) &&
		    !began_after_refusal(dg, fl, w, l->items[p]) &&
		    !(at_once && retry_for_another(dg, fl, t, w, c, l, p,
		    DIAG_MAX_CONNS, &walked))) {
			int64_t asked = add_sat(l->ts[p], -DIAG_ASK_NS);
			int64_t just = add_sat(l->ts[p], -DIAG_SKEW_NS);
			int64_t host = add_sat(l->ts[p], -DIAG_FORWARD_NS);

			return !client_asked_between(fl, asked > w->to ? asked :
			    w->to, l->ts[p], NONE32) && !client_asked_between(fl,
			    just > w->req ? just : w->req, l->ts[p], NONE32) &&
			    !host_asked_between(dg, fl, t, host > w->to ? host :
			    w->to, l->ts[p]);
		}
	return false;
}

/*
 * Is c another request's attempt, though the skew between interfaces
 * would let it be t's: refused before t's request came, or begun before
 * it just after another client's request, or refused after t's answer
 * and begun just after another client's request? A busy reverse proxy
 * answers "no live upstreams" at once, as other requests' tries fail
 * around it, and it cannot answer a refusal it has not received.
 */
static bool
asked_by_another(const struct flow *fl, const struct txn *t,
    const struct window *w, const struct conn *c)
{
	bool before = c->first.ts_ns < w->req;

	if (refused(c, w) && attempt_over_ns(c, w) < w->req)
		return true;
	if (!before && !(refused(c, w) && attempt_over_ns(c, w) > w->to))
		return false;
	return client_asked_between(fl, add_sat(c->first.ts_ns,
	    -DIAG_SKEW_NS), c->first.ts_ns, t->req);
}

/* Is msgs[i] the first request on a connection opened in t's window
 * (for it, not a pooled one that carried others before)? */
static bool
opened_now(const struct flow *fl, const struct window *w, size_t i)
{
	const struct http_msg *m = &fl->msgs[i];

	return opened_for(fl, m) && fl->conns[m->conn].first.ts_ns >= w->from;
}

/*
 * Until when t's tries on pooled connections held it, from `pooled` on:
 * each to its end (try_end_ns, or its 5xx: reply_5xx_ns), a failed one's
 * next try at once on another pooled connection (nginx's
 * proxy_next_upstream) holding it on.
 */
static int64_t
pooled_held_ns(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w, uint32_t pooled)
{
	int64_t held = INT64_MAX;

	for (unsigned k = 0; k < DIAG_MAX_CONNS && pooled != NONE32; k++) {
		uint8_t cause;

		if ((held = try_end_ns(fl, w, pooled, &cause)) == INT64_MAX)
			return reply_5xx_ns(fl, w, pooled);
		pooled = next_try(dg, fl, t, w, pooled, try_acted_ns(fl, w,
		    pooled, held, cause), DIAG_UNTRIED_NS, NULL);
		if (pooled != NONE32 && opened_now(fl, w, pooled))
			break;
	}
	return held;
}

/*
 * The upstream request by which the gateway sent t's on a connection it
 * already had (a pool) at once (acted_for_t), unclaimed; NONE32 when
 * there is none. A connection the gateway opened while that try was
 * pending is no try of t's (nginx moves on to a new one only when the
 * pooled try failed: a next try), though it may carry a later request
 * for the same path within DIAG_ACT_NS. A pooled connection may be
 * young: one that carried others' requests before is one however near
 * t it was opened (opened_now).
 */
static uint32_t
pooled_send(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct window *w)
{
	int64_t until = add_sat(w->req, DIAG_SKEW_NS);
	unsigned steps = 0;

	for (size_t i = diag_msg_lower(fl, w->req); i < fl->nmsgs &&
	    fl->msgs[i].start.ts_ns <= until && steps < DIAG_CACHE_WALK;
	    i++, steps++) {
		if (!gateway_asks_for(dg, fl, t, w, i) || opened_now(fl, w, i))
			continue;
		return acted_for_t(fl, t, w, fl->msgs[i].start.ts_ns,
		    DIAG_SKEW_NS) ?
		    (uint32_t)i : NONE32;
	}
	return NONE32;
}

/* From when a request before an attempt begun `at` may have asked for
 * it: the clock's skew before, but not before t's own request. */
static int64_t
asked_from(const struct window *w, int64_t at)
{
	int64_t from = add_sat(at, -DIAG_SKEW_NS);

	return from > w->req ? from : w->req;
}

/*
 * A request in origin form (to a reverse proxy) for a host that no
 * look-up names and that is no literal address: the gateway took its
 * address from its configuration (the backend of that Host) and tries
 * it at once. (A forward proxy's request names a host it resolves: with
 * no look-up in the capture, nothing says where it went.) The address
 * of the gateway's unclaimed connection begun within DIAG_ACT_NS of the
 * request that carried it, the one whose try ended just before the
 * answer first (Go's Caddy sends a request on whichever of the
 * connections it dialled for a crowd comes up first), else the nearest;
 * else of one that did not
 * connect (one that connected and carried another request is that
 * one's) and that the gateway did not try again after the answer
 * (tried_again_after): of those begun at once (DIAG_ASK_NS) whose
 * address refused the gateway's last attempt just before the answer,
 * the one refused first (a proxy serving many requests at once starts
 * their connections in its own order, but answers them in the order
 * their refusals came, and the requests answered before t have claimed
 * theirs; one begun later is another request's retry), else the
 * nearest; but of those, the one to the backend the host is pinned to
 * (backends.c: Go's Caddy answers a refusal before an ICMP error that
 * came first).
 * Its port becomes w->port; w->backend_alone says whether it was the
 * only one. One address only: others tried then are other requests'
 * backends, not this host's next address. Linked by time.
 */
static size_t
backend_addr(const struct diag *dg, const struct flow *fl,
    const struct txn *t, struct window *w, struct gw_addr *out)
{
	int64_t until = add_sat(w->req, DIAG_ACT_NS), first = INT64_MAX;
	int64_t pooled_from = INT64_MAX, pooled_to = INT64_MAX;
	uint32_t best = NONE32, carrier = NONE32, refused_first = NONE32;
	uint32_t pooled;
	uint32_t pinned = NONE32, sealed_end = NONE32;
	unsigned steps = 0, choices = 0;
	bool carrier_ends = false;

	if (until > w->to)
		until = w->to;
	if ((pooled = pooled_send(dg, fl, t, w)) != NONE32) {
		pooled_from = fl->msgs[pooled].start.ts_ns;
		pooled_to = pooled_held_ns(dg, fl, t, w, pooled);
	}
	for (size_t i = conn_lower(fl, add_sat(w->req, -DIAG_SKEW_NS));
	    i < fl->nconns && fl->conns[i].first.ts_ns <= until &&
	    steps < DIAG_CACHE_WALK; i++, steps++) {
		const struct conn *c = &fl->conns[i];
		uint32_t m;

		if (c->role == CONN_CLIENT || c->sport == FLOW_DNS_PORT ||
		    c->nsyn == 0 || dg->conn_claimed[i] ||
		    (c->first.ts_ns > pooled_from &&
		    c->first.ts_ns < pooled_to) ||
		    !gateway_try(dg, fl, c, w) ||
		    asked_by_another(fl, t, w, c))
			continue;
		if ((m = carried(fl, t, w, c)) != NONE32) {
			bool ends = ended_at_answer(fl, t, w, m);

			choices++;
			if (carrier == NONE32 || (ends && !carrier_ends) ||
			    (ends == carrier_ends && nearer(w, c->first.ts_ns,
			    (uint32_t)i, fl->conns[carrier].first.ts_ns,
			    carrier))) {
				carrier = (uint32_t)i;
				carrier_ends = ends;
			}
		} else if (tls_sent(c, w)) {
			/* a request went on it, encrypted: the one the answer
			 * followed (its close, its last reply), else the
			 * nearest */
			choices++;
			if (sealed_end == NONE32 &&
			    tls_ended_at_answer(fl, t, c))
				sealed_end = (uint32_t)i;
			if (best == NONE32 || nearer(w, c->first.ts_ns,
			    (uint32_t)i, fl->conns[best].first.ts_ns, best))
				best = (uint32_t)i;
		} else if (!conn_up(c, w) &&
		    !(t->status == 504 && refused(c, w)) &&
		    !tried_again_after(dg, fl, t, w, c)) {
			int64_t at = t->resp != NONE32 && c->first.ts_ns <=
			    add_sat(w->req, DIAG_ASK_NS) &&
			    !began_after_refusal(dg, fl, w, (uint32_t)i) ?
			    refused_before_answer(dg, fl, w, c) : INT64_MAX;

			choices++;
			if (pinned == NONE32 && diag_backend_pinned(dg,
			    t->host_hash, &c->saddr, c->sport))
				pinned = (uint32_t)i;
			/* not one begun just after another client's request
			 * that came after t's: that one's first try */
			if (at < first && !client_asked_between(fl,
			    asked_from(w, c->first.ts_ns), c->first.ts_ns,
			    t->req)) {
				first = at;
				refused_first = (uint32_t)i;
			}
			if (best == NONE32 || nearer(w, c->first.ts_ns,
			    (uint32_t)i, fl->conns[best].first.ts_ns, best))
				best = (uint32_t)i;
		} else
			continue;
		if (!t->is_error && acted_for_t(fl, t, w, c->first.ts_ns,
		    DIAG_SKEW_NS)) {
			w->at_once = (uint32_t)i;
			break;
		}
	}
	if (refused_first != NONE32)
		best = refused_first;
	if (pinned != NONE32)
		best = pinned;
	if (sealed_end != NONE32)
		best = sealed_end;
	if (carrier != NONE32)
		best = carrier;
	if (best == NONE32)
		return 0;
	w->backend_alone = choices == 1;
	w->port = fl->conns[best].sport;
	out[0] = fl->conns[best].saddr;
	return 1;
}

/*
 * Could a cache have answered u and t from one fetch? Both GET (or both
 * HEAD) for one URL of one host, through one proxy port of one gateway
 * address: what Varnish coalesces by default (its waiting list), nginx
 * with proxy_cache_lock, squid with collapsed_forwarding.
 */
static bool
same_fetch(const struct flow *fl, const struct txn *t, const struct txn *u)
{
	const struct http_msg *a = &fl->msgs[t->req], *b = &fl->msgs[u->req];
	const struct conn *ca = &fl->conns[t->conn], *cb = &fl->conns[u->conn];
	const char *m = flow_str(fl, a->method);

	return u->resource_hash == t->resource_hash &&
	    (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0) &&
	    strcmp(m, flow_str(fl, b->method)) == 0 &&
	    ca->sport == cb->sport && addr_eq(&ca->saddr, &cb->saddr) &&
	    strcmp(flow_str(fl, t->url), flow_str(fl, u->url)) == 0 &&
	    strcasecmp(flow_str(fl, t->host), flow_str(fl, u->host)) == 0;
}

/* Did u's diagnosis settle on upstream evidence of its own? */
static bool
fetched(const struct txn *u)
{
	return u->settled && !u->d.masked &&
	    (u->d.up_req != NONE32 || u->d.nconns > 0) &&
	    u->d.verdict != V_OK && u->d.verdict != V_UNKNOWN &&
	    u->d.verdict != V_PENDING;
}

/* An error answered with nothing upstream of its own: what a request
 * that waited for another's fetch looks like. */
static bool
unexplained(const struct txn *t)
{
	return t->is_error && t->resp != NONE32 &&
	    t->d.verdict == V_UNKNOWN && t->d.ndns == 0 &&
	    t->d.nconns == 0 && t->d.up_req == NONE32;
}

/* Adds to out[] (n so far, up to max) the requests for t's resource
 * (same_fetch) answered with its status in [from, to], from l (t's
 * by_answer list); returns how many there are now. */
static size_t
partners_between(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct key_list *l, int64_t from, int64_t to,
    uint32_t *out, size_t n, size_t max)
{
	unsigned steps = 0;

	for (size_t p = l ? key_lower(l, from) : 0;
	    l && p < l->n && l->ts[p] <= to && steps < DIAG_CACHE_WALK;
	    p++, steps++) {
		const struct txn *u = &dg->txns[l->items[p]];

		if (u == t || u->status != t->status || !same_fetch(fl, t, u))
			continue;
		if (n < max)
			out[n] = l->items[p];
		n++;
	}
	return n;
}

/*
 * The requests a cache may have answered with t, an error, from one
 * fetch, by index into dg->txns (by_answer): those answered with its
 * status within DIAG_ASK_NS of its answer, then those of a rush, within
 * DIAG_RUSH_NS (joined_fetch tells which may share).
 * Fills out[] (up to max) and returns how many there were.
 */
static size_t
fetch_partners(const struct diag *dg, const struct flow *fl,
    const struct txn *t, uint32_t *out, size_t max)
{
	const struct key_list *l = key_find(&dg->by_answer, t->resource_hash);
	int64_t answer = fl->msgs[t->resp].head.ts_ns;
	size_t n = partners_between(dg, fl, t, l, add_sat(answer, -DIAG_ASK_NS),
	    add_sat(answer, DIAG_ASK_NS), out, 0, max);

	n = partners_between(dg, fl, t, l, add_sat(answer, -DIAG_RUSH_NS),
	    add_sat(answer, -DIAG_ASK_NS - 1), out, n, max);
	return partners_between(dg, fl, t, l, add_sat(answer, DIAG_ASK_NS + 1),
	    add_sat(answer, DIAG_RUSH_NS), out, n, max);
}

int64_t
diag_tried_until_ns(const struct conn *c)
{
	if (c->fin[0].number)
		return c->fin[0].ts_ns;
	return c->rst.number ? c->rst.ts_ns : c->last.ts_ns;
}

/* When u's fetch was over: its upstream reply, else the end of the
 * connections it tried. */
static int64_t
fetch_over_ns(const struct flow *fl, const struct txn *u)
{
	int64_t at = INT64_MIN;

	if (u->d.up_resp != NONE32)
		return fl->msgs[u->d.up_resp].head.ts_ns;
	if (u->d.up_conn != NONE32)
		at = diag_tried_until_ns(&fl->conns[u->d.up_conn]);
	for (unsigned k = 0; k < u->d.nconns; k++) {
		int64_t until = diag_tried_until_ns(&fl->conns[u->d.conns[k]]);

		if (until > at)
			at = until;
	}
	return at;
}

/* May t, unexplained, take the evidence of u, its partner that fetched?
 * Answered with it, or asked after it and woken in a rush once its fetch
 * was over: a loaded cache's waiting list. */
static bool
joined_fetch(const struct flow *fl, const struct txn *t, const struct txn *u)
{
	int64_t answer = fl->msgs[t->resp].head.ts_ns,
	    apart = fl->msgs[u->resp].head.ts_ns - answer;

	if (apart >= -DIAG_ASK_NS && apart <= DIAG_ASK_NS)
		return true;
	return fl->msgs[t->req].start.ts_ns > fl->msgs[u->req].start.ts_ns &&
	    fetch_over_ns(fl, u) <= answer;
}

/* Partners looked at per request (a cache's crowd on one URL, answered
 * at once: Varnish wakes its whole waiting list) */
#define FETCH_PARTNERS_MAX 64

/*
 * A cache that coalesces requests for one URL fetches once and answers
 * every request waiting for it when the fetch ends: the requests that
 * joined it have no upstream traffic of their own. Settling goes in
 * answer order, the waiters often first: an error t left unexplained
 * takes the evidence of a partner that settled on some, shared; a
 * partner settling on evidence after it gives it its own
 * (coalesce_back). Each is final only once all have settled
 * (diag_partners_final_ns).
 */
static bool
link_coalesced(const struct diag *dg, const struct flow *fl, struct txn *t)
{
	uint32_t partners[FETCH_PARTNERS_MAX];
	size_t n = fetch_partners(dg, fl, t, partners, FETCH_PARTNERS_MAX);

	for (size_t k = 0; k < n && k < FETCH_PARTNERS_MAX; k++) {
		const struct txn *u = &dg->txns[partners[k]];

		if (fetched(u) && joined_fetch(fl, t, u)) {
			t->d = u->d;
			t->d.shared = true;
			return true;
		}
	}
	return false;
}

/* Fetches of one id looked at per request: one, unless two caches'
 * ids met */
#define FETCH_ID_WALK 8

/* Did Varnish answer t, an error, as a miss (its own request's id
 * alone)? Then its fetch's object may answer others for a while. */
static bool
varnish_miss(const struct flow *fl, const struct txn *t)
{
	const struct http_msg *r = &fl->msgs[t->resp];

	return r->varnish_id != 0 && !r->varnish_hit;
}

/*
 * The id Varnish gave u's fetch (http.c varnish_ids): the backend
 * request's, else (a connect that failed carried none) the one after
 * the id of u's own request, which its answer names: Varnish numbers a
 * miss's fetch next (a worker takes ids in blocks: across a block's end
 * this finds nothing). 0: none.
 */
static uint32_t
fetch_id(const struct flow *fl, const struct txn *u)
{
	if (u->d.up_req != NONE32 && fl->msgs[u->d.up_req].varnish_id != 0)
		return fl->msgs[u->d.up_req].varnish_id;
	return u->resp != NONE32 && varnish_miss(fl, u) ?
	    fl->msgs[u->resp].varnish_id + 1 : 0;
}

/*
 * Varnish names its fetches: a cache hit's answer names the fetch whose
 * object it served. An error answered so from a failed fetch's object,
 * however long after the fetch (within DIAG_CACHED_ERROR_NS of its
 * answer, which is final only then: the same whatever was retired),
 * takes that fetch's evidence: the ids tie them, where link_coalesced
 * can only go by time.
 */
static bool
link_cached_object(const struct diag *dg, const struct flow *fl,
    struct txn *t)
{
	const struct http_msg *r = &fl->msgs[t->resp];
	uint32_t id = r->varnish_hit ? r->varnish_id : 0;
	/* the list of fetches with that id (key_find: the hash is the id) */
	const struct key_list *l = id ? key_find(&dg->by_fetch, id) : NULL;
	int64_t since = add_sat(r->head.ts_ns, -DIAG_CACHED_ERROR_NS);

	for (size_t p = l ? key_lower(l, add_sat(r->head.ts_ns, 1)) : 0,
	    steps = 0; p > 0 && l->ts[p - 1] >= since &&
	    steps < FETCH_ID_WALK; p--, steps++) {
		const struct txn *u = &dg->txns[l->items[p - 1]];

		/* t's answer is a hit, the index holds misses: u is not t */
		if (fetched(u) && same_fetch(fl, t, u)) {
			t->d = u->d;
			t->d.shared = t->d.cached = true;
			return true;
		}
	}
	return false;
}

/* u has just settled: a failed fetch whose id a cache's answers may name
 * is found by it, at u's answer (link_cached_object). Varnish keeps a
 * failed fetch's object only when requests waited on it: a fetch with
 * partners (diag_partners_final_ns holds it as long). Out of memory: not
 * found. */
static void
index_fetch(struct diag *dg, const struct flow *fl, const struct txn *u)
{
	uint32_t partner, id;

	if (fetched(u) && u->resp != NONE32 && varnish_miss(fl, u) &&
	    (id = fetch_id(fl, u)) != 0 &&
	    fetch_partners(dg, fl, u, &partner, 1) > 0)
		(void)key_add(&dg->by_fetch, id, (uint32_t)(u - dg->txns),
		    fl->msgs[u->resp].head.ts_ns);
}

/* u has just settled: its partners that settled unexplained share its
 * evidence. */
static void
coalesce_back(struct diag *dg, const struct flow *fl, const struct txn *u)
{
	uint32_t partners[FETCH_PARTNERS_MAX];
	size_t n;

	if (!fetched(u) || u->resp == NONE32)
		return;
	n = fetch_partners(dg, fl, u, partners, FETCH_PARTNERS_MAX);
	for (size_t k = 0; k < n && k < FETCH_PARTNERS_MAX; k++) {
		struct txn *t = &dg->txns[partners[k]];

		if (t->settled && unexplained(t) && joined_fetch(fl, t, u)) {
			t->d = u->d;
			t->d.shared = true;
		}
	}
}

int64_t
diag_partners_final_ns(const struct diag *dg, const struct flow *fl,
    const struct txn *t)
{
	uint32_t partners[FETCH_PARTNERS_MAX];
	int64_t latest = fl->msgs[t->resp].head.ts_ns, final;
	size_t n = fetch_partners(dg, fl, t, partners, FETCH_PARTNERS_MAX);

	if (n == 0)
		return 0;	/* alone: its own answer says */
	if (varnish_miss(fl, t))	/* its object may answer others */
		latest = add_sat(latest, DIAG_CACHED_ERROR_NS);
	/* + 1: a partner settles after its time (settle_list), a report
	 * prints at it */
	final = add_sat(latest, DIAG_SLACK_NS + 1);
	for (size_t k = 0; k < n && k < FETCH_PARTNERS_MAX; k++) {
		int64_t at = add_sat(diag_ready_ns(dg, fl,
		    &dg->txns[partners[k]]), 1);

		if (at > final)
			final = at;
	}
	return final;
}

/*
 * The backends t's connections reached, remembered for its host
 * (backends.c) when nothing else could have been t's: the connection
 * backend_addr picked had no rival, or carried t's request.
 */
static void
learn_backends(struct diag *dg, const struct flow *fl, const struct txn *t,
    const struct window *w)
{
	if (t->d.ambiguous || t->d.shared ||
	    (!w->backend_alone && t->d.up_req == NONE32))
		return;
	for (size_t k = 0; k < t->d.nconns; k++) {
		const struct conn *c = &fl->conns[t->d.conns[k]];

		diag_backend_learn(dg, t->host_hash, &c->saddr, c->sport);
	}
}

/* Evidence linked by time alone is ambiguous when a rival came with t. */
static bool
ambiguous(const struct txn *t)
{
	if (t->rival == 0 || t->d.up_req != NONE32)
		return false;
	return t->d.dns_link == LINK_TIME || t->d.conn_link == LINK_TIME ||
	    t->d.conn_link == LINK_ADDRESS || t->d.conn_link == LINK_CACHE;
}

/*
 * When t had the address, if it waited for a look-up (linked by time)
 * answered with one after the request: the gateway cannot connect
 * before that (an attempt to the address under way by then was another
 * proxy's or another request's, from a cache). INT64_MIN otherwise.
 */
static int64_t
resolved_at(const struct flow *fl, const struct txn *t,
    const struct window *w)
{
	int64_t at = INT64_MAX;

	if (t->d.dns_link != LINK_TIME)
		return INT64_MIN;
	for (unsigned k = 0; k < t->d.ndns; k++) {
		const struct dns_query *q = &fl->dns[t->d.dns[k]];

		if (q->rcode == 0 && q->answer.ts_ns > w->req &&
		    q->answer.ts_ns < at && diag_gave_address(fl, q))
			at = q->answer.ts_ns;
	}
	return at == INT64_MAX ? INT64_MIN : at;
}

static void
diagnose(struct diag *dg, const struct flow *fl, struct txn *t, int64_t now,
    bool settle)
{
	const struct http_msg *req = &fl->msgs[t->req];
	struct gw_addr addrs[MAX_CANDIDATE_ADDRS];
	size_t naddrs;
	struct window w;
	bool by_time, coalesced;

	memset(&t->d, 0, sizeof t->d);
	t->d.up_req = t->d.up_resp = t->d.up_conn = NONE32;
	t->is_error = is_error_status(dg, t->status);
	w.fl = fl;
	w.client = &fl->conns[t->conn].caddr;
	w.req = req->start.ts_ns;
	w.from = add_sat(req->start.ts_ns, -DIAG_SLACK_NS);
	w.to = diag_tunnel_end_ns(dg, fl, t, txn_end_ns(fl, t, now));
	w.port = t->port;
	w.backend_alone = false;
	w.tunnel = req->form == HTTP_FORM_AUTHORITY;
	w.at_once = NONE32;
	w.resolved = INT64_MIN;
	link_dns_any(dg, fl, t, &w);
	w.resolved = resolved_at(fl, t, &w);
	/* asked for another request (not by a clock's skew): this one
	 * waited for it */
	if (asked_before(fl, t, add_sat(w.req, -DIAG_SKEW_NS)))
		t->d.shared = true;
	naddrs = candidate_addrs(fl, t, addrs, MAX_CANDIDATE_ADDRS);
	by_time = naddrs == 0 && t->d.ndns == 0 && diag_origin_form(fl, t) &&
	    (naddrs = backend_addr(dg, fl, t, &w, addrs)) > 0;
	link_conns(dg, fl, t, &w, addrs, naddrs);
	if (by_time && t->d.nconns > 0)
		t->d.conn_link = LINK_TIME;
	link_request_line(dg, fl, t, &w);
	if (t->is_error && (t->d.up_req != NONE32 || t->d.nconns > 0) &&
	    diag_origin_form(fl, t))
		link_next_tries(dg, fl, t, &w);
	else if (!t->is_error && t->d.up_req != NONE32 &&
	    diag_origin_form(fl, t))
		link_prev_tries(dg, fl, t, &w,
		    diag_try_began_ns(fl, t->d.up_req));
	if (t->d.up_req != NONE32 && t->d.ndns == 0)
		link_dns_address(dg, fl, t, &w);
	else if (t->d.up_req != NONE32 && t->d.dns_link == LINK_TIME &&
	    gave_address(fl, t, &fl->conns[t->d.up_conn].saddr))
		t->d.dns_link = LINK_ADDRESS;
	verdict_evidence(fl, t, &w);
	/* shared on purpose: no rival's equal claim. A cache hit came from
	 * the object its answer names, whatever traffic its look-up began
	 * (Varnish fetches a stale object again in the background) */
	coalesced = t->is_error && t->resp != NONE32 &&
	    link_cached_object(dg, fl, t);
	if (!coalesced)
		coalesced = unexplained(t) && link_coalesced(dg, fl, t);
	t->d.ambiguous = t->is_error && !coalesced && ambiguous(t);
	if (!t->is_error) {
		if (t->d.verdict != V_UNKNOWN && (masked_failure(fl, t, &w) ||
		    diag_tunnel_masked(dg, fl, t)))
			t->is_error = t->d.masked = true;
		else
			set(t, V_OK, C_NONE);
	}
	if (settle)
		claim(dg, fl, t, &w);
	if (settle && by_time)
		learn_backends(dg, fl, t, &w);
	if (settle && t->is_error && t->d.nconns > 0)
		learn_grid(dg, fl, t, &w);
	if (t->status == 0 && !settle && t->d.verdict == V_UNKNOWN)
		t->d.verdict = V_PENDING;	/* the story is not over */
}

/* A transaction's turn to settle: its answer, or its request plus the
 * gateway's timeout; claims are made in this order. */
static int64_t
settle_ns(const struct diag *dg, const struct flow *fl, const struct txn *t)
{
	if (t->resp != NONE32)
		return diag_tunnel_settle_ns(dg, fl, t,
		    add_sat(fl->msgs[t->resp].head.ts_ns, DIAG_SLACK_NS));
	return t->give_up_ns;	/* the request's time, the timeout, slack */
}

/* When t, whose turn is `at`, may settle: an error to a request in
 * origin form only once its story stopped changing (diag_ready_ns),
 * the transactions after it waiting for it, so that claims are made in
 * the same order however the model is diagnosed. */
static int64_t
ready_ns(const struct diag *dg, const struct flow *fl, const struct txn *t,
    int64_t at)
{
	int64_t ready;

	if (t->resp == NONE32)
		return at;
	ready = diag_tunnel_settle_ns(dg, fl, t, diag_ready_ns(dg, fl, t));
	return ready > at ? ready : at;
}

static bool
timed_before(const struct timed_index *x, const struct timed_index *y)
{
	if (x->at != y->at)
		return x->at < y->at;
	return x->index < y->index;
}

int
timed_index_cmp(const void *a, const void *b)
{
	const struct timed_index *x = a, *y = b;

	return timed_before(x, y) ? -1 : timed_before(y, x);
}

/* p->over in timed_index_cmp's order, merged through the upper half of
 * its own vector; qsort when that room cannot be had. */
static void
over_sort(struct diag_pass *p)
{
	if (p->nover < 2)
		return;
	if (p->nover > SIZE_MAX / 2 ||
	    vec_reserve((void **)&p->over, &p->over_cap, 2 * p->nover,
	    sizeof *p->over, SIZE_MAX) != 0) {
		qsort(p->over, p->nover, sizeof *p->over, timed_index_cmp);
		return;
	}
	VEC_MERGE_SORT(struct timed_index, p->over, p->over + p->nover,
	    p->nover, timed_before);
}

/* One transaction's worth of a step's budget; false: none left. */
static bool
spend(size_t *budget)
{
	if (*budget == 0)
		return false;
	(*budget)--;
	return true;
}

/* Of what is over, what comes before the first transaction not yet
 * ready (p->blocked) settles in this pass; the rest waits for it. */
static void
unblocked(struct diag_pass *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nover; i++)
		if (p->over[i].at < p->blocked)
			p->over[n++] = p->over[i];
	p->nover = n;
}

/*
 * What is over goes to pass->over, in the order the stories ended (then
 * request order): settled in that order, the claims and thus every
 * verdict are the same whether the model is diagnosed once at the end or
 * slice by slice as it is read, in one step or many. 1: listed, 0: the
 * budget ran out first, -1: out of memory.
 */
static int
settle_list(struct diag *dg, const struct flow *fl, size_t *budget)
{
	struct diag_pass *p = &dg->pass;

	for (; p->next < dg->ntxns; p->next++) {
		const struct txn *t = &dg->txns[p->next];
		int64_t at;

		if (!spend(budget))
			return 0;
		if (t->settled)
			continue;
		at = settle_ns(dg, fl, t);
		if (!p->final && p->now <= ready_ns(dg, fl, t, at)) {
			if (at < p->blocked)
				p->blocked = at;
			continue;
		}
		if (vec_reserve((void **)&p->over, &p->over_cap, p->nover + 1,
		    sizeof *p->over, SIZE_MAX) != 0)
			return -1;
		p->over[p->nover].at = at;
		p->over[p->nover++].index = (uint32_t)p->next;
	}
	unblocked(p);
	over_sort(p);
	p->phase = PASS_SETTLE;
	p->next = 0;
	return 1;
}

/* Has diag_update indexed everything the flow holds? Not when it ran out
 * of memory: a run then waits rather than settle without that evidence. */
static bool
indexed(const struct diag *dg, const struct flow *fl)
{
	return dg->msgs_seen == fl->nmsgs && dg->by_name.seen == fl->ndns &&
	    dg->by_dst.seen == fl->nconns;
}

/* A new run, from the first unsettled transaction; -1 out of memory. */
static int
pass_begin(struct diag *dg, const struct flow *fl, bool final)
{
	struct diag_pass *p = &dg->pass;

	if (!indexed(dg, fl) ||
	    diag_flags_reserve(&dg->dns_claimed, &dg->dns_claimed_cap,
	    fl->ndns + 1) != 0 ||
	    diag_flags_reserve(&dg->conn_claimed, &dg->conn_claimed_cap,
	    fl->nconns + 1) != 0 ||
	    diag_flags_reserve(&dg->msg_claimed, &dg->msg_claimed_cap,
	    fl->nmsgs + 1) != 0)
		return -1;
	p->on = true;
	p->final = final;
	p->now = fl->stats.last_ts;
	p->phase = PASS_LIST;
	p->nover = 0;
	p->blocked = INT64_MAX;
	p->next = dg->first_unsettled;
	return 0;
}

/* Transactions counted for one unit of a step's budget: counting one
 * costs a thousandth of diagnosing one, yet 100,000 of them took 25-45 ms
 * of one piece on a VM where reading memory is slow (issue 13) */
#define COUNT_PER_SPEND 1024

/* The errors per verdict over the model, in steps; true when counted. */
static bool
count_step(struct diag *dg, size_t *budget)
{
	struct diag_pass *p = &dg->pass;

	if (p->phase != PASS_COUNT) {
		p->phase = PASS_COUNT;
		p->next = 0;
		memcpy(p->counts, dg->retired.counts, sizeof p->counts);
		p->errors = dg->retired.errors;
	}
	while (p->next < dg->ntxns) {
		size_t end = dg->ntxns - p->next > COUNT_PER_SPEND ?
		    p->next + COUNT_PER_SPEND : dg->ntxns;

		if (!spend(budget))
			return false;
		for (; p->next < end; p->next++) {
			const struct txn *t = &dg->txns[p->next];

			if (!t->is_error)
				continue;
			p->counts[t->d.verdict]++;
			p->errors++;
		}
	}
	return true;
}

/* The run is complete: the counts, all at once. */
static void
pass_end(struct diag *dg)
{
	dg->pass.on = false;
	while (dg->first_unsettled < dg->ntxns &&
	    dg->txns[dg->first_unsettled].settled)
		dg->first_unsettled++;
	memcpy(dg->counts, dg->pass.counts, sizeof dg->counts);
	dg->errors = dg->pass.errors;
}

bool
diag_run_step(struct diag *dg, const struct flow *fl, bool final,
    size_t budget)
{
	struct diag_pass *p = &dg->pass;
	int listed;

	diag_keep_cancel(dg);	/* its marks would miss new links */
	if (p->on && (p->final != final || p->now != fl->stats.last_ts))
		p->on = false;
	if (!p->on && pass_begin(dg, fl, final) != 0)
		return true;	/* out of memory: the last counts stay */
	if (p->phase == PASS_LIST &&
	    (listed = settle_list(dg, fl, &budget)) <= 0) {
		p->on = listed == 0;	/* out of memory: as above */
		return listed < 0;
	}
	for (; p->phase == PASS_SETTLE && p->next < p->nover; p->next++) {
		struct txn *t = &dg->txns[p->over[p->next].index];

		if (!spend(&budget))
			return false;
		diagnose(dg, fl, t, p->now, true);
		t->settled = true;
		coalesce_back(dg, fl, t);
		index_fetch(dg, fl, t);
	}
	if (p->phase == PASS_SETTLE) {
		p->phase = PASS_OPEN;
		p->next = dg->first_unsettled;
	}
	/* an open request is looked at, but claims nothing yet */
	for (; p->phase == PASS_OPEN && p->next < dg->ntxns &&
	    !dg->opts.settled_only; p->next++) {
		if (!spend(&budget))
			return false;
		if (!dg->txns[p->next].settled)
			diagnose(dg, fl, &dg->txns[p->next], p->now, false);
	}
	if (!count_step(dg, &budget))
		return false;
	pass_end(dg);
	return true;
}

void
diag_run(struct diag *dg, const struct flow *fl, bool final)
{
	diag_run_step(dg, fl, final, SIZE_MAX);
}
