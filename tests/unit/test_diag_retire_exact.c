/*
 * test_diag_retire_exact.c: what one retirement keeps and drops, item by
 * item (diag.h: diag_retire). A scene holds, beside the transactions
 * retired, something kept for each reason retiring has — a transaction
 * not retired and what it refers to, an open request and what its window
 * may still link to, connections open and idle within the timeout,
 * connections, messages and look-ups from `from` on (the last frame less
 * twice the slack and a second), the kept-alive connection's pairs from
 * the first one kept, the gateway's DNS cache and its look-ups in flight
 * — each at its bound and just past it. The test asserts both ways: the
 * exact set of connections, messages and look-ups left, each named by
 * the frame that began it; and that every transaction left still refers
 * to the same items (by frame), its claim flags and queue following it.
 * Then the story goes on: what stays reads as it would have without
 * the retirement.
 *
 * The heap is replaced (glibc's "Replacing malloc") by wrappers that fill
 * the bytes past each request with 0xFF, so that reading a flag past an
 * array's end reads "set" rather than the zeros fresh memory holds.
 */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_flow.h"
#include "diag_scene.h"

#if !defined(__SANITIZE_ADDRESS__)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static void *
filled_past(void *p, size_t n)
{
	if (p != NULL)
		memset((uint8_t *)p + n, 0xFF, malloc_usable_size(p) - n);
	return p;
}

void *
malloc(size_t n)
{
	return filled_past(__libc_malloc(n), n);
}

void *
calloc(size_t n, size_t size)
{
	return filled_past(__libc_calloc(n, size), n * size);
}

void *
realloc(void *p, size_t n)
{
	return filled_past(__libc_realloc(p, n), n);
}

void
free(void *p)
{
	__libc_free(p);
}
#endif

#define E (T0 + 300 * UF_S)		/* the last frame */
#define FROM (E - 1400 * UF_MS)		/* E - 2 slack - 1 s margin */
#define IDLE_FROM (E - 120 * UF_S)	/* E - the timeout */
#define INFLIGHT_FROM (FROM - 30 * UF_S)

/* The items of the scene, each by the frame that began it. */
struct story {
	uint64_t old_lookup, stale_wait;
	uint64_t served_cli, served_req, www1, served_up, served_upreq;
	uint64_t served_upresp, served_resp;
	uint64_t kept_cli, kept_req, kept_attempt, kept_resp;
	uint64_t relayed_cli, relayed_req, relayed_up, relayed_upreq;
	uint64_t relayed_upresp, relayed_resp;
	uint64_t idle_gone, idle_edge;
	uint64_t nx_gone, nx_kept, wait_gone, wait_edge;
	uint64_t open_cli, open_req, www2, open_attempt;
	uint64_t edge_cli, edge_req[2], edge_resp[2];
	uint64_t early_cli, early_req[2], early_resp[2];
	uint64_t alive_cli, alive_req[4], alive_resp[2];
	uint64_t closed_gone, closed_edge;
	uint64_t dup_old, dup_edge, dup_new;
	uint64_t recent_syn, rival_cli, rival_req, last_lookup;
	/* the open requests' clients and proxy ends */
	struct uf_side ocli, ogw, acli, agw, rcli, rgw;
};

/* A client connection from addr:port to the proxy at `at`; its SYN. */
static uint64_t
client_at(struct uf *u, int64_t at, struct uf_side *cli, struct uf_side *gw,
    const char *addr, uint16_t port)
{
	uf_at(u, at);
	uf_side_init(cli, addr, port, 3000);
	*gw = u->srv;
	return uf_handshake(u, cli, gw);
}

/* A request for url at `at` and its answer (status; 0: none) at the
 * same instant; the request's frame. */
static uint64_t
pair_at(struct uf *u, int64_t at, struct uf_side *cli, struct uf_side *gw,
    const char *url, unsigned status, uint64_t *resp)
{
	uint64_t req;

	uf_at(u, at);
	req = uf_get(u, cli, gw, url, HOST);
	if (status != 0) {
		uf_at(u, at);
		*resp = uf_status(u, gw, cli, status);
	}
	return req;
}

#define URL_C "http://" HOST "/c"

#define URL_D "http://" HOST "/d"

/*
 * The whole scene, in time order; the last frame at E. Transactions
 * (ids in request order): served, kept (refused) and relayed (an
 * upstream 503 relayed) are over, the last two not offered (they stay);
 * open_* waits; edge_* and early_* have two pairs each, over; alive_*
 * has two over and two waiting; rival_* waits.
 */
static void
build(struct uf *u, struct story *st)
{
	static const struct uf_rr ttl30[] = {
		{ DNS_T_A, NULL, 30, "192.0.2.30" },
	};
	static const struct uf_rr at20[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.20" },
	};
	static const struct uf_rr dup[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.40" },
	};
	struct scene s;
	struct uf_side cli, gw, ecli, egw, xcli, xgw, from, to;

	memset(st, 0, sizeof *st);
	scene_init(&s, u);
	st->old_lookup = lookup_at(&s, T0, "old.test", 0, ttl30, 1);
	st->stale_wait = lookup_at(&s, T0 + 1 * UF_S, "stale.test", -1, NULL, 0);

	/* served on an upstream connection, everything closed after */
	uf_at(u, T0 + 2 * UF_S);
	st->served_cli = u->frame + 1;
	ask(&s);
	st->served_req = s.req;
	st->www1 = query(&s);
	answer(&s, 0, addr300, 1);
	st->served_up = u->frame + 1;
	st->served_upreq = upstream_get(&s);
	st->served_upresp = uf_status(u, &s.web, &s.out, 200);
	st->served_resp = gateway_answers(&s, 200);
	uf_fin(u, &u->cli, &u->srv);
	uf_fin(u, &u->srv, &u->cli);
	uf_fin(u, &s.out, &s.web);
	uf_fin(u, &s.web, &s.out);

	/* kept: its attempt refused, the address from the cache */
	uf_at(u, T0 + 20 * UF_S);
	st->kept_cli = u->frame + 1;
	st->kept_req = client_asks(u, &cli, &gw, "10.0.0.6", 40001, URL_B);
	s.out.port = 50001;
	st->kept_attempt = uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	st->kept_resp = uf_status(u, &gw, &cli, 502);
	uf_fin(u, &cli, &gw);
	uf_fin(u, &gw, &cli);

	/* relayed: forwarded on a new connection, the upstream 503 relayed */
	uf_at(u, T0 + 40 * UF_S);
	st->relayed_cli = u->frame + 1;
	st->relayed_req = client_asks(u, &cli, &gw, "10.0.0.8", 40003, URL_D);
	s.out.port = 50003;
	st->relayed_up = u->frame + 1;
	uf_handshake(u, &s.out, &s.web);
	st->relayed_upreq = uf_get(u, &s.out, &s.web, "/d", HOST);
	st->relayed_upresp = uf_status(u, &s.web, &s.out, 503);
	st->relayed_resp = uf_status(u, &gw, &cli, 503);
	uf_fin(u, &s.out, &s.web);
	uf_fin(u, &s.web, &s.out);
	uf_fin(u, &cli, &gw);
	uf_fin(u, &gw, &cli);

	/* client connections left open and idle: the last frame (the
	 * SYN/ACK) just before the timeout's bound and at it */
	st->idle_gone = client_at(u, IDLE_FROM - 2 * UF_MS, &cli, &gw,
	    "10.0.0.20", 41000);
	st->idle_edge = client_at(u, IDLE_FROM - 1 * UF_MS, &cli, &gw,
	    "10.0.0.21", 41001);

	/* NXDOMAIN, cached a minute: expired by `from`, and not */
	st->nx_gone = lookup_at(&s, E - 70 * UF_S, "nx1.test", 3, NULL, 0);
	st->nx_kept = lookup_at(&s, E - 50 * UF_S, "nx2.test", 3, NULL, 0);
	/* never answered: just before the in-flight bound, and at it */
	st->wait_gone = lookup_at(&s, INFLIGHT_FROM - 1 * UF_MS, "wait1.test",
	    -1, NULL, 0);
	st->wait_edge = lookup_at(&s, INFLIGHT_FROM, "wait2.test", -1, NULL, 0);

	/* open: its own look-up and a refused attempt to the address */
	uf_at(u, E - 5 * UF_S);
	st->open_cli = u->frame + 1;
	st->open_req = client_asks(u, &st->ocli, &st->ogw, "10.0.0.7", 40002,
	    URL_C);
	st->www2 = lookup_at(&s, E - 5 * UF_S + 10 * UF_MS, HOST, 0, at20, 1);
	uf_side_init(&from, "10.0.0.1", 50002, 100);
	uf_side_init(&to, "192.0.2.20", 80, 700);
	st->open_attempt = uf_syn(u, &from, &to);
	uf_rst(u, &to, &from);

	/* two kept-alive connections, their first pairs */
	st->edge_cli = client_at(u, E - 4 * UF_S, &ecli, &egw, "10.0.0.30",
	    42000);
	st->edge_req[0] = pair_at(u, E - 4 * UF_S + 10 * UF_MS, &ecli, &egw,
	    URL, 200, &st->edge_resp[0]);
	st->early_cli = client_at(u, E - 3900 * UF_MS, &xcli, &xgw,
	    "10.0.0.31", 42001);
	st->early_req[0] = pair_at(u, E - 3890 * UF_MS, &xcli, &xgw, URL,
	    200, &st->early_resp[0]);

	/* four requests on one connection, the last two unanswered */
	st->alive_cli = client_at(u, E - 3 * UF_S, &st->acli, &st->agw,
	    "10.0.0.32", 42002);
	st->alive_req[0] = pair_at(u, E - 2900 * UF_MS, &st->acli, &st->agw,
	    URL, 200, &st->alive_resp[0]);
	st->alive_req[1] = pair_at(u, E - 2800 * UF_MS, &st->acli, &st->agw,
	    URL_B, 200, &st->alive_resp[1]);
	st->alive_req[2] = pair_at(u, E - 2700 * UF_MS, &st->acli, &st->agw,
	    URL_C, 0, NULL);
	st->alive_req[3] = pair_at(u, E - 2600 * UF_MS, &st->acli, &st->agw,
	    URL_D, 0, NULL);

	/* the gateway's connections to another host, reset: the last
	 * frame just before `from`, and at it */
	uf_side_init(&from, "10.0.0.1", 52000, 100);
	uf_side_init(&to, "198.51.100.20", 80, 700);
	uf_at(u, FROM - 3 * UF_MS);
	st->closed_gone = uf_syn(u, &from, &to);
	from.port = 52001;
	st->closed_edge = uf_syn(u, &from, &to);	/* FROM - 2 ms */
	from.port = 52000;
	uf_rst(u, &to, &from);				/* FROM - 1 ms */
	from.port = 52001;
	uf_at(u, FROM);
	uf_rst(u, &to, &from);

	/* the second pairs, just before `from` and at it, each
	 * request and answer at one instant; then both clients leave */
	st->early_req[1] = pair_at(u, FROM - 1 * UF_MS, &xcli, &xgw, URL_B,
	    200, &st->early_resp[1]);
	st->edge_req[1] = pair_at(u, FROM, &ecli, &egw, URL_B, 200,
	    &st->edge_resp[1]);
	uf_at(u, FROM + 10 * UF_MS);
	uf_fin(u, &xcli, &xgw);
	uf_fin(u, &xgw, &xcli);
	uf_fin(u, &ecli, &egw);
	uf_fin(u, &egw, &ecli);

	/* one name looked up three times: before `from`, at it, after */
	st->dup_old = lookup_at(&s, FROM - 1 * UF_MS, "dup.test", 0, dup, 1);
	st->dup_edge = lookup_at(&s, FROM, "dup.test", 0, dup, 1);
	st->dup_new = lookup_at(&s, FROM + 100 * UF_MS, "dup.test", 0, dup, 1);

	/* the gateway connecting elsewhere a second ago, and a look-up in
	 * the last frame */
	uf_side_init(&from, "10.0.0.1", 53000, 100);
	uf_side_init(&to, "198.51.100.9", 7000, 0);
	uf_at(u, E - 1 * UF_S);
	st->recent_syn = uf_syn(u, &from, &to);
	/* a request half a millisecond before the last frame, waiting */
	st->rival_cli = client_at(u, E - 3 * UF_MS, &st->rcli, &st->rgw,
	    "10.0.0.40", 43000);
	st->rival_req = pair_at(u, E - UF_MS / 2, &st->rcli, &st->rgw, URL, 0,
	    NULL);
	st->last_lookup = lookup_at(&s, E, "last.test", -1, NULL, 0);
	assert_int_equal(u->fl.stats.last_ts, E);
}

/* Sorted frame numbers of the connections, messages or look-ups left. */
enum kind { CONNS, MSGS, LOOKUPS };

static size_t
items_left(const struct uf *u, enum kind k, uint64_t *out, size_t max)
{
	size_t n = k == CONNS ? u->fl.nconns : k == MSGS ? u->fl.nmsgs :
	    u->fl.ndns;

	assert_true(n <= max);
	for (size_t i = 0; i < n; i++)
		out[i] = k == CONNS ? u->fl.conns[i].first.number :
		    k == MSGS ? u->fl.msgs[i].start.number :
		    u->fl.dns[i].query.number;
	return n;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
expect_left(const struct uf *u, enum kind k, uint64_t *want, size_t nwant)
{
	static const char *const what[] = { "connections", "messages",
	    "look-ups" };
	uint64_t got[256];
	size_t n = items_left(u, k, got, 256);
	char gs[1024], ws[1024];
	size_t go = 0, wo = 0;

	qsort(got, n, sizeof *got, u64_cmp);
	qsort(want, nwant, sizeof *want, u64_cmp);
	gs[0] = ws[0] = '\0';
	for (size_t i = 0; i < n; i++)
		go += (size_t)snprintf(gs + go, sizeof gs - go, " %llu",
		    (unsigned long long)got[i]);
	for (size_t i = 0; i < nwant; i++)
		wo += (size_t)snprintf(ws + wo, sizeof ws - wo, " %llu",
		    (unsigned long long)want[i]);
	if (strcmp(gs, ws) != 0)
		fail_msg("%s left:%s\nexpected:%s", what[k], gs, ws);
}

static uint64_t
conn_frame(const struct uf *u, uint32_t i)
{
	return i == NONE32 ? 0 : u->fl.conns[i].first.number;
}

static uint64_t
msg_frame(const struct uf *u, uint32_t i)
{
	return i == NONE32 ? 0 : u->fl.msgs[i].start.number;
}

static uint64_t
dns_frame(const struct uf *u, uint32_t i)
{
	return u->fl.dns[i].query.number;
}

#define PUT(...) (o += (size_t)snprintf(out + o, o < len ? len - o : 0, \
	__VA_ARGS__))

/* What transaction t refers to, each item by its frame; the queue of
 * its connection by transaction ids. */
static void
txn_text(const struct uf *u, const struct txn *t, char *out, size_t len)
{
	const struct diagnosis *d = &t->d;
	const struct diag *dg = &u->dg;
	uint32_t h = dg->conn_head[t->conn], tl = dg->conn_tail[t->conn];
	size_t o = 0;

	PUT("txn %u %s %s%s conn %llu req %llu resp %llu dns", t->id,
	    verdict_key(d->verdict), cause_key(d->cause),
	    t->settled ? " settled" : "",
	    (unsigned long long)conn_frame(u, t->conn),
	    (unsigned long long)msg_frame(u, t->req),
	    (unsigned long long)msg_frame(u, t->resp));
	for (unsigned i = 0; i < d->ndns; i++)
		PUT(" %llu", (unsigned long long)dns_frame(u, d->dns[i]));
	PUT(" conns");
	for (unsigned i = 0; i < d->nconns; i++)
		PUT(" %llu", (unsigned long long)conn_frame(u, d->conns[i]));
	PUT(" rival %u up %llu %llu %llu next %u queue %u %u", t->rival,
	    (unsigned long long)msg_frame(u, d->up_req),
	    (unsigned long long)msg_frame(u, d->up_resp),
	    (unsigned long long)conn_frame(u, d->up_conn),
	    t->next_on_conn == NONE32 ? 0 : dg->txns[t->next_on_conn].id,
	    h == NONE32 ? 0 : dg->txns[h].id,
	    tl == NONE32 ? 0 : dg->txns[tl].id);
}

/* Every transaction's txn_text, a line each. */
static void
txns_text(const struct uf *u, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < u->dg.ntxns && o < len; i++) {
		txn_text(u, &u->dg.txns[i], out + o, len - o);
		o += strlen(out + o);
		PUT("\n");
	}
}

/* The claimed items (within the flags' capacity) by frame. */
static void
claims_text(const struct uf *u, char *out, size_t len)
{
	const struct diag *dg = &u->dg;
	size_t o = 0;

	PUT("conns");
	for (size_t i = 0; i < u->fl.nconns && i < dg->conn_claimed_cap; i++)
		if (dg->conn_claimed[i])
			PUT(" %llu", (unsigned long long)conn_frame(u,
			    (uint32_t)i));
	PUT(" msgs");
	for (size_t i = 0; i < u->fl.nmsgs && i < dg->msg_claimed_cap; i++)
		if (dg->msg_claimed[i])
			PUT(" %llu", (unsigned long long)msg_frame(u,
			    (uint32_t)i));
	PUT(" dns");
	for (size_t i = 0; i < u->fl.ndns && i < dg->dns_claimed_cap; i++)
		if (dg->dns_claimed[i])
			PUT(" %llu", (unsigned long long)dns_frame(u,
			    (uint32_t)i));
}

/* The claims of `before` (claims_text's) on items still in the model,
 * as claims_text writes them; out. */
static const char *
claims_kept(const struct uf *u, const char *before, char *out, size_t len)
{
	static const char *const heads[3] = { "conns", "msgs", "dns" };
	uint64_t left[256];
	size_t o = 0;
	const char *p = before;

	for (int k = 0; k < 3; k++) {
		size_t n = items_left(u, (enum kind)k, left, 256);
		const char *next = k < 2 ? strstr(p, heads[k + 1]) : NULL;
		char *end;

		PUT("%s%s", k ? " " : "", heads[k]);
		p = strstr(p, heads[k]) + strlen(heads[k]);
		for (;;) {
			unsigned long long f = strtoull(p, &end, 10);

			if (end == p || (next && end > next))
				break;
			p = end;
			for (size_t i = 0; i < n; i++)
				if (left[i] == f)
					PUT(" %llu", f);
		}
	}
	return out;
}

/* Every transaction offered but kept_* and relayed_*. */
static void
offer(const struct uf *u, const struct story *st, uint8_t *flags)
{
	for (size_t i = 0; i < u->dg.ntxns; i++) {
		uint64_t req = msg_frame(u, u->dg.txns[i].req);

		flags[i] = req != st->kept_req && req != st->relayed_req;
	}
}

/* Does transaction t stay: not offered, or still open? */
static bool
stays(const struct uf *u, const struct story *st, const struct txn *t)
{
	uint64_t req = msg_frame(u, t->req);

	return req == st->kept_req || req == st->relayed_req ||
	    req == st->open_req || req == st->alive_req[2] ||
	    req == st->alive_req[3] || req == st->rival_req;
}

/* Builds the scene, diagnoses it (not final) and retires what it
 * offers: 7 go. */
static void
build_and_retire(struct uf *u, struct story *st)
{
	uint8_t flags[16];

	build(u, st);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 13);
	offer(u, st, flags);
	assert_int_equal(diag_retire(&u->dg, &u->fl, flags), 7);
}

static void
test_kept_and_dropped(void **state)
{
	struct uf *u = *state;
	struct story st;

	build_and_retire(u, &st);
	assert_int_equal(u->dg.ntxns, 6);
	for (size_t i = 0; i < u->dg.ntxns; i++)
		assert_true(stays(u, &st, &u->dg.txns[i]));
	/* in id order, the first not settled first */
	for (size_t i = 1; i < u->dg.ntxns; i++)
		assert_true(u->dg.txns[i - 1].id < u->dg.txns[i].id);
	assert_int_equal(u->dg.first_unsettled, 2);
	assert_true(u->dg.txns[0].settled && u->dg.txns[1].settled);
	assert_false(u->dg.txns[2].settled);
	{
		uint64_t conns[] = { st.kept_cli, st.kept_attempt,
		    st.relayed_cli, st.relayed_up, st.idle_edge, st.open_cli,
		    st.open_attempt, st.edge_cli, st.early_cli, st.alive_cli,
		    st.closed_edge, st.recent_syn, st.rival_cli };

		expect_left(u, CONNS, conns, sizeof conns / sizeof *conns);
	}
	{
		/* alive_*'s second pair: the parser still holds its answer
		 * (stream_msg_refs), and pairs go only from the start */
		uint64_t msgs[] = { st.kept_req, st.kept_resp, st.relayed_req,
		    st.relayed_upreq, st.relayed_upresp, st.relayed_resp,
		    st.open_req, st.alive_req[1], st.alive_resp[1],
		    st.alive_req[2], st.alive_req[3], st.edge_req[1],
		    st.edge_resp[1], st.rival_req };

		expect_left(u, MSGS, msgs, sizeof msgs / sizeof *msgs);
	}
	{
		uint64_t dns[] = { st.www1, st.nx_kept, st.wait_edge, st.www2,
		    st.dup_edge, st.dup_new, st.last_lookup };

		expect_left(u, LOOKUPS, dns, sizeof dns / sizeof *dns);
	}
}

/*
 * The transactions left refer to the items they referred to before,
 * their queues, rivals and claim flags following them: each read by
 * frame. Claims on what went go with it; the rest stay as they were.
 */
static void
test_refs_follow(void **state)
{
	struct uf *u = *state;
	struct story st;
	char want[8][512], got[512], claims[1024], claims_before[1024];
	uint32_t ids[8];
	size_t n = 0;
	uint8_t flags[16];

	build(u, &st);
	uf_diag_run(u, NULL, false);
	for (size_t i = 0; i < u->dg.ntxns; i++)
		if (stays(u, &st, &u->dg.txns[i])) {
			assert_true(n < 8);
			ids[n] = u->dg.txns[i].id;
			txn_text(u, &u->dg.txns[i], want[n], sizeof want[n]);
			n++;
		}
	assert_int_equal(n, 6);
	claims_text(u, claims_before, sizeof claims_before);
	/* served_*'s upstream request and connection among them */
	snprintf(got, sizeof got, " %llu ", (unsigned long long)st.served_up);
	assert_non_null(strstr(claims_before, got));
	offer(u, &st, flags);
	assert_int_equal(diag_retire(&u->dg, &u->fl, flags), 7);
	assert_int_equal(u->dg.ntxns, n);
	for (size_t k = 0; k < n; k++) {
		txn_text(u, uf_txn(u, ids[k]), got, sizeof got);
		assert_string_equal(got, want[k]);
	}
	claims_text(u, claims, sizeof claims);
	assert_string_equal(claims, claims_kept(u, claims_before, got,
	    sizeof got));
	/* past what is left, no flag is set and no connection has a queue
	 * (a new connection there would take a retired one's answers) */
	for (size_t i = u->fl.nconns; i < u->dg.conn_cap; i++) {
		assert_int_equal(u->dg.conn_head[i], NONE32);
		assert_int_equal(u->dg.conn_tail[i], NONE32);
	}
	for (size_t i = u->fl.nconns; i < u->dg.conn_claimed_cap; i++)
		assert_int_equal(u->dg.conn_claimed[i], 0);
	for (size_t i = u->fl.nmsgs; i < u->dg.msg_claimed_cap; i++)
		assert_int_equal(u->dg.msg_claimed[i], 0);
	for (size_t i = u->fl.ndns; i < u->dg.dns_claimed_cap; i++)
		assert_int_equal(u->dg.dns_claimed[i], 0);
}

/*
 * Connections fed after the last run, past the claim flags' capacity
 * (64), and not diagnosed yet: none is claimed after retiring, and the
 * claims of what stays follow it.
 */
static void
test_claims_after_growth(void **state)
{
	struct uf *u = *state;
	struct story st;
	struct uf_side from, to;
	char claims[1024], before[1024], want[1024];
	uint8_t flags[16];

	build(u, &st);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.conn_claimed_cap, 64);
	claims_text(u, before, sizeof before);
	uf_side_init(&to, "198.51.100.50", 80, 0);
	for (int k = 0; k < 60; k++) {	/* all at E: `from` stays */
		uf_side_init(&from, "10.0.0.1", (uint16_t)(54000 + k), 100);
		uf_at(u, E);
		uf_syn(u, &from, &to);
	}
	assert_true(u->fl.nconns > 64);
	diag_update(&u->dg, &u->fl);
	assert_int_equal(u->dg.conn_claimed_cap, 64);
	offer(u, &st, flags);
	assert_int_equal(diag_retire(&u->dg, &u->fl, flags), 7);
	assert_int_equal(u->fl.nconns, 13 + 60);
	claims_text(u, claims, sizeof claims);
	assert_string_equal(claims, claims_kept(u, before, want,
	    sizeof want));
	/* the next run claims what it links, and nothing else */
	uf_slice(u);
	claims_text(u, claims, sizeof claims);
	assert_string_equal(claims, want);
}

/*
 * A request at `from` answered at once, the connection then closed by
 * frames stamped 1 ms earlier (another interface's clock): the
 * connection's last frame is before `from`, its messages are not. They
 * stay, and the connection with them, though their transaction goes.
 */
static void
test_recent_messages_keep_connection(void **state)
{
	static const uint8_t all[1] = { 1 };
	struct uf *u = *state;
	struct scene s;
	uint64_t req, resp;

	scene_init(&s, u);
	uf_at(u, FROM - 10 * UF_MS);
	uf_handshake(u, &u->cli, &u->srv);
	uf_at(u, FROM);
	req = uf_get(u, &u->cli, &u->srv, URL, HOST);
	uf_at(u, FROM);
	resp = gateway_answers(&s, 200);
	uf_at(u, FROM - 1 * UF_MS);
	uf_fin(u, &u->cli, &u->srv);
	uf_at(u, FROM - 1 * UF_MS);
	uf_fin(u, &u->srv, &u->cli);
	lookup_at(&s, E, "last.test", -1, NULL, 0);
	uf_diag_run(u, NULL, false);
	assert_true(u->fl.conns[0].last.ts_ns < FROM);
	assert_int_equal(diag_retire(&u->dg, &u->fl, all), 1);
	assert_int_equal(u->dg.ntxns, 0);
	assert_int_equal(u->fl.nconns, 1);
	assert_int_equal(u->fl.nmsgs, 2);
	assert_int_equal(u->fl.msgs[0].start.number, req);
	assert_int_equal(u->fl.msgs[1].start.number, resp);
}

/*
 * The proxy answered before the client asked (a stray 408), then the
 * client asked and got a 502; another client was served. Retiring the
 * served one keeps the whole story of the one not offered: its request
 * and its answer, though the stray answer came first on the connection.
 */
static void
test_stray_answer_first(void **state)
{
	static const uint8_t second[2] = { 1, 0 };
	struct uf *u = *state;
	struct scene s;
	struct uf_side cli, gw;
	uint64_t stray, req, resp;
	char text[512], want[512];

	scene_init(&s, u);
	served(&s);
	uf_fin(u, &u->cli, &u->srv);
	uf_fin(u, &u->srv, &u->cli);
	uf_fin(u, &s.out, &s.web);
	uf_fin(u, &s.web, &s.out);
	uf_at(u, T0 + 5 * UF_S);
	uf_side_init(&cli, "10.0.0.6", 40001, 3000);
	gw = u->srv;
	uf_handshake(u, &cli, &gw);
	stray = uf_status(u, &gw, &cli, 408);
	req = uf_get(u, &cli, &gw, URL_B, HOST);
	resp = uf_status(u, &gw, &cli, 502);
	uf_at(u, T0 + 60 * UF_S);
	uf_fin(u, &cli, &gw);
	uf_fin(u, &gw, &cli);
	uf_diag_run(u, NULL, false);
	assert_int_equal(u->dg.ntxns, 2);
	txn_text(u, uf_txn(u, 2), want, sizeof want);
	assert_int_equal(diag_retire(&u->dg, &u->fl, second), 1);
	assert_int_equal(u->dg.ntxns, 1);
	txn_text(u, uf_txn(u, 2), text, sizeof text);
	assert_string_equal(text, want);
	assert_int_equal(msg_frame(u, u->dg.txns[0].req), req);
	assert_int_equal(msg_frame(u, u->dg.txns[0].resp), resp);
	assert_int_equal(u->dg.txns[0].status, 502);
	/* and the stray answer before it: pairs go only from the start */
	assert_int_equal(u->fl.nmsgs, 3);
	assert_int_equal(u->fl.msgs[0].start.number, stray);
}

/*
 * The scene, retired or not; then a new client asks for URL 0.3 ms after
 * the last frame (rival_*'s rival), the gateway answers every open
 * request 502 and the capture ends. Writes what the transactions that
 * stay and the new one read: their references, verdicts and evidence.
 */
static void
story_rest(struct uf *u, struct story *st, char *out, size_t len)
{
	struct uf_side cli, gw;
	uint64_t f[64], req;
	size_t o = 0;

	uf_at(u, E + UF_MS / 10);
	uf_side_init(&cli, "10.0.0.41", 43001, 3000);
	gw = u->srv;
	uf_syn(u, &cli, &gw);
	uf_at(u, E + UF_MS / 5);
	uf_synack(u, &gw, &cli);
	uf_at(u, E + 3 * UF_MS / 10);
	req = uf_get(u, &cli, &gw, URL, HOST);
	uf_at(u, E + 1 * UF_S);
	uf_status(u, &st->ogw, &st->ocli, 502);
	uf_status(u, &st->agw, &st->acli, 502);
	uf_status(u, &st->agw, &st->acli, 502);
	uf_status(u, &st->rgw, &st->rcli, 502);
	uf_status(u, &gw, &cli, 502);
	flow_finish(&u->fl);
	diag_update(&u->dg, &u->fl);
	diag_run(&u->dg, &u->fl, true);
	for (size_t i = 0; i < u->dg.ntxns; i++) {
		const struct txn *t = &u->dg.txns[i];
		size_t n;

		if (!stays(u, st, t) && msg_frame(u, t->req) != req)
			continue;
		n = uf_evidence(u, t, f, 64);
		txn_text(u, t, out + o, len - o);
		o += strlen(out + o);
		PUT(" status %u evidence", t->status);
		for (size_t k = 0; k < n; k++)
			PUT(" %llu", (unsigned long long)f[k]);
		PUT("\n");
	}
}

static void
story_end(struct uf *u, bool retiring, char *out, size_t len)
{
	struct story st;

	if (retiring) {
		build_and_retire(u, &st);
	} else {
		build(u, &st);
		uf_diag_run(u, NULL, false);
	}
	story_rest(u, &st, out, len);
}

static void
test_story_goes_on(void **state)
{
	char whole[4096], retired[4096];

	story_end(*state, false, whole, sizeof whole);
	story_end(again(state), true, retired, sizeof retired);
	assert_string_equal(retired, whole);
	/* open_* was refused at the address its own look-up gave; the new
	 * request and rival_* are each other's rivals */
	assert_non_null(strstr(whole, "cannot-connect tcp-rst"));
	assert_non_null(strstr(whole, "rival 14 "));
	assert_non_null(strstr(whole, "txn 14 "));
}

/*
 * The scene diagnosed; then the gateway answers open_* 502 and the
 * story moves on 1.5 s, taken by diag_update, not diagnosed yet.
 */
static void
answered_later(struct uf *u, struct story *st)
{
	build(u, st);
	uf_diag_run(u, NULL, false);
	uf_at(u, E + 1 * UF_S);
	uf_status(u, &st->ogw, &st->ocli, 502);
	uf_at(u, E + 1500 * UF_MS);
	uf_syn(u, &st->rcli, &st->rgw);		/* any frame */
	diag_update(&u->dg, &u->fl);
}

/*
 * A diagnosis in steps under way when the retirement comes ends with
 * it (its list holds the old indices): run again in steps after, it
 * settles what one run after the retirement settles (open_*, answered).
 */
static void
test_run_in_steps_across(void **state)
{
	struct uf *u = *state;
	struct story st;
	char run[4096], steps[4096];
	uint8_t flags[16];

	answered_later(u, &st);
	offer(u, &st, flags);
	assert_int_equal(diag_retire(&u->dg, &u->fl, flags), 7);
	diag_run(&u->dg, &u->fl, false);
	assert_true(uf_txn(u, 4)->settled);
	assert_int_equal(uf_txn(u, 4)->req, u->dg.txns[2].req);
	txns_text(u, run, sizeof run);
	u = again(state);
	answered_later(u, &st);
	assert_false(diag_run_step(&u->dg, &u->fl, false, 1));
	assert_true(u->dg.pass.on);
	offer(u, &st, flags);
	assert_int_equal(diag_retire(&u->dg, &u->fl, flags), 7);
	while (!diag_run_step(&u->dg, &u->fl, false, 1))
		;
	txns_text(u, steps, sizeof steps);
	assert_string_equal(steps, run);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kept_and_dropped, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_refs_follow, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_recent_messages_keep_connection, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_stray_answer_first,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_claims_after_growth,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_run_in_steps_across,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_story_goes_on, uf_setup,
		    uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
