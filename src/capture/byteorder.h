/*
 * byteorder.h: the integers of a capture file in the byte order the file
 * says (its magic or byte-order mark), whatever the host's: pcap records
 * (pcaprec.c), pcapng blocks (pcapng.c) and the framing of a stream on a
 * pipe (pipe.c) read them alike.
 */
#ifndef GW_BYTEORDER_H
#define GW_BYTEORDER_H

#include <stdbool.h>
#include <stdint.h>

static inline uint16_t
byteorder_16(const uint8_t *p, bool be)
{
	return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static inline uint32_t
byteorder_32(const uint8_t *p, bool be)
{
	if (be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

static inline uint64_t
byteorder_64(const uint8_t *p, bool be)
{
	uint64_t hi = byteorder_32(p, be), lo = byteorder_32(p + 4, be);

	return be ? hi << 32 | lo : lo << 32 | hi;
}

#endif
