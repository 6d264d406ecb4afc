/*
 * reread.h: frames of a capture file read again after the model was built
 * from it. The model keeps frame numbers, times and offsets, never bytes;
 * the stream view (flow/follow.c), --frames and -Y (report/frames.c),
 * exports (capture/export.c) and the packets pane read the frames they
 * show through this, one open per use: a frame asked for by its reference
 * is checked to be the one the model saw there (number and time), and a
 * range stops at its last frame.
 */
#ifndef GW_REREAD_H
#define GW_REREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capfile.h"
#include "frameoff.h"

struct reread {
	struct capfile *cf;
	const struct frame_offsets *offs;	/* the model's (NULL: none) */
	struct frame_ref first;	/* the capture's first frame (0: none) */
	uint64_t first_offset;	/* its offset (no table needed) */
	uint64_t prev;		/* the frame read last (0: unknown): the
				 * one after it is read on, without a seek */
	uint64_t last;		/* reread_next stops after it (0: the end) */
	char err[512];		/* one line naming the file */
};

/* offs: the model's, for its references' offsets (frameoff_get).
 * 0, or -1 with the reason in rr->err. */
int reread_open(struct reread *rr, const char *path,
    const struct frame_offsets *offs);
void reread_close(struct reread *rr);
/*
 * The frame the model knows as ref (number, offset, time when set) into
 * *f: 0, or -1 when the file does not hold it there (reread_error).
 */
int reread_frame(struct reread *rr, const struct frame_ref *ref,
    struct frame *f);
/* Reads from `from` (NULL or number 0: the first frame) up to frame
 * `last` (0: the end of the file) with reread_next. 0, or -1. */
int reread_range(struct reread *rr, const struct frame_ref *from,
    uint64_t last);
/* 1: *f is the next frame of the range; 0: the range is done; -1: the
 * file is damaged from here (reread_error). */
int reread_next(struct reread *rr, struct frame *f);
const char *reread_error(const struct reread *rr);

#endif
