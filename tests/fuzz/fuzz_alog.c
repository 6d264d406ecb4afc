/*
 * fuzz_alog.c: one access-log line through every format's parser and into
 * a set (issue 18). Whatever the bytes, a parsed line's strings must lie
 * inside the line, its status be 0 or three digits, its resolution set;
 * adding it must keep the set's counts consistent.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alog/alog.h"

#include "fuzz_common.h"

static void
check_span(const char *line, size_t len, const char *s, size_t n)
{
	if (n == 0)
		return;
	FUZZ_ASSERT(s >= line && s + n <= line + len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alog_set set;
	struct alog_rec r;
	char *line;

	if (size > ALOG_MAX_LINE)
		return 0;
	/* an exact-size copy: any read past the end is ASan's to catch */
	line = malloc(size ? size : 1);
	if (line == NULL)
		abort();
	memcpy(line, data, size);
	for (int f = 0; f < ALOG_FORMAT_COUNT; f++) {
		if (!alog_parse_line(line, size, (enum alog_format)f, &r))
			continue;
		check_span(line, size, r.method, r.method_len);
		check_span(line, size, r.target, r.target_len);
		check_span(line, size, r.server, r.server_len);
		FUZZ_ASSERT(r.method_len > 0 && r.target_len > 0);
		FUZZ_ASSERT(r.status == 0 || (r.status <= 999));
		FUZZ_ASSERT(r.resolution_ns > 0);
		FUZZ_ASSERT(r.format > ALOG_AUTO && r.format < ALOG_FORMAT_COUNT);
	}
	alog_init(&set, ALOG_AUTO);
	set.files[set.nfiles++] = "fuzz";
	alog_add_line(&set, 0, 1, line, size);
	FUZZ_ASSERT(set.lines == 1 && set.nentries + set.unknown == 1);
	if (set.nentries)
		FUZZ_ASSERT(strlen(alog_str(&set, set.entries[0].text)) <= size);
	alog_free(&set);
	free(line);
	return 0;
}
