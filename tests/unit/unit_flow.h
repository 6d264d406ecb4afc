/*
 * unit_flow.h: traffic built by hand for the flow and diagnosis tests.
 * A fixture holds a flow model (proxy port 9090) and feeds it decoded
 * packets: TCP segments between sides that keep their own sequence
 * numbers (SYN, SYN/ACK, data, FIN, RST, bare ACK), ICMP/ICMPv6 errors
 * quoting a SYN, DNS queries and answers (A/AAAA/CNAME records with TTLs,
 * any RCODE, an SOA in the authority section, no answer at all), and
 * HTTP heads; then runs the diagnosis over what was fed, as the engine
 * does at the end of a capture, or after every frame as while one is read.
 *
 * Frames are numbered from 1, frame n at offset 100 n; each comes 1 ms
 * after the previous one (frame n at n ms) unless uf_wait() or uf_at()
 * moves the clock. Header only, like unit_ip4.h: each test is one file.
 */
#ifndef GW_UNIT_FLOW_H
#define GW_UNIT_FLOW_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag/diag.h"
#include "flow/flow.h"
#include "proto/dns.h"
#include "proto/http.h"
#include "proto/packet.h"

#define UF_MS 1000000LL
#define UF_S 1000000000LL
#define UF_FRAME_GAP_NS UF_MS	/* between frames when nobody waits */
#define UF_LINKTYPE_RAW 101	/* raw IPv4/IPv6, for uf_feed_raw */
#define UF_DNS_MAX 1024		/* room for any message the tests build */

/* One end of a TCP connection (or a UDP socket). */
struct uf_side {
	struct gw_addr addr;
	uint16_t port;
	uint32_t seq;		/* the next sequence number it sends */
};

struct uf {
	struct flow fl;
	struct diag dg;		/* valid once uf_diag_run ran */
	bool diag_used;
	struct uf_side cli;	/* 10.0.0.5:40000, isn 1000 */
	struct uf_side srv;	/* the proxy, 10.0.0.1:9090, isn 5000 */
	uint64_t frame;		/* number of the frame fed last */
	int64_t next_ts_ns;	/* capture time of the next frame */
	/* called after each frame is fed (uf_slices_begin), or NULL */
	void (*after_frame)(struct uf *u);
	/* each frame's HTTP head and DNS message parsed ahead, as the
	 * reading thread of -j 2 does (src/prefetch.c) */
	bool pre_parse;
};

/* addr (IPv4 or IPv6 text), port, initial sequence number. */
static inline void
uf_side_init(struct uf_side *s, const char *addr, uint16_t port,
    uint32_t isn)
{
	memset(s, 0, sizeof *s);
	if (!addr_parse(addr, &s->addr))
		fail_msg("not an address: %s", addr);
	s->port = port;
	s->seq = isn;
}

/* cmocka setup/teardown: *state is a struct uf. */
static inline int
uf_setup(void **state)
{
	static const uint16_t ports[] = { 9090 };
	struct uf *u = calloc(1, sizeof *u);

	assert_non_null(u);
	assert_int_equal(flow_init(&u->fl, ports, 1), 0);
	uf_side_init(&u->cli, "10.0.0.5", 40000, 1000);
	uf_side_init(&u->srv, "10.0.0.1", 9090, 5000);
	u->next_ts_ns = UF_FRAME_GAP_NS;
	*state = u;
	return 0;
}

/* uf_setup with the server an upstream on port 80 (not a proxy port: a
 * flow without a SYN there waits until it shows HTTP). */
static inline int
uf_setup80(void **state)
{
	int rc = uf_setup(state);

	((struct uf *)*state)->srv.port = 80;
	return rc;
}

/* uf_setup with cli the resolver 10.0.0.1:40000 and srv the DNS server
 * 10.0.0.53:53. */
static inline int
uf_setup_dns(void **state)
{
	int rc = uf_setup(state);
	struct uf *u = *state;

	uf_side_init(&u->cli, "10.0.0.1", 40000, 0);
	uf_side_init(&u->srv, "10.0.0.53", 53, 0);
	return rc;
}

static inline int
uf_teardown(void **state)
{
	struct uf *u = *state;

	if (u->diag_used)
		diag_free(&u->dg);
	flow_free(&u->fl);
	free(u);
	return 0;
}

/* The next frame comes ns later than it would have. */
static inline void
uf_wait(struct uf *u, int64_t ns)
{
	u->next_ts_ns += ns;
}

/* The next frame is captured at ts_ns; the ones after it 1 ms apart. */
static inline void
uf_at(struct uf *u, int64_t ts_ns)
{
	u->next_ts_ns = ts_ns;
}

/* p fed with what the reading thread would parse ahead of the flow. */
static inline void
uf_feed_pre(struct uf *u, const struct frame *f, const struct pkt *p)
{
	static struct http_pre head;	/* 2.5 KB: not on the stack */
	static struct dns_pre dns;	/* 9 KB */
	struct pkt q = *p;

	if (q.l4 == L4_TCP && q.payload_len > 0) {
		http_pre_parse(q.payload, q.payload_len, &head);
		q.http_pre = &head;
	} else if (q.l4 == L4_UDP && !q.fragment &&
	    (q.sport == DNS_PORT || q.dport == DNS_PORT)) {
		dns_pre_parse(q.payload, q.payload_len, &dns);
		q.dns_pre = &dns;
	}
	flow_feed(&u->fl, f, &q);
}

/*
 * Feeds a decoded packet as the next frame (data: its bytes, or NULL)
 * and returns its number. The capture-wide times are kept as
 * engine_feed keeps them: diag_run takes "now" from the last one.
 */
static inline uint64_t
uf_feed_frame(struct uf *u, const struct pkt *p, const uint8_t *data,
    size_t len, int linktype)
{
	struct flow_stats *st = &u->fl.stats;
	struct frame f;

	memset(&f, 0, sizeof f);
	f.number = ++u->frame;
	f.ts_ns = u->next_ts_ns;
	f.offset = f.number * 100;
	f.data = data;
	f.caplen = f.wirelen = (uint32_t)len;
	f.linktype = linktype;
	u->next_ts_ns += UF_FRAME_GAP_NS;
	st->frames++;
	if (st->first_ts == 0 || f.ts_ns < st->first_ts)
		st->first_ts = f.ts_ns;
	if (f.ts_ns > st->last_ts)
		st->last_ts = f.ts_ns;
	if (u->pre_parse)
		uf_feed_pre(u, &f, p);
	else
		flow_feed(&u->fl, &f, p);
	if (u->after_frame)
		u->after_frame(u);
	return f.number;
}

static inline uint64_t
uf_feed(struct uf *u, const struct pkt *p)
{
	return uf_feed_frame(u, p, NULL, 0, 0);
}

/* Decodes a raw IP packet (see unit_ip4.h) and feeds it. */
static inline uint64_t
uf_feed_raw(struct uf *u, const uint8_t *pkt, size_t n)
{
	struct pkt p;

	assert_int_equal(decode_frame(UF_LINKTYPE_RAW, pkt, (uint32_t)n, &p),
	    DECODE_OK);
	return uf_feed_frame(u, &p, pkt, n, UF_LINKTYPE_RAW);
}

static inline void
uf_pkt_between(struct pkt *p, uint8_t l4, const struct uf_side *from,
    const struct uf_side *to)
{
	memset(p, 0, sizeof *p);
	p->ipver = from->addr.family;
	p->l4 = l4;
	p->src = from->addr;
	p->dst = to->addr;
	p->sport = from->port;
	p->dport = to->port;
}

/* One TCP segment from `from` to `to` with everything given. */
static inline uint64_t
uf_tcp(struct uf *u, const struct uf_side *from, const struct uf_side *to,
    uint32_t seq, uint32_t ack, uint8_t flags, const void *data, size_t len)
{
	struct pkt p;

	uf_pkt_between(&p, L4_TCP, from, to);
	p.seq = seq;
	p.ack = ack;
	p.tcp_flags = flags;
	p.payload = data;
	p.payload_len = p.payload_wire_len = (uint32_t)len;
	return uf_feed(u, &p);
}

/* A segment with seq, flags and payload (acknowledgement number 0). */
static inline uint64_t
uf_segment(struct uf *u, const struct uf_side *from, const struct uf_side *to,
    uint32_t seq, uint8_t flags, const void *data, size_t len)
{
	return uf_tcp(u, from, to, seq, 0, flags, data, len);
}

/* A bare ACK of everything `to` has sent. */
static inline uint64_t
uf_ack(struct uf *u, const struct uf_side *from, const struct uf_side *to)
{
	return uf_tcp(u, from, to, from->seq, to->seq, TCPF_ACK, NULL, 0);
}

/* A SYN with from's sequence number: calling it again retransmits it. */
static inline uint64_t
uf_syn(struct uf *u, const struct uf_side *from, const struct uf_side *to)
{
	return uf_segment(u, from, to, from->seq, TCPF_SYN, NULL, 0);
}

/* The SYN/ACK from `from` (the server); both sides' SYNs are consumed. */
static inline uint64_t
uf_synack(struct uf *u, struct uf_side *from, struct uf_side *to)
{
	uint64_t n = uf_segment(u, from, to, from->seq, TCPF_SYN | TCPF_ACK,
	    NULL, 0);

	from->seq++;
	to->seq++;
	return n;
}

/* SYN from a, SYN/ACK from b; returns the SYN's frame. */
static inline uint64_t
uf_handshake(struct uf *u, struct uf_side *a, struct uf_side *b)
{
	uint64_t n = uf_syn(u, a, b);

	uf_synack(u, b, a);
	return n;
}

/* Payload from a side, advancing its sequence number. */
static inline uint64_t
uf_send_bytes(struct uf *u, struct uf_side *from, const struct uf_side *to,
    const void *data, size_t len)
{
	uint64_t n = uf_segment(u, from, to, from->seq, TCPF_ACK | TCPF_PSH,
	    data, len);

	from->seq += (uint32_t)len;
	return n;
}

static inline uint64_t
uf_send(struct uf *u, struct uf_side *from, const struct uf_side *to,
    const char *s)
{
	return uf_send_bytes(u, from, to, s, strlen(s));
}

/* FIN (with ACK) from a side, which consumes a sequence number. */
static inline uint64_t
uf_fin(struct uf *u, struct uf_side *from, const struct uf_side *to)
{
	uint64_t n = uf_segment(u, from, to, from->seq, TCPF_FIN | TCPF_ACK,
	    NULL, 0);

	from->seq++;
	return n;
}

/* RST (with ACK) from a side. */
static inline uint64_t
uf_rst(struct uf *u, const struct uf_side *from, const struct uf_side *to)
{
	return uf_segment(u, from, to, from->seq, TCPF_RST | TCPF_ACK, NULL, 0);
}

/*
 * An ICMP (IPv4 sides) or ICMPv6 (IPv6 sides) error from `router` to
 * `from`, quoting from's SYN to `to`: e.g. type 3 code 13 (IPv4
 * communication administratively filtered), type 1 code 1 (ICMPv6
 * administratively prohibited). uf_icmp_quoting: the quoted packet's
 * protocol given (L4_UDP: a datagram of the same ports).
 */
static inline uint64_t
uf_icmp_quoting(struct uf *u, const char *router, const struct uf_side *from,
    const struct uf_side *to, uint8_t quoted_l4, uint8_t type, uint8_t code)
{
	struct pkt p;

	memset(&p, 0, sizeof p);
	if (!addr_parse(router, &p.src))
		fail_msg("not an address: %s", router);
	p.ipver = from->addr.family;
	p.l4 = p.ipver == 6 ? L4_ICMP6 : L4_ICMP;
	p.dst = from->addr;
	p.icmp_type = type;
	p.icmp_code = code;
	p.quote.valid = true;
	p.quote.l4 = quoted_l4;
	p.quote.src = from->addr;
	p.quote.dst = to->addr;
	p.quote.sport = from->port;
	p.quote.dport = to->port;
	p.quote.seq = from->seq;
	return uf_feed(u, &p);
}

static inline uint64_t
uf_icmp(struct uf *u, const char *router, const struct uf_side *from,
    const struct uf_side *to, uint8_t type, uint8_t code)
{
	return uf_icmp_quoting(u, router, from, to, L4_TCP, type, code);
}

/* "GET target HTTP/1.1" with a Host header (absolute or origin form). */
static inline uint64_t
uf_get(struct uf *u, struct uf_side *from, const struct uf_side *to,
    const char *target, const char *host)
{
	char head[1024];
	int n = snprintf(head, sizeof head, "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "\r\n", target, host);

	assert_true(n > 0 && (size_t)n < sizeof head);
	return uf_send(u, from, to, head);
}

/* A whole response without body: "HTTP/1.1 status reason". */
static inline uint64_t
uf_status(struct uf *u, struct uf_side *from, const struct uf_side *to,
    unsigned status)
{
	const char *reason = status == 200 ? "OK" : status == 502 ?
	    "Bad Gateway" : status == 503 ? "Service Unavailable" :
	    status == 504 ? "Gateway Timeout" : "Other";
	char head[128];

	snprintf(head, sizeof head, "HTTP/1.1 %u %s\r\nContent-Length: 0\r\n"
	    "\r\n", status, reason);
	return uf_send(u, from, to, head);
}

/* One answer record. */
struct uf_rr {
	uint16_t type;		/* DNS_T_A, DNS_T_AAAA or DNS_T_CNAME */
	const char *name;	/* owner; NULL: the question's (compressed) */
	uint32_t ttl;
	const char *data;	/* address text (A, AAAA), target (CNAME) */
};

/* An SOA in the authority section (RFC 2308: a negative answer is
 * cached for the smaller of ttl and minimum). */
struct uf_soa {
	const char *zone;
	uint32_t ttl, minimum;
};

/* One DNS message: a query, or a response with rcode and records. */
struct uf_dns {
	uint16_t id, qtype;
	const char *qname;
	bool response;
	uint8_t rcode;
	const struct uf_rr *rrs;
	size_t nrrs;
	const struct uf_soa *soa;	/* NULL: no authority record */
};

static inline size_t
uf_put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
	return 2;
}

/* name in wire form (labels, root) at out; returns its length. */
static inline size_t
uf_dns_name(uint8_t *out, size_t cap, const char *name)
{
	size_t n = 0;

	while (*name) {
		size_t len = strcspn(name, ".");

		assert_true(len > 0 && len <= 63 && n + 1 + len < cap);
		out[n++] = (uint8_t)len;
		memcpy(out + n, name, len);
		n += len;
		name += len;
		if (*name == '.')
			name++;
	}
	assert_true(n < cap);
	out[n++] = 0;
	return n;
}

static inline size_t
uf_put32(uint8_t *b, uint32_t v)
{
	uf_put16(b, (uint16_t)(v >> 16));
	uf_put16(b + 2, (uint16_t)v);
	return 4;
}

/* The SOA record of soa->zone at out (ns.ZONE, hostmaster.ZONE, then
 * serial, refresh, retry, expire, minimum); returns its length. */
static inline size_t
uf_dns_soa(uint8_t *out, size_t cap, const struct uf_soa *soa)
{
	char name[300];
	size_t n, rd;

	n = uf_dns_name(out, cap, soa->zone);
	assert_true(n + 10 <= cap);
	n += uf_put16(out + n, DNS_T_SOA);
	n += uf_put16(out + n, 1);
	n += uf_put32(out + n, soa->ttl);
	rd = n + 2;
	snprintf(name, sizeof name, "ns.%s", soa->zone);
	rd += uf_dns_name(out + rd, cap - rd, name);
	snprintf(name, sizeof name, "hostmaster.%s", soa->zone);
	rd += uf_dns_name(out + rd, cap - rd, name);
	assert_true(rd + 20 <= cap);
	rd += uf_put32(out + rd, 1);		/* serial */
	rd += uf_put32(out + rd, 3600);		/* refresh */
	rd += uf_put32(out + rd, 600);		/* retry */
	rd += uf_put32(out + rd, 86400);	/* expire */
	rd += uf_put32(out + rd, soa->minimum);
	uf_put16(out + n, (uint16_t)(rd - n - 2));
	return rd;
}

/*
 * The message's bytes at out (header, one question, the records; owner
 * names equal to the question point to it); returns the length.
 */
static inline size_t
uf_dns_wire(uint8_t *out, size_t cap, const struct uf_dns *m)
{
	size_t n = 12;

	assert_true(cap >= 12);
	memset(out, 0, 12);
	uf_put16(out, m->id);
	out[2] = m->response ? 0x81 : 0x01;	/* QR, RD */
	out[3] = m->response ? (uint8_t)(0x80 | (m->rcode & 15)) : 0; /* RA */
	uf_put16(out + 4, 1);
	uf_put16(out + 6, (uint16_t)m->nrrs);
	n += uf_dns_name(out + n, cap - n, m->qname);
	assert_true(n + 4 <= cap);
	n += uf_put16(out + n, m->qtype);
	n += uf_put16(out + n, 1);	/* IN */
	for (size_t i = 0; i < m->nrrs; i++) {
		const struct uf_rr *rr = &m->rrs[i];
		struct gw_addr a;
		size_t rdlen;

		if (rr->name == NULL || strcmp(rr->name, m->qname) == 0) {
			assert_true(n + 2 <= cap);
			n += uf_put16(out + n, 0xc000 | 12);
		} else {
			n += uf_dns_name(out + n, cap - n, rr->name);
		}
		assert_true(n + 10 <= cap);
		n += uf_put16(out + n, rr->type);
		n += uf_put16(out + n, 1);
		n += uf_put16(out + n, (uint16_t)(rr->ttl >> 16));
		n += uf_put16(out + n, (uint16_t)rr->ttl);
		if (rr->type == DNS_T_CNAME) {
			rdlen = uf_dns_name(out + n + 2, cap - n - 2, rr->data);
		} else {
			if (!addr_parse(rr->data, &a))
				fail_msg("not an address: %s", rr->data);
			rdlen = a.family == 4 ? 4 : 16;
			assert_true(n + 2 + rdlen <= cap);
			memcpy(out + n + 2, a.a, rdlen);
		}
		n += uf_put16(out + n, (uint16_t)rdlen);
		n += rdlen;
	}
	if (m->soa != NULL)
		n += uf_dns_soa(out + n, cap - n, m->soa);
	uf_put16(out + 8, m->soa != NULL);	/* NSCOUNT */
	return n;
}

/* The message with its 2-byte length in front, as DNS over TCP sends it. */
static inline size_t
uf_dns_tcp_wire(uint8_t *out, size_t cap, const struct uf_dns *m)
{
	size_t n;

	assert_true(cap > 2);
	n = uf_dns_wire(out + 2, cap - 2, m);
	uf_put16(out, (uint16_t)n);
	return n + 2;
}

/* A UDP header in front of the n bytes already at out + 8; returns 8 + n. */
static inline size_t
uf_udp_wrap(uint8_t *out, uint16_t sport, uint16_t dport, size_t n)
{
	uf_put16(out, sport);
	uf_put16(out + 2, dport);
	uf_put16(out + 4, (uint16_t)(8 + n));
	uf_put16(out + 6, 0);	/* no checksum */
	return 8 + n;
}

/* The message in one UDP datagram from `from` to `to`. */
static inline uint64_t
uf_dns_udp(struct uf *u, const struct uf_side *from, const struct uf_side *to,
    const struct uf_dns *m)
{
	uint8_t msg[UF_DNS_MAX];
	struct pkt p;

	uf_pkt_between(&p, L4_UDP, from, to);
	p.payload = msg;
	p.payload_len = p.payload_wire_len = (uint32_t)uf_dns_wire(msg,
	    sizeof msg, m);
	return uf_feed(u, &p);
}

/* A query from resolver socket `res` to DNS server `srv`. */
static inline uint64_t
uf_dns_query(struct uf *u, const struct uf_side *res,
    const struct uf_side *srv, uint16_t id, const char *qname,
    uint16_t qtype)
{
	struct uf_dns m = { .id = id, .qtype = qtype, .qname = qname };

	return uf_dns_udp(u, res, srv, &m);
}

/* srv's answer to that query: rcode and nrrs records (0: none). */
static inline uint64_t
uf_dns_answer(struct uf *u, const struct uf_side *srv,
    const struct uf_side *res, uint16_t id, const char *qname,
    uint16_t qtype, uint8_t rcode, const struct uf_rr *rrs, size_t nrrs)
{
	struct uf_dns m = { .id = id, .qtype = qtype, .qname = qname,
	    .response = true, .rcode = rcode, .rrs = rrs, .nrrs = nrrs };

	return uf_dns_udp(u, srv, res, &m);
}

/* The options a plain run has: --status 502,503,504, --timeout 120. */
static inline void
uf_diag_opts(struct diag_opts *o)
{
	memset(o, 0, sizeof *o);
	o->statuses[0] = 502;
	o->statuses[1] = 503;
	o->statuses[2] = 504;
	o->nstatuses = 3;
	o->timeout_ns = 120 * UF_S;
}

/* A new diagnosis with o (NULL: the plain run's), nothing taken yet. */
static inline void
uf_diag_start(struct uf *u, const struct diag_opts *o)
{
	struct diag_opts plain;

	if (o == NULL) {
		uf_diag_opts(&plain);
		o = &plain;
	}
	if (u->diag_used)
		diag_free(&u->dg);
	diag_init(&u->dg, o);
	u->diag_used = true;
}

/*
 * Diagnoses everything fed so far from scratch, with o (NULL: the plain
 * run's). final: the capture ends here, as engine_finish ends it (bodies
 * delimited by close end; a request never answered stays unanswered).
 */
static inline struct diag *
uf_diag_run(struct uf *u, const struct diag_opts *o, bool final)
{
	if (final)
		flow_finish(&u->fl);
	uf_diag_start(u, o);
	diag_update(&u->dg, &u->fl);
	diag_run(&u->dg, &u->fl, final);
	return &u->dg;
}

static inline struct diag *
uf_diagnose(struct uf *u)
{
	return uf_diag_run(u, NULL, true);
}

/* One slice as a live capture makes it: take what came, diagnose. */
static inline void
uf_slice(struct uf *u)
{
	diag_update(&u->dg, &u->fl);
	diag_run(&u->dg, &u->fl, false);
}

/*
 * From now on the diagnosis (with o; NULL: the plain run's) runs after
 * every frame fed, as while a capture is read; uf_slices_end ends the
 * capture and runs it a last time.
 */
static inline void
uf_slices_begin(struct uf *u, const struct diag_opts *o)
{
	uf_diag_start(u, o);
	u->after_frame = uf_slice;
}

static inline struct diag *
uf_slices_end(struct uf *u)
{
	u->after_frame = NULL;
	flow_finish(&u->fl);
	diag_update(&u->dg, &u->fl);
	diag_run(&u->dg, &u->fl, true);
	return &u->dg;
}

/* The transaction with this id (it must exist). */
static inline const struct txn *
uf_txn(const struct uf *u, uint32_t id)
{
	uint32_t i = diag_find(&u->dg, id);

	if (i == NONE32)
		fail_msg("no transaction %u", id);
	return &u->dg.txns[i];
}

/* t's evidence frames as the reports list them (now: the last frame). */
static inline size_t
uf_evidence(const struct uf *u, const struct txn *t, uint64_t *out,
    size_t max)
{
	return diag_evidence_frames(&u->fl, t, u->fl.stats.last_ts, out, max);
}

/* t's one-line summary, in out. */
static inline const char *
uf_summary(const struct uf *u, const struct txn *t, char *out, size_t len)
{
	diag_summary(&u->dg, &u->fl, t, out, len);
	return out;
}

/* t's summary cut at every buffer size from 1 to a few bytes past its
 * end is the whole one cut there, as snprintf cuts, and writes nothing
 * past the buffer. */
static inline void
uf_summary_cuts(const struct uf *u, const struct txn *t)
{
	char full[512], got[560], want[560];
	size_t n;

	uf_summary(u, t, full, sizeof full);
	n = strlen(full);
	assert_true(n + 40 < sizeof got);
	for (size_t len = 1; len <= n + 8; len++) {
		memset(got, 'x', sizeof got);
		memset(want, 'x', sizeof want);
		uf_summary(u, t, got, len);
		snprintf(want, len, "%s", full);
		assert_memory_equal(got, want, sizeof got);
	}
}

static inline const char *
uf_str(const struct uf *u, strref r)
{
	return flow_str(&u->fl, r);
}

/* m's first line (flow_msg_line), valid until the next call */
static inline const char *
uf_line(const struct uf *u, const struct http_msg *m)
{
	static struct flow_line line;

	return flow_msg_line(&u->fl, m, &line);
}

#endif
