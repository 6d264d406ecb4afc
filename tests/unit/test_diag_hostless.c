/*
 * test_diag_hostless.c: an upstream request that names no host (HTTP/1.0
 * without a Host header) is not indexed, and the ones after it are: a
 * client's request forwarded later on another connection is found by its
 * request line (txn.c: index_upstream_request).
 */
#include "diag_scene.h"

static void
test_after_a_hostless_request(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side out2, web2;
	const struct txn *t;
	uint64_t up;

	scene_init(&s, u);
	uf_side_init(&out2, "10.0.0.1", 51000, 100);
	uf_side_init(&web2, "198.51.100.9", 80, 0);
	uf_handshake(u, &out2, &web2);
	uf_send(u, &out2, &web2, "GET /old HTTP/1.0\r\n\r\n");
	uf_wait(u, 1 * UF_S);
	ask(&s);
	resolve(&s);
	up = upstream_get(&s);
	uf_status(u, &s.web, &s.out, 503);
	gateway_answers(&s, 503);
	t = diagnosed(&s);
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(u->fl.msgs[t->d.up_req].head.number, up);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_after_a_hostless_request,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
