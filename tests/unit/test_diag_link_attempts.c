/*
 * test_diag_link_attempts.c: when the gateway gave up on a connection
 * attempt, and so which attempt its answer followed (diag/link.c). An
 * unanswered SYN is retransmitted after the initial RTO of 1 s (RFC 6298
 * §2.1, Linux's TCP_TIMEOUT_INIT) and the backoff doubles the interval
 * each time; the gateway gave up when the next retransmission was due
 * and did not come, and acts on that within a second (DIAG_ACT_NS): it
 * tries the host's next address, or answers. No gateway gives up a
 * handshake sooner than 500 ms after its first SYN, none sends a SYN
 * after it gave up, and a refusal (RST, ICMP) is answered within a
 * second. An attempt the answer cannot have followed is another
 * client's: the next nearest one is the request's. A retry starts once
 * the previous attempt is over, at or after its last frame seen (its
 * last SYN, its RST or ICMP error): one started while it still ran is
 * another's; a frame after the story (past the answer and the slack)
 * is not part of it.
 */
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

/*
 * HOST has two addresses. The gateway's SYN to 192.0.2.10 goes
 * unanswered, retransmitted at each of the `nretx` offsets (from the
 * first SYN); `after` the first SYN it tries 192.0.2.11, which refuses
 * at once, and it answers 502 right after. Returns the first SYN's
 * frame in *first_syn.
 */
static const struct txn *
retry_after(void **state, const int64_t *retx, size_t nretx, int64_t after,
    uint64_t *first_syn)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side out2, web2;
	int64_t first;

	scene_init(&s, u);
	ask_two_addresses(&s, &out2, &web2);
	first = u->next_ts_ns;
	*first_syn = uf_syn(u, &s.out, &s.web);
	for (size_t k = 0; k < nretx; k++) {
		uf_at(u, first + retx[k]);
		uf_syn(u, &s.out, &s.web);
	}
	uf_at(u, first + after);
	uf_syn(u, &out2, &web2);
	uf_rst(u, &web2, &out2);
	gateway_answers(&s, 502);
	return diagnosed(&s);
}

/* Is t's chain the first address's attempt, then the second's? */
static void
expect_chain(void **state, const struct txn *t, uint64_t first_syn,
    unsigned n)
{
	struct uf *u = *state;

	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, n);
	if (n == 2)
		assert_int_equal(conn_syn(&u->fl.conns[t->d.conns[0]],
		    0)->number,
		    first_syn);
	else
		assert_int_not_equal(conn_syn(&u->fl.conns[t->d.conns[0]],
		    0)->number,
		    first_syn);
}

/* One SYN, never retransmitted: the retransmission was due after the
 * initial RTO (1 s); the next address is tried within a second of it. */
static void
test_initial_rto(void **state)
{
	const struct txn *t;
	uint64_t syn;

	t = retry_after(state, NULL, 0, 2 * UF_S, &syn);
	expect_chain(state, t, syn, 2);
	t = retry_after(state, NULL, 0, 1500 * UF_MS, &syn);
	expect_chain(state, t, syn, 2);
	t = retry_after(state, NULL, 0, 2 * UF_S + 1, &syn);
	expect_chain(state, t, syn, 1);
}

/* SYNs at 0 and 1 s: the next was due 2 s after the last (3 s). */
static void
test_backoff_doubles(void **state)
{
	static const int64_t once[] = { 1 * UF_S };
	static const int64_t slow[] = { 3 * UF_S };
	const struct txn *t;
	uint64_t syn;

	t = retry_after(state, once, 1, 4 * UF_S, &syn);
	expect_chain(state, t, syn, 2);
	t = retry_after(state, once, 1, 4 * UF_S + 1, &syn);
	expect_chain(state, t, syn, 1);
	/* a retransmission 3 s after the first: the next due 6 s later */
	t = retry_after(state, slow, 1, 10 * UF_S, &syn);
	expect_chain(state, t, syn, 2);
	t = retry_after(state, slow, 1, 10 * UF_S + 1, &syn);
	expect_chain(state, t, syn, 1);
}

/* The same SYN captured twice at once (two interfaces of `-i any`): no
 * interval to double, the initial RTO holds. */
static void
test_syn_seen_twice(void **state)
{
	static const int64_t twice[] = { 0 };
	const struct txn *t;
	uint64_t syn;

	t = retry_after(state, twice, 1, 2 * UF_S, &syn);
	expect_chain(state, t, syn, 2);
	t = retry_after(state, twice, 1, 2 * UF_S + 1, &syn);
	expect_chain(state, t, syn, 1);
}

enum first_end { FIRST_REFUSED, FIRST_UNREACHABLE, FIRST_LATE_RST };

/*
 * HOST has two addresses. The gateway's SYN to 192.0.2.10 is refused
 * (RST or ICMP) 10 ms later, or stays unanswered but for an RST 5 s
 * later, long after the story; `after` the SYN the gateway tries
 * 192.0.2.11, refused 1 ms later, and answers 502 1 ms after that.
 * Returns how many attempts were linked (one: the answer follows the
 * first attempt's refusal alone).
 */
static unsigned
attempts_after(void **state, enum first_end how, int64_t after)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side out2, web2;
	const struct txn *t;
	int64_t first;

	scene_init(&s, u);
	ask_two_addresses(&s, &out2, &web2);
	first = u->next_ts_ns;
	uf_syn(u, &s.out, &s.web);
	if (how != FIRST_LATE_RST && after < 10 * UF_MS) {
		uf_at(u, first + after);
		uf_syn(u, &out2, &web2);
	}
	uf_at(u, first + 10 * UF_MS);
	if (how == FIRST_REFUSED)
		uf_rst(u, &s.web, &s.out);
	else if (how == FIRST_UNREACHABLE)
		uf_icmp(u, "192.0.2.1", &s.out, &s.web, 3, 1);
	if (how == FIRST_LATE_RST || after >= 10 * UF_MS) {
		uf_at(u, first + after);
		uf_syn(u, &out2, &web2);
	}
	uf_at(u, first + after + 1 * UF_MS);
	uf_rst(u, &web2, &out2);
	gateway_answers(&s, 502);
	if (how == FIRST_LATE_RST) {
		uf_at(u, first + 5 * UF_S);
		uf_rst(u, &s.web, &s.out);
	}
	t = diagnosed(&s);
	/* the last attempt linked decides the cause */
	if (t->d.nconns == 2 || how == FIRST_REFUSED)
		expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	else
		expect_verdict(t, V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
	return t->d.nconns;
}

static void
test_retry_after_last_frame(void **state)
{
	assert_int_equal(attempts_after(state, FIRST_REFUSED, 10 * UF_MS), 2);
	assert_int_equal(attempts_after(state, FIRST_REFUSED, 11 * UF_MS), 2);
	assert_int_equal(attempts_after(state, FIRST_REFUSED,
	    10 * UF_MS - 1), 1);
	assert_int_equal(attempts_after(state, FIRST_REFUSED, 5 * UF_MS), 1);
	assert_int_equal(attempts_after(state, FIRST_UNREACHABLE, 10 * UF_MS),
	    2);
	assert_int_equal(attempts_after(state, FIRST_UNREACHABLE,
	    10 * UF_MS - 1), 1);
	/* the RST 5 s on is no part of a story over at 2 s */
	assert_int_equal(attempts_after(state, FIRST_LATE_RST, 2 * UF_S), 2);
}

/*
 * HOST has two addresses. The SYNs to 192.0.2.10 go at 0, 1 and 3 s;
 * the gateway's SYN to 192.0.2.11 at `other` is never answered either,
 * and the gateway answers 502 at 3.5 s: while it still retransmitted to
 * the first address, it had not given up on it, so an attempt started
 * before its last SYN is not its retry.
 */
static unsigned
concurrent_attempts(void **state, int64_t other)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side out2, web2;
	const struct txn *t;
	int64_t first;

	scene_init(&s, u);
	ask_two_addresses(&s, &out2, &web2);
	first = u->next_ts_ns;
	uf_syn(u, &s.out, &s.web);
	uf_at(u, first + 1 * UF_S);
	uf_syn(u, &s.out, &s.web);
	uf_at(u, first + other);
	uf_syn(u, &out2, &web2);
	uf_at(u, first + 3 * UF_S);
	uf_syn(u, &s.out, &s.web);
	uf_at(u, first + 3500 * UF_MS);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	return t->d.nconns;
}

/*
 * HOST has two addresses. The gateway's SYN to 192.0.2.10 is refused
 * 10 ms later; it tries 192.0.2.11 `after` that refusal, answering 502
 * 5 ms after the refusal; 192.0.2.11 refuses 1 ms after its SYN. A retry
 * started by the instant of the answer is part of the story; one
 * started after it is not.
 */
static unsigned
retry_by_answer(void **state, int64_t after)
{
	struct uf *u = again(state);
	struct scene s;
	struct uf_side out2, web2;
	int64_t refused;

	scene_init(&s, u);
	ask_two_addresses(&s, &out2, &web2);
	uf_syn(u, &s.out, &s.web);
	refused = u->next_ts_ns + 10 * UF_MS;
	uf_at(u, refused);
	uf_rst(u, &s.web, &s.out);
	if (after > 5 * UF_MS) {
		uf_at(u, refused + 5 * UF_MS);
		gateway_answers(&s, 502);
	}
	uf_at(u, refused + after);
	uf_syn(u, &out2, &web2);
	if (after <= 5 * UF_MS) {
		uf_at(u, refused + 5 * UF_MS);
		gateway_answers(&s, 502);
	}
	uf_at(u, refused + after + 1 * UF_MS);
	uf_rst(u, &web2, &out2);
	return diagnosed(&s)->d.nconns;
}

static void
test_retry_by_the_answer(void **state)
{
	assert_int_equal(retry_by_answer(state, 2 * UF_MS), 2);
	assert_int_equal(retry_by_answer(state, 5 * UF_MS), 2);
	assert_int_equal(retry_by_answer(state, 5 * UF_MS + 1), 1);
}

static void
test_concurrent_not_retry(void **state)
{
	assert_int_equal(concurrent_attempts(state, 2 * UF_S), 1);
	assert_int_equal(concurrent_attempts(state, 1500 * UF_MS), 1);
}

enum ends { UNANSWERED, REFUSED, UNREACHABLE, RETRANSMITTED, ABORTED };

/*
 * HOST's address cached (a look-up 5 s before). Three SYNs of the
 * gateway to 192.0.2.10 stay unanswered: B 0.5 ms before the request
 * (from port 50001), A 10 ms after it (port 50000), C 20 ms after it
 * (port 50002). A ends as `how` says (refused by RST or ICMP 1 ms after
 * its SYN, its SYN retransmitted 1 s after, or the gateway's own RST
 * 1 ms after: it aborted the attempt); the gateway answers 502
 * `answer_after` A's last frame. Returns the attempts linked, in order:
 * "A", "B" or "C" (never "AC": B, which no request explains, shows
 * another user of the address, so C need not be A's retry).
 */
static const char *
linked_attempt(void **state, enum ends how, int64_t answer_after)
{
	static char chain[3];
	struct uf *u = again(state);
	struct scene s;
	struct uf_side ob, oc;
	const struct txn *t;
	uint64_t a, b, c, n;
	int64_t req = T0 + 10 * UF_MS, last;

	scene_init(&s, u);
	uf_side_init(&ob, "10.0.0.1", 50001, 8000);
	uf_side_init(&oc, "10.0.0.1", 50002, 8500);
	lookup_at(&s, T0 - 5 * UF_S, HOST, 0, addr300, 1);
	uf_at(u, T0);
	uf_handshake(u, &u->cli, &u->srv);
	uf_at(u, req - 500 * 1000LL);
	b = uf_syn(u, &ob, &s.web);
	uf_at(u, req);
	uf_get(u, &u->cli, &u->srv, URL, HOST);
	uf_at(u, req + 10 * UF_MS);
	a = uf_syn(u, &s.out, &s.web);
	uf_at(u, req + 20 * UF_MS);
	c = uf_syn(u, &oc, &s.web);
	last = req + 10 * UF_MS;
	switch (how) {
	case UNANSWERED:
		break;
	case REFUSED:
		last += UF_MS;
		uf_at(u, last);
		uf_rst(u, &s.web, &s.out);
		break;
	case UNREACHABLE:
		last += UF_MS;
		uf_at(u, last);
		uf_icmp(u, "192.0.2.1", &s.out, &s.web, 3, 1);
		break;
	case RETRANSMITTED:
		break;
	case ABORTED:
		last += UF_MS;
		uf_at(u, last);
		uf_rst(u, &s.out, &s.web);
		break;
	}
	if (how == RETRANSMITTED) {
		/* the answer comes before the retransmission, which follows
		 * within the slack: the gateway had not given up */
		uf_at(u, last + answer_after);
		gateway_answers(&s, 502);
		uf_at(u, last + 1 * UF_S);
		uf_syn(u, &s.out, &s.web);
	} else {
		uf_at(u, last + answer_after);
		gateway_answers(&s, 502);
	}
	t = diagnosed(&s);
	assert_in_range(t->d.nconns, 1, 2);
	for (unsigned k = 0; k < t->d.nconns; k++) {
		n = conn_syn(&u->fl.conns[t->d.conns[k]], 0)->number;
		chain[k] = n == a ? 'A' : n == b ? 'B' : n == c ? 'C' : '?';
	}
	chain[t->d.nconns] = '\0';
	return chain;
}

/* No gateway gives up a handshake sooner than 500 ms after its SYN, less
 * the 1 ms its timer may run before the SYN is seen. */
static void
test_min_connect(void **state)
{
	assert_string_equal(linked_attempt(state, UNANSWERED, 499 * UF_MS),
	    "A");
	assert_string_equal(linked_attempt(state, UNANSWERED,
	    499 * UF_MS - 1), "B");
	assert_string_equal(linked_attempt(state, UNANSWERED, 1 * UF_S),
	    "A");
}

/* Given up when the retransmission due 1 s after the SYN never came;
 * the answer within a second of that. */
static void
test_given_up_window(void **state)
{
	assert_string_equal(linked_attempt(state, UNANSWERED, 2 * UF_S),
	    "A");
	assert_string_equal(linked_attempt(state, UNANSWERED, 2 * UF_S + 1),
	    "C");
}

/* A refusal is answered within a second; a SYN after the answer says the
 * gateway had not given up on that attempt yet. (C is no retry of A's:
 * B, which no request explains, shows another user of the address.) */
static void
test_refusal_window(void **state)
{
	assert_string_equal(linked_attempt(state, REFUSED, 1 * UF_S), "A");
	assert_string_equal(linked_attempt(state, REFUSED, 1 * UF_S + 1),
	    "C");
	assert_string_equal(linked_attempt(state, UNREACHABLE, 1 * UF_S),
	    "A");
	assert_string_equal(linked_attempt(state, UNREACHABLE,
	    1 * UF_S + 1), "C");
	assert_string_equal(linked_attempt(state, RETRANSMITTED,
	    900 * UF_MS), "C");
	/* the gateway's own RST is no refusal: the floor still holds */
	assert_string_equal(linked_attempt(state, ABORTED, 495 * UF_MS),
	    "B");
}

/*
 * HOST has three addresses; the SYNs to 192.0.2.10 go unanswered until
 * the gateway gives up (7 s); then it tries 192.0.2.11 and 192.0.2.12
 * at once. 192.0.2.12 refuses 10 ms later; 192.0.2.11 stays silent
 * until an RST 2 s after the gateway answered 502 (at 7.6 s), long
 * after the story: the refusal just before the answer is what it
 * followed, not a refusal it never saw. (`swapped`: the look-up
 * answered 192.0.2.12 before 192.0.2.11.)
 */
static void
late_refusal(void **state, bool swapped)
{
	static const struct uf_rr three[2][3] = { {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
		{ DNS_T_A, NULL, 300, "192.0.2.12" },
	}, {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
		{ DNS_T_A, NULL, 300, "192.0.2.12" },
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
	} };
	struct uf *u = again(state);
	struct scene s;
	struct uf_side o11, w11, o12, w12;
	const struct txn *t;
	uint64_t syn[3], s12;
	int64_t at;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 0, three[swapped], 3);
	at = u->next_ts_ns;
	syns_given_up(&s, syn);
	uf_side_init(&o11, "10.0.0.1", 50001, 8000);
	uf_side_init(&w11, "192.0.2.11", 80, 0);
	uf_side_init(&o12, "10.0.0.1", 50002, 8500);
	uf_side_init(&w12, "192.0.2.12", 80, 0);
	uf_at(u, at + 7 * UF_S);
	uf_syn(u, &o11, &w11);
	s12 = uf_syn(u, &o12, &w12);
	uf_at(u, at + 7 * UF_S + 10 * UF_MS);
	uf_rst(u, &w12, &o12);
	uf_at(u, at + 7600 * UF_MS);
	gateway_answers(&s, 502);
	uf_at(u, at + 9600 * UF_MS);
	uf_rst(u, &w11, &o11);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.nconns, 2);
	assert_int_equal(conn_syn(&u->fl.conns[t->d.conns[0]], 0)->number,
	    syn[0]);
	assert_int_equal(conn_syn(&u->fl.conns[t->d.conns[1]], 0)->number, s12);
}

static void
test_late_refusal_is_no_refusal(void **state)
{
	late_refusal(state, false);
	late_refusal(state, true);
}

/*
 * As above, 192.0.2.11 (port 50001) and then 192.0.2.12 (port 50002)
 * tried at once at 7 s; each refused by RST `rst11` / `rst12` after that
 * (0: never answered); the gateway answers 502 at 7.6 s. Returns the
 * last octet of the address of the attempt linked after the first.
 */
static int
next_of_two(void **state, bool swapped, int64_t rst11, int64_t rst12)
{
	static const struct uf_rr three[2][3] = { {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
		{ DNS_T_A, NULL, 300, "192.0.2.12" },
	}, {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
		{ DNS_T_A, NULL, 300, "192.0.2.12" },
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
	} };
	struct uf *u = again(state);
	struct scene s;
	struct uf_side o[2], w[2];
	const int64_t rst[2] = { rst11, rst12 };
	const struct txn *t;
	uint64_t syn[3];
	int64_t at;
	int octet;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 0, three[swapped], 3);
	at = u->next_ts_ns;
	syns_given_up(&s, syn);
	uf_side_init(&o[0], "10.0.0.1", 50001, 8000);
	uf_side_init(&w[0], "192.0.2.11", 80, 0);
	uf_side_init(&o[1], "10.0.0.1", 50002, 8500);
	uf_side_init(&w[1], "192.0.2.12", 80, 0);
	uf_at(u, at + 7 * UF_S);
	uf_syn(u, &o[0], &w[0]);
	uf_syn(u, &o[1], &w[1]);
	for (int k = 0; k < 2; k++) {
		int j = rst[0] <= rst[1] ? k : 1 - k;	/* in time order */

		if (rst[j] == 0)
			continue;
		uf_at(u, at + 7 * UF_S + rst[j]);
		uf_rst(u, &w[j], &o[j]);
	}
	uf_at(u, at + 7600 * UF_MS);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	/* (two unanswered: the later one started after the earlier's last
	 * frame, so it reads as the earlier's retry) */
	assert_int_equal(t->d.nconns, rst11 || rst12 ? 2 : 3);
	assert_int_equal(conn_syn(&u->fl.conns[t->d.conns[0]], 0)->number,
	    syn[0]);
	octet = u->fl.conns[t->d.conns[1]].saddr.a[3];
	if (t->d.nconns == 2)
		expect_verdict(t, V_CANNOT_CONNECT, rst[octet - 11] ?
		    C_TCP_RST : C_SYN_UNANSWERED);
	return octet;
}

/* Of two next attempts: one refused beats one unanswered; of two
 * refused, the one refused nearer the answer; else the earlier. */
static void
test_which_next_attempt(void **state)
{
	for (int sw = 0; sw < 2; sw++) {
		assert_int_equal(next_of_two(state, sw, 10 * UF_MS, 0), 11);
		assert_int_equal(next_of_two(state, sw, 0, 10 * UF_MS), 12);
		assert_int_equal(next_of_two(state, sw, 10 * UF_MS,
		    20 * UF_MS), 12);
		assert_int_equal(next_of_two(state, sw, 20 * UF_MS,
		    10 * UF_MS), 11);
		assert_int_equal(next_of_two(state, sw, 0, 0), 11);
	}
}

/*
 * HOST's address cached. The client asks at R and is never answered: it
 * leaves (FIN) at R + 30 s. The gateway's SYN to 192.0.2.10 at R + 1 ms
 * goes unanswered; another, from port 50001, at R + 29.5 s too. With no
 * answer nothing says when the gateway gave up: the request keeps its
 * nearest attempt, not the one whose end lies nearest its own.
 */
static void
test_unanswered_keeps_nearest(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side out2;
	const struct txn *t;
	uint64_t a;

	scene_init(&s, u);
	query(&s);
	answer(&s, 0, addr300, 1);
	ask(&s);
	uf_at(u, s.req_ts + 1 * UF_MS);
	a = uf_syn(u, &s.out, &s.web);
	uf_side_init(&out2, "10.0.0.1", 50001, 8000);
	uf_at(u, s.req_ts + 29500 * UF_MS);
	uf_syn(u, &out2, &s.web);
	uf_at(u, s.req_ts + 30 * UF_S);
	uf_fin(u, &u->cli, &u->srv);
	t = diagnosed(&s);
	assert_int_equal(t->status, 0);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(t->d.nconns, 1);
	assert_int_equal(conn_syn(&u->fl.conns[t->d.conns[0]], 0)->number, a);
}

/*
 * HOST has two addresses. The client asks and is never answered (the
 * capture ends 10 s later); the gateway's SYN to 192.0.2.10 goes
 * unanswered and 1.5 s later it tries 192.0.2.11, unanswered too: its
 * retry, which the request keeps with its first attempt.
 */
static void
test_unanswered_keeps_retry(void **state)
{
	struct uf *u = *state;
	struct scene s;
	struct uf_side out2, web2;
	const struct txn *t;
	int64_t first;

	scene_init(&s, u);
	ask_two_addresses(&s, &out2, &web2);
	first = u->next_ts_ns;
	uf_syn(u, &s.out, &s.web);
	uf_at(u, first + 1500 * UF_MS);
	uf_syn(u, &out2, &web2);
	uf_at(u, first + 10 * UF_S);
	uf_ack(u, &u->cli, &u->srv);
	t = diagnosed(&s);
	assert_int_equal(t->status, 0);
	expect_verdict(t, V_CANNOT_CONNECT, C_SYN_UNANSWERED);
	assert_int_equal(t->d.nconns, 2);
	assert_int_equal(u->fl.conns[t->d.conns[1]].saddr.a[3], 11);
}

/*
 * nginx releases the requests that waited for one look-up together, the
 * newest first (ngx_resolver.c: rn->waiting is a stack), so the oldest
 * waiter's attempt comes last. Six clients' requests (HOST cached, to
 * keep the scene short): the first, for URL, 0.1 ms before the five
 * others, for /b1../b5. 50 ms later the gateway connects for the five
 * (1 us apart, each connects and carries its URL), then for the first:
 * a router refuses that SYN (ICMP administratively prohibited), and the
 * gateway answers the first client 502 0.3 ms later, before the others'
 * replies. The five nearest attempts carried other URLs: the refused
 * one, which the answer follows, is the first request's (busy --proxies
 * 2 --dns-servers 3, seeds 11-15: 40 requests wrong before, 23 after).
 */
#define WAITERS 6

static void
test_last_of_a_burst(void **state)
{
	struct uf *u = *state;
	struct uf_side cli[WAITERS], gw[WAITERS], out[WAITERS];
	struct scene s;
	int64_t at = clients_cached(&s, u, WAITERS, cli, gw, out);
	int64_t burst = at + 50 * UF_MS;
	const struct txn *t;
	uint64_t refused;

	uf_at(u, at);
	uf_get(u, &cli[0], &gw[0], URL, HOST);
	for (int k = 1; k < WAITERS; k++) {
		char url[48];

		snprintf(url, sizeof url, "http://" HOST "/b%d", k);
		uf_at(u, at + UF_MS / 10 + k * 1000LL);
		uf_get(u, &cli[k], &gw[k], url, HOST);
	}
	for (int k = WAITERS - 1; k >= 1; k--) {
		char path[16];

		snprintf(path, sizeof path, "/b%d", k);
		uf_at(u, burst + (WAITERS - 1 - k) * 1000LL);
		uf_handshake(u, &out[k], &s.web);
		uf_get(u, &out[k], &s.web, path, HOST);
	}
	uf_at(u, burst + 10 * 1000LL);
	refused = uf_syn(u, &out[0], &s.web);
	uf_icmp(u, "10.0.0.254", &out[0], &s.web, 3, 13);
	uf_at(u, burst + 300 * 1000LL);
	uf_status(u, &gw[0], &cli[0], 502);
	for (int k = 1; k < WAITERS; k++) {
		uf_at(u, burst + 20 * UF_MS + k * UF_MS);
		uf_status(u, &s.web, &out[k], 200);
		uf_status(u, &gw[k], &cli[k], 200);
	}
	uf_diagnose(u);
	t = uf_txn(u, 1);
	assert_string_equal(uf_str(u, t->url), URL);
	expect_verdict(t, V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
	assert_int_equal(conn_syn(&u->fl.conns[t->d.conns[t->d.nconns - 1]],
	    0)->number, refused);
}

/*
 * The request waits for its own look-up, answered 3.1 s later (the
 * server slow, as nginx's resends got their answer in the busy files).
 * Meanwhile, 0.1 s after the request, the gateway tries the address for
 * someone else (another proxy's cache had it): SYNs at 0.1 and 1.1 s, no
 * answer, given up as the next one was due at 3.1 s. Once the answer
 * came, the gateway connects for the request; a router refuses (ICMP
 * administratively prohibited) and it answers 502 at once. The gateway
 * had no address for the request before the answer: the earlier SYNs
 * are no attempt of its, tried before (busy, six hosts, seeds 6 and 7:
 * 17 fewer wrong once such attempts were left out).
 */
static void
test_no_attempt_before_the_address(void **state)
{
	struct uf *u = *state;
	struct uf_side other;
	struct scene s;
	const struct txn *t;
	uint64_t refused;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	other = s.out;
	other.port = 50100;
	uf_at(u, s.req_ts + 100 * UF_MS);
	uf_syn(u, &other, &s.web);
	uf_at(u, s.req_ts + 1100 * UF_MS);
	uf_syn(u, &other, &s.web);
	uf_at(u, s.req_ts + 3100 * UF_MS);
	answer(&s, 0, addr300, 1);
	refused = uf_syn(u, &s.out, &s.web);
	uf_icmp(u, "10.0.0.254", &s.out, &s.web, 3, 13);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_CANNOT_CONNECT, C_ICMP_UNREACHABLE);
	assert_int_equal(t->d.nconns, 1);	/* no "tried before" */
	assert_int_equal(conn_syn(&u->fl.conns[t->d.conns[0]], 0)->number,
	    refused);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_initial_rto, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_backoff_doubles, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_syn_seen_twice, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_retry_after_last_frame,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_not_retry,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_retry_by_the_answer,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_min_connect, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_given_up_window, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_refusal_window, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_late_refusal_is_no_refusal,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_which_next_attempt,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_keeps_nearest,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_keeps_retry,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_last_of_a_burst,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_no_attempt_before_the_address, uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
