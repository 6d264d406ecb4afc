/* test_addr.c: address formatting, parsing, equality and hashing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/addr.h"

static void
test_fmt(void **state)
{
	static const uint8_t v4[4] = { 192, 0, 2, 10 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 1, 2, 3, 4 };
	struct gw_addr a;
	char buf[ADDR_STRLEN], small[8];

	(void)state;
	addr_set4(&a, v4);
	assert_string_equal(addr_fmt(&a, buf, sizeof buf), "192.0.2.10");
	addr_set6(&a, v6);
	assert_string_equal(addr_fmt(&a, buf, sizeof buf), "2001:db8::1");
	addr_set6(&a, mapped);
	assert_string_equal(addr_fmt(&a, buf, sizeof buf), "::ffff:1.2.3.4");
	memset(&a, 0, sizeof a);
	assert_string_equal(addr_fmt(&a, buf, sizeof buf), "-");
	a.family = 9;
	assert_string_equal(addr_fmt(&a, buf, sizeof buf), "-");
	/* A short buffer truncates but stays terminated. */
	addr_set6(&a, v6);
	assert_ptr_equal(addr_fmt(&a, small, sizeof small), small);
	assert_string_equal(small, "2001:db");
	assert_ptr_equal(addr_fmt(&a, small, 0), small);
}

/* Bug 5 of issue 14: "fd00:250::16:39010" read as one address. */
static void
test_port_fmt(void **state)
{
	static const uint8_t v4[4] = { 10, 250, 0, 1 };
	static const uint8_t v6[16] = { 0xfd, 0, 2, 0x50, [15] = 0x16 };
	struct gw_addr a;
	char buf[ADDR_PORT_STRLEN];

	(void)state;
	addr_set4(&a, v4);
	assert_string_equal(addr_port_fmt(&a, 9090, buf, sizeof buf),
	    "10.250.0.1:9090");
	addr_set6(&a, v6);
	assert_string_equal(addr_port_fmt(&a, 39010, buf, sizeof buf),
	    "[fd00:250::16]:39010");
	assert_ptr_equal(addr_port_fmt(&a, 1, buf, 0), buf);
}

static void
test_parse(void **state)
{
	struct gw_addr a, b;
	char buf[ADDR_STRLEN];

	(void)state;
	assert_true(addr_parse("10.1.2.3", &a));
	assert_int_equal(a.family, 4);
	assert_int_equal(a.a[3], 3);
	assert_true(addr_parse("2001:DB8:0:0:0:0:0:1", &b));
	assert_int_equal(b.family, 6);
	assert_string_equal(addr_fmt(&b, buf, sizeof buf), "2001:db8::1");
	assert_false(addr_parse("", &a));
	assert_int_equal(a.family, 0);
	assert_false(addr_parse("10.1.2", &a));
	assert_false(addr_parse("300.1.2.3", &a));
	assert_false(addr_parse("example.com", &a));
	assert_false(addr_parse("1::2::3", &a));
}

static void
test_eq_hash(void **state)
{
	struct gw_addr a, b, c;

	(void)state;
	assert_true(addr_parse("10.0.0.1", &a));
	b = a;
	b.a[10] = 0x55;		/* bytes past an IPv4 address do not count */
	assert_true(addr_eq(&a, &b));
	assert_int_equal(addr_hash(&a), addr_hash(&b));
	assert_true(addr_parse("10.0.0.2", &c));
	assert_false(addr_eq(&a, &c));
	assert_int_not_equal(addr_hash(&a), addr_hash(&c));
	/* Same bytes, other family. */
	c = a;
	c.family = 6;
	assert_false(addr_eq(&a, &c));
	assert_int_not_equal(addr_hash(&a), addr_hash(&c));
	assert_true(addr_parse("::1", &a));
	assert_true(addr_parse("0::0:1", &b));
	assert_true(addr_eq(&a, &b));
	assert_int_equal(addr_hash(&a), addr_hash(&b));
	memset(&a, 0, sizeof a);
	memset(&b, 0xff, sizeof b);
	b.family = 0;
	assert_true(addr_eq(&a, &b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_port_fmt),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_eq_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
