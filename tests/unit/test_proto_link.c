/* test_proto_link.c: link layers down to IP. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "proto/packet.h"

/* IPv4/UDP 10.0.0.1:1234 -> 10.0.0.2:53, payload "hi". */
static const uint8_t IP4[] = {
	0x45, 0, 0, 30, 0, 0, 0x40, 0, 64, 17, 0, 0,
	10, 0, 0, 1, 10, 0, 0, 2,
	0x04, 0xd2, 0, 53, 0, 10, 0, 0, 'h', 'i'
};

/* IPv6/TCP ::1:80 -> ::2:5555, SYN, no payload. */
static const uint8_t IP6[] = {
	0x60, 0, 0, 0, 0, 20, 6, 64,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	0, 80, 0x15, 0xb3, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff,
	0, 0, 0, 0
};

struct frame {
	uint8_t b[256];
	size_t n;
};

static void
add(struct frame *f, const void *p, size_t n)
{
	assert_true(f->n + n <= sizeof f->b);
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void
add16(struct frame *f, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	add(f, b, 2);
}

static void
eth(struct frame *f, const unsigned *types, size_t ntypes)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	size_t i;

	f->n = 0;
	add(f, macs, sizeof macs);
	/* types: TPID, TCI, TPID, TCI, ..., ethertype */
	for (i = 0; i < ntypes; i++)
		add16(f, types[i]);
}

/* decode_frame over an exact-size heap copy so ASan sees overreads. */
static enum decode_result
dec(int lt, const struct frame *f, size_t n, struct pkt *p)
{
	uint8_t *cp = malloc(n ? n : 1);
	enum decode_result r;

	assert_non_null(cp);
	memcpy(cp, f->b, n);
	memset(p, 0x5a, sizeof *p);
	r = decode_frame(lt, cp, (uint32_t)n, p);
	if (p->payload_len > 0)
		assert_true(p->payload >= cp &&
		    p->payload + p->payload_len <= cp + n);
	if (r != DECODE_OK && r != DECODE_MALFORMED) {
		assert_int_equal(p->ipver, 0);
		assert_int_equal(p->payload_len, 0);
	}
	free(cp);
	return r;
}

static void
check_ip4(const struct pkt *p)
{
	assert_int_equal(p->ipver, 4);
	assert_int_equal(p->l4, L4_UDP);
	assert_int_equal(p->sport, 1234);
	assert_int_equal(p->dport, 53);
	assert_int_equal(p->payload_len, 2);
}

static void
check_ip6(const struct pkt *p)
{
	assert_int_equal(p->ipver, 6);
	assert_int_equal(p->l4, L4_TCP);
	assert_int_equal(p->sport, 80);
	assert_int_equal(p->dport, 5555);
	assert_int_equal(p->tcp_flags, TCPF_SYN);
}

static void
test_ethernet(void **state)
{
	struct frame f;
	struct pkt p;
	static const unsigned t4[] = { 0x0800 }, t6[] = { 0x86dd },
	    arp[] = { 0x0806 };

	(void)state;
	eth(&f, t4, 1);
	add(&f, IP4, sizeof IP4);
	assert_int_equal(dec(1, &f, f.n, &p), DECODE_OK);
	check_ip4(&p);
	assert_int_equal(p.vlan, 0);
	/* Minimum-size frame padding is trimmed by the IP length. */
	while (f.n < 60)
		add(&f, "\0", 1);
	assert_int_equal(dec(1, &f, f.n, &p), DECODE_OK);
	check_ip4(&p);
	eth(&f, t6, 1);
	add(&f, IP6, sizeof IP6);
	assert_int_equal(dec(1, &f, f.n, &p), DECODE_OK);
	check_ip6(&p);
	/* FCS-length bits in the upper part of the link type. */
	assert_int_equal(dec(0x44000001, &f, f.n, &p), DECODE_OK);
	check_ip6(&p);
	assert_true(decode_link_supported(0x44000001));
	eth(&f, arp, 1);
	add(&f, IP4, 28);
	assert_int_equal(dec(1, &f, f.n, &p), DECODE_NOT_IP);
	/* 802.3 length field instead of an ethertype. */
	f.b[12] = 0;
	f.b[13] = 46;
	assert_int_equal(dec(1, &f, f.n, &p), DECODE_NOT_IP);
	assert_int_equal(dec(1, &f, 13, &p), DECODE_MALFORMED);
	assert_int_equal(dec(1, &f, 0, &p), DECODE_MALFORMED);
	/* Ethertype IPv4 with an IPv6 packet inside: decode_ip decides. */
	eth(&f, t4, 1);
	add(&f, IP6, sizeof IP6);
	assert_int_equal(dec(1, &f, f.n, &p), DECODE_OK);
	assert_int_equal(p.ipver, 6);
}

static void
test_vlan(void **state)
{
	struct frame f;
	struct pkt p;
	static const unsigned q[] = { 0x8100, 0x2064, 0x0800 };
	static const unsigned qinq[] = { 0x88a8, 0x0123, 0x8100, 0x0456,
	    0x86dd };
	static const unsigned old[] = { 0x9100, 0x0007, 0x8100, 0x0008,
	    0x0800 };
	static const unsigned many[] = { 0x8100, 1, 0x8100, 2, 0x8100, 3,
	    0x8100, 4, 0x8100, 5, 0x0800 };
	static const unsigned four[] = { 0x8100, 1, 0x8100, 2, 0x8100, 3,
	    0x8100, 4, 0x0800 };
	static const unsigned arp[] = { 0x8100, 9, 0x0806 };

	(void)state;
	eth(&f, q, 3);
	add(&f, IP4, sizeof IP4);
	assert_int_equal(dec(1, &f, f.n, &p), DECODE_OK);
	assert_int_equal(p.vlan, 100);		/* PCP bits dropped */
	check_ip4(&p);
	eth(&f, qinq, 5);
	add(&f, IP6, sizeof IP6);
	assert_int_equal(dec(1, &f, f.n, &p), DECODE_OK);
	assert_int_equal(p.vlan, 0x123);	/* outermost tag */
	check_ip6(&p);
	eth(&f, old, 5);
	add(&f, IP4, sizeof IP4);
	assert_int_equal(dec(1, &f, f.n, &p), DECODE_OK);
	assert_int_equal(p.vlan, 7);
	eth(&f, four, 9);
	add(&f, IP4, sizeof IP4);
	assert_int_equal(dec(1, &f, f.n, &p), DECODE_OK);
	eth(&f, many, 11);
	add(&f, IP4, sizeof IP4);
	assert_int_equal(dec(1, &f, f.n, &p), DECODE_MALFORMED);
	eth(&f, arp, 3);
	add(&f, IP4, 28);
	assert_int_equal(dec(1, &f, f.n, &p), DECODE_NOT_IP);
	/* A tag cut short. */
	eth(&f, q, 3);
	assert_int_equal(dec(1, &f, 16, &p), DECODE_MALFORMED);
}

static void
test_sll(void **state)
{
	static const uint8_t sll1[14] = { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1 };
	static const uint8_t sll2_rest[16] = { 0, 0, 0, 0, 0, 0, 0, 3, 0, 1,
	    0, 6, 2, 0, 0, 0 };
	struct frame f;
	struct pkt p;

	(void)state;
	f.n = 0;
	add(&f, sll1, sizeof sll1);
	add16(&f, 0x0800);
	add(&f, IP4, sizeof IP4);
	assert_int_equal(dec(113, &f, f.n, &p), DECODE_OK);
	check_ip4(&p);
	assert_int_equal(dec(113, &f, 15, &p), DECODE_MALFORMED);
	/* libpcap puts a VLAN tag before the protocol field. */
	f.n = 0;
	add(&f, sll1, sizeof sll1);
	add16(&f, 0x8100);
	add16(&f, 42);
	add16(&f, 0x86dd);
	add(&f, IP6, sizeof IP6);
	assert_int_equal(dec(113, &f, f.n, &p), DECODE_OK);
	assert_int_equal(p.vlan, 42);
	check_ip6(&p);
	/* Non-IP protocol (ETH_P_ARP). */
	f.n = 0;
	add(&f, sll1, sizeof sll1);
	add16(&f, 0x0806);
	add(&f, IP4, 28);
	assert_int_equal(dec(113, &f, f.n, &p), DECODE_NOT_IP);
	/* SLL2: protocol first, 20-byte header. */
	f.n = 0;
	add16(&f, 0x86dd);
	add16(&f, 0);
	add(&f, sll2_rest, sizeof sll2_rest);
	add(&f, IP6, sizeof IP6);
	assert_int_equal(dec(276, &f, f.n, &p), DECODE_OK);
	check_ip6(&p);
	assert_int_equal(dec(276, &f, 19, &p), DECODE_MALFORMED);
	f.b[1] = 0x00;
	f.b[0] = 0x08;
	f.n = 20;
	add(&f, IP4, sizeof IP4);
	assert_int_equal(dec(276, &f, f.n, &p), DECODE_OK);
	check_ip4(&p);
	f.b[0] = 0x88;
	f.b[1] = 0xcc;				/* LLDP */
	assert_int_equal(dec(276, &f, f.n, &p), DECODE_NOT_IP);
}

static void
test_raw(void **state)
{
	struct frame f;
	struct pkt p;
	static const int raws[] = { 101, 12, 14 };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		f.n = 0;
		add(&f, IP4, sizeof IP4);
		assert_int_equal(dec(raws[i], &f, f.n, &p), DECODE_OK);
		check_ip4(&p);
		f.n = 0;
		add(&f, IP6, sizeof IP6);
		assert_int_equal(dec(raws[i], &f, f.n, &p), DECODE_OK);
		check_ip6(&p);
		assert_true(decode_link_supported(raws[i]));
	}
	assert_int_equal(dec(229, &f, f.n, &p), DECODE_OK);
	check_ip6(&p);
	assert_int_equal(dec(228, &f, f.n, &p), DECODE_MALFORMED);
	assert_int_equal(dec(228, &f, 0, &p), DECODE_MALFORMED);
	f.n = 0;
	add(&f, IP4, sizeof IP4);
	assert_int_equal(dec(228, &f, f.n, &p), DECODE_OK);
	check_ip4(&p);
	assert_int_equal(dec(229, &f, f.n, &p), DECODE_MALFORMED);
	f.b[0] = 0x25;
	assert_int_equal(dec(101, &f, f.n, &p), DECODE_MALFORMED);
	assert_int_equal(dec(101, &f, 0, &p), DECODE_MALFORMED);
}

static void
test_loopback(void **state)
{
	static const uint8_t le4[4] = { 2, 0, 0, 0 }, be4[4] = { 0, 0, 0, 2 };
	static const uint8_t afs6[] = { 24, 28, 30 };
	uint8_t hdr[4];
	struct frame f;
	struct pkt p;
	size_t i;

	(void)state;
	f.n = 0;
	add(&f, le4, 4);
	add(&f, IP4, sizeof IP4);
	assert_int_equal(dec(0, &f, f.n, &p), DECODE_OK);
	check_ip4(&p);
	memcpy(f.b, be4, 4);
	assert_int_equal(dec(0, &f, f.n, &p), DECODE_OK);
	check_ip4(&p);
	assert_int_equal(dec(108, &f, f.n, &p), DECODE_OK);
	check_ip4(&p);
	/* LOOP is network order only. */
	memcpy(f.b, le4, 4);
	assert_int_equal(dec(108, &f, f.n, &p), DECODE_NOT_IP);
	for (i = 0; i < sizeof afs6; i++) {
		f.n = 0;
		memset(hdr, 0, 4);
		hdr[0] = afs6[i];
		add(&f, hdr, 4);
		add(&f, IP6, sizeof IP6);
		assert_int_equal(dec(0, &f, f.n, &p), DECODE_OK);
		check_ip6(&p);
		f.b[0] = 0;
		f.b[3] = afs6[i];
		assert_int_equal(dec(0, &f, f.n, &p), DECODE_OK);
		check_ip6(&p);
		assert_int_equal(dec(108, &f, f.n, &p), DECODE_OK);
	}
	f.b[3] = 7;
	assert_int_equal(dec(0, &f, f.n, &p), DECODE_NOT_IP);
	memset(f.b, 0xff, 4);
	assert_int_equal(dec(0, &f, f.n, &p), DECODE_NOT_IP);
	assert_int_equal(dec(0, &f, 3, &p), DECODE_MALFORMED);
	assert_int_equal(dec(108, &f, 3, &p), DECODE_MALFORMED);
}

static void
test_unknown(void **state)
{
	struct frame f;
	struct pkt p;

	(void)state;
	f.n = 0;
	add(&f, IP4, sizeof IP4);
	assert_int_equal(dec(147, &f, f.n, &p), DECODE_BAD_LINK);
	assert_int_equal(dec(105, &f, f.n, &p), DECODE_BAD_LINK);
	assert_int_equal(dec(-1, &f, f.n, &p), DECODE_BAD_LINK);
	assert_false(decode_link_supported(147));
	assert_false(decode_link_supported(-1));
	assert_true(decode_link_supported(1));
	assert_true(decode_link_supported(113));
	assert_true(decode_link_supported(276));
	assert_true(decode_link_supported(0));
	assert_true(decode_link_supported(108));
	assert_true(decode_link_supported(228));
}

/*
 * Exactly the ten decoded link types are supported, whatever flags the
 * upper 16 bits of the pcap link-type field carry (pcap-linktype(7)).
 */
static void
test_supported_set(void **state)
{
	static const int want[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 276 };
	size_t i, nsupported = 0;
	int lt;

	(void)state;
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_true(decode_link_supported(want[i]));
		assert_true(decode_link_supported(want[i] | 0x04000000));
	}
	for (lt = 0; lt < 65536; lt++)
		nsupported += decode_link_supported(lt);
	assert_int_equal(nsupported, sizeof want / sizeof want[0]);
}

/* Every prefix of a frame of each link type. */
static void
test_prefixes(void **state)
{
	static const unsigned qinq[] = { 0x88a8, 1, 0x8100, 2, 0x0800 };
	static const unsigned t6[] = { 0x86dd };
	struct {
		int lt;
		struct frame f;
	} c[6];
	struct pkt p;
	enum decode_result r;
	size_t i, n;

	(void)state;
	c[0].lt = 1;
	eth(&c[0].f, qinq, 5);
	add(&c[0].f, IP4, sizeof IP4);
	c[1].lt = 1;
	eth(&c[1].f, t6, 1);
	add(&c[1].f, IP6, sizeof IP6);
	c[2].lt = 113;
	memset(c[2].f.b, 0, 14);
	c[2].f.n = 14;
	add16(&c[2].f, 0x0800);
	add(&c[2].f, IP4, sizeof IP4);
	c[3].lt = 276;
	memset(c[3].f.b, 0, 20);
	c[3].f.b[0] = 0x86;
	c[3].f.b[1] = 0xdd;
	c[3].f.n = 20;
	add(&c[3].f, IP6, sizeof IP6);
	c[4].lt = 0;
	c[4].f.n = 0;
	add(&c[4].f, "\x1e\0\0\0", 4);
	add(&c[4].f, IP6, sizeof IP6);
	c[5].lt = 101;
	c[5].f.n = 0;
	add(&c[5].f, IP4, sizeof IP4);
	for (i = 0; i < 6; i++) {
		for (n = 0; n <= c[i].f.n; n++) {
			r = dec(c[i].lt, &c[i].f, n, &p);
			assert_true(r == DECODE_OK || r == DECODE_MALFORMED);
		}
		assert_int_equal(r, DECODE_OK);
		assert_int_not_equal(p.ipver, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_sll),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_supported_set),
		cmocka_unit_test(test_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
