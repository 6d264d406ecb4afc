/*
 * peer_int.h: inside src/peer: the compact index of the peer capture and
 * the signature both captures' packets are matched by.
 */
#ifndef GW_PEER_INT_H
#define GW_PEER_INT_H

#include "../capture/capfile.h"
#include "../proto/packet.h"
#include "peer.h"

#define PEER_MAX_PKTS (4u << 20)	/* peer packets indexed; more counted */
#define PEER_MAX_DELTAS (1u << 20)	/* matched time differences kept */
/* A copy of a gateway packet is looked for this close to where the
 * offset puts it (retransmissions repeat everything but time). */
#define PEER_WINDOW_NS 1000000000LL
/* Hash chain entries examined per look-up: a capture repeating one
 * packet (or crafted to collide) cannot make matching quadratic. */
#define PEER_MAX_WALK 256

enum peer_kind {
	PK_NONE = 0, PK_TCP, PK_DNS_QUERY, PK_DNS_ANSWER, PK_ICMP
};

/*
 * What a packet is known by across NAT. ident: the packet itself (the
 * same packet in both captures); key: what it answers or belongs to (a
 * TCP acknowledgement number; the sequence number after the one an ICMP
 * error quotes; a DNS id and question), 0 when none.
 */
struct peer_sig {
	uint8_t kind;		/* enum peer_kind */
	uint8_t flags;		/* TCP flags */
	uint8_t ttl;
	uint32_t ident, key;
	uint32_t seq;		/* TCP sequence number */
	uint32_t len;		/* L4 payload length on the wire */
};

/* One indexed peer packet: no bytes, only where to read it again. */
struct peer_pkt {
	uint64_t number, offset;
	int64_t ts_ns;
	uint32_t ident, key;
	uint32_t next_ident, next_key;	/* hash chains, NONE32 at the end */
	uint32_t len;
	uint8_t kind, flags, ttl;
};

struct peer {
	char path[512];
	struct capfile *cap;	/* the peer capture, for re-reads */
	struct capfile *gw;	/* the gateway's, opened again for re-reads */
	const struct frame_offsets *gw_offs;	/* its model's offsets */
	struct peer_pkt *pkts;
	size_t npkts, pkts_cap;
	uint64_t pkts_dropped;	/* beyond PEER_MAX_PKTS */
	uint32_t *by_ident, *by_key;	/* bucket heads, NONE32: empty */
	size_t nbuckets;
	int64_t first_ts, last_ts;	/* the peer capture's span, its clock */
	uint64_t frames;
	uint64_t matched, considered;	/* gateway packets matched / tried */
	int64_t offset_ns, spread_ns;
	char damaged[320];	/* "; it is damaged after …" or "" */
	char status[1536];
};

/* The signature of a decoded packet; false for packets not matched. */
bool peer_sig_of(const struct pkt *p, struct peer_sig *s);
/* Reads and decodes the frame at ref (in cf); false when it cannot. */
bool peer_read(struct capfile *cf, uint64_t number, uint64_t offset,
    struct frame *f, struct pkt *p);
/* peer_read of the gateway's frame the model knows as ref. */
bool peer_read_gw(struct peer *pr, const struct frame_ref *ref,
    struct frame *f, struct pkt *p);
/* Key for "answers the TCP segment ending at sequence number next". */
uint32_t peer_ack_key(uint32_t next);
/*
 * Peer packets with this ident near gateway time gw_ts (through the
 * offset), in capture order, into out (at most max); how many.
 */
size_t peer_copies(const struct peer *pr, const struct peer_sig *s,
    int64_t gw_ts, uint32_t *out, size_t max);
/* Peer packets of a kind whose key is `key`, into out; how many. */
size_t peer_by_key(const struct peer *pr, uint32_t key, uint8_t kind,
    uint32_t *out, size_t max);

#endif
