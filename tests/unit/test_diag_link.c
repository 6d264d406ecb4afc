/*
 * test_diag_link.c: whose traffic is evidence and how an upstream
 * connection's end reads (diag/link.c): the requesting client's own
 * look-ups and connections never are, and with -g (the gateway's
 * address) only the gateway's are; a request sent upstream whose
 * connection the server closed (FIN or RST) before the gateway closed
 * its side and before the answer is upstream-closed, else the gateway
 * waited in vain (upstream-timeout); a retry to the host's next address
 * is one made once the gateway gave up on the first (its backoff's next
 * SYN never came), within a second; a pooled connection carries a
 * request within 100 ms of it; an upstream reply within the 200 ms slack
 * after the gateway's answer is the one it relayed, a later one is not;
 * an upstream request names its URL by path and Host (any case), which
 * links it whatever address it went to; a look-up in flight (asked up
 * to 30 s before the request) is the request's too, and a look-up is
 * one socket's queries for the name; a relayed success takes no failing
 * attempts (a CONNECT answered at once may); the first request on a
 * connection opened before the request came is an earlier request's; a
 * working tunnel's connection is the one that carried its bytes.
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

/* Diagnosed at the end with the gateway's address (NULL: -g not given). */
static const struct txn *
diagnosed_g(struct uf *u, const char *gateway)
{
	struct diag_opts o;

	uf_diag_opts(&o);
	if (gateway && !addr_parse(gateway, &o.gateway))
		fail_msg("not an address: %s", gateway);
	uf_diag_run(u, &o, true);
	assert_int_equal(u->dg.ntxns, 1);
	return uf_txn(u, 1);
}

/*
 * After the client's request, host `from` asks for HOST (NXDOMAIN) and
 * connects to 192.0.2.10 (refused); the gateway answers 502.
 */
static struct uf *
someone_looks_up(void **state, const char *from)
{
	struct uf *u = again(state);
	struct scene s;

	scene_init(&s, u);
	uf_side_init(&s.res, from, 33000, 0);
	uf_side_init(&s.out, from, 50000, 7000);
	ask(&s);
	query(&s);
	answer(&s, 3, NULL, 0);
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	gateway_answers(&s, 502);
	return u;
}

static void
test_whose_traffic(void **state)
{
	const struct txn *t;

	/* the gateway's own */
	t = diagnosed_g(someone_looks_up(state, "10.0.0.1"), NULL);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	t = diagnosed_g(someone_looks_up(state, "10.0.0.1"), "10.0.0.1");
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	/* the client's own: never */
	t = diagnosed_g(someone_looks_up(state, "10.0.0.5"), NULL);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.ndns, 0);
	assert_int_equal(t->d.nconns, 0);
	/* another host's: the gateway's unless -g names another */
	t = diagnosed_g(someone_looks_up(state, "10.0.0.9"), NULL);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	t = diagnosed_g(someone_looks_up(state, "10.0.0.9"), "10.0.0.1");
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.ndns, 0);
}

enum ending { SERVER_FIN, SERVER_RST, GATEWAY_FIN_FIRST, AFTER_ANSWER };

/* The request goes upstream on a new connection (frames 1-8), the
 * connection ends as `how` says, and the gateway answers 502 at 2 s. */
static const struct txn *
upstream_ends(void **state, enum ending how)
{
	struct uf *u = again(state);
	struct scene s;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_at(u, s.req_ts + 1 * UF_S);
	switch (how) {
	case SERVER_FIN:
		uf_fin(u, &s.web, &s.out);
		uf_fin(u, &s.out, &s.web);
		break;
	case SERVER_RST:
		uf_rst(u, &s.web, &s.out);
		break;
	case GATEWAY_FIN_FIRST:
		uf_fin(u, &s.out, &s.web);
		uf_fin(u, &s.web, &s.out);
		break;
	case AFTER_ANSWER:
		break;
	}
	uf_at(u, s.req_ts + 2 * UF_S);
	gateway_answers(&s, 502);
	if (how == AFTER_ANSWER) {
		uf_at(u, s.req_ts + 3 * UF_S);
		uf_fin(u, &s.web, &s.out);
	}
	return diagnosed(&s);
}

static void
test_who_closed_upstream(void **state)
{
	char sum[256];
	const struct txn *t;

	t = upstream_ends(state, SERVER_FIN);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	assert_string_equal(uf_summary(*state, t, sum,
	    sizeof sum), "192.0.2.10:80 closed the connection without "
	    "sending a byte");
	t = upstream_ends(state, SERVER_RST);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	t = upstream_ends(state, GATEWAY_FIN_FIRST);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	t = upstream_ends(state, AFTER_ANSWER);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_string_equal(uf_summary(*state, t, sum, sizeof sum),
	    "192.0.2.10:80 accepted the request but sent nothing back in "
	    "2.0 s");
}

/*
 * HOST has two addresses; the SYNs to the first go unanswered at 0, 1
 * and 3 s (the next was due at 7 s: the backoff doubles), and the
 * gateway tries the second `after` the first SYN, which refuses at once;
 * the gateway answers 502 right after. It moves on to the next address
 * at once when it gives up (within 1 s of 7 s): a later attempt there
 * is not this request's retry.
 */
static const struct txn *
next_address_after(void **state, int64_t after)
{
	static const struct uf_rr two[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
	};
	struct uf *u = again(state);
	struct scene s;
	struct uf_side out2, web2;
	uint64_t syn[3];
	int64_t first;

	scene_init(&s, u);
	uf_side_init(&out2, "10.0.0.1", 50001, 8000);
	uf_side_init(&web2, "192.0.2.11", 80, 9500);
	ask(&s);
	query(&s);
	answer(&s, 0, two, 2);
	first = u->next_ts_ns;
	syns_given_up(&s, syn);
	uf_at(u, first + after);
	uf_syn(u, &out2, &web2);
	uf_rst(u, &web2, &out2);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_next_address_at_once(void **state)
{
	const struct txn *t = next_address_after(state, 7 * UF_S);
	char sum[256];

	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, 2);
	assert_string_equal(uf_summary(*state, t, sum, sizeof sum),
	    "192.0.2.11 port 80 answered the SYN with RST (connection "
	    "refused); tried before: 192.0.2.10 port 80 (no answer)");
	t = next_address_after(state, 8 * UF_S);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, 2);
	t = next_address_after(state, 8 * UF_S + 1);
	assert_int_equal(t->d.nconns, 1);
	/* the answer follows the refusal alone */
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_string_equal(uf_summary(*state, t, sum, sizeof sum),
	    "192.0.2.11 port 80 answered the SYN with RST (connection "
	    "refused)");
}

/*
 * Request 2 (frame 13) comes while request 1's upstream connection is
 * kept alive; the gateway forwards it there `delay` later, the server
 * answers 502 and the gateway passes that on. A pooled connection
 * carries a request at once: within 100 ms, or it is another's.
 */
static const struct txn *
forwarded_after(void **state, int64_t delay)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side cli2, gw2;

	scene_init(&s, u);
	pooled(&s, &cli2, &gw2);
	uf_at(u, u->fl.stats.last_ts + delay);
	uf_get(u, &s.out, &s.web, "/b", HOST);
	uf_status(u, &s.web, &s.out, 502);
	uf_status(u, &gw2, &cli2, 502);
	uf_diagnose(u);
	return uf_txn(u, 2);
}

static void
test_pooled_at_once(void **state)
{
	const struct txn *t = forwarded_after(state, 100 * UF_MS);

	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(t->d.conn_link, LINK_REQUEST_LINE);
	assert_int_equal(((struct uf *)*state)->fl.msgs[t->d.up_req].head.number,
	    14);
	t = forwarded_after(state, 100 * UF_MS + 1);
	assert_int_equal(t->d.up_req, NONE32);
}

/*
 * The server's 502 comes `late` after the gateway's own 502, which the
 * gateway sent as it closed the upstream connection: within the 1 ms
 * skew between the interfaces of one capture it is the reply the
 * gateway relayed, any later the gateway had given up waiting (it
 * cannot relay what it has not read).
 */
static const struct txn *
reply_after_answer(void **state, int64_t late)
{
	struct uf *u = again(state);
	struct scene s;
	int64_t answered;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_at(u, s.req_ts + 2 * UF_S);
	gateway_answers(&s, 502);
	answered = u->fl.stats.last_ts;
	uf_at(u, answered);
	uf_fin(u, &s.out, &s.web);
	uf_at(u, answered + late);
	uf_status(u, &s.web, &s.out, 502);
	return diagnosed(&s);
}

static void
test_reply_within_skew(void **state)
{
	const struct txn *t = reply_after_answer(state, UF_MS);

	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	t = reply_after_answer(state, UF_MS + 1);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_equal(t->d.up_resp, NONE32);
	assert_true(t->d.up_req != NONE32);
}

/*
 * The gateway forwards the request as `target` with Host `host` to
 * addr port 80 (192.0.2.50: not an address the look-up gave, a parent or
 * a load balancer); the server answers 502, passed on. The request line
 * and Host name the URL: that is the link, whatever the address, the
 * host's case aside; another path or host is another request.
 */
static const struct uf_rr parent_addr[] = {
	{ DNS_T_A, NULL, 300, "192.0.2.50" },
};

static const struct txn *
forwarded_to(void **state, const char *addr, const char *target,
    const char *host)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side parent;

	scene_init(&s, u);
	uf_side_init(&parent, addr, 80, 9000);
	ask(&s);
	resolve(&s);
	/* 192.0.2.50 is another name's address */
	uf_dns_query(u, &s.res, &s.dns, 0x500, "other.test", DNS_T_A);
	uf_dns_answer(u, &s.dns, &s.res, 0x500, "other.test", DNS_T_A, 0,
	    parent_addr, 1);
	uf_handshake(u, &s.out, &parent);
	uf_get(u, &s.out, &parent, target, host);
	uf_status(u, &parent, &s.out, 502);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static const struct txn *
forwarded_as(void **state, const char *target, const char *host)
{
	return forwarded_to(state, "192.0.2.50", target, host);
}

static void
test_request_line_links(void **state)
{
	const struct txn *t = forwarded_as(state, "/", HOST);
	char sum[256];

	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(t->d.conn_link, LINK_REQUEST_LINE);
	assert_int_equal(t->d.dns_link, LINK_TIME);	/* not its address */
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(t->d.conns[0], t->d.up_conn);
	assert_string_equal(uf_summary(*state, t, sum, sizeof sum),
	    "192.0.2.50:80 itself answered \"HTTP/1.1 502 Bad Gateway\"; "
	    "the gateway passed it on");
	t = forwarded_as(state, "/", "WWW.TEST");
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	/* to the address the look-up gave: that look-up is linked by it */
	t = forwarded_to(state, "192.0.2.10", "/", HOST);
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(t->d.dns_link, LINK_ADDRESS);
	assert_int_equal(t->d.ndns, 1);
	t = forwarded_as(state, "/other", HOST);
	assert_int_equal(t->d.up_req, NONE32);
	t = forwarded_as(state, "/", "other.test");
	assert_int_equal(t->d.up_req, NONE32);
}

/*
 * The gateway asked for HOST `before` the request and the NXDOMAIN
 * comes 10 ms after it: a look-up asked up to 30 s before and still in
 * flight is what the gateway waits for rather than ask again.
 */
static const struct txn *
in_flight_since(void **state, int64_t before)
{
	struct uf *u = again(state);
	struct scene s;
	int64_t at = 100 * UF_S;

	scene_init(&s, u);
	uf_at(u, at - before);
	query(&s);
	uf_at(u, at - 2 * UF_MS);
	ask(&s);
	assert_int_equal(s.req_ts, at);
	uf_at(u, at + 10 * UF_MS);
	answer(&s, 3, NULL, 0);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_lookup_in_flight(void **state)
{
	const struct txn *t = in_flight_since(state, 30 * UF_S);

	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	assert_int_equal(t->d.dns_link, LINK_TIME);
	/* asked for another request, before this one came */
	assert_true(t->d.shared);
	t = in_flight_since(state, 30 * UF_S + 1);
	assert_int_equal(t->d.ndns, 0);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
}

/*
 * A look-up is what one socket asked for the name (any case) from its
 * first query on: its retries; not another socket's query, nor another
 * name's.
 */
static void
test_lookup_is_one_socket(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side res2;
	char sum[256];
	const struct txn *t;

	scene_init(&s, u);
	uf_side_init(&res2, "10.0.0.1", 33001, 0);
	ask(&s);
	query(&s);
	uf_at(u, s.req_ts + 1 * UF_S);
	uf_dns_query(u, &s.res, &s.dns, 0x201, "WWW.Test", DNS_T_A);
	uf_at(u, s.req_ts + 2 * UF_S);
	uf_dns_query(u, &res2, &s.dns, 0x202, HOST, DNS_T_A);
	uf_dns_query(u, &s.res, &s.dns, 0x203, "other.test", DNS_T_A);
	uf_at(u, s.req_ts + 5 * UF_S);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_int_equal(t->d.ndns, 2);
	assert_int_equal(u->fl.dns[t->d.dns[0]].id, 0x101);
	assert_int_equal(u->fl.dns[t->d.dns[1]].id, 0x201);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "2 DNS queries "
	    "for www.test to 10.0.0.53 got no answer in 5.0 s");
}

/*
 * HOST's address is cached; right after the request (`connect`: a GET,
 * or a CONNECT to port 80) a SYN to it goes unanswered twice and the
 * gateway answers 200 at 1.5 s. A success relayed had a connection that
 * connected: those SYNs are another client's. A CONNECT may be answered
 * before the gateway connects: they can be its own.
 */
static const struct txn *
success_beside_failing_syns(void **state, bool connect)
{
	struct uf *u = again(state);
	struct scene s;

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	uf_handshake(u, &u->cli, &u->srv);
	if (connect)
		s.req = uf_send(u, &u->cli, &u->srv, "CONNECT www.test:80 "
		    "HTTP/1.1\r\nHost: www.test:80\r\n\r\n");
	else
		s.req = uf_get(u, &u->cli, &u->srv, URL, HOST);
	s.req_ts = u->fl.stats.last_ts;
	uf_syn(u, &s.out, &s.web);
	uf_at(u, s.req_ts + 1 * UF_S);
	uf_syn(u, &s.out, &s.web);
	uf_at(u, s.req_ts + 1500 * UF_MS);
	gateway_answers(&s, 200);
	return diagnosed(&s);
}

static void
test_success_needs_a_connection(void **state)
{
	const struct txn *t = success_beside_failing_syns(state, false);

	assert_int_equal(t->d.verdict, V_OK);
	assert_int_equal(t->d.nconns, 0);
	t = success_beside_failing_syns(state, true);
	assert_int_equal(t->d.nconns, 1);
}

/* HOST's look-up is two queries of one socket, each answered with ten
 * addresses: the gateway's candidates are the first 16 of the 20 (a
 * bound on the walk); an attempt to the 17th is not linked. */
static void
test_sixteen_candidates(void **state)
{
	struct uf_rr ten[2][10];
	char addrs[20][24];
	struct uf *u = *state;
	struct scene s;
	struct uf_side web17;
	const struct txn *t;

	for (int k = 0; k < 20; k++) {
		snprintf(addrs[k], sizeof addrs[k], "192.0.2.%d", 100 + k);
		ten[k / 10][k % 10] = (struct uf_rr){ DNS_T_A, NULL, 300,
		    addrs[k] };
	}
	scene_init(&s, u);
	uf_side_init(&web17, addrs[16], 80, 9000);
	ask(&s);
	for (int q = 0; q < 2; q++) {
		query(&s);
		answer(&s, 0, ten[q], 10);
	}
	uf_syn(u, &s.out, &web17);
	uf_rst(u, &web17, &s.out);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	assert_int_equal(t->d.ndns, 2);
	assert_int_equal(t->d.nconns, 0);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
}

/*
 * HOST's address is cached. A connection to it was opened `opened`
 * before the request; its first request, GET / (10 ms after the
 * request), is answered 502 and the gateway answers 502. The first
 * request on a connection opened before the request came (beyond the
 * 1 ms skew) is the one it was opened for: an earlier request's.
 */
static const struct txn *
opened_before(void **state, int64_t opened)
{
	struct uf *u = again(state);
	struct scene s;
	int64_t at;

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	uf_handshake(u, &u->cli, &u->srv);
	at = u->next_ts_ns + 100 * UF_MS;
	uf_at(u, at - opened);
	uf_handshake(u, &s.out, &s.web);
	uf_at(u, at);
	s.req = uf_get(u, &u->cli, &u->srv, URL, HOST);
	uf_at(u, at + 10 * UF_MS);
	uf_get(u, &s.out, &s.web, "/", HOST);
	uf_status(u, &s.web, &s.out, 502);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_connection_opened_before(void **state)
{
	const struct txn *t = opened_before(state, UF_MS);

	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	t = opened_before(state, 5 * UF_MS);
	assert_int_equal(t->d.up_req, NONE32);
	assert_int_equal(t->d.verdict, V_UNKNOWN);
}

/*
 * A CONNECT tunnel that works: the gateway connects to port 443 (A),
 * answers 200 and relays TLS both ways; 300 ms later another connection
 * to that port (B, another client's) connects and stays silent. The
 * tunnel's connection is the one that carried its bytes, A.
 */
static void
test_tunnel_connection(void **state)
{
	static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 0x01,
		0x00, 0x00, 0x00 };
	struct uf *u = *state;
	struct scene s;
	struct uf_side out2, web2;
	const struct txn *t;
	uint64_t a;

	scene_init(&s, u);
	tunnel_open(&s);
	a = u->frame - 1;	/* A's SYN */
	uf_send(u, &u->srv, &u->cli, "HTTP/1.1 200 Connection established"
	    "\r\n\r\n");
	uf_send_bytes(u, &u->cli, &u->srv, hello, sizeof hello);
	uf_send_bytes(u, &s.out, &s.web, hello, sizeof hello);
	uf_send_bytes(u, &s.web, &s.out, hello, sizeof hello);
	uf_send_bytes(u, &u->srv, &u->cli, hello, sizeof hello);
	out2 = s.out;
	out2.port = 50001;
	web2 = s.web;
	web2.seq = 30000;
	uf_wait(u, 300 * UF_MS);
	uf_handshake(u, &out2, &web2);
	t = diagnosed(&s);
	assert_int_equal(t->d.verdict, V_OK);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(conn_syn(&u->fl.conns[t->d.conns[0]], 0)->number, a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_whose_traffic, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_who_closed_upstream,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_next_address_at_once,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_pooled_at_once,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_reply_within_skew,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_request_line_links,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_lookup_in_flight,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_lookup_is_one_socket,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_success_needs_a_connection,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_sixteen_candidates,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_connection_opened_before,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_tunnel_connection,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
