/*
 * pane_log.c: the screen for an access log without a capture (issue 18):
 * the log-only triage of alog_report_logonly (5xx per minute, failing
 * hosts and clients, the capture command for next time) in one scrolling
 * pane, so an administrator on the gateway sees it before any capture
 * exists. Keys as in less: arrows, j/k, PgUp/PgDn, space, g/G, q.
 * The text comes from the report, which escapes every logged byte.
 */
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../alog/alog.h"
#include "ui.h"
#include "ui_int.h"

/* The report's lines, split in place. */
struct log_text {
	char *buf;
	size_t len;
	char **lines;
	size_t n;
};

static int
log_text_make(struct log_text *t, const struct alog_set *s,
    const uint16_t *ports, size_t nports)
{
	FILE *f = open_memstream(&t->buf, &t->len);
	size_t cap = 0;

	if (f == NULL)
		return -1;
	alog_report_logonly(f, s, false, ports, nports);
	if (fclose(f) != 0)
		return -1;
	for (char *p = t->buf, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		if (vec_reserve((void **)&t->lines, &cap, t->n + 1,
		    sizeof *t->lines, SIZE_MAX / sizeof *t->lines) != 0)
			return -1;
		t->lines[t->n++] = p;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
	}
	return 0;
}

static void
draw(const struct log_text *t, size_t top, const char *title)
{
	int rows = LINES - 2;

	erase();
	attron(A_REVERSE);
	mvhline(0, 0, ' ', COLS);
	mvaddnstr(0, 1, title, COLS - 2);
	attroff(A_REVERSE);
	for (int r = 0; r < rows && top + (size_t)r < t->n; r++)
		mvaddnstr(r + 1, 0, t->lines[top + (size_t)r], COLS);
	attron(A_REVERSE);
	mvhline(LINES - 1, 0, ' ', COLS);
	mvprintw(LINES - 1, 1, "lines %zu-%zu of %zu · ↑↓ PgUp PgDn g G "
	    "scroll · q quit", t->n ? top + 1 : 0, top + (size_t)rows < t->n ?
	    top + (size_t)rows : t->n, t->n);
	attroff(A_REVERSE);
	refresh();
}

int
ui_log_main(const struct alog_set *s, const uint16_t *ports, size_t nports,
    char *err, size_t errlen)
{
	struct log_text t;
	SCREEN *scr;
	size_t top = 0;
	char title[256];
	int ch;

	memset(&t, 0, sizeof t);
	setlocale(LC_CTYPE, "");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "%s: the screen needs a terminal (use "
		    "--report to print the log's report)", s->files[0]);
		return 1;
	}
	if (log_text_make(&t, s, ports, nports) != 0) {
		snprintf(err, errlen, "%s: out of memory", s->files[0]);
		free(t.buf);
		free(t.lines);
		return 1;
	}
	if (!ui_terminfo_known() || !(scr = newterm(NULL, stdout, stdin))) {
		snprintf(err, errlen, "%s: cannot use terminal type '%s'",
		    s->files[0], getenv("TERM") ? getenv("TERM") : "");
		free(t.buf);
		free(t.lines);
		return 1;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	snprintf(title, sizeof title, "gw502tui · access log %s%s (no capture)",
	    s->files[0], s->nfiles > 1 ? " …" : "");
	for (;;) {
		size_t page = LINES > 3 ? (size_t)LINES - 2 : 1;
		size_t last = t.n > page ? t.n - page : 0;

		if (top > last)
			top = last;
		draw(&t, top, title);
		ch = getch();
		if (ch == 'q' || ch == 'Q' || ch == ERR)
			break;
		switch (ch) {
		case KEY_DOWN: case 'j': top++; break;
		case KEY_UP: case 'k': top -= top > 0; break;
		case KEY_NPAGE: case ' ': top += page; break;
		case KEY_PPAGE: top = top > page ? top - page : 0; break;
		case 'g': case KEY_HOME: top = 0; break;
		case 'G': case KEY_END: top = last; break;
		default: break;	/* KEY_RESIZE: redrawn at the new size */
		}
	}
	curs_set(1);
	endwin();
	delscreen(scr);
	free(t.buf);
	free(t.lines);
	return 0;
}
