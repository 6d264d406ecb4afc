/*
 * test_diag_bighead.c: a reply head larger than the gateway reads. nginx
 * reads one page (4 KB) of an upstream's head by default and answers a
 * bigger one with 502 at once ("upstream sent too big header"), squid
 * past 64 KB (ERR_TOO_BIG): the head is valid HTTP, its size is the
 * failure (bad-response, http-invalid-response, with the size and the
 * settings to raise). A head past the parser's own limits that a
 * gateway relayed as a success is no failure; a small head answered 502
 * is not blamed on its size, nor a big one the gateway answered long
 * after.
 */
#include "diag_scene.h"
#include "diag/diag_int.h"
#include "diag/evidence.h"

/* A 200 head of exactly head_len bytes (at least 64) for no body:
 * Set-Cookie lines of at most 1000 bytes, as big heads are made of. */
static char *
big_head(size_t head_len)
{
	static const char first[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n";
	char *head = malloc(head_len);
	size_t n = sizeof first - 1;

	assert_non_null(head);
	assert_true(head_len >= 64);
	memcpy(head, first, n);
	while (n < head_len - 2) {
		size_t room = head_len - 2 - n, line = room < 1000 ? room : 1000;

		if (line < 16) {	/* too short for a field: widen the last */
			head[n - 2] = 'x';
			memcpy(head + n - 1, "\r\n", 2);
			n++;
			continue;
		}
		memcpy(head + n, "Set-Cookie: c=", 14);
		memset(head + n + 14, 'x', line - 16);
		memcpy(head + n + line - 2, "\r\n", 2);
		n += line;
	}
	memcpy(head + n, "\r\n", 2);
	return head;
}

/* The web side sends the first `send` bytes of a head of head_len bytes,
 * in segments of at most 1400 bytes. */
static void
reply_part(struct scene *s, size_t head_len, size_t send)
{
	char *head = big_head(head_len);

	for (size_t off = 0; off < send; off += 1400)
		uf_send_bytes(s->u, &s->web, &s->out, head + off,
		    send - off < 1400 ? send - off : 1400);
	free(head);
}

static void
reply_with_head(struct scene *s, size_t head_len)
{
	reply_part(s, head_len, head_len);
}

/* The client asks, the gateway resolves HOST and forwards the request;
 * the web side replies 200 with a head of head_len bytes. */
static void
forwarded(struct scene *s, size_t head_len)
{
	ask(s);
	resolve(s);
	upstream_get(s);
	reply_with_head(s, head_len);
}

static const struct txn *
answered_after(struct scene *s, int64_t wait_ns, unsigned status)
{
	uf_wait(s->u, wait_ns);
	uf_rst(s->u, &s->out, &s->web);	/* nginx drops the rest */
	gateway_answers(s, status);
	return diagnosed(s);
}

static void
test_big_head_refused(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	struct evidence ev = { 0 };
	const struct evidence_row *r;
	char sum[256];

	scene_init(&s, u);
	forwarded(&s, 5000);
	t = answered_after(&s, 1 * UF_MS, 502);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "192.0.2.10:80 "
	    "replied \"HTTP/1.1 200 OK\" with a 5000-byte head; the gateway "
	    "answered 502: more than it reads (nginx: 4096 bytes by "
	    "default)");
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	assert_non_null(strstr(ev.remedy, "proxy_buffer_size"));
	r = evidence_find(&ev, EK_UP_REPLY, 0);
	assert_non_null(r);
	assert_true(r->bad);
	assert_string_equal(r->name, "a 5000-byte head: more than the "
	    "gateway reads");
	evidence_free(&ev);
}

/* Just under the page, or answered long after: not the size. */
static void
test_size_not_blamed(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	struct evidence ev = { 0 };

	scene_init(&s, u);
	forwarded(&s, DIAG_BIG_HEAD - 1);
	t = answered_after(&s, 1 * UF_MS, 502);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_REPORT), 0);
	assert_string_equal(ev.remedy, cause_remedy(C_NO_UPSTREAM_EVIDENCE));
	evidence_free(&ev);

	u = again(state);
	scene_init(&s, u);
	forwarded(&s, DIAG_BIG_HEAD);
	t = answered_after(&s, 1500 * UF_MS, 502);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);

	u = again(state);
	scene_init(&s, u);
	forwarded(&s, DIAG_BIG_HEAD);
	t = answered_after(&s, 900 * UF_MS, 502);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
}

/*
 * Past the parser's 32 KB: squid (64 KB) relays it as 200, which is no
 * failure; answered 502, the size is named, not the syntax.
 */
static void
test_head_past_the_parser(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	char sum[256];

	scene_init(&s, u);
	forwarded(&s, 40000);
	uf_wait(u, 1 * UF_MS);
	gateway_answers(&s, 200);
	t = diagnosed(&s);
	assert_false(t->is_error);
	assert_false(t->d.masked);
	expect_verdict(t, V_OK, C_NONE);
	assert_int_equal(u->dg.errors, 0);

	u = again(state);
	scene_init(&s, u);
	forwarded(&s, 40000);
	t = answered_after(&s, 1 * UF_MS, 502);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "192.0.2.10:80 "
	    "replied \"HTTP/1.1 200 OK\" with a head of over 32768 bytes; "
	    "the gateway answered 502: more than it reads (nginx: 4096 bytes "
	    "by default)");
}

/*
 * squid pools its upstream connections: after a head past the parser's
 * limits the rest of it is skipped, and the next reply on the connection
 * is read (before, the direction stopped there and the next request
 * read as unanswered).
 */
static void
test_next_reply_after_a_long_head(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct http_msg *replies[2] = { NULL, NULL };
	size_t n = 0;

	scene_init(&s, u);
	forwarded(&s, 40000);
	uf_get(u, &s.out, &s.web, "/next", HOST);
	uf_status(u, &s.web, &s.out, 200);
	for (size_t i = 0; i < u->fl.nmsgs; i++)
		if (u->fl.msgs[i].dir == 1 && n < 2)
			replies[n++] = &u->fl.msgs[i];
	assert_int_equal(n, 2);
	assert_true(replies[0]->valid);
	assert_true(replies[0]->too_long);
	assert_int_equal(replies[0]->status, 200);
	assert_true(replies[1]->valid);
	assert_false(replies[1]->too_long);
	assert_int_equal(replies[1]->status, 200);
	assert_int_equal(replies[1]->head_len, 38);
}

/*
 * A head cut short: by the gateway (nginx resets the connection once it
 * has read its 4 KB), its size; by the server, its syntax.
 */
static void
test_head_cut_short(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	char sum[256];

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	reply_part(&s, 9000, 5600);
	uf_rst(u, &s.out, &s.web);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "192.0.2.10:80 "
	    "replied \"HTTP/1.1 200 OK\" with a head of over 5600 bytes (the "
	    "gateway cut it short); the gateway answered 502: more than it "
	    "reads (nginx: 4096 bytes by default)");

	u = again(state);
	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	reply_part(&s, 9000, 5600);
	uf_fin(u, &s.web, &s.out);
	uf_fin(u, &s.out, &s.web);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_null(strstr(uf_summary(u, t, sum, sizeof sum), "head of"));
}

/* The gateway closes the client's connection without a byte after the
 * upstream's 200 (nginx on an invalid chunked body). */
static void
test_no_answer_after_200(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	char sum[256];

	scene_init(&s, u);
	forwarded(&s, 100);
	uf_fin(u, &u->srv, &u->cli);
	uf_fin(u, &u->cli, &u->srv);
	t = diagnosed(&s);
	assert_int_equal(t->status, 0);
	assert_int_equal(t->resp, NONE32);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "upstream "
	    "answered \"HTTP/1.1 200 OK\" yet the gateway sent no answer");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_big_head_refused,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_size_not_blamed,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_head_past_the_parser,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_next_reply_after_a_long_head,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_head_cut_short,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_no_answer_after_200,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
