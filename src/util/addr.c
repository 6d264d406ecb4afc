/* addr.c: IPv4/IPv6 address values. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

/*
 * Dotted quad, as inet_ntop writes it: it is printed for every request of
 * a report and every evidence row, where inet_ntop's sprintf per octet
 * was a tenth of the time. Each octet's digits come from a table (its
 * length, then the digits; written four bytes at a time), made by the
 * compiler from OCTET's arithmetic.
 */
#define OCT_D(n, k) ((char)('0' + (n) / (k) % 10))
#define OCTET(n) { (n) >= 100 ? 3 : (n) >= 10 ? 2 : 1, \
	(n) >= 100 ? OCT_D(n, 100) : (n) >= 10 ? OCT_D(n, 10) : OCT_D(n, 1), \
	(n) >= 100 ? OCT_D(n, 10) : (n) >= 10 ? OCT_D(n, 1) : 0, \
	(n) >= 100 ? OCT_D(n, 1) : 0 }
#define OCTET4(n) OCTET(n), OCTET(n + 1), OCTET(n + 2), OCTET(n + 3)
#define OCTET16(n) OCTET4(n), OCTET4(n + 4), OCTET4(n + 8), OCTET4(n + 12)
#define OCTET64(n) OCTET16(n), OCTET16(n + 16), OCTET16(n + 32), \
	OCTET16(n + 48)
static const char octets[256][4] = {
	OCTET64(0), OCTET64(64), OCTET64(128), OCTET64(192)
};

static size_t
fmt4(const uint8_t a[4], char out[ADDR_STRLEN])
{
	char *p = out;

	for (int i = 0; i < 4; i++) {
		const char *o = octets[a[i]];

		if (i > 0)
			*p++ = '.';
		memcpy(p, o + 1, 3);	/* room: 15 bytes and the NUL */
		p += o[0];
	}
	*p = '\0';
	return (size_t)(p - out);
}

size_t
addr_text(const struct gw_addr *x, char out[ADDR_STRLEN])
{
	if (x->family == 4)
		return fmt4(x->a, out);
	if (x->family == 6 && inet_ntop(AF_INET6, x->a, out, ADDR_STRLEN))
		return strlen(out);
	memcpy(out, "-", 2);
	return 1;
}

const char *
addr_fmt(const struct gw_addr *x, char *out, size_t outlen)
{
	char tmp[ADDR_STRLEN];
	size_t n;

	if (outlen >= ADDR_STRLEN) {
		addr_text(x, out);
		return out;
	}
	if (outlen == 0)
		return out;
	/* Format into a full-size buffer so a short outlen truncates. */
	n = addr_text(x, tmp);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, tmp, n);
	out[n] = '\0';
	return out;
}

const char *
addr_port_fmt(const struct gw_addr *x, uint16_t port, char *out,
    size_t outlen)
{
	char a[ADDR_PORT_STRLEN], digits[5];
	size_t n = 0, k = sizeof digits;

	if (outlen == 0)
		return out;
	if (x->family == 6)
		a[n++] = '[';
	n += addr_text(x, a + n);
	if (x->family == 6)
		a[n++] = ']';
	a[n++] = ':';
	do {
		digits[--k] = (char)('0' + port % 10);
		port /= 10;
	} while (port > 0);
	memcpy(a + n, digits + k, sizeof digits - k);
	n += sizeof digits - k;
	/* as snprintf would cut it */
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, a, n);
	out[n] = '\0';
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
