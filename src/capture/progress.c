/* progress.c: a load's progress as numbers, and as a terminal line. */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void
progress_init(struct progress *p, int64_t now_ns)
{
	memset(p, 0, sizeof *p);
	p->start_ns = now_ns;
	p->left_s = -1;
}

void
progress_update(struct progress *p, uint64_t bytes, uint64_t total,
    uint64_t frames, int64_t now_ns)
{
	p->bytes = bytes;
	p->total = total;
	p->frames = frames;
	p->elapsed_s = (double)(now_ns - p->start_ns) / 1e9;
	p->frames_per_s = p->elapsed_s > 0 ? (double)frames / p->elapsed_s : 0;
	p->percent = total ? (unsigned)(bytes >= total ? 100 :
	    bytes * 100 / total) : 0;
	/* the rate so far, over what is left: steady enough for a file */
	p->left_s = total && bytes && p->elapsed_s > 0 && bytes <= total ?
	    (double)(total - bytes) * p->elapsed_s / (double)bytes : -1;
}

/* "412.0 MB" */
static void
fmt_bytes(uint64_t b, char *out, size_t outlen)
{
	static const char *unit[] = { "B", "KB", "MB", "GB", "TB" };
	double v = (double)b;
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(out, outlen, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

void
progress_format(const struct progress *p, char *out, size_t outlen)
{
	char done[32], total[32], rate[32], left[32] = "";
	double r = p->frames_per_s;

	fmt_bytes(p->bytes, done, sizeof done);
	fmt_bytes(p->total, total, sizeof total);
	if (r >= 1e6)
		snprintf(rate, sizeof rate, "%.1f M ", r / 1e6);
	else if (r >= 1e3)
		snprintf(rate, sizeof rate, "%.0f k ", r / 1e3);
	else
		snprintf(rate, sizeof rate, "%.0f ", r);
	if (p->left_s >= 0)
		snprintf(left, sizeof left, ", %.0f s left", p->left_s + 0.5);
	if (p->total)
		snprintf(out, outlen, "%u%%, %s of %s, %sframes/s%s",
		    p->percent, done, total, rate, left);
	else
		snprintf(out, outlen, "%s, %sframes/s", done, rate);
}

void
progress_line_init(struct progress_line *l, int fd)
{
	memset(l, 0, sizeof *l);
	l->fd = isatty(fd) ? fd : -1;
}

/* Writes all of buf, or gives up (a terminal that fails is not retried). */
static void
put(struct progress_line *l, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(l->fd, buf, n);

		if (w <= 0) {
			l->fd = -1;
			return;
		}
		buf += w;
		n -= (size_t)w;
	}
}

void
progress_line_draw(struct progress_line *l, const struct progress *p,
    int64_t now_ns)
{
	char text[256], line[300];
	struct winsize ws;
	size_t width = 80, n;

	if (l->fd < 0 || now_ns - p->start_ns < PROGRESS_DELAY_NS ||
	    (l->shown && now_ns - l->drawn_ns < PROGRESS_REDRAW_NS))
		return;
	if (ioctl(l->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		width = ws.ws_col;
	progress_format(p, text, sizeof text);
	/* ASCII, cut one column short of the width: a full line wraps */
	n = (size_t)snprintf(line, sizeof line - 3, "\rgw502tui: loading "
	    "%s", text);
	if (n > sizeof line - 4)
		n = sizeof line - 4;
	if (n > width)
		n = width;		/* \r and width - 1 columns */
	memcpy(line + n, "\033[K", 3);	/* what a longer line left */
	put(l, line, n + 3);
	l->shown = true;
	l->drawn_ns = now_ns;
}

void
progress_line_clear(struct progress_line *l)
{
	if (l->fd < 0 || !l->shown)
		return;
	put(l, "\r\033[K", 4);
	l->shown = false;
}
