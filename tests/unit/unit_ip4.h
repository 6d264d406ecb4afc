/* unit_ip4.h: an IPv4 header in front of a payload, for decoder and flow
 * tests that feed raw packets (header only: each test is one file). */
#ifndef GW_UNIT_IP4_H
#define GW_UNIT_IP4_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Writes header + body at b (body may overlap b + 20); returns the
 * length. fragword is the flags/offset field (0x2000: MF, 0x4000: DF). */
static inline size_t
unit_ip4(uint8_t *b, uint8_t proto, const uint8_t src[4],
    const uint8_t dst[4], uint16_t id, unsigned fragword,
    const uint8_t *body, size_t n)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	b[2] = (uint8_t)((20 + n) >> 8);
	b[3] = (uint8_t)(20 + n);
	b[4] = (uint8_t)(id >> 8);
	b[5] = (uint8_t)id;
	b[6] = (uint8_t)(fragword >> 8);
	b[7] = (uint8_t)fragword;
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, src, 4);
	memcpy(b + 16, dst, 4);
	memmove(b + 20, body, n);
	return 20 + n;
}

#endif
