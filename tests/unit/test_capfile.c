/*
 * test_capfile.c: the capture reader on pcap and pcapng files written here
 * byte by byte (both byte orders, both resolutions, several interfaces and
 * sections, damaged and truncated variants), and on the corpus.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit_bytes.h"
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit_corpus.h"
#include "unit_tmpdir.h"
#include "capture/capfile.h"

#define MAXBLOCKS 64

/* A file image under construction, in one byte order. */
struct bb {
	uint8_t d[16384];
	size_t n;
	bool be;
	size_t ends[MAXBLOCKS];	/* offsets where blocks/records end */
	size_t nends;
};

UNIT_BYTE_WRITERS(struct bb)

/* What a frame should read back as. */
struct want {
	uint64_t number;
	int64_t ts_ns;
	uint64_t offset;
	uint32_t caplen, wirelen;
	int linktype;
	uint8_t fill;		/* data bytes are fill, fill+1, ... */
};

struct fixture {
	char dir[64];
};

static void
put64(struct bb *b, uint64_t v)
{
	if (b->be) {
		put32(b, (uint32_t)(v >> 32));
		put32(b, (uint32_t)v);
	} else {
		put32(b, (uint32_t)v);
		put32(b, (uint32_t)(v >> 32));
	}
}

static void
pad4(struct bb *b)
{
	while (b->n % 4 != 0)
		put8(b, 0);
}

static void
mark_end(struct bb *b)
{
	assert_true(b->nends < MAXBLOCKS);
	b->ends[b->nends++] = b->n;
}

/* ---- pcap ---- */

static void
pcap_header(struct bb *b, bool nano, uint32_t linktype)
{
	put32(b, nano ? 0xa1b23c4d : 0xa1b2c3d4);
	put16(b, 2);
	put16(b, 4);
	put32(b, 0);
	put32(b, 0);
	put32(b, 65535);
	put32(b, linktype);
	mark_end(b);
}

static uint64_t
pcap_record(struct bb *b, uint32_t sec, uint32_t frac, uint32_t caplen,
    uint32_t wirelen, uint8_t fill)
{
	uint64_t off = b->n;

	put32(b, sec);
	put32(b, frac);
	put32(b, caplen);
	put32(b, wirelen);
	putfill(b, caplen, fill);
	mark_end(b);
	return off;
}

/* ---- pcapng ---- */

static size_t
begin_block(struct bb *b, uint32_t type)
{
	size_t start = b->n;

	put32(b, type);
	put32(b, 0);		/* patched by end_block */
	return start;
}

static void
end_block(struct bb *b, size_t start)
{
	uint32_t len;
	bool be = b->be;

	pad4(b);
	len = (uint32_t)(b->n - start + 4);
	put32(b, len);
	b->n = start + 4;	/* patch the leading length in place */
	put32(b, len);
	b->n = start + len;
	b->be = be;
	mark_end(b);
}

static void
shb(struct bb *b, uint16_t major, uint16_t minor)
{
	size_t s = begin_block(b, 0x0A0D0D0A);

	put32(b, 0x1A2B3C4D);
	put16(b, major);
	put16(b, minor);
	put64(b, UINT64_MAX);	/* section length unknown */
	put16(b, 4);		/* shb_userappl "test", then end */
	put16(b, 4);
	putfill(b, 4, 't');
	put32(b, 0);
	end_block(b, s);
}

static void
idb(struct bb *b, uint16_t linktype, uint32_t snaplen, int tsresol,
    int64_t tsoffset)
{
	size_t s = begin_block(b, 1);

	put16(b, linktype);
	put16(b, 0);
	put32(b, snaplen);
	put16(b, 2);		/* if_name "eth0", skipped */
	put16(b, 4);
	putfill(b, 4, 'e');
	if (tsresol >= 0) {
		put16(b, 9);
		put16(b, 1);
		put8(b, (uint8_t)tsresol);
		pad4(b);
	}
	if (tsoffset != 0) {
		put16(b, 14);
		put16(b, 8);
		put64(b, (uint64_t)tsoffset);
	}
	put32(b, 0);		/* opt_endofopt */
	end_block(b, s);
}

static uint64_t
epb(struct bb *b, uint32_t ifid, uint64_t ts, uint32_t caplen,
    uint32_t wirelen, uint8_t fill)
{
	size_t s = begin_block(b, 6);

	put32(b, ifid);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, wirelen);
	putfill(b, caplen, fill);
	pad4(b);
	put16(b, 2);		/* epb_flags, skipped */
	put16(b, 4);
	put32(b, 1);
	put32(b, 0);
	end_block(b, s);
	return s;
}

static uint64_t
spb(struct bb *b, uint32_t wirelen, uint32_t caplen, uint8_t fill)
{
	size_t s = begin_block(b, 3);

	put32(b, wirelen);
	putfill(b, caplen, fill);
	end_block(b, s);
	return s;
}

static uint64_t
pb(struct bb *b, uint16_t ifid, uint64_t ts, uint32_t caplen,
    uint32_t wirelen, uint8_t fill)
{
	size_t s = begin_block(b, 2);

	put16(b, ifid);
	put16(b, 0);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, wirelen);
	putfill(b, caplen, fill);
	end_block(b, s);
	return s;
}

/* Blocks the reader must step over: NRB, ISB, DSB, custom. */
static void
other_blocks(struct bb *b)
{
	size_t s = begin_block(b, 4);	/* NRB: one IPv4 record, end */

	put16(b, 1);
	put16(b, 9);
	put32(b, 0x0a000001);
	putfill(b, 5, 'h');
	pad4(b);
	put32(b, 0);
	end_block(b, s);
	s = begin_block(b, 5);		/* ISB */
	put32(b, 0);
	put32(b, 0);
	put32(b, 0);
	end_block(b, s);
	s = begin_block(b, 0x0A);	/* DSB */
	put32(b, 0x544c534b);
	put32(b, 3);
	putfill(b, 3, 'k');
	end_block(b, s);
	s = begin_block(b, 0x00000BAD);	/* custom, with a PEN */
	put32(b, 32473);
	putfill(b, 7, 'c');
	end_block(b, s);
}

/*
 * Two sections in opposite byte orders; interfaces of three link types
 * and four resolutions; EPB, SPB and PB. Fills w[] with the expectations.
 */
static size_t
build_multi(struct bb *b, bool be, struct want *w)
{
	size_t n = 0;

	memset(b, 0, sizeof *b);
	b->be = be;
	shb(b, 1, 0);
	idb(b, 1, 65535, -1, 0);		/* if0 Ethernet, µs */
	idb(b, 113, 0, 9, 0);			/* if1 Linux SLL, ns */
	other_blocks(b);
	w[n] = (struct want){ 1, 1700000000123456000, 0, 60, 60, 1, 0x10 };
	w[n++].offset = epb(b, 0, 1700000000123456ull, 60, 60, 0x10);
	w[n] = (struct want){ 2, 1700000001987654321, 0, 42, 100, 113, 0x20 };
	w[n++].offset = epb(b, 1, 1700000001987654321ull, 42, 100, 0x20);
	/* SPB: interface 0, the previous frame's time. */
	w[n] = (struct want){ 3, 1700000001987654321, 0, 30, 30, 1, 0x30 };
	w[n++].offset = spb(b, 30, 30, 0x30);
	other_blocks(b);
	w[n] = (struct want){ 4, 1700000002000000001, 0, 10, 10, 113, 0x40 };
	w[n++].offset = pb(b, 1, 1700000002000000001ull, 10, 10, 0x40);
	/* A late interface: raw IP, 2^-20 s units, +100 s offset. */
	idb(b, 101, 1500, 0x80 | 20, 100);
	w[n] = (struct want){ 5, 105500000000, 0, 20, 20, 101, 0x50 };
	w[n++].offset = epb(b, 2, (5ull << 20) + (1ull << 19), 20, 20, 0x50);
	/* Second section, other byte order: interfaces start over. */
	b->be = !be;
	shb(b, 1, 0);
	idb(b, 1, 65535, 3, -3600);		/* if0 Ethernet, ms, -1 h */
	w[n] = (struct want){ 6, 1699996403456000000, 0, 64, 64, 1, 0x60 };
	w[n++].offset = epb(b, 0, 1700000003456ull, 64, 64, 0x60);
	w[n] = (struct want){ 7, 1699996403457000000, 0, 14, 1514, 1, 0x70 };
	w[n++].offset = epb(b, 0, 1700000003457ull, 14, 1514, 0x70);
	b->be = be;
	return n;
}

static void
write_file(const char *path, const uint8_t *d, size_t n)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	if (n > 0)
		assert_int_equal(fwrite(d, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

static void
append_file(const char *path, const uint8_t *d, size_t n)
{
	FILE *fp = fopen(path, "ab");

	assert_non_null(fp);
	assert_int_equal(fwrite(d, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

static void
path_in(const struct fixture *fx, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", fx->dir, name);

	assert_true(n > 0 && (size_t)n < len);
}

static void
check_frame(const struct frame *f, const struct want *w)
{
	uint32_t i;

	assert_int_equal(f->number, w->number);
	assert_int_equal(f->ts_ns, w->ts_ns);
	assert_int_equal(f->offset, w->offset);
	assert_int_equal(f->caplen, w->caplen);
	assert_int_equal(f->wirelen, w->wirelen);
	assert_int_equal(f->linktype, w->linktype);
	for (i = 0; i < f->caplen; i++)
		assert_int_equal(f->data[i], (uint8_t)(w->fill + i));
}

/* Reads the rest of cf and checks it against w[from .. n). */
static void
check_rest(struct capfile *cf, const struct want *w, size_t from, size_t n)
{
	struct frame f;
	size_t i;

	for (i = from; i < n; i++) {
		assert_int_equal(capfile_next(cf, &f), 1);
		check_frame(&f, &w[i]);
	}
	assert_int_equal(capfile_next(cf, &f), 0);
	assert_int_equal(capfile_next(cf, &f), 0);	/* and stays there */
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/gw-capfile-XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	tmpdir_remove(fx->dir);
	free(fx);
	return 0;
}

/* ---- pcap ---- */

static void
pcap_case(void **state, bool be, bool nano, uint32_t linktype)
{
	const struct fixture *fx = *state;
	static struct bb b;
	struct want w[3];
	struct capfile *cf;
	char path[256], err[512];
	uint32_t i;
	int64_t scale = nano ? 1 : 1000;

	memset(&b, 0, sizeof b);
	b.be = be;
	pcap_header(&b, nano, linktype);
	for (i = 0; i < 3; i++) {
		/* The last one is after 2038: seconds are unsigned. */
		uint32_t sec = i == 2 ? 0x90000000u : 1700000000 + i;
		uint32_t frac = (nano ? 123456789 : 123456) + i;

		w[i] = (struct want){ i + 1, (int64_t)sec * 1000000000 +
		    (int64_t)frac * scale, 0, 20 + i, 60 + i, (int)linktype,
		    (uint8_t)(i * 16) };
		w[i].offset = pcap_record(&b, sec, frac, 20 + i, 60 + i,
		    (uint8_t)(i * 16));
	}
	path_in(fx, "t.pcap", path, sizeof path);
	write_file(path, b.d, b.n);

	cf = capfile_open(path, err, sizeof err);
	assert_non_null(cf);
	assert_int_equal(capfile_format(cf), CAPFILE_PCAP);
	assert_int_equal(capfile_ts_digits(cf), nano ? 9 : 6);
	assert_int_equal(capfile_snaplen(cf), 65535);
	assert_int_equal(capfile_size(cf), b.n);
	assert_string_equal(capfile_path(cf), path);
	check_rest(cf, w, 0, 3);
	assert_int_equal(capfile_pos(cf), b.n);
	/* Back to frame 2, then to frame 1. */
	assert_int_equal(capfile_seek(cf, w[1].offset, 2), 0);
	check_rest(cf, w, 1, 3);
	assert_int_equal(capfile_seek(cf, w[0].offset, 1), 0);
	check_rest(cf, w, 0, 3);
	capfile_close(cf);
}

static void
test_pcap_usec_le(void **state)
{
	pcap_case(state, false, false, 1);
}

static void
test_pcap_usec_be(void **state)
{
	pcap_case(state, true, false, 113);
}

static void
test_pcap_nsec_le(void **state)
{
	pcap_case(state, false, true, 1);
}

static void
test_pcap_nsec_be(void **state)
{
	/* LINKTYPE_RAW stays 101 (pcap_datalink() would say DLT_RAW, 12). */
	pcap_case(state, true, true, 101);
}

/* ---- pcapng ---- */

static void
pcapng_case(void **state, bool be)
{
	const struct fixture *fx = *state;
	static struct bb b;
	struct want w[8];
	struct capfile *cf;
	struct frame f;
	char path[256], err[512];
	size_t n = build_multi(&b, be, w);

	path_in(fx, "t.pcapng", path, sizeof path);
	write_file(path, b.d, b.n);
	cf = capfile_open(path, err, sizeof err);
	assert_non_null(cf);
	assert_int_equal(capfile_format(cf), CAPFILE_PCAPNG);
	/* Known before the first frame: if1 is ns, and unlimited. */
	assert_int_equal(capfile_ts_digits(cf), 9);
	assert_int_equal(capfile_snaplen(cf), 0);
	assert_int_equal(capfile_size(cf), b.n);
	check_rest(cf, w, 0, n);
	assert_int_equal(capfile_pos(cf), b.n);

	/* SPB after a seek: its time comes from walking back. */
	assert_int_equal(capfile_seek(cf, w[2].offset, 3), 0);
	check_rest(cf, w, 2, n);
	/* Section 2, then back into section 1: byte order and interfaces. */
	assert_int_equal(capfile_seek(cf, w[5].offset, 6), 0);
	assert_int_equal(capfile_next(cf, &f), 1);
	check_frame(&f, &w[5]);
	assert_int_equal(capfile_seek(cf, w[1].offset, 2), 0);
	assert_int_equal(capfile_next(cf, &f), 1);
	check_frame(&f, &w[1]);
	assert_int_equal(capfile_seek(cf, w[4].offset, 5), 0);
	check_rest(cf, w, 4, n);
	/* Past the end of the file. */
	assert_int_equal(capfile_seek(cf, b.n + 4, 99), -1);
	assert_non_null(strstr(capfile_error(cf), "past the end"));
	capfile_close(cf);

	/* A fresh reader seeking forward first (what export does). */
	cf = capfile_open(path, err, sizeof err);
	assert_non_null(cf);
	assert_int_equal(capfile_seek(cf, w[5].offset, 6), 0);
	check_rest(cf, w, 5, n);
	capfile_close(cf);
	cf = capfile_open(path, err, sizeof err);
	assert_non_null(cf);
	assert_int_equal(capfile_seek(cf, w[4].offset, 5), 0);
	check_rest(cf, w, 4, n);
	capfile_close(cf);
	cf = capfile_open(path, err, sizeof err);
	assert_non_null(cf);
	assert_int_equal(capfile_seek(cf, w[2].offset, 3), 0);
	check_rest(cf, w, 2, n);
	capfile_close(cf);
	/* An offset that is not a block start, past what was walked. */
	cf = capfile_open(path, err, sizeof err);
	assert_non_null(cf);
	assert_int_equal(capfile_seek(cf, w[5].offset + 4, 6), -1);
	assert_non_null(strstr(capfile_error(cf), "not the start"));
	assert_non_null(strstr(capfile_error(cf), path));
	capfile_close(cf);
}

static void
test_pcapng_le(void **state)
{
	pcapng_case(state, false);
}

static void
test_pcapng_be(void **state)
{
	pcapng_case(state, true);
}

/* Is `off` where a block (or record) of the image ends? */
static bool
is_end(const struct bb *b, size_t off)
{
	size_t i;

	for (i = 0; i < b->nends; i++)
		if (b->ends[i] == off)
			return true;
	return false;
}

/* Where the block or record starting at `off` ends. */
static size_t
end_of(const struct bb *b, size_t off)
{
	size_t i;

	for (i = 0; i < b->nends; i++)
		if (b->ends[i] > off)
			return b->ends[i];
	fail();
	return 0;
}

/*
 * Every cut point: open fails inside the file header, otherwise exactly
 * the frames that end by the cut come back, then 0 at a block boundary,
 * else -1 (and -1 again when asked again).
 */
static void
truncate_all(const struct fixture *fx, const struct bb *b,
    const struct want *w, size_t n, size_t hdr_end)
{
	struct capfile *cf;
	struct frame f;
	char path[256], err[512];
	size_t cut, i, expect;
	int rc;

	path_in(fx, "cut", path, sizeof path);
	for (cut = 1; cut < b->n; cut++) {
		write_file(path, b->d, cut);
		cf = capfile_open(path, err, sizeof err);
		if (cut < hdr_end) {
			assert_null(cf);
			assert_non_null(strstr(err, path));
			continue;
		}
		assert_non_null(cf);
		for (expect = 0; expect < n; expect++)
			if (end_of(b, w[expect].offset) > cut)
				break;
		i = 0;
		while ((rc = capfile_next(cf, &f)) == 1) {
			assert_true(i < n);
			check_frame(&f, &w[i]);
			i++;
		}
		assert_int_equal(i, expect);
		if (is_end(b, cut)) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, -1);
			assert_non_null(strstr(capfile_error(cf), path));
			assert_int_equal(capfile_next(cf, &f), -1);
		}
		capfile_close(cf);
	}
}

static void
test_pcap_truncated(void **state)
{
	const struct fixture *fx = *state;
	static struct bb b;
	struct want w[4];
	uint32_t i;

	memset(&b, 0, sizeof b);
	pcap_header(&b, true, 1);
	for (i = 0; i < 4; i++) {
		w[i] = (struct want){ i + 1, 1700000000000000000 + i, 0, 9 + i,
		    9 + i, 1, (uint8_t)i };
		w[i].offset = pcap_record(&b, 1700000000, i, 9 + i, 9 + i,
		    (uint8_t)i);
	}
	truncate_all(fx, &b, w, 4, 24);
}

static void
test_pcapng_truncated(void **state)
{
	const struct fixture *fx = *state;
	static struct bb b;
	struct want w[8];
	size_t n = build_multi(&b, false, w);

	truncate_all(fx, &b, w, n, b.ends[0]);
	n = build_multi(&b, true, w);
	truncate_all(fx, &b, w, n, b.ends[0]);
}

/*
 * A file that is still being written: the reader stops at the partial
 * record with -1, and goes on from there once the rest has arrived.
 */
static void
grow_case(const struct fixture *fx, const struct bb *b, const struct want *w,
    size_t n, size_t k, const char *msg)
{
	struct capfile *cf;
	struct frame f;
	char path[256], err[512], expect[128];
	size_t cut = w[k].offset + 10, i;

	path_in(fx, "grow", path, sizeof path);
	write_file(path, b->d, cut);
	cf = capfile_open(path, err, sizeof err);
	assert_non_null(cf);
	for (i = 0; i < k; i++) {
		assert_int_equal(capfile_next(cf, &f), 1);
		check_frame(&f, &w[i]);
	}
	assert_int_equal(capfile_next(cf, &f), -1);
	if (msg != NULL) {
		snprintf(expect, sizeof expect, msg,
		    (unsigned long long)w[k].offset,
		    (unsigned long long)w[k].number);
		assert_non_null(strstr(capfile_error(cf), expect));
	}
	append_file(path, b->d + cut, b->n - cut);
	check_rest(cf, w, k, n);
	capfile_close(cf);
}

static void
test_growing_file(void **state)
{
	const struct fixture *fx = *state;
	static struct bb b;
	struct want w[8];
	size_t n = build_multi(&b, false, w);
	uint32_t i;

	grow_case(fx, &b, w, n, 3, "truncated record at offset %llu "
	    "(frame %llu)");
	grow_case(fx, &b, w, n, 5, NULL);
	memset(&b, 0, sizeof b);
	pcap_header(&b, false, 1);
	for (i = 0; i < 4; i++) {
		w[i] = (struct want){ i + 1, 1700000000000000000 + i * 1000, 0,
		    40, 40, 1, (uint8_t)i };
		w[i].offset = pcap_record(&b, 1700000000, i, 40, 40,
		    (uint8_t)i);
	}
	grow_case(fx, &b, w, 4, 2, NULL);
}

/* A small valid section with two frames; the second is then damaged. */
static size_t
two_frames(struct bb *b, uint64_t *second)
{
	memset(b, 0, sizeof *b);
	shb(b, 1, 0);
	idb(b, 1, 0, -1, 0);
	epb(b, 0, 1000000, 8, 8, 1);
	*second = epb(b, 0, 2000000, 8, 8, 2);
	return b->n;
}

static void
damaged_case(const struct fixture *fx, struct bb *b, const char *reason)
{
	struct capfile *cf;
	struct frame f;
	char path[256], err[512];

	path_in(fx, "bad.pcapng", path, sizeof path);
	write_file(path, b->d, b->n);
	cf = capfile_open(path, err, sizeof err);
	assert_non_null(cf);
	assert_int_equal(capfile_next(cf, &f), 1);
	assert_int_equal(f.number, 1);
	assert_int_equal(f.ts_ns, 1000000000);
	assert_int_equal(capfile_next(cf, &f), -1);
	assert_non_null(strstr(capfile_error(cf), path));
	if (strstr(capfile_error(cf), reason) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", capfile_error(cf),
		    reason);
	assert_int_equal(capfile_next(cf, &f), -1);
	capfile_close(cf);
}

static void
test_bad_trailing_length(void **state)
{
	static struct bb b;
	uint64_t s;
	size_t n = two_frames(&b, &s);
	char msg[128];

	b.d[n - 4] ^= 4;
	snprintf(msg, sizeof msg, "pcapng block at offset %llu: trailing "
	    "length mismatch", (unsigned long long)s);
	damaged_case(*state, &b, msg);
}

static void
test_huge_block(void **state)
{
	static struct bb b;
	uint64_t s;
	size_t n;

	n = two_frames(&b, &s);
	b.n = s + 4;
	put32(&b, 0x7ffffff0);	/* 2 GiB: never allocated */
	b.n = n;
	damaged_case(*state, &b, "bad block length");
	two_frames(&b, &s);
	b.d[s + 4] = 30;	/* not a multiple of 4 */
	damaged_case(*state, &b, "bad block length");
	n = two_frames(&b, &s);
	b.n = s + 4;
	put32(&b, 8);		/* shorter than any block */
	b.n = n;
	damaged_case(*state, &b, "bad block length");
}

static void
test_bad_interface(void **state)
{
	static struct bb b;
	uint64_t s;

	size_t n = two_frames(&b, &s);

	b.n = s + 8;
	put32(&b, 5);
	b.n = n;
	damaged_case(*state, &b, "interface id 5 out of range");
	n = two_frames(&b, &s);
	b.n = s + 20;
	put32(&b, 1000);	/* captured length past the block */
	b.n = n;
	damaged_case(*state, &b, "captured length 1000 exceeds");
}

static void
open_fails(const struct fixture *fx, const char *name, const uint8_t *d,
    size_t n, const char *reason)
{
	char path[256], err[512], expect[512];

	path_in(fx, name, path, sizeof path);
	if (d != NULL)
		write_file(path, d, n);
	assert_null(capfile_open(path, err, sizeof err));
	snprintf(expect, sizeof expect, "%s: %s", path, reason);
	if (strncmp(err, expect, strlen(expect)) != 0)
		fail_msg("got \"%s\", want \"%s\"", err, expect);
	assert_null(strchr(err, '\n'));
}

static void
test_open_errors(void **state)
{
	const struct fixture *fx = *state;
	static struct bb b;
	const char text[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

	open_fails(fx, "missing", NULL, 0, "No such file or directory");
	open_fails(fx, "empty", (const uint8_t *)"", 0, "empty file");
	open_fails(fx, "text", (const uint8_t *)text, sizeof text - 1,
	    "not a pcap or pcapng capture file");
	open_fails(fx, "tiny", (const uint8_t *)"ab", 2,
	    "not a pcap or pcapng capture file");
	/* libpcap's own words about a short pcap header. */
	memset(&b, 0, sizeof b);
	pcap_header(&b, false, 1);
	open_fails(fx, "short.pcap", b.d, 10, "truncated dump file");
	memset(&b, 0, sizeof b);
	b.be = true;
	shb(&b, 2, 0);
	open_fails(fx, "v2.pcapng", b.d, b.n, "pcapng section at offset 0: "
	    "version 2.0 not supported");
	memset(&b, 0, sizeof b);
	shb(&b, 1, 1);
	open_fails(fx, "v11.pcapng", b.d, b.n, "pcapng section at offset 0: "
	    "version 1.1 not supported");
	memset(&b, 0, sizeof b);
	shb(&b, 1, 0);
	b.d[8] = 0x55;		/* byte-order magic */
	open_fails(fx, "bom.pcapng", b.d, b.n, "pcapng section at offset 0: "
	    "bad byte-order magic");
	open_fails(fx, "", NULL, 0, "Is a directory");
}

/* A second section with a bad version: frames before it stay readable. */
static void
test_bad_second_section(void **state)
{
	const struct fixture *fx = *state;
	static struct bb b;
	struct capfile *cf;
	struct frame f;
	char path[256], err[512];

	memset(&b, 0, sizeof b);
	shb(&b, 1, 2);
	idb(&b, 1, 0, 6, 0);
	epb(&b, 0, 5, 4, 4, 0);
	shb(&b, 2, 0);
	idb(&b, 1, 0, 6, 0);
	epb(&b, 0, 6, 4, 4, 0);
	path_in(fx, "v.pcapng", path, sizeof path);
	write_file(path, b.d, b.n);
	cf = capfile_open(path, err, sizeof err);
	assert_non_null(cf);
	assert_int_equal(capfile_next(cf, &f), 1);
	assert_int_equal(f.ts_ns, 5000);
	assert_int_equal(capfile_next(cf, &f), -1);
	assert_non_null(strstr(capfile_error(cf), "version 2.0"));
	capfile_close(cf);
}

/* Timestamps far from now neither wrap nor trap (UBSan watches). */
static void
test_extreme_timestamps(void **state)
{
	const struct fixture *fx = *state;
	static struct bb b;
	struct capfile *cf;
	struct frame f;
	char path[256], err[512];

	memset(&b, 0, sizeof b);
	shb(&b, 1, 0);
	idb(&b, 1, 0, 6, 0);
	idb(&b, 1, 0, 0x80 | 63, INT64_MAX);	/* 2^-63 s, huge offset */
	idb(&b, 1, 0, 19, INT64_MIN);		/* 10^-19 s, minus huge */
	idb(&b, 1, 0, 0, 0);			/* whole seconds */
	epb(&b, 0, UINT64_MAX, 4, 4, 0);
	epb(&b, 1, UINT64_MAX, 4, 4, 0);
	epb(&b, 2, UINT64_MAX, 4, 4, 0);
	epb(&b, 3, 4102444800ull, 4, 4, 0);	/* 2100-01-01 */
	epb(&b, 1, 3ull << 62, 4, 4, 0);	/* 1.5 s, plus INT64_MAX s */
	path_in(fx, "ts.pcapng", path, sizeof path);
	write_file(path, b.d, b.n);
	cf = capfile_open(path, err, sizeof err);
	assert_non_null(cf);
	assert_int_equal(capfile_ts_digits(cf), 9);
	/* clamped to classic pcap's range: 0 .. UINT32_MAX s */
	assert_int_equal(capfile_next(cf, &f), 1);
	assert_int_equal(f.ts_ns, 4294967295000000000);
	assert_int_equal(capfile_next(cf, &f), 1);
	assert_int_equal(f.ts_ns, 4294967295000000000);
	assert_int_equal(capfile_next(cf, &f), 1);
	assert_int_equal(f.ts_ns, 0);
	assert_int_equal(capfile_next(cf, &f), 1);
	assert_int_equal(f.ts_ns, 4102444800000000000);
	assert_int_equal(capfile_next(cf, &f), 1);
	assert_int_equal(f.ts_ns, 4294967295000000000); /* 1.5 s + INT64_MAX s */
	assert_int_equal(capfile_next(cf, &f), 0);
	capfile_close(cf);
}

/* ---- corpus ---- */

static int corpus_files;	/* test-only counter, reported once */

static void
read_one(const char *path)
{
	struct capfile *cf;
	struct frame f;
	char err[512];
	uint64_t n = 0, off1 = 0, offm = 0, mnum = 0;
	int64_t ts1 = 0, tsm = 0;
	int rc;

	cf = capfile_open(path, err, sizeof err);
	if (cf == NULL) {
		assert_non_null(strstr(err, path));
		return;
	}
	corpus_files++;
	while (n < 10000000 && (rc = capfile_next(cf, &f)) == 1) {
		assert_int_equal(f.number, ++n);
		assert_true(f.offset < capfile_size(cf));
		if (n == 1) {
			off1 = f.offset;
			ts1 = f.ts_ns;
		}
		if (n % 7 == 3) {
			offm = f.offset;
			tsm = f.ts_ns;
			mnum = n;
		}
	}
	assert_true(rc == 0 || rc == -1);
	if (rc < 0)
		assert_non_null(strstr(capfile_error(cf), path));
	/* Random access back to frames seen, whatever the ending. */
	if (n > 0) {
		assert_int_equal(capfile_seek(cf, off1, 1), 0);
		assert_int_equal(capfile_next(cf, &f), 1);
		assert_int_equal(f.number, 1);
		assert_int_equal(f.ts_ns, ts1);
	}
	if (mnum > 0) {
		assert_int_equal(capfile_seek(cf, offm, mnum), 0);
		assert_int_equal(capfile_next(cf, &f), 1);
		assert_int_equal(f.number, mnum);
		assert_int_equal(f.ts_ns, tsm);
	}
	capfile_close(cf);
}

static void
test_corpus(void **state)
{
	(void)state;
	corpus_walk(corpus_dir(), 0, read_one);
	print_message("corpus: %d capture files read\n", corpus_files);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pcap_usec_le, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pcap_usec_be, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pcap_nsec_le, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pcap_nsec_be, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pcapng_le, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pcapng_be, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pcap_truncated, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pcapng_truncated, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_growing_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_trailing_length, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_huge_block, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_interface, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_second_section, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_extreme_timestamps, setup,
		    teardown),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
