/*
 * test_proto_http_hosts.c: what http.h promises of http_split_authority
 * and http_url_host beyond true/false: on false the host buffer is as it
 * was or the empty string (never a piece of the rejected host), for every
 * way an authority can be rejected; on true the host, lower-cased and
 * NUL-terminated within hostlen, and the port, digit by digit.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "proto/http.h"

#define BEFORE "previous.host"

/* auth is rejected and host holds BEFORE or "" (and nothing past hostlen
 * is written: the byte after it keeps its mark). */
static void
check_rejected(const char *auth, size_t hostlen)
{
	char host[HTTP_HOST_MAX + 1];
	uint16_t port = 1234;

	memset(host, '#', sizeof host);
	snprintf(host, hostlen, "%s", BEFORE);
	if (http_split_authority(auth, host, hostlen, &port))
		fail_msg("\"%s\" (hostlen %zu) accepted", auth, hostlen);
	if (host[0] != '\0' && strncmp(host, BEFORE, hostlen - 1) != 0)
		fail_msg("\"%s\" rejected, host left as \"%.*s\"", auth,
		    (int)hostlen, host);
	assert_int_equal(host[hostlen], '#');
}

static void
test_rejected_leaves_host(void **state)
{
	static const char *const bad[] = {
		"Example.COM:8x", "Example.COM:80x", "example.com:x80",
		"Example.COM:65536", "example.com:99999", "Example.COM: 80",
		"example.com:8:0", "EXAMPLE.COM:-1", "ab:1234567",
		"Exa mple.com", "example.com\x7f", "ex\xc3\xa9.com:80",
		"example.com/", "u@example.com", ":80", "",
		"[::1]x", "[::1]:8x", "[::1]:70000", "[]", "[]:80", "[::1",
		"[::G]", "[2001:DB8::1]:99999",
		"http://Example.COM:8x/", "http://:80/", "://example.com",
		"http://[::1", "http://ex ample/",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_rejected(bad[i], HTTP_HOST_MAX);
	/* too long for the buffer: hostlen must hold the host and its NUL */
	check_rejected("Example.COM", 11);
	check_rejected("Example.COM:80", 11);
	check_rejected("[2001:DB8::1]", 11);
	check_rejected("[2001:DB8::1]:80", 11);
	check_rejected("http://Example.COM/", 11);
	check_rejected("a", 1);
}

static void
accepted(const char *auth, size_t hostlen, const char *want_host,
    unsigned want_port)
{
	char host[HTTP_HOST_MAX + 1];
	uint16_t port = 1234;

	memset(host, '#', sizeof host);
	if (!http_split_authority(auth, host, hostlen, &port))
		fail_msg("\"%s\" (hostlen %zu) rejected", auth, hostlen);
	assert_string_equal(host, want_host);
	assert_int_equal(port, want_port);
	assert_int_equal(host[hostlen], '#');
}

/*
 * Exactly fitting hosts (hostlen = length + 1), bracketed or not, with
 * and without a port; upper case lowered either way; every digit
 * position of the port counts with its weight, 65535 is the largest.
 */
static void
test_accepted(void **state)
{
	(void)state;
	accepted("Example.COM", 12, "example.com", 0);
	accepted("Example.COM:8080", 12, "example.com", 8080);
	accepted("[2001:DB8::1]", 12, "2001:db8::1", 0);
	accepted("[2001:DB8::1]:443", 12, "2001:db8::1", 443);
	accepted("http://Example.COM/", 12, "example.com", 80);
	accepted("a", 2, "a", 0);
	accepted("h:12345", 2, "h", 12345);
	accepted("h:54321", 2, "h", 54321);
	accepted("h:65535", 2, "h", 65535);
	accepted("h:065535", 2, "h", 65535);
	accepted("h:9", 2, "h", 9);
	accepted("h:10", 2, "h", 10);
	accepted("h:0", 2, "h", 0);
	accepted("[::1]:65535", 4, "::1", 65535);
	accepted("[::1]:", 4, "::1", 0);
	accepted("[1.2.3.4]", 8, "1.2.3.4", 0);
	accepted("h:", 2, "h", 0);
	accepted("a-b_c.d~e!f:1", 12, "a-b_c.d~e!f", 1);
}

/*
 * An absolute URL: the host after the authority's last '@', up to the
 * first '/', '?' or '#'; the default port by scheme (443 only for
 * https, any case), an explicit port whatever the scheme.
 */
static void
test_url_host(void **state)
{
	static const struct {
		const char *url, *host;	/* host NULL: rejected */
		unsigned port;
	} urls[] = {
		{ "HtTpS://a@b@Host.Test?q", "host.test", 443 },
		{ "https://h:8443/", "h", 8443 },
		{ "http://h:443#x", "h", 443 },
		{ "httpx://h", "h", 80 },
		{ "httpsx://h", "h", 80 },
		{ "xhttps://h", "h", 80 },
		{ "a://[::1]/", "::1", 80 },
		{ "://h", NULL, 0 },
		{ "h", NULL, 0 },
		{ "http://", NULL, 0 },
		{ "http://u@/", NULL, 0 },
	};
	char host[32];
	uint16_t port;

	(void)state;
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		port = 7;
		if (http_url_host(urls[i].url, host, sizeof host, &port) !=
		    (urls[i].host != NULL))
			fail_msg("%s: wrong result", urls[i].url);
		if (urls[i].host != NULL)
			assert_string_equal(host, urls[i].host);
		if (port != urls[i].port)
			fail_msg("%s: port %u, want %u", urls[i].url, port,
			    urls[i].port);
	}
}

/*
 * http_url_sep is strstr(s, "://") without its cost: the same answer on
 * strings where a ':' or a '/' could mislead a shortcut (every string of
 * up to five bytes over ":/a" and one of up to seven with a tail).
 */
static void
test_url_sep_is_strstr(void **state)
{
	static const char alpha[] = ":/a";
	char s[8];
	size_t count = 0;

	(void)state;
	for (size_t len = 0; len <= 5; len++) {
		size_t total = 1;

		for (size_t i = 0; i < len; i++)
			total *= 3;
		for (size_t k = 0; k < total; k++, count++) {
			size_t v = k;

			for (size_t i = 0; i < len; i++, v /= 3)
				s[i] = alpha[v % 3];
			s[len] = '\0';
			if (http_url_sep(s) != strstr(s, "://"))
				fail_msg("\"%s\": not strstr's answer", s);
		}
	}
	assert_int_equal(count, 1 + 3 + 9 + 27 + 81 + 243);
	assert_ptr_equal(http_url_sep("a:b://c"), strstr("a:b://c", "://"));
}

static void
test_url_path(void **state)
{
	static const struct {
		const char *s, *path;
	} cases[] = {
		{ "http://h/a/b?q", "/a/b?q" },
		{ "http://h", "/" },
		{ "https://h:8443/", "/" },
		{ "/origin", "/origin" },
		{ "host:443", "host:443" },	/* a CONNECT's target */
		{ "", "" },
		{ "x://h/p", "/p" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(http_url_path(cases[i].s), cases[i].path);
}

/*
 * Every byte value in the middle of a host: accepted (and lower-cased)
 * exactly when it is visible ASCII and none of /?#@[]\\"<>{}|^` (':'
 * ends the host there and starts a port, so it is not tried).
 */
static void
test_every_host_byte(void **state)
{
	static const char never[] = "/?#@[]\\\"<>{}|^`";
	char auth[8], host[16];
	uint16_t port;

	(void)state;
	for (int c = 1; c < 256; c++) {
		bool ok = c > 0x20 && c < 0x7f && strchr(never, c) == NULL;

		if (c == ':')
			continue;
		snprintf(auth, sizeof auth, "a%cb", c);
		strcpy(host, BEFORE);
		if (http_split_authority(auth, host, sizeof host, &port) != ok)
			fail_msg("byte 0x%02x %s", c, ok ? "refused" :
			    "accepted");
		if (!ok) {
			assert_string_equal(host, "");
			continue;
		}
		assert_int_equal((unsigned char)host[0], 'a');
		assert_int_equal((unsigned char)host[1],
		    c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		assert_int_equal((unsigned char)host[2], 'b');
		assert_int_equal(host[3], '\0');
		assert_int_equal(port, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rejected_leaves_host),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_url_host),
		cmocka_unit_test(test_every_host_byte),
		cmocka_unit_test(test_url_sep_is_strstr),
		cmocka_unit_test(test_url_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
