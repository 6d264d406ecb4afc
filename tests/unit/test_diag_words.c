/*
 * test_diag_words.c: the words and numbers diag/ gives every output: the
 * stable keys of verdicts, causes and links (and what an unknown value
 * reads as), the list label of a success by its status class, the
 * singular and plural of a summary's counts, what is said while the
 * gateway has not answered, a request's elapsed time (to the answer, the
 * client's leaving or now), and a DNS answer's row: its first four
 * records listed, every record in its details, its arrow's label. Also
 * the evidence index's promise for a clock that jumps back far: an item
 * moves back at most 64 places (keyidx.c).
 */
#include <inttypes.h>
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
#include "diag/evidence.h"
#include "unit_flow.h"
#include "diag_scene.h"

/* Every key of DESIGN §1, and the fallbacks past the last. */
static void
test_keys(void **state)
{
	(void)state;
	assert_string_equal(verdict_key(V_OK), "ok");
	assert_string_equal(verdict_key(V_PENDING), "pending");
	assert_string_equal(verdict_key(V_COUNT), "unknown");
	assert_string_equal(verdict_label(V_PENDING), "WAITING");
	assert_string_equal(verdict_label(V_COUNT), "UNKNOWN");
	assert_string_equal(cause_key(C_NO_UPSTREAM_EVIDENCE),
	    "no-upstream-evidence");
	assert_string_equal(cause_key(C_COUNT), "none");
	assert_string_equal(link_key(LINK_TIME), "time");
	assert_string_equal(link_key(LINK_COUNT), "none");
	assert_string_equal(cause_remedy(C_NONE), "");
	assert_string_equal(cause_remedy(C_COUNT), "");
	assert_non_null(strstr(cause_remedy(C_NO_UPSTREAM_EVIDENCE),
	    "tcpdump"));
}

/* A success's label says its status class: 5xx, 4xx, else its verdict. */
static void
test_labels_by_status(void **state)
{
	static const struct {
		uint16_t status;
		const char *label;
	} cases[] = {
		{ 599, "SERVER ERROR" }, { 500, "SERVER ERROR" },
		{ 499, "CLIENT ERROR" }, { 400, "CLIENT ERROR" },
		{ 399, "OK" }, { 200, "OK" },
	};
	struct txn t;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&t, 0, sizeof t);
		t.d.verdict = V_OK;
		t.status = cases[i].status;
		assert_string_equal(txn_label(&t), cases[i].label);
	}
	t.d.verdict = V_RELAYED;
	t.status = 502;
	assert_string_equal(txn_label(&t), "RELAYED");
}

/* One query, unanswered: "1 DNS query", singular. */
static void
test_one_query_unanswered(void **state)
{
	struct scene s;
	char sum[256];
	const struct txn *t;

	scene_init(&s, *state);
	ask(&s);
	query(&s);
	uf_at(s.u, s.req_ts + 5 * UF_S);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_string_equal(uf_summary(s.u, t, sum, sizeof sum), "1 DNS query "
	    "for www.test to 10.0.0.53 got no answer in 5.0 s");
}

/* While the gateway has not answered: how long the client has waited. */
static void
test_waiting(void **state)
{
	struct scene s;
	char sum[256];
	const struct txn *t;

	scene_init(&s, *state);
	ask(&s);
	uf_at(s.u, s.req_ts + 3 * UF_S);
	uf_dns_query(s.u, &s.res, &s.dns, 9, "other.test", DNS_T_A);
	uf_diag_run(s.u, NULL, false);
	t = uf_txn(s.u, 1);
	assert_int_equal(t->d.verdict, V_PENDING);
	assert_false(t->settled);
	assert_string_equal(uf_summary(s.u, t, sum, sizeof sum), "waiting for "
	    "the gateway's answer (3.0 s so far)");
	/* with a look-up of its own unanswered, that is the story so far */
	query(&s);
	uf_diag_run(s.u, NULL, false);
	t = uf_txn(s.u, 1);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_false(t->settled);
	assert_string_equal(uf_summary(s.u, t, sum, sizeof sum), "1 DNS query "
	    "for www.test to 10.0.0.53 got no answer in 3.0 s");
}

/* The gateway connected, but asked for another URL there (and got it):
 * nothing explains the 502; the summary says what was seen. */
static void
test_connected_other_url(void **state)
{
	struct scene s;
	char sum[256];
	const struct txn *t;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	uf_handshake(s.u, &s.out, &s.web);
	uf_get(s.u, &s.out, &s.web, "/other", HOST);
	uf_status(s.u, &s.web, &s.out, 200);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(t->d.up_req, NONE32);
	assert_string_equal(uf_summary(s.u, t, sum, sizeof sum), "the gateway "
	    "connected to 192.0.2.10:80, but no request for this URL was "
	    "seen on the connection");
}

/* The gateway asked for this URL and got a 200, yet answered 502, and no
 * rule says why: the summary says a request for the URL went over the
 * connection (not "no request was seen", which was false). */
static void
test_connected_same_url(void **state)
{
	struct scene s;
	char sum[256], want[256];
	const struct txn *t;
	uint64_t up;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	uf_handshake(s.u, &s.out, &s.web);
	up = uf_get(s.u, &s.out, &s.web, strchr(URL + 7, '/'), HOST);
	uf_status(s.u, &s.web, &s.out, 200);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	snprintf(want, sizeof want, "the gateway connected to 192.0.2.10:80 "
	    "and a request for this URL went over the connection (frame %"
	    PRIu64 "; \"HTTP/1.1 200 OK\" came back), but nothing captured "
	    "explains why the gateway answered 502", up);
	assert_string_equal(uf_summary(s.u, t, sum, sizeof sum), want);
}

enum leaving { ANSWERED, CLIENT_FIN, CLIENT_RST, STILL_WAITING };

/* How long a request took: to the gateway's answer, else to the client's
 * leaving (FIN or RST), else until now; never negative. */
static int64_t
elapsed(void **state, enum leaving how)
{
	struct uf *u = again(state);
	struct scene s;
	const struct txn *t;

	scene_init(&s, u);
	ask(&s);
	uf_at(u, s.req_ts + 4 * UF_S);
	if (how == ANSWERED)
		gateway_answers(&s, 502);
	else if (how == CLIENT_FIN)
		uf_fin(u, &u->cli, &u->srv);
	else if (how == CLIENT_RST)
		uf_rst(u, &u->cli, &u->srv);
	uf_at(u, s.req_ts + 9 * UF_S);
	uf_dns_query(u, &s.res, &s.dns, 9, "other.test", DNS_T_A);
	t = diagnosed(&s);
	assert_int_equal(txn_elapsed_ns(&u->fl, t, s.req_ts - UF_S), how ==
	    STILL_WAITING ? 0 : 4 * UF_S);
	return txn_elapsed_ns(&u->fl, t, u->fl.stats.last_ts);
}

static void
test_elapsed(void **state)
{
	assert_int_equal(elapsed(state, ANSWERED), 4 * UF_S);
	assert_int_equal(elapsed(state, CLIENT_FIN), 4 * UF_S);
	assert_int_equal(elapsed(state, CLIENT_RST), 4 * UF_S);
	assert_int_equal(elapsed(state, STILL_WAITING), 9 * UF_S);
}

/* HOST is an alias with five addresses: the answer's row lists the
 * first four records, its details all six, its arrow the first address
 * and "..." for the rest. */
static void
test_answer_lists_four(void **state)
{
	static const struct uf_rr five[] = {
		{ DNS_T_CNAME, NULL, 300, "edge.test" },
		{ DNS_T_A, "edge.test", 60, "192.0.2.10" },
		{ DNS_T_A, "edge.test", 60, "192.0.2.11" },
		{ DNS_T_A, "edge.test", 60, "192.0.2.12" },
		{ DNS_T_A, "edge.test", 60, "192.0.2.13" },
		{ DNS_T_A, "edge.test", 60, "192.0.2.14" },
	};
	struct scene s;
	struct evidence ev = { 0 };
	const struct evidence_row *r;
	const struct txn *t;

	scene_init(&s, *state);
	ask(&s);
	query(&s);
	answer(&s, 0, five, 6);
	uf_syn(s.u, &s.out, &s.web);
	uf_rst(s.u, &s.web, &s.out);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(evidence_build(&ev, &s.u->dg, &s.u->fl, t,
	    s.u->fl.stats.last_ts, EVIDENCE_ARROWS), 0);
	r = evidence_find(&ev, EK_DNS_ANSWER, 0);
	assert_non_null(r);
	assert_false(r->bad);
	assert_string_equal(r->answers, " CNAME edge.test 192.0.2.10 "
	    "192.0.2.11 192.0.2.12");
	assert_string_equal(r->label, "A 192.0.2.10 ...");
	assert_string_equal(r->detail, "10.0.0.53:53 -> 10.0.0.1:33000\n"
	    "DNS answer id 0x0101, RCODE 0 "
	    "NOERROR, rtt 1.0 ms\n"
	    "www.test CNAME edge.test\n"
	    "edge.test A 192.0.2.10\nedge.test A 192.0.2.11\n"
	    "edge.test A 192.0.2.12\nedge.test A 192.0.2.13\n"
	    "edge.test A 192.0.2.14\n");
	r = evidence_find(&ev, EK_DNS_QUERY, 0);
	assert_non_null(r);
	assert_string_equal(r->answers, " CNAME edge.test 192.0.2.10 "
	    "192.0.2.11 192.0.2.12");
	assert_null(evidence_find(&ev, EK_DNS_ANSWER, 1));
	evidence_free(&ev);
}

/* An item far older than the key's newest moves back 64 places at most:
 * a clock that jumps back far costs approximate windows, never
 * quadratic time. Nearer, it takes its place in time order. */
static void
test_index_sort_bound(void **state)
{
	struct key_index ki = { 0 };
	const struct key_list *l;

	(void)state;
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(key_add(&ki, 5, i, 1000 + i), 0);
	assert_int_equal(key_add(&ki, 5, 100, 0), 0);
	assert_int_equal(key_add(&ki, 5, 101, 1098), 0);
	l = key_find(&ki, 5);
	assert_non_null(l);
	assert_int_equal(l->n, 102);
	assert_int_equal(l->items[100 - 64], 100);
	assert_int_equal(l->ts[100 - 64], 0);
	assert_int_equal(l->items[100 - 64 - 1], 100 - 64 - 1);
	assert_int_equal(l->items[100 - 64 + 1], 100 - 64);
	/* 1098: after the item of 1098 (ties keep the order added) */
	assert_int_equal(l->items[100], 101);
	assert_int_equal(l->items[101], 99);
	key_free(&ki);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_labels_by_status),
		cmocka_unit_test_setup_teardown(test_one_query_unanswered,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_answer_lists_four,
		    uf_setup, uf_teardown),
		cmocka_unit_test(test_index_sort_bound),
		cmocka_unit_test_setup_teardown(test_elapsed, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_waiting, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_connected_same_url,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_connected_other_url,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
