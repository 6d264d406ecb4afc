/*
 * test_diag_mark.c: what the windows of open requests keep through an
 * eviction (diag.h: diag_evict; diag/mark.c). An open request for a host
 * and port may still link to connections to that port of any address
 * its cached answer or the host's look-ups from its window on gave, made
 * from the start of its window (the request less the slack) on: those
 * stay, however idle; the gateway's other idle connections go — before
 * the window, to another port, to an address the host never had. With a
 * budget so small that every idle connection not kept goes, the set left
 * is exactly the set kept. The walk is linear: many open requests for
 * one host on two ports cost each look-up one walk per port, not one per
 * request (issue 13), and look-ups before every window none, which the
 * number of steps a budget needs shows; a step walks at most its budget.
 * With no idle connection at all, the scan ends the eviction at once.
 * Through a retirement, an open request keeps the look-up that was in
 * flight when it came, from its first query on, and the answer the
 * gateway's cache held then, though a newer one replaced it, and though
 * no diagnosis has linked either yet.
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

#define R (T0 + 10 * UF_S)	/* the first open request */
#define SLACK (200 * UF_MS)

/* The gateway's SYN from port sport to addr:port at `at`, never
 * answered; its frame. */
static uint64_t
idle_syn(struct uf *u, int64_t at, uint16_t sport, const char *addr,
    uint16_t port)
{
	struct uf_side from, to;

	uf_side_init(&from, "10.0.0.1", sport, 100);
	uf_side_init(&to, addr, port, 0);
	uf_at(u, at);
	return uf_syn(u, &from, &to);
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
frames_text(uint64_t *f, size_t n, char *out, size_t len)
{
	size_t o = 0;

	qsort(f, n, sizeof *f, u64_cmp);
	out[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%llu", i ? " " : "",
		    (unsigned long long)f[i]);
}

/* The connections left, by their first frames, sorted, as text. */
static void
conns_left(const struct uf *u, char *out, size_t len)
{
	uint64_t f[128];
	size_t n = u->fl.nconns;

	assert_true(n <= 128);
	for (size_t i = 0; i < n; i++)
		f[i] = u->fl.conns[i].first.number;
	frames_text(f, n, out, len);
}

/*
 * other.test's answer first (so that a wrong index into the answers
 * reads an address the host never had), then HOST's (a CNAME, then the
 * address 192.0.2.10). Request A for URL (port 80) at R, its attempt
 * refused at once; a look-up at R + 20 ms gives 192.0.2.11; request B
 * for port 8080 at R + 3 s; a look-up at R + 3.2 s gives .10, .11 and
 * .12; idle SYNs all around. Both requests stay open. Writes the
 * connections that must stay.
 */
static void
windows_scene(struct uf *u, char *keep, size_t len)
{
	static const struct uf_rr other[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.99" },
	};
	static const struct uf_rr at11[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
	};
	static const struct uf_rr three[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
		{ DNS_T_A, NULL, 300, "192.0.2.12" },
	};
	struct scene s;
	struct uf_side cli2, gw2;
	uint64_t k[32];
	size_t n = 0;

	scene_init(&s, u);
	uf_dns_query(u, &s.res, &s.dns, 0x50, "other.test", DNS_T_A);
	uf_dns_answer(u, &s.dns, &s.res, 0x50, "other.test", DNS_T_A, 0,
	    other, 1);
	uf_at(u, R - 5 * UF_S);
	query(&s);
	answer(&s, 0, resolved, 2);
	/* to the cached address, just before A's window, and at its start */
	idle_syn(u, R - SLACK - 1 * UF_MS, 50100, "192.0.2.10", 80);
	k[n++] = idle_syn(u, R - SLACK, 50101, "192.0.2.10", 80);
	uf_at(u, R - 2 * UF_MS);	/* the request at R */
	k[n++] = u->frame + 1;
	ask(&s);
	assert_int_equal(s.req_ts, R);
	k[n++] = uf_syn(u, &s.out, &s.web);	/* refused */
	uf_rst(u, &s.web, &s.out);
	/* to an address a later look-up gives, before it came: no attempt
	 * for A, but in its window */
	k[n++] = idle_syn(u, R + 5 * UF_MS, 50112, "192.0.2.12", 80);
	uf_at(u, R + 20 * UF_MS);
	query(&s);
	answer(&s, 0, at11, 1);
	/* A's port: the addresses of every look-up in its window stay */
	k[n++] = idle_syn(u, R + 2 * UF_S, 50102, "192.0.2.10", 80);
	k[n++] = idle_syn(u, R + 2 * UF_S, 50103, "192.0.2.11", 80);
	k[n++] = idle_syn(u, R + 2 * UF_S, 50111, "192.0.2.12", 80);
	/* another port, an address the host never had */
	idle_syn(u, R + 2 * UF_S, 50104, "192.0.2.10", 443);
	idle_syn(u, R + 2 * UF_S, 50105, "192.0.2.99", 80);
	/* to B's port, just before its window and at its start; to .12
	 * (which only the look-up after B gives) before B asked */
	idle_syn(u, R + 3 * UF_S - SLACK - 1 * UF_MS, 50109, "192.0.2.11",
	    8080);
	k[n++] = idle_syn(u, R + 3 * UF_S - SLACK, 50110, "192.0.2.11", 8080);
	k[n++] = idle_syn(u, R + 3 * UF_S - 100 * UF_MS, 50113, "192.0.2.12",
	    8080);
	/* B, port 8080: its cached answer is the look-up at R + 20 ms */
	uf_at(u, R + 3 * UF_S - 2 * UF_MS);
	k[n++] = u->frame + 1;
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001,
	    "http://" HOST ":8080/x");
	k[n++] = idle_syn(u, R + 3 * UF_S + 100 * UF_MS, 50106, "192.0.2.11",
	    8080);
	k[n++] = idle_syn(u, R + 3 * UF_S + 100 * UF_MS, 50107, "192.0.2.10",
	    8080);
	idle_syn(u, R + 3 * UF_S + 100 * UF_MS, 50108, "192.0.2.99", 8080);
	uf_at(u, R + 3200 * UF_MS);
	query(&s);
	answer(&s, 0, three, 3);
	frames_text(k, n, keep, len);
}

static void
test_windows_keep(void **state)
{
	struct uf *u = *state;
	char want[512], got[512];

	windows_scene(u, want, sizeof want);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 2);
	assert_false(u->dg.txns[0].settled);
	assert_false(u->dg.txns[1].settled);
	flow_set_conn_budget(&u->fl, 4);
	assert_true(flow_wants_evict(&u->fl));
	assert_int_equal(diag_evict(&u->dg, &u->fl), 5);
	conns_left(u, got, sizeof got);
	assert_string_equal(got, want);
	assert_int_equal(u->fl.stats.conns_evicted, 5);
}

/* Once both are settled, nothing holds the idle connections. */
static void
test_settled_keep_nothing(void **state)
{
	struct uf *u = *state;
	char want[512];

	windows_scene(u, want, sizeof want);
	uf_diagnose(u);
	assert_true(u->dg.txns[0].settled && u->dg.txns[1].settled);
	flow_set_conn_budget(&u->fl, 4);
	/* what the diagnosis linked stays; every other idle one goes */
	assert_true(diag_evict(&u->dg, &u->fl) > 5);
}

/*
 * Two names of one address (a CNAME-less answer each, cached), an open
 * request for `early` at R and one for `late` 100 ms after: the gateway's
 * idle SYNs to that address in early's window before late's (whose
 * window starts 100 ms later) stay, one just before late's window
 * included, whichever name's windows are walked first; those before
 * both windows go.
 */
static void
shared_address(void **state, const char *early, const char *late)
{
	static const struct uf_rr at10[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
	};
	struct uf *u = again(state);
	struct scene s;
	struct uf_side cli2, gw2;
	char url[64], want[256], got[256];
	uint64_t k[16];
	size_t n = 0;

	scene_init(&s, u);
	lookup_at(&s, R - 5 * UF_S, early, 0, at10, 1);
	lookup_at(&s, R - 5 * UF_S, late, 0, at10, 1);
	idle_syn(u, R - SLACK - 1 * UF_MS, 50200, "192.0.2.10", 80);
	k[n++] = idle_syn(u, R - SLACK, 50201, "192.0.2.10", 80);
	k[n++] = idle_syn(u, R - 150 * UF_MS, 50202, "192.0.2.10", 80);
	k[n++] = idle_syn(u, R - 101 * UF_MS, 50203, "192.0.2.10", 80);
	k[n++] = idle_syn(u, R - 100 * UF_MS, 50204, "192.0.2.10", 80);
	uf_at(u, R - 2 * UF_MS);
	k[n++] = u->frame + 1;
	snprintf(url, sizeof url, "http://%s/", early);
	uf_handshake(u, &u->cli, &u->srv);
	uf_get(u, &u->cli, &u->srv, url, early);
	uf_at(u, R + 100 * UF_MS - 2 * UF_MS);
	k[n++] = u->frame + 1;
	snprintf(url, sizeof url, "http://%s/", late);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, url);
	frames_text(k, n, want, sizeof want);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 2);
	flow_set_conn_budget(&u->fl, 4);
	assert_int_equal(diag_evict(&u->dg, &u->fl), 1);
	conns_left(u, got, sizeof got);
	assert_string_equal(got, want);
}

static void
test_shared_address(void **state)
{
	shared_address(state, "a.test", "b.test");
	shared_address(state, "b.test", "a.test");
}

/*
 * A asks for URL at R; the gateway forwards it on a new upstream
 * connection, relays the upstream 502 and closes it. B asks for URL 50
 * ms after A and waits. Retiring A at R + 5 s keeps the forwarded
 * request and its connection (B's window holds them: B may still link
 * to them) but not A's own client connection and messages.
 */
static void
test_upstream_request_kept(void **state)
{
	static const uint8_t all[2] = { 1, 1 };
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2;
	uint64_t up, upreq, upresp, breq, bconn;
	char got[256], want[256];

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	uf_at(u, R - 2 * UF_MS);
	ask(&s);
	up = u->frame + 1;
	uf_at(u, R + 10 * UF_MS);
	upreq = upstream_get(&s);
	upresp = uf_status(u, &s.web, &s.out, 502);
	gateway_answers(&s, 502);
	uf_fin(u, &s.out, &s.web);
	uf_fin(u, &s.web, &s.out);
	uf_fin(u, &u->cli, &u->srv);
	uf_fin(u, &u->srv, &u->cli);
	uf_at(u, R + 50 * UF_MS);
	bconn = u->frame + 1;
	breq = client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	uf_at(u, R + 5 * UF_S);
	idle_syn(u, R + 5 * UF_S, 51000, "198.51.100.7", 80);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 2);
	assert_true(u->dg.txns[0].settled);
	assert_false(u->dg.txns[1].settled);
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 1);
	assert_int_equal(u->dg.txns[0].id, 2);
	conns_left(u, got, sizeof got);
	snprintf(want, sizeof want, "%llu %llu %llu", (unsigned long long)up,
	    (unsigned long long)bconn, (unsigned long long)(u->frame));
	assert_string_equal(got, want);
	assert_int_equal(u->fl.nmsgs, 3);
	{
		uint64_t m[3];

		for (size_t i = 0; i < 3; i++)
			m[i] = u->fl.msgs[i].start.number;
		frames_text(m, 3, got, sizeof got);
		snprintf(want, sizeof want, "%llu %llu %llu",
		    (unsigned long long)upreq, (unsigned long long)upresp,
		    (unsigned long long)breq);
		assert_string_equal(got, want);
	}
}

/*
 * The stories of an open request T whose DNS traffic only T's window
 * keeps through a retirement. story_begin: a request answered 502 long
 * before T, which goes in a retirement at R + 5 s (story_retire). T
 * still waits then, undiagnosed (a report's run: settled_only), so none
 * of its references holds a look-up; retiring, the queries kept are
 * kept[0..nkept). Then the gateway answers T 502 (story_end): what T
 * reads, "verdict cause dns" and its look-ups' query frames, with the
 * DNS frames f[0..nf) in its evidence.
 */
static void
story_begin(struct uf *u, struct scene *s)
{
	struct uf_side cli2, gw2;

	scene_init(s, u);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL_B);
	uf_status(u, &gw2, &cli2, 502);
	uf_fin(u, &cli2, &gw2);
	uf_fin(u, &gw2, &cli2);
}

static void
story_retire(struct uf *u, bool retiring, const uint64_t *kept,
    size_t nkept)
{
	static const uint8_t all[2] = { 1, 1 };
	struct diag_opts o;

	uf_at(u, R + 5 * UF_S);
	idle_syn(u, R + 5 * UF_S, 51000, "198.51.100.7", 80);
	uf_diag_opts(&o);
	o.settled_only = true;
	uf_diag_run(u, &o, false);
	assert_int_equal(u->dg.ntxns, 2);
	assert_false(u->dg.txns[1].settled);
	assert_int_equal(u->dg.txns[1].d.ndns, 0);
	if (!retiring)
		return;
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 1);
	assert_int_equal(u->fl.ndns, nkept);
	for (size_t i = 0; i < nkept; i++)
		assert_int_equal(u->fl.dns[i].query.number, kept[i]);
}

static void
story_end(struct uf *u, struct scene *s, const uint64_t *f, size_t nf,
    char *out, size_t len)
{
	uint64_t ev[32];
	const struct txn *t;
	size_t n, used;

	uf_at(u, R + 6 * UF_S);
	gateway_answers(s, 502);
	/* the same diagnosis goes on (uf_diagnose would begin another) */
	flow_finish(&u->fl);
	diag_update(&u->dg, &u->fl);
	diag_run(&u->dg, &u->fl, true);
	t = uf_txn(u, 2);
	assert_non_null(t);
	n = uf_evidence(u, t, ev, 32);
	used = (size_t)snprintf(out, len, "%s %s dns",
	    verdict_key(t->d.verdict), cause_key(t->d.cause));
	for (unsigned i = 0; i < t->d.ndns && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, " %llu",
		    (unsigned long long)u->fl.dns[t->d.dns[i]].query.number);
	for (size_t k = 0; k < nf; k++) {
		size_t i = 0;

		while (i < n && ev[i] != f[k])
			i++;
		if (i == n)
			fail_msg("frame %llu not in the evidence",
			    (unsigned long long)f[k]);
	}
}

/*
 * The look-up in flight when a request came is the request's own
 * (mark_own): asked for A, then AAAA, a second before request T at R
 * (before T's window), both failing (SERVFAIL) 10 ms after it. Neither
 * query is from the retirement's `from` on, in flight or cached (a
 * SERVFAIL is not), so only T's window keeps them, from the look-up's
 * first query on: the A, which the AAAA's start leads back to. T reads
 * as it would have without the retirement, the look-up linked and its
 * four frames in its evidence.
 */
static void
inflight_story(struct uf *u, bool retiring, char *out, size_t len)
{
	struct scene s;
	uint64_t q[4];

	story_begin(u, &s);
	uf_at(u, R - 1 * UF_S);
	q[0] = uf_dns_query(u, &s.res, &s.dns, 0x60, HOST, DNS_T_A);
	q[1] = uf_dns_query(u, &s.res, &s.dns, 0x61, HOST, DNS_T_AAAA);
	uf_at(u, R - 2 * UF_MS);
	ask(&s);
	assert_int_equal(s.req_ts, R);
	uf_at(u, R + 10 * UF_MS);
	q[2] = uf_dns_answer(u, &s.dns, &s.res, 0x60, HOST, DNS_T_A, 2, NULL,
	    0);
	q[3] = uf_dns_answer(u, &s.dns, &s.res, 0x61, HOST, DNS_T_AAAA, 2,
	    NULL, 0);
	story_retire(u, retiring, q, 2);
	story_end(u, &s, q, 4, out, len);
}

/* story told without the retirement and with it: T reads want both
 * times. */
static void
reads_same_retired(void **state,
    void (*story)(struct uf *, bool, char *, size_t), const char *want)
{
	char whole[256], retired[256];

	story(*state, false, whole, sizeof whole);
	story(again(state), true, retired, sizeof retired);
	assert_string_equal(whole, want);
	assert_string_equal(retired, whole);
}

static void
test_inflight_lookup_kept(void **state)
{
	/* the SERVFAIL it waited for, the A and AAAA queries (frames 7-8) */
	reads_same_retired(state, inflight_story,
	    "host-not-resolvable dns-error dns 7 8");
}

/*
 * The answer the gateway's cache held when a request came is the
 * request's own (mark_own): HOST looked up 5 s before request T at R,
 * the gateway's connection to its address refused 10 ms after R, and
 * HOST looked up again a second after R. Retiring, the newer answer has
 * replaced the older in the cache and only the newer is from `from` on,
 * so only T's window keeps the older. T reads as it would have without
 * the retirement, that answer linked and its frames in its evidence.
 */
static void
cached_story(struct uf *u, bool retiring, char *out, size_t len)
{
	struct scene s;
	uint64_t kept[2];

	story_begin(u, &s);
	kept[0] = lookup_at(&s, R - 5 * UF_S, HOST, 0, addr300, 1);
	uf_at(u, R - 2 * UF_MS);
	ask(&s);
	assert_int_equal(s.req_ts, R);
	uf_at(u, R + 10 * UF_MS);
	uf_syn(u, &s.out, &s.web);	/* to the cached address: refused */
	uf_rst(u, &s.web, &s.out);
	kept[1] = lookup_at(&s, R + 1 * UF_S, HOST, 0, addr300, 1);
	story_retire(u, retiring, kept, 2);
	/* the cached answer's query and answer */
	story_end(u, &s, (const uint64_t[]){ kept[0], kept[0] + 1 }, 2, out,
	    len);
}

static void
test_cached_answer_kept(void **state)
{
	/* refused, at the address the cached answer (query frame 7) gave */
	reads_same_retired(state, cached_story, "cannot-connect tcp-rst dns 7");
}

/*
 * nold look-ups of HOST (one address), then NREQ open requests for it on
 * one connection, alternating ports 80 and 8080 (hosts: each for a host
 * of its own instead), then nlook look-ups and a few idle SYNs
 * elsewhere; an eviction in steps of `budget`. Returns the calls it
 * took.
 */
#define NREQ 40

static unsigned
evict_calls(struct uf *u, int nold, int nlook, size_t budget, bool hosts)
{
	struct scene s;
	long result = -7;
	unsigned calls = 0;
	char url[64], host[32];

	scene_init(&s, u);
	for (int k = 0; k < nold; k++) {
		query(&s);
		answer(&s, 0, addr300, 1);
	}
	uf_wait(u, 1 * UF_S);
	uf_handshake(u, &u->cli, &u->srv);
	for (int k = 0; k < NREQ; k++) {
		snprintf(host, sizeof host, "h%d.test", k);
		snprintf(url, sizeof url, "http://%s%s/", hosts ? host : HOST,
		    k % 2 ? ":8080" : "");
		uf_get(u, &u->cli, &u->srv, url, hosts ? host : HOST);
	}
	for (int k = 0; k < nlook; k++) {
		query(&s);
		answer(&s, 0, addr300, 1);
	}
	for (int k = 0; k < 8; k++)
		idle_syn(u, u->next_ts_ns, (uint16_t)(51000 + k),
		    "198.51.100.7", 80);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, NREQ);
	flow_set_conn_budget(&u->fl, 4);
	assert_int_equal(diag_evict_begin(&u->dg, &u->fl), 1);
	do
		assert_true(++calls < 10000);
	while (!diag_keep_step(&u->dg, &u->fl, budget, &result));
	assert_int_equal(result, 6);	/* down to 3 of the 9 */
	return calls;
}

/*
 * A step walks at most its budget of items: the 9 connections and NREQ
 * transactions scanned, the NREQ windows (of one host or of a host
 * each); the sort, the choice, the plan and the compaction each begin a
 * call of their own. Nothing else is counted: a window whose host and
 * port were walked already costs one item.
 */
static void
test_steps_bounded(void **state)
{
	unsigned least = (9 + NREQ + 7) / 8 + (NREQ + 7) / 8 + 4;
	unsigned one = evict_calls(*state, 0, 0, 8, false);
	unsigned each = evict_calls(again(state), 0, 0, 8, true);

	/* and no more: a window whose host was walked costs one item */
	assert_int_equal(one, least);
	assert_int_equal(each, least);
}

/*
 * Look-ups walked once per host and port, not once per request (issue
 * 13): NLOOK look-ups in the windows cost a call or so per port, each
 * walk ending its step; a walk per request would take NREQ more.
 */
static void
test_walk_once_per_port(void **state)
{
	unsigned none = evict_calls(*state, 0, 0, 8, false);
	unsigned some = evict_calls(again(state), 0, 60, 8, false);

	if (some > none + 2)
		fail_msg("%u calls of 8 items with 60 look-ups, %u without: "
		    "the look-ups were walked more than once per port", some,
		    none);
}

/* Look-ups before every window are not walked: they cost nothing. */
static void
test_old_lookups_free(void **state)
{
	unsigned without = evict_calls(*state, 0, 10, 200, false);

	assert_int_equal(evict_calls(again(state), 300, 10, 200, false), without);
}

/*
 * Over the budget with no connection that carried nothing: nothing can
 * go, which the scan of the connections tells at once (no window is
 * walked); the next eviction is due later.
 */
static void
test_nothing_idle(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli[6], gw[6], out[6];
	long result = -7;
	unsigned calls = 0;

	scene_init(&s, u);
	clients_connect(&s, 6, cli, gw, out);
	for (int k = 0; k < 6; k++)
		uf_get(u, &cli[k], &gw[k], URL, HOST);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 6);
	flow_set_conn_budget(&u->fl, 4);
	assert_true(flow_wants_evict(&u->fl));
	assert_int_equal(diag_evict_begin(&u->dg, &u->fl), 1);
	do
		assert_true(++calls < 1000);
	while (!diag_keep_step(&u->dg, &u->fl, 1, &result));
	assert_int_equal(result, 0);
	assert_int_equal(calls, 6);	/* one a connection scanned */
	assert_int_equal(u->fl.nconns, 6);
	assert_int_equal(u->fl.stats.conns_evicted, 0);
	assert_false(flow_wants_evict(&u->fl));
	assert_null(u->dg.keeping);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_windows_keep, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_settled_keep_nothing,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_shared_address, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_upstream_request_kept,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_inflight_lookup_kept,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_cached_answer_kept,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_nothing_idle, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_steps_bounded, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_walk_once_per_port,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_old_lookups_free,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
