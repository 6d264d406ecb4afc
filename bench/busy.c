/*
 * busy.c: writes a pcap file of a busy web-proxy gateway — many concurrent
 * requests to few upstream hosts whose outcome flaps from request to
 * request over every cause of DESIGN §1 — with the truth of every
 * transaction, for testing gw502tui's correlation (issue 12). The traffic
 * is what real proxies make, not what is easy to correlate:
 *
 * - DNS is cached per TTL: a host resolved once is not asked again until
 *   the answer's TTL runs out; an NXDOMAIN is cached for the negative TTL
 *   of the SOA in its authority section (RFC 2308); SERVFAIL, REFUSED and
 *   silence are not cached. Requests that arrive while a look-up is in
 *   flight wait for it and share its outcome. An outage (SERVFAIL,
 *   REFUSED, silence) tends to last over a few look-ups.
 * - Upstream keep-alive connections are pooled per host and reused by later
 *   requests; one the gateway keeps idle for UP_IDLE is closed. A pooled
 *   connection the server closes just as the gateway sends a request on it
 *   is the keep-alive race (upstream-closed).
 * - Hosts with two A records: when the first address fails (unanswered
 *   SYNs until the host's connect timeout, or an RST) the gateway tries the
 *   second; the verdict follows the last attempt.
 * - Clients send several requests on one connection (keep-alive); bodies
 *   are tiny; requests overlap on one host, so a quick success completes
 *   between a slow failing request and its 502.
 * - SYNs are retransmitted as Linux does (1, 2, 4 s …) until the host's
 *   connect timeout; the gateway then answers 504 or 502.
 *
 * The truth (bench/gen.h: truth_txn) comes from this plan, never from
 * gw502tui: one TSV line per transaction in request order, counts in JSON.
 * Requests arrive as a Poisson stream; each request's event fires LEAD
 * before it, so a new client connection's handshake is written in time
 * order and the ids follow the request frames.
 *
 *   busy -o OUT.pcap [-T TRUTH.tsv] [-t TRUTH.json] [-S SEED]
 *        [--requests N] [--hosts H] [--rate REQ_PER_S] [--ttl SEC]
 *        [--neg-ttl SEC] [--fail SHARE] [--dns-fail SHARE]
 *        [--connects SHARE] [--ports 1-3]
 *
 * --ports 2 or 3: clients use proxy ports 3128 and 8080 besides 9090 (one
 * gateway listening on several ports; gw502tui finds them by the
 * absolute-form requests).
 */
#include <getopt.h>

#include "gen.h"

#define LEAD (10 * MS)		/* a request's event fires this early */
#define UP_IDLE (4 * NS)	/* the gateway closes idle pooled conns */
#define CL_IDLE (2 * NS)	/* a client closes its idle connection */
#define NCLIENTS 300
#define ZONE "busy.example"

/* The model's events: the next request, an idle upstream connection's or
 * an idle client connection's check. */
enum { EV_REQUEST = EV_MODEL, EV_UP_IDLE, EV_CLIENT_IDLE };

struct busy_cfg {
	uint64_t requests;
	unsigned hosts;
	double rate;		/* requests per second */
	uint32_t ttl, neg_ttl;	/* seconds; 0: drawn per host */
	double fail;		/* share of requests failing after DNS */
	double dns_fail;	/* share of look-ups failing */
	double connects;	/* share of CONNECT requests */
	unsigned ports;		/* proxy ports the clients use (1..3) */
};

struct bhost {
	char name[64];
	uint32_t addr[2];	/* addr[1] == 0: one A record */
	uint32_t ttl, neg_ttl;	/* seconds */
	int64_t rtt;		/* gateway <-> server */
	int64_t connect_timeout;
	/* the DNS cache: the host's last look-up */
	int looked;
	enum cause dns;		/* C_NONE, or the look-up's failure */
	int64_t answered;	/* when the gateway had it (or gave up) */
	int64_t expires;	/* cached until; == answered: not cached */
	struct upconn *idle;	/* the pool: idle keep-alive connections */
};

/* A client connection to the proxy port. */
struct bsess {
	struct sess s;
	int64_t busy_until;	/* the end of its last answer */
	uint64_t gen;		/* bumped on every use: stale idle checks */
	size_t slot;		/* its index in open_sess */
	struct bsess *next_free;
};

static struct busy_cfg cfg = { 3000, 12, 400, 0, 0, 0.12, 0.3, 0.05, 1 };
static const uint16_t proxy_ports[3] = { PROXY_PORT, 3128, 8080 };
static struct bhost *bhosts;
static struct bsess **open_sess, *free_sess;
static size_t nopen;
static uint16_t client_ports[NCLIENTS];
static uint64_t planned;	/* requests scheduled so far */

static void
arm(int type, int64_t ts, void *ptr, uint64_t gen)
{
	struct ev e;

	memset(&e, 0, sizeof e);
	e.type = (uint8_t)type;
	e.ts = ts;
	e.ptr = ptr;
	e.gen = gen;
	heap_push(&e);
}

static void
hosts_init(void)
{
	static const uint32_t ttls[] = { 2, 5, 10, 30, 60 };
	static const uint32_t negs[] = { 1, 2, 3 };
	static const int64_t cts[] = { 3 * NS, 5 * NS, 10 * NS };
	static const char *const fmt[] = { "www.shop%u." ZONE,
	    "api%u." ZONE, "cdn%u." ZONE, "login%u." ZONE };

	bhosts = xmalloc(cfg.hosts * sizeof *bhosts);
	memset(bhosts, 0, cfg.hosts * sizeof *bhosts);
	for (unsigned i = 0; i < cfg.hosts; i++) {
		struct bhost *h = &bhosts[i];
		uint32_t base = IP4(100, 64, 0, 0) + i * 4;

		snprintf(h->name, sizeof h->name, fmt[i % 4], i);
		h->addr[0] = base + 1;
		h->addr[1] = i % 3 == 1 ? base + 2 : 0;
		h->ttl = cfg.ttl ? cfg.ttl : ttls[rnd() % 5];
		h->neg_ttl = cfg.neg_ttl ? cfg.neg_ttl : negs[rnd() % 3];
		h->rtt = (int64_t)rrange(300 * US, 40 * MS);
		h->connect_timeout = cts[rnd() % 3];
	}
}

/* ---- client connections ---- */
static void
sess_close(struct bsess *b, int64_t ts)
{
	client_close(ts, &b->s);
	open_sess[b->slot] = open_sess[--nopen];
	open_sess[b->slot]->slot = b->slot;
	b->gen++;
	b->next_free = free_sess;
	free_sess = b;
}

/*
 * The client connection for a request at ts: mostly an idle open one
 * (keep-alive), else a new one whose handshake ends just before ts.
 */
static struct bsess *
sess_for(int64_t ts, int is_connect)
{
	struct bsess *b;
	unsigned cl;

	if (!is_connect && nopen && urand() < 0.7) {
		size_t start = rnd() % nopen;

		for (size_t i = 0; i < nopen && i < 64; i++) {
			b = open_sess[(start + i) % nopen];
			if (!b->s.connect && b->busy_until < ts &&
			    ts < b->busy_until + CL_IDLE) {
				b->gen++;
				return b;
			}
		}
	}
	b = free_sess;
	if (b)
		free_sess = b->next_free;
	else {
		b = xmalloc(sizeof *b);
		b->gen = 0;
	}
	memset(&b->s, 0, sizeof b->s);
	b->gen++;
	cl = (unsigned)rrange(0, NCLIENTS - 1);
	b->s.caddr = IP4(10, 20, 0, 0) + (cl / 250) * 256 + cl % 250 + 2;
	if (client_ports[cl] < 40000)
		client_ports[cl] = (uint16_t)rrange(40000, 50000);
	b->s.cport = client_ports[cl]++;
	if (client_ports[cl] > 65000)
		client_ports[cl] = 40000;
	b->s.pport = cfg.ports > 1 ? proxy_ports[rnd() % cfg.ports] :
	    PROXY_PORT;
	b->s.cseq = (uint32_t)rnd();
	b->s.gseq = (uint32_t)rnd();
	b->s.rtt = (int64_t)rrange(100 * US, 3 * MS);
	b->s.connect = is_connect;
	b->s.nleft = 1 + (int)expo(6.0);
	client_open(ts - b->s.rtt - 80 * US, &b->s);
	open_sess = realloc(open_sess, (nopen + 1) * sizeof *open_sess);
	if (open_sess == NULL)
		die("out of memory");
	b->slot = nopen;
	open_sess[nopen++] = b;
	return b;
}

/* The request's answer ended at end: the client sends more or closes. */
static void
sess_done(struct bsess *b, int64_t end)
{
	b->busy_until = end;
	if (--b->s.nleft <= 0 || b->s.connect)
		sess_close(b, end + 5 * MS);
	else
		arm(EV_CLIENT_IDLE, end + CL_IDLE, b, b->gen);
}

/* ---- the gateway's DNS cache ---- */
/*
 * The host's address for a request the gateway reads at ts: from the
 * cache, from a look-up in flight, or from a new look-up. Returns when the
 * gateway has it; *dc: the failure (C_NONE: resolved).
 */
static int64_t
resolve(struct bhost *h, int64_t ts, enum cause *dc)
{
	struct dns_answer a = { NULL, { h->addr[0], h->addr[1] }, h->ttl,
	    ZONE, h->neg_ttl };
	double u;
	int rcode;

	if (h->looked && ts < h->answered) {	/* in flight: wait for it */
		*dc = h->dns;
		return h->answered + (int64_t)rrange(10 * US, 100 * US);
	}
	if (h->looked && ts < h->expires) {	/* cached */
		*dc = h->dns;
		return ts + (int64_t)rrange(10 * US, 60 * US);
	}
	u = urand();
	if (h->looked && h->expires == h->answered && urand() < 0.5)
		*dc = h->dns;	/* the DNS outage goes on (not cached) */
	else if (u >= cfg.dns_fail)
		*dc = C_NONE;
	else if (u < cfg.dns_fail * 0.4)
		*dc = C_NXDOMAIN;
	else if (u < cfg.dns_fail * 0.85)
		*dc = C_DNS_ERROR;
	else
		*dc = C_DNS_NO_RESPONSE;
	rcode = *dc == C_NONE ? 0 : *dc == C_NXDOMAIN ? 3 :
	    *dc == C_DNS_ERROR ? (rnd() % 2 ? 2 : 5) : -1;
	h->looked = 1;
	h->dns = *dc;
	h->answered = lookup(ts, h->name, rcode, &a);
	h->expires = h->answered + (*dc == C_NONE ? (int64_t)h->ttl * NS :
	    *dc == C_NXDOMAIN ? (int64_t)h->neg_ttl * NS : 0);
	truth.dns_lookups++;
	return h->answered;
}

/* ---- upstream connections ---- */
static struct upconn *
pool_take(struct bhost *h, int64_t ts)
{
	struct upconn **pp = &h->idle, *u;

	/* idle, and not yet closed by its idle check */
	while (*pp && ((*pp)->busy_until >= ts ||
	    ts >= (*pp)->busy_until + UP_IDLE))
		pp = &(*pp)->next;
	if (*pp == NULL)
		return NULL;
	u = *pp;
	*pp = u->next;
	u->gen++;	/* its idle check is stale */
	truth.reused++;
	return u;
}

static void
pool_put(struct bhost *h, struct upconn *u, int64_t end)
{
	u->busy_until = end;
	u->next = h->idle;
	h->idle = u;
	arm(EV_UP_IDLE, end + UP_IDLE, u, u->gen);
}

/*
 * One attempt to connect to addr:port at ts with outcome want (C_NONE,
 * C_SYN_UNANSWERED, C_TCP_RST, C_ICMP). Returns the connection when it is
 * up (*ts: its ACK), else NULL with *ts when the gateway gives up on it.
 */
static struct upconn *
attempt(struct bhost *h, uint32_t addr, uint16_t port, enum cause want,
    int64_t *ts)
{
	struct upconn *u = upconn_get();
	int64_t t = *ts, syn;

	u->saddr = addr;
	u->gport = gw_port();
	u->sport = port;
	u->gseq = (uint32_t)rnd();
	u->sseq = (uint32_t)rnd();
	u->host = (unsigned)(h - bhosts);
	truth.upconns++;
	switch (want) {
	case C_NONE:
		*ts = handshake(t, u, h->rtt);
		return u;
	case C_SYN_UNANSWERED:
		/* Linux: retransmissions after 1, 2, 4 … s */
		syn = t;
		for (int64_t rto = 1 * NS; syn < t + h->connect_timeout;
		    rto *= 2) {
			tcp(syn, GW_IP, addr, u->gport, port, u->gseq, 0, F_SYN,
			    NULL, 0);
			syn += rto + (int64_t)rrange(0, 3 * MS);
		}
		*ts = t + h->connect_timeout + (int64_t)rrange(US, MS);
		break;
	default:
		syn_refused(t, u, h->rtt, want == C_ICMP);
		*ts = t + h->rtt + (int64_t)rrange(50 * US, 300 * US);
		break;
	}
	upconn_put(u);
	return NULL;
}

/*
 * A new connection for a request at *ts, trying the host's addresses in
 * order. want: the last attempt's outcome; on a two-address host the first
 * one fails first (unanswered SYNs or RST) whenever want is a failure, and
 * sometimes when it is not.
 */
static struct upconn *
connect_new(struct bhost *h, uint16_t port, enum cause want, int64_t *ts)
{
	if (h->addr[1] && (want != C_NONE || urand() < 0.3)) {
		enum cause first = rnd() % 2 ? C_SYN_UNANSWERED : C_TCP_RST;

		attempt(h, h->addr[0], port, first, ts);
		*ts += (int64_t)rrange(50 * US, 500 * US);
		return attempt(h, h->addr[1], port, want, ts);
	}
	return attempt(h, h->addr[0], port, want, ts);
}

/* ---- one request ---- */
static int
error_status(enum cause c)
{
	double u = urand();

	switch (c) {
	case C_SYN_UNANSWERED:
	case C_TIMEOUT:
		return u < 0.6 ? 504 : 502;
	case C_HTTP_INVALID:
	case C_CLOSED:
		return 502;
	default:	/* squid answers 503 where nginx says 502 */
		return u < 0.8 ? 502 : 503;
	}
}

static enum cause
draw_cause(int is_connect)
{
	static const enum cause after_dns[] = { C_SYN_UNANSWERED, C_TCP_RST,
	    C_ICMP, C_HTTP_INVALID, C_TIMEOUT, C_CLOSED, C_5XX };

	if (urand() >= cfg.fail)
		return C_NONE;
	return after_dns[rnd() % (is_connect ? 3 : 7)];
}

/*
 * The request at ts: the client's request, the gateway's cache, pool and
 * upstream, its answer; the truth line. Returns nothing: the client's next
 * request is its own event.
 */
static void
request(int64_t ts)
{
	static const char *const tiny[] = { "/", "/ping", "/api/v1/status",
	    "/favicon.ico", "/pixel.gif", "/health" };
	char url[160];
	int is_connect = urand() < cfg.connects, status = 0;
	struct bsess *b = sess_for(ts, is_connect);
	struct bhost *h = &bhosts[rnd() % cfg.hosts];
	const char *path = tiny[rnd() % 6], *ua = agents[rnd() % 5];
	enum cause c = draw_cause(is_connect), dc;
	struct upconn *u = NULL;
	int64_t t, end;
	int pooled = 0, race;
	uint32_t acked;

	truth.txns++;
	if (is_connect)
		truth.connects++;
	client_request(ts, &b->s, is_connect, h->name, path, ua, url,
	    sizeof url);
	t = resolve(h, ts + 120 * US, &dc);
	if (dc != C_NONE) {
		c = dc;
		end = t + (int64_t)rrange(100 * US, 2 * MS);
		goto failed;
	}
	if (c == C_NONE || c >= C_HTTP_INVALID) {
		if (!is_connect && urand() < 0.85)
			u = pool_take(h, t);
		pooled = u != NULL;
		if (u == NULL)
			u = connect_new(h, is_connect ? 443 : 80, C_NONE, &t);
	} else {
		connect_new(h, is_connect ? 443 : 80, c, &t);
		end = t;
		goto failed;
	}
	if (is_connect) {
		end = tunnel(t, &b->s, u, h->rtt, rrange(600, 3000), 1.0);
		close_up(end + 500 * US, u, h->rtt);
		upconn_put(u);
		truth_txn(&b->s, "CONNECT", url, 200, C_NONE);
		sess_done(b, end);
		return;
	}
	t += 20 * US;
	acked = u->gseq;
	race = c == C_CLOSED && pooled;
	up_request(t, u, path, h->name, ua, h->rtt, !race);
	if (race) {
		/* the keep-alive race: the server's FIN of the idle
		 * connection crosses the request, its RST answers it */
		tcp(t + (int64_t)rrange(20 * US, 200 * US), u->saddr, GW_IP,
		    u->sport, u->gport, u->sseq, acked, F_FIN | F_ACK,
		    NULL, 0);
		tcp(t + h->rtt, u->saddr, GW_IP, u->sport, u->gport,
		    u->sseq + 1, 0, F_RST, NULL, 0);
		end = t + h->rtt + (int64_t)rrange(100 * US, 1 * MS);
		upconn_put(u);
		goto failed;
	}
	t += h->rtt + (int64_t)logu(200 * US, 300 * MS);	/* server's think */
	switch (c) {
	case C_TIMEOUT:
		end = t + (int64_t)rrange(10, 30) * NS;
		close_up(end + 200 * US, u, h->rtt);
		upconn_put(u);
		goto failed;
	case C_CLOSED:
		up_closed(t, u, h->rtt);
		end = t + (int64_t)rrange(200 * US, 2 * MS);
		upconn_put(u);
		goto failed;
	case C_HTTP_INVALID:
		up_invalid(t, u, h->rtt);
		end = t + (int64_t)rrange(200 * US, 2 * MS);
		upconn_put(u);
		goto failed;
	default:
		break;
	}
	if (c == C_5XX) {
		status = 502 + (int)(rnd() % 3);
	} else {
		double r = urand();

		status = r < 0.9 ? 200 : r < 0.95 ? 404 : 304;
	}
	end = relay(t, &b->s, u, status, status == 304 ? 0 : rrange(0, 400),
	    50 * US);
	pool_put(h, u, end);
	truth_txn(&b->s, "GET", url, status, c);
	sess_done(b, end + b->s.rtt / 2);
	return;

failed:
	status = error_status(c);
	truth_txn(&b->s, is_connect ? "CONNECT" : "GET", url, status, c);
	sess_done(b, gw_error(end, &b->s, status));
}

static void
model_event(struct ev *e)
{
	struct upconn *u = e->ptr, **pp;
	struct bsess *b = e->ptr;

	switch (e->type) {
	case EV_REQUEST:
		request(e->ts + LEAD);
		if (++planned < cfg.requests) {
			e->ts += (int64_t)(expo(1.0 / cfg.rate) * NS) + 1;
			heap_push(e);
		}
		break;
	case EV_UP_IDLE:
		if (u->gen != e->gen)
			break;	/* taken from the pool since */
		for (pp = &bhosts[u->host].idle; *pp != u; pp = &(*pp)->next)
			;
		*pp = u->next;
		close_up(e->ts, u, bhosts[u->host].rtt);
		upconn_put(u);
		break;
	case EV_CLIENT_IDLE:
		if (b->gen == e->gen)
			sess_close(b, e->ts);
		break;
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: busy -o OUT.pcap [-T TRUTH.tsv] "
	    "[-t TRUTH.json] [-S SEED] [--requests N] [--hosts H] "
	    "[--rate REQ/S] [--ttl SEC] [--neg-ttl SEC] [--fail SHARE] "
	    "[--dns-fail SHARE] [--connects SHARE] [--ports 1-3]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "requests", required_argument, NULL, 'n' },
		{ "hosts", required_argument, NULL, 'H' },
		{ "rate", required_argument, NULL, 'r' },
		{ "ttl", required_argument, NULL, 'L' },
		{ "neg-ttl", required_argument, NULL, 'N' },
		{ "fail", required_argument, NULL, 'f' },
		{ "dns-fail", required_argument, NULL, 'd' },
		{ "connects", required_argument, NULL, 'c' },
		{ "ports", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char *outpath = NULL, *truthpath = NULL, *tsvpath = NULL;
	uint64_t seed = 1;
	int opt;

	while ((opt = getopt_long(argc, argv, "o:t:T:S:n:H:r:f:h", longs,
	    NULL)) != -1) {
		switch (opt) {
		case 'o': outpath = optarg; break;
		case 't': truthpath = optarg; break;
		case 'T': tsvpath = optarg; break;
		case 'S': seed = strtoull(optarg, NULL, 10); break;
		case 'n': cfg.requests = strtoull(optarg, NULL, 10); break;
		case 'H': cfg.hosts = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': cfg.rate = strtod(optarg, NULL); break;
		case 'L': cfg.ttl = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'N': cfg.neg_ttl = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'f': cfg.fail = strtod(optarg, NULL); break;
		case 'd': cfg.dns_fail = strtod(optarg, NULL); break;
		case 'c': cfg.connects = strtod(optarg, NULL); break;
		case 'p': cfg.ports = (unsigned)strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (outpath == NULL || optind != argc || cfg.requests == 0 ||
	    cfg.hosts == 0 || cfg.hosts > 1000000 || cfg.rate <= 0 ||
	    cfg.fail < 0 || cfg.fail > 1 || cfg.dns_fail < 0 ||
	    cfg.dns_fail > 1 || cfg.connects < 0 || cfg.connects > 1 ||
	    cfg.ports < 1 || cfg.ports > 3)
		usage();
	gen_open(outpath, tsvpath, seed);
	hosts_init();
	arm(EV_REQUEST, T0, NULL, 0);
	gen_run(model_event);
	gen_close(outpath, tsvpath, truthpath, seed, 1.0, "busy");
	return 0;
}
