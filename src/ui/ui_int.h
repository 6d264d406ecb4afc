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
#include "theme.h"
#include "ui.h"

#define UI_SLICE_FRAMES 20000	/* frames read between two redraws */
#define UI_LIVE_DIAG_NS (200LL * 1000000LL) /* live: diagnose this often */
#define UI_LIVE_IDLE_DIAG_NS (1000LL * 1000000LL) /* …and without packets */
#define UI_WIDE_COLS 120	/* from here on evidence and stream side by side */
#define UI_MAX_THEMES 32
#define EV_MAX_LINES 160
#define EV_LINE_MAX 384

enum ui_pane { PANE_REQUESTS, PANE_EVIDENCE, PANE_STREAM, PANE_COUNT };
enum ui_mode { MODE_MAIN, MODE_FLOW, MODE_PACKETS };

/* Dirty bits: only what is marked is drawn again. */
#define D_REQ 0x01u
#define D_EV 0x02u
#define D_ST 0x04u
#define D_STATUS 0x08u
#define D_FLOW 0x10u
#define D_ALL 0xffu

/* Line drawing: ACS in a UTF-8 locale, plain ASCII otherwise. */
struct ui_glyphs {
	chtype hl, vl, ul, ur, ll, lr, lt, rt, tt, bt;
	const char *ellipsis, *arrow, *larrow, *mul, *dash;
	char hline_ch;		/* for arrows drawn as text */
};

struct req_pane {
	uint32_t *idx;		/* txn indices passing the filter, in order */
	size_t n, cap;
	size_t sel, top;	/* positions in idx */
	uint32_t sel_txn;	/* txn index kept selected across rebuilds */
	bool show_all;
	char search[256];	/* "" or the text filter */
	bool client_on;
	struct gw_addr client;
	int client_w;		/* width of the client column */
	size_t built_ntxns;	/* diag.ntxns when idx was built */
	uint64_t shown[V_COUNT];	/* counts over the filtered rows */
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
	int focus;		/* enum ui_pane */
	int bottom;		/* narrow screens: PANE_EVIDENCE or PANE_STREAM */
	int mode;		/* enum ui_mode */
	WINDOW *wreq, *wev, *wst, *wstat, *wflow;
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
};

/* ui.c */
void ui_message(struct ui *u, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ui_layout(struct ui *u);
int ui_top_height(const struct ui *u);
int ui_getkey(struct ui *u, int timeout_ms);
bool ui_interrupted(const struct ui *u);
/* Does terminfo know $TERM? (terminfo.c; checked before newterm) */
bool ui_terminfo_known(void);
const struct txn *ui_selected(const struct ui *u);
void ui_diagnose(struct ui *u);

/* ui_live.c: the screen on a live capture */
void ui_live_poll(struct ui *u);
void ui_live_pause(struct ui *u);
void ui_live_save(struct ui *u);
void ui_live_status(struct ui *u, char *out, size_t outlen);
void ui_selection_changed(struct ui *u);

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
void ui_fmt_dur(int64_t ns, char *out, size_t outlen);
void ui_fmt_rel(int64_t ns, char *out, size_t outlen);
void ui_box(const struct ui *u, WINDOW *w, chtype tl, chtype tr, chtype bl,
    chtype br, bool bottom);
void ui_title(const struct ui *u, WINDOW *w, int x, const char *title,
    bool focus);
/* Rows of text inside a boxed window (at least 1). */
size_t ui_page(WINDOW *w);
/*
 * less/vi scrolling keys on a list of n rows shown `page` at a time:
 * updates *top; false when k is not a scrolling key.
 */
bool ui_scroll_key(int k, size_t n, size_t page, size_t *top);
attr_t ui_verdict_attr(const struct ui *u, int verdict);
const char *ui_verdict_short(int verdict);

/* pane_requests.c */
void req_init(struct ui *u);
void req_free(struct ui *u);
void req_rebuild(struct ui *u);
void req_draw(struct ui *u);
bool req_key(struct ui *u, int key);
void req_toggle_all(struct ui *u);
void req_toggle_client(struct ui *u);
void req_search(struct ui *u);
size_t req_page(const struct ui *u);

/* pane_evidence.c */
void ev_init(struct ui *u);
void ev_free(struct ui *u);
void ev_build(struct ui *u, const struct txn *t);
void ev_draw(struct ui *u);
bool ev_key(struct ui *u, int key);

/* pane_stream.c */
void st_init(struct ui *u);
void st_free(struct ui *u);
void st_select(struct ui *u, const struct txn *t);
/* After diag_retire renumbered the model (st.txn already mapped). */
void st_renumbered(struct ui *u);
void st_load(struct ui *u);
void st_draw(struct ui *u);
bool st_key(struct ui *u, int key);
void st_toggle_side(struct ui *u);
void st_toggle_hex(struct ui *u);

/* pane_packets.c: the packet list (P), display filters, frame export */
struct pk_view;
void pk_open(struct ui *u);
void pk_close(struct ui *u);
void pk_destroy(struct ui *u);
void pk_draw(struct ui *u);
bool pk_key(struct ui *u, int key);
bool pk_busy(const struct ui *u);
/* The packets view's transaction index, to renumber; NULL if not open. */
uint32_t *pk_txn_ref(struct ui *u);
void pk_step(struct ui *u);

/* view_flow.c */
void fv_open(struct ui *u);
void fv_close(struct ui *u);
void fv_draw(struct ui *u);
bool fv_key(struct ui *u, int key);

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

#endif
