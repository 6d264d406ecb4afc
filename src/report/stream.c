/*
 * stream.c: the report written while the capture is read. Transactions
 * are printed in report order as they become final and then retired, so
 * neither a huge file nor a long live capture makes the model grow.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

void
report_stream_init(struct report_stream *rs, FILE *out, bool json,
    const struct report_opts *o)
{
	memset(rs, 0, sizeof *rs);
	rs->out = out;
	rs->json = json;
	rs->o = *o;
	rs->o.txn_keep = NULL;	/* indices change as transactions retire */
	rs->retire_batch = REPORT_RETIRE_BATCH;
}

static void
print_final(struct report_stream *rs, struct engine *e)
{
	const struct diag *dg = &e->diag;
	size_t n;

	if (vec_reserve((void **)&rs->done, &rs->done_cap, dg->ntxns + 1, 1,
	    SIZE_MAX) != 0)
		return;
	if (dg->ntxns > rs->ndone) {
		memset(rs->done + rs->ndone, 0, dg->ntxns - rs->ndone);
		rs->ndone = dg->ntxns;
	}
	n = report_order(e, e->eof, rs->done, &rs->items, &rs->items_cap);
	rs->shown += report_items(rs->out, e, &rs->o, rs->json, rs->items, n);
	for (size_t i = 0; i < n; i++)
		rs->done[rs->items[i].index] = 1;
	rs->pending += n;
}

void
report_stream_step(struct report_stream *rs, struct engine *e)
{
	print_final(rs, e);
	if (e->eof || rs->pending == 0 || rs->pending < rs->retire_batch ||
	    rs->pending < e->diag.ntxns / 4)
		return;
	if (diag_retire(&e->diag, &e->flow, rs->done) < 0)
		return;	/* out of memory: keep everything, still correct */
	rs->ndone = rs->pending = 0;	/* every printed one is gone */
}

void
report_stream_end(struct report_stream *rs, struct engine *e)
{
	print_final(rs, e);
	report_summary(rs->out, e, rs->json, &rs->o, rs->shown);
}

void
report_stream_free(struct report_stream *rs)
{
	free(rs->done);
	free(rs->items);
	memset(rs, 0, sizeof *rs);
}
