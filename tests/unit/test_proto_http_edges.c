/*
 * test_proto_http_edges.c: HTTP/1.x heads at their edges: token lists with
 * odd spacing, field values with every control byte at every position of
 * the word-at-a-time scan, start lines at each boundary, the errors each
 * case reports and where.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit_guard.h"
#include "proto/http.h"

static struct http_head H;
static struct unit_guard G;	/* room for the longest input here */

/* Parses s (n bytes) placed right before an inaccessible page. */
static enum http_result
parse_n(bool req, const char *s, size_t n)
{
	const uint8_t *d = unit_guard_put(&G, s, n);
	enum http_result r = req ? http_parse_request(d, n, &H) :
	    http_parse_response(d, n, &H);

	if (r == HTTP_INVALID)
		assert_non_null(H.error);
	return r;
}

static enum http_result
req(const char *s)
{
	return parse_n(true, s, strlen(s));
}

static enum http_result
resp(const char *s)
{
	return parse_n(false, s, strlen(s));
}

/* One request whose only field is "name: value". */
static enum http_result
req_field(const char *name, const char *value)
{
	char buf[512];

	snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\n%s: %s\r\n\r\n", name,
	    value);
	return req(buf);
}

/*
 * Transfer-Encoding and Connection are comma-separated lists whose
 * elements may carry spaces and tabs around them and empty elements
 * between commas (RFC 9110 5.6.1); matching is case-insensitive and exact.
 */
static void
test_token_lists(void **state)
{
	static const struct {
		const char *v;
		bool hit;
	} te[] = {
		{ "chunked", true }, { "Chunked", true }, { "CHUNKED", true },
		{ "gzip, chunked", true }, { "chunked , gzip", true },
		{ "chunked\t,x", true }, { "gzip ,chunked", true },
		{ ",,chunked,,", true }, { " , chunked \t , ", true },
		{ "chunked  ,", true }, { "a ,  chunked  , b", true },
		{ "chunkedx", false }, { "xchunked", false }, { "chunke", false },
		{ "chunk ed", false }, { "gzip", false }, { "", false },
		{ "chunked;q=1", false }, { ",", false }, { "close", false },
	};
	static const struct {
		const char *v;
		bool close, keep;
	} conn[] = {
		{ "close", true, false }, { "Close ,x", true, false },
		{ "x ,close", true, false }, { "close\t, keep-alive", true, true },
		{ "keep-alive ,", false, true }, { "Keep-Alive", false, true },
		{ "upgrade, close  ", true, false }, { "closed", false, false },
		{ "keep-alive2", false, false }, { "c lose", false, false },
		{ "chunked", false, false }, { "eep-alive", false, false },
		{ "clos", false, false }, { "keep-aliv", false, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof te / sizeof te[0]; i++) {
		assert_int_equal(req_field("Transfer-Encoding", te[i].v), HTTP_OK);
		if (H.chunked != te[i].hit)
			fail_msg("Transfer-Encoding: %s", te[i].v);
		assert_false(H.conn_close);
		assert_false(H.conn_keepalive);
	}
	for (i = 0; i < sizeof conn / sizeof conn[0]; i++) {
		assert_int_equal(req_field("connection", conn[i].v), HTTP_OK);
		if (H.conn_close != conn[i].close ||
		    H.conn_keepalive != conn[i].keep)
			fail_msg("Connection: %s", conn[i].v);
		assert_false(H.chunked);
	}
}

/*
 * A field value may hold HTAB, SP, visible ASCII and obs-text (0x80-0xff);
 * any other control byte, or DEL, anywhere in it makes the line invalid.
 * Each byte is tried at each position of values up to 20 bytes long, so
 * every lane of the 8-byte scan and the byte-wise tail see it.
 */
static void
test_field_value_bytes(void **state)
{
	char v[32], line[96];
	size_t len, at, n;
	unsigned c;
	bool ok;

	(void)state;
	for (c = 0; c < 256; c++) {
		if (c == '\r' || c == '\n')
			continue;	/* those end the line */
		ok = c == '\t' || (c >= 0x20 && c != 0x7f);
		for (len = 1; len <= 20; len++) {
			for (at = 0; at < len; at++) {
				memset(v, 'v', len);
				v[at] = (char)c;
				n = (size_t)snprintf(line, sizeof line,
				    "GET / HTTP/1.1\r\nX-A:");
				memcpy(line + n, v, len);
				n += len;
				memcpy(line + n, "\r\n\r\n", 4);
				n += 4;
				if ((parse_n(true, line, n) == HTTP_OK) != ok)
					fail_msg("byte 0x%02x at %zu of %zu", c,
					    at, len);
				if (!ok) {
					assert_string_equal(H.error,
					    "malformed header line");
					assert_int_equal(H.error_at, 16);
				}
			}
		}
	}
}

/* The Host value, OWS trimmed on both sides; duplicates in requests. */
static void
test_host_field(void **state)
{
	(void)state;
	assert_int_equal(req_field("Host", " \t a.example:80 \t "), HTTP_OK);
	assert_string_equal(H.host, "a.example:80");
	assert_int_equal(req_field("HOST", "b"), HTTP_OK);
	assert_string_equal(H.host, "b");
	assert_int_equal(req_field("Host", ""), HTTP_OK);
	assert_string_equal(H.host, "");
	assert_int_equal(req_field("Hosts", "c"), HTTP_OK);
	assert_string_equal(H.host, "");
	assert_int_equal(req_field("Hos", "c"), HTTP_OK);
	assert_string_equal(H.host, "");
	assert_int_equal(req("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"),
	    HTTP_INVALID);
	assert_string_equal(H.error, "duplicate host");
	assert_int_equal(H.error_at, 25);
	/* an empty first Host is no Host: the second one is taken */
	assert_int_equal(req("GET / HTTP/1.1\r\nHost:\r\nHost: b\r\n\r\n"),
	    HTTP_OK);
	assert_string_equal(H.host, "b");
	/* a response may repeat whatever it likes: the first is kept? no,
	 * the last one read is what it said last */
	assert_int_equal(resp("HTTP/1.1 200 OK\r\nHost: a\r\nHost: b\r\n\r\n"),
	    HTTP_OK);
	assert_string_equal(H.host, "b");
	/* a value longer than the copy is cut, not rejected */
	{
		char big[400];

		memset(big, 'h', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		assert_int_equal(req_field("Host", big), HTTP_OK);
		assert_int_equal(strlen(H.host), HTTP_HOST_MAX - 1);
	}
}

/* Content-Length: lists of one value, overflow, disagreements. */
static void
test_content_length_edges(void **state)
{
	(void)state;
	assert_int_equal(req_field("Content-Length", "0"), HTTP_OK);
	assert_int_equal(H.content_length, 0);
	assert_int_equal(req_field("content-length", " 7 ,\t7 , 7"), HTTP_OK);
	assert_int_equal(H.content_length, 7);
	assert_int_equal(req_field("Content-Length", "7 \t "), HTTP_OK);
	assert_int_equal(H.content_length, 7);
	assert_int_equal(req_field("Content-Length", "9223372036854775807"),
	    HTTP_OK);
	assert_int_equal(H.content_length, INT64_MAX);
	assert_int_equal(req_field("Content-Length", "9223372036854775808"),
	    HTTP_INVALID);
	assert_string_equal(H.error, "bad content-length");
	assert_int_equal(req_field("Content-Length", "0, 1"), HTTP_INVALID);
	assert_string_equal(H.error, "conflicting content-length");
	assert_int_equal(req_field("Content-Length", "1, 0"), HTTP_INVALID);
	assert_string_equal(H.error, "conflicting content-length");
	assert_int_equal(req_field("Content-Length", "5,"), HTTP_INVALID);
	assert_string_equal(H.error, "bad content-length");
	assert_int_equal(req_field("Content-Length", ",5"), HTTP_INVALID);
	assert_string_equal(H.error, "bad content-length");
	assert_int_equal(req_field("Content-Length", "5 6"), HTTP_INVALID);
	assert_string_equal(H.error, "bad content-length");
	assert_int_equal(req_field("Content-Length", "+5"), HTTP_INVALID);
	assert_int_equal(req_field("Content-Length", ""), HTTP_INVALID);
	assert_string_equal(H.error, "bad content-length");
	assert_int_equal(req_field("Content-Length", "/"), HTTP_INVALID);
	assert_int_equal(req_field("Content-Length", ":"), HTTP_INVALID);
	/* two fields: equal is one value, different is smuggling */
	assert_int_equal(req("GET / HTTP/1.1\r\nContent-Length: 0\r\n"
	    "Content-Length: 0\r\n\r\n"), HTTP_OK);
	assert_int_equal(H.content_length, 0);
	assert_int_equal(req("GET / HTTP/1.1\r\nContent-Length: 0\r\n"
	    "Content-Length: 3\r\n\r\n"), HTTP_INVALID);
	assert_string_equal(H.error, "conflicting content-length");
	assert_int_equal(H.error_at, 35);
	/* a name of the same length is not Content-Length */
	assert_int_equal(req_field("Content-Lengtx", "zz"), HTTP_OK);
	assert_int_equal(H.content_length, -1);
}

/*
 * Request lines: the method is a token of at most HTTP_METHOD_MAX - 1
 * bytes followed by one SP; the target is visible ASCII up to one SP; then
 * "HTTP/1." DIGIT and the line end. Errors are reported at offset 0.
 */
static void
test_request_line_edges(void **state)
{
	static const char *const bad_lines[] = {
		"GET  HTTP/1.1\r\n\r\n", "GET / HTTP/1.1 \r\n\r\n",
		"GET / HTTP/1.1x\r\n\r\n", "GET\t/ HTTP/1.1\r\n\r\n",
		"GET /\x7f HTTP/1.1\r\n\r\n", "GET /\x01 HTTP/1.1\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n", "GET / HTTP/3", "GET / HTTP/1.a\r\n\r\n",
		"GET / http/1.1\r\n\r\n", "GET / HTTP/11\r\n\r\n",
		"GET / HTTP/1.1\r\r\n\r\n", "GET /\tHTTP/1.1\r\n\r\n",
		"GET\r\n\r\n", "G\r\n\r\n", "GET /\r\n\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++) {
		if (req(bad_lines[i]) != HTTP_INVALID)
			fail_msg("accepted %s", bad_lines[i]);
		assert_string_equal(H.error, "malformed request line");
		assert_int_equal(H.error_at, 0);
	}
	assert_int_equal(req(" GET / HTTP/1.1\r\n\r\n"), HTTP_INVALID);
	assert_string_equal(H.error, "no request line");
	assert_int_equal(req("\r\n\r\n\r\n"), HTTP_INCOMPLETE);
	assert_int_equal(req("\n"), HTTP_INCOMPLETE);
	assert_int_equal(req("\r\n\r\nGET / HTTP/1.0\r\n\r\n"), HTTP_OK);
	assert_int_equal(H.version_major, 1);
	assert_int_equal(H.version_minor, 0);
	assert_int_equal(H.head_len, 4 + 16 + 2);
	assert_string_equal(H.method, "GET");
	/* incomplete at each part */
	assert_int_equal(req("G"), HTTP_INCOMPLETE);
	assert_int_equal(req("GET"), HTTP_INCOMPLETE);
	assert_int_equal(req("GET "), HTTP_INCOMPLETE);
	assert_int_equal(req("GET /x"), HTTP_INCOMPLETE);
	assert_int_equal(req("GET /x "), HTTP_INCOMPLETE);
	assert_int_equal(req("GET /x HTTP/1."), HTTP_INCOMPLETE);
	assert_int_equal(req("GET /x HTTP/1.1"), HTTP_INCOMPLETE);
	assert_int_equal(req("GET /x HTTP/1.1\r"), HTTP_INCOMPLETE);
	assert_int_equal(req("GET /x HTTP/1.1\r\n"), HTTP_INCOMPLETE);
	assert_int_equal(req("GET /x HTTP/1.1\r\n\r"), HTTP_INCOMPLETE);
	assert_int_equal(req("GET /x HTTP/1.1\r\nA"), HTTP_INCOMPLETE);
	assert_int_equal(req("GET /x HTTP/1.1\r\nA:"), HTTP_INCOMPLETE);
	assert_int_equal(req("GET /x HTTP/1.1\r\nA: b"), HTTP_INCOMPLETE);
	assert_int_equal(req("GET /x HTTP/1.1\r\nA: b\r\n"), HTTP_INCOMPLETE);
	/* the target: exactly the copy's room, and one byte more */
	{
		char *buf = malloc(HTTP_TARGET_MAX + 64);
		size_t n;

		assert_non_null(buf);
		buf[0] = 'G'; buf[1] = 'E'; buf[2] = 'T'; buf[3] = ' ';
		buf[4] = '/';
		memset(buf + 5, 't', HTTP_TARGET_MAX - 2);
		n = 4 + HTTP_TARGET_MAX - 1;
		memcpy(buf + n, " HTTP/1.1\n\n", 11);
		assert_int_equal(parse_n(true, buf, n + 11), HTTP_OK);
		assert_false(H.target_truncated);
		assert_int_equal(strlen(H.target), HTTP_TARGET_MAX - 1);
		buf[n] = 't';
		memcpy(buf + n + 1, " HTTP/1.1\n\n", 11);
		assert_int_equal(parse_n(true, buf, n + 12), HTTP_OK);
		assert_true(H.target_truncated);
		assert_int_equal(strlen(H.target), HTTP_TARGET_MAX - 1);
		free(buf);
	}
}

/* The request-target's four forms (RFC 9112 3.2). */
static void
test_target_forms(void **state)
{
	static const struct {
		const char *line;
		int form;		/* -1: invalid */
	} c[] = {
		{ "GET / HTTP/1.1", HTTP_FORM_ORIGIN },
		{ "GET /* HTTP/1.1", HTTP_FORM_ORIGIN },
		{ "OPTIONS * HTTP/1.1", HTTP_FORM_ASTERISK },
		{ "OPTIONS ** HTTP/1.1", -1 },
		{ "OPTIONS *x HTTP/1.1", -1 },
		{ "GET http://a/ HTTP/1.1", HTTP_FORM_ABSOLUTE },
		{ "GET a:// HTTP/1.1", HTTP_FORM_ABSOLUTE },
		{ "GET Z9+-.://x HTTP/1.1", HTTP_FORM_ABSOLUTE },
		{ "GET z://x HTTP/1.1", HTTP_FORM_ABSOLUTE },
		{ "GET A://x HTTP/1.1", HTTP_FORM_ABSOLUTE },
		{ "GET a:/ HTTP/1.1", -1 },
		{ "GET a:/x HTTP/1.1", -1 },
		{ "GET a:x/ HTTP/1.1", -1 },
		{ "GET a: HTTP/1.1", -1 },
		{ "GET a HTTP/1.1", -1 },
		{ "GET ://x HTTP/1.1", -1 },
		{ "GET 9a://x HTTP/1.1", -1 },
		{ "GET +a://x HTTP/1.1", -1 },
		{ "GET @a://x HTTP/1.1", -1 },
		{ "GET [a://x HTTP/1.1", -1 },
		{ "GET `a://x HTTP/1.1", -1 },
		{ "GET {a://x HTTP/1.1", -1 },
		{ "GET a_b://x HTTP/1.1", -1 },
		{ "GET a/b://x HTTP/1.1", -1 },
		{ "GET a.example:443 HTTP/1.1", -1 },
		{ "CONNECT a.example:443 HTTP/1.1", HTTP_FORM_AUTHORITY },
		{ "CONNECT / HTTP/1.1", HTTP_FORM_AUTHORITY },
		{ "CONNECTX a:1 HTTP/1.1", -1 },
	};
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		snprintf(buf, sizeof buf, "%s\r\n\r\n", c[i].line);
		if (c[i].form < 0) {
			if (req(buf) != HTTP_INVALID)
				fail_msg("accepted %s", c[i].line);
			assert_string_equal(H.error, "malformed request target");
			assert_int_equal(H.error_at, 0);
			continue;
		}
		if (req(buf) != HTTP_OK)
			fail_msg("rejected %s", c[i].line);
		if ((int)H.form != c[i].form)
			fail_msg("form of %s", c[i].line);
	}
}

/* Status lines: three digits from 100, an optional reason shown safely. */
static void
test_status_line_edges(void **state)
{
	static const char *const bad_lines[] = {
		"HTTP/1.1 099 x\r\n\r\n", "HTTP/1.1 000\r\n\r\n",
		"HTTP/1.1 20\r\n\r\n", "HTTP/1.1 2000\r\n\r\n",
		"HTTP/1.1 20x\r\n\r\n", "HTTP/1.1  200\r\n\r\n",
		"HTTP/1.1 200\tOK\r\n\r\n", "HTTP/1.2a 200\r\n\r\n",
		"HTTP/2 200\r\n\r\n", "HTTP/1.1\r\n\r\n",
	};
	size_t i;
	char buf[128];

	(void)state;
	for (i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++) {
		if (resp(bad_lines[i]) != HTTP_INVALID)
			fail_msg("accepted %s", bad_lines[i]);
		assert_string_equal(H.error, "malformed status line");
		assert_int_equal(H.error_at, 0);
	}
	assert_int_equal(resp("HTTX/1.1 200\r\n\r\n"), HTTP_INVALID);
	assert_string_equal(H.error, "no status line");
	assert_int_equal(resp("\r\nHTTP/1.1 200\r\n\r\n"), HTTP_INVALID);
	assert_string_equal(H.error, "no status line");
	assert_int_equal(resp("HTTP/1.1 100\r\n\r\n"), HTTP_OK);
	assert_int_equal(H.status, 100);
	assert_string_equal(H.reason, "");
	assert_int_equal(resp("HTTP/1.1 999 \r\n\r\n"), HTTP_OK);
	assert_int_equal(H.status, 999);
	assert_string_equal(H.reason, "");
	assert_int_equal(resp("HTTP/1.0 502 Bad\x01\x1f \x7e\x7f\x80\xff!\r\n\r\n"),
	    HTTP_OK);
	assert_int_equal(H.version_minor, 0);
	assert_string_equal(H.reason, "Bad?\?\x20~?\?\?!");
	/* any DIGIT.DIGIT: nginx and squid relay "HTTP/2.0 200" as a 200 */
	assert_int_equal(resp("HTTP/2.0 200 OK\r\n\r\n"), HTTP_OK);
	assert_int_equal(H.version_major, 2);
	assert_int_equal(H.status, 200);
	assert_int_equal(resp("HTTP/0.9 204\r\n\r\n"), HTTP_OK);
	assert_int_equal(H.version_major, 0);
	assert_int_equal(H.version_minor, 9);
	assert_int_equal(resp("HTTP/2"), HTTP_INCOMPLETE);
	assert_int_equal(resp("HTTP/2."), HTTP_INCOMPLETE);
	assert_int_equal(resp("HTTP/x.1 200\r\n\r\n"), HTTP_INVALID);
	assert_string_equal(H.error, "malformed status line");
	assert_int_equal(resp("HTTP/2.x 200\r\n\r\n"), HTTP_INVALID);
	assert_string_equal(H.error, "malformed status line");
	/* incomplete at each part */
	assert_int_equal(resp("H"), HTTP_INCOMPLETE);
	assert_int_equal(resp("HTTP/1.1"), HTTP_INCOMPLETE);
	assert_int_equal(resp("HTTP/1.1 "), HTTP_INCOMPLETE);
	assert_int_equal(resp("HTTP/1.1 50"), HTTP_INCOMPLETE);
	assert_int_equal(resp("HTTP/1.1 502"), HTTP_INCOMPLETE);
	assert_int_equal(resp("HTTP/1.1 502 Bad"), HTTP_INCOMPLETE);
	assert_int_equal(resp("HTTP/1.1 502 Bad\r\n"), HTTP_INCOMPLETE);
	/* a reason longer than the copy is cut to fit */
	memset(buf, 'r', sizeof buf);
	memcpy(buf, "HTTP/1.1 200 ", 13);
	memcpy(buf + 13 + 100, "\r\n\r\n", 4);
	assert_int_equal(parse_n(false, buf, 13 + 104), HTTP_OK);
	assert_int_equal(strlen(H.reason), HTTP_REASON_MAX - 1);
	memcpy(buf + 13 + HTTP_REASON_MAX - 1, "\r\n\r\n", 4);
	assert_int_equal(parse_n(false, buf, 13 + HTTP_REASON_MAX + 3), HTTP_OK);
	assert_int_equal(strlen(H.reason), HTTP_REASON_MAX - 1);
}

/* Field lines that are not "token: value" and where they are reported. */
static void
test_field_lines(void **state)
{
	static const char *const bad_fields[] = {
		": v", " X: v", "\tX: v", "X v", "X :v", "X", "X@: v", "[: v",
		"X:\x7fv", "X: v\rw",
	};
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad_fields / sizeof bad_fields[0]; i++) {
		snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nA: b\r\n%s\r\n\r\n",
		    bad_fields[i]);
		if (req(buf) != HTTP_INVALID)
			fail_msg("accepted %s", bad_fields[i]);
		assert_string_equal(H.error, "malformed header line");
		assert_int_equal(H.error_at, 22);
	}
	/* LF-only line ends, an empty value, a value of OWS only */
	assert_int_equal(req("GET / HTTP/1.1\nA:\nB: \t\nC:c\n\n"), HTTP_OK);
	assert_int_equal(H.head_len, 28);
	/* a CR right before the LF ends the line; the body is not the head */
	assert_int_equal(req("GET / HTTP/1.1\r\n\r\nX: \x01"), HTTP_OK);
	assert_int_equal(H.head_len, 18);
	/* responses: no empty lines before the status line */
	assert_int_equal(resp("HTTP/1.1 204 No Content\n\nbody"), HTTP_OK);
	assert_int_equal(H.head_len, 25);
}

/* The line limits hold for status lines too, with their own message. */
static void
test_status_line_limit(void **state)
{
	char *buf = malloc(HTTP_LINE_MAX + 64);
	size_t n;

	(void)state;
	assert_non_null(buf);
	memcpy(buf, "HTTP/1.1 200 ", 13);
	memset(buf + 13, 'r', HTTP_LINE_MAX - 13);
	n = HTTP_LINE_MAX;
	memcpy(buf + n, "\r\n\r\n", 4);
	assert_int_equal(parse_n(false, buf, n + 4), HTTP_OK);
	assert_int_equal(parse_n(false, buf, n), HTTP_INCOMPLETE);
	buf[n] = 'r';
	memcpy(buf + n + 1, "\r\n\r\n", 4);
	assert_int_equal(parse_n(false, buf, n + 5), HTTP_INVALID);
	assert_string_equal(H.error, "status line too long");
	assert_int_equal(H.error_at, 0);
	assert_int_equal(parse_n(false, buf, n + 1), HTTP_INVALID);
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'q', HTTP_LINE_MAX);
	assert_int_equal(parse_n(true, buf, HTTP_LINE_MAX + 1), HTTP_INVALID);
	assert_string_equal(H.error, "request line too long");
	assert_int_equal(parse_n(true, buf, HTTP_LINE_MAX), HTTP_INCOMPLETE);
	free(buf);
}

/* The first line's length: up to CR or LF, within the bytes given. */
static void
test_first_line(void **state)
{
	(void)state;
	assert_int_equal(http_line_text_len((const uint8_t *)"abc", 3), 3);
	assert_int_equal(http_line_text_len((const uint8_t *)"abcdefghij",
	    10), 10);
	assert_int_equal(http_line_text_len((const uint8_t *)"abcdef\n", 7),
	    6);
	assert_int_equal(http_line_text_len((const uint8_t *)"ab\rc\nd", 6),
	    2);
	assert_int_equal(http_line_text_len((const uint8_t *)"ab\nc\rd", 6),
	    2);
	assert_int_equal(http_line_text_len((const uint8_t *)"\r\n", 2), 0);
	assert_int_equal(http_line_text_len((const uint8_t *)"abcdefg\n", 8),
	    7);
	assert_int_equal(http_line_text_len((const uint8_t *)"abcdefgh", 3),
	    3);
	/* a line end past the bytes given does not count */
	assert_int_equal(http_line_text_len((const uint8_t *)"abc\n", 3), 3);
}

/* Authorities and URLs: ports at their limits, brackets, userinfo. */
static void
test_authorities(void **state)
{
	static const struct {
		const char *in;
		const char *host;	/* NULL: rejected */
		unsigned port;
	} c[] = {
		{ "a:65535", "a", 65535 }, { "a:65536", NULL, 0 },
		{ "a:0", "a", 0 }, { "a:", "a", 0 }, { "a", "a", 0 },
		{ ":80", NULL, 0 }, { "", NULL, 0 }, { "a:8x", NULL, 0 },
		{ "a:-1", NULL, 0 }, { "a:1:2", NULL, 0 },
		{ "AZaz09.example", "azaz09.example", 0 },
		{ "[::1]:443", "::1", 443 }, { "[::1]", "::1", 0 },
		{ "[::1]:", "::1", 0 }, { "[]:1", NULL, 0 },
		{ "[::1", NULL, 0 }, { "[::1]x", NULL, 0 },
		{ "[::1]:99999", NULL, 0 }, { "[AbF::9.1]", "abf::9.1", 0 },
		{ "[g::1]", NULL, 0 }, { "[G::1]", NULL, 0 }, { "[/::]", NULL, 0 },
		{ "[@::]", NULL, 0 }, { "[`::]", NULL, 0 },
		{ "http://u:p@h.example:81/x", "h.example", 81 },
		{ "http://a@b@c/", "c", 80 }, { "https://s/", "s", 443 },
		{ "HTTPS://s", "s", 443 }, { "http://s", "s", 80 },
		{ "httpx://s", "s", 80 }, { "ftp://s?q", "s", 80 },
		{ "ws://s#f", "s", 80 }, { "https://s:8443", "s", 8443 },
		{ "https://[::1]/", "::1", 443 }, { "://s", NULL, 0 },
		{ "http:///x", NULL, 0 }, { "http://@/", NULL, 0 },
	};
	char host[16];
	uint16_t port;
	size_t i;
	bool ok;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		port = 7;
		ok = http_split_authority(c[i].in, host, sizeof host, &port);
		if (ok != (c[i].host != NULL))
			fail_msg("%s: %d", c[i].in, ok);
		if (!ok)
			continue;
		assert_string_equal(host, c[i].host);
		if (port != c[i].port)
			fail_msg("%s: port %u", c[i].in, port);
	}
	/* the host must fit with its NUL */
	assert_true(http_split_authority("abcdefghijklmno:1", host, 16, &port));
	assert_false(http_split_authority("abcdefghijklmnop:1", host, 16, &port));
	assert_false(http_split_authority("a", host, 0, &port));
	assert_true(http_url_host("http://abcdefghijklmno/", host, 16, &port));
	assert_false(http_url_host("http://abcdefghijklmnop/", host, 16, &port));
	assert_false(http_url_host("no-scheme", host, 16, &port));
	assert_int_equal(port, 0);
}

/*
 * A field line of exactly HTTP_LINE_MAX bytes is an ordinary line: it is
 * checked and read like any other (only a longer one is "too long").
 */
static void
test_header_line_limit(void **state)
{
	char *buf = malloc(HTTP_LINE_MAX + 64);
	size_t n;

	(void)state;
	assert_non_null(buf);
	n = (size_t)sprintf(buf, "GET / HTTP/1.1\r\n");
	memcpy(buf + n, "Content-Length: 42", 18);
	memset(buf + n + 18, ' ', HTTP_LINE_MAX - 18);
	memcpy(buf + n + HTTP_LINE_MAX, "\r\n\r\n", 4);
	assert_int_equal(parse_n(true, buf, n + HTTP_LINE_MAX + 4), HTTP_OK);
	assert_int_equal(H.content_length, 42);
	/* the same length without a colon: malformed, not skipped */
	memset(buf + n, 'X', HTTP_LINE_MAX);
	assert_int_equal(parse_n(true, buf, n + HTTP_LINE_MAX + 4),
	    HTTP_INVALID);
	assert_string_equal(H.error, "malformed header line");
	assert_int_equal(H.error_at, n);
	/* one byte longer: too long, reported where the line starts */
	memset(buf + n, 'X', HTTP_LINE_MAX + 1);
	memset(&H, 0x5a, sizeof H);
	assert_int_equal(parse_n(true, buf, n + HTTP_LINE_MAX + 1),
	    HTTP_INVALID);
	assert_string_equal(H.error, "header line too long");
	assert_int_equal(H.error_at, n);
	free(buf);
}

/*
 * http_parse_more parses only the lines not yet complete (http.h): lines
 * already read are neither parsed again nor stored again, so bytes before
 * the resume point are not looked at. Shown with a buffer whose complete
 * lines were overwritten (which a caller never does): only a parse that
 * starts over would notice.
 */
static void
test_parse_more_skips_done_lines(void **state)
{
	char buf[96];
	size_t cut, n;

	(void)state;
	n = (size_t)snprintf(buf, sizeof buf,
	    "GET /a HTTP/1.1\r\nHost: h.example\r\nConnection: close\r\n\r\n");
	cut = strlen("GET /a HTTP/1.1\r\nHost: h.example\r\nConn");
	assert_int_equal(http_parse_request((const uint8_t *)buf, cut, &H),
	    HTTP_INCOMPLETE);
	assert_int_equal(H.resume, strlen("GET /a HTTP/1.1\r\nHost: h.example\r\n"));
	memset(buf, '!', H.resume - 2);	/* the done lines, not their ends */
	assert_int_equal(http_parse_more((const uint8_t *)buf, n, &H), HTTP_OK);
	assert_string_equal(H.method, "GET");
	assert_string_equal(H.host, "h.example");
	assert_true(H.conn_close);
	assert_int_equal(H.head_len, n);
	/* a resume point past the bytes given is not resumed from */
	assert_int_equal(http_parse_request((const uint8_t *)"GET / HTTP/1.1\r\n"
	    "A: b\r\nC", 23, &H), HTTP_INCOMPLETE);
	assert_int_equal(H.resume, 22);
	assert_int_equal(http_parse_more((const uint8_t *)"HTTP/1.1 200 OK\r\n\r\n",
	    19, &H), HTTP_INVALID);
	assert_string_equal(H.error, "malformed request line");
}

/*
 * Field names and list tokens match whole and case-insensitively: a name
 * differing only in its first letter is another field; copies hold the
 * bytes exactly when they fit, one byte short of the limit included.
 */
static void
test_names_and_copies(void **state)
{
	char buf[HTTP_TARGET_MAX + 64];
	size_t n;

	(void)state;
	assert_int_equal(req_field("Gost", "x"), HTTP_OK);
	assert_string_equal(H.host, "");
	assert_int_equal(req_field("Xontent-Length", "5"), HTTP_OK);
	assert_int_equal(H.content_length, -1);
	assert_int_equal(req_field("Xransfer-Encoding", "chunked"), HTTP_OK);
	assert_false(H.chunked);
	assert_int_equal(req_field("Xonnection", "close"), HTTP_OK);
	assert_false(H.conn_close);
	assert_int_equal(req_field("Transfer-Encoding", "xhunked"), HTTP_OK);
	assert_false(H.chunked);
	assert_int_equal(req_field("Connection", "xlose, xeep-alive"), HTTP_OK);
	assert_false(H.conn_close);
	assert_false(H.conn_keepalive);
	/* a method of HTTP_METHOD_MAX - 2 and - 1 bytes, whole */
	for (n = HTTP_METHOD_MAX - 2; n < HTTP_METHOD_MAX; n++) {
		memset(buf, 'M', n);
		snprintf(buf + n, 32, " / HTTP/1.1\r\n\r\n");
		assert_int_equal(req(buf), HTTP_OK);
		assert_int_equal(strlen(H.method), n);
		assert_int_equal(H.method[n - 1], 'M');
	}
	/* a target of HTTP_TARGET_MAX - 2 bytes: whole, not truncated */
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'p', HTTP_TARGET_MAX - 3);
	n = 4 + HTTP_TARGET_MAX - 2;
	snprintf(buf + n, 32, " HTTP/1.1\r\n\r\n");
	assert_int_equal(req(buf), HTTP_OK);
	assert_false(H.target_truncated);
	assert_int_equal(strlen(H.target), HTTP_TARGET_MAX - 2);
	/* a host of HTTP_HOST_MAX - 2 bytes */
	memset(buf, 'h', HTTP_HOST_MAX - 2);
	buf[HTTP_HOST_MAX - 2] = '\0';
	assert_int_equal(req_field("Host", buf), HTTP_OK);
	assert_int_equal(strlen(H.host), HTTP_HOST_MAX - 2);
	/* a scheme must start with a letter: "9://" is no absolute form */
	assert_int_equal(req("GET 9://x HTTP/1.1\r\n\r\n"), HTTP_INVALID);
	assert_int_equal(req("GET +://x HTTP/1.1\r\n\r\n"), HTTP_INVALID);
	assert_int_equal(req("GET -://x HTTP/1.1\r\n\r\n"), HTTP_INVALID);
}

/*
 * A bare CR is not a line end: a line that starts with one (not followed
 * by LF) is a malformed line, not an empty line that ends the head or is
 * skipped before the request line.
 */
static void
test_bare_cr_lines(void **state)
{
	(void)state;
	assert_int_equal(req("\r\n\rGET / HTTP/1.1\r\n\r\n"), HTTP_INVALID);
	assert_string_equal(H.error, "no request line");
	assert_int_equal(req("GET / HTTP/1.1\r\n\rX: y\r\n\r\n"), HTTP_INVALID);
	assert_string_equal(H.error, "malformed header line");
	assert_int_equal(H.error_at, 16);
	assert_int_equal(resp("HTTP/1.1 200 OK\r\n\rX: y\r\n\r\n"), HTTP_INVALID);
	assert_int_equal(H.error_at, 17);
	assert_int_equal(req("GET / HTTP/1.1\r\nA: b\r\n\r\r\n"), HTTP_INVALID);
}

/*
 * Every field of the head is set by a parse, whatever the struct held:
 * what was not seen is empty, -1 or false, and error stays NULL unless
 * the result is HTTP_INVALID (the flow layer relies on that).
 */
static void
test_fresh_fields(void **state)
{
	static const char *const resps[] = { "HTTP/1.1 2", "HTTP/1.1 200 OK\r\n\r\n" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		memset(&H, 0x5a, sizeof H);
		assert_int_equal(resp(resps[i]), i == 0 ? HTTP_INCOMPLETE : HTTP_OK);
		assert_string_equal(H.method, "");
		assert_string_equal(H.target, "");
		assert_string_equal(H.host, "");
		assert_false(H.target_truncated);
		assert_int_equal(H.form, HTTP_FORM_ORIGIN);
		assert_int_equal(H.content_length, -1);
		assert_false(H.chunked);
		assert_false(H.conn_close);
		assert_false(H.conn_keepalive);
		assert_null(H.error);
		assert_int_equal(H.error_at, 0);
		assert_int_equal(H.head_len, i == 0 ? 0 : strlen(resps[i]));
		if (i == 0) {
			assert_string_equal(H.reason, "");
			assert_int_equal(H.resume, 0);
		}
	}
	memset(&H, 0x5a, sizeof H);
	assert_int_equal(req("GET / HTTP/1.1\r\n"), HTTP_INCOMPLETE);
	assert_string_equal(H.reason, "");
	assert_int_equal(H.status, 0);
	assert_int_equal(H.head_len, 0);
	assert_null(H.error);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_lists),
		cmocka_unit_test(test_field_value_bytes),
		cmocka_unit_test(test_host_field),
		cmocka_unit_test(test_content_length_edges),
		cmocka_unit_test(test_request_line_edges),
		cmocka_unit_test(test_target_forms),
		cmocka_unit_test(test_status_line_edges),
		cmocka_unit_test(test_field_lines),
		cmocka_unit_test(test_status_line_limit),
		cmocka_unit_test(test_header_line_limit),
		cmocka_unit_test(test_parse_more_skips_done_lines),
		cmocka_unit_test(test_names_and_copies),
		cmocka_unit_test(test_bare_cr_lines),
		cmocka_unit_test(test_fresh_fields),
		cmocka_unit_test(test_first_line),
		cmocka_unit_test(test_authorities),
	};

	int failed;

	unit_guard_init(&G, 2 * HTTP_LINE_MAX);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	unit_guard_free(&G);
	return failed;
}
