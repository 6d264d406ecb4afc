/*
 * dns.c: DNS messages (RFC 1035). Everything in a response is attacker
 * controlled, so every read is bounded by the message and every name by
 * the jump count and the 255-byte wire limit.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "decode_int.h"

#define DNS_WIRE_NAME_MAX 255	/* RFC 1035 3.1, length octets included */

/*
 * Appends n bytes if they fit with the NUL; otherwise marks the output
 * full so an escape is never cut in half.
 */
static void
name_put(char *out, size_t outlen, size_t *o, bool *full, const char *s,
    size_t n)
{
	if (*full || outlen - *o <= n) {
		*full = true;
		return;
	}
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = '\0';
}

/* A label byte as written when it is written straight (letters lower-
 * cased, digits, '-' and '_'), 0 when it is escaped: one look-up. */
#define DNS_PLAIN(c) ((uint8_t)((c) >= 'A' && (c) <= 'Z' ? \
	((c) - 'A' + 'a') & 0xff : ((c) >= 'a' && (c) <= 'z') || \
	((c) >= '0' && (c) <= '9') || (c) == '-' || (c) == '_' ? (c) : 0))
#define DNS_PLAIN4(c) DNS_PLAIN(c), DNS_PLAIN(c + 1), DNS_PLAIN(c + 2), \
	DNS_PLAIN(c + 3)
#define DNS_PLAIN16(c) DNS_PLAIN4(c), DNS_PLAIN4(c + 4), DNS_PLAIN4(c + 8), \
	DNS_PLAIN4(c + 12)
#define DNS_PLAIN64(c) DNS_PLAIN16(c), DNS_PLAIN16(c + 16), \
	DNS_PLAIN16(c + 32), DNS_PLAIN16(c + 48)
static const uint8_t dns_plain[256] = {
	DNS_PLAIN64(0), DNS_PLAIN64(64), DNS_PLAIN64(128), DNS_PLAIN64(192)
};

/* A label's bytes, lower-cased; letters, digits, '-' and '_' as they
 * are (written straight, a byte each), any other byte escaped. */
static void
label_put(char *out, size_t outlen, size_t *o, bool *full,
    const uint8_t *lab, size_t n)
{
	size_t start = *o, i = 0;
	char esc[5];
	uint8_t c;

	/* while the whole label fits written straight (the usual case),
	 * no room check per byte */
	if (!*full && outlen - *o > n) {
		char *w = out + *o;

		for (; i < n && (c = dns_plain[lab[i]]) != 0; i++)
			w[i] = (char)c;
		*o += i;
	}
	for (; i < n && !*full; i++) {
		c = dns_plain[lab[i]];
		if (c != 0) {
			if (outlen - *o <= 1)
				*full = true;
			else
				out[(*o)++] = (char)c;
		} else {
			snprintf(esc, sizeof esc, "\\%03u", lab[i]);
			name_put(out, outlen, o, full, esc, 4);
		}
	}
	if (*o > start)
		out[*o] = '\0';
}

/*
 * A name whose escaped form does not fit outlen comes out truncated: the
 * wire form was valid, and callers only display it.
 */
int
dns_read_name(const uint8_t *buf, size_t len, size_t *off, char *out,
    size_t outlen)
{
	size_t pos = *off, end = 0, o = 0, wire = 0;
	unsigned jumps = 0;
	bool jumped = false, full = outlen == 0;
	uint8_t c;

	if (outlen > 0)
		out[0] = '\0';
	for (;;) {
		if (pos >= len)
			return -1;
		c = buf[pos];
		if ((c & 0xc0) == 0xc0) {
			if (len - pos < 2 || ++jumps > DNS_MAX_JUMPS)
				return -1;
			if (!jumped) {
				end = pos + 2;
				jumped = true;
			}
			pos = (size_t)(c & 0x3f) << 8 | buf[pos + 1];
			continue;	/* out-of-bounds targets fail above */
		}
		if (c > 63)		/* 0x40/0x80: obsolete label types */
			return -1;
		wire += (size_t)c + 1;
		if (wire > DNS_WIRE_NAME_MAX)
			return -1;
		if (c == 0)
			break;
		if (len - pos - 1 < c)
			return -1;
		if (o > 0)
			name_put(out, outlen, &o, &full, ".", 1);
		label_put(out, outlen, &o, &full, buf + pos + 1, c);
		pos += (size_t)c + 1;
	}
	if (o == 0)
		name_put(out, outlen, &o, &full, ".", 1);
	*off = jumped ? end : pos + 1;
	return 0;
}

/* Reads one record of the answer section; -1 when it is malformed. */
static int
dns_read_rr(const uint8_t *buf, size_t len, size_t *off, struct dns_msg *m)
{
	char name[DNS_NAME_MAX];
	struct dns_rr *rr;
	uint16_t type, rdlen;
	size_t rd, p;

	if (dns_read_name(buf, len, off, name, sizeof name) < 0)
		return -1;
	if (len - *off < 10)
		return -1;
	type = rd16(buf + *off);
	rdlen = rd16(buf + *off + 8);
	rd = *off + 10;
	if (len - rd < rdlen)
		return -1;
	*off = rd + rdlen;
	if (type != DNS_T_A && type != DNS_T_AAAA && type != DNS_T_CNAME)
		return 0;
	if (m->nanswers == DNS_MAX_ANSWERS) {
		m->answers_dropped++;
		return 0;
	}
	/* field by field: the record is 0.5 KB, mostly unused name space */
	rr = &m->answers[m->nanswers];
	rr->type = type;
	rr->rclass = rd16(buf + rd - 8);
	rr->ttl = rd32(buf + rd - 6);
	memcpy(rr->name, name, strlen(name) + 1);
	memset(&rr->addr, 0, sizeof rr->addr);
	rr->target[0] = '\0';
	switch (type) {
	case DNS_T_A:
		if (rdlen != 4)
			return -1;
		addr_set4(&rr->addr, buf + rd);
		break;
	case DNS_T_AAAA:
		if (rdlen != 16)
			return -1;
		addr_set6(&rr->addr, buf + rd);
		break;
	case DNS_T_CNAME:
		/* The target may point anywhere, but must end in the rdata. */
		p = rd;
		if (dns_read_name(buf, rd + rdlen, &p, rr->target,
		    sizeof rr->target) < 0 || p != rd + rdlen)
			return -1;
		break;
	}
	m->nanswers++;
	return 0;
}

/*
 * Reads one authority record; an SOA sets neg_ttl (RFC 2308 §5: the
 * smaller of its TTL and its MINIMUM field, the rdata's last 4 bytes).
 */
static int
dns_read_authority(const uint8_t *buf, size_t len, size_t *off,
    struct dns_msg *m)
{
	char name[DNS_NAME_MAX];
	uint32_t ttl, minimum;
	uint16_t rdlen;
	size_t rd;

	if (dns_read_name(buf, len, off, name, sizeof name) < 0 ||
	    len - *off < 10)
		return -1;
	rdlen = rd16(buf + *off + 8);
	rd = *off + 10;
	if (len - rd < rdlen)
		return -1;
	*off = rd + rdlen;
	if (rd16(buf + rd - 10) != DNS_T_SOA || rdlen < 22 || m->neg_ttl)
		return 0;
	ttl = rd32(buf + rd - 6);
	minimum = rd32(buf + rd + rdlen - 4);
	m->neg_ttl = ttl < minimum ? ttl : minimum;
	return 0;
}

int
dns_parse(const uint8_t *buf, size_t len, struct dns_msg *m)
{
	char scratch[DNS_NAME_MAX];
	uint16_t flags;
	size_t off = 12;
	unsigned i;

	/* the answers (9 KB) are written as they are stored */
	memset(m, 0, offsetof(struct dns_msg, answers));
	if (len < 12)
		return -1;
	m->id = rd16(buf);
	flags = rd16(buf + 2);
	m->response = (flags & 0x8000) != 0;
	m->opcode = (flags >> 11) & 0x0f;
	m->truncated = (flags & 0x0200) != 0;
	m->rcode = flags & 0x0f;
	m->qdcount = rd16(buf + 4);
	m->ancount = rd16(buf + 6);
	m->nscount = rd16(buf + 8);
	m->arcount = rd16(buf + 10);
	/* Every question and record takes bytes, so len bounds these loops. */
	for (i = 0; i < m->qdcount; i++) {
		if (dns_read_name(buf, len, &off, i == 0 ? m->qname : scratch,
		    DNS_NAME_MAX) < 0 || len - off < 4) {
			if (i == 0) {
				m->qname[0] = '\0';
				return -1;
			}
			return 0;	/* later questions: keep the first */
		}
		if (i == 0) {
			m->qtype = rd16(buf + off);
			m->qclass = rd16(buf + off + 2);
		}
		off += 4;
	}
	for (i = 0; i < m->ancount; i++)
		if (dns_read_rr(buf, len, &off, m) < 0)
			return 0;
	for (i = 0; i < m->nscount; i++)
		if (dns_read_authority(buf, len, &off, m) < 0)
			break;
	return 0;
}

void
dns_pre_parse(const uint8_t *data, size_t len, struct dns_pre *pre)
{
	pre->data = data;
	pre->len = len;
	pre->result = dns_parse(data, len, &pre->m);
}

const char *
dns_rcode_name(unsigned rcode)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE"
	};

	if (rcode < sizeof names / sizeof names[0])
		return names[rcode];
	return "RCODE?";
}

const char *
dns_type_name(unsigned type)
{
	static const struct {
		unsigned type;
		const char *name;
	} names[] = {
		{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" },
		{ 12, "PTR" }, { 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" },
		{ 33, "SRV" }, { 41, "OPT" }, { 43, "DS" }, { 46, "RRSIG" },
		{ 47, "NSEC" }, { 48, "DNSKEY" }, { 64, "SVCB" },
		{ 65, "HTTPS" }, { 255, "ANY" }, { 257, "CAA" }
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].type == type)
			return names[i].name;
	return "other";
}
