/* addr.h: IPv4/IPv6 addresses as plain values, compared and printed. */
#ifndef GW_ADDR_H
#define GW_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* family is 4 or 6 (0: none); an IPv4 address uses the first 4 bytes of a[]. */
struct gw_addr {
	uint8_t family;
	uint8_t a[16];
};

#define ADDR_STRLEN 46

/*
 * Equality and hash are inline: the connection table asks them for every
 * frame (a call each, and a memcmp of a length known only at run time,
 * were a tenth of the per-frame work on small transactions).
 */
static inline bool
addr_eq(const struct gw_addr *x, const struct gw_addr *y)
{
	if (x->family != y->family)
		return false;
	/* only the bytes that carry the address count */
	if (x->family == 4)
		return memcmp(x->a, y->a, 4) == 0;
	return x->family != 6 || memcmp(x->a, y->a, 16) == 0;
}

/* FNV-1a over family and the used bytes. */
static inline uint32_t
addr_hash(const struct gw_addr *x)
{
	uint32_t h = (2166136261u ^ x->family) * 16777619u;
	int n = x->family == 4 ? 4 : x->family == 6 ? 16 : 0;

	for (int i = 0; i < n; i++)
		h = (h ^ x->a[i]) * 16777619u;
	return h;
}

/* Writes the textual form (inet_ntop style, "-" for none); returns out. */
const char *addr_fmt(const struct gw_addr *x, char *out, size_t outlen);
/* The same into a full-size buffer; returns its length (the reports
 * write it where it goes: it never needs escaping). */
size_t addr_text(const struct gw_addr *x, char out[ADDR_STRLEN]);
/* "10.0.0.1:80" or "[fd00::1]:80" (RFC 3986 brackets: an IPv6 address's
 * own colons would run into the port's); returns out. */
#define ADDR_PORT_STRLEN (ADDR_STRLEN + 8)
const char *addr_port_fmt(const struct gw_addr *x, uint16_t port, char *out,
    size_t outlen);
/* Parses dotted IPv4 or IPv6 text; returns false when it is neither. */
bool addr_parse(const char *text, struct gw_addr *out);

/* Set from the wire's bytes (inline: every frame sets two). */
static inline void
addr_set4(struct gw_addr *x, const uint8_t *bytes)
{
	memset(x, 0, sizeof *x);
	x->family = 4;
	memcpy(x->a, bytes, 4);
}

static inline void
addr_set6(struct gw_addr *x, const uint8_t *bytes)
{
	x->family = 6;
	memcpy(x->a, bytes, 16);
}

#endif
