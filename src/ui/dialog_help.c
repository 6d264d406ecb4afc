/*
 * dialog_help.c: `?` lists every key (DESIGN §5: less/vi and htop habits).
 */
#include "ui_int.h"

static const char *const help_lines[] = {
	"Moving",
	"  Up/k, Down/j      previous / next line",
	"  PgUp/b, PgDn/Spc  page up / page down",
	"  Home/g, End/G     first / last line",
	"  Tab, Shift-Tab    next / previous pane",
	"",
	"Requests",
	"  Enter             flow (ladder) view of the request",
	"  a                 all requests / gateway errors only",
	"  /                 filter by text in URL, host or client",
	"  c                 only the selected client (c again: all)",
	"  e                 export the request's frames to a pcap file",
	"  P                 packet list of the request (Wireshark-like)",
	"",
	"Packets (P)",
	"  F, :              display filter over the whole capture, e.g.",
	"                    ip.addr==10.0.0.5 && (http.response.code==502",
	"                    || http.request); empty: the request's frames",
	"  Space             mark / unmark the frame",
	"  m                 first and last frame of a range to mark",
	"  U                 unmark all",
	"  E                 export the marked (or displayed) frames to pcap",
	"  T                 time: absolute, since the request, delta",
	"  *                 (in the list) evidence for the diagnosis",
	"  q, Esc            back to the list",
	"",
	"Stream",
	"  s                 show the stream; again: upstream / client side",
	"  x                 hex dump / text",
	"",
	"Flow view",
	"  Up/Down, j/k      select an arrow",
	"  Enter             that frame's summary",
	"  q, Esc            back to the list",
	"",
	"Live capture (-i)",
	"  p                 pause / resume capturing",
	"  w                 save the capture so far to a pcap file",
	"",
	"Anywhere",
	"  t                 next colour theme",
	"  Ctrl-L            redraw the screen",
	"  ?, F1             this help",
	"  q                 back / quit (while loading: stop loading)",
};

void
help_dialog(struct ui *u)
{
	dialog_info(u, "Keys", help_lines,
	    sizeof help_lines / sizeof help_lines[0]);
}
