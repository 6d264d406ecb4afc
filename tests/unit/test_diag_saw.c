/*
 * test_diag_saw.c: what belongs to a transaction's story in time
 * (txn_saw, diag.h): frames up to its end and DIAG_SLACK_NS after it,
 * the bound itself included; nothing later, and never "no frame". A
 * SYN retransmission of the refused attempt, the RST that answers it,
 * counted in the SYN series, the summary's count and the evidence, or
 * not, by 1 ns. An answer's head written a line at a time (tinyproxy)
 * ends the story at its first byte.
 */
#include "diag_scene.h"
#include "diag/diag_int.h"
#include "diag/evidence.h"

/*
 * The gateway's SYNs go unanswered for 3 s, when it answers 504; one
 * more SYN comes `late` after the answer.
 */
static void
late_syn(void **state, int64_t late, bool seen)
{
	struct uf *u = again(state);
	struct scene s;
	const struct txn *t;
	struct syn_series ss;
	struct evidence ev = { 0 };
	const struct frame_ref *last;
	char sum[256];
	int64_t at;
	uint64_t syn1, syn2, ans, f[32];
	size_t n;

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	ask(&s);
	at = u->next_ts_ns;
	syn1 = uf_syn(u, &s.out, &s.web);
	uf_at(u, at + 1 * UF_S);
	uf_syn(u, &s.out, &s.web);
	uf_at(u, at + 3 * UF_S);
	ans = gateway_answers(&s, 504);
	uf_at(u, u->fl.stats.last_ts + late);
	syn2 = uf_syn(u, &s.out, &s.web);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(txn_end_ns(&u->fl, t, INT64_MAX),
	    u->fl.msgs[t->resp].head.ts_ns);
	assert_true(txn_saw(&u->fl, t, &u->fl.msgs[t->resp].head,
	    INT64_MAX));
	assert_int_equal(txn_saw(&u->fl, t,
	    conn_syn(&u->fl.conns[t->d.conns[0]], 2), u->fl.stats.last_ts),
	    seen);
	diag_syn_series(&u->fl, t, u->fl.stats.last_ts, &ss);
	assert_int_equal(ss.n, seen ? 3 : 2);
	assert_int_equal(ss.syn[0].number, syn1);
	assert_int_equal(ss.syn[ss.n - 1].number, seen ? syn2 : syn1 + 1);
	assert_int_equal(diag_syns_seen(&u->fl, t,
	    &u->fl.conns[t->d.conns[0]], u->fl.stats.last_ts, &last),
	    seen ? 3 : 2);
	assert_int_equal(last->number, seen ? syn2 : syn1 + 1);
	snprintf(sum, sizeof sum, "%d SYNs to 192.0.2.10 port 80 got no "
	    "answer over %s s", seen ? 3 : 2, seen ? "3.2" : "1.0");
	assert_string_equal(uf_summary(u, t, sum + 128, 128), sum);
	n = uf_evidence(u, t, f, 32);
	assert_int_equal(f[n - 1], seen ? syn2 : ans);
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	assert_string_equal(evidence_find(&ev, EK_NO_REPLY, 0)->text, seen ?
	    "no answer to 3 SYNs" : "no answer to 2 SYNs");
	assert_int_equal(evidence_find(&ev, EK_SYN, 2) != NULL, seen);
	evidence_free(&ev);
}

static void
test_slack_after_the_answer(void **state)
{
	late_syn(state, DIAG_SLACK_NS, true);
	late_syn(state, DIAG_SLACK_NS + 1, false);
}

/* A frame that never came (number 0) is never seen, whatever its time. */
static void
test_no_frame_unseen(void **state)
{
	struct scene s;
	const struct txn *t;
	struct frame_ref none = { 0 };

	scene_init(&s, *state);
	ask_refused(&s);
	t = diagnosed(&s);
	none.ts_ns = s.req_ts;
	assert_false(txn_saw(&s.u->fl, t, &none, INT64_MAX));
	none.number = 1;
	assert_true(txn_saw(&s.u->fl, t, &none, INT64_MAX));
}

/*
 * The gateway relays a 200 and writes its head a line at a time, the
 * status line first, the rest 4 ms later (tinyproxy, on a loaded box):
 * it had decided at the first byte, which ends the story and the
 * elapsed time (what the lab's truth measures from tshark's segments).
 */
static void
test_answer_first_byte_ends(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	int64_t at;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_status(u, &s.web, &s.out, 200);
	at = u->next_ts_ns;
	uf_send(u, &u->srv, &u->cli, "HTTP/1.1 200 OK\r\n");
	uf_at(u, at + 4 * UF_MS);
	uf_send(u, &u->srv, &u->cli, "Content-Length: 0\r\n\r\n");
	t = diagnosed(&s);
	assert_int_not_equal(t->resp, NONE32);
	assert_int_equal(t->status, 200);
	assert_int_equal(u->fl.msgs[t->resp].head.ts_ns, at + 4 * UF_MS);
	assert_int_equal(txn_end_ns(&u->fl, t, INT64_MAX), at);
	assert_int_equal(txn_elapsed_ns(&u->fl, t, INT64_MAX), at - s.req_ts);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_slack_after_the_answer,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_no_frame_unseen,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_answer_first_byte_ends,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
