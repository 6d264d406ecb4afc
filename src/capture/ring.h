/*
 * ring.h: the index of a ring of capture files (--ring, like dumpcap's
 * ring buffer): which member files still exist, oldest first, and the
 * number of each one's first frame. The index is a small text file that
 * capfile_open() reads as one capture; a frame's offset carries its
 * member's sequence number in the top bits, so a frame reference names
 * the file too.
 */
#ifndef GW_RING_H
#define GW_RING_H

#include <stddef.h>
#include <stdint.h>

#define RING_MAGIC "gw502tui-ring 1"
#define RING_SEQ_SHIFT 40	/* members up to 1 TiB each */
#define RING_MAX_FILES 1024
/* the sequence numbers an offset can carry: 1 .. 2^24 - 1 */
#define RING_MAX_SEQ ((1UL << (64 - RING_SEQ_SHIFT)) - 1)
/*
 * The largest first frame number an index may give: far from wrapping
 * (a member holds under 2^36 frames) and exact as a JSON number (2^53).
 */
#define RING_MAX_FIRST (1ULL << 48)

struct ring_member {
	uint32_t seq;		/* 1, 2, … in the order written */
	uint64_t first;		/* number of its first frame */
	char name[256];		/* file name, in the index's directory */
};

struct ring_index {
	struct ring_member m[RING_MAX_FILES];
	size_t n;
};

static inline uint64_t
ring_offset(uint32_t seq, uint64_t local)
{
	return (uint64_t)seq << RING_SEQ_SHIFT | local;
}

static inline uint32_t
ring_seq(uint64_t offset)
{
	return (uint32_t)(offset >> RING_SEQ_SHIFT);
}

static inline uint64_t
ring_local(uint64_t offset)
{
	return offset & ((1ULL << RING_SEQ_SHIFT) - 1);
}

/*
 * Reads the index at path: 1 (a ring), 0 (not a ring index: some other
 * file), -1 with one line in err (unreadable, or a damaged index).
 */
int ring_index_read(const char *path, struct ring_index *ri, char *err,
    size_t errlen);
/* Writes it under a temporary name, then renames: readers see either. */
int ring_index_write(const char *path, const struct ring_index *ri, char *err,
    size_t errlen);
/* The path of member i: the index's directory and the member's name. */
void ring_member_path(const char *index_path, const struct ring_member *m,
    char *out, size_t outlen);

#endif
