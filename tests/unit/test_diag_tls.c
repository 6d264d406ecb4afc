/*
 * test_diag_tls.c: a reverse proxy whose backend speaks TLS (flow's
 * tlsconn.c, diag's handshake.c). The client asks in origin form; the
 * gateway connects to 192.0.2.80:443 and sends a ClientHello; the
 * handshake fails as the TLS-upstream lab's do (a server's alert, a
 * plain-text reply, the gateway's alert, its close after the handshake,
 * TLS 1.3's encrypted alert) and the gateway answers 502: cannot-connect,
 * tls-handshake, with the attempt linked and the words saying how. A
 * handshake that went through and carried the request is no failure;
 * after it, a server that went silent is a timeout, one that closed its
 * close, one that answered (encrypted) unknown, and said so.
 * The records are built here as RFC 8446 5.1 and RFC 5246 6.2 lay them
 * out, the hellos in them by unit_tls.h; nothing is encrypted, only
 * their types and lengths matter.
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
#include "diag/diag_int.h"
#include "diag/evidence.h"
#include "proto/tls.h"
#include "unit_tls.h"

#define APP "app.test"

/* A record header of type and length len; its body follows. */
static void
header(struct wbuf *r, unsigned type, size_t len)
{
	w8(r, type);
	w16(r, 0x0303);
	w16(r, (unsigned)len);
}

/* r sent whole on the wire, its first `kept` bytes captured (a snap
 * length). */
static uint64_t
send_cut(struct uf *u, struct uf_side *from, const struct uf_side *to,
    struct wbuf r, size_t kept)
{
	struct pkt p;
	uint64_t n;

	uf_pkt_between(&p, L4_TCP, from, to);
	p.seq = from->seq;
	p.tcp_flags = TCPF_ACK | TCPF_PSH;
	p.payload = r.b;
	p.payload_len = (uint32_t)kept;
	p.payload_wire_len = (uint32_t)r.n;
	n = uf_feed(u, &p);
	from->seq += (uint32_t)r.n;
	return n;
}

/* A record of type holding body. */
static struct wbuf
record(unsigned type, const struct wbuf *body)
{
	struct wbuf r = { .n = 0 };

	header(&r, type, body->n);
	wbytes(&r, body->b, body->n);
	return r;
}

/* A ClientHello record asking for name (SNI). */
static struct wbuf
client_hello(const char *name)
{
	struct wbuf body;

	ut_client_hello(&body, name);
	return record(TLS_CT_HANDSHAKE, &body);
}

/* A ServerHello record choosing version (TLS 1.3 in supported_versions),
 * then for TLS 1.3 a CCS and an encrypted record (its certificate ...),
 * for TLS 1.2 its certificate's. */
static struct wbuf
server_hello(unsigned version)
{
	struct wbuf body, r;

	ut_server_hello(&body, version == TLS_V13 ? TLS_V13 : 0);
	r = record(TLS_CT_HANDSHAKE, &body);
	if (version == TLS_V13) {
		header(&r, TLS_CT_CCS, 1);
		w8(&r, 1);
		header(&r, TLS_CT_APPDATA, 300);
		for (int k = 0; k < 300; k++)
			w8(&r, 0xa5);
	} else {
		header(&r, TLS_CT_HANDSHAKE, 200);
		for (int k = 0; k < 200; k++)
			w8(&r, 0x5a);
	}
	return r;
}

/* One record of type with len opaque bytes (an encrypted one). */
static struct wbuf
sealed(unsigned type, size_t len)
{
	struct wbuf r = { .n = 0 };

	header(&r, type, len);
	for (size_t k = 0; k < len; k++)
		w8(&r, 0x3c);
	return r;
}

/* An alert in the clear: fatal, desc. */
static struct wbuf
alert(unsigned desc)
{
	struct wbuf r = { .n = 0 };

	header(&r, TLS_CT_ALERT, 2);
	w8(&r, 2);
	w8(&r, desc);
	return r;
}

static uint64_t
send_rec(struct uf *u, struct uf_side *from, const struct uf_side *to,
    struct wbuf r)
{
	return uf_send_bytes(u, from, to, r.b, r.n);
}

/* The client asks for http://app.test/app in origin form; the gateway
 * connects to the backend 192.0.2.80:443 and sends its ClientHello. */
static void
hello_sent(struct scene *s)
{
	scene_init(s, s->u);
	uf_handshake(s->u, &s->u->cli, &s->u->srv);
	s->req = uf_get(s->u, &s->u->cli, &s->u->srv, "/app", APP);
	s->req_ts = s->u->fl.stats.last_ts;
	uf_side_init(&s->web, "192.0.2.80", 443, 9000);
	uf_handshake(s->u, &s->out, &s->web);
	send_rec(s->u, &s->out, &s->web, client_hello(APP));
}

static void
summary_has(struct uf *u, const struct txn *t, const char *words)
{
	char summary[512];

	diag_summary(&u->dg, &u->fl, t, summary, sizeof summary);
	if (strstr(summary, words) == NULL)
		fail_msg("summary \"%s\" lacks \"%s\"", summary, words);
}

/* t's diagnosis: cannot-connect, tls-handshake, its one attempt the
 * backend's, and a summary holding words. */
static const struct txn *
failed_tls(struct scene *s, const char *words)
{
	const struct txn *t = diagnosed(s);

	expect_verdict(t, V_CANNOT_CONNECT, C_TLS_HANDSHAKE);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(s->u->fl.conns[t->d.conns[0]].sport, 443);
	summary_has(s->u, t, words);
	return t;
}

/* The evidence's TLS rows: the hello at hello, how it failed at end. */
static void
expect_rows(struct uf *u, const struct txn *t, uint64_t hello, uint64_t end,
    const char *key)
{
	struct evidence ev = { 0 };
	const struct evidence_row *h, *e;

	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_REPORT), 0);
	h = evidence_find(&ev, EK_TLS_HELLO, 0);
	e = evidence_find(&ev, EK_TLS_END, 0);
	assert_non_null(h);
	assert_non_null(e);
	assert_int_equal(h->frame, hello);
	assert_string_equal(h->name, APP);
	assert_int_equal(e->frame, end);
	assert_true(e->listed && e->bad);
	assert_string_equal(e->kind_name, key);
	evidence_free(&ev);
}

static void
test_server_alert(void **state)
{
	struct uf *u = *state;
	struct scene s = { .u = u };
	const struct txn *t;
	uint64_t hello, end;

	hello_sent(&s);
	hello = u->frame;
	end = send_rec(u, &s.web, &s.out, alert(112));
	uf_fin(u, &s.web, &s.out);
	gateway_answers(&s, 502);
	t = failed_tls(&s, "alert 112 (unrecognized_name)");
	assert_non_null(strstr(txn_remedy(&u->fl, t), "SNI"));
	expect_rows(u, t, hello, end, "server-alert");
	assert_string_equal(flow_str(&u->fl, conn_tls(&u->fl,
	    &u->fl.conns[t->d.conns[0]])->sni), APP);
}

/* A capture cut at 96 bytes a frame: the server's certificate record is
 * lost past them, its alert after it is read all the same. */
static void
test_alert_after_snap_cut(void **state)
{
	struct uf *u = *state;
	struct scene s = { .u = u };

	hello_sent(&s);
	send_cut(u, &s.web, &s.out, server_hello(TLS_V12), 96);
	send_rec(u, &s.web, &s.out, alert(40));
	uf_fin(u, &s.web, &s.out);
	gateway_answers(&s, 502);
	failed_tls(&s, "alert 40 (handshake_failure)");
}

/* The server's alert split over two segments, the stream parked between
 * them: read whole all the same. */
static void
test_alert_split(void **state)
{
	struct uf *u = *state;
	struct scene s = { .u = u };
	struct wbuf a = alert(70);

	hello_sent(&s);
	uf_send_bytes(u, &s.web, &s.out, a.b, 3);
	/* between segments the stream rests: the record's state is the
	 * connection's */
	assert_null(u->fl.conns[1].stream);
	assert_int_not_equal(u->fl.conns[1].rest, 0);
	uf_send_bytes(u, &s.web, &s.out, a.b + 3, a.n - 3);
	uf_fin(u, &s.web, &s.out);
	gateway_answers(&s, 502);
	failed_tls(&s, "alert 70 (protocol_version)");
}

static void
test_plain_reply(void **state)
{
	struct uf *u = *state;
	struct scene s = { .u = u };
	const struct txn *t;
	uint64_t hello, end;

	hello_sent(&s);
	hello = u->frame;
	end = uf_send(u, &s.web, &s.out, "HTTP/1.1 400 Bad Request\r\n"
	    "Content-Length: 0\r\n\r\n");
	uf_fin(u, &s.web, &s.out);
	gateway_answers(&s, 502);
	t = failed_tls(&s, "in plain text (\"HTTP/1.1 400 Bad Request\")");
	assert_non_null(strstr(txn_remedy(&u->fl, t), "http://"));
	expect_rows(u, t, hello, end, "plain-reply");
}

/* HAProxy: the certificate refused in the handshake (a plaintext
 * unknown_ca), four times a second apart, then 503. */
static void
test_gateway_alert_retried(void **state)
{
	struct uf *u = *state;
	struct scene s = { .u = u };
	const struct txn *t;

	hello_sent(&s);
	for (int k = 0; k < 4; k++) {
		if (k > 0) {
			s.out.port = (uint16_t)(50000 + k);
			uf_at(u, s.req_ts + k * 1002 * UF_MS);
			uf_handshake(u, &s.out, &s.web);
			send_rec(u, &s.out, &s.web, client_hello(APP));
		}
		send_rec(u, &s.web, &s.out, server_hello(TLS_V12));
		send_rec(u, &s.out, &s.web, alert(48));
		uf_fin(u, &s.out, &s.web);
		uf_fin(u, &s.web, &s.out);
	}
	gateway_answers(&s, 503);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TLS_HANDSHAKE);
	assert_int_equal(t->d.nconns, 4);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(u->fl.conns[t->d.conns[k]].cport, 50000 + k);
	summary_has(u, t, "it sent alert 48 (unknown_ca)");
	summary_has(u, t, "every attempt (4 connections)");
}

/*
 * nginx: the handshake goes through, then it finds the certificate
 * wrong, sends an encrypted close_notify and closes; the server's FIN
 * comes before the gateway's. The gateway closed first all the same.
 */
static void
test_gateway_closed_after_handshake(void **state)
{
	struct uf *u = *state;
	struct scene s = { .u = u };
	const struct txn *t;
	uint64_t hello, end;

	hello_sent(&s);
	hello = u->frame;
	send_rec(u, &s.web, &s.out, server_hello(TLS_V12));
	send_rec(u, &s.out, &s.web, sealed(TLS_CT_HANDSHAKE, 70));
	send_rec(u, &s.web, &s.out, sealed(TLS_CT_HANDSHAKE, 40));
	end = send_rec(u, &s.out, &s.web, sealed(TLS_CT_ALERT, 26));
	uf_fin(u, &s.web, &s.out);
	uf_fin(u, &s.out, &s.web);
	gateway_answers(&s, 502);
	t = failed_tls(&s, "the TLS 1.2 handshake with 192.0.2.80 port 443");
	assert_non_null(strstr(txn_remedy(&u->fl, t), "certificate"));
	expect_rows(u, t, hello, end, "gateway-closed");
}

/* TLS 1.3: the gateway's first encrypted record is an alert (19 bytes),
 * before its Finished: it gave the handshake up. */
static void
test_tls13_aborted(void **state)
{
	struct uf *u = *state;
	struct scene s = { .u = u };
	const struct txn *t;
	uint64_t hello, end;

	hello_sent(&s);
	hello = u->frame;
	send_rec(u, &s.web, &s.out, server_hello(TLS_V13));
	end = send_rec(u, &s.out, &s.web, sealed(TLS_CT_APPDATA, 19));
	uf_fin(u, &s.out, &s.web);
	gateway_answers(&s, 502);
	t = failed_tls(&s, "gave up the TLS 1.3 handshake");
	expect_rows(u, t, hello, end, "aborted");
}

/* TLS 1.3 that went through: the gateway's Finished, then its request;
 * the reply (encrypted) and a 200. No failure; nothing more is read. */
static void
test_tls13_success(void **state)
{
	struct uf *u = *state;
	struct scene s = { .u = u };
	const struct conn_tls *tls;
	const struct txn *t;
	uint64_t request;

	hello_sent(&s);
	send_rec(u, &s.web, &s.out, server_hello(TLS_V13));
	send_rec(u, &s.out, &s.web, sealed(TLS_CT_APPDATA, 53));
	request = send_rec(u, &s.out, &s.web, sealed(TLS_CT_APPDATA, 120));
	send_rec(u, &s.web, &s.out, sealed(TLS_CT_APPDATA, 19));
	send_rec(u, &s.web, &s.out, sealed(TLS_CT_APPDATA, 200));
	gateway_answers(&s, 200);
	t = diagnosed(&s);
	expect_verdict(t, V_OK, C_NONE);
	tls = conn_tls(&u->fl, &u->fl.conns[1]);
	assert_non_null(tls);
	assert_true(tls->done);
	assert_int_equal(tls->data.number, request);
	assert_int_equal(tls->version, TLS_V13);
	assert_false(tls->aborted);
	assert_int_equal(tls->gw_close.number, 0);
}

/* A TLS 1.2 handshake that went through and the gateway's request
 * (encrypted) on it; returns the request's frame. */
static uint64_t
request_sent(struct scene *s)
{
	hello_sent(s);
	send_rec(s->u, &s->web, &s->out, server_hello(TLS_V12));
	send_rec(s->u, &s->out, &s->web, sealed(TLS_CT_HANDSHAKE, 70));
	send_rec(s->u, &s->web, &s->out, sealed(TLS_CT_HANDSHAKE, 40));
	return send_rec(s->u, &s->out, &s->web, sealed(TLS_CT_APPDATA, 120));
}

/* The server reads the request and says nothing; the gateway gives up
 * after 2 s (its close_notify first, then the FINs): a timeout, not
 * the server's close, though the server's FIN came before the
 * gateway's. */
static void
test_silent_after_request(void **state)
{
	struct uf *u = *state;
	struct scene s = { .u = u };
	const struct conn_tls *tls;
	const struct txn *t;
	uint64_t request, close;

	request = request_sent(&s);
	uf_wait(u, 2 * UF_S);
	close = send_rec(u, &s.out, &s.web, sealed(TLS_CT_ALERT, 26));
	uf_fin(u, &s.web, &s.out);
	uf_fin(u, &s.out, &s.web);
	uf_status(u, &u->srv, &u->cli, 504);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_equal(t->d.nconns, 1);
	summary_has(u, t, "sent nothing for 2.0 s, until the gateway gave up");
	tls = conn_tls(&u->fl, &u->fl.conns[t->d.conns[0]]);
	assert_int_equal(tls->data.number, request);
	assert_int_equal(tls->gw_close.number, close);
}

/* The server closes 3 ms after the request: its close. */
static void
test_closed_after_request(void **state)
{
	struct uf *u = *state;
	struct scene s = { .u = u };
	const struct txn *t;

	request_sent(&s);
	uf_wait(u, 2 * UF_MS);
	uf_fin(u, &s.web, &s.out);
	send_rec(u, &s.out, &s.web, sealed(TLS_CT_ALERT, 26));
	uf_fin(u, &s.out, &s.web);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	summary_has(u, t, "closed the connection 3.0 ms after the gateway's "
	    "request, which went over TLS");
}

/*
 * HAProxy starts two requests' connections at once: the other client's
 * request and connection first (to 192.0.2.81, a success), then this
 * one's (to 192.0.2.80, silent). The timeout's answer follows the
 * gateway's close of its own connection, not the nearer one's.
 */
static void
test_timeout_takes_the_closed_one(void **state)
{
	struct uf *u = *state;
	struct scene s = { .u = u };
	struct uf_side cli2, gw2, out2, web2;
	const struct txn *t;

	scene_init(&s, u);
	uf_side_init(&cli2, "10.0.0.6", 40001, 3000);
	gw2 = u->srv;
	uf_handshake(u, &cli2, &gw2);
	uf_handshake(u, &u->cli, &u->srv);
	uf_get(u, &cli2, &gw2, "/other", "other.test");
	s.req = uf_get(u, &u->cli, &u->srv, "/app", APP);
	uf_side_init(&out2, "10.0.0.1", 50100, 7700);
	uf_side_init(&web2, "192.0.2.81", 443, 9900);
	uf_side_init(&s.web, "192.0.2.80", 443, 9000);
	uf_handshake(u, &out2, &web2);
	uf_handshake(u, &s.out, &s.web);
	send_rec(u, &out2, &web2, client_hello("other.test"));
	send_rec(u, &s.out, &s.web, client_hello(APP));
	send_rec(u, &web2, &out2, server_hello(TLS_V12));
	send_rec(u, &s.web, &s.out, server_hello(TLS_V12));
	send_rec(u, &out2, &web2, sealed(TLS_CT_HANDSHAKE, 70));
	send_rec(u, &s.out, &s.web, sealed(TLS_CT_HANDSHAKE, 70));
	send_rec(u, &web2, &out2, sealed(TLS_CT_HANDSHAKE, 40));
	send_rec(u, &s.web, &s.out, sealed(TLS_CT_HANDSHAKE, 40));
	send_rec(u, &out2, &web2, sealed(TLS_CT_APPDATA, 120));
	send_rec(u, &s.out, &s.web, sealed(TLS_CT_APPDATA, 120));
	send_rec(u, &web2, &out2, sealed(TLS_CT_APPDATA, 300));
	uf_status(u, &gw2, &cli2, 200);
	uf_wait(u, 2 * UF_S);
	send_rec(u, &s.out, &s.web, sealed(TLS_CT_ALERT, 26));
	uf_fin(u, &s.out, &s.web);
	uf_status(u, &u->srv, &u->cli, 504);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	t = uf_txn(u, 2);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(u->fl.conns[t->d.conns[0]].cport, 50000);
	t = uf_txn(u, 1);
	expect_verdict(t, V_OK, C_NONE);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(u->fl.conns[t->d.conns[0]].cport, 50100);
}

/* The server answered (encrypted) and the gateway still answered 502:
 * nothing the capture can read says why. */
static void
test_replied_unread(void **state)
{
	struct uf *u = *state;
	struct scene s = { .u = u };
	const struct txn *t;

	request_sent(&s);
	send_rec(u, &s.web, &s.out, sealed(TLS_CT_APPDATA, 300));
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	summary_has(u, t, "its reply is encrypted");
	assert_non_null(strstr(txn_remedy(&u->fl, t), "SSLKEYLOGFILE"));
}

/* A client's own TLS to the proxy port is no gateway's handshake. */
static void
test_client_tls_not_followed(void **state)
{
	struct uf *u = *state;

	uf_at(u, T0);
	uf_handshake(u, &u->cli, &u->srv);
	send_rec(u, &u->cli, &u->srv, client_hello(APP));
	assert_int_equal(u->fl.conns[0].tls, NONE32);
	assert_int_equal(u->fl.ntls, 0);
}

/*
 * A CONNECT tunnel: the ClientHello and the server's alert the gateway
 * relays are its client's TLS, no handshake of the gateway's: the
 * tunnel's 200 stays a success and its evidence shows no TLS row.
 */
static void
test_tunnel_tls_is_clients(void **state)
{
	struct uf *u = *state;
	struct scene s = { .u = u };
	struct evidence ev = { 0 };
	const struct txn *t;

	scene_init(&s, u);
	uf_handshake(u, &u->cli, &u->srv);
	uf_send(u, &u->cli, &u->srv, "CONNECT 192.0.2.80:443 HTTP/1.1\r\n"
	    "Host: 192.0.2.80:443\r\n\r\n");
	uf_side_init(&s.web, "192.0.2.80", 443, 9000);
	uf_handshake(u, &s.out, &s.web);
	uf_send(u, &u->srv, &u->cli, "HTTP/1.1 200 Connection established"
	    "\r\n\r\n");
	send_rec(u, &u->cli, &u->srv, client_hello(APP));
	send_rec(u, &s.out, &s.web, client_hello(APP));
	send_rec(u, &s.web, &s.out, alert(112));
	send_rec(u, &u->srv, &u->cli, alert(112));
	t = diagnosed(&s);
	expect_verdict(t, V_OK, C_NONE);
	assert_int_equal(t->d.nconns, 1);
	assert_int_not_equal(u->fl.conns[t->d.conns[0]].tls, NONE32);
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_REPORT), 0);
	assert_null(evidence_find(&ev, EK_TLS_HELLO, 0));
	assert_null(evidence_find(&ev, EK_TLS_END, 0));
	evidence_free(&ev);
}

/* Without the records: the gateway's close, the server's silence. */
static void
test_unanswered_hello(void **state)
{
	struct uf *u = *state;
	struct scene s = { .u = u };

	hello_sent(&s);
	uf_wait(u, 60 * UF_S);
	uf_fin(u, &s.out, &s.web);
	uf_status(u, &u->srv, &u->cli, 504);
	failed_tls(&s, "never answered the gateway's TLS ClientHello");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_server_alert, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_alert_split, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_alert_after_snap_cut,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_plain_reply, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_gateway_alert_retried,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_gateway_closed_after_handshake, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_tls13_aborted, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_tls13_success, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_client_tls_not_followed,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_silent_after_request,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_closed_after_request,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_replied_unread, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_timeout_takes_the_closed_one, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_tunnel_tls_is_clients,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_hello,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
