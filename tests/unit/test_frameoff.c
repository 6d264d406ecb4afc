/*
 * test_frameoff.c: a frame reference keeps its record offset's low 24 bits
 * (frame.h) and the capture's table of high bits gives the rest back
 * (frameoff.h): exactly, for files past 16 MB, a ring's members (each
 * its sequence number in the high bits) and offsets that go back; a
 * table that ran out of memory says so for the frames after, never
 * another frame's offset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "capture/frameoff.h"

#if defined(__SANITIZE_ADDRESS__)
#define FRAMEOFF_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FRAMEOFF_ASAN 1
#endif
#endif

#ifndef FRAMEOFF_ASAN
static size_t fail_size;	/* realloc(_, fail_size) fails; 0: none */

extern void *__libc_realloc(void *, size_t);

void *
realloc(void *p, size_t n)
{
	if (fail_size != 0 && n == fail_size)
		return NULL;
	return __libc_realloc(p, n);
}
#endif

#define NFRAMES 3000

static uint64_t offsets[NFRAMES + 1];

/* Notes frames 1..n at offsets[], then checks every reference. */
static void
note_and_check(size_t n, size_t max_entries)
{
	struct frame_offsets fo = { 0 };

	for (size_t i = 1; i <= n; i++)
		frameoff_note(&fo, &(struct frame){ .number = i,
		    .offset = offsets[i] });
	assert_true(fo.n <= max_entries);
	for (size_t i = 1; i <= n; i++) {
		struct frame_ref r = frame_ref_of(&(struct frame){
		    .number = i, .offset = offsets[i] });

		assert_int_equal(frameoff_get(&fo, &r), offsets[i]);
	}
	frameoff_free(&fo);
}

/* A file of 6 GB: records of some 2 MB, the high bits change every 8. */
static void
test_past_16mb(void **state)
{
	(void)state;
	offsets[1] = 24;
	for (size_t i = 2; i <= NFRAMES; i++)
		offsets[i] = offsets[i - 1] + 16 + 2000000 + i % 7;
	assert_true(offsets[NFRAMES] > (UINT64_C(5) << 30));
	note_and_check(NFRAMES, NFRAMES / 8 + 1);
}

/* Below 16 MB nothing is noted: the low bits are the offset. */
static void
test_small_file(void **state)
{
	struct frame_offsets fo = { 0 };
	struct frame_ref r;

	(void)state;
	for (size_t i = 1; i <= 100; i++)
		frameoff_note(&fo, &(struct frame){ .number = i,
		    .offset = 24 + 100 * i });
	assert_int_equal(fo.n, 0);
	r = frame_ref_of(&(struct frame){ .number = 50, .offset = 5024 });
	assert_int_equal(frameoff_get(&fo, &r), 5024);
	assert_int_equal(frameoff_get(NULL, &r), 5024);
	frameoff_free(&fo);
}

/* A ring: member k's offsets carry k from bit 40 up; a member may also
 * come back to a lower sequence number (a reload), and a member's first
 * record is near its start. */
static void
test_ring_members(void **state)
{
	static const uint64_t seqs[] = { 7, 8, 9, 3, 4 };

	(void)state;
	for (size_t i = 1; i <= NFRAMES; i++) {
		size_t m = (i - 1) / (NFRAMES / 5);
		uint64_t local = 24 + ((i - 1) % (NFRAMES / 5)) * 70000;

		offsets[i] = seqs[m] << 40 | local;
	}
	note_and_check(NFRAMES, 5 * (600 * 70000 / (1 << 24) + 1));
}

#ifndef FRAMEOFF_ASAN
/* Out of memory: the frames noted before keep their offsets; those
 * after have none (UINT64_MAX), not a wrong one. (Not under
 * AddressSanitizer, whose allocator is its own.) */
static void
test_out_of_memory(void **state)
{
	struct frame_offsets fo = { 0 };
	struct frame_ref r;

	(void)state;
	offsets[1] = 24;
	for (size_t i = 2; i <= NFRAMES; i++)
		offsets[i] = offsets[i - 1] + (UINT64_C(1) << 24);
	fail_size = 128 * 2 * sizeof(uint64_t);	/* the second growth */
	for (size_t i = 1; i <= NFRAMES; i++)
		frameoff_note(&fo, &(struct frame){ .number = i,
		    .offset = offsets[i] });
	fail_size = 0;
	assert_int_equal(fo.n, 64);	/* vec_reserve starts at 64 */
	assert_int_equal(fo.lost_from, 66);	/* frame 1's hi is 0 */
	for (size_t i = 1; i <= NFRAMES; i++) {
		r = frame_ref_of(&(struct frame){ .number = i,
		    .offset = offsets[i] });
		if (i < 66)
			assert_int_equal(frameoff_get(&fo, &r), offsets[i]);
		else
			assert_int_equal(frameoff_get(&fo, &r), UINT64_MAX);
	}
	frameoff_free(&fo);
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_past_16mb),
		cmocka_unit_test(test_small_file),
		cmocka_unit_test(test_ring_members),
#ifndef FRAMEOFF_ASAN
		cmocka_unit_test(test_out_of_memory),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
