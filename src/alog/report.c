/*
 * report.c (alog): the access log in the reports. Beside a capture: each
 * transaction's log line, then the logged failures the capture does not
 * have and why. Without a capture: the triage a log alone allows, ending
 * with the capture command that will explain the failing hosts next time.
 * Every logged string goes through esc_term (text) or esc_json.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../engine.h"
#include "../report/report.h"
#include "../util/dur.h"
#include "../util/escape.h"
#include "alog.h"

#define TOP_N 10		/* hosts and clients listed */
#define CMD_HOSTS 5		/* hosts given a capture command */
#define CHART_ROWS 60		/* at most this many rows in the chart */
#define CHART_WIDTH 40		/* '#' for the busiest row */
#define MAX_ADDRS 4		/* upstream addresses per host in a command */

static void
jstr(FILE *out, const char *key, const char *val)
{
	char buf[4 * ALOG_MAX_LINE + 8];

	esc_json(val, strlen(val), buf, sizeof buf);
	fprintf(out, "\"%s\":\"%s\"", key, buf);
}

static const char *
tsafe(const char *s, char *buf, size_t len)
{
	esc_term_str(s, buf, len, true);
	return buf;
}

static bool
is_5xx(const struct alog_entry *en)
{
	return en->status >= 500 && en->status <= 599;
}

static void
json_log(FILE *out, const struct alog_set *s, const struct alog_entry *en)
{
	fputs("{", out);
	jstr(out, "file", s->files[en->file]);
	fprintf(out, ",\"line\":%" PRIu32 ",", en->line);
	jstr(out, "format", alog_format_name((enum alog_format)en->format));
	fputc(',', out);
	jstr(out, "text", alog_str(s, en->text));
	fputc('}', out);
}

void
alog_json_txn(FILE *out, const struct alog_set *s, uint32_t txn_id)
{
	const struct alog_entry *en;

	if (s == NULL)
		return;
	if ((en = alog_txn_entry(s, txn_id)) == NULL) {
		fputs(",\"log\":null", out);
		return;
	}
	fputs(",\"log\":", out);
	json_log(out, s, en);
}

void
alog_text_txn(FILE *out, const struct alog_set *s, uint32_t txn_id)
{
	const struct alog_entry *en;
	char buf[4 * ALOG_MAX_LINE + 8];

	if (s == NULL)
		return;
	if ((en = alog_txn_entry(s, txn_id)) == NULL) {
		fputs("    Log:  not in the access log\n", out);
		return;
	}
	fprintf(out, "    Log:  %s:%" PRIu32 " %s\n", s->files[en->file],
	    en->line, tsafe(alog_str(s, en->text), buf, sizeof buf));
}

/* "squid 12, clf 3" */
static void
text_formats(FILE *out, const struct alog_set *s)
{
	const char *sep = "";

	for (int f = 1; f < ALOG_FORMAT_COUNT; f++)
		if (s->per_format[f]) {
			fprintf(out, "%s%s %" PRIu64, sep,
			    alog_format_name((enum alog_format)f),
			    s->per_format[f]);
			sep = ", ";
		}
}

static void
json_files(FILE *out, const struct alog_set *s)
{
	char buf[4096];

	fputs("\"files\":[", out);
	for (size_t i = 0; i < s->nfiles; i++) {
		esc_json(s->files[i], strlen(s->files[i]), buf, sizeof buf);
		fprintf(out, "%s\"%s\"", i ? "," : "", buf);
	}
	fprintf(out, "],\"lines\":%" PRIu64 ",\"entries\":%zu,\"unknown\":%"
	    PRIu64 ",\"formats\":{", s->lines, s->nentries, s->unknown);
	for (int f = 1, n = 0; f < ALOG_FORMAT_COUNT; f++)
		if (s->per_format[f])
			fprintf(out, "%s\"%s\":%" PRIu64, n++ ? "," : "",
			    alog_format_name((enum alog_format)f),
			    s->per_format[f]);
	fputc('}', out);
}

static void
unknown_lines(FILE *out, const struct alog_set *s, bool json)
{
	char buf[4 * 512 + 8];

	for (size_t i = 0; i < s->nunknown_shown; i++) {
		const struct alog_unknown *u = &s->unknown_shown[i];

		if (json) {
			fputs("{\"type\":\"log-unknown-line\",", out);
			jstr(out, "file", s->files[u->file]);
			fprintf(out, ",\"line\":%" PRIu32 ",", u->line);
			jstr(out, "text", alog_str(s, u->text));
			fputs("}\n", out);
		} else {
			fprintf(out, "  %s:%" PRIu32 ": %s\n",
			    s->files[u->file], u->line,
			    tsafe(alog_str(s, u->text), buf, sizeof buf));
		}
	}
	if (!json && s->unknown > s->nunknown_shown)
		fprintf(out, "  … and %" PRIu64 " more\n",
		    s->unknown - s->nunknown_shown);
}

static void
entry_client(const struct alog_entry *en, char *buf, size_t len)
{
	if (en->client.family)
		addr_fmt(&en->client, buf, len);
	else
		snprintf(buf, len, "-");
}

void
alog_report_unmatched(FILE *out, const struct alog_set *s,
    const struct engine *e, bool json)
{
	char when[40], cli[ADDR_STRLEN], buf[4 * ALOG_MAX_LINE + 8];
	char url[4 * 2048], offset[32];
	size_t missing = 0, not_captured = 0;

	if (s == NULL)
		return;
	for (size_t i = 0; i < e->diag.ntxns; i++)
		if (alog_txn_entry(s, e->diag.txns[i].id) == NULL)
			missing++;
	if (!json) {
		fprintf(out, "\nAccess log: %" PRIu64 " lines (", s->lines);
		text_formats(out, s);
		fprintf(out, "), %" PRIu64 " unknown; %zu of %zu logged "
		    "requests matched; log clock = capture clock %s "
		    "(from %zu unambiguous matches)\n", s->unknown,
		    s->nmatched, s->nentries,
		    dur_fmt_offset(s->offset_ns, offset, sizeof offset),
		    s->anchors);
	}
	for (size_t i = 0; i < s->nentries; i++) {
		const struct alog_entry *en = &s->entries[i];

		if (en->txn_id || !is_5xx(en) || (e->opts.client.family &&
		    en->client.family && !addr_eq(&en->client,
		    &e->opts.client)))
			continue;
		if (not_captured++ == 0 && !json)
			fputs("Logged, not in the capture (5xx):\n", out);
		report_iso_time(en->end_ns, when, sizeof when);
		entry_client(en, cli, sizeof cli);
		if (json) {
			fputs("{\"type\":\"logged-not-captured\",\"log\":",
			    out);
			json_log(out, s, en);
			fputc(',', out);
			jstr(out, "time", when);
			fputc(',', out);
			if (en->client.family)
				jstr(out, "client", cli);
			else
				fputs("\"client\":null", out);
			fputc(',', out);
			jstr(out, "method", alog_str(s, en->method));
			fputc(',', out);
			jstr(out, "url", alog_str(s, en->url));
			fprintf(out, ",\"status\":%u,", en->status);
			jstr(out, "reason", alog_reason_key(
			    (enum alog_reason)en->unmatched));
			fputs("}\n", out);
			continue;
		}
		fprintf(out, "  %s:%" PRIu32 "  %s  %s %s %s %u\n      %s\n",
		    s->files[en->file], en->line, when, cli,
		    tsafe(alog_str(s, en->method), buf, sizeof buf),
		    tsafe(alog_str(s, en->url), url, sizeof url), en->status,
		    alog_reason_text((enum alog_reason)en->unmatched));
	}
	if (json) {
		fputs("{\"type\":\"access-log\",", out);
		json_files(out, s);
		fprintf(out, ",\"matched\":%zu,\"anchors\":%zu,\"offset_ms\":"
		    "%.3f,\"logged_5xx_not_captured\":%zu,"
		    "\"txns_without_log\":%zu}\n", s->nmatched, s->anchors,
		    (double)s->offset_ns / 1e6, not_captured, missing);
		unknown_lines(out, s, true);
		return;
	}
	fprintf(out, "Transactions the log does not have: %zu\n", missing);
	if (s->unknown) {
		fputs("Lines no format reads:\n", out);
		unknown_lines(out, s, false);
	}
}

/* ---- log only ---------------------------------------------------------- */

/* One host's or client's failures. */
struct tally {
	uint32_t first_entry;	/* index of one entry: the key */
	uint64_t n502, n5xx;
	int64_t first_ns, last_ns;
	struct gw_addr addrs[MAX_ADDRS];
	unsigned naddrs;
};

static int
cmp_host(const void *a, const void *b, void *arg)
{
	const struct alog_set *s = arg;
	const struct alog_entry *x = &s->entries[*(const uint32_t *)a];
	const struct alog_entry *y = &s->entries[*(const uint32_t *)b];
	int c = strcmp(alog_str(s, x->host), alog_str(s, y->host));

	if (c == 0)
		c = x->port < y->port ? -1 : x->port > y->port;
	return c;
}

static int
cmp_client(const void *a, const void *b, void *arg)
{
	const struct alog_set *s = arg;
	const struct alog_entry *x = &s->entries[*(const uint32_t *)a];
	const struct alog_entry *y = &s->entries[*(const uint32_t *)b];

	return memcmp(&x->client, &y->client, sizeof x->client);
}

static int
cmp_tally(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	if (x->n502 != y->n502)
		return x->n502 > y->n502 ? -1 : 1;
	if (x->n5xx != y->n5xx)
		return x->n5xx > y->n5xx ? -1 : 1;
	return x->first_entry < y->first_entry ? -1 :
	    x->first_entry > y->first_entry;
}

static void
tally_add(struct tally *t, const struct alog_entry *en)
{
	t->n5xx++;
	t->n502 += en->status == 502;
	if (t->n5xx == 1 || en->end_ns < t->first_ns)
		t->first_ns = en->end_ns;
	if (t->n5xx == 1 || en->end_ns > t->last_ns)
		t->last_ns = en->end_ns;
	if (!en->server.family || t->naddrs >= MAX_ADDRS)
		return;
	for (unsigned i = 0; i < t->naddrs; i++)
		if (addr_eq(&t->addrs[i], &en->server))
			return;
	t->addrs[t->naddrs++] = en->server;
}

/*
 * Groups the 5xx entries idx[0..n) (sorted by cmp) into tallies, busiest
 * first; returns how many (*out: caller frees).
 */
static size_t
tallies(const struct alog_set *s, uint32_t *idx, size_t n,
    int (*cmp)(const void *, const void *, void *), struct tally **out)
{
	size_t nt = 0;
	struct tally *t = calloc(n + 1, sizeof *t);

	*out = t;
	if (t == NULL)
		return 0;
	if (n > 1)
		qsort_r(idx, n, sizeof *idx, cmp, (void *)s);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || cmp(&idx[i - 1], &idx[i], (void *)s) != 0)
			t[nt++].first_entry = idx[i];
		tally_add(&t[nt - 1], &s->entries[idx[i]]);
	}
	if (nt > 1)
		qsort(t, nt, sizeof *t, cmp_tally);
	return nt;
}

/* "'port 53 or host A or host B or port 9090'" */
static void
capture_filter(const struct alog_set *s, const struct tally *t,
    const uint16_t *ports, size_t nports, char *out, size_t len)
{
	const struct alog_entry *en = &s->entries[t->first_entry];
	char a[ADDR_STRLEN];
	size_t n = (size_t)snprintf(out, len, "port 53");

	if (t->naddrs == 0 && alog_str(s, en->host)[0])
		n += (size_t)snprintf(out + n, n < len ? len - n : 0,
		    " or host %s", alog_str(s, en->host));
	for (unsigned i = 0; i < t->naddrs; i++)
		n += (size_t)snprintf(out + n, n < len ? len - n : 0,
		    " or host %s", addr_fmt(&t->addrs[i], a, sizeof a));
	for (size_t i = 0; i < nports; i++)
		n += (size_t)snprintf(out + n, n < len ? len - n : 0,
		    " or port %u", ports[i]);
}

/* 5xx per bucket of `width` ns from `from`; rows ≤ CHART_ROWS. */
static void
chart(FILE *out, const struct alog_set *s, bool json, int64_t first,
    int64_t last)
{
	static const int64_t widths_min[] = { 1, 5, 15, 60, 360, 1440 };
	int64_t width = 0, from;
	uint64_t rows[CHART_ROWS][4], max = 0;	/* 5xx, 502, 503, 504 */
	size_t nrows = 0;

	for (size_t i = 0; i < sizeof widths_min / sizeof widths_min[0]; i++) {
		width = widths_min[i] * 60 * 1000000000LL;
		if ((last / width - first / width) < CHART_ROWS)
			break;
	}
	/* the most recent rows when even a day per row is too many */
	from = first / width * width;
	if ((last - from) / width >= CHART_ROWS)
		from = (last / width - (CHART_ROWS - 1)) * width;
	nrows = (size_t)((last - from) / width) + 1;
	memset(rows, 0, sizeof rows);
	for (size_t i = 0; i < s->nentries; i++) {
		const struct alog_entry *en = &s->entries[i];
		int64_t r;

		if (!is_5xx(en) || en->end_ns < from)
			continue;
		r = (en->end_ns - from) / width;
		if (r >= (int64_t)nrows)
			continue;
		rows[r][0]++;
		if (en->status >= 502 && en->status <= 504)
			rows[r][en->status - 501]++;
	}
	for (size_t r = 0; r < nrows; r++)
		if (rows[r][0] > max)
			max = rows[r][0];
	if (!json)
		fprintf(out, "\n5xx per %" PRId64 " min (log clock, UTC):\n",
		    width / (int64_t)60000000000);
	for (size_t r = 0; r < nrows; r++) {
		char when[40];
		unsigned bar = max ? (unsigned)((rows[r][0] * CHART_WIDTH +
		    max - 1) / max) : 0;

		report_iso_time(from + (int64_t)r * width, when, sizeof when);
		if (json) {
			fprintf(out, "{\"type\":\"log-5xx-per-minute\","
			    "\"minute\":\"%.16s:00Z\",\"minutes\":%" PRId64
			    ",\"5xx\":%" PRIu64 ",\"502\":%" PRIu64 ",\"503\":%"
			    PRIu64 ",\"504\":%" PRIu64 "}\n", when,
			    width / (int64_t)60000000000, rows[r][0], rows[r][1],
			    rows[r][2], rows[r][3]);
			continue;
		}
		fprintf(out, "  %.5s %.5s  ", when + 5, when + 11);
		for (unsigned b = 0; b < CHART_WIDTH; b++)
			fputc(b < bar ? '#' : ' ', out);
		fprintf(out, " %5" PRIu64 "  (502: %" PRIu64 ", 503: %" PRIu64
		    ", 504: %" PRIu64 ")\n", rows[r][0], rows[r][1], rows[r][2],
		    rows[r][3]);
	}
}

static void
host_name(const struct alog_set *s, const struct alog_entry *en, char *buf,
    size_t len)
{
	const char *h = alog_str(s, en->host);

	if (!h[0])
		snprintf(buf, len, "(no host logged)");
	else if (en->port == 80)
		esc_term_str(h, buf, len, true);
	else {
		char esc[1024];

		snprintf(buf, len, "%s:%u", tsafe(h, esc, sizeof esc),
		    en->port);
	}
}

static void
hosts_section(FILE *out, const struct alog_set *s, bool json,
    const struct tally *t, size_t nt, const uint16_t *ports, size_t nports)
{
	char host[1100], first[40], last[40], filter[1024];

	if (!json && nt)
		fprintf(out, "\nHosts with the most 502s:\n  %6s %6s  %-27s "
		    "%-27s %s\n", "502s", "5xx", "first failure",
		    "last failure", "host");
	for (size_t i = 0; i < nt && i < TOP_N; i++) {
		const struct alog_entry *en = &s->entries[t[i].first_entry];

		host_name(s, en, host, sizeof host);
		report_iso_time(t[i].first_ns, first, sizeof first);
		report_iso_time(t[i].last_ns, last, sizeof last);
		capture_filter(s, &t[i], ports, nports, filter, sizeof filter);
		if (!json) {
			fprintf(out, "  %6" PRIu64 " %6" PRIu64 "  %-27s %-27s "
			    "%s\n", t[i].n502, t[i].n5xx, first, last, host);
			continue;
		}
		fputs("{\"type\":\"log-host\",", out);
		jstr(out, "host", alog_str(s, en->host));
		fprintf(out, ",\"port\":%u,\"502\":%" PRIu64 ",\"5xx\":%"
		    PRIu64 ",", en->port, t[i].n502, t[i].n5xx);
		jstr(out, "first_failure", first);
		fputc(',', out);
		jstr(out, "last_failure", last);
		fputs(",\"addresses\":[", out);
		for (unsigned k = 0; k < t[i].naddrs; k++) {
			char a[ADDR_STRLEN];

			fprintf(out, "%s\"%s\"", k ? "," : "",
			    addr_fmt(&t[i].addrs[k], a, sizeof a));
		}
		fputs("],", out);
		if (i < CMD_HOSTS) {
			char cmd[1200];

			snprintf(cmd, sizeof cmd, "tcpdump -s 0 -i any -w "
			    "gw.pcap '%s'", filter);
			jstr(out, "capture_command", cmd);
		} else {
			fputs("\"capture_command\":null", out);
		}
		fputs("}\n", out);
	}
	if (json || nt == 0)
		return;
	fputs("\nCapture on the gateway to explain them next time (then: "
	    "gw502tui gw.pcap):\n", out);
	for (size_t i = 0; i < nt && i < CMD_HOSTS; i++) {
		host_name(s, &s->entries[t[i].first_entry], host, sizeof host);
		capture_filter(s, &t[i], ports, nports, filter, sizeof filter);
		fprintf(out, "  %s:\n    tcpdump -s 0 -i any -w gw.pcap '%s'\n",
		    host, filter);
	}
}

static void
clients_section(FILE *out, const struct alog_set *s, bool json,
    const struct tally *t, size_t nt)
{
	char cli[ADDR_STRLEN];

	if (!json && nt)
		fprintf(out, "\nClients with the most 502s:\n  %6s %6s  %s\n",
		    "502s", "5xx", "client");
	for (size_t i = 0; i < nt && i < TOP_N; i++) {
		entry_client(&s->entries[t[i].first_entry], cli, sizeof cli);
		if (json)
			fprintf(out, "{\"type\":\"log-client\",\"client\":"
			    "\"%s\",\"502\":%" PRIu64 ",\"5xx\":%" PRIu64 "}\n",
			    cli, t[i].n502, t[i].n5xx);
		else
			fprintf(out, "  %6" PRIu64 " %6" PRIu64 "  %s\n",
			    t[i].n502, t[i].n5xx, cli);
	}
}

void
alog_report_logonly(FILE *out, const struct alog_set *s, bool json,
    const uint16_t *ports, size_t nports)
{
	uint32_t *idx = malloc((s->nentries + 1) * sizeof *idx);
	struct tally *hosts = NULL, *clients = NULL;
	size_t n = 0, nh, nc;
	uint64_t n502 = 0;
	int64_t first = INT64_MAX, last = INT64_MIN, f5 = 0, l5 = 0;
	char a[40], b[40];

	if (idx == NULL)
		return;
	for (size_t i = 0; i < s->nentries; i++) {
		const struct alog_entry *en = &s->entries[i];

		if (en->end_ns < first)
			first = en->end_ns;
		if (en->end_ns > last)
			last = en->end_ns;
		if (!is_5xx(en))
			continue;
		if (n == 0 || en->end_ns < f5)
			f5 = en->end_ns;
		if (n == 0 || en->end_ns > l5)
			l5 = en->end_ns;
		n502 += en->status == 502;
		idx[n++] = (uint32_t)i;
	}
	report_iso_time(s->nentries ? first : 0, a, sizeof a);
	report_iso_time(s->nentries ? last : 0, b, sizeof b);
	if (json) {
		fputs("{\"type\":\"log-summary\",", out);
		json_files(out, s);
		/* null, not 1970, for a log without one request read */
		if (s->nentries)
			fprintf(out, ",\"first_time\":\"%s\",\"last_time\":"
			    "\"%s\"", a, b);
		else
			fputs(",\"first_time\":null,\"last_time\":null", out);
		fprintf(out, ",\"5xx\":%zu,\"502\":%" PRIu64 "}\n", n, n502);
		unknown_lines(out, s, true);
	} else {
		fprintf(out, "Access log: %" PRIu64 " lines (", s->lines);
		text_formats(out, s);
		fprintf(out, "), %" PRIu64 " unknown\n", s->unknown);
		if (s->nentries)
			fprintf(out, "From %s to %s (log clock): %zu requests, "
			    "%zu 5xx, %" PRIu64 " of them 502\n", a, b,
			    s->nentries, n, n502);
		if (s->unknown) {
			fputs("Lines no format reads:\n", out);
			unknown_lines(out, s, false);
		}
	}
	if (n) {
		chart(out, s, json, f5, l5);
		nh = tallies(s, idx, n, cmp_host, &hosts);
		hosts_section(out, s, json, hosts, nh, ports, nports);
		nc = tallies(s, idx, n, cmp_client, &clients);
		clients_section(out, s, json, clients, nc);
	} else if (!json) {
		fputs("No 5xx answers in the log.\n", out);
	}
	free(hosts);
	free(clients);
	free(idx);
}
