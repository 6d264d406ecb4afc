/*
 * backends.c: the backend a reverse proxy's configuration gives a host,
 * as the capture showed it. Requests in origin form name no address: a
 * connection begun with one is linked by time (link.c backend_addr), and
 * when the proxy starts several at once for different hosts, time alone
 * can pick the other's. A host whose earlier requests each met one
 * connection alone, all to one backend, is pinned to it; a host seen on
 * several (a pool, a changed configuration) is not.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "diag_int.h"

/* Hosts remembered: a direct-mapped table, a colliding host replacing
 * the older (bounded whatever the capture names). */
#define BACKEND_SLOTS 4096

enum backend_state { BACKEND_NONE, BACKEND_ONE, BACKEND_SEVERAL };

struct backend_memo {
	uint32_t host_hash;
	uint16_t port;
	uint8_t state;			/* enum backend_state */
	struct gw_addr addr;
};

static struct backend_memo *
slot(const struct diag *dg, uint32_t host_hash)
{
	return dg->backends ? &dg->backends[host_hash % BACKEND_SLOTS] : NULL;
}

void
diag_backend_learn(struct diag *dg, uint32_t host_hash,
    const struct gw_addr *addr, uint16_t port)
{
	struct backend_memo *b;

	/* out of memory: nothing pinned, time alone decides */
	if (dg->backends == NULL &&
	    (dg->backends = calloc(BACKEND_SLOTS, sizeof *b)) == NULL)
		return;
	b = slot(dg, host_hash);
	if (b->state == BACKEND_NONE || b->host_hash != host_hash) {
		b->host_hash = host_hash;
		b->addr = *addr;
		b->port = port;
		b->state = BACKEND_ONE;
	} else if (b->port != port || !addr_eq(&b->addr, addr))
		b->state = BACKEND_SEVERAL;
}

bool
diag_backend_pinned(const struct diag *dg, uint32_t host_hash,
    const struct gw_addr *addr, uint16_t port)
{
	const struct backend_memo *b = slot(dg, host_hash);

	return b != NULL && b->state == BACKEND_ONE &&
	    b->host_hash == host_hash && b->port == port &&
	    addr_eq(&b->addr, addr);
}

void
diag_backend_free(struct diag *dg)
{
	free(dg->backends);
	dg->backends = NULL;
}
