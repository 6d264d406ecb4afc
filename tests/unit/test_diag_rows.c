/*
 * test_diag_rows.c: edges of a transaction's evidence rows
 * (diag/evidence.c, evidence.h): only an answered DNS row lists
 * answers — a look-up whose answer came after the transaction ended
 * lists none, though that answer named addresses, and neither does the
 * cache row, whose text says which answer it used.
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
	ask(&s);
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.dns_link, LINK_CACHE);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answers_only_when_answered,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
