/*
 * test_ring.c: a ring of pcap files (--ring) read as one capture through
 * its index: frame numbers run on, offsets name the file, seeks find the
 * member, a removed member and a damaged index give one-line errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "capture/capfile.h"
#include "capture/ring.h"
#include "unit_tmpdir.h"

static char dir[] = "/tmp/gw502ring-XXXXXX";

/* A member with n frames whose first byte is its frame number. */
static void
write_member(const char *name, unsigned first, unsigned n)
{
	char path[512];
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	uint8_t pkt[60];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	d = pcap_dump_open(dead, path);
	assert_non_null(d);
	for (unsigned i = 0; i < n; i++) {
		struct pcap_pkthdr h = { .ts = { 1700000000 + first + i, 0 },
		    .caplen = sizeof pkt, .len = sizeof pkt };

		memset(pkt, 0, sizeof pkt);
		pkt[0] = (uint8_t)(first + i);
		pcap_dump((u_char *)d, &h, pkt);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	/* the ring kept members 2 and 3 (frames 11-20 and 21-25) */
	write_member("r_00002.pcap", 11, 10);
	write_member("r_00003.pcap", 21, 5);
	tmpdir_write(dir, "r.ring", RING_MAGIC "\n2 11 r_00002.pcap\n3 21 r_00003.pcap\n");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tmpdir_remove(dir);
	return 0;
}

static struct capfile *
open_in_dir(const char *name, char *err, size_t errlen)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return capfile_open(path, err, errlen);
}

static void
reads_as_one(void **state)
{
	struct capfile *cf;
	struct frame f;
	char err[512];
	unsigned n = 0;
	uint64_t off14 = 0, off22 = 0;

	(void)state;
	cf = open_in_dir("r.ring", err, sizeof err);
	if (cf == NULL)
		fail_msg("%s", err);
	while (capfile_next(cf, &f) == 1) {
		assert_int_equal(f.number, 11 + n);
		assert_int_equal(f.data[0], (uint8_t)f.number);
		assert_int_equal(ring_seq(f.offset), f.number <= 20 ? 2 : 3);
		if (f.number == 14)
			off14 = f.offset;
		if (f.number == 22)
			off22 = f.offset;
		n++;
	}
	assert_int_equal(n, 15);
	/* back into the first member, then the second */
	assert_int_equal(capfile_seek(cf, off14, 14), 0);
	assert_int_equal(capfile_next(cf, &f), 1);
	assert_int_equal(f.number, 14);
	assert_int_equal(f.data[0], 14);
	assert_int_equal(capfile_seek(cf, off22, 22), 0);
	assert_int_equal(capfile_next(cf, &f), 1);
	assert_int_equal(f.data[0], 22);
	/* member 1 is gone: one line that says so */
	assert_int_equal(capfile_seek(cf, ring_offset(1, 24), 3), -1);
	assert_non_null(strstr(capfile_error(cf), "no longer keeps"));
	capfile_close(cf);
}

/* Index text that capfile_open must refuse, naming why (why: NULL). */
static void
refused(const char *name, const char *text, const char *why)
{
	char err[512];

	tmpdir_write(dir, name, text);
	assert_null(open_in_dir(name, err, sizeof err));
	if (why != NULL)
		assert_non_null(strstr(err, why));
}

static void
bad_indexes(void **state)
{
	(void)state;
	refused("bad.ring", RING_MAGIC "\n2 11 r_00002.pcap\nnonsense\n",
	    "bad.ring:3: not a ring index line");
	refused("up.ring", RING_MAGIC "\n2 11 ../etc/passwd\n",
	    "not a ring index line");
	refused("order.ring", RING_MAGIC "\n3 21 r_00003.pcap\n"
	    "2 11 r_00002.pcap\n", NULL);
	refused("empty.ring", RING_MAGIC "\n", "lists no file");
	refused("gone.ring", RING_MAGIC "\n7 1 r_00007.pcap\n", "r_00007.pcap");
	/* a ring may not nest (nor list itself): members are pcap files */
	refused("nest.ring", RING_MAGIC "\n1 1 r.ring\n",
	    "must be a pcap file");
	refused("self.ring", RING_MAGIC "\n1 1 self.ring\n",
	    "must be a pcap file");
}

/*
 * Numbers an offset or a frame number cannot carry: a sequence number of
 * 2^24 would alias member 0, 2^24 + 1 member 1 (its frames would be read
 * from another file); a first frame near 2^64 would wrap to 0.
 */
static void
overflowing_indexes(void **state)
{
	(void)state;
	refused("seq24.ring", RING_MAGIC "\n16777216 11 r_00002.pcap\n",
	    "seq24.ring:2: sequence number 16777216 is not from 1 to 16777215");
	refused("alias.ring", RING_MAGIC "\n16777217 11 r_00002.pcap\n",
	    "sequence number 16777217");
	refused("seq32.ring", RING_MAGIC "\n4294967298 11 r_00002.pcap\n",
	    "sequence number 4294967298");
	refused("seq0.ring", RING_MAGIC "\n0 11 r_00002.pcap\n",
	    "sequence number 0");
	refused("wrap.ring", RING_MAGIC "\n2 18446744073709551610 "
	    "r_00002.pcap\n", "first frame number 18446744073709551610");
	refused("huge.ring", RING_MAGIC "\n2 99999999999999999999999 "
	    "r_00002.pcap\n", "first frame number 99999999999999999999");
	refused("big.ring", RING_MAGIC "\n2 281474976710657 r_00002.pcap\n",
	    "first frame number 281474976710657 is not from 1 to "
	    "281474976710656");
	refused("first0.ring", RING_MAGIC "\n2 0 r_00002.pcap\n",
	    "first frame number 0");
	refused("back.ring", RING_MAGIC "\n2 21 r_00002.pcap\n"
	    "3 11 r_00003.pcap\n", "out of order");
}

/* The index is written whole (temporary name, rename) and reads back. */
static void
index_round_trip(void **state)
{
	struct ring_index *ri = calloc(1, sizeof *ri), *back = calloc(1,
	    sizeof *back);
	char path[512], err[256];

	(void)state;
	assert_non_null(ri);
	assert_non_null(back);
	ri->n = 2;
	ri->m[0] = (struct ring_member){ .seq = 4, .first = 100 };
	snprintf(ri->m[0].name, sizeof ri->m[0].name, "x_00004.pcap");
	ri->m[1] = (struct ring_member){ .seq = 5, .first = 250 };
	snprintf(ri->m[1].name, sizeof ri->m[1].name, "x_00005.pcap");
	snprintf(path, sizeof path, "%s/x.ring", dir);
	assert_int_equal(ring_index_write(path, ri, err, sizeof err), 0);
	assert_int_equal(ring_index_read(path, back, err, sizeof err), 1);
	assert_int_equal(back->n, 2);
	assert_int_equal(back->m[1].seq, 5);
	assert_int_equal(back->m[1].first, 250);
	assert_string_equal(back->m[0].name, "x_00004.pcap");
	snprintf(path, sizeof path, "%s/r_00002.pcap", dir);
	assert_int_equal(ring_index_read(path, back, err, sizeof err), 0);
	free(ri);
	free(back);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_as_one),
		cmocka_unit_test(bad_indexes),
		cmocka_unit_test(overflowing_indexes),
		cmocka_unit_test(index_round_trip),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
