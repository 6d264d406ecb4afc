/* yamldoc.c: whole-document YAML loading with positioned errors. */
#include "yamldoc.h"

int
yamldoc_load(struct yamldoc *y, FILE *fp, const char *buf, size_t len,
    const char *fname, char *err, size_t errlen)
{
	yaml_parser_t parser;
	int rc = 0;

	y->fname = fname;
	y->err = err;
	y->errlen = errlen;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s:1:1: out of memory", fname);
		return -1;
	}
	if (fp != NULL)
		yaml_parser_set_input_file(&parser, fp);
	else
		yaml_parser_set_input_string(&parser,
		    (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &y->doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", fname,
		    parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1,
		    parser.problem ? parser.problem : "YAML error",
		    parser.context ? " " : "",
		    parser.context ? parser.context : "");
		rc = -1;
	}
	yaml_parser_delete(&parser);
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
