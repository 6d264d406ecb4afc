/*
 * capfile.c: one reader over pcap (through libpcap) and pcapng (through
 * pcapng.c), and over a ring of pcap files (ring.h) as one capture. The
 * format is chosen by the file's magic, never its name.
 *
 * The records of a pcap file that is a regular file are parsed in place
 * in a buffer of the file (pcaprec.c: libpcap's pcap_next_ex, two freads
 * and a copy per record, was an eighth of a report's time on small
 * transactions); libpcap still opens it, so checks its header, and reads
 * anything else: a file that is not regular, a link type whose records
 * libpcap rewrites, and every file when the environment has
 * GW502TUI_LIBPCAP set (to compare the two readers).
 */
#include "capfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "byteorder.h"
#include "pcaprec.h"
#include "pcapng.h"
#include "ring.h"

/*
 * stdio buffer for both formats (glibc's default is only 4 KiB, which makes
 * libpcap's loop 5x slower). Larger buys nothing when streaming from the
 * page cache, and costs a refill after every random seek (the follow-stream
 * view re-reads single frames): measured on a 600 MB file, 64 KiB streams
 * as fast as 1 MiB and seeks 2-6x faster than 256 KiB-1 MiB.
 */
#define IOBUF_SIZE	(64 * 1024)


struct capfile {
	char *path;
	enum capfile_format fmt;
	FILE *fp;		/* pcap: owned by libpcap once handed over */
	char *iobuf;		/* fp's buffer: freed after fp is closed */
	pcap_t *pcap;
	struct pcapng *ng;
	uint64_t size;
	uint64_t next;		/* number of the next frame */
	int ts_digits;		/* pcap: from the magic */
	int linktype;		/* pcap: LINKTYPE_* from the file header */
	/*
	 * pcap: the next record's offset, counted rather than asked of
	 * stdio (ftello before every record was 5 % of a report's time):
	 * each record is rec_len header bytes and its caplen, unless
	 * libpcap cut it to the snapshot length (then ftello tells).
	 */
	uint64_t next_off;
	unsigned rec_len;
	struct pcaprec rec;	/* pcap: the records in place, when used */
	bool own_records;	/* read by rec (else through libpcap) */
	/* a ring: the member being read, as a capfile of its own */
	struct ring_index *ring;
	struct capfile *cur;
	size_t cur_i;		/* its place in ring->m */
	uint64_t before;	/* bytes of the members before it */
	char err[512];
};

/* The magics libpcap reads as pcap, in the order they appear on disk. */
static int
pcap_magic_digits(const uint8_t m[4])
{
	static const struct {
		uint8_t b[4];
		int digits;
	} tab[] = {
		{ { 0xa1, 0xb2, 0xc3, 0xd4 }, 6 },
		{ { 0xd4, 0xc3, 0xb2, 0xa1 }, 6 },
		{ { 0xa1, 0xb2, 0x3c, 0x4d }, 9 },
		{ { 0x4d, 0x3c, 0xb2, 0xa1 }, 9 },
		{ { 0xa1, 0xb2, 0xcd, 0x34 }, 6 },	/* Kuznetzov's patch */
		{ { 0x34, 0xcd, 0xb2, 0xa1 }, 6 },
	};
	size_t i;

	for (i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (memcmp(m, tab[i].b, 4) == 0)
			return tab[i].digits;
	return 0;
}

static void
seterr(struct capfile *cf, const char *reason)
{
	snprintf(cf->err, sizeof cf->err, "%s: %s", cf->path, reason);
}

static void
free_cf(struct capfile *cf)
{
	if (cf->cur != NULL)
		free_cf(cf->cur);
	free(cf->ring);
	if (cf->ng != NULL)
		pcapng_close(cf->ng);
	pcaprec_close(&cf->rec);
	if (cf->pcap != NULL)
		pcap_close(cf->pcap);	/* closes fp too */
	else if (cf->fp != NULL)
		fclose(cf->fp);
	free(cf->iobuf);
	free(cf->path);
	free(cf);
}

static struct capfile *
fail(struct capfile *cf, const char *reason, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", cf->path, reason);
	free_cf(cf);
	return NULL;
}

/*
 * The pcap header's link type, as written (LINKTYPE_*): pcap_datalink()
 * would give the DLT_* value instead, which differs for a few types
 * (LINKTYPE_RAW 101 is DLT_RAW 12 on Linux), while pcapng interfaces carry
 * LINKTYPE_* values. Frames of both formats must agree.
 */
static int
pcap_header_linktype(const uint8_t h[CAPFILE_PCAP_HDR_LEN])
{
	/* a big-endian magic (a1 first): the file is big-endian */
	uint32_t v = byteorder_32(h + 20, h[0] == 0xa1);

	return (int)(v & 0x03FFFFFF);	/* libpcap's LT_LINKTYPE() */
}

/* ---- a ring of files read as one ----------------------------------- */

static struct capfile *open_file(const char *path, bool ring_ok, char *err,
    size_t errlen);

/* Opens member i, ready to give its first frame under its own number. */
static int
ring_enter(struct capfile *cf, size_t i)
{
	const struct ring_member *m = &cf->ring->m[i];
	char path[4200], err[512];
	struct capfile *in;

	ring_member_path(cf->path, m, path, sizeof path);
	/* never a ring again: an index listing itself would recurse */
	if ((in = open_file(path, false, err, sizeof err)) == NULL) {
		snprintf(cf->err, sizeof cf->err, "%s", err);
		return -1;
	}
	if (in->fmt != CAPFILE_PCAP) {
		snprintf(cf->err, sizeof cf->err, "%.400s: a ring member must "
		    "be a pcap file", path);
		free_cf(in);
		return -1;
	}
	in->next = m->first;
	if (cf->cur != NULL) {
		if (i == cf->cur_i + 1)
			cf->before += cf->cur->size;
		free_cf(cf->cur);
	}
	cf->cur = in;
	cf->cur_i = i;
	cf->fmt = CAPFILE_PCAP;
	cf->ts_digits = in->ts_digits;
	cf->linktype = in->linktype;
	return 0;
}

/* Reads the index again (a live capture adds and removes members). */
static int
ring_reload(struct capfile *cf)
{
	uint32_t seq = cf->cur ? cf->ring->m[cf->cur_i].seq : 0;
	char err[512];

	if (ring_index_read(cf->path, cf->ring, err, sizeof err) != 1) {
		snprintf(cf->err, sizeof cf->err, "%s", err[0] ? err :
		    "the ring index changed into something else");
		return -1;
	}
	for (size_t i = 0; i < cf->ring->n; i++)
		if (cf->ring->m[i].seq == seq)
			cf->cur_i = i;
	return 0;
}

static struct capfile *
ring_open(struct capfile *cf, char *err, size_t errlen)
{
	struct stat st;

	if ((cf->ring = malloc(sizeof *cf->ring)) == NULL)
		return fail(cf, "out of memory", err, errlen);
	if (ring_index_read(cf->path, cf->ring, err, errlen) != 1) {
		free_cf(cf);
		return NULL;
	}
	if (cf->ring->n == 0)
		return fail(cf, "the ring index lists no file", err, errlen);
	cf->size = 0;
	for (size_t i = 0; i < cf->ring->n; i++) {
		char path[4200];

		ring_member_path(cf->path, &cf->ring->m[i], path, sizeof path);
		if (stat(path, &st) == 0)
			cf->size += (uint64_t)st.st_size;
	}
	if (ring_enter(cf, 0) < 0) {
		snprintf(err, errlen, "%s", cf->err);
		free_cf(cf);
		return NULL;
	}
	return cf;
}

static int
ring_next(struct capfile *cf, struct frame *f)
{
	for (;;) {
		int rc = capfile_next(cf->cur, f);

		if (rc == 1) {
			f->offset = ring_offset(cf->ring->m[cf->cur_i].seq,
			    f->offset);
			cf->next = f->number + 1;
			return 1;
		}
		if (rc < 0) {
			snprintf(cf->err, sizeof cf->err, "%s", cf->cur->err);
			return -1;
		}
		/* the end of this member: the next one, if any yet */
		if (cf->cur_i + 1 >= cf->ring->n && ring_reload(cf) < 0)
			return -1;
		if (cf->cur_i + 1 >= cf->ring->n)
			return 0;
		if (ring_enter(cf, cf->cur_i + 1) < 0)
			return -1;
	}
}

static int
ring_seek(struct capfile *cf, uint64_t offset, uint64_t number)
{
	uint32_t seq = ring_seq(offset);
	size_t i;

	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < cf->ring->n && cf->ring->m[i].seq != seq; i++)
			;
		if (i < cf->ring->n || pass == 1 || ring_reload(cf) < 0)
			break;
	}
	if (i >= cf->ring->n) {
		/* the reason first: a pane shows the start of the line */
		snprintf(cf->err, sizeof cf->err, "frame %llu: the ring no "
		    "longer keeps its file (--ring keeps the newest files); "
		    "%s", (unsigned long long)number, cf->path);
		return -1;
	}
	/* the member written last may have grown since it was opened */
	if ((cf->cur == NULL || i != cf->cur_i ||
	    ring_local(offset) > cf->cur->size) && ring_enter(cf, i) < 0)
		return -1;
	if (capfile_seek(cf->cur, ring_local(offset), number) < 0) {
		snprintf(cf->err, sizeof cf->err, "%s", cf->cur->err);
		return -1;
	}
	cf->next = number;
	return 0;
}

struct capfile *
capfile_open(const char *path, char *err, size_t errlen)
{
	return open_file(path, true, err, errlen);
}

static struct capfile *
open_file(const char *path, bool ring_ok, char *err, size_t errlen)
{
	struct capfile *cf = calloc(1, sizeof *cf);
	uint8_t hdr[CAPFILE_PCAP_HDR_LEN];
	char reason[PCAP_ERRBUF_SIZE + 64];
	struct stat st;
	size_t n;

	if (cf == NULL || (cf->path = strdup(path)) == NULL) {
		free(cf);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	cf->next = 1;
	if ((cf->fp = fopen(path, "rb")) == NULL)
		return fail(cf, strerror(errno), err, errlen);
	if (fstat(fileno(cf->fp), &st) != 0)
		return fail(cf, strerror(errno), err, errlen);
	if (S_ISDIR(st.st_mode))
		return fail(cf, strerror(EISDIR), err, errlen);
	cf->size = (uint64_t)st.st_size;
	/* Set before the first read: stdio only takes a buffer then. */
	if ((cf->iobuf = malloc(IOBUF_SIZE)) == NULL)
		return fail(cf, "out of memory", err, errlen);
	setvbuf(cf->fp, cf->iobuf, _IOFBF, IOBUF_SIZE);
	n = fread(hdr, 1, sizeof hdr, cf->fp);
	if (ferror(cf->fp))
		return fail(cf, strerror(errno), err, errlen);
	if (n == 0)
		return fail(cf, "empty file", err, errlen);
	if (fseeko(cf->fp, 0, SEEK_SET) != 0)
		return fail(cf, strerror(errno), err, errlen);

	if (n >= sizeof RING_MAGIC - 1 &&
	    memcmp(hdr, RING_MAGIC, sizeof RING_MAGIC - 1) == 0)
		return ring_ok ? ring_open(cf, err, errlen) :
		    fail(cf, "a ring member must be a pcap file", err, errlen);
	if (n >= 4 && memcmp(hdr, "\x0a\x0d\x0d\x0a", 4) == 0) {
		cf->fmt = CAPFILE_PCAPNG;
		cf->ng = pcapng_open(cf->fp, reason, sizeof reason);
		if (cf->ng == NULL)
			return fail(cf, reason, err, errlen);
		return cf;
	}
	if (n < 4 || (cf->ts_digits = pcap_magic_digits(hdr)) == 0)
		return fail(cf, "not a pcap or pcapng capture file", err,
		    errlen);
	cf->fmt = CAPFILE_PCAP;
	if (n == sizeof hdr)
		cf->linktype = pcap_header_linktype(hdr);
	cf->next_off = CAPFILE_PCAP_HDR_LEN;
	/* Kuznetzov's patched records carry 8 more header bytes */
	cf->rec_len = hdr[2] == 0xcd || hdr[1] == 0xcd ?
	    CAPFILE_PCAP_REC_LEN + 8 : CAPFILE_PCAP_REC_LEN;
	/*
	 * Our FILE (already open, already buffered) goes to libpcap, which
	 * closes it; ask for ns so both formats give the same resolution.
	 */
	reason[0] = '\0';
	cf->pcap = pcap_fopen_offline_with_tstamp_precision(cf->fp,
	    PCAP_TSTAMP_PRECISION_NANO, reason);
	if (cf->pcap == NULL)	/* fp is still ours: libpcap leaves it */
		return fail(cf, reason[0] ? reason : "cannot read header",
		    err, errlen);
	cf->own_records = S_ISREG(st.st_mode) &&
	    getenv("GW502TUI_LIBPCAP") == NULL &&
	    pcaprec_open(&cf->rec, fileno(cf->fp), hdr, cf->rec_len,
	    cf->ts_digits == 9, pcap_datalink(cf->pcap),
	    pcap_snapshot(cf->pcap)) == 0;
	return cf;
}

static int
record_error(struct capfile *cf, const char *why, uint64_t off)
{
	char reason[PCAP_ERRBUF_SIZE + 64];

	snprintf(reason, sizeof reason, "%s (frame %llu at offset %lld)", why,
	    (unsigned long long)cf->next, (long long)off);
	seterr(cf, reason);
	return -1;
}

static int
own_next(struct capfile *cf, struct frame *f)
{
	char reason[PCAP_ERRBUF_SIZE];
	int rc;

	rc = pcaprec_next(&cf->rec, &cf->next_off, f, reason, sizeof reason);
	if (rc == 1) {
		f->number = cf->next++;
		f->linktype = cf->linktype;
		return 1;
	}
	return rc == 0 ? 0 : record_error(cf, reason, cf->next_off);
}

int
capfile_next(struct capfile *cf, struct frame *f)
{
	char reason[PCAP_ERRBUF_SIZE + 64];
	int rc;

	if (cf->ring != NULL)
		return ring_next(cf, f);
	if (cf->fmt == CAPFILE_PCAPNG) {
		rc = pcapng_next(cf->ng, f, cf->next, reason, sizeof reason);
		if (rc < 0) {
			seterr(cf, reason);
			return -1;
		}
		if (rc == 1)
			f->number = cf->next++;
		return rc;
	} else if (cf->own_records) {
		return own_next(cf, f);
	} else {
		FILE *fp = pcap_file(cf->pcap);
		struct pcap_pkthdr *h;
		const u_char *data;
		off_t off = (off_t)cf->next_off;
		int snap;

		rc = pcap_next_ex(cf->pcap, &h, &data);
		if (rc == 1) {
			snap = pcap_snapshot(cf->pcap);
			if (snap > 0 && h->caplen >= (bpf_u_int32)snap) {
				off_t end = ftello(fp);

				cf->next_off = end >= 0 ? (uint64_t)end :
				    cf->next_off + cf->rec_len + h->caplen;
			} else {
				cf->next_off += cf->rec_len + h->caplen;
			}
			f->number = cf->next++;
			/*
			 * libpcap reads the seconds as a signed 32-bit
			 * value; the format's are unsigned (good to 2106).
			 * tv_usec holds ns: the file was opened with NANO.
			 */
			f->ts_ns = (int64_t)(uint32_t)h->ts.tv_sec *
			    1000000000 + h->ts.tv_usec;
			f->offset = (uint64_t)off;
			f->data = data;
			f->caplen = h->caplen;
			f->wirelen = h->len;
			f->linktype = cf->linktype;
			return 1;
		}
		/*
		 * End or damage: put the stream back at the record, so that a
		 * later call retries it (the file may still be growing).
		 */
		clearerr(fp);
		if (off >= 0)
			(void)fseeko(fp, off, SEEK_SET);
		if (rc == PCAP_ERROR_BREAK)
			return 0;
		return record_error(cf, pcap_geterr(cf->pcap), (uint64_t)off);
	}
}

int
capfile_seek(struct capfile *cf, uint64_t offset, uint64_t number)
{
	char reason[256];

	if (cf->ring != NULL)
		return ring_seek(cf, offset, number);
	if (cf->fmt == CAPFILE_PCAPNG) {
		if (pcapng_seek(cf->ng, offset, reason, sizeof reason) < 0) {
			seterr(cf, reason);
			return -1;
		}
	} else {
		FILE *fp = pcap_file(cf->pcap);

		if (offset < CAPFILE_PCAP_HDR_LEN || offset > cf->size ||
		    offset > (uint64_t)INT64_MAX) {
			snprintf(reason, sizeof reason, "offset %llu is not in "
			    "the file", (unsigned long long)offset);
			seterr(cf, reason);
			return -1;
		}
		clearerr(fp);
		if (!cf->own_records &&
		    fseeko(fp, (off_t)offset, SEEK_SET) != 0) {
			seterr(cf, strerror(errno));
			return -1;
		}
		cf->next_off = offset;
	}
	cf->next = number;
	return 0;
}

const char *
capfile_error(const struct capfile *cf)
{
	return cf->err;
}

const char *
capfile_path(const struct capfile *cf)
{
	return cf->path;
}

enum capfile_format
capfile_format(const struct capfile *cf)
{
	return cf->fmt;
}

uint64_t
capfile_size(const struct capfile *cf)
{
	return cf->size;
}

uint64_t
capfile_pos(const struct capfile *cf)
{
	off_t off;

	if (cf->ring != NULL)
		return cf->before + capfile_pos(cf->cur);
	if (cf->fmt == CAPFILE_PCAPNG)
		return pcapng_pos(cf->ng);
	if (cf->own_records)
		return cf->next_off;
	off = ftello(pcap_file(cf->pcap));
	return off < 0 ? 0 : (uint64_t)off;
}

int
capfile_ts_digits(const struct capfile *cf)
{
	if (cf->fmt == CAPFILE_PCAPNG)
		return pcapng_ts_digits(cf->ng);
	return cf->ts_digits;
}

uint32_t
capfile_snaplen(const struct capfile *cf)
{
	int s;

	if (cf->ring != NULL)
		return capfile_snaplen(cf->cur);
	if (cf->fmt == CAPFILE_PCAPNG)
		return pcapng_snaplen(cf->ng);
	s = pcap_snapshot(cf->pcap);
	return s < 0 ? 0 : (uint32_t)s;
}

void
capfile_close(struct capfile *cf)
{
	if (cf != NULL)
		free_cf(cf);
}
