/*
 * theme.c: theme model: the element table, the built-in default theme,
 * colour names, the YAML loader (libyaml document API, errors as
 * FILE:LINE:COL) and the theme search path. Applying a theme to the
 * screen is in theme_ui.c.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../util/yamldoc.h"
#include "theme.h"

#define D THEME_DEFAULT_COLOR

struct elem_def {
	const char *name;
	struct theme_style def;	/* built-in default theme */
	uint16_t mono;		/* added on terminals without colour */
};

static const struct elem_def elems[TE_COUNT] = {
	[TE_NORMAL] = { "normal", { D, D, 0 }, 0 },
	[TE_BORDER] = { "border", { 4, D, 0 }, 0 },
	[TE_TITLE] = { "title", { D, D, TA_BOLD }, TA_BOLD },
	[TE_TITLE_FOCUS] = { "title_focus", { 3, D, TA_BOLD },
	    TA_BOLD | TA_REVERSE },
	[TE_HEADER] = { "header", { 0, 2, 0 }, TA_UNDERLINE | TA_BOLD },
	[TE_SELECTED] = { "selected", { 0, 6, 0 }, TA_REVERSE },
	[TE_SELECTED_IDLE] = { "selected_idle", { 0, 7, 0 }, TA_UNDERLINE },
	[TE_STATUS] = { "status", { 7, 4, 0 }, TA_REVERSE },
	[TE_STATUS_KEY] = { "status_key", { 3, 4, TA_BOLD },
	    TA_REVERSE | TA_BOLD },
	[TE_MESSAGE] = { "message", { 0, 2, 0 }, TA_BOLD },
	[TE_ERROR] = { "error", { 7, 1, TA_BOLD }, TA_REVERSE | TA_BOLD },
	[TE_V_OK] = { "verdict_ok", { 2, D, 0 }, 0 },
	[TE_V_DNS] = { "verdict_dns", { 5, D, TA_BOLD }, TA_BOLD },
	[TE_V_CONNECT] = { "verdict_connect", { 1, D, TA_BOLD }, TA_BOLD },
	[TE_V_BAD] = { "verdict_bad", { 3, D, TA_BOLD }, TA_BOLD },
	[TE_V_RELAYED] = { "verdict_relayed", { 6, D, 0 }, TA_BOLD },
	[TE_V_UNKNOWN] = { "verdict_unknown", { 7, D, 0 }, TA_UNDERLINE },
	[TE_V_PENDING] = { "verdict_pending", { 4, D, TA_BOLD }, TA_DIM },
	[TE_CODE_ERROR] = { "code_error", { 1, D, TA_BOLD }, TA_BOLD },
	[TE_CODE_OK] = { "code_ok", { 2, D, 0 }, 0 },
	[TE_LABEL] = { "label", { 6, D, 0 }, TA_BOLD },
	[TE_VALUE] = { "value", { D, D, 0 }, 0 },
	[TE_BAD] = { "bad", { 1, D, TA_BOLD }, TA_BOLD },
	[TE_GOOD] = { "good", { 2, D, 0 }, 0 },
	[TE_REMEDY] = { "remedy", { 3, D, 0 }, TA_UNDERLINE },
	[TE_FRAMES] = { "frames", { D, D, TA_DIM }, TA_DIM },
	[TE_DIM] = { "dim", { D, D, TA_DIM }, TA_DIM },
	[TE_STREAM_REQ] = { "stream_request", { 1, D, 0 }, 0 },
	[TE_STREAM_RESP] = { "stream_response", { 6, D, 0 }, TA_BOLD },
	[TE_HEX_OFFSET] = { "hex_offset", { 3, D, 0 }, TA_DIM },
	[TE_FLOW_COLUMN] = { "flow_column", { 0, 2, 0 }, TA_REVERSE },
	[TE_FLOW_LIFELINE] = { "flow_lifeline", { 4, D, 0 }, 0 },
	[TE_FLOW_ARROW] = { "flow_arrow", { D, D, 0 }, 0 },
	[TE_FLOW_BAD] = { "flow_bad", { 1, D, TA_BOLD }, TA_BOLD },
	[TE_FLOW_SELECTED] = { "flow_selected", { 0, 6, 0 }, TA_REVERSE },
	[TE_DIALOG] = { "dialog", { 7, 4, 0 }, 0 },
	[TE_DIALOG_BORDER] = { "dialog_border", { 6, 4, TA_BOLD }, TA_BOLD },
	[TE_DIALOG_INPUT] = { "dialog_input", { 0, 6, 0 }, TA_UNDERLINE },
	[TE_PROGRESS] = { "progress", { 7, 4, 0 }, TA_REVERSE },
	[TE_PROGRESS_BAR] = { "progress_bar", { 0, 2, 0 }, 0 },
};

#undef D

static const char *const color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

static const struct {
	const char *name;
	uint16_t bit;
} attr_names[] = {
	{ "bold", TA_BOLD }, { "underline", TA_UNDERLINE },
	{ "reverse", TA_REVERSE }, { "dim", TA_DIM }, { "italic", TA_ITALIC },
	{ "blink", TA_BLINK }, { "standout", TA_STANDOUT },
};

const char *
theme_elem_name(enum theme_elem e)
{
	return (unsigned)e < TE_COUNT ? elems[e].name : "?";
}

int
theme_elem_by_name(const char *name)
{
	int i;

	for (i = 0; i < TE_COUNT; i++)
		if (strcmp(elems[i].name, name) == 0)
			return i;
	return -1;
}

uint16_t
theme_mono_attrs(enum theme_elem e)
{
	return (unsigned)e < TE_COUNT ? elems[e].mono : 0;
}

void
theme_builtin(struct theme *t)
{
	int i;

	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "default");
	for (i = 0; i < TE_COUNT; i++)
		t->st[i] = elems[i].def;
}

/* #rrggbb to the nearest colour of the xterm 256-colour cube or ramp. */
static int16_t
hex_to_256(unsigned r, unsigned g, unsigned b)
{
	static const unsigned lv[6] = { 0, 95, 135, 175, 215, 255 };
	unsigned ci[3], c[3] = { r, g, b }, i, k, best = 0, grey, gi;
	long d, dc = 0, dg;

	for (i = 0; i < 3; i++) {
		best = 0;
		for (k = 1; k < 6; k++)
			if (labs((long)lv[k] - (long)c[i]) <
			    labs((long)lv[best] - (long)c[i]))
				best = k;
		ci[i] = best;
		d = (long)lv[best] - (long)c[i];
		dc += d * d;
	}
	grey = (r + g + b) / 3;
	gi = grey < 8 ? 0 : grey > 238 ? 23 : (grey - 8) / 10;
	dg = 0;
	for (i = 0; i < 3; i++) {
		d = (long)(8 + gi * 10) - (long)c[i];
		dg += d * d;
	}
	if (dg < dc)
		return (int16_t)(232 + gi);
	return (int16_t)(16 + 36 * ci[0] + 6 * ci[1] + ci[2]);
}

bool
theme_parse_color(const char *s, int16_t *out)
{
	char *end;
	long n;
	unsigned r, g, b;
	int i, bright = 0;
	size_t len;

	if (strcasecmp(s, "default") == 0 || strcasecmp(s, "none") == 0) {
		*out = THEME_DEFAULT_COLOR;
		return true;
	}
	if (s[0] == '#') {
		if (strlen(s) != 7 || sscanf(s + 1, "%2x%2x%2x", &r, &g, &b) != 3)
			return false;
		for (i = 1; i < 7; i++)
			if (!isxdigit((unsigned char)s[i]))
				return false;
		*out = hex_to_256(r, g, b);
		return true;
	}
	if (isdigit((unsigned char)s[0])) {
		errno = 0;
		n = strtol(s, &end, 10);
		if (errno || *end || n < 0 || n > 255)
			return false;
		*out = (int16_t)n;
		return true;
	}
	if (strcasecmp(s, "grey") == 0 || strcasecmp(s, "gray") == 0) {
		*out = 8;
		return true;
	}
	len = strlen("bright");
	if (strncasecmp(s, "bright", len) == 0 &&
	    (s[len] == '-' || s[len] == '_')) {
		bright = 8;
		s += len + 1;
	}
	for (i = 0; i < 8; i++)
		if (strcasecmp(s, color_names[i]) == 0) {
			*out = (int16_t)(i + bright);
			return true;
		}
	return false;
}

int
theme_degrade(int color, int ncolors)
{
	int c, l[3], m, i, out = 0;

	if (color < 0 || color < ncolors)
		return color;
	if (color < 16)
		return color == 8 ? 7 : color - 8;
	if (color >= 232)
		return color >= 238 ? 7 : 0;
	c = color - 16;
	l[0] = c / 36, l[1] = (c / 6) % 6, l[2] = c % 6;
	m = l[0] > l[1] ? l[0] : l[1];
	m = m > l[2] ? m : l[2];
	for (i = 0; i < 3 && m > 0; i++)
		if (l[i] > 0 && l[i] >= m - 1)
			out |= 1 << i;
	return out;	/* curses: red 1, green 2, blue 4 */
}

/* ---- YAML ---------------------------------------------------------- */

static int
tl_attr_word(struct yamldoc *l, const yaml_node_t *n, const char *w,
    uint16_t *attrs)
{
	size_t i;

	if (strcasecmp(w, "none") == 0 || strcasecmp(w, "normal") == 0)
		return 0;
	for (i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
		if (strcasecmp(w, attr_names[i].name) == 0) {
			*attrs |= attr_names[i].bit;
			return 0;
		}
	return yamldoc_fail(l, n, "unknown attribute '%s' (bold, underline, "
	    "reverse, dim, italic, blink, standout)", w);
}

/* attrs: a sequence, or one scalar of words separated by spaces/commas. */
static int
tl_attrs(struct yamldoc *l, const yaml_node_t *n, uint16_t *attrs)
{
	yaml_node_item_t *it;
	const yaml_node_t *c;
	char buf[256], *tok, *save = NULL;

	*attrs = 0;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			c = yaml_document_get_node(&l->doc, *it);
			if (!c || !yamldoc_scalar(c))
				return yamldoc_fail(l, c ? c : n, "%s",
				    "an attribute must be a word");
			if (tl_attr_word(l, c, yamldoc_scalar(c), attrs) < 0)
				return -1;
		}
		return 0;
	}
	if (!yamldoc_scalar(n))
		return yamldoc_fail(l, n, "%s", "attrs must be a list of words");
	snprintf(buf, sizeof buf, "%s", yamldoc_scalar(n));
	for (tok = strtok_r(buf, " ,", &save); tok;
	    tok = strtok_r(NULL, " ,", &save))
		if (tl_attr_word(l, n, tok, attrs) < 0)
			return -1;
	return 0;
}

static int
tl_style(struct yamldoc *l, const yaml_node_t *n, struct theme_style *st)
{
	yaml_node_pair_t *p;
	const yaml_node_t *k, *v;
	const char *key, *val;

	if (n->type != YAML_MAPPING_NODE)
		return yamldoc_fail(l, n, "%s", "an element needs a mapping "
		    "like { fg: red, bg: default, attrs: [bold] }");
	/* what the file leaves out of a style it names is "default" */
	st->fg = st->bg = THEME_DEFAULT_COLOR;
	st->attrs = 0;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = yaml_document_get_node(&l->doc, p->key);
		v = yaml_document_get_node(&l->doc, p->value);
		if (!k || !v || !(key = yamldoc_scalar(k)))
			return yamldoc_fail(l, k, "%s", "bad key");
		if (strcmp(key, "attrs") == 0 || strcmp(key, "attr") == 0) {
			if (tl_attrs(l, v, &st->attrs) < 0)
				return -1;
			continue;
		}
		if (strcmp(key, "fg") != 0 && strcmp(key, "bg") != 0)
			return yamldoc_fail(l, k, "unknown key '%s' (fg, bg, attrs)",
			    key);
		if (!(val = yamldoc_scalar(v)))
			return yamldoc_fail(l, v, "%s", "a colour must be a word");
		if (!theme_parse_color(val, key[0] == 'f' ? &st->fg : &st->bg))
			return yamldoc_fail(l, v, "unknown colour '%s' (a name like "
			    "red or bright-red, 0-255, #rrggbb or default)", val);
	}
	return 0;
}

static int
tl_elements(struct yamldoc *l, const yaml_node_t *n, struct theme *t)
{
	yaml_node_pair_t *p;
	const yaml_node_t *k, *v;
	const char *key;
	int e;

	if (n->type != YAML_MAPPING_NODE)
		return yamldoc_fail(l, n, "%s", "'elements' must be a mapping");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = yaml_document_get_node(&l->doc, p->key);
		v = yaml_document_get_node(&l->doc, p->value);
		if (!k || !v || !(key = yamldoc_scalar(k)))
			return yamldoc_fail(l, k, "%s", "bad element name");
		if ((e = theme_elem_by_name(key)) < 0)
			return yamldoc_fail(l, k, "unknown element '%s' "
			    "(see doc/themes.md)", key);
		if (tl_style(l, v, &t->st[e]) < 0)
			return -1;
	}
	return 0;
}

static int
tl_root(struct yamldoc *l, const yaml_node_t *root, struct theme *t)
{
	yaml_node_pair_t *p;
	const yaml_node_t *k, *v;
	const char *key;

	if (!root)
		return yamldoc_fail(l, NULL, "%s", "empty theme file");
	if (root->type != YAML_MAPPING_NODE)
		return yamldoc_fail(l, root, "%s", "a theme must be a mapping "
		    "with 'name' and 'elements'");
	for (p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(&l->doc, p->key);
		v = yaml_document_get_node(&l->doc, p->value);
		if (!k || !v || !(key = yamldoc_scalar(k)))
			return yamldoc_fail(l, k, "%s", "bad key");
		if (strcmp(key, "elements") == 0) {
			if (tl_elements(l, v, t) < 0)
				return -1;
		} else if (strcmp(key, "name") == 0) {
			if (!yamldoc_scalar(v))
				return yamldoc_fail(l, v, "%s", "name must be text");
			snprintf(t->name, sizeof t->name, "%s", yamldoc_scalar(v));
		} else if (strcmp(key, "description") != 0) {
			return yamldoc_fail(l, k, "unknown key '%s' (name, "
			    "description, elements)", key);
		}
	}
	return 0;
}

/* Loads a document (from fp, or buf when fp is NULL) into t. */
static int
tl_parse(FILE *fp, const char *buf, size_t len, const char *fname,
    struct theme *t, char *err, size_t errlen)
{
	struct yamldoc y;
	int rc;

	if (yamldoc_load(&y, fp, buf, len, fname, err, errlen) < 0)
		return -1;
	rc = tl_root(&y, yaml_document_get_root_node(&y.doc), t);
	yamldoc_free(&y);
	return rc;
}

int
theme_load_string(const char *text, size_t len, const char *fname,
    struct theme *t, char *err, size_t errlen)
{
	int rc;

	theme_builtin(t);
	t->name[0] = '\0';
	rc = tl_parse(NULL, text, len, fname, t, err, errlen);
	if (rc < 0)
		theme_builtin(t);
	return rc;
}

static void
name_from_path(const char *path, char *out, size_t outlen)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > 5 && strcmp(b + n - 5, ".yaml") == 0)
		n -= 5;
	snprintf(out, outlen, "%.*s", (int)n, b);
}

int
theme_load_file(const char *path, struct theme *t, char *err, size_t errlen)
{
	FILE *fp;
	int rc;

	theme_builtin(t);
	if (!(fp = fopen(path, "rb"))) {
		snprintf(err, errlen, "%s:1:1: %s", path, strerror(errno));
		return -1;
	}
	t->name[0] = '\0';
	rc = tl_parse(fp, NULL, 0, path, t, err, errlen);
	fclose(fp);
	if (rc < 0) {
		theme_builtin(t);
		return -1;
	}
	if (t->name[0] == '\0')
		name_from_path(path, t->name, sizeof t->name);
	snprintf(t->path, sizeof t->path, "%s", path);
	return 0;
}

/* ---- search path ----------------------------------------------------- */

static size_t
theme_dirs(char (*dirs)[THEME_PATH_MAX], size_t max)
{
	return datadir_dirs("themes", dirs, max);
}

static bool
is_file(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int
theme_find(const char *name, char *out, size_t outlen)
{
	char dirs[DATADIR_MAX][THEME_PATH_MAX];
	size_t n, i;
	int w;

	if (strchr(name, '/') || (strlen(name) > 5 &&
	    strcmp(name + strlen(name) - 5, ".yaml") == 0)) {
		snprintf(out, outlen, "%s", name);
		return is_file(name) ? 0 : -1;
	}
	n = theme_dirs(dirs, DATADIR_MAX);
	for (i = 0; i < n; i++) {
		w = snprintf(out, outlen, "%s/%s.yaml", dirs[i], name);
		if (w > 0 && (size_t)w < outlen && is_file(out))
			return 0;
	}
	out[0] = '\0';
	return -1;
}

static int
name_cmp(const void *a, const void *b)
{
	const char *x = a, *y = b;

	if (strcmp(x, "default") == 0)
		return strcmp(y, "default") == 0 ? 0 : -1;
	if (strcmp(y, "default") == 0)
		return 1;
	return strcmp(x, y);
}

static size_t
list_add(char (*names)[THEME_NAME_MAX], size_t n, size_t max,
    const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return n;
	if (n < max)
		snprintf(names[n++], THEME_NAME_MAX, "%s", name);
	return n;
}

size_t
theme_list(char (*names)[THEME_NAME_MAX], size_t max)
{
	char dirs[DATADIR_MAX][THEME_PATH_MAX], name[THEME_NAME_MAX];
	struct dirent *de;
	size_t nd, i, n = 0, len;
	DIR *d;

	n = list_add(names, n, max, "default");
	nd = theme_dirs(dirs, DATADIR_MAX);
	for (i = 0; i < nd; i++) {
		if (!(d = opendir(dirs[i])))
			continue;
		while ((de = readdir(d)) != NULL) {
			len = strlen(de->d_name);
			if (len <= 5 || len - 5 >= THEME_NAME_MAX ||
			    strcmp(de->d_name + len - 5, ".yaml") != 0)
				continue;
			snprintf(name, sizeof name, "%.*s", (int)(len - 5),
			    de->d_name);
			n = list_add(names, n, max, name);
		}
		closedir(d);
	}
	qsort(names, n, THEME_NAME_MAX, name_cmp);
	return n;
}
