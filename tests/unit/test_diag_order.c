/*
 * test_diag_order.c: the order in which a run settles what is over
 * (link.c sorts pass.over with VEC_MERGE_SORT, util/vec.h) is qsort's
 * with timed_index_cmp, whatever the count (below, at and across the
 * runs of 16 and the merges' powers of two) and however the times come:
 * in order, reversed, nearly in order, all equal, at random.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag/diag.h"
#include "diag/diag_int.h"
#include "util/vec.h"

static bool
timed_before(const struct timed_index *x, const struct timed_index *y)
{
	return timed_index_cmp(x, y) < 0;
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

static void
fill(struct timed_index *v, size_t n, int shape, uint32_t *seed)
{
	for (size_t i = 0; i < n; i++) {
		switch (shape) {
		case 0:
			v[i].at = (int64_t)i;
			break;
		case 1:
			v[i].at = (int64_t)(n - i);
			break;
		case 2:
			v[i].at = (int64_t)i * 8 + next_rand(seed) % 64;
			break;
		case 3:
			v[i].at = 5;
			break;
		default:
			v[i].at = (int64_t)(next_rand(seed) % 1000) - 500;
		}
		/* unique indices, not in the times' order */
		v[i].index = (uint32_t)((i * 2654435761u) % 1000003u);
	}
}

static void
test_order_is_qsorts(void **state)
{
	static const size_t counts[] = { 0, 1, 2, 15, 16, 17, 31, 32, 33,
	    64, 100, 257, 1000, 4133 };
	uint32_t seed = 2463534242u;

	(void)state;
	for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
		size_t n = counts[c];
		struct timed_index *v = calloc(n + 1, sizeof *v);
		struct timed_index *want = calloc(n + 1, sizeof *want);
		struct timed_index *tmp = calloc(n + 1, sizeof *tmp);

		assert_non_null(v);
		assert_non_null(want);
		assert_non_null(tmp);
		for (int shape = 0; shape < 5; shape++) {
			fill(v, n, shape, &seed);
			memcpy(want, v, n * sizeof *v);
			qsort(want, n, sizeof *want, timed_index_cmp);
			VEC_MERGE_SORT(struct timed_index, v, tmp, n,
			    timed_before);
			for (size_t i = 0; i < n; i++) {
				assert_int_equal(v[i].at, want[i].at);
				assert_int_equal(v[i].index, want[i].index);
			}
		}
		free(v);
		free(want);
		free(tmp);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_is_qsorts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
