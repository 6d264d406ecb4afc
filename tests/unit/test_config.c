/* test_config.c: the YAML configuration file: every key, list and scalar
 * forms, the default location, and errors as FILE:LINE:COL: reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_tmpdir.h"
#include "util/config.h"
#include "util/yamldoc.h"

static char tmpdir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/gwcfgXXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_full(void **state)
{
	struct gw_config c;
	char err[256] = "";
	const char *p = tmpdir_write(tmpdir, "c.yaml",
	    "# comment\nproxy_ports: [9090, 3128]\nstatuses: [502, 504]\n"
	    "timeout: 60\ntheme: light\n");

	(void)state;
	assert_int_equal(config_load(&c, p, err, sizeof err), 0);
	assert_int_equal(c.nproxy_ports, 2);
	assert_int_equal(c.proxy_ports[0], 9090);
	assert_int_equal(c.proxy_ports[1], 3128);
	assert_int_equal(c.nstatuses, 2);
	assert_int_equal(c.statuses[1], 504);
	assert_int_equal(c.timeout_s, 60);
	assert_string_equal(c.theme, "light");
}

static void
test_scalar_forms(void **state)
{
	struct gw_config c;
	char err[256] = "";
	const char *p = tmpdir_write(tmpdir, "s.yaml", "proxy_ports: 8080\n"
	    "statuses: \"502,503\"\n");

	(void)state;
	assert_int_equal(config_load(&c, p, err, sizeof err), 0);
	assert_int_equal(c.nproxy_ports, 1);
	assert_int_equal(c.proxy_ports[0], 8080);
	assert_int_equal(c.nstatuses, 2);
	assert_int_equal(c.statuses[1], 503);
	assert_int_equal(c.timeout_s, 0);	/* unset */
	assert_string_equal(c.theme, "");
}

static void
test_empty_file(void **state)
{
	struct gw_config c;
	char err[256] = "";
	const char *p = tmpdir_write(tmpdir, "e.yaml", "# nothing\n");

	(void)state;
	assert_int_equal(config_load(&c, p, err, sizeof err), 0);
	assert_int_equal(c.nproxy_ports, 0);
}

static void
expect_error(const char *text, const char *pos, const char *what)
{
	struct gw_config c;
	char err[512] = "", want[300];
	const char *p = tmpdir_write(tmpdir, "bad.yaml", text);

	snprintf(want, sizeof want, "%s:%s", p, pos);
	assert_int_equal(config_load(&c, p, err, sizeof err), CONFIG_INVALID);
	if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, what))
		fail_msg("error [%s] does not start with [%s] or lacks [%s]",
		    err, want, what);
	assert_int_equal(c.nproxy_ports, 0);	/* nothing half-applied */
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("proxy_ports: [9090, 70000]\n", "1:21:", "out of range");
	expect_error("timeout: soon\n", "1:10:", "not a number");
	expect_error("statuses: [502, 42]\n", "1:17:", "out of range");
	expect_error("color: red\n", "1:1:", "unknown key 'color'");
	expect_error("proxy_ports: 9090\ntheme: [a, b]\n", "2:8:",
	    "theme must be");
	expect_error("proxy_ports: [9090\n", "", "");
	expect_error("- 1\n- 2\n", "1:1:", "mapping");
	expect_error("proxy_ports: []\n", "1:14:", "empty");
}

/*
 * A document past YAMLDOC_MAX_BYTES is refused before it is parsed (a
 * million keys took 700 MB); one of exactly that size still loads.
 */
static void
test_size_cap(void **state)
{
	static char text[YAMLDOC_MAX_BYTES + 2];
	struct gw_config c;
	char err[512] = "";
	const char *p;

	(void)state;
	memset(text, '#', YAMLDOC_MAX_BYTES);
	memcpy(text, "timeout: 7\n", 11);
	text[YAMLDOC_MAX_BYTES - 1] = '\n';
	p = tmpdir_write(tmpdir, "max.yaml", text);
	assert_int_equal(config_load(&c, p, err, sizeof err), 0);
	assert_int_equal(c.timeout_s, 7);
	text[YAMLDOC_MAX_BYTES - 1] = '#';
	text[YAMLDOC_MAX_BYTES] = '\n';
	expect_error(text, "1:1:", "larger than 64 KiB");
}

static void
test_missing(void **state)
{
	struct gw_config c;
	char err[256] = "", dir[128];

	(void)state;
	/* an explicit file must exist: "FILE: reason", no line:column */
	assert_int_equal(config_load(&c, "/nonexistent/c.yaml", err,
	    sizeof err), CONFIG_UNREADABLE);
	assert_string_equal(err, "/nonexistent/c.yaml: No such file or "
	    "directory");
	/* and be a file: libyaml says only "input error" on a directory */
	assert_int_equal(config_load(&c, tmpdir, err, sizeof err),
	    CONFIG_UNREADABLE);
	assert_non_null(strstr(err, ": Is a directory"));
	/* the default one may be absent */
	snprintf(dir, sizeof dir, "%s/empty", tmpdir);
	setenv("XDG_CONFIG_HOME", dir, 1);
	assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
}

static void
test_default_location(void **state)
{
	struct gw_config c;
	char err[256] = "", d[160];

	(void)state;
	snprintf(d, sizeof d, "%s/gw502tui", tmpdir);
	assert_int_equal(mkdir(d, 0700), 0);
	tmpdir_write(tmpdir, "gw502tui/config.yaml", "timeout: 30\n");
	setenv("XDG_CONFIG_HOME", tmpdir, 1);
	assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
	assert_int_equal(c.timeout_s, 30);
	tmpdir_write(tmpdir, "gw502tui/config.yaml", "timeout: x\n");
	assert_int_equal(config_load(&c, NULL, err, sizeof err),
	    CONFIG_INVALID);
	assert_non_null(strstr(err, "gw502tui/config.yaml:1:10: "));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_scalar_forms),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_default_location),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
