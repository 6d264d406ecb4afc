/*
 * flow.c: the connection table and per-packet dispatch: TCP handshake
 * history, ICMP errors matched through the header they quote, payload to
 * the stream parser, DNS to the DNS log.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flow.h"

/* Defaults sized for a busy gateway; reaching one is counted. */
#define FLOW_MAX_CONNS (8u << 20)
#define FLOW_MAX_MSGS (16u << 20)
#define FLOW_MAX_DNS (8u << 20)
/* Flows without a SYN that have not shown HTTP yet: ~170 bytes each. */
#define FLOW_MAX_PENDING (64u << 10)
/* The connection budget: one tracked connection per 8 KiB of memory,
 * between 16 Ki and 64 Ki connections (~540 bytes each with the
 * diagnosis' indexes: at most ~35 MB of connections that carried nothing,
 * what a SYN flood or a port scan makes). Connections that carried data
 * or that a transaction needs are never evicted and do not count against
 * anything but FLOW_MAX_CONNS. */
#define FLOW_CONN_BUDGET_MIN (16u << 10)
#define FLOW_CONN_BUDGET_MAX (64u << 10)
#define FLOW_CONN_BUDGET_MEM_PER (8u << 10)

/* One end of a connection, mixed (murmur3's finalizer) so that the sum of
 * two ends spreads: a plain sum of addresses and ports puts every tuple
 * with the same port sum in one bucket, which a port scan does. An IPv4
 * address is one word already, and the finalizer mixes it: no FNV pass
 * over its bytes first (this runs twice per frame). Only buckets depend
 * on it: the newest connection of a tuple is found first whatever it is. */
static uint32_t
end_hash(const struct gw_addr *a, uint16_t port)
{
	uint32_t h;

	if (a->family == 4)
		memcpy(&h, a->a, 4);
	else
		h = addr_hash(a);
	h ^= (uint32_t)port * 0x9e3779b1u;

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

uint32_t
flow_tuple_hash(const struct gw_addr *a, uint16_t ap, const struct gw_addr *b,
    uint16_t bp)
{
	/* symmetric, so both directions land in the same bucket */
	uint32_t h = end_hash(a, ap) + end_hash(b, bp);

	h ^= h >> 16;
	h *= 0x7feb352d;
	h ^= h >> 15;
	return h;
}

void
flow_rehash_conns(struct flow *fl)
{
	uint32_t mask = (uint32_t)(fl->conn_hash_size - 1);

	for (size_t b = 0; b < fl->conn_hash_size; b++)
		fl->conn_hash[b] = NONE32;
	for (size_t i = 0; i < fl->nconns; i++) {
		struct conn_link *l = &fl->conn_links[i];

		l->next = fl->conn_hash[l->hash & mask];
		fl->conn_hash[l->hash & mask] = (uint32_t)i;
	}
}

static int
table_grow(struct flow *fl)
{
	size_t nsize = fl->conn_hash_size ? fl->conn_hash_size * 2 : 4096;
	uint32_t *nt = malloc(nsize * sizeof *nt);

	if (nt == NULL)
		return -1;
	free(fl->conn_hash);
	fl->conn_hash = nt;
	fl->conn_hash_size = nsize;
	flow_rehash_conns(fl);
	return 0;
}

static size_t
conn_budget(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	size_t n = FLOW_CONN_BUDGET_MAX;

	if (pages > 0 && page > 0 && (unsigned long)pages <
	    SIZE_MAX / (unsigned long)page)
		n = (size_t)pages * (size_t)page / FLOW_CONN_BUDGET_MEM_PER;
	if (n < FLOW_CONN_BUDGET_MIN)
		n = FLOW_CONN_BUDGET_MIN;
	return n > FLOW_CONN_BUDGET_MAX ? FLOW_CONN_BUDGET_MAX : n;
}

void
flow_set_conn_budget(struct flow *fl, size_t n)
{
	fl->limits.conn_budget = n;
	fl->evict_at = n;
}

bool
conn_evictable(const struct conn *c)
{
	return c->data[0].number == 0 && c->data[1].number == 0 &&
	    c->first_msg[0] == NONE32 && c->first_msg[1] == NONE32 &&
	    c->stream == NULL && c->rest == 0;
}

void
flow_evicted(struct flow *fl, size_t n)
{
	size_t next = fl->nconns + fl->nconns / 4;

	fl->stats.conns_evicted += n;
	if (fl->limits.conn_budget == 0)
		fl->evict_at = 0;
	else
		fl->evict_at = next > fl->limits.conn_budget ? next :
		    fl->limits.conn_budget;
}

int
flow_init(struct flow *fl, const uint16_t *proxy_ports, size_t nports)
{
	memset(fl, 0, sizeof *fl);
	if (nports > FLOW_MAX_PROXY_PORTS)
		nports = FLOW_MAX_PROXY_PORTS;
	memcpy(fl->proxy_ports, proxy_ports, nports * sizeof *proxy_ports);
	fl->nproxy_ports = nports;
	fl->limits.max_conns = FLOW_MAX_CONNS;
	fl->limits.max_msgs = FLOW_MAX_MSGS;
	fl->limits.max_dns = FLOW_MAX_DNS;
	fl->limits.max_pending = FLOW_MAX_PENDING;
	flow_set_conn_budget(fl, conn_budget());
	fl->stats.first_ts = fl->stats.last_ts = 0;
	fl->dns_hash_size = 4096;
	fl->dns_hash = malloc(fl->dns_hash_size * sizeof *fl->dns_hash);
	if (fl->dns_hash == NULL || table_grow(fl) != 0) {
		flow_free(fl);
		return -1;
	}
	for (size_t i = 0; i < fl->dns_hash_size; i++)
		fl->dns_hash[i] = NONE32;
	return 0;
}

void
conn_free(struct flow *fl, struct conn *c)
{
	stream_free(fl, c);
	free(c->syn_retries);
	c->syn_retries = NULL;
	c->nsyn = 0;
}

void
flow_free(struct flow *fl)
{
	for (size_t i = 0; i < fl->nconns; i++)
		conn_free(fl, &fl->conns[i]);
	stream_spares_free(fl);
	frameoff_free(&fl->offsets);
	free(fl->conns);
	free(fl->icmps);
	free(fl->tls);
	free(fl->msgs);
	free(fl->dns);
	free(fl->dns_answers);
	free(fl->conn_hash);
	free(fl->conn_links);
	free(fl->dns_hash);
	strpool_free(&fl->strings);
	frag_free(fl);
	pending_free(fl);
	memset(fl, 0, sizeof *fl);
}

bool
flow_is_proxy_port(const struct flow *fl, uint16_t port)
{
	for (size_t i = 0; i < fl->nproxy_ports; i++)
		if (fl->proxy_ports[i] == port)
			return true;
	return false;
}

static struct flow_server *
server_of(struct flow *fl, const struct gw_addr *a)
{
	for (size_t i = 0; i < fl->ngateways; i++)
		if (addr_eq(&fl->gateways[i].addr, a))
			return &fl->gateways[i];
	return NULL;
}

void
flow_set_gateway(struct flow *fl, const struct gw_addr *gateway)
{
	memset(&fl->gateways[0], 0, sizeof fl->gateways[0]);
	fl->gateways[0].addr = *gateway;
	fl->gateways[0].many = true;
	fl->ngateways = 1;
}

/*
 * A connection to a proxy port is a client's unless the gateway opened
 * it to another host (its upstream: a reverse proxy's backends listen on
 * the port it serves). The gateway is an address that served a proxy
 * port; its backend may look like one when the capture began on one of
 * the gateway's connections to it, but it served the gateway alone.
 */
static uint8_t
conn_role(struct flow *fl, const struct gw_addr *caddr,
    const struct gw_addr *saddr, uint16_t sport)
{
	struct flow_server *from, *to;

	if (!flow_is_proxy_port(fl, sport))
		return CONN_OTHER;
	from = server_of(fl, caddr);
	to = server_of(fl, saddr);
	if (from != NULL && (from->many || !addr_eq(&from->first_client,
	    saddr)) && (to == NULL || (!to->many &&
	    addr_eq(&to->first_client, caddr))))
		return CONN_OTHER;
	if (to == NULL && fl->ngateways < FLOW_MAX_GATEWAYS) {
		to = &fl->gateways[fl->ngateways++];
		to->addr = *saddr;
		to->first_client = *caddr;
		to->many = false;
	} else if (to != NULL && !addr_eq(&to->first_client, caddr))
		to->many = true;
	return CONN_CLIENT;
}

/*
 * The newest connection of this 4-tuple, whose flow_tuple_hash is h (the
 * caller keeps it for conn_add); *dir 0 when src is its client.
 */
static uint32_t
conn_find(const struct flow *fl, const struct gw_addr *src, uint16_t sport,
    const struct gw_addr *dst, uint16_t dport, uint32_t h, int *dir)
{
	for (uint32_t i = fl->conn_hash[h & (fl->conn_hash_size - 1)];
	    i != NONE32; i = fl->conn_links[i].next) {
		const struct conn *c = &fl->conns[i];

		if (fl->conn_links[i].hash != h)
			continue;
		if (c->cport == sport && c->sport == dport &&
		    addr_eq(&c->caddr, src) && addr_eq(&c->saddr, dst)) {
			*dir = 0;
			return i;
		}
		if (c->cport == dport && c->sport == sport &&
		    addr_eq(&c->caddr, dst) && addr_eq(&c->saddr, src)) {
			*dir = 1;
			return i;
		}
	}
	return NONE32;
}

/* flow_conn_new with the tuple's hash already known (it is symmetric:
 * the same whichever end is the client). */
static uint32_t
conn_add(struct flow *fl, const struct gw_addr *caddr, uint16_t cport,
    const struct gw_addr *saddr, uint16_t sport, uint32_t h,
    const struct frame_ref *fr)
{
	struct conn *c;
	struct conn_link *l;
	uint32_t idx, b;

	if (fl->nconns >= fl->limits.max_conns ||
	    vec_reserve((void **)&fl->conns, &fl->conns_cap, fl->nconns + 1,
	    sizeof *fl->conns, fl->limits.max_conns) != 0 ||
	    vec_reserve((void **)&fl->conn_links, &fl->conn_links_cap,
	    fl->nconns + 1, sizeof *fl->conn_links, fl->limits.max_conns) != 0) {
		fl->stats.conns_dropped++;
		return NONE32;
	}
	if (fl->nconns + 1 > fl->conn_hash_size && table_grow(fl) != 0) {
		fl->stats.conns_dropped++;
		return NONE32;
	}
	idx = (uint32_t)fl->nconns++;
	c = &fl->conns[idx];
	memset(c, 0, sizeof *c);
	c->caddr = *caddr;
	c->saddr = *saddr;
	c->cport = cport;
	c->sport = sport;
	c->first = c->last = *fr;
	c->icmp = c->tls = NONE32;
	c->role = conn_role(fl, caddr, saddr, sport);
	for (int d = 0; d < 2; d++)
		c->first_msg[d] = c->last_msg[d] = NONE32;
	l = &fl->conn_links[idx];
	l->hash = h;
	b = l->hash & (uint32_t)(fl->conn_hash_size - 1);
	l->next = fl->conn_hash[b];
	fl->conn_hash[b] = idx;
	return idx;
}

uint32_t
flow_conn_new(struct flow *fl, const struct gw_addr *caddr, uint16_t cport,
    const struct gw_addr *saddr, uint16_t sport, const struct frame_ref *fr)
{
	return conn_add(fl, caddr, cport, saddr, sport,
	    flow_tuple_hash(caddr, cport, saddr, sport), fr);
}

/*
 * A segment of a connection whose SYN we did not see: guess who the client
 * is from the ports (the proxy port or a well-known port is the server's).
 */
static bool
src_is_client(const struct flow *fl, const struct pkt *p)
{
	if (flow_is_proxy_port(fl, p->dport))
		return true;
	if (flow_is_proxy_port(fl, p->sport))
		return false;
	if (p->dport < 1024 && p->sport >= 1024)
		return true;
	if (p->sport < 1024 && p->dport >= 1024)
		return false;
	return p->sport >= p->dport;
}

/*
 * A flow without a SYN is a connection of the model at once when its port
 * says it matters (a proxy port: a client; DNS over TCP); any other waits
 * in pending.c until its bytes show HTTP.
 */
static bool
proven_by_port(const struct flow *fl, const struct pkt *p)
{
	return flow_is_proxy_port(fl, p->sport) ||
	    flow_is_proxy_port(fl, p->dport) || p->sport == FLOW_DNS_PORT ||
	    p->dport == FLOW_DNS_PORT;
}

/* c's first SYN is its first frame (conn_add); its retransmissions
 * are kept apart, room doubling at 1, 2, 4, 8: up to CONN_MAX_SYNS */
static void
add_syn(struct conn *c, const struct frame_ref *fr)
{
	unsigned retries = c->nsyn > 0 ? c->nsyn - 1u : 0;

	if (c->nsyn >= CONN_MAX_SYNS) {
		c->syns_dropped++;
		return;
	}
	if (c->nsyn > 0 && (retries & (retries - 1)) == 0) {
		struct frame_ref *more = realloc(c->syn_retries,
		    (retries ? 2u * retries : 1) * sizeof *more);

		if (more == NULL) {
			c->syns_dropped++;
			return;
		}
		c->syn_retries = more;
	}
	if (c->nsyn > 0)
		c->syn_retries[retries] = *fr;
	c->nsyn++;
}

static void
tcp_feed(struct flow *fl, const struct frame *f, const struct pkt *p)
{
	struct frame_ref fr = frame_ref_of(f);
	bool syn = (p->tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN;
	int dir = 0;
	uint32_t h = flow_tuple_hash(&p->src, p->sport, &p->dst, p->dport);
	uint32_t ci = conn_find(fl, &p->src, p->sport, &p->dst, p->dport, h,
	    &dir);
	struct conn *c;

	if (syn) {
		c = ci != NONE32 ? &fl->conns[ci] : NULL;
		/* the same SYN again (same ISN): a retransmission */
		if (c == NULL || dir != 0 || !c->syn_seen || c->isn != p->seq ||
		    c->synack.number != 0) {
			ci = conn_add(fl, &p->src, p->sport, &p->dst,
			    p->dport, h, &fr);
			if (ci == NONE32)
				return;
			dir = 0;
			fl->conns[ci].syn_seen = true;
			fl->conns[ci].isn = p->seq;
		}
		add_syn(&fl->conns[ci], &fr);
	} else if (ci == NONE32) {
		bool client = src_is_client(fl, p);

		if (!proven_by_port(fl, p))
			ci = pending_feed(fl, f, p, client);	/* RST: forgets */
		else if (p->tcp_flags & TCPF_RST)
			return;	/* a stray RST makes no connection */
		else if (client)
			ci = conn_add(fl, &p->src, p->sport, &p->dst,
			    p->dport, h, &fr);
		else
			ci = conn_add(fl, &p->dst, p->dport, &p->src,
			    p->sport, h, &fr);
		if (ci == NONE32)
			return;
		dir = client ? 0 : 1;
	}
	c = &fl->conns[ci];
	c->last = fr;
	if ((p->tcp_flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK) &&
	    dir == 1 && c->synack.number == 0) {
		c->synack = fr;
		c->server_isn = p->seq;
	}
	if ((p->tcp_flags & TCPF_ACK) && c->stream != NULL)
		stream_ack(fl, ci, !dir, p->ack);
	if (p->payload_wire_len > 0 || p->payload_len > 0) {
		if (c->data[dir].number == 0)
			c->data[dir] = fr;
		c->bytes[dir] += p->payload_wire_len > p->payload_len ?
		    p->payload_wire_len : p->payload_len;
		if (!c->no_http)
			stream_feed(fl, ci, f, p, dir);
	}
	if ((p->tcp_flags & TCPF_FIN) && c->fin[dir].number == 0) {
		c->fin[dir] = fr;
		stream_close(fl, ci, f, dir);
	}
	if ((p->tcp_flags & TCPF_RST) && c->rst.number == 0) {
		c->rst = fr;
		c->rst_from_server = dir == 1;
		stream_close(fl, ci, f, 0);
		stream_close(fl, ci, f, 1);
	}
	if (c->rst.number != 0 || (c->fin[0].number && c->fin[1].number)) {
		c->closed = true;
		stream_free(fl, c);
	}
}

static void
icmp_feed(struct flow *fl, const struct frame *f, const struct pkt *p)
{
	const struct pkt_quote *q = &p->quote;
	struct frame_ref fr = frame_ref_of(f);
	struct conn_icmp *e;
	struct conn *c;
	uint32_t ci;
	int dir;

	if (!q->valid || q->l4 != L4_TCP)
		return;
	ci = conn_find(fl, &q->src, q->sport, &q->dst, q->dport,
	    flow_tuple_hash(&q->src, q->sport, &q->dst, q->dport), &dir);
	if (ci == NONE32 || dir != 0)
		return;
	c = &fl->conns[ci];
	c->last = fr;
	if (c->icmp == NONE32) {
		if (vec_reserve((void **)&fl->icmps, &fl->icmps_cap,
		    fl->nicmps + 1, sizeof *fl->icmps, UINT32_MAX - 1) != 0)
			return;
		e = &fl->icmps[fl->nicmps];
		memset(e, 0, sizeof *e);
		e->first = fr;
		e->ver = p->ipver;
		e->type = p->icmp_type;
		e->code = p->icmp_code;
		e->from = p->src;
		e->conn = ci;
		c->icmp = (uint32_t)fl->nicmps++;
	}
	fl->icmps[c->icmp].last = fr;
}

void
flow_feed(struct flow *fl, const struct frame *f, const struct pkt *p)
{
	fl->stats.ip++;
	if (p->fragment) {
		fl->stats.fragments++;
		if (p->l4 == L4_UDP) {
			frag_feed(fl, f, p);	/* big DNS answers */
			return;
		}
		if (p->l4 != L4_TCP)
			return;
		/* only a first fragment carries the L4 header */
		if (p->sport == 0 && p->dport == 0)
			return;
	}
	switch (p->l4) {
	case L4_TCP:
		fl->stats.tcp++;
		tcp_feed(fl, f, p);
		break;
	case L4_UDP:
		fl->stats.udp++;
		if ((p->sport == FLOW_DNS_PORT || p->dport == FLOW_DNS_PORT) &&
		    !p->fragment)
			dns_feed(fl, f, p, p->payload, p->payload_len, false);
		break;
	case L4_ICMP:
	case L4_ICMP6:
		fl->stats.icmp++;
		icmp_feed(fl, f, p);
		break;
	default:
		break;
	}
}

void
flow_finish(struct flow *fl)
{
	for (size_t i = 0; i < fl->nconns; i++) {
		struct conn *c = &fl->conns[i];
		struct frame f;

		if (c->stream == NULL) {
			stream_free(fl, c);	/* a parked one ends at rest */
			continue;
		}
		f = frame_named(&c->last);
		/* a body delimited by close ends with the capture */
		stream_close(fl, (uint32_t)i, &f, 0);
		stream_close(fl, (uint32_t)i, &f, 1);
		stream_free(fl, c);
	}
}
