/*
 * http.c: HTTP/1.x heads (RFC 9110/9112). The parser is stateless: it is
 * rerun over the bytes so far, and checks each line as far as it goes so
 * that garbage is reported as soon as no valid head can start with it.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

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

/* RFC 9110 5.6.2 */
static bool
is_tchar(uint8_t c)
{
	return is_alpha(c) || is_digit(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

static bool
is_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* Case-insensitive compare of s[0..n) with a lower-case literal. */
static bool
eq_ci(const uint8_t *s, size_t n, const char *lit_lc)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lit_lc[i] == '\0' || to_lower(s[i]) != lit_lc[i])
			return false;
	return lit_lc[n] == '\0';
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

/* "HTTP/1." DIGIT: the only versions a gateway speaks on the wire here. */
static int
version(struct cur *c, struct http_head *h, const char *noline,
    const char *err)
{
	int r;

	h->version_major = 1;
	if ((r = lit(c, "HTTP/", h, noline)) <= 0)
		return r;
	if ((r = lit(c, "1.", h, err)) <= 0)
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

	while (c->i < c->n && is_tchar(c->s[c->i]))
		c->i++;
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
		if (!is_te && eq_ci(v + s, e - s, "close"))
			h->conn_close = true;
		if (!is_te && eq_ci(v + s, e - s, "keep-alive"))
			h->conn_keepalive = true;
	}
}

static int
parse_field(struct cur *c, struct http_head *h)
{
	const char *err = "malformed header line";
	const uint8_t *v;
	size_t name, vn;

	/*
	 * A leading space is obs-fold, which a gateway must reject or
	 * rewrite (RFC 9112 5.2): flag it, it is a 502 cause of its own.
	 */
	while (c->i < c->n && is_tchar(c->s[c->i]))
		c->i++;
	if (c->i == c->n)
		return more(c, h, err);
	if (c->i == 0 || c->s[c->i] != ':')
		return bad(h, err);
	name = c->i++;
	for (; c->i < c->n; c->i++)
		if ((c->s[c->i] < 0x20 && c->s[c->i] != '\t') ||
		    c->s[c->i] == 0x7f)
			return bad(h, err);
	if (!c->eol)
		return 0;
	v = c->s + name + 1;
	vn = c->n - name - 1;
	while (vn > 0 && is_ows(v[0]))
		v++, vn--;
	while (vn > 0 && is_ows(v[vn - 1]))
		vn--;
	if (eq_ci(c->s, name, "host")) {
		if (h->is_request && h->host[0] != '\0')
			return bad(h, "duplicate host");	/* RFC 9112 3.2 */
		copy_trunc(h->host, sizeof h->host, v, vn);
	} else if (eq_ci(c->s, name, "content-length")) {
		return content_length(v, vn, h);
	} else if (eq_ci(c->s, name, "transfer-encoding")) {
		token_list(v, vn, true, h);
	} else if (eq_ci(c->s, name, "connection")) {
		token_list(v, vn, false, h);
	}
	return 1;
}

/*
 * Finds the line at pos within lim: 1 with its end, or 0 with what there is
 * of it. A CR just before the LF (or at the cut) is not part of the line.
 */
static int
find_line(const uint8_t *buf, size_t lim, size_t pos, size_t *n,
    size_t *next)
{
	const uint8_t *lf = memchr(buf + pos, '\n', lim - pos);
	size_t end = lf != NULL ? (size_t)(lf - buf) : lim;

	*next = end + 1;
	if (end > pos && buf[end - 1] == '\r')
		end--;
	*n = end - pos;
	return lf != NULL;
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
	size_t pos = 0, next;
	struct cur c;
	bool first = true;
	int r;

	if (resume && h->resume > 0 && h->resume <= lim) {
		pos = h->resume;
		first = false;
	} else {
		memset(h, 0, sizeof *h);
		h->is_request = req;
		h->content_length = -1;
	}
	for (;;) {
		memset(&c, 0, sizeof c);
		c.s = buf + pos;
		c.eol = find_line(buf, lim, pos, &c.n, &next);
		if (c.n > HTTP_LINE_MAX) {
			bad(h, !first ? "header line too long" : req ?
			    "request line too long" : "status line too long");
			h->error_at = first ? 0 : pos;
			return HTTP_INVALID;
		}
		if (first && req && c.eol && c.n == 0) {
			pos = next;	/* RFC 9112 2.2: skip empty lines first */
			continue;
		}
		if (!first && c.eol && c.n == 0) {
			h->head_len = next;
			return HTTP_OK;
		}
		if (first)
			r = req ? parse_request_line(&c, h) :
			    parse_status_line(&c, h);
		else
			r = parse_field(&c, h);
		if (r < 0) {
			h->error_at = first ? 0 : pos;
			return HTTP_INVALID;
		}
		if (!c.eol) {
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

enum http_result
http_parse_more(const uint8_t *buf, size_t len, struct http_head *h)
{
	return parse_head(buf, len, h, h->is_request, true);
}

size_t
http_first_line(const uint8_t *buf, size_t len, char *out, size_t outlen)
{
	size_t n = 0;

	if (outlen == 0)
		return 0;
	while (n < len && n < outlen - 1 && buf[n] != '\r' && buf[n] != '\n')
		n++;
	memcpy(out, buf, n);
	out[n] = '\0';
	return n;
}

/* A host as it may appear in an authority; brackets handled by the caller. */
static bool
host_char(uint8_t c)
{
	return c > ' ' && c < 0x7f && strchr("/?#@[]\\\"<>{}|^`", c) == NULL;
}

/* host[:port] or [v6][:port] in s[0..n); port 0 when absent. */
static bool
split_hostport(const char *s, size_t n, char *host, size_t hostlen,
    uint16_t *port)
{
	const char *h, *colon = NULL;
	size_t hn, i;
	unsigned long p = 0;

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
		if (hn == 0)
			return false;
		for (i = 0; i < hn; i++)
			if (!host_char((uint8_t)h[i]) || h[i] == ':')
				return false;
	}
	if (colon != NULL) {
		/* An empty port means the default (RFC 3986 3.2.3). */
		for (i = (size_t)(colon - s) + 1; i < n; i++) {
			if (!is_digit((uint8_t)s[i]) || (p = p * 10 +
			    (unsigned long)(s[i] - '0')) > 65535)
				return false;
		}
		*port = (uint16_t)p;
	}
	if (hn >= hostlen)
		return false;
	for (i = 0; i < hn; i++)
		host[i] = (char)to_lower((uint8_t)h[i]);
	host[hn] = '\0';
	return true;
}

bool
http_split_authority(const char *auth, char *host, size_t hostlen,
    uint16_t *port)
{
	if (strstr(auth, "://") != NULL)
		return http_url_host(auth, host, hostlen, port);
	return split_hostport(auth, strlen(auth), host, hostlen, port);
}

bool
http_url_host(const char *url, char *host, size_t hostlen, uint16_t *port)
{
	const char *sep = strstr(url, "://"), *a, *at;
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
