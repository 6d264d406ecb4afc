/*
 * test_diag_link_refused.c: two requests for one URL within a
 * millisecond on a gateway serving one popular host (diag/link.c). One's
 * attempt is refused and the gateway answers it 502 at once; the other's
 * request goes upstream and its reply (a 200, relayed) comes long after
 * that 502. The 502 settles first, and must take the refusal, not the
 * other's upstream request that no reply had answered yet: the gateway
 * does one thing for a request at once, and gives up on a silent
 * connection only after a wait, not moments after a refusal.
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

#define US (UF_MS / 1000)

/* Client 1's 502 was the refusal's; client 2's 200 the upstream reply. */
static void
expect_refused_and_relayed(struct uf *u)
{
	const struct txn *t1, *t2;

	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	t1 = uf_txn(u, 1);
	t2 = uf_txn(u, 2);
	assert_int_equal(t1->status, 502);
	expect_verdict(t1, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t1->d.up_req, NONE32);
	assert_int_equal(t2->status, 200);
	expect_verdict(t2, V_OK, C_NONE);
	assert_int_not_equal(t2->d.up_req, NONE32);
}

/*
 * HOST's address cached, two clients connected; the gateway keeps a
 * connection to it from port 50002 (pool), opened and used long before
 * (the clients wait meanwhile on connections opened). Client 1 asks for URL at R;
 * the gateway's SYN from 50000 goes at R + 150 us and is refused at
 * R + 700 us. Client 2 asks for URL at R + 680 us, and the gateway sends
 * it on the pooled connection at R + 830 us; it answers client 1 502 at
 * R + 1.5 ms; the pooled connection's reply, a 200, comes at R + 300 ms
 * (after client 1's story and its slack) and goes to client 2.
 */
static void
test_pooled_after_refusal(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli[2], gw[2], out[2], pool;
	int64_t r = clients_cached(&s, u, 2, cli, gw, out);

	pool = s.out;
	pool.port = 50002;
	uf_handshake(u, &pool, &s.web);
	uf_get(u, &pool, &s.web, "/other", HOST);
	uf_status(u, &s.web, &pool, 200);
	r = u->next_ts_ns + 10 * UF_MS;
	uf_at(u, r);
	uf_get(u, &cli[0], &gw[0], URL, HOST);
	uf_at(u, r + 150 * US);
	uf_syn(u, &out[0], &s.web);
	uf_at(u, r + 680 * US);
	uf_get(u, &cli[1], &gw[1], URL, HOST);
	uf_at(u, r + 700 * US);
	uf_rst(u, &s.web, &out[0]);
	uf_at(u, r + 830 * US);
	uf_get(u, &pool, &s.web, "/", HOST);
	uf_at(u, r + 1500 * US);
	uf_status(u, &gw[0], &cli[0], 502);
	uf_at(u, r + 300 * UF_MS);
	uf_status(u, &s.web, &pool, 200);
	uf_status(u, &gw[1], &cli[1], 200);
	expect_refused_and_relayed(u);
}

/*
 * HOST's address cached. Client 2 asks for URL at R, client 1 at
 * R + 90 us; the gateway connects from 50001 at R + 70 us (SYN/ACK at
 * R + 1.2 ms, GET / at R + 1.25 ms) and tries 50000 at R + 160 us, which
 * is refused at R + 1.3 ms; it answers client 1 502 at R + 1.45 ms. The
 * first connection's reply, a 200, comes at R + 300 ms and goes to
 * client 2.
 */
static void
test_carrier_quiet_refused_after(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli[2], gw[2], out[2];
	int64_t r = clients_cached(&s, u, 2, cli, gw, out);

	/* client 1 (10.0.0.5) is the one refused; client 2 asked first */
	uf_at(u, r);
	uf_get(u, &cli[1], &gw[1], URL, HOST);
	uf_at(u, r + 70 * US);
	uf_syn(u, &out[1], &s.web);
	uf_at(u, r + 90 * US);
	uf_get(u, &cli[0], &gw[0], URL, HOST);
	uf_at(u, r + 160 * US);
	uf_syn(u, &out[0], &s.web);
	uf_at(u, r + 1200 * US);
	uf_synack(u, &s.web, &out[1]);
	uf_at(u, r + 1250 * US);
	uf_get(u, &out[1], &s.web, "/", HOST);
	uf_at(u, r + 1300 * US);
	uf_rst(u, &s.web, &out[0]);
	uf_at(u, r + 1450 * US);
	uf_status(u, &gw[0], &cli[0], 502);
	uf_at(u, r + 300 * UF_MS);
	uf_status(u, &s.web, &out[1], 200);
	uf_status(u, &gw[1], &cli[1], 200);
	uf_diagnose(u);
	/* client 2's request came first: it is transaction 1 */
	assert_int_equal(u->dg.ntxns, 2);
	assert_int_equal(uf_txn(u, 2)->status, 502);
	expect_verdict(uf_txn(u, 2), V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(uf_txn(u, 2)->d.up_req, NONE32);
	expect_verdict(uf_txn(u, 1), V_OK, C_NONE);
	assert_int_not_equal(uf_txn(u, 1)->d.up_req, NONE32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pooled_after_refusal,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_carrier_quiet_refused_after, uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
