/*
 * report.h: the headless outputs (--report): a text block per gateway
 * error for a person reading over SSH, or one JSON object per line.
 */
#ifndef GW_REPORT_H
#define GW_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../engine.h"

struct report_opts {
	bool all;		/* every request, not only gateway errors */
	struct gw_addr client;	/* only this client (family 0: all) */
};

/* Does this transaction belong in the report? */
bool report_wants(const struct engine *e, const struct txn *t,
    const struct report_opts *o);
void report_text(FILE *out, const struct engine *e,
    const struct report_opts *o);
void report_json(FILE *out, const struct engine *e,
    const struct report_opts *o);
/* One transaction, in either format. */
void report_text_txn(FILE *out, const struct engine *e, const struct txn *t);
void report_json_txn(FILE *out, const struct engine *e, const struct txn *t);
/* "2026-11-28T09:44:45.123456Z" */
void report_iso_time(int64_t ts_ns, char *out, size_t outlen);

#endif
