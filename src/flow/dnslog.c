/*
 * dnslog.c: DNS queries and their answers, matched by id, addresses and
 * ports (the way Wireshark pairs them), with the A/AAAA/CNAME records kept;
 * and the gateway's resolver sockets: which are a proxy's own, and which
 * proxy port's requests each asks for.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../proto/dns.h"
#include "flow.h"

/* An unanswered query older than this is no longer waited for. */
#define DNS_WAIT_NS (60LL * 1000000000LL)

/*
 * The key a query and its answer share: id, both ports, the client's
 * address and the name asked (case-insensitively). With the name in it,
 * queries that differ only by name (one id reused, a flood) and answers
 * that match nothing land in buckets of their own: a look-up costs O(1)
 * expected. An answer without a question matches a query without one.
 */
static uint32_t
dns_key_hash(uint16_t id, uint16_t cport, uint16_t sport,
    const struct gw_addr *client, const char *qname)
{
	uint32_t h = addr_hash(client) ^ ((uint32_t)id << 16 | cport);

	h = h * 0x9e3779b1u + sport;
	for (const unsigned char *s = (const unsigned char *)qname; *s; s++)
		h = (h ^ (uint32_t)tolower(*s)) * 0x01000193u;
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	return h;
}

static size_t
query_bucket(const struct flow *fl, const struct dns_query *q)
{
	return dns_key_hash(q->id, q->cport, q->sport, &q->client,
	    flow_str(fl, q->qname)) & (fl->dns_hash_size - 1);
}

void
dns_rehash(struct flow *fl)
{
	for (size_t b = 0; b < fl->dns_hash_size; b++)
		fl->dns_hash[b] = NONE32;
	/* oldest first, so that the newest of a key stays ahead */
	for (size_t i = 0; i < fl->ndns; i++) {
		struct dns_query *q = &fl->dns[i];
		size_t b;

		if (q->answer.number != 0)
			continue;	/* answered: out of the table */
		b = query_bucket(fl, q);
		q->hash_next = fl->dns_hash[b];
		fl->dns_hash[b] = (uint32_t)i;
	}
}

/* Twice the buckets once the queries outnumber them (out of memory:
 * the table stays as it was, only slower). */
static void
table_fit(struct flow *fl)
{
	size_t nsize = fl->dns_hash_size * 2;
	uint32_t *nt;

	if (fl->ndns < fl->dns_hash_size || nsize > (size_t)UINT32_MAX)
		return;
	if ((nt = malloc(nsize * sizeof *nt)) == NULL)
		return;
	free(fl->dns_hash);
	fl->dns_hash = nt;
	fl->dns_hash_size = nsize;
	dns_rehash(fl);
}

/* A name's signature: its length, first and last eight bytes, case
 * folded. Two names that share it count as one, which only makes a
 * socket seem kept later. */
#define SIG_FOLD 0x2020202020202020ull
static uint32_t
name_sig(const char *name, size_t len)
{
	uint64_t head = 0, tail = 0;

	memcpy(&head, name, len < 8 ? len : 8);
	if (len > 8)
		memcpy(&tail, name + len - 8, 8);
	/* each word multiplied on its own: a byte's difference reaches the
	 * top half kept (api1. and api3. differ there) */
	head = (head | SIG_FOLD) * 0x9e3779b97f4a7c15ull ^
	    ((tail | SIG_FOLD) + len) * 0xc2b2ae3d27d4eb4full;
	return (uint32_t)(head >> 32);
}

/* A socket that asked for this many names within DNS_SOCKET_WINDOW_NS
 * is a resolver's own (flow.h's dns_socket keeps the hashes of all but
 * the last). */
#define DNS_SOCKET_KEPT_NAMES 3
#define DNS_SOCKET_WINDOW_NS (1000LL * 1000000LL)
/* A kept socket silent this long gives its slot up. */
#define DNS_SOCKET_IDLE_NS (600LL * 1000000000LL)

static bool
socket_kept(const struct dns_socket *s)
{
	return s->names >= DNS_SOCKET_KEPT_NAMES;
}

_Static_assert(sizeof ((struct dns_socket *)0)->name_hashes ==
    (DNS_SOCKET_KEPT_NAMES - 1) * sizeof (uint32_t),
    "a socket keeps the hashes of the names it counts, but the last");

/* Was this name counted in the socket's window already? */
static bool
name_counted(const struct dns_socket *s, uint32_t name_hash)
{
	for (unsigned k = 0; k < s->names; k++)
		if (s->name_hashes[k] == name_hash)
			return true;
	return false;
}

/* How far back a socket found to be a resolver's own takes its earlier
 * queries: as far as a request may wait on a look-up it resent (diag's
 * DIAG_INFLIGHT_NS), and no more than a bounded walk. */
#define RESOLVER_LEARNT_BACK_NS (30LL * 1000000000LL)
#define RESOLVER_LEARNT_WALK 4096

/*
 * The socket of q (not in fl->dns yet) was just found to be resolver r's:
 * its queries before, asked while it was not known, are r's too (a
 * look-up a proxy began in its first seconds, before its socket had asked
 * for three names, and resends for as long as anyone waits). What r
 * serves is learnt from then on (its ports' `since`), so a transaction
 * that ended before this knows no more than it did.
 */
static void
resolver_learnt(struct flow *fl, const struct dns_query *q, uint16_t r)
{
	for (size_t i = fl->ndns, n = 0; i > 0 && n < RESOLVER_LEARNT_WALK;
	    i--, n++) {
		struct dns_query *e = &fl->dns[i - 1];

		if (q->query.ts_ns - e->query.ts_ns > RESOLVER_LEARNT_BACK_NS)
			break;
		if (e->resolver == 0 && e->cport == q->cport &&
		    addr_eq(&e->client, &q->client))
			e->resolver = r;
	}
}

/*
 * Is q's socket a resolver's own, one that asks for name after name,
 * rather than one opened for a look-up (a stub resolver asks A and AAAA,
 * and its retries, from one socket, then closes it)? A port picked at
 * random again by chance is seldom picked three times within a second
 * (none in a 100,000-request capture of bench/gen; two within 2 s were
 * once there, during a silent look-up's retries).
 * One slot per hash of the socket: a kept socket keeps its slot from
 * sockets that come and go.
 */
static struct dns_socket *
socket_seen(struct flow *fl, const struct dns_query *q, int64_t ts,
    uint32_t name_hash)
{
	uint32_t h;
	struct dns_socket *s;

	if (q->client.family == 4)
		memcpy(&h, q->client.a, 4);	/* the word it is */
	else
		h = addr_hash(&q->client);
	h = (h ^ q->cport) * 0x9e3779b1u;
	s = &fl->dns_sockets[h >> 16 & (FLOW_DNS_SOCKETS - 1)];
	if (s->cport != q->cport || !addr_eq(&s->client, &q->client)) {
		if (socket_kept(s) && ts - s->last_ts < DNS_SOCKET_IDLE_NS)
			return NULL;
		s->client = q->client;
		s->cport = q->cport;
		s->names = 0;
		s->resolver = 0;
		s->last_ts = ts;
	}
	if (!socket_kept(s)) {
		if (ts - s->first_ts >= DNS_SOCKET_WINDOW_NS)
			s->names = 0;
		if (s->names == 0)
			s->first_ts = ts;
		if (!name_counted(s, name_hash)) {
			if (s->names < DNS_SOCKET_KEPT_NAMES - 1)
				s->name_hashes[s->names] = name_hash;
			if (++s->names == DNS_SOCKET_KEPT_NAMES)
				fl->dns_kept_sockets++;
		}
		if (socket_kept(s) && fl->nresolvers < FLOW_RESOLVERS) {
			struct resolver *r = &fl->resolvers[fl->nresolvers++];

			memset(r, 0, sizeof *r);
			r->client = q->client;
			s->resolver = (uint16_t)fl->nresolvers;
			resolver_learnt(fl, q, s->resolver);
		}
	}
	if (ts > s->last_ts)
		s->last_ts = ts;
	return s;
}

/* A look-up this soon after a client request for its name on one proxy
 * port alone tells which port's proxy the resolver asks for: a proxy
 * asks as soon as it has read the request (under a millisecond seen). */
#define RESOLVER_ASKS_NS (3LL * 1000000LL)
#define RESOLVER_VOTES 3

void
dns_request_seen(struct flow *fl, const char *host, uint16_t port,
    int64_t ts)
{
	struct recent_req *e;

	if (host[0] == '\0')
		return;
	e = &fl->recent_reqs[fl->nrecent_reqs++ % FLOW_RECENT_REQS];
	e->name_sig = name_sig(host, strlen(host));
	e->port = port;
	e->ts = ts;
}

/* The one proxy port of the recent requests for name_sig just before ts;
 * 0 when none or several. */
static uint16_t
asking_port(const struct flow *fl, uint32_t sig, int64_t ts)
{
	size_t n = fl->nrecent_reqs < FLOW_RECENT_REQS ? fl->nrecent_reqs :
	    FLOW_RECENT_REQS;
	uint16_t port = 0;

	for (size_t k = 0; k < n; k++) {
		const struct recent_req *e = &fl->recent_reqs[k];

		if (e->name_sig != sig || e->ts > ts ||
		    ts - e->ts > RESOLVER_ASKS_NS)
			continue;
		if (port != 0 && port != e->port)
			return 0;
		port = e->port;
	}
	return port;
}

/* A resolver asks for a name again within this while a request waits
 * (nginx resends every 5 s). */
#define RESOLVER_RETRY_NS (6LL * 1000000000LL)

/* Did r ask for the name within RESOLVER_RETRY_NS before? Remembers it. */
static bool
resolver_asked(struct resolver *r, uint32_t sig, int64_t ts)
{
	bool again = false;

	for (size_t k = 0; k < FLOW_RESOLVER_ASKED && k < r->nasked; k++)
		if (r->asked_sigs[k] == sig && ts - r->asked_ts[k] <
		    RESOLVER_RETRY_NS && ts >= r->asked_ts[k])
			again = true;
	r->asked_sigs[r->nasked % FLOW_RESOLVER_ASKED] = sig;
	r->asked_ts[r->nasked % FLOW_RESOLVER_ASKED] = ts;
	r->nasked++;
	return again;
}

/* Was r seen asking for port's requests by `at`; for any port's, with
 * port 0? */
static bool
resolver_serves(const struct resolver *r, uint16_t port, int64_t at)
{
	for (unsigned k = 0; k < r->nports; k++)
		if (r->since[k] <= at && (port == 0 || r->ports[k] == port))
			return true;
	return false;
}

/* r's votes for port so far. */
static uint16_t
resolver_votes(const struct resolver *r, uint16_t port)
{
	for (unsigned k = 0; k < r->nports; k++)
		if (r->ports[k] == port)
			return r->votes[k];
	return 0;
}

/* Has a resolver other than r RESOLVER_RIVAL times r's `votes` for port? */
#define RESOLVER_RIVAL 2
static bool
port_rival(const struct flow *fl, const struct resolver *r, uint16_t port,
    uint16_t votes)
{
	for (size_t i = 0; i < fl->nresolvers; i++)
		if (&fl->resolvers[i] != r && resolver_votes(&fl->resolvers[i],
		    port) >= RESOLVER_RIVAL * (uint32_t)votes)
			return true;
	return false;
}

/*
 * A vote for port. A look-up can follow another proxy's request by
 * chance (a few in a hundred): a port is the resolver's once it has
 * RESOLVER_VOTES, while it has at least a quarter of the votes of the
 * resolver's most voted port and, if it serves a port already, no other
 * resolver has RESOLVER_RIVAL times its votes for this one (that port's
 * proxy's: where two proxies ask for the same busy names, one's look-ups
 * follow the other's requests by chance, and one proxy's sockets not
 * known yet as one resolver share its port's votes); and from then on.
 */
static void
resolver_vote(const struct flow *fl, struct resolver *r, uint16_t port,
    int64_t ts)
{
	uint16_t top = 0;
	unsigned k;

	for (k = 0; k < r->nports && r->ports[k] != port; k++)
		;
	if (k == r->nports) {
		if (r->nports == FLOW_RESOLVER_PORTS)
			return;
		r->ports[k] = port;
		r->votes[k] = 0;
		r->since[k] = INT64_MAX;
		r->nports++;
	}
	if (r->votes[k] < UINT16_MAX)
		r->votes[k]++;
	for (unsigned j = 0; j < r->nports; j++)
		if (r->votes[j] > top)
			top = r->votes[j];
	if (r->since[k] == INT64_MAX && r->votes[k] >= RESOLVER_VOTES &&
	    4 * (uint32_t)r->votes[k] >= top &&
	    !(resolver_serves(r, 0, ts) && port_rival(fl, r, port,
	    r->votes[k])))
		r->since[k] = ts;
}

/* The resolver q's socket is, or NULL: no resolver's own. */
static const struct resolver *
query_resolver(const struct flow *fl, const struct dns_query *q)
{
	return q->resolver != 0 ? &fl->resolvers[q->resolver - 1] : NULL;
}

bool
dns_own_resolver(const struct flow *fl, const struct dns_query *q,
    uint16_t port, int64_t at)
{
	const struct resolver *r = query_resolver(fl, q);

	return r != NULL && resolver_serves(r, port, at);
}

bool
dns_sole_resolver(const struct flow *fl, const struct dns_query *q,
    uint16_t port, int64_t at)
{
	const struct resolver *r = query_resolver(fl, q);

	if (r == NULL)
		return false;
	for (unsigned k = 0; k < r->nports; k++)
		if (r->since[k] <= at && r->ports[k] != port)
			return false;
	return resolver_serves(r, port, at);
}

/* Was a resolver but `except` (NULL: none) seen serving port by `at`? */
static bool
served_by_another(const struct flow *fl, const struct resolver *except,
    uint16_t port, int64_t at)
{
	for (size_t i = 0; i < fl->nresolvers; i++)
		if (&fl->resolvers[i] != except &&
		    resolver_serves(&fl->resolvers[i], port, at))
			return true;
	return false;
}

bool
dns_port_resolver_known(const struct flow *fl, uint16_t port, int64_t at)
{
	return served_by_another(fl, NULL, port, at);
}

/* Only where another resolver is known to serve the port: one proxy on
 * two ports may be seen asking for one of them only. */
bool
dns_foreign_resolver(const struct flow *fl, const struct dns_query *q,
    uint16_t port, int64_t at)
{
	const struct resolver *r = query_resolver(fl, q);

	return r != NULL && !resolver_serves(r, port, at) &&
	    resolver_serves(r, 0, at) && served_by_another(fl, r, port, at);
}

static struct resolver_send *
resolver_send_slot(struct flow *fl, uint32_t sig, uint16_t id)
{
	uint32_t h = (sig ^ id * 0x9e3779b1u) * 0x85ebca6bu;

	return &fl->resolver_sends[h >> 16 & (FLOW_RESOLVER_SENDS - 1)];
}

/*
 * A socket not known as a resolver's that resends the query (name and
 * ID) a resolver's socket sent moments before is that resolver's too:
 * nginx with several DNS servers resends to the next one from that
 * server's socket, which asks for a share of the names only and may
 * never be seen asking for three within a second; a look-up it begins
 * later (a new ID once no request waits for the old one) is then the
 * resolver's own, not a stranger's. Its earlier queries stay unknown:
 * the resolver already serves its ports, and a transaction over before
 * now must read the same whenever it is diagnosed.
 */
static void
socket_joins_resolver(struct flow *fl, struct dns_socket *s,
    const struct dns_query *q, uint32_t sig)
{
	const struct resolver_send *e = resolver_send_slot(fl, sig, q->id);
	int64_t ts = q->query.ts_ns;

	if (e->resolver == 0 || e->name_sig != sig || e->id != q->id ||
	    ts < e->ts || ts - e->ts > RESOLVER_RETRY_NS ||
	    !addr_eq(&fl->resolvers[e->resolver - 1].client, &q->client))
		return;
	s->names = DNS_SOCKET_KEPT_NAMES;
	fl->dns_kept_sockets++;
	s->resolver = e->resolver;
}

static void
resolver_sent(struct flow *fl, const struct dns_query *q, uint32_t sig)
{
	struct resolver_send *e = resolver_send_slot(fl, sig, q->id);

	e->name_sig = sig;
	e->id = q->id;
	e->resolver = q->resolver;
	e->ts = q->query.ts_ns;
}

static void
add_query(struct flow *fl, const struct frame_ref *fr, const struct pkt *p,
    const struct dns_msg *m, bool over_tcp)
{
	struct dns_query *q;
	struct dns_socket *s;
	uint32_t sig;
	size_t b, qlen = strlen(m->qname);

	if (fl->ndns >= fl->limits.max_dns ||
	    vec_reserve((void **)&fl->dns, &fl->dns_cap, fl->ndns + 1,
	    sizeof *fl->dns, fl->limits.max_dns) != 0) {
		fl->stats.dns_dropped++;
		return;
	}
	q = &fl->dns[fl->ndns];
	memset(q, 0, sizeof *q);
	q->query = *fr;
	q->client = p->src;
	q->server = p->dst;
	q->cport = p->sport;
	q->sport = p->dport;
	q->id = m->id;
	q->qtype = m->qtype;
	q->rcode = -1;
	q->qname = strpool_add(&fl->strings, m->qname, qlen);
	q->first_answer = NONE32;
	q->over_tcp = over_tcp;
	if (fl->dns_first_server.family == 0)
		fl->dns_first_server = q->server;
	else if (!addr_eq(&fl->dns_first_server, &q->server))
		fl->dns_servers_many = true;
	sig = name_sig(m->qname, qlen);
	s = socket_seen(fl, q, fr->ts_ns, sig);
	if (s != NULL && !socket_kept(s))
		socket_joins_resolver(fl, s, q, sig);
	q->socket_kept = s != NULL && socket_kept(s);
	q->asked_for = asking_port(fl, sig, fr->ts_ns);
	if (q->socket_kept && s->resolver != 0) {
		struct resolver *r = &fl->resolvers[s->resolver - 1];

		q->resolver = s->resolver;
		resolver_sent(fl, q, sig);
		if (!resolver_asked(r, sig, fr->ts_ns) && q->asked_for != 0)
			resolver_vote(fl, r, q->asked_for, fr->ts_ns);
	}
	b = query_bucket(fl, q);
	q->hash_next = fl->dns_hash[b];
	fl->dns_hash[b] = (uint32_t)fl->ndns;
	fl->ndns++;
	table_fit(fl);
}

static void
add_answers(struct flow *fl, struct dns_query *q, const struct dns_msg *m)
{
	q->first_answer = (uint32_t)fl->nanswers;
	for (unsigned i = 0; i < m->nanswers; i++) {
		const struct dns_rr *rr = &m->answers[i];
		struct dns_answer *a;

		if (vec_reserve((void **)&fl->dns_answers, &fl->answers_cap,
		    fl->nanswers + 1, sizeof *fl->dns_answers,
		    fl->limits.max_dns * 4) != 0) {
			fl->stats.dns_dropped++;
			break;
		}
		a = &fl->dns_answers[fl->nanswers++];
		memset(a, 0, sizeof *a);
		a->type = rr->type;
		a->addr = rr->addr;
		a->ttl = rr->ttl;
		a->name = strpool_add(&fl->strings, rr->name,
		    strlen(rr->name));
		a->target = strpool_add(&fl->strings, rr->target,
		    strlen(rr->target));
		q->nanswers++;
	}
}

/* Finds the newest unanswered query this answer is for, unlinking it. */
static struct dns_query *
take_query(struct flow *fl, const struct pkt *p, const struct dns_msg *m,
    int64_t now)
{
	size_t b = dns_key_hash(m->id, p->dport, p->sport, &p->dst, m->qname) &
	    (fl->dns_hash_size - 1);
	uint32_t *link = &fl->dns_hash[b];

	while (*link != NONE32) {
		struct dns_query *q = &fl->dns[*link];

		if (now - q->query.ts_ns > DNS_WAIT_NS) {
			*link = q->hash_next;	/* stale: forget it */
			continue;
		}
		if (q->id == m->id && q->cport == p->dport &&
		    q->sport == p->sport && addr_eq(&q->client, &p->dst) &&
		    strcasecmp(flow_str(fl, q->qname), m->qname) == 0) {
			*link = q->hash_next;
			return q;
		}
		link = &q->hash_next;
	}
	return NULL;
}

void
dns_feed(struct flow *fl, const struct frame *f, const struct pkt *p,
    const uint8_t *msg, size_t len, bool over_tcp)
{
	struct frame_ref fr = frame_ref_of(f);
	const struct dns_pre *pre = p->dns_pre;
	const struct dns_msg *m;
	struct dns_msg own;
	struct dns_query *q;

	if (pre != NULL && pre->data == msg && pre->len == len) {
		if (pre->result != 0)
			return;
		m = &pre->m;
	} else {
		if (dns_parse(msg, len, &own) != 0)
			return;
		m = &own;
	}
	fl->stats.dns++;
	if (!m->response) {
		add_query(fl, &fr, p, m, over_tcp);
		return;
	}
	q = take_query(fl, p, m, f->ts_ns);
	if (q == NULL)
		return;
	q->answer = fr;
	q->rcode = m->rcode;
	q->neg_ttl = m->neg_ttl;
	add_answers(fl, q, m);
}
