/* addr.c: IPv4/IPv6 address values. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

/* Bytes of a[] that carry the address; the rest must not affect equality. */
static size_t
addr_len(const struct gw_addr *x)
{
	return x->family == 4 ? 4 : x->family == 6 ? 16 : 0;
}

bool
addr_eq(const struct gw_addr *x, const struct gw_addr *y)
{
	return x->family == y->family &&
	    memcmp(x->a, y->a, addr_len(x)) == 0;
}

/* FNV-1a over family and the used bytes. */
uint32_t
addr_hash(const struct gw_addr *x)
{
	uint32_t h = 2166136261u;
	size_t i, n = addr_len(x);

	h = (h ^ x->family) * 16777619u;
	for (i = 0; i < n; i++)
		h = (h ^ x->a[i]) * 16777619u;
	return h;
}

const char *
addr_fmt(const struct gw_addr *x, char *out, size_t outlen)
{
	char tmp[ADDR_STRLEN];
	const char *s = NULL;

	if (outlen == 0)
		return out;
	/* Format into a full-size buffer so a short outlen truncates. */
	if (x->family == 4)
		s = inet_ntop(AF_INET, x->a, tmp, sizeof tmp);
	else if (x->family == 6)
		s = inet_ntop(AF_INET6, x->a, tmp, sizeof tmp);
	if (s == NULL)
		s = "-";
	snprintf(out, outlen, "%s", s);
	return out;
}

const char *
addr_port_fmt(const struct gw_addr *x, uint16_t port, char *out,
    size_t outlen)
{
	char a[ADDR_STRLEN];

	if (outlen == 0)
		return out;
	addr_fmt(x, a, sizeof a);
	snprintf(out, outlen, x->family == 6 ? "[%s]:%u" : "%s:%u", a, port);
	return out;
}

bool
addr_parse(const char *text, struct gw_addr *out)
{
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, text, out->a) == 1) {
		out->family = 4;
		return true;
	}
	if (inet_pton(AF_INET6, text, out->a) == 1) {
		out->family = 6;
		return true;
	}
	memset(out, 0, sizeof *out);
	return false;
}

void
addr_set4(struct gw_addr *x, const uint8_t *bytes)
{
	memset(x, 0, sizeof *x);
	x->family = 4;
	memcpy(x->a, bytes, 4);
}

void
addr_set6(struct gw_addr *x, const uint8_t *bytes)
{
	x->family = 6;
	memcpy(x->a, bytes, 16);
}
