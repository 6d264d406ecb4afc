/*
 * dialog_help.c: `?`/F1 lists every key, generated from the action table
 * (keys.c), so the help says what the keys do and nothing else.
 */
#include "ui_int.h"

#define HELP_MAX_LINES 96

void
help_dialog(struct ui *u)
{
	char lines[HELP_MAX_LINES][UI_HELP_W];
	const char *ptrs[HELP_MAX_LINES];
	size_t n = ui_help_lines(u, lines, HELP_MAX_LINES);

	for (size_t i = 0; i < n; i++)
		ptrs[i] = lines[i];
	dialog_info(u, "Keys", ptrs, n);
}
