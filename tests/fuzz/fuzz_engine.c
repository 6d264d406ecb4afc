/*
 * fuzz_engine.c: a whole capture through the engine, as `gw502tui --report`
 * and the TUI see it: bytes → (memfd) file → capfile (libpcap / our pcapng
 * reader) → decoders → flow → diag → text and JSON reports, the ladder
 * (flow view) rows, the follow-stream re-read and the export frame range.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "diag/ladder.h"
#include "engine.h"
#include "flow/follow.h"
#include "report/report.h"
#include "util/escape.h"

#include "fuzz_common.h"

static struct fuzz_file cap;
static FILE *devnull;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_file_init(&cap, "fuzz-capture");
	devnull = fopen("/dev/null", "w");
	if (devnull == NULL)
		abort();
	return 0;
}

/* The stream view: re-read one connection and escape what it shows. */
static void
follow_one(const struct engine *e, uint32_t ci)
{
	struct follow fo;
	char err[512], out[1024];

	if (ci == NONE32 || ci >= e->flow.nconns)
		return;
	memset(&fo, 0, sizeof fo);
	if (follow_conn(cap.path, &e->flow.offsets, &e->flow.conns[ci],
	    64 * 1024, &fo, err, sizeof err) == 0) {
		for (size_t i = 0; i < fo.nchunks; i++) {
			const struct follow_chunk *ch = &fo.chunks[i];

			FUZZ_ASSERT((size_t)ch->off + ch->len <= fo.len);
			esc_term((const char *)fo.data + ch->off, ch->len, out,
			    sizeof out, true);
			FUZZ_ASSERT(strchr(out, 0x1b) == NULL);
		}
	} else {
		FUZZ_TERMINATED(err);
	}
	follow_free(&fo);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ports[] = { 80, 3128, 8080, 9090 };
	struct engine_opts o;
	struct report_opts ro;
	struct report_stream rs;
	struct engine e;
	char err[512], sum[1024];
	uint64_t frames[64];
	int steps = 0;

	fuzz_file_set(&cap, data, size);
	engine_default_opts(&o);
	memcpy(o.proxy_ports, ports, sizeof ports);
	o.nproxy_ports = sizeof ports / sizeof ports[0];
	if (engine_open(&e, cap.path, &o, err, sizeof err) != 0) {
		FUZZ_TERMINATED(err);
		return 0;
	}
	/* in slices, diagnosing in between, as the TUI does while loading;
	 * a streamed report retires after every slice */
	memset(&ro, 0, sizeof ro);
	ro.all = size & 1;
	report_stream_init(&rs, devnull, size & 2, &ro);
	rs.retire_batch = 1;
	while (engine_step(&e, 16) == 1 && steps++ < 100000) {
		engine_diagnose(&e);
		report_stream_step(&rs, &e);
	}
	engine_diagnose(&e);
	report_all(devnull, &e, &ro, false);
	report_all(devnull, &e, &ro, true);
	report_stream_end(&rs, &e);
	report_stream_free(&rs);

	for (size_t i = 0; i < e.diag.ntxns && i < 8; i++) {
		const struct txn *t = &e.diag.txns[i];
		struct frame_ref first, last;
		struct syn_series ss;
		struct ladder l;
		uint64_t lframes[64];
		size_t n;

		diag_summary(&e.diag, &e.flow, t, sum, sizeof sum);
		n = diag_evidence_frames(&e.flow, t, e.flow.stats.last_ts, frames,
		    64);
		FUZZ_ASSERT(n <= 64);
		diag_syn_series(&e.flow, t, e.flow.stats.last_ts, &ss);
		FUZZ_ASSERT(ss.n <= DIAG_MAX_SYNS);
		txn_frame_range(&e.flow, t, &first, &last);
		FUZZ_ASSERT(first.number <= last.number);
		memset(&l, 0, sizeof l);
		if (ladder_build(&l, &e.flow, &e.diag, t) == 0) {
			for (size_t r = 0; r < l.n; r++) {
				FUZZ_TERMINATED(l.rows[r]->label);
				FUZZ_TERMINATED(l.rows[r]->detail);
				FUZZ_TERMINATED(l.rows[r]->text);
			}
			/* the flow view's list has the reports' frames */
			FUZZ_ASSERT(evidence_frames(&l.ev, lframes, 64) == n);
			FUZZ_ASSERT(memcmp(lframes, frames, n *
			    sizeof frames[0]) == 0);
		}
		ladder_free(&l);
		if (i < 2) {
			follow_one(&e, t->conn);
			follow_one(&e, t->d.up_conn);
		}
	}
	engine_close(&e);
	return 0;
}
