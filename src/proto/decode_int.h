/*
 * decode_int.h: helpers shared by the protocol decoders only. Reads are
 * byte-wise so unaligned frame data is never dereferenced as a wider type.
 */
#ifndef GW_DECODE_INT_H
#define GW_DECODE_INT_H

#include <stdint.h>

#include "packet.h"

static inline uint16_t
rd16(const uint8_t *b)
{
	return (uint16_t)((unsigned)b[0] << 8 | b[1]);
}

static inline uint32_t
rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

/*
 * decode_ip on a struct pkt that holds nothing yet but what the link layer
 * set (decode_frame zeroes it once per frame: the 200-byte struct was
 * zeroed twice per frame).
 */
enum decode_result decode_ip_zeroed(const uint8_t *data, uint32_t len,
    struct pkt *p);

/* L4 decoders: data/len is the captured L4 segment, wire_len what IP claims. */
enum decode_result decode_tcp(const uint8_t *data, uint32_t len,
    uint32_t wire_len, struct pkt *p);
enum decode_result decode_udp(const uint8_t *data, uint32_t len,
    uint32_t wire_len, struct pkt *p);
enum decode_result decode_icmp(const uint8_t *data, uint32_t len,
    uint32_t wire_len, struct pkt *p);

/*
 * Walks IPv6 extension headers: *nh is the next-header value found before
 * d[*off]; len bounds the walk. On return *nh is the first non-extension
 * protocol (or the one after a non-first fragment header) and *off its
 * start; *frag is the fragment header's offset/M word, 0 when none, and
 * *frag_id its identification.
 * Returns -1 when a header runs past len or the chain is too long.
 */
int ip6_skip_ext(const uint8_t *d, uint32_t len, uint8_t *nh, uint32_t *off,
    uint16_t *frag, uint32_t *frag_id);

#endif
