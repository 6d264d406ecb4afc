/*
 * test_flow_compact_live.c: flow_compact in the middle of things (flow.h:
 * the caller keeps what stream_msg_refs names). A kept connection whose
 * answer's body is still coming, with a pipelined request not answered
 * yet, goes on after the compaction as if nothing happened: the body ends
 * its own answer, the next answer pairs with the next request; an invalid
 * answer keeps its error and offending line, a CNAME answer its target;
 * a forgotten connection's tuple is new afterwards; compacting away
 * everything leaves an empty model that works.
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

static const struct uf_rr cname[] = {
	{ DNS_T_CNAME, NULL, 60, "real.cdn.test" },
	{ DNS_T_A, "real.cdn.test", 30, "192.0.2.9" },
};

static void
test_compact_mid_stream(void **state)
{
	struct uf *fx = *state;
	struct flow *fl = &fx->fl;
	struct uf_side gone = fx->cli, live = fx->cli, bad = fx->cli, res, dns;
	/* the server's end of each connection, with its own sequence */
	struct uf_side s_gone = fx->srv, s_live = fx->srv, s_bad = fx->srv;
	uint8_t keep_conn[3] = { 0, 1, 1 }, keep_msg[16], keep_dns[2] = { 0, 1 };
	strref *none[1];	/* no strings of the caller's */
	uint32_t refs[3];
	struct flow_maps mp;
	const struct conn *c;
	const struct http_msg *m;
	uint64_t end;
	size_t n;

	gone.port = 40001;
	live.port = 40002;
	bad.port = 40003;
	uf_side_init(&res, "10.0.0.1", 5353, 0);
	uf_side_init(&dns, "10.0.0.53", 53, 0);
	uf_dns_query(fx, &res, &dns, 1, "old.test", DNS_T_A);
	uf_dns_query(fx, &res, &dns, 2, "www.cname.test", DNS_T_A);
	uf_dns_answer(fx, &dns, &res, 2, "www.cname.test", DNS_T_A, 0, cname,
	    2);
	uf_handshake(fx, &gone, &s_gone);
	uf_get(fx, &gone, &s_gone, "http://gone.test/", "gone.test");
	uf_status(fx, &s_gone, &gone, 200);
	uf_handshake(fx, &live, &s_live);
	uf_get(fx, &live, &s_live, "http://live.test/1", "live.test");
	uf_get(fx, &live, &s_live, "http://live.test/2", "live.test");
	uf_send(fx, &s_live, &live,
	    "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234");
	uf_handshake(fx, &bad, &s_bad);
	uf_get(fx, &bad, &s_bad, "http://bad.test/", "bad.test");
	uf_send(fx, &s_bad, &bad,
	    "HTTP/1.1 200 OK\r\nGood: yes\r\nBad header\r\n\r\n");
	assert_int_equal(fl->nmsgs, 7);
	assert_false(fl->msgs[6].valid);
	assert_int_equal(fl->msgs[4].conn, 1);
	assert_false(fl->msgs[4].complete);

	/* keep what the parser still refers to, and the live exchanges */
	memset(keep_msg, 1, sizeof keep_msg);
	n = stream_msg_refs(&fl->conns[1], refs);
	for (size_t i = 0; i < n; i++)
		keep_msg[refs[i]] = 1;
	assert_int_equal(flow_compact(fl, keep_conn, keep_msg, keep_dns, none,
	    0, &mp), 0);
	assert_int_equal(fl->nconns, 2);
	assert_int_equal(fl->nmsgs, 5);
	assert_int_equal(fl->ndns, 1);
	assert_int_equal(mp.msg[0], NONE32);
	assert_int_equal(mp.msg[1], NONE32);
	assert_int_equal(mp.msg[2], 0);
	flow_maps_free(&mp);
	flow_maps_free(&mp);	/* harmless again */
	assert_null(mp.conn);

	/* the CNAME answer's target and the invalid answer's texts */
	assert_string_equal(uf_str(fx, fl->dns[0].qname), "www.cname.test");
	assert_int_equal(fl->dns[0].nanswers, 2);
	assert_string_equal(uf_str(fx,
	    fl->dns_answers[fl->dns[0].first_answer].target), "real.cdn.test");
	assert_string_equal(uf_str(fx,
	    fl->dns_answers[fl->dns[0].first_answer + 1].name),
	    "real.cdn.test");
	m = &fl->msgs[fl->conns[1].first_msg[1]];
	assert_false(m->valid);
	assert_string_equal(uf_str(fx, m->error_line), "Bad header");
	assert_string_equal(uf_line(fx, m), "HTTP/1.1 200 OK");
	assert_true(strlen(uf_str(fx, m->error)) > 0);
	assert_string_equal(uf_str(fx, fl->msgs[m->pair].target),
	    "http://bad.test/");

	/* the live connection goes on: its body ends its first answer, the
	 * next answer pairs with its second request */
	end = uf_send(fx, &s_live, &live, "56789");
	c = &fl->conns[0];
	assert_int_equal(c->cport, 40002);
	m = &fl->msgs[c->first_msg[1]];
	assert_true(m->complete);
	assert_int_equal(m->end.number, end);
	assert_string_equal(uf_str(fx, fl->msgs[m->pair].target),
	    "http://live.test/1");
	uf_status(fx, &s_live, &live, 502);
	m = &fl->msgs[c->last_msg[1]];
	assert_int_equal(m->status, 502);
	assert_int_equal(m->conn, 0);
	assert_string_equal(uf_str(fx, fl->msgs[m->pair].target),
	    "http://live.test/2");
	assert_int_equal(fl->msgs[m->pair].pair, c->last_msg[1]);

	/* the forgotten connection's tuple: something new */
	uf_get(fx, &gone, &s_gone, "http://gone.test/again", "gone.test");
	assert_int_equal(fl->nconns, 3);
	assert_int_equal(fl->conns[2].cport, 40001);
	assert_false(fl->conns[2].syn_seen);
	/* the query forgotten is not answered any more; a new one is */
	uf_dns_answer(fx, &dns, &res, 1, "old.test", DNS_T_A, 0, cname + 1,
	    1);
	assert_int_equal(fl->ndns, 1);
	uf_dns_query(fx, &res, &dns, 3, "new.test", DNS_T_A);
	uf_dns_answer(fx, &dns, &res, 3, "new.test", DNS_T_A, 0, cname + 1,
	    1);
	assert_int_equal(fl->dns[1].rcode, 0);
	assert_int_equal(fl->nanswers, 3);
}

/* Nothing kept: an empty model that goes on. */
static void
test_compact_everything_away(void **state)
{
	struct uf *fx = *state;
	struct flow *fl = &fx->fl;
	uint8_t keep_conn[1] = { 0 }, keep_msg[2] = { 1, 1 }, keep_dns[1];
	strref *none[1];
	struct flow_maps mp;

	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_get(fx, &fx->cli, &fx->srv, "http://x.test/", "x.test");
	uf_status(fx, &fx->srv, &fx->cli, 200);
	assert_int_equal(flow_compact(fl, keep_conn, keep_msg, keep_dns, none,
	    0, &mp), 0);
	assert_int_equal(fl->nconns, 0);
	assert_int_equal(fl->nmsgs, 0);
	assert_int_equal(mp.msg[0], NONE32);
	assert_int_equal(mp.msg[1], NONE32);
	flow_maps_free(&mp);
	fx->cli.port = 40100;
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_get(fx, &fx->cli, &fx->srv, "http://y.test/", "y.test");
	assert_int_equal(fl->nconns, 1);
	assert_int_equal(fl->nmsgs, 1);
	assert_string_equal(uf_str(fx, fl->msgs[0].host), "y.test");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_compact_mid_stream,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_compact_everything_away,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
