/*
 * test_masked.c: a CONNECT the gateway answered 200 before connecting,
 * then dropped once the upstream failed (diag/masked.c; issue 12 point
 * 8): a gateway error behind a success, with the real cause, whether the
 * capture is diagnosed at its end or frame by frame as it is read; and
 * the tunnels that are no such thing.
 */
#include "diag_scene.h"

#define TARGET HOST ":443"

/* diag_scene.h's sides, the web side on port 443, and the tunnel's frames. */
struct tunnel {
	struct scene s;
	uint64_t req, ok200, hello, syn[4], rst, close;
};

static const struct uf_rr addr[] = { { DNS_T_A, NULL, 60, "192.0.2.10" } };
static const uint8_t client_hello[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 0x01,
	0x00, 0x00, 0x00 };

/* The client connects, asks CONNECT TARGET, gets 200 at once and sends a
 * ClientHello; only then does the gateway resolve the host. */
static void
promised(struct tunnel *tn, struct uf *u)
{
	memset(tn, 0, sizeof *tn);
	scene_init(&tn->s, u);
	uf_side_init(&tn->s.web, "192.0.2.10", 443, 9000);
	uf_handshake(u, &u->cli, &u->srv);
	tn->req = uf_send(u, &u->cli, &u->srv, "CONNECT " TARGET
	    " HTTP/1.1\r\nHost: " TARGET "\r\n\r\n");
	tn->ok200 = uf_send(u, &u->srv, &u->cli,
	    "HTTP/1.1 200 Connection established\r\n\r\n");
	uf_wait(u, 50 * UF_MS);
	tn->hello = uf_send_bytes(u, &u->cli, &u->srv, client_hello,
	    sizeof client_hello);
	uf_dns_query(u, &tn->s.res, &tn->s.dns, 7, HOST, DNS_T_A);
	uf_dns_answer(u, &tn->s.dns, &tn->s.res, 7, HOST, DNS_T_A, 0, addr, 1);
}

/* The gateway gives up and closes the tunnel: FIN to the client. */
static void
dropped(struct tunnel *tn)
{
	tn->close = uf_fin(tn->s.u, &tn->s.u->srv, &tn->s.u->cli);
	uf_fin(tn->s.u, &tn->s.u->cli, &tn->s.u->srv);
}

/* The port refuses: SYN, RST, and the tunnel is dropped at once. */
static void
refused(struct tunnel *tn)
{
	tn->syn[0] = uf_syn(tn->s.u, &tn->s.out, &tn->s.web);
	tn->rst = uf_rst(tn->s.u, &tn->s.web, &tn->s.out);
	dropped(tn);
}

/* The SYNs go unanswered (1, 2, 4 s apart); the gateway gives up 8 s
 * after the last one and drops the tunnel. */
static void
unanswered(struct tunnel *tn)
{
	static const int64_t backoff[] = { 0, 1, 2, 4 };

	for (unsigned k = 0; k < 4; k++) {
		uf_wait(tn->s.u, backoff[k] * UF_S);
		tn->syn[k] = uf_syn(tn->s.u, &tn->s.out, &tn->s.web);
	}
	uf_wait(tn->s.u, 8 * UF_S);
	dropped(tn);
}

static const struct txn *
the_txn(struct uf *u)
{
	assert_int_equal(u->dg.ntxns, 1);
	return uf_txn(u, 1);
}

static void
expect_masked(const struct tunnel *tn, const struct txn *t, enum cause c)
{
	char sum[512], want[96];
	struct frame_ref first, last;
	struct syn_series ss;
	uint64_t ev[32];
	size_t n = uf_evidence(tn->s.u, t, ev, 32);
	bool syn = false, rst = false;

	assert_int_equal(t->status, 200);
	assert_int_equal(t->d.verdict, V_CANNOT_CONNECT);
	assert_int_equal(t->d.cause, c);
	assert_true(t->d.masked);
	assert_true(t->is_error);
	for (size_t i = 0; i < n; i++) {
		syn |= ev[i] == tn->syn[0];
		rst |= tn->rst && ev[i] == tn->rst;
	}
	assert_true(syn);
	assert_true(rst == (tn->rst != 0));
	/* its story (elapsed, the frames to export) ends with the drop */
	assert_int_equal(txn_end_ns(&tn->s.u->fl, t, INT64_MAX),
	    tn->s.u->fl.conns[t->conn].fin[1].ts_ns);
	txn_frame_range(&tn->s.u->fl, t, &first, &last);
	assert_int_equal(first.number, tn->req);
	assert_int_equal(last.number, tn->close);
	uf_summary(tn->s.u, t, sum, sizeof sum);
	snprintf(want, sizeof want, "dropped the tunnel at frame %llu",
	    (unsigned long long)tn->close);
	if (strstr(sum, want) == NULL || strstr(sum, "answered 200") == NULL)
		fail_msg("summary \"%s\" lacks \"%s\"", sum, want);
	uf_summary_cuts(tn->s.u, t);
	diag_syn_series(&tn->s.u->fl, t, tn->s.u->fl.stats.last_ts, &ss);
	assert_int_equal(ss.n, c == C_SYN_UNANSWERED ? 4 : 1);
	assert_int_equal(ss.syn[ss.n - 1].number,
	    c == C_SYN_UNANSWERED ? tn->syn[3] : tn->syn[0]);
	/* counted as an error of its verdict */
	assert_int_equal(tn->s.u->dg.errors, 1);
	assert_int_equal(tn->s.u->dg.counts[V_CANNOT_CONNECT], 1);
}

/*
 * The tunnel promised, then `fails`: a masked cannot-connect with cause
 * c, whether the capture is diagnosed at its end or frame by frame.
 */
static void
masked_both_ways(void **state, void (*fails)(struct tunnel *),
    enum cause c)
{
	struct tunnel tn;

	for (int sliced = 0; sliced <= 1; sliced++) {
		struct uf *u;

		if (sliced) {
			uf_teardown(state);
			uf_setup(state);
		}
		u = *state;
		if (sliced)
			uf_slices_begin(u, NULL);
		promised(&tn, u);
		fails(&tn);
		if (sliced)
			uf_slices_end(u);
		else
			uf_diagnose(u);
		expect_masked(&tn, the_txn(u), c);
	}
}

/* 200, then an RST from the port, then the tunnel dropped. */
static void
test_refused_behind_200(void **state)
{
	masked_both_ways(state, refused, C_TCP_RST);
}

/* Unanswered SYNs over 7 s, the tunnel dropped 8 s later: the SYN
 * series is the evidence. */
static void
test_unanswered_behind_200(void **state)
{
	masked_both_ways(state, unanswered, C_SYN_UNANSWERED);
}

/* A tunnel that works (the upstream connected, its bytes relayed) and
 * ends with the gateway's close is a success, not masked. */
static void
test_working_tunnel(void **state)
{
	static const uint8_t server_hello[] = { 0x16, 0x03, 0x03, 0x00, 0x02,
		0x02, 0x00 };
	struct tunnel tn;
	struct uf *u = *state;
	const struct txn *t;

	promised(&tn, u);
	uf_handshake(u, &tn.s.out, &tn.s.web);
	uf_send_bytes(u, &tn.s.out, &tn.s.web, client_hello, sizeof client_hello);
	uf_send_bytes(u, &tn.s.web, &tn.s.out, server_hello, sizeof server_hello);
	uf_send_bytes(u, &u->srv, &u->cli, server_hello, sizeof server_hello);
	uf_fin(u, &tn.s.web, &tn.s.out);
	dropped(&tn);
	uf_diagnose(u);
	t = the_txn(u);
	assert_int_equal(t->d.verdict, V_OK);
	assert_false(t->d.masked);
	assert_false(t->is_error);
	assert_int_equal(u->dg.errors, 0);
	/* its story ended with the 200, as any success's */
	assert_int_equal(txn_end_ns(&u->fl, t, INT64_MAX),
	    u->fl.msgs[t->resp].head.ts_ns);
}

/* The client leaves first, then the attempt fails: the gateway dropped
 * nothing, and the 200 stays a success. A drop after the gateway's
 * timeout is no answer to this attempt either. */
static void
test_not_dropped_by_gateway(void **state)
{
	struct tunnel tn;
	struct uf *u = *state;
	struct diag_opts o;

	promised(&tn, u);
	uf_fin(u, &u->cli, &u->srv);
	uf_syn(u, &tn.s.out, &tn.s.web);
	uf_rst(u, &tn.s.web, &tn.s.out);
	uf_fin(u, &u->srv, &u->cli);
	uf_diagnose(u);
	assert_int_equal(the_txn(u)->d.verdict, V_OK);
	assert_false(the_txn(u)->d.masked);

	uf_teardown(state);
	uf_setup(state);
	u = *state;
	promised(&tn, u);
	refused(&tn);
	uf_diag_opts(&o);
	o.timeout_ns = 10 * UF_MS;	/* the drop came later than this */
	uf_diag_run(u, &o, true);
	assert_int_equal(the_txn(u)->d.verdict, V_OK);
	assert_false(the_txn(u)->d.masked);
}

/* A frame of nobody's: the capture's clock moves on. */
static void
later(struct tunnel *tn)
{
	uf_dns_query(tn->s.u, &tn->s.res, &tn->s.dns, 99, "other.test", DNS_T_A);
}

/* A tunnel still open when the capture is read so far may yet be
 * dropped: it is not settled (nor claims anything) until its close or
 * the gateway's timeout. */
static void
test_open_tunnel_waits(void **state)
{
	struct tunnel tn;
	struct uf *u = *state;

	uf_slices_begin(u, NULL);
	promised(&tn, u);
	uf_syn(u, &tn.s.out, &tn.s.web);
	uf_wait(u, 2 * UF_S);
	later(&tn);	/* time passes, nothing settles */
	assert_false(the_txn(u)->settled);
	uf_rst(u, &tn.s.web, &tn.s.out);
	dropped(&tn);
	uf_wait(u, 1 * UF_S);
	later(&tn);	/* past the close + slack */
	assert_true(the_txn(u)->settled);
	assert_true(the_txn(u)->d.masked);
	uf_slices_end(u);
	assert_true(the_txn(u)->d.masked);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_behind_200,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_behind_200,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_working_tunnel,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_not_dropped_by_gateway,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_open_tunnel_waits,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
