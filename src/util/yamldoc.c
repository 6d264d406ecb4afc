/* yamldoc.c: whole-document YAML loading with positioned errors. */
#include "yamldoc.h"

/* libyaml reads through this: it refuses more than YAMLDOC_MAX_BYTES. */
struct capped {
	FILE *fp;
	size_t left;
	bool over;
};

static int
read_capped(void *data, unsigned char *buf, size_t size, size_t *got)
{
	struct capped *c = data;

	if (c->left == 0) {
		/* one byte more than allowed: the document is too large */
		if (fread(buf, 1, 1, c->fp) == 1) {
			c->over = true;
			return 0;
		}
		*got = 0;
		return !ferror(c->fp);
	}
	if (size > c->left)
		size = c->left;
	*got = fread(buf, 1, size, c->fp);
	c->left -= *got;
	return *got > 0 || !ferror(c->fp);
}

int
yamldoc_load(struct yamldoc *y, FILE *fp, const char *buf, size_t len,
    const char *fname, char *err, size_t errlen)
{
	struct capped in = { .fp = fp, .left = YAMLDOC_MAX_BYTES };
	yaml_parser_t parser;
	int rc = 0;

	y->fname = fname;
	y->err = err;
	y->errlen = errlen;
	if (fp == NULL && len > YAMLDOC_MAX_BYTES) {
		in.over = true;
		goto too_large;
	}
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s:1:1: out of memory", fname);
		return -1;
	}
	if (fp != NULL)
		yaml_parser_set_input(&parser, read_capped, &in);
	else
		yaml_parser_set_input_string(&parser,
		    (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &y->doc) && !in.over) {
		snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", fname,
		    parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1,
		    parser.problem ? parser.problem : "YAML error",
		    parser.context ? " " : "",
		    parser.context ? parser.context : "");
		rc = -1;
	}
	yaml_parser_delete(&parser);
too_large:
	if (in.over) {
		/* a settings file is small: a huge one would cost ~90x in nodes */
		snprintf(err, errlen, "%s:1:1: larger than %d KiB: not a "
		    "settings file", fname, YAMLDOC_MAX_BYTES >> 10);
		rc = -1;
	}
	return rc;
}

void
yamldoc_free(struct yamldoc *y)
{
	yaml_document_delete(&y->doc);
}

int
yamldoc_fail(struct yamldoc *y, const yaml_node_t *n, const char *fmt,
    const char *what)
{
	char reason[256];

	snprintf(reason, sizeof reason, fmt, what);
	snprintf(y->err, y->errlen, "%s:%zu:%zu: %s", y->fname,
	    n ? n->start_mark.line + 1 : 1, n ? n->start_mark.column + 1 : 1,
	    reason);
	return -1;
}

const char *
yamldoc_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value : NULL;
}
