/*
 * http.c: HTTP/1.x heads (RFC 9110/9112). The parser is stateless: it is
 * rerun over the bytes so far, and checks each line as far as it goes so
 * that garbage is reported as soon as no valid head can start with it.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "http.h"

/* One line (CR/LF excluded); eol says whether it has actually ended. */
struct cur {
	const uint8_t *s;
	size_t n, i;
	bool eol;
};

/*
 * ASCII-only classes: <ctype.h> follows the locale, which the UI sets, and
 * HTTP's grammar does not.
 */
static bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_xdigit(uint8_t c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static uint8_t
to_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

/* Helpers return 1 when done, 0 when they need more bytes, -1 on error. */
static int
bad(struct http_head *h, const char *err)
{
	h->error = err;
	return -1;
}

/* Out of bytes: wait for more, unless the line already ended. */
static int
more(const struct cur *c, struct http_head *h, const char *err)
{
	return c->eol ? bad(h, err) : 0;
}

static int
lit(struct cur *c, const char *s, struct http_head *h, const char *err)
{
	for (; *s != '\0'; s++, c->i++) {
		if (c->i == c->n)
			return more(c, h, err);
		if (c->s[c->i] != (uint8_t)*s)
			return bad(h, err);
	}
	return 1;
}

static int
digit(struct cur *c, struct http_head *h, const char *err, int *val)
{
	if (c->i == c->n)
		return more(c, h, err);
	if (!is_digit(c->s[c->i]))
		return bad(h, err);
	*val = *val * 10 + (c->s[c->i++] - '0');
	return 1;
}

/*
 * Byte classes, one table look-up per byte: C_TCHAR, a token's (RFC 9110
 * 5.6.2: field names, methods); C_FIELD, what a field value may hold
 * (anything but controls other than HTAB, and DEL; obs-text allowed).
 * A host's bytes have a table of their own (host_byte).
 */
enum { C_TCHAR = 1, C_FIELD = 2 };
static const uint8_t byte_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	2, 3, 2, 3, 3, 3, 3, 3, 2, 2, 3, 3, 2, 3, 3, 2,	/* 0x20 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2,	/* 0x30 */
	2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0x40 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 3, 3,	/* 0x50 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0x60 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 3, 2, 3, 0,	/* 0x70 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0x80 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0x90 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xa0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xb0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xc0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xd0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xe0 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0xf0 */
};

static bool
is_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* Eight bytes of a byte string, in whatever order memory holds them. */
static uint64_t
word_at(const void *s)
{
	uint64_t w;

	memcpy(&w, s, 8);
	return w;
}

#define ONES 0x0101010101010101u

/* Whether the bytes of word w are those of the literal's word b, the
 * literal's letters matched in either case (see eq_ci). */
static inline bool
fold_eq(uint64_t w, uint64_t b)
{
	return (w | (b & ONES * 0x40) >> 1) == b;
}

/* Four bytes of a byte string, widened to a word. */
static inline uint64_t
word4_at(const void *s)
{
	uint32_t w;

	memcpy(&w, s, 4);
	return w;
}

/*
 * Case-insensitive compare of s[0..n) with a literal of lower-case
 * letters, digits and '-' (the names and tokens looked for). In such a
 * literal only the letters have bit 0x40, so OR-ing that bit shifted to
 * 0x20 into the same bytes of s folds exactly the two cases of each of
 * its letters together (a digit or '-' must match exactly): eight bytes
 * at a time, and no byte is looked at unless the lengths agree.
 */
static inline bool
eq_ci(const uint8_t *s, size_t n, const char *lit_lc)
{
	const uint8_t *lit = (const uint8_t *)lit_lc;
	size_t len = strlen(lit_lc), i;

	if (n != len)
		return false;
	if (len < 4) {
		for (i = 0; i < len; i++)
			if (!fold_eq(s[i], lit[i]))
				return false;
		return true;
	}
	if (len < 8)	/* two words of four, overlapping */
		return fold_eq(word4_at(s), word4_at(lit)) &&
		    fold_eq(word4_at(s + len - 4), word4_at(lit + len - 4));
	/* words of eight, the last one ending with the literal's end (a
	 * byte compared twice compares the same) */
	for (i = 0; i + 8 < len; i += 8)
		if (!fold_eq(word_at(s + i), word_at(lit + i)))
			return false;
	return fold_eq(word_at(s + len - 8), word_at(lit + len - 8));
}

/*
 * The bytes of a word below `below` (at most 0x80) or DEL, as their high
 * bits: the classic "has less" test. No false negatives, and the lowest
 * flagged byte is a real one (a borrow that makes a false hit comes from
 * a real hit below it); bytes from 0x80 up never hit.
 */
static uint64_t
word_stops(uint64_t w, uint8_t below)
{
	uint64_t del = w ^ (ONES * 0x7f);

	return ((w - ONES * below) | (del - ONES)) & ~w & ONES * 0x80;
}

#ifdef __SSE2__
/* Sixteen bytes at s as one vector: the caller checked they are there. */
static inline __m128i
vec_at(const uint8_t *s)
{
	return _mm_loadu_si128((const __m128i *)(const void *)s);
}

/* 0xff in the bytes of x that are in lo..lo+span (unsigned), else 0. */
static inline __m128i
vec_in_mask(__m128i x, uint8_t lo, uint8_t span)
{
	__m128i d = _mm_sub_epi8(x, _mm_set1_epi8((char)lo));

	return _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8((char)span)), d);
}

/* Which bytes of x are at most max (unsigned), one bit each. */
static inline unsigned
vec_at_most(__m128i x, uint8_t max)
{
	return (unsigned)_mm_movemask_epi8(vec_in_mask(x, 0, max));
}

/* Which bytes of x are in lo..lo+span (unsigned), one bit each. */
static inline unsigned
vec_in(__m128i x, uint8_t lo, uint8_t span)
{
	return (unsigned)_mm_movemask_epi8(vec_in_mask(x, lo, span));
}
#endif

/*
 * From i on (before n), past the bytes that are surely neither below
 * `below` nor DEL: sixteen at a time where SSE2 is (to the very byte that
 * stops), then eight at a time, then to the first flagged byte of the
 * word that stops (where the byte-by-byte check goes on; on a big-endian
 * host, from the word's start).
 */
static inline size_t
skip_plain(const uint8_t *s, size_t n, size_t i, uint8_t below)
{
	uint64_t m;

#ifdef __SSE2__
	for (; n - i >= 16; i += 16) {
		__m128i x = vec_at(s + i);
		unsigned stop = vec_at_most(x, (uint8_t)(below - 1)) |
		    (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x,
		    _mm_set1_epi8(0x7f)));

		if (stop != 0)
			return i + (size_t)__builtin_ctz(stop);
	}
#endif
	for (; n - i >= 8; i += 8)
		if ((m = word_stops(word_at(s + i), below)) != 0) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			i += (size_t)__builtin_ctzll(m) / 8;
#endif
			break;
		}
	return i;
}

/* How many bytes from i on (before lim) are of class cls: four at a time
 * while there are four, then one by one. */
static inline size_t
class_run(const uint8_t *buf, size_t lim, size_t i, uint8_t cls)
{
#ifdef __SSE2__
	/* a token's usual bytes (letters, digits, '-': all of C_TCHAR)
	 * sixteen at a time, to the first other byte */
	for (; cls == C_TCHAR && lim - i >= 16; i += 16) {
		__m128i x = vec_at(buf + i);
		unsigned usual = vec_in(_mm_or_si128(x, _mm_set1_epi8(0x20)),
		    'a', 'z' - 'a') | vec_in(x, '0', 9) |
		    (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x,
		    _mm_set1_epi8('-')));

		if (usual != 0xffff) {
			i += (size_t)__builtin_ctz(~usual);
			if (!(byte_class[buf[i]] & cls))
				return i;	/* the ':', usually */
			break;
		}
	}
#endif
	while (lim - i >= 4 && (byte_class[buf[i]] & byte_class[buf[i + 1]] &
	    byte_class[buf[i + 2]] & byte_class[buf[i + 3]] & cls))
		i += 4;
	while (i < lim && (byte_class[buf[i]] & cls))
		i++;
	return i;
}

/* Copies n bytes truncated to outlen-1, NUL-terminated; true if all fit. */
static bool
copy_trunc(char *out, size_t outlen, const uint8_t *s, size_t n)
{
	size_t k = n < outlen - 1 ? n : outlen - 1;

	memcpy(out, s, k);
	out[k] = '\0';
	return k == n;
}

/*
 * "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3). A request must be 1.x: the
 * gateway speaks HTTP/1 to its clients, and "PRI * HTTP/2.0" opens an
 * HTTP/2 connection, not a request. A reply may be any version: nginx and
 * squid relay an upstream's "HTTP/2.0 200 OK" as a 200.
 */
static int
version(struct cur *c, struct http_head *h, const char *noline,
    const char *err)
{
	int r;

	/* the whole of it at once when its bytes are all there */
	if (c->n - c->i >= 8 && memcmp(c->s + c->i, "HTTP/", 5) == 0 &&
	    is_digit(c->s[c->i + 5]) && c->s[c->i + 6] == '.' &&
	    is_digit(c->s[c->i + 7])) {
		if (h->is_request && c->s[c->i + 5] != '1')
			return bad(h, err);
		h->version_major = c->s[c->i + 5] - '0';
		h->version_minor = c->s[c->i + 7] - '0';
		c->i += 8;
		return 1;
	}
	if ((r = lit(c, "HTTP/", h, noline)) <= 0)
		return r;
	h->version_major = h->version_minor = 0;
	if ((r = digit(c, h, err, &h->version_major)) <= 0)
		return r;
	if (h->is_request && h->version_major != 1)
		return bad(h, err);
	if ((r = lit(c, ".", h, err)) <= 0)
		return r;
	return digit(c, h, err, &h->version_minor);
}

static bool
is_scheme_char(uint8_t c)
{
	return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
}

/* RFC 9112 3.2; the form is decided by the method and the first bytes. */
static int
classify_target(const uint8_t *t, size_t n, struct http_head *h)
{
	size_t i;

	if (strcmp(h->method, "CONNECT") == 0) {
		h->form = HTTP_FORM_AUTHORITY;
		return 1;
	}
	if (n == 1 && t[0] == '*') {
		h->form = HTTP_FORM_ASTERISK;
		return 1;
	}
	if (t[0] == '/') {
		h->form = HTTP_FORM_ORIGIN;
		return 1;
	}
	i = 0;
	if (is_alpha(t[0]))
		while (i < n && is_scheme_char(t[i]))
			i++;
	if (i > 0 && n - i >= 3 && memcmp(t + i, "://", 3) == 0) {
		h->form = HTTP_FORM_ABSOLUTE;
		return 1;
	}
	return bad(h, "malformed request target");
}

static int
parse_request_line(struct cur *c, struct http_head *h)
{
	const char *err = "malformed request line";
	size_t start;
	int r;

	c->i = class_run(c->s, c->n, c->i, C_TCHAR);
	if (c->i >= HTTP_METHOD_MAX)
		return bad(h, "method too long");
	if (c->i == c->n)
		return more(c, h, c->i == 0 ? "no request line" : err);
	if (c->i == 0)
		return bad(h, "no request line");
	if (c->s[c->i] != ' ')
		return bad(h, err);
	copy_trunc(h->method, sizeof h->method, c->s, c->i);
	start = ++c->i;
	c->i = skip_plain(c->s, c->n, c->i, 0x21);
	while (c->i < c->n && c->s[c->i] > ' ' && c->s[c->i] != 0x7f)
		c->i++;
	if (c->i == c->n)
		return more(c, h, err);
	if (c->i == start || c->s[c->i] != ' ')
		return bad(h, err);
	h->target_truncated = !copy_trunc(h->target, sizeof h->target,
	    c->s + start, c->i - start);
	if (classify_target(c->s + start, c->i - start, h) < 0)
		return -1;
	c->i++;
	if ((r = version(c, h, err, err)) <= 0)
		return r;
	if (c->i < c->n)
		return bad(h, err);
	return c->eol ? 1 : 0;
}

static int
parse_status_line(struct cur *c, struct http_head *h)
{
	const char *err = "malformed status line";
	size_t i, k;
	int r, d;

	if ((r = version(c, h, "no status line", err)) <= 0)
		return r;
	if ((r = lit(c, " ", h, err)) <= 0)
		return r;
	for (d = 0; d < 3; d++)
		if ((r = digit(c, h, err, &h->status)) <= 0)
			return r;
	if (h->status < 100)
		return bad(h, err);
	if (c->i == c->n)
		return c->eol ? 1 : 0;
	if (c->s[c->i++] != ' ')
		return bad(h, err);
	/* The reason is only shown: keep it printable, never reject it. */
	for (i = c->i, k = 0; i < c->n && k < sizeof h->reason - 1; i++, k++)
		h->reason[k] = c->s[i] >= 0x20 && c->s[i] < 0x7f ?
		    (char)c->s[i] : '?';
	h->reason[k] = '\0';
	return c->eol ? 1 : 0;
}

/*
 * Content-Length: 1*DIGIT, or a list of identical values (RFC 9110 8.6).
 * Anything else, or a value differing from an earlier field, is invalid:
 * the disagreement is exactly what request smuggling and 502s are made of.
 */
static int
content_length(const uint8_t *v, size_t n, struct http_head *h)
{
	int64_t val = -1, cur;
	size_t i = 0;

	for (;;) {
		while (i < n && is_ows(v[i]))
			i++;
		if (i == n || !is_digit(v[i]))
			return bad(h, "bad content-length");
		for (cur = 0; i < n && is_digit(v[i]); i++) {
			if (cur > (INT64_MAX - (v[i] - '0')) / 10)
				return bad(h, "bad content-length");
			cur = cur * 10 + (v[i] - '0');
		}
		if (val >= 0 && cur != val)
			return bad(h, "conflicting content-length");
		val = cur;
		while (i < n && is_ows(v[i]))
			i++;
		if (i == n)
			break;
		if (v[i++] != ',')
			return bad(h, "bad content-length");
	}
	if (h->content_length >= 0 && h->content_length != val)
		return bad(h, "conflicting content-length");
	h->content_length = val;
	return 1;
}

/* Comma-separated tokens: Transfer-Encoding and Connection. */
static void
token_list(const uint8_t *v, size_t n, bool is_te, struct http_head *h)
{
	size_t i = 0, s, e;

	while (i < n) {
		while (i < n && (is_ows(v[i]) || v[i] == ','))
			i++;
		for (s = i; i < n && v[i] != ','; i++)
			;
		for (e = i; e > s && is_ows(v[e - 1]); e--)
			;
		if (is_te && eq_ci(v + s, e - s, "chunked"))
			h->chunked = true;
		else if (is_te && e > s && h->coding[0] == '\0' &&
		    !eq_ci(v + s, e - s, "identity"))
			copy_trunc(h->coding, sizeof h->coding, v + s, e - s);
		if (!is_te && eq_ci(v + s, e - s, "close"))
			h->conn_close = true;
		if (!is_te && eq_ci(v + s, e - s, "keep-alive"))
			h->conn_keepalive = true;
	}
}

/* The field value v[0..*vn) without its leading and trailing OWS. */
static const uint8_t *
trim_ows(const uint8_t *v, size_t *vn)
{
	while (*vn > 0 && is_ows(v[0]))
		v++, (*vn)--;
	while (*vn > 0 && is_ows(v[*vn - 1]))
		(*vn)--;
	return v;
}

/*
 * X-Varnish: a request's one id (the backend fetch Varnish sends it for);
 * a response's client request id, then for a cache hit the id of the
 * fetch whose object answered. Anything else reads as none.
 */
static void
varnish_ids(const uint8_t *v, size_t n, struct http_head *h)
{
	uint64_t id[2] = { 0, 0 };
	size_t i = 0, nid = 0;

	h->varnish_id = 0;
	h->varnish_hit = false;
	while (i < n) {
		if (nid == 2 || !is_digit(v[i]))
			return;
		for (; i < n && is_digit(v[i]); i++) {
			unsigned d = (unsigned)(v[i] - '0');

			if (id[nid] > (UINT64_MAX - d) / 10)
				return;	/* past 64 bits: not Varnish's */
			id[nid] = id[nid] * 10 + d;
		}
		nid++;
		while (i < n && is_ows(v[i]))
			i++;
	}
	if (nid == 0 || (h->is_request && nid == 2))
		return;
	h->varnish_id = (uint32_t)id[nid - 1];
	h->varnish_hit = nid == 2;
}

/*
 * A complete field line's value: the five fields we read. The name is
 * matched first, so the value of any other field (most) is not trimmed.
 */
static int
field_value(const uint8_t *name, size_t namelen, const uint8_t *v, size_t vn,
    struct http_head *h)
{
	switch (namelen) {	/* the length picks the one name to compare */
	case 4:
		if (!eq_ci(name, namelen, "host"))
			break;
		if (h->is_request && h->host[0] != '\0')
			return bad(h, "duplicate host");	/* RFC 9112 3.2 */
		v = trim_ows(v, &vn);
		copy_trunc(h->host, sizeof h->host, v, vn);
		break;
	case 14:
		if (!eq_ci(name, namelen, "content-length"))
			break;
		v = trim_ows(v, &vn);
		return content_length(v, vn, h);
	case 17:
		if (!eq_ci(name, namelen, "transfer-encoding"))
			break;
		v = trim_ows(v, &vn);
		token_list(v, vn, true, h);
		break;
	case 10:
		if (!eq_ci(name, namelen, "connection"))
			break;
		v = trim_ows(v, &vn);
		token_list(v, vn, false, h);
		break;
	case 9:
		if (!eq_ci(name, namelen, "x-varnish"))
			break;
		v = trim_ows(v, &vn);
		varnish_ids(v, vn, h);
		break;
	}
	return 1;
}

/*
 * The line at pos within lim: 1 with its end, or 0 with what there is of
 * it. A CR just before the LF (or at the cut) is not part of the line.
 * `from`: where to look for the LF (no LF lies between pos and from).
 */
static inline int
find_line(const uint8_t *buf, size_t lim, size_t pos, size_t from, size_t *n,
    size_t *next)
{
	const uint8_t *lf;
	size_t end;

	if (from < lim && buf[from] == '\n')
		lf = buf + from;
	else if (lim - from >= 2 && buf[from] == '\r' && buf[from + 1] == '\n')
		lf = buf + from + 1;
	else
		lf = memchr(buf + from, '\n', lim - from);
	end = lf != NULL ? (size_t)(lf - buf) : lim;
	*next = end + 1;
	if (end > pos && buf[end - 1] == '\r')
		end--;
	*n = end - pos;
	return lf != NULL;
}

/* A complete field line: field_value, called only for a name as long as
 * one of the five it reads (most lines are other fields). */
static inline int
field_line(const uint8_t *name, size_t namelen, const uint8_t *v, size_t vn,
    struct http_head *h)
{
	const uint32_t read_lens = 1u << 4 | 1u << 9 | 1u << 10 | 1u << 14 |
	    1u << 17;

	if (namelen >= 32 || !(read_lens >> namelen & 1))
		return 1;
	return field_value(name, namelen, v, vn, h);
}

/*
 * Where the field value bytes from i on stop (at lim, or the first byte
 * that is not C_FIELD: the CR or LF, usually): skip_plain, then byte by
 * byte (HTAB, a control the word test flags, belongs to a value).
 */
static size_t
field_bytes(const uint8_t *buf, size_t lim, size_t i)
{
	i = skip_plain(buf, lim, i, 0x20);
	while (i < lim && (byte_class[buf[i]] & C_FIELD))
		i++;
	return i;
}

/*
 * A field line: its name and value are checked in one pass that stops
 * where the line ends (the usual case: the LF is then right there) or at
 * the first byte that does not belong, and the line's end is looked for
 * from there. *n, *next and *eol describe the line as find_line does;
 * the result is only meaningful when the line is not too long.
 */
static int
parse_field(const uint8_t *buf, size_t lim, size_t pos, struct http_head *h,
    size_t *n, size_t *next, bool *eol)
{
	const char *err = "malformed header line";
	size_t i = pos, name_end, stop;

	/*
	 * A leading space is obs-fold, which a gateway must reject or
	 * rewrite (RFC 9112 5.2): flag it, it is a 502 cause of its own.
	 */
	i = class_run(buf, lim, i, C_TCHAR);
	name_end = i;
	if (i < lim && buf[i] == ':' && i > pos) {
		i = field_bytes(buf, lim, i + 1);
		/* the usual end, the CRLF where the value stops: the line is
		 * whole and valid (what the checks below would find) */
		if (lim - i >= 2 && buf[i] == '\r' && buf[i + 1] == '\n' &&
		    i - pos <= HTTP_LINE_MAX) {
			*n = i - pos;
			*next = i + 2;
			*eol = true;
			return field_line(buf + pos, name_end - pos,
			    buf + name_end + 1, i - name_end - 1, h);
		}
	}
	stop = i;
	*eol = find_line(buf, lim, pos, stop, n, next);
	if (*n > HTTP_LINE_MAX || (*eol && *n == 0))
		return 1;	/* the caller's cases */
	if (name_end == pos + *n)	/* a name and nothing else yet */
		return *eol ? bad(h, err) : 0;
	if (name_end == pos || buf[name_end] != ':')
		return bad(h, err);
	if (stop < pos + *n)	/* a control character in the value */
		return bad(h, err);
	if (!*eol)
		return 0;
	return field_line(buf + pos, name_end - pos, buf + name_end + 1,
	    pos + *n - name_end - 1, h);
}

/*
 * Every field of h, set here: the struct is 2.5 KB, mostly string space
 * that an empty string clears (a new field must be added here).
 */
static void
head_init(struct http_head *h, bool req)
{
	h->is_request = req;
	h->method[0] = h->target[0] = h->reason[0] = h->host[0] = '\0';
	h->coding[0] = '\0';
	h->target_truncated = false;
	h->form = HTTP_FORM_ORIGIN;
	h->version_major = h->version_minor = h->status = 0;
	h->content_length = -1;
	h->chunked = h->conn_close = h->conn_keepalive = false;
	h->varnish_id = 0;
	h->varnish_hit = false;
	h->head_len = 0;
	h->error = NULL;
	h->error_at = 0;
	h->resume = 0;
}

/*
 * resume: go on from h->resume, the start of the first line that was not
 * complete (0 while the first line is not: it is parsed again whole, as
 * the request and status line parsers store as they go; field lines only
 * store once complete).
 */
static enum http_result
parse_head(const uint8_t *buf, size_t len, struct http_head *h, bool req,
    bool resume)
{
	size_t lim = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	size_t pos = 0, next, n;
	struct cur c;
	bool first = true, eol = false;
	int r;

	if (resume && h->resume > 0 && h->resume <= lim) {
		pos = h->resume;
		first = false;
	} else {
		head_init(h, req);
	}
	for (;;) {
		if (first) {
			c.s = buf + pos;
			c.i = 0;
			c.eol = find_line(buf, lim, pos, pos, &c.n, &next);
			n = c.n;
			eol = c.eol;
		} else {
			r = parse_field(buf, lim, pos, h, &n, &next, &eol);
		}
		if (n > HTTP_LINE_MAX) {
			bad(h, !first ? "header line too long" : req ?
			    "request line too long" : "status line too long");
			h->error_at = first ? 0 : pos;
			return HTTP_INVALID;
		}
		if (first && req && eol && n == 0) {
			pos = next;	/* RFC 9112 2.2: skip empty lines first */
			continue;
		}
		if (!first && eol && n == 0) {
			h->head_len = next;
			return HTTP_OK;
		}
		if (first)
			r = req ? parse_request_line(&c, h) :
			    parse_status_line(&c, h);
		if (r < 0) {
			h->error_at = first ? 0 : pos;
			return HTTP_INVALID;
		}
		if (!eol) {
			if (len < HTTP_HEAD_MAX) {
				h->resume = first ? 0 : pos;
				return HTTP_INCOMPLETE;
			}
			bad(h, "head too long");
			return HTTP_INVALID;
		}
		first = false;
		pos = next;
	}
}

enum http_result
http_parse_request(const uint8_t *buf, size_t len, struct http_head *h)
{
	return parse_head(buf, len, h, true, false);
}

enum http_result
http_parse_response(const uint8_t *buf, size_t len, struct http_head *h)
{
	return parse_head(buf, len, h, false, false);
}

void
http_pre_parse(const uint8_t *data, size_t len, struct http_pre *pre)
{
	pre->data = data;
	pre->len = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	pre->is_request = !(len >= 5 && memcmp(data, "HTTP/", 5) == 0);
	pre->result = parse_head(data, pre->len, &pre->h, pre->is_request,
	    false);
	if (pre->is_request && pre->result == HTTP_OK)
		http_request_host(pre->h.form, pre->h.target, pre->h.host,
		    pre->authority, sizeof pre->authority, &pre->port);
}

void
http_request_host(enum http_target_form form, const char *target,
    const char *host_field, char *host, size_t hostlen, uint16_t *port)
{
	*port = 0;
	host[0] = '\0';
	if (form == HTTP_FORM_ABSOLUTE &&
	    http_url_host(target, host, hostlen, port))
		return;
	if (form == HTTP_FORM_AUTHORITY &&
	    http_split_authority(target, host, hostlen, port))
		return;
	/* split_hostport leaves the host lower-case */
	if (!http_split_authority(host_field, host, hostlen, port))
		host[0] = '\0';
}

enum http_result
http_parse_more(const uint8_t *buf, size_t len, struct http_head *h)
{
	return parse_head(buf, len, h, h->is_request, true);
}

size_t
http_line_text_len(const uint8_t *buf, size_t len)
{
	size_t i = 0;

#ifdef __SSE2__
	for (; len - i >= 16; i += 16) {
		__m128i x = vec_at(buf + i);
		unsigned stop = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')),
		    _mm_cmpeq_epi8(x, _mm_set1_epi8('\r'))),
		    _mm_cmpeq_epi8(x, _mm_setzero_si128())));

		if (stop != 0)
			return i + (size_t)__builtin_ctz(stop);
	}
#endif
	for (; i < len; i++)
		if (buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\0')
			break;
	return i;
}

/*
 * A host byte as stored: lower-case when it is a letter, 0 when it may not
 * appear in a host (visible ASCII but none of
 * /?#@[]\"<>{}|^`): checked and lowered with one look-up.
 */
#define HOST_OK(c) ((c) > 0x20 && (c) < 0x7f && (c) != '/' && (c) != '?' && \
	(c) != '#' && (c) != '@' && (c) != '[' && (c) != ']' && \
	(c) != '\\' && (c) != '"' && (c) != '<' && (c) != '>' && \
	(c) != '{' && (c) != '}' && (c) != '|' && (c) != '^' && (c) != '`')
#define HOST_BYTE(c) ((uint8_t)(HOST_OK(c) ? ((c) >= 'A' && (c) <= 'Z' ? \
	(c) - 'A' + 'a' : (c)) : 0))
#define HOST4(c) HOST_BYTE(c), HOST_BYTE(c + 1), HOST_BYTE(c + 2), \
	HOST_BYTE(c + 3)
#define HOST16(c) HOST4(c), HOST4(c + 4), HOST4(c + 8), HOST4(c + 12)
#define HOST64(c) HOST16(c), HOST16(c + 16), HOST16(c + 32), HOST16(c + 48)
static const uint8_t host_byte[256] = {
	HOST64(0), HOST64(64), HOST64(128), HOST64(192)
};

/*
 * How many of the n bytes at s (n < the room at host) are letters,
 * digits, '.' or '-' (the bytes of nearly every host name), copied
 * lower-case to host: sixteen at a time where SSE2 is, else none (the
 * caller's byte-by-byte loop, host_byte, goes on from there).
 */
static size_t
host_plain(const char *s, size_t n, char *host)
{
	size_t i = 0;

#ifdef __SSE2__
	for (; n - i >= 16; i += 16) {
		__m128i x = vec_at((const uint8_t *)s + i);
		__m128i low = _mm_or_si128(x, _mm_and_si128(vec_in_mask(x,
		    'A', 'Z' - 'A'), _mm_set1_epi8(0x20)));
		__m128i ok = _mm_or_si128(_mm_or_si128(vec_in_mask(low, 'a',
		    'z' - 'a'), vec_in_mask(x, '0', 9)), _mm_or_si128(
		    _mm_cmpeq_epi8(x, _mm_set1_epi8('.')),
		    _mm_cmpeq_epi8(x, _mm_set1_epi8('-'))));

		if (_mm_movemask_epi8(ok) != 0xffff)
			break;
		_mm_storeu_si128((__m128i *)(void *)(host + i), low);
	}
#else
	(void)s;
	(void)n;
	(void)host;
#endif
	return i;
}

/* host[:port] or [v6][:port] in s[0..n); port 0 when absent. */
static bool
split_hostport(const char *s, size_t n, char *host, size_t hostlen,
    uint16_t *port)
{
	const char *h, *colon = NULL;
	size_t hn, i;
	unsigned long p = 0;
	bool lowered = false;

	*port = 0;
	if (n == 0 || hostlen == 0)
		return false;
	if (s[0] == '[') {
		const char *rb = memchr(s, ']', n);

		if (rb == NULL || rb == s + 1)
			return false;
		h = s + 1;
		hn = (size_t)(rb - h);
		for (i = 0; i < hn; i++)
			if (!is_xdigit((uint8_t)h[i]) && h[i] != ':' &&
			    h[i] != '.')
				return false;
		if (rb + 1 < s + n) {
			if (rb[1] != ':')
				return false;
			colon = rb + 1;
		}
	} else {
		h = s;
		colon = memchr(s, ':', n);
		hn = colon != NULL ? (size_t)(colon - s) : n;
		if (hn == 0 || hn >= hostlen)
			return false;
		/* checked and copied lower-case in one pass (no ':' there:
		 * hn ends at it); a bad byte leaves host empty */
		i = host_plain(h, hn, host);
		for (; i < hn; i++) {
			uint8_t b = host_byte[(uint8_t)h[i]];

			if (b == 0) {
				host[0] = '\0';
				return false;
			}
			host[i] = (char)b;
		}
		lowered = true;
	}
	if (colon != NULL) {
		/* An empty port means the default (RFC 3986 3.2.3). */
		for (i = (size_t)(colon - s) + 1; i < n; i++) {
			if (!is_digit((uint8_t)s[i]) || (p = p * 10 +
			    (unsigned long)(s[i] - '0')) > 65535) {
				if (lowered)
					host[0] = '\0';
				return false;
			}
		}
		*port = (uint16_t)p;
	}
	if (hn >= hostlen)
		return false;
	for (i = 0; !lowered && i < hn; i++)
		host[i] = (char)to_lower((uint8_t)h[i]);
	host[hn] = '\0';
	return true;
}

const char *
http_url_sep(const char *s)
{
	while ((s = strchr(s, ':')) != NULL && (s[1] != '/' || s[2] != '/'))
		s++;
	return s;
}

const char *
http_url_path(const char *s)
{
	const char *p = http_url_sep(s);

	if (p == NULL)
		return s;
	p = strchr(p + 3, '/');
	return p ? p : "/";
}

bool
http_split_authority(const char *auth, char *host, size_t hostlen,
    uint16_t *port)
{
	if (http_url_sep(auth) != NULL)
		return http_url_host(auth, host, hostlen, port);
	return split_hostport(auth, strlen(auth), host, hostlen, port);
}

bool
http_url_host(const char *url, char *host, size_t hostlen, uint16_t *port)
{
	const char *sep = http_url_sep(url), *a, *at;
	size_t n;

	*port = 0;
	if (sep == NULL || sep == url)
		return false;
	a = sep + 3;
	n = strcspn(a, "/?#");
	/* Skip userinfo: the host follows the authority's last '@'. */
	while ((at = memchr(a, '@', n)) != NULL) {
		n -= (size_t)(at + 1 - a);
		a = at + 1;
	}
	if (!split_hostport(a, n, host, hostlen, port))
		return false;
	if (*port == 0)
		*port = (sep - url == 5 && strncasecmp(url, "https", 5) == 0) ?
		    443 : 80;
	return true;
}
