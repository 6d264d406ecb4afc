/*
 * diag_scene.h: the scenes of the diagnosis tests (test_diag.c,
 * test_diag_story.c): a client's request to the proxy (10.0.0.1:9090)
 * for www.test, the gateway's DNS look-ups (resolver 10.0.0.1:33000,
 * server 10.0.0.53) and upstream connection (10.0.0.1:50000 to
 * 192.0.2.10:80), and the gateway's answer. Header only, like
 * unit_flow.h.
 */
#ifndef GW_DIAG_SCENE_H
#define GW_DIAG_SCENE_H

#include "unit_flow.h"

#define HOST "www.test"
#define URL "http://" HOST "/"
#define T0 (10 * UF_S)		/* the client connects at 10 s */

/* Who talks in a scene besides the client and the proxy (u->cli, u->srv). */
struct scene {
	struct uf *u;
	struct uf_side res, dns;	/* the gateway's resolver, its server */
	struct uf_side out, web;	/* the gateway's upstream connection */
	uint16_t dns_id;
	uint64_t req;			/* the client's request frame */
	int64_t req_ts;
};

static inline void
scene_init(struct scene *s, struct uf *u)
{
	memset(s, 0, sizeof *s);
	s->u = u;
	uf_side_init(&s->res, "10.0.0.1", 33000, 0);
	uf_side_init(&s->dns, "10.0.0.53", 53, 0);
	uf_side_init(&s->out, "10.0.0.1", 50000, 7000);
	uf_side_init(&s->web, "192.0.2.10", 80, 9000);
	s->dns_id = 0x100;
	uf_at(u, T0);
}

/* A fresh fixture for the next scenario of one test. */
static inline struct uf *
again(void **state)
{
	uf_teardown(state);
	uf_setup(state);
	return *state;
}

/* Frames 1-3: the client connects to the proxy and asks for URL. */
static inline void
ask(struct scene *s)
{
	uf_handshake(s->u, &s->u->cli, &s->u->srv);
	s->req = uf_get(s->u, &s->u->cli, &s->u->srv, URL, HOST);
	s->req_ts = s->u->fl.stats.last_ts;
}

/* A query for HOST A; returns its frame. */
static inline uint64_t
query(struct scene *s)
{
	return uf_dns_query(s->u, &s->res, &s->dns, ++s->dns_id, HOST,
	    DNS_T_A);
}

/* The answer to the last query; returns its frame. */
static inline uint64_t
answer(struct scene *s, uint8_t rcode, const struct uf_rr *rrs, size_t n)
{
	return uf_dns_answer(s->u, &s->dns, &s->res, s->dns_id, HOST,
	    DNS_T_A, rcode, rrs, n);
}

/* A query for name at `at` from the resolver socket res, answered
 * (rcode, rrs) 1 ms later unless rcode < 0; returns the query's frame. */
static inline uint64_t
lookup_by(struct scene *s, struct uf_side *res, int64_t at,
    const char *name, int rcode, const struct uf_rr *rrs, size_t n)
{
	uint16_t id = ++s->dns_id;
	uint64_t f;

	uf_at(s->u, at);
	f = uf_dns_query(s->u, res, &s->dns, id, name, DNS_T_A);
	if (rcode >= 0)
		uf_dns_answer(s->u, &s->dns, res, id, name, DNS_T_A,
		    (uint8_t)rcode, rrs, n);
	return f;
}

/* The same from the scene's resolver. */
static inline uint64_t
lookup_at(struct scene *s, int64_t at, const char *name, int rcode,
    const struct uf_rr *rrs, size_t n)
{
	return lookup_by(s, &s->res, at, name, rcode, rrs, n);
}

/* HOST is an alias of edge.test, which is 192.0.2.10 (the web side). */
static const struct uf_rr resolved[] = {
	{ DNS_T_CNAME, NULL, 300, "edge.test" },
	{ DNS_T_A, "edge.test", 60, "192.0.2.10" },
};

/* Frames 4-5 when it follows ask(). */
static inline void
resolve(struct scene *s)
{
	query(s);
	answer(s, 0, resolved, 2);
}

/* The gateway connects to the web side (SYN, SYN/ACK: frames 6-7 after
 * ask() and resolve()) and asks for "/"; returns the request's frame. */
static inline uint64_t
upstream_get(struct scene *s)
{
	uf_handshake(s->u, &s->out, &s->web);
	return uf_get(s->u, &s->out, &s->web, "/", HOST);
}

/* The gateway's answer to the client; returns its frame. */
static inline uint64_t
gateway_answers(struct scene *s, unsigned status)
{
	return uf_status(s->u, &s->u->srv, &s->u->cli, status);
}

static inline const struct txn *
diagnosed(struct scene *s)
{
	uf_diagnose(s->u);
	assert_int_equal(s->u->dg.ntxns, 1);
	return uf_txn(s->u, 1);
}

static inline void
expect_verdict(const struct txn *t, enum verdict v, enum cause c)
{
	if (t->d.verdict != v || t->d.cause != c)
		fail_msg("transaction %u: %s/%s, expected %s/%s", t->id,
		    verdict_key(t->d.verdict), cause_key(t->d.cause),
		    verdict_key(v), cause_key(c));
}

/* HOST's one address, cached for 300 s. */
static const struct uf_rr addr300[] = {
	{ DNS_T_A, NULL, 300, "192.0.2.10" },
};

/* Another client, addr:port, connects to the proxy (gw: the proxy's end
 * of that connection) and asks for url; returns the request's frame. */
static inline uint64_t
client_asks(struct uf *u, struct uf_side *cli, struct uf_side *gw,
    const char *addr, uint16_t port, const char *url)
{
	uf_side_init(cli, addr, port, 3000);
	*gw = u->srv;
	uf_handshake(u, cli, gw);
	return uf_get(u, cli, gw, url, HOST);
}

/*
 * The gateway's SYNs from s->out to s->web go unanswered: sent now, 1 s
 * and 3 s later (the backoff doubles); the clock then moves on to 7 s,
 * when the retransmission that never came was due and it gave up.
 */
static inline void
syns_given_up(struct scene *s, uint64_t syn[3])
{
	int64_t at = s->u->next_ts_ns;

	syn[0] = uf_syn(s->u, &s->out, &s->web);
	uf_at(s->u, at + 1 * UF_S);
	syn[1] = uf_syn(s->u, &s->out, &s->web);
	uf_at(s->u, at + 3 * UF_S);
	syn[2] = uf_syn(s->u, &s->out, &s->web);
	uf_at(s->u, at + 7 * UF_S);
}

/*
 * Frames 1-5: the client asks, and HOST resolves to two addresses (TTL
 * 300 s), 192.0.2.10 (s->web) and 192.0.2.11 (*web2, which the gateway
 * would reach from port 50001, *out2).
 */
static inline void
ask_two_addresses(struct scene *s, struct uf_side *out2, struct uf_side *web2)
{
	static const struct uf_rr two[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
	};

	uf_side_init(out2, "10.0.0.1", 50001, 8000);
	uf_side_init(web2, "192.0.2.11", 80, 9500);
	ask(s);
	query(s);
	answer(s, 0, two, 2);
}

/*
 * HOST has two addresses (ask_two_addresses): the gateway's SYNs to the
 * first, 192.0.2.10, go unanswered until it gives up (syns_given_up,
 * frames 6-8); it tries the second, 192.0.2.11, from port 50001 at once
 * (9), which resets (10).
 */
static inline void
second_address_refuses(struct scene *s)
{
	struct uf_side out2, web2;
	uint64_t syn[3];

	ask_two_addresses(s, &out2, &web2);
	syns_given_up(s, syn);
	uf_syn(s->u, &out2, &web2);
	uf_rst(s->u, &web2, &out2);
}

/*
 * n clients, 10.0.0.5:40000 and on, connect to the proxy (gw[k]: its end
 * of each connection); out[k] is the gateway's upstream socket for each,
 * ports 50000 and on.
 */
static inline void
clients_connect(struct scene *s, int n, struct uf_side *cli,
    struct uf_side *gw, struct uf_side *out)
{
	char addr[32];

	for (int k = 0; k < n; k++) {
		snprintf(addr, sizeof addr, "10.0.0.%d", 5 + k);
		uf_side_init(&cli[k], addr, (uint16_t)(40000 + k), 3000);
		gw[k] = s->u->srv;
		uf_handshake(s->u, &cli[k], &gw[k]);
		out[k] = s->out;
		out[k].port = (uint16_t)(50000 + k);
	}
}

/* HOST's address cached (frames 1-2), then n clients connect
 * (clients_connect); returns a time 10 ms later, for their requests. */
static inline int64_t
clients_cached(struct scene *s, struct uf *u, int n, struct uf_side *cli,
    struct uf_side *gw, struct uf_side *out)
{
	scene_init(s, u);
	query(s);
	answer(s, 0, addr300, 1);
	clients_connect(s, n, cli, gw, out);
	return u->next_ts_ns + 10 * UF_MS;
}

/* clients_cached, then a pooled upstream connection (from 50002) that
 * served another URL; returns a time 10 ms later, for the requests. */
static inline int64_t
clients_and_pool(struct scene *s, struct uf *u, int n, struct uf_side *cli,
    struct uf_side *gw, struct uf_side *out, struct uf_side *pool)
{
	clients_cached(s, u, n, cli, gw, out);
	*pool = s->out;
	pool->port = 50002;
	uf_handshake(u, pool, &s->web);
	uf_get(u, pool, &s->web, "/other", HOST);
	uf_status(u, &s->web, pool, 200);
	return u->next_ts_ns + 10 * UF_MS;
}

/*
 * Two clients (10.0.0.5, 10.0.0.6) ask for HOST `gap` apart, its address
 * cached (frames 1-2); each gets a SYN series of its own right after its
 * request, from port 50000 and 50001, and the gateway answers the first
 * 502 and the second `status2` 3 s later.
 */
static inline void
close_requests(struct uf *u, int64_t gap, unsigned status2)
{
	struct scene s;
	struct uf_side cli[2], gw[2], out[2];
	int64_t at = clients_cached(&s, u, 2, cli, gw, out);

	for (int k = 0; k < 2; k++) {
		uf_at(u, at + k * gap);
		uf_get(u, &cli[k], &gw[k], URL, HOST);
	}
	for (int k = 0; k < 2; k++) {
		uf_at(u, at + 2 * gap + 100 * 1000LL + k * 100 * 1000LL);
		uf_syn(u, &out[k], &s.web);
	}
	uf_at(u, at + 3 * UF_S);
	uf_status(u, &gw[0], &cli[0], 502);
	uf_status(u, &gw[1], &cli[1], status2);
}

/* A client asks for CONNECT www.test:443 (frames 1-3); the gateway
 * resolves HOST (4-5) and connects to 192.0.2.10:443 (6-7). */
static inline void
tunnel_open(struct scene *s)
{
	struct uf *u = s->u;

	s->web.port = 443;
	uf_handshake(u, &u->cli, &u->srv);
	uf_send(u, &u->cli, &u->srv, "CONNECT www.test:443 HTTP/1.1\r\n"
	    "Host: www.test:443\r\n\r\n");
	resolve(s);
	uf_handshake(u, &s->out, &s->web);
}

/* Request 1 (frames 1-3) is resolved (frames 4-5, TTL 300), relayed on a
 * new upstream connection (6-8) and served (9-10). */
static inline void
served(struct scene *s)
{
	ask(s);
	query(s);
	answer(s, 0, addr300, 1);
	upstream_get(s);
	uf_status(s->u, &s->web, &s->out, 200);
	gateway_answers(s, 200);
}

#define URL_B "http://" HOST "/b"

/*
 * Request 1 is served on a new upstream connection kept alive (frames
 * 1-10); request 2 (for /b, from 10.0.0.6) comes 2 s later and is
 * forwarded on that connection. Returns request 2's frame.
 */
static inline uint64_t
pooled(struct scene *s, struct uf_side *cli2, struct uf_side *gw2)
{
	uint64_t req2;

	served(s);
	uf_at(s->u, s->req_ts + 2 * UF_S);
	req2 = client_asks(s->u, cli2, gw2, "10.0.0.6", 40001, URL_B);
	assert_int_equal(req2, 13);
	return req2;
}

/* The client asks (ask()); the gateway's SYN to the web side is reset
 * and it answers 502. */
static inline void
ask_refused(struct scene *s)
{
	ask(s);
	uf_syn(s->u, &s->out, &s->web);
	uf_rst(s->u, &s->web, &s->out);
	gateway_answers(s, 502);
}

/* ask_refused, diagnosed: cannot-connect/tcp-rst, the address from the
 * gateway's cache. */
static inline const struct txn *
refused_from_cache(struct scene *s)
{
	const struct txn *t;

	ask_refused(s);
	t = diagnosed(s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.dns_link, LINK_CACHE);
	return t;
}

/*
 * Request 1 is served (frames 1-10); 2 s later a second client
 * (10.0.0.6) asks for /b and the gateway's SYNs from port 50001 go
 * unanswered until it answers 502; then `nidle` SYNs of the gateway to
 * idle_host (ports 7000 and on) stay unanswered; at `end` a third client
 * (10.0.0.7) asks for URL and waits.
 */
static inline void
served_then_refused(struct uf *u, int nidle, const char *idle_host,
    int64_t end)
{
	struct scene s;
	struct uf_side cli2, gw2, from, to;
	uint64_t syn[3];

	scene_init(&s, u);
	served(&s);
	uf_at(u, s.req_ts + 2 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL_B);
	s.out.port = 50001;
	syns_given_up(&s, syn);
	uf_status(u, &gw2, &cli2, 502);
	for (int k = 0; k < nidle; k++) {
		uf_side_init(&from, "10.0.0.1", (uint16_t)(51000 + k), 100);
		uf_side_init(&to, idle_host, (uint16_t)(7000 + k), 0);
		uf_syn(u, &from, &to);
	}
	uf_at(u, end);
	client_asks(u, &cli2, &gw2, "10.0.0.7", 40002, URL);
}

#endif
