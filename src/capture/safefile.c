/* safefile.c: temporary file, then link/rename into place (safefile.h). */
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Directory part of `path` into buf ("." when there is none). */
static int
dir_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (slash == NULL)
		n = snprintf(buf, len, ".");
	else if (slash == path)
		n = snprintf(buf, len, "/");
	else
		n = snprintf(buf, len, "%.*s", (int)(slash - path), path);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * For file systems without hard links (vfat, some FUSE): the same
 * never-replace promise from renameat2(), where the kernel has it.
 * Returns true when done; errno is kept otherwise.
 */
static bool
rename_noreplace(const char *from, const char *to)
{
#ifdef RENAME_NOREPLACE
	int e = errno;

	if (e != EPERM && e != ENOTSUP && e != EOPNOTSUPP)
		return false;
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return true;
	if (errno != EEXIST)
		errno = e;
	return false;
#else
	(void)from;
	(void)to;
	return false;
#endif
}

/* Makes the directory entry durable; best effort. */
static void
sync_dir(const char *path)
{
	char dir[4096];
	int fd;

	if (dir_of(path, dir, sizeof dir) < 0)
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int
safefile_temp(const char *final_path, char *tmp, size_t tmplen, char *err,
    size_t errlen)
{
	char dir[4096];
	int fd, n;

	if (dir_of(final_path, dir, sizeof dir) < 0 ||
	    (n = snprintf(tmp, tmplen, "%s/.gw502tui-XXXXXX", dir)) < 0 ||
	    (size_t)n >= tmplen) {
		snprintf(err, errlen, "%s: path too long", final_path);
		return -1;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		snprintf(err, errlen, "%s: %s", final_path, strerror(errno));
		tmp[0] = '\0';
		return -1;
	}
	return fd;
}

bool
safefile_exists(const char *final_path)
{
	struct stat st;

	return lstat(final_path, &st) == 0;
}

int
safefile_commit(const char *tmp, const char *final_path, bool force,
    char *err, size_t errlen)
{
	if (force) {
		if (rename(tmp, final_path) < 0) {
			snprintf(err, errlen, "%s: %s", final_path,
			    strerror(errno));
			return -1;
		}
	} else if (link(tmp, final_path) == 0) {
		(void)unlink(tmp);
	} else if (!rename_noreplace(tmp, final_path)) {
		if (errno == EEXIST)
			snprintf(err, errlen, "%s: file exists (use --force to "
			    "overwrite)", final_path);
		else
			snprintf(err, errlen, "%s: %s", final_path,
			    strerror(errno));
		return -1;
	}
	sync_dir(final_path);
	return 0;
}
