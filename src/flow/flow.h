/*
 * flow.h: what the flow layer rebuilds from decoded packets: TCP
 * connections with their handshake history, the HTTP message heads of each
 * direction, and DNS look-ups. Everything is kept in plain arrays indexed by
 * number; no packet bytes are kept, only frame numbers, times and offsets.
 */
#ifndef GW_FLOW_H
#define GW_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../capture/frame.h"
#include "../capture/frameoff.h"
#include "../proto/dns.h"
#include "../proto/packet.h"
#include "../util/addr.h"
#include "../util/vec.h"

#define NONE32 UINT32_MAX
#define CONN_MAX_SYNS 16	/* SYN (re)transmissions kept per connection */
#define FLOW_LINE_MAX 200	/* bytes of a head's first line kept */
#define FLOW_MAX_GATEWAYS 8	/* addresses kept as the gateway's */
#define FLOW_MAX_PROXY_PORTS 16
#define FLOW_STREAM_SPARE 64	/* stream states kept for reuse */
#define FLOW_DNS_SOCKETS 256	/* resolver sockets remembered (a power of 2) */
#define FLOW_DNS_PORT DNS_PORT
#define FLOW_RESOLVERS 64	/* kept resolver sockets told apart by port */
#define FLOW_RESOLVER_PORTS 4	/* proxy ports one resolver is seen to serve */
#define FLOW_RESOLVER_ASKED 8	/* names a resolver asked lately, kept */
#define FLOW_RECENT_REQS 32	/* client requests a look-up may follow */
#define FLOW_RESOLVER_SENDS 1024	/* resolvers' queries kept by ID (a power of 2) */
#define FLOW_RELAY_SEEN 8	/* latest requests a relay may follow */
#define FLOW_RELAY_PORTS 8	/* relaying ports kept (relay.c) */

/* An address that served a proxy port, and to whom. */
struct flow_server {
	struct gw_addr addr;
	struct gw_addr first_client;
	bool many;		/* served another client too */
};

enum conn_role {
	CONN_OTHER = 0,		/* no HTTP seen (yet) */
	CONN_CLIENT,		/* a client talking to the proxy port */
	CONN_UPSTREAM		/* the gateway (or anyone) talking HTTP out */
};

struct stream_state;		/* reassembly state, private to stream.c */
struct frag_table;		/* IP fragments, private to frag.c */
struct pending_table;		/* flows without a SYN, private to pending.c */

/*
 * One TCP connection, by 4-tuple; "client" is the side that sent the SYN.
 * A busy capture or a SYN flood holds thousands of these (issue 13, F2):
 * what every segment reads or writes comes first (its tuple, the last
 * frame, the stream, the byte counts, the closes: the first three cache
 * lines, each line a segment touches being a miss), and fields are
 * grouped by size so that padding costs no more than it must.
 */
struct conn {
	struct gw_addr caddr, saddr;
	uint8_t role;		/* enum conn_role */
	bool syn_seen;
	bool closed;		/* FIN or RST seen: a new SYN starts a new conn */
	bool no_http;		/* its first bytes were not HTTP: not parsed */
	bool rst_from_server;
	uint8_t nsyn;		/* SYNs kept (conn_syn) */
	uint16_t cport, sport;
	uint32_t isn;		/* client's initial sequence number */
	struct frame_ref last;
	struct stream_state *stream;	/* NULL: parked (rest), not started,
					 * or nothing more to parse */
	uint64_t bytes[2];	/* payload bytes seen per direction */
	struct frame_ref rst;	/* first RST */
	struct frame_ref fin[2];	/* first FIN per direction (0: client) */
	struct frame_ref data[2];	/* first payload byte per direction */
	struct frame_ref first;
	struct frame_ref synack;
	uint32_t server_isn;	/* from the SYN/ACK */
	uint32_t syns_dropped;	/* SYNs beyond CONN_MAX_SYNS */
	uint32_t first_msg[2];	/* first HTTP message per direction */
	uint32_t last_msg[2];
	uint32_t nmsg[2];
	/* A stream at rest (stream.c: both directions between messages,
	 * done or tunnelled, nothing held) has its state freed and resumes
	 * from these: next sequence numbers, the request the next response
	 * answers, the oldest message without its pair; rest holds the
	 * flags (0: not parked). */
	uint32_t rest_seq[2], rest_req, rest_unpaired;
	uint16_t rest;
	uint32_t icmp;		/* flow.icmps: the ICMP errors quoting it
				 * (conn_icmp), NONE32: none */
	uint32_t tls;		/* flow.tls: its TLS handshake (a gateway's
				 * ClientHello opened it), NONE32: none */
	/* the SYN's retransmissions (nsyn - 1 of them), allocated as they
	 * come: most connections see one SYN, their first frame (conn_syn) */
	struct frame_ref *syn_retries;
};

/* The ICMP errors quoting a connection (few connections get one: kept
 * apart, so that the others do not carry their 54 bytes). */
struct conn_icmp {
	struct frame_ref first;	/* the first error */
	struct frame_ref last;	/* the last one (a SYN retry's) */
	struct gw_addr from;	/* who sent the first */
	uint8_t ver, type, code;	/* the first's IP version, type, code */
	uint32_t conn;		/* flow.conns */
};

/*
 * What a TLS connection's handshake showed (tlsconn.c): a gateway that
 * speaks TLS to its upstream sends a ClientHello first. Nothing is
 * decrypted; the records' types and lengths, the hellos and the alerts
 * sent in the clear tell how far it got. Kept apart like conn_icmp: only
 * such connections carry it.
 */
struct conn_tls {
	uint32_t conn;		/* flow.conns */
	uint16_t version;	/* the ServerHello's choice; 0: none seen */
	uint16_t left[2];	/* bytes of the current record still to come */
	uint8_t nhdr[2];	/* bytes of a record header split over segments */
	uint8_t hdr[2][5];
	uint8_t alert[2];	/* the first alert in the clear, each way
				 * (0: the gateway's, 1: the server's) */
	bool alerted[2];
	bool plain_reply;	/* the server answered in clear text */
	bool aborted;		/* TLS 1.3: the gateway's first encrypted
				 * record was an alert: it gave up before
				 * its Finished */
	bool done;		/* the gateway sent its request: the
				 * handshake succeeded */
	uint32_t encrypted[2];	/* application_data records each way */
	struct frame_ref hello;	/* the gateway's ClientHello */
	struct frame_ref server_first;	/* the server's first bytes */
	struct frame_ref alert_at[2];	/* alerted; aborted: alert_at[0] */
	struct frame_ref data;	/* the gateway's first application data */
	struct frame_ref gw_close;	/* the gateway's first encrypted
					 * alert after its Finished: most
					 * often close_notify */
	struct frame_ref server_last;	/* done: the server's latest record
					 * (its reply, or its tickets) */
	strref sni;		/* the name the ClientHello asked for */
	strref reply_line;	/* plain_reply: its first line */
};

/* One HTTP/1.x message head (or a reply that is not one). */
struct http_msg {
	uint32_t conn;
	uint8_t dir;		/* 0: request (client to server); 1: response */
	/* one byte of flags, so that varnish_id fits in 128 bytes */
	bool valid : 1;		/* false: bytes that are not a valid head */
	bool complete : 1;	/* whole message (head and body) seen */
	bool too_long : 1;	/* past a line's or the head's limit
				 * (HTTP_LINE_MAX, HTTP_HEAD_MAX), not junk:
				 * invalid, or valid with the fields read */
	bool cut : 1;		/* invalid: the connection closed in its head */
	bool bad_body : 1;	/* a chunk-size line without a size */
	bool odd_coding : 1;	/* valid, with a transfer coding other than
				 * chunked: error_line holds it */
	bool varnish_hit : 1;	/* http_head's */
	/* requests: 1 + the minor version when the first line is exactly
	 * method SP target SP "HTTP/1." minor: not stored, flow_msg_line
	 * rebuilds it (a busy capture's every URL is new); 0: line holds it */
	uint8_t line_minor;
	struct frame_ref start;	/* frame with the first byte */
	struct frame_ref head;	/* frame that completed the head */
	struct frame_ref end;	/* frame that completed the message */
	uint16_t status;	/* responses */
	uint8_t form;		/* requests: enum http_target_form (the
				 * authority form: CONNECT) */
	bool head_method;	/* requests: HEAD, answered without a body */
	uint16_t port;		/* requests: http_request_host's port */
	uint16_t head_len;	/* bytes of the head, blank line included
				 * (too_long, or invalid: those seen) */
	strref method, target, host, line, error;
	strref error_line;	/* invalid: the offending header line ("":
				 * the first line is); odd_coding: the coding */
	uint32_t next;		/* next message, same connection and direction */
	uint32_t pair;		/* the k-th response of a connection for its
				 * k-th request and back; NONE32: none yet */
	strref authority;	/* requests: http_request_host's host */
	uint32_t varnish_id;	/* http_head's (X-Varnish), 0: none */
};

/* One DNS query packet and its answer. */
struct dns_query {
	struct frame_ref query, answer;
	struct gw_addr client, server;
	uint16_t cport, sport;
	uint16_t id, qtype;
	int16_t rcode;		/* -1: unanswered */
	strref qname;
	uint32_t first_answer;	/* into flow.dns_answers */
	uint16_t nanswers;
	uint32_t neg_ttl;	/* seconds a negative answer may be cached (SOA) */
	bool over_tcp;
	/* its socket had asked for other names before: a resolver's own
	 * socket (nginx's, squid's), with a cache of its own, not one
	 * socket per look-up (dnslog.c) */
	bool socket_kept;
	uint16_t resolver;	/* its kept socket's, 1 + index; 0: none */
	/* the proxy port of the client request for its name it came at
	 * once after (dnslog.c asking_port); 0: none, or several ports' */
	uint16_t asked_for;
	uint32_t hash_next;	/* chain of unanswered queries */
};

/* A socket DNS queries came from, and how many names it asked for. */
struct dns_socket {
	struct gw_addr client;
	uint16_t cport;
	uint16_t names;		/* names asked since first_ts */
	uint32_t name_hashes[2];	/* the names counted (their hashes) */
	uint16_t resolver;	/* once kept: 1 + index in flow.resolvers */
	int64_t first_ts, last_ts;
};

/*
 * A kept resolver socket and the proxy ports whose requests it asks for:
 * two proxies on one gateway (nginx on one port, squid on another) keep a
 * cache and a socket each. A port is the socket's once RESOLVER_VOTES of
 * its look-ups followed, within moments, a client request for the name on
 * that port and on no other (dnslog.c); `since`, from then on.
 */
struct resolver {
	struct gw_addr client;	/* the address it asks from */
	uint16_t ports[FLOW_RESOLVER_PORTS];
	uint16_t votes[FLOW_RESOLVER_PORTS];
	int64_t since[FLOW_RESOLVER_PORTS];	/* INT64_MAX: not yet */
	uint16_t nports;
	/* the names it asked for lately: a retry asks for no request */
	uint32_t asked_sigs[FLOW_RESOLVER_ASKED];
	int64_t asked_ts[FLOW_RESOLVER_ASKED];
	unsigned nasked;	/* ever: the next goes at % FLOW_RESOLVER_ASKED */
};

/* A query a resolver's socket sent: its name (name_sig) and ID. */
struct resolver_send {
	uint32_t name_sig;
	uint16_t id;
	uint16_t resolver;	/* 1 + index in flow.resolvers; 0: empty */
	int64_t ts;
};

/* A client request's host (name_sig) and proxy port, as it came. */
struct recent_req {
	uint32_t name_sig;
	uint16_t port;
	int64_t ts;
};

/* A request on a connection that is no client's (relay.c). */
struct relay_seen {
	struct gw_addr server;
	uint16_t port;
	uint32_t target_hash;
	int64_t ts;
};

/* A host's port where requests came and went on to another server. */
struct relay_port {
	struct gw_addr addr;
	uint16_t port;
	uint32_t relayed;	/* requests seen passed on */
};

struct dns_answer {
	uint16_t type;		/* A, AAAA, CNAME */
	strref name, target;	/* target: CNAME */
	struct gw_addr addr;	/* A, AAAA */
	uint32_t ttl;		/* seconds, as the answer said */
};

/* Limits that protect memory; reaching one is counted and reported. */
struct flow_limits {
	size_t max_conns, max_msgs, max_dns;
	size_t max_pending;	/* flows without a SYN waiting to show HTTP */
	/* connections beyond which diag_evict() forgets those that carried
	 * nothing and no transaction needs (0: never); sized from memory */
	size_t conn_budget;
};

struct flow_stats {
	uint64_t frames, bytes, ip, tcp, udp, icmp, dns, not_ip, bad_link,
	    malformed, fragments;
	uint64_t reassembled;	/* fragmented DNS datagrams put back */
	uint64_t conns_dropped, msgs_dropped, dns_dropped;	/* limits hit */
	uint64_t pending_dropped;	/* flows without a SYN the budget evicted */
	uint64_t conns_evicted;	/* connections without data the budget evicted */
	uint64_t stream_gaps;	/* bytes missing from a stream we parsed */
	uint64_t heads_too_long;
	int64_t first_ts, last_ts;
	int last_bad_linktype;
};

/* A connection's tuple hash and the next of its bucket's chain. */
struct conn_link {
	uint32_t hash;
	uint32_t next;
};

struct flow {
	/* every frame read (engine.c notes them), for its refs' offsets */
	struct frame_offsets offsets;
	struct conn *conns;
	size_t nconns, conns_cap;
	struct conn_icmp *icmps;	/* conn.icmp's, as they came */
	size_t nicmps, icmps_cap;
	struct conn_tls *tls;		/* conn.tls's, as they came */
	size_t ntls, tls_cap;
	struct http_msg *msgs;
	size_t nmsgs, msgs_cap;
	struct dns_query *dns;
	size_t ndns, dns_cap;
	struct dns_answer *dns_answers;
	size_t nanswers, answers_cap;
	struct strpool strings;
	size_t strings_dead;	/* refs forgotten since strings were compacted */
	uint32_t *conn_hash;	/* buckets → conn index, chained */
	size_t conn_hash_size;
	/* per connection, apart from struct conn so that doubling the
	 * buckets reads 8 bytes a connection, not its struct (issue 13: a
	 * pause of 50 ms at 200,000 connections) */
	struct conn_link *conn_links;
	size_t conn_links_cap;
	uint32_t *dns_hash;	/* buckets → unanswered query, chained */
	size_t dns_hash_size;
	struct dns_socket dns_sockets[FLOW_DNS_SOCKETS];	/* by socket */
	size_t dns_kept_sockets;	/* sockets that became kept, ever */
	/* the gateway asked more than one DNS server, ever (a resolver that
	 * sends its resends to the next: nginx, glibc) */
	struct gw_addr dns_first_server;
	bool dns_servers_many;
	struct resolver resolvers[FLOW_RESOLVERS];
	size_t nresolvers;
	/* the resolvers' newest queries, by name and ID (a lossy table) */
	struct resolver_send resolver_sends[FLOW_RESOLVER_SENDS];
	struct recent_req recent_reqs[FLOW_RECENT_REQS];	/* a ring */
	size_t nrecent_reqs;	/* taken ever: the next goes at % size */
	uint16_t proxy_ports[FLOW_MAX_PROXY_PORTS];
	size_t nproxy_ports;
	struct relay_seen relay_seen[FLOW_RELAY_SEEN];	/* a ring */
	size_t nrelay_seen;	/* taken ever: the next goes at % size */
	struct relay_port relay_ports[FLOW_RELAY_PORTS];
	size_t nrelay_ports;
	/* a stream begins at its first data, not after its handshake: the
	 * screen's rows feed a pooled connection's handshake and then the
	 * transaction's own message, its earlier ones left out (ui/rows.c) */
	bool sync_on_data;
	/* addresses seen serving a proxy port (the gateway's): a connection
	 * from one of them to a proxy port elsewhere is the gateway's own,
	 * upstream (a reverse proxy on port 80 to backends on port 80) */
	struct flow_server gateways[FLOW_MAX_GATEWAYS];
	size_t ngateways;
	struct flow_limits limits;
	struct flow_stats stats;
	struct frag_table *frags;	/* frag.c, NULL until a fragment */
	struct pending_table *pending;	/* pending.c, NULL until needed */
	size_t evict_at;	/* nconns at which an eviction is due (0: never) */
	/* stream states of closed connections, kept for the next ones
	 * (stream.c): a connection that starts speaking allocates nothing */
	struct stream_state *stream_spare[FLOW_STREAM_SPARE];
	size_t nstream_spare;
	/* the head of the segment stream_feed is parsing, parsed ahead by
	 * the reading thread (pkt's http_pre), or NULL */
	const struct http_pre *pre;
};

int flow_init(struct flow *fl, const uint16_t *proxy_ports, size_t nports);
void flow_free(struct flow *fl);
/* Takes one decoded frame into the model. */
void flow_feed(struct flow *fl, const struct frame *f, const struct pkt *p);
/* Ends what the end of the capture ends (bodies delimited by close). */
void flow_finish(struct flow *fl);
bool flow_is_proxy_port(const struct flow *fl, uint16_t port);
/* relay.c: a request on a connection that is no client's, at ts */
void relay_request(struct flow *fl, const struct conn *c, const char *target,
    int64_t ts);
size_t flow_relay_ports(const struct flow *fl, char *out, size_t outlen,
    struct gw_addr *host);
/* The gateway's address is known (-g): its connections to a proxy port
 * elsewhere are upstream from the first, not learnt from its clients. */
void flow_set_gateway(struct flow *fl, const struct gw_addr *gateway);
/* Hash of a 4-tuple, the same for both directions. */
uint32_t flow_tuple_hash(const struct gw_addr *a, uint16_t ap,
    const struct gw_addr *b, uint16_t bp);
static inline const char *flow_str(const struct flow *fl, strref r)
{
	return strpool_get(&fl->strings, r);
}
struct flow_line {
	char s[FLOW_LINE_MAX + 1];
};
/* A message's first line (FLOW_LINE_MAX bytes at most), from the pool or
 * rebuilt into *buf. */
const char *flow_msg_line(const struct flow *fl, const struct http_msg *m,
    struct flow_line *buf);
/* c's k-th SYN (0: the first, c's first frame), all zero past nsyn. */
static inline const struct frame_ref *conn_syn(const struct conn *c,
    unsigned k)
{
	static const struct frame_ref none;

	if (k >= c->nsyn)
		return &none;
	return k == 0 ? &c->first : &c->syn_retries[k - 1];
}
/* The ICMP errors quoting c: all zero (first.number 0) when none did. */
static inline const struct conn_icmp *conn_icmp(const struct flow *fl,
    const struct conn *c)
{
	static const struct conn_icmp none = { .conn = NONE32 };

	return c->icmp == NONE32 ? &none : &fl->icmps[c->icmp];
}
/* c's TLS handshake, NULL when c is no gateway's TLS connection. */
static inline const struct conn_tls *conn_tls(const struct flow *fl,
    const struct conn *c)
{
	return c->tls == NONE32 ? NULL : &fl->tls[c->tls];
}
/* The frame a message is known by: the one that completed it, or the
 * one that completed its head while the body is still coming. */
static inline const struct frame_ref *flow_msg_frame(const struct http_msg *m)
{
	return m->complete ? &m->end : &m->head;
}

/*
 * The connection budget: over it, the layer above (which alone can follow
 * a renumbering) should call diag_evict() before feeding more.
 */
static inline bool flow_wants_evict(const struct flow *fl)
{
	return fl->evict_at != 0 && fl->nconns >= fl->evict_at;
}
/* Sets the connection budget (0: never evict). */
void flow_set_conn_budget(struct flow *fl, size_t n);
/* A connection that carried nothing: no payload either way, no HTTP. */
bool conn_evictable(const struct conn *c);
/* An eviction forgot n connections: counts them and sets when the next
 * is due (back at the budget, or a quarter more than what stayed). */
void flow_evicted(struct flow *fl, size_t n);

/* Old index → new index (NONE32: forgotten) after flow_compact. */
struct flow_maps {
	uint32_t *conn, *msg, *dns;
	size_t old_nconns, old_nmsgs, old_ndns;
};
/*
 * Forgets what the keep flags (one per conn, msg, dns query) do not keep,
 * and a connection's messages with it; renumbers the rest in order. Once
 * as many string refs were forgotten as are kept, the pool is compacted
 * too and the refs in extra[] (the caller's) rewritten with it. The
 * caller keeps whatever the parser still refers to (stream_msg_refs).
 * 0, or -1 (out of memory) with the model unchanged.
 */
int flow_compact(struct flow *fl, const uint8_t *keep_conn, uint8_t *keep_msg,
    const uint8_t *keep_dns, strref **extra, size_t nextra,
    struct flow_maps *mp);
/* flow_compact in two calls, so that a caller working in steps (diag's
 * retirement) pays each apart: the plan (the maps, and keep_msg cleared
 * where the connection goes; the model unchanged), then the compaction
 * itself, which takes the plan's maps (and frees them on failure). Both
 * 0, or -1 out of memory with the model unchanged. */
int flow_compact_plan(const struct flow *fl, const uint8_t *keep_conn,
    uint8_t *keep_msg, const uint8_t *keep_dns, struct flow_maps *mp);
int flow_compact_planned(struct flow *fl, const uint8_t *keep_conn,
    const uint8_t *keep_msg, strref **extra, size_t nextra,
    struct flow_maps *mp);
/* Frees the maps and empties them: freeing them again is harmless. */
void flow_maps_free(struct flow_maps *mp);
/* Index i through an old → new map such as flow_maps' (NONE32 stays). */
static inline uint32_t flow_remap(const uint32_t *map, uint32_t i)
{
	return i == NONE32 ? NONE32 : map[i];
}
/* Messages the stream parser of c still refers to; returns how many. */
size_t stream_msg_refs(const struct conn *c, uint32_t out[3]);

/* Internal to flow/: stream.c parses the payload of a connection. */
void stream_feed(struct flow *fl, uint32_t ci, const struct frame *f,
    const struct pkt *p, int dir);
void stream_ack(struct flow *fl, uint32_t ci, int data_dir, uint32_t ack);
void stream_close(struct flow *fl, uint32_t ci, const struct frame *f,
    int dir);
/* Ends a connection's stream state (kept as a spare for the next). */
void stream_free(struct flow *fl, struct conn *c);
/* Frees the spare stream states (flow_free). */
void stream_spares_free(struct flow *fl);
/* Frees what a connection owns (its stream state, its SYN times). */
void conn_free(struct flow *fl, struct conn *c);
void stream_remap(struct conn *c, const uint32_t *msg_map);
/* tlsconn.c: do the gateway's first bytes on connection ci (len at data)
 * open a TLS handshake? Then ci is followed as one, and true. */
bool tlsconn_start(struct flow *fl, uint32_t ci, const uint8_t *data,
    size_t len, const struct frame_ref *fr);
/* The records of a TLS connection's bytes in direction dir; false once
 * nothing more is to be read that way. */
bool tlsconn_feed(struct flow *fl, uint32_t ci, int dir, const uint8_t *data,
    size_t len, const struct frame_ref *fr);
/* Bytes the capture lost (a snap length, a drop) in direction dir: true
 * when they lie within the current record, skipped; else the records
 * are lost there. */
bool tlsconn_gap(struct flow *fl, uint32_t ci, int dir, uint64_t n);
void dns_feed(struct flow *fl, const struct frame *f, const struct pkt *p,
    const uint8_t *msg, size_t len, bool over_tcp);
void frag_feed(struct flow *fl, const struct frame *f, const struct pkt *p);
void frag_free(struct flow *fl);
/* A segment of a flow without a SYN whose port does not prove it: waits
 * in bounded state; returns the connection it proved to be (the segment
 * is then the caller's to count and parse) or NONE32 (taken). */
uint32_t pending_feed(struct flow *fl, const struct frame *f,
    const struct pkt *p, bool src_client);
void pending_free(struct flow *fl);
/* A new connection (NONE32: a limit reached, counted), first seen at fr. */
uint32_t flow_conn_new(struct flow *fl, const struct gw_addr *caddr,
    uint16_t cport, const struct gw_addr *saddr, uint16_t sport,
    const struct frame_ref *fr);
/* The connection table rebuilt from conn_links[] (each connection's
 * hash; moved with its connection), oldest first so that the newest
 * connection of a tuple stays ahead (flow.c). */
void flow_rehash_conns(struct flow *fl);
/* dns_hash rebuilt from dns[]: every unanswered query (dnslog.c). */
void dns_rehash(struct flow *fl);
/* dnslog.c: a client request for host on proxy port came at ts; and does
 * q come from a resolver that asks for other proxy ports' requests, but
 * was not seen asking for port's by `at`? */
void dns_request_seen(struct flow *fl, const char *host, uint16_t port,
    int64_t ts);
bool dns_foreign_resolver(const struct flow *fl, const struct dns_query *q,
    uint16_t port, int64_t at);
/* Is q from a resolver seen asking for port's requests by `at`; was any
 * resolver seen so by then? */
bool dns_own_resolver(const struct flow *fl, const struct dns_query *q,
    uint16_t port, int64_t at);
bool dns_port_resolver_known(const struct flow *fl, uint16_t port,
    int64_t at);
/* Is q from a resolver seen asking for port's requests by `at`, and for
 * no other port's (one proxy's alone, not a resolver seen by chance to
 * ask just after another proxy's requests too)? */
bool dns_sole_resolver(const struct flow *fl, const struct dns_query *q,
    uint16_t port, int64_t at);

#endif
