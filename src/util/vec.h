/* vec.h: growable arrays and an append-only string pool, indexed by number. */
#ifndef GW_VEC_H
#define GW_VEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Makes room for `need` elements of `size` bytes in *items (capacity *cap),
 * doubling. Returns 0, or -1 when memory or the `limit` (elements) runs out.
 */
int vec_reserve(void **items, size_t *cap, size_t need, size_t size,
    size_t limit);

/*
 * Strings are referred to by their offset so the pool can move. 0 is "".
 * A short string added again while still in `recent` (direct-mapped by
 * hash) gets the first one's ref: methods, hosts, status lines and error
 * texts repeat on every request.
 */
#define STRPOOL_RECENT 4096
#define STRPOOL_RECENT_LEN 64	/* longer ones (most URLs) are not looked up */
struct strpool {
	char *buf;
	size_t len, cap;
	uint32_t *recent;	/* STRPOOL_RECENT refs (0: none), or NULL */
};

typedef uint32_t strref;

/* Copies len bytes plus a NUL, unless the same bytes are a recent
 * string; returns 0 ("") when the pool is full. */
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

/*
 * Stable merge sort of it[0..n) of `type` through tmp (room for n):
 * runs of 16 by insertion, then merged bottom-up. `before` is a function
 * or macro of two `const type *`, true when the first sorts before the
 * second. A macro for the same reason as VEC_LOWER_BOUND: qsort's call
 * per comparison is most of what it costs to order small items.
 */
#define VEC_MERGE_SORT(type, it, tmp, n, before) do {			\
	type *src_ = (it), *dst_ = (tmp), *swap_;			\
	size_t n_ = (n);						\
	for (size_t lo_ = 0; lo_ < n_; lo_ += 16) {			\
		size_t hi_ = n_ - lo_ < 16 ? n_ : lo_ + 16;		\
		for (size_t i_ = lo_ + 1; i_ < hi_; i_++) {		\
			type x_ = src_[i_];				\
			size_t j_ = i_;					\
			for (; j_ > lo_ && before(&x_, &src_[j_ - 1]); j_--) \
				src_[j_] = src_[j_ - 1];		\
			src_[j_] = x_;					\
		}							\
	}								\
	for (size_t w_ = 16; w_ < n_; w_ *= 2) {			\
		for (size_t lo_ = 0; lo_ < n_; lo_ += 2 * w_) {		\
			size_t mid_ = n_ - lo_ < w_ ? n_ : lo_ + w_;	\
			size_t hi_ = n_ - lo_ < 2 * w_ ? n_ : lo_ + 2 * w_; \
			size_t i_ = lo_, j_ = mid_, k_ = lo_;		\
			while (i_ < mid_ && j_ < hi_)			\
				dst_[k_++] = before(&src_[j_], &src_[i_]) ? \
				    src_[j_++] : src_[i_++];		\
			while (i_ < mid_)				\
				dst_[k_++] = src_[i_++];		\
			while (j_ < hi_)				\
				dst_[k_++] = src_[j_++];		\
		}							\
		swap_ = src_;						\
		src_ = dst_;						\
		dst_ = swap_;						\
	}								\
	if (src_ != (it))						\
		memcpy((it), src_, n_ * sizeof *src_);			\
} while (0)

/*
 * it[0..from) ascending and it[from..n) appended: the tail sorted (by
 * qsort with `cmp`, only when out of order) and merged in from the end
 * through a copy of it, since new items mostly all come after the old.
 * `key` is a function or macro of a `const type *` giving the number it
 * sorts by. `ok` (a bool) is set false when the copy could not be
 * allocated: it[from..n) is then sorted but not merged.
 */
#define VEC_MERGE_TAIL(type, it, from, n, key, cmp, ok) do {		\
	type *a_ = (it), *tail_;					\
	size_t i_ = (from), n_ = (n), j_ = n_ - i_, out_ = n_;		\
	(ok) = true;							\
	for (size_t k_ = i_ + 1; k_ < n_; k_++)				\
		if (key(&a_[k_ - 1]) > key(&a_[k_])) {			\
			qsort(a_ + i_, j_, sizeof *a_, cmp);		\
			break;						\
		}							\
	if (i_ == 0 || i_ == n_ || key(&a_[i_ - 1]) < key(&a_[i_]))	\
		break;							\
	if ((tail_ = malloc(j_ * sizeof *tail_)) == NULL) {		\
		(ok) = false;						\
		break;							\
	}								\
	memcpy(tail_, a_ + i_, j_ * sizeof *tail_);			\
	while (j_ > 0)							\
		a_[--out_] = i_ > 0 &&					\
		    key(&a_[i_ - 1]) > key(&tail_[j_ - 1]) ?		\
		    a_[--i_] : tail_[--j_];				\
	free(tail_);							\
} while (0)

#endif
