/*
 * verdict.c: the words of a diagnosis: stable keys (DESIGN §1), labels,
 * remedies from the vendor article, a one-line summary, evidence frames.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/dns.h"
#include "../proto/tls.h"
#include "diag.h"
#include "diag_int.h"
#include "masked.h"

static const char *const verdict_keys[V_COUNT] = {
	"ok", "host-not-resolvable", "cannot-connect", "bad-response",
	"relayed", "unknown", "pending"
};
static const char *const verdict_labels[V_COUNT] = {
	"OK", "HOST NOT RESOLVABLE", "CANNOT CONNECT", "BAD RESPONSE",
	"RELAYED", "UNKNOWN", "WAITING"
};
static const char *const cause_keys[C_COUNT] = {
	"none", "dns-nxdomain", "dns-error", "dns-no-response",
	"syn-unanswered", "tcp-rst", "icmp-unreachable",
	"http-invalid-response", "upstream-timeout", "upstream-closed",
	"upstream-5xx", "no-upstream-evidence", "tls-handshake"
};
static const char *const link_keys[LINK_COUNT] = {
	"none", "request-line", "address", "cache", "time"
};
static const char *const cause_remedies[C_COUNT] = {
	"",
	"Add an A/AAAA record for the host in DNS, or a hosts-file entry on the gateway.",
	"Check the DNS server the gateway uses (its logs, forwarders, zone); meanwhile a hosts-file entry on the gateway works around it.",
	"Check that the gateway can reach its DNS server (routing, firewall, the server itself); a hosts-file entry works around it.",
	"A firewall between the gateway and the destination drops the SYNs, or routing is broken: test from the gateway's network (ping, traceroute) and capture on the next upstream device.",
	"The destination refuses the port (nothing listens, or a firewall resets): check the service and firewalls from the gateway's network.",
	"A router or firewall rejects the connection (see the ICMP type/code): check its rules and the gateway's routes.",
	"The destination (or a device in front of it) sends an invalid HTTP response: capture on the next upstream device at the same time to find which.",
	"The destination needs longer than the gateway's timeout: raise the upstream timeout for this host (Proxy Control), or fix the slow server.",
	"The destination closed the connection without answering: check the server's logs and any device in between.",
	"The upstream server itself answered with an error that the gateway relayed: look at the upstream server.",
	"Nothing upstream was captured for this request: capture on the gateway with `tcpdump -s 0 -i any` (all interfaces) while reproducing it.",
	"The gateway and the destination did not agree on TLS: check the destination's certificate (an issuer the gateway trusts, the name the gateway asks for, its dates), the TLS versions both allow and the server name (SNI) the gateway sends; test from the gateway with `openssl s_client -connect HOST:PORT -servername NAME`. A server that answers in plain HTTP wants http://, not https://."
};

const char *
verdict_key(enum verdict v)
{
	return (unsigned)v < V_COUNT ? verdict_keys[v] : "unknown";
}

const char *
verdict_label(enum verdict v)
{
	return (unsigned)v < V_COUNT ? verdict_labels[v] : "UNKNOWN";
}

const char *
txn_label(const struct txn *t)
{
	if (t->d.verdict == V_OK && t->status >= 500)
		return "SERVER ERROR";
	if (t->d.verdict == V_OK && t->status >= 400)
		return "CLIENT ERROR";
	return verdict_label((enum verdict)t->d.verdict);
}

const char *
cause_key(enum cause c)
{
	return (unsigned)c < C_COUNT ? cause_keys[c] : "none";
}

const char *
link_key(enum evidence_link l)
{
	return (unsigned)l < LINK_COUNT ? link_keys[l] : "none";
}

const char *
cause_remedy(enum cause c)
{
	return (unsigned)c < C_COUNT ? cause_remedies[c] : "";
}

/*
 * A reverse proxy's request (origin form) answered within
 * DIAG_UNTRIED_NS with no look-up and no upstream traffic at all: the
 * gateway tried nothing, as one with no backend of the host up (marked
 * down by its health checks: HAProxy's <NOSRV>, nginx's "no live
 * upstreams") answers.
 */
static bool
answered_untried(const struct flow *fl, const struct txn *t)
{
	return t->d.cause == C_NO_UPSTREAM_EVIDENCE && t->d.nconns == 0 &&
	    t->d.ndns == 0 && t->d.up_req == NONE32 &&
	    diag_origin_form(fl, t) && t->resp != NONE32 &&
	    fl->msgs[t->resp].head.ts_ns - fl->msgs[t->req].start.ts_ns <
	    DIAG_UNTRIED_NS;
}

/* Did the gateway send its request over TLS on a, in t's time? */
static bool
tls_sent_by(const struct flow *fl, const struct txn *t, const struct conn *a)
{
	const struct conn_tls *tls = conn_tls(fl, a);

	return tls != NULL && fl->msgs[t->req].form != HTTP_FORM_AUTHORITY &&
	    txn_saw(fl, t, &tls->data, fl->stats.last_ts);
}

/* Did a's TLS handshake fail in t's time? */
static bool
tls_failed_by(const struct flow *fl, const struct txn *t,
    const struct conn *a)
{
	struct tls_end_at e;

	return diag_tls_txn_end(fl, t, a, fl->stats.last_ts, &e);
}

/* What to do about a failed handshake, by how it failed (handshake.c). */
static const char *
tls_remedy(const struct flow *fl, const struct txn *t)
{
	const struct conn *c = &fl->conns[t->d.conns[t->d.nconns - 1]];
	const struct conn_tls *tls = conn_tls(fl, c);
	struct tls_end_at e;

	if (tls == NULL || !diag_tls_txn_end(fl, t, c, fl->stats.last_ts, &e))
		return cause_remedy(C_TLS_HANDSHAKE);
	switch (e.how) {
	case TLS_END_PLAIN:
		return "The server speaks plain HTTP on that port: have the "
		    "gateway connect with http:// there (nginx: proxy_pass "
		    "http://; HAProxy: no `ssl` on the server line), or give "
		    "it the server's TLS port.";
	case TLS_END_SERVER_ALERT:
		return tls->alert[1] == 112 ? "The server knows no site by "
		    "the name the gateway sends (SNI): set the name it "
		    "expects (nginx: proxy_ssl_name and proxy_ssl_server_name "
		    "on; HAProxy: `sni str(NAME)` on the server line)." :
		    tls->alert[1] == 70 ? "The gateway and the server allow "
		    "no TLS version in common: allow the server's on the "
		    "gateway (nginx: proxy_ssl_protocols; HAProxy: ssl-min-ver "
		    "and ssl-max-ver) or an older one on the server." :
		    cause_remedy(C_TLS_HANDSHAKE);
	case TLS_END_GATEWAY_ALERT:
	case TLS_END_ABORTED:
	case TLS_END_GATEWAY_CLOSED:
		return "The gateway does not accept the server's certificate: "
		    "check its issuer against the CA file the gateway trusts "
		    "(nginx: proxy_ssl_trusted_certificate; HAProxy: ca-file), "
		    "its names against the name the gateway asks for, and its "
		    "dates (`openssl s_client -connect HOST:PORT -servername "
		    "NAME -showcerts` from the gateway).";
	default:
		return cause_remedy(C_TLS_HANDSHAKE);
	}
}

const char *
txn_remedy(const struct flow *fl, const struct txn *t)
{
	if (answered_untried(fl, t))
		return "The gateway answered without trying an upstream: if it "
		    "is a reverse proxy, check the host's backends there "
		    "(HAProxy: the stats page or `show servers state`; "
		    "nginx: \"no live upstreams\" in its error log) and "
		    "their health checks; else capture on every interface "
		    "(`tcpdump -s 0 -i any`).";
	if (t->d.half_answered)
		return "The DNS server answers one query type for the host "
		    "(A) and never the other (AAAA): a server or firewall "
		    "that drops AAAA queries. Fix it, or have the gateway ask "
		    "for IPv4 only (nginx: `resolver ... ipv6=off`); a "
		    "hosts-file entry works around it.";
	if (t->d.cause == C_TLS_HANDSHAKE)
		return tls_remedy(fl, t);
	if (t->d.cause == C_NO_UPSTREAM_EVIDENCE && t->d.nconns &&
	    t->d.up_req == NONE32 && tls_sent_by(fl, t,
	    &fl->conns[t->d.conns[t->d.nconns - 1]]))
		return "The upstream's reply went encrypted: read the gateway's "
		    "error log for this request, or capture with the TLS keys "
		    "(the gateway's SSLKEYLOGFILE) and decrypt in Wireshark.";
	if (t->d.cause != C_HTTP_INVALID || t->d.up_resp == NONE32)
		return cause_remedy((enum cause)t->d.cause);
	switch (diag_refusal(fl, &fl->msgs[t->d.up_resp])) {
	case REFUSAL_BIG_HEAD:
		return "The reply's head is more than the gateway reads: raise "
		    "its limit (nginx: proxy_buffer_size and proxy_buffers, "
		    "e.g. 16k; squid: reply_header_max_size) or have the "
		    "server send fewer or smaller headers (cookies).";
	case REFUSAL_CODING:
		return "The server sends a transfer coding the gateway does "
		    "not decode (squid: only chunked): have it compress with "
		    "Content-Encoding instead, framed by Content-Length or "
		    "chunked.";
	default:
		return cause_remedy((enum cause)t->d.cause);
	}
}

/* A tunnel answered 200, then dropped (masked.c): its story, and what
 * the gateway logs of it, ends with the drop, although the answer came
 * first. */
static const struct frame_ref *
masked_drop(const struct flow *fl, const struct txn *t)
{
	return t->d.masked ? diag_tunnel_close(fl, t) : NULL;
}

int64_t
txn_end_ns(const struct flow *fl, const struct txn *t, int64_t now_ns)
{
	const struct conn *c = &fl->conns[t->conn];
	const struct frame_ref *drop = masked_drop(fl, t);

	if (drop != NULL)
		return drop->ts_ns;
	if (t->resp != NONE32)
		return fl->msgs[t->resp].start.ts_ns;
	/* unanswered: over when the client gave up, else still going
	 * until the gateway's own timeout, which settles it: what comes
	 * after is no part of it, read in one pass or slice by slice */
	if (c->fin[0].number)
		return c->fin[0].ts_ns;
	if (c->rst.number)
		return c->rst.ts_ns;
	return now_ns < t->give_up_ns ? now_ns : t->give_up_ns;
}

int64_t
txn_elapsed_ns(const struct flow *fl, const struct txn *t, int64_t now_ns)
{
	int64_t start = fl->msgs[t->req].head.ts_ns;
	int64_t end = txn_end_ns(fl, t, now_ns);

	return end > start ? end - start : 0;
}

bool
txn_saw(const struct flow *fl, const struct txn *t, const struct frame_ref *r,
    int64_t now_ns)
{
	return r->number != 0 &&
	    r->ts_ns <= add_sat(txn_end_ns(fl, t, now_ns), DIAG_SLACK_NS);
}

/* Takes f into [first,last]: a response can precede the request's last
 * byte (retransmissions, a peer that answers early), so no order is assumed. */
static void
range_widen(struct frame_ref *first, struct frame_ref *last,
    const struct frame_ref *f)
{
	if (f->number == 0)
		return;
	if (first->number == 0 || f->number < first->number)
		*first = *f;
	if (f->number > last->number)
		*last = *f;
}

void
txn_frame_range(const struct flow *fl, const struct txn *t,
    struct frame_ref *first, struct frame_ref *last)
{
	const struct http_msg *req = &fl->msgs[t->req];
	uint64_t ev[256];
	size_t n;

	memset(first, 0, sizeof *first);
	memset(last, 0, sizeof *last);
	/* from the request's first byte, so that Wireshark can reassemble it */
	range_widen(first, last, &req->start);
	range_widen(first, last, flow_msg_frame(req));
	if (t->resp != NONE32) {
		range_widen(first, last, &fl->msgs[t->resp].start);
		range_widen(first, last, flow_msg_frame(&fl->msgs[t->resp]));
		if (masked_drop(fl, t) == NULL)
			return;
		range_widen(first, last, masked_drop(fl, t));
	}
	/* never answered, or dropped: up to the last piece of evidence */
	n = diag_evidence_frames(fl, t, INT64_MAX, ev, sizeof ev / sizeof ev[0]);
	if (n && ev[n - 1] > last->number) {
		last->number = ev[n - 1];
		last->ts_ns = 0;
		last->offset_lo = 0;
	}
}

void
diag_syn_series(const struct flow *fl, const struct txn *t, int64_t now_ns,
    struct syn_series *out)
{
	out->n = 0;
	/* attempts are linked oldest first, each with its SYNs in order */
	for (unsigned k = 0; k < t->d.nconns; k++) {
		const struct conn *c = &fl->conns[t->d.conns[k]];

		for (unsigned s = 0; s < c->nsyn && out->n < DIAG_MAX_SYNS &&
		    txn_saw(fl, t, conn_syn(c, s), now_ns); s++) {
			out->syn[out->n] = *conn_syn(c, s);
			out->conn[out->n++] = t->d.conns[k];
		}
	}
}

unsigned
diag_syns_seen(const struct flow *fl, const struct txn *t,
    const struct conn *c, int64_t now_ns, const struct frame_ref **last)
{
	unsigned n = 0;

	while (n < c->nsyn && txn_saw(fl, t, conn_syn(c, n), now_ns))
		n++;
	*last = n ? conn_syn(c, n - 1) : NULL;
	return n == c->nsyn ? n + c->syns_dropped : n;
}

static bool
same_dest(const struct conn *a, const struct conn *b)
{
	return a->sport == b->sport && addr_eq(&a->saddr, &b->saddr);
}

/* Where the attempts to conns[k]'s address and port began: the first
 * index of the run of conns[0..k] going there (the same address tried
 * again on new sockets is one run; a host's next address starts one). */
static unsigned
dest_first(const struct flow *fl, const uint32_t *conns, unsigned k)
{
	const struct conn *c = &fl->conns[conns[k]];

	while (k > 0 && same_dest(&fl->conns[conns[k - 1]], c))
		k--;
	return k;
}

static double
secs(int64_t ns)
{
	return (double)ns / 1e9;
}

/* "; NXDOMAIN cached since frame N (X s before the request)" for a cache
 * link: the gateway answered from its (negative) cache, asking nobody. */
static void
cache_note(const struct flow *fl, const struct txn *t, char *out,
    size_t outlen)
{
	const struct dns_query *q = &fl->dns[t->d.dns[0]];

	out[0] = '\0';
	if (t->d.dns_link == LINK_CACHE)
		snprintf(out, outlen, "; %s cached since frame %" PRIu64
		    " (%.1f s before the request)", q->rcode > 0 ?
		    dns_rcode_name((unsigned)q->rcode) : "answer",
		    (uint64_t)q->answer.number,
		    secs(fl->msgs[t->req].start.ts_ns - q->answer.ts_ns));
}

/* Why an answer outside the error statuses is an error: "; the gateway
 * had answered 200 before connecting and dropped the tunnel at frame N"
 * for a CONNECT, else who chose the status. */
static void
masked_note(const struct flow *fl, const struct txn *t, char *out,
    size_t outlen)
{
	const struct frame_ref *close = masked_drop(fl, t);
	size_t len = strlen(out);

	if (!t->d.masked || len >= outlen)
		return;
	if (close == NULL) {
		snprintf(out + len, outlen - len, t->d.up_resp != NONE32 ?
		    "; the gateway passed it on as %u" :
		    "; the gateway answered %u itself", t->status);
		return;
	}
	snprintf(out + len, outlen - len, "; the gateway had answered %u "
	    "before connecting and dropped the tunnel at frame %" PRIu64
	    " (%.1f s after the request)", t->status, (uint64_t)close->number,
	    secs(close->ts_ns - fl->msgs[t->req].start.ts_ns));
}

/* Servers a look-up's summary names; beyond, it counts them. */
#define NAMED_SERVERS 3

/*
 * "A", "A and B", "A, B and C", "A, B, C and 2 more": the distinct
 * servers t's look-up asked, in the order first asked. A resolver given
 * several (nginx's `resolver A B C`, resolv.conf's three) sends each
 * resend to the next.
 */
static void
servers_fmt(const struct flow *fl, const struct diagnosis *d, char *out,
    size_t outlen)
{
	const struct gw_addr *servers[DIAG_MAX_DNS];
	unsigned n = 0;
	size_t len = 0;

	for (unsigned k = 0; k < d->ndns; k++) {
		const struct gw_addr *a = &fl->dns[d->dns[k]].server;
		unsigned j = 0;

		while (j < n && !addr_eq(servers[j], a))
			j++;
		if (j == n)
			servers[n++] = a;
	}
	out[0] = '\0';
	for (unsigned j = 0; j < n && j < NAMED_SERVERS && len < outlen; j++) {
		char srv[ADDR_STRLEN];
		int w = snprintf(out + len, outlen - len, "%s%s",
		    j == 0 ? "" : j + 1 == n ? " and " : ", ",
		    addr_fmt(servers[j], srv, sizeof srv));

		len += w > 0 ? (size_t)w : 0;
	}
	if (n > NAMED_SERVERS && len < outlen)
		snprintf(out + len, outlen - len, " and %u more",
		    n - NAMED_SERVERS);
}

/* "DNS answered the A query for H (addr), but N AAAA queries beside it
 * to S got no answer in W s" (link.c's half_answered); snprintf's
 * count. */
static int
half_answered(const struct flow *fl, const struct txn *t, const char *host,
    const char *servers, double waited_s, char *out, size_t outlen)
{
	const struct diagnosis *d = &t->d;
	const struct dns_query *got = NULL;
	uint16_t silent_type = 0;
	unsigned nsilent = 0;
	char addr[ADDR_STRLEN] = "";

	for (unsigned k = 0; k < d->ndns; k++) {
		const struct dns_query *q = &fl->dns[d->dns[k]];

		if (q->rcode < 0 || !txn_saw(fl, t, &q->answer,
		    fl->stats.last_ts)) {
			nsilent++;
			silent_type = q->qtype;
		} else if (got == NULL && diag_gave_address(fl, q)) {
			got = q;
		}
	}
	for (unsigned j = 0; got != NULL && j < got->nanswers; j++) {
		const struct gw_addr *a =
		    &fl->dns_answers[got->first_answer + j].addr;

		if (a->family) {
			addr_fmt(a, addr, sizeof addr);
			break;
		}
	}
	return snprintf(out, outlen, "DNS answered the %s query for %s (%s), "
	    "but %u %s quer%s beside it to %s got no answer in %.1f s: the "
	    "gateway waits for both", got ? dns_type_name(got->qtype) : "A",
	    host, addr, nsilent, dns_type_name(silent_type),
	    nsilent == 1 ? "y" : "ies", servers, waited_s);
}

/* "N DNS queries ... got no answer in S s": the gateway waited from the
 * request on, or from the look-up's first query when the request came
 * while it was in flight (nginx resends one every 5 s while anyone
 * waits: a request may wait on a look-up asked long before it). */
static void
unanswered(const struct flow *fl, const struct txn *t, const char *host,
    char *out, size_t outlen)
{
	const struct diagnosis *d = &t->d;
	int64_t req = fl->msgs[t->req].head.ts_ns,
	    asked = fl->dns[d->dns[0]].query.ts_ns,
	    waited = txn_elapsed_ns(fl, t, fl->stats.last_ts);
	char servers[NAMED_SERVERS * (ADDR_STRLEN + 2) + 24];
	int n;

	servers_fmt(fl, d, servers, sizeof servers);
	if (asked < req)
		waited += req - asked;
	if (d->half_answered)
		n = half_answered(fl, t, host, servers, secs(waited), out,
		    outlen);
	else
		n = snprintf(out, outlen, "%u DNS quer%s for %s to %s got no "
		    "answer in %.1f s", d->ndns, d->ndns == 1 ? "y" : "ies",
		    host, servers, secs(waited));
	if (asked < add_sat(req, -DIAG_SLACK_NS) && n > 0 &&
	    (size_t)n < outlen)
		snprintf(out + n, outlen - (size_t)n, " (the first sent %.1f s "
		    "before the request)", secs(req - asked));
}

static void
summary_dns(const struct flow *fl, const struct txn *t, char *out,
    size_t outlen)
{
	const struct diagnosis *d = &t->d;
	const char *host = flow_str(fl, t->host);
	char srv[ADDR_STRLEN], note[112];

	cache_note(fl, t, note, sizeof note);
	for (unsigned k = 0; k < d->ndns; k++) {
		const struct dns_query *q = &fl->dns[d->dns[k]];

		if (q->rcode > 0 && txn_saw(fl, t, &q->answer,
		    fl->stats.last_ts)) {
			snprintf(out, outlen,
			    "DNS server %s answered %s for %s (%s)%s",
			    addr_fmt(&q->server, srv, sizeof srv),
			    dns_rcode_name((unsigned)q->rcode), host,
			    q->rcode == 3 ? "no such name" :
			    "the look-up failed", note);
			return;
		}
	}
	if (t->d.cause == C_DNS_ERROR) {
		snprintf(out, outlen, "DNS answered %s without any address%s",
		    host, note);
		return;
	}
	unanswered(fl, t, host, out, outlen);
}

/*
 * Where the attempts before the last destination went, each address and
 * port once, with how it ended: "; tried before: 10.0.0.4 port 80 (RST)".
 * A host's second address is a new series: its SYNs are not the first
 * address's retries.
 */
static void
tried_before(const struct flow *fl, const struct txn *t, unsigned run,
    char *out, size_t outlen)
{
	const char *sep = "; tried before: ";
	size_t len = strlen(out);
	char dst[ADDR_STRLEN];

	for (unsigned k = 0; k < run && len < outlen; k++) {
		const struct conn *a = &fl->conns[t->d.conns[k]];
		int n;

		if (k > 0 && same_dest(&fl->conns[t->d.conns[k - 1]], a))
			continue;
		n = snprintf(out + len, outlen - len, "%s%s port %u (%s)", sep,
		    addr_fmt(&a->saddr, dst, sizeof dst), a->sport,
		    tls_failed_by(fl, t, a) ? "TLS failed" :
		    txn_saw(fl, t, &a->synack, fl->stats.last_ts) ?
		    "connected" : a->rst_from_server && txn_saw(fl, t, &a->rst,
		    fl->stats.last_ts) ? "RST" : txn_saw(fl, t,
		    &conn_icmp(fl, a)->first, fl->stats.last_ts) ? "ICMP" :
		    "no answer");
		if (n < 0)
			return;
		len += (size_t)n;
		sep = ", ";
	}
}

static void
summary_connect(const struct flow *fl, const struct txn *t, char *out,
    size_t outlen)
{
	const struct conn *c = &fl->conns[t->d.conns[t->d.nconns - 1]];
	const struct conn_icmp *icmp = conn_icmp(fl, c);
	char dst[ADDR_STRLEN], from[ADDR_STRLEN], to[ADDR_PORT_STRLEN];
	const struct frame_ref *last = NULL;
	/* the attempts to the last destination: the SYNs the verdict is on */
	unsigned nsyn = 0, nrst = 0, nicmp = 0,
	    run = dest_first(fl, t->d.conns, t->d.nconns - 1),
	    nrun = t->d.nconns - run;
	char socks[32] = "";
	int64_t first_syn, end;

	for (unsigned k = run; k < t->d.nconns; k++) {
		const struct conn *a = &fl->conns[t->d.conns[k]];
		const struct frame_ref *a_last;

		/* every SYN sent until the answer, also those beyond the
		 * ones kept (the evidence's "no answer to N SYNs" counts
		 * them too) */
		nsyn += diag_syns_seen(fl, t, a, fl->stats.last_ts, &a_last);
		if (a_last)
			last = a_last;
		nrst += a->rst_from_server && txn_saw(fl, t, &a->rst,
		    fl->stats.last_ts);
		nicmp += txn_saw(fl, t, &conn_icmp(fl, a)->first,
		    fl->stats.last_ts);
	}
	if (nrun > 1)
		snprintf(socks, sizeof socks, " on %u connections", nrun);
	first_syn = conn_syn(&fl->conns[t->d.conns[run]], 0)->ts_ns;
	addr_fmt(&c->saddr, dst, sizeof dst);
	switch (t->d.cause) {
	case C_TCP_RST:
		snprintf(out, outlen, "%s port %u answered the SYN with RST "
		    "(connection refused)%s", dst, c->sport,
		    nrst > 1 && nrst == nrun ? ", every attempt" : "");
		break;
	case C_ICMP_UNREACHABLE:
		snprintf(out, outlen, "%s answered the SYN to %s with ICMP "
		    "%s%s", addr_fmt(&icmp->from, from, sizeof from),
		    addr_port_fmt(&c->saddr, c->sport, to, sizeof to),
		    icmp_unreach_name(icmp->ver, icmp->type, icmp->code),
		    nicmp > 1 && nicmp == nrun ? ", every attempt" : "");
		break;
	default:
		if (nsyn > 1)
			snprintf(out, outlen, "%u SYNs%s to %s port %u got no "
			    "answer over %.1f s", nsyn, socks, dst, c->sport,
			    last ? secs(last->ts_ns - first_syn) : 0.0);
		else {	/* the time it waited: until the end of the story */
			end = txn_end_ns(fl, t, fl->stats.last_ts);
			snprintf(out, outlen, "%u SYN to %s port %u got no "
			    "answer in %.1f s", nsyn, dst, c->sport,
			    secs(end > first_syn ? end - first_syn : 0));
		}
		break;
	}
	tried_before(fl, t, run, out, outlen);
}

/*
 * A handshake that failed (handshake.c) on the last attempt, and how
 * many of the attempts to that destination failed so: HAProxy tries a
 * server whose TLS fails four times, as a refused one.
 */
static void
summary_tls(const struct flow *fl, const struct txn *t, char *out,
    size_t outlen)
{
	const struct conn *c = &fl->conns[t->d.conns[t->d.nconns - 1]];
	unsigned run = dest_first(fl, t->d.conns, t->d.nconns - 1), failed = 0;
	struct tls_end_at e;
	size_t len;

	for (unsigned k = run; k < t->d.nconns; k++)
		failed += tls_failed_by(fl, t, &fl->conns[t->d.conns[k]]);
	(void)diag_tls_txn_end(fl, t, c, fl->stats.last_ts, &e);
	diag_tls_explain(fl, c, &e, out, outlen);
	len = strlen(out);
	if (failed > 1 && failed == t->d.nconns - run && len < outlen)
		snprintf(out + len, outlen - len, "; every attempt (%u "
		    "connections)", failed);
	tried_before(fl, t, run, out, outlen);
}

/*
 * A request that went over TLS on c (dst): the server closed after it,
 * or went silent until the gateway gave up. What it sent back, if
 * anything, is encrypted: the words say what the packets show.
 */
static bool
summary_tls_after(const struct flow *fl, const struct txn *t,
    const struct conn *c, const char *dst, char *out, size_t outlen)
{
	const struct conn_tls *tls = conn_tls(fl, c);
	int64_t end = txn_end_ns(fl, t, fl->stats.last_ts), spoke;
	enum tls_after how;
	struct frame_ref at;

	if (tls == NULL || fl->msgs[t->req].form == HTTP_FORM_AUTHORITY ||
	    !diag_tls_after(fl, c, add_sat(end, DIAG_SLACK_NS), end, &how, &at))
		return false;
	if (how == TLS_AFTER_CLOSED) {
		snprintf(out, outlen, "%s closed the connection %.1f ms after "
		    "the gateway's request, which went over TLS (what it sent "
		    "before, if anything, is encrypted)", dst,
		    (double)(at.ts_ns - tls->data.ts_ns) / 1e6);
		return true;
	}
	if (how != TLS_AFTER_SILENT)
		return false;
	spoke = tls->server_last.ts_ns > tls->data.ts_ns ?
	    tls->server_last.ts_ns : tls->data.ts_ns;
	snprintf(out, outlen, "after the gateway's request, which went over "
	    "TLS, %s sent nothing for %.1f s, until the gateway gave up", dst,
	    secs(end - spoke));
	return true;
}

/* "; the gateway sent the request 4 times, each on a new connection":
 * a gateway that retried after junk, a close or silence (link.c). */
static void
sent_again(const struct flow *fl, const struct txn *t, char *out,
    size_t outlen)
{
	unsigned n = 0;
	size_t len = strlen(out);

	for (unsigned k = 0; k < t->d.nconns; k++)
		n += txn_saw(fl, t, &fl->conns[t->d.conns[k]].synack,
		    fl->stats.last_ts);
	if (n > 1 && len < outlen)
		snprintf(out + len, outlen - len, "; the gateway sent the "
		    "request %u times, each on a new connection", n);
}

/* How an earlier try failed (enum cause), in a few words. */
static const char *
try_failure(uint8_t cause)
{
	switch (cause) {
	case C_HTTP_INVALID:
		return "no valid reply";
	case C_UPSTREAM_CLOSED:
		return "closed without a reply";
	default:
		return "silent until the gateway gave up";
	}
}

/* "; before, the gateway tried A (how it failed), B (...)": a reverse
 * proxy's earlier tries on its group's other servers (link.c). */
static void
tries_note(const struct flow *fl, const struct txn *t, char *out,
    size_t outlen)
{
	size_t len = strlen(out);

	for (unsigned k = 0; k < t->d.ntries && len < outlen; k++) {
		const struct conn *c = &fl->conns[fl->msgs[t->d.tries[k]].conn];
		char dst[ADDR_PORT_STRLEN];
		int n;

		addr_port_fmt(&c->saddr, c->sport, dst, sizeof dst);
		n = snprintf(out + len, outlen - len, "%s%s (%s)", k == 0 ?
		    "; before, the gateway tried " : k + 1 == t->d.ntries ?
		    " and " : ", ", dst, try_failure(t->d.try_cause[k]));
		len += n > 0 ? (size_t)n : 0;
	}
}

/* The last try's wait for a reply: from its request when earlier tries
 * took their time, or until the gateway gave up on it when the cache
 * answered t later (cached: t's own time is not the fetch's), else the
 * request's whole time. */
static int64_t
upstream_wait_ns(const struct flow *fl, const struct txn *t)
{
	int64_t end = txn_end_ns(fl, t, fl->stats.last_ts), sent;

	if ((t->d.ntries == 0 && !t->d.cached) || t->d.up_req == NONE32)
		return txn_elapsed_ns(fl, t, fl->stats.last_ts);
	sent = fl->msgs[t->d.up_req].head.ts_ns;
	if (t->d.cached && t->d.up_conn != NONE32)
		end = diag_tried_until_ns(&fl->conns[t->d.up_conn]);
	return end > sent ? end - sent : 0;
}

/* "; Varnish answered this request from that fetch's cached error, 4.1 s
 * after the fetch began" (its first attempt; a request on a pooled
 * connection began when it went out, not when the connection opened): t
 * was not the request that fetched (link.c link_cached_object). */
static void
cached_note(const struct flow *fl, const struct txn *t, char *out,
    size_t outlen)
{
	size_t len = strlen(out);
	int64_t began;

	if (!t->d.cached || t->resp == NONE32 || len >= outlen)
		return;
	if (t->d.up_req != NONE32 && (t->d.nconns == 0 ||
	    t->d.conns[0] == t->d.up_conn))	/* no attempt before it */
		began = diag_try_began_ns(fl, t->d.up_req);
	else if (t->d.nconns)
		began = fl->conns[t->d.conns[0]].first.ts_ns;
	else
		return;
	snprintf(out + len, outlen - len, "; Varnish answered this request "
	    "from that fetch's cached error, %.1f s after the fetch began",
	    secs(fl->msgs[t->resp].head.ts_ns - began));
}

/* The first line of t's upstream reply (up_resp: there is one). */
static const char *
up_line(const struct flow *fl, const struct txn *t, struct flow_line *buf)
{
	return flow_msg_line(fl, &fl->msgs[t->d.up_resp], buf);
}

/* A head more than the gateway reads: its size, not its syntax. */
static void
summary_big_head(const struct flow *fl, const struct txn *t,
    const char *dst, char *out, size_t outlen)
{
	const struct http_msg *m = &fl->msgs[t->d.up_resp];
	struct flow_line lb;
	char size[40];

	snprintf(size, sizeof size, m->valid && !m->too_long ?
	    "a %u-byte head" : "a head of over %u bytes",
	    (unsigned)m->head_len);
	snprintf(out, outlen, "%s replied \"%.60s\" with %s%s; the gateway "
	    "answered %u: more than it reads (nginx: %d bytes by default)",
	    dst, flow_msg_line(fl, m, &lb), size, m->cut ?
	    " (the gateway cut it short)" : "", t->status, DIAG_BIG_HEAD);
}

/* "answered 502", or "closed the connection without an answer". */
static const char *
gateway_did(const struct txn *t, char *buf, size_t len)
{
	snprintf(buf, len, t->status ? "answered %u" :
	    "closed the connection without an answer", t->status);
	return buf;
}

static void
summary_upstream(const struct flow *fl, const struct txn *t, char *out,
    size_t outlen)
{
	struct flow_line lb;
	const struct conn *c = &fl->conns[t->d.up_conn != NONE32 ?
	    t->d.up_conn : t->d.conns[t->d.nconns - 1]];
	/* its reply's first line (an invalid reply, a 5xx) */
	const char *line = t->d.up_resp != NONE32 ? up_line(fl, t, &lb) : "";
	char dst[ADDR_PORT_STRLEN];

	addr_port_fmt(&c->saddr, c->sport, dst, sizeof dst);
	if (t->d.up_req == NONE32 && summary_tls_after(fl, t, c, dst, out,
	    outlen))
		goto said;
	switch (t->d.cause) {
	case C_HTTP_INVALID:
		switch (diag_refusal(fl, &fl->msgs[t->d.up_resp])) {
		case REFUSAL_BAD_BODY: {
			char gw[48];

			snprintf(out, outlen, "%s replied \"%.60s\" with a "
			    "chunked body that has a chunk without a size; the "
			    "gateway %s", dst, line,
			    gateway_did(t, gw, sizeof gw));
			goto said;
		}
		case REFUSAL_BAD_STATUS: {
			char gw[48];

			snprintf(out, outlen, "%s replied \"%.60s\": a status "
			    "outside 100-599, which the gateway refused; it %s",
			    dst, line, gateway_did(t, gw, sizeof gw));
			goto said;
		}
		case REFUSAL_CODING:
			snprintf(out, outlen, "%s replied \"%.60s\" with "
			    "\"Transfer-Encoding: %s\", a coding other than "
			    "chunked, which the gateway refused; it answered %u",
			    dst, line,
			    flow_str(fl, fl->msgs[t->d.up_resp].error_line),
			    t->status);
			goto said;
		case REFUSAL_BIG_HEAD:
			summary_big_head(fl, t, dst, out, outlen);
			goto said;
		case REFUSAL_NONE:
			break;
		}
		/* quote what was wrong: a header line, or the first line */
		if (*flow_str(fl, fl->msgs[t->d.up_resp].error_line)) {
			snprintf(out, outlen, "%s replied with an invalid "
			    "header line (%s): \"%.60s\"", dst,
			    flow_str(fl, fl->msgs[t->d.up_resp].error),
			    flow_str(fl, fl->msgs[t->d.up_resp].error_line));
			break;
		}
		/* an empty line before the status line: squid skips it,
		 * nginx gives up ("upstream sent no valid HTTP/1.0 header") */
		if (!*line) {
			snprintf(out, outlen, "%s replied without a valid HTTP "
			    "status line (%s): its reply began with an empty "
			    "line", dst, flow_str(fl,
			    fl->msgs[t->d.up_resp].error));
			break;
		}
		snprintf(out, outlen, "%s replied without a valid HTTP "
		    "status line (%s): \"%.60s\"", dst,
		    flow_str(fl, fl->msgs[t->d.up_resp].error),
		    line);
		break;
	case C_UPSTREAM_5XX:
		snprintf(out, outlen, "%s itself answered \"%.60s\"; the "
		    "gateway passed it on", dst, line);
		break;
	case C_UPSTREAM_CLOSED:
		snprintf(out, outlen, "%s closed the connection without "
		    "sending a byte", dst);
		break;
	default:
		snprintf(out, outlen, "%s accepted the request but sent "
		    "nothing back in %.1f s", dst,
		    secs(upstream_wait_ns(fl, t)));
		break;
	}
said:
	if (t->d.ntries)
		tries_note(fl, t, out, outlen);
	else
		sent_again(fl, t, out, outlen);
}

/* The first request for t's URL on c sent after the client's, or NONE32:
 * a look at c's first few. */
static uint32_t
request_on(const struct flow *fl, const struct txn *t, const struct conn *c)
{
	int64_t from = fl->msgs[t->req].start.ts_ns - DIAG_SLACK_NS;
	unsigned n = 0;

	for (uint32_t m = c->first_msg[0]; m != NONE32 &&
	    n < DIAG_CARRIES_LOOK; m = fl->msgs[m].next, n++)
		if (fl->msgs[m].head.ts_ns >= from &&
		    diag_same_resource(fl, t, &fl->msgs[m]))
			return m;
	return NONE32;
}

/* Nothing explains it: say what was seen, never less than the evidence. */
static void
summary_unknown(const struct flow *fl, const struct txn *t, char *out,
    size_t outlen)
{
	const char *host = flow_str(fl, t->host);
	char dst[ADDR_PORT_STRLEN];

	if (t->d.nconns) {
		const struct conn *c = &fl->conns[t->d.conns[t->d.nconns - 1]];
		uint32_t up = request_on(fl, t, c);
		uint32_t r = up != NONE32 ? fl->msgs[up].pair : NONE32;
		struct flow_line lb;
		char gw[48], back[80] = "";

		addr_port_fmt(&c->saddr, c->sport, dst, sizeof dst);
		if (up == NONE32 && tls_sent_by(fl, t, c)) {
			snprintf(out, outlen, "the gateway's request went over "
			    "TLS to %s and the server answered, but its reply "
			    "is encrypted: the capture cannot show why the "
			    "gateway %s", dst, gateway_did(t, gw, sizeof gw));
			return;
		}
		if (up == NONE32) {
			snprintf(out, outlen, "the gateway connected to %s, "
			    "but no request for this URL was seen on the "
			    "connection", dst);
			return;
		}
		if (r != NONE32 && fl->msgs[r].valid)
			snprintf(back, sizeof back, "; \"%.60s\" came back",
			    flow_msg_line(fl, &fl->msgs[r], &lb));
		snprintf(out, outlen, "the gateway connected to %s and a "
		    "request for this URL went over the connection (frame %"
		    PRIu64 "%s), but nothing captured explains why the "
		    "gateway %s", dst, (uint64_t)fl->msgs[up].head.number, back,
		    gateway_did(t, gw, sizeof gw));
	} else if (t->d.ndns) {
		snprintf(out, outlen, "%s was resolved%s, but no connection "
		    "attempt to its addresses was captured", host,
		    t->d.dns_link == LINK_CACHE ? " (from the gateway's DNS "
		    "cache)" : "");
	} else if (answered_untried(fl, t)) {
		char gw[48];
		int64_t ns = fl->msgs[t->resp].head.ts_ns -
		    fl->msgs[t->req].start.ts_ns;

		snprintf(out, outlen, "no DNS or upstream traffic for %s was "
		    "captured: the gateway %s %.3f ms after the request, "
		    "without trying an upstream (a reverse proxy does when no "
		    "backend of the host is up)", host,
		    gateway_did(t, gw, sizeof gw), (double)ns / 1e6);
	} else {
		snprintf(out, outlen, "no DNS or upstream traffic for %s was "
		    "captured", host);
	}
}

/* "the gateway answered N", the sentence of nearly every transaction of
 * a report's --all: without snprintf's reading of a format, cut short
 * where snprintf would. */
static void
answered(char *out, size_t outlen, uint16_t status)
{
	static const char head[] = "the gateway answered ";
	char buf[sizeof head + 5];
	size_t n = sizeof head - 1, d = status >= 10000 ? 5 : status >= 1000 ?
	    4 : status >= 100 ? 3 : status >= 10 ? 2 : 1;

	memcpy(buf, head, n);
	for (size_t i = n + d; i > n; i--, status /= 10)
		buf[i - 1] = (char)('0' + status % 10);
	n += d;
	if (outlen == 0)
		return;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, buf, n);
	out[n] = '\0';
}

void
diag_summary(const struct diag *dg, const struct flow *fl,
    const struct txn *t, char *out, size_t outlen)
{
	struct flow_line lb;

	(void)dg;
	switch (t->d.cause) {
	case C_DNS_NXDOMAIN:
	case C_DNS_ERROR:
	case C_DNS_NO_RESPONSE:
		summary_dns(fl, t, out, outlen);
		break;
	case C_SYN_UNANSWERED:
	case C_TCP_RST:
	case C_ICMP_UNREACHABLE:
		summary_connect(fl, t, out, outlen);
		break;
	case C_TLS_HANDSHAKE:
		summary_tls(fl, t, out, outlen);
		break;
	case C_HTTP_INVALID:
	case C_UPSTREAM_TIMEOUT:
	case C_UPSTREAM_CLOSED:
	case C_UPSTREAM_5XX:
		if (t->d.up_conn != NONE32 || t->d.nconns)
			summary_upstream(fl, t, out, outlen);
		else
			snprintf(out, outlen, "no reply from upstream");
		break;
	case C_NONE:
		if (t->d.verdict == V_PENDING)
			snprintf(out, outlen, "waiting for the gateway's answer");
		else
			answered(out, outlen, t->status);
		break;
	default:
		if (t->d.verdict == V_PENDING)
			snprintf(out, outlen, "waiting for the gateway's answer "
			    "(%.1f s so far)", secs(txn_elapsed_ns(fl, t,
			    fl->stats.last_ts)));
		else if (t->d.up_resp != NONE32 && t->status == 0)
			snprintf(out, outlen, "upstream answered \"%.60s\" yet "
			    "the gateway %s",
			    up_line(fl, t, &lb),
			    t->resp == NONE32 ? "sent no answer" :
			    "answered without a valid HTTP status line");
		else if (t->d.up_resp != NONE32)
			snprintf(out, outlen, "upstream answered \"%.60s\" yet "
			    "the gateway answered %u",
			    up_line(fl, t, &lb),
			    t->status);
		else
			summary_unknown(fl, t, out, outlen);
		break;
	}
	cached_note(fl, t, out, outlen);
	masked_note(fl, t, out, outlen);
}
