/*
 * http.h: HTTP/1.x message heads: request line, status line and the few
 * header fields the diagnosis needs (Host, Content-Length,
 * Transfer-Encoding, Connection). Pure functions over a byte span.
 */
#ifndef GW_HTTP_H
#define GW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_METHOD_MAX 24
#define HTTP_TARGET_MAX 2048
#define HTTP_HOST_MAX 256
#define HTTP_REASON_MAX 64
#define HTTP_CODING_MAX 32
#define HTTP_LINE_MAX 8192	/* longest request/status/header line */
#define HTTP_HEAD_MAX 32768	/* longest head we wait for */

enum http_result {
	HTTP_INCOMPLETE = 0,	/* need more bytes */
	HTTP_OK = 1,		/* a complete, valid head */
	HTTP_INVALID = -1	/* not a valid HTTP/1.x head: see error */
};

enum http_target_form { HTTP_FORM_ORIGIN, HTTP_FORM_ABSOLUTE, HTTP_FORM_AUTHORITY, HTTP_FORM_ASTERISK };

struct http_head {
	bool is_request;
	char method[HTTP_METHOD_MAX];
	char target[HTTP_TARGET_MAX];	/* raw request target, NUL-terminated */
	bool target_truncated;
	enum http_target_form form;
	int version_major, version_minor;
	int status;			/* responses: 100..999 */
	char reason[HTTP_REASON_MAX];
	char host[HTTP_HOST_MAX];	/* Host: header, "" if absent */
	int64_t content_length;		/* -1 when absent */
	bool chunked;
	/* the first transfer coding other than chunked (and identity, which
	 * some still send): squid refuses a reply with one; "" if none */
	char coding[HTTP_CODING_MAX];
	bool conn_close;		/* Connection: close */
	bool conn_keepalive;		/* Connection: keep-alive */
	/* Varnish's X-Varnish (low 32 bits; 0: none): a request's one id
	 * (the backend fetch Varnish sent it for); a response's one id (its
	 * client request's: a miss) or, varnish_hit, its second (the fetch
	 * whose cached object answered: a hit) */
	uint32_t varnish_id;
	bool varnish_hit;
	size_t head_len;		/* bytes up to and including the blank line */
	const char *error;		/* static text when HTTP_INVALID */
	size_t error_at;	/* HTTP_INVALID: where the offending line
				 * starts (0: the request or status line) */
	size_t resume;		/* HTTP_INCOMPLETE: where http_parse_more goes on */
};

/* Parses a request head at the start of buf. */
enum http_result http_parse_request(const uint8_t *buf, size_t len,
    struct http_head *h);
/*
 * Parses a response head. HTTP_INVALID as soon as the bytes seen cannot
 * start a valid status line (so "<html>" is invalid after 5 bytes).
 */
enum http_result http_parse_response(const uint8_t *buf, size_t len,
    struct http_head *h);
/*
 * Goes on with a head that gave HTTP_INCOMPLETE, now that buf (the same
 * bytes, and more) has len bytes: h must hold that earlier result. Only the
 * lines not yet complete are parsed again, so feeding a head in n pieces
 * costs O(length), not O(length * n); the result is the one a parse from
 * scratch gives.
 */
enum http_result http_parse_more(const uint8_t *buf, size_t len,
    struct http_head *h);
/*
 * The host a request names and its port (DESIGN §3): an absolute URL's,
 * a CONNECT's authority, else the Host field's; "" and port 0 when none.
 */
void http_request_host(enum http_target_form form, const char *target,
    const char *host_field, char *host, size_t hostlen, uint16_t *port);
/*
 * A head parsed before anybody asked (by the thread that reads ahead):
 * the bytes a TCP segment starts with, parsed as the head they look like.
 * The flow takes it instead of parsing when it would parse the same
 * bytes (same data, same len) the same way (is_request); the result is
 * then the one its own parse would give, parsing being a pure function.
 */
struct http_pre {
	const uint8_t *data;
	size_t len;
	bool is_request;
	enum http_result result;
	struct http_head h;
	/* a request's http_request_host, when result is HTTP_OK */
	char authority[HTTP_HOST_MAX];
	uint16_t port;
};
/* Parses len bytes at data (at most HTTP_HEAD_MAX) into *pre. */
void http_pre_parse(const uint8_t *data, size_t len, struct http_pre *pre);
/* The first line's text: its length up to the first LF, CR or NUL. */
size_t http_line_text_len(const uint8_t *buf, size_t len);
/* Splits "host[:port]" / "[v6]:port" / absolute URL into host and port.
 * On false, host is as it was or the empty string. */
bool http_split_authority(const char *auth, char *host, size_t hostlen,
    uint16_t *port);
/* Where "://" starts in s, or NULL: strstr's answer, without its cost
 * on the short strings of a URL. */
const char *http_url_sep(const char *s);
/* The path of an absolute URL ("/" when it names none); s itself when it
 * is not one (an origin-form target, a CONNECT's host:port). */
const char *http_url_path(const char *s);
/* For an absolute-form target: host, port (default 80/443 by scheme). */
bool http_url_host(const char *url, char *host, size_t hostlen,
    uint16_t *port);

#endif
