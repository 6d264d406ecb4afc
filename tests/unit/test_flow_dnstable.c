/*
 * test_flow_dnstable.c: the DNS log's table of unanswered queries
 * (dnslog.c) as it grows and ages. However many queries wait (more than
 * the table's first 4096 buckets, so it grows twice), each answer finds
 * its own, in any order; an answered query leaves the table, so the same
 * answer sent again (a duplicate) changes nothing, also after the table
 * grew; an answer a minute after its query still counts, one a
 * nanosecond later does not (the client gave up long before).
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

static const struct uf_rr one_a[] = { { DNS_T_A, NULL, 30, "192.0.2.1" } };

/* Query i: its own port, id and name. */
static void
query_i(struct uf *fx, unsigned i, bool answer, uint64_t *frame)
{
	struct uf_side res = fx->cli;
	char name[32];

	res.port = (uint16_t)(10000 + i % 50000);
	snprintf(name, sizeof name, "h%u.many.test", i);
	if (answer)
		*frame = uf_dns_answer(fx, &fx->srv, &res, (uint16_t)i, name,
		    DNS_T_A, 0, one_a, 1);
	else
		*frame = uf_dns_query(fx, &res, &fx->srv, (uint16_t)i, name,
		    DNS_T_A);
}

static void
test_many_waiting_queries(void **state)
{
	struct uf *fx = *state;
	enum { FIRST = 2000, ALL = 9000 };
	static uint64_t asked[ALL], answered[ALL];
	uint64_t again;

	for (unsigned i = 0; i < FIRST; i++)
		query_i(fx, i, false, &asked[i]);
	for (unsigned i = 0; i < FIRST; i++)
		query_i(fx, i, true, &answered[i]);
	/* more queries than buckets: the table grows (twice) */
	for (unsigned i = FIRST; i < ALL; i++)
		query_i(fx, i, false, &asked[i]);
	assert_int_equal(fx->fl.ndns, ALL);
	/* the first ones answered again: duplicates, nothing changes */
	for (unsigned i = 0; i < FIRST; i++)
		query_i(fx, i, true, &again);
	for (unsigned i = ALL; i-- > FIRST;)
		query_i(fx, i, true, &answered[i]);
	for (unsigned i = 0; i < ALL; i++) {
		const struct dns_query *q = &fx->fl.dns[i];

		assert_int_equal(q->query.number, asked[i]);
		assert_int_equal(q->answer.number, answered[i]);
		assert_int_equal(q->rcode, 0);
		assert_int_equal(q->nanswers, 1);
		assert_int_equal(q->id, (uint16_t)i);
		assert_int_equal(q->cport, 10000 + i % 50000);
		assert_int_equal(
		    fx->fl.dns_answers[q->first_answer].addr.a[3], 1);
	}
	assert_int_equal(fx->fl.nanswers, ALL);
	assert_int_equal(fx->fl.stats.dns, ALL * 2 + FIRST);
	assert_int_equal(fx->fl.stats.dns_dropped, 0);
}

/* An answer exactly a minute after its query, and one a nanosecond
 * later than that. */
static void
test_wait_boundary(void **state)
{
	struct uf *fx = *state;
	int64_t t0 = 5 * UF_S;

	uf_at(fx, t0);
	uf_dns_query(fx, &fx->cli, &fx->srv, 7, "late.test", DNS_T_A);
	uf_at(fx, t0 + 1);
	uf_dns_query(fx, &fx->cli, &fx->srv, 8, "later.test", DNS_T_A);
	uf_at(fx, t0 + 60 * UF_S);
	uf_dns_answer(fx, &fx->srv, &fx->cli, 7, "late.test", DNS_T_A, 0,
	    one_a, 1);
	uf_at(fx, t0 + 1 + 60 * UF_S + 1);
	uf_dns_answer(fx, &fx->srv, &fx->cli, 8, "later.test", DNS_T_A, 0,
	    one_a, 1);
	assert_int_equal(fx->fl.dns[0].rcode, 0);
	assert_int_equal(fx->fl.dns[0].answer.number, 3);
	assert_int_equal(fx->fl.dns[1].rcode, -1);
	assert_int_equal(fx->fl.dns[1].answer.number, 0);
	assert_int_equal(fx->fl.dns[1].first_answer, NONE32);
	assert_int_equal(fx->fl.nanswers, 1);
	/* the stale one asked again is answered in time */
	uf_dns_query(fx, &fx->cli, &fx->srv, 8, "later.test", DNS_T_A);
	uf_dns_answer(fx, &fx->srv, &fx->cli, 8, "later.test", DNS_T_A, 0,
	    one_a, 1);
	assert_int_equal(fx->fl.dns[2].rcode, 0);
	assert_int_equal(fx->fl.dns[1].rcode, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_many_waiting_queries,
		    uf_setup_dns, uf_teardown),
		cmocka_unit_test_setup_teardown(test_wait_boundary, uf_setup_dns,
		    uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
