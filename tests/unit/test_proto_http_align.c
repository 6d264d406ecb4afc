/*
 * test_proto_http_align.c: an HTTP head's tokens (methods, field names)
 * wherever their bytes fall: http.c reads them a few bytes at a time, so
 * every length and every position of a byte that ends a token is tried.
 * RFC 9112 5: OWS after a field's colon is optional. And a head parses
 * the same wherever it lies in the caller's memory: the bytes before
 * buf (an earlier pipelined head, say) are never looked at; and whatever
 * an earlier parse left in the struct.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/http.h"

static struct http_head head;

static enum http_result
request(const char *s)
{
	return http_parse_request((const uint8_t *)s, strlen(s), &head);
}

/*
 * Field names of every length from 1 to 24, the value right after the
 * colon or after OWS: the head is valid; the four fields read are found
 * with either spelling, whatever the alignment of their colon.
 */
static void
test_field_names(void **state)
{
	char buf[256], name[32];

	(void)state;
	for (size_t len = 1; len <= 24; len++) {
		memset(name, 'x', len);
		name[len] = '\0';
		for (int ows = 0; ows < 2; ows++) {
			snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\n%s:%sv:a\r\n"
			    "Host:%sh.test\r\n\r\n", name, ows ? " " : "",
			    ows ? "\t" : "");
			if (request(buf) != HTTP_OK)
				fail_msg("%s: %s", buf, head.error);
			assert_string_equal(head.host, "h.test");
		}
	}
	assert_int_equal(request("GET / HTTP/1.1\r\nTransfer-Encoding:chunked"
	    "\r\nConnection:close\r\nX:1\r\n\r\n"), HTTP_OK);
	assert_true(head.chunked);
	assert_true(head.conn_close);
	assert_int_equal(request("GET / HTTP/1.1\r\nContent-Length:5\r\n"
	    "Connection:keep-alive\r\n\r\n"), HTTP_OK);
	assert_int_equal(head.content_length, 5);
	assert_true(head.conn_keepalive);
}

/*
 * A byte that is not a token character, at each position of names of 1
 * to 12 bytes: the field line is invalid, and the error points at it.
 */
static void
test_bad_name_byte(void **state)
{
	static const char bad[] = "@\"(),;<=>?[]{}\\/ \x7f\x01\x80";
	char buf[256], name[16];
	size_t at;

	(void)state;
	for (size_t len = 1; len <= 12; len++)
		for (size_t k = 0; k < len; k++)
			for (const char *b = bad; *b; b++) {
				memset(name, 'y', len);
				name[len] = '\0';
				name[k] = *b;
				at = (size_t)snprintf(buf, sizeof buf,
				    "GET / HTTP/1.1\r\nA: b\r\n");
				snprintf(buf + at, sizeof buf - at,
				    "%s: v\r\n\r\n", name);
				if (request(buf) != HTTP_INVALID)
					fail_msg("name \"%s\" accepted", name);
				assert_int_equal(head.error_at, at);
			}
}

/*
 * Methods of 1 to 20 token characters before a target of every form:
 * valid, the method kept whole; a byte that is not a token character at
 * any position of the method makes the request line invalid.
 */
static void
test_methods(void **state)
{
	static const char *const targets[] = {
		"/", "*", "http://h.test/", "x+y.z-1://[::1]:80/p", "/a/b?c=d",
	};
	char buf[256], method[24];

	(void)state;
	for (size_t len = 1; len <= 20; len++) {
		memset(method, 'M', len);
		method[len] = '\0';
		for (size_t t = 0; t < sizeof targets / sizeof targets[0];
		    t++) {
			snprintf(buf, sizeof buf, "%s %s HTTP/1.1\r\n\r\n",
			    method, targets[t]);
			if (request(buf) != HTTP_OK)
				fail_msg("%s: %s", buf, head.error);
			assert_string_equal(head.method, method);
			assert_string_equal(head.target, targets[t]);
		}
		for (size_t k = 0; k < len; k++) {
			method[k] = ':';
			snprintf(buf, sizeof buf, "%s /x HTTP/1.1\r\n\r\n",
			    method);
			if (request(buf) != HTTP_INVALID)
				fail_msg("method \"%s\" accepted", method);
			method[k] = 'M';
		}
	}
}

/* The same result and fields for s alone and for s after `before`. */
static void
same_after(const char *before, const char *s)
{
	static struct http_head alone;
	uint8_t buf[512];
	size_t nb = strlen(before), ns = strlen(s);
	enum http_result r;

	assert_true(nb + ns <= sizeof buf);
	r = http_parse_request((const uint8_t *)s, ns, &alone);
	memcpy(buf, before, nb);
	memcpy(buf + nb, s, ns);
	if (http_parse_request(buf + nb, ns, &head) != r)
		fail_msg("\"%s\" after \"%s\": another result", s, before);
	assert_int_equal(head.version_minor, alone.version_minor);
	assert_string_equal(head.method, alone.method);
	assert_string_equal(head.target, alone.target);
	assert_int_equal(head.head_len, alone.head_len);
}

/*
 * Request lines after a pipelined head in the same buffer, or after any
 * token bytes: targets of 1 to 24 bytes (so that the version lies at
 * every distance from the bytes before), versions valid and not.
 */
static void
test_bytes_before(void **state)
{
	static const char *const befores[] = {
		"GET / HTTP/1.1\r\n\r\n", "GET /x HTTP/1.1\r\nA: b\r\n\r\n",
		"HTTP/1.HTTP/1.HTTP/1.HTTP/1.HTTP/1.", "MMMMMMMMMMMMMMMMMMMM",
	};
	static const char *const versions[] = {
		"HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.x", "HTTP/0.9",
	};
	char line[128], target[32];

	(void)state;
	target[0] = '/';
	for (size_t len = 1; len <= 24; len++) {
		memset(target + 1, 'a', len - 1);
		target[len] = '\0';
		for (size_t v = 0; v < sizeof versions / sizeof versions[0];
		    v++)
			for (size_t b = 0; b < sizeof befores /
			    sizeof befores[0]; b++) {
				snprintf(line, sizeof line, "GET %s %s\r\n\r\n",
				    target, versions[v]);
				same_after(befores[b], line);
				snprintf(line, sizeof line, "M http://h/%s %s\r\n"
				    "\r\n", target + 1, versions[v]);
				same_after(befores[b], line);
			}
	}
}

/*
 * A struct reused after a request whose target was cut to
 * HTTP_TARGET_MAX - 1 bytes: a response, a request with a short target
 * and a request rejected before its target all say "not truncated".
 */
static void
test_reused_head(void **state)
{
	static char big[HTTP_TARGET_MAX + 64];
	static const char *const next[] = {
		"GET /short HTTP/1.1\r\n\r\n", "G@T / HTTP/1.1\r\n\r\n",
		" GET / HTTP/1.1\r\n\r\n",
	};
	static const char resp[] = "HTTP/1.1 502 Bad Gateway\r\n\r\n";
	size_t n;

	(void)state;
	for (size_t i = 0; i <= sizeof next / sizeof next[0]; i++) {
		n = (size_t)snprintf(big, sizeof big, "GET /");
		memset(big + n, 'a', HTTP_TARGET_MAX);
		snprintf(big + n + HTTP_TARGET_MAX, sizeof big - n -
		    HTTP_TARGET_MAX, " HTTP/1.1\r\n\r\n");
		assert_int_equal(request(big), HTTP_OK);
		assert_true(head.target_truncated);
		assert_int_equal(strlen(head.target), HTTP_TARGET_MAX - 1);
		if (i == sizeof next / sizeof next[0]) {
			assert_int_equal(http_parse_response((const uint8_t *)
			    resp, sizeof resp - 1, &head), HTTP_OK);
			assert_int_equal(head.status, 502);
		} else {
			request(next[i]);
		}
		if (head.target_truncated)
			fail_msg("parse %zu: target_truncated left set", i);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_names),
		cmocka_unit_test(test_bad_name_byte),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_bytes_before),
		cmocka_unit_test(test_reused_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
