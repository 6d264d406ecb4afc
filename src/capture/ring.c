/*
 * ring.c: reading and writing the ring index (ring.h). Format:
 *
 *     gw502tui-ring 1
 *     SEQ FIRST-FRAME NAME
 *     …
 *
 * one line per member still on disk, oldest first; NAME has no '/'.
 */
#include "ring.h"
#include "safefile.h"

#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A decimal number from 1 to max, or false. */
static bool
index_number(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && *v >= 1 && *v <= max;
}

/* One member line into m (after prev, if any); false with err. */
static bool
index_line(const char *line, const struct ring_member *prev,
    struct ring_member *m, const char *where, char *err, size_t errlen)
{
	char seq[24], first[24];
	unsigned long long s, f;
	int used = 0;

	if (sscanf(line, "%20[0-9] %20[0-9] %255[^/\n]%n", seq, first,
	    m->name, &used) != 3 || line[used] != '\n') {
		snprintf(err, errlen, "%s: not a ring index line", where);
		return false;
	}
	/* a larger one would not fit an offset: it would name another file */
	if (!index_number(seq, RING_MAX_SEQ, &s)) {
		snprintf(err, errlen, "%s: sequence number %s is not from 1 to "
		    "%lu", where, seq, RING_MAX_SEQ);
		return false;
	}
	if (!index_number(first, RING_MAX_FIRST, &f)) {
		snprintf(err, errlen, "%s: first frame number %s is not from 1 "
		    "to %llu", where, first, RING_MAX_FIRST);
		return false;
	}
	if (prev != NULL && (s <= prev->seq || f < prev->first)) {
		snprintf(err, errlen, "%s: not a ring index line (members out "
		    "of order)", where);
		return false;
	}
	m->seq = (uint32_t)s;
	m->first = f;
	return true;
}

int
ring_index_read(const char *path, struct ring_index *ri, char *err,
    size_t errlen)
{
	char line[512], where[4200];
	FILE *fp = fopen(path, "rb");
	size_t lineno = 1;

	ri->n = 0;
	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fgets(line, sizeof line, fp) == NULL ||
	    strncmp(line, RING_MAGIC "\n", sizeof RING_MAGIC) != 0) {
		fclose(fp);
		return 0;
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		lineno++;
		snprintf(where, sizeof where, "%s:%zu", path, lineno);
		if (ri->n >= RING_MAX_FILES) {
			snprintf(err, errlen, "%s: more than %d ring files",
			    where, RING_MAX_FILES);
			fclose(fp);
			return -1;
		}
		if (!index_line(line, ri->n ? &ri->m[ri->n - 1] : NULL,
		    &ri->m[ri->n], where, err, errlen)) {
			fclose(fp);
			return -1;
		}
		ri->n++;
	}
	fclose(fp);
	return 1;
}

int
ring_index_write(const char *path, const struct ring_index *ri, char *err,
    size_t errlen)
{
	char tmp[4200];
	FILE *fp;
	int fd, ok;

	if ((fd = safefile_temp(path, true, tmp, sizeof tmp, err, errlen)) < 0)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		safefile_discard(tmp);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fputs(RING_MAGIC "\n", fp);
	for (size_t i = 0; i < ri->n; i++)
		fprintf(fp, "%" PRIu32 " %" PRIu64 " %s\n", ri->m[i].seq,
		    ri->m[i].first, ri->m[i].name);
	ok = fflush(fp) == 0 && !ferror(fp) && fchmod(fd, 0644) == 0;
	if (!ok)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	/* replaced whole: a reader sees the old index or the new one */
	else if (safefile_commit(fd, tmp, path, true, err, errlen) < 0)
		ok = 0;
	else
		tmp[0] = '\0';
	if (fclose(fp) != 0 && ok) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ok = 0;
	}
	safefile_discard(tmp);
	return ok ? 0 : -1;
}

void
ring_member_path(const char *index_path, const struct ring_member *m,
    char *out, size_t outlen)
{
	const char *slash = strrchr(index_path, '/');

	if (slash == NULL)
		snprintf(out, outlen, "%s", m->name);
	else
		snprintf(out, outlen, "%.*s/%s", (int)(slash - index_path),
		    index_path, m->name);
}
