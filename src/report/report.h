/*
 * report.h: the headless outputs (--report): a text block per gateway
 * error for a person reading over SSH, or one JSON object per line.
 */
#ifndef GW_REPORT_H
#define GW_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../engine.h"
#include "../filter/dfilter.h"

struct report_opts {
	bool all;		/* every request, not only gateway errors */
	struct gw_addr client;	/* only this client (family 0: all) */
	const uint8_t *txn_keep;	/* -Y: per transaction, NULL: all */
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

/*
 * frames.c: display filters without the screen (doc/filters.md).
 * --frames: every frame df selects (NULL: all), one line each:
 * "No. time source → destination protocol length info".
 */
int report_frames(FILE *out, const struct engine *e, const char *path,
    const struct dfilter *df, char *err, size_t errlen);
/* -Y with --report: keep[i] = df selects txn i's request or answer frame. */
int report_filter_txns(const struct engine *e, const char *path,
    const struct dfilter *df, uint8_t *keep, char *err, size_t errlen);
/* --export-frames: the frames in the ranges (none: all) that df selects. */
struct frame_range {
	uint64_t first, last;
};
int frames_collect(const struct engine *e, const char *path,
    const struct dfilter *df, const struct frame_range *ranges,
    size_t nranges, struct frame_ref **out, size_t *n, char *err,
    size_t errlen);

#endif
