/*
 * test_alog.c: access-log lines of each format as the real programs write
 * them (issue 18), the times they stand for, and the set built from them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alog/alog.h"

/* 2013-03-09T00:25:57Z (the article's line, -0600) */
#define ARTICLE_NS (1362788757LL * 1000000000LL)

static bool
parse(const char *line, enum alog_format f, struct alog_rec *r)
{
	return alog_parse_line(line, strlen(line), f, r);
}

static void
assert_span(const char *s, size_t n, const char *want)
{
	assert_int_equal(n, strlen(want));
	assert_memory_equal(s, want, n);
}

static void
test_webgateway_article(void **state)
{
	struct alog_rec r;
	char a[ADDR_STRLEN];

	(void)state;
	/* the article's line: its client address was left out */
	assert_true(parse("[08/Mar/2013:18:25:57 -0600] \"\" 502 \"GET "
	    "http://example.local/ HTTP/1.1\" \"\" \"-\" \"\" 3126 "
	    "\"Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.2)\" \"\" \"0\"",
	    ALOG_AUTO, &r));
	assert_int_equal(r.format, ALOG_WEBGATEWAY);
	assert_int_equal(r.status, 502);
	assert_true(r.end_ns == ARTICLE_NS);
	assert_true(r.resolution_ns == 1000000000LL);
	assert_int_equal(r.client.family, 0);
	assert_span(r.method, r.method_len, "GET");
	assert_span(r.target, r.target_len, "http://example.local/");
	/* the default format with its client address */
	assert_true(parse("[29/Nov/2026:21:01:31 +0000] \"jdoe\" 10.0.0.5 504 "
	    "\"CONNECT ok.test:443 HTTP/1.1\" \"Business\" \"-3\" \"\" 0 "
	    "\"curl/7.88\" \"\" \"0\"", ALOG_WEBGATEWAY, &r));
	assert_string_equal(addr_fmt(&r.client, a, sizeof a), "10.0.0.5");
	assert_int_equal(r.status, 504);
	assert_span(r.target, r.target_len, "ok.test:443");
}

static void
test_squid_native(void **state)
{
	struct alog_rec r;
	char a[ADDR_STRLEN];

	(void)state;
	assert_true(parse("1795986210.090  15404 10.250.0.12 NONE_NONE/503 0 "
	    "CONNECT sqdown.lab.test:443 - HIER_DIRECT/10.250.0.89 -",
	    ALOG_AUTO, &r));
	assert_int_equal(r.format, ALOG_SQUID);
	assert_true(r.end_ns == 1795986210090000000LL);
	assert_true(r.elapsed_ns == 15404000000LL);
	assert_true(r.resolution_ns == 1000000LL);
	assert_int_equal(r.status, 503);
	assert_string_equal(addr_fmt(&r.client, a, sizeof a), "10.250.0.12");
	assert_span(r.method, r.method_len, "CONNECT");
	assert_span(r.server, r.server_len, "10.250.0.89");
	/* an error squid made itself: no upstream, status 502 */
	assert_true(parse("1795986179.618      4 10.250.0.11 TCP_MISS/502 3435 "
	    "GET http://missing-sq.lab.test/ - HIER_NONE/- text/html",
	    ALOG_SQUID, &r));
	assert_int_equal(r.status, 502);
	assert_span(r.server, r.server_len, "-");
	/* not squid: no millisecond epoch */
	assert_false(parse("1795986179 4 10.250.0.11 TCP_MISS/502 3435 GET "
	    "http://x/ - HIER_NONE/- -", ALOG_SQUID, &r));
}

/* Traffic Server's `squid` format (its logging.yaml: %<cqtq> %<ttms>
 * %<chi> %<crc>/%<pssc> %<psql> %<cqhm> %<cquc> %<caun> %<phr>/%<shn>
 * %<psct>): squid's fields, stamped when the request came. */
static void
test_ats_squid(void **state)
{
	static const char line[] = "1796149846.810 15084 10.252.0.11 "
	    "ERR_CONNECT_FAIL/502 453 GET http://drop-ats.odd.test/ - "
	    "DIRECT/drop-ats.odd.test text/html";
	struct alog_rec r;
	enum alog_format f;

	(void)state;
	assert_true(parse(line, ALOG_ATS, &r));
	assert_int_equal(r.format, ALOG_ATS);
	assert_true(r.end_ns == 1796149846810000000LL + 15084000000LL);
	assert_true(r.elapsed_ns == 15084000000LL);
	assert_int_equal(r.status, 502);
	assert_span(r.method, r.method_len, "GET");
	assert_span(r.target, r.target_len, "http://drop-ats.odd.test/");
	assert_span(r.server, r.server_len, "drop-ats.odd.test");
	/* detected per line it is squid's, stamped at the answer */
	assert_true(parse(line, ALOG_AUTO, &r));
	assert_int_equal(r.format, ALOG_SQUID);
	assert_true(r.end_ns == 1796149846810000000LL);
	assert_true(alog_format_parse("ats", &f) && f == ALOG_ATS);
	assert_true(alog_format_parse("trafficserver", &f) && f == ALOG_ATS);
	assert_string_equal(alog_format_name(ALOG_ATS), "ats");
}

static void
test_clf_forms(void **state)
{
	struct alog_rec r;
	char a[ADDR_STRLEN];

	(void)state;
	/* nginx forward proxy, Combined with the absolute URL */
	assert_true(parse("10.250.0.11 - - [29/Nov/2026:21:02:41 +0000] \"GET "
	    "http://silent-ngx.lab.test/report HTTP/1.1\" 504 167 \"-\" "
	    "\"curl/7.88.1\" \"http://silent-ngx.lab.test/report\"",
	    ALOG_AUTO, &r));
	assert_int_equal(r.format, ALOG_CLF);
	assert_int_equal(r.status, 504);
	assert_true(r.end_ns == 1795986161LL * 1000000000LL);
	assert_span(r.target, r.target_len,
	    "http://silent-ngx.lab.test/report");
	/* the lab's mitmproxy addon: a dual-stack socket's mapped address */
	assert_true(parse("::ffff:10.250.0.11 - - [29/Nov/2026:21:01:31 +0000] "
	    "\"CONNECT missing.lab.test:443 HTTP/1.1\" 502 0 \"-\" \"-\"",
	    ALOG_AUTO, &r));
	assert_int_equal(r.client.family, 4);
	assert_string_equal(addr_fmt(&r.client, a, sizeof a), "10.250.0.11");
	/* Common Log Format of a web server: origin form, a zone east of UTC */
	assert_true(parse("127.0.0.1 - frank [10/Oct/2000:13:55:36 +0200] "
	    "\"GET /apache_pb.gif HTTP/1.0\" 200 2326", ALOG_AUTO, &r));
	assert_true(r.end_ns == 971178936LL * 1000000000LL);
	/* a client that never sent a request line (nginx: "-" status 400) */
	assert_false(parse("10.0.0.1 - - [10/Oct/2000:13:55:36 +0200] \"-\" "
	    "400 0", ALOG_CLF, &r));
	/* IPv6 client, escaped quote inside the request */
	assert_true(parse("fd00:250::16 - - [29/Nov/2026:21:01:45 +0000] "
	    "\"GET http://ok.lab.test/a\\\"b HTTP/1.1\" 200 5", ALOG_CLF, &r));
	assert_int_equal(r.client.family, 6);
	assert_span(r.target, r.target_len, "http://ok.lab.test/a\\\"b");
}

static void
test_haproxy(void **state)
{
	struct alog_rec r;

	(void)state;
	assert_true(parse("Feb  6 12:14:14 localhost haproxy[14389]: "
	    "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 "
	    "10/0/30/69/109 502 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "
	    "\"GET /index.html HTTP/1.1\"", ALOG_AUTO, &r));
	assert_int_equal(r.format, ALOG_HAPROXY);
	assert_int_equal(r.client_port, 33317);
	assert_int_equal(r.status, 502);
	/* accept time + Ta (109 ms) */
	assert_true(r.end_ns == 1233922454655000000LL + 109000000LL);
	assert_true(r.elapsed_ns == 109000000LL);
	assert_span(r.target, r.target_len, "/index.html");
	/* aborted: Ta -1, the date stays the end we know */
	assert_true(parse("10.0.1.2:33318 [06/Feb/2009:12:14:15.000] fe be/<NOSRV> "
	    "-1/-1/-1/-1/-1 503 212 - - SC-- 0/0/0/0/0 0/0 \"GET / HTTP/1.1\"",
	    ALOG_HAPROXY, &r));
	assert_true(r.elapsed_ns == -1);
	assert_int_equal(r.status, 503);
}

static void
test_bad_lines(void **state)
{
	static const char *bad[] = {
		"", "[", "[]", "[99/Foo/2013:18:25:57 -0600] \"\" 502 \"GET / HTTP/1.1\"",
		"[08/Mar/2013:18:25:57 -0600] \"\" 502 \"GET",
		"[08/Mar/2013:25:25:57 -0600] \"\" 502 \"GET / HTTP/1.1\"",
		"1.5 1 a b/c", "x - - [", "garbage line",
		"10.0.0.1:99999 [06/Feb/2009:12:14:14.655] a b 1/2/3/4/5 200 1 \"GET / HTTP/1.1\"",
	};
	struct alog_rec r;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(parse(bad[i], ALOG_AUTO, &r));
	/* a forced format reads nothing else */
	assert_false(parse("1795986179.618 4 10.250.0.11 TCP_MISS/502 3435 GET "
	    "http://x/ - HIER_NONE/- -", ALOG_CLF, &r));
}

static void
test_set(void **state)
{
	static const char *lines[] = {
		"1795986178.640      6 10.250.0.11 TCP_MISS/200 302 GET http://OK.lab.test:8080/squid.html - HIER_DIRECT/10.250.0.80 text/html",
		"not a log line",
		"::ffff:10.250.0.11 - - [29/Nov/2026:21:01:31 +0000] \"CONNECT missing.lab.test:443 HTTP/1.1\" 502 0 \"-\" \"-\"",
		"127.0.0.1 - - [10/Oct/2000:13:55:36 +0200] \"GET /x HTTP/1.0\" 200 1",
	};
	struct alog_set s;
	enum alog_format f;

	(void)state;
	alog_init(&s, ALOG_AUTO);
	s.files[s.nfiles++] = "t.log";
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		alog_add_line(&s, 0, (uint32_t)i + 1, lines[i], strlen(lines[i]));
	assert_int_equal(s.lines, 4);
	assert_int_equal(s.unknown, 1);
	assert_int_equal(s.nunknown_shown, 1);
	assert_int_equal(s.unknown_shown[0].line, 2);
	assert_int_equal(s.nentries, 3);
	assert_int_equal(s.per_format[ALOG_SQUID], 1);
	assert_int_equal(s.per_format[ALOG_CLF], 2);
	assert_string_equal(alog_str(&s, s.entries[0].host), "ok.lab.test");
	assert_int_equal(s.entries[0].port, 8080);
	assert_int_equal(s.entries[0].server.family, 4);
	assert_string_equal(alog_str(&s, s.entries[1].host), "missing.lab.test");
	assert_int_equal(s.entries[1].port, 443);
	assert_string_equal(alog_str(&s, s.entries[2].host), "");
	assert_string_equal(alog_str(&s, s.entries[2].url), "/x");
	assert_null(alog_txn_entry(&s, 1));	/* not matched yet */
	alog_free(&s);
	assert_true(alog_format_parse("nginx", &f) && f == ALOG_CLF);
	assert_true(alog_format_parse("squid", &f) && f == ALOG_SQUID);
	assert_false(alog_format_parse("json", &f));
	assert_string_equal(alog_format_name(ALOG_HAPROXY), "haproxy");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_webgateway_article),
		cmocka_unit_test(test_squid_native),
		cmocka_unit_test(test_ats_squid),
		cmocka_unit_test(test_clf_forms),
		cmocka_unit_test(test_haproxy),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
