/*
 * live.h: live capture with libpcap. Every packet is appended to a spool
 * file (a private temporary file, or the -w file) before the engine sees
 * it, so follow-stream and export read the spool like any capture file.
 * A capture stream on a pipe (-r -, a FIFO) is captured the same way.
 */
#ifndef GW_LIVE_H
#define GW_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct live_opts {
	const char *iface;	/* "any" allowed */
	const char *stream;	/* or "-" or a FIFO: a pcap/pcapng stream */
	const char *filter;	/* BPF, NULL for none */
	int snaplen;		/* 0: whole packet */
	const char *write_path;	/* -w: keep the capture here; NULL: spool */
	bool force;		/* -w may replace an existing file */
	uint64_t max_bytes;	/* stop capturing at this spool size; 0: no limit */
	unsigned ring_files;	/* --ring N: files of max_bytes, the newest N
				 * kept (0: one spool file) */
};

struct live_stats {
	uint64_t captured;	/* packets written to the spool */
	uint64_t kernel_drops;	/* pcap_stats ps_drop + ps_ifdrop */
	uint64_t spool_bytes;
	bool full;		/* max_bytes reached: capture stopped */
	bool paused;
	bool stream;		/* a capture stream: no kernel, no drops */
	bool ended;		/* the stream has ended (live_notice: how) */
	bool done;		/* nothing more will come: every frame of a
				 * stream that ended was handed on, or an
				 * interface's spool is full */
};

struct live;

/*
 * Opens the interface and the spool. NULL with one line in err, and
 * *bad_filter set when the cause is an -f that does not compile.
 */
struct live *live_open(const struct live_opts *o, bool *bad_filter,
    char *err, size_t errlen);
/*
 * Gives up root for `user` (NULL: $SUDO_USER when run through sudo; nothing
 * to do when not root). The spool changes owner first so it stays readable.
 */
int live_drop_privileges(struct live *l, const char *user, char *err,
    size_t errlen);
int live_fd(const struct live *l);	/* for poll(); -1 if none */
/* The poll timeout to use: 0 while a stream's frames wait, else ms. */
int live_wait_ms(const struct live *l, int ms);
/*
 * Takes up to max waiting packets (never blocks): appends each to the spool
 * and hands it to cb. Returns how many, or -1 with live_error().
 */
typedef void (*live_cb)(void *ctx, const struct frame *f);
int live_read(struct live *l, int max, live_cb cb, void *ctx);
/* Makes every record so far readable in the spool file. */
int live_flush(struct live *l);
void live_pause(struct live *l, bool paused);
/* fresh: ask the kernel now (else a value at most 250 ms old) */
void live_stats(struct live *l, struct live_stats *st, bool fresh);
const char *live_spool_path(const struct live *l);
const char *live_error(const struct live *l);
/*
 * How a stream ended when it was cut in the middle of a record or damaged
 * (one line naming it; the frames before were handed on); "" otherwise.
 */
const char *live_notice(const struct live *l);
/*
 * Copies the spool so far to path (the `w` key), safely; 0 or -1 with err.
 */
int live_save(struct live *l, const char *path, bool force, char *err,
    size_t errlen);
/*
 * Stops capturing. A -w file is moved into place (0, or -1 with err); a
 * private spool is removed.
 */
int live_close(struct live *l, char *err, size_t errlen);

#endif
