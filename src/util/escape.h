/*
 * escape.h: the one way bytes that came from the network reach a terminal
 * or a report: control characters, ESC, C1 codes, DEL and invalid UTF-8
 * become visible escapes (\e, \r, \x9b …), so a URL or a stream cannot
 * move the cursor, retitle the window or hide text.
 */
#ifndef GW_ESCAPE_H
#define GW_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Escapes len bytes of in into out (always NUL-terminated when outlen > 0).
 * utf8: keep valid UTF-8 sequences (else every byte ≥ 0x80 is escaped).
 * Returns the number of input bytes consumed (less than len when out was
 * too small).
 */
size_t esc_term(const char *in, size_t len, char *out, size_t outlen,
    bool utf8);
/* Same, for a NUL-terminated string. */
size_t esc_term_str(const char *in, char *out, size_t outlen, bool utf8);
/*
 * JSON string body (no quotes); invalid UTF-8 bytes become \u00XX, and
 * the invisible format characters (bidi controls, zero-width marks, BOM,
 * U+2028/2029 …) \uXXXX, so no viewer of the JSON reorders or hides text.
 */
size_t esc_json(const char *in, size_t len, char *out, size_t outlen);

#endif
