/*
 * test_flow_pending.c: flows without a SYN on an upstream port (80), which
 * wait until the client's bytes show an HTTP request head. What flow.h and
 * pending.c promise: the flow becomes a connection in the frame whose bytes
 * end the head, wherever the segments cut it and whichever line ends it
 * uses (CRLF or a bare LF, RFC 9112 2.2); empty lines before the request
 * line are ignored, as the parser ignores them on any connection;
 * retransmitted bytes count once; a hole or a snap-length cut before the
 * head ends gives the flow up, and so do bytes of another protocol; the
 * bytes waiting are bounded (8 MiB), the least recently active flow going
 * first, counted; a flow idle for more than a minute is forgotten, one
 * idle for exactly a minute is not.
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

/* realloc made to fail while armed, as glibc lets a program replace it;
 * under AddressSanitizer, which has its own allocator, never armed */
#if defined(__SANITIZE_ADDRESS__)
#define PENDING_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PENDING_ASAN 1
#endif
#endif
static bool realloc_fails;
#ifndef PENDING_ASAN
extern void *__libc_realloc(void *, size_t);

void *
realloc(void *p, size_t n)
{
	return realloc_fails ? NULL : __libc_realloc(p, n);
}
#endif

/* The connection of client port `port`, or NULL. */
static const struct conn *
conn_at(const struct uf *fx, uint16_t port)
{
	for (size_t i = 0; i < fx->fl.nconns; i++)
		if (fx->fl.conns[i].cport == port &&
		    addr_eq(&fx->fl.conns[i].caddr, &fx->cli.addr))
			return &fx->fl.conns[i];
	return NULL;
}

/* The first request of the connection of client port `port` (it must
 * exist). */
static const struct http_msg *
request_at(const struct uf *fx, uint16_t port)
{
	const struct conn *c = conn_at(fx, port);

	if (c == NULL)
		fail_msg("no connection from port %u", port);
	if (c->first_msg[0] == NONE32)
		fail_msg("no request from port %u", port);
	return &fx->fl.msgs[c->first_msg[0]];
}

/*
 * Sends head from a new client port cut at a and b (0 < a <= b < len;
 * a == b: two segments) and checks that the flow became a connection in
 * the last segment's frame, not before, with the whole head.
 */
static void
send_cut(struct uf *fx, uint16_t port, const char *head, size_t a, size_t b,
    const char *target)
{
	struct uf_side c = fx->cli;
	size_t len = strlen(head);
	uint64_t first, last;
	const struct http_msg *m;

	c.port = port;
	first = uf_send_bytes(fx, &c, &fx->srv, head, a);
	if (b > a) {
		uf_send_bytes(fx, &c, &fx->srv, head + a, b - a);
	}
	assert_null(conn_at(fx, port));
	last = uf_send_bytes(fx, &c, &fx->srv, head + b, len - b);
	m = request_at(fx, port);
	assert_true(m->valid);
	assert_true(m->complete);
	assert_int_equal(m->start.number, first);
	assert_int_equal(m->head.number, last);
	assert_string_equal(uf_str(fx, m->target), target);
	assert_int_equal(conn_at(fx, port)->bytes[0], len);
}

/*
 * A head longer than what is judged on every segment (64 bytes), so that
 * only its end lets it be judged: cut in two at every byte and in three
 * around its end, with CRLF, bare LF and mixed line ends. A cut at a
 * single line end (the request line's) is not taken for the head's end.
 */
static void
test_head_end_found_wherever_cut(void **state)
{
	struct uf *fx = *state;
	/* the line ends after the request line, Host and Accept */
	static const char *const ends[][3] = {
		{ "\r\n", "\r\n", "\r\n\r\n" },
		{ "\n", "\n", "\n\n" },
		{ "\r\n", "\n", "\n\r\n" },
		{ "\r\n", "\r\n", "\r\n\n" },
	};
	char target[66], head[256];
	uint16_t port = 20000;
	size_t nconns = 0;

	target[0] = '/';
	memset(target + 1, 'a', 64);
	target[65] = '\0';
	for (size_t e = 0; e < sizeof ends / sizeof ends[0]; e++) {
		size_t len = (size_t)snprintf(head, sizeof head,
		    "GET %s HTTP/1.1%sHost: pending.test%sAccept: */*%s",
		    target, ends[e][0], ends[e][1], ends[e][2]);

		for (size_t a = 1; a < len; a++) {
			send_cut(fx, port++, head, a, a, target);
			nconns++;
		}
		for (size_t a = len - 8; a < len - 1; a++)
			for (size_t b = a + 1; b < len; b++) {
				send_cut(fx, port++, head, a, b, target);
				nconns++;
			}
	}
	assert_int_equal(fx->fl.nconns, nconns);
	assert_int_equal(fx->fl.stats.pending_dropped, 0);
}

/*
 * RFC 9112 2.2: empty lines before the request line are ignored; the
 * parser ignores them on a connection with its SYN, and a flow without
 * one is not given up for them (nor for a bare LF among them).
 */
static void
test_empty_lines_before_request(void **state)
{
	struct uf *fx = *state;
	static const char *const lead[] = { "\r\n", "\n", "\n\n", "\n\r\n",
	    "\r\n\r\n", "\r\n\n\r\n\n" };
	uint16_t port = 30000;

	for (size_t i = 0; i < sizeof lead / sizeof lead[0]; i++) {
		struct uf_side c = fx->cli;
		uint64_t first, last;
		const struct http_msg *m;

		c.port = port;
		first = uf_send(fx, &c, &fx->srv, lead[i]);
		uf_send(fx, &c, &fx->srv, "GET /lead HTTP/1.1\r\n");
		assert_null(conn_at(fx, port));
		last = uf_send(fx, &c, &fx->srv, "Host: lead.test\r\n\r\n");
		m = request_at(fx, port);
		assert_true(m->valid);
		assert_int_equal(m->start.number, first);
		assert_int_equal(m->head.number, last);
		assert_string_equal(uf_str(fx, m->target), "/lead");
		assert_string_equal(uf_str(fx, m->host), "lead.test");
		uf_send(fx, &fx->srv, &c, "HTTP/1.1 204 No Content\r\n\r\n");
		m = request_at(fx, port);	/* msgs may have moved */
		assert_int_equal(fx->fl.msgs[m->pair].status, 204);
		port++;
	}
	/* and in one segment with the head */
	{
		struct uf_side c = fx->cli;

		c.port = port;
		uf_send(fx, &c, &fx->srv,
		    "\n\nGET /one HTTP/1.1\r\nHost: lead.test\r\n\r\n");
		assert_string_equal(uf_str(fx, request_at(fx, port)->target),
		    "/one");
	}
}

/*
 * A flow given up while waiting (here: bytes that are not a request)
 * frees what it held; a flow that starts after it is judged by its own
 * bytes only, even where they end just before a line end.
 */
static void
test_flow_after_one_given_up(void **state)
{
	struct uf *fx = *state;
	struct uf_side bad = fx->cli, good = fx->cli;

	bad.port = 40001;
	good.port = 40002;
	for (int round = 0; round < 3; round++) {
		uf_send(fx, &bad, &fx->srv, "SSH-2.0-OpenSSH_9.6\n\n\n\n\n\n");
		/* its line end falls where the other's empty lines were */
		uf_send(fx, &good, &fx->srv, "GET /abcd HTTP/1.1\r\n");
		uf_send(fx, &good, &fx->srv, "Host: g\r\n");
		uf_send(fx, &good, &fx->srv, "\r\n");
		assert_non_null(conn_at(fx, good.port));
		assert_null(conn_at(fx, bad.port));
		bad.port += 2;
		good.port += 2;
	}
	assert_int_equal(fx->fl.nconns, 3);
}

/*
 * Retransmitted bytes while waiting (TCP delivers each byte once): a
 * segment resent whole, one that overlaps the end of what came and adds
 * more, one older than everything; the request is read as sent.
 */
static void
test_retransmitted_while_waiting(void **state)
{
	struct uf *fx = *state;
	static const char head[] = "GET /retransmitted HTTP/1.1\r\n"
	    "Host: rt.test\r\n\r\n";
	uint32_t isn = fx->cli.seq;
	uint64_t last;
	const struct http_msg *m;

	uf_segment(fx, &fx->cli, &fx->srv, isn, TCPF_ACK, head, 10);
	uf_segment(fx, &fx->cli, &fx->srv, isn, TCPF_ACK, head, 10);
	uf_segment(fx, &fx->cli, &fx->srv, isn + 4, TCPF_ACK, head + 4, 20);
	uf_segment(fx, &fx->cli, &fx->srv, isn, TCPF_ACK, head, 24);
	uf_segment(fx, &fx->cli, &fx->srv, isn + 1, TCPF_ACK, head + 1, 2);
	assert_int_equal(fx->fl.nconns, 0);
	last = uf_segment(fx, &fx->cli, &fx->srv, isn + 20, TCPF_ACK,
	    head + 20, strlen(head) - 20);
	m = request_at(fx, fx->cli.port);
	assert_true(m->valid);
	assert_int_equal(m->head.number, last);
	assert_int_equal(m->start.number, 1);
	assert_string_equal(uf_str(fx, m->target), "/retransmitted");
	assert_string_equal(uf_line(fx, m),
	    "GET /retransmitted HTTP/1.1");
	assert_string_equal(uf_str(fx, m->host), "rt.test");
	assert_int_equal(fx->fl.stats.stream_gaps, 0);
}

/*
 * A hole before the head ended (a lost segment), or a segment the
 * capture cut short: the head cannot be read, so the flow never becomes
 * a connection, however it goes on; nothing is counted as dropped.
 */
static void
test_hole_gives_up(void **state)
{
	struct uf *fx = *state;
	struct uf_side lost = fx->cli, cut = fx->cli;
	struct pkt p;

	lost.port = 40001;
	uf_send(fx, &lost, &fx->srv, "GET /lost HT");
	lost.seq += 3;	/* "TP/" lost */
	uf_send(fx, &lost, &fx->srv, "1.1\r\nHost: l\r\n\r\n");
	uf_send(fx, &lost, &fx->srv, "GET /next HTTP/1.1\r\nHost: l\r\n\r\n");
	assert_null(conn_at(fx, lost.port));

	cut.port = 40002;
	uf_send(fx, &cut, &fx->srv, "GET /cut HT");
	uf_pkt_between(&p, L4_TCP, &cut, &fx->srv);
	p.seq = cut.seq;
	p.tcp_flags = TCPF_ACK;
	p.payload = (const uint8_t *)"TP/1.1\r\n";
	p.payload_len = 8;
	p.payload_wire_len = 30;	/* snap length: 22 bytes not captured */
	uf_feed(fx, &p);
	cut.seq += 30;
	uf_send(fx, &cut, &fx->srv, "GET /next HTTP/1.1\r\nHost: c\r\n\r\n");
	assert_null(conn_at(fx, cut.port));

	assert_int_equal(fx->fl.nconns, 0);
	assert_int_equal(fx->fl.stats.pending_dropped, 0);
}

/*
 * Memory runs out while a head grows (its buffer cannot): the flow is
 * given up as for a hole, even when a segment at the same place then
 * brings a whole request head of other bytes. (Under AddressSanitizer
 * memory never runs out here: the segment is then resent bytes.)
 */
static void
test_no_memory_gives_up(void **state)
{
	struct uf *fx = *state;
	struct uf_side c = fx->cli;
	uint32_t at;

	c.port = 40005;
	uf_send(fx, &c, &fx->srv, "GET /a-path-of-some-length HTTP/1.1\r\n");
	at = c.seq;
	realloc_fails = true;
	uf_send(fx, &c, &fx->srv, "Host: grows.test\r\nUser-Agent: x/1.0\r\n");
	realloc_fails = false;
	c.seq = at;
	uf_send(fx, &c, &fx->srv, "GET /b HTTP/1.1\r\nHost: b\r\n\r\n");
	assert_null(conn_at(fx, c.port));
	assert_int_equal(fx->fl.nconns, 0);
}

/*
 * Bytes that are not HTTP (an SSH banner, a TLS ClientHello) give the
 * flow up: it never becomes a connection, though a later segment reads
 * as a request head (a payload's own bytes); nothing is counted as
 * dropped.
 */
static void
test_other_protocol_gives_up(void **state)
{
	static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01,
	    0x00, 0x01, 0xfc, 0x03, 0x03 };
	struct uf *fx = *state;
	struct uf_side ssh = fx->cli, tls = fx->cli;

	ssh.port = 40003;
	uf_send(fx, &ssh, &fx->srv, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
	uf_send(fx, &ssh, &fx->srv, "GET /after HTTP/1.1\r\nHost: s\r\n\r\n");
	assert_null(conn_at(fx, ssh.port));

	tls.port = 40004;
	uf_send_bytes(fx, &tls, &fx->srv, hello, sizeof hello);
	uf_send(fx, &tls, &fx->srv, "GET /after HTTP/1.1\r\nHost: t\r\n\r\n");
	assert_null(conn_at(fx, tls.port));

	assert_int_equal(fx->fl.nconns, 0);
	assert_int_equal(fx->fl.stats.pending_dropped, 0);
}

/*
 * The bytes waiting in all flows are bounded by 8 MiB: 256 flows whose
 * head grew past 16 KiB (each holds 32 KiB) fill it exactly; the 257th
 * makes the least recently active one go, counted once; the others
 * still become connections when their head ends.
 */
static void
test_bytes_waiting_bounded(void **state)
{
	struct uf *fx = *state;
	enum { FLOWS = 257, SEG = 1400, LONG = 20000 };
	static char fill[SEG];
	struct uf_side c = fx->cli;

	memset(fill, 'a', sizeof fill);
	for (int i = 0; i < FLOWS; i++) {
		c.port = (uint16_t)(20000 + i);
		c.seq = 1000;
		uf_send(fx, &c, &fx->srv, "GET /big HTTP/1.1\r\nX-Fill: ");
		for (int sent = 0; sent < LONG; sent += SEG)
			uf_send_bytes(fx, &c, &fx->srv, fill, SEG);
		assert_int_equal(fx->fl.stats.pending_dropped,
		    i < FLOWS - 1 ? 0 : 1);
	}
	assert_int_equal(fx->fl.nconns, 0);
	/* the first flow last: while the budget is full, a new flow would
	 * make the least recently active go */
	for (int i = 1; i <= FLOWS; i++) {
		c.port = (uint16_t)(20000 + i % FLOWS);
		c.seq = 1000 + 27 + (LONG + SEG - 1) / SEG * SEG;
		uf_send(fx, &c, &fx->srv, "\r\nHost: big.test\r\n\r\n");
		if (i == FLOWS)
			assert_null(conn_at(fx, c.port));
		else
			assert_non_null(conn_at(fx, c.port));
	}
	assert_int_equal(fx->fl.nconns, FLOWS - 1);
	assert_int_equal(fx->fl.stats.pending_dropped, 1);
}

/*
 * Idle for exactly a minute, a waiting flow goes on; a nanosecond more
 * and it is forgotten when the next flow comes (not counted: it expired).
 */
static void
test_idle_boundary(void **state)
{
	struct uf *fx = *state;
	struct uf_side kept = fx->cli, gone = fx->cli, other = fx->cli;
	int64_t t0 = 10 * UF_S;

	kept.port = 40001;
	gone.port = 40002;
	other.port = 40003;
	uf_at(fx, t0);
	uf_send(fx, &gone, &fx->srv, "GET /gone HTTP/1.1\r\n");
	uf_at(fx, t0 + 1);
	uf_send(fx, &kept, &fx->srv, "GET /kept HTTP/1.1\r\n");
	uf_at(fx, t0 + 60 * UF_S + 1);
	uf_send(fx, &other, &fx->srv, "GET /o");
	uf_send(fx, &kept, &fx->srv, "Host: k\r\n\r\n");
	uf_send(fx, &gone, &fx->srv, "Host: g\r\n\r\n");
	assert_non_null(conn_at(fx, kept.port));
	assert_null(conn_at(fx, gone.port));
	assert_string_equal(uf_str(fx, request_at(fx, kept.port)->target),
	    "/kept");
	assert_int_equal(fx->fl.stats.pending_dropped, 0);
}

/*
 * While waiting, the server's bytes and the client's are counted from
 * their first frames; a FIN or RST of a flow nobody saw before makes
 * nothing, and one that ends a waiting flow forgets it.
 */
static void
test_counts_while_waiting(void **state)
{
	struct uf *fx = *state;
	struct uf_side a = fx->cli, b = fx->cli;
	const struct conn *c;
	uint64_t f1, f2;

	a.port = 40001;
	b.port = 40002;
	uf_fin(fx, &b, &fx->srv);
	uf_rst(fx, &fx->srv, &b);
	f1 = uf_send(fx, &a, &fx->srv, "GET /c HTTP/1.1\r\n");
	f2 = uf_send(fx, &fx->srv, &a, "0123456789");
	uf_send(fx, &fx->srv, &a, "01234");
	uf_send(fx, &a, &fx->srv, "Host: c\r\n\r\n");
	c = conn_at(fx, a.port);
	assert_non_null(c);
	assert_int_equal(c->first.number, f1);
	assert_int_equal(c->data[0].number, f1);
	assert_int_equal(c->data[1].number, f2);
	assert_int_equal(c->bytes[0], 17 + 11);
	assert_int_equal(c->bytes[1], 15);
	assert_int_equal(fx->fl.nconns, 1);
	/* b's FIN and RST made nothing; a FIN ends a waiting flow */
	b.port = 40003;
	uf_send(fx, &b, &fx->srv, "GET /f HTTP/1.1\r\n");
	uf_fin(fx, &b, &fx->srv);
	uf_send(fx, &b, &fx->srv, "Host: f\r\n\r\n");
	assert_null(conn_at(fx, b.port));
	assert_int_equal(fx->fl.nconns, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_head_end_found_wherever_cut, uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_empty_lines_before_request, uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(test_flow_after_one_given_up,
		    uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_retransmitted_while_waiting, uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(test_hole_gives_up, uf_setup80,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_no_memory_gives_up,
		    uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(test_other_protocol_gives_up,
		    uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(test_bytes_waiting_bounded,
		    uf_setup80, uf_teardown),
		cmocka_unit_test_setup_teardown(test_idle_boundary, uf_setup80,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_counts_while_waiting,
		    uf_setup80, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
