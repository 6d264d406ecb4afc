/*
 * test_diag_probes.c: a reverse proxy's health checks (diag/probes.c).
 * HAProxy checks a backend it has marked down every 2 s: a connection
 * the backend refuses, whatever the clients ask. A check that begins
 * just after a request is no try of it, neither the one before the try
 * that carried it nor, when its own backend is silent, the refusal it
 * met; a monitor asking through the proxy every 2 s makes refused
 * connections as evenly spaced, each just after its request: those are
 * its requests' tries. Each check fails on the code before probes.c;
 * the storm's (a check late, every check prompted) and the HTTP check's
 * on the code before 5 December's change.
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

#define US 1000LL
/* HAProxy's `inter`, and its timers' lateness (checks 2.0024 s apart,
 * then 1.9992 s, in the reverse-proxy lab) */
#define CHECK_EVERY (2 * UF_S)
#define CHECK_LATE(k) ((k) % 3 * 1200 * US)
/* Checks before the request: a series long enough to tell */
#define CHECKS 11

/* The gateway's check number k of the down backend at `at`, refused by
 * RST. */
static void
check_down_at(struct uf *u, int k, int64_t at)
{
	struct uf_side down, from;

	uf_side_init(&down, "192.0.2.88", 8080, 8000);
	uf_side_init(&from, "10.0.0.1", (uint16_t)(41000 + k), 6000);
	uf_at(u, at);
	uf_syn(u, &from, &down);
	uf_at(u, at + 30 * US);
	uf_rst(u, &down, &from);
}

/* Check number k on its beat. */
static void
check_down(struct uf *u, int k)
{
	check_down_at(u, k, T0 + k * CHECK_EVERY + CHECK_LATE(k));
}

/* A client (cli, to the proxy's gw) connects 10 ms before `at` and asks
 * for path on host 120 us before it (the lab's gap before the check). */
static void
ask_before(struct uf *u, struct uf_side *cli, struct uf_side *gw,
    int64_t at, const char *path, const char *host)
{
	uf_at(u, at - 10 * UF_MS);
	uf_handshake(u, cli, gw);
	uf_at(u, at - 120 * US);
	uf_get(u, cli, gw, path, host);
}

/* Checks 0 to CHECKS - 1; then a client (10.0.0.5) asks for path on
 * host just before check number CHECKS, which comes. Returns when the
 * check's RST came. */
static void
checks_then_request(struct uf *u, struct uf_side *cli, struct uf_side *gw,
    const char *path, const char *host)
{
	for (int k = 0; k < CHECKS; k++)
		check_down(u, k);
	uf_side_init(cli, "10.0.0.5", 40100, 1000);
	*gw = u->srv;
	ask_before(u, cli, gw, T0 + CHECKS * CHECK_EVERY + CHECK_LATE(CHECKS),
	    path, host);
	check_down(u, CHECKS);
}

/* The one request read as v/c, its one connection to 192.0.2.octet. */
static const struct txn *
expect_one_try(struct uf *u, enum verdict v, enum cause c, int octet)
{
	const struct txn *t;

	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 1);
	t = uf_txn(u, 1);
	expect_verdict(t, v, c);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(u->fl.conns[t->d.conns[0]].saddr.a[3], octet);
	return t;
}

/*
 * The check refused 30 us before the gateway's connection that carried
 * the request to its backend, which relays a 502: nginx tries its
 * group's next server that soon, but this refusal was the check's.
 */
static void
test_check_before_carrier(void **state)
{
	struct uf *u = *state;
	struct uf_side cli, gw, relay, out;
	const struct txn *t;

	checks_then_request(u, &cli, &gw, "/r30", "relay.test");
	uf_side_init(&relay, "192.0.2.87", 8080, 9000);
	uf_side_init(&out, "10.0.0.1", 50000, 7000);
	uf_at(u, u->fl.stats.last_ts + 10 * US);
	uf_handshake(u, &out, &relay);
	uf_get(u, &out, &relay, "/r30", "relay.test");
	uf_status(u, &relay, &out, 502);
	uf_status(u, &gw, &cli, 502);
	t = expect_one_try(u, V_RELAYED, C_UPSTREAM_5XX, 87);
	assert_int_equal(t->d.ntries, 0);
}

/*
 * The request (10.0.0.5, /r25 on drop.test) just before check `at`,
 * whose own backend drops the gateway's SYN 20 us after the check's RST
 * and again a second later: the gateway answers 503 at 2 s.
 */
static void
request_dropped(struct uf *u, int k, int64_t at)
{
	struct uf_side cli, gw, drop, out;

	uf_side_init(&cli, "10.0.0.5", 40100, 1000);
	gw = u->srv;
	ask_before(u, &cli, &gw, at, "/r25", "drop.test");
	check_down_at(u, k, at);
	uf_side_init(&drop, "192.0.2.82", 8080, 9000);
	uf_side_init(&out, "10.0.0.1", 50000, 7000);
	uf_at(u, at + 50 * US);
	uf_syn(u, &out, &drop);
	uf_at(u, at + 1020 * UF_MS);
	uf_syn(u, &out, &drop);
	uf_at(u, at + 2 * UF_S);
	uf_status(u, &gw, &cli, 503);
}

/*
 * The request's own backend drops the SYN the gateway sends 20 us after
 * the check's RST, and again a second later; the gateway gives up at 2 s
 * (HAProxy's timeout connect) and answers 503. The refusal nearest the
 * request was the check's.
 */
static void
test_check_nearest_refusal(void **state)
{
	struct uf *u = *state;

	for (int k = 0; k < CHECKS; k++)
		check_down(u, k);
	request_dropped(u, CHECKS, T0 + CHECKS * CHECK_EVERY +
	    CHECK_LATE(CHECKS));
	expect_one_try(u, V_CANNOT_CONNECT, C_SYN_UNANSWERED, 82);
}

/*
 * HAProxy's HTTP check of a backend it keeps (GET /health, HTTP/1.0)
 * opened 0.5 ms before the connection that carried a request to that
 * backend, which replied junk (the reverse-proxy lab's recording of
 * 12:26:25): the check's connection carried its own request only, no
 * try of this one (the report said the request was sent twice).
 */
static void
test_http_check_before_try(void **state)
{
	struct uf *u = *state;
	struct uf_side cli, gw, app, check_app, check, out;
	const struct txn *t;

	uf_side_init(&cli, "10.0.0.5", 40100, 1000);
	gw = u->srv;
	ask_before(u, &cli, &gw, T0 + 120 * US, "/b80-1-1/junk", "app.test");
	uf_side_init(&app, "192.0.2.91", 8080, 8000);
	check_app = app;
	uf_side_init(&check, "10.0.0.1", 43648, 6000);
	uf_at(u, T0 + 10490 * US);
	uf_handshake(u, &check, &check_app);
	uf_at(u, T0 + 10768 * US);
	uf_send(u, &check, &check_app, "GET /health HTTP/1.0\r\n\r\n");
	uf_side_init(&out, "10.0.0.1", 43660, 7000);
	uf_at(u, T0 + 11032 * US);
	uf_handshake(u, &out, &app);
	uf_at(u, T0 + 11076 * US);
	uf_get(u, &out, &app, "/b80-1-1/junk", "app.test");
	uf_at(u, T0 + 46357 * US);
	uf_status(u, &check_app, &check, 200);
	uf_at(u, T0 + 54779 * US);
	uf_send(u, &app, &out, "<html><body>no status line</body></html>\n");
	uf_at(u, T0 + 55116 * US);
	uf_rst(u, &check, &check_app);
	uf_at(u, T0 + 58091 * US);
	uf_status(u, &gw, &cli, 502);
	uf_rst(u, &out, &app);
	t = expect_one_try(u, V_BAD_RESPONSE, C_HTTP_INVALID, 91);
	assert_int_equal(u->fl.conns[t->d.conns[0]].cport, 43660);
}

/* Checks in a storm: STORM requests in a row, each 120 us before its
 * check (answered 200 from the gateway's cache), enough that fewer than
 * half of the series' last eight began unprompted. */
#define STORM 6

/* Was the gateway's check number k (from port 41000 + k) taken for one? */
static bool
taken_for_check(struct uf *u, int k)
{
	for (uint32_t i = 0; i < u->fl.nconns; i++)
		if (u->fl.conns[i].cport == 41000 + k &&
		    u->fl.conns[i].saddr.a[3] == 88)
			return diag_probe(&u->dg, &u->fl, i);
	fail_msg("no check number %d", k);
	return false;
}

/*
 * HAProxy's checks of a backend marked down go on while nginx serves a
 * storm of requests on the same gateway: every check has a request just
 * before it, and one came 160 ms after its beat (the lab's, with 320
 * requests in 18 s). Once the series was a checker's it stays one: the
 * check just after the request, on its beat or late by up to an eighth
 * of the interval (250 ms), is no try of it; one later than that starts
 * the series again, no check.
 */
static void
test_check_in_storm(void **state)
{
	static const int64_t late_ms[] = { 0, 160, 240, 270 };
	struct uf *u = *state;

	for (size_t round = 0; round < 4; round++) {
		int64_t at = 0;

		if (round > 0)
			u = again(state);
		for (int k = 0; k < CHECKS; k++)
			check_down(u, k);
		for (int k = CHECKS; k < CHECKS + STORM; k++) {
			struct uf_side cli, gw;

			at = T0 + k * CHECK_EVERY + CHECK_LATE(k);
			uf_side_init(&cli, "10.0.0.9", (uint16_t)(30000 + k),
			    1000);
			gw = u->srv;
			ask_before(u, &cli, &gw, at, "/s", "storm.test");
			check_down_at(u, k, at);
			uf_at(u, at + UF_MS);
			uf_status(u, &gw, &cli, 200);
		}
		request_dropped(u, CHECKS + STORM,
		    at + CHECK_EVERY + late_ms[round] * UF_MS);
		uf_diagnose(u);
		assert_int_equal(u->dg.ntxns, STORM + 1);
		if (late_ms[round] > CHECK_EVERY / 8 / UF_MS) {
			assert_false(taken_for_check(u, CHECKS + STORM));
			continue;
		}
		assert_true(taken_for_check(u, CHECKS + STORM));
		expect_verdict(uf_txn(u, STORM + 1), V_CANNOT_CONNECT,
		    C_SYN_UNANSWERED);
		assert_int_equal(uf_txn(u, STORM + 1)->d.nconns, 1);
		assert_int_equal(u->fl.conns[uf_txn(u, STORM +
		    1)->d.conns[0]].saddr.a[3], 82);
	}
}

/*
 * A monitor asks for /health every 2 s through the proxy, whose backend
 * refuses: each connection, as evenly spaced as a check's, follows its
 * request by 120 us and is its try. And one request whose backend
 * refuses seven times a second apart (HAProxy's `retries 6`): seven
 * tries, no check among them.
 */
static void
test_even_tries_are_tries(void **state)
{
	struct uf *u = *state;
	struct uf_side down, cli, gw, from;

	uf_side_init(&down, "192.0.2.88", 8080, 8000);
	for (int k = 0; k < CHECKS + 1; k++) {
		int64_t at = T0 + k * CHECK_EVERY + CHECK_LATE(k);

		uf_side_init(&cli, "10.0.0.5", (uint16_t)(40100 + k), 1000);
		gw = u->srv;
		uf_side_init(&from, "10.0.0.1", (uint16_t)(41000 + k), 6000);
		ask_before(u, &cli, &gw, at, "/health", "down.test");
		uf_at(u, at);
		uf_syn(u, &from, &down);
		uf_rst(u, &down, &from);
		uf_status(u, &gw, &cli, 503);
	}
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, CHECKS + 1);
	for (uint32_t id = 1; id <= CHECKS + 1; id++) {
		const struct txn *t = uf_txn(u, id);

		expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
		assert_int_equal(t->d.nconns, 1);
	}

	u = again(state);
	uf_side_init(&down, "192.0.2.88", 8080, 8000);
	uf_side_init(&cli, "10.0.0.5", 40100, 1000);
	gw = u->srv;
	uf_at(u, T0);
	uf_handshake(u, &cli, &gw);
	uf_get(u, &cli, &gw, "/app", "down.test");
	for (int k = 0; k < 7; k++) {
		uf_side_init(&from, "10.0.0.1", (uint16_t)(41000 + k), 6000);
		uf_at(u, T0 + UF_MS + k * 1001 * UF_MS);
		uf_syn(u, &from, &down);
		uf_rst(u, &down, &from);
	}
	uf_status(u, &gw, &cli, 503);
	uf_diagnose(u);
	expect_verdict(uf_txn(u, 1), V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(uf_txn(u, 1)->d.nconns, 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_check_before_carrier,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_check_nearest_refusal,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_http_check_before_try,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_check_in_storm,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_even_tries_are_tries,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
