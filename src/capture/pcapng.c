/*
 * pcapng.c: a small pcapng reader (draft-ietf-opsawg-pcapng).
 *
 * Blocks are read whole into one growable buffer (bounded by
 * PCAPNG_MAX_BLOCK) through the caller's buffered FILE, so a packet costs
 * two small freads and no allocation. Every length is checked against the
 * block before it is used.
 *
 * Random access: a packet block can only be decoded with its section's
 * byte order and interface list, so the reader remembers every section and
 * interface it has walked over (`scanned` marks how far). Seeking back
 * picks the section that holds the offset; seeking past `scanned` first
 * walks the blocks in between.
 */
#include "pcapng.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"

#define BT_SHB	0x0A0D0D0Au
#define BT_IDB	0x00000001u
#define BT_PB	0x00000002u	/* obsolete packet block */
#define BT_SPB	0x00000003u
#define BT_EPB	0x00000006u

#define OPT_ENDOFOPT	0
#define OPT_IF_TSRESOL	9
#define OPT_IF_TSOFFSET	14

#define SHB_MIN		28u	/* header, BOM, version, length, trailer */
#define IDB_MIN		20u
#define EPB_FIXED	20u	/* interface, ts high/low, caplen, origlen */
#define PB_FIXED	20u
#define SPB_FIXED	4u

/* How far back a simple packet block looks for a timestamp after a seek. */
#define SPB_WALKBACK	4096

#define NSEC		1000000000ull

struct ng_iface {
	int linktype;
	uint32_t snaplen;
	bool pow2;		/* if_tsresol: 2^-exp s units, else 10^-exp s */
	uint8_t exp;
	int64_t tsoffset;	/* if_tsoffset, seconds */
};

struct ng_section {
	uint64_t offset;	/* of its section header block */
	bool be;		/* big-endian */
	size_t first_if;	/* its interfaces: ifs[first_if .. +nifs) */
	size_t nifs;
};

struct pcapng {
	FILE *fp;
	uint64_t pos;		/* offset of the next block */
	uint64_t scanned;	/* sections/interfaces below this are known */
	uint8_t *buf;
	size_t bufsz;
	struct ng_section *secs;
	size_t nsecs, secap;
	struct ng_iface *ifs;
	size_t nifs, ifcap;
	size_t cur;		/* current section, index into secs */
	int64_t last_ts;	/* for simple packet blocks, which have none */
	bool last_ts_known;	/* false after a seek until recovered */
	int ts_digits;
	uint32_t snaplen;
	bool unlimited;		/* an interface had snaplen 0 */
};

static bool
is_packet_block(uint32_t type)
{
	return type == BT_EPB || type == BT_SPB || type == BT_PB;
}

static const uint64_t pow10_tab[20] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
	10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
	100000000000ull, 1000000000000ull, 10000000000000ull,
	100000000000000ull, 1000000000000000ull, 10000000000000000ull,
	100000000000000000ull, 1000000000000000000ull,
	10000000000000000000ull
};

/*
 * Interface units to ns since the epoch, without 128-bit arithmetic (not
 * every target has it): split into whole seconds and a fraction first.
 * Clamps to the range classic pcap can hold (unsigned 32-bit seconds,
 * 1970-2106): every time in the model then fits int64_t with room for
 * differences and timeouts (a file's timestamps are attacker controlled).
 */
#define TS_MAX_SEC ((int64_t)UINT32_MAX)
#define TS_MAX_NS (TS_MAX_SEC * (int64_t)NSEC)

static int64_t
ts_to_ns(const struct ng_iface *ifc, uint64_t t)
{
	uint64_t sec, frac, frac_ns;
	int64_t s;

	if (ifc->pow2) {
		unsigned n = ifc->exp;

		sec = n == 0 ? t : t >> n;
		frac = n == 0 ? 0 : t & ((1ull << n) - 1);
		/*
		 * frac * 1e9 must fit 64 bits: keep 34 fraction bits
		 * (58 ps), far finer than the ns we return.
		 */
		if (n > 34) {
			frac >>= n - 34;
			n = 34;
		}
		frac_ns = (frac * NSEC) >> n;
	} else {
		uint64_t div = pow10_tab[ifc->exp];

		sec = t / div;
		frac = t % div;
		frac_ns = ifc->exp <= 9 ? frac * pow10_tab[9 - ifc->exp] :
		    frac / pow10_tab[ifc->exp - 9];
	}
	if (sec > (uint64_t)TS_MAX_SEC || ifc->tsoffset >= TS_MAX_SEC)
		return TS_MAX_NS;
	if (ifc->tsoffset <= -TS_MAX_SEC)
		return 0;
	s = (int64_t)sec + ifc->tsoffset;	/* |s| < 2^33 */
	if (s < 0)
		return 0;
	if (s >= TS_MAX_SEC)
		return TS_MAX_NS;
	return s * (int64_t)NSEC + (int64_t)frac_ns;
}

static int
grow_buf(struct pcapng *r, size_t need)
{
	size_t n = r->bufsz;
	uint8_t *nb;

	if (need <= r->bufsz)
		return 0;
	while (n < need)
		n *= 2;
	if (n > PCAPNG_MAX_BLOCK)
		n = PCAPNG_MAX_BLOCK;
	nb = realloc(r->buf, n);
	if (nb == NULL)
		return -1;
	r->buf = nb;
	r->bufsz = n;
	return 0;
}

/* Puts the stream back at `off` so that a later read retries from there. */
static void
rewind_to(struct pcapng *r, uint64_t off)
{
	clearerr(r->fp);
	if (fseeko(r->fp, (off_t)off, SEEK_SET) == 0)
		r->pos = off;
}

static int
short_read(struct pcapng *r, uint64_t off, uint32_t type, uint64_t number,
    char *err, size_t errlen)
{
	if (ferror(r->fp))
		snprintf(err, errlen, "read error at offset %llu: %s",
		    (unsigned long long)off, strerror(errno));
	else if (is_packet_block(type))
		snprintf(err, errlen, "truncated record at offset %llu "
		    "(frame %llu)", (unsigned long long)off,
		    (unsigned long long)number);
	else
		snprintf(err, errlen, "truncated pcapng block at offset %llu",
		    (unsigned long long)off);
	rewind_to(r, off);
	return -1;
}

/*
 * Reads the block at r->pos whole into r->buf: 1 (with *type and *len),
 * 0 at end of file, -1 on error. Blocks that are only walked over are read
 * too: glibc's fseek() costs an lseek(2) even within its buffer, and
 * copying a block from the buffer is cheaper than that.
 */
static int
read_block(struct pcapng *r, uint64_t number, uint32_t *type, uint32_t *len,
    char *err, size_t errlen)
{
	uint64_t off = r->pos;
	uint8_t hdr[12];
	size_t n, have = 8;
	bool be;

	n = fread(hdr, 1, 8, r->fp);
	if (n == 0 && !ferror(r->fp)) {
		clearerr(r->fp);	/* a file being written may grow */
		return 0;
	}
	if (n < 8)
		return short_read(r, off, 0, number, err, errlen);
	if (byteorder_32(hdr, false) == BT_SHB) {
		/* The byte-order magic after the length says how to read it. */
		if (fread(hdr + 8, 1, 4, r->fp) < 4)
			return short_read(r, off, BT_SHB, number, err, errlen);
		if (byteorder_32(hdr + 8, true) == 0x1A2B3C4Du)
			be = true;
		else if (byteorder_32(hdr + 8, false) == 0x1A2B3C4Du)
			be = false;
		else {
			snprintf(err, errlen, "pcapng section at offset %llu: "
			    "bad byte-order magic", (unsigned long long)off);
			rewind_to(r, off);
			return -1;
		}
		have = 12;
		*type = BT_SHB;
	} else {
		if (r->nsecs == 0) {
			snprintf(err, errlen, "pcapng block at offset %llu: "
			    "no section header before it",
			    (unsigned long long)off);
			rewind_to(r, off);
			return -1;
		}
		be = r->secs[r->cur].be;
		*type = byteorder_32(hdr, be);
	}
	*len = byteorder_32(hdr + 4, be);
	if (*len % 4 != 0 || *len < (*type == BT_SHB ? SHB_MIN : 12u) ||
	    *len > PCAPNG_MAX_BLOCK) {
		snprintf(err, errlen, "pcapng block at offset %llu: bad block "
		    "length %lu", (unsigned long long)off, (unsigned long)*len);
		rewind_to(r, off);
		return -1;
	}
	if (grow_buf(r, *len) < 0) {
		snprintf(err, errlen, "out of memory for a %lu-byte block",
		    (unsigned long)*len);
		rewind_to(r, off);
		return -1;
	}
	memcpy(r->buf, hdr, have);
	if (fread(r->buf + have, 1, *len - have, r->fp) < *len - have)
		return short_read(r, off, *type, number, err, errlen);
	if (byteorder_32(r->buf + *len - 4, be) != *len) {
		snprintf(err, errlen, "pcapng block at offset %llu: trailing "
		    "length mismatch", (unsigned long long)off);
		rewind_to(r, off);
		return -1;
	}
	r->pos = off + *len;
	return 1;
}

/* Index of the section that holds `off`: the last one starting at or before. */
static size_t
section_at(const struct pcapng *r, uint64_t off)
{
	size_t lo = 0, hi = r->nsecs;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->secs[mid].offset <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int
do_shb(struct pcapng *r, uint64_t off, uint32_t len, char *err, size_t errlen)
{
	bool be = byteorder_32(r->buf + 8, true) == 0x1A2B3C4Du;
	uint16_t major = byteorder_16(r->buf + 12, be);
	uint16_t minor = byteorder_16(r->buf + 14, be);
	struct ng_section *ns;

	(void)len;
	/* What libpcap and Wireshark accept: 1.1 was never a real version. */
	if (major != 1 || (minor != 0 && minor != 2)) {
		snprintf(err, errlen, "pcapng section at offset %llu: version "
		    "%u.%u not supported", (unsigned long long)off, major,
		    minor);
		return -1;
	}
	r->last_ts = 0;
	r->last_ts_known = true;
	if (off < r->scanned && r->nsecs > 0) {
		r->cur = section_at(r, off);
		return 0;
	}
	if (r->nsecs == r->secap) {
		size_t n = r->secap ? r->secap * 2 : 4;

		ns = realloc(r->secs, n * sizeof *ns);
		if (ns == NULL)
			goto nomem;
		r->secs = ns;
		r->secap = n;
	}
	ns = &r->secs[r->nsecs];
	ns->offset = off;
	ns->be = be;
	ns->first_if = r->nifs;
	ns->nifs = 0;
	r->cur = r->nsecs++;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int
do_idb(struct pcapng *r, uint64_t off, uint32_t len, char *err, size_t errlen)
{
	struct ng_section *sec = &r->secs[r->cur];
	bool be = sec->be;
	const uint8_t *p, *end;
	struct ng_iface ifc;

	if (off < r->scanned)
		return 0;	/* recorded on an earlier pass */
	if (len < IDB_MIN) {
		snprintf(err, errlen, "pcapng block at offset %llu: interface "
		    "description too short", (unsigned long long)off);
		return -1;
	}
	memset(&ifc, 0, sizeof ifc);
	ifc.linktype = byteorder_16(r->buf + 8, be);
	ifc.snaplen = byteorder_32(r->buf + 12, be);
	ifc.exp = 6;
	/* Options: code, length, value padded to 4; stop at anything odd. */
	p = r->buf + 16;
	end = r->buf + len - 4;
	while (end - p >= 4) {
		uint16_t code = byteorder_16(p, be);
		uint16_t olen = byteorder_16(p + 2, be);
		size_t padded = ((size_t)olen + 3) & ~(size_t)3;

		if (code == OPT_ENDOFOPT || (size_t)(end - p - 4) < padded)
			break;
		if (code == OPT_IF_TSRESOL && olen >= 1) {
			ifc.pow2 = (p[4] & 0x80) != 0;
			ifc.exp = p[4] & 0x7f;
			if ((ifc.pow2 && ifc.exp > 63) ||
			    (!ifc.pow2 && ifc.exp > 19)) {
				snprintf(err, errlen, "pcapng block at offset "
				    "%llu: timestamp resolution %s%u not "
				    "supported", (unsigned long long)off,
				    ifc.pow2 ? "2^-" : "10^-", ifc.exp);
				return -1;
			}
		} else if (code == OPT_IF_TSOFFSET && olen >= 8)
			ifc.tsoffset = (int64_t)byteorder_64(p + 4, be);
		p += 4 + padded;
	}
	if (r->nifs == r->ifcap) {
		size_t n = r->ifcap ? r->ifcap * 2 : 8;
		struct ng_iface *ni = realloc(r->ifs, n * sizeof *ni);

		if (ni == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		r->ifs = ni;
		r->ifcap = n;
	}
	r->ifs[r->nifs++] = ifc;
	sec->nifs++;
	if ((ifc.pow2 && ifc.exp > 19) || (!ifc.pow2 && ifc.exp > 6))
		r->ts_digits = 9;
	if (ifc.snaplen == 0)
		r->unlimited = true;
	else if (ifc.snaplen > r->snaplen)
		r->snaplen = ifc.snaplen;
	return 0;
}

static const struct ng_iface *
iface(const struct pcapng *r, uint32_t id, uint64_t off, char *err,
    size_t errlen)
{
	const struct ng_section *sec = &r->secs[r->cur];

	if (id >= sec->nifs) {
		snprintf(err, errlen, "pcapng block at offset %llu: interface "
		    "id %lu out of range (section has %zu)",
		    (unsigned long long)off, (unsigned long)id, sec->nifs);
		return NULL;
	}
	return &r->ifs[sec->first_if + id];
}

/*
 * A simple packet block has no timestamp; it takes the previous packet's.
 * After a seek that one is unknown, so walk back over the trailing lengths
 * to the nearest packet block with a timestamp in the same section.
 */
static void
recover_last_ts(struct pcapng *r, uint64_t off)
{
	const struct ng_section *sec = &r->secs[r->cur];
	uint64_t p = off, back = r->pos;
	uint8_t b[28];
	int steps;

	r->last_ts = 0;
	r->last_ts_known = true;
	for (steps = 0; steps < SPB_WALKBACK && p > sec->offset; steps++) {
		uint32_t plen, type;

		if (fseeko(r->fp, (off_t)(p - 4), SEEK_SET) != 0 ||
		    fread(b, 1, 4, r->fp) < 4)
			break;
		plen = byteorder_32(b, sec->be);
		if (plen < 12 || plen % 4 != 0 || plen > p - sec->offset)
			break;
		p -= plen;
		if (fseeko(r->fp, (off_t)p, SEEK_SET) != 0 ||
		    fread(b, 1, sizeof b, r->fp) < sizeof b ||
		    byteorder_32(b + 4, sec->be) != plen)
			break;
		type = byteorder_32(b, sec->be);
		if ((type == BT_EPB || type == BT_PB) && plen >= 12 + 20) {
			bool be = sec->be;
			uint32_t id = type == BT_EPB ? byteorder_32(b + 8, be) :
			    byteorder_16(b + 8, be);
			uint64_t t = (uint64_t)byteorder_32(b + 12, be) << 32 |
			    byteorder_32(b + 16, be);

			if (id < sec->nifs)
				r->last_ts = ts_to_ns(
				    &r->ifs[sec->first_if + id], t);
			break;
		}
		if (type == BT_SHB)
			break;
	}
	clearerr(r->fp);
	(void)fseeko(r->fp, (off_t)back, SEEK_SET);
}

static int
do_packet(struct pcapng *r, uint64_t off, uint32_t type, uint32_t len,
    struct frame *f, char *err, size_t errlen)
{
	bool be = r->secs[r->cur].be;
	uint32_t body = len - 12, fixed, caplen, id;
	const struct ng_iface *ifc;
	const uint8_t *b = r->buf + 8;

	fixed = type == BT_EPB ? EPB_FIXED : type == BT_PB ? PB_FIXED :
	    SPB_FIXED;
	if (body < fixed) {
		snprintf(err, errlen, "pcapng block at offset %llu: packet "
		    "block too short", (unsigned long long)off);
		return -1;
	}
	if (type == BT_SPB) {
		if ((ifc = iface(r, 0, off, err, errlen)) == NULL)
			return -1;
		f->wirelen = byteorder_32(b, be);
		/* Captured length is implied: the packet, cut at snaplen. */
		caplen = f->wirelen;
		if (ifc->snaplen != 0 && caplen > ifc->snaplen)
			caplen = ifc->snaplen;
		if (caplen > body - fixed)
			caplen = body - fixed;
		if (!r->last_ts_known)
			recover_last_ts(r, off);
		f->ts_ns = r->last_ts;
	} else {
		uint64_t t;

		id = type == BT_EPB ? byteorder_32(b, be) : byteorder_16(b, be);
		if ((ifc = iface(r, id, off, err, errlen)) == NULL)
			return -1;
		t = (uint64_t)byteorder_32(b + 4, be) << 32 |
		    byteorder_32(b + 8, be);
		caplen = byteorder_32(b + 12, be);
		f->wirelen = byteorder_32(b + 16, be);
		if (caplen > body - fixed) {
			snprintf(err, errlen, "pcapng block at offset %llu: "
			    "captured length %lu exceeds the block",
			    (unsigned long long)off, (unsigned long)caplen);
			return -1;
		}
		f->ts_ns = ts_to_ns(ifc, t);
		r->last_ts = f->ts_ns;
		r->last_ts_known = true;
	}
	f->offset = off;
	f->data = b + fixed;
	f->caplen = caplen;
	f->linktype = ifc->linktype;
	return 0;
}

int
pcapng_next(struct pcapng *r, struct frame *f, uint64_t number, char *err,
    size_t errlen)
{
	for (;;) {
		uint64_t off = r->pos;
		uint32_t type, len;
		int rc, pr = 0;

		rc = read_block(r, number, &type, &len, err, errlen);
		if (rc <= 0)
			return rc;
		if (type == BT_SHB)
			pr = do_shb(r, off, len, err, errlen);
		else if (type == BT_IDB)
			pr = do_idb(r, off, len, err, errlen);
		else if (is_packet_block(type))
			pr = do_packet(r, off, type, len, f, err, errlen);
		/* NRB, ISB, DSB, custom and unknown blocks: nothing for us. */
		if (pr < 0) {
			rewind_to(r, off);
			return -1;
		}
		if (r->pos > r->scanned)
			r->scanned = r->pos;
		if (is_packet_block(type))
			return 1;
	}
}

int
pcapng_seek(struct pcapng *r, uint64_t offset, char *err, size_t errlen)
{
	if (offset > r->scanned) {
		/* Walk the blocks up to the target to learn its section. */
		if (fseeko(r->fp, (off_t)r->scanned, SEEK_SET) != 0)
			goto seekerr;
		r->pos = r->scanned;
		r->cur = r->nsecs - 1;
		while (r->pos < offset) {
			uint64_t off = r->pos;
			uint32_t type, len;
			int rc, pr = 0;

			rc = read_block(r, 0, &type, &len, err, errlen);
			if (rc == 0) {
				snprintf(err, errlen, "offset %llu is past "
				    "the end of the file",
				    (unsigned long long)offset);
				return -1;
			}
			if (rc < 0)
				return -1;
			if (type == BT_SHB)
				pr = do_shb(r, off, len, err, errlen);
			else if (type == BT_IDB)
				pr = do_idb(r, off, len, err, errlen);
			if (pr < 0) {
				rewind_to(r, off);
				return -1;
			}
			if (r->pos > r->scanned)
				r->scanned = r->pos;
		}
		if (r->pos != offset) {
			snprintf(err, errlen, "offset %llu is not the start "
			    "of a pcapng block", (unsigned long long)offset);
			return -1;
		}
	}
	clearerr(r->fp);
	if (fseeko(r->fp, (off_t)offset, SEEK_SET) != 0)
		goto seekerr;
	r->pos = offset;
	r->cur = section_at(r, offset);
	r->last_ts_known = false;
	return 0;
seekerr:
	snprintf(err, errlen, "cannot seek to offset %llu: %s",
	    (unsigned long long)offset, strerror(errno));
	return -1;
}

struct pcapng *
pcapng_open(FILE *fp, char *err, size_t errlen)
{
	struct pcapng *r = calloc(1, sizeof *r);
	uint32_t type, len;
	uint64_t first;
	int i, rc;

	if (r == NULL || (r->buf = malloc(64 * 1024)) == NULL) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->fp = fp;
	r->bufsz = 64 * 1024;
	r->ts_digits = 6;
	rc = read_block(r, 0, &type, &len, err, errlen);
	if (rc == 0)
		snprintf(err, errlen, "no pcapng section header");
	if (rc <= 0 || type != BT_SHB || do_shb(r, 0, len, err, errlen) < 0) {
		if (rc > 0 && type != BT_SHB)
			snprintf(err, errlen, "no pcapng section header");
		pcapng_close(r);
		return NULL;
	}
	r->scanned = first = r->pos;
	/*
	 * Learn the interfaces before the first packet, so that the file's
	 * resolution and snaplen are known before anything is read. Damage
	 * found here is reported when the reader gets there.
	 */
	for (i = 0; i < 64; i++) {
		uint64_t off = r->pos;
		int pr = 0;

		if (read_block(r, 0, &type, &len, err, errlen) <= 0 ||
		    is_packet_block(type))
			break;
		if (type == BT_SHB)
			pr = do_shb(r, off, len, err, errlen);
		else if (type == BT_IDB)
			pr = do_idb(r, off, len, err, errlen);
		if (pr < 0)
			break;
		r->scanned = r->pos;
	}
	clearerr(fp);
	if (fseeko(fp, (off_t)first, SEEK_SET) != 0) {
		snprintf(err, errlen, "cannot seek: %s", strerror(errno));
		pcapng_close(r);
		return NULL;
	}
	r->pos = first;
	r->cur = 0;
	r->last_ts = 0;
	r->last_ts_known = true;
	err[0] = '\0';
	return r;
}

uint64_t
pcapng_pos(const struct pcapng *r)
{
	return r->pos;
}

int
pcapng_ts_digits(const struct pcapng *r)
{
	return r->ts_digits;
}

uint32_t
pcapng_snaplen(const struct pcapng *r)
{
	return r->unlimited ? 0 : r->snaplen;
}

void
pcapng_close(struct pcapng *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r->secs);
	free(r->ifs);
	free(r);
}
