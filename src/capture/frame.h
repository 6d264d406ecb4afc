/* frame.h: one captured record as the capture layer hands it on. */
#ifndef GW_FRAME_H
#define GW_FRAME_H

#include <stdint.h>

struct frame {
	uint64_t number;	/* 1-based, as Wireshark numbers frames */
	int64_t ts_ns;		/* capture time, ns since the Unix epoch */
	uint64_t offset;	/* file offset of the record, to read it again */
	const uint8_t *data;	/* valid until the next read on the same reader */
	uint32_t caplen;	/* bytes in data */
	uint32_t wirelen;	/* bytes on the wire */
	int linktype;		/* LINKTYPE_* value of the record's interface */
};

/*
 * Where a frame is: enough to name it and to read it again. The model
 * holds millions of these (three a message, ten a connection), so one is
 * 16 bytes: the offset's low FRAME_OFFSET_LO_BITS only, the rest from the
 * capture's struct frame_offsets (frameoff.h), which changes every 16 MB
 * of file at most.
 */
#define FRAME_NUMBER_BITS 40
#define FRAME_NUMBER_MAX ((UINT64_C(1) << FRAME_NUMBER_BITS) - 1)
#define FRAME_OFFSET_LO_BITS 24
#define FRAME_OFFSET_LO_MASK ((UINT64_C(1) << FRAME_OFFSET_LO_BITS) - 1)

struct frame_ref {
	int64_t ts_ns;
	uint64_t number : FRAME_NUMBER_BITS;	/* 0: none */
	uint64_t offset_lo : FRAME_OFFSET_LO_BITS;
};

_Static_assert(sizeof(struct frame_ref) == 16, "a frame_ref is 16 bytes");

static inline struct frame_ref
frame_ref_of(const struct frame *f)
{
	struct frame_ref r = { .ts_ns = f->ts_ns, .number = f->number,
	    .offset_lo = f->offset & FRAME_OFFSET_LO_MASK };

	return r;
}

/* A frame that only names ref (no bytes), to be made a reference again:
 * its offset is the low bits the reference keeps. */
static inline struct frame
frame_named(const struct frame_ref *ref)
{
	struct frame f = { .number = ref->number, .ts_ns = ref->ts_ns,
	    .offset = ref->offset_lo };

	return f;
}

#endif
