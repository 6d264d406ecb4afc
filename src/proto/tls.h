/*
 * tls.h: the first bytes of a TLS connection (RFC 5246, RFC 8446) as a
 * gateway's upstream connection shows them: record headers, the
 * handshake type a record begins with, the server name a ClientHello
 * asks for (SNI, RFC 6066), the version a ServerHello chose, and alerts
 * sent in the clear. Enough to tell why a handshake failed; nothing is
 * decrypted. Pure functions over a bounded span, no allocation.
 */
#ifndef GW_TLS_H
#define GW_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLS_RECORD_HEADER 5
#define TLS_RECORD_MAX (16384 + 2048)	/* TLSCiphertext's largest */
#define TLS_SNI_MAX 256			/* a host name, NUL included */

enum tls_content {
	TLS_CT_CCS = 20, TLS_CT_ALERT = 21, TLS_CT_HANDSHAKE = 22,
	TLS_CT_APPDATA = 23
};

enum tls_handshake {
	TLS_HS_CLIENT_HELLO = 1, TLS_HS_SERVER_HELLO = 2
};

#define TLS_V12 0x0303
#define TLS_V13 0x0304

struct tls_record {
	uint8_t type;		/* enum tls_content */
	uint16_t version;	/* the record layer's (0x0301 .. 0x0304) */
	uint16_t len;		/* of the body that follows the header */
};

/*
 * The record header at p: 1 when it is one (a known content type, major
 * version 3, a length a record may have), 0 when these bytes are no TLS
 * record, -1 when fewer than TLS_RECORD_HEADER bytes do not tell yet.
 */
int tls_record_header(const uint8_t *p, size_t n, struct tls_record *r);
/* Do the n bytes at p open with a handshake record that begins a
 * ClientHello (its header in *r)? A connection's first bytes so are TLS. */
bool tls_client_hello_record(const uint8_t *p, size_t n,
    struct tls_record *r);
/*
 * A handshake record's body (n bytes, maybe cut): the ClientHello's
 * server name, lower-cased into out (cap bytes, NUL-terminated; bytes
 * outside [a-z0-9.-_] make it no name). true when one was read.
 */
bool tls_client_hello_sni(const uint8_t *body, size_t n, char *out,
    size_t cap);
/*
 * A handshake record's body: the version a ServerHello chose (its
 * supported_versions extension, else its legacy version); 0 when the
 * body is no ServerHello or is cut before the version.
 */
uint16_t tls_server_hello_version(const uint8_t *body, size_t n);
/*
 * The handshake messages a record's body begins with, in order: their
 * types into types (at most max), as far as whole message headers are
 * in the n bytes. Returns how many. Only a body sent in the clear
 * means anything (before its side's ChangeCipherSpec).
 */
size_t tls_handshake_types(const uint8_t *body, size_t n, uint8_t *types,
    size_t max);
/* A handshake message type (RFC 8446 4) as its name, "" when unknown. */
const char *tls_handshake_name(uint8_t type);
/* An alert's description (RFC 8446 6) as its name, "" when unknown. */
const char *tls_alert_name(uint8_t desc);
/* "TLS 1.2" for 0x0303 and so on; "SSL 3.0"; "" for others. */
const char *tls_version_name(uint16_t version);

#endif
