/*
 * test_export.c: export_range() writes what libpcap reads back, keeps the
 * link type and resolution, and never replaces or follows what is at the
 * destination unless forced), nor leaves temporary files behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit_bytes.h"
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "unit_tmpdir.h"
#include "capture/capfile.h"
#include "capture/export.h"
#include "capture/reread.h"

/* A reference of a test's file (below 16 MB: no table of offsets). */
#define REF(n, off) (&(struct frame_ref){ .number = (n), \
	.offset_lo = (off) })

struct bb {
	uint8_t d[8192];
	size_t n;
	bool be;
};

UNIT_BYTE_WRITERS(struct bb)

struct fixture {
	char dir[64];
	char pcap_ns[128], pcap_us[128], ng[128];
	uint64_t off[16];	/* record offsets, by frame number */
	uint64_t ng_off[16];
};

static size_t
begin_block(struct bb *b, uint32_t type)
{
	size_t start = b->n;

	put32(b, type);
	put32(b, 0);
	return start;
}

static void
end_block(struct bb *b, size_t start)
{
	uint32_t len;

	while (b->n % 4 != 0)
		put8(b, 0);
	len = (uint32_t)(b->n - start + 4);
	put32(b, len);
	b->n = start + 4;
	put32(b, len);
	b->n = start + len;
}

static void
write_file(const char *path, const struct bb *b)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(b->d, 1, b->n, fp), b->n);
	assert_int_equal(fclose(fp), 0);
}

/* Frame i (1-based) of the pcap files: second 1700000000+i, fraction i*1001. */
static void
make_pcap(struct fixture *fx, const char *path, bool nano, bool be)
{
	static struct bb b;
	uint32_t i;

	memset(&b, 0, sizeof b);
	b.be = be;
	put32(&b, nano ? 0xa1b23c4d : 0xa1b2c3d4);
	put16(&b, 2);
	put16(&b, 4);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 1500);
	put32(&b, 1);
	for (i = 1; i <= 6; i++) {
		fx->off[i] = b.n;
		put32(&b, 1700000000 + i);
		put32(&b, i * 1001);
		put32(&b, 20 + i);
		put32(&b, 100 + i);
		putfill(&b, 20 + i, (uint8_t)i);
	}
	write_file(path, &b);
}

static void
idb(struct bb *b, uint16_t linktype, int tsresol)
{
	size_t s = begin_block(b, 1);

	put16(b, linktype);
	put16(b, 0);
	put32(b, 0);
	if (tsresol >= 0) {
		put16(b, 9);
		put16(b, 1);
		put8(b, (uint8_t)tsresol);
		put8(b, 0);
		put16(b, 0);
	}
	put32(b, 0);
	end_block(b, s);
}

static void
epb(struct fixture *fx, struct bb *b, int num, uint32_t ifid, uint64_t ts,
    uint32_t caplen)
{
	size_t s = begin_block(b, 6);

	fx->ng_off[num] = s;
	put32(b, ifid);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, caplen);
	putfill(b, caplen, (uint8_t)num);
	end_block(b, s);
}

/*
 * pcapng, big-endian: frames 1-2 Ethernet (µs), 3-5 Linux SLL (ns),
 * 6 Ethernet again, 7 raw IP (LINKTYPE 101) in a second section.
 */
static void
make_pcapng(struct fixture *fx)
{
	static struct bb b;
	size_t s;

	memset(&b, 0, sizeof b);
	b.be = true;
	s = begin_block(&b, 0x0A0D0D0A);
	put32(&b, 0x1A2B3C4D);
	put16(&b, 1);
	put16(&b, 0);
	put32(&b, 0xffffffff);
	put32(&b, 0xffffffff);
	end_block(&b, s);
	idb(&b, 1, -1);
	idb(&b, 113, 9);
	epb(fx, &b, 1, 0, 1700000001000001ull, 30);
	epb(fx, &b, 2, 0, 1700000002000002ull, 31);
	epb(fx, &b, 3, 1, 1700000003000000003ull, 32);
	epb(fx, &b, 4, 1, 1700000004000000004ull, 33);
	epb(fx, &b, 5, 1, 1700000005000000005ull, 34);
	epb(fx, &b, 6, 0, 1700000006000006ull, 35);
	b.be = false;
	s = begin_block(&b, 0x0A0D0D0A);
	put32(&b, 0x1A2B3C4D);
	put16(&b, 1);
	put16(&b, 0);
	put32(&b, 0xffffffff);
	put32(&b, 0xffffffff);
	end_block(&b, s);
	idb(&b, 101, -1);
	epb(fx, &b, 7, 0, 1700000007000007ull, 36);
	write_file(fx->ng, &b);
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/gw-export-XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->pcap_ns, sizeof fx->pcap_ns, "%s/in-ns.pcap", fx->dir);
	snprintf(fx->pcap_us, sizeof fx->pcap_us, "%s/in-us.pcap", fx->dir);
	snprintf(fx->ng, sizeof fx->ng, "%s/in.pcapng", fx->dir);
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

/* No ".gw502tui-*" temporary file left in the folder. */
static void
assert_no_temp(const struct fixture *fx)
{
	DIR *d = opendir(fx->dir);
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ".gw502tui", 9) == 0)
			fail_msg("temporary file left: %s", de->d_name);
	closedir(d);
}

static void
out_path(const struct fixture *fx, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", fx->dir, name);

	assert_true(n > 0 && (size_t)n < len);
}

/* Magic of a written pcap file: 9 for ns, 6 for µs. */
static int
file_digits(const char *path)
{
	uint8_t m[4];
	FILE *fp = fopen(path, "rb");

	assert_non_null(fp);
	assert_int_equal(fread(m, 1, 4, fp), 4);
	fclose(fp);
	if (memcmp(m, "\x4d\x3c\xb2\xa1", 4) == 0 ||
	    memcmp(m, "\xa1\xb2\x3c\x4d", 4) == 0)
		return 9;
	if (memcmp(m, "\xd4\xc3\xb2\xa1", 4) == 0 ||
	    memcmp(m, "\xa1\xb2\xc3\xd4", 4) == 0)
		return 6;
	return 0;
}

/*
 * Reads `path` back with libpcap (ns): frame count, link type (DLT), and
 * the first and last timestamps in ns.
 */
static void
read_back(const char *path, int count, int dlt, int64_t first_ns,
    int64_t last_ns, uint32_t first_caplen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path,
	    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	struct pcap_pkthdr *h;
	const u_char *data;
	int n = 0, rc;
	int64_t ts = 0;
	struct stat st;

	if (p == NULL)
		fail_msg("%s", ebuf);
	assert_int_equal(pcap_datalink(p), dlt);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		ts = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
		if (n++ == 0) {
			assert_int_equal(ts, first_ns);
			assert_int_equal(h->caplen, first_caplen);
			assert_int_equal(data[0], (uint8_t)(data[1] - 1));
		}
	}
	assert_int_equal(rc, PCAP_ERROR_BREAK);
	assert_int_equal(n, count);
	assert_int_equal(ts, last_ns);
	pcap_close(p);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0077 & ~(mode_t)0044, 0);
}

static void
test_export_pcap(void **state)
{
	struct fixture *fx = *state;
	char out[256], err[512];
	uint64_t w = 99;

	make_pcap(fx, fx->pcap_ns, true, false);
	out_path(fx, "ns.pcap", out, sizeof out);
	assert_int_equal(export_range(fx->pcap_ns, NULL, REF(2, fx->off[2]), 4,
	    out, false, &w, err, sizeof err), 0);
	assert_int_equal(w, 3);
	read_back(out, 3, DLT_EN10MB, 1700000002000002002,
	    1700000004000004004, 22);
	assert_int_equal(file_digits(out), 9);

	make_pcap(fx, fx->pcap_us, false, true);
	out_path(fx, "us.pcap", out, sizeof out);
	/* Past the end: stops at the last frame. */
	assert_int_equal(export_range(fx->pcap_us, NULL, REF(5, fx->off[5]),
	    100, out, false, &w, err, sizeof err), 0);
	assert_int_equal(w, 2);
	read_back(out, 2, DLT_EN10MB, 1700000005005005000,
	    1700000006006006000, 25);
	assert_int_equal(file_digits(out), 6);
	assert_no_temp(fx);
}

/*
 * An exported pcapng of frames first..last of make_pcapng()'s file: same
 * link types, times (the file is ns), lengths and bytes; numbered from 1.
 */
static void
read_back_ng(const char *path, int first, int last)
{
	static const int lt[8] = { 0, 1, 1, 113, 113, 113, 1, 101 };
	static const int64_t ts[8] = { 0, 1700000001000001000,
	    1700000002000002000, 1700000003000000003, 1700000004000000004,
	    1700000005000000005, 1700000006000006000, 1700000007000007000 };
	char err[512];
	struct capfile *cf = capfile_open(path, err, sizeof err);
	struct frame f;
	int i;

	if (cf == NULL)
		fail_msg("%s", err);
	assert_int_equal(capfile_format(cf), CAPFILE_PCAPNG);
	assert_int_equal(capfile_ts_digits(cf), 9);
	for (i = first; i <= last; i++) {
		assert_int_equal(capfile_next(cf, &f), 1);
		assert_int_equal(f.number, (uint64_t)(i - first + 1));
		assert_int_equal(f.linktype, lt[i]);
		assert_int_equal(f.ts_ns, ts[i]);
		assert_int_equal(f.caplen, 29 + i);
		assert_int_equal(f.wirelen, 29 + i);
		assert_int_equal(f.data[0], (uint8_t)i);
		assert_int_equal(f.data[f.caplen - 1],
		    (uint8_t)(i + f.caplen - 1));
	}
	assert_int_equal(capfile_next(cf, &f), 0);
	capfile_close(cf);
}

static void
test_export_pcapng(void **state)
{
	struct fixture *fx = *state;
	char out[256], err[512];
	uint64_t w;

	make_pcapng(fx);
	/* One interface's frames: Linux SLL, ns. */
	out_path(fx, "sll.pcap", out, sizeof out);
	assert_int_equal(export_range(fx->ng, NULL, REF(3, fx->ng_off[3]), 5,
	    out, false, &w, err, sizeof err), 0);
	assert_int_equal(w, 3);
	read_back(out, 3, DLT_LINUX_SLL, 1700000003000000003,
	    1700000005000000005, 32);
	assert_int_equal(file_digits(out), 9);
	/* Raw IP in the second section: written as LINKTYPE_RAW. */
	out_path(fx, "raw.pcap", out, sizeof out);
	assert_int_equal(export_range(fx->ng, NULL, REF(7, fx->ng_off[7]), 7,
	    out, false, &w, err, sizeof err), 0);
	assert_int_equal(w, 1);
	read_back(out, 1, DLT_RAW, 1700000007000007000,
	    1700000007000007000, 36);
	/* Mixed link types: a pcapng file, read back with our reader. */
	out_path(fx, "mixed.pcap", out, sizeof out);
	assert_int_equal(export_range(fx->ng, NULL, REF(2, fx->ng_off[2]), 7,
	    out, false, &w, err, sizeof err), 0);
	assert_int_equal(w, 6);
	read_back_ng(out, 2, 7);
	assert_no_temp(fx);
}

static void
test_refuse_existing(void **state)
{
	struct fixture *fx = *state;
	char out[256], err[512], buf[16], expect[300];
	uint64_t w;
	FILE *fp;

	make_pcap(fx, fx->pcap_ns, true, false);
	out_path(fx, "exists.pcap", out, sizeof out);
	fp = fopen(out, "w");
	assert_non_null(fp);
	fputs("precious", fp);
	fclose(fp);
	assert_int_equal(export_range(fx->pcap_ns, NULL, REF(1, fx->off[1]), 2,
	    out, false, &w, err, sizeof err), -1);
	snprintf(expect, sizeof expect, "%s: file exists (use --force to "
	    "overwrite)", out);
	assert_string_equal(err, expect);
	fp = fopen(out, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof buf, fp));
	fclose(fp);
	assert_string_equal(buf, "precious");
	assert_no_temp(fx);

	/* Forced: replaced. */
	assert_int_equal(export_range(fx->pcap_ns, NULL, REF(1, fx->off[1]), 2,
	    out, true, &w, err, sizeof err), 0);
	assert_int_equal(w, 2);
	read_back(out, 2, DLT_EN10MB, 1700000001000001001,
	    1700000002000002002, 21);
	assert_no_temp(fx);
}

static void
test_refuse_symlink(void **state)
{
	struct fixture *fx = *state;
	char out[256], target[256], dangling[256], nowhere[256], err[512];
	char buf[16];
	uint64_t w;
	struct stat st;
	FILE *fp;

	make_pcap(fx, fx->pcap_ns, true, false);
	out_path(fx, "target", target, sizeof target);
	out_path(fx, "link.pcap", out, sizeof out);
	out_path(fx, "dangling.pcap", dangling, sizeof dangling);
	fp = fopen(target, "w");
	assert_non_null(fp);
	fputs("target", fp);
	fclose(fp);
	assert_int_equal(symlink(target, out), 0);
	assert_int_equal(export_range(fx->pcap_ns, NULL, REF(1, fx->off[1]), 3,
	    out, false, &w, err, sizeof err), -1);
	assert_non_null(strstr(err, "file exists"));

	/* A dangling link is not followed: its target is not created. */
	assert_int_equal(symlink("nowhere.pcap", dangling), 0);
	assert_int_equal(export_range(fx->pcap_ns, NULL, REF(1, fx->off[1]), 3,
	    dangling, false, &w, err, sizeof err), -1);
	assert_non_null(strstr(err, "file exists"));
	out_path(fx, "nowhere.pcap", nowhere, sizeof nowhere);
	assert_int_equal(access(nowhere, F_OK), -1);
	assert_int_equal(lstat(dangling, &st), 0);
	assert_true(S_ISLNK(st.st_mode));

	/* Forced: the link itself is replaced, its target untouched. */
	assert_int_equal(export_range(fx->pcap_ns, NULL, REF(1, fx->off[1]), 3,
	    out, true, &w, err, sizeof err), 0);
	assert_int_equal(lstat(out, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	read_back(out, 3, DLT_EN10MB, 1700000001000001001,
	    1700000003000003003, 21);
	fp = fopen(target, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof buf, fp));
	fclose(fp);
	assert_string_equal(buf, "target");
	assert_no_temp(fx);
}

/* --force with something that is not a regular file there: refused. */
static void
forced_over(struct fixture *fx, const char *path, mode_t type)
{
	char err[512];
	struct stat st;
	uint64_t w;

	assert_int_equal(export_range(fx->pcap_ns, NULL, REF(1, fx->off[1]), 3,
	    path, true, &w, err, sizeof err), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "not a regular file"));
	assert_null(strchr(err, '\n'));
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & S_IFMT, type);
	assert_int_equal(w, 0);
	assert_no_temp(fx);
}

static void
test_force_refuses_special(void **state)
{
	struct fixture *fx = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char fifo[256], sock[256], dev[256], lfifo[256], lproc[256];
	char ldev[256];
	int fd;

	make_pcap(fx, fx->pcap_ns, true, false);
	out_path(fx, "fifo.pcap", fifo, sizeof fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	forced_over(fx, fifo, S_IFIFO);

	out_path(fx, "sock.pcap", sock, sizeof sock);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_true(strlen(sock) < sizeof sa.sun_path);
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	forced_over(fx, sock, S_IFSOCK);
	close(fd);

	out_path(fx, "lfifo.pcap", lfifo, sizeof lfifo);
	assert_int_equal(symlink(fifo, lfifo), 0);
	forced_over(fx, lfifo, S_IFLNK);
	out_path(fx, "lproc.pcap", lproc, sizeof lproc);
	assert_int_equal(symlink("/proc/self/fd/1", lproc), 0);
	forced_over(fx, lproc, S_IFLNK);
	out_path(fx, "ldev.pcap", ldev, sizeof ldev);
	assert_int_equal(symlink("/dev/null", ldev), 0);
	forced_over(fx, ldev, S_IFLNK);
	/* a device node of our own (as root): /dev/null's numbers */
	out_path(fx, "null.pcap", dev, sizeof dev);
	if (mknod(dev, S_IFCHR | 0600, makedev(1, 3)) == 0)
		forced_over(fx, dev, S_IFCHR);
}

static void
test_bad_ranges(void **state)
{
	struct fixture *fx = *state;
	char out[256], err[512];
	struct frame_offsets far = { 0 };
	uint64_t w;
	struct stat st;

	make_pcap(fx, fx->pcap_ns, true, false);
	out_path(fx, "bad.pcap", out, sizeof out);
	assert_int_equal(export_range(fx->pcap_ns, NULL, REF(4, fx->off[4]), 3,
	    out, false, &w, err, sizeof err), -1);
	assert_non_null(strstr(err, "bad frame range 4..3"));
	/* An offset at the end of the file: there is no frame 7. */
	assert_int_equal(stat(fx->pcap_ns, &st), 0);
	assert_int_equal(export_range(fx->pcap_ns, NULL, REF(7,
	    (uint64_t)st.st_size), 9, out, false, &w, err, sizeof err), -1);
	assert_non_null(strstr(err, "frame 7 not found"));
	/* An offset whose high bits the model's table holds (a record 1 GB
	 * in), past this file's end. */
	frameoff_note(&far, &(struct frame){ .number = 7,
	    .offset = 1u << 30 });
	assert_int_equal(export_range(fx->pcap_ns, &far, REF(7, 0), 9, out,
	    false, &w, err, sizeof err), -1);
	assert_non_null(strstr(err, "offset 1073741824 is not in the file"));
	frameoff_free(&far);
	/* Unreadable input, missing output folder. */
	assert_int_equal(export_range("/nonexistent/x.pcap", NULL, REF(1, 24),
	    2, out, false, &w, err, sizeof err), -1);
	assert_string_equal(err, "/nonexistent/x.pcap: No such file or "
	    "directory");
	assert_int_equal(export_range(fx->pcap_ns, NULL, REF(1, fx->off[1]), 2,
	    "/nonexistent/dir/out.pcap", false, &w, err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/dir/out.pcap: No such file"));
	assert_int_equal(w, 0);
	assert_int_equal(access(out, F_OK), -1);
	assert_no_temp(fx);
}

/* ---- reread: frames read again by their references (issue 14) -------- */

static struct frame_ref
ref_of(const struct fixture *fx, uint64_t n)
{
	struct frame_ref r = { .number = n, .ts_ns = ((int64_t)1700000000 +
	    (int64_t)n) * 1000000000 + (int64_t)n * 1001 * 1000,
	    .offset_lo = fx->off[n] };

	return r;
}

/* A frame asked for by reference is that frame; one the file does not
 * hold there (another time, an offset past the end) is refused. */
static void
test_reread_frame(void **state)
{
	struct fixture *fx = *state;
	struct reread rr;
	struct frame_ref r;
	struct frame f;

	make_pcap(fx, fx->pcap_us, false, false);
	assert_int_equal(reread_open(&rr, fx->pcap_us, NULL), 0);
	assert_int_equal(rr.first.number, 1);
	for (uint64_t n = 3; n <= 5; n++) {	/* 4 and 5 read on */
		r = ref_of(fx, n);
		assert_int_equal(reread_frame(&rr, &r, &f), 0);
		assert_int_equal(f.number, n);
		assert_int_equal(f.caplen, 20 + n);
		assert_int_equal(f.data[0], n);
	}
	r = ref_of(fx, 2);
	r.ts_ns += 1000;	/* not the frame the model saw */
	assert_int_equal(reread_frame(&rr, &r, &f), -1);
	assert_non_null(strstr(reread_error(&rr), "frame 2 not found"));
	r = ref_of(fx, 2);
	r.offset_lo = 1 << 20;	/* past the end */
	assert_int_equal(reread_frame(&rr, &r, &f), -1);
	r.number = 0;
	assert_int_equal(reread_frame(&rr, &r, &f), -1);
	r = ref_of(fx, 6);	/* and it recovers */
	assert_int_equal(reread_frame(&rr, &r, &f), 0);
	assert_int_equal(f.number, 6);
	reread_close(&rr);
}

/* A range stops after its last frame; without a start, from frame 1. */
static void
test_reread_range(void **state)
{
	struct fixture *fx = *state;
	struct reread rr;
	struct frame_ref r;
	struct frame f;
	uint64_t n = 0;

	make_pcap(fx, fx->pcap_us, false, false);
	assert_int_equal(reread_open(&rr, fx->pcap_us, NULL), 0);
	r = ref_of(fx, 2);
	assert_int_equal(reread_range(&rr, &r, 4), 0);
	while (reread_next(&rr, &f) == 1)
		assert_int_equal(f.number, 2 + n++);
	assert_int_equal(n, 3);
	assert_int_equal(reread_range(&rr, NULL, 0), 0);
	for (n = 0; reread_next(&rr, &f) == 1; n++)
		assert_int_equal(f.number, n + 1);
	assert_int_equal(n, 6);
	reread_close(&rr);
	assert_int_equal(reread_open(&rr, "/nonexistent/x.pcap", NULL), -1);
	assert_non_null(strstr(reread_error(&rr), "/nonexistent/x.pcap"));
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_export_pcap, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_export_pcapng, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refuse_existing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refuse_symlink, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_force_refuses_special,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_reread_frame, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reread_range, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_ranges, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
