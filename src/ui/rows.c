/*
 * rows.c: compact list rows of retired transactions (rows.h). A row's
 * frames are the ones its evidence and its connections' state came from:
 * the client connection's handshake, closes and first bytes, the request
 * and answer, the linked look-ups, attempts and upstream messages. They
 * are stored sorted by number as zigzag-varint deltas of number and file
 * offset, followed by which of them name the linked objects (by their
 * place in the list), so that a tiny transaction costs some 60 bytes of
 * frames instead of the ~2.5 KB of model behind it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/reread.h"
#include "../engine.h"
#include "../util/vec.h"
#include "rows.h"

/* Frames a row keeps at most (every SYN of 8 attempts and the rest). */
#define ROW_MAX_FRAMES 512
#define ROW_VARINT_MAX 10
/* Earlier messages of an upstream connection kept to read it from its
 * handshake (a pooled connection's SYN is evidence). */
#define ROW_PRIOR_MSGS 4
/* A message sent in several segments (tinyproxy writes each field line
 * of a head on its own; a body follows its head) is read again whole:
 * every frame from its first to the one that completed it (its head,
 * else), when they are at most this many, and a row has at most
 * ROW_MAX_SPANS such stretches. */
#define ROW_SPAN_FRAMES (1u << 17)
#define ROW_MAX_SPANS 32
/* Of the frames in such a stretch, only the segments of the connections
 * of the row's frames in it are read (at most this many connections):
 * the rest is the capture's other traffic. */
#define ROW_SPAN_CONNS 16

/* The row's links, as places in its frame list (NONE32: none). */
struct row_links {
	uint32_t req, resp, up_req, up_resp, up_conn;
	uint8_t dns_link, conn_link, ndns, nconns, ntries;
	uint32_t dns[DIAG_MAX_DNS], conns[DIAG_MAX_CONNS];
	uint32_t tries[DIAG_MAX_TRIES];
	uint8_t try_cause[DIAG_MAX_TRIES];
	/* stretches read frame by frame, in order: places from, to */
	uint8_t nspans;
	struct {
		uint32_t from, to;
	} spans[ROW_MAX_SPANS];
};

/* ---- the string and address tables ------------------------------------ */

static uint32_t
str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static int
shared_grow(struct ui_rows *rs)
{
	size_t nslots = rs->shared_slots ? rs->shared_slots * 2 : 1024;
	strref *slots = calloc(nslots, sizeof *slots);

	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < rs->shared_slots; i++) {
		strref r = rs->shared[i];
		size_t k;

		if (r == 0)
			continue;
		k = str_hash(strpool_get(&rs->str, r)) & (nslots - 1);
		while (slots[k])
			k = (k + 1) & (nslots - 1);
		slots[k] = r;
	}
	free(rs->shared);
	rs->shared = slots;
	rs->shared_slots = nslots;
	return 0;
}

/* s in the pool once however many rows name it; 0 for "" (or -1 on a
 * full pool or no memory, in *ok). */
static strref
shared_add(struct ui_rows *rs, const char *s, bool *ok)
{
	size_t k;
	strref r;

	if (s[0] == '\0')
		return 0;
	if ((rs->nshared + 1) * 2 > rs->shared_slots && shared_grow(rs) != 0) {
		*ok = false;
		return 0;
	}
	k = str_hash(s) & (rs->shared_slots - 1);
	for (; rs->shared[k]; k = (k + 1) & (rs->shared_slots - 1))
		if (strcmp(strpool_get(&rs->str, rs->shared[k]), s) == 0)
			return rs->shared[k];
	if ((r = strpool_add(&rs->str, s, strlen(s))) == 0) {
		*ok = false;
		return 0;
	}
	rs->shared[k] = r;
	rs->nshared++;
	return r;
}

static int
client_slots_grow(struct ui_rows *rs)
{
	size_t nslots = rs->client_nslots ? rs->client_nslots * 2 : 64;
	uint32_t *slots = calloc(nslots, sizeof *slots);

	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < rs->nclients; i++) {
		size_t k = addr_hash(&rs->clients[i]) & (nslots - 1);

		while (slots[k])
			k = (k + 1) & (nslots - 1);
		slots[k] = (uint32_t)i + 1;
	}
	free(rs->client_slots);
	rs->client_slots = slots;
	rs->client_nslots = nslots;
	return 0;
}

/* The address's place in rs->clients, added once; -1: no memory. */
static long
client_add(struct ui_rows *rs, const struct gw_addr *a)
{
	size_t k;

	if ((rs->nclients + 1) * 2 > rs->client_nslots &&
	    client_slots_grow(rs) != 0)
		return -1;
	k = addr_hash(a) & (rs->client_nslots - 1);
	for (; rs->client_slots[k]; k = (k + 1) & (rs->client_nslots - 1))
		if (addr_eq(&rs->clients[rs->client_slots[k] - 1], a))
			return (long)rs->client_slots[k] - 1;
	if (vec_reserve((void **)&rs->clients, &rs->clients_cap,
	    rs->nclients + 1, sizeof *rs->clients, UINT32_MAX - 1) != 0)
		return -1;
	rs->clients[rs->nclients] = *a;
	rs->client_slots[k] = (uint32_t)++rs->nclients;
	return (long)rs->nclients - 1;
}

/* ---- frame lists ------------------------------------------------------- */

struct frame_span {
	uint64_t from, to;
};

struct frame_set {
	struct frame_ref f[ROW_MAX_FRAMES];
	struct frame_ref tmp[ROW_MAX_FRAMES];	/* the sort's room */
	size_t n;
	/* messages in several segments: frame numbers from, to */
	struct frame_span spans[ROW_MAX_SPANS];
	struct frame_span spans_tmp[ROW_MAX_SPANS];	/* the sort's room */
	size_t nspans;
};

/* Adds r; returns its number, or UINT64_MAX for none. */
static uint64_t
set_add(struct frame_set *s, const struct frame_ref *r)
{
	if (r->number == 0 || s->n >= ROW_MAX_FRAMES)
		return UINT64_MAX;
	s->f[s->n++] = *r;
	return r->number;
}

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* A stretch of frames read whole, when it is short enough. */
static void
set_span(struct frame_set *s, uint64_t from, uint64_t to)
{
	if (from != UINT64_MAX && to != UINT64_MAX && to > from &&
	    to - from < ROW_SPAN_FRAMES && s->nspans < ROW_MAX_SPANS) {
		s->spans[s->nspans].from = from;
		s->spans[s->nspans++].to = to;
	}
}

/* A message's frames, and its stretch when it came in several segments
 * (the whole message, else its head); returns the lowest number. */
static uint64_t
set_msg(struct frame_set *s, const struct flow *fl, uint32_t m)
{
	const struct http_msg *hm;
	uint64_t start, head, end;

	if (m == NONE32)
		return UINT64_MAX;
	hm = &fl->msgs[m];
	start = set_add(s, &hm->start);
	head = set_add(s, &hm->head);
	end = hm->complete ? set_add(s, &hm->end) : UINT64_MAX;
	if (end != UINT64_MAX && end - start < ROW_SPAN_FRAMES)
		set_span(s, start, end);
	else
		set_span(s, start, head);
	return min64(start, head);
}

/* How much of a connection a row reads before its own messages. */
enum conn_read {
	READ_OURS,		/* from our message on (a client's) */
	READ_HANDSHAKE,		/* its handshake, then our message on */
	READ_START		/* from its start: nothing between is left out */
};

/*
 * What a connection's state (and the evidence rows drawn from it) was
 * built from; returns the lowest number. Its handshake and first bytes
 * only from its start: a connection that carried earlier messages is
 * read from our message on (the stream syncs there, as on a capture that
 * began mid-connection: the rebuild's flow.sync_on_data), since the bytes
 * in between are not kept; an upstream one with its handshake, evidence
 * of its own (a pooled connection's SYN and SYN/ACK).
 */
static uint64_t
set_conn(struct frame_set *s, const struct flow *fl, uint32_t ci,
    enum conn_read from)
{
	const struct conn *c;
	uint64_t low = UINT64_MAX;

	if (ci == NONE32)
		return UINT64_MAX;
	c = &fl->conns[ci];
	if (from != READ_OURS) {
		low = min64(low, set_add(s, &c->first));
		for (unsigned k = 0; k < c->nsyn; k++)
			low = min64(low, set_add(s, conn_syn(c, k)));
		low = min64(low, set_add(s, &c->synack));
	}
	if (from == READ_START) {
		low = min64(low, set_add(s, &c->data[0]));
		low = min64(low, set_add(s, &c->data[1]));
	}
	low = min64(low, set_add(s, &c->rst));
	low = min64(low, set_add(s, &c->fin[0]));
	low = min64(low, set_add(s, &c->fin[1]));
	low = min64(low, set_add(s, &conn_icmp(fl, c)->first));
	return min64(low, set_add(s, &conn_icmp(fl, c)->last));
}

/*
 * The messages connection ci carried before frame `before`, when there
 * are at most ROW_PRIOR_MSGS of them each way: with their heads (and the
 * bodies skipped over) the stream reaches ours in step, handshake
 * included. False when there are more: ours is read without them.
 */
static bool
set_prior_msgs(struct frame_set *s, const struct flow *fl, uint32_t ci,
    uint64_t before)
{
	for (int dir = 0; dir < 2; dir++) {
		unsigned n = 0;

		for (uint32_t m = fl->conns[ci].first_msg[dir]; m != NONE32 &&
		    fl->msgs[m].start.number < before; m = fl->msgs[m].next)
			if (++n > ROW_PRIOR_MSGS)
				return false;
	}
	for (int dir = 0; dir < 2; dir++)
		for (uint32_t m = fl->conns[ci].first_msg[dir]; m != NONE32 &&
		    fl->msgs[m].start.number < before; m = fl->msgs[m].next)
			set_msg(s, fl, m);
	return true;
}

/* A connection with its messages among t's: the lowest frame number the
 * rebuilt model sees of it (its `first` there), UINT64_MAX: none. The
 * client's connection is read from its request on (its handshake is in
 * no evidence row); an upstream one from its start when that is cheap,
 * else its handshake and ours. */
static uint64_t
set_conn_msgs(struct frame_set *s, const struct flow *fl, uint32_t ci,
    const struct txn *t)
{
	uint32_t msgs[4 + 2 * DIAG_MAX_TRIES] = { t->req, t->resp,
	    t->d.up_req, t->d.up_resp };
	unsigned nmsgs = 4;
	uint64_t low = UINT64_MAX, ours = UINT64_MAX;
	bool start;

	if (ci == NONE32)
		return UINT64_MAX;
	for (unsigned k = 0; k < t->d.ntries; k++) {	/* and their replies */
		msgs[nmsgs++] = t->d.tries[k];
		msgs[nmsgs++] = fl->msgs[t->d.tries[k]].pair;
	}
	start = fl->conns[ci].first_msg[0] == NONE32;
	for (unsigned k = 0; k < nmsgs; k++)
		if (msgs[k] != NONE32 && fl->msgs[msgs[k]].conn == ci) {
			ours = min64(ours, fl->msgs[msgs[k]].start.number);
			low = min64(low, set_msg(s, fl, msgs[k]));
			/* ci's first request is ours: read from its start */
			start |= fl->conns[ci].first_msg[0] == msgs[k];
		}
	if (start || (ci != t->conn && set_prior_msgs(s, fl, ci, ours)))
		return min64(low, set_conn(s, fl, ci, READ_START));
	return min64(low, set_conn(s, fl, ci, ci == t->conn ? READ_OURS :
	    READ_HANDSHAKE));
}

static bool
ref_before(const struct frame_ref *x, const struct frame_ref *y)
{
	return x->number < y->number;
}

/* Sorted by number, repeats dropped. */
static void
set_sort(struct frame_set *s)
{
	size_t n = 0;

	VEC_MERGE_SORT(struct frame_ref, s->f, s->tmp, s->n, ref_before);
	for (size_t i = 0; i < s->n; i++)
		if (n == 0 || s->f[n - 1].number != s->f[i].number)
			s->f[n++] = s->f[i];
	s->n = n;
}

static bool
span_before(const struct frame_span *a, const struct frame_span *b)
{
	return a->from < b->from;
}

/* The spans sorted by their first frame, overlapping ones merged: the
 * rebuild reads each once, in order. */
static void
spans_merge(struct frame_set *s)
{
	size_t n = 0;

	VEC_MERGE_SORT(struct frame_span, s->spans, s->spans_tmp, s->nspans,
	    span_before);
	for (size_t i = 0; i < s->nspans; i++) {
		if (n > 0 && s->spans[i].from <= s->spans[n - 1].to) {
			if (s->spans[i].to > s->spans[n - 1].to)
				s->spans[n - 1].to = s->spans[i].to;
			continue;
		}
		s->spans[n++] = s->spans[i];
	}
	s->nspans = n;
}

/* The place of frame `number` in the sorted set, NONE32: not there. */
static uint32_t
set_place(const struct frame_set *s, uint64_t number)
{
	size_t lo;

	if (number == 0 || number == UINT64_MAX)
		return NONE32;
	VEC_LOWER_BOUND(lo, s->n, s->f[mid].number < number);
	return lo < s->n && s->f[lo].number == number ? (uint32_t)lo : NONE32;
}

static size_t
put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static uint64_t
zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t
unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Reads a varint at *pos (bounded by len); 0 when it runs over. */
static uint64_t
get_varint(const uint8_t *p, size_t len, size_t *pos)
{
	uint64_t v = 0;

	for (unsigned sh = 0; *pos < len && sh < 64; sh += 7) {
		uint8_t b = p[(*pos)++];

		v |= (uint64_t)(b & 0x7f) << sh;
		if (!(b & 0x80))
			return v;
	}
	return 0;
}

/* A link as its place + 1 (0: none). */
static uint64_t
link_code(uint32_t place)
{
	return place == NONE32 ? 0 : (uint64_t)place + 1;
}

static uint32_t
link_place(uint64_t code, size_t nframes)
{
	return code == 0 || code > nframes ? NONE32 : (uint32_t)(code - 1);
}

/* Appends the encoded frames and links of t to rs->refs; 0 or -1. */
static int
encode_frames(struct ui_rows *rs, const struct flow *fl, const struct txn *t,
    uint32_t *at)
{
	const struct diagnosis *d = &t->d;
	struct frame_set *s = malloc(sizeof *s);
	uint64_t conn_key[DIAG_MAX_CONNS], up_key;
	size_t need, o;
	uint64_t prev_n = 0, prev_o = 0;
	uint8_t *p;
	int rc = -1;

	if (s == NULL)
		return -1;
	s->n = s->nspans = 0;
	set_conn_msgs(s, fl, t->conn, t);
	for (unsigned k = 0; k < d->ndns; k++) {
		set_add(s, &fl->dns[d->dns[k]].query);
		set_add(s, &fl->dns[d->dns[k]].answer);
	}
	for (unsigned k = 0; k < d->nconns; k++)
		conn_key[k] = set_conn_msgs(s, fl, d->conns[k], t);
	up_key = set_conn_msgs(s, fl, d->up_conn, t);
	set_msg(s, fl, d->up_req);	/* when up_conn is not set */
	set_msg(s, fl, d->up_resp);
	set_sort(s);
	spans_merge(s);
	need = (1 + 2 * s->n + 9 + d->ndns + d->nconns + 2 * d->ntries + 1 +
	    2 * s->nspans) * ROW_VARINT_MAX;
	if (rs->refs_len + need > UINT32_MAX ||
	    vec_reserve((void **)&rs->refs, &rs->refs_cap, rs->refs_len + need,
	    1, UINT32_MAX) != 0)
		goto out;
	p = rs->refs + rs->refs_len;
	o = put_varint(p, s->n);
	for (size_t i = 0; i < s->n; i++) {
		o += put_varint(p + o, zigzag((int64_t)(s->f[i].number -
		    prev_n)));
		o += put_varint(p + o, zigzag((int64_t)(s->f[i].offset_lo -
		    prev_o)));
		prev_n = s->f[i].number;
		prev_o = s->f[i].offset_lo;
	}
	o += put_varint(p + o, link_code(set_place(s,
	    fl->msgs[t->req].start.number)));
	o += put_varint(p + o, t->resp == NONE32 ? 0 : link_code(set_place(s,
	    fl->msgs[t->resp].start.number)));
	p[o++] = d->dns_link;
	p[o++] = d->conn_link;
	p[o++] = d->ndns;
	for (unsigned k = 0; k < d->ndns; k++)
		o += put_varint(p + o, link_code(set_place(s,
		    fl->dns[d->dns[k]].query.number)));
	p[o++] = d->nconns;
	for (unsigned k = 0; k < d->nconns; k++)
		o += put_varint(p + o, link_code(set_place(s, conn_key[k])));
	o += put_varint(p + o, d->up_req == NONE32 ? 0 : link_code(set_place(s,
	    fl->msgs[d->up_req].start.number)));
	o += put_varint(p + o, d->up_resp == NONE32 ? 0 :
	    link_code(set_place(s, fl->msgs[d->up_resp].start.number)));
	o += put_varint(p + o, link_code(set_place(s, up_key)));
	p[o++] = d->ntries;
	for (unsigned k = 0; k < d->ntries; k++) {
		o += put_varint(p + o, link_code(set_place(s,
		    fl->msgs[d->tries[k]].start.number)));
		p[o++] = d->try_cause[k];
	}
	p[o++] = (uint8_t)s->nspans;
	for (size_t k = 0; k < s->nspans; k++) {
		const struct frame_span *sp = &s->spans[k];

		o += put_varint(p + o, link_code(set_place(s, sp->from)));
		o += put_varint(p + o, link_code(set_place(s, sp->to)));
	}
	*at = (uint32_t)rs->refs_len;
	rs->refs_len += o;
	rc = 0;
out:
	free(s);
	return rc;
}

/* Decodes row r's frames (at most max) and, when l is set, its links. */
static size_t
decode_frames(const struct ui_rows *rs, const struct row *r,
    struct frame_ref *out, size_t max, struct row_links *l)
{
	const uint8_t *p = rs->refs;
	size_t len = rs->refs_len, pos = r->frames, n, kept = 0;
	uint64_t num = 0, off = 0;

	n = get_varint(p, len, &pos);
	for (size_t i = 0; i < n; i++) {
		num += (uint64_t)unzigzag(get_varint(p, len, &pos));
		off += (uint64_t)unzigzag(get_varint(p, len, &pos));
		if (kept < max) {
			out[kept].number = num;
			out[kept].offset_lo = off & FRAME_OFFSET_LO_MASK;
			out[kept++].ts_ns = 0;	/* not checked on reading */
		}
	}
	if (l == NULL)
		return kept;
	l->req = link_place(get_varint(p, len, &pos), kept);
	l->resp = link_place(get_varint(p, len, &pos), kept);
	l->dns_link = pos < len ? p[pos++] : 0;
	l->conn_link = pos < len ? p[pos++] : 0;
	l->ndns = pos < len ? p[pos++] : 0;
	if (l->ndns > DIAG_MAX_DNS)
		l->ndns = DIAG_MAX_DNS;
	for (unsigned k = 0; k < l->ndns; k++)
		l->dns[k] = link_place(get_varint(p, len, &pos), kept);
	l->nconns = pos < len ? p[pos++] : 0;
	if (l->nconns > DIAG_MAX_CONNS)
		l->nconns = DIAG_MAX_CONNS;
	for (unsigned k = 0; k < l->nconns; k++)
		l->conns[k] = link_place(get_varint(p, len, &pos), kept);
	l->up_req = link_place(get_varint(p, len, &pos), kept);
	l->up_resp = link_place(get_varint(p, len, &pos), kept);
	l->up_conn = link_place(get_varint(p, len, &pos), kept);
	l->ntries = pos < len ? p[pos++] : 0;
	if (l->ntries > DIAG_MAX_TRIES)
		l->ntries = DIAG_MAX_TRIES;
	for (unsigned k = 0; k < l->ntries; k++) {
		l->tries[k] = link_place(get_varint(p, len, &pos), kept);
		l->try_cause[k] = pos < len ? p[pos++] : 0;
	}
	l->nspans = pos < len ? p[pos++] : 0;
	if (l->nspans > ROW_MAX_SPANS)
		l->nspans = ROW_MAX_SPANS;
	for (unsigned k = 0; k < l->nspans; k++) {
		l->spans[k].from = link_place(get_varint(p, len, &pos), kept);
		l->spans[k].to = link_place(get_varint(p, len, &pos), kept);
	}
	return kept;
}

/* ---- rows -------------------------------------------------------------- */

void
rows_free(struct ui_rows *rs)
{
	free(rs->rows);
	strpool_free(&rs->str);
	free(rs->shared);
	free(rs->clients);
	free(rs->client_slots);
	free(rs->refs);
	memset(rs, 0, sizeof *rs);
}

int
rows_stage(struct ui_rows *rs, const struct diag *dg, const struct flow *fl,
    const struct txn *t)
{
	const struct http_msg *m = &fl->msgs[t->req];
	struct row r;
	char summary[512];
	bool ok = true;
	long client;

	memset(&r, 0, sizeof r);
	r.id = t->id;
	r.rival = t->rival;
	r.start_ns = m->start.ts_ns;
	r.elapsed_ns = txn_elapsed_ns(fl, t, fl->stats.last_ts);
	r.status = t->status;
	r.verdict = t->d.verdict;
	r.cause = t->d.cause;
	r.flags = (t->is_error ? ROW_ERROR : 0) |
	    (t->d.masked ? ROW_MASKED : 0) |
	    (t->d.ambiguous ? ROW_AMBIGUOUS : 0) |
	    (t->d.shared ? ROW_SHARED : 0) |
	    (t->d.half_answered ? ROW_HALF_ANSWERED : 0);
	if (vec_reserve((void **)&rs->rows, &rs->cap, rs->n + rs->nstaged + 1,
	    sizeof *rs->rows, UINT32_MAX) != 0 ||
	    (client = client_add(rs, &fl->conns[t->conn].caddr)) < 0)
		return -1;
	r.client = (uint32_t)client;
	r.host = shared_add(rs, flow_str(fl, t->host), &ok);
	r.method = shared_add(rs, flow_str(fl, m->method), &ok);
	if (t->d.cause != C_NONE) {	/* else said from the status */
		diag_summary(dg, fl, t, summary, sizeof summary);
		r.summary = shared_add(rs, summary, &ok);
	}
	if (flow_str(fl, t->url)[0])
		r.url = strpool_add(&rs->str, flow_str(fl, t->url),
		    strlen(flow_str(fl, t->url)));
	if (!ok || (flow_str(fl, t->url)[0] && r.url == 0) ||
	    encode_frames(rs, fl, t, &r.frames) != 0)
		return -1;	/* what was pooled stays, unused: harmless */
	rs->rows[rs->n + rs->nstaged++] = r;
	return 0;
}

static int
row_id_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Staged row s moved to its place among rows[0..s), one at a time: the
 * way without memory for a merge. */
static void
rows_insert(struct row *rows, size_t s)
{
	struct row r = rows[s];
	size_t pos;

	for (pos = s; pos > 0 && rows[pos - 1].id > r.id; pos--)
		;
	memmove(rows + pos + 1, rows + pos, (s - pos) * sizeof *rows);
	rows[pos] = r;
}

#define ROW_KEY(r) ((r)->id)

void
rows_commit(struct ui_rows *rs)
{
	size_t from = rs->n, n = rs->n + rs->nstaged;
	bool ok;

	rs->nstaged = 0;
	rs->n = n;
	/* in id order: a batch comes in order, older ones may be late */
	VEC_MERGE_TAIL(struct row, rs->rows, from, n, ROW_KEY, row_id_cmp, ok);
	if (!ok)	/* no memory for the merge: one row at a time */
		for (size_t k = from; k < n; k++)
			rows_insert(rs->rows, k);
}

void
rows_view(const struct ui_rows *rs, size_t i, struct row_view *v)
{
	const struct row *r = &rs->rows[i];

	v->id = r->id;
	v->status = r->status;
	v->verdict = r->verdict;
	v->cause = r->cause;
	v->is_error = (r->flags & ROW_ERROR) != 0;
	v->start_ns = r->start_ns;
	v->elapsed_ns = r->elapsed_ns;
	v->url = strpool_get(&rs->str, r->url);
	v->host = strpool_get(&rs->str, r->host);
	v->method = strpool_get(&rs->str, r->method);
	v->summary = strpool_get(&rs->str, r->summary);
	v->client = &rs->clients[r->client];
}

void
rows_txn_view(const struct flow *fl, const struct txn *t,
    struct row_view *v)
{
	const struct http_msg *m = &fl->msgs[t->req];

	v->id = t->id;
	v->status = t->status;
	v->verdict = t->d.verdict;
	v->cause = t->d.cause;
	v->is_error = t->is_error;
	v->start_ns = m->start.ts_ns;
	v->elapsed_ns = txn_elapsed_ns(fl, t, fl->stats.last_ts);
	v->url = flow_str(fl, t->url);
	v->host = flow_str(fl, t->host);
	v->method = flow_str(fl, m->method);
	v->summary = "";
	v->client = &fl->conns[t->conn].caddr;
}

size_t
rows_by_id(const struct ui_rows *rs, uint32_t id)
{
	size_t lo;

	VEC_LOWER_BOUND(lo, rs->n, rs->rows[mid].id < id);
	return lo < rs->n && rs->rows[lo].id == id ? lo : SIZE_MAX;
}

size_t
rows_frame_numbers(const struct ui_rows *rs, size_t i, uint64_t *out,
    size_t max)
{
	size_t pos = rs->rows[i].frames, n, kept = 0;
	uint64_t num = 0;

	n = get_varint(rs->refs, rs->refs_len, &pos);
	for (size_t k = 0; k < n && kept < max; k++) {
		num += (uint64_t)unzigzag(get_varint(rs->refs, rs->refs_len,
		    &pos));
		(void)get_varint(rs->refs, rs->refs_len, &pos);	/* offset */
		out[kept++] = num;
	}
	return kept;
}

uint32_t
rows_id_of_frame(const struct ui_rows *rs, uint64_t number)
{
	uint64_t f[ROW_MAX_FRAMES];

	for (size_t i = 0; i < rs->n; i++) {
		size_t n = rows_frame_numbers(rs, i, f, ROW_MAX_FRAMES);

		for (size_t k = 0; k < n && f[k] <= number; k++)
			if (f[k] == number)
				return rs->rows[i].id;
	}
	return 0;
}

/* ---- the model rebuilt on selection ------------------------------------ */

static uint32_t
find_msg(const struct flow *fl, const struct frame_ref *f, uint32_t place)
{
	if (place == NONE32)
		return NONE32;
	for (size_t i = 0; i < fl->nmsgs; i++)
		if (fl->msgs[i].start.number == f[place].number)
			return (uint32_t)i;
	return NONE32;
}

static uint32_t
find_conn(const struct flow *fl, const struct frame_ref *f, uint32_t place)
{
	if (place == NONE32)
		return NONE32;
	for (size_t i = 0; i < fl->nconns; i++)
		if (fl->conns[i].first.number == f[place].number)
			return (uint32_t)i;
	return NONE32;
}

static uint32_t
find_dns(const struct flow *fl, const struct frame_ref *f, uint32_t place)
{
	if (place == NONE32)
		return NONE32;
	for (size_t i = 0; i < fl->ndns; i++)
		if (fl->dns[i].query.number == f[place].number)
			return (uint32_t)i;
	return NONE32;
}

/* The row's diagnosis, on the rebuilt model's objects; false when an
 * upstream message it names is not there (a stretch too long to read
 * again): the panes would read it. */
static bool
restore_diagnosis(const struct row *r, const struct row_links *l,
    const struct frame_ref *f, const struct flow *fl, struct txn *t)
{
	struct diagnosis *d = &t->d;
	uint32_t x;

	memset(d, 0, sizeof *d);
	d->verdict = r->verdict;
	d->cause = r->cause;
	d->shared = (r->flags & ROW_SHARED) != 0;
	d->masked = (r->flags & ROW_MASKED) != 0;
	d->ambiguous = (r->flags & ROW_AMBIGUOUS) != 0;
	d->half_answered = (r->flags & ROW_HALF_ANSWERED) != 0;
	d->dns_link = l->dns_link;
	d->conn_link = l->conn_link;
	for (unsigned k = 0; k < l->ndns; k++)
		if ((x = find_dns(fl, f, l->dns[k])) != NONE32)
			d->dns[d->ndns++] = x;
	for (unsigned k = 0; k < l->nconns; k++)
		if ((x = find_conn(fl, f, l->conns[k])) != NONE32)
			d->conns[d->nconns++] = x;
	d->up_req = find_msg(fl, f, l->up_req);
	d->up_resp = find_msg(fl, f, l->up_resp);
	d->up_conn = find_conn(fl, f, l->up_conn);
	for (unsigned k = 0; k < l->ntries; k++)
		if ((x = find_msg(fl, f, l->tries[k])) != NONE32) {
			d->tries[d->ntries] = x;
			d->try_cause[d->ntries++] = l->try_cause[k];
		}
	t->id = r->id;
	t->rival = r->rival;
	t->status = r->status;
	t->is_error = (r->flags & ROW_ERROR) != 0;
	t->settled = true;
	return (d->up_req != NONE32 || l->up_req == NONE32) &&
	    (d->up_resp != NONE32 || l->up_resp == NONE32) &&
	    d->ntries == l->ntries;
}

/* Frames from f[from] to f[to]: the row's own, and of the others the
 * file holds between them the segments of its own frames' connections
 * (a message's segments the row does not list). 0, or -1
 * (reread_error). */
static int
feed_span(struct reread *rr, const struct frame_ref *f, uint32_t from,
    uint32_t to, struct engine *mini)
{
	struct engine_tcp_key keys[ROW_SPAN_CONNS];
	size_t nkeys = 0;
	uint32_t listed = from;
	struct frame fr;
	int rc;

	if (reread_range(rr, &f[from], f[to].number) != 0)
		return -1;
	while ((rc = reread_next(rr, &fr)) == 1) {
		while (listed < to && f[listed].number < fr.number)
			listed++;
		if (f[listed].number == fr.number) {
			nkeys = engine_tcp_keys_add(keys, nkeys, ROW_SPAN_CONNS,
			    &fr);
			engine_feed(mini, &fr);
		} else {
			engine_feed_tcp(mini, &fr, keys, nkeys);
		}
		if (fr.number >= f[to].number)
			return 0;
	}
	return rc < 0 ? -1 : reread_frame(rr, &f[to], &fr);
}

/* Row frames f[0..n) into mini, in order, the spans whole. 0, or -1. */
static int
feed_frames(struct reread *rr, const struct frame_ref *f, size_t n,
    const struct row_links *l, struct engine *mini)
{
	struct frame fr;
	unsigned sp = 0;

	for (size_t k = 0; k < n; k++) {
		while (sp < l->nspans && (l->spans[sp].from < k ||
		    l->spans[sp].from == NONE32 || l->spans[sp].to == NONE32 ||
		    l->spans[sp].to <= l->spans[sp].from))
			sp++;
		if (sp < l->nspans && l->spans[sp].from == k) {
			if (feed_span(rr, f, l->spans[sp].from, l->spans[sp].to,
			    mini) != 0)
				return -1;
			k = l->spans[sp++].to;
			continue;
		}
		if (reread_frame(rr, &f[k], &fr) != 0)
			return -1;
		engine_feed(mini, &fr);
	}
	return 0;
}

int
rows_rebuild(const struct ui_rows *rs, size_t i, const char *path,
    const struct engine *main, struct engine *mini, uint32_t *ti, char *err,
    size_t errlen)
{
	const struct row *r = &rs->rows[i];
	struct frame_ref *f = malloc(ROW_MAX_FRAMES * sizeof *f);
	struct row_links l;
	struct reread rr;
	uint32_t req;
	size_t n;

	if (f == NULL || engine_init(mini, &main->opts, err, errlen) != 0) {
		snprintf(err, errlen, "out of memory");
		free(f);
		return -1;
	}
	mini->flow.sync_on_data = true;
	n = decode_frames(rs, r, f, ROW_MAX_FRAMES, &l);
	if (reread_open(&rr, path, &main->flow.offsets) != 0) {
		snprintf(err, errlen, "%s", reread_error(&rr));
		goto fail;
	}
	if (feed_frames(&rr, f, n, &l, mini) != 0) {
		snprintf(err, errlen, "%s", reread_error(&rr));
		reread_close(&rr);
		goto fail;
	}
	reread_close(&rr);
	engine_finish(mini);
	diag_run(&mini->diag, &mini->flow, true);
	/* "now" is the capture's: what the panes measure against */
	mini->flow.stats.last_ts = main->flow.stats.last_ts;
	req = find_msg(&mini->flow, f, l.req);
	for (size_t k = 0; k < mini->diag.ntxns; k++)
		if (mini->diag.txns[k].req == req && req != NONE32) {
			if (!restore_diagnosis(r, &l, f, &mini->flow,
			    &mini->diag.txns[k])) {
				snprintf(err, errlen, "its messages span more "
				    "of the capture than the screen reads "
				    "again; --report shows its evidence");
				goto fail;
			}
			*ti = (uint32_t)k;
			free(f);
			return 0;
		}
	snprintf(err, errlen, "its frames no longer make a request");
fail:
	free(f);
	engine_close(mini);
	return -1;
}

/* A row stays this small: the memory target counts on it (issue 15). */
_Static_assert(sizeof(struct row) == 56, "struct row grew");
