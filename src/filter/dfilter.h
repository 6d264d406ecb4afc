/*
 * dfilter.h: display filters, a subset of Wireshark's language:
 *
 *   expr   := or ;  or := and { ("||" | "or") and }
 *   and    := not { ("&&" | "and") not }
 *   not    := ("!" | "not") not | "(" expr ")" | test
 *   test   := FIELD [ ("==" "!=" "<" "<=" ">" ">=" | eq ne lt le gt ge
 *             | "contains") VALUE ]
 *
 * A filter is compiled once into a small tree and evaluated per frame
 * against its frame_fields. As in Wireshark, a field may have several
 * values on one frame (ip.addr: source and destination): "==" and the
 * orderings hold when any value does, "!=" when every value differs, and
 * a test on a field the frame lacks is false.
 */
#ifndef GW_DFILTER_H
#define GW_DFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "framefields.h"

struct dfilter;

struct dfilter_error {
	size_t pos, len;	/* the offending token in the filter text */
	char msg[160];
};

/* NULL with *err filled on a syntax error or an unknown field. */
struct dfilter *dfilter_compile(const char *text, struct dfilter_error *err);
void dfilter_free(struct dfilter *df);
/* FF_NEED_* bits: what ff_fill must decode for this filter. */
unsigned dfilter_needs(const struct dfilter *df);
bool dfilter_eval(const struct dfilter *df, const struct frame_fields *ff);
/* Is the text blank (no filter at all)? */
bool dfilter_blank(const char *text);
/*
 * "msg\n  text\n  ^~~~" style report: the filter on one line, a caret
 * line under the offending token (indent spaces before both).
 */
void dfilter_error_format(const char *text, const struct dfilter_error *err,
    int indent, char *out, size_t outlen);

#endif
