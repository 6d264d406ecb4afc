/*
 * test_diag_evreport.c: what a report's rows hold (evidence.h,
 * EVIDENCE_REPORT): only the text the reports print as it is — peer
 * (DNS, SYN, RST, ICMP), kind_name (DNS, ICMP), name (DNS), text (DNS,
 * ICMP, upstream) — each as the screen's rows have it; every other text
 * field empty, so that a report of every request formats nothing it
 * does not print. Scenes: an upstream reply with a malformed header
 * line, an ICMP rejection, a timeout the gateway closes first, a
 * refusal of an address from the cache, an NXDOMAIN.
 */
#include "diag_scene.h"
#include "diag/evidence.h"

static bool
kind_in(enum evidence_kind k, const enum evidence_kind *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == k)
			return true;
	return false;
}

/* field of a report row: the screen's where the kind has it, else "". */
static void
expect_field(const struct evidence_row *rep, const struct evidence_row *pane,
    const char *name, const char *got, const char *screen, bool has)
{
	if (has ? strcmp(got, screen) != 0 : *got != '\0')
		fail_msg("row %d (frame %llu): %s \"%s\" (screen \"%s\")",
		    rep->kind, (unsigned long long)pane->frame, name, got,
		    screen);
}

#define N(a) (sizeof a / sizeof a[0])

static void
expect_report_text(struct uf *u, const struct txn *t)
{
	static const enum evidence_kind peer[] = { EK_DNS_QUERY,
		EK_DNS_ANSWER, EK_SYN, EK_RST, EK_RST_GATEWAY, EK_ICMP };
	static const enum evidence_kind kind[] = { EK_DNS_QUERY,
		EK_DNS_ANSWER, EK_ICMP };
	static const enum evidence_kind name[] = { EK_DNS_QUERY,
		EK_DNS_ANSWER };
	static const enum evidence_kind text[] = { EK_DNS_QUERY,
		EK_DNS_ANSWER, EK_ICMP, EK_UP_REQUEST, EK_UP_REPLY };
	struct evidence rep = { 0 }, pane = { 0 };

	assert_int_equal(evidence_build(&pane, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	assert_int_equal(evidence_build(&rep, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_REPORT), 0);
	assert_int_equal(rep.n, pane.n);
	for (size_t i = 0; i < rep.n; i++) {
		const struct evidence_row *r = &rep.rows[i], *p = &pane.rows[i];
		enum evidence_kind k = (enum evidence_kind)r->kind;

		expect_field(r, p, "peer", r->peer, p->peer,
		    kind_in(k, peer, N(peer)));
		expect_field(r, p, "kind", r->kind_name, p->kind_name,
		    kind_in(k, kind, N(kind)));
		expect_field(r, p, "name", r->name, p->name,
		    kind_in(k, name, N(name)));
		expect_field(r, p, "text", r->text, p->text,
		    kind_in(k, text, N(text)));
		expect_field(r, p, "rel", r->rel, "", false);
		expect_field(r, p, "delay", r->delay, "", false);
		expect_field(r, p, "offset", r->offset, "", false);
		expect_field(r, p, "interval", r->interval, "", false);
		expect_field(r, p, "factor", r->factor, "", false);
		expect_field(r, p, "answers", r->answers, "", false);
		expect_field(r, p, "label", r->label, "", false);
		expect_field(r, p, "detail", r->detail, "", false);
	}
	evidence_free(&rep);
	evidence_free(&pane);
}

static void
test_report_rows(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct evidence_row *r;
	struct evidence pane = { 0 };

	/* a valid status line, then a malformed header line */
	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_send(u, &s.web, &s.out, "HTTP/1.1 200 OK\r\nBad Header Line\r\n"
	    "\r\n");
	gateway_answers(&s, 502);
	expect_verdict(diagnosed(&s), V_BAD_RESPONSE, C_HTTP_INVALID);
	expect_report_text(u, uf_txn(u, 1));
	/* the screen says why the reply is no HTTP */
	assert_int_equal(evidence_build(&pane, &u->dg, &u->fl, uf_txn(u, 1),
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	r = evidence_find(&pane, EK_UP_REPLY, 0);
	assert_true(r->bad);
	assert_non_null(strstr(r->name, "\"Bad Header Line\""));
	assert_string_equal(evidence_find(&pane, EK_UP_REQUEST, 0)->name, "");
	evidence_free(&pane);

	/* an ICMP rejection, twice (the retried SYN draws its own) */
	u = again(state);
	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	uf_syn(u, &s.out, &s.web);
	uf_icmp(u, "192.0.2.1", &s.out, &s.web, 3, 13);
	uf_wait(u, 1 * UF_S);
	uf_syn(u, &s.out, &s.web);
	uf_icmp(u, "192.0.2.1", &s.out, &s.web, 3, 13);
	gateway_answers(&s, 502);
	expect_verdict(diagnosed(&s), V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
	expect_report_text(u, uf_txn(u, 1));

	/* the gateway gives up at 120 s and closes first */
	u = again(state);
	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_at(u, s.req_ts + 120 * UF_S);
	uf_fin(u, &s.out, &s.web);
	uf_fin(u, &s.web, &s.out);
	gateway_answers(&s, 504);
	expect_verdict(diagnosed(&s), V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	expect_report_text(u, uf_txn(u, 1));

	/* refused, the address from the cache; then an NXDOMAIN */
	u = again(state);
	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	uf_wait(u, 5 * UF_S);
	expect_report_text(u, refused_from_cache(&s));
	u = again(state);
	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 3, NULL, 0);
	gateway_answers(&s, 502);
	expect_verdict(diagnosed(&s), V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	expect_report_text(u, uf_txn(u, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_report_rows, uf_setup,
		    uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
