/*
 * tls.c: TLS record headers, the hellos' server name and version, alert
 * names. Every read checks the span first: a ClientHello cut by the
 * snap length or split over segments gives no name, never a wrong one.
 */
#include <string.h>

#include "decode_int.h"
#include "tls.h"

#define EXT_SERVER_NAME 0
#define EXT_SUPPORTED_VERSIONS 43
#define HELLO_RANDOM 32

int
tls_record_header(const uint8_t *p, size_t n, struct tls_record *r)
{
	if (n < TLS_RECORD_HEADER)
		return -1;
	if (p[0] < TLS_CT_CCS || p[0] > TLS_CT_APPDATA || p[1] != 3 ||
	    p[2] > 4 || rd16(p + 3) == 0 || rd16(p + 3) > TLS_RECORD_MAX)
		return 0;
	r->type = p[0];
	r->version = rd16(p + 1);
	r->len = rd16(p + 3);
	return 1;
}

bool
tls_client_hello_record(const uint8_t *p, size_t n, struct tls_record *r)
{
	return tls_record_header(p, n, r) == 1 && r->type == TLS_CT_HANDSHAKE &&
	    n > TLS_RECORD_HEADER && p[TLS_RECORD_HEADER] == TLS_HS_CLIENT_HELLO;
}

/* A cursor over a bounded span: each take fails once it would pass end. */
struct span {
	const uint8_t *p, *end;
};

static bool
skip(struct span *s, size_t n)
{
	if ((size_t)(s->end - s->p) < n)
		return false;
	s->p += n;
	return true;
}

static bool
take16(struct span *s, uint16_t *v)
{
	if (s->end - s->p < 2)
		return false;
	*v = rd16(s->p);
	s->p += 2;
	return true;
}

/* A vector with a length of `width` bytes (1 or 2): its contents. */
static bool
take_vec(struct span *s, unsigned width, struct span *in)
{
	uint16_t len;

	if (width == 1) {
		if (s->p >= s->end)
			return false;
		len = *s->p++;
	} else if (!take16(s, &len)) {
		return false;
	}
	in->p = s->p;
	in->end = s->p + ((size_t)(s->end - s->p) < len ?
	    (size_t)(s->end - s->p) : len);
	return skip(s, len);
}

/*
 * The extensions of a hello of type `type` (its handshake header, version,
 * random and session id skipped; then for a ClientHello the cipher suites
 * and compression methods, for a ServerHello the one chosen of each).
 */
static bool
hello_extensions(const uint8_t *body, size_t n, uint8_t type,
    uint16_t *legacy, struct span *ext)
{
	struct span s = { body, body + n }, v;
	uint32_t hs_len;

	if (n < 4 || body[0] != type)
		return false;
	hs_len = (uint32_t)body[1] << 16 | (uint32_t)body[2] << 8 | body[3];
	s.p += 4;
	if (hs_len < (size_t)(s.end - s.p))
		s.end = s.p + hs_len;
	if (!take16(&s, legacy) || !skip(&s, HELLO_RANDOM) ||
	    !take_vec(&s, 1, &v))
		return false;
	if (type == TLS_HS_CLIENT_HELLO) {
		if (!take_vec(&s, 2, &v) || !take_vec(&s, 1, &v))
			return false;
	} else if (!skip(&s, 3)) {
		return false;
	}
	return take_vec(&s, 2, ext) || (ext->p = ext->end = s.p, true);
}

/* The next extension of ext: its type and contents. */
static bool
next_extension(struct span *ext, uint16_t *type, struct span *data)
{
	return take16(ext, type) && take_vec(ext, 2, data);
}

static bool
host_byte(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '.' || c == '-' || c == '_';
}

bool
tls_client_hello_sni(const uint8_t *body, size_t n, char *out, size_t cap)
{
	struct span ext, data, list, name;
	uint16_t legacy, type;

	if (cap == 0)
		return false;
	out[0] = '\0';
	if (!hello_extensions(body, n, TLS_HS_CLIENT_HELLO, &legacy, &ext))
		return false;
	while (next_extension(&ext, &type, &data)) {
		if (type != EXT_SERVER_NAME)
			continue;
		if (!take_vec(&data, 2, &list))
			return false;
		/* the list's entries: type 0 (host_name) and a name */
		while (list.p < list.end) {
			uint8_t kind = *list.p++;
			size_t len, i;

			if (!take_vec(&list, 2, &name))
				return false;
			len = (size_t)(name.end - name.p);
			if (kind != 0)
				continue;
			if (len == 0 || len >= cap)
				return false;
			for (i = 0; i < len; i++) {
				uint8_t c = name.p[i];

				if (c >= 'A' && c <= 'Z')
					c = (uint8_t)(c - 'A' + 'a');
				if (!host_byte(c)) {
					out[0] = '\0';
					return false;
				}
				out[i] = (char)c;
			}
			out[len] = '\0';
			return true;
		}
		return false;
	}
	return false;
}

uint16_t
tls_server_hello_version(const uint8_t *body, size_t n)
{
	struct span ext, data;
	uint16_t legacy, type, chosen;

	if (!hello_extensions(body, n, TLS_HS_SERVER_HELLO, &legacy, &ext)) {
		/* cut after the version: the legacy one is all there is */
		return n >= 6 && body[0] == TLS_HS_SERVER_HELLO ?
		    rd16(body + 4) : 0;
	}
	while (next_extension(&ext, &type, &data))
		if (type == EXT_SUPPORTED_VERSIONS && take16(&data, &chosen))
			return chosen;
	return legacy;
}

size_t
tls_handshake_types(const uint8_t *body, size_t n, uint8_t *types,
    size_t max)
{
	size_t k = 0, at = 0;

	/* a message: its type, a 24-bit length, then that many bytes */
	while (k < max && n - at >= 4) {
		types[k++] = body[at];
		at += 4 + ((size_t)body[at + 1] << 16 | (size_t)rd16(body +
		    at + 2));
		if (at > n)
			break;
	}
	return k;
}

const char *
tls_handshake_name(uint8_t type)
{
	switch (type) {
	case 0: return "HelloRequest";
	case TLS_HS_CLIENT_HELLO: return "ClientHello";
	case TLS_HS_SERVER_HELLO: return "ServerHello";
	case 4: return "NewSessionTicket";
	case 5: return "EndOfEarlyData";
	case 8: return "EncryptedExtensions";
	case 11: return "Certificate";
	case 12: return "ServerKeyExchange";
	case 13: return "CertificateRequest";
	case 14: return "ServerHelloDone";
	case 15: return "CertificateVerify";
	case 16: return "ClientKeyExchange";
	case 20: return "Finished";
	case 22: return "CertificateStatus";
	case 24: return "KeyUpdate";
	default: return "";
	}
}

const char *
tls_alert_name(uint8_t desc)
{
	static const struct {
		uint8_t desc;
		const char *name;
	} names[] = {
		{ 0, "close_notify" }, { 10, "unexpected_message" },
		{ 20, "bad_record_mac" }, { 22, "record_overflow" },
		{ 40, "handshake_failure" }, { 42, "bad_certificate" },
		{ 43, "unsupported_certificate" },
		{ 44, "certificate_revoked" }, { 45, "certificate_expired" },
		{ 46, "certificate_unknown" }, { 47, "illegal_parameter" },
		{ 48, "unknown_ca" }, { 49, "access_denied" },
		{ 50, "decode_error" }, { 51, "decrypt_error" },
		{ 70, "protocol_version" }, { 71, "insufficient_security" },
		{ 80, "internal_error" }, { 86, "inappropriate_fallback" },
		{ 90, "user_canceled" }, { 109, "missing_extension" },
		{ 110, "unsupported_extension" }, { 112, "unrecognized_name" },
		{ 113, "bad_certificate_status_response" },
		{ 115, "unknown_psk_identity" }, { 116, "certificate_required" },
		{ 120, "no_application_protocol" },
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].desc == desc)
			return names[i].name;
	return "";
}

const char *
tls_version_name(uint16_t version)
{
	switch (version) {
	case 0x0300: return "SSL 3.0";
	case 0x0301: return "TLS 1.0";
	case 0x0302: return "TLS 1.1";
	case TLS_V12: return "TLS 1.2";
	case TLS_V13: return "TLS 1.3";
	default: return "";
	}
}
