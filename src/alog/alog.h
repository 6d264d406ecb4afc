/*
 * alog.h: the gateway's access log beside the capture, or without one
 * (issue 18). Administrators start from a complaint and a log line; this
 * module reads access logs (Web Gateway, squid, Common/Combined Log Format
 * of nginx, Apache and the lab's mitmproxy addon, haproxy), ties each
 * logged request to its transaction in the capture, and, with no capture,
 * turns the log into a triage: 5xx per minute, the failing hosts and
 * clients, and the capture command that will explain them next time.
 *
 * Layering: parse.c is a pure decoder over one line (no allocation, every
 * length checked: fuzz_alog), read.c fills a set from files (.gz through
 * zlib, "-" for stdin), match.c reads the diagnosed model and never
 * changes it, report.c prints.
 */
#ifndef GW_ALOG_H
#define GW_ALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../util/addr.h"
#include "../util/vec.h"

struct engine;

enum alog_format {
	ALOG_AUTO = 0,		/* detected from each line */
	ALOG_WEBGATEWAY,	/* McAfee/Skyhigh Web Gateway default */
	ALOG_SQUID,		/* squid's native access.log */
	ALOG_CLF,		/* Common / Combined Log Format */
	ALOG_HAPROXY,		/* haproxy "option httplog" */
	ALOG_ATS,		/* Traffic Server's "squid" format */
	ALOG_FORMAT_COUNT
};

#define ALOG_MAX_LINE 16384	/* longer lines are counted, not parsed */
#define ALOG_MAX_FILES 32	/* --access-log given this many times */

/* "webgateway", "squid", "clf", "haproxy"; NULL for ALOG_AUTO. */
const char *alog_format_name(enum alog_format f);
/* The format a --log-format NAME means (also "combined", "common",
 * "nginx", "apache", "mwg", "mitmproxy"); false when none. */
bool alog_format_parse(const char *name, enum alog_format *out);

/* One parsed line; the strings point into the line (not NUL-ended). */
struct alog_rec {
	uint8_t format;		/* enum alog_format */
	int64_t end_ns;		/* when the answer was sent, log clock, UTC */
	int64_t elapsed_ns;	/* request to answer, -1 when not logged */
	int64_t resolution_ns;	/* 1 s for [dd/Mon/yyyy:hh:mm:ss], else 1 ms */
	struct gw_addr client;	/* family 0: not logged (or a name) */
	uint16_t client_port;	/* 0: not logged */
	uint16_t status;	/* 0: not logged ("-", 000) */
	const char *method, *target, *server;
	size_t method_len, target_len, server_len;
	/* target: the request target as logged (absolute URL, origin-form
	 * path, or host:port of a CONNECT); server: the upstream address the
	 * proxy used when it logs one (squid's HIER_DIRECT/ADDR) */
};

/*
 * Parses one line (without its newline) in format f (ALOG_AUTO: each
 * format in turn). Returns false for a line no format reads.
 */
bool alog_parse_line(const char *line, size_t len, enum alog_format f,
    struct alog_rec *out);

/* A logged request kept in a set. */
struct alog_entry {
	uint32_t file;		/* index into alog_set.files */
	uint32_t line;		/* 1-based line number */
	uint8_t format;
	uint16_t status;
	uint16_t client_port;
	uint16_t port;		/* upstream port the URL names (80, 443 …) */
	struct gw_addr client;
	struct gw_addr server;	/* family 0: not logged */
	int64_t end_ns, elapsed_ns, resolution_ns;
	strref text;		/* the whole line */
	strref method;
	strref url;		/* absolute URL; host:port for CONNECT;
				 * an origin-form path when no host is logged */
	strref host;		/* lower case, "" when the log has none */
	uint32_t txn_id;	/* matched transaction, 0: none */
	uint8_t unmatched;	/* enum alog_reason once matched */
};

/* Why a logged request has no transaction (JSON "reason"). */
enum alog_reason {
	ALOG_MATCHED = 0,
	ALOG_OUTSIDE_CAPTURE,	/* its time is outside the capture's span */
	ALOG_STARTED_BEFORE,	/* it began before the capture started */
	ALOG_CLIENT_ABSENT,	/* the capture has no traffic of its client */
	ALOG_NOT_FOUND,		/* in the span, client seen, no such request */
	ALOG_REASON_COUNT
};
const char *alog_reason_key(enum alog_reason r);	/* "outside-capture" */
const char *alog_reason_text(enum alog_reason r);

#define ALOG_MAX_UNKNOWN_SHOWN 10	/* unknown lines kept for display */

struct alog_unknown {
	uint32_t file, line;
	strref text;
};

struct alog_set {
	const char *files[ALOG_MAX_FILES];	/* as given ("-": stdin) */
	size_t nfiles;
	enum alog_format force;			/* --log-format, or AUTO */
	struct alog_entry *entries;
	size_t nentries, entries_cap;
	struct strpool strings;
	uint64_t lines, unknown, too_long;
	uint64_t per_format[ALOG_FORMAT_COUNT];
	struct alog_unknown unknown_shown[ALOG_MAX_UNKNOWN_SHOWN];
	size_t nunknown_shown;
	/* filled by alog_match */
	bool matched;
	int64_t offset_ns;	/* log clock minus capture clock */
	size_t anchors;		/* unambiguous matches the offset came from */
	size_t nmatched;
	uint32_t *by_txn;	/* entry indices sorted by txn_id */
	size_t nby_txn;
};

void alog_init(struct alog_set *s, enum alog_format force);
void alog_free(struct alog_set *s);
/*
 * Reads one file ("-": stdin; gzip or plain, told by its bytes). Returns 0,
 * or -1 with "FILE: reason" in err; a damaged gzip tail is a warning in
 * err with 0 returned (what was read is kept).
 */
int alog_read(struct alog_set *s, const char *path, char *err,
    size_t errlen);
/* Adds one line (tests and alog_read). */
void alog_add_line(struct alog_set *s, uint32_t file, uint32_t line,
    const char *text, size_t len);
static inline const char *alog_str(const struct alog_set *s, strref r)
{
	return strpool_get(&s->strings, r);
}

/*
 * Ties each entry to the diagnosed transaction it logs: same client (when
 * logged), method and URL, compatible status, and end time within the
 * tolerance once the log's clock offset is known. The offset is the median
 * over the unambiguous pairs (one candidate each way, time not used). The
 * engine is read, not changed.
 */
void alog_match(struct alog_set *s, const struct engine *e);
/* The entry logged for a transaction, or NULL (none, or not matched). */
const struct alog_entry *alog_txn_entry(const struct alog_set *s,
    uint32_t txn_id);

/*
 * report.c. Per transaction, after alog_match: JSON ',"log":{…}' or
 * ',"log":null'; text "    Log:  FILE:LINE TEXT" or "    Log:  not in the
 * access log". Both print nothing when s is NULL (no --access-log).
 */
void alog_json_txn(FILE *out, const struct alog_set *s, uint32_t txn_id);
void alog_text_txn(FILE *out, const struct alog_set *s, uint32_t txn_id);
/*
 * After the transactions: each logged 5xx with no transaction ("logged,
 * not in the capture", with the reason; with -c only that client's) and
 * the match summary.
 */
void alog_report_unmatched(FILE *out, const struct alog_set *s,
    const struct engine *e, bool json);
/*
 * No capture: the log's own triage. ports: the proxy ports (-p) for the
 * capture commands.
 */
void alog_report_logonly(FILE *out, const struct alog_set *s, bool json,
    const uint16_t *ports, size_t nports);

#endif
