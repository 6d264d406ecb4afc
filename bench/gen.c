/*
 * gen.c: writes a pcap file of synthetic but realistic web-proxy gateway
 * traffic, for gw502tui's benchmarks (bench/run.sh), with the truth of what
 * it wrote: how many client transactions of each verdict/cause (DESIGN §1).
 *
 * The model: clients open keep-alive connections to the gateway's proxy
 * port (9090) and send absolute-form requests (sometimes CONNECT). The
 * gateway resolves each new host (A and AAAA to its DNS server, answers
 * cached for a TTL), opens an upstream connection, sends an origin-form
 * request, and relays the reply, or answers 502/504 when the look-up, the
 * connection or the reply fails in one of the ways of DESIGN §1. Each
 * failing transaction has its own host name and address, so its evidence is
 * unambiguous. Hundreds of sessions are open at once: every packet goes
 * through one min-heap keyed by time, so the file is in time order; body
 * transfers are "trains" that re-insert themselves segment by segment, so
 * the heap stays small whatever the body sizes.
 *
 * Links with libc only; the packet writer is bench/gen.h (pcap,
 * LINKTYPE_ETHERNET, µs timestamps; IPv4 header checksums are set, TCP/UDP
 * checksums are 0, not checked by gw502tui, nor by tshark by default).
 * bench/busy.c is the busy gateway's generator.
 *
 *   gen -o OUT.pcap [-s SIZE[K|M|G]] [-n TXNS] [-S SEED] [-b BODYSCALE]
 *       [-r SESSIONS_PER_S] [-m small|mixed|empty] [-t TRUTH.json] [-T TRUTH.tsv]
 *
 * -m empty: the 200s carry no body (the tiny-transaction benchmark, issue 15).
 */
#include <unistd.h>

#include "gen.h"

/* The model's events: a new client connection, its next request, an idle
 * upstream connection's check. */
enum { EV_SPAWN = EV_MODEL, EV_SESS, EV_IDLE };

/* ---- hosts ---- */
#define NHOSTS 4000
struct host {
	char name[48];
	char cname[48];
	uint32_t addr;
	int64_t dns_expires;
	struct upconn *idle;	/* idle upstream connections (keep-alive) */
};
static struct host hosts[NHOSTS];

static void
hosts_init(void)
{
	static const char *const fmt[] = {
		"www.site%u.example", "cdn%u.static.example.net",
		"api%u.service.example.org", "img%u.example.com",
		"news%u.example.info", "shop%u.example.biz"
	};

	for (unsigned i = 0; i < NHOSTS; i++) {
		snprintf(hosts[i].name, sizeof hosts[i].name, fmt[i % 6], i);
		if (rnd() % 5 == 0)
			snprintf(hosts[i].cname, sizeof hosts[i].cname,
			    "edge%u.cdn.example.net", i);
		hosts[i].addr = IP4(100, 64, 0, 0) + i + 1;
		hosts[i].dns_expires = 0;
	}
}

static unsigned
pick_host(void)
{
	double u = urand();

	return (unsigned)(u * u * u * NHOSTS);	/* skewed: a few are hot */
}

static uint64_t fail_seq;	/* numbers failing hosts */
static uint64_t max_txns;	/* 0: by size */
static uint64_t target_size;
static int stopping;
static double body_scale = 1.0;
static int small_mode;		/* 1: bodies of 0..400 bytes; 2: empty (-m empty) */
static double fail_share = 0.07;
static uint16_t client_ports[65536];

static uint64_t
body_size(void)
{
	double u = urand(), b;

	if (small_mode == 2)
		b = 0;
	else if (small_mode)
		b = (double)rrange(0, 400);
	else if (u < 0.70)
		b = logu(200, 20000);
	else if (u < 0.985)
		b = logu(20000, 100000);
	else
		b = logu(100000, 10e6);
	return (uint64_t)b;
}

/*
 * One transaction on session s at ts. Returns when it is over for the
 * client (its last byte of the gateway's answer).
 */
static int64_t
transaction(int64_t ts, struct sess *s)
{
	char url[160], host[80];
	enum cause c = C_NONE;
	unsigned hi = 0;
	struct host *h = NULL;
	uint32_t addr;
	int is_connect = s->connect, status;
	const char *path = paths[rnd() % 10];
	const char *ua = agents[rnd() % 5];
	uint16_t port = is_connect ? 443 : 80;
	int64_t t, rtt_up = (int64_t)rrange(300 * US, 40 * MS), end;
	struct upconn *u;

	truth.txns++;
	if (urand() < fail_share) {
		c = (enum cause)(1 + rnd() % (C_COUNT - 1));
		if (is_connect && c >= C_HTTP_INVALID)
			c = (enum cause)(1 + rnd() % 6);	/* pre-HTTP */
	}
	if (c == C_NONE) {
		hi = pick_host();
		h = &hosts[hi];
		snprintf(host, sizeof host, "%s", h->name);
		addr = h->addr;
	} else {
		uint64_t n = fail_seq++;

		snprintf(host, sizeof host, "%s-%" PRIu64 ".fail.example",
		    cause_key[c], n);
		addr = IP4(198, 18, 0, 0) + 1 + (uint32_t)(n % 131000);
	}
	if (is_connect)
		truth.connects++;
	client_request(ts, s, is_connect, host, path, ua, url, sizeof url);
	t = ts + 120 * US;

	/* the gateway's look-up */
	if (c == C_NONE) {
		if (h->dns_expires < t) {
			struct dns_answer a = { h->cname[0] ? h->cname : NULL,
			    { addr, 0 }, 60, NULL, 0 };

			t = lookup(t, host, 0, &a);
			h->dns_expires = t + 60 * NS;
			truth.dns_lookups++;
		}
	} else if (c != C_NO_EVIDENCE) {
		int rc = c == C_NXDOMAIN ? 3 : c == C_DNS_ERROR ?
		    (rnd() % 2 ? 2 : 5) : c == C_DNS_NO_RESPONSE ? -1 : 0;
		struct dns_answer a = { NULL, { addr, 0 }, 60, NULL, 0 };

		t = lookup(t, host, rc, &a);
		truth.dns_lookups++;
	}
	if (c == C_NXDOMAIN || c == C_DNS_ERROR || c == C_DNS_NO_RESPONSE ||
	    c == C_NO_EVIDENCE) {
		status = 502;
		truth_txn(s, is_connect ? "CONNECT" : "GET", url, status, c);
		return gw_error(t + (int64_t)rrange(100 * US, 2 * MS), s,
		    status);
	}

	/* the upstream connection: an idle one of the host's, or a new one */
	u = NULL;
	if (c == C_NONE && !is_connect) {
		struct upconn **pp = &h->idle;

		while (*pp && (*pp)->busy_until >= t)
			pp = &(*pp)->next;
		if (*pp) {
			u = *pp;
			*pp = u->next;
			truth.reused++;
		}
	}
	if (u == NULL) {
		u = upconn_get();
		u->saddr = addr;
		u->gport = gw_port();
		u->sport = port;
		u->gseq = (uint32_t)rnd();
		u->sseq = (uint32_t)rnd();
		u->host = hi;
		truth.upconns++;
		if (c == C_SYN_UNANSWERED) {
			/* backoff 1,2,4(,8) s or 3,6,12 s; then the gateway
			 * gives up */
			int base = rnd() % 4 ? 1 : 3, nsyn = 3 + (int)(rnd() % 2);
			int64_t st = t;

			for (int k = 0; k < nsyn; k++) {
				tcp(st, GW_IP, addr, u->gport, port, u->gseq, 0,
				    F_SYN, NULL, 0);
				st += (int64_t)base * (1LL << k) * NS +
				    (int64_t)rrange(0, 3 * MS);
			}
			status = rnd() % 4 ? 502 : 504;
			end = st - (int64_t)base * (1LL << (nsyn - 1)) * NS +
			    (int64_t)rrange(500 * MS, 2000 * MS);
			goto failed;
		}
		if (c == C_TCP_RST || c == C_ICMP) {
			syn_refused(t, u, rtt_up, c == C_ICMP);
			status = 502;
			end = t + rtt_up + (int64_t)rrange(100 * US, 1 * MS);
			goto failed;
		}
		t = handshake(t, u, rtt_up);
	}

	if (is_connect) {
		uint64_t down = (uint64_t)(body_size() * body_scale) + 3000;

		end = tunnel(t, s, u, rtt_up, down, body_scale);
		close_up(end + 500 * US, u, rtt_up);
		upconn_put(u);
		truth_txn(s, "CONNECT", url, 200, C_NONE);
		return end;
	}

	t += 20 * US;
	up_request(t, u, path, host, ua, rtt_up, 1);
	t += rtt_up + (int64_t)logu(200 * US, 300 * MS);	/* server's think */

	if (c == C_TIMEOUT) {
		/* silence; the gateway gives up after 15..60 s */
		end = t + (int64_t)rrange(15, 60) * NS;
		status = rnd() % 2 ? 502 : 504;
		close_up(end + 200 * US, u, rtt_up);
		goto failed_conn;
	}
	if (c == C_CLOSED) {
		end = t + (int64_t)rrange(200 * US, 2 * MS);
		up_closed(t, u, rtt_up);
		status = 502;
		goto failed_conn;
	}
	if (c == C_HTTP_INVALID) {
		up_invalid(t, u, rtt_up);
		end = t + (int64_t)rrange(200 * US, 2 * MS);
		status = 502;
		goto failed_conn;
	}

	/* a reply: 200 with a body (or 301/404), or a 5xx the gateway relays */
	{
		uint64_t body;
		uint32_t iv;
		double r = urand();

		if (c == C_5XX) {
			status = 502 + (int)(rnd() % 3);
			body = 150 + rnd() % 300;
		} else {
			status = r < 0.9 ? 200 : r < 0.95 ? 404 : 301;
			body = status == 200 ? body_size() : 120 + rnd() % 200;
		}
		/* the transfer lasts as long at any body scale */
		iv = (uint32_t)(MSS * 1e9 / logu(2e6, 60e6));
		body = (uint64_t)(body * body_scale);
		iv = (uint32_t)(iv / body_scale);
		end = relay(t, s, u, status, body, iv);
		u->busy_until = end;
		if (c == C_NONE && rnd() % 3) {
			/* keep it for the host's next request; closed when
			 * it stays idle for 4 s */
			struct ev e;

			u->next = h->idle;
			h->idle = u;
			u->gen++;
			memset(&e, 0, sizeof e);
			e.type = EV_IDLE;
			e.ts = end + 4 * NS;
			e.ptr = u;
			e.gen = u->gen;
			heap_push(&e);
		} else {
			close_up(end + 300 * US, u, rtt_up);
			upconn_put(u);
		}
		truth_txn(s, "GET", url, status, c);
		return end + s->rtt / 2;
	}

failed_conn:
failed:
	/* the failed upstream connection is not kept */
	upconn_put(u);
	truth_txn(s, is_connect ? "CONNECT" : "GET", url, status, c);
	return gw_error(end, s, status);
}

/* An upstream connection idle since it was armed: the gateway closes it. */
static void
idle_check(struct ev *e)
{
	struct upconn *u = e->ptr, **pp;

	if (u->gen != e->gen || u->busy_until > e->ts - 4 * NS)
		return;	/* reused since */
	for (pp = &hosts[u->host].idle; *pp && *pp != u; pp = &(*pp)->next)
		;
	if (*pp == NULL)
		return;	/* in use right now */
	*pp = u->next;
	close_up(e->ts, u, 1 * MS);
	upconn_put(u);
}

static int
budget_spent(void)
{
	if (max_txns)
		return truth.txns >= max_txns;
	return bytes_scheduled >= target_size;
}

static void
sess_step(struct ev *e)
{
	struct sess *s = e->ptr;
	int64_t t = e->ts, end;

	if (s->nleft > 0 && !stopping && budget_spent())
		stopping = 1;
	if (s->nleft <= 0 || stopping) {
		client_close(t, s);
		free(s);
		return;
	}
	end = transaction(t, s);
	s->nleft--;
	if (s->connect)
		s->nleft = 0;
	e->ts = end + (s->nleft ? (int64_t)(expo(0.4) * NS) : 5 * MS);
	heap_push(e);
}

static double session_rate = 100;	/* new client connections per second */

static void
spawn(struct ev *e)
{
	struct sess *s;
	unsigned cl;
	int64_t t = e->ts;

	if (stopping || budget_spent()) {
		stopping = 1;
		return;
	}
	s = xmalloc(sizeof *s);
	memset(s, 0, sizeof *s);
	cl = (unsigned)rrange(0, 3999);
	s->caddr = IP4(10, 10, 0, 0) + (cl / 250) * 256 + cl % 250 + 2;
	if (client_ports[cl] < 40000)
		client_ports[cl] = (uint16_t)rrange(40000, 50000);
	s->cport = client_ports[cl]++;
	if (client_ports[cl] > 65000)
		client_ports[cl] = 40000;
	s->pport = PROXY_PORT;
	s->cseq = (uint32_t)rnd();
	s->gseq = (uint32_t)rnd();
	s->rtt = (int64_t)rrange(100 * US, 3 * MS);
	s->connect = rnd() % 10 == 0;
	s->nleft = 1 + (int)expo(4.0);
	{
		struct ev se;

		memset(&se, 0, sizeof se);
		se.type = EV_SESS;
		se.ts = client_open(t, s) + 50 * US;
		se.ptr = s;
		heap_push(&se);
	}
	e->ts = t + (int64_t)(expo(1.0 / session_rate) * NS) + 1;
	heap_push(e);
}

static uint64_t
parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	switch (*end) {
	case 'k': case 'K': v *= 1e3; break;
	case 'm': case 'M': v *= 1e6; break;
	case 'g': case 'G': v *= 1e9; break;
	case 0: break;
	default: die("bad size: %s", s);
	}
	return (uint64_t)v;
}

static void
usage(void)
{
	fprintf(stderr, "usage: gen -o OUT.pcap [-s SIZE] [-n TXNS] [-S SEED] "
	    "[-b BODYSCALE] [-r SESSIONS/S] [-f FAILSHARE] [-m mixed|small|empty] "
	    "[-t TRUTH.json] [-T TRUTH.tsv]\n");
	exit(2);
}

static void
model_event(struct ev *e)
{
	switch (e->type) {
	case EV_SPAWN:
		spawn(e);
		break;
	case EV_SESS:
		sess_step(e);
		break;
	case EV_IDLE:
		idle_check(e);
		break;
	}
}

int
main(int argc, char **argv)
{
	struct gen_files files = { .seed = 1 };
	struct ev e;
	int opt;

	target_size = 100000000;
	while ((opt = getopt(argc, argv, "o:s:n:S:b:r:f:m:t:T:h")) != -1) {
		if (gen_file_opt(&files, opt, optarg))
			continue;
		switch (opt) {
		case 's': target_size = parse_size(optarg); break;
		case 'n': max_txns = strtoull(optarg, NULL, 10); break;
		case 'b': body_scale = strtod(optarg, NULL); break;
		case 'r': session_rate = strtod(optarg, NULL); break;
		case 'f': fail_share = strtod(optarg, NULL); break;
		case 'm':
			small_mode = strcmp(optarg, "small") == 0 ? 1 :
			    strcmp(optarg, "empty") == 0 ? 2 : 0;
			break;
		default: usage();
		}
	}
	if (files.out == NULL || body_scale <= 0 || session_rate <= 0)
		usage();
	gen_open(files.out, files.tsv, files.seed);
	hosts_init();
	memset(&e, 0, sizeof e);
	e.type = EV_SPAWN;
	e.ts = T0;
	heap_push(&e);
	gen_run(model_event);
	gen_close(files.out, files.tsv, files.truth, files.seed, body_scale,
	    small_mode == 2 ? "empty" : small_mode ? "small" : "mixed");
	return 0;
}
