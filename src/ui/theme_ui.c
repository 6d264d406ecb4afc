/*
 * theme_ui.c: themes on the screen: picks the theme given with -t (or the
 * configuration), falls back to the built-in default on any error (and
 * says so), turns styles into colour pairs and attributes for colour or
 * monochrome terminals, and cycles through the installed themes (`t`).
 */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

static attr_t
ta_to_curses(uint16_t a)
{
	attr_t r = A_NORMAL;

	if (a & TA_BOLD)
		r |= A_BOLD;
	if (a & TA_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & TA_REVERSE)
		r |= A_REVERSE;
	if (a & TA_DIM)
		r |= A_DIM;
	if (a & TA_BLINK)
		r |= A_BLINK;
	if (a & TA_STANDOUT)
		r |= A_STANDOUT;
#ifdef A_ITALIC
	if (a & TA_ITALIC)
		r |= A_ITALIC;
#endif
	return r;
}

void
ui_theme_apply(struct ui *u)
{
	const struct theme_style *st;
	bool colour = u->colour && COLOR_PAIRS > TE_COUNT;
	int i, fg, bg;

	for (i = 0; i < TE_COUNT; i++) {
		st = &u->theme.st[i];
		if (!colour) {
			u->attr[i] = ta_to_curses(st->attrs |
			    theme_mono_attrs((enum theme_elem)i));
			continue;
		}
		fg = theme_degrade(st->fg, COLORS);
		bg = theme_degrade(st->bg, COLORS);
		init_pair((short)(i + 1), (short)fg, (short)bg);
		u->attr[i] = COLOR_PAIR(i + 1) | ta_to_curses(st->attrs);
	}
	bkgdset(u->attr[TE_NORMAL]);
	u->dirty = D_ALL;
}

/*
 * Loads name (or path); on failure keeps the built-in theme and says why:
 * in theme_err, for stderr, whole; in shown, for the one-line status bar,
 * without the list of folders searched, which would not fit there.
 */
static int
ui_theme_load(struct ui *u, const char *name, char *shown, size_t shownlen)
{
	char path[THEME_PATH_MAX], err[sizeof u->theme_err - 32];
	char dirs[sizeof u->theme_err - THEME_NAME_MAX - 64];

	if (theme_find(name, path, sizeof path) < 0) {
		theme_builtin(&u->theme);
		if (strcmp(name, "default") == 0)
			return 0;
		if (path[0] != '\0') {	/* a path: no folder was searched */
			snprintf(u->theme_err, sizeof u->theme_err, "%s: no such "
			    "theme file (or not a regular file); using the "
			    "default theme", name);
			snprintf(shown, shownlen, "%s", u->theme_err);
			return -1;
		}
		datadir_describe("themes", dirs, sizeof dirs);
		snprintf(u->theme_err, sizeof u->theme_err, "theme '%.*s' not "
		    "found (looked in %s); using the default theme",
		    THEME_NAME_MAX, name, dirs);
		snprintf(shown, shownlen, "theme '%s' not found; default used "
		    "(folders searched: listed on exit)", name);
		return -1;
	}
	if (theme_load_file(path, &u->theme, err, sizeof err) < 0) {
		snprintf(u->theme_err, sizeof u->theme_err, "%s; using the "
		    "default theme", err);
		snprintf(shown, shownlen, "%s", u->theme_err);
		return -1;
	}
	return 0;
}

static void
ui_theme_pick(struct ui *u, const char *name)
{
	char shown[sizeof u->theme_err];
	size_t i;

	u->theme_err[0] = '\0';
	u->theme_cur = 0;
	for (i = 0; i < u->ntheme; i++)
		if (strcmp(u->theme_names[i], name) == 0)
			u->theme_cur = i;
	/* the name the file gives itself, and where it is in the cycle */
	if (ui_theme_load(u, name, shown, sizeof shown) < 0)
		ui_message(u, true, "%s", shown);
	else if (u->ntheme > 1)
		ui_message(u, false, "theme: %s (%zu/%zu, t: next)",
		    u->theme.name, u->theme_cur + 1, u->ntheme);
	else
		ui_message(u, false, "theme: %s (no other theme installed)",
		    u->theme.name);
	ui_theme_apply(u);
}

void
ui_theme_init(struct ui *u)
{
	u->ntheme = theme_list(u->theme_names, UI_MAX_THEMES);
	ui_theme_pick(u, u->opts->theme && *u->opts->theme ?
	    u->opts->theme : "default");
	if (!u->theme_err[0])
		u->msg[0] = '\0';	/* no need to announce the start theme */
}

void
ui_theme_next(struct ui *u)
{
	char err[sizeof u->theme_err];

	if (u->ntheme == 0)
		return;
	snprintf(err, sizeof err, "%s", u->theme_err);
	ui_theme_pick(u, u->theme_names[(u->theme_cur + 1) % u->ntheme]);
	if (!u->theme_err[0])
		snprintf(u->theme_err, sizeof u->theme_err, "%s", err);
	clearok(curscr, TRUE);
}
