/*
 * gen.c: writes a pcap file of synthetic but realistic web-proxy gateway
 * traffic, for gw502tui's benchmarks (bench/run.sh), with the truth of what
 * it wrote: how many client transactions of each verdict/cause (DESIGN §1).
 *
 * The model: clients open keep-alive connections to the gateway's proxy
 * port (9090) and send absolute-form requests (sometimes CONNECT). The
 * gateway resolves each new host (A and AAAA to its DNS server, answers
 * cached for a TTL), opens an upstream connection, sends an origin-form
 * request, and relays the reply, or answers 502/504 when the look-up, the
 * connection or the reply fails in one of the ways of DESIGN §1. Each
 * failing transaction has its own host name and address, so its evidence is
 * unambiguous. Hundreds of sessions are open at once: every packet goes
 * through one min-heap keyed by time, so the file is in time order; body
 * transfers are "trains" that re-insert themselves segment by segment, so
 * the heap stays small whatever the body sizes.
 *
 * Links with libc only. Output: pcap, LINKTYPE_ETHERNET, µs timestamps;
 * IPv4 header checksums are set, TCP/UDP checksums are 0 (not checked by
 * gw502tui, nor by tshark by default).
 *
 *   gen -o OUT.pcap [-s SIZE[K|M|G]] [-n TXNS] [-S SEED] [-b BODYSCALE]
 *       [-r SESSIONS_PER_S] [-m small|mixed] [-t TRUTH.json] [-T TRUTH.tsv]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#define PROXY_PORT 9090
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

static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
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

/* ---- events: packets, body trains, session steps ---- */
enum ev_type { EV_PKT, EV_TRAIN, EV_SPAWN, EV_SESS, EV_IDLE };

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
	void *ptr;		/* SESS: session; IDLE: upstream conn */
	uint64_t gen;		/* IDLE: generation of the conn when armed */
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

static void
tcp(int64_t ts, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
    uint32_t seq, uint32_t ack, uint8_t flags, const char *text,
    size_t textlen)
{
	struct ev e;

	memset(&e, 0, sizeof e);
	e.type = EV_PKT;
	e.ts = ts;
	e.proto = 6;
	e.flags = flags;
	e.saddr = src;
	e.daddr = dst;
	e.sport = sp;
	e.dport = dp;
	e.seq = seq;
	e.ack = ack;
	if (textlen) {
		e.text = dup_text(text, textlen);
		e.textlen = (uint16_t)textlen;
	}
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
	memset(&e, 0, sizeof e);
	e.type = EV_TRAIN;
	e.ts = ts;
	e.proto = 6;
	e.flags = F_ACK;
	e.saddr = src;
	e.daddr = dst;
	e.sport = sp;
	e.dport = dp;
	e.seq = seq;
	e.ack = ack;
	e.fill = (uint32_t)body;
	e.interval = interval;
	e.binfill = (uint8_t)binfill;
	if (headlen) {
		e.text = dup_text(head, headlen);
		e.textlen = (uint16_t)headlen;
	}
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

/*
 * A DNS message for name/qtype. Response when rcode >= 0: with a CNAME to
 * cname (if non-NULL) and an A record addr (if addr != 0, qtype A).
 */
static size_t
dns_msg(uint8_t *m, uint16_t id, const char *name, uint16_t qtype,
    int rcode, const char *cname, uint32_t addr)
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
	if (rcode == 0 && cname) {
		w16(m + n, 0xc00c);
		w16(m + n + 2, 5);
		w16(m + n + 4, 1);
		w32(m + n + 6, 300);
		aname_off = n + 12;
		n += 12;
		size_t l = dns_name(m + n, cname);
		w16(m + n - 2, (uint16_t)l);
		n += l;
		an++;
	}
	if (rcode == 0 && addr && qtype == 1) {
		w16(m + n, (uint16_t)(0xc000 | aname_off));
		w16(m + n + 2, 1);
		w16(m + n + 4, 1);
		w32(m + n + 6, 60);
		w16(m + n + 10, 4);
		w32(m + n + 12, addr);
		n += 16;
		an++;
	}
	w16(m + 6, an);
	return n;
}

static void
udp_dns(int64_t ts, int query, uint16_t gwport, const uint8_t *msg,
    size_t len)
{
	struct ev e;

	memset(&e, 0, sizeof e);
	e.type = EV_PKT;
	e.ts = ts;
	e.proto = 17;
	e.saddr = query ? GW_IP : DNS_IP;
	e.daddr = query ? DNS_IP : GW_IP;
	e.sport = query ? gwport : 53;
	e.dport = query ? 53 : gwport;
	e.text = dup_text(msg, len);
	e.textlen = (uint16_t)len;
	bytes_scheduled += frame_file_bytes(17, 0, len);
	heap_push(&e);
}

/*
 * The gateway's look-up of name at ts: A and AAAA from one socket. rcode
 * -1: no answer (retries every second, new ids after two tries). Returns
 * when the gateway has its answer (or gives up).
 */
static int64_t
lookup(int64_t ts, const char *name, int rcode, const char *cname,
    uint32_t addr)
{
	uint8_t m[512];
	uint16_t port = (uint16_t)rrange(32768, 60999);
	uint16_t id_a = (uint16_t)rnd(), id_aaaa = (uint16_t)rnd();
	size_t n;

	if (rcode < 0) {
		for (int k = 0; k < 4; k++) {
			int64_t t = ts + k * NS + (int64_t)rrange(0, 3 * MS);

			if (k == 2) {
				id_a = (uint16_t)rnd();
				id_aaaa = (uint16_t)rnd();
			}
			n = dns_msg(m, id_a, name, 1, -1, NULL, 0);
			udp_dns(t, 1, port, m, n);
			n = dns_msg(m, id_aaaa, name, 28, -1, NULL, 0);
			udp_dns(t + 70 * US, 1, port, m, n);
		}
		return ts + 4 * NS + (int64_t)rrange(0, 500 * MS);
	}
	int64_t rtt = (int64_t)rrange(200 * US, 4 * MS);
	n = dns_msg(m, id_a, name, 1, -1, NULL, 0);
	udp_dns(ts, 1, port, m, n);
	n = dns_msg(m, id_aaaa, name, 28, -1, NULL, 0);
	udp_dns(ts + 60 * US, 1, port, m, n);
	n = dns_msg(m, id_a, name, 1, rcode, cname, addr);
	udp_dns(ts + rtt, 0, port, m, n);
	n = dns_msg(m, id_aaaa, name, 28, rcode, cname, 0);
	udp_dns(ts + rtt + 150 * US, 0, port, m, n);
	return ts + rtt + 200 * US;
}

/* ---- hosts ---- */
#define NHOSTS 4000
struct host {
	char name[48];
	char cname[48];
	uint32_t addr;
	int64_t dns_expires;
	struct upconn *idle;	/* idle upstream connections (keep-alive) */
};
static struct host hosts[NHOSTS];

static void
hosts_init(void)
{
	static const char *const fmt[] = {
		"www.site%u.example", "cdn%u.static.example.net",
		"api%u.service.example.org", "img%u.example.com",
		"news%u.example.info", "shop%u.example.biz"
	};

	for (unsigned i = 0; i < NHOSTS; i++) {
		snprintf(hosts[i].name, sizeof hosts[i].name, fmt[i % 6], i);
		if (rnd() % 5 == 0)
			snprintf(hosts[i].cname, sizeof hosts[i].cname,
			    "edge%u.cdn.example.net", i);
		hosts[i].addr = IP4(100, 64, 0, 0) + i + 1;
		hosts[i].dns_expires = 0;
	}
}

static unsigned
pick_host(void)
{
	double u = urand();

	return (unsigned)(u * u * u * NHOSTS);	/* skewed: a few are hot */
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
};
static uint16_t next_gwport = 32768;
static struct upconn *free_upconns;

/*
 * Connections are recycled, never freed: an EV_IDLE event may still point
 * at one, and its generation number tells it that it is stale.
 */
static struct upconn *
upconn_get(void)
{
	struct upconn *u = free_upconns;
	uint64_t gen;

	if (u)
		free_upconns = u->next;
	else {
		u = xmalloc(sizeof *u);
		u->gen = 0;
	}
	gen = u->gen + 1;
	memset(u, 0, sizeof *u);
	u->gen = gen;
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

/* ---- sessions: one client connection to the proxy port ---- */
struct sess {
	uint32_t caddr;
	uint16_t cport;
	uint32_t cseq, gseq;	/* next seq: client, gateway */
	int nleft;		/* requests still to send */
	int64_t rtt;		/* client <-> gateway */
	int connect;		/* a CONNECT session: one tunnel */
};

static struct {
	uint64_t cause[C_COUNT];
	uint64_t txns, connects, dns_lookups, upconns, reused;
	uint64_t body_bytes;
	uint64_t status[6];	/* 2xx..5xx by first digit; [0]: none */
} truth;
static uint64_t fail_seq;	/* numbers failing hosts */
static uint64_t max_txns;	/* 0: by size */
static uint64_t target_size;
static int stopping;
static double body_scale = 1.0;
static int small_mode;
static double fail_share = 0.07;
static FILE *tsv;
static uint16_t client_ports[65536];

static void
tsv_line(const struct sess *s, const char *method, const char *url,
    int status, enum cause c)
{
	if (tsv == NULL)
		return;
	fprintf(tsv, "%u.%u.%u.%u\t%u\t%s\t%s\t", s->caddr >> 24,
	    s->caddr >> 16 & 255, s->caddr >> 8 & 255, s->caddr & 255,
	    s->cport, method, url);
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

static uint64_t
body_size(void)
{
	double u = urand(), b;

	if (small_mode)
		b = (double)rrange(0, 400);
	else if (u < 0.70)
		b = logu(200, 20000);
	else if (u < 0.985)
		b = logu(20000, 100000);
	else
		b = logu(100000, 10e6);
	return (uint64_t)b;
}

/* Client→gateway request (with the gateway's ACK); returns its text len. */
static size_t
client_request(int64_t ts, struct sess *s, const char *text, size_t len)
{
	tcp(ts, s->caddr, GW_IP, s->cport, PROXY_PORT, s->cseq, s->gseq,
	    F_PSH | F_ACK, text, len);
	s->cseq += (uint32_t)len;
	tcp(ts + 40 * US, GW_IP, s->caddr, PROXY_PORT, s->cport, s->gseq,
	    s->cseq, F_ACK, NULL, 0);
	return len;
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
	train(ts, GW_IP, s->caddr, PROXY_PORT, s->cport, s->gseq, s->cseq,
	    head, (size_t)hl, 0, 0, 0);
	s->gseq += (uint32_t)hl;
	return ts + s->rtt;
}

/*
 * One transaction on session s at ts. Returns when it is over for the
 * client (its last byte of the gateway's answer).
 */
static int64_t
transaction(int64_t ts, struct sess *s)
{
	char url[160], host[80], req[1024], up[1024], head[512];
	enum cause c = C_NONE;
	unsigned hi = 0;
	struct host *h = NULL;
	uint32_t addr;
	int is_connect = s->connect, status;
	const char *path = paths[rnd() % 10];
	const char *ua = agents[rnd() % 5];
	uint16_t port = is_connect ? 443 : 80;
	int64_t t, rtt_up = (int64_t)rrange(300 * US, 40 * MS), end;
	struct upconn *u;
	size_t rl, ul;

	truth.txns++;
	if (urand() < fail_share) {
		c = (enum cause)(1 + rnd() % (C_COUNT - 1));
		if (is_connect && c >= C_HTTP_INVALID)
			c = (enum cause)(1 + rnd() % 6);	/* pre-HTTP */
	}
	if (c == C_NONE) {
		hi = pick_host();
		h = &hosts[hi];
		snprintf(host, sizeof host, "%s", h->name);
		addr = h->addr;
	} else {
		uint64_t n = fail_seq++;

		snprintf(host, sizeof host, "%s-%" PRIu64 ".fail.example",
		    cause_key[c], n);
		addr = IP4(198, 18, 0, 0) + 1 + (uint32_t)(n % 131000);
	}
	if (is_connect) {
		truth.connects++;
		snprintf(url, sizeof url, "%s:443", host);
		rl = (size_t)snprintf(req, sizeof req, "CONNECT %s HTTP/1.1\r\n"
		    "Host: %s\r\nUser-Agent: %s\r\n"
		    "Proxy-Connection: Keep-Alive\r\n\r\n", url, url, ua);
	} else {
		snprintf(url, sizeof url, "http://%s%s", host, path);
		rl = (size_t)snprintf(req, sizeof req, "GET %s HTTP/1.1\r\n"
		    "Host: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n"
		    "Proxy-Connection: Keep-Alive\r\n\r\n", url, host, ua);
	}
	client_request(ts, s, req, rl);
	t = ts + 120 * US;

	/* the gateway's look-up */
	if (c == C_NONE) {
		if (h->dns_expires < t) {
			t = lookup(t, host, 0, h->cname[0] ? h->cname : NULL,
			    addr);
			h->dns_expires = t + 60 * NS;
			truth.dns_lookups++;
		}
	} else if (c != C_NO_EVIDENCE) {
		int rc = c == C_NXDOMAIN ? 3 : c == C_DNS_ERROR ?
		    (rnd() % 2 ? 2 : 5) : c == C_DNS_NO_RESPONSE ? -1 : 0;

		t = lookup(t, host, rc, NULL, addr);
		truth.dns_lookups++;
	}
	if (c == C_NXDOMAIN || c == C_DNS_ERROR || c == C_DNS_NO_RESPONSE ||
	    c == C_NO_EVIDENCE) {
		status = 502;
		tsv_line(s, is_connect ? "CONNECT" : "GET", url, status, c);
		truth.cause[c]++;
		truth.status[5]++;
		return gw_error(t + (int64_t)rrange(100 * US, 2 * MS), s,
		    status);
	}

	/* the upstream connection: an idle one of the host's, or a new one */
	u = NULL;
	if (c == C_NONE && !is_connect) {
		struct upconn **pp = &h->idle;

		while (*pp && (*pp)->busy_until >= t)
			pp = &(*pp)->next;
		if (*pp) {
			u = *pp;
			*pp = u->next;
			truth.reused++;
		}
	}
	if (u == NULL) {
		u = upconn_get();
		u->saddr = addr;
		u->gport = gw_port();
		u->sport = port;
		u->gseq = (uint32_t)rnd();
		u->sseq = (uint32_t)rnd();
		u->host = hi;
		truth.upconns++;
		if (c == C_SYN_UNANSWERED) {
			/* backoff 1,2,4(,8) s or 3,6,12 s; then the gateway
			 * gives up */
			int base = rnd() % 4 ? 1 : 3, nsyn = 3 + (int)(rnd() % 2);
			int64_t st = t;

			for (int k = 0; k < nsyn; k++) {
				tcp(st, GW_IP, addr, u->gport, port, u->gseq, 0,
				    F_SYN, NULL, 0);
				st += (int64_t)base * (1LL << k) * NS +
				    (int64_t)rrange(0, 3 * MS);
			}
			status = rnd() % 4 ? 502 : 504;
			end = st - (int64_t)base * (1LL << (nsyn - 1)) * NS +
			    (int64_t)rrange(500 * MS, 2000 * MS);
			goto failed;
		}
		if (c == C_TCP_RST || c == C_ICMP) {
			tcp(t, GW_IP, addr, u->gport, port, u->gseq, 0, F_SYN,
			    NULL, 0);
			if (c == C_TCP_RST) {
				tcp(t + rtt_up, addr, GW_IP, port, u->gport, 0,
				    u->gseq + 1, F_RST | F_ACK, NULL, 0);
			} else {
				uint8_t q[52];
				struct ev e;

				memset(&e, 0, sizeof e);
				e.proto = 6;
				e.flags = F_SYN;
				e.sport = u->gport;
				e.dport = port;
				e.seq = u->gseq;
				put_ip(q, GW_IP, addr, 6, 32);
				put_tcp(q + 20, &e);
				e.type = EV_PKT;
				e.ts = t + rtt_up / 2;
				e.proto = 1;
				e.sport = 3 << 8 | 13;	/* type 3 code 13 */
				e.saddr = FW_IP;
				e.daddr = GW_IP;
				e.dport = 0;
				e.text = dup_text(q, sizeof q);
				e.textlen = sizeof q;
				bytes_scheduled += frame_file_bytes(1, 0,
				    sizeof q);
				heap_push(&e);
			}
			status = 502;
			end = t + rtt_up + (int64_t)rrange(100 * US, 1 * MS);
			goto failed;
		}
		t = handshake(t, u, rtt_up);
	}

	if (is_connect) {
		/* 200, then a TLS tunnel: client hello, server's records */
		uint64_t down = (uint64_t)(body_size() * body_scale) + 3000;
		uint64_t hello = 517;
		uint32_t iv;

		rl = (size_t)snprintf(head, sizeof head, "HTTP/1.1 200 "
		    "Connection established\r\n\r\n");
		tcp(t + 20 * US, GW_IP, s->caddr, PROXY_PORT, s->cport,
		    s->gseq, s->cseq, F_PSH | F_ACK, head, rl);
		s->gseq += (uint32_t)rl;
		t += 20 * US + s->rtt;
		train(t, s->caddr, GW_IP, s->cport, PROXY_PORT, s->cseq,
		    s->gseq, NULL, 0, hello, 0, 1);
		s->cseq += (uint32_t)hello;
		train(t + 60 * US, GW_IP, u->saddr, u->gport, u->sport, u->gseq,
		    u->sseq, NULL, 0, hello, 0, 1);
		u->gseq += (uint32_t)hello;
		t += rtt_up + 60 * US;
		iv = (uint32_t)(MSS * 1e9 / logu(2e6, 60e6) / body_scale);
		train(t, u->saddr, GW_IP, u->sport, u->gport, u->sseq, u->gseq,
		    NULL, 0, down, iv, 1);
		u->sseq += (uint32_t)down;
		train(t + 80 * US, GW_IP, s->caddr, PROXY_PORT, s->cport,
		    s->gseq, s->cseq, NULL, 0, down, iv, 1);
		s->gseq += (uint32_t)down;
		truth.body_bytes += down;
		end = train_end(t + 80 * US, 0, down, iv) + 100 * US;
		close_up(end + 500 * US, u, rtt_up);
		upconn_put(u);
		tsv_line(s, "CONNECT", url, 200, C_NONE);
		truth.cause[C_NONE]++;
		truth.status[2]++;
		return end;
	}

	/* the upstream request */
	ul = (size_t)snprintf(up, sizeof up, "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: %s\r\nAccept: */*\r\nVia: 1.1 gw\r\n\r\n", path,
	    host, ua);
	t += 20 * US;
	tcp(t, GW_IP, u->saddr, u->gport, u->sport, u->gseq, u->sseq,
	    F_PSH | F_ACK, up, ul);
	u->gseq += (uint32_t)ul;
	tcp(t + rtt_up / 2 + 40 * MS, u->saddr, GW_IP, u->sport, u->gport,
	    u->sseq, u->gseq, F_ACK, NULL, 0);	/* delayed ACK */
	t += rtt_up + (int64_t)logu(200 * US, 300 * MS);	/* server's think */

	if (c == C_TIMEOUT) {
		/* silence; the gateway gives up after 15..60 s */
		end = t + (int64_t)rrange(15, 60) * NS;
		status = rnd() % 2 ? 502 : 504;
		close_up(end + 200 * US, u, rtt_up);
		goto failed_conn;
	}
	if (c == C_CLOSED) {
		end = t + (int64_t)rrange(200 * US, 2 * MS);
		tcp(t, u->saddr, GW_IP, u->sport, u->gport, u->sseq, u->gseq,
		    F_FIN | F_ACK, NULL, 0);
		u->sseq++;
		tcp(t + 100 * US, GW_IP, u->saddr, u->gport, u->sport,
		    u->gseq, u->sseq, F_FIN | F_ACK, NULL, 0);
		u->gseq++;
		tcp(t + 100 * US + rtt_up, u->saddr, GW_IP, u->sport,
		    u->gport, u->sseq, u->gseq, F_ACK, NULL, 0);
		status = 502;
		goto failed_conn;
	}
	if (c == C_HTTP_INVALID) {
		static const char bad[] = "<html><head><title>Request "
		    "Rejected</title></head><body>The requested URL was "
		    "rejected. Please consult with your administrator."
		    "</body></html>";

		tcp(t, u->saddr, GW_IP, u->sport, u->gport, u->sseq, u->gseq,
		    F_PSH | F_ACK, bad, sizeof bad - 1);
		u->sseq += sizeof bad - 1;
		tcp(t + 30 * US, u->saddr, GW_IP, u->sport, u->gport, u->sseq,
		    u->gseq, F_FIN | F_ACK, NULL, 0);
		u->sseq++;
		tcp(t + 80 * US, GW_IP, u->saddr, u->gport, u->sport, u->gseq,
		    u->sseq, F_FIN | F_ACK, NULL, 0);
		u->gseq++;
		tcp(t + 80 * US + rtt_up, u->saddr, GW_IP, u->sport, u->gport,
		    u->sseq, u->gseq, F_ACK, NULL, 0);
		end = t + (int64_t)rrange(200 * US, 2 * MS);
		status = 502;
		goto failed_conn;
	}

	/* a reply: 200 with a body (or 301/404), or a 5xx the gateway relays */
	{
		uint64_t body;
		uint32_t iv;
		size_t hl;
		double r = urand();

		if (c == C_5XX) {
			status = 502 + (int)(rnd() % 3);
			body = 150 + rnd() % 300;
		} else {
			status = r < 0.9 ? 200 : r < 0.95 ? 404 : 301;
			body = status == 200 ? body_size() : 120 + rnd() % 200;
		}
		/* the transfer lasts as long at any body scale */
		iv = (uint32_t)(MSS * 1e9 / logu(2e6, 60e6));
		body = (uint64_t)(body * body_scale);
		iv = (uint32_t)(iv / body_scale);
		hl = (size_t)snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\n"
		    "Server: nginx\r\nDate: Thu, 15 Jan 2026 09:00:00 GMT\r\n"
		    "Content-Type: %s\r\nContent-Length: %" PRIu64 "\r\n"
		    "Connection: keep-alive\r\n\r\n", status,
		    status_reason(status),
		    status == 200 ? "application/octet-stream" : "text/html",
		    body);
		train(t, u->saddr, GW_IP, u->sport, u->gport, u->sseq, u->gseq,
		    head, hl, body, iv, 0);
		u->sseq += (uint32_t)(hl + body);
		train(t + 90 * US, GW_IP, s->caddr, PROXY_PORT, s->cport,
		    s->gseq, s->cseq, head, hl, body, iv, 0);
		s->gseq += (uint32_t)(hl + body);
		truth.body_bytes += body;
		end = train_end(t + 90 * US, hl, body, iv) + 50 * US;
		u->busy_until = end;
		if (c == C_NONE && rnd() % 3) {
			/* keep it for the host's next request; closed when
			 * it stays idle for 4 s */
			struct ev e;

			u->next = h->idle;
			h->idle = u;
			u->gen++;
			memset(&e, 0, sizeof e);
			e.type = EV_IDLE;
			e.ts = end + 4 * NS;
			e.ptr = u;
			e.gen = u->gen;
			heap_push(&e);
		} else {
			close_up(end + 300 * US, u, rtt_up);
			upconn_put(u);
		}
		tsv_line(s, "GET", url, status, c);
		truth.cause[c]++;
		truth.status[status / 100]++;
		return end + s->rtt / 2;
	}

failed_conn:
failed:
	/* the failed upstream connection is not kept */
	upconn_put(u);
	tsv_line(s, is_connect ? "CONNECT" : "GET", url, status, c);
	truth.cause[c]++;
	truth.status[5]++;
	return gw_error(end, s, status);
}

/* An upstream connection idle since it was armed: the gateway closes it. */
static void
idle_check(struct ev *e)
{
	struct upconn *u = e->ptr, **pp;

	if (u->gen != e->gen || u->busy_until > e->ts - 4 * NS)
		return;	/* reused since */
	for (pp = &hosts[u->host].idle; *pp && *pp != u; pp = &(*pp)->next)
		;
	if (*pp == NULL)
		return;	/* in use right now */
	*pp = u->next;
	close_up(e->ts, u, 1 * MS);
	upconn_put(u);
}

static int
budget_spent(void)
{
	if (max_txns)
		return truth.txns >= max_txns;
	return bytes_scheduled >= target_size;
}

static void
sess_step(struct ev *e)
{
	struct sess *s = e->ptr;
	int64_t t = e->ts, end;

	if (s->nleft > 0 && !stopping && budget_spent())
		stopping = 1;
	if (s->nleft <= 0 || stopping) {
		/* client closes: FIN, FIN/ACK, ACK */
		tcp(t, s->caddr, GW_IP, s->cport, PROXY_PORT, s->cseq, s->gseq,
		    F_FIN | F_ACK, NULL, 0);
		s->cseq++;
		tcp(t + 200 * US, GW_IP, s->caddr, PROXY_PORT, s->cport,
		    s->gseq, s->cseq, F_FIN | F_ACK, NULL, 0);
		s->gseq++;
		tcp(t + 200 * US + s->rtt, s->caddr, GW_IP, s->cport,
		    PROXY_PORT, s->cseq, s->gseq, F_ACK, NULL, 0);
		free(s);
		return;
	}
	end = transaction(t, s);
	s->nleft--;
	if (s->connect)
		s->nleft = 0;
	e->ts = end + (s->nleft ? (int64_t)(expo(0.4) * NS) : 5 * MS);
	heap_push(e);
}

static double session_rate = 100;	/* new client connections per second */

static void
spawn(struct ev *e)
{
	struct sess *s;
	unsigned cl;
	int64_t t = e->ts;

	if (stopping || budget_spent()) {
		stopping = 1;
		return;
	}
	s = xmalloc(sizeof *s);
	memset(s, 0, sizeof *s);
	cl = (unsigned)rrange(0, 3999);
	s->caddr = IP4(10, 10, 0, 0) + (cl / 250) * 256 + cl % 250 + 2;
	if (client_ports[cl] < 40000)
		client_ports[cl] = (uint16_t)rrange(40000, 50000);
	s->cport = client_ports[cl]++;
	if (client_ports[cl] > 65000)
		client_ports[cl] = 40000;
	s->cseq = (uint32_t)rnd();
	s->gseq = (uint32_t)rnd();
	s->rtt = (int64_t)rrange(100 * US, 3 * MS);
	s->connect = rnd() % 10 == 0;
	s->nleft = 1 + (int)expo(4.0);
	/* handshake to the proxy port */
	tcp(t, s->caddr, GW_IP, s->cport, PROXY_PORT, s->cseq, 0, F_SYN,
	    NULL, 0);
	s->cseq++;
	tcp(t + 30 * US, GW_IP, s->caddr, PROXY_PORT, s->cport, s->gseq,
	    s->cseq, F_SYN | F_ACK, NULL, 0);
	s->gseq++;
	tcp(t + 30 * US + s->rtt, s->caddr, GW_IP, s->cport, PROXY_PORT,
	    s->cseq, s->gseq, F_ACK, NULL, 0);
	{
		struct ev se;

		memset(&se, 0, sizeof se);
		se.type = EV_SESS;
		se.ts = t + 30 * US + s->rtt + 50 * US;
		se.ptr = s;
		heap_push(&se);
	}
	e->ts = t + (int64_t)(expo(1.0 / session_rate) * NS) + 1;
	heap_push(e);
}

static uint64_t
parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	switch (*end) {
	case 'k': case 'K': v *= 1e3; break;
	case 'm': case 'M': v *= 1e6; break;
	case 'g': case 'G': v *= 1e9; break;
	case 0: break;
	default: die("bad size: %s", s);
	}
	return (uint64_t)v;
}

static void
usage(void)
{
	fprintf(stderr, "usage: gen -o OUT.pcap [-s SIZE] [-n TXNS] [-S SEED] "
	    "[-b BODYSCALE] [-r SESSIONS/S] [-f FAILSHARE] [-m mixed|small] "
	    "[-t TRUTH.json] [-T TRUTH.tsv]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *outpath = NULL, *truthpath = NULL, *tsvpath = NULL;
	uint64_t seed = 1;
	struct ev e;
	uint8_t fh[24];
	int opt;

	target_size = 100000000;
	while ((opt = getopt(argc, argv, "o:s:n:S:b:r:f:m:t:T:h")) != -1) {
		switch (opt) {
		case 'o': outpath = optarg; break;
		case 's': target_size = parse_size(optarg); break;
		case 'n': max_txns = strtoull(optarg, NULL, 10); break;
		case 'S': seed = strtoull(optarg, NULL, 10); break;
		case 'b': body_scale = strtod(optarg, NULL); break;
		case 'r': session_rate = strtod(optarg, NULL); break;
		case 'f': fail_share = strtod(optarg, NULL); break;
		case 'm': small_mode = strcmp(optarg, "small") == 0; break;
		case 't': truthpath = optarg; break;
		case 'T': tsvpath = optarg; break;
		default: usage();
		}
	}
	if (outpath == NULL || body_scale <= 0 || session_rate <= 0)
		usage();
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
	hosts_init();
	out = fopen(outpath, "wb");
	if (out == NULL)
		die("%s: %s", outpath, strerror(errno));
	if (tsvpath) {
		tsv = fopen(tsvpath, "w");
		if (tsv == NULL)
			die("%s: %s", tsvpath, strerror(errno));
		fputs("client\tclient_port\tmethod\turl\tstatus\tverdict\tcause\n",
		    tsv);
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

	memset(&e, 0, sizeof e);
	e.type = EV_SPAWN;
	e.ts = T0;
	heap_push(&e);
	while (nheap) {
		heap_pop(&e);
		switch (e.type) {
		case EV_PKT:
			emit(e.ts, &e, e.fill, 0);
			free(e.text);
			break;
		case EV_TRAIN:
			run_train(&e);
			break;
		case EV_SPAWN:
			spawn(&e);
			break;
		case EV_SESS:
			sess_step(&e);
			break;
		case EV_IDLE:
			idle_check(&e);
			break;
		}
	}
	oflush();
	if (fclose(out) != 0)
		die("%s: %s", outpath, strerror(errno));
	if (tsv && fclose(tsv) != 0)
		die("%s: %s", tsvpath, strerror(errno));

	FILE *tf = truthpath ? fopen(truthpath, "w") : stdout;
	if (tf == NULL)
		die("%s: %s", truthpath, strerror(errno));
	fprintf(tf, "{\"file\":\"%s\",\"seed\":%" PRIu64 ",\"body_scale\":%g,"
	    "\"mode\":\"%s\",\"bytes\":%" PRIu64 ",\"frames\":%" PRIu64
	    ",\"transactions\":%" PRIu64 ",\"connects\":%" PRIu64
	    ",\"dns_lookups\":%" PRIu64 ",\"upstream_conns\":%" PRIu64
	    ",\"upstream_reused\":%" PRIu64 ",\"body_bytes\":%" PRIu64,
	    outpath, seed, body_scale, small_mode ? "small" : "mixed",
	    bytes_written, frames_written, truth.txns, truth.connects,
	    truth.dns_lookups, truth.upconns, truth.reused, truth.body_bytes);
	fprintf(tf, ",\"verdicts\":{");
	{
		static const char *const vs[] = { "ok", "host-not-resolvable",
		    "cannot-connect", "bad-response", "relayed", "unknown" };

		for (size_t v = 0; v < 6; v++) {
			uint64_t n = 0;

			for (int c = 0; c < C_COUNT; c++)
				if (strcmp(cause_verdict[c], vs[v]) == 0)
					n += truth.cause[c];
			fprintf(tf, "%s\"%s\":%" PRIu64, v ? "," : "", vs[v], n);
		}
	}
	fprintf(tf, "},\"causes\":{");
	for (int c = 0; c < C_COUNT; c++)
		fprintf(tf, "%s\"%s\":%" PRIu64, c ? "," : "", cause_key[c],
		    truth.cause[c]);
	fprintf(tf, "}}\n");
	if (tf != stdout)
		fclose(tf);
	return 0;
}
