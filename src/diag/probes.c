/*
 * probes.c: a gateway's health checks. HAProxy (`check`, every 2 s by
 * default), Envoy and Traefik connect to each backend at a fixed
 * interval whatever the clients ask. A check of a backend that is down
 * is refused or unanswered like a request's try, and when one begins
 * just after a request, time alone takes it for that request's try (or
 * for the try before the one that carried it). A connection that ends a
 * long run of connections to one server, evenly spaced, most of them
 * begun with no client's request just before, is a check; so is the run's
 * next on its beat, or a little late, whatever came before it (in a storm
 * of requests every check has one just before). A monitor
 * that asks through the proxy at a fixed interval makes the proxy
 * connect at that interval too, but each of those follows its request:
 * they stay tries.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "diag_int.h"

/* Servers followed: direct-mapped, a colliding one replacing the older
 * (bounded whatever the capture holds). */
#define PROBE_SLOTS 4096
/* Even intervals in a row, after the first, that make a series a
 * checker's (eight connections): more than a request's retries at a
 * fixed delay (HAProxy's `retries 3`, a connect timeout or a second
 * apart). */
#define PROBE_RUN 6
/* Of a series' last 8 connections, at least this many began with no
 * client's request DIAG_NEXT_NS before. */
#define PROBE_UNPROMPTED 4
/* Checks come no closer (HAProxy's default is 2 s, Envoy's and
 * Traefik's are set in seconds); a faster series is a client's loop. */
#define PROBE_MIN_NS (100LL * 1000000LL)
/* Messages looked at for a request just before a connection: past it
 * the gateway is busy, and the connection counts as prompted. */
#define PROBE_LOOK 256

struct probe_memo {
	struct gw_addr addr;
	uint16_t port;
	bool used;
	bool checker;			/* the run held PROBE_UNPROMPTED
					 * unprompted ones: a checker's */
	uint8_t run;			/* even intervals in a row */
	uint8_t unprompted;		/* last 8 connections, bit 0 the
					 * newest: begun with no request
					 * just before */
	int64_t last_ns, interval_ns;
};

/* Did a client's request begin in the DIAG_NEXT_NS before `at`? */
static bool
prompted(const struct flow *fl, int64_t at)
{
	int64_t from = add_sat(at, -DIAG_NEXT_NS);
	size_t steps = 0;

	for (size_t k = diag_msg_lower(fl, add_sat(at, 1)); k > 0 &&
	    fl->msgs[k - 1].start.ts_ns >= from; k--) {
		const struct http_msg *m = &fl->msgs[k - 1];

		if (++steps > PROBE_LOOK ||
		    (m->dir == 0 && fl->conns[m->conn].role == CONN_CLIENT))
			return true;
	}
	return false;
}

/* Is b within a checker's timer lateness of a (2 ms, 1/256 of it: HAProxy
 * keeps its 2 s to 3 ms)? */
static bool
even(int64_t a, int64_t b)
{
	int64_t tol = a / 256 > 2000000 ? a / 256 : 2000000;

	return b >= add_sat(a, -tol) && b <= add_sat(a, tol);
}

/* Is gap a check come late (a checker's timer under load: HAProxy's came
 * 160 ms after its 2 s beat in a storm of requests), by at most an
 * eighth of the interval? */
static bool
late(int64_t interval, int64_t gap)
{
	return gap > interval && gap <= add_sat(interval, interval / 8);
}

static void
restart(struct probe_memo *p, int64_t at, int64_t gap)
{
	p->run = 0;
	p->checker = false;
	p->interval_ns = gap;
	p->last_ns = at;
}

/*
 * Follows the series of c's server; is c a check? A connection on the
 * series' beat extends it; one before the beat, once the series holds,
 * is another's (a request's try to the same server) and leaves it as
 * it was; one a little after the beat, once the series is a checker's,
 * is a late check; one later (a missed check, a checker's restart)
 * starts it again from there.
 */
static bool
follow(struct probe_memo *p, const struct flow *fl, const struct conn *c)
{
	int64_t at = c->first.ts_ns, gap;

	if (!p->used || p->port != c->sport || !addr_eq(&p->addr, &c->saddr)) {
		memset(p, 0, sizeof *p);
		p->used = true;
		p->addr = c->saddr;
		p->port = c->sport;
		p->last_ns = at;
		p->unprompted = !prompted(fl, at);
		return false;
	}
	if (__builtin_sub_overflow(at, p->last_ns, &gap) || gap < 0) {
		restart(p, at, 0);
		return false;
	}
	if (gap >= PROBE_MIN_NS && even(p->interval_ns, gap)) {
		if (p->run < UINT8_MAX)
			p->run++;
		p->interval_ns = gap;
		p->last_ns = at;
	} else if (p->run > 0 && gap < p->interval_ns)
		return false;
	else if (p->checker && late(p->interval_ns, gap))
		p->last_ns = at;	/* the beat goes on from it */
	else
		restart(p, at, gap);
	/* sooner than a check comes: no need to look (a busy server's) */
	p->unprompted = (uint8_t)(p->unprompted << 1 |
	    (gap >= PROBE_MIN_NS && !prompted(fl, at)));
	/* once a checker's, the run stays one while it keeps the beat: in
	 * a storm of requests every check has one just before */
	if (p->run >= PROBE_RUN && __builtin_popcount(p->unprompted) >=
	    PROBE_UNPROMPTED)
		p->checker = true;
	return p->checker;
}

void
diag_probe_note(struct diag *dg, const struct flow *fl, uint32_t i)
{
	const struct conn *c = &fl->conns[i];

	if (c->nsyn == 0)
		return;
	/* out of memory: no connection is a check, time alone decides */
	if (dg->probes == NULL &&
	    (dg->probes = calloc(PROBE_SLOTS, sizeof *dg->probes)) == NULL)
		return;
	if (follow(&dg->probes[dst_hash(&c->saddr, c->sport) % PROBE_SLOTS],
	    fl, c) && diag_flags_reserve(&dg->conn_probe, &dg->conn_probe_cap,
	    (size_t)i + 1) == 0)
		dg->conn_probe[i] = 1;
}

bool
diag_probe(const struct diag *dg, const struct flow *fl, uint32_t i)
{
	return i < dg->conn_probe_cap && dg->conn_probe[i] &&
	    fl->conns[i].bytes[0] == 0;
}

void
diag_probe_free(struct diag *dg)
{
	free(dg->probes);
	free(dg->conn_probe);
	dg->probes = NULL;
	dg->conn_probe = NULL;
	dg->conn_probe_cap = 0;
}
