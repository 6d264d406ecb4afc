/* vec.c: growable arrays and the string pool. */
#include <stdlib.h>
#include <string.h>

#include "vec.h"

int
vec_reserve(void **items, size_t *cap, size_t need, size_t size, size_t limit)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	if (need > limit)
		return -1;
	ncap = *cap ? *cap : 64;
	while (ncap < need)
		ncap *= 2;
	if (ncap > limit)
		ncap = limit;
	if (ncap > SIZE_MAX / size)
		return -1;
	p = realloc(*items, ncap * size);
	if (p == NULL)
		return -1;
	*items = p;
	*cap = ncap;
	return 0;
}

/* 4 GiB of strings: refs are 32-bit. */
#define STRPOOL_LIMIT 0xFFFFFF00u

strref
strpool_add(struct strpool *sp, const char *s, size_t len)
{
	size_t at;

	if (len == 0)
		return 0;
	if (sp->len == 0) {
		/* offset 0 is the shared empty string */
		if (vec_reserve((void **)&sp->buf, &sp->cap, 1, 1,
		    STRPOOL_LIMIT) != 0)
			return 0;
		sp->buf[0] = '\0';
		sp->len = 1;
	}
	if (vec_reserve((void **)&sp->buf, &sp->cap, sp->len + len + 1, 1,
	    STRPOOL_LIMIT) != 0)
		return 0;
	at = sp->len;
	memcpy(sp->buf + at, s, len);
	sp->buf[at + len] = '\0';
	sp->len += len + 1;
	return (strref)at;
}

void
strpool_free(struct strpool *sp)
{
	free(sp->buf);
	sp->buf = NULL;
	sp->len = sp->cap = 0;
}

static int
cmp_ref_ptr(const void *a, const void *b)
{
	strref x = **(strref *const *)a, y = **(strref *const *)b;

	return x < y ? -1 : x > y;
}

#define RADIX_BUCKETS 65536
#define RADIX_MIN_REFS 2048	/* below: qsort beats clearing the buckets */

/*
 * Sorts refs by the offset each names: two counting passes of 16 bits
 * (LSD radix). Linear, where qsort's comparisons, each following two
 * pointers, were most of a big compaction's time. Few refs, or no memory
 * for the buckets: qsort.
 */
static void
sort_refs(strref **refs, size_t n)
{
	strref **tmp = NULL, **src = refs, **dst, **swap;
	size_t *count = NULL;

	if (n >= RADIX_MIN_REFS) {
		tmp = malloc(n * sizeof *tmp);
		count = malloc((RADIX_BUCKETS + 1) * sizeof *count);
	}
	dst = tmp;
	if (tmp == NULL || count == NULL) {
		qsort(refs, n, sizeof *refs, cmp_ref_ptr);
		free(tmp);
		free(count);
		return;
	}
	for (unsigned shift = 0; shift < 32; shift += 16) {
		memset(count, 0, (RADIX_BUCKETS + 1) * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[((*src[i] >> shift) & (RADIX_BUCKETS - 1)) + 1]++;
		for (size_t d = 1; d <= RADIX_BUCKETS; d++)
			count[d] += count[d - 1];
		for (size_t i = 0; i < n; i++)
			dst[count[(*src[i] >> shift) & (RADIX_BUCKETS - 1)]++] =
			    src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	/* two passes: the sorted refs are back in refs */
	free(tmp);
	free(count);
}

/*
 * Strings only move down (each kept one lands at or below where it was),
 * so one pass in offset order compacts the pool in place.
 */
void
strpool_compact(struct strpool *sp, strref **refs, size_t n)
{
	size_t at = 1;
	strref prev_old = 0, prev_new = 0;

	if (sp->len == 0)
		return;
	sort_refs(refs, n);
	for (size_t i = 0; i < n; i++) {
		strref old = *refs[i];
		size_t len;

		if (old == 0 || old >= sp->len)
			*refs[i] = 0;
		else if (old == prev_old)
			*refs[i] = prev_new;
		else {
			len = strlen(sp->buf + old) + 1;
			memmove(sp->buf + at, sp->buf + old, len);
			prev_old = old;
			prev_new = (strref)at;
			*refs[i] = prev_new;
			at += len;
		}
	}
	sp->len = at;
}
