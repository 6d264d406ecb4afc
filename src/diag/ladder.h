/*
 * ladder.h: the events of one transaction as a ladder (sequence) diagram:
 * one row per relevant frame, from one column (Client, Gateway, DNS,
 * Upstream) to another, with a short label ("SYN", "RST", "ICMP 3/13",
 * "DNS A? host", "GET http://…", "HTTP/1.1 502"). Built from the model
 * only; no packet is read again. Labels and details hold raw text from the
 * network: escape them (esc_term) before showing them.
 */
#ifndef GW_LADDER_H
#define GW_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

enum ladder_col { LC_CLIENT, LC_GATEWAY, LC_DNS, LC_UPSTREAM, LC_COUNT };

#define LADDER_LABEL_MAX 128
#define LADDER_DETAIL_MAX 512

struct ladder_row {
	uint64_t frame;
	int64_t ts_ns;
	uint8_t from, to;	/* enum ladder_col */
	bool bad;		/* the evidence of the failure */
	char label[LADDER_LABEL_MAX];
	char detail[LADDER_DETAIL_MAX];	/* several lines, '\n' separated */
};

struct ladder {
	struct ladder_row *rows;
	size_t n, cap;
	struct gw_addr addr[LC_COUNT];	/* first address seen per column */
};

/* Builds the rows of transaction t, sorted by frame. 0, or -1 (memory). */
int ladder_build(struct ladder *l, const struct flow *fl,
    const struct diag *dg, const struct txn *t);
void ladder_free(struct ladder *l);
const char *ladder_col_name(enum ladder_col c);

#endif
