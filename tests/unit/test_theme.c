/* test_theme.c: theme YAML loading, errors with FILE:LINE:COL, colours,
 * degradation to 8 colours, search path and the bundled themes. */
#include <limits.h>
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

#include "ui/theme.h"

/* tests/run.sh runs the tests from the top of the source tree */
#ifndef SRCDIR
#define SRCDIR "."
#endif

static int
load(const char *text, struct theme *t, char *err, size_t errlen)
{
	return theme_load_string(text, strlen(text), "t.yaml", t, err, errlen);
}

static void
test_elements_named(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < TE_COUNT; i++) {
		assert_string_not_equal(theme_elem_name(i), "?");
		assert_int_equal(theme_elem_by_name(theme_elem_name(i)), i);
	}
	assert_int_equal(theme_elem_by_name("nope"), -1);
}

static void
test_colors(void **state)
{
	int16_t c;

	(void)state;
	assert_true(theme_parse_color("red", &c));
	assert_int_equal(c, 1);
	assert_true(theme_parse_color("bright-red", &c));
	assert_int_equal(c, 9);
	assert_true(theme_parse_color("bright_blue", &c));
	assert_int_equal(c, 12);
	assert_true(theme_parse_color("default", &c));
	assert_int_equal(c, -1);
	assert_true(theme_parse_color("208", &c));
	assert_int_equal(c, 208);
	assert_true(theme_parse_color("#ff0000", &c));
	assert_int_equal(c, 196);
	assert_true(theme_parse_color("#808080", &c));
	assert_true(c >= 232 || (c >= 16 && c < 232));
	assert_false(theme_parse_color("256", &c));
	assert_false(theme_parse_color("purple", &c));
	assert_false(theme_parse_color("#12345", &c));
	assert_false(theme_parse_color("#zz0000", &c));
}

static void
test_degrade(void **state)
{
	(void)state;
	assert_int_equal(theme_degrade(-1, 8), -1);
	assert_int_equal(theme_degrade(3, 8), 3);
	assert_int_equal(theme_degrade(9, 8), 1);
	assert_int_equal(theme_degrade(8, 8), 7);
	assert_int_equal(theme_degrade(196, 8), 1);	/* red */
	assert_int_equal(theme_degrade(21, 8), 4);	/* blue */
	assert_int_equal(theme_degrade(226, 8), 3);	/* yellow */
	assert_int_equal(theme_degrade(231, 8), 7);	/* white */
	assert_int_equal(theme_degrade(16, 8), 0);	/* black */
	assert_int_equal(theme_degrade(255, 8), 7);
	assert_int_equal(theme_degrade(233, 8), 0);
	assert_int_equal(theme_degrade(200, 256), 200);
}

static void
test_load_ok(void **state)
{
	struct theme t, def;
	char err[256] = "";

	(void)state;
	theme_builtin(&def);
	assert_int_equal(load("name: x\nelements:\n"
	    "  border: { fg: red, bg: 17, attrs: [bold, underline] }\n"
	    "  header: { attrs: reverse dim }\n", &t, err, sizeof err), 0);
	assert_string_equal(t.name, "x");
	assert_int_equal(t.st[TE_BORDER].fg, 1);
	assert_int_equal(t.st[TE_BORDER].bg, 17);
	assert_int_equal(t.st[TE_BORDER].attrs, TA_BOLD | TA_UNDERLINE);
	/* a named element's missing colours are "default" */
	assert_int_equal(t.st[TE_HEADER].fg, -1);
	assert_int_equal(t.st[TE_HEADER].bg, -1);
	assert_int_equal(t.st[TE_HEADER].attrs, TA_REVERSE | TA_DIM);
	/* elements not named keep the built-in style */
	assert_memory_equal(&t.st[TE_SELECTED], &def.st[TE_SELECTED],
	    sizeof t.st[0]);
}

static void
expect_error(const char *text, const char *where, const char *what)
{
	struct theme t, def;
	char err[256] = "";

	assert_int_equal(load(text, &t, err, sizeof err), -1);
	if (strncmp(err, where, strlen(where)) != 0 || !strstr(err, what))
		fail_msg("error [%s] does not start with [%s] or lacks [%s]",
		    err, where, what);
	theme_builtin(&def);	/* on error the theme is the default */
	assert_memory_equal(t.st, def.st, sizeof t.st);
}

static void
test_load_errors(void **state)
{
	(void)state;
	expect_error("name: x\nelements:\n  border: { fg: purple }\n",
	    "t.yaml:3:17:", "unknown colour 'purple'");
	expect_error("elements:\n  bordr: { fg: red }\n", "t.yaml:2:3:",
	    "unknown element 'bordr'");
	expect_error("elements:\n  border: { fg: red, attrs: [blinky] }\n",
	    "t.yaml:2:30:", "unknown attribute 'blinky'");
	expect_error("elements:\n  border: { fx: red }\n", "t.yaml:2:13:",
	    "unknown key 'fx'");
	expect_error("elements:\n  border: red\n", "t.yaml:2:11:",
	    "needs a mapping");
	expect_error("colours: 8\n", "t.yaml:1:1:", "unknown key 'colours'");
	expect_error("- a\n- b\n", "t.yaml:1:1:", "must be a mapping");
	expect_error("elements: { border: { fg: red }\n", "t.yaml:", "");
	expect_error("", "t.yaml:1:1:", "empty theme file");
}

static void
test_bundled_themes(void **state)
{
	static const char *const names[] = {
		"default", "light", "mono", "high-contrast", "dusk-256"
	};
	struct theme t, def;
	char path[THEME_PATH_MAX], err[512];
	size_t i;
	int e;

	(void)state;
	theme_builtin(&def);
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/themes/%s.yaml", SRCDIR, names[i]);
		if (theme_load_file(path, &t, err, sizeof err) != 0)
			fail_msg("%s", err);
		assert_string_equal(t.name, names[i]);
	}
	/* the bundled default is the built-in one */
	snprintf(path, sizeof path, "%s/themes/default.yaml", SRCDIR);
	assert_int_equal(theme_load_file(path, &t, err, sizeof err), 0);
	for (e = 0; e < TE_COUNT; e++)
		if (memcmp(&t.st[e], &def.st[e], sizeof t.st[e]) != 0)
			fail_msg("themes/default.yaml differs from the built-in "
			    "theme at %s", theme_elem_name(e));
}

static void
test_missing_file(void **state)
{
	struct theme t;
	char err[512];

	(void)state;
	assert_int_equal(theme_load_file("/nonexistent/x.yaml", &t, err,
	    sizeof err), -1);
	assert_true(strncmp(err, "/nonexistent/x.yaml:1:1: ", 25) == 0);
}

static void
test_search_path(void **state)
{
	char dir[] = "/tmp/gwthemeXXXXXX", sub[256], file[300], out[1024];
	char names[8][THEME_NAME_MAX], src[PATH_MAX], here[PATH_MAX];
	char data[300];
	size_t n, i;
	bool found = false;
	FILE *fp;

	(void)state;
	assert_non_null(getcwd(here, sizeof here));
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof sub, "%s/gw502tui", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof sub, "%s/gw502tui/themes", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(file, sizeof file, "%s/zz-mine.yaml", sub);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fputs("name: zz-mine\n", fp);
	fclose(fp);
	setenv("XDG_CONFIG_HOME", dir, 1);
	assert_int_equal(theme_find("zz-mine", out, sizeof out), 0);
	assert_string_equal(out, file);
	assert_int_equal(theme_find(file, out, sizeof out), 0);
	assert_int_equal(theme_find("no-such-theme", out, sizeof out), -1);
	/* $XDG_DATA_HOME/gw502tui/themes too (here the same folder), before
	 * the installed ones, whatever the current folder */
	assert_non_null(realpath(SRCDIR "/themes/light.yaml", src));
	snprintf(data, sizeof data, "%s/light.yaml", sub);
	assert_int_equal(symlink(src, data), 0);
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	setenv("XDG_DATA_HOME", dir, 1);
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(theme_find("light", out, sizeof out), 0);
	assert_string_equal(out, data);
	n = theme_list(names, 8);
	assert_true(n >= 3);
	assert_string_equal(names[0], "default");
	for (i = 0; i < n; i++)
		found |= strcmp(names[i], "zz-mine") == 0;
	assert_true(found);
	assert_int_equal(chdir(here), 0);
	unsetenv("XDG_DATA_HOME");
	unsetenv("XDG_CONFIG_HOME");
	unlink(data);
	unlink(file);
	rmdir(sub);
	snprintf(sub, sizeof sub, "%s/gw502tui", dir);
	rmdir(sub);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elements_named),
		cmocka_unit_test(test_colors),
		cmocka_unit_test(test_degrade),
		cmocka_unit_test(test_load_ok),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_bundled_themes),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_search_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
