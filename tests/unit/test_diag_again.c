/*
 * test_diag_again.c: a gateway that tries an address again on a new
 * socket (diag/link.c's retry_attempt). Apache Traffic Server, recorded in
 * the odd-proxies lab, makes four attempts per request: back to back
 * after a refusal, after its connect timeout when the SYNs go unanswered,
 * and after a reply that was junk, a close or silence it sends the
 * request again on a new connection. Every attempt is the request's
 * evidence when nothing else can own it: no other request for the host
 * waiting, nothing unexplained connecting to the address just before.
 * When others wait and nothing is chained, a refusal long before the
 * answer gives way to the attempt the answer follows.
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
#include "diag/evidence.h"

#define JUNK "<html>no status line</html>\r\n"

/* HOST resolved to 192.0.2.10 alone (frames 4-5 after ask()). */
static void
resolve_one(struct scene *s)
{
	query(s);
	answer(s, 0, addr300, 1);
}

/* The gateway's n-th socket towards the web side (50000 + n). */
static struct uf_side
socket_n(const struct scene *s, unsigned n)
{
	struct uf_side o = s->out;

	o.port = (uint16_t)(50000 + n);
	o.seq = 7000 + 1000 * n;
	return o;
}

/* The port of t's k-th attempt. */
static uint16_t
attempt_port(const struct uf *u, const struct txn *t, unsigned k)
{
	return u->fl.conns[t->d.conns[k]].cport;
}

/*
 * Refused four times, each attempt 0.2 ms after the last one's RST; with
 * `rival`, another client asks for HOST between the first two attempts
 * and is answered after this one: the later attempts may be its.
 */
static const struct txn *
refused_four_times(void **state, bool rival)
{
	struct uf *u = again(state);
	struct uf_side cli2, srv2 = u->srv;
	struct scene s;

	uf_side_init(&cli2, "10.0.0.6", 40001, 5000);
	srv2.seq = 6000;
	scene_init(&s, u);
	ask(&s);
	resolve_one(&s);
	for (unsigned n = 0; n < 4; n++) {
		struct uf_side o = socket_n(&s, n);
		struct uf_side web = s.web;

		uf_wait(u, 200 * 1000LL);
		uf_syn(u, &o, &web);
		uf_wait(u, 100 * 1000LL);
		uf_rst(u, &web, &o);
		if (n == 0 && rival) {
			uf_handshake(u, &cli2, &srv2);
			uf_get(u, &cli2, &srv2, "/other", HOST);
		}
	}
	gateway_answers(&s, 502);
	if (rival) {
		uf_wait(u, 1 * UF_MS);
		uf_status(u, &srv2, &cli2, 502);
	}
	uf_diagnose(u);
	return uf_txn(u, 1);
}

static void
test_refused_four_times(void **state)
{
	const struct txn *t = refused_four_times(state, false);
	struct uf *u = *state;
	char sum[256];

	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, 4);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(attempt_port(u, t, k), 50000 + k);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "192.0.2.10 "
	    "port 80 answered the SYN with RST (connection refused), every "
	    "attempt");
	uf_summary_cuts(u, t);
}

/* Another request for HOST still waiting: the attempts after the first
 * may be its own, so the request keeps the refusal its answer followed. */
static void
test_rival_keeps_its_attempts(void **state)
{
	const struct txn *t = refused_four_times(state, true);
	struct uf *u = *state;

	assert_int_equal(u->dg.ntxns, 2);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, 1);
}

/*
 * Two sockets whose SYNs go unanswered (each SYN retransmitted 1 s
 * after, unless the second socket began before that); the second begins
 * `gap` after the first one's SYN; the gateway answers 502 3 s after the
 * second's first SYN.
 */
static const struct txn *
dropped_twice(void **state, int64_t gap)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side o0, o1;
	int64_t first;

	scene_init(&s, u);
	ask(&s);
	resolve_one(&s);
	o0 = socket_n(&s, 0);
	o1 = socket_n(&s, 1);
	first = u->next_ts_ns;
	uf_syn(u, &o0, &s.web);
	if (gap > 1 * UF_S) {
		uf_at(u, first + 1 * UF_S);
		uf_syn(u, &o0, &s.web);
	}
	uf_at(u, first + gap);
	uf_syn(u, &o1, &s.web);
	uf_at(u, first + gap + 1 * UF_S);
	uf_syn(u, &o1, &s.web);
	uf_at(u, first + gap + 3 * UF_S);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	return uf_txn(u, 1);
}

static void
test_dropped_retried(void **state)
{
	const struct txn *t = dropped_twice(state, 3 * UF_S);
	struct uf *u = *state;
	struct evidence pane = { 0 };
	const struct evidence_row *r;
	char sum[256];

	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(t->d.nconns, 2);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "4 SYNs on 2 "
	    "connections to 192.0.2.10 port 80 got no answer over 4.0 s");
	/* each socket's SYNs count from 1: the new one's first is no
	 * retransmission */
	assert_int_equal(evidence_build(&pane, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	for (unsigned k = 0; k < 4; k++) {
		r = evidence_find(&pane, EK_SYN, k);
		assert_non_null(r);
		assert_int_equal(r->seq, k % 2 + 1);
	}
	evidence_free(&pane);
}

/* No gateway gives up a handshake 400 ms after its SYN: a socket begun
 * then is not this request's retry (the answer followed that one). */
static void
test_too_soon_for_a_retry(void **state)
{
	const struct txn *t = dropped_twice(state, 400 * UF_MS);

	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(attempt_port(*state, t, 0), 50001);
}

/*
 * The gateway connects and sends GET / on a first socket, gets junk (or,
 * with `closed`, the server's FIN), and 1 ms later connects again and
 * sends `again_target` on a second one, which gets junk too; it answers
 * 502. Returns the transaction.
 */
static const struct txn *
sent_again(void **state, const char *again_target, bool closed)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side o0, o1, w0, w1;

	scene_init(&s, u);
	ask(&s);
	resolve_one(&s);
	o0 = socket_n(&s, 0);
	o1 = socket_n(&s, 1);
	w0 = w1 = s.web;
	uf_handshake(u, &o0, &w0);
	uf_get(u, &o0, &w0, "/", HOST);
	if (closed)
		uf_fin(u, &w0, &o0);
	else
		uf_send(u, &w0, &o0, JUNK);
	uf_wait(u, 1 * UF_MS);
	uf_handshake(u, &o1, &w1);
	uf_get(u, &o1, &w1, again_target, HOST);
	uf_send(u, &w1, &o1, JUNK);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	return uf_txn(u, 1);
}

static void
test_sent_again_after_junk(void **state)
{
	const struct txn *t = sent_again(state, "/", false);
	struct uf *u = *state;
	struct evidence pane = { 0 };
	char sum[256];

	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_int_equal(t->d.nconns, 2);
	assert_int_equal(attempt_port(u, t, 0), 50000);
	assert_int_equal(t->d.up_conn, t->d.conns[1]);
	uf_summary(u, t, sum, sizeof sum);
	assert_non_null(strstr(sum, "; the gateway sent the request 2 times, "
	    "each on a new connection"));
	/* both exchanges are evidence; the verdict's is the last */
	assert_int_equal(evidence_build(&pane, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	assert_non_null(evidence_find(&pane, EK_UP_REQUEST, 1));
	assert_null(evidence_find(&pane, EK_UP_REQUEST, 2));
	assert_int_equal(evidence_find_last(&pane, EK_UP_REQUEST)->ref,
	    t->d.up_req);
	assert_int_equal(evidence_find(&pane, EK_UP_REQUEST, 0)->ref,
	    u->fl.conns[t->d.conns[0]].first_msg[0]);
	evidence_free(&pane);
	/* after the server closed the first without a byte */
	t = sent_again(state, "/", true);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_int_equal(t->d.nconns, 2);
}

/*
 * The gateway sends GET / and gets junk (without a line end) or, with
 * `closed`, the server's FIN without a byte; then, with `retried`, it
 * closes that connection at once and tries a new socket whose SYNs, at
 * 0 and 1 s, go unanswered: 502 3.1 s after the first of them. Without,
 * it answers at once after the close, or waits 15 s for the rest of the
 * junk, closes and answers 502.
 */
static const struct txn *
bad_reply_then(void **state, bool closed, bool retried)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side o0, o1, w0;
	int64_t r;

	scene_init(&s, u);
	ask(&s);
	resolve_one(&s);
	o0 = socket_n(&s, 0);
	o1 = socket_n(&s, 1);
	w0 = s.web;
	uf_handshake(u, &o0, &w0);
	uf_get(u, &o0, &w0, "/", HOST);
	if (closed)
		uf_fin(u, &w0, &o0);
	else
		uf_send(u, &w0, &o0, "<html>");
	if (retried) {
		uf_fin(u, &o0, &w0);
		r = u->next_ts_ns;
		uf_syn(u, &o1, &s.web);
		uf_at(u, r + 1 * UF_S);
		uf_syn(u, &o1, &s.web);
		uf_at(u, r + 3100 * UF_MS);
	} else if (!closed) {
		uf_wait(u, 15 * UF_S);
		uf_fin(u, &o0, &w0);
	}
	gateway_answers(&s, 502);
	uf_diagnose(u);
	return uf_txn(u, 1);
}

/* A gateway answers a close without a byte at once, and junk at once or
 * once it gave up waiting for the rest: either 3 s before the answer on
 * a connection closed then was an attempt it tried again after, and the
 * dropped SYNs are the story. */
static void
test_bad_reply_long_before_the_answer(void **state)
{
	for (int closed = 0; closed < 2; closed++) {
		const struct txn *t = bad_reply_then(state, closed, true);

		expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
		assert_int_equal(t->d.up_req, NONE32);
		assert_int_equal(attempt_port(*state, t,
		    t->d.nconns - 1), 50001);
		t = bad_reply_then(state, closed, false);
		expect_verdict(t, V_BAD_RESPONSE, closed ? C_UPSTREAM_CLOSED :
		    C_HTTP_INVALID);
		assert_int_equal(attempt_port(*state, t, 0), 50000);
	}
}

/* A new connection that asks for something else is no retry of this
 * request: the request keeps the connection its answer followed. */
static void
test_other_resource_not_sent_again(void **state)
{
	const struct txn *t = sent_again(state, "/other", false);
	struct uf *u = *state;

	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(attempt_port(u, t, 0), 50000);
}

/*
 * A busy gateway that retries. Client 1's SYNs go unanswered: Traffic
 * Server's first socket at 0, 1 and 3 s, given up at 3 s, then three
 * more sockets 0.5 s after each give-up, unanswered too; 502 after the
 * fourth. Meanwhile four other unanswered attempts to the address begin
 * 5-8 ms in, and 20 ms in client 2 asks for the same URL: the gateway
 * connects for it at once, sends GET /, gets junk 30 ms later, sends it
 * again on a new connection (junk again) and answers 502. Client 3 asks
 * for /x 100 ms in and waits until after client 1: a rival, so neither
 * client 1's retries nor client 2's second exchange are linked, and the
 * second exchange went out within 100 ms of client 1's request. But
 * client 1's first attempt was still under way when that connection
 * opened: a gateway opens no second connection for a request while one
 * is pending, so the exchange is not client 1's; its answer is its
 * dropped SYNs.
 */
static void
test_pending_attempt_not_another_exchange(void **state)
{
	struct uf *u = *state;
	struct uf_side cli2, srv2 = u->srv, cli3, srv3 = u->srv, o, w;
	struct scene s;
	const struct txn *t1, *t2;
	int64_t r;

	uf_side_init(&cli2, "10.0.0.6", 40001, 5000);
	uf_side_init(&cli3, "10.0.0.7", 40002, 8000);
	srv2.seq = 6000;
	srv3.seq = 9000;
	scene_init(&s, u);
	ask(&s);
	resolve_one(&s);
	r = u->next_ts_ns;
	o = socket_n(&s, 0);
	uf_syn(u, &o, &s.web);
	for (unsigned n = 20; n < 24; n++) {	/* others' attempts */
		o = socket_n(&s, n);
		uf_at(u, r + (int64_t)(n - 15) * UF_MS);
		uf_syn(u, &o, &s.web);
	}
	uf_at(u, r + 20 * UF_MS);
	uf_handshake(u, &cli2, &srv2);
	uf_get(u, &cli2, &srv2, URL, HOST);
	for (unsigned n = 10; n < 12; n++) {
		o = socket_n(&s, n);
		w = s.web;
		uf_wait(u, 300 * 1000LL);
		uf_handshake(u, &o, &w);
		uf_get(u, &o, &w, "/", HOST);
		uf_wait(u, 30 * UF_MS);
		uf_send(u, &w, &o, JUNK);
	}
	uf_status(u, &srv2, &cli2, 502);
	uf_at(u, r + 100 * UF_MS);
	uf_handshake(u, &cli3, &srv3);
	uf_get(u, &cli3, &srv3, "http://" HOST "/x", HOST);
	o = socket_n(&s, 0);
	uf_at(u, r + 1 * UF_S);
	uf_syn(u, &o, &s.web);
	uf_at(u, r + 3 * UF_S);
	uf_syn(u, &o, &s.web);
	for (unsigned n = 1; n < 4; n++) {
		int64_t at = r + (int64_t)n * 3500 * UF_MS;

		o = socket_n(&s, n);
		uf_at(u, at);
		uf_syn(u, &o, &s.web);
		uf_at(u, at + 1 * UF_S);
		uf_syn(u, &o, &s.web);
	}
	uf_at(u, r + 13500 * UF_MS);
	gateway_answers(&s, 502);
	uf_at(u, r + 14 * UF_S);
	uf_status(u, &srv3, &cli3, 504);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 3);
	t1 = uf_txn(u, 1);
	t2 = uf_txn(u, 2);
	expect_verdict(t2, V_BAD_RESPONSE, C_HTTP_INVALID);
	expect_verdict(t1, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(t1->d.up_req, NONE32);
	assert_int_equal(attempt_port(u, t1, 0), 50000);
}

/*
 * A health check beside a request (HAProxy, Envoy and Traffic Server's
 * parent selection open connections of their own to the upstreams):
 * once HOST is resolved the gateway connects to the address on a socket
 * of its own and sends GET /health; then client 1's SYN goes out, sent
 * again at 1 and 3 s, never answered; the gateway answers 504 at 5 s.
 * With `closed` the server closes the check 5 ms in without a byte, else
 * it stays silent. The check came first, but the answer followed
 * neither a connection closed seconds before nor one asking for
 * something else: the dropped SYNs are the cause.
 */
static void
health_check_beside(void **state, bool closed)
{
	struct uf *u = again(state);
	struct uf_side chk, web, o;
	struct scene s;
	const struct txn *t;
	int64_t r;

	scene_init(&s, u);
	ask(&s);
	resolve_one(&s);
	chk = socket_n(&s, 9);
	web = s.web;
	uf_handshake(u, &chk, &web);
	uf_get(u, &chk, &web, "/health", HOST);
	if (closed)
		uf_fin(u, &web, &chk);
	o = socket_n(&s, 0);
	r = u->next_ts_ns;
	uf_syn(u, &o, &s.web);
	uf_at(u, r + 1 * UF_S);
	uf_syn(u, &o, &s.web);
	uf_at(u, r + 3 * UF_S);
	uf_syn(u, &o, &s.web);
	uf_at(u, r + 5 * UF_S);
	gateway_answers(&s, 504);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(attempt_port(u, t, 0), 50000);
}

static void
test_health_check_not_the_attempt(void **state)
{
	health_check_beside(state, true);
	health_check_beside(state, false);
}

/*
 * Traffic Server, busy, a host of two addresses: the first, 192.0.2.10,
 * resets client 1's SYN; its SYNs to the second, .11, go unanswered on
 * four sockets, 3.5 s apart (each SYN sent again 1 s after), and it
 * answers 504 once it gave up the fourth. Four other unanswered attempts
 * to .11 begin 5-8 ms in (another proxy port's, not captured), and
 * client 3 asks for /x 100 ms in
 * and is answered after client 1: a rival, so the retries are not
 * chained, and no chain from the request fits the answer. The attempt
 * of its own that later ones failed as, up to the one the answer
 * follows, is the story: the dropped SYNs, not the reset.
 */
static void
test_retries_among_others(void **state)
{
	struct uf *u = *state;
	struct uf_side out2, web2, cli3, srv3 = u->srv, o;
	struct scene s;
	const struct txn *t;
	int64_t r;

	uf_side_init(&cli3, "10.0.0.7", 40002, 8000);
	srv3.seq = 9000;
	scene_init(&s, u);
	ask_two_addresses(&s, &out2, &web2);
	r = u->next_ts_ns;
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	for (unsigned n = 20; n < 24; n++) {	/* others' attempts */
		o = socket_n(&s, n);
		uf_at(u, r + (int64_t)(n - 15) * UF_MS);
		uf_syn(u, &o, &web2);
	}
	uf_at(u, r + 100 * UF_MS);
	uf_handshake(u, &cli3, &srv3);
	uf_get(u, &cli3, &srv3, "http://" HOST "/x", HOST);
	for (unsigned n = 1; n <= 4; n++) {
		int64_t at = r + 2 * UF_MS + (int64_t)(n - 1) * 3500 * UF_MS;

		o = socket_n(&s, n);
		uf_at(u, at);
		uf_syn(u, &o, &web2);
		uf_at(u, at + 1 * UF_S);
		uf_syn(u, &o, &web2);
	}
	uf_at(u, r + 14005 * UF_MS);
	gateway_answers(&s, 504);
	uf_at(u, r + 15 * UF_S);
	uf_status(u, &srv3, &cli3, 504);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	t = uf_txn(u, 1);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(attempt_port(u, t, 0), 50001);
}

/*
 * Four other clients ask for HOST with this one and wait longer: their
 * attempts (sockets 20-23) are refused within 5 ms, as this request's
 * first (socket 0) is at once; this one's retry (socket 1), 5 ms in,
 * finds the address dropping SYNs (a firewall's change) and is given up
 * after two; the 502 comes 3.1 s in. No chain from the request reaches
 * the answer (the retries are not chained while others wait), and a
 * refusal 3 s before it was not the gateway's last attempt (it answers
 * one at once, or tries again at once): the last is the attempt the
 * answer follows, and the dropped SYNs are the story.
 */
static void
test_refused_long_before_the_answer(void **state)
{
	struct uf *u = *state;
	struct uf_side cli[4], gw[4], o;
	struct scene s;
	const struct txn *t;
	int64_t r;

	scene_init(&s, u);
	ask(&s);
	for (unsigned k = 0; k < 4; k++)
		client_asks(u, &cli[k], &gw[k], "10.0.0.7",
		    (uint16_t)(40010 + k), "http://" HOST "/x");
	resolve_one(&s);
	r = u->next_ts_ns;
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	for (unsigned n = 20; n < 24; n++) {
		struct uf_side web = s.web;

		o = socket_n(&s, n);
		uf_at(u, r + (int64_t)(n - 19) * UF_MS);
		uf_syn(u, &o, &web);
		uf_rst(u, &web, &o);
	}
	o = socket_n(&s, 1);
	uf_at(u, r + 5 * UF_MS);
	uf_syn(u, &o, &s.web);
	uf_at(u, r + 1005 * UF_MS);
	uf_syn(u, &o, &s.web);
	uf_at(u, r + 3100 * UF_MS);
	gateway_answers(&s, 502);
	uf_at(u, r + 4 * UF_S);
	for (unsigned k = 0; k < 4; k++)
		uf_status(u, &gw[k], &cli[k], 502);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 5);
	t = uf_txn(u, 1);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(attempt_port(u, t, 0), 50001);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_four_times,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_rival_keeps_its_attempts,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_dropped_retried,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_too_soon_for_a_retry,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_sent_again_after_junk,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_bad_reply_long_before_the_answer, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_other_resource_not_sent_again, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_pending_attempt_not_another_exchange, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_health_check_not_the_attempt, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_retries_among_others,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_refused_long_before_the_answer, uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
