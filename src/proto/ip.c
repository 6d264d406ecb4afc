/*
 * ip.c: IPv4 and IPv6 headers, IPv6 extension headers and fragments, then
 * hand-off to the L4 decoders. Lengths: the header's claim bounds the
 * payload (Ethernet padding is not data), the capture bounds what we read.
 */
#include <string.h>

#include "decode_int.h"

/* IPv6 extension header numbers we step over. */
enum {
	IP6_HOPOPTS = 0,
	IP6_ROUTING = 43,
	IP6_FRAGMENT = 44,
	IP6_AH = 51,
	IP6_DSTOPTS = 60
};

/* Real chains are 1-3 headers; the bound keeps hostile chains cheap. */
#define IP6_MAX_EXT 16

int
ip6_skip_ext(const uint8_t *d, uint32_t len, uint8_t *nh, uint32_t *off,
    uint16_t *frag, uint32_t *frag_id)
{
	uint32_t hl;
	int n;

	*frag = 0;
	*frag_id = 0;
	for (n = 0; n < IP6_MAX_EXT; n++) {
		switch (*nh) {
		case IP6_HOPOPTS: case IP6_ROUTING: case IP6_DSTOPTS:
			if (len - *off < 2)
				return -1;
			hl = ((uint32_t)d[*off + 1] + 1) * 8;
			break;
		case IP6_AH:		/* length in 4-byte units, minus 2 */
			if (len - *off < 2)
				return -1;
			hl = ((uint32_t)d[*off + 1] + 2) * 4;
			break;
		case IP6_FRAGMENT:
			if (len - *off < 8)
				return -1;
			*frag = rd16(d + *off + 2) & 0xfff9;
			*frag_id = (uint32_t)rd16(d + *off + 4) << 16 |
			    rd16(d + *off + 6);
			*nh = d[*off];
			*off += 8;
			/* Past a non-first fragment header comes data, not headers. */
			if (*frag & 0xfff8)
				return 0;
			continue;
		default:
			return 0;
		}
		if (len - *off < hl)
			return -1;
		*nh = d[*off];
		*off += hl;
	}
	return -1;
}

/*
 * d/cap is the captured L4 span, wire what the IP header claims for it.
 * The payload is first set to the whole span so that protocols without a
 * decoder still expose their bytes.
 */
static enum decode_result
decode_l4(uint8_t proto, const uint8_t *d, uint32_t cap, uint32_t wire,
    bool nonfirst, struct pkt *p)
{
	p->l4 = proto;
	p->payload = d;
	p->payload_len = cap;
	p->payload_wire_len = wire;
	if (nonfirst)
		return DECODE_OK;
	switch (proto) {
	case L4_TCP:
		return decode_tcp(d, cap, wire, p);
	case L4_UDP:
		return decode_udp(d, cap, wire, p);
	case L4_ICMP:
		if (p->ipver == 4)
			return decode_icmp(d, cap, wire, p);
		break;
	case L4_ICMP6:
		if (p->ipver == 6)
			return decode_icmp(d, cap, wire, p);
		break;
	}
	return DECODE_OK;
}

static void
set_fragment(struct pkt *p, const uint8_t *d, uint32_t cap, uint32_t wire,
    uint32_t offset, uint32_t id, bool more)
{
	p->frag_data = d;
	p->frag_len = cap;
	p->frag_wire_len = wire;
	p->frag_offset = offset;
	p->frag_id = id;
	p->frag_more = more;
}

static enum decode_result
decode_ip4(const uint8_t *d, uint32_t len, struct pkt *p)
{
	uint32_t hl, total, cap;
	uint16_t fo;

	if (len < 20)
		return DECODE_MALFORMED;
	p->ipver = 4;
	p->l4 = d[9];
	p->ip_id = rd16(d + 4);
	p->ttl = d[8];
	addr_set4(&p->src, d + 12);
	addr_set4(&p->dst, d + 16);
	hl = (uint32_t)(d[0] & 0x0f) * 4;
	if (hl < 20 || hl > len)
		return DECODE_MALFORMED;
	total = rd16(d + 2);
	/*
	 * A total length of 0 is what TSO leaves in packets captured on the
	 * sending host before segmentation: trust the capture then.
	 */
	if (total == 0)
		total = len;
	if (total < hl)
		return DECODE_MALFORMED;
	cap = len < total ? len : total;
	fo = rd16(d + 6);
	p->fragment = (fo & 0x3fff) != 0;	/* MF or an offset; not DF */
	if (p->fragment)
		set_fragment(p, d + hl, cap - hl, total - hl,
		    (uint32_t)(fo & 0x1fff) * 8, rd16(d + 4), (fo & 0x2000) != 0);
	return decode_l4(d[9], d + hl, cap - hl, total - hl,
	    (fo & 0x1fff) != 0, p);
}

static enum decode_result
decode_ip6(const uint8_t *d, uint32_t len, struct pkt *p)
{
	uint32_t plen, cap, off = 40, frag_id;
	uint16_t frag;
	uint8_t nh;

	if (len < 40)
		return DECODE_MALFORMED;
	p->ipver = 6;
	nh = p->l4 = d[6];
	p->ttl = d[7];
	addr_set6(&p->src, d + 8);
	addr_set6(&p->dst, d + 24);
	plen = rd16(d + 4);
	/*
	 * 0 means a jumbogram (or TSO on the sender): the real length is in
	 * a hop-by-hop option we do not trust, so the capture is the bound.
	 */
	if (plen == 0)
		plen = len - 40;
	cap = len - 40 < plen ? len - 40 : plen;
	if (ip6_skip_ext(d, 40 + cap, &nh, &off, &frag, &frag_id) < 0)
		return DECODE_MALFORMED;
	p->fragment = frag != 0;
	if (p->fragment)
		set_fragment(p, d + off, 40 + cap - off, plen - (off - 40),
		    frag & 0xfff8, frag_id, (frag & 1) != 0);
	return decode_l4(nh, d + off, 40 + cap - off, plen - (off - 40),
	    (frag & 0xfff8) != 0, p);
}

enum decode_result
decode_ip_zeroed(const uint8_t *data, uint32_t len, struct pkt *p)
{
	if (len < 1)
		return DECODE_MALFORMED;
	switch (data[0] >> 4) {
	case 4:
		return decode_ip4(data, len, p);
	case 6:
		return decode_ip6(data, len, p);
	}
	return DECODE_MALFORMED;
}

enum decode_result
decode_ip(const uint8_t *data, uint32_t len, struct pkt *p)
{
	uint16_t vlan = p->vlan;	/* set by the link layer, if any */

	memset(p, 0, sizeof *p);
	p->vlan = vlan;
	return decode_ip_zeroed(data, len, p);
}
