/*
 * pair.c: a gateway frame range and the hop's frames of the same moment as
 * one pcapng file: the gateway's frames on interface(s) named "gateway",
 * the hop's on "next hop", the hop's times moved onto the gateway's clock
 * (minus the offset), merged in time order, so Wireshark shows one
 * timeline. Written through safefile (temporary file, then link/rename).
 *
 * capture/export.c has its own pcapng block writer (static); this one is
 * separate because that module is another's to change: once it exposes
 * its writer, the two should become one.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../capture/export.h"
#include "../capture/safefile.h"
#include "../util/vec.h"
#include "peer_int.h"

#define PAIR_MAX_IFACES 8	/* (source, link type) pairs */
/* The least margin around the range for hop times moved onto the gateway's
 * clock: their offset's spread, or this when the spread is smaller. */
#define PAIR_MIN_SLACK_NS 1000000LL

enum { SRC_GW = 0, SRC_HOP = 1 };

struct pair_out {
	FILE *fp;
	int lt[PAIR_MAX_IFACES];
	uint8_t src[PAIR_MAX_IFACES];
	size_t nifaces;
	uint64_t written;
};

/* The interface of (source, link type), its IDB written on first use. */
static int
iface(struct pair_out *o, uint8_t src, int lt)
{
	static const char *const names[] = { "gateway", "next hop" };
	uint8_t b[40];
	size_t nlen = strlen(names[src]), i;
	uint32_t off;

	for (i = 0; i < o->nifaces; i++)
		if (o->src[i] == src && o->lt[i] == lt)
			return (int)i;
	if (o->nifaces == PAIR_MAX_IFACES)
		return -1;
	/* link type, reserved, snaplen 0 (no limit); options: if_name (2),
	 * if_tsresol (9) = 9 (ns), opt_endofopt; all in host byte order */
	memset(b, 0, sizeof b);
	export_ng_put16(b, (uint16_t)lt);
	export_ng_put16(b + 8, 2);
	export_ng_put16(b + 10, (uint16_t)nlen);
	memcpy(b + 12, names[src], nlen);
	off = 12 + (uint32_t)((nlen + 3) / 4 * 4);
	export_ng_put16(b + off, 9);
	export_ng_put16(b + off + 2, 1);
	b[off + 4] = 9;
	off += 8 + 4;
	if (export_ng_block(o->fp, 1, b, off, NULL, 0) != 0)
		return -1;
	o->src[o->nifaces] = src;
	o->lt[o->nifaces] = lt;
	return (int)o->nifaces++;
}

static int
put_frame(struct pair_out *o, uint8_t src, const struct frame *f,
    int64_t ts_ns)
{
	uint32_t epb[5];
	int id = iface(o, src, f->linktype);
	uint64_t ts = ts_ns > 0 ? (uint64_t)ts_ns : 0;

	if (id < 0)
		return -1;
	epb[0] = (uint32_t)id;
	epb[1] = (uint32_t)(ts >> 32);
	epb[2] = (uint32_t)ts;
	epb[3] = f->caplen;
	epb[4] = f->wirelen;
	if (export_ng_block(o->fp, 6, (const uint8_t *)epb, sizeof epb,
	    f->data, f->caplen) != 0)
		return -1;
	o->written++;
	return 0;
}

/* The first indexed hop packet at or after peer time t (or npkts). */
static size_t
first_at(const struct peer *pr, int64_t t)
{
	size_t lo;

	VEC_LOWER_BOUND(lo, pr->npkts, pr->pkts[mid].ts_ns < t);
	return lo;
}

/*
 * The hop frames peer_explain placed (the reports' peer_frames) that lie
 * before the window (before) or after it: a late retransmission is the
 * request's too. Each is read by its index entry.
 */
static int
put_placed(struct peer *pr, const struct peer_verdict *placed, int64_t from,
    int64_t to, bool before, struct pair_out *o)
{
	struct frame h;

	for (size_t i = 0; placed != NULL && i < placed->nframes; i++) {
		uint64_t number = placed->frames[i];
		const struct peer_pkt *q;
		size_t k;

		VEC_LOWER_BOUND(k, pr->npkts, pr->pkts[mid].number < number);
		if (k == pr->npkts || pr->pkts[k].number != number)
			continue;
		q = &pr->pkts[k];
		if (before ? q->ts_ns - pr->offset_ns >= from :
		    q->ts_ns - pr->offset_ns <= to)
			continue;	/* in the window: written with it */
		if (capfile_seek(pr->cap, q->offset, q->number) != 0 ||
		    capfile_next(pr->cap, &h) != 1 ||
		    put_frame(o, SRC_HOP, &h, h.ts_ns - pr->offset_ns) != 0)
			return -1;
	}
	return 0;
}

static int
merge(struct peer *pr, const struct frame_ref *first,
    const struct frame_ref *last, const struct peer_verdict *placed,
    struct pair_out *o)
{
	struct frame g, h;
	/* The hop's frames of the transaction are those of its time span:
	 * a wider margin took in the next request's (a 1 s one did). */
	int64_t slack = pr->spread_ns > PAIR_MIN_SLACK_NS ? pr->spread_ns :
	    PAIR_MIN_SLACK_NS;
	int64_t from = first->ts_ns - slack;
	int64_t to = last->ts_ns + slack;
	size_t k = first_at(pr, from + pr->offset_ns);
	int rg, rh = 0;

	if (put_placed(pr, placed, from, to, true, o) != 0 ||
	    capfile_seek(pr->gw, frameoff_get(pr->gw_offs, first),
	    first->number) != 0)
		return -1;
	rg = capfile_next(pr->gw, &g);
	/* start at the indexed packet before the window: unindexed frames
	 * (ARP …) just after it are in the window too */
	if (k > 0)
		k--;
	if (k < pr->npkts &&
	    capfile_seek(pr->cap, pr->pkts[k].offset, pr->pkts[k].number) == 0)
		rh = capfile_next(pr->cap, &h);
	while (rh == 1 && h.ts_ns - pr->offset_ns < from)
		rh = capfile_next(pr->cap, &h);
	if (rh == 1 && h.ts_ns - pr->offset_ns > to)
		rh = 0;
	while ((rg == 1 && g.number <= last->number) || rh == 1) {
		bool gw_next = rg == 1 && g.number <= last->number &&
		    (rh != 1 || g.ts_ns <= h.ts_ns - pr->offset_ns);

		if (gw_next) {
			if (put_frame(o, SRC_GW, &g, g.ts_ns) != 0)
				return -1;
			rg = capfile_next(pr->gw, &g);
		} else {
			if (put_frame(o, SRC_HOP, &h, h.ts_ns - pr->offset_ns) != 0)
				return -1;
			rh = capfile_next(pr->cap, &h);
			if (rh == 1 && h.ts_ns - pr->offset_ns > to)
				rh = 0;
		}
	}
	return put_placed(pr, placed, from, to, false, o);
}

int
peer_export_pair(struct peer *pr, const struct frame_ref *first,
    const struct frame_ref *last, const struct peer_verdict *placed,
    const char *out_path, bool force,
    uint64_t *written, char *err, size_t errlen)
{
	static const uint32_t shb[4] = { 0x1A2B3C4D, 1, 0xffffffff, 0xffffffff };
	struct pair_out o;
	char tmp[4096];
	int fd, dupfd;

	memset(&o, 0, sizeof o);
	if (first->number == 0 || last->number < first->number) {
		snprintf(err, errlen, "%s: no frames to export", out_path);
		return -1;
	}
	if (force && safefile_replaceable(out_path, err, errlen) != 0)
		return -1;
	fd = safefile_temp(out_path, true, tmp, sizeof tmp, err, errlen);
	if (fd < 0)
		return -1;
	dupfd = dup(fd);
	o.fp = dupfd < 0 ? NULL : fdopen(dupfd, "wb");
	if (o.fp == NULL) {
		if (dupfd >= 0)
			close(dupfd);
		snprintf(err, errlen, "%s: cannot write", out_path);
	} else if (export_ng_block(o.fp, 0x0A0D0D0A,
	    (const uint8_t *)shb, sizeof shb, NULL, 0) != 0 ||
	    merge(pr, first, last, placed, &o) != 0 || fflush(o.fp) != 0)
		snprintf(err, errlen, "%s: writing failed (disk full, or more "
		    "than %d link types)", out_path, PAIR_MAX_IFACES);
	else if (safefile_commit(fd, tmp, out_path, force, err, errlen) == 0) {
		fclose(o.fp);
		close(fd);
		*written = o.written;
		return 0;
	}
	if (o.fp)
		fclose(o.fp);
	close(fd);
	safefile_discard(tmp);
	return -1;
}
