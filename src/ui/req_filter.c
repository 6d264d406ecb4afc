/*
 * req_filter.c: a display filter typed in the requests list (F, :, -Y)
 * selects requests by their frames: one pass over the capture, in slices
 * between keystrokes, keeps the numbers of the frames it matches; a
 * request stays listed when one of its frames (its request, its answer,
 * its evidence: diag_evidence_frames) is among them. Only frame numbers are
 * kept, so memory grows with the matches, not with the capture.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../capture/capfile.h"
#include "../filter/dfilter.h"
#include "../util/vec.h"
#include "ui_int.h"

#define RF_SLICE_NS (15LL * 1000000LL)	/* a slice yields this often */
#define RF_MAX_FRAMES 512		/* a request's frames looked at */

struct rf_scan {
	struct capfile *cf;
	struct ff_index ix;
	struct frame_fields ff;
	struct dfilter *df;
	uint64_t *hits;		/* matching frame numbers, ascending */
	size_t nhits, cap;
	bool busy;
};

void
rf_free(struct rf_scan *rf)
{
	if (rf == NULL)
		return;
	if (rf->cf)
		capfile_close(rf->cf);
	ff_index_free(&rf->ix);
	dfilter_free(rf->df);
	free(rf->hits);
	free(rf);
}

struct rf_scan *
rf_start(struct ui *u, const char *text)
{
	struct rf_scan *rf = calloc(1, sizeof *rf);
	struct dfilter_error fe;
	char err[512];

	if (rf == NULL) {
		ui_message(u, true, "out of memory for the filter");
		return NULL;
	}
	if ((rf->df = dfilter_compile(text, &fe)) == NULL) {
		ui_message(u, true, "filter: %s (column %zu; F to edit)",
		    fe.msg, fe.pos + 1);
		rf_free(rf);
		return NULL;
	}
	if ((rf->cf = capfile_open(u->opts->path, err, sizeof err)) == NULL ||
	    ff_index_build(&rf->ix, &u->eng.flow) != 0) {
		ui_message(u, true, "%s", rf->cf ? "out of memory for the "
		    "filter" : err);
		rf_free(rf);
		return NULL;
	}
	rf->busy = true;
	return rf;
}

bool
rf_busy(const struct rf_scan *rf)
{
	return rf != NULL && rf->busy;
}

unsigned
rf_percent(const struct rf_scan *rf)
{
	uint64_t size = capfile_size(rf->cf);

	return size ? (unsigned)(capfile_pos(rf->cf) * 100 / size) : 0;
}

bool
rf_step(struct ui *u, struct rf_scan *rf)
{
	unsigned need = dfilter_needs(rf->df);
	int64_t end = clock_mono_ns() + RF_SLICE_NS;
	struct frame f;
	int rc = 1;

	while (rf->busy && clock_mono_ns() < end) {
		for (int i = 0; i < 512 && (rc = capfile_next(rf->cf, &f)) == 1;
		    i++) {
			ff_fill(&rf->ff, &rf->ix, &f, need);
			if (!dfilter_eval(rf->df, &rf->ff))
				continue;
			if (vec_reserve((void **)&rf->hits, &rf->cap,
			    rf->nhits + 1, sizeof *rf->hits,
			    SIZE_MAX / sizeof *rf->hits) != 0) {
				rc = -1;
				break;
			}
			rf->hits[rf->nhits++] = f.number;
		}
		if (rc != 1) {
			if (rc < 0)
				ui_message(u, true, "filter stopped at frame "
				    "%llu: %s", (unsigned long long)f.number,
				    capfile_error(rf->cf));
			rf->busy = false;
			return true;
		}
	}
	return false;
}

/* Index of the first hit >= number. */
static size_t
rf_lower(const struct rf_scan *rf, uint64_t number)
{
	size_t lo;

	VEC_LOWER_BOUND(lo, rf->nhits, rf->hits[mid] < number);
	return lo;
}

bool
rf_keeps(const struct ui *u, const struct rf_scan *rf, uint32_t e)
{
	const struct flow *fl = &u->eng.flow;
	uint64_t frames[RF_MAX_FRAMES];
	size_t n, i;

	/* its own frames, not its range: a cached look-up came before the
	 * request, a neighbour's frames fall inside it (a retired row: the
	 * frames it keeps, its evidence's among them) */
	n = e & REQ_LIVE ? diag_evidence_frames(fl,
	    &u->eng.diag.txns[e & ~REQ_LIVE], fl->stats.last_ts, frames,
	    RF_MAX_FRAMES) : rows_frame_numbers(&u->retired_rows, e, frames,
	    RF_MAX_FRAMES);
	for (size_t k = 0; k < n; k++) {
		i = rf_lower(rf, frames[k]);
		if (i < rf->nhits && rf->hits[i] == frames[k])
			return true;
	}
	return false;
}
