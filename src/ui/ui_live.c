/*
 * ui_live.c: the screen on a live capture. Packets are taken between
 * keystrokes (never blocking the keyboard), the model is diagnosed a few
 * times a second, `p` pauses, `w` saves the capture so far, and the status
 * line shows the interface, the filter, packets, kernel drops and the spool.
 * A capture stream (-r -) fills the screen the same way until it ends;
 * then its requests get their final verdicts, as at the end of a file.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../capture/live.h"
#include "ui_int.h"

#define LIVE_BATCH 20000	/* packets taken before looking at the keys */
#define LIVE_WAIT_MS 100	/* longest wait for a key or a packet */

static void
live_feed(void *ctx, const struct frame *f)
{
	engine_feed(ctx, f);
}

/* The stream is over: final verdicts, and how it ended. */
static void
stream_done(struct ui *u, const struct live_stats *st)
{
	const char *notice = live_notice(u->opts->live);
	char esc[700];

	engine_finish(&u->eng);
	ui_diagnose(u);
	if (u->rq.ls.n && ui_selected(u) && u->ev.txn == NONE32)
		ui_selection_changed(u);
	u->live_dead = true;	/* nothing more to wait for */
	u->dirty |= D_STATUS;
	if (notice[0])
		ui_message(u, true, "%s", ui_esc_str(u, notice, esc,
		    sizeof esc));
	else if (st->full)
		ui_message(u, true, "stopped reading the stream at the "
		    "--max-mb limit (%llu MB); w saves it",
		    (unsigned long long)(st->spool_bytes >> 20));
	else
		ui_message(u, false, "end of the stream: %llu frames",
		    (unsigned long long)u->eng.flow.stats.frames);
}

/* Waits for a key or packets; then takes what the kernel has. */
void
ui_live_poll(struct ui *u)
{
	struct pollfd pfd[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = live_fd(u->opts->live), .events = POLLIN },
	};
	struct live_stats st;
	int n;

	(void)poll(pfd, 2, live_wait_ms(u->opts->live, LIVE_WAIT_MS));
	n = live_read(u->opts->live, LIVE_BATCH, live_feed, &u->eng);
	if (n < 0) {
		ui_message(u, true, "capture stopped: %s",
		    live_error(u->opts->live));
		u->live_dead = true;
		return;
	}
	live_stats(u->opts->live, &st, false);
	if (st.stream && st.done) {
		stream_done(u, &st);
		return;
	}
	/*
	 * Time goes on without packets: a waiting request keeps ageing. Not
	 * a stream's: its times are the producer's clock, or the past.
	 */
	if (!st.stream)
		engine_tick(&u->eng, clock_wall_ns());
	if (st.full && !u->live_full_told) {
		u->live_full_told = true;
		ui_message(u, true, "capture stopped at the --max-mb limit "
		    "(%llu MB); w saves it", (unsigned long long)
		    (st.spool_bytes >> 20));
	}
	if (n > 0)
		u->live_new = true;
	/* also when no packet comes: answers settle, requests time out */
	if ((u->live_new && clock_mono_ns() - u->last_diag_ns >=
	    UI_LIVE_DIAG_NS) || clock_mono_ns() - u->last_diag_ns >=
	    UI_LIVE_IDLE_DIAG_NS) {
		u->live_new = false;
		ui_diagnose(u);
		if (u->rq.ls.n && ui_selected(u) && u->ev.txn == NONE32)
			ui_selection_changed(u);
	}
	if (clock_mono_ns() - u->live_status_ns >= UI_LIVE_DIAG_NS) {
		u->live_status_ns = clock_mono_ns();
		u->dirty |= D_STATUS;
	}
}

void
ui_live_pause(struct ui *u)
{
	struct live_stats st;

	live_stats(u->opts->live, &st, false);
	live_pause(u->opts->live, !st.paused);
	ui_message(u, false, st.paused ? "capture resumed" :
	    "capture paused (p resumes)");
}

/* `w`: the capture so far into a new file, asking before replacing one. */
void
ui_live_save(struct ui *u)
{
	char name[1024] = "gw502-live.pcap", err[512], esc[1100];
	bool force = false;

	if (!prompt_line(u, "Save the capture so far to:", name, sizeof name) ||
	    !name[0]) {
		ui_message(u, false, "save cancelled");
		return;
	}
	if (!confirm_overwrite(u, name, "save", &force))
		return;
	ui_esc_str(u, name, esc, sizeof esc);
	if (live_save(u->opts->live, name, force, err, sizeof err) < 0) {
		ui_message(u, true, "save failed: %s", ui_esc_str(u, err, esc,
		    sizeof esc));
		return;
	}
	ui_message(u, false, "saved %llu frames to %s", (unsigned long long)
	    u->eng.flow.stats.frames, esc);
}

/* " LIVE any [filter] · 1234 pkts · 0 drops · 3.2 MB";
 * a stream: " PIPE stdin · 1234 pkts · 3.2 MB" (END once it ended) */
void
ui_live_status(struct ui *u, char *out, size_t outlen)
{
	struct live_stats st;
	char filt[300] = "";
	const char *dot = u->utf8 ? " \xc2\xb7 " : " | ";

	live_stats(u->opts->live, &st, false);
	if (u->opts->filter && *u->opts->filter) {
		char esc[260];

		snprintf(filt, sizeof filt, " [%s]", ui_esc_str(u,
		    u->opts->filter, esc, sizeof esc));
	}
	if (st.stream) {
		char esc[260];

		snprintf(out, outlen, " %s %s%s%llu pkts%s%.1f MB", st.full ?
		    "FULL" : st.ended ? "END" : st.paused ? "PAUSED" : "PIPE",
		    strcmp(u->opts->iface, "-") ? ui_esc_str(u, u->opts->iface,
		    esc, sizeof esc) : "stdin", dot,
		    (unsigned long long)st.captured, dot,
		    (double)st.spool_bytes / 1048576.0);
		return;
	}
	snprintf(out, outlen, " %s %s%s%s%llu pkts%s%llu drops%s%.1f MB",
	    st.full ? "FULL" : st.paused ? "PAUSED" : "LIVE", u->opts->iface,
	    filt, dot, (unsigned long long)st.captured, dot,
	    (unsigned long long)st.kernel_drops, dot,
	    (double)st.spool_bytes / 1048576.0);
}
