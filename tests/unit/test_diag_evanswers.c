/*
 * test_diag_evanswers.c: a DNS answer's list of records (evidence.h:
 * answers, evidence_fmt_answers) is cut at its buffer's end, never past
 * it: four long CNAME targets (an alias chain without address) fill the row's 512 bytes and leave the
 * fields after it alone; a caller's small buffer gets its first bytes.
 */
#include "diag_scene.h"
#include "diag/evidence.h"

static void
test_long_answers_cut(void **state)
{
	char names[4][128], want[2048], buf[48];
	struct uf_rr rrs[4];
	struct uf *u = *state;
	struct scene s;
	struct evidence ev = { 0 };
	const struct evidence_row *r;
	const struct txn *t;
	size_t n = 0;

	for (int k = 0; k < 4; k++) {
		memset(names[k], 'a' + k, 121);	/* two labels of 60 */
		names[k][60] = '.';
		snprintf(names[k] + 121, sizeof names[k] - 121, ".test");
		n += (size_t)snprintf(want + n, sizeof want - n, " CNAME %s",
		    names[k]);
	}
	assert_true(n > EVIDENCE_TEXT_MAX);
	/* HOST -> names[0] -> ... -> names[3], no address */
	for (int k = 0; k < 4; k++)
		rrs[k] = (struct uf_rr){ DNS_T_CNAME, k ? names[k - 1] : NULL,
		    300, names[k] };
	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 0, rrs, 4);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_ERROR);
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	r = evidence_find(&ev, EK_DNS_ANSWER, 0);
	assert_non_null(r);
	want[EVIDENCE_TEXT_MAX - 1] = '\0';
	assert_string_equal(r->answers, want);
	assert_string_equal(r->label, "");	/* the pane builds no arrows */
	assert_string_equal(r->detail, "");
	/* a caller's buffer: its first bytes, the byte after it untouched */
	memset(buf, '#', sizeof buf);
	evidence_fmt_answers(&u->fl, r, buf, 32);
	want[31] = '\0';
	assert_string_equal(buf, want);
	assert_int_equal(buf[32], '#');
	evidence_free(&ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_long_answers_cut,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
