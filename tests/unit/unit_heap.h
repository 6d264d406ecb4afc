/*
 * unit_heap.h: bytes the program holds on the heap, for the tests that a
 * whole run gives back everything (a deleted free() then fails without a
 * sanitizer). glibc lets a program replace malloc (its manual, "Replacing
 * malloc"): these counting wrappers forward to __libc_malloc and friends.
 * glibc's own mallinfo2() cannot tell: chunks cached in a thread's tcache
 * count as in use. Under AddressSanitizer, which has its own allocator
 * and finds leaks itself, unit_heap_live() is 0 and the wrappers are
 * left out. Header only: each test is one file.
 *
 * unit_heap_guard(pad) arms a guard for a block the code under test
 * allocates: the next calloc() gets pad bytes more, behind the size it
 * asked for, all 0xff; unit_heap_guard_intact(block) then tells whether
 * block was the one so allocated and nothing wrote behind it. A struct
 * read there reads as all ones: a flag set, a time of -1, an index
 * of ~0. Under AddressSanitizer, which finds such reads and writes
 * itself, nothing is armed and the guard is always intact.
 */
#ifndef GW_UNIT_HEAP_H
#define GW_UNIT_HEAP_H

#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNIT_HEAP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)	/* clang */
#define UNIT_HEAP_ASAN 1
#endif
#endif

#ifdef UNIT_HEAP_ASAN
static size_t
unit_heap_live(void)
{
	return 0;
}

static inline void
unit_heap_guard(size_t pad)
{
	(void)pad;
}

static inline int
unit_heap_guard_intact(const void *block)
{
	(void)block;
	return 1;
}
#else
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static size_t unit_heap_bytes;	/* usable bytes of the live blocks */
static size_t unit_heap_pad;	/* armed: bytes behind the next calloc */
static const unsigned char *unit_heap_guarded;	/* that block, once taken */
static size_t unit_heap_guarded_size;	/* the bytes it asked for */

static size_t
unit_heap_live(void)
{
	return unit_heap_bytes;
}

void *
malloc(size_t n)
{
	void *p = __libc_malloc(n);

	if (p != NULL)
		unit_heap_bytes += malloc_usable_size(p);
	return p;
}

static inline void
unit_heap_guard(size_t pad)
{
	unit_heap_pad = pad;
	unit_heap_guarded = NULL;
}

static inline int
unit_heap_guard_intact(const void *block)
{
	if (block == NULL || block != (const void *)unit_heap_guarded)
		return 0;
	for (size_t i = 0; i < unit_heap_pad; i++)
		if (unit_heap_guarded[unit_heap_guarded_size + i] != 0xff)
			return 0;
	return 1;
}

void *
calloc(size_t n, size_t size)
{
	size_t pad = unit_heap_guarded == NULL ? unit_heap_pad : 0;
	void *p;

	if (pad > 0 && size != 0 && n <= (SIZE_MAX - pad) / size) {
		p = __libc_calloc(1, n * size + pad);
		if (p != NULL) {
			memset((unsigned char *)p + n * size, 0xff, pad);
			unit_heap_guarded = p;
			unit_heap_guarded_size = n * size;
		}
	} else {
		p = __libc_calloc(n, size);
	}
	if (p != NULL)
		unit_heap_bytes += malloc_usable_size(p);
	return p;
}

void *
realloc(void *old, size_t n)
{
	size_t had = old != NULL ? malloc_usable_size(old) : 0;
	void *p = __libc_realloc(old, n);

	if (p != NULL || n == 0)
		unit_heap_bytes -= had;
	if (p != NULL)
		unit_heap_bytes += malloc_usable_size(p);
	return p;
}

void
free(void *p)
{
	if (p != NULL)
		unit_heap_bytes -= malloc_usable_size(p);
	__libc_free(p);
}
#endif

#endif
