/* report.c: what the two report formats share: selection and time. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

bool
report_wants(const struct engine *e, const struct txn *t,
    const struct report_opts *o)
{
	if (o->client.family &&
	    !addr_eq(&o->client, &e->flow.conns[t->conn].caddr))
		return false;
	if (o->txn_keep && !o->txn_keep[t - e->diag.txns])
		return false;
	return o->all || t->is_error;
}

/* n as `width` digits (zero-padded) at p; returns the end. */
static char *
put_digits(char *p, unsigned long long n, int width)
{
	for (int i = width - 1; i >= 0; i--, n /= 10)
		p[i] = (char)('0' + n % 10);
	return p + width;
}

/*
 * UTC, as gmtime_r would break it down, by the civil-from-days
 * algorithm (H. Hinnant): it runs for every request of a report, where
 * gmtime_r and snprintf cost more than the rest of the line.
 */
void
report_iso_time(int64_t ts_ns, char *out, size_t outlen)
{
	int64_t sec = ts_ns / 1000000000LL, days, era, sod, y;
	long usec = (long)((ts_ns % 1000000000LL) / 1000);
	unsigned doe, yoe, doy, mp, d, m;
	char tmp[32], *p = tmp;

	if (usec < 0) {
		usec += 1000000;
		sec--;
	}
	days = sec / 86400;
	sod = sec % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	days += 719468;		/* from 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = (unsigned)(days - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;		/* 1677..2262 from 64-bit ns */
	p = put_digits(p, (unsigned long long)y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned long long)(sod / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned long long)(sod / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned long long)(sod % 60), 2);
	*p++ = '.';
	p = put_digits(p, (unsigned long long)usec, 6);
	*p++ = 'Z';
	if (outlen > 0) {
		size_t n = (size_t)(p - tmp) < outlen ? (size_t)(p - tmp) :
		    outlen - 1;

		memcpy(out, tmp, n);
		out[n] = '\0';
	}
}

/* The report's order: final first, then by id (unique: a total order,
 * so any sort gives the same). */
static bool
item_before(const struct report_item *x, const struct report_item *y)
{
	if (x->final_ns != y->final_ns)
		return x->final_ns < y->final_ns;
	return x->id < y->id;
}

size_t
report_order(const struct engine *e, bool all_settled, const uint8_t *skip,
    struct report_item **items, size_t *cap)
{
	const struct diag *dg = &e->diag;
	int64_t now = e->flow.stats.last_ts, until = now;
	size_t n = 0;
	bool sorted = true;

	if (dg->ntxns + 1 > SIZE_MAX / 2 || vec_reserve((void **)items, cap,
	    dg->ntxns + 1, sizeof **items, SIZE_MAX) != 0)
		return 0;
	/* one final but waiting to settle (diag's pass: behind an error
	 * not yet ready) goes first: what is final after it, later */
	for (size_t i = dg->first_unsettled; i < dg->ntxns && !all_settled;
	    i++) {
		const struct txn *t = &dg->txns[i];
		int64_t at;

		if (!t->settled && (at = txn_final_ns(dg, &e->flow, t)) <=
		    until)
			until = at - 1;
	}
	for (size_t i = 0; i < dg->ntxns; i++) {
		const struct txn *t = &dg->txns[i];
		struct report_item *it = &(*items)[n];

		if (!t->settled || (skip && skip[i]))
			continue;
		it->final_ns = txn_final_ns(dg, &e->flow, t);
		if (it->final_ns > until && !all_settled)
			continue;
		it->id = t->id;
		it->index = (uint32_t)i;
		sorted = sorted && (n == 0 || item_before(it - 1, it));
		n++;
	}
	/* mostly in order already (answers in request order): the sort's
	 * room, the upper half, only when it is not */
	if (sorted)
		return n;
	if (vec_reserve((void **)items, cap, 2 * (dg->ntxns + 1),
	    sizeof **items, SIZE_MAX) != 0)
		return 0;
	VEC_MERGE_SORT(struct report_item, *items, *items + dg->ntxns + 1, n,
	    item_before);
	return n;
}

void
report_summary(FILE *out, const struct engine *e, bool json,
    const struct report_opts *o, uint64_t shown)
{
	const struct diag *dg = &e->diag;
	uint64_t total = diag_total(dg);

	if (json)
		return;
	fprintf(out, "%" PRIu64 " request%s, %" PRIu64 " gateway error%s",
	    total, total == 1 ? "" : "s", dg->errors,
	    dg->errors == 1 ? "" : "s");
	for (int v = 1; v < V_COUNT; v++)
		if (dg->counts[v])
			fprintf(out, "%s %s %" PRIu64, v ? "," : "",
			    verdict_label((enum verdict)v), dg->counts[v]);
	fprintf(out, " · %" PRIu64 " frames\n", e->flow.stats.frames);
	/* the counts are the capture's; say when a selection hid them all */
	if (shown == 0 && (o->txn_keep || o->client.family) &&
	    (dg->errors || o->all))
		fprintf(out, "None of them matches the selection (%s); --all "
		    "lists every request.\n", o->txn_keep && o->client.family ?
		    "-Y, -c" : o->txn_keep ? "-Y" : "-c");
	else if (total == 0)
		fputs("No HTTP requests to a proxy port in this capture (-p "
		    "PORTS?).\n", out);
	else if (shown == 0 && !o->all)
		fputs("No gateway errors (502/503/504) found; --all lists every "
		    "request.\n", out);
}

uint64_t
report_items(FILE *out, const struct engine *e, const struct report_opts *o,
    bool json, const struct report_item *items, size_t n)
{
	struct evidence ev = { 0 };
	uint64_t shown = 0;

	for (size_t i = 0; i < n; i++) {
		const struct txn *t = &e->diag.txns[items[i].index];

		if (!report_wants(e, t, o))
			continue;
		if (report_txn(out, e, t, json, &ev) == 0)
			shown++;
	}
	evidence_free(&ev);
	return shown;
}

void
report_all(FILE *out, const struct engine *e, const struct report_opts *o,
    bool json)
{
	struct report_item *items = NULL;
	size_t cap = 0, n = report_order(e, true, NULL, &items, &cap);
	uint64_t shown = report_items(out, e, o, json, items, n);

	free(items);
	report_summary(out, e, json, o, shown);
}

int
report_txn(FILE *out, const struct engine *e, const struct txn *t, bool json,
    struct evidence *ev)
{
	if (evidence_build(ev, &e->diag, &e->flow, t,
	    e->flow.stats.last_ts, EVIDENCE_REPORT) != 0) {
		fprintf(stderr, "gw502tui: out of memory for request %u's "
		    "evidence\n", t->id);
		return -1;
	}
	if (json)
		report_json_txn(out, e, t, ev);
	else
		report_text_txn(out, e, t, ev);
	return 0;
}
