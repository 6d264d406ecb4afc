/*
 * test_diag_evdelay.c: the delays of evidence rows (evidence.h): a
 * reply to a connection attempt (SYN/ACK, RST, ICMP) is timed from the
 * last SYN sent before it, not the first; a look-up's answer from its
 * query; the gateway's answer from the request, in seconds.
 */
#include "diag_scene.h"
#include "diag/evidence.h"

enum reply { SYNACK, RST, ICMP };

/*
 * SYN at 0, its retransmission 1 s later, a second retransmission at
 * 3 s; `reply` comes 4 ms after the second retransmission.
 */
static void
replied_after_retries(void **state, enum reply reply)
{
	static const enum evidence_kind kinds[] = { EK_SYNACK, EK_RST,
		EK_ICMP };
	struct uf *u = again(state);
	struct scene s;
	struct evidence ev = { 0 };
	const struct evidence_row *r;
	const struct txn *t;
	uint64_t syn[3];
	int64_t at;

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	ask(&s);
	at = u->next_ts_ns;
	for (int k = 0; k < 3; k++) {
		uf_at(u, at + (k == 2 ? 3 : k) * UF_S);
		syn[k] = uf_syn(u, &s.out, &s.web);
	}
	uf_wait(u, 3 * UF_MS);	/* 4 ms after the last SYN */
	if (reply == SYNACK) {
		uf_synack(u, &s.web, &s.out);
		uf_wait(u, 5 * UF_S);
	} else if (reply == RST) {
		uf_rst(u, &s.web, &s.out);
	} else {
		uf_icmp(u, "192.0.2.1", &s.out, &s.web, 3, 13);
	}
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	r = evidence_find(&ev, kinds[reply], 0);
	assert_non_null(r);
	assert_int_equal(r->delay_ns, 4 * UF_MS);
	assert_string_equal(r->delay, "4.0 ms");
	/* the SYNs: offsets from the first, intervals, their ratio */
	r = evidence_find(&ev, EK_SYN, 2);
	assert_non_null(r);
	assert_int_equal(r->frame, syn[2]);
	assert_int_equal(r->offset_ns, 3 * UF_S);
	assert_int_equal(r->interval_ns, 2 * UF_S);
	assert_int_equal(r->prev_interval_ns, 1 * UF_S);
	assert_string_equal(r->factor, "2.0");
	r = evidence_find(&ev, EK_SYN, 1);
	assert_int_equal(r->prev_interval_ns, 0);
	assert_string_equal(r->factor, "");
	assert_string_equal(r->interval, "+1.000 s");
	evidence_free(&ev);
}

static void
test_reply_after_the_last_syn(void **state)
{
	replied_after_retries(state, SYNACK);
	replied_after_retries(state, RST);
	replied_after_retries(state, ICMP);
}

/* The look-up's round trip, and the answer's time after the request. */
static void
test_dns_and_answer_delays(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct evidence ev = { 0 };
	const struct evidence_row *r;
	const struct txn *t;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	uf_wait(u, 24 * UF_MS);		/* answered 25 ms later */
	answer(&s, 3, NULL, 0);
	uf_at(u, s.req_ts + 1500 * UF_MS);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	r = evidence_find(&ev, EK_DNS_ANSWER, 0);
	assert_int_equal(r->delay_ns, 25 * UF_MS);
	assert_string_equal(r->delay, "25.0 ms");
	assert_string_equal(evidence_find(&ev, EK_DNS_QUERY, 0)->delay,
	    "25.0 ms");
	r = evidence_find(&ev, EK_ANSWER, 0);
	assert_int_equal(r->delay_ns, 1500 * UF_MS);
	assert_string_equal(r->delay, "1.500 s");
	assert_string_equal(r->rel, "+1.500 s");
	evidence_free(&ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reply_after_the_last_syn,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_dns_and_answer_delays,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
