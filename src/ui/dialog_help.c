/*
 * dialog_help.c: `?`/F1 says which pane has the keys (its own help line)
 * and lists every key, generated from the action table (keys.c), so the
 * help says what the keys do and nothing else.
 */
#include <stdio.h>

#include "ui_int.h"

#define HELP_MAX_LINES 192	/* with the wrapped lines' continuations */
#define HELP_TEXT_COL 21	/* where a key's text starts: "  %-18s " */
#define HELP_MIN_TEXT 16	/* narrower under it: continue further left */

/*
 * A help line wrapped at spaces into lines of `width` columns, continued
 * under the key's text: a cut line reads as other words ("host, UR").
 * Returns how many lines it took.
 */
static size_t
help_wrap(const char *line, int width, char (*out)[UI_HELP_W], size_t max)
{
	int indent = line[0] == ' ' ? HELP_TEXT_COL : 2;
	const char *p = line;
	size_t n = 0, cut;

	if (width - indent < HELP_MIN_TEXT)
		indent = 4;
	do {
		int lead = n ? indent : 0;

		cut = ui_wrap_cut(p, width - lead);
		snprintf(out[n++], UI_HELP_W, "%*s%.*s", lead, "", (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	} while (*p && n < max);
	return n;
}

void
help_dialog(struct ui *u)
{
	const struct ui_pane *p = ui_focused(u);
	char help[HELP_MAX_LINES][UI_HELP_W], lines[HELP_MAX_LINES][UI_HELP_W];
	const char *ptrs[HELP_MAX_LINES];
	/* the text's room in the dialog (dialog_info: borders and margins) */
	int width = u->cols - 6;
	size_t nhelp, n = 0;

	snprintf(help[0], UI_HELP_W, "In %s: %s", p->name, p->help);
	help[1][0] = '\0';
	nhelp = 2 + ui_help_lines(u, help + 2, HELP_MAX_LINES / 2 - 2);
	for (size_t i = 0; i < nhelp && n < HELP_MAX_LINES; i++)
		n += help_wrap(help[i], width, lines + n, HELP_MAX_LINES - n);
	for (size_t i = 0; i < n; i++)
		ptrs[i] = lines[i];
	dialog_info(u, "Keys", ptrs, n);
}
