/* udp.c: UDP header: ports and the payload span bounded by the UDP length. */
#include "decode_int.h"

enum decode_result
decode_udp(const uint8_t *d, uint32_t len, uint32_t wire_len, struct pkt *p)
{
	uint32_t ulen;

	p->payload_len = p->payload_wire_len = 0;
	if (len < 4)
		return DECODE_MALFORMED;
	p->sport = rd16(d);
	p->dport = rd16(d + 2);
	if (len < 8)
		return DECODE_MALFORMED;
	ulen = rd16(d + 4);
	/* RFC 2675: a jumbogram's UDP length is 0, the IPv6 length rules. */
	if (ulen == 0 && p->ipver == 6)
		ulen = wire_len;
	if (ulen < 8)
		return DECODE_MALFORMED;
	/* A first fragment legitimately carries less than the UDP length. */
	if (ulen > wire_len && !p->fragment)
		return DECODE_MALFORMED;
	p->payload = d + 8;
	p->payload_len = (len < ulen ? len : ulen) - 8;
	p->payload_wire_len = ulen - 8;
	return DECODE_OK;
}
