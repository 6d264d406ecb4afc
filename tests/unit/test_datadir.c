/* test_datadir.c: the data search path: XDG folders (absolute only, else
 * under $HOME), the compiled-in prefix, the executable's prefix and the
 * source tree, in that order, without repeats or cut-off names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/datadir.h"

static char dirs[DATADIR_MAX][DATADIR_PATH_MAX];

/* The build folder: this test runs as BUILD/tests/test_datadir. */
static void
build_dir(char *out, size_t outlen)
{
	ssize_t len = readlink("/proc/self/exe", out, outlen - 1);
	char *slash;

	assert_true(len > 0);
	out[len] = '\0';
	assert_non_null(slash = strrchr(out, '/'));
	*slash = '\0';
	assert_non_null(slash = strrchr(out, '/'));
	*slash = '\0';
}

static void
test_order(void **state)
{
	char build[DATADIR_PATH_MAX], want[DATADIR_PATH_MAX + 32];
	size_t n;

	(void)state;
	build_dir(build, sizeof build);
	setenv("XDG_CONFIG_HOME", "/c", 1);
	setenv("XDG_DATA_HOME", "/d", 1);
	/* BUILD/tests exists: listed as the "source tree" folder */
	n = datadir_dirs("tests", dirs, DATADIR_MAX);
	assert_int_equal(n, 5);
	assert_string_equal(dirs[0], "/c/gw502tui/tests");
	assert_string_equal(dirs[1], "/d/gw502tui/tests");
	assert_string_equal(dirs[2], GW_DATADIR "/tests");
	snprintf(want, sizeof want, "%s/share/gw502tui/tests", build);
	assert_string_equal(dirs[3], want);
	snprintf(want, sizeof want, "%s/tests", build);
	assert_string_equal(dirs[4], want);
	/* BUILD/no-such-folder does not exist: not listed */
	assert_int_equal(datadir_dirs("no-such-folder", dirs, DATADIR_MAX), 4);
	assert_int_equal(datadir_dirs("tests", dirs, 2), 2);
}

static void
test_xdg_fallbacks(void **state)
{
	(void)state;
	setenv("HOME", "/h", 1);
	setenv("XDG_CONFIG_HOME", "relative", 1);	/* ignored: not absolute */
	unsetenv("XDG_DATA_HOME");
	datadir_dirs("themes", dirs, DATADIR_MAX);
	assert_string_equal(dirs[0], "/h/.config/gw502tui/themes");
	assert_string_equal(dirs[1], "/h/.local/share/gw502tui/themes");
	assert_string_equal(dirs[2], GW_DATADIR "/themes");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	datadir_dirs("themes", dirs, DATADIR_MAX);
	assert_string_equal(dirs[0], GW_DATADIR "/themes");
}

static void
test_no_repeat_no_cut(void **state)
{
	char big[DATADIR_PATH_MAX + 8], share[DATADIR_PATH_MAX], *slash;
	size_t n, i;

	(void)state;
	unsetenv("HOME");
	memset(big, 'x', sizeof big - 1);
	big[0] = '/';
	big[sizeof big - 1] = '\0';
	setenv("XDG_CONFIG_HOME", big, 1);	/* would be cut: left out */
	/* $XDG_DATA_HOME/gw502tui is GW_DATADIR: listed once */
	snprintf(share, sizeof share, "%s", GW_DATADIR);
	assert_non_null(slash = strrchr(share, '/'));
	assert_string_equal(slash, "/gw502tui");
	*slash = '\0';
	setenv("XDG_DATA_HOME", share, 1);
	n = datadir_dirs("themes", dirs, DATADIR_MAX);
	assert_true(n >= 2);
	assert_string_equal(dirs[0], GW_DATADIR "/themes");
	for (i = 1; i < n; i++)
		assert_string_not_equal(dirs[i], dirs[0]);
	setenv("XDG_DATA_HOME", "/d", 1);
	setenv("XDG_CONFIG_HOME", "/c", 1);
	n = datadir_dirs("themes", dirs, DATADIR_MAX);
	for (i = 0; i < n; i++)
		assert_true(strlen(dirs[i]) < DATADIR_PATH_MAX);
}

static void
test_describe(void **state)
{
	char out[DATADIR_MAX * (DATADIR_PATH_MAX + 2)], small[24];

	(void)state;
	setenv("XDG_CONFIG_HOME", "/c", 1);
	setenv("XDG_DATA_HOME", "/d", 1);
	datadir_describe("themes", out, sizeof out);
	assert_memory_equal(out, "/c/gw502tui/themes, /d/gw502tui/themes, "
	    GW_DATADIR "/themes, ", 40 + strlen(GW_DATADIR) + 9);
	datadir_describe("themes", small, sizeof small);
	assert_string_equal(small, "/c/gw502tui/themes, /d/");
}

int
main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_xdg_fallbacks),
		cmocka_unit_test(test_no_repeat_no_cut),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(t, NULL, NULL);
}
