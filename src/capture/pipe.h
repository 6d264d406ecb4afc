/*
 * pipe.h: a pcap or pcapng capture arriving on a pipe (`-r -`, a FIFO,
 * `ssh gw tcpdump -U -w - | gw502tui -r -`), cut into whole records as
 * bytes arrive. Internal to capture/: live.c writes the records to its
 * spool and reads the frames back with capfile.c, so a stream is one more
 * kind of live capture.
 */
#ifndef GW_PIPE_H
#define GW_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capfile.h"

struct pipe_in;

/* "-" (standard input) or a FIFO: a capture to read as it arrives. */
bool pipe_is_stream(const char *path);
/*
 * Opens the stream and waits for its capture header (blocking, as
 * `tcpdump -r -` does); NULL with one line in err for a terminal, an
 * empty stream or one that is not a capture. "-" is standard input,
 * duplicated, so that descriptor 0 may then be given to the terminal.
 */
struct pipe_in *pipe_open(const char *path, char *err, size_t errlen);
enum capfile_format pipe_format(const struct pipe_in *p);
/*
 * pcap: the 24-byte file header, which every spool file starts with (it
 * is not returned as a record); pcapng: none (*len 0), the section header
 * is the first record.
 */
const uint8_t *pipe_header(const struct pipe_in *p, size_t *len);
/* For poll(); -1 once the stream has ended. */
int pipe_fd(const struct pipe_in *p);
/*
 * Reads what is waiting, up to max bytes, never blocking: the number of
 * bytes, 0 when nothing was waiting or the stream has ended, -1 on a read
 * error (pipe_error()).
 */
long pipe_fill(struct pipe_in *p, size_t max);
/*
 * The next whole record: 1 with *rec (valid until the next pipe_fill) and
 * *len, *packet when it holds a frame; 0 when more bytes are needed; -1
 * when the stream is damaged here, or ended in the middle of a record
 * (pipe_error() says which, in one line naming the stream).
 */
int pipe_record(struct pipe_in *p, const uint8_t **rec, size_t *len,
    bool *packet);
/* The stream has ended and every whole record was taken. */
bool pipe_ended(const struct pipe_in *p);
const char *pipe_error(const struct pipe_in *p);
/* Closes the stream (a producer still writing gets EPIPE). */
void pipe_close(struct pipe_in *p);

#endif
