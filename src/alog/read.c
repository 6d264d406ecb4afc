/*
 * read.c: access-log files into an alog_set. zlib reads gzip and plain
 * files alike (gzread is transparent on bytes that are not gzip), so a
 * rotated access.log.2.gz, a live access.log and stdin go the same way.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "alog.h"

void
alog_init(struct alog_set *s, enum alog_format force)
{
	memset(s, 0, sizeof *s);
	s->force = force;
}

void
alog_free(struct alog_set *s)
{
	free(s->entries);
	free(s->by_txn);
	strpool_free(&s->strings);
	memset(s, 0, sizeof *s);
}

static strref
add_lower(struct strpool *sp, const char *s, size_t len)
{
	char buf[512];

	if (len >= sizeof buf)
		len = sizeof buf - 1;
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	return strpool_add(sp, buf, len);
}

/*
 * Host and port a target names: "host:port" (CONNECT) or the authority of
 * "scheme://host[:port]/…"; an origin-form path names none (false).
 */
static bool
target_host(const char *t, size_t len, bool connect, const char **host,
    size_t *hlen, uint16_t *port)
{
	const char *sep, *end, *colon = NULL;
	unsigned long p = 0;

	*port = 80;
	if (!connect) {
		sep = len > 3 ? memmem(t, len, "://", 3) : NULL;
		if (sep == NULL)
			return false;
		if (sep - t == 5 && strncasecmp(t, "https", 5) == 0)
			*port = 443;
		len -= (size_t)(sep + 3 - t);
		t = sep + 3;
		end = memchr(t, '/', len);
		if (end != NULL)
			len = (size_t)(end - t);
	}
	/* [v6]:port, host:port */
	if (len && t[0] == '[') {
		end = memchr(t, ']', len);
		if (end == NULL)
			return false;
		if ((size_t)(end + 1 - t) < len && end[1] == ':')
			colon = end + 1;
		*host = t + 1;
		*hlen = (size_t)(end - t - 1);
	} else {
		colon = memrchr(t, ':', len);
		*host = t;
		*hlen = colon ? (size_t)(colon - t) : len;
	}
	if (colon != NULL) {
		for (const char *c = colon + 1; c < t + len; c++) {
			if (*c < '0' || *c > '9' || p > 65535)
				return false;
			p = p * 10 + (unsigned long)(*c - '0');
		}
		if (p == 0 || p > 65535)
			return false;
		*port = (uint16_t)p;
	}
	return *hlen > 0;
}

void
alog_add_line(struct alog_set *s, uint32_t file, uint32_t line,
    const char *text, size_t len)
{
	struct alog_rec r;
	struct alog_entry *e;
	const char *host = "";
	size_t hlen = 0;
	uint16_t port = 80;

	s->lines++;
	if (!alog_parse_line(text, len, s->force, &r)) {
		s->unknown++;
		if (s->nunknown_shown < ALOG_MAX_UNKNOWN_SHOWN) {
			struct alog_unknown *u =
			    &s->unknown_shown[s->nunknown_shown++];

			u->file = file;
			u->line = line;
			u->text = strpool_add(&s->strings, text,
			    len > 512 ? 512 : len);
		}
		return;
	}
	if (vec_reserve((void **)&s->entries, &s->entries_cap,
	    s->nentries + 1, sizeof *s->entries, UINT32_MAX / 2) != 0) {
		s->unknown++;	/* out of memory: counted, not kept */
		return;
	}
	s->per_format[r.format]++;
	e = &s->entries[s->nentries++];
	memset(e, 0, sizeof *e);
	e->file = file;
	e->line = line;
	e->format = r.format;
	e->status = r.status;
	e->client = r.client;
	e->client_port = r.client_port;
	e->end_ns = r.end_ns;
	e->elapsed_ns = r.elapsed_ns;
	e->resolution_ns = r.resolution_ns;
	if (r.server_len) {
		char buf[ADDR_STRLEN];

		if (r.server_len < sizeof buf) {
			memcpy(buf, r.server, r.server_len);
			buf[r.server_len] = '\0';
			addr_parse(buf, &e->server);
		}
	}
	if (target_host(r.target, r.target_len, r.method_len == 7 &&
	    memcmp(r.method, "CONNECT", 7) == 0, &host, &hlen, &port))
		e->host = add_lower(&s->strings, host, hlen);
	e->port = port;
	e->text = strpool_add(&s->strings, text, len);
	e->method = strpool_add(&s->strings, r.method, r.method_len);
	e->url = strpool_add(&s->strings, r.target, r.target_len);
}

/*
 * The log's descriptor ("-": a copy of stdin's), or -1 with errno. A
 * directory opens, but gzread then fails on it at line 0, which would be
 * a warning about a damaged tail: it is refused here like a missing file.
 */
static int
open_log(const char *path)
{
	struct stat st;
	int fd;

	fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return -1;
	}
	return fd;
}

int
alog_read(struct alog_set *s, const char *path, char *err, size_t errlen)
{
	const size_t bufsize = ALOG_MAX_LINE + 2;
	char *buf;
	uint32_t file, line = 0;
	bool longline = false;
	gzFile gz;
	int fd, zerr;

	err[0] = '\0';
	if (s->nfiles >= ALOG_MAX_FILES) {
		snprintf(err, errlen, "%s: at most %d access logs", path,
		    ALOG_MAX_FILES);
		return -1;
	}
	if ((buf = malloc(bufsize)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		return -1;
	}
	errno = 0;
	fd = open_log(path);
	if (fd < 0 || (gz = gzdopen(fd, "rb")) == NULL) {
		free(buf);
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno :
		    ENOMEM));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	file = (uint32_t)s->nfiles;
	s->files[s->nfiles++] = path;
	while (gzgets(gz, buf, (int)bufsize) != NULL) {
		size_t len = strlen(buf);
		bool whole = len && buf[len - 1] == '\n';

		/* a line longer than the buffer: counted once, skipped */
		if (longline) {
			longline = !whole;
			continue;
		}
		line++;
		if (!whole && len >= bufsize - 1) {
			s->lines++;
			s->too_long++;
			s->unknown++;
			longline = true;
			continue;
		}
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			len--;
		if (len == 0)
			continue;
		alog_add_line(s, file, line, buf, len);
	}
	if (!gzeof(gz)) {
		const char *m = gzerror(gz, &zerr);

		snprintf(err, errlen, "%s: line %u: %s (the lines before it "
		    "are used)", path, line, zerr == Z_ERRNO ?
		    strerror(errno) : m);
	}
	gzclose(gz);
	free(buf);
	return 0;
}
