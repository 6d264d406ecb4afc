/*
 * test_diag_rows.c: edges of a transaction's evidence rows
 * (diag/evidence.c, evidence.h): only an answered DNS row lists
 * answers — a look-up whose answer came after the transaction ended
 * lists none, though that answer named addresses, and neither does the
 * cache row, whose text says which answer it used. A frame two rows
 * show (a reply sent with the server's FIN) is one evidence frame: the
 * list is sorted and has no repeats. A capture that begins with the
 * request (no handshake) exports from its frame 1. A list built again
 * for a report, in the rows a screen's build left, holds none of the
 * screen's text.
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
#include "diag/evidence.h"

static void
build(struct uf *u, const struct txn *t, struct evidence *ev,
    enum evidence_mode mode)
{
	memset(ev, 0, sizeof *ev);
	assert_int_equal(evidence_build(ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, mode), 0);
}

static void
test_answers_only_when_answered(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct evidence ev;
	const struct evidence_row *r;
	const struct txn *t;
	char buf[EVIDENCE_TEXT_MAX];
	uint64_t q;

	/* the answer comes 2 s after the gateway gave up with 502 */
	scene_init(&s, u);
	ask(&s);
	q = query(&s);
	uf_at(u, s.req_ts + 1 * UF_S);
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + 3 * UF_S);
	answer(&s, 0, addr300, 1);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	build(u, t, &ev, EVIDENCE_REPORT);
	r = evidence_find(&ev, EK_DNS_QUERY, 0);
	assert_non_null(r);
	assert_int_equal(r->frame, q);
	assert_int_equal(r->reply_frame, 0);
	assert_true(r->bad);
	assert_string_equal(evidence_fmt_answers(&u->fl, r, buf, sizeof buf),
	    "");
	assert_null(evidence_find(&ev, EK_DNS_ANSWER, 0));
	evidence_free(&ev);

	/* answered from the cache: the cache row lists no answers */
	u = again(state);
	scene_init(&s, u);
	query(&s);
	q = answer(&s, 0, addr300, 1);
	uf_wait(u, 5 * UF_S);
	t = refused_from_cache(&s);
	build(u, t, &ev, EVIDENCE_REPORT);
	r = evidence_find(&ev, EK_DNS_CACHE, 0);
	assert_non_null(r);
	assert_int_equal(r->reply_frame, q);
	assert_string_equal(evidence_fmt_answers(&u->fl, r, buf, sizeof buf),
	    "");
	/* an empty buffer is left alone */
	buf[0] = 'x';
	assert_ptr_equal(evidence_fmt_answers(&u->fl, r, buf, 0), buf);
	assert_int_equal(buf[0], 'x');
	evidence_free(&ev);
}

/*
 * The upstream server replies 503 and closes in the same segment (FIN
 * with the reply's bytes), the gateway relays the 503: that frame is the
 * reply's row and the upstream FIN's, one evidence frame.
 */
static void
test_reply_with_fin(void **state)
{
	static const char reply[] = "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n";
	struct uf *u = *state;
	struct scene s;
	struct evidence ev;
	const struct evidence_row *r, *fin;
	const struct txn *t;
	uint64_t f[64], g[64], up, both, ans;
	size_t n;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	up = upstream_get(&s);
	both = uf_segment(u, &s.web, &s.out, s.web.seq, TCPF_FIN | TCPF_ACK |
	    TCPF_PSH, reply, sizeof reply - 1);
	s.web.seq += (uint32_t)(sizeof reply - 1) + 1;
	ans = gateway_answers(&s, 503);
	t = diagnosed(&s);
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	build(u, t, &ev, EVIDENCE_PANE);
	r = evidence_find(&ev, EK_UP_REPLY, 0);
	fin = evidence_find(&ev, EK_FIN_UPSTREAM, 0);
	assert_non_null(r);
	assert_non_null(fin);
	assert_int_equal(r->frame, both);
	assert_int_equal(fin->frame, both);
	assert_true(r->listed && fin->listed);
	/* request, look-up and answer, SYN, SYN/ACK, upstream request,
	 * the reply with the FIN, the answer: each once, in order */
	n = uf_evidence(u, t, f, 64);
	assert_int_equal(n, 8);
	{
		const uint64_t want[] = { s.req, 4, 5, 6, 7, up, both, ans };

		assert_memory_equal(f, want, sizeof want);
	}
	assert_int_equal(evidence_frames(&ev, g, 64), n);
	assert_memory_equal(g, f, n * sizeof f[0]);
	evidence_free(&ev);
}

static void
test_range_from_frame_one(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct frame_ref first, last;
	const struct txn *t;
	uint64_t req, ans;

	scene_init(&s, u);
	req = uf_get(u, &u->cli, &u->srv, URL, HOST);
	assert_int_equal(req, 1);
	query(&s);
	answer(&s, 3, NULL, 0);
	ans = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	txn_frame_range(&u->fl, t, &first, &last);
	assert_int_equal(first.number, 1);
	assert_int_equal(first.offset_lo, 100);
	assert_int_equal(first.ts_ns, T0);
	assert_int_equal(last.number, ans);
}

static void
test_report_rows_reused(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct evidence ev;
	const struct txn *t;
	uint64_t syn[3];
	size_t n;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	syns_given_up(&s, syn);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	build(u, t, &ev, EVIDENCE_ARROWS);
	n = ev.n;
	assert_true(n > 8);
	assert_string_not_equal(evidence_find(&ev, EK_SYN, 2)->interval, "");
	/* the same list again, for a report */
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_REPORT), 0);
	assert_int_equal(ev.n, n);
	for (size_t i = 0; i < ev.n; i++) {
		const struct evidence_row *r = &ev.rows[i];

		assert_string_equal(r->rel, "");
		assert_string_equal(r->delay, "");
		assert_string_equal(r->offset, "");
		assert_string_equal(r->interval, "");
		assert_string_equal(r->factor, "");
		assert_string_equal(r->answers, "");
		assert_string_equal(r->label, "");
		assert_string_equal(r->detail, "");
		if (r->kind == EK_CONNECT || r->kind == EK_NO_REPLY ||
		    r->kind == EK_REQUEST || r->kind == EK_ANSWER ||
		    r->kind == EK_SYN) {
			assert_string_equal(r->text, "");
			assert_string_equal(r->name, "");
			assert_string_equal(r->kind_name, "");
		}
		if (r->kind != EK_SYN && r->kind != EK_DNS_QUERY &&
		    r->kind != EK_DNS_ANSWER)
			assert_string_equal(r->peer, "");
	}
	evidence_free(&ev);
}

static void
test_columns_of_each(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2;
	struct evidence ev;
	char a[ADDR_STRLEN];

	scene_init(&s, u);
	served(&s);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL_B);
	gateway_answers(&s, 502);
	uf_status(u, &gw2, &cli2, 502);
	uf_diagnose(u);
	build(u, uf_txn(u, 1), &ev, EVIDENCE_REPORT);
	assert_string_equal(addr_fmt(&ev.addr[EC_CLIENT], a, sizeof a),
	    "10.0.0.5");
	assert_string_equal(addr_fmt(&ev.addr[EC_UPSTREAM], a, sizeof a),
	    "192.0.2.10");
	/* the same list, for request 2: another client's */
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, uf_txn(u, 2),
	    u->fl.stats.last_ts, EVIDENCE_REPORT), 0);
	assert_string_equal(addr_fmt(&ev.addr[EC_CLIENT], a, sizeof a),
	    "10.0.0.6");
	evidence_free(&ev);
}

/*
 * Every error RCODE marks the answer's row bad (FORMERR, the smallest,
 * included), also when a retry then gave the address and the story
 * ended elsewhere (the attempt refused); an answer with the address is
 * not bad.
 */
static void
test_error_rcodes_bad(void **state)
{
	static const uint8_t rcodes[] = { 1, 2, 3, 5 };
	struct uf *u = *state;
	struct scene s;
	struct evidence ev;
	const struct evidence_row *r;
	const struct txn *t;

	for (size_t i = 0; i < sizeof rcodes; i++) {
		u = again(state);
		scene_init(&s, u);
		ask(&s);
		query(&s);
		answer(&s, rcodes[i], NULL, 0);
		query(&s);
		answer(&s, 0, addr300, 1);
		uf_syn(u, &s.out, &s.web);
		uf_rst(u, &s.web, &s.out);
		gateway_answers(&s, 502);
		t = diagnosed(&s);
		expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
		assert_int_equal(t->d.ndns, 2);
		build(u, t, &ev, EVIDENCE_REPORT);
		r = evidence_find(&ev, EK_DNS_ANSWER, 0);
		assert_non_null(r);
		if (!r->bad)
			fail_msg("RCODE %u: not bad", rcodes[i]);
		r = evidence_find(&ev, EK_DNS_ANSWER, 1);
		assert_non_null(r);
		assert_false(r->bad);
		evidence_free(&ev);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_error_rcodes_bad, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_answers_only_when_answered,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_reply_with_fin,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_range_from_frame_one,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_report_rows_reused,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_columns_of_each,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
