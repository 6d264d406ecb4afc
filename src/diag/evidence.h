/*
 * evidence.h: the one reading of a transaction's evidence. diag decides
 * here, once, which frames belong to a transaction (txn_saw: nothing
 * after its end and the slack, so a late SYN/ACK or RST the verdict
 * ignored shows nowhere) and formats every number with one precision
 * (evidence_fmt_*). The text and JSON reports, the evidence pane and the
 * flow view render these rows and interpret nothing themselves: the screen
 * and the reports cannot disagree.
 *
 * Text fields hold raw text from the network: escape them (esc_term,
 * esc_json) before showing them.
 */
#ifndef GW_EVIDENCE_H
#define GW_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum evidence_kind {
	EK_REQUEST,	/* the client's request */
	EK_ANSWER,	/* the gateway's answer; frame 0: it never answered */
	EK_DNS_QUERY,	/* a look-up; reply_frame: its answer, if seen */
	EK_DNS_ANSWER,	/* that answer (an arrow of its own in the flow) */
	EK_DNS_CACHE,	/* no look-up of its own: the cached answer used */
	EK_CONNECT,	/* a connection attempt starts (no frame) */
	EK_SYN,
	EK_SYNACK,
	EK_RST,		/* the server refused */
	EK_RST_GATEWAY,	/* the gateway reset the connection */
	EK_ICMP,	/* an ICMP error quoting the attempt's SYN */
	EK_NO_REPLY,	/* nothing answered the attempt's SYNs (no frame) */
	EK_FIN_GATEWAY,
	EK_FIN_UPSTREAM,
	EK_UP_REQUEST,	/* the gateway's request upstream */
	EK_UP_REPLY,	/* the upstream's reply; frame 0: none */
	EK_TLS_HELLO,	/* the gateway's TLS ClientHello: name the server
			 * name it asked for, text the version agreed */
	EK_TLS_END,	/* how that handshake failed: kind_name its key
			 * (diag_tls_end_key), text its words, code 1 with
			 * the alert's description in type */
	EK_TLS_REQUEST,	/* the gateway's request after that handshake,
			 * encrypted */
	EK_COUNT
};

/* Who sent a row's frame to whom: the flow view's columns. */
enum evidence_col { EC_CLIENT, EC_GATEWAY, EC_DNS, EC_UPSTREAM, EC_COUNT };

#define EVIDENCE_NUM_MAX 32
#define EVIDENCE_TEXT_MAX 512
#define EVIDENCE_LABEL_MAX 128
#define EVIDENCE_DETAIL_MAX 512

struct evidence_row {
	uint8_t kind;		/* enum evidence_kind */
	uint8_t from, to;	/* enum evidence_col */
	bool bad;		/* shows the failure */
	bool listed;		/* one of the evidence frames (JSON, pane) */
	uint64_t frame;		/* 1-based; 0: a note without a frame */
	uint64_t reply_frame;	/* DNS query: its answer (0: none seen);
				 * DNS cache: the answer used */
	int64_t ts_ns;		/* the frame's time (0 without a frame) */
	uint32_t offset_lo;	/* its reference's (frame.h) */
	uint32_t ref;		/* flow.dns, .conns or .msgs index */
	unsigned seq;		/* SYN: 1-based in its destination's
				 * series; CONNECT:
				 * attempt number, 0 for a pooled
				 * connection that only carried the
				 * request (its rows are not listed) */
	uint8_t type, code;	/* ICMP */
	/* numbers, formatted here once for every output */
	int64_t rel_ns;		/* time from the request */
	int64_t offset_ns;	/* SYN: from the first SYN */
	int64_t interval_ns;	/* SYN: from the previous SYN (0: first) */
	int64_t delay_ns;	/* what delay says; DNS cache: how long
				 * before the request the answer came */
	int64_t prev_interval_ns; /* SYN: the interval before (0: none) */
	/*
	 * Text: built for the screen (EVIDENCE_PANE, EVIDENCE_ARROWS). The
	 * reports' rows (EVIDENCE_REPORT) hold only the text the reports
	 * print as it is: peer (DNS, SYN, RST, ICMP), kind_name (DNS,
	 * ICMP), name (DNS), text (DNS, ICMP, upstream); the rest (the
	 * numbers' strings, a DNS row's answers, the DNS cache's text) stays
	 * empty there and the text report formats it with evidence_fmt_*
	 * as it prints.
	 */
	char rel[EVIDENCE_NUM_MAX];	 /* "+0.036 s" */
	char delay[EVIDENCE_NUM_MAX];	 /* DNS: round trip "1.5 ms";
					  * SYN/ACK, RST, ICMP: after the SYN
					  * it answers; answer: "0.036 s"
					  * after the request */
	char offset[EVIDENCE_NUM_MAX];	 /* SYN: "+3.019 s" */
	char interval[EVIDENCE_NUM_MAX]; /* SYN: "+2.016 s" ("" first) */
	char factor[EVIDENCE_NUM_MAX];	 /* SYN: "2.0" ("" none) */
	char peer[ADDR_STRLEN + 8];	 /* SYN, CONNECT: "[fd00::91]:80";
					  * DNS: server; RST, ICMP: sender */
	char name[EVIDENCE_TEXT_MAX];	/* DNS: the name asked; upstream
					 * reply: why it is not valid HTTP */
	char kind_name[16];	/* DNS: "AAAA"; ICMP: "ICMPv6" */
	char text[EVIDENCE_TEXT_MAX];	/* what it says: rcode, first line,
					 * the ICMP error's name, a note */
	char answers[EVIDENCE_TEXT_MAX];	/* DNS: " 10.0.0.1 CNAME x" */
	char label[EVIDENCE_LABEL_MAX];	/* the flow view's arrow ("" unless
					 * built with arrows) */
	char detail[EVIDENCE_DETAIL_MAX]; /* its details, '\n' separated */
};

/* The reference to r's frame (0: a note), to read it again. */
static inline struct frame_ref
evidence_row_ref(const struct evidence_row *r)
{
	struct frame_ref ref = { .ts_ns = r->ts_ns, .number = r->frame,
	    .offset_lo = r->offset_lo };

	return ref;
}

struct evidence {
	struct evidence_row *rows;
	size_t n, cap;
	char summary[512];		/* diag_summary's sentence */
	const char *remedy;		/* txn_remedy's (static text) */
	struct gw_addr addr[EC_COUNT];	/* first address seen per column */
	/* 1 + the first row of each kind, 0: none (evidence_find starts
	 * there: the reports ask for each kind of row, some many times) */
	size_t first[EK_COUNT];
};

/* What a build fills besides the facts (each mode adds to the one before). */
enum evidence_mode {
	EVIDENCE_REPORT,	/* the text the reports print (see the row) */
	EVIDENCE_PANE,		/* every text field: the evidence pane */
	EVIDENCE_ARROWS		/* and the flow view's label and detail */
};

/*
 * Builds the rows of transaction t as of now_ns (the capture's last
 * time): in the order the reports list them (request and answer, DNS,
 * connection attempts, upstream request and reply), with the text that
 * mode asks for. 0, or -1 (memory).
 */
int evidence_build(struct evidence *ev, const struct diag *dg,
    const struct flow *fl, const struct txn *t, int64_t now_ns,
    enum evidence_mode mode);
/*
 * The numbers' text, one precision for every output, into buf (at least
 * EVIDENCE_NUM_MAX bytes); each returns buf. delay: "0.036 s" for the
 * answer (after the request), "1.5 ms" otherwise; rel, offset, interval:
 * "+3.019 s"; factor: "2.0", "" without an interval before.
 */
const char *evidence_fmt_delay(const struct evidence_row *r, char *buf,
    size_t len);
const char *evidence_fmt_secs(int64_t ns, char *buf, size_t len);
const char *evidence_fmt_factor(const struct evidence_row *r, char *buf,
    size_t len);
/* An answered DNS row's answers: " 10.0.0.1 CNAME x" (the first four). */
const char *evidence_fmt_answers(const struct flow *fl,
    const struct evidence_row *r, char *buf, size_t len);
/* The DNS cache row's text: which answer, how long before, its TTL. */
const char *evidence_fmt_cache(const struct flow *fl,
    const struct evidence_row *r, char *buf, size_t len);
void evidence_free(struct evidence *ev);
/* The listed frames, sorted and unique; returns how many were written. */
size_t evidence_frames(const struct evidence *ev, uint64_t *out, size_t max);
const char *evidence_col_name(enum evidence_col c);
/* Row k of the kind, or NULL. */
const struct evidence_row *evidence_find(const struct evidence *ev,
    enum evidence_kind kind, size_t k);
/* The last row of a kind, or NULL (the upstream exchange the verdict is
 * on comes after those of the connections the gateway retried on). */
const struct evidence_row *evidence_find_last(const struct evidence *ev,
    enum evidence_kind kind);

#endif
