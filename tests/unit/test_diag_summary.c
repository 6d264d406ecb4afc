/*
 * test_diag_summary.c: the one-line summaries of DESIGN §1 that no
 * other scene says word for word (diag/verdict.c): nothing upstream but
 * the host's address from the gateway's cache; an answer the gateway
 * sent that is no HTTP at all (status 0: an error, whatever came
 * upstream) after the upstream answered 200.
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
	    "answered \"HTTP/1.1 200 OK\" yet the gateway answered 0");
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolved_from_cache_only,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_invalid_answer_after_200,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
