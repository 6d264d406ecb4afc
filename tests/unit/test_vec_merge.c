/*
 * test_vec_merge.c: VEC_MERGE_TAIL (util/vec.h), which the screen's list
 * (its ids) and its retired rows merge new items with, leaves the array
 * as sorting all of it would: whatever the sizes of the sorted head and
 * the appended tail, and however the tail comes (after the head, in it,
 * reversed, at random).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/vec.h"

struct item {
	uint32_t id;
	uint32_t payload;	/* travels with its id */
};

#define ITEM_KEY(p) ((p)->id)

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* xorshift: the same numbers on every run */
static uint32_t
next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Unique ids: the head's sorted, the tail's in one of five shapes. */
static void
fill(struct item *v, size_t head, size_t n, int shape, uint32_t *seed)
{
	for (size_t i = 0; i < n; i++) {
		v[i].id = (uint32_t)(i * 2654435761u % 1000003u);
		v[i].payload = v[i].id ^ 0x5a5a5a5au;
	}
	qsort(v, head, sizeof *v, item_cmp);
	switch (shape) {
	case 0:		/* the tail after the head, in order */
		for (size_t i = head; i < n; i++)
			v[i].id = 2000000u + (uint32_t)i;
		break;
	case 1:		/* after the head, reversed */
		for (size_t i = head; i < n; i++)
			v[i].id = 3000000u - (uint32_t)i;
		break;
	case 2:		/* late ones among the head's */
		qsort(v + head, n - head, sizeof *v, item_cmp);
		break;
	case 3:		/* at random, within the head's range */
		for (size_t i = n; i > head + 1; i--) {
			size_t k = head + next_rand(seed) % (i - head);
			struct item t = v[i - 1];

			v[i - 1] = v[k];
			v[k] = t;
		}
		break;
	default:	/* all before the head */
		for (size_t i = head; i < n; i++)
			v[i].id = (uint32_t)i;
		for (size_t i = 0; i < head; i++)
			v[i].id = 5000000u + (uint32_t)i;
	}
	for (size_t i = 0; i < n; i++)
		v[i].payload = v[i].id ^ 0x5a5a5a5au;
}

static void
test_merge_is_sort(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 7, 64, 1000 };
	uint32_t seed = 2463534242u;

	(void)state;
	for (size_t a = 0; a < sizeof sizes / sizeof sizes[0]; a++)
		for (size_t b = 0; b < sizeof sizes / sizeof sizes[0]; b++) {
			size_t head = sizes[a], n = head + sizes[b];
			struct item *v = calloc(n + 1, sizeof *v);
			struct item *want = calloc(n + 1, sizeof *want);

			assert_non_null(v);
			assert_non_null(want);
			for (int shape = 0; shape < 5; shape++) {
				bool ok = false;

				fill(v, head, n, shape, &seed);
				memcpy(want, v, n * sizeof *v);
				qsort(want, n, sizeof *want, item_cmp);
				VEC_MERGE_TAIL(struct item, v, head, n,
				    ITEM_KEY, item_cmp, ok);
				assert_true(ok);
				for (size_t i = 0; i < n; i++) {
					assert_int_equal(v[i].id, want[i].id);
					assert_int_equal(v[i].payload,
					    v[i].id ^ 0x5a5a5a5au);
				}
			}
			free(v);
			free(want);
		}
}

/* Plain numbers, as the list's ids are. */
#define U32_KEY(p) (*(p))

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
test_merge_plain_ids(void **state)
{
	uint32_t ids[] = { 2, 5, 9, 12, 1, 7, 30, 10 };
	const uint32_t want[] = { 1, 2, 5, 7, 9, 10, 12, 30 };
	bool ok = false;

	(void)state;
	VEC_MERGE_TAIL(uint32_t, ids, 4, 8, U32_KEY, u32_cmp, ok);
	assert_true(ok);
	assert_memory_equal(ids, want, sizeof want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_is_sort),
		cmocka_unit_test(test_merge_plain_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
