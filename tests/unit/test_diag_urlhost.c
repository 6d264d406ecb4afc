/*
 * test_diag_urlhost.c: the short way to a client request's host
 * (plain_url_host, txn.c) gives what http_request_host gives for an
 * absolute-form request, host and port, wherever it answers: on plain
 * URLs, and on 200,000 random ones built around the cases where the two
 * part (upper case, ports, userinfo, brackets, schemes, lengths near
 * HTTP_HOST_MAX, whatever ends the authority). It answers for the usual
 * ones and leaves the others to http_request_host. Likewise the short
 * way to a host's literal address (host_literal) is addr_parse's answer
 * and address, on literals, names and 200,000 random strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "diag/diag.h"
#include "diag/diag_int.h"
#include "proto/http.h"
#include "util/addr.h"

static const char host_field[] = "field.example:8080";

/* plain_url_host's answer, when it gives one, is http_request_host's;
 * returns whether it gave one. */
static bool
agrees(const char *url)
{
	char want[HTTP_HOST_MAX], got[HTTP_HOST_MAX];
	uint16_t want_port, got_port = 0;

	if (!plain_url_host(url, got, sizeof got, &got_port))
		return false;
	http_request_host(HTTP_FORM_ABSOLUTE, url, host_field, want,
	    sizeof want, &want_port);
	assert_string_equal(got, want);
	assert_int_equal(got_port, want_port);
	return true;
}

static void
test_plain_urls(void **state)
{
	(void)state;
	assert_true(agrees("http://api.example.com/v1/items?id=3"));
	assert_true(agrees("https://a-b.example/"));
	assert_true(agrees("http://10.0.0.1"));
	assert_true(agrees("http://x?q"));
	assert_true(agrees("http://x#f"));
	/* left to http_request_host */
	assert_false(agrees("http://Example.com/"));
	assert_false(agrees("http://example.com:8080/"));
	assert_false(agrees("http://user@example.com/"));
	assert_false(agrees("http://[::1]/"));
	assert_false(agrees("http:///path"));
	assert_false(agrees("ftp://example.com/"));
	assert_false(agrees("HTTP://example.com/"));
	assert_false(agrees("http://exa_mple.com/"));
}

/* a name of n letters: one under HTTP_HOST_MAX is the longest taken */
static void
test_long_names(void **state)
{
	char url[HTTP_HOST_MAX + 32];

	(void)state;
	for (size_t n = HTTP_HOST_MAX - 3; n <= HTTP_HOST_MAX + 2; n++) {
		memcpy(url, "http://", 7);
		memset(url + 7, 'a', n);
		memcpy(url + 7 + n, "/p", 3);
		assert_int_equal(agrees(url), n < HTTP_HOST_MAX);
	}
}

static uint32_t
next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
test_random_urls(void **state)
{
	static const char *const heads[] = { "http://", "https://",
	    "HTTP://", "http:/", "https:", "httpx://", "://", "" };
	static const char alphabet[] = "abcz09.-AZ:@[]/?#%_ ~";
	uint32_t seed = 88172645u;
	size_t answered = 0;
	char url[600];

	(void)state;
	for (int i = 0; i < 200000; i++) {
		const char *h = heads[next_rand(&seed) % 8];
		size_t n = strlen(h), len = next_rand(&seed) % 24;

		if (next_rand(&seed) % 50 == 0)
			len = HTTP_HOST_MAX - 4 + next_rand(&seed) % 8;
		memcpy(url, h, n);
		for (size_t k = 0; k < len; k++) {
			uint32_t r = next_rand(&seed);

			/* mostly plain letters, so that many are answered */
			url[n + k] = r % 4 ? "abc.-9"[r / 4 % 6] :
			    alphabet[r / 4 % (sizeof alphabet - 1)];
		}
		url[n + len] = '\0';
		answered += agrees(url);
	}
	assert_true(answered > 10000);
}

/* host_literal says what addr_parse says, with the same address */
static bool
literal_agrees(const char *host)
{
	struct gw_addr want, got;
	bool ok = addr_parse(host, &want);

	memset(&got, 0xa5, sizeof got);
	assert_int_equal(host_literal(host, &got), ok);
	assert_memory_equal(&got, &want, sizeof got);
	return ok;
}

static void
test_literals(void **state)
{
	static const char alphabet[] = "0123456789abcdefABCDEF:.gz-%[] ";
	uint32_t seed = 521288629u;
	size_t found = 0;
	char host[40];

	(void)state;
	assert_true(literal_agrees("10.0.0.1"));
	assert_true(literal_agrees("::1"));
	assert_true(literal_agrees("2001:DB8::a:1"));
	assert_true(literal_agrees("::ffff:192.0.2.1"));
	assert_false(literal_agrees("cafe.example"));
	assert_false(literal_agrees("fe80::1%eth0"));
	assert_false(literal_agrees(""));
	assert_false(literal_agrees("1.2.3.4.5"));
	for (int i = 0; i < 200000; i++) {
		size_t len = next_rand(&seed) % 16;

		for (size_t k = 0; k < len; k++) {
			uint32_t r = next_rand(&seed);

			/* mostly what addresses are made of */
			host[k] = r % 8 ? "0123456789.:abf"[r / 8 % 15] :
			    alphabet[r / 8 % (sizeof alphabet - 1)];
		}
		host[len] = '\0';
		found += literal_agrees(host);
	}
	assert_true(found > 500);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_urls),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_random_urls),
		cmocka_unit_test(test_literals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
