/*
 * test_flow_gaps.c: bytes the capture does not have (a segment cut by the
 * snap length), by where they fall. Inside a body whose length is known
 * (Content-Length, a chunk's data, until close) they are skipped blind
 * and the message goes on to its end; where the parser needs the bytes
 * (a head, a chunk-size line, DNS over TCP's framing) that direction is
 * given up. A body whose last bytes are missing has no known end frame,
 * but the next head is read. Every missing byte is counted once. And the
 * role of a connection with its SYN: the first request's form says it
 * (absolute-form or CONNECT: a client of a proxy; origin-form: a gateway
 * talking to a server); a client that does not speak HTTP, or a server
 * that speaks first, makes no message.
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

/* s from `from`, of which the capture kept only the first `kept` bytes;
 * the sender's sequence moves past all of it. */
static uint64_t
send_kept(struct uf *fx, struct uf_side *from, const struct uf_side *to,
    const char *s, size_t kept)
{
	struct pkt p;
	uint64_t n;

	uf_pkt_between(&p, L4_TCP, from, to);
	p.seq = from->seq;
	p.tcp_flags = TCPF_ACK | TCPF_PSH;
	p.payload = (const uint8_t *)s;
	p.payload_len = (uint32_t)kept;
	p.payload_wire_len = (uint32_t)strlen(s);
	n = uf_feed(fx, &p);
	from->seq += (uint32_t)strlen(s);
	return n;
}

/* A new connection from client port `port` with its GET sent; the
 * server's side is *srv. */
static void
open_get(struct uf *fx, uint16_t port, struct uf_side *cli,
    struct uf_side *srv)
{
	*cli = fx->cli;
	*srv = fx->srv;
	cli->port = port;
	uf_handshake(fx, cli, srv);
	uf_get(fx, cli, srv, "http://gaps.test/", "gaps.test");
	uf_get(fx, cli, srv, "http://gaps.test/2", "gaps.test");
}

/* The k-th answer of the newest connection, or NULL. */
static const struct http_msg *
answer(const struct uf *fx, unsigned k)
{
	const struct conn *c = &fx->fl.conns[fx->fl.nconns - 1];
	uint32_t mi = c->first_msg[1];

	while (mi != NONE32 && k-- > 0)
		mi = fx->fl.msgs[mi].next;
	return mi == NONE32 ? NULL : &fx->fl.msgs[mi];
}

static void
test_gap_in_bodies(void **state)
{
	static const char ok0[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	struct uf *fx = *state;
	struct uf_side c, s;
	uint64_t gaps = 0, end;

	/* inside a Content-Length body: it still ends where it ends */
	open_get(fx, 40001, &c, &s);
	uf_send(fx, &s, &c, "HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n");
	send_kept(fx, &s, &c, "0123456789", 4);
	gaps += 6;
	assert_int_equal(fx->fl.stats.stream_gaps, gaps);
	assert_false(answer(fx, 0)->complete);
	uf_send(fx, &s, &c, "012345678");
	assert_false(answer(fx, 0)->complete);
	end = uf_send(fx, &s, &c, "90123456789");
	assert_true(answer(fx, 0)->complete);
	assert_int_equal(answer(fx, 0)->end.number, end);
	uf_status(fx, &s, &c, 502);
	assert_int_equal(answer(fx, 1)->status, 502);

	/* the body's last bytes missing: no end frame, the next head read */
	open_get(fx, 40002, &c, &s);
	uf_send(fx, &s, &c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
	send_kept(fx, &s, &c, "0123456789", 3);
	gaps += 7;
	assert_false(answer(fx, 0)->complete);
	uf_status(fx, &s, &c, 503);
	assert_int_equal(answer(fx, 1)->status, 503);
	assert_false(answer(fx, 0)->complete);

	/* missing bytes past the body's end, into the next head: given up */
	open_get(fx, 40003, &c, &s);
	uf_send(fx, &s, &c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
	send_kept(fx, &s, &c, "0123456789HTTP/1.1 5", 3);
	gaps += 17;
	uf_send(fx, &s, &c, "02 Bad Gateway\r\n\r\n");
	uf_status(fx, &s, &c, 504);
	assert_null(answer(fx, 1));

	/* chunked: inside a chunk's data skipped; the next size line read */
	open_get(fx, 40004, &c, &s);
	uf_send(fx, &s, &c,
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n");
	send_kept(fx, &s, &c, "0123456789abcdef", 2);
	gaps += 14;
	end = uf_send(fx, &s, &c, "\r\n3\r\nabc\r\n0\r\n\r\n");
	assert_true(answer(fx, 0)->complete);
	assert_int_equal(answer(fx, 0)->end.number, end);
	uf_status(fx, &s, &c, 502);
	assert_int_equal(answer(fx, 1)->status, 502);

	/* chunked: a size line missing: given up */
	open_get(fx, 40005, &c, &s);
	uf_send(fx, &s, &c,
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	send_kept(fx, &s, &c, "3\r\nabc\r\n", 1);
	gaps += 7;
	uf_send(fx, &s, &c, "0\r\n\r\n");
	uf_status(fx, &s, &c, 502);
	assert_false(answer(fx, 0)->complete);
	assert_null(answer(fx, 1));

	/* until close: skipped, and the close ends it */
	open_get(fx, 40006, &c, &s);
	uf_send(fx, &s, &c, "HTTP/1.1 200 OK\r\n\r\nsome");
	send_kept(fx, &s, &c, "more bytes", 0);
	gaps += 10;
	end = uf_fin(fx, &s, &c);
	assert_true(answer(fx, 0)->complete);
	assert_int_equal(answer(fx, 0)->end.number, end);

	/* inside a head: nothing more is read that way */
	open_get(fx, 40007, &c, &s);
	send_kept(fx, &s, &c, ok0, 10);
	gaps += strlen(ok0) - 10;
	uf_status(fx, &s, &c, 502);
	assert_null(answer(fx, 0));
	/* the requests are still read */
	uf_get(fx, &c, &s, "http://gaps.test/3", "gaps.test");
	assert_int_equal(fx->fl.conns[fx->fl.nconns - 1].nmsg[0], 3);
	assert_int_equal(fx->fl.stats.stream_gaps, gaps);
}

/* DNS over TCP: a gap loses the messages' framing; what follows that
 * way is not read, the other way is. */
static void
test_gap_in_dns_over_tcp(void **state)
{
	struct uf *fx = *state;
	struct uf_side res, dns;
	uint8_t q[UF_DNS_MAX], a[UF_DNS_MAX];
	struct uf_dns m = { .id = 9, .qtype = DNS_T_A, .qname = "t.test" };
	static const struct uf_rr rr[] = { { DNS_T_A, NULL, 5, "192.0.2.5" } };
	size_t nq, na;
	struct pkt p;

	uf_side_init(&res, "10.0.0.1", 40000, 100);
	uf_side_init(&dns, "10.0.0.53", 53, 900);
	uf_handshake(fx, &res, &dns);
	nq = uf_dns_tcp_wire(q, sizeof q, &m);
	m.response = true;
	m.rrs = rr;
	m.nrrs = 1;
	na = uf_dns_tcp_wire(a, sizeof a, &m);
	uf_pkt_between(&p, L4_TCP, &dns, &res);
	p.seq = dns.seq;
	p.tcp_flags = TCPF_ACK;
	p.payload = a;
	p.payload_len = 1;
	p.payload_wire_len = (uint32_t)na;
	uf_feed(fx, &p);	/* an answer cut after one byte */
	dns.seq += (uint32_t)na;
	uf_send_bytes(fx, &res, &dns, q, nq);
	assert_int_equal(fx->fl.ndns, 1);
	uf_send_bytes(fx, &dns, &res, a, na);
	assert_int_equal(fx->fl.dns[0].rcode, -1);
	assert_int_equal(fx->fl.stats.stream_gaps, na - 1);
	m.id = 10;
	m.response = false;
	nq = uf_dns_tcp_wire(q, sizeof q, &m);
	uf_send_bytes(fx, &res, &dns, q, nq);
	assert_int_equal(fx->fl.ndns, 2);
	assert_true(fx->fl.dns[1].over_tcp);
}

/* The role a connection's first request gives it, for good. */
static void
test_roles_with_syn(void **state)
{
	struct uf *fx = *state;
	static const struct { const char *head; uint8_t role; } cases[] = {
		{ "GET / HTTP/1.1\r\nHost: o.test\r\n\r\n", CONN_UPSTREAM },
		{ "GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n",
		    CONN_CLIENT },
		{ "CONNECT t.test:443 HTTP/1.1\r\nHost: t.test:443\r\n\r\n",
		    CONN_CLIENT },
		{ "OPTIONS * HTTP/1.1\r\nHost: o.test\r\n\r\n", CONN_UPSTREAM },
	};

	fx->srv.port = 80;
	for (uint16_t i = 0; i < 4; i++) {
		struct uf_side c = fx->cli, s = fx->srv;
		const struct conn *cn;

		c.port = (uint16_t)(41000 + i);
		uf_handshake(fx, &c, &s);
		assert_int_equal(fx->fl.conns[i].role, CONN_OTHER);
		uf_send(fx, &c, &s, cases[i].head);
		cn = &fx->fl.conns[i];
		assert_int_equal(cn->role, cases[i].role);
		assert_int_equal(cn->nmsg[0], 1);
		if (i == 0) {	/* a later absolute-form request: no change */
			uf_get(fx, &c, &s, "http://x.test/", "x.test");
			assert_int_equal(fx->fl.conns[0].role, CONN_UPSTREAM);
			assert_int_equal(fx->fl.conns[0].nmsg[0], 2);
		}
	}
}

/* Not HTTP: a client's first bytes that are no request, a server that
 * speaks first (SSH, SMTP): no message either way, and the server's
 * bytes are still counted. */
static void
test_not_http(void **state)
{
	struct uf *fx = *state;
	struct uf_side c = fx->cli, s = fx->srv;
	const struct conn *cn;

	s.port = 22;
	uf_handshake(fx, &c, &s);
	uf_send(fx, &s, &c, "SSH-2.0-OpenSSH_9.6\r\n");
	uf_send(fx, &c, &s, "SSH-2.0-client\r\n");
	uf_send(fx, &s, &c, "HTTP/1.1 200 OK\r\n\r\n");
	uf_send(fx, &c, &s, "GET / HTTP/1.1\r\nHost: s\r\n\r\n");
	cn = &fx->fl.conns[0];
	assert_int_equal(fx->fl.nmsgs, 0);
	assert_true(cn->no_http);
	assert_null(cn->stream);
	assert_int_equal(cn->bytes[0], 16 + 27);
	assert_int_equal(cn->bytes[1], 21 + 19);
	assert_int_equal(cn->role, CONN_OTHER);

	/* the server first, then the client's request: only the request */
	c.port = 40001;
	s.port = 25;
	uf_handshake(fx, &c, &s);
	uf_send(fx, &s, &c, "220 mail.test ESMTP\r\n");
	assert_null(fx->fl.conns[1].stream);
	uf_send(fx, &c, &s, "EHLO client.test\r\n");
	assert_true(fx->fl.conns[1].no_http);
	assert_int_equal(fx->fl.nmsgs, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gap_in_bodies, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_gap_in_dns_over_tcp,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_roles_with_syn, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_not_http, uf_setup,
		    uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
