/*
 * test_diag_link_relayed.c: what an upstream reply the gateway relayed
 * says (diag/link.c, DESIGN §1): with --status 500-505, a gateway error
 * the upstream itself answered (502, 503 or 504: an upstream that is a
 * gateway too) is relayed/upstream-5xx; one the upstream answered with
 * another error of its own (500, 501, 505) explains nothing upstream
 * of it (unknown/no-upstream-evidence); an invalid reply is a bad
 * response (http-invalid).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_flow.h"
#include "diag_scene.h"

/* The request goes upstream (frames 1-8), the upstream answers `status`
 * and the gateway relays it; diagnosed with --status 500-505. */
static const struct txn *
upstream_answers(void **state, unsigned status)
{
	struct uf *u = again(state);
	struct scene s;
	struct diag_opts o;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_status(u, &s.web, &s.out, status);
	gateway_answers(&s, status);
	uf_diag_opts(&o);
	o.nstatuses = 0;
	for (unsigned k = 500; k <= 505; k++)
		o.statuses[o.nstatuses++] = (uint16_t)k;
	uf_diag_run(u, &o, true);
	assert_int_equal(u->dg.ntxns, 1);
	return uf_txn(u, 1);
}

static void
test_relayed_statuses(void **state)
{
	for (unsigned st = 500; st <= 505; st++) {
		const struct txn *t = upstream_answers(state, st);

		assert_true(t->is_error);
		assert_int_not_equal(t->d.up_req, NONE32);
		assert_int_not_equal(t->d.up_resp, NONE32);
		if (st >= 502 && st <= 504)
			expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
		else
			expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	}
}

/* The upstream's reply is no HTTP; the gateway answers 502 at once. */
static void
test_invalid_reply(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_send(u, &s.web, &s.out, "SSH-2.0-OpenSSH_9.2\r\n");
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_int_not_equal(t->d.up_resp, NONE32);
}

/*
 * Two clients ask for URL 0.2 ms apart (the address cached). The
 * gateway's first connection is refused and it answers the first client
 * 502 at once; its second connects and sends the request, and 20 ms
 * later the web side answers it 502, which the gateway relays to the
 * second. That reply came after the first client's answer: it is not
 * what the gateway answered the first one (busy --proxies 2, nginx's
 * waiters released together by one late answer: a request answered
 * after a refusal took the relayed 502 of another's try).
 */
static void
test_reply_after_the_answer_is_not_relayed(void **state)
{
	struct uf *u = *state;
	struct uf_side cli2, gw2, out2;
	struct scene s;
	const struct txn *t;

	scene_init(&s, u);
	lookup_at(&s, T0 - 10 * UF_S, HOST, 0, addr300, 1);
	uf_at(u, T0);
	ask(&s);
	uf_at(u, T0 + UF_MS / 5);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 41000, URL);
	uf_at(u, T0 + 1 * UF_MS);
	uf_syn(u, &s.out, &s.web);
	uf_side_init(&out2, "10.0.0.1", 50001, 8000);
	uf_handshake(u, &out2, &s.web);
	uf_rst(u, &s.web, &s.out);
	gateway_answers(&s, 502);
	uf_get(u, &out2, &s.web, "/", HOST);
	uf_at(u, T0 + 21 * UF_MS);
	uf_status(u, &s.web, &out2, 502);
	uf_status(u, &gw2, &cli2, 502);
	uf_diagnose(u);
	assert_int_equal(u->dg.ntxns, 2);
	t = uf_txn(u, 1);
	expect_verdict(t, V_CANNOT_CONNECT, C_TCP_RST);
	assert_int_equal(t->d.up_req, NONE32);
	t = uf_txn(u, 2);
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_relayed_statuses, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(
		    test_reply_after_the_answer_is_not_relayed, uf_setup,
		    uf_teardown),
		cmocka_unit_test_setup_teardown(test_invalid_reply, uf_setup,
		    uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
