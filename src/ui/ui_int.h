/*
 * ui_int.h: what the ui/ modules share: the `struct ui` context (passed to
 * every function, no hidden globals), the per-pane state and the drawing
 * helpers of text.c. Every byte that came from the network goes through
 * ui_esc() before it is drawn.
 */
#ifndef GW_UI_INT_H
#define GW_UI_INT_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../diag/ladder.h"
#include "../flow/follow.h"
#include "../util/clock.h"
#include "rows.h"
#include "theme.h"
#include "ui.h"

#define UI_SLICE_FRAMES 20000	/* frames read between two redraws */
#define UI_LIVE_DIAG_NS (200LL * 1000000LL) /* live: diagnose this often */
#define UI_LIVE_IDLE_DIAG_NS (1000LL * 1000000LL) /* …and without packets */
#define UI_WIDE_COLS 120	/* from here on evidence and stream side by side */
#define UI_MAX_THEMES 32
#define EV_MAX_LINES 160
#define EV_LINE_MAX 384

/* The tiled panes of the main screen: their places in ui_panes[]. */
enum ui_pane_id { PANE_REQUESTS, PANE_EVIDENCE, PANE_STREAM, PANE_COUNT };
#define UI_MAX_VIEWS 4		/* full-screen views stacked on the panes */

/* Dirty bits: only what is marked is drawn again. */
#define D_REQ 0x01u
#define D_EV 0x02u
#define D_ST 0x04u
#define D_STATUS 0x08u
#define D_FLOW 0x10u		/* the full-screen view on top */
#define D_HINTS 0x20u
#define D_ALL 0xffu

/*
 * Named actions (keys.c maps keys to them, per context, with their help):
 * panes never look at raw keys, so the help screen and the hint bar are
 * generated from the one table that decides what a key does.
 */
enum ui_act {
	ACT_NONE, ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_HOME, ACT_END,
	ACT_ENTER, ACT_BACK, ACT_QUIT, ACT_HELP, ACT_SEARCH, ACT_NEXT,
	ACT_PREV, ACT_NARROW, ACT_DFILTER, ACT_TAB, ACT_BTAB, ACT_ALL,
	ACT_CLIENT, ACT_EXPORT, ACT_STREAM, ACT_HEX, ACT_PACKETS, ACT_MARK,
	ACT_RANGE, ACT_UNMARK, ACT_EXPORT_MARKED, ACT_TIME, ACT_JUMP,
	ACT_PAUSE, ACT_SAVE, ACT_THEME, ACT_REDRAW, ACT_COUNT
};

/* Contexts: where an action's keys work (one bit per pane or view). */
#define CX_REQ 0x01u
#define CX_EV 0x02u
#define CX_ST 0x04u
#define CX_FLOW 0x08u
#define CX_PK 0x10u
#define CX_PKD 0x20u
#define CX_MAIN (CX_REQ | CX_EV | CX_ST)
#define CX_ALL 0x3fu

struct ui;
struct txn;

/*
 * A pane or full-screen view, like tmux's struct window_mode or sngrep's
 * ui_t: the screen manager (ui.c) lays the panes out, pushes views on
 * them, and dispatches actions, drawing and selection changes over this
 * table. Members a pane does not need are NULL.
 */
struct ui_pane {
	const char *name;
	unsigned ctx;		/* CX_*: which keys apply when focused */
	unsigned dirty;		/* D_*: its dirty bit */
	const char *help;	/* its section of the help screen */
	/* a view: opens on the selected request, false when it cannot */
	bool (*open)(struct ui *u);
	void (*close)(struct ui *u);
	void (*draw)(struct ui *u);
	bool (*key)(struct ui *u, int act);	/* false: not its action */
	void (*resize)(struct ui *u);
	void (*on_select)(struct ui *u, const struct txn *t);
	/* mouse: row y of its window (0: the top border) was clicked */
	void (*click)(struct ui *u, int y);
	int slot;		/* enum ui_slot: where the manager puts it */
	/* the txns[] index it shows, renumbered when --keep trims */
	uint32_t *(*txn_ref)(struct ui *u);
	void (*renumbered)(struct ui *u);
	/* work between keys (a filter pass): true while there is more */
	bool (*step)(struct ui *u);
	void (*destroy)(struct ui *u);	/* at exit */
};

/* The places of the layout (ui_layout makes one window for each). */
enum ui_slot { SLOT_TOP, SLOT_EVIDENCE, SLOT_STREAM, SLOT_FULL };

extern const struct ui_pane ui_pane_requests, ui_pane_evidence,
    ui_pane_stream, ui_pane_flow, ui_pane_packets, ui_pane_detail;

/* A cursor over n rows shown `page` at a time (sel == top for scrolling). */
struct ui_list {
	size_t n, sel, top;
};

/* Line drawing: ACS in a UTF-8 locale, plain ASCII otherwise. */
struct ui_glyphs {
	chtype hl, vl, ul, ur, ll, lr, lt, rt, tt, bt;
	const char *ellipsis, *arrow, *larrow, *mul, *dash;
	char hline_ch;		/* for arrows drawn as text */
};

/* A list entry: a row of u->retired_rows, or with this bit a transaction
 * still in the model (its txns[] index). The list keeps ids, not entries:
 * an id stays true while a trim retires or renumbers its transaction. */
#define REQ_LIVE 0x80000000u

/* A status has three digits (proto/http.c: 100-999). */
#define REQ_STATUS_SLOTS 1000

/* The list's rows and what is counted over them. */
struct req_list {
	uint32_t *ids;		/* ids of the entries passing the filter,
				 * ascending */
	size_t n, cap;
	size_t matches;		/* rows matching search */
	int client_w;		/* width of the client column */
	uint64_t shown[V_COUNT];	/* counts over the filtered rows */
	/* errors per status (100-999; 0: no answer), one slot for each: a
	 * header over any statuses, counted in any order, is the same */
	uint64_t by_status[REQ_STATUS_SLOTS];
	uint64_t client_counts[V_COUNT];	/* -c: that client's errors */
};

struct req_pane {
	struct req_list ls;	/* what the pane shows */
	/* the list after a diagnosis, built in steps between looks at the
	 * keys (req_build_*) and shown once complete */
	struct req_list next;
	size_t next_txn, next_row;	/* where that build merges on */
	size_t next_total;	/* requests in the model when it began */
	bool next_part;		/* it merges the rows' part with the model's */
	bool next_counted;	/* and took the part's counts */
	bool building;
	/*
	 * The retired rows' part of the list: the ids of those the filters
	 * pass (ascending), and the counts over all of them. A row never
	 * changes, so this part is kept as rows retire (req_rows_add) and a
	 * build after a diagnosis only adds the model's transactions to it:
	 * building the whole list at each diagnosis while loading (every
	 * 0.3 s) made the load of 10 M requests quadratic (issue 15). A
	 * filter's change, or a display filter, ends it (rows_part_ok).
	 */
	struct req_list rows_part;
	bool rows_part_ok;
	/* GW502TUI_ROWS=stats: builds that took the rows' part as it was;
	 * builds checked against the whole list built again, and how many
	 * of these differed */
	uint64_t reused, checked, differed;
	size_t sel, top;	/* positions in ls.ids */
	uint32_t sel_id;	/* id kept selected across rebuilds, 0: none */
	bool show_all;
	char search[256];	/* "/" term, "": none; n/N jump to matches */
	char narrow[256];	/* "\\" text: only rows containing it */
	char dfilter[512];	/* F/: display filter (rf) applied, "": none */
	bool client_on;
	struct gw_addr client;
};

struct ev_line {
	uint8_t elem;		/* enum theme_elem of the text */
	uint8_t lab_elem;	/* of the label */
	char label[16];		/* "DNS", "SYN #2" … (our own text) */
	char text[EV_LINE_MAX];	/* safe (escaped) text */
};

struct ev_pane {
	struct ev_line *lines;	/* EV_MAX_LINES */
	size_t n, top;
	uint32_t txn;		/* whose evidence, NONE32: none */
};

/* One screen line of the stream pane (text or hex rendering). */
struct st_line {
	uint8_t dir;
	uint8_t kind;		/* 0 text, 1 separator */
	uint32_t off, len;	/* into st_pane.text */
	uint64_t frame;
};

struct st_pane {
	struct follow fw;
	struct follow_tls ft;	/* fw's records, when tls */
	bool tls;		/* fw opens with a ClientHello */
	uint32_t txn;		/* NONE32: nothing loaded */
	uint32_t conn;
	bool upstream;		/* following the upstream (else the client) */
	bool hex;
	bool want;		/* (re)load when the user pauses */
	char note[256];		/* why there is nothing to show */
	struct st_line *lines;
	size_t nlines, lines_cap;
	char *text;		/* rendered, escaped lines */
	size_t text_len, text_cap;
	int width;		/* width the lines were rendered for */
	size_t top;
	size_t first_line_of_txn;
};

struct fv_view {
	struct ladder lad;
	uint32_t txn;
	size_t sel, top;
};

struct ui {
	const struct ui_opts *opts;
	struct engine eng;
	bool engine_open;
	bool loading, cancelled;
	bool diagnosing;	/* a diagnosis under way, in slices */
	bool diag_last;		/* it began once the reading was over */
	bool diag_done;		/* it is complete: trim and show it next */
	bool evicting;		/* an eviction under way, in slices */
	struct ui_trim *trim;	/* a trim under way (ui.c), or NULL */
	bool listing;		/* then its list is built, in slices */
	bool load_read;		/* loading: the reading is over, its last
				 * diagnosis runs */
	bool live_dead, live_full_told, live_new;	/* live capture */
	int64_t live_status_ns;
	int64_t load_t0_ns, last_diag_ns;
	size_t diag_nmsgs;	/* flow.nmsgs after the last diagnosis */
	bool utf8, colour, curses_on;
	SCREEN *scr;
	struct ui_glyphs g;
	struct theme theme;
	attr_t attr[TE_COUNT];
	char theme_names[UI_MAX_THEMES][THEME_NAME_MAX];
	size_t ntheme, theme_cur;
	/* printed on stderr after the TUI ends: a path and a reason, or the
	 * folders searched */
	char theme_err[DATADIR_MAX * (DATADIR_PATH_MAX + 2) + 256];
	int rows, cols, top_h;
	bool wide;
	int focus;		/* enum ui_pane_id */
	int bottom;		/* narrow screens: PANE_EVIDENCE or PANE_STREAM */
	const struct ui_pane *views[UI_MAX_VIEWS];	/* stacked views */
	int nviews;
	bool mouse;		/* mouse reporting on */
	WINDOW *wreq, *wev, *wst, *wstat, *wflow, *whint;
	unsigned dirty;
	char msg[512];
	bool msg_err;
	bool quit;
	int signo;		/* signal that ended the session, 0 if none */
	struct req_pane rq;
	struct ev_pane ev;
	struct st_pane st;
	struct fv_view fv;
	struct pk_view *pk;	/* pane_packets.c, NULL until opened */
	struct pd_view *pd;	/* pane_detail.c, NULL until opened */
	struct rf_scan *rf;	/* req_filter.c, NULL without a filter */
	/* without --keep: settled transactions as compact rows (rows.h) */
	struct ui_rows retired_rows;
	bool rows_on;
	size_t rows_from;	/* requests seen before rows start */
	bool rows_stats;	/* GW502TUI_ROWS=stats: counts on stderr */
	uint64_t rows_rebuilt;	/* selections that rebuilt a row's model */
	struct ui_waits *waits;	/* GW502TUI_WAITS=stats, or NULL */
	int64_t rows_rebuild_ns, rows_rebuild_max_ns;	/* time they took */
	/* the selected row's model, rebuilt from its frames: while mini_on
	 * the panes read it (ui_model) and their txn refs index it */
	struct engine mini;
	bool mini_on;
	uint32_t mini_id;	/* the row it was built for, 0: none */
	uint32_t mini_txn;	/* its transaction in mini.diag */
	char mini_err[640];	/* why the selected row was not rebuilt
				 * ("": it was, or none is selected) */
};

/* The model the selected request's panes read: the engine's, or the
 * retired row's rebuilt one. */
static inline struct engine *
ui_model(struct ui *u)
{
	return u->mini_on ? &u->mini : &u->eng;
}

/* ui.c: the screen manager */
void ui_message(struct ui *u, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ui_layout(struct ui *u);
int ui_top_height(const struct ui *u);
bool ui_interrupted(const struct ui *u);
/* A key from window w within timeout_ms (ERR: none); every look at the
 * keyboard goes through it (GW502TUI_WAITS). */
int ui_read_key(struct ui *u, WINDOW *w, int timeout_ms);
/* Does terminfo know $TERM? (terminfo.c; checked before newterm) */
bool ui_terminfo_known(void);
const struct txn *ui_selected(const struct ui *u);
/* The selected entry as the list shows it; false: none. */
bool ui_selected_view(const struct ui *u, struct row_view *v);
/* Makes ui_model() the selection's (rebuilding a retired row's). */
void ui_model_sync(struct ui *u);
void ui_diagnose(struct ui *u);
void ui_selection_changed(struct ui *u);
/* The pane or view that has the keys. */
const struct ui_pane *ui_focused(const struct ui *u);
void ui_focus(struct ui *u, int pane);
/* Opens a full-screen view over what is shown; false when it did not. */
bool ui_push_view(struct ui *u, const struct ui_pane *v);
/* Closes every view and selects request `id` in the list (showing it). */
void ui_show_txn(struct ui *u, uint32_t id);

/* ui_live.c: the screen on a live capture */
void ui_live_poll(struct ui *u);
void ui_live_pause(struct ui *u);
void ui_live_save(struct ui *u);
void ui_live_status(struct ui *u, char *out, size_t outlen);

/* keys.c: the action table, the help it generates, the hint bar. */
int ui_action(const struct ui *u, unsigned ctx, int key);
#define UI_HELP_W 160
/* Lines of the help screen, every action of the table; returns how many. */
size_t ui_help_lines(const struct ui *u, char (*out)[UI_HELP_W], size_t max);
/* The bottom line: the focused context's keys, whole items only. */
void ui_hints_draw(struct ui *u);
/* The action of the hint bar's item at column x, ACT_NONE: none. */
int ui_hint_at(struct ui *u, int x);
/*
 * List movement, written once for every list: up, down, page, home, end
 * move l->sel (and l->top to keep it visible); false when act is not a
 * movement. A scrolled text (no cursor) passes sel == top.
 */
bool ui_list_move(struct ui_list *l, int act, size_t page, bool cursor);
/*
 * The cursor kept on its row after the page changed size (a resize, rows
 * gone): l->sel within the rows and visible, l->top showing no blank rows
 * below while rows above are hidden.
 */
void ui_list_fit(struct ui_list *l, size_t page);

/* text.c: escaping, widths, clipping, times, boxes. */
void ui_glyphs_init(struct ui_glyphs *g, bool utf8);
const char *ui_esc(const struct ui *u, const char *raw, size_t len,
    char *out, size_t outlen);
const char *ui_esc_str(const struct ui *u, const char *raw, char *out,
    size_t outlen);
int ui_width(const char *safe);
int ui_put(WINDOW *w, int y, int x, int width, const char *safe, attr_t a,
    bool pad);
void ui_elide_mid(const char *safe, int width, const char *ell, char *out,
    size_t outlen);
size_t ui_prefix_cols(const char *safe, int width, int *used);
void ui_fmt_clock(int64_t ns, int decimals, char *out, size_t outlen);
void ui_fmt_rel(int64_t ns, char *out, size_t outlen);
void ui_box(const struct ui *u, WINDOW *w, chtype tl, chtype tr, chtype bl,
    chtype br, bool bottom);
void ui_title(const struct ui *u, WINDOW *w, int x, const char *title,
    bool focus);
/* Rows of text inside a boxed window (at least 1). */
size_t ui_page(WINDOW *w);
/* Scrolls a text of n lines shown `page` at a time by a movement action. */
bool ui_scroll_key(int act, size_t n, size_t page, size_t *top);
/* Bytes of safe text's first line wrapped at spaces to width columns (a
 * word wider than that is cut; at least one byte of a non-empty text). */
size_t ui_wrap_cut(const char *safe, int width);
/* Safe text wrapped at spaces onto rows y.. of w; returns rows used. */
int ui_put_wrapped(WINDOW *w, int y, int x, int width, int rows,
    const char *safe, attr_t a);
attr_t ui_verdict_attr(const struct ui *u, int verdict);
const char *ui_verdict_short(int verdict);
const char *ui_txn_badge(const struct row_view *v, bool long_form);
struct peer_sighting;
/*
 * --peer: did the next hop see evidence row r's frame? 1 and *at: seen;
 * 0: not seen; -1: nothing to say (no hop capture sharing packets with
 * ours, or a client-side row, which never passes the hop).
 */
int ui_hop_sighting(struct ui *u, const struct evidence_row *r,
    struct peer_sighting *at);

/* pane_requests.c */
void req_init(struct ui *u);
/* The whole list again, at once (after a filter's change). */
void req_rebuild(struct ui *u);
/* The list after a diagnosis, at once: from the rows' part on. */
void req_update(struct ui *u);
/* Rows are about to be committed (rows_commit): the staged ones join
 * the rows' part of the list. */
void req_rows_add(struct ui *u);
/* The list after a diagnosis, built in steps: begin (false: built at
 * once, out of memory for a second list), then steps until one returns
 * true (also when a req_rebuild meanwhile made it needless). */
bool req_build_begin(struct ui *u);
bool req_build_step(struct ui *u, size_t budget);
/* Starts the -Y filter once the capture has loaded. */
void req_start(struct ui *u);
/*
 * The list's errors per status in at most `room` columns, as its title
 * shows them: "502×17 · 504×2 · no answer×1", in order of status, no
 * answer last. When not all fit, the most frequent that do (in the same
 * order) and an ellipsis; "" when not even one does.
 */
void req_status_counts(const struct ui *u, int room, char *out, size_t len);
/* Lists and selects request `id` (in the model or a retired row),
 * widening the filters when they hide it. */
void req_show(struct ui *u, uint32_t id);
/* List entry e as shown. */
void req_entry_view(const struct ui *u, uint32_t e, struct row_view *v);
/* The entry of request `id` now, NONE32 when --keep forgot it. */
uint32_t req_entry_of(const struct ui *u, uint32_t id);

/* req_filter.c: a display filter over the capture, selecting requests */
struct rf_scan;
struct rf_scan *rf_start(struct ui *u, const char *text);
void rf_free(struct rf_scan *rf);
bool rf_busy(const struct rf_scan *rf);
/* One slice; true when the pass has just ended. */
bool rf_step(struct ui *u, struct rf_scan *rf);
/* Does the (finished) pass select list entry e? */
bool rf_keeps(const struct ui *u, const struct rf_scan *rf, uint32_t e);
unsigned rf_percent(const struct rf_scan *rf);

/* pane_evidence.c */
void ev_init(struct ui *u);
void ev_free(struct ui *u);
void ev_build(struct ui *u, const struct txn *t);
void ev_draw(struct ui *u);
bool ev_key(struct ui *u, int act);

/* pane_stream.c */
void st_init(struct ui *u);
void st_free(struct ui *u);
void st_load(struct ui *u);
/* Is a stream waiting to be read once keys pause? */
bool st_wants_load(const struct ui *u);

/* pane_packets.c: the packet list (P), display filters, frame export */
struct pk_view;
/* The selected packet read again and decoded (valid until the next
 * read), or NULL. */
struct frame_fields;
const struct frame_fields *pk_read_selected(struct ui *u, struct frame *f);
/* The id of the request a frame belongs to, 0: none. */
uint32_t pk_txn_of_frame(const struct ui *u, uint64_t number);


/* status.c */
void status_draw(struct ui *u);

/* dialog.c, dialog_export.c, dialog_help.c */
void export_dialog(struct ui *u, const struct txn *t);
void help_dialog(struct ui *u);
bool prompt_line(struct ui *u, const char *label, char *buf, size_t len);
bool prompt_yesno(struct ui *u, const char *question);
/*
 * Before writing `name`: when something has that name, asks whether to
 * replace it. False when the user says no (a message says what was kept
 * and which `action` was cancelled); *force tells the writer to replace.
 */
bool confirm_overwrite(struct ui *u, const char *name, const char *action,
    bool *force);
bool dialog_edit(struct ui *u, WINDOW *w, int y, int x, int width, char *buf,
    size_t len);
WINDOW *dialog_open(struct ui *u, int h, int w, const char *title);
void dialog_close(struct ui *u, WINDOW *w);
void dialog_info(struct ui *u, const char *title, const char *const *lines,
    size_t n);

/* theme_ui.c: themes on the screen */
void ui_theme_init(struct ui *u);
void ui_theme_next(struct ui *u);
void ui_theme_apply(struct ui *u);

/* waits.c: GW502TUI_WAITS=stats, how long keys could wait (a test knob) */
struct ui_waits;
struct ui_waits *waits_new(void);
/* Before a look at the keyboard and after it (a key read or not). */
void waits_look(struct ui_waits *w, int64_t now_ns);
void waits_looked(struct ui_waits *w, int64_t now_ns, bool key);
void waits_report(struct ui_waits *w);
void waits_free(struct ui_waits *w);

#endif
