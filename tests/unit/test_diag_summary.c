/*
 * test_diag_summary.c: the one-line summaries of DESIGN §1 that no
 * other scene says word for word (diag/verdict.c): nothing upstream but
 * the host's address from the gateway's cache; an answer the gateway
 * sent that is no HTTP at all (status 0: an error, whatever came
 * upstream) after the upstream answered 200; a refusal of the last of
 * two addresses when the gateway reset the first attempt itself. The
 * sentence of an answered transaction ("the gateway answered N") is
 * snprintf's, for statuses of one to five digits (each count at both
 * its ends) and when cut short.
 */
#include "diag_scene.h"
#include "diag/evidence.h"

/* HOST was resolved 5 s before the request (TTL 300 s); the gateway
 * answers 502 and nothing upstream is seen: unknown, and the summary
 * says where the address came from. */
static void
test_resolved_from_cache_only(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	char sum[256];
	uint64_t ans;

	scene_init(&s, u);
	query(&s);
	ans = answer(&s, 0, addr300, 1);
	uf_wait(u, 5 * UF_S);
	ask(&s);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.dns_link, LINK_CACHE);
	assert_int_equal(t->d.ndns, 1);
	assert_int_equal(u->fl.dns[t->d.dns[0]].answer.number, ans);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "www.test was "
	    "resolved (from the gateway's DNS cache), but no connection "
	    "attempt to its addresses was captured");
}

/*
 * The upstream answers 200, the gateway's answer is no HTTP: status 0,
 * an error (is_error_status), and what came upstream is said beside
 * it; its evidence is the upstream exchange.
 */
static void
test_invalid_answer_after_200(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	struct evidence ev = { 0 };
	const struct evidence_row *r;
	char sum[256];
	uint64_t up, reply, bad;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	up = upstream_get(&s);
	reply = uf_status(u, &s.web, &s.out, 200);
	bad = uf_send(u, &u->srv, &u->cli, "garbage here\r\n\r\n");
	t = diagnosed(&s);
	assert_int_equal(t->status, 0);
	assert_true(t->is_error);
	assert_int_equal(u->dg.errors, 1);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "upstream "
	    "answered \"HTTP/1.1 200 OK\" yet the gateway answered without "
	    "a valid HTTP status line");
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_REPORT), 0);
	r = evidence_find(&ev, EK_ANSWER, 0);
	assert_non_null(r);
	assert_int_equal(r->frame, bad);
	assert_true(r->bad);
	r = evidence_find(&ev, EK_UP_REQUEST, 0);
	assert_non_null(r);
	assert_int_equal(r->frame, up);
	r = evidence_find(&ev, EK_UP_REPLY, 0);
	assert_non_null(r);
	assert_int_equal(r->frame, reply);
	assert_false(r->bad);
	assert_string_equal(r->text, "HTTP/1.1 200 OK");
	evidence_free(&ev);
}

/*
 * HOST has two addresses: the gateway gives up on the first with an
 * RST of its own (no server refused it), the second refuses: only the
 * last attempt was refused, not every one.
 */
static void
test_refused_only_last(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side out2, web2;
	const struct txn *t;
	char sum[256];
	uint64_t syn[3];

	scene_init(&s, u);
	ask_two_addresses(&s, &out2, &web2);
	syns_given_up(&s, syn);
	uf_rst(u, &s.out, &s.web);		/* the gateway's own */
	uf_syn(u, &out2, &web2);
	uf_rst(u, &web2, &out2);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, 2);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "192.0.2.11 "
	    "port 80 answered the SYN with RST (connection refused); tried "
	    "before: 192.0.2.10 port 80 (no answer)");
}

/*
 * HOST has two addresses: the first refuses at once, the gateway tries
 * the second, whose two SYNs go unanswered until it gives up. The
 * summary counts the second address's SYNs over their own time, names
 * the first with its RST, and the SYN rows start a new series there:
 * no interval (nor backoff factor) from one address's SYN to the next's.
 */
static void
test_unanswered_after_refusal(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side out2, web2;
	struct evidence ev = { 0 };
	const struct txn *t;
	char sum[256];
	uint64_t syn[3];
	unsigned seq[3] = { 0 }, n = 0;
	int64_t at;

	scene_init(&s, u);
	ask_two_addresses(&s, &out2, &web2);
	syn[0] = uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	at = u->next_ts_ns;
	syn[1] = uf_syn(u, &out2, &web2);
	uf_at(u, at + 1 * UF_S);
	syn[2] = uf_syn(u, &out2, &web2);
	uf_at(u, at + 3 * UF_S);
	gateway_answers(&s, 504);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(t->d.nconns, 2);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "2 SYNs to "
	    "192.0.2.11 port 80 got no answer over 1.0 s; tried before: "
	    "192.0.2.10 port 80 (RST)");
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	for (size_t i = 0; i < ev.n; i++) {
		const struct evidence_row *r = &ev.rows[i];

		if (r->kind != EK_SYN)
			continue;
		assert_true(n < 3);
		assert_int_equal(r->frame, syn[n]);
		seq[n++] = r->seq;
		/* only a retry to the same address has an interval */
		assert_int_equal(*r->interval != '\0', n == 3);
		assert_string_equal(r->factor, "");
	}
	assert_int_equal(n, 3);
	assert_int_equal(seq[0], 1);
	assert_int_equal(seq[1], 1);
	assert_int_equal(seq[2], 2);
	evidence_free(&ev);
}

static void
test_answered_sentence(void **state)
{
	/* each count of digits at both its ends: a capture only gives 0
	 * and 100-999 (http.c), the sentence is snprintf's for any */
	static const uint16_t statuses[] = { 0, 7, 9, 10, 42, 99, 100, 200,
	    502, 999, 1000, 9999, 10000, 65535 };
	struct uf *u = *state;
	struct scene s;
	struct txn c;
	char got[64], want[64];

	scene_init(&s, u);
	ask(&s);
	gateway_answers(&s, 200);
	c = *diagnosed(&s);
	expect_verdict(&c, V_OK, C_NONE);
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		c.status = statuses[i];
		for (size_t len = 1; len <= sizeof got; len++) {
			memset(got, 'x', sizeof got);
			memset(want, 'x', sizeof want);
			diag_summary(&u->dg, &u->fl, &c, got, len);
			snprintf(want, len, "the gateway answered %u",
			    (unsigned)c.status);
			assert_memory_equal(got, want, sizeof got);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolved_from_cache_only,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_invalid_answer_after_200,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_refused_only_last,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_after_refusal,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_answered_sentence,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
