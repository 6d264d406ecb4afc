/*
 * pane_stream.c: "Follow TCP stream" for the selected request: the
 * upstream connection by default (s: the client's), read from the capture
 * file on demand once the selection settles (follow.c), shown as text with
 * every non-printable byte escaped, or as a hex dump (x), in the theme's
 * request and response colours; a TLS connection as its records
 * (follow_tls.c), what each shows in the clear, as nothing is decrypted.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/capfile.h"
#include "ui_int.h"

void
st_init(struct ui *u)
{
	u->st.txn = NONE32;
	u->st.conn = NONE32;
	u->st.upstream = true;
	u->st.width = -1;
}

static void
st_clear(struct st_pane *st)
{
	follow_free(&st->fw);
	follow_tls_free(&st->ft);
	st->tls = false;
	st->nlines = 0;
	st->text_len = 0;
	st->top = 0;
	st->first_line_of_txn = 0;
	st->note[0] = '\0';
}

void
st_free(struct ui *u)
{
	st_clear(&u->st);
	free(u->st.lines);
	free(u->st.text);
	u->st.lines = NULL;
	u->st.text = NULL;
}

static uint32_t st_pick_conn(struct ui *u, const struct txn *t);

/* The model was renumbered (st.txn already is): the same connection. */
static void
st_renumbered(struct ui *u)
{
	if (u->st.txn == NONE32)
		st_clear(&u->st);
	else if (u->st.conn != NONE32)
		u->st.conn = st_pick_conn(u, &ui_model(u)->diag.txns[u->st.txn]);
}

static void
st_select(struct ui *u, const struct txn *t)
{
	uint32_t id = t ? (uint32_t)(t - ui_model(u)->diag.txns) : NONE32;

	if (id == u->st.txn && !u->st.want)
		return;
	st_clear(&u->st);
	u->st.txn = id;
	u->st.conn = NONE32;
	u->st.want = t != NULL;
	u->dirty |= D_ST;
}

/* ---- rendering into screen lines ---------------------------------------- */

static int
st_text_add(struct st_pane *st, const char *s, size_t n, uint8_t dir,
    uint64_t frame, uint8_t kind)
{
	if (vec_reserve((void **)&st->text, &st->text_cap, st->text_len + n + 1,
	    1, SIZE_MAX) < 0 ||
	    vec_reserve((void **)&st->lines, &st->lines_cap, st->nlines + 1,
	    sizeof *st->lines, SIZE_MAX) < 0)
		return -1;
	memcpy(st->text + st->text_len, s, n);
	st->text[st->text_len + n] = '\0';
	st->lines[st->nlines++] = (struct st_line){ dir, kind,
	    (uint32_t)st->text_len, (uint32_t)n, frame };
	st->text_len += n + 1;
	return 0;
}

/* Escapes one line of stream bytes and wraps it to the width. */
static int
st_text_line(struct ui *u, const uint8_t *b, size_t n, uint8_t dir,
    uint64_t frame, char *esc, size_t esclen)
{
	struct st_pane *st = &u->st;
	const char *s = esc;
	size_t k;

	if (n && b[n - 1] == '\r')
		n--;	/* the line end itself is shown by the line break */
	ui_esc(u, (const char *)b, n, esc, esclen);
	do {
		k = ui_prefix_cols(s, st->width, NULL);
		if (k == 0 && *s)
			k = 1;
		if (st_text_add(st, s, k, dir, frame, 0) < 0)
			return -1;
		s += k;
	} while (*s);
	return 0;
}

/* A run of stream bytes as lines, split at each line feed; *esc (of
 * *esclen bytes) grows to escape them. */
static int
st_span_lines(struct ui *u, const uint8_t *b, size_t n, uint8_t dir,
    uint64_t frame, char **esc, size_t *esclen)
{
	size_t start = 0;

	if (n * 4 + 1 > *esclen) {
		free(*esc);
		*esclen = n * 4 + 1;
		if (!(*esc = malloc(*esclen))) {
			*esclen = 0;
			return -1;
		}
	}
	for (size_t j = 0; j <= n; j++) {
		if (j < n && b[j] != '\n')
			continue;
		if (j == n && start == j)
			break;
		if (st_text_line(u, b + start, j - start, dir, frame, *esc,
		    *esclen) < 0)
			return -1;
		start = j + 1;
	}
	return 0;
}

static int
st_render_text(struct ui *u)
{
	struct st_pane *st = &u->st;
	size_t esclen = 0;
	char *esc = NULL;
	int rc = 0;

	for (size_t i = 0; i < st->fw.nchunks && rc == 0; i++) {
		const struct follow_chunk *c = &st->fw.chunks[i];

		rc = st_span_lines(u, st->fw.data + c->off, c->len, c->dir,
		    c->frame, &esc, &esclen);
	}
	free(esc);
	return rc;
}

/* A TLS connection: a line per record (follow_tls_describe), and the
 * bytes of a side that stopped speaking TLS as text. */
static int
st_render_tls(struct ui *u)
{
	struct st_pane *st = &u->st;
	size_t esclen = 0;
	char *esc = NULL, line[512];
	int rc = 0;

	for (size_t i = 0; i < st->ft.nitems && rc == 0; i++) {
		const struct follow_tls_item *it = &st->ft.items[i];
		uint64_t frame = st->fw.chunks[it->chunk].frame;

		if (it->record) {
			follow_tls_describe(&st->ft, it, line, sizeof line);
			rc = st_span_lines(u, (const uint8_t *)line,
			    strlen(line), it->dir, frame, &esc, &esclen);
		} else {
			rc = st_span_lines(u, st->ft.bytes[it->dir] + it->off,
			    it->len, it->dir, frame, &esc, &esclen);
		}
	}
	free(esc);
	return rc;
}

static int
st_hex_line(struct ui *u, const uint8_t *b, size_t n, size_t per,
    uint64_t off, uint8_t dir, uint64_t frame)
{
	char line[256];
	size_t i, o;

	o = (size_t)snprintf(line, sizeof line, "%08llx  ",
	    (unsigned long long)off);
	for (i = 0; i < per; i++)
		o += (size_t)snprintf(line + o, sizeof line - o, i < n ?
		    "%02x " : "   ", i < n ? b[i] : 0);
	line[o++] = ' ';
	for (i = 0; i < n; i++)
		line[o++] = isprint(b[i]) && b[i] < 0x80 ? (char)b[i] : '.';
	line[o] = '\0';
	return st_text_add(&u->st, line, o, dir, frame, 0);
}

static int
st_render_hex(struct ui *u)
{
	struct st_pane *st = &u->st;
	const struct follow_chunk *c;
	uint64_t off[2] = { 0, 0 };
	size_t per = st->width >= 76 ? 16 : 8, i, j, n;

	for (i = 0; i < st->fw.nchunks; i++) {
		c = &st->fw.chunks[i];
		for (j = 0; j < c->len; j += per) {
			n = c->len - j < per ? c->len - j : per;
			if (st_hex_line(u, st->fw.data + c->off + j, n, per,
			    off[c->dir & 1] + j, c->dir, c->frame) < 0)
				return -1;
		}
		off[c->dir & 1] += c->len;
	}
	return 0;
}

/* First line that belongs to the selected request (client stream). */
static void
st_find_txn_line(struct ui *u)
{
	struct st_pane *st = &u->st;
	const struct txn *t = ui_selected(u);
	uint64_t f;
	size_t i;

	st->first_line_of_txn = 0;
	if (!t || st->upstream)
		return;
	f = ui_model(u)->flow.msgs[t->req].start.number;
	for (i = 0; i < st->nlines; i++)
		if (st->lines[i].dir == 0 && st->lines[i].frame >= f) {
			st->first_line_of_txn = i;
			return;
		}
}

static int
st_inner_width(const struct ui *u)
{
	return getmaxx(u->wst) - 2;
}

static void
st_render(struct ui *u)
{
	struct st_pane *st = &u->st;
	int rc;

	st->width = st_inner_width(u);
	if (st->width < 8)
		st->width = 8;
	st->nlines = 0;
	st->text_len = 0;
	rc = st->hex ? st_render_hex(u) : st->tls ? st_render_tls(u) :
	    st_render_text(u);
	if (rc < 0)
		snprintf(st->note, sizeof st->note, "out of memory");
	st_find_txn_line(u);
	if (st->top >= st->nlines)
		st->top = st->nlines ? st->nlines - 1 : 0;
}

/* ---- loading ------------------------------------------------------------ */

static uint32_t
st_pick_conn(struct ui *u, const struct txn *t)
{
	const struct diagnosis *d = &t->d;
	int k;

	if (!u->st.upstream)
		return t->conn;
	if (d->up_conn != NONE32)
		return d->up_conn;
	for (k = (int)d->nconns - 1; k >= 0; k--)
		if (ui_model(u)->flow.conns[d->conns[k]].synack.number)
			return d->conns[k];
	return NONE32;
}

void
st_load(struct ui *u)
{
	struct st_pane *st = &u->st;
	const struct txn *t = ui_selected(u);
	char err[512];

	st->want = false;
	if (!t || (!u->wide && u->bottom != PANE_STREAM)) {
		st->want = t != NULL;	/* load when it becomes visible */
		if (!t)
			return;
		if (!u->wide && u->bottom != PANE_STREAM)
			return;
	}
	st_clear(st);
	st->txn = (uint32_t)(t - ui_model(u)->diag.txns);
	st->conn = st_pick_conn(u, t);
	if (st->conn == NONE32) {
		snprintf(st->note, sizeof st->note, "no upstream connection was "
		    "established for this request (see the evidence)");
	} else if (follow_conn(u->opts->path, &u->eng.flow.offsets,
	    &ui_model(u)->flow.conns[st->conn], FOLLOW_DEFAULT_LIMIT,
	    &st->fw, err, sizeof err) < 0) {
		ui_esc_str(u, err, st->note, sizeof st->note);
	} else if (st->fw.len == 0) {
		snprintf(st->note, sizeof st->note, "the connection carried no "
		    "data");
	} else {
		/* out of memory: its bytes as they are */
		st->tls = follow_tls_read(&st->fw, &st->ft) == 1;
	}
	st_render(u);
	st->top = st->first_line_of_txn;
	u->dirty |= D_ST;
}

static void
st_toggle_side(struct ui *u)
{
	u->st.upstream = !u->st.upstream;
	u->st.want = true;
	u->st.txn = NONE32;
	st_select(u, ui_selected(u));
	ui_message(u, false, "stream: %s side", u->st.upstream ? "upstream" :
	    "client");
}

static void
st_toggle_hex(struct ui *u)
{
	u->st.hex = !u->st.hex;
	u->st.width = -1;
	u->st.top = 0;
	u->dirty |= D_ST;
}

/* ---- drawing and keys --------------------------------------------------- */

static void
st_title(struct ui *u)
{
	const struct st_pane *st = &u->st;
	const struct conn *c = st->conn != NONE32 ?
	    &ui_model(u)->flow.conns[st->conn] : NULL;
	char t[256], a[ADDR_PORT_STRLEN], b[ADDR_PORT_STRLEN];
	int x = 2;

	if (!u->wide) {
		ui_put(u->wst, 0, x, 12, " Evidence ", u->attr[TE_DIM], false);
		x += 11;
	}
	if (c)
		snprintf(t, sizeof t, "Stream %s %s %s %s%s%s",
		    st->upstream ? "upstream" : "client",
		    addr_port_fmt(&c->caddr, c->cport, a, sizeof a), u->g.arrow,
		    addr_port_fmt(&c->saddr, c->sport, b, sizeof b),
		    st->hex ? " hex" : st->tls ? " TLS records" : "",
		    st->fw.truncated ? " (cut)" : "");
	else
		snprintf(t, sizeof t, "Stream %s%s", st->upstream ?
		    "upstream" : "client", st->hex ? " hex" : "");
	ui_title(u, u->wst, x, t, u->focus == PANE_STREAM);
}

static void
st_draw(struct ui *u)
{
	struct st_pane *st = &u->st;
	const struct st_line *l;
	size_t i, page = ui_page(u->wst);
	int w = st_inner_width(u);

	if (st->width != w && !st->want && st->txn != NONE32)
		st_render(u);
	werase(u->wst);
	ui_box(u, u->wst, u->wide ? u->g.tt : u->g.lt, u->g.rt,
	    u->wide ? u->g.bt : u->g.ll, u->g.lr, true);
	st_title(u);
	if (st->want)
		ui_put(u->wst, 1, 2, w - 1, "reading the stream from the "
		    "capture file", u->attr[TE_DIM], false);
	else if (st->note[0])	/* whole: never cut at the border */
		ui_put_wrapped(u->wst, 1, 2, w - 1, (int)page, st->note,
		    u->attr[TE_DIM]);
	for (i = 0; !st->want && i < page && st->top + i < st->nlines; i++) {
		l = &st->lines[st->top + i];
		ui_put(u->wst, (int)i + 1, 1, w, st->text + l->off,
		    u->attr[l->dir ? TE_STREAM_RESP : TE_STREAM_REQ], false);
	}
	if (!st->want && st->top + page < st->nlines)
		ui_put(u->wst, getmaxy(u->wst) - 1, getmaxx(u->wst) - 12, 8,
		    " more ", u->attr[TE_TITLE], false);
	wnoutrefresh(u->wst);
}

bool
st_wants_load(const struct ui *u)
{
	return u->st.want && (u->wide || u->bottom == PANE_STREAM);
}

/* On a narrow screen the stream shares the bottom with the evidence:
 * s and x first bring it up. */
static bool
st_bring_up(struct ui *u)
{
	if (u->wide || u->bottom == PANE_STREAM)
		return false;
	ui_focus(u, PANE_STREAM);
	return true;
}

static bool
st_key(struct ui *u, int act)
{
	struct st_pane *st = &u->st;
	size_t top = st->top;

	switch (act) {
	case ACT_STREAM:
		if (!st_bring_up(u))
			st_toggle_side(u);
		return true;
	case ACT_HEX:
		st_bring_up(u);
		st_toggle_hex(u);
		return true;
	default:
		break;
	}
	if (!ui_scroll_key(act, st->nlines, ui_page(u->wst), &top))
		return false;
	if (top != st->top) {
		st->top = top;
		u->dirty |= D_ST;
	}
	return true;
}

static void
st_resize(struct ui *u)
{
	u->st.width = -1;	/* render again for the new width */
}

static uint32_t *
st_txn_ref(struct ui *u)
{
	return &u->st.txn;
}

const struct ui_pane ui_pane_stream = {
	.name = "Stream",
	.ctx = CX_ST,
	.dirty = D_ST,
	.help = "Follow TCP stream of the selected request",
	.draw = st_draw,
	.key = st_key,
	.resize = st_resize,
	.on_select = st_select,
	.slot = SLOT_STREAM,
	.txn_ref = st_txn_ref,
	.renumbered = st_renumbered,
	.destroy = st_free,
};
