/*
 * waits.c: how long keys could wait to be read and to be answered
 * (GW502TUI_WAITS=stats, a test knob): the time from one look at the
 * keyboard to the next, less the waiting in it, and from a key read to
 * its answer on the screen, as bench/keys_load.sh checks against 100 ms
 * (issue 13). Measured inside the program: a tracer's timestamps carry
 * its own scheduling, and its stops add to the program's. Told on
 * stderr at exit.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "ui_int.h"

/* Enough for minutes of loading at a look every 20 ms; later ones only
 * count towards the longest. */
#define WAITS_MAX 65536

struct ui_waits {
	int64_t *ns;
	size_t n, seen;
	int64_t longest;
	int64_t looked_ns;	/* the last look ended, 0: none yet */
	bool keyed;		/* and read a key */
	int64_t answer_longest;	/* from a key read to the next look */
};

struct ui_waits *
waits_new(void)
{
	struct ui_waits *w = calloc(1, sizeof *w);

	if (w != NULL && (w->ns = malloc(WAITS_MAX * sizeof *w->ns)) == NULL) {
		free(w);
		return NULL;
	}
	return w;
}

void
waits_look(struct ui_waits *w, int64_t now_ns)
{
	int64_t ns = now_ns - w->looked_ns;

	if (w->looked_ns == 0)
		return;		/* the first look */
	w->seen++;
	if (ns > w->longest)
		w->longest = ns;
	if (w->n < WAITS_MAX)
		w->ns[w->n++] = ns;
	/* after a key, the next look comes once its answer is drawn */
	if (w->keyed && ns > w->answer_longest)
		w->answer_longest = ns;
}

void
waits_looked(struct ui_waits *w, int64_t now_ns, bool key)
{
	w->looked_ns = now_ns;
	w->keyed = key;
}

static int
ns_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

void
waits_report(struct ui_waits *w)
{
	if (w->n == 0)
		return;
	qsort(w->ns, w->n, sizeof *w->ns, ns_cmp);
	fprintf(stderr, "gw502tui: waits: %zu looks at the keys, median "
	    "%.1f ms, 99th percentile %.1f ms, longest %.1f ms; longest "
	    "answer %.1f ms\n", w->seen, (double)w->ns[w->n / 2] / 1e6,
	    (double)w->ns[w->n * 99 / 100] / 1e6, (double)w->longest / 1e6,
	    (double)w->answer_longest / 1e6);
}

void
waits_free(struct ui_waits *w)
{
	if (w == NULL)
		return;
	free(w->ns);
	free(w);
}
