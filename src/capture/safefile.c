/* safefile.c: temporary file, then link/rename into place (safefile.h). */
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
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

/*
 * A file with no name yet (O_TMPFILE), in the destination's folder: a
 * process killed before the commit leaves nothing behind. Only where the
 * kernel and file system have it and /proc/self/fd can give it a name.
 */
static int
open_anonymous(const char *dir)
{
#ifdef O_TMPFILE
	char proc[64];
	struct stat st;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	if (stat(proc, &st) == 0)
		return fd;
	close(fd);
#else
	(void)dir;
#endif
	return -1;
}

int
safefile_temp(const char *final_path, bool anonymous, char *tmp,
    size_t tmplen, char *err, size_t errlen)
{
	char dir[4096];
	int fd, n;

	if (dir_of(final_path, dir, sizeof dir) < 0 ||
	    (n = snprintf(tmp, tmplen, "%s/.gw502tui-XXXXXX", dir)) < 0 ||
	    (size_t)n >= tmplen) {
		snprintf(err, errlen, "%s: path too long", final_path);
		return -1;
	}
	if (anonymous && (fd = open_anonymous(dir)) >= 0) {
		tmp[0] = '\0';
		return fd;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
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

/*
 * Does the chain of symbolic links from path pass through /proc (a magic
 * link such as /proc/self/fd/1, whatever it points to now)? Too long a
 * chain counts as yes.
 */
static bool
link_via_proc(const char *path)
{
	char cur[4096], target[4096], dir[4096];
	struct statfs sf;
	struct stat st;
	ssize_t n;

	snprintf(cur, sizeof cur, "%s", path);
	for (int hop = 0; hop < 40; hop++) {
		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			return false;
		if ((n = readlink(cur, target, sizeof target - 1)) < 0)
			return true;
		target[n] = '\0';
		if (target[0] == '/')
			snprintf(cur, sizeof cur, "%s", target);
		else if (dir_of(cur, dir, sizeof dir) < 0 ||
		    snprintf(cur, sizeof cur, "%s/%s", dir, target) >=
		    (int)sizeof cur)
			return true;
		if (dir_of(cur, dir, sizeof dir) < 0 || (statfs(dir, &sf) == 0 &&
		    sf.f_type == PROC_SUPER_MAGIC))
			return true;
	}
	return true;
}

int
safefile_replaceable(const char *final_path, char *err, size_t errlen)
{
	struct stat st;
	bool ok;

	if (lstat(final_path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", final_path, strerror(errno));
		return -1;
	}
	ok = S_ISREG(st.st_mode) || (S_ISLNK(st.st_mode) &&
	    !link_via_proc(final_path) && stat(final_path, &st) == 0 &&
	    S_ISREG(st.st_mode));
	if (!ok)
		snprintf(err, errlen, "%s: not a regular file (--force only "
		    "replaces a regular file or a link to one)", final_path);
	return ok ? 0 : -1;
}

/* Gives an anonymous file the name `to` (link(2) semantics: never replaces). */
static int
link_anonymous(int fd, const char *to)
{
	char proc[64];

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, AT_FDCWD, to, AT_SYMLINK_FOLLOW);
}

/*
 * Forced, anonymous: a fresh name in the folder first (link cannot
 * replace), then rename(2) over the old file in one step.
 */
static int
replace_anonymous(int fd, const char *final_path)
{
	char tmp[4200], dir[4096];
	int e;

	if (link_anonymous(fd, final_path) == 0)
		return 0;
	if (errno != EEXIST || dir_of(final_path, dir, sizeof dir) < 0)
		return -1;
	for (int tries = 0; tries < 16; tries++) {
		int t;

		snprintf(tmp, sizeof tmp, "%s/.gw502tui-XXXXXX", dir);
		if ((t = mkostemp(tmp, O_CLOEXEC)) < 0)
			return -1;
		close(t);
		(void)unlink(tmp);
		if (link_anonymous(fd, tmp) < 0) {
			if (errno == EEXIST)
				continue;
			return -1;
		}
		if (rename(tmp, final_path) == 0)
			return 0;
		e = errno;
		(void)unlink(tmp);
		errno = e;
		return -1;
	}
	return -1;
}

int
safefile_commit(int fd, const char *tmp, const char *final_path, bool force,
    char *err, size_t errlen)
{
	bool anonymous = tmp[0] == '\0';
	int rc;

	if (force && safefile_replaceable(final_path, err, errlen) < 0)
		return -1;
	if (anonymous)
		rc = force ? replace_anonymous(fd, final_path) :
		    link_anonymous(fd, final_path);
	else if (force)
		rc = rename(tmp, final_path);
	else if ((rc = link(tmp, final_path)) == 0)
		(void)unlink(tmp);
	else if (rename_noreplace(tmp, final_path))
		rc = 0;
	if (rc < 0) {
		if (errno == EEXIST && !force)
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

void
safefile_discard(const char *tmp)
{
	if (tmp[0] != '\0')
		(void)unlink(tmp);
}
