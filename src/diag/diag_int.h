/* diag_int.h: helpers shared by the files of diag/, not for other layers. */
#ifndef GW_DIAG_INT_H
#define GW_DIAG_INT_H

#include "../proto/http.h"
#include "diag.h"

/* Evidence may precede the request frame by this much (clock skew between
 * interfaces of an `-i any` capture). */
#define DIAG_SLACK_NS (200LL * 1000000LL)
/* What the gateway did in answer to a request starts after it, give or
 * take the skew between the interfaces of one capture (the lab's truth
 * allows the same). */
#define DIAG_SKEW_NS (1000000LL)
/* A negative answer without an SOA is taken as cached this long (squid's
 * negative_dns_ttl default is a minute); no answer is taken as cached
 * longer than DIAG_CACHE_MAX_S, whatever its TTL says. */
#define DIAG_NEG_TTL_S 60
/* Addresses are kept at least this long whatever their TTL (nginx's
 * resolver valid=, squid's minimum): a TTL of 0 is common on internal
 * zones, and the connection's address confirms the link anyway. */
#define DIAG_CACHE_MIN_S 30
#define DIAG_CACHE_MAX_S (24 * 3600)
/* A gateway acts on a request at once: its own look-up starts within
 * this time; a look-up asked this long before a request may still be
 * in flight for it. */
#define DIAG_ACT_NS (1000LL * 1000000LL)
/* A gateway tries an address again at once (Traffic Server) or after a
 * turn-around (HAProxy: min(timeout connect, 1 s)), plus its timers'
 * lateness. */
#define DIAG_RETRY_NS (1100LL * 1000000LL)
/* A gateway that answers this soon with nothing upstream tried nothing
 * (HAProxy's 503 with no server up: a tenth of a millisecond, 13 ms
 * behind a batch of requests it was starting connections for). */
#define DIAG_UNTRIED_NS (50LL * 1000000LL)
/* nginx connects to its group's next server in the same turn of its
 * event loop as it read the last one's refusal (HAProxy waits a
 * turn-around: its attempts then are other requests'). */
#define DIAG_NEXT_NS (1000000LL)
/* Attempts and requests looked at to find one try after a refusal among
 * other requests' (link.c reaches_answer): a hostile capture's thousands
 * of attempts in a millisecond cost this much per try, no more. */
#define DIAG_CHAIN_BUDGET 512
/* On a pooled connection, with the address known, a request is
 * forwarded within this time. */
#define DIAG_FORWARD_NS (100LL * 1000000LL)
/* A request waits on a look-up whose newest send came up to this long
 * before it; each send of a look-up came this long after the one before
 * at most (nginx resends every resend_timeout while requests wait). */
#define DIAG_INFLIGHT_NS (30LL * 1000000000LL)
/* Two requests for one host closer than this have an equal claim on
 * evidence linked by time. */
#define DIAG_AMBIG_NS (1000000LL)
/* Another cache's answer was the one used when the gateway tried it
 * first by this much: two proxies on one gateway, busy, connect for
 * their requests within milliseconds of each other. */
#define DIAG_CACHE_TIE_NS (5LL * 1000000LL)
/* A gateway that neither holds a name nor waits for a look-up of it asks
 * within this time of the request. */
#define DIAG_ASK_NS (20LL * 1000000LL)
/* A cache answers the requests that waited for one fetch within
 * DIAG_ASK_NS of each other, but a loaded Varnish wakes its waiting list
 * in rushes: beside busy loops it answered waiters up to 61 ms before
 * the request that fetched and 27 ms after it. Below DIAG_SLACK_NS: all
 * have answered when one's story ends. */
#define DIAG_RUSH_NS (100LL * 1000000LL)
/* Varnish keeps a failed fetch's error a second when requests waited
 * on it (else not at all), and serves it stale for five more (its
 * grace): an answer that names that fetch comes within this time of the
 * fetch's own. */
#define DIAG_CACHED_ERROR_NS (6000LL * 1000000LL)
/* How long after the error answer to a request in origin form its story
 * may still change: whether the gateway tried an attempt's address
 * again (link.c tried_again_after: the SYN sent again at the initial
 * RTO, a new connection a retry's turn-around after the attempt gave
 * up). Such an error settles then, so that a diagnosis made slice by
 * slice, as a file is read, sees what one made at once does. */
#define DIAG_AFTER_NS (DIAG_ACT_NS + DIAG_RETRY_NS + DIAG_SLACK_NS)
/* A gateway connects within this time of the DNS answer it waited for. */
#define DIAG_ANSWER_ACT_NS (2LL * 1000000LL)
/* No gateway gives up a handshake sooner than this after its SYN. */
#define DIAG_MIN_CONNECT_NS (500LL * 1000000LL)
/* ... as the capture sees it: the gateway's timer starts as it calls
 * connect(), a little before its SYN is seen (HAProxy's next try on a
 * new socket came 499.4 ms after a SYN, its timeout 500 ms). */
#define DIAG_MIN_CONNECT_SEEN_NS (DIAG_MIN_CONNECT_NS - DIAG_SKEW_NS)
/* ... or up to this much sooner when the gateway is busy: its SYN went
 * out late, not its next (HAProxy's next try 496.3 ms after a SYN sent
 * 3 ms after the request, the SYNs of a busy round 3-4 ms late). */
#define DIAG_TIMER_LATE_NS (5LL * 1000000LL)
/* A reply head this long is more than some gateways read: nginx's
 * proxy_buffer_size is one memory page (4 KB on x86-64) by default, and
 * past it nginx answers 502 ("upstream sent too big header"). */
#define DIAG_BIG_HEAD 4096
/* diag.conn_claimed: a settled transaction's own attempt (an error
 * takes them all, a success those that connected), or a failed attempt
 * of a settled success's: a slow failing request may still take it as
 * its own, but it is no retry of another request's (link.c). */
#define CLAIM_TAKEN 1
#define CLAIM_TRIED 2
/* Requests of a connection looked at for the client's URL. */
#define DIAG_CARRIES_LOOK 64
/* Candidates tried for a transaction's connection attempts. */
#define DIAG_CHAIN_TRIES 4
/* Answers for one name looked at when searching a cache entry. */
#define DIAG_CACHE_WALK 256
/* Queries of one look-up walked back over, from one, for its first: an
 * A and an AAAA for each of DIAG_MAX_DNS sends (among DIAG_CACHE_WALK
 * queries for the name at most). */
#define DIAG_LOOKUP_WALK (2 * DIAG_MAX_DNS)
/* Requests for a path looked at, back from an answer, for the try that
 * followed a silent attempt: a read timeout's worth of a busy path's
 * (3 s of nginx's at 400 a second). */
#define DIAG_SILENCE_WALK 4096

/* A request in origin form ("GET /path", Host): to a reverse proxy (or a
 * transparent one), which takes the host's upstream from its
 * configuration rather than from the URL. */
static inline bool
diag_origin_form(const struct flow *fl, const struct txn *t)
{
	return fl->msgs[t->req].form == HTTP_FORM_ORIGIN;
}

/* A reply head a gateway may refuse for its size alone: past the parser's
 * own limits, valid and over DIAG_BIG_HEAD, or that long when the gateway
 * closed the connection within it (it read no more). */
static inline bool
diag_head_too_big(const struct flow *fl, const struct http_msg *m)
{
	const struct conn *c = &fl->conns[m->conn];

	if (m->too_long || (m->valid && m->head_len >= DIAG_BIG_HEAD))
		return true;
	if (!m->cut || m->head_len < DIAG_BIG_HEAD)
		return false;
	return (c->rst.number && !c->rst_from_server &&
	    (c->fin[1].number == 0 || c->rst.number < c->fin[1].number)) ||
	    (c->fin[0].number &&
	    (c->fin[1].number == 0 || c->fin[0].number < c->fin[1].number));
}

/* Why a gateway refused a reply whose status line parsed (link.c's
 * refused_reply), decided once for the summary, the remedy and the
 * evidence row: the first of a chunk without a size, a status outside
 * 100-599, a transfer coding other than chunked, a head more than it
 * reads. */
enum refusal { REFUSAL_NONE, REFUSAL_BAD_BODY, REFUSAL_BAD_STATUS,
    REFUSAL_CODING, REFUSAL_BIG_HEAD };

static inline enum refusal
diag_refusal(const struct flow *fl, const struct http_msg *m)
{
	if (m->bad_body)
		return REFUSAL_BAD_BODY;
	if (m->valid && m->status > 599)
		return REFUSAL_BAD_STATUS;
	if (m->odd_coding)
		return REFUSAL_CODING;
	return diag_head_too_big(fl, m) ? REFUSAL_BIG_HEAD : REFUSAL_NONE;
}

/* Capture times can be anything a file says: never overflow on them. */
static inline int64_t
add_sat(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

uint32_t name_hash(const char *s);
uint32_t resource_hash(uint32_t host_hash, const char *target);
uint32_t dst_hash(const struct gw_addr *a, uint16_t port);
/* keyidx.c: add (items of one key in time order), find, first position
 * at or after a time, free. */
int key_add(struct key_index *ki, uint32_t hash, uint32_t item, int64_t ts);
/* When a connection the gateway tried was over for it: its own FIN or
 * a RST (the server's FIN may come later), else the last packet (the last
 * SYN of a connect that got no answer) (link.c). */
int64_t diag_tried_until_ns(const struct conn *c);
/* When the gateway began forwarding up_req: its connection's SYN when
 * up_req is the first request on a connection opened for it, else when
 * it sent it (link.c). */
int64_t diag_try_began_ns(const struct flow *fl, uint32_t up_req);
/* When an error a cache may have answered from one fetch with others is
 * final: once they have all settled, and for Varnish's miss once the
 * failed object it keeps for them may answer no more
 * (DIAG_CACHED_ERROR_NS); 0 for one alone (link.c). */
int64_t diag_partners_final_ns(const struct diag *dg, const struct flow *fl,
    const struct txn *t);
/* backends.c: a host's backend, learned from a connection linked to it
 * alone; pinned while all its requests went there; free. */
void diag_backend_learn(struct diag *dg, uint32_t host_hash,
    const struct gw_addr *addr, uint16_t port);
bool diag_backend_pinned(const struct diag *dg, uint32_t host_hash,
    const struct gw_addr *addr, uint16_t port);
void diag_backend_free(struct diag *dg);
/* Room for n per-item flags (conn_claimed, conn_probe...), the new ones
 * 0; -1 out of memory (link.c). */
int diag_flags_reserve(uint8_t **flags, size_t *cap, size_t n);
/* The first message (flow.msgs, in the order they began) that began at
 * or after ts (link.c). */
size_t diag_msg_lower(const struct flow *fl, int64_t ts);
/* probes.c: note conns[i], just indexed, in its server's series; was
 * conns[i] a gateway's health check (and sent nothing)? free. */
void diag_probe_note(struct diag *dg, const struct flow *fl, uint32_t i);
bool diag_probe(const struct diag *dg, const struct flow *fl, uint32_t i);
void diag_probe_free(struct diag *dg);
const struct key_list *key_find(const struct key_index *ki, uint32_t hash);
size_t key_lower(const struct key_list *l, int64_t ts);
void key_free(struct key_index *ki);
/* After the model was compacted (diag_retire, diag_evict): every list's
 * items renumbered by map (old index -> new, NONE32: gone) in place, in
 * the order they were; emptied lists go. No allocation: cannot fail. */
void key_remap(struct key_index *ki, const uint32_t *map, size_t old_n);
/* mark.c: marks what the unsettled transactions of keep[] may still link
 * to (diag_retire, diag_evict), in time linear in the model and in
 * steps: begin (NULL: out of memory), then step until it returns 1 (0:
 * more, *budget spent; -1 out of memory), then free. The model and the
 * flag arrays must not change in between. */
struct mark_pass;
struct mark_pass *diag_mark_begin(const struct diag *dg,
    const struct flow *fl, const uint8_t *keep, uint8_t *conn, uint8_t *msg,
    uint8_t *dns);
int diag_mark_step(struct mark_pass *mp, size_t *budget);
void diag_mark_free(struct mark_pass *mp);
/* The first query of the look-up query qi belongs to (link.c). */
uint32_t diag_lookup_start(const struct diag *dg, const struct flow *fl,
    uint32_t qi);
/* The look-up of t's host from the gateway (not `client`) still in
 * flight when a request came at `req`, found from `from` back; else
 * NONE32. */
uint32_t diag_inflight_query(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct gw_addr *client, int64_t from,
    int64_t req);
/* The newest answer for t's host the gateway had before `before`
 * (queries from `client` excluded) if its TTL still covered `at`; else
 * NONE32. */
uint32_t diag_cached_answer(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct gw_addr *client, int64_t before,
    int64_t at);
/* The other caches on the gateway: each kept resolver socket's newest
 * answer for t's host before `before`, still valid then, but for the
 * socket of `newest` (diag_cached_answer's); into out[max], newest
 * first. How many. */
#define DIAG_SOCKETS 8
size_t diag_socket_caches(const struct diag *dg, const struct flow *fl,
    const struct txn *t, const struct gw_addr *client, int64_t before,
    uint32_t newest, uint32_t *out, size_t max);
/* Do q and r come from one socket? */
static inline bool
diag_same_socket(const struct dns_query *q, const struct dns_query *r)
{
	return q->cport == r->cport && addr_eq(&q->client, &r->client);
}
/* Does the upstream request up ask for what t's client asked for? */
bool diag_same_resource(const struct flow *fl, const struct txn *t,
    const struct http_msg *up);
/* Did q's answer give an address? NOERROR with only a CNAME, or empty
 * (no AAAA beside the A), did not. */
bool diag_gave_address(const struct flow *fl, const struct dns_query *q);
/* Would a resolver cache q's answer (addresses or NXDOMAIN)? */
bool diag_cache_entry(const struct flow *fl, const struct dns_query *q);
/* Was q's name asked for again, later than its answer's slack, up to
 * `until` (l: the look-ups of q's name), by anyone but t's proxy port's
 * foreign resolvers (t NULL: by anyone)? Then q had left the cache. */
bool diag_asked_again(const struct flow *fl, const struct key_list *l,
    const struct dns_query *q, const struct txn *t, int64_t until);
/* Does q come from a resolver of another proxy than the one t's request
 * went to (flow's dns_foreign_resolver), as known by t's end? A socket's
 * proxy is learnt from its look-ups: those just after the request may be
 * what tells (the busy lab, 50 ms after). */
static inline bool
diag_foreign_query(const struct flow *fl, const struct txn *t,
    const struct dns_query *q)
{
	return q->resolver != 0 &&
	    dns_foreign_resolver(fl, q, fl->conns[t->conn].sport,
	    txn_end_ns(fl, t, fl->stats.last_ts));
}
/* Has q's answer not expired from the gateway's cache by `at`? (One
 * that came after `at` has not: retiring keeps it for what comes.) */
bool diag_cache_valid(const struct flow *fl, const struct dns_query *q,
    int64_t at);
bool is_error_status(const struct diag *dg, uint16_t status);

/* When an answered transaction's story stops changing: its answer's
 * head plus DIAG_SLACK_NS, or DIAG_AFTER_NS for an error to a request
 * in origin form. It settles no sooner (link.c settle_list), nor is it
 * final (retire.c txn_final_ns). */
static inline int64_t
diag_ready_ns(const struct diag *dg, const struct flow *fl,
    const struct txn *t)
{
	return add_sat(fl->msgs[t->resp].head.ts_ns,
	    is_error_status(dg, t->status) && diag_origin_form(fl, t) ?
	    DIAG_AFTER_NS : DIAG_SLACK_NS);
}

/* qsort order of struct timed_index: by time, then by index (a total order: same input, same
 * result). */
int timed_index_cmp(const void *a, const void *b);
void request_host(const struct flow *fl, const struct http_msg *m,
    char *host, size_t hostlen, uint16_t *port);
/* addr_parse of a transaction's host, which is mostly a name: a byte no
 * address text holds (a letter past 'f', '-') says so at once, without
 * inet_pton's two tries. */
bool host_literal(const char *host, struct gw_addr *out);

/* handshake.c: how a gateway's TLS connection to a server failed. */
enum tls_end {
	TLS_END_NONE = 0,	/* no TLS, not over, or the request went */
	TLS_END_PLAIN,		/* the server answered in plain text */
	TLS_END_SERVER_ALERT,	/* the server's alert, in the clear */
	TLS_END_GATEWAY_ALERT,	/* the gateway's alert, in the clear */
	TLS_END_ABORTED,	/* TLS 1.3: the gateway's encrypted alert */
	TLS_END_GATEWAY_CLOSED,	/* the gateway closed without a request */
	TLS_END_UNANSWERED,	/* the hello got nothing; the gateway closed */
	TLS_END_SERVER_CLOSED	/* the server closed, without an alert */
};

struct tls_end_at {
	uint8_t how;		/* enum tls_end */
	struct frame_ref at;	/* the frame that showed it */
};

/* Did c's TLS handshake fail by `until`: the first sign of it in *e. */
bool diag_tls_end(const struct flow *fl, const struct conn *c, int64_t until,
    struct tls_end_at *e);
/* The same for one of t's attempts, up to t's end (txn_saw) as of now_ns;
 * never for a tunnel's (CONNECT: its TLS is its client's). */
bool diag_tls_txn_end(const struct flow *fl, const struct txn *t,
    const struct conn *c, int64_t now_ns, struct tls_end_at *e);
/*
 * After the gateway sent its request (encrypted) on c, by `until`: did
 * the server close first (TLS_AFTER_CLOSED, at its FIN or RST), stay
 * silent for DIAG_TLS_SILENT_NS before the gateway's answer at answer_ns
 * (TLS_AFTER_SILENT, at the gateway's close, else the answer), or speak
 * up to it (TLS_AFTER_REPLIED: a reply the capture cannot read)? false
 * when no request went on c by then.
 */
enum tls_after { TLS_AFTER_CLOSED = 1, TLS_AFTER_SILENT, TLS_AFTER_REPLIED };
#define DIAG_TLS_SILENT_NS (1000LL * 1000000LL)
bool diag_tls_after(const struct flow *fl, const struct conn *c,
    int64_t until, int64_t answer_ns, enum tls_after *how,
    struct frame_ref *at);
/* JSON's key for how ("gateway-alert"), "" for none. */
const char *diag_tls_end_key(enum tls_end how);
/* The sentence that says it: "10.0.0.5 port 443 refused ... (...)". */
void diag_tls_explain(const struct flow *fl, const struct conn *c,
    const struct tls_end_at *e, char *out, size_t outlen);

#endif
