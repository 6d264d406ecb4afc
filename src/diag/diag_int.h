/* diag_int.h: helpers shared by the files of diag/, not for other layers. */
#ifndef GW_DIAG_INT_H
#define GW_DIAG_INT_H

#include "diag.h"

/* Evidence may precede the request frame by this much (clock skew between
 * interfaces of an `-i any` capture). */
#define DIAG_SLACK_NS (200LL * 1000000LL)

uint32_t name_hash(const char *s);
uint32_t dst_hash(const struct gw_addr *a, uint16_t port);
uint32_t chain_first(const struct chain_index *ci, uint32_t h);
uint32_t chain_next(const struct chain_index *ci, uint32_t item);
bool is_error_status(const struct diag *dg, uint16_t status);
void request_host(const struct flow *fl, const struct http_msg *m,
    char *host, size_t hostlen, uint16_t *port);

#endif
