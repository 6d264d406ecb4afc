/*
 * pending.c: TCP flows whose SYN the capture did not see wait here, in a
 * few dozen bytes each, until they prove they carry HTTP: the client's
 * bytes complete a head (or reach the head limit). Only then do they
 * become a connection of the model, with the bytes collected so far given
 * to the stream parser. Flows that never prove it (a flood of one-byte
 * segments, bytes that are not HTTP, a hole before the head ends) cost a
 * bounded table: the least recently active entry goes first when it is
 * full, or when the bytes waiting in it reach their budget, and entries
 * idle for PENDING_IDLE_NS are forgotten. This is the state budget of
 * Zeek and Suricata; flows to a proxy port or to DNS are proven by their
 * port and do not wait here.
 */
#include <stdlib.h>
#include <string.h>

#include "../proto/http.h"
#include "flow.h"

#define PENDING_IDLE_NS (60LL * 1000000000LL)
#define PENDING_BYTES_MAX (8u << 20)	/* bytes waiting, all entries */
#define PENDING_BUF_MIN 64u
#define HEAD_QUICK 64	/* judged from scratch while this short */

struct pending {
	struct gw_addr caddr, saddr;
	uint16_t cport, sport;
	bool started;		/* seq0 is set */
	bool dead;		/* not HTTP, or a hole: bytes are only counted */
	uint32_t seq0, next_seq;	/* client bytes collected: from, to */
	struct frame_ref first, data[2];
	uint64_t bytes[2];
	int64_t last_ns;
	uint8_t *buf;
	uint32_t len, cap;
	uint32_t lead;		/* bytes of empty lines before the request */
	uint32_t hash_next;
	uint32_t older, newer;	/* activity order; NONE32 at the ends */
};

struct pending_table {
	struct pending *slot;
	size_t nslots, slots_cap;	/* slots ever used, allocated */
	uint32_t free_list;	/* through hash_next */
	uint32_t *hash;
	size_t hash_size;
	uint32_t oldest, newest;
	size_t bytes;		/* in every buf */
};

void
pending_free(struct flow *fl)
{
	struct pending_table *pt = fl->pending;

	if (pt == NULL)
		return;
	for (size_t i = 0; i < pt->nslots; i++)
		free(pt->slot[i].buf);
	free(pt->slot);
	free(pt->hash);
	free(pt);
	fl->pending = NULL;
}

static struct pending_table *
table_get(struct flow *fl)
{
	struct pending_table *pt = fl->pending;
	size_t size = 1;

	if (pt != NULL)
		return pt;
	while (size < fl->limits.max_pending)
		size *= 2;
	if ((pt = calloc(1, sizeof *pt)) == NULL ||
	    (pt->hash = malloc(size * sizeof *pt->hash)) == NULL) {
		free(pt);
		return NULL;
	}
	for (size_t b = 0; b < size; b++)
		pt->hash[b] = NONE32;
	pt->hash_size = size;
	pt->free_list = pt->oldest = pt->newest = NONE32;
	fl->pending = pt;
	return pt;
}

static uint32_t
bucket(const struct pending_table *pt, const struct pkt *p)
{
	return flow_tuple_hash(&p->src, p->sport, &p->dst, p->dport) &
	    (uint32_t)(pt->hash_size - 1);
}

/* The entry of this segment's flow; *dir 0 when its source is the client. */
static uint32_t
find(const struct pending_table *pt, const struct pkt *p, int *dir)
{
	for (uint32_t i = pt->hash[bucket(pt, p)]; i != NONE32;
	    i = pt->slot[i].hash_next) {
		const struct pending *e = &pt->slot[i];

		if (e->cport == p->sport && e->sport == p->dport &&
		    addr_eq(&e->caddr, &p->src) && addr_eq(&e->saddr, &p->dst)) {
			*dir = 0;
			return i;
		}
		if (e->cport == p->dport && e->sport == p->sport &&
		    addr_eq(&e->caddr, &p->dst) && addr_eq(&e->saddr, &p->src)) {
			*dir = 1;
			return i;
		}
	}
	return NONE32;
}

static void
unlink_order(struct pending_table *pt, uint32_t i)
{
	struct pending *e = &pt->slot[i];

	if (e->older != NONE32)
		pt->slot[e->older].newer = e->newer;
	else
		pt->oldest = e->newer;
	if (e->newer != NONE32)
		pt->slot[e->newer].older = e->older;
	else
		pt->newest = e->older;
}

static void
link_newest(struct pending_table *pt, uint32_t i)
{
	struct pending *e = &pt->slot[i];

	e->older = pt->newest;
	e->newer = NONE32;
	if (pt->newest != NONE32)
		pt->slot[pt->newest].newer = i;
	else
		pt->oldest = i;
	pt->newest = i;
}

static void
drop_buf(struct pending_table *pt, struct pending *e)
{
	pt->bytes -= e->cap;
	free(e->buf);
	e->buf = NULL;
	e->len = e->cap = 0;
}

/* Forgets entry i; its slot goes to the free list. */
static void
forget(struct pending_table *pt, uint32_t i)
{
	struct pending *e = &pt->slot[i];
	uint32_t b = flow_tuple_hash(&e->caddr, e->cport, &e->saddr,
	    e->sport) & (uint32_t)(pt->hash_size - 1);
	uint32_t *link = &pt->hash[b];

	while (*link != i)
		link = &pt->slot[*link].hash_next;
	*link = e->hash_next;
	unlink_order(pt, i);
	drop_buf(pt, e);
	e->hash_next = pt->free_list;
	pt->free_list = i;
}

/* Entries idle for PENDING_IDLE_NS go (they are the oldest). */
static void
expire(struct pending_table *pt, int64_t now)
{
	while (pt->oldest != NONE32 &&
	    now - pt->slot[pt->oldest].last_ns > PENDING_IDLE_NS)
		forget(pt, pt->oldest);
}

/*
 * The least recently active entries but `keep` go, counted, until a slot
 * is free or can be allocated (need_slot) and need_bytes more fit the
 * budget.
 */
static void
make_room(struct flow *fl, struct pending_table *pt, bool need_slot,
    size_t need_bytes, uint32_t keep)
{
	while (pt->oldest != NONE32 && pt->oldest != keep &&
	    ((need_slot && pt->free_list == NONE32 &&
	    pt->nslots >= fl->limits.max_pending) ||
	    pt->bytes + need_bytes > PENDING_BYTES_MAX)) {
		forget(pt, pt->oldest);
		fl->stats.pending_dropped++;
	}
}

static uint32_t
add(struct flow *fl, struct pending_table *pt, const struct pkt *p,
    bool src_client, const struct frame_ref *fr)
{
	struct pending *e;
	uint32_t i, b;

	expire(pt, fr->ts_ns);
	make_room(fl, pt, true, 0, NONE32);
	if (pt->free_list != NONE32) {
		i = pt->free_list;
		pt->free_list = pt->slot[i].hash_next;
	} else {
		if (pt->nslots >= fl->limits.max_pending ||
		    vec_reserve((void **)&pt->slot, &pt->slots_cap,
		    pt->nslots + 1, sizeof *pt->slot,
		    fl->limits.max_pending) != 0) {
			fl->stats.pending_dropped++;
			return NONE32;
		}
		i = (uint32_t)pt->nslots++;
	}
	e = &pt->slot[i];
	memset(e, 0, sizeof *e);
	e->caddr = src_client ? p->src : p->dst;
	e->saddr = src_client ? p->dst : p->src;
	e->cport = src_client ? p->sport : p->dport;
	e->sport = src_client ? p->dport : p->sport;
	e->first = *fr;
	b = bucket(pt, p);
	e->hash_next = pt->hash[b];
	pt->hash[b] = i;
	link_newest(pt, i);
	return i;
}

/*
 * Does the head end in what was collected (new bytes from `from`)? Empty
 * lines before the request line do not end it: the parser skips them (RFC
 * 9112 2.2), so they are counted once, in lead, and never scanned again.
 */
static bool
head_ends(struct pending *e, uint32_t from)
{
	uint32_t k = from > 3 ? from - 3 : 0;

	while (e->lead < e->len && (e->buf[e->lead] == '\n' ||
	    (e->buf[e->lead] == '\r' && e->lead + 1 < e->len &&
	    e->buf[e->lead + 1] == '\n')))
		e->lead++;
	if (k < e->lead)
		k = e->lead;
	for (; k < e->len; k++)
		if (e->buf[k] == '\n' && ((k + 1 < e->len &&
		    e->buf[k + 1] == '\n') || (k + 2 < e->len &&
		    e->buf[k + 1] == '\r' && e->buf[k + 2] == '\n')))
			return true;
	return false;
}

/*
 * In-order client bytes into the entry; true when the flow has proven it
 * carries HTTP: a valid request head ends, or one grows past a limit the
 * parser counts. Parsed from scratch only while short and when a head may
 * have ended (then it is proven or dead): O(length) in all.
 */
static bool
collect(struct flow *fl, struct pending_table *pt, uint32_t i,
    const struct pkt *p)
{
	struct pending *e = &pt->slot[i];
	const uint8_t *data = p->payload;
	uint32_t len = p->payload_len, from = e->len, need;
	int32_t rel;
	bool ended;

	if (!e->started) {
		e->started = true;
		e->seq0 = e->next_seq = p->seq;
	}
	rel = (int32_t)(p->seq - e->next_seq);
	if (rel < 0) {	/* retransmitted: keep only new bytes */
		if (0u - (uint32_t)rel >= len)
			return false;
		data += 0u - (uint32_t)rel;
		len -= 0u - (uint32_t)rel;
	} else if (rel > 0 || p->payload_wire_len > p->payload_len) {
		e->dead = true;	/* a hole before the head ended */
		drop_buf(pt, e);
		return false;
	}
	if (len > HTTP_HEAD_MAX - e->len)
		len = HTTP_HEAD_MAX - e->len;
	need = e->len + len;
	if (need > e->cap) {
		uint32_t ncap = e->cap ? e->cap : PENDING_BUF_MIN;
		uint8_t *nb;

		while (ncap < need)
			ncap *= 2;
		make_room(fl, pt, false, ncap - e->cap, i);
		if (pt->bytes + (ncap - e->cap) > PENDING_BYTES_MAX ||
		    (nb = realloc(e->buf, ncap)) == NULL) {
			e->dead = true;
			drop_buf(pt, e);
			return false;
		}
		pt->bytes += ncap - e->cap;
		e->buf = nb;
		e->cap = ncap;
	}
	memcpy(e->buf + e->len, data, len);
	e->len = need;
	e->next_seq += len;
	ended = e->len >= HTTP_HEAD_MAX || head_ends(e, from);
	/* judged while short, and once a head may have ended */
	if (ended || e->len < HEAD_QUICK) {
		struct http_head h;

		switch (http_parse_request(e->buf, e->len, &h)) {
		case HTTP_OK:
			return true;
		case HTTP_INVALID:
			/* too long: the parser counts it, as for any head */
			if (h.error != NULL && strstr(h.error, "too long"))
				return true;
			break;
		default:
			if (!ended)
				return false;
			break;	/* an end the parser does not see: not HTTP */
		}
		e->dead = true;	/* some other protocol */
		drop_buf(pt, e);
	}
	return false;
}

/*
 * The flow becomes a connection; the bytes collected before this segment
 * (`prior` of them) go to the parser as they came in its first data frame,
 * and the caller gives it this segment as usual, so that the head ends in
 * the frame that ended it.
 */
static uint32_t
promote(struct flow *fl, struct pending_table *pt, uint32_t i, uint32_t prior)
{
	struct pending *e = &pt->slot[i];
	uint32_t ci = flow_conn_new(fl, &e->caddr, e->cport, &e->saddr,
	    e->sport, &e->first);
	struct conn *c;

	if (ci != NONE32) {
		c = &fl->conns[ci];
		c->data[0] = e->data[0];
		c->data[1] = e->data[1];
		c->bytes[0] = e->bytes[0];
		c->bytes[1] = e->bytes[1];
		if (prior > 0) {
			struct frame f = frame_named(&e->data[0]);
			struct pkt p;

			/* stream_feed reads the bytes and their sequence
			 * number only: the connection is ci's */
			memset(&p, 0, sizeof p);
			p.seq = e->seq0;
			p.payload = e->buf;
			p.payload_len = p.payload_wire_len = prior;
			stream_feed(fl, ci, &f, &p, 0);
		}
	}
	forget(pt, i);
	return ci;
}

uint32_t
pending_feed(struct flow *fl, const struct frame *f, const struct pkt *p,
    bool src_client)
{
	struct frame_ref fr = frame_ref_of(f);
	struct pending_table *pt = table_get(fl);
	struct pending *e;
	uint32_t i, wire;
	int dir = src_client ? 0 : 1;

	if (pt == NULL) {
		fl->stats.pending_dropped++;
		return NONE32;
	}
	i = find(pt, p, &dir);
	if (i == NONE32) {
		if (p->tcp_flags & (TCPF_RST | TCPF_FIN))
			return NONE32;	/* ends a flow that showed nothing */
		if ((i = add(fl, pt, p, src_client, &fr)) == NONE32)
			return NONE32;
	} else {
		unlink_order(pt, i);
		link_newest(pt, i);
	}
	e = &pt->slot[i];
	e->last_ns = f->ts_ns;
	wire = p->payload_wire_len > p->payload_len ? p->payload_wire_len :
	    p->payload_len;
	if (wire > 0) {
		uint32_t prior = e->len;

		if (e->data[dir].number == 0)
			e->data[dir] = fr;
		/* proven: the caller counts and parses this segment */
		if (dir == 0 && !e->dead && collect(fl, pt, i, p))
			return promote(fl, pt, i, prior);
		e->bytes[dir] += wire;
	}
	if (p->tcp_flags & (TCPF_RST | TCPF_FIN))
		forget(pt, i);	/* over before it showed HTTP */
	return NONE32;
}
