/* report.c: what the two report formats share: selection and time. */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "report.h"

bool
report_wants(const struct engine *e, const struct txn *t,
    const struct report_opts *o)
{
	if (o->client.family &&
	    !addr_eq(&o->client, &e->flow.conns[t->conn].caddr))
		return false;
	if (o->txn_keep && !o->txn_keep[t - e->diag.txns])
		return false;
	return o->all || t->is_error;
}

void
report_iso_time(int64_t ts_ns, char *out, size_t outlen)
{
	time_t sec = (time_t)(ts_ns / 1000000000LL);
	long usec = (long)((ts_ns % 1000000000LL) / 1000);
	struct tm tm;

	if (usec < 0) {
		usec += 1000000;
		sec--;
	}
	if (gmtime_r(&sec, &tm) == NULL) {
		snprintf(out, outlen, "invalid-time");
		return;
	}
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, usec);
}
