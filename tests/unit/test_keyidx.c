/*
 * test_keyidx.c: the evidence indexes of diag/ (keyidx.c): each key's items
 * kept in time order even when they come slightly out of order, windows
 * found by binary search, keys apart whatever their number (the table
 * grows), an unknown key found as none; after the model is compacted,
 * items renumbered in place and emptied keys gone (key_remap).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "diag/diag.h"
#include "diag/diag_int.h"

/* Items of one key come back in time order, ties in the order added. */
static void
test_time_order(void **state)
{
	struct key_index ki = { 0 };
	static const int64_t ts[] = { 10, 30, 20, 40, 5, 40, 35 };
	static const uint32_t want[] = { 4, 0, 2, 1, 6, 3, 5 };
	const struct key_list *l;

	(void)state;
	for (uint32_t i = 0; i < 7; i++)
		assert_int_equal(key_add(&ki, 77, i, ts[i]), 0);
	l = key_find(&ki, 77);
	assert_non_null(l);
	assert_int_equal(l->n, 7);
	for (size_t p = 0; p < 7; p++) {
		assert_int_equal(l->items[p], want[p]);
		if (p)
			assert_true(l->ts[p - 1] <= l->ts[p]);
	}
	assert_int_equal(key_lower(l, 0), 0);
	assert_int_equal(key_lower(l, 10), 1);
	assert_int_equal(key_lower(l, 11), 2);
	assert_int_equal(key_lower(l, 40), 5);
	assert_int_equal(key_lower(l, 41), 7);
	assert_null(key_find(&ki, 78));
	key_free(&ki);
	assert_null(key_find(&ki, 77));
}

/* Thousands of keys (the slot table doubles) each keep their own items. */
static void
test_many_keys(void **state)
{
	struct key_index ki = { 0 };

	(void)state;
	for (uint32_t i = 0; i < 5000; i++) {
		assert_int_equal(key_add(&ki, i * 2654435761u, i, i), 0);
		assert_int_equal(key_add(&ki, i * 2654435761u, i + 5000,
		    i + 1), 0);
	}
	for (uint32_t i = 0; i < 5000; i++) {
		const struct key_list *l = key_find(&ki, i * 2654435761u);

		assert_non_null(l);
		assert_int_equal(l->n, 2);
		assert_int_equal(l->items[0], i);
		assert_int_equal(l->items[1], i + 5000);
		assert_int_equal(key_lower(l, i + 1), 1);
	}
	key_free(&ki);
}

/*
 * 3001 keys of three items each (items k, k + 3001, k + 6002 at times
 * 0, 1, 2) and one key of items 3 and 6; the model forgets every item
 * whose number is a multiple of 3 and renumbers the rest in order: each
 * key keeps its two survivors in their order with their new numbers and
 * times, the key left without items is not found, keys added afterwards
 * are found beside the old ones, and `seen` counts only the survivors
 * it had counted.
 */
static void
test_remap(void **state)
{
	enum { K = 3001, N = 3 * K };
	struct key_index ki = { 0 };
	static uint32_t map[N];
	uint32_t next = 0;

	(void)state;
	for (uint32_t k = 0; k < K; k++)
		for (uint32_t j = 0; j < 3; j++)
			assert_int_equal(key_add(&ki, k * 2654435761u + 1,
			    k + j * K, j), 0);
	assert_int_equal(key_add(&ki, 999, 3, 0), 0);
	assert_int_equal(key_add(&ki, 999, 6, 1), 0);
	ki.seen = 10;		/* items 0..9 counted: 3, 6, 9 (and 0) go */
	for (uint32_t i = 0; i < N; i++)
		map[i] = i % 3 == 0 ? NONE32 : next++;
	key_remap(&ki, map, N);
	assert_int_equal(ki.seen, 6);
	for (uint32_t k = 0; k < K; k++) {
		const struct key_list *l = key_find(&ki, k * 2654435761u + 1);
		size_t n = 0;

		for (uint32_t j = 0; j < 3; j++) {
			uint32_t old = k + j * K;

			if (map[old] == NONE32)
				continue;
			assert_non_null(l);
			assert_true(n < l->n);
			assert_int_equal(l->items[n], map[old]);
			assert_int_equal(l->ts[n], j);
			n++;
		}
		assert_int_equal(n, 2);
		assert_int_equal(l->n, 2);
	}
	assert_null(key_find(&ki, 999));
	assert_int_equal(key_add(&ki, 424242, 7, 5), 0);
	assert_int_equal(key_add(&ki, 3 * 2654435761u + 1, 8, 6), 0);
	assert_int_equal(key_find(&ki, 424242)->items[0], 7);
	assert_int_equal(key_find(&ki, 3 * 2654435761u + 1)->n, 3);
	assert_int_equal(key_find(&ki, 3 * 2654435761u + 1)->items[2], 8);
	assert_non_null(key_find(&ki, 1 * 2654435761u + 1));
	key_free(&ki);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_order),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_remap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
