/*
 * test_diag_tunnel.c: the edges of a failure masked by a success
 * (diag/masked.c, DESIGN §7): which answers promise a tunnel (a CONNECT
 * answered 2xx, no other status nor method), which closes are the
 * gateway's drop (its FIN or its RST, not the client's leaving first),
 * the gateway's timeout as the latest such drop (inclusive), and when
 * such a transaction settles.
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

enum drop { GW_FIN, GW_RST, CLIENT_FIN_FIRST, CLIENT_RST_FIRST, NO_DROP };

struct promise {
	const char *method;	/* "CONNECT", or "GET" */
	unsigned status;	/* the gateway's answer, at once */
	enum drop drop;
	int64_t req_ts, drop_ts;
};

/*
 * A client asks `CONNECT www.test:443` (or `GET http://www.test:443/`)
 * and is answered `status` at once; then the gateway resolves the host,
 * its SYN to port 443 is refused, and the tunnel ends as p->drop says.
 */
static void
promise(struct uf *u, struct promise *p)
{
	struct scene s;
	char req[128];

	scene_init(&s, u);
	s.web.port = 443;
	uf_handshake(u, &u->cli, &u->srv);
	snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: www.test:443\r\n"
	    "\r\n", p->method, strcmp(p->method, "CONNECT") == 0 ?
	    "www.test:443" : "http://www.test:443/");
	p->req_ts = u->next_ts_ns;
	uf_send(u, &u->cli, &u->srv, req);
	uf_status(u, &u->srv, &u->cli, p->status);
	resolve(&s);
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	p->drop_ts = u->next_ts_ns;
	switch (p->drop) {
	case GW_FIN:
		uf_fin(u, &u->srv, &u->cli);
		break;
	case GW_RST:
		uf_rst(u, &u->srv, &u->cli);
		break;
	case CLIENT_FIN_FIRST:
		uf_fin(u, &u->cli, &u->srv);
		uf_fin(u, &u->srv, &u->cli);
		break;
	case CLIENT_RST_FIRST:
		uf_rst(u, &u->cli, &u->srv);
		uf_rst(u, &u->srv, &u->cli);
		break;
	case NO_DROP:
		break;
	}
}

/* Diagnosed at the end with the gateway's timeout; masked or not. */
static bool
masked(void **state, struct promise *p, int64_t timeout_ns)
{
	struct uf *u = again(state);
	struct diag_opts o;
	const struct txn *t;

	promise(u, p);
	uf_diag_opts(&o);
	if (timeout_ns)
		o.timeout_ns = timeout_ns;
	uf_diag_run(u, &o, true);
	assert_int_equal(u->dg.ntxns, 1);
	t = uf_txn(u, 1);
	assert_true(t->d.masked == t->is_error);
	if (t->d.masked) {
		assert_int_equal(t->d.verdict, V_CANNOT_CONNECT);
		assert_int_equal(t->d.cause, C_TCP_RST);
		assert_int_equal(u->dg.errors, 1);
	} else {
		assert_int_equal(u->dg.errors, 0);
	}
	return t->d.masked;
}

/* Only a CONNECT answered 2xx promised a tunnel. */
static void
test_what_promises_a_tunnel(void **state)
{
	struct promise p = { "CONNECT", 200, GW_FIN, 0, 0 };

	assert_true(masked(state, &p, 0));
	p.status = 299;
	assert_true(masked(state, &p, 0));
	p.status = 300;
	assert_false(masked(state, &p, 0));
	p.status = 200;
	p.method = "GET";
	assert_false(masked(state, &p, 0));
}

/* The gateway's FIN or RST drops the tunnel; the client leaving first
 * (FIN or RST) ends it instead; no close at all is no drop. */
static void
test_who_closed(void **state)
{
	struct promise p = { "CONNECT", 200, GW_RST, 0, 0 };

	assert_true(masked(state, &p, 0));
	p.drop = CLIENT_FIN_FIRST;
	assert_false(masked(state, &p, 0));
	p.drop = CLIENT_RST_FIRST;
	assert_false(masked(state, &p, 0));
	p.drop = NO_DROP;
	assert_false(masked(state, &p, 0));
}

/* A drop exactly the gateway's timeout after the request is still its
 * answer to the failure; one nanosecond later it is not. */
static void
test_drop_at_the_timeout(void **state)
{
	struct promise p = { "CONNECT", 200, GW_FIN, 0, 0 };
	int64_t within;

	assert_true(masked(state, &p, 0));
	within = p.drop_ts - p.req_ts;
	assert_true(masked(state, &p, within));
	assert_false(masked(state, &p, within - 1));
}

/* Read frame by frame: is the tunnel (ended as `drop` says) settled
 * `wait` after its end, and masked? */
static void
settles(void **state, enum drop drop, int64_t wait, bool settled,
    bool is_masked)
{
	struct promise p = { "CONNECT", 200, drop, 0, 0 };
	struct uf *u = again(state);
	struct scene s;

	uf_slices_begin(u, NULL);
	promise(u, &p);
	scene_init(&s, u);
	uf_at(u, p.drop_ts + wait);
	query(&s);	/* the capture's clock moves on */
	assert_true(uf_txn(u, 1)->settled == settled);
	assert_true(uf_txn(u, 1)->d.masked == is_masked);
	uf_slices_end(u);
}

/* A tunnel dropped settles once the drop and the slack (200 ms) have
 * passed; while open it waits for the gateway's timeout (120 s); one the
 * client ended settles with its answer. */
static void
test_settling(void **state)
{
	settles(state, NO_DROP, 100 * UF_S, false, false);
	settles(state, NO_DROP, 121 * UF_S, true, false);
	settles(state, CLIENT_FIN_FIRST, 300 * UF_MS, true, false);
	settles(state, GW_FIN, 100 * UF_MS, false, true);
	settles(state, GW_FIN, 300 * UF_MS, true, true);
}

/*
 * A GET whose attempt was refused, answered `status` by the gateway
 * itself, with only 503 counted as an error status (--status 503): is it
 * a gateway error all the same (masked)?
 */
static bool
refused_answered(void **state, unsigned status)
{
	struct uf *u = again(state);
	struct diag_opts o;
	struct scene s;
	const struct txn *t;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	gateway_answers(&s, status);
	uf_diag_opts(&o);
	o.statuses[0] = 503;
	o.nstatuses = 1;
	uf_diag_run(u, &o, true);
	t = uf_txn(u, 1);
	assert_true(t->d.masked == t->is_error);
	assert_int_equal(u->dg.errors, t->is_error);
	return t->d.masked;
}

/* Another error status the gateway made after the upstream failed is a
 * gateway error (DESIGN §7); 502 and 504 left out of --status were left
 * out on purpose, and a status below 400 is no error. */
static void
test_other_error_statuses(void **state)
{
	assert_false(refused_answered(state, 399));
	assert_true(refused_answered(state, 400));
	assert_true(refused_answered(state, 500));
	assert_true(refused_answered(state, 501));
	assert_false(refused_answered(state, 502));
	assert_false(refused_answered(state, 504));
	assert_true(refused_answered(state, 505));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_what_promises_a_tunnel,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_who_closed, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_drop_at_the_timeout,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_settling, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_other_error_statuses,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
