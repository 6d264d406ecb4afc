/*
 * test_diag_link_addrs.c: the addresses a request's evidence may go to
 * are those its own look-ups answered (diag/link.c, DESIGN §2): another
 * name's answer, however early in the capture, gives none of them, and
 * a look-up linked by time is linked by address only when it answered
 * the address the upstream request went to (not when a later answer
 * for another name did). The first 16 addresses the look-up gave are
 * candidates, in the order of its answers.
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

static const struct uf_rr other99[] = {
	{ DNS_T_A, NULL, 300, "192.0.2.99" },
};

/*
 * The capture's first look-up: other.test is 192.0.2.99 (1-2). Then the
 * client asks (3-5), HOST resolves to 192.0.2.10 (6-7) and the gateway's
 * SYN to 192.0.2.99:80 is refused (8-9); it answers 502.
 */
static void
test_other_names_addresses(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side web99;
	const struct txn *t;

	scene_init(&s, u);
	uf_side_init(&web99, "192.0.2.99", 80, 0);
	lookup_at(&s, T0 - 1 * UF_S, "other.test", 0, other99, 1);
	uf_at(u, T0);
	ask(&s);
	lookup_at(&s, s.req_ts + 1 * UF_MS, HOST, 0, addr300, 1);
	uf_syn(u, &s.out, &web99);
	uf_rst(u, &web99, &s.out);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.ndns, 1);
	assert_int_equal(u->fl.dns[t->d.dns[0]].query.number, 6);
	assert_int_equal(t->d.nconns, 0);
}

/*
 * The capture's first look-up: other.test is 192.0.2.10 (1-2). The
 * client asks, HOST resolves to 192.0.2.11 (`own`) or to 192.0.2.10,
 * then third.test to 192.0.2.10, and the gateway sends the request to
 * 192.0.2.10 on a new connection, gets 502 and relays it.
 */
static const struct txn *
sent_to_10(void **state, const char *own)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_rr rr[1] = { { DNS_T_A, NULL, 300, own } };
	static const struct uf_rr other10[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
	};

	scene_init(&s, u);
	lookup_at(&s, T0 - 1 * UF_S, "other.test", 0, other10, 1);
	uf_at(u, T0);
	ask(&s);
	lookup_at(&s, s.req_ts + 1 * UF_MS, HOST, 0, rr, 1);
	lookup_at(&s, s.req_ts + 3 * UF_MS, "third.test", 0, other10, 1);
	upstream_get(&s);
	uf_status(u, &s.web, &s.out, 502);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_linked_by_address_only_if_answered(void **state)
{
	const struct txn *t;

	t = sent_to_10(state, "192.0.2.11");
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(t->d.conn_link, LINK_REQUEST_LINE);
	assert_int_equal(t->d.ndns, 1);
	assert_int_equal(t->d.dns_link, LINK_TIME);
	t = sent_to_10(state, "192.0.2.10");
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(t->d.ndns, 1);
	assert_int_equal(t->d.dns_link, LINK_ADDRESS);
}

/*
 * HOST's look-up is two queries of one socket, answered with ten
 * addresses each (192.0.2.100 on); the gateway's SYN to the `nth` is
 * refused and it answers 502. The first 16 are candidates.
 */
static const struct txn *
refused_by_nth(void **state, int nth)
{
	static char addrs[20][24];
	struct uf_rr ten[2][10];
	struct uf *u = again(state);
	struct scene s;
	struct uf_side web;

	for (int k = 0; k < 20; k++) {
		snprintf(addrs[k], sizeof addrs[k], "192.0.2.%d", 100 + k);
		ten[k / 10][k % 10] = (struct uf_rr){ DNS_T_A, NULL, 300,
		    addrs[k] };
	}
	scene_init(&s, u);
	uf_side_init(&web, addrs[nth - 1], 80, 9000);
	ask(&s);
	for (int q = 0; q < 2; q++) {
		query(&s);
		answer(&s, 0, ten[q], 10);
	}
	uf_syn(u, &s.out, &web);
	uf_rst(u, &web, &s.out);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_first_sixteen_addresses(void **state)
{
	static const int nth[] = { 1, 10, 11, 16 };
	const struct txn *t;

	for (size_t k = 0; k < sizeof nth / sizeof nth[0]; k++) {
		t = refused_by_nth(state, nth[k]);
		expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
		assert_int_equal(t->d.nconns, 1);
		assert_int_equal(t->d.conn_link, LINK_ADDRESS);
	}
	t = refused_by_nth(state, 17);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.nconns, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_other_names_addresses,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_linked_by_address_only_if_answered, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_first_sixteen_addresses,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
