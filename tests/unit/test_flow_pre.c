/*
 * test_flow_pre.c: the flow builds the same model from frames whose HTTP
 * head and DNS message were parsed ahead (-j 2's reading thread,
 * src/prefetch.c) as from the same frames parsed by itself: request and
 * response heads whole or cut at every byte (short of HEAD_QUICK, past
 * it, in the middle of a line), pipelined heads in one segment, a
 * segment sent again, a head that is not HTTP, look-ups and answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_flow.h"

static const char request[] =
    "GET http://Example.COM:8080/a/long/path?with=a&query=string HTTP/1.1\r\n"
    "Host: example.com:8080\r\n"
    "User-Agent: test-agent/1.0 (a value long enough to pass 64 bytes)\r\n"
    "\r\n";
static const char response[] =
    "HTTP/1.1 502 Bad Gateway\r\n"
    "Content-Length: 5\r\n"
    "Connection: keep-alive\r\n"
    "\r\n"
    "oops!";
static const char pipelined[] =
    "GET http://other.example/ HTTP/1.1\r\nHost: other.example\r\n\r\n"
    "CONNECT secure.example:443 HTTP/1.1\r\nHost: secure.example:443\r\n\r\n";

static const struct uf_rr addr[] = {
	{ DNS_T_A, NULL, 300, "192.0.2.10" },
};

/* What a model holds, as text: every message and look-up, every field. */
static void
model_text(const struct uf *u, char *out, size_t cap)
{
	const struct flow *fl = &u->fl;
	struct flow_line line;
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < fl->nmsgs && n < cap; i++) {
		const struct http_msg *m = &fl->msgs[i];

		n += (size_t)snprintf(out + n, cap - n,
		    "msg %u dir %u valid %d complete %d start %llu head %llu "
		    "end %llu status %u form %u head %d [%s] [%s] [%s] [%s] port %u "
		    "[%s] [%s] [%s] pair %u\n", m->conn, m->dir, m->valid,
		    m->complete,
		    (unsigned long long)m->start.number,
		    (unsigned long long)m->head.number,
		    (unsigned long long)m->end.number, m->status, m->form,
		    m->head_method,
		    flow_str(fl, m->method), flow_str(fl, m->target),
		    flow_str(fl, m->host), flow_str(fl, m->authority), m->port,
		    flow_msg_line(fl, m, &line), flow_str(fl, m->error),
		    flow_str(fl, m->error_line), m->pair);
	}
	for (size_t i = 0; i < fl->ndns && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n,
		    "dns %s rcode %d answer %llu answers %u\n",
		    flow_str(fl, fl->dns[i].qname), fl->dns[i].rcode,
		    (unsigned long long)fl->dns[i].answer.number,
		    fl->dns[i].nanswers);
	assert_true(n < cap);
}

/* s's n bytes from `from`, cut after `cut` bytes (0: in one segment). */
static void
send_cut(struct uf *u, struct uf_side *from, const struct uf_side *to,
    const char *s, size_t cut)
{
	size_t n = strlen(s);

	if (cut == 0 || cut >= n) {
		uf_send_bytes(u, from, to, s, n);
		return;
	}
	uf_send_bytes(u, from, to, s, cut);
	uf_send_bytes(u, from, to, s + cut, n - cut);
}

/* The scene, with heads cut after req_cut and resp_cut bytes. */
static void
scene(struct uf *u, size_t req_cut, size_t resp_cut)
{
	struct uf_side res, dns;
	uint32_t seq;

	uf_side_init(&res, "10.0.0.1", 40053, 0);
	uf_side_init(&dns, "10.0.0.53", 53, 0);
	uf_dns_query(u, &res, &dns, 7, "example.com", DNS_T_A);
	uf_dns_answer(u, &dns, &res, 7, "example.com", DNS_T_A, 0, addr, 1);
	uf_dns_query(u, &res, &dns, 8, "nx.example", DNS_T_A);
	uf_dns_answer(u, &dns, &res, 8, "nx.example", DNS_T_A, 3, NULL, 0);
	uf_handshake(u, &u->cli, &u->srv);
	send_cut(u, &u->cli, &u->srv, request, req_cut);
	/* the request's first bytes again: a retransmission */
	seq = u->cli.seq;
	u->cli.seq -= 10;
	uf_send_bytes(u, &u->cli, &u->srv, request + strlen(request) - 10, 10);
	u->cli.seq = seq;
	send_cut(u, &u->srv, &u->cli, response, resp_cut);
	send_cut(u, &u->cli, &u->srv, pipelined, req_cut);
	uf_send(u, &u->srv, &u->cli, "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 0\r\n\r\n");
	uf_send(u, &u->srv, &u->cli, "SSH-2.0-not-http\r\n");
}

static void
model_of(bool pre, size_t req_cut, size_t resp_cut, char *out, size_t cap)
{
	void *state;
	struct uf *u;

	assert_int_equal(uf_setup(&state), 0);
	u = state;
	u->pre_parse = pre;
	scene(u, req_cut, resp_cut);
	flow_finish(&u->fl);
	model_text(u, out, cap);
	uf_teardown(&state);
}

static void
test_cut_everywhere(void **state)
{
	static char one[16384], two[16384];

	(void)state;
	model_of(false, 0, 0, one, sizeof one);
	/* the scene says what it should: not two empty models alike */
	assert_non_null(strstr(one, "status 502"));
	assert_non_null(strstr(one, "[GET] [http://Example.COM:8080/a/long/"
	    "path?with=a&query=string] [example.com:8080] [example.com] "
	    "port 8080"));
	assert_non_null(strstr(one, "[other.example] [other.example] port 80 "));
	assert_non_null(strstr(one, "[CONNECT] [secure.example:443] "
	    "[secure.example:443] [secure.example] port 443 "));
	assert_non_null(strstr(one, "dns nx.example rcode 3"));
	for (size_t cut = 0; cut < sizeof request; cut++) {
		model_of(false, cut, cut % sizeof response, one, sizeof one);
		model_of(true, cut, cut % sizeof response, two, sizeof two);
		assert_string_equal(one, two);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
