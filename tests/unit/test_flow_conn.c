/*
 * test_flow_conn.c: the connection table of flow.c as flow.h describes it.
 * The client of a connection is the side that sent the SYN; the same SYN
 * again (same ISN, no answer yet) is a retransmission of it, any other a
 * new connection; the first SYN/ACK from the server is the answer; a
 * connection is closed by a RST or a FIN each way, and a new SYN on its
 * tuple starts another; ICMP errors count for the connection whose
 * client-to-server packet they quote, the first one described; a flow
 * without a SYN on the proxy port or port 53 is a connection at once,
 * its client by the port; limits and the eviction budget are counted as
 * flow.h says; and every frame is counted by kind.
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

static bool
is_addr(const struct gw_addr *a, const char *text)
{
	struct gw_addr b;

	assert_true(addr_parse(text, &b));
	return addr_eq(a, &b);
}

/* SYNs, retransmitted or new, and who answered them. */
static void
test_syn_and_answer(void **state)
{
	struct uf *fx = *state;
	struct uf_side cli2;
	const struct conn *c;
	uint64_t s1, s2, sa, sa2;

	s1 = uf_syn(fx, &fx->cli, &fx->srv);
	s2 = uf_syn(fx, &fx->cli, &fx->srv);	/* same ISN: resent */
	assert_int_equal(fx->fl.nconns, 1);
	c = &fx->fl.conns[0];
	assert_true(c->syn_seen);
	assert_int_equal(c->isn, 1000);
	assert_int_equal(c->nsyn, 2);
	assert_int_equal(conn_syn(c, 0)->number, s1);
	assert_int_equal(conn_syn(c, 1)->number, s2);
	assert_int_equal(c->first.number, s1);
	assert_int_equal(c->last.number, s2);
	assert_true(addr_eq(&c->caddr, &fx->cli.addr));
	assert_int_equal(c->cport, 40000);
	assert_int_equal(c->sport, 80);
	assert_int_equal(c->synack.number, 0);
	/* a SYN/ACK from the client's side is not the server's answer */
	uf_segment(fx, &fx->cli, &fx->srv, 1000, TCPF_SYN | TCPF_ACK, NULL, 0);
	assert_int_equal(fx->fl.conns[0].synack.number, 0);
	sa = uf_segment(fx, &fx->srv, &fx->cli, 5000, TCPF_SYN | TCPF_ACK,
	    NULL, 0);
	sa2 = uf_segment(fx, &fx->srv, &fx->cli, 7777, TCPF_SYN | TCPF_ACK,
	    NULL, 0);
	c = &fx->fl.conns[0];
	assert_int_equal(c->synack.number, sa);
	assert_int_equal(c->server_isn, 5000);
	assert_int_equal(c->last.number, sa2);
	assert_int_equal(fx->fl.nconns, 1);

	/* another ISN on the same tuple: a new connection, now the newest */
	uf_segment(fx, &fx->cli, &fx->srv, 90000, TCPF_SYN, NULL, 0);
	assert_int_equal(fx->fl.nconns, 2);
	assert_int_equal(fx->fl.conns[1].isn, 90000);
	assert_int_equal(fx->fl.conns[1].nsyn, 1);
	assert_int_equal(fx->fl.conns[0].nsyn, 2);
	/* one SYN: its first frame, nothing allocated; none past nsyn */
	assert_null(fx->fl.conns[1].syn_retries);
	assert_int_equal(conn_syn(&fx->fl.conns[1], 0)->number,
	    fx->fl.conns[1].first.number);
	assert_int_equal(conn_syn(&fx->fl.conns[1], 1)->number, 0);
	assert_int_equal(conn_syn(&fx->fl.conns[0], 2)->number, 0);
	uf_segment(fx, &fx->srv, &fx->cli, 333, TCPF_SYN | TCPF_ACK, NULL, 0);
	assert_int_equal(fx->fl.conns[1].server_isn, 333);
	assert_int_equal(fx->fl.conns[0].server_isn, 5000);
	/* the answered SYN sent again starts a new connection too */
	uf_segment(fx, &fx->cli, &fx->srv, 90000, TCPF_SYN, NULL, 0);
	assert_int_equal(fx->fl.nconns, 3);
	/* a SYN from the other end of the tuple: its sender is the client */
	uf_segment(fx, &fx->srv, &fx->cli, 4242, TCPF_SYN, NULL, 0);
	assert_int_equal(fx->fl.nconns, 4);
	c = &fx->fl.conns[3];
	assert_true(addr_eq(&c->caddr, &fx->srv.addr));
	assert_int_equal(c->cport, 80);
	assert_int_equal(c->sport, 40000);
	assert_int_equal(c->isn, 4242);
	assert_int_equal(c->nsyn, 1);
	/* a SYN/ACK for a tuple nobody opened makes no answer of anything */
	cli2 = fx->cli;
	cli2.port = 40999;
	uf_segment(fx, &fx->srv, &cli2, 1, TCPF_SYN | TCPF_ACK, NULL, 0);
	for (size_t i = 0; i < fx->fl.nconns; i++)
		assert_true(fx->fl.conns[i].cport != 40999 ||
		    fx->fl.conns[i].synack.number == 0);
}

/* FIN each way or a RST closes; the newest connection of a tuple gets
 * what follows; who sent the RST is kept, and the first RST. */
static void
test_close_and_reuse(void **state)
{
	struct uf *fx = *state;
	uint64_t fin_c, fin_s, rst;

	uf_handshake(fx, &fx->cli, &fx->srv);
	fin_c = uf_fin(fx, &fx->cli, &fx->srv);
	assert_false(fx->fl.conns[0].closed);
	assert_int_equal(fx->fl.conns[0].fin[0].number, fin_c);
	assert_int_equal(fx->fl.conns[0].fin[1].number, 0);
	uf_fin(fx, &fx->cli, &fx->srv);	/* resent: the first is kept */
	assert_int_equal(fx->fl.conns[0].fin[0].number, fin_c);
	assert_false(fx->fl.conns[0].closed);
	fin_s = uf_fin(fx, &fx->srv, &fx->cli);
	assert_int_equal(fx->fl.conns[0].fin[1].number, fin_s);
	assert_true(fx->fl.conns[0].closed);
	assert_int_equal(fx->fl.conns[0].rst.number, 0);

	/* the port used again: a new connection takes what follows */
	fx->cli.seq = 20000;
	fx->srv.seq = 30000;
	uf_handshake(fx, &fx->cli, &fx->srv);
	assert_int_equal(fx->fl.nconns, 2);
	uf_get(fx, &fx->cli, &fx->srv, "/reused", "r.test");
	assert_int_equal(fx->fl.conns[1].nmsg[0], 1);
	assert_int_equal(fx->fl.conns[0].nmsg[0], 0);
	assert_int_equal(fx->fl.conns[1].bytes[0], 38);
	assert_int_equal(fx->fl.conns[0].bytes[0], 0);
	rst = uf_rst(fx, &fx->srv, &fx->cli);
	uf_rst(fx, &fx->cli, &fx->srv);
	assert_true(fx->fl.conns[1].closed);
	assert_int_equal(fx->fl.conns[1].rst.number, rst);
	assert_true(fx->fl.conns[1].rst_from_server);
	assert_null(fx->fl.conns[1].stream);

	/* a RST from the client */
	fx->cli.port = 40001;
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_rst(fx, &fx->cli, &fx->srv);
	assert_true(fx->fl.conns[2].closed);
	assert_false(fx->fl.conns[2].rst_from_server);
	/* a FIN one way only leaves a connection open */
	fx->cli.port = 40002;
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_fin(fx, &fx->srv, &fx->cli);
	assert_false(fx->fl.conns[3].closed);
	assert_int_equal(fx->fl.conns[3].fin[1].number, fx->frame);
	assert_int_equal(fx->fl.conns[3].fin[0].number, 0);
}

/* ICMP errors count for the connection whose outgoing packet they
 * quote; the first is described, the last remembered. */
static void
test_icmp_for_the_quoted_connection(void **state)
{
	struct uf *fx = *state;
	struct uf_side other = fx->cli;
	uint64_t i1, i2;
	const struct conn *c;
	const struct conn_icmp *e;

	other.port = 40001;
	uf_syn(fx, &fx->cli, &fx->srv);
	uf_syn(fx, &other, &fx->srv);
	i1 = uf_icmp(fx, "10.0.0.254", &fx->cli, &fx->srv, 3, 13);
	i2 = uf_icmp(fx, "10.0.0.253", &fx->cli, &fx->srv, 3, 1);
	c = &fx->fl.conns[0];
	e = conn_icmp(&fx->fl, c);
	assert_int_equal(fx->fl.nicmps, 1);	/* one record, both errors */
	assert_int_equal(e->conn, 0);
	assert_int_equal(e->first.number, i1);
	assert_int_equal(e->last.number, i2);
	assert_int_equal(c->last.number, i2);
	assert_int_equal(e->type, 3);
	assert_int_equal(e->code, 13);
	assert_int_equal(e->ver, 4);
	assert_true(is_addr(&e->from, "10.0.0.254"));
	assert_int_equal(fx->fl.conns[1].icmp, NONE32);
	assert_int_equal(conn_icmp(&fx->fl, &fx->fl.conns[1])->first.number,
	    0);
	/* quoting the server's packet to the client, or a UDP datagram of
	 * the same ports, or nothing readable: no connection's */
	uf_icmp_quoting(fx, "10.0.0.254", &fx->srv, &other, L4_TCP, 3, 1);
	uf_icmp_quoting(fx, "10.0.0.254", &other, &fx->srv, L4_UDP, 3, 1);
	{
		struct pkt p;

		memset(&p, 0, sizeof p);
		p.ipver = 4;
		p.l4 = L4_ICMP;
		p.icmp_type = 3;
		p.quote.l4 = L4_TCP;
		p.quote.src = other.addr;
		p.quote.dst = fx->srv.addr;
		p.quote.sport = other.port;
		p.quote.dport = fx->srv.port;
		uf_feed(fx, &p);	/* quote.valid false */
	}
	assert_int_equal(fx->fl.nicmps, 1);
	assert_int_equal(fx->fl.conns[1].icmp, NONE32);
	assert_int_equal(conn_icmp(&fx->fl, &fx->fl.conns[0])->last.number, i2);
	i1 = uf_icmp_quoting(fx, "10.0.0.9", &other, &fx->srv, L4_TCP, 11, 0);
	e = conn_icmp(&fx->fl, &fx->fl.conns[1]);
	assert_int_equal(fx->fl.nicmps, 2);
	assert_int_equal(e->conn, 1);
	assert_int_equal(e->first.number, i1);
	assert_int_equal(e->last.number, i1);
	assert_int_equal(e->type, 11);
	assert_int_equal(fx->fl.stats.icmp, 6);
	/* ICMPv6 */
	{
		struct uf_side c6, s6;

		uf_side_init(&c6, "fd00::5", 40000, 1);
		uf_side_init(&s6, "fd00::1", 80, 1);
		uf_syn(fx, &c6, &s6);
		uf_icmp(fx, "fd00::fe", &c6, &s6, 1, 4);
		e = conn_icmp(&fx->fl, &fx->fl.conns[2]);
		assert_int_equal(fx->fl.nicmps, 3);
		assert_int_equal(e->ver, 6);
		assert_int_equal(e->type, 1);
		assert_int_equal(e->code, 4);
		assert_true(is_addr(&e->from, "fd00::fe"));
	}
}

/* Without a SYN: to or from the proxy port, or port 53 (DNS over TCP),
 * a connection at once whose client is the side away from that port; a
 * stray RST there makes none. */
static void
test_proven_by_port(void **state)
{
	struct uf *fx = *state;
	struct uf_side proxy = fx->srv, dns = fx->srv, a = fx->cli,
	    b = fx->cli;
	const struct conn *c;

	proxy.port = 9090;
	dns.port = 53;
	a.port = 40001;
	b.port = 40002;
	uf_rst(fx, &a, &proxy);
	uf_rst(fx, &proxy, &a);
	uf_rst(fx, &dns, &b);
	assert_int_equal(fx->fl.nconns, 0);
	uf_send(fx, &proxy, &a, "HTTP/1.1 200 OK\r\n");	/* answer first */
	assert_int_equal(fx->fl.nconns, 1);
	c = &fx->fl.conns[0];
	assert_true(addr_eq(&c->caddr, &a.addr));
	assert_int_equal(c->cport, 40001);
	assert_int_equal(c->sport, 9090);
	assert_int_equal(c->role, CONN_CLIENT);
	assert_int_equal(c->bytes[1], 17);
	assert_int_equal(c->data[1].number, fx->frame);
	assert_false(c->syn_seen);
	uf_send_bytes(fx, &b, &dns, "\0\0", 2);
	assert_int_equal(fx->fl.nconns, 2);
	c = &fx->fl.conns[1];
	assert_int_equal(c->cport, 40002);
	assert_int_equal(c->sport, 53);
	assert_int_equal(c->role, CONN_OTHER);
	uf_send_bytes(fx, &dns, &b, "\0\0", 2);
	assert_int_equal(fx->fl.nconns, 2);
	assert_int_equal(fx->fl.conns[1].bytes[1], 2);
	/* the proxy port as the source port of a client (both proxies) */
	{
		struct uf_side p2 = proxy;

		p2.addr.a[3] = 77;
		uf_send(fx, &proxy, &p2, "GET / HTTP/1.1\r\n\r\n");
		assert_int_equal(fx->fl.nconns, 3);
		assert_int_equal(fx->fl.conns[2].sport, 9090);
	}
}

/* A frame each of every kind, counted as flow.h's stats say. */
static void
test_frames_counted_by_kind(void **state)
{
	struct uf *fx = *state;
	struct pkt p;

	uf_syn(fx, &fx->cli, &fx->srv);
	uf_pkt_between(&p, L4_UDP, &fx->cli, &fx->srv);
	uf_feed(fx, &p);	/* UDP, not DNS */
	uf_pkt_between(&p, L4_TCP, &fx->cli, &fx->srv);
	p.fragment = true;	/* a first fragment: carries the ports */
	p.tcp_flags = TCPF_SYN;
	p.seq = 777;
	uf_feed(fx, &p);
	uf_pkt_between(&p, L4_TCP, &fx->cli, &fx->srv);
	p.fragment = true;	/* a later fragment: no TCP header */
	p.sport = p.dport = 0;
	uf_feed(fx, &p);
	uf_pkt_between(&p, L4_ICMP, &fx->cli, &fx->srv);
	p.fragment = true;	/* a fragment of something else */
	uf_feed(fx, &p);
	uf_pkt_between(&p, 0, &fx->cli, &fx->srv);
	uf_feed(fx, &p);	/* another protocol */
	assert_int_equal(fx->fl.stats.ip, 6);
	assert_int_equal(fx->fl.stats.tcp, 2);
	assert_int_equal(fx->fl.stats.udp, 1);
	assert_int_equal(fx->fl.stats.icmp, 0);
	assert_int_equal(fx->fl.stats.fragments, 3);
	assert_int_equal(fx->fl.stats.dns, 0);
	assert_int_equal(fx->fl.nconns, 2);
	assert_int_equal(fx->fl.conns[1].isn, 777);
}

/* The connection limit: one past it is counted, not made. */
static void
test_conn_limit(void **state)
{
	struct uf *fx = *state;

	fx->fl.limits.max_conns = 2;
	for (uint16_t port = 40000; port < 40003; port++) {
		fx->cli.port = port;
		uf_syn(fx, &fx->cli, &fx->srv);
	}
	assert_int_equal(fx->fl.nconns, 2);
	assert_int_equal(fx->fl.stats.conns_dropped, 1);
	/* the dropped one's answer and bytes make nothing either */
	uf_synack(fx, &fx->srv, &fx->cli);
	assert_int_equal(fx->fl.nconns, 2);
	assert_int_equal(fx->fl.conns[1].cport, 40001);
	assert_int_equal(fx->fl.conns[1].synack.number, 0);
}

/*
 * The connection budget (flow.h): wanted at the budget, not before; an
 * eviction counts and sets the next at the budget or a quarter more than
 * what stayed, whichever is more; without a budget, never. Only a
 * connection that carried nothing is evictable.
 */
static void
test_budget(void **state)
{
	struct uf *fx = *state;

	flow_set_conn_budget(&fx->fl, 8);
	assert_int_equal(fx->fl.limits.conn_budget, 8);
	for (uint16_t i = 0; i < 7; i++) {
		fx->cli.port = (uint16_t)(41000 + i);
		uf_syn(fx, &fx->cli, &fx->srv);
	}
	assert_false(flow_wants_evict(&fx->fl));
	fx->cli.port = 41007;
	uf_syn(fx, &fx->cli, &fx->srv);
	assert_true(flow_wants_evict(&fx->fl));
	assert_true(conn_evictable(&fx->fl.conns[7]));
	flow_evicted(&fx->fl, 3);	/* 8 stayed (as if): next at 10 */
	assert_int_equal(fx->fl.stats.conns_evicted, 3);
	assert_int_equal(fx->fl.evict_at, 10);
	assert_false(flow_wants_evict(&fx->fl));
	for (uint16_t i = 8; i < 12; i++) {
		fx->cli.port = (uint16_t)(41000 + i);
		uf_syn(fx, &fx->cli, &fx->srv);
	}
	assert_true(flow_wants_evict(&fx->fl));	/* 12 >= 10 */
	flow_evicted(&fx->fl, 2);	/* 12 + 3 = 15 */
	assert_int_equal(fx->fl.evict_at, 15);
	assert_int_equal(fx->fl.stats.conns_evicted, 5);
	flow_set_conn_budget(&fx->fl, 100);
	flow_evicted(&fx->fl, 0);	/* 15 < 100: back at the budget */
	assert_int_equal(fx->fl.evict_at, 100);
	flow_set_conn_budget(&fx->fl, 0);
	assert_false(flow_wants_evict(&fx->fl));
	flow_evicted(&fx->fl, 1);
	assert_int_equal(fx->fl.evict_at, 0);
	assert_false(flow_wants_evict(&fx->fl));

	/* evictable: nothing either way, no message, no parser state */
	fx->cli.port = 42000;
	uf_handshake(fx, &fx->cli, &fx->srv);
	assert_true(conn_evictable(&fx->fl.conns[12]));
	uf_send(fx, &fx->cli, &fx->srv, "G");
	assert_false(conn_evictable(&fx->fl.conns[12]));
	fx->cli.port = 42001;
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->srv, &fx->cli, "220 banner\r\n");
	assert_false(conn_evictable(&fx->fl.conns[13]));
	{
		struct conn c = fx->fl.conns[13];

		c.data[1].number = 0;
		assert_true(conn_evictable(&c));
		c.first_msg[1] = 0;
		assert_false(conn_evictable(&c));
		c.first_msg[1] = NONE32;
		c.first_msg[0] = 0;
		assert_false(conn_evictable(&c));
	}
}

/* At the end of the capture every connection's close-delimited body
 * ends, in its own last frame. */
static void
test_finish_every_connection(void **state)
{
	struct uf *fx = *state;
	struct uf_side b = fx->cli, sb = fx->srv;
	uint64_t last_a, last_b;

	b.port = 40001;
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_handshake(fx, &b, &sb);
	uf_get(fx, &fx->cli, &fx->srv, "/a", "a.test");
	uf_get(fx, &b, &sb, "/b", "b.test");
	uf_send(fx, &fx->srv, &fx->cli, "HTTP/1.1 200 OK\r\n\r\nbody a");
	last_a = uf_ack(fx, &fx->cli, &fx->srv);
	uf_send(fx, &sb, &b, "HTTP/1.1 200 OK\r\n\r\nbody b");
	last_b = uf_send(fx, &sb, &b, "more");
	assert_int_equal(fx->fl.nmsgs, 4);
	assert_false(fx->fl.msgs[2].complete);
	assert_false(fx->fl.msgs[3].complete);
	flow_finish(&fx->fl);
	for (size_t i = 0; i < fx->fl.nmsgs; i++) {
		const struct http_msg *m = &fx->fl.msgs[i];

		assert_true(m->complete);
		if (m->dir == 1)
			assert_int_equal(m->end.number,
			    m->conn == 0 ? last_a : last_b);
	}
	assert_null(fx->fl.conns[0].stream);
	assert_null(fx->fl.conns[1].stream);
}

/*
 * A reverse proxy serves port 9090 (the proxy port) and its backend
 * listens on 9090 too: the gateway's connection to the backend is its
 * own, upstream, not a client's; a client on the gateway's own address
 * talking to it stays a client. When the capture begins on one of the
 * gateway's connections to the backend (pooled, without its SYN), that
 * one is taken for a client's, but not the next: the backend served the
 * gateway alone, the gateway a client; with the gateway given (-g), not
 * even that one.
 */
static void
test_gateway_to_proxy_port_is_upstream(void **state)
{
	struct uf *fx = *state;
	struct uf_side gw_out, backend, local;

	uf_side_init(&gw_out, "10.0.0.1", 50000, 7000);
	uf_side_init(&backend, "10.0.0.80", 9090, 8000);
	uf_side_init(&local, "10.0.0.1", 50001, 9000);
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_get(fx, &fx->cli, &fx->srv, "/", "app.example");
	uf_handshake(fx, &gw_out, &backend);
	uf_get(fx, &gw_out, &backend, "/", "app.example");
	uf_handshake(fx, &local, &fx->srv);
	assert_int_equal(fx->fl.nconns, 3);
	assert_int_equal(fx->fl.conns[0].role, CONN_CLIENT);
	assert_int_equal(fx->fl.conns[1].role, CONN_UPSTREAM);
	assert_int_equal(fx->fl.conns[2].role, CONN_CLIENT);
	assert_int_equal(fx->fl.ngateways, 1);
	assert_true(is_addr(&fx->fl.gateways[0].addr, "10.0.0.1"));

	/* begun on the gateway's pooled connection to the backend */
	uf_teardown(state);
	uf_setup(state);
	fx = *state;
	gw_out.port = 50010;
	uf_get(fx, &gw_out, &backend, "/pooled", "app.example");
	uf_handshake(fx, &fx->cli, &fx->srv);
	gw_out.port = 50011;
	uf_handshake(fx, &gw_out, &backend);
	assert_int_equal(fx->fl.nconns, 3);
	assert_int_equal(fx->fl.conns[0].role, CONN_CLIENT);
	assert_int_equal(fx->fl.conns[1].role, CONN_CLIENT);
	assert_int_equal(fx->fl.conns[2].role, CONN_OTHER);

	/* the same with the gateway given (-g): that one is upstream too */
	uf_teardown(state);
	uf_setup(state);
	fx = *state;
	flow_set_gateway(&fx->fl, &gw_out.addr);
	gw_out.port = 50010;
	uf_get(fx, &gw_out, &backend, "/pooled", "app.example");
	uf_handshake(fx, &fx->cli, &fx->srv);
	assert_int_equal(fx->fl.nconns, 2);
	assert_int_equal(fx->fl.conns[0].role, CONN_UPSTREAM);
	assert_int_equal(fx->fl.conns[1].role, CONN_CLIENT);
}

/*
 * Clients reach the proxy port on more addresses than the flow keeps as
 * the gateway's (FLOW_MAX_GATEWAYS): the table stays full, no entry past
 * its end, and every connection is still a client's.
 */
static void
test_gateways_kept_at_most(void **state)
{
	struct uf *fx = *state;

	for (unsigned k = 0; k < FLOW_MAX_GATEWAYS + 2; k++) {
		struct uf_side cli, gw;
		char addr[16];

		snprintf(addr, sizeof addr, "10.0.1.%u", k + 1);
		uf_side_init(&cli, "10.0.0.5", (uint16_t)(40000 + k), 1000);
		uf_side_init(&gw, addr, 9090, 2000);
		uf_handshake(fx, &cli, &gw);
		assert_int_equal(fx->fl.conns[k].role, CONN_CLIENT);
	}
	assert_int_equal(fx->fl.ngateways, FLOW_MAX_GATEWAYS);
	assert_true(is_addr(&fx->fl.gateways[FLOW_MAX_GATEWAYS - 1].addr,
	    "10.0.1.8"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_syn_and_answer, uf_setup80,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_close_and_reuse, uf_setup80,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_icmp_for_the_quoted_connection, uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(test_proven_by_port, uf_setup80,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_frames_counted_by_kind,
		    uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(test_conn_limit, uf_setup80,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_budget, uf_setup80,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_finish_every_connection,
		    uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_gateway_to_proxy_port_is_upstream, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_gateways_kept_at_most,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
