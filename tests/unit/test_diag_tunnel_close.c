/*
 * test_diag_tunnel_close.c: whose close ends a 2xx CONNECT's tunnel
 * (diag/masked.h; DESIGN §7, masked failures). The gateway's close (its
 * FIN, or its RST, on the client's connection) makes the failed attempt
 * behind the 200 a masked gateway error, but only when it came before
 * the client left (the client's FIN or RST) and within the gateway's
 * timeout of the request (the bound itself included); the story's end
 * and its settling follow that close, or the timeout while the tunnel
 * is open.
 */
#include "diag_scene.h"
#include "diag/diag_int.h"
#include "diag/masked.h"

#define TARGET HOST ":443"

static const uint8_t client_hello[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 0x01,
	0x00, 0x00, 0x00 };

/*
 * The client asks CONNECT TARGET (its request frame 4, at *req_ts),
 * gets `status` at once and sends a ClientHello; the gateway resolves
 * HOST and its SYN to port 443 is refused. Nobody has closed the tunnel
 * yet.
 */
static void
refused_behind(struct scene *s, struct uf *u, int64_t *req_ts,
    unsigned status)
{
	char ok[64];

	snprintf(ok, sizeof ok, "HTTP/1.1 %u Connection established\r\n\r\n",
	    status);
	scene_init(s, u);
	uf_side_init(&s->web, "192.0.2.10", 443, 9000);
	uf_handshake(u, &u->cli, &u->srv);
	uf_send(u, &u->cli, &u->srv, "CONNECT " TARGET " HTTP/1.1\r\nHost: "
	    TARGET "\r\n\r\n");
	*req_ts = u->fl.stats.last_ts;
	uf_send(u, &u->srv, &u->cli, ok);
	uf_send_bytes(u, &u->cli, &u->srv, client_hello, sizeof client_hello);
	resolve(s);
	uf_syn(u, &s->out, &s->web);
	uf_rst(u, &s->web, &s->out);
}

static void
refused_behind_200(struct scene *s, struct uf *u, int64_t *req_ts)
{
	refused_behind(s, u, req_ts, 200);
}

static const struct txn *
only_txn(struct uf *u)
{
	assert_int_equal(u->dg.ntxns, 1);
	return uf_txn(u, 1);
}

/* The tunnel's verdict: masked cannot-connect/tcp-rst ending at frame
 * `close`, or (close 0) the 200 a success. */
static void
expect_close(struct uf *u, uint64_t close)
{
	const struct txn *t = only_txn(u);
	const struct frame_ref *f = diag_tunnel_close(&u->fl, t);

	if (close == 0) {
		assert_int_equal(t->d.verdict, V_OK);
		assert_false(t->d.masked);
		assert_false(t->is_error);
		assert_int_equal(u->dg.errors, 0);
		/* nothing the gateway dropped in time: settled at its answer */
		assert_int_equal(diag_tunnel_settle_ns(&u->dg, &u->fl, t, 7),
		    7);
		return;
	}
	assert_non_null(f);
	assert_int_equal(f->number, close);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_true(t->d.masked);
	assert_true(t->is_error);
	assert_int_equal(txn_end_ns(&u->fl, t, INT64_MAX), f->ts_ns);
}

enum closer { GW_FIN = 1, GW_RST, CLIENT_FIN, CLIENT_RST };

/* One close of the client's connection; returns its frame. */
static uint64_t
close_by(struct uf *u, enum closer who)
{
	switch (who) {
	case GW_FIN:
		return uf_fin(u, &u->srv, &u->cli);
	case GW_RST:
		return uf_rst(u, &u->srv, &u->cli);
	case CLIENT_FIN:
		return uf_fin(u, &u->cli, &u->srv);
	default:
		return uf_rst(u, &u->cli, &u->srv);
	}
}

/*
 * The two closes in this order: the gateway's (FIN or RST) before the
 * client's (FIN or RST) is its drop of the tunnel; after, the client
 * left first and nothing was dropped.
 */
static void
test_whose_close(void **state)
{
	static const struct {
		enum closer first, second;
		int drop;	/* 1 or 2: which close is the drop; 0: none */
	} cases[] = {
		{ GW_FIN, CLIENT_RST, 1 }, { CLIENT_RST, GW_FIN, 0 },
		{ GW_FIN, CLIENT_FIN, 1 }, { CLIENT_FIN, GW_FIN, 0 },
		{ GW_RST, 0, 1 }, { CLIENT_FIN, GW_RST, 0 },
		{ CLIENT_RST, 0, 0 }, { CLIENT_FIN, 0, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct uf *u = again(state);
		struct scene s;
		int64_t req_ts;
		uint64_t f[2] = { 0, 0 };

		refused_behind_200(&s, u, &req_ts);
		f[0] = close_by(u, cases[i].first);
		if (cases[i].second)
			f[1] = close_by(u, cases[i].second);
		uf_diagnose(u);
		if (cases[i].drop == 0)
			assert_null(diag_tunnel_close(&u->fl, only_txn(u)));
		expect_close(u, cases[i].drop ? f[cases[i].drop - 1] : 0);
	}
}

/* The gateway's FIN `after` the request, with a gateway timeout of 5 s:
 * in time up to the timeout itself. */
static void
close_at(void **state, int64_t after, bool in_time)
{
	struct uf *u;
	struct scene s;
	struct diag_opts o;
	const struct txn *t;
	int64_t req_ts, end;
	uint64_t fin;

	u = again(state);
	refused_behind_200(&s, u, &req_ts);
	uf_at(u, req_ts + after);
	fin = uf_fin(u, &u->srv, &u->cli);
	uf_diag_opts(&o);
	o.timeout_ns = 5 * UF_S;
	uf_diag_run(u, &o, true);
	t = only_txn(u);
	assert_int_equal(diag_tunnel_close(&u->fl, t)->number, fin);
	end = diag_tunnel_end_ns(&u->dg, &u->fl, t, req_ts);
	if (in_time) {
		expect_close(u, fin);
		assert_int_equal(end, req_ts + after);
		assert_int_equal(diag_tunnel_settle_ns(&u->dg, &u->fl, t, 0),
		    req_ts + after + DIAG_SLACK_NS);
	} else {
		assert_int_equal(t->d.verdict, V_OK);
		assert_false(t->d.masked);
		assert_int_equal(end, req_ts);
		/* over, and not dropped in time: nothing to wait for */
		assert_int_equal(diag_tunnel_settle_ns(&u->dg, &u->fl, t, 7),
		    7);
	}
	/* the end is never before the answer given */
	assert_int_equal(diag_tunnel_end_ns(&u->dg, &u->fl, t, INT64_MAX),
	    INT64_MAX);
}

static void
test_close_within_timeout(void **state)
{
	close_at(state, 5 * UF_S - 1, true);
	close_at(state, 5 * UF_S, true);
	close_at(state, 5 * UF_S + 1, false);
}

/* While the tunnel is open the story settles no sooner than the timeout
 * and the slack after the request; a later `at` stands. */
static void
test_open_settles_at_timeout(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct diag_opts o;
	const struct txn *t;
	int64_t req_ts, until;

	refused_behind_200(&s, u, &req_ts);
	uf_diag_opts(&o);
	o.timeout_ns = 5 * UF_S;
	uf_diag_run(u, &o, false);
	t = only_txn(u);
	assert_null(diag_tunnel_close(&u->fl, t));
	until = req_ts + 5 * UF_S + DIAG_SLACK_NS;
	assert_int_equal(diag_tunnel_settle_ns(&u->dg, &u->fl, t, 0), until);
	assert_int_equal(diag_tunnel_settle_ns(&u->dg, &u->fl, t, until - 1),
	    until);
	assert_int_equal(diag_tunnel_settle_ns(&u->dg, &u->fl, t, until + 1),
	    until + 1);
	/* no close: the evidence ends with the answer */
	assert_int_equal(diag_tunnel_end_ns(&u->dg, &u->fl, t, req_ts + 3),
	    req_ts + 3);
	assert_false(diag_tunnel_masked(&u->dg, &u->fl, t));
}

/* A CONNECT answered 407, or a GET answered 200, promised no tunnel:
 * its settling and end are its answer's, whatever closes after. */
static void
test_no_tunnel_promised(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;

	scene_init(&s, u);
	uf_handshake(u, &u->cli, &u->srv);
	uf_send(u, &u->cli, &u->srv, "CONNECT " TARGET " HTTP/1.1\r\nHost: "
	    TARGET "\r\n\r\n");
	uf_send(u, &u->srv, &u->cli, "HTTP/1.1 407 Proxy Authentication "
	    "Required\r\nContent-Length: 0\r\n\r\n");
	uf_fin(u, &u->srv, &u->cli);
	uf_diag_run(u, NULL, false);
	t = only_txn(u);
	assert_null(diag_tunnel_close(&u->fl, t));
	assert_int_equal(diag_tunnel_settle_ns(&u->dg, &u->fl, t, 11), 11);
	assert_int_equal(diag_tunnel_end_ns(&u->dg, &u->fl, t, 12), 12);

	u = again(state);
	scene_init(&s, u);
	ask(&s);
	gateway_answers(&s, 200);
	uf_fin(u, &u->srv, &u->cli);
	uf_diag_run(u, NULL, false);
	t = only_txn(u);
	assert_null(diag_tunnel_close(&u->fl, t));
	assert_int_equal(diag_tunnel_settle_ns(&u->dg, &u->fl, t, 11), 11);
}

/* Any 2xx promised a tunnel (201, 299); a 300 did not. */
static void
test_any_2xx(void **state)
{
	static const unsigned statuses[] = { 201, 299, 300 };

	for (size_t i = 0; i < 3; i++) {
		struct uf *u = again(state);
		struct scene s;
		int64_t req_ts;
		uint64_t fin;

		refused_behind(&s, u, &req_ts, statuses[i]);
		fin = close_by(u, GW_FIN);
		uf_diagnose(u);
		assert_int_equal(only_txn(u)->status, statuses[i]);
		expect_close(u, statuses[i] < 300 ? fin : 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_whose_close,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_any_2xx,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_close_within_timeout,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_open_settles_at_timeout,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_no_tunnel_promised,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
