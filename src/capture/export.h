/*
 * export.h: writing a range of frames of a capture to a new pcap file,
 * safely: a temporary file in the target's folder, then a link/rename that
 * never replaces an existing file unless forced.
 */
#ifndef GW_EXPORT_H
#define GW_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frameoff.h"

/*
 * Writes frames first..last (inclusive) of the capture at `in_path`; the
 * reader starts at `first`'s record (offs: the model's table of offsets,
 * frameoff.h). Keeps the frames' link type and the file's timestamp
 * precision. Returns 0 and sets *written, or -1 with one line in err.
 */
int export_range(const char *in_path, const struct frame_offsets *offs,
    const struct frame_ref *first, uint64_t last, const char *out_path,
    bool force, uint64_t *written, char *err, size_t errlen);

/*
 * What export_range writes for the same frames: "pcapng" when they mix
 * link types (a pcap file holds one), else "pcap" (the name to propose
 * ends so). Reads the range; NULL with one line in err.
 */
const char *export_range_format(const char *in_path,
    const struct frame_offsets *offs, const struct frame_ref *first,
    uint64_t last, char *err, size_t errlen);

/*
 * Writes the listed frames (strictly increasing numbers, each with its
 * record offset), the same way: a frame that is not where its reference
 * says is an error, nothing is left behind.
 */
int export_frames(const char *in_path, const struct frame_offsets *offs,
    const struct frame_ref *frames, size_t n, const char *out_path,
    bool force, uint64_t *written, char *err, size_t errlen);

/*
 * One pcapng block in host byte order: header, body, data padded to 4
 * bytes, trailer (the --peer export writes its own interfaces with it).
 * 0, or -1 when writing failed.
 */
int export_ng_block(FILE *fp, uint32_t type, const uint8_t *body,
    size_t blen, const uint8_t *data, size_t dlen);
/* v at p in host byte order, for a block's body. */
void export_ng_put16(uint8_t *p, uint16_t v);

#endif
