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
	qsort(refs, n, sizeof *refs, cmp_ref_ptr);
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
