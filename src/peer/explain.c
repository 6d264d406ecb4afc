/*
 * explain.c: where a failing request failed, between the gateway and its
 * destination, from what the next hop saw (peer_explain), and the reports'
 * "next_hop" object and "Next hop:" line.
 *
 * The gateway's evidence frames are read again, matched to their copies at
 * the hop (peer_copies), and the hop's answers to them are looked up by
 * what they acknowledge or quote (peer_by_key). A reject is the hop's own
 * when no copy of it arrived with a higher TTL (a forwarded packet loses
 * one at the hop) and it leaves with an initial TTL (64, 128, 255).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../util/escape.h"
#include "peer_int.h"

#define MAX_COPIES 8		/* copies of one packet (one per interface) */
#define MAX_REPLIES 16
#define REPLY_MAX 2048		/* reply bytes compared */
/* Later than the longest upstream timeout a gateway waits, an "answer"
 * answers nothing of this request's. */
#define PEER_ANSWER_NS (600 * 1000000000LL)

static const char *const where_keys[PEER_WHERE_COUNT] = {
	[PEER_NONE] = "none",
	[PEER_LOST_BEFORE] = "lost-before-hop",
	[PEER_BEYOND] = "beyond-hop",
	[PEER_LOST_AFTER] = "lost-after-hop",
	[PEER_HOP_REJECTS] = "hop-rejects",
	[PEER_FROM_BEYOND] = "from-beyond",
	[PEER_ALTERED] = "altered-after-hop",
	[PEER_NOT_IN_PEER] = "not-in-peer",
};

const char *
peer_where_key(enum peer_where w)
{
	return w < PEER_WHERE_COUNT ? where_keys[w] : "none";
}

static const char *const what_names[] = {
	[PEER_WHAT_CONNECT] = "SYNs", [PEER_WHAT_DNS] = "queries",
	[PEER_WHAT_REPLY] = "request",
};

const char *
peer_remedy(const struct peer_verdict *v)
{
	bool dns = v->what == PEER_WHAT_DNS;

	switch (v->where) {
	case PEER_LOST_BEFORE:
		return dns ? "The DNS queries are lost between the gateway and "
		    "the next hop: check the firewall and route between them "
		    "for UDP/TCP port 53." : "A firewall or link between the "
		    "gateway and the next hop drops the gateway's packets: "
		    "check its rules and the gateway's route to the hop.";
	case PEER_BEYOND:
		return dns ? "The next hop forwards the queries and no answer "
		    "comes back: the DNS server, or a device beyond the hop, "
		    "does not answer; capture one hop further." : "The next "
		    "hop forwards the packets and nothing answers: the "
		    "destination or a firewall beyond the hop drops them; "
		    "capture one hop further or test from the hop.";
	case PEER_LOST_AFTER:
		return "The answer reaches the next hop but not the gateway: "
		    "check the return path (the hop's rules for replies, "
		    "asymmetric routing, a firewall between hop and gateway).";
	case PEER_HOP_REJECTS:
		return "The next hop itself rejects the connection: check its "
		    "rules (ACL, firewall policy) for this destination.";
	case PEER_FROM_BEYOND:
		return "The answer comes from beyond the next hop, unchanged: "
		    "check the destination (its service, its firewall), not "
		    "the path to it.";
	case PEER_ALTERED:
		return "A device between the next hop and the gateway rewrites "
		    "the reply (an inspecting proxy, IPS or NAT helper): check "
		    "what sits on that path.";
	case PEER_NOT_IN_PEER:
		return "The peer capture does not cover this request: capture "
		    "on the next hop and the gateway at the same time while "
		    "the request is repeated.";
	}
	return "The next hop's capture does not place this failure: capture "
	    "on the device after it as well.";
}

static void
add_frame(struct peer_verdict *v, uint64_t number)
{
	size_t i;

	for (i = 0; i < v->nframes && v->frames[i] < number; i++)
		;
	if ((i < v->nframes && v->frames[i] == number) ||
	    v->nframes == PEER_MAX_FRAMES)
		return;
	memmove(v->frames + i + 1, v->frames + i,
	    (v->nframes - i) * sizeof v->frames[0]);
	v->frames[i] = number;
	v->nframes++;
}

static void
add_frames(const struct peer *pr, struct peer_verdict *v, const uint32_t *idx,
    size_t n)
{
	for (size_t i = 0; i < n; i++)
		add_frame(v, pr->pkts[idx[i]].number);
}

/* Is gateway time ts inside the peer capture's span? */
static bool
covered(const struct peer *pr, int64_t ts)
{
	int64_t at = ts + pr->offset_ns;

	return at >= pr->first_ts && at <= pr->last_ts;
}

/* A gateway frame, read again: its signature and its copies at the hop. */
struct sighting {
	bool read;
	int64_t ts_ns;
	struct peer_sig sig;
	size_t ncopies;
	uint32_t copies[MAX_COPIES];
};

static void
look(struct peer *pr, const struct frame_ref *ref, struct sighting *s)
{
	struct frame f;
	struct pkt p;

	memset(s, 0, sizeof *s);
	if (!peer_read_gw(pr, ref, &f, &p) ||
	    !peer_sig_of(&p, &s->sig))
		return;
	s->read = true;
	s->ts_ns = f.ts_ns;
	s->ncopies = peer_copies(pr, &s->sig, f.ts_ns, s->copies, MAX_COPIES);
}

/* The hop's answers of a kind under `key` (what they acknowledge, quote
 * or ask) from just before the gateway's time ts to PEER_ANSWER_NS after
 * it; TCP ones only when they carry SYN, RST, FIN or bytes (a bare ACK
 * answers nothing). */
static size_t
answers(const struct peer *pr, uint32_t key, uint8_t kind, int64_t ts,
    uint32_t *out, size_t max)
{
	uint32_t all[MAX_REPLIES];
	size_t n = peer_by_key(pr, key, kind, all, MAX_REPLIES), k = 0;

	for (size_t i = 0; i < n && k < max; i++) {
		const struct peer_pkt *q = &pr->pkts[all[i]];

		if (q->ts_ns - pr->offset_ns < ts - PEER_WINDOW_NS ||
		    q->ts_ns - pr->offset_ns > ts + PEER_ANSWER_NS)
			continue;
		if (kind == PK_TCP && q->len == 0 &&
		    !(q->flags & (TCPF_SYN | TCPF_RST | TCPF_FIN)))
			continue;
		out[k++] = all[i];
	}
	return k;
}

/* The copy that left the hop last (towards the gateway). */
static const struct peer_pkt *
last_copy(const struct peer *pr, const uint32_t *idx, size_t n)
{
	const struct peer_pkt *last = &pr->pkts[idx[0]];

	for (size_t i = 1; i < n; i++)
		if (pr->pkts[idx[i]].ts_ns >= last->ts_ns)
			last = &pr->pkts[idx[i]];
	return last;
}

static bool
hop_made(const struct peer *pr, const uint32_t *idx, size_t n)
{
	const struct peer_pkt *last = last_copy(pr, idx, n);

	for (size_t i = 0; i < n; i++)
		if (pr->pkts[idx[i]].ttl > last->ttl)
			return false;	/* arrived, then forwarded */
	return last->ttl == 64 || last->ttl == 128 || last->ttl == 255;
}

/*
 * First differing byte between the gateway's frame and the hop's copy
 * (their L4 payloads), -1 when they are the same, -2 when the bytes
 * both captures hold (*compared) agree but are not all of them. A shorter
 * snap length is not a difference (the wire lengths are equal: they are
 * part of the match).
 */
static int32_t
first_difference(struct peer *pr, const struct frame_ref *gw_ref,
    const struct peer_pkt *copy, uint32_t *compared)
{
	uint8_t gw[REPLY_MAX];
	uint32_t gwlen, n;
	struct frame f;
	struct pkt p;

	*compared = 0;
	if (!peer_read_gw(pr, gw_ref, &f, &p))
		return -2;
	gwlen = p.payload_len < REPLY_MAX ? p.payload_len : REPLY_MAX;
	memcpy(gw, p.payload, gwlen);
	if (!peer_read(pr->cap, copy->number, copy->offset, &f, &p))
		return -2;
	n = p.payload_len < gwlen ? p.payload_len : gwlen;
	for (uint32_t i = 0; i < n; i++)
		if (gw[i] != p.payload[i])
			return (int32_t)i;
	*compared = n;
	return n < p.payload_wire_len && n < REPLY_MAX ? -2 : -1;
}

static void
say(struct peer_verdict *v, enum peer_where w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct peer_verdict *v, enum peer_where w, const char *fmt, ...)
{
	va_list ap;

	v->where = (uint8_t)w;
	va_start(ap, fmt);
	vsnprintf(v->summary, sizeof v->summary, fmt, ap);
	va_end(ap);
}

/* An answer seen at both ends: the same, or altered on the way. */
static void
place_answer(struct peer *pr, struct peer_verdict *v, const char *what,
    const struct frame_ref *gw_ref, const struct peer_pkt *copy)
{
	uint32_t n;

	v->diff_at = first_difference(pr, gw_ref, copy, &n);
	if (v->diff_at >= 0)
		say(v, PEER_ALTERED, "the %s differs between the hop (#%" PRIu64
		    ") and the gateway (#%" PRIu64 ") from byte %d on", what,
		    copy->number, (uint64_t)gw_ref->number, v->diff_at);
	else if (v->diff_at == -2)
		say(v, PEER_NONE, "the %s passed the hop (#%" PRIu64 "); the "
		    "first %" PRIu32 " bytes both captures hold agree, the rest "
		    "was not captured (snap length)", what, copy->number, n);
	else
		say(v, PEER_FROM_BEYOND, "the %s arrived at the hop from beyond "
		    "(hop frame #%" PRIu64 ") as the gateway got it", what,
		    copy->number);
}

/* A reject (RST or ICMP error) the gateway received, placed. */
static void
place_reject(struct peer *pr, struct peer_verdict *v,
    const struct frame_ref *ref, const char *what, unsigned reached)
{
	struct sighting s;

	look(pr, ref, &s);
	add_frames(pr, v, s.copies, s.ncopies);
	if (s.ncopies == 0 && reached == 0)
		say(v, PEER_LOST_BEFORE, "the hop never saw the %s; the %s "
		    "(#%" PRIu64 ") came from between the gateway and the hop",
		    what_names[v->what], what, (uint64_t)ref->number);
	else if (s.ncopies == 0)
		say(v, PEER_NONE, "the hop saw the %s, but the %s (#%" PRIu64
		    ") never passed it: something between the hop and the "
		    "gateway made it", what_names[v->what], what,
		    (uint64_t)ref->number);
	else if (hop_made(pr, s.copies, s.ncopies))
		say(v, PEER_HOP_REJECTS, "the %s (#%" PRIu64 ") was made by "
		    "the hop itself (hop frame #%" PRIu64 ", nothing like it "
		    "arrived from beyond)", what, (uint64_t)ref->number,
		    last_copy(pr, s.copies, s.ncopies)->number);
	else
		say(v, PEER_FROM_BEYOND, "the %s (#%" PRIu64 ") arrived at the "
		    "hop from beyond (hop frame #%" PRIu64 ") and was "
		    "forwarded unchanged", what, (uint64_t)ref->number,
		    pr->pkts[s.copies[0]].number);
}

static bool
place_connect(struct peer *pr, const struct flow *fl, const struct txn *t,
    struct peer_verdict *v)
{
	struct syn_series ss;
	struct sighting s;
	uint32_t rep[MAX_REPLIES];
	unsigned reached = 0, inside = 0;
	size_t nrep = 0;

	diag_syn_series(fl, t, fl->stats.last_ts, &ss);
	if (ss.n == 0)
		return false;
	for (unsigned i = 0; i < ss.n; i++) {
		look(pr, &ss.syn[i], &s);
		if (!s.read)
			continue;
		inside += covered(pr, s.ts_ns);
		reached += s.ncopies > 0;
		add_frames(pr, v, s.copies, s.ncopies);
		nrep += answers(pr, peer_ack_key(s.sig.seq + 1), PK_TCP,
		    s.ts_ns, rep + nrep, MAX_REPLIES - nrep);
		nrep += answers(pr, peer_ack_key(s.sig.seq + 1), PK_ICMP,
		    s.ts_ns, rep + nrep, MAX_REPLIES - nrep);
	}
	if (reached == 0 && inside == 0) {
		say(v, PEER_NOT_IN_PEER, "the peer capture does not cover the "
		    "SYN%s (#%" PRIu64 "…)", ss.n > 1 ? "s" : "",
		    (uint64_t)ss.syn[0].number);
		return true;
	}
	for (uint32_t i = 0; i < t->d.nconns; i++) {
		const struct conn *c = &fl->conns[t->d.conns[i]];

		if (t->d.cause == C_TCP_RST && c->rst.number &&
		    c->rst_from_server) {
			place_reject(pr, v, &c->rst, "RST", reached);
			return true;
		}
		if (t->d.cause == C_ICMP_UNREACHABLE &&
		    conn_icmp(fl, c)->first.number) {
			place_reject(pr, v, &conn_icmp(fl, c)->first,
			    "ICMP error", reached);
			return true;
		}
	}
	if (reached == 0)
		say(v, PEER_LOST_BEFORE, "the hop never saw the gateway's %u "
		    "SYNs (#%" PRIu64 "…): lost between the gateway and the "
		    "hop", ss.n, (uint64_t)ss.syn[0].number);
	else if (nrep) {
		add_frames(pr, v, rep, nrep);
		say(v, PEER_LOST_AFTER, "the hop forwarded %u of %u SYNs and "
		    "got an answer (hop frame #%" PRIu64 "%s) that never "
		    "reached the gateway", reached, ss.n,
		    pr->pkts[rep[0]].number,
		    pr->pkts[rep[0]].kind == PK_ICMP ? ", ICMP" :
		    (pr->pkts[rep[0]].flags & TCPF_RST) ? ", RST" : ", SYN/ACK");
	} else
		say(v, PEER_BEYOND, "the hop saw %u of the %u SYNs (hop frames "
		    "#%" PRIu64 "…) and no answer came back to it", reached,
		    ss.n, v->frames[0]);
	return true;
}

static bool
place_dns(struct peer *pr, const struct flow *fl, const struct txn *t,
    struct peer_verdict *v)
{
	unsigned reached = 0, inside = 0, lost = 0;
	uint32_t rep[MAX_REPLIES];
	const struct dns_query *answered = NULL;
	const struct peer_pkt *hop_answer = NULL, *lost_answer = NULL;
	struct sighting s;

	if (t->d.ndns == 0)
		return false;
	for (uint32_t i = 0; i < t->d.ndns; i++) {
		const struct dns_query *q = &fl->dns[t->d.dns[i]];
		size_t nrep;

		look(pr, &q->query, &s);
		if (!s.read)
			continue;
		inside += covered(pr, s.ts_ns);
		reached += s.ncopies > 0;
		add_frames(pr, v, s.copies, s.ncopies);
		nrep = answers(pr, s.sig.key, PK_DNS_ANSWER, s.ts_ns, rep,
		    MAX_REPLIES);
		add_frames(pr, v, rep, nrep);
		if (nrep && q->answer.number == 0 && lost++ == 0)
			lost_answer = last_copy(pr, rep, nrep);
		else if (nrep && q->answer.number && answered == NULL) {
			answered = q;
			hop_answer = last_copy(pr, rep, nrep);
		}
	}
	if (reached == 0 && inside == 0)
		say(v, PEER_NOT_IN_PEER, "the peer capture does not cover the "
		    "%u DNS queries", t->d.ndns);
	else if (reached == 0)
		say(v, PEER_LOST_BEFORE, "none of the %u DNS queries reached "
		    "the hop: lost between the gateway and the hop", t->d.ndns);
	else if (lost)
		say(v, PEER_LOST_AFTER, "%u DNS answers reached the hop (hop "
		    "frame #%" PRIu64 ") and never the gateway", lost,
		    lost_answer->number);
	else if (answered == NULL)
		say(v, PEER_BEYOND, "the hop forwarded %u of %u DNS queries "
		    "and no answer came back to it", reached, t->d.ndns);
	else
		place_answer(pr, v, "DNS answer", &answered->answer, hop_answer);
	return true;
}

static bool
place_reply(struct peer *pr, const struct flow *fl, const struct txn *t,
    struct peer_verdict *v)
{
	struct sighting s;
	uint32_t rep[MAX_REPLIES];
	size_t nrep;

	if (t->d.up_resp != NONE32) {
		const struct frame_ref *ref = &fl->msgs[t->d.up_resp].start;
		const struct peer_pkt *copy;

		look(pr, ref, &s);
		if (s.read && s.ncopies == 0 && !covered(pr, s.ts_ns)) {
			say(v, PEER_NOT_IN_PEER, "the peer capture does not "
			    "cover the reply (#%" PRIu64 ")",
			    (uint64_t)ref->number);
			return true;
		}
		if (s.ncopies == 0) {
			say(v, PEER_NONE, "the reply (#%" PRIu64 ") never passed "
			    "the hop's capture", (uint64_t)ref->number);
			return true;
		}
		add_frames(pr, v, s.copies, s.ncopies);
		copy = last_copy(pr, s.copies, s.ncopies);
		place_answer(pr, v, "reply", ref, copy);
		return true;
	}
	if (t->d.up_req == NONE32)
		return false;
	look(pr, &fl->msgs[t->d.up_req].start, &s);
	if (!s.read)
		return false;
	add_frames(pr, v, s.copies, s.ncopies);
	nrep = answers(pr, peer_ack_key(s.sig.seq + s.sig.len), PK_TCP,
	    s.ts_ns, rep, MAX_REPLIES);
	if (s.ncopies == 0 && !covered(pr, s.ts_ns))
		say(v, PEER_NOT_IN_PEER, "the peer capture does not cover the "
		    "upstream request");
	else if (s.ncopies == 0)
		say(v, PEER_LOST_BEFORE, "the upstream request never reached "
		    "the hop");
	else if (nrep && t->d.cause == C_UPSTREAM_TIMEOUT) {
		add_frames(pr, v, rep, nrep);
		say(v, PEER_LOST_AFTER, "the upstream answered at the hop "
		    "(hop frame #%" PRIu64 "); the gateway never got it",
		    pr->pkts[rep[0]].number);
	} else if (nrep) {
		add_frames(pr, v, rep, nrep);
		say(v, PEER_FROM_BEYOND, "the upstream's answer arrived at the "
		    "hop from beyond (hop frame #%" PRIu64 ")",
		    pr->pkts[rep[0]].number);
	} else
		say(v, PEER_BEYOND, "the hop forwarded the upstream request "
		    "and nothing came back to it");
	return true;
}

bool
peer_explain(struct peer *pr, const struct engine *e, const struct txn *t,
    struct peer_verdict *v)
{
	const struct flow *fl = &e->flow;

	memset(v, 0, sizeof *v);
	v->diff_at = -1;
	if (pr == NULL || !peer_shares(pr) || !(t->is_error || t->d.masked))
		return false;
	switch (t->d.verdict) {
	case V_HOST_NOT_RESOLVABLE:
		v->what = PEER_WHAT_DNS;
		return place_dns(pr, fl, t, v);
	case V_CANNOT_CONNECT:
		v->what = PEER_WHAT_CONNECT;
		return place_connect(pr, fl, t, v);
	case V_BAD_RESPONSE:
	case V_RELAYED:
		v->what = PEER_WHAT_REPLY;
		return place_reply(pr, fl, t, v);
	}
	return false;
}

static const char *const what_keys[] = {
	[PEER_WHAT_CONNECT] = "connect", [PEER_WHAT_DNS] = "dns",
	[PEER_WHAT_REPLY] = "reply",
};

void
peer_report_json(FILE *out, const struct engine *e, const struct txn *t)
{
	struct peer_verdict v;
	char buf[2 * sizeof v.summary + 8];

	if (!peer_explain(e->peer, e, t, &v))
		return;
	fprintf(out, ",\"next_hop\":{\"where\":");
	if (v.where == PEER_NONE)
		fputs("null", out);
	else
		fprintf(out, "\"%s\"", peer_where_key(v.where));
	fprintf(out, ",\"what\":\"%s\",\"offset_ms\":%.3f,"
	    "\"offset_spread_ms\":%.3f,\"peer_frames\":[", what_keys[v.what],
	    (double)e->peer->offset_ns / 1e6, (double)e->peer->spread_ns / 1e6);
	for (size_t i = 0; i < v.nframes; i++)
		fprintf(out, "%s%" PRIu64, i ? "," : "", v.frames[i]);
	fputc(']', out);
	if (v.where == PEER_ALTERED)
		fprintf(out, ",\"diff_offset\":%d", v.diff_at);
	esc_json(v.summary, strlen(v.summary), buf, sizeof buf);
	fprintf(out, ",\"summary\":\"%s\"", buf);
	esc_json(peer_remedy(&v), strlen(peer_remedy(&v)), buf, sizeof buf);
	fprintf(out, ",\"remedy\":\"%s\"}", buf);
}

void
peer_report_text(FILE *out, const struct engine *e, const struct txn *t)
{
	struct peer_verdict v;

	if (!peer_explain(e->peer, e, t, &v))
		return;
	fprintf(out, "    Next hop: %s: %s (clock %+.3f ms)\n",
	    v.where == PEER_NONE ? "not placed" : peer_where_key(v.where),
	    v.summary, (double)e->peer->offset_ns / 1e6);
	fprintf(out, "    Hop fix:  %s\n", peer_remedy(&v));
}
