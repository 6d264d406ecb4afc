/*
 * dialog.c: modal pieces shared by the dialogs: a centred boxed window, a
 * scrollable box of lines (help, frame summary), a one-line text input on
 * the status line (search) or inside a dialog (export), and a yes/no
 * question. A resize or a signal ends any of them (as "cancel").
 */
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "ui_int.h"

#define PROMPT_MIN_FIELD 10	/* columns a prompt keeps for typing */

WINDOW *
dialog_open(struct ui *u, int h, int w, const char *title)
{
	WINDOW *win;

	if (h > u->rows - 1)
		h = u->rows - 1;
	if (w > u->cols)
		w = u->cols;
	if (h < 3 || w < 10)
		return NULL;
	win = newwin(h, w, (u->rows - 1 - h) / 2, (u->cols - w) / 2);
	if (!win)
		return NULL;
	keypad(win, TRUE);
	wbkgdset(win, u->attr[TE_DIALOG]);
	werase(win);
	wattrset(win, u->attr[TE_DIALOG_BORDER]);
	box(win, u->g.vl, u->g.hl);
	if (!u->utf8) {
		mvwaddch(win, 0, 0, '+');
		mvwaddch(win, 0, w - 1, '+');
		mvwaddch(win, h - 1, 0, '+');
		mvwaddch(win, h - 1, w - 1, '+');
	}
	if (title) {
		char t[128];

		snprintf(t, sizeof t, " %s ", title);
		ui_put(win, 0, 2, w - 4, t, u->attr[TE_DIALOG_BORDER], false);
	}
	return win;
}

void
dialog_close(struct ui *u, WINDOW *w)
{
	if (w)
		delwin(w);
	u->dirty = D_ALL;
	touchwin(stdscr);
}

/* Waits for a key, giving up on a signal; KEY_RESIZE relayouts; the
 * mouse wheel is an arrow key, a click or its release no key at all. */
static int
dialog_key(struct ui *u, WINDOW *w)
{
	int k;

	for (;;) {
		k = ui_read_key(u, w, 200);
		if (ui_interrupted(u))
			return 27;
		if (k == ERR)
			continue;
		if (k == KEY_RESIZE) {
			ui_layout(u);
			return KEY_RESIZE;
		}
		if (k == KEY_MOUSE) {	/* the wheel scrolls, a click waits */
			MEVENT ev;

			if (getmouse(&ev) != OK)
				continue;
			if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED))
				return ev.bstate & BUTTON4_PRESSED ? KEY_UP :
				    KEY_DOWN;
			continue;
		}
		return k;
	}
}

void
dialog_info(struct ui *u, const char *title, const char *const *lines,
    size_t n)
{
	struct ui_list l = { n, 0, 0 };
	int w = 20, h, inner;
	size_t i, page;
	WINDOW *win;

	for (i = 0; i < n; i++)
		if (ui_width(lines[i]) + 4 > w)
			w = ui_width(lines[i]) + 4;
	if (w > u->cols - 2)
		w = u->cols - 2;
	h = (int)n + 3;
	for (;;) {
		if (!(win = dialog_open(u, h, w, title)))
			return;
		inner = getmaxy(win) - 3;
		page = inner > 0 ? (size_t)inner : 1;
		for (i = 0; i < page && l.top + i < n; i++)
			ui_put(win, (int)i + 1, 2, getmaxx(win) - 4,
			    lines[l.top + i], u->attr[TE_DIALOG], false);
		ui_put(win, getmaxy(win) - 2, 2, getmaxx(win) - 4, n > page ?
		    "arrows, PgUp/PgDn scroll; any other key closes" :
		    "any key closes", u->attr[TE_DIM] | u->attr[TE_DIALOG],
		    false);
		wnoutrefresh(win);
		doupdate();
		/* the lists' own movement keys scroll it */
		i = (size_t)ui_action(u, ui_focused(u)->ctx,
		    dialog_key(u, win));
		delwin(win);
		if (!ui_list_move(&l, (int)i, page, false))
			break;
	}
	dialog_close(u, NULL);
}

/* Edits buf in a field of width cols at (y, x) of w. */
static bool
edit_field(struct ui *u, WINDOW *w, int y, int x, int width, char *buf,
    size_t len)
{
	size_t n = strlen(buf);
	const char *shown;
	int k;

	if (width < 1)
		width = 1;
	curs_set(1);
	for (;;) {
		shown = (int)n >= width ? buf + n - (size_t)width + 1 : buf;
		ui_put(w, y, x, width, shown, u->attr[TE_DIALOG_INPUT], true);
		wmove(w, y, x + (int)strlen(shown));
		wnoutrefresh(w);
		doupdate();
		k = dialog_key(u, w);
		if (k == '\n' || k == '\r' || k == KEY_ENTER) {
			curs_set(0);
			return true;
		}
		if (k == 27 || k == 7 || k == KEY_RESIZE) {	/* Esc, ^G */
			curs_set(0);
			return false;
		}
		if ((k == KEY_BACKSPACE || k == 127 || k == 8) && n > 0)
			buf[--n] = '\0';
		else if (k == 21)	/* ^U */
			buf[n = 0] = '\0';
		else if (k == 23) {	/* ^W */
			while (n > 0 && buf[n - 1] == ' ')
				buf[--n] = '\0';
			while (n > 0 && buf[n - 1] != ' ')
				buf[--n] = '\0';
		} else if (k >= 0x20 && k < 0x7f && n + 1 < len) {
			buf[n++] = (char)k;
			buf[n] = '\0';
		}
	}
}

bool
prompt_line(struct ui *u, const char *label, char *buf, size_t len)
{
	int lw = ui_width(label);
	int field = u->cols - lw - 1;
	int least = u->cols > PROMPT_MIN_FIELD + 1 ? PROMPT_MIN_FIELD :
	    u->cols - 1;
	bool ok;

	/* a screen narrower than the label: the label gives way, cut */
	if (field < least) {
		field = least > 1 ? least : 1;
		lw = u->cols - field - 1 > 0 ? u->cols - field - 1 : 0;
	}
	werase(u->wstat);
	ui_put(u->wstat, 0, 0, lw, label, u->attr[TE_STATUS], true);
	keypad(u->wstat, TRUE);
	ok = edit_field(u, u->wstat, 0, lw, field, buf, len);
	u->dirty |= D_STATUS;
	return ok;
}

bool
prompt_yesno(struct ui *u, const char *question)
{
	char q[512];
	int k;

	snprintf(q, sizeof q, "%s (y/N) ", question);
	werase(u->wstat);
	ui_put(u->wstat, 0, 0, u->cols, q, u->attr[TE_ERROR], true);
	keypad(u->wstat, TRUE);
	wnoutrefresh(u->wstat);
	doupdate();
	k = dialog_key(u, u->wstat);
	u->dirty |= D_STATUS;
	return k == 'y' || k == 'Y';
}

bool
dialog_edit(struct ui *u, WINDOW *w, int y, int x, int width, char *buf,
    size_t len)
{
	return edit_field(u, w, y, x, width, buf, len);
}

bool
confirm_overwrite(struct ui *u, const char *name, const char *action,
    bool *force)
{
	char esc[1100], q[1200];

	*force = false;
	if (access(name, F_OK) != 0)
		return true;
	ui_esc_str(u, name, esc, sizeof esc);
	snprintf(q, sizeof q, "%.150s exists. Overwrite?", esc);
	if (!prompt_yesno(u, q)) {
		ui_message(u, false, "%s cancelled: %s kept", action, esc);
		return false;
	}
	*force = true;
	return true;
}
