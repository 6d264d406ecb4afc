/*
 * test_diag_ladder.c: the flow view's rows (ladder.h): every evidence
 * row that has a frame, in frame order, rows of one frame in the list's
 * order. The list is in report order (request, answer, look-ups,
 * attempts, upstream), so a look-up the gateway had in flight before the
 * request comes first, also when the request has no answer yet (its
 * answer row has no frame) and its look-up is the list's second row.
 */
#include "diag_scene.h"
#include "diag/ladder.h"

/* The ladder of t against its evidence list: the same rows with a
 * frame, sorted, stable; returns the frames in order. */
static size_t
expect_ladder(struct uf *u, const struct txn *t, uint64_t *frames,
    size_t max)
{
	struct ladder l = { 0 };
	size_t n = 0;

	assert_int_equal(ladder_build(&l, &u->fl, &u->dg, t), 0);
	for (size_t i = 0; i < l.ev.n; i++)
		n += l.ev.rows[i].frame != 0;
	assert_int_equal(l.n, n);
	assert_true(n <= max);
	for (size_t i = 0; i < l.n; i++) {
		frames[i] = l.rows[i]->frame;
		if (i > 0 && (l.rows[i - 1]->frame > l.rows[i]->frame ||
		    (l.rows[i - 1]->frame == l.rows[i]->frame &&
		    l.rows[i - 1] > l.rows[i])))
			fail_msg("ladder row %zu (frame %llu) out of order", i,
			    (unsigned long long)l.rows[i]->frame);
	}
	ladder_free(&l);
	assert_null(l.rows);
	assert_int_equal(l.n, 0);
	return n;
}

static void
test_lookup_in_flight_first(void **state)
{
	struct uf *u = *state;
	struct scene s;
	uint64_t q, req, a, f[16];
	size_t n;

	scene_init(&s, u);
	q = query(&s);
	ask(&s);
	req = s.req;
	a = answer(&s, 0, addr300, 1);
	uf_syn(u, &s.out, &s.web);
	uf_diag_run(u, NULL, false);	/* the client still waits */
	assert_int_equal(u->dg.ntxns, 1);
	assert_int_equal(uf_txn(u, 1)->resp, NONE32);
	n = expect_ladder(u, uf_txn(u, 1), f, 16);
	assert_int_equal(n, 4);
	assert_int_equal(f[0], q);
	assert_int_equal(f[1], req);
	assert_int_equal(f[2], a);
	assert_int_equal(f[3], a + 1);	/* the SYN */
}

/* A reply sent with the server's FIN: two rows of one frame, in the
 * list's order (the reply, then the FIN). */
static void
test_one_frame_two_rows(void **state)
{
	static const char reply[] = "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n";
	struct uf *u = *state;
	struct scene s;
	struct ladder l = { 0 };
	uint64_t both, f[32];
	size_t n, k;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	both = uf_segment(u, &s.web, &s.out, s.web.seq, TCPF_FIN | TCPF_ACK |
	    TCPF_PSH, reply, sizeof reply - 1);
	s.web.seq += (uint32_t)(sizeof reply - 1) + 1;
	gateway_answers(&s, 503);
	uf_diagnose(u);
	n = expect_ladder(u, uf_txn(u, 1), f, 32);
	for (k = 0; k < n && f[k] != both; k++)
		;
	assert_true(k + 1 < n && f[k + 1] == both);
	assert_int_equal(ladder_build(&l, &u->fl, &u->dg, uf_txn(u, 1)), 0);
	assert_int_equal(l.rows[k]->kind, EK_UP_REPLY);
	assert_int_equal(l.rows[k + 1]->kind, EK_FIN_UPSTREAM);
	ladder_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lookup_in_flight_first,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_one_frame_two_rows,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
