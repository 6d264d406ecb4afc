/*
 * fuzz_escape.c: the one function every network byte goes through on its
 * way to a terminal (esc_term) and the JSON one (esc_json). Whatever the
 * input and the output size, the output must hold no C0 control, DEL, ESC
 * or C1 code (as a byte or as a UTF-8 character), be valid UTF-8 (ASCII
 * only when utf8 is off), be NUL-terminated inside out, and consume input
 * only as far as it wrote.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"

#include "fuzz_common.h"

/* Valid UTF-8 without C0/C1 controls or DEL. */
static void
check_term_out(const unsigned char *s, size_t n, bool utf8)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t k, len;

		FUZZ_ASSERT(c >= 0x20 && c != 0x7f);
		if (c < 0x80) {
			i++;
			continue;
		}
		FUZZ_ASSERT(utf8);
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			FUZZ_ASSERT(!"invalid UTF-8 lead byte in output");
		FUZZ_ASSERT(i + len <= n);
		for (k = 1; k < len; k++) {
			FUZZ_ASSERT((s[i + k] & 0xc0) == 0x80);
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		FUZZ_ASSERT(!(cp >= 0x80 && cp <= 0x9f));	/* C1 */
		FUZZ_ASSERT(!(cp >= 0xd800 && cp <= 0xdfff));
		FUZZ_ASSERT(cp <= 0x10ffff);
		FUZZ_ASSERT(!(len == 3 && cp < 0x800));
		FUZZ_ASSERT(!(len == 4 && cp < 0x10000));
		i += len;
	}
}

static void
check_json_out(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(s[i] >= 0x20 && s[i] != 0x7f);
		if (s[i] == '\\') {
			FUZZ_ASSERT(i + 1 < n);
			i++;
			FUZZ_ASSERT(strchr("\"\\/bfnrtu", s[i]) != NULL);
			if (s[i] == 'u')
				FUZZ_ASSERT(i + 4 < n);
		} else {
			FUZZ_ASSERT(s[i] != '"');
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t outlen, used, n;
	const char *in;
	char *out, *copy;

	if (size < 1)
		return 0;
	outlen = data[0] == 0 ? 0 : (size_t)data[0] % 64 + 1;
	if (data[0] >= 0xc0)
		outlen = 6 * size + 16;	/* enough for \u00XX per byte */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data + 1, size - 1);
	in = copy;
	out = malloc(outlen ? outlen : 1);
	if (out == NULL)
		abort();

	for (int utf8 = 0; utf8 < 2; utf8++) {
		used = esc_term(in, size - 1, out, outlen, utf8);
		FUZZ_ASSERT(used <= size - 1);
		if (outlen > 0) {
			n = strnlen(out, outlen);
			FUZZ_ASSERT(n < outlen);
			check_term_out((const unsigned char *)out, n, utf8);
			if (data[0] >= 0xc0)
				FUZZ_ASSERT(used == size - 1);
		}
	}
	used = esc_json(in, size - 1, out, outlen);
	FUZZ_ASSERT(used <= size - 1);
	if (outlen > 0) {
		n = strnlen(out, outlen);
		FUZZ_ASSERT(n < outlen);
		/* the cut may fall inside no escape: check the whole */
		check_json_out((const unsigned char *)out, n);
		if (data[0] >= 0xc0)
			FUZZ_ASSERT(used == size - 1);
	}
	free(out);
	free(copy);
	return 0;
}
