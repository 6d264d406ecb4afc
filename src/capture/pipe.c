/*
 * pipe.c: a capture stream cut into whole records (pipe.h). Only the
 * framing is read here (record lengths, the byte order of each pcapng
 * section); the records themselves are decoded by capfile.c once they are
 * in the spool, so a stream and a file are read by the same code.
 */
#include "pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "byteorder.h"
#include "pcapng.h"

#define BT_SHB		0x0A0D0D0Au	/* the same in both byte orders */
#define PCAPNG_BOM	0x1A2B3C4Du
#define FIRST_BUF	(256 * 1024)
/* A record longer than this is damage: bounds what a length can ask. */
#define MAX_RECORD	PCAPNG_MAX_BLOCK

struct pipe_in {
	int fd;			/* -1 once closed */
	char name[256];		/* for messages: "stdin" or the path */
	enum capfile_format fmt;
	bool be;		/* pcap file / current pcapng section */
	bool eof;
	uint8_t hdr[CAPFILE_PCAP_HDR_LEN];	/* pcap's file header */
	uint8_t *buf;
	size_t cap, start, end;	/* unread bytes: buf[start, end) */
	size_t need;		/* the length of the record begun, if known */
	uint64_t frames;	/* packet records taken */
	char err[512];
};

bool
pipe_is_stream(const char *path)
{
	struct stat st;

	return strcmp(path, "-") == 0 ||
	    (stat(path, &st) == 0 && S_ISFIFO(st.st_mode));
}

/* Room for `need` unread bytes from buf[0]: moves them to the front. */
static int
make_room(struct pipe_in *p, size_t need)
{
	size_t cap = p->cap;
	uint8_t *nb;

	if (p->start > 0) {
		memmove(p->buf, p->buf + p->start, p->end - p->start);
		p->end -= p->start;
		p->start = 0;
	}
	while (cap < need)
		cap *= 2;
	if (cap == p->cap)
		return 0;
	if ((nb = realloc(p->buf, cap)) == NULL) {
		snprintf(p->err, sizeof p->err, "%s: out of memory", p->name);
		return -1;
	}
	p->buf = nb;
	p->cap = cap;
	return 0;
}

/* One read(2) into the free space: bytes, 0 at the end, -1 on error. */
static long
read_some(struct pipe_in *p, size_t max)
{
	size_t room = p->cap - p->end;
	ssize_t n;

	if (room > max)
		room = max;
	do
		n = read(p->fd, p->buf + p->end, room);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(p->err, sizeof p->err, "%s: %s", p->name,
		    strerror(errno));
		return -1;
	}
	if (n == 0)
		p->eof = true;
	p->end += (size_t)n;
	return (long)n;
}

/* Blocks until `need` unread bytes are there: 1, 0 at the end, -1. */
static int
wait_bytes(struct pipe_in *p, size_t need)
{
	if (make_room(p, need) < 0)
		return -1;
	while (p->end - p->start < need) {
		long n = read_some(p, p->cap - p->end);

		if (n <= 0)
			return (int)n;
	}
	return 1;
}

/* The first bytes: which format, its byte order; the pcap header taken. */
static int
read_header(struct pipe_in *p, char *err, size_t errlen)
{
	static const uint8_t pcap_le[][4] = {
		{ 0xd4, 0xc3, 0xb2, 0xa1 }, { 0x4d, 0x3c, 0xb2, 0xa1 },
		{ 0x34, 0xcd, 0xb2, 0xa1 },
	};
	static const uint8_t pcap_be[][4] = {
		{ 0xa1, 0xb2, 0xc3, 0xd4 }, { 0xa1, 0xb2, 0x3c, 0x4d },
		{ 0xa1, 0xb2, 0xcd, 0x34 },
	};
	const uint8_t *b;
	int rc = wait_bytes(p, 4);
	size_t i;

	if (rc < 0) {
		snprintf(err, errlen, "%s", p->err);
		return -1;
	}
	b = p->buf + p->start;
	if (rc == 0) {
		snprintf(err, errlen, "%s: %s", p->name, p->end == p->start ?
		    "empty: the stream ended before any capture header" :
		    "the stream ended inside its capture header");
		return -1;
	}
	if (byteorder_32(b, false) == BT_SHB) {
		p->fmt = CAPFILE_PCAPNG;
		return 0;	/* the section header is the first record */
	}
	p->fmt = CAPFILE_PCAP;
	for (i = 0; i < 3; i++) {
		if (memcmp(b, pcap_le[i], 4) == 0)
			break;
		if (memcmp(b, pcap_be[i], 4) == 0) {
			p->be = true;
			break;
		}
	}
	if (i == 3) {
		snprintf(err, errlen, "%s: not a pcap or pcapng capture stream "
		    "(it starts with %02x %02x %02x %02x)", p->name, b[0], b[1],
		    b[2], b[3]);
		return -1;
	}
	if ((rc = wait_bytes(p, sizeof p->hdr)) <= 0) {
		snprintf(err, errlen, "%s", rc < 0 ? p->err : "");
		if (rc == 0)
			snprintf(err, errlen, "%s: the stream ended inside the "
			    "pcap file header", p->name);
		return -1;
	}
	memcpy(p->hdr, p->buf + p->start, sizeof p->hdr);
	p->start += sizeof p->hdr;
	return 0;
}

struct pipe_in *
pipe_open(const char *path, char *err, size_t errlen)
{
	struct pipe_in *p = calloc(1, sizeof *p);
	bool in = strcmp(path, "-") == 0;
	struct stat st;

	if (p == NULL || (p->buf = malloc(FIRST_BUF)) == NULL) {
		free(p);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	p->cap = FIRST_BUF;
	snprintf(p->name, sizeof p->name, "%s", in ? "stdin" : path);
	p->fd = in ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3) :
	    open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0) {
		snprintf(err, errlen, "%s: %s", p->name, strerror(errno));
	} else if (isatty(p->fd)) {
		snprintf(err, errlen, "%s: a terminal, not a capture stream "
		    "(pipe one in: tcpdump -U -w - | gw502tui -r -)", p->name);
	} else if (fstat(p->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", p->name, strerror(EISDIR));
	} else if (read_header(p, err, errlen) == 0) {
		return p;
	}
	pipe_close(p);
	return NULL;
}

enum capfile_format
pipe_format(const struct pipe_in *p)
{
	return p->fmt;
}

const uint8_t *
pipe_header(const struct pipe_in *p, size_t *len)
{
	*len = p->fmt == CAPFILE_PCAP ? sizeof p->hdr : 0;
	return p->hdr;
}

int
pipe_fd(const struct pipe_in *p)
{
	return p->eof ? -1 : p->fd;
}

long
pipe_fill(struct pipe_in *p, size_t max)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	size_t have = p->end - p->start;
	size_t need = p->need > have ? p->need : have + 1;

	if (p->eof || p->fd < 0)
		return 0;
	/* never a wait: poll only says whether read(2) would block */
	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	/* the record begun must fit; only its tail is ever moved */
	if ((p->end == p->cap || p->cap - p->start < need) &&
	    make_room(p, need) < 0)
		return -1;
	return read_some(p, max);
}

/*
 * The length of the record at the front, or 0 when more bytes are needed
 * to know it; -1 when it cannot be a record.
 */
static long
record_len(struct pipe_in *p, const uint8_t *b, size_t have)
{
	uint32_t len;

	if (p->fmt == CAPFILE_PCAP) {
		if (have < CAPFILE_PCAP_REC_LEN)
			return 0;
		len = byteorder_32(b + 8, p->be);
		if (len > MAX_RECORD) {
			snprintf(p->err, sizeof p->err, "%s: frame %llu: a "
			    "record of %lu bytes: the stream is damaged from "
			    "here", p->name, (unsigned long long)p->frames + 1,
			    (unsigned long)len);
			return -1;
		}
		return (long)(CAPFILE_PCAP_REC_LEN + len);
	}
	if (have < 12)
		return 0;
	if (byteorder_32(b, false) == BT_SHB) {
		if (byteorder_32(b + 8, true) == PCAPNG_BOM)
			p->be = true;
		else if (byteorder_32(b + 8, false) == PCAPNG_BOM)
			p->be = false;
		else {
			snprintf(p->err, sizeof p->err, "%s: pcapng section "
			    "after frame %llu: bad byte-order magic", p->name,
			    (unsigned long long)p->frames);
			return -1;
		}
	}
	len = byteorder_32(b + 4, p->be);
	if (len % 4 != 0 || len < 12 || len > MAX_RECORD) {
		snprintf(p->err, sizeof p->err, "%s: pcapng block after frame "
		    "%llu: bad block length %lu: the stream is damaged from "
		    "here", p->name, (unsigned long long)p->frames,
		    (unsigned long)len);
		return -1;
	}
	return (long)len;
}

int
pipe_record(struct pipe_in *p, const uint8_t **rec, size_t *len,
    bool *packet)
{
	const uint8_t *b = p->buf + p->start;
	size_t have = p->end - p->start;
	long need = record_len(p, b, have);
	uint32_t type;

	if (need < 0)
		return -1;
	if (need == 0 || (size_t)need > have) {
		p->need = (size_t)need;
		if (!p->eof || have == 0)
			return 0;
		if (need > 0)
			snprintf(p->err, sizeof p->err, "%s: the stream ended "
			    "in the middle of a record (%zu of its %ld bytes) "
			    "after frame %llu", p->name, have, need,
			    (unsigned long long)p->frames);
		else
			snprintf(p->err, sizeof p->err, "%s: the stream ended "
			    "in the middle of a record header (%zu bytes) "
			    "after frame %llu", p->name, have,
			    (unsigned long long)p->frames);
		return -1;
	}
	type = p->fmt == CAPFILE_PCAP ? 0 : byteorder_32(b, p->be);
	*packet = p->fmt == CAPFILE_PCAP || type == 2 || type == 3 ||
	    type == 6;	/* pcapng: packet, simple and enhanced packet */
	if (*packet)
		p->frames++;
	*rec = b;
	*len = (size_t)need;
	p->start += (size_t)need;
	return 1;
}

bool
pipe_ended(const struct pipe_in *p)
{
	return p->eof && p->start == p->end;
}

const char *
pipe_error(const struct pipe_in *p)
{
	return p->err;
}

void
pipe_close(struct pipe_in *p)
{
	if (p == NULL)
		return;
	if (p->fd >= 0)
		close(p->fd);
	free(p->buf);
	free(p);
}
