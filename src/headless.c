/*
 * headless.c: live capture to report, no screen (headless.h); a capture
 * stream (-r -) the same way, until it ends.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/progress.h"
#include "headless.h"
#include "util/clock.h"

#define BATCH 4096		/* packets taken between checks */
#define POLL_MS 100

static void
feed(void *ctx, const struct frame *f)
{
	engine_feed(ctx, f);
}

/* A stream's end, in the words of a file's (main.c's load()). */
static void
stream_notices(const struct live *l, const struct engine *e,
    const struct live_stats *st)
{
	char notice[1024];

	if (live_notice(l)[0])
		fprintf(stderr, "gw502tui: warning: %s (the report covers the "
		    "%" PRIu64 " frames before it)\n", live_notice(l),
		    e->flow.stats.frames);
	else if (st->full)
		fprintf(stderr, "gw502tui: warning: stopped reading the "
		    "stream at the --max-mb size limit (the report covers "
		    "its first %" PRIu64 " frames)\n", e->flow.stats.frames);
	engine_notice(e, notice, sizeof notice);
	if (notice[0])
		fprintf(stderr, "gw502tui: warning: %s\n", notice);
}

int
headless_run(struct live *l, struct engine *e, const struct headless_opts *o,
    volatile sig_atomic_t *stop, FILE *out)
{
	double end = o->duration_s > 0 ? (double)clock_mono_ns() / 1e9 + o->duration_s : 0;
	struct report_stream rs;
	struct pollfd pfd = { .fd = live_fd(l), .events = POLLIN };
	struct live_stats st;
	/* a stream's progress on a terminal's stderr, as a file's load */
	struct progress_line pl;
	struct progress pg;
	bool tty_out = isatty(fileno(out));
	uint64_t frames;
	int rc = 0, n, max;

	live_stats(l, &st, false);
	progress_init(&pg, clock_mono_ns());
	progress_line_init(&pl, st.stream ? STDERR_FILENO : -1);
	report_stream_init(&rs, out, o->json, &o->ropts);
	while (!*stop && (end == 0 || (double)clock_mono_ns() / 1e9 < end)) {
		pfd.fd = live_fd(l);
		if (poll(&pfd, 1, live_wait_ms(l, POLL_MS)) < 0 &&
		    errno != EINTR)
			break;
		frames = e->flow.stats.frames;
		max = o->slice ? (int)(o->slice - frames % o->slice) : BATCH;
		n = live_read(l, max < BATCH ? max : BATCH, feed, e);
		if (n < 0) {
			progress_line_clear(&pl);
			fprintf(stderr, "gw502tui: %s\n", live_error(l));
			rc = 1;
			break;
		}
		live_stats(l, &st, false);
		progress_update(&pg, st.spool_bytes, 0, e->flow.stats.frames,
		    clock_mono_ns());
		progress_line_draw(&pl, &pg, clock_mono_ns());
		/* a stream diagnosed where a file would be: the same report */
		if (o->slice && (e->flow.stats.frames == frames ||
		    e->flow.stats.frames % o->slice != 0) && !st.done)
			continue;
		/* printed as they become final, forgotten once printed */
		engine_diagnose(e);
		if (tty_out)
			progress_line_clear(&pl);	/* the report's lines */
		report_stream_step(&rs, e);
		if (o->follow || tty_out)
			fflush(out);
		/* a reader gone (SIGPIPE is ignored): stop, clean up, exit */
		if (ferror(out)) {
			rc = 1;
			break;
		}
		if (st.done)
			break;
	}
	progress_line_clear(&pl);
	live_stats(l, &st, true);
	engine_finish(e);
	engine_diagnose(e);
	report_stream_end(&rs, e);
	report_stream_free(&rs);
	fflush(out);
	if (st.stream)
		stream_notices(l, e, &st);
	else
		fprintf(stderr, "gw502tui: %" PRIu64 " packets captured, %"
		    PRIu64 " dropped by the kernel%s\n", st.captured,
		    st.kernel_drops, st.full ?
		    "; stopped at the --max-mb size limit" : "");
	return rc;
}
