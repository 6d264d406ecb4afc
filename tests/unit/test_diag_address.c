/*
 * test_diag_address.c: the look-up that gave the address an upstream
 * connection went to (diag/link.c, link_dns_address): when no look-up
 * of the request's own was found (none after it, none cached, the
 * newest one in flight already over), the newest answer from the
 * gateway naming the connection's address, received no later than the
 * connection's SYN and asked in the request's window (from 200 ms
 * before it, inclusive), is linked by address; an answer that came
 * after the SYN, or a look-up asked earlier than the window, is not;
 * with no look-up of the host in the capture at all, none is.
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

#include "diag/diag_int.h"
#include "unit_flow.h"
#include "diag_scene.h"

/*
 * The client connects at T0 and asks at R = T0 + 1 s. The gateway asked
 * for HOST A at R + q_at (an `-i any` capture's skew puts it before the
 * request), answered 192.0.2.10 at R + a_at; it also asked for HOST AAAA
 * at R - 10 ms, answered at R - 5 ms with no record (so the newest
 * look-up was over when the request came, and nothing was cached). At
 * R + 10 ms it connects to 192.0.2.10 and relays GET / (R + 12 ms),
 * whose reply 502 it passes on.
 */
static const struct txn *
address_lookup(void **state, int64_t q_at, int64_t a_at)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side res6;
	int64_t r = T0 + 1 * UF_S;
	uint16_t id = 0x300;

	scene_init(&s, u);
	uf_handshake(u, &u->cli, &u->srv);
	res6 = s.res;
	res6.port = 33001;
	uf_at(u, r + q_at);
	uf_dns_query(u, &s.res, &s.dns, id, HOST, DNS_T_A);
	uf_at(u, r - 10 * UF_MS);
	uf_dns_query(u, &res6, &s.dns, id + 1, HOST, DNS_T_AAAA);
	uf_at(u, r - 5 * UF_MS);
	uf_dns_answer(u, &s.dns, &res6, id + 1, HOST, DNS_T_AAAA, 0, NULL, 0);
	uf_at(u, r);
	uf_get(u, &u->cli, &u->srv, URL, HOST);
	uf_at(u, r + a_at);
	uf_dns_answer(u, &s.dns, &s.res, id, HOST, DNS_T_A, 0, addr300, 1);
	uf_at(u, r + 10 * UF_MS);
	uf_handshake(u, &s.out, &s.web);
	uf_at(u, r + 12 * UF_MS);
	uf_get(u, &s.out, &s.web, "/", HOST);
	uf_at(u, r + 20 * UF_MS);
	uf_status(u, &s.web, &s.out, 502);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 1);
	assert_string_equal(uf_str(u, u->fl.dns[0].qname), HOST);
	assert_int_equal(u->fl.dns[0].qtype, DNS_T_A);
	return uf_txn(u, 1);
}

static void
expect_linked(const struct txn *t, bool linked)
{
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_not_equal(t->d.up_req, NONE32);
	assert_int_equal(t->d.conn_link, LINK_REQUEST_LINE);
	if (linked) {
		assert_int_equal(t->d.dns_link, LINK_ADDRESS);
		assert_int_equal(t->d.ndns, 1);
		assert_int_equal(t->d.dns[0], 0);	/* the A look-up */
	} else {
		assert_int_equal(t->d.ndns, 0);
		assert_int_equal(t->d.dns_link, LINK_NONE);
	}
}

static void
test_lookup_of_the_address(void **state)
{
	const int64_t ms = UF_MS;

	/* asked 150 ms before the request, answered 5 ms after it */
	expect_linked(address_lookup(state, -150 * ms, 5 * ms), true);
	/* answered with the SYN (the same instant), or after it */
	expect_linked(address_lookup(state, -150 * ms, 10 * ms), true);
	expect_linked(address_lookup(state, -150 * ms, 10 * ms + 1), false);
	/* asked at the window's start, 200 ms before; or just before it */
	expect_linked(address_lookup(state, -DIAG_SLACK_NS, 5 * ms), true);
	expect_linked(address_lookup(state, -DIAG_SLACK_NS - 1, 5 * ms),
	    false);
}

/* The capture holds no DNS at all: the gateway connects to 192.0.2.10
 * and relays the reply 502. */
static void
test_no_lookup_at_all(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;

	scene_init(&s, u);
	ask(&s);
	upstream_get(&s);
	uf_status(u, &s.web, &s.out, 502);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_linked(t, false);
	assert_int_equal(u->fl.ndns, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lookup_of_the_address,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_no_lookup_at_all,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
