/*
 * test_diag_link_upstream.c: which upstream request relayed a client's
 * request when nothing else ties them (diag/link.c, DESIGN §2): with no
 * look-up of the host in the capture (the gateway knew the address some
 * other way), the request line alone links it. The gateway acts at once:
 * a connection it opens for the request starts within 100 ms of it
 * (DIAG_FORWARD_NS, inclusive) and carries it first; one opened before
 * the request (beyond the 1 ms skew) was opened for an earlier one.
 * A request forwarded on a pooled connection names the client's URL in
 * absolute form or by its path; another path is another resource. On
 * the connection the request's attempts ended on, the request it
 * carried is found however late the handshake completed, among what
 * it carried from the window's start (the request less the 200 ms
 * slack, inclusive) to the gateway's answer (inclusive). A pooled
 * connection carries a request within 100 ms of the request or of the
 * request's own look-up's answer, both inclusive.
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

/*
 * The client asks at R; the gateway opens a connection to 192.0.2.10 at
 * R + `opened` (negative: before), sends GET / on it 5 ms after the
 * later of R and its opening, gets 502 and answers 502.
 */
static const struct txn *
opened_at(void **state, int64_t opened)
{
	struct uf *u = again(state);
	struct scene s;
	int64_t r = T0 + 100 * UF_MS, sent;

	scene_init(&s, u);
	uf_handshake(u, &u->cli, &u->srv);
	if (opened < 0) {
		uf_at(u, r + opened);
		uf_handshake(u, &s.out, &s.web);
	}
	uf_at(u, r);
	s.req = uf_get(u, &u->cli, &u->srv, URL, HOST);
	if (opened >= 0) {
		uf_at(u, r + opened);
		uf_handshake(u, &s.out, &s.web);
	}
	sent = (opened > 0 ? r + opened : r) + 5 * UF_MS;
	uf_at(u, sent);
	uf_get(u, &s.out, &s.web, "/", HOST);
	uf_status(u, &s.web, &s.out, 502);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
expect_relayed(void **state, const struct txn *t)
{
	struct uf *u = *state;

	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(t->d.ndns, 0);
	assert_int_equal(t->d.conn_link, LINK_REQUEST_LINE);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(t->d.conns[0], t->d.up_conn);
	assert_int_equal(u->fl.msgs[t->d.up_req].conn, t->d.up_conn);
	assert_int_not_equal(t->d.up_resp, NONE32);
}

static void
expect_nothing(const struct txn *t)
{
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.up_req, NONE32);
	assert_int_equal(t->d.nconns, 0);
}

static void
test_opened_at_once(void **state)
{
	expect_relayed(state, opened_at(state, 0));
	expect_relayed(state, opened_at(state, 50 * UF_MS));
	expect_relayed(state, opened_at(state, 100 * UF_MS));
	expect_nothing(opened_at(state, 100 * UF_MS + 1));
	expect_nothing(opened_at(state, 300 * UF_MS));
}

static void
test_opened_before(void **state)
{
	expect_relayed(state, opened_at(state, -UF_MS));
	expect_nothing(opened_at(state, -UF_MS - 1));
	expect_nothing(opened_at(state, -50 * UF_MS));
}

/*
 * Request 1 is served on a new upstream connection kept alive; request
 * 2 (for /b) comes 2 s later and the gateway forwards it on that
 * connection 10 ms later as GET `target`, gets 502 and answers 502.
 */
static const struct txn *
forwarded_as(void **state, const char *target)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side cli2, gw2;

	scene_init(&s, u);
	pooled(&s, &cli2, &gw2);
	uf_at(u, u->fl.stats.last_ts + 10 * UF_MS);
	uf_get(u, &s.out, &s.web, target, HOST);
	uf_status(u, &s.web, &s.out, 502);
	uf_status(u, &gw2, &cli2, 502);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	return uf_txn(u, 2);
}

static void
test_target_forms(void **state)
{
	const struct txn *t;

	t = forwarded_as(state, URL_B);
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_not_equal(t->d.up_req, NONE32);
	t = forwarded_as(state, "/b");
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_not_equal(t->d.up_req, NONE32);
	t = forwarded_as(state, URL);
	assert_int_equal(t->d.up_req, NONE32);
	t = forwarded_as(state, "/");
	assert_int_equal(t->d.up_req, NONE32);
	t = forwarded_as(state, "http://www.test/c");
	assert_int_equal(t->d.up_req, NONE32);
}

/*
 * HOST's address cached. The client asks at R; the gateway's SYN at
 * R + 10 ms is retransmitted at R + 1.01 s and answered at R + 1.02 s;
 * the gateway sends GET / at R + 1.03 s, gets 502 and answers 502.
 */
static void
test_slow_handshake(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	ask(&s);
	uf_at(u, s.req_ts + 10 * UF_MS);
	uf_syn(u, &s.out, &s.web);
	uf_at(u, s.req_ts + 1010 * UF_MS);
	uf_handshake(u, &s.out, &s.web);
	uf_at(u, s.req_ts + 1030 * UF_MS);
	uf_get(u, &s.out, &s.web, "/", HOST);
	uf_status(u, &s.web, &s.out, 502);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(t->d.conn_link, LINK_REQUEST_LINE);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(t->d.conns[0], t->d.up_conn);
}

/*
 * HOST's address cached. The client asks at R; the gateway connects at
 * R + 5 ms and sends GET / on that connection, its head timestamped
 * `sent` from R (the clocks of an `-i any` capture differ); it gets no
 * reply and answers 502 at R + 2 s (before the GET when that is later).
 */
static const struct txn *
sent_on_attempt(void **state, int64_t sent)
{
	struct uf *u = again(state);
	struct scene s;

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	ask(&s);
	uf_at(u, s.req_ts + 5 * UF_MS);
	uf_handshake(u, &s.out, &s.web);
	if (sent > 2 * UF_S) {
		uf_at(u, s.req_ts + 2 * UF_S);
		gateway_answers(&s, 502);
	}
	uf_at(u, s.req_ts + sent);
	uf_get(u, &s.out, &s.web, "/", HOST);
	if (sent <= 2 * UF_S) {
		uf_at(u, s.req_ts + 2 * UF_S);
		gateway_answers(&s, 502);
	}
	return diagnosed(&s);
}

static void
test_carried_within_window(void **state)
{
	const struct txn *t;

	t = sent_on_attempt(state, -200 * UF_MS);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_not_equal(t->d.up_req, NONE32);
	t = sent_on_attempt(state, -200 * UF_MS - 1);
	assert_int_equal(t->d.up_req, NONE32);
	t = sent_on_attempt(state, 1 * UF_S);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_not_equal(t->d.up_req, NONE32);
	t = sent_on_attempt(state, 2 * UF_S);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_not_equal(t->d.up_req, NONE32);
	t = sent_on_attempt(state, 2 * UF_S + 1);
	assert_int_equal(t->d.up_req, NONE32);
}

/*
 * HOST's address cached. Right after the request the gateway connects
 * and sends `before` requests for other paths (/x0, /x1 …) 2 ms apart,
 * then GET /; the server answers the first 502; the gateway answers 502
 * at 1 s. The connection's first 64 requests are looked at.
 */
static const struct txn *
after_others(void **state, int before)
{
	struct uf *u = again(state);
	struct scene s;
	char path[16];

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	ask(&s);
	uf_handshake(u, &s.out, &s.web);
	for (int k = 0; k < before; k++) {
		snprintf(path, sizeof path, "/x%d", k);
		uf_wait(u, 1 * UF_MS);
		uf_get(u, &s.out, &s.web, path, HOST);
	}
	uf_wait(u, 1 * UF_MS);
	uf_get(u, &s.out, &s.web, "/", HOST);
	uf_status(u, &s.web, &s.out, 502);
	uf_at(u, s.req_ts + 1 * UF_S);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_first_64_requests(void **state)
{
	const struct txn *t;

	t = after_others(state, 63);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_not_equal(t->d.up_req, NONE32);
	assert_int_equal(t->d.up_resp, NONE32);
	t = after_others(state, 64);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.up_req, NONE32);
}

/*
 * Request 1 is served on a connection kept alive; request 2 (for /b)
 * comes 2 s later, the gateway answers it 502 50 ms after it, and sends
 * GET /b on the pooled connection `after` that answer; the server
 * answers nothing (the capture ends). Nothing sent after the gateway
 * answered is what it answered from. (A reply after the answer is
 * nothing it relayed: test_diag_link's test_reply_within_skew.)
 */
static const struct txn *
forwarded_after_answer(void **state, int64_t after)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side cli2, gw2;
	int64_t answered;

	scene_init(&s, u);
	pooled(&s, &cli2, &gw2);
	answered = u->fl.stats.last_ts + 50 * UF_MS;
	uf_at(u, answered);
	uf_status(u, &gw2, &cli2, 502);
	uf_at(u, answered + after);
	uf_get(u, &s.out, &s.web, "/b", HOST);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	return uf_txn(u, 2);
}

static void
test_nothing_after_the_answer(void **state)
{
	const struct txn *t;

	t = forwarded_after_answer(state, 0);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_not_equal(t->d.up_req, NONE32);
	t = forwarded_after_answer(state, 1);
	assert_int_equal(t->d.up_req, NONE32);
	t = forwarded_after_answer(state, 10 * UF_MS);
	assert_int_equal(t->d.up_req, NONE32);
}

/*
 * Request 1 is served on a connection kept alive; request 2 (for /b)
 * comes 2 s later at R; the gateway looks HOST up again at R + 1 ms, the
 * answer comes at R + 300 ms, and it forwards GET /b on the pooled
 * connection `after` that answer; the server answers 502 and so does
 * the gateway. With the address known, a pooled connection carries the
 * request within 100 ms of the look-up's answer (inclusive).
 */
static const struct txn *
forwarded_after_lookup(void **state, int64_t after)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side cli2, gw2;
	int64_t r, answered;

	scene_init(&s, u);
	pooled(&s, &cli2, &gw2);
	r = u->fl.stats.last_ts;
	uf_at(u, r + 1 * UF_MS);
	query(&s);
	answered = r + 300 * UF_MS;
	uf_at(u, answered);
	answer(&s, 0, addr300, 1);
	uf_at(u, answered + after);
	uf_get(u, &s.out, &s.web, "/b", HOST);
	uf_status(u, &s.web, &s.out, 502);
	uf_status(u, &gw2, &cli2, 502);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	return uf_txn(u, 2);
}

static void
test_forwarded_after_lookup(void **state)
{
	const struct txn *t;

	t = forwarded_after_lookup(state, 0);
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	t = forwarded_after_lookup(state, 100 * UF_MS);
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	t = forwarded_after_lookup(state, 100 * UF_MS + 1);
	assert_int_equal(t->d.up_req, NONE32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_opened_at_once, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_opened_before, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_target_forms, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_slow_handshake, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_carried_within_window,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_nothing_after_the_answer,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_first_64_requests,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_forwarded_after_lookup,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
