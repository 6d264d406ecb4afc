/*
 * framefields.c: a frame's display-filter fields and packet-list columns.
 *
 * Like Wireshark, an ICMP error's quoted IP packet is a second layer: its
 * addresses and ports are values of ip.addr, tcp.port … too. HTTP fields
 * sit on the frame that completes a message (the head, or the end of its
 * body), only on ports Wireshark decodes as HTTP plus the proxy ports.
 */
#include "framefields.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/escape.h"
#include "../util/vec.h"

static const struct ff_fieldinfo fields[FF_NFIELDS] = {
	[FF_FRAME] = { "frame", FT_PROTO, 0 },
	[FF_FRAME_NUMBER] = { "frame.number", FT_UINT, 0 },
	[FF_FRAME_TIME_REL] = { "frame.time_relative", FT_TIME, 0 },
	[FF_FRAME_LEN] = { "frame.len", FT_UINT, 0 },
	[FF_IP] = { "ip", FT_PROTO, 0 },
	[FF_IP_ADDR] = { "ip.addr", FT_ADDR, 0 },
	[FF_IP_SRC] = { "ip.src", FT_ADDR, 0 },
	[FF_IP_DST] = { "ip.dst", FT_ADDR, 0 },
	[FF_IPV6] = { "ipv6", FT_PROTO, 0 },
	[FF_IPV6_ADDR] = { "ipv6.addr", FT_ADDR, 0 },
	[FF_IPV6_SRC] = { "ipv6.src", FT_ADDR, 0 },
	[FF_IPV6_DST] = { "ipv6.dst", FT_ADDR, 0 },
	[FF_TCP] = { "tcp", FT_PROTO, 0 },
	[FF_TCP_PORT] = { "tcp.port", FT_UINT, 0 },
	[FF_TCP_SRCPORT] = { "tcp.srcport", FT_UINT, 0 },
	[FF_TCP_DSTPORT] = { "tcp.dstport", FT_UINT, 0 },
	[FF_TCP_STREAM] = { "tcp.stream", FT_UINT, FF_NEED_CONN },
	[FF_TCP_SYN] = { "tcp.flags.syn", FT_UINT, 0 },
	[FF_TCP_ACK] = { "tcp.flags.ack", FT_UINT, 0 },
	[FF_TCP_RST] = { "tcp.flags.reset", FT_UINT, 0 },
	[FF_TCP_FIN] = { "tcp.flags.fin", FT_UINT, 0 },
	[FF_TCP_RETRANS] = { "tcp.analysis.retransmission", FT_PROTO,
	    FF_NEED_CONN },
	[FF_UDP] = { "udp", FT_PROTO, 0 },
	[FF_UDP_PORT] = { "udp.port", FT_UINT, 0 },
	[FF_UDP_SRCPORT] = { "udp.srcport", FT_UINT, 0 },
	[FF_UDP_DSTPORT] = { "udp.dstport", FT_UINT, 0 },
	[FF_HTTP] = { "http", FT_PROTO, FF_NEED_HTTP },
	[FF_HTTP_REQUEST] = { "http.request", FT_PROTO, FF_NEED_HTTP },
	[FF_HTTP_METHOD] = { "http.request.method", FT_STR, FF_NEED_HTTP },
	[FF_HTTP_HOST] = { "http.host", FT_STR, FF_NEED_HTTP },
	[FF_HTTP_RESPONSE] = { "http.response", FT_PROTO, FF_NEED_HTTP },
	[FF_HTTP_CODE] = { "http.response.code", FT_UINT, FF_NEED_HTTP },
	[FF_DNS] = { "dns", FT_PROTO, FF_NEED_DNS },
	[FF_DNS_QRY_NAME] = { "dns.qry.name", FT_STR, FF_NEED_DNS },
	[FF_DNS_RCODE] = { "dns.flags.rcode", FT_UINT, FF_NEED_DNS },
	[FF_DNS_RESPONSE] = { "dns.flags.response", FT_UINT, FF_NEED_DNS },
	[FF_ICMP] = { "icmp", FT_PROTO, 0 },
	[FF_ICMP_TYPE] = { "icmp.type", FT_UINT, 0 },
	[FF_ICMP_CODE] = { "icmp.code", FT_UINT, 0 },
	[FF_ICMPV6] = { "icmpv6", FT_PROTO, 0 },
	[FF_ICMPV6_TYPE] = { "icmpv6.type", FT_UINT, 0 },
	[FF_ICMPV6_CODE] = { "icmpv6.code", FT_UINT, 0 },
};

/* tshark's default HTTP ports (tshark -G decodes); the proxy's are added. */
static const uint16_t ws_http_ports[] = {
	80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371
};

#define DNS_PORT 53

const struct ff_fieldinfo *
ff_field_info(enum ff_field f)
{
	return (unsigned)f < FF_NFIELDS ? &fields[f] : NULL;
}

int
ff_field_lookup(const char *name, size_t len)
{
	for (int i = 0; i < FF_NFIELDS; i++)
		if (strlen(fields[i].name) == len &&
		    memcmp(fields[i].name, name, len) == 0)
			return i;
	return -1;
}

/* ---- the per-model index ------------------------------------------------ */

static bool
is_http_port(const struct ff_index *ix, uint16_t port)
{
	for (size_t i = 0; i < ix->nhttp_ports; i++)
		if (ix->http_ports[i] == port)
			return true;
	return false;
}

static int
msgkey_cmp(const void *a, const void *b)
{
	const struct ff_msgkey *x = a, *y = b;

	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	return x->msg < y->msg ? -1 : x->msg > y->msg;
}

/*
 * Wireshark's heuristic HTTP dissector takes a connection on another port
 * when it starts with a valid request line (and no other dissector owns
 * the port: 443 is TLS's).
 */
static bool
heuristic_http(const struct flow *fl, const struct conn *c)
{
	return c->sport != 443 && c->cport != 443 && c->first_msg[0] != NONE32 &&
	    fl->msgs[c->first_msg[0]].valid;
}

/*
 * The frame Wireshark shows a message on: where it became whole. Bytes
 * that cannot start a message are "Continuation" on their first frame; a
 * head cut short by the close (stream.c's "incomplete response head") was
 * still being reassembled: Wireshark shows nothing.
 */
static uint64_t
msg_frame(const struct flow *fl, const struct http_msg *m)
{
	if (!m->valid)
		return strcmp(flow_str(fl, m->error),
		    "incomplete response head") == 0 ? 0 : m->start.number;
	return m->complete ? m->end.number : 0;	/* never whole: not shown */
}

static int
index_msgs(struct ff_index *ix, const struct flow *fl)
{
	size_t n = 0;

	ix->msgs = malloc((fl->nmsgs ? fl->nmsgs : 1) * sizeof *ix->msgs);
	if (ix->msgs == NULL)
		return -1;
	for (size_t i = 0; i < fl->nmsgs; i++) {
		const struct http_msg *m = &fl->msgs[i];
		const struct conn *c = &fl->conns[m->conn];

		if (!is_http_port(ix, c->sport) && !is_http_port(ix, c->cport) &&
		    !heuristic_http(fl, c))
			continue;
		if ((ix->msgs[n].frame = msg_frame(fl, m)) != 0)
			ix->msgs[n++].msg = (uint32_t)i;
	}
	qsort(ix->msgs, n, sizeof *ix->msgs, msgkey_cmp);
	ix->nmsgs = n;
	return 0;
}

static int
index_conns(struct ff_index *ix, const struct flow *fl)
{
	size_t size = 64;

	while (size < fl->nconns * 2)
		size *= 2;
	ix->conns = malloc(size * sizeof *ix->conns);
	if (ix->conns == NULL)
		return -1;
	ix->conns_size = size;
	for (size_t i = 0; i < size; i++)
		ix->conns[i] = NONE32;
	for (size_t i = 0; i < fl->nconns; i++) {
		const struct conn *c = &fl->conns[i];
		size_t b = flow_tuple_hash(&c->caddr, c->cport, &c->saddr,
		    c->sport) & (size - 1);

		while (ix->conns[b] != NONE32)
			b = (b + 1) & (size - 1);
		ix->conns[b] = (uint32_t)i;
	}
	return 0;
}

int
ff_index_build(struct ff_index *ix, const struct flow *fl)
{
	int64_t first_ts = ix->first_ts;

	ff_index_free(ix);
	ix->fl = fl;
	ix->first_ts = first_ts;
	for (size_t i = 0; i < sizeof ws_http_ports / sizeof ws_http_ports[0];
	    i++)
		ix->http_ports[ix->nhttp_ports++] = ws_http_ports[i];
	for (size_t i = 0; i < fl->nproxy_ports; i++)
		ix->http_ports[ix->nhttp_ports++] = fl->proxy_ports[i];
	ix->built_nconns = fl->nconns;
	ix->built_nmsgs = fl->nmsgs;
	if (index_msgs(ix, fl) < 0 || index_conns(ix, fl) < 0) {
		ff_index_free(ix);
		return -1;
	}
	return 0;
}

bool
ff_index_stale(const struct ff_index *ix, const struct flow *fl)
{
	return ix->fl != fl || ix->built_nconns != fl->nconns ||
	    ix->built_nmsgs != fl->nmsgs;
}

void
ff_index_free(struct ff_index *ix)
{
	free(ix->msgs);
	free(ix->conns);
	memset(ix, 0, sizeof *ix);
}

/* The connection of this tuple that was alive at frame `number`. */
static uint32_t
conn_at(const struct ff_index *ix, const struct pkt *p, uint64_t number)
{
	const struct flow *fl = ix->fl;
	size_t b;

	if (ix->conns == NULL)
		return NONE32;
	b = flow_tuple_hash(&p->src, p->sport, &p->dst, p->dport) &
	    (ix->conns_size - 1);
	for (; ix->conns[b] != NONE32; b = (b + 1) & (ix->conns_size - 1)) {
		const struct conn *c = &fl->conns[ix->conns[b]];
		bool fwd = c->cport == p->sport && c->sport == p->dport &&
		    addr_eq(&c->caddr, &p->src) && addr_eq(&c->saddr, &p->dst);
		bool rev = c->cport == p->dport && c->sport == p->sport &&
		    addr_eq(&c->caddr, &p->dst) && addr_eq(&c->saddr, &p->src);

		if ((fwd || rev) && c->first.number <= number &&
		    number <= c->last.number)
			return ix->conns[b];
	}
	return NONE32;
}

/* ---- filling a frame ---------------------------------------------------- */

static bool
has_ports(const struct pkt *p)
{
	return (p->l4 == L4_TCP || p->l4 == L4_UDP) &&
	    !(p->fragment && p->sport == 0 && p->dport == 0);
}

static void
fill_inner(struct frame_fields *ff)
{
	const struct pkt *p = &ff->p;
	enum decode_result r;

	if (!p->quote.valid || p->payload_len == 0)
		return;
	r = decode_ip(p->payload, p->payload_len, &ff->inner);
	ff->has_inner = ff->inner.ipver != 0;
	ff->inner_l4_ok = r == DECODE_OK && ff->inner.l4 == L4_TCP;
}

static void
fill_conn(struct frame_fields *ff)
{
	const struct pkt *p = ff->ip_ok && ff->p.l4 == L4_TCP &&
	    has_ports(&ff->p) ? &ff->p : ff->has_inner &&
	    ff->inner.l4 == L4_TCP && has_ports(&ff->inner) ? &ff->inner :
	    NULL;
	const struct conn *c;

	if (p == NULL || ff->ix == NULL || ff->ix->fl == NULL)
		return;
	ff->conn = conn_at(ff->ix, p, ff->number);
	if (ff->conn == NONE32 || p != &ff->p ||
	    (p->tcp_flags & (TCPF_SYN | TCPF_ACK)) != TCPF_SYN)
		return;
	c = &ff->ix->fl->conns[ff->conn];
	for (unsigned k = 1; k < c->nsyn; k++)
		if (conn_syn(c, k)->number == ff->number)
			ff->retrans = true;
}

/*
 * Payload of a proxy's CONNECT tunnel, once the proxy answered 2xx:
 * Wireshark hands it on from HTTP (frame.protocols "...:http:tls"), so
 * "http" selects it there too.
 */
static bool
in_tunnel(const struct frame_fields *ff)
{
	const struct flow *fl = ff->ix->fl;
	uint32_t ci = ff->ip_ok && ff->p.l4 == L4_TCP && has_ports(&ff->p) &&
	    ff->p.payload_len > 0 ? conn_at(ff->ix, &ff->p, ff->number) :
	    NONE32;
	unsigned n = 0;

	if (ci == NONE32 || fl->conns[ci].role != CONN_CLIENT)
		return false;
	for (uint32_t m = fl->conns[ci].first_msg[1]; m != NONE32 && n < 64;
	    m = fl->msgs[m].next, n++) {
		const struct http_msg *r = &fl->msgs[m];

		if (r->status >= 200 && r->status < 300 && r->pair != NONE32 &&
		    flow_msg_frame(r)->number < ff->number &&
		    strcmp(flow_str(fl, fl->msgs[r->pair].method),
		    "CONNECT") == 0)
			return true;
	}
	return false;
}

static void
fill_http(struct frame_fields *ff)
{
	const struct ff_index *ix = ff->ix;
	size_t lo;

	if (ix == NULL || ix->msgs == NULL)
		return;
	VEC_LOWER_BOUND(lo, ix->nmsgs, ix->msgs[mid].frame < ff->number);
	for (; lo < ix->nmsgs && ix->msgs[lo].frame == ff->number; lo++) {
		if (ff->nmsgs < FF_MAX_MSGS)
			ff->msgs[ff->nmsgs++] = ix->msgs[lo].msg;
		ff->http = true;
	}
	if (!ff->http && ix->fl != NULL)
		ff->http = in_tunnel(ff);
}

static void
fill_dns(struct frame_fields *ff)
{
	const struct pkt *p = &ff->p;

	if (!ff->ip_ok || !has_ports(p) ||
	    (p->sport != DNS_PORT && p->dport != DNS_PORT))
		return;
	if (p->l4 == L4_UDP && !p->fragment) {
		ff->is_dns = true;
		ff->dns_ok = dns_parse(p->payload, p->payload_len,
		    &ff->dns) == 0;
	} else if (p->l4 == L4_TCP && p->payload_len > 2) {
		/* one whole message in one segment; no reassembly */
		size_t n = (size_t)p->payload[0] << 8 | p->payload[1];

		if (n + 2 <= p->payload_len) {
			ff->is_dns = true;
			ff->dns_ok = dns_parse(p->payload + 2, n,
			    &ff->dns) == 0;
		}
	}
}

void
ff_fill(struct frame_fields *ff, const struct ff_index *ix,
    const struct frame *f, unsigned need)
{
	enum decode_result r;

	ff->ix = ix;
	ff->number = f->number;
	ff->ts_ns = f->ts_ns;
	ff->wirelen = f->wirelen < f->caplen ? f->caplen : f->wirelen;
	ff->linktype = f->linktype;
	ff->data = f->data;
	ff->caplen = f->caplen;
	ff->has_inner = ff->inner_l4_ok = ff->retrans = false;
	ff->http = ff->is_dns = ff->dns_ok = false;
	ff->nmsgs = 0;
	ff->conn = NONE32;
	r = decode_frame(f->linktype, f->data, f->caplen, &ff->p);
	ff->ip_ok = ff->p.ipver != 0 && (r == DECODE_OK ||
	    r == DECODE_MALFORMED);
	if (ff->ip_ok && r != DECODE_OK && !has_ports(&ff->p))
		ff->p.l4 = L4_NONE;
	if (ff->ip_ok && (ff->p.l4 == L4_ICMP || ff->p.l4 == L4_ICMP6))
		fill_inner(ff);
	if (need & FF_NEED_CONN)
		fill_conn(ff);
	if (need & FF_NEED_HTTP)
		fill_http(ff);
	if (need & FF_NEED_DNS)
		fill_dns(ff);
}

/* ---- values ------------------------------------------------------------ */

struct vals {
	struct ff_value *v;
	size_t n, max;
};

static void
put_u(struct vals *vs, uint64_t u)
{
	if (vs->n < vs->max)
		vs->v[vs->n++].u = u;
}

static void
put_a(struct vals *vs, const struct gw_addr *a)
{
	if (vs->n < vs->max)
		vs->v[vs->n++].a = *a;
}

static void
put_s(struct vals *vs, const char *s, size_t len)
{
	if (vs->n < vs->max) {
		vs->v[vs->n].s = s;
		vs->v[vs->n++].slen = len;
	}
}

/* The IP layers of the frame: itself and an ICMP error's quote. */
static size_t
layers(const struct frame_fields *ff, const struct pkt *out[2])
{
	size_t n = 0;

	if (ff->ip_ok)
		out[n++] = &ff->p;
	if (ff->has_inner)
		out[n++] = &ff->inner;
	return n;
}

/* Addresses: which = 0 both, 1 source, 2 destination. */
static void
addr_vals(const struct frame_fields *ff, int ver, int which, struct vals *vs)
{
	const struct pkt *l[2];
	size_t n = layers(ff, l);

	for (size_t i = 0; i < n; i++) {
		if (l[i]->ipver != ver)
			continue;
		if (which != 2)
			put_a(vs, &l[i]->src);
		if (which != 1)
			put_a(vs, &l[i]->dst);
	}
}

static void
port_vals(const struct frame_fields *ff, int proto, int which,
    struct vals *vs)
{
	const struct pkt *l[2];
	size_t n = layers(ff, l);

	for (size_t i = 0; i < n; i++) {
		if (l[i]->l4 != proto || !has_ports(l[i]))
			continue;
		if (which != 2)
			put_u(vs, l[i]->sport);
		if (which != 1)
			put_u(vs, l[i]->dport);
	}
}

static bool
has_l4(const struct frame_fields *ff, int proto)
{
	const struct pkt *l[2];
	size_t n = layers(ff, l);

	for (size_t i = 0; i < n; i++)
		if (l[i]->l4 == proto && has_ports(l[i]))
			return true;
	return false;
}

static void
flag_vals(const struct frame_fields *ff, uint8_t flag, struct vals *vs)
{
	if (ff->ip_ok && ff->p.l4 == L4_TCP && has_ports(&ff->p))
		put_u(vs, (ff->p.tcp_flags & flag) != 0);
	if (ff->inner_l4_ok)
		put_u(vs, (ff->inner.tcp_flags & flag) != 0);
}

static void
http_vals(const struct frame_fields *ff, enum ff_field field,
    struct vals *vs)
{
	const struct flow *fl = ff->ix->fl;

	for (unsigned i = 0; i < ff->nmsgs; i++) {
		const struct http_msg *m = &fl->msgs[ff->msgs[i]];
		const char *s;

		if (!m->valid)
			continue;
		if (m->dir == 0 && field == FF_HTTP_REQUEST)
			put_u(vs, 1);
		else if (m->dir == 1 && field == FF_HTTP_RESPONSE)
			put_u(vs, 1);
		else if (m->dir == 1 && field == FF_HTTP_CODE)
			put_u(vs, m->status);
		else if (m->dir == 0 && field == FF_HTTP_METHOD) {
			s = flow_str(fl, m->method);
			put_s(vs, s, strlen(s));
		} else if (m->dir == 0 && field == FF_HTTP_HOST &&
		    m->host != 0) {
			s = flow_str(fl, m->host);
			put_s(vs, s, strlen(s));
		}
	}
}

static void
dns_vals(const struct frame_fields *ff, enum ff_field field,
    struct vals *vs)
{
	if (!ff->is_dns)
		return;
	if (field == FF_DNS) {
		put_u(vs, 1);
		return;
	}
	if (!ff->dns_ok)
		return;
	if (field == FF_DNS_QRY_NAME && ff->dns.qdcount > 0)
		put_s(vs, ff->dns.qname, strlen(ff->dns.qname));
	else if (field == FF_DNS_RCODE && ff->dns.response)
		put_u(vs, ff->dns.rcode);	/* queries have none */
	else if (field == FF_DNS_RESPONSE)
		put_u(vs, ff->dns.response);
}

static void
icmp_vals(const struct frame_fields *ff, int proto, int what, struct vals *vs)
{
	if (!ff->ip_ok || ff->p.l4 != proto)
		return;
	put_u(vs, what == 0 ? 1 : what == 1 ? ff->p.icmp_type :
	    ff->p.icmp_code);
}

static void
frame_vals(const struct frame_fields *ff, enum ff_field field,
    struct vals *vs)
{
	int64_t t0 = ff->ix ? ff->ix->first_ts : 0;

	if (field == FF_FRAME) {
		put_u(vs, 1);
	} else if (field == FF_FRAME_NUMBER) {
		put_u(vs, ff->number);
	} else if (field == FF_FRAME_LEN) {
		put_u(vs, ff->wirelen);
	} else if (vs->n < vs->max) {
		vs->v[vs->n++].t = (double)(ff->ts_ns - t0) / 1e9;
	}
}

size_t
ff_values(const struct frame_fields *ff, enum ff_field field,
    struct ff_value *out, size_t max)
{
	struct vals vs = { out, 0, max };

	switch (field) {
	case FF_FRAME: case FF_FRAME_NUMBER: case FF_FRAME_TIME_REL:
	case FF_FRAME_LEN:
		frame_vals(ff, field, &vs);
		break;
	case FF_IP: case FF_IPV6:
		addr_vals(ff, field == FF_IP ? 4 : 6, 1, &vs);
		vs.n = vs.n > 0;
		break;
	case FF_IP_ADDR: case FF_IP_SRC: case FF_IP_DST:
		addr_vals(ff, 4, field - FF_IP_ADDR, &vs);
		break;
	case FF_IPV6_ADDR: case FF_IPV6_SRC: case FF_IPV6_DST:
		addr_vals(ff, 6, field - FF_IPV6_ADDR, &vs);
		break;
	case FF_TCP: case FF_UDP:
		if (has_l4(ff, field == FF_TCP ? L4_TCP : L4_UDP))
			put_u(&vs, 1);
		break;
	case FF_TCP_PORT: case FF_TCP_SRCPORT: case FF_TCP_DSTPORT:
		port_vals(ff, L4_TCP, field - FF_TCP_PORT, &vs);
		break;
	case FF_UDP_PORT: case FF_UDP_SRCPORT: case FF_UDP_DSTPORT:
		port_vals(ff, L4_UDP, field - FF_UDP_PORT, &vs);
		break;
	case FF_TCP_STREAM:
		if (ff->conn != NONE32)
			put_u(&vs, ff->conn);
		break;
	case FF_TCP_SYN:
		flag_vals(ff, TCPF_SYN, &vs);
		break;
	case FF_TCP_ACK:
		flag_vals(ff, TCPF_ACK, &vs);
		break;
	case FF_TCP_RST:
		flag_vals(ff, TCPF_RST, &vs);
		break;
	case FF_TCP_FIN:
		flag_vals(ff, TCPF_FIN, &vs);
		break;
	case FF_TCP_RETRANS:
		if (ff->retrans)
			put_u(&vs, 1);
		break;
	case FF_HTTP:
		if (ff->http)
			put_u(&vs, 1);
		break;
	case FF_HTTP_REQUEST: case FF_HTTP_METHOD: case FF_HTTP_HOST:
	case FF_HTTP_RESPONSE: case FF_HTTP_CODE:
		http_vals(ff, field, &vs);
		break;
	case FF_DNS: case FF_DNS_QRY_NAME: case FF_DNS_RCODE:
	case FF_DNS_RESPONSE:
		dns_vals(ff, field, &vs);
		break;
	case FF_ICMP: case FF_ICMP_TYPE: case FF_ICMP_CODE:
		icmp_vals(ff, L4_ICMP, field - FF_ICMP, &vs);
		break;
	case FF_ICMPV6: case FF_ICMPV6_TYPE: case FF_ICMPV6_CODE:
		icmp_vals(ff, L4_ICMP6, field - FF_ICMPV6, &vs);
		break;
	default:
		break;
	}
	return vs.n;
}

/* ---- packet-list columns ------------------------------------------------ */

/* The EtherType of a non-IP frame, for the protocol column (0: unknown). */
static unsigned
ethertype(const struct frame_fields *ff)
{
	const uint8_t *d = ff->data;

	if (ff->linktype == 1 && ff->caplen >= 14)
		return (unsigned)d[12] << 8 | d[13];
	if (ff->linktype == 113 && ff->caplen >= 16)
		return (unsigned)d[14] << 8 | d[15];
	if (ff->linktype == 276 && ff->caplen >= 2)
		return (unsigned)d[0] << 8 | d[1];
	return 0;
}

const char *
ff_protocol(const struct frame_fields *ff)
{
	if (!ff->ip_ok)
		return ethertype(ff) == 0x0806 ? "ARP" : "-";
	if (ff->http)
		return "HTTP";
	if (ff->is_dns)
		return "DNS";
	switch (ff->p.l4) {
	case L4_TCP:
		return "TCP";
	case L4_UDP:
		return "UDP";
	case L4_ICMP:
		return "ICMP";
	case L4_ICMP6:
		return "ICMPv6";
	default:
		return ff->p.ipver == 6 ? "IPv6" : "IPv4";
	}
}

void
ff_addrs(const struct frame_fields *ff, char *src, char *dst, size_t len)
{
	if (!ff->ip_ok) {
		snprintf(src, len, "-");
		snprintf(dst, len, "-");
		return;
	}
	addr_fmt(&ff->p.src, src, len);
	addr_fmt(&ff->p.dst, dst, len);
}

/* Appends printf-style text to out at *pos, never past outlen. */
static void __attribute__((format(printf, 4, 5)))
cat(char *out, size_t outlen, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= outlen)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *pos, outlen - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n < outlen - *pos ? (size_t)n :
		    outlen - *pos - 1;
}

/* Appends network text, escaped. */
static void
cat_esc(char *out, size_t outlen, size_t *pos, const char *s)
{
	char buf[512];

	esc_term_str(s, buf, sizeof buf, true);
	cat(out, outlen, pos, "%s", buf);
}

static const char *
rcode_text(unsigned rc)
{
	static const char *const t[] = { "No error", "Format error",
	    "Server failure", "No such name", "Not implemented", "Refused" };

	return rc < sizeof t / sizeof t[0] ? t[rc] : "Error";
}

static const char *
qtype_text(unsigned type, char *buf, size_t len)
{
	switch (type) {
	case 1: return "A";
	case 2: return "NS";
	case 5: return "CNAME";
	case 6: return "SOA";
	case 12: return "PTR";
	case 15: return "MX";
	case 16: return "TXT";
	case 28: return "AAAA";
	case 33: return "SRV";
	case 64: return "SVCB";
	case 65: return "HTTPS";
	case 255: return "ANY";
	default:
		snprintf(buf, len, "Unknown (%u)", type);
		return buf;
	}
}

static void
info_dns(const struct frame_fields *ff, char *out, size_t len, size_t *pos)
{
	const struct dns_msg *m = &ff->dns;
	char tb[24], ab[ADDR_STRLEN];

	if (!ff->dns_ok) {
		cat(out, len, pos, "Malformed DNS message");
		return;
	}
	cat(out, len, pos, "Standard query %s0x%04x", m->response ?
	    "response " : "", m->id);
	if (m->response && m->rcode != 0)
		cat(out, len, pos, " %s", rcode_text(m->rcode));
	if (m->qdcount > 0) {
		/* names come escaped from the decoder (\DDD): not twice */
		cat(out, len, pos, " %s %s", qtype_text(m->qtype, tb,
		    sizeof tb), m->qname);
	}
	for (unsigned i = 0; i < m->nanswers; i++) {
		const struct dns_rr *rr = &m->answers[i];

		cat(out, len, pos, " %s ", qtype_text(rr->type, tb,
		    sizeof tb));
		if (rr->type == DNS_T_CNAME)
			cat(out, len, pos, "%s", rr->target);
		else
			cat(out, len, pos, "%s", addr_fmt(&rr->addr, ab,
			    sizeof ab));
	}
}

static void
info_http(const struct frame_fields *ff, char *out, size_t len, size_t *pos)
{
	const struct flow *fl = ff->ix->fl;
	struct flow_line lb;

	for (unsigned i = 0; i < ff->nmsgs; i++) {
		const struct http_msg *m = &fl->msgs[ff->msgs[i]];

		if (i > 0)
			cat(out, len, pos, ", ");
		if (m->valid)
			cat_esc(out, len, pos, flow_msg_line(fl, m, &lb));
		else
			cat(out, len, pos, "Continuation");
	}
}

static void
info_icmp(const struct pkt *p, char *out, size_t len, size_t *pos)
{
	uint8_t t = p->icmp_type;
	bool v6 = p->l4 == L4_ICMP6;

	if ((!v6 && t == 3) || (v6 && t == 1))
		cat(out, len, pos, "Destination unreachable (%s)",
		    icmp_unreach_name(p->ipver, t, p->icmp_code));
	else if ((!v6 && t == 8) || (v6 && t == 128))
		cat(out, len, pos, "Echo (ping) request");
	else if ((!v6 && t == 0) || (v6 && t == 129))
		cat(out, len, pos, "Echo (ping) reply");
	else if (v6 && t == 135)
		cat(out, len, pos, "Neighbor Solicitation");
	else if (v6 && t == 136)
		cat(out, len, pos, "Neighbor Advertisement");
	else if (v6 && t == 133)
		cat(out, len, pos, "Router Solicitation");
	else if (v6 && t == 134)
		cat(out, len, pos, "Router Advertisement");
	else if (p->quote.valid)
		cat(out, len, pos, "%s", icmp_unreach_name(p->ipver, t,
		    p->icmp_code));
	else
		cat(out, len, pos, "Type %u, code %u", t, p->icmp_code);
}

static void
info_tcp(const struct frame_fields *ff, char *out, size_t len, size_t *pos)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} fl[] = { { TCPF_FIN, "FIN" }, { TCPF_SYN, "SYN" },
	    { TCPF_RST, "RST" }, { TCPF_PSH, "PSH" }, { TCPF_ACK, "ACK" } };
	const struct pkt *p = &ff->p;
	const char *sep = "";

	if (ff->retrans)
		cat(out, len, pos, "[TCP Retransmission] ");
	cat(out, len, pos, "%u → %u [", p->sport, p->dport);
	for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++)
		if (p->tcp_flags & fl[i].bit) {
			cat(out, len, pos, "%s%s", sep, fl[i].name);
			sep = ", ";
		}
	cat(out, len, pos, "] Len=%u", p->payload_wire_len);
}

void
ff_info(const struct frame_fields *ff, char *out, size_t outlen)
{
	size_t pos = 0;

	out[0] = '\0';
	if (!ff->ip_ok)
		return;
	if (ff->http)
		info_http(ff, out, outlen, &pos);
	else if (ff->is_dns)
		info_dns(ff, out, outlen, &pos);
	else if (ff->p.l4 == L4_TCP && has_ports(&ff->p))
		info_tcp(ff, out, outlen, &pos);
	else if (ff->p.l4 == L4_UDP && has_ports(&ff->p))
		cat(out, outlen, &pos, "%u → %u Len=%u", ff->p.sport,
		    ff->p.dport, ff->p.payload_wire_len);
	else if (ff->p.l4 == L4_ICMP || ff->p.l4 == L4_ICMP6)
		info_icmp(&ff->p, out, outlen, &pos);
	else
		cat(out, outlen, &pos, "IP protocol %u", ff->p.l4);
}
