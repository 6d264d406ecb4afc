/*
 * test_diag_txn.c: client transactions as diag/txn.c makes them (DESIGN
 * §3): the URL, host and port of each request form (origin, absolute,
 * authority; ports given or defaulted; the host lower-cased), answers
 * paired in order, requests that are not HTTP counted apart, rival
 * requests (same host and port within 1 ms, inclusive, also just after
 * a retire), ids that outlive retiring, and answers paired on more
 * connections than the first queues hold.
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

static void
expect_target(struct uf *u, uint32_t id, const char *url, const char *host,
    unsigned port)
{
	const struct txn *t = uf_txn(u, id);

	assert_string_equal(uf_str(u, t->url), url);
	assert_string_equal(uf_str(u, t->host), host);
	assert_int_equal(t->port, port);
}

/* A request on a new connection of its own, from 10.0.0.<n>. */
static void
asks_alone(struct uf *u, int n, const char *request)
{
	struct uf_side cli, gw = u->srv;
	char addr[32];

	snprintf(addr, sizeof addr, "10.0.0.%d", n);
	uf_side_init(&cli, addr, 40000, 3000);
	uf_handshake(u, &cli, &gw);
	uf_send(u, &cli, &gw, request);
}

/* Three requests pipelined on one connection, a CONNECT on each of two
 * more (a tunnel carries no more requests), and one that is not HTTP. */
static void
test_request_forms(void **state)
{
	struct uf *u = *state;

	uf_handshake(u, &u->cli, &u->srv);
	uf_send(u, &u->cli, &u->srv, "GET /a?b HTTP/1.1\r\n"
	    "Host: WWW.Test:8080\r\n\r\n");
	uf_send(u, &u->cli, &u->srv, "GET http://Web.Test/x HTTP/1.1\r\n"
	    "Host: other.test\r\n\r\n");
	uf_send(u, &u->cli, &u->srv, "GET http://web.test:81/y HTTP/1.1\r\n"
	    "Host: web.test:81\r\n\r\n");
	asks_alone(u, 6, "CONNECT tls.test:8443 HTTP/1.1\r\n"
	    "Host: tls.test:8443\r\n\r\n");
	asks_alone(u, 7, "CONNECT tls.test HTTP/1.1\r\nHost: tls.test\r\n"
	    "\r\n");
	asks_alone(u, 8, "this is no HTTP\r\n\r\n");
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 5);
	assert_int_equal(u->dg.bad_requests, 1);
	expect_target(u, 1, "http://WWW.Test:8080/a?b", "www.test", 8080);
	expect_target(u, 2, "http://Web.Test/x", "web.test", 80);
	expect_target(u, 3, "http://web.test:81/y", "web.test", 81);
	expect_target(u, 4, "tls.test:8443", "tls.test", 8443);
	expect_target(u, 5, "tls.test", "tls.test", 443);
	for (uint32_t id = 1; id <= 5; id++) {
		assert_int_equal(uf_txn(u, id)->status, 0);
		assert_true(uf_txn(u, id)->is_error);
	}
	assert_int_equal(diag_total(&u->dg), 5);
	assert_int_equal(u->dg.errors, 5);
}

/* Answers pair with requests in order on their connection; each answer's
 * status decides whether it is an error (--status 502,503,504). */
static void
test_answers_in_order(void **state)
{
	static const unsigned status[4] = { 200, 503, 404, 504 };
	struct uf *u = *state;

	uf_handshake(u, &u->cli, &u->srv);
	for (int k = 0; k < 4; k++)
		uf_get(u, &u->cli, &u->srv, URL, HOST);
	for (int k = 0; k < 3; k++)
		uf_status(u, &u->srv, &u->cli, status[k]);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 4);
	for (uint32_t id = 1; id <= 3; id++) {
		assert_int_equal(uf_txn(u, id)->status, status[id - 1]);
		assert_true(uf_txn(u, id)->resp != NONE32);
	}
	assert_false(uf_txn(u, 1)->is_error);
	assert_true(uf_txn(u, 2)->is_error);
	assert_false(uf_txn(u, 3)->is_error);
	assert_int_equal(uf_txn(u, 4)->resp, NONE32);
	assert_true(uf_txn(u, 4)->is_error);	/* never answered */
	assert_int_equal(u->dg.errors, 2);
}

/* Two clients ask `gap` apart, for HOST on `port2` the second: rivals
 * only within 1 ms (inclusive) and for the same host and port. */
static void
rivals(void **state, int64_t gap, const char *url2, uint32_t want)
{
	struct uf *u = again(state);
	struct uf_side cli2, gw2;
	int64_t at;

	uf_side_init(&cli2, "10.0.0.6", 40001, 3000);
	gw2 = u->srv;
	uf_handshake(u, &u->cli, &u->srv);
	uf_handshake(u, &cli2, &gw2);
	at = u->next_ts_ns + 10 * UF_MS;
	uf_at(u, at);
	uf_get(u, &u->cli, &u->srv, URL, HOST);
	uf_at(u, at + gap);
	uf_get(u, &cli2, &gw2, url2, HOST);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	assert_int_equal(uf_txn(u, 1)->rival, want ? 2 : 0);
	assert_int_equal(uf_txn(u, 2)->rival, want);
}

static void
test_rivals(void **state)
{
	rivals(state, 0, URL, 1);
	rivals(state, UF_MS, URL, 1);
	rivals(state, UF_MS + 1, URL, 0);
	rivals(state, UF_MS / 2, "http://" HOST ":8080/", 0);
	rivals(state, UF_MS / 2, "http://WWW.TEST/", 1);
	rivals(state, UF_MS / 2, "http://other.test/", 0);
}

/* A retired transaction's id is not given again: the next request's id
 * counts on from the retired ones. */
static void
test_ids_outlive_retiring(void **state)
{
	struct uf *u = *state;
	uint8_t all[2] = { 1, 1 };
	struct scene s;

	scene_init(&s, u);
	ask(&s);
	gateway_answers(&s, 200);
	uf_at(u, s.req_ts + 10 * UF_S);
	uf_get(u, &u->cli, &u->srv, URL, HOST);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 2);
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 1);
	assert_int_equal(u->dg.ntxns, 1);
	assert_int_equal(u->dg.txns[0].id, 2);
	assert_int_equal(diag_find(&u->dg, 1), NONE32);
	assert_int_equal(diag_find(&u->dg, 2), 0);
	assert_int_equal(diag_find(&u->dg, 3), NONE32);
	uf_at(u, s.req_ts + 11 * UF_S);
	uf_get(u, &u->cli, &u->srv, URL_B, HOST);
	uf_slice(u);
	assert_int_equal(u->dg.ntxns, 2);
	assert_int_equal(u->dg.txns[1].id, 3);
	assert_int_equal(diag_find(&u->dg, 3), 1);
	assert_int_equal(diag_total(&u->dg), 3);
	assert_int_equal(u->dg.retired.txns, 1);
	assert_int_equal(u->dg.retired.errors, 0);
}

/* More client connections than the per-connection queues first hold
 * (1024): each answer still finds its own request. */
static void
test_many_connections(void **state)
{
	struct uf *u = *state;
	struct uf_side cli, gw;
	char addr[32];

	for (int k = 0; k < 1100; k++) {
		snprintf(addr, sizeof addr, "10.1.%d.%d", k / 200, k % 200 + 1);
		uf_side_init(&cli, addr, 40000, 3000);
		gw = u->srv;
		uf_handshake(u, &cli, &gw);
		uf_get(u, &cli, &gw, URL, HOST);
		uf_status(u, &gw, &cli, k == 1099 ? 502 : 200);
	}
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 1100);
	for (uint32_t id = 1; id <= 1100; id++) {
		const struct txn *t = uf_txn(u, id);

		assert_true(t->resp != NONE32);
		assert_int_equal(u->fl.msgs[t->resp].conn, t->conn);
		assert_int_equal(t->status, id == 1100 ? 502 : 200);
	}
	assert_int_equal(u->dg.errors, 1);
}

/*
 * Request 1 is over and retired just as request 2 came; request 3, for
 * the same host 0.5 ms after request 2, is its rival: retiring renumbers
 * the kept transactions and indexes every one of them again.
 */
static void
test_rivals_after_retire(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli[3], gw[3], out[3];
	uint8_t all[2] = { 1, 1 };
	int64_t at;

	scene_init(&s, u);
	clients_connect(&s, 3, cli, gw, out);
	uf_get(u, &cli[0], &gw[0], URL, HOST);
	uf_status(u, &gw[0], &cli[0], 200);
	at = u->next_ts_ns + 10 * UF_S;
	uf_at(u, at);
	uf_get(u, &cli[1], &gw[1], URL, HOST);
	uf_diag_run(u, NULL, false);
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 1);
	assert_int_equal(u->dg.txns[0].id, 2);
	uf_at(u, at + UF_MS / 2);
	uf_get(u, &cli[2], &gw[2], URL, HOST);
	uf_slice(u);
	assert_int_equal(uf_txn(u, 3)->rival, 2);
	assert_int_equal(uf_txn(u, 2)->rival, 3);
}

/* A reply that is no HTTP answer has no status: an error, counted. */
static void
test_junk_answer(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;

	scene_init(&s, u);
	ask(&s);
	uf_send(u, &u->srv, &u->cli, "\x16\x03\x01 not http\r\n\r\n");
	t = diagnosed(&s);
	assert_int_not_equal(t->resp, NONE32);
	assert_false(u->fl.msgs[t->resp].valid);
	assert_int_equal(t->status, 0);
	assert_true(t->is_error);
	assert_int_equal(u->dg.errors, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_forms, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_answers_in_order,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_rivals, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_ids_outlive_retiring,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_many_connections,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_junk_answer, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_rivals_after_retire,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
