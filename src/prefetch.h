/*
 * prefetch.h: a second thread that reads a capture file and decodes its
 * frames (capture → proto) ahead of the engine, which takes them in the
 * file's order through a bounded queue of batches. The engine's thread
 * then only correlates: on a gateway with several cores, reading and
 * decoding cost it no time. What comes out is what capfile_next and
 * decode_frame give on one thread, frame for frame.
 */
#ifndef GW_PREFETCH_H
#define GW_PREFETCH_H

#include <stdint.h>

#include "capture/capfile.h"
#include "proto/packet.h"

struct prefetch;

/* One frame as read and decoded: valid until the next prefetch_next. */
struct prefetch_frame {
	struct frame f;
	struct pkt p;		/* decoded when result is DECODE_OK */
	enum decode_result result;
	uint64_t end_pos;	/* file offset just past the record */
};

/*
 * Starts reading cf in a thread of its own. cf belongs to that thread
 * until prefetch_stop, except capfile_path and capfile_size. NULL when no
 * thread could be started (the caller reads on its own).
 */
struct prefetch *prefetch_start(struct capfile *cf);
/*
 * As capfile_next: 1 with the next frame in *out; 0 at the end of the
 * file; -1 when the file is damaged from there on, or a frame found no
 * memory (prefetch_error says which). After 0 or -1 every later call says
 * so again.
 */
int prefetch_next(struct prefetch *pf, const struct prefetch_frame **out);
const char *prefetch_error(const struct prefetch *pf);
/* Bytes of the file the frames taken so far came from (for progress). */
uint64_t prefetch_pos(const struct prefetch *pf);
/* Stops the thread (at once, whatever is left unread) and frees. */
void prefetch_stop(struct prefetch *pf);

#endif
