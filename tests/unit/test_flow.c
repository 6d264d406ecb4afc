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
#include "unit_flow.h"

static void
test_request_split_and_retransmitted(void **state)
{
	struct uf *fx = *state;
	const char *a = "GET http://example.test/x HT";
	const char *b = "TP/1.1\r\nHost: example.test\r\n\r\n";

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv, a);
	/* the same bytes again, then an overlapping segment */
	uf_segment(fx, &fx->cli, &fx->srv, fx->cli.seq - 5, TCPF_ACK, a + 23, 5);
	uf_send(fx, &fx->cli, &fx->srv, b);
	assert_int_equal(fx->fl.nmsgs, 1);
	assert_true(fx->fl.msgs[0].valid);
	assert_string_equal(uf_str(fx, fx->fl.msgs[0].method), "GET");
	assert_string_equal(uf_str(fx, fx->fl.msgs[0].target),
	    "http://example.test/x");
	assert_int_equal(fx->fl.msgs[0].start.number, 3);
	assert_int_equal(fx->fl.msgs[0].head.number, 5);
	assert_int_equal(fx->fl.conns[0].role, CONN_CLIENT);
}

static void
test_out_of_order_head(void **state)
{
	struct uf *fx = *state;
	const char *req = "GET http://h.test/ HTTP/1.1\r\nHost: h.test\r\n\r\n";
	size_t half = 10;

	uf_handshake(fx, &fx->cli, &fx->srv);
	/* second part first, then the first part */
	uf_segment(fx, &fx->cli, &fx->srv, fx->cli.seq + (uint32_t)half, TCPF_ACK,
	    req + half, strlen(req) - half);
	assert_int_equal(fx->fl.nmsgs, 0);
	uf_segment(fx, &fx->cli, &fx->srv, fx->cli.seq, TCPF_ACK, req, half);
	assert_int_equal(fx->fl.nmsgs, 1);
	assert_string_equal(uf_str(fx, fx->fl.msgs[0].target), "http://h.test/");
}

static void
test_pipelined_with_bodies(void **state)
{
	struct uf *fx = *state;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv,
	    "GET http://a.test/1 HTTP/1.1\r\nHost: a.test\r\n\r\n"
	    "HEAD http://a.test/2 HTTP/1.1\r\nHost: a.test\r\n\r\n"
	    "GET http://a.test/3 HTTP/1.1\r\nHost: a.test\r\n\r\n");
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
	/* HEAD: Content-Length but no body follows */
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n");
	uf_send(fx, &fx->srv, &fx->cli,
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
	struct uf *fx = *state;
	char body[3000];

	memset(body, 'x', sizeof body - 1);
	body[sizeof body - 1] = '\0';
	memcpy(body, "HTTP/1.1 200", 12);	/* looks like a head: is body */
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv,
	    "GET http://b.test/ HTTP/1.1\r\nHost: b.test\r\n\r\n");
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 OK\r\nContent-Length: 2999\r\n\r\n");
	uf_send(fx, &fx->srv, &fx->cli, body);
	uf_send(fx, &fx->srv, &fx->cli, "");
	assert_int_equal(fx->fl.conns[0].nmsg[1], 1);
	assert_true(fx->fl.msgs[1].complete);
	assert_int_equal(fx->fl.msgs[1].end.number, 5);
}

static void
test_gap_in_body_keeps_sync(void **state)
{
	struct uf *fx = *state;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv,
	    "GET http://c.test/ HTTP/1.1\r\nHost: c.test\r\n\r\n"
	    "GET http://c.test/2 HTTP/1.1\r\nHost: c.test\r\n\r\n");
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
	/* the capture lost 100000 body bytes: jump past them */
	fx->srv.seq += 100000;
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(fx->fl.conns[0].nmsg[1], 1);	/* held: a hole */
	/* the client acknowledges it all: the hole was the capture's */
	uf_ack(fx, &fx->cli, &fx->srv);
	assert_int_equal(fx->fl.conns[0].nmsg[1], 2);
	assert_int_equal(fx->fl.msgs[3].status, 404);
	assert_true(fx->fl.stats.stream_gaps >= 100000);
}

/*
 * The first segment of a request is lost and resent after the eight that
 * follow it (fast retransmit), the sequence numbers wrapping past 2^32 on
 * the way: TCP delivers the bytes in order once the hole is filled.
 */
static void
test_retransmitted_first_of_nine(void **state)
{
	struct uf *fx = *state;
	const char *req = "GET http://ooo.test/some/path HTTP/1.1\r\n"
	    "Host: ooo.test\r\n\r\n";
	size_t n = strlen(req), piece = (n + 8) / 9;
	uint32_t isn;

	fx->cli.seq = 0xffffffe0u;	/* wraps inside the request */
	uf_handshake(fx, &fx->cli, &fx->srv);
	isn = fx->cli.seq;
	for (size_t k = 1; k < 9; k++) {
		size_t len = k == 8 ? n - 8 * piece : piece;

		uf_segment(fx, &fx->cli, &fx->srv, isn + (uint32_t)(k * piece),
		    TCPF_ACK, req + k * piece, len);
	}
	assert_int_equal(fx->fl.nmsgs, 0);	/* held behind the hole */
	uf_segment(fx, &fx->cli, &fx->srv, isn, TCPF_ACK, req, piece);
	assert_int_equal(fx->fl.nmsgs, 1);
	assert_true(fx->fl.msgs[0].valid);
	assert_string_equal(uf_str(fx, fx->fl.msgs[0].target),
	    "http://ooo.test/some/path");
	assert_string_equal(uf_str(fx, fx->fl.msgs[0].host), "ooo.test");
	assert_int_equal(fx->fl.stats.stream_gaps, 0);
}

/*
 * A lossy capture: two segments of a response body never appear, and
 * more segments arrive behind the first hole than are held. The body's
 * length still tells where the next response starts (sequence numbers
 * above 2^31, as half of all random initial sequence numbers are).
 */
static void
test_body_holes_past_the_hold(void **state)
{
	struct uf *fx = *state;
	static const char body[] = "0123456789";
	uint32_t at;

	fx->srv.seq = 0x7ffff000u;
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv,
	    "GET http://d.test/ HTTP/1.1\r\nHost: d.test\r\n\r\n"
	    "GET http://d.test/2 HTTP/1.1\r\nHost: d.test\r\n\r\n");
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
	at = fx->srv.seq;
	/* body pieces 2..9 of 10 (piece 1 and piece 10 are lost) */
	for (uint32_t k = 1; k < 9; k++)
		uf_segment(fx, &fx->srv, &fx->cli, at + 10 * k, TCPF_ACK, body,
		    10);
	fx->srv.seq = at + 100;
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(fx->fl.conns[0].nmsg[1], 2);
	assert_int_equal(fx->fl.msgs[3].status, 404);
	assert_int_equal(fx->fl.msgs[3].pair, 1);
	assert_int_equal(fx->fl.stats.stream_gaps, 20);
}

/*
 * A response without Content-Length or chunking ends when the server
 * closes (RFC 9112 §6.3); when the capture ends first, the body runs to
 * the connection's last frame.
 */
static void
test_close_delimited_body_at_capture_end(void **state)
{
	struct uf *fx = *state;
	uint64_t last;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_get(fx, &fx->cli, &fx->srv, "http://e.test/", "e.test");
	uf_send(fx, &fx->srv, &fx->cli, "HTTP/1.1 200 OK\r\n\r\nfirst part");
	last = uf_send(fx, &fx->srv, &fx->cli, "second part");
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_false(fx->fl.msgs[1].complete);	/* the server may send more */
	flow_finish(&fx->fl);
	assert_true(fx->fl.msgs[1].complete);
	assert_int_equal(fx->fl.msgs[1].end.number, last);
	assert_int_equal(fx->fl.msgs[1].end.ts_ns, (int64_t)last * UF_MS);
	assert_int_equal(fx->fl.msgs[1].end.offset_lo, last * 100);
}

/* Request lines that are method SP target SP version exactly are not
 * stored but rebuilt; any other is stored as it came, cut at 200. */
static void
test_request_lines(void **state)
{
	struct uf *fx = *state;
	char head[400];
	const struct http_msg *m;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv,
	    "GET http://f.test/a?b=c HTTP/1.1\r\nHost: f.test\r\n\r\n"
	    "HEAD http://f.test/ HTTP/1.0\r\nHost: f.test\r\n\r\n");
	snprintf(head, sizeof head, "GET http://f.test/%0250d HTTP/1.1\r\n"
	    "Host: f.test\r\n\r\n", 7);
	uf_send(fx, &fx->cli, &fx->srv, head);
	assert_int_equal(fx->fl.nmsgs, 3);
	m = &fx->fl.msgs[0];
	assert_true(m->valid);
	assert_int_equal(m->line_minor, 2);
	assert_int_equal(m->line, 0);
	assert_string_equal(uf_line(fx, m), "GET http://f.test/a?b=c HTTP/1.1");
	m = &fx->fl.msgs[1];
	assert_int_equal(m->line_minor, 1);
	assert_string_equal(uf_line(fx, m), "HEAD http://f.test/ HTTP/1.0");
	/* longer than what is kept: stored, its first 200 bytes */
	m = &fx->fl.msgs[2];
	assert_true(m->valid);
	assert_int_equal(m->line_minor, 0);
	assert_int_equal(strlen(uf_str(fx, m->target)), 264);
	assert_int_equal(strlen(uf_line(fx, m)), 200);
	assert_memory_equal(uf_line(fx, m), head, 200);
}

/* A status line with a 300-character reason phrase: the stored first
 * line is its start, at least 200 characters of it (what reports show). */
static void
test_long_status_line_kept(void **state)
{
	struct uf *fx = *state;
	char head[400];
	const char *first;

	memset(head, 0, sizeof head);
	memcpy(head, "HTTP/1.1 502 ", 13);
	memset(head + 13, 'r', 300);
	memcpy(head + 313, "\r\n\r\n", 4);
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_get(fx, &fx->cli, &fx->srv, "http://f.test/", "f.test");
	uf_send(fx, &fx->srv, &fx->cli, head);
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_int_equal(fx->fl.msgs[1].status, 502);
	first = uf_line(fx, &fx->fl.msgs[1]);
	assert_true(strlen(first) >= 200);
	assert_true(strlen(first) <= 313);
	assert_memory_equal(first, head, strlen(first));
}

static void
test_invalid_upstream_reply(void **state)
{
	struct uf *fx = *state;

	fx->srv.port = 80;
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv, "GET /fw4.pdf HTTP/1.1\r\nHost: u\r\n\r\n");
	uf_send(fx, &fx->srv, &fx->cli, "<html>no status line</html>");
	assert_int_equal(fx->fl.conns[0].role, CONN_UPSTREAM);
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_false(fx->fl.msgs[1].valid);
	assert_string_equal(uf_line(fx, &fx->fl.msgs[1]),
	    "<html>no status line</html>");
}

static void
test_syn_retransmissions_and_rst(void **state)
{
	struct uf *fx = *state;

	fx->srv.port = 80;
	for (int i = 0; i < 3; i++)
		uf_segment(fx, &fx->cli, &fx->srv, 777, TCPF_SYN, NULL, 0);
	assert_int_equal(fx->fl.nconns, 1);
	assert_int_equal(fx->fl.conns[0].nsyn, 3);
	uf_segment(fx, &fx->srv, &fx->cli, 0, TCPF_RST | TCPF_ACK, NULL, 0);
	assert_int_equal(fx->fl.conns[0].rst.number, 4);
	assert_true(fx->fl.conns[0].rst_from_server);
	/* a new SYN on the same ports after the RST: a new connection */
	uf_segment(fx, &fx->cli, &fx->srv, 999, TCPF_SYN, NULL, 0);
	assert_int_equal(fx->fl.nconns, 2);
}

/*
 * A SYN opens a connection from its sender, whichever side of an earlier
 * connection on the same ports that sender was: after the client's
 * connection to port 80 was reset, the server's port sends a SYN with
 * data (TCP Fast Open) and a FIN to the old client's port. The new
 * connection's client is the server's address; the bytes and the FIN
 * are its client's.
 */
static void
test_syn_from_the_other_side(void **state)
{
	struct uf *fx = *state;
	const struct conn *c;

	fx->srv.port = 80;
	uf_segment(fx, &fx->cli, &fx->srv, 777, TCPF_SYN, NULL, 0);
	uf_segment(fx, &fx->srv, &fx->cli, 0, TCPF_RST | TCPF_ACK, NULL, 0);
	uf_segment(fx, &fx->srv, &fx->cli, 5000, TCPF_SYN | TCPF_FIN, "hello",
	    5);
	assert_int_equal(fx->fl.nconns, 2);
	c = &fx->fl.conns[1];
	assert_true(addr_eq(&c->caddr, &fx->srv.addr));
	assert_int_equal(c->cport, 80);
	assert_int_equal(c->bytes[0], 5);
	assert_int_equal(c->bytes[1], 0);
	assert_int_equal(c->fin[0].number, 3);
	assert_int_equal(c->fin[1].number, 0);
}

static void
test_syn_limit(void **state)
{
	struct uf *fx = *state;

	fx->srv.port = 80;
	for (int i = 0; i < CONN_MAX_SYNS + 5; i++)
		uf_segment(fx, &fx->cli, &fx->srv, 1, TCPF_SYN, NULL, 0);
	assert_int_equal(fx->fl.conns[0].nsyn, CONN_MAX_SYNS);
	assert_int_equal(fx->fl.conns[0].syns_dropped, 5);
}

/* A SYN flood on one connection is counted past 16 bits (it wrapped). */
static void
test_syn_count_past_16_bits(void **state)
{
	struct uf *fx = *state;

	fx->srv.port = 80;
	for (int i = 0; i < 70000; i++)
		uf_segment(fx, &fx->cli, &fx->srv, 1, TCPF_SYN, NULL, 0);
	assert_int_equal(fx->fl.conns[0].syns_dropped, 70000 - CONN_MAX_SYNS);
}

static void
test_icmp_matched_by_quote(void **state)
{
	struct uf *fx = *state;
	struct uf_side stranger = fx->cli;

	fx->srv.port = 80;
	uf_segment(fx, &fx->cli, &fx->srv, 1, TCPF_SYN, NULL, 0);
	uf_icmp(fx, "10.0.0.254", &fx->cli, &fx->srv, 3, 13);
	assert_int_equal(conn_icmp(&fx->fl, &fx->fl.conns[0])->first.number,
	    2);
	assert_int_equal(conn_icmp(&fx->fl, &fx->fl.conns[0])->code, 13);
	/* an ICMP error quoting an unknown connection changes nothing */
	stranger.port = 1;
	uf_icmp(fx, "10.0.0.254", &stranger, &fx->srv, 3, 13);
	assert_int_equal(fx->fl.nicmps, 1);
	assert_int_equal(conn_icmp(&fx->fl, &fx->fl.conns[0])->last.number,
	    2);
}

/* A client's head of n bytes in 1,400-byte segments, never ended: one
 * invalid message, with `error`, counted as a head too long. */
static void
feed_unended(struct uf *fx, const char *head, size_t n, const char *error)
{
	uf_handshake(fx, &fx->cli, &fx->srv);
	for (size_t off = 0; off + 1400 < n; off += 1400) {
		uf_segment(fx, &fx->cli, &fx->srv, fx->cli.seq, TCPF_ACK,
		    head + off, 1400);
		fx->cli.seq += 1400;
	}
	assert_int_equal(fx->fl.nmsgs, 1);
	assert_false(fx->fl.msgs[0].valid);
	assert_string_equal(flow_str(&fx->fl, fx->fl.msgs[0].error), error);
	assert_int_equal(fx->fl.stats.heads_too_long, 1);
}

static void
test_head_too_long(void **state)
{
	struct uf *fx = *state;
	static char big[40000];

	memset(big, 'a', sizeof big - 1);
	memcpy(big, "GET http://d.test/ HTTP/1.1\r\nX: ", 32);
	feed_unended(fx, big, sizeof big, "header line too long");
}

/* Lines of a fair length, but never the blank line that ends the head:
 * past HTTP_HEAD_MAX the gateway would not wait either. */
static void
test_head_of_many_lines_too_long(void **state)
{
	struct uf *fx = *state;
	static char big[40000];
	size_t n = 0;

	n += (size_t)snprintf(big, sizeof big, "GET http://d.test/ HTTP/1.1\r\n");
	while (n + 100 < sizeof big) {
		memset(big + n, 'a', 98);
		memcpy(big + n, "X-Pad: ", 7);
		memcpy(big + n + 98, "\r\n", 2);
		n += 100;
	}
	feed_unended(fx, big, n, "head too long");
}

/* A query, or an answer with rcode, for ex.test A over TCP. */
static size_t
dns_tcp_msg(uint8_t *out, size_t cap, uint16_t id, bool response,
    uint8_t rcode)
{
	struct uf_dns m = { .id = id, .qtype = DNS_T_A, .qname = "ex.test",
	    .response = response, .rcode = rcode };

	return uf_dns_tcp_wire(out, cap, &m);
}

static void
test_dns_over_tcp(void **state)
{
	struct uf *fx = *state;
	uint8_t q1[64], r1[64], two[128];
	size_t n1, nr, na, nb;

	fx->srv.port = 53;
	uf_handshake(fx, &fx->cli, &fx->srv);
	/* a query split over two segments: logged once it is whole */
	n1 = dns_tcp_msg(q1, sizeof q1, 0x1234, false, 0);
	uf_segment(fx, &fx->cli, &fx->srv, fx->cli.seq, TCPF_ACK,
	    q1, 7);
	assert_int_equal(fx->fl.ndns, 0);
	uf_segment(fx, &fx->cli, &fx->srv, fx->cli.seq + 7, TCPF_ACK,
	    q1 + 7, n1 - 7);
	fx->cli.seq += (uint32_t)n1;
	assert_int_equal(fx->fl.ndns, 1);
	assert_true(fx->fl.dns[0].over_tcp);
	assert_string_equal(uf_str(fx, fx->fl.dns[0].qname), "ex.test");
	assert_int_equal(fx->fl.dns[0].query.number, 4);
	assert_int_equal(fx->fl.dns[0].rcode, -1);
	/* the answer (sent twice: a retransmission changes nothing) */
	nr = dns_tcp_msg(r1, sizeof r1, 0x1234, true, 3);
	uf_segment(fx, &fx->srv, &fx->cli, fx->srv.seq, TCPF_ACK,
	    r1, nr);
	uf_segment(fx, &fx->srv, &fx->cli, fx->srv.seq, TCPF_ACK,
	    r1, nr);
	fx->srv.seq += (uint32_t)nr;
	assert_int_equal(fx->fl.dns[0].rcode, 3);
	assert_int_equal(fx->fl.dns[0].answer.number, 5);
	/* two queries in one segment (RFC 7766 pipelining) */
	na = dns_tcp_msg(two, sizeof two, 0x2222, false, 0);
	nb = dns_tcp_msg(two + na, sizeof two - na, 0x3333, false, 0);
	uf_segment(fx, &fx->cli, &fx->srv, fx->cli.seq, TCPF_ACK,
	    two, na + nb);
	assert_int_equal(fx->fl.ndns, 3);
	assert_int_equal(fx->fl.dns[1].id, 0x2222);
	assert_int_equal(fx->fl.dns[2].id, 0x3333);
	assert_int_equal(fx->fl.nmsgs, 0);	/* and no HTTP */
	fx->cli.seq += (uint32_t)(na + nb);
	/* hostile framing: an empty message, then one announced as 65535
	 * bytes that never comes whole, then the connection closes */
	uf_segment(fx, &fx->cli, &fx->srv, fx->cli.seq, TCPF_ACK, "\0\0\xff\xff"
	    "abc", 7);
	fx->cli.seq += 7;
	uf_segment(fx, &fx->cli, &fx->srv, fx->cli.seq, TCPF_ACK | TCPF_FIN,
	    NULL, 0);
	assert_int_equal(fx->fl.ndns, 3);
	assert_int_equal(fx->fl.stats.dns, 4);	/* the 3 + the answer */
}

/* UDP (ports 40000 -> 53 or back) around a DNS message for ex.test A
 * with nanswers A records. */
static size_t
dns_udp(uint8_t *out, size_t cap, bool response, unsigned nanswers)
{
	static const struct uf_rr rrs[] = {
		{ DNS_T_A, NULL, 60, "192.0.2.10" },
		{ DNS_T_A, NULL, 60, "192.0.2.11" },
		{ DNS_T_A, NULL, 60, "192.0.2.12" },
		{ DNS_T_A, NULL, 60, "192.0.2.13" },
		{ DNS_T_A, NULL, 60, "192.0.2.14" },
	};
	struct uf_dns m = { .id = 0x4242, .qtype = DNS_T_A,
	    .qname = "ex.test", .response = response, .rrs = rrs,
	    .nrrs = nanswers };

	assert_true(nanswers <= sizeof rrs / sizeof rrs[0]);
	return uf_udp_wrap(out, response ? 53 : 40000, response ? 40000 : 53,
	    uf_dns_wire(out + 8, cap - 8, &m));
}

static void
test_fragmented_dns_answer(void **state)
{
	struct uf *fx = *state;
	static const uint8_t cli[4] = { 10, 0, 0, 1 }, srv[4] = { 10, 0, 0, 53 };
	uint8_t udp[512], pkt[600];
	size_t n, len;

	n = dns_udp(udp, sizeof udp, false, 0);
	len = unit_ip4(pkt, 17, cli, srv, 1, 0x4000, udp, n);	/* DF */
	uf_at(fx, 100 * UF_S);
	uf_feed_raw(fx, pkt, len);
	assert_int_equal(fx->fl.ndns, 1);
	/* the answer (8 + 25 + 5 x 16 = 113 bytes) in three fragments of
	 * 48, 48 and 17 bytes, the first last */
	n = dns_udp(udp, sizeof udp, true, 5);
	assert_int_equal(n, 113);
	len = unit_ip4(pkt, 17, srv, cli, 7, 0x2000 | 6, udp + 48, 48);
	uf_feed_raw(fx, pkt, len);
	len = unit_ip4(pkt, 17, srv, cli, 7, 12, udp + 96, n - 96);
	uf_feed_raw(fx, pkt, len);
	assert_int_equal(fx->fl.dns[0].rcode, -1);	/* not whole yet */
	len = unit_ip4(pkt, 17, srv, cli, 7, 0x2000, udp, 48);
	uf_feed_raw(fx, pkt, len);
	assert_int_equal(fx->fl.dns[0].rcode, 0);
	assert_int_equal(fx->fl.dns[0].nanswers, 5);
	assert_int_equal(fx->fl.dns[0].answer.number, 4);
	assert_int_equal(fx->fl.stats.reassembled, 1);
	/* another answer missing a piece never counts, and is forgotten */
	uf_at(fx, 200 * UF_S);
	len = unit_ip4(pkt, 17, srv, cli, 8, 0x2000, udp, 48);
	uf_feed_raw(fx, pkt, len);
	len = unit_ip4(pkt, 17, srv, cli, 8, 12, udp + 96, n - 96);
	uf_feed_raw(fx, pkt, len);
	assert_int_equal(fx->fl.stats.reassembled, 1);
	/* a fragment past 64 KiB is refused, not written */
	uf_at(fx, 300 * UF_S);
	len = unit_ip4(pkt, 17, srv, cli, 9, 0x1fff, udp, 48);
	uf_feed_raw(fx, pkt, len);
	assert_int_equal(fx->fl.stats.reassembled, 1);
	assert_int_equal(fx->fl.stats.fragments, 6);
}

/*
 * A reassembled UDP datagram is as long as its UDP header says (RFC 768;
 * Linux trims the rest): bytes after that are not the resolver's, so an
 * answer cut short by its own length field cannot carry all its records.
 */
/* Half of a 113-byte UDP datagram from the DNS server 10.0.0.53 to
 * 10.0.0.1 as an IPv4 fragment: bytes 0-55 (more to come) or the rest. */
static void
answer_half(struct uf *fx, const uint8_t *udp, size_t n, uint16_t id,
    bool first)
{
	static const uint8_t cli[4] = { 10, 0, 0, 1 }, srv[4] = { 10, 0, 0, 53 };
	uint8_t pkt[600];
	size_t len = first ? unit_ip4(pkt, 17, srv, cli, id, 0x2000, udp, 56) :
	    unit_ip4(pkt, 17, srv, cli, id, 56 / 8, udp + 56, n - 56);

	uf_feed_raw(fx, pkt, len);
}

static void
test_reassembled_udp_length(void **state)
{
	struct uf *fx = *state;
	static const uint8_t cli[4] = { 10, 0, 0, 1 }, srv[4] = { 10, 0, 0, 53 };
	uint8_t udp[512], pkt[600];
	size_t n, len;

	n = dns_udp(udp, sizeof udp, false, 0);
	len = unit_ip4(pkt, 17, cli, srv, 1, 0x4000, udp, n);
	uf_feed_raw(fx, pkt, len);
	n = dns_udp(udp, sizeof udp, true, 5);
	assert_int_equal(n, 113);
	udp[4] = 0;
	udp[5] = 113 - 32;	/* the last two address records left out */
	answer_half(fx, udp, n, 7, true);
	answer_half(fx, udp, n, 7, false);
	assert_int_equal(fx->fl.stats.reassembled, 1);
	assert_true(fx->fl.dns[0].nanswers < 5);
}

/*
 * More datagrams being put together than there is room for (32): the
 * oldest reassembly goes first, as Linux drops the least recently begun
 * fragment queue when its memory is full; the newer ones still complete.
 */
static void
test_fragment_slots_evict_oldest(void **state)
{
	struct uf *fx = *state;
	uint8_t udp[512];
	size_t n = dns_udp(udp, sizeof udp, true, 5);

	for (uint16_t id = 1; id <= 33; id++)	/* first halves, 1 ms apart */
		answer_half(fx, udp, n, id, true);
	for (uint16_t id = 2; id <= 33; id++)
		answer_half(fx, udp, n, id, false);
	assert_int_equal(fx->fl.stats.reassembled, 32);
	/* datagram 1 was dropped for the 33rd: its second half is alone */
	answer_half(fx, udp, n, 1, false);
	assert_int_equal(fx->fl.stats.reassembled, 32);
}

/* The gateway answers before the request's body is all in (found by
 * fuzz_engine): the export range still runs forward, from the request's
 * first frame to the last frame of either message. */
static void
test_answer_before_request_end(void **state)
{
	struct uf *fx = *state;
	struct diag_opts o = { .statuses = { 502 }, .nstatuses = 1,
	    .timeout_ns = 120 * UF_S };
	struct frame_ref first, last;
	struct diag *dg;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv, "POST http://u.test/f HTTP/1.1\r\n"
	    "Host: u.test\r\nContent-Length: 8\r\n\r\n1234");	/* 3 */
	uf_send(fx, &fx->srv, &fx->cli, "HTTP/1.1 502 Bad Gateway\r\n"
	    "Content-Length: 0\r\n\r\n");				/* 4 */
	uf_send(fx, &fx->cli, &fx->srv, "5678");		/* 5 */
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_true(fx->fl.msgs[0].complete);
	assert_int_equal(fx->fl.msgs[0].end.number, 5);
	dg = uf_diag_run(fx, &o, true);
	assert_int_equal(dg->ntxns, 1);
	assert_int_equal(dg->txns[0].resp, 1);
	txn_frame_range(&fx->fl, &dg->txns[0], &first, &last);
	assert_int_equal(first.number, 3);
	assert_int_equal(first.offset_lo, 300);
	assert_int_equal(last.number, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_request_split_and_retransmitted, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order_head, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_with_bodies,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_body_skipped_not_parsed,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_gap_in_body_keeps_sync,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_retransmitted_first_of_nine,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_body_holes_past_the_hold,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_close_delimited_body_at_capture_end, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_request_lines, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_long_status_line_kept,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_invalid_upstream_reply,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_syn_retransmissions_and_rst,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_syn_from_the_other_side,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_syn_limit, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_syn_count_past_16_bits,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_icmp_matched_by_quote,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_head_too_long, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_head_of_many_lines_too_long, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_dns_over_tcp, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_fragmented_dns_answer,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_reassembled_udp_length,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_fragment_slots_evict_oldest,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_answer_before_request_end,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
