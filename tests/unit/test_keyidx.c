/*
 * test_keyidx.c: the evidence indexes of diag/ (keyidx.c): each key's items
 * kept in time order even when they come slightly out of order, windows
 * found by binary search, keys apart whatever their number (the table
 * grows), an unknown key found as none.
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_order),
		cmocka_unit_test(test_many_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
