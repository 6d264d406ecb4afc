/*
 * icmp.c: ICMP and ICMPv6. For error messages the quoted IP header and
 * first 8 L4 bytes say which of our connections the error is about.
 */
#include <string.h>

#include "decode_int.h"

/* Error messages quote the offending packet; informational ones do not. */
static bool
icmp_is_error(uint8_t ipver, uint8_t type)
{
	if (ipver == 6)
		return type < 128;	/* RFC 4443 2.1 */
	return type == 3 || type == 4 || type == 5 || type == 11 ||
	    type == 12;
}

/*
 * The quote is whatever the router chose to include, so it may stop
 * anywhere: valid needs the addresses, ports need 4 L4 bytes, seq 8.
 */
static void
quote_ip(const uint8_t *d, uint32_t len, struct pkt_quote *q)
{
	uint32_t hl, frag_id;
	uint16_t frag;
	uint8_t nh;

	memset(q, 0, sizeof *q);
	if (len < 1)
		return;
	if (d[0] >> 4 == 4) {
		hl = (uint32_t)(d[0] & 0x0f) * 4;
		if (len < 20 || hl < 20 || hl > len)
			return;
		addr_set4(&q->src, d + 12);
		addr_set4(&q->dst, d + 16);
		nh = d[9];
		frag = rd16(d + 6) & 0x1fff;
	} else if (d[0] >> 4 == 6) {
		if (len < 40)
			return;
		addr_set6(&q->src, d + 8);
		addr_set6(&q->dst, d + 24);
		nh = d[6];
		hl = 40;
		if (ip6_skip_ext(d, len, &nh, &hl, &frag, &frag_id) < 0) {
			/* Quote cut inside the chain: addresses only. */
			q->valid = true;
			q->l4 = nh;
			return;
		}
		frag &= 0xfff8;
	} else {
		return;
	}
	q->valid = true;
	q->l4 = nh;
	if (frag != 0 || (nh != L4_TCP && nh != L4_UDP))
		return;
	if (len - hl >= 4) {
		q->sport = rd16(d + hl);
		q->dport = rd16(d + hl + 2);
	}
	if (nh == L4_TCP && len - hl >= 8)
		q->seq = rd32(d + hl + 4);
}

enum decode_result
decode_icmp(const uint8_t *d, uint32_t len, uint32_t wire_len, struct pkt *p)
{
	p->payload_len = p->payload_wire_len = 0;
	if (len < 2)
		return DECODE_MALFORMED;
	p->icmp_type = d[0];
	p->icmp_code = d[1];
	if (len < 8)
		return DECODE_MALFORMED;
	p->payload = d + 8;
	p->payload_len = len - 8;
	p->payload_wire_len = wire_len - 8;
	if (icmp_is_error(p->ipver, p->icmp_type))
		quote_ip(d + 8, len - 8, &p->quote);
	return DECODE_OK;
}

static const char *const unreach4[] = {
	"Network unreachable",
	"Host unreachable",
	"Protocol unreachable",
	"Port unreachable",
	"Fragmentation needed",
	"Source route failed",
	"Destination network unknown",
	"Destination host unknown",
	"Source host isolated",
	"Network administratively prohibited",
	"Host administratively prohibited",
	"Network unreachable for TOS",
	"Host unreachable for TOS",
	"Communication administratively filtered",
	"Host precedence violation",
	"Precedence cutoff in effect",
};

static const char *const unreach6[] = {
	"No route to destination",
	"Communication with destination administratively prohibited",
	"Beyond scope of source address",
	"Address unreachable",
	"Port unreachable",
	"Source address failed ingress/egress policy",
	"Reject route to destination",
	"Error in Source Routing Header",
	"Headers too long",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Wireshark's wording, so users can match it against their own traces. */
const char *
icmp_unreach_name(uint8_t ipver, uint8_t type, uint8_t code)
{
	if (ipver == 6) {
		switch (type) {
		case 1:
			return code < NELEM(unreach6) ? unreach6[code] :
			    "Destination unreachable (unknown code)";
		case 2:
			return "Packet too big";
		case 3:
			return code == 0 ? "Hop limit exceeded in transit" :
			    code == 1 ? "Fragment reassembly time exceeded" :
			    "Time exceeded (unknown code)";
		case 4:
			return "Parameter problem";
		}
		return "ICMPv6";
	}
	switch (type) {
	case 3:
		return code < NELEM(unreach4) ? unreach4[code] :
		    "Destination unreachable (unknown code)";
	case 4:
		return "Source quench";
	case 5:
		return "Redirect";
	case 11:
		return code == 0 ? "Time to live exceeded in transit" :
		    code == 1 ? "Fragment reassembly time exceeded" :
		    "Time exceeded (unknown code)";
	case 12:
		return "Parameter problem";
	}
	return "ICMP";
}
