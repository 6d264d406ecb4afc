/*
 * theme.h: colour themes. A theme is a YAML file mapping element names
 * (doc/themes.md) to a foreground, a background and attributes; the
 * built-in default is compiled in and is the fallback for anything a file
 * leaves out or gets wrong.
 */
#ifndef GW_THEME_H
#define GW_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/datadir.h"

#define THEME_NAME_MAX 64
#define THEME_PATH_MAX DATADIR_PATH_MAX
#define THEME_DEFAULT_COLOR (-1)

enum theme_elem {
	TE_NORMAL, TE_BORDER, TE_TITLE, TE_TITLE_FOCUS, TE_HEADER,
	TE_SELECTED, TE_SELECTED_IDLE, TE_STATUS, TE_STATUS_KEY, TE_MESSAGE,
	TE_ERROR, TE_V_OK, TE_V_DNS, TE_V_CONNECT, TE_V_BAD, TE_V_RELAYED,
	TE_V_UNKNOWN, TE_V_PENDING, TE_CODE_ERROR, TE_CODE_OK, TE_LABEL,
	TE_VALUE, TE_BAD, TE_GOOD, TE_REMEDY, TE_FRAMES, TE_DIM,
	TE_STREAM_REQ, TE_STREAM_RESP, TE_HEX_OFFSET, TE_FLOW_COLUMN,
	TE_FLOW_LIFELINE, TE_FLOW_ARROW, TE_FLOW_BAD, TE_FLOW_SELECTED,
	TE_DIALOG, TE_DIALOG_BORDER, TE_DIALOG_INPUT, TE_PROGRESS,
	TE_PROGRESS_BAR, TE_COUNT
};

#define TA_BOLD 0x01u
#define TA_UNDERLINE 0x02u
#define TA_REVERSE 0x04u
#define TA_DIM 0x08u
#define TA_ITALIC 0x10u
#define TA_BLINK 0x20u
#define TA_STANDOUT 0x40u

struct theme_style {
	int16_t fg, bg;		/* -1: terminal default; else 0..255 */
	uint16_t attrs;		/* TA_* */
};

struct theme {
	char name[THEME_NAME_MAX];
	char path[THEME_PATH_MAX];	/* "" for the built-in theme */
	struct theme_style st[TE_COUNT];
};

const char *theme_elem_name(enum theme_elem e);
int theme_elem_by_name(const char *name);	/* -1 when unknown */
/* Colour by name ("red", "bright-red", "default"), number or #rrggbb. */
bool theme_parse_color(const char *s, int16_t *out);
/* A colour the terminal can show when it has only `ncolors`. */
int theme_degrade(int color, int ncolors);
/* Attributes to use on a terminal without colours. */
uint16_t theme_mono_attrs(enum theme_elem e);

void theme_builtin(struct theme *t);
/* 0, or -1 with "FILE:LINE:COL: reason" in err (t is then the default). */
int theme_load_file(const char *path, struct theme *t, char *err,
    size_t errlen);
int theme_load_string(const char *text, size_t len, const char *fname,
    struct theme *t, char *err, size_t errlen);
/*
 * Finds a theme by name or path: the path itself when it names a file,
 * else NAME.yaml in the folders of datadir_dirs("themes"). 0 with the path
 * in out, -1 when not found.
 */
int theme_find(const char *name_or_path, char *out, size_t outlen);
/* Names of the themes in the search path, sorted, "default" first. */
size_t theme_list(char (*names)[THEME_NAME_MAX], size_t max);

#endif
