/*
 * test_diag_story.c: the whole story the diagnosis tells of a scene, as
 * every output shows it: each transaction's verdict, cause, links and
 * flags, its one-line summary word for word, elapsed time, export range,
 * SYN series, and every row of its evidence (frame, columns, badness,
 * numbers as formatted, texts, the flow view's label and detail). One
 * scene per behaviour of DESIGN §1–2 (every verdict and cause, cached
 * answers positive and negative inside and past their TTL, look-ups in
 * flight, pooled connections and the keep-alive race, several
 * addresses, masked failures, ambiguous claims, pipelined requests,
 * CONNECT tunnels, a client giving up).
 *
 * Each scene is told three ways, and all three must tell the same story:
 * diagnosed once at the end of the capture; slice by slice after every
 * frame (as the live screen does); and slice by slice retiring every
 * transaction that is over (as a long capture does: diag_retire must keep
 * whatever a later transaction still needs), each retired transaction's
 * story taken just before it goes. The end-of-capture story is also
 * compared with the one written below, checked by hand against DESIGN
 * and the scene: frames, times and words. After a deliberate change of
 * wording, GW_STORY_PRINT=1 prints the stories to review and paste.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag/evidence.h"
#include "unit_flow.h"
#include "diag_scene.h"

#define STORY_MAX (64 * 1024)
#define STORY_TXNS 8		/* transactions a scene may have */

struct story {
	char *txn[STORY_TXNS + 1];	/* by id: its story, or NULL */
};

static void
put(char *out, const char *f, ...) __attribute__((format(printf, 2, 3)));
static void
put(char *out, const char *f, ...)
{
	size_t n = strlen(out);
	va_list ap;
	int k;

	va_start(ap, f);
	k = vsnprintf(out + n, STORY_MAX - n, f, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= STORY_MAX - n)
		fail_msg("story longer than %d bytes", STORY_MAX);
}

/* Text with its line ends shown as "|". */
static void
put_flat(char *out, const char *s)
{
	for (; *s; s++)
		put(out, "%c", *s == '\n' ? '|' : *s);
}

static const char *const kind_names[EK_COUNT] = {
	"request", "answer", "dns-query", "dns-answer", "dns-cache",
	"connect", "syn", "synack", "rst", "rst-gateway", "icmp", "no-reply",
	"fin-gateway", "fin-upstream", "up-request", "up-reply", "tls-hello",
	"tls-end", "tls-request"
};

static void
put_field(char *out, const char *name, const char *v)
{
	if (*v) {
		put(out, " %s=", name);
		put_flat(out, v);
	}
}

static void
put_row(char *out, const struct evidence_row *r)
{
	put(out, "  %s #%llu %s>%s%s%s", kind_names[r->kind],
	    (unsigned long long)r->frame, evidence_col_name(r->from),
	    evidence_col_name(r->to), r->bad ? " bad" : "",
	    r->listed ? " listed" : "");
	if (r->reply_frame)
		put(out, " reply=#%llu", (unsigned long long)r->reply_frame);
	if (r->seq)
		put(out, " seq=%u", r->seq);
	if (r->kind == EK_ICMP)
		put(out, " icmp=%u/%u", r->type, r->code);
	if (r->frame)
		put(out, " at=%lld", (long long)r->ts_ns);
	put_field(out, "rel", r->rel);
	put_field(out, "delay", r->delay);
	put_field(out, "offset", r->offset);
	put_field(out, "interval", r->interval);
	put_field(out, "factor", r->factor);
	put_field(out, "peer", r->peer);
	put_field(out, "kind", r->kind_name);
	put_field(out, "name", r->name);
	put_field(out, "text", r->text);
	put_field(out, "answers", r->answers);
	put(out, "\n");
	if (*r->label || *r->detail) {
		put(out, "   [");
		put_flat(out, r->label);
		put(out, "] ");
		put_flat(out, r->detail);
		put(out, "\n");
	}
}

/*
 * The reports' rows (EVIDENCE_REPORT) are the screen's: the same facts,
 * the text the reports print, and the numbers evidence_fmt_* gives are the
 * screen's strings (one reading, one precision).
 */
static void
expect_report_rows(const struct flow *fl, const struct evidence *screen,
    const struct evidence *rep)
{
	char num[EVIDENCE_NUM_MAX], text[EVIDENCE_TEXT_MAX];

	assert_int_equal(rep->n, screen->n);
	assert_string_equal(rep->summary, screen->summary);
	for (size_t i = 0; i < rep->n; i++) {
		const struct evidence_row *s = &screen->rows[i];
		const struct evidence_row *r = &rep->rows[i];

		assert_memory_equal(r, s, offsetof(struct evidence_row, rel));
		assert_string_equal(r->rel, "");
		assert_string_equal(r->delay, "");
		assert_string_equal(r->label, "");
		assert_string_equal(r->answers, "");
		if (r->kind == EK_DNS_QUERY || r->kind == EK_DNS_ANSWER)
			assert_string_equal(evidence_fmt_answers(fl, r, text,
			    sizeof text), s->answers);
		if (r->kind == EK_DNS_CACHE)
			assert_string_equal(evidence_fmt_cache(fl, r, text,
			    sizeof text), s->text);
		if (r->frame)
			assert_string_equal(evidence_fmt_secs(r->rel_ns, num,
			    sizeof num), s->rel);
		if (*s->delay)
			assert_string_equal(evidence_fmt_delay(r, num,
			    sizeof num), s->delay);
		if (r->kind == EK_SYN) {
			assert_string_equal(r->peer, s->peer);
			assert_string_equal(evidence_fmt_secs(r->offset_ns,
			    num, sizeof num), s->offset);
			assert_string_equal(evidence_fmt_factor(r, num,
			    sizeof num), s->factor);
			if (r->seq > 1)
				assert_string_equal(evidence_fmt_secs(
				    r->interval_ns, num, sizeof num),
				    s->interval);
			else
				assert_string_equal(s->interval, "");
		}
		switch (r->kind) {
		case EK_DNS_QUERY: case EK_DNS_ANSWER:
			assert_string_equal(r->name, s->name);
			assert_string_equal(r->kind_name, s->kind_name);
			/* fall through */
		case EK_RST: case EK_RST_GATEWAY: case EK_ICMP:
			assert_string_equal(r->peer, s->peer);
			if (r->kind == EK_RST || r->kind == EK_RST_GATEWAY)
				break;
			/* fall through */
		case EK_UP_REQUEST: case EK_UP_REPLY:
			assert_string_equal(r->text, s->text);
			break;
		default:
			break;
		}
	}
}

static bool
is_frame(const struct frame_ref *f, uint64_t frame)
{
	return f->number != 0 && f->number == frame;
}

/*
 * A row's ref names the item whose frame it shows (the pane and the flow
 * view follow it to the packet, the next hop's sighting, the export):
 * the message, the look-up or the connection attempt; and its file
 * offset is that frame's.
 */
static void
expect_ref(struct uf *u, const struct evidence_row *r)
{
	const struct flow *fl = &u->fl;
	const struct conn *c = r->ref < fl->nconns ? &fl->conns[r->ref] : NULL;
	const struct dns_query *q = r->ref < fl->ndns ? &fl->dns[r->ref] :
	    NULL;
	const struct http_msg *m = r->ref < fl->nmsgs ? &fl->msgs[r->ref] :
	    NULL;
	bool ok = false;

	switch (r->kind) {
	case EK_REQUEST:
	case EK_ANSWER:
	case EK_UP_REQUEST:
	case EK_UP_REPLY:
		ok = r->frame == 0 ? r->ref == NONE32 : m != NULL &&
		    (is_frame(flow_msg_frame(m), r->frame) ||
		    is_frame(&m->head, r->frame));
		break;
	case EK_DNS_QUERY:
		ok = q && is_frame(&q->query, r->frame);
		break;
	case EK_DNS_ANSWER:
		ok = q && is_frame(&q->answer, r->frame);
		break;
	case EK_DNS_CACHE:
		ok = q && is_frame(&q->answer, r->reply_frame);
		break;
	case EK_SYN:
		for (unsigned k = 0; c && k < c->nsyn; k++)
			ok |= is_frame(conn_syn(c, k), r->frame);
		break;
	case EK_SYNACK:
		ok = c && is_frame(&c->synack, r->frame);
		break;
	case EK_RST:
	case EK_RST_GATEWAY:
		ok = c && is_frame(&c->rst, r->frame);
		break;
	case EK_ICMP:
		ok = c && (is_frame(&conn_icmp(fl, c)->first, r->frame) ||
		    is_frame(&conn_icmp(fl, c)->last, r->frame));
		break;
	case EK_FIN_GATEWAY:
		ok = c && is_frame(&c->fin[0], r->frame);
		break;
	case EK_FIN_UPSTREAM:
		ok = c && is_frame(&c->fin[1], r->frame);
		break;
	default:	/* CONNECT, NO_REPLY: the attempt they start or end */
		ok = c && c->nsyn > 0;
		break;
	}
	if (!ok)
		fail_msg("%s row of frame %llu: ref %u names no such item",
		    kind_names[r->kind], (unsigned long long)r->frame, r->ref);
	/* where the frame's record is: unit_flow.h puts frame n at 100 n */
	assert_int_equal(r->offset_lo, r->frame * 100);
}

/* The story of transaction t as of now (the capture's last frame). */
static char *
tell(struct uf *u, const struct txn *t)
{
	static const char *const cols[EC_COUNT] = { "client", "gateway",
	    "dns", "upstream" };
	char *out = calloc(1, STORY_MAX);
	char sum[512], a[ADDR_STRLEN];
	struct evidence ev = { 0 }, rep = { 0 };
	struct syn_series ss;
	struct frame_ref first, last;
	uint64_t f[128], g[128];
	size_t nf, ng;

	assert_non_null(out);
	put(out, "txn %u %s %s status %u%s label \"%s\"\n", t->id,
	    uf_str(u, u->fl.msgs[t->req].method), uf_str(u, t->url),
	    t->status, t->is_error ? " error" : "", txn_label(t));
	put(out, " %s/%s dns=%s conn=%s%s%s%s", verdict_key(t->d.verdict),
	    cause_key(t->d.cause), link_key(t->d.dns_link),
	    link_key(t->d.conn_link), t->d.shared ? " shared" : "",
	    t->d.masked ? " masked" : "", t->d.ambiguous ? " ambiguous" : "");
	if (t->rival)
		put(out, " rival=%u", t->rival);
	put(out, " port=%u\n", t->port);
	diag_summary(&u->dg, &u->fl, t, sum, sizeof sum);
	put(out, " summary: %s\n", sum);
	txn_frame_range(&u->fl, t, &first, &last);
	put(out, " elapsed=%lld range=#%llu-#%llu frames",
	    (long long)txn_elapsed_ns(&u->fl, t, u->fl.stats.last_ts),
	    (unsigned long long)first.number,
	    (unsigned long long)last.number);
	nf = uf_evidence(u, t, f, 128);
	for (size_t i = 0; i < nf; i++)
		put(out, " %llu", (unsigned long long)f[i]);
	diag_syn_series(&u->fl, t, u->fl.stats.last_ts, &ss);
	put(out, "\n syns");
	for (unsigned i = 0; i < ss.n; i++)
		put(out, " #%llu", (unsigned long long)ss.syn[i].number);
	assert_int_equal(evidence_build(&ev, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_ARROWS), 0);
	/* the list and the frames are one reading */
	assert_string_equal(ev.summary, sum);
	ng = evidence_frames(&ev, g, 128);
	assert_int_equal(ng, nf);
	assert_memory_equal(f, g, nf * sizeof f[0]);
	put(out, "\n cols");
	for (int c = 0; c < EC_COUNT; c++)
		if (ev.addr[c].family)
			put(out, " %s=%s", cols[c], addr_fmt(&ev.addr[c], a,
			    sizeof a));
	put(out, "\n");
	for (size_t i = 0; i < ev.n; i++) {
		expect_ref(u, &ev.rows[i]);
		put_row(out, &ev.rows[i]);
	}
	assert_int_equal(evidence_build(&rep, &u->dg, &u->fl, t,
	    u->fl.stats.last_ts, EVIDENCE_REPORT), 0);
	expect_report_rows(&u->fl, &ev, &rep);
	evidence_free(&rep);
	evidence_free(&ev);
	return out;
}

static void
story_free(struct story *st)
{
	for (int i = 0; i <= STORY_TXNS; i++)
		free(st->txn[i]);
	memset(st, 0, sizeof *st);
}

/* Keeps transaction t's story (again: the later telling wins). */
static void
keep(struct story *st, struct uf *u, const struct txn *t)
{
	if (t->id > STORY_TXNS)
		fail_msg("transaction %u: more than %d", t->id, STORY_TXNS);
	free(st->txn[t->id]);
	st->txn[t->id] = tell(u, t);
}

static void
keep_all(struct story *st, struct uf *u)
{
	for (size_t i = 0; i < u->dg.ntxns; i++)
		keep(st, u, &u->dg.txns[i]);
}

/* The whole story: the counts, then each transaction's. */
static char *
joined(const struct story *st, const struct diag *dg)
{
	char *out = calloc(1, STORY_MAX);

	assert_non_null(out);
	put(out, "requests %llu errors %llu", (unsigned long long)
	    diag_total(dg), (unsigned long long)dg->errors);
	for (int v = 0; v < V_COUNT; v++)
		if (dg->counts[v])
			put(out, " %s=%llu", verdict_key((enum verdict)v),
			    (unsigned long long)dg->counts[v]);
	put(out, "\n");
	for (int i = 1; i <= STORY_TXNS; i++)
		if (st->txn[i])
			put(out, "%s", st->txn[i]);
	return out;
}

typedef void (*scene_fn)(struct uf *u);

static struct story retiring;	/* the stories of the retired */

/* After each frame: diagnose, keep the story of each transaction that
 * will go, retire them all. */
static void
slice_tell_retire(struct uf *u)
{
	uint8_t *all;
	int64_t now = u->fl.stats.last_ts;

	uf_slice(u);
	all = malloc(u->dg.ntxns + 1);
	assert_non_null(all);
	for (size_t i = 0; i < u->dg.ntxns; i++) {
		const struct txn *t = &u->dg.txns[i];

		all[i] = 1;
		if (t->settled && txn_final_ns(&u->dg, &u->fl, t) <= now)
			keep(&retiring, u, t);
	}
	assert_true(diag_retire(&u->dg, &u->fl, all) >= 0);
	free(all);
}

enum telling { AT_END, SLICED, RETIRING };

static char *
told(void **state, scene_fn scene, enum telling how)
{
	struct uf *u;
	char *out;

	uf_teardown(state);
	uf_setup(state);
	u = *state;
	memset(&retiring, 0, sizeof retiring);
	if (how == AT_END) {
		scene(u);
		uf_diagnose(u);
	} else {
		uf_slices_begin(u, NULL);
		if (how == RETIRING)
			u->after_frame = slice_tell_retire;
		scene(u);
		uf_slices_end(u);
	}
	keep_all(&retiring, u);
	out = joined(&retiring, &u->dg);
	story_free(&retiring);
	return out;
}

/* The first line where two stories differ, for the failure message. */
static void
expect_story(const char *scene, const char *how, const char *want,
    const char *got)
{
	size_t line = 1, i = 0, start = 0;

	if (strcmp(want, got) == 0)
		return;
	while (want[i] && want[i] == got[i]) {
		if (want[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	fail_msg("%s, %s: line %zu differs:\n  want: %.*s\n  got:  %.*s",
	    scene, how, line, (int)strcspn(want + start, "\n"), want + start,
	    (int)strcspn(got + start, "\n"), got + start);
}

/* The story as a C string literal, for pasting after review. */
static void
print_literal(const char *name, const char *s)
{
	printf("\t/* %s */\n\t\"", name);
	for (; *s; s++) {
		if (*s == '\n')
			printf(s[1] ? "\\n\"\n\t\"" : "\\n\"");
		else if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else
			putchar(*s);
	}
	printf(",\n");
}

static void
check(void **state, const char *name, scene_fn scene, const char *want)
{
	char *end = told(state, scene, AT_END);
	char *sliced = told(state, scene, SLICED);
	char *retired = told(state, scene, RETIRING);

	if (getenv("GW_STORY_PRINT"))
		print_literal(name, end);
	else
		expect_story(name, "at the end of the capture", want, end);
	expect_story(name, "slice by slice", end, sliced);
	expect_story(name, "retiring as it goes", end, retired);
	free(end);
	free(sliced);
	free(retired);
}

/* ---- the scenes --------------------------------------------------------- */

/* The look-up's answer is NXDOMAIN: with an SOA (negative TTL 30 s,
 * RFC 2308) a second client 10 s later is answered from the cache; a
 * third, 40 s later, after the TTL, has no evidence. */
static void
nxdomain_cached(struct uf *u)
{
	static const struct uf_soa soa = { "test", 3600, 30 };
	struct scene s;
	struct uf_side cli2, gw2, cli3, gw3;
	struct uf_dns m = { .qtype = DNS_T_A, .qname = HOST, .response = true,
	    .rcode = 3, .soa = &soa };

	scene_init(&s, u);
	ask(&s);
	query(&s);
	m.id = s.dns_id;
	uf_dns_udp(u, &s.dns, &s.res, &m);
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + 10 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	uf_status(u, &gw2, &cli2, 502);
	uf_at(u, s.req_ts + 40 * UF_S);
	client_asks(u, &cli3, &gw3, "10.0.0.7", 40002, URL);
	uf_status(u, &gw3, &cli3, 502);
}

/* SERVFAIL, then (a second client, its own look-up) REFUSED, then a
 * NOERROR answer with only a CNAME (no address): three DNS errors, none
 * of them cached for the next; a fourth client 2 s after the third has
 * no look-up of its own and none in flight: no evidence. */
static void
dns_errors(struct uf *u)
{
	static const struct uf_rr alias[] = {
		{ DNS_T_CNAME, NULL, 300, "edge.test" },
	};
	struct scene s;
	struct uf_side cli2, gw2, cli3, gw3, cli4, gw4;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 2, NULL, 0);
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + 10 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	query(&s);
	uf_wait(u, 3 * UF_MS);
	answer(&s, 5, NULL, 0);
	uf_status(u, &gw2, &cli2, 502);
	uf_at(u, s.req_ts + 20 * UF_S);
	client_asks(u, &cli3, &gw3, "10.0.0.7", 40002, URL);
	query(&s);
	answer(&s, 0, alias, 1);
	uf_status(u, &gw3, &cli3, 503);
	uf_at(u, s.req_ts + 22 * UF_S);
	client_asks(u, &cli4, &gw4, "10.0.0.8", 40003, URL);
	uf_status(u, &gw4, &cli4, 502);
}

/* Three queries 1 s apart, never answered; 502 at 5 s. */
static void
dns_silent(struct uf *u)
{
	struct scene s;

	scene_init(&s, u);
	ask(&s);
	for (int i = 0; i < 3; i++) {
		uf_at(u, s.req_ts + 2 * UF_MS + i * UF_S);
		query(&s);
	}
	uf_at(u, s.req_ts + 5 * UF_S);
	gateway_answers(&s, 502);
}

/* An A and an AAAA query from one socket (glibc's stub resolver), the A
 * answered NXDOMAIN, the AAAA never; a second client 2 s later waits
 * for the same look-up (in flight). */
static void
dns_in_flight(struct uf *u)
{
	struct scene s;
	struct uf_side cli2, gw2;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	uf_dns_query(u, &s.res, &s.dns, 0x300, HOST, DNS_T_AAAA);
	uf_at(u, s.req_ts + 2 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	uf_at(u, s.req_ts + 3500 * UF_MS);
	answer(&s, 3, NULL, 0);
	uf_wait(u, 20 * UF_MS);
	gateway_answers(&s, 502);
	uf_status(u, &gw2, &cli2, 502);
}

/* SYNs at 0, 1 and 3 s never answered; given up, 502 at 7 s. */
static void
syn_silent(struct uf *u)
{
	struct scene s;
	uint64_t syn[3];

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	uf_wait(u, 250 * 1000LL);
	syns_given_up(&s, syn);
	gateway_answers(&s, 502);
}

/* The server refuses (RST after 1.5 ms); then a second client, whose
 * attempt the gateway itself resets after a retry (not the server:
 * the SYNs are unanswered). */
static void
refused(struct uf *u)
{
	struct scene s;
	struct uf_side cli2, gw2, out2;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	uf_syn(u, &s.out, &s.web);
	uf_wait(u, 500 * 1000LL);
	uf_rst(u, &s.web, &s.out);
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + 20 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	out2 = s.out;
	out2.port = 50001;
	out2.seq = 20000;
	uf_syn(u, &out2, &s.web);
	uf_wait(u, UF_S);
	uf_syn(u, &out2, &s.web);
	uf_wait(u, 2 * UF_S);
	uf_rst(u, &out2, &s.web);
	uf_status(u, &gw2, &cli2, 502);
}

/* ICMP 3/13 from a router answering the SYN (IPv4); then, for a second
 * client asking for an IPv6 literal, ICMPv6 1/1 answering each of two
 * SYNs. */
static void
icmp_rejects(struct uf *u)
{
	struct scene s;
	struct uf_side cli2, gw2, out6, web6;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	uf_syn(u, &s.out, &s.web);
	uf_wait(u, 2 * UF_MS);
	uf_icmp(u, "10.0.0.254", &s.out, &s.web, 3, 13);
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + 30 * UF_S);
	uf_side_init(&out6, "2001:db8::1", 50001, 7000);
	uf_side_init(&web6, "2001:db8::10", 8080, 9000);
	uf_side_init(&cli2, "10.0.0.6", 40001, 3000);
	gw2 = u->srv;
	uf_handshake(u, &cli2, &gw2);
	uf_get(u, &cli2, &gw2, "http://[2001:db8::10]:8080/x",
	    "[2001:db8::10]:8080");
	uf_syn(u, &out6, &web6);
	uf_icmp(u, "2001:db8::fe", &out6, &web6, 1, 1);
	uf_wait(u, UF_S);
	uf_syn(u, &out6, &web6);
	uf_icmp(u, "2001:db8::fe", &out6, &web6, 1, 1);
	uf_status(u, &gw2, &cli2, 502);
}

/* Connected and asked: a reply that is no HTTP head; then (a second
 * client, a new connection) a valid status line with a malformed header
 * line; then (a third) a reply the gateway passes on as 200: masked. */
static void
invalid_replies(struct uf *u)
{
	struct scene s;
	struct uf_side cli2, gw2, cli3, gw3;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_send(u, &s.web, &s.out, "<html>no status line</html>");
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + 10 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	s.out.port = 50001;
	upstream_get(&s);
	uf_send(u, &s.web, &s.out, "HTTP/1.1 200 OK\r\nX-Good: 1\r\n"
	    "Bad Header Line\r\n\r\n");
	uf_status(u, &gw2, &cli2, 502);
	uf_at(u, s.req_ts + 20 * UF_S);
	client_asks(u, &cli3, &gw3, "10.0.0.7", 40002, URL);
	s.out.port = 50002;
	upstream_get(&s);
	uf_send(u, &s.web, &s.out, "ICY 200 OK\r\n\r\n");
	uf_status(u, &gw3, &cli3, 200);
}

/* Asked, nothing back: the gateway gives up at 120 s (504) and closes
 * first, the server's FIN follows. */
static void
timed_out(struct uf *u)
{
	struct scene s;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_at(u, s.req_ts + 120 * UF_S);
	uf_fin(u, &s.out, &s.web);
	uf_fin(u, &s.web, &s.out);
	gateway_answers(&s, 504);
}

/* The server closes without a byte (FIN), the gateway answers 502; a
 * second client's connection is reset by the server after its request. */
static void
closed(struct uf *u)
{
	struct scene s;
	struct uf_side cli2, gw2;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_wait(u, 4 * UF_MS);
	uf_fin(u, &s.web, &s.out);
	uf_fin(u, &s.out, &s.web);
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + 10 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	s.out.port = 50001;
	upstream_get(&s);
	uf_rst(u, &s.web, &s.out);
	uf_status(u, &gw2, &cli2, 502);
}

/* The upstream answers 503 itself, passed on; a second client is
 * served 200 (an ok request with its upstream evidence); a third asks
 * for another host and gets a 404 the upstream sent (no gateway error). */
static void
relayed_and_ok(struct uf *u)
{
	struct scene s;
	struct uf_side cli2, gw2, cli3, gw3;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	upstream_get(&s);
	uf_status(u, &s.web, &s.out, 503);
	gateway_answers(&s, 503);
	uf_at(u, s.req_ts + 10 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	s.out.port = 50001;
	upstream_get(&s);
	uf_status(u, &s.web, &s.out, 200);
	uf_status(u, &gw2, &cli2, 200);
	uf_at(u, s.req_ts + 20 * UF_S);
	client_asks(u, &cli3, &gw3, "10.0.0.7", 40002, URL);
	s.out.port = 50002;
	upstream_get(&s);
	uf_status(u, &s.web, &s.out, 404);
	uf_status(u, &gw3, &cli3, 404);
}

/* Nothing upstream at all; then, 10 s later, a request whose look-up is
 * answered but no connection follows, while another client's request
 * for another host (looked up just after) connects but no request for
 * the URL is seen on the connection (each 502). */
static void
unexplained(struct uf *u)
{
	struct scene s;
	struct uf_side cli2, gw2, cli3, gw3;

	scene_init(&s, u);
	ask(&s);
	uf_wait(u, 30 * UF_MS);
	gateway_answers(&s, 502);
	uf_at(u, s.req_ts + 10 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, "http://a.test/");
	uf_dns_query(u, &s.res, &s.dns, 0x500, "a.test", DNS_T_A);
	uf_dns_answer(u, &s.dns, &s.res, 0x500, "a.test", DNS_T_A, 0,
	    (const struct uf_rr[]){ { DNS_T_A, NULL, 60, "192.0.2.20" } }, 1);
	client_asks(u, &cli3, &gw3, "10.0.0.7", 40002, "http://b.test/");
	uf_dns_query(u, &s.res, &s.dns, 0x501, "b.test", DNS_T_A);
	uf_dns_answer(u, &s.dns, &s.res, 0x501, "b.test", DNS_T_A, 0,
	    (const struct uf_rr[]){ { DNS_T_A, NULL, 60, "192.0.2.10" } }, 1);
	s.out.port = 50003;
	uf_handshake(u, &s.out, &s.web);
	uf_status(u, &gw3, &cli3, 502);
	uf_status(u, &gw2, &cli2, 502);
}

/* The client gives up (FIN) 5 s after asking while the look-up goes
 * unanswered; the gateway never answers. Then another client resets
 * its connection 3 s after asking while the SYNs go unanswered. */
static void
clients_give_up(struct uf *u)
{
	struct scene s;
	struct uf_side cli2, gw2;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	uf_at(u, s.req_ts + 2 * UF_S);
	query(&s);
	uf_at(u, s.req_ts + 5 * UF_S);
	uf_fin(u, &u->cli, &u->srv);
	uf_at(u, s.req_ts + 8 * UF_S);
	query(&s);
	uf_at(u, s.req_ts + 20 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, "http://c.test/");
	uf_dns_query(u, &s.res, &s.dns, 0x600, "c.test", DNS_T_A);
	uf_dns_answer(u, &s.dns, &s.res, 0x600, "c.test", DNS_T_A, 0,
	    (const struct uf_rr[]){ { DNS_T_A, NULL, 60, "192.0.2.10" } }, 1);
	s.out.port = 50004;
	uf_syn(u, &s.out, &s.web);
	uf_wait(u, UF_S);
	uf_syn(u, &s.out, &s.web);
	uf_wait(u, 2 * UF_S);
	uf_rst(u, &cli2, &gw2);
	uf_at(u, s.req_ts + 200 * UF_S);
	uf_dns_query(u, &s.res, &s.dns, 0x700, "other.test", DNS_T_A);
}

/* Request 1 is served (address TTL 300 s); request 2, 290 s later,
 * has no look-up of its own: the cached address links its refused
 * attempt; request 3, 320 s after request 1, is past the TTL. */
static void
address_cached(struct uf *u)
{
	struct scene s;
	struct uf_side cli2, gw2, cli3, gw3;

	scene_init(&s, u);
	served(&s);
	uf_at(u, s.req_ts + 290 * UF_S);
	client_asks(u, &cli2, &gw2, "10.0.0.6", 40001, URL);
	s.out.port = 50001;
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	uf_status(u, &gw2, &cli2, 502);
	uf_at(u, s.req_ts + 320 * UF_S);
	client_asks(u, &cli3, &gw3, "10.0.0.7", 40002, URL);
	s.out.port = 50002;
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	uf_status(u, &gw3, &cli3, 502);
}

/* Request 2 goes out on request 1's pooled connection and the server
 * answers 503; request 3 meets the keep-alive race: the server's FIN
 * comes just before the gateway's request on that connection. */
static void
pooled_and_race(struct uf *u)
{
	struct scene s;
	struct uf_side cli2, gw2, cli3, gw3;

	scene_init(&s, u);
	pooled(&s, &cli2, &gw2);
	uf_get(u, &s.out, &s.web, "/b", HOST);
	uf_status(u, &s.web, &s.out, 503);
	uf_status(u, &gw2, &cli2, 503);
	uf_at(u, s.req_ts + 5 * UF_S);
	client_asks(u, &cli3, &gw3, "10.0.0.7", 40002, "http://" HOST "/c");
	uf_fin(u, &s.web, &s.out);
	uf_get(u, &s.out, &s.web, "/c", HOST);
	uf_status(u, &gw3, &cli3, 502);
}

/* Two addresses: the SYNs to the first go unanswered, the second
 * resets: cannot-connect, the last of the host's addresses. */
static void
two_addresses(struct uf *u)
{
	struct scene s;

	scene_init(&s, u);
	second_address_refuses(&s);
	gateway_answers(&s, 502);
}

/* Both addresses refuse: every attempt reset. */
static void
every_address_refuses(struct uf *u)
{
	static const struct uf_rr two[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
	};
	struct scene s;
	struct uf_side out2, web2;

	scene_init(&s, u);
	uf_side_init(&out2, "10.0.0.1", 50001, 8000);
	uf_side_init(&web2, "192.0.2.11", 80, 9500);
	ask(&s);
	query(&s);
	answer(&s, 0, two, 2);
	uf_syn(u, &s.out, &s.web);
	uf_rst(u, &s.web, &s.out);
	uf_syn(u, &out2, &web2);
	uf_rst(u, &web2, &out2);
	gateway_answers(&s, 502);
}

/* Two clients 0.5 ms apart (address cached), a SYN series right after
 * both, both 502: either could own either series (ambiguous). */
static void
ambiguous(struct uf *u)
{
	close_requests(u, 500 * 1000LL, 502);
}

/* Two pipelined requests on one client connection, for two hosts, the
 * first answered 502 (NXDOMAIN), the second 504 (a silent upstream). */
static void
pipelined(struct uf *u)
{
	struct scene s;

	scene_init(&s, u);
	uf_handshake(u, &u->cli, &u->srv);
	uf_send(u, &u->cli, &u->srv,
	    "GET http://nx.test/a HTTP/1.1\r\nHost: nx.test\r\n\r\n"
	    "GET http://" HOST ":8080/b HTTP/1.1\r\nHost: " HOST ":8080\r\n\r\n");
	uf_dns_query(u, &s.res, &s.dns, 0x800, "nx.test", DNS_T_A);
	uf_dns_query(u, &s.res, &s.dns, 0x801, HOST, DNS_T_A);
	uf_dns_answer(u, &s.dns, &s.res, 0x800, "nx.test", DNS_T_A, 3,
	    NULL, 0);
	uf_dns_answer(u, &s.dns, &s.res, 0x801, HOST, DNS_T_A, 0, resolved, 2);
	s.web.port = 8080;
	uf_handshake(u, &s.out, &s.web);
	uf_get(u, &s.out, &s.web, "/b", HOST ":8080");
	uf_status(u, &u->srv, &u->cli, 502);
	uf_wait(u, 120 * UF_S);
	uf_status(u, &u->srv, &u->cli, 504);
}

/* CONNECT www.test:443: the gateway's TLS ClientHello into the tunnel,
 * the server closes without a byte: upstream-closed. */
static void
tunnel_closed(struct uf *u)
{
	static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 0x01,
		0x00, 0x00, 0x00 };
	struct scene s;

	scene_init(&s, u);
	tunnel_open(&s);
	uf_send_bytes(u, &s.out, &s.web, hello, sizeof hello);
	uf_fin(u, &s.web, &s.out);
	gateway_answers(&s, 502);
}

/* 20 SYNs 100 ms apart, none answered (more than a connection keeps),
 * 502. */
static void
syn_flood(struct uf *u)
{
	struct scene s;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	for (int i = 0; i < 20; i++) {
		uf_syn(u, &s.out, &s.web);
		uf_wait(u, 100 * UF_MS);
	}
	gateway_answers(&s, 502);
}

/* An `-i any` capture sees the SYN to the host's first address twice at
 * one instant (on two interfaces); no retransmission came, and 1.5 s
 * later, when the first retransmission (1 s) was long due, the gateway
 * tries the second address, which resets. */
static void
syn_seen_twice(struct uf *u)
{
	static const struct uf_rr two[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.10" },
		{ DNS_T_A, NULL, 300, "192.0.2.11" },
	};
	struct scene s;
	struct uf_side web2;

	scene_init(&s, u);
	ask(&s);
	query(&s);
	answer(&s, 0, two, 2);
	uf_syn(u, &s.out, &s.web);
	uf_wait(u, -UF_FRAME_GAP_NS);
	uf_syn(u, &s.out, &s.web);
	uf_wait(u, 1500 * UF_MS);
	uf_side_init(&web2, "192.0.2.11", 80, 9500);
	s.out.port = 50001;
	uf_syn(u, &s.out, &web2);
	uf_rst(u, &web2, &s.out);
	gateway_answers(&s, 502);
}

/* The server accepts the gateway's connection and closes it at once;
 * the gateway connects again and relays the request there: 503. */
static void
closed_then_reconnect(struct uf *u)
{
	struct scene s;

	scene_init(&s, u);
	ask(&s);
	resolve(&s);
	uf_handshake(u, &s.out, &s.web);
	uf_fin(u, &s.web, &s.out);
	uf_fin(u, &s.out, &s.web);
	s.out.port = 50001;
	upstream_get(&s);
	uf_status(u, &s.web, &s.out, 503);
	gateway_answers(&s, 503);
}

/*
 * Request 1's look-up is captured 0.5 ms before the request itself (the
 * clock skew between the interfaces of an `-i any` capture): NXDOMAIN.
 * Requests 2 and 3 for the same host come 30 s and 60 s later, each
 * with a look-up of its own from another socket: NXDOMAIN, SERVFAIL.
 * Each request has its own look-up.
 */
static void
skewed_lookup(struct uf *u)
{
	static const uint8_t rcode[3] = { 3, 3, 2 };
	struct scene s;
	struct uf_side cli[3], gw[3], out[3], res;

	scene_init(&s, u);
	clients_connect(&s, 3, cli, gw, out);
	res = s.res;
	for (int k = 0; k < 3; k++) {
		int64_t at = T0 + 100 * UF_MS + k * 30 * UF_S;

		res.port = (uint16_t)(33000 + k);
		uf_at(u, at - 500 * 1000LL);
		if (k == 0)
			uf_dns_query(u, &res, &s.dns, 0x900, HOST, DNS_T_A);
		uf_at(u, at);
		uf_get(u, &cli[k], &gw[k], URL, HOST);
		if (k > 0)
			uf_dns_query(u, &res, &s.dns, (uint16_t)(0x900 + k),
			    HOST, DNS_T_A);
		uf_dns_answer(u, &s.dns, &res, (uint16_t)(0x900 + k), HOST,
		    DNS_T_A, rcode[k], NULL, 0);
		uf_status(u, &gw[k], &cli[k], 502);
	}
}

/*
 * The gateway's cache holds 40 names (each looked up, an address with a
 * TTL of 300 s) when a request for HOST gets NXDOMAIN and a 502; a last
 * look-up 1 s later. Retiring that request keeps the 40 cached answers
 * for the requests to come, one per name.
 */
static void
many_names(struct uf *u)
{
	static const struct uf_rr addr[] = {
		{ DNS_T_A, NULL, 300, "192.0.2.30" },
	};
	struct scene s;
	char name[32];

	scene_init(&s, u);
	for (uint16_t k = 0; k < 40; k++) {
		snprintf(name, sizeof name, "h%u.test", (unsigned)k);
		uf_dns_query(u, &s.res, &s.dns, (uint16_t)(0x1000 + k), name,
		    DNS_T_A);
		uf_dns_answer(u, &s.dns, &s.res, (uint16_t)(0x1000 + k), name,
		    DNS_T_A, 0, addr, 1);
	}
	ask(&s);
	query(&s);
	answer(&s, 3, NULL, 0);
	gateway_answers(&s, 502);
	uf_wait(u, UF_S);
	uf_dns_query(u, &s.res, &s.dns, 0x2000, "last.test", DNS_T_A);
}

#define STORY(fn) { #fn, fn }

static const struct {
	const char *name;
	scene_fn fn;
} scenes[] = {
	STORY(nxdomain_cached), STORY(dns_errors), STORY(dns_silent),
	STORY(dns_in_flight), STORY(syn_silent), STORY(refused),
	STORY(icmp_rejects), STORY(invalid_replies), STORY(timed_out),
	STORY(closed), STORY(relayed_and_ok), STORY(unexplained),
	STORY(clients_give_up), STORY(address_cached),
	STORY(pooled_and_race), STORY(two_addresses),
	STORY(every_address_refuses), STORY(ambiguous), STORY(pipelined),
	STORY(tunnel_closed), STORY(syn_flood), STORY(syn_seen_twice),
	STORY(closed_then_reconnect), STORY(skewed_lookup), STORY(many_names),
};

/* The stories, in the order of scenes[]. */
static const char *const stories[] = {
	/* nxdomain_cached */
	"requests 3 errors 3 host-not-resolvable=2 unknown=1\n"
	"txn 1 GET http://www.test/ status 502 error label \"HOST NOT RESOLVABLE\"\n"
	" host-not-resolvable/dns-nxdomain dns=time conn=none port=80\n"
	" summary: DNS server 10.0.0.53 answered NXDOMAIN for www.test (no such name)\n"
	" elapsed=3000000 range=#3-#6 frames 3 4 5 6\n"
	" syns\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #6 Gateway>Client bad listed at=10005000000 rel=+0.003 s delay=0.003 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NXDOMAIN\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway bad listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NXDOMAIN\n"
	"   [NXDOMAIN] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 3 NXDOMAIN, rtt 1.0 ms|\n"
	"txn 2 GET http://www.test/ status 502 error label \"HOST NOT RESOLVABLE\"\n"
	" host-not-resolvable/dns-nxdomain dns=cache conn=none port=80\n"
	" summary: DNS server 10.0.0.53 answered NXDOMAIN for www.test (no such name); NXDOMAIN cached since frame 5 (10.0 s before the request)\n"
	" elapsed=1000000 range=#9-#10 frames 4 5 9 10\n"
	" syns\n"
	" cols client=10.0.0.6 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #9 Client>Gateway listed at=20004000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.6:40001 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #10 Gateway>Client bad listed at=20005000000 rel=+0.001 s delay=0.001 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.6:40001|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=-10.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NXDOMAIN\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway bad listed at=10004000000 rel=-10.000 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NXDOMAIN\n"
	"   [NXDOMAIN] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 3 NXDOMAIN, rtt 1.0 ms|\n"
	"  dns-cache #0 DNS>Gateway reply=#5 text=from the gateway's DNS cache: answered at frame 5, 10.0 s before the request (TTL 30)\n"
	"txn 3 GET http://www.test/ status 502 error label \"UNKNOWN\"\n"
	" unknown/no-upstream-evidence dns=none conn=none port=80\n"
	" summary: no DNS or upstream traffic for www.test was captured\n"
	" elapsed=1000000 range=#13-#14 frames 13 14\n"
	" syns\n"
	" cols client=10.0.0.7 gateway=10.0.0.1\n"
	"  request #13 Client>Gateway listed at=50004000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.7:40002 -> 10.0.0.1:9090|Client request (transaction 3):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #14 Gateway>Client bad listed at=50005000000 rel=+0.001 s delay=0.001 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.7:40002|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n",
	/* dns_errors */
	"requests 4 errors 4 host-not-resolvable=3 unknown=1\n"
	"txn 1 GET http://www.test/ status 502 error label \"HOST NOT RESOLVABLE\"\n"
	" host-not-resolvable/dns-error dns=time conn=none port=80\n"
	" summary: DNS server 10.0.0.53 answered SERVFAIL for www.test (the look-up failed)\n"
	" elapsed=3000000 range=#3-#6 frames 3 4 5 6\n"
	" syns\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #6 Gateway>Client bad listed at=10005000000 rel=+0.003 s delay=0.003 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=SERVFAIL\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway bad listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=SERVFAIL\n"
	"   [SERVFAIL] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 2 SERVFAIL, rtt 1.0 ms|\n"
	"txn 2 GET http://www.test/ status 502 error label \"HOST NOT RESOLVABLE\"\n"
	" host-not-resolvable/dns-error dns=time conn=none port=80\n"
	" summary: DNS server 10.0.0.53 answered REFUSED for www.test (the look-up failed)\n"
	" elapsed=6000000 range=#9-#12 frames 9 10 11 12\n"
	" syns\n"
	" cols client=10.0.0.6 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #9 Client>Gateway listed at=20004000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.6:40001 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #12 Gateway>Client bad listed at=20010000000 rel=+0.006 s delay=0.006 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.6:40001|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #10 Gateway>DNS listed reply=#11 at=20005000000 rel=+0.001 s delay=4.0 ms peer=10.0.0.53 kind=A name=www.test text=REFUSED\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0102 over UDP|\n"
	"  dns-answer #11 DNS>Gateway bad listed at=20009000000 rel=+0.005 s delay=4.0 ms peer=10.0.0.53 kind=A name=www.test text=REFUSED\n"
	"   [REFUSED] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0102, RCODE 5 REFUSED, rtt 4.0 ms|\n"
	"txn 3 GET http://www.test/ status 503 error label \"HOST NOT RESOLVABLE\"\n"
	" host-not-resolvable/dns-error dns=time conn=none port=80\n"
	" summary: DNS answered www.test without any address\n"
	" elapsed=3000000 range=#15-#18 frames 15 16 17 18\n"
	" syns\n"
	" cols client=10.0.0.7 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #15 Client>Gateway listed at=30004000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.7:40002 -> 10.0.0.1:9090|Client request (transaction 3):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #18 Gateway>Client bad listed at=30007000000 rel=+0.003 s delay=0.003 s text=HTTP/1.1 503 Service Unavailable\n"
	"   [HTTP/1.1 503 Service Unavailable] 10.0.0.1:9090 -> 10.0.0.7:40002|Gateway's answer to the client:|HTTP/1.1 503 Service Unavailable|\n"
	"  dns-query #16 Gateway>DNS listed reply=#17 at=30005000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0103 over UDP|\n"
	"  dns-answer #17 DNS>Gateway bad listed at=30006000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test\n"
	"   [CNAME edge.test] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0103, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|\n"
	"txn 4 GET http://www.test/ status 502 error label \"UNKNOWN\"\n"
	" unknown/no-upstream-evidence dns=none conn=none port=80\n"
	" summary: no DNS or upstream traffic for www.test was captured\n"
	" elapsed=1000000 range=#21-#22 frames 21 22\n"
	" syns\n"
	" cols client=10.0.0.8 gateway=10.0.0.1\n"
	"  request #21 Client>Gateway listed at=32004000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.8:40003 -> 10.0.0.1:9090|Client request (transaction 4):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #22 Gateway>Client bad listed at=32005000000 rel=+0.001 s delay=0.001 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.8:40003|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n",
	/* dns_silent */
	"requests 1 errors 1 host-not-resolvable=1\n"
	"txn 1 GET http://www.test/ status 502 error label \"HOST NOT RESOLVABLE\"\n"
	" host-not-resolvable/dns-no-response dns=time conn=none port=80\n"
	" summary: 3 DNS queries for www.test to 10.0.0.53 got no answer in 5.0 s\n"
	" elapsed=5000000000 range=#3-#7 frames 3 4 5 6 7\n"
	" syns\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #7 Gateway>Client bad listed at=15002000000 rel=+5.000 s delay=5.000 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS bad listed at=10004000000 rel=+0.002 s peer=10.0.0.53 kind=A name=www.test text=no answer\n"
	"   [DNS A? www.test (no answer)] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-query #5 Gateway>DNS bad listed at=11004000000 rel=+1.002 s peer=10.0.0.53 kind=A name=www.test text=no answer\n"
	"   [DNS A? www.test (no answer)] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0102 over UDP|\n"
	"  dns-query #6 Gateway>DNS bad listed at=12004000000 rel=+2.002 s peer=10.0.0.53 kind=A name=www.test text=no answer\n"
	"   [DNS A? www.test (no answer)] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0103 over UDP|\n",
	/* dns_in_flight */
	"requests 2 errors 2 host-not-resolvable=2\n"
	"txn 1 GET http://www.test/ status 502 error label \"HOST NOT RESOLVABLE\"\n"
	" host-not-resolvable/dns-nxdomain dns=time conn=none port=80\n"
	" summary: DNS server 10.0.0.53 answered NXDOMAIN for www.test (no such name)\n"
	" elapsed=3521000000 range=#3-#10 frames 3 4 5 9 10\n"
	" syns\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #10 Gateway>Client bad listed at=13523000000 rel=+3.521 s delay=3.521 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#9 at=10003000000 rel=+0.001 s delay=3499.0 ms peer=10.0.0.53 kind=A name=www.test text=NXDOMAIN\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #9 DNS>Gateway bad listed at=13502000000 rel=+3.500 s delay=3499.0 ms peer=10.0.0.53 kind=A name=www.test text=NXDOMAIN\n"
	"   [NXDOMAIN] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 3 NXDOMAIN, rtt 3499.0 ms|\n"
	"  dns-query #5 Gateway>DNS listed at=10004000000 rel=+0.002 s peer=10.0.0.53 kind=AAAA name=www.test text=no answer\n"
	"   [DNS AAAA? www.test (no answer)] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0300 over UDP|\n"
	"txn 2 GET http://www.test/ status 502 error label \"HOST NOT RESOLVABLE\"\n"
	" host-not-resolvable/dns-nxdomain dns=time conn=none shared port=80\n"
	" summary: DNS server 10.0.0.53 answered NXDOMAIN for www.test (no such name)\n"
	" elapsed=1520000000 range=#8-#11 frames 4 5 8 9 11\n"
	" syns\n"
	" cols client=10.0.0.6 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #8 Client>Gateway listed at=12004000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.6:40001 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #11 Gateway>Client bad listed at=13524000000 rel=+1.520 s delay=1.520 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.6:40001|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#9 at=10003000000 rel=-2.001 s delay=3499.0 ms peer=10.0.0.53 kind=A name=www.test text=NXDOMAIN\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #9 DNS>Gateway bad listed at=13502000000 rel=+1.498 s delay=3499.0 ms peer=10.0.0.53 kind=A name=www.test text=NXDOMAIN\n"
	"   [NXDOMAIN] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 3 NXDOMAIN, rtt 3499.0 ms|\n"
	"  dns-query #5 Gateway>DNS listed at=10004000000 rel=-2.000 s peer=10.0.0.53 kind=AAAA name=www.test text=no answer\n"
	"   [DNS AAAA? www.test (no answer)] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0300 over UDP|\n",
	/* syn_silent */
	"requests 1 errors 1 cannot-connect=1\n"
	"txn 1 GET http://www.test/ status 502 error label \"CANNOT CONNECT\"\n"
	" cannot-connect/syn-unanswered dns=time conn=address port=80\n"
	" summary: 3 SYNs to 192.0.2.10 port 80 got no answer over 3.0 s\n"
	" elapsed=7003250000 range=#3-#9 frames 3 4 5 6 7 8 9\n"
	" syns #6 #7 #8\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #9 Gateway>Client bad listed at=17005250000 rel=+7.003 s delay=7.003 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005250000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  syn #7 Gateway>Upstream bad listed seq=2 at=11005250000 rel=+1.003 s offset=+1.000 s interval=+1.000 s peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 2, +1.000 s after the previous SYN|\n"
	"  syn #8 Gateway>Upstream bad listed seq=3 at=13005250000 rel=+3.003 s offset=+3.000 s interval=+2.000 s factor=2.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 3, +2.000 s after the previous SYN, x2.0|\n"
	"  no-reply #0 Upstream>Gateway bad text=no answer to 3 SYNs\n",
	/* refused */
	"requests 2 errors 2 cannot-connect=2\n"
	"txn 1 GET http://www.test/ status 502 error label \"CANNOT CONNECT\"\n"
	" cannot-connect/tcp-rst dns=time conn=address port=80\n"
	" summary: 192.0.2.10 port 80 answered the SYN with RST (connection refused)\n"
	" elapsed=5500000 range=#3-#8 frames 3 4 5 6 7 8\n"
	" syns #6\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #8 Gateway>Client bad listed at=10007500000 rel=+0.006 s delay=0.006 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  rst #7 Upstream>Gateway bad listed at=10006500000 rel=+0.005 s delay=1.5 ms peer=192.0.2.10 text=from the server: connection refused (no SYN/ACK)\n"
	"   [RST] 192.0.2.10:80 -> 10.0.0.1:50000|\n"
	"txn 2 GET http://www.test/ status 502 error label \"CANNOT CONNECT\"\n"
	" cannot-connect/syn-unanswered dns=cache conn=cache port=80\n"
	" summary: 2 SYNs to 192.0.2.10 port 80 got no answer over 1.0 s\n"
	" elapsed=3004000000 range=#11-#15 frames 4 5 11 12 13 15\n"
	" syns #12 #13\n"
	" cols client=10.0.0.6 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #11 Client>Gateway listed at=30004000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.6:40001 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #15 Gateway>Client bad listed at=33008000000 rel=+3.004 s delay=3.004 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.6:40001|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=-20.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=-20.000 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  dns-cache #0 DNS>Gateway reply=#5 text=from the gateway's DNS cache: answered at frame 5, 20.0 s before the request (TTL 60)\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50001\n"
	"  syn #12 Gateway>Upstream listed seq=1 at=30005000000 rel=+0.001 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50001 -> 192.0.2.10:80|\n"
	"  syn #13 Gateway>Upstream bad listed seq=2 at=31006000000 rel=+1.002 s offset=+1.001 s interval=+1.001 s peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50001 -> 192.0.2.10:80|Attempt 2, +1.001 s after the previous SYN|\n"
	"  rst-gateway #14 Gateway>Upstream at=33007000000 rel=+3.003 s delay=2001.0 ms peer=10.0.0.1 text=sent by the gateway (no SYN/ACK)\n"
	"   [RST] 10.0.0.1:50001 -> 192.0.2.10:80|\n"
	"  no-reply #0 Upstream>Gateway bad text=no answer to 2 SYNs\n",
	/* icmp_rejects */
	"requests 2 errors 2 cannot-connect=2\n"
	"txn 1 GET http://www.test/ status 502 error label \"CANNOT CONNECT\"\n"
	" cannot-connect/icmp-unreachable dns=time conn=address port=80\n"
	" summary: 10.0.0.254 answered the SYN to 192.0.2.10:80 with ICMP Communication administratively filtered\n"
	" elapsed=7000000 range=#3-#8 frames 3 4 5 6 7 8\n"
	" syns #6\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #8 Gateway>Client bad listed at=10009000000 rel=+0.007 s delay=0.007 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  icmp #7 Upstream>Gateway bad listed icmp=3/13 at=10008000000 rel=+0.006 s delay=3.0 ms peer=10.0.0.254 kind=ICMP text=Communication administratively filtered\n"
	"   [ICMP 3/13] ICMP from 10.0.0.254: Communication administratively filtered|quotes the SYN 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"txn 2 GET http://[2001:db8::10]:8080/x status 502 error label \"CANNOT CONNECT\"\n"
	" cannot-connect/icmp-unreachable dns=none conn=address port=8080\n"
	" summary: 2001:db8::fe answered the SYN to [2001:db8::10]:8080 with ICMP Communication with destination administratively prohibited\n"
	" elapsed=1005000000 range=#11-#16 frames 11 12 13 14 15 16\n"
	" syns #12 #14\n"
	" cols client=10.0.0.6 gateway=10.0.0.1 upstream=2001:db8::10\n"
	"  request #11 Client>Gateway listed at=40004000000 rel=+0.000 s text=GET http://[2001:db8::10]:8080/x\n"
	"   [GET http://[2001:db8::10]:8080/x] 10.0.0.6:40001 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://[2001:db8::10]:8080/x HTTP/1.1|\n"
	"  answer #16 Gateway>Client bad listed at=41009000000 rel=+1.005 s delay=1.005 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.6:40001|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=[2001:db8::10]:8080 text=[2001:db8::10]:8080 from 2001:db8::1 port 50001\n"
	"  syn #12 Gateway>Upstream listed seq=1 at=40005000000 rel=+0.001 s offset=+0.000 s peer=[2001:db8::10]:8080\n"
	"   [SYN] [2001:db8::1]:50001 -> [2001:db8::10]:8080|\n"
	"  syn #14 Gateway>Upstream listed seq=2 at=41007000000 rel=+1.003 s offset=+1.002 s interval=+1.002 s peer=[2001:db8::10]:8080\n"
	"   [SYN retransmission] [2001:db8::1]:50001 -> [2001:db8::10]:8080|Attempt 2, +1.002 s after the previous SYN|\n"
	"  icmp #13 Upstream>Gateway bad listed icmp=1/1 at=40006000000 rel=+0.002 s delay=1.0 ms peer=2001:db8::fe kind=ICMPv6 text=Communication with destination administratively prohibited\n"
	"   [ICMPv6 1/1] ICMPv6 from 2001:db8::fe: Communication with destination administratively prohibited|quotes the SYN [2001:db8::1]:50001 -> [2001:db8::10]:8080|\n"
	"  icmp #15 Upstream>Gateway bad listed icmp=1/1 at=41008000000 rel=+1.004 s delay=1.0 ms peer=2001:db8::fe kind=ICMPv6 text=Communication with destination administratively prohibited\n"
	"   [ICMPv6 1/1] ICMPv6 from 2001:db8::fe: Communication with destination administratively prohibited|quotes the SYN [2001:db8::1]:50001 -> [2001:db8::10]:8080|\n",
	/* invalid_replies */
	"requests 3 errors 3 bad-response=3\n"
	"txn 1 GET http://www.test/ status 502 error label \"BAD RESPONSE\"\n"
	" bad-response/http-invalid-response dns=address conn=request-line port=80\n"
	" summary: 192.0.2.10:80 replied without a valid HTTP status line (no status line): \"<html>no status line</html>\"\n"
	" elapsed=7000000 range=#3-#10 frames 3 4 5 6 7 8 9 10\n"
	" syns #6\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #10 Gateway>Client bad listed at=10009000000 rel=+0.007 s delay=0.007 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  synack #7 Upstream>Gateway listed at=10006000000 rel=+0.004 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50000|\n"
	"  up-request #8 Gateway>Upstream listed at=10007000000 rel=+0.005 s text=GET / HTTP/1.1\n"
	"   [GET /] Upstream request:|GET / HTTP/1.1|\n"
	"  up-reply #9 Upstream>Gateway bad listed at=10008000000 rel=+0.006 s name=not valid HTTP: no status line text=<html>no status line</html>\n"
	"   [<html>no status line</html>] Upstream reply, not valid HTTP: no status line:|<html>no status line</html>|\n"
	"txn 2 GET http://www.test/ status 502 error label \"BAD RESPONSE\"\n"
	" bad-response/http-invalid-response dns=cache conn=request-line port=80\n"
	" summary: 192.0.2.10:80 replied with an invalid header line (malformed header line): \"Bad Header Line\"\n"
	" elapsed=5000000 range=#13-#18 frames 4 5 13 14 15 16 17 18\n"
	" syns #14\n"
	" cols client=10.0.0.6 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #13 Client>Gateway listed at=20004000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.6:40001 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #18 Gateway>Client bad listed at=20009000000 rel=+0.005 s delay=0.005 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.6:40001|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=-10.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=-10.000 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  dns-cache #0 DNS>Gateway reply=#5 text=from the gateway's DNS cache: answered at frame 5, 10.0 s before the request (TTL 60)\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50001\n"
	"  syn #14 Gateway>Upstream listed seq=1 at=20005000000 rel=+0.001 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50001 -> 192.0.2.10:80|\n"
	"  synack #15 Upstream>Gateway listed at=20006000000 rel=+0.002 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50001|\n"
	"  up-request #16 Gateway>Upstream listed at=20007000000 rel=+0.003 s text=GET / HTTP/1.1\n"
	"   [GET /] Upstream request:|GET / HTTP/1.1|\n"
	"  up-reply #17 Upstream>Gateway bad listed at=20008000000 rel=+0.004 s name=not valid HTTP: malformed header line: \"Bad Header Line\" text=HTTP/1.1 200 OK\n"
	"   [HTTP/1.1 200 OK] Upstream reply, not valid HTTP: malformed header line:|HTTP/1.1 200 OK|\n"
	"txn 3 GET http://www.test/ status 200 error label \"BAD RESPONSE\"\n"
	" bad-response/http-invalid-response dns=cache conn=request-line masked port=80\n"
	" summary: 192.0.2.10:80 replied without a valid HTTP status line (no status line): \"ICY 200 OK\"; the gateway passed it on as 200\n"
	" elapsed=5000000 range=#21-#26 frames 4 5 21 22 23 24 25 26\n"
	" syns #22\n"
	" cols client=10.0.0.7 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #21 Client>Gateway listed at=30004000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.7:40002 -> 10.0.0.1:9090|Client request (transaction 3):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #26 Gateway>Client bad listed at=30009000000 rel=+0.005 s delay=0.005 s text=HTTP/1.1 200 OK\n"
	"   [HTTP/1.1 200 OK] 10.0.0.1:9090 -> 10.0.0.7:40002|Gateway's answer to the client:|HTTP/1.1 200 OK|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=-20.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=-20.000 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  dns-cache #0 DNS>Gateway reply=#5 text=from the gateway's DNS cache: answered at frame 5, 20.0 s before the request (TTL 60)\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50002\n"
	"  syn #22 Gateway>Upstream listed seq=1 at=30005000000 rel=+0.001 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50002 -> 192.0.2.10:80|\n"
	"  synack #23 Upstream>Gateway listed at=30006000000 rel=+0.002 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50002|\n"
	"  up-request #24 Gateway>Upstream listed at=30007000000 rel=+0.003 s text=GET / HTTP/1.1\n"
	"   [GET /] Upstream request:|GET / HTTP/1.1|\n"
	"  up-reply #25 Upstream>Gateway bad listed at=30008000000 rel=+0.004 s name=not valid HTTP: no status line text=ICY 200 OK\n"
	"   [ICY 200 OK] Upstream reply, not valid HTTP: no status line:|ICY 200 OK|\n",
	/* timed_out */
	"requests 1 errors 1 bad-response=1\n"
	"txn 1 GET http://www.test/ status 504 error label \"BAD RESPONSE\"\n"
	" bad-response/upstream-timeout dns=address conn=request-line port=80\n"
	" summary: 192.0.2.10:80 accepted the request but sent nothing back in 120.0 s\n"
	" elapsed=120002000000 range=#3-#11 frames 3 4 5 6 7 8 10 11\n"
	" syns #6\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #11 Gateway>Client bad listed at=130004000000 rel=+120.002 s delay=120.002 s text=HTTP/1.1 504 Gateway Timeout\n"
	"   [HTTP/1.1 504 Gateway Timeout] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 504 Gateway Timeout|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  synack #7 Upstream>Gateway listed at=10006000000 rel=+0.004 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50000|\n"
	"  up-request #8 Gateway>Upstream listed at=10007000000 rel=+0.005 s text=GET / HTTP/1.1\n"
	"   [GET /] Upstream request:|GET / HTTP/1.1|\n"
	"  up-reply #0 Upstream>Gateway bad\n"
	"  fin-gateway #9 Gateway>Upstream at=130002000000 rel=+120.000 s text=the gateway closed the connection first\n"
	"   [FIN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  fin-upstream #10 Upstream>Gateway listed at=130003000000 rel=+120.001 s text=upstream closed after the gateway\n"
	"   [FIN] 192.0.2.10:80 -> 10.0.0.1:50000|\n",
	/* closed */
	"requests 2 errors 2 bad-response=2\n"
	"txn 1 GET http://www.test/ status 502 error label \"BAD RESPONSE\"\n"
	" bad-response/upstream-closed dns=address conn=request-line port=80\n"
	" summary: 192.0.2.10:80 closed the connection without sending a byte\n"
	" elapsed=12000000 range=#3-#11 frames 3 4 5 6 7 8 9 11\n"
	" syns #6\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #11 Gateway>Client bad listed at=10014000000 rel=+0.012 s delay=0.012 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  synack #7 Upstream>Gateway listed at=10006000000 rel=+0.004 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50000|\n"
	"  up-request #8 Gateway>Upstream listed at=10007000000 rel=+0.005 s text=GET / HTTP/1.1\n"
	"   [GET /] Upstream request:|GET / HTTP/1.1|\n"
	"  up-reply #0 Upstream>Gateway bad\n"
	"  fin-upstream #9 Upstream>Gateway bad listed at=10012000000 rel=+0.010 s text=upstream closed without a reply\n"
	"   [FIN] 192.0.2.10:80 -> 10.0.0.1:50000|\n"
	"  fin-gateway #10 Gateway>Upstream at=10013000000 rel=+0.011 s text=the gateway closed its side after\n"
	"   [FIN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"txn 2 GET http://www.test/ status 502 error label \"BAD RESPONSE\"\n"
	" bad-response/upstream-closed dns=cache conn=request-line port=80\n"
	" summary: 192.0.2.10:80 closed the connection without sending a byte\n"
	" elapsed=5000000 range=#14-#19 frames 4 5 14 15 16 17 18 19\n"
	" syns #15\n"
	" cols client=10.0.0.6 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #14 Client>Gateway listed at=20004000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.6:40001 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #19 Gateway>Client bad listed at=20009000000 rel=+0.005 s delay=0.005 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.6:40001|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=-10.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=-10.000 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  dns-cache #0 DNS>Gateway reply=#5 text=from the gateway's DNS cache: answered at frame 5, 10.0 s before the request (TTL 60)\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50001\n"
	"  syn #15 Gateway>Upstream listed seq=1 at=20005000000 rel=+0.001 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50001 -> 192.0.2.10:80|\n"
	"  synack #16 Upstream>Gateway listed at=20006000000 rel=+0.002 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50001|\n"
	"  rst #18 Upstream>Gateway bad listed at=20008000000 rel=+0.004 s delay=3.0 ms peer=192.0.2.10 text=from the server: connection reset\n"
	"   [RST] 192.0.2.10:80 -> 10.0.0.1:50001|\n"
	"  up-request #17 Gateway>Upstream listed at=20007000000 rel=+0.003 s text=GET / HTTP/1.1\n"
	"   [GET /] Upstream request:|GET / HTTP/1.1|\n"
	"  up-reply #0 Upstream>Gateway bad\n",
	/* relayed_and_ok */
	"requests 3 errors 1 relayed=1\n"
	"txn 1 GET http://www.test/ status 503 error label \"RELAYED\"\n"
	" relayed/upstream-5xx dns=address conn=request-line port=80\n"
	" summary: 192.0.2.10:80 itself answered \"HTTP/1.1 503 Service Unavailable\"; the gateway passed it on\n"
	" elapsed=7000000 range=#3-#10 frames 3 4 5 6 7 8 9 10\n"
	" syns #6\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #10 Gateway>Client bad listed at=10009000000 rel=+0.007 s delay=0.007 s text=HTTP/1.1 503 Service Unavailable\n"
	"   [HTTP/1.1 503 Service Unavailable] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 503 Service Unavailable|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  synack #7 Upstream>Gateway listed at=10006000000 rel=+0.004 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50000|\n"
	"  up-request #8 Gateway>Upstream listed at=10007000000 rel=+0.005 s text=GET / HTTP/1.1\n"
	"   [GET /] Upstream request:|GET / HTTP/1.1|\n"
	"  up-reply #9 Upstream>Gateway bad listed at=10008000000 rel=+0.006 s text=HTTP/1.1 503 Service Unavailable\n"
	"   [HTTP/1.1 503 Service Unavailable] Upstream reply:|HTTP/1.1 503 Service Unavailable|\n"
	"txn 2 GET http://www.test/ status 200 label \"OK\"\n"
	" ok/none dns=cache conn=request-line port=80\n"
	" summary: the gateway answered 200\n"
	" elapsed=5000000 range=#13-#18 frames 4 5 13 14 15 16 17 18\n"
	" syns #14\n"
	" cols client=10.0.0.6 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #13 Client>Gateway listed at=20004000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.6:40001 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #18 Gateway>Client listed at=20009000000 rel=+0.005 s delay=0.005 s text=HTTP/1.1 200 OK\n"
	"   [HTTP/1.1 200 OK] 10.0.0.1:9090 -> 10.0.0.6:40001|Gateway's answer to the client:|HTTP/1.1 200 OK|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=-10.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=-10.000 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  dns-cache #0 DNS>Gateway reply=#5 text=from the gateway's DNS cache: answered at frame 5, 10.0 s before the request (TTL 60)\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50001\n"
	"  syn #14 Gateway>Upstream listed seq=1 at=20005000000 rel=+0.001 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50001 -> 192.0.2.10:80|\n"
	"  synack #15 Upstream>Gateway listed at=20006000000 rel=+0.002 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50001|\n"
	"  up-request #16 Gateway>Upstream listed at=20007000000 rel=+0.003 s text=GET / HTTP/1.1\n"
	"   [GET /] Upstream request:|GET / HTTP/1.1|\n"
	"  up-reply #17 Upstream>Gateway listed at=20008000000 rel=+0.004 s text=HTTP/1.1 200 OK\n"
	"   [HTTP/1.1 200 OK] Upstream reply:|HTTP/1.1 200 OK|\n"
	"txn 3 GET http://www.test/ status 404 label \"CLIENT ERROR\"\n"
	" ok/none dns=cache conn=request-line port=80\n"
	" summary: the gateway answered 404\n"
	" elapsed=5000000 range=#21-#26 frames 4 5 21 22 23 24 25 26\n"
	" syns #22\n"
	" cols client=10.0.0.7 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #21 Client>Gateway listed at=30004000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.7:40002 -> 10.0.0.1:9090|Client request (transaction 3):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #26 Gateway>Client listed at=30009000000 rel=+0.005 s delay=0.005 s text=HTTP/1.1 404 Other\n"
	"   [HTTP/1.1 404 Other] 10.0.0.1:9090 -> 10.0.0.7:40002|Gateway's answer to the client:|HTTP/1.1 404 Other|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=-20.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=-20.000 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  dns-cache #0 DNS>Gateway reply=#5 text=from the gateway's DNS cache: answered at frame 5, 20.0 s before the request (TTL 60)\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50002\n"
	"  syn #22 Gateway>Upstream listed seq=1 at=30005000000 rel=+0.001 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50002 -> 192.0.2.10:80|\n"
	"  synack #23 Upstream>Gateway listed at=30006000000 rel=+0.002 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50002|\n"
	"  up-request #24 Gateway>Upstream listed at=30007000000 rel=+0.003 s text=GET / HTTP/1.1\n"
	"   [GET /] Upstream request:|GET / HTTP/1.1|\n"
	"  up-reply #25 Upstream>Gateway listed at=30008000000 rel=+0.004 s text=HTTP/1.1 404 Other\n"
	"   [HTTP/1.1 404 Other] Upstream reply:|HTTP/1.1 404 Other|\n",
	/* unexplained */
	"requests 3 errors 3 bad-response=1 unknown=2\n"
	"txn 1 GET http://www.test/ status 502 error label \"UNKNOWN\"\n"
	" unknown/no-upstream-evidence dns=none conn=none port=80\n"
	" summary: no DNS or upstream traffic for www.test was captured\n"
	" elapsed=31000000 range=#3-#4 frames 3 4\n"
	" syns\n"
	" cols client=10.0.0.5 gateway=10.0.0.1\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #4 Gateway>Client bad listed at=10033000000 rel=+0.031 s delay=0.031 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"txn 2 GET http://a.test/ status 502 error label \"UNKNOWN\"\n"
	" unknown/no-upstream-evidence dns=time conn=none port=80\n"
	" summary: a.test was resolved, but no connection attempt to its addresses was captured\n"
	" elapsed=11000000 range=#7-#18 frames 7 8 9 18\n"
	" syns\n"
	" cols client=10.0.0.6 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #7 Client>Gateway listed at=20004000000 rel=+0.000 s text=GET http://a.test/\n"
	"   [GET http://a.test/] 10.0.0.6:40001 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://a.test/ HTTP/1.1|\n"
	"  answer #18 Gateway>Client bad listed at=20015000000 rel=+0.011 s delay=0.011 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.6:40001|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #8 Gateway>DNS listed reply=#9 at=20005000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=a.test text=NOERROR answers= 192.0.2.20\n"
	"   [DNS A? a.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0500 over UDP|\n"
	"  dns-answer #9 DNS>Gateway listed at=20006000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=a.test text=NOERROR answers= 192.0.2.20\n"
	"   [A 192.0.2.20] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0500, RCODE 0 NOERROR, rtt 1.0 ms|a.test A 192.0.2.20|\n"
	"txn 3 GET http://b.test/ status 502 error label \"BAD RESPONSE\"\n"
	" bad-response/upstream-timeout dns=time conn=address port=80\n"
	" summary: 192.0.2.10:80 accepted the request but sent nothing back in 0.0 s\n"
	" elapsed=5000000 range=#12-#17 frames 12 13 14 15 16 17\n"
	" syns #15\n"
	" cols client=10.0.0.7 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #12 Client>Gateway listed at=20009000000 rel=+0.000 s text=GET http://b.test/\n"
	"   [GET http://b.test/] 10.0.0.7:40002 -> 10.0.0.1:9090|Client request (transaction 3):|GET http://b.test/ HTTP/1.1|\n"
	"  answer #17 Gateway>Client bad listed at=20014000000 rel=+0.005 s delay=0.005 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.7:40002|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #13 Gateway>DNS listed reply=#14 at=20010000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=b.test text=NOERROR answers= 192.0.2.10\n"
	"   [DNS A? b.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0501 over UDP|\n"
	"  dns-answer #14 DNS>Gateway listed at=20011000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=b.test text=NOERROR answers= 192.0.2.10\n"
	"   [A 192.0.2.10] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0501, RCODE 0 NOERROR, rtt 1.0 ms|b.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50003\n"
	"  syn #15 Gateway>Upstream listed seq=1 at=20012000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50003 -> 192.0.2.10:80|\n"
	"  synack #16 Upstream>Gateway listed at=20013000000 rel=+0.004 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50003|\n",
	/* clients_give_up */
	"requests 2 errors 2 host-not-resolvable=1 cannot-connect=1\n"
	"txn 1 GET http://www.test/ status 0 error label \"HOST NOT RESOLVABLE\"\n"
	" host-not-resolvable/dns-no-response dns=time conn=none port=80\n"
	" summary: 2 DNS queries for www.test to 10.0.0.53 got no answer in 5.0 s\n"
	" elapsed=5000000000 range=#3-#5 frames 3 4 5\n"
	" syns\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #0 Gateway>Client bad delay=5.000 s\n"
	"  dns-query #4 Gateway>DNS bad listed at=10003000000 rel=+0.001 s peer=10.0.0.53 kind=A name=www.test text=no answer\n"
	"   [DNS A? www.test (no answer)] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-query #5 Gateway>DNS bad listed at=12002000000 rel=+2.000 s peer=10.0.0.53 kind=A name=www.test text=no answer\n"
	"   [DNS A? www.test (no answer)] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0102 over UDP|\n"
	"txn 2 GET http://c.test/ status 0 error label \"CANNOT CONNECT\"\n"
	" cannot-connect/syn-unanswered dns=time conn=address port=80\n"
	" summary: 2 SYNs to 192.0.2.10 port 80 got no answer over 1.0 s\n"
	" elapsed=3005000000 range=#10-#14 frames 10 11 12 13 14\n"
	" syns #13 #14\n"
	" cols client=10.0.0.6 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #10 Client>Gateway listed at=30004000000 rel=+0.000 s text=GET http://c.test/\n"
	"   [GET http://c.test/] 10.0.0.6:40001 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://c.test/ HTTP/1.1|\n"
	"  answer #0 Gateway>Client bad delay=3.005 s\n"
	"  dns-query #11 Gateway>DNS listed reply=#12 at=30005000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=c.test text=NOERROR answers= 192.0.2.10\n"
	"   [DNS A? c.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0600 over UDP|\n"
	"  dns-answer #12 DNS>Gateway listed at=30006000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=c.test text=NOERROR answers= 192.0.2.10\n"
	"   [A 192.0.2.10] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0600, RCODE 0 NOERROR, rtt 1.0 ms|c.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50004\n"
	"  syn #13 Gateway>Upstream listed seq=1 at=30007000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50004 -> 192.0.2.10:80|\n"
	"  syn #14 Gateway>Upstream bad listed seq=2 at=31008000000 rel=+1.004 s offset=+1.001 s interval=+1.001 s peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50004 -> 192.0.2.10:80|Attempt 2, +1.001 s after the previous SYN|\n"
	"  no-reply #0 Upstream>Gateway bad text=no answer to 2 SYNs\n",
	/* address_cached */
	"requests 3 errors 2 cannot-connect=1 unknown=1\n"
	"txn 1 GET http://www.test/ status 200 label \"OK\"\n"
	" ok/none dns=address conn=request-line port=80\n"
	" summary: the gateway answered 200\n"
	" elapsed=7000000 range=#3-#10 frames 3 4 5 6 7 8 9 10\n"
	" syns #6\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #10 Gateway>Client listed at=10009000000 rel=+0.007 s delay=0.007 s text=HTTP/1.1 200 OK\n"
	"   [HTTP/1.1 200 OK] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 200 OK|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10\n"
	"   [A 192.0.2.10] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  synack #7 Upstream>Gateway listed at=10006000000 rel=+0.004 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50000|\n"
	"  up-request #8 Gateway>Upstream listed at=10007000000 rel=+0.005 s text=GET / HTTP/1.1\n"
	"   [GET /] Upstream request:|GET / HTTP/1.1|\n"
	"  up-reply #9 Upstream>Gateway listed at=10008000000 rel=+0.006 s text=HTTP/1.1 200 OK\n"
	"   [HTTP/1.1 200 OK] Upstream reply:|HTTP/1.1 200 OK|\n"
	"txn 2 GET http://www.test/ status 502 error label \"CANNOT CONNECT\"\n"
	" cannot-connect/tcp-rst dns=cache conn=cache port=80\n"
	" summary: 192.0.2.10 port 80 answered the SYN with RST (connection refused)\n"
	" elapsed=3000000 range=#13-#16 frames 4 5 13 14 15 16\n"
	" syns #14\n"
	" cols client=10.0.0.6 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #13 Client>Gateway listed at=300004000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.6:40001 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #16 Gateway>Client bad listed at=300007000000 rel=+0.003 s delay=0.003 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.6:40001|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=-290.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=-290.000 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10\n"
	"   [A 192.0.2.10] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test A 192.0.2.10|\n"
	"  dns-cache #0 DNS>Gateway reply=#5 text=from the gateway's DNS cache: answered at frame 5, 290.0 s before the request (TTL 300)\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50001\n"
	"  syn #14 Gateway>Upstream listed seq=1 at=300005000000 rel=+0.001 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50001 -> 192.0.2.10:80|\n"
	"  rst #15 Upstream>Gateway bad listed at=300006000000 rel=+0.002 s delay=1.0 ms peer=192.0.2.10 text=from the server: connection refused (no SYN/ACK)\n"
	"   [RST] 192.0.2.10:80 -> 10.0.0.1:50001|\n"
	"txn 3 GET http://www.test/ status 502 error label \"UNKNOWN\"\n"
	" unknown/no-upstream-evidence dns=none conn=none port=80\n"
	" summary: no DNS or upstream traffic for www.test was captured\n"
	" elapsed=3000000 range=#19-#22 frames 19 22\n"
	" syns\n"
	" cols client=10.0.0.7 gateway=10.0.0.1\n"
	"  request #19 Client>Gateway listed at=330004000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.7:40002 -> 10.0.0.1:9090|Client request (transaction 3):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #22 Gateway>Client bad listed at=330007000000 rel=+0.003 s delay=0.003 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.7:40002|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n",
	/* pooled_and_race */
	"requests 3 errors 2 bad-response=1 relayed=1\n"
	"txn 1 GET http://www.test/ status 200 label \"OK\"\n"
	" ok/none dns=address conn=request-line port=80\n"
	" summary: the gateway answered 200\n"
	" elapsed=7000000 range=#3-#10 frames 3 4 5 6 7 8 9 10\n"
	" syns #6\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #10 Gateway>Client listed at=10009000000 rel=+0.007 s delay=0.007 s text=HTTP/1.1 200 OK\n"
	"   [HTTP/1.1 200 OK] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 200 OK|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10\n"
	"   [A 192.0.2.10] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  synack #7 Upstream>Gateway listed at=10006000000 rel=+0.004 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50000|\n"
	"  up-request #8 Gateway>Upstream listed at=10007000000 rel=+0.005 s text=GET / HTTP/1.1\n"
	"   [GET /] Upstream request:|GET / HTTP/1.1|\n"
	"  up-reply #9 Upstream>Gateway listed at=10008000000 rel=+0.006 s text=HTTP/1.1 200 OK\n"
	"   [HTTP/1.1 200 OK] Upstream reply:|HTTP/1.1 200 OK|\n"
	"txn 2 GET http://www.test/b status 503 error label \"RELAYED\"\n"
	" relayed/upstream-5xx dns=cache conn=request-line port=80\n"
	" summary: 192.0.2.10:80 itself answered \"HTTP/1.1 503 Service Unavailable\"; the gateway passed it on\n"
	" elapsed=3000000 range=#13-#16 frames 4 5 6 7 13 14 15 16\n"
	" syns #6\n"
	" cols client=10.0.0.6 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #13 Client>Gateway listed at=12004000000 rel=+0.000 s text=GET http://www.test/b\n"
	"   [GET http://www.test/b] 10.0.0.6:40001 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://www.test/b HTTP/1.1|\n"
	"  answer #16 Gateway>Client bad listed at=12007000000 rel=+0.003 s delay=0.003 s text=HTTP/1.1 503 Service Unavailable\n"
	"   [HTTP/1.1 503 Service Unavailable] 10.0.0.1:9090 -> 10.0.0.6:40001|Gateway's answer to the client:|HTTP/1.1 503 Service Unavailable|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=-2.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=-2.000 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10\n"
	"   [A 192.0.2.10] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test A 192.0.2.10|\n"
	"  dns-cache #0 DNS>Gateway reply=#5 text=from the gateway's DNS cache: answered at frame 5, 2.0 s before the request (TTL 300)\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=-1.999 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  synack #7 Upstream>Gateway listed at=10006000000 rel=-1.998 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50000|\n"
	"  up-request #14 Gateway>Upstream listed at=12005000000 rel=+0.001 s text=GET /b HTTP/1.1\n"
	"   [GET /b] Upstream request:|GET /b HTTP/1.1|\n"
	"  up-reply #15 Upstream>Gateway bad listed at=12006000000 rel=+0.002 s text=HTTP/1.1 503 Service Unavailable\n"
	"   [HTTP/1.1 503 Service Unavailable] Upstream reply:|HTTP/1.1 503 Service Unavailable|\n"
	"txn 3 GET http://www.test/c status 502 error label \"BAD RESPONSE\"\n"
	" bad-response/upstream-closed dns=cache conn=request-line port=80\n"
	" summary: 192.0.2.10:80 closed the connection without sending a byte\n"
	" elapsed=3000000 range=#19-#22 frames 4 5 6 7 19 20 21 22\n"
	" syns #6\n"
	" cols client=10.0.0.7 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #19 Client>Gateway listed at=15004000000 rel=+0.000 s text=GET http://www.test/c\n"
	"   [GET http://www.test/c] 10.0.0.7:40002 -> 10.0.0.1:9090|Client request (transaction 3):|GET http://www.test/c HTTP/1.1|\n"
	"  answer #22 Gateway>Client bad listed at=15007000000 rel=+0.003 s delay=0.003 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.7:40002|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=-5.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=-5.000 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10\n"
	"   [A 192.0.2.10] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test A 192.0.2.10|\n"
	"  dns-cache #0 DNS>Gateway reply=#5 text=from the gateway's DNS cache: answered at frame 5, 5.0 s before the request (TTL 300)\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=-4.999 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  synack #7 Upstream>Gateway listed at=10006000000 rel=-4.998 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50000|\n"
	"  up-request #21 Gateway>Upstream listed at=15006000000 rel=+0.002 s text=GET /c HTTP/1.1\n"
	"   [GET /c] Upstream request:|GET /c HTTP/1.1|\n"
	"  up-reply #0 Upstream>Gateway bad\n"
	"  fin-upstream #20 Upstream>Gateway bad listed at=15005000000 rel=+0.001 s text=upstream closed the connection\n"
	"   [FIN] 192.0.2.10:80 -> 10.0.0.1:50000|\n",
	/* two_addresses */
	"requests 1 errors 1 cannot-connect=1\n"
	"txn 1 GET http://www.test/ status 502 error label \"CANNOT CONNECT\"\n"
	" cannot-connect/tcp-rst dns=time conn=address port=80\n"
	" summary: 192.0.2.11 port 80 answered the SYN with RST (connection refused); tried before: 192.0.2.10 port 80 (no answer)\n"
	" elapsed=7005000000 range=#3-#11 frames 3 4 5 6 7 8 9 10 11\n"
	" syns #6 #7 #8 #9\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #11 Gateway>Client bad listed at=17007000000 rel=+7.005 s delay=7.005 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10 192.0.2.11\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10 192.0.2.11\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test A 192.0.2.10|www.test A 192.0.2.11|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  syn #7 Gateway>Upstream listed seq=2 at=11005000000 rel=+1.003 s offset=+1.000 s interval=+1.000 s peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 2, +1.000 s after the previous SYN|\n"
	"  syn #8 Gateway>Upstream listed seq=3 at=13005000000 rel=+3.003 s offset=+3.000 s interval=+2.000 s factor=2.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 3, +2.000 s after the previous SYN, x2.0|\n"
	"  no-reply #0 Upstream>Gateway bad text=no answer to 3 SYNs\n"
	"  connect #0 Gateway>Upstream seq=2 peer=192.0.2.11:80 text=192.0.2.11:80 from 10.0.0.1 port 50001\n"
	"  syn #9 Gateway>Upstream listed seq=1 at=17005000000 rel=+7.003 s offset=+7.000 s peer=192.0.2.11:80\n"
	"   [SYN] 10.0.0.1:50001 -> 192.0.2.11:80|\n"
	"  rst #10 Upstream>Gateway bad listed at=17006000000 rel=+7.004 s delay=1.0 ms peer=192.0.2.11 text=from the server: connection refused (no SYN/ACK)\n"
	"   [RST] 192.0.2.11:80 -> 10.0.0.1:50001|\n",
	/* every_address_refuses */
	"requests 1 errors 1 cannot-connect=1\n"
	"txn 1 GET http://www.test/ status 502 error label \"CANNOT CONNECT\"\n"
	" cannot-connect/tcp-rst dns=time conn=address port=80\n"
	" summary: 192.0.2.11 port 80 answered the SYN with RST (connection refused); tried before: 192.0.2.10 port 80 (RST)\n"
	" elapsed=7000000 range=#3-#10 frames 3 4 5 6 7 8 9 10\n"
	" syns #6 #8\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #10 Gateway>Client bad listed at=10009000000 rel=+0.007 s delay=0.007 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10 192.0.2.11\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10 192.0.2.11\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test A 192.0.2.10|www.test A 192.0.2.11|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  rst #7 Upstream>Gateway bad listed at=10006000000 rel=+0.004 s delay=1.0 ms peer=192.0.2.10 text=from the server: connection refused (no SYN/ACK)\n"
	"   [RST] 192.0.2.10:80 -> 10.0.0.1:50000|\n"
	"  connect #0 Gateway>Upstream seq=2 peer=192.0.2.11:80 text=192.0.2.11:80 from 10.0.0.1 port 50001\n"
	"  syn #8 Gateway>Upstream listed seq=1 at=10007000000 rel=+0.005 s offset=+0.002 s peer=192.0.2.11:80\n"
	"   [SYN] 10.0.0.1:50001 -> 192.0.2.11:80|\n"
	"  rst #9 Upstream>Gateway bad listed at=10008000000 rel=+0.006 s delay=1.0 ms peer=192.0.2.11 text=from the server: connection refused (no SYN/ACK)\n"
	"   [RST] 192.0.2.11:80 -> 10.0.0.1:50001|\n",
	/* ambiguous */
	"requests 2 errors 2 cannot-connect=2\n"
	"txn 1 GET http://www.test/ status 502 error label \"CANNOT CONNECT\"\n"
	" cannot-connect/syn-unanswered dns=cache conn=cache ambiguous rival=2 port=80\n"
	" summary: 1 SYN to 192.0.2.10 port 80 got no answer in 3.0 s\n"
	" elapsed=3000000000 range=#7-#11 frames 1 2 7 9 11\n"
	" syns #9\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #7 Client>Gateway listed at=10016000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #11 Gateway>Client bad listed at=13016000000 rel=+3.000 s delay=3.000 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #1 Gateway>DNS listed reply=#2 at=10000000000 rel=-0.016 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #2 DNS>Gateway listed at=10001000000 rel=-0.015 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10\n"
	"   [A 192.0.2.10] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test A 192.0.2.10|\n"
	"  dns-cache #0 DNS>Gateway reply=#2 text=from the gateway's DNS cache: answered at frame 2, 0.0 s before the request (TTL 300)\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #9 Gateway>Upstream listed seq=1 at=10017100000 rel=+0.001 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  no-reply #0 Upstream>Gateway bad text=no answer to 1 SYN\n"
	"txn 2 GET http://www.test/ status 502 error label \"CANNOT CONNECT\"\n"
	" cannot-connect/syn-unanswered dns=cache conn=cache ambiguous rival=1 port=80\n"
	" summary: 1 SYN to 192.0.2.10 port 80 got no answer in 3.0 s\n"
	" elapsed=3000500000 range=#8-#12 frames 1 2 8 10 12\n"
	" syns #10\n"
	" cols client=10.0.0.6 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #8 Client>Gateway listed at=10016500000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.6:40001 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #12 Gateway>Client bad listed at=13017000000 rel=+3.001 s delay=3.001 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.6:40001|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #1 Gateway>DNS listed reply=#2 at=10000000000 rel=-0.017 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #2 DNS>Gateway listed at=10001000000 rel=-0.016 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10\n"
	"   [A 192.0.2.10] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test A 192.0.2.10|\n"
	"  dns-cache #0 DNS>Gateway reply=#2 text=from the gateway's DNS cache: answered at frame 2, 0.0 s before the request (TTL 300)\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50001\n"
	"  syn #10 Gateway>Upstream listed seq=1 at=10017200000 rel=+0.001 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50001 -> 192.0.2.10:80|\n"
	"  no-reply #0 Upstream>Gateway bad text=no answer to 1 SYN\n",
	/* pipelined */
	"requests 2 errors 2 host-not-resolvable=1 bad-response=1\n"
	"txn 1 GET http://nx.test/a status 502 error label \"HOST NOT RESOLVABLE\"\n"
	" host-not-resolvable/dns-nxdomain dns=time conn=none port=80\n"
	" summary: DNS server 10.0.0.53 answered NXDOMAIN for nx.test (no such name)\n"
	" elapsed=8000000 range=#3-#11 frames 3 4 6 11\n"
	" syns\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://nx.test/a\n"
	"   [GET http://nx.test/a] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://nx.test/a HTTP/1.1|\n"
	"  answer #11 Gateway>Client bad listed at=10010000000 rel=+0.008 s delay=0.008 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#6 at=10003000000 rel=+0.001 s delay=2.0 ms peer=10.0.0.53 kind=A name=nx.test text=NXDOMAIN\n"
	"   [DNS A? nx.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0800 over UDP|\n"
	"  dns-answer #6 DNS>Gateway bad listed at=10005000000 rel=+0.003 s delay=2.0 ms peer=10.0.0.53 kind=A name=nx.test text=NXDOMAIN\n"
	"   [NXDOMAIN] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0800, RCODE 3 NXDOMAIN, rtt 2.0 ms|\n"
	"txn 2 GET http://www.test:8080/b status 504 error label \"BAD RESPONSE\"\n"
	" bad-response/upstream-timeout dns=address conn=request-line port=8080\n"
	" summary: 192.0.2.10:8080 accepted the request but sent nothing back in 120.0 s\n"
	" elapsed=120009000000 range=#3-#12 frames 3 5 7 8 9 10 12\n"
	" syns #8\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test:8080/b\n"
	"   [GET http://www.test:8080/b] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://www.test:8080/b HTTP/1.1|\n"
	"  answer #12 Gateway>Client bad listed at=130011000000 rel=+120.009 s delay=120.009 s text=HTTP/1.1 504 Gateway Timeout\n"
	"   [HTTP/1.1 504 Gateway Timeout] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 504 Gateway Timeout|\n"
	"  dns-query #5 Gateway>DNS listed reply=#7 at=10004000000 rel=+0.002 s delay=2.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0801 over UDP|\n"
	"  dns-answer #7 DNS>Gateway listed at=10006000000 rel=+0.004 s delay=2.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0801, RCODE 0 NOERROR, rtt 2.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:8080 text=192.0.2.10:8080 from 10.0.0.1 port 50000\n"
	"  syn #8 Gateway>Upstream listed seq=1 at=10007000000 rel=+0.005 s offset=+0.000 s peer=192.0.2.10:8080\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:8080|\n"
	"  synack #9 Upstream>Gateway listed at=10008000000 rel=+0.006 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:8080 -> 10.0.0.1:50000|\n"
	"  up-request #10 Gateway>Upstream listed at=10009000000 rel=+0.007 s text=GET /b HTTP/1.1\n"
	"   [GET /b] Upstream request:|GET /b HTTP/1.1|\n"
	"  up-reply #0 Upstream>Gateway bad\n",
	/* tunnel_closed */
	"requests 1 errors 1 bad-response=1\n"
	"txn 1 CONNECT www.test:443 status 502 error label \"BAD RESPONSE\"\n"
	" bad-response/upstream-closed dns=time conn=address port=443\n"
	" summary: 192.0.2.10:443 closed the connection without sending a byte\n"
	" elapsed=7000000 range=#3-#10 frames 3 4 5 6 7 9 10\n"
	" syns #6\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=CONNECT www.test:443\n"
	"   [CONNECT www.test:443] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|CONNECT www.test:443 HTTP/1.1|\n"
	"  answer #10 Gateway>Client bad listed at=10009000000 rel=+0.007 s delay=0.007 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:443 text=192.0.2.10:443 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:443\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:443|\n"
	"  synack #7 Upstream>Gateway listed at=10006000000 rel=+0.004 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:443 -> 10.0.0.1:50000|\n"
	"  fin-upstream #9 Upstream>Gateway bad listed at=10008000000 rel=+0.006 s text=upstream closed without a reply\n"
	"   [FIN] 192.0.2.10:443 -> 10.0.0.1:50000|\n",
	/* syn_flood */
	"requests 1 errors 1 cannot-connect=1\n"
	"txn 1 GET http://www.test/ status 502 error label \"CANNOT CONNECT\"\n"
	" cannot-connect/syn-unanswered dns=time conn=address port=80\n"
	" summary: 20 SYNs to 192.0.2.10 port 80 got no answer over 1.5 s\n"
	" elapsed=2023000000 range=#3-#26 frames 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 26\n"
	" syns #6 #7 #8 #9 #10 #11 #12 #13 #14 #15 #16 #17 #18 #19 #20 #21\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #26 Gateway>Client bad listed at=12025000000 rel=+2.023 s delay=2.023 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  syn #7 Gateway>Upstream bad listed seq=2 at=10106000000 rel=+0.104 s offset=+0.101 s interval=+0.101 s peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 2, +0.101 s after the previous SYN|\n"
	"  syn #8 Gateway>Upstream bad listed seq=3 at=10207000000 rel=+0.205 s offset=+0.202 s interval=+0.101 s factor=1.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 3, +0.101 s after the previous SYN, x1.0|\n"
	"  syn #9 Gateway>Upstream bad listed seq=4 at=10308000000 rel=+0.306 s offset=+0.303 s interval=+0.101 s factor=1.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 4, +0.101 s after the previous SYN, x1.0|\n"
	"  syn #10 Gateway>Upstream bad listed seq=5 at=10409000000 rel=+0.407 s offset=+0.404 s interval=+0.101 s factor=1.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 5, +0.101 s after the previous SYN, x1.0|\n"
	"  syn #11 Gateway>Upstream bad listed seq=6 at=10510000000 rel=+0.508 s offset=+0.505 s interval=+0.101 s factor=1.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 6, +0.101 s after the previous SYN, x1.0|\n"
	"  syn #12 Gateway>Upstream bad listed seq=7 at=10611000000 rel=+0.609 s offset=+0.606 s interval=+0.101 s factor=1.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 7, +0.101 s after the previous SYN, x1.0|\n"
	"  syn #13 Gateway>Upstream bad listed seq=8 at=10712000000 rel=+0.710 s offset=+0.707 s interval=+0.101 s factor=1.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 8, +0.101 s after the previous SYN, x1.0|\n"
	"  syn #14 Gateway>Upstream bad listed seq=9 at=10813000000 rel=+0.811 s offset=+0.808 s interval=+0.101 s factor=1.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 9, +0.101 s after the previous SYN, x1.0|\n"
	"  syn #15 Gateway>Upstream bad listed seq=10 at=10914000000 rel=+0.912 s offset=+0.909 s interval=+0.101 s factor=1.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 10, +0.101 s after the previous SYN, x1.0|\n"
	"  syn #16 Gateway>Upstream bad listed seq=11 at=11015000000 rel=+1.013 s offset=+1.010 s interval=+0.101 s factor=1.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 11, +0.101 s after the previous SYN, x1.0|\n"
	"  syn #17 Gateway>Upstream bad listed seq=12 at=11116000000 rel=+1.114 s offset=+1.111 s interval=+0.101 s factor=1.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 12, +0.101 s after the previous SYN, x1.0|\n"
	"  syn #18 Gateway>Upstream bad listed seq=13 at=11217000000 rel=+1.215 s offset=+1.212 s interval=+0.101 s factor=1.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 13, +0.101 s after the previous SYN, x1.0|\n"
	"  syn #19 Gateway>Upstream bad listed seq=14 at=11318000000 rel=+1.316 s offset=+1.313 s interval=+0.101 s factor=1.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 14, +0.101 s after the previous SYN, x1.0|\n"
	"  syn #20 Gateway>Upstream bad listed seq=15 at=11419000000 rel=+1.417 s offset=+1.414 s interval=+0.101 s factor=1.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 15, +0.101 s after the previous SYN, x1.0|\n"
	"  syn #21 Gateway>Upstream bad listed seq=16 at=11520000000 rel=+1.518 s offset=+1.515 s interval=+0.101 s factor=1.0 peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 16, +0.101 s after the previous SYN, x1.0|\n"
	"  no-reply #0 Upstream>Gateway bad text=no answer to 20 SYNs (only the first 16 listed)\n",
	/* syn_seen_twice */
	"requests 1 errors 1 cannot-connect=1\n"
	"txn 1 GET http://www.test/ status 502 error label \"CANNOT CONNECT\"\n"
	" cannot-connect/tcp-rst dns=time conn=address port=80\n"
	" summary: 192.0.2.11 port 80 answered the SYN with RST (connection refused); tried before: 192.0.2.10 port 80 (no answer)\n"
	" elapsed=1506000000 range=#3-#10 frames 3 4 5 6 7 8 9 10\n"
	" syns #6 #7 #8\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #10 Gateway>Client bad listed at=11508000000 rel=+1.506 s delay=1.506 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10 192.0.2.11\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= 192.0.2.10 192.0.2.11\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test A 192.0.2.10|www.test A 192.0.2.11|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50000\n"
	"  syn #6 Gateway>Upstream listed seq=1 at=10005000000 rel=+0.003 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50000 -> 192.0.2.10:80|\n"
	"  syn #7 Gateway>Upstream listed seq=2 at=10005000000 rel=+0.003 s offset=+0.000 s interval=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN retransmission] 10.0.0.1:50000 -> 192.0.2.10:80|Attempt 2, +0.000 s after the previous SYN|\n"
	"  no-reply #0 Upstream>Gateway bad text=no answer to 2 SYNs\n"
	"  connect #0 Gateway>Upstream seq=2 peer=192.0.2.11:80 text=192.0.2.11:80 from 10.0.0.1 port 50001\n"
	"  syn #8 Gateway>Upstream listed seq=1 at=11506000000 rel=+1.504 s offset=+1.501 s peer=192.0.2.11:80\n"
	"   [SYN] 10.0.0.1:50001 -> 192.0.2.11:80|\n"
	"  rst #9 Upstream>Gateway bad listed at=11507000000 rel=+1.505 s delay=1.0 ms peer=192.0.2.11 text=from the server: connection refused (no SYN/ACK)\n"
	"   [RST] 192.0.2.11:80 -> 10.0.0.1:50001|\n",
	/* closed_then_reconnect */
	"requests 1 errors 1 relayed=1\n"
	"txn 1 GET http://www.test/ status 503 error label \"RELAYED\"\n"
	" relayed/upstream-5xx dns=address conn=request-line port=80\n"
	" summary: 192.0.2.10:80 itself answered \"HTTP/1.1 503 Service Unavailable\"; the gateway passed it on\n"
	" elapsed=11000000 range=#3-#14 frames 3 4 5 10 11 12 13 14\n"
	" syns #10\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53 upstream=192.0.2.10\n"
	"  request #3 Client>Gateway listed at=10002000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #14 Gateway>Client bad listed at=10013000000 rel=+0.011 s delay=0.011 s text=HTTP/1.1 503 Service Unavailable\n"
	"   [HTTP/1.1 503 Service Unavailable] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 503 Service Unavailable|\n"
	"  dns-query #4 Gateway>DNS listed reply=#5 at=10003000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #5 DNS>Gateway listed at=10004000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NOERROR answers= CNAME edge.test 192.0.2.10\n"
	"   [A 192.0.2.10 ...] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 0 NOERROR, rtt 1.0 ms|www.test CNAME edge.test|edge.test A 192.0.2.10|\n"
	"  connect #0 Gateway>Upstream seq=1 peer=192.0.2.10:80 text=192.0.2.10:80 from 10.0.0.1 port 50001\n"
	"  syn #10 Gateway>Upstream listed seq=1 at=10009000000 rel=+0.007 s offset=+0.000 s peer=192.0.2.10:80\n"
	"   [SYN] 10.0.0.1:50001 -> 192.0.2.10:80|\n"
	"  synack #11 Upstream>Gateway listed at=10010000000 rel=+0.008 s delay=1.0 ms text=connected\n"
	"   [SYN/ACK] 192.0.2.10:80 -> 10.0.0.1:50001|\n"
	"  up-request #12 Gateway>Upstream listed at=10011000000 rel=+0.009 s text=GET / HTTP/1.1\n"
	"   [GET /] Upstream request:|GET / HTTP/1.1|\n"
	"  up-reply #13 Upstream>Gateway bad listed at=10012000000 rel=+0.010 s text=HTTP/1.1 503 Service Unavailable\n"
	"   [HTTP/1.1 503 Service Unavailable] Upstream reply:|HTTP/1.1 503 Service Unavailable|\n",
	/* skewed_lookup */
	"requests 3 errors 3 host-not-resolvable=3\n"
	"txn 1 GET http://www.test/ status 502 error label \"HOST NOT RESOLVABLE\"\n"
	" host-not-resolvable/dns-nxdomain dns=time conn=none port=80\n"
	" summary: DNS server 10.0.0.53 answered NXDOMAIN for www.test (no such name)\n"
	" elapsed=2000000 range=#8-#10 frames 7 8 9 10\n"
	" syns\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #8 Client>Gateway listed at=10100000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #10 Gateway>Client bad listed at=10102000000 rel=+0.002 s delay=0.002 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #7 Gateway>DNS listed reply=#9 at=10099500000 rel=-0.001 s delay=1.5 ms peer=10.0.0.53 kind=A name=www.test text=NXDOMAIN\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0900 over UDP|\n"
	"  dns-answer #9 DNS>Gateway bad listed at=10101000000 rel=+0.001 s delay=1.5 ms peer=10.0.0.53 kind=A name=www.test text=NXDOMAIN\n"
	"   [NXDOMAIN] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0900, RCODE 3 NXDOMAIN, rtt 1.5 ms|\n"
	"txn 2 GET http://www.test/ status 502 error label \"HOST NOT RESOLVABLE\"\n"
	" host-not-resolvable/dns-nxdomain dns=time conn=none port=80\n"
	" summary: DNS server 10.0.0.53 answered NXDOMAIN for www.test (no such name)\n"
	" elapsed=3000000 range=#11-#14 frames 11 12 13 14\n"
	" syns\n"
	" cols client=10.0.0.6 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #11 Client>Gateway listed at=40100000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.6:40001 -> 10.0.0.1:9090|Client request (transaction 2):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #14 Gateway>Client bad listed at=40103000000 rel=+0.003 s delay=0.003 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.6:40001|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #12 Gateway>DNS listed reply=#13 at=40101000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NXDOMAIN\n"
	"   [DNS A? www.test] 10.0.0.1:33001 -> 10.0.0.53:53|DNS query id 0x0901 over UDP|\n"
	"  dns-answer #13 DNS>Gateway bad listed at=40102000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NXDOMAIN\n"
	"   [NXDOMAIN] 10.0.0.53:53 -> 10.0.0.1:33001|DNS answer id 0x0901, RCODE 3 NXDOMAIN, rtt 1.0 ms|\n"
	"txn 3 GET http://www.test/ status 502 error label \"HOST NOT RESOLVABLE\"\n"
	" host-not-resolvable/dns-error dns=time conn=none port=80\n"
	" summary: DNS server 10.0.0.53 answered SERVFAIL for www.test (the look-up failed)\n"
	" elapsed=3000000 range=#15-#18 frames 15 16 17 18\n"
	" syns\n"
	" cols client=10.0.0.7 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #15 Client>Gateway listed at=70100000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.7:40002 -> 10.0.0.1:9090|Client request (transaction 3):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #18 Gateway>Client bad listed at=70103000000 rel=+0.003 s delay=0.003 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.7:40002|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #16 Gateway>DNS listed reply=#17 at=70101000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=SERVFAIL\n"
	"   [DNS A? www.test] 10.0.0.1:33002 -> 10.0.0.53:53|DNS query id 0x0902 over UDP|\n"
	"  dns-answer #17 DNS>Gateway bad listed at=70102000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=SERVFAIL\n"
	"   [SERVFAIL] 10.0.0.53:53 -> 10.0.0.1:33002|DNS answer id 0x0902, RCODE 2 SERVFAIL, rtt 1.0 ms|\n",
	/* many_names */
	"requests 1 errors 1 host-not-resolvable=1\n"
	"txn 1 GET http://www.test/ status 502 error label \"HOST NOT RESOLVABLE\"\n"
	" host-not-resolvable/dns-nxdomain dns=time conn=none port=80\n"
	" summary: DNS server 10.0.0.53 answered NXDOMAIN for www.test (no such name)\n"
	" elapsed=3000000 range=#83-#86 frames 83 84 85 86\n"
	" syns\n"
	" cols client=10.0.0.5 gateway=10.0.0.1 dns=10.0.0.53\n"
	"  request #83 Client>Gateway listed at=10082000000 rel=+0.000 s text=GET http://www.test/\n"
	"   [GET http://www.test/] 10.0.0.5:40000 -> 10.0.0.1:9090|Client request (transaction 1):|GET http://www.test/ HTTP/1.1|\n"
	"  answer #86 Gateway>Client bad listed at=10085000000 rel=+0.003 s delay=0.003 s text=HTTP/1.1 502 Bad Gateway\n"
	"   [HTTP/1.1 502 Bad Gateway] 10.0.0.1:9090 -> 10.0.0.5:40000|Gateway's answer to the client:|HTTP/1.1 502 Bad Gateway|\n"
	"  dns-query #84 Gateway>DNS listed reply=#85 at=10083000000 rel=+0.001 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NXDOMAIN\n"
	"   [DNS A? www.test] 10.0.0.1:33000 -> 10.0.0.53:53|DNS query id 0x0101 over UDP|\n"
	"  dns-answer #85 DNS>Gateway bad listed at=10084000000 rel=+0.002 s delay=1.0 ms peer=10.0.0.53 kind=A name=www.test text=NXDOMAIN\n"
	"   [NXDOMAIN] 10.0.0.53:53 -> 10.0.0.1:33000|DNS answer id 0x0101, RCODE 3 NXDOMAIN, rtt 1.0 ms|\n",
};

static void
test_stories(void **state)
{
	size_t n = sizeof scenes / sizeof scenes[0];

	assert_int_equal(n, sizeof stories / sizeof stories[0]);
	for (size_t i = 0; i < n; i++)
		check(state, scenes[i].name, scenes[i].fn, stories[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stories, uf_setup,
		    uf_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
