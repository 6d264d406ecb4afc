/*
 * dialog_export.c: `e` writes the selected transaction's frame range to a
 * new pcap file (the article's "Export Specified Packets" step): asks for
 * the file name (default gw502-ID-CLIENT.pcap in the current directory),
 * asks before replacing an existing file, and reports the frame count.
 * Frames that mix link types make a pcapng file (export.c): the title and
 * the name's extension say so.
 * With --peer the file is a pcapng holding the next hop's frames of the
 * same moment beside the gateway's (two interfaces, one clock).
 */
#include <stdio.h>
#include <string.h>

#include "../capture/export.h"
#include "../peer/peer.h"
#include "ui_int.h"

/* --peer with a capture that shares packets with the gateway's */
static bool
with_hop(const struct ui *u)
{
	return u->eng.peer != NULL && peer_shares(u->eng.peer);
}

static void
export_default_name(struct ui *u, const struct txn *t, const char *format,
    char *out, size_t outlen)
{
	char a[ADDR_STRLEN], *p;

	addr_fmt(&ui_model(u)->flow.conns[t->conn].caddr, a, sizeof a);
	for (p = a; *p; p++)
		if (*p == ':')
			*p = '_';	/* IPv6: no colons in file names */
	snprintf(out, outlen, "gw502-%u-%s.%s", t->id, a, format);
}

static bool
export_ask_name(struct ui *u, const struct txn *t, const char *format,
    const struct frame_ref *first, const struct frame_ref *last, char *name,
    size_t namelen)
{
	char line[256], title[64];
	WINDOW *w;
	bool ok;
	int width;

	snprintf(title, sizeof title, "Export to %s%s", format, with_hop(u) ?
	    ", with the next hop's frames" : "");
	if (!(w = dialog_open(u, 7, 64, title)))
		return false;
	width = getmaxx(w) - 4;
	snprintf(line, sizeof line, "Request #%u: frames %llu%s%llu "
	    "(%llu frames of the capture)", t->id,
	    (unsigned long long)first->number, u->g.dash,
	    (unsigned long long)last->number,
	    (unsigned long long)(last->number - first->number + 1));
	ui_put(w, 1, 2, width, line, u->attr[TE_DIALOG], false);
	ui_put(w, 2, 2, width, "File name:", u->attr[TE_DIALOG], false);
	ui_put(w, 5, 2, width, "Enter: write   Esc: cancel",
	    u->attr[TE_DIALOG] | A_DIM, false);
	ok = dialog_edit(u, w, 3, 2, width, name, namelen);
	dialog_close(u, w);
	return ok && name[0];
}

void
export_dialog(struct ui *u, const struct txn *t)
{
	struct frame_ref first, last;
	char name[1024], err[512], esc[1100];
	const char *format;
	struct peer_verdict placed;
	const struct peer_verdict *hop_frames = NULL;
	uint64_t written = 0;
	bool force = false;

	txn_frame_range(&ui_model(u)->flow, t, &first, &last);
	if (first.number == 0) {
		ui_message(u, true, "request #%u has no frames to export", t->id);
		return;
	}
	/* the frames may mix link types: then even a plain export is pcapng */
	format = with_hop(u) ? "pcapng" : export_range_format(u->opts->path,
	    &u->eng.flow.offsets, &first, last.number, err, sizeof err);
	if (format == NULL) {
		ui_message(u, true, "export failed: %s", ui_esc_str(u, err, esc,
		    sizeof esc));
		return;
	}
	export_default_name(u, t, format, name, sizeof name);
	if (!export_ask_name(u, t, format, &first, &last, name,
	    sizeof name)) {
		ui_message(u, false, "export cancelled");
		return;
	}
	if (!confirm_overwrite(u, name, "export", &force))
		return;
	ui_esc_str(u, name, esc, sizeof esc);
	/* the hop frames the reports name are in the file, however late */
	if (with_hop(u) && peer_explain(u->eng.peer, ui_model(u), t, &placed))
		hop_frames = &placed;
	if ((with_hop(u) ? peer_export_pair(u->eng.peer, &first, &last,
	    hop_frames, name, force, &written, err, sizeof err) :
	    export_range(u->opts->path, &u->eng.flow.offsets, &first,
	    last.number, name, force, &written, err, sizeof err)) < 0) {
		ui_message(u, true, "export failed: %s", ui_esc_str(u, err, esc,
		    sizeof esc));
		return;
	}
	ui_message(u, false, "exported %llu frames (%llu%s%llu%s) to %s",
	    (unsigned long long)written, (unsigned long long)first.number,
	    u->g.dash, (unsigned long long)last.number, with_hop(u) ?
	    " and the next hop's" : "", esc);
}
