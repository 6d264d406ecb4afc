/*
 * flow_fixture.h: a flow model with proxy port 9090 and a frame counter,
 * set up and torn down around each test (test_stream.c, test_dnslog.c).
 */
#ifndef GW_FLOW_FIXTURE_H
#define GW_FLOW_FIXTURE_H

#include "flow/flow.h"

struct fixture {
	struct flow fl;
	uint64_t frame;
};

static int
setup(void **state)
{
	static struct fixture fx;
	uint16_t ports[] = { 9090 };

	memset(&fx, 0, sizeof fx);
	assert_int_equal(flow_init(&fx.fl, ports, 1), 0);
	*state = &fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	flow_free(&fx->fl);
	return 0;
}

#endif
