/*
 * test_flow_synless.c: connections whose SYN the capture did not see and
 * whose port does not prove them (an upstream port such as 80). Whichever
 * side is seen first, the side that sends the request is the client; the
 * bytes and frames seen while the flow waited count for the connection it
 * becomes; waiting flows are told apart by their whole 4-tuple, the least
 * recently active goes first when the table is full, one that closes is
 * forgotten without losing the others, and a head too long to wait for
 * proves the flow as the parser's limit does for any connection.
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

static const char req_a[] = "GET /x HTTP/1.1\r\n", req_b[] = "Host: a.test\r\n\r\n";

/* The connection of the client side c (it must exist). */
static const struct conn *
conn_of(const struct uf *fx, const struct uf_side *c)
{
	for (size_t i = 0; i < fx->fl.nconns; i++)
		if (fx->fl.conns[i].cport == c->port &&
		    addr_eq(&fx->fl.conns[i].caddr, &c->addr))
			return &fx->fl.conns[i];
	fail_msg("no connection from port %u", c->port);
	return NULL;
}

static bool
has_conn(const struct uf *fx, const struct uf_side *c)
{
	for (size_t i = 0; i < fx->fl.nconns; i++)
		if (fx->fl.conns[i].cport == c->port &&
		    addr_eq(&fx->fl.conns[i].caddr, &c->addr))
			return true;
	return false;
}

/*
 * The capture starts in the middle of a keep-alive connection: the tail
 * of an earlier answer first, then the next request in two segments. The
 * requester is the client, the server's early bytes are the connection's.
 * Then the same with the request first, and with two ports above 1024.
 */
static void
test_client_is_the_requester(void **state)
{
	struct uf *fx = *state;
	const struct conn *c;
	uint64_t tail, first;

	tail = uf_send(fx, &fx->srv, &fx->cli, "tail!");
	first = uf_send(fx, &fx->cli, &fx->srv, req_a);
	assert_int_equal(fx->fl.nconns, 0);
	uf_send(fx, &fx->cli, &fx->srv, req_b);
	assert_int_equal(fx->fl.nconns, 1);
	c = conn_of(fx, &fx->cli);
	assert_int_equal(c->sport, 80);
	assert_true(addr_eq(&c->saddr, &fx->srv.addr));
	assert_int_equal(c->role, CONN_UPSTREAM);
	assert_int_equal(c->first.number, tail);
	assert_int_equal(c->data[1].number, tail);
	assert_int_equal(c->bytes[1], 5);
	assert_int_equal(c->data[0].number, first);
	assert_int_equal(c->bytes[0], strlen(req_a) + strlen(req_b));
	assert_int_equal(fx->fl.msgs[0].start.number, first);
	assert_string_equal(uf_str(fx, fx->fl.msgs[0].target), "/x");
	uf_status(fx, &fx->srv, &fx->cli, 502);
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_int_equal(fx->fl.msgs[1].pair, 0);

	fx->cli.port = 40001;
	first = uf_send(fx, &fx->cli, &fx->srv, req_a);
	uf_send(fx, &fx->cli, &fx->srv, req_b);
	c = conn_of(fx, &fx->cli);
	assert_int_equal(c->sport, 80);
	assert_int_equal(c->data[0].number, first);

	fx->cli.port = 40002;
	fx->srv.port = 8080;
	uf_send(fx, &fx->cli, &fx->srv, req_a);
	uf_send(fx, &fx->cli, &fx->srv, req_b);
	c = conn_of(fx, &fx->cli);
	assert_int_equal(c->sport, 8080);
	/* and with the same port on both sides */
	fx->cli.port = fx->srv.port = 1024;
	uf_send(fx, &fx->cli, &fx->srv, req_a);
	uf_send(fx, &fx->cli, &fx->srv, req_b);
	c = conn_of(fx, &fx->cli);
	assert_true(addr_eq(&c->saddr, &fx->srv.addr));
	assert_int_equal(fx->fl.nconns, 4);
}

/*
 * Two waiting flows from different clients with the same ports in one
 * bucket of the table (it has as many buckets as flows may wait, 2
 * here): a reply to the second is counted for the second only.
 */
static void
colliding_clients(struct uf *fx, struct uf_side *a, struct uf_side *b)
{
	uint32_t want = flow_tuple_hash(&a->addr, a->port, &fx->srv.addr,
	    fx->srv.port) & 1;

	*b = *a;
	for (uint8_t x = 6; x < 250; x++) {
		b->addr.a[3] = x;
		if ((flow_tuple_hash(&b->addr, b->port, &fx->srv.addr,
		    fx->srv.port) & 1) == want)
			return;
	}
	fail_msg("no colliding address");
}

static void
test_waiting_flows_by_whole_tuple(void **state)
{
	struct uf *fx = *state;
	struct uf_side b;
	uint64_t reply;

	fx->fl.limits.max_pending = 2;
	colliding_clients(fx, &fx->cli, &b);
	uf_send(fx, &b, &fx->srv, req_a);	/* b first: a heads the chain */
	uf_send(fx, &fx->cli, &fx->srv, req_a);
	reply = uf_send(fx, &fx->srv, &b, "HTTP/1.1 100 Continue\r\n\r\n");
	uf_send(fx, &fx->cli, &fx->srv, req_b);
	uf_send(fx, &b, &fx->srv, req_b);
	assert_int_equal(fx->fl.nconns, 2);
	assert_int_equal(conn_of(fx, &fx->cli)->bytes[1], 0);
	assert_int_equal(conn_of(fx, &fx->cli)->data[1].number, 0);
	assert_int_equal(conn_of(fx, &b)->bytes[1], 25);
	assert_int_equal(conn_of(fx, &b)->data[1].number, reply);
	assert_int_equal(fx->fl.stats.pending_dropped, 0);
}

/* A waiting flow that closes is forgotten; the one beside it in its
 * bucket still becomes a connection, and the closed one never does. */
static void
test_closed_flow_forgotten_alone(void **state)
{
	struct uf *fx = *state;
	struct uf_side b;

	fx->fl.limits.max_pending = 2;
	colliding_clients(fx, &fx->cli, &b);
	uf_send(fx, &fx->cli, &fx->srv, req_a);
	uf_send(fx, &b, &fx->srv, req_a);	/* b heads the chain */
	uf_fin(fx, &fx->cli, &fx->srv);
	uf_send(fx, &b, &fx->srv, req_b);
	assert_int_equal(fx->fl.nconns, 1);
	assert_true(has_conn(fx, &b));
	uf_send(fx, &fx->cli, &fx->srv, req_b);
	assert_false(has_conn(fx, &fx->cli));
	/* and the other way round: the chain's head closes */
	fx->cli.port = b.port = 41000;
	colliding_clients(fx, &fx->cli, &b);
	uf_send(fx, &fx->cli, &fx->srv, req_a);
	uf_send(fx, &b, &fx->srv, req_a);
	uf_rst(fx, &b, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv, req_b);
	assert_true(has_conn(fx, &fx->cli));
	uf_send(fx, &b, &fx->srv, req_b);
	assert_false(has_conn(fx, &b));
}

/* The table full (2 flows): the least recently active flow goes, not the
 * one that sent bytes since. */
static void
test_least_recently_active_goes(void **state)
{
	struct uf *fx = *state;
	struct uf_side a = fx->cli, b = fx->cli, c = fx->cli;

	fx->fl.limits.max_pending = 2;
	a.port = 40001;
	b.port = 40002;
	c.port = 40003;
	uf_send(fx, &a, &fx->srv, "GET /a");
	uf_send(fx, &b, &fx->srv, "GET /b");
	uf_send(fx, &a, &fx->srv, " HTTP/1.1\r\n");
	uf_send(fx, &c, &fx->srv, "GET /c");
	assert_int_equal(fx->fl.stats.pending_dropped, 1);
	uf_send(fx, &a, &fx->srv, req_b);
	uf_send(fx, &b, &fx->srv, " HTTP/1.1\r\nHost: b\r\n\r\n");
	uf_send(fx, &c, &fx->srv, " HTTP/1.1\r\nHost: c\r\n\r\n");
	assert_int_equal(fx->fl.nconns, 2);
	assert_true(has_conn(fx, &a));
	assert_false(has_conn(fx, &b));
	assert_true(has_conn(fx, &c));
	assert_string_equal(uf_str(fx, fx->fl.msgs[0].target), "/a");
	/* b came back into the slot a left: nothing more dropped */
	assert_int_equal(fx->fl.stats.pending_dropped, 1);
}

/* A head that grows past the longest one waited for proves the flow as
 * the parser's limit does on any connection: it becomes one, counted as a
 * head too long, with every byte and its first data frame; a line that
 * long from a client of unknown role is not HTTP, so no message. */
static void
test_too_long_head_proves(void **state)
{
	struct uf *fx = *state;
	char seg[1400];

	uf_send(fx, &fx->cli, &fx->srv, "GET /x HTTP/1.1\r\nX-Long: ");
	memset(seg, 'a', sizeof seg);
	for (int i = 0; i < 30 && fx->fl.nconns == 0; i++)
		uf_send_bytes(fx, &fx->cli, &fx->srv, seg, sizeof seg);
	assert_int_equal(fx->fl.nconns, 1);
	assert_int_equal(fx->fl.stats.heads_too_long, 1);
	assert_int_equal(fx->fl.conns[0].data[0].number, 1);
	assert_int_equal(fx->fl.conns[0].bytes[0], fx->cli.seq - 1000);
	assert_true(fx->fl.conns[0].no_http);
	assert_int_equal(fx->fl.nmsgs, 0);
}

/* A waiting flow idle for more than a minute is forgotten (its bytes go
 * on in a flow that cannot prove it); one idle for less goes on. */
static void
test_idle_flow_forgotten(void **state)
{
	struct uf *fx = *state;
	struct uf_side slow = fx->cli, quick = fx->cli, other = fx->cli;

	slow.port = 40001;
	quick.port = 40002;
	other.port = 40003;
	uf_send(fx, &slow, &fx->srv, req_a);
	uf_wait(fx, 30 * UF_S);
	uf_send(fx, &quick, &fx->srv, req_a);
	uf_wait(fx, 31 * UF_S);
	uf_send(fx, &other, &fx->srv, "GET /o");	/* slow: 61 s idle */
	uf_send(fx, &slow, &fx->srv, req_b);
	uf_send(fx, &quick, &fx->srv, req_b);
	assert_false(has_conn(fx, &slow));
	assert_true(has_conn(fx, &quick));
	assert_int_equal(fx->fl.nconns, 1);
	assert_int_equal(fx->fl.stats.pending_dropped, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_client_is_the_requester,
		    uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_waiting_flows_by_whole_tuple, uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_closed_flow_forgotten_alone, uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_least_recently_active_goes, uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(test_too_long_head_proves,
		    uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(test_idle_flow_forgotten,
		    uf_setup80, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
