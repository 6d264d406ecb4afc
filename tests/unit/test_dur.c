/*
 * test_dur.c: one rounding rule for durations, so the request list, the
 * evidence pane and the reports agree (the list once cut 15.746 ms to
 * "15ms" while the reports said "0.016 s").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/dur.h"

static void
test_round_half_away_from_zero(void **state)
{
	(void)state;
	assert_int_equal(dur_round(15746000, 1000000), 16);
	assert_int_equal(dur_round(15499999, 1000000), 15);
	assert_int_equal(dur_round(15500000, 1000000), 16);
	assert_int_equal(dur_round(-15500000, 1000000), -16);
	assert_int_equal(dur_round(-400000, 1000000), 0);
	assert_int_equal(dur_round(INT64_MIN, 1000000000), -9223372037LL);
}

/* The lab captures' requests the list once showed cut, not rounded. */
static void
test_list_and_reports_agree(void **state)
{
	static const struct {
		int64_t ns;
		const char *list, *report;
	} cases[] = {
		{ 15746000, "16ms", "0.016 s" },	/* gw502-lab #5 */
		{ 248600000, "249ms", "0.249 s" },	/* gw502-lab #18 */
		{ 4600000, "5ms", "0.005 s" },		/* lab-squid #3 */
		{ 400000, "400us", "0.000 s" },
		{ 999600000, "1.000s", "1.000 s" },
		{ 1234500000, "1.235s", "1.235 s" },
		{ 59999600000, "1m00s", "60.000 s" },
		{ 3599600000000, "1h00m", "3599.600 s" },
	};
	char list[16], report[16];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_string_equal(dur_fmt_short(cases[i].ns, list,
		    sizeof list), cases[i].list);
		assert_string_equal(dur_fmt_secs(cases[i].ns, report,
		    sizeof report), cases[i].report);
	}
	assert_string_equal(dur_fmt_short(-1, list, sizeof list), "-");
}

/* A negative duration that rounds to nothing has no sign: not "-0.000". */
static void
test_no_negative_zero(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(dur_fmt_secs(-400000, buf, sizeof buf),
	    "0.000 s");
	assert_string_equal(dur_fmt_secs(-1500000, buf, sizeof buf),
	    "-0.002 s");
	/* the access log's clock offset (alog/report.c) */
	assert_string_equal(dur_fmt_offset(-400000, buf, sizeof buf),
	    "0.000 s");
	assert_string_equal(dur_fmt_offset(12000000, buf, sizeof buf),
	    "+0.012 s");
	assert_string_equal(dur_fmt_offset(-12000000, buf, sizeof buf),
	    "-0.012 s");
	/* the evidence's times relative to the request keep "+0.000 s" */
	assert_string_equal(dur_fmt_rel(-400000, buf, sizeof buf),
	    "+0.000 s");
	assert_string_equal(dur_fmt_rel(5500000, buf, sizeof buf),
	    "+0.006 s");
	assert_string_equal(dur_fmt_rel(-5500000, buf, sizeof buf),
	    "-0.006 s");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_half_away_from_zero),
		cmocka_unit_test(test_list_and_reports_agree),
		cmocka_unit_test(test_no_negative_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
