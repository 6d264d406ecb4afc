/* unit_tmpdir.h: a private folder for a unit test's files, removed with
 * them (header only: the tests are one file each). */
#ifndef GW_UNIT_TMPDIR_H
#define GW_UNIT_TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Removes the files of dir (not subfolders: the tests make none), then
 * dir itself. */
static inline void
tmpdir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

#endif
