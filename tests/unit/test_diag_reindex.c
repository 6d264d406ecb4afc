/*
 * test_diag_reindex.c: after a retirement or an eviction compacts the
 * model, every evidence index names live items of its own key, each
 * once, in time order (diag_int.h: key_remap), and every item indexed
 * before is indexed still: look-ups by name, connections by address
 * and port, upstream requests by host and path, transactions by host.
 * An eviction forgets connections only: every look-up and message
 * stays, those nothing refers to included.
 */
#include "diag_scene.h"
#include "diag/diag_int.h"
#include "proto/http.h"

/* How many times each item appears in ki (counts[n]); every item below
 * n, of its key (hash_of), in time order. */
static void
expect_index(const struct key_index *ki, size_t n,
    uint32_t (*hash_of)(const struct uf *, uint32_t), const struct uf *u)
{
	uint8_t *seen = calloc(n + 1, 1);

	assert_non_null(seen);
	for (size_t i = 0; i < ki->nlists; i++) {
		const struct key_list *l = &ki->lists[i];

		assert_true(l->n > 0);
		for (size_t p = 0; p < l->n; p++) {
			assert_true(l->items[p] < n);
			assert_int_equal(hash_of(u, l->items[p]), l->hash);
			assert_int_equal(seen[l->items[p]], 0);
			seen[l->items[p]] = 1;
			if (p > 0)
				assert_true(l->ts[p - 1] <= l->ts[p]);
		}
	}
	free(seen);
}

static uint32_t
name_of(const struct uf *u, uint32_t i)
{
	return name_hash(uf_str(u, u->fl.dns[i].qname));
}

static uint32_t
dst_of(const struct uf *u, uint32_t i)
{
	return dst_hash(&u->fl.conns[i].saddr, u->fl.conns[i].sport);
}

static uint32_t
resource_of(const struct uf *u, uint32_t i)
{
	char host[HTTP_HOST_MAX];
	uint16_t port;

	request_host(&u->fl, &u->fl.msgs[i], host, sizeof host, &port);
	return resource_hash(name_hash(host), uf_str(u, u->fl.msgs[i].target));
}

static uint32_t
txn_host_of(const struct uf *u, uint32_t i)
{
	return u->dg.txns[i].host_hash;
}

/* Upstream requests of the model: those the index must hold. */
static size_t
upstream_requests(const struct uf *u)
{
	size_t n = 0;

	for (size_t i = 0; i < u->fl.nmsgs; i++)
		n += u->fl.msgs[i].dir == 0 && u->fl.msgs[i].valid &&
		    u->fl.conns[u->fl.msgs[i].conn].role != CONN_CLIENT;
	return n;
}

static size_t
items(const struct key_index *ki)
{
	size_t n = 0;

	for (size_t i = 0; i < ki->nlists; i++)
		n += ki->lists[i].n;
	return n;
}

static void
expect_indexes(const struct uf *u)
{
	expect_index(&u->dg.by_name, u->fl.ndns, name_of, u);
	expect_index(&u->dg.by_dst, u->fl.nconns, dst_of, u);
	expect_index(&u->dg.by_host, u->fl.nmsgs, resource_of, u);
	expect_index(&u->dg.by_req, u->dg.ntxns, txn_host_of, u);
	assert_int_equal(items(&u->dg.by_name), u->fl.ndns);
	assert_int_equal(items(&u->dg.by_dst), u->fl.nconns);
	assert_int_equal(items(&u->dg.by_host), upstream_requests(u));
	assert_int_equal(items(&u->dg.by_req), u->dg.ntxns);
}

static void
test_indexes_after_compaction(void **state)
{
	static const uint8_t all[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };

	for (int evict = 0; evict <= 1; evict++) {
		struct uf *u = again(state);
		struct scene s;
		size_t ndns, nmsgs;

		/* requests 1 and 2 over at 20 s, 3 waiting at 400 s; then
		 * look-ups of names nobody asked for, and an upstream
		 * request nobody asked for */
		served_then_refused(u, 6, "198.51.100.4", T0 + 400 * UF_S);
		scene_init(&s, u);
		lookup_at(&s, T0 + 401 * UF_S, "x.test", 0, addr300, 1);
		lookup_at(&s, T0 + 402 * UF_S, "y.test", -1, NULL, 0);
		/* and an upstream request no client's */
		uf_side_init(&s.out, "10.0.0.1", 52000, 100);
		uf_side_init(&s.web, "198.51.100.9", 80, 0);
		uf_handshake(u, &s.out, &s.web);
		uf_get(u, &s.out, &s.web, "/", "other.test");
		uf_diag_run(u, NULL, false);
		expect_indexes(u);
		ndns = u->fl.ndns;
		nmsgs = u->fl.nmsgs;
		if (evict) {
			flow_set_conn_budget(&u->fl, 4);
			assert_true(diag_evict(&u->dg, &u->fl) > 0);
			assert_int_equal(u->fl.ndns, ndns);
			assert_int_equal(u->fl.nmsgs, nmsgs);
		} else {
			assert_int_equal(diag_retire(&u->dg, &u->fl, all), 2);
			assert_true(u->fl.nmsgs < nmsgs);
		}
		expect_indexes(u);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_indexes_after_compaction,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
