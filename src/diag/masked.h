/*
 * masked.h: a CONNECT answered 2xx before the gateway connected, whose
 * tunnel it dropped once the upstream failed (masked.c).
 */
#ifndef GW_DIAG_MASKED_H
#define GW_DIAG_MASKED_H

#include "diag.h"

/* The gateway's close (FIN or RST) of a 2xx CONNECT's tunnel, when it came
 * before the client left; NULL otherwise (or not such a CONNECT). */
const struct frame_ref *diag_tunnel_close(const struct flow *fl,
    const struct txn *t);
/* Where t's evidence window ends: `end` (its answer), or the gateway's
 * close of its tunnel within the gateway's timeout. */
int64_t diag_tunnel_end_ns(const struct diag *dg, const struct flow *fl,
    const struct txn *t, int64_t end);
/* When t's story stops changing, given `at` for its answer: a tunnel
 * still open may yet be dropped, so not before the close or the
 * timeout. */
int64_t diag_tunnel_settle_ns(const struct diag *dg, const struct flow *fl,
    const struct txn *t, int64_t at);
/* A 2xx CONNECT the gateway dropped after failing to resolve or reach
 * its target (nothing was ever relayed): a gateway error, masked. */
bool diag_tunnel_masked(const struct diag *dg, const struct flow *fl,
    const struct txn *t);

#endif
