/*
 * test_diag_keep.c: what retiring keeps of the gateway's DNS traffic
 * (diag/retire.c): the newest answer per name while its TTL lasts
 * (positive or negative), look-ups in flight that requests to come may
 * wait for, and what came lately; an answer replaced by a newer one, one
 * past its TTL and a look-up long unanswered go. A retired request's
 * messages go with it once its connection closed, and a request after
 * the retiring still finds the cached answer, and a long look-up in
 * flight keeps its oldest sends. On a connection kept
 * alive only the pairs from its start go, so later answers still pair
 * with their requests.
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

/* The names of the look-ups the model holds, in order, space separated. */
static const char *
names(const struct uf *u, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < u->fl.ndns && o < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? " " : "",
		    uf_str(u, u->fl.dns[i].qname));
	return out;
}

static void
test_cache_kept(void **state)
{
	static const struct uf_rr short_ttl[] = {
		{ DNS_T_A, NULL, 30, "192.0.2.30" },
	};
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2;
	uint8_t all[1] = { 1 };
	char buf[512];
	const struct txn *t;
	int64_t newest_ts;

	scene_init(&s, u);
	lookup_at(&s, T0, HOST, 0, addr300, 1);
	lookup_at(&s, T0 + 1 * UF_S, "old.test", 0, short_ttl, 1);
	lookup_at(&s, T0 + 10 * UF_S, HOST, 0, addr300, 1);
	newest_ts = u->fl.stats.last_ts;
	lookup_at(&s, T0 + 20 * UF_S, "stale.test", -1, NULL, 0);
	ask(&s);
	gateway_answers(&s, 200);
	uf_fin(u, &u->cli, &u->srv);
	uf_fin(u, &u->srv, &u->cli);
	lookup_at(&s, T0 + 60 * UF_S, "nx.test", 3, NULL, 0);
	lookup_at(&s, T0 + 95 * UF_S, "inflight.test", -1, NULL, 0);
	lookup_at(&s, T0 + 100 * UF_S, "clock.test", -1, NULL, 0);
	assert_string_equal(names(u, buf, sizeof buf), "www.test old.test "
	    "www.test stale.test nx.test inflight.test clock.test");
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 1);
	assert_int_equal(u->fl.nmsgs, 2);
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 1);
	assert_int_equal(u->dg.ntxns, 0);
	assert_int_equal(u->fl.nmsgs, 0);
	assert_string_equal(names(u, buf, sizeof buf), "www.test nx.test "
	    "inflight.test clock.test");
	assert_int_equal(u->fl.dns[0].answer.ts_ns, newest_ts);

	/* a request now is served from that cache */
	uf_at(u, T0 + 101 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL_B);
	uf_status(u, &gw2, &cli2, 502);
	uf_slice(u);
	t = uf_txn(u, 2);
	assert_int_equal(t->d.dns_link, LINK_CACHE);
	assert_int_equal(t->d.ndns, 1);
	assert_string_equal(uf_str(u, u->fl.dns[t->d.dns[0]].qname), HOST);
	assert_int_equal(u->fl.dns[t->d.dns[0]].answer.ts_ns, newest_ts);
}

/* Only flagged, settled transactions whose story is over go. */
static void
test_only_flagged_and_over(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2;
	uint8_t flags[3] = { 0, 1, 1 };

	scene_init(&s, u);
	ask(&s);
	gateway_answers(&s, 200);
	uf_at(u, T0 + 5 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL_B);
	uf_status(u, &gw2, &cli2, 502);
	uf_at(u, T0 + 10 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.7", 40002, URL);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 3);
	assert_false(u->dg.txns[2].settled);	/* still waiting */
	assert_int_equal(diag_retire(&u->dg, &u->fl, flags), 1);
	assert_int_equal(u->dg.ntxns, 2);
	assert_int_equal(u->dg.txns[0].id, 1);
	assert_int_equal(u->dg.txns[1].id, 3);
	assert_int_equal(u->dg.retired.txns, 1);
	assert_int_equal(u->dg.retired.errors, 1);
	assert_int_equal(u->dg.retired.counts[V_UNKNOWN], 1);
	uf_slice(u);	/* the retired one's counts, and the waiting one's */
	assert_int_equal(u->dg.errors, 2);
	assert_int_equal(u->dg.counts[V_UNKNOWN], 1);
	assert_int_equal(u->dg.counts[V_PENDING], 1);
	assert_int_equal(diag_total(&u->dg), 3);
}

/* Two requests on one kept-alive connection, each answered 200; then
 * 5 s later. */
static void
two_answered(struct scene *s, struct uf *u)
{
	scene_init(s, u);
	ask(s);
	gateway_answers(s, 200);
	uf_get(u, &u->cli, &u->srv, URL_B, HOST);
	gateway_answers(s, 200);
	uf_at(u, s->req_ts + 5 * UF_S);
}

/*
 * Three requests on one kept-alive connection; the first two answered
 * (200) and retired while the third waits. Only the first two pairs go:
 * the third's answer, when it comes, still pairs with the third.
 */
static void
test_pairs_kept_in_order(void **state)
{
	struct uf *u = *state;
	struct scene s;
	uint8_t all[3] = { 1, 1, 1 };
	const struct txn *t;

	two_answered(&s, u);
	uf_get(u, &u->cli, &u->srv, "http://" HOST "/c", HOST);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 3);
	assert_int_equal(u->fl.nmsgs, 5);
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 2);
	assert_int_equal(u->dg.ntxns, 1);
	assert_true(u->fl.nmsgs < 5);
	uf_at(u, s.req_ts + 6 * UF_S);
	gateway_answers(&s, 502);
	uf_slice(u);
	t = uf_txn(u, 3);
	assert_string_equal(uf_str(u, t->url), "http://" HOST "/c");
	assert_int_equal(t->status, 502);
	assert_string_equal(uf_line(u, &u->fl.msgs[t->resp]),
	    "HTTP/1.1 502 Bad Gateway");
	assert_int_equal(u->dg.errors, 1);
	assert_int_equal(diag_total(&u->dg), 3);
}

/*
 * The same, with the third request's body cut in two by the retiring:
 * its head and first bytes came before, the rest after. The message
 * being read is renumbered with the rest: it ends whole, the request it
 * began as.
 */
static void
test_body_across_retiring(void **state)
{
	struct uf *u = *state;
	struct scene s;
	uint8_t all[3] = { 1, 1, 1 };
	const struct txn *t;

	two_answered(&s, u);
	uf_send(u, &u->cli, &u->srv, "POST http://" HOST "/c HTTP/1.1\r\n"
	    "Host: " HOST "\r\nContent-Length: 10\r\n\r\n01234");
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 3);
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 2);
	t = uf_txn(u, 3);
	assert_false(u->fl.msgs[t->req].complete);
	uf_send(u, &u->cli, &u->srv, "56789");
	uf_at(u, s.req_ts + 6 * UF_S);
	gateway_answers(&s, 502);
	uf_slice(u);
	t = uf_txn(u, 3);
	assert_string_equal(uf_str(u, t->url), "http://" HOST "/c");
	assert_true(u->fl.msgs[t->req].complete);
	assert_int_equal(t->status, 502);
	assert_int_equal(diag_total(&u->dg), 3);
}

/*
 * The keep-alive race across a retiring: request 1 is served on a new
 * upstream connection and the client leaves; 10 s later request 2 goes
 * out on that pooled connection just as the server closes it (FIN, then
 * RST: the connection is over). Request 1 is retired before the
 * gateway's 502: the closed connection's first pair goes with it, and
 * request 2 becomes the first request the model holds on it. It is
 * still a pooled request (the connection's first bytes were request
 * 1's), so the server closed it first: upstream-closed, as when read at
 * once.
 */
static void
test_race_across_retiring(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2;
	uint8_t first[2] = { 1, 0 };
	uint32_t up;
	const struct txn *t;

	scene_init(&s, u);
	served(&s);
	uf_fin(u, &u->cli, &u->srv);
	uf_fin(u, &u->srv, &u->cli);
	uf_at(u, s.req_ts + 10 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL_B);
	uf_get(u, &s.out, &s.web, "/b", HOST);
	uf_fin(u, &s.web, &s.out);
	uf_rst(u, &s.web, &s.out);
	uf_diag_run(u, NULL, false);
	assert_int_equal(diag_retire(&u->dg, &u->fl, first), 1);
	assert_int_equal(u->dg.ntxns, 1);
	up = u->fl.msgs[uf_txn(u, 2)->d.up_req].conn;
	assert_string_equal(uf_str(u,
	    u->fl.msgs[u->fl.conns[up].first_msg[0]].target), "/b");
	uf_status(u, &gw2, &cli2, 502);
	uf_slice(u);
	t = uf_txn(u, 2);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	assert_int_equal(t->d.conn_link, LINK_REQUEST_LINE);
}

/*
 * Forty names each answered twice, both answers still valid: only the
 * newer of each goes on (the cache holds one per name, whatever the
 * case of the name), the older ones go with the transaction retired.
 */
static void
test_newest_per_name(void **state)
{
	struct uf *u = *state;
	struct scene s;
	uint8_t all[1] = { 1 };
	uint64_t newer[40];
	char name[32];

	scene_init(&s, u);
	for (int k = 0; k < 40; k++) {
		snprintf(name, sizeof name, "n%d.test", k);
		lookup_at(&s, T0 + k * 10 * UF_MS, name, 0, addr300, 1);
	}
	for (int k = 0; k < 40; k++) {
		snprintf(name, sizeof name, k % 5 ? "n%d.test" : "N%d.TEST", k);
		newer[k] = lookup_at(&s, T0 + 10 * UF_S + k * 10 * UF_MS, name,
		    0, addr300, 1);
	}
	uf_at(u, T0 + 20 * UF_S);
	ask(&s);
	gateway_answers(&s, 200);
	uf_fin(u, &u->cli, &u->srv);
	uf_fin(u, &u->srv, &u->cli);
	uf_at(u, T0 + 30 * UF_S);
	uf_fin(u, &u->cli, &u->srv);	/* the last frame, 10 s later */
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->fl.ndns, 80);
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 1);
	assert_int_equal(u->fl.ndns, 40);
	for (int k = 0; k < 40; k++)
		assert_int_equal(u->fl.dns[k].query.number, newer[k]);
}

/*
 * A look-up nginx resent every 5 s for 40 s (requests kept coming: the
 * busy lab's resent one for 35 s) stays whole: its sends older than
 * DIAG_INFLIGHT_NS stay with the newer ones, each within that of the
 * next, and a request after the retiring waits on it, every send its
 * evidence. A query as old that nothing resent goes.
 */
static void
test_long_lookup_kept(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2;
	uint8_t all[1] = { 1 };
	uint64_t sends[9];
	const struct txn *t;
	char buf[512];

	scene_init(&s, u);
	/* three names from one socket within a second: nginx's own,
	 * which resends */
	lookup_at(&s, T0 - 9 * UF_S, "a.test", 0, addr300, 1);
	lookup_at(&s, T0 - 8900 * UF_MS, "b.test", 0, addr300, 1);
	lookup_at(&s, T0 - 8800 * UF_MS, "c.test", 0, addr300, 1);
	uf_at(u, T0 - 2 * UF_S);
	ask(&s);
	gateway_answers(&s, 200);
	uf_fin(u, &u->cli, &u->srv);
	uf_fin(u, &u->srv, &u->cli);
	for (size_t k = 0; k < 9; k++) {
		if (k == 2)
			lookup_at(&s, T0 + 8 * UF_S, "stale.test", -1, NULL, 0);
		uf_at(u, T0 + (int64_t)k * 5 * UF_S);
		sends[k] = uf_dns_query(u, &s.res, &s.dns, 0x2222, HOST,
		    DNS_T_A);
	}
	uf_at(u, T0 + 41 * UF_S);
	uf_syn(u, &s.out, &s.web);	/* any frame */
	uf_diag_run(u, NULL, false);
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 1);
	assert_string_equal(names(u, buf, sizeof buf), "a.test b.test c.test "
	    "www.test www.test www.test www.test www.test www.test www.test "
	    "www.test www.test");

	uf_at(u, T0 + 41500 * UF_MS);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL_B);
	uf_at(u, T0 + 43 * UF_S);
	uf_status(u, &gw2, &cli2, 502);
	uf_slice(u);
	t = uf_txn(u, 2);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_int_equal(t->d.ndns, 9);
	for (size_t k = 0; k < 9; k++)
		assert_int_equal(u->fl.dns[t->d.dns[k]].query.number,
		    sends[k]);
}

/*
 * When a transaction's story is over (and it may go): its answer
 * complete (or cut by the connection's end), with the slack after the
 * head passed; unanswered, once its
 * client left and the timeout passed; never while the client stays.
 * Returns what diag_retire returns at the end of the scene `how`.
 */
enum end_scene {
	BODY_DONE,	/* 502 head at 3 s, its body completes at 3.5 s */
	BODY_COMING,	/* the same, the last frame just before the body */
	BODY_CUT,	/* the same, the proxy resets instead at 3.5 s */
	BODY_FIN,	/* the same, the proxy closes instead at 3.5 s */
	LEFT_LATE,	/* unanswered; the client leaves at 130 s */
	LEFT_RST,	/* the same, by a reset */
	LEFT_EARLY,	/* unanswered; the client leaves at 1 s, the last
			 * frame 1 ms after the timeout and the slack */
	STAYS		/* unanswered; the client stays; 200 s later */
};

static long
retired_at_end(void **state, enum end_scene how)
{
	struct uf *u = again(state);
	struct scene s;
	uint8_t all[1] = { 1 };

	scene_init(&s, u);
	ask(&s);
	switch (how) {
	case BODY_DONE:
	case BODY_COMING:
	case BODY_CUT:
	case BODY_FIN:
		uf_at(u, s.req_ts + 3 * UF_S);
		uf_send(u, &u->srv, &u->cli, "HTTP/1.1 502 Bad Gateway\r\n"
		    "Content-Length: 5\r\n\r\n");
		uf_at(u, s.req_ts + 3500 * UF_MS - (how == BODY_COMING) * UF_MS);
		if (how == BODY_DONE)
			uf_send(u, &u->srv, &u->cli, "oops!");
		else if (how == BODY_CUT)
			uf_rst(u, &u->srv, &u->cli);
		else if (how == BODY_FIN)
			uf_fin(u, &u->srv, &u->cli);
		else
			uf_syn(u, &s.out, &s.web);	/* any frame */
		break;
	case LEFT_LATE:
	case LEFT_RST:
		uf_at(u, s.req_ts + 130 * UF_S);
		if (how == LEFT_LATE)
			uf_fin(u, &u->cli, &u->srv);
		else
			uf_rst(u, &u->cli, &u->srv);
		break;
	case LEFT_EARLY:
		uf_at(u, s.req_ts + 1 * UF_S);
		uf_fin(u, &u->cli, &u->srv);
		uf_at(u, s.req_ts + 120 * UF_S + 201 * UF_MS);
		uf_syn(u, &s.out, &s.web);
		break;
	case STAYS:
		uf_at(u, s.req_ts + 200 * UF_S);
		uf_syn(u, &s.out, &s.web);
		break;
	}
	uf_diag_run(u, NULL, false);
	return diag_retire(&u->dg, &u->fl, all);
}

static void
test_over_at_its_end(void **state)
{
	assert_int_equal(retired_at_end(state, BODY_DONE), 1);
	assert_int_equal(retired_at_end(state, BODY_COMING), 0);
	assert_int_equal(retired_at_end(state, BODY_CUT), 1);
	assert_int_equal(retired_at_end(state, BODY_FIN), 1);
	assert_int_equal(retired_at_end(state, LEFT_LATE), 1);
	assert_int_equal(retired_at_end(state, LEFT_RST), 1);
	assert_int_equal(retired_at_end(state, LEFT_EARLY), 1);
	assert_int_equal(retired_at_end(state, STAYS), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cache_kept, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_only_flagged_and_over,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_pairs_kept_in_order,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_body_across_retiring,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_race_across_retiring,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_newest_per_name, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_long_lookup_kept, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_over_at_its_end, uf_setup,
		    uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
