/*
 * test_diag_probes.c: a reverse proxy's health checks (diag/probes.c).
 * HAProxy checks a backend it has marked down every 2 s: a connection
 * the backend refuses, whatever the clients ask. A check that begins
 * just after a request is no try of it, neither the one before the try
 * that carried it nor, when its own backend is silent, the refusal it
 * met; a monitor asking through the proxy every 2 s makes refused
 * connections as evenly spaced, each just after its request: those are
 * its requests' tries. Each check fails on the code before probes.c.
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

/* The gateway's check number k of the down backend, refused by RST. */
static void
check_down(struct uf *u, int k)
{
	struct uf_side down, from;

	uf_side_init(&down, "192.0.2.88", 8080, 8000);
	uf_side_init(&from, "10.0.0.1", (uint16_t)(41000 + k), 6000);
	uf_at(u, T0 + k * CHECK_EVERY + CHECK_LATE(k));
	uf_syn(u, &from, &down);
	uf_at(u, T0 + k * CHECK_EVERY + CHECK_LATE(k) + 30 * US);
	uf_rst(u, &down, &from);
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
 * The request's own backend drops the SYN the gateway sends 20 us after
 * the check's RST, and again a second later; the gateway gives up at 2 s
 * (HAProxy's timeout connect) and answers 503. The refusal nearest the
 * request was the check's.
 */
static void
test_check_nearest_refusal(void **state)
{
	struct uf *u = *state;
	struct uf_side cli, gw, drop, out;
	int64_t at;

	checks_then_request(u, &cli, &gw, "/r25", "drop.test");
	at = u->fl.stats.last_ts;
	uf_side_init(&drop, "192.0.2.82", 8080, 9000);
	uf_side_init(&out, "10.0.0.1", 50000, 7000);
	uf_at(u, at + 20 * US);
	uf_syn(u, &out, &drop);
	uf_at(u, at + 1020 * UF_MS);
	uf_syn(u, &out, &drop);
	uf_at(u, at + 2 * UF_S);
	uf_status(u, &gw, &cli, 503);
	expect_one_try(u, V_CANNOT_CONNECT, C_SYN_UNANSWERED, 82);
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
		cmocka_unit_test_setup_teardown(test_even_tries_are_tries,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
