/*
 * test_diag_refused.c: a valid reply the gateway refuses to pass on.
 * nginx reads one page (4 KB) of an upstream's head by default and
 * answers a bigger one with 502 at once ("upstream sent too big
 * header"), squid past 64 KB (ERR_TOO_BIG): the head is valid HTTP, its
 * size is the failure (bad-response, http-invalid-response, with the
 * size and the settings to raise). A head past the parser's own limits
 * that a gateway relayed as a success is no failure; a small head
 * answered 502 is not blamed on its size, nor a big one the gateway
 * answered long after. nginx also gives up a chunked body with a chunk
 * size line without a size ("upstream sent invalid chunked response")
 * and closes the client's connection without an answer.
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

/* A fresh scene: the client asks, the gateway resolves HOST and
 * forwards the request. */
static void
asked_upstream(struct scene *s, struct uf *u)
{
	scene_init(s, u);
	ask(s);
	resolve(s);
	upstream_get(s);
}

/* That, and the web side replies 200 with a head of head_len bytes. */
static void
forwarded(struct scene *s, struct uf *u, size_t head_len)
{
	asked_upstream(s, u);
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

/* The gateway closes the client's connection without an answer (nginx
 * on a body it cannot frame): the diagnosis. */
static const struct txn *
closed_unanswered(struct scene *s)
{
	uf_fin(s->u, &s->u->srv, &s->u->cli);
	uf_fin(s->u, &s->u->cli, &s->u->srv);
	return diagnosed(s);
}

/* t's upstream reply row on the screen: bad, and named `name`; its
 * remedy holds `fix`. */
static void
expect_reply_row(struct uf *u, const struct txn *t, const char *fix,
    const char *name)
{
	struct evidence ev = { 0 };
	const struct evidence_row *r;

	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
	assert_non_null(strstr(ev.remedy, fix));
	r = evidence_find(&ev, EK_UP_REPLY, 0);
	assert_non_null(r);
	assert_true(r->bad);
	assert_string_equal(r->name, name);
	evidence_free(&ev);
}

static void
test_big_head_refused(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	char sum[256];

	forwarded(&s, u, 5000);
	t = answered_after(&s, 1 * UF_MS, 502);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "192.0.2.10:80 "
	    "replied \"HTTP/1.1 200 OK\" with a 5000-byte head; the gateway "
	    "answered 502: more than it reads (nginx: 4096 bytes by "
	    "default)");
	expect_reply_row(u, t, "proxy_buffer_size", "a 5000-byte head: more "
	    "than the gateway reads");
}

/* Just under the page, or answered long after: not the size. */
static void
test_size_not_blamed(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	struct evidence ev = { 0 };

	forwarded(&s, u, DIAG_BIG_HEAD - 1);
	t = answered_after(&s, 1 * UF_MS, 502);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_REPORT), 0);
	assert_string_equal(ev.remedy, cause_remedy(C_NO_UPSTREAM_EVIDENCE));
	evidence_free(&ev);

	u = again(state);
	forwarded(&s, u, DIAG_BIG_HEAD);
	t = answered_after(&s, 1500 * UF_MS, 502);
	expect_verdict(t, V_UNKNOWN, C_NO_UPSTREAM_EVIDENCE);

	u = again(state);
	forwarded(&s, u, DIAG_BIG_HEAD);
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

	forwarded(&s, u, 40000);
	uf_wait(u, 1 * UF_MS);
	gateway_answers(&s, 200);
	t = diagnosed(&s);
	assert_false(t->is_error);
	assert_false(t->d.masked);
	expect_verdict(t, V_OK, C_NONE);
	assert_int_equal(u->dg.errors, 0);

	u = again(state);
	forwarded(&s, u, 40000);
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

	forwarded(&s, u, 40000);
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

	asked_upstream(&s, u);
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
	asked_upstream(&s, u);
	reply_part(&s, 9000, 5600);
	uf_fin(u, &s.web, &s.out);
	uf_fin(u, &s.out, &s.web);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_null(strstr(uf_summary(u, t, sum, sizeof sum), "head of"));
}

/* The web side's chunked 200 whose first size line is `size`. */
static void
chunked_reply(struct scene *s, const char *size)
{
	char reply[256];

	snprintf(reply, sizeof reply, "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n%s\r\nhello\r\n0\r\n\r\n", size);
	uf_send(s->u, &s->web, &s->out, reply);
}

static void
test_chunk_without_a_size(void **state)
{
	static const char *const sizes[] = { "zz", "", ";ext=1" };
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	char sum[256];

	for (size_t i = 0; i < 3; i++) {
		if (i)
			u = again(state);
		asked_upstream(&s, u);
		chunked_reply(&s, sizes[i]);
		uf_fin(u, &s.out, &s.web);
		t = closed_unanswered(&s);
		expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	}
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "192.0.2.10:80 "
	    "replied \"HTTP/1.1 200 OK\" with a chunked body that has a chunk "
	    "without a size; the gateway closed the connection without an "
	    "answer");
	expect_reply_row(u, t, cause_remedy(C_HTTP_INVALID),
	    "not valid HTTP: a chunk without a size");

	/* a gateway that answers it with its error */
	u = again(state);
	asked_upstream(&s, u);
	chunked_reply(&s, "zz");
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_non_null(strstr(uf_summary(u, t, sum, sizeof sum),
	    "a chunk without a size; the gateway answered 502"));
}

/* Sizes in either case, with an extension: a body, and the next reply. */
static void
test_chunk_sizes_kept(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;

	asked_upstream(&s, u);
	chunked_reply(&s, "5;ext=1");
	uf_get(u, &s.out, &s.web, "/next", HOST);
	uf_status(u, &s.web, &s.out, 200);
	gateway_answers(&s, 200);
	t = diagnosed(&s);
	expect_verdict(t, V_OK, C_NONE);
	for (size_t i = 0; i < u->fl.nmsgs; i++) {
		assert_false(u->fl.msgs[i].bad_body);
		assert_true(u->fl.msgs[i].valid);
		assert_true(u->fl.msgs[i].complete);
	}
}

/*
 * A status outside 100-599 (RFC 9110 15): squid refuses it with 502,
 * nginx relays it, which is no gateway error.
 */
static void
test_status_out_of_range(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	char sum[256];

	asked_upstream(&s, u);
	uf_status(u, &s.web, &s.out, 999);
	gateway_answers(&s, 502);
	t = diagnosed(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "192.0.2.10:80 "
	    "replied \"HTTP/1.1 999 Other\": a status outside 100-599, which "
	    "the gateway refused; it answered 502");
	expect_reply_row(u, t, cause_remedy(C_HTTP_INVALID),
	    "not valid HTTP: a status outside 100-599");

	u = again(state);
	asked_upstream(&s, u);
	uf_status(u, &s.web, &s.out, 999);
	gateway_answers(&s, 999);
	t = diagnosed(&s);
	expect_verdict(t, V_OK, C_NONE);
	assert_false(t->is_error);

	/* a gateway that closes the client's connection instead: no
	 * "answered 0" */
	u = again(state);
	asked_upstream(&s, u);
	uf_status(u, &s.web, &s.out, 999);
	t = closed_unanswered(&s);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "192.0.2.10:80 "
	    "replied \"HTTP/1.1 999 Other\": a status outside 100-599, which "
	    "the gateway refused; it closed the connection without an "
	    "answer");
}

#define GZIP_REPLY "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok"

/* The upstream's whole reply, then the gateway's answer: the diagnosis. */
static const struct txn *
replied(struct scene *s, struct uf *u, const char *reply, uint16_t answer)
{
	asked_upstream(s, u);
	uf_send(u, &s->web, &s->out, reply);
	gateway_answers(s, answer);
	return diagnosed(s);
}

/*
 * A transfer coding other than chunked (RFC 9112 6.3: the body runs to
 * the close): squid refuses it (ERR_INVALID_RESP, 502), nginx relays it;
 * identity, which some servers still send, squid takes.
 */
static void
test_transfer_coding(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	char sum[256];

	t = replied(&s, u, GZIP_REPLY, 502);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "192.0.2.10:80 "
	    "replied \"HTTP/1.1 200 OK\" with \"Transfer-Encoding: gzip\", a "
	    "coding other than chunked, which the gateway refused; it "
	    "answered 502");
	expect_reply_row(u, t, "Content-Encoding", "Transfer-Encoding: gzip: "
	    "a coding the gateway refused");

	u = again(state);	/* relayed: no error */
	t = replied(&s, u, GZIP_REPLY, 200);
	expect_verdict(t, V_OK, C_NONE);

	/* the upstream's own 502 with it, relayed: not a refused coding */
	u = again(state);
	t = replied(&s, u, "HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: "
	    "gzip\r\n\r\nno", 502);
	expect_verdict(t, V_RELAYED, C_UPSTREAM_5XX);
	{
		struct evidence ev = { 0 };
		const struct evidence_row *r;

		assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
		    u->fl.stats.last_ts, EVIDENCE_PANE), 0);
		r = evidence_find(&ev, EK_UP_REPLY, 0);
		assert_non_null(r);
		assert_true(r->bad);
		assert_null(strstr(r->name, "refused"));
		evidence_free(&ev);
	}

	u = again(state);	/* identity, then chunked: framed, taken */
	asked_upstream(&s, u);
	uf_send(u, &s.web, &s.out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "identity, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
	{
		size_t replies = 0;

		for (size_t i = 0; i < u->fl.nmsgs; i++) {
			assert_false(u->fl.msgs[i].odd_coding);
			replies += u->fl.msgs[i].dir == 1 &&
			    u->fl.msgs[i].complete;
		}
		assert_int_equal(replies, 1);
	}
}

/* "HTTP/2.0 200 OK" from an upstream: nginx and squid relay it as a 200,
 * so it is a valid reply, not junk the gateway passed on. */
static void
test_other_version_relayed(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;

	t = replied(&s, u, "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
	    200);
	expect_verdict(t, V_OK, C_NONE);
	assert_false(t->d.masked);
}

/* An empty line before the status line: squid skips it and relays the
 * 200 (a masked failure), nginx gives up; the summary says what is
 * wrong, not an empty quote. */
static void
test_empty_line_first(void **state)
{
	struct uf *u = *state;
	struct scene s;
	const struct txn *t;
	char sum[256];

	t = replied(&s, u, "\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
	    "\r\nok", 200);
	expect_verdict(t, V_BAD_RESPONSE, C_HTTP_INVALID);
	assert_true(t->d.masked);
	assert_string_equal(uf_summary(u, t, sum, sizeof sum), "192.0.2.10:80 "
	    "replied without a valid HTTP status line (no status line): its "
	    "reply began with an empty line; the gateway passed it on as 200");
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

	forwarded(&s, u, 100);
	t = closed_unanswered(&s);
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
		cmocka_unit_test_setup_teardown(test_chunk_without_a_size,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_chunk_sizes_kept,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_status_out_of_range,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_no_answer_after_200,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_transfer_coding,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_other_version_relayed,
		    uf_setup, uf_teardown),
		cmocka_unit_test_setup_teardown(test_empty_line_first,
		    uf_setup, uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
