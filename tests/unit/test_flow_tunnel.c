/*
 * test_flow_tunnel.c: when a connection stops being HTTP (RFC 9110 9.3.6:
 * a CONNECT answered 2xx; 15.2.2: 101 Switching Protocols). After its
 * CONNECT the client's bytes are the tunnel's, also while the answers to
 * requests it sent before the CONNECT are still coming; only a refusal of
 * the CONNECT itself (any status from 300 up) puts it back to HTTP. Any
 * 2xx opens the tunnel, 300 does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_flow.h"

static const char connect_head[] =
    "CONNECT t.test:443 HTTP/1.1\r\nHost: t.test:443\r\n\r\n";

/* Bytes the tunnel carries that look like a request. */
static const char tunnel_get[] =
    "GET http://x.test/ HTTP/1.1\r\nHost: x.test\r\n\r\n";

/* A connection, and on it a GET and a CONNECT in one segment. */
static void
get_then_connect(struct uf *fx)
{
	char both[256];

	snprintf(both, sizeof both, "GET http://a.test/ HTTP/1.1\r\n"
	    "Host: a.test\r\n\r\n%s", connect_head);
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv, both);
}

/*
 * A GET and a CONNECT pipelined in one segment. The GET's answer comes
 * first, then the client's first tunnel bytes, then the CONNECT's 200:
 * two requests and two answers, the tunnel bytes in either direction
 * are none of them.
 */
static void
test_pipelined_connect(void **state)
{
	struct uf *fx = *state;

	get_then_connect(fx);
	uf_status(fx, &fx->srv, &fx->cli, 502);
	assert_int_equal(fx->fl.conns[0].nmsg[0], 2);
	assert_int_equal(fx->fl.conns[0].nmsg[1], 1);
	uf_send(fx, &fx->cli, &fx->srv, tunnel_get);
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 Connection established\r\n\r\n");
	uf_send(fx, &fx->cli, &fx->srv, tunnel_get);
	uf_status(fx, &fx->srv, &fx->cli, 503);
	assert_int_equal(fx->fl.conns[0].nmsg[0], 2);
	assert_int_equal(fx->fl.conns[0].nmsg[1], 2);
	assert_int_equal(fx->fl.nmsgs, 4);
	assert_int_equal(fx->fl.msgs[2].status, 502);
	assert_int_equal(fx->fl.msgs[2].pair, 0);
	assert_int_equal(fx->fl.msgs[3].status, 200);
	assert_int_equal(fx->fl.msgs[3].pair, 1);
}

/*
 * The CONNECT answered with status s (no body), then a request: when the
 * tunnel opened it is not one; when it did not, it is, and its answer
 * pairs with it.
 */
static void
connect_answered(struct uf *fx, uint16_t cport, unsigned s, bool tunnel)
{
	struct conn *c;
	char head[96];

	fx->cli.port = cport;
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv, connect_head);
	snprintf(head, sizeof head, "HTTP/1.1 %u X\r\nContent-Length: 0\r\n"
	    "\r\n", s);
	uf_send(fx, &fx->srv, &fx->cli, head);
	uf_send(fx, &fx->cli, &fx->srv, tunnel_get);
	uf_status(fx, &fx->srv, &fx->cli, 502);
	c = &fx->fl.conns[fx->fl.nconns - 1];
	if (c->nmsg[0] != (tunnel ? 1 : 2) || c->nmsg[1] != (tunnel ? 1 : 2))
		fail_msg("CONNECT answered %u: %u requests, %u answers", s,
		    c->nmsg[0], c->nmsg[1]);
}

static void
test_connect_status(void **state)
{
	struct uf *fx = *state;

	connect_answered(fx, 41000, 200, true);
	connect_answered(fx, 41001, 204, true);
	connect_answered(fx, 41002, 299, true);
	connect_answered(fx, 41003, 300, false);
	connect_answered(fx, 41004, 407, false);
	connect_answered(fx, 41005, 502, false);
}

/*
 * A refused CONNECT after a GET's answer: the GET's answer leaves the
 * client in the tunnel it asked for, the 407 takes it out; the next
 * request is one.
 */
static void
test_refused_after_pipelined(void **state)
{
	struct uf *fx = *state;

	get_then_connect(fx);
	uf_status(fx, &fx->srv, &fx->cli, 200);
	uf_send(fx, &fx->srv, &fx->cli, "HTTP/1.1 407 Proxy Authentication "
	    "Required\r\nContent-Length: 0\r\n\r\n");
	uf_get(fx, &fx->cli, &fx->srv, "http://b.test/", "b.test");
	uf_status(fx, &fx->srv, &fx->cli, 504);
	assert_int_equal(fx->fl.conns[0].nmsg[0], 3);
	assert_int_equal(fx->fl.conns[0].nmsg[1], 3);
	assert_int_equal(fx->fl.msgs[5].status, 504);
	assert_int_equal(fx->fl.msgs[5].pair, 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pipelined_connect,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_connect_status,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_refused_after_pipelined,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
