/*
 * test_diag_cache.c: the gateway's DNS cache as diag/ models it
 * (link.c): how long an answer is kept (the smallest address TTL, at
 * least 30 s and at most a day, a CNAME's TTL aside; a negative answer
 * by its SOA, else 60 s), what is an entry at all (addresses or
 * NXDOMAIN; not SERVFAIL, not an empty NOERROR), its validity up to the
 * last nanosecond of the TTL, and a request served from it or not on
 * either side of that instant; and its end, whatever the TTL, when the
 * gateway asks for the name again.
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

#include "diag/diag_int.h"
#include "unit_flow.h"
#include "diag_scene.h"

/* A query for name and its answer (rcode, rrs, soa); the look-up's index. */
static const struct dns_query *
looked_up(struct scene *s, const char *name, uint8_t rcode,
    const struct uf_rr *rrs, size_t n, const struct uf_soa *soa)
{
	struct uf_dns m = { .id = ++s->dns_id, .qtype = DNS_T_A,
	    .qname = name, .response = true, .rcode = rcode, .rrs = rrs,
	    .nrrs = n, .soa = soa };

	uf_dns_query(s->u, &s->res, &s->dns, m.id, name, DNS_T_A);
	uf_dns_udp(s->u, &s->dns, &s->res, &m);
	assert_true(s->u->fl.ndns > 0);
	return &s->u->fl.dns[s->u->fl.ndns - 1];
}

/* How long q is cached (seconds) and whether it is an entry at all: an
 * entry is valid to the last nanosecond of its TTL. */
static void
expect_entry(const struct flow *fl, const struct dns_query *q,
    uint32_t ttl_s, bool entry)
{
	int64_t end = q->answer.ts_ns + (int64_t)ttl_s * UF_S;

	assert_int_equal(diag_cache_ttl(fl, q), ttl_s);
	assert_true(diag_cache_entry(fl, q) == entry);
	if (!entry)
		return;
	assert_true(diag_cache_valid(fl, q, end));
	assert_false(diag_cache_valid(fl, q, end + 1));
}

static void
test_ttls(void **state)
{
	static const struct uf_rr short_ttl[] = {
		{ DNS_T_A, NULL, 5, "192.0.2.1" },
	};
	static const struct uf_rr long_ttl[] = {
		{ DNS_T_A, NULL, 100000, "192.0.2.2" },
	};
	static const struct uf_rr alias[] = {
		{ DNS_T_CNAME, NULL, 10, "edge.test" },
		{ DNS_T_A, "edge.test", 300, "192.0.2.3" },
		{ DNS_T_A, "edge.test", 200, "192.0.2.4" },
	};
	static const struct uf_rr cname_only[] = {
		{ DNS_T_CNAME, NULL, 10, "edge.test" },
	};
	static const struct uf_soa soa = { "test", 900, 120 };
	struct scene s;
	const struct flow *fl;
	const struct dns_query *q;

	scene_init(&s, *state);
	fl = &s.u->fl;
	expect_entry(fl, looked_up(&s, "a.test", 0, short_ttl, 1, NULL), 30,
	    true);
	expect_entry(fl, looked_up(&s, "b.test", 0, long_ttl, 1, NULL),
	    24 * 3600, true);
	expect_entry(fl, looked_up(&s, "c.test", 0, alias, 3, NULL), 200,
	    true);
	expect_entry(fl, looked_up(&s, "d.test", 3, NULL, 0, &soa), 120,
	    true);
	expect_entry(fl, looked_up(&s, "e.test", 3, NULL, 0, NULL), 60, true);
	expect_entry(fl, looked_up(&s, "f.test", 2, NULL, 0, NULL), 60,
	    false);
	expect_entry(fl, looked_up(&s, "g.test", 0, NULL, 0, NULL), 60, false);
	expect_entry(fl, looked_up(&s, "h.test", 0, cname_only, 1, NULL), 60,
	    false);
	uf_dns_query(s.u, &s.res, &s.dns, 0x999, "i.test", DNS_T_A);
	q = &fl->dns[fl->ndns - 1];
	assert_false(diag_cache_valid(fl, q, q->query.ts_ns));
}

/*
 * HOST was resolved (TTL 300 s) long before; a client asks `after` the
 * answer and the gateway's SYN goes unanswered. Within the TTL the
 * request is served from the cache (the answer linked as such); past
 * it, nothing explains where the address came from.
 */
static const struct txn *
asks_after_answer(void **state, int64_t after)
{
	struct uf *u = again(state);
	struct scene s;
	uint64_t syn[3];

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	uf_at(u, u->fl.dns[0].answer.ts_ns + after - 2 * UF_MS);
	ask(&s);	/* its request 2 ms after the handshake began */
	assert_int_equal(s.req_ts, u->fl.dns[0].answer.ts_ns + after);
	syns_given_up(&s, syn);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_served_from_cache_until_ttl(void **state)
{
	const struct txn *t = asks_after_answer(state, 300 * UF_S);

	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(t->d.dns_link, LINK_CACHE);
	assert_int_equal(t->d.ndns, 1);
	assert_int_equal(t->d.nconns, 1);
	t = asks_after_answer(state, 300 * UF_S + 1);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.ndns, 0);
	assert_int_equal(t->d.dns_link, LINK_NONE);
}

/*
 * HOST was resolved with a TTL of 1 s (kept 30 s, as proxies do); 5 s
 * later the gateway asks again (its cache had let it go) and the server
 * stays silent; a request half a second after that waits for that
 * look-up, and the gateway gives up: no answer from DNS, not an address
 * from the cache. The AAAA asked `aaaa` after the A's answer, up to
 * 200 ms (DIAG_SLACK_NS, inclusive), is the same look-up, not asking
 * again: without the second A query the request is served from the
 * cache. One asked later is asking again.
 */
static const struct txn *
asks_after_reask(void **state, bool reask, int64_t aaaa)
{
	static const struct uf_rr ttl1[] = {
		{ DNS_T_A, NULL, 1, "192.0.2.10" },
	};
	struct uf *u = again(state);
	struct scene s;
	int64_t t0;

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, ttl1, 1);
	t0 = u->fl.dns[0].answer.ts_ns;
	uf_at(u, t0 + aaaa);
	uf_dns_query(u, &s.res, &s.dns, ++s.dns_id, HOST, DNS_T_AAAA);
	uf_dns_answer(u, &s.dns, &s.res, s.dns_id, HOST, DNS_T_AAAA, 0,
	    NULL, 0);
	if (reask)
		lookup_at(&s, t0 + 5 * UF_S, HOST, -1, NULL, 0);
	uf_at(u, t0 + 5500 * UF_MS);
	ask(&s);
	uf_at(u, t0 + 9 * UF_S);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_asked_again_ends_the_cache(void **state)
{
	const struct txn *t = asks_after_reask(state, false, UF_MS);

	assert_int_equal(t->d.dns_link, LINK_CACHE);
	assert_int_equal(t->d.ndns, 1);
	t = asks_after_reask(state, false, DIAG_SLACK_NS);
	assert_int_equal(t->d.dns_link, LINK_CACHE);
	t = asks_after_reask(state, false, DIAG_SLACK_NS + 1);
	assert_int_not_equal(t->d.dns_link, LINK_CACHE);
	t = asks_after_reask(state, true, UF_MS);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_int_equal(t->d.dns_link, LINK_TIME);
	assert_int_equal(t->d.ndns, 1);
	assert_int_equal(t->d.dns[0], 2);	/* the A asked again */
}

/*
 * The walk back for the name asked again is bounded (DIAG_CACHE_WALK
 * look-ups, a hostile capture's many names on one hash): the re-ask
 * behind 255 look-ups of other names is found, behind 256 it is not.
 */
static bool
reask_behind(void **state, size_t others)
{
	enum { MAX = DIAG_CACHE_WALK + 2 };
	static const struct uf_rr addr[] = {
		{ DNS_T_A, NULL, 1, "192.0.2.10" },
	};
	struct uf *u = again(state);
	struct key_list l = { 0 };
	uint32_t items[MAX];
	int64_t ts[MAX];
	struct scene s;

	assert_true(others + 2 <= MAX);
	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr, 1);
	for (size_t k = 0; k < others + 1; k++) {
		uf_at(u, u->fl.dns[0].answer.ts_ns + (int64_t)(k + 5) * UF_S);
		uf_dns_query(u, &s.res, &s.dns, ++s.dns_id, k ? "other.test" :
		    HOST, DNS_T_A);
	}
	for (size_t k = 0; k < u->fl.ndns; k++) {
		items[k] = (uint32_t)k;
		ts[k] = u->fl.dns[k].query.ts_ns;
	}
	l.n = u->fl.ndns;
	l.items = items;
	l.ts = ts;
	return diag_asked_again(&u->fl, &l, &u->fl.dns[0], NULL,
	    u->fl.stats.last_ts);
}

static void
test_asked_again_walk_bound(void **state)
{
	assert_true(reask_behind(state, 0));
	assert_true(reask_behind(state, DIAG_CACHE_WALK - 1));
	assert_false(reask_behind(state, DIAG_CACHE_WALK));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ttls, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_served_from_cache_until_ttl, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_asked_again_ends_the_cache, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_asked_again_walk_bound, uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
