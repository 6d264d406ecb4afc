/*
 * stream.c: per-direction TCP reassembly of the bytes HTTP heads are made
 * of. Retransmitted and overlapping bytes are trimmed, out-of-order
 * segments wait in a small bounded buffer, and bodies are skipped by
 * counting (Content-Length, chunked, until close): they are never stored.
 * A connection to port 53 carries DNS instead: its length-prefixed
 * messages go to the DNS log.
 */
#include <stdlib.h>
#include <string.h>

#include "../proto/http.h"
#include "../proto/tls.h"
#include "flow.h"

#define OOO_MAX_SEGS 8
#define OOO_MAX_BYTES 16384
#define CHUNK_LINE_MAX 1024
#define CHUNK_EXT 0x80000000u	/* line_len flag: past the size (extension) */
#define CHUNK_DIGIT 0x40000000u	/* line_len flag: a digit of the size came */
#define CHUNK_LEN(n) ((n) & ~(CHUNK_EXT | CHUNK_DIGIT))
#define HEAD_QUICK 64	/* head bytes parsed on every segment */
/* a segment this far ahead means the capture lost data: resync */
#define SEQ_AHEAD_MAX (1u << 20)
#define DNS_TCP_MAX (2 + 65535)	/* length prefix and the largest message */

enum parse_state {
	PS_HEAD, PS_BODY_LEN, PS_CHUNK_SIZE, PS_CHUNK_DATA, PS_CHUNK_CRLF,
	PS_TRAILER, PS_HEAD_REST, PS_BODY_CLOSE, PS_TUNNEL, PS_DNS, PS_TLS,
	PS_DEAD
};

struct ooo_seg {
	uint32_t seq, len, at;	/* at: offset in bytes[] */
	struct frame_ref fr;
};

/* Segments held until the stream reaches them; allocated by the first
 * one, grown to what is held (most connections never need it). */
struct ooo_hold {
	uint8_t n;
	uint32_t used, cap;
	struct ooo_seg seg[OOO_MAX_SEGS];
	uint8_t bytes[];
};

struct dir_state {
	bool synced;
	uint8_t state;		/* enum parse_state */
	uint8_t after_head;	/* PS_HEAD_REST: the state its end leads to */
	uint32_t next_seq;
	uint64_t body_left;
	uint32_t line_len;	/* chunk-size or trailer line so far */
	uint32_t cur_msg;	/* message whose body is being skipped */
	uint8_t *head;
	uint32_t head_len, head_cap;
	struct http_head *ph;	/* the parse of head so far (with head) */
	struct frame_ref head_start;
	struct ooo_hold *ooo;	/* NULL: nothing held */
};

/* A head's bytes so far: the segment itself while nothing is collected
 * (a head that comes whole in one segment, the usual case, is parsed
 * where it lies), else the direction's collected head. */
struct head_bytes {
	const uint8_t *s;
	size_t n;
};

struct stream_state {
	struct dir_state d[2];
	uint32_t req_for_resp;	/* next request a response pairs with */
	bool req_for_resp_set;
	/* The oldest message without its pair, of direction unpaired_dir;
	 * whatever follows it in that direction is unpaired too. */
	uint32_t unpaired;
	uint8_t unpaired_dir;
};

void
stream_free(struct flow *fl, struct conn *c)
{
	c->rest = 0;
	if (c->stream == NULL)
		return;
	for (int d = 0; d < 2; d++) {
		free(c->stream->d[d].head);
		free(c->stream->d[d].ph);
		free(c->stream->d[d].ooo);
	}
	if (fl->nstream_spare < FLOW_STREAM_SPARE)
		fl->stream_spare[fl->nstream_spare++] = c->stream;
	else
		free(c->stream);
	c->stream = NULL;
}

void
stream_spares_free(struct flow *fl)
{
	while (fl->nstream_spare > 0)
		free(fl->stream_spare[--fl->nstream_spare]);
}

/*
 * Pairs the k-th response of a connection with its k-th request as the
 * later of the two arrives, so that finding either costs O(1) however
 * many are pipelined.
 */
static void
pair_up(struct flow *fl, struct stream_state *ss, uint32_t mi)
{
	struct http_msg *m = &fl->msgs[mi];
	uint32_t other = ss->unpaired;

	if (other == NONE32) {
		ss->unpaired = mi;
		ss->unpaired_dir = m->dir;
	} else if (ss->unpaired_dir != m->dir) {
		m->pair = other;
		fl->msgs[other].pair = mi;
		ss->unpaired = fl->msgs[other].next;
	}
}

static uint32_t
msg_add(struct flow *fl, uint32_t ci, int dir, const struct frame_ref *start,
    const struct frame_ref *head)
{
	struct conn *c = &fl->conns[ci];
	struct http_msg *m;
	uint32_t mi;

	if (fl->nmsgs >= fl->limits.max_msgs ||
	    vec_reserve((void **)&fl->msgs, &fl->msgs_cap, fl->nmsgs + 1,
	    sizeof *fl->msgs, fl->limits.max_msgs) != 0) {
		fl->stats.msgs_dropped++;
		return NONE32;
	}
	mi = (uint32_t)fl->nmsgs++;
	m = &fl->msgs[mi];
	memset(m, 0, sizeof *m);
	m->conn = ci;
	m->dir = (uint8_t)dir;
	m->start = *start;
	m->head = *head;
	m->next = NONE32;
	m->pair = NONE32;
	if (c->last_msg[dir] != NONE32)
		fl->msgs[c->last_msg[dir]].next = mi;
	else
		c->first_msg[dir] = mi;
	c->last_msg[dir] = mi;
	c->nmsg[dir]++;
	pair_up(fl, c->stream, mi);
	return mi;
}

static strref
intern(struct flow *fl, const char *s)
{
	return strpool_add(&fl->strings, s, strlen(s));
}

/*
 * The length of a head's first line, FLOW_LINE_MAX bytes at most; a NUL
 * in it ends it, as it ended the C string it was once copied to (and a
 * CR, as a CR before the LF ends a line).
 */
static size_t
line_len(const uint8_t *s, size_t n)
{
	return http_line_text_len(s, n < FLOW_LINE_MAX ? n : FLOW_LINE_MAX);
}

static strref
intern_line(struct flow *fl, const uint8_t *s, size_t n)
{
	return strpool_add(&fl->strings, (const char *)s, line_len(s, n));
}

/* m's line_minor: whether the request line s (n bytes) is the one
 * flow_msg_line rebuilds from m's method and target, interned already. */
static uint8_t
line_rebuilt(const struct flow *fl, const struct http_msg *m,
    const struct http_head *h, const uint8_t *s, size_t n)
{
	const char *method = flow_str(fl, m->method);
	const char *target = flow_str(fl, m->target);
	size_t ml = strlen(method), tl = strlen(target);

	n = line_len(s, n);
	if (h->version_major != 1 || h->version_minor < 0 ||
	    h->version_minor > 1 || ml == 0 || tl == 0 ||
	    n != ml + 1 + tl + 9 /* " HTTP/1.x" */ ||
	    memcmp(s, method, ml) != 0 || s[ml] != ' ' ||
	    memcmp(s + ml + 1, target, tl) != 0 ||
	    memcmp(s + ml + 1 + tl, " HTTP/1.", 8) != 0 ||
	    s[n - 1] != '0' + h->version_minor)
		return 0;
	return (uint8_t)(1 + h->version_minor);
}

/* dst gets s, as much as fits in end - dst; the byte past it */
static char *
put(char *dst, const char *end, const char *s)
{
	size_t n = strlen(s);

	if (n > (size_t)(end - dst))
		n = (size_t)(end - dst);
	memcpy(dst, s, n);
	return dst + n;
}

const char *
flow_msg_line(const struct flow *fl, const struct http_msg *m,
    struct flow_line *buf)
{
	const char *end = buf->s + FLOW_LINE_MAX;
	char version[] = " HTTP/1.x", *at;

	if (m->line_minor == 0)
		return flow_str(fl, m->line);
	/* fits: it was FLOW_LINE_MAX bytes at most when it came */
	version[sizeof version - 2] = (char)('0' + m->line_minor - 1);
	at = put(buf->s, end, flow_str(fl, m->method));
	at = put(at, end, " ");
	at = put(at, end, flow_str(fl, m->target));
	at = put(at, end, version);
	*at = '\0';
	return buf->s;
}

static void
msg_complete(struct flow *fl, struct dir_state *d, const struct frame_ref *fr)
{
	if (d->cur_msg != NONE32) {
		fl->msgs[d->cur_msg].end = *fr;
		fl->msgs[d->cur_msg].complete = true;
	}
	d->cur_msg = NONE32;
	d->state = PS_HEAD;
}

/* Records bytes that are not a valid head; the direction stops there.
 * error_at: where the offending line starts in the head (0: the first). */
static void
record_invalid(struct flow *fl, uint32_t ci, int dir, struct dir_state *d,
    const struct head_bytes *hb, const char *why, size_t error_at,
    bool cut, const struct frame_ref *fr)
{
	uint32_t mi;

	if (fl->conns[ci].role == CONN_OTHER && dir == 0) {
		fl->conns[ci].no_http = true;	/* some other protocol */
		d->state = PS_DEAD;
		return;
	}
	mi = msg_add(fl, ci, dir, &d->head_start, fr);
	if (mi != NONE32) {
		struct http_msg *m = &fl->msgs[mi];

		m->valid = false;
		m->too_long = strstr(why, "too long") != NULL;
		m->cut = cut;
		m->head_len = (uint16_t)(hb->n < UINT16_MAX ? hb->n :
		    UINT16_MAX);
		m->line = intern_line(fl, hb->s, hb->n);
		m->error = intern(fl, why);
		if (error_at > 0 && error_at < hb->n)
			m->error_line = intern_line(fl, hb->s + error_at,
			    hb->n - error_at);
		m->end = *fr;
	}
	d->state = PS_DEAD;
	d->head_len = 0;
}

/* The request a response answers: requests and responses pair in order. */
static uint32_t
next_request(struct flow *fl, struct conn *c, struct stream_state *ss)
{
	uint32_t mi;

	if (!ss->req_for_resp_set) {
		mi = c->first_msg[0];
		if (mi == NONE32)
			return NONE32;
		ss->req_for_resp_set = true;
	} else {
		if (ss->req_for_resp == NONE32)
			return NONE32;
		mi = fl->msgs[ss->req_for_resp].next;
		if (mi == NONE32)
			return NONE32;
	}
	ss->req_for_resp = mi;
	return mi;
}

static void
set_body(struct dir_state *d, const struct http_head *h, bool until_close)
{
	if (h->chunked) {
		d->state = PS_CHUNK_SIZE;
		d->line_len = 0;
		d->body_left = 0;
	} else if (h->content_length > 0) {
		d->state = PS_BODY_LEN;
		d->body_left = (uint64_t)h->content_length;
	} else if (h->content_length < 0 && until_close) {
		d->state = PS_BODY_CLOSE;
	} else {
		d->state = PS_HEAD;
	}
}

/*
 * m's host and port (http_request_host), from the head parsed ahead when
 * it gave one (pre, else NULL) and m holds its strings whole; the same
 * string as the Host field's (most) is not stored twice.
 */
static void
request_authority(struct flow *fl, struct http_msg *m,
    const struct http_head *h, const struct http_pre *pre)
{
	char own[HTTP_HOST_MAX];
	const char *authority;

	if (pre == NULL || (m->target == 0 && h->target[0]) ||
	    (m->host == 0 && h->host[0])) {
		http_request_host(m->form, flow_str(fl, m->target),
		    flow_str(fl, m->host), own, sizeof own, &m->port);
		authority = own;
	} else {
		authority = pre->authority;
		m->port = pre->port;
	}
	m->authority = strcmp(authority, flow_str(fl, m->host)) == 0 ?
	    m->host : intern(fl, authority);
}

static void
took_request(struct flow *fl, uint32_t ci, struct dir_state *d,
    const struct head_bytes *hb, const struct http_head *h,
    const struct frame_ref *fr, const struct http_pre *pre)
{
	struct conn *c = &fl->conns[ci];
	uint32_t mi = msg_add(fl, ci, 0, &d->head_start, fr);
	struct http_msg *m;

	if (c->role == CONN_OTHER)
		c->role = (h->form == HTTP_FORM_ABSOLUTE ||
		    h->form == HTTP_FORM_AUTHORITY) ? CONN_CLIENT :
		    CONN_UPSTREAM;
	if (mi == NONE32) {
		d->state = PS_DEAD;
		return;
	}
	m = &fl->msgs[mi];
	m->valid = true;
	m->varnish_id = h->varnish_id;
	m->form = (uint8_t)h->form;
	m->head_method = strcmp(h->method, "HEAD") == 0;
	m->method = intern(fl, h->method);
	m->target = intern(fl, h->target);
	m->host = intern(fl, h->host);
	m->line_minor = line_rebuilt(fl, m, h, hb->s, hb->n);
	if (m->line_minor == 0)
		m->line = intern_line(fl, hb->s, hb->n);
	request_authority(fl, m, h, pre);
	if (c->role == CONN_CLIENT)
		dns_request_seen(fl, flow_str(fl, m->authority), c->sport,
		    m->head.ts_ns);
	else if (h->form == HTTP_FORM_ORIGIN)
		relay_request(fl, c, h->target, m->head.ts_ns);
	d->cur_msg = mi;
	if (h->form == HTTP_FORM_AUTHORITY) {	/* CONNECT */
		/* what follows is the tunnel's, not HTTP */
		msg_complete(fl, d, fr);
		d->state = PS_TUNNEL;
		return;
	}
	set_body(d, h, false);
	if (d->state == PS_HEAD)
		msg_complete(fl, d, fr);
}

static void
took_response(struct flow *fl, uint32_t ci, struct dir_state *d,
    const struct head_bytes *hb, const struct http_head *h,
    const struct frame_ref *fr)
{
	struct conn *c = &fl->conns[ci];
	struct stream_state *ss = c->stream;
	uint32_t req, mi;
	bool to_connect = false, to_head = false;

	if (h->status >= 100 && h->status < 200 && h->status != 101) {
		d->state = PS_HEAD;	/* interim: the real answer follows */
		return;
	}
	req = next_request(fl, c, ss);
	if (req != NONE32) {
		/* a valid request's form is the authority form exactly when
		 * its method is CONNECT (http.c classify_target) */
		to_connect = fl->msgs[req].form == HTTP_FORM_AUTHORITY;
		to_head = fl->msgs[req].head_method;
	}
	mi = msg_add(fl, ci, 1, &d->head_start, fr);
	if (mi == NONE32) {
		d->state = PS_DEAD;
		return;
	}
	fl->msgs[mi].valid = true;
	fl->msgs[mi].varnish_id = h->varnish_id;
	fl->msgs[mi].varnish_hit = h->varnish_hit;
	fl->msgs[mi].status = (uint16_t)h->status;
	fl->msgs[mi].head_len = (uint16_t)(h->head_len < UINT16_MAX ?
	    h->head_len : UINT16_MAX);
	fl->msgs[mi].line = intern_line(fl, hb->s, hb->n);
	if (h->coding[0] != '\0') {
		fl->msgs[mi].odd_coding = true;
		fl->msgs[mi].error_line = intern(fl, h->coding);
	}
	d->cur_msg = mi;
	if ((to_connect && h->status < 300) ||
	    h->status == 101) {
		msg_complete(fl, d, fr);
		d->state = PS_TUNNEL;
		ss->d[0].state = PS_TUNNEL;
		return;
	}
	/* a refused CONNECT (407): the client goes on speaking HTTP */
	if (to_connect && ss->d[0].state == PS_TUNNEL)
		ss->d[0].state = PS_HEAD;
	if (to_head || h->status == 204 ||
	    h->status == 304)
		d->state = PS_HEAD;
	else
		set_body(d, h, true);
	if (d->state == PS_HEAD)
		msg_complete(fl, d, fr);
}

/*
 * A response head past what is read (HTTP_HEAD_MAX, or a line past
 * HTTP_LINE_MAX) after a valid status line: a gateway that reads more
 * relays it (squid reads 64 KB). It is taken as valid with the fields
 * read; the rest of the head is skipped line by line (PS_HEAD_REST) and
 * the body framed as those fields said.
 */
static void
took_long_response(struct flow *fl, uint32_t ci, struct dir_state *d,
    const struct head_bytes *hb, const struct http_head *h,
    const struct frame_ref *fr)
{
	const struct conn *c = &fl->conns[ci];

	took_response(fl, ci, d, hb, h, fr);
	if (d->state == PS_DEAD || d->state == PS_TUNNEL)
		return;
	if (h->status >= 200 && c->last_msg[1] != NONE32) {
		fl->msgs[c->last_msg[1]].too_long = true;	/* and longer */
		fl->msgs[c->last_msg[1]].head_len = (uint16_t)hb->n;
	}
	d->after_head = d->state;
	d->state = PS_HEAD_REST;
	/* the cut may fall within a line: what came of it is no end */
	d->line_len = 0;
	for (size_t k = hb->n; k > 0 && hb->s[k - 1] != '\n'; k--)
		if (hb->s[k - 1] != '\r')
			d->line_len = 1;
}

/* Room for need bytes in d->head (need <= max); false: out of memory. */
static bool
head_reserve(struct dir_state *d, uint32_t need, uint32_t max)
{
	/* from small: most heads are short, and most flows send none */
	uint32_t ncap = d->head_cap ? d->head_cap : 128;
	uint8_t *nb;

	if (need <= d->head_cap)
		return true;
	while (ncap < need)
		ncap *= 2;
	if (ncap > max)
		ncap = max;
	if ((nb = realloc(d->head, ncap)) == NULL)
		return false;
	d->head = nb;
	d->head_cap = ncap;
	return true;
}

/* One whole DNS message of the connection, to the DNS log. */
static void
dns_tcp_message(struct flow *fl, uint32_t ci, int dir, const uint8_t *msg,
    size_t len, const struct frame_ref *fr)
{
	const struct conn *c = &fl->conns[ci];
	struct frame f = frame_named(fr);
	struct pkt p;

	memset(&p, 0, sizeof p);
	p.src = dir == 0 ? c->caddr : c->saddr;
	p.dst = dir == 0 ? c->saddr : c->caddr;
	p.sport = dir == 0 ? c->cport : c->sport;
	p.dport = dir == 0 ? c->sport : c->cport;
	dns_feed(fl, &f, &p, msg, len, true);
}

/*
 * DNS over TCP (RFC 1035 4.2.2, RFC 7766): each message has a 2-byte
 * length; it goes to the DNS log in the frame that completes it.
 */
static size_t
feed_dns(struct flow *fl, uint32_t ci, int dir, struct dir_state *d,
    const uint8_t *data, size_t len, const struct frame_ref *fr)
{
	size_t take = len;
	uint32_t need;

	if (take > DNS_TCP_MAX - d->head_len)
		take = DNS_TCP_MAX - d->head_len;
	if (!head_reserve(d, d->head_len + (uint32_t)take, DNS_TCP_MAX)) {
		d->state = PS_DEAD;
		return len;
	}
	memcpy(d->head + d->head_len, data, take);
	d->head_len += (uint32_t)take;
	while (d->head_len >= 2 && d->head_len >= (need = 2u +
	    ((uint32_t)d->head[0] << 8 | d->head[1]))) {
		dns_tcp_message(fl, ci, dir, d->head + 2, need - 2, fr);
		memmove(d->head, d->head + need, d->head_len - need);
		d->head_len -= need;
	}
	return take;
}

/*
 * Parses a head's bytes so far into h: from scratch, or going on where
 * the last parse stopped (more: h holds it, http_parse_more), so that a
 * head sent a byte at a time costs O(length) and not O(length^2).
 */
static enum http_result
parse_collected(const struct head_bytes *hb, int dir, struct http_head *h,
    bool more)
{
	if (more)
		return http_parse_more(hb->s, hb->n, h);
	return dir == 0 ? http_parse_request(hb->s, hb->n, h) :
	    http_parse_response(hb->s, hb->n, h);
}

/* Whether the head parsed ahead is the parse of hb in direction dir. */
static bool
uses_pre(const struct http_pre *pre, const struct head_bytes *hb, int dir)
{
	return pre != NULL && pre->data == hb->s && pre->len == hb->n &&
	    pre->is_request == (dir == 0);
}

/* Appends n bytes to the direction's collected head; false: no memory. */
static bool
head_collect(struct dir_state *d, const uint8_t *data, size_t n)
{
	if (!head_reserve(d, d->head_len + (uint32_t)n, HTTP_HEAD_MAX))
		return false;
	memcpy(d->head + d->head_len, data, n);
	d->head_len += (uint32_t)n;
	return true;
}

/*
 * A gateway's upstream connection that opens with a ClientHello is
 * followed as TLS both ways (tlsconn.c), and never as HTTP.
 */
static bool
starts_tls(struct flow *fl, uint32_t ci, int dir, const uint8_t *data,
    size_t len, const struct frame_ref *fr)
{
	struct conn *c = &fl->conns[ci];

	if (dir != 0 || c->role != CONN_OTHER || c->nmsg[0] != 0 ||
	    len == 0 || data[0] != TLS_CT_HANDSHAKE ||
	    !tlsconn_start(fl, ci, data, len, fr))
		return false;
	c->stream->d[0].state = c->stream->d[1].state = PS_TLS;
	return true;
}

static size_t
feed_tls(struct flow *fl, uint32_t ci, int dir, const uint8_t *data,
    size_t len, const struct frame_ref *fr)
{
	struct stream_state *ss = fl->conns[ci].stream;

	if (!tlsconn_feed(fl, ci, dir, data, len, fr))
		ss->d[dir].state = PS_DEAD;
	return len;
}

/*
 * Head bytes: parse once they might be complete. A head that starts and
 * ends in one segment (most) is parsed in that segment's bytes and
 * allocates nothing; only what is left incomplete is collected in
 * d->head for the next segment. A parse from scratch goes on the stack;
 * only a head longer than HEAD_QUICK that is still incomplete keeps its
 * parse (d->ph) for the next segment, so that a flood of connections that
 * each start a head holds a few bytes each, not a parse.
 */
static size_t
feed_head(struct flow *fl, uint32_t ci, int dir, struct dir_state *d,
    const uint8_t *data, size_t len, const struct frame_ref *fr)
{
	struct http_head quick, *h = &quick;
	const struct http_pre *pre = NULL;	/* the head, parsed ahead */
	uint32_t before = d->head_len;
	size_t take = len;
	struct head_bytes hb;
	enum http_result r;
	bool more = d->ph != NULL;

	if (d->head_len == 0) {
		if (starts_tls(fl, ci, dir, data, len, fr))
			return 0;	/* parse_bytes goes on as TLS */
		d->head_start = *fr;
	}
	if (take > HTTP_HEAD_MAX - d->head_len)
		take = HTTP_HEAD_MAX - d->head_len;
	if (before == 0) {
		hb.s = data;
		hb.n = take;
	} else {
		if (!head_collect(d, data, take)) {
			d->state = PS_DEAD;
			return len;
		}
		hb.s = d->head;
		hb.n = d->head_len;
	}
	/*
	 * Past its first bytes (where "<html>" is told from a status line),
	 * a head can only end, or a line be judged, when a line ends: without
	 * a LF in the new bytes the verdict is the last one, INCOMPLETE.
	 */
	if (before >= HEAD_QUICK && hb.n < HTTP_HEAD_MAX &&
	    memchr(data, '\n', take) == NULL)
		return len;
	if (more)
		h = d->ph;
	if (uses_pre(fl->pre, &hb, dir) && !more) {
		r = fl->pre->result;
		if (r == HTTP_INCOMPLETE) {
			quick = fl->pre->h;	/* kept and changed below */
		} else {
			h = (struct http_head *)&fl->pre->h;	/* only read */
			pre = fl->pre;
		}
	} else {
		r = parse_collected(&hb, dir, h, more);
	}
	if (r == HTTP_INCOMPLETE && hb.n >= HTTP_HEAD_MAX) {
		r = HTTP_INVALID;
		h->error = "head too long";
	}
	if (r == HTTP_INVALID) {
		if (h->error && strstr(h->error, "too long")) {
			fl->stats.heads_too_long++;
			if (dir == 1 && h->status >= 100) {
				took_long_response(fl, ci, d, &hb, h, fr);
				d->head_len = 0;
				free(d->ph);
				d->ph = NULL;
				return take;
			}
		}
		record_invalid(fl, ci, dir, d, &hb,
		    h->error ? h->error : "invalid", h->error_at, false, fr);
		return len;
	}
	if (r == HTTP_INCOMPLETE) {
		if (before == 0 && !head_collect(d, data, take)) {
			d->state = PS_DEAD;
			return len;
		}
		if (!more && d->head_len >= HEAD_QUICK) {
			if ((d->ph = malloc(sizeof *d->ph)) == NULL) {
				d->state = PS_DEAD;
				return len;
			}
			*d->ph = quick;
		}
		return len;
	}
	if (dir == 0)
		took_request(fl, ci, d, &hb, h, fr, pre);
	else
		took_response(fl, ci, d, &hb, h, fr);
	d->head_len = 0;
	take = h->head_len > before ? h->head_len - before : 0;
	/* only a head in progress holds a parse: idle streams stay small */
	free(d->ph);
	d->ph = NULL;
	return take;
}

/* The rest of a head too long to read: its lines, to the empty one. */
static size_t
feed_head_rest(struct dir_state *d, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n') {
			if (d->line_len == 0) {
				d->state = d->after_head;
				return i + 1;
			}
			d->line_len = 0;
		} else if (data[i] != '\r') {
			d->line_len = 1;
		}
	}
	return len;
}

/* A chunk-size line without a size: the body cannot be framed (nginx
 * gives up: "upstream sent invalid chunked response"). */
static void
bad_chunk(struct flow *fl, struct dir_state *d)
{
	if (d->cur_msg != NONE32)
		fl->msgs[d->cur_msg].bad_body = true;
	d->state = PS_DEAD;
}

/* Chunked body: only chunk-size and trailer lines are looked at. */
static size_t
feed_chunked(struct flow *fl, struct dir_state *d, const uint8_t *data,
    size_t len, const struct frame_ref *fr)
{
	size_t i = 0;

	while (i < len && d->state != PS_HEAD && d->state != PS_DEAD) {
		uint8_t ch = data[i];

		switch (d->state) {
		case PS_CHUNK_SIZE:
			i++;
			if (ch == '\n') {
				if (!(d->line_len & CHUNK_DIGIT)) {
					bad_chunk(fl, d);
					break;
				}
				d->state = d->body_left ? PS_CHUNK_DATA :
				    PS_TRAILER;
				d->line_len = 0;
				break;
			}
			if (CHUNK_LEN(++d->line_len) > CHUNK_LINE_MAX) {
				d->state = PS_DEAD;
				break;
			}
			if (!(d->line_len & CHUNK_EXT) && ch != '\r') {
				int v = (ch >= '0' && ch <= '9') ? ch - '0' :
				    (ch | 0x20) >= 'a' && (ch | 0x20) <= 'f' ?
				    (ch | 0x20) - 'a' + 10 : -1;

				if (v < 0 && !(d->line_len & CHUNK_DIGIT))
					bad_chunk(fl, d);
				else if (v < 0)
					d->line_len |= CHUNK_EXT;
				else if (d->body_left >> 56)
					d->state = PS_DEAD;
				else
					d->body_left = d->body_left * 16 +
					    (uint64_t)v;
				if (v >= 0)
					d->line_len |= CHUNK_DIGIT;
			}
			break;
		case PS_CHUNK_DATA: {
			size_t take = len - i;

			if (take > d->body_left)
				take = (size_t)d->body_left;
			d->body_left -= take;
			i += take;
			if (d->body_left == 0)
				d->state = PS_CHUNK_CRLF;
			break;
		}
		case PS_CHUNK_CRLF:
			i++;
			if (ch == '\n') {
				d->state = PS_CHUNK_SIZE;
				d->line_len = 0;
			}
			break;
		case PS_TRAILER:
			i++;
			if (ch == '\n') {
				if (d->line_len == 0)
					msg_complete(fl, d, fr);
				d->line_len = 0;
			} else if (ch != '\r' && ++d->line_len >
			    CHUNK_LINE_MAX) {
				d->state = PS_DEAD;
			}
			break;
		default:
			return len;
		}
	}
	return i;
}

/* In-order bytes of one direction, through the HTTP state machine. */
static void
parse_bytes(struct flow *fl, uint32_t ci, int dir, const uint8_t *data,
    size_t len, const struct frame_ref *fr)
{
	struct dir_state *d;
	size_t used;
	uint8_t before;

	while (len > 0 && fl->conns[ci].stream != NULL) {
		d = &fl->conns[ci].stream->d[dir];
		before = d->state;
		switch (d->state) {
		case PS_HEAD:
			used = feed_head(fl, ci, dir, d, data, len, fr);
			break;
		case PS_BODY_LEN:
			used = len < d->body_left ? len : (size_t)d->body_left;
			d->body_left -= used;
			if (d->body_left == 0)
				msg_complete(fl, d, fr);
			break;
		case PS_CHUNK_SIZE:
		case PS_CHUNK_DATA:
		case PS_CHUNK_CRLF:
		case PS_TRAILER:
			used = feed_chunked(fl, d, data, len, fr);
			break;
		case PS_HEAD_REST:
			used = feed_head_rest(d, data, len);
			break;
		case PS_DNS:
			used = feed_dns(fl, ci, dir, d, data, len, fr);
			break;
		case PS_TLS:
			used = feed_tls(fl, ci, dir, data, len, fr);
			break;
		default:
			return;	/* body until close, tunnel, dead */
		}
		if (fl->conns[ci].stream == NULL)
			return;
		if (used == 0 && d->state == before)
			return;	/* no progress: never spin */
		if (used > len)
			used = len;
		data += used;
		len -= used;
		if (fl->conns[ci].no_http) {
			stream_free(fl, &fl->conns[ci]);
			return;
		}
	}
}

/* Bytes the capture does not have: only a body can be skipped blind. */
static void
parse_gap(struct flow *fl, uint32_t ci, int dir, uint64_t n)
{
	struct dir_state *d = &fl->conns[ci].stream->d[dir];

	fl->stats.stream_gaps += n;
	if (d->state == PS_TLS) {	/* within a record: skipped */
		if (!tlsconn_gap(fl, ci, dir, n))
			d->state = PS_DEAD;
		return;
	}
	if (d->state == PS_DNS) {
		d->state = PS_DEAD;	/* the message framing is lost */
		return;
	}
	if (d->state == PS_BODY_LEN && d->body_left >= n) {
		d->body_left -= n;
		if (d->body_left == 0)
			d->state = PS_HEAD;	/* its end frame is unknown */
	} else if (d->state == PS_CHUNK_DATA && d->body_left >= n) {
		d->body_left -= n;
	} else if (d->state != PS_BODY_CLOSE && d->state != PS_TUNNEL) {
		d->state = PS_DEAD;
	}
}

static unsigned
ooo_count(const struct dir_state *d)
{
	return d->ooo != NULL ? d->ooo->n : 0;
}

static void
ooo_drop(struct dir_state *d, unsigned k)
{
	struct ooo_hold *h = d->ooo;

	memmove(&h->seg[k], &h->seg[k + 1], (h->n - k - 1) * sizeof h->seg[0]);
	h->n--;
	if (h->n == 0)
		h->used = 0;
}

/* Delivers held segments that the stream has now reached. */
static void
ooo_drain(struct flow *fl, uint32_t ci, int dir)
{
	bool progress = true;

	while (progress && fl->conns[ci].stream != NULL) {
		struct dir_state *d = &fl->conns[ci].stream->d[dir];

		progress = false;
		for (unsigned k = 0; k < ooo_count(d); k++) {
			struct ooo_seg s = d->ooo->seg[k];
			int32_t rel = (int32_t)(s.seq - d->next_seq);

			if (rel > 0)
				continue;
			ooo_drop(d, k);
			if (0u - (uint32_t)rel < s.len) {
				uint32_t skip = 0u - (uint32_t)rel;

				d->next_seq += s.len - skip;
				parse_bytes(fl, ci, dir,
				    d->ooo->bytes + s.at + skip, s.len - skip,
				    &s.fr);
			}
			progress = true;
			break;
		}
	}
	/* nothing held any more: give the memory back */
	if (fl->conns[ci].stream != NULL &&
	    ooo_count(&fl->conns[ci].stream->d[dir]) == 0) {
		free(fl->conns[ci].stream->d[dir].ooo);
		fl->conns[ci].stream->d[dir].ooo = NULL;
	}
}

static bool
ooo_hold(struct dir_state *d, uint32_t seq, const uint8_t *data, uint32_t len,
    const struct frame_ref *fr)
{
	struct ooo_hold *h = d->ooo;
	uint32_t used = h ? h->used : 0, cap = h ? h->cap : 0;

	if (ooo_count(d) >= OOO_MAX_SEGS || used + len > OOO_MAX_BYTES)
		return false;
	if (used + len > cap) {
		uint32_t ncap = cap ? cap : 256;

		while (ncap < used + len)
			ncap *= 2;
		if (ncap > OOO_MAX_BYTES)
			ncap = OOO_MAX_BYTES;
		if ((h = realloc(h, sizeof *h + ncap)) == NULL)
			return false;
		if (d->ooo == NULL) {
			h->n = 0;
			h->used = 0;
		}
		h->cap = ncap;
		d->ooo = h;
	}
	memcpy(h->bytes + h->used, data, len);
	h->seg[h->n].seq = seq;
	h->seg[h->n].len = len;
	h->seg[h->n].at = h->used;
	h->seg[h->n].fr = *fr;
	h->n++;
	h->used += len;
	return true;
}

/* The hole cannot be filled any more: skip to the earliest held segment. */
static void
ooo_give_up(struct flow *fl, uint32_t ci, int dir, uint32_t upto)
{
	struct dir_state *d = &fl->conns[ci].stream->d[dir];
	uint32_t target = upto;

	for (unsigned k = 0; k < ooo_count(d); k++)
		if ((int32_t)(d->ooo->seg[k].seq - target) < 0)
			target = d->ooo->seg[k].seq;
	parse_gap(fl, ci, dir, (uint32_t)(target - d->next_seq));
	d->next_seq = target;
}

/*
 * A parked stream (conn.rest): a direction's state is one of four at
 * rest, two bits each; the rest are the flags of struct stream_state.
 * A TLS handshake's rests too: its records' state is the connection's
 * (conn_tls), so that a gateway's handshakes in progress hold none.
 */
#define REST_PARKED 0x001u
#define REST_SYNCED(d) (0x002u << (d))
#define REST_STATE_SHIFT(d) (4 + 2 * (d))
#define REST_REQ_SET 0x100u
#define REST_UNPAIRED_RESP 0x200u

static const uint8_t rest_states[] = { PS_HEAD, PS_DEAD, PS_TUNNEL, PS_TLS };
#define REST_DEAD 1u	/* PS_DEAD's index */

/* A direction's state as parked (its index in rest_states), or -1 when
 * it holds something and cannot rest. At rest cur_msg is NONE32 but
 * for a direction that died in a body, which never looks at it again. */
static int
rest_code(const struct dir_state *d)
{
	if (d->head_len != 0 || d->ph != NULL || ooo_count(d) != 0)
		return -1;
	for (size_t k = 0; k < sizeof rest_states; k++)
		if (d->state == rest_states[k])
			return (int)k;
	return -1;
}

static uint8_t
rest_state(const struct conn *c, int dir)
{
	return rest_states[(c->rest >> REST_STATE_SHIFT(dir)) & 3u];
}

/*
 * A stream at rest gives its state back: most connections of a busy
 * gateway wait (a keep-alive connection for its next request, a client
 * for its answer, a tunnel), and 176 bytes each was an eighth of what a
 * pending request cost (bench/hostile.sh, pipeline). The connection
 * keeps the few words stream_start resumes from.
 */
static void
stream_park(struct flow *fl, struct conn *c)
{
	const struct stream_state *ss = c->stream;
	unsigned rest = REST_PARKED;
	int code[2];

	for (int d = 0; d < 2; d++)
		if ((code[d] = rest_code(&ss->d[d])) < 0)
			return;
	for (int d = 0; d < 2; d++) {
		if (ss->d[d].synced)
			rest |= REST_SYNCED(d);
		rest |= (unsigned)code[d] << REST_STATE_SHIFT(d);
		c->rest_seq[d] = ss->d[d].next_seq;
	}
	if (ss->req_for_resp_set)
		rest |= REST_REQ_SET;
	if (ss->unpaired_dir == 1)
		rest |= REST_UNPAIRED_RESP;
	c->rest_req = ss->req_for_resp;
	c->rest_unpaired = ss->unpaired;
	stream_free(fl, c);
	c->rest = (uint16_t)rest;
}

static void
stream_unpark(struct conn *c)
{
	struct stream_state *ss = c->stream;

	for (int d = 0; d < 2; d++) {
		ss->d[d].synced = (c->rest & REST_SYNCED(d)) != 0;
		ss->d[d].state = rest_state(c, d);
		ss->d[d].next_seq = c->rest_seq[d];
	}
	ss->req_for_resp_set = (c->rest & REST_REQ_SET) != 0;
	ss->req_for_resp = c->rest_req;
	ss->unpaired_dir = (c->rest & REST_UNPAIRED_RESP) ? 1 : 0;
	ss->unpaired = c->rest_unpaired;
	c->rest = 0;
}

/* A closed connection's state is reused: connections start and end all
 * the time, and a malloc and a free each was most of what one cost. */
static bool
stream_start(struct flow *fl, struct conn *c)
{
	if (c->stream != NULL)
		return true;
	if (c->no_http || c->closed)
		return false;
	if (fl->nstream_spare > 0) {
		c->stream = fl->stream_spare[--fl->nstream_spare];
		memset(c->stream, 0, sizeof *c->stream);
	} else if ((c->stream = calloc(1, sizeof *c->stream)) == NULL) {
		return false;
	}
	c->stream->unpaired = NONE32;
	for (int d = 0; d < 2; d++) {
		c->stream->d[d].cur_msg = NONE32;
		if (c->sport == FLOW_DNS_PORT)
			c->stream->d[d].state = PS_DNS;
	}
	if (c->rest & REST_PARKED)
		stream_unpark(c);
	return true;
}

static void
feed(struct flow *fl, uint32_t ci, const struct frame *f,
    const struct pkt *p, int dir)
{
	struct conn *c = &fl->conns[ci];
	struct frame_ref fr = frame_ref_of(f);
	struct dir_state *d;
	const uint8_t *data = p->payload;
	uint32_t caplen = p->payload_len;
	uint32_t wirelen = p->payload_wire_len > caplen ?
	    p->payload_wire_len : caplen;
	uint32_t seq = p->seq;
	int32_t rel;

	/* a server speaking first is not HTTP (SSH, SMTP banners) */
	if (dir == 1 && c->role == CONN_OTHER && c->nmsg[0] == 0 &&
	    c->sport != FLOW_DNS_PORT && c->tls == NONE32)
		return;
	if (!stream_start(fl, c))
		return;
	d = &c->stream->d[dir];
	if (d->state == PS_DEAD || d->state == PS_TUNNEL)
		return;
	if (!d->synced) {
		d->synced = true;
		if (dir == 0 && c->syn_seen && !fl->sync_on_data)
			d->next_seq = c->isn + 1;
		else if (dir == 1 && c->synack.number != 0 &&
		    !fl->sync_on_data)
			d->next_seq = c->server_isn + 1;
		else
			d->next_seq = seq;
	}
	rel = (int32_t)(seq - d->next_seq);
	if (rel < 0) {
		/* retransmitted or overlapping: keep only the new bytes */
		uint32_t skip = 0u - (uint32_t)rel;

		if (skip >= wirelen)
			return;
		seq += skip;
		wirelen -= skip;
		if (skip >= caplen) {
			data += caplen;
			caplen = 0;
		} else {
			data += skip;
			caplen -= skip;
		}
		rel = 0;
	}
	if (rel > 0) {
		if ((uint32_t)rel < SEQ_AHEAD_MAX && caplen == wirelen &&
		    ooo_hold(d, seq, data, caplen, &fr))
			return;
		ooo_give_up(fl, ci, dir, seq);
		ooo_drain(fl, ci, dir);
		if (c->stream == NULL)
			return;
		d = &c->stream->d[dir];
		if ((int32_t)(seq - d->next_seq) > 0) {
			parse_gap(fl, ci, dir, (uint32_t)(seq - d->next_seq));
			d->next_seq = seq;
		} else if (seq != d->next_seq) {
			return;	/* now old: delivered by a held segment */
		}
	}
	d->next_seq = seq + wirelen;
	fl->pre = p->http_pre;	/* only for these bytes */
	parse_bytes(fl, ci, dir, data, caplen, &fr);
	fl->pre = NULL;
	if (c->stream == NULL)
		return;
	if (wirelen > caplen)
		parse_gap(fl, ci, dir, wirelen - caplen);
	if (ooo_count(&c->stream->d[dir]))
		ooo_drain(fl, ci, dir);
}

void
stream_feed(struct flow *fl, uint32_t ci, const struct frame *f,
    const struct pkt *p, int dir)
{
	struct conn *c = &fl->conns[ci];

	/* what a parked direction would drop, it drops parked */
	if ((c->rest & REST_PARKED) && rest_state(c, dir) != PS_HEAD &&
	    rest_state(c, dir) != PS_TLS)
		return;
	feed(fl, ci, f, p, dir);
	if (c->stream != NULL)
		stream_park(fl, c);
}

/*
 * The peer acknowledged bytes we never saw (the capture lost them): the
 * hole before the held segments will not be filled, so skip it now.
 */
void
stream_ack(struct flow *fl, uint32_t ci, int data_dir, uint32_t ack)
{
	struct dir_state *d;

	if (fl->conns[ci].stream == NULL)
		return;
	d = &fl->conns[ci].stream->d[data_dir];
	if (!d->synced || ooo_count(d) == 0 ||
	    (int32_t)(ack - d->next_seq) <= 0)
		return;
	ooo_give_up(fl, ci, data_dir, ack);
	ooo_drain(fl, ci, data_dir);
	if (fl->conns[ci].stream != NULL)
		stream_park(fl, &fl->conns[ci]);
}

void
stream_close(struct flow *fl, uint32_t ci, const struct frame *f, int dir)
{
	struct conn *c = &fl->conns[ci];
	struct frame_ref fr = frame_ref_of(f);
	struct dir_state *d;

	if (c->stream == NULL) {
		if (c->rest & REST_PARKED) {	/* at rest: it just ends */
			c->rest &= (uint16_t)~(3u << REST_STATE_SHIFT(dir));
			c->rest |= (uint16_t)(REST_DEAD <<
			    REST_STATE_SHIFT(dir));
		}
		return;
	}
	d = &c->stream->d[dir];
	if (d->state == PS_BODY_CLOSE) {
		msg_complete(fl, d, &fr);
	} else if (d->state == PS_HEAD && d->head_len > 0 && dir == 1) {
		/* closed in the middle of what should have been a head */
		const char *why = "incomplete response head";
		struct http_head quick, *h = d->ph ? d->ph : &quick;
		struct head_bytes hb = { d->head, d->head_len };
		size_t at = 0;
		bool cut = true;

		if (parse_collected(&hb, dir, h, d->ph != NULL) ==
		    HTTP_INVALID && h->error != NULL) {
			why = h->error;	/* a line feed_head skipped */
			at = h->error_at;
			cut = false;
		}
		record_invalid(fl, ci, dir, d, &hb, why, at, cut, &fr);
	}
	d->state = PS_DEAD;
}

size_t
stream_msg_refs(const struct conn *c, uint32_t out[3])
{
	size_t n = 0;

	if (c->stream == NULL) {
		if ((c->rest & REST_REQ_SET) && c->rest_req != NONE32)
			out[n++] = c->rest_req;
		return n;
	}
	for (int d = 0; d < 2; d++)
		if (c->stream->d[d].cur_msg != NONE32)
			out[n++] = c->stream->d[d].cur_msg;
	if (c->stream->req_for_resp_set && c->stream->req_for_resp != NONE32)
		out[n++] = c->stream->req_for_resp;
	return n;
}

void
stream_remap(struct conn *c, const uint32_t *msg_map)
{
	if (c->stream == NULL) {
		if (c->rest & REST_REQ_SET)
			c->rest_req = flow_remap(msg_map, c->rest_req);
		if (c->rest & REST_PARKED)
			c->rest_unpaired = flow_remap(msg_map,
			    c->rest_unpaired);
		return;
	}
	for (int d = 0; d < 2; d++)
		c->stream->d[d].cur_msg = flow_remap(msg_map,
		    c->stream->d[d].cur_msg);
	if (c->stream->req_for_resp_set)
		c->stream->req_for_resp = flow_remap(msg_map,
		    c->stream->req_for_resp);
	/* unpaired messages end their chains: a kept connection keeps them */
	c->stream->unpaired = flow_remap(msg_map, c->stream->unpaired);
}
