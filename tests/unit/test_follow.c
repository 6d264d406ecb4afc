/*
 * test_follow.c: "Follow TCP stream" (src/flow/follow.c) on the lab's
 * captures, checked against the model the engine built from the same
 * frames: every connection re-read gives, per direction, the payload bytes
 * the model counted, starting at the frame the model saw the first byte in,
 * in chunks that tile the data and alternate direction; HTTP connections
 * start with a head that parses. A byte limit truncates exactly there.
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

#include "engine.h"
#include "flow/follow.h"
#include "proto/http.h"
#include "unit_ip4.h"

static const char *const captures[] = {
	"examples/gw502-lab.pcap",
	"examples/gw502-lab-eth.pcap",
	"examples/gw502-lab-ng.pcapng",
};

static void
load(struct engine *e, const char *path)
{
	struct engine_opts eo;
	char err[256];

	engine_default_opts(&eo);
	if (engine_open(e, path, &eo, err, sizeof err) != 0)
		fail_msg("%s: %s", path, err);
	while (engine_step(e, 64) == 1)
		;
	engine_diagnose(e);
}

/* The follow of one connection agrees with what the model counted. */
static void
check_conn(const char *path, const struct flow *fl, uint32_t ci,
    size_t *nhttp)
{
	const struct conn *c = &fl->conns[ci];
	struct follow fo;
	struct http_head *h = malloc(sizeof *h);
	uint64_t bytes[2] = { 0, 0 };
	size_t at = 0, i;
	char err[256];
	int seen[2] = { 0, 0 };

	assert_non_null(h);
	memset(&fo, 0, sizeof fo);
	if (follow_conn(path, NULL, c, 0, &fo, err, sizeof err) != 0)
		fail_msg("%s conn %u: %s", path, ci, err);
	assert_false(fo.truncated);
	assert_int_equal(fo.gap_bytes, 0);
	assert_true(fo.frames_read > 0);
	for (i = 0; i < fo.nchunks; i++) {
		const struct follow_chunk *ch = &fo.chunks[i];

		assert_true(ch->dir < 2);
		assert_int_equal(ch->off, at);	/* chunks tile the data */
		assert_true(ch->len > 0);
		at += ch->len;
		if (i > 0)	/* runs in one direction are merged */
			assert_int_not_equal(ch->dir, fo.chunks[i - 1].dir);
		assert_true(ch->frame >= c->first.number &&
		    ch->frame <= c->last.number);
		if (!seen[ch->dir]++)
			assert_int_equal(ch->frame, c->data[ch->dir].number);
		bytes[ch->dir] += ch->len;
	}
	assert_int_equal(at, fo.len);
	assert_int_equal(bytes[0], c->bytes[0]);
	assert_int_equal(bytes[1], c->bytes[1]);
	/* A connection the model parsed as HTTP starts with a whole head. */
	if (!c->no_http && c->nmsg[0] > 0 && fo.nchunks > 0 &&
	    fo.chunks[0].dir == 0) {
		assert_int_equal(http_parse_request(fo.data, fo.chunks[0].len, h),
		    HTTP_OK);
		(*nhttp)++;
	}
	follow_free(&fo);
	free(h);
}

static void
test_lab_conns(void **state)
{
	struct engine *e = malloc(sizeof *e);
	size_t k, nhttp, nbytes;
	uint32_t ci;

	(void)state;
	assert_non_null(e);
	for (k = 0; k < sizeof captures / sizeof captures[0]; k++) {
		load(e, captures[k]);
		nhttp = nbytes = 0;
		for (ci = 0; ci < e->flow.nconns; ci++) {
			check_conn(captures[k], &e->flow, ci, &nhttp);
			nbytes += e->flow.conns[ci].bytes[0] > 0;
		}
		/* The lab has plenty of both: the checks above did run. */
		assert_true(nhttp >= 5);
		assert_true(nbytes >= 5);
		engine_close(e);
	}
	free(e);
}

/* A limit keeps exactly that many bytes, marked truncated. */
static void
test_limit(void **state)
{
	struct engine *e = malloc(sizeof *e);
	struct follow fo, whole;
	char err[256];
	uint32_t ci;
	bool done = false;

	(void)state;
	assert_non_null(e);
	load(e, captures[0]);
	for (ci = 0; ci < e->flow.nconns && !done; ci++) {
		const struct conn *c = &e->flow.conns[ci];

		if (c->bytes[0] + c->bytes[1] < 100)
			continue;
		memset(&fo, 0, sizeof fo);
		memset(&whole, 0, sizeof whole);
		assert_int_equal(follow_conn(captures[0], NULL, c, 0, &whole,
		    err, sizeof err), 0);
		assert_int_equal(follow_conn(captures[0], NULL, c, 40, &fo, err,
		    sizeof err), 0);
		assert_true(fo.truncated);
		assert_int_equal(fo.len, 40);
		assert_memory_equal(fo.data, whole.data, 40);
		follow_free(&fo);
		follow_free(&whole);
		done = true;
	}
	assert_true(done);
	engine_close(e);
	free(e);
}

/* A capture that breaks before any byte of the connection: -1 and why. */
static void
test_broken_capture(void **state)
{
	struct engine *e = malloc(sizeof *e);
	char path[] = "/tmp/gw502follow.XXXXXX", err[256];
	uint8_t buf[24 + 16 + 10];
	struct follow fo;
	FILE *in, *out;
	int fd;

	(void)state;
	assert_non_null(e);
	load(e, captures[0]);
	assert_true(e->flow.nconns > 0);
	/* the file header, the first record's header, part of its data */
	in = fopen(captures[0], "rb");
	assert_non_null(in);
	assert_int_equal(fread(buf, 1, sizeof buf, in), sizeof buf);
	fclose(in);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	out = fdopen(fd, "wb");
	assert_non_null(out);
	assert_int_equal(fwrite(buf, 1, sizeof buf, out), sizeof buf);
	fclose(out);
	memset(&fo, 0, sizeof fo);
	err[0] = '\0';
	assert_int_equal(follow_conn(path, &e->flow.offsets, &e->flow.conns[0],
	    0, &fo, err, sizeof err), -1);
	assert_true(err[0] != '\0');
	follow_free(&fo);
	assert_int_equal(follow_conn("/nonexistent/gw502.pcap",
	    &e->flow.offsets, &e->flow.conns[0], 0, &fo, err, sizeof err), -1);
	follow_free(&fo);
	unlink(path);
	engine_close(e);
	free(e);
}

/*
 * One TCP segment between 10.0.0.5:40000 and 10.0.0.1:9090 (back: from
 * the server) as a raw-IP pcap record (linktype 101) at out, cut after
 * its first `cap` payload bytes as a snap length would (SIZE_MAX: whole);
 * returns the record's length.
 */
static size_t
segment_record_cut(uint8_t *out, bool back, uint32_t seq, uint8_t flags,
    const char *data, size_t cap)
{
	static const uint8_t cli[4] = { 10, 0, 0, 5 }, srv[4] = { 10, 0, 0, 1 };
	uint8_t tcp[20 + 64];
	size_t n = strlen(data);
	uint16_t sport = back ? 9090 : 40000, dport = back ? 40000 : 9090;
	uint32_t len, incl;

	assert_true(n <= 64);
	memset(tcp, 0, 20);
	tcp[0] = (uint8_t)(sport >> 8), tcp[1] = (uint8_t)sport;
	tcp[2] = (uint8_t)(dport >> 8), tcp[3] = (uint8_t)dport;
	tcp[4] = (uint8_t)(seq >> 24), tcp[5] = (uint8_t)(seq >> 16);
	tcp[6] = (uint8_t)(seq >> 8), tcp[7] = (uint8_t)seq;
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	tcp[14] = 0xff, tcp[15] = 0xff;
	memcpy(tcp + 20, data, n);
	len = (uint32_t)unit_ip4(out + 16, 6, back ? srv : cli,
	    back ? cli : srv, 1, 0x4000, tcp, 20 + n);
	incl = cap < n ? len - (uint32_t)(n - cap) : len;
	memset(out, 0, 16);
	memcpy(out + 8, &incl, 4);	/* incl_len, orig_len: host order */
	memcpy(out + 12, &len, 4);
	return 16 + incl;
}

static size_t
segment_record(uint8_t *out, uint32_t seq, uint8_t flags, const char *data)
{
	return segment_record_cut(out, false, seq, flags, data, SIZE_MAX);
}

/* A pcap file header (raw IP, host byte order as pcap allows) at out. */
static size_t
pcap_header(uint8_t *out)
{
	static const uint32_t hdr[6] = { 0xa1b2c3d4, 2 | 4u << 16, 0, 0, 65535,
	    101 };

	memcpy(out, hdr, sizeof hdr);
	return sizeof hdr;
}

/* Follows 10.0.0.5:40000 -> 10.0.0.1:9090 in the capture file..end. */
static void
follow_file(const uint8_t *file, const uint8_t *end, struct follow *fo)
{
	char path[] = "/tmp/gw502follow.XXXXXX", err[256];
	struct conn c;
	FILE *out;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	out = fdopen(fd, "wb");
	assert_non_null(out);
	assert_int_equal(fwrite(file, 1, (size_t)(end - file), out),
	    (size_t)(end - file));
	fclose(out);
	memset(&c, 0, sizeof c);
	assert_true(addr_parse("10.0.0.5", &c.caddr));
	assert_true(addr_parse("10.0.0.1", &c.saddr));
	c.cport = 40000;
	c.sport = 9090;
	memset(fo, 0, sizeof *fo);
	if (follow_conn(path, NULL, &c, 0, fo, err, sizeof err) != 0)
		fail_msg("%s", err);
	unlink(path);
}

/*
 * Segments of the client's request captured out of order (the first one
 * last), with and without the SYN, and with sequence numbers that wrap
 * past 2^32: Follow gives the bytes in sequence order, each once, with no
 * hole.
 */
static void
follow_reordered(bool syn, uint32_t isn)
{
	static const char want[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	uint8_t file[24 + 4 * (16 + 20 + 20 + 64)], *b = file;
	struct follow fo;

	b += pcap_header(b);
	if (syn)
		b += segment_record(b, isn, 0x02, "");
	else	/* the first segment seen sets where the stream starts */
		b += segment_record(b, isn + 1, 0x18, "GET / ");
	b += segment_record(b, isn + 17, 0x18, "Host: x\r\n\r\n");
	b += segment_record(b, isn + 7, 0x18, "HTTP/1.1\r\n");
	if (syn)
		b += segment_record(b, isn + 1, 0x18, "GET / ");
	follow_file(file, b, &fo);
	assert_int_equal(fo.frames_read, syn ? 4 : 3);
	assert_int_equal(fo.gap_bytes, 0);
	assert_int_equal(fo.len, sizeof want - 1);
	assert_memory_equal(fo.data, want, sizeof want - 1);
	assert_int_equal(fo.nchunks, 1);
	assert_int_equal(fo.chunks[0].dir, 0);
	follow_free(&fo);
}

static void
test_reordered(void **state)
{
	(void)state;
	follow_reordered(true, 100);
	follow_reordered(false, 100);
	follow_reordered(true, 0xfffffff5u);
	follow_reordered(false, 0xfffffff5u);
}

/*
 * The request's first segment captured after its second, then the
 * server's answer: the request is whole, in one chunk, before the
 * answer (what waited is given once its hole is filled, not at the end).
 */
static void
test_reordered_then_answered(void **state)
{
	static const char req[] = "GET / HTTP/1.1\r\n\r\n";
	uint8_t file[24 + 5 * 130], *b = file;
	struct follow fo;

	(void)state;
	b += pcap_header(b);
	b += segment_record_cut(b, false, 100, 0x02, "", SIZE_MAX);
	b += segment_record_cut(b, true, 900, 0x12, "", SIZE_MAX);
	b += segment_record_cut(b, false, 107, 0x18, "HTTP/1.1\r\n\r\n",
	    SIZE_MAX);
	b += segment_record_cut(b, false, 101, 0x18, "GET / ", SIZE_MAX);
	b += segment_record_cut(b, true, 901, 0x18, "HTTP/1.1 200 OK\r\n",
	    SIZE_MAX);
	follow_file(file, b, &fo);
	assert_int_equal(fo.nchunks, 2);
	assert_int_equal(fo.chunks[0].dir, 0);
	assert_int_equal(fo.chunks[0].len, sizeof req - 1);
	assert_memory_equal(fo.data, req, sizeof req - 1);
	assert_int_equal(fo.chunks[1].dir, 1);
	assert_int_equal(fo.chunks[1].frame, 5);
	assert_int_equal(fo.gap_bytes, 0);
	follow_free(&fo);
}

/* A request sent a byte a segment (an interactive client) comes whole. */
static void
test_one_byte_segments(void **state)
{
	static const char want[] = "GET / HTTP/1.1\r\n\r\n";
	uint8_t file[24 + 20 * 60], *b = file;
	struct follow fo;
	char one[2] = { 0, 0 };

	(void)state;
	b += pcap_header(b);
	b += segment_record(b, 500, 0x02, "");
	for (uint32_t i = 0; i < sizeof want - 1; i++) {
		one[0] = want[i];
		b += segment_record(b, 501 + i, 0x18, one);
	}
	follow_file(file, b, &fo);
	assert_int_equal(fo.len, sizeof want - 1);
	assert_memory_equal(fo.data, want, sizeof want - 1);
	assert_int_equal(fo.nchunks, 1);
	assert_int_equal(fo.chunks[0].frame, 2);
	assert_int_equal(fo.gap_bytes, 0);
	follow_free(&fo);
}

/*
 * Holes the capture never filled, in each direction: the bytes after a
 * hole are still given, in order, and the hole is counted; a segment cut
 * by the snap length counts its missing tail as a hole, and the client's
 * next segment follows on in the same chunk, before the server's answer;
 * what waits behind a hole never filled comes once the capture ends.
 */
static void
test_holes_both_directions(void **state)
{
	uint8_t file[24 + 8 * 130], *b = file;
	struct follow fo;

	(void)state;
	b += pcap_header(b);
	b += segment_record_cut(b, false, 100, 0x02, "", SIZE_MAX);
	b += segment_record_cut(b, true, 900, 0x12, "", SIZE_MAX);
	b += segment_record_cut(b, false, 101, 0x18, "GET / HTTP/1.1\r\n", 6);
	b += segment_record_cut(b, false, 117, 0x18, "Host: x\r\n\r\n",
	    SIZE_MAX);
	b += segment_record_cut(b, true, 901, 0x18, "HTTP/1.1 200 OK\r\n",
	    SIZE_MAX);
	/* 10 bytes lost, then the rest of the answer */
	b += segment_record_cut(b, true, 928, 0x18, "\r\nbody", SIZE_MAX);
	b += segment_record_cut(b, false, 128, 0x18, "GET /2", SIZE_MAX);
	follow_file(file, b, &fo);
	assert_int_equal(fo.gap_bytes, 10 + 10);
	assert_int_equal(fo.nchunks, 4);
	assert_int_equal(fo.chunks[0].dir, 0);
	assert_int_equal(fo.chunks[0].len, 6 + 11);
	assert_memory_equal(fo.data, "GET / Host: x\r\n\r\n", 17);
	assert_int_equal(fo.chunks[1].dir, 1);
	assert_int_equal(fo.chunks[1].frame, 5);
	assert_memory_equal(fo.data + 17, "HTTP/1.1 200 OK\r\n", 17);
	assert_int_equal(fo.chunks[2].dir, 0);
	assert_memory_equal(fo.data + 34, "GET /2", 6);
	/* what waited behind the server's hole comes at the end */
	assert_int_equal(fo.chunks[3].dir, 1);
	assert_int_equal(fo.chunks[3].frame, 6);
	assert_memory_equal(fo.data + 40, "\r\nbody", 6);
	assert_int_equal(fo.len, 17 + 23 + 6);
	follow_free(&fo);
}

/* A hole of a single byte is a hole too, counted, and waits as a longer
 * one does until the capture ends. */
static void
test_one_byte_hole(void **state)
{
	uint8_t file[24 + 5 * 130], *b = file;
	struct follow fo;

	(void)state;
	b += pcap_header(b);
	b += segment_record_cut(b, false, 100, 0x02, "", SIZE_MAX);
	b += segment_record_cut(b, true, 900, 0x12, "", SIZE_MAX);
	b += segment_record_cut(b, true, 901, 0x18, "HTTP/1.1 200 OK\r\n",
	    SIZE_MAX);
	/* byte 918 lost */
	b += segment_record_cut(b, true, 919, 0x18, "\nbody", SIZE_MAX);
	follow_file(file, b, &fo);
	assert_int_equal(fo.gap_bytes, 1);
	assert_int_equal(fo.len, 17 + 5);
	assert_memory_equal(fo.data + 17, "\nbody", 5);
	follow_free(&fo);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_conns),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_broken_capture),
		cmocka_unit_test(test_reordered),
		cmocka_unit_test(test_reordered_then_answered),
		cmocka_unit_test(test_one_byte_segments),
		cmocka_unit_test(test_holes_both_directions),
		cmocka_unit_test(test_one_byte_hole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
