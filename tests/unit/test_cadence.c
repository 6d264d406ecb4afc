/*
 * test_cadence.c: the diagnosis must not depend on how often it runs
 * (issue 12). The same capture is read as `--report=json --all` reads
 * it — slice after slice, diagnosed and streamed (printed transactions
 * retired) in between — with slices of 1 frame, 7, 4096, 65536 (the
 * file's LOAD_SLICE), the whole file at once, and slices of random size,
 * and every run must print the same bytes. Captures: the lab's examples,
 * and those named in GW_CADENCE_FILES (colon-separated; test_busy.sh
 * passes its busy-gateway and many-small-requests files).
 * GW_CADENCE_SLICES replaces the list of fixed slices (e.g. "4096 65536"
 * where 1-frame slices would take too long); with GW_CADENCE_KEEP=PREFIX
 * the two reports of a difference are written to PREFIX.once and
 * PREFIX.sliced; GW_CADENCE_PORTS (e.g. "80") replaces the default proxy
 * ports.
 *
 * The screen's diagnosis runs in steps of a few transactions with its keys
 * looked at in between (issue 13): read as the screen reads (open
 * requests diagnosed too), every diagnosis made in steps of one
 * transaction, and once cut short and begun again as q does, must give
 * every transaction the verdict, cause, evidence and summary of one
 * diag_run, and the counts must not move until the run is complete.
 *
 * The screen retires and evicts in steps too (diag_retire_begin,
 * diag_evict_begin, diag_keep_step): with a connection budget small
 * enough to evict, each done in steps of one item (some cut short and
 * begun again) must leave the model one call leaves — the same
 * transactions, connections, messages and look-ups, the same verdicts
 * and evidence — and must not change it before the last step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "report/report.h"

#define MAX_SLICES 16
#define RANDOM_RUNS 2

static const char *const examples[] = {
	"examples/gw502-lab.pcap",
	"examples/gw502-lab-eth.pcap",
	"examples/gw502-lab-ng.pcapng",
};

/* xorshift64: the random slices are the same every run (seeded). */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The engine's defaults, with GW_CADENCE_PORTS's proxy ports (e.g. "80"
 * for bench/revbusy's reverse proxy) when set. */
static void
cadence_opts(struct engine_opts *eo)
{
	const char *env = getenv("GW_CADENCE_PORTS");

	engine_default_opts(eo);
	if (env == NULL)
		return;
	eo->nproxy_ports = 0;
	for (const char *p = env; *p && eo->nproxy_ports < FLOW_MAX_PROXY_PORTS;
	    p += strcspn(p, ","), p += *p == ',')
		eo->proxy_ports[eo->nproxy_ports++] = (uint16_t)atoi(p);
}

/*
 * The report of path read `slice` frames at a time (0: all at once; with
 * a seed, each slice 1 to 2^(seed's draw) frames), as main.c's --report.
 */
static char *
report_at(const char *path, uint64_t slice, uint64_t seed, size_t *len)
{
	struct engine_opts eo;
	struct engine e;
	struct report_opts ro;
	struct report_stream rs;
	char err[256], *text = NULL;
	FILE *out = open_memstream(&text, len);

	assert_non_null(out);
	cadence_opts(&eo);
	eo.settled_only = true;
	if (engine_open(&e, path, &eo, err, sizeof err) != 0)
		fail_msg("%s: %s", path, err);
	memset(&ro, 0, sizeof ro);
	ro.all = true;
	report_stream_init(&rs, out, true, &ro);
	for (;;) {
		uint64_t n = slice;

		if (seed != 0)	/* log-uniform: many small, some huge */
			n = 1 + next_rand(&seed) % (2ull << next_rand(&seed) % 17);
		if (engine_step(&e, n) != 1)
			break;
		engine_diagnose(&e);
		report_stream_step(&rs, &e);
	}
	engine_diagnose(&e);
	report_stream_end(&rs, &e);
	report_stream_free(&rs);
	engine_close(&e);
	fclose(out);
	return text;
}

static void
keep(const char *prefix, const char *what, const char *text, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s.%s", prefix, what);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fwrite(text, 1, len, f);
	fclose(f);
}

/* Where a and b first differ (line, and the text around it). */
static void
first_difference(const char *a, const char *b, char *out, size_t outlen)
{
	size_t line = 1, start = 0, i = 0;

	for (; a[i] && a[i] == b[i]; i++)
		if (a[i] == '\n') {
			line++;
			start = i + 1;
		}
	if (i > start + 300)
		start = i - 300;
	snprintf(out, outlen, "line %zu:\n  ...%.500s\nvs\n  ...%.500s", line,
	    a + start, b + start);
}

static void
same_at_every_cadence(const char *path)
{
	uint64_t slices[MAX_SLICES] = { 1, 7, 4096, 65536 };
	size_t nslices = 4, len0, len;
	const char *env = getenv("GW_CADENCE_SLICES");
	char *whole = report_at(path, 0, 0, &len0), why[1400];

	assert_true(len0 > 0);
	if (env != NULL) {
		char *end;

		for (nslices = 0; *env && nslices < MAX_SLICES; env = end) {
			slices[nslices] = strtoull(env, &end, 10);
			if (end == env)
				break;
			nslices += slices[nslices] != 0;
		}
	}
	for (size_t k = 0; k < nslices + RANDOM_RUNS; k++) {
		uint64_t seed = k < nslices ? 0 : 0x9e3779b97f4a7c15ull * (k + 1);
		char *text = report_at(path, k < nslices ? slices[k] : 0, seed,
		    &len);

		if (len != len0 || memcmp(text, whole, len) != 0) {
			first_difference(whole, text, why, sizeof why);
			if (getenv("GW_CADENCE_KEEP") != NULL) {
				keep(getenv("GW_CADENCE_KEEP"), "once", whole, len0);
				keep(getenv("GW_CADENCE_KEEP"), "sliced", text, len);
			}
			fail_msg("%s: the report read in %s (%llu) differs "
			    "from the one read at once, %s", path, seed ?
			    "random-size slices, seed" : "slices of frames",
			    (unsigned long long)(seed ? seed : slices[k]), why);
		}
		free(text);
	}
	free(whole);
}

/* Frames the sliced diagnosis compares at: the lab's files are small. */
#define STEP_FRAMES 512
#define STEP_FRAMES_NAMED 65536

static void
same_txn(const struct engine *a, const struct engine *b, size_t i,
    const char *path)
{
	const struct txn *x = &a->diag.txns[i], *y = &b->diag.txns[i];
	int64_t now = a->flow.stats.last_ts;
	char sx[1024], sy[1024];
	uint64_t fx[256], fy[256];
	size_t nx, ny;

	if (x->id != y->id || x->settled != y->settled ||
	    x->is_error != y->is_error ||
	    memcmp(&x->d, &y->d, sizeof x->d) != 0)
		fail_msg("%s: request #%u: diagnosed in steps, verdict %s "
		    "cause %s, at once %s %s (or other evidence)", path, x->id,
		    verdict_key(y->d.verdict), cause_key(y->d.cause),
		    verdict_key(x->d.verdict), cause_key(x->d.cause));
	diag_summary(&a->diag, &a->flow, x, sx, sizeof sx);
	diag_summary(&b->diag, &b->flow, y, sy, sizeof sy);
	assert_string_equal(sx, sy);
	nx = diag_evidence_frames(&a->flow, x, now, fx, 256);
	ny = diag_evidence_frames(&b->flow, y, now, fy, 256);
	assert_int_equal(nx, ny);
	assert_memory_equal(fx, fy, nx * sizeof *fx);
}

/*
 * b's diagnosis in steps of one transaction (after `restart` of them,
 * begun again, as the screen does when q stops a load mid-diagnosis):
 * the counts stay those of the last complete run until it returns true.
 */
static size_t
diagnose_in_steps(struct engine *b, size_t restart)
{
	uint64_t counts[V_COUNT], errors = b->diag.errors;
	size_t steps = 0;

	memcpy(counts, b->diag.counts, sizeof counts);
	engine_diagnose_begin(b);
	while (!engine_diagnose_step(b, 1)) {
		assert_memory_equal(counts, b->diag.counts, sizeof counts);
		assert_int_equal(errors, b->diag.errors);
		if (++steps == restart)
			engine_diagnose_begin(b);
	}
	return steps;
}

static void
same_in_steps(const char *path, uint64_t frames)
{
	struct engine_opts eo;
	struct engine a, b;
	char err[256];
	size_t steps = 0, runs = 0;
	int more;

	cadence_opts(&eo);	/* the screen's: open ones too */
	if (engine_open(&a, path, &eo, err, sizeof err) != 0 ||
	    engine_open(&b, path, &eo, err, sizeof err) != 0)
		fail_msg("%s: %s", path, err);
	do {
		more = engine_step(&a, frames);
		assert_int_equal(more, engine_step(&b, frames));
		engine_diagnose(&a);
		steps += diagnose_in_steps(&b, ++runs % 3 == 0 ? 2 : 0);
		assert_int_equal(a.diag.ntxns, b.diag.ntxns);
		assert_memory_equal(a.diag.counts, b.diag.counts,
		    sizeof a.diag.counts);
		assert_int_equal(a.diag.errors, b.diag.errors);
		for (size_t i = 0; i < a.diag.ntxns; i++)
			same_txn(&a, &b, i, path);
	} while (more);
	/* the steps were steps: more of them than runs */
	assert_true(a.diag.ntxns > 0);
	assert_true(steps > runs);
	engine_close(&a);
	engine_close(&b);
}

/* The model's size: what a step before the last must not change. */
struct model_size {
	size_t ntxns, nconns, nmsgs, ndns;
	uint64_t evicted;
};

static struct model_size
model_size(const struct engine *e)
{
	return (struct model_size){ e->diag.ntxns, e->flow.nconns,
	    e->flow.nmsgs, e->flow.ndns, e->flow.stats.conns_evicted };
}

/*
 * b's pass (begun: 1) in steps of one item, cut short after `restart`
 * steps and begun again by begin(); the model stays as it was until the
 * last step, one of the steps before it says it blocks (the compaction).
 * Returns its result.
 */
static long
keep_in_steps(struct engine *b, int begun, size_t restart,
    int (*begin)(struct engine *))
{
	struct model_size before = model_size(b);
	size_t steps = 0;
	bool blocks = false;
	long result = begun;

	if (begun != 1)
		return begun;
	while (!diag_keep_step(&b->diag, &b->flow, 1, &result)) {
		struct model_size now = model_size(b);

		assert_memory_equal(&before, &now, sizeof now);
		blocks |= diag_keep_blocks_next(&b->diag);
		if (++steps == restart) {
			diag_keep_cancel(&b->diag);
			assert_int_equal(begin(b), 1);
		}
	}
	assert_null(b->diag.keeping);
	assert_true(blocks || result <= 0);
	return result;
}

/* The model one call left (a) and the one the steps left (b) are one. */
static void
same_model(const struct engine *a, const struct engine *b, const char *path)
{
	struct model_size x = model_size(a), y = model_size(b);

	assert_memory_equal(&x, &y, sizeof x);
	assert_memory_equal(a->diag.retired.counts, b->diag.retired.counts,
	    sizeof a->diag.retired.counts);
	for (size_t i = 0; i < a->flow.nconns; i++)
		assert_int_equal(a->flow.conns[i].first.number,
		    b->flow.conns[i].first.number);
	for (size_t i = 0; i < a->flow.nmsgs; i++)
		assert_int_equal(a->flow.msgs[i].start.number,
		    b->flow.msgs[i].start.number);
	for (size_t i = 0; i < a->diag.ntxns; i++)
		same_txn(a, b, i, path);
}

static int
evict_begin(struct engine *e)
{
	return diag_evict_begin(&e->diag, &e->flow);
}

/* What the screen retires: every settled transaction whose story is
 * over, every other time only one in two of them. */
static uint8_t *retire_flags;

static int
retire_begin(struct engine *e)
{
	return diag_retire_begin(&e->diag, &e->flow, retire_flags);
}

static void
flag_retired(const struct engine *e, unsigned run)
{
	const struct diag *dg = &e->diag;

	free(retire_flags);
	retire_flags = calloc(dg->ntxns + 1, 1);
	assert_non_null(retire_flags);
	for (size_t i = 0; i < dg->ntxns; i++)
		retire_flags[i] = dg->txns[i].settled && (run % 2 == 0 ||
		    i % 2 == 0) && txn_final_ns(dg, &e->flow, &dg->txns[i]) <=
		    e->flow.stats.last_ts;
}

static void
kept_in_steps(const char *path, uint64_t frames, size_t budget,
    bool must_evict)
{
	struct engine_opts eo;
	struct engine a, b;
	char err[256];
	unsigned runs = 0;
	long retired = 0, evicted = 0;
	int more;

	cadence_opts(&eo);	/* the screen's: open ones too */
	eo.conn_budget_set = true;
	eo.conn_budget = budget;
	if (engine_open(&a, path, &eo, err, sizeof err) != 0 ||
	    engine_open(&b, path, &eo, err, sizeof err) != 0)
		fail_msg("%s: %s", path, err);
	b.evict_by_caller = true;
	do {
		long ra, rb;

		more = engine_step(&a, frames);
		assert_int_equal(more, engine_step(&b, frames));
		rb = keep_in_steps(&b, evict_begin(&b), runs % 3 == 1 ? 2 : 0,
		    evict_begin);
		engine_diagnose(&a);
		engine_diagnose_begin(&b);
		engine_diagnose_step(&b, SIZE_MAX);
		same_model(&a, &b, path);
		evicted += rb > 0 ? rb : 0;
		flag_retired(&a, runs);
		ra = diag_retire(&a.diag, &a.flow, retire_flags);
		rb = keep_in_steps(&b, retire_begin(&b), runs % 3 == 2 ? 3 : 0,
		    retire_begin);
		assert_int_equal(ra, rb);
		same_model(&a, &b, path);
		retired += ra > 0 ? ra : 0;
		runs++;
	} while (more);
	/* both happened, in steps */
	assert_true(retired > 0);
	assert_true(evicted > 0 || !must_evict);
	assert_int_equal(a.flow.stats.conns_evicted, b.flow.stats.conns_evicted);
	free(retire_flags);
	retire_flags = NULL;
	engine_close(&a);
	engine_close(&b);
}

static void
examples_kept_in_steps(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
		kept_in_steps(examples[i], STEP_FRAMES, 16, true);
}

static void
named_kept_in_steps(const char *path)
{
	kept_in_steps(path, STEP_FRAMES_NAMED, 256, false);
}

static void
examples_same_in_steps(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
		same_in_steps(examples[i], STEP_FRAMES);
}

static void
named_same_in_steps(const char *path)
{
	same_in_steps(path, STEP_FRAMES_NAMED);
}

static void
examples_same(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
		same_at_every_cadence(examples[i]);
}

/* check() on each file of GW_CADENCE_FILES (main runs it only when set). */
static void
each_named_file(void (*check)(const char *path))
{
	const char *env = getenv("GW_CADENCE_FILES");
	char *list, *save = NULL;

	assert_non_null(env);
	list = strdup(env);
	assert_non_null(list);
	for (char *p = strtok_r(list, ":", &save); p != NULL;
	    p = strtok_r(NULL, ":", &save))
		check(p);
	free(list);
}

static void
named_files_same(void **state)
{
	(void)state;
	each_named_file(same_at_every_cadence);
}

static void
named_files_same_in_steps(void **state)
{
	(void)state;
	each_named_file(named_same_in_steps);
}

static void
named_files_kept_in_steps(void **state)
{
	(void)state;
	each_named_file(named_kept_in_steps);
}

int
main(void)
{
	const struct CMUnitTest examples_only[] = {
		cmocka_unit_test(examples_same),
		cmocka_unit_test(examples_same_in_steps),
		cmocka_unit_test(examples_kept_in_steps),
	};
	const struct CMUnitTest with_files[] = {
		cmocka_unit_test(examples_same),
		cmocka_unit_test(named_files_same),
		cmocka_unit_test(examples_same_in_steps),
		cmocka_unit_test(named_files_same_in_steps),
		cmocka_unit_test(examples_kept_in_steps),
		cmocka_unit_test(named_files_kept_in_steps),
	};
	const char *env = getenv("GW_CADENCE_FILES");

	/* more files are an option test_busy.sh takes, not a skipped test */
	if (env != NULL && *env != '\0')
		return cmocka_run_group_tests(with_files, NULL, NULL);
	return cmocka_run_group_tests(examples_only, NULL, NULL);
}
