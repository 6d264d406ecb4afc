/*
 * test_proto_tls.c: TLS record headers, the ClientHello's server name, the
 * ServerHello's version and alert names, on hellos built byte by byte
 * (unit_tls.h), whole and cut at every length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/tls.h"
#include "unit_tls.h"

static void
test_record_headers(void **state)
{
	struct tls_record r;

	(void)state;
	assert_int_equal(tls_record_header((const uint8_t *)"\x16\x03\x01\x02\x00",
	    5, &r), 1);
	assert_int_equal(r.type, TLS_CT_HANDSHAKE);
	assert_int_equal(r.version, 0x0301);
	assert_int_equal(r.len, 512);
	assert_int_equal(tls_record_header((const uint8_t *)"\x15\x03\x03\x00\x02",
	    5, &r), 1);
	assert_int_equal(r.type, TLS_CT_ALERT);
	/* too short to tell; then what is no record */
	assert_int_equal(tls_record_header((const uint8_t *)"\x16\x03", 2, &r),
	    -1);
	assert_int_equal(tls_record_header((const uint8_t *)"GET / HTTP/1.1",
	    14, &r), 0);
	assert_int_equal(tls_record_header((const uint8_t *)"HTTP/1.1 400",
	    12, &r), 0);
	assert_int_equal(tls_record_header((const uint8_t *)"\x16\x02\x00\x00\x05",
	    5, &r), 0);
	assert_int_equal(tls_record_header((const uint8_t *)"\x16\x03\x05\x00\x05",
	    5, &r), 0);
	assert_int_equal(tls_record_header((const uint8_t *)"\x16\x03\x03\x00\x00",
	    5, &r), 0);
	assert_int_equal(tls_record_header((const uint8_t *)"\x17\x03\x03\x48\x01",
	    5, &r), 0);	/* longer than any record */
	assert_int_equal(tls_record_header((const uint8_t *)"\x18\x03\x03\x00\x01",
	    5, &r), 0);	/* heartbeat: no content type of ours */
}

static void
test_sni_read_and_lowered(void **state)
{
	struct wbuf h;
	char name[TLS_SNI_MAX];

	(void)state;
	ut_client_hello(&h, "API-2.Example_1.com");
	assert_true(tls_client_hello_sni(h.b, h.n, name, sizeof name));
	assert_string_equal(name, "api-2.example_1.com");
	/* bytes between the digits and the letters are no host's */
	ut_client_hello(&h, "a:b.example");
	assert_false(tls_client_hello_sni(h.b, h.n, name, sizeof name));
	ut_client_hello(&h, "a@b.example");
	assert_false(tls_client_hello_sni(h.b, h.n, name, sizeof name));
	/* no server_name extension: no name */
	ut_client_hello(&h, NULL);
	assert_false(tls_client_hello_sni(h.b, h.n, name, sizeof name));
	assert_string_equal(name, "");
	/* a ServerHello has none either */
	ut_server_hello(&h, TLS_V13);
	assert_false(tls_client_hello_sni(h.b, h.n, name, sizeof name));
}

static void
test_sni_refused_when_odd(void **state)
{
	struct wbuf h;
	char name[TLS_SNI_MAX], small[8];

	(void)state;
	ut_client_hello(&h, "a b.example");	/* a space: no host name */
	assert_false(tls_client_hello_sni(h.b, h.n, name, sizeof name));
	assert_string_equal(name, "");
	ut_client_hello(&h, "evil\x1b[2J.example");
	assert_false(tls_client_hello_sni(h.b, h.n, name, sizeof name));
	ut_client_hello(&h, "long.example.com");	/* longer than the room */
	assert_false(tls_client_hello_sni(h.b, h.n, small, sizeof small));
	assert_string_equal(small, "");
	assert_false(tls_client_hello_sni(h.b, h.n, name, 0));
}

/* Cut anywhere, a hello gives its name whole or none: never a part. */
static void
test_sni_cut_at_every_length(void **state)
{
	struct wbuf h;
	char name[TLS_SNI_MAX];
	size_t whole = 0;

	(void)state;
	ut_client_hello(&h, "shop.example");
	for (size_t n = 0; n <= h.n; n++) {
		if (tls_client_hello_sni(h.b, n, name, sizeof name)) {
			assert_string_equal(name, "shop.example");
			whole++;
		} else {
			assert_string_equal(name, "");
		}
	}
	assert_int_equal(whole, 1);	/* only the whole hello */
}

static void
test_server_hello_version(void **state)
{
	struct wbuf h;

	(void)state;
	ut_server_hello(&h, TLS_V13);
	assert_int_equal(tls_server_hello_version(h.b, h.n), TLS_V13);
	ut_server_hello(&h, 0);	/* TLS 1.2: the legacy version stands */
	assert_int_equal(tls_server_hello_version(h.b, h.n), TLS_V12);
	/* cut after the version: the legacy one; before it: none */
	ut_server_hello(&h, TLS_V13);
	assert_int_equal(tls_server_hello_version(h.b, 6), TLS_V12);
	assert_int_equal(tls_server_hello_version(h.b, 5), 0);
	ut_client_hello(&h, "x.example");
	assert_int_equal(tls_server_hello_version(h.b, h.n), 0);
	for (size_t n = 0; n <= h.n; n++)
		(void)tls_server_hello_version(h.b, n);	/* in bounds (ASan) */
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(tls_alert_name(48), "unknown_ca");
	assert_string_equal(tls_alert_name(70), "protocol_version");
	assert_string_equal(tls_alert_name(112), "unrecognized_name");
	assert_string_equal(tls_alert_name(0), "close_notify");
	assert_string_equal(tls_alert_name(255), "");
	assert_string_equal(tls_version_name(TLS_V13), "TLS 1.3");
	assert_string_equal(tls_version_name(0x0301), "TLS 1.0");
	assert_string_equal(tls_version_name(0x7f1c), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_headers),
		cmocka_unit_test(test_sni_read_and_lowered),
		cmocka_unit_test(test_sni_refused_when_odd),
		cmocka_unit_test(test_sni_cut_at_every_length),
		cmocka_unit_test(test_server_hello_version),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
