/*
 * headless.h: a live capture without the screen (--report -i IFACE):
 * capture for --duration seconds (or until a signal), writing each
 * diagnosis once it is final (report order, report_stream); with --follow,
 * each is flushed at once, for a pipe.
 */
#ifndef GW_HEADLESS_H
#define GW_HEADLESS_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "capture/live.h"
#include "engine.h"
#include "report/report.h"

struct headless_opts {
	bool json;
	bool follow;
	double duration_s;	/* 0: until a signal */
	/*
	 * A stream without --follow: diagnose every `slice` frames, as a file
	 * is read (main.c's load()), so that its report is the file's; 0:
	 * after every batch, as soon as packets come.
	 */
	uint64_t slice;
	struct report_opts ropts;
};

/* Returns the exit status; *stop is set by the caller's signal handler. */
int headless_run(struct live *l, struct engine *e,
    const struct headless_opts *o, volatile sig_atomic_t *stop,
    FILE *out);

#endif
