/* vec.h: growable arrays and an append-only string pool, indexed by number. */
#ifndef GW_VEC_H
#define GW_VEC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Makes room for `need` elements of `size` bytes in *items (capacity *cap),
 * doubling. Returns 0, or -1 when memory or the `limit` (elements) runs out.
 */
int vec_reserve(void **items, size_t *cap, size_t need, size_t size,
    size_t limit);

/* Strings are referred to by their offset so the pool can move. 0 is "". */
struct strpool {
	char *buf;
	size_t len, cap;
};

typedef uint32_t strref;

/* Copies len bytes plus a NUL; returns 0 ("") when the pool is full. */
strref strpool_add(struct strpool *sp, const char *s, size_t len);
static inline const char *strpool_get(const struct strpool *sp, strref r)
{
	return sp->buf ? sp->buf + r : "";
}
void strpool_free(struct strpool *sp);
/*
 * Keeps only the strings *refs[i] name (sorting refs) and rewrites each
 * ref to the string's new place; refs to one string stay shared.
 */
void strpool_compact(struct strpool *sp, strref **refs, size_t n);

/*
 * Binary search of a sorted array: sets `lo` (a size_t) to the first index
 * in [0, n) whose element is not below the key, n when none is. `below` is
 * an expression of `mid`, true when element mid sorts before the key. A
 * macro, not a function, because the arrays differ in type and key and
 * some searches are on hot paths where a comparator call per step costs.
 */
#define VEC_LOWER_BOUND(lo, n, below) do {				\
	size_t hi_ = (n);						\
	(lo) = 0;							\
	while ((lo) < hi_) {						\
		size_t mid = (lo) + (hi_ - (lo)) / 2;			\
		if (below)						\
			(lo) = mid + 1;					\
		else							\
			hi_ = mid;					\
	}								\
} while (0)

#endif
