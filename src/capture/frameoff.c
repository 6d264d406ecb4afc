/*
 * frameoff.c: the high bits of frame offsets (frameoff.h), as a list of
 * changes in frame order, found by binary search.
 */
#include <stdlib.h>

#include "../util/vec.h"
#include "frameoff.h"

void
frameoff_note_change(struct frame_offsets *fo, const struct frame *f)
{
	uint64_t hi = f->offset >> FRAME_OFFSET_LO_BITS;

	if (fo->lost_from != 0)
		return;
	if (vec_reserve((void **)&fo->changes, &fo->cap, fo->n + 1,
	    sizeof *fo->changes, SIZE_MAX) != 0) {
		fo->lost_from = f->number;
		return;
	}
	fo->changes[fo->n].first = f->number;
	fo->changes[fo->n++].hi = hi;
	fo->last_hi = hi;
}

uint64_t
frameoff_get(const struct frame_offsets *fo, const struct frame_ref *r)
{
	size_t after;

	if (fo == NULL)
		return r->offset_lo;
	if (fo->lost_from != 0 && r->number >= fo->lost_from)
		return UINT64_MAX;
	/* the changes at or before r: the last of them holds for it */
	VEC_LOWER_BOUND(after, fo->n, fo->changes[mid].first <= r->number);
	return (after == 0 ? 0 :
	    fo->changes[after - 1].hi << FRAME_OFFSET_LO_BITS) | r->offset_lo;
}

void
frameoff_free(struct frame_offsets *fo)
{
	free(fo->changes);
	fo->changes = NULL;
	fo->n = fo->cap = 0;
	fo->last_hi = fo->lost_from = 0;
}
