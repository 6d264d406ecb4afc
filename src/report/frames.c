/*
 * frames.c: the display-filter scan (frame_scan, also the packets pane's)
 * and display filters without the screen. --frames prints the frames a
 * filter selects, one line each like tshark's (number first); -Y with
 * --report keeps the transactions one of whose frames (request, answer,
 * evidence) it selects; --export-frames collects the frames of ranges to
 * write. Each is one streaming pass over the capture (or a few seeks),
 * after the engine has built the model that HTTP and TCP-stream fields
 * need.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/reread.h"
#include "../util/vec.h"
#include "report.h"

typedef int (*frame_fn)(void *arg, const struct frame_fields *ff,
    const struct frame *f);

int
frame_scan_open(struct frame_scan *s, const char *path, const struct flow *fl,
    char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	if (reread_open(&s->rr, path, &fl->offsets) < 0) {
		snprintf(err, errlen, "%s", reread_error(&s->rr));
		return -1;
	}
	/* frame.time_relative counts from frame 1, as in Wireshark */
	s->ix.first_ts = s->rr.first.ts_ns;
	if ((s->ff = malloc(sizeof *s->ff)) == NULL ||
	    ff_index_build(&s->ix, fl) != 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		frame_scan_close(s);
		return -1;
	}
	return 0;
}

void
frame_scan_close(struct frame_scan *s)
{
	ff_index_free(&s->ix);
	free(s->ff);
	s->ff = NULL;
	reread_close(&s->rr);
}

int
frame_scan_start(struct frame_scan *s, const struct flow *fl,
    const struct frame_ref *from, uint64_t last)
{
	/* the model grew since the index was built (a live capture) */
	if (ff_index_stale(&s->ix, fl) && ff_index_build(&s->ix, fl) != 0) {
		snprintf(s->rr.err, sizeof s->rr.err, "out of memory");
		return -1;
	}
	return reread_range(&s->rr, from, last);
}

int
frame_scan_next(struct frame_scan *s, const struct dfilter *df,
    unsigned need, struct frame *f, unsigned *budget)
{
	unsigned fneed = dfilter_needs(df);
	int rc;

	while (*budget > 0) {
		--*budget;
		if ((rc = reread_next(&s->rr, f)) != 1)
			return rc;
		ff_fill(s->ff, &s->ix, f, fneed);
		if (!dfilter_eval(df, s->ff))
			continue;
		if (need & ~fneed)
			ff_fill(s->ff, &s->ix, f, need | fneed);
		return 1;
	}
	return 2;
}

int
frame_scan_eval(struct frame_scan *s, const struct dfilter *df,
    const struct frame_ref *r, bool *match)
{
	struct frame f;

	*match = false;
	if (r->number == 0)
		return 0;
	if (reread_frame(&s->rr, r, &f) < 0)
		return -1;
	ff_fill(s->ff, &s->ix, &f, dfilter_needs(df));
	*match = dfilter_eval(df, s->ff);
	return 0;
}

/* Calls fn for every frame df selects (all when df is NULL). */
static int
scan_run(struct frame_scan *s, const struct flow *fl,
    const struct dfilter *df, unsigned need, frame_fn fn, void *arg,
    char *err, size_t errlen)
{
	struct frame f;
	unsigned budget;
	int rc;

	if (frame_scan_start(s, fl, NULL, 0) < 0) {
		snprintf(err, errlen, "%s", reread_error(&s->rr));
		return -1;
	}
	do {
		budget = 4096;
		while ((rc = frame_scan_next(s, df, need, &f, &budget)) == 1)
			if (fn(arg, s->ff, &f) != 0) {
				snprintf(err, errlen, "%s: out of memory",
				    capfile_path(s->rr.cf));
				return -1;
			}
	} while (rc == 2);
	if (rc < 0) {
		snprintf(err, errlen, "%s", reread_error(&s->rr));
		return -1;
	}
	return 0;
}

/* "No. time source → destination protocol length info" */
static void
frames_line(const struct frame_fields *ff, char *out, size_t outlen)
{
	char src[ADDR_STRLEN], dst[ADDR_STRLEN], info[1024];

	ff_addrs(ff, src, dst, sizeof src);
	ff_info(ff, info, sizeof info);
	snprintf(out, outlen, "%6" PRIu64 " %12.6f %s → %s %s %u %s",
	    ff->number, (double)(ff->ts_ns - ff->ix->first_ts) / 1e9, src, dst,
	    ff_protocol(ff), ff->wirelen, info);
}

static int
print_frame(void *arg, const struct frame_fields *ff, const struct frame *f)
{
	char line[1400];

	(void)f;
	frames_line(ff, line, sizeof line);
	fprintf(arg, "%s\n", line);
	return 0;
}

int
report_frames(FILE *out, const struct engine *e, const char *path,
    const struct dfilter *df, char *err, size_t errlen)
{
	struct frame_scan s;
	int rc = -1;

	if (frame_scan_open(&s, path, &e->flow, err, errlen) == 0) {
		rc = scan_run(&s, &e->flow, df, FF_NEED_ALL, print_frame, out,
		    err, errlen);
		frame_scan_close(&s);
	}
	return rc;
}

/* The frame a message is shown on (where Wireshark puts its fields). */
static const struct frame_ref *
msg_ref(const struct http_msg *m)
{
	return m->valid && m->complete ? &m->end : m->valid ? &m->head :
	    &m->start;
}

/* Does df select one of t's frames: its request, its answer, or a frame
 * of its evidence list (dns.flags.rcode==3 finds the NXDOMAIN 502s)? */
static int
txn_selected(struct frame_scan *s, const struct engine *e, const struct txn *t,
    const struct dfilter *df, struct evidence *ev, bool *match)
{
	const struct flow *fl = &e->flow;

	if (frame_scan_eval(s, df, msg_ref(&fl->msgs[t->req]), match) < 0)
		return -1;
	if (!*match && t->resp != NONE32 &&
	    frame_scan_eval(s, df, msg_ref(&fl->msgs[t->resp]), match) < 0)
		return -1;
	if (*match)
		return 0;
	if (evidence_build(ev, &e->diag, fl, t, fl->stats.last_ts,
	    EVIDENCE_REPORT) != 0)
		return -1;
	for (size_t i = 0; i < ev->n && !*match; i++) {
		const struct evidence_row *r = &ev->rows[i];
		struct frame_ref f = evidence_row_ref(r);

		if (r->listed && frame_scan_eval(s, df, &f, match) < 0)
			return -1;
	}
	return 0;
}

int
report_filter_txns(const struct engine *e, const char *path,
    const struct dfilter *df, uint8_t *keep, char *err, size_t errlen)
{
	struct evidence ev = { 0 };
	struct frame_scan s;
	int rc = 0;

	if (frame_scan_open(&s, path, &e->flow, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < e->diag.ntxns && rc == 0; i++) {
		bool match = false;

		rc = txn_selected(&s, e, &e->diag.txns[i], df, &ev, &match);
		keep[i] = match;
	}
	if (rc < 0)
		snprintf(err, errlen, "%s", reread_error(&s.rr));
	evidence_free(&ev);
	frame_scan_close(&s);
	return rc;
}

struct collect {
	const struct frame_range *ranges;
	size_t nranges;
	struct frame_ref *refs;
	size_t n, cap;
	struct frame_offsets *offs;
};

static int
collect_frame(void *arg, const struct frame_fields *ff, const struct frame *f)
{
	struct collect *c = arg;
	bool in = c->nranges == 0;

	for (size_t i = 0; i < c->nranges && !in; i++)
		in = c->ranges[i].first <= ff->number &&
		    ff->number <= c->ranges[i].last;
	if (!in)
		return 0;
	if (vec_reserve((void **)&c->refs, &c->cap, c->n + 1, sizeof *c->refs,
	    SIZE_MAX / sizeof *c->refs) != 0)
		return -1;
	frameoff_note(c->offs, f);
	c->refs[c->n++] = frame_ref_of(f);
	return 0;
}

int
frames_collect(const struct engine *e, const char *path,
    const struct dfilter *df, const struct frame_range *ranges,
    size_t nranges, struct frame_ref **out, size_t *n,
    struct frame_offsets *offs, char *err, size_t errlen)
{
	struct collect c;
	struct frame_scan s;
	int rc = -1;

	memset(&c, 0, sizeof c);
	c.ranges = ranges;
	c.nranges = nranges;
	c.offs = offs;
	if (frame_scan_open(&s, path, &e->flow, err, errlen) == 0) {
		rc = scan_run(&s, &e->flow, df, 0, collect_frame, &c, err,
		    errlen);
		frame_scan_close(&s);
	}
	if (rc < 0) {
		free(c.refs);
		c.refs = NULL;
		c.n = 0;
	}
	*out = c.refs;
	*n = c.n;
	return rc;
}
