/*
 * json.c: --report=json, one object per line per transaction, with the
 * keys of DESIGN §3 (stable: scripts rely on them).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../alog/alog.h"
#include "../proto/dns.h"
#include "../proto/packet.h"
#include "../peer/peer.h"
#include "../util/escape.h"
#include "../diag/evidence.h"
#include "report.h"

/*
 * The line being written: built in a buffer on the stack and handed to
 * stdio in one piece (printf per field was most of the time of
 * --report=json --all on many small transactions). A key or an array
 * element after anything but an opening bracket gets its comma itself.
 */
#define JW_SIZE (32 * 1024)
/*
 * The small writers are inlined into each call: a literal's length is then
 * known where it is written (no strlen of the key, no memcpy call for
 * "," or "{"), which was a third of the time of writing a line.
 */
#define JW_INLINE static inline __attribute__((always_inline))
/* A string's escaped form is cut to this many bytes, NUL included. */
#define JW_STR_MAX (4 * 2048 + 64)
struct jw {
	FILE *out;
	size_t n;
	char last;		/* the last byte written */
	char buf[JW_SIZE];
};

static void
jw_flush(struct jw *w)
{
	if (w->n > 0)
		fwrite(w->buf, 1, w->n, w->out);
	w->n = 0;
}

/* Room for k more bytes (k <= JW_SIZE). */
JW_INLINE char *
jw_room(struct jw *w, size_t k)
{
	if (JW_SIZE - w->n < k)
		jw_flush(w);
	return w->buf + w->n;
}

JW_INLINE void
jw_raw(struct jw *w, const char *s, size_t len)
{
	if (len == 0)
		return;
	memcpy(jw_room(w, len), s, len);
	w->n += len;
	w->last = s[len - 1];
}

#define jw_lit(w, s) jw_raw((w), (s), sizeof(s) - 1)

/* The comma before a key or an array element, unless it comes first. */
JW_INLINE void
jw_sep(struct jw *w)
{
	if (w->last != '{' && w->last != '[')
		jw_lit(w, ",");
}

/* ,"key": (the most frequent call: written in one go) */
JW_INLINE void
jkey(struct jw *w, const char *key)
{
	size_t k = strlen(key);
	char *p = jw_room(w, k + 4);

	if (w->last != '{' && w->last != '[')
		*p++ = ',';
	*p++ = '"';
	memcpy(p, key, k);
	p += k;
	*p++ = '"';
	*p++ = ':';
	w->n = (size_t)(p - w->buf);
	w->last = ':';
}

/* Two decimal digits per division: "00" to "99". */
static const char jw_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/*
 * How many decimal digits v has: from its bit length (1233/4096 is just
 * above log10(2): the guess is the count or one short, 0 below 8), then
 * one compare.
 */
static size_t
u64_digits(uint64_t v)
{
	static const uint64_t pow10[20] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
		100000000, 1000000000, 10000000000ULL, 100000000000ULL,
		1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
		1000000000000000ULL, 10000000000000000ULL,
		100000000000000000ULL, 1000000000000000000ULL,
		10000000000000000000ULL
	};
	size_t k = (size_t)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;

	return k + (k == 0 || v >= pow10[k]);	/* k: 0 to 19 */
}

/* Written where it goes, from its last digit back: no copy. */
static void
jw_u64(struct jw *w, uint64_t v)
{
	size_t k = u64_digits(v);
	char *p = jw_room(w, k), *e = p + k;

	for (; v >= 100; v /= 100) {
		e -= 2;
		memcpy(e, jw_pairs + v % 100 * 2, 2);
	}
	if (v >= 10)
		memcpy(e - 2, jw_pairs + v * 2, 2);
	else
		e[-1] = (char)('0' + v);
	w->n += k;
	w->last = p[k - 1];
}

/*
 * ns as milliseconds, 3 decimals: what printf("%.3f", ns / 1e6) writes.
 * Integer arithmetic gives the same digits unless the microseconds are a
 * tie (…500 ns), where the double's binary rounding decides, or the value
 * is so large that the double is no longer exact to the nanosecond
 * (beyond 2^33 ms): those go through printf.
 */
static void
jms(struct jw *w, int64_t ns)
{
	uint64_t m = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns, us;
	char frac[4];

	if (m % 1000 == 500 || m >= 8000000000000000ULL) {
		char tmp[64];
		int k = snprintf(tmp, sizeof tmp, "%.3f", (double)ns / 1e6);

		jw_raw(w, tmp, k > 0 ? (size_t)k : 0);
		return;
	}
	us = (m + 500) / 1000;
	if (ns < 0)
		jw_lit(w, "-");
	jw_u64(w, us / 1000);
	frac[0] = '.';
	frac[1] = (char)('0' + us / 100 % 10);
	frac[2] = (char)('0' + us / 10 % 10);
	frac[3] = (char)('0' + us % 10);
	jw_raw(w, frac, sizeof frac);
}

/*
 * How many bytes from s on (at most n) JSON takes as they are: printable
 * ASCII but '"' and '\\'. Eight at a time while a word test (no false
 * negatives) finds none of the others, then byte by byte.
 */
static bool
word_may_escape(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, highs = ones * 0x80;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
	uint64_t d = w ^ (ones * 0x7f);

	return ((((w - ones * 0x20) | (q - ones) | (b - ones) | (d - ones)) &
	    ~w & highs) | (w & highs)) != 0;
}

/*
 * The last bytes (fewer than eight) are tested as one word too: the
 * string's last eight bytes when it has eight (those before i are known
 * plain), else its bytes padded with a plain one; only a word that may
 * hold a byte to escape is gone through byte by byte.
 */
static size_t
plain_run(const unsigned char *s, size_t n)
{
	uint64_t w;
	size_t i = 0;

	for (; n - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		if (word_may_escape(w))
			goto bytes;
	}
	if (i == n)
		return n;
	if (n >= 8) {
		memcpy(&w, s + n - 8, 8);
	} else {
		w = 0x0101010101010101u * 'a';
		memcpy(&w, s, n);
	}
	if (!word_may_escape(w))
		return n;
bytes:
	while (i < n && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' &&
	    s[i] != '\\')
		i++;
	return i;
}

/*
 * "val", escaped for JSON (esc_json) and cut to JW_STR_MAX as esc_json
 * cuts it: the leading run of bytes that need no escape is copied as it
 * is, esc_json does the rest (it gives the same bytes for a tail as for
 * the whole).
 */
static void
jw_qstr(struct jw *w, const char *val)
{
	size_t len = strlen(val), i;
	char *p;

	jw_lit(w, "\"");
	p = jw_room(w, JW_STR_MAX + 1);
	i = plain_run((const unsigned char *)val,
	    len < JW_STR_MAX - 1 ? len : JW_STR_MAX - 1);
	memcpy(p, val, i);
	w->n += i;
	if (i < len) {
		esc_json(val + i, len - i, p + i, JW_STR_MAX - i);
		w->n += strlen(p + i);
	}
	jw_lit(w, "\"");
}

/* ,"key":"val" */
JW_INLINE void
jstr(struct jw *w, const char *key, const char *val)
{
	jkey(w, key);
	jw_qstr(w, val);
}

/* ,"key":"address" (written in place: an address needs no escape) */
static void
jaddr(struct jw *w, const char *key, const struct gw_addr *a)
{
	char *p;

	jkey(w, key);
	p = jw_room(w, ADDR_STRLEN + 2);
	*p++ = '"';
	p += addr_text(a, p);
	*p++ = '"';
	w->n = (size_t)(p - w->buf);
	w->last = '"';
}

/* ,"key":N */
JW_INLINE void
jnum(struct jw *w, const char *key, uint64_t v)
{
	jkey(w, key);
	jw_u64(w, v);
}

/* A frame number; 0 is none: null. */
JW_INLINE void
jframe(struct jw *w, const char *key, uint64_t frame)
{
	jkey(w, key);
	if (frame)
		jw_u64(w, frame);
	else
		jw_lit(w, "null");
}

JW_INLINE void
jbool(struct jw *w, const char *key, bool v)
{
	jkey(w, key);
	if (v)
		jw_lit(w, "true");
	else
		jw_lit(w, "false");
}

static void
json_dns(struct jw *w, const struct flow *fl, const struct txn *t,
    const struct evidence *ev)
{
	const struct evidence_row *r;

	jkey(w, "dns");
	jw_lit(w, "[");
	for (size_t k = 0; (r = evidence_find(ev, EK_DNS_QUERY, k)); k++) {
		const struct dns_query *q = &fl->dns[r->ref];

		jw_sep(w);
		jw_lit(w, "{");
		jframe(w, "frame", r->frame);
		jstr(w, "name", r->name);
		jstr(w, "type", r->kind_name);
		jstr(w, "server", r->peer);
		if (r->reply_frame) {
			jstr(w, "rcode", r->text);
			jkey(w, "rtt_ms");
			jms(w, r->delay_ns);
		} else {
			jw_lit(w, ",\"rcode\":null,\"rtt_ms\":null");
		}
		jframe(w, "response_frame", r->reply_frame);
		jstr(w, "link", link_key(t->d.dns_link));
		jkey(w, "answers");
		jw_lit(w, "[");
		/* every answer (the rows name the first four) */
		for (unsigned j = 0; r->reply_frame && j < q->nanswers; j++) {
			const struct dns_answer *a =
			    &fl->dns_answers[q->first_answer + j];
			char buf[ADDR_STRLEN + 8 + DNS_NAME_MAX];

			if (a->addr.family)
				addr_fmt(&a->addr, buf, sizeof buf);
			else
				snprintf(buf, sizeof buf, "CNAME %s",
				    flow_str(fl, a->target));
			jw_sep(w);
			jw_qstr(w, buf);
		}
		jw_lit(w, "]}");
	}
	jw_lit(w, "]");
}

/* The row of kind that the attempt ci shows, or NULL. */
static const struct evidence_row *
conn_row(const struct evidence *ev, enum evidence_kind kind, uint32_t ci)
{
	const struct evidence_row *r;

	for (size_t k = 0; (r = evidence_find(ev, kind, k)); k++)
		if (r->ref == ci)
			return r;
	return NULL;
}

/* ,"key":[…] of the SYN rows from `first` on, of attempt ci's only
 * unless NONE32: frames or a time of each. */
enum syn_field { SYN_FRAME, SYN_OFFSET, SYN_INTERVAL };
static void
json_syns(struct jw *w, const char *key, const struct evidence *ev,
    uint32_t ci, size_t first, enum syn_field f)
{
	size_t k = 0;

	jkey(w, key);
	jw_lit(w, "[");
	/* one pass (evidence_find per SYN would rescan the rows each time) */
	for (size_t i = 0; i < ev->n; i++) {
		const struct evidence_row *r = &ev->rows[i];

		if (r->kind != EK_SYN || (ci != NONE32 && r->ref != ci) ||
		    k++ < first)
			continue;
		jw_sep(w);
		if (f == SYN_FRAME)
			jw_u64(w, r->frame);
		else
			jms(w, f == SYN_OFFSET ? r->offset_ns : r->interval_ns);
	}
	jw_lit(w, "]");
}

/* How an attempt ended, by its rows: SYN/ACK, RST, ICMP error (NULL:
 * none). */
static const char *
attempt_outcome(const struct evidence_row *synack,
    const struct evidence_row *rst, const struct evidence_row *icmp,
    const struct evidence_row *tls_end)
{
	return tls_end ? "tls-handshake" : synack ? "connected" : icmp ?
	    "icmp-unreachable" : rst ? "tcp-rst" : "syn-unanswered";
}

/*
 * ,"tls":{…}: a connection the gateway opened with a TLS ClientHello:
 * the server name it asked for, the version agreed, its request after
 * the handshake (encrypted), or how the handshake failed (the key, the
 * alert, the frame).
 */
static void
json_tls(struct jw *w, const struct evidence *ev, uint32_t ci)
{
	const struct evidence_row *hello = conn_row(ev, EK_TLS_HELLO, ci);
	const struct evidence_row *end = conn_row(ev, EK_TLS_END, ci);
	const struct evidence_row *request = conn_row(ev, EK_TLS_REQUEST, ci);

	if (hello == NULL)
		return;
	jkey(w, "tls");
	jw_lit(w, "{");
	jframe(w, "hello_frame", hello->frame);
	if (request)
		jframe(w, "request_frame", request->frame);
	if (*hello->name)
		jstr(w, "server_name", hello->name);
	if (*hello->text)
		jstr(w, "version", hello->text);
	if (end) {
		jstr(w, "failure", end->kind_name);
		jframe(w, "failure_frame", end->frame);
		if (end->code)
			jnum(w, "alert", end->type);
		jstr(w, "text", end->text);
	}
	jw_lit(w, "}");
}

/*
 * ,"connections":[…]: each attempt in the order they began (several: a
 * gateway that tried another server, or the same one again on a new
 * socket), its server, the gateway's port, how it ended, its SYNs and
 * the frame that ended it.
 */
static void
json_connections(struct jw *w, const struct flow *fl,
    const struct evidence *ev)
{
	const struct evidence_row *r;

	jkey(w, "connections");
	jw_lit(w, "[");
	for (size_t k = 0; (r = evidence_find(ev, EK_CONNECT, k)); k++) {
		const struct conn *c = &fl->conns[r->ref];
		const struct evidence_row *synack = conn_row(ev, EK_SYNACK,
		    r->ref);
		const struct evidence_row *rst = conn_row(ev, EK_RST, r->ref);
		const struct evidence_row *icmp = conn_row(ev, EK_ICMP, r->ref);
		const struct evidence_row *tls_end = conn_row(ev, EK_TLS_END,
		    r->ref);

		jw_sep(w);
		jw_lit(w, "{");
		jaddr(w, "server", &c->saddr);
		jnum(w, "port", c->sport);
		jnum(w, "gateway_port", c->cport);
		jstr(w, "outcome", attempt_outcome(synack, rst, icmp,
		    tls_end));
		json_syns(w, "syn_frames", ev, r->ref, 0, SYN_FRAME);
		if (synack)
			jframe(w, "synack_frame", synack->frame);
		if (rst)
			jframe(w, "rst_frame", rst->frame);
		if (icmp)
			jframe(w, "icmp_frame", icmp->frame);
		json_tls(w, ev, r->ref);
		jw_lit(w, "}");
	}
	jw_lit(w, "]");
}

static void
json_connect(struct jw *w, const struct flow *fl, const struct txn *t,
    const struct evidence *ev)
{
	/* the one that carried the request, else the last */
	uint32_t ci = t->d.up_conn != NONE32 ? t->d.up_conn :
	    t->d.conns[t->d.nconns - 1];
	const struct conn *c = &fl->conns[ci];
	const struct evidence_row *synack = conn_row(ev, EK_SYNACK, ci);
	const struct evidence_row *rst = conn_row(ev, EK_RST, ci);
	const struct evidence_row *icmp = conn_row(ev, EK_ICMP, ci);
	const struct evidence_row *tls_end = conn_row(ev, EK_TLS_END, ci);

	jkey(w, "connect");
	jw_lit(w, "{");
	jaddr(w, "server", &c->saddr);
	jnum(w, "port", c->sport);
	jstr(w, "outcome", attempt_outcome(synack, rst, icmp, tls_end));
	jstr(w, "link", link_key(t->d.conn_link));
	jnum(w, "attempts", t->d.nconns);
	json_syns(w, "syn_frames", ev, NONE32, 0, SYN_FRAME);
	json_syns(w, "syn_times_ms", ev, NONE32, 0, SYN_OFFSET);
	json_syns(w, "intervals_ms", ev, NONE32, 1, SYN_INTERVAL);
	if (synack)
		jframe(w, "synack_frame", synack->frame);
	if (rst)
		jframe(w, "rst_frame", rst->frame);
	if (icmp) {
		jkey(w, "icmp");
		jw_lit(w, "{");
		jnum(w, "frame", icmp->frame);
		jnum(w, "type", icmp->type);
		jnum(w, "code", icmp->code);
		jstr(w, "name", icmp->text);
		jstr(w, "from", icmp->peer);
		jw_lit(w, "}");
	}
	json_tls(w, ev, ci);
	if (evidence_find(ev, EK_CONNECT, 1))
		json_connections(w, fl, ev);
	jw_lit(w, "}");
}

/* The keys of an upstream request's row and its reply's (none: NULL). */
static void
json_exchange(struct jw *w, const struct flow *fl,
    const struct evidence_row *up, const struct evidence_row *reply)
{
	jframe(w, "request_frame", up->frame);
	jstr(w, "request_line", up->text);
	if (reply && reply->frame) {
		const struct http_msg *m = &fl->msgs[reply->ref];

		jframe(w, "response_frame", reply->frame);
		jstr(w, "first_line", reply->text);
		jbool(w, "valid", m->valid);
		if (m->valid)
			jnum(w, "status", m->status);
	} else {
		jw_lit(w, ",\"response_frame\":null,\"first_line\":null");
	}
}

static void
json_upstream(struct jw *w, const struct flow *fl, const struct evidence *ev)
{
	jkey(w, "upstream");
	jw_lit(w, "{");
	json_exchange(w, fl, evidence_find_last(ev, EK_UP_REQUEST),
	    evidence_find_last(ev, EK_UP_REPLY));
	jw_lit(w, "}");
}

/* ,"tries":[…]: a reverse proxy's earlier tries, each with its server,
 * its request and reply rows (walk_exchange writes them in a row) and
 * how it failed. */
static void
json_tries(struct jw *w, const struct flow *fl, const struct txn *t,
    const struct evidence *ev)
{
	jkey(w, "tries");
	jw_lit(w, "[");
	for (unsigned k = 0; k < t->d.ntries; k++) {
		const struct conn *c = &fl->conns[fl->msgs[t->d.tries[k]].conn];
		const struct evidence_row *up = NULL, *reply = NULL;

		for (size_t i = 0; i < ev->n && up == NULL; i++)
			if (ev->rows[i].kind == EK_UP_REQUEST &&
			    ev->rows[i].ref == t->d.tries[k]) {
				up = &ev->rows[i];
				if (i + 1 < ev->n &&
				    ev->rows[i + 1].kind == EK_UP_REPLY)
					reply = &ev->rows[i + 1];
			}
		if (up == NULL)
			continue;	/* not seen by the end: no row */
		jw_sep(w);
		jw_lit(w, "{");
		jaddr(w, "server", &c->saddr);
		jnum(w, "port", c->sport);
		json_exchange(w, fl, up, reply);
		jstr(w, "cause", cause_key(t->d.try_cause[k]));
		jw_lit(w, "}");
	}
	jw_lit(w, "]");
}

void
report_json_txn(FILE *out, const struct engine *e, const struct txn *t,
    const struct evidence *ev)
{
	const struct flow *fl = &e->flow;
	const struct conn *cc = &fl->conns[t->conn];
	const struct http_msg *req = &fl->msgs[t->req];
	const struct evidence_row *request = evidence_find(ev, EK_REQUEST, 0);
	const struct evidence_row *answer = evidence_find(ev, EK_ANSWER, 0);
	uint64_t frames[512];
	size_t nev;
	char when[40];
	struct jw w;

	w.out = out;
	w.n = 0;
	w.last = '\0';
	jw_lit(&w, "{");
	jnum(&w, "id", t->id);
	jaddr(&w, "client", &cc->caddr);
	jnum(&w, "client_port", cc->cport);
	jaddr(&w, "gateway", &cc->saddr);
	jnum(&w, "gateway_port", cc->sport);
	jstr(&w, "method", flow_str(fl, req->method));
	jstr(&w, "url", flow_str(fl, t->url));
	jstr(&w, "host", flow_str(fl, t->host));
	jnum(&w, "port", t->port);
	if (t->status)
		jnum(&w, "status", t->status);
	else
		jw_lit(&w, ",\"status\":null");
	jframe(&w, "request_frame", request->frame);
	jframe(&w, "response_frame", answer->frame);
	report_iso_time(req->head.ts_ns, when, sizeof when);
	jstr(&w, "request_time", when);
	jkey(&w, "elapsed_ms");
	jms(&w, answer->delay_ns);
	jstr(&w, "verdict", verdict_key(t->d.verdict));
	jstr(&w, "cause", cause_key(t->d.cause));
	jstr(&w, "summary", ev->summary);
	jstr(&w, "remedy", ev->remedy);
	jbool(&w, "shared", t->d.shared);
	if (t->d.masked)
		jbool(&w, "masked", true);
	if (t->d.ambiguous) {
		jbool(&w, "ambiguous", true);
		jkey(&w, "rivals");
		jw_lit(&w, "[");
		jw_u64(&w, t->rival);
		jw_lit(&w, "]");
	}
	jkey(&w, "evidence_frames");
	jw_lit(&w, "[");
	nev = evidence_frames(ev, frames, sizeof frames / sizeof frames[0]);
	for (size_t i = 0; i < nev; i++) {
		jw_sep(&w);
		jw_u64(&w, frames[i]);
	}
	jw_lit(&w, "]");
	if (t->d.ndns)
		json_dns(&w, fl, t, ev);
	if (t->d.nconns)
		json_connect(&w, fl, t, ev);
	if (t->d.up_req != NONE32)
		json_upstream(&w, fl, ev);
	if (t->d.ntries)
		json_tries(&w, fl, t, ev);
	/* the next hop's and the access log's keys write to out themselves */
	jw_flush(&w);
	peer_report_json(out, e, t);
	alog_json_txn(out, e->alog, t->id);	/* --access-log: "log" */
	fputs("}\n", out);
}
