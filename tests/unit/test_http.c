/* test_http.c: HTTP/1.x request and response heads, authorities, URLs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/http.h"

/* Parses from an exact-size heap copy so ASan sees any overread. */
static enum http_result
parse(bool req, const void *s, size_t n, struct http_head *h)
{
	uint8_t *cp = malloc(n ? n : 1);
	enum http_result r;

	assert_non_null(cp);
	memcpy(cp, s, n);
	r = req ? http_parse_request(cp, n, h) : http_parse_response(cp, n, h);
	free(cp);
	if (r == HTTP_INVALID)
		assert_non_null(h->error);
	if (r == HTTP_OK)
		assert_true(h->head_len > 0 && h->head_len <= n);
	return r;
}

static enum http_result
req(const char *s, struct http_head *h)
{
	return parse(true, s, strlen(s), h);
}

static enum http_result
resp(const char *s, struct http_head *h)
{
	return parse(false, s, strlen(s), h);
}

static struct http_head *
new_head(void)
{
	struct http_head *h = malloc(sizeof *h);

	assert_non_null(h);
	return h;
}

static void
test_request_basic(void **state)
{
	static const char r[] = "GET /index.html?q=1 HTTP/1.1\r\n"
	    "Host: Example.com:8080\r\n"
	    "User-Agent: t\r\n"
	    "Connection: Keep-Alive, Upgrade\r\n"
	    "\r\nbody";
	struct http_head *h = new_head();

	(void)state;
	assert_int_equal(req(r, h), HTTP_OK);
	assert_true(h->is_request);
	assert_string_equal(h->method, "GET");
	assert_string_equal(h->target, "/index.html?q=1");
	assert_false(h->target_truncated);
	assert_int_equal(h->form, HTTP_FORM_ORIGIN);
	assert_int_equal(h->version_major, 1);
	assert_int_equal(h->version_minor, 1);
	assert_string_equal(h->host, "Example.com:8080");
	assert_int_equal(h->content_length, -1);
	assert_false(h->chunked);
	assert_true(h->conn_keepalive);
	assert_false(h->conn_close);
	assert_int_equal(h->head_len, strlen(r) - 4);
	assert_null(h->error);
	/* Bare LF, HTTP/1.0, leading empty lines, a POST with a body. */
	assert_int_equal(req("\r\n\nPOST /x HTTP/1.0\nContent-Length:  12 \n"
	    "Transfer-Encoding: gzip,  CHUNKED\nConnection: close\n\n", h),
	    HTTP_OK);
	assert_string_equal(h->method, "POST");
	assert_int_equal(h->version_minor, 0);
	assert_int_equal(h->content_length, 12);
	assert_true(h->chunked);
	assert_true(h->conn_close);
	assert_false(h->conn_keepalive);
	/* Empty header value is fine. */
	assert_int_equal(req("GET / HTTP/1.1\r\nX-Empty:\r\n\r\n", h), HTTP_OK);
	free(h);
}

static void
test_request_forms(void **state)
{
	struct http_head *h = new_head();

	(void)state;
	assert_int_equal(req("GET http://example.com/a HTTP/1.1\r\n\r\n", h),
	    HTTP_OK);
	assert_int_equal(h->form, HTTP_FORM_ABSOLUTE);
	assert_string_equal(h->target, "http://example.com/a");
	assert_int_equal(req("GET HTTPS://example.com HTTP/1.1\r\n\r\n", h),
	    HTTP_OK);
	assert_int_equal(h->form, HTTP_FORM_ABSOLUTE);
	assert_int_equal(req("GET ftp://example.com/ HTTP/1.1\r\n\r\n", h),
	    HTTP_OK);
	assert_int_equal(h->form, HTTP_FORM_ABSOLUTE);
	assert_int_equal(req("CONNECT example.com:443 HTTP/1.1\r\n"
	    "Host: example.com:443\r\n\r\n", h), HTTP_OK);
	assert_int_equal(h->form, HTTP_FORM_AUTHORITY);
	assert_string_equal(h->target, "example.com:443");
	assert_int_equal(req("OPTIONS * HTTP/1.1\r\n\r\n", h), HTTP_OK);
	assert_int_equal(h->form, HTTP_FORM_ASTERISK);
	assert_int_equal(req("GET example.com HTTP/1.1\r\n\r\n", h),
	    HTTP_INVALID);
	assert_int_equal(req("GET ://x HTTP/1.1\r\n\r\n", h), HTTP_INVALID);
	assert_int_equal(req("GET 1http://x HTTP/1.1\r\n\r\n", h),
	    HTTP_INVALID);
	free(h);
}

static void
test_request_invalid(void **state)
{
	static const char *const bad[] = {
		"GET  / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1 \r\n\r\n",
		"G@T / HTTP/1.1\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"GET / http/1.1\r\n\r\n",
		"GET / HTTP/1.x\r\n\r\n",
		"GET / HTTP/1.1x\r\n\r\n",
		"GET /\r\n\r\n",
		"GET\r\n\r\n",
		"GET /a\tb HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
		"GET / HTTP/1.1\r\nName : x\r\n\r\n",
		"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\n: x\r\n\r\n",
		"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
		"GET / HTTP/1.1\r\nA: b\x01\r\n\r\n",
		"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
		"\x16\x03\x01\x02\x00\x01",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	};
	struct http_head *h = new_head();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (req(bad[i], h) != HTTP_INVALID)
			fail_msg("accepted: %s", bad[i]);
	}
	assert_int_equal(req("\x16\x03\x01", h), HTTP_INVALID);
	assert_string_equal(h->error, "no request line");
	assert_int_equal(req("GET / HTTP/1.1\r\nBad Na", h), HTTP_INVALID);
	assert_string_equal(h->error, "malformed header line");
	/* Early: a partial line is already known bad. */
	assert_int_equal(req("GET / HTTP/3", h), HTTP_INVALID);
	assert_int_equal(req("GET  ", h), HTTP_INVALID);
	assert_int_equal(req("GET / HTTP/1.1\r\n folded", h), HTTP_INVALID);
	free(h);
}

static void
test_request_limits(void **state)
{
	struct http_head *h = new_head();
	char *buf;
	size_t n, i;

	(void)state;
	/* Target longer than the copy: truncated, still parsed. */
	buf = malloc(4096);
	assert_non_null(buf);
	n = (size_t)sprintf(buf, "GET /");
	memset(buf + n, 'a', 3000);
	n += 3000;
	n += (size_t)sprintf(buf + n, " HTTP/1.1\r\n\r\n");
	assert_int_equal(parse(true, buf, n, h), HTTP_OK);
	assert_true(h->target_truncated);
	assert_int_equal(strlen(h->target), HTTP_TARGET_MAX - 1);
	assert_int_equal(h->form, HTTP_FORM_ORIGIN);
	/* Method too long. */
	memset(buf, 'M', HTTP_METHOD_MAX);
	sprintf(buf + HTTP_METHOD_MAX, " / HTTP/1.1\r\n\r\n");
	assert_int_equal(req(buf, h), HTTP_INVALID);
	assert_int_equal(parse(true, buf, HTTP_METHOD_MAX, h), HTTP_INVALID);
	sprintf(buf + HTTP_METHOD_MAX - 1, " / HTTP/1.1\r\n\r\n");
	assert_int_equal(req(buf, h), HTTP_OK);
	free(buf);

	/* A 1 MB header line. */
	n = 1 << 20;
	buf = malloc(n);
	assert_non_null(buf);
	i = (size_t)sprintf(buf, "GET / HTTP/1.1\r\nX-Big: ");
	memset(buf + i, 'x', n - i);
	assert_int_equal(parse(true, buf, n, h), HTTP_INVALID);
	assert_string_equal(h->error, "header line too long");
	/* ... and a 1 MB request line. */
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'y', n - 5);
	assert_int_equal(parse(true, buf, n, h), HTTP_INVALID);
	assert_non_null(strstr(h->error, "too long"));
	/* Exactly HTTP_LINE_MAX is fine, one more is not. */
	i = (size_t)sprintf(buf, "GET / HTTP/1.1\r\nX: ");
	memset(buf + i, 'z', HTTP_LINE_MAX - 3);
	i += HTTP_LINE_MAX - 3;
	memcpy(buf + i, "\r\n\r\n", 4);
	assert_int_equal(parse(true, buf, i + 4, h), HTTP_OK);
	assert_int_equal(parse(true, buf, i + 1, h), HTTP_INCOMPLETE);
	buf[i] = 'z';
	memcpy(buf + i + 1, "\r\n\r\n", 4);
	assert_int_equal(parse(true, buf, i + 5, h), HTTP_INVALID);
	assert_string_equal(h->error, "header line too long");
	assert_int_equal(parse(true, buf, i + 1, h), HTTP_INVALID);
	/* Many short lines past HTTP_HEAD_MAX. */
	i = (size_t)sprintf(buf, "GET / HTTP/1.1\r\n");
	while (i < HTTP_HEAD_MAX + 100)
		i += (size_t)sprintf(buf + i, "X-Header: some value\r\n");
	assert_int_equal(parse(true, buf, i, h), HTTP_INVALID);
	assert_string_equal(h->error, "head too long");
	assert_int_equal(parse(true, buf, HTTP_HEAD_MAX - 1, h),
	    HTTP_INCOMPLETE);
	assert_int_equal(parse(true, buf, HTTP_HEAD_MAX, h), HTTP_INVALID);
	free(buf);
	free(h);
}

static void
test_content_length(void **state)
{
	static const struct {
		const char *hdrs;
		int64_t cl;	/* -2: invalid */
	} c[] = {
		{ "Content-Length: 0\r\n", 0 },
		{ "content-length: 1234\r\n", 1234 },
		{ "Content-Length: 42, 42\r\n", 42 },
		{ "Content-Length: 42\r\nContent-Length: 42\r\n", 42 },
		{ "Content-Length: 9223372036854775807\r\n", INT64_MAX },
		{ "Content-Length: 42, 43\r\n", -2 },
		{ "Content-Length: 42\r\nContent-Length: 7\r\n", -2 },
		{ "Content-Length: -1\r\n", -2 },
		{ "Content-Length: +1\r\n", -2 },
		{ "Content-Length: 1e3\r\n", -2 },
		{ "Content-Length: 0x10\r\n", -2 },
		{ "Content-Length: \r\n", -2 },
		{ "Content-Length: 1 2\r\n", -2 },
		{ "Content-Length: 42,\r\n", -2 },
		{ "Content-Length: 9223372036854775808\r\n", -2 },
		{ "Content-Length: 99999999999999999999999999999\r\n", -2 },
	};
	struct http_head *h = new_head();
	char buf[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		snprintf(buf, sizeof buf, "HTTP/1.1 200 OK\r\n%s\r\n", c[i].hdrs);
		if (c[i].cl == -2) {
			assert_int_equal(resp(buf, h), HTTP_INVALID);
			assert_non_null(strstr(h->error, "content-length"));
		} else {
			assert_int_equal(resp(buf, h), HTTP_OK);
			assert_true(h->content_length == c[i].cl);
		}
	}
	free(h);
}

static void
test_response(void **state)
{
	struct http_head *h = new_head();
	char buf[256];

	(void)state;
	assert_int_equal(resp("HTTP/1.1 502 Bad Gateway\r\nServer: x\r\n"
	    "Content-Length: 5\r\nConnection: close\r\n\r\nerror", h), HTTP_OK);
	assert_false(h->is_request);
	assert_int_equal(h->status, 502);
	assert_string_equal(h->reason, "Bad Gateway");
	assert_int_equal(h->content_length, 5);
	assert_true(h->conn_close);
	assert_int_equal(h->head_len, strlen("HTTP/1.1 502 Bad Gateway\r\n"
	    "Server: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\n"));
	assert_int_equal(resp("HTTP/1.0 204\r\n\r\n", h), HTTP_OK);
	assert_int_equal(h->status, 204);
	assert_string_equal(h->reason, "");
	assert_int_equal(h->version_minor, 0);
	assert_int_equal(resp("HTTP/1.1 200 \n\n", h), HTTP_OK);
	assert_int_equal(resp("HTTP/1.1 999 Odd\r\n\r\n", h), HTTP_OK);
	assert_int_equal(h->status, 999);
	/* Control and non-ASCII bytes in the reason are masked. */
	assert_int_equal(resp("HTTP/1.1 200 O\x01K\t\xff\r\n\r\n", h), HTTP_OK);
	assert_string_equal(h->reason, "O?K??");
	/* A long reason is truncated. */
	snprintf(buf, sizeof buf, "HTTP/1.1 200 %0100d\r\n\r\n", 0);
	assert_int_equal(resp(buf, h), HTTP_OK);
	assert_int_equal(strlen(h->reason), HTTP_REASON_MAX - 1);
	free(h);
}

static void
test_response_invalid(void **state)
{
	static const char *const bad[] = {
		"HTTP/1.1 20x OK\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n",
		"HTTP/1.1 099 Low\r\n\r\n",
		"HTTP/1.1  200 OK\r\n\r\n",
		"HTTP/1.1 20\r\n\r\n",
		"HTTP/2 200\r\n\r\n",
		"HTTP/1.1\r\n\r\n",
		"ICY 200 OK\r\n\r\n",
		"\r\nHTTP/1.1 200 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBad header\r\n\r\n",
		"HTTP/1.1 200 OK\r\n\tfolded\r\n\r\n",
	};
	struct http_head *h = new_head();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (resp(bad[i], h) != HTTP_INVALID)
			fail_msg("accepted: %s", bad[i]);
	/* Garbage is spotted within the first bytes. */
	assert_int_equal(resp("<", h), HTTP_INVALID);
	assert_string_equal(h->error, "no status line");
	assert_int_equal(resp("<html>", h), HTTP_INVALID);
	assert_int_equal(resp("HTTP/1.1 200 OK\r\nBad header", h),
	    HTTP_INVALID);
	assert_string_equal(h->error, "malformed header line");
	assert_int_equal(resp("HTTP/1.1 20x", h), HTTP_INVALID);
	assert_string_equal(h->error, "malformed status line");
	assert_int_equal(resp("HTTP/1.2", h), HTTP_INCOMPLETE);
	assert_int_equal(resp("HTTP/1.1 2", h), HTTP_INCOMPLETE);
	assert_int_equal(resp("HTTP/1.1 200", h), HTTP_INCOMPLETE);
	assert_int_equal(resp("HTTP/1.1 200 OK\r", h), HTTP_INCOMPLETE);
	assert_int_equal(resp("HTTP/1.1 200 OK\r\nA", h), HTTP_INCOMPLETE);
	assert_int_equal(resp("HTTP/1.1 200 OK\r\nA: b\r\n\r", h),
	    HTTP_INCOMPLETE);
	assert_int_equal(resp("", h), HTTP_INCOMPLETE);
	free(h);
}

/* RFC 9110 5.6.2 tchar, spelled out independently of the parser. */
static bool
ref_tchar(unsigned c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') ||
	    (c != 0 && strchr("!#$%&'*+-.^_`|~", (int)c) != NULL);
}

/*
 * Each byte value in a method, a field name, a host and an IPv6 literal:
 * accepted exactly when the grammar allows it, hosts folded to lower case.
 */
static void
test_byte_classes(void **state)
{
	struct http_head *h = new_head();
	char line[64], host[64], want[8];
	uint16_t port;
	unsigned c;
	bool ok;

	(void)state;
	for (c = 0; c < 256; c++) {
		memcpy(line, "GxT / HTTP/1.1\r\n\r\n", 19);
		line[1] = (char)c;
		if ((parse(true, line, 19, h) == HTTP_OK) != ref_tchar(c))
			fail_msg("method byte 0x%02x", c);
		memcpy(line, "GET / HTTP/1.1\r\nXxy: v\r\n\r\n", 27);
		line[17] = (char)c;
		ok = ref_tchar(c) || c == ':';
		if ((parse(true, line, 27, h) == HTTP_OK) != ok)
			fail_msg("field-name byte 0x%02x", c);
		if (c == 0)
			continue;
		snprintf(line, sizeof line, "A%cz:81", (int)c);
		ok = c > ' ' && c < 0x7f && c != ':' &&
		    strchr("/?#@[]\\\"<>{}|^`", (int)c) == NULL;
		if (http_split_authority(line, host, sizeof host, &port) != ok)
			fail_msg("host byte 0x%02x", c);
		if (ok) {
			snprintf(want, sizeof want, "a%cz",
			    c >= 'A' && c <= 'Z' ? (int)c + 32 : (int)c);
			assert_string_equal(host, want);
			assert_int_equal(port, 81);
		}
		snprintf(line, sizeof line, "[1%c]:82", (int)c);
		ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F') || c == ':' || c == '.';
		if (http_split_authority(line, host, sizeof host, &port) != ok)
			fail_msg("IPv6 literal byte 0x%02x", c);
	}
	free(h);
}

/* Each part of a first line, ended early by the line end: invalid. */
static void
test_cut_lines(void **state)
{
	static const char *const reqs[] = {
		"GET / HTTP/1.\r\n\r\n", "GET / HTTP/1\r\n\r\n",
		"GET / HTTP/\r\n\r\n", "GET / H\r\n\r\n", "GET / \r\n\r\n",
	};
	static const char *const resps[] = {
		"HTTP/1.1 \r\n\r\n", "HTTP/1.1 2\r\n\r\n", "HTTP/1.\r\n\r\n",
		"HTTP/\r\n\r\n", "HT\r\n\r\n",
	};
	struct http_head *h = new_head();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
		if (req(reqs[i], h) != HTTP_INVALID)
			fail_msg("accepted: %s", reqs[i]);
		assert_string_equal(h->error, "malformed request line");
	}
	for (i = 0; i < sizeof resps / sizeof resps[0]; i++) {
		if (resp(resps[i], h) != HTTP_INVALID)
			fail_msg("accepted: %s", resps[i]);
		assert_non_null(h->error);
	}
	free(h);
}

/*
 * http_parse_more goes on from the first incomplete field line: the lines
 * before it are not parsed again, what they stored is kept, and the head
 * completes exactly as a parse of the whole would.
 */
static void
test_parse_more(void **state)
{
	static const char whole[] = "GET /x HTTP/1.1\r\nHost: a.example\r\n"
	    "Content-Length: 3\r\n\r\nabc";
	struct http_head *h = new_head();
	size_t cut, first_field = strlen("GET /x HTTP/1.1\r\n");

	(void)state;
	for (cut = first_field + 1; cut < sizeof whole - 1 - 3; cut++) {
		assert_int_equal(http_parse_request((const uint8_t *)whole, cut,
		    h), HTTP_INCOMPLETE);
		assert_true(h->resume >= first_field && h->resume <= cut);
		assert_int_equal(http_parse_more((const uint8_t *)whole,
		    sizeof whole - 1, h), HTTP_OK);
		assert_string_equal(h->method, "GET");
		assert_string_equal(h->target, "/x");
		assert_string_equal(h->host, "a.example");
		assert_int_equal(h->content_length, 3);
		assert_int_equal(h->head_len, sizeof whole - 1 - 3);
	}
	/* Cut inside the request line: nothing to resume from, parsed whole. */
	assert_int_equal(http_parse_request((const uint8_t *)whole, 5, h),
	    HTTP_INCOMPLETE);
	assert_int_equal(h->resume, 0);
	assert_int_equal(http_parse_more((const uint8_t *)whole,
	    sizeof whole - 1, h), HTTP_OK);
	assert_string_equal(h->host, "a.example");
	free(h);
}

/* Every proper prefix of a valid head is INCOMPLETE, the whole is OK. */
static void
test_prefixes(void **state)
{
	static const char *const reqs[] = {
		"\r\nGET http://[2001:db8::1]:8080/p HTTP/1.1\r\nHost: h\r\n"
		    "Content-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n",
		"CONNECT a:443 HTTP/1.0\n\n",
	};
	static const char *const resps[] = {
		"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n"
		    "Content-Length: 0\r\n\r\n",
		"HTTP/1.0 200\n\n",
	};
	struct http_head *h = new_head();
	size_t i, n, len;

	(void)state;
	for (i = 0; i < 4; i++) {
		bool isreq = i < 2;
		const char *s = isreq ? reqs[i] : resps[i - 2];

		len = strlen(s);
		for (n = 0; n < len; n++)
			if (parse(isreq, s, n, h) != HTTP_INCOMPLETE)
				fail_msg("prefix %zu of %s: %s", n, s,
				    h->error ? h->error : "ok");
		assert_int_equal(parse(isreq, s, len, h), HTTP_OK);
		assert_int_equal(h->head_len, len);
	}
	free(h);
}

static void
test_first_line(void **state)
{
	(void)state;
	assert_int_equal(http_line_text_len((const uint8_t *)
	    "GET / HTTP/1.1\r\nX", 17), 14);
	assert_int_equal(http_line_text_len((const uint8_t *)"abc\ndef", 7),
	    3);
	/* no line end: all of it, within len */
	assert_int_equal(http_line_text_len((const uint8_t *)
	    "0123456789abcdefghij", 20), 20);
	assert_int_equal(http_line_text_len((const uint8_t *)
	    "0123456789abcdefghij", 15), 15);
	assert_int_equal(http_line_text_len((const uint8_t *)"abc", 2), 2);
	/* a CR ends it before its LF; one after the LF does not count */
	assert_int_equal(http_line_text_len((const uint8_t *)"a\rb\n", 4), 1);
	assert_int_equal(http_line_text_len((const uint8_t *)"ab\n\rc", 5),
	    2);
	assert_int_equal(http_line_text_len((const uint8_t *)"\r\n", 2), 0);
	assert_int_equal(http_line_text_len((const uint8_t *)"", 0), 0);
	/* a NUL ends it too; past sixteen bytes (read sixteen at a time) */
	assert_int_equal(http_line_text_len((const uint8_t *)"ab\0c\n", 5),
	    2);
	assert_int_equal(http_line_text_len((const uint8_t *)
	    "HTTP/1.1 200 OK, and a longer reason\0x\r\n", 41), 36);
	assert_int_equal(http_line_text_len((const uint8_t *)
	    "HTTP/1.1 200 OK, and a longer reason here\r\n", 43), 41);
	assert_int_equal(http_line_text_len((const uint8_t *)
	    "0123456789abcdef0123456789abcdef0", 33), 33);
}

static void
test_split_authority(void **state)
{
	char host[HTTP_HOST_MAX], small[4];
	uint16_t port;

	(void)state;
	assert_true(http_split_authority("Example.COM", host, sizeof host,
	    &port));
	assert_string_equal(host, "example.com");
	assert_int_equal(port, 0);
	assert_true(http_split_authority("example.com:8443", host, sizeof host,
	    &port));
	assert_string_equal(host, "example.com");
	assert_int_equal(port, 8443);
	assert_true(http_split_authority("[2001:DB8::1]:443", host, sizeof host,
	    &port));
	assert_string_equal(host, "2001:db8::1");
	assert_int_equal(port, 443);
	assert_true(http_split_authority("[::1]", host, sizeof host, &port));
	assert_string_equal(host, "::1");
	assert_int_equal(port, 0);
	assert_true(http_split_authority("10.0.0.1:65535", host, sizeof host,
	    &port));
	assert_int_equal(port, 65535);
	assert_true(http_split_authority("h:", host, sizeof host, &port));
	assert_int_equal(port, 0);
	assert_true(http_split_authority("https://x.org/p", host, sizeof host,
	    &port));
	assert_string_equal(host, "x.org");
	assert_int_equal(port, 443);
	assert_false(http_split_authority("", host, sizeof host, &port));
	assert_false(http_split_authority(":80", host, sizeof host, &port));
	assert_false(http_split_authority("h:65536", host, sizeof host, &port));
	assert_false(http_split_authority("h:99999999999999999999", host,
	    sizeof host, &port));
	assert_false(http_split_authority("h:8o", host, sizeof host, &port));
	assert_false(http_split_authority("h:-1", host, sizeof host, &port));
	assert_false(http_split_authority("::1", host, sizeof host, &port));
	assert_false(http_split_authority("[::1", host, sizeof host, &port));
	assert_false(http_split_authority("[]:80", host, sizeof host, &port));
	assert_false(http_split_authority("[::1]80", host, sizeof host, &port));
	assert_false(http_split_authority("[x::1]", host, sizeof host, &port));
	assert_false(http_split_authority("a b", host, sizeof host, &port));
	assert_false(http_split_authority("u@h", host, sizeof host, &port));
	assert_false(http_split_authority("h/x", host, sizeof host, &port));
	assert_false(http_split_authority("long.host", small, sizeof small,
	    &port));
	assert_true(http_split_authority("abc", small, sizeof small, &port));
}

static void
test_url_host(void **state)
{
	char host[HTTP_HOST_MAX];
	uint16_t port;

	(void)state;
	assert_true(http_url_host("http://Example.com/a", host, sizeof host,
	    &port));
	assert_string_equal(host, "example.com");
	assert_int_equal(port, 80);
	assert_true(http_url_host("https://example.com", host, sizeof host,
	    &port));
	assert_int_equal(port, 443);
	assert_true(http_url_host("HTTPS://example.com?x", host, sizeof host,
	    &port));
	assert_string_equal(host, "example.com");
	assert_int_equal(port, 443);
	assert_true(http_url_host("ws://example.com#f", host, sizeof host,
	    &port));
	assert_int_equal(port, 80);
	assert_true(http_url_host("http://user:pa@ss@h.net:81/x@y", host,
	    sizeof host, &port));
	assert_string_equal(host, "h.net");
	assert_int_equal(port, 81);
	assert_true(http_url_host("http://[2001:db8::5]:8080/", host,
	    sizeof host, &port));
	assert_string_equal(host, "2001:db8::5");
	assert_int_equal(port, 8080);
	assert_true(http_url_host("https://[::1]/", host, sizeof host, &port));
	assert_int_equal(port, 443);
	assert_false(http_url_host("/path", host, sizeof host, &port));
	assert_false(http_url_host("://h/", host, sizeof host, &port));
	assert_false(http_url_host("http:///p", host, sizeof host, &port));
	assert_false(http_url_host("http://h:x/", host, sizeof host, &port));
	assert_false(http_url_host("http://u@/", host, sizeof host, &port));
}

/* Random bytes near HTTP: no crash, results consistent. */
static void
test_random(void **state)
{
	static const char seed[] = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n"
	    "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n";
	struct http_head *h = new_head();
	char b[sizeof seed];
	uint32_t x = 7;
	size_t i, k, n;

	(void)state;
	for (i = 0; i < 30000; i++) {
		memcpy(b, seed, sizeof seed);
		for (k = 0; k < 3; k++) {
			x = x * 1103515245u + 12345u;
			b[(x >> 8) % (sizeof seed - 1)] =
			    (char)"\r\n :,0a\x00\xff"[(x >> 20) % 9];
		}
		n = (x >> 4) % sizeof seed;
		(void)parse(i % 2, b, n, h);
	}
	free(h);
}

/* X-Varnish's value v in a request or a response: varnish_id, and
 * varnish_hit in *hit. */
static uint32_t
varnish_id(bool is_req, const char *v, struct http_head *h, bool *hit)
{
	char buf[256];

	snprintf(buf, sizeof buf, is_req ? "GET /a HTTP/1.1\r\n"
	    "X-Varnish:%s\r\n\r\n" : "HTTP/1.1 503 Backend fetch failed\r\n"
	    "x-VARNISH:%s\r\n\r\n", v);
	assert_int_equal(parse(is_req, buf, strlen(buf), h), HTTP_OK);
	*hit = h->varnish_hit;
	return h->varnish_id;
}

/*
 * Varnish's X-Varnish, as a cache sends it: on its backend request the
 * fetch's id; on a hit's answer the client request's id, then the id of
 * the fetch whose object answered; on a miss's only the request's.
 */
static void
test_varnish_ids(void **state)
{
	struct http_head *h = new_head();
	bool hit;

	(void)state;
	assert_int_equal(varnish_id(true, " 229391", h, &hit), 229391);
	assert_false(hit);
	assert_int_equal(varnish_id(false, " 360450 229391", h, &hit), 229391);
	assert_true(hit);
	assert_int_equal(varnish_id(false, "\t98312  \t229391 ", h, &hit),
	    229391);
	assert_true(hit);
	assert_int_equal(varnish_id(false, " 229390", h, &hit), 229390);
	assert_false(hit);	/* a miss: its request's id */
	assert_int_equal(varnish_id(true, " 1 2", h, &hit), 0);
	assert_int_equal(varnish_id(false, " 1 2 3", h, &hit), 0);
	assert_int_equal(varnish_id(false, " 1,2", h, &hit), 0);
	assert_int_equal(varnish_id(false, " 1 2x", h, &hit), 0);
	assert_int_equal(varnish_id(false, " -1 2", h, &hit), 0);
	assert_int_equal(varnish_id(true, "", h, &hit), 0);
	assert_false(hit);
	/* 64-bit ids (Varnish 7.3 on) keep their low 32 bits; longer is
	 * not an id */
	assert_int_equal(varnish_id(true, " 4294967296", h, &hit), 0);
	assert_int_equal(varnish_id(true, " 18446744073709551615", h, &hit),
	    UINT32_MAX);
	assert_int_equal(varnish_id(true, " 18446744073709551616", h, &hit), 0);
	assert_int_equal(varnish_id(false, " 1 123456789012345678901", h,
	    &hit), 0);
	/* the name whole, in any case; a later field replaces an earlier */
	assert_int_equal(resp("HTTP/1.1 200 OK\r\nX-Varnishes: 1 2\r\n"
	    "X-Varnis: 1 2\r\nX-Varnish: 3 4\r\nX-VARNISH: 5 6\r\n"
	    "X-Varnisx: 7 8\r\nForwarded: 9 10\r\n\r\n", h), HTTP_OK);
	assert_int_equal(h->varnish_id, 6);
	assert_int_equal(resp("HTTP/1.1 200 OK\r\nX-Varnish: 3 4\r\n"
	    "X-Varnish: 5\r\n\r\n", h), HTTP_OK);
	assert_int_equal(h->varnish_id, 5);
	assert_false(h->varnish_hit);
	/* none: none, also after a head that had one */
	assert_int_equal(resp("HTTP/1.1 200 OK\r\n\r\n", h), HTTP_OK);
	assert_int_equal(h->varnish_id, 0);
	assert_false(h->varnish_hit);
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_basic),
		cmocka_unit_test(test_request_forms),
		cmocka_unit_test(test_request_invalid),
		cmocka_unit_test(test_request_limits),
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_response_invalid),
		cmocka_unit_test(test_byte_classes),
		cmocka_unit_test(test_cut_lines),
		cmocka_unit_test(test_parse_more),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_first_line),
		cmocka_unit_test(test_split_authority),
		cmocka_unit_test(test_url_host),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_varnish_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
