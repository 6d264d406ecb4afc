/*
 * config.c: reads the optional YAML configuration file (config.h) with
 * libyaml's document API. Keys: proxy_ports, statuses (a number or a
 * list), timeout (seconds), theme, mouse (true/false). Errors name FILE:LINE:COL.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "yamldoc.h"

static int
cfg_int(struct yamldoc *l, const yaml_node_t *n, long lo, long hi, long *out)
{
	const char *s = yamldoc_scalar(n);
	char *end;
	long v;

	if (!s || !*s)
		return yamldoc_fail(l, n, "%s", "expected a number");
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end)
		return yamldoc_fail(l, n, "'%s' is not a number", s);
	if (v < lo || v > hi)
		return yamldoc_fail(l, n, "%s is out of range", s);
	*out = v;
	return 0;
}

/* A number, a list of numbers, or "9090,3128". */
static int
cfg_u16_list(struct yamldoc *l, const yaml_node_t *n, long lo, long hi,
    uint16_t *out, size_t *nout)
{
	yaml_node_item_t *it;
	const yaml_node_t *c;
	char buf[256], *tok, *save = NULL, *end;
	long v;

	*nout = 0;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			c = yaml_document_get_node(&l->doc, *it);
			if (*nout == 16)
				return yamldoc_fail(l, c, "%s", "at most 16 values");
			if (cfg_int(l, c, lo, hi, &v) < 0)
				return -1;
			out[(*nout)++] = (uint16_t)v;
		}
		return *nout ? 0 : yamldoc_fail(l, n, "%s", "empty list");
	}
	if (!yamldoc_scalar(n))
		return yamldoc_fail(l, n, "%s", "expected a number or a list");
	snprintf(buf, sizeof buf, "%s", yamldoc_scalar(n));
	for (tok = strtok_r(buf, ", ", &save); tok;
	    tok = strtok_r(NULL, ", ", &save)) {
		errno = 0;
		v = strtol(tok, &end, 10);
		if (errno || *end || v < lo || v > hi)
			return yamldoc_fail(l, n, "bad value '%s'", tok);
		if (*nout == 16)
			return yamldoc_fail(l, n, "%s", "at most 16 values");
		out[(*nout)++] = (uint16_t)v;
	}
	return *nout ? 0 : yamldoc_fail(l, n, "%s", "empty value");
}

static int
cfg_pair(struct yamldoc *l, const yaml_node_t *k, const yaml_node_t *v,
    struct gw_config *cfg)
{
	const char *key = yamldoc_scalar(k);
	long n;

	if (!key || !v)
		return yamldoc_fail(l, k, "%s", "bad key");
	if (strcmp(key, "proxy_ports") == 0)
		return cfg_u16_list(l, v, 1, 65535, cfg->proxy_ports,
		    &cfg->nproxy_ports);
	if (strcmp(key, "statuses") == 0)
		return cfg_u16_list(l, v, 100, 999, cfg->statuses,
		    &cfg->nstatuses);
	if (strcmp(key, "timeout") == 0) {
		if (cfg_int(l, v, 1, 86400 * 365, &n) < 0)
			return -1;
		cfg->timeout_s = n;
		return 0;
	}
	if (strcmp(key, "theme") == 0) {
		if (!yamldoc_scalar(v) || !*yamldoc_scalar(v))
			return yamldoc_fail(l, v, "%s", "theme must be a name or path");
		if (strlen(yamldoc_scalar(v)) >= sizeof cfg->theme)
			return yamldoc_fail(l, v, "%s", "theme path too long");
		snprintf(cfg->theme, sizeof cfg->theme, "%s", yamldoc_scalar(v));
		return 0;
	}
	if (strcmp(key, "mouse") == 0) {
		const char *b = yamldoc_scalar(v);

		if (!b || (strcmp(b, "true") != 0 && strcmp(b, "false") != 0))
			return yamldoc_fail(l, v, "%s", "mouse must be true or "
			    "false");
		cfg->mouse_off = strcmp(b, "false") == 0;
		return 0;
	}
	return yamldoc_fail(l, k, "unknown key '%s' (proxy_ports, statuses, "
	    "timeout, theme, mouse)", key);
}

static int
cfg_doc(struct yamldoc *l, struct gw_config *cfg)
{
	yaml_node_t *root = yaml_document_get_root_node(&l->doc);
	yaml_node_pair_t *p;

	if (!root)
		return 0;	/* empty file: nothing set */
	if (root->type == YAML_SCALAR_NODE && !*yamldoc_scalar(root))
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return yamldoc_fail(l, root, "%s", "expected a mapping of settings");
	for (p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++)
		if (cfg_pair(l, yaml_document_get_node(&l->doc, p->key),
		    yaml_document_get_node(&l->doc, p->value), cfg) < 0)
			return -1;
	return 0;
}

static int
default_path(char *out, size_t outlen)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	int n;

	if (x && *x)
		n = snprintf(out, outlen, "%s/gw502tui/config.yaml", x);
	else if (h && *h)
		n = snprintf(out, outlen, "%s/.config/gw502tui/config.yaml", h);
	else
		return -1;
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

static int
cfg_file(FILE *fp, const char *path, struct gw_config *cfg, char *err,
    size_t errlen)
{
	struct yamldoc y;
	int rc;

	if (yamldoc_load(&y, fp, NULL, 0, path, err, errlen) < 0)
		return -1;
	rc = cfg_doc(&y, cfg);
	yamldoc_free(&y);
	return rc;
}

/*
 * path opened for reading, or NULL with errno. fopen opens a directory
 * too, and libyaml then says only "input error": refused here by name.
 */
static FILE *
open_config(const char *path)
{
	struct stat st;
	FILE *fp = fopen(path, "rb");

	if (fp && fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		errno = EISDIR;
		return NULL;
	}
	return fp;
}

int
config_load(struct gw_config *cfg, const char *path, char *err,
    size_t errlen)
{
	char def[PATH_MAX];
	FILE *fp;
	int rc;

	memset(cfg, 0, sizeof *cfg);
	if (!path) {
		if (default_path(def, sizeof def) < 0)
			return 0;
		path = def;
	}
	if (!(fp = open_config(path))) {
		/*
		 * The default file is optional, and may be out of reach
		 * (another user's HOME, as after setpriv or sudo -u); a
		 * folder in its place is a mistake to report.
		 */
		if (path == def && errno != EISDIR)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return CONFIG_UNREADABLE;
	}
	rc = cfg_file(fp, path, cfg, err, errlen);
	fclose(fp);
	if (rc < 0) {
		memset(cfg, 0, sizeof *cfg);
		return CONFIG_INVALID;
	}
	return 0;
}
