/*
 * dns.h: DNS message decoding (RFC 1035) into a fixed-size struct: header,
 * first question, and the A/AAAA/CNAME records of the answer section.
 * Name compression is followed with a bound on jumps and on length.
 */
#ifndef GW_DNS_H
#define GW_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/addr.h"

#define DNS_NAME_MAX 256	/* presentation form, NUL included */
#define DNS_MAX_ANSWERS 16	/* records kept; more are counted */
#define DNS_MAX_JUMPS 32	/* compression pointers followed per name */
#define DNS_PORT 53

enum { DNS_T_A = 1, DNS_T_CNAME = 5, DNS_T_SOA = 6, DNS_T_AAAA = 28 };

struct dns_rr {
	uint16_t type, rclass;
	uint32_t ttl;
	char name[DNS_NAME_MAX];
	struct gw_addr addr;		/* A, AAAA */
	char target[DNS_NAME_MAX];	/* CNAME */
};

struct dns_msg {
	uint16_t id;
	bool response;
	uint8_t opcode, rcode;
	bool truncated;			/* TC bit */
	uint16_t qdcount, ancount, nscount, arcount;
	char qname[DNS_NAME_MAX];	/* first question; "" when none */
	uint16_t qtype, qclass;
	uint8_t nanswers;		/* records stored in answers[] */
	uint16_t answers_dropped;	/* A/AAAA/CNAME records not stored */
	uint32_t neg_ttl;		/* SOA in the authority section: how
					 * long a negative answer may be cached
					 * (RFC 2308: min of TTL and MINIMUM);
					 * 0 when there is none */
	struct dns_rr answers[DNS_MAX_ANSWERS];
};

/*
 * Decodes one DNS message (UDP payload, or TCP payload after its 2-byte
 * length). 0 on success; -1 when the header or question is malformed. A
 * malformed answer section stops decoding there, keeping what was read.
 * Names come out in presentation form, lower-cased, with bytes outside
 * [a-z0-9-_] escaped as \DDD so they are safe to print.
 */
int dns_parse(const uint8_t *buf, size_t len, struct dns_msg *m);
/*
 * A message decoded before anybody asked (by the thread that reads
 * ahead): dns_parse's result and message for len bytes at data. The flow
 * takes it instead of parsing the same bytes (same data, same len).
 */
struct dns_pre {
	const uint8_t *data;
	size_t len;
	int result;
	struct dns_msg m;
};
void dns_pre_parse(const uint8_t *data, size_t len, struct dns_pre *pre);
/*
 * Reads the (possibly compressed) name at *off. On success advances *off
 * past the name in the original position and returns 0; -1 on a loop, a
 * pointer out of bounds, a label over 63 bytes or a name over 255 bytes.
 */
int dns_read_name(const uint8_t *buf, size_t len, size_t *off, char *out,
    size_t outlen);
const char *dns_rcode_name(unsigned rcode);	/* "NXDOMAIN", "SERVFAIL" … */
const char *dns_type_name(unsigned type);	/* "A", "AAAA", "CNAME" …; "other" if unknown */

#endif
