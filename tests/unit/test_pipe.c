/*
 * test_pipe.c: a capture stream cut into whole records (capture/pipe.c)
 * through a real pipe: records split across writes come out whole, pcapng
 * sections of either byte order, a stream cut inside a record or with a
 * bad length says so in one line, garbage and an empty stream are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/pipe.h"

struct bytes {
	uint8_t b[600 * 1024];	/* a record larger than the first buffer */
	size_t n;
};

static void
put32(struct bytes *s, uint32_t v, int be)
{
	for (int i = 0; i < 4; i++)
		s->b[s->n++] = (uint8_t)(v >> (be ? 24 - 8 * i : 8 * i));
}

static void
put_zeros(struct bytes *s, size_t n)
{
	memset(s->b + s->n, 0, n);
	s->n += n;
}

/* A little-endian µs pcap: the header and records of caplen 10, 0, 30. */
static void
make_pcap(struct bytes *s)
{
	static const uint32_t caplen[] = { 10, 0, 30 };

	s->n = 0;
	put32(s, 0xa1b2c3d4, 0);
	put32(s, 0x00040002, 0);	/* version 2.4 */
	put_zeros(s, 8);
	put32(s, 65535, 0);
	put32(s, 1, 0);			/* Ethernet */
	for (int i = 0; i < 3; i++) {
		put32(s, 1700000000 + i, 0);
		put32(s, 0, 0);
		put32(s, caplen[i], 0);
		put32(s, caplen[i], 0);
		put_zeros(s, caplen[i]);
	}
}

/* A pcapng block of type t, total length len, in byte order be. */
static void
block(struct bytes *s, uint32_t t, uint32_t len, int be)
{
	put32(s, t, be);
	put32(s, len, be);
	if (t == 0x0A0D0D0A) {
		put32(s, 0x1A2B3C4D, be);
		put32(s, 0x00000001, be);	/* version 1.0 */
		put_zeros(s, 8);		/* section length: -1 ok too */
		put_zeros(s, len - 24 - 4);
	} else {
		put_zeros(s, len - 12);
	}
	put32(s, len, be);
}

/* The stream's write end, and the reader opened on its read end. */
struct stream {
	int w;
	struct pipe_in *in;
	char err[512];
};

/* Writes the first `first` bytes, then opens the reader on the pipe. */
static void
open_stream(struct stream *st, const struct bytes *s, size_t first)
{
	char path[64];
	int fd[2];

	assert_int_equal(pipe(fd), 0);
	assert_int_equal(write(fd[1], s->b, first), (ssize_t)first);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd[0]);
	st->in = pipe_open(path, st->err, sizeof st->err);
	close(fd[0]);	/* pipe_open has its own */
	st->w = fd[1];
}

/* The records taken: their lengths, and how many held frames. */
struct taken {
	size_t lens[8], n;
	int packets;
};

/* t holds n records (packets of them frames) of these lengths. */
static void
expect(const struct taken *t, size_t n, int packets, const size_t *lens)
{
	assert_int_equal(t->n, n);
	assert_int_equal(t->packets, packets);
	for (size_t i = 0; i < n && i < 8; i++)
		assert_int_equal(t->lens[i], lens[i]);
}

/*
 * Feeds s from offset `from` in pieces of `step` bytes (0: no more), taking
 * every whole record as it comes into *t. Returns pipe_record's last
 * answer after the end.
 */
static int
drain(struct stream *st, const struct bytes *s, size_t from, size_t step,
    struct taken *t)
{
	const uint8_t *rec;
	size_t len, at = from;
	bool packet;
	int rc;

	memset(t, 0, sizeof *t);
	for (;;) {
		if (at < s->n && step) {
			size_t k = s->n - at < step ? s->n - at : step;

			assert_int_equal(write(st->w, s->b + at, k), (ssize_t)k);
			at += k;
		} else if (st->w >= 0) {
			close(st->w);
			st->w = -1;
		}
		assert_true(pipe_fill(st->in, 1 << 20) >= 0);
		while ((rc = pipe_record(st->in, &rec, &len, &packet)) == 1) {
			if (t->n < 8)
				t->lens[t->n] = len;
			t->n++;
			t->packets += packet;
		}
		if (rc < 0 || pipe_ended(st->in) ||
		    (st->w < 0 && pipe_fd(st->in) < 0))
			return rc;
	}
}

static void
test_pcap_split_records_come_whole(void **state)
{
	static struct bytes s;
	struct stream st;
	struct taken t;
	size_t hlen;

	(void)state;
	make_pcap(&s);
	open_stream(&st, &s, 24 + 5);	/* the header, a record begun */
	assert_non_null(st.in);
	assert_int_equal(pipe_format(st.in), CAPFILE_PCAP);
	assert_non_null(pipe_header(st.in, &hlen));
	assert_int_equal(hlen, 24);
	assert_int_equal(drain(&st, &s, 29, 7, &t), 0);
	expect(&t, 3, 3, (const size_t[]){ 26, 16, 46 });
	assert_true(pipe_ended(st.in));
	assert_int_equal(pipe_fd(st.in), -1);
	pipe_close(st.in);
}

static void
test_pcap_cut_inside_a_record(void **state)
{
	static struct bytes s;
	struct stream st;
	struct taken t;

	(void)state;
	make_pcap(&s);
	s.n -= 5;
	open_stream(&st, &s, 24);
	assert_non_null(st.in);
	assert_int_equal(drain(&st, &s, 24, 11, &t), -1);
	assert_int_equal(t.n, 2);
	assert_non_null(strstr(pipe_error(st.in), ": the stream ended in the "
	    "middle of a record (41 of its 46 bytes) after frame 2"));
	pipe_close(st.in);
}

static void
test_a_record_larger_than_the_buffer(void **state)
{
	static struct bytes s;
	struct stream st;
	struct taken t;

	(void)state;
	make_pcap(&s);
	s.n -= 46;		/* the last record: 500000 bytes instead */
	put32(&s, 1700000002, 0);
	put32(&s, 0, 0);
	put32(&s, 500000, 0);
	put32(&s, 500000, 0);
	put_zeros(&s, 500000);
	open_stream(&st, &s, 24);
	assert_non_null(st.in);
	assert_int_equal(drain(&st, &s, 24, 60000, &t), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.lens[2], 500016);
	assert_true(pipe_ended(st.in));
	pipe_close(st.in);
}

static void
test_pcapng_sections_of_both_byte_orders(void **state)
{
	static struct bytes s;

	s.n = 0;
	struct stream st;
	struct taken t;
	size_t hlen;

	(void)state;
	block(&s, 0x0A0D0D0A, 28, 1);	/* big-endian section */
	block(&s, 1, 20, 1);		/* interface */
	block(&s, 6, 32 + 40, 1);	/* enhanced packet */
	block(&s, 0x0A0D0D0A, 32, 0);	/* little-endian section */
	block(&s, 1, 20, 0);
	block(&s, 3, 16 + 8, 0);	/* simple packet */
	block(&s, 5, 12, 0);		/* statistics: no frame */
	open_stream(&st, &s, 4);
	assert_non_null(st.in);
	assert_int_equal(pipe_format(st.in), CAPFILE_PCAPNG);
	pipe_header(st.in, &hlen);
	assert_int_equal(hlen, 0);	/* the section header is a record */
	assert_int_equal(drain(&st, &s, 4, 5, &t), 0);
	expect(&t, 7, 2, (const size_t[]){ 28, 20, 72, 32, 20, 24, 12 });
	pipe_close(st.in);
}

static void
test_pcapng_bad_length_is_damage(void **state)
{
	static struct bytes s;

	s.n = 0;
	struct stream st;
	struct taken t;

	(void)state;
	block(&s, 0x0A0D0D0A, 28, 0);
	put32(&s, 6, 0);
	put32(&s, 13, 0);		/* not a multiple of 4 */
	put_zeros(&s, 16);
	open_stream(&st, &s, s.n);
	assert_non_null(st.in);
	assert_int_equal(drain(&st, &s, s.n, 0, &t), -1);
	assert_int_equal(t.n, 1);
	assert_non_null(strstr(pipe_error(st.in), "bad block length 13"));
	pipe_close(st.in);
}

static void
test_not_a_capture(void **state)
{
	static struct bytes s;

	s.n = 0;
	struct stream st;

	(void)state;
	memcpy(s.b, "GET / HTTP/1.1\r\n", 16);
	s.n = 16;
	open_stream(&st, &s, s.n);
	assert_null(st.in);
	assert_non_null(strstr(st.err, "not a pcap or pcapng capture stream "
	    "(it starts with 47 45 54 20)"));
	close(st.w);
}

/* A stream of the first n bytes of s, already ended: pipe_open's answer. */
static struct pipe_in *
open_ended(const struct bytes *s, size_t n, char *err, size_t errlen)
{
	struct pipe_in *in;
	char path[64];
	int fd[2];

	assert_int_equal(pipe(fd), 0);
	assert_int_equal(write(fd[1], s->b, n), (ssize_t)n);
	close(fd[1]);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd[0]);
	in = pipe_open(path, err, errlen);
	close(fd[0]);
	return in;
}

static void
test_empty_and_short_streams(void **state)
{
	static struct bytes s;
	char err[512];

	(void)state;
	make_pcap(&s);
	assert_null(open_ended(&s, 0, err, sizeof err));
	assert_non_null(strstr(err, "empty"));
	assert_null(open_ended(&s, 10, err, sizeof err));
	assert_non_null(strstr(err, "inside the pcap file header"));
}

static void
test_what_is_a_stream(void **state)
{
	char dir[] = "/tmp/gw502pipe-XXXXXX", fifo[64], file[64];
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	snprintf(file, sizeof file, "%s/file", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_non_null(fp = fopen(file, "w"));
	fclose(fp);
	assert_true(pipe_is_stream("-"));
	assert_true(pipe_is_stream(fifo));
	assert_false(pipe_is_stream(file));
	assert_false(pipe_is_stream(dir));
	unlink(fifo);
	unlink(file);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcap_split_records_come_whole),
		cmocka_unit_test(test_pcap_cut_inside_a_record),
		cmocka_unit_test(test_a_record_larger_than_the_buffer),
		cmocka_unit_test(test_pcapng_sections_of_both_byte_orders),
		cmocka_unit_test(test_pcapng_bad_length_is_damage),
		cmocka_unit_test(test_not_a_capture),
		cmocka_unit_test(test_empty_and_short_streams),
		cmocka_unit_test(test_what_is_a_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
