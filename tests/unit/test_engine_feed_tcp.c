/*
 * test_engine_feed_tcp.c: a compact row's message in several segments is
 * read again from its stretch of the capture (ui/rows.c), of which only
 * the segments of its own connections reach the diagnosis
 * (engine_tcp_keys_add, engine_feed_tcp): another connection between the
 * same two hosts, datagrams and the rest of the capture's traffic are
 * left; an IP fragment is taken (its connection is not known until the
 * datagram is whole).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "unit_ip4.h"

#define LINKTYPE_RAW 101

static const uint8_t gw[4] = { 10, 0, 0, 2 }, up[4] = { 10, 0, 0, 80 };

struct raw {
	uint8_t b[64];
	struct frame f;
};

/* r's packet of len bytes as frame `number`, a millisecond apart. */
static void
as_frame(struct raw *r, uint64_t number, size_t len)
{
	memset(&r->f, 0, sizeof r->f);
	r->f.caplen = r->f.wirelen = (uint32_t)len;
	r->f.number = number;
	r->f.ts_ns = 1000000000LL + (int64_t)number * 1000000;
	r->f.data = r->b;
	r->f.linktype = LINKTYPE_RAW;
}

/* A TCP segment src:sport -> dst:dport with `flags`, as frame `number`. */
static void
segment(struct raw *r, uint64_t number, const uint8_t *src, uint16_t sport,
    const uint8_t *dst, uint16_t dport, uint8_t flags)
{
	uint8_t tcp[20] = { 0 };

	tcp[0] = (uint8_t)(sport >> 8);
	tcp[1] = (uint8_t)sport;
	tcp[2] = (uint8_t)(dport >> 8);
	tcp[3] = (uint8_t)dport;
	tcp[7] = 1;			/* seq 1 */
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	tcp[14] = 0xff;			/* window */
	as_frame(r, number, unit_ip4(r->b, 6, src, dst, (uint16_t)number, 0,
	    tcp, sizeof tcp));
}

/* A UDP datagram, or (fragword) the first fragment of one. */
static void
datagram(struct raw *r, uint64_t number, unsigned fragword)
{
	uint8_t udp[12] = { 0x9c, 0x41, 0x27, 0x0f, 0, 12, 0, 0, 'f', 'i',
		'l', 'l' };

	as_frame(r, number, unit_ip4(r->b, 17, gw, up, (uint16_t)number,
	    fragword, udp, sizeof udp));
}

static void
test_only_its_connections(void **state)
{
	struct engine_opts o;
	struct engine *e = calloc(1, sizeof *e);
	struct engine_tcp_key keys[2];
	struct raw syn, synack, other, udp, frag, other2;
	char err[256];
	size_t n;

	(void)state;
	assert_non_null(e);
	engine_default_opts(&o);
	assert_int_equal(engine_init(e, &o, err, sizeof err), 0);
	segment(&syn, 1, gw, 41000, up, 80, 0x02);
	segment(&synack, 2, up, 80, gw, 41000, 0x12);
	segment(&other, 3, gw, 41001, up, 80, 0x10);
	datagram(&udp, 4, 0);
	datagram(&frag, 5, 0x2000);
	segment(&other2, 6, up, 8080, gw, 41000, 0x10);

	/* a connection's key once, whichever way its segment goes; none
	 * for a datagram; none past `max` */
	n = engine_tcp_keys_add(keys, 0, 2, &syn.f);
	assert_int_equal(n, 1);
	assert_int_equal(engine_tcp_keys_add(keys, n, 2, &synack.f), 1);
	assert_int_equal(engine_tcp_keys_add(keys, n, 2, &udp.f), 1);
	assert_int_equal(engine_tcp_keys_add(keys, n, 2, &frag.f), 1);
	assert_int_equal(engine_tcp_keys_add(keys, n, 1, &other.f), 1);

	engine_feed(e, &syn.f);
	engine_feed_tcp(e, &synack.f, keys, n);
	engine_feed_tcp(e, &other.f, keys, n);
	engine_feed_tcp(e, &udp.f, keys, n);
	engine_feed_tcp(e, &frag.f, keys, n);
	engine_feed_tcp(e, &other2.f, keys, n);
	/* the SYN, its SYN/ACK and the fragment */
	assert_int_equal(e->flow.stats.frames, 3);
	assert_int_equal(e->flow.nconns, 1);
	assert_int_equal(e->flow.conns[0].synack.number, 2);
	/* with no key, no segment is taken */
	engine_feed_tcp(e, &other.f, keys, 0);
	assert_int_equal(e->flow.stats.frames, 3);
	engine_close(e);
	free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_its_connections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
