/*
 * test_proto_ip_zero_length.c: an IP length field of 0 (ip.c: IPv4's
 * total length left 0 by TSO on the sending host, IPv6's payload length 0
 * of a jumbogram or of TSO) means the capture is the packet: the payload
 * then counts as whole on the wire (payload_wire_len == payload_len), for
 * TCP, UDP (over IPv6 with a UDP length of 0 too, RFC 2675), ICMPv6 and a
 * protocol without a decoder, behind extension headers as well.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/packet.h"
#include "unit_ip4.h"

/* An IPv6 header with payload length 0 and next header nh, then body. */
static size_t
ip6_zero(uint8_t *b, uint8_t nh, const uint8_t *body, size_t n)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	b[6] = nh;
	b[7] = 64;
	b[8] = 0x20, b[9] = 0x01, b[23] = 1;	/* 2001::1 */
	b[24] = 0x20, b[25] = 0x01, b[39] = 2;	/* 2001::2 */
	memcpy(b + 40, body, n);
	return 40 + n;
}

static void
expect_whole(const uint8_t *b, size_t n, uint8_t l4, uint32_t payload)
{
	struct pkt p;

	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_int_equal(p.l4, l4);
	assert_int_equal(p.payload_len, payload);
	assert_int_equal(p.payload_wire_len, payload);
	assert_false(p.fragment);
}

static void
test_ip6_zero_length(void **state)
{
	/* TCP, data offset 5, ACK|PSH, 6 bytes of data */
	static const uint8_t tcp[26] = { 0x9c, 0x40, 0x00, 0x50, 0, 0, 0, 1,
	    0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0,
	    'h', 'e', 'l', 'l', 'o', '!' };
	/* UDP, length 0 (jumbogram), 4 bytes of data */
	static const uint8_t udp[12] = { 0x9c, 0x40, 0, 53, 0, 0, 0, 0,
	    'a', 'b', 'c', 'd' };
	/* ICMPv6 echo request, 8 + 3 bytes */
	static const uint8_t icmp6[11] = { 128, 0, 0, 0, 0, 1, 0, 1,
	    'x', 'y', 'z' };
	uint8_t b[128], ext[8 + sizeof tcp];

	(void)state;
	expect_whole(b, ip6_zero(b, 6, tcp, sizeof tcp), 6, 6);
	expect_whole(b, ip6_zero(b, 17, udp, sizeof udp), 17, 4);
	expect_whole(b, ip6_zero(b, 58, icmp6, sizeof icmp6), 58, 3);
	expect_whole(b, ip6_zero(b, 132, udp, sizeof udp), 132, sizeof udp);
	/* behind a destination options header of 8 bytes */
	memset(ext, 0, 8);
	ext[0] = 6;
	memcpy(ext + 8, tcp, sizeof tcp);
	expect_whole(b, ip6_zero(b, 60, ext, sizeof ext), 6, 6);
}

static void
test_ip4_zero_length(void **state)
{
	static const uint8_t src[4] = { 10, 0, 0, 5 }, dst[4] = { 10, 0, 0, 1 };
	static const uint8_t tcp[23] = { 0x9c, 0x40, 0x23, 0x82, 0, 0, 0, 9,
	    0, 0, 0, 0, 0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0, 'a', 'b', 'c' };
	uint8_t b[128];
	size_t n;

	(void)state;
	n = unit_ip4(b, 6, src, dst, 1, 0x4000, tcp, sizeof tcp);
	b[2] = b[3] = 0;
	expect_whole(b, n, 6, 3);
	n = unit_ip4(b, 99, src, dst, 1, 0, tcp, sizeof tcp);
	b[2] = b[3] = 0;
	expect_whole(b, n, 99, sizeof tcp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip6_zero_length),
		cmocka_unit_test(test_ip4_zero_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
