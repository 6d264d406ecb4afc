/*
 * test_diag_coalesce.c: a cache that coalesces requests for one URL
 * (Varnish's waiting list, nginx's proxy_cache_lock, squid's
 * collapsed_forwarding) fetches once for all of them and answers them
 * all when the fetch ends, the waiters often before the request that
 * started it: every one shares that fetch's evidence (link.c
 * link_coalesced), and nothing else does.
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

#define APP "app.test"
#define NCLIENTS 3

/* Three clients of the reverse proxy (10.0.0.1:9090) and the backend
 * 192.0.2.80:8080 it fetches from. */
struct crowd {
	struct scene s;
	struct uf_side cli[NCLIENTS], gw[NCLIENTS];
};

/* The scene: the proxy's backend 192.0.2.80:8080, no client yet. */
static void
crowd_begin(struct crowd *c, struct uf *u)
{
	scene_init(&c->s, u);
	uf_side_init(&c->s.web, "192.0.2.80", 8080, 9000);
	c->s.req_ts = T0;
}

/* Client k asks for path with method, in origin form, 2k ms on. */
static void
crowd_ask_one(struct crowd *c, struct uf *u, int k, const char *method,
    const char *path)
{
	char head[256];

	if (k == 0) {
		c->cli[0] = u->cli;
		c->gw[0] = u->srv;
	} else {
		uf_side_init(&c->cli[k], k == 1 ? "10.0.0.6" : "10.0.0.7",
		    (uint16_t)(40000 + k), (uint32_t)(3000 * k));
		c->gw[k] = u->srv;
	}
	uf_at(u, T0 + k * 2 * UF_MS);
	uf_handshake(u, &c->cli[k], &c->gw[k]);
	snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: " APP
	    "\r\nContent-Length: 0\r\n\r\n", method, path);
	uf_send(u, &c->cli[k], &c->gw[k], head);
}

/* What each client asks for: a method and a path. */
static void
crowd_ask(struct crowd *c, struct uf *u, const char *method,
    const char *const paths[NCLIENTS])
{
	crowd_begin(c, u);
	for (int k = 0; k < NCLIENTS; k++)
		crowd_ask_one(c, u, k, method, paths[k]);
}

/* The one fetch, 1 ms after the first request: connected, the request
 * sent (as the first client asked it), nothing back. */
static void
fetch_unanswered(struct crowd *c, const char *method)
{
	char head[256];

	uf_at(c->s.u, T0 + UF_MS);
	uf_handshake(c->s.u, &c->s.out, &c->s.web);
	snprintf(head, sizeof head, "%s /app HTTP/1.1\r\nHost: " APP
	    "\r\nContent-Length: 0\r\n\r\n", method);
	uf_send(c->s.u, &c->s.out, &c->s.web, head);
}

/* The one fetch's connect, its SYNs dropped (the retransmission 1 s
 * later). */
static void
fetch_dropped(struct crowd *c)
{
	uf_at(c->s.u, T0 + UF_MS);
	uf_syn(c->s.u, &c->s.out, &c->s.web);
	uf_at(c->s.u, T0 + UF_S + UF_MS);
	uf_syn(c->s.u, &c->s.out, &c->s.web);
}

/* At `at` the gateway answers status to each client, the last first,
 * 1 ms apart; client `late` (NCLIENTS: none) `late_ns` after its turn
 * (before it when negative). */
static void
crowd_answered(struct crowd *c, int64_t at, unsigned status, int late,
    int64_t late_ns)
{
	for (int k = NCLIENTS - 1; k >= 0; k--) {
		uf_at(c->s.u, at + (NCLIENTS - 1 - k) * UF_MS +
		    (k == late ? late_ns : 0));
		uf_status(c->s.u, &c->gw[k], &c->cli[k], status);
	}
}

static const char *const same_path[NCLIENTS] = { "/app", "/app", "/app" };

/* The crowd GETs paths, the one fetch's connect is dropped, and 2 s on
 * the gateway answers 503 (client `late` late_ns off its turn; NCLIENTS:
 * none). */
static void
crowd_dropped(struct crowd *c, struct uf *u, const char *const
    paths[NCLIENTS], int late, int64_t late_ns)
{
	crowd_ask(c, u, "GET", paths);
	fetch_dropped(c);
	crowd_answered(c, T0 + 2 * UF_S + UF_MS, 503, late, late_ns);
}

/* The crowd asks for /app with method, the one fetch's request gets no
 * answer, the gateway closes it at 3 s and answers 503 (`late` as
 * above). */
static void
crowd_silent(struct crowd *c, struct uf *u, const char *method, int late,
    int64_t late_ns)
{
	crowd_ask(c, u, method, same_path);
	fetch_unanswered(c, method);
	uf_at(u, T0 + 3 * UF_S);
	uf_fin(u, &c->s.out, &c->s.web);
	crowd_answered(c, T0 + 3 * UF_S + UF_MS, 503, late, late_ns);
}

/* Each client's transaction: the verdict expected, the first's own
 * evidence, the others' shared. */
static void
expect_shared(const struct uf *u, enum verdict v, enum cause c)
{
	const struct txn *first = uf_txn(u, 1);

	for (uint32_t id = 1; id <= NCLIENTS; id++) {
		const struct txn *t = uf_txn(u, id);

		expect_verdict(t, v, c);
		assert_int_equal(t->d.shared, id != 1);
		assert_int_equal(t->d.up_req, first->d.up_req);
		assert_int_equal(t->d.nconns, first->d.nconns);
		assert_false(t->d.ambiguous);
	}
}

static void
test_silent_fetch_shared(void **state)
{
	struct uf *u = *state;
	struct crowd c;

	crowd_silent(&c, u, "GET", NCLIENTS, 0);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, NCLIENTS);
	expect_shared(u, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_not_equal(uf_txn(u, 1)->d.up_req, NONE32);
}

static void
test_dropped_connect_shared(void **state)
{
	struct uf *u = *state;
	struct crowd c;

	crowd_dropped(&c, u, same_path, NCLIENTS, 0);
	uf_diagnose(u);
	expect_shared(u, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(uf_txn(u, 1)->d.nconns, 1);
}

/*
 * A loaded Varnish answers its waiting list in rushes (the cache lab
 * beside busy loops): the waiters 61 ms before the request that fetched,
 * or one of them 27 ms after it. Each still shares the fetch's evidence,
 * once the fetch is over: a waiter answered 30 ms before the fetcher but
 * while its request still waited upstream did not wait for it.
 */
static void
test_rush_shared(void **state)
{
	static const struct { int late; int64_t late_ns; } rush[] = {
		{ 0, 61 * UF_MS }, { 1, 27 * UF_MS },
	};
	struct uf *u = *state;
	struct crowd c;

	for (size_t r = 0; r < sizeof rush / sizeof rush[0]; r++) {
		u = again(state);
		crowd_dropped(&c, u, same_path, rush[r].late,
		    rush[r].late_ns);
		uf_diagnose(u);
		expect_shared(u, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	}

	u = again(state);
	crowd_silent(&c, u, "GET", 2, -30 * UF_MS);
	uf_diagnose(u);
	expect_verdict(uf_txn(u, 1), V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	expect_verdict(uf_txn(u, 2), V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_true(uf_txn(u, 2)->d.shared);
	expect_verdict(uf_txn(u, 3), V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);

	/* the same with the fetch answered (the backend's own 503): over
	 * at that reply, 40 ms after the waiter's answer */
	u = again(state);
	crowd_ask(&c, u, "GET", same_path);
	fetch_unanswered(&c, "GET");
	uf_at(u, T0 + 3 * UF_S);
	uf_status(u, &c.s.web, &c.s.out, 503);
	crowd_answered(&c, T0 + 3 * UF_S + UF_MS, 503, 2, -41 * UF_MS);
	uf_diagnose(u);
	expect_verdict(uf_txn(u, 1), V_RELAYED, C_UPSTREAM_5XX);
	assert_true(uf_txn(u, 2)->d.shared);
	expect_verdict(uf_txn(u, 3), V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
}

/* Read frame by frame, as a live capture is: the same verdicts. */
static void
test_coalesced_in_slices(void **state)
{
	struct uf *u = *state;
	struct crowd c;

	uf_slices_begin(u, NULL);
	crowd_dropped(&c, u, same_path, NCLIENTS, 0);
	uf_slices_end(u);
	expect_shared(u, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
}

/* What no cache coalesces: another path, an answer 150 ms apart (more
 * than a rush), a POST. The request without a fetch of its own stays unexplained. */
static void
test_not_coalesced(void **state)
{
	static const char *const other_path[NCLIENTS] =
	    { "/app", "/other", "/app" };
	struct uf *u = *state;
	struct crowd c;

	crowd_dropped(&c, u, other_path, NCLIENTS, 0);
	uf_diagnose(u);
	expect_verdict(uf_txn(u, 2), V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	expect_verdict(uf_txn(u, 3), V_CANNOT_CONNECT, C_SYN_UNANSWERED);

	u = again(state);
	crowd_dropped(&c, u, same_path, 1, 150 * UF_MS);
	uf_diagnose(u);
	expect_verdict(uf_txn(u, 2), V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_false(uf_txn(u, 2)->d.shared);
	expect_verdict(uf_txn(u, 3), V_CANNOT_CONNECT, C_SYN_UNANSWERED);

	u = again(state);
	crowd_silent(&c, u, "POST", NCLIENTS, 0);
	uf_diagnose(u);
	expect_verdict(uf_txn(u, 1), V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	for (uint32_t id = 2; id <= NCLIENTS; id++)
		expect_verdict(uf_txn(u, id), V_UNKNOWN,
		    C_NO_UPSTREAM_EVIDENCE);
}

/* Another status from the same moment is another answer: a 504 next to
 * the fetch's 503s is not explained by it. */
static void
test_other_status_not_shared(void **state)
{
	struct uf *u = *state;
	struct crowd c;

	crowd_ask(&c, u, "GET", same_path);
	fetch_dropped(&c);
	uf_at(u, T0 + 2 * UF_S + UF_MS);
	uf_status(u, &c.gw[2], &c.cli[2], 504);
	uf_status(u, &c.gw[1], &c.cli[1], 503);
	uf_status(u, &c.gw[0], &c.cli[0], 503);
	uf_diagnose(u);
	expect_verdict(uf_txn(u, 1), V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	expect_verdict(uf_txn(u, 2), V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	expect_verdict(uf_txn(u, 3), V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
}

/* A Varnish answer: 503 with its X-Varnish ids. */
static void
varnish_503(struct uf *u, struct uf_side *gw, struct uf_side *cli,
    const char *ids)
{
	char head[256];

	snprintf(head, sizeof head, "HTTP/1.1 503 Backend fetch failed\r\n"
	    "X-Varnish: %s\r\nContent-Length: 0\r\n\r\n", ids);
	uf_send(u, gw, cli, head);
}

/* Varnish's fetch for client 0's GET /app from 5 ms on (X-Varnish:
 * 1001 on its request): at `at` the backend closes without an answer,
 * the gateway closes too and answers client 0 503 (X-Varnish: 1000, a
 * miss). */
static void
fetch_closed(struct crowd *c, int64_t at)
{
	uf_at(c->s.u, T0 + 5 * UF_MS);
	uf_handshake(c->s.u, &c->s.out, &c->s.web);
	uf_send(c->s.u, &c->s.out, &c->s.web, "GET /app HTTP/1.1\r\n"
	    "Host: " APP "\r\nX-Varnish: 1001\r\n\r\n");
	uf_at(c->s.u, at);
	uf_fin(c->s.u, &c->s.web, &c->s.out);
	uf_fin(c->s.u, &c->s.out, &c->s.web);
	varnish_503(c->s.u, &c->gw[0], &c->cli[0], "1000");
}

/*
 * As the cache lab recorded a loaded Varnish: client 0's GET /app is
 * fetched and fails (fetch_closed; dropped: the fetch's connect gets no
 * answer, so no request carries an id, and client 0 gets its 503 with
 * X-Varnish: 1000 at 2 s); client 1 waited on the fetch and is answered
 * from its object in the rush, 10 ms after the failure (rush; else 500
 * ms after: nobody waited, and Varnish keeps no failed object then);
 * client 2, starved, is answered 337 ms after the failure from the
 * cache with late_ids (NULL: no X-Varnish).
 */
static void
cached_failure(struct crowd *c, struct uf *u, const char *const
    paths[NCLIENTS], bool dropped, bool rush, const char *late_ids)
{
	int64_t at = T0 + (dropped ? 2 * UF_S : 500 * UF_MS);

	crowd_ask(c, u, "GET", paths);
	if (dropped) {
		fetch_dropped(c);
		uf_at(u, at);
		varnish_503(u, &c->gw[0], &c->cli[0], "1000");
	} else {
		fetch_closed(c, at);
	}
	if (rush) {
		uf_at(u, at + 10 * UF_MS);
		varnish_503(u, &c->gw[1], &c->cli[1], "2002 1001");
	}
	uf_at(u, at + 337 * UF_MS);
	if (late_ids != NULL)
		varnish_503(u, &c->gw[2], &c->cli[2], late_ids);
	else
		uf_status(u, &c->gw[2], &c->cli[2], 503);
	if (!rush) {
		uf_at(u, at + 500 * UF_MS);
		varnish_503(u, &c->gw[1], &c->cli[1], "2002 1001");
	}
}

/*
 * An error answered from a failed fetch's cached object, far past any
 * rush, shares that fetch's evidence when Varnish's ids tie them
 * (link_cached_object): the id on the backend request, or for a connect
 * that failed the one after the miss's own. Not without the ids, with
 * another fetch's, naming only its own request (a miss), for another
 * URL, or when nobody waited on the fetch (Varnish then keeps nothing).
 */
static void
test_cached_object_shared(void **state)
{
	static const char *const other_path[NCLIENTS] =
	    { "/app", "/app", "/other" };
	static const struct {
		const char *const *paths;
		bool dropped, rush;
		const char *late_ids;
		bool shared[NCLIENTS];
	} round[] = {
		{ same_path, false, true, "2004 1001", { false, true, true } },
		{ same_path, true, true, "2004 1001", { false, true, true } },
		{ same_path, false, true, NULL, { false, true, false } },
		{ same_path, false, true, "2004 1003", { false, true, false } },
		{ same_path, false, true, "1001", { false, true, false } },
		{ other_path, false, true, "2004 1001", { false, true, false } },
		{ same_path, false, false, "2004 1001", { false, false, false } },
	};
	struct crowd c;

	for (size_t r = 0; r < sizeof round / sizeof round[0]; r++) {
		struct uf *u = again(state);
		const struct txn *fetcher;
		enum verdict v = round[r].dropped ? V_CANNOT_CONNECT :
		    V_BAD_RESPONSE;
		enum cause why = round[r].dropped ? C_SYN_UNANSWERED :
		    C_UPSTREAM_CLOSED;

		cached_failure(&c, u, round[r].paths, round[r].dropped,
		    round[r].rush, round[r].late_ids);
		uf_diagnose(u);
		fetcher = uf_txn(u, 1);
		expect_verdict(fetcher, v, why);
		for (uint32_t id = 2; id <= NCLIENTS; id++) {
			const struct txn *t = uf_txn(u, id);

			assert_int_equal(t->d.shared, round[r].shared[id - 1]);
			if (!t->d.shared) {
				expect_verdict(t, V_UNKNOWN,
				    C_NO_UPSTREAM_EVIDENCE);
				continue;
			}
			expect_verdict(t, v, why);
			assert_int_equal(t->d.up_req, fetcher->d.up_req);
			assert_int_equal(t->d.nconns, fetcher->d.nconns);
			assert_int_equal(t->d.conns[0], fetcher->d.conns[0]);
		}
	}
}

/*
 * A failed fetch Varnish named stays in the model as long as an answer
 * may name it (DIAG_CACHED_ERROR_NS after its own: Varnish serves a
 * failed fetch's 503 stale that long), so a retirement in between (a
 * streamed report's, the screen's rows) changes nothing; past that, an
 * answer naming it is no longer tied to it, retired or not.
 */
static void
test_cached_object_final(void **state)
{
	static const uint8_t retire_all[NCLIENTS] = { 1, 1, 1 };
	static const struct { int64_t late_ns; bool shared; } late[] = {
		{ 5900 * UF_MS, true }, { 6100 * UF_MS, false },
	};
	int64_t at = T0 + 500 * UF_MS;
	struct crowd c;

	for (size_t r = 0; r < 2 * sizeof late / sizeof late[0]; r++) {
		struct uf *u = again(state);
		bool retire = r % 2 == 1, shared = late[r / 2].shared;

		uf_slices_begin(u, NULL);
		crowd_ask(&c, u, "GET", same_path);
		fetch_closed(&c, at);
		uf_at(u, at + 10 * UF_MS);
		varnish_503(u, &c.gw[1], &c.cli[1], "2002 1001");
		uf_at(u, at + 5 * UF_S);
		uf_dns_query(u, &c.s.res, &c.s.dns, 0x99, "other.test",
		    DNS_T_A);
		assert_true(uf_txn(u, 1)->settled);
		if (retire) {	/* all printed: the waiter goes, not the fetch */
			assert_int_equal(diag_retire(&u->dg, &u->fl,
			    retire_all), 1);
			assert_int_not_equal(diag_find(&u->dg, 1), NONE32);
			assert_int_equal(diag_find(&u->dg, 2), NONE32);
		}
		uf_at(u, at + late[r / 2].late_ns);
		varnish_503(u, &c.gw[2], &c.cli[2], "2004 1001");
		uf_slices_end(u);
		assert_int_equal(uf_txn(u, 3)->d.shared, shared);
		if (shared)
			expect_verdict(uf_txn(u, 3), V_BAD_RESPONSE,
			    C_UPSTREAM_CLOSED);
		else
			expect_verdict(uf_txn(u, 3), V_UNKNOWN,
			    C_NO_UPSTREAM_EVIDENCE);
	}
}

/*
 * Varnish's fetch on a pooled backend connection, opened 10 s before
 * for another URL: the late request's summary counts from when the
 * fetch's request went out (0.8 s before its answer), not from when the
 * connection opened (it said 10.8 s).
 */
static void
test_cached_object_pooled(void **state)
{
	struct uf *u = again(state);
	int64_t at = T0 + 500 * UF_MS;
	const struct txn *t;
	char summary[512];
	struct crowd c;

	crowd_begin(&c, u);
	uf_at(u, T0 - 10 * UF_S);
	uf_handshake(u, &c.s.out, &c.s.web);
	uf_send(u, &c.s.out, &c.s.web, "GET /warm HTTP/1.1\r\nHost: " APP
	    "\r\nX-Varnish: 7\r\n\r\n");
	uf_status(u, &c.s.web, &c.s.out, 200);
	crowd_ask_one(&c, u, 0, "GET", "/app");
	uf_at(u, T0 + UF_MS);
	uf_send(u, &c.s.out, &c.s.web, "GET /app HTTP/1.1\r\nHost: " APP
	    "\r\nX-Varnish: 1001\r\n\r\n");
	for (int k = 1; k < NCLIENTS; k++)
		crowd_ask_one(&c, u, k, "GET", "/app");
	uf_at(u, at);
	uf_fin(u, &c.s.web, &c.s.out);
	uf_fin(u, &c.s.out, &c.s.web);
	varnish_503(u, &c.gw[0], &c.cli[0], "1000");
	uf_at(u, at + 10 * UF_MS);
	varnish_503(u, &c.gw[1], &c.cli[1], "2002 1001");
	uf_at(u, at + 337 * UF_MS);
	varnish_503(u, &c.gw[2], &c.cli[2], "2004 1001");
	uf_diagnose(u);
	t = uf_txn(u, 3);
	assert_true(t->d.shared);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	diag_summary(&u->dg, &u->fl, t, summary, sizeof summary);
	assert_non_null(strstr(summary, "cached error, 0.8 s after the "
	    "fetch began"));
	uf_summary_cuts(u, t);	/* the note cut as snprintf cuts */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_silent_fetch_shared,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_dropped_connect_shared,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_rush_shared,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_coalesced_in_slices,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_not_coalesced,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_other_status_not_shared,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_cached_object_shared,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_cached_object_pooled,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_cached_object_final,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
