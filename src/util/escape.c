/* escape.c: terminal-safe and JSON-safe renderings of untrusted bytes. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

#define ESC_TMP 16	/* the longest replacement made on the spot, with NUL */

/* Length of a valid UTF-8 sequence at s (1..4), 0 if invalid or C1. */
static size_t
utf8_seq(const unsigned char *s, size_t len, uint32_t *out_cp)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80) {
		*out_cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF, and C1 controls */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	*out_cp = cp;
	return n;
}

/*
 * Invisible format characters that reorder or hide text on a terminal or
 * in a log viewer: Unicode's format controls (bidi marks, embeddings,
 * overrides and isolates, zero-width characters, BOM, Arabic number
 * signs, interlinear annotation, tags) and the line and paragraph
 * separators U+2028/2029, which some viewers break lines at.
 */
static bool
is_invisible(uint32_t cp)
{
	return cp == 0x00ad || (cp >= 0x0600 && cp <= 0x0605) ||
	    cp == 0x061c || cp == 0x06dd || cp == 0x070f || cp == 0x08e2 ||
	    cp == 0x180e || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) ||
	    cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) ||
	    (cp >= 0x1d173 && cp <= 0x1d17a) || cp == 0xe0001 ||
	    (cp >= 0xe0020 && cp <= 0xe007f);
}

/* JSON's \uXXXX for cp (a surrogate pair beyond the BMP) into tmp. */
static const char *
json_u(uint32_t cp, char tmp[ESC_TMP])
{
	if (cp < 0x10000)
		snprintf(tmp, ESC_TMP, "\\u%04x", (unsigned)cp);
	else
		snprintf(tmp, ESC_TMP, "\\u%04x\\u%04x",
		    (unsigned)(0xd800 + ((cp - 0x10000) >> 10)),
		    (unsigned)(0xdc00 + ((cp - 0x10000) & 0x3ff)));
	return tmp;
}

/* How one mode writes what it does not pass through. */
enum esc_mode { ESC_TERM, ESC_TERM_UTF8, ESC_JSON };

/*
 * The replacement for the byte sequence at s (NULL: copy its *n bytes as
 * they are). tmp holds a replacement made on the spot.
 */
static const char *
esc_one(const unsigned char *s, size_t left, enum esc_mode mode, size_t *n,
    char tmp[ESC_TMP])
{
	uint32_t cp = 0;

	*n = 1;
	switch (s[0]) {
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	case '"': return mode == ESC_JSON ? "\\\"" : NULL;
	case 0x1b: if (mode != ESC_JSON) return "\\e"; break;
	default: break;
	}
	if (s[0] >= 0x80) {
		*n = mode == ESC_TERM ? 0 : utf8_seq(s, left, &cp);
		if (*n != 0 && is_invisible(cp)) {
			if (mode == ESC_JSON)
				return json_u(cp, tmp);	/* all *n bytes */
			*n = 0;
		}
		if (*n != 0)
			return NULL;
		*n = 1;
	} else if (s[0] >= 0x20 && s[0] != 0x7f) {
		return NULL;
	}
	snprintf(tmp, ESC_TMP, mode == ESC_JSON ? "\\u%04x" : "\\x%02x", s[0]);
	return tmp;
}

static size_t
esc_run(const char *in, size_t len, char *out, size_t outlen,
    enum esc_mode mode)
{
	const unsigned char *s = (const unsigned char *)in;
	char tmp[ESC_TMP];
	const char *rep;
	size_t i = 0, o = 0, n, replen;

	if (outlen == 0)
		return 0;
	while (i < len) {
		rep = esc_one(s + i, len - i, mode, &n, tmp);
		replen = rep ? strlen(rep) : n;
		if (o + replen >= outlen)
			break;	/* never half an escape */
		memcpy(out + o, rep ? rep : (const char *)s + i, replen);
		o += replen;
		i += n;
	}
	out[o] = '\0';
	return i;
}

size_t
esc_term(const char *in, size_t len, char *out, size_t outlen, bool utf8)
{
	return esc_run(in, len, out, outlen, utf8 ? ESC_TERM_UTF8 : ESC_TERM);
}

size_t
esc_term_str(const char *in, char *out, size_t outlen, bool utf8)
{
	return esc_term(in, strlen(in), out, outlen, utf8);
}

size_t
esc_json(const char *in, size_t len, char *out, size_t outlen)
{
	return esc_run(in, len, out, outlen, ESC_JSON);
}
