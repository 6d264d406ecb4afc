/*
 * progress.h: how far the reading of a capture file has got (bytes, frames
 * per second, time left), as numbers any view can draw, and the one line a
 * --report rewrites on a terminal's stderr while a long load goes on.
 */
#ifndef GW_PROGRESS_H
#define GW_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct progress {
	int64_t start_ns;	/* monotonic time the load began */
	uint64_t bytes;		/* read so far */
	uint64_t total;		/* the file's size; 0: unknown (a stream) */
	uint64_t frames;
	double elapsed_s;
	double frames_per_s;	/* over the whole load so far */
	double left_s;		/* estimated; < 0: unknown */
	unsigned percent;	/* of total, 0-100 (0 when unknown) */
};

void progress_init(struct progress *p, int64_t now_ns);
void progress_update(struct progress *p, uint64_t bytes, uint64_t total,
    uint64_t frames, int64_t now_ns);
/* "34%, 412.0 MB of 1.2 GB, 1.9 M frames/s, 3 s left" */
void progress_format(const struct progress *p, char *out, size_t outlen);

/*
 * The line on a terminal: nothing until the load has taken PROGRESS_DELAY
 * (and nothing at all when fd is not a terminal), then redrawn in place
 * (\r) at most every PROGRESS_REDRAW, cut to the terminal's width.
 */
#define PROGRESS_DELAY_NS (500LL * 1000000LL)
#define PROGRESS_REDRAW_NS (100LL * 1000000LL)

struct progress_line {
	int fd;			/* -1: not a terminal, never written */
	bool shown;		/* a line is on the screen */
	int64_t drawn_ns;
};

void progress_line_init(struct progress_line *l, int fd);
void progress_line_draw(struct progress_line *l, const struct progress *p,
    int64_t now_ns);
/* Erases the line (before other output, and at the end). */
void progress_line_clear(struct progress_line *l);

#endif
