/*
 * peer.h: the next hop's capture read beside the gateway's (--peer, issue
 * 17). The peer capture goes through the same decoders; its packets are
 * indexed compactly (frame number, time, file offset and two hashes: no
 * bytes are kept). The gateway's upstream packets are matched to them by
 * what NAT between the two capture points leaves alone: TCP sequence and
 * acknowledgement numbers, flags, length and IP id; DNS id and question;
 * the sequence number an ICMP error quotes. The clock offset between the
 * captures is the median of the matched time differences. For a failing
 * request, peer_explain says where between the gateway and the destination
 * it failed, with the peer's frames that show it.
 */
#ifndef GW_PEER_H
#define GW_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../engine.h"

/* Where a failing request failed, seen from the next hop (JSON "where"). */
enum peer_where {
	PEER_NONE = 0,		/* nothing to place (or nothing shared) */
	PEER_LOST_BEFORE,	/* sent by the gateway, never seen at the hop */
	PEER_BEYOND,		/* forwarded by the hop, nothing came back */
	PEER_LOST_AFTER,	/* the answer reached the hop, not the gateway */
	PEER_HOP_REJECTS,	/* the RST / ICMP error was made by the hop */
	PEER_FROM_BEYOND,	/* it came from beyond the hop, unchanged */
	PEER_ALTERED,		/* the reply differs between hop and gateway */
	PEER_NOT_IN_PEER,	/* the peer capture does not cover it */
	PEER_WHERE_COUNT
};

/* What was placed: the connection attempts, the look-up, or the reply. */
enum peer_what { PEER_WHAT_CONNECT = 0, PEER_WHAT_DNS, PEER_WHAT_REPLY };

#define PEER_MAX_FRAMES 32	/* peer frames named per request */

struct peer_verdict {
	uint8_t where;		/* enum peer_where */
	uint8_t what;		/* enum peer_what */
	int32_t diff_at;	/* PEER_ALTERED: first differing reply byte */
	size_t nframes;
	uint64_t frames[PEER_MAX_FRAMES];	/* peer frame numbers, sorted */
	char summary[384];
};

/* A gateway frame seen at the hop (peer_seen). */
struct peer_sighting {
	uint64_t frame;		/* peer frame number */
	int64_t ts_ns;		/* when, in the gateway's clock */
};

struct peer;

/*
 * Opens the peer capture, indexes it and matches the gateway capture
 * (e->cap's file, read again) against it; sets e->peer. 0, or -1 with one
 * line in err (unreadable file, a gateway capture that is not a file).
 */
int peer_attach(struct engine *e, const char *path, char *err, size_t errlen);
/* peer_attach for the command line: the error, or the pairing's
 * status line, on stderr; 0 or 1 (the exit status). */
int peer_load(struct engine *e, const char *path);
void peer_close(struct peer *pr);
/* One line on the pairing: packets matched, the offset and its spread,
 * or that the two captures share nothing. */
const char *peer_status(const struct peer *pr);
/* Did the captures share any packet? (Else no request is placed.) */
bool peer_shares(const struct peer *pr);
struct peer_pairing {
	uint64_t matched;	/* gateway packets seen at the hop */
	uint64_t considered;	/* gateway packets that could have been */
	int64_t offset_ns;	/* peer clock − gateway clock (median) */
	int64_t spread_ns;	/* median |difference − offset| */
};
void peer_pairing(const struct peer *pr, struct peer_pairing *out);
/* Places a failing transaction; false when there is nothing to place. */
bool peer_explain(struct peer *pr, const struct engine *e,
    const struct txn *t, struct peer_verdict *v);
/* The evidence pane's column: was this gateway frame seen at the hop? */
bool peer_seen(struct peer *pr, const struct frame_ref *gw_frame,
    struct peer_sighting *out);
/*
 * The export of a selected range with the hop beside it: gateway frames
 * first..last and the hop's frames of the same moment (from the first's
 * time to the last's, give or take the clock offset's spread) and those
 * peer_explain placed outside that (placed, NULL: none; the reports'
 * peer_frames), as one pcapng with the gateway's and the hop's
 * interfaces, the hop's times on the gateway's clock. 0 and *written, or
 * -1 with one line in err.
 */
int peer_export_pair(struct peer *pr, const struct frame_ref *first,
    const struct frame_ref *last, const struct peer_verdict *placed,
    const char *out_path, bool force,
    uint64_t *written, char *err, size_t errlen);
const char *peer_where_key(enum peer_where w);	/* "lost-before-hop" */
/* What to do about it, naming the place (specific, unlike cause_remedy). */
const char *peer_remedy(const struct peer_verdict *v);
/* The reports' additions: JSON ',"next_hop":{…}', text "Next hop:" lines. */
void peer_report_json(FILE *out, const struct engine *e, const struct txn *t);
void peer_report_text(FILE *out, const struct engine *e, const struct txn *t);

#endif
