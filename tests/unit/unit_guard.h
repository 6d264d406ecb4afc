/*
 * unit_guard.h: bytes placed so that they end exactly where an inaccessible
 * page begins. A decoder that reads even one byte past the length it was
 * given then dies with SIGSEGV, in the plain build too (where ASan, which
 * the heap copies of the other decoder tests rely on, is absent). Header
 * only: each test is one file.
 */
#ifndef GW_UNIT_GUARD_H
#define GW_UNIT_GUARD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct unit_guard {
	uint8_t *map;
	size_t maplen;
};

/* A copy of src[0..n) whose last byte is the last readable one. */
static inline uint8_t *
unit_guard_copy(struct unit_guard *g, const void *src, size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t body = n == 0 ? pg : (n + pg - 1) / pg * pg;
	uint8_t *data;

	g->maplen = body + pg;
	g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g->map != MAP_FAILED);
	assert_int_equal(mprotect(g->map + body, pg, PROT_NONE), 0);
	data = g->map + body - n;
	if (n > 0)
		memcpy(data, src, n);
	return data;
}

static inline void
unit_guard_free(struct unit_guard *g)
{
	assert_int_equal(munmap(g->map, g->maplen), 0);
}

#endif
