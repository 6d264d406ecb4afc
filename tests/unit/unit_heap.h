/*
 * unit_heap.h: bytes the program holds on the heap, for the tests that a
 * whole run gives back everything (a deleted free() then fails without a
 * sanitizer). glibc lets a program replace malloc (its manual, "Replacing
 * malloc"): these counting wrappers forward to __libc_malloc and friends.
 * glibc's own mallinfo2() cannot tell: chunks cached in a thread's tcache
 * count as in use. Under AddressSanitizer, which has its own allocator
 * and finds leaks itself, unit_heap_live() is 0 and the wrappers are
 * left out. Header only: each test is one file.
 */
#ifndef GW_UNIT_HEAP_H
#define GW_UNIT_HEAP_H

#include <malloc.h>
#include <stddef.h>

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
#else
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static size_t unit_heap_bytes;	/* usable bytes of the live blocks */

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

void *
calloc(size_t n, size_t size)
{
	void *p = __libc_calloc(n, size);

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
