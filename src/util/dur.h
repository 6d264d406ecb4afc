/*
 * dur.h: a duration's text. One rounding rule (to the nearest unit shown,
 * halves away from zero) for every output, so the request list, the
 * evidence pane and the reports never read the same duration differently.
 */
#ifndef GW_DUR_H
#define GW_DUR_H

#include <stddef.h>
#include <stdint.h>

/* ns in whole units (unit > 0), rounded to the nearest, halves away
 * from zero. */
int64_t dur_round(int64_t ns, int64_t unit);
/* Seconds with 3 decimals: "0.016 s" (the reports, the evidence pane).
 * Returns buf. */
const char *dur_fmt_secs(int64_t ns, char *buf, size_t len);
/* An offset between clocks, signed: "+0.012 s", "-0.012 s", and
 * "0.000 s" (no sign) when it rounds to 0. Returns buf. */
const char *dur_fmt_offset(int64_t ns, char *buf, size_t len);
/* A time relative to another (the evidence's rel, offset, interval):
 * signed, "+0.000 s" when it rounds to 0 (columns stay aligned), never
 * "-0.000 s". Returns buf. */
const char *dur_fmt_rel(int64_t ns, char *buf, size_t len);
/* The same duration in at most 7 columns: "400us", "16ms", "1.235s",
 * "2m05s", "1h02m"; "-" when negative (not known). Returns buf. */
const char *dur_fmt_short(int64_t ns, char *buf, size_t len);

#endif
