/*
 * revbusy.c: writes a pcap file of a busy reverse proxy — nginx on port 80
 * in front of two groups of application servers — with the truth of every
 * transaction, for testing gw502tui's reverse-proxy correlation at scale.
 * The traffic is what nginx does (ngx_http_upstream.c,
 * ngx_http_upstream_round_robin.c, ngx_http_upstream_keepalive_module.c),
 * its timeouts divided by five, not what is easy to correlate:
 *
 * - Keep-alive clients (400 addresses) send origin-form requests to two
 *   virtual hosts: shop.example (the Host passed on, `proxy_set_header
 *   Host $host`) served by the group shop_app, four servers on port 8080,
 *   and api.example (nginx's default `Host: api_pool`, $proxy_host) by
 *   api_pool, two servers on port 9000. Hundreds of requests are open at
 *   once during an incident, many for the same path (/api/v1/cart,
 *   /health): the path alone does not tell them apart.
 * - Round robin over a group's servers. A server that failed is skipped
 *   for fail_timeout (2 s; max_fails=1); a request that finds every
 *   server tried or skipped gets "no live upstreams": 502 at once, with no
 *   upstream packet when it had not tried one (no-upstream-evidence).
 * - Upstream keep-alive (`keepalive 16` and `8`): idle connections cached
 *   per group, newest first; a try takes the newest idle connection to
 *   the server round robin chose, else connects. A server closes a
 *   connection idle for 4 s (its own keep-alive timeout); nginx closes the
 *   oldest when more are idle than the cache holds. The keep-alive race:
 *   a cached connection idle for over a second that the server closes as
 *   nginx sends on it (the server's FIN crossing the request, an RST after).
 * - `proxy_next_upstream error timeout` (the default): after a refused or
 *   unanswered connect (proxy_connect_timeout 2 s: SYNs at 0 and 1 s), a
 *   close without a reply, or silence until proxy_read_timeout (3 s), a
 *   GET goes to the next server; a POST already sent is not sent again
 *   (non-idempotent); a reply without a status line is no error to
 *   nginx: it passes it on as it came (HTTP/0.9, $status 009), read to
 *   the server's close, and closes the client's connection (never
 *   retried); a relayed 503 is a reply. A failure on a cached
 *   connection does not use up one of the group's tries. The status is 504
 *   after a timeout (connect or read), else 502; "no live upstreams" after
 *   a try is 502 whatever the try's failure.
 * - Incidents, a state of a server that lasts 0.5-3 s: a restart (SYNs
 *   refused with RST, its idle connections closed), a firewall rule (ICMP
 *   administratively prohibited for new connections), the host
 *   unreachable (SYNs and requests unanswered, the request retransmitted),
 *   a hung application (connects, never replies), crashing workers (most
 *   requests closed without a reply), a broken deploy (many replies
 *   without a status line), overload (the server's own 503); and outages
 *   of a whole group, its servers alike.
 *
 * The truth of a transaction (bench/gen.h: truth_txn) is the status nginx
 * answered and the cause of its last try (DESIGN §1), from this plan, never
 * from gw502tui; one TSV line per request in request order, counts in
 * JSON, with the tallies tests/e2e/revbusy_truth_check.py finds again in
 * the packets with tshark.
 *
 *   revbusy -o OUT.pcap [-T TRUTH.tsv] [-t TRUTH.json] [-S SEED]
 *           [--requests N] [--rate REQ_PER_S] [--incidents SEC]
 *           [--race SHARE]
 *
 * --incidents: the mean time between a server's incidents (default 6 s);
 * --race: the share of reuses of a connection idle for over a second that
 * meet the keep-alive race (default 0.03). gw502tui reads the file with
 * `-p 80`.
 */
#pragma GCC diagnostic ignored "-Wunused-function"	/* gen.h's others */
#include <getopt.h>

#include "gen.h"

#define FRONT_PORT 80
#define NCLIENTS 400
#define CONNECT_TIMEOUT (2 * NS)	/* proxy_connect_timeout */
#define READ_TIMEOUT (3 * NS)		/* proxy_read_timeout */
#define FAIL_TIMEOUT (2 * NS)		/* server ... fail_timeout */
#define SRV_IDLE (4 * NS)		/* the servers' keep-alive timeout */
#define RACE_IDLE (200 * MS)		/* a race needs this much idle */
#define NGROUPS 2
#define NSERVERS 6

/* The model's events: a new client connection, a client's next request,
 * nginx's next try, a try's failure seen, a connection back in the cache,
 * a server's idle close, a server's restart. */
enum { EV_SESSION = EV_MODEL, EV_REQ, EV_TRY, EV_FAILED, EV_RELEASE,
	EV_SRV_IDLE, EV_RESTART };

enum state { ST_OK, ST_REFUSE, ST_ICMP, ST_DROP, ST_HANG, ST_CRASH,
	ST_JUNK, ST_5XX };

struct window {
	int64_t from, to;
	enum state st;
};

struct windows {
	struct window *w;
	size_t n, cap;
};

struct server {
	uint32_t addr;
	uint16_t port;
	unsigned group;
	int64_t rtt;
	int failed;		/* max_fails reached ... */
	int64_t failed_at;	/* ... then, for fail_timeout */
	struct windows inc;	/* its own incidents, in time order */
};

struct rconn;

struct group {
	const char *name, *vhost, *up_host;
	unsigned first, n;	/* its servers: servers[first .. first+n) */
	unsigned rr;		/* round robin's next */
	unsigned keepalive, nidle;
	int max_fails;		/* 0: a failed server is not skipped */
	struct rconn *idle;	/* the cache, newest first */
	struct windows outage;	/* the whole group's incidents */
};

struct rconn {
	struct upconn u;	/* gen.h's: addresses, ports, sequences */
	struct rconn *next;	/* the cache's list; the free list */
	unsigned server;
	int pooled;
	int64_t idle_since;
	uint64_t gen;		/* events armed for an older use are stale */
};

#define MAX_TRIES 8	/* a group's servers, and the cached ones' again */

/* A try: its server, its connection's gateway port (0: none, "no live
 * upstreams"), how it failed (C_NONE: it did not). */
struct try {
	unsigned srv;
	uint16_t gport;
	enum cause c;
};

/* A client connection and the request in progress on it. */
struct rsess {
	struct sess s;
	uint64_t gen;
	struct rsess *next_free;
	unsigned group;
	/* the request */
	uint64_t id;		/* truth: its place in request order */
	int post;
	char path[64], url[128];
	unsigned tried;		/* servers tried, a bit each */
	int tries;		/* nginx's u->peer.tries */
	int ntries;		/* tries made */
	int sent;		/* the try's request went out */
	int cached;		/* the try took a cached connection */
	unsigned srv;		/* the try's server */
	uint16_t gport;		/* the try's connection's gateway port */
	unsigned nlog;		/* tries made, as the truth lists them */
	struct try log[MAX_TRIES];
	enum cause failure;	/* the try's failure (EV_FAILED) */
	enum cause last;	/* the last failed try's */
};

/* One line of the truth, written in request order at the end. */
struct tline {
	uint32_t caddr;
	uint16_t cport;
	int post;
	int status;
	enum cause c;
	char *url;
	unsigned ntries;
	struct try tries[MAX_TRIES];
};

static struct {
	uint64_t requests;
	double rate;
	double incident_gap;	/* s */
	double race;
} cfg = { 3000, 300.0, 4.0, 0.03 };

static struct server servers[NSERVERS];
static struct group groups[NGROUPS] = {
	{ "shop_app", "shop.example", "shop.example", 0, 4, 0, 16, 0, 0, NULL,
	    { NULL, 0, 0 } },
	{ "api_pool", "api.example", "api_pool", 4, 2, 0, 8, 0, 1, NULL,
	    { NULL, 0, 0 } },
};
static struct rconn *free_conns;
static struct rsess *free_sess;
static uint16_t client_ports[NCLIENTS];
static uint64_t planned;	/* requests begun */
static struct tline *tlines;
static FILE *rtsv;	/* gen.h's columns, then upstream and tries */

/* Tallies for the truth's JSON, each one a thing tshark can count. */
static struct {
	uint64_t refused, icmp, syn_series, junk, closed, timeouts, relayed,
	    reused, races, nolive, retried;
} tally;

/* ---- incidents ---- */
static void
win_add(struct windows *ws, int64_t from, int64_t to, enum state st)
{
	if (ws->n == ws->cap) {
		ws->cap = ws->cap ? ws->cap * 2 : 64;
		ws->w = realloc(ws->w, ws->cap * sizeof *ws->w);
		if (ws->w == NULL)
			die("out of memory");
	}
	ws->w[ws->n++] = (struct window){ from, to, st };
}

/* The state of ws at t: the windows are in time order and apart. */
static enum state
win_at(const struct windows *ws, int64_t t)
{
	size_t lo = 0, hi = ws->n;

	while (lo < hi) {	/* the first window ending after t */
		size_t mid = (lo + hi) / 2;

		if (ws->w[mid].to <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ws->n && ws->w[lo].from <= t ? ws->w[lo].st : ST_OK;
}

/* A server's state: its group's outage first, then its own incident. */
static enum state
state_at(unsigned srv, int64_t t)
{
	enum state st = win_at(&groups[servers[srv].group].outage, t);

	return st != ST_OK ? st : win_at(&servers[srv].inc, t);
}

static enum state
draw_incident(int group_wide)
{
	double u = urand();

	if (group_wide)	/* a deploy, a network change, the database */
		return u < 0.35 ? ST_REFUSE : u < 0.5 ? ST_ICMP :
		    u < 0.65 ? ST_DROP : u < 0.85 ? ST_HANG : ST_5XX;
	return u < 0.2 ? ST_REFUSE : u < 0.3 ? ST_ICMP : u < 0.4 ? ST_DROP :
	    u < 0.55 ? ST_HANG : u < 0.7 ? ST_CRASH : u < 0.85 ? ST_JUNK :
	    ST_5XX;
}

/* Incidents from T0 to end: gap is the mean time between two. */
static void
incidents(struct windows *ws, int64_t end, double gap, int group_wide)
{
	int64_t t = T0 + (int64_t)(expo(gap) * 1e9);

	while (t < end) {
		int64_t len = (int64_t)(logu(0.5, 3.0) * 1e9);

		win_add(ws, t, t + len, draw_incident(group_wide));
		t += len + (int64_t)((0.2 + expo(gap)) * 1e9);
	}
}

static void
servers_init(void)
{
	int64_t end = T0 + (int64_t)((double)cfg.requests / cfg.rate * 1e9) +
	    20 * NS;

	for (unsigned g = 0; g < NGROUPS; g++) {
		struct group *gr = &groups[g];

		for (unsigned k = 0; k < gr->n; k++) {
			struct server *sv = &servers[gr->first + k];

			sv->addr = IP4(10, 1, g, 11 + k);
			sv->port = g == 0 ? 8080 : 9000;
			sv->group = g;
			sv->rtt = (int64_t)rrange(150 * US, 600 * US);
			incidents(&sv->inc, end, cfg.incident_gap, 0);
			for (size_t i = 0; i < sv->inc.n; i++)
				if (sv->inc.w[i].st == ST_REFUSE)
					arm(EV_RESTART, sv->inc.w[i].from, sv,
					    gr->first + k);
		}
		incidents(&gr->outage, end, cfg.incident_gap * 4, 1);
		for (size_t i = 0; i < gr->outage.n; i++)
			if (gr->outage.w[i].st == ST_REFUSE)
				for (unsigned k = 0; k < gr->n; k++)
					arm(EV_RESTART, gr->outage.w[i].from,
					    &servers[gr->first + k],
					    gr->first + k);
	}
}

/* ---- upstream connections and nginx's cache ---- */
/*
 * The gateway's next port, connecting at t. The ports wrap after 28,232
 * connections; a kernel does not give a port again to a connection to
 * the same server while the last one may linger (TIME_WAIT, 60 s), and
 * the truth's tries are named by server and port: faster than that
 * (--rate, --incidents) the file is not one the world makes.
 */
static uint16_t
rev_gw_port(unsigned srv, int64_t t)
{
	static int64_t last_use[65536][NSERVERS];
	uint16_t p = gw_port();

	if (last_use[p][srv] != 0 && t - last_use[p][srv] < 60000 * MS) {
		fprintf(stderr, "revbusy: port %u to server %u again after "
		    "%.1f s: too many connections a minute (lower --rate or "
		    "raise --incidents)\n", p, srv,
		    (double)(t - last_use[p][srv]) / (1000 * MS));
		exit(1);
	}
	last_use[p][srv] = t;
	return p;
}

static struct rconn *
conn_new(unsigned srv, int64_t t)
{
	struct rconn *c;

	GEN_RECYCLE(c, free_conns, next);
	c->server = srv;
	c->u.saddr = servers[srv].addr;
	c->u.sport = servers[srv].port;
	c->u.gport = rev_gw_port(srv, t);
	c->u.gseq = (uint32_t)rnd();
	c->u.sseq = (uint32_t)rnd();
	truth.upconns++;
	return c;
}

static void
conn_free(struct rconn *c)
{
	c->gen++;
	c->next = free_conns;
	free_conns = c;
}

static void
cache_unlink(struct group *g, struct rconn *c)
{
	for (struct rconn **pp = &g->idle; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			g->nidle--;
			c->pooled = 0;
			c->gen++;
			return;
		}
}

/* nginx's keepalive module: the newest idle connection to srv. */
static struct rconn *
cache_take(struct group *g, unsigned srv)
{
	for (struct rconn *c = g->idle; c; c = c->next)
		if (c->server == srv) {
			cache_unlink(g, c);
			return c;
		}
	return NULL;
}

/* The server closes c without a reply byte at ts; nginx closes too, 40 us
 * later: before it tries the next server (ngx_http_upstream_next closes
 * the connection, then connects; try_fails 50 us after the close). */
static void
server_closes(struct rconn *c, int64_t ts)
{
	up_closed_in(ts, &c->u, servers[c->server].rtt, 40 * US);
	conn_free(c);
}

/* ---- nginx's balancer ---- */
static int
available(const struct server *sv, int64_t t)
{
	return !sv->failed || t - sv->failed_at > FAIL_TIMEOUT;
}

/* Round robin over the group's servers not tried and not failed; -1:
 * none ("no live upstreams"). */
static int
pick(struct group *g, const struct rsess *b, int64_t t)
{
	for (unsigned k = 0; k < g->n; k++) {
		unsigned i = (g->rr + k) % g->n, srv = g->first + i;

		if (!(b->tried >> srv & 1) && available(&servers[srv], t)) {
			g->rr = i + 1;
			return (int)srv;
		}
	}
	return -1;
}

/* ---- the client side ---- */
static const char *const shop_paths[] = {
	"/", "/api/v1/cart", "/api/v1/items/%u", "/static/app.js", "/health",
	"/api/v1/search?q=item%u"
};
static const char *const api_paths[] = {
	"/v2/orders/%u", "/v2/stock?sku=%u", "/v2/orders", "/v2/login"
};

/* Draws the request's method and path; writes its URL. */
static void
draw_request(struct rsess *b)
{
	double u = urand();
	unsigned n = (unsigned)rrange(1, 5000);
	const char *fmt;

	if (b->group == 0) {
		b->post = u < 0.15;
		fmt = b->post ? shop_paths[1] : u < 0.25 ? shop_paths[0] :
		    u < 0.45 ? shop_paths[1] : u < 0.75 ? shop_paths[2] :
		    u < 0.85 ? shop_paths[3] : u < 0.9 ? shop_paths[4] :
		    shop_paths[5];
	} else {
		b->post = u < 0.3;
		fmt = b->post ? (u < 0.25 ? api_paths[2] : api_paths[3]) :
		    u < 0.7 ? api_paths[0] : api_paths[1];
	}
	snprintf(b->path, sizeof b->path, fmt, n);
	snprintf(b->url, sizeof b->url, "http://%s%s", groups[b->group].vhost,
	    b->path);
}

/* The client's request at ts and nginx's ACK. */
static void
client_sends(struct rsess *b, int64_t ts)
{
	char req[512];
	size_t len;

	if (b->post)
		len = (size_t)snprintf(req, sizeof req, "POST %s HTTP/1.1\r\n"
		    "Host: %s\r\nUser-Agent: %s\r\nContent-Type: "
		    "application/json\r\nContent-Length: 22\r\n\r\n"
		    "{\"sku\":%4u,\"qty\":%3u}", b->path,
		    groups[b->group].vhost, agents[b->s.caddr % 5],
		    (unsigned)rrange(1000, 9999), (unsigned)rrange(1, 999));
	else
		len = (size_t)snprintf(req, sizeof req, "GET %s HTTP/1.1\r\n"
		    "Host: %s\r\nUser-Agent: %s\r\nAccept: application/json"
		    "\r\n\r\n", b->path, groups[b->group].vhost,
		    agents[b->s.caddr % 5]);
	tcp(ts, b->s.caddr, GW_IP, b->s.cport, b->s.pport, b->s.cseq,
	    b->s.gseq, F_PSH | F_ACK, req, len);
	b->s.cseq += (uint32_t)len;
	tcp(ts + 40 * US, GW_IP, b->s.caddr, b->s.pport, b->s.cport,
	    b->s.gseq, b->s.cseq, F_ACK, NULL, 0);
}

/* nginx's error page for status at ts; returns its end. */
static int64_t
error_page(struct rsess *b, int64_t ts, int status)
{
	char head[512], body[256];
	int bl, hl;

	bl = snprintf(body, sizeof body, "<html>\r\n<head><title>%d %s"
	    "</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n"
	    "<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n",
	    status, status_reason(status), status, status_reason(status));
	hl = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nServer: "
	    "nginx/1.22.1\r\nDate: Thu, 15 Jan 2026 09:00:00 GMT\r\n"
	    "Content-Type: text/html\r\nContent-Length: %d\r\nConnection: "
	    "keep-alive\r\n\r\n%s", status, status_reason(status), bl, body);
	train(ts, GW_IP, b->s.caddr, b->s.pport, b->s.cport, b->s.gseq,
	    b->s.cseq, head, (size_t)hl, 0, 0, 0);
	b->s.gseq += (uint32_t)hl;
	return ts + b->s.rtt;
}

static void
sess_free(struct rsess *b)
{
	b->gen++;
	b->next_free = free_sess;
	free_sess = b;
}

/* A broken deploy's reply: a traceback on the socket, no status line. */
static const char tb[] = "Traceback (most recent call last):\n"
    "  File \"/srv/app/handlers.py\", line 88, in handle\n"
    "    user = session['user']\nKeyError: 'user'\n";

/* The truth of b's request: nginx answered status (0: none, junk
 * relayed), its last try's failure c. */
static void
truth_line(const struct rsess *b, int status, enum cause c)
{
	struct tline *l = &tlines[b->id - 1];

	l->caddr = b->s.caddr;
	l->cport = b->s.cport;
	l->post = b->post;
	l->status = status;
	l->c = c;
	l->url = (char *)dup_text(b->url, strlen(b->url) + 1);
	l->ntries = b->nlog;
	memcpy(l->tries, b->log, sizeof b->log);
}

/* The request's answer reached the client at end: truth, then the next
 * request or the client's close. */
static void
answered(struct rsess *b, int64_t end, int status, enum cause c)
{
	truth_line(b, status, c);
	if (--b->s.nleft <= 0 || planned >= cfg.requests) {
		client_close(end + (int64_t)rrange(1 * MS, 30 * MS), &b->s);
		sess_free(b);
		return;
	}
	arm(EV_REQ, end + (int64_t)(expo(0.08) * 1e9) + 100 * US, b, b->gen);
}

/*
 * nginx passes junk on at ts as it came (HTTP/0.9: the bytes, no status
 * line) and closes the client's connection; the client closes too and
 * asks nothing more on it.
 */
static void
relayed_junk(struct rsess *b, int64_t ts)
{
	truth_line(b, 0, C_HTTP_INVALID);
	tcp(ts, GW_IP, b->s.caddr, b->s.pport, b->s.cport, b->s.gseq,
	    b->s.cseq, F_PSH | F_ACK, tb, sizeof tb - 1);
	b->s.gseq += sizeof tb - 1;
	tcp(ts + 10 * US, GW_IP, b->s.caddr, b->s.pport, b->s.cport,
	    b->s.gseq, b->s.cseq, F_FIN | F_ACK, NULL, 0);
	b->s.gseq++;
	tcp(ts + 10 * US + b->s.rtt, b->s.caddr, GW_IP, b->s.cport,
	    b->s.pport, b->s.cseq, b->s.gseq, F_FIN | F_ACK, NULL, 0);
	b->s.cseq++;
	tcp(ts + 30 * US + b->s.rtt, GW_IP, b->s.caddr, b->s.pport,
	    b->s.cport, b->s.gseq, b->s.cseq, F_ACK, NULL, 0);
	sess_free(b);
}


/* ---- a try ---- */
static void try_start(struct rsess *b, int64_t t);

/* The try failed with c, seen by nginx at ts. */
static void
try_fails(struct rsess *b, int64_t ts, enum cause c)
{
	b->failure = c;
	if (b->nlog < MAX_TRIES)
		b->log[b->nlog++] = (struct try){ b->srv, b->gport, c };
	arm(EV_FAILED, ts, b, b->gen);
}

/* nginx's request on c at ts (the body with it), its ACK unless silent. */
static void
up_sends(struct rsess *b, struct rconn *c, int64_t ts, int acked)
{
	char up[640];
	size_t len;
	struct server *sv = &servers[c->server];
	char ip[16];

	snprintf(ip, sizeof ip, "%u.%u.%u.%u", b->s.caddr >> 24,
	    b->s.caddr >> 16 & 255, b->s.caddr >> 8 & 255, b->s.caddr & 255);
	len = (size_t)snprintf(up, sizeof up, "%s %s HTTP/1.1\r\nHost: %s\r\n"
	    "X-Real-IP: %s\r\nX-Forwarded-For: %s\r\n%s"
	    "User-Agent: %s\r\n%s\r\n%s", b->post ? "POST" : "GET", b->path,
	    groups[b->group].up_host, ip, ip,
	    b->post ? "Content-Length: 22\r\n" : "", agents[b->s.caddr % 5],
	    b->post ? "Content-Type: application/json\r\n" :
	    "Accept: application/json\r\n",
	    b->post ? "{\"sku\":1000,\"qty\":  1}" : "");
	tcp(ts, GW_IP, c->u.saddr, c->u.gport, c->u.sport, c->u.gseq,
	    c->u.sseq, F_PSH | F_ACK, up, len);
	if (!acked) {	/* Linux resends after 200, 400, 800 ms */
		int64_t rto = 200 * MS, t = ts;

		for (int k = 0; k < 3; k++) {
			t += rto;
			rto *= 2;
			tcp(t, GW_IP, c->u.saddr, c->u.gport, c->u.sport,
			    c->u.gseq, c->u.sseq, F_PSH | F_ACK, up, len);
		}
	}
	c->u.gseq += (uint32_t)len;
	if (acked == 2)	/* a delayed ACK: no reply within 40 ms */
		tcp(ts + sv->rtt / 2 + 40 * MS, c->u.saddr, GW_IP, c->u.sport,
		    c->u.gport, c->u.sseq, c->u.gseq, F_ACK, NULL, 0);
	b->sent = 1;
}

/* The server's reply on c at ts and nginx relaying it; the connection
 * goes back to the cache. */
static void
reply(struct rsess *b, struct rconn *c, int64_t ts, int status)
{
	char head[512], relayed[512];
	size_t hl, rl;
	uint64_t body = status == 503 ? 19 : strcmp(b->path,
	    "/static/app.js") == 0 ? rrange(20000, 80000) : rrange(2, 1800);
	const char *type = status == 503 ? "text/plain" :
	    strcmp(b->path, "/static/app.js") == 0 ? "application/javascript" :
	    "application/json";
	int64_t end;

	hl = (size_t)snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %" PRIu64 "\r\n%s"
	    "Connection: keep-alive\r\nKeep-Alive: timeout=4\r\n\r\n", status,
	    status_reason(status), type, body,
	    status == 503 ? "Retry-After: 1\r\n" : "");
	rl = (size_t)snprintf(relayed, sizeof relayed, "HTTP/1.1 %d %s\r\n"
	    "Server: nginx/1.22.1\r\nDate: Thu, 15 Jan 2026 09:00:00 GMT\r\n"
	    "Content-Type: %s\r\nContent-Length: %" PRIu64 "\r\n%s"
	    "Connection: keep-alive\r\n\r\n", status, status_reason(status),
	    type, body, status == 503 ? "Retry-After: 1\r\n" : "");
	train(ts, c->u.saddr, GW_IP, c->u.sport, c->u.gport, c->u.sseq,
	    c->u.gseq, head, hl, body, 12 * US, 0);
	c->u.sseq += (uint32_t)(hl + body);
	train(ts + 60 * US, GW_IP, b->s.caddr, b->s.pport, b->s.cport,
	    b->s.gseq, b->s.cseq, relayed, rl, body, 12 * US, 0);
	b->s.gseq += (uint32_t)(rl + body);
	end = train_end(ts + 60 * US, rl, body, 12 * US);
	arm(EV_RELEASE, train_end(ts, hl, body, 12 * US) + 30 * US, c, c->gen);
	servers[c->server].failed = 0;
	if (b->nlog < MAX_TRIES)
		b->log[b->nlog++] = (struct try){ b->srv, b->gport, C_NONE };
	if (status == 503)
		tally.relayed++;
	answered(b, end + b->s.rtt, status,
	    status == 503 ? C_5XX : C_NONE);
}

/*
 * A reply without a status line (tb), then the server's close: at once (a
 * worker that crashed), or when the worker gives the socket up, 50-500 ms
 * later, nginx's ACK between. Returns when it closed: nginx, reading the
 * reply to the close, passes it on then.
 */
static int64_t
junk(struct rconn *c, int64_t ts)
{
	int64_t rtt = servers[c->server].rtt, fin = ts + 20 * US;

	tcp(ts, c->u.saddr, GW_IP, c->u.sport, c->u.gport, c->u.sseq,
	    c->u.gseq, F_PSH | F_ACK, tb, sizeof tb - 1);
	c->u.sseq += sizeof tb - 1;
	if (urand() < 0.5) {
		tcp(ts + 40 * US, GW_IP, c->u.saddr, c->u.gport, c->u.sport,
		    c->u.gseq, c->u.sseq, F_ACK, NULL, 0);
		fin = ts + (int64_t)rrange(50 * MS, 500 * MS);
	}
	tcp(fin, c->u.saddr, GW_IP, c->u.sport, c->u.gport,
	    c->u.sseq, c->u.gseq, F_FIN | F_ACK, NULL, 0);
	c->u.sseq++;
	tcp(fin + 70 * US, GW_IP, c->u.saddr, c->u.gport, c->u.sport,
	    c->u.gseq, c->u.sseq, F_FIN | F_ACK, NULL, 0);
	c->u.gseq++;
	tcp(fin + 70 * US + rtt, c->u.saddr, GW_IP, c->u.sport, c->u.gport,
	    c->u.sseq, c->u.gseq, F_ACK, NULL, 0);
	conn_free(c);
	return fin;
}

/* nginx gives up on a silent c at ts: its FIN (ACKed by a hung server's
 * kernel, not by an unreachable host). */
static void
read_timeout(struct rconn *c, int64_t ts, int acked)
{
	tcp(ts, GW_IP, c->u.saddr, c->u.gport, c->u.sport, c->u.gseq,
	    c->u.sseq, F_FIN | F_ACK, NULL, 0);
	c->u.gseq++;
	if (acked)
		tcp(ts + servers[c->server].rtt, c->u.saddr, GW_IP,
		    c->u.sport, c->u.gport, c->u.sseq, c->u.gseq, F_ACK,
		    NULL, 0);
	conn_free(c);
}

/* The request goes out on c at ts to a server in state st. */
static void
exchange(struct rsess *b, struct rconn *c, int64_t ts, enum state st)
{
	int64_t svc = (int64_t)(logu(0.3, 30.0) * 1e6);

	if (urand() < 0.02)	/* a slow page */
		svc = (int64_t)(logu(100, 900) * 1e6);
	if (st == ST_CRASH && urand() < 0.4)
		st = ST_OK;
	if (st == ST_JUNK && urand() < 0.5)
		st = ST_OK;
	if (st == ST_5XX && urand() < 0.3)
		st = ST_OK;
	switch (st) {
	case ST_DROP:
		up_sends(b, c, ts, 0);
		read_timeout(c, ts + READ_TIMEOUT, 0);
		tally.timeouts++;
		try_fails(b, ts + READ_TIMEOUT + 20 * US, C_TIMEOUT);
		return;
	case ST_HANG:
		up_sends(b, c, ts, 2);
		read_timeout(c, ts + READ_TIMEOUT, 1);
		tally.timeouts++;
		try_fails(b, ts + READ_TIMEOUT + 20 * US, C_TIMEOUT);
		return;
	case ST_CRASH:
		up_sends(b, c, ts, svc > 40 * MS ? 2 : 1);
		server_closes(c, ts + svc);
		tally.closed++;
		try_fails(b, ts + svc + 50 * US, C_CLOSED);
		return;
	case ST_JUNK:
		up_sends(b, c, ts, svc > 40 * MS ? 2 : 1);
		tally.junk++;
		try_fails(b, junk(c, ts + svc) + 30 * US, C_HTTP_INVALID);
		return;
	default:
		up_sends(b, c, ts, svc > 40 * MS ? 2 : 1);
		reply(b, c, ts + svc, st == ST_5XX ? 503 : 200);
	}
}

/* The keep-alive race on c at ts: the server's FIN crosses the request,
 * whose arrival it answers with RST. */
static void
race(struct rsess *b, struct rconn *c, int64_t ts)
{
	int64_t rtt = servers[c->server].rtt;
	uint32_t before = c->u.gseq;	/* what the server has had */

	up_sends(b, c, ts, 1);
	tcp(ts + 5 * US, c->u.saddr, GW_IP, c->u.sport, c->u.gport,
	    c->u.sseq, before, F_FIN | F_ACK, NULL, 0);
	tcp(ts + rtt / 2 + 10 * US, c->u.saddr, GW_IP, c->u.sport,
	    c->u.gport, c->u.sseq + 1, 0, F_RST, NULL, 0);
	conn_free(c);
	tally.races++;
	tally.closed++;
	try_fails(b, ts + rtt / 2 + 30 * US, C_CLOSED);
}

/* nginx connects to srv at t. */
static void
connect_to(struct rsess *b, unsigned srv, int64_t t)
{
	struct rconn *c = conn_new(srv, t);
	struct server *sv = &servers[srv];
	enum state st = state_at(srv, t);
	int64_t ts;

	b->gport = c->u.gport;
	switch (st) {
	case ST_REFUSE:
	case ST_ICMP:
		syn_refused(t, &c->u, sv->rtt, st == ST_ICMP);
		conn_free(c);
		if (st == ST_ICMP)
			tally.icmp++;
		else
			tally.refused++;
		try_fails(b, t + sv->rtt + 20 * US,
		    st == ST_ICMP ? C_ICMP : C_TCP_RST);
		return;
	case ST_DROP:	/* Linux resends the SYN after 1 s */
		tcp(t, GW_IP, c->u.saddr, c->u.gport, c->u.sport, c->u.gseq,
		    0, F_SYN, NULL, 0);
		tcp(t + 1 * NS + (int64_t)rrange(0, 3 * MS), GW_IP,
		    c->u.saddr, c->u.gport, c->u.sport, c->u.gseq, 0, F_SYN,
		    NULL, 0);
		conn_free(c);
		tally.syn_series++;
		try_fails(b, t + CONNECT_TIMEOUT, C_SYN_UNANSWERED);
		return;
	default:
		ts = handshake(t, &c->u, sv->rtt) + 15 * US;
		exchange(b, c, ts, state_at(srv, ts));
	}
}

/* nginx's next try for b's request at t. */
static void
try_start(struct rsess *b, int64_t t)
{
	struct group *g = &groups[b->group];
	int srv = pick(g, b, t);
	struct rconn *c;

	if (srv < 0) {	/* no live upstreams */
		tally.nolive++;
		answered(b, error_page(b, t + 40 * US, 502), 502,
		    b->ntries ? b->last : C_NO_EVIDENCE);
		return;
	}
	b->tried |= 1u << srv;
	b->srv = (unsigned)srv;
	b->ntries++;
	b->sent = 0;
	if (b->ntries > 1)
		tally.retried++;
	c = cache_take(g, (unsigned)srv);
	b->cached = c != NULL;
	if (c == NULL) {
		connect_to(b, (unsigned)srv, t);
		return;
	}
	tally.reused++;
	b->gport = c->u.gport;
	if (t - c->idle_since > RACE_IDLE && urand() < cfg.race)
		race(b, c, t);
	else
		exchange(b, c, t, state_at((unsigned)srv, t));
}

/* nginx sees the try fail: ngx_http_upstream_next(). */
static void
try_failed(struct rsess *b, int64_t t)
{
	enum cause c = b->failure;
	int status = c == C_TIMEOUT || c == C_SYN_UNANSWERED ? 504 : 502;

	if (groups[b->group].max_fails) {
		servers[b->srv].failed = 1;
		servers[b->srv].failed_at = t;
	}
	b->last = c;
	if (!(b->cached && c == C_CLOSED))	/* a cached one's error */
		b->tries--;
	if (c == C_HTTP_INVALID) {
		relayed_junk(b, t + 30 * US);
		return;
	}
	if ((b->post && b->sent) || b->tries <= 0) {
		answered(b, error_page(b, t + 30 * US, status), status, c);
		return;
	}
	try_start(b, t + 30 * US);
}

/* ---- client connections ---- */
static void
request(struct rsess *b, int64_t t)
{
	planned++;
	b->id = planned;
	draw_request(b);
	b->tried = 0;
	b->tries = (int)groups[b->group].n;
	b->ntries = 0;
	b->nlog = 0;
	b->last = C_NONE;
	client_sends(b, t);
	arm(EV_TRY, t + 70 * US, b, b->gen);
}

static void
session(int64_t t)
{
	struct rsess *b;
	unsigned cl = (unsigned)rrange(0, NCLIENTS - 1);

	GEN_RECYCLE(b, free_sess, next_free);
	b->s.caddr = IP4(10, 2, cl / 200, 10 + cl % 200);
	if (client_ports[cl] < 40000)
		client_ports[cl] = (uint16_t)rrange(40000, 50000);
	b->s.cport = client_ports[cl]++;
	if (client_ports[cl] > 65000)
		client_ports[cl] = 40000;
	b->s.pport = FRONT_PORT;
	b->s.cseq = (uint32_t)rnd();
	b->s.gseq = (uint32_t)rnd();
	b->s.rtt = (int64_t)rrange(2 * MS, 40 * MS);	/* the Internet */
	b->s.nleft = 1 + (int)expo(4.0);
	b->group = urand() < 0.7 ? 0 : 1;
	/* an event, so that the ids follow the request frames */
	arm(EV_REQ, client_open(t, &b->s) + 200 * US, b, b->gen);
}

/* ---- the events ---- */
static void
model_event(struct ev *e)
{
	struct rsess *b = e->ptr;
	struct rconn *c = e->ptr;
	struct group *g;

	switch (e->type) {
	case EV_SESSION:
		if (planned >= cfg.requests)
			break;
		session(e->ts);
		/* sessions arrive so that requests come at cfg.rate */
		e->ts += (int64_t)(expo(5.0 / cfg.rate) * 1e9) + 1;
		heap_push(e);
		break;
	case EV_REQ:
		if (b->gen != e->gen)
			break;
		if (planned >= cfg.requests) {
			client_close(e->ts, &b->s);
			sess_free(b);
		} else
			request(b, e->ts);
		break;
	case EV_TRY:
		if (b->gen == e->gen)
			try_start(b, e->ts);
		break;
	case EV_FAILED:
		if (b->gen == e->gen)
			try_failed(b, e->ts);
		break;
	case EV_RELEASE:
		if (c->gen != e->gen)
			break;
		g = &groups[servers[c->server].group];
		if (state_at(c->server, e->ts) == ST_REFUSE) {
			server_closes(c, e->ts);	/* restarting */
			break;
		}
		c->pooled = 1;
		c->idle_since = e->ts;
		c->next = g->idle;
		g->idle = c;
		if (++g->nidle > g->keepalive) {	/* close the oldest */
			struct rconn *old = g->idle;

			while (old->next)
				old = old->next;
			cache_unlink(g, old);
			close_up(e->ts, &old->u, servers[old->server].rtt);
			conn_free(old);
		}
		arm(EV_SRV_IDLE, e->ts + SRV_IDLE, c, c->gen);
		break;
	case EV_SRV_IDLE:
		if (c->gen != e->gen || !c->pooled)
			break;
		cache_unlink(&groups[servers[c->server].group], c);
		server_closes(c, e->ts);
		break;
	case EV_RESTART:	/* its idle connections close */
		g = &groups[servers[e->gen].group];
		for (struct rconn *i = g->idle, *nx; i; i = nx) {
			nx = i->next;
			if (i->server == e->gen) {
				cache_unlink(g, i);
				server_closes(i, e->ts);
			}
		}
		break;
	}
}

/* ---- the run ---- */
static void
tsv_try(const struct try *t)
{
	const struct server *sv = &servers[t->srv];

	fprintf(rtsv, "%u.%u.%u.%u:%u/%u", sv->addr >> 24, sv->addr >> 16 & 255,
	    sv->addr >> 8 & 255, sv->addr & 255, sv->port, t->gport);
}

/*
 * The truth's line of l: gen.h's columns, then the last try ("server:port/
 * gateway port": the connection it went on; "-": none) and the earlier
 * tries with how each failed ("...:cause" by commas; "-": none).
 */
static void
tsv_line(const struct tline *l, uint64_t id)
{
	char status[8] = "-";	/* none: junk relayed */

	if (l->status)
		snprintf(status, sizeof status, "%d", l->status);
	fprintf(rtsv, "%" PRIu64 "\t%u.%u.%u.%u\t%u\t%s\t%s\t%s\t%s\t%s\t",
	    id, l->caddr >> 24, l->caddr >> 16 & 255, l->caddr >> 8 & 255,
	    l->caddr & 255, l->cport, l->post ? "POST" : "GET", l->url,
	    status, cause_verdict[l->c], cause_key[l->c]);
	if (l->ntries == 0)
		fputc('-', rtsv);
	else
		tsv_try(&l->tries[l->ntries - 1]);
	fputc('\t', rtsv);
	for (unsigned k = 0; k + 1 < l->ntries; k++) {
		if (k)
			fputc(',', rtsv);
		tsv_try(&l->tries[k]);
		fprintf(rtsv, ":%s", cause_key[l->tries[k].c]);
	}
	fputs(l->ntries > 1 ? "\n" : "-\n", rtsv);
}

static void
truth_write(void)
{
	static char extra[512];

	for (uint64_t i = 0; i < planned; i++) {
		struct tline *l = &tlines[i];
		struct sess s;

		if (l->url == NULL)
			die("request %" PRIu64 " not answered", i + 1);
		memset(&s, 0, sizeof s);
		s.caddr = l->caddr;
		s.cport = l->cport;
		truth_txn(&s, l->post ? "POST" : "GET", l->url, l->status,
		    l->c);
		if (rtsv)
			tsv_line(l, truth.ids);
		free(l->url);
	}
	snprintf(extra, sizeof extra, ",\"front_port\":%d,\"refused\":%" PRIu64
	    ",\"icmp\":%" PRIu64 ",\"syn_series\":%" PRIu64 ",\"junk\":%"
	    PRIu64 ",\"closed\":%" PRIu64 ",\"timeouts\":%" PRIu64
	    ",\"relayed_5xx\":%" PRIu64 ",\"reused\":%" PRIu64 ",\"races\":%"
	    PRIu64 ",\"no_live\":%" PRIu64 ",\"retried\":%" PRIu64,
	    FRONT_PORT, tally.refused, tally.icmp, tally.syn_series,
	    tally.junk, tally.closed, tally.timeouts, tally.relayed,
	    tally.reused, tally.races, tally.nolive, tally.retried);
	truth_extra = extra;
	truth.txns = planned;
	truth.reused = tally.reused;
}

static void
usage(void)
{
	fprintf(stderr, "usage: revbusy -o OUT.pcap [-T TRUTH.tsv] "
	    "[-t TRUTH.json] [-S SEED] [--requests N] [--rate REQ/S] "
	    "[--incidents SEC] [--race SHARE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "requests", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },
		{ "incidents", required_argument, NULL, 'i' },
		{ "race", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	struct gen_files files = { .seed = 1 };
	int opt;

	while ((opt = getopt_long(argc, argv, "o:t:T:S:n:r:h", longs,
	    NULL)) != -1) {
		if (gen_file_opt(&files, opt, optarg))
			continue;
		switch (opt) {
		case 'n': cfg.requests = strtoull(optarg, NULL, 10); break;
		case 'r': cfg.rate = strtod(optarg, NULL); break;
		case 'i': cfg.incident_gap = strtod(optarg, NULL); break;
		case 'R': cfg.race = strtod(optarg, NULL); break;
		default: usage();
		}
	}
	if (files.out == NULL || optind != argc || cfg.requests == 0 ||
	    cfg.requests > 100000000 || cfg.rate <= 0 || cfg.rate > 1e6 ||
	    cfg.incident_gap < 0.5 || cfg.race < 0 || cfg.race > 1)
		usage();
	gen_open(files.out, NULL, files.seed);
	if (files.tsv) {
		rtsv = fopen(files.tsv, "w");
		if (rtsv == NULL)
			die("%s: %s", files.tsv, strerror(errno));
		fputs("id\tclient\tclient_port\tmethod\turl\tstatus\tverdict"
		    "\tcause\tupstream\ttries\n", rtsv);
	}
	tlines = calloc(cfg.requests, sizeof *tlines);
	if (tlines == NULL)
		die("out of memory");
	servers_init();
	if (getenv("REVBUSY_INCIDENTS"))	/* for the model's authors */
		for (unsigned i = 0; i < NSERVERS; i++)
			for (size_t k = 0; k < servers[i].inc.n; k++)
				fprintf(stderr, "server %u: %.3f-%.3f state %d\n", i,
				    (servers[i].inc.w[k].from - T0) / 1e9,
				    (servers[i].inc.w[k].to - T0) / 1e9,
				    servers[i].inc.w[k].st);
	arm(EV_SESSION, T0, NULL, 0);
	gen_run(model_event);
	truth_write();
	if (rtsv && fclose(rtsv) != 0)
		die("%s: %s", files.tsv, strerror(errno));
	gen_close(files.out, NULL, files.truth, files.seed, 1.0, "revbusy");
	return 0;
}
