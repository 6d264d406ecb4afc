/*
 * engine.h: drives a capture through the layers (capture → proto → flow →
 * diag) in slices, so a caller can redraw or report progress in between.
 * The UI and the reports read engine->flow and engine->diag, nothing else.
 */
#ifndef GW_ENGINE_H
#define GW_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capfile.h"
#include "diag/diag.h"
#include "flow/flow.h"

struct peer;
struct alog_set;
struct prefetch;

struct engine_opts {
	uint16_t proxy_ports[FLOW_MAX_PROXY_PORTS];
	size_t nproxy_ports;
	uint16_t statuses[16];
	size_t nstatuses;
	int64_t timeout_ns;
	struct gw_addr gateway;
	struct gw_addr client;	/* -c: only this client (family 0: all) */
	bool settled_only;	/* diagnose no open request (reports) */
	bool conn_budget_set;	/* --conn-budget: else the flow layer's */
	size_t conn_budget;
	/* -j: 2 reads and decodes a file in a second thread (prefetch.c);
	 * 0 or 1, on the engine's */
	unsigned threads;
};

void engine_default_opts(struct engine_opts *o);

struct engine {
	struct capfile *cap;	/* the reading thread's while pf is running */
	struct prefetch *pf;	/* frames read and decoded ahead, or NULL */
	bool pf_tried;		/* whether to start pf was decided */
	struct flow flow;
	struct diag diag;
	struct engine_opts opts;
	bool eof;		/* the whole file has been read */
	bool damaged;		/* it ended with an error: see error */
	/* the caller evicts (diag_evict_begin, in steps), not engine_step
	 * and engine_diagnose_begin: the screen */
	bool evict_by_caller;
	struct peer *peer;	/* --peer: the next hop's capture, or NULL */
	/* --access-log, matched to the transactions (alog_match); NULL: none */
	const struct alog_set *alog;
	char error[512];
};

/* An engine fed by hand (live capture): see engine_feed. */
int engine_init(struct engine *e, const struct engine_opts *o, char *err,
    size_t errlen);
/* Takes one frame (a live packet already written to the spool). */
void engine_feed(struct engine *e, const struct frame *f);
/* One end of a TCP connection and the other, as a segment names them. */
struct engine_tcp_key {
	struct gw_addr a, b;
	uint16_t aport, bport;
};
/* keys[0..n) and the connection f is a segment of, unless it is there,
 * or f is none (not TCP, or a fragment), or there are `max` already: the
 * new n. */
size_t engine_tcp_keys_add(struct engine_tcp_key *keys, size_t n,
    size_t max, const struct frame *f);
/*
 * engine_feed for a segment of one of keys[0..n) (either way) or an IP
 * fragment (its datagram's connection is not known yet); anything else
 * is left. Reading a message in several segments again (rows.c) from a
 * busy capture, the frames between its segments are other connections'.
 */
void engine_feed_tcp(struct engine *e, const struct frame *f,
    const struct engine_tcp_key *keys, size_t n);
/* No more frames will come: ends what the end of the capture ends. */
void engine_finish(struct engine *e);
/* engine_init and a capture file to read; 0, or -1 with one line in err. */
int engine_open(struct engine *e, const char *path,
    const struct engine_opts *o, char *err, size_t errlen);
/* Bytes of the file the frames fed so far came from (for progress). */
uint64_t engine_pos(const struct engine *e);
/*
 * Reads up to max_frames frames (0: all). Returns 1 while there is more,
 * 0 at the end of the file (also after a damaged tail: e->damaged).
 */
int engine_step(struct engine *e, uint64_t max_frames);
/* Links evidence and sets verdicts (final once eof). */
void engine_diagnose(struct engine *e);
/*
 * engine_diagnose in bounded steps (a screen polls its keys between
 * them): engine_diagnose_begin takes what was read, then each
 * engine_diagnose_step diagnoses at most `budget` transactions and
 * returns true once the diagnosis is complete. Nothing may be read in
 * between; the verdicts are engine_diagnose's.
 */
void engine_diagnose_begin(struct engine *e);
bool engine_diagnose_step(struct engine *e, size_t budget);
/*
 * Live capture: the wall clock moves on without packets, and a request
 * still waiting keeps ageing (it times out with nothing captured). The
 * model's "now" is the engine's to move, never a view's.
 */
void engine_tick(struct engine *e, int64_t now_ns);
/*
 * What the model had to leave out (limits reached, over-long heads,
 * requests that were not HTTP), as one line; "" when nothing was.
 */
void engine_notice(const struct engine *e, char *out, size_t outlen);
/* "-p PORTS" naming a reverse proxy's ports no proxy port names (flow's
 * relaying ports); how many of those, 0: none. *host: the relaying one. */
size_t engine_ports_hint(const struct engine *e, char *out, size_t outlen,
    struct gw_addr *host);
void engine_close(struct engine *e);

#endif
