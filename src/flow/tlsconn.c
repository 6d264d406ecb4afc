/*
 * tlsconn.c: a gateway's TLS connections to its upstreams, record by
 * record. A reverse proxy with HTTPS backends answers 502 when the
 * handshake fails (a certificate it does not trust, a version or a name
 * the server refuses, a server that speaks plain HTTP on the port); the
 * records' types and lengths and the alerts sent in the clear show
 * which, without decrypting anything. Once the gateway sent its
 * request, only when each side last spoke is kept: the gateway's close
 * (its encrypted alert) and the server's latest record, which tell a
 * server that went silent from one that closed.
 */
#include <string.h>

#include "../proto/tls.h"
#include "flow.h"

/*
 * TLS 1.3 encrypts alerts after the ServerHello: an alert is then an
 * application_data record of 2 bytes, the inner type and the AEAD tag
 * (19 with the usual 16-byte tags), shorter than any Finished (53 at
 * least) or request (an HTTP/1.1 request needs its Host line).
 */
#define TLS13_ALERT_MAX 40
#define REPLY_LINE_MAX 80	/* of a plain-text reply, kept */

static struct conn_tls *
tls_of(struct flow *fl, uint32_t ci)
{
	return &fl->tls[fl->conns[ci].tls];
}

bool
tlsconn_start(struct flow *fl, uint32_t ci, const uint8_t *data, size_t len,
    const struct frame_ref *fr)
{
	struct conn *c = &fl->conns[ci];
	struct tls_record r;
	struct conn_tls *t;
	char sni[TLS_SNI_MAX];
	size_t body;

	if (c->tls != NONE32 || !tls_client_hello_record(data, len, &r))
		return false;
	if (vec_reserve((void **)&fl->tls, &fl->tls_cap, fl->ntls + 1,
	    sizeof *fl->tls, UINT32_MAX - 1) != 0)
		return false;
	t = &fl->tls[fl->ntls];
	memset(t, 0, sizeof *t);
	t->conn = ci;
	t->hello = *fr;
	body = len - TLS_RECORD_HEADER < r.len ? len - TLS_RECORD_HEADER :
	    r.len;
	if (tls_client_hello_sni(data + TLS_RECORD_HEADER, body, sni,
	    sizeof sni))
		t->sni = strpool_add(&fl->strings, sni, strlen(sni));
	c->tls = (uint32_t)fl->ntls++;
	return true;
}

/* The first bytes the server sent, when they are no TLS record. */
static void
plain_reply(struct flow *fl, struct conn_tls *t, const uint8_t *data,
    size_t len)
{
	size_t n = 0;

	while (n < len && n < REPLY_LINE_MAX && data[n] != '\r' &&
	    data[n] != '\n' && data[n] != '\0')
		n++;
	t->plain_reply = true;
	t->reply_line = strpool_add(&fl->strings, (const char *)data, n);
}

/* A record's header read (r) with `avail` bytes of its body at body. */
static void
take_record(struct conn_tls *t, int dir, const struct tls_record *r,
    const uint8_t *body, size_t avail, const struct frame_ref *fr)
{
	switch (r->type) {
	case TLS_CT_HANDSHAKE:
		if (dir == 1 && t->version == 0 && avail > 0 &&
		    body[0] == TLS_HS_SERVER_HELLO)
			t->version = tls_server_hello_version(body, avail);
		break;
	case TLS_CT_CCS:
		/* the gateway's while the server sent nothing encrypted:
		 * TLS 1.2 (1.3's server encrypts before the gateway) */
		if (dir == 0 && t->version == 0 && t->encrypted[1] == 0)
			t->version = TLS_V12;
		break;
	case TLS_CT_ALERT:
		if (r->len == 2 && avail == 2 && !t->alerted[dir]) {
			t->alerted[dir] = true;
			t->alert[dir] = body[1];
			t->alert_at[dir] = *fr;
		} else if (r->len != 2 && dir == 0 &&
		    t->gw_close.number == 0) {
			t->gw_close = *fr;	/* 1.2, encrypted */
		}
		break;
	case TLS_CT_APPDATA:
		t->encrypted[dir]++;
		if (t->version == 0)
			t->version = TLS_V13;	/* before a CCS of 1.2 */
		if (dir == 1 || t->gw_close.number != 0)
			break;
		/* 1.3: the gateway's first is its Finished, or an alert */
		if (t->version == TLS_V13 && t->encrypted[0] == 1) {
			if (r->len < TLS13_ALERT_MAX && !t->alerted[0]) {
				t->aborted = true;
				t->alert_at[0] = *fr;
			}
		} else if (r->len >= TLS13_ALERT_MAX) {
			t->data = *fr;
			t->done = true;
		} else if (t->gw_close.number == 0) {
			t->gw_close = *fr;
		}
		break;
	}
}

/* After the request: what each side's record says of its close. */
static void
take_after(struct conn_tls *t, int dir, const struct tls_record *r,
    const struct frame_ref *fr)
{
	if (dir == 1)
		t->server_last = *fr;
	else if (t->gw_close.number == 0 && (r->type == TLS_CT_ALERT ||
	    (t->version == TLS_V13 && r->type == TLS_CT_APPDATA &&
	    r->len < TLS13_ALERT_MAX)))
		t->gw_close = *fr;
}

bool
tlsconn_feed(struct flow *fl, uint32_t ci, int dir, const uint8_t *data,
    size_t len, const struct frame_ref *fr)
{
	struct conn_tls *t = tls_of(fl, ci);
	struct tls_record r;

	if (dir == 1 && t->server_first.number == 0) {
		t->server_first = *fr;
		if (tls_record_header(data, len, &r) == 0) {
			plain_reply(fl, t, data, len);
			return false;
		}
	}
	while (len > 0) {
		size_t take;

		if (t->left[dir] == 0) {
			take = TLS_RECORD_HEADER - t->nhdr[dir];
			if (take > len)
				take = len;
			memcpy(t->hdr[dir] + t->nhdr[dir], data, take);
			t->nhdr[dir] += (uint8_t)take;
			data += take;
			len -= take;
			if (t->nhdr[dir] < TLS_RECORD_HEADER)
				return true;
			t->nhdr[dir] = 0;
			if (tls_record_header(t->hdr[dir], TLS_RECORD_HEADER,
			    &r) != 1)
				return false;	/* lost its way: stop */
			if (t->done)
				take_after(t, dir, &r, fr);
			else
				take_record(t, dir, &r, data,
				    len < r.len ? len : r.len, fr);
			t->left[dir] = r.len;
		}
		take = len < t->left[dir] ? len : t->left[dir];
		t->left[dir] -= (uint16_t)take;
		data += take;
		len -= take;
	}
	/* the gateway's side says no more once it closed */
	return !(dir == 0 && t->gw_close.number != 0 && t->done);
}

bool
tlsconn_gap(struct flow *fl, uint32_t ci, int dir, uint64_t n)
{
	struct conn_tls *t = tls_of(fl, ci);

	if (t->nhdr[dir] != 0 || n > t->left[dir])
		return false;
	t->left[dir] -= (uint16_t)n;
	return true;
}
