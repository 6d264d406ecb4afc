/*
 * diag.h: client transactions (a request to the proxy and the gateway's
 * answer), the upstream evidence linked to each, and the verdict that
 * explains a gateway error (DESIGN §1–2).
 */
#ifndef GW_DIAG_H
#define GW_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../flow/flow.h"

enum verdict {
	V_OK = 0, V_HOST_NOT_RESOLVABLE, V_CANNOT_CONNECT, V_BAD_RESPONSE,
	V_RELAYED, V_UNKNOWN, V_PENDING, V_COUNT
};

enum cause {
	C_NONE = 0, C_DNS_NXDOMAIN, C_DNS_ERROR, C_DNS_NO_RESPONSE,
	C_SYN_UNANSWERED, C_TCP_RST, C_ICMP_UNREACHABLE, C_HTTP_INVALID,
	C_UPSTREAM_TIMEOUT, C_UPSTREAM_CLOSED, C_UPSTREAM_5XX,
	C_NO_UPSTREAM_EVIDENCE,
	C_TLS_HANDSHAKE,	/* cannot-connect: the upstream's TLS failed */
	C_COUNT
};

/* How a piece of evidence was tied to its transaction (JSON "link"). */
enum evidence_link {
	LINK_NONE = 0,
	LINK_REQUEST_LINE,	/* the gateway's upstream request names the URL */
	LINK_ADDRESS,		/* the look-up that gave the address connected to */
	LINK_CACHE,		/* an earlier answer still in the gateway's cache */
	LINK_TIME,		/* the nearest unclaimed evidence for the host */
	LINK_COUNT
};

#define DIAG_MAX_DNS 16		/* DNS queries linked to one transaction */
#define DIAG_MAX_CONNS 8	/* connection attempts linked */
/* A reverse proxy's tries of one request on its group's servers before
 * the last (nginx: each server once; three is a large group's share) */
#define DIAG_MAX_TRIES 3

struct diagnosis {
	uint8_t verdict;	/* enum verdict */
	uint8_t cause;		/* enum cause */
	bool shared;		/* evidence also explains another request */
	bool masked;		/* a gateway error behind a non-error status */
	uint8_t dns_link, conn_link;	/* enum evidence_link */
	uint8_t ndns, nconns;
	uint32_t dns[DIAG_MAX_DNS];	/* flow.dns indices, in time order */
	uint32_t conns[DIAG_MAX_CONNS];	/* flow.conns indices (attempts) */
	uint32_t up_req;	/* flow.msgs: upstream request, or NONE32 */
	uint32_t up_resp;	/* flow.msgs: upstream reply, or NONE32 */
	uint32_t up_conn;	/* connection that carried them, or NONE32 */
	/* a reverse proxy's earlier tries, in order: their upstream
	 * requests (flow.msgs; their connections are in conns) and how
	 * each failed (enum cause) before the gateway tried the next */
	uint8_t ntries;
	uint8_t try_cause[DIAG_MAX_TRIES];
	uint32_t tries[DIAG_MAX_TRIES];
	bool ambiguous;		/* linked by time while `rival` came too */
	bool cached;		/* shared with a failed fetch whose cached
				 * object answered it (Varnish's ids) */
	bool half_answered;	/* dns-no-response: one type (the A) gave
				 * an address, the query of another asked
				 * beside it (the AAAA) got no answer */
};

struct txn {
	uint32_t id;		/* 1-based, in request order */
	uint32_t conn;		/* client connection (flow.conns) */
	uint32_t req, resp;	/* flow.msgs; resp NONE32 if unanswered */
	strref url, host;	/* url as DESIGN §3 defines it; host lower-case */
	uint32_t host_hash;	/* name_hash(host): the indexes' key */
	uint32_t resource_hash;	/* resource_hash(host, url): by_host's */
	uint16_t port;		/* destination port the gateway must reach */
	uint16_t status;	/* 0: the gateway never answered */
	bool is_error;		/* status in --status, or no answer */
	bool settled;		/* its evidence can no longer change */
	uint32_t next_on_conn;	/* next request on the same connection */
	uint32_t rival;		/* id of a request for the same host and
				 * port within DIAG_AMBIG_NS, or 0: an equal
				 * claim on evidence linked by time */
	int64_t give_up_ns;	/* the gateway's timeout after the request
				 * (and the slack): an unanswered story
				 * whose client stays ends there */
	struct diagnosis d;
};

struct diag_opts {
	uint16_t statuses[16];		/* gateway error codes */
	size_t nstatuses;
	int64_t timeout_ns;		/* gateway's upstream timeout */
	struct gw_addr gateway;		/* -g, family 0 when unset */
	bool settled_only;		/* leave open requests undiagnosed:
					 * nobody shows them (reports) */
};

/* One key's items (keyidx.c), in time order. */
/* Most keys hold one item (a URL asked once, an error answered once, a
 * server port used once): it lives in the list itself, without an
 * allocation; more go to one block (ts, then items). 40 bytes a key. */
#define KEY_INLINE 1

struct key_list {
	uint32_t hash;
	uint32_t n, cap;
	uint32_t item_in;	/* items[0] while cap is KEY_INLINE */
	int64_t ts_in;		/* ts[0] then (keyidx.c points them here
				 * again whenever the list moves) */
	uint32_t *items;	/* flow.dns, .conns or .msgs indices */
	int64_t *ts;		/* their times */
};

/* Per-key lists of items, found by hash (open addressing). */
struct key_index {
	struct key_list *lists;
	size_t nlists, lists_cap;
	uint32_t *slots;		/* list index + 1; 0: empty */
	size_t nslots;
	size_t seen;			/* items indexed so far */
};

/* An index into txns[] or conns[] with a time: settling in the order the
 * stories ended, evicting the least recently active first. */
struct timed_index {
	int64_t at;
	uint32_t index;
};

/*
 * A diagnosis under way in steps (diag_run_step): it lists what settles,
 * settles it in the order the stories ended, then looks at the open
 * ones. Whatever changes the model (diag_update, diag_retire, diag_evict)
 * ends it; what it settled stays settled, and the next run goes on in
 * the same order.
 */
enum diag_phase { PASS_LIST, PASS_SETTLE, PASS_OPEN, PASS_COUNT };

struct diag_pass {
	bool on;			/* under way */
	bool final;			/* diag_run_step's `final` */
	uint8_t phase;			/* enum diag_phase */
	int64_t now;			/* the model's time when it began */
	int64_t blocked;		/* LIST: the earliest turn (settle_ns)
					 * of a transaction not yet ready: none
					 * from it on settles in this pass */
	struct timed_index *over;	/* what settles, listed so far */
	size_t nover, over_cap;
	size_t next;			/* LIST, OPEN, COUNT: the txns[]
					 * index looked at next; SETTLE:
					 * over[] settled so far */
	uint64_t counts[V_COUNT], errors;	/* COUNT: so far */
};

/* What retired transactions leave behind: their counts. */
struct diag_retired {
	uint64_t txns, errors;
	uint64_t counts[V_COUNT];	/* error transactions per verdict */
};

/*
 * A retired request an open one may still look at: an upstream request
 * sent within DIAG_AMBIG_NS after it was forwarded for it, not for an
 * earlier request (link.c: forwarded_for_later). Retiring keeps this
 * much of it while such an upstream request is kept and unclaimed and
 * an earlier request is open (retire.c), in time order.
 */
struct gone_req {
	int64_t req_ns;		/* the request's first byte */
	uint32_t host_hash, resource_hash;	/* the txn's */
	strref url;
	uint16_t port;
};

struct keep_pass;

#define DIAG_GRID_PORTS 8

struct diag {
	struct txn *txns;
	size_t ntxns, txns_cap;
	size_t msgs_seen;		/* flow.msgs taken so far */
	uint32_t *conn_head, *conn_tail; /* per conn: unanswered txns */
	size_t conn_cap;
	size_t first_unsettled;
	struct key_index by_name;	/* dns queries by name */
	struct key_index by_dst;	/* conns by server address+port */
	struct key_index by_host;	/* upstream requests by host and path */
	struct key_index by_req;	/* transactions (txns[]) by host */
	struct key_index by_answer;	/* answered errors (txns[]) by
					 * resource, at their answer */
	struct key_index by_fetch;	/* settled errors (txns[]) by the
					 * id Varnish gave their fetch */
	struct backend_memo *backends;	/* hosts' backends seen, or NULL
					 * (backends.c) */
	/* proxy ports (the gateway's) seen trying one server again on an
	 * even grid (HAProxy's turn-arounds, link.c grid_chain): the first
	 * DIAG_GRID_PORTS */
	uint16_t grid_ports[DIAG_GRID_PORTS];
	size_t ngrid_ports;
	struct probe_memo *probes;	/* servers' series of connections,
					 * or NULL (probes.c) */
	uint8_t *conn_probe;		/* per conn: a health check's */
	size_t conn_probe_cap;
	struct gone_req *gone;		/* retired requests still looked at */
	size_t ngone;
	struct key_index by_gone;	/* gone[] by host */
	uint8_t *dns_claimed, *conn_claimed, *msg_claimed;
	size_t dns_claimed_cap, conn_claimed_cap, msg_claimed_cap;
	struct diag_opts opts;
	uint64_t counts[V_COUNT];	/* error transactions per verdict */
	uint64_t errors;		/* error transactions in all */
	struct diag_retired retired;	/* included in counts and errors */
	uint64_t txns_dropped;
	uint64_t bad_requests;		/* not HTTP/1.x on a proxy connection */
	struct diag_pass pass;		/* diag_run_step's, between calls */
	struct keep_pass *keeping;	/* a retirement or eviction under
					 * way in steps (retire.c), or NULL */
};

void diag_init(struct diag *dg, const struct diag_opts *opts);
void diag_free(struct diag *dg);
/* Takes the HTTP messages the flow layer added since the last call. */
void diag_update(struct diag *dg, struct flow *fl);
/*
 * Links evidence and sets the verdict of every transaction (and the
 * per-verdict counts). `final`: the capture has ended, so a request without
 * an answer is really unanswered; otherwise recent ones stay V_PENDING.
 */
void diag_run(struct diag *dg, const struct flow *fl, bool final);
/*
 * diag_run in bounded steps, so that a screen can look at its keys in
 * between: looks at most `budget` transactions (to list, settle or
 * diagnose the open ones) and returns false while there is more, true
 * once the run is complete (the counts and errors change then, never
 * half-way). Call it again with the same
 * `final` and nothing fed in between; the verdicts are those of one
 * diag_run however small the steps. A run cut short by a change to the
 * model (or another `final`) starts again where its claims left off.
 */
bool diag_run_step(struct diag *dg, const struct flow *fl, bool final,
    size_t budget);

/* Requests seen in all: those in txns[] and those retired. */
static inline uint64_t diag_total(const struct diag *dg)
{
	return dg->ntxns + dg->retired.txns;
}
/* Index of the transaction with this id, or NONE32 (retired or none). */
uint32_t diag_find(const struct diag *dg, uint32_t id);
/*
 * Capture time from which a settled transaction's story can no longer
 * change (its answer plus the slack; a request never answered: once its
 * client has left and the timeout has passed); INT64_MAX until then.
 */
int64_t txn_final_ns(const struct diag *dg, const struct flow *fl,
    const struct txn *t);
/*
 * Forgets the transactions flagged in retire[] (one flag per txns[] entry;
 * only settled ones whose txn_final_ns has passed are taken), keeping
 * their counts, and every connection, message and DNS look-up that
 * neither a remaining transaction nor the traffic still to come can need.
 * Indices change (ids do not): look transactions up again by id.
 * Call after diag_update/diag_run, with nothing fed since. Returns how
 * many were retired, or -1 (out of memory, nothing changed).
 */
long diag_retire(struct diag *dg, struct flow *fl, const uint8_t *retire);
/*
 * When the flow layer's connection budget is over (flow_wants_evict):
 * forgets connections that carried nothing (no payload, no HTTP: SYNs
 * unanswered, refused, handshakes left idle) and that no transaction
 * refers to or may still link to (its evidence or its window), the least
 * recently active first, down to three quarters of the budget, counting
 * them (flow.stats.conns_evicted). Transactions, messages and look-ups
 * stay; connection indices change. Call after diag_update with nothing
 * fed since. Returns how many went, or -1 (out of memory, nothing
 * changed).
 */
long diag_evict(struct diag *dg, struct flow *fl);
/*
 * diag_retire and diag_evict in steps, so that a screen looks at its keys
 * in between (issue 13: marking what stays walks the whole model):
 * *_begin returns 1 when a pass has begun, else what the one-call
 * function returns (0: nothing to do, -1); then diag_keep_step until it
 * returns true, each call marking about `budget` items, the last one
 * compacting the model and setting *result as the one-call function
 * would. Nothing may be fed and no diagnosis run in between: diag_update
 * and diag_run_step cancel a pass (diag_keep_cancel: nothing changes).
 */
int diag_retire_begin(struct diag *dg, struct flow *fl, const uint8_t *retire);
int diag_evict_begin(struct diag *dg, struct flow *fl);
bool diag_keep_step(struct diag *dg, struct flow *fl, size_t budget,
    long *result);
void diag_keep_cancel(struct diag *dg);
/* Does the next step begin work that is not cut into steps (sorting the
 * open windows, choosing the idle connections, compacting)? A screen
 * starts it in a slice of its own. */
bool diag_keep_blocks_next(const struct diag *dg);
/* Was this frame seen while the transaction ran (up to its end + slack)? */
bool txn_saw(const struct flow *fl, const struct txn *t,
    const struct frame_ref *r, int64_t now_ns);

/* Texts for humans and the JSON keys of DESIGN §1. */
const char *verdict_key(enum verdict v);	/* "host-not-resolvable" */
const char *verdict_label(enum verdict v);	/* "HOST NOT RESOLVABLE" */
/* The transaction's label: its verdict's, but an answer the gateway gave
 * that is no gateway error yet no success says its class ("CLIENT
 * ERROR" for a CONNECT the proxy refused with 400), never "OK". */
const char *txn_label(const struct txn *t);
const char *cause_key(enum cause c);		/* "dns-nxdomain" */
const char *cause_remedy(enum cause c);
/* The remedy for t: its cause's, or one its evidence names more exactly
 * (a reply head the gateway refused for its size). */
const char *txn_remedy(const struct flow *fl, const struct txn *t);
const char *link_key(enum evidence_link l);		/* "cache" */
/* One sentence in plain words saying what happened, into out. */
void diag_summary(const struct diag *dg, const struct flow *fl,
    const struct txn *t, char *out, size_t outlen);
/* Seconds a gateway's cache may serve q's answer: the smallest address
 * TTL (at least 30 s), for NXDOMAIN the SOA's negative TTL (else 60 s);
 * at most a day. */
uint32_t diag_cache_ttl(const struct flow *fl, const struct dns_query *q);
/* Evidence frame numbers, sorted, unique; returns how many were written
 * (evidence.c: the frames evidence_build lists). */
size_t diag_evidence_frames(const struct flow *fl, const struct txn *t,
    int64_t now_ns, uint64_t *out, size_t max);
/* Every SYN the gateway sent for a transaction up to its end (txn_saw: a
 * linked attempt may go on after the answer), all attempts, in order. */
#define DIAG_MAX_SYNS (DIAG_MAX_CONNS * CONN_MAX_SYNS)
struct syn_series {
	unsigned n;
	struct frame_ref syn[DIAG_MAX_SYNS];
	uint32_t conn[DIAG_MAX_SYNS];
};
void diag_syn_series(const struct flow *fl, const struct txn *t,
    int64_t now_ns, struct syn_series *out);
/* How many SYNs of attempt c the transaction saw: those kept, then those
 * beyond CONN_MAX_SYNS when it saw every kept one; *last the last seen. */
unsigned diag_syns_seen(const struct flow *fl, const struct txn *t,
    const struct conn *c, int64_t now_ns, const struct frame_ref **last);

/* When the transaction ended: the answer's first byte (the gateway had
 * decided; tinyproxy writes its head a line at a time), the client giving
 * up, the gateway's timeout (txn.give_up_ns), or now. */
int64_t txn_end_ns(const struct flow *fl, const struct txn *t,
    int64_t now_ns);
/* Elapsed time from the request (its head complete) to that end. */
int64_t txn_elapsed_ns(const struct flow *fl, const struct txn *t,
    int64_t now_ns);
/* Frames [first,last] to export for a transaction, with first's offset:
 * from the request's first byte to its answer (or last evidence). */
void txn_frame_range(const struct flow *fl, const struct txn *t,
    struct frame_ref *first, struct frame_ref *last);

#endif
