/*
 * test_stream.c: the state budget of issue 13 (F1, F4): a flow whose SYN
 * the capture missed becomes a connection only once its bytes end an HTTP
 * head, a flood of such flows stays within the pending table and is
 * counted, bytes that are not HTTP never make a connection; pipelined
 * responses know their request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flow_fixture.h"
#include "unit_heap.h"

/* Client 10.0.0.(5 + n / 60000), port 1024 + n % 60000, to SERVER:port;
 * back: the server answers. */
static void
tcp(struct fixture *fx, unsigned n, uint16_t port, bool back, uint32_t seq,
    uint8_t flags, const char *data)
{
	struct frame f = { .number = ++fx->frame };
	struct pkt p;
	struct gw_addr cli, srv;
	uint16_t cport = (uint16_t)(1024 + n % 60000);

	memset(&p, 0, sizeof p);
	f.ts_ns = (int64_t)f.number * 1000;
	f.offset = f.number * 100;
	addr_parse("10.1.0.80", &srv);
	addr_parse("10.0.0.5", &cli);
	cli.a[3] = (uint8_t)(5 + n / 60000);
	p.ipver = 4;
	p.l4 = L4_TCP;
	p.src = back ? srv : cli;
	p.dst = back ? cli : srv;
	p.sport = back ? port : cport;
	p.dport = back ? cport : port;
	p.seq = seq;
	p.tcp_flags = flags;
	p.payload = (const uint8_t *)data;
	p.payload_len = p.payload_wire_len = data ? (uint32_t)strlen(data) : 0;
	flow_feed(&fx->fl, &f, &p);
}

static void
test_synless_request_becomes_connection(void **state)
{
	struct fixture *fx = *state;
	static const char a[] = "GET /x HTTP/1.1\r\n", b[] = "Host: a.test\r\n\r\n";
	const struct http_msg *m;

	tcp(fx, 0, 80, false, 7000, TCPF_ACK | TCPF_PSH, a);
	assert_int_equal(fx->fl.nconns, 0);	/* not proven yet */
	tcp(fx, 0, 80, false, 7000 + sizeof a - 1, TCPF_ACK | TCPF_PSH, b);
	assert_int_equal(fx->fl.nconns, 1);
	assert_int_equal(fx->fl.conns[0].first.number, 1);
	assert_int_equal(fx->fl.conns[0].data[0].number, 1);
	assert_int_equal(fx->fl.conns[0].bytes[0], sizeof a - 1 + sizeof b - 1);
	assert_int_equal(fx->fl.conns[0].role, CONN_UPSTREAM);
	assert_int_equal(fx->fl.nmsgs, 1);
	m = &fx->fl.msgs[0];
	assert_true(m->valid);
	assert_int_equal(m->start.number, 1);	/* as a parse from the start */
	assert_int_equal(m->head.number, 2);
	assert_string_equal(flow_str(&fx->fl, m->target), "/x");
	/* the connection goes on as any other: its response pairs */
	tcp(fx, 0, 80, true, 9000, TCPF_ACK | TCPF_PSH,
	    "HTTP/1.1 204 No Content\r\n\r\n");
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_int_equal(fx->fl.msgs[1].status, 204);
	assert_int_equal(fx->fl.msgs[0].pair, 1);
	assert_int_equal(fx->fl.stats.pending_dropped, 0);
}

static void
test_synless_flood_is_bounded(void **state)
{
	struct fixture *fx = *state;

	fx->fl.limits.max_pending = 16;
	for (unsigned n = 0; n < 100; n++)
		tcp(fx, n, 80, false, 1000, TCPF_ACK | TCPF_PSH, "G");
	assert_int_equal(fx->fl.nconns, 0);
	/* the least recently active went first, each counted */
	assert_int_equal(fx->fl.stats.pending_dropped, 100 - 16);
	/* a flow that shows a head is still found */
	tcp(fx, 200, 80, false, 1000, TCPF_ACK | TCPF_PSH,
	    "GET / HTTP/1.1\r\nHost: b.test\r\n\r\n");
	assert_int_equal(fx->fl.nconns, 1);
	assert_int_equal(fx->fl.nmsgs, 1);
	assert_int_equal(fx->fl.stats.pending_dropped, 100 - 16 + 1);
	/* the most recent of the flood is still waiting: it can go on */
	tcp(fx, 99, 80, false, 1001, TCPF_ACK | TCPF_PSH,
	    "ET / HTTP/1.1\r\nHost: c.test\r\n\r\n");
	assert_int_equal(fx->fl.nconns, 2);
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_string_equal(flow_str(&fx->fl, fx->fl.msgs[1].host), "c.test");
}

static void
test_synless_not_http_never_a_connection(void **state)
{
	struct fixture *fx = *state;

	tcp(fx, 0, 443, false, 1, TCPF_ACK | TCPF_PSH, "\x16\x03\x01\x02");
	tcp(fx, 0, 443, false, 5, TCPF_ACK | TCPF_PSH,
	    "whatever\r\n\r\nGET / HTTP/1.1\r\n\r\n");
	tcp(fx, 0, 443, true, 1, TCPF_ACK | TCPF_PSH, "HTTP/1.1 200 OK\r\n\r\n");
	/* a hole before a head ends: never a connection either */
	tcp(fx, 1, 80, false, 1, TCPF_ACK | TCPF_PSH, "G");
	tcp(fx, 1, 80, false, 10, TCPF_ACK | TCPF_PSH,
	    "GET / HTTP/1.1\r\n\r\n");
	/* a blank line is not a head: no connection for it either */
	for (unsigned n = 10; n < 20; n++)
		tcp(fx, n, 80, false, 1, TCPF_ACK | TCPF_PSH, "\r\n\r\n");
	assert_int_equal(fx->fl.nconns, 0);
	assert_int_equal(fx->fl.nmsgs, 0);
	/* a FIN ends a waiting flow: the same tuple starts afresh */
	tcp(fx, 0, 443, false, 40, TCPF_ACK | TCPF_FIN, NULL);
	tcp(fx, 0, 443, false, 41, TCPF_ACK | TCPF_PSH,
	    "GET / HTTP/1.1\r\n\r\n");
	assert_int_equal(fx->fl.nconns, 1);
	assert_int_equal(fx->fl.nmsgs, 1);
	/* so does a RST, from either side */
	tcp(fx, 3, 80, false, 1, TCPF_ACK | TCPF_PSH, "GET / HTTP/1.1\r\n");
	tcp(fx, 3, 80, true, 1, TCPF_RST, NULL);
	tcp(fx, 3, 80, false, 100, TCPF_ACK | TCPF_PSH,
	    "Host: r.test\r\n\r\n");
	assert_int_equal(fx->fl.nconns, 1);	/* no head of its own */
	/* a proxy port proves a flow at once */
	tcp(fx, 2, 9090, false, 1, TCPF_ACK | TCPF_PSH, "G");
	assert_int_equal(fx->fl.nconns, 2);
	assert_int_equal(fx->fl.stats.pending_dropped, 0);
}

static void
test_pipelined_pairs(void **state)
{
	struct fixture *fx = *state;
	static const char req[] = "GET / HTTP/1.1\r\nHost: p.test\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	uint32_t cs = 1000, ss = 5000;

	tcp(fx, 0, 9090, false, cs, TCPF_SYN, NULL);
	tcp(fx, 0, 9090, true, ss, TCPF_SYN | TCPF_ACK, NULL);
	cs++;
	ss++;
	for (int k = 0; k < 3; k++, cs += sizeof req - 1)
		tcp(fx, 0, 9090, false, cs, TCPF_ACK | TCPF_PSH, req);
	for (int k = 0; k < 2; k++, ss += sizeof resp - 1)
		tcp(fx, 0, 9090, true, ss, TCPF_ACK | TCPF_PSH, resp);
	assert_int_equal(fx->fl.nmsgs, 5);
	for (uint32_t k = 0; k < 2; k++) {
		assert_int_equal(fx->fl.msgs[k].pair, 3 + k);
		assert_int_equal(fx->fl.msgs[3 + k].pair, k);
	}
	assert_int_equal(fx->fl.msgs[2].pair, NONE32);	/* not answered yet */
	tcp(fx, 0, 9090, true, ss, TCPF_ACK | TCPF_PSH, resp);
	assert_int_equal(fx->fl.msgs[2].pair, 5);
	assert_int_equal(fx->fl.msgs[5].pair, 2);
}

/* A client resends part of what it sent (its ACK was lost): TCP delivers
 * each byte once, so only the new bytes of the overlapping segment count. */
static void
test_synless_overlapping_retransmission(void **state)
{
	struct fixture *fx = *state;
	static const char a[] = "GET /x HTTP/1.1\r\n";
	const struct http_msg *m;

	tcp(fx, 0, 80, false, 7000, TCPF_ACK | TCPF_PSH, a);
	/* from byte 10 of a ("P/1.1\r\n") on, then the rest of the head */
	tcp(fx, 0, 80, false, 7010, TCPF_ACK | TCPF_PSH,
	    "P/1.1\r\nHost: a.test\r\n\r\n");
	assert_int_equal(fx->fl.nconns, 1);
	assert_int_equal(fx->fl.nmsgs, 1);
	m = &fx->fl.msgs[0];
	assert_true(m->valid);
	assert_int_equal(m->head.number, 2);
	assert_string_equal(flow_str(&fx->fl, m->target), "/x");
	assert_string_equal(flow_str(&fx->fl, m->host), "a.test");
	/* a pure duplicate adds nothing and proves nothing */
	tcp(fx, 1, 80, false, 1, TCPF_ACK | TCPF_PSH, "GET / HTTP/1.1\r\n");
	tcp(fx, 1, 80, false, 1, TCPF_ACK | TCPF_PSH, "GET / HTTP/1.1\r\n");
	assert_int_equal(fx->fl.nconns, 1);
	tcp(fx, 1, 80, false, 17, TCPF_ACK | TCPF_PSH, "Host: b.test\r\n\r\n");
	assert_int_equal(fx->fl.nconns, 2);
	assert_string_equal(flow_str(&fx->fl, fx->fl.msgs[1].host), "b.test");
	/* bytes on the wire, resent ones included (as Wireshark counts a
	 * conversation's bytes) */
	assert_int_equal(fx->fl.conns[1].bytes[0], 3 * 16);
}

/* A head longer than the bytes judged on every segment is proven by the
 * blank line that ends it, in the segment that brings it, even when the
 * blank line is split across two segments. */
static void
test_synless_long_head_split(void **state)
{
	struct fixture *fx = *state;
	static const char a[] = "GET /a-rather-long-path/to/some/resource.html?with=query HTTP/1.1\r\n",
	    b[] = "Host: long.test\r\nUser-Agent: test/1.0\r\n\r", c[] = "\n";
	uint32_t seq = 3000;

	assert_true(sizeof a - 1 > 64);
	tcp(fx, 0, 80, false, seq, TCPF_ACK | TCPF_PSH, a);
	seq += sizeof a - 1;
	tcp(fx, 0, 80, false, seq, TCPF_ACK | TCPF_PSH, b);
	seq += sizeof b - 1;
	assert_int_equal(fx->fl.nconns, 0);	/* no blank line yet */
	tcp(fx, 0, 80, false, seq, TCPF_ACK | TCPF_PSH, c);
	assert_int_equal(fx->fl.nconns, 1);
	assert_int_equal(fx->fl.nmsgs, 1);
	assert_true(fx->fl.msgs[0].valid);
	assert_int_equal(fx->fl.msgs[0].head.number, 3);
	assert_string_equal(flow_str(&fx->fl, fx->fl.msgs[0].host), "long.test");
}

/* 20000 connections open at once (a busy gateway): each one's request,
 * sent after all the handshakes, reaches its own connection. */
static void
test_many_open_connections(void **state)
{
	struct fixture *fx = *state;
	const unsigned n = 20000;

	for (unsigned i = 0; i < n; i++)
		tcp(fx, i, 9090, false, 1000, TCPF_SYN, NULL);
	for (unsigned i = 0; i < n; i++)
		tcp(fx, i, 9090, false, 1001, TCPF_ACK | TCPF_PSH,
		    "GET http://m.test/ HTTP/1.1\r\nHost: m.test\r\n\r\n");
	assert_int_equal(fx->fl.nconns, n);
	assert_int_equal(fx->fl.nmsgs, n);
	for (unsigned i = 0; i < n; i++)
		if (fx->fl.conns[i].nmsg[0] != 1)
			fail_msg("connection %u has %u requests", i,
			    fx->fl.conns[i].nmsg[0]);
}

/* A request head in two segments on a connection with its handshake:
 * the parse of its first part, longer than HEAD_QUICK, is held until the
 * second ends it. */
static void
split_head(struct fixture *fx)
{
	static const char a[] = "GET http://s.test/a-rather-long-path/to/"
	    "some/resource.html?with=a-query&and=another-one&and=a-third-"
	    "one-to-be-long-enough HTTP/1.1\r\nHo",
	    b[] = "st: s.test\r\n\r\n";

	tcp(fx, 0, 9090, false, 1000, TCPF_SYN, NULL);
	tcp(fx, 0, 9090, false, 1001, TCPF_ACK | TCPF_PSH, a);
	assert_int_equal(fx->fl.nmsgs, 0);
	tcp(fx, 0, 9090, false, 1001 + sizeof a - 1, TCPF_ACK | TCPF_PSH, b);
	assert_int_equal(fx->fl.nmsgs, 1);
	assert_string_equal(flow_str(&fx->fl, fx->fl.msgs[0].host), "s.test");
}

/*
 * flow_free gives back everything the model allocated: SYN-less flows
 * waiting, proven and dropped, connections, messages, a head's parse
 * held between segments (unit_heap.h).
 */
static void
test_flow_releases_memory(void **state)
{
	size_t before = unit_heap_live();

	setup(state);
	test_synless_flood_is_bounded(state);
	teardown(state);
	setup(state);
	test_synless_not_http_never_a_connection(state);
	teardown(state);
	setup(state);
	split_head(*state);
	teardown(state);
	assert_int_equal(unit_heap_live(), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_synless_request_becomes_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_synless_flood_is_bounded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_synless_not_http_never_a_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_pairs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_synless_overlapping_retransmission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_synless_long_head_split,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_open_connections,
		    setup, teardown),
		cmocka_unit_test(test_flow_releases_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
