/*
 * test_diag_link_refused.c: two requests for one URL within a
 * millisecond on a gateway serving one popular host (diag/link.c). One's
 * attempt is refused and the gateway answers it 502 at once; the other's
 * request goes upstream and its reply (a 200, relayed) comes long after
 * that 502. The 502 settles first, and must take the refusal, not the
 * other's upstream request that no reply had answered yet: the gateway
 * does one thing for a request at once, and gives up on a silent
 * connection only after a wait, not moments after a refusal. And a
 * refusal that came after the answer is no cause of it.
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
	int64_t r = clients_and_pool(&s, u, 2, cli, gw, out,
	    &pool);

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
 * HOST's address cached. Client 2 (10.0.0.6) asks for URL at R and
 * client 1 (10.0.0.5) at R + 90 us, or (`refused_first`) client 1 at R
 * and client 2 at R + 90 us; the gateway connects for client 2 from
 * 50001 at R + `carrier_syn` (SYN/ACK at R + 1.2 ms, GET / at
 * R + 1.25 ms) and for client 1 from 50000 at R + 160 us, which is
 * refused at R + 1.3 ms; it answers client 1 502 at R + 1.45 ms. The
 * first connection's reply, a 200, comes at R + 300 ms and goes to
 * client 2.
 */
static void
carrier_beside_refusal(struct uf *u, bool refused_first, int64_t carrier_syn)
{
	struct scene s;
	struct uf_side cli[2], gw[2], out[2];
	int64_t r = clients_cached(&s, u, 2, cli, gw, out);
	int first = refused_first ? 0 : 1;

	uf_at(u, r);
	uf_get(u, &cli[first], &gw[first], URL, HOST);
	if (carrier_syn < 90 * US) {
		uf_at(u, r + carrier_syn);
		uf_syn(u, &out[1], &s.web);
	}
	uf_at(u, r + 90 * US);
	uf_get(u, &cli[1 - first], &gw[1 - first], URL, HOST);
	if (carrier_syn >= 90 * US) {
		uf_at(u, r + carrier_syn);
		uf_syn(u, &out[1], &s.web);
	}
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
}

/* Client 2 asked first and its connection began at R + 70 us, before
 * client 1 asked: the refusal is client 1's. */
static void
test_carrier_quiet_refused_after(void **state)
{
	struct uf *u = *state;

	carrier_beside_refusal(u, false, 70 * US);
	uf_diagnose(u);
	/* client 2's request came first: it is transaction 1 */
	assert_int_equal(u->dg.ntxns, 2);
	assert_int_equal(uf_txn(u, 2)->status, 502);
	expect_verdict(uf_txn(u, 2), V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(uf_txn(u, 2)->d.up_req, NONE32);
	expect_verdict(uf_txn(u, 1), V_OK, C_NONE);
	assert_int_not_equal(uf_txn(u, 1)->d.up_req, NONE32);
}

/*
 * The other way round: client 1 asks first, and the gateway (two
 * workers) connects for client 2 first, at R + 100 us. Client 1 settles
 * first: its attempt is the refused one, though the connection carrying
 * client 2's request began nearer its request (the gateway was still
 * waiting on that one when it answered).
 */
static void
test_quiet_carrier_of_a_later_request(void **state)
{
	struct uf *u = *state;

	carrier_beside_refusal(u, true, 100 * US);
	expect_refused_and_relayed(u);
}

/* Client 2 (10.0.0.6:40001) and the proxy's end of its connection. */
static void
second_client(const struct uf *u, struct uf_side *cli2, struct uf_side *srv2)
{
	uf_side_init(cli2, "10.0.0.6", 40001, 5000);
	*srv2 = u->srv;
	srv2->seq = 6000;
}

/* Two clients of a two-address host, each refused by the first address:
 * each went on to the second from the socket begun right after its
 * reset (client 1 from 50001, client 2 from 50003), and was answered
 * after that one's ICMP administratively prohibited. */
static void
expect_each_its_next_address(struct uf *u)
{
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	for (unsigned k = 1; k <= 2; k++) {
		const struct txn *t = uf_txn(u, k);

		expect_verdict(t, V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
		assert_int_equal(t->d.nconns, 2);
		assert_int_equal(u->fl.conns[t->d.conns[1]].cport,
		    50001 + 2 * (k - 1));
	}
}

/*
 * HOST has two addresses (a busy generator's api host). Client 1's SYN
 * to the first, 192.0.2.10, is reset 20 ms later; the gateway tries the
 * second, .11, from 50001 at once: ICMP administratively prohibited at
 * 34 ms. Client 2 asks at 40 ms: reset from .10 at 46 ms, .11 tried from
 * 50003 at 46.5 ms. The gateway answers client 1 502 at 56 ms; client
 * 2's ICMP comes at 60 ms and its 502 at 75 ms. Client 1 settles first:
 * its next attempt is 50001, not 50003, whose refusal (the nearer to its
 * answer, but after it) it cannot have followed.
 */
static void
test_refused_after_the_answer(void **state)
{
	struct uf *u = *state;
	struct uf_side out2, web2, cli2, srv2, o;
	struct scene s;
	int64_t r;

	second_client(u, &cli2, &srv2);
	scene_init(&s, u);
	ask_two_addresses(&s, &out2, &web2);
	r = u->next_ts_ns;
	uf_syn(u, &s.out, &s.web);
	uf_at(u, r + 20 * UF_MS);
	uf_rst(u, &s.web, &s.out);
	uf_at(u, r + 20500 * US);
	uf_syn(u, &out2, &web2);
	uf_at(u, r + 34 * UF_MS);
	uf_icmp(u, "10.0.0.254", &out2, &web2, 3, 13);
	uf_at(u, r + 40 * UF_MS);
	uf_handshake(u, &cli2, &srv2);
	uf_get(u, &cli2, &srv2, URL, HOST);
	o = s.out;
	o.port = 50002;
	uf_syn(u, &o, &s.web);
	uf_at(u, r + 46 * UF_MS);
	uf_rst(u, &s.web, &o);
	o = out2;
	o.port = 50003;
	uf_at(u, r + 46500 * US);
	uf_syn(u, &o, &web2);
	uf_at(u, r + 56 * UF_MS);
	gateway_answers(&s, 502);
	uf_at(u, r + 60 * UF_MS);
	uf_icmp(u, "10.0.0.254", &o, &web2, 3, 13);
	uf_at(u, r + 75 * UF_MS);
	uf_status(u, &srv2, &cli2, 502);
	expect_each_its_next_address(u);
}

/*
 * HOST has two addresses; client 2 asks for it just after client 1's
 * SYN, and the gateway's SYN for it goes 2 ms after. The first,
 * 192.0.2.10, resets client 1's SYN (from 50000) at 27.7 ms and client
 * 2's (50002) at 28.6 ms; the gateway tries the second, .11, for each at
 * once: from 50001 0.4 ms after the first reset, from 50003 0.6 ms after
 * the second. Both get ICMP administratively prohibited, at 41.9 and
 * 43.1 ms, and the gateway answers client 1 502 at 51 ms, client 2 at
 * 52 ms. Client 1's next attempt is the one begun right after its reset
 * (50001), not the one refused nearer to its answer (client 2's).
 */
static void
test_next_address_at_once(void **state)
{
	struct uf *u = *state;
	struct uf_side out2, web2, cli2, srv2, o1, o2;
	struct scene s;
	int64_t r;

	second_client(u, &cli2, &srv2);
	scene_init(&s, u);
	ask_two_addresses(&s, &out2, &web2);
	uf_handshake(u, &cli2, &srv2);
	r = u->next_ts_ns;
	uf_syn(u, &s.out, &s.web);
	uf_at(u, r + 500 * US);
	uf_get(u, &cli2, &srv2, URL, HOST);
	o1 = s.out;
	o1.port = 50002;
	uf_at(u, r + 2 * UF_MS);
	uf_syn(u, &o1, &s.web);
	uf_at(u, r + 27700 * US);
	uf_rst(u, &s.web, &s.out);
	uf_at(u, r + 28100 * US);
	uf_syn(u, &out2, &web2);
	uf_at(u, r + 28600 * US);
	uf_rst(u, &s.web, &o1);
	o2 = out2;
	o2.port = 50003;
	uf_at(u, r + 29200 * US);
	uf_syn(u, &o2, &web2);
	uf_at(u, r + 41900 * US);
	uf_icmp(u, "10.0.0.254", &out2, &web2, 3, 13);
	uf_at(u, r + 43100 * US);
	uf_icmp(u, "10.0.0.254", &o2, &web2, 3, 13);
	uf_at(u, r + 51 * UF_MS);
	gateway_answers(&s, 502);
	uf_at(u, r + 52 * UF_MS);
	uf_status(u, &srv2, &cli2, 502);
	expect_each_its_next_address(u);
}

/*
 * An ICMP error the kernel takes as soft (the lab's ICMPv6
 * administratively prohibited): the gateway's SYN is refused 2 ms
 * after it, sent again 1 s later, refused again, and the gateway answers
 * 502 1 ms after that. A health check's SYN to the address, 0.5 ms after
 * the request's, gets no ICMP back (a router rate-limits them) and is
 * sent again too. The answer followed the last refusal, a second after
 * the first: the refused attempt is the request's.
 */
static void
test_refused_again_after_a_second(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side chk;
	const struct txn *t;
	int64_t r;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 0, addr300, 1);
	chk = s.out;
	chk.port = 50009;
	r = u->next_ts_ns;
	for (int64_t at = r; at <= r + UF_S; at += UF_S) {
		uf_at(u, at);
		uf_syn(u, &s.out, &s.web);
		uf_at(u, at + 500 * US);
		uf_syn(u, &chk, &s.web);
		uf_at(u, at + 2 * UF_MS);
		uf_icmp(u, "10.0.0.254", &s.out, &s.web, 3, 13);
	}
	uf_at(u, r + UF_S + 3 * UF_MS);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(u->fl.conns[t->d.conns[0]].cport, 50000);
}

/*
 * HOST has two addresses. The gateway's SYNs to the first, 192.0.2.10,
 * go unanswered (at 0 and 1 s); at 3 s (its connect timeout) it tries
 * the second, .11, from 50001: connected, GET / sent, junk back 20 ms
 * later, and it answers 502 1 ms after that. Another proxy's SYN to .11
 * (not a request in the capture) went at 1.35 s, unanswered, sent again
 * at 2.35 s. The gateway's next attempt is the one whose end the answer
 * followed at once (the junk), not the earlier one it would have had to
 * give up on unseen.
 */
static void
test_next_address_the_server_ended(void **state)
{
	struct uf *u = *state;
	struct uf_side out2, web2, other;
	struct scene s;
	const struct txn *t;
	int64_t r;

	scene_init(&s, u);
	ask_two_addresses(&s, &out2, &web2);
	r = u->next_ts_ns;
	other = out2;
	other.port = 50009;
	uf_syn(u, &s.out, &s.web);
	uf_at(u, r + UF_S);
	uf_syn(u, &s.out, &s.web);
	uf_at(u, r + 1350 * UF_MS);
	uf_syn(u, &other, &web2);
	uf_at(u, r + 2350 * UF_MS);
	uf_syn(u, &other, &web2);
	uf_at(u, r + 3 * UF_S);
	uf_handshake(u, &out2, &web2);
	uf_get(u, &out2, &web2, "/", HOST);
	uf_at(u, r + 3020 * UF_MS);
	uf_send(u, &web2, &out2, "<html>no status line</html>\r\n");
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_int_equal(t->d.nconns, 2);
	assert_int_equal(u->fl.conns[t->d.conns[1]].cport, 50001);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pooled_after_refusal,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_carrier_quiet_refused_after, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_quiet_carrier_of_a_later_request, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_refused_after_the_answer,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_next_address_at_once,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_refused_again_after_a_second, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_next_address_the_server_ended, uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
