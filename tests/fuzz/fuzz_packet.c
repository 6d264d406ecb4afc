/*
 * fuzz_packet.c: link, IP, TCP/UDP and ICMP decoding (decode_frame).
 * Input bytes 0–1 pick the link type (mostly among the supported ones),
 * the rest is the frame. The decoded payload span and the quoted header
 * must lie inside the captured bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/packet.h"

#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* pcap LINKTYPE_ values: null, ethernet, raw, loop, raw4/6, SLL, SLL2 */
	static const int lt[] = { 0, 1, 101, 108, 228, 229, 113, 276, 12, 14 };
	struct pkt p;
	uint8_t *frame;
	int linktype;
	uint32_t len;

	if (size < 2)
		return 0;
	if (data[0] & 0x80)
		linktype = data[1] | (data[0] & 0x7f) << 8;
	else
		linktype = lt[data[1] % (sizeof lt / sizeof lt[0])];
	len = (uint32_t)(size - 2);
	frame = malloc(len ? len : 1);
	if (frame == NULL)
		abort();
	memcpy(frame, data + 2, len);
	memset(&p, 0xa5, sizeof p);
	if (decode_frame(linktype, frame, len, &p) == DECODE_OK) {
		FUZZ_ASSERT(p.ipver == 4 || p.ipver == 6);
		if (p.payload_len > 0) {
			FUZZ_ASSERT(p.payload >= frame);
			FUZZ_ASSERT(p.payload + p.payload_len <= frame + len);
		}
		if (p.l4 == L4_ICMP || p.l4 == L4_ICMP6)
			(void)icmp_unreach_name(p.ipver, p.icmp_type,
			    p.icmp_code);
	}
	(void)decode_link_supported(linktype);
	free(frame);
	return 0;
}
