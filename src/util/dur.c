/* dur.c: durations as text, rounded by one rule (dur.h). */
#include <stdbool.h>
#include <stdio.h>

#include "dur.h"

#define NS_US 1000LL
#define NS_MS 1000000LL
#define NS_S 1000000000LL

int64_t
dur_round(int64_t ns, int64_t unit)
{
	/* on the magnitude, unsigned: -INT64_MIN does not overflow */
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
	uint64_t u = (uint64_t)unit;
	int64_t r = (int64_t)(a / u + (a % u >= u - u / 2));

	return ns < 0 ? -r : r;
}

const char *
dur_fmt_secs(int64_t ns, char *buf, size_t len)
{
	int64_t ms = dur_round(ns, NS_MS);
	int64_t a = ms < 0 ? -ms : ms;

	/* a negative duration that rounds to 0 is 0: no "-0.000" */
	snprintf(buf, len, "%s%lld.%03lld s", ms < 0 ? "-" : "",
	    (long long)(a / 1000), (long long)(a % 1000));
	return buf;
}

/* dur_fmt_secs with a '+' before what rounds to more than 0 (or to 0 as
 * well: zero_plus); a negative one has its '-' already. */
static const char *
fmt_signed(int64_t ns, bool zero_plus, char *buf, size_t len)
{
	int64_t ms = dur_round(ns, NS_MS);
	size_t sign = (ms > 0 || (ms == 0 && zero_plus)) && len > 1;

	if (sign)
		buf[0] = '+';
	dur_fmt_secs(ns, buf + sign, len - sign);
	return buf;
}

const char *
dur_fmt_offset(int64_t ns, char *buf, size_t len)
{
	return fmt_signed(ns, false, buf, len);
}

const char *
dur_fmt_rel(int64_t ns, char *buf, size_t len)
{
	return fmt_signed(ns, true, buf, len);
}

const char *
dur_fmt_short(int64_t ns, char *buf, size_t len)
{
	int64_t ms = dur_round(ns, NS_MS);
	int64_t s = dur_round(ns, NS_S);

	if (ns < 0)
		snprintf(buf, len, "-");
	else if (ms == 0)	/* reads 0.000 s in the reports: still true */
		snprintf(buf, len, "%lldus", (long long)dur_round(ns, NS_US));
	else if (ms < 1000)
		snprintf(buf, len, "%lldms", (long long)ms);
	else if (ms < 60000)	/* the reports' three decimals, same digits */
		snprintf(buf, len, "%lld.%03llds", (long long)(ms / 1000),
		    (long long)(ms % 1000));
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", (long long)(s / 60),
		    (long long)(s % 60));
	else
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600),
		    (long long)(s / 60 % 60));
	return buf;
}
