/*
 * test_capfile_map.c: a classic pcap file whose records are parsed in
 * place (capture/pcaprec.c, the reader that replaced an mmap of the file)
 * reads as libpcap reads it (GW502TUI_LIBPCAP=1): the
 * same frames, bytes, times, offsets, errors and stopping points, and the
 * same frames again after a seek. The files are written here: both byte
 * orders, µs and ns, Kuznetzov's records, old versions with caplen and
 * len exchanged, records cut to the snapshot length, caplen beyond len and
 * beyond the link type's maximum, zero-length records, a truncated header
 * or record, a file of only its header, and a file that grows while read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit_bytes.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit_tmpdir.h"
#include "capture/capfile.h"

#define MAXF 16

/* A file image under construction, in one byte order. */
struct img {
	uint8_t d[320 * 1024];	/* room for one 300,000-byte record */
	size_t n;
	bool be;
	unsigned rec_extra;	/* 8: Kuznetzov's longer record header */
};

UNIT_BYTE_WRITERS(struct img)

/* What one reader gave: each frame (bytes summed), then the end. */
struct run {
	char open_err[512];
	bool opened;
	size_t n;
	struct frame f[MAXF];
	uint32_t sum[MAXF];
	bool in_place;		/* every frame's data sat at its offset */
	int end;		/* 0 or -1 */
	char err[512];
};

struct fixture {
	char dir[64];
	char path[128];
};

static void
header(struct img *b, bool be, uint32_t magic, uint16_t major, uint16_t minor,
    uint32_t snaplen, uint32_t linktype)
{
	memset(b, 0, sizeof *b);
	b->be = be;
	b->rec_extra = magic == 0xa1b2cd34 ? 8 : 0;
	put32(b, magic);
	put16(b, major);
	put16(b, minor);
	put32(b, 0);
	put32(b, 0);
	put32(b, snaplen);
	put32(b, linktype);
}

/* A record whose header says caplen but carries only `have` bytes. */
static void
record(struct img *b, uint32_t sec, uint32_t frac, uint32_t caplen,
    uint32_t len, uint32_t have)
{
	uint32_t i;

	put32(b, sec);
	put32(b, frac);
	put32(b, caplen);
	put32(b, len);
	for (i = 0; i < b->rec_extra; i++)
		put8(b, 0xee);
	for (i = 0; i < have; i++)
		put8(b, (uint8_t)(b->n * 7 + 3));
}

static void
write_file(const char *path, const uint8_t *d, size_t n, const char *mode)
{
	FILE *fp = fopen(path, mode);

	assert_non_null(fp);
	if (n > 0)
		assert_int_equal(fwrite(d, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

static uint32_t
sum_of(const uint8_t *d, uint32_t n)
{
	uint32_t h = 2166136261u, i;

	for (i = 0; i < n; i++)
		h = (h ^ d[i]) * 16777619u;
	return h;
}

static struct capfile *
open_as(const char *path, bool libpcap, char *err, size_t errlen)
{
	struct capfile *cf;

	if (libpcap)
		assert_int_equal(setenv("GW502TUI_LIBPCAP", "1", 1), 0);
	else
		assert_int_equal(unsetenv("GW502TUI_LIBPCAP"), 0);
	cf = capfile_open(path, err, errlen);
	assert_int_equal(unsetenv("GW502TUI_LIBPCAP"), 0);
	return cf;
}

/* Reads on until the end or MAXF frames into r. */
static void
read_on(struct capfile *cf, struct run *r)
{
	struct frame f;
	int rc = 1;

	while (r->n < MAXF && (rc = capfile_next(cf, &f)) == 1) {
		/* in place: the data sits in one buffer at the records'
		 * distance (libpcap copies each into the same buffer) */
		if (r->n > 0 && f.data - r->f[r->n - 1].data !=
		    (ptrdiff_t)(f.offset - r->f[r->n - 1].offset))
			r->in_place = false;
		r->sum[r->n] = sum_of(f.data, f.caplen);
		r->f[r->n++] = f;
	}
	assert_true(r->n < MAXF);
	r->end = rc;
	snprintf(r->err, sizeof r->err, "%s", rc < 0 ?
	    capfile_error(cf) : "");
}

/* Every frame again by its offset, last first: the same frame. */
static void
reread_all(struct capfile *cf, const struct run *r)
{
	struct frame f;
	size_t i;

	for (i = r->n; i-- > 0;) {
		assert_int_equal(capfile_seek(cf, r->f[i].offset,
		    r->f[i].number), 0);
		assert_int_equal(capfile_next(cf, &f), 1);
		assert_int_equal(f.number, r->f[i].number);
		assert_int_equal(f.ts_ns, r->f[i].ts_ns);
		assert_int_equal(f.caplen, r->f[i].caplen);
		assert_int_equal(sum_of(f.data, f.caplen), r->sum[i]);
	}
}

static void
read_file(const char *path, bool libpcap, struct run *r)
{
	struct capfile *cf;

	memset(r, 0, sizeof *r);
	r->in_place = true;
	cf = open_as(path, libpcap, r->open_err, sizeof r->open_err);
	if ((r->opened = cf != NULL)) {
		read_on(cf, r);
		reread_all(cf, r);
		capfile_close(cf);
	}
}

static void
assert_same(const struct run *a, const struct run *b)
{
	size_t i;

	assert_int_equal(a->opened, b->opened);
	assert_string_equal(a->open_err, b->open_err);
	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->f[i].number, b->f[i].number);
		assert_int_equal(a->f[i].ts_ns, b->f[i].ts_ns);
		assert_int_equal(a->f[i].offset, b->f[i].offset);
		assert_int_equal(a->f[i].caplen, b->f[i].caplen);
		assert_int_equal(a->f[i].wirelen, b->f[i].wirelen);
		assert_int_equal(a->f[i].linktype, b->f[i].linktype);
		assert_int_equal(a->sum[i], b->sum[i]);
	}
	assert_int_equal(a->end, b->end);
	assert_string_equal(a->err, b->err);
}

/*
 * Writes b, reads it both ways, and checks they agree and that the records
 * were parsed in place (own) when they should be (a file that fits the
 * reader's 64 KiB buffer); the in-place run goes to *out.
 */
static void
both_ways(const struct fixture *fx, const struct img *b, bool own,
    struct run *out)
{
	static struct run lp;

	write_file(fx->path, b->d, b->n, "wb");
	read_file(fx->path, false, out);
	read_file(fx->path, true, &lp);
	assert_same(out, &lp);
	if (out->n >= 2 && b->n <= 64 * 1024) {
		assert_int_equal(out->in_place, own);
		assert_false(lp.in_place);
	}
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/gw-capmap-XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof fx->path, "%s/t.pcap", fx->dir);
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

/* Three records, one of them empty, in every byte order and resolution. */
static void
test_orders_and_resolutions(void **state)
{
	static const uint32_t magics[] = { 0xa1b2c3d4, 0xa1b23c4d,
	    0xa1b2cd34 };
	static struct img b;
	static struct run r;
	size_t m;
	int be;

	for (m = 0; m < 3; m++)
		for (be = 0; be < 2; be++) {
			header(&b, be, magics[m], 2, 4, 65535, 1);
			record(&b, 1700000000, 999999, 60, 60, 60);
			record(&b, 1700000001, 0, 0, 0, 0);
			record(&b, 1700000002, 5, 1514, 1514, 1514);
			both_ways(*state, &b, true, &r);
			assert_int_equal(r.n, 3);
			assert_int_equal(r.end, 0);
			assert_int_equal(r.f[0].ts_ns, 1700000000000000000 +
			    (magics[m] == 0xa1b23c4d ? 999999 : 999999000));
			assert_int_equal(r.f[1].caplen, 0);
			assert_int_equal(r.f[2].offset, 24 + 2 *
			    (16 + b.rec_extra) + 60);
			assert_int_equal(r.f[2].linktype, 1);
		}
}

static void
test_header_only_and_truncated_header(void **state)
{
	static struct img b;
	static struct run r;

	header(&b, false, 0xa1b2c3d4, 2, 4, 65535, 1);
	both_ways(*state, &b, true, &r);
	assert_true(r.opened);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.end, 0);
	b.n = 20;
	both_ways(*state, &b, true, &r);
	assert_false(r.opened);
	assert_non_null(strstr(r.open_err, "truncated dump file"));
}

static void
test_truncated_records(void **state)
{
	static struct img b;
	static struct run r;

	/* a record header cut short */
	header(&b, true, 0xa1b2c3d4, 2, 4, 65535, 1);
	record(&b, 1, 2, 40, 40, 40);
	record(&b, 1, 3, 40, 40, 40);
	b.n -= 40 + 9;
	both_ways(*state, &b, true, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.end, -1);
	assert_non_null(strstr(r.err, "tried to read 16 header bytes, only "
	    "got 7 (frame 2 at offset 80)"));
	/* a record's data cut short */
	header(&b, false, 0xa1b2c3d4, 2, 4, 65535, 1);
	record(&b, 1, 2, 40, 40, 40);
	record(&b, 1, 3, 100, 100, 33);
	both_ways(*state, &b, true, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.end, -1);
	assert_non_null(strstr(r.err, "tried to read 100 captured bytes, "
	    "only got 33"));
}

/* libpcap cuts a record longer than the snapshot length, checks it. */
static void
test_beyond_snapshot(void **state)
{
	static struct img b;
	static struct run r;

	header(&b, false, 0xa1b2c3d4, 2, 4, 64, 1);
	record(&b, 1, 0, 100, 100, 100);
	record(&b, 2, 0, 64, 70, 64);
	record(&b, 3, 0, 90, 90, 70);	/* cut inside what is dropped */
	both_ways(*state, &b, true, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.f[0].caplen, 64);
	assert_int_equal(r.f[0].wirelen, 100);
	assert_int_equal(r.f[1].offset, 24 + 16 + 100);
	assert_int_equal(r.end, -1);
	assert_non_null(strstr(r.err, "tried to read 90 captured bytes, only "
	    "got 70"));
	/* cut inside the snapshot length's part */
	b.n -= 70 - 50;
	both_ways(*state, &b, true, &r);
	assert_int_equal(r.n, 2);
	assert_non_null(strstr(r.err, "tried to read 64 captured bytes, only "
	    "got 50"));
	/* beyond the link type's maximum: the two texts */
	header(&b, false, 0xa1b2c3d4, 2, 4, 65535, 1);
	record(&b, 1, 0, 0xffffffff, 10, 10);
	both_ways(*state, &b, true, &r);
	assert_int_equal(r.n, 0);
	assert_non_null(strstr(r.err, "invalid packet capture length "
	    "4294967295, bigger than snaplen of 65535"));
	header(&b, false, 0xa1b2c3d4, 2, 4, 400000, 1);
	record(&b, 1, 0, 300000, 300000, 300000);
	both_ways(*state, &b, true, &r);
	assert_non_null(strstr(r.err, "bigger than maximum of 262144"));
	/* D-Bus allows 128 MiB; snaplen 0 means the type's maximum */
	header(&b, false, 0xa1b2c3d4, 2, 4, 0, 231);
	record(&b, 1, 0, 300000, 300000, 300000);
	record(&b, 1, 0, 3, 3, 3);
	both_ways(*state, &b, true, &r);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.f[0].caplen, 300000);
}

/* Versions before 2.3 (and DG/UX's 543.0) exchange caplen and len; 2.3
 * does when caplen > len; 2.4 passes caplen > len on as it is. */
static void
test_lengths_order(void **state)
{
	static const struct {
		uint16_t major, minor;
		uint32_t caplen, len;	/* of the second record */
	} v[] = {
		{ 2, 2, 40, 30 }, { 543, 0, 40, 30 }, { 2, 3, 40, 30 },
		{ 2, 4, 30, 40 },
	};
	static struct img b;
	static struct run r;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		header(&b, i % 2, 0xa1b2c3d4, v[i].major, v[i].minor, 65535,
		    1);
		record(&b, 1, 0, 20, 20, 20);
		record(&b, 2, 0, v[i].caplen, v[i].len, 30);
		record(&b, 3, 0, 5, 5, 5);
		both_ways(*state, &b, true, &r);
		assert_int_equal(r.n, 3);
		assert_int_equal(r.end, 0);
		assert_int_equal(r.f[1].caplen, 30);
		assert_int_equal(r.f[1].wirelen, 40);
	}
	/* 2.4: caplen beyond len is not libpcap's business */
	header(&b, false, 0xa1b2c3d4, 2, 4, 65535, 1);
	record(&b, 1, 0, 50, 10, 50);
	record(&b, 2, 0, 1, 1, 1);
	both_ways(*state, &b, true, &r);
	assert_int_equal(r.f[0].caplen, 50);
	assert_int_equal(r.f[0].wirelen, 10);
}

/* A fraction of 2^31 or more reads negative in libpcap 1.10.3 in the
 * host's byte order, positive in the other; seconds are unsigned. */
static void
test_odd_times(void **state)
{
	const uint16_t one = 1;
	const bool host_be = *(const uint8_t *)&one == 0;
	static struct img b;
	static struct run r;
	int be;

	for (be = 0; be < 2; be++) {
		header(&b, be, 0xa1b2c3d4, 2, 4, 65535, 1);
		record(&b, 0xfffffff0, 0x80000001, 4, 4, 4);
		record(&b, 0, 0xffffffff, 4, 4, 4);
		both_ways(*state, &b, true, &r);
		assert_int_equal(r.n, 2);
		if (be != host_be) {
			assert_int_equal(r.f[0].ts_ns, 4294967280000000000 +
			    2147483649000);
			assert_int_equal(r.f[1].ts_ns, 4294967295000);
		} else {
			assert_int_equal(r.f[0].ts_ns, 4294967280000000000 -
			    2147483647000);
			assert_int_equal(r.f[1].ts_ns, -1000);
		}
	}
}

/* Link types whose records libpcap rewrites stay libpcap's. */
static void
test_rewritten_link_types(void **state)
{
	static struct img b;
	static struct run r;
	int be;

	header(&b, false, 0xa1b2c3d4, 2, 4, 65535, 220);  /* USB mmapped */
	record(&b, 1, 0, 64, 64, 64);
	record(&b, 2, 0, 64, 64, 64);
	both_ways(*state, &b, false, &r);
	assert_int_equal(r.n, 2);
	/* Linux cooked: in place unless written in the other byte order */
	for (be = 0; be < 2; be++) {
		header(&b, be, 0xa1b2c3d4, 2, 4, 65535, 113);
		record(&b, 1, 0, 20, 20, 20);
		record(&b, 2, 0, 20, 20, 20);
		both_ways(*state, &b, be == 0, &r);
		assert_int_equal(r.n, 2);
	}
}

/*
 * A file that grows while read (a capture still being written): each read
 * takes what the file holds then, a record cut by the end is read again
 * once whole.
 */
static void
grow_run(const struct fixture *fx, bool libpcap, struct run *r)
{
	static struct img b;
	struct capfile *cf;
	struct frame f;
	size_t cut;

	memset(r, 0, sizeof *r);
	header(&b, false, 0xa1b2c3d4, 2, 4, 65535, 1);
	record(&b, 1, 0, 30, 30, 30);
	record(&b, 2, 0, 30, 30, 30);
	write_file(fx->path, b.d, b.n, "wb");
	cut = b.n;
	cf = open_as(fx->path, libpcap, r->open_err, sizeof r->open_err);
	assert_non_null(cf);
	read_on(cf, r);
	assert_int_equal(r->end, 0);
	record(&b, 3, 0, 30, 30, 30);
	record(&b, 4, 0, 30, 30, 30);
	write_file(fx->path, b.d + cut, b.n - 10 - cut, "ab");
	read_on(cf, r);
	assert_int_equal(r->end, -1);
	assert_non_null(strstr(r->err, "tried to read 30 captured bytes, only "
	    "got 20"));
	write_file(fx->path, b.d + b.n - 10, 10, "ab");
	read_on(cf, r);
	/* back (capfile_seek knows the size at open, not the growth) */
	assert_int_equal(capfile_seek(cf, r->f[1].offset, 2), 0);
	assert_int_equal(capfile_next(cf, &f), 1);
	assert_int_equal(f.ts_ns, r->f[1].ts_ns);
	assert_int_equal(capfile_next(cf, &f), 1);
	assert_int_equal(f.ts_ns, r->f[2].ts_ns);
	capfile_close(cf);
}

static void
test_growing_file(void **state)
{
	static struct run a, b;

	grow_run(*state, false, &a);
	grow_run(*state, true, &b);
	assert_same(&a, &b);
	assert_int_equal(a.n, 4);
	assert_int_equal(a.end, 0);
	assert_int_equal(a.f[3].offset, 24 + 3 * 46);
}

/*
 * Many records of mixed sizes (some cut to the snapshot length) across
 * several fills of the reader's buffer, then one cut short: read in
 * lockstep both ways, frame by frame.
 */
static void
test_across_buffers(void **state)
{
	const struct fixture *fx = *state;
	static struct img b;
	struct capfile *own, *lp;
	struct frame f, g;
	char err[512];
	uint32_t i, x = 1, n = 0;
	int ro;

	header(&b, false, 0xa1b2c3d4, 2, 4, 1200, 1);
	for (i = 0; b.n < sizeof b.d - 3000; i++) {
		x = x * 1103515245 + 12345;
		record(&b, 1700000000 + i, x % 1000000, (x >> 8) % 1500,
		    1500, (x >> 8) % 1500);
	}
	b.n -= 5;
	write_file(fx->path, b.d, b.n, "wb");
	own = open_as(fx->path, false, err, sizeof err);
	lp = open_as(fx->path, true, err, sizeof err);
	assert_non_null(own);
	assert_non_null(lp);
	while ((ro = capfile_next(own, &f)) == 1) {
		assert_int_equal(capfile_next(lp, &g), 1);
		assert_int_equal(f.number, g.number);
		assert_int_equal(f.ts_ns, g.ts_ns);
		assert_int_equal(f.offset, g.offset);
		assert_int_equal(f.caplen, g.caplen);
		assert_int_equal(f.wirelen, g.wirelen);
		assert_memory_equal(f.data, g.data, f.caplen);
		n++;
	}
	assert_int_equal(capfile_next(lp, &g), ro);
	assert_int_equal(ro, -1);
	assert_string_equal(capfile_error(own), capfile_error(lp));
	assert_int_equal(n, i - 1);
	assert_true(b.n > 4 * 64 * 1024);
	capfile_close(own);
	capfile_close(lp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_orders_and_resolutions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_header_only_and_truncated_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_records, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_beyond_snapshot, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lengths_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_odd_times, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rewritten_link_types,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_growing_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_across_buffers, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
