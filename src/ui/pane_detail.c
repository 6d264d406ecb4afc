/*
 * pane_detail.c: Enter on a packet: the frame decoded into the fields a
 * display filter knows (Wireshark's names, so what is read here can be
 * typed after F), then its bytes as a hex dump, scrolled like any list;
 * r goes to the request the frame belongs to. The lines are made once
 * when the view opens; network text is escaped as everywhere else.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../filter/framefields.h"
#include "../util/vec.h"
#include "ui_int.h"

#define PD_LINE 160
#define PD_HEX_PER 16

struct pd_view {
	char (*lines)[PD_LINE];
	size_t n, cap;
	size_t top;
	uint64_t number;	/* the frame shown */
};

static void
pd_add(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2,
    3)));

static void
pd_add(struct ui *u, const char *fmt, ...)
{
	struct pd_view *pd = u->pd;
	va_list ap;

	if (vec_reserve((void **)&pd->lines, &pd->cap, pd->n + 1,
	    sizeof *pd->lines, SIZE_MAX / sizeof *pd->lines) != 0)
		return;	/* the view shows what fitted */
	va_start(ap, fmt);
	vsnprintf(pd->lines[pd->n++], PD_LINE, fmt, ap);
	va_end(ap);
}

/* "name = v1, v2": one line per field present on the frame. */
static void
pd_field(struct ui *u, const struct frame_fields *ff, enum ff_field fld)
{
	const struct ff_fieldinfo *fi = ff_field_info(fld);
	struct ff_value v[FF_MAX_VALUES];
	char line[PD_LINE], val[PD_LINE + 4], esc[PD_LINE];
	size_t n = ff_values(ff, fld, v, FF_MAX_VALUES), o;

	if (fi == NULL || n == 0)
		return;
	o = (size_t)snprintf(line, sizeof line, "  %-22s", fi->name);
	if (fi->type == FT_PROTO) {
		pd_add(u, "%s", line);
		return;
	}
	for (size_t i = 0; i < n && o < sizeof line; i++) {
		switch (fi->type) {
		case FT_UINT:
			snprintf(val, sizeof val, "%llu",
			    (unsigned long long)v[i].u);
			break;
		case FT_TIME:
			snprintf(val, sizeof val, "%.6f", v[i].t);
			break;
		case FT_ADDR:
			addr_fmt(&v[i].a, val, sizeof val);
			break;
		default:
			ui_esc(u, v[i].s, v[i].slen, esc, sizeof esc);
			snprintf(val, sizeof val, "\"%.*s\"", PD_LINE - 8,
			    esc);
			break;
		}
		o += (size_t)snprintf(line + o, sizeof line - o, "%s%s",
		    i ? ", " : " = ", val);
	}
	pd_add(u, "%s", line);
}

static void
pd_hex(struct ui *u, const uint8_t *b, size_t len)
{
	for (size_t off = 0; off < len; off += PD_HEX_PER) {
		char line[PD_LINE];
		size_t n = len - off < PD_HEX_PER ? len - off : PD_HEX_PER, o;

		o = (size_t)snprintf(line, sizeof line, "%04zx  ", off);
		for (size_t i = 0; i < PD_HEX_PER; i++)
			o += (size_t)snprintf(line + o, sizeof line - o,
			    i < n ? "%02x " : "   ", i < n ? b[off + i] : 0);
		line[o++] = ' ';
		for (size_t i = 0; i < n; i++)
			line[o++] = isprint(b[off + i]) && b[off + i] < 0x80 ?
			    (char)b[off + i] : '.';
		line[o] = '\0';
		pd_add(u, "%s", line);
	}
}

static bool
pd_open(struct ui *u)
{
	const struct frame_fields *ff;
	struct frame f;
	char clock[32], src[ADDR_STRLEN], dst[ADDR_STRLEN], info[1024];
	uint32_t id;

	if (u->pd == NULL && (u->pd = calloc(1, sizeof *u->pd)) == NULL) {
		ui_message(u, true, "out of memory for the packet detail");
		return false;
	}
	u->pd->n = u->pd->top = 0;
	if ((ff = pk_read_selected(u, &f)) == NULL) {
		ui_message(u, true, "cannot read the frame again");
		return false;
	}
	u->pd->number = f.number;
	ui_fmt_clock(f.ts_ns, 6, clock, sizeof clock);
	ff_addrs(ff, src, dst, sizeof src);
	ff_info(ff, info, sizeof info);	/* escaped */
	pd_add(u, "Frame %llu: %u bytes on the wire, %u captured, at %s",
	    (unsigned long long)f.number, f.wirelen, f.caplen, clock);
	pd_add(u, "%s %s %s  %s", src, u->g.arrow, dst, ff_protocol(ff));
	pd_add(u, "%s", info);
	id = pk_txn_of_frame(u, f.number);
	if (id != 0)
		pd_add(u, "Request #%u (r goes to it)", id);
	pd_add(u, "%s", "");
	pd_add(u, "Fields (display filter names)");
	for (int fld = 0; fld < FF_NFIELDS; fld++)
		pd_field(u, ff, (enum ff_field)fld);
	pd_add(u, "%s", "");
	pd_add(u, "Bytes");
	pd_hex(u, f.data, f.caplen);
	return true;
}

static void
pd_draw(struct ui *u)
{
	struct pd_view *pd = u->pd;
	size_t page = ui_page(u->wflow);
	int w = getmaxx(u->wflow) - 2;
	char title[64];

	werase(u->wflow);
	ui_box(u, u->wflow, u->g.ul, u->g.ur, u->g.ll, u->g.lr, true);
	snprintf(title, sizeof title, "Packet %llu", (unsigned long long)
	    pd->number);
	ui_title(u, u->wflow, 2, title, true);
	for (size_t i = 0; i < page && pd->top + i < pd->n; i++)
		ui_put(u->wflow, (int)i + 1, 1, w, pd->lines[pd->top + i],
		    u->attr[TE_NORMAL], false);
	wnoutrefresh(u->wflow);
}

static bool
pd_key(struct ui *u, int act)
{
	struct pd_view *pd = u->pd;
	uint32_t id;

	if (act == ACT_JUMP) {
		if ((id = pk_txn_of_frame(u, pd->number)) == 0)
			ui_message(u, true, "frame %llu belongs to no request",
			    (unsigned long long)pd->number);
		else
			ui_show_txn(u, id);
		return true;
	}
	if (!ui_scroll_key(act, pd->n, ui_page(u->wflow), &pd->top))
		return false;
	u->dirty |= D_FLOW;
	return true;
}

static void
pd_destroy(struct ui *u)
{
	if (u->pd)
		free(u->pd->lines);
	free(u->pd);
	u->pd = NULL;
}

const struct ui_pane ui_pane_detail = {
	.name = "Packet",
	.ctx = CX_PKD,
	.dirty = D_FLOW,
	.help = "one packet decoded, with its bytes",
	.open = pd_open,
	.draw = pd_draw,
	.key = pd_key,
	.slot = SLOT_FULL,
	.destroy = pd_destroy,
};
