/*
 * test_flow_dns.c: the DNS log as RFC 1035 and the resolvers use it. An
 * answer belongs to the query with its id, both ports, the client's
 * address and the question (names compare without case, RFC 4343), and
 * only while the client still waits; the records keep their TTLs and
 * order, a negative answer its SOA's caching time (RFC 2308). The log's
 * limits drop and count. UDP datagrams cut into IP fragments (EDNS0
 * answers, long queries) are put back whichever way they travel, and an
 * IP id used again later is a new datagram. A socket that asks for name
 * after name is a proxy's own resolver's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_ip4.h"
#include "unit_flow.h"

static const struct uf_rr two_a[] = {
	{ DNS_T_A, NULL, 300, "192.0.2.7" },
	{ DNS_T_A, NULL, 5, "192.0.2.8" },
};

/* Answers that differ from the query in one thing each match nothing;
 * the one that agrees in all (the name in other case) does. */
static void
test_answer_matches_whole_key(void **state)
{
	struct uf *fx = *state;
	struct uf_side other_port = fx->cli, other_client = fx->cli,
	    other_server = fx->srv;
	const struct dns_query *q;
	uint64_t ans;

	other_port.port = 40001;
	other_client.addr.a[3] = 2;
	other_server.port = 5353;
	uf_dns_query(fx, &fx->cli, &fx->srv, 0x1234, "www.ex.test", DNS_T_A);
	uf_dns_answer(fx, &fx->srv, &fx->cli, 0x1235, "www.ex.test", DNS_T_A,
	    0, two_a, 2);
	uf_dns_answer(fx, &fx->srv, &other_port, 0x1234, "www.ex.test",
	    DNS_T_A, 0, two_a, 2);
	uf_dns_answer(fx, &fx->srv, &other_client, 0x1234, "www.ex.test",
	    DNS_T_A, 0, two_a, 2);
	uf_dns_answer(fx, &other_server, &fx->cli, 0x1234, "www.ex.test",
	    DNS_T_A, 0, two_a, 2);
	uf_dns_answer(fx, &fx->srv, &fx->cli, 0x1234, "www.ex.tes", DNS_T_A,
	    0, two_a, 2);
	q = &fx->fl.dns[0];
	assert_int_equal(q->rcode, -1);
	assert_int_equal(fx->fl.nanswers, 0);
	ans = uf_dns_answer(fx, &fx->srv, &fx->cli, 0x1234, "WWW.Ex.TEST",
	    DNS_T_A, 0, two_a, 2);
	q = &fx->fl.dns[0];
	assert_int_equal(q->answer.number, ans);
	assert_int_equal(q->rcode, 0);
	assert_int_equal(q->cport, 40000);
	assert_int_equal(q->sport, 53);
	assert_true(addr_eq(&q->client, &fx->cli.addr));
	assert_true(addr_eq(&q->server, &fx->srv.addr));
	assert_int_equal(q->id, 0x1234);
	assert_int_equal(q->qtype, DNS_T_A);
	assert_int_equal(q->nanswers, 2);
	assert_int_equal(fx->fl.dns_answers[q->first_answer].ttl, 300);
	assert_int_equal(fx->fl.dns_answers[q->first_answer + 1].ttl, 5);
	assert_int_equal(fx->fl.dns_answers[q->first_answer + 1].addr.a[3], 8);
	/* answered: the same answer again finds nothing more */
	uf_dns_answer(fx, &fx->srv, &fx->cli, 0x1234, "www.ex.test", DNS_T_A,
	    0, two_a, 2);
	assert_int_equal(fx->fl.nanswers, 2);
	assert_int_equal(fx->fl.dns[0].answer.number, ans);
}

/* A resolver gives up after seconds (glibc: 5 s, a few tries); an answer
 * more than a minute late is not the answer to that query any more. An
 * NXDOMAIN with an SOA may be cached for min(TTL, minimum). */
static void
test_late_answer_and_negative_ttl(void **state)
{
	struct uf *fx = *state;
	struct uf_soa soa = { "ex.test", 900, 120 };
	struct uf_dns nx = { .id = 2, .qtype = DNS_T_A, .qname = "no.ex.test",
	    .response = true, .rcode = 3, .soa = &soa };

	uf_dns_query(fx, &fx->cli, &fx->srv, 1, "late.ex.test", DNS_T_A);
	uf_dns_query(fx, &fx->cli, &fx->srv, 2, "no.ex.test", DNS_T_A);
	uf_wait(fx, 59 * UF_S);
	uf_dns_udp(fx, &fx->srv, &fx->cli, &nx);
	uf_wait(fx, 2 * UF_S);
	uf_dns_answer(fx, &fx->srv, &fx->cli, 1, "late.ex.test", DNS_T_A, 0,
	    two_a, 2);
	assert_int_equal(fx->fl.dns[0].rcode, -1);
	assert_int_equal(fx->fl.dns[1].rcode, 3);
	assert_int_equal(fx->fl.dns[1].neg_ttl, 120);
	assert_int_equal(fx->fl.dns[1].nanswers, 0);
}

/* The log's limits: queries past max_dns, and records past four per
 * query allowed, are dropped and counted; what is kept stays whole. */
static void
test_limits_count_drops(void **state)
{
	struct uf *fx = *state;
	struct uf_rr rrs[9];
	char addr[9][24];

	fx->fl.limits.max_dns = 2;
	for (int i = 0; i < 9; i++) {
		snprintf(addr[i], sizeof addr[i], "192.0.2.%d", 10 + i);
		rrs[i] = (struct uf_rr){ DNS_T_A, NULL, (uint32_t)(60 + i),
		    addr[i] };
	}
	uf_dns_query(fx, &fx->cli, &fx->srv, 1, "a.ex.test", DNS_T_A);
	uf_dns_query(fx, &fx->cli, &fx->srv, 2, "b.ex.test", DNS_T_A);
	uf_dns_query(fx, &fx->cli, &fx->srv, 3, "c.ex.test", DNS_T_A);
	assert_int_equal(fx->fl.ndns, 2);
	assert_int_equal(fx->fl.stats.dns_dropped, 1);
	uf_dns_answer(fx, &fx->srv, &fx->cli, 2, "b.ex.test", DNS_T_A, 0,
	    rrs, 9);
	assert_int_equal(fx->fl.dns[1].rcode, 0);
	assert_int_equal(fx->fl.dns[1].nanswers, 8);
	assert_int_equal(fx->fl.stats.dns_dropped, 2);
	for (uint32_t i = 0; i < 8; i++) {
		const struct dns_answer *a = &fx->fl.dns_answers[
		    fx->fl.dns[1].first_answer + i];

		assert_int_equal(a->ttl, 60 + i);
		assert_int_equal(a->addr.a[3], 10 + i);
		assert_string_equal(uf_str(fx, a->name), "b.ex.test");
	}
}

/* The UDP datagram at udp (n bytes) from `from` to `to` (IPv4) in IP
 * fragments: the first `first` bytes (a multiple of 8), then the rest;
 * rest_first: the second fragment travels first. */
static void
feed_fragmented(struct uf *fx, const struct uf_side *from,
    const struct uf_side *to, uint16_t ipid, const uint8_t *udp, size_t n,
    size_t first, bool rest_first)
{
	uint8_t pkt[700];
	size_t len;

	for (int k = 0; k < 2; k++) {
		if ((k == 0) != rest_first)
			len = unit_ip4(pkt, 17, from->addr.a, to->addr.a, ipid,
			    0x2000, udp, first);
		else
			len = unit_ip4(pkt, 17, from->addr.a, to->addr.a, ipid,
			    (unsigned)(first / 8), udp + first, n - first);
		uf_feed_raw(fx, pkt, len);
	}
}

static size_t
dns_datagram(uint8_t *out, size_t cap, const struct uf_side *from,
    const struct uf_side *to, const struct uf_dns *m)
{
	return uf_udp_wrap(out, from->port, to->port,
	    uf_dns_wire(out + 8, cap - 8, m));
}

/*
 * A query too long for the path (a long name) cut in two, both ways
 * round, and its answer cut in two: each is put back and logged, the
 * query with the resolver's and the server's port.
 */
static void
test_fragmented_query_and_answer(void **state)
{
	struct uf *fx = *state;
	static const char name[] = "a-rather-long-label-for-a-query.ex.test";
	struct uf_dns q = { .id = 0x77, .qtype = DNS_T_AAAA, .qname = name };
	struct uf_dns a = q;
	static const struct uf_rr rr[] = {
		{ DNS_T_AAAA, NULL, 30, "2001:db8::1" },
	};
	uint8_t udp[600];
	size_t n;

	a.response = true;
	a.rrs = rr;
	a.nrrs = 1;
	for (int round = 0; round < 2; round++) {
		q.id = a.id = (uint16_t)(0x77 + round);
		n = dns_datagram(udp, sizeof udp, &fx->cli, &fx->srv, &q);
		feed_fragmented(fx, &fx->cli, &fx->srv, (uint16_t)(100 + round),
		    udp, n, 24, round == 1);
		assert_int_equal(fx->fl.ndns, round + 1);
		assert_int_equal(fx->fl.dns[round].cport, 40000);
		assert_int_equal(fx->fl.dns[round].sport, 53);
		assert_int_equal(fx->fl.dns[round].qtype, DNS_T_AAAA);
		assert_string_equal(uf_str(fx, fx->fl.dns[round].qname), name);
		n = dns_datagram(udp, sizeof udp, &fx->srv, &fx->cli, &a);
		feed_fragmented(fx, &fx->srv, &fx->cli, (uint16_t)(200 + round),
		    udp, n, 40, round == 0);
		assert_int_equal(fx->fl.dns[round].rcode, 0);
		assert_int_equal(fx->fl.dns[round].nanswers, 1);
		assert_int_equal(fx->fl.dns[round].answer.number, fx->frame);
	}
	assert_int_equal(fx->fl.stats.reassembled, 4);
}

/* The server reuses an IP id for a later datagram (16 bits wrap): the
 * second is a datagram of its own, put back from its own fragments and
 * delivered once, as is the first. */
static void
test_ip_id_reused_after_completion(void **state)
{
	struct uf *fx = *state;
	struct uf_dns a = { .qtype = DNS_T_A, .qname = "reuse.ex.test",
	    .response = true, .rrs = two_a, .nrrs = 2 };
	uint8_t udp[600];
	size_t n;

	for (uint16_t id = 1; id <= 3; id++) {
		uf_dns_query(fx, &fx->cli, &fx->srv, id, "reuse.ex.test",
		    DNS_T_A);
		a.id = id;
		n = dns_datagram(udp, sizeof udp, &fx->srv, &fx->cli, &a);
		feed_fragmented(fx, &fx->srv, &fx->cli, 4242, udp, n, 32,
		    id == 2);
		assert_int_equal(fx->fl.stats.reassembled, id);
		assert_int_equal(fx->fl.dns[id - 1].rcode, 0);
		assert_int_equal(fx->fl.dns[id - 1].answer.number, fx->frame);
		assert_int_equal(fx->fl.dns[id - 1].nanswers, 2);
	}
	assert_int_equal(fx->fl.nanswers, 6);
}

/*
 * DNS over TCP (RFC 1035 4.2.2, RFC 7766): length-prefixed messages cut
 * anywhere by the segments, several in one segment, answers out of order;
 * each is logged in the frame that completes it and finds its query.
 */
static void
test_tcp_framing(void **state)
{
	struct uf *fx = *state;
	static const char *const names[] = { "a.ex.test", "bb.ex.test",
	    "ccc.ex.test" };
	uint8_t q[3 * 64], a[3 * 96];
	size_t nq = 0, na = 0, mid, cut1 = 0;
	uint64_t f2, f3;

	for (int i = 0; i < 3; i++) {
		struct uf_dns m = { .id = (uint16_t)(i + 1), .qtype = DNS_T_A,
		    .qname = names[i] };

		nq += uf_dns_tcp_wire(q + nq, sizeof q - nq, &m);
		if (i == 0)
			cut1 = nq;
	}
	for (int i = 2; i >= 0; i--) {
		struct uf_dns m = { .id = (uint16_t)(i + 1), .qtype = DNS_T_A,
		    .qname = names[i], .response = true, .rrs = two_a,
		    .nrrs = (size_t)i };

		na += uf_dns_tcp_wire(a + na, sizeof a - na, &m);
	}
	mid = cut1 + 7;	/* into the second query */
	uf_handshake(fx, &fx->cli, &fx->srv);
	uf_send_bytes(fx, &fx->cli, &fx->srv, q, 1);
	assert_int_equal(fx->fl.ndns, 0);
	f2 = uf_send_bytes(fx, &fx->cli, &fx->srv, q + 1, mid - 1);
	assert_int_equal(fx->fl.ndns, 1);
	f3 = uf_send_bytes(fx, &fx->cli, &fx->srv, q + mid, nq - mid);
	assert_int_equal(fx->fl.ndns, 3);
	assert_int_equal(fx->fl.dns[0].query.number, f2);
	assert_int_equal(fx->fl.dns[1].query.number, f3);
	assert_int_equal(fx->fl.dns[2].query.number, f3);
	uf_send_bytes(fx, &fx->srv, &fx->cli, a, 5);
	f3 = uf_send_bytes(fx, &fx->srv, &fx->cli, a + 5, na - 5);
	for (int i = 0; i < 3; i++) {
		const struct dns_query *d = &fx->fl.dns[i];

		assert_int_equal(d->id, i + 1);
		assert_true(d->over_tcp);
		assert_string_equal(uf_str(fx, d->qname), names[i]);
		assert_int_equal(d->rcode, 0);
		assert_int_equal(d->nanswers, i);
		assert_int_equal(d->answer.number, f3);
	}
	assert_int_equal(fx->fl.nmsgs, 0);
}

/* Fragments of one datagram more than 30 s apart (RFC 791's bound on
 * reassembly) are not put together; a fragment sent twice is harmless. */
static void
test_fragments_time_out(void **state)
{
	struct uf *fx = *state;
	struct uf_dns a = { .id = 5, .qtype = DNS_T_A, .qname = "slow.ex.test",
	    .response = true, .rrs = two_a, .nrrs = 2 };
	uint8_t udp[600], pkt[700];
	size_t n, len;

	uf_dns_query(fx, &fx->cli, &fx->srv, 5, "slow.ex.test", DNS_T_A);
	n = dns_datagram(udp, sizeof udp, &fx->srv, &fx->cli, &a);
	len = unit_ip4(pkt, 17, fx->srv.addr.a, fx->cli.addr.a, 77, 0x2000,
	    udp, 32);
	uf_feed_raw(fx, pkt, len);
	uf_wait(fx, 31 * UF_S);
	len = unit_ip4(pkt, 17, fx->srv.addr.a, fx->cli.addr.a, 77, 32 / 8,
	    udp + 32, n - 32);
	uf_feed_raw(fx, pkt, len);
	assert_int_equal(fx->fl.stats.reassembled, 0);
	assert_int_equal(fx->fl.dns[0].rcode, -1);
	/* sent again whole, its first fragment twice */
	len = unit_ip4(pkt, 17, fx->srv.addr.a, fx->cli.addr.a, 78, 0x2000,
	    udp, 32);
	uf_feed_raw(fx, pkt, len);
	uf_feed_raw(fx, pkt, len);
	len = unit_ip4(pkt, 17, fx->srv.addr.a, fx->cli.addr.a, 78, 32 / 8,
	    udp + 32, n - 32);
	uf_feed_raw(fx, pkt, len);
	assert_int_equal(fx->fl.stats.reassembled, 1);
	assert_int_equal(fx->fl.dns[0].nanswers, 2);
	assert_int_equal(fx->fl.dns[0].answer.number, fx->frame);
}

/* The socket_kept flag of the newest query, asked for name at `at`. */
static bool
kept_at(struct uf *fx, struct uf_side *res, int64_t at, uint16_t id,
    const char *name)
{
	uf_at(fx, at);
	uf_dns_query(fx, res, &fx->srv, id, name, DNS_T_A);
	return fx->fl.dns[fx->fl.ndns - 1].socket_kept;
}

/*
 * A proxy's own resolver socket (nginx's, squid's) asks for name after
 * name and keeps a cache of its own; a stub resolver's socket asks A and
 * AAAA for one name, and its retries, and is gone. Three names within a
 * second make a socket kept; a socket's port picked again by chance
 * between a look-up's retries does not, nor names spread wider.
 */
static void
test_resolver_socket_kept(void **state)
{
	struct uf *fx = *state;
	struct uf_side stub = fx->cli, proxy = fx->cli, slow = fx->cli,
	    alike = fx->cli;
	int64_t t = 10 * UF_S;

	stub.port = 40001;
	proxy.port = 40002;
	slow.port = 40003;
	alike.port = 40004;
	/* retries of one name, another name between them: two names */
	for (int k = 0; k < 4; k++)
		assert_false(kept_at(fx, &stub, t + k * UF_S, 0x100,
		    "a.test"));
	assert_false(kept_at(fx, &stub, t + 3 * UF_S + 1, 0x101, "b.test"));
	assert_false(kept_at(fx, &stub, t + 3 * UF_S + 2, 0x102, "a.test"));
	/* three names within a second */
	assert_false(kept_at(fx, &proxy, t, 0x200, "a.test"));
	assert_false(kept_at(fx, &proxy, t + 400 * UF_MS, 0x201, "b.test"));
	assert_true(kept_at(fx, &proxy, t + 800 * UF_MS, 0x202, "c.test"));
	assert_true(kept_at(fx, &proxy, t + 60 * UF_S, 0x203, "a.test"));
	/* three names 0.6 s apart: never three within a second */
	for (int k = 0; k < 3; k++)
		assert_false(kept_at(fx, &slow, t + k * 600 * UF_MS,
		    (uint16_t)(0x300 + k), k == 0 ? "a.test" : k == 1 ?
		    "b.test" : "c.test"));
	/* names a byte apart are three names (nginx asking for hosts
	 * a., c., e. and api1., api3., api5.) */
	for (int k = 0; k < 3; k++)
		assert_true(kept_at(fx, &alike, t + k * 10 * UF_MS,
		    (uint16_t)(0x400 + k), k == 0 ? "a.busy.test" : k == 1 ?
		    "c.busy.test" : "e.busy.test") == (k == 2));
	alike.port = 40005;
	for (int k = 0; k < 3; k++)
		assert_true(kept_at(fx, &alike, t + k * 10 * UF_MS,
		    (uint16_t)(0x500 + k), k == 0 ? "api1.busy.example" :
		    k == 1 ? "api3.busy.example" : "api5.busy.example") ==
		    (k == 2));
	assert_int_equal(fx->fl.dns_kept_sockets, 3);
}

/* The resolver socket res asks for name at `at`, `after` a client
 * request for it on proxy port `port` (0: none). */
static void
asked_for(struct uf *fx, struct uf_side *res, uint16_t port, int64_t at,
    int64_t after, uint16_t id, const char *name)
{
	if (port != 0)
		dns_request_seen(&fx->fl, name, port, at - after);
	uf_at(fx, at);
	uf_dns_query(fx, res, &fx->srv, id, name, DNS_T_A);
}

/* Is the newest query foreign to requests on port at `at`? */
static bool
foreign_to(struct uf *fx, uint16_t port, int64_t at)
{
	return dns_foreign_resolver(&fx->fl, &fx->fl.dns[fx->fl.ndns - 1],
	    port, at);
}

/*
 * Two proxies on one gateway, nginx on 9090 and squid on 3128, each with
 * a kept resolver socket: a socket's look-up right after a request for
 * the name on one port alone is a vote for that port, and three votes
 * make the port the socket's. A retry (the same name within seconds), a
 * look-up over 3 ms after the request, or one after requests on both
 * ports, does not vote; nor does a stray vote make a second port (under
 * a quarter of the first's votes). A socket is foreign to a port only
 * once another socket is known to serve it, and from then on.
 */
static void
test_resolver_serves_ports(void **state)
{
	static const char *const names[] = { "a.test", "b.test", "c.test",
		"d.test", "e.test", "f.test" };
	struct uf *fx = *state;
	struct uf_side nginx = fx->cli, squid = fx->cli;
	int64_t t = 10 * UF_S, learnt;
	uint16_t id = 0x100;

	nginx.port = 40001;
	squid.port = 40002;
	/* kept at the third name; that one and the next two vote */
	for (int k = 0; k < 5; k++)
		asked_for(fx, &nginx, 9090, t + k * 10 * UF_MS, 200 * 1000,
		    id++, names[k]);
	assert_int_equal(fx->fl.nresolvers, 1);
	assert_int_equal(fx->fl.resolvers[0].votes[0], 3);
	learnt = fx->fl.resolvers[0].since[0];
	assert_int_equal(learnt, t + 40 * UF_MS);
	/* no vote: a retry, a late look-up, requests on two ports */
	asked_for(fx, &nginx, 3128, t + 1 * UF_S, 200 * 1000, id++, "d.test");
	asked_for(fx, &nginx, 3128, t + 1 * UF_S + 10 * UF_MS, 4 * UF_MS,
	    id++, "g.test");
	dns_request_seen(&fx->fl, "h.test", 9090, t + 1 * UF_S + 19 * UF_MS);
	asked_for(fx, &nginx, 3128, t + 1 * UF_S + 20 * UF_MS, 100 * 1000,
	    id++, "h.test");
	assert_int_equal(fx->fl.resolvers[0].nports, 1);
	/* squid's socket serves 3128 */
	for (int k = 0; k < 5; k++)
		asked_for(fx, &squid, 3128, t + 2 * UF_S + k * 10 * UF_MS,
		    100 * 1000, id++, names[k]);
	assert_int_equal(fx->fl.nresolvers, 2);
	/* one stray vote for 3128 on nginx's socket: not its port */
	asked_for(fx, &nginx, 3128, t + 3 * UF_S, 100 * 1000, id++,
	    names[5]);
	assert_int_equal(fx->fl.resolvers[0].votes[1], 1);
	assert_int_equal(fx->fl.resolvers[0].since[1], INT64_MAX);
	/* nginx's look-up: its own port's, foreign to squid's once squid's
	 * socket was known to serve it */
	assert_false(foreign_to(fx, 9090, t + 4 * UF_S));
	assert_true(foreign_to(fx, 3128, t + 4 * UF_S));
	assert_false(foreign_to(fx, 3128, t + 2 * UF_S));
	assert_false(foreign_to(fx, 8080, t + 4 * UF_S));
}

/*
 * A look-up a proxy began before its socket was known as a resolver's
 * own (in its first seconds: nginx's mute look-up, resent for as long as
 * anyone waits) is that resolver's once the socket is known, and so
 * foreign to another proxy's requests from when that is learnt (as any
 * of its look-ups), not before. A query over 30 s older than the moment
 * its socket is known stays no one's.
 */
static void
test_resolver_takes_earlier_queries(void **state)
{
	static const char *const names[] = { "a.test", "b.test", "c.test",
		"d.test", "e.test" };
	struct uf *fx = *state;
	struct uf_side nginx = fx->cli, squid = fx->cli, late = fx->cli;
	int64_t t = 40 * UF_S;
	uint16_t id = 0x100;

	nginx.port = 40001;
	squid.port = 40002;
	late.port = 40003;
	asked_for(fx, &nginx, 9090, t, 200 * 1000, id++, "mute.test");
	asked_for(fx, &late, 0, t + 1 * UF_S, 0, id++, "old.test");
	assert_false(fx->fl.dns[0].socket_kept);
	assert_int_equal(fx->fl.dns[0].resolver, 0);
	for (int k = 0; k < 5; k++)
		asked_for(fx, &squid, 3128, t + 2 * UF_S + k * 10 * UF_MS,
		    100 * 1000, id++, names[k]);
	for (int k = 0; k < 5; k++)
		asked_for(fx, &nginx, 9090, t + 3 * UF_S + k * 10 * UF_MS,
		    100 * 1000, id++, names[k]);
	for (int k = 0; k < 3; k++)
		asked_for(fx, &late, 0, t + 32 * UF_S + k * 10 * UF_MS, 0,
		    id++, names[k]);
	assert_int_equal(fx->fl.nresolvers, 3);
	assert_false(fx->fl.dns[0].socket_kept);
	assert_int_equal(fx->fl.dns[0].resolver, 2);
	assert_int_equal(fx->fl.dns[1].resolver, 0);
	assert_true(dns_foreign_resolver(&fx->fl, &fx->fl.dns[0], 3128,
	    t + 4 * UF_S));
	assert_false(dns_foreign_resolver(&fx->fl, &fx->fl.dns[0], 3128,
	    t + 2 * UF_S));
	assert_false(dns_foreign_resolver(&fx->fl, &fx->fl.dns[0], 9090,
	    t + 4 * UF_S));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolver_socket_kept,
		    uf_setup_dns, uf_teardown),
		cmocka_unit_test_setup_teardown(test_resolver_serves_ports,
		    uf_setup_dns, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_resolver_takes_earlier_queries, uf_setup_dns,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_answer_matches_whole_key,
		    uf_setup_dns, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_late_answer_and_negative_ttl, uf_setup_dns, uf_teardown),
		cmocka_unit_test_setup_teardown(test_limits_count_drops,
		    uf_setup_dns, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_fragmented_query_and_answer, uf_setup_dns, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_ip_id_reused_after_completion, uf_setup_dns, uf_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_framing, uf_setup_dns,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_fragments_time_out,
		    uf_setup_dns, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
