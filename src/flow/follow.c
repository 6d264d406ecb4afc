/*
 * follow.c: re-reads one TCP connection from the capture file and
 * reassembles both directions (see follow.h). Out-of-order segments wait
 * in a small queue; bytes already delivered (retransmissions, overlaps)
 * are dropped; holes the capture never filled are skipped and counted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/reread.h"
#include "follow.h"

#define OOO_MAX 256		/* queued out-of-order segments per direction */

struct seg {
	uint32_t seq, len;
	uint64_t frame;
	int64_t ts_ns;
	uint8_t *data;
};

struct dirstate {
	bool have_next;
	uint32_t next;
	struct seg q[OOO_MAX];
	size_t nq;
};

struct follower {
	const struct conn *c;
	struct follow *out;
	size_t limit;
	bool full;
	struct dirstate d[2];
};

static int
chunk_append(struct follower *fo, int dir, uint64_t frame, int64_t ts,
    const uint8_t *b, size_t n)
{
	struct follow *f = fo->out;
	struct follow_chunk *last;

	if (fo->full || n == 0)
		return 0;
	if (f->len + n > fo->limit) {
		n = fo->limit - f->len;
		fo->full = f->truncated = true;
	}
	if (vec_reserve((void **)&f->data, &f->cap, f->len + n, 1, SIZE_MAX) < 0)
		return -1;
	memcpy(f->data + f->len, b, n);
	last = f->nchunks ? &f->chunks[f->nchunks - 1] : NULL;
	if (last && last->dir == dir && last->off + last->len == f->len) {
		last->len += (uint32_t)n;
	} else {
		if (vec_reserve((void **)&f->chunks, &f->chunks_cap,
		    f->nchunks + 1, sizeof *f->chunks, SIZE_MAX) < 0)
			return -1;
		f->chunks[f->nchunks++] = (struct follow_chunk){
			(uint8_t)dir, frame, ts, (uint32_t)f->len, (uint32_t)n
		};
	}
	f->len += n;
	return 0;
}

/* Delivers the part of a segment beyond what was delivered already. */
static int
deliver(struct follower *fo, int dir, uint32_t seq, const uint8_t *b,
    uint32_t len, uint64_t frame, int64_t ts)
{
	struct dirstate *d = &fo->d[dir];
	uint32_t skip = d->next - seq;	/* seq <= next here */

	if (skip >= len)
		return 0;
	d->next = seq + len;
	return chunk_append(fo, dir, frame, ts, b + skip, len - skip);
}

static int
queue_flush(struct follower *fo, int dir, bool force)
{
	struct dirstate *d = &fo->d[dir];
	size_t i, best;
	struct seg s;

	while (d->nq > 0) {
		best = 0;
		for (i = 1; i < d->nq; i++)
			if ((int32_t)(d->q[i].seq - d->q[best].seq) < 0)
				best = i;
		s = d->q[best];
		if ((int32_t)(s.seq - d->next) > 0) {
			if (!force)
				return 0;
			fo->out->gap_bytes += s.seq - d->next;
			d->next = s.seq;
		}
		d->q[best] = d->q[--d->nq];
		if (deliver(fo, dir, s.seq, s.data, s.len, s.frame, s.ts_ns) < 0) {
			free(s.data);
			return -1;
		}
		free(s.data);
	}
	return 0;
}

static int
queue_add(struct follower *fo, int dir, uint32_t seq, const uint8_t *b,
    uint32_t len, uint64_t frame, int64_t ts)
{
	struct dirstate *d = &fo->d[dir];
	struct seg *s;

	if (d->nq == OOO_MAX && queue_flush(fo, dir, true) < 0)
		return -1;
	s = &d->q[d->nq];
	if (!(s->data = malloc(len)))
		return -1;
	memcpy(s->data, b, len);
	s->seq = seq, s->len = len, s->frame = frame, s->ts_ns = ts;
	d->nq++;
	return 0;
}

static int
take_segment(struct follower *fo, int dir, const struct pkt *p,
    const struct frame *f)
{
	struct dirstate *d = &fo->d[dir];
	uint32_t seq = p->seq, len = p->payload_len;
	int rc;

	if (p->tcp_flags & TCPF_SYN) {
		d->have_next = true;
		d->next = seq + 1;
		seq++;
	}
	if (len == 0)
		return 0;
	if (!d->have_next) {
		d->have_next = true;
		d->next = seq;
	}
	if ((int32_t)(seq - d->next) > 0)
		rc = queue_add(fo, dir, seq, p->payload, len, f->number,
		    f->ts_ns);
	else
		rc = deliver(fo, dir, seq, p->payload, len, f->number,
		    f->ts_ns);
	if (rc == 0 && p->payload_wire_len > len &&
	    (int32_t)(seq + len - d->next) >= 0) {
		/* cut by the snap length: the rest is a hole */
		fo->out->gap_bytes += p->payload_wire_len - len;
		d->next = seq + p->payload_wire_len;
	}
	return rc < 0 ? rc : queue_flush(fo, dir, false);
}

/* -1: not this connection; else the direction. */
static int
match_dir(const struct conn *c, const struct pkt *p)
{
	if (p->l4 != L4_TCP || p->fragment)
		return -1;
	if (p->sport == c->cport && p->dport == c->sport &&
	    addr_eq(&p->src, &c->caddr) && addr_eq(&p->dst, &c->saddr))
		return 0;
	if (p->sport == c->sport && p->dport == c->cport &&
	    addr_eq(&p->src, &c->saddr) && addr_eq(&p->dst, &c->caddr))
		return 1;
	return -1;
}

static int
read_conn(struct follower *fo, struct reread *rr, char *err, size_t errlen)
{
	const struct conn *c = fo->c;
	struct frame f;
	struct pkt p;
	int rc = 0, dir;

	while (!fo->full && (rc = reread_next(rr, &f)) == 1) {
		fo->out->frames_read++;
		memset(&p, 0, sizeof p);
		if (decode_frame(f.linktype, f.data, f.caplen, &p) != DECODE_OK)
			continue;
		if ((dir = match_dir(c, &p)) < 0)
			continue;
		if (take_segment(fo, dir, &p, &f) < 0) {
			snprintf(err, errlen, "%s: out of memory",
			    capfile_path(rr->cf));
			return -1;
		}
	}
	if (rc < 0 && fo->out->len == 0) {
		snprintf(err, errlen, "%s", reread_error(rr));
		return -1;
	}
	return 0;
}

static void
queues_free(struct follower *fo)
{
	size_t i;
	int dir;

	for (dir = 0; dir < 2; dir++)
		for (i = 0; i < fo->d[dir].nq; i++)
			free(fo->d[dir].q[i].data);
}

int
follow_conn(const char *path, const struct frame_offsets *offs,
    const struct conn *c, size_t limit, struct follow *out, char *err,
    size_t errlen)
{
	struct follower *fo;
	struct reread rr;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (reread_open(&rr, path, offs) < 0) {
		snprintf(err, errlen, "%s", reread_error(&rr));
		return -1;
	}
	if (!(fo = calloc(1, sizeof *fo))) {
		snprintf(err, errlen, "%s: out of memory", path);
		reread_close(&rr);
		return -1;
	}
	fo->c = c;
	fo->out = out;
	fo->limit = limit ? limit : FOLLOW_DEFAULT_LIMIT;
	/* from the connection's first frame to its last */
	if (reread_range(&rr, &c->first, c->last.number) < 0) {
		snprintf(err, errlen, "%s", reread_error(&rr));
	} else if (read_conn(fo, &rr, err, errlen) == 0 &&
	    queue_flush(fo, 0, true) == 0 && queue_flush(fo, 1, true) == 0) {
		rc = 0;
	}
	queues_free(fo);
	free(fo);
	reread_close(&rr);
	if (rc < 0)
		follow_free(out);
	return rc;
}

void
follow_free(struct follow *f)
{
	free(f->chunks);
	free(f->data);
	memset(f, 0, sizeof *f);
}
