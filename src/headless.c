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

static void
print_txn(FILE *out, const struct engine *e, const struct txn *t, bool json)
{
	if (json)
		report_json_txn(out, e, t);
	else
		report_text_txn(out, e, t);
}

/* Prints the settled transactions not printed yet; flags them. */
static void
print_settled(FILE *out, struct engine *e, const struct headless_opts *o,
    uint8_t **printed, size_t *cap)
{
	const struct diag *dg = &e->diag;

	if (vec_reserve((void **)printed, cap, dg->ntxns + 1, 1, SIZE_MAX) != 0)
		return;
	for (size_t i = 0; i < dg->ntxns; i++) {
		const struct txn *t = &dg->txns[i];

		if ((*printed)[i] == 1 || !t->settled ||
		    !report_wants(e, t, &o->ropts))
			continue;
		print_txn(out, e, t, o->json);
		(*printed)[i] = 1;
	}
	fflush(out);
}

int
headless_run(struct live *l, struct engine *e, const struct headless_opts *o,
    volatile sig_atomic_t *stop, FILE *out)
{
	double end = o->duration_s > 0 ? (double)clock_mono_ns() / 1e9 + o->duration_s : 0;
	uint8_t *printed = NULL;
	size_t cap = 0;
	struct pollfd pfd = { .fd = live_fd(l), .events = POLLIN };
	struct live_stats st;
	int rc = 0, n;

	while (!*stop && (end == 0 || (double)clock_mono_ns() / 1e9 < end)) {
		if (poll(&pfd, 1, POLL_MS) < 0 && errno != EINTR)
			break;
		n = live_read(l, BATCH, feed, e);
		if (n < 0) {
			fprintf(stderr, "gw502tui: %s\n", live_error(l));
			rc = 1;
			break;
		}
		if (o->follow) {
			engine_diagnose(e);
			print_settled(out, e, o, &printed, &cap);
		}
		live_stats(l, &st, false);
		if (st.full)
			break;
	}
	live_stats(l, &st, true);
	engine_finish(e);
	engine_diagnose(e);
	if (o->follow) {
		print_settled(out, e, o, &printed, &cap);
	} else if (o->json) {
		report_json(out, e, &o->ropts);
	} else {
		report_text(out, e, &o->ropts);
	}
	fprintf(stderr, "gw502tui: %" PRIu64 " packets captured, %" PRIu64
	    " dropped by the kernel%s\n", st.captured, st.kernel_drops,
	    st.full ? "; stopped at the --max-mb size limit" : "");
	free(printed);
	return rc;
}
