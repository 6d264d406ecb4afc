/*
 * test_flow_relay.c: the ports where a host passes on the requests it
 * receives (flow/relay.c): a reverse proxy that -p does not name. The
 * client asks 10.0.0.1:80 (no proxy port: 9090 is) for /app in origin
 * form; 10.0.0.1 sends /app to a backend just after. Not a relay: the
 * backend's request a second and a nanosecond later, for another target,
 * from another host, to the same server and port (on loopback, two
 * clients), or a request to a proxy port (a client's); nor one
 * after the first RELAY_LOOK requests when none was passed on.
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

#define RELAY_NS (1000LL * UF_MS)

enum relay_case {
	RELAYED,		/* /app on, 100 us after */
	RELAYED_AT_ONCE,	/* /app on, in the same microsecond (the
				 * capture's clock ticks in microseconds) */
	RELAYED_LAST_MOMENT,	/* /app on, a second after */
	TOO_LATE,		/* a second and a nanosecond after */
	OTHER_TARGET,		/* /other on */
	OTHER_HOST,		/* /app, but from 10.0.0.2 */
	TO_PROXY_PORT,		/* the client asked port 9090, a proxy port */
	ASKED_AGAIN,		/* /app from 10.0.0.1 to 10.0.0.1:80 itself
				 * (loopback: two clients of one server) */
	RELAY_CASES
};

/* The case's flow; how many relaying ports it found, their list in
 * ports. */
static size_t
relay_scene(struct uf *u, enum relay_case k, char *ports, size_t len,
    struct gw_addr *host)
{
	struct uf_side cli = u->cli, gw = u->srv, out, backend;
	int64_t after = k == RELAYED_LAST_MOMENT ? RELAY_NS :
	    k == TOO_LATE ? RELAY_NS + 1 : k == RELAYED_AT_ONCE ? 0 :
	    100 * 1000LL;

	gw.port = k == TO_PROXY_PORT ? 9090 : 80;
	uf_side_init(&out, k == OTHER_HOST ? "10.0.0.2" : "10.0.0.1", 50000,
	    7000);
	if (k == ASKED_AGAIN)
		backend = gw;
	else
		uf_side_init(&backend, "192.0.2.91", 8080, 9000);
	uf_handshake(u, &out, &backend);	/* a pooled connection */
	uf_handshake(u, &cli, &gw);
	uf_get(u, &cli, &gw, "/app", "app.test");
	uf_at(u, u->fl.stats.last_ts + after);
	uf_get(u, &out, &backend, k == OTHER_TARGET ? "/other" : "/app",
	    "app.test");
	return flow_relay_ports(&u->fl, ports, len, host);
}

static void
test_relay(void **state)
{
	for (int k = 0; k < RELAY_CASES; k++) {
		struct uf *u;
		char ports[64] = "x", addr[ADDR_STRLEN];
		struct gw_addr host = { 0 };
		size_t n;

		uf_teardown(state);
		uf_setup(state);
		u = *state;
		n = relay_scene(u, (enum relay_case)k, ports, sizeof ports,
		    &host);
		if (k == RELAYED || k == RELAYED_AT_ONCE ||
		    k == RELAYED_LAST_MOMENT) {
			assert_int_equal(n, 1);
			assert_string_equal(ports, "80");
			assert_string_equal(addr_fmt(&host, addr, sizeof addr),
			    "10.0.0.1");
			assert_int_equal(u->fl.relay_ports[0].relayed, 1);
		} else {
			assert_int_equal(n, 0);
			assert_string_equal(ports, "");
		}
	}
}

/* Ports listed ascending, each once, however many times and in whatever
 * order they relayed; the host is the first seen relaying. */
static void
test_relay_ports_listed(void **state)
{
	struct uf *u = *state;
	static const uint16_t order[] = { 8082, 80, 8082, 8081 };
	struct uf_side out, backend;
	char ports[64], addr[ADDR_STRLEN];
	struct gw_addr host;

	uf_side_init(&out, "10.0.0.1", 50000, 7000);
	uf_side_init(&backend, "192.0.2.91", 8080, 9000);
	uf_handshake(u, &out, &backend);
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		struct uf_side cli = u->cli, gw = u->srv;
		char path[32];

		cli.port = (uint16_t)(41000 + k);
		gw.port = order[k];
		snprintf(path, sizeof path, "/p%zu", k);
		uf_handshake(u, &cli, &gw);
		uf_get(u, &cli, &gw, path, "app.test");
		uf_get(u, &out, &backend, path, "app.test");
	}
	assert_int_equal(flow_relay_ports(&u->fl, ports, sizeof ports, &host),
	    3);
	assert_string_equal(ports, "80,8081,8082");
	assert_string_equal(addr_fmt(&host, addr, sizeof addr), "10.0.0.1");
	assert_int_equal(u->fl.relay_ports[0].port, 8082);
	assert_int_equal(u->fl.relay_ports[0].relayed, 2);
}

/*
 * Two clients ask 10.0.0.1:80 for /app within a second; it passes on
 * one request: one relay (a request takes one of theirs), then the
 * other: two. A second host passing requests on from its port 80 too:
 * port 80 listed once.
 */
static void
test_relay_counted_once(void **state)
{
	struct uf *u = *state;
	struct uf_side cli = u->cli, cli2 = u->cli, gw = u->srv, gw2 = u->srv;
	struct uf_side out, out2, backend;
	char ports[64];

	cli2.port = 40002;
	gw.port = gw2.port = 80;
	uf_side_init(&out, "10.0.0.1", 50000, 7000);
	uf_side_init(&backend, "192.0.2.91", 8080, 9000);
	uf_handshake(u, &out, &backend);
	uf_handshake(u, &cli, &gw);
	uf_handshake(u, &cli2, &gw2);
	uf_get(u, &cli, &gw, "/app", "app.test");
	uf_get(u, &cli2, &gw2, "/app", "app.test");
	uf_get(u, &out, &backend, "/app", "app.test");
	assert_int_equal(u->fl.nrelay_ports, 1);
	assert_int_equal(u->fl.relay_ports[0].relayed, 1);
	uf_get(u, &out, &backend, "/app", "app.test");
	assert_int_equal(u->fl.relay_ports[0].relayed, 2);

	/* 10.0.0.2:80 passes on /b */
	uf_side_init(&gw2, "10.0.0.2", 80, 6000);
	uf_side_init(&out2, "10.0.0.2", 50000, 8000);
	cli2.port = 40003;
	uf_handshake(u, &out2, &backend);
	uf_handshake(u, &cli2, &gw2);
	uf_get(u, &cli2, &gw2, "/b", "b.test");
	uf_get(u, &out2, &backend, "/b", "b.test");
	assert_int_equal(u->fl.nrelay_ports, 2);
	assert_int_equal(flow_relay_ports(&u->fl, ports, sizeof ports, NULL),
	    1);
	assert_string_equal(ports, "80");
}

/*
 * A target is hashed to its end: what its buffer holds after the NUL
 * (another request's leftovers) does not tell two equal targets apart.
 */
static void
test_relay_target_ends_at_nul(void **state)
{
	struct uf *u = *state;
	struct conn in, out;
	char first[48], again[48];

	memset(&in, 0, sizeof in);
	memset(&out, 0, sizeof out);
	assert_true(addr_parse("10.0.0.5", &in.caddr));
	assert_true(addr_parse("10.0.0.1", &in.saddr));
	in.sport = 80;
	out.caddr = in.saddr;
	assert_true(addr_parse("192.0.2.91", &out.saddr));
	out.sport = 8080;
	memset(first, 'x', sizeof first);
	memset(again, 'y', sizeof again);
	memcpy(first, "/app", 5);
	memcpy(again, "/app", 5);
	relay_request(&u->fl, &in, first, UF_S);
	relay_request(&u->fl, &out, again, UF_S + UF_MS);
	assert_int_equal(u->fl.nrelay_ports, 1);
}

/* relay.c's RELAY_LOOK: requests looked at while none was passed on */
#define RELAY_LOOK 4096

/*
 * A forward proxy's upstream requests (to origin servers, which pass
 * nothing on) stop being looked at after RELAY_LOOK: a reverse proxy
 * passes on its first request. `before` of them, then a relay.
 */
static size_t
relay_after(struct uf *u, unsigned before)
{
	struct uf_side out, origin, cli = u->cli, gw = u->srv, backend;
	char ports[64];

	uf_side_init(&out, "10.0.0.1", 50000, 7000);
	uf_side_init(&origin, "192.0.2.80", 80, 9000);
	uf_handshake(u, &out, &origin);
	for (unsigned k = 0; k < before; k++)
		uf_get(u, &out, &origin, "/", "origin.test");
	uf_side_init(&backend, "192.0.2.91", 8080, 9000);
	uf_handshake(u, &out, &backend);
	gw.port = 80;
	uf_handshake(u, &cli, &gw);
	uf_get(u, &cli, &gw, "/app", "app.test");
	uf_get(u, &out, &backend, "/app", "app.test");
	return flow_relay_ports(&u->fl, ports, sizeof ports, NULL);
}

static void
test_relay_looked_at_first(void **state)
{
	/* the client's request to port 80 is looked at too */
	assert_int_equal(relay_after(*state, RELAY_LOOK - 2), 1);
	uf_teardown(state);
	uf_setup(state);
	assert_int_equal(relay_after(*state, RELAY_LOOK - 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_relay, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_relay_ports_listed,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_relay_counted_once,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_relay_target_ends_at_nul,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_relay_looked_at_first,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
