/* engine.c: capture → proto → flow → diag, one slice of frames at a time. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "peer/peer.h"
#include "proto/http.h"
#include "proto/packet.h"

void
engine_default_opts(struct engine_opts *o)
{
	memset(o, 0, sizeof *o);
	o->proxy_ports[0] = 9090;
	o->nproxy_ports = 1;
	o->statuses[0] = 502;
	o->statuses[1] = 503;
	o->statuses[2] = 504;
	o->nstatuses = 3;
	o->timeout_ns = 120LL * 1000000000LL;
}

int
engine_init(struct engine *e, const struct engine_opts *o, char *err,
    size_t errlen)
{
	struct diag_opts dopts;

	memset(e, 0, sizeof *e);
	e->opts = *o;
	if (flow_init(&e->flow, o->proxy_ports, o->nproxy_ports) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (o->conn_budget_set)
		flow_set_conn_budget(&e->flow, o->conn_budget);
	memset(&dopts, 0, sizeof dopts);
	memcpy(dopts.statuses, o->statuses, sizeof dopts.statuses);
	dopts.nstatuses = o->nstatuses;
	dopts.timeout_ns = o->timeout_ns;
	dopts.gateway = o->gateway;
	dopts.settled_only = o->settled_only;
	diag_init(&e->diag, &dopts);
	return 0;
}

int
engine_open(struct engine *e, const char *path, const struct engine_opts *o,
    char *err, size_t errlen)
{
	if (engine_init(e, o, err, errlen) != 0)
		return -1;
	e->cap = capfile_open(path, err, errlen);
	if (e->cap == NULL) {
		engine_close(e);
		return -1;
	}
	return 0;
}

void
engine_feed(struct engine *e, const struct frame *f)
{
	struct flow_stats *st = &e->flow.stats;
	struct pkt p;

	st->frames++;
	st->bytes += f->caplen;
	if (st->first_ts == 0 || f->ts_ns < st->first_ts)
		st->first_ts = f->ts_ns;
	if (f->ts_ns > st->last_ts)
		st->last_ts = f->ts_ns;
	switch (decode_frame(f->linktype, f->data, f->caplen, &p)) {
	case DECODE_OK:
		flow_feed(&e->flow, f, &p);
		break;
	case DECODE_NOT_IP:
		st->not_ip++;
		break;
	case DECODE_BAD_LINK:
		st->bad_link++;
		st->last_bad_linktype = f->linktype;
		break;
	default:
		st->malformed++;
		break;
	}
}

int
engine_step(struct engine *e, uint64_t max_frames)
{
	struct frame f;
	uint64_t n = 0;
	int r = 1;

	if (e->eof || e->cap == NULL)
		return 0;
	/* a slice ends early at the connection budget: evicted before more */
	while ((max_frames == 0 || n < max_frames) &&
	    !flow_wants_evict(&e->flow) &&
	    (r = capfile_next(e->cap, &f)) == 1) {
		engine_feed(e, &f);
		n++;
	}
	diag_update(&e->diag, &e->flow);
	if (!e->evict_by_caller)
		diag_evict(&e->diag, &e->flow);
	if (r == 1)
		return 1;
	if (r < 0) {
		e->damaged = true;
		snprintf(e->error, sizeof e->error, "%s",
		    capfile_error(e->cap));
	}
	engine_finish(e);
	return 0;
}

void
engine_finish(struct engine *e)
{
	if (e->eof)
		return;
	e->eof = true;
	flow_finish(&e->flow);
	diag_update(&e->diag, &e->flow);
}

void
engine_tick(struct engine *e, int64_t now_ns)
{
	if (now_ns > e->flow.stats.last_ts)
		e->flow.stats.last_ts = now_ns;
}

void
engine_diagnose_begin(struct engine *e)
{
	diag_update(&e->diag, &e->flow);
	if (!e->evict_by_caller)
		diag_evict(&e->diag, &e->flow);
}

bool
engine_diagnose_step(struct engine *e, size_t budget)
{
	return diag_run_step(&e->diag, &e->flow, e->eof, budget);
}

void
engine_diagnose(struct engine *e)
{
	engine_diagnose_begin(e);
	diag_run(&e->diag, &e->flow, e->eof);
}

/* Appends one clause to out, "; "-separated. */
static void __attribute__((format(printf, 3, 4)))
clause(char *out, size_t outlen, const char *fmt, ...)
{
	size_t len = strlen(out);
	va_list ap;

	if (len + 3 >= outlen)
		return;
	if (len) {
		strcpy(out + len, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(out + len, outlen - len, fmt, ap);
	va_end(ap);
}

void
engine_notice(const struct engine *e, char *out, size_t outlen)
{
	const struct flow_stats *st = &e->flow.stats;

	out[0] = '\0';
	if (st->bad_link)
		clause(out, outlen, "%" PRIu64 " frames of an unsupported link "
		    "type (%" PRIu64 ") skipped", st->bad_link,
		    (uint64_t)st->last_bad_linktype);
	if (st->conns_dropped || st->msgs_dropped || st->dns_dropped)
		clause(out, outlen, "limits reached: %" PRIu64 " connections "
		    "and %" PRIu64 " HTTP or DNS messages not tracked",
		    st->conns_dropped, st->msgs_dropped + st->dns_dropped);
	if (st->pending_dropped)
		clause(out, outlen, "state budget: %" PRIu64 " connections "
		    "seen without their SYN were dropped before they showed "
		    "HTTP (the least recently active first)",
		    st->pending_dropped);
	if (st->conns_evicted)
		clause(out, outlen, "state budget: %" PRIu64 " connections "
		    "that carried no data and that no request needed were "
		    "evicted (the least recently active first)",
		    st->conns_evicted);
	if (e->diag.txns_dropped)
		clause(out, outlen, "limit reached: %" PRIu64 " requests not "
		    "tracked", e->diag.txns_dropped);
	if (st->heads_too_long)
		clause(out, outlen, "%" PRIu64 " HTTP heads exceeded the "
		    "%d-byte line or %d-byte head limit", st->heads_too_long,
		    HTTP_LINE_MAX, HTTP_HEAD_MAX);
	if (e->diag.bad_requests)
		clause(out, outlen, "%" PRIu64 " client requests were not "
		    "valid HTTP/1.x and are not listed", e->diag.bad_requests);
}

void
engine_close(struct engine *e)
{
	peer_close(e->peer);
	diag_free(&e->diag);
	flow_free(&e->flow);
	if (e->cap)
		capfile_close(e->cap);
	memset(e, 0, sizeof *e);
}
