/* tcp.c: TCP header: ports, sequence numbers, flags, payload span. */
#include "decode_int.h"

/* Only the flags packet.h names: ECE/CWR/URG would upset equality tests. */
#define TCPF_KNOWN (TCPF_FIN | TCPF_SYN | TCPF_RST | TCPF_PSH | TCPF_ACK)

enum decode_result
decode_tcp(const uint8_t *d, uint32_t len, uint32_t wire_len, struct pkt *p)
{
	uint32_t hl;

	/* No payload until the header is known to be whole. */
	p->payload_len = p->payload_wire_len = 0;
	/* Fill what the bytes allow so a short segment can still be counted. */
	if (len < 4)
		return DECODE_MALFORMED;
	p->sport = rd16(d);
	p->dport = rd16(d + 2);
	if (len < 20)
		return DECODE_MALFORMED;
	p->seq = rd32(d + 4);
	p->ack = rd32(d + 8);
	p->tcp_flags = d[13] & TCPF_KNOWN;
	hl = (uint32_t)(d[12] >> 4) * 4;
	if (hl < 20 || hl > len)
		return DECODE_MALFORMED;
	p->payload = d + hl;
	p->payload_len = len - hl;
	p->payload_wire_len = wire_len > hl ? wire_len - hl : 0;
	return DECODE_OK;
}
