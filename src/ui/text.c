/*
 * text.c: drawing helpers shared by the panes: escaping network text
 * (esc_term in the terminal's mode), display widths, clipping and middle
 * elision, times and durations, boxes with ACS or ASCII lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "../peer/peer.h"
#include "../util/escape.h"
#include "ui_int.h"

void
ui_glyphs_init(struct ui_glyphs *g, bool utf8)
{
	if (utf8) {
		g->hl = ACS_HLINE, g->vl = ACS_VLINE;
		g->ul = ACS_ULCORNER, g->ur = ACS_URCORNER;
		g->ll = ACS_LLCORNER, g->lr = ACS_LRCORNER;
		g->lt = ACS_LTEE, g->rt = ACS_RTEE;
		g->tt = ACS_TTEE, g->bt = ACS_BTEE;
		g->ellipsis = "\xe2\x80\xa6", g->arrow = "\xe2\x86\x92";
		g->larrow = "\xe2\x86\x90", g->mul = "\xc3\x97";
		g->dash = "\xe2\x80\x93";
		g->hline_ch = '-';
		return;
	}
	g->hl = '-', g->vl = '|';
	g->ul = g->ur = g->ll = g->lr = g->lt = g->rt = g->tt = g->bt = '+';
	g->ellipsis = "~", g->arrow = "->", g->larrow = "<-", g->mul = "x";
	g->dash = "-";
	g->hline_ch = '-';
}

const char *
ui_esc(const struct ui *u, const char *raw, size_t len, char *out,
    size_t outlen)
{
	esc_term(raw ? raw : "", raw ? len : 0, out, outlen, u->utf8);
	return out;
}

const char *
ui_esc_str(const struct ui *u, const char *raw, char *out, size_t outlen)
{
	return ui_esc(u, raw, raw ? strlen(raw) : 0, out, outlen);
}

/*
 * Next character of safe text: its byte length and display width. A
 * character the terminal would not advance over (zero-width, format or
 * unknown) gets width -1: it is shown as \u{…} instead.
 */
static size_t
next_char(const char *s, int *width, wchar_t *wc_out)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;
	int w;

	if ((unsigned char)s[0] < 0x80) {
		*width = 1;
		*wc_out = (wchar_t)(unsigned char)s[0];
		return 1;
	}
	memset(&st, 0, sizeof st);
	n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*width = -1;
		*wc_out = (wchar_t)(unsigned char)s[0];
		return 1;
	}
	w = wcwidth(wc);
	*width = w > 0 ? w : -1;
	*wc_out = wc;
	return n;
}

static int
char_cols(int width, wchar_t wc)
{
	char tmp[16];

	if (width > 0)
		return width;
	return snprintf(tmp, sizeof tmp, "\\u{%x}", (unsigned)wc);
}

int
ui_width(const char *s)
{
	int total = 0, w;
	wchar_t wc;

	while (*s) {
		s += next_char(s, &w, &wc);
		total += char_cols(w, wc);
	}
	return total;
}

size_t
ui_prefix_cols(const char *s, int width, int *used)
{
	size_t off = 0, n;
	int cols = 0, w, c;
	wchar_t wc;

	while (s[off]) {
		n = next_char(s + off, &w, &wc);
		c = char_cols(w, wc);
		if (cols + c > width)
			break;
		cols += c;
		off += n;
	}
	if (used)
		*used = cols;
	return off;
}

int
ui_put(WINDOW *w, int y, int x, int width, const char *s, attr_t a,
    bool pad)
{
	char tmp[16];
	size_t n;
	int cols = 0, cw, c;
	wchar_t wc;

	if (width <= 0)
		return 0;
	wattrset(w, a);
	wmove(w, y, x);
	while (*s) {
		n = next_char(s, &cw, &wc);
		c = char_cols(cw, wc);
		if (cols + c > width)
			break;
		if (cw > 0) {
			waddnstr(w, s, (int)n);
		} else {
			snprintf(tmp, sizeof tmp, "\\u{%x}", (unsigned)wc);
			waddstr(w, tmp);
		}
		cols += c;
		s += n;
	}
	while (pad && cols < width) {
		waddch(w, ' ');
		cols++;
	}
	return cols;
}

void
ui_elide_mid(const char *s, int width, const char *ell, char *out,
    size_t outlen)
{
	int total = ui_width(s), ew = ui_width(ell), head, tail, cols = 0;
	int w, used;
	size_t hb, off = 0, tail_off = 0;
	wchar_t wc;

	if (total <= width || width <= ew + 1) {
		hb = ui_prefix_cols(s, width, &used);
		snprintf(out, outlen, "%.*s", (int)hb, s);
		return;
	}
	head = (width - ew + 1) / 2;
	tail = width - ew - head;
	hb = ui_prefix_cols(s, head, &used);
	tail_off = strlen(s);
	while (s[off]) {
		if (total - cols <= tail) {
			tail_off = off;
			break;
		}
		off += next_char(s + off, &w, &wc);
		cols += char_cols(w, wc);
	}
	snprintf(out, outlen, "%.*s%s%s", (int)hb, s, ell, s + tail_off);
}

void
ui_fmt_clock(int64_t ns, int decimals, char *out, size_t outlen)
{
	time_t t = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);
	struct tm tm;
	int i;

	if (frac < 0) {
		frac += 1000000000;
		t--;
	}
	localtime_r(&t, &tm);
	if (decimals <= 0) {
		snprintf(out, outlen, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min,
		    tm.tm_sec);
		return;
	}
	if (decimals > 9)
		decimals = 9;
	for (i = decimals; i < 9; i++)
		frac /= 10;
	snprintf(out, outlen, "%02d:%02d:%02d.%0*ld", tm.tm_hour, tm.tm_min,
	    tm.tm_sec, decimals, frac);
}

/* Seconds with millisecond precision and a sign: "+3.004s". */
void
ui_fmt_rel(int64_t ns, char *out, size_t outlen)
{
	int64_t a = ns < 0 ? -ns : ns;

	snprintf(out, outlen, "%c%lld.%03llds", ns < 0 ? '-' : '+',
	    (long long)(a / 1000000000), (long long)(a / 1000000 % 1000));
}

void
ui_box(const struct ui *u, WINDOW *w, chtype tl, chtype tr, chtype bl,
    chtype br, bool bottom)
{
	int h, wd;

	getmaxyx(w, h, wd);
	wattrset(w, u->attr[TE_BORDER]);
	mvwhline(w, 0, 1, u->g.hl, wd - 2);
	mvwaddch(w, 0, 0, tl);
	mvwaddch(w, 0, wd - 1, tr);
	mvwvline(w, 1, 0, u->g.vl, h - 1 - (bottom ? 1 : 0));
	mvwvline(w, 1, wd - 1, u->g.vl, h - 1 - (bottom ? 1 : 0));
	if (bottom) {
		mvwhline(w, h - 1, 1, u->g.hl, wd - 2);
		mvwaddch(w, h - 1, 0, bl);
		mvwaddch(w, h - 1, wd - 1, br);
	}
}

void
ui_title(const struct ui *u, WINDOW *w, int x, const char *title, bool focus)
{
	char buf[160];
	int wd = getmaxx(w);

	snprintf(buf, sizeof buf, " %s ", title);
	ui_put(w, 0, x, wd - x - 1, buf,
	    u->attr[focus ? TE_TITLE_FOCUS : TE_TITLE], false);
}

size_t
ui_page(WINDOW *w)
{
	int h = getmaxy(w) - 2;

	return h > 0 ? (size_t)h : 1;
}

bool
ui_scroll_key(int act, size_t n, size_t page, size_t *top)
{
	struct ui_list l = { n, *top, *top };

	if (!ui_list_move(&l, act, page, false))
		return false;
	*top = l.top;
	return true;
}

size_t
ui_wrap_cut(const char *s, int width)
{
	int used;
	size_t n = ui_prefix_cols(s, width, &used), cut = n;

	if (s[n] != '\0') {
		while (cut > 0 && s[cut] != ' ')
			cut--;
		if (cut == 0)
			cut = n ? n : 1;
	}
	return cut;
}

int
ui_put_wrapped(WINDOW *w, int y, int x, int width, int rows,
    const char *s, attr_t a)
{
	char part[512];
	int r = 0;

	while (*s && r < rows && width > 0) {
		size_t cut = ui_wrap_cut(s, width);

		snprintf(part, sizeof part, "%.*s", (int)cut, s);
		ui_put(w, y + r++, x, width, part, a, false);
		s += cut;
		while (*s == ' ')
			s++;
	}
	return r;
}

attr_t
ui_verdict_attr(const struct ui *u, int verdict)
{
	static const uint8_t map[V_COUNT] = {
		[V_OK] = TE_V_OK, [V_HOST_NOT_RESOLVABLE] = TE_V_DNS,
		[V_CANNOT_CONNECT] = TE_V_CONNECT, [V_BAD_RESPONSE] = TE_V_BAD,
		[V_RELAYED] = TE_V_RELAYED, [V_UNKNOWN] = TE_V_UNKNOWN,
		[V_PENDING] = TE_V_PENDING,
	};

	return u->attr[verdict >= 0 && verdict < V_COUNT ? map[verdict] :
	    TE_V_UNKNOWN];
}

/*
 * A request's badge in the list: the verdict's, except that a 4xx or a
 * 5xx which is not a gateway error is not "OK" (txn_label, as the reports
 * say it).
 */
const char *
ui_txn_badge(const struct row_view *v, bool long_form)
{
	struct txn t;	/* what txn_label reads of it */

	t.d.verdict = v->verdict;
	t.status = v->status;
	if (long_form || v->verdict != V_OK || v->status < 400)
		return long_form ? txn_label(&t) : ui_verdict_short(v->verdict);
	return v->status >= 500 ? "5XX" : "4XX";
}

int
ui_hop_sighting(struct ui *u, const struct evidence_row *r,
    struct peer_sighting *at)
{
	struct frame_ref ref = evidence_row_ref(r);

	if (u->eng.peer == NULL || !peer_shares(u->eng.peer) || !r->frame ||
	    (r->from != EC_UPSTREAM && r->to != EC_UPSTREAM &&
	    r->from != EC_DNS && r->to != EC_DNS))
		return -1;
	return peer_seen(u->eng.peer, &ref, at) ? 1 : 0;
}

/* Badge for narrow screens (DESIGN §5 status bar words). */
const char *
ui_verdict_short(int verdict)
{
	switch (verdict) {
	case V_OK: return "OK";
	case V_HOST_NOT_RESOLVABLE: return "DNS";
	case V_CANNOT_CONNECT: return "CONNECT";
	case V_BAD_RESPONSE: return "BAD RESP";
	case V_RELAYED: return "RELAYED";
	case V_UNKNOWN: return "UNKNOWN";
	case V_PENDING: return "PENDING";
	default: return "?";
	}
}
