/*
 * test_rows_rebuild.c: a retired row's evidence, rebuilt on selection
 * from its frames (rows_rebuild), is the evidence of the model that kept
 * everything, row for row: kind, frame, the failure mark and every text
 * the pane shows. On every bundled lab capture (each read with its
 * proxies' ports), each error row: the screen must not change its story
 * with its memory mode. tests/e2e/test_tui_rows.sh compares the drawn
 * panes on some of them through tmux; this one reads them all (under
 * ASan in `make check`).
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
#include "diag/evidence.h"
#include "ui/rows.h"

struct capture {
	const char *path;
	uint16_t ports[4];
};

/* the lab recordings and the ports their proxies serve */
static const struct capture captures[] = {
	{ "examples/gw502-lab.pcap", { 9090, 9091 } },
	{ "examples/gw502-lab-ng.pcapng", { 9090, 9091 } },
	{ "examples/gw502-lab-eth.pcap", { 9090, 9091, 9093 } },
	{ "examples/gw502-lab-squid.pcap", { 9090, 9091 } },
	{ "examples/gw502-hop.pcap", { 9090 } },
	{ "examples/gw502-odd.pcap", { 9094, 9095, 9096, 9097 } },
	{ "examples/gw502-busy.pcap", { 9091, 9092 } },
	{ "examples/gw502-rev.pcap", { 80, 8081, 8082 } },
};

static void
load(struct engine *e, const struct capture *c)
{
	struct engine_opts eo;
	char err[256];

	engine_default_opts(&eo);
	for (size_t k = 0; k < 4 && c->ports[k]; k++)
		eo.proxy_ports[eo.nproxy_ports++] = c->ports[k];
	if (engine_open(e, c->path, &eo, err, sizeof err) != 0)
		fail_msg("%s: %s", c->path, err);
	while (engine_step(e, 0) == 1)
		;
	engine_diagnose(e);
}

/* What the pane draws of a row, as one line. */
static void
row_line(const struct evidence_row *r, char *out, size_t outlen)
{
	snprintf(out, outlen, "%u #%llu %s%s|%s|%s|%s|%s|%s|%s", r->kind,
	    (unsigned long long)r->frame, r->bad ? "bad " : "",
	    r->listed ? "listed" : "", r->peer, r->text, r->rel, r->delay,
	    r->offset, r->interval);
}

static void
same_evidence(const char *path, uint32_t id, const struct evidence *kept,
    const struct evidence *rebuilt)
{
	char a[1024], b[1024];

	for (size_t k = 0; k < kept->n || k < rebuilt->n; k++) {
		a[0] = b[0] = '\0';
		if (k < kept->n)
			row_line(&kept->rows[k], a, sizeof a);
		if (k < rebuilt->n)
			row_line(&rebuilt->rows[k], b, sizeof b);
		if (strcmp(a, b) != 0)
			fail_msg("%s, request #%u, row %zu: kept \"%s\", "
			    "rebuilt \"%s\"", path, id, k, a, b);
	}
}

static void
rebuilt_as_kept(const struct capture *c)
{
	struct engine e;
	struct ui_rows rs;
	size_t nerr = 0;

	load(&e, c);
	memset(&rs, 0, sizeof rs);
	for (size_t i = 0; i < e.diag.ntxns; i++)
		if (e.diag.txns[i].is_error)
			assert_int_equal(rows_stage(&rs, &e.diag, &e.flow,
			    &e.diag.txns[i]), 0);
	rows_commit(&rs);
	for (size_t i = 0; i < rs.n; i++) {
		struct evidence kept = { 0 }, rebuilt = { 0 };
		struct engine mini;
		uint32_t ti, id = rs.rows[i].id;
		char err[600];

		assert_int_equal(evidence_build(&kept, &e.diag, &e.flow,
		    &e.diag.txns[diag_find(&e.diag, id)], e.flow.stats.last_ts,
		    EVIDENCE_PANE), 0);
		if (rows_rebuild(&rs, i, c->path, &e, &mini, &ti, err,
		    sizeof err) != 0)
			fail_msg("%s, request #%u: %s", c->path, id, err);
		assert_int_equal(evidence_build(&rebuilt, &mini.diag,
		    &mini.flow, &mini.diag.txns[ti], mini.flow.stats.last_ts,
		    EVIDENCE_PANE), 0);
		same_evidence(c->path, id, &kept, &rebuilt);
		evidence_free(&kept);
		evidence_free(&rebuilt);
		engine_close(&mini);
		nerr++;
	}
	/* every lab capture has errors to compare */
	assert_true(nerr > 0);
	rows_free(&rs);
	engine_close(&e);
}

static void
test_rebuilt_as_kept(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof captures / sizeof captures[0]; k++)
		rebuilt_as_kept(&captures[k]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rebuilt_as_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
