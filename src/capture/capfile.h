/*
 * capfile.h: sequential and random-access reading of a capture file.
 * pcap goes through libpcap; pcapng through our own block reader, because
 * libpcap 1.10 stops at an interface whose link type differs from the first.
 */
#ifndef GW_CAPFILE_H
#define GW_CAPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

/* Classic pcap: the file header, then a record header before each frame. */
#define CAPFILE_PCAP_HDR_LEN 24
#define CAPFILE_PCAP_REC_LEN 16

struct capfile;

enum capfile_format { CAPFILE_PCAP, CAPFILE_PCAPNG };

/* NULL on failure, with one line (naming the file) in err. */
struct capfile *capfile_open(const char *path, char *err, size_t errlen);
/*
 * 1: *f holds the next frame; 0: clean end of file; -1: the file is damaged
 * or truncated from here on (capfile_error() says why; frames read so far
 * stay valid).
 */
int capfile_next(struct capfile *cf, struct frame *f);
/*
 * Positions the reader at a record's offset (from an earlier frame) so that
 * the next capfile_next() returns that record again, numbered `number`.
 */
int capfile_seek(struct capfile *cf, uint64_t offset, uint64_t number);
const char *capfile_error(const struct capfile *cf);
const char *capfile_path(const struct capfile *cf);
enum capfile_format capfile_format(const struct capfile *cf);
uint64_t capfile_size(const struct capfile *cf);	/* bytes, for progress */
uint64_t capfile_pos(const struct capfile *cf);		/* bytes read so far */
/* Finest timestamp resolution of the file: 6 (µs) or 9 (ns). */
int capfile_ts_digits(const struct capfile *cf);
uint32_t capfile_snaplen(const struct capfile *cf);
/* Frames whose link type the decoders do not know, counted by caller. */
void capfile_close(struct capfile *cf);

#endif
