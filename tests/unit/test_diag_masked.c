/*
 * test_diag_masked.c: which answers outside --status are gateway errors
 * all the same (diag/link.c, masked_failure; DESIGN §7), by status
 * class: a success (below 400) that relayed an invalid upstream reply is
 * one, and so is a 5xx after one, but a 4xx after one is the client's
 * own error; an error the gateway made itself (400 and above) after a
 * failed look-up or connection, or after the server closed without a
 * byte, is one, a success after them is not (it came from elsewhere: a
 * cache), nor one while its handshake was still under way (no gateway
 * gives one up within a moment of its SYN).
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

enum upstream { INVALID_REPLY, CLOSED, REFUSED, NXDOMAIN, SYN_PENDING,
	SYN_GIVEN_UP };

/* The client's request (frames 1-3), then what happened upstream, then
 * the gateway's answer `status`. */
static const struct txn *
answered(void **state, enum upstream what, unsigned status)
{
	struct uf *u = again(state);
	struct scene s;

	scene_init(&s, u);
	ask(&s);
	switch (what) {
	case INVALID_REPLY:
		resolve(&s);
		upstream_get(&s);
		uf_send(u, &s.web, &s.out, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
		break;
	case CLOSED:
		resolve(&s);
		upstream_get(&s);
		uf_fin(u, &s.web, &s.out);
		break;
	case REFUSED:
		resolve(&s);
		uf_syn(u, &s.out, &s.web);
		uf_rst(u, &s.web, &s.out);
		break;
	case NXDOMAIN:
		query(&s);
		answer(&s, 3, NULL, 0);
		break;
	case SYN_PENDING:	/* answered 1 ms after the SYN */
		resolve(&s);
		uf_syn(u, &s.out, &s.web);
		break;
	case SYN_GIVEN_UP:	/* again 1 s later; answered 2 s after that */
		resolve(&s);
		uf_syn(u, &s.out, &s.web);
		uf_wait(u, 1 * UF_S);
		uf_syn(u, &s.out, &s.web);
		uf_wait(u, 2 * UF_S);
		break;
	}
	gateway_answers(&s, status);
	return diagnosed(&s);
}

static void
expect_masked(const struct txn *t, enum verdict v, enum cause c)
{
	expect_verdict(t, v, c);
	assert_true(t->is_error);
	assert_true(t->d.masked);
}

static void
expect_not_masked(const struct txn *t)
{
	assert_int_equal(t->d.verdict, V_OK);
	assert_int_equal(t->d.cause, C_NONE);
	assert_false(t->is_error);
	assert_false(t->d.masked);
}

static void
test_invalid_reply_relayed(void **state)
{
	const struct txn *t;

	t = answered(state, INVALID_REPLY, 200);
	expect_masked(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	t = answered(state, INVALID_REPLY, 399);
	expect_masked(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_int_not_equal(t->d.up_resp, NONE32);
	/* tinyproxy's and apache's own 500 for a reply they cannot read */
	expect_masked(answered(state, INVALID_REPLY, 500), V_BAD_RESPONSE,
	    C_HTTP_INVALID);
	expect_masked(answered(state, INVALID_REPLY, 599), V_BAD_RESPONSE,
	    C_HTTP_INVALID);
	/* a 4xx is the client's own error, whatever came from upstream */
	expect_not_masked(answered(state, INVALID_REPLY, 400));
	expect_not_masked(answered(state, INVALID_REPLY, 404));
	expect_not_masked(answered(state, INVALID_REPLY, 499));
}

static void
test_own_error_after_failure(void **state)
{
	/* the gateway's own error status after the upstream failed */
	expect_masked(answered(state, REFUSED, 400), V_CANNOT_CONNECT,
	    C_TCP_RST);
	expect_masked(answered(state, REFUSED, 500), V_CANNOT_CONNECT,
	    C_TCP_RST);
	expect_masked(answered(state, NXDOMAIN, 404), V_HOST_NOT_RESOLVABLE,
	    C_DNS_NXDOMAIN);
	expect_masked(answered(state, CLOSED, 500), V_BAD_RESPONSE,
	    C_UPSTREAM_CLOSED);
	expect_masked(answered(state, CLOSED, 400), V_BAD_RESPONSE,
	    C_UPSTREAM_CLOSED);
	expect_masked(answered(state, SYN_GIVEN_UP, 404), V_CANNOT_CONNECT,
	    C_SYN_UNANSWERED);
	/* a handshake still under way was not given up: the gateway's 404
	 * came from elsewhere (the attempt is another request's) */
	expect_not_masked(answered(state, SYN_PENDING, 404));
	expect_not_masked(answered(state, SYN_PENDING, 500));
	/* a success after them came from elsewhere */
	expect_not_masked(answered(state, REFUSED, 399));
	expect_not_masked(answered(state, NXDOMAIN, 399));
	expect_not_masked(answered(state, NXDOMAIN, 200));
	expect_not_masked(answered(state, NXDOMAIN, 302));
	expect_not_masked(answered(state, CLOSED, 200));
}

/* Who chose the status ends the summary, cut at any buffer size like the
 * rest of the sentence and never past it. */
static void
test_note_fits_any_buffer(void **state)
{
	static const char note[] = "; the gateway answered 500 itself";
	const struct txn *t = answered(state, REFUSED, 500);
	char full[256];
	size_t n;

	uf_summary(*state, t, full, sizeof full);
	n = strlen(full);
	assert_true(n > sizeof note);
	assert_string_equal(full + n - (sizeof note - 1), note);
	uf_summary_cuts(*state, t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_invalid_reply_relayed,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_own_error_after_failure,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_note_fits_any_buffer,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
