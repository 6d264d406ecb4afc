/*
 * test_flow.c: TCP tracking and HTTP head reassembly, fed with decoded
 * packets built by hand: retransmission, overlap, out-of-order segments,
 * gaps, pipelining, chunked bodies, SYN retransmissions, RST and ICMP;
 * and the export frame range the diagnosis layer derives from them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "unit_ip4.h"
#include "diag/diag.h"
#include "flow/flow.h"

struct side {
	struct gw_addr addr;
	uint16_t port;
	uint32_t seq;
};

struct fixture {
	struct flow fl;
	struct side cli, srv;
	uint64_t frame;
};

static int
setup(void **state)
{
	static struct fixture fx;
	uint16_t ports[] = { 9090 };

	memset(&fx, 0, sizeof fx);
	assert_int_equal(flow_init(&fx.fl, ports, 1), 0);
	addr_parse("10.0.0.5", &fx.cli.addr);
	addr_parse("10.0.0.1", &fx.srv.addr);
	fx.cli.port = 40000;
	fx.srv.port = 9090;
	fx.cli.seq = 1000;
	fx.srv.seq = 5000;
	*state = &fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	flow_free(&fx->fl);
	return 0;
}

/* Sends one segment from `from` to `to` with seq, flags and payload. */
static void
segment(struct fixture *fx, const struct side *from, const struct side *to,
    uint32_t seq, uint8_t flags, const char *data, size_t len)
{
	struct frame f;
	struct pkt p;

	memset(&f, 0, sizeof f);
	memset(&p, 0, sizeof p);
	f.number = ++fx->frame;
	f.ts_ns = (int64_t)f.number * 1000000;
	f.offset = f.number * 100;
	p.ipver = 4;
	p.l4 = L4_TCP;
	p.src = from->addr;
	p.dst = to->addr;
	p.sport = from->port;
	p.dport = to->port;
	p.seq = seq;
	p.tcp_flags = flags;
	p.payload = (const uint8_t *)data;
	p.payload_len = p.payload_wire_len = (uint32_t)len;
	flow_feed(&fx->fl, &f, &p);
}

static void
handshake(struct fixture *fx)
{
	segment(fx, &fx->cli, &fx->srv, fx->cli.seq, TCPF_SYN, NULL, 0);
	segment(fx, &fx->srv, &fx->cli, fx->srv.seq, TCPF_SYN | TCPF_ACK,
	    NULL, 0);
	fx->cli.seq++;
	fx->srv.seq++;
}

/* Sends data from a side, advancing its sequence number. */
static void
send_data(struct fixture *fx, struct side *from, struct side *to,
    const char *s)
{
	segment(fx, from, to, from->seq, TCPF_ACK | TCPF_PSH, s, strlen(s));
	from->seq += (uint32_t)strlen(s);
}

static const char *
str(struct fixture *fx, strref r)
{
	return flow_str(&fx->fl, r);
}

static void
test_request_split_and_retransmitted(void **state)
{
	struct fixture *fx = *state;
	const char *a = "GET http://example.test/x HT";
	const char *b = "TP/1.1\r\nHost: example.test\r\n\r\n";

	handshake(fx);
	send_data(fx, &fx->cli, &fx->srv, a);
	/* the same bytes again, then an overlapping segment */
	segment(fx, &fx->cli, &fx->srv, fx->cli.seq - 5, TCPF_ACK, a + 23, 5);
	send_data(fx, &fx->cli, &fx->srv, b);
	assert_int_equal(fx->fl.nmsgs, 1);
	assert_true(fx->fl.msgs[0].valid);
	assert_string_equal(str(fx, fx->fl.msgs[0].method), "GET");
	assert_string_equal(str(fx, fx->fl.msgs[0].target),
	    "http://example.test/x");
	assert_int_equal(fx->fl.msgs[0].start.number, 3);
	assert_int_equal(fx->fl.msgs[0].head.number, 5);
	assert_int_equal(fx->fl.conns[0].role, CONN_CLIENT);
}

static void
test_out_of_order_head(void **state)
{
	struct fixture *fx = *state;
	const char *req = "GET http://h.test/ HTTP/1.1\r\nHost: h.test\r\n\r\n";
	size_t half = 10;

	handshake(fx);
	/* second part first, then the first part */
	segment(fx, &fx->cli, &fx->srv, fx->cli.seq + (uint32_t)half, TCPF_ACK,
	    req + half, strlen(req) - half);
	assert_int_equal(fx->fl.nmsgs, 0);
	segment(fx, &fx->cli, &fx->srv, fx->cli.seq, TCPF_ACK, req, half);
	assert_int_equal(fx->fl.nmsgs, 1);
	assert_string_equal(str(fx, fx->fl.msgs[0].target), "http://h.test/");
}

static void
test_pipelined_with_bodies(void **state)
{
	struct fixture *fx = *state;

	handshake(fx);
	send_data(fx, &fx->cli, &fx->srv,
	    "GET http://a.test/1 HTTP/1.1\r\nHost: a.test\r\n\r\n"
	    "HEAD http://a.test/2 HTTP/1.1\r\nHost: a.test\r\n\r\n"
	    "GET http://a.test/3 HTTP/1.1\r\nHost: a.test\r\n\r\n");
	send_data(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
	/* HEAD: Content-Length but no body follows */
	send_data(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n");
	send_data(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5\r\nabcde\r\n0\r\n\r\n");
	assert_int_equal(fx->fl.nmsgs, 6);
	assert_int_equal(fx->fl.conns[0].nmsg[0], 3);
	assert_int_equal(fx->fl.conns[0].nmsg[1], 3);
	assert_int_equal(fx->fl.msgs[5].status, 502);
	assert_true(fx->fl.msgs[5].complete);
	assert_int_equal(fx->fl.msgs[5].end.number, fx->frame);
}

static void
test_body_skipped_not_parsed(void **state)
{
	struct fixture *fx = *state;
	char body[3000];

	memset(body, 'x', sizeof body - 1);
	body[sizeof body - 1] = '\0';
	memcpy(body, "HTTP/1.1 200", 12);	/* looks like a head: is body */
	handshake(fx);
	send_data(fx, &fx->cli, &fx->srv,
	    "GET http://b.test/ HTTP/1.1\r\nHost: b.test\r\n\r\n");
	send_data(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 OK\r\nContent-Length: 2999\r\n\r\n");
	send_data(fx, &fx->srv, &fx->cli, body);
	send_data(fx, &fx->srv, &fx->cli, "");
	assert_int_equal(fx->fl.conns[0].nmsg[1], 1);
	assert_true(fx->fl.msgs[1].complete);
	assert_int_equal(fx->fl.msgs[1].end.number, 5);
}

static void
test_gap_in_body_keeps_sync(void **state)
{
	struct fixture *fx = *state;

	handshake(fx);
	send_data(fx, &fx->cli, &fx->srv,
	    "GET http://c.test/ HTTP/1.1\r\nHost: c.test\r\n\r\n"
	    "GET http://c.test/2 HTTP/1.1\r\nHost: c.test\r\n\r\n");
	send_data(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
	/* the capture lost 100000 body bytes: jump past them */
	fx->srv.seq += 100000;
	send_data(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(fx->fl.conns[0].nmsg[1], 1);	/* held: a hole */
	/* the client acknowledges it all: the hole was the capture's */
	{
		struct frame f = { .number = ++fx->frame };
		struct pkt p = { .ipver = 4, .l4 = L4_TCP,
		    .src = fx->cli.addr, .dst = fx->srv.addr,
		    .sport = fx->cli.port, .dport = fx->srv.port,
		    .seq = fx->cli.seq, .ack = fx->srv.seq,
		    .tcp_flags = TCPF_ACK };

		flow_feed(&fx->fl, &f, &p);
	}
	assert_int_equal(fx->fl.conns[0].nmsg[1], 2);
	assert_int_equal(fx->fl.msgs[3].status, 404);
	assert_true(fx->fl.stats.stream_gaps >= 100000);
}

static void
test_invalid_upstream_reply(void **state)
{
	struct fixture *fx = *state;

	fx->srv.port = 80;
	handshake(fx);
	send_data(fx, &fx->cli, &fx->srv, "GET /fw4.pdf HTTP/1.1\r\nHost: u\r\n\r\n");
	send_data(fx, &fx->srv, &fx->cli, "<html>no status line</html>");
	assert_int_equal(fx->fl.conns[0].role, CONN_UPSTREAM);
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_false(fx->fl.msgs[1].valid);
	assert_string_equal(str(fx, fx->fl.msgs[1].first_line),
	    "<html>no status line</html>");
}

static void
test_syn_retransmissions_and_rst(void **state)
{
	struct fixture *fx = *state;

	fx->srv.port = 80;
	for (int i = 0; i < 3; i++)
		segment(fx, &fx->cli, &fx->srv, 777, TCPF_SYN, NULL, 0);
	assert_int_equal(fx->fl.nconns, 1);
	assert_int_equal(fx->fl.conns[0].nsyn, 3);
	segment(fx, &fx->srv, &fx->cli, 0, TCPF_RST | TCPF_ACK, NULL, 0);
	assert_int_equal(fx->fl.conns[0].rst.number, 4);
	assert_true(fx->fl.conns[0].rst_from_server);
	/* a new SYN on the same ports after the RST: a new connection */
	segment(fx, &fx->cli, &fx->srv, 999, TCPF_SYN, NULL, 0);
	assert_int_equal(fx->fl.nconns, 2);
}

static void
test_syn_limit(void **state)
{
	struct fixture *fx = *state;

	fx->srv.port = 80;
	for (int i = 0; i < CONN_MAX_SYNS + 5; i++)
		segment(fx, &fx->cli, &fx->srv, 1, TCPF_SYN, NULL, 0);
	assert_int_equal(fx->fl.conns[0].nsyn, CONN_MAX_SYNS);
	assert_int_equal(fx->fl.conns[0].syns_dropped, 5);
}

/* A SYN flood on one connection is counted past 16 bits (it wrapped). */
static void
test_syn_count_past_16_bits(void **state)
{
	struct fixture *fx = *state;

	fx->srv.port = 80;
	for (int i = 0; i < 70000; i++)
		segment(fx, &fx->cli, &fx->srv, 1, TCPF_SYN, NULL, 0);
	assert_int_equal(fx->fl.conns[0].syns_dropped, 70000 - CONN_MAX_SYNS);
}

static void
test_icmp_matched_by_quote(void **state)
{
	struct fixture *fx = *state;
	struct frame f;
	struct pkt p;

	fx->srv.port = 80;
	segment(fx, &fx->cli, &fx->srv, 1, TCPF_SYN, NULL, 0);
	memset(&f, 0, sizeof f);
	memset(&p, 0, sizeof p);
	f.number = 2;
	p.ipver = 4;
	p.l4 = L4_ICMP;
	addr_parse("10.0.0.254", &p.src);
	p.dst = fx->cli.addr;
	p.icmp_type = 3;
	p.icmp_code = 13;
	p.quote.valid = true;
	p.quote.l4 = L4_TCP;
	p.quote.src = fx->cli.addr;
	p.quote.dst = fx->srv.addr;
	p.quote.sport = fx->cli.port;
	p.quote.dport = fx->srv.port;
	flow_feed(&fx->fl, &f, &p);
	assert_int_equal(fx->fl.conns[0].icmp.number, 2);
	assert_int_equal(fx->fl.conns[0].icmp_code, 13);
	/* an ICMP error quoting an unknown connection changes nothing */
	p.quote.sport = 1;
	f.number = 3;
	flow_feed(&fx->fl, &f, &p);
	assert_int_equal(fx->fl.conns[0].nicmp, 1);
}

static void
test_head_too_long(void **state)
{
	struct fixture *fx = *state;
	static char big[40000];

	memset(big, 'a', sizeof big - 1);
	memcpy(big, "GET http://d.test/ HTTP/1.1\r\nX: ", 32);
	handshake(fx);
	for (size_t off = 0; off + 1400 < sizeof big; off += 1400) {
		segment(fx, &fx->cli, &fx->srv, fx->cli.seq, TCPF_ACK,
		    big + off, 1400);
		fx->cli.seq += 1400;
	}
	assert_int_equal(fx->fl.nmsgs, 1);
	assert_false(fx->fl.msgs[0].valid);
	assert_int_equal(fx->fl.stats.heads_too_long, 1);
}

/* A DNS message for ex.test A, with its 2-byte TCP length in front. */
static size_t
dns_tcp_msg(uint8_t *out, uint16_t id, bool response, uint8_t rcode)
{
	static const uint8_t question[] = { 2, 'e', 'x', 4, 't', 'e', 's', 't',
	    0, 0, 1, 0, 1 };
	size_t n = 2 + 12 + sizeof question;

	memset(out, 0, n);
	out[0] = 0;
	out[1] = (uint8_t)(n - 2);
	out[2] = (uint8_t)(id >> 8);
	out[3] = (uint8_t)id;
	out[4] = response ? 0x81 : 0x01;
	out[5] = response ? (uint8_t)(0x80 | rcode) : 0;
	out[7] = 1;	/* one question */
	memcpy(out + 14, question, sizeof question);
	return n;
}

static void
test_dns_over_tcp(void **state)
{
	struct fixture *fx = *state;
	uint8_t q1[64], r1[64], two[128];
	size_t n1, nr, na, nb;

	fx->srv.port = 53;
	handshake(fx);
	/* a query split over two segments: logged once it is whole */
	n1 = dns_tcp_msg(q1, 0x1234, false, 0);
	segment(fx, &fx->cli, &fx->srv, fx->cli.seq, TCPF_ACK,
	    (const char *)q1, 7);
	assert_int_equal(fx->fl.ndns, 0);
	segment(fx, &fx->cli, &fx->srv, fx->cli.seq + 7, TCPF_ACK,
	    (const char *)q1 + 7, n1 - 7);
	fx->cli.seq += (uint32_t)n1;
	assert_int_equal(fx->fl.ndns, 1);
	assert_true(fx->fl.dns[0].over_tcp);
	assert_string_equal(str(fx, fx->fl.dns[0].qname), "ex.test");
	assert_int_equal(fx->fl.dns[0].query.number, 4);
	assert_int_equal(fx->fl.dns[0].rcode, -1);
	/* the answer (sent twice: a retransmission changes nothing) */
	nr = dns_tcp_msg(r1, 0x1234, true, 3);
	segment(fx, &fx->srv, &fx->cli, fx->srv.seq, TCPF_ACK,
	    (const char *)r1, nr);
	segment(fx, &fx->srv, &fx->cli, fx->srv.seq, TCPF_ACK,
	    (const char *)r1, nr);
	fx->srv.seq += (uint32_t)nr;
	assert_int_equal(fx->fl.dns[0].rcode, 3);
	assert_int_equal(fx->fl.dns[0].answer.number, 5);
	/* two queries in one segment (RFC 7766 pipelining) */
	na = dns_tcp_msg(two, 0x2222, false, 0);
	nb = dns_tcp_msg(two + na, 0x3333, false, 0);
	segment(fx, &fx->cli, &fx->srv, fx->cli.seq, TCPF_ACK,
	    (const char *)two, na + nb);
	assert_int_equal(fx->fl.ndns, 3);
	assert_int_equal(fx->fl.dns[1].id, 0x2222);
	assert_int_equal(fx->fl.dns[2].id, 0x3333);
	assert_int_equal(fx->fl.nmsgs, 0);	/* and no HTTP */
	fx->cli.seq += (uint32_t)(na + nb);
	/* hostile framing: an empty message, then one announced as 65535
	 * bytes that never comes whole, then the connection closes */
	segment(fx, &fx->cli, &fx->srv, fx->cli.seq, TCPF_ACK, "\0\0\xff\xff"
	    "abc", 7);
	fx->cli.seq += 7;
	segment(fx, &fx->cli, &fx->srv, fx->cli.seq, TCPF_ACK | TCPF_FIN,
	    NULL, 0);
	assert_int_equal(fx->fl.ndns, 3);
	assert_int_equal(fx->fl.stats.dns, 4);	/* the 3 + the answer */
}

static void
feed_raw(struct fixture *fx, const uint8_t *pkt, size_t n, int64_t ts_s)
{
	struct frame f;
	struct pkt p;

	memset(&f, 0, sizeof f);
	f.number = ++fx->frame;
	f.ts_ns = ts_s * 1000000000LL;
	f.data = pkt;
	f.caplen = f.wirelen = (uint32_t)n;
	f.linktype = 101;	/* LINKTYPE_RAW */
	assert_int_equal(decode_frame(f.linktype, pkt, (uint32_t)n, &p),
	    DECODE_OK);
	flow_feed(&fx->fl, &f, &p);
}

/* UDP (ports 40000 → 53 or back) around a DNS message for ex.test A. */
static size_t
dns_udp(uint8_t *out, bool response, unsigned nanswers)
{
	static const uint8_t question[] = { 2, 'e', 'x', 4, 't', 'e', 's', 't',
	    0, 0, 1, 0, 1 };
	uint8_t *m = out + 8;
	size_t n = 12;

	memset(out, 0, 8 + 12);
	m[0] = 0x42;
	m[1] = 0x42;
	m[2] = response ? 0x81 : 0x01;
	m[3] = response ? 0x80 : 0;
	m[5] = 1;
	m[7] = (uint8_t)nanswers;
	memcpy(m + n, question, sizeof question);
	n += sizeof question;
	for (unsigned i = 0; i < nanswers; i++) {
		static const uint8_t rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60,
		    0, 4, 192, 0, 2, 0 };

		memcpy(m + n, rr, sizeof rr);
		m[n + sizeof rr - 1] = (uint8_t)(10 + i);
		n += sizeof rr;
	}
	out[0] = response ? 0 : 0x9c;	/* 53 or 40000 */
	out[1] = response ? 53 : 0x40;
	out[2] = response ? 0x9c : 0;
	out[3] = response ? 0x40 : 53;
	out[4] = (uint8_t)((8 + n) >> 8);
	out[5] = (uint8_t)(8 + n);
	return 8 + n;
}

static void
test_fragmented_dns_answer(void **state)
{
	struct fixture *fx = *state;
	static const uint8_t cli[4] = { 10, 0, 0, 1 }, srv[4] = { 10, 0, 0, 53 };
	uint8_t udp[512], pkt[600];
	size_t n, len;

	n = dns_udp(udp, false, 0);
	len = unit_ip4(pkt, 17, cli, srv, 1, 0x4000, udp, n);	/* DF */
	feed_raw(fx, pkt, len, 100);
	assert_int_equal(fx->fl.ndns, 1);
	/* the answer (8 + 25 + 5 x 16 = 113 bytes) in three fragments of
	 * 48, 48 and 17 bytes, the first last */
	n = dns_udp(udp, true, 5);
	assert_int_equal(n, 113);
	len = unit_ip4(pkt, 17, srv, cli, 7, 0x2000 | 6, udp + 48, 48);
	feed_raw(fx, pkt, len, 100);
	len = unit_ip4(pkt, 17, srv, cli, 7, 12, udp + 96, n - 96);
	feed_raw(fx, pkt, len, 100);
	assert_int_equal(fx->fl.dns[0].rcode, -1);	/* not whole yet */
	len = unit_ip4(pkt, 17, srv, cli, 7, 0x2000, udp, 48);
	feed_raw(fx, pkt, len, 100);
	assert_int_equal(fx->fl.dns[0].rcode, 0);
	assert_int_equal(fx->fl.dns[0].nanswers, 5);
	assert_int_equal(fx->fl.dns[0].answer.number, 4);
	assert_int_equal(fx->fl.stats.reassembled, 1);
	/* another answer missing a piece never counts, and is forgotten */
	len = unit_ip4(pkt, 17, srv, cli, 8, 0x2000, udp, 48);
	feed_raw(fx, pkt, len, 200);
	len = unit_ip4(pkt, 17, srv, cli, 8, 12, udp + 96, n - 96);
	feed_raw(fx, pkt, len, 200);
	assert_int_equal(fx->fl.stats.reassembled, 1);
	/* a fragment past 64 KiB is refused, not written */
	len = unit_ip4(pkt, 17, srv, cli, 9, 0x1fff, udp, 48);
	feed_raw(fx, pkt, len, 300);
	assert_int_equal(fx->fl.stats.reassembled, 1);
	assert_int_equal(fx->fl.stats.fragments, 6);
}

/* The gateway answers before the request's body is all in (found by
 * fuzz_engine): the export range still runs forward, from the request's
 * first frame to the last frame of either message. */
static void
test_answer_before_request_end(void **state)
{
	struct fixture *fx = *state;
	struct diag_opts o = { .statuses = { 502 }, .nstatuses = 1,
	    .timeout_ns = 120LL * 1000000000LL };
	struct frame_ref first, last;
	struct diag dg;

	handshake(fx);
	send_data(fx, &fx->cli, &fx->srv, "POST http://u.test/f HTTP/1.1\r\n"
	    "Host: u.test\r\nContent-Length: 8\r\n\r\n1234");	/* 3 */
	send_data(fx, &fx->srv, &fx->cli, "HTTP/1.1 502 Bad Gateway\r\n"
	    "Content-Length: 0\r\n\r\n");				/* 4 */
	send_data(fx, &fx->cli, &fx->srv, "5678");		/* 5 */
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_true(fx->fl.msgs[0].complete);
	assert_int_equal(fx->fl.msgs[0].end.number, 5);
	diag_init(&dg, &o);
	diag_update(&dg, &fx->fl);
	diag_run(&dg, &fx->fl, true);
	assert_int_equal(dg.ntxns, 1);
	assert_int_equal(dg.txns[0].resp, 1);
	txn_frame_range(&fx->fl, &dg.txns[0], &first, &last);
	assert_int_equal(first.number, 3);
	assert_int_equal(first.offset, 300);
	assert_int_equal(last.number, 5);
	diag_free(&dg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_request_split_and_retransmitted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order_head, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_with_bodies,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_body_skipped_not_parsed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_in_body_keeps_sync,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_upstream_reply,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_retransmissions_and_rst,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_limit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_syn_count_past_16_bits,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_matched_by_quote,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_too_long, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dns_over_tcp, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fragmented_dns_answer,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_before_request_end,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
