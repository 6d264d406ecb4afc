/*
 * test_diag_evfill.c: a row's details fill their buffer to the end
 * (diag/evidence.c; the flow view shows them): an answer with long
 * names is cut at EVIDENCE_DETAIL_MAX - 1 characters whatever line
 * ends there, never sooner. And a list freed is empty and can be built
 * again (the pane and the reports free theirs after each use).
 */
#include "diag_scene.h"
#include "diag/evidence.h"

/*
 * HOST is an alias of a name of `len` letters then ".test", which has
 * seven addresses: the answer row's details are its sender, its RCODE
 * line and one line per record, cut where the buffer ends.
 */
static void
long_answer(void **state, size_t len)
{
	char target[80], want[2048], cname[96];
	struct uf_rr rrs[8];
	struct scene s;
	struct evidence ev = { 0 };
	const struct evidence_row *r;
	const struct txn *t;
	static const char *const addrs[7] = { "192.0.2.10", "192.0.2.11",
	    "192.0.2.12", "192.0.2.13", "192.0.2.14", "192.0.2.15",
	    "192.0.2.16" };
	struct uf *u = again(state);
	size_t n;

	memset(target, 'a', len);
	snprintf(target + len, sizeof target - len, ".test");
	rrs[0] = (struct uf_rr){ DNS_T_CNAME, NULL, 300, target };
	for (int k = 0; k < 7; k++)
		rrs[k + 1] = (struct uf_rr){ DNS_T_A, target, 60, addrs[k] };
	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 0, rrs, 8);
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_ARROWS), 0);
	r = evidence_find(&ev, EK_DNS_ANSWER, 0);
	assert_non_null(r);
	snprintf(cname, sizeof cname, "www.test CNAME %s\n", target);
	n = (size_t)snprintf(want, sizeof want, "10.0.0.53:53 -> "
	    "10.0.0.1:33000\nDNS answer id 0x0101, RCODE 0 NOERROR, "
	    "rtt 1.0 ms\n%s", cname);
	for (int k = 0; k < 7; k++)
		n += (size_t)snprintf(want + n, sizeof want - n, "%s A %s\n",
		    target, addrs[k]);
	assert_true(n > EVIDENCE_DETAIL_MAX);
	want[EVIDENCE_DETAIL_MAX - 1] = '\0';
	assert_string_equal(r->detail, want);
	evidence_free(&ev);
}

static void
test_details_fill_to_the_end(void **state)
{
	/* every length of line, so that some line starts one short of
	 * the end, others exactly there */
	for (size_t len = 40; len <= 60; len++)
		long_answer(state, len);
}

/* evidence_free leaves an empty list: nothing listed, nothing held,
 * and a build after it is the build of a new list. */
static void
test_free_then_build(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct evidence ev = { 0 }, fresh = { 0 };
	const struct txn *t;

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	uf_wait(u, 5 * UF_S);
	t = refused_from_cache(&s);
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	assert_true(ev.n > 0);
	evidence_free(&ev);
	assert_int_equal(ev.n, 0);
	assert_int_equal(ev.cap, 0);
	assert_null(ev.rows);
	assert_null(evidence_find(&ev, EK_REQUEST, 0));
	assert_int_equal(ev.addr[EC_CLIENT].family, 0);
	assert_string_equal(ev.summary, "");
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_REPORT), 0);
	assert_int_equal(evidence_build(&fresh, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_REPORT), 0);
	assert_int_equal(ev.n, fresh.n);
	for (size_t i = 0; i < ev.n; i++)
		assert_memory_equal(&ev.rows[i], &fresh.rows[i],
		    offsetof(struct evidence_row, rel));
	assert_string_equal(ev.summary, fresh.summary);
	evidence_free(&ev);
	evidence_free(&fresh);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_details_fill_to_the_end,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_free_then_build,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
