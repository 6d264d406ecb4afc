/*
 * test_retire.c: a report written while reading, retiring transactions
 * (and the evidence nothing needs any more) after every few frames, must
 * print exactly what the report of the whole model prints, on the lab's
 * real captures; and the model must really shrink. The string pool's
 * compaction is checked on its own, past 16-bit offsets.
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

#include "engine.h"
#include "report/report.h"
#include "util/vec.h"

static const char *const captures[] = {
	"examples/gw502-lab.pcap",
	"examples/gw502-lab-eth.pcap",
	"examples/gw502-lab-ng.pcapng",
};

struct run {
	char *text;
	size_t len;
	uint64_t total, errors, counts[V_COUNT];
	size_t nconns, nmsgs, ntxns;
};

/* Reads path `slice` frames at a time; streamed or printed at the end. */
static void
report_run(const char *path, uint64_t slice, bool streamed, bool json,
    bool all, struct run *r)
{
	struct engine_opts eo;
	struct engine e;
	struct report_opts ro;
	struct report_stream rs;
	char err[256];
	FILE *out;

	memset(r, 0, sizeof *r);
	out = open_memstream(&r->text, &r->len);
	assert_non_null(out);
	engine_default_opts(&eo);
	if (engine_open(&e, path, &eo, err, sizeof err) != 0)
		fail_msg("%s: %s", path, err);
	memset(&ro, 0, sizeof ro);
	ro.all = all;
	report_stream_init(&rs, out, json, &ro);
	rs.retire_batch = 1;
	while (engine_step(&e, slice) == 1) {
		engine_diagnose(&e);
		if (streamed)
			report_stream_step(&rs, &e);
	}
	engine_diagnose(&e);
	if (streamed)
		report_stream_end(&rs, &e);
	else
		report_all(out, &e, &ro, json);
	report_stream_free(&rs);
	fclose(out);
	r->total = diag_total(&e.diag);
	r->errors = e.diag.errors;
	memcpy(r->counts, e.diag.counts, sizeof r->counts);
	r->nconns = e.flow.nconns;
	r->nmsgs = e.flow.nmsgs;
	r->ntxns = e.diag.ntxns;
	engine_close(&e);
}

static void
compare(bool json, bool all)
{
	for (size_t i = 0; i < sizeof captures / sizeof captures[0]; i++) {
		struct run whole, streamed;

		report_run(captures[i], 7, false, json, all, &whole);
		report_run(captures[i], 7, true, json, all, &streamed);
		assert_true(whole.len > 0);
		if (strcmp(whole.text, streamed.text) != 0)
			fail_msg("%s: streamed report differs:\n%s\n---\n%s",
			    captures[i], whole.text, streamed.text);
		assert_int_equal(whole.total, streamed.total);
		assert_int_equal(whole.errors, streamed.errors);
		assert_memory_equal(whole.counts, streamed.counts,
		    sizeof whole.counts);
		/* it did retire: fewer transactions and conns are left */
		assert_true(streamed.ntxns < whole.ntxns);
		assert_true(streamed.nconns < whole.nconns);
		assert_true(streamed.nmsgs < whole.nmsgs);
		free(whole.text);
		free(streamed.text);
	}
}

static void
json_all_equal(void **state)
{
	(void)state;
	compare(true, true);
}

static void
text_errors_equal(void **state)
{
	(void)state;
	compare(false, false);
}

/* Ids outlive retiring: the remaining ones are found, retired ones not. */
static void
ids_survive(void **state)
{
	struct engine_opts eo;
	struct engine e;
	uint8_t *retire;
	char err[256];
	long gone;

	(void)state;
	engine_default_opts(&eo);
	assert_int_equal(engine_open(&e, captures[0], &eo, err, sizeof err), 0);
	while (engine_step(&e, 0) == 1)
		;
	engine_diagnose(&e);
	assert_true(e.diag.ntxns >= 4);
	retire = calloc(e.diag.ntxns, 1);
	assert_non_null(retire);
	retire[0] = retire[2] = 1;
	gone = diag_retire(&e.diag, &e.flow, retire);
	assert_int_equal(gone, 2);
	assert_int_equal(diag_find(&e.diag, 1), NONE32);
	assert_int_equal(diag_find(&e.diag, 3), NONE32);
	assert_int_equal(diag_find(&e.diag, 2), 0);
	assert_int_equal(diag_find(&e.diag, 4), 1);
	assert_int_equal(e.diag.txns[1].id, 4);
	/* what is left still reads as before: every reference valid */
	for (size_t i = 0; i < e.diag.ntxns; i++) {
		const struct txn *t = &e.diag.txns[i];

		assert_true(t->conn < e.flow.nconns);
		assert_true(t->req < e.flow.nmsgs);
		assert_int_equal(e.flow.msgs[t->req].conn, t->conn);
		assert_int_equal(e.flow.msgs[t->req].dir, 0);
		if (t->resp != NONE32)
			assert_int_equal(e.flow.msgs[t->resp].dir, 1);
	}
	assert_int_equal(diag_total(&e.diag), e.diag.ntxns + 2);
	free(retire);
	engine_close(&e);
}

/* 9000 strings of 41 bytes (offsets past 65535); every third kept,
 * named by refs in scrambled order, one of them twice: each ref names
 * its old text, the shared one stays shared, and the pool holds exactly
 * the kept strings. */
static void
strpool_compacts(void **state)
{
	enum { N = 9000, KEPT = N / 3 };
	struct strpool sp = { 0 };
	strref ids[N], kept[KEPT + 1], *refs[KEPT + 1];
	static char want[KEPT + 1][48];
	char buf[48];

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(buf, sizeof buf, "string %05d %028d", i, i * 7);
		ids[i] = strpool_add(&sp, buf, strlen(buf));
		assert_int_not_equal(ids[i], 0);
	}
	assert_true(ids[N - 1] > 65536);
	for (int k = 0; k < KEPT; k++) {
		int i = (k * 617) % KEPT * 3;	/* 617 is prime to 3000 */

		kept[k] = ids[i];
		snprintf(want[k], sizeof want[k], "%s",
		    strpool_get(&sp, ids[i]));
		refs[k] = &kept[k];
	}
	kept[KEPT] = kept[5];
	snprintf(want[KEPT], sizeof want[KEPT], "%s", want[5]);
	refs[KEPT] = &kept[KEPT];
	strpool_compact(&sp, refs, KEPT + 1);
	for (int k = 0; k <= KEPT; k++)
		assert_string_equal(strpool_get(&sp, kept[k]), want[k]);
	assert_int_equal(kept[KEPT], kept[5]);
	assert_int_equal(sp.len, 1 + (size_t)KEPT * 42);	/* 41 + NUL */
	strpool_free(&sp);
}

/*
 * 2000 strings of one to three bytes, so that many start in each 64-byte
 * stretch of the pool (the compaction counts kept offsets by 64): the
 * strings kept are those whose number's lowest bits pick them (a few,
 * most, every other, none, all of a stretch in turn), named by refs in
 * reverse order; a ref to the empty string and a ref past the pool's
 * end both become the empty string. The pool gives a string added again
 * while recent the first one's ref: a string kept twice counts once.
 */
static void
strpool_compacts_tight(void **state)
{
	enum { N = 2000 };
	struct strpool sp = { 0 };
	static strref ids[N], kept[N + 2], *refs[N + 2];
	static char want[N][4];
	static bool counted[4 * N];
	size_t n = 0, len = 1;
	char buf[4];

	(void)state;
	for (int i = 0; i < N; i++) {
		int w = 1 + i % 3;

		for (int c = 0; c < w; c++)
			buf[c] = (char)('a' + (i + c) % 26);
		ids[i] = strpool_add(&sp, buf, (size_t)w);
		assert_int_not_equal(ids[i], 0);
	}
	for (int i = N - 1; i >= 0; i--) {
		int stretch = i / 32 % 5;
		bool keep = stretch == 0 ? i % 7 == 0 : stretch == 1 ?
		    i % 4 != 1 : stretch == 2 ? i % 2 == 0 : stretch == 4;

		if (!keep)
			continue;
		snprintf(want[n], sizeof want[n], "%s",
		    strpool_get(&sp, ids[i]));
		assert_true(ids[i] < 4 * N);
		if (!counted[ids[i]])
			len += strlen(want[n]) + 1;
		counted[ids[i]] = true;
		kept[n] = ids[i];
		refs[n] = &kept[n];
		n++;
	}
	kept[n] = 0;
	kept[n + 1] = (strref)sp.len + 5;
	refs[n] = &kept[n];
	refs[n + 1] = &kept[n + 1];
	strpool_compact(&sp, refs, n + 2);
	for (size_t k = 0; k < n; k++)
		assert_string_equal(strpool_get(&sp, kept[k]), want[k]);
	assert_int_equal(kept[n], 0);
	assert_int_equal(kept[n + 1], 0);
	assert_int_equal(sp.len, len);
	strpool_free(&sp);
}

/*
 * A short string added again while recent shares the first one's ref;
 * a different one, a longer one (a URL) or one past a compaction (the
 * recent refs gone with the strings that moved) gets its own.
 */
static void
strpool_shares_recent(void **state)
{
	struct strpool sp = { 0 };
	char url[128];
	strref get, host, u1, u2, kept, *refs[1] = { &kept };

	(void)state;
	get = strpool_add(&sp, "GET", 3);
	host = strpool_add(&sp, "example.test", 12);
	assert_int_equal(strpool_add(&sp, "GET", 3), get);
	assert_int_equal(strpool_add(&sp, "example.test", 12), host);
	assert_int_not_equal(strpool_add(&sp, "GE", 2), get);
	assert_int_not_equal(strpool_add(&sp, "GETS", 4), get);
	/* the bytes with a NUL inside are not the string before it */
	assert_int_not_equal(strpool_add(&sp, "GET\0x", 5), get);
	memset(url, 'u', sizeof url);
	u1 = strpool_add(&sp, url, STRPOOL_RECENT_LEN + 1);
	u2 = strpool_add(&sp, url, STRPOOL_RECENT_LEN + 1);
	assert_int_not_equal(u1, u2);
	assert_int_equal(strpool_add(&sp, url, STRPOOL_RECENT_LEN),
	    strpool_add(&sp, url, STRPOOL_RECENT_LEN));
	strpool_free(&sp);
	/* "ab" at 6; once "cdefgab" moves down to 1, offset 6 holds the
	 * tail of it, which reads "ab": not a string of its own */
	assert_int_equal(strpool_add(&sp, "aaaa", 4), 1);
	assert_int_equal(strpool_add(&sp, "ab", 2), 6);
	kept = strpool_add(&sp, "cdefgab", 7);
	strpool_compact(&sp, refs, 1);
	assert_int_equal(kept, 1);
	assert_true(strpool_add(&sp, "ab", 2) >= 9);
	strpool_free(&sp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_all_equal),
		cmocka_unit_test(text_errors_equal),
		cmocka_unit_test(ids_survive),
		cmocka_unit_test(strpool_compacts),
		cmocka_unit_test(strpool_shares_recent),
		cmocka_unit_test(strpool_compacts_tight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
