/*
 * keys.c: the one table of keys (htop's Action.c, sngrep's keybinding.c):
 * each key maps, in the contexts where it works, to a named action that
 * carries its help text and its word on the hint bar. The help screen
 * and the bottom line are generated from it, never written by hand, and
 * list movement is written once here for every list.
 */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

#define CTRL(c) ((c) & 0x1f)
#define ESC 27
#define K_MAX 5

struct ui_keymap {
	uint8_t act;		/* enum ui_act */
	unsigned ctx;		/* CX_*: where these keys mean act */
	bool live;		/* only on a live capture */
	int keys[K_MAX];	/* 0-terminated; keys[0] names it on the bar */
	const char *hint;	/* its word on the hint bar, NULL: none */
	/* its line in the help, NULL: said by the entry of the same keys
	 * in another pane (an entry apart only for its hint) */
	const char *help;
};

/*
 * The first entry whose context matches decides a key; entries of one
 * context before the general ones (Space marks a packet, pages elsewhere).
 * The hint bar shows the hints in this order, as many as fit.
 */
static const struct ui_keymap keymap[] = {
	{ ACT_HELP, CX_ALL, false, { KEY_F(1), '?' }, "Help",
	    "this help" },
	{ ACT_SEARCH, CX_MAIN, false, { KEY_F(3), '/' }, "Search",
	    "search every column (status, verdict, cause, host, URL, client)" },
	{ ACT_NEXT, CX_MAIN, false, { 'n' }, NULL, "next match" },
	{ ACT_PREV, CX_MAIN, false, { 'N' }, NULL, "previous match" },
	{ ACT_ENTER, CX_MAIN, false, { '\n', '\r', KEY_ENTER }, "Flow",
	    "flow (ladder) view of the request" },
	{ ACT_ENTER, CX_FLOW, false, { '\n', '\r', KEY_ENTER }, "Frame",
	    "the selected arrow's frame" },
	{ ACT_ENTER, CX_PK, false, { '\n', '\r', KEY_ENTER }, "Detail",
	    "the packet decoded, with its bytes in hex" },
	{ ACT_STREAM, CX_REQ | CX_EV, false, { 's' }, "Stream",
	    "show the request's upstream stream; again: the client side" },
	{ ACT_STREAM, CX_ST, false, { 's' }, "Other side", NULL },
	{ ACT_HEX, CX_ST, false, { 'x' }, "Hex", NULL },
	{ ACT_HEX, CX_REQ | CX_EV, false, { 'x' }, NULL,
	    "the stream as a hex dump / as text" },
	{ ACT_PACKETS, CX_MAIN, false, { 'P' }, "Packets",
	    "packet list of the request (Wireshark-like)" },
	{ ACT_DFILTER, CX_MAIN, false, { 'F', ':' }, "Filter",
	    "display filter: only requests with a matching frame "
	    "(dns.flags.rcode==3)" },
	{ ACT_DFILTER, CX_PK, false, { 'F', ':' }, "Filter",
	    "display filter over the whole capture; empty: the request's" },
	{ ACT_MARK, CX_PK, false, { ' ' }, "Mark", "mark / unmark the frame" },
	{ ACT_RANGE, CX_PK, false, { 'm' }, NULL,
	    "first and last frame of a range to mark" },
	{ ACT_UNMARK, CX_PK, false, { 'U' }, NULL, "unmark all" },
	{ ACT_EXPORT_MARKED, CX_PK, false, { 'E' }, "Export",
	    "export the marked (or displayed) frames to pcap" },
	{ ACT_TIME, CX_PK, false, { 'T' }, "Time",
	    "time: since the request, delta, absolute" },
	{ ACT_JUMP, CX_PK | CX_PKD, false, { 'r' }, "Request",
	    "go to the packet's request in the list" },
	{ ACT_NARROW, CX_MAIN, false, { KEY_F(4), '\\' }, NULL,
	    "list only the requests containing a text" },
	{ ACT_ALL, CX_MAIN, false, { 'a' }, "All",
	    "all requests / gateway errors only" },
	{ ACT_CLIENT, CX_MAIN, false, { 'c' }, NULL,
	    "only the selected client (c again: all)" },
	{ ACT_EXPORT, CX_MAIN | CX_FLOW, false, { 'e' }, "Export",
	    "export the request's frames to a pcap file" },
	{ ACT_PAUSE, CX_MAIN, true, { 'p' }, "Pause",
	    "live: pause / resume capturing" },
	{ ACT_SAVE, CX_MAIN, true, { 'w' }, "Save",
	    "live: save the capture so far to a pcap file" },
	{ ACT_TAB, CX_MAIN, false, { '\t' }, NULL, "next pane" },
	{ ACT_BTAB, CX_MAIN, false, { KEY_BTAB }, NULL, "previous pane" },
	{ ACT_UP, CX_ALL, false, { KEY_UP, 'k' }, NULL, "previous line" },
	{ ACT_DOWN, CX_ALL, false, { KEY_DOWN, 'j' }, NULL, "next line" },
	{ ACT_PGUP, CX_ALL, false, { KEY_PPAGE, 'b', CTRL('B') }, NULL,
	    "page up" },
	{ ACT_PGDN, CX_ALL, false, { KEY_NPAGE, ' ', CTRL('F') }, NULL,
	    "page down (Space marks in Packets)" },
	{ ACT_HOME, CX_ALL, false, { KEY_HOME, 'g' }, NULL, "first line" },
	{ ACT_END, CX_ALL, false, { KEY_END, 'G' }, NULL, "last line" },
	{ ACT_THEME, CX_ALL, false, { 't' }, NULL, "next colour theme" },
	{ ACT_REDRAW, CX_ALL, false, { CTRL('L') }, NULL, "redraw the screen" },
	{ ACT_BACK, CX_FLOW | CX_PK | CX_PKD, false,
	    { 'q', ESC, KEY_LEFT, 'h', 'Q' }, "Back", "back" },
	/* as in the views: q leaves the pane, only the list's q quits */
	{ ACT_BACK, CX_EV | CX_ST, false, { 'q', ESC, 'Q' }, "Back",
	    "back to the list" },
	{ ACT_QUIT, CX_REQ, false, { 'q', 'Q' }, NULL,
	    "quit (while loading: stop loading)" },
	{ ACT_QUIT, CX_ALL, false, { KEY_F(10) }, "Quit",
	    "quit (Ctrl-C too)" },
};

#define NKEYMAP (sizeof keymap / sizeof keymap[0])

static bool
keymap_has(const struct ui_keymap *m, int key)
{
	for (int i = 0; i < K_MAX && m->keys[i]; i++)
		if (m->keys[i] == key)
			return true;
	return false;
}

static bool
keymap_applies(const struct ui *u, const struct ui_keymap *m, unsigned ctx)
{
	return (m->ctx & ctx) && (!m->live || u->opts->live);
}

int
ui_action(const struct ui *u, unsigned ctx, int key)
{
	for (size_t i = 0; i < NKEYMAP; i++)
		if (keymap_applies(u, &keymap[i], ctx) &&
		    keymap_has(&keymap[i], key))
			return keymap[i].act;
	return ACT_NONE;
}

static const char *
ui_key_name(int k, char *buf, size_t len)
{
	static const struct { int k; const char *name; } named[] = {
		{ KEY_UP, "Up" }, { KEY_DOWN, "Down" }, { KEY_LEFT, "Left" },
		{ KEY_PPAGE, "PgUp" }, { KEY_NPAGE, "PgDn" },
		{ KEY_HOME, "Home" }, { KEY_END, "End" }, { KEY_BTAB, "S-Tab" },
		{ KEY_ENTER, "Enter" }, { '\n', "Enter" }, { '\t', "Tab" },
		{ ' ', "Space" }, { ESC, "Esc" },
	};

	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (named[i].k == k)
			return named[i].name;
	if (k >= KEY_F(1) && k <= KEY_F(12))
		snprintf(buf, len, "F%d", k - KEY_F(0));
	else if (k > 0 && k < 0x20)
		snprintf(buf, len, "^%c", k + '@');
	else
		snprintf(buf, len, "%c", k);
	return buf;
}

/* "Up k", "PgDn Space ^F": every key of the entry, once each. */
static void
keys_label(const struct ui_keymap *m, char *out, size_t len)
{
	char buf[16], seen[64] = "";
	size_t o = 0;

	out[0] = '\0';
	for (int i = 0; i < K_MAX && m->keys[i]; i++) {
		const char *n = ui_key_name(m->keys[i], buf, sizeof buf);
		char tag[20];

		snprintf(tag, sizeof tag, "|%s|", n);
		if (strstr(seen, tag))
			continue;	/* \n and \r are both Enter */
		snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%s",
		    tag);
		o += (size_t)snprintf(out + o, len > o ? len - o : 0, "%s%s",
		    o ? " " : "", n);
	}
}

static const struct {
	unsigned ctx;
	const char *title, *also;
} help_sections[] = {
	{ CX_ALL, "Everywhere", "" },
	{ CX_MAIN, "Main screen (Requests, Evidence, Stream)", "main" },
	{ CX_FLOW, "Flow view (Enter)", "Flow" },
	{ CX_PK, "Packets (P)", "Packets" },
	{ CX_PKD, "Packet detail (Enter in Packets)", "detail" },
};

#define NSECTIONS (sizeof help_sections / sizeof help_sections[0])

/* An entry is listed once: under the first section it works in. */
static size_t
section_of(unsigned ctx)
{
	for (size_t s = 1; s < NSECTIONS; s++)
		if (ctx != CX_ALL && (ctx & help_sections[s].ctx))
			return s;
	return 0;
}

size_t
ui_help_lines(const struct ui *u, char (*out)[UI_HELP_W], size_t max)
{
	size_t n = 0;
	char keys[48], also[64];

	for (size_t s = 0; s < NSECTIONS; s++) {
		bool any = false;

		for (size_t i = 0; i < NKEYMAP && n + 2 < max; i++) {
			const struct ui_keymap *m = &keymap[i];
			size_t o = 0;

			if (section_of(m->ctx) != s || !m->help)
				continue;
			if (!any) {
				if (n)
					out[n++][0] = '\0';
				snprintf(out[n++], UI_HELP_W, "%s",
				    help_sections[s].title);
				any = true;
			}
			also[0] = '\0';
			for (size_t t = s + 1; s && t < NSECTIONS &&
			    o < sizeof also; t++)
				if (m->ctx & help_sections[t].ctx)
					o += (size_t)snprintf(also + o,
					    sizeof also - o, "%s%s", o ?
					    ", " : " (also ",
					    help_sections[t].also);
			if (o && o < sizeof also)
				snprintf(also + o, sizeof also - o, ")");
			keys_label(m, keys, sizeof keys);
			/* the table's texts are short: a cut one is a bug */
			if (snprintf(out[n++], UI_HELP_W, "  %-18s %s%s%s", keys,
			    m->help, also, m->live && !u->opts->live ?
			    " (-i only)" : "") >= UI_HELP_W)
				out[n - 1][UI_HELP_W - 2] = '~';
		}
	}
	return n;
}

/*
 * Help first, then what only the focused pane does (s on the stream, Mark
 * in Packets), then the rest: the keys a user cannot guess are the last to
 * be cut on a narrow screen.
 */
static int
hint_rank(const struct ui_keymap *m)
{
	if (m->act == ACT_HELP)
		return 0;
	if (m->ctx != CX_ALL && (m->ctx & CX_MAIN) != CX_MAIN)
		return 1;
	return 2;
}

/* The hint's word now: a toggle that is on offers the way back (x Text
 * in a hex dump, not x Hex again). */
static const char *
hint_word(const struct ui *u, const struct ui_keymap *m)
{
	if (m->act == ACT_HEX && u->st.hex)
		return "Text";
	return m->hint;
}

/*
 * Lays the hint bar out: calls put(u, x, key, label) for each whole item
 * that fits, in rank order; returns the action of the item covering
 * column `at` (ACT_NONE: none), so a click on the bar runs it (htop).
 */
static int
hints_layout(struct ui *u, int at, bool draw)
{
	const struct ui_pane *p = ui_focused(u);
	int x = 0, w = getmaxx(u->whint), hit = ACT_NONE;
	char buf[16], item[48];
	bool shown[ACT_COUNT] = { false }, full = false;

	for (int rank = 0; rank < 3 && !full; rank++)
		for (size_t i = 0; i < NKEYMAP && !full; i++) {
			const struct ui_keymap *m = &keymap[i];
			const char *k;
			int kw, iw;

			if (!m->hint || hint_rank(m) != rank || shown[m->act] ||
			    !keymap_applies(u, m, p->ctx))
				continue;
			shown[m->act] = true;
			k = ui_key_name(m->keys[0], buf, sizeof buf);
			snprintf(item, sizeof item, " %s ", hint_word(u, m));
			kw = ui_width(k);
			iw = ui_width(item);
			if (x + kw + iw - 1 > w) {
				full = true;	/* whole items only */
				break;
			}
			if (at >= x && at < x + kw + iw)
				hit = m->act;
			if (draw) {
				ui_put(u->whint, 0, x, kw, k,
				    u->attr[TE_STATUS_KEY], false);
				ui_put(u->whint, 0, x + kw, w - x - kw, item,
				    u->attr[TE_STATUS], false);
			}
			x += kw + iw;
		}
	return hit;
}

void
ui_hints_draw(struct ui *u)
{
	werase(u->whint);
	wbkgdset(u->whint, u->attr[TE_STATUS]);
	hints_layout(u, -1, true);
	wnoutrefresh(u->whint);
}

int
ui_hint_at(struct ui *u, int x)
{
	return hints_layout(u, x, false);
}

void
ui_list_fit(struct ui_list *l, size_t page)
{
	if (l->n == 0) {
		l->sel = l->top = 0;
		return;
	}
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	if (l->sel < l->top)
		l->top = l->sel;
	else if (l->sel >= l->top + page)
		l->top = l->sel - page + 1;
	/* a taller page after a resize: earlier rows fill it, no blanks */
	if (l->top + page > l->n)
		l->top = l->n > page ? l->n - page : 0;
}

bool
ui_list_move(struct ui_list *l, int act, size_t page, bool cursor)
{
	size_t n = l->n, last = n ? n - 1 : 0;
	size_t sel = l->sel;

	if (!cursor)	/* a text: the top line moves, never past a page */
		last = n > page ? n - page : 0;
	switch (act) {
	case ACT_UP: sel = sel ? sel - 1 : 0; break;
	case ACT_DOWN: sel = sel < last ? sel + 1 : last; break;
	case ACT_PGUP: sel = sel > page ? sel - page : 0; break;
	case ACT_PGDN: sel = sel + page < last ? sel + page : last; break;
	case ACT_HOME: sel = 0; break;
	case ACT_END: sel = last; break;
	default: return false;
	}
	l->sel = sel;
	if (!cursor || l->sel < l->top)
		l->top = l->sel;
	else if (l->sel >= l->top + page)
		l->top = l->sel - page + 1;
	return true;
}
