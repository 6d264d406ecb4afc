/*
 * parse.c: one access-log line into an alog_rec. Pure: no allocation, no
 * globals; the line is a byte span, every step checks what is left.
 *
 *   Web Gateway  [08/Mar/2013:18:25:57 -0600] "user" [CLIENT] 502 "GET http://h/ HTTP/1.1" …
 *   squid        1286536308.779 180 CLIENT TCP_MISS/200 411 GET http://h/ - HIER_DIRECT/1.2.3.4 text/html
 *   ats          1796149846.810 15084 CLIENT ERR_CONNECT_FAIL/502 453 GET http://h/ - DIRECT/h text/html
 *   CLF          CLIENT - user [10/Oct/2000:13:55:36 -0700] "GET /p HTTP/1.1" 200 2326 ["ref" "ua" …]
 *   haproxy      [syslog prefix] CLIENT:PORT [06/Feb/2009:12:14:14.655] fe be/srv 10/0/30/69/109 200 2750 … "GET /p HTTP/1.1"
 */
#include <string.h>

#include "alog.h"

/* Times stay in 1970..2105, so nanoseconds since 1970 fit an int64_t
 * with room for the differences match.c takes. */
#define MAX_EPOCH_S 4294967295ULL
#define MIN_YEAR 1970
#define MAX_YEAR 2105

/* A cursor over the rest of the line. */
struct cur {
	const char *p;
	size_t n;
};

static void
skip_spaces(struct cur *c)
{
	while (c->n && (*c->p == ' ' || *c->p == '\t')) {
		c->p++;
		c->n--;
	}
}

/* The next blank-separated token; false at the end of the line. */
static bool
token(struct cur *c, const char **tok, size_t *len)
{
	skip_spaces(c);
	*tok = c->p;
	while (c->n && *c->p != ' ' && *c->p != '\t') {
		c->p++;
		c->n--;
	}
	*len = (size_t)(c->p - *tok);
	return *len > 0;
}

/* A "quoted" field (backslash escapes skipped over); the inside. */
static bool
quoted(struct cur *c, const char **s, size_t *len)
{
	skip_spaces(c);
	if (c->n == 0 || *c->p != '"')
		return false;
	c->p++;
	c->n--;
	*s = c->p;
	while (c->n && *c->p != '"') {
		if (*c->p == '\\' && c->n > 1) {
			c->p++;
			c->n--;
		}
		c->p++;
		c->n--;
	}
	if (c->n == 0)
		return false;
	*len = (size_t)(c->p - *s);
	c->p++;
	c->n--;
	return true;
}

/* Decimal digits as an unsigned value; false when none or too many. */
static bool
number(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 18)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static bool
status_code(const char *s, size_t len, uint16_t *out)
{
	uint64_t v;

	if (len == 1 && s[0] == '-') {
		*out = 0;
		return true;
	}
	if (len != 3 || !number(s, len, &v))
		return false;
	*out = (uint16_t)v;	/* 000: nothing sent */
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool
two_digits(const char *s, unsigned max, unsigned *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return false;
	*out = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
	return *out <= max;
}

/*
 * "dd/Mon/yyyy:hh:mm:ss[.mmm][ +zzzz]" (the inside of the brackets) into
 * UTC nanoseconds; a time without zone is taken as UTC (haproxy logs local
 * time: the clock offset absorbs the difference). *res: the resolution.
 */
static bool
clf_time(const char *s, size_t len, int64_t *ns, int64_t *res)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	unsigned d, mo = 0, hh, mm, ss, ms = 0;
	uint64_t y;
	int64_t t;
	size_t i = 20;

	if (len < 20 || s[2] != '/' || s[6] != '/' || s[11] != ':' ||
	    s[14] != ':' || s[17] != ':')
		return false;
	if (!two_digits(s, 31, &d) || d == 0 || !number(s + 7, 4, &y) ||
	    y < MIN_YEAR || y > MAX_YEAR ||
	    !two_digits(s + 12, 23, &hh) || !two_digits(s + 15, 59, &mm) ||
	    !two_digits(s + 18, 60, &ss))
		return false;
	for (unsigned k = 0; k < 12; k++)
		if (memcmp(s + 3, months + 3 * k, 3) == 0)
			mo = k + 1;
	if (mo == 0)
		return false;
	*res = 1000000000LL;
	if (i < len && s[i] == '.') {
		uint64_t frac;

		if (len < i + 4 || !number(s + i + 1, 3, &frac))
			return false;
		ms = (unsigned)frac;
		*res = 1000000LL;
		i += 4;
	}
	t = days_from_civil((int64_t)y, mo, d) * 86400 + hh * 3600 + mm * 60 +
	    ss;
	if (i < len) {
		unsigned zh, zm;
		int sign;

		if (len != i + 6 || s[i] != ' ' || (s[i + 1] != '+' &&
		    s[i + 1] != '-') || !two_digits(s + i + 2, 23, &zh) ||
		    !two_digits(s + i + 4, 59, &zm))
			return false;
		sign = s[i + 1] == '-' ? -1 : 1;
		/* local = UTC + zone */
		t -= sign * (int64_t)(zh * 3600 + zm * 60);
	}
	*ns = t * 1000000000LL + (int64_t)ms * 1000000LL;
	return true;
}

/* "[...]" at the cursor: its time. */
static bool
bracket_time(struct cur *c, int64_t *ns, int64_t *res)
{
	const char *close;

	skip_spaces(c);
	if (c->n < 2 || *c->p != '[')
		return false;
	close = memchr(c->p, ']', c->n);
	if (close == NULL ||
	    !clf_time(c->p + 1, (size_t)(close - c->p - 1), ns, res))
		return false;
	c->n -= (size_t)(close + 1 - c->p);
	c->p = close + 1;
	return true;
}

/* An address, with "::ffff:a.b.c.d" (a dual-stack socket) as IPv4. */
static bool
client_addr(const char *s, size_t len, struct gw_addr *out)
{
	char buf[ADDR_STRLEN];

	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (len > 7 && (strncmp(buf, "::ffff:", 7) == 0 ||
	    strncmp(buf, "::FFFF:", 7) == 0) && strchr(buf + 7, '.'))
		return addr_parse(buf + 7, out);
	return addr_parse(buf, out);
}

/* "METHOD TARGET[ HTTP/x.y]" of a quoted request line. */
static bool
request_line(const char *s, size_t len, struct alog_rec *r)
{
	struct cur c = { s, len };
	const char *proto;
	size_t plen;

	if (!token(&c, &r->method, &r->method_len) ||
	    !token(&c, &r->target, &r->target_len))
		return false;
	if (token(&c, &proto, &plen) && (plen < 5 ||
	    memcmp(proto, "HTTP/", 5) != 0))
		return false;
	for (size_t i = 0; i < r->method_len; i++)
		if (r->method[i] < 'A' || r->method[i] > 'Z')
			return false;
	return true;
}

static void
rec_reset(struct alog_rec *r, enum alog_format f)
{
	memset(r, 0, sizeof *r);
	r->format = (uint8_t)f;
	r->elapsed_ns = -1;
	r->method = r->target = r->server = "";
}

/* [time] "user" [client] status "request" … */
static bool
parse_webgateway(const char *line, size_t len, struct alog_rec *r)
{
	struct cur c = { line, len };
	const char *s, *tok;
	size_t n, tlen;

	rec_reset(r, ALOG_WEBGATEWAY);
	if (!bracket_time(&c, &r->end_ns, &r->resolution_ns) ||
	    !quoted(&c, &s, &n) || !token(&c, &tok, &tlen))
		return false;
	if (client_addr(tok, tlen, &r->client) && !token(&c, &tok, &tlen))
		return false;
	if (!status_code(tok, tlen, &r->status) || !quoted(&c, &s, &n))
		return false;
	return request_line(s, n, r);
}

/*
 * time elapsed client code/status bytes method url user hier/peer type.
 * squid's time is when it answered; Traffic Server's format of the same
 * name (ALOG_ATS, its logging.yaml `squid`: %<cqtq> %<ttms> ...) logs
 * when the request came, so the end is that plus the elapsed time.
 */
static bool
parse_squid(const char *line, size_t len, enum alog_format f,
    struct alog_rec *r)
{
	struct cur c = { line, len };
	const char *tok, *dot, *slash;
	size_t tlen;
	uint64_t sec, msec, el;

	rec_reset(r, f);
	if (!token(&c, &tok, &tlen) || (dot = memchr(tok, '.', tlen)) ==
	    NULL || !number(tok, (size_t)(dot - tok), &sec) ||
	    !number(dot + 1, tlen - (size_t)(dot - tok) - 1, &msec) ||
	    tlen - (size_t)(dot - tok) - 1 != 3 || sec > MAX_EPOCH_S)
		return false;
	r->end_ns = (int64_t)sec * 1000000000LL + (int64_t)msec * 1000000LL;
	r->resolution_ns = 1000000LL;
	if (!token(&c, &tok, &tlen) || !number(tok, tlen, &el) ||
	    el > 100000000000ULL)
		return false;
	r->elapsed_ns = (int64_t)el * 1000000LL;
	if (f == ALOG_ATS)
		r->end_ns += r->elapsed_ns;
	if (!token(&c, &tok, &tlen))
		return false;
	client_addr(tok, tlen, &r->client);	/* may be a name */
	if (!token(&c, &tok, &tlen) || (slash = memchr(tok, '/', tlen)) ==
	    NULL || !status_code(slash + 1, tlen - (size_t)(slash - tok) - 1,
	    &r->status))
		return false;
	if (!token(&c, &tok, &tlen) ||	/* bytes */
	    !token(&c, &r->method, &r->method_len) ||
	    !token(&c, &r->target, &r->target_len))
		return false;
	/* user, then hierarchy/peer: the upstream address it used */
	if (token(&c, &tok, &tlen) && token(&c, &tok, &tlen) &&
	    (slash = memchr(tok, '/', tlen)) != NULL) {
		r->server = slash + 1;
		r->server_len = tlen - (size_t)(slash - tok) - 1;
	}
	return true;
}

/* client ident user [time] "request" status bytes ["referer" "agent" …] */
static bool
parse_clf(const char *line, size_t len, struct alog_rec *r)
{
	struct cur c = { line, len };
	const char *tok, *s;
	size_t tlen, n;

	rec_reset(r, ALOG_CLF);
	if (!token(&c, &tok, &tlen))
		return false;
	client_addr(tok, tlen, &r->client);	/* may be a name */
	if (!token(&c, &tok, &tlen) || !token(&c, &tok, &tlen) ||
	    !bracket_time(&c, &r->end_ns, &r->resolution_ns) ||
	    !quoted(&c, &s, &n) || !request_line(s, n, r) ||
	    !token(&c, &tok, &tlen))
		return false;
	return status_code(tok, tlen, &r->status);
}

/* "a/b/c/d/e": the last value, haproxy's total time Ta (ms); -1 allowed. */
static bool
haproxy_total(const char *s, size_t len, int64_t *ms)
{
	const char *last = memrchr(s, '/', len);
	uint64_t v;
	size_t n;

	if (last == NULL)
		return false;
	last++;
	n = len - (size_t)(last - s);
	if (n && *last == '+') {
		last++;
		n--;
	}
	if (n == 2 && last[0] == '-' && last[1] == '1') {
		*ms = -1;
		return true;
	}
	if (!number(last, n, &v) || v > 100000000000ULL)
		return false;
	*ms = (int64_t)v;
	return true;
}

/* [syslog prefix:] client:port [accept date] fe be/srv timers status … "request" */
static bool
parse_haproxy(const char *line, size_t len, struct alog_rec *r)
{
	struct cur c = { line, len };
	const char *tok, *colon, *s, *q;
	size_t tlen, n;
	uint64_t port;
	int64_t ta;

	rec_reset(r, ALOG_HAPROXY);
	/* the client is the token before the first " [dd/" */
	for (size_t i = 1; i + 5 < len; i++) {
		if (line[i] != ' ' || line[i + 1] != '[' || line[i + 4] != '/')
			continue;
		size_t start = i;

		while (start > 0 && line[start - 1] != ' ')
			start--;
		c.p = line + start;
		c.n = len - start;
		break;
	}
	if (!token(&c, &tok, &tlen) || (colon = memrchr(tok, ':', tlen)) ==
	    NULL || !number(colon + 1, tlen - (size_t)(colon - tok) - 1, &port)
	    || port > 65535 || !client_addr(tok, (size_t)(colon - tok),
	    &r->client))
		return false;
	r->client_port = (uint16_t)port;
	if (!bracket_time(&c, &r->end_ns, &r->resolution_ns) ||
	    !token(&c, &tok, &tlen) || !token(&c, &tok, &tlen) ||
	    !token(&c, &tok, &tlen) || !haproxy_total(tok, tlen, &ta) ||
	    !token(&c, &tok, &tlen) || !status_code(tok, tlen, &r->status))
		return false;
	/* the date is the accept time: the answer went at + Ta */
	if (ta >= 0) {
		r->elapsed_ns = ta * 1000000LL;
		r->end_ns += r->elapsed_ns;
	}
	/* the request line is the last quoted field */
	q = memrchr(c.p, '"', c.n);
	if (q == NULL || q == c.p)
		return false;
	s = memrchr(c.p, '"', (size_t)(q - c.p));
	if (s == NULL)
		return false;
	s++;
	n = (size_t)(q - s);
	return request_line(s, n, r);
}

bool
alog_parse_line(const char *line, size_t len, enum alog_format f,
    struct alog_rec *out)
{
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	switch (f) {
	case ALOG_WEBGATEWAY:
		return parse_webgateway(line, len, out);
	case ALOG_SQUID:
	case ALOG_ATS:
		return parse_squid(line, len, f, out);
	case ALOG_CLF:
		return parse_clf(line, len, out);
	case ALOG_HAPROXY:
		return parse_haproxy(line, len, out);
	case ALOG_AUTO:
	case ALOG_FORMAT_COUNT:
		break;
	}
	/* the first character tells most formats apart cheaply */
	if (len && line[0] == '[')
		return parse_webgateway(line, len, out);
	return parse_squid(line, len, ALOG_SQUID, out) ||
	    parse_clf(line, len, out) ||
	    parse_haproxy(line, len, out);
}

static const char *const format_names[ALOG_FORMAT_COUNT] = {
	NULL, "webgateway", "squid", "clf", "haproxy", "ats"
};

const char *
alog_format_name(enum alog_format f)
{
	return f < ALOG_FORMAT_COUNT ? format_names[f] : NULL;
}

bool
alog_format_parse(const char *name, enum alog_format *out)
{
	static const struct {
		const char *name;
		enum alog_format f;
	} alias[] = {
		{ "webgateway", ALOG_WEBGATEWAY }, { "mwg", ALOG_WEBGATEWAY },
		{ "skyhigh", ALOG_WEBGATEWAY }, { "squid", ALOG_SQUID },
		{ "clf", ALOG_CLF }, { "common", ALOG_CLF },
		{ "combined", ALOG_CLF }, { "nginx", ALOG_CLF },
		{ "apache", ALOG_CLF }, { "mitmproxy", ALOG_CLF },
		{ "haproxy", ALOG_HAPROXY }, { "ats", ALOG_ATS },
		{ "trafficserver", ALOG_ATS }, { "auto", ALOG_AUTO },
	};

	for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
		if (strcmp(name, alias[i].name) == 0) {
			*out = alias[i].f;
			return true;
		}
	return false;
}
