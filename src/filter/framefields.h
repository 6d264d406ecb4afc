/*
 * framefields.h: one frame decoded into the fields a display filter tests
 * and the packet list shows (Wireshark's names and meanings). Headers come
 * from the frame's bytes; what needs the whole capture (the HTTP message a
 * frame completes, the TCP stream index, SYN retransmissions) comes from
 * the engine's model through a small index built once per model.
 */
#ifndef GW_FRAMEFIELDS_H
#define GW_FRAMEFIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../capture/frame.h"
#include "../flow/flow.h"
#include "../proto/dns.h"
#include "../proto/packet.h"

enum ff_field {
	FF_FRAME, FF_FRAME_NUMBER, FF_FRAME_TIME_REL, FF_FRAME_LEN,
	FF_IP, FF_IP_ADDR, FF_IP_SRC, FF_IP_DST,
	FF_IPV6, FF_IPV6_ADDR, FF_IPV6_SRC, FF_IPV6_DST,
	FF_TCP, FF_TCP_PORT, FF_TCP_SRCPORT, FF_TCP_DSTPORT, FF_TCP_STREAM,
	FF_TCP_SYN, FF_TCP_ACK, FF_TCP_RST, FF_TCP_FIN, FF_TCP_RETRANS,
	FF_UDP, FF_UDP_PORT, FF_UDP_SRCPORT, FF_UDP_DSTPORT,
	FF_HTTP, FF_HTTP_REQUEST, FF_HTTP_METHOD, FF_HTTP_HOST,
	FF_HTTP_RESPONSE, FF_HTTP_CODE,
	FF_DNS, FF_DNS_QRY_NAME, FF_DNS_RCODE, FF_DNS_RESPONSE,
	FF_ICMP, FF_ICMP_TYPE, FF_ICMP_CODE,
	FF_ICMPV6, FF_ICMPV6_TYPE, FF_ICMPV6_CODE,
	FF_NFIELDS
};

enum ff_type {
	FT_PROTO,	/* present or not (protocols, markers) */
	FT_UINT,	/* numbers and booleans (0/1) */
	FT_TIME,	/* seconds, as a double */
	FT_ADDR,	/* IPv4 or IPv6 address */
	FT_STR		/* text from the network (raw bytes) */
};

/* What filling a frame has to look at, so simple filters stay cheap. */
#define FF_NEED_CONN 0x01u	/* the TCP connection (stream, retransmission) */
#define FF_NEED_HTTP 0x02u	/* the HTTP message completed by the frame */
#define FF_NEED_DNS 0x04u	/* the DNS message */
#define FF_NEED_ALL 0x07u

struct ff_fieldinfo {
	const char *name;
	uint8_t type;		/* enum ff_type */
	uint8_t need;		/* FF_NEED_* */
};

/* NULL when Wireshark's name is not one we know. */
const struct ff_fieldinfo *ff_field_info(enum ff_field f);
int ff_field_lookup(const char *name, size_t len);	/* -1: unknown */

#define FF_MAX_VALUES 8
#define FF_MAX_MSGS 4	/* HTTP messages one frame completes */

struct ff_value {
	uint64_t u;
	double t;
	struct gw_addr a;
	const char *s;
	size_t slen;
};

/* Frame number → HTTP messages, TCP tuple → connections: built per model. */
struct ff_msgkey {
	uint64_t frame;
	uint32_t msg;
};

struct ff_index {
	const struct flow *fl;
	struct ff_msgkey *msgs;	/* sorted by frame */
	size_t nmsgs;
	uint32_t *conns;	/* open addressing, NONE32: empty */
	size_t conns_size;
	size_t built_nconns, built_nmsgs;	/* model size when built */
	uint16_t http_ports[FLOW_MAX_PROXY_PORTS + 16];
	size_t nhttp_ports;	/* Wireshark's HTTP ports plus the proxy's */
	int64_t first_ts;	/* time of frame 1 (frame.time_relative) */
};

/* 0, or -1 when out of memory. Call again when the model has grown. */
int ff_index_build(struct ff_index *ix, const struct flow *fl);
bool ff_index_stale(const struct ff_index *ix, const struct flow *fl);
void ff_index_free(struct ff_index *ix);

struct frame_fields {
	const struct ff_index *ix;
	uint64_t number;
	int64_t ts_ns;
	uint32_t wirelen;
	int linktype;
	const uint8_t *data;
	uint32_t caplen;
	bool ip_ok;		/* p holds at least the IP addresses */
	struct pkt p;
	bool has_inner;		/* an ICMP error's quoted IP packet */
	bool inner_l4_ok;	/* inner TCP header whole (flags valid) */
	struct pkt inner;
	uint32_t conn;		/* flow.conns index, NONE32 */
	bool retrans;
	uint32_t msgs[FF_MAX_MSGS];	/* HTTP messages shown on this frame */
	unsigned nmsgs;
	bool http;
	bool is_dns, dns_ok;
	struct dns_msg dns;
};

/* Decodes f (valid until the reader moves) with what `need` asks for. */
void ff_fill(struct frame_fields *ff, const struct ff_index *ix,
    const struct frame *f, unsigned need);
/* The values of a field on this frame (0: absent); at most max. */
size_t ff_values(const struct frame_fields *ff, enum ff_field field,
    struct ff_value *out, size_t max);

/* Packet list columns (filled with FF_NEED_ALL); info is escaped. */
const char *ff_protocol(const struct frame_fields *ff);
void ff_addrs(const struct frame_fields *ff, char *src, char *dst,
    size_t len);
void ff_info(const struct frame_fields *ff, char *out, size_t outlen);

#endif
