/*
 * compact.c: forgets the connections, messages and DNS look-ups the layer
 * above no longer needs and renumbers the rest in place (order kept), so
 * the model of an endless capture stays the size of what is still in play.
 */
#include <stdlib.h>
#include <string.h>

#include "flow.h"

static uint32_t *
number_kept(const uint8_t *keep, size_t n, size_t *nkept)
{
	uint32_t *map = malloc((n ? n : 1) * sizeof *map);
	uint32_t next = 0;

	if (map == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		map[i] = keep[i] ? next++ : NONE32;
	*nkept = next;
	return map;
}

/* Each kept connection's message chains skip the forgotten messages. */
static void
relink_chains(struct flow *fl, const uint8_t *keep_conn,
    const uint8_t *keep_msg)
{
	for (size_t ci = 0; ci < fl->nconns; ci++) {
		struct conn *c = &fl->conns[ci];

		if (!keep_conn[ci])
			continue;
		for (int d = 0; d < 2; d++) {
			uint32_t first = NONE32, last = NONE32;

			for (uint32_t mi = c->first_msg[d]; mi != NONE32;
			    mi = fl->msgs[mi].next) {
				if (!keep_msg[mi])
					continue;
				if (last == NONE32)
					first = mi;
				else
					fl->msgs[last].next = mi;
				last = mi;
			}
			if (last != NONE32)
				fl->msgs[last].next = NONE32;
			c->first_msg[d] = first;
			c->last_msg[d] = last;
		}
	}
}

static void
move_msgs(struct flow *fl, const struct flow_maps *mp)
{
	size_t n = 0;

	for (size_t i = 0; i < fl->nmsgs; i++) {
		struct http_msg m = fl->msgs[i];

		if (mp->msg[i] == NONE32)
			continue;
		m.conn = mp->conn[m.conn];
		m.next = flow_remap(mp->msg, m.next);
		m.pair = flow_remap(mp->msg, m.pair);
		fl->msgs[n++] = m;
	}
	fl->nmsgs = n;
}

/* Before move_conns: the kept connections' ICMP errors, in their order,
 * each connection pointed at its record's new place. */
static void
move_icmps(struct flow *fl, const struct flow_maps *mp)
{
	size_t n = 0;

	for (size_t i = 0; i < fl->nicmps; i++) {
		struct conn_icmp e = fl->icmps[i];

		if (mp->conn[e.conn] == NONE32)
			continue;
		fl->conns[e.conn].icmp = (uint32_t)n;
		e.conn = mp->conn[e.conn];
		fl->icmps[n++] = e;
	}
	fl->nicmps = n;
}

/* The same for their TLS handshakes. */
static void
move_tls(struct flow *fl, const struct flow_maps *mp)
{
	size_t n = 0;

	for (size_t i = 0; i < fl->ntls; i++) {
		struct conn_tls t = fl->tls[i];

		if (mp->conn[t.conn] == NONE32)
			continue;
		fl->conns[t.conn].tls = (uint32_t)n;
		t.conn = mp->conn[t.conn];
		fl->tls[n++] = t;
	}
	fl->ntls = n;
}

static void
move_conns(struct flow *fl, const struct flow_maps *mp)
{
	size_t n = 0;

	for (size_t i = 0; i < fl->nconns; i++) {
		struct conn *c = &fl->conns[i];

		if (mp->conn[i] == NONE32) {
			conn_free(fl, c);
			continue;
		}
		for (int d = 0; d < 2; d++) {
			c->first_msg[d] = flow_remap(mp->msg, c->first_msg[d]);
			c->last_msg[d] = flow_remap(mp->msg, c->last_msg[d]);
		}
		stream_remap(c, mp->msg);
		if (n != i) {
			fl->conns[n] = *c;
			fl->conn_links[n] = fl->conn_links[i];
		}
		n++;
	}
	fl->nconns = n;
}

/* Answers of kept queries into a new array: their order is not the
 * queries' (answers come when they come). */
static int
move_dns(struct flow *fl, const struct flow_maps *mp)
{
	struct dns_answer *answers = NULL;
	size_t n = 0, na = 0, cap = 0;

	for (size_t i = 0; i < fl->ndns; i++)
		if (mp->dns[i] != NONE32 && fl->dns[i].first_answer != NONE32)
			cap += fl->dns[i].nanswers;
	if (cap && (answers = malloc(cap * sizeof *answers)) == NULL)
		return -1;
	for (size_t i = 0; i < fl->ndns; i++) {
		struct dns_query q = fl->dns[i];

		if (mp->dns[i] == NONE32)
			continue;
		if (q.first_answer != NONE32 && q.nanswers) {
			memcpy(answers + na, fl->dns_answers + q.first_answer,
			    q.nanswers * sizeof *answers);
			q.first_answer = (uint32_t)na;
			na += q.nanswers;
		}
		fl->dns[n++] = q;
	}
	free(fl->dns_answers);
	fl->dns_answers = answers;
	fl->nanswers = fl->answers_cap = na;	/* na == cap */
	fl->ndns = n;
	return 0;
}

/* The string refs the model holds, less the caller's. */
static size_t
string_refs(const struct flow *fl)
{
	return fl->nmsgs * 7 + fl->ndns + fl->nanswers * 2 + fl->ntls * 2;
}

static void
compact_strings(struct flow *fl, strref **extra, size_t nextra)
{
	size_t n = string_refs(fl) + nextra, k = 0;
	strref **refs = malloc((n ? n : 1) * sizeof *refs);

	if (refs == NULL)
		return;
	for (size_t i = 0; i < fl->nmsgs; i++) {
		struct http_msg *m = &fl->msgs[i];

		refs[k++] = &m->method;
		refs[k++] = &m->target;
		refs[k++] = &m->host;
		refs[k++] = &m->line;
		refs[k++] = &m->error;
		refs[k++] = &m->error_line;
		refs[k++] = &m->authority;
	}
	for (size_t i = 0; i < fl->ndns; i++)
		refs[k++] = &fl->dns[i].qname;
	for (size_t i = 0; i < fl->nanswers; i++) {
		refs[k++] = &fl->dns_answers[i].name;
		refs[k++] = &fl->dns_answers[i].target;
	}
	for (size_t i = 0; i < fl->ntls; i++) {
		refs[k++] = &fl->tls[i].sni;
		refs[k++] = &fl->tls[i].reply_line;
	}
	if (nextra > 0)		/* extra may be NULL then */
		memcpy(refs + k, extra, nextra * sizeof *extra);
	strpool_compact(&fl->strings, refs, n);
	fl->strings_dead = 0;
	free(refs);
}

void
flow_maps_free(struct flow_maps *mp)
{
	free(mp->conn);
	free(mp->msg);
	free(mp->dns);
	memset(mp, 0, sizeof *mp);
}

int
flow_compact_plan(const struct flow *fl, const uint8_t *keep_conn,
    uint8_t *keep_msg, const uint8_t *keep_dns, struct flow_maps *mp)
{
	size_t nc, nm, nd;

	memset(mp, 0, sizeof *mp);
	/* a message lives only as long as its connection */
	for (size_t i = 0; i < fl->nmsgs; i++)
		if (!keep_conn[fl->msgs[i].conn])
			keep_msg[i] = 0;
	mp->conn = number_kept(keep_conn, fl->nconns, &nc);
	mp->msg = number_kept(keep_msg, fl->nmsgs, &nm);
	mp->dns = number_kept(keep_dns, fl->ndns, &nd);
	if (mp->conn == NULL || mp->msg == NULL || mp->dns == NULL) {
		flow_maps_free(mp);
		return -1;
	}
	mp->old_nconns = fl->nconns;
	mp->old_nmsgs = fl->nmsgs;
	mp->old_ndns = fl->ndns;
	return 0;
}

int
flow_compact_planned(struct flow *fl, const uint8_t *keep_conn,
    const uint8_t *keep_msg, strref **extra, size_t nextra,
    struct flow_maps *mp)
{
	size_t refs_before = string_refs(fl);

	if (move_dns(fl, mp) != 0) {
		flow_maps_free(mp);
		return -1;
	}
	relink_chains(fl, keep_conn, keep_msg);
	move_msgs(fl, mp);
	move_icmps(fl, mp);
	move_tls(fl, mp);
	move_conns(fl, mp);
	flow_rehash_conns(fl);
	dns_rehash(fl);
	/*
	 * The pool holds at most about twice what is kept: compacting it
	 * reads every ref, too long a pause to spend on a few dead strings
	 * (an eviction drops connections that carried none). Out of memory
	 * there leaves the strings as they were: still valid.
	 */
	fl->strings_dead += refs_before - string_refs(fl);
	if (fl->strings_dead >= string_refs(fl))
		compact_strings(fl, extra, nextra);
	return 0;
}

int
flow_compact(struct flow *fl, const uint8_t *keep_conn, uint8_t *keep_msg,
    const uint8_t *keep_dns, strref **extra, size_t nextra,
    struct flow_maps *mp)
{
	if (flow_compact_plan(fl, keep_conn, keep_msg, keep_dns, mp) != 0)
		return -1;
	return flow_compact_planned(fl, keep_conn, keep_msg, extra, nextra,
	    mp);
}
