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

/* Where a frame is: enough to name it and to read it again. */
struct frame_ref {
	uint64_t number;	/* 0: none */
	int64_t ts_ns;
	uint64_t offset;
};

#endif
