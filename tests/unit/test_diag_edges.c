/*
 * test_diag_edges.c: behaviours of src/diag at their edges, each in a
 * small scene (diag_scene.h): which evidence rows an attempt that did not
 * carry the request still shows (and the listed frames, the flow view's
 * columns and rows), which of two look-ups at one instant is a request's
 * own, that an answer's addresses are its own and no other query's,
 * which attempt chain an unanswered request keeps, evidence captured up
 * to 1 ms (the clock skew) before its request, and when a transaction
 * whose messages never completed is over and can be retired (closed by
 * either side's FIN or an RST); a reset up to the slack after the
 * gateway's answer, inclusive, is still part of the story; rivals with
 * nothing linked by time alone are not ambiguous.
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

#include "diag/evidence.h"
#include "diag/ladder.h"
#include "unit_flow.h"
#include "diag_scene.h"

#define ROWS_MAX 2048

static const char *const kind_codes[EK_COUNT] = {
	"req", "ans", "dq", "da", "dc", "con", "syn", "sa", "rst", "rstg",
	"icmp", "nr", "fing", "finu", "ureq", "urep", "tlsh", "tlse", "tlsr"
};

/* t's evidence rows as "kind#frame" words ("kind" alone for a row
 * without a frame), in the order the reports list them. */
static const char *
rows(struct uf *u, const struct txn *t, char *out)
{
	struct evidence ev = { 0 };
	size_t n = 0;

	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	out[0] = '\0';
	for (size_t i = 0; i < ev.n && n < ROWS_MAX; i++) {
		const struct evidence_row *r = &ev.rows[i];

		n += (size_t)snprintf(out + n, ROWS_MAX - n, r->frame ?
		    "%s%s#%llu" : "%s%s", i ? " " : "", kind_codes[r->kind],
		    (unsigned long long)r->frame);
	}
	evidence_free(&ev);
	return out;
}

/* Transaction 1, the only one: its verdict, rows and summary. */
static void
expect_story(struct scene *s, enum verdict v, enum cause c,
    const char *want_rows, const char *want_summary)
{
	char got[ROWS_MAX];
	const struct txn *t = diagnosed(s);

	expect_verdict(t, v, c);
	assert_string_equal(rows(s->u, t, got), want_rows);
	assert_string_equal(uf_summary(s->u, t, got, sizeof got),
	    want_summary);
}

/* The flow view's rows of transaction 1: their frames, in frame order. */
static void
expect_ladder(struct uf *u, const char *want)
{
	struct ladder l = { 0 };
	char got[ROWS_MAX];
	size_t n = 0;

	assert_int_equal(ladder_build(&l, &u->fl, &u->dg, uf_txn(u, 1)), 0);
	got[0] = '\0';
	for (size_t i = 0; i < l.n; i++)
		n += (size_t)snprintf(got + n, sizeof got - n, "%s%llu",
		    i ? " " : "", (unsigned long long)l.rows[i]->frame);
	ladder_free(&l);
	assert_string_equal(got, want);
}

/* HOST's two addresses, cached 300 s. */
static const struct uf_rr two_addrs[] = {
	{ DNS_T_A, NULL, 300, "192.0.2.10" },
	{ DNS_T_A, NULL, 300, "192.0.2.11" },
};

/*
 * The gateway's first attempt, to 192.0.2.10, sends a SYN (6) whose
 * SYN/ACK the capture lost; both sides close it (7, 8). A second after
 * the SYN it tries 192.0.2.11 (9-11), which carries the request (12) and
 * answers 502 itself (13), passed on (14). The first attempt did not
 * carry the request, yet its FINs are part of the story.
 */
static void
attempt_lost_synack(struct scene *s)
{
	struct uf_side out2, web2;
	int64_t syn_ts;

	uf_side_init(&out2, "10.0.0.1", 50001, 8000);
	uf_side_init(&web2, "192.0.2.11", 80, 9500);
	ask(s);
	query(s);
	answer(s, 0, two_addrs, 2);
	syn_ts = s->u->next_ts_ns;
	uf_syn(s->u, &s->out, &s->web);
	s->web.seq++;	/* its SYN/ACK, not captured */
	s->out.seq++;
	uf_fin(s->u, &s->out, &s->web);
	uf_fin(s->u, &s->web, &s->out);
	uf_at(s->u, syn_ts + 1 * UF_S);
	uf_handshake(s->u, &out2, &web2);
	uf_get(s->u, &out2, &web2, "/", HOST);
	uf_status(s->u, &web2, &out2, 502);
	gateway_answers(s, 502);
}

static void
test_fins_of_attempt_that_carried_nothing(void **state)
{
	struct scene s;

	scene_init(&s, *state);
	attempt_lost_synack(&s);
	expect_story(&s, V_RELAYED, C_UPSTREAM_5XX,
	    "req#3 ans#13 dq#4 da#5 con syn#6 nr fing#7 finu#8 con syn#9 "
	    "sa#10 ureq#11 urep#12",
	    "192.0.2.11:80 itself answered \"HTTP/1.1 502 Bad "
	    "Gateway\"; the gateway passed it on");
	expect_ladder(s.u, "3 4 5 6 7 8 9 10 11 12 13");
}

/* The listed frames (the reports' and the export's), sorted, the same
 * from the rows and from the walk, and cut at `max` in list order; the
 * flow view's columns: each the first address seen in it. */
static void
test_frames_and_columns(void **state)
{
	static const uint64_t all[] = { 3, 4, 5, 6, 8, 9, 10, 11, 12, 13 };
	struct scene s;
	struct evidence ev = { 0 };
	uint64_t f[16], g[16];
	char a[ADDR_STRLEN];
	const struct txn *t;

	scene_init(&s, *state);
	attempt_lost_synack(&s);
	t = diagnosed(&s);
	assert_int_equal(evidence_build(&ev, &s.u->dg, &s.u->fl, t,
	    s.u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	assert_int_equal(evidence_frames(&ev, f, 16), 10);
	assert_memory_equal(f, all, sizeof all);
	assert_int_equal(uf_evidence(s.u, t, g, 16), 10);
	assert_memory_equal(g, all, sizeof all);
	/* the first three in list order: request, answer, query */
	assert_int_equal(evidence_frames(&ev, f, 3), 3);
	assert_int_equal(uf_evidence(s.u, t, g, 3), 3);
	/* room for none: none (not the first slot's old value) */
	assert_int_equal(evidence_frames(&ev, f, 0), 0);
	assert_int_equal(f[0], 3);
	assert_int_equal(f[1], 4);
	assert_int_equal(f[2], 13);
	assert_memory_equal(f, g, 3 * sizeof f[0]);
	assert_string_equal(addr_fmt(&ev.addr[EC_CLIENT], a, sizeof a),
	    "10.0.0.5");
	assert_string_equal(addr_fmt(&ev.addr[EC_GATEWAY], a, sizeof a),
	    "10.0.0.1");
	assert_string_equal(addr_fmt(&ev.addr[EC_DNS], a, sizeof a),
	    "10.0.0.53");
	assert_string_equal(addr_fmt(&ev.addr[EC_UPSTREAM], a, sizeof a),
	    "192.0.2.10");
	assert_string_equal(evidence_col_name(EC_CLIENT), "Client");
	assert_string_equal(evidence_col_name(EC_UPSTREAM), "Upstream");
	assert_string_equal(evidence_col_name(EC_COUNT), "?");
	evidence_free(&ev);
}

/*
 * Two look-ups of HOST from different sockets: one 0.5 ms before the
 * request (inside the clock skew an `-i any` capture allows), one 0.5 ms
 * after it. Equally near, the one after is the request's own: the
 * gateway cannot act before a request came.
 */
static void
test_lookup_after_the_request_wins(void **state)
{
	struct scene s;
	struct uf_side res2;
	uint64_t before, after;
	int64_t at;

	scene_init(&s, *state);
	uf_side_init(&res2, "10.0.0.1", 33001, 0);
	uf_handshake(s.u, &s.u->cli, &s.u->srv);
	at = s.u->next_ts_ns + 10 * UF_MS;
	uf_at(s.u, at - UF_MS / 2);
	before = uf_dns_query(s.u, &res2, &s.dns, 0x200, HOST, DNS_T_A);
	uf_at(s.u, at);
	s.req = uf_get(s.u, &s.u->cli, &s.u->srv, URL, HOST);
	uf_at(s.u, at + UF_MS / 2);
	after = query(&s);
	uf_dns_answer(s.u, &s.dns, &res2, 0x200, HOST, DNS_T_A, 2, NULL, 0);
	answer(&s, 3, NULL, 0);
	gateway_answers(&s, 502);
	assert_int_equal(before, 3);
	assert_int_equal(after, 5);
	expect_story(&s, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN,
	    "req#4 ans#8 dq#5 da#7",
	    "DNS server 10.0.0.53 answered NXDOMAIN for "
	    "www.test (no such name)");
}

/*
 * Look-ups of HOST from four sockets: 400 ms before the request (too
 * early: not in the skew), 0.5 ms before (in the skew), 500 ms and
 * 800 ms after. Nearest by distance, where one before the request pays
 * the 200 ms slack: the one 0.5 ms before (200.5 ms) beats the one
 * 500 ms after. It is measured from its own time, not its neighbours'.
 */
static void
test_lookup_in_skew_nearest(void **state)
{
	struct scene s;
	struct uf_side res[4];
	static const int64_t at_ms10[4] = { -4000, -5, 5000, 8000 };
	int64_t at;

	scene_init(&s, *state);
	for (int k = 0; k < 4; k++)
		uf_side_init(&res[k], "10.0.0.1", (uint16_t)(33001 + k), 0);
	uf_handshake(s.u, &s.u->cli, &s.u->srv);
	at = s.u->next_ts_ns + 500 * UF_MS;
	for (int k = 0; k < 4; k++) {
		if (k == 2) {
			uf_at(s.u, at);
			s.req = uf_get(s.u, &s.u->cli, &s.u->srv, URL, HOST);
		}
		uf_at(s.u, at + at_ms10[k] * UF_MS / 10);
		uf_dns_query(s.u, &res[k], &s.dns, (uint16_t)(0x300 + k), HOST,
		    DNS_T_A);
	}
	uf_dns_answer(s.u, &s.dns, &res[1], 0x301, HOST, DNS_T_A, 3, NULL, 0);
	uf_dns_answer(s.u, &s.dns, &res[2], 0x302, HOST, DNS_T_A, 2, NULL, 0);
	gateway_answers(&s, 502);
	expect_story(&s, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN,
	    "req#5 ans#10 dq#4 da#8",
	    "DNS server 10.0.0.53 answered NXDOMAIN for www.test "
	    "(no such name)");
}

/*
 * HOST resolves to 192.0.2.10 (4-5); the gateway then resolves another
 * name, other.test, to 192.0.2.99 (6-7) and connects there in vain
 * (8-10). Only HOST's own answer gives its addresses: the attempts to
 * 192.0.2.99 are not this request's.
 */
static void
test_addresses_come_from_the_own_answer(void **state)
{
	static const struct uf_rr other[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.99" },
	};
	struct scene s;
	struct uf_side web99;
	uint64_t syn[3];

	scene_init(&s, *state);
	uf_side_init(&web99, "192.0.2.99", 80, 9900);
	ask(&s);
	query(&s);
	answer(&s, 0, addr300, 1);
	uf_dns_query(s.u, &s.res, &s.dns, 0x300, "other.test", DNS_T_A);
	uf_dns_answer(s.u, &s.dns, &s.res, 0x300, "other.test", DNS_T_A, 0,
	    other, 1);
	s.web = web99;
	syns_given_up(&s, syn);
	gateway_answers(&s, 502);
	expect_story(&s, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE,
	    "req#3 ans#11 dq#4 da#5",
	    "www.test was resolved, but no connection "
	    "attempt to its addresses was captured");
}

/*
 * A request never answered (the capture ends first): the gateway's
 * attempt right after it is refused (6-7); two seconds later another
 * attempt to the same address connects (8-9), another client's (an
 * attempt to the same address is not a retry). The request keeps its
 * own, nearest attempt: with no answer, any end of it fits.
 */
static void
test_unanswered_request_keeps_its_attempt(void **state)
{
	struct scene s;
	struct uf_side out2, web2;

	scene_init(&s, *state);
	ask(&s);
	query(&s);
	answer(&s, 0, addr300, 1);
	uf_syn(s.u, &s.out, &s.web);
	uf_rst(s.u, &s.web, &s.out);
	out2 = s.out;
	out2.port = 50001;
	web2 = s.web;
	web2.seq = 19000;
	uf_at(s.u, s.u->next_ts_ns + 2 * UF_S);
	uf_handshake(s.u, &out2, &web2);
	expect_story(&s, V_CANNOT_CONNECT, C_TCP_RST,
	    "req#3 ans dq#4 da#5 con syn#6 rst#7",
	    "192.0.2.10 port 80 answered the SYN with RST "
	    "(connection refused)");
}

/*
 * HOST's address is cached; the gateway's SYN (refused) is captured
 * `before` ahead of the request: an `-i any` capture's clock skew lets
 * evidence come up to 1 ms before its request, no more.
 */
static const struct txn *
attempt_before_request(void **state, int64_t before)
{
	struct uf *u = again(state);
	struct scene s;
	int64_t at;

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	uf_handshake(u, &u->cli, &u->srv);
	at = u->next_ts_ns + 10 * UF_MS;
	uf_at(u, at - before);
	uf_syn(u, &s.out, &s.web);
	uf_at(u, at);
	s.req = uf_get(u, &u->cli, &u->srv, URL, HOST);
	uf_rst(u, &s.web, &s.out);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_skewed_attempt(void **state)
{
	const struct txn *t = attempt_before_request(state, UF_MS / 2);

	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, 1);
	t = attempt_before_request(state, UF_MS);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	t = attempt_before_request(state, UF_MS + 1);
	assert_int_equal(t->d.nconns, 0);
	assert_int_equal(t->d.verdict, V_UNKNOWN);
}

/*
 * The gateway asks for HOST 0.8 ms before the request is captured (the
 * clock skew) and gets SERVFAIL 0.5 ms later, still before it: that
 * look-up is the request's, its failure the cause.
 */
static void
test_skewed_lookup(void **state)
{
	struct scene s;
	int64_t at;

	scene_init(&s, *state);
	uf_handshake(s.u, &s.u->cli, &s.u->srv);
	at = s.u->next_ts_ns + 10 * UF_MS;
	uf_at(s.u, at - 8 * UF_MS / 10);
	query(&s);
	uf_at(s.u, at - 3 * UF_MS / 10);
	answer(&s, 2, NULL, 0);
	uf_at(s.u, at);
	s.req = uf_get(s.u, &s.u->cli, &s.u->srv, URL, HOST);
	gateway_answers(&s, 502);
	expect_story(&s, V_HOST_NOT_RESOLVABLE, C_DNS_ERROR,
	    "req#5 ans#6 dq#3 da#4",
	    "DNS server 10.0.0.53 answered SERVFAIL for www.test "
	    "(the look-up failed)");
	assert_int_equal(uf_txn(s.u, 1)->d.dns_link, LINK_TIME);
}

/*
 * A server that cannot parse the query (an old one that does not know
 * EDNS, say) answers FORMERR, rcode 1: the lowest failure code is a
 * failure too, named as the server sent it.
 */
static void
test_formerr_lookup(void **state)
{
	struct scene s;

	scene_init(&s, *state);
	uf_handshake(s.u, &s.u->cli, &s.u->srv);
	s.req = uf_get(s.u, &s.u->cli, &s.u->srv, URL, HOST);
	query(&s);
	answer(&s, 1, NULL, 0);
	gateway_answers(&s, 502);
	expect_story(&s, V_HOST_NOT_RESOLVABLE, C_DNS_ERROR,
	    "req#3 ans#6 dq#4 da#5",
	    "DNS server 10.0.0.53 answered FORMERR for www.test "
	    "(the look-up failed)");
}

/* Diagnoses what came so far (the capture goes on) and offers every
 * transaction for retiring; returns how many went. */
static long
retire_all(struct uf *u)
{
	uint8_t *all;
	long n;

	uf_diag_run(u, NULL, false);
	all = malloc(u->dg.ntxns + 1);
	assert_non_null(all);
	memset(all, 1, u->dg.ntxns + 1);
	n = diag_retire(&u->dg, &u->fl, all);
	free(all);
	uf_slice(u);	/* the counts, retired ones included */
	return n;
}

/* Something else captured at `at`: the capture's clock moves on. */
static void
later_frame(struct scene *s, int64_t at)
{
	uf_at(s->u, at);
	uf_dns_query(s->u, &s->res, &s->dns, 0x7777, "later.test", DNS_T_A);
}

enum closer { CLIENT_FIN, GATEWAY_FIN, GATEWAY_RST };

/*
 * The upstream server answers 502 (frames 1-9); the gateway passes it on
 * with a body shorter than its Content-Length and the client's
 * connection closes (by the client's FIN, the gateway's FIN or RST): the
 * answer will never be complete, so the transaction is over once the
 * connection closed and can go; it is kept, counted, until then.
 */
static void
retire_incomplete_answer(enum closer how)
{
	struct scene s;
	struct uf *u;
	void *st = NULL;
	int64_t closed;

	uf_setup(&st);
	u = st;
	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_status(u, &s.web, &s.out, 502);
	uf_send(u, &u->srv, &u->cli, "HTTP/1.1 502 Bad Gateway\r\n"
	    "Content-Length: 100\r\n\r\nshort");
	later_frame(&s, s.req_ts + 1 * UF_S);
	assert_int_equal(retire_all(u), 0);	/* the body may still come */
	assert_int_equal(u->dg.ntxns, 1);
	closed = s.req_ts + 2 * UF_S;
	uf_at(u, closed);
	if (how == CLIENT_FIN)
		uf_fin(u, &u->cli, &u->srv);
	else if (how == GATEWAY_FIN)
		uf_fin(u, &u->srv, &u->cli);
	else
		uf_rst(u, &u->srv, &u->cli);
	later_frame(&s, closed + 10 * UF_MS);
	assert_int_equal(retire_all(u), 1);
	assert_int_equal(u->dg.ntxns, 0);
	assert_int_equal(u->dg.retired.txns, 1);
	assert_int_equal(diag_total(&u->dg), 1);
	assert_int_equal(u->dg.errors, 1);
	assert_int_equal(u->dg.counts[V_RELAYED], 1);
	uf_teardown(&st);
}

static void
test_retire_incomplete_answer(void **state)
{
	(void)state;
	retire_incomplete_answer(CLIENT_FIN);
	retire_incomplete_answer(GATEWAY_FIN);
	retire_incomplete_answer(GATEWAY_RST);
}

/*
 * A request the gateway never answers is over once the client has left
 * (its FIN, or an RST) and the gateway's timeout (120 s) has passed
 * since the request: not before either.
 */
static void
test_retire_unanswered(void **state)
{
	struct scene s;
	struct uf *u = *state;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	later_frame(&s, s.req_ts + 200 * UF_S);
	assert_int_equal(retire_all(u), 0);	/* the client still waits */
	assert_int_equal(u->dg.ntxns, 1);

	u = again(state);
	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	uf_at(u, s.req_ts + 5 * UF_S);
	uf_fin(u, &u->cli, &u->srv);
	later_frame(&s, s.req_ts + 100 * UF_S);
	assert_int_equal(retire_all(u), 0);	/* the timeout runs on */
	later_frame(&s, s.req_ts + 121 * UF_S);
	assert_int_equal(retire_all(u), 1);
	assert_int_equal(u->dg.ntxns, 0);
	assert_int_equal(u->dg.retired.txns, 1);
	assert_int_equal(u->dg.errors, 1);

	u = again(state);
	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	uf_at(u, s.req_ts + 5 * UF_S);
	uf_rst(u, &u->cli, &u->srv);
	later_frame(&s, s.req_ts + 121 * UF_S);
	assert_int_equal(retire_all(u), 1);
	assert_int_equal(u->dg.retired.txns, 1);
}

/*
 * When a transaction's story is final (the streamed report prints in
 * that order): an answered one 200 ms after its answer (the slack); an
 * unanswered one when the gateway's timeout (120 s, and the slack) has
 * passed and the client has left, whichever is later; never while the
 * client still waits.
 */
static void
test_final_times(void **state)
{
	struct scene s;
	struct uf *u = *state;
	int64_t req;

	scene_init(&s, u);
	ask(&s);
	req = s.req_ts;
	uf_at(u, req + 3 * UF_S);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	assert_int_equal(txn_final_ns(&u->dg, &u->fl, uf_txn(u, 1)),
	    req + 3 * UF_S + 200 * UF_MS);

	u = again(state);
	scene_init(&s, u);
	ask(&s);
	req = s.req_ts;
	uf_at(u, req + 125 * UF_S);
	uf_fin(u, &u->cli, &u->srv);
	uf_diagnose(u);
	assert_int_equal(txn_final_ns(&u->dg, &u->fl, uf_txn(u, 1)),
	    req + 125 * UF_S);

	u = again(state);
	scene_init(&s, u);
	ask(&s);
	req = s.req_ts;
	uf_at(u, req + 5 * UF_S);
	uf_rst(u, &u->cli, &u->srv);
	uf_diagnose(u);
	assert_int_equal(txn_final_ns(&u->dg, &u->fl, uf_txn(u, 1)),
	    req + 120 * UF_S + 200 * UF_MS);

	u = again(state);
	scene_init(&s, u);
	ask(&s);
	uf_at(u, s.req_ts + 200 * UF_S);
	query(&s);
	uf_diagnose(u);
	assert_int_equal(txn_final_ns(&u->dg, &u->fl, uf_txn(u, 1)),
	    INT64_MAX);
}

/*
 * An unanswered request whose client stays: its story ends at the
 * gateway's timeout (120 s and the slack), which is also when it
 * settles, so a SYN/ACK 130 s after the request is no part of it,
 * whether the capture is diagnosed in one pass at its end or slice by
 * slice (settled at 121 s, before the SYN/ACK came): same verdict, same
 * elapsed time.
 */
static void
test_story_ends_at_the_timeout(void **state)
{
	int64_t elapsed[2];

	for (int sliced = 0; sliced < 2; sliced++) {
		struct uf *u = sliced ? again(state) : *state;
		struct uf_side other;
		struct scene s;
		const struct txn *t;
		uint64_t syn[3];

		if (sliced)
			uf_slices_begin(u, NULL);
		scene_init(&s, u);
		ask(&s);
		resolve(&s);
		syns_given_up(&s, syn);
		uf_side_init(&other, "10.0.0.99", 40999, 0);
		uf_at(u, s.req_ts + 121 * UF_S);
		uf_syn(u, &other, &u->srv);
		if (sliced)
			assert_true(uf_txn(u, 1)->settled);
		uf_at(u, s.req_ts + 130 * UF_S);
		uf_synack(u, &s.web, &s.out);
		if (sliced)
			uf_slices_end(u);
		else
			uf_diagnose(u);
		t = uf_txn(u, 1);
		expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
		elapsed[sliced] = txn_elapsed_ns(&u->fl, t,
		    u->fl.stats.last_ts);
		assert_true(elapsed[sliced] >= 120 * UF_S);
		assert_true(elapsed[sliced] < 121 * UF_S);
	}
	assert_int_equal(elapsed[0], elapsed[1]);
}

/*
 * The server's reset of the gateway's attempt, `after` the gateway's 502:
 * what comes up to the slack (200 ms) after the answer is still part of
 * the story, inclusive; later it is not.
 */
static const struct txn *
reset_after_answer(void **state, int64_t after, uint64_t *rst)
{
	struct uf *u = again(state);
	struct scene s;
	int64_t at;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	uf_syn(u, &s.out, &s.web);
	at = u->next_ts_ns + 5 * UF_MS;
	uf_at(u, at);
	gateway_answers(&s, 502);
	uf_at(u, at + after);
	*rst = uf_rst(u, &s.web, &s.out);
	return diagnosed(&s);
}

static void
test_reset_within_slack(void **state)
{
	const struct txn *t;
	uint64_t rst, f[32];
	size_t n;
	bool listed = false;

	t = reset_after_answer(state, 200 * UF_MS, &rst);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	n = uf_evidence(*state, t, f, 32);
	for (size_t i = 0; i < n; i++)
		listed |= f[i] == rst;
	assert_true(listed);
	t = reset_after_answer(state, 201 * UF_MS, &rst);
	assert_int_not_equal(t->d.cause, C_TCP_RST);
	n = uf_evidence(*state, t, f, 32);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(f[i], rst);
}

/*
 * Two requests for HOST 0.5 ms apart (rivals), its address cached, no
 * attempt at all, both answered 502: nothing was linked by time alone,
 * so neither is ambiguous, though each names the other as its rival.
 */
static void
test_rivals_without_timed_evidence(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli[2], gw[2], out[2];
	const struct txn *t;

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	clients_connect(&s, 2, cli, gw, out);
	uf_at(u, T0 + 1 * UF_S);
	uf_get(u, &cli[0], &gw[0], URL, HOST);
	uf_at(u, T0 + 1 * UF_S + UF_MS / 2);
	uf_get(u, &cli[1], &gw[1], URL, HOST);
	uf_at(u, T0 + 2 * UF_S);
	uf_status(u, &gw[0], &cli[0], 502);
	uf_status(u, &gw[1], &cli[1], 502);
	uf_diagnose(u);
	for (uint32_t id = 1; id <= 2; id++) {
		t = uf_txn(u, id);
		assert_int_equal(t->rival, 3 - id);
		assert_int_equal(t->d.dns_link, LINK_CACHE);
		assert_int_equal(t->d.nconns, 0);
		assert_false(t->d.ambiguous);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_fins_of_attempt_that_carried_nothing, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_story_ends_at_the_timeout,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_rivals_without_timed_evidence, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_reset_within_slack,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_frames_and_columns,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_lookup_after_the_request_wins, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_lookup_in_skew_nearest,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_addresses_come_from_the_own_answer, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_unanswered_request_keeps_its_attempt, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_skewed_attempt,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_skewed_lookup,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_formerr_lookup,
		    uf_setup, uf_teardown),
		cmocka_unit_test(test_retire_incomplete_answer),
		cmocka_unit_test_setup_teardown(test_retire_unanswered,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_final_times, uf_setup,
		    uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
