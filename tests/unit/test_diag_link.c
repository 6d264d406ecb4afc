/*
 * test_diag_link.c: whose traffic is evidence and how an upstream
 * connection's end reads (diag/link.c): the requesting client's own
 * look-ups and connections never are, and with -g (the gateway's
 * address) only the gateway's are; a request sent upstream whose
 * connection the server closed (FIN or RST) before the gateway closed
 * its side and before the answer is upstream-closed, else the gateway
 * waited in vain (upstream-timeout).
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_whose_traffic, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_who_closed_upstream,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
