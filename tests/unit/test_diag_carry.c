/*
 * test_diag_carry.c: which upstream connection carried a request
 * (diag/link.c): a connection that connected and on which the server
 * spoke carried the transaction when one of the requests sent on it
 * while the transaction ran names what the client asked for, or names
 * nothing at all (bytes that are no HTTP request, which a tunnel may
 * carry: nothing in them says they were another client's); a
 * connection whose requests all name another resource served someone
 * else, and the next candidate is taken.
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

static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00,
	0x00, 0x00 };

/*
 * A CONNECT tunnel (frames 1-7: request, look-up, connection A to port
 * 443); right after A, connection B to the same address and port
 * connects and stays silent (another client's). The gateway answers
 * 200; inside the tunnel the client speaks HTTP to the server over A
 * ("GET /" answered 200: a request for another resource than the
 * CONNECT's authority), then, when `junk`, bytes that are no HTTP
 * request. Returns A's SYN frame.
 */
static uint64_t
tunnel_speaks(struct uf *u, bool junk)
{
	struct scene s;
	struct uf_side out2, web2;
	uint64_t a;

	scene_init(&s, u);
	tunnel_open(&s);
	a = u->frame - 1;
	out2 = s.out;
	out2.port = 50001;
	web2 = s.web;
	web2.seq = 30000;
	uf_handshake(u, &out2, &web2);
	uf_send(u, &u->srv, &u->cli, "HTTP/1.1 200 Connection established"
	    "\r\n\r\n");
	uf_get(u, &s.out, &s.web, "/", HOST);
	uf_status(u, &s.web, &s.out, 200);
	if (junk)
		uf_send_bytes(u, &s.out, &s.web, hello, sizeof hello);
	return a;
}

static void
test_tunnel_bytes_carry(void **state)
{
	struct uf *u = *state;
	const struct txn *t;
	uint64_t a = tunnel_speaks(u, true);

	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 1);
	t = uf_txn(u, 1);
	assert_int_equal(t->d.verdict, V_OK);
	assert_int_equal(t->d.nconns, 1);
	/* A carried the unnamed bytes: the tunnel's */
	assert_int_equal(u->fl.conns[t->d.conns[0]].syns[0].number, a);
	assert_int_equal(t->d.conn_link, LINK_ADDRESS);

	/* only a request for another resource on A: B is the tunnel's */
	u = again(state);
	a = tunnel_speaks(u, false);
	uf_diagnose(u);
	t = uf_txn(u, 1);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(u->fl.conns[t->d.conns[0]].syns[0].number, a + 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tunnel_bytes_carry,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
