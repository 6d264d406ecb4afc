/*
 * dnslog.c: DNS queries and their answers, matched by id, addresses and
 * ports (the way Wireshark pairs them), with the A/AAAA/CNAME records kept.
 */
#include <string.h>
#include <strings.h>

#include "../proto/dns.h"
#include "flow.h"

/* An unanswered query older than this is no longer waited for. */
#define DNS_WAIT_NS (60LL * 1000000000LL)

size_t
dns_bucket(const struct flow *fl, uint16_t id, uint16_t cport)
{
	return ((size_t)id * 31u + cport) & (fl->dns_hash_size - 1);
}

static void
add_query(struct flow *fl, const struct frame_ref *fr, const struct pkt *p,
    const struct dns_msg *m, bool over_tcp)
{
	struct dns_query *q;
	size_t b;

	if (fl->ndns >= fl->limits.max_dns ||
	    vec_reserve((void **)&fl->dns, &fl->dns_cap, fl->ndns + 1,
	    sizeof *fl->dns, fl->limits.max_dns) != 0) {
		fl->stats.dns_dropped++;
		return;
	}
	q = &fl->dns[fl->ndns];
	memset(q, 0, sizeof *q);
	q->query = *fr;
	q->client = p->src;
	q->server = p->dst;
	q->cport = p->sport;
	q->sport = p->dport;
	q->id = m->id;
	q->qtype = m->qtype;
	q->rcode = -1;
	q->qname = strpool_add(&fl->strings, m->qname, strlen(m->qname));
	q->first_answer = NONE32;
	q->over_tcp = over_tcp;
	b = dns_bucket(fl, m->id, p->sport);
	q->hash_next = fl->dns_hash[b];
	fl->dns_hash[b] = (uint32_t)fl->ndns;
	fl->ndns++;
}

static void
add_answers(struct flow *fl, struct dns_query *q, const struct dns_msg *m)
{
	q->first_answer = (uint32_t)fl->nanswers;
	for (unsigned i = 0; i < m->nanswers; i++) {
		const struct dns_rr *rr = &m->answers[i];
		struct dns_answer *a;

		if (vec_reserve((void **)&fl->dns_answers, &fl->answers_cap,
		    fl->nanswers + 1, sizeof *fl->dns_answers,
		    fl->limits.max_dns * 4) != 0) {
			fl->stats.dns_dropped++;
			break;
		}
		a = &fl->dns_answers[fl->nanswers++];
		memset(a, 0, sizeof *a);
		a->type = rr->type;
		a->addr = rr->addr;
		a->ttl = rr->ttl;
		a->name = strpool_add(&fl->strings, rr->name,
		    strlen(rr->name));
		a->target = strpool_add(&fl->strings, rr->target,
		    strlen(rr->target));
		q->nanswers++;
	}
}

/* Finds the newest unanswered query this answer is for, unlinking it. */
static struct dns_query *
take_query(struct flow *fl, const struct pkt *p, const struct dns_msg *m,
    int64_t now)
{
	size_t b = dns_bucket(fl, m->id, p->dport);
	uint32_t *link = &fl->dns_hash[b];

	while (*link != NONE32) {
		struct dns_query *q = &fl->dns[*link];

		if (now - q->query.ts_ns > DNS_WAIT_NS) {
			*link = q->hash_next;	/* stale: forget it */
			continue;
		}
		if (q->id == m->id && q->cport == p->dport &&
		    q->sport == p->sport && addr_eq(&q->client, &p->dst) &&
		    (m->qname[0] == '\0' ||
		    strcasecmp(flow_str(fl, q->qname), m->qname) == 0)) {
			*link = q->hash_next;
			return q;
		}
		link = &q->hash_next;
	}
	return NULL;
}

void
dns_feed(struct flow *fl, const struct frame *f, const struct pkt *p,
    const uint8_t *msg, size_t len, bool over_tcp)
{
	struct frame_ref fr = { f->number, f->ts_ns, f->offset };
	struct dns_msg m;
	struct dns_query *q;

	if (dns_parse(msg, len, &m) != 0)
		return;
	fl->stats.dns++;
	if (!m.response) {
		add_query(fl, &fr, p, &m, over_tcp);
		return;
	}
	q = take_query(fl, p, &m, f->ts_ns);
	if (q == NULL)
		return;
	q->answer = fr;
	q->rcode = m.rcode;
	q->neg_ttl = m.neg_ttl;
	add_answers(fl, q, &m);
}
