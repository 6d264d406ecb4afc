/*
 * report.h: the headless outputs (--report): a text block per gateway
 * error for a person reading over SSH, or one JSON object per line.
 */
#ifndef GW_REPORT_H
#define GW_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../capture/reread.h"
#include "../diag/evidence.h"
#include "../engine.h"
#include "../filter/dfilter.h"
#include "../filter/framefields.h"

struct report_opts {
	bool all;		/* every request, not only gateway errors */
	struct gw_addr client;	/* only this client (family 0: all) */
	const uint8_t *txn_keep;	/* -Y: per transaction, NULL: all */
};

/* Does this transaction belong in the report? */
bool report_wants(const struct engine *e, const struct txn *t,
    const struct report_opts *o);
/*
 * Every settled transaction of a loaded capture, in report order, then
 * (text) the summary line. The model is not changed.
 */
void report_all(FILE *out, const struct engine *e, const struct report_opts *o,
    bool json);
/*
 * One transaction, in either format: its evidence is built into ev (a
 * scratch list, reused from one transaction to the next) and rendered.
 * 0, or -1 (out of memory: nothing printed).
 */
int report_txn(FILE *out, const struct engine *e, const struct txn *t,
    bool json, struct evidence *ev);
void report_text_txn(FILE *out, const struct engine *e, const struct txn *t,
    const struct evidence *ev);
void report_json_txn(FILE *out, const struct engine *e, const struct txn *t,
    const struct evidence *ev);
/* Text: "N requests, M gateway errors, …" (the capture's counts), and
 * when none was shown, why: none found, or none the selection kept. */
void report_summary(FILE *out, const struct engine *e, bool json,
    const struct report_opts *o, uint64_t shown);

/*
 * Report order: a transaction is printed once its story is final
 * (txn_final_ns), earliest first, then by id; the same order whether the
 * report is written while reading or at the end. Fills *items (grown as
 * needed, also with room to sort them) with the settled transactions
 * final by now (all_settled: every settled one), skipping those flagged
 * in skip[]; returns how many.
 */
struct report_item {
	int64_t final_ns;
	uint32_t id, index;
};
size_t report_order(const struct engine *e, bool all_settled,
    const uint8_t *skip, struct report_item **items, size_t *cap);
/* Prints the items (in their order) the options want; how many it did. */
uint64_t report_items(FILE *out, const struct engine *e,
    const struct report_opts *o, bool json, const struct report_item *items,
    size_t n);

/*
 * A report written while the capture is read (files, live capture): each
 * step prints what became final and forgets it (diag_retire), so memory
 * stays the size of what is still in play however long the capture.
 */
struct report_stream {
	FILE *out;
	bool json;
	struct report_opts o;
	uint8_t *done;			/* per txns[] entry: printed */
	size_t done_cap, ndone;
	size_t pending;			/* printed, not yet retired */
	struct report_item *items;
	size_t items_cap;
	uint64_t shown;
	size_t retire_batch;		/* printed ones retired together */
};
/* Retiring renumbers the whole model: done for this many at a time. */
#define REPORT_RETIRE_BATCH 4096
void report_stream_init(struct report_stream *rs, FILE *out, bool json,
    const struct report_opts *o);
/* After engine_diagnose: prints what is final (everything at e->eof). */
void report_stream_step(struct report_stream *rs, struct engine *e);
/* The end of the capture: the rest, then the summary. */
void report_stream_end(struct report_stream *rs, struct engine *e);
void report_stream_free(struct report_stream *rs);
/* "2026-11-28T09:44:45.123456Z" */
void report_iso_time(int64_t ts_ns, char *out, size_t outlen);

/*
 * The display-filter scan of a capture, written once for --frames, -Y,
 * --export-frames and the packets pane: frames read again (reread.h)
 * with the fields a filter needs (framefields.h), in slices.
 */
struct frame_scan {
	struct reread rr;
	struct ff_index ix;
	struct frame_fields *ff;	/* large (a DNS message): on the heap */
};
/* 0, or -1 with one line in err. */
int frame_scan_open(struct frame_scan *s, const char *path,
    const struct flow *fl, char *err, size_t errlen);
void frame_scan_close(struct frame_scan *s);
/* Scans from `from` (NULL: frame 1) up to frame `last` (0: the end). */
int frame_scan_start(struct frame_scan *s, const struct flow *fl,
    const struct frame_ref *from, uint64_t last);
/*
 * Reads on until a frame df selects (NULL: every frame), its fields in
 * s->ff (with `need` too): 1; 0: the scan is done; -1: read error
 * (reread_error(&s->rr)); 2: *budget frames read, none selected (call
 * again). Each frame read takes one from *budget.
 */
int frame_scan_next(struct frame_scan *s, const struct dfilter *df,
    unsigned need, struct frame *f, unsigned *budget);
/* Does df select the frame the model knows as r? 0, or -1. */
int frame_scan_eval(struct frame_scan *s, const struct dfilter *df,
    const struct frame_ref *r, bool *match);

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
/* --export-frames: the frames in the ranges (none: all) that df selects,
 * and in *offs their offsets' high bits (without -Y there is no model to
 * hold them): the caller frees both. */
struct frame_range {
	uint64_t first, last;
};
int frames_collect(const struct engine *e, const char *path,
    const struct dfilter *df, const struct frame_range *ranges,
    size_t nranges, struct frame_ref **out, size_t *n,
    struct frame_offsets *offs, char *err, size_t errlen);

#endif
