/*
 * test_dfilter.c: the display-filter language: what parses, operator
 * precedence (! > && > ||), errors with the offending token's position,
 * and evaluation over frames built here (IPv4/TCP, IPv6/TCP, a DNS query,
 * an ICMP error quoting a SYN) with Wireshark's multi-value semantics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/dfilter.h"
#include "filter/framefields.h"

#define LT_RAW 101

struct pktbuf {
	uint8_t d[256];
	uint32_t n;
};

static void
ip4(struct pktbuf *b, const char *src, const char *dst, uint8_t proto,
    uint16_t l4len)
{
	struct gw_addr s, d;
	uint16_t tot = (uint16_t)(20 + l4len);

	assert_true(addr_parse(src, &s) && addr_parse(dst, &d));
	memset(b->d + b->n, 0, 20);
	b->d[b->n] = 0x45;
	b->d[b->n + 2] = (uint8_t)(tot >> 8);
	b->d[b->n + 3] = (uint8_t)tot;
	b->d[b->n + 8] = 64;
	b->d[b->n + 9] = proto;
	memcpy(b->d + b->n + 12, s.a, 4);
	memcpy(b->d + b->n + 16, d.a, 4);
	b->n += 20;
}

static void
tcp(struct pktbuf *b, uint16_t sport, uint16_t dport, uint8_t flags)
{
	uint8_t *t = b->d + b->n;

	memset(t, 0, 20);
	t[0] = (uint8_t)(sport >> 8);
	t[1] = (uint8_t)sport;
	t[2] = (uint8_t)(dport >> 8);
	t[3] = (uint8_t)dport;
	t[12] = 5 << 4;
	t[13] = flags;
	b->n += 20;
}

/* A frame of raw IP, as the capture layer hands it on. */
static struct frame
frame_of(const struct pktbuf *b, uint64_t number)
{
	struct frame f;

	memset(&f, 0, sizeof f);
	f.number = number;
	f.ts_ns = (int64_t)number * 1000000000LL;
	f.data = b->d;
	f.caplen = f.wirelen = b->n;
	f.linktype = LT_RAW;
	return f;
}

static struct ff_index ix;	/* empty: no model */
static struct frame_fields ff;

static void
fill(const struct pktbuf *b, uint64_t number)
{
	struct frame f = frame_of(b, number);

	ff_fill(&ff, &ix, &f, FF_NEED_ALL);
}

static bool
match(const char *text)
{
	struct dfilter_error e;
	struct dfilter *df = dfilter_compile(text, &e);
	bool r;

	if (df == NULL)
		fail_msg("%s: %s at %zu", text, e.msg, e.pos);
	r = dfilter_eval(df, &ff);
	dfilter_free(df);
	return r;
}

static void
syn_frame(uint64_t number)
{
	struct pktbuf b = { .n = 0 };

	ip4(&b, "10.250.0.11", "10.250.0.1", 6, 20);
	tcp(&b, 45952, 9090, 0x02);
	fill(&b, number);
}

static void
test_parses(void **state)
{
	static const char *const ok[] = {
		"ip.addr==10.250.0.11 && (http.response.code==502 || "
		    "http.request)",
		"(ip.addr==10.250.0.11 && (http.response.code==502||"
		    "http.request)) ||dns",
		"(ip.addr==1.2.3.4 && (http.response.code==502 || "
		    "http.request)) || (ip.addr==5.6.7.8 && tcp.port==80)",
		"ip.addr eq 1.2.3.4 and not tcp.port ne 80 or dns",
		"!tcp", "not not udp", "((tcp))", "tcp.port>=1 && tcp.port<=2",
		"tcp.port > 1 && tcp.port < 2", "frame.time_relative < 1.5",
		"http.host contains \"ex\\\"a\"", "http.request.method == GET",
		"ip.addr == 10.0.0.0/8", "ipv6.addr == fd00::/8",
		"ipv6.src == ::1", "tcp.flags.syn == true",
		"tcp.port == 0x50", "  tcp  ",
	};

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct dfilter_error e;
		struct dfilter *df = dfilter_compile(ok[i], &e);

		if (df == NULL)
			fail_msg("%s: %s", ok[i], e.msg);
		dfilter_free(df);
	}
}

static void
test_precedence(void **state)
{
	(void)state;
	syn_frame(1);
	/* && binds tighter than ||: 1 || (2 && 3) */
	assert_true(match("frame.number==1 || frame.number==2 && "
	    "frame.number==3"));
	assert_false(match("(frame.number==1 || frame.number==2) && "
	    "frame.number==3"));
	/* ! binds tighter than &&: (!a) && b */
	assert_false(match("!frame.number==1 && frame.number==1"));
	assert_true(match("!frame.number==2 && frame.number==1"));
	assert_true(match("not frame.number==2 and frame.number==1 or udp"));
	assert_true(match("!(frame.number==1 && udp)"));
	assert_true(match("frame.number==2 or frame.number==1 and tcp"));
	assert_false(match("(frame.number==2 or frame.number==1) and udp"));
}

struct bad {
	const char *text;
	size_t pos, len;
	const char *msg;
};

static void
test_errors(void **state)
{
	static const struct bad bad[] = {
		{ "ip.adr==1.2.3.4", 0, 6, "unknown field \"ip.adr\"" },
		{ "tcp && htp.request", 7, 11, "unknown field \"htp.request\"" },
		{ "ip.addr==1.2.3.4 && (tcp.port==80", 20, 1,
		    "unmatched \"(\"" },
		{ "ip.addr==", 9, 1, "unexpected end of filter" },
		{ "tcp.port==abc", 10, 3, "\"abc\" is not a number" },
		{ "ip.addr==1.2.3.4/33", 9, 10, "not an IPv4 address" },
		{ "ip.addr==fd00::1", 9, 7, "not an IPv4 address" },
		{ "ipv6.addr==1.2.3.4", 11, 7, "not an IPv6 address" },
		{ "http.request==1", 12, 2, "cannot be compared" },
		{ "tcp.port contains 80", 9, 8, "cannot be compared" },
		{ "http.host == \"abc", 13, 4, "unterminated string" },
		{ "tcp udp", 4, 3, "expected \"&&\" or \"||\"" },
		{ "tcp)", 3, 1, "unmatched \")\"" },
		{ "tcp && && udp", 7, 2, "expected a field" },
		{ "tcp ||", 6, 1, "unexpected end of filter" },
		{ "   ", 0, 1, "empty filter" },
		{ "tcp.port == 80 # x", 15, 1, "unexpected \"#\"" },
	};
	char out[512];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct dfilter_error e;
		struct dfilter *df = dfilter_compile(bad[i].text, &e);

		if (df != NULL)
			fail_msg("%s: compiled", bad[i].text);
		if (strstr(e.msg, bad[i].msg) == NULL || e.pos != bad[i].pos ||
		    e.len != bad[i].len)
			fail_msg("%s: got \"%s\" at %zu+%zu", bad[i].text, e.msg,
			    e.pos, e.len);
	}
	{
		struct dfilter_error e;

		assert_null(dfilter_compile("tcp && ip.adr==1", &e));
		dfilter_error_format("tcp && ip.adr==1", &e, 2, out, sizeof out);
		assert_string_equal(out, "unknown field \"ip.adr\"\n"
		    "  tcp && ip.adr==1\n"
		    "         ^~~~~~");
	}
}

static void
test_deep_nesting(void **state)
{
	char text[600];
	struct dfilter_error e;

	(void)state;
	memset(text, '(', 300);
	strcpy(text + 300, "tcp");
	assert_null(dfilter_compile(text, &e));
	assert_non_null(strstr(e.msg, "too deeply nested"));
	memset(text, '!', 300);
	strcpy(text + 300, "tcp");
	assert_null(dfilter_compile(text, &e));
}

static void
test_ipv4_tcp(void **state)
{
	(void)state;
	syn_frame(7);
	assert_true(match("ip.addr==10.250.0.11"));
	assert_true(match("ip.addr==10.250.0.1"));
	assert_true(match("ip.src==10.250.0.11 && ip.dst==10.250.0.1"));
	assert_false(match("ip.dst==10.250.0.11"));
	/* != holds only when every value differs */
	assert_false(match("ip.addr!=10.250.0.1"));
	assert_true(match("ip.addr!=10.9.9.9"));
	assert_true(match("ip.addr==10.0.0.0/8"));
	assert_true(match("ip.addr==10.250.0.8/29"));	/* .11 */
	assert_false(match("ip.src==10.250.0.0/29"));
	assert_true(match("ip.addr==0.0.0.0/0"));
	assert_true(match("tcp.port==9090 && tcp.srcport==45952"));
	assert_true(match("tcp.port > 45000 && tcp.dstport < 9091"));
	assert_true(match("tcp.flags.syn==1 && tcp.flags.ack==0"));
	assert_true(match("tcp.flags.reset==0 && !tcp.flags.fin==1"));
	assert_false(match("udp || icmp || ipv6 || dns || http"));
	/* a test on an absent field is false, its negation true */
	assert_false(match("udp.port==53"));
	assert_false(match("udp.port!=53"));
	assert_true(match("!(udp.port==53)"));
	assert_true(match("frame.number==7 && frame.time_relative==7"));
	assert_true(match("frame.len==40 && tcp && ip && frame"));
}

static void
test_ipv6(void **state)
{
	struct pktbuf b = { .n = 0 };
	struct gw_addr s, d;

	(void)state;
	assert_true(addr_parse("fd00:250::16", &s) &&
	    addr_parse("fd00:250::1", &d));
	memset(b.d, 0, 40);
	b.d[0] = 0x60;
	b.d[5] = 20;
	b.d[6] = 6;
	b.d[7] = 64;
	memcpy(b.d + 8, s.a, 16);
	memcpy(b.d + 24, d.a, 16);
	b.n = 40;
	tcp(&b, 39010, 9090, 0x12);
	fill(&b, 3);
	assert_true(match("ipv6.addr==fd00:250::16 && ipv6.dst==fd00:250::1"));
	assert_true(match("ipv6.src==fd00:250::/32 && ipv6"));
	assert_false(match("ipv6.src==fd00:251::/32 || ip"));
	assert_true(match("tcp.flags.syn==1 && tcp.flags.ack==1"));
	assert_false(match("ip.addr==10.0.0.0/8"));
}

static void
test_dns(void **state)
{
	static const uint8_t q[] = {
		0x1a, 0x2b, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 5, 'l', 'o', 'c', 'a',
		'l', 0, 0, 1, 0, 1 };
	struct pktbuf b = { .n = 0 };
	char info[256];
	uint8_t *u;

	(void)state;
	ip4(&b, "10.250.0.1", "10.250.0.53", 17, 8 + sizeof q);
	u = b.d + b.n;
	memset(u, 0, 8);
	u[0] = 0xc3;
	u[1] = 0x50;	/* 50000 */
	u[3] = 53;
	u[5] = (uint8_t)(8 + sizeof q);
	memcpy(u + 8, q, sizeof q);
	b.n += 8 + sizeof q;
	fill(&b, 2);
	assert_true(match("dns && udp.port==53 && udp.srcport==50000"));
	assert_true(match("dns.qry.name==\"example.local\""));
	assert_true(match("dns.qry.name contains \"ple.lo\""));
	assert_false(match("dns.qry.name contains \"PLE\""));	/* exact case */
	assert_true(match("dns.qry.name > \"a\" && dns.qry.name < \"f\""));
	assert_true(match("dns.flags.response==0"));
	assert_false(match("dns.flags.rcode==0"));	/* only on answers */
	ff_info(&ff, info, sizeof info);
	assert_string_equal(info, "Standard query 0x1a2b A example.local");
	assert_string_equal(ff_protocol(&ff), "DNS");
}

/* An ICMP error quoting a SYN: the quote's fields count too. */
static void
test_icmp_quote(void **state)
{
	struct pktbuf b = { .n = 0 };
	char info[256];
	uint8_t *ic;

	(void)state;
	ip4(&b, "10.250.0.91", "10.250.0.1", 1, 8 + 40);
	ic = b.d + b.n;
	memset(ic, 0, 8);
	ic[0] = 3;
	ic[1] = 13;
	b.n += 8;
	ip4(&b, "10.250.0.1", "10.250.0.91", 6, 20);
	tcp(&b, 42720, 80, 0x02);
	fill(&b, 225);
	assert_true(match("icmp && icmp.type==3 && icmp.code==13"));
	assert_true(match("ip.addr==10.250.0.91 && tcp.port==80"));
	assert_true(match("tcp && tcp.flags.syn==1"));
	assert_false(match("ip.addr!=10.250.0.1"));
	assert_false(match("tcp.analysis.retransmission || icmpv6"));
	ff_info(&ff, info, sizeof info);
	assert_string_equal(info, "Destination unreachable (Communication "
	    "administratively filtered)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parses),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_ipv4_tcp),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_icmp_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
