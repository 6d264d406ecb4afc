/*
 * frag.c: reassembly of fragmented UDP datagrams (IPv4 and IPv6), so that
 * a DNS answer too big for one packet (EDNS0) still reaches the DNS log
 * instead of looking like no answer at all. Bounded: a few datagrams at a
 * time, 64 KiB each, forgotten after a while.
 */
#include <stdlib.h>
#include <string.h>

#include "flow.h"

#define FRAG_SLOTS 32			/* datagrams being put together */
#define FRAG_MAX 65535u			/* an IP datagram's largest payload */
#define FRAG_BLOCKS (FRAG_MAX / 8 + 1)	/* fragments come in 8-byte units */
#define FRAG_WAIT_NS (30LL * 1000000000LL)	/* RFC 791's upper bound */

struct frag_slot {
	bool used;
	struct gw_addr src, dst;
	uint32_t id;
	uint8_t proto;
	int64_t first_ns;
	uint32_t total;		/* known once the last fragment came; 0 before */
	uint8_t *buf;		/* FRAG_MAX bytes */
	uint8_t have[(FRAG_BLOCKS + 7) / 8];	/* 8-byte blocks received */
};

struct frag_table {
	struct frag_slot slot[FRAG_SLOTS];
};

void
frag_free(struct flow *fl)
{
	if (fl->frags == NULL)
		return;
	for (int i = 0; i < FRAG_SLOTS; i++)
		free(fl->frags->slot[i].buf);
	free(fl->frags);
	fl->frags = NULL;
}

static bool
same_datagram(const struct frag_slot *s, const struct pkt *p)
{
	return s->used && s->id == p->frag_id && s->proto == p->l4 &&
	    addr_eq(&s->src, &p->src) && addr_eq(&s->dst, &p->dst);
}

/* The slot of p's datagram: its own, else a free or the oldest one. */
static struct frag_slot *
slot_for(struct frag_table *t, const struct pkt *p, int64_t now)
{
	struct frag_slot *oldest = &t->slot[0];

	for (int i = 0; i < FRAG_SLOTS; i++) {
		struct frag_slot *s = &t->slot[i];

		if (s->used && now - s->first_ns > FRAG_WAIT_NS)
			s->used = false;	/* never completed: forget it */
		if (same_datagram(s, p))
			return s;
	}
	for (int i = 0; i < FRAG_SLOTS; i++) {
		if (!t->slot[i].used)
			return &t->slot[i];
		if (t->slot[i].first_ns < oldest->first_ns)
			oldest = &t->slot[i];
	}
	return oldest;
}

static bool
complete(const struct frag_slot *s)
{
	if (s->total == 0)
		return false;
	for (uint32_t b = 0; b < (s->total + 7) / 8; b++)
		if (!(s->have[b / 8] & (1u << (b % 8))))
			return false;
	return true;
}

/* A whole UDP datagram: to the DNS log if it is DNS. */
static void
deliver(struct flow *fl, const struct frame *f, const struct pkt *p,
    const struct frag_slot *s)
{
	struct pkt udp = *p;
	uint32_t ulen;

	if (s->proto != L4_UDP || s->total < 8)
		return;
	udp.sport = (uint16_t)(s->buf[0] << 8 | s->buf[1]);
	udp.dport = (uint16_t)(s->buf[2] << 8 | s->buf[3]);
	ulen = (uint32_t)s->buf[4] << 8 | s->buf[5];
	if (ulen < 8 || ulen > s->total)
		ulen = s->total;	/* IPv6 jumbograms and liars */
	if (udp.sport != FLOW_DNS_PORT && udp.dport != FLOW_DNS_PORT)
		return;
	fl->stats.reassembled++;
	dns_feed(fl, f, &udp, s->buf + 8, ulen - 8, false);
}

void
frag_feed(struct flow *fl, const struct frame *f, const struct pkt *p)
{
	struct frag_slot *s;
	uint32_t off = p->frag_offset, len = p->frag_len;

	/* a fragment cut by the snap length cannot be put back */
	if (len != p->frag_wire_len || off + len > FRAG_MAX || len == 0)
		return;
	if (fl->frags == NULL &&
	    (fl->frags = calloc(1, sizeof *fl->frags)) == NULL)
		return;
	s = slot_for(fl->frags, p, f->ts_ns);
	if (!same_datagram(s, p)) {
		uint8_t *buf = s->buf;

		memset(s, 0, sizeof *s);
		s->buf = buf;
		s->used = true;
		s->src = p->src;
		s->dst = p->dst;
		s->id = p->frag_id;
		s->proto = p->l4;
		s->first_ns = f->ts_ns;
	}
	if (s->buf == NULL && (s->buf = malloc(FRAG_MAX)) == NULL) {
		s->used = false;
		return;
	}
	memcpy(s->buf + off, p->frag_data, len);
	for (uint32_t b = off / 8; b < (off + len + 7) / 8; b++)
		s->have[b / 8] |= (uint8_t)(1u << (b % 8));
	if (!p->frag_more)
		s->total = off + len;
	if (complete(s)) {
		deliver(fl, f, p, s);
		s->used = false;
	}
}
