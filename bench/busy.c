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
 * - A connection is refused as its address and port refuse at the time:
 *   RST where nothing listens, ICMP administratively prohibited where a
 *   firewall rejects, a state that lasts 1-8 s (refusal()), not a draw per
 *   request, so requests that overlap on one address are refused alike.
 *   Unanswered SYNs (an overloaded server's) still mix with served ones.
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
 *        [--connects SHARE] [--ports 1-3] [--proxies 1-2] [--valid SEC]
 *        [--dns-servers 1-3] [--retries N] [--drop-aaaa]
 *
 * --ports 2 or 3: clients use proxy ports 3128 and 8080 besides 9090 (one
 * gateway listening on several ports; gw502tui finds them by the
 * absolute-form requests).
 *
 * --proxies 2: two proxies on the one gateway address, as real gateways
 * run them, each with a DNS cache of its own: nginx on 9090 (`resolver
 * ... valid=SEC`, --valid, default 3: it keeps an answer that long
 * whatever its TTL, until its clock's second is past it) and squid on
 * 3128 (keeps it for the TTL); clients pick one. Each asks every name
 * from one long-lived resolver socket (a fixed source port per proxy, A
 * and AAAA, retries from it too) and keeps its own in-flight look-ups,
 * negative cache and keep-alive pool (per address: it takes a connection
 * to the address its cache names). A look-up that gets no answer is
 * timed as each proxy does, with the real defaults divided by five (the
 * one-proxy mode keeps glibc's stub: 4 tries 1 s apart, new ids after
 * two, gives up after 4 s). nginx (ngx_resolver.c) sends the same query,
 * ids too, every resend_timeout (1 s for the real 5 s) while a request
 * waits; each request for the name meanwhile waits on it for its own
 * resolver_timeout (6 s for 30 s), and a request after the last one gave
 * up starts a new look-up with new ids from the same socket. Its server
 * answers the resend 7-13 s after the first query, if a request still
 * waits then (every waiter has the address), no earlier one. squid
 * (dns_internal.cc) sends A and AAAA with their ids again after
 * dns_retransmit_interval (1 s for 5 s), doubled after each try (one
 * name server), gives up at the first try's end past dns_timeout (6 s
 * for 30 s): tries at 0, 1, 3 s, gives up at 7 s; requests meanwhile
 * share it. Neither keeps the failure (squid's ipcache would, for
 * negative_dns_ttl; the lab's squid 5.7 did not). A third of the hosts (every third from
 * the third on) have an A record that flips between two addresses every
 * 3-8 s, TTL 1, 2 or 5 s (--ttl overrides): failover DNS, where the
 * address no longer named is out of service — its server closes its idle
 * keep-alive connections, then refuses SYNs (RST) or drops them until it
 * is named again (a retransmitted SYN is then answered) —, or round-robin
 * DNS, where both serve. A proxy whose cache still names the old address
 * fails (tcp-rst, syn-unanswered) while the other, which asked again,
 * serves. Each proxy answers with its own statuses (error_status). The
 * truth's JSON lists the proxies (port, resolver_port, valid) so that
 * busy_truth_check.py can tell each proxy's DNS state. Without the option
 * the output is byte for byte the one-proxy file.
 *
 * --dns-servers N (with --proxies 2): nginx is given N DNS servers
 * (`resolver A B C`, 10.0.0.53 on), as the busy lab's is, and keeps a
 * socket (source port) for each: a new look-up goes to the server after
 * the previous look-up's, each resend of a silent one to the server
 * after its last send's, same ids (ngx_resolve_name_locked,
 * ngx_resolver_resend: rn->last_connection), and an answer comes from
 * the server asked on that socket. So a socket asks a share of the
 * names, may never be seen asking three within a second, and resends
 * what another socket sent first. squid keeps its one server. 1 (the
 * default): the output byte for byte the file without the option.
 *
 * --drop-aaaa (with --proxies 2): the second host's DNS server answers
 * every A query and drops every AAAA one, as a server or firewall that
 * drops AAAA does (the busy lab's v4only.busy.test); its look-ups never
 * fail otherwise. Both proxies ask A and AAAA, as with IPv6 on (their
 * defaults). nginx waits for both answers (ngx_resolver.c: an A answer
 * waits while naddrs6 is unset): every request for the host waits its
 * resolver_timeout and gets the proxy's DNS error, the look-up resending
 * the AAAA alone (the A answered) every resend_timeout to the next
 * server while anyone waits; a request after the last one gave up
 * starts a new look-up. squid connects with the A at once (its ipcache
 * takes an answer as it comes, as the lab's squid 5.7 did) and keeps it
 * for the TTL; its AAAA goes unanswered and is not sent again (the
 * lab's squid gave it up before its retransmit interval).
 *
 * --retries N (one proxy): the proxy retries as Apache Traffic Server
 * does (connect_attempts_max_retries, 3 by default: four attempts), each
 * attempt on a new socket (source port) to the address the failed one
 * went to (a two-address host: its fallback to the second address as
 * without the option, then the retries to that one). After an RST or
 * ICMP error the next attempt begins 0.1-0.5 ms after the refusal; after
 * unanswered SYNs (1, 3, 7 s … until the host's connect timeout) 50-1000
 * ms after the proxy gave up (its event loop; the odd-proxies lab saw 50
 * ms to 1 s); after a reply without a status line, a close without a
 * byte (the keep-alive race too) or silence until the read timeout, the
 * request goes again on a new connection 0.1-0.5 ms after the junk, the
 * close or the timeout. Every attempt of a failing request fails the
 * same way; after N retries the proxy answers as without the option (the
 * status of the cause). A relayed 5xx, a valid reply and a DNS failure
 * are not retried. 0 (the default): no retries, the output byte for byte
 * the file without the option.
 */
#include <getopt.h>

#include "gen.h"

#define LEAD (10 * MS)		/* a request's event fires this early */
#define UP_IDLE (4 * NS)	/* the gateway closes idle pooled conns */
#define CL_IDLE (2 * NS)	/* a client closes its idle connection */
#define NCLIENTS 300
#define ZONE "busy.example"
#define NPROXIES 2

/* The model's events: the next request, an idle upstream connection's or
 * an idle client connection's check, a host's A record flipping. */
enum { EV_REQUEST = EV_MODEL, EV_UP_IDLE, EV_CLIENT_IDLE, EV_FLIP };

struct busy_cfg {
	uint64_t requests;
	unsigned hosts;
	double rate;		/* requests per second */
	uint32_t ttl, neg_ttl;	/* seconds; 0: drawn per host */
	double fail;		/* share of requests failing after DNS */
	double dns_fail;	/* share of look-ups failing */
	double connects;	/* share of CONNECT requests */
	unsigned ports;		/* proxy ports the clients use (1..3) */
	unsigned proxies;	/* 2: nginx on 9090 and squid on 3128 */
	uint32_t valid;		/* nginx's `resolver ... valid=` (s) */
	unsigned retries;	/* Traffic Server's retries on new sockets */
	unsigned dns_servers;	/* nginx's DNS servers, a socket each */
	int drop_aaaa;		/* the second host's server drops AAAA */
};

/* What one proxy keeps of a host: its DNS cache and its pool. */
struct hcache {
	/* the DNS cache: the proxy's last look-up of the host */
	int looked;
	enum cause dns;		/* C_NONE, or the look-up's failure */
	int64_t answered;	/* when the gateway had it (or gave up) */
	int64_t expires;	/* cached until; == answered: not cached */
	uint32_t addr;		/* the first A record it was given */
	struct upconn *idle;	/* the pool: idle keep-alive connections */
	/* --proxies 2, nginx's look-up that gets no answer: its query ids
	 * (A, AAAA) and when it sends them again while someone waits */
	uint16_t id[2];
	unsigned server;	/* nginx's server of its latest send */
	int64_t resend;
	int64_t heard;		/* the resend the server answers, if sent */
	int a_heard;		/* its A answered: the AAAA alone is resent */
};

struct bhost {
	char name[64];
	uint32_t addr[2];	/* addr[1] == 0: one A record */
	uint32_t ttl, neg_ttl;	/* seconds */
	int64_t rtt;		/* gateway <-> server */
	int64_t connect_timeout;
	struct hcache c[NPROXIES];	/* per proxy (one without --proxies) */
	struct hcache *last;	/* the cache that asked last: an outage
				 * of the host's DNS goes on for the next */
	/* --proxies 2: the authoritative A record flips between addr[0]
	 * and alt every flip_period (0: it does not) */
	uint32_t alt;
	int64_t flip_period, flip_phase;
	enum cause down;	/* the address not announced: C_NONE serves
				 * (round robin), C_TCP_RST or
				 * C_SYN_UNANSWERED (failover: it is out) */
};

/*
 * --proxies 2: two proxies on the gateway's one address, each with its
 * own resolver socket (one source port that asks every name, kept for
 * the process's life), DNS cache and keep-alive pool. nginx keeps an
 * answer `valid` seconds whatever its TTL (ngx_resolver.c: valid
 * overrides the TTL) and tests it against its clock's whole seconds;
 * squid keeps it for the TTL.
 */
#define MAX_DNS_SERVERS 3
struct proxy {
	uint16_t port;
	/* its socket for each DNS server (squid: one) */
	uint16_t resolver_port[MAX_DNS_SERVERS];
	uint32_t valid;		/* seconds; 0: the answer's TTL */
	int squid;		/* its error statuses are squid's */
};

/* A client connection to the proxy port. */
struct bsess {
	struct sess s;
	int64_t busy_until;	/* the end of its last answer */
	uint64_t gen;		/* bumped on every use: stale idle checks */
	size_t slot;		/* its index in open_sess */
	struct bsess *next_free;
};

static struct busy_cfg cfg = { 3000, 12, 400, 0, 0, 0.12, 0.3, 0.05, 1, 1,
	3, 0, 1, 0 };
static struct proxy proxies[NPROXIES] = { { PROXY_PORT, { 0 }, 0, 0 },
	{ 3128, { 0 }, 0, 1 } };
static unsigned ngx_next_server;	/* nginx's r->last_connection */
static const uint16_t proxy_ports[3] = { PROXY_PORT, 3128, 8080 };
static struct bhost *bhosts;
static struct bsess **open_sess, *free_sess;
static size_t nopen;
static uint16_t client_ports[NCLIENTS];
static uint64_t planned;	/* requests scheduled so far */

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

/*
 * --proxies 2: each proxy's resolver socket, and the hosts whose A record
 * flips (a third, beside the two-address ones): failover or round-robin
 * DNS with a short TTL, announcing addr[0] and alt in turn every few
 * seconds. Of a failover host the address not announced is out of
 * service: its server closed its keep-alive connections and refuses
 * (RST) or drops (silence) new SYNs; of a round-robin host both serve.
 */
static void
proxies_init(void)
{
	static const uint32_t ttls[] = { 1, 2, 5 };
	static const enum cause downs[] = { C_SYN_UNANSWERED, C_TCP_RST,
	    C_NONE };

	for (unsigned p = 0; p < NPROXIES; p++) {
		proxies[p].resolver_port[0] = (uint16_t)rrange(32768, 60999);
		proxies[p].valid = proxies[p].squid ? 0 : cfg.valid;
	}
	for (unsigned k = 1; k < cfg.dns_servers; k++)
		proxies[0].resolver_port[k] = (uint16_t)rrange(32768, 60999);
	for (unsigned i = 2; i < cfg.hosts; i += 3) {
		struct bhost *h = &bhosts[i];

		h->alt = h->addr[0] + 2;
		h->flip_period = (int64_t)rrange(3, 8) * NS;
		h->flip_phase = (int64_t)rrange(0, (uint64_t)h->flip_period - 1);
		h->ttl = cfg.ttl ? cfg.ttl : ttls[rnd() % 3];
		h->down = downs[i / 3 % 3];
		arm(EV_FLIP, T0 + h->flip_period - h->flip_phase, h, 0);
	}
}

/* The proxies for the truth's JSON: port, resolver socket, valid=; with
 * --dns-servers, nginx's sockets (resolver_ports, the first's first). */
static const char *
proxies_json(void)
{
	static char js[320];
	size_t n = (size_t)snprintf(js, sizeof js, ",\"proxies\":[");

	for (unsigned p = 0; p < NPROXIES && n < sizeof js; p++) {
		const struct proxy *x = &proxies[p];

		n += (size_t)snprintf(js + n, sizeof js - n, "%s{\"port\":%u,"
		    "\"resolver_port\":%u,\"valid\":%u", p ? "," : "",
		    x->port, x->resolver_port[0], x->valid);
		if (!x->squid && cfg.dns_servers > 1 && n < sizeof js) {
			n += (size_t)snprintf(js + n, sizeof js - n,
			    ",\"resolver_ports\":[");
			for (unsigned k = 0; k < cfg.dns_servers &&
			    n < sizeof js; k++)
				n += (size_t)snprintf(js + n, sizeof js - n,
				    "%s%u", k ? "," : "", x->resolver_port[k]);
			if (n < sizeof js)
				n += (size_t)snprintf(js + n, sizeof js - n,
				    "]");
		}
		if (n < sizeof js)
			n += (size_t)snprintf(js + n, sizeof js - n, "}");
	}
	if (n < sizeof js)
		snprintf(js + n, sizeof js - n, "]");
	return js;
}

/* ---- the authoritative answer ---- */
static int64_t
flip_index(const struct bhost *h, int64_t t)
{
	return h->flip_period && t > T0 ?
	    (t - T0 + h->flip_phase) / h->flip_period : 0;
}

/* The address the host's A record names at t (first of two). */
static uint32_t
announced(const struct bhost *h, int64_t t)
{
	return flip_index(h, t) % 2 ? h->alt : h->addr[0];
}

/* Is addr out of service at t: a failover host's address not named? */
static int
addr_down(const struct bhost *h, uint32_t addr, int64_t t)
{
	return h->down != C_NONE && addr != announced(h, t);
}

/* Was addr, a failover host's, out at some time in [from, to]? */
static int
down_within(const struct bhost *h, uint32_t addr, int64_t from, int64_t to)
{
	return addr_down(h, addr, from) || (h->down != C_NONE &&
	    flip_index(h, from) != flip_index(h, to));
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
	GEN_RECYCLE(b, free_sess, next_free);
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

/* ---- the gateway's DNS cache (each proxy's) ---- */
/*
 * --proxies 2: how each proxy times a look-up that gets no answer, from
 * their source (see the header), with the real defaults divided by five
 * so that an outage fits a bench file (doc/performance.md cites them):
 *
 * - nginx sends A and AAAA once (ngx_resolve_name_locked), sends the
 *   same bytes, ids too, again every resend_timeout while a request
 *   waits (ngx_resolver_resend) and drops the name when none does; a
 *   request for the name meanwhile waits too (rn->waiting), each for its
 *   own resolver_timeout (ngx_resolver_set_timeout); a request after the
 *   last one gave up starts a new look-up with new ids.
 * - squid sends A, then AAAA (idnsALookup, idnsSendSlaveAAAAQuery), each
 *   with its id, again with the same bytes after dns_retransmit_interval,
 *   doubled after every try with one name server, and gives up at the
 *   first try's end dns_timeout after the start (idnsCheckQueue); a
 *   request meanwhile shares it (idnsCachedLookup).
 */
#define NGX_RESEND (1 * NS)	/* resend_timeout: 5 s */
#define NGX_TIMEOUT (6 * NS)	/* resolver_timeout: 30 s */
#define SQ_RETRANSMIT (1 * NS)	/* dns_retransmit_interval: 5 s */
#define SQ_TIMEOUT (6 * NS)	/* dns_timeout: 30 s */

static int64_t cache_until(const struct bhost *, unsigned, enum cause,
    int64_t);

/* The server nginx sends a new look-up to: the one after the last's. */
static unsigned
ngx_server(void)
{
	unsigned k = ngx_next_server;

	ngx_next_server = (k + 1) % cfg.dns_servers;
	return k;
}

/* Proxy p asks DNS server k for name from that server's socket at t: A,
 * then AAAA (the AAAA alone when its A was answered: nginx resends only
 * what got no answer). */
static void
proxy_ask(int64_t t, unsigned p, unsigned k, const char *name,
    const uint16_t id[2], const struct dns_answer *a, int aaaa_only)
{
	uint8_t m[512];
	size_t n;

	if (!aaaa_only) {
		n = dns_msg(m, id[0], name, 1, -1, a);
		udp_dns_via(t, 1, proxies[p].resolver_port[k], DNS_IP + k, m,
		    n);
	}
	n = dns_msg(m, id[1], name, 28, -1, a);
	udp_dns_via(t + 70 * US, 1, proxies[p].resolver_port[k], DNS_IP + k,
	    m, n);
}

/* nginx's look-up c of h gets no answer: its resends until a waiter's
 * give-up at until, the last so far. */
static void
ngx_waits(struct bhost *h, struct hcache *c, const struct dns_answer *a,
    int64_t until)
{
	for (; c->resend < until; c->resend += NGX_RESEND) {
		c->server = (c->server + 1) % cfg.dns_servers;
		proxy_ask(c->resend + (int64_t)rrange(0, 3 * MS), 0, c->server,
		    h->name, c->id, a, c->a_heard);
	}
	c->answered = c->expires = until;
}

/*
 * A request joins nginx's look-up c of h that got no answer so far, at
 * ts (it waits until its own resolver_timeout). The server is silent
 * until c->heard: the resend then is answered if a request still waits
 * (the outage is over), and every waiter has the address. Returns when
 * the request has it or gives up (*dc).
 */
static int64_t
ngx_join(struct bhost *h, struct hcache *c, int64_t ts,
    const struct dns_answer *a, enum cause *dc, uint32_t *addr)
{
	int64_t until = ts + NGX_TIMEOUT + (int64_t)rrange(0, 1 * MS), t;
	struct dns_answer now = *a;
	uint8_t m[512];
	size_t n;
	uint16_t port;
	uint32_t server;

	if (until <= c->heard) {
		ngx_waits(h, c, a, until);
		*dc = C_DNS_NO_RESPONSE;
		return until;
	}
	ngx_waits(h, c, a, c->heard + 1);	/* up to the answered one */
	port = proxies[0].resolver_port[c->server];	/* its server's */
	server = DNS_IP + c->server;
	now.addr[0] = announced(h, c->heard);
	/* after the 502s of those whose give-up came just before */
	t = c->heard + (int64_t)rrange(3 * MS, 6 * MS);
	n = dns_msg(m, c->id[0], h->name, 1, 0, &now);
	udp_dns_via(t, 0, port, server, m, n);
	n = dns_msg(m, c->id[1], h->name, 28, 0, &now);
	udp_dns_via(t + 150 * US, 0, port, server, m, n);
	c->dns = *dc = C_NONE;
	c->addr = *addr = now.addr[0];
	c->answered = t + 200 * US;
	c->expires = cache_until(h, 0, C_NONE, c->answered);
	return c->answered;
}

/*
 * Proxy p's look-up of h at ts that gets no answer (--proxies 2): returns
 * when the proxy gives up (nginx: on the request's own resolver_timeout;
 * later requests may keep it asking, ngx_waits).
 */
static int64_t
proxy_silent(struct bhost *h, unsigned p, int64_t ts,
    const struct dns_answer *a)
{
	struct hcache *c = &h->c[p];
	int64_t sent = ts, wait = SQ_RETRANSMIT;

	c->id[0] = (uint16_t)rnd();
	c->id[1] = (uint16_t)rnd();
	c->a_heard = 0;
	if (!proxies[p].squid) {
		c->server = ngx_server();
		proxy_ask(ts, p, c->server, h->name, c->id, a, 0);
		c->resend = ts + NGX_RESEND;
		/* the server answers the resend 7-13 s after this query
		 * (past this request's resolver_timeout), if one is sent */
		c->heard = c->resend + (int64_t)rrange(NGX_TIMEOUT / NGX_RESEND,
		    2 * NGX_TIMEOUT / NGX_RESEND) * NGX_RESEND;
		ngx_waits(h, c, a, ts + NGX_TIMEOUT +
		    (int64_t)rrange(0, 1 * MS));
		return c->answered;
	}
	for (;;) {
		proxy_ask(sent, p, 0, h->name, c->id, a, 0);
		if (sent + wait - ts >= SQ_TIMEOUT)
			return sent + wait + (int64_t)rrange(0, 3 * MS);
		sent += wait + (int64_t)rrange(0, 3 * MS);
		wait *= 2;
	}
}

/*
 * Until when proxy p keeps an answer the gateway had at answered: an
 * address for its TTL (nginx: `valid` seconds whatever the TTL, while its
 * clock's second is not past the answer's second + valid), an NXDOMAIN
 * for the SOA's negative TTL (RFC 2308), a SERVFAIL, REFUSED or silence
 * not at all.
 */
static int64_t
cache_until(const struct bhost *h, unsigned p, enum cause dc,
    int64_t answered)
{
	if (dc == C_NXDOMAIN)
		return answered + (int64_t)h->neg_ttl * NS;
	if (dc != C_NONE)
		return answered;
	if (proxies[p].valid)
		return (answered / NS + proxies[p].valid + 1) * NS;
	return answered + (int64_t)h->ttl * NS;
}

/* Does h's DNS server drop AAAA queries (--drop-aaaa)? */
static int
drops_aaaa(const struct bhost *h)
{
	return cfg.drop_aaaa && h == &bhosts[1];
}

/*
 * Proxy p's look-up of h at ts when h's server drops AAAA (--drop-aaaa):
 * the A is answered, the AAAA never. nginx waits for it until the
 * request's resolver_timeout (a DNS failure; ngx_waits resends the AAAA
 * while anyone waits); squid has the address with the A. Returns when
 * the proxy has the address or gives up.
 */
static int64_t
half_lookup(struct bhost *h, unsigned p, int64_t ts,
    const struct dns_answer *a)
{
	struct hcache *c = &h->c[p];
	unsigned k = proxies[p].squid ? 0 : ngx_server();
	int64_t rtt = (int64_t)rrange(200 * US, 4 * MS);
	uint8_t m[512];
	size_t n;

	c->id[0] = (uint16_t)rnd();
	c->id[1] = (uint16_t)rnd();
	c->server = k;
	proxy_ask(ts, p, k, h->name, c->id, a, 0);
	n = dns_msg(m, c->id[0], h->name, 1, 0, a);
	udp_dns_via(ts + rtt, 0, proxies[p].resolver_port[k], DNS_IP + k, m,
	    n);
	c->a_heard = 1;
	if (proxies[p].squid)
		return ts + rtt + 200 * US;
	c->resend = ts + NGX_RESEND;
	c->heard = INT64_MAX;	/* never: the AAAA is dropped */
	ngx_waits(h, c, a, ts + NGX_TIMEOUT + (int64_t)rrange(0, 1 * MS));
	return c->answered;
}

/*
 * The host's address for a request proxy p reads at ts: from its cache,
 * from its look-up in flight, or from a new look-up. Returns when the
 * gateway has it; *dc: the failure (C_NONE: resolved to *addr, the first
 * A record then announced).
 */
static int64_t
resolve(struct bhost *h, unsigned p, int64_t ts, enum cause *dc,
    uint32_t *addr)
{
	struct hcache *c = &h->c[p];
	struct dns_answer a = { NULL, { announced(h, ts), h->addr[1] },
	    h->ttl, ZONE, h->neg_ttl };
	double u;
	int rcode;

	if (c->looked && ts < c->answered) {	/* in flight: wait for it */
		*dc = c->dns;
		*addr = c->addr;
		if (cfg.proxies > 1 && !proxies[p].squid &&
		    c->dns == C_DNS_NO_RESPONSE)	/* nginx: joins it */
			return ngx_join(h, c, ts, &a, dc, addr);
		return c->answered + (int64_t)rrange(10 * US, 100 * US);
	}
	if (c->looked && ts < c->expires) {	/* cached */
		*dc = c->dns;
		*addr = c->addr;
		return ts + (int64_t)rrange(10 * US, 60 * US);
	}
	if (drops_aaaa(h)) {
		c->looked = 1;
		c->addr = *addr = a.addr[0];
		c->dns = *dc = proxies[p].squid ? C_NONE : C_DNS_NO_RESPONSE;
		c->answered = half_lookup(h, p, ts, &a);
		c->expires = cache_until(h, p, *dc, c->answered);
		truth.dns_lookups++;
		return c->answered;
	}
	u = urand();
	if (h->last && h->last->expires == h->last->answered &&
	    urand() < 0.5)
		*dc = h->last->dns;	/* the DNS outage goes on (not cached) */
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
	c->looked = 1;
	c->dns = *dc;
	c->addr = *addr = a.addr[0];
	if (cfg.proxies > 1 && rcode < 0) {
		c->answered = proxy_silent(h, p, ts, &a);
	} else if (cfg.proxies > 1) {
		unsigned k = proxies[p].squid ? 0 : ngx_server();

		c->answered = lookup_via(ts, proxies[p].resolver_port[k],
		    DNS_IP + k, h->name, rcode, &a);
	} else {
		c->answered = lookup(ts, h->name, rcode, &a);
	}
	c->expires = cache_until(h, p, *dc, c->answered);
	h->last = c;
	truth.dns_lookups++;
	return c->answered;
}

/* ---- upstream connections ---- */
/*
 * An idle connection of proxy p's pool to the host, at ts, to addr when
 * the host's record flips (a proxy pools per address and takes one to
 * the address its cache names).
 */
static struct upconn *
pool_take(struct bhost *h, unsigned p, uint32_t addr, int64_t ts)
{
	struct upconn **pp = &h->c[p].idle, *u;

	/* idle, and not yet closed by its idle check, nor by its server
	 * when its address went out of service (EV_FLIP) */
	while (*pp && ((*pp)->busy_until >= ts ||
	    ts >= (*pp)->busy_until + UP_IDLE || (h->flip_period &&
	    ((*pp)->saddr != addr || down_within(h, (*pp)->saddr,
	    (*pp)->busy_until, ts)))))
		pp = &(*pp)->next;
	if (*pp == NULL)
		return NULL;
	u = *pp;
	*pp = u->next;
	u->gen++;	/* its idle check is stale */
	truth.reused++;
	return u;
}

/*
 * Back into proxy p's pool at end; a server whose address went out of
 * service while it answered closes the connection after its answer.
 */
static void
pool_put(struct bhost *h, unsigned p, struct upconn *u, int64_t end)
{
	if (addr_down(h, u->saddr, end)) {
		up_closed(end + (int64_t)rrange(100 * US, 2 * MS), u, h->rtt);
		upconn_put(u);
		return;
	}
	u->busy_until = end;
	u->proxy = p;
	u->next = h->c[p].idle;
	h->c[p].idle = u;
	arm(EV_UP_IDLE, end + UP_IDLE, u, u->gen);
}

/*
 * The host's A record flips at ts: a failover host's server now out of
 * service closes its idle keep-alive connections (a busy one after its
 * answer, pool_put), the proxies close them too.
 */
static void
flip(struct bhost *h, int64_t ts)
{
	for (unsigned p = 0; p < NPROXIES; p++) {
		struct upconn **pp = &h->c[p].idle;

		while (*pp) {
			struct upconn *u = *pp;

			if (u->busy_until >= ts || !addr_down(h, u->saddr,
			    ts)) {
				pp = &u->next;
				continue;
			}
			*pp = u->next;
			up_closed(ts + (int64_t)rrange(100 * US, 20 * MS), u,
			    h->rtt);
			upconn_put(u);
		}
	}
}

/* When the last attempt refused (attempt) had its RST or ICMP error. */
static int64_t refused_at;

/*
 * One attempt to connect to addr:port at ts with outcome want (C_NONE,
 * C_SYN_UNANSWERED, C_TCP_RST, C_ICMP). Returns the connection when it is
 * up (*ts: its ACK), else NULL with *ts when the gateway gives up on it
 * (refused_at: the refusal, of an RST or ICMP error).
 * Unanswered SYNs to an address out of service (addr_down) are answered
 * once it serves again, if before the connect timeout.
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
			if (h->down != C_NONE && syn > t &&
			    !addr_down(h, addr, syn) && addr_down(h, addr, t)) {
				*ts = handshake(syn, u, h->rtt);
				return u;
			}
			tcp(syn, GW_IP, addr, u->gport, port, u->gseq, 0, F_SYN,
			    NULL, 0);
			syn += rto + (int64_t)rrange(0, 3 * MS);
		}
		*ts = t + h->connect_timeout + (int64_t)rrange(US, MS);
		break;
	default:
		syn_refused(t, u, h->rtt, want == C_ICMP);
		refused_at = t + (want == C_ICMP ? h->rtt / 2 : h->rtt);
		*ts = t + h->rtt + (int64_t)rrange(50 * US, 300 * US);
		break;
	}
	upconn_put(u);
	return NULL;
}

/*
 * How addr:port refuses a connection at ts when a refusal (C_TCP_RST or
 * C_ICMP) was drawn for a request's last attempt: as the address does
 * then, whatever the request drew. Nothing listening answers RST, a
 * firewall's reject rule ICMP: a state of the address and port that
 * lasts 1-8 s, not one that changes from one connection to the next
 * (unanswered SYNs, an overloaded server's, do mix with served ones). A
 * hash of the address, the port and the period, not rnd(): every other
 * draw stays as it was. (A two-address host's first address still
 * refuses only by RST.)
 */
static enum cause
refusal(uint32_t addr, uint16_t port, int64_t ts, enum cause c)
{
	uint64_t h = mix64((uint64_t)addr << 16 | port);
	uint64_t period = (1 + h % 8) * (uint64_t)NS;
	uint64_t epoch = ((uint64_t)ts + (h >> 16) % period) / period;

	if (c != C_TCP_RST && c != C_ICMP)
		return c;
	return mix64(h ^ epoch) & 1 ? C_TCP_RST : C_ICMP;
}

/*
 * A new connection for a request at *ts, trying the host's addresses in
 * order (first: the one the proxy's cache named). want: the last attempt's
 * outcome; on a two-address host the first one fails first (unanswered
 * SYNs or RST) whenever want is a failure, and sometimes when it is not.
 */
static struct upconn *
connect_new(struct bhost *h, uint32_t first, uint16_t port, enum cause want,
    int64_t *ts)
{
	if (h->addr[1] && (want != C_NONE || urand() < 0.3)) {
		enum cause fails = rnd() % 2 ? C_SYN_UNANSWERED : C_TCP_RST;

		attempt(h, first, port, fails, ts);
		*ts += (int64_t)rrange(50 * US, 500 * US);
		return attempt(h, h->addr[1], port, want, ts);
	}
	return attempt(h, first, port, want, ts);
}

/* --retries: when Traffic Server begins its next attempt after one that
 * failed with c, given up at t (a refusal: refused_at). */
static int64_t
retry_at(enum cause c, int64_t t)
{
	if (c == C_SYN_UNANSWERED)
		return t + (int64_t)rrange(50 * MS, 1000 * MS);
	return (c == C_TCP_RST || c == C_ICMP ? refused_at : t) +
	    (int64_t)rrange(100 * US, 500 * US);
}

/*
 * --retries: the attempts after connect_new's last failed with c (given
 * up at *ts), each to that one's address on a new socket, failing as it
 * did; *ts: when the proxy gives up on the last.
 */
static void
connect_retries(struct bhost *h, uint32_t addr, uint16_t port, enum cause c,
    int64_t *ts)
{
	for (unsigned k = 0; k < cfg.retries; k++) {
		*ts = retry_at(c, *ts);
		attempt(h, addr, port, c, ts);
	}
}

/* ---- one request ---- */
/*
 * The status a gateway answers for failure c. With --proxies 2 each
 * proxy's own, as Debian's nginx and squid 5 answer (DESIGN §7, the lab):
 * both 504 when their connect or read timeout ends, 502 for a DNS failure
 * and a bad or missing reply; a refused connection (RST, ICMP) is 502 to
 * nginx, 503 to squid.
 */
static int
error_status(enum cause c, unsigned p)
{
	double u;

	if (cfg.proxies > 1) {
		if (c == C_SYN_UNANSWERED || c == C_TIMEOUT)
			return 504;
		return proxies[p].squid && (c == C_TCP_RST || c == C_ICMP) ?
		    503 : 502;
	}
	u = urand();

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

/* The proxy that serves a client connection (0 without --proxies). */
static unsigned
proxy_of(const struct bsess *b)
{
	return cfg.proxies > 1 && b->s.pport != proxies[0].port;
}

/*
 * The request at ts: the client's request, the proxy's cache, pool and
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
	unsigned p = proxy_of(b);
	uint16_t port = is_connect ? 443 : 80;
	int64_t t, end, gave_up;
	int pooled = 0, race;
	unsigned tries = 0;	/* --retries: the request sent again */
	uint32_t acked, addr;

	truth.txns++;
	if (is_connect)
		truth.connects++;
	client_request(ts, &b->s, is_connect, h->name, path, ua, url,
	    sizeof url);
	t = resolve(h, p, ts + 120 * US, &dc, &addr);
	if (dc != C_NONE) {
		c = dc;
		end = t + (int64_t)rrange(100 * US, 2 * MS);
		goto failed;
	}
	if (addr_down(h, addr, t)) {
		/* the proxy's cache still names the address the record
		 * flipped away from: it fails as that server does, or
		 * serves a retransmitted SYN once back in service */
		u = attempt(h, addr, port, h->down, &t);
		if (u == NULL) {
			c = h->down;
			end = t;
			goto failed;
		}
		if (c < C_HTTP_INVALID)
			c = C_NONE;
	} else if (c == C_NONE || c >= C_HTTP_INVALID) {
		if (!is_connect && urand() < 0.85)
			u = pool_take(h, p, addr, t);
		pooled = u != NULL;
		if (u == NULL)
			u = connect_new(h, addr, port, C_NONE, &t);
	} else {
		/* a two-address host: the second fails last; the last
		 * attempt's address refuses as it does then */
		uint32_t last = h->addr[1] ? h->addr[1] : addr;

		c = refusal(last, port, t, c);
		connect_new(h, addr, port, c, &t);
		connect_retries(h, last, port, c, &t);
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
send:
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
		gave_up = t + h->rtt;
		goto bad_reply;
	}
	t += h->rtt + (int64_t)logu(200 * US, 300 * MS);	/* server's think */
	switch (c) {
	case C_TIMEOUT:
		end = t + (int64_t)rrange(10, 30) * NS;
		close_up(end + 200 * US, u, h->rtt);
		gave_up = end;
		goto bad_reply;
	case C_CLOSED:
		up_closed(t, u, h->rtt);
		end = t + (int64_t)rrange(200 * US, 2 * MS);
		gave_up = t;
		goto bad_reply;
	case C_HTTP_INVALID:
		up_invalid(t, u, h->rtt);
		end = t + (int64_t)rrange(200 * US, 2 * MS);
		gave_up = t;
		goto bad_reply;
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
	pool_put(h, p, u, end);
	truth_txn(&b->s, "GET", url, status, c);
	sess_done(b, end + b->s.rtt / 2);
	return;

bad_reply:	/* the exchange on u failed, seen at gave_up */
	addr = u->saddr;
	upconn_put(u);
	if (tries++ < cfg.retries) {	/* again on a new connection */
		t = retry_at(c, gave_up);
		u = attempt(h, addr, port, C_NONE, &t);
		pooled = 0;
		t += 20 * US;
		goto send;
	}
failed:
	status = error_status(c, p);
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
		for (pp = &bhosts[u->host].c[u->proxy].idle; *pp != u;
		    pp = &(*pp)->next)
			;
		*pp = u->next;
		close_up(e->ts, u, bhosts[u->host].rtt);
		upconn_put(u);
		break;
	case EV_CLIENT_IDLE:
		if (b->gen == e->gen)
			sess_close(b, e->ts);
		break;
	case EV_FLIP:
		flip(e->ptr, e->ts);
		if (planned < cfg.requests) {	/* ends with the requests */
			e->ts += ((struct bhost *)e->ptr)->flip_period;
			heap_push(e);
		}
		break;
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: busy -o OUT.pcap [-T TRUTH.tsv] "
	    "[-t TRUTH.json] [-S SEED] [--requests N] [--hosts H] "
	    "[--rate REQ/S] [--ttl SEC] [--neg-ttl SEC] [--fail SHARE] "
	    "[--dns-fail SHARE] [--connects SHARE] [--ports 1-3] "
	    "[--proxies 1-2] [--valid SEC] [--dns-servers 1-3] "
	    "[--retries N] [--drop-aaaa]\n");
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
		{ "proxies", required_argument, NULL, 'P' },
		{ "valid", required_argument, NULL, 'V' },
		{ "retries", required_argument, NULL, 'R' },
		{ "dns-servers", required_argument, NULL, 'D' },
		{ "drop-aaaa", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 }
	};
	struct gen_files files = { .seed = 1 };
	int opt;

	while ((opt = getopt_long(argc, argv, "o:t:T:S:n:H:r:f:h", longs,
	    NULL)) != -1) {
		if (gen_file_opt(&files, opt, optarg))
			continue;
		switch (opt) {
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
		case 'P': cfg.proxies = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'V': cfg.valid = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'R': cfg.retries = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'D': cfg.dns_servers = (unsigned)strtoul(optarg, NULL,
		    10);
			break;
		case 'A': cfg.drop_aaaa = 1; break;
		default: usage();
		}
	}
	if (files.out == NULL || optind != argc || cfg.requests == 0 ||
	    cfg.hosts == 0 || cfg.hosts > 1000000 || cfg.rate <= 0 ||
	    cfg.fail < 0 || cfg.fail > 1 || cfg.dns_fail < 0 ||
	    cfg.dns_fail > 1 || cfg.connects < 0 || cfg.connects > 1 ||
	    cfg.ports < 1 || cfg.ports > 3 || cfg.proxies < 1 ||
	    cfg.proxies > NPROXIES || (cfg.proxies > 1 && cfg.ports > 2) ||
	    cfg.valid < 1 || cfg.valid > 3600 || cfg.retries > 10 ||
	    (cfg.retries && cfg.proxies > 1) || cfg.dns_servers < 1 ||
	    cfg.dns_servers > MAX_DNS_SERVERS ||
	    (cfg.dns_servers > 1 && cfg.proxies < 2) ||
	    (cfg.drop_aaaa && (cfg.proxies < 2 || cfg.hosts < 2)))
		usage();
	gen_open(files.out, files.tsv, files.seed);
	hosts_init();
	if (cfg.proxies > 1) {
		cfg.ports = 2;	/* nginx on 9090, squid on 3128 */
		proxies_init();
		truth_extra = proxies_json();
	}
	if (cfg.retries) {	/* for the truth's readers */
		static char js[32];

		snprintf(js, sizeof js, ",\"retries\":%u", cfg.retries);
		truth_extra = js;
	}
	arm(EV_REQUEST, T0, NULL, 0);
	gen_run(model_event);
	gen_close(files.out, files.tsv, files.truth, files.seed, 1.0, "busy");
	return 0;
}
