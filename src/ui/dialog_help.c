/*
 * dialog_help.c: `?`/F1 says which pane has the keys (its own help line)
 * and lists every key, generated from the action table (keys.c), so the
 * help says what the keys do and nothing else.
 */
#include <stdio.h>

#include "ui_int.h"

#define HELP_MAX_LINES 96

void
help_dialog(struct ui *u)
{
	const struct ui_pane *p = ui_focused(u);
	char lines[HELP_MAX_LINES][UI_HELP_W];
	const char *ptrs[HELP_MAX_LINES];
	size_t n;

	snprintf(lines[0], UI_HELP_W, "In %s: %s", p->name, p->help);
	lines[1][0] = '\0';
	n = 2 + ui_help_lines(u, lines + 2, HELP_MAX_LINES - 2);
	for (size_t i = 0; i < n; i++)
		ptrs[i] = lines[i];
	dialog_info(u, "Keys", ptrs, n);
}
