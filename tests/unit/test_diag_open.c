/*
 * test_diag_open.c: retiring keeps what an open transaction may still
 * link to (diag.h, diag_retire): a request the gateway has not answered
 * yet keeps its look-up and its connection attempts through a retire of
 * the others, even when they are long over (a refused attempt, an
 * answer that no cache keeps), so that once answered it reads as it
 * would have without the retire.
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

enum failure { REFUSED_ATTEMPT, SERVFAIL_LOOKUP, UNANSWERED_SYNS };

/*
 * Client A asks for URL at T; the gateway's look-up and attempt fail as
 * `how` says within 10 ms. Client B asks for other.test at T + 2 s and
 * is served at once on a connection closed after. At T + 10 s (a last
 * frame) the model is diagnosed and, when `retiring`, every transaction
 * is offered to diag_retire; then the gateway answers A 502 at T + 20 s.
 * Writes A's story: verdict, links, evidence frames.
 */
static void
open_story(struct uf *u, enum failure how, bool retiring, char *out,
    size_t len)
{
	static const uint8_t all[2] = { 1, 1 };
	static const struct uf_rr other[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.77" },
	};
	struct scene s;
	struct uf_side cli2, gw2, out2, web2, far, me;
	const struct txn *t;
	uint64_t f[64], syn[3];
	size_t n, o;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	switch (how) {
	case REFUSED_ATTEMPT:
		answer(&s, 0, addr300, 1);
		uf_syn(u, &s.out, &s.web);
		uf_rst(u, &s.web, &s.out);
		break;
	case SERVFAIL_LOOKUP:
		answer(&s, 2, NULL, 0);
		break;
	case UNANSWERED_SYNS:
		answer(&s, 0, addr300, 1);
		syns_given_up(&s, syn);
		uf_rst(u, &s.out, &s.web);	/* the gateway closes it */
		break;
	}
	uf_at(u, s.req_ts + 2 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, "http://other.test/");
	uf_dns_query(u, &s.res, &s.dns, 0x900, "other.test", DNS_T_A);
	uf_dns_answer(u, &s.dns, &s.res, 0x900, "other.test", DNS_T_A, 0,
	    other, 1);
	uf_side_init(&out2, "10.0.0.1", 50100, 100);
	uf_side_init(&web2, "192.0.2.77", 80, 900);
	uf_handshake(u, &out2, &web2);
	uf_get(u, &out2, &web2, "/", "other.test");
	uf_status(u, &web2, &out2, 200);
	uf_status(u, &gw2, &cli2, 200);
	uf_fin(u, &out2, &web2);
	uf_fin(u, &web2, &out2);
	uf_fin(u, &cli2, &gw2);
	uf_fin(u, &gw2, &cli2);
	uf_at(u, s.req_ts + 10 * UF_S);
	uf_side_init(&me, "10.0.0.1", 52000, 100);
	uf_side_init(&far, "198.51.100.3", 9, 0);
	uf_syn(u, &me, &far);
	if (retiring) {
		uf_diag_run(u, NULL, false);
		assert_int_equal(u->dg.ntxns, 2);
		assert_false(u->dg.txns[0].settled);
		assert_true(u->dg.txns[1].settled);
		assert_int_equal(diag_retire(&u->dg, &u->fl, all), 1);
		assert_int_equal(u->dg.ntxns, 1);
		assert_int_equal(u->dg.txns[0].id, 1);
	}
	uf_at(u, s.req_ts + 20 * UF_S);
	gateway_answers(&s, 502);
	if (retiring) {
		flow_finish(&u->fl);
		diag_update(&u->dg, &u->fl);
		diag_run(&u->dg, &u->fl, true);
	} else {
		uf_diagnose(u);
	}
	t = uf_txn(u, 1);
	o = (size_t)snprintf(out, len, "%s/%s dns=%s conn=%s ndns=%u "
	    "nconns=%u:", verdict_key(t->d.verdict), cause_key(t->d.cause),
	    link_key(t->d.dns_link), link_key(t->d.conn_link), t->d.ndns,
	    t->d.nconns);
	n = uf_evidence(u, t, f, 64);
	for (size_t k = 0; k < n && o < len; k++)
		o += (size_t)snprintf(out + o, len - o, " %llu",
		    (unsigned long long)f[k]);
}

static void
expect_same(void **state, enum failure how, const char *want)
{
	char whole[512], retired[512];

	open_story(again(state), how, false, whole, sizeof whole);
	assert_string_equal(whole, want);
	open_story(again(state), how, true, retired, sizeof retired);
	assert_string_equal(retired, want);
}

static void
test_open_keeps_evidence(void **state)
{
	expect_same(state, REFUSED_ATTEMPT, "cannot-connect/tcp-rst "
	    "dns=time conn=address ndns=1 nconns=1: 3 4 5 6 7 23");
	expect_same(state, SERVFAIL_LOOKUP, "host-not-resolvable/dns-error "
	    "dns=time conn=none ndns=1 nconns=0: 3 4 5 21");
	expect_same(state, UNANSWERED_SYNS, "cannot-connect/syn-unanswered "
	    "dns=time conn=address ndns=1 nconns=1: 3 4 5 6 7 8 25");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_keeps_evidence,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
