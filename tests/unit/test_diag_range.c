/*
 * test_diag_range.c: the frames to export for a transaction
 * (txn_frame_range, diag.h) run from the request's first byte to the
 * frame that completed the gateway's answer: an answer whose body
 * follows its head in a later segment ends there.
 */
#include "diag_scene.h"

static void
test_range_to_the_answers_end(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct frame_ref first, last;
	const struct txn *t;
	uint64_t head, body;

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	ask(&s);
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	head = uf_send(u, &u->srv, &u->cli, "HTTP/1.1 502 Bad Gateway\r\n"
	    "Content-Length: 5\r\n\r\n");
	body = uf_send(u, &u->srv, &u->cli, "oops!");
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(u->fl.msgs[t->resp].start.number, head);
	txn_frame_range(&u->fl, t, &first, &last);
	assert_int_equal(first.number, s.req);	/* the request */
	assert_int_equal(first.offset_lo, s.req * 100);
	assert_int_equal(last.number, body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_range_to_the_answers_end,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
