/*
 * test_diag_keyidx.c: the evidence indexes at their bounds (keyidx.c,
 * diag_int.h). A key that was never added is not found whatever the
 * number of keys, also when the slot table is as full as it gets before
 * it grows (half its slots, then one more key). After a remap, `seen`
 * counts the items indexed so far that the model kept, the first one
 * included. A key of one item costs less than 64 bytes, not the
 * kilobyte a list grown by vec_reserve's 64 would (a port scan makes one
 * key per connection; issue 13, F2; a busy gateway one per URL asked
 * once). A key's first item is kept in its list: after the lists moved
 * (the table grew, a remap closed the gap of an emptied key), each
 * still reads its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "diag/diag.h"
#include "diag/diag_int.h"
#include "unit_heap.h"

/* 1 to 2100 keys (the table is 1024 slots, then 2048, then 4096): each
 * count, every key is found with its item and an unknown one is not. */
static void
test_unknown_key_at_every_size(void **state)
{
	struct key_index ki = { 0 };

	(void)state;
	for (uint32_t n = 1; n <= 2100; n++) {
		assert_int_equal(key_add(&ki, n * 40503u, n, n), 0);
		if (n % 97 != 0 && (n < 500 || n > 530) && (n < 1020 ||
		    n > 1030) && (n < 2040 || n > 2060))
			continue;
		assert_null(key_find(&ki, 7));
		assert_null(key_find(&ki, (n + 1) * 40503u));
		for (uint32_t k = 1; k <= n; k++) {
			const struct key_list *l = key_find(&ki, k * 40503u);

			assert_non_null(l);
			assert_int_equal(l->n, 1);
			assert_int_equal(l->items[0], k);
		}
	}
	key_free(&ki);
}

/* The remap keeps item 0 and drops item 1: of the first `seen` items,
 * those kept are counted, the first one included. */
static void
test_remap_counts_the_first(void **state)
{
	static const uint32_t map[6] = { 0, NONE32, 1, 2, NONE32, 3 };
	struct key_index ki = { 0 };

	(void)state;
	for (uint32_t i = 0; i < 6; i++)
		assert_int_equal(key_add(&ki, 11 + i % 2, i, i), 0);
	ki.seen = 4;		/* items 0..3 indexed; 1 goes */
	key_remap(&ki, map, 6);
	assert_int_equal(ki.seen, 3);
	/* key 11 held 0, 2, 4; key 12 held 1, 3, 5 */
	assert_int_equal(key_find(&ki, 11)->n, 2);
	assert_int_equal(key_find(&ki, 11)->items[0], 0);
	assert_int_equal(key_find(&ki, 11)->items[1], 1);
	assert_int_equal(key_find(&ki, 12)->n, 2);
	assert_int_equal(key_find(&ki, 12)->items[0], 2);
	assert_int_equal(key_find(&ki, 12)->items[1], 3);
	ki.seen = 6;
	key_remap(&ki, (const uint32_t[4]){ 0, 1, 2, 3 }, 4);
	assert_int_equal(ki.seen, 4);	/* no more than the old items */
	key_free(&ki);
}

/* Key 11 empties and goes, keys 12 (two items, in its list) and 13 (five,
 * on the heap) move down a place: each reads its own items after, and
 * nothing is left allocated once freed. */
static void
test_remap_moves_inline_keys(void **state)
{
	static const uint32_t map[8] = { NONE32, 0, 1, 2, 3, NONE32, 4, 5 };
	struct key_index ki = { 0 };
	size_t before = unit_heap_live();
	const struct key_list *l;

	(void)state;
	assert_int_equal(key_add(&ki, 11, 0, 0), 0);
	for (uint32_t i = 1; i < 3; i++)
		assert_int_equal(key_add(&ki, 12, i, i), 0);
	for (uint32_t i = 3; i < 8; i++)
		assert_int_equal(key_add(&ki, 13, i, i), 0);
	key_remap(&ki, map, 8);
	assert_int_equal(ki.nlists, 2);
	assert_null(key_find(&ki, 11));
	l = key_find(&ki, 12);
	assert_ptr_equal(l, &ki.lists[0]);
	assert_int_equal(l->n, 2);
	assert_int_equal(l->items[0], 0);
	assert_int_equal(l->items[1], 1);
	assert_int_equal(l->ts[1], 2);
	/* a third item moves them to the heap, in order */
	assert_int_equal(key_add(&ki, 12, 9, 1), 0);
	assert_int_equal(l->n, 3);
	assert_int_equal(l->items[0], 0);
	assert_int_equal(l->items[1], 9);
	assert_int_equal(l->items[2], 1);
	l = key_find(&ki, 13);
	assert_int_equal(l->n, 4);
	for (uint32_t p = 0; p < 4; p++)
		assert_int_equal(l->items[p], p + 2);
	key_free(&ki);
	assert_int_equal(unit_heap_live(), before);
}

/* 4000 keys of one item: the heap grows by less than 64 bytes a key
 * (its list and its share of the slots); then a second item each: by
 * less than 250 (and room for two items). */
static void
test_small_keys(void **state)
{
	struct key_index ki = { 0 };
	size_t before = unit_heap_live();

	(void)state;
	for (uint32_t k = 0; k < 4000; k++)
		assert_int_equal(key_add(&ki, k * 2654435761u, k, k), 0);
	if (unit_heap_live() - before >= 4000 * 64)
		fail_msg("%zu bytes for 4000 keys of one item",
		    unit_heap_live() - before);
	for (uint32_t k = 0; k < 4000; k++)
		assert_int_equal(key_add(&ki, k * 2654435761u, k + 4000, k), 0);
	if (unit_heap_live() - before >= 4000 * 250)
		fail_msg("%zu bytes for 4000 keys of two items",
		    unit_heap_live() - before);
	assert_int_equal(key_find(&ki, 3999 * 2654435761u)->items[1], 7999);
	key_free(&ki);
	assert_int_equal(unit_heap_live(), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_key_at_every_size),
		cmocka_unit_test(test_remap_counts_the_first),
		cmocka_unit_test(test_remap_moves_inline_keys),
		cmocka_unit_test(test_small_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
