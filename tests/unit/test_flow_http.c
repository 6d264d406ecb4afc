/*
 * test_flow_http.c: what HTTP/1.x message framing (RFC 9112) and TCP say
 * the flow layer must rebuild, whatever way the bytes are cut into
 * segments: chunked bodies (sizes in either case, extensions, trailers),
 * interim 1xx answers, responses that never have a body (HEAD, 204, 304),
 * CONNECT and 101 tunnels, the frame a message ends in, a hole the peer's
 * ACK shows the capture lost, FIN and RST, and the messages the parser
 * still refers to (stream_msg_refs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_ip4.h"
#include "unit_flow.h"

/* s from `from`, one byte a segment; returns the frame of the last. */
static uint64_t
send_bytewise(struct uf *fx, struct uf_side *from, const struct uf_side *to,
    const char *s)
{
	uint64_t n = 0;

	for (; *s; s++)
		n = uf_send_bytes(fx, from, to, s, 1);
	return n;
}

/* s from `from` in segments of `cut` bytes; returns the last frame. */
static uint64_t
send_cut(struct uf *fx, struct uf_side *from, const struct uf_side *to,
    const char *s, size_t cut)
{
	size_t len = strlen(s);
	uint64_t n = 0;

	if (cut == 1)
		return send_bytewise(fx, from, to, s);
	for (size_t at = 0; at < len; at += cut)
		n = uf_send_bytes(fx, from, to, s + at,
		    len - at < cut ? len - at : cut);
	return n;
}

/* A chunked body whose chunk sizes use every kind of hex digit, one with
 * an extension, chunk data that looks like a head, and a trailer field. */
static const char chunked_body[] =
    "a\r\nHTTP/1.1 5\r\n"
    "1F;name=value\r\n0123456789abcdefghijklmnopqrstu\r\n"
    "00009\r\nHTTP/1.0 \r\n"
    "B\r\nhello world\r\n"
    "e\r\n\r\n\r\nGET / HTTP\r\n"
    "10\r\n0123456789ABCDEF\r\n"
    "0\r\nX-Checksum: 1\r\n\r\n";

/*
 * Two pipelined requests; the first answer's body is chunked, the second
 * has none: the first message ends with its trailer, the second head is
 * found right after it, whether the bytes come whole, in 7-byte pieces or
 * one at a time.
 */
static void
test_chunked_then_next(void **state)
{
	struct uf *fx = *state;
	static const size_t cuts[] = { 0, 7, 1 };
	char resp[1024];

	snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n%s", chunked_body);
	for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
		uint32_t m0 = (uint32_t)fx->fl.nmsgs;
		uint64_t end, next;
		const struct http_msg *m;

		fx->cli.port = (uint16_t)(41000 + k);
		uf_handshake(fx, &fx->cli, &fx->srv);
		uf_send(fx, &fx->cli, &fx->srv,
		    "GET http://a.test/1 HTTP/1.1\r\nHost: a.test\r\n\r\n"
		    "GET http://a.test/2 HTTP/1.1\r\nHost: a.test\r\n\r\n");
		end = cuts[k] ? send_cut(fx, &fx->srv, &fx->cli, resp,
		    cuts[k]) : uf_send(fx, &fx->srv, &fx->cli, resp);
		m = &fx->fl.msgs[m0 + 2];
		assert_int_equal(fx->fl.nmsgs, m0 + 3);
		assert_true(m->valid);
		assert_int_equal(m->status, 200);
		assert_true(m->complete);
		assert_int_equal(m->end.number, end);
		assert_int_equal(m->pair, m0);
		next = uf_send(fx, &fx->srv, &fx->cli,
		    "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
		assert_int_equal(fx->fl.nmsgs, m0 + 4);
		m = &fx->fl.msgs[m0 + 3];
		assert_int_equal(m->status, 502);
		assert_true(m->complete);
		assert_int_equal(m->end.number, next);
		assert_int_equal(m->pair, m0 + 1);
		assert_int_equal(fx->fl.stats.stream_gaps, 0);
	}
}

/* A chunked request body, then the next request on the connection. */
static void
test_chunked_request(void **state)
{
	struct uf *fx = *state;
	char req[1024];

	snprintf(req, sizeof req, "POST http://a.test/up HTTP/1.1\r\n"
	    "Host: a.test\r\nTransfer-Encoding: chunked\r\n\r\n%s",
	    chunked_body);
	uf_handshake(fx, &fx->cli, &fx->srv);
	send_cut(fx, &fx->cli, &fx->srv, req, 5);
	assert_int_equal(fx->fl.nmsgs, 1);
	assert_true(fx->fl.msgs[0].complete);
	uf_get(fx, &fx->cli, &fx->srv, "http://a.test/2", "a.test");
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_string_equal(uf_str(fx, fx->fl.msgs[1].target),
	    "http://a.test/2");
}

/*
 * 1xx answers are interim (RFC 9110 15.2): the final answer that follows
 * is the one that pairs. HEAD, 204 and 304 answers have no body whatever
 * their Content-Length says (RFC 9110 6.4.1), so the next head follows at
 * once.
 */
static void
test_interim_and_bodyless_answers(void **state)
{
	struct uf *fx = *state;
	static const char *const answers[] = {
		"HTTP/1.1 100 Continue\r\n\r\n",
		"HTTP/1.1 199 Misc\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
		"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n",
		"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n",
	};
	static const uint16_t status[] = { 200, 204, 304, 200, 502 };

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv,
	    "GET http://a.test/1 HTTP/1.1\r\nHost: a.test\r\n\r\n"
	    "GET http://a.test/2 HTTP/1.1\r\nHost: a.test\r\n\r\n"
	    "GET http://a.test/3 HTTP/1.1\r\nHost: a.test\r\n\r\n"
	    "HEAD http://a.test/4 HTTP/1.1\r\nHost: a.test\r\n\r\n"
	    "GET http://a.test/5 HTTP/1.1\r\nHost: a.test\r\n\r\n");
	for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++)
		uf_send(fx, &fx->srv, &fx->cli, answers[i]);
	assert_int_equal(fx->fl.conns[0].nmsg[0], 5);
	assert_int_equal(fx->fl.conns[0].nmsg[1], 5);
	for (uint32_t i = 0; i < 5; i++) {
		const struct http_msg *m = &fx->fl.msgs[5 + i];

		assert_int_equal(m->status, status[i]);
		assert_true(m->complete);
		assert_int_equal(m->pair, i);
		assert_int_equal(fx->fl.msgs[i].pair, 5 + i);
	}
	/* the 200 after the interim answers ended with its body */
	assert_int_equal(fx->fl.msgs[5].end.number, 6);
	assert_int_equal(fx->fl.msgs[9].end.number, 10);
}

/*
 * CONNECT answered 2xx, and 101 Switching Protocols, turn the connection
 * into a tunnel (RFC 9110 9.3.6, 15.2.2): bytes in either direction after
 * that are not HTTP, however much they look like it. CONNECT answered
 * otherwise (407) leaves it HTTP: the next request is one.
 */
static void
test_tunnels(void **state)
{
	struct uf *fx = *state;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv,
	    "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n");
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 Connection established\r\n\r\n");
	uf_get(fx, &fx->cli, &fx->srv, "http://a.test/", "a.test");
	uf_status(fx, &fx->srv, &fx->cli, 502);
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_true(fx->fl.msgs[0].complete);
	assert_true(fx->fl.msgs[1].complete);

	fx->cli.port = 41001;
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv,
	    "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n");
	uf_send(fx, &fx->srv, &fx->cli, "HTTP/1.1 407 Proxy Authentication "
	    "Required\r\nContent-Length: 0\r\n\r\n");
	uf_send(fx, &fx->cli, &fx->srv,
	    "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n"
	    "Proxy-Authorization: Basic eDp5\r\n\r\n");
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 Connection established\r\n\r\n");
	uf_status(fx, &fx->srv, &fx->cli, 503);
	assert_int_equal(fx->fl.conns[1].nmsg[0], 2);
	assert_int_equal(fx->fl.conns[1].nmsg[1], 2);
	assert_int_equal(fx->fl.msgs[5].status, 200);
	assert_int_equal(fx->fl.msgs[5].pair, 4);

	fx->cli.port = 41002;
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv, "GET http://a.test/ws HTTP/1.1\r\n"
	    "Host: a.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
	uf_get(fx, &fx->cli, &fx->srv, "http://a.test/", "a.test");
	uf_status(fx, &fx->srv, &fx->cli, 502);
	assert_int_equal(fx->fl.conns[2].nmsg[0], 1);
	assert_int_equal(fx->fl.conns[2].nmsg[1], 1);
	assert_int_equal(fx->fl.msgs[7].status, 101);
}

/*
 * A Content-Length body ends in the frame with its last byte; until then
 * the message is known by its head's frame. Keep-alive: the next exchange
 * on the connection pairs with its own request.
 */
static void
test_body_end_frame_keep_alive(void **state)
{
	struct uf *fx = *state;
	uint64_t head, end;

	uf_handshake(fx, &fx->cli, &fx->srv);
	for (uint32_t round = 0; round < 3; round++) {
		uf_get(fx, &fx->cli, &fx->srv, "http://a.test/", "a.test");
		head = uf_send(fx, &fx->srv, &fx->cli,
		    "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nhello ");
		assert_false(fx->fl.msgs[2 * round + 1].complete);
		assert_int_equal(flow_msg_frame(&fx->fl.msgs[2 * round +
		    1])->number, head);
		end = uf_send(fx, &fx->srv, &fx->cli, "world!");
		assert_true(fx->fl.msgs[2 * round + 1].complete);
		assert_int_equal(fx->fl.msgs[2 * round + 1].head.number, head);
		assert_int_equal(fx->fl.msgs[2 * round + 1].end.number, end);
		assert_int_equal(fx->fl.msgs[2 * round + 1].pair, 2 * round);
	}
	assert_int_equal(fx->fl.nmsgs, 6);
}

/*
 * The capture lost n bytes of a body (the receiver got them: its ACK
 * covers them), the rest of the body is held behind the hole. The ACK
 * shows the hole will not be filled: the body is counted past it and
 * the message ends in the frame of its last byte, the next head follows.
 */
static void
body_hole_acked(uint32_t n)
{
	static const uint16_t ports[] = { 9090 };
	struct uf u, *fx = &u;
	uint64_t rest;

	memset(&u, 0, sizeof u);
	assert_int_equal(flow_init(&u.fl, ports, 1), 0);
	uf_side_init(&u.cli, "10.0.0.5", 40000, 1000);
	uf_side_init(&u.srv, "10.0.0.1", 9090, 5000);
	u.next_ts_ns = UF_FRAME_GAP_NS;
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv,
	    "GET http://a.test/1 HTTP/1.1\r\nHost: a.test\r\n\r\n"
	    "GET http://a.test/2 HTTP/1.1\r\nHost: a.test\r\n\r\n");
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n");
	fx->srv.seq += n;	/* lost from the capture */
	rest = uf_send_bytes(fx, &fx->srv, &fx->cli, "01234567890123456789",
	    20 - n);
	uf_status(fx, &fx->srv, &fx->cli, 504);
	assert_false(fx->fl.msgs[2].complete);	/* held behind the hole */
	/* the client acknowledges the lost bytes only */
	uf_tcp(fx, &fx->cli, &fx->srv, fx->cli.seq, fx->srv.seq - 20 + n -
	    (uint32_t)strlen("HTTP/1.1 504 Gateway Timeout\r\n"
	    "Content-Length: 0\r\n\r\n"), TCPF_ACK, NULL, 0);
	assert_true(fx->fl.msgs[2].complete);
	assert_int_equal(fx->fl.msgs[2].end.number, rest);
	assert_int_equal(fx->fl.nmsgs, 4);
	assert_int_equal(fx->fl.msgs[3].status, 504);
	assert_int_equal(fx->fl.stats.stream_gaps, n);
	flow_free(&u.fl);
}

static void
test_body_hole_acked(void **state)
{
	(void)state;
	body_hole_acked(1);
	body_hole_acked(2);
	body_hole_acked(7);
}

/*
 * A body that runs until the server closes ends with its FIN (RFC 9112
 * 6.3); both FINs close the connection, and a SYN on the same ports then
 * starts a new one. A head cut by the close is an invalid reply. An RST
 * says who sent it.
 */
static void
test_fin_and_rst(void **state)
{
	struct uf *fx = *state;
	uint64_t fin;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_get(fx, &fx->cli, &fx->srv, "http://a.test/", "a.test");
	uf_send(fx, &fx->srv, &fx->cli, "HTTP/1.0 200 OK\r\n\r\nbody...");
	assert_false(fx->fl.msgs[1].complete);
	fin = uf_fin(fx, &fx->srv, &fx->cli);
	assert_true(fx->fl.msgs[1].complete);
	assert_int_equal(fx->fl.msgs[1].end.number, fin);
	assert_int_equal(fx->fl.conns[0].fin[1].number, fin);
	assert_false(fx->fl.conns[0].closed);
	fin = uf_fin(fx, &fx->cli, &fx->srv);
	assert_int_equal(fx->fl.conns[0].fin[0].number, fin);
	assert_true(fx->fl.conns[0].closed);
	assert_null(fx->fl.conns[0].stream);

	fx->cli.seq += 100000;
	uf_handshake(fx, &fx->cli, &fx->srv);
	assert_int_equal(fx->fl.nconns, 2);
	uf_get(fx, &fx->cli, &fx->srv, "http://a.test/", "a.test");
	uf_send(fx, &fx->srv, &fx->cli, "HTTP/1.1 200 OK\r\nContent-Le");
	fin = uf_fin(fx, &fx->srv, &fx->cli);
	assert_int_equal(fx->fl.conns[1].nmsg[1], 1);
	assert_false(fx->fl.msgs[3].valid);
	assert_int_equal(fx->fl.msgs[3].end.number, fin);
	uf_rst(fx, &fx->cli, &fx->srv);
	assert_true(fx->fl.conns[1].closed);
	assert_false(fx->fl.conns[1].rst_from_server);
	assert_int_equal(fx->fl.conns[1].rst.number, fx->frame);
}

static bool
refers_to(const struct conn *c, uint32_t mi)
{
	uint32_t out[3];
	size_t n = stream_msg_refs(c, out);

	for (size_t i = 0; i < n; i++)
		if (out[i] == mi)
			return true;
	return false;
}

/* A message whose body is still coming, in either direction, is one the
 * parser refers to (flow.h: a retire must keep it). */
static void
test_msg_refs_in_progress(void **state)
{
	struct uf *fx = *state;
	const struct conn *c;

	uf_handshake(fx, &fx->cli, &fx->srv);
	c = &fx->fl.conns[0];
	uf_send(fx, &fx->cli, &fx->srv, "POST http://a.test/ HTTP/1.1\r\n"
	    "Host: a.test\r\nContent-Length: 10\r\n\r\n01234");
	assert_int_equal(fx->fl.nmsgs, 1);
	assert_true(refers_to(c, 0));
	uf_send(fx, &fx->cli, &fx->srv, "56789");
	assert_true(fx->fl.msgs[0].complete);
	uf_send(fx, &fx->srv, &fx->cli,
	    "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 10\r\n\r\n0");
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_true(refers_to(c, 1));
	uf_send(fx, &fx->srv, &fx->cli, "123456789");
	assert_true(fx->fl.msgs[1].complete);
	assert_false(refers_to(c, 1));
}

/*
 * What the connection counts: the first payload frame and the payload
 * bytes of each direction as they were on the wire (a segment cut by the
 * snap length counts whole), and every ICMP error quoting it, the first
 * one kept and the last one's frame.
 */
static void
test_conn_counts(void **state)
{
	struct uf *fx = *state;
	const struct conn *c;
	struct pkt p;
	uint64_t first;

	fx->srv.port = 80;
	uf_syn(fx, &fx->cli, &fx->srv);
	c = &fx->fl.conns[0];
	first = uf_icmp(fx, "10.0.0.254", &fx->cli, &fx->srv, 3, 13);
	uf_syn(fx, &fx->cli, &fx->srv);
	uf_icmp(fx, "10.0.0.253", &fx->cli, &fx->srv, 3, 1);
	uf_syn(fx, &fx->cli, &fx->srv);
	/* one quoting the server's packet to the client is not about
	 * this connection's SYN */
	uf_icmp(fx, "10.0.0.252", &fx->srv, &fx->cli, 3, 3);
	c = &fx->fl.conns[0];
	assert_int_equal(fx->fl.nicmps, 1);
	assert_int_equal(conn_icmp(&fx->fl, c)->first.number, first);
	assert_int_equal(conn_icmp(&fx->fl, c)->ver, 4);
	assert_int_equal(conn_icmp(&fx->fl, c)->type, 3);
	assert_int_equal(conn_icmp(&fx->fl, c)->code, 13);
	assert_true(addr_eq(&conn_icmp(&fx->fl, c)->from, &(struct gw_addr){ 4,
	    { 10, 0, 0, 254 } }));
	assert_int_equal(conn_icmp(&fx->fl, c)->last.number, first + 2);
	assert_int_equal(c->nsyn, 3);
	assert_int_equal(conn_syn(c, 2)->number, first + 3);
	uf_synack(fx, &fx->srv, &fx->cli);
	uf_pkt_between(&p, L4_TCP, &fx->cli, &fx->srv);
	p.seq = fx->cli.seq;
	p.tcp_flags = TCPF_ACK | TCPF_PSH;
	p.payload = (const uint8_t *)"GET / HTTP/1.1\r\n";
	p.payload_len = 16;
	p.payload_wire_len = 1400;
	first = uf_feed(fx, &p);
	fx->cli.seq += 1400;
	uf_send(fx, &fx->cli, &fx->srv, "x");
	uf_send(fx, &fx->srv, &fx->cli, "HTTP/1.1 400 Bad Request\r\n\r\n");
	assert_int_equal(c->data[0].number, first);
	assert_int_equal(c->data[1].number, fx->frame);
	assert_int_equal(c->bytes[0], 1401);
	assert_int_equal(c->bytes[1], 28);
}

/*
 * A long request head sent a byte a segment (an interactive client): one
 * message starting at the first byte's frame, its head complete at the
 * last byte's, every field whole.
 */
static void
test_request_bytewise(void **state)
{
	struct uf *fx = *state;
	uint64_t first, last;

	uf_handshake(fx, &fx->cli, &fx->srv);
	first = fx->frame + 1;
	last = send_bytewise(fx, &fx->cli, &fx->srv,
	    "GET http://bytewise.test/a/rather/long/path?q=1 HTTP/1.1\r\n"
	    "Host: bytewise.test\r\nUser-Agent: slow/1.0\r\n"
	    "Accept: */*\r\n\r\n");
	assert_int_equal(fx->fl.nmsgs, 1);
	assert_int_equal(fx->fl.msgs[0].start.number, first);
	assert_int_equal(fx->fl.msgs[0].head.number, last);
	assert_true(fx->fl.msgs[0].complete);
	assert_string_equal(uf_str(fx, fx->fl.msgs[0].host), "bytewise.test");
	assert_string_equal(uf_str(fx, fx->fl.msgs[0].target),
	    "http://bytewise.test/a/rather/long/path?q=1");
	uf_status(fx, &fx->srv, &fx->cli, 502);
	assert_int_equal(fx->fl.msgs[1].pair, 0);
}

/*
 * An answer whose six segments arrive last first (after the first): TCP
 * hands the bytes over in order once the hole is filled, so the message
 * is whole, with its body, and the next answer pairs with the next
 * request. A held segment sent again changes nothing.
 */
static void
test_reversed_segments(void **state)
{
	struct uf *fx = *state;
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n"
	    "\r\n01234567890123456789HTTP/1.1 504 Gateway Timeout\r\n"
	    "Content-Length: 0\r\n\r\n";
	size_t len = sizeof resp - 1, cut = (len + 5) / 6;
	uint32_t base;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send(fx, &fx->cli, &fx->srv,
	    "GET http://a.test/1 HTTP/1.1\r\nHost: a.test\r\n\r\n"
	    "GET http://a.test/2 HTTP/1.1\r\nHost: a.test\r\n\r\n");
	base = fx->srv.seq;
	uf_segment(fx, &fx->srv, &fx->cli, base, TCPF_ACK, resp, cut);
	for (size_t k = 5; k >= 1; k--) {
		size_t at = k * cut, n = len - at < cut ? len - at : cut;

		uf_segment(fx, &fx->srv, &fx->cli, base + (uint32_t)at, TCPF_ACK,
		    resp + at, n);
		if (k == 3)	/* a held one again */
			uf_segment(fx, &fx->srv, &fx->cli,
			    base + (uint32_t)(4 * cut), TCPF_ACK,
			    resp + 4 * cut, cut);
		/* nothing past the hole is parsed until it is filled */
		assert_int_equal(fx->fl.nmsgs, k > 1 ? 2 : 4);
	}
	fx->srv.seq += (uint32_t)len;
	uf_segment(fx, &fx->srv, &fx->cli, base + (uint32_t)cut, TCPF_ACK,
	    resp + cut, cut);	/* a late duplicate */
	assert_int_equal(fx->fl.nmsgs, 4);
	assert_true(fx->fl.msgs[2].complete);
	assert_int_equal(fx->fl.msgs[2].pair, 0);
	assert_int_equal(fx->fl.msgs[3].status, 504);
	assert_int_equal(fx->fl.msgs[3].pair, 1);
	assert_int_equal(fx->fl.stats.stream_gaps, 0);
}

/*
 * A chunk size too big for any integer (RFC 9112 7.1: recipients must
 * guard against overflow) is not taken for the small number it wraps
 * to: the bytes after it are not the end of the message.
 */
static void
test_chunk_size_overflow(void **state)
{
	struct uf *fx = *state;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_get(fx, &fx->cli, &fx->srv, "http://a.test/", "a.test");
	uf_send(fx, &fx->srv, &fx->cli, "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "10000000000000010\r\n0123456789abcdef\r\n0\r\n\r\n");
	uf_send(fx, &fx->srv, &fx->cli, "HTTP/1.1 502 Bad Gateway\r\n"
	    "Content-Length: 0\r\n\r\n");
	assert_int_equal(fx->fl.nmsgs, 2);
	assert_false(fx->fl.msgs[1].complete);
}

/* flow_init takes the first nports proxy ports, at most
 * FLOW_MAX_PROXY_PORTS of them, and no others. */
static void
test_proxy_ports(void **state)
{
	uint16_t ports[FLOW_MAX_PROXY_PORTS + 4];
	struct flow fl;

	(void)state;
	for (uint16_t i = 0; i < FLOW_MAX_PROXY_PORTS + 4; i++)
		ports[i] = (uint16_t)(8000 + i);
	assert_int_equal(flow_init(&fl, ports, 1), 0);
	assert_true(flow_is_proxy_port(&fl, 8000));
	assert_false(flow_is_proxy_port(&fl, 8001));
	assert_false(flow_is_proxy_port(&fl, 0));
	flow_free(&fl);
	assert_int_equal(flow_init(&fl, ports, FLOW_MAX_PROXY_PORTS + 4), 0);
	assert_int_equal(fl.nproxy_ports, FLOW_MAX_PROXY_PORTS);
	assert_true(flow_is_proxy_port(&fl, 8000 + FLOW_MAX_PROXY_PORTS - 1));
	assert_false(flow_is_proxy_port(&fl, 8000 + FLOW_MAX_PROXY_PORTS));
	flow_free(&fl);
}

/* A TCP segment cut into IP fragments: only the first carries the TCP
 * header, so only it is a segment of the connection; the others make no
 * connection of port 0 and are counted as fragments only. */
static void
test_tcp_fragments(void **state)
{
	struct uf *fx = *state;
	static const uint8_t cli[4] = { 10, 0, 0, 5 }, srv[4] = { 10, 0, 0, 1 };
	static const char data[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	uint8_t tcp[20 + sizeof data], pkt[100];
	size_t len;

	memset(tcp, 0, 20);
	tcp[0] = 40000 >> 8, tcp[1] = 40000 & 0xff;
	tcp[2] = 9090 >> 8, tcp[3] = 9090 & 0xff;
	tcp[7] = 100;
	tcp[12] = 5 << 4;
	tcp[13] = TCPF_ACK | TCPF_PSH;
	memcpy(tcp + 20, data, sizeof data - 1);
	len = unit_ip4(pkt, 6, cli, srv, 9, 0x2000, tcp, 24);
	uf_feed_raw(fx, pkt, len);
	len = unit_ip4(pkt, 6, cli, srv, 9, 24 / 8, tcp + 24,
	    20 + sizeof data - 1 - 24);
	uf_feed_raw(fx, pkt, len);
	assert_int_equal(fx->fl.stats.fragments, 2);
	assert_int_equal(fx->fl.stats.tcp, 1);
	for (size_t i = 0; i < fx->fl.nconns; i++) {
		assert_int_equal(fx->fl.conns[i].cport, 40000);
		assert_int_equal(fx->fl.conns[i].sport, 9090);
	}
}

/*
 * The capture starts with an answer whose request it missed: pairing
 * stays "the k-th response for the k-th request and back" (flow.h), so a
 * message is only ever paired with one of the other direction, and both
 * ends of a pair name each other.
 */
static void
test_pairs_after_orphan_answer(void **state)
{
	struct uf *fx = *state;

	uf_status(fx, &fx->srv, &fx->cli, 200);	/* no SYN, no request */
	uf_get(fx, &fx->cli, &fx->srv, "http://a.test/1", "a.test");
	uf_status(fx, &fx->srv, &fx->cli, 502);
	uf_get(fx, &fx->cli, &fx->srv, "http://a.test/2", "a.test");
	uf_status(fx, &fx->srv, &fx->cli, 504);
	assert_int_equal(fx->fl.nmsgs, 5);
	for (uint32_t i = 0; i < fx->fl.nmsgs; i++) {
		const struct http_msg *m = &fx->fl.msgs[i];

		if (m->pair == NONE32)
			continue;
		assert_int_not_equal(fx->fl.msgs[m->pair].dir, m->dir);
		assert_int_equal(fx->fl.msgs[m->pair].pair, i);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chunked_then_next,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_chunked_request,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_interim_and_bodyless_answers, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_tunnels, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_body_end_frame_keep_alive,
		    uf_setup, uf_teardown),
		cmocka_unit_test(test_body_hole_acked),
		cmocka_unit_test_setup_teardown(test_fin_and_rst, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_msg_refs_in_progress,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_conn_counts, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_request_bytewise, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_reversed_segments,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_chunk_size_overflow,
		    uf_setup, uf_teardown),
		cmocka_unit_test(test_proxy_ports),
		cmocka_unit_test_setup_teardown(test_tcp_fragments, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_pairs_after_orphan_answer,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
