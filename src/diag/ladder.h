/*
 * ladder.h: the events of one transaction as a ladder (sequence) diagram:
 * the rows of its evidence list (evidence.h) that have a frame, in frame
 * order, each an arrow from one column (Client, Gateway, DNS, Upstream)
 * to another with a short label ("SYN", "RST", "ICMP 3/13", "DNS A?
 * host", "GET http://…", "HTTP/1.1 502"). Built from the model only; no
 * packet is read again. Labels and details hold raw text from the
 * network: escape them (esc_term) before showing them.
 */
#ifndef GW_LADDER_H
#define GW_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence.h"

struct ladder {
	struct evidence ev;	/* the transaction's evidence */
	const struct evidence_row **rows;	/* its rows with a frame */
	size_t n, cap;
};

/* Builds the rows of transaction t, sorted by frame. 0, or -1 (memory). */
int ladder_build(struct ladder *l, const struct flow *fl,
    const struct diag *dg, const struct txn *t);
void ladder_free(struct ladder *l);

#endif
