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

/* Eight bytes at a time, the last eight overlapping what came before:
 * a string is added once a message field, so this is on the hot path. */
static size_t
recent_slot(const char *s, size_t len)
{
	uint64_t h = len * 0x9E3779B97F4A7C15ULL, w = 0;

	if (len < 8) {
		for (size_t i = 0; i < len; i++)
			w = w << 8 | (uint8_t)s[i];
	} else {
		for (size_t i = 0; i + 8 < len; i += 8) {
			memcpy(&w, s + i, 8);
			h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
		}
		memcpy(&w, s + len - 8, 8);
	}
	h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
	return (size_t)(h >> 32) % STRPOOL_RECENT;
}

strref
strpool_add(struct strpool *sp, const char *s, size_t len)
{
	size_t at, slot = 0;

	if (len == 0)
		return 0;
	if (len <= STRPOOL_RECENT_LEN) {
		if (sp->recent == NULL)
			sp->recent = calloc(STRPOOL_RECENT, sizeof *sp->recent);
		if (sp->recent != NULL) {
			strref r;

			slot = recent_slot(s, len);
			r = sp->recent[slot];
			if (r != 0 && r + len < sp->len &&
			    memcmp(sp->buf + r, s, len) == 0 &&
			    sp->buf[r + len] == '\0')
				return r;
		}
	}
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
	if (len <= STRPOOL_RECENT_LEN && sp->recent != NULL)
		sp->recent[slot] = (strref)at;
	return (strref)at;
}

void
strpool_free(struct strpool *sp)
{
	free(sp->buf);
	free(sp->recent);
	sp->buf = NULL;
	sp->recent = NULL;
	sp->len = sp->cap = 0;
}

/* Bits set in w, without the call __builtin_popcountll makes where the
 * target may lack the instruction (x86-64 before v2): once a word and
 * once a ref in a compaction. */
static unsigned
bits_set(uint64_t w)
{
	w -= (w >> 1) & 0x5555555555555555ULL;
	w = (w & 0x3333333333333333ULL) + ((w >> 2) & 0x3333333333333333ULL);
	w = (w + (w >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
	return (unsigned)((w * 0x0101010101010101ULL) >> 56);
}

/*
 * Strings only move down (each kept one lands at or below where it was),
 * so one pass in offset order compacts the pool in place. The offsets
 * kept are bits of a map, so that pass needs no sort, and a ref finds its
 * string's new place by counting the bits below its own: the refs are
 * read once each, in the order given (their structs' order). Sorting
 * pointers to them read them at random, which was most of a retirement's
 * pause on the screen (issue 13). Out of memory: the pool stays as it
 * was, still valid.
 */
void
strpool_compact(struct strpool *sp, strref **refs, size_t n)
{
	size_t old_len = sp->len, nwords = old_len / 64 + 1, nkept = 0, k = 0;
	size_t at = 1, run_from = 1, run_to = 1, run_at = 1;
	uint64_t *bits = NULL;
	uint32_t *rank = NULL, *moved = NULL;

	if (old_len == 0)
		return;
	bits = calloc(nwords, sizeof *bits);
	rank = malloc(nwords * sizeof *rank);
	if (bits == NULL || rank == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		strref r = *refs[i];

		if (r != 0 && r < old_len)
			bits[r / 64] |= 1ULL << (r % 64);
	}
	for (size_t w = 0; w < nwords; w++) {
		rank[w] = (uint32_t)nkept;
		nkept += bits_set(bits[w]);
	}
	if ((moved = malloc((nkept ? nkept : 1) * sizeof *moved)) == NULL)
		goto out;
	/* strings kept side by side move together: one memmove a run */
	for (size_t w = 0; w < nwords; w++)
		for (uint64_t word = bits[w]; word != 0; word &= word - 1) {
			size_t old = w * 64 + (size_t)__builtin_ctzll(word);
			size_t len = strlen(sp->buf + old) + 1;

			if (old != run_to) {
				memmove(sp->buf + run_at, sp->buf + run_from,
				    run_to - run_from);
				run_from = old;
				run_at = at;
			}
			run_to = old + len;
			moved[k++] = (uint32_t)at;
			at += len;
		}
	memmove(sp->buf + run_at, sp->buf + run_from, run_to - run_from);
	for (size_t i = 0; i < n; i++) {
		strref r = *refs[i];
		uint64_t below;

		if (r == 0 || r >= old_len) {
			*refs[i] = 0;
			continue;
		}
		below = bits[r / 64] & ((1ULL << (r % 64)) - 1);
		*refs[i] = moved[rank[r / 64] + bits_set(below)];
	}
	sp->len = at;
	if (sp->recent != NULL)	/* they moved or went */
		memset(sp->recent, 0, STRPOOL_RECENT * sizeof *sp->recent);
out:
	free(bits);
	free(rank);
	free(moved);
}
