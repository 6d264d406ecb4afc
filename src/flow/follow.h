/*
 * follow.h: "Follow TCP stream" for one connection of the model. Reads the
 * capture file again (its own reader, from the connection's first frame to
 * its last), keeps that 4-tuple's segments and reassembles each direction
 * in sequence order, dropping retransmitted bytes. The bytes are handed
 * back raw: escape them (esc_term) before showing them.
 */
#ifndef GW_FOLLOW_H
#define GW_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

#define FOLLOW_DEFAULT_LIMIT (256u * 1024u)

/* A run of bytes in one direction (0: from the side that sent the SYN). */
struct follow_chunk {
	uint8_t dir;
	uint64_t frame;		/* frame that carried the first byte */
	int64_t ts_ns;
	uint32_t off, len;	/* into follow.data */
};

struct follow {
	struct follow_chunk *chunks;
	size_t nchunks, chunks_cap;
	uint8_t *data;
	size_t len, cap;
	bool truncated;		/* the byte limit was reached */
	uint64_t gap_bytes;	/* bytes missing from the capture */
	uint64_t frames_read;
};

/*
 * Follows connection c of the capture at path (offs: the model's offsets),
 * keeping at most limit bytes (0: FOLLOW_DEFAULT_LIMIT). Returns 0, or -1
 * with one line in err.
 */
int follow_conn(const char *path, const struct frame_offsets *offs,
    const struct conn *c, size_t limit, struct follow *out, char *err,
    size_t errlen);
void follow_free(struct follow *f);

#endif
