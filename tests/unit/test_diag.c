/*
 * test_diag.c: the diagnosis (src/diag) on small flows built by hand: a
 * client's request to the proxy (10.0.0.1:9090) for www.test, the
 * gateway's DNS look-ups and upstream connections, and the gateway's
 * answer. Every verdict and cause of DESIGN §1 with its evidence frames,
 * export range, SYN series, elapsed time and summary; the words of every
 * verdict and cause; concurrent requests for one host.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_flow.h"

#define HOST "www.test"
#define URL "http://" HOST "/"
#define T0 (10 * UF_S)		/* the client connects at 10 s */

/* Who talks in a scene besides the client and the proxy (u->cli, u->srv). */
struct scene {
	struct uf *u;
	struct uf_side res, dns;	/* the gateway's resolver, its server */
	struct uf_side out, web;	/* the gateway's upstream connection */
	uint16_t dns_id;
	uint64_t req;			/* the client's request frame */
	int64_t req_ts;
};

static void
scene_init(struct scene *s, struct uf *u)
{
	memset(s, 0, sizeof *s);
	s->u = u;
	uf_side_init(&s->res, "10.0.0.1", 33000, 0);
	uf_side_init(&s->dns, "10.0.0.53", 53, 0);
	uf_side_init(&s->out, "10.0.0.1", 50000, 7000);
	uf_side_init(&s->web, "192.0.2.10", 80, 9000);
	s->dns_id = 0x100;
	uf_at(u, T0);
}

/* Frames 1-3: the client connects to the proxy and asks for URL. */
static void
ask(struct scene *s)
{
	uf_handshake(s->u, &s->u->cli, &s->u->srv);
	s->req = uf_get(s->u, &s->u->cli, &s->u->srv, URL, HOST);
	s->req_ts = s->u->fl.stats.last_ts;
}

/* A query for HOST A; returns its frame. */
static uint64_t
query(struct scene *s)
{
	return uf_dns_query(s->u, &s->res, &s->dns, ++s->dns_id, HOST,
	    DNS_T_A);
}

/* The answer to the last query; returns its frame. */
static uint64_t
answer(struct scene *s, uint8_t rcode, const struct uf_rr *rrs, size_t n)
{
	return uf_dns_answer(s->u, &s->dns, &s->res, s->dns_id, HOST,
	    DNS_T_A, rcode, rrs, n);
}

/* HOST is an alias of edge.test, which is 192.0.2.10 (the web side). */
static const struct uf_rr resolved[] = {
	{ DNS_T_CNAME, NULL, 300, "edge.test" },
	{ DNS_T_A, "edge.test", 60, "192.0.2.10" },
};

/* Frames 4-5 when it follows ask(). */
static void
resolve(struct scene *s)
{
	query(s);
	answer(s, 0, resolved, 2);
}

/* The gateway connects to the web side (SYN, SYN/ACK: frames 6-7 after
 * ask() and resolve()) and asks for "/"; returns the request's frame. */
static uint64_t
upstream_get(struct scene *s)
{
	uf_handshake(s->u, &s->out, &s->web);
	return uf_get(s->u, &s->out, &s->web, "/", HOST);
}

/* The gateway's answer to the client; returns its frame. */
static uint64_t
gateway_answers(struct scene *s, unsigned status)
{
	return uf_status(s->u, &s->u->srv, &s->u->cli, status);
}

static const struct txn *
diagnosed(struct scene *s)
{
	uf_diagnose(s->u);
	assert_int_equal(s->u->dg.ntxns, 1);
	return uf_txn(s->u, 1);
}

static void
expect_verdict(const struct txn *t, enum verdict v, enum cause c)
{
	if (t->d.verdict != v || t->d.cause != c)
		fail_msg("transaction %u: %s/%s, expected %s/%s", t->id,
		    verdict_key(t->d.verdict), cause_key(t->d.cause),
		    verdict_key(v), cause_key(c));
}

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
	assert_int_equal(f.offset, first * 100);
}

static void
expect_elapsed(struct uf *u, const struct txn *t, int64_t ns)
{
	assert_int_equal(txn_elapsed_ns(&u->fl, t, u->fl.stats.last_ts), ns);
}

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
	diag_syn_series(&s.u->fl, t, &ss);
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

/* CONNECT www.test:443: the tunnel to port 443 that the server closes at
 * once, without a byte, is upstream-closed. */
static void
test_connect_closed(void **state)
{
	struct scene s;
	struct uf *u = *state;
	const struct txn *t;
	uint64_t req, fin, resp;

	scene_init(&s, u);
	s.web.port = 443;
	uf_handshake(u, &u->cli, &u->srv);
	req = uf_send(u, &u->cli, &u->srv, "CONNECT www.test:443 HTTP/1.1\r\n"
	    "Host: www.test:443\r\n\r\n");
	resolve(&s);
	uf_handshake(u, &s.out, &s.web);
	fin = uf_fin(u, &s.web, &s.out);
	resp = gateway_answers(&s, 502);
	t = diagnosed(&s);
	assert_int_equal(t->port, 443);
	assert_string_equal(uf_str(u, t->url), "www.test:443");
	expect_verdict(t, V_BAD_RESPONSE, C_UPSTREAM_CLOSED);
	EVIDENCE(u, t, req, 4, 5, 6, 7, fin, resp);
	expect_summary(u, t, WORDS("192.0.2.10:443", "closed the connection"),
	    NULL);
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
	uf_wait(u, UF_S);
	syn2b = uf_syn(u, &out2, &web2);
	uf_wait(u, 2 * UF_S);
	resp1 = uf_status(u, &gw[0], &u->cli, 502);
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
		"upstream-5xx", "no-upstream-evidence"
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
		cmocka_unit_test(test_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
