/*
 * terminfo.c: is $TERM a terminal type terminfo knows? Asked before
 * newterm(), which on an unknown type leaks the screen it began (ncurses'
 * new_prescr, reported by LeakSanitizer); setupterm() frees what it made.
 * Apart from ui.c because <term.h> defines macros such as `lines`.
 *
 * A box without a terminfo database (an appliance, a chroot; issue 16)
 * still gets a screen for the common types: their compiled entries are
 * built in (build/gen/terminfo_builtin.inc, made by
 * tools/terminfo_builtin.sh from the build system's terminfo), and the one
 * $TERM names is written into a private directory that $TERMINFO then
 * names for newterm(); the directory is removed at exit. Debian's ncurses
 * has no --with-fallbacks, hence the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ui_int.h"	/* first: <term.h>'s macros would rename its fields */

#include <term.h>

struct ti_builtin {
	const char *name;
	const char *bytes;	/* the compiled entry, NULs included */
	size_t len;
};

#define TI(name, bytes) { name, bytes, sizeof(bytes) - 1 },
static const struct ti_builtin ti_builtins[] = {
#include "terminfo_builtin.inc"
};
#undef TI

/* Where the built-in entry was written, for the exit handler: the only
 * state kept here, because atexit() passes its handler nothing. */
static struct {
	char dir[PATH_MAX];	/* $TERMINFO: the private directory */
	char sub[PATH_MAX];	/* dir/x: ncurses looks under the first letter */
	char file[PATH_MAX];	/* dir/x/xterm */
} ti_private;

static void
ti_private_remove(void)
{
	if (ti_private.file[0] != '\0')
		unlink(ti_private.file);
	if (ti_private.sub[0] != '\0')
		rmdir(ti_private.sub);
	rmdir(ti_private.dir);
}

static const struct ti_builtin *
ti_builtin_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof ti_builtins / sizeof ti_builtins[0]; i++)
		if (strcmp(ti_builtins[i].name, name) == 0)
			return &ti_builtins[i];
	return NULL;
}

/* Writes the entry into dir/x/name, the layout ncurses reads. */
static bool
ti_write_entry(const struct ti_builtin *b)
{
	size_t off = 0;
	int fd, n;

	n = snprintf(ti_private.sub, sizeof ti_private.sub, "%s/%c",
	    ti_private.dir, b->name[0]);
	if (n < 0 || (size_t)n >= sizeof ti_private.sub ||
	    mkdir(ti_private.sub, 0700) != 0) {
		ti_private.sub[0] = '\0';
		return false;
	}
	n = snprintf(ti_private.file, sizeof ti_private.file, "%s/%s",
	    ti_private.sub, b->name);
	if (n < 0 || (size_t)n >= sizeof ti_private.file) {
		ti_private.file[0] = '\0';
		return false;
	}
	/* a fresh directory only we can write: nothing to clobber */
	fd = open(ti_private.file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		ti_private.file[0] = '\0';
		return false;
	}
	while (off < b->len) {
		ssize_t w = write(fd, b->bytes + off, b->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	return close(fd) == 0 && off == b->len;
}

/* The built-in entry of $TERM, if there is one, as $TERMINFO. */
static bool
ti_builtin_install(void)
{
	const struct ti_builtin *b = ti_builtin_find(getenv("TERM"));
	const char *tmpdir = getenv("TMPDIR");
	int n;

	if (b == NULL || ti_private.dir[0] != '\0')
		return false;	/* unknown type, or written and still failing */
	n = snprintf(ti_private.dir, sizeof ti_private.dir,
	    "%s/.gw502tui-terminfo-XXXXXX",
	    tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (n < 0 || (size_t)n >= sizeof ti_private.dir ||
	    mkdtemp(ti_private.dir) == NULL) {	/* mode 0700 */
		ti_private.dir[0] = '\0';
		return false;
	}
	atexit(ti_private_remove);
	return ti_write_entry(b) && setenv("TERMINFO", ti_private.dir, 1) == 0;
}

bool
ui_terminfo_known(void)
{
	int term_err = 0;

	if (setupterm(NULL, STDOUT_FILENO, &term_err) != OK &&
	    (!ti_builtin_install() ||
	    setupterm(NULL, STDOUT_FILENO, &term_err) != OK))
		return false;
	del_curterm(cur_term);	/* newterm() loads its own */
	return true;
}
