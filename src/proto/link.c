/*
 * link.c: link-layer framing down to the IP header. Only the link types a
 * proxy gateway capture realistically has are decoded; the rest are
 * reported as DECODE_BAD_LINK so the caller can say so once.
 */
#include <string.h>

#include "decode_int.h"

/* LINKTYPE_* values (pcap-linktype(7)). */
enum {
	LT_NULL = 0,
	LT_ETHERNET = 1,
	LT_RAW_12 = 12,		/* DLT_RAW on some BSDs */
	LT_RAW_14 = 14,		/* DLT_RAW on OpenBSD */
	LT_RAW = 101,
	LT_LOOP = 108,
	LT_LINUX_SLL = 113,
	LT_IPV4 = 228,
	LT_IPV6 = 229,
	LT_LINUX_SLL2 = 276
};

#define ETHERTYPE_IP	0x0800
#define ETHERTYPE_IPV6	0x86dd
#define ETHERTYPE_8021Q	0x8100
#define ETHERTYPE_8021AD 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100

/* QinQ is two tags; a few more leaves room for odd setups, but bounded. */
#define MAX_VLAN_TAGS 4

/*
 * The pcap link-type field carries FCS-length and other flags in its upper
 * bits; the type itself is the low 16.
 */
static unsigned
link_base(int linktype)
{
	return (unsigned)linktype & 0xffffu;
}

bool
decode_link_supported(int linktype)
{
	switch (link_base(linktype)) {
	case LT_NULL: case LT_ETHERNET: case LT_RAW_12: case LT_RAW_14:
	case LT_RAW: case LT_LOOP: case LT_LINUX_SLL: case LT_IPV4:
	case LT_IPV6: case LT_LINUX_SLL2:
		return true;
	}
	return false;
}

static bool
is_vlan_tpid(uint16_t type)
{
	return type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD ||
	    type == ETHERTYPE_QINQ_OLD;
}

/*
 * type has been read already; d/len is what follows it. VLAN tags are
 * TCI + inner type, the same layout after Ethernet, SLL (libpcap inserts
 * the tag before the protocol field) and SLL2.
 */
static enum decode_result
decode_ethertype(uint16_t type, const uint8_t *d, uint32_t len, struct pkt *p)
{
	int ntags = 0;

	while (is_vlan_tpid(type)) {
		if (++ntags > MAX_VLAN_TAGS || len < 4)
			return DECODE_MALFORMED;
		if (ntags == 1)
			p->vlan = rd16(d) & 0x0fff;
		type = rd16(d + 2);
		d += 4;
		len -= 4;
	}
	if (type != ETHERTYPE_IP && type != ETHERTYPE_IPV6)
		return DECODE_NOT_IP;
	return decode_ip_zeroed(d, len, p);
}

/* BSD loopback: an address family whose value depends on the OS. */
static enum decode_result
decode_family(uint32_t af, const uint8_t *d, uint32_t len, struct pkt *p)
{
	switch (af) {
	case 2:				/* AF_INET everywhere */
	case 24: case 28: case 30:	/* AF_INET6: NetBSD/OpenBSD, FreeBSD, Darwin */
		return decode_ip_zeroed(d, len, p);
	}
	return DECODE_NOT_IP;
}

/* Raw IP whose version must match what the link type promises. */
static enum decode_result
decode_ipver(unsigned want, const uint8_t *d, uint32_t len, struct pkt *p)
{
	if (len < 1 || (unsigned)(d[0] >> 4) != want)
		return DECODE_MALFORMED;
	return decode_ip_zeroed(d, len, p);
}

enum decode_result
decode_frame(int linktype, const uint8_t *data, uint32_t caplen, struct pkt *p)
{
	uint32_t af;

	memset(p, 0, sizeof *p);
	switch (link_base(linktype)) {
	case LT_ETHERNET:
		if (caplen < 14)
			return DECODE_MALFORMED;
		return decode_ethertype(rd16(data + 12), data + 14,
		    caplen - 14, p);
	case LT_LINUX_SLL:
		if (caplen < 16)
			return DECODE_MALFORMED;
		return decode_ethertype(rd16(data + 14), data + 16,
		    caplen - 16, p);
	case LT_LINUX_SLL2:
		if (caplen < 20)
			return DECODE_MALFORMED;
		return decode_ethertype(rd16(data), data + 20, caplen - 20, p);
	case LT_RAW: case LT_RAW_12: case LT_RAW_14:
		return decode_ip_zeroed(data, caplen, p);
	case LT_IPV4:
		return decode_ipver(4, data, caplen, p);
	case LT_IPV6:
		return decode_ipver(6, data, caplen, p);
	case LT_NULL:
		if (caplen < 4)
			return DECODE_MALFORMED;
		/*
		 * Host byte order of the capturing machine, which need not be
		 * ours: the values are small, so whichever order is small wins.
		 */
		af = (uint32_t)data[0] | (uint32_t)data[1] << 8 |
		    (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
		if (af > 0xffff)
			af = rd32(data);
		return decode_family(af, data + 4, caplen - 4, p);
	case LT_LOOP:
		if (caplen < 4)
			return DECODE_MALFORMED;
		return decode_family(rd32(data), data + 4, caplen - 4, p);
	}
	return DECODE_BAD_LINK;
}
