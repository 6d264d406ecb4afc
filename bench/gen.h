/*
 * gen.h: the packet writer shared by the capture generators bench/gen.c
 * (a mixed gateway: one host per failure) and bench/busy.c (a busy gateway:
 * many requests to few hosts, cached DNS, pooled connections). Header-only
 * so that each generator still builds alone from one `cc` line; everything
 * is static, each program has its own copy.
 *
 * What it holds: the verdicts and causes of DESIGN §1, a splitmix64 random
 * stream, one min-heap of events keyed by time (packets, body "trains",
 * and the model's own events), the pcap writer (LINKTYPE_ETHERNET, µs;
 * IPv4 header checksums set, TCP/UDP checksums 0), the gateway's DNS
 * look-up, upstream connections (handshake, close, ICMP error), the client
 * side (request, the gateway's error page), and the truth: counts per cause
 * and one TSV line per transaction, in request order.
 */
#ifndef BENCH_GEN_H
#define BENCH_GEN_H

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- verdicts and causes: the keys of DESIGN §1 ---- */
enum cause {
	C_NONE, C_NXDOMAIN, C_DNS_ERROR, C_DNS_NO_RESPONSE, C_SYN_UNANSWERED,
	C_TCP_RST, C_ICMP, C_HTTP_INVALID, C_TIMEOUT, C_CLOSED, C_5XX,
	C_NO_EVIDENCE, C_COUNT
};
static const char *const cause_key[C_COUNT] = {
	"none", "dns-nxdomain", "dns-error", "dns-no-response",
	"syn-unanswered", "tcp-rst", "icmp-unreachable",
	"http-invalid-response", "upstream-timeout", "upstream-closed",
	"upstream-5xx", "no-upstream-evidence"
};
static const char *const cause_verdict[C_COUNT] = {
	"ok", "host-not-resolvable", "host-not-resolvable",
	"host-not-resolvable", "cannot-connect", "cannot-connect",
	"cannot-connect", "bad-response", "bad-response", "bad-response",
	"relayed", "unknown"
};

/* ---- addresses ---- */
#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
	(uint32_t)(c) << 8 | (uint32_t)(d))
#define GW_IP IP4(10, 0, 0, 1)
#define DNS_IP IP4(10, 0, 0, 53)
#define FW_IP IP4(10, 0, 0, 254)	/* the firewall that sends ICMP */
#define PROXY_PORT 9090	/* gw502tui's default -p */
#define MSS 1448
#define NS 1000000000LL
#define US 1000LL
#define MS 1000000LL
#define T0 (1768467600LL * NS)	/* 2026-01-15 09:00:00 UTC */

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

/* ---- random numbers: splitmix64 ---- */
static uint64_t rng_state;

/* splitmix64's finaliser: a hash of z (busy.c hashes with it too). */
static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rnd(void)
{
	return mix64(rng_state += 0x9e3779b97f4a7c15ULL);
}

static double
urand(void)	/* [0,1) */
{
	return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0);
}

static uint64_t
rrange(uint64_t lo, uint64_t hi)	/* [lo,hi] */
{
	return lo + rnd() % (hi - lo + 1);
}

static double
expo(double mean)
{
	double u = urand();

	return -mean * __builtin_log(1.0 - u);
}

static double
logu(double lo, double hi)	/* log-uniform in [lo,hi) */
{
	return __builtin_exp(__builtin_log(lo) +
	    urand() * (__builtin_log(hi) - __builtin_log(lo)));
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("gen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

/*
 * p = an object from the free list (linked by its field `link`) or a new
 * one, zeroed but for its generation number, which goes one up: objects
 * are recycled, never freed, and an event that still points at one tells
 * by that number that it is stale.
 */
#define GEN_RECYCLE(p, free_list, link) do {				\
	uint64_t gen_;							\
									\
	if (((p) = (free_list)) != NULL)				\
		(free_list) = (p)->link;				\
	else {								\
		(p) = xmalloc(sizeof *(p));				\
		(p)->gen = 0;						\
	}								\
	gen_ = (p)->gen + 1;						\
	memset((p), 0, sizeof *(p));					\
	(p)->gen = gen_;						\
} while (0)

/* The options every generator reads: -o OUT, -t TRUTH, -T TSV, -S SEED. */
struct gen_files {
	const char *out, *truth, *tsv;
	uint64_t seed;
};

/* Takes opt (with its argument) when it is one of those. */
static int
gen_file_opt(struct gen_files *f, int opt, const char *arg)
{
	switch (opt) {
	case 'o': f->out = arg; return 1;
	case 't': f->truth = arg; return 1;
	case 'T': f->tsv = arg; return 1;
	case 'S': f->seed = strtoull(arg, NULL, 10); return 1;
	}
	return 0;
}

/* ---- events: packets, body trains; the model's from EV_MODEL on ---- */
enum ev_type { EV_PKT, EV_TRAIN, EV_MODEL };

struct ev {
	int64_t ts;		/* ns */
	uint64_t ord;		/* insertion order: ties stay FIFO */
	uint8_t type, proto, flags, binfill;
	uint16_t textlen;
	uint16_t sport, dport;
	uint32_t saddr, daddr;
	uint32_t seq, ack;
	uint32_t fill;		/* PKT: filler bytes; TRAIN: bytes left */
	uint32_t interval;	/* TRAIN: ns between segments */
	uint32_t k;		/* TRAIN: segments sent */
	uint8_t *text;		/* owned; PKT/TRAIN payload prefix */
	void *ptr;		/* model events: what they act on */
	uint64_t gen;		/* model events: ptr's generation when armed */
};

static struct ev *heap;
static size_t nheap, heapcap;
static uint64_t ord_next;

static int
ev_before(const struct ev *a, const struct ev *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->ord < b->ord);
}

static void
heap_push(struct ev *e)
{
	size_t i;

	if (nheap == heapcap) {
		heapcap = heapcap ? heapcap * 2 : 4096;
		heap = realloc(heap, heapcap * sizeof *heap);
		if (heap == NULL)
			die("out of memory");
	}
	e->ord = ord_next++;
	i = nheap++;
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!ev_before(e, &heap[p]))
			break;
		heap[i] = heap[p];
		i = p;
	}
	heap[i] = *e;
}

static void
heap_pop(struct ev *out)
{
	struct ev last;
	size_t i = 0;

	*out = heap[0];
	last = heap[--nheap];
	for (;;) {
		size_t l = 2 * i + 1, m;

		if (l >= nheap)
			break;
		m = (l + 1 < nheap && ev_before(&heap[l + 1], &heap[l])) ?
		    l + 1 : l;
		if (!ev_before(&heap[m], &last))
			break;
		heap[i] = heap[m];
		i = m;
	}
	if (nheap)
		heap[i] = last;
}

/* A model event of the given type at ts on ptr (its generation gen);
 * inline: bench/gen.c has no model events of its own. */
static inline void
arm(int type, int64_t ts, void *ptr, uint64_t gen)
{
	struct ev e;

	memset(&e, 0, sizeof e);
	e.type = (uint8_t)type;
	e.ts = ts;
	e.ptr = ptr;
	e.gen = gen;
	heap_push(&e);
}

/* ---- output ---- */
static FILE *out;
static uint8_t *obuf;
static size_t olen;
#define OBUF_SIZE (16u << 20)
static uint64_t frames_written, bytes_written;
static uint64_t bytes_scheduled;	/* file bytes of all scheduled packets */
static uint16_t ip_id;
static uint8_t text_fill[65536 + 2 * MSS], bin_fill[65536 + 2 * MSS];

static void
oflush(void)
{
	if (olen && fwrite(obuf, 1, olen, out) != olen)
		die("write: %s", strerror(errno));
	olen = 0;
}

static void
w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
w32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
l32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);	/* pcap headers: host order */
}

static uint16_t
csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static const uint8_t mac_gw[6] = { 0x52, 0x54, 0x00, 0x0a, 0x00, 0x01 };
static const uint8_t mac_net[6] = { 0x52, 0x54, 0x00, 0xfe, 0x00, 0x01 };

/* IP header (20 bytes) at p for an L4 payload of l4len bytes. */
static void
put_ip(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, size_t l4len)
{
	p[0] = 0x45;
	p[1] = 0;
	w16(p + 2, (uint16_t)(20 + l4len));
	w16(p + 4, ip_id++);
	w16(p + 6, proto == 6 ? 0x4000 : 0);
	p[8] = src == GW_IP ? 64 : 57;
	p[9] = proto;
	w16(p + 10, 0);
	w32(p + 12, src);
	w32(p + 16, dst);
	w16(p + 10, csum(p, 20));
}

/* SYN options: MSS 1460, SACK permitted, NOP, window scale 7, NOP, NOP. */
static const uint8_t syn_opts[12] = { 2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7,
	1, 1 };

static size_t
put_tcp(uint8_t *p, const struct ev *e)
{
	size_t hl = (e->flags & F_SYN) ? 32 : 20;

	w16(p, e->sport);
	w16(p + 2, e->dport);
	w32(p + 4, e->seq);
	w32(p + 8, (e->flags & F_ACK) ? e->ack : 0);
	p[12] = (uint8_t)((hl / 4) << 4);
	p[13] = e->flags;
	w16(p + 14, (e->flags & F_SYN) ? 64240 : 502);
	w16(p + 16, 0);
	w16(p + 18, 0);
	if (hl > 20)
		memcpy(p + 20, syn_opts, sizeof syn_opts);
	return hl;
}

/* Writes one frame: headers, e->text[0..textlen), then fill filler bytes. */
static void
emit(int64_t ts, const struct ev *e, uint32_t fill, uint32_t fill_off)
{
	uint8_t *r, *p;
	size_t l4h, paylen = (size_t)e->textlen + fill, l4len, caplen;

	if (olen + 256 + paylen > OBUF_SIZE)
		oflush();
	r = obuf + olen;
	p = r + 16 + 14;
	if (e->proto == 6)
		l4h = (e->flags & F_SYN) ? 32 : 20;
	else
		l4h = 8;	/* UDP header; ICMP's 8 bytes */
	l4len = l4h + paylen;
	caplen = 14 + 20 + l4len;
	l32(r, (uint32_t)(ts / NS));
	l32(r + 4, (uint32_t)(ts % NS / US));
	l32(r + 8, (uint32_t)caplen);
	l32(r + 12, (uint32_t)caplen);
	memcpy(r + 16, e->saddr == GW_IP ? mac_net : mac_gw, 6);
	memcpy(r + 22, e->saddr == GW_IP ? mac_gw : mac_net, 6);
	w16(r + 28, 0x0800);
	put_ip(p, e->saddr, e->daddr, e->proto, l4len);
	p += 20;
	if (e->proto == 6) {
		put_tcp(p, e);
	} else if (e->proto == 17) {
		w16(p, e->sport);
		w16(p + 2, e->dport);
		w16(p + 4, (uint16_t)l4len);
		w16(p + 6, 0);
	} else {	/* ICMP: type/code in sport, quote in text */
		p[0] = (uint8_t)(e->sport >> 8);
		p[1] = (uint8_t)e->sport;
		w16(p + 2, 0);
		w32(p + 4, 0);
	}
	if (e->textlen)
		memcpy(p + l4h, e->text, e->textlen);
	if (fill)
		memcpy(p + l4h + e->textlen,
		    (e->binfill ? bin_fill : text_fill) + fill_off % 65536,
		    fill);
	if (e->proto == 1)
		w16(p + 2, csum(p, l4len));
	olen += 16 + caplen;
	frames_written++;
	bytes_written += 16 + caplen;
}

static size_t
frame_file_bytes(uint8_t proto, uint8_t flags, size_t paylen)
{
	return 16 + 14 + 20 + (proto == 6 ? ((flags & F_SYN) ? 32 : 20) : 8) +
	    paylen;
}

/* ---- scheduling helpers ---- */
static uint8_t *
dup_text(const void *s, size_t n)
{
	uint8_t *p = xmalloc(n);

	memcpy(p, s, n);
	return p;
}

/* A TCP segment's event of the given type, with a copy of text. */
static void
tcp_ev(struct ev *e, uint8_t type, int64_t ts, uint32_t src, uint32_t dst,
    uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack, uint8_t flags,
    const char *text, size_t textlen)
{
	memset(e, 0, sizeof *e);
	e->type = type;
	e->ts = ts;
	e->proto = 6;
	e->flags = flags;
	e->saddr = src;
	e->daddr = dst;
	e->sport = sp;
	e->dport = dp;
	e->seq = seq;
	e->ack = ack;
	if (textlen) {
		e->text = dup_text(text, textlen);
		e->textlen = (uint16_t)textlen;
	}
}

static void
tcp(int64_t ts, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
    uint32_t seq, uint32_t ack, uint8_t flags, const char *text,
    size_t textlen)
{
	struct ev e;

	tcp_ev(&e, EV_PKT, ts, src, dst, sp, dp, seq, ack, flags, text,
	    textlen);
	bytes_scheduled += frame_file_bytes(6, flags, textlen);
	heap_push(&e);
}

/*
 * A body transfer: head text (may be empty) then body bytes of filler, in
 * MSS segments every interval ns; the receiver ACKs every second segment.
 */
static void
train(int64_t ts, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
    uint32_t seq, uint32_t ack, const char *head, size_t headlen,
    uint64_t body, uint32_t interval, int binfill)
{
	struct ev e;
	uint64_t total = headlen + body, nseg = (total + MSS - 1) / MSS;

	if (nseg == 0)
		return;
	tcp_ev(&e, EV_TRAIN, ts, src, dst, sp, dp, seq, ack, F_ACK, head,
	    headlen);
	e.fill = (uint32_t)body;
	e.interval = interval;
	e.binfill = (uint8_t)binfill;
	bytes_scheduled += total + nseg * frame_file_bytes(6, 0, 0) +
	    (nseg + 1) / 2 * frame_file_bytes(6, 0, 0);
	heap_push(&e);
}

static int64_t
train_end(int64_t ts, size_t headlen, uint64_t body, uint32_t interval)
{
	uint64_t nseg = (headlen + body + MSS - 1) / MSS;

	return ts + (int64_t)(nseg ? nseg - 1 : 0) * interval;
}

static void
run_train(struct ev *e)
{
	uint32_t room = MSS - e->textlen;
	uint32_t part = e->fill < room ? e->fill : room;
	uint32_t len = e->textlen + part;
	struct ev a;

	e->fill -= part;
	e->flags = e->fill ? F_ACK : F_ACK | F_PSH;
	emit(e->ts, e, part, e->seq);
	e->seq += len;
	e->k++;
	free(e->text);
	e->text = NULL;
	e->textlen = 0;
	if (e->k % 2 == 0 || e->fill == 0) {	/* the receiver's ACK */
		memset(&a, 0, sizeof a);
		a.type = EV_PKT;
		/* no rnd(): the stream of choices must not depend on the
		 * number of segments (body scale) */
		a.ts = e->ts + 25 * US + (int64_t)(e->seq * 2654435761u %
		    (20 * US));
		a.proto = 6;
		a.flags = F_ACK;
		a.saddr = e->daddr;
		a.daddr = e->saddr;
		a.sport = e->dport;
		a.dport = e->sport;
		a.seq = e->ack;
		a.ack = e->seq;
		heap_push(&a);
	}
	if (e->fill) {
		e->ts += e->interval;
		heap_push(e);
	}
}

/* ---- DNS ---- */
static size_t
dns_name(uint8_t *p, const char *name)
{
	size_t n = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		p[n++] = (uint8_t)l;
		memcpy(p + n, name, l);
		n += l;
		name += l + (dot ? 1 : 0);
	}
	p[n++] = 0;
	return n;
}

/* What a DNS server answers for a name (rcode 0) or about it (rcode 3). */
struct dns_answer {
	const char *cname;	/* a CNAME to this first, or NULL */
	uint32_t addr[2];	/* A records (0: none) */
	uint32_t ttl;		/* of the A records */
	const char *zone;	/* negative answers carry the zone's SOA; NULL:
				 * no authority section */
	uint32_t neg_ttl;	/* the SOA's TTL and minimum (RFC 2308) */
};

/* The zone's SOA as an authority record; returns its length. */
static size_t
dns_soa(uint8_t *p, const char *zone, uint32_t neg_ttl)
{
	size_t n = dns_name(p, zone), rd;

	w16(p + n, 6);
	w16(p + n + 2, 1);
	w32(p + n + 4, neg_ttl);
	rd = n + 10;
	n = rd;
	n += dns_name(p + n, "ns1.example.net");
	n += dns_name(p + n, "hostmaster.example.net");
	w32(p + n, 2026011501);		/* serial */
	w32(p + n + 4, 7200);		/* refresh */
	w32(p + n + 8, 900);		/* retry */
	w32(p + n + 12, 1209600);	/* expire */
	w32(p + n + 16, neg_ttl);	/* minimum: the negative TTL */
	n += 20;
	w16(p + rd - 2, (uint16_t)(n - rd));
	return n;
}

/*
 * A DNS message for name/qtype: a query when rcode < 0, else a response
 * with what a says (CNAME, then for qtype A its addresses; a negative
 * answer with the SOA when a->zone is set).
 */
static size_t
dns_msg(uint8_t *m, uint16_t id, const char *name, uint16_t qtype,
    int rcode, const struct dns_answer *a)
{
	size_t n = 12, aname_off = 12;
	uint16_t an = 0;

	w16(m, id);
	w16(m + 2, rcode < 0 ? 0x0100 : (uint16_t)(0x8180 | rcode));
	w16(m + 4, 1);
	w16(m + 8, 0);
	w16(m + 10, 0);
	n += dns_name(m + n, name);
	w16(m + n, qtype);
	w16(m + n + 2, 1);
	n += 4;
	if (rcode == 0 && a->cname) {
		w16(m + n, 0xc00c);
		w16(m + n + 2, 5);
		w16(m + n + 4, 1);
		w32(m + n + 6, 300);
		aname_off = n + 12;
		n += 12;
		size_t l = dns_name(m + n, a->cname);
		w16(m + n - 2, (uint16_t)l);
		n += l;
		an++;
	}
	for (size_t k = 0; rcode == 0 && qtype == 1 && k < 2; k++) {
		if (a->addr[k] == 0)
			continue;
		w16(m + n, (uint16_t)(0xc000 | aname_off));
		w16(m + n + 2, 1);
		w16(m + n + 4, 1);
		w32(m + n + 6, a->ttl);
		w16(m + n + 10, 4);
		w32(m + n + 12, a->addr[k]);
		n += 16;
		an++;
	}
	w16(m + 6, an);
	if (rcode >= 0 && a->zone && (rcode == 3 || (rcode == 0 && an == 0))) {
		n += dns_soa(m + n, a->zone, a->neg_ttl);
		w16(m + 8, 1);
	}
	return n;
}

/* A query (query 1) from the gateway's UDP port gwport to the DNS
 * server at `server`, or its answer (0). */
static void
udp_dns_via(int64_t ts, int query, uint16_t gwport, uint32_t server,
    const uint8_t *msg, size_t len)
{
	struct ev e;

	memset(&e, 0, sizeof e);
	e.type = EV_PKT;
	e.ts = ts;
	e.proto = 17;
	e.saddr = query ? GW_IP : server;
	e.daddr = query ? server : GW_IP;
	e.sport = query ? gwport : 53;
	e.dport = query ? 53 : gwport;
	e.text = dup_text(msg, len);
	e.textlen = (uint16_t)len;
	bytes_scheduled += frame_file_bytes(17, 0, len);
	heap_push(&e);
}

/*
 * A look-up of name at ts from the gateway's UDP port to the DNS server
 * at `server`: A and AAAA from that one socket. rcode -1: no answer
 * (retries every second, new ids after two tries). Returns when the
 * gateway has its answer (or gives up).
 */
static int64_t
lookup_via(int64_t ts, uint16_t port, uint32_t server, const char *name,
    int rcode, const struct dns_answer *a)
{
	uint8_t m[512];
	uint16_t id_a = (uint16_t)rnd(), id_aaaa = (uint16_t)rnd();
	size_t n;

	if (rcode < 0) {
		for (int k = 0; k < 4; k++) {
			int64_t t = ts + k * NS + (int64_t)rrange(0, 3 * MS);

			if (k == 2) {
				id_a = (uint16_t)rnd();
				id_aaaa = (uint16_t)rnd();
			}
			n = dns_msg(m, id_a, name, 1, -1, a);
			udp_dns_via(t, 1, port, server, m, n);
			n = dns_msg(m, id_aaaa, name, 28, -1, a);
			udp_dns_via(t + 70 * US, 1, port, server, m, n);
		}
		return ts + 4 * NS + (int64_t)rrange(0, 500 * MS);
	}
	int64_t rtt = (int64_t)rrange(200 * US, 4 * MS);
	n = dns_msg(m, id_a, name, 1, -1, a);
	udp_dns_via(ts, 1, port, server, m, n);
	n = dns_msg(m, id_aaaa, name, 28, -1, a);
	udp_dns_via(ts + 60 * US, 1, port, server, m, n);
	n = dns_msg(m, id_a, name, 1, rcode, a);
	udp_dns_via(ts + rtt, 0, port, server, m, n);
	n = dns_msg(m, id_aaaa, name, 28, rcode, a);
	udp_dns_via(ts + rtt + 150 * US, 0, port, server, m, n);
	return ts + rtt + 200 * US;
}

/* The gateway's stub resolver's look-up: a new socket (port) for each. */
static int64_t
lookup(int64_t ts, const char *name, int rcode, const struct dns_answer *a)
{
	uint16_t port = (uint16_t)rrange(32768, 60999);

	return lookup_via(ts, port, DNS_IP, name, rcode, a);
}

/* ---- upstream connections ---- */
struct upconn {
	uint32_t saddr;
	uint16_t gport, sport;
	uint32_t gseq, sseq;	/* next seq, gateway and server */
	int64_t busy_until;
	uint64_t gen;
	struct upconn *next;	/* host's idle list */
	unsigned host;
	unsigned proxy;		/* busy --proxies: whose pool it is in */
};
static uint16_t next_gwport = 32768;
static struct upconn *free_upconns;

/* A connection (an EV_IDLE event may still point at a recycled one). */
static struct upconn *
upconn_get(void)
{
	struct upconn *u;

	GEN_RECYCLE(u, free_upconns, next);
	return u;
}

static void
upconn_put(struct upconn *u)
{
	u->gen++;
	u->next = free_upconns;
	free_upconns = u;
}

static uint16_t
gw_port(void)
{
	uint16_t p = next_gwport++;

	if (next_gwport > 60999)
		next_gwport = 32768;
	return p;
}

/* SYN, SYN/ACK, ACK from ts; returns the time of the ACK. */
static int64_t
handshake(int64_t ts, struct upconn *u, int64_t rtt)
{
	tcp(ts, GW_IP, u->saddr, u->gport, u->sport, u->gseq, 0, F_SYN, NULL,
	    0);
	u->gseq++;
	tcp(ts + rtt, u->saddr, GW_IP, u->sport, u->gport, u->sseq, u->gseq,
	    F_SYN | F_ACK, NULL, 0);
	u->sseq++;
	tcp(ts + rtt + 30 * US, GW_IP, u->saddr, u->gport, u->sport, u->gseq,
	    u->sseq, F_ACK, NULL, 0);
	return ts + rtt + 30 * US;
}

/* Gateway closes first: FIN, FIN/ACK, ACK. */
static void
close_up(int64_t ts, struct upconn *u, int64_t rtt)
{
	tcp(ts, GW_IP, u->saddr, u->gport, u->sport, u->gseq, u->sseq,
	    F_FIN | F_ACK, NULL, 0);
	u->gseq++;
	tcp(ts + rtt, u->saddr, GW_IP, u->sport, u->gport, u->sseq, u->gseq,
	    F_FIN | F_ACK, NULL, 0);
	u->sseq++;
	tcp(ts + rtt + 20 * US, GW_IP, u->saddr, u->gport, u->sport, u->gseq,
	    u->sseq, F_ACK, NULL, 0);
}

/*
 * The gateway's SYN of u at ts is refused: the server's RST after rtt, or
 * with icmp a firewall's "administratively prohibited" (type 3 code 13)
 * quoting the SYN's IP and TCP header after rtt/2.
 */
static void
syn_refused(int64_t ts, const struct upconn *u, int64_t rtt, int icmp)
{
	uint8_t q[52];
	struct ev e;

	tcp(ts, GW_IP, u->saddr, u->gport, u->sport, u->gseq, 0, F_SYN, NULL,
	    0);
	if (!icmp) {
		tcp(ts + rtt, u->saddr, GW_IP, u->sport, u->gport, 0,
		    u->gseq + 1, F_RST | F_ACK, NULL, 0);
		return;
	}
	memset(&e, 0, sizeof e);
	e.proto = 6;
	e.flags = F_SYN;
	e.sport = u->gport;
	e.dport = u->sport;
	e.seq = u->gseq;
	put_ip(q, GW_IP, u->saddr, 6, 32);
	put_tcp(q + 20, &e);
	e.type = EV_PKT;
	e.ts = ts + rtt / 2;
	e.proto = 1;
	e.sport = 3 << 8 | 13;	/* ICMP type and code */
	e.saddr = FW_IP;
	e.daddr = GW_IP;
	e.dport = 0;
	e.text = dup_text(q, sizeof q);
	e.textlen = sizeof q;
	bytes_scheduled += frame_file_bytes(1, 0, sizeof q);
	heap_push(&e);
}

/* ---- sessions: one client connection to the proxy port ---- */
struct sess {
	uint32_t caddr;
	uint16_t cport;
	uint16_t pport;		/* the gateway's proxy port */
	uint32_t cseq, gseq;	/* next seq: client, gateway */
	int nleft;		/* requests still to send */
	int64_t rtt;		/* client <-> gateway */
	int connect;		/* a CONNECT session: one tunnel */
};

static struct {
	uint64_t cause[C_COUNT];
	uint64_t txns, connects, dns_lookups, upconns, reused;
	uint64_t ids;		/* truth lines so far: the last id */
	uint64_t body_bytes;
	uint64_t status[6];	/* 2xx..5xx by first digit; [0]: none */
} truth;

static FILE *tsv;
/* More keys for the truth's JSON (",\"key\":value…"), or NULL. */
static const char *truth_extra;

/*
 * The truth of one transaction, from the generator's plan: counted per
 * cause and status class, and a TSV line (id in request order, which is the
 * order of the calls).
 */
static void
truth_txn(const struct sess *s, const char *method, const char *url,
    int status, enum cause c)
{
	truth.cause[c]++;
	truth.status[status / 100 < 6 ? status / 100 : 0]++;
	truth.ids++;
	if (tsv == NULL)
		return;
	fprintf(tsv, "%" PRIu64 "\t%u.%u.%u.%u\t%u\t%s\t%s\t", truth.ids,
	    s->caddr >> 24, s->caddr >> 16 & 255, s->caddr >> 8 & 255,
	    s->caddr & 255, s->cport, method, url);
	if (status)
		fprintf(tsv, "%d", status);
	else
		fputc('-', tsv);
	fprintf(tsv, "\t%s\t%s\n", cause_verdict[c], cause_key[c]);
}

static const char *const paths[] = {
	"/", "/index.html", "/static/app.js", "/static/style.css",
	"/images/logo.png", "/api/v1/items", "/downloads/file.bin",
	"/news/today", "/search?q=proxy", "/video/segment"
};
static const char *const agents[] = {
	"curl/7.88.1",
	"Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	"(KHTML, like Gecko) Chrome/120.0 Safari/537.36",
	"Wget/1.21.3", "python-requests/2.28.1"
};

static const char *
status_reason(int st)
{
	switch (st) {
	case 200: return "OK";
	case 301: return "Moved Permanently";
	case 304: return "Not Modified";
	case 404: return "Not Found";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

/* The client's handshake to the proxy port at ts; returns its ACK's time. */
static int64_t
client_open(int64_t ts, struct sess *s)
{
	tcp(ts, s->caddr, GW_IP, s->cport, s->pport, s->cseq, 0, F_SYN,
	    NULL, 0);
	s->cseq++;
	tcp(ts + 30 * US, GW_IP, s->caddr, s->pport, s->cport, s->gseq,
	    s->cseq, F_SYN | F_ACK, NULL, 0);
	s->gseq++;
	tcp(ts + 30 * US + s->rtt, s->caddr, GW_IP, s->cport, s->pport,
	    s->cseq, s->gseq, F_ACK, NULL, 0);
	return ts + 30 * US + s->rtt;
}

/* The client closes its connection at ts: FIN, FIN/ACK, ACK. */
static void
client_close(int64_t ts, struct sess *s)
{
	tcp(ts, s->caddr, GW_IP, s->cport, s->pport, s->cseq, s->gseq,
	    F_FIN | F_ACK, NULL, 0);
	s->cseq++;
	tcp(ts + 200 * US, GW_IP, s->caddr, s->pport, s->cport, s->gseq,
	    s->cseq, F_FIN | F_ACK, NULL, 0);
	s->gseq++;
	tcp(ts + 200 * US + s->rtt, s->caddr, GW_IP, s->cport, s->pport,
	    s->cseq, s->gseq, F_ACK, NULL, 0);
}

/*
 * The client's request at ts (with the gateway's ACK): CONNECT host:443 or
 * an absolute-form GET of path. Writes the request target to url.
 */
static void
client_request(int64_t ts, struct sess *s, int is_connect, const char *host,
    const char *path, const char *ua, char *url, size_t urlsize)
{
	char req[1024];
	size_t len;

	if (is_connect) {
		snprintf(url, urlsize, "%s:443", host);
		len = (size_t)snprintf(req, sizeof req, "CONNECT %s HTTP/1.1\r\n"
		    "Host: %s\r\nUser-Agent: %s\r\n"
		    "Proxy-Connection: Keep-Alive\r\n\r\n", url, url, ua);
	} else {
		snprintf(url, urlsize, "http://%s%s", host, path);
		len = (size_t)snprintf(req, sizeof req, "GET %s HTTP/1.1\r\n"
		    "Host: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n"
		    "Proxy-Connection: Keep-Alive\r\n\r\n", url, host, ua);
	}
	tcp(ts, s->caddr, GW_IP, s->cport, s->pport, s->cseq, s->gseq,
	    F_PSH | F_ACK, req, len);
	s->cseq += (uint32_t)len;
	tcp(ts + 40 * US, GW_IP, s->caddr, s->pport, s->cport, s->gseq,
	    s->cseq, F_ACK, NULL, 0);
}

/* The gateway's origin-form request on u at ts, and unless the server has
 * closed (acks == 0) its delayed ACK. */
static void
up_request(int64_t ts, struct upconn *u, const char *path, const char *host,
    const char *ua, int64_t rtt, int acks)
{
	char up[1024];
	size_t len;

	len = (size_t)snprintf(up, sizeof up, "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: %s\r\nAccept: */*\r\nVia: 1.1 gw\r\n\r\n", path,
	    host, ua);
	tcp(ts, GW_IP, u->saddr, u->gport, u->sport, u->gseq, u->sseq,
	    F_PSH | F_ACK, up, len);
	u->gseq += (uint32_t)len;
	if (acks)
		tcp(ts + rtt / 2 + 40 * MS, u->saddr, GW_IP, u->sport,
		    u->gport, u->sseq, u->gseq, F_ACK, NULL, 0);
}

/* The server closes u at ts without a reply byte; the gateway closes too,
 * `react` later. */
static void
up_closed_in(int64_t ts, struct upconn *u, int64_t rtt, int64_t react)
{
	tcp(ts, u->saddr, GW_IP, u->sport, u->gport, u->sseq, u->gseq,
	    F_FIN | F_ACK, NULL, 0);
	u->sseq++;
	tcp(ts + react, GW_IP, u->saddr, u->gport, u->sport, u->gseq,
	    u->sseq, F_FIN | F_ACK, NULL, 0);
	u->gseq++;
	tcp(ts + react + rtt, u->saddr, GW_IP, u->sport, u->gport,
	    u->sseq, u->gseq, F_ACK, NULL, 0);
}

/* up_closed_in with the gateway's close 100 us later. */
static void
up_closed(int64_t ts, struct upconn *u, int64_t rtt)
{
	up_closed_in(ts, u, rtt, 100 * US);
}

/* The server answers on u at ts without a status line (a firewall's block
 * page), then closes. */
static void
up_invalid(int64_t ts, struct upconn *u, int64_t rtt)
{
	static const char bad[] = "<html><head><title>Request "
	    "Rejected</title></head><body>The requested URL was "
	    "rejected. Please consult with your administrator."
	    "</body></html>";

	tcp(ts, u->saddr, GW_IP, u->sport, u->gport, u->sseq, u->gseq,
	    F_PSH | F_ACK, bad, sizeof bad - 1);
	u->sseq += sizeof bad - 1;
	tcp(ts + 30 * US, u->saddr, GW_IP, u->sport, u->gport, u->sseq,
	    u->gseq, F_FIN | F_ACK, NULL, 0);
	u->sseq++;
	tcp(ts + 80 * US, GW_IP, u->saddr, u->gport, u->sport, u->gseq,
	    u->sseq, F_FIN | F_ACK, NULL, 0);
	u->gseq++;
	tcp(ts + 80 * US + rtt, u->saddr, GW_IP, u->sport, u->gport, u->sseq,
	    u->gseq, F_ACK, NULL, 0);
}

/*
 * The server's reply on u at ts (status, body bytes of filler, a segment
 * every iv ns) and the gateway relaying it to the client; returns the end
 * of the relay.
 */
static int64_t
relay(int64_t ts, struct sess *s, struct upconn *u, int status,
    uint64_t body, uint32_t iv)
{
	char head[512];
	size_t hl;

	hl = (size_t)snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\n"
	    "Server: nginx\r\nDate: Thu, 15 Jan 2026 09:00:00 GMT\r\n"
	    "Content-Type: %s\r\nContent-Length: %" PRIu64 "\r\n"
	    "Connection: keep-alive\r\n\r\n", status, status_reason(status),
	    status == 200 ? "application/octet-stream" : "text/html", body);
	train(ts, u->saddr, GW_IP, u->sport, u->gport, u->sseq, u->gseq, head,
	    hl, body, iv, 0);
	u->sseq += (uint32_t)(hl + body);
	train(ts + 90 * US, GW_IP, s->caddr, s->pport, s->cport, s->gseq,
	    s->cseq, head, hl, body, iv, 0);
	s->gseq += (uint32_t)(hl + body);
	truth.body_bytes += body;
	return train_end(ts + 90 * US, hl, body, iv) + 50 * US;
}

/*
 * A CONNECT answered at ts: 200, then a TLS tunnel through u (the client's
 * hello, down bytes of the server's records at a rate drawn for it, body
 * scale bscale). Returns the end of the relay.
 */
static int64_t
tunnel(int64_t ts, struct sess *s, struct upconn *u, int64_t rtt,
    uint64_t down, double bscale)
{
	static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
	uint64_t hello = 517;
	uint32_t iv;

	tcp(ts + 20 * US, GW_IP, s->caddr, s->pport, s->cport, s->gseq,
	    s->cseq, F_PSH | F_ACK, ok, sizeof ok - 1);
	s->gseq += sizeof ok - 1;
	ts += 20 * US + s->rtt;
	train(ts, s->caddr, GW_IP, s->cport, s->pport, s->cseq, s->gseq,
	    NULL, 0, hello, 0, 1);
	s->cseq += (uint32_t)hello;
	train(ts + 60 * US, GW_IP, u->saddr, u->gport, u->sport, u->gseq,
	    u->sseq, NULL, 0, hello, 0, 1);
	u->gseq += (uint32_t)hello;
	ts += rtt + 60 * US;
	iv = (uint32_t)(MSS * 1e9 / logu(2e6, 60e6) / bscale);
	train(ts, u->saddr, GW_IP, u->sport, u->gport, u->sseq, u->gseq, NULL,
	    0, down, iv, 1);
	u->sseq += (uint32_t)down;
	train(ts + 80 * US, GW_IP, s->caddr, s->pport, s->cport, s->gseq,
	    s->cseq, NULL, 0, down, iv, 1);
	s->gseq += (uint32_t)down;
	truth.body_bytes += down;
	return train_end(ts + 80 * US, 0, down, iv) + 100 * US;
}

/* The gateway's error page to the client at ts; returns its end. */
static int64_t
gw_error(int64_t ts, struct sess *s, int status)
{
	char head[512], body[256];
	int bl, hl;

	bl = snprintf(body, sizeof body, "<html><head><title>%d %s</title>"
	    "</head><body><h1>%d %s</h1><p>The proxy could not complete the "
	    "request.</p></body></html>\n", status, status_reason(status),
	    status, status_reason(status));
	hl = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nServer: gw\r\n"
	    "Content-Type: text/html\r\nContent-Length: %d\r\n"
	    "Connection: keep-alive\r\n\r\n%s", status,
	    status_reason(status), bl, body);
	train(ts, GW_IP, s->caddr, s->pport, s->cport, s->gseq, s->cseq,
	    head, (size_t)hl, 0, 0, 0);
	s->gseq += (uint32_t)hl;
	return ts + s->rtt;
}

/* ---- the run: open, drain the events, close with the truth ---- */

/* Seeds the random stream, fills the filler, writes the pcap header. */
static void
gen_open(const char *outpath, const char *tsvpath, uint64_t seed)
{
	uint8_t fh[24];

	rng_state = seed * 0x2545f4914f6cdd1dULL + 12345;
	for (size_t i = 0; i < sizeof text_fill; i++) {
		static const char words[] = "<p>Lorem ipsum dolor sit amet, "
		    "consectetur adipiscing elit, sed do eiusmod tempor.</p>\n";

		text_fill[i] = (uint8_t)words[i % (sizeof words - 1)];
	}
	{
		uint64_t x = 0x1234567;

		for (size_t i = 0; i < sizeof bin_fill; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			bin_fill[i] = (uint8_t)x;
		}
		bin_fill[0] = 0x17;	/* TLS application data record */
		bin_fill[1] = 0x03;
		bin_fill[2] = 0x03;
	}
	out = fopen(outpath, "wb");
	if (out == NULL)
		die("%s: %s", outpath, strerror(errno));
	if (tsvpath) {
		tsv = fopen(tsvpath, "w");
		if (tsv == NULL)
			die("%s: %s", tsvpath, strerror(errno));
		fputs("id\tclient\tclient_port\tmethod\turl\tstatus\tverdict"
		    "\tcause\n", tsv);
	}
	obuf = xmalloc(OBUF_SIZE);
	l32(fh, 0xa1b2c3d4);
	fh[4] = 2; fh[5] = 0; fh[6] = 4; fh[7] = 0;	/* 2.4, little-endian */
	memset(fh + 8, 0, 8);
	l32(fh + 16, 262144);
	l32(fh + 20, 1);	/* LINKTYPE_ETHERNET */
	memcpy(obuf, fh, 24);
	olen = 24;
	bytes_written = 24;
}

/* Pops events in time order until none is left; the model's go to it. */
static void
gen_run(void (*model_event)(struct ev *))
{
	struct ev e;

	while (nheap) {
		heap_pop(&e);
		if (e.type == EV_PKT) {
			emit(e.ts, &e, e.fill, 0);
			free(e.text);
		} else if (e.type == EV_TRAIN) {
			run_train(&e);
		} else {
			model_event(&e);
		}
	}
}

/* Flushes the capture and the TSV, then writes the truth's counts (JSON). */
static void
gen_close(const char *outpath, const char *tsvpath, const char *truthpath,
    uint64_t seed, double body_scale, const char *mode)
{
	static const char *const vs[] = { "ok", "host-not-resolvable",
	    "cannot-connect", "bad-response", "relayed", "unknown" };
	FILE *tf;

	oflush();
	if (fclose(out) != 0)
		die("%s: %s", outpath, strerror(errno));
	if (tsv && fclose(tsv) != 0)
		die("%s: %s", tsvpath, strerror(errno));
	tf = truthpath ? fopen(truthpath, "w") : stdout;
	if (tf == NULL)
		die("%s: %s", truthpath, strerror(errno));
	fprintf(tf, "{\"file\":\"%s\",\"seed\":%" PRIu64 ",\"body_scale\":%g,"
	    "\"mode\":\"%s\",\"bytes\":%" PRIu64 ",\"frames\":%" PRIu64
	    ",\"transactions\":%" PRIu64 ",\"connects\":%" PRIu64
	    ",\"dns_lookups\":%" PRIu64 ",\"upstream_conns\":%" PRIu64
	    ",\"upstream_reused\":%" PRIu64 ",\"body_bytes\":%" PRIu64,
	    outpath, seed, body_scale, mode, bytes_written, frames_written,
	    truth.txns, truth.connects, truth.dns_lookups, truth.upconns,
	    truth.reused, truth.body_bytes);
	if (truth_extra)
		fputs(truth_extra, tf);
	fprintf(tf, ",\"verdicts\":{");
	for (size_t v = 0; v < 6; v++) {
		uint64_t n = 0;

		for (int c = 0; c < C_COUNT; c++)
			if (strcmp(cause_verdict[c], vs[v]) == 0)
				n += truth.cause[c];
		fprintf(tf, "%s\"%s\":%" PRIu64, v ? "," : "", vs[v], n);
	}
	fprintf(tf, "},\"causes\":{");
	for (int c = 0; c < C_COUNT; c++)
		fprintf(tf, "%s\"%s\":%" PRIu64, c ? "," : "", cause_key[c],
		    truth.cause[c]);
	fprintf(tf, "}}\n");
	if (tf != stdout && fclose(tf) != 0)
		die("%s: %s", truthpath, strerror(errno));
}

#endif
