/*
 * test_diag.c: the diagnosis (src/diag) on small flows built by hand: a
 * client's request to the proxy (10.0.0.1:9090) for www.test, the
 * gateway's DNS look-ups and upstream connections, and the gateway's
 * answer. Every verdict and cause of DESIGN §1 with its evidence frames,
 * export range, SYN series, elapsed time and summary; the words of every
 * verdict and cause; concurrent requests for one host. Busy gateways
 * (issue 12): answers served from the gateway's DNS cache (positive and
 * negative, within their TTL), look-ups in flight, pooled upstream
 * connections and the keep-alive race, several addresses, masked
 * failures, late evidence, and the same verdicts whether the capture is
 * diagnosed at its end or slice by slice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag/evidence.h"
#include "diag/ladder.h"
#include "unit_flow.h"
#include "unit_heap.h"
#include "diag_scene.h"

/* " 3 4 5": frame numbers as text, for comparing and for messages. */
static void
frames_text(char *out, size_t len, const uint64_t *f, size_t n)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, " %llu",
		    (unsigned long long)f[i]);
}

static void
expect_frames(struct uf *u, const struct txn *t, const uint64_t *want,
    size_t nwant)
{
	uint64_t got[64];
	char g[512], w[512];

	frames_text(g, sizeof g, got, uf_evidence(u, t, got, 64));
	frames_text(w, sizeof w, want, nwant);
	if (strcmp(g, w) != 0)
		fail_msg("transaction %u: evidence frames%s, expected%s", t->id,
		    g, w);
}

/* The evidence frames, sorted: EVIDENCE(u, t, 3, 4, 5). */
#define EVIDENCE(u, t, ...) expect_frames((u), (t), \
	(const uint64_t[]){ __VA_ARGS__ }, \
	sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))

/* Every word in words[] is in the summary, none of avoid[]. */
static void
expect_summary(struct uf *u, const struct txn *t, const char *const *words,
    const char *const *avoid)
{
	char sum[512];

	uf_summary(u, t, sum, sizeof sum);
	for (; words && *words; words++)
		if (strstr(sum, *words) == NULL)
			fail_msg("summary \"%s\" lacks \"%s\"", sum, *words);
	for (; avoid && *avoid; avoid++)
		if (strstr(sum, *avoid) != NULL)
			fail_msg("summary \"%s\" says \"%s\"", sum, *avoid);
}

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void
expect_range(struct uf *u, const struct txn *t, uint64_t first, uint64_t last)
{
	struct frame_ref f, l;

	txn_frame_range(&u->fl, t, &f, &l);
	if (f.number != first || l.number != last)
		fail_msg("transaction %u: range %llu-%llu, expected %llu-%llu",
		    t->id, (unsigned long long)f.number,
		    (unsigned long long)l.number, (unsigned long long)first,
		    (unsigned long long)last);
	assert_int_equal(f.offset_lo, first * 100);
}

static void
expect_elapsed(struct uf *u, const struct txn *t, int64_t ns)
{
	assert_int_equal(txn_elapsed_ns(&u->fl, t, u->fl.stats.last_ts), ns);
}

/* One row of the ladder diagram as the TUI shows it. */
struct want_row {
	uint64_t frame;
	enum evidence_col from, to;
	bool bad;
	const char *label;
	const char *detail;	/* a part of the detail, or NULL */
};

/* The ladder of t is exactly rows[], in frame order. */
static void
expect_ladder(struct uf *u, const struct txn *t, const struct want_row *rows,
    size_t n)
{
	struct ladder l;

	memset(&l, 0, sizeof l);
	assert_int_equal(ladder_build(&l, &u->fl, &u->dg, t), 0);
	for (size_t i = 0; i < n || i < l.n; i++) {
		const struct evidence_row *r = i < l.n ? l.rows[i] : NULL;

		if (r == NULL || i >= n)
			fail_msg("ladder: %zu rows, expected %zu", l.n, n);
		if (r->frame != rows[i].frame || r->from != rows[i].from ||
		    r->to != rows[i].to || r->bad != rows[i].bad ||
		    strcmp(r->label, rows[i].label) != 0 ||
		    (rows[i].detail && !strstr(r->detail, rows[i].detail)))
			fail_msg("ladder row %zu: frame %llu %s->%s%s \"%s\" "
			    "[%s], expected frame %llu %s->%s%s \"%s\" [%s]", i,
			    (unsigned long long)r->frame,
			    evidence_col_name(r->from), evidence_col_name(r->to),
			    r->bad ? " bad" : "", r->label, r->detail,
			    (unsigned long long)rows[i].frame,
			    evidence_col_name(rows[i].from),
			    evidence_col_name(rows[i].to),
			    rows[i].bad ? " bad" : "", rows[i].label,
			    rows[i].detail ? rows[i].detail : "");
	}
	ladder_free(&l);
}

#define LADDER(u, t, ...) expect_ladder((u), (t), \
	(const struct want_row[]){ __VA_ARGS__ }, \
	sizeof((const struct want_row[]){ __VA_ARGS__ }) / \
	sizeof(struct want_row))

/* The rows every scene starts with: the client's request (frame 3). */
#define ROW_REQ { 3, EC_CLIENT, EC_GATEWAY, false, "GET " URL, \
	"10.0.0.5:40000 -> 10.0.0.1:9090\nClient request (transaction 1):\n" \
	"GET " URL " HTTP/1.1\n" }
#define ROW_502(f) { (f), EC_GATEWAY, EC_CLIENT, true, \
	"HTTP/1.1 502 Bad Gateway", "10.0.0.1:9090 -> 10.0.0.5:40000\n" \
	"Gateway's answer to the client:\nHTTP/1.1 502 Bad Gateway\n" }
#define ROW_QUERY(f, bad, label) { (f), EC_GATEWAY, EC_DNS, (bad), (label), \
	"10.0.0.1:33000 -> 10.0.0.53:53\nDNS query id 0x" }
#define ROW_RESOLVED { 5, EC_DNS, EC_GATEWAY, false, "A 192.0.2.10 ...", \
	"www.test CNAME edge.test\nedge.test A 192.0.2.10\n" }

/* The look-up's answer says No Such Name. */
static void
test_dns_nxdomain(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t q, a, resp;

	scene_init(&s, *state);
	ask(&s);
	q = query(&s);
	a = answer(&s, 3, NULL, 0);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	assert_int_equal(t->status, 502);
	assert_true(t->is_error);
	assert_int_equal(t->d.ndns, 1);
	assert_false(t->d.shared);
	EVIDENCE(s.u, t, s.req, q, a, resp);
	expect_range(s.u, t, s.req, resp);
	expect_elapsed(s.u, t, 3 * UF_MS);
	expect_summary(s.u, t, WORDS("10.0.0.53", "NXDOMAIN", HOST,
	    "no such name"), WORDS("SERVFAIL"));
	LADDER(s.u, t, ROW_REQ, ROW_QUERY(q, false, "DNS A? " HOST),
	    { a, EC_DNS, EC_GATEWAY, true, "NXDOMAIN",
	    "10.0.0.53:53 -> 10.0.0.1:33000\nDNS answer id 0x0101, RCODE 3 "
	    "NXDOMAIN, rtt 1.0 ms\n" }, ROW_502(resp));
}

/* An error RCODE is a DNS error, never No Such Name. */
static void
dns_error(struct uf *u, uint8_t rcode, const char *name)
{
	struct scene s;
	const struct txn *t;
	uint64_t q, a, resp;

	scene_init(&s, u);
	ask(&s);
	q = query(&s);
	a = answer(&s, rcode, NULL, 0);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_ERROR);
	EVIDENCE(s.u, t, s.req, q, a, resp);
	expect_summary(s.u, t, WORDS(name, HOST, "the look-up failed"),
	    WORDS("NXDOMAIN", "no such name"));
}

static void
test_dns_servfail(void **state)
{
	dns_error(*state, 2, "SERVFAIL");
}

static void
test_dns_refused(void **state)
{
	dns_error(*state, 5, "REFUSED");
}

/* NOERROR without any address (NODATA): no address, a DNS error. */
static void
test_dns_no_address(void **state)
{
	static const struct uf_rr alias[] = {
		{ DNS_T_CNAME, NULL, 300, "edge.test" },
	};
	struct scene s;
	const struct txn *t;

	scene_init(&s, *state);
	ask(&s);
	query(&s);
	answer(&s, 0, alias, 1);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_ERROR);
	expect_summary(s.u, t, WORDS("without any address", HOST),
	    WORDS("NXDOMAIN"));
}

/* Three queries from one socket, 1 s apart, never answered. */
static void
test_dns_no_response(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t q[3], resp;

	scene_init(&s, *state);
	ask(&s);
	for (int i = 0; i < 3; i++) {
		uf_at(s.u, s.req_ts + 1 * UF_MS + i * UF_S);
		q[i] = query(&s);
	}
	uf_at(s.u, s.req_ts + 5 * UF_S);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_int_equal(t->d.ndns, 3);
	EVIDENCE(s.u, t, s.req, q[0], q[1], q[2], resp);
	expect_range(s.u, t, s.req, resp);
	expect_elapsed(s.u, t, 5 * UF_S);
	expect_summary(s.u, t, WORDS("3 DNS queries", HOST, "10.0.0.53",
	    "no answer in 5.0 s"), NULL);
	LADDER(s.u, t, ROW_REQ,
	    ROW_QUERY(q[0], true, "DNS A? " HOST " (no answer)"),
	    ROW_QUERY(q[1], true, "DNS A? " HOST " (no answer)"),
	    ROW_QUERY(q[2], true, "DNS A? " HOST " (no answer)"),
	    ROW_502(resp));
}

/* Three SYNs, the retries after 1 s and 2 s, never a SYN/ACK. */
static void
test_syn_unanswered(void **state)
{
	struct scene s;
	const struct txn *t;
	struct syn_series ss;
	uint64_t syn[3], resp;
	const int64_t at[3] = { 20 * UF_S, 21 * UF_S, 23 * UF_S };

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	for (int i = 0; i < 3; i++) {
		uf_at(s.u, at[i]);
		syn[i] = uf_syn(s.u, &s.out, &s.web);
	}
	uf_at(s.u, 30 * UF_S);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(t->d.nconns, 1);
	diag_syn_series(&s.u->fl, t, s.u->fl.stats.last_ts, &ss);
	assert_int_equal(ss.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(ss.syn[i].number, syn[i]);
		assert_int_equal(ss.conn[i], t->d.conns[0]);
	}
	assert_int_equal(ss.syn[1].ts_ns - ss.syn[0].ts_ns, 1 * UF_S);
	assert_int_equal(ss.syn[2].ts_ns - ss.syn[1].ts_ns, 2 * UF_S);
	EVIDENCE(s.u, t, s.req, 4, 5, syn[0], syn[1], syn[2], resp);
	expect_range(s.u, t, s.req, resp);
	expect_elapsed(s.u, t, 30 * UF_S - s.req_ts);
	expect_summary(s.u, t, WORDS("3 SYNs", "192.0.2.10 port 80",
	    "no answer over 3.0 s"), NULL);
	/* the retransmissions are the evidence, each with its wait */
	LADDER(s.u, t, ROW_REQ, ROW_QUERY(4, false, "DNS A? " HOST),
	    ROW_RESOLVED,
	    { syn[0], EC_GATEWAY, EC_UPSTREAM, false, "SYN",
	    "10.0.0.1:50000 -> 192.0.2.10:80\n" },
	    { syn[1], EC_GATEWAY, EC_UPSTREAM, true, "SYN retransmission",
	    "Attempt 2, +1.000 s after the previous SYN" },
	    { syn[2], EC_GATEWAY, EC_UPSTREAM, true, "SYN retransmission",
	    "Attempt 3, +2.000 s after the previous SYN, x2.0" },
	    ROW_502(resp));
}

/* The server answers the SYN with RST: the RST is evidence. */
static void
test_tcp_rst_from_server(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t syn, rst, resp;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	syn = uf_syn(s.u, &s.out, &s.web);
	rst = uf_rst(s.u, &s.web, &s.out);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	EVIDENCE(s.u, t, s.req, 4, 5, syn, rst, resp);
	expect_summary(s.u, t, WORDS("192.0.2.10 port 80", "RST",
	    "connection refused"), NULL);
	LADDER(s.u, t, ROW_REQ, ROW_QUERY(4, false, "DNS A? " HOST),
	    ROW_RESOLVED, { syn, EC_GATEWAY, EC_UPSTREAM, false, "SYN", NULL },
	    { rst, EC_UPSTREAM, EC_GATEWAY, true, "RST",
	    "192.0.2.10:80 -> 10.0.0.1:50000\n" }, ROW_502(resp));
}

/* The gateway itself resets its unanswered attempt: that RST is not the
 * server refusing, and not evidence. */
static void
test_rst_from_gateway(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t syn[2], resp;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	syn[0] = uf_syn(s.u, &s.out, &s.web);
	uf_wait(s.u, UF_S);
	syn[1] = uf_syn(s.u, &s.out, &s.web);
	uf_rst(s.u, &s.out, &s.web);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	assert_false(s.u->fl.conns[t->d.conns[0]].rst_from_server);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	EVIDENCE(s.u, t, s.req, 4, 5, syn[0], syn[1], resp);
	expect_summary(s.u, t, WORDS("2 SYNs", "no answer"), WORDS("RST"));
}

/* A literal address in the URL needs no look-up: the attempts to it are
 * the evidence. */
static void
test_literal_address(void **state)
{
	struct scene s;
	struct uf *u = *state;
	const struct txn *t;
	uint64_t req, syn, rst, resp;

	scene_init(&s, u);
	uf_handshake(u, &u->cli, &u->srv);
	req = uf_get(u, &u->cli, &u->srv, "http://192.0.2.10/", "192.0.2.10");
	syn = uf_syn(u, &s.out, &s.web);
	rst = uf_rst(u, &s.web, &s.out);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.ndns, 0);
	EVIDENCE(u, t, req, syn, rst, resp);
}

/* A router rejects the SYN with an ICMP error quoting it. */
static void
test_icmp_unreachable_v4(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t syn, icmp, resp;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	syn = uf_syn(s.u, &s.out, &s.web);
	icmp = uf_icmp(s.u, "10.0.0.254", &s.out, &s.web, 3, 13);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
	EVIDENCE(s.u, t, s.req, 4, 5, syn, icmp, resp);
	expect_summary(s.u, t, WORDS("10.0.0.254", "192.0.2.10:80",
	    "Communication administratively filtered"), NULL);
	LADDER(s.u, t, ROW_REQ, ROW_QUERY(4, false, "DNS A? " HOST),
	    ROW_RESOLVED, { syn, EC_GATEWAY, EC_UPSTREAM, false, "SYN", NULL },
	    { icmp, EC_UPSTREAM, EC_GATEWAY, true, "ICMP 3/13",
	    "ICMP from 10.0.0.254: Communication administratively filtered\n"
	    "quotes the SYN 10.0.0.1:50000 -> 192.0.2.10:80\n" },
	    ROW_502(resp));
}

/* The same over IPv6: an AAAA answer, ICMPv6 administratively
 * prohibited. */
static void
test_icmp_unreachable_v6(void **state)
{
	static const struct uf_rr v6[] = {
		{ DNS_T_AAAA, NULL, 60, "2001:db8::10" },
	};
	struct scene s;
	const struct txn *t;
	uint64_t q, a, syn, icmp, resp;

	scene_init(&s, *state);
	uf_side_init(&s.out, "2001:db8::1", 50000, 7000);
	uf_side_init(&s.web, "2001:db8::10", 80, 9000);
	ask(&s);
	q = uf_dns_query(s.u, &s.res, &s.dns, 7, HOST, DNS_T_AAAA);
	a = uf_dns_answer(s.u, &s.dns, &s.res, 7, HOST, DNS_T_AAAA, 0, v6, 1);
	syn = uf_syn(s.u, &s.out, &s.web);
	icmp = uf_icmp(s.u, "2001:db8::fe", &s.out, &s.web, 1, 1);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
	EVIDENCE(s.u, t, s.req, q, a, syn, icmp, resp);
	expect_summary(s.u, t, WORDS("2001:db8::fe", "2001:db8::10",
	    "administratively prohibited"), NULL);
}

/* Connected and asked; the reply is not an HTTP/1.x head. */
static void
test_http_invalid_response(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t up, reply, resp;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	up = upstream_get(&s);
	reply = uf_send(s.u, &s.web, &s.out, "<html>no status line</html>");
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_int_equal(s.u->fl.msgs[t->d.up_req].head.number, up);
	assert_int_equal(s.u->fl.msgs[t->d.up_resp].head.number, reply);
	EVIDENCE(s.u, t, s.req, 4, 5, 6, 7, up, reply, resp);
	expect_summary(s.u, t, WORDS("192.0.2.10:80", "without a valid HTTP",
	    "no status line"), NULL);
	LADDER(s.u, t, ROW_REQ, ROW_QUERY(4, false, "DNS A? " HOST),
	    ROW_RESOLVED, { 6, EC_GATEWAY, EC_UPSTREAM, false, "SYN", NULL },
	    { 7, EC_UPSTREAM, EC_GATEWAY, false, "SYN/ACK",
	    "192.0.2.10:80 -> 10.0.0.1:50000\n" },
	    { up, EC_GATEWAY, EC_UPSTREAM, false, "GET /",
	    "Upstream request:\nGET / HTTP/1.1\n" },
	    { reply, EC_UPSTREAM, EC_GATEWAY, true,
	    "<html>no status line</html>", ", not valid HTTP: " },
	    ROW_502(resp));
}

/* Bug 4 of issue 14: a valid status line and a malformed header line:
 * the summary and the evidence quote that header line, not the status
 * line. */
static void
test_http_bad_header_line(void **state)
{
	struct scene s;
	const struct txn *t;
	const struct evidence_row *r;
	struct evidence ev = { 0 };

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_send(s.u, &s.web, &s.out, "HTTP/1.1 200 OK\r\nX-Good: 1\r\n"
	    "Bad Header Line\r\n\r\n");
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	expect_summary(s.u, t, WORDS("192.0.2.10:80", "invalid header line",
	    "malformed header line", "\"Bad Header Line\""),
	    WORDS("200 OK"));
	assert_int_equal(evidence_build(&ev, &s.u->dg, &s.u->fl, t,
	    s.u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	r = evidence_find(&ev, EK_UP_REPLY, 0);
	assert_string_equal(r->text, "HTTP/1.1 200 OK");
	assert_string_equal(r->name,
	    "not valid HTTP: malformed header line: \"Bad Header Line\"");
	/* the reports' rows: the line they print, not the pane's reason */
	assert_int_equal(evidence_build(&ev, &s.u->dg, &s.u->fl, t,
	    s.u->fl.stats.last_ts, EVIDENCE_REPORT), 0);
	r = evidence_find(&ev, EK_UP_REPLY, 0);
	assert_string_equal(r->text, "HTTP/1.1 200 OK");
	assert_string_equal(r->name, "");
	evidence_free(&ev);
}

/* The reply's head is cut off by the server's FIN: invalid, not closed
 * (bytes came). */
static void
test_http_truncated_head(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t up, resp;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	up = upstream_get(&s);
	uf_send(s.u, &s.web, &s.out, "HTTP/1.1 200 OK\r\nContent-Ty");
	uf_fin(s.u, &s.web, &s.out);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_int_equal(s.u->fl.msgs[t->d.up_req].head.number, up);
	assert_int_equal(s.u->fl.msgs[t->d.up_resp].head.number, resp - 1);
	expect_summary(s.u, t, WORDS("without a valid HTTP", "HTTP/1.1 200 OK"),
	    WORDS("closed the connection"));
}

/* Asked, and nothing came back before the gateway gave up at 120 s. */
static void
test_upstream_timeout(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t up, resp;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	up = upstream_get(&s);
	uf_at(s.u, s.req_ts + 120 * UF_S);
	resp = gateway_answers(&s, 504);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	assert_int_equal(t->status, 504);
	EVIDENCE(s.u, t, s.req, 4, 5, 6, 7, up, resp);
	expect_elapsed(s.u, t, 120 * UF_S);
	expect_summary(s.u, t, WORDS("192.0.2.10:80", "sent nothing back in "
	    "120.0 s"), NULL);
}

/* The server closes first, without a byte: its FIN is evidence. */
static void
test_upstream_closed(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t up, fin, resp;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	up = upstream_get(&s);
	fin = uf_fin(s.u, &s.web, &s.out);
	uf_fin(s.u, &s.out, &s.web);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	EVIDENCE(s.u, t, s.req, 4, 5, 6, 7, up, fin, resp);
	expect_summary(s.u, t, WORDS("192.0.2.10:80", "closed the connection"),
	    NULL);
	/* the server's FIN is the failure; the gateway's answer to it not */
	LADDER(s.u, t, ROW_REQ, ROW_QUERY(4, false, "DNS A? " HOST),
	    ROW_RESOLVED, { 6, EC_GATEWAY, EC_UPSTREAM, false, "SYN", NULL },
	    { 7, EC_UPSTREAM, EC_GATEWAY, false, "SYN/ACK", NULL },
	    { up, EC_GATEWAY, EC_UPSTREAM, false, "GET /", NULL },
	    { fin, EC_UPSTREAM, EC_GATEWAY, true, "FIN",
	    "192.0.2.10:80 -> 10.0.0.1:50000\n" },
	    { fin + 1, EC_GATEWAY, EC_UPSTREAM, false, "FIN",
	    "10.0.0.1:50000 -> 192.0.2.10:80\n" }, ROW_502(resp));
}

/* The server resets the connection instead, without a byte: closed too,
 * and its RST is evidence. */
static void
test_upstream_reset(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t up, rst, resp;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	up = upstream_get(&s);
	rst = uf_rst(s.u, &s.web, &s.out);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	EVIDENCE(s.u, t, s.req, 4, 5, 6, 7, up, rst, resp);
}

/* The gateway closed first (it gave up); the server's FIN only answers
 * it: not upstream-closed. */
static void
test_gateway_closed_first(void **state)
{
	struct scene s;
	const struct txn *t;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_wait(s.u, 30 * UF_S);
	uf_fin(s.u, &s.out, &s.web);
	uf_fin(s.u, &s.web, &s.out);
	gateway_answers(&s, 504);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	expect_summary(s.u, t, WORDS("sent nothing back"), WORDS("closed"));
}

/* The gateway resets its upstream connection when it gives up: that RST
 * is not the server closing, and not evidence. */
static void
test_gateway_resets_upstream(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t up, resp;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	up = upstream_get(&s);
	uf_wait(s.u, 30 * UF_S);
	uf_rst(s.u, &s.out, &s.web);
	resp = gateway_answers(&s, 504);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	EVIDENCE(s.u, t, s.req, 4, 5, 6, 7, up, resp);
}

/* The upstream answers 502 or 503 itself, and the gateway passes it on. */
static void
relayed(struct uf *u, unsigned status, const char *line)
{
	struct scene s;
	const struct txn *t;
	uint64_t up, reply, resp;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	up = upstream_get(&s);
	reply = uf_status(s.u, &s.web, &s.out, status);
	resp = gateway_answers(&s, status);
	t = diagnosed(&s);
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(t->status, status);
	EVIDENCE(s.u, t, s.req, 4, 5, 6, 7, up, reply, resp);
	expect_summary(s.u, t, WORDS("192.0.2.10:80", line,
	    "the gateway passed it on"), NULL);
}

static void
test_relayed_502(void **state)
{
	relayed(*state, 502, "HTTP/1.1 502 Bad Gateway");
}

static void
test_relayed_503(void **state)
{
	relayed(*state, 503, "HTTP/1.1 503 Service Unavailable");
}

/* Nothing upstream was captured: say so. */
static void
test_no_upstream_evidence(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t resp;

	scene_init(&s, *state);
	ask(&s);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.ndns + t->d.nconns, 0);
	assert_int_equal(t->d.up_req, NONE32);
	EVIDENCE(s.u, t, s.req, resp);
	expect_range(s.u, t, s.req, resp);
	expect_summary(s.u, t, WORDS("no DNS or upstream traffic", HOST),
	    NULL);
}

/* While the capture goes on, an unanswered request with no evidence yet
 * is waiting, not unknown; once the capture has ended it is unknown. */
static void
test_pending_until_final(void **state)
{
	struct scene s;
	const struct txn *t;

	scene_init(&s, *state);
	ask(&s);
	uf_diag_run(s.u, NULL, false);
	t = uf_txn(s.u, 1);
	assert_int_equal(t->d.verdict, V_PENDING);
	assert_false(t->settled);
	expect_summary(s.u, t, WORDS("waiting for the gateway's answer"), NULL);
	t = diagnosed(&s);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_true(t->settled);
	assert_int_equal(s.u->dg.counts[V_UNKNOWN], 1);
}

/* Host names match whatever their case: in the URL, the query, the
 * upstream Host header. */
static void
test_host_case(void **state)
{
	struct scene s;
	struct uf *u = *state;
	const struct txn *t;
	uint64_t req, q, up, reply, resp;

	scene_init(&s, u);
	uf_handshake(u, &u->cli, &u->srv);
	req = uf_get(u, &u->cli, &u->srv, "http://WWW.Test/", "WWW.Test");
	q = uf_dns_query(u, &s.res, &s.dns, 5, "Www.TEST", DNS_T_A);
	uf_dns_answer(u, &s.dns, &s.res, 5, "Www.TEST", DNS_T_A, 0, resolved, 2);
	uf_handshake(u, &s.out, &s.web);
	up = uf_get(u, &s.out, &s.web, "/", "WWW.TEST");
	reply = uf_status(u, &s.web, &s.out, 503);
	resp = gateway_answers(&s, 503);
	t = diagnosed(&s);
	assert_string_equal(uf_str(u, t->host), HOST);
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	EVIDENCE(u, t, req, q, q + 1, up - 2, up - 1, up, reply, resp);
}

/* CONNECT www.test:443: the tunnel to port 443 that the server closes
 * without a byte, is upstream-closed: at once, or after the gateway's own
 * TLS ClientHello (a gateway inspecting TLS speaks first in the tunnel;
 * the gateway's bytes are not an answer). */
static void
connect_closed(struct uf *u, bool hello)
{
	static const uint8_t client_hello[] = { 0x16, 0x03, 0x01, 0x00, 0x04,
		0x01, 0x00, 0x00, 0x00 };
	struct scene s;
	const struct txn *t;
	uint64_t req, fin, resp;

	scene_init(&s, u);
	s.web.port = 443;
	uf_handshake(u, &u->cli, &u->srv);
	req = uf_send(u, &u->cli, &u->srv, "CONNECT www.test:443 HTTP/1.1\r\n"
	    "Host: www.test:443\r\n\r\n");
	resolve(&s);
	uf_handshake(u, &s.out, &s.web);
	if (hello)
		uf_send_bytes(u, &s.out, &s.web, client_hello,
		    sizeof client_hello);
	fin = uf_fin(u, &s.web, &s.out);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	assert_int_equal(t->port, 443);
	assert_string_equal(uf_str(u, t->url), "www.test:443");
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	if (!hello)
		EVIDENCE(u, t, req, 4, 5, 6, 7, fin, resp);
	expect_summary(u, t, WORDS("192.0.2.10:443", "closed the connection"),
	    NULL);
}

static void
test_connect_closed(void **state)
{
	connect_closed(*state, false);
	connect_closed(again(state), true);
}

/* A normal exchange: ok, with its upstream evidence. */
static void
test_ok(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t up, reply, resp;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	up = upstream_get(&s);
	reply = uf_status(s.u, &s.web, &s.out, 200);
	resp = gateway_answers(&s, 200);
	t = diagnosed(&s);
	expect_verdict(t, V_OK, C_NONE);
	assert_false(t->is_error);
	assert_int_equal(s.u->dg.errors, 0);
	EVIDENCE(s.u, t, s.req, 4, 5, 6, 7, up, reply, resp);
	expect_summary(s.u, t, WORDS("the gateway answered 200"), NULL);
}

/*
 * The client gives up (FIN) 5 s after asking, while the gateway's look-up
 * goes unanswered: its transaction ends there, so a query the gateway
 * sends after it is not its evidence, and the export range ends at its
 * last evidence frame.
 */
static void
test_client_gave_up(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t q[2];

	scene_init(&s, *state);
	ask(&s);
	q[0] = query(&s);
	uf_at(s.u, s.req_ts + 2 * UF_S);
	q[1] = query(&s);
	uf_at(s.u, s.req_ts + 5 * UF_S);
	uf_fin(s.u, &s.u->cli, &s.u->srv);
	uf_at(s.u, s.req_ts + 8 * UF_S);
	query(&s);
	uf_at(s.u, s.req_ts + 60 * UF_S);
	uf_dns_query(s.u, &s.res, &s.dns, 9, "other.test", DNS_T_A);
	t = diagnosed(&s);
	assert_int_equal(t->status, 0);
	assert_int_equal(t->resp, NONE32);
	assert_true(t->is_error);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	assert_int_equal(t->d.ndns, 2);
	expect_elapsed(s.u, t, 5 * UF_S);
	EVIDENCE(s.u, t, s.req, q[0], q[1]);
	expect_range(s.u, t, s.req, q[1]);
	expect_summary(s.u, t, WORDS("2 DNS queries", "no answer in 5.0 s"),
	    NULL);
}

/* Unanswered with evidence after the request: the range reaches it. */
static void
test_range_reaches_evidence(void **state)
{
	struct scene s;
	const struct txn *t;
	uint64_t syn;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	uf_syn(s.u, &s.out, &s.web);
	uf_wait(s.u, UF_S);
	syn = uf_syn(s.u, &s.out, &s.web);
	uf_wait(s.u, 10 * UF_S);
	uf_fin(s.u, &s.u->cli, &s.u->srv);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	expect_range(s.u, t, s.req, syn);
}

/*
 * Two clients ask for URL, each on its own connection to the proxy: u->cli
 * first (s->req), then cli2, 10.0.0.6:40001; gw[] are the proxy's ends of
 * the two connections. Returns cli2's request frame.
 */
static uint64_t
two_clients_ask(struct scene *s, struct uf_side *cli2, struct uf_side gw[2])
{
	struct uf *u = s->u;

	gw[0] = gw[1] = u->srv;
	uf_side_init(cli2, "10.0.0.6", 40001, 3000);
	uf_handshake(u, &u->cli, &gw[0]);
	s->req = uf_get(u, &u->cli, &gw[0], URL, HOST);
	uf_handshake(u, cli2, &gw[1]);
	return uf_get(u, cli2, &gw[1], URL, HOST);
}

/*
 * Two clients ask for the host at once; the gateway looks it up twice
 * and connects twice: each request takes the nearest look-up and
 * connection nobody claimed, and none is shared.
 */
static void
test_concurrent_requests(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw[2], res2, out2, web2;
	const struct txn *t1, *t2;
	uint64_t req2, q1, q2, a1, a2, syn1, syn2, syn2b, rst1, resp1, resp2;

	scene_init(&s, u);
	res2 = s.res;
	res2.port = 33001;
	out2 = s.out;
	out2.port = 50001;
	web2 = s.web;
	req2 = two_clients_ask(&s, &cli2, gw);
	q1 = uf_dns_query(u, &s.res, &s.dns, 1, HOST, DNS_T_A);
	q2 = uf_dns_query(u, &res2, &s.dns, 2, HOST, DNS_T_A);
	a1 = uf_dns_answer(u, &s.dns, &s.res, 1, HOST, DNS_T_A, 0, resolved, 2);
	a2 = uf_dns_answer(u, &s.dns, &res2, 2, HOST, DNS_T_A, 0, resolved, 2);
	syn1 = uf_syn(u, &s.out, &s.web);
	syn2 = uf_syn(u, &out2, &web2);
	rst1 = uf_rst(u, &s.web, &s.out);
	/* a gateway answers within moments of the failure (issue 12) */
	resp1 = uf_status(u, &gw[0], &u->cli, 502);
	uf_wait(u, UF_S);
	syn2b = uf_syn(u, &out2, &web2);
	uf_wait(u, 2 * UF_S);
	resp2 = uf_status(u, &gw[1], &cli2, 502);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	t1 = uf_txn(u, 1);
	t2 = uf_txn(u, 2);
	expect_verdict(t1, V_CANNOT_CONNECT, C_TCP_RST);
	expect_verdict(t2, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_false(t1->d.shared);
	assert_false(t2->d.shared);
	assert_int_equal(t1->d.ndns, 1);
	assert_int_equal(t2->d.ndns, 1);
	assert_int_equal(t1->d.nconns, 1);
	assert_int_equal(t2->d.nconns, 1);
	EVIDENCE(u, t1, s.req, q1, a1, syn1, rst1, resp1);
	EVIDENCE(u, t2, req2, q2, a2, syn2, syn2b, resp2);
	assert_int_equal(u->dg.errors, 2);
	assert_int_equal(u->dg.counts[V_CANNOT_CONNECT], 2);
}

/* Two requests, one look-up: the second reuses it and says so. */
static void
test_shared_lookup(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw[2];
	const struct txn *t1, *t2;
	uint64_t req2, q, a, resp1, resp2;

	scene_init(&s, u);
	req2 = two_clients_ask(&s, &cli2, gw);
	q = query(&s);
	a = answer(&s, 3, NULL, 0);
	resp1 = uf_status(u, &gw[0], &u->cli, 502);
	resp2 = uf_status(u, &gw[1], &cli2, 502);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	t1 = uf_txn(u, 1);
	t2 = uf_txn(u, 2);
	expect_verdict(t1, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	expect_verdict(t2, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	assert_false(t1->d.shared);
	assert_true(t2->d.shared);
	assert_int_equal(t1->d.dns[0], t2->d.dns[0]);
	EVIDENCE(u, t1, s.req, q, a, resp1);
	EVIDENCE(u, t2, req2, q, a, resp2);
}

/* ---- Busy gateways (issue 12): caches, pools, several addresses ---- */

/* Index in flow.dns of the query sent in this frame. */
static uint32_t
dns_at(const struct uf *u, uint64_t frame)
{
	for (size_t i = 0; i < u->fl.ndns; i++)
		if (u->fl.dns[i].query.number == frame)
			return (uint32_t)i;
	fail_msg("no DNS query in frame %llu", (unsigned long long)frame);
	return NONE32;
}

/* Index in flow.conns of the connection whose first SYN is this frame. */
static uint32_t
conn_at(const struct uf *u, uint64_t syn)
{
	for (size_t i = 0; i < u->fl.nconns; i++)
		if (u->fl.conns[i].nsyn && conn_syn(&u->fl.conns[i],
		    0)->number == syn)
			return (uint32_t)i;
	fail_msg("no connection begins with frame %llu",
	    (unsigned long long)syn);
	return NONE32;
}

/*
 * Request 2, `later` after request 1 (served), has no look-up of its
 * own: the gateway connects from port 50001, the server resets, 502.
 */
static const struct txn *
refused_later(struct uf *u, int64_t later, uint64_t frames[4])
{
	struct scene s;
	struct uf_side cli2, gw2, out2;

	scene_init(&s, u);
	served(&s);
	out2 = s.out;
	out2.port = 50001;
	uf_at(u, s.req_ts + later);
	frames[0] = client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	frames[1] = uf_syn(u, &out2, &s.web);
	frames[2] = uf_rst(u, &s.web, &out2);
	frames[3] = uf_status(u, &gw2, &cli2, 502);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	expect_verdict(uf_txn(u, 1), V_OK, C_NONE);
	return uf_txn(u, 2);
}

/* The host's address from the gateway's cache links the SYN and RST of
 * a request without a look-up, until the answer's TTL has run out. */
static void
test_cached_address(void **state)
{
	const struct txn *t;
	uint64_t f[4];
	struct uf *u = *state;

	/* 290 s later: within the TTL (not a fixed minute) */
	t = refused_later(u, 290 * UF_S, f);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.dns_link, LINK_CACHE);
	assert_int_equal(t->d.conn_link, LINK_CACHE);
	assert_string_equal(link_key(t->d.dns_link), "cache");
	assert_int_equal(t->d.ndns, 1);
	assert_int_equal(t->d.dns[0], dns_at(u, 4));
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(t->d.conns[0], conn_at(u, f[1]));
	assert_false(t->d.shared);
	EVIDENCE(u, t, 4, 5, f[0], f[1], f[2], f[3]);
	expect_summary(u, t, WORDS("192.0.2.10 port 80", "RST"), NULL);

	/* 310 s later the answer has expired: nothing says where it went */
	u = again(state);
	t = refused_later(u, 310 * UF_S, f);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.ndns + t->d.nconns, 0);
	EVIDENCE(u, t, f[0], f[3]);
}

/*
 * Request 1's look-up gets NXDOMAIN (with soa, or without an SOA) and a
 * 502; request 2 comes `later` after it, with no look-up of its own, and
 * gets a 502. *a: the NXDOMAIN's frame.
 */
static const struct txn *
nxdomain_later(struct uf *u, const struct uf_soa *soa, int64_t later,
    uint64_t *a)
{
	struct scene s;
	struct uf_side cli2, gw2;
	struct uf_dns m = { .qtype = DNS_T_A, .qname = HOST, .response = true,
	    .rcode = 3, .soa = soa };

	scene_init(&s, u);
	ask(&s);
	query(&s);
	m.id = s.dns_id;
	*a = uf_dns_udp(u, &s.dns, &s.res, &m);
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + later);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	uf_status(u, &gw2, &cli2, 502);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	assert_int_equal(u->fl.dns[dns_at(u, 4)].neg_ttl, soa ? soa->minimum : 0);
	expect_verdict(uf_txn(u, 1), V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	return uf_txn(u, 2);
}

/* The negative answer is cached as long as the SOA says (RFC 2308):
 * the NXDOMAIN is request 2's evidence, and its summary says so. */
static void
test_negative_cache_soa(void **state)
{
	static const struct uf_soa soa = { "test", 3600, 30 };
	const struct txn *t;
	uint64_t a;
	char since[64];

	t = nxdomain_later(*state, &soa, 10 * UF_S, &a);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	assert_int_equal(t->d.dns_link, LINK_CACHE);
	assert_int_equal(t->d.dns[0], dns_at(*state, 4));
	snprintf(since, sizeof since, "cached since frame %llu",
	    (unsigned long long)a);
	expect_summary(*state, t, WORDS("NXDOMAIN", HOST, since), NULL);

	t = nxdomain_later(again(state), &soa, 40 * UF_S, &a);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.ndns, 0);
}

/* Without an SOA, a negative answer is cached for a minute. */
static void
test_negative_cache_default(void **state)
{
	const struct txn *t;
	uint64_t a;

	t = nxdomain_later(*state, NULL, 50 * UF_S, &a);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	assert_int_equal(t->d.dns_link, LINK_CACHE);
	t = nxdomain_later(again(state), NULL, 70 * UF_S, &a);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
}

/*
 * An empty NOERROR answer (no AAAA beside the A) says nothing of the
 * host: the A answer before it is still what the cache serves.
 */
static void
test_empty_answer_not_cached(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, out2;
	const struct txn *t;
	uint64_t q, aaaa, req2, syn, rst, resp2;

	scene_init(&s, u);
	ask(&s);
	q = query(&s);
	answer(&s, 0, addr300, 1);
	aaaa = uf_dns_query(u, &s.res, &s.dns, 0x200, HOST, DNS_T_AAAA);
	uf_dns_answer(u, &s.dns, &s.res, 0x200, HOST, DNS_T_AAAA, 0, NULL, 0);
	upstream_get(&s);
	uf_status(u, &s.web, &s.out, 200);
	gateway_answers(&s, 200);
	out2 = s.out;
	out2.port = 50001;
	uf_at(u, s.req_ts + 20 * UF_S);
	req2 = client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	syn = uf_syn(u, &out2, &s.web);
	rst = uf_rst(u, &s.web, &out2);
	resp2 = uf_status(u, &gw2, &cli2, 502);
	uf_diagnose(u);
	t = uf_txn(u, 2);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.dns_link, LINK_CACHE);
	assert_int_equal(t->d.dns[0], dns_at(u, q));
	assert_true(t->d.dns[0] != dns_at(u, aaaa));
	assert_int_equal(t->d.conns[0], conn_at(u, syn));
	assert_int_equal(t->d.nconns, 1);
	/* the cached answer that gave the address, not the empty AAAA */
	EVIDENCE(u, t, q, q + 1, req2, syn, rst, resp2);
}

/* A SERVFAIL is not cached: a request after it with no look-up of its
 * own has no evidence. */
static void
test_servfail_not_cached(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2;
	const struct txn *t;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 2, NULL, 0);
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + 10 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	uf_status(u, &gw2, &cli2, 502);
	uf_diagnose(u);
	expect_verdict(uf_txn(u, 1), V_HOST_NOT_RESOLVABLE, C_DNS_ERROR);
	t = uf_txn(u, 2);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(t->d.ndns, 0);
}

/*
 * Request 2 comes 2 s after request 1, while request 1's look-up is
 * still unanswered: the gateway waits for that look-up for both. It
 * answers NXDOMAIN at 4 s, or never (both 502 at 5 s). With dual, the
 * look-up is an A and an AAAA query from one socket, as a stub resolver
 * sends them (glibc asks both at once): both belong to each request.
 */
static void
inflight(struct uf *u, bool answered, bool dual)
{
	struct scene s;
	struct uf_side cli2, gw2;
	const struct txn *t1, *t2;
	uint64_t q, q6 = 0, a = 0, a6 = 0, req2, resp1, resp2;
	enum cause c = answered ? C_DNS_NXDOMAIN : C_DNS_NO_RESPONSE;
	uint8_t n = dual ? 2 : 1;

	scene_init(&s, u);
	ask(&s);
	q = query(&s);
	if (dual)
		q6 = uf_dns_query(u, &s.res, &s.dns, s.dns_id + 1, HOST,
		    DNS_T_AAAA);
	uf_at(u, s.req_ts + 2 * UF_S);
	req2 = client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	uf_at(u, s.req_ts + (answered ? 4 : 5) * UF_S);
	if (answered)
		a = answer(&s, 3, NULL, 0);
	if (answered && dual)
		a6 = uf_dns_answer(u, &s.dns, &s.res, s.dns_id + 1, HOST,
		    DNS_T_AAAA, 3, NULL, 0);
	resp1 = gateway_answers(&s, 502);
	resp2 = uf_status(u, &gw2, &cli2, 502);
	uf_diagnose(u);
	t1 = uf_txn(u, 1);
	t2 = uf_txn(u, 2);
	expect_verdict(t1, V_HOST_NOT_RESOLVABLE, c);
	expect_verdict(t2, V_HOST_NOT_RESOLVABLE, c);
	assert_int_equal(t1->d.ndns, n);
	assert_int_equal(t2->d.ndns, n);
	assert_int_equal(t1->d.dns[0], dns_at(u, q));
	assert_int_equal(t2->d.dns[0], dns_at(u, q));
	if (dual) {
		assert_int_equal(t1->d.dns[1], dns_at(u, q6));
		assert_int_equal(t2->d.dns[1], dns_at(u, q6));
	}
	assert_int_equal(t2->d.dns_link, LINK_TIME);
	assert_false(t1->d.shared);
	assert_true(t2->d.shared);
	if (dual && answered) {
		EVIDENCE(u, t1, s.req, q, q6, a, a6, resp1);
		EVIDENCE(u, t2, q, q6, req2, a, a6, resp2);
	} else if (dual) {
		EVIDENCE(u, t1, s.req, q, q6, resp1);
		EVIDENCE(u, t2, q, q6, req2, resp2);
	} else if (answered) {
		EVIDENCE(u, t1, s.req, q, a, resp1);
		EVIDENCE(u, t2, q, req2, a, resp2);
	} else {
		EVIDENCE(u, t1, s.req, q, resp1);
		EVIDENCE(u, t2, q, req2, resp2);
	}
}

static void
test_lookup_in_flight(void **state)
{
	inflight(*state, true, false);
	inflight(again(state), true, true);
}

static void
test_lookup_in_flight_unanswered(void **state)
{
	inflight(*state, false, false);
	inflight(again(state), false, true);
}

/* After each frame, as a report written while reading does: diagnose,
 * then retire every transaction that is over. */
static void
slice_and_retire(struct uf *u)
{
	uint8_t *all;

	uf_slice(u);
	all = malloc(u->dg.ntxns + 1);
	assert_non_null(all);
	memset(all, 1, u->dg.ntxns + 1);
	assert_true(diag_retire(&u->dg, &u->fl, all) >= 0);
	free(all);
}

/*
 * Request 1's look-up goes unanswered and the gateway gives up (502 at
 * 15 s); request 1 is over and retired. Request 2 comes at 16 s while the
 * query is still out (a resolver keeps asking upstream), the answer
 * (NXDOMAIN) comes at 17 s: request 2 waited for it, and the query must
 * have outlived request 1 for it to be found.
 */
static void
test_retire_keeps_lookup_in_flight(void **state)
{
	struct scene s;
	struct uf *u = *state;
	struct uf_side cli2, gw2;
	const struct txn *t;
	uint64_t q, req2, a, resp2;

	scene_init(&s, u);
	uf_slices_begin(u, NULL);
	u->after_frame = slice_and_retire;
	ask(&s);
	q = query(&s);
	uf_at(u, 15 * UF_S);
	gateway_answers(&s, 502);
	uf_at(u, 16 * UF_S);
	req2 = client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	assert_int_equal(diag_find(&u->dg, 1), NONE32);	/* retired */
	uf_at(u, 17 * UF_S);
	a = answer(&s, 3, NULL, 0);
	resp2 = uf_status(u, &gw2, &cli2, 502);
	uf_slices_end(u);
	t = uf_txn(u, 2);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	EVIDENCE(u, t, q, req2, a, resp2);
}

/*
 * Two pipelined requests on one connection (HTTP/1.1 §9.3.2), answered
 * in order 5 s later, with retiring after every frame: the second
 * request waits behind the first and must outlive every retire.
 */
static void
test_retire_keeps_pipelined_request(void **state)
{
	struct uf *u = *state;
	const struct txn *t;

	uf_slices_begin(u, NULL);
	u->after_frame = slice_and_retire;
	uf_at(u, T0);
	uf_handshake(u, &u->cli, &u->srv);
	uf_send(u, &u->cli, &u->srv,
	    "GET http://www.test/a HTTP/1.1\r\nHost: www.test\r\n\r\n"
	    "GET http://www.test/b HTTP/1.1\r\nHost: www.test\r\n\r\n");
	for (int i = 0; i < 5; i++) {	/* the client's keep-alive ACKs */
		uf_at(u, T0 + (i + 1) * UF_S);
		uf_ack(u, &u->cli, &u->srv);
	}
	uf_status(u, &u->srv, &u->cli, 502);
	uf_status(u, &u->srv, &u->cli, 504);
	uf_slices_end(u);
	t = uf_txn(u, 2);
	assert_string_equal(uf_str(u, t->url), "http://www.test/b");
	assert_int_equal(t->status, 504);
	assert_string_equal(uf_str(u, u->fl.msgs[t->req].target),
	    "http://www.test/b");
}

/* 600 requests for 600 hosts on one keep-alive connection, each
 * answered 502, diagnosed: the indexes grow several times. */
static void
many_requests(struct uf *u)
{
	char host[32], url[64];

	uf_at(u, T0);
	uf_handshake(u, &u->cli, &u->srv);
	for (int i = 0; i < 600; i++) {
		snprintf(host, sizeof host, "h%d.test", i);
		snprintf(url, sizeof url, "http://%s/", host);
		uf_get(u, &u->cli, &u->srv, url, host);
		uf_status(u, &u->srv, &u->cli, 502);
	}
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 600);
}

/*
 * Everything a diagnosis allocates goes back: whole runs with requests
 * indexed (600 of them: the indexes grow past their first size),
 * look-ups, retiring after every frame and diag_free leave the heap as
 * they found it (unit_heap.h), so a long live capture cannot grow
 * without bound through a leak.
 */
static void
test_releases_memory(void **state)
{
	void *fresh = NULL;
	size_t before;

	(void)state;
	before = unit_heap_live();
	uf_setup(&fresh);
	test_retire_keeps_lookup_in_flight(&fresh);
	uf_teardown(&fresh);
	uf_setup(&fresh);
	many_requests(fresh);
	uf_teardown(&fresh);
	assert_int_equal(unit_heap_live(), before);
}

/* Request 2 goes out on the pooled connection and the server answers
 * 503: that connection is linked by the request line. */
static void
test_pooled_connection(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2;
	const struct txn *t1, *t2;
	uint64_t req2, up2, reply, resp2;

	scene_init(&s, u);
	req2 = pooled(&s, &cli2, &gw2);
	up2 = uf_get(u, &s.out, &s.web, "/b", HOST);
	reply = uf_status(u, &s.web, &s.out, 503);
	resp2 = uf_status(u, &gw2, &cli2, 503);
	uf_diagnose(u);
	t1 = uf_txn(u, 1);
	t2 = uf_txn(u, 2);
	expect_verdict(t1, V_OK, C_NONE);
	expect_verdict(t2, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(t2->d.conn_link, LINK_REQUEST_LINE);
	assert_string_equal(link_key(t2->d.conn_link), "request-line");
	assert_int_equal(t2->d.up_conn, t1->d.up_conn);
	assert_int_equal(t2->d.up_conn, conn_at(u, 6));
	assert_int_equal(u->fl.msgs[t2->d.up_req].head.number, up2);
	assert_int_equal(u->fl.msgs[t2->d.up_resp].head.number, reply);
	assert_int_equal(t2->d.nconns, 1);
	assert_int_equal(t2->d.conns[0], t2->d.up_conn);
	assert_int_equal(t2->d.dns_link, LINK_CACHE);
	assert_false(t2->d.shared);
	EVIDENCE(u, t2, 4, 5, 6, 7, req2, up2, reply, resp2);
}

/*
 * The keep-alive race: the server closes the idle pooled connection (a
 * FIN just before the gateway's request, or an RST answering it) and the
 * gateway answers 502 at once. Upstream-closed, although the server sent
 * bytes on that connection before (request 1's reply).
 */
static void
keepalive_race(struct uf *u, bool rst)
{
	struct scene s;
	struct uf_side cli2, gw2;
	const struct txn *t2;
	uint64_t req2, up2, close, resp2;

	scene_init(&s, u);
	req2 = pooled(&s, &cli2, &gw2);
	if (!rst)
		close = uf_fin(u, &s.web, &s.out);
	up2 = uf_get(u, &s.out, &s.web, "/b", HOST);
	if (rst)
		close = uf_rst(u, &s.web, &s.out);
	resp2 = uf_status(u, &gw2, &cli2, 502);
	uf_diagnose(u);
	t2 = uf_txn(u, 2);
	expect_verdict(t2, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	assert_int_equal(u->fl.msgs[t2->d.up_req].head.number, up2);
	assert_int_equal(t2->d.up_resp, NONE32);
	assert_int_equal(t2->d.conn_link, LINK_REQUEST_LINE);
	if (rst)
		EVIDENCE(u, t2, 4, 5, 6, 7, req2, up2, close, resp2);
	else
		EVIDENCE(u, t2, 4, 5, 6, 7, req2, close, up2, resp2);
	expect_summary(u, t2, WORDS("192.0.2.10:80", "closed the connection"),
	    NULL);
}

static void
test_keepalive_race_fin(void **state)
{
	keepalive_race(*state, false);
}

static void
test_keepalive_race_rst(void **state)
{
	keepalive_race(*state, true);
}

/*
 * On a pooled connection a request goes out at once: within 100 ms of
 * the client's request, or of its own look-up's answer. Request 2 for /b
 * is forwarded 500 ms after it came with no look-up (another client's),
 * or 50 ms after its own look-up answered 2 s after it came (its own).
 */
static void
pooled_forwarded(struct uf *u, bool looked_up)
{
	struct scene s;
	struct uf_side cli2, gw2;
	const struct txn *t2;
	uint64_t up2;

	scene_init(&s, u);
	pooled(&s, &cli2, &gw2);
	if (looked_up) {
		query(&s);
		uf_wait(u, 2 * UF_S);
		answer(&s, 0, addr300, 1);
		uf_wait(u, 50 * UF_MS);
	} else {
		uf_wait(u, 500 * UF_MS);
	}
	up2 = uf_get(u, &s.out, &s.web, "/b", HOST);
	uf_status(u, &s.web, &s.out, 503);
	uf_status(u, &gw2, &cli2, 503);
	uf_diagnose(u);
	t2 = uf_txn(u, 2);
	if (!looked_up) {
		expect_verdict(t2, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
		assert_int_equal(t2->d.up_req, NONE32);
		return;
	}
	expect_verdict(t2, V_RELAYED, C_UPSTREAM_5XX);
	assert_int_equal(u->fl.msgs[t2->d.up_req].head.number, up2);
	assert_int_equal(t2->d.conn_link, LINK_REQUEST_LINE);
}

static void
test_pooled_forward_window(void **state)
{
	pooled_forwarded(*state, false);
	pooled_forwarded(again(state), true);
}

/*
 * The host has two addresses: the gateway's SYNs to the first go
 * unanswered (1 s, then 2 s apart) until it gives up 4 s after the last;
 * it tries the second at once, which resets, and it answers 502. v6: the
 * first is an IPv6 address (AAAA), the second IPv4 (A).
 */
static void
address_fallback(struct uf *u, bool v6)
{
	static const struct uf_rr two[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
	};
	static const struct uf_rr four[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
	};
	static const struct uf_rr six[] = {
		{ DNS_T_AAAA, NULL, 300, "2001:db8::10" },
	};
	struct scene s;
	struct uf_side out2, web2;
	struct syn_series ss;
	const struct txn *t;
	uint64_t syn[3], syn2, rst, resp;

	scene_init(&s, u);
	uf_side_init(&out2, "10.0.0.1", 50001, 8000);
	uf_side_init(&web2, "192.0.2.11", 80, 9500);
	ask(&s);
	query(&s);
	if (v6) {
		answer(&s, 0, four, 1);
		uf_dns_query(u, &s.res, &s.dns, 0x300, HOST, DNS_T_AAAA);
		uf_dns_answer(u, &s.dns, &s.res, 0x300, HOST, DNS_T_AAAA, 0,
		    six, 1);
		uf_side_init(&s.out, "2001:db8::1", 50000, 7000);
		uf_side_init(&s.web, "2001:db8::10", 80, 9000);
	} else {
		answer(&s, 0, two, 2);
	}
	syns_given_up(&s, syn);
	syn2 = uf_syn(u, &out2, &web2);
	rst = uf_rst(u, &web2, &out2);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, 2);
	assert_int_equal(t->d.conns[0], conn_at(u, syn[0]));
	assert_int_equal(t->d.conns[1], conn_at(u, syn2));
	assert_int_equal(t->d.conn_link, LINK_ADDRESS);
	diag_syn_series(&u->fl, t, u->fl.stats.last_ts, &ss);
	assert_int_equal(ss.n, 4);
	assert_int_equal(ss.syn[3].number, syn2);
	if (v6)
		EVIDENCE(u, t, s.req, 4, 5, 6, 7, syn[0], syn[1], syn[2], syn2,
		    rst, resp);
	else
		EVIDENCE(u, t, s.req, 4, 5, syn[0], syn[1], syn[2], syn2, rst,
		    resp);
	expect_summary(u, t, WORDS("192.0.2.11 port 80", "RST"), NULL);
}

static void
test_address_fallback(void **state)
{
	address_fallback(*state, false);
}

static void
test_address_fallback_v6_v4(void **state)
{
	address_fallback(*state, true);
}

/*
 * A host with one address: request 1's SYNs go unanswered until the
 * gateway gives up; request 2 comes just then and its attempt to the
 * same address is reset; the gateway answers request 1, then request 2.
 * An attempt to an address already tried is another client's, not
 * request 1's retry.
 */
static void
test_same_address_not_a_retry(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2, out2;
	const struct txn *t1, *t2;
	uint64_t syn[3], req2, syn2, rst, resp1, resp2;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 0, addr300, 1);
	out2 = s.out;
	out2.port = 50001;
	syns_given_up(&s, syn);
	uf_wait(u, -3 * UF_MS);
	req2 = client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	syn2 = uf_syn(u, &out2, &s.web);
	rst = uf_rst(u, &s.web, &out2);
	resp1 = gateway_answers(&s, 502);
	resp2 = uf_status(u, &gw2, &cli2, 502);
	uf_diagnose(u);
	t1 = uf_txn(u, 1);
	t2 = uf_txn(u, 2);
	expect_verdict(t1, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	expect_verdict(t2, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t1->d.nconns, 1);
	assert_int_equal(t2->d.nconns, 1);
	assert_int_equal(t2->d.conns[0], conn_at(u, syn2));
	assert_false(t2->d.shared);
	EVIDENCE(u, t1, s.req, 4, 5, syn[0], syn[1], syn[2], resp1);
	EVIDENCE(u, t2, 4, 5, req2, syn2, rst, resp2);
}

/* What a transaction's diagnosis says, to compare two runs. */
struct outcome {
	uint8_t verdict, cause, dns_link, conn_link, ndns, nconns;
	bool shared, masked, is_error;
	char frames[512];
};

static void
outcome_of(const struct uf *u, uint32_t id, struct outcome *o)
{
	const struct txn *t = uf_txn(u, id);
	uint64_t f[64];

	memset(o, 0, sizeof *o);
	o->verdict = t->d.verdict;
	o->cause = t->d.cause;
	o->dns_link = t->d.dns_link;
	o->conn_link = t->d.conn_link;
	o->ndns = t->d.ndns;
	o->nconns = t->d.nconns;
	o->shared = t->d.shared;
	o->masked = t->d.masked;
	o->is_error = t->is_error;
	frames_text(o->frames, sizeof o->frames, f, uf_evidence(u, t, f, 64));
}

static void
expect_same(uint32_t id, const char *how, const struct outcome *a,
    const struct outcome *b)
{
	if (a->verdict != b->verdict || a->cause != b->cause ||
	    a->dns_link != b->dns_link || a->conn_link != b->conn_link ||
	    a->ndns != b->ndns || a->nconns != b->nconns ||
	    a->shared != b->shared || a->masked != b->masked ||
	    a->is_error != b->is_error || strcmp(a->frames, b->frames) != 0)
		fail_msg("transaction %u %s: %s/%s%s links %u/%u shared %d "
		    "evidence%s; at the end: %s/%s%s links %u/%u shared %d "
		    "evidence%s", id, how, verdict_key(b->verdict),
		    cause_key(b->cause), b->masked ? " (masked)" : "",
		    b->dns_link, b->conn_link, b->shared, b->frames,
		    verdict_key(a->verdict), cause_key(a->cause),
		    a->masked ? " (masked)" : "", a->dns_link, a->conn_link,
		    a->shared, a->frames);
}

/*
 * A slow request (1) and a fast one (2) for HOST: both wait for request
 * 1's look-up; request 1's SYNs go unanswered for 7 s (then 502), while
 * request 2 connects, is served and answered 200 in between.
 */
static void
slow_and_fast(struct uf *u)
{
	struct scene s;
	struct uf_side cli2, gw2, out2, web2;
	int64_t at;

	scene_init(&s, u);
	ask(&s);			/* 1-3 */
	query(&s);			/* 4 */
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);	/* 5-7 */
	answer(&s, 0, addr300, 1);	/* 8 */
	at = u->next_ts_ns;
	uf_syn(u, &s.out, &s.web);	/* 9: request 1's */
	out2 = s.out;
	out2.port = 50001;
	web2 = s.web;
	uf_handshake(u, &out2, &web2);	/* 10-11: request 2's */
	uf_get(u, &out2, &web2, "/", HOST);
	uf_status(u, &web2, &out2, 200);
	uf_status(u, &gw2, &cli2, 200);	/* 14 */
	uf_at(u, at + 1 * UF_S);
	uf_syn(u, &s.out, &s.web);	/* 15 */
	uf_at(u, at + 3 * UF_S);
	uf_syn(u, &s.out, &s.web);	/* 16 */
	uf_at(u, at + 7 * UF_S);
	gateway_answers(&s, 502);	/* 17 */
}

/*
 * The same capture diagnosed once at its end, and slice by slice as it
 * is read (every frame, as the live screen does; and settled only, as a
 * report does): every transaction gets the same verdict, cause, links
 * and evidence. The fast success keeps to its own connection.
 */
static void
test_order_independent(void **state)
{
	struct uf *u = *state;
	struct outcome end[2], sliced;
	struct diag_opts settled;
	const char *how[2] = { "slice by slice", "settled only" };

	slow_and_fast(u);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	expect_verdict(uf_txn(u, 1), V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	expect_verdict(uf_txn(u, 2), V_OK, C_NONE);
	EVIDENCE(u, uf_txn(u, 1), 3, 4, 8, 9, 15, 16, 17);
	EVIDENCE(u, uf_txn(u, 2), 4, 7, 8, 10, 11, 12, 13, 14);
	assert_int_equal(uf_txn(u, 2)->d.nconns, 1);
	/* request 2 waited for request 1's look-up: shared */
	assert_false(uf_txn(u, 1)->d.shared);
	assert_true(uf_txn(u, 2)->d.shared);
	outcome_of(u, 1, &end[0]);
	outcome_of(u, 2, &end[1]);
	uf_diag_opts(&settled);
	settled.settled_only = true;
	for (int k = 0; k < 2; k++) {
		u = again(state);
		uf_slices_begin(u, k ? &settled : NULL);
		slow_and_fast(u);
		uf_slices_end(u);
		assert_int_equal(u->dg.ntxns, 2);
		for (uint32_t id = 1; id <= 2; id++) {
			outcome_of(u, id, &sliced);
			expect_same(id, how[k], &end[id - 1], &sliced);
		}
	}
}

/*
 * Request 2 comes while request 1's look-up is answered, and is served
 * at once from the proxy's own cache (200, no upstream traffic) just as
 * request 1's attempt is refused. Request 2's diagnosis may point at
 * that look-up and attempt (nothing else is near), but a success claims
 * only an upstream request and a connection that connected: request 1
 * keeps its evidence as its own, not shared.
 */
static void
test_success_claims_no_failure(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli2, gw2;
	const struct txn *t1, *t2;
	uint64_t q, a, syn, rst, resp1;

	scene_init(&s, u);
	ask(&s);
	q = query(&s);
	a = answer(&s, 0, addr300, 1);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	syn = uf_syn(u, &s.out, &s.web);
	rst = uf_rst(u, &s.web, &s.out);
	uf_status(u, &gw2, &cli2, 200);
	resp1 = gateway_answers(&s, 502);
	uf_diagnose(u);
	t1 = uf_txn(u, 1);
	t2 = uf_txn(u, 2);
	expect_verdict(t2, V_OK, C_NONE);
	assert_false(t2->is_error);
	expect_verdict(t1, V_CANNOT_CONNECT, C_TCP_RST);
	assert_false(t1->d.shared);
	assert_int_equal(t1->d.dns_link, LINK_TIME);
	assert_int_equal(t1->d.conn_link, LINK_ADDRESS);
	assert_int_equal(t1->d.conns[0], conn_at(u, syn));
	EVIDENCE(u, t1, s.req, q, a, syn, rst, resp1);
	assert_int_equal(u->dg.errors, 1);
}

/*
 * Evidence that came after the gateway had answered (+ 200 ms) is not
 * what it answered for: request 1 is answered 502 while its look-up or
 * its SYNs are unanswered, then the answer, an RST or a SYN/ACK comes
 * `late` after the 502.
 */
enum late_kind { LATE_DNS, LATE_RST, LATE_SYNACK };

static const struct txn *
late_evidence(struct uf *u, enum late_kind kind, int64_t late,
    uint64_t *resp, uint64_t *last)
{
	struct scene s;
	uint64_t syn[3];

	scene_init(&s, u);
	ask(&s);
	query(&s);			/* 4 */
	if (kind == LATE_DNS) {
		uf_at(u, s.req_ts + 5 * UF_S);
		*resp = gateway_answers(&s, 502);	/* 5 */
		uf_wait(u, late);
		*last = answer(&s, 3, NULL, 0);
		return diagnosed(&s);
	}
	answer(&s, 0, addr300, 1);	/* 5 */
	syns_given_up(&s, syn);		/* 6-8 */
	*resp = gateway_answers(&s, 502);	/* 9 */
	uf_wait(u, late);
	*last = kind == LATE_RST ? uf_rst(u, &s.web, &s.out) :
	    uf_synack(u, &s.web, &s.out);
	return diagnosed(&s);
}

static void
test_late_evidence_ignored(void **state)
{
	const struct txn *t;
	uint64_t resp, late;

	t = late_evidence(*state, LATE_DNS, 500 * UF_MS, &resp, &late);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	EVIDENCE(*state, t, 3, 4, resp);
	t = late_evidence(again(state), LATE_RST, 500 * UF_MS, &resp, &late);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	EVIDENCE(*state, t, 3, 4, 5, 6, 7, 8, resp);
	t = late_evidence(again(state), LATE_SYNACK, 500 * UF_MS, &resp,
	    &late);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	EVIDENCE(*state, t, 3, 4, 5, 6, 7, 8, resp);
}

/* Within the slack (clock skew between interfaces) the same frames do
 * count: the boundary the test above stays behind. */
static void
test_slack_evidence_counted(void **state)
{
	const struct txn *t;
	uint64_t resp, late;

	t = late_evidence(*state, LATE_DNS, 150 * UF_MS, &resp, &late);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	EVIDENCE(*state, t, 3, 4, resp, late);
	t = late_evidence(again(state), LATE_RST, 150 * UF_MS, &resp, &late);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	EVIDENCE(*state, t, 3, 4, 5, 6, 7, 8, resp, late);
}

/* A 200 that relays an upstream reply without a status line is a
 * gateway error all the same, and says it was masked. */
static void
test_masked_invalid_reply(void **state)
{
	struct scene s;
	const struct txn *t;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_send(s.u, &s.web, &s.out, "<html>no status line</html>");
	gateway_answers(&s, 200);
	t = diagnosed(&s);
	assert_int_equal(t->status, 200);
	assert_true(t->is_error);
	assert_true(t->d.masked);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_int_equal(s.u->dg.errors, 1);
	assert_int_equal(s.u->dg.counts[V_BAD_RESPONSE], 1);
}

/* An answer the gateway made itself (500, or 404 as some proxies do)
 * after NXDOMAIN is a gateway error; a relayed 404 is not. */
static void
test_masked_gateway_status(void **state)
{
	struct scene s;
	const struct txn *t;
	const unsigned statuses[2] = { 500, 404 };

	for (int k = 0; k < 2; k++) {
		scene_init(&s, k ? again(state) : *state);
		ask(&s);
		query(&s);
		answer(&s, 3, NULL, 0);
		gateway_answers(&s, statuses[k]);
		t = diagnosed(&s);
		assert_int_equal(t->status, statuses[k]);
		assert_true(t->is_error);
		assert_true(t->d.masked);
		expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
		assert_int_equal(s.u->dg.errors, 1);
	}
	scene_init(&s, again(state));
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_status(s.u, &s.web, &s.out, 404);
	gateway_answers(&s, 404);
	t = diagnosed(&s);
	assert_false(t->is_error);
	assert_false(t->d.masked);
	expect_verdict(t, V_OK, C_NONE);
}

/* --status 504 leaves 502 out on purpose: a 502 after NXDOMAIN is then
 * no error, and not a masked one. */
static void
test_status_left_out_not_masked(void **state)
{
	struct scene s;
	struct diag_opts o;
	const struct txn *t;

	scene_init(&s, *state);
	ask(&s);
	query(&s);
	answer(&s, 3, NULL, 0);
	gateway_answers(&s, 502);
	uf_diag_opts(&o);
	o.statuses[0] = 504;
	o.nstatuses = 1;
	uf_diag_run(s.u, &o, true);
	t = uf_txn(s.u, 1);
	assert_false(t->is_error);
	assert_false(t->d.masked);
	expect_verdict(t, V_OK, C_NONE);
	assert_int_equal(s.u->dg.errors, 0);
}

/*
 * Three clients ask for HOST 5 ms apart (its address cached); the
 * gateway's SYN series to it starts 4 ms after each request, nearer to
 * the next request than the next one's own does, and goes unanswered;
 * the gateway answers the three 502 in the order given. Each takes the
 * series that started after it.
 */
static void
three_requests(struct uf *u, const int order[3])
{
	struct scene s;
	struct uf_side cli[3], gw[3], out[3];
	uint64_t req[3], syn[3][3], resp[3];
	int64_t at;

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);	/* 1-2 */
	clients_connect(&s, 3, cli, gw, out);
	at = u->next_ts_ns + 10 * UF_MS;
	for (int k = 0; k < 3; k++) {
		uf_at(u, at + k * 5 * UF_MS);
		req[k] = uf_get(u, &cli[k], &gw[k], URL, HOST);
		uf_at(u, at + k * 5 * UF_MS + 4 * UF_MS);
		syn[k][0] = uf_syn(u, &out[k], &s.web);
	}
	for (int r = 1; r < 3; r++)
		for (int k = 0; k < 3; k++) {
			uf_at(u, at + k * 5 * UF_MS + 4 * UF_MS +
			    (r == 1 ? 1 : 3) * UF_S);
			syn[k][r] = uf_syn(u, &out[k], &s.web);
		}
	uf_at(u, at + 7 * UF_S + 20 * UF_MS);
	for (int j = 0; j < 3; j++) {
		int k = order[j];

		resp[k] = uf_status(u, &gw[k], &cli[k], 502);
	}
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 3);
	for (int k = 0; k < 3; k++) {
		const struct txn *t = uf_txn(u, (uint32_t)k + 1);

		expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
		assert_int_equal(t->d.dns_link, LINK_CACHE);
		assert_int_equal(t->d.nconns, 1);
		if (t->d.conns[0] != conn_at(u, syn[k][0]))
			fail_msg("order %d%d%d: request %d took the SYNs from "
			    "frame %llu", order[0], order[1], order[2], k + 1,
			    (unsigned long long)conn_syn(
			    &u->fl.conns[t->d.conns[0]], 0)->number);
		assert_false(t->d.shared);
		EVIDENCE(u, t, 1, 2, req[k], syn[k][0], syn[k][1], syn[k][2],
		    resp[k]);
	}
}

static void
test_concurrent_own_series(void **state)
{
	static const int orders[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};

	for (int i = 0; i < 6; i++)
		three_requests(i ? again(state) : *state, orders[i]);
}

/*
 * Two clients ask for the host `gap` apart; each gets a SYN series of its
 * own right after its request and a 502 (the second a `status2`). Closer
 * than a millisecond, either could own either series: the errors say
 * they are ambiguous and name each other; further apart, they do not.
 */
static void
two_close_requests(struct uf *u, int64_t gap, unsigned status2,
    bool want_ambiguous)
{
	const struct txn *t[2];

	close_requests(u, gap, status2);
	uf_diagnose(u);
	t[0] = uf_txn(u, 1);
	t[1] = uf_txn(u, 2);
	assert_int_equal(t[0]->d.ambiguous, want_ambiguous);
	assert_int_equal(t[0]->rival, gap < UF_MS ? 2 : 0);
	assert_int_equal(t[1]->rival, gap < UF_MS ? 1 : 0);
	if (status2 == 502) {
		assert_int_equal(t[1]->d.ambiguous, want_ambiguous);
	} else {
		/* a success is never ambiguous: it claims no failure */
		assert_false(t[1]->d.ambiguous);
	}
}

static void
test_ambiguous_claims(void **state)
{
	two_close_requests(*state, 500 * 1000LL, 502, true);
	two_close_requests(again(state), 2 * UF_MS, 502, false);
	two_close_requests(again(state), 500 * 1000LL, 200, true);
}

/*
 * The upstream port a request names (RFC 9110 §4.2: http defaults to 80;
 * CONNECT always names its port): absolute form with and without a port,
 * origin form with a Host port, CONNECT.
 */
static void
test_target_port(void **state)
{
	static const struct {
		const char *target, *host;
		unsigned port;
	} want[] = {
		{ "http://a.test/", "a.test", 80 },
		{ "http://b.test:8080/x", "b.test:8080", 8080 },
		{ "http://c.test:1/", "c.test:1", 1 },
		{ "/d", "d.test", 80 },
		{ "/e", "e.test:81", 81 },
	};
	struct uf *u = *state;
	const size_t n = sizeof want / sizeof want[0];

	uf_at(u, T0);
	uf_handshake(u, &u->cli, &u->srv);
	for (size_t i = 0; i < n; i++) {
		uf_get(u, &u->cli, &u->srv, want[i].target, want[i].host);
		uf_status(u, &u->srv, &u->cli, 502);
	}
	uf_send(u, &u->cli, &u->srv,
	    "CONNECT f.test:443 HTTP/1.1\r\nHost: f.test:443\r\n\r\n");
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, n + 1);
	for (size_t i = 0; i < n; i++) {
		const struct txn *t = uf_txn(u, (uint32_t)i + 1);

		if (t->port != want[i].port)
			fail_msg("%s (Host %s): port %u, expected %u",
			    want[i].target, want[i].host, t->port, want[i].port);
	}
	assert_int_equal(uf_txn(u, (uint32_t)n + 1)->port, 443);
	assert_string_equal(uf_str(u, uf_txn(u, (uint32_t)n + 1)->host),
	    "f.test");
}

/* Origin form: url is http:// + Host + target (DESIGN §3), whole, for a
 * Host and a target near the longest the parser takes. */
static void
test_long_origin_url(void **state)
{
	struct uf *u = *state;
	char host[201], target[2001], want[8 + 200 + 2000];

	memset(host, 'h', 196);
	memcpy(host + 196, ".tst", 5);
	target[0] = '/';
	memset(target + 1, 'p', 1999);
	target[2000] = '\0';
	snprintf(want, sizeof want, "http://%s%s", host, target);
	uf_at(u, T0);
	uf_handshake(u, &u->cli, &u->srv);
	uf_send(u, &u->cli, &u->srv, "GET ");
	uf_send(u, &u->cli, &u->srv, target);
	uf_send(u, &u->cli, &u->srv, " HTTP/1.1\r\nHost: ");
	uf_send(u, &u->cli, &u->srv, host);
	uf_send(u, &u->cli, &u->srv, "\r\n\r\n");
	uf_status(u, &u->srv, &u->cli, 502);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 1);
	assert_string_equal(uf_str(u, uf_txn(u, 1)->url), want);
	assert_string_equal(uf_str(u, uf_txn(u, 1)->host), host);
}

/* diag_init sets up a diagnosis in memory as it finds it (a stack
 * variable, a reused struct), as any init function must. */
static void
test_init_on_dirty_memory(void **state)
{
	struct scene s;
	struct diag_opts o;
	struct diag *dg = malloc(sizeof *dg);

	assert_non_null(dg);
	scene_init(&s, *state);
	ask(&s);
	query(&s);
	answer(&s, 3, NULL, 0);
	gateway_answers(&s, 502);
	uf_diag_opts(&o);
	memset(dg, 0xa5, sizeof *dg);
	diag_init(dg, &o);
	diag_update(dg, &s.u->fl);
	diag_run(dg, &s.u->fl, true);
	assert_int_equal(dg->ntxns, 1);
	assert_int_equal(dg->errors, 1);
	assert_int_equal(dg->counts[V_HOST_NOT_RESOLVABLE], 1);
	expect_verdict(&dg->txns[0], V_HOST_NOT_RESOLVABLE, C_DNS_NXDOMAIN);
	diag_free(dg);
	free(dg);
}

/* Keys are DESIGN §1's, distinct; labels and remedies never NULL. */
static void
test_words(void **state)
{
	static const char *const vkeys[V_COUNT] = {
		"ok", "host-not-resolvable", "cannot-connect", "bad-response",
		"relayed", "unknown", "pending"
	};
	static const char *const ckeys[C_COUNT] = {
		"none", "dns-nxdomain", "dns-error", "dns-no-response",
		"syn-unanswered", "tcp-rst", "icmp-unreachable",
		"http-invalid-response", "upstream-timeout", "upstream-closed",
		"upstream-5xx", "no-upstream-evidence", "tls-handshake"
	};

	(void)state;
	for (int v = 0; v < V_COUNT; v++) {
		assert_string_equal(verdict_key((enum verdict)v), vkeys[v]);
		assert_non_null(verdict_label((enum verdict)v));
		assert_true(verdict_label((enum verdict)v)[0] != '\0');
		for (int w = 0; w < v; w++) {
			assert_string_not_equal(verdict_key((enum verdict)v),
			    verdict_key((enum verdict)w));
			assert_string_not_equal(verdict_label((enum verdict)v),
			    verdict_label((enum verdict)w));
		}
	}
	for (int c = 0; c < C_COUNT; c++) {
		const char *r = cause_remedy((enum cause)c);

		assert_string_equal(cause_key((enum cause)c), ckeys[c]);
		assert_non_null(r);
		/* every failure says what to do; "none" needs nothing */
		assert_true((r[0] != '\0') == (c != C_NONE));
		for (int d = 0; d < c; d++) {
			assert_string_not_equal(cause_key((enum cause)c),
			    cause_key((enum cause)d));
			assert_string_not_equal(r, cause_remedy((enum cause)d));
		}
	}
	/* out of range: a word, never NULL */
	assert_non_null(verdict_key(V_COUNT));
	assert_non_null(verdict_label(V_COUNT));
	assert_non_null(cause_key(C_COUNT));
	assert_non_null(cause_remedy(C_COUNT));
}

#define T(name) cmocka_unit_test_setup_teardown(name, uf_setup, uf_teardown)

/*
 * The fallback of test_address_fallback, then (500 ms after the 502) the
 * first address's SYN/ACK comes at last: the gateway had given up on it,
 * and the verdict is the same as without it, at the end of the capture
 * as slice by slice.
 */
static void
fallback_late_synack(struct uf *u)
{
	struct scene s;

	scene_init(&s, u);
	second_address_refuses(&s);	/* 1-10 */
	gateway_answers(&s, 502);	/* 11 */
	uf_wait(u, 300 * UF_MS);
	uf_dns_query(u, &s.res, &s.dns, 9, "other.test", DNS_T_A); /* 12 */
	uf_wait(u, 200 * UF_MS);
	uf_synack(u, &s.web, &s.out);	/* 13 */
}

static void
test_fallback_late_synack(void **state)
{
	struct uf *u = *state;
	struct outcome end, sliced;

	fallback_late_synack(u);
	uf_diagnose(u);
	outcome_of(u, 1, &end);
	u = again(state);
	uf_slices_begin(u, NULL);
	fallback_late_synack(u);
	uf_slices_end(u);
	outcome_of(u, 1, &sliced);
	expect_same(1, "slice by slice", &end, &sliced);
	expect_verdict(uf_txn(u, 1), V_CANNOT_CONNECT, C_TCP_RST);
	EVIDENCE(u, uf_txn(u, 1), 3, 4, 5, 6, 7, 8, 9, 10, 11);
}

/*
 * A CONNECT whose upstream connected and stayed silent until the gateway
 * gave up (504); the server's bytes 500 ms later are another story.
 */
static void
connect_late_bytes(struct uf *u)
{
	struct scene s;

	scene_init(&s, u);
	tunnel_open(&s);
	uf_wait(u, 30 * UF_S);
	gateway_answers(&s, 504);
	uf_wait(u, 300 * UF_MS);
	uf_dns_query(u, &s.res, &s.dns, 9, "other.test", DNS_T_A);
	uf_wait(u, 200 * UF_MS);
	uf_send(u, &s.web, &s.out, "late");
}

static void
test_connect_late_bytes(void **state)
{
	struct uf *u = *state;
	struct outcome end, sliced;

	connect_late_bytes(u);
	uf_diagnose(u);
	outcome_of(u, 1, &end);
	u = again(state);
	uf_slices_begin(u, NULL);
	connect_late_bytes(u);
	uf_slices_end(u);
	outcome_of(u, 1, &sliced);
	expect_same(1, "slice by slice", &end, &sliced);
	expect_verdict(uf_txn(u, 1), V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
}

/* ---- the evidence list (issue 14): one reading for every output ------ */

static void
built(struct scene *s, const struct txn *t, struct evidence *ev)
{
	assert_int_equal(evidence_build(ev, &s->u->dg, &s->u->fl, t,
	    s->u->fl.stats.last_ts, EVIDENCE_ARROWS), 0);
}

/* The rows of one kind, in list order: how many, and the k-th. */
static size_t
rows_of(const struct evidence *ev, enum evidence_kind kind)
{
	size_t n = 0;

	while (evidence_find(ev, kind, n))
		n++;
	return n;
}

/* The frames the rows list are the evidence frames (JSON, the pane). */
static void
expect_listed_frames(struct scene *s, const struct txn *t,
    const struct evidence *ev)
{
	uint64_t a[64], b[64];
	size_t na = evidence_frames(ev, a, 64);
	size_t nb = uf_evidence(s->u, t, b, 64);

	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na * sizeof a[0]);
}

/* Bug 1: a look-up never answered has no answer frame (the pane printed
 * the query's number followed by 0: "#1140"). */
static void
test_evidence_dns_unanswered(void **state)
{
	struct scene s;
	const struct txn *t;
	const struct evidence_row *r;
	struct evidence ev = { 0 };
	uint64_t q;

	scene_init(&s, *state);
	ask(&s);
	q = query(&s);
	uf_wait(s.u, UF_S);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_HOST_NOT_RESOLVABLE, C_DNS_NO_RESPONSE);
	built(&s, t, &ev);
	r = evidence_find(&ev, EK_DNS_QUERY, 0);
	assert_non_null(r);
	assert_int_equal(r->frame, q);
	assert_int_equal(r->reply_frame, 0);
	assert_string_equal(r->text, "no answer");
	assert_string_equal(r->delay, "");
	assert_true(r->bad);
	assert_int_equal(rows_of(&ev, EK_DNS_ANSWER), 0);
	expect_listed_frames(&s, t, &ev);
	evidence_free(&ev);
}

/* Bug 2: each SYN of a retry draws an ICMPv6 error; both are evidence,
 * each timed from the SYN it answers (not -1023.6 ms from the last). */
static void
test_evidence_icmp_each_retry(void **state)
{
	static const struct uf_rr v6[] = {
		{ DNS_T_AAAA, NULL, 60, "2001:db8::10" },
	};
	struct scene s;
	const struct txn *t;
	const struct evidence_row *r;
	struct evidence ev = { 0 };
	uint64_t q, a, syn[2], icmp[2], resp;

	scene_init(&s, *state);
	uf_side_init(&s.out, "2001:db8::1", 50000, 7000);
	uf_side_init(&s.web, "2001:db8::10", 80, 9000);
	ask(&s);
	q = uf_dns_query(s.u, &s.res, &s.dns, 7, HOST, DNS_T_AAAA);
	a = uf_dns_answer(s.u, &s.dns, &s.res, 7, HOST, DNS_T_AAAA, 0, v6, 1);
	syn[0] = uf_syn(s.u, &s.out, &s.web);
	icmp[0] = uf_icmp(s.u, "2001:db8::fe", &s.out, &s.web, 1, 1);
	uf_wait(s.u, UF_S);
	syn[1] = uf_syn(s.u, &s.out, &s.web);
	icmp[1] = uf_icmp(s.u, "2001:db8::fe", &s.out, &s.web, 1, 1);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
	EVIDENCE(s.u, t, s.req, q, a, syn[0], icmp[0], syn[1], icmp[1], resp);
	built(&s, t, &ev);
	assert_int_equal(rows_of(&ev, EK_ICMP), 2);
	for (size_t k = 0; k < 2; k++) {
		r = evidence_find(&ev, EK_ICMP, k);
		assert_int_equal(r->frame, icmp[k]);
		/* one frame (1 ms) after its own SYN */
		assert_int_equal(r->delay_ns, UF_FRAME_GAP_NS);
		assert_string_equal(r->delay, "1.0 ms");
		assert_string_equal(r->kind_name, "ICMPv6");
	}
	/* bug 5: an IPv6 address with a port is bracketed */
	r = evidence_find(&ev, EK_SYN, 0);
	assert_string_equal(r->peer, "[2001:db8::10]:80");
	expect_listed_frames(&s, t, &ev);
	evidence_free(&ev);
}

/* Bug 3: the gateway gave up and closed first; the upstream's FIN that
 * follows is no "closed without a reply". */
static void
test_evidence_gateway_closed_first(void **state)
{
	struct scene s;
	const struct txn *t;
	const struct evidence_row *gw, *up;
	struct evidence ev = { 0 };
	uint64_t fin_gw, fin_up;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_wait(s.u, 3 * UF_S);
	fin_gw = uf_fin(s.u, &s.out, &s.web);
	fin_up = uf_fin(s.u, &s.web, &s.out);
	gateway_answers(&s, 504);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_TIMEOUT);
	built(&s, t, &ev);
	gw = evidence_find(&ev, EK_FIN_GATEWAY, 0);
	up = evidence_find(&ev, EK_FIN_UPSTREAM, 0);
	assert_non_null(gw);
	assert_non_null(up);
	assert_int_equal(gw->frame, fin_gw);
	assert_int_equal(up->frame, fin_up);
	assert_true(gw < up);		/* in the order they came */
	assert_string_equal(gw->text, "the gateway closed the connection "
	    "first");
	assert_string_equal(up->text, "upstream closed after the gateway");
	assert_false(up->bad);
	evidence_free(&ev);
}

/* The upstream closes first, without a byte: that FIN is the failure. */
static void
test_evidence_upstream_closed_first(void **state)
{
	struct scene s;
	const struct txn *t;
	const struct evidence_row *up;
	struct evidence ev = { 0 };

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_fin(s.u, &s.web, &s.out);
	uf_fin(s.u, &s.out, &s.web);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	built(&s, t, &ev);
	up = evidence_find(&ev, EK_FIN_UPSTREAM, 0);
	assert_non_null(up);
	assert_true(up < evidence_find(&ev, EK_FIN_GATEWAY, 0));
	assert_string_equal(up->text, "upstream closed without a reply");
	assert_true(up->bad);
	evidence_free(&ev);
}

/* A pooled connection that answered request 1 closes on request 2: for
 * request 2 the upstream closed without a reply. Request 1's reply is
 * another's, and the model rebuilt from request 2's frames on selection
 * has not read it (the screen and the kept model must say the same). */
static void
test_evidence_pooled_closed_unanswered(void **state)
{
	struct scene s;
	struct uf_side cli2, gw2;
	const struct txn *t2;
	const struct evidence_row *up;
	struct evidence ev = { 0 };

	scene_init(&s, *state);
	pooled(&s, &cli2, &gw2);
	uf_get(s.u, &s.out, &s.web, "/b", HOST);
	uf_fin(s.u, &s.web, &s.out);
	uf_fin(s.u, &s.out, &s.web);
	uf_status(s.u, &gw2, &cli2, 502);
	uf_diagnose(s.u);
	t2 = uf_txn(s.u, 2);
	expect_verdict(t2, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	built(&s, t2, &ev);
	up = evidence_find(&ev, EK_FIN_UPSTREAM, 0);
	assert_non_null(up);
	assert_string_equal(up->text, "upstream closed without a reply");
	assert_true(up->bad);
	evidence_free(&ev);
}

/* A SYN/ACK after the transaction ended (and its slack) is in no output:
 * not the list, not the flow view, not the frames. */
static void
test_evidence_late_synack_nowhere(void **state)
{
	struct scene s;
	const struct txn *t;
	struct evidence ev = { 0 };
	struct ladder lad;
	uint64_t late;

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	uf_syn(s.u, &s.out, &s.web);
	uf_wait(s.u, UF_S);
	uf_syn(s.u, &s.out, &s.web);
	gateway_answers(&s, 502);
	uf_wait(s.u, 2 * UF_S);
	late = uf_synack(s.u, &s.web, &s.out);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	built(&s, t, &ev);
	assert_int_equal(rows_of(&ev, EK_SYNACK), 0);
	assert_non_null(evidence_find(&ev, EK_NO_REPLY, 0));
	memset(&lad, 0, sizeof lad);
	assert_int_equal(ladder_build(&lad, &s.u->fl, &s.u->dg, t), 0);
	for (size_t i = 0; i < lad.n; i++)
		assert_int_not_equal(lad.rows[i]->frame, late);
	ladder_free(&lad);
	expect_listed_frames(&s, t, &ev);
	evidence_free(&ev);
}

/* The backoff numbers are formatted once: the interval rounded to the
 * millisecond ("+2.016 s", not truncated to 2.015) and the factor to one
 * decimal, for the report, the pane and the flow view alike. */
static void
test_evidence_backoff_once(void **state)
{
	struct scene s;
	const struct txn *t;
	const struct evidence_row *r;
	struct evidence ev = { 0 };

	scene_init(&s, *state);
	ask(&s);
	resolve(&s);
	uf_syn(s.u, &s.out, &s.web);
	uf_wait(s.u, 1003 * UF_MS - UF_FRAME_GAP_NS);
	uf_syn(s.u, &s.out, &s.web);
	uf_wait(s.u, 2015600 * 1000LL - UF_FRAME_GAP_NS);
	uf_syn(s.u, &s.out, &s.web);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	built(&s, t, &ev);
	assert_int_equal(rows_of(&ev, EK_SYN), 3);
	r = evidence_find(&ev, EK_SYN, 0);
	assert_string_equal(r->offset, "+0.000 s");
	assert_string_equal(r->interval, "");
	r = evidence_find(&ev, EK_SYN, 2);
	assert_int_equal(r->seq, 3);
	assert_int_equal(r->interval_ns, 2015600 * 1000LL);
	assert_string_equal(r->interval, "+2.016 s");
	assert_string_equal(r->offset, "+3.019 s");
	assert_string_equal(r->factor, "2.0");
	assert_non_null(strstr(r->detail, "+2.016 s after the previous SYN"));
	evidence_free(&ev);
}

/* Bug 11: the answer's frame is the one the JSON gives (where the message
 * ended), and bug 6: a 400 that is no gateway error is not called "OK". */
static void
test_evidence_answer_frame_and_label(void **state)
{
	struct scene s;
	const struct txn *t;
	const struct evidence_row *r;
	struct evidence ev = { 0 };
	uint64_t head, end;

	scene_init(&s, *state);
	ask(&s);
	head = uf_send(s.u, &s.u->srv, &s.u->cli, "HTTP/1.1 400 Bad Request"
	    "\r\nContent-Length: 4\r\n\r\n");
	end = uf_send(s.u, &s.u->srv, &s.u->cli, "nope");
	t = diagnosed(&s);
	assert_int_equal(t->status, 400);
	assert_false(t->is_error);
	assert_string_equal(txn_label(t), "CLIENT ERROR");
	built(&s, t, &ev);
	r = evidence_find(&ev, EK_ANSWER, 0);
	assert_int_not_equal(head, end);
	assert_int_equal(r->frame, end);
	assert_string_equal(r->text, "HTTP/1.1 400 Bad Request");
	evidence_free(&ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_dns_nxdomain),
		T(test_dns_servfail),
		T(test_dns_refused),
		T(test_dns_no_address),
		T(test_dns_no_response),
		T(test_syn_unanswered),
		T(test_tcp_rst_from_server),
		T(test_rst_from_gateway),
		T(test_literal_address),
		T(test_icmp_unreachable_v4),
		T(test_icmp_unreachable_v6),
		T(test_http_bad_header_line),
		T(test_evidence_dns_unanswered),
		T(test_evidence_icmp_each_retry),
		T(test_evidence_gateway_closed_first),
		T(test_evidence_upstream_closed_first),
		T(test_evidence_pooled_closed_unanswered),
		T(test_evidence_late_synack_nowhere),
		T(test_evidence_backoff_once),
		T(test_evidence_answer_frame_and_label),
		T(test_http_invalid_response),
		T(test_http_truncated_head),
		T(test_upstream_timeout),
		T(test_upstream_closed),
		T(test_upstream_reset),
		T(test_gateway_closed_first),
		T(test_gateway_resets_upstream),
		T(test_relayed_502),
		T(test_relayed_503),
		T(test_no_upstream_evidence),
		T(test_pending_until_final),
		T(test_host_case),
		T(test_connect_closed),
		T(test_ok),
		T(test_client_gave_up),
		T(test_range_reaches_evidence),
		T(test_concurrent_requests),
		T(test_shared_lookup),
		T(test_cached_address),
		T(test_negative_cache_soa),
		T(test_negative_cache_default),
		T(test_empty_answer_not_cached),
		T(test_servfail_not_cached),
		T(test_lookup_in_flight),
		T(test_lookup_in_flight_unanswered),
		T(test_pooled_connection),
		T(test_keepalive_race_fin),
		T(test_keepalive_race_rst),
		T(test_pooled_forward_window),
		T(test_address_fallback),
		T(test_address_fallback_v6_v4),
		T(test_same_address_not_a_retry),
		T(test_order_independent),
		T(test_success_claims_no_failure),
		T(test_late_evidence_ignored),
		T(test_slack_evidence_counted),
		T(test_masked_invalid_reply),
		T(test_masked_gateway_status),
		T(test_status_left_out_not_masked),
		T(test_concurrent_own_series),
		T(test_ambiguous_claims),
		T(test_target_port),
		T(test_init_on_dirty_memory),
		T(test_long_origin_url),
		T(test_retire_keeps_lookup_in_flight),
		T(test_retire_keeps_pipelined_request),
		cmocka_unit_test(test_releases_memory),
		T(test_fallback_late_synack),
		T(test_connect_late_bytes),
		cmocka_unit_test(test_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
