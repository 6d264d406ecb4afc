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

/*
 * A followed connection that opens with a ClientHello, as TLS records:
 * what each side sent is encrypted past its handshake, so the stream
 * pane lists the records (type, length, what shows in the clear) rather
 * than their bytes. An item is a record, or the bytes of a side from
 * where they stop being TLS (a server that answers the hello in plain
 * HTTP), in the order they came.
 */
struct follow_tls_item {
	uint8_t dir;
	bool record;		/* else bytes that are no TLS record */
	bool sealed;		/* after its side's ChangeCipherSpec */
	uint32_t chunk;		/* the follow chunk it begins in */
	uint32_t off, len;	/* into follow_tls.bytes[dir], the header on;
				 * a record's len may pass the bytes there
				 * are (cut by the capture) */
};

struct follow_tls {
	uint8_t *bytes[2];	/* each direction's bytes in one run */
	size_t nbytes[2];
	struct follow_tls_item *items;
	size_t nitems;
};

/*
 * Lists f's records into out when its first bytes from the side that
 * connected are a ClientHello: 1; 0 when they are not (out left empty),
 * -1 when out of memory.
 */
int follow_tls_read(const struct follow *f, struct follow_tls *out);
void follow_tls_free(struct follow_tls *ft);
/* One line for a record item: "TLS handshake: ServerHello choosing
 * TLS 1.3 (122 bytes)", "TLS alert: fatal unknown_ca (2 bytes)", "TLS
 * application data, encrypted (1234 bytes)". */
void follow_tls_describe(const struct follow_tls *ft,
    const struct follow_tls_item *it, char *out, size_t outlen);

#endif
