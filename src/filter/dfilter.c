/*
 * dfilter.c: the display-filter lexer, a recursive-descent parser that
 * builds a tree of nodes in one array (precedence ! > && > ||), literal
 * conversion by field type (numbers, seconds, addresses with an optional
 * /prefix, strings) and the evaluator.
 */
#include "dfilter.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DF_MAX_NODES 1024
#define DF_MAX_DEPTH 64

enum tok { T_END, T_LP, T_RP, T_AND, T_OR, T_NOT, T_CMP, T_CONTAINS, T_WORD,
	T_STR, T_BAD };
enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_CONTAINS };
enum kind { N_AND, N_OR, N_NOT, N_EXISTS, N_CMP };

struct token {
	enum tok t;
	enum op op;
	size_t pos, len;
};

struct dnode {
	uint8_t kind, op, field, prefix;	/* prefix: CIDR bits, 0 none */
	uint16_t a, b;				/* children */
	struct ff_value lit;
	char *str;				/* string literal (owned) */
};

struct dfilter {
	struct dnode *n;
	size_t nn;
	uint16_t root;
	unsigned need;
};

struct parser {
	const char *s;
	size_t pos;
	struct token tok;
	struct dfilter *df;
	struct dfilter_error *err;
	int depth;
	bool failed;
};

/* ---- lexer --------------------------------------------------------------- */

static bool
word_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == ':' || c == '/' ||
	    c == '-';
}

static bool
word_is(const char *s, const struct token *t, const char *kw)
{
	return strlen(kw) == t->len && strncasecmp(s + t->pos, kw, t->len) == 0;
}

/* Words that are operators: and or not eq ne lt le gt ge contains. */
static void
keyword(const char *s, struct token *t)
{
	static const struct {
		const char *w;
		enum tok t;
		enum op op;
	} kw[] = {
		{ "and", T_AND, 0 }, { "or", T_OR, 0 }, { "not", T_NOT, 0 },
		{ "eq", T_CMP, OP_EQ }, { "ne", T_CMP, OP_NE },
		{ "lt", T_CMP, OP_LT }, { "le", T_CMP, OP_LE },
		{ "gt", T_CMP, OP_GT }, { "ge", T_CMP, OP_GE },
		{ "contains", T_CONTAINS, OP_CONTAINS },
	};

	for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
		if (word_is(s, t, kw[i].w)) {
			t->t = kw[i].t;
			t->op = kw[i].op;
			return;
		}
}

static size_t
lex_string(const char *s, size_t i)
{
	for (i++; s[i] && s[i] != '"'; i++)
		if (s[i] == '\\' && s[i + 1])
			i++;
	return s[i] == '"' ? i + 1 : 0;
}

/* Two-character and one-character operators. */
static bool
lex_op(const char *s, struct token *t)
{
	static const struct {
		const char *text;
		enum tok t;
		enum op op;
	} ops[] = {
		{ "&&", T_AND, 0 }, { "||", T_OR, 0 }, { "==", T_CMP, OP_EQ },
		{ "!=", T_CMP, OP_NE }, { "<=", T_CMP, OP_LE },
		{ ">=", T_CMP, OP_GE }, { "<", T_CMP, OP_LT },
		{ ">", T_CMP, OP_GT }, { "!", T_NOT, 0 }, { "(", T_LP, 0 },
		{ ")", T_RP, 0 },
	};

	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		size_t n = strlen(ops[i].text);

		if (strncmp(s + t->pos, ops[i].text, n) == 0) {
			t->t = ops[i].t;
			t->op = ops[i].op;
			t->len = n;
			return true;
		}
	}
	return false;
}

static void
next(struct parser *ps)
{
	const char *s = ps->s;
	struct token *t = &ps->tok;
	size_t i = ps->pos, e;

	while (isspace((unsigned char)s[i]))
		i++;
	memset(t, 0, sizeof *t);
	t->pos = i;
	if (s[i] == '\0') {
		t->t = T_END;
	} else if (s[i] == '"') {
		e = lex_string(s, i);
		t->t = e ? T_STR : T_BAD;
		t->len = e ? e - i : strlen(s + i);
	} else if (word_char((unsigned char)s[i])) {
		for (e = i; word_char((unsigned char)s[e]); e++)
			;
		t->t = T_WORD;
		t->len = e - i;
		keyword(s, t);
	} else if (!lex_op(s, t)) {
		t->t = T_BAD;
		t->len = 1;
	}
	ps->pos = t->pos + t->len;
}

/* ---- errors and nodes ----------------------------------------------------- */

static void __attribute__((format(printf, 4, 5)))
fail(struct parser *ps, size_t pos, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = true;
	ps->err->pos = pos;
	ps->err->len = len ? len : 1;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof ps->err->msg, fmt, ap);
	va_end(ap);
}

static void
fail_tok(struct parser *ps, const char *what)
{
	const struct token *t = &ps->tok;

	if (t->t == T_END)
		fail(ps, t->pos, 1, "unexpected end of filter: %s", what);
	else if (t->t == T_BAD && ps->s[t->pos] == '"')
		fail(ps, t->pos, t->len, "unterminated string");
	else
		fail(ps, t->pos, t->len, "unexpected \"%.*s\": %s",
		    (int)(t->len > 40 ? 40 : t->len), ps->s + t->pos, what);
}

static uint16_t
node(struct parser *ps, enum kind k, uint16_t a, uint16_t b)
{
	struct dfilter *df = ps->df;
	struct dnode *nn;

	if (ps->failed)
		return 0;
	if (df->nn == DF_MAX_NODES) {
		fail(ps, ps->tok.pos, ps->tok.len, "filter too long");
		return 0;
	}
	if (df->nn % 32 == 0) {
		nn = realloc(df->n, (df->nn + 32) * sizeof *nn);
		if (nn == NULL) {
			fail(ps, 0, 1, "out of memory");
			return 0;
		}
		df->n = nn;
	}
	memset(&df->n[df->nn], 0, sizeof df->n[0]);
	df->n[df->nn].kind = (uint8_t)k;
	df->n[df->nn].a = a;
	df->n[df->nn].b = b;
	return (uint16_t)df->nn++;
}

/* ---- literals --------------------------------------------------------- */

static bool
lit_uint(const char *v, struct dnode *n)
{
	char *end;

	if (strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0) {
		n->lit.u = tolower((unsigned char)v[0]) == 't';
		return true;
	}
	errno = 0;
	n->lit.u = strtoull(v, &end, 0);
	return *v && *v != '-' && !*end && !errno;
}

static bool
lit_time(const char *v, struct dnode *n)
{
	char *end;

	errno = 0;
	n->lit.t = strtod(v, &end);
	return *v && !*end && !errno;
}

/* "a.b.c.d", "v6", with an optional "/bits". */
static bool
lit_addr(const char *v, int ver, struct dnode *n)
{
	char buf[64], *slash, *end;
	long bits;

	if (strlen(v) >= sizeof buf)
		return false;
	strcpy(buf, v);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash = '\0';
		errno = 0;
		bits = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || errno || bits < 0 ||
		    bits > (ver == 4 ? 32 : 128))
			return false;
		n->prefix = (uint8_t)(bits ? bits : 255);	/* 255: /0 */
	}
	return addr_parse(buf, &n->lit.a) && n->lit.a.family == ver;
}

/* A quoted string without its quotes, \" \\ \xNN \n \t \r unescaped. */
static char *
unquote(const char *s, size_t len, size_t *outlen)
{
	char *out = malloc(len + 1), *o = out;
	size_t i;

	if (out == NULL)
		return NULL;
	for (i = 1; i + 1 < len; i++) {
		char c = s[i];

		if (c == '\\' && i + 2 < len) {
			c = s[++i];
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c == 'r')
				c = '\r';
			else if (c == 'x' && i + 2 < len - 1 &&
			    isxdigit((unsigned char)s[i + 1]) &&
			    isxdigit((unsigned char)s[i + 2])) {
				char hex[3] = { s[i + 1], s[i + 2], 0 };

				c = (char)strtol(hex, NULL, 16);
				i += 2;
			}
		}
		*o++ = c;
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
}

static const char *
type_word(int type)
{
	return type == FT_UINT ? "a number" : type == FT_TIME ?
	    "a number of seconds" : type == FT_ADDR ? "an address" :
	    "a string";
}

static bool
literal(struct parser *ps, struct dnode *n, const struct token *vt)
{
	const struct ff_fieldinfo *fi = ff_field_info(n->field);
	char v[256];
	bool ok;

	if (vt->t == T_STR) {
		n->str = unquote(ps->s + vt->pos, vt->len, &n->lit.slen);
		if (n->str == NULL)
			return false;
		snprintf(v, sizeof v, "%s", n->str);
	} else {
		snprintf(v, sizeof v, "%.*s", (int)vt->len, ps->s + vt->pos);
	}
	switch (fi->type) {
	case FT_UINT:
		ok = lit_uint(v, n);
		break;
	case FT_TIME:
		ok = lit_time(v, n);
		break;
	case FT_ADDR:
		ok = lit_addr(v, strncmp(fi->name, "ipv6", 4) ? 4 : 6, n);
		break;
	default:
		if (n->str == NULL && (n->str = strdup(v)) != NULL)
			n->lit.slen = strlen(v);
		ok = n->str != NULL;
		break;
	}
	if (!ok)
		fail(ps, vt->pos, vt->len, "\"%s\" is not %s (%s)", v,
		    fi->type == FT_ADDR && strncmp(fi->name, "ipv6", 4) ?
		    "an IPv4 address" : fi->type == FT_ADDR ?
		    "an IPv6 address" : type_word(fi->type), fi->name);
	return ok;
}

/* ---- parser ----------------------------------------------------------- */

static uint16_t parse_or(struct parser *ps);

static uint16_t
parse_test(struct parser *ps)
{
	struct token ft = ps->tok, opt;
	const struct ff_fieldinfo *fi;
	int field = ff_field_lookup(ps->s + ft.pos, ft.len);
	uint16_t id;

	if (field < 0) {
		fail(ps, ft.pos, ft.len, "unknown field \"%.*s\"",
		    (int)(ft.len > 60 ? 60 : ft.len), ps->s + ft.pos);
		return 0;
	}
	fi = ff_field_info(field);
	ps->df->need |= fi->need;
	next(ps);
	if (ps->tok.t != T_CMP && ps->tok.t != T_CONTAINS) {
		id = node(ps, N_EXISTS, 0, 0);
		if (!ps->failed)
			ps->df->n[id].field = (uint8_t)field;
		return id;
	}
	opt = ps->tok;
	if (fi->type == FT_PROTO ||
	    (opt.t == T_CONTAINS && fi->type != FT_STR)) {
		fail(ps, opt.pos, opt.len, "%s cannot be compared with \"%.*s\"",
		    fi->name, (int)opt.len, ps->s + opt.pos);
		return 0;
	}
	next(ps);
	if (ps->tok.t != T_WORD && ps->tok.t != T_STR) {
		fail_tok(ps, "expected a value");
		return 0;
	}
	id = node(ps, N_CMP, 0, 0);
	if (ps->failed)
		return 0;
	ps->df->n[id].field = (uint8_t)field;
	ps->df->n[id].op = (uint8_t)opt.op;
	literal(ps, &ps->df->n[id], &ps->tok);
	next(ps);
	return id;
}

static uint16_t
parse_not(struct parser *ps)
{
	uint16_t id;

	if (ps->failed)
		return 0;
	if (++ps->depth > DF_MAX_DEPTH) {
		fail(ps, ps->tok.pos, ps->tok.len, "too deeply nested");
		return 0;
	}
	if (ps->tok.t == T_NOT) {
		next(ps);
		id = node(ps, N_NOT, parse_not(ps), 0);
	} else if (ps->tok.t == T_LP) {
		struct token lp = ps->tok;

		next(ps);
		id = parse_or(ps);
		if (!ps->failed && ps->tok.t != T_RP) {
			if (ps->tok.t == T_END)
				fail(ps, lp.pos, 1, "unmatched \"(\"");
			else
				fail_tok(ps, "expected \")\", \"&&\" or "
				    "\"||\"");
		}
		next(ps);
	} else if (ps->tok.t == T_WORD) {
		id = parse_test(ps);
	} else {
		fail_tok(ps, "expected a field, \"(\" or \"!\"");
		id = 0;
	}
	ps->depth--;
	return id;
}

static uint16_t
parse_and(struct parser *ps)
{
	uint16_t a = parse_not(ps);

	while (!ps->failed && ps->tok.t == T_AND) {
		next(ps);
		a = node(ps, N_AND, a, parse_not(ps));
	}
	return a;
}

static uint16_t
parse_or(struct parser *ps)
{
	uint16_t a = parse_and(ps);

	while (!ps->failed && ps->tok.t == T_OR) {
		next(ps);
		a = node(ps, N_OR, a, parse_and(ps));
	}
	return a;
}

bool
dfilter_blank(const char *text)
{
	while (isspace((unsigned char)*text))
		text++;
	return *text == '\0';
}

struct dfilter *
dfilter_compile(const char *text, struct dfilter_error *err)
{
	struct parser ps;

	memset(err, 0, sizeof *err);
	memset(&ps, 0, sizeof ps);
	ps.s = text;
	ps.err = err;
	if ((ps.df = calloc(1, sizeof *ps.df)) == NULL) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return NULL;
	}
	next(&ps);
	if (ps.tok.t == T_END)
		fail(&ps, 0, 1, "empty filter");
	ps.df->root = parse_or(&ps);
	if (!ps.failed && ps.tok.t != T_END)
		fail_tok(&ps, ps.tok.t == T_RP ? "unmatched \")\"" :
		    "expected \"&&\" or \"||\"");
	if (ps.failed) {
		dfilter_free(ps.df);
		return NULL;
	}
	return ps.df;
}

void
dfilter_free(struct dfilter *df)
{
	if (df == NULL)
		return;
	for (size_t i = 0; i < df->nn; i++)
		free(df->n[i].str);
	free(df->n);
	free(df);
}

unsigned
dfilter_needs(const struct dfilter *df)
{
	return df ? df->need : 0;
}

/* ---- evaluation ------------------------------------------------------- */

static int
cmp_num(double x, double y)
{
	return x < y ? -1 : x > y;
}

static bool
in_prefix(const struct gw_addr *a, const struct gw_addr *net, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (a->family != net->family)
		return false;
	if (memcmp(a->a, net->a, full) != 0)
		return false;
	return rest == 0 ||
	    ((a->a[full] ^ net->a[full]) & (0xff00u >> rest) & 0xff) == 0;
}

/* <0, 0, >0 between a value and the literal. */
static int
compare(const struct dnode *n, int type, const struct ff_value *v)
{
	size_t m;
	int r;

	switch (type) {
	case FT_UINT:
		return v->u < n->lit.u ? -1 : v->u > n->lit.u;
	case FT_TIME:
		return cmp_num(v->t, n->lit.t);
	case FT_ADDR:
		if (n->prefix && (n->op == OP_EQ || n->op == OP_NE))
			return in_prefix(&v->a, &n->lit.a, n->prefix == 255 ?
			    0 : n->prefix) ? 0 : 1;
		return v->a.family != n->lit.a.family ? 1 :
		    memcmp(v->a.a, n->lit.a.a, 16);
	default:
		m = v->slen < n->lit.slen ? v->slen : n->lit.slen;
		r = memcmp(v->s, n->str, m);
		return r ? r : v->slen < n->lit.slen ? -1 :
		    v->slen > n->lit.slen;
	}
}

static bool
contains(const struct ff_value *v, const struct dnode *n)
{
	if (n->lit.slen == 0)
		return true;
	for (size_t i = 0; i + n->lit.slen <= v->slen; i++)
		if (memcmp(v->s + i, n->str, n->lit.slen) == 0)
			return true;
	return false;
}

static bool
test_one(const struct dnode *n, int type, const struct ff_value *v)
{
	int c;

	if (n->op == OP_CONTAINS)
		return contains(v, n);
	c = compare(n, type, v);
	switch (n->op) {
	case OP_EQ: return c == 0;
	case OP_NE: return c != 0;
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	case OP_GT: return c > 0;
	default: return c >= 0;
	}
}

static bool
eval_cmp(const struct dnode *n, const struct frame_fields *ff)
{
	struct ff_value v[FF_MAX_VALUES];
	int type = ff_field_info(n->field)->type;
	size_t nv = ff_values(ff, n->field, v, FF_MAX_VALUES);

	if (nv == 0)
		return false;
	for (size_t i = 0; i < nv; i++) {
		bool t = test_one(n, type, &v[i]);

		if (n->op == OP_NE && !t)
			return false;	/* "!=": every value differs */
		if (n->op != OP_NE && t)
			return true;
	}
	return n->op == OP_NE;
}

static bool
eval(const struct dfilter *df, uint16_t id, const struct frame_fields *ff)
{
	const struct dnode *n = &df->n[id];
	struct ff_value v[1];

	switch (n->kind) {
	case N_AND:
		return eval(df, n->a, ff) && eval(df, n->b, ff);
	case N_OR:
		return eval(df, n->a, ff) || eval(df, n->b, ff);
	case N_NOT:
		return !eval(df, n->a, ff);
	case N_EXISTS:
		return ff_values(ff, n->field, v, 1) > 0;
	default:
		return eval_cmp(n, ff);
	}
}

bool
dfilter_eval(const struct dfilter *df, const struct frame_fields *ff)
{
	return df == NULL || eval(df, df->root, ff);
}

void
dfilter_error_format(const char *text, const struct dfilter_error *err,
    int indent, char *out, size_t outlen)
{
	size_t len = strlen(text), pos = 0, n;
	int w;

	w = snprintf(out, outlen, "%s\n%*s%s\n%*s", err->msg, indent, "",
	    text, indent, "");
	if (w < 0 || (size_t)w >= outlen)
		return;
	pos = (size_t)w;
	for (size_t i = 0; i < err->pos && i < len && pos + 1 < outlen; i++)
		out[pos++] = text[i] == '\t' ? '\t' : ' ';
	for (n = 0; n < err->len && pos + 1 < outlen; n++)
		out[pos++] = n == 0 ? '^' : '~';
	out[pos] = '\0';
}
