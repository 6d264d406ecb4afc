/* unit_tls.h: TLS handshake messages written by hand as RFC 8446
 * 4.1.2-4.1.3 lays them out (handshake header, no record header), for the
 * decoder's tests and the flow's (header only: the tests are one file
 * each). */
#ifndef GW_UNIT_TLS_H
#define GW_UNIT_TLS_H

#include <string.h>

#include "proto/tls.h"
#include "unit_wbuf.h"

/* Writes a 16-bit length at `at` for what follows it up to the end. */
static inline void
ut_fix16(struct wbuf *w, size_t at)
{
	size_t len = w->n - at - 2;

	w->b[at] = (uint8_t)(len >> 8);
	w->b[at + 1] = (uint8_t)len;
}

/* The handshake header's 24-bit length, for what follows it. */
static inline void
ut_fix_handshake(struct wbuf *w)
{
	w->b[1] = (uint8_t)((w->n - 4) >> 16);
	w->b[2] = (uint8_t)((w->n - 4) >> 8);
	w->b[3] = (uint8_t)(w->n - 4);
}

/* Into w, from its start: a hello's handshake header (its length fixed
 * later by ut_fix_handshake), legacy version TLS 1.2, its random. */
static inline void
ut_hello_start(struct wbuf *w, unsigned type, uint8_t random_first)
{
	uint8_t random[32] = { random_first };

	w->n = 0;
	w8(w, type);
	w8(w, 0);
	w16(w, 0);
	w16(w, 0x0303);
	wbytes(w, random, sizeof random);
}

/*
 * Into w, from its start: a ClientHello with a session id, two suites,
 * the null compression, an ec_point_formats extension, then server_name
 * with sni (the last extension) when sni is not NULL.
 */
static inline void
ut_client_hello(struct wbuf *w, const char *sni)
{
	size_t ext_at, sni_at, list_at;

	ut_hello_start(w, TLS_HS_CLIENT_HELLO, 1);
	w8(w, 4);
	wbytes(w, "sess", 4);
	w16(w, 4);
	w16(w, 0x1301);
	w16(w, 0xc02f);
	w8(w, 1);
	w8(w, 0);
	ext_at = w->n;
	w16(w, 0);
	w16(w, 11);		/* ec_point_formats */
	w16(w, 2);
	w8(w, 1);
	w8(w, 0);
	if (sni != NULL) {
		w16(w, 0);	/* server_name */
		sni_at = w->n;
		w16(w, 0);
		list_at = w->n;
		w16(w, 0);
		w8(w, 0);
		w16(w, (unsigned)strlen(sni));
		wbytes(w, sni, strlen(sni));
		ut_fix16(w, list_at);
		ut_fix16(w, sni_at);
	}
	ut_fix16(w, ext_at);
	ut_fix_handshake(w);
}

/* Into w, from its start: a ServerHello with a key_share (cut short) and,
 * unless chosen is 0, supported_versions choosing it. */
static inline void
ut_server_hello(struct wbuf *w, unsigned chosen)
{
	size_t ext_at;

	ut_hello_start(w, TLS_HS_SERVER_HELLO, 9);
	w8(w, 0);
	w16(w, 0x1301);
	w8(w, 0);
	ext_at = w->n;
	w16(w, 0);
	w16(w, 51);		/* key_share, its contents cut short */
	w16(w, 2);
	w16(w, 0x001d);
	if (chosen) {
		w16(w, 43);
		w16(w, 2);
		w16(w, chosen);
	}
	ut_fix16(w, ext_at);
	ut_fix_handshake(w);
}

#endif
