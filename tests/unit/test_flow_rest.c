/*
 * test_flow_rest.c: a connection whose stream is at rest (both directions
 * between messages, done or tunnelled, nothing held) gives its stream
 * state back and resumes from the few words it keeps: the next response
 * still pairs with its request, a keep-alive connection's next request
 * is parsed, a tunnel's bytes are not, a half-closed direction stays
 * closed; a stream holding a partial head or out-of-order bytes stays.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unit_flow.h"

static bool
at_rest(const struct uf *fx)
{
	return fx->fl.conns[0].stream == NULL && fx->fl.conns[0].rest != 0;
}

static void
test_waiting_client_rests_and_pairs(void **state)
{
	struct uf *fx = *state;
	const struct flow *fl = &fx->fl;
	const char *a = "GET http://r.test/1 HTTP/1.1\r\nHo";
	const char *b = "st: r.test\r\n\r\n";

	uf_handshake(fx, &fx->cli, &fx->srv);
	assert_false(at_rest(fx));
	uf_send(fx, &fx->cli, &fx->srv, a);
	assert_false(at_rest(fx));		/* half a head is held */
	uf_send(fx, &fx->cli, &fx->srv, b);
	assert_true(at_rest(fx));
	uf_status(fx, &fx->srv, &fx->cli, 502);
	assert_true(at_rest(fx));
	assert_int_equal(fl->nmsgs, 2);
	assert_int_equal(fl->msgs[1].status, 502);
	assert_int_equal(fl->msgs[1].pair, 0);
	assert_int_equal(fl->msgs[0].pair, 1);
	/* keep-alive: the next exchange on the same connection */
	uf_get(fx, &fx->cli, &fx->srv, "http://r.test/2", "r.test");
	uf_status(fx, &fx->srv, &fx->cli, 200);
	assert_int_equal(fl->nmsgs, 4);
	assert_string_equal(uf_str(fx, fl->msgs[2].target), "http://r.test/2");
	assert_int_equal(fl->msgs[3].pair, 2);
	assert_true(fl->msgs[3].complete);
	uf_fin(fx, &fx->cli, &fx->srv);
	uf_fin(fx, &fx->srv, &fx->cli);
	assert_null(fl->conns[0].stream);
	assert_int_equal(fl->conns[0].rest, 0);
}

/* A response is answered after the request it pairs with, whatever lies
 * between: a response head split over two segments does not rest. */
static void
test_split_response_does_not_rest(void **state)
{
	struct uf *fx = *state;
	const struct flow *fl = &fx->fl;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_get(fx, &fx->cli, &fx->srv, "http://r.test/1", "r.test");
	uf_get(fx, &fx->cli, &fx->srv, "http://r.test/2", "r.test");
	assert_true(at_rest(fx));
	uf_send(fx, &fx->srv, &fx->cli, "HTTP/1.1 200 OK\r\nContent-Le");
	assert_false(at_rest(fx));
	uf_send(fx, &fx->srv, &fx->cli, "ngth: 3\r\n\r\nab");
	assert_false(at_rest(fx));		/* one byte of body to come */
	uf_send(fx, &fx->srv, &fx->cli, "c");
	assert_true(at_rest(fx));
	uf_status(fx, &fx->srv, &fx->cli, 504);
	assert_int_equal(fl->nmsgs, 4);
	assert_int_equal(fl->msgs[2].pair, 0);
	assert_int_equal(fl->msgs[3].pair, 1);
	assert_int_equal(fl->msgs[3].status, 504);
}

static void
test_out_of_order_bytes_do_not_rest(void **state)
{
	struct uf *fx = *state;
	const char *req = "GET http://r.test/ HTTP/1.1\r\nHost: r.test\r\n\r\n";
	size_t half = 12;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_get(fx, &fx->cli, &fx->srv, "http://r.test/0", "r.test");
	assert_true(at_rest(fx));
	uf_segment(fx, &fx->cli, &fx->srv, fx->cli.seq + (uint32_t)half,
	    TCPF_ACK, req + half, strlen(req) - half);
	assert_false(at_rest(fx));		/* the later half is held */
	uf_segment(fx, &fx->cli, &fx->srv, fx->cli.seq, TCPF_ACK, req, half);
	assert_true(at_rest(fx));
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_string_equal(uf_str(fx, fx->fl.msgs[1].target), "http://r.test/");
}

/* CONNECT: the client's direction waits as a tunnel for the answer; a
 * 200 makes both directions a tunnel, whose bytes are never parsed. */
static void
test_tunnel_rests_unparsed(void **state)
{
	struct uf *fx = *state;
	const struct flow *fl = &fx->fl;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv,
	    "CONNECT t.test:443 HTTP/1.1\r\nHost: t.test:443\r\n\r\n");
	assert_true(at_rest(fx));
	uf_send(fx, &fx->cli, &fx->srv,
	    "GET http://t.test/ HTTP/1.1\r\nHost: t.test\r\n\r\n");
	assert_int_equal(fl->nmsgs, 1);		/* early tunnel bytes */
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 Connection established\r\n\r\n");
	assert_int_equal(fl->nmsgs, 2);
	assert_true(at_rest(fx));
	uf_send(fx, &fx->srv, &fx->cli, "HTTP/1.1 502 Bad Gateway\r\n\r\n");
	uf_send(fx, &fx->cli, &fx->srv,
	    "GET http://t.test/ HTTP/1.1\r\nHost: t.test\r\n\r\n");
	assert_int_equal(fl->nmsgs, 2);
	assert_true(at_rest(fx));
}

/* A refused CONNECT (407): the client goes on speaking HTTP. */
static void
test_refused_tunnel_resumes_http(void **state)
{
	struct uf *fx = *state;
	const struct flow *fl = &fx->fl;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv,
	    "CONNECT t.test:443 HTTP/1.1\r\nHost: t.test:443\r\n\r\n");
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 407 Proxy Authentication Required\r\n"
	    "Content-Length: 0\r\n\r\n");
	assert_true(at_rest(fx));
	uf_send(fx, &fx->cli, &fx->srv,
	    "CONNECT t.test:443 HTTP/1.1\r\nHost: t.test:443\r\n"
	    "Proxy-Authorization: Basic eDp5\r\n\r\n");
	assert_int_equal(fl->nmsgs, 3);
	assert_int_equal(fl->msgs[2].dir, 0);
	assert_int_equal(fl->msgs[1].pair, 0);
}

/* The client half-closes while it waits: its direction ends at rest, the
 * answer still comes and pairs, and the client's direction stays done. */
static void
test_half_close_at_rest(void **state)
{
	struct uf *fx = *state;
	const struct flow *fl = &fx->fl;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_get(fx, &fx->cli, &fx->srv, "http://r.test/1", "r.test");
	uf_fin(fx, &fx->cli, &fx->srv);
	assert_true(at_rest(fx));
	uf_status(fx, &fx->srv, &fx->cli, 502);
	assert_int_equal(fl->nmsgs, 2);
	assert_int_equal(fl->msgs[1].pair, 0);
	/* bytes where the client's FIN was (a broken stack): not parsed */
	uf_segment(fx, &fx->cli, &fx->srv, fx->cli.seq - 1, TCPF_ACK,
	    "GET / HTTP/1.1\r\n\r\n", 18);
	assert_int_equal(fl->nmsgs, 2);
	assert_true(at_rest(fx));
}

/* A server that answers first (a 408 before any request): the request
 * that comes after pairs with it, as without a rest between. */
static void
test_response_first_pairs_after_rest(void **state)
{
	struct uf *fx = *state;
	const struct flow *fl = &fx->fl;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_status(fx, &fx->srv, &fx->cli, 408);
	assert_true(at_rest(fx));
	uf_get(fx, &fx->cli, &fx->srv, "http://r.test/1", "r.test");
	assert_int_equal(fl->nmsgs, 2);
	assert_int_equal(fl->msgs[1].pair, 0);
	assert_int_equal(fl->msgs[0].pair, 1);
}

/* Compaction renumbers the messages a resting stream refers to: after
 * it, the answer to a pipelined HEAD is still known to have no body. */
static void
test_rest_survives_compaction(void **state)
{
	struct uf *fx = *state;
	struct flow *fl = &fx->fl;
	struct uf_side other = fx->cli;
	uint8_t keep_conn[2] = { 0, 1 }, keep_msg[6], keep_dns[1] = { 0 };
	strref *none[1];
	struct flow_maps mp;
	const struct conn *c;

	other.port = 41000;
	uf_handshake(fx, &other, &fx->srv);
	uf_get(fx, &other, &fx->srv, "http://gone.test/", "gone.test");
	uf_status(fx, &fx->srv, &other, 200);
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv,
	    "GET http://r.test/1 HTTP/1.1\r\nHost: r.test\r\n\r\n"
	    "HEAD http://r.test/2 HTTP/1.1\r\nHost: r.test\r\n\r\n"
	    "GET http://r.test/3 HTTP/1.1\r\nHost: r.test\r\n\r\n");
	uf_status(fx, &fx->srv, &fx->cli, 200);
	assert_int_equal(fl->nmsgs, 6);
	assert_null(fl->conns[1].stream);
	assert_int_not_equal(fl->conns[1].rest, 0);
	memset(keep_msg, 1, sizeof keep_msg);
	assert_int_equal(flow_compact(fl, keep_conn, keep_msg, keep_dns, none,
	    0, &mp), 0);
	flow_maps_free(&mp);
	assert_int_equal(fl->nmsgs, 4);
	/* the HEAD's answer: a length but no body, then the third answer */
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n");
	uf_status(fx, &fx->srv, &fx->cli, 502);
	c = &fl->conns[0];
	assert_int_equal(c->nmsg[1], 3);
	assert_int_equal(fl->msgs[c->last_msg[1]].status, 502);
	assert_int_equal(fl->msgs[c->last_msg[1]].pair, c->last_msg[0]);
	assert_true(fl->msgs[c->last_msg[1]].complete);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_waiting_client_rests_and_pairs, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_split_response_does_not_rest, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_out_of_order_bytes_do_not_rest, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_tunnel_rests_unparsed,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_refused_tunnel_resumes_http, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_half_close_at_rest,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_response_first_pairs_after_rest, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_rest_survives_compaction,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
