/*
 * test_diag_reverse.c: a reverse proxy (diag/link.c backend_addr). Its
 * clients ask in origin form ("GET /app" with Host: app.test) and it
 * takes the host's backend from its configuration, with no look-up: a
 * request is linked to the upstream request that carries its path on
 * any backend port, even under another Host (nginx's proxy_pass sends
 * the backend's address), else to the gateway's unclaimed connection
 * begun nearest it and the attempts to that backend after it (HAProxy
 * tries three more times, a second apart), by time; on a pooled
 * connection, by its path alone (nginx's Host: the upstream block's
 * name). A forward proxy's
 * request (absolute form) with no look-up stays unknown: its address is
 * the resolver's, and nothing in the capture says which it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_flow.h"
#include "diag_scene.h"
#include "diag/diag_int.h"
#include "diag/evidence.h"

#define APP "app.test"
#define US 1000LL

/* A POST of /app with an empty body. */
static const char POST_APP[] = "POST /app HTTP/1.1\r\nHost: " APP
    "\r\nContent-Length: 0\r\n\r\n";

/* t's attempts are four, from ports first, first + 1, ... in order. */
static void
expect_four_tries(const struct uf *u, const struct txn *t, int first)
{
	assert_int_equal(t->d.nconns, 4);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(u->fl.conns[t->d.conns[k]].cport,
		    first + (int)k);
}

/* Another client, 10.0.0.6:40001, and the gateway's side of it. */
static void
other_client(const struct uf *u, struct uf_side *cli2, struct uf_side *gw2)
{
	uf_side_init(cli2, "10.0.0.6", 40001, 3000);
	*gw2 = u->srv;
}

/* The client asks for http://app.test/app in origin form, or absolute. */
static void
ask_app(struct scene *s, bool origin)
{
	uf_handshake(s->u, &s->u->cli, &s->u->srv);
	s->req = uf_get(s->u, &s->u->cli, &s->u->srv,
	    origin ? "/app" : "http://" APP "/app", APP);
	s->req_ts = s->u->fl.stats.last_ts;
}

/* Another client connected (cli2 to gw2) and the gateway's pooled
 * connection to 192.0.2.91:8080 (pool to app1) open, the client asks
 * for /app in origin form. */
static void
pooled_then_asked(struct uf *u, struct scene *s, struct uf_side *cli2,
    struct uf_side *gw2, struct uf_side *pool, struct uf_side *app1)
{
	scene_init(s, u);
	other_client(u, cli2, gw2);
	uf_handshake(u, cli2, gw2);
	uf_side_init(pool, "10.0.0.1", 52000, 8000);
	uf_side_init(app1, "192.0.2.91", 8080, 8500);
	uf_handshake(u, pool, app1);
	ask_app(s, true);
}

/*
 * The client asks for app.test/app in origin form and, `after` it,
 * another client (cli2, to gw2) for path on host.
 */
static void
two_requests(struct uf *u, struct scene *s, struct uf_side *cli2,
    struct uf_side *gw2, int64_t after, const char *path, const char *host)
{
	scene_init(s, u);
	other_client(u, cli2, gw2);
	uf_handshake(u, cli2, gw2);
	ask_app(s, true);
	uf_at(u, s->req_ts + after);
	uf_get(u, cli2, gw2, path, host);
}

/* The diagnosis of a scene of two requests: *t1 the first's, *t2 the
 * second's. */
static void
diagnosed_two(struct uf *u, const struct txn **t1, const struct txn **t2)
{
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	*t1 = uf_txn(u, 1);
	*t2 = uf_txn(u, 2);
}

/* Four attempts to the backend 192.0.2.80:8080, each refused by RST, the
 * next 1.02 s after (HAProxy's turn-around of a second, and its timers'
 * lateness); then the gateway answers 503. */
static void
refused_four_times(struct scene *s)
{
	uf_side_init(&s->web, "192.0.2.80", 8080, 9000);
	for (int k = 0; k < 4; k++) {
		s->out.port = (uint16_t)(50000 + k);
		uf_at(s->u, s->req_ts + UF_MS + k * 1021 * UF_MS);
		uf_syn(s->u, &s->out, &s->web);
		uf_rst(s->u, &s->web, &s->out);
	}
	gateway_answers(s, 503);
}

static void
test_backend_refused_retried(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;

	scene_init(&s, u);
	ask_app(&s, true);
	refused_four_times(&s);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, 4);
	assert_int_equal(t->d.conn_link, LINK_TIME);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(u->fl.conns[t->d.conns[k]].cport, 50000 + k);
	assert_int_equal(u->fl.conns[t->d.conns[0]].sport, 8080);

	/* the same through a forward proxy: no look-up, nothing linked */
	u = again(state);
	scene_init(&s, u);
	ask_app(&s, false);
	refused_four_times(&s);
	t = diagnosed(&s);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.nconns, 0);
}

/* nginx's proxy_pass to an address: the upstream request names the
 * backend as its Host; its reply has no status line. */
static void
test_host_rewritten(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	uint64_t up;

	scene_init(&s, u);
	ask_app(&s, true);
	uf_side_init(&s.web, "192.0.2.84", 8080, 9000);
	uf_handshake(u, &s.out, &s.web);
	up = uf_get(u, &s.out, &s.web, "/app", "192.0.2.84:8080");
	uf_send(u, &s.web, &s.out, "<html>no status line</html>");
	uf_fin(u, &s.web, &s.out);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	t = uf_txn(u, 1);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_int_not_equal(t->d.up_req, NONE32);
	assert_int_equal(u->fl.msgs[t->d.up_req].head.number, up);
	assert_int_equal(t->d.conn_link, LINK_REQUEST_LINE);

	/* another path on that connection is another request's */
	u = again(state);
	scene_init(&s, u);
	ask_app(&s, true);
	uf_side_init(&s.web, "192.0.2.84", 8080, 9000);
	uf_handshake(u, &s.out, &s.web);
	uf_get(u, &s.out, &s.web, "/other", "192.0.2.84:8080");
	uf_send(u, &s.web, &s.out, "<html>no status line</html>");
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
}

/*
 * Two requests 40 us apart, for hosts on two backends: the first one's
 * backend drops its SYN, the second's connects and relays a 502. The
 * dropped SYN began nearer the second request than its own connection
 * did; the connection that carried the second's path is its own.
 */
static void
test_concurrent_backends(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, drop, relay, out2;
	const struct txn *t1, *t2;

	two_requests(u, &s, &cli2, &gw2, 40 * US, "/relay", "relay.test");
	uf_side_init(&drop, "192.0.2.82", 8080, 9000);
	uf_side_init(&relay, "192.0.2.87", 8080, 9500);
	uf_side_init(&out2, "10.0.0.1", 50100, 7500);
	uf_at(u, s.req_ts + 50 * US);
	uf_syn(u, &s.out, &drop);
	uf_at(u, s.req_ts + 60 * US);
	uf_handshake(u, &out2, &relay);
	uf_get(u, &out2, &relay, "/relay", "relay.test");
	uf_status(u, &relay, &out2, 502);
	uf_status(u, &gw2, &cli2, 502);
	uf_at(u, s.req_ts + 1050 * UF_MS);
	uf_syn(u, &s.out, &drop);
	uf_at(u, s.req_ts + 2 * UF_S);
	gateway_answers(&s, 504);
	diagnosed_two(u, &t1, &t2);
	expect_verdict(t2, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(u->fl.conns[t2->d.up_conn].sport, 8080);
	expect_verdict(t1, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(t1->d.nconns, 1);
	assert_int_equal(u->fl.conns[t1->d.conns[0]].nsyn, 2);
}

/*
 * Two attempts just after the request: from out2 to 192.0.2.86 (other,
 * no answer yet) `at` after it, and 10 us later the request's own to
 * 192.0.2.81, refused by RST (the next frame).
 */
static void
other_then_refused(struct scene *s, struct uf_side *other,
    struct uf_side *refusing, struct uf_side *out2, int64_t at)
{
	uf_side_init(other, "192.0.2.86", 8080, 9000);
	uf_side_init(refusing, "192.0.2.81", 8080, 9500);
	uf_side_init(out2, "10.0.0.1", 50100, 7500);
	uf_at(s->u, s->req_ts + at);
	uf_syn(s->u, out2, other);
	uf_at(s->u, s->req_ts + at + 10 * US);
	uf_syn(s->u, &s->out, refusing);
	uf_rst(s->u, refusing, &s->out);
}

/*
 * The other way round: the second request's connection (begun first,
 * nearer the first request than its own refused one) carries the second
 * one's path and is answered late; the first request, answered first,
 * does not take it.
 */
static void
test_connected_for_another(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, slow, refusing, out2;
	const struct txn *t1, *t2;

	two_requests(u, &s, &cli2, &gw2, 40 * US, "/slow", "slow.test");
	other_then_refused(&s, &slow, &refusing, &out2, 50 * US);
	uf_synack(u, &slow, &out2);
	uf_ack(u, &out2, &slow);
	uf_get(u, &out2, &slow, "/slow", "slow.test");
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + 2 * UF_S);
	uf_status(u, &gw2, &cli2, 504);
	diagnosed_two(u, &t1, &t2);
	expect_verdict(t1, V_CANNOT_CONNECT, C_TCP_RST);
	expect_verdict(t2, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
}

/*
 * A proxy serving two requests at once starts their connections in its
 * own order: the second request's (to b.test's backend, refused by ICMP)
 * begins before the first's (a.test's, refused by RST), both after both
 * requests; each is tried again a second later and each request is
 * answered at its own backend's last refusal. The refusals before the
 * answers tell them apart, not the order of the connections.
 */
static void
test_batched_refusals(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, a, b, out_a, out_b;
	const struct txn *t1, *t2;

	two_requests(u, &s, &cli2, &gw2, 1 * UF_MS, "/b", "b.test");
	uf_side_init(&a, "192.0.2.81", 8080, 9000);
	uf_side_init(&b, "192.0.2.83", 8080, 9500);
	for (int k = 0; k < 2; k++) {
		uf_side_init(&out_b, "10.0.0.1", (uint16_t)(50100 + k), 7500);
		uf_side_init(&out_a, "10.0.0.1", (uint16_t)(50200 + k), 7600);
		uf_at(u, s.req_ts + 1500 * US + k * 1001 * UF_MS);
		uf_syn(u, &out_b, &b);
		uf_at(u, s.req_ts + 1600 * US + k * 1001 * UF_MS);
		uf_syn(u, &out_a, &a);
		uf_at(u, s.req_ts + 1650 * US + k * 1001 * UF_MS);
		uf_icmp(u, "192.0.2.83", &out_b, &b, 3, 13);
		if (k == 1) {	/* the second request's answer */
			uf_at(u, s.req_ts + 1002660 * US);
			uf_status(u, &gw2, &cli2, 503);
		}
		uf_at(u, s.req_ts + 1700 * US + k * 1001 * UF_MS);
		uf_rst(u, &a, &out_a);
	}
	uf_at(u, s.req_ts + 1002750 * US);
	gateway_answers(&s, 503);
	diagnosed_two(u, &t1, &t2);
	expect_verdict(t1, V_CANNOT_CONNECT, C_TCP_RST);
	expect_verdict(t2, V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
	assert_int_equal(t1->d.nconns, 2);
	assert_int_equal(t2->d.nconns, 2);
}

/* Four clients, 10.0.0.5-8 from ports port.., and the gateway's side of
 * each. */
static void
four_clients(const struct uf *u, struct uf_side c[4], struct uf_side gw[4],
    uint16_t port)
{
	static const char *const ip[4] = { "10.0.0.5", "10.0.0.6",
	    "10.0.0.7", "10.0.0.8" };

	for (int k = 0; k < 4; k++) {
		uf_side_init(&c[k], ip[k], (uint16_t)(port + k),
		    (uint32_t)(1000 * k + 1000));
		gw[k] = u->srv;
	}
}

/* At `at` clients 2 and 3 connect; 2 asks for a.test/a2, 3 `after` it
 * for b.test/b2. Returns when 2 asked. */
static int64_t
ask_a_then_b(struct uf *u, struct uf_side c[4], struct uf_side gw[4],
    int64_t at, int64_t after)
{
	uf_at(u, at);
	uf_handshake(u, &c[2], &gw[2]);
	uf_handshake(u, &c[3], &gw[3]);
	uf_get(u, &c[2], &gw[2], "/a2", "a.test");
	at = u->fl.stats.last_ts;
	uf_at(u, at + after);
	uf_get(u, &c[3], &gw[3], "/b2", "b.test");
	return at;
}

/*
 * One request for a host of the reverse proxy, alone: at `at` a client
 * (cli, to the gateway's gw) asks for path on host; the gateway's
 * connection from port `out` to backend is refused (an RST, else an
 * ICMP administratively prohibited) and the gateway answers 502.
 */
static void
refused_alone(struct uf *u, int64_t at, struct uf_side *cli,
    struct uf_side *gw, const char *path, const char *host,
    struct uf_side *backend, uint16_t out, bool rst)
{
	struct uf_side from;

	uf_side_init(&from, "10.0.0.1", out, 7500);
	uf_at(u, at);
	uf_handshake(u, cli, gw);
	uf_get(u, cli, gw, path, host);
	at = u->fl.stats.last_ts;
	uf_at(u, at + 500 * US);
	uf_syn(u, &from, backend);
	uf_at(u, at + 600 * US);
	if (rst)
		uf_rst(u, backend, &from);
	else
		uf_icmp(u, "192.0.2.83", &from, backend, 3, 13);
	uf_at(u, at + 700 * US);
	uf_status(u, gw, cli, 502);
}

/*
 * Caddy serving two hosts at once: a.test's backend refuses (RST),
 * b.test's is filtered (ICMP administratively prohibited). Asked alone
 * first, each host's connection is its own; then both at once, b.test's
 * connection begins first and its ICMP error comes first, but Go answers
 * the refusal first and the ICMP error 35 ms later. The time says
 * a.test's request met the ICMP error; the backends the hosts were
 * pinned to before say which is whose (backends.c). Read as a.test's,
 * the ICMP error swapped the two diagnoses.
 */
static void
test_batch_pinned_backends(void **state)
{
	struct uf *u = *state;
	struct uf_side c[4], gw[4], a, b, out_a, out_b;
	int64_t at = T0 + 2 * UF_S;

	uf_side_init(&a, "192.0.2.81", 8080, 9000);
	uf_side_init(&b, "192.0.2.83", 8080, 9500);
	four_clients(u, c, gw, 40010);
	refused_alone(u, T0, &c[0], &gw[0], "/a1", "a.test", &a, 50001, true);
	refused_alone(u, T0 + UF_S, &c[1], &gw[1], "/b1", "b.test", &b,
	    50002, false);
	at = ask_a_then_b(u, c, gw, at, 500 * US);
	uf_side_init(&out_b, "10.0.0.1", 50003, 7500);
	uf_side_init(&out_a, "10.0.0.1", 50004, 7600);
	uf_at(u, at + UF_MS);
	uf_syn(u, &out_b, &b);
	uf_at(u, at + 1100 * US);
	uf_syn(u, &out_a, &a);
	uf_at(u, at + 1150 * US);
	uf_icmp(u, "192.0.2.83", &out_b, &b, 3, 13);
	uf_at(u, at + 1200 * US);
	uf_rst(u, &a, &out_a);
	uf_at(u, at + 1300 * US);
	uf_status(u, &gw[2], &c[2], 502);
	uf_at(u, at + 36 * UF_MS);
	uf_status(u, &gw[3], &c[3], 502);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 4);
	for (uint32_t id = 1; id <= 4; id++) {
		const struct txn *t = uf_txn(u, id);

		expect_verdict(t, V_CANNOT_CONNECT, id % 2 ? C_TCP_RST :
		    C_ICMP_UNREACHABLE);
		assert_int_equal(t->d.nconns, 1);
		assert_int_equal(u->fl.conns[t->d.conns[0]].saddr.a[3],
		    id % 2 ? 81 : 83);
	}
}

/*
 * HAProxy, loaded, acts for a request 5 ms late, just as the next
 * request, another host's, comes: its SYN to a.test's server, refused
 * (ICMP administratively prohibited), 0.4 ms before the connection to
 * b.test's that carries that request. Both hosts were pinned before
 * (backends.c): the refusal is a.test's first try (its server, tried
 * again a second later), not a try of b.test's before its own server
 * (the reverse-proxy lab beside other work: admin's /r26 read as
 * syn-unanswered to a health-checked server, nostatus's /r27 with two
 * attempts).
 */
static void
test_late_try_of_another_host(void **state)
{
	struct uf *u = *state;
	struct uf_side c[4], gw[4], a, b, out_a, out_b;
	const struct txn *ta, *tb;
	int64_t at;

	uf_side_init(&a, "192.0.2.83", 8080, 9000);
	uf_side_init(&b, "192.0.2.84", 8080, 9500);
	four_clients(u, c, gw, 40030);
	refused_alone(u, T0, &c[0], &gw[0], "/a1", "a.test", &a, 50001, false);
	uf_side_init(&out_b, "10.0.0.1", 50002, 7600);
	uf_at(u, T0 + UF_S);
	uf_handshake(u, &c[1], &gw[1]);
	uf_get(u, &c[1], &gw[1], "/b1", "b.test");
	at = u->fl.stats.last_ts;
	uf_at(u, at + 500 * US);
	uf_handshake(u, &out_b, &b);		/* 1 ms a frame */
	uf_get(u, &out_b, &b, "/b1", "b.test");
	uf_status(u, &b, &out_b, 200);
	uf_status(u, &gw[1], &c[1], 200);
	uf_fin(u, &out_b, &b);

	at = ask_a_then_b(u, c, gw, T0 + 2 * UF_S, 5 * UF_MS);
	uf_side_init(&out_a, "10.0.0.1", 50010, 7700);
	uf_at(u, at + 5400 * US);
	uf_syn(u, &out_a, &a);
	uf_at(u, at + 5450 * US);
	uf_icmp(u, "192.0.2.83", &out_a, &a, 3, 13);
	uf_side_init(&out_b, "10.0.0.1", 50020, 7800);
	uf_at(u, at + 5550 * US);
	uf_syn(u, &out_b, &b);
	uf_at(u, at + 5600 * US);
	uf_synack(u, &b, &out_b);
	uf_at(u, at + 5700 * US);
	uf_get(u, &out_b, &b, "/b2", "b.test");
	uf_status(u, &b, &out_b, 503);
	uf_status(u, &gw[3], &c[3], 503);
	for (int k = 1; k < 6; k++) {	/* two SYNs a socket */
		uf_side_init(&out_a, "10.0.0.1", (uint16_t)(50010 + k / 2),
		    7700);
		uf_at(u, at + 5400 * US + k * 1016 * UF_MS);
		uf_syn(u, &out_a, &a);
		uf_icmp(u, "192.0.2.83", &out_a, &a, 3, 13);
	}
	uf_at(u, at + 7080 * UF_MS);
	uf_status(u, &gw[2], &c[2], 503);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 4);
	ta = uf_txn(u, 3);
	tb = uf_txn(u, 4);
	assert_int_equal(tb->d.nconns, 1);
	assert_int_equal(u->fl.conns[tb->d.conns[0]].saddr.a[3], 84);
	expect_verdict(ta, V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
	assert_int_equal(ta->d.nconns, 3);
	assert_int_equal(u->fl.conns[ta->d.conns[0]].cport, 50010);
}

/*
 * Caddy with a crowd: two clients ask for one path at once; Go dials a
 * connection for each, and sends each request on whichever comes up
 * first: the first client's on the connection dialled second. The
 * backend closes that one without a byte half a second later, and the
 * gateway answers the first client 502 just after the close. The one
 * dialled first, nearest the first request, closes 2 ms after that
 * answer (the second client's 502 follows), or (`silent`) never: the
 * gateway gives up on it after 60 s and answers the second client 504.
 * Either way the first client's is the connection whose close its answer
 * followed (not "sent nothing back in 0.5 s").
 */
static void
crowd_dialled(struct uf *u, bool silent)
{
	struct uf_side c[2], gw[2], web_x, web_y, out_x, out_y;
	const char *const ip[2] = { "10.0.0.5", "10.0.0.6" };
	int64_t at;

	uf_side_init(&web_x, "192.0.2.85", 8080, 9000);
	web_y = web_x;
	web_y.seq = 9500;
	uf_side_init(&out_x, "10.0.0.1", 50001, 7500);
	uf_side_init(&out_y, "10.0.0.1", 50002, 7600);
	for (int k = 0; k < 2; k++) {
		uf_side_init(&c[k], ip[k], (uint16_t)(40020 + k),
		    (uint32_t)(1000 * k + 1000));
		gw[k] = u->srv;
		uf_handshake(u, &c[k], &gw[k]);
	}
	uf_get(u, &c[0], &gw[0], "/crowd", APP);
	at = u->fl.stats.last_ts;
	uf_at(u, at + 100 * US);
	uf_get(u, &c[1], &gw[1], "/crowd", APP);
	uf_at(u, at + UF_MS);
	uf_handshake(u, &out_x, &web_x);
	uf_at(u, at + 5 * UF_MS);
	uf_handshake(u, &out_y, &web_y);
	uf_at(u, at + 9 * UF_MS);
	uf_get(u, &out_y, &web_y, "/crowd", APP);
	uf_at(u, at + 15 * UF_MS);
	uf_get(u, &out_x, &web_x, "/crowd", APP);
	uf_at(u, at + 500 * UF_MS);
	uf_fin(u, &web_y, &out_y);
	uf_at(u, at + 500 * UF_MS + 200 * US);
	uf_status(u, &gw[0], &c[0], 502);
	if (silent) {
		uf_at(u, at + 60 * UF_S);
		uf_fin(u, &out_x, &web_x);
	} else {
		uf_at(u, at + 502 * UF_MS);
		uf_fin(u, &web_x, &out_x);
	}
	uf_at(u, u->next_ts_ns + 300 * US);
	uf_status(u, &gw[1], &c[1], silent ? 504 : 502);
	uf_diagnose(u);
}

static void
test_crowd_answer_follows_close(void **state)
{
	for (int silent = 0; silent < 2; silent++) {
		struct uf *u = silent ? again(state) : *state;

		crowd_dialled(u, silent);
		assert_int_equal(u->dg.ntxns, 2);
		for (uint32_t id = 1; id <= 2; id++) {
			const struct txn *t = uf_txn(u, id);

			expect_verdict(t, V_BAD_RESPONSE, silent && id == 2 ?
			    C_UPSTREAM_TIMEOUT : C_UPSTREAM_CLOSED);
			assert_int_equal(u->fl.conns[t->d.up_conn].cport,
			    id == 1 ? 50002 : 50001);
		}
	}
}

/* A host's backend is pinned while every connection linked alone to it
 * went there: a second backend (a pool) unpins it; another host in its
 * slot replaces it. */
static void
test_backend_pinning(void **state)
{
	struct uf *u = *state;
	struct gw_addr x, y;

	assert_true(addr_parse("192.0.2.81", &x));
	assert_true(addr_parse("192.0.2.82", &y));
	uf_diag_start(u, NULL);
	assert_false(diag_backend_pinned(&u->dg, 7, &x, 80));
	diag_backend_learn(&u->dg, 7, &x, 80);
	assert_true(diag_backend_pinned(&u->dg, 7, &x, 80));
	assert_false(diag_backend_pinned(&u->dg, 7, &x, 8080));
	assert_false(diag_backend_pinned(&u->dg, 7, &y, 80));
	diag_backend_learn(&u->dg, 7, &x, 80);
	assert_true(diag_backend_pinned(&u->dg, 7, &x, 80));
	diag_backend_learn(&u->dg, 7, &y, 80);
	assert_false(diag_backend_pinned(&u->dg, 7, &x, 80));
	assert_false(diag_backend_pinned(&u->dg, 7, &y, 80));
	diag_backend_learn(&u->dg, 7 + 4096, &y, 80);
	assert_true(diag_backend_pinned(&u->dg, 7 + 4096, &y, 80));
	assert_false(diag_backend_pinned(&u->dg, 7, &y, 80));
}

/*
 * HAProxy answers a request for a host whose backend its health checks
 * marked down at once (503 in 0.1 ms), trying nothing, in the middle of
 * a batch: another request's attempt began and was refused (RST, or an
 * ICMP error after which the kernel sends the SYN again) just before
 * that answer. The refused address was tried again after the answer
 * (HAProxy's retry a second later; the SYN resent) with no request just
 * before to ask for it: the attempt was the other request's, still
 * waiting. The first request read unknown, "without trying an
 * upstream".
 */
static void
test_untried_in_batch(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, dead, out2;
	const struct txn *t1, *t2;
	char summary[512];

	/* 0: retried by RST 1.06 s later; 1: an ICMP error, the SYN resent;
	 * 2: retried at the end of the turn-around allowed, 1.1 s after
	 * the refusal, exactly */
	for (int kind = 0; kind < 3; kind++) {
		bool icmp = kind == 1;

		u = again(state);
		two_requests(u, &s, &cli2, &gw2, 0, "/dead", "dead.test");
		uf_side_init(&dead, "192.0.2.81", 8080, 9000);
		uf_side_init(&out2, "10.0.0.1", 50100, 7500);
		uf_at(u, s.req_ts + 30 * US);
		uf_syn(u, &out2, &dead);
		uf_at(u, s.req_ts + 60 * US);
		if (icmp)
			uf_icmp(u, "192.0.2.81", &out2, &dead, 3, 13);
		else
			uf_rst(u, &dead, &out2);
		uf_at(u, s.req_ts + 100 * US);
		gateway_answers(&s, 503);
		uf_at(u, s.req_ts + (kind == 2 ? 60 * US + DIAG_RETRY_NS :
		    1060 * UF_MS));
		if (!icmp)
			out2.port = 50101;
		uf_syn(u, &out2, &dead);
		if (icmp)
			uf_icmp(u, "192.0.2.81", &out2, &dead, 3, 13);
		else
			uf_rst(u, &dead, &out2);
		uf_status(u, &gw2, &cli2, 503);
		diagnosed_two(u, &t1, &t2);
		expect_verdict(t1, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
		assert_int_equal(t1->d.nconns, 0);
		diag_summary(&u->dg, &u->fl, t1, summary, sizeof summary);
		assert_non_null(strstr(summary, "without trying an upstream"));
		expect_verdict(t2, V_CANNOT_CONNECT,
		    icmp ? C_ICMP_UNREACHABLE : C_TCP_RST);
		assert_int_equal(t2->d.nconns, icmp ? 1 : 2);
	}
}

/*
 * As above (an RST, the address tried again 1.06 s later), with a third
 * client's request just before that new attempt: at DIAG_ASK_NS before
 * it, the new attempt can be that request's first (the first request
 * tried the attempt itself: it is linked); a nanosecond earlier, it
 * cannot (the first request tried nothing).
 */
static void
test_asked_just_before_retry(void **state)
{
	struct uf *u;
	struct scene s;
	struct uf_side cli2, gw2, cli3, gw3, dead, out2;
	const struct txn *t1;

	for (int64_t before = 0; before < 2; before++) {
		u = again(state);
		two_requests(u, &s, &cli2, &gw2, 0, "/dead", "dead.test");
		uf_side_init(&dead, "192.0.2.81", 8080, 9000);
		uf_side_init(&out2, "10.0.0.1", 50100, 7500);
		uf_side_init(&cli3, "10.0.0.7", 40002, 4000);
		gw3 = u->srv;
		uf_at(u, s.req_ts + 30 * US);
		uf_syn(u, &out2, &dead);
		uf_at(u, s.req_ts + 60 * US);
		uf_rst(u, &dead, &out2);
		uf_at(u, s.req_ts + 100 * US);
		gateway_answers(&s, 503);
		uf_at(u, s.req_ts + 500 * UF_MS);
		uf_handshake(u, &cli3, &gw3);
		uf_at(u, s.req_ts + 1060 * UF_MS - DIAG_ASK_NS + 1 - before);
		uf_get(u, &cli3, &gw3, "/third", "third.test");
		uf_at(u, s.req_ts + 1060 * UF_MS);
		out2.port = 50101;
		uf_syn(u, &out2, &dead);
		uf_rst(u, &dead, &out2);
		uf_status(u, &gw2, &cli2, 503);
		uf_diagnose(u);
		t1 = uf_txn(u, 1);
		if (before)
			expect_verdict(t1, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
		else
			expect_verdict(t1, V_CANNOT_CONNECT, C_TCP_RST);
	}
}

/*
 * A batch: the request's backend (192.0.2.81) refuses the attempt begun
 * 40 us after it; another one begun nearer it (192.0.2.86) gets no
 * answer; the gateway answers 1 ms after the refusal. The answer follows the refusal: that backend is the request's,
 * though a nanosecond after the answer the gateway tries it again for a
 * third client asking then (an attempt after the answer is not the last
 * one before it).
 */
static void
test_refused_then_asked_again(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli3, gw3, silent, refusing, out2;
	const struct txn *t;
	int64_t answer;

	scene_init(&s, u);
	uf_side_init(&cli3, "10.0.0.7", 40002, 4000);
	gw3 = u->srv;
	uf_handshake(u, &cli3, &gw3);
	uf_at(u, u->fl.stats.last_ts + UF_S);
	ask_app(&s, true);
	other_then_refused(&s, &silent, &refusing, &out2, 30 * US);
	gateway_answers(&s, 503);
	answer = u->fl.stats.last_ts;
	uf_at(u, answer + 1);
	uf_get(u, &cli3, &gw3, "/third", APP);
	uf_at(u, answer + 1);
	s.out.port = 50001;
	uf_syn(u, &s.out, &refusing);
	uf_diagnose(u);
	t = uf_txn(u, 1);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
}

/*
 * nginx with an upstream block and keepalive, at its default Host (the
 * block's name, "pool_app"): a first request opens the pooled
 * connection and gets a 200; a second one, a second later, goes over it
 * and the backend closes without a byte. Neither the client's host nor
 * a new connection finds it: the path on the pooled connection does.
 */
static void
test_pooled_named_backend(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2;
	const struct txn *t1, *t2;
	uint64_t up;

	scene_init(&s, u);
	ask_app(&s, true);
	uf_side_init(&s.web, "192.0.2.80", 8080, 9000);
	uf_handshake(u, &s.out, &s.web);
	uf_get(u, &s.out, &s.web, "/app", "pool_app");
	uf_status(u, &s.web, &s.out, 200);
	gateway_answers(&s, 200);
	other_client(u, &cli2, &gw2);
	uf_at(u, s.req_ts + UF_S);
	uf_handshake(u, &cli2, &gw2);
	uf_get(u, &cli2, &gw2, "/next", APP);
	up = uf_get(u, &s.out, &s.web, "/next", "pool_app");
	uf_fin(u, &s.web, &s.out);
	uf_status(u, &gw2, &cli2, 502);
	diagnosed_two(u, &t1, &t2);
	expect_verdict(t1, V_OK, C_NONE);
	expect_verdict(t2, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	assert_int_not_equal(t2->d.up_req, NONE32);
	assert_int_equal(u->fl.msgs[t2->d.up_req].head.number, up);
}

/*
 * nginx, two requests in one batch: it connects for both (a's backend
 * refuses by RST, then b's by ICMP, 50 us apart) and answers a, then b,
 * in the order the refusals came; b's refusal is the nearer to a's
 * answer. The one refused first is the first answered's, also when it
 * began last (`a_late`: a's backend refuses 15 us after b's ICMP; the
 * first answer is b's, though a's attempt began nearer the request).
 */
static void
refusals(struct uf *u, bool a_late, const struct txn **t1,
    const struct txn **t2)
{
	struct scene s;
	struct uf_side cli2, gw2, a, b, out_a, out_b;

	two_requests(u, &s, &cli2, &gw2, 700 * US, "/b", "b.test");
	uf_side_init(&a, "192.0.2.81", 80, 9000);
	uf_side_init(&b, "192.0.2.83", 8080, 9500);
	uf_side_init(&out_a, "10.0.0.1", 50100, 7500);
	uf_side_init(&out_b, "10.0.0.1", 50200, 7600);
	uf_at(u, s.req_ts + 3900 * US);
	uf_syn(u, &out_a, &a);
	if (!a_late) {
		uf_at(u, s.req_ts + 3920 * US);
		uf_rst(u, &a, &out_a);
	}
	uf_at(u, s.req_ts + 3960 * US);
	uf_syn(u, &out_b, &b);
	uf_at(u, s.req_ts + 3975 * US);
	uf_icmp(u, "192.0.2.83", &out_b, &b, 3, 13);
	if (a_late) {
		uf_at(u, s.req_ts + 3990 * US);
		uf_rst(u, &a, &out_a);
	}
	uf_at(u, s.req_ts + 4020 * US);
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + 4110 * US);
	uf_status(u, &gw2, &cli2, 502);
	diagnosed_two(u, t1, t2);
}

static void
test_refusals_in_order(void **state)
{
	const struct txn *t1, *t2;

	refusals(*state, false, &t1, &t2);
	expect_verdict(t1, V_CANNOT_CONNECT, C_TCP_RST);
	expect_verdict(t2, V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
	refusals(again(state), true, &t1, &t2);
	expect_verdict(t1, V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
	expect_verdict(t2, V_CANNOT_CONNECT, C_TCP_RST);
}

/* How the first try of test_next_upstream ends, and when the next
 * one begins. */
enum try_end {
	END_CLOSE,		/* the server closes without a byte */
	END_TIMEOUT,		/* silence; the gateway closes at its timeout */
	END_RST,		/* the server resets the connection */
	END_JUNK,		/* a reply without a status line */
	END_RACE,		/* the server's close crosses the request */
	END_AT_ONCE,		/* closed; the next try begins that instant */
	END_LAST_MOMENT,	/* closed; the next try DIAG_UNTRIED_NS after */
	END_BOTH,		/* both sides close at the same instant */
	END_COUNT
};

/*
 * One request, in origin form, tried first on a pooled connection to
 * 192.0.2.91, which fails (how: `end`), then at once on a new connection
 * to 192.0.2.92, which closes too; the gateway answers 502. Another
 * client asked for the same path 50 us after it (answered 502 after
 * it, and never forwarded). The frame of the second try's request.
 */
static uint64_t
next_upstream_scene(struct uf *u, struct scene *s, enum try_end end)
{
	struct uf_side first, next, out2, cli2, gw2;
	int64_t gap = end == END_AT_ONCE ? 0 : end == END_LAST_MOMENT ?
	    DIAG_UNTRIED_NS : 100 * US;
	uint64_t up;

	scene_init(s, u);
	uf_side_init(&first, "192.0.2.91", 8080, 9000);
	uf_side_init(&next, "192.0.2.92", 8080, 9500);
	uf_side_init(&out2, "10.0.0.1", 50100, 7500);
	other_client(u, &cli2, &gw2);
	uf_handshake(u, &s->out, &first);	/* the pool's */
	uf_get(u, &s->out, &first, "/older", APP);
	uf_status(u, &first, &s->out, 200);
	uf_handshake(u, &cli2, &gw2);
	uf_at(u, u->fl.stats.last_ts + UF_S);
	ask_app(s, true);
	uf_at(u, s->req_ts + 50 * US);
	uf_get(u, &cli2, &gw2, "/app", APP);
	uf_at(u, s->req_ts + 100 * US);
	uf_get(u, &s->out, &first, "/app", APP);
	uf_at(u, u->fl.stats.last_ts + (end == END_RACE ? 0 :
	    end == END_TIMEOUT ? 2 * UF_S : 2 * UF_MS));
	if (end == END_BOTH) {	/* the server's close counts */
		uf_fin(u, &s->out, &first);
		uf_at(u, u->fl.stats.last_ts);
		uf_fin(u, &first, &s->out);
	} else if (end == END_TIMEOUT)
		uf_fin(u, &s->out, &first);
	else if (end == END_RST)
		uf_rst(u, &first, &s->out);
	else if (end == END_JUNK)
		uf_send(u, &first, &s->out, "<html>no status line</html>");
	else
		uf_fin(u, &first, &s->out);
	uf_at(u, u->fl.stats.last_ts + gap);
	uf_handshake(u, &out2, &next);
	up = uf_get(u, &out2, &next, "/app", APP);
	uf_fin(u, &next, &out2);
	gateway_answers(s, 502);
	uf_status(u, &gw2, &cli2, 502);
	return up;
}

/* How test_next_upstream's first try failed, as the diagnosis keeps it. */
static const uint8_t first_try_cause[END_COUNT] = {
	[END_CLOSE] = C_UPSTREAM_CLOSED, [END_TIMEOUT] = C_UPSTREAM_TIMEOUT,
	[END_RST] = C_UPSTREAM_CLOSED, [END_JUNK] = C_HTTP_INVALID,
	[END_RACE] = C_UPSTREAM_CLOSED, [END_AT_ONCE] = C_UPSTREAM_CLOSED,
	[END_LAST_MOMENT] = C_UPSTREAM_CLOSED, [END_BOTH] = C_UPSTREAM_CLOSED,
};
static const char *const first_try_said[END_COUNT] = {
	[END_CLOSE] = "closed without a reply",
	[END_TIMEOUT] = "silent until the gateway gave up",
	[END_RST] = "closed without a reply", [END_JUNK] = "no valid reply",
	[END_RACE] = "closed without a reply",
	[END_AT_ONCE] = "closed without a reply",
	[END_LAST_MOMENT] = "closed without a reply",
	[END_BOTH] = "closed without a reply",
};

/*
 * The first try of test_next_upstream in t's evidence: its request and
 * reply rows before the last try's, its connection among the attempts
 * (before the last), and the summary naming it and how it failed.
 */
static void
expect_first_try(struct uf *u, const struct txn *t, enum try_end end)
{
	struct evidence pane = { 0 };
	const struct evidence_row *r;
	char sum[512], want[200];

	assert_int_equal(t->d.ntries, 1);
	assert_string_equal(flow_str(&u->fl,
	    u->fl.msgs[t->d.tries[0]].target), "/app");
	assert_int_equal(u->fl.conns[u->fl.msgs[t->d.tries[0]].conn].saddr.a[3],
	    91);
	assert_int_equal(t->d.try_cause[0], first_try_cause[end]);
	assert_true(t->d.nconns >= 2);
	assert_int_equal(t->d.conns[t->d.nconns - 2],
	    u->fl.msgs[t->d.tries[0]].conn);
	snprintf(want, sizeof want, "192.0.2.92:8080 closed the connection "
	    "without sending a byte; before, the gateway tried "
	    "192.0.2.91:8080 (%s)", first_try_said[end]);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), want);
	uf_summary_cuts(u, t);
	assert_int_equal(evidence_build(&pane, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	r = evidence_find(&pane, EK_UP_REQUEST, 0);
	assert_non_null(r);
	assert_int_equal(r->ref, t->d.tries[0]);
	r = evidence_find(&pane, EK_UP_REPLY, 0);
	assert_non_null(r);
	assert_true(r->bad);
	assert_int_equal(r->frame != 0, end == END_JUNK);
	r = evidence_find(&pane, EK_UP_REQUEST, 1);
	assert_non_null(r);
	assert_int_equal(r->ref, t->d.up_req);
	evidence_free(&pane);
}

/*
 * nginx with an upstream group (proxy_next_upstream error timeout, its
 * default): the request goes on a pooled connection to the first server,
 * which fails; nginx sends it at once to the next one, on a new
 * connection, which closes too; then it answers 502. The answer follows
 * the last try: that server is named, and the first try is shown before
 * it with how it failed. (A success after a failed try is linked by the
 * reply it relayed.) The first try is claimed: the other request for the
 * path, begun just after, does not take it as its own; answered the same
 * 502 at once with nothing sent upstream for it, it shares the fetch's
 * evidence (what a cache's coalesced request, or nginx's "no live
 * upstreams" after these failures, looks like), marked shared.
 */
static void
test_next_upstream(void **state)
{
	struct uf *u;
	struct scene s;
	const struct txn *t, *t2;
	uint64_t up;

	for (int end = 0; end < END_COUNT; end++) {
		u = again(state);
		up = next_upstream_scene(u, &s, (enum try_end)end);
		diagnosed_two(u, &t, &t2);
		expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
		assert_int_equal(u->fl.msgs[t->d.up_req].head.number, up);
		assert_int_equal(u->fl.conns[t->d.up_conn].saddr.a[3], 92);
		/* the connection the report names (connect.server) */
		assert_int_equal(t->d.conns[t->d.nconns - 1], t->d.up_conn);
		expect_first_try(u, t, (enum try_end)end);
		assert_false(t->d.shared);
		expect_verdict(t2, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
		assert_true(t2->d.shared);
		assert_int_equal(t2->d.up_req, t->d.up_req);
	}
}

/*
 * The first try on a new connection to 192.0.2.91, which closes; the
 * next on a pooled one to 192.0.2.92, opened a second before for another
 * request. The attempts are listed in the order they began (the SYNs'
 * offsets count up from the first), the pooled one first though the
 * request went there last; the first try's exchange is shown all the
 * same.
 */
static void
test_next_try_on_older_connection(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side first, next, out2;
	struct evidence pane = { 0 };
	const struct evidence_row *r;
	const struct txn *t;

	scene_init(&s, u);
	uf_side_init(&first, "192.0.2.91", 8080, 9000);
	uf_side_init(&next, "192.0.2.92", 8080, 9500);
	uf_side_init(&out2, "10.0.0.1", 50100, 7500);
	uf_handshake(u, &out2, &next);	/* the pool's, to the next server */
	uf_get(u, &out2, &next, "/older", APP);
	uf_status(u, &next, &out2, 200);
	uf_at(u, u->fl.stats.last_ts + UF_S);
	ask_app(&s, true);
	uf_handshake(u, &s.out, &first);
	uf_get(u, &s.out, &first, "/app", APP);
	uf_fin(u, &first, &s.out);
	uf_get(u, &out2, &next, "/app", APP);
	uf_fin(u, &next, &out2);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	assert_int_equal(u->fl.conns[t->d.up_conn].saddr.a[3], 92);
	assert_int_equal(t->d.ntries, 1);
	assert_int_equal(t->d.nconns, 2);
	assert_int_equal(t->d.conns[0], t->d.up_conn);
	assert_int_equal(t->d.conns[1], u->fl.msgs[t->d.tries[0]].conn);
	assert_int_equal(evidence_build(&pane, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	r = evidence_find(&pane, EK_SYN, 1);
	assert_non_null(r);
	assert_true(r->offset_ns > 0);
	r = evidence_find(&pane, EK_UP_REQUEST, 0);
	assert_non_null(r);
	assert_int_equal(r->ref, t->d.tries[0]);
	evidence_free(&pane);
}

/* A try of the request's path on a new connection to addr:8080 (its
 * gateway port `port`), ended by `end` after `after` (END_CLOSE: the
 * server closes; END_JUNK: a reply without a status line; END_TIMEOUT:
 * silence until the gateway closes). */
static void
try_path(struct uf *u, const char *addr, uint16_t port, enum try_end end,
    int64_t after)
{
	struct uf_side out, backend;

	uf_side_init(&out, "10.0.0.1", port, 7000);
	uf_side_init(&backend, addr, 8080, 9000);
	uf_handshake(u, &out, &backend);
	uf_get(u, &out, &backend, "/app", APP);
	uf_at(u, u->fl.stats.last_ts + after);
	if (end == END_JUNK)
		uf_send(u, &backend, &out, "<html>no status line</html>");
	else if (end == END_TIMEOUT)
		uf_fin(u, &out, &backend);
	else
		uf_fin(u, &backend, &out);
}

/* One try of tried(): where, how it ends, after how long. */
struct try_plan {
	const char *addr;
	enum try_end end;
	int64_t after;
};

/* The client's request, its n tries (the first `late` after it, each on
 * a new connection), the gateway's answer `status`; the transaction. */
static const struct txn *
tried(struct uf *u, struct scene *s, int64_t late,
    const struct try_plan *plan, size_t n, unsigned status)
{
	scene_init(s, u);
	ask_app(s, true);
	uf_at(u, u->fl.stats.last_ts + late);
	for (size_t k = 0; k < n; k++)
		try_path(u, plan[k].addr, (uint16_t)(50001 + k), plan[k].end,
		    plan[k].after);
	gateway_answers(s, status);
	return diagnosed(s);
}

/*
 * nginx with a group of three: the first server closes, the second
 * replies junk, the third closes; both earlier tries are named, in
 * order, with how each failed.
 */
static void
test_two_earlier_tries(void **state)
{
	static const struct try_plan plan[] = {
		{ "192.0.2.91", END_CLOSE, UF_MS },
		{ "192.0.2.92", END_JUNK, UF_MS },
		{ "192.0.2.93", END_CLOSE, UF_MS },
	};
	struct uf *u = *state;
	struct scene s;
	const struct txn *t = tried(u, &s, UF_MS, plan, 3, 502);
	char sum[512];

	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	assert_int_equal(t->d.ntries, 2);
	assert_int_equal(t->d.try_cause[0], C_UPSTREAM_CLOSED);
	assert_int_equal(t->d.try_cause[1], C_HTTP_INVALID);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "192.0.2.93:8080 "
	    "closed the connection without sending a byte; before, the "
	    "gateway tried 192.0.2.91:8080 (closed without a reply) and "
	    "192.0.2.92:8080 (no valid reply)");
	uf_summary_cuts(u, t);
}

/*
 * nginx's read timeout (2 s) on each of two servers: the last try's
 * silence is its own 2 s, not the request's 4 s. Without an earlier
 * try, a request forwarded a tenth of a second late is silent for the
 * request's whole time (what the client waited).
 */
static void
test_last_try_silent(void **state)
{
	static const struct try_plan plan[] = {
		{ "192.0.2.91", END_TIMEOUT, 2 * UF_S },
		{ "192.0.2.92", END_TIMEOUT, 2 * UF_S },
	};
	struct uf *u = *state;
	struct scene s;
	const struct txn *t = tried(u, &s, UF_MS, plan, 2, 504);
	char sum[512];

	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "192.0.2.92:8080 "
	    "accepted the request but sent nothing back in 2.0 s; before, the "
	    "gateway tried 192.0.2.91:8080 (silent until the gateway gave "
	    "up)");

	u = again(state);
	t = tried(u, &s, 90 * UF_MS, plan + 1, 1, 504);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_equal(t->d.ntries, 0);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "192.0.2.92:8080 "
	    "accepted the request but sent nothing back in 2.1 s");
}

/*
 * Not a next try: another client's request for the path begun later
 * than DIAG_UNTRIED_NS after the failure; or one the gateway sent at
 * the very instant it answered, within that time.
 */
static void
test_not_a_next_try(void **state)
{
	struct uf *u;
	struct scene s;
	struct uf_side first, next, out2;
	const struct txn *t;
	uint64_t up;

	for (int at_answer = 0; at_answer < 2; at_answer++) {
		u = again(state);
		scene_init(&s, u);
		uf_side_init(&first, "192.0.2.91", 8080, 9000);
		uf_side_init(&next, "192.0.2.92", 8080, 9500);
		uf_side_init(&out2, "10.0.0.1", 50100, 7500);
		if (at_answer) {	/* a pooled connection to the next */
			uf_handshake(u, &out2, &next);
			uf_get(u, &out2, &next, "/older", APP);
			uf_status(u, &next, &out2, 200);
		}
		uf_at(u, u->fl.stats.last_ts + UF_S);
		ask_app(&s, true);
		uf_handshake(u, &s.out, &first);
		up = uf_get(u, &s.out, &first, "/app", APP);
		uf_fin(u, &first, &s.out);
		if (at_answer) {
			gateway_answers(&s, 502);
			uf_at(u, u->fl.stats.last_ts);
		} else {
			uf_at(u, u->fl.stats.last_ts + DIAG_UNTRIED_NS + 1);
			uf_handshake(u, &out2, &next);
		}
		uf_get(u, &out2, &next, "/app", APP);
		uf_fin(u, &next, &out2);
		if (!at_answer)
			gateway_answers(&s, 502);
		t = diagnosed(&s);
		expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
		assert_int_equal(u->fl.msgs[t->d.up_req].head.number, up);
	}
}

/*
 * Two requests 17 us apart through HAProxy: the first's path goes at
 * once on a pooled connection, whose server is silent until HAProxy's
 * timeout (504); the second's backend drops its SYNs, the first of
 * them sent before the first request's pooled send. An attempt linked
 * by time alone yields to the request that carried the path.
 */
static void
test_carrier_beats_time(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, pool, drop, out2;
	const struct txn *t1, *t2;
	uint64_t up;

	scene_init(&s, u);
	uf_side_init(&pool, "192.0.2.91", 8080, 9000);
	uf_side_init(&drop, "192.0.2.94", 8080, 9500);
	uf_side_init(&out2, "10.0.0.1", 50100, 7500);
	other_client(u, &cli2, &gw2);
	uf_handshake(u, &s.out, &pool);
	uf_get(u, &s.out, &pool, "/older", APP);
	uf_status(u, &pool, &s.out, 200);
	uf_handshake(u, &cli2, &gw2);
	uf_at(u, u->fl.stats.last_ts + UF_S);
	ask_app(&s, true);
	uf_at(u, s.req_ts + 17 * US);
	uf_get(u, &cli2, &gw2, "/two", APP);
	uf_at(u, s.req_ts + 70 * US);
	uf_syn(u, &out2, &drop);
	uf_at(u, s.req_ts + 104 * US);
	up = uf_get(u, &s.out, &pool, "/app", APP);
	for (int k = 1; k < 4; k++) {
		out2.port = (uint16_t)(50100 + k);
		uf_at(u, s.req_ts + 70 * US + k * 500 * UF_MS);
		uf_syn(u, &out2, &drop);
	}
	uf_at(u, s.req_ts + 2 * UF_S);
	gateway_answers(&s, 504);
	uf_at(u, s.req_ts + 2003 * UF_MS);
	uf_status(u, &gw2, &cli2, 503);
	diagnosed_two(u, &t1, &t2);
	expect_verdict(t1, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_equal(u->fl.msgs[t1->d.up_req].head.number, up);
	expect_verdict(t2, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(u->fl.conns[t2->d.conns[0]].saddr.a[3], 94);
}

/*
 * HAProxy retries every half second (its turn-around, the connect
 * timeout of 500 ms). The request's backend drops its SYNs, its first
 * sent at once; another request's backend refuses its attempts, begun
 * 482 ms after, the last of them 20 ms before this request's answer. Only an
 * attempt begun at once can be the request's first: the refusal of a
 * later one is another request's.
 */
static void
test_refusal_of_a_later_attempt(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side drop, refusing, out2;
	const struct txn *t;

	scene_init(&s, u);
	ask_app(&s, true);
	uf_side_init(&drop, "192.0.2.94", 8080, 9000);
	uf_side_init(&refusing, "192.0.2.93", 8080, 9500);
	uf_side_init(&out2, "10.0.0.1", 50200, 7500);
	for (int k = 0; k < 4; k++) {
		s.out.port = (uint16_t)(50000 + k);
		uf_at(u, s.req_ts + 37 * US + k * 500 * UF_MS);
		uf_syn(u, &s.out, &drop);
		/* the other request's attempts, 482 ms later each */
		out2.port = (uint16_t)(50200 + k);
		uf_at(u, s.req_ts + 482 * UF_MS + k * 500 * UF_MS);
		uf_syn(u, &out2, &refusing);
		uf_rst(u, &refusing, &out2);
	}
	uf_at(u, s.req_ts + 2002 * UF_MS);
	gateway_answers(&s, 503);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(u->fl.conns[t->d.conns[0]].saddr.a[3], 94);
}

/* HAProxy's four tries of the request to silent `drop`, each on a new
 * socket (ports 50000-50003): `first` after the request, then every
 * `turn`. */
static void
four_silent_tries(struct scene *s, const struct uf_side *drop, int64_t first,
    int64_t turn)
{
	for (int k = 0; k < 4; k++) {
		s->out.port = (uint16_t)(50000 + k);
		uf_at(s->u, s->req_ts + first + k * turn);
		uf_syn(s->u, &s->out, drop);
	}
}

/*
 * HAProxy gives up on a silent server after four tries half a second
 * apart, each on a new socket, the first 61 us after the request, and
 * closes the client's connection without a reply; another client's
 * request for the host came 1.5 s in, tried at once on the same server,
 * and its next try begins 0.2 ms after the close, 499.4 ms after its
 * first (HAProxy's timer against the capture's clock). That one is the
 * later request's retry, not a sign that the first try belonged to a
 * request still waiting: the first request's tries are its own. Had
 * that first try come 100 ms after the later request, not at once for
 * it, the try after the close would be no retry of it: the first
 * request's first try would be a request's still waiting, as in
 * test_untried_in_batch.
 */
static void
test_tried_after_for_a_later_request(void **state)
{
	struct uf *u;
	struct scene s;
	struct uf_side cli2, gw2, drop, out2;
	const struct txn *t1, *t2;

	/* 0: the later request's first try at once; 1: 100 ms after it */
	for (int late = 0; late < 2; late++) {
		u = again(state);
		scene_init(&s, u);
		other_client(u, &cli2, &gw2);
		uf_handshake(u, &cli2, &gw2);
		ask_app(&s, true);
		uf_side_init(&drop, "192.0.2.94", 8080, 9000);
		uf_side_init(&out2, "10.0.0.1", 50100, 7500);
		four_silent_tries(&s, &drop, 61 * US, 501 * UF_MS);
		uf_at(u, s.req_ts + (late ? 1406 : 1506) * UF_MS);
		uf_get(u, &cli2, &gw2, "/app", APP);
		uf_at(u, s.req_ts + 1506 * UF_MS + 220 * US);
		uf_syn(u, &out2, &drop);
		uf_at(u, s.req_ts + 2004 * UF_MS + 400 * US);
		uf_fin(u, &u->srv, &u->cli);
		uf_at(u, s.req_ts + 2005 * UF_MS + 400 * US);
		uf_fin(u, &u->cli, &u->srv);
		out2.port = 50101;
		uf_at(u, s.req_ts + 2005 * UF_MS + 620 * US);
		uf_syn(u, &out2, &drop);
		diagnosed_two(u, &t1, &t2);
		if (late) {
			expect_verdict(t1, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
			continue;
		}
		expect_verdict(t1, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
		assert_int_equal(t1->d.nconns, 4);
		assert_int_equal(u->fl.conns[t1->d.conns[0]].cport, 50000);
		assert_int_equal(u->fl.conns[t1->d.conns[3]].cport, 50003);
		assert_int_equal(u->fl.conns[t2->d.conns[0]].cport, 50100);
	}
}

/* n clients (10.0.0.11 on) connected to the proxy, and the gateway's
 * pooled connection to backend addr:8080. */
static void
proxy_clients_pooled(struct uf *u, struct uf_side *cli, struct uf_side *gw,
    int n, struct uf_side *pool, struct uf_side *backend, const char *addr)
{
	for (int c = 0; c < n; c++) {
		char caddr[32];

		snprintf(caddr, sizeof caddr, "10.0.0.%d", 11 + c);
		uf_side_init(&cli[c], caddr, (uint16_t)(41001 + c), 3000);
		gw[c] = u->srv;
		uf_handshake(u, &cli[c], &gw[c]);
	}
	uf_side_init(pool, "10.0.0.1", 52000, 8000);
	uf_side_init(backend, addr, 8080, 8500);
	uf_handshake(u, pool, backend);
}

/*
 * A busy HAProxy (the reverse-proxy lab's busy round): clients A, B and C
 * ask 75 and 65 ms apart for paths whose server drops SYNs; HAProxy tries
 * each at once and then every half second, on new sockets, four times,
 * and gives up: it closes A's and B's connections without a reply and
 * answers C 503 (C settles first). Meanwhile client D's requests for the
 * host go at once on a pooled connection to another server, one 5 ms
 * before A's second try, one 0.3 ms before B's. Each request's four
 * tries are its own, in order; none takes another's. And so when the
 * server refuses (`refusing`): HAProxy tries again a turn-around after
 * each refusal (min(timeout connect, 1 s), half a second here), other
 * requests' first tries in between, and answers each 503 at its fourth
 * refusal (the lab's recordings: one try of four linked, another
 * request's, before the turn-around was chained).
 *
 * And loaded (a CI's recording, 4 of 7 such requests right before): A
 * and C ask first and are tried 2.9 and 3.2 ms after they asked, so
 * nothing asked within the clock's skew before those SYNs (still the
 * requests' first tries: nothing else was asked for or acted on since);
 * A's third SYN leaves 4.4 ms late and its fourth 496.3 ms after it
 * (HAProxy's timer ran from the third's connect()); B is tried first
 * 495.2 ms after C was, just before C's second try; D's requests go on
 * the pooled connection 3.8 ms after they came, 14, 12 and 13 ms before
 * a try of A's, C's and B's, and the second waits 0.7 s for its answer.
 * Thinned: no third D request, nobody asks in the 20 ms before B's
 * fourth try, which comes after A's client gave up; A's first try,
 * the first thing the gateway did after A asked, stays A's (B's fourth
 * try is B's first one's retry, three tries on).
 */
enum busy_ev { BUSY_ASK, BUSY_TRY, BUSY_END, BUSY_D };

struct busy_event {
	int64_t at;
	enum busy_ev kind;
	int who, k;
};

/* When things happen, in microseconds: A, B and C ask, are first tried
 * `act` later, then `gap` after each try; D asks, its request is sent
 * on the pooled connection `d_sent` later and answered at once, but
 * request `d_slow` D_SLOW_WAIT later. */
struct busy_plan {
	int64_t ask[3], act[3], gap[3][3];
	int64_t d_at[4], d_sent;
	int nd, d_slow;
};

#define D_SLOW_WAIT 700000

static const struct busy_plan busy_plain = {
	{ 10000, 85000, 150000 }, { 100, 120, 90 },
	{ { 501300, 501300, 501300 }, { 501100, 501100, 501100 },
	{ 501500, 501500, 501500 } },
	{ 506000, 585900, 1100000, 1700000 }, 80, 4, -1
};

/* A's, B's and C's asks and tries when HAProxy runs late */
#define BUSY_LATE_TRIES \
	{ 10000, 584000, 85700 }, { 2850, 70, 3200 }, \
	{ { 501300, 505700, 496300 }, { 501300, 501000, 505000 }, \
	{ 501600, 501900, 501400 } }

static const struct busy_plan busy_loaded = {
	BUSY_LATE_TRIES, { 500150, 1080000, 2078370 }, 3800, 3, 1
};

/* the same, the busy round thinning out: no request in the 20 ms before
 * B's fourth try, after A's client gave up */
static const struct busy_plan busy_thinned = {
	BUSY_LATE_TRIES, { 500150, 1080000 }, 3800, 2, 1
};

static int
busy_event_cmp(const void *a, const void *b)
{
	const struct busy_event *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

static size_t
busy_events(const struct busy_plan *pl, bool refusing, struct busy_event *ev)
{
	size_t n = 0;

	for (int c = 0; c < 3; c++) {
		int64_t at = pl->ask[c] + pl->act[c];

		ev[n++] = (struct busy_event){ pl->ask[c], BUSY_ASK, c, 0 };
		for (int k = 0; k < 4; k++) {
			ev[n++] = (struct busy_event){ at, BUSY_TRY, c, k };
			if (k < 3)
				at += pl->gap[c][k];
		}
		ev[n++] = (struct busy_event){ at + (refusing ? 300 :
		    500800), BUSY_END, c, 0 };
	}
	for (int k = 0; k < pl->nd; k++)
		ev[n++] = (struct busy_event){ pl->d_at[k], BUSY_D, 3, k };
	qsort(ev, n, sizeof *ev, busy_event_cmp);
	return n;
}

/* D's request k: sent on the pooled connection, answered 200 */
static void
busy_d(struct uf *u, const struct busy_plan *pl, struct uf_side *cli,
    struct uf_side *gw, struct uf_side *pool, struct uf_side *app1, int k)
{
	int64_t at = pl->d_at[k], sent = at + pl->d_sent;
	int64_t back = sent + (k == pl->d_slow ? D_SLOW_WAIT : 220);
	char d_path[16];

	snprintf(d_path, sizeof d_path, "/d%d", k);
	uf_at(u, UF_MS + at * US);
	uf_get(u, cli, gw, d_path, APP);
	uf_at(u, UF_MS + sent * US);
	uf_get(u, pool, app1, d_path, APP);
	uf_at(u, UF_MS + back * US);
	uf_status(u, app1, pool, 200);
	uf_at(u, UF_MS + (back + 50) * US);
	uf_status(u, gw, cli, 200);
}

static void
busy_retries(struct uf *u, const struct busy_plan *pl, bool refusing)
{
	struct uf_side cli[4], gw[4], out, silent, pool, app1;
	struct busy_event ev[3 * 6 + 4];
	const char *path[3] = { "/a", "/b", "/c" };
	size_t n = busy_events(pl, refusing, ev);

	proxy_clients_pooled(u, cli, gw, 4, &pool, &app1, "192.0.2.91");
	uf_side_init(&silent, "192.0.2.94", 8080, 9000);
	for (size_t e = 0; e < n; e++) {
		int c = ev[e].who;

		uf_at(u, UF_MS + ev[e].at * US);
		switch (ev[e].kind) {
		case BUSY_ASK:
			uf_get(u, &cli[c], &gw[c], path[c], APP);
			break;
		case BUSY_TRY:
			uf_side_init(&out, "10.0.0.1",
			    (uint16_t)(50100 + 100 * c + ev[e].k), 7000);
			uf_syn(u, &out, &silent);
			if (refusing) {
				uf_at(u, UF_MS + (ev[e].at + 40) * US);
				uf_rst(u, &silent, &out);
			}
			break;
		case BUSY_END:
			if (c == 2 || refusing) {
				uf_status(u, &gw[c], &cli[c], 503);
				break;
			}
			uf_fin(u, &gw[c], &cli[c]);
			uf_at(u, UF_MS + (ev[e].at + 200) * US);
			uf_fin(u, &cli[c], &gw[c]);
			break;
		case BUSY_D:
			busy_d(u, pl, &cli[3], &gw[3], &pool, &app1, ev[e].k);
			break;
		}
	}
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 3 + pl->nd);
	for (uint32_t id = 1; id <= u->dg.ntxns; id++) {
		const struct txn *t = uf_txn(u, id);
		const char *url = flow_str(&u->fl, t->url);
		const char *last = strrchr(url, '/');
		int c = strcmp(last, "/a") == 0 ? 0 : strcmp(last, "/b") == 0 ?
		    1 : strcmp(last, "/c") == 0 ? 2 : 3;

		if (c == 3) {
			expect_verdict(t, V_OK, C_NONE);
			continue;
		}
		expect_verdict(t, V_CANNOT_CONNECT, refusing ? C_TCP_RST :
		    C_SYN_UNANSWERED);
		expect_four_tries(u, t, 50100 + 100 * c);
	}
}

static void
test_busy_retries_interleaved(void **state)
{
	busy_retries(*state, &busy_plain, false);
	busy_retries(again(state), &busy_plain, true);
	busy_retries(again(state), &busy_loaded, false);
	busy_retries(again(state), &busy_thinned, false);
}

/*
 * HAProxy's second try of a request to silent 192.0.2.94 begins 501 ms
 * after its first; 0.4 ms before it another client's request went on a
 * pooled connection, whose server resets it just as that SYN leaves: the
 * SYN may be the other request's next try (nginx tries the next server
 * at once), so it is no retry of the first request's; reset a
 * nanosecond later, the pooled try still stood when the SYN left, and
 * the SYN is the first request's. The same when the server closes the
 * pooled connection with a FIN (a keep-alive timeout racing the
 * request), the gateway's own FIN 0.2 ms after the SYN: the server's
 * FIN is the one that ends the pooled try.
 */
static void
test_retry_or_next_server(void **state)
{
	struct uf *u;
	struct scene s;
	struct uf_side cli2, gw2, drop, pool, app1;
	const struct txn *t;

	for (int run = 0; run < 4; run++) {
		bool later = run & 1, fin = run >> 1;
		int64_t second;

		u = again(state);
		pooled_then_asked(u, &s, &cli2, &gw2, &pool, &app1);
		uf_side_init(&drop, "192.0.2.94", 8080, 9000);
		second = s.req_ts + 61 * US + 501 * UF_MS;
		s.out.port = 50000;
		uf_at(u, s.req_ts + 61 * US);
		uf_syn(u, &s.out, &drop);
		uf_at(u, second - 400 * US);
		uf_get(u, &cli2, &gw2, "/other", APP);
		uf_at(u, second - 350 * US);
		uf_get(u, &pool, &app1, "/other", APP);
		s.out.port = 50001;
		for (int step = 0; step < 2; step++) {
			if (step == later) {	/* the server's close */
				uf_at(u, second + later);
				if (fin)
					uf_fin(u, &app1, &pool);
				else
					uf_rst(u, &app1, &pool);
			} else {
				uf_at(u, second);
				uf_syn(u, &s.out, &drop);
			}
		}
		if (fin) {
			uf_at(u, second + 200 * US);
			uf_fin(u, &pool, &app1);
		}
		uf_at(u, s.req_ts + 1504 * UF_MS);
		gateway_answers(&s, 503);
		uf_diagnose(u);
		t = uf_txn(u, 1);
		expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
		assert_int_equal(u->fl.conns[t->d.conns[0]].cport, 50000);
		assert_int_equal(t->d.nconns, later ? 2 : 1);
	}
}

/* The gateway's attempt from port to addr:8080 at `at`, refused by RST
 * `rst_after` later. */
static void
refused_in(struct uf *u, const char *addr, uint16_t port, int64_t at,
    int64_t rst_after)
{
	struct uf_side out, backend;

	uf_side_init(&out, "10.0.0.1", port, 7000);
	uf_side_init(&backend, addr, 8080, 9000);
	uf_at(u, at);
	uf_syn(u, &out, &backend);
	uf_at(u, at + rst_after);
	uf_rst(u, &backend, &out);
}

/* refused_in a frame later: 1 ms. */
static void
refused_at(struct uf *u, const char *addr, uint16_t port, int64_t at)
{
	refused_in(u, addr, port, at, UF_MS);
}

/*
 * What teaches the proxy port that its proxy tries a server again on a
 * grid (link.c learn_grid): 5 s before T0 another client asks for
 * /lesson, tried at once on refusing 192.0.2.93 and every half second
 * after, four times, and answered 503 at once after the last refusal
 * (the reverse-proxy lab's first HAProxy scenarios).
 */
static void
grid_lesson(struct uf *u)
{
	struct uf_side cli, gw = u->srv;
	int64_t asked;

	uf_side_init(&cli, "10.0.0.30", 42000, 3300);
	gw.seq = 6600;
	uf_at(u, T0 - 5 * UF_S);
	uf_handshake(u, &cli, &gw);
	uf_get(u, &cli, &gw, "/lesson", APP);
	asked = u->fl.stats.last_ts;
	for (int k = 0; k < 4; k++)
		refused_at(u, "192.0.2.93", (uint16_t)(50900 + k),
		    asked + UF_MS / 10 + k * 501 * UF_MS);
	uf_status(u, &gw, &cli, 503);
}

/*
 * A chain of refused tries another request broke (the lab's loaded
 * recordings): HAProxy tries R's path on refusing 192.0.2.93 at once and
 * every half second; its second try went 0.1 ms before P's request went
 * on a pooled connection to another server, and P, answered first (junk:
 * 502), took that refusal for its own try before. Q asked 237 ms after R
 * and is tried at once and every half second too. R's chain stops at its
 * first try: R takes none of Q's, which stay Q's, all four.
 */
static void
test_broken_chain_takes_no_other(void **state)
{
	struct uf *u = *state;
	struct uf_side cli[3], gw[3], pool, app2;
	const struct txn *q;

	proxy_clients_pooled(u, cli, gw, 3, &pool, &app2, "192.0.2.92");
	uf_at(u, T0);
	uf_get(u, &cli[0], &gw[0], "/r", APP);
	refused_at(u, "192.0.2.93", 50100, T0 + 100 * US);
	uf_at(u, T0 + 237 * UF_MS);
	uf_get(u, &cli[1], &gw[1], "/q", APP);
	refused_at(u, "192.0.2.93", 50200, T0 + 237100 * US);
	uf_at(u, T0 + 501300 * US);
	uf_get(u, &cli[2], &gw[2], "/p", APP);
	refused_at(u, "192.0.2.93", 50101, T0 + 501400 * US);
	uf_at(u, T0 + 501550 * US);
	uf_get(u, &pool, &app2, "/p", APP);
	uf_at(u, T0 + 520 * UF_MS);
	uf_send(u, &app2, &pool, "<html>no status line</html>\n");
	uf_at(u, T0 + 530 * UF_MS);
	uf_status(u, &gw[2], &cli[2], 502);
	refused_at(u, "192.0.2.93", 50201, T0 + 738500 * US);
	refused_at(u, "192.0.2.93", 50102, T0 + 1002800 * US);
	refused_at(u, "192.0.2.93", 50202, T0 + 1239900 * US);
	refused_at(u, "192.0.2.93", 50103, T0 + 1504200 * US);
	uf_at(u, T0 + 1505500 * US);
	uf_status(u, &gw[0], &cli[0], 503);
	refused_at(u, "192.0.2.93", 50203, T0 + 1741300 * US);
	uf_at(u, T0 + 1742600 * US);
	uf_status(u, &gw[1], &cli[1], 503);
	uf_diagnose(u);
	q = uf_txn(u, 2);
	assert_string_equal(flow_str(&u->fl, q->url), "http://" APP "/q");
	expect_verdict(q, V_CANNOT_CONNECT, C_TCP_RST);
	expect_four_tries(u, q, 50200);
}

/*
 * HAProxy's four refused tries of R's request for /r to 192.0.2.93, at
 * once and a turn-around apart (the reverse-proxy lab's loaded busy
 * round), answered 503 at once after the last refusal; what else
 * happens before that last try is `other`'s (below).
 */
static const struct txn *
refused_four_with(struct uf *u, void (*other)(struct uf *, struct uf_side *,
    struct uf_side *, int64_t), int64_t last, bool taught)
{
	static const int64_t try_at[3] = { 86, 500686, 1002200 };
	struct uf_side cli[3], gw[3], pool, app1;
	const struct txn *r;

	if (taught)
		grid_lesson(u);
	proxy_clients_pooled(u, cli, gw, 3, &pool, &app1, "192.0.2.91");
	uf_at(u, T0);
	uf_get(u, &cli[0], &gw[0], "/r", APP);
	for (int k = 0; k < 3; k++)
		refused_at(u, "192.0.2.93", (uint16_t)(50100 + k),
		    T0 + try_at[k] * US);
	other(u, &cli[1], &gw[1], T0 + last);
	refused_at(u, "192.0.2.93", 50103, T0 + last);
	uf_at(u, T0 + last + UF_MS + 65 * US);	/* 65 us after the RST */
	uf_status(u, &gw[0], &cli[0], 503);
	uf_diagnose(u);
	r = uf_txn(u, taught ? 2 : 1);
	assert_string_equal(flow_str(&u->fl, r->url), "http://" APP "/r");
	return r;
}

/* The gateway's SYN from port 50300 to 192.0.2.94:8080 (*backend)
 * leaves at `tried`. */
static void
tried_94(struct uf *u, int64_t tried, struct uf_side *out,
    struct uf_side *backend)
{
	uf_side_init(out, "10.0.0.1", 50300, 7300);
	uf_side_init(backend, "192.0.2.94", 8080, 9400);
	uf_at(u, tried);
	uf_syn(u, out, backend);
}

/* M asks for path at `asked`; tried_94 at `tried`. */
static void
asked_tried(struct uf *u, struct uf_side *cli, struct uf_side *gw,
    const char *path, int64_t asked, int64_t tried, struct uf_side *out,
    struct uf_side *backend)
{
	uf_at(u, asked);
	uf_get(u, cli, gw, path, APP);
	tried_94(u, tried, out, backend);
}

/* M asks for /m at `asked`; the gateway sends it at `sent` on a pooled
 * connection to 192.0.2.92 (*pool to *app2). */
static void
asked_pooled(struct uf *u, struct uf_side *cli, struct uf_side *gw,
    int64_t asked, int64_t sent, struct uf_side *pool, struct uf_side *app2)
{
	uf_side_init(pool, "10.0.0.1", 52100, 8800);
	uf_side_init(app2, "192.0.2.92", 8080, 8900);
	uf_handshake(u, pool, app2);
	uf_at(u, asked);
	uf_get(u, cli, gw, "/m", APP);
	uf_at(u, sent);
	uf_get(u, pool, app2, "/m", APP);
}

/* 13.5 ms before R's last try, M asks for /m; HAProxy sends it on a
 * pooled connection 4.8 ms later (loaded), whose server closes it
 * without a reply; HAProxy closes M's connection, and so does M. */
static void
closed_before_last_try(struct uf *u, struct uf_side *cli, struct uf_side *gw,
    int64_t last)
{
	struct uf_side pool, app2;

	asked_pooled(u, cli, gw, last - 13500 * US, last - 8700 * US, &pool,
	    &app2);
	uf_at(u, last - 8300 * US);
	uf_fin(u, &app2, &pool);
	uf_at(u, last - 8200 * US);
	uf_fin(u, gw, cli);
	uf_at(u, last - 8100 * US);
	uf_fin(u, cli, gw);
}

/* 14.5 ms before R's last try, M asks for /m; HAProxy sends it on a
 * pooled connection 2.1 ms later, answered 200 0.7 ms after; then M asks
 * for /n, tried at once on silent 192.0.2.94 (a rival of R's). */
static void
answered_before_last_try(struct uf *u, struct uf_side *cli,
    struct uf_side *gw, int64_t last)
{
	struct uf_side pool, app2, out, silent;

	asked_pooled(u, cli, gw, last - 14500 * US, last - 12400 * US, &pool,
	    &app2);
	uf_at(u, last - 11800 * US);
	uf_status(u, &app2, &pool, 200);
	uf_status(u, gw, cli, 200);
	asked_tried(u, cli, gw, "/n", last - 11400 * US, last - 11300 * US,
	    &out, &silent);
}

/* 13.5 ms before R's last try, M asks for /m; HAProxy sends it at once
 * on a pooled connection, whose server answers only after R's last try
 * (a slow page): acted for, M waits on that try. */
static void
sent_pooled_before_last_try(struct uf *u, struct uf_side *cli,
    struct uf_side *gw, int64_t last)
{
	struct uf_side pool, app2;

	asked_pooled(u, cli, gw, last - 13500 * US, last - 13400 * US, &pool,
	    &app2);
}

/* 5 ms before R's last try, M asks for /m; the gateway sends it at once
 * on a pooled connection, whose server closes it 0.4 ms later without a
 * reply, and tries M's next server, silent 192.0.2.94, 0.1 ms after the
 * close: acted for at once, M waits on that try, not on R's last. */
static void
sent_pooled_closed_before_last_try(struct uf *u, struct uf_side *cli,
    struct uf_side *gw, int64_t last)
{
	struct uf_side pool, app2, out, silent;

	asked_pooled(u, cli, gw, last - 5000 * US, last - 4900 * US, &pool,
	    &app2);
	uf_at(u, last - 4500 * US);
	uf_fin(u, &app2, &pool);
	tried_94(u, last - 4400 * US, &out, &silent);
}

/* 0.8 ms before R's last try, M asks for /m, and HAProxy's SYN to its
 * server, silent 192.0.2.94, leaves 0.14 ms after it. */
static void
tried_silent_before_last_try(struct uf *u, struct uf_side *cli,
    struct uf_side *gw, int64_t last)
{
	struct uf_side out, silent;

	asked_tried(u, cli, gw, "/m", last - 800 * US, last - 660 * US, &out,
	    &silent);
}

/* As tried_silent_before_last_try, M's try refused at once, by RST or
 * by a router's ICMP error: R's last try might be M's next (nginx tries
 * the next server at once), but for R's grid. */
static void
refused_before(struct uf *u, struct uf_side *cli, struct uf_side *gw,
    int64_t last, bool icmp)
{
	struct uf_side out, refusing;

	asked_tried(u, cli, gw, "/m", last - 800 * US, last - 660 * US, &out,
	    &refusing);
	uf_at(u, last - 620 * US);
	if (icmp)
		uf_icmp(u, "192.0.2.83", &out, &refusing, 3, 13);
	else
		uf_rst(u, &refusing, &out);
}

static void
refused_before_last_try(struct uf *u, struct uf_side *cli, struct uf_side *gw,
    int64_t last)
{
	refused_before(u, cli, gw, last, false);
}

static void
filtered_before_last_try(struct uf *u, struct uf_side *cli,
    struct uf_side *gw, int64_t last)
{
	refused_before(u, cli, gw, last, true);
}

/*
 * A request asked before R's last try is no rival for it when it was done
 * with before it (M's connection closed, or M answered), or when the
 * gateway acted for it at once (sent it on a pooled connection, closed
 * by its server since or not, or, on a connection still standing, a SYN
 * to another server): R keeps all
 * four tries. When M's try was refused (RST, or a router's ICMP error)
 * 0.6 ms before R's last try, that try may be M's next server's (nginx
 * tries it at once): R's chain ends at three. Unless the proxy port was
 * seen trying a server again on a grid (grid_lesson): then R keeps all
 * four, the answer following the last one's refusal at once and the try
 * lying on the grid of R's turn-arounds, where HAProxy had to try R a
 * fourth time.
 */
static void
test_rival_done_before_the_try(void **state)
{
	static void (*const done[])(struct uf *, struct uf_side *,
	    struct uf_side *, int64_t) = {
		closed_before_last_try, answered_before_last_try,
		sent_pooled_before_last_try, sent_pooled_closed_before_last_try,
		tried_silent_before_last_try,
	};
	const int64_t last = 1504700 * US;
	struct uf *u;
	const struct txn *r;

	for (int taught = 0; taught < 2; taught++) {
		for (size_t k = 0; k < sizeof done / sizeof done[0]; k++) {
			u = again(state);
			r = refused_four_with(u, done[k], last, taught);
			expect_verdict(r, V_CANNOT_CONNECT, C_TCP_RST);
			expect_four_tries(u, r, 50100);
		}
		r = refused_four_with(again(state), refused_before_last_try,
		    last, taught);
		expect_verdict(r, V_CANNOT_CONNECT, C_TCP_RST);
		assert_int_equal(r->d.nconns, taught ? 4 : 3);
		r = refused_four_with(again(state), filtered_before_last_try,
		    last, taught);
		assert_int_equal(r->d.nconns, taught ? 4 : 3);
		u = *state;
		assert_int_equal(u->fl.conns[r->d.conns[r->d.nconns - 1]].cport,
		    taught ? 50103 : 50102);
	}
}

/*
 * Three HAProxy chains to one refusing server overlapping within a
 * millisecond (tests/lab/kept/rev-ovl-refused, its requests at frames
 * 1842, 1938 and 2014): A asks at 0, B at 492.07 ms, C at 501.6 ms;
 * HAProxy tries each at once and again a turn-around (half a second
 * here, and its timers' lateness) after each refusal, four times, and
 * answers 503 65 us after the fourth refusal. A's second try and C's
 * first are 0.63 ms apart, A's third and C's second 1.2 ms: each
 * request's four tries are its own, in order, told by the grid between
 * its first try and its answer.
 */
enum grid_kind {
	GE_ASK,			/* who asks for its path */
	GE_TRY,			/* who's try k: a SYN (refused: and an RST) */
	GE_503,			/* the gateway answers who 503 */
	GE_POOL_SEND,		/* who's path sent on the pooled connection */
	GE_POOL_REPLY,		/* its 200, passed on to who */
	GE_NEW_SEND,		/* who's path sent on a new connection */
	GE_NEW_REPLY,		/* its 200, passed on to who */
	GE_CLOSE		/* the gateway closes who's connection */
};

struct grid_event {
	int64_t at;		/* us after the first request */
	int who;		/* the client: 0, 1, 2 */
	enum grid_kind kind;
	int k;
};

/* The n events of ev, in order, by three clients asking for paths[who],
 * their tries to backend (from port 50000 + 100 * who + k), refused 50 us
 * later when `refusing`; first, with `taught`, the grid lesson. */
static void
play_grid(struct uf *u, const struct grid_event *ev, size_t n,
    const char *const paths[3], const char *backend, bool refusing,
    bool taught)
{
	struct uf_side cli[3], gw[3], pool, app1, web, fresh, app1_fresh;

	if (taught)
		grid_lesson(u);
	proxy_clients_pooled(u, cli, gw, 3, &pool, &app1, "192.0.2.91");
	uf_side_init(&web, backend, 8080, 9000);
	uf_side_init(&fresh, "10.0.0.1", 51000, 8800);
	uf_side_init(&app1_fresh, "192.0.2.91", 8080, 9800);
	for (size_t e = 0; e < n; e++) {
		const struct grid_event *g = &ev[e];
		bool pooled = g->kind == GE_POOL_SEND || g->kind == GE_POOL_REPLY;
		struct uf_side out, *up = pooled ? &pool : &fresh;
		struct uf_side *server = pooled ? &app1 : &app1_fresh;

		uf_at(u, T0 + g->at * US);
		switch (g->kind) {
		case GE_ASK:
			uf_get(u, &cli[g->who], &gw[g->who], paths[g->who],
			    APP);
			break;
		case GE_TRY:
			uf_side_init(&out, "10.0.0.1",
			    (uint16_t)(50000 + 100 * g->who + g->k), 7000);
			uf_syn(u, &out, &web);
			if (!refusing)
				break;
			uf_at(u, T0 + (g->at + 50) * US);
			uf_rst(u, &web, &out);
			break;
		case GE_503:
			uf_status(u, &gw[g->who], &cli[g->who], 503);
			break;
		case GE_NEW_SEND:	/* the handshake's RTT 3 us */
			uf_syn(u, up, server);
			uf_at(u, T0 + (g->at + 3) * US);
			uf_synack(u, server, up);
			uf_at(u, T0 + (g->at + 6) * US);
			/* FALLTHROUGH */
		case GE_POOL_SEND:
			uf_get(u, up, server, paths[g->who], APP);
			break;
		case GE_POOL_REPLY:
		case GE_NEW_REPLY:
			uf_status(u, server, up, 200);
			uf_status(u, &gw[g->who], &cli[g->who], 200);
			break;
		case GE_CLOSE:
			uf_fin(u, &gw[g->who], &cli[g->who]);
			uf_fin(u, &cli[g->who], &gw[g->who]);
			break;
		}
	}
	uf_diagnose(u);
}

static void
overlapping_refused_chains(struct uf *u, bool taught, bool fresh,
    unsigned *nconns)
{
	/* k -1: P's, played only when `fresh` */
	static const struct grid_event all[] = {
		{ 0, 0, GE_ASK, 0 }, { 20, 2, GE_ASK, -1 },
		{ 30, 2, GE_NEW_SEND, -1 }, { 40, 0, GE_TRY, 0 },
		{ 90, 2, GE_NEW_REPLY, -1 },
		{ 492070, 1, GE_ASK, 0 }, { 492110, 1, GE_TRY, 0 },
		{ 501020, 0, GE_TRY, 1 },
		{ 501600, 2, GE_ASK, 0 }, { 501650, 2, GE_TRY, 0 },
		{ 992970, 1, GE_TRY, 1 }, { 1002210, 0, GE_TRY, 2 },
		{ 1003410, 2, GE_TRY, 1 }, { 1494510, 1, GE_TRY, 2 },
		{ 1502670, 0, GE_TRY, 3 }, { 1502785, 0, GE_503, 0 },
		{ 1504770, 2, GE_TRY, 2 }, { 1996240, 1, GE_TRY, 3 },
		{ 1996355, 1, GE_503, 0 }, { 2006470, 2, GE_TRY, 3 },
		{ 2006585, 2, GE_503, 0 },
	};
	static const char *const path[3] = { "/a", "/b", "/c" };
	struct grid_event ev[sizeof all / sizeof all[0]];
	const struct txn *t;
	size_t n = 0;

	for (size_t e = 0; e < sizeof all / sizeof all[0]; e++)
		if (fresh || all[e].k >= 0)
			ev[n++] = all[e];
	play_grid(u, ev, n, path, "192.0.2.93", true, taught);
	*nconns = 0;
	for (int who = 0; who < 3; who++) {
		t = uf_txn(u, (unsigned)who + 1 + taught + (fresh && who > 0));
		assert_string_equal(flow_str(&u->fl, t->url),
		    who == 0 ? "http://" APP "/a" : who == 1 ?
		    "http://" APP "/b" : "http://" APP "/c");
		expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
		*nconns += t->d.nconns;
		if (taught)
			expect_four_tries(u, t, 50000 + 100 * who);
	}
}

/* Without the lesson the grid is not looked for (nginx tries the next
 * server, not the same one on a grid): the chains break, as before.
 * And C, 20 us after A asked, first asks for /c on its keep-alive
 * connection; HAProxy sends it at once on a new connection to another
 * server, 10 us before A's first try: sent, it needs no attempt, and A's
 * first try stays A's (grid_first, forwarded_by). */
static void
test_overlapping_refused_chains(void **state)
{
	unsigned nconns;

	overlapping_refused_chains(again(state), true, false, &nconns);
	assert_int_equal(nconns, 12);
	overlapping_refused_chains(again(state), false, false, &nconns);
	assert_true(nconns < 12);
	overlapping_refused_chains(again(state), true, true, &nconns);
	assert_int_equal(nconns, 12);
}

/*
 * Two HAProxy chains to one server that drops SYNs, begun 0.03 ms apart
 * (tests/lab/kept/rev-ovl-timeouts, its request at frame 1933): X's
 * first try leaves 0.14 ms after X asked, Z asks 10 us later and its
 * first try leaves 0.03 ms after X's, and each chain tries again every
 * connect timeout (half a second, and its timers' lateness: Z's 503 ms),
 * four tries in all;
 * HAProxy then closes X's connection without a reply (its log's sC--,
 * no bytes), and answers Z 503. 80 us after X asked, P asked for another
 * path, sent at once on a pooled connection to 192.0.2.91 (answered
 * 200). X keeps its four tries, the grid from its first to the close
 * (grid_end): P, acted on at once elsewhere, did not take X's first
 * (grid_first), nor did Z, asked after it; Z's first try, right after
 * X's, stops the chain that retry_by_time makes. And so when P's
 * request went on a new connection opened for it (`fresh`), 10 us
 * before X's first try: sent, P needs no attempt (forwarded_by).
 */
static void
overlapping_silent_chains(struct uf *u, bool fresh)
{
	const struct grid_event ev[] = {
		{ 0, 0, GE_ASK, 0 }, { 80, 2, GE_ASK, 0 },
		{ 130, 2, fresh ? GE_NEW_SEND : GE_POOL_SEND, 0 },
		{ 140, 0, GE_TRY, 0 },
		{ 150, 1, GE_ASK, 0 }, { 170, 1, GE_TRY, 0 },
		{ 600, 2, fresh ? GE_NEW_REPLY : GE_POOL_REPLY, 0 },
		{ 501900, 0, GE_TRY, 1 },
		{ 503200, 1, GE_TRY, 1 }, { 1002900, 0, GE_TRY, 2 },
		{ 1006100, 1, GE_TRY, 2 },
		{ 1503000, 0, GE_TRY, 3 }, { 1509000, 1, GE_TRY, 3 },
		{ 2004000, 0, GE_CLOSE, 0 }, { 2011500, 1, GE_503, 0 },
	};
	static const char *const path[3] = { "/x", "/z", "/p" };
	const struct txn *x, *z;

	play_grid(u, ev, sizeof ev / sizeof ev[0], path, "192.0.2.94", false,
	    true);
	x = uf_txn(u, 2);
	z = uf_txn(u, 4);
	assert_string_equal(flow_str(&u->fl, x->url), "http://" APP "/x");
	assert_string_equal(flow_str(&u->fl, z->url), "http://" APP "/z");
	expect_verdict(x, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	expect_verdict(z, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	expect_four_tries(u, x, 50000);
	expect_four_tries(u, z, 50100);
}

static void
test_overlapping_silent_chains(void **state)
{
	overlapping_silent_chains(*state, false);
	overlapping_silent_chains(again(state), true);
}

/*
 * nginx tries each server of its group in turn, each refusing (a group
 * restarted at once), and answers 502 after the last: every attempt is
 * linked, the last one (the server the report names) last. And after a
 * try that timed out, the next server refuses: the verdict follows that
 * last try (cannot-connect), the timeout is an earlier try, and no
 * upstream request is t's own.
 */
static void
test_refused_by_each_server(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;

	scene_init(&s, u);
	ask_app(&s, true);
	for (int k = 0; k < 3; k++)
		refused_at(u, k == 0 ? "192.0.2.91" : k == 1 ? "192.0.2.92" :
		    "192.0.2.93", (uint16_t)(50001 + k),
		    s.req_ts + 70 * US + k * 1500 * US);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, 3);
	for (unsigned k = 0; k < 3; k++)
		assert_int_equal(u->fl.conns[t->d.conns[k]].saddr.a[3], 91 + k);

	u = again(state);
	scene_init(&s, u);
	ask_app(&s, true);
	uf_at(u, s.req_ts + 70 * US);
	try_path(u, "192.0.2.91", 50001, END_TIMEOUT, 3 * UF_S);
	refused_at(u, "192.0.2.92", 50009, u->fl.stats.last_ts + 30 * US);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.ntries, 1);
	assert_int_equal(t->d.try_cause[0], C_UPSTREAM_TIMEOUT);
	assert_int_equal(t->d.up_req, NONE32);
	assert_int_equal(u->fl.conns[t->d.conns[t->d.nconns - 1]].saddr.a[3],
	    92);
}

/*
 * A busy nginx (the reverse-proxy lab's storm, tests/lab/kept/
 * rev-ovl-timeouts /s-16-7/ok): t's request goes at once to a server
 * that drops SYNs; 2 ms later another client's request is tried at once
 * on a refusing server, then on a pooled connection, and served. After
 * its 1 s connect timeout, 2.2 ms late (a busy worker's timer), nginx
 * tries t on the refusing server too and answers 502 at once. t's first
 * try is its own silent one, not the other's refusal begun just after
 * the other's request (backend_addr), and its chain goes on from that
 * silence to the refusal the answer follows (refused_after_silence).
 */
static void
test_silent_then_refused_late(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, pool, app1, drop, out;
	const struct txn *t;

	pooled_then_asked(u, &s, &cli2, &gw2, &pool, &app1);
	uf_side_init(&drop, "192.0.2.94", 8080, 9400);
	uf_side_init(&out, "10.0.0.1", 50001, 7000);
	uf_at(u, s.req_ts + 80 * US);
	uf_syn(u, &out, &drop);
	uf_at(u, s.req_ts + 2000 * US);
	uf_get(u, &cli2, &gw2, "/b", APP);
	refused_at(u, "192.0.2.93", 50002, s.req_ts + 2050 * US);
	uf_at(u, s.req_ts + 2100 * US);
	uf_get(u, &pool, &app1, "/b", APP);
	uf_status(u, &app1, &pool, 200);
	uf_status(u, &gw2, &cli2, 200);
	refused_at(u, "192.0.2.93", 50003, s.req_ts + 80 * US + UF_S +
	    2200 * US);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	t = uf_txn(u, 1);
	assert_string_equal(flow_str(&u->fl, t->url), "http://" APP "/app");
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, 2);
	assert_int_equal(u->fl.conns[t->d.conns[0]].cport, 50001);
	assert_int_equal(u->fl.conns[t->d.conns[1]].cport, 50003);
}

/*
 * A busy nginx: another client's request, its first try refused, then
 * its next try served; t's request came in just after that refusal
 * (0.4 ms after the other's SYN, within the skew allowed between
 * interfaces) and was answered 502 at once, "no live upstreams". The
 * refused attempt, begun just after the other's request, is the other
 * one's: t tried nothing.
 */
static void
test_refused_for_the_request_before(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, next, out2;
	const struct txn *t1, *t2;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_handshake(u, &cli2, &gw2);
	ask_app(&s, true);
	refused_at(u, "192.0.2.91", 50001, s.req_ts + 70 * US);
	uf_at(u, s.req_ts + 500 * US);
	uf_get(u, &cli2, &gw2, "/b", APP);
	uf_status(u, &gw2, &cli2, 502);
	uf_side_init(&next, "192.0.2.92", 8080, 9500);
	uf_side_init(&out2, "10.0.0.1", 50002, 7500);
	uf_handshake(u, &out2, &next);
	uf_get(u, &out2, &next, "/app", APP);
	uf_status(u, &next, &out2, 200);
	gateway_answers(&s, 200);
	diagnosed_two(u, &t1, &t2);
	expect_verdict(t1, V_OK, C_NONE);
	expect_verdict(t2, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t2->d.nconns, 0);
}

/*
 * t's tries refused by two servers; another client's request comes in
 * as the second refusal does, before t's answer, and the gateway
 * connects for it to the first server just after the answer. That
 * connection was asked for (just before it), not a retry of t's first
 * attempt by a request still waiting: t keeps both attempts.
 */
static void
test_connected_again_for_a_new_request(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, first, out2;
	const struct txn *t;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_handshake(u, &cli2, &gw2);
	ask_app(&s, true);
	refused_at(u, "192.0.2.91", 50001, s.req_ts + 70 * US);
	refused_at(u, "192.0.2.92", 50002, s.req_ts + 1500 * US);
	uf_at(u, s.req_ts + 2400 * US);
	uf_get(u, &cli2, &gw2, "/b", APP);
	uf_at(u, s.req_ts + 2600 * US);
	gateway_answers(&s, 502);
	uf_side_init(&first, "192.0.2.91", 8080, 9500);
	uf_side_init(&out2, "10.0.0.1", 50003, 7500);
	uf_at(u, u->fl.stats.last_ts + 20 * US);
	uf_syn(u, &out2, &first);
	uf_diagnose(u);
	t = uf_txn(u, 1);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, 2);
	assert_int_equal(u->fl.conns[t->d.conns[1]].saddr.a[3], 92);
}

/*
 * t's try refused, then t's answer at once (50 us after the refusal);
 * in between, the gateway began another attempt to the group's port,
 * refused after that answer: another request's try (it cannot lead on
 * to t's answer), not t's next.
 */
static void
test_answered_after_the_refusal(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side other, out2;
	const struct txn *t;
	int64_t refused_ts;

	scene_init(&s, u);
	ask_app(&s, true);
	refused_at(u, "192.0.2.91", 50001, s.req_ts + 70 * US);
	refused_ts = u->fl.stats.last_ts;
	uf_side_init(&other, "192.0.2.92", 8080, 9500);
	uf_side_init(&out2, "10.0.0.1", 50002, 7500);
	uf_at(u, refused_ts + 20 * US);
	uf_syn(u, &out2, &other);
	uf_at(u, refused_ts + 50 * US);
	gateway_answers(&s, 502);
	uf_at(u, refused_ts + 400 * US);
	uf_rst(u, &other, &out2);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(u->fl.conns[t->d.conns[0]].saddr.a[3], 91);
}

/*
 * nginx's first try of t's GET /app, on a pooled connection, is silent
 * until its timeout (3 s); meanwhile another client POSTs /app, sent on
 * a new connection, which is silent too. t's next try is served (200),
 * then the POST times out: 504. The POST upstream is the POST's, not
 * the GET's: a proxy passes a request on with its method.
 */
static void
test_same_path_other_method(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, next, out2, out3;
	const struct txn *t1, *t2;
	uint64_t up_post;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_side_init(&s.web, "192.0.2.91", 8080, 9000);
	uf_side_init(&next, "192.0.2.92", 8080, 9500);
	uf_side_init(&out2, "10.0.0.1", 50002, 7500);
	uf_side_init(&out3, "10.0.0.1", 50003, 7600);
	uf_handshake(u, &s.out, &s.web);	/* the pool's */
	uf_get(u, &s.out, &s.web, "/older", APP);
	uf_status(u, &s.web, &s.out, 200);
	uf_handshake(u, &cli2, &gw2);
	uf_at(u, u->fl.stats.last_ts + UF_S);
	ask_app(&s, true);
	uf_get(u, &s.out, &s.web, "/app", APP);
	uf_send(u, &cli2, &gw2, POST_APP);
	uf_handshake(u, &out2, &s.web);
	up_post = uf_send(u, &out2, &s.web, POST_APP);
	uf_at(u, s.req_ts + 3 * UF_S);
	uf_fin(u, &s.out, &s.web);
	uf_handshake(u, &out3, &next);
	uf_get(u, &out3, &next, "/app", APP);
	uf_status(u, &next, &out3, 200);
	gateway_answers(&s, 200);
	uf_at(u, s.req_ts + 3 * UF_S + 5 * UF_MS);
	uf_fin(u, &out2, &s.web);
	uf_status(u, &gw2, &cli2, 504);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	t1 = uf_txn(u, 1);
	t2 = uf_txn(u, 2);
	expect_verdict(t1, V_OK, C_NONE);
	expect_verdict(t2, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_equal(u->fl.msgs[t2->d.up_req].head.number, up_post);
}

/* A HEAD that a caching nginx asks upstream as GET
 * (proxy_cache_convert_head) is linked all the same. */
static void
test_head_asked_as_get(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	uint64_t up;

	scene_init(&s, u);
	uf_handshake(u, &u->cli, &u->srv);
	s.req = uf_send(u, &u->cli, &u->srv, "HEAD /app HTTP/1.1\r\nHost: "
	    APP "\r\n\r\n");
	s.req_ts = u->fl.stats.last_ts;
	uf_side_init(&s.web, "192.0.2.91", 8080, 9000);
	uf_handshake(u, &s.out, &s.web);
	up = uf_get(u, &s.out, &s.web, "/app", APP);
	uf_fin(u, &s.web, &s.out);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	assert_int_equal(u->fl.msgs[t->d.up_req].head.number, up);
}

/* t's request, then nginx's SYNs to silent 70 us and 1 s after it,
 * unanswered; the clock at its connect timeout (2 s). */
static void
unanswered_first_try(struct uf *u, struct scene *s,
    const struct uf_side *silent)
{
	ask_app(s, true);
	uf_at(u, s->req_ts + 70 * US);
	uf_syn(u, &s->out, silent);
	uf_at(u, s->req_ts + 70 * US + UF_S);
	uf_syn(u, &s->out, silent);
	uf_at(u, s->req_ts + 70 * US + 2 * UF_S);
}

/*
 * nginx's first try's SYNs to 192.0.2.91 go unanswered (at 0 and 1 s);
 * it gives up at its connect timeout (2 s) and sends the request to the
 * next server, on a pooled connection (or a new one), which replies
 * without a status line: 502 at once (or relays its own 503). The
 * verdict is the last try's, and
 * the unanswered attempt stays among the attempts, first.
 */
static void
test_next_try_after_silence(void **state)
{
	struct uf *u;
	struct scene s;
	struct uf_side silent, next, out2;
	const struct txn *t;

	for (int pooled = 0; pooled < 3; pooled++) {
		bool relayed = pooled == 2;	/* the next server's own 503 */

		u = again(state);
		scene_init(&s, u);
		uf_side_init(&silent, "192.0.2.91", 8080, 9000);
		uf_side_init(&next, "192.0.2.92", 8080, 9500);
		uf_side_init(&out2, "10.0.0.1", 50002, 7500);
		if (pooled) {
			uf_handshake(u, &out2, &next);
			uf_get(u, &out2, &next, "/older", APP);
			uf_status(u, &next, &out2, 200);
			uf_at(u, u->fl.stats.last_ts + UF_S);
		}
		unanswered_first_try(u, &s, &silent);
		if (!pooled)
			uf_handshake(u, &out2, &next);
		uf_get(u, &out2, &next, "/app", APP);
		if (relayed)
			uf_status(u, &next, &out2, 503);
		else
			uf_send(u, &next, &out2,
			    "Traceback (most recent call last):\n");
		gateway_answers(&s, relayed ? 503 : 502);
		t = diagnosed(&s);
		if (relayed)
			expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
		else
			expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
		assert_int_equal(u->fl.conns[t->d.up_conn].saddr.a[3], 92);
		assert_int_equal(t->d.nconns, 2);
		assert_int_equal(u->fl.conns[t->d.conns[0]].saddr.a[3], 91);
	}
}

/* 300 requests of cli2 for path from `from` on, 2 ms apart, each
 * forwarded on the pooled connection to busy and answered 200. */
static void
crowd_asks(struct uf *u, struct uf_side *cli2, struct uf_side *gw2,
    struct uf_side *pool, struct uf_side *busy, const char *path,
    int64_t from)
{
	for (int k = 0; k < 300; k++) {
		uf_at(u, from + k * 2 * UF_MS);
		uf_get(u, cli2, gw2, path, APP);
		uf_get(u, pool, busy, path, APP);
		uf_status(u, busy, pool, 200);
		uf_status(u, gw2, cli2, 200);
	}
}

/*
 * As test_next_try_after_silence, the next try silent in its turn until
 * nginx's read timeout (3 s: 504), while another client sends 300
 * requests: the try is found among the requests for t's resource, not
 * by walking back from the answer over everything in between. And when
 * t's path is the busy one: another client's 300 requests for it, each
 * forwarded on a pooled connection and answered, after the silent try
 * and 300 more after the next try (a popular path through a busy nginx:
 * 400 a second), the next try is still found.
 */
static void
silent_then_timed_out(struct uf *u, bool busy_path)
{
	struct scene s;
	struct uf_side cli2, gw2, silent, next, out2, pool, busy;
	const struct txn *t;
	uint64_t up;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_side_init(&silent, "192.0.2.91", 8080, 9000);
	uf_side_init(&next, "192.0.2.92", 8080, 9500);
	uf_side_init(&out2, "10.0.0.1", 50002, 7500);
	uf_side_init(&pool, "10.0.0.1", 50003, 8000);
	uf_side_init(&busy, "192.0.2.93", 8080, 9900);
	uf_handshake(u, &cli2, &gw2);
	uf_handshake(u, &pool, &busy);
	ask_app(&s, true);
	uf_at(u, s.req_ts + 70 * US);
	uf_syn(u, &s.out, &silent);
	uf_at(u, s.req_ts + 70 * US + UF_S);
	uf_syn(u, &s.out, &silent);
	if (busy_path)
		crowd_asks(u, &cli2, &gw2, &pool, &busy, "/app",
		    s.req_ts + 1100 * UF_MS);
	uf_at(u, s.req_ts + 70 * US + 2 * UF_S);
	uf_handshake(u, &out2, &next);
	up = uf_get(u, &out2, &next, "/app", APP);
	if (busy_path)
		crowd_asks(u, &cli2, &gw2, &pool, &busy, "/app",
		    s.req_ts + 2100 * UF_MS);
	else
		for (int k = 0; k < 300; k++)
			uf_get(u, &cli2, &gw2, "/other", APP);
	uf_at(u, s.req_ts + 70 * US + 5 * UF_S);
	uf_fin(u, &out2, &next);
	gateway_answers(&s, 504);
	uf_diagnose(u);
	t = uf_txn(u, 1);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_equal(u->fl.msgs[t->d.up_req].head.number, up);
}

static void
test_next_try_after_silence_busy(void **state)
{
	silent_then_timed_out(*state, false);
	silent_then_timed_out(again(state), true);
}

/*
 * A success whose first try failed (nginx: connect timeout 1 s, read
 * timeout 3 s) and whose next try went on a pooled connection to the
 * next server, after the second within which a proxy acts on a request:
 * linked to that try by its reply, relayed at once (the 200 answered).
 * First try silent (a SYN with no answer), the next try 1 s later; or
 * the first try a pooled request with no reply until the read timeout,
 * another client's 300 requests for other paths between, the next try
 * 3 s later: that first one is the success's earlier try, claimed, not
 * left to a failure for the path after it.
 */
static void
success_after_failed_try(struct uf *u, bool silent_first)
{
	struct scene s;
	struct uf_side cli2, gw2, silent, pool1, server1, pool2, server2;
	const struct txn *t;
	uint64_t first = 0, up;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_side_init(&silent, "192.0.2.94", 8080, 9000);
	uf_side_init(&server1, "192.0.2.91", 8080, 9500);
	uf_side_init(&server2, "192.0.2.92", 8080, 9700);
	uf_side_init(&pool1, "10.0.0.1", 50003, 8000);
	uf_side_init(&pool2, "10.0.0.1", 50004, 8500);
	uf_handshake(u, &cli2, &gw2);
	uf_handshake(u, &pool1, &server1);
	uf_handshake(u, &pool2, &server2);
	uf_get(u, &pool2, &server2, "/warm", APP);
	uf_status(u, &server2, &pool2, 200);
	ask_app(&s, true);
	uf_at(u, s.req_ts + 70 * US);
	if (silent_first)
		uf_syn(u, &s.out, &silent);
	else {
		first = uf_get(u, &pool1, &server1, "/app", APP);
		crowd_asks(u, &cli2, &gw2, &pool2, &server2, "/other",
		    s.req_ts + 5 * UF_MS);
		uf_at(u, s.req_ts + 70 * US + 3 * UF_S);
		uf_fin(u, &pool1, &server1);
	}
	uf_at(u, s.req_ts + 100 * US + (silent_first ? 1 : 3) * UF_S);
	up = uf_get(u, &pool2, &server2, "/app", APP);
	uf_status(u, &server2, &pool2, 200);
	gateway_answers(&s, 200);
	uf_diagnose(u);
	t = uf_txn(u, 1);
	expect_verdict(t, V_OK, C_NONE);
	assert_int_not_equal(t->d.up_req, NONE32);
	assert_int_equal(u->fl.msgs[t->d.up_req].head.number, up);
	if (!silent_first) {
		assert_int_equal(t->d.ntries, 1);
		assert_int_equal(u->fl.msgs[t->d.tries[0]].head.number, first);
	}
}

static void
test_success_after_failed_try(void **state)
{
	success_after_failed_try(*state, true);
	success_after_failed_try(again(state), false);
}

/* A pooled connection from the gateway's port to server, which carried
 * another client's (cli2's) request for /warm, served. */
static void
pool_warm(struct uf *u, struct uf_side *cli2, struct uf_side *gw2,
    struct uf_side *pool, uint16_t port, struct uf_side *server,
    const char *addr, uint32_t isn)
{
	uf_side_init(pool, "10.0.0.1", port, 8000);
	uf_side_init(server, addr, 8080, isn);
	uf_get(u, cli2, gw2, "/warm", APP);
	uf_handshake(u, pool, server);
	uf_get(u, pool, server, "/warm", APP);
	uf_status(u, server, pool, 200);
	uf_status(u, gw2, cli2, 200);
}

/*
 * nginx's first try silent (a SYN with no answer until its 1 s connect
 * timeout), its next try a pooled connection to another server (opened
 * 80 ms before for another request, or before the request), whose reply
 * is junk: nginx passes bytes that are no status line on as they are
 * (HTTP/0.9), read until the server closes 200 ms later, or at once. The junk is the answer's
 * story, not the silence: linked by the junk it relayed (the pooled
 * connection carried another client's request first, also when it was
 * opened before the request).
 */
static void
junk_after_silence(struct uf *u, bool at_close, bool pool_before)
{
	static const char junk[] = "<html>no status line</html>";
	struct scene s;
	struct uf_side cli2, gw2, silent, pool, server;
	const struct txn *t;
	uint64_t up;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_side_init(&silent, "192.0.2.94", 8080, 9000);
	uf_handshake(u, &cli2, &gw2);
	if (pool_before) {
		pool_warm(u, &cli2, &gw2, &pool, 50003, &server, "192.0.2.91",
		    9500);
		uf_at(u, u->fl.stats.last_ts + 100 * UF_MS);
	}
	ask_app(&s, true);
	uf_at(u, s.req_ts + 60 * US);
	uf_syn(u, &s.out, &silent);
	uf_at(u, s.req_ts + 920 * UF_MS);
	if (!pool_before)
		pool_warm(u, &cli2, &gw2, &pool, 50003, &server, "192.0.2.91",
		    9500);
	uf_at(u, s.req_ts + UF_S - 200 * US);
	up = uf_get(u, &pool, &server, "/app", APP);
	uf_send(u, &server, &pool, junk);
	if (at_close) {
		uf_at(u, u->fl.stats.last_ts + 200 * UF_MS);
		uf_fin(u, &server, &pool);
	}
	uf_send(u, &u->srv, &u->cli, junk);
	uf_fin(u, &u->srv, &u->cli);
	uf_diagnose(u);
	t = uf_txn(u, pool_before ? 2 : 1);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_int_not_equal(t->d.up_req, NONE32);
	assert_int_equal(u->fl.msgs[t->d.up_req].head.number, up);
}

static void
test_junk_after_silence(void **state)
{
	junk_after_silence(*state, true, false);
	junk_after_silence(again(state), false, false);
	junk_after_silence(again(state), true, true);
}

/* The gateway sends /app on a pooled connection, whose server closes it
 * without a byte (nginx tries the next server then: for a cached
 * connection, without counting the try); the request's frame. */
static uint64_t
pooled_closed(struct uf *u, struct uf_side *pool, struct uf_side *server)
{
	uint64_t req = uf_get(u, pool, server, "/app", APP);

	uf_at(u, u->fl.stats.last_ts + 90 * US);
	uf_fin(u, server, pool);
	uf_at(u, u->fl.stats.last_ts + 20 * US);
	uf_fin(u, pool, server);
	uf_at(u, u->fl.stats.last_ts + 20 * US);
	return req;
}

/*
 * nginx's storm, before t's request: another client (cli2) connected,
 * the gateway's pooled connections to 192.0.2.91 (pool[0]) and
 * 192.0.2.92 (pool[1]) warm from its requests; 100 ms later t asks for
 * /app.
 */
static void
storm_asks(struct uf *u, struct scene *s, struct uf_side *cli2,
    struct uf_side *gw2, struct uf_side pool[2], struct uf_side server[2])
{
	scene_init(s, u);
	other_client(u, cli2, gw2);
	uf_handshake(u, cli2, gw2);
	pool_warm(u, cli2, gw2, &pool[0], 50003, &server[0], "192.0.2.91",
	    9500);
	pool_warm(u, cli2, gw2, &pool[1], 50004, &server[1], "192.0.2.92",
	    9700);
	uf_at(u, u->fl.stats.last_ts + 100 * UF_MS);
	ask_app(s, true);
}

/*
 * nginx's storm: tries on pooled connections their servers closed, and
 * servers silent until the 1 s connect timeout, then the last, silent
 * (504), refusing (502) or a new connection that carried the request
 * and was closed without a byte (502). The earlier tries are found, in
 * order: the closed one just before the silent SYN (closed before, 504);
 * the silent SYN first, both closed ones between it and the refusal;
 * a closed one, the silent SYN, a closed one, the refusal: the first
 * found back past the silence. And so before a last try that carried
 * the request (the lab's storm: its try on a pooled connection before
 * the silence, or between it and the last, or both, were left out).
 */
enum chain_end { END_504, END_REFUSED, END_CARRIED };

struct closed_plan {
	bool closed_before;	/* a pooled try before the silent SYN */
	unsigned closed_after;	/* pooled tries after it: 0-2 */
	enum chain_end end;
};

static void
closed_then_failed(struct uf *u, const struct closed_plan *plan)
{
	struct scene s;
	struct uf_side cli2, gw2, pool[2], server[2], silent, last, out2;
	const struct txn *t;
	uint64_t tries[3], carried = 0;
	unsigned n = 0;

	uf_side_init(&silent, "192.0.2.94", 8080, 9000);
	uf_side_init(&last, plan->end == END_CARRIED ? "192.0.2.95" :
	    "192.0.2.93", 8080, 9300);
	uf_side_init(&out2, "10.0.0.1", 50005, 7500);
	storm_asks(u, &s, &cli2, &gw2, pool, server);
	uf_at(u, s.req_ts + 60 * US);
	if (plan->closed_before)
		tries[n++] = pooled_closed(u, &pool[1], &server[1]);
	uf_syn(u, &s.out, &silent);
	if (plan->end == END_504) {
		uf_at(u, u->fl.stats.last_ts + UF_S);
		gateway_answers(&s, 504);
	} else {
		uf_at(u, u->fl.stats.last_ts + UF_S + UF_MS);
		for (unsigned k = 0; k < plan->closed_after; k++)
			tries[n++] = pooled_closed(u, &pool[k], &server[k]);
		if (plan->end == END_CARRIED) {
			uf_handshake(u, &out2, &last);
			carried = pooled_closed(u, &out2, &last);
		} else {
			uf_syn(u, &out2, &last);
			uf_at(u, u->fl.stats.last_ts + 15 * US);
			uf_rst(u, &last, &out2);
			uf_at(u, u->fl.stats.last_ts + 40 * US);
		}
		gateway_answers(&s, 502);
	}
	uf_diagnose(u);
	t = uf_txn(u, 3);
	assert_int_equal(t->port, 80);
	if (plan->end == END_504)
		expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	else if (plan->end == END_REFUSED)
		expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	else {
		expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
		assert_int_equal(u->fl.msgs[t->d.up_req].head.number, carried);
	}
	assert_int_equal(t->d.ntries, n);
	for (unsigned k = 0; k < n; k++) {
		assert_int_equal(u->fl.msgs[t->d.tries[k]].head.number,
		    tries[k]);
		assert_int_equal(t->d.try_cause[k], C_UPSTREAM_CLOSED);
	}
}

static void
test_closed_then_failed(void **state)
{
	static const struct closed_plan plans[] = {
		{ true, 0, END_504 },
		{ false, 2, END_REFUSED },
		{ true, 1, END_REFUSED },
		{ true, 0, END_CARRIED },
		{ false, 1, END_CARRIED },
		{ true, 1, END_CARRIED },
		{ false, 2, END_CARRIED },
	};

	for (size_t k = 0; k < sizeof plans / sizeof plans[0]; k++)
		closed_then_failed(again(state), &plans[k]);
}

/*
 * nginx's storm under load (the lab's): t's request goes at once on a
 * pooled connection to 192.0.2.92, whose server closes it 12.5 ms later
 * (or resets it, or answers 503, which nginx tries the next server on);
 * meanwhile, 8 ms after t's request, another client asks for /other and
 * nginx's SYN for it to silent 192.0.2.94 leaves; after the close nginx
 * tries refusing 192.0.2.93, then a pooled connection to 192.0.2.91 that
 * closes too, then silent 192.0.2.94 until its 1 s connect timeout
 * (504). The SYN begun during t's pooled try is the other request's: t's
 * story is its two closed tries and its own silent SYN. And so when that
 * SYN goes to another server of the group (other_server: round robin),
 * which t's chain never tried: the pooled connection, warmed 100 ms
 * before (within the window's slack), is still a pool (pooled_send).
 */
enum pooled_end { POOLED_FIN, POOLED_RST, POOLED_503 };

static void
pooled_try_holds(struct uf *u, enum pooled_end how, const char *other_server)
{
	struct scene s;
	struct uf_side cli2, gw2, pool[2], server[2], silent, other_silent;
	struct uf_side other_out, out2, refusing;
	const struct txn *t;
	uint64_t tries[2];

	uf_side_init(&silent, "192.0.2.94", 8080, 9000);
	uf_side_init(&other_silent, other_server, 8080, 9100);
	uf_side_init(&refusing, "192.0.2.93", 8080, 9300);
	uf_side_init(&other_out, "10.0.0.1", 50006, 7700);
	uf_side_init(&out2, "10.0.0.1", 50005, 7500);
	storm_asks(u, &s, &cli2, &gw2, pool, server);
	uf_at(u, s.req_ts + 75 * US);
	tries[0] = uf_get(u, &pool[1], &server[1], "/app", APP);
	uf_at(u, s.req_ts + 8000 * US);
	uf_get(u, &cli2, &gw2, "/other", APP);
	uf_at(u, s.req_ts + 8280 * US);
	uf_syn(u, &other_out, &other_silent);
	uf_at(u, s.req_ts + 12470 * US);
	if (how == POOLED_FIN)
		uf_fin(u, &server[1], &pool[1]);
	else if (how == POOLED_RST)
		uf_rst(u, &server[1], &pool[1]);
	else
		uf_status(u, &server[1], &pool[1], 503);
	uf_at(u, s.req_ts + 19150 * US);
	if (how == POOLED_FIN)
		uf_fin(u, &pool[1], &server[1]);
	uf_syn(u, &out2, &refusing);
	uf_rst(u, &refusing, &out2);
	uf_at(u, s.req_ts + 19330 * US);
	tries[1] = pooled_closed(u, &pool[0], &server[0]);
	uf_syn(u, &s.out, &silent);
	uf_at(u, s.req_ts + 1033800 * US);
	gateway_answers(&s, 504);
	uf_diagnose(u);
	t = uf_txn(u, 3);
	assert_string_equal(flow_str(&u->fl, t->url), "http://" APP "/app");
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(u->fl.conns[t->d.conns[t->d.nconns - 1]].cport,
	    s.out.port);
	if (how == POOLED_503)
		return;	/* a 503 nginx went on from is not listed as a try */
	assert_int_equal(t->d.ntries, 2);
	for (unsigned k = 0; k < 2; k++)
		assert_int_equal(u->fl.msgs[t->d.tries[k]].head.number,
		    tries[k]);
}

static void
test_pooled_try_holds_the_request(void **state)
{
	pooled_try_holds(*state, POOLED_FIN, "192.0.2.94");
	pooled_try_holds(again(state), POOLED_RST, "192.0.2.94");
	pooled_try_holds(again(state), POOLED_503, "192.0.2.94");
	pooled_try_holds(again(state), POOLED_FIN, "192.0.2.95");
}

/*
 * nginx going on through its group (bench/revbusy 20,000 requests at
 * 2,000/s, seed 4, its requests 849 and 866): with `closed_first`, t's
 * try on a new connection to 192.0.2.92 is closed without a reply; then
 * nginx tries 192.0.2.93 and 192.0.2.94, both refused, each after the
 * one before, and sends t on its pooled connection to 192.0.2.91, whose
 * server answers 503, passed on. The refusals are t's attempts, between
 * two tries (link_prev_tries) or before the only one
 * (link_refused_before). And so when `busy`: another client's request
 * came just before the second refusal and is acted on only after t's
 * send, so by the loop's count t's send was not in turn for that
 * refusal: the latest refused goes first.
 */
static void
refusals_then_pooled(struct uf *u, bool closed_first, bool busy)
{
	struct scene s;
	struct uf_side cli2, gw2, pool[2], server[2], out, refusing;
	const struct txn *t;
	bool seen[4] = { false };	/* by address: .91 to .94 */
	int64_t at;

	uf_side_init(&out, "10.0.0.1", 50003, 7000);
	uf_side_init(&refusing, "192.0.2.94", 8080, 9000);
	storm_asks(u, &s, &cli2, &gw2, pool, server);
	uf_at(u, s.req_ts + 70 * US);
	if (closed_first)
		try_path(u, "192.0.2.92", 50001, END_CLOSE, 3600 * US);
	at = u->fl.stats.last_ts + 40 * US;
	refused_in(u, "192.0.2.93", 50002, at, 300 * US);
	uf_at(u, at + 340 * US);
	uf_syn(u, &out, &refusing);
	if (busy) {
		uf_at(u, at + 620 * US);
		uf_get(u, &cli2, &gw2, "/other", APP);
	}
	uf_at(u, at + 640 * US);
	uf_rst(u, &refusing, &out);
	uf_at(u, at + 690 * US);
	uf_get(u, &pool[0], &server[0], "/app", APP);
	if (busy) {
		uf_at(u, at + 890 * US);
		uf_get(u, &pool[1], &server[1], "/other", APP);
	}
	uf_at(u, at + 1690 * US);
	uf_status(u, &server[0], &pool[0], 503);
	uf_at(u, at + 1720 * US);
	gateway_answers(&s, 503);
	if (busy) {
		uf_at(u, at + 2030 * US);
		uf_status(u, &server[1], &pool[1], 200);
		uf_at(u, at + 2060 * US);
		uf_status(u, &gw2, &cli2, 200);
	}
	uf_diagnose(u);
	t = uf_txn(u, 3);
	assert_int_equal(u->fl.msgs[t->req].head.number, s.req);
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(u->fl.conns[t->d.up_conn].saddr.a[3], 91);
	assert_int_equal(t->d.ntries, closed_first);
	assert_int_equal(t->d.nconns, 3 + closed_first);
	for (unsigned k = 0; k < t->d.nconns; k++) {
		uint8_t a = u->fl.conns[t->d.conns[k]].saddr.a[3];

		assert_in_range(a, 91, 94);
		seen[a - 91] = true;
	}
	assert_true(seen[0] && seen[1] == closed_first && seen[2] && seen[3]);
}

static void
test_refusals_between_tries(void **state)
{
	refusals_then_pooled(*state, true, false);
	refusals_then_pooled(again(state), true, true);
}

static void
test_refusals_before_pooled(void **state)
{
	refusals_then_pooled(*state, false, false);
	refusals_then_pooled(again(state), false, true);
}

/*
 * A busy nginx (bench/revbusy 20,000 requests, seed 3, its request
 * 12128): t's request goes at once on a pooled connection to
 * 192.0.2.91, whose server closes it 0.4 ms later; nginx sends it at
 * once on its pooled connection to 192.0.2.92, which answers 200 29 ms
 * later. Meanwhile another client asks for the same path and nginx
 * opens a new connection to 192.0.2.92 for it, answered 18 us after t
 * was. t was served by its second pooled try (each failed pooled try's
 * next one holds it: pooled_held_ns), not by the other's connection.
 */
static void
test_second_pooled_try_serves(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, pool[2], server[2], other_out, app2;
	const struct txn *t, *o;
	uint64_t served, others;

	uf_side_init(&other_out, "10.0.0.1", 50006, 7700);
	uf_side_init(&app2, "192.0.2.92", 8080, 9900);
	storm_asks(u, &s, &cli2, &gw2, pool, server);
	uf_at(u, s.req_ts + 70 * US);
	uf_get(u, &pool[0], &server[0], "/app", APP);
	uf_at(u, s.req_ts + 480 * US);
	uf_fin(u, &server[0], &pool[0]);
	uf_at(u, s.req_ts + 520 * US);
	uf_fin(u, &pool[0], &server[0]);
	uf_at(u, s.req_ts + 556 * US);
	served = uf_get(u, &pool[1], &server[1], "/app", APP);
	uf_at(u, s.req_ts + 28610 * US);
	uf_get(u, &cli2, &gw2, "/app", APP);
	uf_at(u, s.req_ts + 28680 * US);
	uf_syn(u, &other_out, &app2);
	uf_at(u, s.req_ts + 29010 * US);
	uf_synack(u, &app2, &other_out);
	uf_at(u, s.req_ts + 29060 * US);
	others = uf_get(u, &other_out, &app2, "/app", APP);
	uf_at(u, s.req_ts + 29730 * US);
	uf_status(u, &server[1], &pool[1], 200);
	uf_at(u, s.req_ts + 29790 * US);
	gateway_answers(&s, 200);
	uf_at(u, s.req_ts + 29808 * US);
	uf_status(u, &app2, &other_out, 200);
	uf_at(u, s.req_ts + 29870 * US);
	uf_status(u, &gw2, &cli2, 200);
	uf_diagnose(u);
	t = uf_txn(u, 3);
	o = uf_txn(u, 4);
	assert_int_equal(u->fl.msgs[t->req].head.number, s.req);
	expect_verdict(t, V_OK, C_NONE);
	assert_int_not_equal(t->d.up_req, NONE32);
	assert_int_equal(u->fl.msgs[t->d.up_req].head.number, served);
	assert_int_not_equal(o->d.up_req, NONE32);
	assert_int_equal(u->fl.msgs[o->d.up_req].head.number, others);
}

/*
 * A popular path: another client asks for /app 0.1 ms after t, and the
 * gateway sends /app on a pooled connection 50 us later, served; t's try
 * is a SYN to silent 192.0.2.94 0.3 ms after its request, and t is
 * answered 504 at the connect timeout. The pooled request may be the
 * other client's: t's SYN is t's.
 */
static void
test_popular_path_pooled_other(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, pool, server, silent;
	const struct txn *t;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_handshake(u, &cli2, &gw2);
	pool_warm(u, &cli2, &gw2, &pool, 50004, &server, "192.0.2.92", 9700);
	uf_side_init(&silent, "192.0.2.94", 8080, 9000);
	uf_at(u, u->fl.stats.last_ts + 100 * UF_MS);
	ask_app(&s, true);
	uf_at(u, s.req_ts + 100 * US);
	uf_get(u, &cli2, &gw2, "/app", APP);
	uf_at(u, s.req_ts + 150 * US);
	uf_get(u, &pool, &server, "/app", APP);
	uf_at(u, s.req_ts + 300 * US);
	uf_syn(u, &s.out, &silent);
	uf_at(u, s.req_ts + 5 * UF_MS);
	uf_status(u, &server, &pool, 200);
	uf_status(u, &gw2, &cli2, 200);
	uf_at(u, s.req_ts + 300 * US + UF_S);
	gateway_answers(&s, 504);
	uf_diagnose(u);
	t = uf_txn(u, 2);
	assert_string_equal(flow_str(&u->fl, t->url), "http://" APP "/app");
	assert_int_equal(t->status, 504);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(u->fl.conns[t->d.conns[t->d.nconns - 1]].cport,
	    s.out.port);
}

/*
 * nginx sends A's request for /app at once on a pooled connection; its
 * server replies junk 24 ms later and keeps the socket 115 ms more;
 * nginx passes the junk on (HTTP/0.9) when it closes. Meanwhile B asked
 * for /app, sent at once on another pooled connection, and was served
 * (a slow page, after A's answer):
 * A's story is its own try's junk, not B's try (begun after A's ended)
 * taken for A's next one; nginx tries no server after junk.
 */
static void
test_junk_passed_on_at_close(void **state)
{
	static const char junk[] = "Traceback (most recent call last):\n";
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, pool1, pool2, server1, server2;
	const struct txn *ta, *tb;
	uint64_t up_a, up_b;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_handshake(u, &cli2, &gw2);
	pool_warm(u, &cli2, &gw2, &pool1, 50003, &server1, "192.0.2.91", 9500);
	pool_warm(u, &cli2, &gw2, &pool2, 50004, &server2, "192.0.2.92", 9700);
	uf_at(u, u->fl.stats.last_ts + 100 * UF_MS);
	ask_app(&s, true);
	uf_at(u, s.req_ts + 70 * US);
	up_a = uf_get(u, &pool1, &server1, "/app", APP);
	uf_at(u, s.req_ts + 24 * UF_MS);
	uf_send(u, &server1, &pool1, junk);
	uf_at(u, s.req_ts + 40 * UF_MS);
	uf_get(u, &cli2, &gw2, "/app", APP);
	uf_at(u, s.req_ts + 40 * UF_MS + 70 * US);
	up_b = uf_get(u, &pool2, &server2, "/app", APP);
	uf_at(u, s.req_ts + 140 * UF_MS);
	uf_fin(u, &server1, &pool1);
	uf_at(u, u->fl.stats.last_ts + 60 * US);
	uf_send(u, &u->srv, &u->cli, junk);
	uf_fin(u, &u->srv, &u->cli);
	uf_at(u, s.req_ts + 200 * UF_MS);
	uf_status(u, &server2, &pool2, 200);
	uf_status(u, &gw2, &cli2, 200);
	uf_diagnose(u);
	ta = uf_txn(u, 3);
	tb = uf_txn(u, 4);
	expect_verdict(ta, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_int_equal(u->fl.msgs[ta->d.up_req].head.number, up_a);
	assert_int_equal(ta->d.ntries, 0);
	expect_verdict(tb, V_OK, C_NONE);
	assert_int_equal(u->fl.msgs[tb->d.up_req].head.number, up_b);
}

/*
 * A busy nginx answers "no live upstreams" at once for one group while a
 * request of another group is refused and moves on: the other request;
 * t's request 46 us later; a SYN 24 us after t's request; t answered
 * 502 86 us after that; the refusal 0.36 ms after t's answer (within
 * the skew allowed between interfaces, yet a proxy cannot answer a
 * refusal it has not received); the other request's next server serves
 * it. t tried nothing. Nor did it when the refused attempt began 0.94
 * ms before t's request, after no client's request, and was refused
 * 0.46 ms before it (another request's next try).
 */
static void
test_answered_before_the_refusal(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, out, backend, next, out2;
	const struct txn *t1, *t2;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_handshake(u, &cli2, &gw2);
	uf_handshake(u, &u->cli, &u->srv);
	uf_side_init(&out, "10.0.0.1", 50001, 7000);
	uf_side_init(&backend, "192.0.2.91", 8080, 9000);
	uf_at(u, T0 + UF_S);
	uf_get(u, &cli2, &gw2, "/b", APP);
	uf_at(u, T0 + UF_S + 46 * US);
	uf_get(u, &u->cli, &u->srv, "/app", APP);
	uf_at(u, T0 + UF_S + 70 * US);
	uf_syn(u, &out, &backend);
	uf_at(u, T0 + UF_S + 156 * US);
	gateway_answers(&s, 502);
	uf_at(u, T0 + UF_S + 520 * US);
	uf_rst(u, &backend, &out);
	uf_side_init(&next, "192.0.2.92", 8080, 9500);
	uf_side_init(&out2, "10.0.0.1", 50002, 7500);
	uf_handshake(u, &out2, &next);
	uf_get(u, &out2, &next, "/b", APP);
	uf_status(u, &next, &out2, 200);
	uf_status(u, &gw2, &cli2, 200);
	diagnosed_two(u, &t1, &t2);
	expect_verdict(t1, V_OK, C_NONE);
	expect_verdict(t2, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t2->d.nconns, 0);

	u = again(state);
	scene_init(&s, u);
	uf_handshake(u, &u->cli, &u->srv);
	uf_side_init(&out, "10.0.0.1", 50003, 7000);
	uf_side_init(&backend, "192.0.2.93", 8080, 9000);
	uf_at(u, T0 + UF_S);
	uf_syn(u, &out, &backend);
	uf_at(u, T0 + UF_S + 480 * US);
	uf_rst(u, &backend, &out);
	uf_at(u, T0 + UF_S + 940 * US);
	uf_get(u, &u->cli, &u->srv, "/app", APP);
	uf_at(u, T0 + UF_S + 1050 * US);
	gateway_answers(&s, 502);
	t1 = diagnosed(&s);
	expect_verdict(t1, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t1->d.nconns, 0);
}

/*
 * t POSTs /app; nginx sends it on a new connection to 192.0.2.91, which
 * closes without a reply; another client's POST of /app goes on a pooled
 * connection to 192.0.2.92 just before t's 502 and is served. nginx does
 * not send a POST again once sent: t's last try is its first, and the
 * other's is not t's next.
 */
static void
test_post_not_sent_again(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, next, out2;
	const struct txn *t1, *t2;
	uint64_t up;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_side_init(&s.web, "192.0.2.91", 8080, 9000);
	uf_side_init(&next, "192.0.2.92", 8080, 9500);
	uf_side_init(&out2, "10.0.0.1", 50002, 7500);
	uf_handshake(u, &out2, &next);		/* the pool's */
	uf_get(u, &out2, &next, "/older", APP);
	uf_status(u, &next, &out2, 200);
	uf_handshake(u, &cli2, &gw2);
	uf_handshake(u, &u->cli, &u->srv);
	uf_at(u, T0 + UF_S);
	s.req = uf_send(u, &u->cli, &u->srv, POST_APP);
	s.req_ts = u->fl.stats.last_ts;
	uf_at(u, s.req_ts + 70 * US);
	uf_handshake(u, &s.out, &s.web);
	up = uf_send(u, &s.out, &s.web, POST_APP);
	uf_at(u, s.req_ts + 5 * UF_MS);
	uf_fin(u, &s.web, &s.out);
	uf_at(u, s.req_ts + 5500 * US);
	uf_send(u, &cli2, &gw2, POST_APP);
	uf_at(u, s.req_ts + 5600 * US);
	uf_send(u, &out2, &next, POST_APP);
	uf_at(u, s.req_ts + 5700 * US);
	gateway_answers(&s, 502);
	uf_status(u, &next, &out2, 200);
	uf_status(u, &gw2, &cli2, 200);
	diagnosed_two(u, &t1, &t2);
	expect_verdict(t1, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	assert_int_equal(u->fl.msgs[t1->d.up_req].head.number, up);
	assert_int_equal(t1->d.ntries, 0);
	expect_verdict(t2, V_OK, C_NONE);
}

/*
 * nginx's first try of t's GET /app closes without a reply; its next, on
 * a new connection to the group's next server at once, gets a 503 that
 * nginx relays. Linked by its reply (the status relayed), the last try
 * has the first before it, with its connection.
 */
static void
test_try_before_relayed(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side next, out2;
	const struct txn *t;

	scene_init(&s, u);
	ask_app(&s, true);
	uf_at(u, s.req_ts + 70 * US);
	try_path(u, "192.0.2.91", 50001, END_CLOSE, 2 * UF_MS);
	uf_side_init(&next, "192.0.2.92", 8080, 9500);
	uf_side_init(&out2, "10.0.0.1", 50002, 7500);
	uf_at(u, u->fl.stats.last_ts + 50 * US);
	uf_handshake(u, &out2, &next);
	uf_get(u, &out2, &next, "/app", APP);
	uf_status(u, &next, &out2, 503);
	gateway_answers(&s, 503);
	t = diagnosed(&s);
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(u->fl.conns[t->d.up_conn].saddr.a[3], 92);
	assert_int_equal(t->d.ntries, 1);
	assert_int_equal(t->d.try_cause[0], C_UPSTREAM_CLOSED);
	assert_int_equal(u->fl.conns[u->fl.msgs[t->d.tries[0]].conn].saddr.a[3],
	    91);
	assert_int_equal(t->d.nconns, 2);
}

/* A SYN from out (on `port`) to web at `at`, refused 20 us later. */
static void
refused_try(struct uf *u, struct uf_side *out, struct uf_side *web,
    uint16_t port, int64_t at)
{
	out->port = port;
	uf_at(u, at);
	uf_syn(u, out, web);
	uf_at(u, at + 20 * US);
	uf_rst(u, web, out);
}

/* Does one of t's attempts go to 192.0.2.<last>? */
static bool
tried_server(const struct uf *u, const struct txn *t, uint8_t last)
{
	for (unsigned k = 0; k < t->d.nconns; k++)
		if (u->fl.conns[t->d.conns[k]].saddr.a[3] == last)
			return true;
	return false;
}

/*
 * HAProxy under load (the reverse-proxy lab's busy round recorded on a
 * loaded machine): A's request for /app is refused by 192.0.2.93 and
 * tried there again 519 ms after each refusal (its turn-around, late),
 * four times, then answered 503. B asks for /b 0.2 ms before A's second
 * try, and B's path goes on a pooled connection to 192.0.2.92 0.1 ms
 * after that try's refusal, answered 503, relayed. The try is A's
 * retry, not B's try of the refusing server before the pooled one
 * (nginx's way): B has one attempt, A four. With TURN_NGINX the gateway
 * acted at once on A's refusal (192.0.2.94, which served A), so nothing
 * waited a turn-around, and with TURN_SOONER A's second try came 14 ms
 * before: either way the refusal just before B's pooled request is B's
 * first try. With TURN_LOADED B's request goes 3.8 ms after it came, to
 * a slow server that answers after A: the try 0.2 ms after B asked might
 * have been B's first, but it is the one HAProxy owed A then, A's retry.
 * With TURN_BUSY C asks 0.35 ms after A's first refusal and is tried at
 * once (192.0.2.91): the gateway acted for C then, not for the refusal.
 */
enum turn_mode {
	TURN_HAPROXY, TURN_NGINX, TURN_SOONER, TURN_LOADED, TURN_BUSY
};

static void
retry_before_pooled_send(struct uf *u, enum turn_mode mode)
{
	struct scene s;
	struct uf_side cli2, gw2, cli3, gw3, pool, server, pool1, server1;
	struct uf_side out2, next;
	const struct txn *a, *b;
	int64_t at, turn = 20 * US + 519 * UF_MS, a1;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_handshake(u, &cli2, &gw2);
	uf_side_init(&cli3, "10.0.0.7", 40002, 4000);
	gw3 = u->srv;
	uf_handshake(u, &cli3, &gw3);
	/* the host's requests go to several servers: none pinned */
	pool_warm(u, &cli2, &gw2, &pool1, 50003, &server1, "192.0.2.91",
	    9600);
	pool_warm(u, &cli2, &gw2, &pool, 50004, &server, "192.0.2.92", 9700);
	uf_side_init(&s.web, "192.0.2.93", 8080, 9000);
	uf_at(u, u->fl.stats.last_ts + 100 * UF_MS);
	ask_app(&s, true);
	at = s.req_ts + 100 * US;
	refused_try(u, &s.out, &s.web, 50010, at);
	if (mode == TURN_BUSY) {
		uf_at(u, at + 370 * US);
		uf_get(u, &cli3, &gw3, "/c", APP);
		uf_side_init(&out2, "10.0.0.1", 50021, 7600);
		uf_at(u, at + 600 * US);
		uf_handshake(u, &out2, &server1);
		uf_get(u, &out2, &server1, "/c", APP);
		uf_status(u, &server1, &out2, 200);
		uf_status(u, &gw3, &cli3, 200);
	}
	if (mode == TURN_NGINX) {
		uf_side_init(&out2, "10.0.0.1", 50020, 7600);
		uf_side_init(&next, "192.0.2.94", 8080, 9800);
		uf_at(u, at + 70 * US);
		uf_handshake(u, &out2, &next);
		uf_get(u, &out2, &next, "/app", APP);
		uf_status(u, &next, &out2, 200);
		gateway_answers(&s, 200);
	}
	at += turn;
	a1 = mode == TURN_SOONER ? at - 14 * UF_MS : at;
	if (mode == TURN_SOONER)
		refused_try(u, &s.out, &s.web, 50011, a1);
	uf_at(u, at - 200 * US);
	uf_get(u, &cli2, &gw2, "/b", APP);
	refused_try(u, &s.out, &s.web, mode == TURN_NGINX ||
	    mode == TURN_SOONER ? 50019 : 50011, at);
	uf_at(u, at + (mode == TURN_LOADED ? 3600 : 140) * US);
	uf_get(u, &pool, &server, "/b", APP);
	if (mode != TURN_LOADED) {
		uf_status(u, &server, &pool, 503);
		uf_status(u, &gw2, &cli2, 503);
	}
	if (mode != TURN_NGINX) {
		refused_try(u, &s.out, &s.web, 50012, a1 + turn);
		refused_try(u, &s.out, &s.web, 50013, a1 + 2 * turn);
		gateway_answers(&s, 503);
	}
	if (mode == TURN_LOADED) {	/* B waits on a slow server */
		uf_at(u, u->fl.stats.last_ts + UF_MS);
		uf_status(u, &server, &pool, 503);
		uf_status(u, &gw2, &cli2, 503);
	}
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, mode == TURN_BUSY ? 5 : 4);
	a = uf_txn(u, 3);
	b = uf_txn(u, mode == TURN_BUSY ? 5 : 4);
	assert_string_equal(flow_str(&u->fl, b->url), "http://" APP "/b");
	expect_verdict(b, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(u->fl.conns[b->d.up_conn].saddr.a[3], 92);
	assert_int_equal(tried_server(u, b, 93), mode == TURN_NGINX ||
	    mode == TURN_SOONER);
	if (mode == TURN_NGINX) {
		assert_int_equal(a->status, 200);
		assert_int_equal(u->fl.conns[a->d.up_conn].saddr.a[3], 94);
		return;
	}
	expect_verdict(a, V_CANNOT_CONNECT, C_TCP_RST);
	expect_four_tries(u, a, 50010);
}

static void
test_retry_before_pooled_send(void **state)
{
	retry_before_pooled_send(*state, TURN_HAPROXY);
	retry_before_pooled_send(again(state), TURN_NGINX);
	retry_before_pooled_send(again(state), TURN_SOONER);
	retry_before_pooled_send(again(state), TURN_LOADED);
	retry_before_pooled_send(again(state), TURN_BUSY);
}

/*
 * HAProxy tries C's request on refusing 192.0.2.93 at once and again
 * 519 ms after each refusal, four times (C still waits when the capture
 * ends); between C's first and second tries A asks for /app and is tried
 * there too, refused, and again a turn-around after each refusal, four
 * times, then answered 503; B's request between goes at once on a pooled
 * connection. C's retry in the second before A's request is a retry
 * after a turn-around, not something unknown that uses the address (a
 * health check, a port not watched) and hides A's retries among its.
 */
static void
test_turn_around_before_the_request(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, cli3, gw3, pool, server, out3;
	const struct txn *t;
	int64_t c0, a0, turn = 20 * US + 519 * UF_MS;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_handshake(u, &cli2, &gw2);
	pool_warm(u, &cli2, &gw2, &pool, 50004, &server, "192.0.2.92", 9700);
	uf_side_init(&s.web, "192.0.2.93", 8080, 9000);
	uf_side_init(&cli3, "10.0.0.7", 40002, 4000);
	uf_side_init(&out3, "10.0.0.1", 50030, 7700);
	gw3 = u->srv;
	uf_handshake(u, &cli3, &gw3);
	uf_at(u, u->fl.stats.last_ts + 100 * UF_MS);
	uf_get(u, &cli3, &gw3, "/c", APP);
	c0 = u->fl.stats.last_ts + 100 * US;
	refused_try(u, &out3, &s.web, 50030, c0);
	refused_try(u, &out3, &s.web, 50031, c0 + turn);
	uf_at(u, c0 + 738 * UF_MS);
	ask_app(&s, true);
	a0 = s.req_ts + 100 * US;
	refused_try(u, &s.out, &s.web, 50010, a0);
	refused_try(u, &out3, &s.web, 50032, c0 + 2 * turn);
	uf_at(u, a0 + turn - 200 * UF_MS);
	uf_get(u, &cli2, &gw2, "/b", APP);
	uf_get(u, &pool, &server, "/b", APP);
	uf_status(u, &server, &pool, 200);
	uf_status(u, &gw2, &cli2, 200);
	refused_try(u, &s.out, &s.web, 50011, a0 + turn);
	refused_try(u, &out3, &s.web, 50033, c0 + 3 * turn);
	refused_try(u, &s.out, &s.web, 50012, a0 + 2 * turn);
	refused_try(u, &s.out, &s.web, 50013, a0 + 3 * turn);
	gateway_answers(&s, 503);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 4);
	t = uf_txn(u, 3);
	assert_string_equal(flow_str(&u->fl, t->url), "http://" APP "/app");
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	expect_four_tries(u, t, 50010);
}

/*
 * HAProxy closes a client's connection with no reply when its server
 * closed on the request, and curl sends the request again at once, 0.4
 * ms after HAProxy sent the first upstream: the first request's try is
 * not the second's earlier try (sent before the second came, by less
 * than a clock's skew).
 */
static void
test_try_before_the_request(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, next, out2;
	const struct txn *t1, *t2;
	int64_t sent;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_handshake(u, &cli2, &gw2);
	ask_app(&s, true);
	uf_at(u, s.req_ts + 70 * US);
	try_path(u, "192.0.2.91", 50001, END_CLOSE, 100 * US);
	sent = u->fl.stats.last_ts - 100 * US;
	uf_at(u, sent + 150 * US);
	uf_fin(u, &u->srv, &u->cli);
	uf_at(u, sent + 400 * US);
	uf_get(u, &cli2, &gw2, "/app", APP);
	uf_side_init(&next, "192.0.2.92", 8080, 9500);
	uf_side_init(&out2, "10.0.0.1", 50002, 7500);
	uf_at(u, sent + 470 * US);
	uf_handshake(u, &out2, &next);
	uf_get(u, &out2, &next, "/app", APP);
	uf_at(u, u->fl.stats.last_ts + 100 * US);
	uf_fin(u, &next, &out2);
	uf_status(u, &gw2, &cli2, 502);
	diagnosed_two(u, &t1, &t2);
	expect_verdict(t2, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	assert_int_equal(u->fl.conns[t2->d.up_conn].saddr.a[3], 92);
	assert_int_equal(t2->d.ntries, 0);
	assert_int_equal(u->fl.conns[t1->d.up_conn].saddr.a[3], 91);
}

/* What happens in a storm of refusals (test_refusal_storm), in order:
 * TRY_A connects and sends A's request, FIN is the gateway's close of
 * it at its read timeout (TIMEOUT_A: A answered 504 then; SILENT_A: A
 * answered 504 at its last try's connect timeout); a SYN on a port
 * again is a retransmission. */
enum storm_do { ASK_A, ASK_B, SYN, RST, ANSWER_A, ANSWER_B, POOLED_B,
	RELAYED_B, TRY_A, FIN, TIMEOUT_A, ASK_B_APP, TRY_B, REPLY_B,
	POOLED_CLOSED, SILENT_A };

struct storm_step {
	int64_t at_us;
	enum storm_do what;
	uint8_t server;		/* 192.0.2.(90 + server):8080 */
	uint16_t port;		/* the gateway's for that attempt */
};

/* A chain's length: its servers end with 0. */
static unsigned
chain_len(const uint8_t *chain)
{
	unsigned n = 0;

	while (chain[n] != 0)
		n++;
	return n;
}

/*
 * Requests A and B tried in a storm of refusals (steps, in order): each
 * is linked to chain_a's and chain_b's servers (0 ends them), in turn,
 * the last refused (A's timed out when answered so); with no chain_b, B
 * is served (200) on a connection to server 1 opened before (POOLED_B,
 * RELAYED_B) or on a try of its own (TRY_B, REPLY_B). B may ask first,
 * and for A's path (ASK_B_APP).
 */
static void
storm(struct uf *u, const struct storm_step *steps, size_t n,
    const uint8_t *chain_a, const uint8_t *chain_b)
{
	struct scene s;
	struct uf_side cli2, gw2, out[16], server[5], pooled;
	const struct txn *ta, *tb;
	const char *b_path = "/b";
	enum storm_do answer_a = ANSWER_A;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_handshake(u, &u->cli, &u->srv);
	uf_handshake(u, &cli2, &gw2);
	for (unsigned k = 1; k <= 4; k++) {
		char addr[16];

		snprintf(addr, sizeof addr, "192.0.2.%u", 90 + k);
		uf_side_init(&server[k], addr, 8080, 9000 + k * 500);
	}
	uf_side_init(&pooled, "10.0.0.1", 50009, 8000);
	uf_handshake(u, &pooled, &server[1]);
	uf_get(u, &pooled, &server[1], "/warm", APP);
	uf_status(u, &server[1], &pooled, 200);
	for (size_t i = 0; i < n; i++) {
		const struct storm_step *st = &steps[i];
		struct uf_side *o = &out[st->port % 16];

		uf_at(u, T0 + UF_S + st->at_us * US);
		if (st->what == ASK_A)
			uf_get(u, &u->cli, &u->srv, "/app", APP);
		else if (st->what == ASK_B || st->what == ASK_B_APP) {
			b_path = st->what == ASK_B ? "/b" : "/app";
			uf_get(u, &cli2, &gw2, b_path, APP);
		}
		else if (st->what == ANSWER_A || st->what == TIMEOUT_A ||
		    st->what == SILENT_A) {
			answer_a = st->what;
			gateway_answers(&s, answer_a == ANSWER_A ? 502 : 504);
		}
		else if (st->what == ANSWER_B)
			uf_status(u, &gw2, &cli2, 502);
		else if (st->what == POOLED_B)
			uf_get(u, &pooled, &server[1], b_path, APP);
		else if (st->what == POOLED_CLOSED)
			uf_fin(u, &server[1], &pooled);
		else if (st->what == REPLY_B) {
			uf_status(u, &server[st->server], o, 200);
			uf_status(u, &gw2, &cli2, 200);
		}
		else if (st->what == RELAYED_B) {
			uf_status(u, &server[1], &pooled, 200);
			uf_status(u, &gw2, &cli2, 200);
		}
		else if (st->what == SYN) {
			uf_side_init(o, "10.0.0.1", st->port, 7000);
			uf_syn(u, o, &server[st->server]);
		} else if (st->what == TRY_A || st->what == TRY_B) {
			uf_side_init(o, "10.0.0.1", st->port, 7000);
			uf_handshake(u, o, &server[st->server]);
			uf_get(u, o, &server[st->server],
			    st->what == TRY_A ? "/app" : b_path, APP);
		} else if (st->what == FIN)
			uf_fin(u, o, &server[st->server]);
		else
			uf_rst(u, &server[st->server], o);
	}
	diagnosed_two(u, &ta, &tb);
	if (u->fl.conns[ta->conn].cport == cli2.port) {	/* B asked first */
		const struct txn *x = ta;

		ta = tb;
		tb = x;
	}
	if (answer_a == TIMEOUT_A)
		expect_verdict(ta, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	else if (answer_a == SILENT_A)
		expect_verdict(ta, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	else
		expect_verdict(ta, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(ta->d.nconns, chain_len(chain_a));
	for (unsigned k = 0; k < chain_len(chain_a); k++)
		assert_int_equal(u->fl.conns[ta->d.conns[k]].saddr.a[3],
		    90 + chain_a[k]);
	if (chain_b == NULL) {
		expect_verdict(tb, V_OK, C_NONE);
		return;
	}
	expect_verdict(tb, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(tb->d.nconns, chain_len(chain_b));
	for (unsigned k = 0; k < chain_len(chain_b); k++)
		assert_int_equal(u->fl.conns[tb->d.conns[k]].saddr.a[3],
		    90 + chain_b[k]);
}

/* storm() of a table of steps. */
#define STORM(u, steps, chain_a, chain_b) \
	storm((u), (steps), sizeof (steps) / sizeof (steps)[0], (chain_a), \
	    (chain_b))

/*
 * A group whose four servers all refuse (restarted at once): requests A
 * and B, each tried on every server in turn (nginx: the next one 50 us
 * after a refusal). Each is linked to its own first try, the first
 * begun after it, and its chain: not to another request's next try
 * because it was refused just before the answer (its own next tries
 * were), nor to a first try whose server another request tried last;
 * and when B's last try, to the server A tried first, begins after A's
 * answer, it is another request's, not a retry of a request still
 * waiting that would make A's first try not A's. When B's refusal comes
 * just before A's (46 us) and both next tries follow (4 and 50 us after
 * A's), the event loop acted on them in the order they came: the first
 * next try is B's. B's last refusal, answered before A's first, was
 * acted on by that answer: A's next try is the first after its refusal.
 * B's request, come 62 us before A's refusal, was acted on first too:
 * the first attempt after that refusal is B's first try; but not when
 * it was sent on a pooled connection before the refusal (then the
 * attempt after A's is A's, the one after that another's).
 */
static void
test_refusal_storm(void **state)
{
	static const struct storm_step b_tries_last[] = {
		{ 0, ASK_A, 0, 0 }, { 31, ASK_B, 0, 0 },
		{ 70, SYN, 4, 50001 }, { 101, SYN, 1, 50002 },
		{ 322, RST, 4, 50001 }, { 372, SYN, 2, 50003 },
		{ 400, RST, 1, 50002 }, { 450, SYN, 3, 50004 },
		{ 620, RST, 2, 50003 }, { 670, SYN, 1, 50005 },
		{ 700, RST, 3, 50004 }, { 750, SYN, 2, 50006 },
		{ 900, RST, 1, 50005 }, { 950, SYN, 3, 50007 },
		{ 1200, RST, 3, 50007 }, { 1250, ANSWER_A, 0, 0 },
		{ 1280, RST, 2, 50006 }, { 1330, SYN, 4, 50008 },
		{ 1600, RST, 4, 50008 }, { 1650, ANSWER_B, 0, 0 },
	}, b_tries_first[] = {
		{ 0, ASK_A, 0, 0 }, { 31, ASK_B, 0, 0 },
		{ 70, SYN, 4, 50001 }, { 101, SYN, 1, 50002 },
		{ 322, RST, 4, 50001 }, { 372, SYN, 2, 50003 },
		{ 400, RST, 1, 50002 }, { 450, SYN, 3, 50004 },
		{ 620, RST, 2, 50003 }, { 670, SYN, 1, 50005 },
		{ 700, RST, 3, 50004 }, { 750, SYN, 4, 50006 },
		{ 900, RST, 1, 50005 }, { 950, SYN, 3, 50007 },
		{ 1000, RST, 4, 50006 }, { 1050, SYN, 2, 50008 },
		{ 1200, RST, 3, 50007 }, { 1250, ANSWER_A, 0, 0 },
		{ 1300, RST, 2, 50008 }, { 1350, ANSWER_B, 0, 0 },
	}, refusals_crossed[] = {
		{ 0, ASK_A, 0, 0 }, { 31, ASK_B, 0, 0 },
		{ 70, SYN, 4, 50001 }, { 101, SYN, 1, 50002 },
		{ 322, RST, 4, 50001 }, { 372, SYN, 2, 50003 },
		{ 660, RST, 1, 50002 }, { 706, RST, 2, 50003 },
		{ 710, SYN, 3, 50004 }, { 756, SYN, 1, 50005 },
		{ 1000, RST, 3, 50004 }, { 1050, SYN, 2, 50006 },
		{ 1100, RST, 1, 50005 }, { 1150, SYN, 3, 50007 },
		{ 1300, RST, 2, 50006 }, { 1350, SYN, 4, 50008 },
		{ 1400, RST, 3, 50007 }, { 1450, ANSWER_A, 0, 0 },
		{ 1600, RST, 4, 50008 }, { 1650, ANSWER_B, 0, 0 },
	}, b_answered_first[] = {
		{ 0, ASK_A, 0, 0 }, { 31, ASK_B, 0, 0 },
		{ 70, SYN, 4, 50001 }, { 101, SYN, 1, 50002 },
		{ 150, RST, 1, 50002 }, { 200, SYN, 3, 50003 },
		{ 250, RST, 3, 50003 }, { 300, SYN, 2, 50004 },
		{ 350, RST, 2, 50004 }, { 400, SYN, 4, 50005 },
		{ 450, RST, 4, 50005 }, { 500, ANSWER_B, 0, 0 },
		{ 700, RST, 4, 50001 }, { 750, SYN, 2, 50006 },
		{ 900, RST, 2, 50006 }, { 950, SYN, 1, 50007 },
		{ 1100, RST, 1, 50007 }, { 1150, SYN, 3, 50008 },
		{ 1300, RST, 3, 50008 }, { 1350, ANSWER_A, 0, 0 },
	}, b_asked_before_refusal[] = {
		{ 0, ASK_A, 0, 0 }, { 70, SYN, 2, 50001 },
		{ 400, RST, 2, 50001 }, { 450, SYN, 3, 50002 },
		{ 900, RST, 3, 50002 }, { 950, SYN, 4, 50003 },
		{ 1138, ASK_B, 0, 0 }, { 1200, RST, 4, 50003 },
		{ 1208, SYN, 2, 50004 }, { 1250, SYN, 1, 50005 },
		{ 1700, RST, 1, 50005 }, { 1710, RST, 2, 50004 },
		{ 1750, ANSWER_A, 0, 0 }, { 1760, SYN, 3, 50006 },
		{ 2000, RST, 3, 50006 }, { 2050, SYN, 4, 50007 },
		{ 2300, RST, 4, 50007 }, { 2350, SYN, 1, 50008 },
		{ 2600, RST, 1, 50008 }, { 2650, ANSWER_B, 0, 0 },
	}, b_on_pooled[] = {
		{ 0, ASK_A, 0, 0 }, { 70, SYN, 2, 50001 },
		{ 400, RST, 2, 50001 }, { 450, SYN, 3, 50002 },
		{ 900, RST, 3, 50002 }, { 950, SYN, 4, 50003 },
		{ 1138, ASK_B, 0, 0 }, { 1160, POOLED_B, 0, 0 },
		{ 1200, RST, 4, 50003 }, { 1250, SYN, 1, 50004 },
		{ 1300, SYN, 2, 50005 }, { 1400, RELAYED_B, 0, 0 },
		{ 1700, RST, 1, 50004 }, { 1710, RST, 2, 50005 },
		{ 1750, ANSWER_A, 0, 0 },
	};
	static const uint8_t chain_a[] = { 4, 2, 1, 3, 0 };
	static const uint8_t last_b[] = { 1, 3, 2, 4, 0 }, first_b[] = { 1, 3,
	    4, 2, 0 };
	static const uint8_t late_a[] = { 2, 3, 4, 1, 0 }, late_b[] = { 2, 3,
	    4, 1, 0 };

	STORM(*state, b_tries_last, chain_a, last_b);
	STORM(again(state), b_tries_first, chain_a, first_b);
	STORM(again(state), refusals_crossed, chain_a, last_b);
	STORM(again(state), b_answered_first, chain_a, last_b);
	STORM(again(state), b_asked_before_refusal, late_a, late_b);
	STORM(again(state), b_on_pooled, late_a, NULL);
}

/*
 * nginx whose group's servers drop SYNs or refuse, its connect timeout
 * 2 s, its read timeout 3 s (the steps' times in us; each request
 * answered after the other's tries are linked or not). A's first try is
 * silent (two SYNs); at its connect timeout nginx goes on through
 * refusals to the answer: each next try begun in the loop's turn for a
 * refusal, the first by the timeout itself, not after B's refusal 0.27
 * ms before it (B's next try acted on that one). After a read timeout:
 * a refusal (its answer 2 s later: a silent try and its connect timeout
 * between), a silent try, a refusal. Two silent tries in a row: the
 * second is the one begun by the first's connect timeout whose own
 * timeout, as long, leads on to the refusals, not B's silent try begun
 * 5 ms before it. A silent try, a refusal, a try that connects and
 * times out, a refusal: the refusal between is kept. The first try:
 * the one begun at once for A, not B's refused 16 ms after A's request,
 * though A's last try was refused by that server (2 s later: another
 * request's, not a retry). And of two attempts begun at A's read
 * timeout, the silent one is A's next try, not the one refused, though a
 * request for A's path follows 30 ms after that refusal: a next try
 * after a refusal is begun in the same turn. And a try that carried the
 * request and timed out (504) has the refusals before it, back to the
 * one begun in turn for A's request, not B's refusal between (B's
 * answer acted on it). And when A's answer is a 504 at its silent try's
 * connect timeout, the refusals up to it are B's, not A's next tries:
 * nginx answers 502 after a refusal, 504 only after a timeout; but a
 * refusal between A's silent try and one that connected and timed out
 * (504) is A's.
 */
static void
test_silence_then_refusals(void **state)
{
	static const struct storm_step timeout_then_refused[] = {
		{ 0, ASK_A, 0, 0 }, { 70, SYN, 1, 50001 },
		{ 1000070, SYN, 1, 50001 }, { 1999500, ASK_B, 0, 0 },
		{ 1999570, SYN, 4, 50002 }, { 1999800, RST, 4, 50002 },
		{ 1999850, SYN, 3, 50005 }, { 2000070, SYN, 2, 50003 },
		{ 2000500, RST, 2, 50003 }, { 2000550, SYN, 4, 50004 },
		{ 2000950, RST, 4, 50004 }, { 2001000, ANSWER_A, 0, 0 },
		{ 2999850, SYN, 3, 50005 }, { 3999850, SYN, 2, 50006 },
		{ 4000100, RST, 2, 50006 }, { 4000150, ANSWER_B, 0, 0 },
	}, refused_between[] = {
		{ 0, ASK_A, 0, 0 }, { 70, TRY_A, 1, 50001 },
		{ 3000070, FIN, 1, 50001 }, { 3000120, SYN, 2, 50002 },
		{ 3000500, RST, 2, 50002 }, { 3000550, SYN, 3, 50003 },
		{ 4000550, SYN, 3, 50003 }, { 5000550, SYN, 4, 50004 },
		{ 5000900, RST, 4, 50004 }, { 5000950, ANSWER_A, 0, 0 },
		{ 6000000, ASK_B, 0, 0 }, { 6000050, SYN, 1, 50005 },
		{ 6000300, RST, 1, 50005 }, { 6000350, ANSWER_B, 0, 0 },
	}, silent_twice[] = {
		{ 0, ASK_A, 0, 0 }, { 70, SYN, 1, 50001 },
		{ 1000070, SYN, 1, 50001 }, { 1995000, ASK_B, 0, 0 },
		{ 1995070, SYN, 4, 50005 }, { 2000070, SYN, 2, 50002 },
		{ 2995070, SYN, 4, 50005 }, { 3000070, SYN, 2, 50002 },
		{ 3995070, SYN, 1, 50006 }, { 4000070, SYN, 3, 50003 },
		{ 4000400, RST, 3, 50003 }, { 4000450, SYN, 4, 50004 },
		{ 4000800, RST, 4, 50004 }, { 4000850, ANSWER_A, 0, 0 },
		{ 4995070, SYN, 1, 50006 }, { 5995070, SYN, 3, 50007 },
		{ 5995400, RST, 3, 50007 }, { 5995450, ANSWER_B, 0, 0 },
	}, refused_then_connected[] = {
		{ 0, ASK_A, 0, 0 }, { 70, SYN, 1, 50001 },
		{ 1000070, SYN, 1, 50001 }, { 2000070, SYN, 2, 50002 },
		{ 2000400, RST, 2, 50002 }, { 2000450, TRY_A, 3, 50003 },
		{ 5000450, FIN, 3, 50003 }, { 5000500, SYN, 4, 50004 },
		{ 5000850, RST, 4, 50004 }, { 5000900, ANSWER_A, 0, 0 },
		{ 6000000, ASK_B, 0, 0 }, { 6000050, SYN, 1, 50005 },
		{ 6000300, RST, 1, 50005 }, { 6000350, ANSWER_B, 0, 0 },
	}, first_at_once[] = {
		{ 0, ASK_A, 0, 0 }, { 70, SYN, 2, 50001 },
		{ 15950, ASK_B, 0, 0 }, { 16000, SYN, 4, 50002 },
		{ 16300, RST, 4, 50002 }, { 16350, SYN, 3, 50005 },
		{ 1000070, SYN, 2, 50001 }, { 1016350, SYN, 3, 50005 },
		{ 2000070, SYN, 1, 50003 }, { 2000400, RST, 1, 50003 },
		{ 2000450, SYN, 4, 50004 }, { 2000800, RST, 4, 50004 },
		{ 2000850, ANSWER_A, 0, 0 }, { 2016350, SYN, 1, 50006 },
		{ 2016700, RST, 1, 50006 }, { 2016750, ANSWER_B, 0, 0 },
	};
	static const struct storm_step refused_for_none[] = {
		{ 0, ASK_A, 0, 0 }, { 70, TRY_A, 1, 50001 },
		{ 3000070, FIN, 1, 50001 }, { 3000100, SYN, 2, 50002 },
		{ 3000120, SYN, 3, 50003 }, { 3000400, RST, 2, 50002 },
		{ 3030400, TRY_A, 4, 50004 }, { 4000120, SYN, 3, 50003 },
		{ 5000120, SYN, 1, 50005 }, { 5000450, RST, 1, 50005 },
		{ 5000500, ANSWER_A, 0, 0 }, { 6000000, ASK_B, 0, 0 },
		{ 6000050, SYN, 2, 50006 }, { 6000300, RST, 2, 50006 },
		{ 6000350, ANSWER_B, 0, 0 },
	};
	static const struct storm_step refused_then_carried[] = {
		{ 0, ASK_A, 0, 0 }, { 70, SYN, 1, 50001 },
		{ 200, ASK_B, 0, 0 }, { 230, SYN, 2, 50002 },
		{ 300, RST, 1, 50001 }, { 350, SYN, 3, 50003 },
		{ 380, RST, 2, 50002 }, { 400, ANSWER_B, 0, 0 },
		{ 600, RST, 3, 50003 }, { 650, TRY_A, 4, 50004 },
		{ 3000650, FIN, 4, 50004 }, { 3000700, TIMEOUT_A, 0, 0 },
	};
	static const struct storm_step silent_at_answer[] = {
		{ 0, ASK_A, 0, 0 }, { 70, SYN, 1, 50001 },
		{ 1000070, SYN, 1, 50001 }, { 1998000, ASK_B, 0, 0 },
		{ 1998070, SYN, 2, 50002 }, { 1998400, RST, 2, 50002 },
		{ 1998450, SYN, 3, 50003 }, { 1999300, RST, 3, 50003 },
		{ 1999350, SYN, 4, 50004 }, { 1999900, RST, 4, 50004 },
		{ 2000100, SILENT_A, 0, 0 }, { 2000300, ANSWER_B, 0, 0 },
	}, refused_then_timed_out[] = {
		{ 0, ASK_A, 0, 0 }, { 70, SYN, 1, 50001 },
		{ 1000070, SYN, 1, 50001 }, { 2000070, SYN, 2, 50002 },
		{ 2000400, RST, 2, 50002 }, { 2000450, TRY_A, 3, 50003 },
		{ 5000450, FIN, 3, 50003 }, { 5000500, TIMEOUT_A, 0, 0 },
		{ 6000000, ASK_B, 0, 0 }, { 6000050, SYN, 1, 50005 },
		{ 6000300, RST, 1, 50005 }, { 6000350, ANSWER_B, 0, 0 },
	};
	static const uint8_t a1[] = { 1, 2, 4, 0 }, b1[] = { 4, 3, 2, 0 };
	static const uint8_t a8[] = { 1, 0 }, b8[] = { 2, 3, 4, 0 };
	static const uint8_t a9[] = { 1, 2, 3, 0 }, b9[] = { 1, 0 };
	static const uint8_t a7[] = { 1, 3, 4, 0 }, b7[] = { 2, 0 };
	static const uint8_t a6[] = { 1, 3, 1, 0 }, b6[] = { 2, 0 };
	static const uint8_t a2[] = { 1, 2, 3, 4, 0 }, b2[] = { 1, 0 };
	static const uint8_t a3[] = { 1, 2, 3, 4, 0 }, b3[] = { 4, 1, 3, 0 };
	static const uint8_t a5[] = { 2, 1, 4, 0 }, b5[] = { 4, 3, 1, 0 };

	STORM(*state, timeout_then_refused, a1, b1);
	STORM(again(state), refused_between, a2, b2);
	STORM(again(state), silent_twice, a3, b3);
	STORM(again(state), refused_then_connected, a2, b2);
	STORM(again(state), first_at_once, a5, b5);
	STORM(again(state), refused_for_none, a6, b6);
	STORM(again(state), refused_then_carried, a7, b7);
	STORM(again(state), silent_at_answer, a8, b8);
	STORM(again(state), refused_then_timed_out, a9, b9);
}

/*
 * A success answered first must not take a later request's try that
 * carried the same path and got no reply (what a success fits: its
 * reply may be lost) by being the connection begun nearest it within
 * the second a reverse proxy may take to act: B asked for /app first
 * and nginx went at once, on a new connection (a silent SYN; its 200
 * came from its next try after the connect timeout) or on a pooled one
 * (silent until the read timeout; its next try answered); A's request
 * for /app, 84 ms and 674 ms later, went on its own connection, silent
 * until the read timeout, then to two refusing servers. A's story is
 * that carrier and the refusals, not just the refusals. But when the
 * server closed the pooled connection as B's request went out (the
 * keep-alive race), the connection opened just after is B's next try,
 * and that pooled request its first (nginx's $upstream_addr names it).
 */
static void
test_success_leaves_later_carrier(void **state)
{
	static const struct storm_step syn_at_once[] = {
		{ 0, ASK_B_APP, 0, 0 }, { 70, SYN, 3, 50001 },
		{ 84000, ASK_A, 0, 0 }, { 84070, TRY_A, 2, 50002 },
		{ 1000070, SYN, 3, 50001 }, { 2000070, TRY_B, 4, 50003 },
		{ 2000400, REPLY_B, 4, 50003 }, { 3084070, FIN, 2, 50002 },
		{ 3084120, SYN, 1, 50004 }, { 3084400, RST, 1, 50004 },
		{ 3084450, SYN, 4, 50005 }, { 3084800, RST, 4, 50005 },
		{ 3084850, ANSWER_A, 0, 0 },
	}, pooled_closed[] = {
		{ 0, ASK_B_APP, 0, 0 }, { 70, POOLED_B, 0, 0 },
		{ 600, POOLED_CLOSED, 0, 0 }, { 650, SYN, 2, 50002 },
		{ 1000650, SYN, 2, 50002 }, { 2000650, SYN, 3, 50003 },
		{ 2001000, RST, 3, 50003 }, { 2001050, ANSWER_B, 0, 0 },
		{ 2500000, ASK_A, 0, 0 }, { 2500070, SYN, 4, 50004 },
		{ 2500400, RST, 4, 50004 }, { 2500450, ANSWER_A, 0, 0 },
	}, pooled_at_once[] = {
		{ 0, ASK_B_APP, 0, 0 }, { 70, POOLED_B, 0, 0 },
		{ 674000, ASK_A, 0, 0 }, { 674070, TRY_A, 2, 50002 },
		{ 3000100, TRY_B, 3, 50003 }, { 3000500, REPLY_B, 3, 50003 },
		{ 3674070, FIN, 2, 50002 }, { 3674120, SYN, 4, 50004 },
		{ 3674400, RST, 4, 50004 }, { 3674450, ANSWER_A, 0, 0 },
	};
	static const uint8_t a1[] = { 2, 1, 4, 0 }, a2[] = { 2, 4, 0 };
	static const uint8_t a3[] = { 4, 0 }, b3[] = { 1, 2, 3, 0 };

	STORM(*state, syn_at_once, a1, NULL);
	STORM(again(state), pooled_at_once, a2, NULL);
	STORM(again(state), pooled_closed, a3, b3);
}

/*
 * A's first two tries are silent until nginx's connect timeout (2 s
 * each), then two servers refuse it; B, come just before the second
 * timeout, goes through the group's servers in turn, and its last try,
 * to the server A tried first, begins after A's answer, 50 us after B's
 * refusal before it: a next try in B's chain, not the gateway trying
 * A's silent server again for a request still waiting (which would make
 * that try not A's and leave A with nothing).
 */
static void
test_next_try_after_answer(void **state)
{
	static const struct storm_step steps[] = {
		{ 0, ASK_A, 0, 0 }, { 70, SYN, 3, 50001 },
		{ 1000070, SYN, 3, 50001 }, { 2000070, SYN, 2, 50002 },
		{ 3000070, SYN, 2, 50002 }, { 3999500, ASK_B, 0, 0 },
		{ 3999570, SYN, 4, 50003 }, { 3999950, RST, 4, 50003 },
		{ 4000000, SYN, 2, 50004 }, { 4000070, SYN, 1, 50008 },
		{ 4000400, RST, 1, 50008 }, { 4000450, SYN, 4, 50005 },
		{ 4000500, RST, 2, 50004 }, { 4000550, SYN, 1, 50006 },
		{ 4000800, RST, 4, 50005 }, { 4000850, ANSWER_A, 0, 0 },
		{ 4000900, RST, 1, 50006 }, { 4000950, SYN, 3, 50007 },
		{ 4001300, RST, 3, 50007 }, { 4001350, ANSWER_B, 0, 0 },
	};
	static const uint8_t a[] = { 3, 2, 1, 4, 0 }, b[] = { 4, 2, 1, 3, 0 };

	STORM(*state, steps, a, b);
}

/*
 * nginx acts on A's request 2.5 ms later (a busy worker): a connection
 * refused, the next server's SYN 67 us after the refusal unanswered, a
 * 504 at that one's connect timeout (1 s). A 504 answers a timeout:
 * the refused attempt is not its last, the silent one is.
 */
static void
test_504_not_refused(void **state)
{
	static const struct storm_step late_turn[] = {
		{ 0, ASK_A, 0, 0 }, { 2472, SYN, 3, 50001 },
		{ 2487, RST, 3, 50001 }, { 2554, SYN, 4, 50002 },
		{ 1002650, SILENT_A, 0, 0 }, { 1100000, ASK_B, 0, 0 },
		{ 1100070, SYN, 3, 50003 }, { 1100300, RST, 3, 50003 },
		{ 1100350, ANSWER_B, 0, 0 },
	};
	static const uint8_t a[] = { 4, 0 }, b[] = { 3, 0 };

	STORM(*state, late_turn, a, b);
}

/* refused_in 10 us later (a server on the LAN); the next frame 100 us
 * after `at`. */
static void
refused_soon(struct uf *u, const char *addr, uint16_t port, int64_t at)
{
	refused_in(u, addr, port, at, 10 * US);
	uf_at(u, at + 100 * US);
}

/* path tried on a new connection from out (10.0.0.1:port) to app
 * (192.0.2.91:8080), which closes it without a reply; returns when. */
static int64_t
closed_try(struct uf *u, struct uf_side *out, struct uf_side *app,
    uint16_t port, const char *path)
{
	uf_side_init(out, "10.0.0.1", port, 8000);
	uf_side_init(app, "192.0.2.91", 8080, 8500);
	uf_handshake(u, out, app);
	uf_get(u, out, app, path, APP);
	uf_fin(u, app, out);
	return u->fl.stats.last_ts;
}

/*
 * R's try of /app on a new connection to 192.0.2.91, closed by its
 * server; the gateway's own close `own` after that, its refused attempt
 * to 192.0.2.93 `refusal` after it, the 502 100 us after the refusal.
 * That refusal is R's next try.
 */
static void
expect_refused_next(struct uf *u, int64_t own, int64_t refusal)
{
	struct scene s;
	struct uf_side out1, app1;
	const struct txn *t;
	int64_t closed;

	scene_init(&s, u);
	ask_app(&s, true);
	closed = closed_try(u, &out1, &app1, 52000, "/app");
	if (own < refusal) {
		uf_at(u, closed + own);
		uf_fin(u, &out1, &app1);
	}
	refused_soon(u, "192.0.2.93", 52001, closed + refusal);
	gateway_answers(&s, 502);
	if (own >= refusal) {
		uf_at(u, closed + own);
		uf_fin(u, &out1, &app1);
	}
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.ntries, 1);
	assert_int_equal(t->d.try_cause[0], C_UPSTREAM_CLOSED);
	assert_int_equal(u->fl.conns[t->d.conns[t->d.nconns - 1]].saddr.a[3],
	    93);
}

/*
 * nginx reads its server's close late when busy (the lab's storm: 7 ms),
 * closes its own side and only then tries the next server
 * (ngx_http_upstream_next): the refused attempt begun just after the
 * gateway's own close is the next try, though it began long after the
 * server's.
 */
static void
test_next_try_after_own_close(void **state)
{
	expect_refused_next(*state, 7 * UF_MS, 7 * UF_MS + 50 * US);
}

/*
 * A proxy that tries the next server before it closes its side of the
 * closed try, which it does only 60 ms later (a lingering close): its own
 * close is no turn of its loop, the refusal begun just after the server's
 * close is the next try.
 */
static void
test_next_try_before_own_close(void **state)
{
	expect_refused_next(*state, 60 * UF_MS, 300 * US);
}

/*
 * The storm again: R's server closed, and before the gateway read it
 * (0.5 ms), another client's try of /other closed too, and the gateway
 * tried that one's next server, refused. That refusal came just after
 * R's server closed, but before the gateway closed R's side: it is not
 * R's next try; R ends at its closed one (nginx's next for it would
 * follow its close).
 */
static void
test_refusal_before_own_close(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side out1, app1, out2, app2, cli2, gw2;
	const struct txn *t;
	int64_t closed;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_handshake(u, &cli2, &gw2);
	ask_app(&s, true);
	uf_get(u, &cli2, &gw2, "/other", APP);
	closed_try(u, &out2, &app2, 52002, "/other");
	closed = closed_try(u, &out1, &app1, 52000, "/app");
	uf_at(u, closed + 50 * US);
	uf_fin(u, &out2, &app2);
	refused_soon(u, "192.0.2.93", 52001, closed + 100 * US);
	uf_at(u, closed + 500 * US);
	uf_fin(u, &out1, &app1);
	uf_at(u, closed + 600 * US);
	gateway_answers(&s, 502);
	uf_at(u, closed + 700 * US);
	uf_status(u, &gw2, &cli2, 502);
	uf_diagnose(u);
	t = uf_txn(u, 1);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	assert_int_equal(u->fl.conns[t->d.up_conn].saddr.a[3], 91);
	assert_int_equal(t->d.ntries, 0);
	expect_verdict(uf_txn(u, 2), V_CANNOT_CONNECT, C_TCP_RST);
}

/*
 * nginx answers 502 at once for a host with no live upstream (nothing
 * tried), while another client's request for another host, come just
 * before, is tried on a new connection that does not connect: its SYN is
 * sent again a second later, its 504 at the connect timeout. The 502 is
 * unknown, the other's attempt not its own: the SYN sent again tells
 * (link.c tried_again_after). Read slice by slice, the 502 settles only
 * once that could be seen (DIAG_AFTER_NS), with the same verdict as read
 * at once.
 */
static void
no_live_beside_a_try(struct uf *u, bool sliced)
{
	struct scene s;
	struct uf_side cli2, gw2, out, backend;
	const struct txn *t;

	scene_init(&s, u);
	other_client(u, &cli2, &gw2);
	uf_handshake(u, &cli2, &gw2);
	ask_app(&s, true);
	if (sliced)
		uf_slices_begin(u, NULL);
	uf_at(u, s.req_ts + 10 * US);
	uf_get(u, &cli2, &gw2, "/", "shop.test");
	uf_side_init(&out, "10.0.0.1", 52000, 7000);
	uf_side_init(&backend, "192.0.2.11", 8080, 9000);
	uf_at(u, s.req_ts + 80 * US);
	uf_syn(u, &out, &backend);
	uf_at(u, s.req_ts + 110 * US);
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + 500 * UF_MS);	/* a frame between */
	uf_ack(u, &s.u->cli, &s.u->srv);
	uf_at(u, s.req_ts + 80 * US + UF_S);
	uf_syn(u, &out, &backend);
	uf_at(u, s.req_ts + 80 * US + 2 * UF_S);
	uf_status(u, &gw2, &cli2, 504);
	uf_at(u, s.req_ts + 5 * UF_S);
	uf_get(u, &cli2, &gw2, "/later", "shop.test");
	if (sliced)
		uf_slices_end(u);
	else
		uf_diagnose(u);
	t = uf_txn(u, 1);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.nconns, 0);
	expect_verdict(uf_txn(u, 2), V_CANNOT_CONNECT, C_SYN_UNANSWERED);
}

static void
test_no_live_beside_a_try(void **state)
{
	no_live_beside_a_try(*state, false);
	no_live_beside_a_try(again(state), true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backend_refused_retried,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_host_rewritten,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_backends,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_connected_for_another,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_batched_refusals,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_late_try_of_another_host,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_batch_pinned_backends,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_backend_pinning,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_crowd_answer_follows_close,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_untried_in_batch,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_asked_just_before_retry,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_refused_then_asked_again,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_pooled_named_backend,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_refusals_in_order,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_next_upstream,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_next_try_on_older_connection,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_two_earlier_tries,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_last_try_silent,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_not_a_next_try,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_carrier_beats_time,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_refusal_of_a_later_attempt,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_tried_after_for_a_later_request,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_busy_retries_interleaved,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_retry_or_next_server,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_overlapping_refused_chains,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_overlapping_silent_chains,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_rival_done_before_the_try,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_broken_chain_takes_no_other,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_silent_then_refused_late,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_refused_by_each_server,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_refused_for_the_request_before, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_connected_again_for_a_new_request, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_answered_after_the_refusal,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_same_path_other_method,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_head_asked_as_get,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_next_try_after_silence,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_next_try_after_silence_busy, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_answered_before_the_refusal, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_refusal_storm,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_post_not_sent_again,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_try_before_relayed,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_try_before_the_request,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_retry_before_pooled_send,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_turn_around_before_the_request, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_silence_then_refusals,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_success_leaves_later_carrier, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_next_try_after_answer,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_success_after_failed_try,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_504_not_refused,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_junk_after_silence,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_closed_then_failed,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_pooled_try_holds_the_request,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_second_pooled_try_serves,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_refusals_between_tries,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_refusals_before_pooled,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_popular_path_pooled_other,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_junk_passed_on_at_close,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_next_try_after_own_close,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_refusal_before_own_close,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_next_try_before_own_close,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_no_live_beside_a_try,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
