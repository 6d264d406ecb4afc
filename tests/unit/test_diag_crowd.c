/*
 * test_diag_crowd.c: requests that come together for one host, each
 * looked up on its own (mitmproxy asks for every request, from a new
 * socket each time; the lab's crowd scenario). Every look-up is some
 * request's: a loaded proxy that connects a few milliseconds after its
 * answer has not tried a cached address, and a request that comes between
 * the A and the AAAA of a look-up asked for the one before it has its own
 * look-up after.
 */
#include "diag_scene.h"
#include "diag/diag_int.h"

#define NCLIENTS 3
#define US 1000LL	/* a microsecond, in ns */

/* A crowd's scene: its clients, the proxy's ends of their connections,
 * the gateway's upstream and resolver sockets (one per look-up, 33000
 * and on), the look-ups' first frames and when the requests start. */
struct crowd {
	struct scene s;
	struct uf_side cli[NCLIENTS], gw[NCLIENTS], out[NCLIENTS],
	    res[NCLIENTS];
	uint64_t lookup[NCLIENTS];
	int64_t r;
};

/* The clients connect; the requests start 10 ms later (c->r). */
static void
crowd_connects(struct crowd *c, struct uf *u)
{
	scene_init(&c->s, u);
	clients_connect(&c->s, NCLIENTS, c->cli, c->gw, c->out);
	for (unsigned k = 0; k < NCLIENTS; k++)
		uf_side_init(&c->res[k], "10.0.0.1", (uint16_t)(33000 + k), 0);
	c->r = u->next_ts_ns + 10 * UF_MS;
}

/* Client k asks at `at`. */
static void
crowd_asks(struct crowd *c, struct uf *u, int k, int64_t at)
{
	uf_at(u, at);
	uf_get(u, &c->cli[k], &c->gw[k], URL, HOST);
}

/* Does some transaction list the query of frame f among its look-ups? */
static bool
looked_up_by_one(struct uf *u, uint64_t f, unsigned *owner)
{
	for (unsigned id = 1; id <= u->dg.ntxns; id++) {
		const struct txn *t = uf_txn(u, id);

		for (unsigned k = 0; k < t->d.ndns; k++)
			if (u->fl.dns[t->d.dns[k]].query.number == f) {
				*owner = id;
				return true;
			}
	}
	return false;
}

/* Each of the look-ups (their first queries' frames) is exactly one
 * transaction's own, timed (not the cache), and never shared. */
static void
expect_each_own(struct uf *u, const uint64_t *lookup, unsigned n)
{
	unsigned owner[NCLIENTS] = { 0 };

	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, NCLIENTS);
	for (unsigned k = 0; k < n; k++) {
		if (!looked_up_by_one(u, lookup[k], &owner[k]))
			fail_msg("the look-up of frame %llu is no request's",
			    (unsigned long long)lookup[k]);
		for (unsigned j = 0; j < k; j++)
			assert_int_not_equal(owner[j], owner[k]);
	}
	for (unsigned id = 1; id <= u->dg.ntxns; id++) {
		const struct txn *t = uf_txn(u, id);

		assert_int_equal(t->d.dns_link, LINK_TIME);
		assert_false(t->d.shared);
	}
}

/* The gateway's SYN from out to the web side; nothing answers it. */
static void
syn_at(struct uf *u, struct scene *s, struct uf_side *out, int64_t at)
{
	uf_at(u, at);
	uf_syn(u, out, &s->web);
}

/* The gateway answers 502 to the clients in `order`, 10 s on. */
static void
answer_in_order(struct uf *u, int64_t r, struct uf_side *cli,
    struct uf_side *gw, const int *order)
{
	for (int k = 0; k < NCLIENTS; k++) {
		uf_at(u, r + 10 * UF_S + k * UF_MS);
		uf_status(u, &gw[order[k]], &cli[order[k]], 502);
	}
}

/*
 * Clients 1 and 2 ask at R and R + 2.5 ms, and the gateway looks each
 * up at once; it is slow to connect: 3-5 ms after the answers, once the
 * third client asked (R + 6 ms). Then it looks the third up and connects
 * for it. The SYNs to the one address the look-ups gave, before the
 * third look-up, are the first two askers', not a cached try of the
 * third's: its look-up is its own. In whatever order the answers come.
 */
static void
test_slow_askers(void **state)
{
	static const int orders[][NCLIENTS] = {
		{ 2, 0, 1 }, { 0, 1, 2 }, { 1, 2, 0 }, { 2, 1, 0 },
	};

	for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
		struct uf *u = again(state);
		struct crowd c;
		int64_t r;

		crowd_connects(&c, u);
		r = c.r;
		crowd_asks(&c, u, 0, r);
		c.lookup[0] = lookup_by(&c.s, &c.res[0], r + UF_MS, HOST, 0,
		    addr300, 1);
		crowd_asks(&c, u, 1, r + 2500 * US);
		c.lookup[1] = lookup_by(&c.s, &c.res[1], r + 3 * UF_MS, HOST,
		    0, addr300, 1);
		crowd_asks(&c, u, 2, r + 6 * UF_MS);
		syn_at(u, &c.s, &c.out[0], r + 7 * UF_MS);
		syn_at(u, &c.s, &c.out[1], r + 7500 * US);
		c.lookup[2] = lookup_by(&c.s, &c.res[2], r + 8 * UF_MS, HOST,
		    0, addr300, 1);
		syn_at(u, &c.s, &c.out[2], r + 9500 * US);
		answer_in_order(u, r, c.cli, c.gw, orders[o]);
		expect_each_own(u, c.lookup, NCLIENTS);
	}
}

/*
 * Client 1 asks at R; the gateway asks A for it at R + 1 ms and client
 * 2's request comes 10 us later, just before that look-up's AAAA; the
 * gateway looks client 2 up from another socket at R + 1.5 ms, and
 * client 3 at R + 5 ms. The AAAA just after client 2's request belongs
 * to the look-up asked before it: client 2's own is the one after.
 */
static void
test_between_a_and_aaaa(void **state)
{
	static const int orders[][NCLIENTS] = {
		{ 1, 0, 2 }, { 0, 1, 2 }, { 2, 1, 0 },
	};

	for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
		struct uf *u = again(state);
		struct crowd c;
		uint16_t id;
		int64_t r;

		crowd_connects(&c, u);
		r = c.r;
		crowd_asks(&c, u, 0, r);
		uf_at(u, r + UF_MS);
		id = ++c.s.dns_id;
		c.lookup[0] = uf_dns_query(u, &c.res[0], &c.s.dns, id, HOST,
		    DNS_T_A);
		crowd_asks(&c, u, 1, r + 1010 * US);
		uf_at(u, r + 1030 * US);
		uf_dns_query(u, &c.res[0], &c.s.dns, (uint16_t)(id + 1), HOST,
		    DNS_T_AAAA);
		uf_dns_answer(u, &c.s.dns, &c.res[0], id, HOST, DNS_T_A, 0,
		    addr300, 1);
		uf_dns_answer(u, &c.s.dns, &c.res[0], (uint16_t)(id + 1), HOST,
		    DNS_T_AAAA, 0, NULL, 0);
		c.s.dns_id++;
		c.lookup[1] = lookup_by(&c.s, &c.res[1], r + 1500 * US, HOST,
		    0, addr300, 1);
		syn_at(u, &c.s, &c.out[0], r + 2 * UF_MS);
		syn_at(u, &c.s, &c.out[1], r + 3 * UF_MS);
		crowd_asks(&c, u, 2, r + 4 * UF_MS);
		c.lookup[2] = lookup_by(&c.s, &c.res[2], r + 5 * UF_MS, HOST,
		    0, addr300, 1);
		syn_at(u, &c.s, &c.out[2], r + 6 * UF_MS);
		answer_in_order(u, r, c.cli, c.gw, orders[o]);
		expect_each_own(u, c.lookup, NCLIENTS);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_slow_askers,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_between_a_and_aaaa,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
