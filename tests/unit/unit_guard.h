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
	size_t body;		/* readable bytes before the guard page */
	size_t maplen;
};

/* Room for inputs of up to max bytes, followed by the guard page. */
static inline void
unit_guard_init(struct unit_guard *g, size_t max)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	g->body = max == 0 ? pg : (max + pg - 1) / pg * pg;
	g->maplen = g->body + pg;
	g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g->map != MAP_FAILED);
	assert_int_equal(mprotect(g->map + g->body, pg, PROT_NONE), 0);
}

/* A copy of src[0..n) whose last byte is the last readable one. */
static inline uint8_t *
unit_guard_put(struct unit_guard *g, const void *src, size_t n)
{
	uint8_t *data;

	assert_true(n <= g->body);
	data = g->map + g->body - n;
	if (n > 0)
		memcpy(data, src, n);
	return data;
}

/* The last n writable bytes: an output buffer a write past n breaks. */
static inline char *
unit_guard_room(struct unit_guard *g, size_t n)
{
	assert_true(n <= g->body);
	return (char *)g->map + g->body - n;
}

/* unit_guard_init and unit_guard_put in one, for a single input. */
static inline uint8_t *
unit_guard_copy(struct unit_guard *g, const void *src, size_t n)
{
	unit_guard_init(g, n);
	return unit_guard_put(g, src, n);
}

static inline void
unit_guard_free(struct unit_guard *g)
{
	assert_int_equal(munmap(g->map, g->maplen), 0);
}

#endif
