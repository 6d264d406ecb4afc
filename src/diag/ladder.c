/*
 * ladder.c: the flow view's rows: a transaction's evidence rows that have
 * a frame of their own, in frame order (the list is in report order).
 */
#include <stdlib.h>
#include <string.h>

#include "ladder.h"

int
ladder_build(struct ladder *l, const struct flow *fl, const struct diag *dg,
    const struct txn *t)
{
	const struct evidence_row *tmp;
	size_t i, j;

	l->n = 0;
	if (evidence_build(&l->ev, dg, fl, t, fl->stats.last_ts,
	    EVIDENCE_ARROWS) != 0 ||
	    vec_reserve((void **)&l->rows, &l->cap, l->ev.n + 1,
	    sizeof *l->rows, SIZE_MAX / sizeof *l->rows) != 0)
		return -1;
	for (i = 0; i < l->ev.n; i++)
		if (l->ev.rows[i].frame)
			l->rows[l->n++] = &l->ev.rows[i];
	/* stable insertion sort: rows of one frame keep the list's order */
	for (i = 1; i < l->n; i++) {
		tmp = l->rows[i];
		for (j = i; j > 0 && l->rows[j - 1]->frame > tmp->frame; j--)
			l->rows[j] = l->rows[j - 1];
		l->rows[j] = tmp;
	}
	return 0;
}

void
ladder_free(struct ladder *l)
{
	evidence_free(&l->ev);
	free(l->rows);
	memset(l, 0, sizeof *l);
}
