/* test_escape.c: the one escaping function for terminal and JSON output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/escape.h"

static void
test_controls_become_visible(void **state)
{
	char out[128];

	(void)state;
	esc_term_str("a\x1b[2Jb\r\n\t\x07\x7f", out, sizeof out, true);
	assert_string_equal(out, "a\\e[2Jb\\r\\n\\t\\x07\\x7f");
	assert_null(strchr(out, 0x1b));
}

static void
test_c1_and_invalid_utf8(void **state)
{
	char out[128];

	(void)state;
	/* U+009B (CSI as UTF-8), a lone 0x9b, an overlong '/', a surrogate */
	esc_term_str("\xc2\x9b|\x9b|\xc0\xaf|\xed\xa0\x80", out, sizeof out,
	    true);
	assert_string_equal(out,
	    "\\xc2\\x9b|\\x9b|\\xc0\\xaf|\\xed\\xa0\\x80");
	/* valid UTF-8 stays, unless the terminal is not UTF-8 */
	esc_term_str("é", out, sizeof out, true);
	assert_string_equal(out, "é");
	esc_term_str("é", out, sizeof out, false);
	assert_string_equal(out, "\\xc3\\xa9");
}

static void
test_truncation_never_splits_escapes(void **state)
{
	char out[6];
	size_t used;

	(void)state;
	used = esc_term_str("ab\x1b" "cd", out, sizeof out, true);
	assert_string_equal(out, "ab\\ec");
	assert_int_equal(used, 4);
	used = esc_term_str("ab\x1b" "cd", out, 4, true);
	assert_string_equal(out, "ab");	/* "\\e" would not fit whole */
	assert_int_equal(used, 2);
	used = esc_term_str("\x01", out, 4, true);	/* "\x01" needs 4+1 */
	assert_string_equal(out, "");
	assert_int_equal(used, 0);
	assert_int_equal(esc_term_str("x", out, 0, true), 0);
}

static void
test_bidi_and_invisible(void **state)
{
	char out[128];

	(void)state;
	/* U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE, U+FEFF */
	esc_term_str("a\xe2\x80\xae" "b\xe2\x80\x8b" "c\xef\xbb\xbf", out,
	    sizeof out, true);
	assert_string_equal(out,
	    "a\\xe2\\x80\\xaeb\\xe2\\x80\\x8bc\\xef\\xbb\\xbf");
}

static void
test_json(void **state)
{
	char out[128];

	(void)state;
	esc_json("q\"b\\\n\x01\xff" "é", 9, out, sizeof out);
	assert_string_equal(out, "q\\\"b\\\\\\n\\u0001\\u00ffé");
}

/* Every bidi or format control, and U+2028/2029, as \uXXXX in JSON. */
static void
test_json_invisible(void **state)
{
	static const struct {
		const char *utf8, *json;
	} c[] = {
		{ "\xe2\x80\xae", "\\u202e" },	/* RLO */
		{ "\xe2\x80\xaa", "\\u202a" },	/* LRE */
		{ "\xe2\x81\xa6", "\\u2066" },	/* LRI */
		{ "\xe2\x81\xa9", "\\u2069" },	/* PDI */
		{ "\xe2\x80\x8b", "\\u200b" },	/* ZWSP */
		{ "\xe2\x80\x8f", "\\u200f" },	/* RLM */
		{ "\xef\xbb\xbf", "\\ufeff" },	/* BOM */
		{ "\xd8\x9c", "\\u061c" },	/* ALM */
		{ "\xe2\x80\xa8", "\\u2028" },	/* LINE SEPARATOR */
		{ "\xe2\x80\xa9", "\\u2029" },	/* PARAGRAPH SEPARATOR */
		{ "\xc2\xad", "\\u00ad" },	/* SOFT HYPHEN */
		{ "\xf3\xa0\x80\x81", "\\udb40\\udc01" },	/* LANGUAGE TAG */
	};
	char in[32], want[64], out[64];

	(void)state;
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		snprintf(in, sizeof in, "a%sb", c[i].utf8);
		snprintf(want, sizeof want, "a%sb", c[i].json);
		esc_json(in, strlen(in), out, sizeof out);
		assert_string_equal(out, want);
	}
	/* visible letters beyond ASCII stay as they are */
	esc_json("\xc3\xa9\xe4\xb8\xad", 5, out, sizeof out);
	assert_string_equal(out, "\xc3\xa9\xe4\xb8\xad");
}

static void
test_embedded_nul(void **state)
{
	char out[32];

	(void)state;
	esc_term("a\0b", 3, out, sizeof out, true);
	assert_string_equal(out, "a\\x00b");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls_become_visible),
		cmocka_unit_test(test_c1_and_invalid_utf8),
		cmocka_unit_test(test_truncation_never_splits_escapes),
		cmocka_unit_test(test_bidi_and_invisible),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_invisible),
		cmocka_unit_test(test_embedded_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
