/*
 * peer.c: indexes the next hop's capture, matches the gateway's capture
 * against it and estimates the clock offset between them (median of the
 * matched differences, so a few false matches or queued packets do not
 * move it; the spread is the median absolute deviation).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../proto/dns.h"
#include "peer_int.h"

#define DNS_PORT 53
#define HASH_SEED 2166136261u

/* FNV-1a over the four bytes of v: mixes one field into h. */
static uint32_t
mix(uint32_t h, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= 16777619u;
	}
	return h;
}

static uint32_t
mix_bytes(uint32_t h, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

/* 0 is "no key": a hash that comes out 0 is moved off it. */
static uint32_t
nonzero(uint32_t h)
{
	return h ? h : 1;
}

uint32_t
peer_ack_key(uint32_t next)
{
	return nonzero(mix(mix(HASH_SEED, PK_TCP), next));
}

/* DNS: the id and the question name (lower-cased by the decoder). */
static bool
dns_sig(const struct pkt *p, struct peer_sig *s)
{
	char name[DNS_NAME_MAX];
	size_t off = 12;

	if (p->payload_len < 12 ||
	    dns_read_name(p->payload, p->payload_len, &off, name,
	    sizeof name) != 0)
		return false;
	s->kind = (p->payload[2] & 0x80) ? PK_DNS_ANSWER : PK_DNS_QUERY;
	s->key = mix(HASH_SEED, PK_DNS_QUERY);
	s->key = mix(s->key, (uint32_t)p->payload[0] << 8 | p->payload[1]);
	s->key = nonzero(mix_bytes(s->key, (const uint8_t *)name,
	    strlen(name)));
	/* NAT rewrites the header (ports, checksum), never the message */
	s->ident = mix(mix(HASH_SEED, s->kind), p->ip_id);
	s->ident = nonzero(mix_bytes(s->ident, p->payload,
	    p->payload_len < 64 ? p->payload_len : 64));
	return true;
}

bool
peer_sig_of(const struct pkt *p, struct peer_sig *s)
{
	memset(s, 0, sizeof *s);
	s->ttl = p->ttl;
	if (p->fragment)
		return false;
	switch (p->l4) {
	case L4_TCP:
		s->kind = PK_TCP;
		s->flags = p->tcp_flags;
		s->seq = p->seq;
		s->len = p->payload_wire_len;
		s->ident = mix(mix(mix(HASH_SEED, PK_TCP), p->seq), p->ack);
		s->ident = mix(mix(s->ident, p->tcp_flags &
		    (TCPF_SYN | TCPF_ACK | TCPF_RST | TCPF_FIN)),
		    p->payload_wire_len);
		s->ident = nonzero(mix(s->ident, p->ip_id));
		if (p->tcp_flags & TCPF_ACK)
			s->key = peer_ack_key(p->ack);
		return true;
	case L4_UDP:
		if (p->sport != DNS_PORT && p->dport != DNS_PORT)
			return false;
		return dns_sig(p, s);
	case L4_ICMP:
	case L4_ICMP6:
		if (!p->quote.valid || p->quote.l4 != L4_TCP)
			return false;
		s->kind = PK_ICMP;
		s->ident = mix(mix(HASH_SEED, PK_ICMP),
		    (uint32_t)p->icmp_type << 8 | p->icmp_code);
		s->ident = nonzero(mix(mix(s->ident, p->quote.seq), p->ip_id));
		s->key = peer_ack_key(p->quote.seq + 1);
		return true;
	}
	return false;
}

bool
peer_read(struct capfile *cf, uint64_t number, uint64_t offset,
    struct frame *f, struct pkt *p)
{
	if (number == 0 || capfile_seek(cf, offset, number) != 0 ||
	    capfile_next(cf, f) != 1)
		return false;
	return decode_frame(f->linktype, f->data, f->caplen, p) == DECODE_OK;
}

bool
peer_read_gw(struct peer *pr, const struct frame_ref *ref, struct frame *f,
    struct pkt *p)
{
	return peer_read(pr->gw, ref->number, frameoff_get(pr->gw_offs, ref),
	    f, p);
}

static int
add_pkt(struct peer *pr, const struct frame *f, const struct peer_sig *s)
{
	struct peer_pkt *k;

	if (pr->npkts >= PEER_MAX_PKTS) {
		pr->pkts_dropped++;
		return 0;
	}
	if (pr->npkts == pr->pkts_cap) {
		size_t cap = pr->pkts_cap ? pr->pkts_cap * 2 : 1024;
		struct peer_pkt *np = realloc(pr->pkts, cap * sizeof *np);

		if (np == NULL)
			return -1;
		pr->pkts = np;
		pr->pkts_cap = cap;
	}
	k = &pr->pkts[pr->npkts++];
	memset(k, 0, sizeof *k);
	k->number = f->number;
	k->offset = f->offset;
	k->ts_ns = f->ts_ns;
	k->ident = s->ident;
	k->key = s->key;
	k->len = s->len;
	k->kind = s->kind;
	k->flags = s->flags;
	k->ttl = s->ttl;
	return 0;
}

/* Hash chains over pkts[], each in capture order (built back to front). */
static int
build_index(struct peer *pr)
{
	size_t nb = 1024;

	while (nb < pr->npkts * 2)
		nb *= 2;
	pr->by_ident = malloc(nb * sizeof *pr->by_ident);
	pr->by_key = malloc(nb * sizeof *pr->by_key);
	if (pr->by_ident == NULL || pr->by_key == NULL)
		return -1;
	pr->nbuckets = nb;
	memset(pr->by_ident, 0xff, nb * sizeof *pr->by_ident);
	memset(pr->by_key, 0xff, nb * sizeof *pr->by_key);
	for (size_t i = pr->npkts; i-- > 0;) {
		struct peer_pkt *k = &pr->pkts[i];
		uint32_t *hi = &pr->by_ident[k->ident & (nb - 1)];

		k->next_ident = *hi;
		*hi = (uint32_t)i;
		k->next_key = NONE32;
		if (k->key) {
			uint32_t *hk = &pr->by_key[k->key & (nb - 1)];

			k->next_key = *hk;
			*hk = (uint32_t)i;
		}
	}
	return 0;
}

static int
index_peer(struct peer *pr, char *err, size_t errlen)
{
	struct frame f;
	struct pkt p;
	struct peer_sig s;
	int r;

	while ((r = capfile_next(pr->cap, &f)) == 1) {
		pr->frames++;
		if (pr->first_ts == 0 || f.ts_ns < pr->first_ts)
			pr->first_ts = f.ts_ns;
		if (f.ts_ns > pr->last_ts)
			pr->last_ts = f.ts_ns;
		if (decode_frame(f.linktype, f.data, f.caplen, &p) !=
		    DECODE_OK || !peer_sig_of(&p, &s))
			continue;
		if (add_pkt(pr, &f, &s) != 0) {
			snprintf(err, errlen, "%s: out of memory indexing it",
			    pr->path);
			return -1;
		}
	}
	/* a damaged tail: what was read before it is still a capture */
	if (r < 0)
		snprintf(pr->damaged, sizeof pr->damaged, "; it is damaged "
		    "after frame %" PRIu64 " (%s)", pr->frames,
		    capfile_error(pr->cap));
	if (build_index(pr) != 0) {
		snprintf(err, errlen, "%s: out of memory indexing it", pr->path);
		return -1;
	}
	return 0;
}

static bool
same_packet(const struct peer_pkt *k, const struct peer_sig *s)
{
	return k->ident == s->ident && k->kind == s->kind &&
	    k->flags == s->flags && k->len == s->len;
}

size_t
peer_copies(const struct peer *pr, const struct peer_sig *s, int64_t gw_ts,
    uint32_t *out, size_t max)
{
	int64_t at = gw_ts + pr->offset_ns;
	size_t n = 0, walk = 0;

	if (pr->nbuckets == 0)
		return 0;
	for (uint32_t i = pr->by_ident[s->ident & (pr->nbuckets - 1)];
	    i != NONE32 && n < max && walk++ < PEER_MAX_WALK;
	    i = pr->pkts[i].next_ident) {
		const struct peer_pkt *k = &pr->pkts[i];

		if (same_packet(k, s) && llabs(k->ts_ns - at) <= PEER_WINDOW_NS)
			out[n++] = i;
	}
	return n;
}

size_t
peer_by_key(const struct peer *pr, uint32_t key, uint8_t kind, uint32_t *out,
    size_t max)
{
	size_t n = 0, walk = 0;

	if (pr->nbuckets == 0 || key == 0)
		return 0;
	for (uint32_t i = pr->by_key[key & (pr->nbuckets - 1)];
	    i != NONE32 && n < max && walk++ < PEER_MAX_WALK;
	    i = pr->pkts[i].next_key)
		if (pr->pkts[i].key == key && pr->pkts[i].kind == kind)
			out[n++] = i;
	return n;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t
median(int64_t *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_i64);
	return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

/*
 * Reads the gateway's capture again and matches each of its packets to
 * the first copy at the hop (the hop's first sight of it). The offset is
 * unknown yet, so any time is accepted here; the median takes care of
 * the rare packet matched by accident.
 */
static int
estimate_offset(struct peer *pr)
{
	int64_t *d = NULL;
	size_t nd = 0, cap = 0;
	struct frame f;
	struct pkt p;
	struct peer_sig s;

	while (capfile_next(pr->gw, &f) == 1) {
		uint32_t i, walk = 0;

		if (decode_frame(f.linktype, f.data, f.caplen, &p) != DECODE_OK ||
		    !peer_sig_of(&p, &s))
			continue;
		pr->considered++;
		for (i = pr->by_ident[s.ident & (pr->nbuckets - 1)];
		    i != NONE32 && !same_packet(&pr->pkts[i], &s) &&
		    walk++ < PEER_MAX_WALK; i = pr->pkts[i].next_ident)
			;
		if (i == NONE32 || !same_packet(&pr->pkts[i], &s))
			continue;
		pr->matched++;
		if (nd == PEER_MAX_DELTAS)
			continue;
		if (nd == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			int64_t *nv = realloc(d, nc * sizeof *nv);

			if (nv == NULL) {
				free(d);
				return -1;
			}
			d = nv;
			cap = nc;
		}
		d[nd++] = pr->pkts[i].ts_ns - f.ts_ns;
	}
	if (nd) {
		pr->offset_ns = median(d, nd);
		for (size_t k = 0; k < nd; k++)
			d[k] = llabs(d[k] - pr->offset_ns);
		pr->spread_ns = median(d, nd);
	}
	free(d);
	return 0;
}

static void
set_status(struct peer *pr)
{
	if (pr->matched == 0)
		snprintf(pr->status, sizeof pr->status, "peer capture %s "
		    "shares no packet with the gateway's (%" PRIu64 " frames, "
		    "%zu of them TCP, DNS or ICMP errors): not the next hop's, "
		    "or not taken at the same time%s", pr->path, pr->frames,
		    pr->npkts, pr->damaged);
	else
		snprintf(pr->status, sizeof pr->status, "peer capture %s: "
		    "%" PRIu64 " of the gateway's %" PRIu64 " packets seen at "
		    "the hop; its clock is %+.3f ms off (spread %.3f ms)%s%s",
		    pr->path, pr->matched, pr->considered,
		    (double)pr->offset_ns / 1e6, (double)pr->spread_ns / 1e6,
		    pr->pkts_dropped ? "; index limit reached, later packets "
		    "not matched" : "", pr->damaged);
}

int
peer_attach(struct engine *e, const char *path, char *err, size_t errlen)
{
	struct peer *pr;
	struct stat st;

	/* the gateway's capture is read again: a pipe cannot be */
	if (e->cap == NULL || stat(capfile_path(e->cap), &st) != 0 ||
	    !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "--peer %s: needs the gateway's capture "
		    "as a regular file (it is read twice)", path);
		return -1;
	}
	pr = calloc(1, sizeof *pr);
	if (pr == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(pr->path, sizeof pr->path, "%s", path);
	pr->gw_offs = &e->flow.offsets;
	pr->cap = capfile_open(path, err, errlen);
	if (pr->cap)
		pr->gw = capfile_open(capfile_path(e->cap), err, errlen);
	if (pr->cap == NULL || pr->gw == NULL ||
	    index_peer(pr, err, errlen) != 0) {
		peer_close(pr);
		return -1;
	}
	if (estimate_offset(pr) != 0) {
		snprintf(err, errlen, "%s: out of memory matching it", path);
		peer_close(pr);
		return -1;
	}
	set_status(pr);
	e->peer = pr;
	return 0;
}

void
peer_close(struct peer *pr)
{
	if (pr == NULL)
		return;
	if (pr->cap)
		capfile_close(pr->cap);
	if (pr->gw)
		capfile_close(pr->gw);
	free(pr->pkts);
	free(pr->by_ident);
	free(pr->by_key);
	free(pr);
}

const char *
peer_status(const struct peer *pr)
{
	return pr->status;
}

bool
peer_shares(const struct peer *pr)
{
	return pr->matched > 0;
}

void
peer_pairing(const struct peer *pr, struct peer_pairing *out)
{
	out->matched = pr->matched;
	out->considered = pr->considered;
	out->offset_ns = pr->offset_ns;
	out->spread_ns = pr->spread_ns;
}

bool
peer_seen(struct peer *pr, const struct frame_ref *gw_frame,
    struct peer_sighting *out)
{
	struct frame f;
	struct pkt p;
	struct peer_sig s;
	uint32_t idx;

	if (!peer_shares(pr) ||
	    !peer_read_gw(pr, gw_frame, &f, &p) ||
	    !peer_sig_of(&p, &s) || peer_copies(pr, &s, f.ts_ns, &idx, 1) == 0)
		return false;
	out->frame = pr->pkts[idx].number;
	out->ts_ns = pr->pkts[idx].ts_ns - pr->offset_ns;
	return true;
}

int
peer_load(struct engine *e, const char *path)
{
	char err[640];

	if (peer_attach(e, path, err, sizeof err) != 0) {
		fprintf(stderr, "gw502tui: %s\n", err);
		return 1;
	}
	fprintf(stderr, "gw502tui: %s%s\n", peer_shares(e->peer) ? "" :
	    "warning: ", peer_status(e->peer));
	return 0;
}
