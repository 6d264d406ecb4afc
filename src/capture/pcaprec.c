/*
 * pcaprec.c: classic pcap records parsed in place in a buffer of the file
 * (pcaprec.h).
 *
 * Every rule below is libpcap 1.10.3's (sf-pcap.c pcap_next_packet,
 * pcap-common.c max_snaplen_for_dlt, pcap-util.c pcap_post_process), so
 * that a file reads the same whichever reader capfile.c picks: the tests
 * (tests/unit/test_capfile_map.c) and GW502TUI_LIBPCAP=1 compare the two.
 *
 * Why a buffer filled by pread() and not a map of the file: measured on
 * 100,000 small transactions, a map saved the copy but cost 15-20 % more
 * CPU time than libpcap (the decoders then take every cache miss on the
 * file's bytes themselves, prefetching did not help), and a file cut
 * short while mapped would kill the process with SIGBUS. The kernel's copy
 * into a buffer that stays in the cache is the cheap way in; what this
 * saves is libpcap's per-record work (two freads, a second copy).
 */
#include "pcaprec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "byteorder.h"

/*
 * The buffer: 64 KiB, as the stdio buffer capfile.c gives libpcap (large
 * enough to stream at the speed of a larger one, small enough that a
 * random re-read of one frame costs little); grown for a longer record.
 */
#define PCAPREC_BUF	(64 * 1024)

/* libpcap's MAXIMUM_SNAPLEN (pcap-int.h, not installed). */
#define LIBPCAP_MAXIMUM_SNAPLEN	262144u

static uint32_t
max_snaplen_for_dlt(int dlt)
{
	switch (dlt) {
	case DLT_DBUS:
		return 128u * 1024 * 1024;
	case DLT_EBHSCR:
		return 8u * 1024 * 1024;
	case DLT_USBPCAP:
		return 1024u * 1024;
	default:
		return LIBPCAP_MAXIMUM_SNAPLEN;
	}
}

static bool
host_is_be(void)
{
	const union {
		uint16_t u;
		uint8_t b[2];
	} one = { 1 };

	return one.b[0] == 0;
}

/*
 * Link types whose records libpcap changes after reading them: pseudo-
 * headers written in the other byte order are swapped in place, and a
 * memory-mapped USB record's len may be corrected. Those stay libpcap's.
 */
static bool
libpcap_rewrites(int dlt, bool swapped)
{
	if (dlt == DLT_USB_LINUX_MMAPPED)
		return true;
	return swapped && (dlt == DLT_PFLOG || dlt == DLT_LINUX_SLL ||
	    dlt == DLT_LINUX_SLL2 || dlt == DLT_USB_LINUX ||
	    dlt == DLT_NFLOG);
}

int
pcaprec_open(struct pcaprec *r, int fd, const uint8_t *hdr, unsigned rec_len,
    bool ns, int dlt, int snapshot)
{
	uint16_t major, minor;

	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->be = hdr[0] == 0xa1;		/* the magic as written */
	r->swapped = r->be != host_is_be();
	if (snapshot <= 0 || libpcap_rewrites(dlt, r->swapped))
		return -1;
	r->ns = ns;
	r->rec_len = rec_len;
	major = byteorder_16(hdr + 4, r->be);
	minor = byteorder_16(hdr + 6, r->be);
	if ((major == 2 && minor < 3) || major == 543)
		r->lengths = PCAPREC_LEN_SWAPPED;
	else if (major == 2 && minor == 3)
		r->lengths = PCAPREC_LEN_MAYBE_SWAPPED;
	else
		r->lengths = PCAPREC_LEN_AS_IS;
	r->snapshot = (uint32_t)snapshot;
	r->max_caplen = max_snaplen_for_dlt(dlt);
	if ((r->buf = malloc(PCAPREC_BUF)) == NULL)
		return -1;
	r->cap = PCAPREC_BUF;
	return 0;
}

void
pcaprec_close(struct pcaprec *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* Where pos is in the buffer, SIZE_MAX when the buffer does not reach it
 * (a seek elsewhere). */
static inline size_t
buf_at(const struct pcaprec *r, uint64_t pos)
{
	return pos >= r->buf_off && pos - r->buf_off <= r->end ?
	    (size_t)(pos - r->buf_off) : SIZE_MAX;
}

/* fill when the buffer lacks some of the bytes: skip is buf_at(pos). */
static int
refill(struct pcaprec *r, uint64_t pos, size_t skip, size_t need,
    size_t *avail, char *err, size_t errlen)
{
	ssize_t n;

	if (skip != SIZE_MAX) {
		/* keep the part of the record already read */
		memmove(r->buf, r->buf + skip, r->end - skip);
		r->end -= skip;
	} else {
		r->end = 0;	/* a seek elsewhere */
	}
	r->buf_off = pos;
	if (need > r->cap) {
		uint8_t *nb = realloc(r->buf, need);

		if (nb == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		r->buf = nb;
		r->cap = need;
	}
	while (r->end < need) {
		n = pread(r->fd, r->buf + r->end, r->cap - r->end,
		    (off_t)(r->buf_off + r->end));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "error reading dump file: %s",
			    strerror(errno));
			return -1;
		}
		if (n == 0)
			break;		/* the end of the file, for now */
		r->end += (size_t)n;
	}
	*avail = r->end;
	return 0;
}

/*
 * Makes the buffer hold the file's bytes [pos, pos + need), or as many of
 * them as the file has now: the bytes held from pos in *avail. 0, or -1
 * with the read error in err. Inline: the buffer holds them already
 * twice per record, and then no call is made.
 */
static inline int
fill(struct pcaprec *r, uint64_t pos, size_t need, size_t *avail,
    char *err, size_t errlen)
{
	size_t skip = buf_at(r, pos);

	if (skip != SIZE_MAX && r->end - skip >= need) {
		*avail = r->end - skip;
		return 0;
	}
	return refill(r, pos, skip, need, avail, err, errlen);
}

/* How many of the `want` bytes from `at` on the file holds now. */
static size_t
present(const struct pcaprec *r, uint64_t at, uint32_t want)
{
	struct stat st;
	uint64_t size;

	if (fstat(r->fd, &st) != 0 || st.st_size < 0)
		return 0;
	size = (uint64_t)st.st_size;
	return size <= at ? 0 : size - at < want ? (size_t)(size - at) : want;
}

/*
 * The frame of a record whose header is at h, its lengths checked: the
 * record at *pos, and *pos moved past it.
 */
static inline void
record_frame(const struct pcaprec *r, const uint8_t *h, uint32_t caplen,
    uint32_t len, uint64_t *pos, struct frame *f)
{
	int64_t frac;

	/*
	 * libpcap 1.10.3 reads the fraction as a signed 32-bit value in the
	 * host's byte order, unsigned when it swaps it (SWAPLONG casts);
	 * 1.10.5 reads it unsigned. The seconds are unsigned, as in the
	 * format (good to 2106).
	 */
	frac = r->swapped ? (int64_t)byteorder_32(h + 4, r->be) :
	    (int64_t)(int32_t)byteorder_32(h + 4, r->be);
	f->ts_ns = (int64_t)byteorder_32(h, r->be) * 1000000000 +
	    (r->ns ? frac : frac * 1000);
	f->offset = *pos;
	f->data = h + r->rec_len;
	/* a record longer than the snapshot length is cut to it */
	f->caplen = caplen > r->snapshot ? r->snapshot : caplen;
	f->wirelen = len;
	*pos += r->rec_len + caplen;
}

/*
 * The usual record, read without the checks below: lengths as written,
 * no longer than the snapshot length, and all of it in the buffer. 1,
 * or 0 when it is not such a record (pcaprec_next then reads it as
 * any other).
 */
static inline int
next_in_buffer(struct pcaprec *r, uint64_t *pos, struct frame *f)
{
	size_t skip = buf_at(r, *pos);
	const uint8_t *h;
	uint32_t caplen;

	if (skip == SIZE_MAX || r->end - skip < r->rec_len ||
	    r->lengths != PCAPREC_LEN_AS_IS ||
	    *pos > (uint64_t)INT64_MAX - r->rec_len - UINT32_MAX)
		return 0;
	h = r->buf + skip;
	caplen = byteorder_32(h + 8, r->be);
	if (caplen > r->snapshot || caplen > r->max_caplen ||
	    r->end - skip - r->rec_len < caplen)
		return 0;
	record_frame(r, h, caplen, byteorder_32(h + 12, r->be), pos, f);
	return 1;
}

int
pcaprec_next(struct pcaprec *r, uint64_t *pos, struct frame *f, char *err,
    size_t errlen)
{
	const uint8_t *h;
	uint32_t caplen, len, kept, t;
	size_t avail;

	if (next_in_buffer(r, pos, f))
		return 1;
	if (*pos > (uint64_t)INT64_MAX - r->rec_len - UINT32_MAX) {
		snprintf(err, errlen, "offset beyond what a file can have");
		return -1;
	}
	if (fill(r, *pos, r->rec_len, &avail, err, errlen) < 0)
		return -1;
	if (avail == 0)
		return 0;
	if (avail < r->rec_len) {
		snprintf(err, errlen, "truncated dump file; tried to read %u "
		    "header bytes, only got %zu", r->rec_len, avail);
		return -1;
	}
	h = r->buf + (size_t)(*pos - r->buf_off);
	caplen = byteorder_32(h + 8, r->be);
	len = byteorder_32(h + 12, r->be);
	if (r->lengths == PCAPREC_LEN_SWAPPED ||
	    (r->lengths == PCAPREC_LEN_MAYBE_SWAPPED && caplen > len)) {
		t = caplen;
		caplen = len;
		len = t;
	}
	if (caplen > r->max_caplen) {
		if (caplen > r->snapshot)
			snprintf(err, errlen, "invalid packet capture length "
			    "%u, bigger than snaplen of %d", caplen,
			    (int)r->snapshot);
		else
			snprintf(err, errlen, "invalid packet capture length "
			    "%u, bigger than maximum of %u", caplen,
			    r->max_caplen);
		return -1;
	}
	/*
	 * caplen <= max_caplen (128 MiB at most): no overflow below. Only
	 * the snapshot length's bytes are buffered, as libpcap keeps them:
	 * a D-Bus record may say 128 MiB, and the buffer would follow.
	 */
	kept = caplen > r->snapshot ? r->snapshot : caplen;
	if (fill(r, *pos, r->rec_len + (size_t)kept, &avail, err,
	    errlen) < 0)
		return -1;
	h = r->buf + (size_t)(*pos - r->buf_off);
	avail -= r->rec_len;
	if (kept < caplen && avail >= kept)
		avail = present(r, *pos + r->rec_len, caplen);
	/* libpcap reads the snapshot length's bytes first, then the rest */
	if (caplen > r->snapshot && avail < r->snapshot) {
		snprintf(err, errlen, "truncated dump file; tried to read %d "
		    "captured bytes, only got %zu", (int)r->snapshot, avail);
		return -1;
	}
	if (avail < caplen) {
		snprintf(err, errlen, "truncated dump file; tried to read %u "
		    "captured bytes, only got %zu", caplen, avail);
		return -1;
	}
	record_frame(r, h, caplen, len, pos, f);
	return 1;
}
