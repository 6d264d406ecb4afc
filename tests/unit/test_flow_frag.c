/*
 * test_flow_frag.c: UDP datagrams cut into IP fragments (frag.c), as RFC
 * 791 puts them back: a datagram is whole when every fragment up to the
 * last (the one without "more fragments") is in, in any order, and only
 * then delivered, once; fragments are told apart by source, destination,
 * protocol and IP id together; a fragment more than 30 s after its
 * datagram's first one starts over; a fragment the capture cut short
 * cannot be put back; a whole datagram that is not DNS is not counted as
 * reassembled DNS. With all 32 slots taken, the search for a datagram's
 * slot stays within them. flow_free gives back every reassembly's buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_heap.h"
#include "unit_ip4.h"
#include "unit_flow.h"

static const struct uf_rr four_a[] = {
	{ DNS_T_A, NULL, 60, "192.0.2.10" },
	{ DNS_T_A, NULL, 61, "192.0.2.11" },
	{ DNS_T_A, NULL, 62, "192.0.2.12" },
	{ DNS_T_A, NULL, 63, "192.0.2.13" },
};

/* The answer with id to fx->cli's query for name, as a UDP datagram. */
static size_t
answer_datagram(struct uf *fx, uint8_t *out, size_t cap, uint16_t id,
    const char *name)
{
	struct uf_dns m = { .id = id, .qtype = DNS_T_A, .qname = name,
	    .response = true, .rrs = four_a, .nrrs = 4 };

	return uf_udp_wrap(out, fx->srv.port, fx->cli.port,
	    uf_dns_wire(out + 8, cap - 8, &m));
}

/* Bytes [from, to) of the datagram as a fragment from src to dst with
 * IP id ipid; more: not the last. */
static uint64_t
fragment(struct uf *fx, const uint8_t *src, const uint8_t *dst,
    uint16_t ipid, const uint8_t *udp, size_t from, size_t to, bool more)
{
	uint8_t pkt[700];
	size_t len = unit_ip4(pkt, 17, src, dst, ipid,
	    (more ? 0x2000u : 0) | (unsigned)(from / 8), udp + from, to - from);

	return uf_feed_raw(fx, pkt, len);
}

static uint64_t
piece(struct uf *fx, uint16_t ipid, const uint8_t *udp, size_t n, int k)
{
	/* three pieces: [0, 24), [24, 48), [48, n) */
	static const size_t cut[] = { 0, 24, 48 };

	return fragment(fx, fx->srv.addr.a, fx->cli.addr.a, ipid, udp, cut[k],
	    k < 2 ? cut[k + 1] : n, k < 2);
}

/* Three fragments in every order: delivered once, by the last to come,
 * never before all are in. */
static void
test_every_order(void **state)
{
	struct uf *fx = *state;
	static const int orders[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 },
		{ 2, 1, 0 },
	};
	uint8_t udp[600];

	for (uint16_t o = 0; o < 6; o++) {
		char name[32];
		size_t n;
		uint64_t last = 0;
		const struct dns_query *q;

		snprintf(name, sizeof name, "order%u.test", o);
		uf_dns_query(fx, &fx->cli, &fx->srv, o, name, DNS_T_A);
		n = answer_datagram(fx, udp, sizeof udp, o, name);
		assert_true(n > 48);
		for (int k = 0; k < 3; k++) {
			assert_int_equal(fx->fl.dns[o].rcode, -1);
			last = piece(fx, (uint16_t)(300 + o), udp, n,
			    orders[o][k]);
		}
		q = &fx->fl.dns[o];
		assert_int_equal(q->rcode, 0);
		assert_int_equal(q->answer.number, last);
		assert_int_equal(q->nanswers, 4);
		assert_int_equal(fx->fl.dns_answers[q->first_answer + 3].ttl,
		    63);
		assert_int_equal(fx->fl.stats.reassembled, o + 1u);
	}
	assert_int_equal(fx->fl.stats.fragments, 18);
	assert_int_equal(fx->fl.stats.udp, 6);	/* the queries */
}

/* Two datagrams with one IP id at once, from two servers, and one the
 * other way round: three datagrams, each put back from its own. */
static void
test_told_apart(void **state)
{
	struct uf *fx = *state;
	struct uf_side srv2 = fx->srv;
	uint8_t udp1[600], udp2[600];
	size_t n1, n2;

	srv2.addr.a[3] = 54;
	uf_dns_query(fx, &fx->cli, &fx->srv, 1, "one.test", DNS_T_A);
	uf_dns_query(fx, &fx->cli, &srv2, 2, "two.test", DNS_T_A);
	n1 = answer_datagram(fx, udp1, sizeof udp1, 1, "one.test");
	n2 = answer_datagram(fx, udp2, sizeof udp2, 2, "two.test");
	fragment(fx, fx->srv.addr.a, fx->cli.addr.a, 9, udp1, 0, 24, true);
	fragment(fx, srv2.addr.a, fx->cli.addr.a, 9, udp2, 0, 32, true);
	/* the same id from the client to the server: another datagram */
	fragment(fx, fx->cli.addr.a, fx->srv.addr.a, 9, udp2, 32, n2, false);
	assert_int_equal(fx->fl.stats.reassembled, 0);
	fragment(fx, srv2.addr.a, fx->cli.addr.a, 9, udp2, 32, n2, false);
	fragment(fx, fx->srv.addr.a, fx->cli.addr.a, 9, udp1, 24, n1, false);
	assert_int_equal(fx->fl.stats.reassembled, 2);
	assert_int_equal(fx->fl.dns[0].rcode, 0);
	assert_int_equal(fx->fl.dns[0].answer.number, fx->frame);
	assert_int_equal(fx->fl.dns[1].rcode, 0);
	assert_int_equal(fx->fl.dns[1].answer.number, fx->frame - 1);
	assert_true(addr_eq(&fx->fl.dns[1].server, &srv2.addr));
}

/* The last fragment exactly 30 s after the first is still put back; one
 * a nanosecond later starts over and never completes. */
static void
test_wait_boundary(void **state)
{
	struct uf *fx = *state;
	uint8_t udp[600];
	size_t n;
	int64_t t0 = 2 * UF_S;

	uf_dns_query(fx, &fx->cli, &fx->srv, 1, "in.test", DNS_T_A);
	uf_dns_query(fx, &fx->cli, &fx->srv, 2, "out.test", DNS_T_A);
	n = answer_datagram(fx, udp, sizeof udp, 1, "in.test");
	uf_at(fx, t0);
	fragment(fx, fx->srv.addr.a, fx->cli.addr.a, 1, udp, 0, 24, true);
	uf_at(fx, t0 + 30 * UF_S);
	fragment(fx, fx->srv.addr.a, fx->cli.addr.a, 1, udp, 24, n, false);
	assert_int_equal(fx->fl.dns[0].rcode, 0);

	n = answer_datagram(fx, udp, sizeof udp, 2, "out.test");
	uf_at(fx, t0 + 40 * UF_S);
	fragment(fx, fx->srv.addr.a, fx->cli.addr.a, 2, udp, 0, 24, true);
	uf_at(fx, t0 + 70 * UF_S + 1);
	fragment(fx, fx->srv.addr.a, fx->cli.addr.a, 2, udp, 24, n, false);
	assert_int_equal(fx->fl.dns[1].rcode, -1);
	assert_int_equal(fx->fl.stats.reassembled, 1);
}

/* A fragment the capture cut (snap length) cannot be put back; the
 * datagram sent again whole-fragmented is. A datagram not to or from
 * port 53 is put back but is not DNS. */
static void
test_cut_and_not_dns(void **state)
{
	struct uf *fx = *state;
	uint8_t udp[600], pkt[700];
	size_t n, len;
	struct pkt p;

	uf_dns_query(fx, &fx->cli, &fx->srv, 3, "cut.test", DNS_T_A);
	n = answer_datagram(fx, udp, sizeof udp, 3, "cut.test");
	len = unit_ip4(pkt, 17, fx->srv.addr.a, fx->cli.addr.a, 5, 0x2000,
	    udp, 24);
	assert_int_equal(decode_frame(UF_LINKTYPE_RAW, pkt, (uint32_t)len, &p),
	    DECODE_OK);
	assert_true(p.fragment);
	p.frag_wire_len = p.frag_len + 8;	/* 8 bytes not captured */
	uf_feed(fx, &p);
	fragment(fx, fx->srv.addr.a, fx->cli.addr.a, 5, udp, 24, n, false);
	assert_int_equal(fx->fl.dns[0].rcode, -1);
	assert_int_equal(fx->fl.stats.reassembled, 0);
	fragment(fx, fx->srv.addr.a, fx->cli.addr.a, 6, udp, 0, 24, true);
	fragment(fx, fx->srv.addr.a, fx->cli.addr.a, 6, udp, 24, n, false);
	assert_int_equal(fx->fl.dns[0].rcode, 0);
	assert_int_equal(fx->fl.stats.reassembled, 1);

	/* the same bytes between ports 5353 and 40000: not DNS */
	udp[0] = 5353 >> 8;
	udp[1] = 5353 & 0xff;
	fragment(fx, fx->srv.addr.a, fx->cli.addr.a, 7, udp, 0, 24, true);
	fragment(fx, fx->srv.addr.a, fx->cli.addr.a, 7, udp, 24, n, false);
	assert_int_equal(fx->fl.stats.reassembled, 1);
	assert_int_equal(fx->fl.stats.dns, 2);
	/* and from 5353 to 53: DNS by its destination port */
	udp[2] = 0;
	udp[3] = 53;
	fragment(fx, fx->cli.addr.a, fx->srv.addr.a, 8, udp, 0, 24, true);
	fragment(fx, fx->cli.addr.a, fx->srv.addr.a, 8, udp, 24, n, false);
	assert_int_equal(fx->fl.stats.reassembled, 2);
}

/*
 * A UDP length that lies (0, below the header's 8, or past the datagram)
 * is not believed: the datagram's own length counts (RFC 768 sizes a
 * datagram; an IPv6 jumbogram's is 0). A length of 8 is the header
 * alone: an empty datagram, put back but no answer. An empty fragment
 * says nothing about where the datagram ends.
 */
static void
test_udp_length_and_empty_fragment(void **state)
{
	struct uf *fx = *state;
	static const struct {
		uint16_t len;
		int rcode;	/* of the answer the datagram carries */
	} lies[] = { { 0, 0 }, { 7, 0 }, { 1400, 0 }, { 8, -1 } };
	uint8_t udp[600];
	size_t n;

	for (uint16_t i = 0; i < 4; i++) {
		char name[32];

		snprintf(name, sizeof name, "lie%u.test", i);
		uf_dns_query(fx, &fx->cli, &fx->srv, i, name, DNS_T_A);
		n = answer_datagram(fx, udp, sizeof udp, i, name);
		{	/* the decoder checks a first fragment's UDP length:
			 * the lie is told after it (a datagram put back is
			 * read again) */
			uint8_t pkt[700];
			size_t len = unit_ip4(pkt, 17, fx->srv.addr.a,
			    fx->cli.addr.a, (uint16_t)(50 + i), 0x2000, udp, 24);
			struct pkt p;

			assert_int_equal(decode_frame(UF_LINKTYPE_RAW, pkt,
			    (uint32_t)len, &p), DECODE_OK);
			pkt[20 + 4] = (uint8_t)(lies[i].len >> 8);
			pkt[20 + 5] = (uint8_t)lies[i].len;
			uf_feed_frame(fx, &p, pkt, len, UF_LINKTYPE_RAW);
		}
		fragment(fx, fx->srv.addr.a, fx->cli.addr.a, (uint16_t)(50 + i),
		    udp, 24, n, false);
		assert_int_equal(fx->fl.dns[i].rcode, lies[i].rcode);
		assert_int_equal(fx->fl.dns[i].nanswers,
		    lies[i].rcode == 0 ? 4 : 0);
		assert_int_equal(fx->fl.stats.reassembled, i + 1u);
	}

	uf_dns_query(fx, &fx->cli, &fx->srv, 9, "empty.test", DNS_T_A);
	n = answer_datagram(fx, udp, sizeof udp, 9, "empty.test");
	fragment(fx, fx->srv.addr.a, fx->cli.addr.a, 60, udp, 0, 24, true);
	{	/* the decoder refuses one: as a packet another could give */
		uint8_t pkt[700];
		size_t len = unit_ip4(pkt, 17, fx->srv.addr.a, fx->cli.addr.a,
		    60, 3, udp + 24, 8);
		struct pkt p;

		assert_int_equal(decode_frame(UF_LINKTYPE_RAW, pkt,
		    (uint32_t)len, &p), DECODE_OK);
		p.frag_len = p.frag_wire_len = 0;
		uf_feed(fx, &p);
	}
	assert_int_equal(fx->fl.stats.reassembled, 4);
	fragment(fx, fx->srv.addr.a, fx->cli.addr.a, 60, udp, 24, n, false);
	assert_int_equal(fx->fl.stats.reassembled, 5);
	assert_int_equal(fx->fl.dns[4].rcode, 0);
	assert_int_equal(fx->fl.dns[4].nanswers, 4);
}

/*
 * The 32 slots all taken, and a 33rd datagram taking the oldest one's:
 * every search for a slot stays within the table. Behind it lies what
 * reads as one more slot in use, begun more than 30 s ago
 * (unit_heap_guard), which a search past the end would take and forget;
 * it is left as it was. The 32 datagrams still in the table complete.
 */
static void
test_slot_search_stays_in_table(void **state)
{
	struct uf *fx = *state;
	uint8_t udp[600];
	size_t n;

	uf_dns_query(fx, &fx->cli, &fx->srv, 1, "full.test", DNS_T_A);
	n = answer_datagram(fx, udp, sizeof udp, 1, "full.test");
	uf_at(fx, 40 * UF_S);
	unit_heap_guard(4096);	/* more than a slot */
	for (uint16_t id = 1; id <= 33; id++)
		piece(fx, id, udp, n, 0);
	for (uint16_t id = 2; id <= 33; id++) {
		piece(fx, id, udp, n, 1);
		piece(fx, id, udp, n, 2);
	}
	assert_true(unit_heap_guard_intact(fx->fl.frags));
	assert_int_equal(fx->fl.stats.reassembled, 32);
	assert_int_equal(fx->fl.dns[0].rcode, 0);
	/* the first datagram's slot went to the 33rd */
	piece(fx, 1, udp, n, 1);
	piece(fx, 1, udp, n, 2);
	assert_int_equal(fx->fl.stats.reassembled, 32);
}

/* flow_free gives back every buffer the reassemblies used, whichever
 * slots they took (unit_heap.h). */
static void
test_frag_releases_memory(void **state)
{
	size_t before = unit_heap_live();

	void (*const tests[])(void **) = { test_every_order, test_told_apart,
	    test_wait_boundary, test_cut_and_not_dns };

	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		uf_setup_dns(state);
		tests[i](state);
		uf_teardown(state);
	}
	assert_int_equal(unit_heap_live(), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_order, uf_setup_dns,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_told_apart, uf_setup_dns,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_wait_boundary, uf_setup_dns,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_cut_and_not_dns,
		    uf_setup_dns, uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_udp_length_and_empty_fragment, uf_setup_dns, uf_teardown),
		cmocka_unit_test_setup_teardown(test_slot_search_stays_in_table,
		    uf_setup_dns, uf_teardown),
		cmocka_unit_test(test_frag_releases_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
