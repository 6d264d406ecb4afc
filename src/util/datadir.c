/*
 * datadir.c: the data search path of datadir.h. The executable's own
 * location comes from /proc/self/exe, which names the real file even when
 * it was started through a symlink (./gw502tui → build/gw502tui) or from
 * another current directory.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datadir.h"

/* Adds BASE MID/SUB unless it is cut off or already listed. */
static size_t
dir_add(char (*dirs)[DATADIR_PATH_MAX], size_t n, size_t max,
    const char *base, const char *mid, const char *sub)
{
	char path[DATADIR_PATH_MAX];
	int w;
	size_t i;

	if (n >= max)
		return n;
	w = snprintf(path, sizeof path, "%s%s/%s", base, mid, sub);
	if (w < 0 || (size_t)w >= sizeof path)
		return n;
	for (i = 0; i < n; i++)
		if (strcmp(dirs[i], path) == 0)
			return n;
	memcpy(dirs[n], path, (size_t)w + 1);
	return n + 1;
}

/* An XDG base folder: the variable when absolute (the spec ignores
 * relative ones), else $HOME/fallback; false when neither is usable. */
static bool
xdg_dir(const char *var, const char *fallback, char *out, size_t outlen)
{
	const char *v = getenv(var), *h = getenv("HOME");
	int w;

	if (v && v[0] == '/')
		w = snprintf(out, outlen, "%s", v);
	else if (h && h[0] == '/')
		w = snprintf(out, outlen, "%s/%s", h, fallback);
	else
		return false;
	return w > 0 && (size_t)w < outlen;
}

/* The folder above the executable's folder: /usr for /usr/bin/gw502tui. */
static bool
exe_prefix(char *out, size_t outlen)
{
	ssize_t len;
	char *slash;
	int k;

	if (outlen < 2)
		return false;
	len = readlink("/proc/self/exe", out, outlen - 1);
	if (len <= 0 || (size_t)len >= outlen - 1)
		return false;
	out[len] = '\0';
	for (k = 0; k < 2; k++) {
		if ((slash = strrchr(out, '/')) == NULL)
			return false;
		*slash = '\0';
	}
	return true;	/* "" for an executable in /bin: the root */
}

static bool
is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

size_t
datadir_dirs(const char *sub, char (*dirs)[DATADIR_PATH_MAX], size_t max)
{
	char base[DATADIR_PATH_MAX];
	size_t n = 0, before;

	if (xdg_dir("XDG_CONFIG_HOME", ".config", base, sizeof base))
		n = dir_add(dirs, n, max, base, "/gw502tui", sub);
	if (xdg_dir("XDG_DATA_HOME", ".local/share", base, sizeof base))
		n = dir_add(dirs, n, max, base, "/gw502tui", sub);
	n = dir_add(dirs, n, max, GW_DATADIR, "", sub);
	if (!exe_prefix(base, sizeof base))
		return n;
	n = dir_add(dirs, n, max, base, "/share/gw502tui", sub);
	before = n;
	n = dir_add(dirs, n, max, base, "", sub);
	/* the source tree only when there is one: not /usr/SUB */
	if (n > before && !is_dir(dirs[n - 1]))
		n--;
	return n;
}

void
datadir_describe(const char *sub, char *out, size_t outlen)
{
	char dirs[DATADIR_MAX][DATADIR_PATH_MAX];
	size_t n, i, at = 0;
	int w;

	if (outlen == 0)
		return;
	out[0] = '\0';
	n = datadir_dirs(sub, dirs, DATADIR_MAX);
	for (i = 0; i < n && at < outlen; i++) {
		w = snprintf(out + at, outlen - at, "%s%s", i ? ", " : "",
		    dirs[i]);
		if (w < 0)
			break;
		at += (size_t)w;
	}
}
