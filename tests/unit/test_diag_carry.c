/*
 * test_diag_carry.c: which upstream connection carried a request
 * (diag/link.c): a connection that connected and on which the server
 * spoke carried the transaction when one of the requests sent on it
 * while the transaction ran names what the client asked for, or names
 * nothing at all (bytes that are no HTTP request, which a tunnel may
 * carry: nothing in them says they were another client's); a
 * connection whose requests all name another resource served someone
 * else, and the next candidate is taken. A request the gateway sent
 * later on, on a connection to the host's next address opened after its
 * first attempt failed (too late to count as that attempt's retry), is
 * found by its reply: the status the gateway answered, relayed at once
 * (within 100 ms before the answer, inclusive); that connection and the
 * failed attempt are the transaction's.
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

static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00,
	0x00, 0x00 };

/*
 * A CONNECT tunnel (frames 1-7: request, look-up, connection A to port
 * 443); right after A, connection B to the same address and port
 * connects and stays silent (another client's). The gateway answers
 * 200; inside the tunnel the client speaks HTTP to the server over A
 * ("GET /" answered 200: a request for another resource than the
 * CONNECT's authority), then, when `junk`, bytes that are no HTTP
 * request. Returns A's SYN frame.
 */
static uint64_t
tunnel_speaks(struct uf *u, bool junk)
{
	struct scene s;
	struct uf_side out2, web2;
	uint64_t a;

	scene_init(&s, u);
	tunnel_open(&s);
	a = u->frame - 1;
	out2 = s.out;
	out2.port = 50001;
	web2 = s.web;
	web2.seq = 30000;
	uf_handshake(u, &out2, &web2);
	uf_send(u, &u->srv, &u->cli, "HTTP/1.1 200 Connection established"
	    "\r\n\r\n");
	uf_get(u, &s.out, &s.web, "/", HOST);
	uf_status(u, &s.web, &s.out, 200);
	if (junk)
		uf_send_bytes(u, &s.out, &s.web, hello, sizeof hello);
	return a;
}

static void
test_tunnel_bytes_carry(void **state)
{
	struct uf *u = *state;
	const struct txn *t;
	uint64_t a = tunnel_speaks(u, true);

	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 1);
	t = uf_txn(u, 1);
	assert_int_equal(t->d.verdict, V_OK);
	assert_int_equal(t->d.nconns, 1);
	/* A carried the unnamed bytes: the tunnel's */
	assert_int_equal(conn_syn(&u->fl.conns[t->d.conns[0]], 0)->number, a);
	assert_int_equal(t->d.conn_link, LINK_ADDRESS);

	/* only a request for another resource on A: B is the tunnel's */
	u = again(state);
	a = tunnel_speaks(u, false);
	uf_diagnose(u);
	t = uf_txn(u, 1);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(conn_syn(&u->fl.conns[t->d.conns[0]], 0)->number,
	    a + 2);
}

/*
 * The gateway tries HOST's address five times, a single SYN every 1.5 s,
 * none answered (frames 6-10: each attempt given up before the answer,
 * so none can be what the answer followed), more chains than a
 * transaction tries (the nearest and four more); 8.5 s after the
 * request (too late for the last attempt's retry) a sixth connection,
 * to the host's next address when `next_address`, connects and carries
 * GET / (frames 11-13), whose reply, 503, comes `before` the gateway's
 * answer of 503 at 8.7 s; with `late_icmp` a router's unreachable for the
 * first attempt's SYN comes 2 s after that answer. Returns the upstream
 * request's message.
 */
static uint32_t
late_retry(struct uf *u, int64_t before, bool next_address, bool late_icmp)
{
	static const struct uf_rr two[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
	};
	struct scene s;
	struct uf_side out, first, first_web;
	uint32_t up;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 0, two, next_address ? 2 : 1);
	out = first = s.out;
	first.port = 50000;
	first_web = s.web;
	for (int k = 0; k < 5; k++) {
		out.port = (uint16_t)(50000 + k);
		uf_at(u, s.req_ts + 10 * UF_MS + k * 1500 * UF_MS);
		uf_syn(u, &out, &s.web);
	}
	out.port = 50005;
	if (next_address)
		uf_side_init(&s.web, "192.0.2.11", 80, 9500);
	uf_at(u, s.req_ts + 8500 * UF_MS);
	uf_handshake(u, &out, &s.web);
	uf_get(u, &out, &s.web, "/", HOST);
	up = (uint32_t)(u->fl.nmsgs - 1);
	uf_at(u, s.req_ts + 8700 * UF_MS - before);
	uf_status(u, &s.web, &out, 503);
	uf_at(u, s.req_ts + 8700 * UF_MS);
	gateway_answers(&s, 503);
	if (late_icmp) {
		uf_at(u, s.req_ts + 10700 * UF_MS);
		uf_icmp(u, "10.0.0.254", &first, &first_web, 3, 1);
	}
	uf_diagnose(u);
	return up;
}

/* The five failed attempts beside the sixth, which carried up. */
static void
expect_attempts_kept(const struct uf *u, const struct txn *t, uint32_t up)
{
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(t->d.up_req, up);
	assert_int_equal(t->d.nconns, 6);
	for (unsigned a = 0; a < 5; a++)
		assert_int_equal(conn_syn(&u->fl.conns[t->d.conns[a]],
		    0)->number,
		    6 + a);
	assert_int_equal(t->d.conns[5], t->d.up_conn);
	assert_int_equal(t->d.conn_link, LINK_REQUEST_LINE);
}

static void
test_relayed_after_retry(void **state)
{
	struct uf *u = *state;
	const struct txn *t;
	uint32_t up;

	/* relayed 50 ms, then exactly 100 ms, before the answer */
	for (int k = 0; k < 2; k++) {
		u = again(state);
		up = late_retry(u, k ? 100 * UF_MS : 50 * UF_MS, false, false);
		t = uf_txn(u, 1);
		expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
		assert_int_equal(t->d.up_req, up);
		assert_int_equal(t->d.up_conn, u->fl.msgs[up].conn);
		assert_int_equal(t->d.up_resp, u->fl.msgs[up].pair);
		assert_int_equal(t->d.conn_link, LINK_REQUEST_LINE);
		/* the connection that carried it (the failed attempts went
		 * to the same address: not kept beside it) */
		assert_int_equal(t->d.nconns, 1);
		assert_int_equal(t->d.conns[0], t->d.up_conn);
		assert_int_equal(conn_syn(&u->fl.conns[t->d.up_conn],
		    0)->number, 11);
	}
	/* 101 ms before: not relayed at once, another request's reply */
	u = again(state);
	late_retry(u, 101 * UF_MS, false, false);
	t = uf_txn(u, 1);
	assert_int_equal(t->d.up_req, NONE32);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(conn_syn(&u->fl.conns[t->d.conns[0]], 0)->number, 6);
	/* the sixth connection to the host's next address: the failed
	 * attempts stay beside it, all five (each begun once the one
	 * before was given up, no other request in flight: the gateway
	 * tried the first address again) */
	u = again(state);
	up = late_retry(u, 50 * UF_MS, true, false);
	expect_attempts_kept(u, uf_txn(u, 1), up);
	/* a router's unreachable for the first SYN, 2 s after the gateway's
	 * answer: past the story's end, it does not make that attempt end
	 * after the sixth connection began (it failed before it) */
	u = again(state);
	up = late_retry(u, 50 * UF_MS, true, true);
	expect_attempts_kept(u, uf_txn(u, 1), up);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tunnel_bytes_carry,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_relayed_after_retry,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
