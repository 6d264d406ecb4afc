/*
 * masked.c: a failure behind a success status (DESIGN §7; issue 12,
 * point 8). Some gateways answer CONNECT with 200 before they connect
 * (mitmproxy's lazy strategy): they try the upstream only once the client
 * speaks in the tunnel and drop the tunnel when that fails. The client saw
 * 200; the failure is in the capture after it. For such a CONNECT the
 * story runs on to the gateway's close of the tunnel: its evidence window
 * and its settling reach that far, and failed attempts (or look-ups) with
 * nothing relayed make it a gateway error, marked masked.
 */
#include "../proto/http.h"
#include "diag_int.h"
#include "masked.h"

/*
 * A CONNECT the gateway answered 2xx: a tunnel was promised. A valid
 * request has the authority form exactly when its method is CONNECT
 * (RFC 9112 3.2.3; http.c classify_target): the form is in the message,
 * the method's string in the pool, a cache miss away.
 */
static bool
tunnel_answered(const struct flow *fl, const struct txn *t)
{
	return t->resp != NONE32 && t->status >= 200 && t->status < 300 &&
	    fl->msgs[t->req].form == HTTP_FORM_AUTHORITY;
}

const struct frame_ref *
diag_tunnel_close(const struct flow *fl, const struct txn *t)
{
	const struct conn *c = &fl->conns[t->conn];
	const struct frame_ref *close;

	if (!tunnel_answered(fl, t))
		return NULL;
	/* on the client's connection the gateway is the server side */
	close = c->fin[1].number ? &c->fin[1] :
	    (c->rst.number && c->rst_from_server) ? &c->rst : NULL;
	if (close == NULL)
		return NULL;
	/* the client leaving first ended the tunnel, not the gateway */
	if (c->fin[0].number && c->fin[0].number < close->number)
		return NULL;
	if (c->rst.number && !c->rst_from_server &&
	    c->rst.number < close->number)
		return NULL;
	return close;
}

/* The close, if it came within the gateway's timeout of the request:
 * a gateway gives up on an upstream no later than that. */
static const struct frame_ref *
close_in_time(const struct diag *dg, const struct flow *fl,
    const struct txn *t)
{
	const struct frame_ref *close = diag_tunnel_close(fl, t);

	if (close == NULL || close->ts_ns > add_sat(
	    fl->msgs[t->req].start.ts_ns, dg->opts.timeout_ns))
		return NULL;
	return close;
}

int64_t
diag_tunnel_end_ns(const struct diag *dg, const struct flow *fl,
    const struct txn *t, int64_t end)
{
	const struct frame_ref *close = close_in_time(dg, fl, t);

	return close != NULL && close->ts_ns > end ? close->ts_ns : end;
}

int64_t
diag_tunnel_settle_ns(const struct diag *dg, const struct flow *fl,
    const struct txn *t, int64_t at)
{
	const struct conn *c = &fl->conns[t->conn];
	const struct frame_ref *close;
	int64_t until;

	if (!tunnel_answered(fl, t))
		return at;
	if ((close = close_in_time(dg, fl, t)) != NULL)
		until = add_sat(close->ts_ns, DIAG_SLACK_NS);
	else if (c->fin[0].number || c->fin[1].number || c->rst.number)
		return at;	/* over, and not dropped by the gateway */
	else		/* open: the gateway may still drop it */
		until = add_sat(fl->msgs[t->req].start.ts_ns,
		    add_sat(dg->opts.timeout_ns, DIAG_SLACK_NS));
	return until > at ? until : at;
}

bool
diag_tunnel_masked(const struct diag *dg, const struct flow *fl,
    const struct txn *t)
{
	/* a failed look-up or failed attempts only: an attempt that
	 * connected could have relayed bytes, and is no connect failure */
	return (t->d.verdict == V_HOST_NOT_RESOLVABLE ||
	    t->d.verdict == V_CANNOT_CONNECT) &&
	    close_in_time(dg, fl, t) != NULL;
}
