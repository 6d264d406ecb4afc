/*
 * test_flow_compact.c: flow_compact as flow.h promises it. What the keep
 * flags drop is gone, a message with its connection; the rest keeps its
 * order under new numbers (the maps say which), with every reference
 * between them (connection of a message, chains, pairs) and every string
 * (the model's and the caller's) still right; the answers of kept queries
 * stay theirs. The model then goes on as before: a kept connection's next
 * segment reaches it, a kept query still unanswered is still answered.
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

static const struct uf_rr one_a[] = { { DNS_T_A, NULL, 60, "192.0.2.1" } };
static const struct uf_rr three_a[] = {
	{ DNS_T_A, NULL, 10, "192.0.2.31" },
	{ DNS_T_A, NULL, 20, "192.0.2.32" },
	{ DNS_T_A, NULL, 30, "192.0.2.33" },
};

/* Client side k (port 41000 + k): three pipelined requests for
 * http://hK.test/N and their three answers. */
static void
exchange(struct uf *fx, struct uf_side *cli, unsigned k)
{
	char url[64], host[16];

	cli->port = (uint16_t)(41000 + k);
	snprintf(host, sizeof host, "h%u.test", k);
	uf_handshake(fx, cli, &fx->srv);
	for (unsigned n = 0; n < 3; n++) {
		snprintf(url, sizeof url, "http://%s/%u", host, n);
		uf_get(fx, cli, &fx->srv, url, host);
	}
	for (unsigned n = 0; n < 3; n++)
		uf_status(fx, &fx->srv, cli, n == 1 ? 502 : 200);
}

static void
test_compact_keeps_what_is_kept(void **state)
{
	struct uf *fx = *state;
	struct uf_side cli[3], res, dns;
	struct flow *fl = &fx->fl;
	uint8_t keep_conn[3] = { 1, 0, 1 }, keep_msg[18], keep_dns[4] =
	    { 1, 0, 1, 1 };
	strref mine, *extra[1] = { &mine };
	struct flow_maps mp;
	const struct http_msg *m;
	const struct conn *c;
	uint32_t mi;

	uf_side_init(&res, "10.0.0.1", 5353, 0);
	uf_side_init(&dns, "10.0.0.53", 53, 0);
	uf_dns_query(fx, &res, &dns, 1, "one.test", DNS_T_A);
	uf_dns_query(fx, &res, &dns, 2, "two.test", DNS_T_A);
	uf_dns_query(fx, &res, &dns, 3, "three.test", DNS_T_A);
	uf_dns_query(fx, &res, &dns, 4, "four.test", DNS_T_A);
	uf_dns_answer(fx, &dns, &res, 2, "two.test", DNS_T_A, 0, one_a, 1);
	uf_dns_answer(fx, &dns, &res, 3, "three.test", DNS_T_A, 0, three_a, 3);
	uf_dns_answer(fx, &dns, &res, 1, "one.test", DNS_T_A, 0, one_a, 1);
	for (unsigned k = 0; k < 3; k++) {
		cli[k] = fx->cli;
		exchange(fx, &cli[k], k);
	}
	assert_int_equal(fl->nmsgs, 18);
	memset(keep_msg, 1, sizeof keep_msg);
	/* conn 0 drops its second exchange: request 1 and its answer 4 */
	keep_msg[1] = keep_msg[4] = 0;
	mine = fl->msgs[13].host;	/* conn 2's: "h2.test" */
	assert_int_equal(flow_compact(fl, keep_conn, keep_msg, keep_dns,
	    extra, 1, &mp), 0);

	assert_int_equal(mp.old_nconns, 3);
	assert_int_equal(mp.old_nmsgs, 18);
	assert_int_equal(mp.old_ndns, 4);
	assert_int_equal(mp.conn[0], 0);
	assert_int_equal(mp.conn[1], NONE32);
	assert_int_equal(mp.conn[2], 1);
	assert_int_equal(mp.dns[1], NONE32);
	assert_int_equal(mp.dns[3], 2);
	assert_int_equal(fl->nconns, 2);
	assert_int_equal(fl->nmsgs, 4 + 6);
	assert_int_equal(fl->ndns, 3);
	assert_string_equal(uf_str(fx, mine), "h2.test");
	for (uint32_t old = 0; old < 18; old++) {
		uint32_t now = mp.msg[old];

		if (old == 1 || old == 4 || (old >= 6 && old < 12)) {
			assert_int_equal(now, NONE32);
			continue;
		}
		assert_true(now < fl->nmsgs);
		assert_true(now == 0 || mp.msg[old - 1] == NONE32 ||
		    mp.msg[old - 1] == now - 1);	/* order kept */
	}
	/* every kept message: its connection, its chain, its pair, its text */
	for (uint32_t k = 0; k < 2; k++) {
		unsigned host = k == 0 ? 0 : 2;
		char want[16];

		c = &fl->conns[k];
		assert_int_equal(c->cport, 41000 + host);
		snprintf(want, sizeof want, "h%u.test", host);
		for (int d = 0; d < 2; d++) {
			uint32_t n = 0, last = NONE32;

			for (mi = c->first_msg[d]; mi != NONE32;
			    mi = fl->msgs[mi].next) {
				m = &fl->msgs[mi];
				assert_int_equal(m->conn, k);
				assert_int_equal(m->dir, d);
				assert_int_equal(fl->msgs[m->pair].pair, mi);
				assert_string_equal(uf_str(fx,
				    fl->msgs[d ? m->pair : mi].host), want);
				last = mi;
				n++;
			}
			assert_int_equal(n, k == 0 ? 2 : 3);
			assert_int_equal(c->last_msg[d], last);
		}
	}
	m = &fl->msgs[fl->conns[0].first_msg[0]];
	assert_string_equal(uf_str(fx, fl->msgs[m->next].target),
	    "http://h0.test/2");
	assert_int_equal(fl->msgs[fl->msgs[m->next].pair].status, 200);
	assert_string_equal(uf_str(fx, fl->msgs[fl->msgs[
	    fl->conns[1].first_msg[0]].next].target), "http://h2.test/1");
	assert_string_equal(uf_line(fx, &fl->msgs[fl->msgs[
	    fl->conns[1].first_msg[1]].next]), "HTTP/1.1 502 Bad Gateway");
	/* the kept queries and their own answers */
	assert_string_equal(uf_str(fx, fl->dns[0].qname), "one.test");
	assert_int_equal(fl->dns[0].nanswers, 1);
	assert_int_equal(fl->dns_answers[fl->dns[0].first_answer].addr.a[3], 1);
	assert_string_equal(uf_str(fx, fl->dns[1].qname), "three.test");
	assert_int_equal(fl->dns[1].nanswers, 3);
	for (uint32_t i = 0; i < 3; i++) {
		const struct dns_answer *a =
		    &fl->dns_answers[fl->dns[1].first_answer + i];

		assert_int_equal(a->ttl, 10 * (i + 1));
		assert_int_equal(a->addr.a[3], 31 + i);
		assert_string_equal(uf_str(fx, a->name), "three.test");
	}
	assert_int_equal(fl->nanswers, 4);
	assert_int_equal(fl->dns[2].rcode, -1);
	flow_maps_free(&mp);

	/* the model goes on: conn 2 (now 1) gets a fourth exchange, the
	 * query still waiting gets its answer, conn 1's tuple is new */
	uf_get(fx, &cli[2], &fx->srv, "http://h2.test/3", "h2.test");
	assert_int_equal(fl->nconns, 2);
	assert_int_equal(fl->conns[1].nmsg[0], 4);
	assert_int_equal(fl->msgs[fl->conns[1].last_msg[0]].conn, 1);
	uf_status(fx, &fx->srv, &cli[2], 504);
	assert_int_equal(fl->msgs[fl->conns[1].last_msg[1]].status, 504);
	assert_int_equal(fl->msgs[fl->conns[1].last_msg[1]].pair,
	    fl->conns[1].last_msg[0]);
	uf_dns_answer(fx, &dns, &res, 4, "four.test", DNS_T_A, 0, three_a, 3);
	assert_int_equal(fl->dns[2].rcode, 0);
	assert_int_equal(fl->dns[2].nanswers, 3);
	assert_int_equal(fl->dns[2].answer.number, fx->frame);
	uf_get(fx, &cli[1], &fx->srv, "http://h1.test/9", "h1.test");
	assert_int_equal(fl->nconns, 3);
}

/* Nothing kept: an empty model that still works. */
static void
test_compact_everything_forgotten(void **state)
{
	struct uf *fx = *state;
	struct flow *fl = &fx->fl;
	uint8_t keep_conn[1] = { 0 }, keep_msg[6] = { 1, 1, 1, 1, 1, 1 },
	    keep_dns[1] = { 0 };
	struct uf_side res, dns;
	struct flow_maps mp;
	strref *none[1];

	uf_side_init(&res, "10.0.0.1", 5353, 0);
	uf_side_init(&dns, "10.0.0.53", 53, 0);
	uf_dns_query(fx, &res, &dns, 9, "gone.test", DNS_T_A);
	exchange(fx, &fx->cli, 0);
	assert_int_equal(flow_compact(fl, keep_conn, keep_msg, keep_dns, none,
	    0, &mp), 0);
	assert_int_equal(fl->nconns, 0);
	assert_int_equal(fl->nmsgs, 0);
	assert_int_equal(fl->ndns, 0);
	assert_int_equal(fl->nanswers, 0);
	assert_int_equal(mp.msg[5], NONE32);
	flow_maps_free(&mp);
	assert_null(mp.conn);
	assert_null(mp.msg);
	assert_null(mp.dns);
	assert_int_equal(mp.old_nmsgs, 0);
	flow_maps_free(&mp);	/* empty: harmless */
	/* the forgotten query's answer matches nothing now */
	uf_dns_answer(fx, &dns, &res, 9, "gone.test", DNS_T_A, 0, one_a, 1);
	assert_int_equal(fl->ndns, 0);
	exchange(fx, &fx->cli, 1);
	assert_int_equal(fl->nconns, 1);
	assert_int_equal(fl->nmsgs, 6);
}

/*
 * The pool is compacted only once as many string refs died as live: a
 * compaction dropping a quarter of the messages leaves the pool as it
 * was (every ref still right, the caller's too), the next, after which
 * most have died, shrinks it, and every kept string is still its own;
 * counting starts again there: dropping a third afterwards leaves it.
 */
static void
test_compact_strings_when_half_dead(void **state)
{
	struct uf *fx = *state;
	struct flow *fl = &fx->fl;
	struct uf_side cli[4];
	uint8_t keep_conn[4] = { 0, 1, 1, 1 }, keep_msg[24];
	strref mine, *extra[1] = { &mine };
	struct flow_maps mp;
	size_t full;

	for (unsigned k = 0; k < 4; k++) {
		cli[k] = fx->cli;
		exchange(fx, &cli[k], k);
	}
	memset(keep_msg, 1, sizeof keep_msg);
	mine = fl->msgs[18].host;	/* conn 3's: "h3.test" */
	full = fl->strings.len;
	assert_int_equal(flow_compact(fl, keep_conn, keep_msg, keep_conn,
	    extra, 1, &mp), 0);
	flow_maps_free(&mp);
	assert_int_equal(fl->nmsgs, 18);
	assert_int_equal(fl->strings.len, full);
	assert_string_equal(uf_str(fx, mine), "h3.test");
	assert_string_equal(uf_str(fx, fl->msgs[0].host), "h1.test");

	keep_conn[0] = keep_conn[1] = 0;
	keep_conn[2] = 1;
	memset(keep_msg, 1, sizeof keep_msg);
	assert_int_equal(flow_compact(fl, keep_conn, keep_msg, keep_conn,
	    extra, 1, &mp), 0);
	flow_maps_free(&mp);
	assert_int_equal(fl->nconns, 1);
	assert_int_equal(fl->nmsgs, 6);
	assert_true(fl->strings.len < full / 2);
	assert_string_equal(uf_str(fx, mine), "h3.test");
	for (uint32_t i = 0; i < 6; i++) {
		char want[32];

		if (fl->msgs[i].dir == 0) {
			assert_string_equal(uf_str(fx, fl->msgs[i].host),
			    "h3.test");
			snprintf(want, sizeof want, "http://h3.test/%u", i);
			assert_string_equal(uf_str(fx, fl->msgs[i].target),
			    want);
		}
	}

	for (unsigned k = 4; k < 6; k++) {
		struct uf_side more = fx->cli;

		exchange(fx, &more, k);
	}
	assert_int_equal(fl->nconns, 3);
	full = fl->strings.len;
	memset(keep_conn, 1, sizeof keep_conn);
	memset(keep_msg, 1, sizeof keep_msg);
	keep_conn[1] = 0;
	assert_int_equal(flow_compact(fl, keep_conn, keep_msg, keep_conn,
	    extra, 1, &mp), 0);
	flow_maps_free(&mp);
	assert_int_equal(fl->nmsgs, 12);
	assert_int_equal(fl->strings.len, full);
	assert_string_equal(uf_str(fx, mine), "h3.test");
}

/*
 * ICMP errors are kept apart (flow.icmps, in the order they came): a
 * compaction keeps the kept connections' and points each at its own, the
 * order of arrival not the connections' (conn 2's came first), and a
 * connection with none has none after.
 */
static void
test_compact_icmp_errors(void **state)
{
	struct uf *fx = *state;
	struct flow *fl = &fx->fl;
	struct uf_side cli[4];
	uint8_t keep_conn[4] = { 1, 0, 1, 1 }, keep_msg[1] = { 0 };
	uint64_t err2, err0, err0b;
	struct flow_maps mp;

	for (unsigned k = 0; k < 4; k++) {
		cli[k] = fx->cli;
		cli[k].port = (uint16_t)(42000 + k);
		uf_syn(fx, &cli[k], &fx->srv);
	}
	err2 = uf_icmp(fx, "10.0.0.252", &cli[2], &fx->srv, 3, 10);
	err0 = uf_icmp(fx, "10.0.0.250", &cli[0], &fx->srv, 3, 13);
	(void)uf_icmp(fx, "10.0.0.251", &cli[1], &fx->srv, 3, 1);
	err0b = uf_icmp(fx, "10.0.0.250", &cli[0], &fx->srv, 3, 13);
	assert_int_equal(fl->nicmps, 3);
	assert_int_equal(flow_compact(fl, keep_conn, keep_msg, keep_conn,
	    NULL, 0, &mp), 0);
	flow_maps_free(&mp);
	assert_int_equal(fl->nconns, 3);	/* 0, 2, 3 */
	assert_int_equal(fl->nicmps, 2);
	assert_int_equal(conn_icmp(fl, &fl->conns[0])->first.number, err0);
	assert_int_equal(conn_icmp(fl, &fl->conns[0])->last.number, err0b);
	assert_int_equal(conn_icmp(fl, &fl->conns[0])->code, 13);
	assert_int_equal(conn_icmp(fl, &fl->conns[0])->conn, 0);
	assert_int_equal(conn_icmp(fl, &fl->conns[1])->first.number, err2);
	assert_int_equal(conn_icmp(fl, &fl->conns[1])->code, 10);
	assert_int_equal(conn_icmp(fl, &fl->conns[1])->conn, 1);
	assert_int_equal(fl->conns[2].icmp, NONE32);
	/* the model goes on: a new error for a kept connection is its */
	err2 = uf_icmp(fx, "10.0.0.252", &cli[2], &fx->srv, 3, 10);
	assert_int_equal(fl->nicmps, 2);
	assert_int_equal(conn_icmp(fl, &fl->conns[1])->last.number, err2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_compact_keeps_what_is_kept,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_compact_everything_forgotten, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_compact_strings_when_half_dead, uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_compact_icmp_errors,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
