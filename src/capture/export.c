/*
 * export.c: writes a frame range to a new pcap file (through libpcap), or
 * to a pcapng file (our own few blocks) when the frames mix link types.
 *
 * The file is written under a temporary name in the target's folder and
 * only then given its name: by link(2) when not forced, which fails if
 * anything (even a dangling symlink) has the name, so nothing is
 * overwritten or followed; by rename(2) when forced, which replaces a
 * symlink itself rather than its target. A reader never sees half a file.
 */
#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "reread.h"
#include "safefile.h"

/* What we write when the capture claims no snapshot length. */
#define DEFAULT_SNAPLEN	262144

/*
 * pcap_open_dead() wants a DLT_* value; frames carry LINKTYPE_* values.
 * They are equal except for these (libpcap's own map, pcap-common.c).
 */
static int
linktype_to_dlt(int lt)
{
	static const struct {
		int linktype, dlt;
	} map[] = {
		{ 50, DLT_PPP_SERIAL },
		{ 51, DLT_PPP_ETHER },
		{ 100, DLT_ATM_RFC1483 },
		{ 101, DLT_RAW },
		{ 102, DLT_SLIP_BSDOS },
		{ 103, DLT_PPP_BSDOS },
#ifdef DLT_ATM_CLIP
		{ 106, DLT_ATM_CLIP },
#endif
		{ 108, DLT_LOOP },
		{ 117, DLT_PFLOG },
#ifdef DLT_PFSYNC
		{ 246, DLT_PFSYNC },
#endif
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].linktype == lt)
			return map[i].dlt;
	return lt;
}

/* Link types one export can hold (one pcapng interface each). */
#define MAX_LINKTYPES	16

struct range_info {
	int lts[MAX_LINKTYPES];	/* distinct link types, in order seen */
	size_t nlts;
	uint32_t maxcap;
	uint64_t count;
};

/* A pcap file has one link type: frames that mix them go to pcapng. */
static bool
writes_ng(const struct range_info *ri)
{
	return ri->nlts > 1;
}

static size_t
lt_index(const struct range_info *ri, int lt)
{
	size_t i;

	for (i = 0; i < ri->nlts; i++)
		if (ri->lts[i] == lt)
			return i;
	return ri->nlts;
}

/*
 * The frames to write: a range first..last read straight through, or a
 * list of frames (in file order) each found by its reference (reread
 * reads on without seeking when one follows the previous).
 */
struct selection {
	const struct frame_ref *list;	/* NULL: the range */
	size_t n, next;
	const struct frame_offsets *offs;	/* the model's, or NULL */
	struct frame_ref first;	/* the range's first frame */
	uint64_t last;
};

static int
sel_rewind(struct reread *rr, struct selection *s)
{
	s->next = 0;
	if (s->list != NULL)
		return 0;
	return reread_range(rr, &s->first, s->last);
}

/* 1: *f is the next selected frame; 0: done; -1: read error in err. */
static int
sel_next(struct reread *rr, struct selection *s, struct frame *f,
    char *err, size_t errlen)
{
	int rc;

	if (s->list == NULL)
		rc = reread_next(rr, f);
	else if (s->next == s->n)
		return 0;
	else
		rc = reread_frame(rr, &s->list[s->next++], f) == 0 ? 1 : -1;
	if (rc < 0)
		snprintf(err, errlen, "%s", reread_error(rr));
	return rc;
}

/*
 * First pass over the selection: are there frames, of which link types? Learns
 * the snaplen to declare and leaves the reader's resolution settled (a
 * pcapng reader knows an interface only once it walked past it).
 */
static int
survey(struct reread *rr, struct selection *sel, struct range_info *ri,
    char *err, size_t errlen)
{
	struct frame f;
	int rc;

	memset(ri, 0, sizeof *ri);
	if (sel_rewind(rr, sel) < 0) {
		snprintf(err, errlen, "%s", reread_error(rr));
		return -1;
	}
	while ((rc = sel_next(rr, sel, &f, err, errlen)) == 1) {
		if (lt_index(ri, f.linktype) == ri->nlts) {
			if (ri->nlts == MAX_LINKTYPES) {
				snprintf(err, errlen, "%s: the frames have "
				    "more than %d link types",
				    capfile_path(rr->cf), MAX_LINKTYPES);
				return -1;
			}
			ri->lts[ri->nlts++] = f.linktype;
		}
		if (f.caplen > ri->maxcap)
			ri->maxcap = f.caplen;
		ri->count++;
	}
	if (rc < 0)
		return -1;
	if (ri->count == 0) {
		snprintf(err, errlen, "%s: frame %llu not found",
		    capfile_path(rr->cf),
		    (unsigned long long)sel->first.number);
		return -1;
	}
	return 0;
}

/*
 * pcapng output, for ranges that mix link types (a pcap file has one;
 * libpcap 1.10 writes no pcapng). Native byte order, one interface per
 * link type, timestamps in the source's resolution.
 */
static void
ng_put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

void
export_ng_put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

int
export_ng_block(FILE *fp, uint32_t type, const uint8_t *body, size_t blen,
    const uint8_t *data, size_t dlen)
{
	static const uint8_t zero[4];
	size_t pad = (4 - dlen % 4) % 4;
	uint8_t hdr[8], trail[4];
	uint32_t len = (uint32_t)(12 + blen + dlen + pad);

	ng_put32(hdr, type);
	ng_put32(hdr + 4, len);
	ng_put32(trail, len);
	if (fwrite(hdr, 1, 8, fp) != 8 || fwrite(body, 1, blen, fp) != blen ||
	    (dlen > 0 && fwrite(data, 1, dlen, fp) != dlen) ||
	    fwrite(zero, 1, pad, fp) != pad || fwrite(trail, 1, 4, fp) != 4)
		return -1;
	return 0;
}

static int
ng_header(FILE *fp, const struct range_info *ri, uint32_t snaplen, bool nano)
{
	uint8_t b[24];
	size_t i;

	ng_put32(b, 0x1A2B3C4D);		/* byte-order magic */
	export_ng_put16(b + 4, 1);			/* version 1.0 */
	export_ng_put16(b + 6, 0);
	memset(b + 8, 0xff, 8);			/* section length unknown */
	if (export_ng_block(fp, 0x0A0D0D0A, b, 16, NULL, 0) < 0)
		return -1;
	for (i = 0; i < ri->nlts; i++) {
		size_t n = 8;

		export_ng_put16(b, (uint16_t)ri->lts[i]);
		export_ng_put16(b + 2, 0);
		ng_put32(b + 4, snaplen);
		if (nano) {			/* if_tsresol 9 */
			export_ng_put16(b + 8, 9);
			export_ng_put16(b + 10, 1);
			memset(b + 12, 0, 4);	/* value 9, then padding */
			b[12] = 9;
			ng_put32(b + 16, 0);	/* opt_endofopt */
			n = 20;
		}
		if (export_ng_block(fp, 1, b, n, NULL, 0) < 0)
			return -1;
	}
	return 0;
}

/* Second pass: the same frames into the dumper or the pcapng file. */
static int
copy_frames(struct reread *rr, struct selection *sel, pcap_dumper_t *d,
    FILE *ng, const struct range_info *ri, bool nano, uint64_t *written,
    char *err, size_t errlen)
{
	struct pcap_pkthdr h;
	struct frame f;
	uint8_t b[20];
	int rc;

	if (sel_rewind(rr, sel) < 0) {
		snprintf(err, errlen, "%s", reread_error(rr));
		return -1;
	}
	while ((rc = sel_next(rr, sel, &f, err, errlen)) == 1) {
		int64_t sec = f.ts_ns / 1000000000, ns = f.ts_ns % 1000000000;
		uint32_t wire = f.wirelen < f.caplen ? f.caplen : f.wirelen;

		if (ns < 0) {	/* floor, for times before 1970 */
			ns += 1000000000;
			sec--;
		}
		if (d != NULL) {
			memset(&h, 0, sizeof h);
			h.ts.tv_sec = (time_t)sec;
			h.ts.tv_usec = (suseconds_t)(nano ? ns : ns / 1000);
			h.caplen = f.caplen;
			h.len = wire;
			pcap_dump((u_char *)d, &h, f.data);
		} else {
			uint64_t t = f.ts_ns < 0 ? 0 : nano ?
			    (uint64_t)f.ts_ns : (uint64_t)f.ts_ns / 1000;

			ng_put32(b, (uint32_t)lt_index(ri, f.linktype));
			ng_put32(b + 4, (uint32_t)(t >> 32));
			ng_put32(b + 8, (uint32_t)t);
			ng_put32(b + 12, f.caplen);
			ng_put32(b + 16, wire);
			if (export_ng_block(ng, 6, b, sizeof b, f.data,
			    f.caplen) < 0) {
				snprintf(err, errlen, "write error");
				return -1;
			}
		}
		++*written;
	}
	return rc < 0 ? -1 : 0;
}

static int
export_sel(const char *in_path, struct selection *sel, const char *out_path,
    bool force, uint64_t *written, char *err, size_t errlen)
{
	char tmp[4096 + 32];
	struct reread rr = { 0 };
	struct range_info ri;
	pcap_t *dead = NULL;
	pcap_dumper_t *d = NULL;
	FILE *fp = NULL;
	int fd = -1, rc = -1;
	uint32_t snaplen;
	bool nano;
	mode_t mask;

	*written = 0;
	tmp[0] = '\0';
	if (reread_open(&rr, in_path, sel->offs) < 0) {
		snprintf(err, errlen, "%s", reread_error(&rr));
		return -1;
	}
	if (survey(&rr, sel, &ri, err, errlen) < 0)
		goto out;
	nano = capfile_ts_digits(rr.cf) == 9;
	snaplen = capfile_snaplen(rr.cf);
	if (snaplen == 0)
		snaplen = DEFAULT_SNAPLEN;
	if (snaplen < ri.maxcap)
		snaplen = ri.maxcap;

	/* refused now, not after a long copy */
	if (force && safefile_replaceable(out_path, err, errlen) < 0)
		goto out;
	if ((fd = safefile_temp(out_path, true, tmp, sizeof tmp, err,
	    errlen)) < 0)
		goto out;
	/* Created 0600; a capture file is usually 0644, less the umask. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0644 & ~mask) < 0 || (fp = fdopen(fd, "wb")) == NULL) {
		snprintf(err, errlen, "%s: %s", out_path, strerror(errno));
		goto out;
	}
	fd = -1;	/* fp owns it now */
	if (writes_ng(&ri)) {
		if (ng_header(fp, &ri, snaplen, nano) < 0) {
			snprintf(err, errlen, "%s: %s", out_path,
			    strerror(errno));
			goto out;
		}
	} else {
		dead = pcap_open_dead_with_tstamp_precision(
		    linktype_to_dlt(ri.lts[0]), (int)snaplen,
		    nano ? PCAP_TSTAMP_PRECISION_NANO :
		    PCAP_TSTAMP_PRECISION_MICRO);
		if (dead == NULL) {
			snprintf(err, errlen, "%s: out of memory", out_path);
			goto out;
		}
		if ((d = pcap_dump_fopen(dead, fp)) == NULL) {
			snprintf(err, errlen, "%s: %s", out_path,
			    pcap_geterr(dead));
			goto out;
		}
	}
	if (copy_frames(&rr, sel, d, fp, &ri, nano, written, err, errlen) < 0)
		goto out;
	if (*written != ri.count) {
		snprintf(err, errlen, "%s: changed while exporting", in_path);
		goto out;
	}
	/* pcap_dump_flush() is fflush() on fp; fsync makes it durable. */
	if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) < 0) {
		snprintf(err, errlen, "%s: %s", out_path, strerror(errno));
		goto out;
	}
	/* still open: an anonymous temporary file is named through it */
	if (safefile_commit(fileno(fp), tmp, out_path, force, err, errlen) < 0)
		goto out;
	tmp[0] = '\0';
	rc = 0;
out:
	if (d != NULL)
		pcap_dump_close(d);	/* closes fp */
	else if (fp != NULL)
		fclose(fp);
	if (fd >= 0)
		close(fd);
	safefile_discard(tmp);
	if (dead != NULL)
		pcap_close(dead);
	reread_close(&rr);
	if (rc < 0)
		*written = 0;
	return rc;
}

int
export_range(const char *in_path, const struct frame_offsets *offs,
    const struct frame_ref *first, uint64_t last, const char *out_path,
    bool force, uint64_t *written, char *err, size_t errlen)
{
	struct selection sel;

	*written = 0;
	if (first->number == 0 || first->number > last) {
		snprintf(err, errlen, "%s: bad frame range %llu..%llu", in_path,
		    (unsigned long long)first->number,
		    (unsigned long long)last);
		return -1;
	}
	memset(&sel, 0, sizeof sel);
	sel.offs = offs;
	sel.first = *first;
	sel.last = last;
	return export_sel(in_path, &sel, out_path, force, written, err,
	    errlen);
}

int
export_frames(const char *in_path, const struct frame_offsets *offs,
    const struct frame_ref *frames, size_t n, const char *out_path,
    bool force, uint64_t *written, char *err, size_t errlen)
{
	struct selection sel;

	*written = 0;
	if (n == 0) {
		snprintf(err, errlen, "%s: no frames to export", in_path);
		return -1;
	}
	for (size_t i = 1; i < n; i++)
		if (frames[i].number <= frames[i - 1].number) {
			snprintf(err, errlen, "%s: frames to export are not in "
			    "order (%llu after %llu)", in_path,
			    (unsigned long long)frames[i].number,
			    (unsigned long long)frames[i - 1].number);
			return -1;
		}
	memset(&sel, 0, sizeof sel);
	sel.offs = offs;
	sel.list = frames;
	sel.n = n;
	sel.first = frames[0];
	return export_sel(in_path, &sel, out_path, force, written, err,
	    errlen);
}

const char *
export_range_format(const char *in_path, const struct frame_offsets *offs,
    const struct frame_ref *first, uint64_t last, char *err, size_t errlen)
{
	struct selection sel = { .offs = offs, .first = *first, .last = last };
	struct reread rr = { 0 };
	struct range_info ri;
	const char *format = NULL;

	if (reread_open(&rr, in_path, offs) < 0)
		snprintf(err, errlen, "%s", reread_error(&rr));
	else if (survey(&rr, &sel, &ri, err, errlen) == 0)
		format = writes_ng(&ri) ? "pcapng" : "pcap";
	reread_close(&rr);
	return format;
}
