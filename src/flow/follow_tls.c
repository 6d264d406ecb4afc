/*
 * follow_tls.c: a followed connection's TLS records (see follow.h). Each
 * direction's bytes are put in one run, walked record by record until
 * they stop being TLS, and the two lists merged in the order their
 * chunks came. Nothing is decrypted: a record shows its type, its length
 * and, before its side's ChangeCipherSpec, its handshake messages (the
 * ClientHello's server name, the version a ServerHello chose) or alert.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/tls.h"
#include "follow.h"

/* Handshake messages named for one record (a TLS 1.2 server's first
 * flight: ServerHello, Certificate, ServerKeyExchange, ServerHelloDone). */
#define TLS_MSGS_SHOWN 6

void
follow_tls_free(struct follow_tls *ft)
{
	free(ft->bytes[0]);
	free(ft->bytes[1]);
	free(ft->items);
	memset(ft, 0, sizeof *ft);
}

/* Each direction's bytes in one run. */
static int
tls_gather(const struct follow *f, struct follow_tls *ft)
{
	size_t at[2] = { 0, 0 };

	for (size_t i = 0; i < f->nchunks; i++)
		ft->nbytes[f->chunks[i].dir & 1] += f->chunks[i].len;
	for (int d = 0; d < 2; d++)
		if (ft->nbytes[d] != 0 &&
		    (ft->bytes[d] = malloc(ft->nbytes[d])) == NULL)
			return -1;
	for (size_t i = 0; i < f->nchunks; i++) {
		const struct follow_chunk *c = &f->chunks[i];

		memcpy(ft->bytes[c->dir & 1] + at[c->dir & 1],
		    f->data + c->off, c->len);
		at[c->dir & 1] += c->len;
	}
	return 0;
}

/* The chunk of direction dir that holds its byte off: *chunk and *start
 * (the direction's offset of that chunk) move forward only. */
static void
tls_chunk_of(const struct follow *f, uint8_t dir, size_t off,
    uint32_t *chunk, size_t *start)
{
	for (size_t i = *chunk; i < f->nchunks; i++) {
		const struct follow_chunk *c = &f->chunks[i];

		if ((c->dir & 1) != dir)
			continue;
		if (off < *start + c->len) {
			*chunk = (uint32_t)i;
			return;
		}
		*start += c->len;
	}
}

static int
tls_add(struct follow_tls *ft, size_t *cap, const struct follow_tls_item *it)
{
	if (vec_reserve((void **)&ft->items, cap, ft->nitems + 1,
	    sizeof *ft->items, SIZE_MAX) < 0)
		return -1;
	ft->items[ft->nitems++] = *it;
	return 0;
}

/* Direction dir's records, then what is no TLS in it, appended. */
static int
tls_walk(const struct follow *f, struct follow_tls *ft, uint8_t dir,
    size_t *cap)
{
	const uint8_t *b = ft->bytes[dir];
	size_t n = ft->nbytes[dir], off = 0, start = 0;
	uint32_t chunk = 0;
	bool sealed = false;
	struct tls_record r;

	while (off < n) {
		struct follow_tls_item it = { dir, true, sealed, 0,
		    (uint32_t)off, 0 };
		int h = tls_record_header(b + off, n - off, &r);

		tls_chunk_of(f, dir, off, &chunk, &start);
		it.chunk = chunk;
		if (h == 0) {	/* the rest is no TLS */
			it.record = false;
			it.len = (uint32_t)(n - off);
			return tls_add(ft, cap, &it);
		}
		it.len = h < 0 ? (uint32_t)(n - off) :
		    TLS_RECORD_HEADER + (uint32_t)r.len;
		if (tls_add(ft, cap, &it) < 0)
			return -1;
		if (h < 0)
			break;
		sealed |= r.type == TLS_CT_CCS;
		off += it.len;
	}
	return 0;
}

/* The two directions' lists in the order their chunks came. */
static int
tls_merge(struct follow_tls *ft, size_t nfirst)
{
	struct follow_tls_item *m;
	size_t a = 0, b = nfirst, k = 0;

	if (ft->nitems == 0)
		return 0;
	if ((m = malloc(ft->nitems * sizeof *m)) == NULL)
		return -1;
	while (a < nfirst || b < ft->nitems)
		m[k++] = b == ft->nitems || (a < nfirst &&
		    ft->items[a].chunk < ft->items[b].chunk) ?
		    ft->items[a++] : ft->items[b++];
	free(ft->items);
	ft->items = m;
	return 0;
}

/* Do the side that connected's bytes open with a ClientHello? */
static bool
tls_opens_with_hello(const struct follow_tls *ft)
{
	struct tls_record r;

	return tls_client_hello_record(ft->bytes[0], ft->nbytes[0], &r);
}

int
follow_tls_read(const struct follow *f, struct follow_tls *out)
{
	size_t cap = 0, nfirst;

	memset(out, 0, sizeof *out);
	if (tls_gather(f, out) < 0)
		goto fail;
	if (!tls_opens_with_hello(out)) {
		follow_tls_free(out);
		return 0;
	}
	if (tls_walk(f, out, 0, &cap) < 0)
		goto fail;
	nfirst = out->nitems;
	if (tls_walk(f, out, 1, &cap) < 0 || tls_merge(out, nfirst) < 0)
		goto fail;
	return 1;
fail:
	follow_tls_free(out);
	return -1;
}

/* "ClientHello for a.example", "ServerHello choosing TLS 1.2,
 * Certificate" and so on, for a handshake body
 * sent in the clear (avail bytes of it in the capture). */
static void
tls_describe_handshake(const uint8_t *body, size_t avail, char *out,
    size_t outlen)
{
	uint8_t types[TLS_MSGS_SHOWN];
	size_t n = tls_handshake_types(body, avail, types, TLS_MSGS_SHOWN);
	size_t len = 0;

	out[0] = '\0';
	for (size_t k = 0; k < n && len < outlen; k++) {
		const char *name = tls_handshake_name(types[k]);
		char sni[TLS_SNI_MAX];
		uint16_t v;

		len += (size_t)snprintf(out + len, outlen - len, "%s%s",
		    k ? ", " : "", name[0] ? name : "message");
		if (name[0] == '\0' && len < outlen)
			len += (size_t)snprintf(out + len, outlen - len,
			    " %u", types[k]);
		if (k == 0 && types[k] == TLS_HS_CLIENT_HELLO && len < outlen &&
		    tls_client_hello_sni(body, avail, sni, sizeof sni))
			len += (size_t)snprintf(out + len, outlen - len,
			    " for %s", sni);
		if (k == 0 && types[k] == TLS_HS_SERVER_HELLO && len < outlen &&
		    (v = tls_server_hello_version(body, avail)) != 0 &&
		    tls_version_name(v)[0])
			len += (size_t)snprintf(out + len, outlen - len,
			    " choosing %s", tls_version_name(v));
	}
}

void
follow_tls_describe(const struct follow_tls *ft,
    const struct follow_tls_item *it, char *out, size_t outlen)
{
	const uint8_t *p = ft->bytes[it->dir & 1] + it->off;
	size_t have = ft->nbytes[it->dir & 1] - it->off, avail, len;
	char what[384], cut[64] = "";
	struct tls_record r;

	if (tls_record_header(p, have, &r) != 1) {
		snprintf(out, outlen, "TLS: %zu byte%s of a record header, the "
		    "rest not in the capture", have, have == 1 ? "" : "s");
		return;
	}
	avail = have - TLS_RECORD_HEADER < r.len ? have - TLS_RECORD_HEADER :
	    r.len;
	if (avail < r.len)
		snprintf(cut, sizeof cut, ", %zu of them in the capture",
		    avail);
	p += TLS_RECORD_HEADER;
	switch (r.type) {
	case TLS_CT_HANDSHAKE:
		if (it->sealed)
			snprintf(what, sizeof what, "handshake, encrypted");
		else {
			len = (size_t)snprintf(what, sizeof what, "handshake: ");
			tls_describe_handshake(p, avail, what + len,
			    sizeof what - len);
		}
		break;
	case TLS_CT_ALERT:
		if (it->sealed || r.len != 2 || avail < 2) {
			snprintf(what, sizeof what, "alert, encrypted");
			break;
		}
		len = (size_t)snprintf(what, sizeof what, "alert: %s ",
		    p[0] == 1 ? "warning" : p[0] == 2 ? "fatal" : "level?");
		if (tls_alert_name(p[1])[0])
			snprintf(what + len, sizeof what - len, "%s",
			    tls_alert_name(p[1]));
		else
			snprintf(what + len, sizeof what - len, "%u", p[1]);
		break;
	case TLS_CT_CCS:
		snprintf(what, sizeof what, "change cipher spec");
		break;
	default:
		snprintf(what, sizeof what, "application data, encrypted");
		break;
	}
	snprintf(out, outlen, "TLS %s (%u byte%s%s)", what, (unsigned)r.len,
	    r.len == 1 ? "" : "s", cut);
}
