/*
 * test_diag_urlhost.c: the short way to a host's literal address
 * (host_literal, txn.c) is addr_parse's answer and address, on literals,
 * names and 200,000 random strings.
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

static uint32_t
next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
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
		cmocka_unit_test(test_literals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
