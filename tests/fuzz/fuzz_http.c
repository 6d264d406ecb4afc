/*
 * fuzz_http.c: the HTTP/1.x head parser and the URL/authority splitters.
 * Input byte 0 picks request or response; the rest is the stream. Besides
 * memory safety it checks what stream.c relies on: the parser is rerun on
 * a growing buffer as segments arrive, so the verdict on a prefix must not
 * contradict the verdict on the whole (no INVALID that later turns OK, no
 * head that ends at a different place), whatever the segmentation.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/http.h"

#include "fuzz_common.h"

static void
check_head(const struct http_head *h, enum http_result r, size_t len)
{
	FUZZ_TERMINATED(h->method);
	FUZZ_TERMINATED(h->target);
	FUZZ_TERMINATED(h->reason);
	FUZZ_TERMINATED(h->host);
	if (r == HTTP_OK) {
		FUZZ_ASSERT(h->head_len > 0 && h->head_len <= len);
		FUZZ_ASSERT(h->head_len <= HTTP_HEAD_MAX);
		if (!h->is_request)
			FUZZ_ASSERT(h->status >= 100 && h->status <= 999);
	}
	if (r == HTTP_INVALID)
		FUZZ_ASSERT(h->error != NULL);
}

static enum http_result
parse(bool req, const uint8_t *buf, size_t len, struct http_head *h)
{
	/* an exact-size copy so that ASan catches a read past len */
	uint8_t *copy = malloc(len ? len : 1);
	enum http_result r;

	if (copy == NULL)
		abort();
	memcpy(copy, buf, len);
	r = req ? http_parse_request(copy, len, h) :
	    http_parse_response(copy, len, h);
	free(copy);
	check_head(h, r, len);
	return r;
}

static void
split(const char *s)
{
	char host[HTTP_HOST_MAX], small[4];
	uint16_t port;

	if (http_url_host(s, host, sizeof host, &port))
		FUZZ_TERMINATED(host);
	if (http_split_authority(s, host, sizeof host, &port))
		FUZZ_TERMINATED(host);
	(void)http_split_authority(s, small, sizeof small, &port);
	(void)http_url_host(s, small, 1, &port);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_head *full, *part;
	enum http_result rf, rp;
	char *s;
	size_t line_len;
	bool req;
	size_t step, k;

	if (size < 1)
		return 0;
	req = (data[0] & 1) == 0;
	data++;
	size--;
	full = malloc(sizeof *full);
	part = malloc(sizeof *part);
	if (full == NULL || part == NULL)
		abort();

	rf = parse(req, data, size, full);
	if (rf == HTTP_OK && req) {
		split(full->target);
		split(full->host);
	}
	/* prefixes: every length for short inputs, a sample for long ones */
	step = size <= 512 ? 1 : size / 64;
	for (k = 0; k < size; k += step) {
		rp = parse(req, data, k, part);
		if (rf == HTTP_OK) {
			if (k < full->head_len)
				FUZZ_ASSERT(rp == HTTP_INCOMPLETE);
			else
				FUZZ_ASSERT(rp == HTTP_OK &&
				    part->head_len == full->head_len);
		} else if (rf == HTTP_INCOMPLETE) {
			FUZZ_ASSERT(rp == HTTP_INCOMPLETE);
		}
	}

	/* the first line: within the bytes, no CR, LF or NUL in it */
	line_len = http_line_text_len(data, size);
	FUZZ_ASSERT(line_len <= size);
	FUZZ_ASSERT(line_len == 0 || (memchr(data, '\n', line_len) == NULL &&
	    memchr(data, '\r', line_len) == NULL &&
	    memchr(data, '\0', line_len) == NULL));
	s = fuzz_strdup(data, size);
	split(s);
	free(s);
	free(full);
	free(part);
	return 0;
}
