/*
 * test_dnslog.c: DNS answers find their query by id, ports, client and
 * name (issue 13, F3): queries that share an id and a port are told apart
 * by their name whatever the order of the answers, answers that match
 * nothing match nothing, and the table grows past its first buckets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flow_fixture.h"

/*
 * One DNS message over UDP between 10.0.0.1:40000 and 10.0.0.53:53: id,
 * the name asked (NULL: no question), an answer (one A record) or not.
 */
static void
dns(struct fixture *fx, uint16_t id, const char *name, bool answer)
{
	uint8_t m[300];
	size_t n = 12;
	struct frame f = { .number = ++fx->frame };
	struct pkt p;
	struct gw_addr gw, srv;

	memset(m, 0, sizeof m);
	m[0] = (uint8_t)(id >> 8);
	m[1] = (uint8_t)id;
	m[2] = answer ? 0x81 : 0x01;
	m[3] = answer ? 0x80 : 0;
	if (name != NULL) {
		m[5] = 1;
		for (const char *s = name; *s;) {
			size_t l = strcspn(s, ".");

			m[n++] = (uint8_t)l;
			memcpy(m + n, s, l);
			n += l;
			s += l + (s[l] == '.');
		}
		m[n++] = 0;
		memcpy(m + n, "\0\1\0\1", 4);
		n += 4;
	}
	if (answer && name != NULL) {
		static const uint8_t rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60,
		    0, 4, 192, 0, 2, 1 };

		m[7] = 1;
		memcpy(m + n, rr, sizeof rr);
		n += sizeof rr;
	}
	addr_parse("10.0.0.1", &gw);
	addr_parse("10.0.0.53", &srv);
	memset(&p, 0, sizeof p);
	f.ts_ns = (int64_t)f.number * 1000000;
	p.ipver = 4;
	p.l4 = L4_UDP;
	p.src = answer ? srv : gw;
	p.dst = answer ? gw : srv;
	p.sport = answer ? 53 : 40000;
	p.dport = answer ? 40000 : 53;
	p.payload = m;
	p.payload_len = p.payload_wire_len = (uint32_t)n;
	flow_feed(&fx->fl, &f, &p);
}

static void
test_same_id_told_apart_by_name(void **state)
{
	struct fixture *fx = *state;
	char name[32];

	for (int i = 0; i < 5000; i++) {	/* past the first 4096 buckets */
		snprintf(name, sizeof name, "q%d.test", i);
		dns(fx, 0x4242, name, false);
	}
	assert_int_equal(fx->fl.ndns, 5000);
	/* oldest first: each answer finds its own query */
	for (int i = 0; i < 5000; i += 7) {
		snprintf(name, sizeof name, "Q%d.TEST", i);	/* any case */
		dns(fx, 0x4242, name, true);
	}
	for (int i = 0; i < 5000; i++) {
		const struct dns_query *q = &fx->fl.dns[i];

		assert_int_equal(q->rcode, i % 7 == 0 ? 0 : -1);
		if (i % 7 == 0) {
			assert_int_equal(q->nanswers, 1);
			assert_int_equal(q->answer.number, 5000 + i / 7 + 1);
		}
	}
}

static void
test_junk_answers_match_nothing(void **state)
{
	struct fixture *fx = *state;

	dns(fx, 7, "a.test", false);
	dns(fx, 7, "b.test", true);	/* same id, another name */
	dns(fx, 8, "a.test", true);	/* same name, another id */
	dns(fx, 7, NULL, true);		/* no question: a named query stays */
	assert_int_equal(fx->fl.dns[0].rcode, -1);
	dns(fx, 7, "a.test", true);
	assert_int_equal(fx->fl.dns[0].rcode, 0);
	assert_int_equal(fx->fl.dns[0].answer.number, 5);
	/* answered once: a second answer finds nothing */
	dns(fx, 7, "a.test", true);
	assert_int_equal(fx->fl.dns[0].answer.number, 5);
	/* a query without a question is answered by an answer without one */
	dns(fx, 9, NULL, false);
	dns(fx, 9, NULL, true);
	assert_int_equal(fx->fl.ndns, 2);
	assert_int_equal(fx->fl.dns[1].answer.number, 8);
}

static void
test_repeated_query_newest_answered(void **state)
{
	struct fixture *fx = *state;

	dns(fx, 5, "r.test", false);
	dns(fx, 5, "r.test", false);	/* retransmitted */
	dns(fx, 5, "r.test", true);
	assert_int_equal(fx->fl.dns[1].answer.number, 3);
	assert_int_equal(fx->fl.dns[0].rcode, -1);
	dns(fx, 5, "r.test", true);
	assert_int_equal(fx->fl.dns[0].answer.number, 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_id_told_apart_by_name,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_junk_answers_match_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_repeated_query_newest_answered, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
