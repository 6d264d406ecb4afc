/*
 * test_diag_queue.c: requests and answers pair in order per connection
 * (txn.c) whatever the connection's index: the per-connection queues
 * grow past their first 1024 connections, a thousand idle attempts
 * before a client's keep-alive connection.
 */
#include "diag_scene.h"

static void
test_connection_past_the_first_queues(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side from, to;
	const struct txn *t;

	scene_init(&s, u);
	for (unsigned k = 0; k < 2100; k++) {
		uf_side_init(&from, "10.0.0.1", (uint16_t)(20000 + k), 100);
		uf_side_init(&to, "198.51.100.4", 7000, 0);
		uf_syn(u, &from, &to);
	}
	ask(&s);
	gateway_answers(&s, 502);
	uf_get(u, &u->cli, &u->srv, URL_B, HOST);
	gateway_answers(&s, 503);
	uf_diagnose(u);
	assert_true(u->fl.conns[u->fl.nconns - 1].role == CONN_CLIENT);
	assert_true(u->fl.nconns > 2100);
	assert_int_equal(u->dg.txns_dropped, 0);
	assert_int_equal(u->dg.ntxns, 2);
	t = uf_txn(u, 1);
	assert_int_equal(t->status, 502);
	assert_string_equal(uf_str(u, t->url), URL);
	t = uf_txn(u, 2);
	assert_int_equal(t->status, 503);
	assert_string_equal(uf_str(u, t->url), URL_B);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_connection_past_the_first_queues, uf_setup,
		    uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
