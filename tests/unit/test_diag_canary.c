/*
 * test_diag_canary.c: diag/ writes only inside what it allocated, and
 * gives every block back. The heap is replaced (glibc's "Replacing
 * malloc") by wrappers that put 16 guard bytes after each block as
 * asked and check them when it is freed or grown: an array allocated
 * one element short, or a list started with room for fewer items than
 * its capacity says, fails here in the plain build too (the mutation
 * runner's), where glibc's rounding would hide it. Scenes: the key
 * index grown, remapped and freed; a capture diagnosed frame by frame
 * (retiring what is over, or not), evicted while a request waits, then
 * each transaction's evidence and flow view built.
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
#include "diag/evidence.h"
#include "diag/ladder.h"
#include "unit_flow.h"
#include "diag_scene.h"

#if !defined(__SANITIZE_ADDRESS__)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

#define HEAD 16			/* a mark and the size asked, before the block */
#define MARK 0x63616e617279ULL	/* ours (the loader allocates some itself) */
#define GUARD 16
#define GUARD_BYTE 0xA5

static size_t blocks;		/* live blocks */
static int damaged;		/* guards found overwritten */

/* raw (HEAD + n + GUARD bytes, or NULL) marked as ours: its block. */
static void *
guarded(uint8_t *raw, size_t n)
{
	if (raw == NULL)
		return NULL;
	memcpy(raw, &(uint64_t){ MARK }, 8);
	memcpy(raw + 8, &n, sizeof n);
	memset(raw + HEAD + n, GUARD_BYTE, GUARD);
	blocks++;
	return raw + HEAD;
}

void *
malloc(size_t n)
{
	if (n > SIZE_MAX - HEAD - GUARD)
		return NULL;
	return guarded(__libc_malloc(HEAD + n + GUARD), n);
}

static size_t
asked(const void *p)
{
	size_t n;

	memcpy(&n, (const uint8_t *)p - HEAD + 8, sizeof n);
	return n;
}

static bool
ours(const void *p)
{
	uint64_t mark;

	memcpy(&mark, (const uint8_t *)p - HEAD, 8);
	return mark == MARK;
}

static void
check(const void *p)
{
	const uint8_t *g = (const uint8_t *)p + asked(p);

	for (int k = 0; k < GUARD; k++)
		if (g[k] != GUARD_BYTE) {
			damaged++;
			return;
		}
}

void
free(void *p)
{
	if (p == NULL)
		return;
	if (!ours(p)) {
		__libc_free(p);
		return;
	}
	check(p);
	memset((uint8_t *)p - HEAD, 0, 8);
	blocks--;
	__libc_free((uint8_t *)p - HEAD);
}

void *
calloc(size_t n, size_t size)
{
	if (size && n > (SIZE_MAX - HEAD - GUARD) / size)
		return NULL;
	return guarded(__libc_calloc(1, HEAD + n * size + GUARD), n * size);
}

void *
realloc(void *old, size_t n)
{
	void *p;

	if (old == NULL)
		return malloc(n);
	if (!ours(old))
		return __libc_realloc(old, n);
	check(old);
	if ((p = malloc(n)) == NULL)
		return NULL;
	memcpy(p, old, asked(old) < n ? asked(old) : n);
	free(old);
	return p;
}
#else
static size_t blocks;
static int damaged;
#endif

/* Keys of 1, 2, 3 and 70 items (lists grown from their first room),
 * a thousand keys more (the slots grown), remapped, then freed. */
static void
test_key_index(void **state)
{
	static uint32_t map[2000];
	struct key_index ki = { 0 };
	size_t before = blocks;
	uint32_t item = 0;

	(void)state;
	for (uint32_t n = 1; n <= 70; n = n == 3 ? 70 : n + 1)
		for (uint32_t k = 0; k < n; k++, item++)
			assert_int_equal(key_add(&ki, 100 + n, item,
			    (int64_t)(n - k)), 0);
	for (uint32_t k = 0; k < 1100; k++)
		assert_int_equal(key_add(&ki, 5000 + k, item + k, k), 0);
	for (uint32_t i = 0; i < 2000; i++)
		map[i] = i % 2 ? i / 2 : NONE32;
	key_remap(&ki, map, 2000);
	assert_int_equal(key_add(&ki, 101, 7, 0), 0);
	assert_int_equal(key_find(&ki, 170)->n, 35);
	key_free(&ki);
	assert_int_equal(blocks, before);
	assert_int_equal(damaged, 0);
}

/* After each frame: diagnose, retire what is over; at the end evict,
 * retire, build every transaction's evidence and flow view. */
static void
slice_retire(struct uf *u)
{
	static uint8_t all[64];

	uf_slice(u);
	assert_true(u->dg.ntxns < sizeof all);
	for (size_t i = 0; i < u->dg.ntxns; i++)
		all[i] = u->dg.txns[i].settled && txn_final_ns(&u->dg, &u->fl,
		    &u->dg.txns[i]) <= u->fl.stats.last_ts;
	assert_true(diag_retire(&u->dg, &u->fl, all) >= 0);
}

static void
test_diagnosis(void **state)
{
	size_t before = blocks;

	for (int retiring = 0; retiring <= 1; retiring++) {
		void *st;
		struct uf *u;
		struct scene s;
		long evicted;

		assert_int_equal(uf_setup(&st), 0);
		u = st;
		uf_slices_begin(u, NULL);
		if (retiring)
			u->after_frame = slice_retire;
		served_then_refused(u, 40, "198.51.100.4", T0 + 400 * UF_S);
		scene_init(&s, u);
		uf_at(u, T0 + 500 * UF_S);
		second_address_refuses(&s);
		/* the third client still waits: its window is marked */
		assert_false(uf_txn(u, 3)->settled);
		flow_set_conn_budget(&u->fl, 4);
		/* retiring took the idle attempts already */
		evicted = diag_evict(&u->dg, &u->fl);
		assert_true(retiring ? evicted >= 0 : evicted > 0);
		uf_slices_end(u);
		for (size_t i = 0; i < u->dg.ntxns; i++) {
			struct evidence ev = { 0 };
			struct ladder l = { 0 };

			assert_int_equal(evidence_build(&ev, &u->dg, &u->fl,
			    &u->dg.txns[i], u->fl.stats.last_ts,
			    EVIDENCE_ARROWS), 0);
			assert_int_equal(ladder_build(&l, &u->fl, &u->dg,
			    &u->dg.txns[i]), 0);
			evidence_free(&ev);
			ladder_free(&l);
		}
		uf_teardown(&st);
		(void)state;
	}
	assert_int_equal(blocks, before);
	assert_int_equal(damaged, 0);
}

/* Nothing but unanswered SYNs, each its own connection: every one is
 * idle, and an eviction holds them all at once. */
static void
test_all_idle(void **state)
{
	struct uf *u = *state;
	struct uf_side from, to;

	for (uint16_t k = 0; k < 12; k++) {
		uf_side_init(&from, "10.0.0.1", (uint16_t)(51000 + k), 100);
		uf_side_init(&to, "198.51.100.4", (uint16_t)(7000 + k), 0);
		uf_syn(u, &from, &to);
	}
	uf_diag_run(u, NULL, false);
	flow_set_conn_budget(&u->fl, 4);
	assert_true(diag_evict(&u->dg, &u->fl) > 0);
	assert_true(u->fl.nconns < 12);
	assert_int_equal(damaged, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_index),
		cmocka_unit_test(test_diagnosis),
		cmocka_unit_test_setup_teardown(test_all_idle, uf_setup,
		    uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
