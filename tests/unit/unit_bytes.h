/* unit_bytes.h: a test's file image written field by field in either
 * byte order (header only: the tests are one file each). */
#ifndef GW_UNIT_BYTES_H
#define GW_UNIT_BYTES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/*
 * put8, put16, put32 and putfill (n bytes counting up from fill) for a
 * struct T with a byte array d, its fill n and bool be (big-endian); the
 * test fails when d is full.
 */
#define UNIT_BYTE_WRITERS(T)						\
static inline void							\
put8(T *b, uint8_t v)							\
{									\
	assert_true(b->n < sizeof b->d);				\
	b->d[b->n++] = v;						\
}									\
static inline void							\
put16(T *b, uint16_t v)							\
{									\
	put8(b, (uint8_t)(b->be ? v >> 8 : v));				\
	put8(b, (uint8_t)(b->be ? v : v >> 8));				\
}									\
static inline void							\
put32(T *b, uint32_t v)							\
{									\
	put16(b, (uint16_t)(b->be ? v >> 16 : v));			\
	put16(b, (uint16_t)(b->be ? v : v >> 16));			\
}									\
static inline void							\
putfill(T *b, uint32_t n, uint8_t fill)					\
{									\
	while (n-- > 0)							\
		put8(b, fill++);					\
}

#endif
