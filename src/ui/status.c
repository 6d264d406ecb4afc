/*
 * status.c: the last line: while loading, a progress bar (percent, bytes,
 * frames/s, time left: the numbers of capture/progress.c); afterwards the file, the frame count, the errors per verdict and
 * the active filters; a message (or error) replaces it until the next key.
 * The keys are on the hint bar under it (keys.c), ? help at its end.
 */
#include <stdio.h>
#include <string.h>

#include "../capture/capfile.h"
#include "../capture/progress.h"
#include "ui_int.h"

static void
status_progress(struct ui *u)
{
	struct progress pg;
	char numbers[160], info[200];
	double frac;
	int barw, fill, x;

	/* the numbers --report's stderr line gives (capture/progress.c) */
	progress_init(&pg, u->load_t0_ns);
	progress_update(&pg, engine_pos(&u->eng), capfile_size(u->eng.cap),
	    u->eng.flow.stats.frames, clock_mono_ns());
	progress_format(&pg, numbers, sizeof numbers);
	snprintf(info, sizeof info, " %s  q: stop ", numbers);
	frac = pg.total ? (double)(pg.bytes < pg.total ? pg.bytes : pg.total) /
	    (double)pg.total : 0;
	barw = u->cols - ui_width(info) - 10;
	if (barw < 10)
		barw = 10 < u->cols / 3 ? 10 : u->cols / 3;
	x = ui_put(u->wstat, 0, 0, 9, " Loading ", u->attr[TE_PROGRESS], true);
	fill = (int)(frac * barw);
	wattrset(u->wstat, u->attr[TE_PROGRESS_BAR]);
	mvwhline(u->wstat, 0, x, ' ', fill);
	wattrset(u->wstat, u->attr[TE_PROGRESS]);
	mvwhline(u->wstat, 0, x + fill, u->utf8 ? ACS_CKBOARD : '.',
	    barw - fill);
	ui_put(u->wstat, 0, x + barw, u->cols - x - barw, info,
	    u->attr[TE_PROGRESS], true);
}

static const char *
status_file(const struct ui *u)
{
	const char *p = strrchr(u->opts->path, '/');

	return p ? p + 1 : u->opts->path;
}

/* A part of the counts line: a count with its label, shown whole or not
 * at all (a cut "3" of "32 errors" reads as a count of its own). */
struct status_item {
	char text[320];		/* safe text, its leading separator included */
	attr_t attr;
};

#define STATUS_MAX_ITEMS (3 + V_COUNT + 4)

/*
 * Items from the left in `room` columns; when not all fit, those before
 * the first that does not, then an ellipsis saying some are missing.
 */
static void
status_items(struct ui *u, const struct status_item *it, size_t n, int room)
{
	int total = 0, x = 0, w;
	size_t i;

	for (i = 0; i < n; i++)
		total += ui_width(it[i].text);
	if (total > room)	/* keep a place for " …" */
		room -= 1 + ui_width(u->g.ellipsis);
	for (i = 0; i < n; i++) {
		w = ui_width(it[i].text);
		if (x + w > room)
			break;
		x += ui_put(u->wstat, 0, x, w, it[i].text, it[i].attr, false);
	}
	if (i < n) {
		x += ui_put(u->wstat, 0, x, 1, " ", u->attr[TE_STATUS], false);
		ui_put(u->wstat, 0, x, ui_width(u->g.ellipsis), u->g.ellipsis,
		    u->attr[TE_STATUS], false);
	}
}

static void
status_counts(struct ui *u)
{
	const uint64_t *c = u->opts->eo.client.family ? u->rq.ls.client_counts :
	    u->eng.diag.counts;
	const char *dot = u->utf8 ? " \xc2\xb7 " : " | ";
	const char *flags[] = { u->cancelled ? " (partial)" : "",
	    u->rq.show_all ? " [all]" : "",
	    u->rq.narrow[0] || u->rf ? " [filter]" : "",
	    u->rq.client_on ? " [client]" : "" };
	struct status_item it[STATUS_MAX_ITEMS];
	char esc[300];
	uint64_t errs = 0;
	size_t n = 0, i;
	int v, right = u->cols > 8 ? u->cols - 8 : 0;

	for (v = V_HOST_NOT_RESOLVABLE; v < V_COUNT; v++)
		errs += c[v];
	if (u->opts->live)
		ui_live_status(u, esc, sizeof esc);
	else
		ui_esc_str(u, status_file(u), esc, sizeof esc);
	snprintf(it[n].text, sizeof it[n].text, " %s", esc);
	it[n++].attr = u->attr[TE_STATUS];
	snprintf(it[n].text, sizeof it[n].text, "%s%llu frames", dot,
	    (unsigned long long)u->eng.flow.stats.frames);
	it[n++].attr = u->attr[TE_STATUS];
	snprintf(it[n].text, sizeof it[n].text, "%s%llu error%s%s", dot,
	    (unsigned long long)errs, errs == 1 ? "" : "s", errs ? ":" : "");
	it[n++].attr = u->attr[TE_STATUS];
	for (v = V_HOST_NOT_RESOLVABLE; v < V_COUNT; v++) {
		if (!c[v])
			continue;
		snprintf(it[n].text, sizeof it[n].text, " %s %llu",
		    ui_verdict_short(v), (unsigned long long)c[v]);
		it[n++].attr = u->attr[TE_STATUS_KEY];
	}
	for (i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (flags[i][0]) {
			snprintf(it[n].text, sizeof it[n].text, "%s", flags[i]);
			it[n++].attr = u->attr[TE_STATUS];
		}
	status_items(u, it, n, right);
	/* the way to the help always shows, at the right end */
	ui_put(u->wstat, 0, right, u->cols - right, " ? help ",
	    u->attr[TE_STATUS_KEY], true);
}

void
status_draw(struct ui *u)
{
	werase(u->wstat);
	wbkgdset(u->wstat, u->attr[TE_STATUS]);
	if (u->msg[0])
		ui_put(u->wstat, 0, 0, u->cols, u->msg,
		    u->attr[u->msg_err ? TE_ERROR : TE_MESSAGE], true);
	else if (u->loading)
		status_progress(u);
	else
		status_counts(u);
	wnoutrefresh(u->wstat);
}
