/* headless.c: live capture to report, no screen (headless.h). */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "headless.h"
#include "util/clock.h"

#define BATCH 4096		/* packets taken between checks */
#define POLL_MS 100

static void
feed(void *ctx, const struct frame *f)
{
	engine_feed(ctx, f);
}

int
headless_run(struct live *l, struct engine *e, const struct headless_opts *o,
    volatile sig_atomic_t *stop, FILE *out)
{
	double end = o->duration_s > 0 ? (double)clock_mono_ns() / 1e9 + o->duration_s : 0;
	struct report_stream rs;
	struct pollfd pfd = { .fd = live_fd(l), .events = POLLIN };
	struct live_stats st;
	int rc = 0, n;

	report_stream_init(&rs, out, o->json, &o->ropts);
	while (!*stop && (end == 0 || (double)clock_mono_ns() / 1e9 < end)) {
		if (poll(&pfd, 1, POLL_MS) < 0 && errno != EINTR)
			break;
		n = live_read(l, BATCH, feed, e);
		if (n < 0) {
			fprintf(stderr, "gw502tui: %s\n", live_error(l));
			rc = 1;
			break;
		}
		/* printed as they become final, forgotten once printed */
		engine_diagnose(e);
		report_stream_step(&rs, e);
		if (o->follow)
			fflush(out);
		/* a reader gone (SIGPIPE is ignored): stop, clean up, exit */
		if (ferror(out)) {
			rc = 1;
			break;
		}
		live_stats(l, &st, false);
		if (st.full)
			break;
	}
	live_stats(l, &st, true);
	engine_finish(e);
	engine_diagnose(e);
	report_stream_end(&rs, e);
	report_stream_free(&rs);
	fflush(out);
	fprintf(stderr, "gw502tui: %" PRIu64 " packets captured, %" PRIu64
	    " dropped by the kernel%s\n", st.captured, st.kernel_drops,
	    st.full ? "; stopped at the --max-mb size limit" : "");
	return rc;
}
