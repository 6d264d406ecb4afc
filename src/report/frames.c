/*
 * frames.c: display filters without the screen. --frames prints the frames
 * a filter selects, one line each like tshark's (number first); -Y with
 * --report keeps the transactions whose request or answer it selects;
 * --export-frames collects the frames of ranges to write. Each is one
 * streaming pass over the capture (or a few seeks), after the engine has
 * built the model that HTTP and TCP-stream fields need.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/capfile.h"
#include "../util/vec.h"
#include "report.h"

typedef int (*frame_fn)(void *arg, const struct frame_fields *ff,
    const struct frame *f);

struct scan {
	struct capfile *cf;
	struct ff_index ix;
	struct frame_fields *ff;	/* large (a DNS message): on the heap */
};

static int
scan_open(struct scan *s, const char *path, const struct engine *e,
    char *err, size_t errlen)
{
	struct frame f;
	bool any;

	memset(s, 0, sizeof *s);
	if ((s->cf = capfile_open(path, err, errlen)) == NULL)
		return -1;
	/* frame.time_relative counts from frame 1, as in Wireshark */
	if ((any = capfile_next(s->cf, &f) == 1))
		s->ix.first_ts = f.ts_ns;
	if ((s->ff = malloc(sizeof *s->ff)) == NULL ||
	    ff_index_build(&s->ix, &e->flow) != 0 ||
	    (any && capfile_seek(s->cf, f.offset, f.number) < 0)) {
		snprintf(err, errlen, "%s: %s", path, s->ff && s->ix.fl ?
		    capfile_error(s->cf) : "out of memory");
		return -1;
	}
	return 0;
}

static void
scan_close(struct scan *s)
{
	ff_index_free(&s->ix);
	free(s->ff);
	if (s->cf)
		capfile_close(s->cf);
}

/* Calls fn for every frame df selects (all when df is NULL). */
static int
scan_run(struct scan *s, const struct dfilter *df, unsigned need,
    frame_fn fn, void *arg, char *err, size_t errlen)
{
	unsigned fneed = dfilter_needs(df);
	struct frame f;
	int rc;

	while ((rc = capfile_next(s->cf, &f)) == 1) {
		ff_fill(s->ff, &s->ix, &f, fneed);
		if (!dfilter_eval(df, s->ff))
			continue;
		if (need & ~fneed)
			ff_fill(s->ff, &s->ix, &f, need | fneed);
		if (fn(arg, s->ff, &f) != 0) {
			snprintf(err, errlen, "%s: out of memory",
			    capfile_path(s->cf));
			return -1;
		}
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s", capfile_error(s->cf));
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
	struct scan s;
	int rc = -1;

	if (scan_open(&s, path, e, err, errlen) == 0)
		rc = scan_run(&s, df, FF_NEED_ALL, print_frame, out, err,
		    errlen);
	scan_close(&s);
	return rc;
}

/* The frame a message is shown on (where Wireshark puts its fields). */
static const struct frame_ref *
msg_ref(const struct http_msg *m)
{
	return m->valid && m->complete ? &m->end : m->valid ? &m->head :
	    &m->start;
}

static int
eval_at(struct scan *s, const struct dfilter *df, const struct frame_ref *r,
    bool *match)
{
	struct frame f;

	*match = false;
	if (r->number == 0)
		return 0;
	if (capfile_seek(s->cf, r->offset, r->number) < 0 ||
	    capfile_next(s->cf, &f) != 1)
		return -1;
	ff_fill(s->ff, &s->ix, &f, dfilter_needs(df));
	*match = dfilter_eval(df, s->ff);
	return 0;
}

/* Does df select one of t's frames: its request, its answer, or a frame
 * of its evidence list (dns.flags.rcode==3 finds the NXDOMAIN 502s)? */
static int
txn_selected(struct scan *s, const struct engine *e, const struct txn *t,
    const struct dfilter *df, struct evidence *ev, bool *match)
{
	const struct flow *fl = &e->flow;

	if (eval_at(s, df, msg_ref(&fl->msgs[t->req]), match) < 0)
		return -1;
	if (!*match && t->resp != NONE32 &&
	    eval_at(s, df, msg_ref(&fl->msgs[t->resp]), match) < 0)
		return -1;
	if (*match)
		return 0;
	if (evidence_build(ev, &e->diag, fl, t, fl->stats.last_ts,
	    false) != 0)
		return -1;
	for (size_t i = 0; i < ev->n && !*match; i++) {
		const struct evidence_row *r = &ev->rows[i];
		struct frame_ref f = { r->frame, r->ts_ns, r->file_offset };

		if (r->listed && eval_at(s, df, &f, match) < 0)
			return -1;
	}
	return 0;
}

int
report_filter_txns(const struct engine *e, const char *path,
    const struct dfilter *df, uint8_t *keep, char *err, size_t errlen)
{
	struct evidence ev = { 0 };
	struct scan s;
	int rc = 0;

	if (scan_open(&s, path, e, err, errlen) < 0) {
		scan_close(&s);
		return -1;
	}
	for (size_t i = 0; i < e->diag.ntxns && rc == 0; i++) {
		bool match = false;

		rc = txn_selected(&s, e, &e->diag.txns[i], df, &ev, &match);
		keep[i] = match;
	}
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, capfile_error(s.cf));
	evidence_free(&ev);
	scan_close(&s);
	return rc;
}

struct collect {
	const struct frame_range *ranges;
	size_t nranges;
	struct frame_ref *refs;
	size_t n, cap;
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
	c->refs[c->n].number = f->number;
	c->refs[c->n].ts_ns = f->ts_ns;
	c->refs[c->n++].offset = f->offset;
	return 0;
}

int
frames_collect(const struct engine *e, const char *path,
    const struct dfilter *df, const struct frame_range *ranges,
    size_t nranges, struct frame_ref **out, size_t *n, char *err,
    size_t errlen)
{
	struct collect c;
	struct scan s;
	int rc = -1;

	memset(&c, 0, sizeof c);
	c.ranges = ranges;
	c.nranges = nranges;
	if (scan_open(&s, path, e, err, errlen) == 0)
		rc = scan_run(&s, df, 0, collect_frame, &c, err, errlen);
	scan_close(&s);
	if (rc < 0) {
		free(c.refs);
		c.refs = NULL;
		c.n = 0;
	}
	*out = c.refs;
	*n = c.n;
	return rc;
}
