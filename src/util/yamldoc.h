/*
 * yamldoc.h: a YAML document loaded whole (libyaml), and errors that point
 * into it as "FILE:LINE:COL: reason" — shared by the theme and the
 * configuration loaders.
 */
#ifndef GW_YAMLDOC_H
#define GW_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <yaml.h>

/* The largest document read: a theme or a config is a few KiB. */
#define YAMLDOC_MAX_BYTES (64 * 1024)

struct yamldoc {
	yaml_document_t doc;
	const char *fname;	/* named in every error */
	char *err;
	size_t errlen;
};

/*
 * Loads the first document of fp, or of buf/len when fp is NULL, of at
 * most YAMLDOC_MAX_BYTES. 0, or -1 with err filled ("FILE:LINE:COL:
 * reason"); on success the caller frees it with yamldoc_free.
 */
int yamldoc_load(struct yamldoc *y, FILE *fp, const char *buf, size_t len,
    const char *fname, char *err, size_t errlen);
void yamldoc_free(struct yamldoc *y);
/* Writes "FILE:LINE:COL: " + fmt (with one %s: what) for node n; -1. */
int yamldoc_fail(struct yamldoc *y, const yaml_node_t *n, const char *fmt,
    const char *what);
/* The text of a scalar node, NULL for anything else. */
const char *yamldoc_scalar(const yaml_node_t *n);

#endif
