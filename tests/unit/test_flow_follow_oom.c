/*
 * test_flow_follow_oom.c: "Follow TCP stream" (follow.h) when memory runs
 * out while a segment that came early waits for the bytes before it:
 * follow_conn returns -1 with one line in err and an empty result, never
 * 0 with the waiting bytes missing and no hole counted. With memory the
 * same capture gives the whole request in order.
 *
 * The allocator is replaced as glibc allows (see unit_heap.h); only
 * blocks of exactly the early segment's length fail, so nothing else
 * (the file's reader, the output) runs short. Under AddressSanitizer,
 * which has its own allocator, only the run with memory is checked.
 */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "flow/follow.h"
#include "unit_ip4.h"

#if defined(__SANITIZE_ADDRESS__)
#define FOLLOW_OOM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FOLLOW_OOM_ASAN 1
#endif
#endif

static const char early[] = "Host: early.test\r\n\r\n";	/* 20 bytes */
static const char first[] = "GET / HTTP/1.1\r\n";

#ifndef FOLLOW_OOM_ASAN
static size_t fail_size;	/* malloc(fail_size) fails; 0: none */
static unsigned failed;		/* how many did */

extern void *__libc_malloc(size_t);

void *
malloc(size_t n)
{
	if (fail_size != 0 && n == fail_size) {
		failed++;
		return NULL;
	}
	return __libc_malloc(n);
}
#endif

/* Appends a raw-IP pcap record of a client segment (10.0.0.5:40000 to
 * 10.0.0.1:9090) with seq, flags and data. */
static void
put_segment(FILE *out, uint32_t seq, uint8_t flags, const char *data)
{
	static const uint8_t cli[4] = { 10, 0, 0, 5 }, srv[4] = { 10, 0, 0, 1 };
	uint8_t tcp[20 + 32] = { 0x9c, 0x40, 0x23, 0x82 }, pkt[20 + 52];
	uint32_t rec[4] = { 0, 0, 0, 0 };
	size_t dlen = strlen(data), n;

	assert_true(dlen <= 32);
	tcp[4] = (uint8_t)(seq >> 24);
	tcp[5] = (uint8_t)(seq >> 16);
	tcp[6] = (uint8_t)(seq >> 8);
	tcp[7] = (uint8_t)seq;
	tcp[12] = 0x50;
	tcp[13] = flags;
	tcp[14] = 0x20;
	memcpy(tcp + 20, data, dlen);
	n = unit_ip4(pkt, 6, cli, srv, 7, 0x4000, tcp, 20 + dlen);
	rec[2] = rec[3] = (uint32_t)n;
	assert_int_equal(fwrite(rec, sizeof rec, 1, out), 1);
	assert_int_equal(fwrite(pkt, 1, n, out), n);
}

/* A capture: SYN, the request's second segment, then its first. */
static void
write_capture(char *path)
{
	static const uint32_t hdr[6] = { 0xa1b2c3d4, 2 | 4u << 16, 0, 0,
	    65535, 101 };
	int fd = mkstemp(path);
	FILE *out;

	assert_true(fd >= 0);
	out = fdopen(fd, "wb");
	assert_non_null(out);
	assert_int_equal(fwrite(hdr, sizeof hdr, 1, out), 1);
	put_segment(out, 700, 0x02, "");
	put_segment(out, 701 + sizeof first - 1, 0x18, early);
	put_segment(out, 701, 0x18, first);
	assert_int_equal(fclose(out), 0);
}

static int
follow(const char *path, struct follow *fo, char *err, size_t errlen)
{
	struct conn c;

	memset(&c, 0, sizeof c);
	assert_true(addr_parse("10.0.0.5", &c.caddr));
	assert_true(addr_parse("10.0.0.1", &c.saddr));
	c.cport = 40000;
	c.sport = 9090;
	err[0] = '\0';
	return follow_conn(path, NULL, &c, 0, fo, err, errlen);
}

static void
test_early_segment_oom(void **state)
{
	char path[] = "/tmp/gw502followoom.XXXXXX", err[256];
	struct follow fo;

	(void)state;
	write_capture(path);
	assert_int_equal(follow(path, &fo, err, sizeof err), 0);
	assert_int_equal(fo.len, sizeof first - 1 + sizeof early - 1);
	assert_memory_equal(fo.data, first, sizeof first - 1);
	assert_memory_equal(fo.data + sizeof first - 1, early,
	    sizeof early - 1);
	assert_int_equal(fo.gap_bytes, 0);
	follow_free(&fo);
#ifndef FOLLOW_OOM_ASAN
	fail_size = sizeof early - 1;
	failed = 0;
	assert_int_equal(follow(path, &fo, err, sizeof err), -1);
	fail_size = 0;
	assert_true(failed > 0);
	assert_true(err[0] != '\0');
	assert_null(strchr(err, '\n'));
	assert_null(fo.data);
	assert_int_equal(fo.len, 0);
	assert_int_equal(fo.nchunks, 0);
#endif
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_early_segment_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
