/*
 * ui.h: the full-screen ncurses interface. It owns the engine while the
 * capture loads (in slices, between redraws) and only reads the model.
 */
#ifndef GW_UI_H
#define GW_UI_H

#include <stddef.h>

#include "../engine.h"

struct alog_set;

struct ui_opts {
	const char *path;		/* capture file (live: the spool) */
	struct live *live;		/* live capture, or NULL */
	const char *iface, *filter;	/* live: for the status line */
	struct engine_opts eo;
	const char *theme;		/* name or path, NULL: default */
	int show_all;			/* start with all requests shown */
	const char *dfilter;		/* -Y: the packet list's filter */
	int no_mouse;			/* config "mouse: false" */
	size_t keep;			/* successful requests and errors
					 * kept listed, each (0: all) */
	struct alog_set *alog;		/* --access-log: matched once the
					 * file is loaded, or NULL */
	const char *peer;		/* --peer: the next hop's capture */
};

/* Runs the TUI; returns the exit status (DESIGN §3), err for status 1. */
int ui_main(const struct ui_opts *o, char *err, size_t errlen);
/* pane_log.c: an access log without a capture (--access-log alone). */
int ui_log_main(const struct alog_set *s, const uint16_t *ports,
    size_t nports, char *err, size_t errlen);

#endif
