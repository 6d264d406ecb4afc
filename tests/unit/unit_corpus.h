/* unit_corpus.h: every file of the public corpus (../shared/corpus/public,
 * or $GW_CORPUS) handed to a test's function; skipped when it is absent
 * (header only: the tests are one file each). */
#ifndef GW_UNIT_CORPUS_H
#define GW_UNIT_CORPUS_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

/* Calls each on every regular file under dir (symlinks not followed);
 * the number of files. */
static inline int
corpus_walk(const char *dir, int depth, void (*each)(const char *path))
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[4096];
	struct stat st;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(p, sizeof p, "%s/%s", dir, de->d_name) >=
		    (int)sizeof p || lstat(p, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 8) {
			n += corpus_walk(p, depth + 1, each);
		} else if (S_ISREG(st.st_mode)) {
			each(p);
			n++;
		}
	}
	closedir(d);
	return n;
}

/* The corpus's folder; the test is skipped when there is none. */
static inline const char *
corpus_dir(void)
{
	const char *dir = getenv("GW_CORPUS");
	struct stat st;

	if (dir == NULL || *dir == '\0')
		dir = "../shared/corpus/public";
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		print_message("corpus %s not found, skipped\n", dir);
		skip();
	}
	return dir;
}

#endif
