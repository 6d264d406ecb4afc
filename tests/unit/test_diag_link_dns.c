/*
 * test_diag_link_dns.c: which DNS look-up is a request's (diag/link.c,
 * DESIGN §2). The gateway acts on a request at once: a look-up of the
 * host it starts within a second of the request (DIAG_ACT_NS, inclusive)
 * is the request's own, even when an earlier answer is still cached;
 * one started later is not, and the cached answer is what the gateway
 * used. Nothing started after the gateway answered is evidence, nor an
 * address that came after its answer (it answered without it). A
 * look-up is what one socket asked for the name from its first query:
 * an A asked up to 200 ms (DIAG_SLACK_NS, inclusive) before the AAAA
 * that lies nearest the request belongs to it. A look-up one of whose
 * queries was told NXDOMAIN failed by NXDOMAIN, whatever error another
 * query got, before or after it. A look-up in flight the request waited
 * for is its look-up, and no later one; nor one the gateway started more
 * than 200 ms after the request, while one was in flight when it came;
 * and waiting for it does not take it from the request that started it.
 * Nor one started late after the gateway had tried an address of its
 * cached answer: it held the host (a proxy whose cache lets names go
 * after a second looks the host up again for a later request). A
 * look-up whose A was answered while the AAAA beside it never was, with
 * no connection carrying the request, is what the gateway waited for
 * (nginx waits for both): dns-no-response, its AAAA resends included.
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

/* t took the look-up whose n queries are frames `queries`, linked as
 * `link`. */
static void
expect_queries(void **state, const struct txn *t, int link, size_t n,
    const uint64_t *queries)
{
	const struct uf *u = *state;

	assert_int_equal(t->d.dns_link, link);
	assert_int_equal(t->d.ndns, n);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(u->fl.dns[t->d.dns[k]].query.number,
		    queries[k]);
}

/* t took the one look-up whose query is frame `query`, linked as `link`. */
static void
expect_lookup(void **state, const struct txn *t, int link, uint64_t query)
{
	expect_queries(state, t, link, 1, &query);
}

/*
 * HOST's address was cached 10 s before the request (TTL 300 s); the
 * gateway asks for HOST again `after` the request, is told NXDOMAIN
 * 1 ms later, and answers 502 3 s after the request.
 */
static const struct txn *
asked_again_after(void **state, int64_t after, uint64_t *asked)
{
	struct uf *u = again(state);
	struct scene s;

	scene_init(&s, u);
	lookup_at(&s, T0 - 10 * UF_S, HOST, 0, addr300, 1);
	uf_at(u, T0);
	ask(&s);
	*asked = lookup_at(&s, s.req_ts + after, HOST, 3, NULL, 0);
	uf_at(u, s.req_ts + 3 * UF_S);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_own_lookup_within_a_second(void **state)
{
	const struct txn *t;
	uint64_t asked;

	t = asked_again_after(state, 1 * UF_S, &asked);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	expect_lookup(state, t, LINK_TIME, asked);
	t = asked_again_after(state, 500 * UF_MS, &asked);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	assert_int_equal(t->d.dns_link, LINK_TIME);
	/* later: the gateway had the address from its cache */
	t = asked_again_after(state, 1 * UF_S + 1, &asked);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	expect_lookup(state, t, LINK_CACHE, 1);
}

/*
 * No cached answer: the gateway answers 502 100 ms after the request,
 * and a query for HOST, never answered, goes `after` that answer.
 */
static const struct txn *
asked_after_answer(void **state, int64_t after)
{
	struct uf *u = again(state);
	struct scene s;
	int64_t at;

	scene_init(&s, u);
	ask(&s);
	at = s.req_ts + 100 * UF_MS;
	uf_at(u, at);
	gateway_answers(&s, 502);
	lookup_at(&s, at + after, HOST, -1, NULL, 0);
	return diagnosed(&s);
}

static void
test_nothing_after_the_answer(void **state)
{
	const struct txn *t;

	t = asked_after_answer(state, 0);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_int_equal(t->d.ndns, 1);
	t = asked_after_answer(state, 1);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.ndns, 0);
	t = asked_after_answer(state, 50 * UF_MS);
	assert_int_equal(t->d.ndns, 0);
}

/*
 * The gateway's socket asks for HOST's A `gap` before its AAAA, which
 * goes 50 ms after the request (the A 100 ms before it or more: no
 * candidate of its own); the A is answered with the address, the AAAA
 * with nothing, and the gateway answers 502 at 2 s. Another socket
 * asked for HOST 10 s before (never answered): another look-up.
 */
static const struct txn *
a_before_aaaa(void **state, int64_t gap)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side res2;
	int64_t req = T0 + 1 * UF_S, aaaa = req + 50 * UF_MS;

	scene_init(&s, u);
	uf_side_init(&res2, "10.0.0.1", 33001, 0);
	uf_at(u, req - 10 * UF_S);
	uf_dns_query(u, &res2, &s.dns, 0x300, HOST, DNS_T_A);
	uf_at(u, aaaa - gap);
	uf_dns_query(u, &s.res, &s.dns, 0x301, HOST, DNS_T_A);
	uf_at(u, req - 2 * UF_MS);
	ask(&s);
	assert_int_equal(s.req_ts, req);
	uf_at(u, aaaa);
	uf_dns_query(u, &s.res, &s.dns, 0x302, HOST, DNS_T_AAAA);
	uf_dns_answer(u, &s.dns, &s.res, 0x301, HOST, DNS_T_A, 0, addr300,
	    1);
	uf_dns_answer(u, &s.dns, &s.res, 0x302, HOST, DNS_T_AAAA, 0, NULL,
	    0);
	uf_at(u, req + 2 * UF_S);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_a_before_aaaa(void **state)
{
	struct uf *u;
	const struct txn *t;

	t = a_before_aaaa(state, 200 * UF_MS);
	u = *state;
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.ndns, 2);
	assert_int_equal(u->fl.dns[t->d.dns[0]].id, 0x301);
	assert_int_equal(u->fl.dns[t->d.dns[1]].id, 0x302);
	t = a_before_aaaa(state, 150 * UF_MS);
	assert_int_equal(t->d.ndns, 2);
	/* earlier: another look-up; this one had no address */
	t = a_before_aaaa(state, 200 * UF_MS + 1);
	u = *state;
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_ERROR);
	assert_int_equal(t->d.ndns, 1);
	assert_int_equal(u->fl.dns[t->d.dns[0]].id, 0x302);
}

/* The gateway's socket asks for HOST's A, then its AAAA; the A is
 * answered `rcode_a`, the AAAA `rcode_aaaa`; the gateway answers 502. */
static const struct txn *
two_errors(void **state, uint8_t rcode_a, uint8_t rcode_aaaa)
{
	struct uf *u = again(state);
	struct scene s;

	scene_init(&s, u);
	ask(&s);
	uf_dns_query(u, &s.res, &s.dns, 0x301, HOST, DNS_T_A);
	uf_dns_query(u, &s.res, &s.dns, 0x302, HOST, DNS_T_AAAA);
	uf_dns_answer(u, &s.dns, &s.res, 0x301, HOST, DNS_T_A, rcode_a, NULL,
	    0);
	uf_dns_answer(u, &s.dns, &s.res, 0x302, HOST, DNS_T_AAAA, rcode_aaaa,
	    NULL, 0);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_nxdomain_wins(void **state)
{
	const struct txn *t;

	t = two_errors(state, 3, 2);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	assert_int_equal(t->d.ndns, 2);
	t = two_errors(state, 2, 3);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	t = two_errors(state, 3, 5);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	t = two_errors(state, 2, 5);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_ERROR);
	t = two_errors(state, 3, 0);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
}

/*
 * The gateway asked for HOST 5 s before the request and is still waiting
 * when it comes; the answer (NXDOMAIN) comes 10 ms after the request.
 * Another socket asks for HOST 2 s after the request (SERVFAIL) and the
 * gateway answers 502 at 3 s. The request waited for the look-up in
 * flight: that one alone is its look-up.
 */
static void
test_inflight_alone(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side res2;
	const struct txn *t;
	uint64_t asked;

	scene_init(&s, u);
	uf_side_init(&res2, "10.0.0.1", 33001, 0);
	asked = lookup_at(&s, T0 - 5 * UF_S, HOST, -1, NULL, 0);
	uf_at(u, T0);
	ask(&s);
	uf_at(u, s.req_ts + 10 * UF_MS);
	answer(&s, 3, NULL, 0);
	uf_at(u, s.req_ts + 2 * UF_S);
	uf_dns_query(u, &res2, &s.dns, 0x700, HOST, DNS_T_A);
	uf_dns_answer(u, &s.dns, &res2, 0x700, HOST, DNS_T_A, 2, NULL, 0);
	uf_at(u, s.req_ts + 3 * UF_S);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	expect_lookup(state, t, LINK_TIME, asked);
}

/*
 * The gateway asked for HOST 5 s before the request and never hears back;
 * another socket asks for HOST `after` the request and is answered 1 ms
 * later; the gateway answers 502 50 ms after that. A look-up started at
 * once (within the slack) is the request's own (a second worker of the
 * gateway, say); one started later is another request's: this one waited
 * for the look-up in flight, and the DNS server's silence is the cause.
 */
static const struct txn *
inflight_then_asked(void **state, int64_t after, bool retried,
    uint64_t *inflight, uint64_t *own)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side res2;

	scene_init(&s, u);
	uf_side_init(&res2, "10.0.0.1", 33001, 0);
	*inflight = lookup_at(&s, T0 - 5 * UF_S, HOST, -1, NULL, 0);
	/* asked again each second, the last time 1.1 s before the request */
	for (int k = 4; retried && k > 0; k--)
		*inflight = lookup_at(&s, T0 - k * UF_S - 100 * UF_MS, HOST,
		    -1, NULL, 0);
	uf_at(u, T0);
	ask(&s);
	uf_at(u, s.req_ts + after);
	*own = uf_dns_query(u, &res2, &s.dns, 0x700, HOST, DNS_T_A);
	uf_dns_answer(u, &s.dns, &res2, 0x700, HOST, DNS_T_A, 0, addr300, 1);
	uf_at(u, s.req_ts + after + 50 * UF_MS);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_inflight_before_a_late_lookup(void **state)
{
	const struct txn *t;
	uint64_t inflight, own;

	t = inflight_then_asked(state, 900 * UF_MS, false, &inflight, &own);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	expect_lookup(state, t, LINK_TIME, inflight);
	t = inflight_then_asked(state, 200 * UF_MS, false, &inflight, &own);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	expect_lookup(state, t, LINK_TIME, own);
}

/*
 * The look-up in flight is still being retried (its last query 1.1 s
 * before the request) when another socket asks 150 ms after the
 * request: a gateway that neither holds the name nor waits for it asks
 * at once, so the new look-up came when the old one gave up, and the
 * request had waited for the old one. One asked 1 ms after the request
 * is its own (the old one had given up unseen).
 */
static void
test_inflight_retried_before_a_lookup(void **state)
{
	const struct txn *t;
	uint64_t inflight, own;

	t = inflight_then_asked(state, 150 * UF_MS, true, &inflight, &own);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	expect_lookup(state, t, LINK_TIME, inflight);
	t = inflight_then_asked(state, UF_MS, true, &inflight, &own);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	expect_lookup(state, t, LINK_TIME, own);
}

/* The scene's look-up `id` is told REFUSED at `at`. */
static void
refused_at(struct scene *s, uint16_t id, int64_t at)
{
	uf_at(s->u, at);
	uf_dns_answer(s->u, &s->dns, &s->res, id, HOST, DNS_T_A, 5, NULL, 0);
}

/*
 * The look-up in flight (asked 5 s before) is given up just as a request
 * comes: the gateway answers it 502 2 ms later. Another socket asks for
 * HOST 0.5 ms after the request (a worker, for the next request) and is
 * told `rcode` (an address when 0) `late` after the 502. With `refused`,
 * the look-up in flight is told REFUSED that long after the request;
 * else it is never answered.
 */
static const struct txn *
own_answered_after(void **state, int64_t late, uint8_t rcode,
    int64_t refused, uint64_t *inflight, uint64_t *own)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side res2;
	uint16_t id;
	int64_t answer;

	scene_init(&s, u);
	uf_side_init(&res2, "10.0.0.1", 33001, 0);
	*inflight = lookup_at(&s, T0 - 5 * UF_S, HOST, -1, NULL, 0);
	id = s.dns_id;
	uf_at(u, T0);
	ask(&s);
	answer = s.req_ts + 2 * UF_MS;
	uf_at(u, s.req_ts + 500 * 1000LL);
	*own = uf_dns_query(u, &res2, &s.dns, 0x700, HOST, DNS_T_A);
	if (refused && s.req_ts + refused < answer)
		refused_at(&s, id, s.req_ts + refused);
	uf_at(u, answer);
	gateway_answers(&s, 502);
	uf_at(u, answer + late);
	uf_dns_answer(u, &s.dns, &res2, 0x700, HOST, DNS_T_A, rcode,
	    rcode == 0 ? addr300 : NULL, rcode == 0 ? 1 : 0);
	if (refused && s.req_ts + refused > answer + late)
		refused_at(&s, id, s.req_ts + refused);
	return diagnosed(&s);
}

/*
 * An answer that came too late for the request is no look-up it waited
 * for; it waited for the one in flight: so is an address that came
 * within the skew after the 502 (the gateway, had it had it, would have
 * tried it before answering). An NXDOMAIN as close is what it answered
 * (the capture's interfaces' clocks may differ by that much).
 */
static void
test_own_answered_after_the_answer(void **state)
{
	const struct txn *t;
	uint64_t inflight, own;

	t = own_answered_after(state, 1500 * 1000LL, 0, 0, &inflight, &own);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	expect_lookup(state, t, LINK_TIME, inflight);
	t = own_answered_after(state, 200 * 1000LL, 0, 0, &inflight, &own);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	expect_lookup(state, t, LINK_TIME, inflight);
	t = own_answered_after(state, 200 * 1000LL, 3, 0, &inflight, &own);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	expect_lookup(state, t, LINK_TIME, own);
}

/*
 * The look-up in flight is told REFUSED 1 ms after the request, the
 * other socket NXDOMAIN 0.2 ms after the 502: within the skew either
 * could be what the gateway answered, but the one in flight failed
 * before it (no skew needed), and the request waited for that one. When
 * it too failed only after the 502 (2.5 ms in), the request's own stays.
 */
static void
test_inflight_failed_before_the_answer(void **state)
{
	const struct txn *t;
	uint64_t inflight, own;

	t = own_answered_after(state, 200 * 1000LL, 3, UF_MS, &inflight,
	    &own);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_ERROR);
	expect_lookup(state, t, LINK_TIME, inflight);
	t = own_answered_after(state, 200 * 1000LL, 3, 2500 * 1000LL,
	    &inflight, &own);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	expect_lookup(state, t, LINK_TIME, own);
}

/*
 * HOST was resolved 8 s before (TTL 5 s, kept 30 s); a request comes, the
 * gateway asks again 3 ms later and never hears back; a second client's
 * request 25 ms after the first waits for that look-up. The gateway
 * answers the second first, then the first. The look-up is the first
 * request's own, though the second's story ended first: the second only
 * waited for it, and does not take it away (it would leave the first with
 * a cached answer the gateway had let go).
 */
static void
test_waiter_leaves_the_lookup(void **state)
{
	static const struct uf_rr ttl5[] = {
		{ DNS_T_A, NULL, 5, "192.0.2.10" },
	};
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2;
	const struct txn *t;
	uint64_t asked;
	int64_t req;

	scene_init(&s, u);
	lookup_at(&s, T0 - 8 * UF_S, HOST, 0, ttl5, 1);
	uf_at(u, T0);
	ask(&s);
	req = s.req_ts;
	asked = lookup_at(&s, req + 3 * UF_MS, HOST, -1, NULL, 0);
	uf_at(u, req + 25 * UF_MS);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	uf_at(u, req + 3 * UF_S);
	uf_status(u, &gw2, &cli2, 502);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	for (uint32_t id = 1; id <= 2; id++) {
		t = uf_txn(u, id);
		expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
		assert_int_equal(t->d.dns_link, LINK_TIME);
		assert_int_equal(u->fl.dns[t->d.dns[0]].query.number, asked);
	}
}

/* The request at T0 and, if `tried`, a SYN to the web side 0.2 ms
 * after it (never answered). */
static void
ask_and_try(struct scene *s, bool tried)
{
	uf_at(s->u, T0);
	ask(s);
	if (tried) {
		uf_at(s->u, s->req_ts + UF_MS / 5);
		uf_syn(s->u, &s->out, &s->web);
	}
}

/*
 * HOST's address 192.0.2.10 was cached 900 ms before the request (TTL
 * 1 s: the gateway lets it go soon after the request). With `tried`, the
 * gateway sends a SYN to it 0.2 ms after the request, unanswered until
 * it gives up. `after` the request it looks HOST up again (for another
 * request, or for a second proxy whose cache let the name go: the name
 * now answers 192.0.2.20), and answers 502 3 s after the request.
 */
static const struct txn *
lookup_after_cache(void **state, int64_t after, bool tried,
    uint64_t *cached, uint64_t *later)
{
	static const struct uf_rr ttl1[] = {
		{ DNS_T_A, NULL, 1, "192.0.2.10" },
	};
	static const struct uf_rr moved[] = {
		{ DNS_T_A, NULL, 1, "192.0.2.20" },
	};
	struct uf *u = again(state);
	struct scene s;

	scene_init(&s, u);
	*cached = lookup_at(&s, T0 - 900 * UF_MS, HOST, 0, ttl1, 1);
	ask_and_try(&s, tried);
	*later = lookup_at(&s, s.req_ts + after, HOST, 0, moved, 1);
	uf_at(u, s.req_ts + 3 * UF_S);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_late_lookup_after_a_cached_try(void **state)
{
	const struct txn *t;
	uint64_t cached, late;

	t = lookup_after_cache(state, 900 * UF_MS, true, &cached, &late);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	expect_lookup(state, t, LINK_CACHE, cached);
	/* no attempt to the cached address: the late look-up is its own */
	t = lookup_after_cache(state, 900 * UF_MS, false, &cached, &late);
	expect_lookup(state, t, LINK_TIME, late);
}

/*
 * The busy lab's nginx and squid on one gateway, each with a cache of
 * its own: nginx connects to the address it still holds at once, and
 * 80 ms later squid (its cache let the name go) looks it up. A look-up
 * that soon after the request, which would be its own, is another
 * cache's once the gateway has tried a cached address in between.
 */
static void
test_second_cache_lookup_after_a_cached_try(void **state)
{
	const struct txn *t;
	uint64_t cached, soon;

	t = lookup_after_cache(state, 80 * UF_MS, true, &cached, &soon);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	expect_lookup(state, t, LINK_CACHE, cached);
	/* no attempt first: the gateway looked up for this request */
	t = lookup_after_cache(state, 80 * UF_MS, false, &cached, &soon);
	expect_lookup(state, t, LINK_TIME, soon);
}

/*
 * Two proxies on one gateway, each with a resolver socket and a cache of
 * its own (the busy lab's nginx and squid). The first socket asks for
 * name after name, so that it is a proxy's own, and caches HOST as
 * 192.0.2.10 (TTL 1 s); 1 s later the second asks for it again and
 * caches 192.0.2.20. A request 2 s after that goes to 192.0.2.10 at once
 * (SYNs unanswered): the first proxy's cache, still holding the name,
 * served it, not the newest answer. So whether the second socket is a
 * proxy's own too (TWO_KEPT) or a stub resolver's, asking for HOST alone
 * (KEPT_AND_STUB). From one socket (ONE_SOCKET), the second look-up
 * replaced the first: the newest answer stays the cache.
 */
enum sockets { ONE_SOCKET, TWO_KEPT, KEPT_AND_STUB };

static const struct txn *
two_caches(void **state, enum sockets sockets, uint64_t *first,
    uint64_t *second)
{
	static const struct uf_rr old_addr[] = {
		{ DNS_T_A, NULL, 1, "192.0.2.10" },
	};
	static const struct uf_rr new_addr[] = {
		{ DNS_T_A, NULL, 1, "192.0.2.20" },
	};
	static const char *const names[] = { "one.test", "two.test" };
	struct uf *u = again(state);
	struct uf_side other;
	struct scene s;
	struct uf_side *second_res = &s.res;

	scene_init(&s, u);
	uf_side_init(&other, "10.0.0.1", 33001, 0);
	if (sockets != ONE_SOCKET)
		second_res = &other;
	for (size_t k = 0; k < 2; k++) {
		lookup_by(&s, &s.res, T0 - 4 * UF_S + (int64_t)k * 100 * UF_MS,
		    names[k], 0, old_addr, 1);
		if (sockets != KEPT_AND_STUB)
			lookup_by(&s, second_res, T0 - 3 * UF_S +
			    (int64_t)k * 100 * UF_MS, names[k], 0, new_addr, 1);
	}
	*first = lookup_by(&s, &s.res, T0 - 3800 * UF_MS, HOST, 0,
	    old_addr, 1);
	*second = lookup_by(&s, second_res, T0 - 2800 * UF_MS, HOST, 0,
	    new_addr, 1);
	ask_and_try(&s, true);
	uf_at(u, s.req_ts + 3 * UF_S);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

static void
test_two_proxies_two_caches(void **state)
{
	const struct txn *t;
	uint64_t first, second;

	t = two_caches(state, TWO_KEPT, &first, &second);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	expect_lookup(state, t, LINK_CACHE, first);
	t = two_caches(state, KEPT_AND_STUB, &first, &second);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	expect_lookup(state, t, LINK_CACHE, first);
	t = two_caches(state, ONE_SOCKET, &first, &second);
	expect_lookup(state, t, LINK_CACHE, second);
	assert_int_not_equal(t->d.verdict, V_CANNOT_CONNECT);
}

/*
 * Two proxies on one gateway, nginx on 9090 and squid on 3128, each with
 * a resolver socket and a cache of its own; each socket asked for three
 * names right after requests for them on its proxy's port, and so is
 * known to be that proxy's (dnslog.c). nginx's socket was told NXDOMAIN
 * for HOST 2 s before the request (the zone's negative TTL is 5 s);
 * squid's asked for HOST later and got 192.0.2.20. A request on 9090 is
 * answered 502 at once, the gateway trying nothing: nginx answered from
 * its own cache, the NXDOMAIN, not from the newest answer, squid's. And
 * squid's look-up just after the request is not the request's own.
 * Without the lessons (LEARN_NONE), the newest answer stays the cache.
 */
enum learning { LEARN_NONE, LEARN_PORTS };

/* A client asks for name on proxy port `port`, and res looks it up 0.2 ms
 * later (answered unless rcode < 0). */
static uint64_t
proxy_looks_up(struct scene *s, uint16_t cport, uint16_t port,
    struct uf_side *res, int64_t at, const char *name, int rcode,
    const struct uf_rr *rrs, size_t n)
{
	struct uf_side cli, gw;
	char url[64];

	snprintf(url, sizeof url, "http://%s/", name);
	uf_side_init(&cli, "10.0.0.9", cport, 3000);
	uf_side_init(&gw, "10.0.0.1", port, 5000);
	uf_at(s->u, at);
	uf_handshake(s->u, &cli, &gw);
	uf_get(s->u, &cli, &gw, url, name);
	return lookup_by(s, res, s->u->fl.stats.last_ts + UF_MS / 5, name,
	    rcode, rrs, n);
}

static const struct uf_rr addr20[] = {
	{ DNS_T_A, NULL, 60, "192.0.2.20" },
};

/* res asks for names[0..2] 100 ms apart from `at`, each just after a
 * client's request for it on proxy port `port` (client ports from
 * cport): known as that port's proxy's resolver. */
static void
port_learnt(struct scene *s, struct uf_side *res, uint16_t port,
    uint16_t cport, int64_t at, const char *const names[3])
{
	for (size_t k = 0; k < 3; k++)
		proxy_looks_up(s, (uint16_t)(cport + k), port, res,
		    at + (int64_t)k * 100 * UF_MS, names[k], 0, addr20, 1);
}



/* nginx's socket (the scene's) and squid's ask for five names from
 * `from` on, each (LEARN_PORTS) just after a client's request for it on
 * its proxy's port, 9090 and 3128, or (LEARN_NONE) with no request. */
static void
proxies_ask(struct scene *s, struct uf_side *squid, enum learning learning,
    int64_t from)
{
	static const char *const names[] = { "a.test", "b.test", "c.test",
		"d.test", "e.test" };
	uint16_t cport = 41000;

	uf_side_init(squid, "10.0.0.1", 33001, 0);
	for (size_t k = 0; k < 5; k++) {
		int64_t at = from + (int64_t)k * 100 * UF_MS;

		if (learning == LEARN_NONE) {
			lookup_by(s, &s->res, at, names[k], 0, addr20, 1);
			lookup_by(s, squid, at + 50 * UF_MS, names[k], 0,
			    addr20, 1);
			continue;
		}
		proxy_looks_up(s, cport++, 9090, &s->res, at, names[k], 0,
		    addr20, 1);
		proxy_looks_up(s, cport++, 3128, squid, at + 50 * UF_MS,
		    names[k], 0, addr20, 1);
	}
}

static const struct txn *
two_proxies(void **state, enum learning learning, uint64_t *nxdomain,
    uint64_t *squids)
{
	struct uf *u = again(state);
	struct uf_side squid;
	struct scene s;

	scene_init(&s, u);
	proxies_ask(&s, &squid, learning, T0 - 5 * UF_S);
	*nxdomain = lookup_by(&s, &s.res, T0 - 2 * UF_S, HOST, 3, NULL, 0);
	*squids = lookup_by(&s, &squid, T0 - 1 * UF_S, HOST, 0, addr20, 1);
	uf_at(u, T0);
	ask(&s);
	lookup_by(&s, &squid, s.req_ts + UF_MS / 2, HOST, 0, addr20, 1);
	uf_at(u, s.req_ts + 2 * UF_MS);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	return uf_txn(u, learning == LEARN_NONE ? 1 : 11);
}

static void
test_each_proxy_its_own_cache(void **state)
{
	const struct txn *t;
	uint64_t nxdomain, squids;

	t = two_proxies(state, LEARN_PORTS, &nxdomain, &squids);
	assert_string_equal(uf_str((struct uf *)*state, t->url), URL);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	expect_lookup(state, t, LINK_CACHE, nxdomain);
	t = two_proxies(state, LEARN_NONE, &nxdomain, &squids);
	assert_string_equal(uf_str((struct uf *)*state, t->url), URL);
	assert_int_not_equal(t->d.verdict, V_HOST_NOT_RESOLVABLE);
}

/*
 * The same two proxies, while HOST's DNS server is silent. nginx asked
 * for HOST 9 s before the request and again 4 s before it (same ID);
 * squid asked 3.7 s before it. Both look-ups are in flight when a
 * request comes on `port`; the gateway answers 502 2.3 s later. nginx
 * resends its query 980 ms after the request, to its next server from
 * that server's socket, not known yet as nginx's (the busy lab: nginx's
 * third socket is known 12 s in). A request to squid waited for squid's
 * look-up, to nginx for nginx's: the resend just after the request is
 * nginx's look-up's timer, not the request's doing.
 */
static const struct txn *
two_lookups_in_flight(void **state, uint16_t port, uint64_t nginx[3],
    uint64_t *squids)
{
	struct uf *u = again(state);
	struct uf_side squid, nginx3, dns3, cli, gw;
	struct scene s;

	scene_init(&s, u);
	uf_side_init(&nginx3, "10.0.0.1", 33002, 0);
	uf_side_init(&dns3, "10.0.0.55", 53, 0);
	proxies_ask(&s, &squid, LEARN_PORTS, T0 - 9800 * UF_MS);
	for (int k = 0; k < 2; k++) {
		uf_at(u, T0 - 9 * UF_S + k * 5 * UF_S);
		nginx[k] = uf_dns_query(u, &s.res, &s.dns, 0x9e4e, HOST,
		    DNS_T_A);
	}
	*squids = lookup_by(&s, &squid, T0 - 3700 * UF_MS, HOST, -1, NULL, 0);
	uf_at(u, T0);
	uf_side_init(&cli, "10.0.0.5", 45000, 3000);
	uf_side_init(&gw, "10.0.0.1", port, 5000);
	uf_handshake(u, &cli, &gw);
	uf_get(u, &cli, &gw, URL, HOST);
	uf_at(u, T0 + 980 * UF_MS);
	nginx[2] = uf_dns_query(u, &nginx3, &dns3, 0x9e4e, HOST, DNS_T_A);
	uf_at(u, T0 + 2300 * UF_MS);
	uf_status(u, &gw, &cli, 502);
	uf_diagnose(u);
	return uf_txn(u, 11);
}

static void
test_two_lookups_in_flight(void **state)
{
	const struct txn *t;
	uint64_t nginx[3], squids;

	t = two_lookups_in_flight(state, 3128, nginx, &squids);
	assert_string_equal(uf_str((struct uf *)*state, t->url), URL);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	expect_lookup(state, t, LINK_TIME, squids);
	t = two_lookups_in_flight(state, 9090, nginx, &squids);
	assert_string_equal(uf_str((struct uf *)*state, t->url), URL);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	expect_queries(state, t, LINK_TIME, 3, nginx);
}

/*
 * squid's look-up of HOST for a request is silent: asked 6.1 s before a
 * second request, asked again (same ID) 5.1 and 3.1 s before it; squid
 * gives up and answers both 502 0.9 s after the second (busy --proxies 2
 * --dns-servers 3 --valid 1, seed 5: 18 such requests came out unknown).
 * 150 ms before the second request nginx asked for HOST from a socket
 * not known yet as its (nginx with three DNS servers) and was told
 * REFUSED at once. The newest query for HOST is over, but it is not
 * squid's: the second request waited for squid's look-up, in flight.
 */
static void
test_inflight_past_another_proxys_answer(void **state)
{
	struct uf *u = again(state);
	struct uf_side squid, nginx3, cli[2], gw[2];
	uint64_t squids[3];
	struct scene s;

	scene_init(&s, u);
	uf_side_init(&nginx3, "10.0.0.1", 33002, 0);
	proxies_ask(&s, &squid, LEARN_PORTS, T0 - 9 * UF_S);
	for (int c = 0; c < 2; c++) {
		uf_side_init(&cli[c], "10.0.0.5", (uint16_t)(45000 + c),
		    3000);
		uf_side_init(&gw[c], "10.0.0.1", 3128, (uint32_t)(5000 + c));
	}
	uf_at(u, T0 - 6200 * UF_MS);
	uf_handshake(u, &cli[0], &gw[0]);
	uf_get(u, &cli[0], &gw[0], URL, HOST);
	for (int k = 0; k < 3; k++) {
		static const int64_t before_ms[] = { 6100, 5100, 3100 };

		uf_at(u, T0 - before_ms[k] * UF_MS);
		squids[k] = uf_dns_query(u, &squid, &s.dns, 0x5a01, HOST,
		    DNS_T_A);
	}
	lookup_by(&s, &nginx3, T0 - 150 * UF_MS, HOST, 5, NULL, 0);
	uf_at(u, T0);
	uf_handshake(u, &cli[1], &gw[1]);
	uf_get(u, &cli[1], &gw[1], URL, HOST);
	uf_at(u, T0 + 900 * UF_MS);
	uf_status(u, &gw[0], &cli[0], 502);
	uf_status(u, &gw[1], &cli[1], 502);
	uf_diagnose(u);
	for (size_t k = 11; k <= 12; k++) {
		const struct txn *t = uf_txn(u, k);

		assert_string_equal(uf_str(u, t->url), URL);
		expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
		expect_queries(state, t, LINK_TIME, 3, squids);
	}
}

/*
 * A proxy's own resolver socket (kept: it asked for three names) is told
 * NXDOMAIN for HOST for one request; 50 ms later another client's request
 * for HOST comes and the socket asks again, unanswered this time, until
 * the gateway answers 502 4 s later. The second look-up is the second
 * request's own, not a retry of the first (answered already): its cause
 * is the silence. From a socket that asks A and then, 0.1 ms after the
 * A's answer, AAAA (squid), the two are one look-up.
 */
/* The scene's resolver socket asks for three names (a kept socket), then
 * the client asks (frames 1-3 of ask(), at T0). */
static void
kept_then_asked_at(struct scene *s, struct uf *u, int64_t at)
{
	static const char *const names[] = { "a.test", "b.test", "c.test" };

	scene_init(s, u);
	for (size_t k = 0; k < 3; k++)
		lookup_at(s, at + (int64_t)k * 100 * UF_MS, names[k], 0,
		    addr300, 1);
}

static void
kept_then_asked(struct scene *s, struct uf *u)
{
	kept_then_asked_at(s, u, T0 - 2 * UF_S);
	uf_at(u, T0);
	ask(s);
}

/*
 * squid's own socket (kept) asks for HOST 100 ms before a request, A and
 * AAAA, and again with the same IDs 1 s and 3 s after, unanswered; it
 * gives the look-up up 7 s in and answers 502, 0.1 ms after it began the
 * next look-up (new IDs) for a later request, told NXDOMAIN 2 ms on. The
 * request's look-up is the silent one: the new IDs are another's.
 */
static void
test_new_ids_are_another_lookup(void **state)
{
	static const int64_t sends_at[] = { -100, 1000, 3000 };
	struct uf *u = *state;
	struct scene s;
	uint64_t sends[6];

	kept_then_asked_at(&s, u, T0 - 9 * UF_S);
	for (size_t k = 0; k < 3; k++) {
		if (k == 1) {
			uf_at(u, T0);
			ask(&s);
		}
		uf_at(u, T0 + sends_at[k] * UF_MS);
		sends[2 * k] = uf_dns_query(u, &s.res, &s.dns, 0x2222, HOST,
		    DNS_T_A);
		sends[2 * k + 1] = uf_dns_query(u, &s.res, &s.dns, 0x3333, HOST,
		    DNS_T_AAAA);
	}
	uf_at(u, T0 + 7 * UF_S);
	uf_dns_query(u, &s.res, &s.dns, 0x4444, HOST, DNS_T_A);
	uf_dns_query(u, &s.res, &s.dns, 0x5555, HOST, DNS_T_AAAA);
	uf_at(u, u->fl.stats.last_ts + UF_MS / 10);
	gateway_answers(&s, 502);
	uf_at(u, u->fl.stats.last_ts + 2 * UF_MS);
	uf_dns_answer(u, &s.dns, &s.res, 0x4444, HOST, DNS_T_A, 3, NULL, 0);
	uf_dns_answer(u, &s.dns, &s.res, 0x5555, HOST, DNS_T_AAAA, 3, NULL,
	    0);
	expect_verdict(diagnosed(&s), V_HOST_NOT_RESOLVABLE,
	    C_DNS_NO_RESPONSE);
	expect_queries(state, uf_txn(u, 1), LINK_TIME, 6, sends);
}

static void
test_kept_socket_asks_again(void **state)
{
	struct uf *u = *state;
	struct uf_side cli2, gw2;
	struct scene s;
	const struct txn *t;
	uint64_t again_q, a, aaaa;

	kept_then_asked(&s, u);
	lookup_at(&s, s.req_ts + UF_MS / 5, HOST, 3, NULL, 0);
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + 50 * UF_MS);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL_B);
	again_q = lookup_at(&s, u->fl.stats.last_ts + UF_MS / 5, HOST, -1,
	    NULL, 0);
	uf_at(u, s.req_ts + 4 * UF_S);
	uf_status(u, &gw2, &cli2, 502);
	uf_diagnose(u);
	t = uf_txn(u, 2);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	expect_lookup(state, t, LINK_TIME, again_q);
	expect_verdict(uf_txn(u, 1), V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);

	u = again(state);
	kept_then_asked(&s, u);
	a = lookup_at(&s, s.req_ts + UF_MS / 5, HOST, 3, NULL, 0);
	uf_at(u, u->fl.stats.last_ts + UF_MS / 10);
	aaaa = uf_dns_query(u, &s.res, &s.dns, ++s.dns_id, HOST, DNS_T_AAAA);
	uf_dns_answer(u, &s.dns, &s.res, s.dns_id, HOST, DNS_T_AAAA, 3, NULL,
	    0);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	t = uf_txn(u, 1);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	assert_int_equal(t->d.ndns, 2);
	assert_int_equal(u->fl.dns[t->d.dns[0]].query.number, a);
	assert_int_equal(u->fl.dns[t->d.dns[1]].query.number, aaaa);
}

/*
 * nginx in a DNS outage (the busy lab): its kept socket asks for HOST
 * 4.4 s before the request and sends the same query again (same ID)
 * every 5 s while a request waits, here 80 ms after the request; each
 * request gives up after its own 2 s. The request waited for that
 * look-up: both sends are its evidence, the look-up is shared, and the
 * summary counts the wait from the first send. An earlier look-up
 * (another ID) the proxy dropped is not part of it.
 */
static void
test_resent_lookup_waited_for(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	uint64_t sends[2];
	char sum[256];

	kept_then_asked_at(&s, u, T0 - 9 * UF_S);
	uf_at(u, T0 - 8 * UF_S);
	uf_dns_query(u, &s.res, &s.dns, 0x1111, HOST, DNS_T_A);
	uf_at(u, T0 - 4400 * UF_MS);
	sends[0] = uf_dns_query(u, &s.res, &s.dns, 0x2222, HOST, DNS_T_A);
	uf_at(u, T0);
	ask(&s);
	uf_at(u, T0 + 80 * UF_MS);
	sends[1] = uf_dns_query(u, &s.res, &s.dns, 0x2222, HOST, DNS_T_A);
	uf_at(u, T0 + 2 * UF_S);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	expect_queries(state, t, LINK_TIME, 2, sends);
	assert_true(t->d.shared);
	uf_summary(u, t, sum, sizeof sum);
	assert_string_equal(sum, "2 DNS queries for " HOST " to 10.0.0.53 got "
	    "no answer in 6.4 s (the first sent 4.4 s before the request)");
	uf_summary_cuts(u, t);
}

/* The gateway answers 502 at `at`: the request failed on the silent
 * look-up whose n sends are `sends`, summed up as `summary`. */
static void
silent_lookup_502(void **state, struct scene *s, int64_t at, size_t n,
    const uint64_t *sends, const char *summary)
{
	const struct txn *t;
	char sum[256];

	uf_at(s->u, at);
	gateway_answers(s, 502);
	t = diagnosed(s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	expect_queries(state, t, LINK_TIME, n, sends);
	uf_summary(s->u, t, sum, sizeof sum);
	assert_string_equal(sum, summary);
	uf_summary_cuts(s->u, t);
}

/*
 * nginx with two resolvers (`resolver A B`) keeps a socket for each and
 * sends a look-up's resends to each in turn, same ID: the look-up asked
 * of 10.0.0.53 4 s before the request and again of 10.0.0.54 80 ms after
 * it is one, and the summary names both servers.
 */
static void
test_resent_to_the_other_resolver(void **state)
{
	static const char *const names[] = { "d.test", "e.test", "f.test" };
	struct uf *u = *state;
	struct uf_side res2, dns2;
	struct scene s;
	uint64_t sends[2];

	kept_then_asked_at(&s, u, T0 - 9 * UF_S);
	res2 = s.res;
	res2.port = 33001;
	uf_side_init(&dns2, "10.0.0.54", 53, 0);
	for (size_t k = 0; k < 3; k++) {
		uf_at(u, T0 - 8 * UF_S + (int64_t)k * 100 * UF_MS);
		uf_dns_query(u, &res2, &dns2, (uint16_t)(0x3000 + k), names[k],
		    DNS_T_A);
	}
	uf_at(u, T0 - 4 * UF_S);
	sends[0] = uf_dns_query(u, &s.res, &s.dns, 0x2222, HOST, DNS_T_A);
	uf_at(u, T0);
	ask(&s);
	uf_at(u, T0 + 80 * UF_MS);
	sends[1] = uf_dns_query(u, &res2, &dns2, 0x2222, HOST, DNS_T_A);
	silent_lookup_502(state, &s, T0 + 2 * UF_S, 2, sends, "2 DNS queries "
	    "for " HOST " to 10.0.0.53 and 10.0.0.54 got no answer in 6.0 s "
	    "(the first sent 4.0 s before the request)");
}

/*
 * The two proxies of two_proxies, each socket known as its proxy's,
 * while HOST's DNS server is silent: nginx's socket asked for HOST 3 s
 * before a request on nginx's port; 1 s before it a third socket, not
 * known yet as anyone's (a second squid worker's), asked for HOST too.
 * The request waited for nginx's look-up, its own proxy's, not the
 * newest; the gateway answers 502 2 s after it.
 */
static void
test_own_lookup_past_a_newer_one(void **state)
{
	struct uf *u = *state;
	struct uf_side squid, worker;
	const struct txn *t;
	struct scene s;
	uint64_t own;
	char sum[256];

	scene_init(&s, u);
	proxies_ask(&s, &squid, LEARN_PORTS, T0 - 9 * UF_S);
	uf_side_init(&worker, "10.0.0.1", 33002, 0);
	uf_at(u, T0 - 3 * UF_S);
	own = uf_dns_query(u, &s.res, &s.dns, 0x4444, HOST, DNS_T_A);
	uf_at(u, T0 - 1 * UF_S);
	uf_dns_query(u, &worker, &s.dns, 0x5555, HOST, DNS_T_A);
	uf_at(u, T0);
	ask(&s);
	uf_at(u, T0 + 2 * UF_S);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	t = uf_txn(u, 11);
	assert_string_equal(uf_str(u, t->url), URL);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	expect_lookup(state, t, LINK_TIME, own);
	uf_summary(u, t, sum, sizeof sum);
	assert_string_equal(sum, "1 DNS query for " HOST " to 10.0.0.53 got "
	    "no answer in 5.0 s (the first sent 3.0 s before the request)");
}

/*
 * nginx with DNS servers a socket each, in a DNS outage (the busy lab):
 * its look-up of HOST began 9 s before the request from its known
 * socket and was resent 5 s later to the next server, same ID, from that
 * server's socket, never seen asking for three names (which makes it
 * nginx's too). Its waiters all gave up; a request A at T0 (its GET at
 * T0 + 2 ms) makes nginx begin a new look-up (new ID) at fresh_at from
 * the second socket or, with a third server, from a third socket never
 * seen before; a request B 160 ms later waits on that one, not on the
 * old look-up (still in flight for all the capture tells). The gateway
 * answers each 502 2 s after it (resolver_timeout 2s).
 */
static void
new_lookup_after_waiters(void **state, bool third_socket, int64_t fresh_at)
{
	struct uf *u = *state;
	struct uf_side squid, nginx2, dns2, nginx3, dns3, cli[2], gw[2];
	struct scene s;
	uint64_t fresh = 0;

	scene_init(&s, u);
	uf_side_init(&nginx2, "10.0.0.1", 33002, 0);
	uf_side_init(&dns2, "10.0.0.55", 53, 0);
	uf_side_init(&nginx3, "10.0.0.1", 33003, 0);
	uf_side_init(&dns3, "10.0.0.56", 53, 0);
	proxies_ask(&s, &squid, LEARN_PORTS, T0 - 9800 * UF_MS);
	uf_at(u, T0 - 9 * UF_S);
	uf_dns_query(u, &s.res, &s.dns, 0x9e4e, HOST, DNS_T_A);
	uf_at(u, T0 - 4 * UF_S);
	uf_dns_query(u, &nginx2, &dns2, 0x9e4e, HOST, DNS_T_A);
	for (int k = 0; k < 2; k++) {
		uf_at(u, T0 + k * 160 * UF_MS);
		uf_side_init(&cli[k], "10.0.0.5", (uint16_t)(45000 + k), 3000);
		uf_side_init(&gw[k], "10.0.0.1", 9090, (uint32_t)(5000 + k));
		uf_handshake(u, &cli[k], &gw[k]);
		uf_get(u, &cli[k], &gw[k], URL, HOST);
		if (k == 0) {
			uf_at(u, fresh_at);
			fresh = third_socket ?
			    uf_dns_query(u, &nginx3, &dns3, 0x61d6, HOST,
			    DNS_T_A) : uf_dns_query(u, &nginx2, &dns2, 0x61d6,
			    HOST, DNS_T_A);
		}
	}
	for (int k = 0; k < 2; k++) {
		uf_at(u, T0 + 2 * UF_S + k * 160 * UF_MS);
		uf_status(u, &gw[k], &cli[k], 502);
	}
	uf_diagnose(u);
	for (size_t k = 0; k < 2; k++) {
		const struct txn *t = uf_txn(u, 11 + k);

		assert_int_equal(u->fl.conns[t->conn].cport, 45000 + k);
		expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
		expect_lookup(state, t, LINK_TIME, fresh);
	}
}

static void
test_new_lookup_of_a_resending_socket(void **state)
{
	new_lookup_after_waiters(state, false, T0 + UF_MS / 5);
}

/* The new look-up's socket was never seen: it came 0.2 ms after A's GET,
 * a request on nginx's port (and no other's) for HOST, so it is nginx's
 * (a CI run's busy lab, tests/lab/kept/busy-unknown-socket). */
static void
test_new_lookup_of_a_socket_never_seen(void **state)
{
	new_lookup_after_waiters(state, true, T0 + 2 * UF_MS + UF_MS / 5);
}

/*
 * nginx's two sockets (a worker's, or a server's each), both known as
 * nginx's: the second looked HOST up 5 s before the request and got
 * 192.0.2.20 (TTL 60 s); the scene's was told NXDOMAIN 1 s before it.
 * The request is answered 502 2 ms after it, nothing tried; 80 ms after
 * it squid, with an answer of its own, connects to 192.0.2.20. That
 * attempt came after the gateway's answer: no sign the request used the
 * address, and the NXDOMAIN is its cache.
 */
static void
test_attempt_after_the_answer_is_anothers(void **state)
{
	static const char *const names[] = { "f.test", "g.test", "h.test" };
	struct uf *u = *state;
	struct uf_side squid, nginx2, out, web;
	struct scene s;
	const struct txn *t;
	uint64_t nxdomain;

	scene_init(&s, u);
	proxies_ask(&s, &squid, LEARN_PORTS, T0 - 9800 * UF_MS);
	uf_side_init(&nginx2, "10.0.0.1", 33002, 0);
	port_learnt(&s, &nginx2, 9090, 42000, T0 - 8 * UF_S, names);
	lookup_by(&s, &nginx2, T0 - 5 * UF_S, HOST, 0, addr20, 1);
	nxdomain = lookup_by(&s, &s.res, T0 - 1 * UF_S, HOST, 3, NULL, 0);
	uf_at(u, T0);
	ask(&s);
	uf_at(u, s.req_ts + 2 * UF_MS);
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + 80 * UF_MS);
	uf_side_init(&out, "10.0.0.1", 50007, 7000);
	uf_side_init(&web, "192.0.2.20", 80, 9000);
	uf_handshake(u, &out, &web);
	uf_diagnose(u);
	t = uf_txn(u, 14);
	assert_string_equal(uf_str(u, t->url), URL);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	expect_lookup(state, t, LINK_CACHE, nxdomain);
}

/*
 * squid's socket is known (three names, each just after a request on
 * 3128); nginx's, which asked for HOST 2 s before a request on 9090
 * (192.0.2.21), is not yet (it asked for no other name). squid got
 * 192.0.2.23 for HOST 1 s before the request. The gateway's SYN to
 * 192.0.2.21 is refused: it answered from nginx's cache, the socket not
 * known yet, not from the newest answer.
 */
static void
test_unknown_socket_is_a_cache(void **state)
{
	static const char *const names[] = { "a.test", "b.test", "c.test" };
	static const struct uf_rr addr21[] = {
		{ DNS_T_A, NULL, 60, "192.0.2.21" },
	};
	static const struct uf_rr addr23[] = {
		{ DNS_T_A, NULL, 60, "192.0.2.23" },
	};
	struct uf *u = *state;
	struct uf_side squid, web;
	struct scene s;
	const struct txn *t;
	uint64_t nginx;

	scene_init(&s, u);
	uf_side_init(&squid, "10.0.0.1", 33001, 0);
	port_learnt(&s, &squid, 3128, 41000, T0 - 5 * UF_S, names);
	nginx = lookup_by(&s, &s.res, T0 - 2 * UF_S, HOST, 0, addr21, 1);
	lookup_by(&s, &squid, T0 - 1 * UF_S, HOST, 0, addr23, 1);
	uf_at(u, T0);
	ask(&s);
	uf_side_init(&web, "192.0.2.21", 80, 9000);
	uf_at(u, s.req_ts + UF_MS / 5);
	uf_syn(u, &s.out, &web);
	uf_rst(u, &web, &s.out);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	t = uf_txn(u, 4);
	assert_string_equal(uf_str(u, t->url), URL);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	expect_lookup(state, t, LINK_CACHE, nginx);
}

/*
 * Two proxies, their sockets kept but not yet known as whose: squid's
 * got 192.0.2.20 for HOST 100 ms before a request on nginx's port;
 * nginx's socket began a look-up 1.3 ms before it (another request's),
 * told NXDOMAIN 2 ms after it; the gateway answers 502 4 ms after it,
 * nothing tried. The request waited for the look-up in flight, not
 * squid's cache.
 */
static void
test_failed_inflight_over_a_cache(void **state)
{
	struct uf *u = *state;
	struct uf_side squid;
	struct scene s;
	const struct txn *t;
	uint64_t nx;

	scene_init(&s, u);
	proxies_ask(&s, &squid, LEARN_NONE, T0 - 5 * UF_S);
	lookup_by(&s, &squid, T0 - 100 * UF_MS, HOST, 0, addr20, 1);
	uf_at(u, T0 - 13 * UF_MS / 10);
	nx = query(&s);
	uf_at(u, T0);
	ask(&s);
	uf_at(u, s.req_ts + 2 * UF_MS);
	answer(&s, 3, NULL, 0);
	uf_at(u, s.req_ts + 4 * UF_MS);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	expect_lookup(state, t, LINK_TIME, nx);
}

/*
 * The same proxies: nginx's socket was told NXDOMAIN for HOST 50 ms
 * before a request on nginx's port, squid's got 192.0.2.20 1 s before
 * it. The gateway answers 502 2 ms after the request; between, a
 * client asks squid (3128) for HOST and the gateway connects to
 * 192.0.2.20 0.1 ms later: squid's try, no sign nginx held the address.
 */
static void
test_rival_cache_tried_for_another_proxy(void **state)
{
	struct uf *u = *state;
	struct uf_side squid, cli, gw, out, web;
	struct scene s;
	const struct txn *t;
	uint64_t nx;

	scene_init(&s, u);
	proxies_ask(&s, &squid, LEARN_NONE, T0 - 5 * UF_S);
	lookup_by(&s, &squid, T0 - UF_S, HOST, 0, addr20, 1);
	nx = lookup_by(&s, &s.res, T0 - 50 * UF_MS, HOST, 3, NULL, 0);
	uf_side_init(&cli, "10.0.0.8", 44000, 3000);
	uf_side_init(&gw, "10.0.0.1", 3128, 5000);
	uf_at(u, T0 - 10 * UF_MS);
	uf_handshake(u, &cli, &gw);
	uf_at(u, T0);
	ask(&s);
	uf_at(u, s.req_ts + UF_MS / 2);
	uf_get(u, &cli, &gw, URL, HOST);
	uf_side_init(&out, "10.0.0.1", 50007, 7000);
	uf_side_init(&web, "192.0.2.20", 80, 9000);
	uf_at(u, s.req_ts + UF_MS * 6 / 10);
	uf_syn(u, &out, &web);
	uf_at(u, s.req_ts + 2 * UF_MS);
	gateway_answers(&s, 502);
	uf_diagnose(u);
	t = uf_txn(u, 1);
	assert_string_equal(uf_str(u, t->url), URL);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	expect_lookup(state, t, LINK_CACHE, nx);
}

/*
 * Early in a capture no socket is known as a proxy's yet: nginx's (the
 * scene's) was told NXDOMAIN for HOST 200 ms before a request on nginx's
 * port, squid's got an address 100 ms before it, and the gateway answers
 * 502 2 ms after the request, trying nothing. A proxy that held the
 * address would have tried it: the NXDOMAIN is the cache it answered
 * from. A success tried nothing either (served from its HTTP cache): no
 * NXDOMAIN is taken for it. With `nginx_kept` false, nginx's socket has
 * asked for one other name only, so it is no resolver's own yet (nginx
 * with three servers asks from each a third of its names), while
 * squid's is: its NXDOMAIN is the cache all the same.
 */
static const struct txn *
nxdomain_beside_an_address(void **state, unsigned status, bool nginx_kept,
    uint64_t *nx)
{
	static const char *const names[] = { "a.test", "b.test", "c.test" };
	struct uf *u = again(state);
	struct uf_side squid;
	struct scene s;

	scene_init(&s, u);
	uf_side_init(&squid, "10.0.0.1", 33001, 0);
	for (size_t k = 0; k < 3; k++) {
		int64_t at = T0 - 5 * UF_S + (int64_t)k * 100 * UF_MS;

		if (nginx_kept || k == 0)
			lookup_by(&s, &s.res, at, names[k], 0, addr20, 1);
		lookup_by(&s, &squid, at + 50 * UF_MS, names[k], 0, addr20, 1);
	}
	*nx = lookup_by(&s, &s.res, T0 - 200 * UF_MS, HOST, 3, NULL, 0);
	lookup_by(&s, &squid, T0 - 100 * UF_MS, HOST, 0, addr20, 1);
	uf_at(u, T0);
	ask(&s);
	uf_at(u, s.req_ts + 2 * UF_MS);
	gateway_answers(&s, status);
	return diagnosed(&s);
}

static void
test_nxdomain_explains_an_answer_at_once(void **state)
{
	const struct txn *t;
	uint64_t nx;

	for (int kept = 1; kept >= 0; kept--) {
		t = nxdomain_beside_an_address(state, 502, kept, &nx);
		expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
		expect_lookup(state, t, LINK_CACHE, nx);
		t = nxdomain_beside_an_address(state, 200, kept, &nx);
		assert_int_equal(t->d.ndns, 1);
		assert_int_not_equal(((struct uf *)*state)->fl.dns[t->d.dns[0]]
		    .query.number, nx);
	}
}

/* nginx's resolver sockets, one per server: res[r] (port 33000 + r)
 * asks 10.0.0.(53 + r); res[0] is the scene's. */
struct resolvers {
	struct uf_side res[4], dns[4];
};

static void
resolvers_init(const struct scene *s, struct resolvers *rv)
{
	char ip[16];

	for (size_t r = 0; r < 4; r++) {
		rv->res[r] = s->res;
		rv->res[r].port = (uint16_t)(33000 + r);
		snprintf(ip, sizeof ip, "10.0.0.%zu", 53 + r);
		uf_side_init(&rv->dns[r], ip, 53, 0);
	}
}

/* res asks for three other names 100 ms apart from `at` (ids from
 * `id`): a resolver's own socket from the third on. */
static void
socket_known_at(struct uf *u, struct uf_side *res, struct uf_side *dns,
    int64_t at, uint16_t id)
{
	static const char *const names[] = { "d.test", "e.test", "f.test" };

	for (size_t k = 0; k < 3; k++) {
		uf_at(u, at + (int64_t)k * 100 * UF_MS);
		uf_dns_query(u, res, dns, (uint16_t)(id + k), names[k],
		    DNS_T_A);
	}
}

/*
 * nginx given `nservers` resolvers (one socket each, every socket kept:
 * it asked for three names before) and its default resolver_timeout of
 * 30 s: a request waits through the resends, every 5 s, each to the next
 * server, same ID, until the gateway answers 502 at 17 s. The look-up is
 * every send, and the summary names the servers: three at most.
 */
static void
rotating_resolvers(void **state, struct scene *s, size_t nservers,
    uint64_t *sends)
{
	struct uf *u = again(state);
	struct resolvers rv;

	kept_then_asked_at(s, u, T0 - 9 * UF_S);
	resolvers_init(s, &rv);
	for (size_t r = 1; r < nservers; r++)
		socket_known_at(u, &rv.res[r], &rv.dns[r],
		    T0 - (int64_t)(9 - r) * UF_S, (uint16_t)(0x3000 + 16 * r));
	uf_at(u, T0);
	ask(s);
	for (size_t k = 0; k < 4; k++) {
		uf_at(u, T0 + UF_MS / 5 + (int64_t)k * 5 * UF_S);
		sends[k] = uf_dns_query(u, &rv.res[k % nservers],
		    &rv.dns[k % nservers], 0x2222, HOST, DNS_T_A);
	}
}

static void
test_resent_to_each_resolver_in_turn(void **state)
{
	struct scene s;
	uint64_t sends[4];

	rotating_resolvers(state, &s, 3, sends);
	silent_lookup_502(state, &s, T0 + 17 * UF_S, 4, sends, "4 DNS queries "
	    "for " HOST " to 10.0.0.53, 10.0.0.54 and 10.0.0.55 got no answer "
	    "in 17.0 s");
	rotating_resolvers(state, &s, 4, sends);
	silent_lookup_502(state, &s, T0 + 17 * UF_S, 4, sends, "4 DNS queries "
	    "for " HOST " to 10.0.0.53, 10.0.0.54, 10.0.0.55 and 1 more got no "
	    "answer in 17.0 s");
}

/*
 * A look-up nginx has resent every 5 s, n sends (a request waited the
 * whole resolver_timeout, and others came meanwhile, none in the
 * capture): a request 0.5 s after the newest send waits on it, and all n
 * are its evidence. The request may come more than DIAG_INFLIGHT_NS after
 * the first send (the busy lab's nginx, resending for 35 s): each send
 * came within that of the next.
 */
static void
resent_every_5s(void **state, size_t n, const char *summary)
{
	struct uf *u = again(state);
	struct scene s;
	uint64_t sends[16];
	int64_t req = T0 + (int64_t)(n - 1) * 5 * UF_S + 500 * UF_MS;

	kept_then_asked_at(&s, u, T0 - 9 * UF_S);
	for (size_t k = 0; k < n; k++) {
		uf_at(u, T0 + (int64_t)k * 5 * UF_S);
		sends[k] = uf_dns_query(u, &s.res, &s.dns, 0x2222, HOST,
		    DNS_T_A);
	}
	uf_at(u, req);
	ask(&s);
	silent_lookup_502(state, &s, req + 1500 * UF_MS, n, sends, summary);
}

static void
test_thirty_seconds_of_resends(void **state)
{
	resent_every_5s(state, 7, "7 DNS queries for " HOST " to 10.0.0.53 "
	    "got no answer in 32.0 s (the first sent 30.5 s before the "
	    "request)");
	resent_every_5s(state, 8, "8 DNS queries for " HOST " to 10.0.0.53 "
	    "got no answer in 37.0 s (the first sent 35.5 s before the "
	    "request)");
	resent_every_5s(state, 16, "16 DNS queries for " HOST " to 10.0.0.53 "
	    "got no answer in 77.0 s (the first sent 75.5 s before the "
	    "request)");
}

/* A client asks for URL on squid's port at T0 (cli to gw). */
static void
asks_squid(struct uf *u, struct uf_side *cli, struct uf_side *gw)
{
	uf_side_init(cli, "10.0.0.9", 42000, 3000);
	uf_side_init(gw, "10.0.0.1", 3128, 5000);
	uf_at(u, T0);
	uf_handshake(u, cli, gw);
	uf_get(u, cli, gw, URL, HOST);
}

/*
 * The two proxies of two_proxies, each socket known as its proxy's:
 * squid's asked for HOST 300 ms before a request on squid's port and got
 * no answer; 100 ms before it a third socket, not known yet as anyone's
 * (nginx's for its third server), was told HOST's address. The gateway
 * answers 502 2 s after the request, trying nothing. squid was asking:
 * it held no answer, and the request waited for its look-up, not for
 * the other socket's cache.
 */
static void
test_own_resolver_asking_past_a_cache(void **state)
{
	struct uf *u = *state;
	struct uf_side squid, worker, cli, gw;
	const struct txn *t;
	struct scene s;
	uint64_t own;

	scene_init(&s, u);
	proxies_ask(&s, &squid, LEARN_PORTS, T0 - 9 * UF_S);
	uf_side_init(&worker, "10.0.0.1", 33002, 0);
	uf_at(u, T0 - 300 * UF_MS);
	own = uf_dns_query(u, &squid, &s.dns, 0x6666, HOST, DNS_T_A);
	lookup_by(&s, &worker, T0 - 100 * UF_MS, HOST, 0, addr20, 1);
	asks_squid(u, &cli, &gw);
	uf_at(u, T0 + 2 * UF_S);
	uf_status(u, &gw, &cli, 502);
	uf_diagnose(u);
	t = uf_txn(u, 11);
	assert_string_equal(uf_str(u, t->url), URL);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	expect_lookup(state, t, LINK_TIME, own);
}

/*
 * Where two proxies ask for the same busy names, one's look-up can follow
 * the other's request by chance: nginx's socket (the scene's, known as
 * 9090's) asks for three names just after requests for them on squid's
 * port, as if it were squid's too, while squid's socket asked for seven
 * so, twice as many: squid's port is squid's alone. squid holds
 * HOST's address (asked 2 s before), nginx's look-up of it is silent
 * (asked 1 s before, resent 50 ms after the request); a request on
 * squid's port is refused at once. It used squid's cache: nginx's
 * look-up in flight was no wait of its.
 */
static void
test_chance_votes_make_no_resolver(void **state)
{
	static const char *const names[] = { "f.test", "g.test", "h.test",
		"i.test", "j.test", "k.test" };
	struct uf *u = *state;
	struct uf_side squid, cli, gw, web;
	const struct txn *t;
	struct scene s;

	scene_init(&s, u);
	proxies_ask(&s, &squid, LEARN_PORTS, T0 - 9 * UF_S);
	for (size_t k = 0; k < 6; k++)
		proxy_looks_up(&s, (uint16_t)(41100 + k), 3128, k < 3 ? &squid :
		    &s.res, T0 - 8 * UF_S + (int64_t)k * 100 * UF_MS, names[k],
		    0, addr20, 1);
	lookup_by(&s, &squid, T0 - 2 * UF_S, HOST, 0, addr20, 1);
	uf_at(u, T0 - 1 * UF_S);
	uf_dns_query(u, &s.res, &s.dns, 0x7777, HOST, DNS_T_A);
	uf_side_init(&web, "192.0.2.20", 80, 9000);
	asks_squid(u, &cli, &gw);
	uf_at(u, T0 + 1 * UF_MS);
	uf_syn(u, &s.out, &web);
	uf_rst(u, &web, &s.out);
	uf_at(u, T0 + 3 * UF_MS);
	uf_status(u, &gw, &cli, 502);
	uf_at(u, T0 + 50 * UF_MS);
	uf_dns_query(u, &s.res, &s.dns, 0x7777, HOST, DNS_T_A);
	uf_at(u, T0 + 3 * UF_S);
	uf_syn(u, &s.out, &s.web);	/* any frame: the story is over */
	uf_diagnose(u);
	t = uf_txn(u, 17);
	assert_string_equal(uf_str(u, t->url), URL);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
}

/*
 * One proxy's sockets not known yet as one resolver (nginx asks each of
 * its servers from a socket of its own) share its port's votes: the
 * scene's socket has six for 9090 (its look-ups after the first two,
 * once it is a resolver's), a second one three. The second is 9090's
 * resolver too: only a resolver that serves a port already loses another
 * to a rival's votes.
 */
static void
test_split_resolver_known(void **state)
{
	static const char *const names[] = { "f.test", "g.test", "h.test",
		"i.test", "j.test", "k.test", "l.test", "m.test", "n.test",
		"o.test", "p.test", "q.test", "r.test" };
	struct uf *u = *state;
	struct uf_side second;
	struct scene s;
	uint64_t last = 0;

	scene_init(&s, u);
	uf_side_init(&second, "10.0.0.1", 33002, 0);
	for (size_t k = 0; k < 13; k++)
		last = proxy_looks_up(&s, (uint16_t)(41100 + k), 9090,
		    k < 8 ? &s.res : &second, T0 + (int64_t)k * 100 * UF_MS,
		    names[k], 0, addr20, 1);
	for (size_t i = 0; i < u->fl.ndns; i++)
		if (u->fl.dns[i].query.number == last)
			assert_true(dns_own_resolver(&u->fl, &u->fl.dns[i],
			    9090, u->fl.stats.last_ts));
}

/*
 * nginx's first look-up of a name can come before its resolver sockets
 * are known (none has asked for three names yet): the look-up that a
 * request waits on, begun 4 s before it from socket 0, is resent every
 * 5 s to the next of its three servers, same ID, the third resend from
 * socket 0 again. Every send is the look-up's.
 */
static void
resent_before_known(struct scene *s, struct uf *u, uint64_t *sends)
{
	struct resolvers rv;

	scene_init(s, u);
	resolvers_init(s, &rv);
	uf_at(u, T0 - 4 * UF_S);
	sends[0] = uf_dns_query(u, &rv.res[0], &rv.dns[0], 0x2222, HOST,
	    DNS_T_A);
	for (size_t r = 0; r < 3; r++)
		socket_known_at(u, &rv.res[r], &rv.dns[r], T0 - 3 * UF_S +
		    (int64_t)r * 300 * UF_MS, (uint16_t)(0x3000 + 16 * r));
	uf_at(u, T0);
	ask(s);
	for (size_t k = 1; k < 4; k++) {
		uf_at(u, T0 - 4 * UF_S + (int64_t)k * 5 * UF_S);
		sends[k] = uf_dns_query(u, &rv.res[k % 3], &rv.dns[k % 3],
		    0x2222, HOST, DNS_T_A);
	}
}

/*
 * The same with a socket never known as a resolver's own (it asks too
 * few names: the busy lab's third nginx socket at 1.2 names a second):
 * the request comes 0.1 s before that socket's resend, which reads as
 * its own look-up; the sends before it, from the two other sockets to
 * the two other servers, are the look-up's too.
 */
static void
resent_from_never_known(struct scene *s, struct uf *u, uint64_t *sends)
{
	struct resolvers rv;

	scene_init(s, u);
	resolvers_init(s, &rv);
	for (size_t r = 0; r < 2; r++)
		socket_known_at(u, &rv.res[r], &rv.dns[r], T0 - 9 * UF_S +
		    (int64_t)r * 300 * UF_MS, (uint16_t)(0x3000 + 16 * r));
	for (size_t k = 0; k < 2; k++) {
		uf_at(u, T0 - 5 * UF_S + (int64_t)k * 5 * UF_S);
		sends[k] = uf_dns_query(u, &rv.res[k], &rv.dns[k], 0x2222,
		    HOST, DNS_T_A);
	}
	uf_at(u, T0 + 4900 * UF_MS);
	ask(s);
	uf_at(u, T0 + 5 * UF_S);
	sends[2] = uf_dns_query(u, &rv.res[2], &rv.dns[2], 0x2222, HOST,
	    DNS_T_A);
}

static void
test_resent_before_its_sockets_were_known(void **state)
{
	struct scene s;
	uint64_t sends[4];

	resent_before_known(&s, *state, sends);
	silent_lookup_502(state, &s, T0 + 12 * UF_S, 4, sends, "4 DNS queries "
	    "for " HOST " to 10.0.0.53, 10.0.0.54 and 10.0.0.55 got no answer "
	    "in 16.0 s (the first sent 4.0 s before the request)");
	resent_from_never_known(&s, again(state), sends);
	silent_lookup_502(state, &s, T0 + 6 * UF_S, 3, sends, "3 DNS queries "
	    "for " HOST " to 10.0.0.53, 10.0.0.54 and 10.0.0.55 got no answer "
	    "in 11.0 s (the first sent 9.9 s before the request)");
}

/* nginx's two sockets, both known (the scene's from `at`, the second
 * 400 ms later). */
static void
two_sockets_known_at(struct scene *s, struct uf *u, struct resolvers *rv,
    int64_t at)
{
	kept_then_asked_at(s, u, at);
	resolvers_init(s, rv);
	socket_known_at(u, &rv->res[1], &rv->dns[1], at + 400 * UF_MS,
	    0x3010);
}

/* nginx's A (0x2222) and AAAA (0x3333) of HOST from socket r at `at`;
 * returns the A's frame. */
static uint64_t
a_and_aaaa(struct uf *u, struct resolvers *rv, size_t r, int64_t at,
    uint64_t *aaaa)
{
	uint64_t a;

	uf_at(u, at);
	a = uf_dns_query(u, &rv->res[r], &rv->dns[r], 0x2222, HOST, DNS_T_A);
	uf_at(u, at + UF_MS / 14);
	*aaaa = uf_dns_query(u, &rv->res[r], &rv->dns[r], 0x3333, HOST,
	    DNS_T_AAAA);
	return a;
}

/* Socket 0's A is answered 192.0.2.10 1 ms on (its AAAA with nothing),
 * which refuses the gateway: the diagnosis, cannot-connect/tcp-rst. */
static const struct txn *
answered_then_refused(struct scene *s, struct resolvers *rv)
{
	static const struct uf_rr addr10[] = {
		{ DNS_T_A, NULL, 60, "192.0.2.10" },
	};
	struct uf *u = s->u;
	const struct txn *t;

	uf_at(u, u->fl.stats.last_ts + UF_MS);
	uf_dns_answer(u, &rv->dns[0], &rv->res[0], 0x2222, HOST, DNS_T_A, 0,
	    addr10, 1);
	uf_dns_answer(u, &rv->dns[0], &rv->res[0], 0x3333, HOST, DNS_T_AAAA,
	    0, NULL, 0);
	uf_syn(u, &s->out, &s->web);
	uf_rst(u, &s->web, &s->out);
	gateway_answers(s, 502);
	t = diagnosed(s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	return t;
}

/*
 * nginx (ipv6 on) asks for A and AAAA, resending both every second to
 * its next server, same IDs: from socket 0 at -2 s, socket 1 at -1 s
 * (the newest when the request comes: it waits), socket 0 again at +1 s,
 * whose A is answered with 192.0.2.10 (the AAAA with nothing). The
 * gateway connects to it and is refused. The look-up is all six
 * queries, from the first A: its answer is the A's, not the empty AAAA.
 */
static void
test_a_and_aaaa_resent_from_each_socket(void **state)
{
	struct uf *u = *state;
	struct resolvers rv;
	struct scene s;
	uint64_t sends[6];

	two_sockets_known_at(&s, u, &rv, T0 - 9 * UF_S);
	for (size_t k = 0; k < 3; k++) {
		sends[2 * k] = a_and_aaaa(u, &rv, k % 2, T0 - 2 * UF_S +
		    (int64_t)(k == 2 ? 3 : k) * UF_S, &sends[2 * k + 1]);
		if (k == 1) {
			uf_at(u, T0);
			ask(&s);
		}
	}
	expect_queries(state, answered_then_refused(&s, &rv), LINK_TIME, 6,
	    sends);
}

/*
 * nginx's look-up of HOST (A and AAAA) resent every second from its two
 * sockets in turn, from 8 s before a request, while another socket
 * (squid's) asks for HOST three times a second and is answered; the
 * send 0.5 s after the request is answered 192.0.2.10, which refuses.
 * The look-up's first query is its first A, past squid's 24 queries.
 */
static void
test_first_send_past_anothers_queries(void **state)
{
	struct uf *u = *state;
	struct resolvers rv;
	struct uf_side squid;
	struct scene s;
	const struct txn *t;
	uint64_t first = 0, aaaa;

	two_sockets_known_at(&s, u, &rv, T0 - 9900 * UF_MS);
	uf_side_init(&squid, "10.0.0.1", 33009, 0);
	for (int k = 0; k <= 8; k++) {
		int64_t at = k < 8 ? T0 - 8 * UF_S + k * UF_S : T0 + UF_S / 2;
		uint64_t a;

		if (k == 8) {
			uf_at(u, T0);
			ask(&s);
		}
		a = a_and_aaaa(u, &rv, (size_t)k % 2, at, &aaaa);
		first = k == 0 ? a : first;
		for (int j = 0; j < 3 && k < 8; j++)
			lookup_by(&s, &squid, at + (100 + 300 * j) * UF_MS, HOST,
			    0, addr20, 1);
	}
	t = answered_then_refused(&s, &rv);
	assert_int_equal(t->d.dns_link, LINK_TIME);
	assert_int_equal(u->fl.dns[t->d.dns[0]].query.number, first);
}

/* The kept socket's look-up 0x2222 for HOST, sent (again) at `at`. */
static uint64_t
resend_at(struct scene *s, int64_t at)
{
	uf_at(s->u, at);
	return uf_dns_query(s->u, &s->res, &s->dns, 0x2222, HOST, DNS_T_A);
}

/*
 * Three requests wait on one look-up, each for 7 s, a kept socket
 * resending it every 5 s while anyone waits, same ID: A from its first
 * send, B from 2.7 s, C from 9.9 s, 0.1 s before the third send, which
 * no other request saw (so it reads as C's own, its first send the
 * look-up's). C came while the look-up was in flight: the sends A and
 * B claimed before C came are C's evidence too.
 */
static void
test_waiter_has_the_sends_before_it(void **state)
{
	struct uf *u = *state;
	struct uf_side cli_b, gw_b, cli_c, gw_c;
	struct scene s;
	const struct txn *t;
	uint64_t sends[4];

	kept_then_asked_at(&s, u, T0 - 9 * UF_S);
	uf_at(u, T0);
	ask(&s);
	sends[0] = resend_at(&s, s.req_ts + UF_MS / 5);
	uf_at(u, T0 + 2700 * UF_MS);
	client_asks(u, &cli_b, &gw_b, "10.0.0.6", 40001, URL_B);
	sends[1] = resend_at(&s, T0 + 5 * UF_S);
	uf_at(u, T0 + 7 * UF_S);
	gateway_answers(&s, 502);
	uf_at(u, T0 + 9700 * UF_MS);
	uf_status(u, &gw_b, &cli_b, 502);
	uf_at(u, T0 + 9900 * UF_MS);
	client_asks(u, &cli_c, &gw_c, "10.0.0.7", 40002, URL_B);
	sends[2] = resend_at(&s, T0 + 10 * UF_S);
	sends[3] = resend_at(&s, T0 + 15 * UF_S);
	uf_at(u, T0 + 16900 * UF_MS);
	uf_status(u, &gw_c, &cli_c, 502);
	uf_diagnose(u);
	expect_queries(state, uf_txn(u, 1), LINK_TIME, 2, sends);
	expect_queries(state, uf_txn(u, 2), LINK_TIME, 2, sends);
	t = uf_txn(u, 3);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	expect_queries(state, t, LINK_TIME, 4, sends);
	assert_true(t->d.shared);
}

/*
 * The lab's crowd: three clients ask for one host at once, and the
 * gateway looks it up for each (a stub resolver, a socket per look-up).
 * Another request's look-up is answered (192.0.2.10) 0.1 ms before this
 * request, and that request's SYN leaves 4 us after this one; this
 * request's own look-up follows 1.8 ms after it. The SYN followed the
 * other look-up's answer: that asker's attempt, not a cached answer's
 * for this request.
 */
static void
test_attempt_after_another_answer(void **state)
{
	struct uf *u = again(state);
	struct uf_side other, other_out;
	struct scene s;
	const struct txn *t;
	uint64_t own;

	scene_init(&s, u);
	uf_side_init(&other, "10.0.0.1", 33001, 0);
	uf_side_init(&other_out, "10.0.0.1", 50001, 7500);
	uf_at(u, T0);
	uf_handshake(u, &u->cli, &u->srv);
	uf_at(u, T0 + 2200 * UF_MS / 1000);
	uf_dns_query(u, &other, &s.dns, 0x900, HOST, DNS_T_A);
	uf_at(u, T0 + 3200 * UF_MS / 1000);
	uf_dns_answer(u, &s.dns, &other, 0x900, HOST, DNS_T_A, 0, addr300, 1);
	uf_at(u, T0 + 3300 * UF_MS / 1000);
	s.req = uf_get(u, &u->cli, &u->srv, URL, HOST);
	s.req_ts = u->fl.stats.last_ts;
	uf_at(u, s.req_ts + 4 * UF_MS / 1000);
	uf_syn(u, &other_out, &s.web);
	own = lookup_at(&s, s.req_ts + 1800 * UF_MS / 1000, HOST, 0,
	    addr300, 1);
	uf_at(u, s.req_ts + 3 * UF_MS);
	uf_syn(u, &s.out, &s.web);
	uf_at(u, s.req_ts + 3 * UF_S);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_lookup(state, t, LINK_TIME, own);
}

/* HOST's one address, cached for 1 s. */
static const struct uf_rr addr1s[] = {
	{ DNS_T_A, NULL, 1, "192.0.2.10" },
};

/* Another client asks for URL_B; the gateway connects to the address
 * for it (from s->out), and relays the 200 it gets. */
static void
other_client_served(struct scene *s, struct uf_side *cli2,
    struct uf_side *gw2)
{
	client_asks(s->u, cli2, gw2, "10.0.0.6", 40001, URL_B);
	uf_handshake(s->u, &s->out, &s->web);
	uf_get(s->u, &s->out, &s->web, "/b", HOST);
	uf_status(s->u, &s->web, &s->out, 200);
	uf_status(s->u, gw2, cli2, 200);
}

/* Another client is served (other_client_served) `other` after the
 * request, the gateway answers it 502 `answer` after it: the failed
 * request, diagnosed. */
static const struct txn *
other_then_502(struct scene *s, int64_t other, int64_t answer)
{
	struct uf_side cli2, gw2;

	uf_at(s->u, s->req_ts + other);
	other_client_served(s, &cli2, &gw2);
	uf_at(s->u, s->req_ts + answer);
	gateway_answers(s, 502);
	uf_diagnose(s->u);
	return uf_txn(s->u, 1);
}

/* The kept socket asks A and AAAA for HOST at `at`; the A is answered
 * 0.2 ms later (TTL 1 s), the AAAA never. sends[0..1]: their frames. */
static void
half_answered_lookup(struct scene *s, int64_t at, uint64_t sends[2])
{
	uf_at(s->u, at);
	sends[0] = uf_dns_query(s->u, &s->res, &s->dns, 0x2222, HOST,
	    DNS_T_A);
	sends[1] = uf_dns_query(s->u, &s->res, &s->dns, 0x2223, HOST,
	    DNS_T_AAAA);
	uf_dns_answer(s->u, &s->dns, &s->res, 0x2222, HOST, DNS_T_A, 0,
	    addr1s, 1);
}

/* The look-up of half_answered_lookup for the request; an attempt to
 * the address refused `after` the request, the gateway's 502 2 s after
 * it (at once when `after` is 0). */
static const struct txn *
refused_beside_half(void **state, int64_t after)
{
	struct uf *u = again(state);
	struct scene s;
	uint64_t sends[2];

	kept_then_asked(&s, u);
	half_answered_lookup(&s, s.req_ts + UF_MS / 10, sends);
	if (after)
		uf_at(u, s.req_ts + after);
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	if (after)
		uf_at(u, s.req_ts + 2 * UF_S);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

/*
 * nginx's resolver asks A and AAAA (its default, without ipv6=off) and
 * waits for both; the DNS server drops AAAA queries (a firewall or a
 * broken server). HOST's A is answered (TTL 1 s), the AAAA beside it
 * never; nginx answers 502 on its resolver_timeout, 2 s on, having
 * tried nothing. Meanwhile another client's request for HOST went over
 * a connection of its own to the address (relayed, 200): not the
 * failure's. The story is the look-up, half answered.
 */
static void
test_aaaa_dropped_beside_an_answered_a(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	uint64_t sends[2];
	char sum[256];

	kept_then_asked(&s, u);
	half_answered_lookup(&s, s.req_ts + UF_MS / 10, sends);
	t = other_then_502(&s, 1 * UF_S, 2 * UF_S);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_true(t->d.half_answered);
	expect_queries(state, t, LINK_TIME, 2, sends);
	assert_int_equal(t->d.nconns, 0);
	expect_verdict(uf_txn(u, 2), V_OK, C_NONE);
	uf_summary(u, t, sum, sizeof sum);
	assert_string_equal(sum, "DNS answered the A query for " HOST
	    " (192.0.2.10), but 1 AAAA query beside it to 10.0.0.53 got no "
	    "answer in 2.0 s: the gateway waits for both");
	uf_summary_cuts(u, t);
	assert_non_null(strstr(txn_remedy(&u->fl, t), "ipv6=off"));

	/* the look-up asked 300 ms before the request (for another one),
	 * its A answered: no cached address while its AAAA is pending,
	 * even with another request's connection to the address */
	u = again(state);
	kept_then_asked_at(&s, u, T0 - 2 * UF_S);
	half_answered_lookup(&s, T0 - 300 * UF_MS, sends);
	uf_at(u, T0);
	ask(&s);
	t = other_then_502(&s, 100 * UF_MS, 2 * UF_S);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_true(t->d.half_answered);
	expect_queries(state, t, LINK_TIME, 2, sends);

	/* the address refuses another proxy's attempt (squid's, with the
	 * A alone) 1.9 s after the A, just before the gateway's 502: begun
	 * long after the A, it is not t's (nginx waited) */
	t = refused_beside_half(state, 1900 * UF_MS);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_true(t->d.half_answered);
	assert_int_equal(t->d.nconns, 0);
	/* refused 0.5 s after the A, 1.5 s before the 502: a gateway
	 * answers a refusal at once, so that attempt was not t's either */
	t = refused_beside_half(state, 500 * UF_MS);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_true(t->d.half_answered);
	/* refused at once after the A, the 502 at once: a proxy that
	 * connects with the A alone (squid) tried it for t */
	t = refused_beside_half(state, 0);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_false(t->d.half_answered);

	/* a proxy that does not wait (squid) connects with the A: its own
	 * request upstream is the story, not the AAAA */
	u = again(state);
	kept_then_asked(&s, u);
	half_answered_lookup(&s, s.req_ts + UF_MS / 10, sends);
	upstream_get(&s);
	uf_status(u, &s.web, &s.out, 502);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_false(t->d.half_answered);

	/* the AAAA answered (NOERROR, no record): resolved, DNS is not the
	 * cause */
	u = again(state);
	kept_then_asked(&s, u);
	half_answered_lookup(&s, s.req_ts + UF_MS / 10, sends);
	uf_dns_answer(u, &s.dns, &s.res, 0x2223, HOST, DNS_T_AAAA, 0, NULL, 0);
	uf_at(u, s.req_ts + 2 * UF_S);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_false(t->d.half_answered);
}

/*
 * The look-up of test_aaaa_dropped_beside_an_answered_a asked 3.9 s
 * before the request (its A long expired); nginx resends the AAAA alone,
 * same ID, every 5 s while anyone waits, here to its second resolver
 * 1.1 s after the request: that resend is the look-up's, not a new one
 * (the A was answered, the AAAA never).
 */
static void
test_aaaa_resent_after_the_a_answer(void **state)
{
	struct uf *u = *state;
	struct uf_side res2, dns2;
	struct scene s;
	const struct txn *t;
	uint64_t sends[3];

	kept_then_asked_at(&s, u, T0 - 9 * UF_S);
	res2 = s.res;
	res2.port = 33001;
	uf_side_init(&dns2, "10.0.0.54", 53, 0);
	half_answered_lookup(&s, T0 - 3900 * UF_MS, sends);
	uf_at(u, T0);
	ask(&s);
	uf_at(u, T0 + 1100 * UF_MS);
	sends[2] = uf_dns_query(u, &res2, &dns2, 0x2223, HOST, DNS_T_AAAA);
	uf_at(u, T0 + 2 * UF_S);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_true(t->d.half_answered);
	expect_queries(state, t, LINK_TIME, 3, sends);
}

/* The silent look-up of test_resends_answered_at_last, answered at
 * last 80 ms after the request. */
static void
resends_answered(struct scene *s, struct uf *u)
{
	kept_then_asked_at(s, u, T0 - 9 * UF_S);
	uf_at(u, T0 - 4 * UF_S);
	uf_dns_query(u, &s->res, &s->dns, 0x2222, HOST, DNS_T_A);
	uf_dns_query(u, &s->res, &s->dns, 0x2223, HOST, DNS_T_AAAA);
	uf_at(u, T0);
	ask(s);
	uf_at(u, T0 + 80 * UF_MS);
	uf_dns_query(u, &s->res, &s->dns, 0x2222, HOST, DNS_T_A);
	uf_dns_query(u, &s->res, &s->dns, 0x2223, HOST, DNS_T_AAAA);
	uf_dns_answer(u, &s->dns, &s->res, 0x2222, HOST, DNS_T_A, 0, addr1s,
	    1);
	uf_dns_answer(u, &s->dns, &s->res, 0x2223, HOST, DNS_T_AAAA, 0, NULL,
	    0);
}

/*
 * A silent DNS server: the kept socket asked A and AAAA 4 s before the
 * request; the server answers both resends (same IDs) 80 ms after it,
 * the A with the address, the AAAA with none. The earlier sends left
 * unanswered are the same queries': the look-up is no half answered
 * one. The gateway tried nothing and answered 502 (nothing explains
 * it), or tried the address in vain.
 */
static void
test_resends_answered_at_last(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	uint64_t syn[3];

	for (int tried = 0; tried < 2; tried++) {
		u = again(state);
		resends_answered(&s, u);
		if (tried)
			syns_given_up(&s, syn);
		else
			uf_at(u, T0 + 500 * UF_MS);
		gateway_answers(&s, 502);
		t = diagnosed(&s);
		if (tried)
			expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
		else
			expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
		assert_false(t->d.half_answered);
	}
}

/*
 * The gateway answers 502 500 ms after the request with nothing tried:
 * its look-up was answered (A only, no AAAA asked). Another client's
 * request went over a connection the gateway opened to the address
 * 100 ms after the failed request, relayed with a 200. That connection
 * carried the other request first: it was opened for it, and is no
 * part of the failure's story, not even shared.
 */
static void
test_connection_opened_for_another(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;

	kept_then_asked(&s, u);
	uf_at(u, s.req_ts + UF_MS / 10);
	query(&s);
	answer(&s, 0, addr300, 1);
	t = other_then_502(&s, 100 * UF_MS, 500 * UF_MS);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.nconns, 0);
	assert_false(t->d.shared);
	expect_verdict(uf_txn(u, 2), V_OK, C_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_own_lookup_within_a_second,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_nothing_after_the_answer,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_a_before_aaaa, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_nxdomain_wins, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_inflight_alone, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_inflight_before_a_late_lookup, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_waiter_leaves_the_lookup,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_late_lookup_after_a_cached_try, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_second_cache_lookup_after_a_cached_try, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_two_proxies_two_caches,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_inflight_retried_before_a_lookup, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_own_answered_after_the_answer, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_inflight_failed_before_the_answer, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_attempt_after_another_answer, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_each_proxy_its_own_cache,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_two_lookups_in_flight,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_inflight_past_another_proxys_answer,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_own_lookup_past_a_newer_one,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_own_resolver_asking_past_a_cache, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_chance_votes_make_no_resolver, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_split_resolver_known,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_new_lookup_of_a_resending_socket, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_new_lookup_of_a_socket_never_seen, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_attempt_after_the_answer_is_anothers, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_nxdomain_explains_an_answer_at_once, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_socket_is_a_cache,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_failed_inflight_over_a_cache,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_rival_cache_tried_for_another_proxy, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_kept_socket_asks_again,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_new_ids_are_another_lookup,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_resent_lookup_waited_for,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_resent_to_the_other_resolver,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_resent_to_each_resolver_in_turn,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_thirty_seconds_of_resends,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_resent_before_its_sockets_were_known, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_and_aaaa_resent_from_each_socket, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_first_send_past_anothers_queries, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_waiter_has_the_sends_before_it, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_aaaa_dropped_beside_an_answered_a, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_aaaa_resent_after_the_a_answer, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_connection_opened_for_another, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_resends_answered_at_last,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
