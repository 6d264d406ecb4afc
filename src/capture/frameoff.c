/*
 * frameoff.c: the high bits of frame offsets (frameoff.h), as a list of
 * changes in frame order, found by binary search.
 */
#include <stdlib.h>

#include "frameoff.h"

void
frameoff_note_change(struct frame_offsets *fo, const struct frame *f)
{
	uint64_t hi = f->offset >> FRAME_OFFSET_LO_BITS;

	if (fo->lost_from != 0)
		return;
	if (fo->n == fo->cap) {
		size_t cap = fo->cap ? fo->cap * 2 : 16;
		uint64_t *first = realloc(fo->first, cap * sizeof *first);
		uint64_t *his;

		if (first == NULL) {
			fo->lost_from = f->number;
			return;
		}
		fo->first = first;
		if ((his = realloc(fo->hi, cap * sizeof *his)) == NULL) {
			fo->lost_from = f->number;
			return;
		}
		fo->hi = his;
		fo->cap = cap;
	}
	fo->first[fo->n] = f->number;
	fo->hi[fo->n++] = hi;
	fo->last_hi = hi;
}

uint64_t
frameoff_get(const struct frame_offsets *fo, const struct frame_ref *r)
{
	size_t lo = 0, hi;

	if (fo == NULL)
		return r->offset_lo;
	if (fo->lost_from != 0 && r->number >= fo->lost_from)
		return UINT64_MAX;
	/* the last change at or before r: the number of entries before
	 * it, counted by bisection */
	hi = fo->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fo->first[mid] <= r->number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo == 0 ? 0 : fo->hi[lo - 1] << FRAME_OFFSET_LO_BITS) |
	    r->offset_lo;
}

void
frameoff_free(struct frame_offsets *fo)
{
	free(fo->first);
	free(fo->hi);
	fo->first = fo->hi = NULL;
	fo->n = fo->cap = 0;
	fo->last_hi = fo->lost_from = 0;
}
