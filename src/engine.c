/* engine.c: capture → proto → flow → diag, one slice of frames at a time. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engine.h"
#include "peer/peer.h"
#include "prefetch.h"
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
	if (o->gateway.family)
		flow_set_gateway(&e->flow, &o->gateway);
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

/* One frame, decoded (result: decode_frame's), into the model. */
static void
engine_take(struct engine *e, const struct frame *f, const struct pkt *p,
    enum decode_result result)
{
	struct flow_stats *st = &e->flow.stats;

	if (f->number > FRAME_NUMBER_MAX) {
		/* a reference holds no more (frame.h); 254 days at 50,000
		 * frames a second */
		if (!e->damaged)
			snprintf(e->error, sizeof e->error, "frame %llu: more "
			    "frames than gw502tui numbers (%llu): the rest "
			    "is not read; split the capture (editcap -c)",
			    (unsigned long long)f->number,
			    (unsigned long long)FRAME_NUMBER_MAX);
		e->damaged = true;
		return;
	}
	frameoff_note(&e->flow.offsets, f);
	st->frames++;
	st->bytes += f->caplen;
	if (st->first_ts == 0 || f->ts_ns < st->first_ts)
		st->first_ts = f->ts_ns;
	if (f->ts_ns > st->last_ts)
		st->last_ts = f->ts_ns;
	switch (result) {
	case DECODE_OK:
		flow_feed(&e->flow, f, p);
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

void
engine_feed(struct engine *e, const struct frame *f)
{
	struct pkt p;

	engine_take(e, f, &p, decode_frame(f->linktype, f->data, f->caplen,
	    &p));
}

static bool
key_of(const struct pkt *p, struct engine_tcp_key *k)
{
	if (p->l4 != L4_TCP || p->fragment)
		return false;
	k->a = p->src;
	k->b = p->dst;
	k->aport = p->sport;
	k->bport = p->dport;
	return true;
}

static bool
same_conn(const struct engine_tcp_key *x, const struct engine_tcp_key *y)
{
	return (x->aport == y->aport && x->bport == y->bport &&
	    addr_eq(&x->a, &y->a) && addr_eq(&x->b, &y->b)) ||
	    (x->aport == y->bport && x->bport == y->aport &&
	    addr_eq(&x->a, &y->b) && addr_eq(&x->b, &y->a));
}

static bool
key_known(const struct engine_tcp_key *keys, size_t n,
    const struct engine_tcp_key *k)
{
	for (size_t i = 0; i < n; i++)
		if (same_conn(&keys[i], k))
			return true;
	return false;
}

size_t
engine_tcp_keys_add(struct engine_tcp_key *keys, size_t n, size_t max,
    const struct frame *f)
{
	struct pkt p;
	struct engine_tcp_key k;

	if (n < max && decode_frame(f->linktype, f->data, f->caplen, &p) ==
	    DECODE_OK && key_of(&p, &k) && !key_known(keys, n, &k))
		keys[n++] = k;
	return n;
}

void
engine_feed_tcp(struct engine *e, const struct frame *f,
    const struct engine_tcp_key *keys, size_t n)
{
	struct pkt p;
	struct engine_tcp_key k;
	enum decode_result r = decode_frame(f->linktype, f->data, f->caplen,
	    &p);

	if (r == DECODE_OK && (key_of(&p, &k) ? key_known(keys, n, &k) :
	    p.fragment))
		engine_take(e, f, &p, r);
}

/*
 * -j 2, on a regular file: a read that may block for ever, on a device,
 * would keep engine_close from stopping the thread. Not the default: on
 * the machines measured (doc/performance.md) the frames' bytes and
 * parses crossing from one core to the other cost the engine's thread
 * about what the second thread took off it.
 */
static bool
wants_prefetch(const struct engine *e)
{
	struct stat st;

	return e->opts.threads >= 2 &&
	    stat(capfile_path(e->cap), &st) == 0 && S_ISREG(st.st_mode);
}

/* The next frame, from the reading thread or read here: as capfile_next. */
static int
engine_next(struct engine *e)
{
	const struct prefetch_frame *pf;
	struct frame f;
	int r;

	if (e->pf != NULL) {
		if ((r = prefetch_next(e->pf, &pf)) == 1)
			engine_take(e, &pf->f, &pf->p, pf->result);
	} else if ((r = capfile_next(e->cap, &f)) == 1) {
		engine_feed(e, &f);
	}
	/* past FRAME_NUMBER_MAX engine_take stopped: the end */
	return r == 1 && e->damaged ? 0 : r;
}

uint64_t
engine_pos(const struct engine *e)
{
	if (e->pf != NULL)
		return prefetch_pos(e->pf);
	return e->cap ? capfile_pos(e->cap) : 0;
}

int
engine_step(struct engine *e, uint64_t max_frames)
{
	uint64_t n = 0;
	int r = 1;

	if (e->eof || e->cap == NULL)
		return 0;
	if (!e->pf_tried) {	/* after engine_open's caller set up --peer */
		e->pf_tried = true;
		if (wants_prefetch(e))
			e->pf = prefetch_start(e->cap);
	}
	/* a slice ends early at the connection budget: evicted before more */
	while ((max_frames == 0 || n < max_frames) &&
	    !flow_wants_evict(&e->flow) && (r = engine_next(e)) == 1)
		n++;
	diag_update(&e->diag, &e->flow);
	if (!e->evict_by_caller)
		diag_evict(&e->diag, &e->flow);
	if (r == 1)
		return 1;
	if (r < 0) {
		e->damaged = true;
		snprintf(e->error, sizeof e->error, "%s", e->pf ?
		    prefetch_error(e->pf) : capfile_error(e->cap));
	}
	prefetch_stop(e->pf);	/* it has ended: the file is ours again */
	e->pf = NULL;
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

/* The word for n things: "1 HTTP head exceeded", "2 HTTP heads". */
static const char *
one_many(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/*
 * "-p 80,8081" for the proxy ports a capture wants: the relaying ports
 * (relay.c) after those given that served requests; 0 when there are
 * no relaying ports.
 */
size_t
engine_ports_hint(const struct engine *e, char *out, size_t outlen,
    struct gw_addr *host)
{
	char ports[8 * FLOW_RELAY_PORTS];
	size_t n = flow_relay_ports(&e->flow, ports, sizeof ports, host), len;

	if (n == 0 || outlen == 0)
		return 0;
	snprintf(out, outlen, "-p ");
	for (size_t k = 0; diag_total(&e->diag) && k < e->opts.nproxy_ports;
	    k++) {
		len = strlen(out);
		snprintf(out + len, outlen - len, "%u,", e->opts.proxy_ports[k]);
	}
	len = strlen(out);
	snprintf(out + len, outlen - len, "%s", ports);
	return n;
}

void
engine_notice(const struct engine *e, char *out, size_t outlen)
{
	const struct flow_stats *st = &e->flow.stats;
	char hint[16 + 8 * (FLOW_MAX_PROXY_PORTS + FLOW_RELAY_PORTS)];
	char ports[8 * FLOW_RELAY_PORTS], host[ADDR_STRLEN];
	struct gw_addr relay;
	size_t nrelay;

	out[0] = '\0';
	nrelay = engine_ports_hint(e, hint, sizeof hint, &relay);
	if (nrelay) {
		flow_relay_ports(&e->flow, ports, sizeof ports, NULL);
		clause(out, outlen, "%s passes on to other servers the requests "
		    "it receives on %s %s, which -p does not name (a reverse "
		    "proxy): %s reads them", addr_fmt(&relay, host,
		    sizeof host), one_many(nrelay, "port", "ports"), ports,
		    hint);
	}
	if (st->bad_link)
		clause(out, outlen, "%" PRIu64 " %s of an unsupported link "
		    "type (%" PRIu64 ") skipped", st->bad_link,
		    one_many(st->bad_link, "frame", "frames"),
		    (uint64_t)st->last_bad_linktype);
	if (st->conns_dropped || st->msgs_dropped || st->dns_dropped)
		clause(out, outlen, "limits reached: %" PRIu64 " connections "
		    "and %" PRIu64 " HTTP or DNS messages not tracked",
		    st->conns_dropped, st->msgs_dropped + st->dns_dropped);
	if (st->pending_dropped)
		clause(out, outlen, "state budget: %" PRIu64 " %s dropped "
		    "before %s HTTP (the least recently active first)",
		    st->pending_dropped, one_many(st->pending_dropped,
		    "connection seen without its SYN was",
		    "connections seen without their SYN were"),
		    one_many(st->pending_dropped, "it showed", "they showed"));
	if (st->conns_evicted)
		clause(out, outlen, "state budget: %" PRIu64 " %s no data and "
		    "that no request needed %s evicted (the least recently "
		    "active first)", st->conns_evicted,
		    one_many(st->conns_evicted, "connection that carried",
		    "connections that carried"),
		    one_many(st->conns_evicted, "was", "were"));
	if (e->diag.txns_dropped)
		clause(out, outlen, "limit reached: %" PRIu64 " %s not "
		    "tracked", e->diag.txns_dropped,
		    one_many(e->diag.txns_dropped, "request", "requests"));
	if (st->heads_too_long)
		clause(out, outlen, "%" PRIu64 " HTTP %s the "
		    "%d-byte line or %d-byte head limit", st->heads_too_long,
		    one_many(st->heads_too_long, "head exceeded",
		    "heads exceeded"), HTTP_LINE_MAX, HTTP_HEAD_MAX);
	if (e->diag.bad_requests)
		clause(out, outlen, "%" PRIu64 " %s not valid HTTP/1.x and %s "
		    "not listed", e->diag.bad_requests,
		    one_many(e->diag.bad_requests, "client request was",
		    "client requests were"),
		    one_many(e->diag.bad_requests, "is", "are"));
}

void
engine_close(struct engine *e)
{
	prefetch_stop(e->pf);
	peer_close(e->peer);
	diag_free(&e->diag);
	flow_free(&e->flow);
	if (e->cap)
		capfile_close(e->cap);
	memset(e, 0, sizeof *e);
}
