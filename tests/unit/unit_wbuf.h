/* unit_wbuf.h: a message written by hand (DNS, TLS), field by field in
 * network byte order (header only: the tests are one file each). */
#ifndef GW_UNIT_WBUF_H
#define GW_UNIT_WBUF_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

struct wbuf {
	uint8_t b[2048];
	size_t n;
};

static inline void
w8(struct wbuf *w, unsigned v)
{
	assert_true(w->n < sizeof w->b);
	w->b[w->n++] = (uint8_t)v;
}

static inline void
w16(struct wbuf *w, unsigned v)
{
	w8(w, v >> 8);
	w8(w, v & 0xff);
}

static inline void
w32(struct wbuf *w, uint32_t v)
{
	w16(w, v >> 16);
	w16(w, v & 0xffff);
}

static inline void
wbytes(struct wbuf *w, const void *p, size_t n)
{
	assert_true(w->n + n <= sizeof w->b);
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

#endif
