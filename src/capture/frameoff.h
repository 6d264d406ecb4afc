/*
 * frameoff.h: the high bits of frame offsets. A struct frame_ref keeps
 * only the low FRAME_OFFSET_LO_BITS of its record's offset; the rest
 * changes once per 16 MB of file (or at a ring's next member), so noting
 * each change with the frame number where it happened, as frames are
 * read, gives every offset back with a table of a few entries.
 */
#ifndef GW_FRAMEOFF_H
#define GW_FRAMEOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct frame_offsets {
	struct {
		uint64_t first;	/* frame number from which ... */
		uint64_t hi;	/* ... the offsets' high bits are these */
	} *changes;
	size_t n, cap;
	uint64_t last_hi;	/* the high bits noted last (0 at first) */
	uint64_t lost_from;	/* frames from here have no high bits (no
				 * memory to note them); 0: none */
};

void frameoff_note_change(struct frame_offsets *fo, const struct frame *f);

/* Notes f, read after every frame numbered below it (every frame read
 * comes here: a compare, and a call every 16 MB). */
static inline void
frameoff_note(struct frame_offsets *fo, const struct frame *f)
{
	if (f->offset >> FRAME_OFFSET_LO_BITS != fo->last_hi)
		frameoff_note_change(fo, f);
}
/*
 * The record offset of r; fo NULL: the low bits alone (a file of less
 * than 16 MB, or a test's). UINT64_MAX when it was not noted.
 */
uint64_t frameoff_get(const struct frame_offsets *fo,
    const struct frame_ref *r);
void frameoff_free(struct frame_offsets *fo);

#endif
