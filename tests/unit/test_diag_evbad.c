/*
 * test_diag_evbad.c: which evidence rows show the failure (the `bad`
 * flag the pane, the flow view and the reports colour; evidence.h). A
 * DNS answer is bad when its RCODE is an error, or when it gave no
 * address and that is the diagnosis (dns-error); an empty AAAA answer
 * beside an A answer with the address is no failure. A query is bad
 * when unanswered and that is the diagnosis. The first SYN is an
 * attempt, its retransmissions the failure.
 */
#include "diag_scene.h"
#include "diag/evidence.h"

/* Each row of the kind, in order, bad or not as `bad` says ('1'/'0'). */
static void
expect_bad(const struct evidence *ev, enum evidence_kind kind,
    const char *bad)
{
	size_t k = 0;

	for (; bad[k]; k++) {
		const struct evidence_row *r = evidence_find(ev, kind, k);

		if (r == NULL)
			fail_msg("row %zu of kind %d missing", k, kind);
		if (r->bad != (bad[k] == '1'))
			fail_msg("row %zu of kind %d (frame %llu): bad %d", k,
			    kind, (unsigned long long)r->frame, r->bad);
	}
	assert_null(evidence_find(ev, kind, k));
}

/* The gateway answers `status`: the diagnosis must be v/c; its rows
 * into ev. */
static void
answered(struct scene *s, unsigned status, enum verdict v, enum cause c,
    struct evidence *ev)
{
	const struct txn *t;

	gateway_answers(s, status);
	t = diagnosed(s);
	expect_verdict(t, v, c);
	memset(ev, 0, sizeof *ev);
	assert_int_equal(evidence_build(ev, &s->u->dg, &s->u->fl, t,
	    s->u->fl.stats.last_ts, EVIDENCE_REPORT), 0);
}

/* The gateway's SYN to the web side, refused. */
static void
refused(struct scene *s)
{
	uf_syn(s->u, &s->out, &s->web);
	uf_rst(s->u, &s->web, &s->out);
}

/*
 * The gateway asks for HOST's A and AAAA records: the A answer has the
 * address, the AAAA answer is empty (NOERROR, no record); the port
 * refuses. Only the RST and the answer show the failure.
 */
static void
test_empty_aaaa_not_bad(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct evidence ev;

	scene_init(&s, u);
	ask(&s);
	uf_dns_query(u, &s.res, &s.dns, 0x201, HOST, DNS_T_A);
	uf_dns_query(u, &s.res, &s.dns, 0x202, HOST, DNS_T_AAAA);
	uf_dns_answer(u, &s.dns, &s.res, 0x201, HOST, DNS_T_A, 0, addr300, 1);
	uf_dns_answer(u, &s.dns, &s.res, 0x202, HOST, DNS_T_AAAA, 0, NULL, 0);
	refused(&s);
	answered(&s, 502, V_CANNOT_CONNECT, C_TCP_RST, &ev);
	expect_bad(&ev, EK_DNS_QUERY, "00");
	expect_bad(&ev, EK_DNS_ANSWER, "00");
	expect_bad(&ev, EK_RST, "1");
	expect_bad(&ev, EK_ANSWER, "1");
	expect_bad(&ev, EK_SYN, "0");
	evidence_free(&ev);
}

/*
 * Only an alias, no address (NOERROR): dns-error, and that answer is
 * the failure; a SERVFAIL is bad even when a retry then gave the
 * address and the port refused.
 */
static void
test_error_answers_bad(void **state)
{
	static const struct uf_rr alias[] = {
		{ DNS_T_CNAME, NULL, 300, "edge.test" },
	};
	struct uf *u = *state;
	struct scene s;
	struct evidence ev;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 0, alias, 1);
	answered(&s, 502, V_HOST_NOT_RESOLVABLE, C_DNS_ERROR, &ev);
	expect_bad(&ev, EK_DNS_QUERY, "0");
	expect_bad(&ev, EK_DNS_ANSWER, "1");
	evidence_free(&ev);

	u = again(state);
	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 2, NULL, 0);
	query(&s);
	answer(&s, 0, addr300, 1);
	refused(&s);
	answered(&s, 502, V_CANNOT_CONNECT, C_TCP_RST, &ev);
	expect_bad(&ev, EK_DNS_QUERY, "00");
	expect_bad(&ev, EK_DNS_ANSWER, "10");
	evidence_free(&ev);

	/* the alias alone, then another name's address: stored next to
	 * it, that address is not the alias answer's */
	u = again(state);
	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 0, alias, 1);
	uf_dns_query(u, &s.res, &s.dns, 0x301, "other.test", DNS_T_A);
	uf_dns_answer(u, &s.dns, &s.res, 0x301, "other.test", DNS_T_A, 0,
	    addr300, 1);
	answered(&s, 502, V_HOST_NOT_RESOLVABLE, C_DNS_ERROR, &ev);
	expect_bad(&ev, EK_DNS_ANSWER, "1");
	evidence_free(&ev);
}

/*
 * Two queries, neither answered: each is the failure (dns-no-response).
 * One unanswered beside an answered one whose address refused: not.
 */
static void
test_unanswered_queries(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct evidence ev;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	uf_wait(u, 1 * UF_S);
	query(&s);
	uf_wait(u, 3 * UF_S);
	answered(&s, 502, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE, &ev);
	expect_bad(&ev, EK_DNS_QUERY, "11");
	expect_bad(&ev, EK_DNS_ANSWER, "");
	evidence_free(&ev);

	u = again(state);
	scene_init(&s, u);
	ask(&s);
	uf_dns_query(u, &s.res, &s.dns, 0x301, HOST, DNS_T_AAAA);
	uf_dns_query(u, &s.res, &s.dns, 0x302, HOST, DNS_T_A);
	uf_dns_answer(u, &s.dns, &s.res, 0x302, HOST, DNS_T_A, 0, addr300, 1);
	refused(&s);
	answered(&s, 502, V_CANNOT_CONNECT, C_TCP_RST, &ev);
	expect_bad(&ev, EK_DNS_QUERY, "00");
	expect_bad(&ev, EK_DNS_ANSWER, "0");
	evidence_free(&ev);
}

/* SYNs unanswered: the first is the attempt, each retransmission the
 * failure; refused after a retransmission, none is. */
static void
test_retransmissions_bad(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct evidence ev;
	uint64_t syn[3];

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	ask(&s);
	syns_given_up(&s, syn);
	answered(&s, 504, V_CANNOT_CONNECT, C_SYN_UNANSWERED, &ev);
	expect_bad(&ev, EK_SYN, "011");
	expect_bad(&ev, EK_NO_REPLY, "1");
	evidence_free(&ev);

	u = again(state);
	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	ask(&s);
	uf_syn(u, &s.out, &s.web);
	uf_wait(u, 1 * UF_S);
	refused(&s);
	answered(&s, 502, V_CANNOT_CONNECT, C_TCP_RST, &ev);
	expect_bad(&ev, EK_SYN, "00");
	expect_bad(&ev, EK_RST, "1");
	expect_bad(&ev, EK_NO_REPLY, "");
	evidence_free(&ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_aaaa_not_bad,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_error_answers_bad,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_queries,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_retransmissions_bad,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
