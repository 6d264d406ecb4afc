/*
 * match.c: each logged request to the transaction it logs.
 *
 * A log line and a transaction are candidates when method and path agree,
 * the host and port too when the log names them, the client (and its port,
 * haproxy) when logged, and the status (a request the capture saw
 * unanswered may be logged with any status). Time decides among
 * candidates, but the log's clock may be off by anything (another host,
 * local time without a zone): the offset is first estimated, without
 * time, from the unambiguous pairs (the only candidate of each other),
 * as their median difference of end times; then every line takes the
 * candidate nearest its end time minus the offset, within the tolerance,
 * nearest pairs first, each transaction at most once.
 *
 * A log's time is when the answer was sent (squid, nginx, Apache, the Web
 * Gateway); haproxy logs the accept time and the total time, parse.c adds
 * them. Whole-second stamps are truncated: the middle of the second is
 * used.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../engine.h"
#include "../proto/http.h"
#include "../util/vec.h"
#include "alog.h"

#define ALOG_SLACK_NS 1000000000LL	/* log writer's delay, either way */
#define ALOG_SCAN_MAX 256		/* candidates looked at per line */
#define ALOG_PAIRS_MAX 16		/* kept per line within tolerance */

/* A transaction by its key (method and path), then end time. */
struct tkey {
	uint32_t hash, idx;
	int64_t end_ns;
};

struct pair {
	int64_t resid;		/* |residual| */
	uint32_t entry, txn;
};

/* a − b, held at the int64_t range: capture times may be anything */
static int64_t
sat_sub(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static uint32_t
fnv(uint32_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/*
 * The key a line is looked up by: method and path, and the host and port
 * when the line names them ("" host: an origin-form log). Every
 * transaction is indexed under both keys, so a proxy's log, which names
 * the host, only scans the requests for that host.
 */
static uint32_t
key_hash(const char *method, const char *host, uint16_t port,
    const char *url, bool connect)
{
	uint8_t p2[2] = { (uint8_t)(port >> 8), (uint8_t)port };
	uint32_t h = fnv(2166136261u, method, strlen(method) + 1);
	const char *p = connect ? "" : http_url_path(url);

	if (host[0]) {
		h = fnv(h, host, strlen(host) + 1);
		h = fnv(h, (const char *)p2, sizeof p2);
	}
	return fnv(h, p, strlen(p));
}

static bool
is_connect(const char *method)
{
	return strcmp(method, "CONNECT") == 0;
}

static int64_t
entry_mid(const struct alog_entry *en)
{
	/* a truncated whole second: the answer went within it */
	return en->end_ns + (en->resolution_ns > 1000000LL ?
	    en->resolution_ns / 2 : 0);
}

static int64_t
tolerance(const struct alog_entry *en)
{
	return en->resolution_ns / 2 + ALOG_SLACK_NS;
}

/* Is transaction t what entry en logs, time aside? */
static bool
compatible(const struct alog_set *s, const struct alog_entry *en,
    const struct engine *e, const struct txn *t)
{
	const struct flow *fl = &e->flow;
	const struct conn *cc = &fl->conns[t->conn];
	const char *method = alog_str(s, en->method);
	const char *url = alog_str(s, en->url);
	const char *host = alog_str(s, en->host);

	if (strcmp(method, flow_str(fl, fl->msgs[t->req].method)) != 0)
		return false;
	if (en->client.family && !addr_eq(&en->client, &cc->caddr))
		return false;
	if (en->client_port && en->client_port != cc->cport)
		return false;
	if (en->status && t->status && en->status != t->status)
		return false;
	if (host[0] && (strcasecmp(host, flow_str(fl, t->host)) != 0 ||
	    en->port != t->port))
		return false;
	if (is_connect(method))
		return host[0] != '\0';
	return strcmp(http_url_path(url),
	    http_url_path(flow_str(fl, t->url))) == 0;
}

static int
cmp_tkey(const void *a, const void *b)
{
	const struct tkey *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->end_ns < y->end_ns ? -1 : x->end_ns > y->end_ns;
}

/* First key with this hash and end ≥ from. */
static size_t
lower(const struct tkey *k, size_t n, uint32_t hash, int64_t from)
{
	size_t lo;

	VEC_LOWER_BOUND(lo, n, k[mid].hash < hash ||
	    (k[mid].hash == hash && k[mid].end_ns < from));
	return lo;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->resid != y->resid)
		return x->resid < y->resid ? -1 : 1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/*
 * The offset from the unambiguous pairs: each line's only candidate whose
 * only candidate line it is. Returns how many pairs it rests on.
 */
static size_t
estimate_offset(struct alog_set *s, const struct engine *e,
    const struct tkey *keys, size_t nkeys, const uint32_t *hashes,
    int64_t *offset)
{
	size_t ntx = e->diag.ntxns, n = 0;
	uint32_t *only = calloc(s->nentries + 1, sizeof *only);
	uint8_t *hits = calloc(ntx + 1, 1);
	int64_t *d = malloc((s->nentries + 1) * sizeof *d);

	*offset = 0;
	if (only == NULL || hits == NULL || d == NULL)
		goto out;
	for (size_t i = 0; i < s->nentries; i++) {
		const struct alog_entry *en = &s->entries[i];
		size_t k = lower(keys, nkeys, hashes[i], INT64_MIN), found = 0;

		only[i] = NONE32;
		for (size_t scanned = 0; k < nkeys && keys[k].hash ==
		    hashes[i] && scanned < ALOG_SCAN_MAX; k++, scanned++) {
			uint32_t ti = keys[k].idx;

			if (!compatible(s, en, e, &e->diag.txns[ti]))
				continue;
			if (hits[ti] < 2)
				hits[ti]++;
			if (++found == 1)
				only[i] = ti;
			else
				only[i] = NONE32;
		}
	}
	for (size_t i = 0; i < s->nentries; i++) {
		uint32_t ti = only[i];

		if (ti == NONE32 || hits[ti] != 1)
			continue;
		d[n++] = sat_sub(entry_mid(&s->entries[i]),
		    txn_end_ns(&e->flow, &e->diag.txns[ti],
		    e->flow.stats.last_ts));
	}
	if (n) {
		qsort(d, n, sizeof *d, cmp_i64);
		*offset = n % 2 ? d[n / 2] : d[n / 2 - 1] / 2 + d[n / 2] / 2;
	}
out:
	free(only);
	free(hits);
	free(d);
	return n;
}

static int
cmp_addr(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct gw_addr));
}

static enum alog_reason
unmatched_reason(const struct alog_entry *en, const struct engine *e,
    int64_t offset, const struct gw_addr *clients, size_t nclients)
{
	int64_t end = sat_sub(entry_mid(en), offset), tol = tolerance(en);
	int64_t first = e->flow.stats.first_ts, last = e->flow.stats.last_ts;
	struct gw_addr key;

	if (end < sat_sub(first, tol) || (end > sat_sub(last, -tol) &&
	    (en->elapsed_ns < 0 || sat_sub(end, en->elapsed_ns) > last)))
		return ALOG_OUTSIDE_CAPTURE;
	if (en->elapsed_ns >= 0 && sat_sub(end, en->elapsed_ns) < first)
		return ALOG_STARTED_BEFORE;
	if (en->client.family) {
		memset(&key, 0, sizeof key);
		key.family = en->client.family;
		memcpy(key.a, en->client.a, sizeof key.a);
		if (bsearch(&key, clients, nclients, sizeof *clients,
		    cmp_addr) == NULL)
			return ALOG_CLIENT_ABSENT;
	}
	return ALOG_NOT_FOUND;
}

static int
cmp_by_txn(const void *a, const void *b, void *arg)
{
	const struct alog_set *s = arg;
	uint32_t x = s->entries[*(const uint32_t *)a].txn_id;
	uint32_t y = s->entries[*(const uint32_t *)b].txn_id;

	return x < y ? -1 : x > y;
}

/* Pairs within tolerance of the offset, nearest first, taken greedily. */
static void
assign(struct alog_set *s, const struct engine *e, const struct tkey *keys,
    size_t nkeys, const uint32_t *hashes)
{
	size_t ntx = e->diag.ntxns, np = 0, cap = 0;
	struct pair *pairs = NULL;
	uint8_t *taken = calloc(ntx + 1, 1);

	if (taken == NULL)
		return;
	for (size_t i = 0; i < s->nentries; i++) {
		const struct alog_entry *en = &s->entries[i];
		int64_t at = sat_sub(entry_mid(en), s->offset_ns);
		int64_t tol = tolerance(en);
		size_t k = lower(keys, nkeys, hashes[i], sat_sub(at, tol));
		size_t kept = 0;

		for (; k < nkeys && keys[k].hash == hashes[i] &&
		    keys[k].end_ns <= sat_sub(at, -tol) && kept < ALOG_PAIRS_MAX;
		    k++) {
			if (!compatible(s, en, e, &e->diag.txns[keys[k].idx]))
				continue;
			if (vec_reserve((void **)&pairs, &cap, np + 1,
			    sizeof *pairs, SIZE_MAX / sizeof *pairs) != 0)
				goto out;
			/* inside the window: |difference| ≤ tol */
			pairs[np].resid = llabs(sat_sub(keys[k].end_ns, at));
			pairs[np].entry = (uint32_t)i;
			pairs[np++].txn = keys[k].idx;
			kept++;
		}
	}
	if (np > 1)	/* pairs is NULL when there are none */
		qsort(pairs, np, sizeof *pairs, cmp_pair);
	for (size_t i = 0; i < np; i++) {
		struct alog_entry *en = &s->entries[pairs[i].entry];

		if (en->txn_id || taken[pairs[i].txn])
			continue;
		taken[pairs[i].txn] = 1;
		en->txn_id = e->diag.txns[pairs[i].txn].id;
		s->nmatched++;
	}
out:
	free(pairs);
	free(taken);
}

void
alog_match(struct alog_set *s, const struct engine *e)
{
	const struct diag *dg = &e->diag;
	size_t nkeys = 2 * dg->ntxns;
	struct tkey *keys = calloc(nkeys + 1, sizeof *keys);
	uint32_t *hashes = calloc(s->nentries + 1, sizeof *hashes);
	struct gw_addr *clients = calloc(dg->ntxns + 1, sizeof *clients);
	size_t nclients = 0;

	s->matched = true;
	s->nmatched = 0;
	if (keys == NULL || hashes == NULL || clients == NULL)
		goto out;
	for (size_t i = 0; i < dg->ntxns; i++) {
		const struct txn *t = &dg->txns[i];
		const char *m = flow_str(&e->flow, e->flow.msgs[t->req].method);
		const struct gw_addr *ca = &e->flow.conns[t->conn].caddr;

		const char *url = flow_str(&e->flow, t->url);
		struct tkey *k = &keys[2 * i];

		k[0].hash = key_hash(m, "", 0, url, is_connect(m));
		k[1].hash = key_hash(m, flow_str(&e->flow, t->host), t->port,
		    url, is_connect(m));
		k[0].idx = k[1].idx = (uint32_t)i;
		k[0].end_ns = k[1].end_ns = txn_end_ns(&e->flow, t,
		    e->flow.stats.last_ts);
		/* whole struct compared: clear the unused bytes */
		memset(&clients[nclients], 0, sizeof *clients);
		clients[nclients].family = ca->family;
		memcpy(clients[nclients++].a, ca->a, sizeof ca->a);
	}
	if (nkeys > 1)	/* NULL arrays when the capture has no request */
		qsort(keys, nkeys, sizeof *keys, cmp_tkey);
	if (nclients > 1)
		qsort(clients, nclients, sizeof *clients, cmp_addr);
	for (size_t i = 0; i < s->nentries; i++) {
		const struct alog_entry *en = &s->entries[i];
		const char *m = alog_str(s, en->method);

		s->entries[i].txn_id = 0;
		hashes[i] = key_hash(m, alog_str(s, en->host), en->port,
		    alog_str(s, en->url), is_connect(m));
	}
	s->anchors = estimate_offset(s, e, keys, nkeys, hashes,
	    &s->offset_ns);
	assign(s, e, keys, nkeys, hashes);
	for (size_t i = 0; i < s->nentries; i++) {
		struct alog_entry *en = &s->entries[i];

		en->unmatched = en->txn_id ? ALOG_MATCHED : (uint8_t)
		    unmatched_reason(en, e, s->offset_ns, clients, nclients);
	}
	free(s->by_txn);
	s->nby_txn = 0;
	if ((s->by_txn = malloc((s->nmatched + 1) * sizeof *s->by_txn)) ==
	    NULL)
		goto out;
	for (size_t i = 0; i < s->nentries; i++)
		if (s->entries[i].txn_id)
			s->by_txn[s->nby_txn++] = (uint32_t)i;
	qsort_r(s->by_txn, s->nby_txn, sizeof *s->by_txn, cmp_by_txn, s);
out:
	free(keys);
	free(hashes);
	free(clients);
}

const struct alog_entry *
alog_txn_entry(const struct alog_set *s, uint32_t txn_id)
{
	size_t lo = 0, hi;

	if (s == NULL || s->by_txn == NULL)
		return NULL;
	hi = s->nby_txn;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t id = s->entries[s->by_txn[mid]].txn_id;

		if (id == txn_id)
			return &s->entries[s->by_txn[mid]];
		if (id < txn_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *const reason_keys[ALOG_REASON_COUNT] = {
	"matched", "outside-capture", "started-before-capture",
	"client-not-captured", "not-found",
};

static const char *const reason_texts[ALOG_REASON_COUNT] = {
	"matched",
	"its time is outside the capture's time span",
	"it began before the capture started",
	"the capture has no traffic from its client (capture filter or "
	    "another interface?)",
	"no such request in the capture around that time (proxy port not "
	    "given with -p? capture filter?)",
};

const char *
alog_reason_key(enum alog_reason r)
{
	return r < ALOG_REASON_COUNT ? reason_keys[r] : "?";
}

const char *
alog_reason_text(enum alog_reason r)
{
	return r < ALOG_REASON_COUNT ? reason_texts[r] : "?";
}
