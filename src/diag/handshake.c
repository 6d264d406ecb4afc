/*
 * handshake.c: how a gateway's TLS connection to a server failed, read
 * once from what the flow kept of it (conn_tls): link.c takes such a
 * connection for a failed attempt, verdict.c and evidence.c say how it
 * failed. A reverse proxy with HTTPS backends answers 502 (nginx) or 503
 * (HAProxy, after its retries) when the handshake fails.
 */
#include <stdio.h>
#include <string.h>

#include "../proto/tls.h"
#include "diag_int.h"

static const char *const end_keys[] = {
	"", "plain-reply", "server-alert", "gateway-alert", "aborted",
	"gateway-closed", "hello-unanswered", "server-closed"
};

const char *
diag_tls_end_key(enum tls_end how)
{
	return (unsigned)how < sizeof end_keys / sizeof end_keys[0] ?
	    end_keys[how] : "";
}

/* Takes (how, at) when at came by `until` and before what was taken. */
static void
earlier(struct tls_end_at *e, enum tls_end how, const struct frame_ref *at,
    int64_t until)
{
	if (at->number == 0 || at->ts_ns > until ||
	    (e->how != TLS_END_NONE && at->number >= e->at.number))
		return;
	e->how = (uint8_t)how;
	e->at = *at;
}

bool
diag_tls_end(const struct flow *fl, const struct conn *c, int64_t until,
    struct tls_end_at *e)
{
	const struct conn_tls *t = conn_tls(fl, c);
	const struct frame_ref *gw_close, *up_close;

	memset(e, 0, sizeof *e);
	if (t == NULL || t->hello.ts_ns > until ||
	    (t->data.number != 0 && t->data.ts_ns <= until))
		return false;
	if (t->plain_reply)
		earlier(e, TLS_END_PLAIN, &t->server_first, until);
	if (t->alerted[1])
		earlier(e, TLS_END_SERVER_ALERT, &t->alert_at[1], until);
	if (t->alerted[0])
		earlier(e, TLS_END_GATEWAY_ALERT, &t->alert_at[0], until);
	else if (t->aborted)
		earlier(e, TLS_END_ABORTED, &t->alert_at[0], until);
	if (e->how != TLS_END_NONE)
		return true;
	/* no word of why: who closed first, and whether the server had
	 * answered the hello at all */
	gw_close = t->gw_close.number ? &t->gw_close : c->fin[0].number ?
	    &c->fin[0] : (c->rst.number && !c->rst_from_server) ? &c->rst :
	    &c->fin[0];
	up_close = c->fin[1].number ? &c->fin[1] :
	    (c->rst.number && c->rst_from_server) ? &c->rst : &c->fin[1];
	earlier(e, t->server_first.number && t->server_first.ts_ns <= until ?
	    TLS_END_GATEWAY_CLOSED : TLS_END_UNANSWERED, gw_close, until);
	earlier(e, TLS_END_SERVER_CLOSED, up_close, until);
	return e->how != TLS_END_NONE;
}

bool
diag_tls_txn_end(const struct flow *fl, const struct txn *t,
    const struct conn *c, int64_t now_ns, struct tls_end_at *e)
{
	memset(e, 0, sizeof *e);
	/* a tunnel's TLS is its client's, not the gateway's */
	if (c->tls == NONE32 || fl->msgs[t->req].form == HTTP_FORM_AUTHORITY)
		return false;
	return diag_tls_end(fl, c, add_sat(txn_end_ns(fl, t, now_ns),
	    DIAG_SLACK_NS), e);
}

/* The earlier of two frames that came by `until` (a 0 one: none). */
static const struct frame_ref *
first_of(const struct frame_ref *a, const struct frame_ref *b, int64_t until)
{
	bool ha = a->number != 0 && a->ts_ns <= until;
	bool hb = b->number != 0 && b->ts_ns <= until;

	if (ha && hb)
		return a->number < b->number ? a : b;
	return ha ? a : hb ? b : NULL;
}

bool
diag_tls_after(const struct flow *fl, const struct conn *c, int64_t until,
    int64_t answer_ns, enum tls_after *how, struct frame_ref *at)
{
	static const struct frame_ref none;
	const struct conn_tls *t = conn_tls(fl, c);
	const struct frame_ref *up, *gw, *gw_tcp;
	int64_t spoke;

	if (t == NULL || t->data.number == 0 || t->data.ts_ns > until)
		return false;
	up = first_of(&c->fin[1], c->rst.number && c->rst_from_server ?
	    &c->rst : &none, until);
	gw_tcp = first_of(&c->fin[0], c->rst.number && !c->rst_from_server ?
	    &c->rst : &none, until);
	gw = first_of(&t->gw_close, gw_tcp != NULL ? gw_tcp : &none, until);
	if (up != NULL && up->ts_ns <= answer_ns &&
	    (gw == NULL || up->number < gw->number)) {
		*how = TLS_AFTER_CLOSED;
		*at = *up;
		return true;
	}
	spoke = t->server_last.number != 0 && t->server_last.ts_ns <= until &&
	    t->server_last.ts_ns > t->data.ts_ns ? t->server_last.ts_ns :
	    t->data.ts_ns;
	if (answer_ns - spoke >= DIAG_TLS_SILENT_NS) {
		*how = TLS_AFTER_SILENT;
		*at = gw != NULL ? *gw : t->data;
		return true;
	}
	*how = TLS_AFTER_REPLIED;
	*at = t->server_last.number ? t->server_last : t->data;
	return true;
}

/* Certificate alerts (RFC 8446 6.2): the gateway did not accept it. */
static bool
certificate_alert(uint8_t desc)
{
	return (desc >= 42 && desc <= 46) || desc == 48;
}

static void
alert_words(uint8_t desc, char *out, size_t outlen)
{
	const char *name = tls_alert_name(desc);

	snprintf(out, outlen, "alert %u%s%s%s", desc, *name ? " (" : "",
	    name, *name ? ")" : "");
}

void
diag_tls_explain(const struct flow *fl, const struct conn *c,
    const struct tls_end_at *e, char *out, size_t outlen)
{
	const struct conn_tls *t = conn_tls(fl, c);
	char dst[ADDR_STRLEN], alert[64], name[TLS_SNI_MAX + 32] = "";
	const char *sni = t ? flow_str(fl, t->sni) : "";
	const char *version = t ? tls_version_name(t->version) : "";

	addr_fmt(&c->saddr, dst, sizeof dst);
	if (*sni)
		snprintf(name, sizeof name, " for the name %s", sni);
	switch (e->how) {
	case TLS_END_PLAIN:
		snprintf(out, outlen, "%s port %u answered the gateway's TLS "
		    "ClientHello in plain text (\"%s\"): it does not speak "
		    "TLS on that port", dst, c->sport,
		    flow_str(fl, t->reply_line));
		break;
	case TLS_END_SERVER_ALERT:
		alert_words(t->alert[1], alert, sizeof alert);
		snprintf(out, outlen, "%s port %u refused the gateway's TLS "
		    "handshake%s with %s", dst, c->sport, name, alert);
		break;
	case TLS_END_GATEWAY_ALERT:
		alert_words(t->alert[0], alert, sizeof alert);
		snprintf(out, outlen, "the gateway refused the TLS handshake "
		    "with %s port %u%s: it sent %s%s", dst, c->sport, name,
		    alert, certificate_alert(t->alert[0]) ? ", it does not "
		    "accept the server's certificate" : "");
		break;
	case TLS_END_ABORTED:
		snprintf(out, outlen, "the gateway gave up the TLS 1.3 "
		    "handshake with %s port %u%s (an encrypted alert before "
		    "its Finished): most often it does not accept the "
		    "server's certificate", dst, c->sport, name);
		break;
	case TLS_END_GATEWAY_CLOSED:
		snprintf(out, outlen, "the %s%shandshake with %s port %u%s "
		    "went through, then the gateway closed the connection "
		    "without sending the request: it did not accept the "
		    "server's certificate (nginx checks it after the "
		    "handshake: issuer, name, dates)", version,
		    *version ? " " : "TLS ", dst, c->sport, name);
		break;
	case TLS_END_UNANSWERED:
		snprintf(out, outlen, "%s port %u never answered the gateway's "
		    "TLS ClientHello%s; the gateway closed the connection",
		    dst, c->sport, name);
		break;
	case TLS_END_SERVER_CLOSED:
		snprintf(out, outlen, "%s port %u closed the connection in the "
		    "TLS handshake%s, without an alert", dst, c->sport, name);
		break;
	default:
		snprintf(out, outlen, "%s port %u: TLS", dst, c->sport);
		break;
	}
}
