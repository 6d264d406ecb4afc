/*
 * fuzz_common.h: small helpers shared by the libFuzzer harnesses in
 * tests/fuzz/ (issue 7). Header-only so each harness is one file.
 */
#ifndef GW_FUZZ_COMMON_H
#define GW_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A crash libFuzzer records, with a message naming the broken property. */
#define FUZZ_ASSERT(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, \
	    #cond); abort(); } } while (0)

/* A string field must be NUL-terminated inside its array. */
#define FUZZ_TERMINATED(arr) FUZZ_ASSERT(memchr((arr), 0, sizeof(arr)) != NULL)

/*
 * A file the code under test can open by path, rewritten for every input:
 * a memfd seen as /proc/self/fd/N (no disk, nothing left behind).
 */
struct fuzz_file {
	int fd;
	char path[64];
};

static inline void
fuzz_file_init(struct fuzz_file *ff, const char *name)
{
	ff->fd = memfd_create(name, 0);
	if (ff->fd < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(ff->path, sizeof ff->path, "/proc/self/fd/%d", ff->fd);
}

static inline void
fuzz_file_set(struct fuzz_file *ff, const uint8_t *data, size_t size)
{
	size_t off = 0;

	if (ftruncate(ff->fd, 0) != 0)
		abort();
	while (off < size) {
		ssize_t w = pwrite(ff->fd, data + off, size - off, (off_t)off);
		if (w <= 0)
			abort();
		off += (size_t)w;
	}
}

/* A NUL-terminated heap copy (exactly size+1 bytes, so ASan sees overreads). */
static inline char *
fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
