/*
 * packet.h: what the decoders make of one frame: addresses, ports, TCP
 * flags, the L4 payload span and, for ICMP errors, the quoted header.
 * Decoders are pure functions over the frame's bytes: no allocation.
 */
#ifndef GW_PACKET_H
#define GW_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/addr.h"

struct http_pre;
struct dns_pre;

enum l4_proto { L4_NONE = 0, L4_ICMP = 1, L4_TCP = 6, L4_UDP = 17, L4_ICMP6 = 58 };

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

/* The IP + first 8 L4 bytes that an ICMP/ICMPv6 error quotes. */
struct pkt_quote {
	bool valid;
	struct gw_addr src, dst;
	uint8_t l4;
	uint16_t sport, dport;
	uint32_t seq;		/* TCP sequence number of the quoted segment */
};

struct pkt {
	uint8_t ipver;		/* 4 or 6; 0 when the frame holds no IP */
	uint8_t l4;		/* enum l4_proto, or another IP protocol number */
	bool fragment;		/* IP fragment: L4 decoded only for offset 0 */
	uint16_t vlan;		/* outermost 802.1Q VLAN id, 0 if none */
	uint16_t ip_id;		/* IPv4 identification (0 for IPv6): NAT keeps it */
	uint8_t ttl;		/* IPv4 TTL / IPv6 hop limit */
	struct gw_addr src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t tcp_flags;
	const uint8_t *payload;	/* L4 payload, captured bytes only */
	uint32_t payload_len;	/* captured payload bytes */
	uint32_t payload_wire_len; /* payload length the IP header claims */
	uint8_t icmp_type, icmp_code;
	struct pkt_quote quote;
	/* an IP fragment: its bytes after the IP header(s), for reassembly */
	const uint8_t *frag_data;
	uint32_t frag_len;	/* captured bytes of it */
	uint32_t frag_wire_len;	/* its length on the wire */
	uint32_t frag_offset;	/* bytes from the datagram's L4 start */
	uint32_t frag_id;	/* IPv4 identification, IPv6 fragment id */
	bool frag_more;		/* more fragments follow (MF) */
	/* parsed ahead (the reading thread), or NULL: a TCP payload's
	 * HTTP head, a UDP payload's DNS message */
	const struct http_pre *http_pre;
	const struct dns_pre *dns_pre;
};

enum decode_result {
	DECODE_OK = 0,		/* IP packet decoded (maybe only up to L3) */
	DECODE_NOT_IP,		/* ARP, LLDP … nothing for us */
	DECODE_BAD_LINK,	/* link type the tool does not decode */
	DECODE_MALFORMED	/* lengths or versions that do not add up */
};

/* Decodes link, IP and L4 headers of a frame. Never reads past caplen. */
enum decode_result decode_frame(int linktype, const uint8_t *data,
    uint32_t caplen, struct pkt *p);
/* Decodes an IPv4/IPv6 packet starting at data (used by decode_frame). */
enum decode_result decode_ip(const uint8_t *data, uint32_t len, struct pkt *p);
/* Is this link type one decode_frame() understands? */
bool decode_link_supported(int linktype);
const char *icmp_unreach_name(uint8_t ipver, uint8_t type, uint8_t code);

#endif
