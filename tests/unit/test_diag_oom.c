/*
 * test_diag_oom.c: diag/ when memory runs out (diag.h, evidence.h,
 * ladder.h). Each allocation a call makes is made to fail in turn, the
 * first, then the second, and so on until the call no longer allocates
 * as often: diag_retire and diag_evict then return -1 and change
 * nothing (the same transactions, connections, messages and look-ups,
 * the same counts), and called again with memory they do what they
 * would have done; evidence_build and ladder_build return -1; a
 * diagnosis that ran short keeps its last counts and the next one gives
 * every verdict (the run short of memory ends: diag_run_step says it is
 * complete); a request that cannot be held is dropped and counted.
 *
 * The allocator is replaced as glibc allows (unit_heap.h does the same);
 * under AddressSanitizer, which has its own, no failure is injected and
 * each call is checked once, with memory.
 */
#include <malloc.h>
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

#if defined(__SANITIZE_ADDRESS__)
#define OOM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OOM_ASAN 1
#endif
#endif

/* Allocations left before the one that fails; -1: none fails. */
static long oom_left = -1;
static bool oom_failed;		/* the armed failure happened */
static long oom_blocks;		/* blocks held (counted without ASan) */

#ifndef OOM_ASAN
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static bool
oom_now(void)
{
	if (oom_left < 0)
		return false;
	if (oom_left-- > 0)
		return false;
	oom_failed = true;	/* this one, and only this one, fails */
	return true;
}

/* The block counted if the allocation succeeded. */
static void *
counted(void *p)
{
	oom_blocks += p != NULL;
	return p;
}

void *
malloc(size_t n)
{
	return oom_now() ? NULL : counted(__libc_malloc(n));
}

void *
calloc(size_t n, size_t size)
{
	return oom_now() ? NULL : counted(__libc_calloc(n, size));
}

void *
realloc(void *old, size_t n)
{
	void *p;

	if (n != 0 && oom_now())
		return NULL;
	p = __libc_realloc(old, n);
	if (old == NULL)
		oom_blocks += p != NULL;
	else if (n == 0)
		oom_blocks--;	/* freed */
	return p;
}

void
free(void *p)
{
	oom_blocks -= p != NULL;
	__libc_free(p);
}
#endif

/* Fails allocation number k (0-based) from now on. */
static void
oom_arm(long k)
{
	oom_failed = false;
	oom_left = k;
}

/* Disarms; true if the armed allocation was made (and failed). */
static bool
oom_disarm(void)
{
	oom_left = -1;
	return oom_failed;
}

/* The calls failed in turn k times before one ran with memory. Under
 * AddressSanitizer no failure can be injected: each ran once, with
 * memory, and its result is checked all the same. */
static void
expect_failed_in_turn(long k, long min)
{
#ifdef OOM_ASAN
	(void)min;
	assert_int_equal(k, 0);
#else
	assert_true(k > min);
#endif
}

/*
 * Request 1 is served (frames 1-10, TTL 300); 2 s later a second client
 * asks for /b and the gateway's SYN is refused (502); 3 SYNs of the
 * gateway to other hosts stay unanswered (idle connections); a last
 * frame at 400 s ends the stories of both.
 */
static void
two_stories(struct uf *u)
{
	struct scene s;
	struct uf_side cli2, gw2, out2, idle, far;

	scene_init(&s, u);
	served(&s);
	uf_at(u, s.req_ts + 2 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL_B);
	out2 = s.out;
	out2.port = 50001;
	uf_syn(u, &out2, &s.web);
	uf_rst(u, &s.web, &out2);
	uf_status(u, &gw2, &cli2, 502);
	for (int k = 0; k < 3; k++) {
		uf_side_init(&idle, "10.0.0.1", (uint16_t)(51000 + k), 100);
		uf_side_init(&far, "198.51.100.7", (uint16_t)(8000 + k), 0);
		uf_syn(u, &idle, &far);
	}
	uf_at(u, T0 + 400 * UF_S);
	uf_side_init(&idle, "10.0.0.1", 52000, 100);
	uf_side_init(&far, "198.51.100.8", 80, 0);
	uf_syn(u, &idle, &far);
}

/* What a change must leave as it was, and what a retire should give. */
struct shape {
	size_t ntxns, nconns, nmsgs, ndns;
	uint64_t total, errors, evicted;
	uint32_t ids[4];
	uint8_t verdicts[4];
};

static void
shape_of(const struct uf *u, struct shape *sh)
{
	memset(sh, 0, sizeof *sh);
	sh->ntxns = u->dg.ntxns;
	sh->nconns = u->fl.nconns;
	sh->nmsgs = u->fl.nmsgs;
	sh->ndns = u->fl.ndns;
	sh->total = diag_total(&u->dg);
	sh->errors = u->dg.errors;
	sh->evicted = u->fl.stats.conns_evicted;
	for (size_t i = 0; i < u->dg.ntxns && i < 4; i++) {
		sh->ids[i] = u->dg.txns[i].id;
		sh->verdicts[i] = u->dg.txns[i].d.verdict;
	}
}

static void
expect_shape(const struct uf *u, const struct shape *want)
{
	struct shape now;

	shape_of(u, &now);
	assert_int_equal(now.ntxns, want->ntxns);
	assert_int_equal(now.nconns, want->nconns);
	assert_int_equal(now.nmsgs, want->nmsgs);
	assert_int_equal(now.ndns, want->ndns);
	assert_int_equal(now.total, want->total);
	assert_int_equal(now.errors, want->errors);
	assert_int_equal(now.evicted, want->evicted);
	assert_memory_equal(now.ids, want->ids, sizeof now.ids);
	assert_memory_equal(now.verdicts, want->verdicts, sizeof now.verdicts);
}

/* The transactions' evidence still reads: every ref is in range. */
static void
expect_refs_valid(const struct uf *u)
{
	for (size_t i = 0; i < u->dg.ntxns; i++) {
		const struct txn *t = &u->dg.txns[i];

		assert_true(t->conn < u->fl.nconns);
		assert_true(t->req < u->fl.nmsgs);
		assert_true(t->resp == NONE32 || t->resp < u->fl.nmsgs);
		for (unsigned k = 0; k < t->d.ndns; k++)
			assert_true(t->d.dns[k] < u->fl.ndns);
		for (unsigned k = 0; k < t->d.nconns; k++)
			assert_true(t->d.conns[k] < u->fl.nconns);
		assert_true(t->d.up_req == NONE32 || t->d.up_req < u->fl.nmsgs);
		assert_true(t->d.up_conn == NONE32 ||
		    t->d.up_conn < u->fl.nconns);
	}
}

static const uint8_t all[4] = { 1, 1, 1, 1 };

static void
test_retire_out_of_memory(void **state)
{
	struct uf *u = *state;
	struct shape before, after;
	long k, rc, held;

	/* the reference: retiring with memory */
	two_stories(u);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 2);
	assert_true(u->dg.txns[0].settled && u->dg.txns[1].settled);
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 2);
	shape_of(u, &after);
	assert_int_equal(after.ntxns, 0);
	assert_int_equal(after.total, 2);
	assert_int_equal(after.errors, 1);
	assert_true(after.nmsgs < 6);

	for (k = 0; k < 10000; k++) {
		u = again(state);
		two_stories(u);
		uf_diag_run(u, NULL, false);
		shape_of(u, &before);
		held = oom_blocks;
		oom_arm(k);
		rc = diag_retire(&u->dg, &u->fl, all);
		if (!oom_disarm()) {
			/* no k-th allocation: done, as with memory */
			assert_int_equal(rc, 2);
			expect_shape(u, &after);
			break;
		}
		if (rc == -1) {
			expect_shape(u, &before);
			expect_refs_valid(u);
			/* and what the pass took, it gave back */
			assert_int_equal(oom_blocks, held);
			assert_int_equal(diag_retire(&u->dg, &u->fl, all), 2);
		} else {
			/* a failure it could do without (a sort's buffer) */
			assert_int_equal(rc, 2);
		}
		expect_shape(u, &after);
		assert_int_equal(u->dg.retired.counts[V_CANNOT_CONNECT], 1);
	}
	expect_failed_in_turn(k, 3);
}

static void
test_evict_out_of_memory(void **state)
{
	struct uf *u = *state;
	struct shape before, after;
	long k, rc, held;

	two_stories(u);
	flow_set_conn_budget(&u->fl, 4);
	uf_diag_run(u, NULL, false);
	assert_true(flow_wants_evict(&u->fl));
	rc = diag_evict(&u->dg, &u->fl);
	assert_true(rc > 0);
	shape_of(u, &after);
	assert_int_equal(after.evicted, (uint64_t)rc);
	assert_int_equal(after.ntxns, 2);

	for (k = 0; k < 10000; k++) {
		u = again(state);
		two_stories(u);
		flow_set_conn_budget(&u->fl, 4);
		uf_diag_run(u, NULL, false);
		shape_of(u, &before);
		held = oom_blocks;
		oom_arm(k);
		rc = diag_evict(&u->dg, &u->fl);
		if (!oom_disarm()) {
			assert_int_equal(rc, (long)after.evicted);
			expect_shape(u, &after);
			break;
		}
		if (rc == -1) {
			expect_shape(u, &before);
			expect_refs_valid(u);
			assert_int_equal(oom_blocks, held);
			/* reading goes on over the budget: no eviction is
			 * due again at once */
			assert_false(flow_wants_evict(&u->fl));
			flow_set_conn_budget(&u->fl, 4);
			assert_int_equal(diag_evict(&u->dg, &u->fl),
			    (long)after.evicted);
		} else {
			assert_int_equal(rc, (long)after.evicted);
		}
		expect_shape(u, &after);
		expect_refs_valid(u);
	}
	expect_failed_in_turn(k, 3);
}

static void
test_evidence_out_of_memory(void **state)
{
	struct uf *u = *state;
	struct evidence ev;
	struct ladder l;
	long k;
	int rc;

	two_stories(u);
	uf_diagnose(u);
	for (k = 0; k < 10000; k++) {
		memset(&ev, 0, sizeof ev);
		oom_arm(k);
		rc = evidence_build(&ev, &u->dg, &u->fl, uf_txn(u, 1),
		    u->fl.stats.last_ts, EVIDENCE_ARROWS);
		if (!oom_disarm()) {
			assert_int_equal(rc, 0);
			assert_true(ev.n > 4);
			evidence_free(&ev);
			break;
		}
		assert_int_equal(rc, -1);
		evidence_free(&ev);
	}
	expect_failed_in_turn(k, 0);
	for (k = 0; k < 10000; k++) {
		memset(&l, 0, sizeof l);
		oom_arm(k);
		rc = ladder_build(&l, &u->fl, &u->dg, uf_txn(u, 2));
		if (!oom_disarm()) {
			assert_int_equal(rc, 0);
			assert_true(l.n > 3);
			ladder_free(&l);
			break;
		}
		assert_int_equal(rc, -1);
		ladder_free(&l);
	}
	expect_failed_in_turn(k, 1);
}

/* Every settled transaction has its verdict: served, or refused. */
static void
expect_settled_right(const struct uf *u)
{
	for (size_t i = 0; i < u->dg.ntxns; i++) {
		const struct txn *t = &u->dg.txns[i];

		if (!t->settled)
			continue;
		if (t->status == 200)
			assert_int_equal(t->d.verdict, V_OK);
		else
			expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	}
}

static void
test_run_out_of_memory(void **state)
{
	struct uf *u = *state;
	long k, base;

	for (k = 0; k < 10000; k++) {
		u = again(state);
		base = oom_blocks;
		two_stories(u);
		flow_finish(&u->fl);
		uf_diag_start(u, NULL);
		oom_arm(k);
		diag_update(&u->dg, &u->fl);
		/* a run short of memory ends (true): nothing to wait for */
		assert_true(diag_run_step(&u->dg, &u->fl, true, SIZE_MAX));
		assert_false(u->dg.pass.on);
		if (!oom_disarm())
			break;
		/* nothing settles on evidence it could not index */
		expect_settled_right(u);
		/* the next slice takes what was left: a request dropped is
		 * counted, one held is diagnosed in full */
		diag_update(&u->dg, &u->fl);
		diag_run(&u->dg, &u->fl, true);
		assert_int_equal(diag_total(&u->dg) + u->dg.txns_dropped, 2);
		for (size_t i = 0; i < u->dg.ntxns; i++)
			assert_true(u->dg.txns[i].settled);
		expect_settled_right(u);
		/* and freed, it held nothing more: no block lost on the
		 * way out of the failure */
		u = again(state);
		assert_int_equal(oom_blocks, base);
	}
	expect_failed_in_turn(k, 3);
	/* with memory enough: both, in full */
	assert_int_equal(u->dg.ntxns, 2);
	assert_int_equal(u->dg.txns_dropped, 0);
	assert_int_equal(u->dg.errors, 1);
	assert_int_equal(u->dg.counts[V_CANNOT_CONNECT], 1);
	expect_settled_right(u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_retire_out_of_memory,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_evict_out_of_memory,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_evidence_out_of_memory,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_run_out_of_memory,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
