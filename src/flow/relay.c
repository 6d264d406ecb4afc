/*
 * relay.c: ports where a host passes on the requests it receives: a
 * reverse proxy that -p does not name. Its clients ask in origin form
 * ("GET /path", as they would ask the server itself), so nothing in a
 * request says it went to a proxy; what says so is the host sending a
 * request for the same target to another server just after. Learnt from
 * the requests on connections that are no client's (those to a proxy
 * port are not looked at): a short ring of the latest, by server; for
 * the first RELAY_LOOK only unless one was passed on by then.
 */
#include <stdio.h>
#include <string.h>

#include "flow.h"

/* A reverse proxy sends the request on within this time (nginx and
 * HAProxy within a millisecond; a connect or a queue takes longer). */
#define RELAY_NS (1000LL * 1000000LL)
/* Requests looked at while none was passed on: a reverse proxy passes
 * on its first; a forward proxy's upstream requests go on unlooked at. */
#define RELAY_LOOK 4096

/* Its first RELAY_HASHED bytes and its length: enough to tell targets
 * apart within a second of one host's requests, on every upstream one. */
#define RELAY_HASHED 32

static uint32_t
target_hash(const char *s)
{
	uint32_t h = 2166136261u;
	size_t n = 0;

	for (; s[n] && n < RELAY_HASHED; n++)
		h = (h ^ (uint8_t)s[n]) * 16777619u;
	return h ^ (uint32_t)(n < RELAY_HASHED ? n : n + strlen(s + n));
}

/* (addr, port) among the relaying ports, counted once more. */
static void
relay_count(struct flow *fl, const struct gw_addr *addr, uint16_t port)
{
	struct relay_port *r;

	for (size_t k = 0; k < fl->nrelay_ports; k++) {
		r = &fl->relay_ports[k];
		if (r->port == port && addr_eq(&r->addr, addr)) {
			r->relayed++;
			return;
		}
	}
	if (fl->nrelay_ports == FLOW_RELAY_PORTS)
		return;
	r = &fl->relay_ports[fl->nrelay_ports++];
	r->addr = *addr;
	r->port = port;
	r->relayed = 1;
}

void
relay_request(struct flow *fl, const struct conn *c, const char *target,
    int64_t ts)
{
	struct relay_seen *e;
	uint32_t h;

	if (fl->nrelay_ports == 0 && fl->nrelay_seen >= RELAY_LOOK)
		return;
	h = target_hash(target);

	/* the client of this one got the same target just before, and
	 * asks another server (on loopback a client asks from the
	 * server's address); an entry not written yet matches none */
	for (size_t k = 0; k < FLOW_RELAY_SEEN; k++) {
		e = &fl->relay_seen[k];
		/* unsigned: any two times of a hostile capture subtract */
		if (e->target_hash == h && ts >= e->ts &&
		    (uint64_t)ts - (uint64_t)e->ts <= (uint64_t)RELAY_NS &&
		    addr_eq(&e->server, &c->caddr) &&
		    !(e->port == c->sport && addr_eq(&e->server, &c->saddr))) {
			relay_count(fl, &e->server, e->port);
			/* one request, one relay: none later is after it */
			e->ts = INT64_MAX;
			break;
		}
	}
	e = &fl->relay_seen[fl->nrelay_seen++ % FLOW_RELAY_SEEN];
	e->server = c->saddr;
	e->port = c->sport;
	e->target_hash = h;
	e->ts = ts;
}

/*
 * The relaying ports as "80,8081,8082" (ascending, each once) into out;
 * how many. *host: the first host seen relaying.
 */
size_t
flow_relay_ports(const struct flow *fl, char *out, size_t outlen,
    struct gw_addr *host)
{
	uint16_t ports[FLOW_RELAY_PORTS];
	size_t n = 0, len = 0;

	for (size_t k = 0; k < fl->nrelay_ports; k++) {	/* sorted */
		size_t j = k;

		for (; j > 0 && ports[j - 1] > fl->relay_ports[k].port; j--)
			ports[j] = ports[j - 1];
		ports[j] = fl->relay_ports[k].port;
	}
	if (outlen)
		out[0] = '\0';
	for (size_t k = 0; k < fl->nrelay_ports; k++) {	/* each once */
		int w;

		if (k > 0 && ports[k] == ports[k - 1])
			continue;
		n++;
		w = len < outlen ? snprintf(out + len, outlen - len, "%s%u",
		    n > 1 ? "," : "", ports[k]) : 0;
		len += w > 0 ? (size_t)w : 0;
	}
	if (n && host)
		*host = fl->relay_ports[0].addr;
	return n;
}
