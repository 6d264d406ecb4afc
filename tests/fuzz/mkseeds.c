/*
 * mkseeds.c: turns captures into seed inputs for the harnesses, using the
 * project's own reader and decoders:
 *   OUT/dns/     UDP payloads to or from port 53
 *   OUT/http/    the first bytes of each TCP direction (byte 0: 0 request,
 *                1 response, as fuzz_http.c reads it)
 *   OUT/packet/  single frames, prefixed with their link type (fuzz_packet)
 *   OUT/flow/    a capture's first TCP/DNS packets as fuzz_flow records
 * Usage: mkseeds OUTDIR CAPTURE...   (files it cannot read are skipped)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/capfile.h"
#include "proto/packet.h"

#define MAX_PER_KIND 400	/* seeds of one kind from one capture */
#define HTTP_SEED_MAX 4096
#define FLOW_SEED_MAX 16384
#define MAX_CONNS 64

static const char *outdir;

static uint64_t
fnv(const uint8_t *d, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ d[i]) * 1099511628211ULL;
	return h;
}

static void
emit(const char *kind, const uint8_t *d, size_t n)
{
	char path[4096];
	FILE *fp;

	if (n == 0)
		return;
	snprintf(path, sizeof path, "%s/%s/%016llx", outdir, kind,
	    (unsigned long long)fnv(d, n));
	if ((fp = fopen(path, "wb")) == NULL)
		return;
	fwrite(d, 1, n, fp);
	fclose(fp);
}

struct tconn {
	struct gw_addr a, b;
	uint16_t pa, pb;
	int slot;		/* fuzz_flow slot, -1: none */
	uint32_t next[2];
	bool next_set[2];
	uint8_t http[2][HTTP_SEED_MAX + 1];
	size_t hlen[2];
};

static bool
is_proxy_port(uint16_t p)
{
	return p == 9090 || p == 9091 || p == 3128 || p == 8080;
}

static void
one_capture(const char *path)
{
	static struct tconn conns[MAX_CONNS];
	static uint8_t flow[FLOW_SEED_MAX], pk[2 + 2048];
	size_t nconns = 0, flen = 1, ndns = 0, npk = 0;
	int client_slots = 0, up_slots = 0;
	int64_t last_ts = 0;
	struct capfile *cf;
	struct frame f;
	struct pkt p;
	char err[512];

	if ((cf = capfile_open(path, err, sizeof err)) == NULL) {
		fprintf(stderr, "mkseeds: %s\n", err);
		return;
	}
	memset(conns, 0, sizeof conns);
	flow[0] = 0;
	while (capfile_next(cf, &f) == 1) {
		/* every 7th frame, as a packet seed */
		if (npk < MAX_PER_KIND && f.number % 7 == 1) {
			uint32_t n = f.caplen < 2048 ? f.caplen : 2048;

			pk[0] = 0x80 | (uint8_t)(f.linktype >> 8 & 0x7f);
			pk[1] = (uint8_t)f.linktype;
			memcpy(pk + 2, f.data, n);
			emit("packet", pk, 2 + n);
			npk++;
		}
		if (decode_frame(f.linktype, f.data, f.caplen, &p) != DECODE_OK)
			continue;
		if (p.l4 == L4_UDP && (p.sport == 53 || p.dport == 53)) {
			if (ndns < MAX_PER_KIND) {
				emit("dns", p.payload, p.payload_len);
				ndns++;
			}
			if (flen + 6 + p.payload_len <= sizeof flow &&
			    p.payload_len < 256) {
				uint8_t *r = flow + flen;
				int dir = p.sport == 53;

				r[0] = (uint8_t)(2 | dir << 4 | 1 << 6);
				r[1] = r[2] = r[3] = r[4] = 0;
				r[5] = (uint8_t)p.payload_len;
				memcpy(r + 6, p.payload, p.payload_len);
				flen += 6 + p.payload_len;
			}
			continue;
		}
		if (p.l4 != L4_TCP)
			continue;
		size_t ci;
		int dir = 0;
		for (ci = 0; ci < nconns; ci++) {
			struct tconn *c = &conns[ci];

			if (addr_eq(&c->a, &p.src) && c->pa == p.sport &&
			    addr_eq(&c->b, &p.dst) && c->pb == p.dport) {
				dir = 0;
				break;
			}
			if (addr_eq(&c->b, &p.src) && c->pb == p.sport &&
			    addr_eq(&c->a, &p.dst) && c->pa == p.dport) {
				dir = 1;
				break;
			}
		}
		if (ci == nconns) {
			struct tconn *c;
			bool opener_is_src;

			if (nconns == MAX_CONNS)
				continue;
			c = &conns[nconns++];
			opener_is_src = (p.tcp_flags & (TCPF_SYN | TCPF_ACK)) ==
			    TCPF_SYN || is_proxy_port(p.dport) ||
			    (!is_proxy_port(p.sport) && p.sport > p.dport);
			c->a = opener_is_src ? p.src : p.dst;
			c->b = opener_is_src ? p.dst : p.src;
			c->pa = opener_is_src ? p.sport : p.dport;
			c->pb = opener_is_src ? p.dport : p.sport;
			dir = opener_is_src ? 0 : 1;
			c->slot = -1;
			if (is_proxy_port(c->pb) && client_slots < 2)
				c->slot = 2 * client_slots++;
			else if (!is_proxy_port(c->pb) && up_slots < 2)
				c->slot = 1 + 2 * up_slots++;
		}
		struct tconn *c = &conns[ci];
		if (p.payload_len > 0 && c->hlen[dir] < HTTP_SEED_MAX) {
			size_t n = HTTP_SEED_MAX - c->hlen[dir];

			if (n > p.payload_len)
				n = p.payload_len;
			memcpy(c->http[dir] + 1 + c->hlen[dir], p.payload, n);
			c->hlen[dir] += n;
		}
		if (c->slot < 0)
			continue;
		if (!c->next_set[dir]) {
			c->next[dir] = p.seq + ((p.tcp_flags & TCPF_SYN) ? 1 : 0);
			c->next_set[dir] = true;
		}
		{
			size_t plen = p.payload_len < 255 ? p.payload_len : 255;
			int32_t sd = (int32_t)(p.seq - c->next[dir]);
			int64_t dt = f.ts_ns - last_ts;
			uint8_t *r = flow + flen;

			if (flen + 6 + plen > sizeof flow)
				continue;
			if (sd > 32767 || sd < -32768)
				sd = 0;
			r[0] = (uint8_t)((c->slot << 2) | dir << 4 |
			    (dt > 100000000000LL ? 3 : dt > 500000000 ? 2 :
			    dt > 0 ? 1 : 0) << 6);
			r[1] = p.tcp_flags & 0x1f;
			r[2] = (uint8_t)((uint16_t)sd >> 8);
			r[3] = (uint8_t)sd;
			r[4] = 0;
			r[5] = (uint8_t)plen;
			memcpy(r + 6, p.payload, plen);
			flen += 6 + plen;
			last_ts = f.ts_ns;
			if ((int32_t)(p.seq + plen - c->next[dir]) > 0)
				c->next[dir] = p.seq + (uint32_t)plen;
		}
	}
	for (size_t ci = 0; ci < nconns && ci < MAX_PER_KIND / 2; ci++) {
		for (int d = 0; d < 2; d++) {
			if (conns[ci].hlen[d] == 0)
				continue;
			conns[ci].http[d][0] = (uint8_t)d;
			emit("http", conns[ci].http[d], 1 + conns[ci].hlen[d]);
		}
	}
	if (flen > 1)
		emit("flow", flow, flen);
	capfile_close(cf);
}

int
main(int argc, char **argv)
{
	static const char *kinds[] = { "dns", "http", "packet", "flow" };
	char path[4096];

	if (argc < 2) {
		fprintf(stderr, "usage: mkseeds OUTDIR CAPTURE...\n");
		return 2;
	}
	outdir = argv[1];
	for (size_t k = 0; k < 4; k++) {
		snprintf(path, sizeof path, "%s/%s", outdir, kinds[k]);
		mkdir(path, 0755);
	}
	for (int i = 2; i < argc; i++)
		one_capture(argv[i]);
	return 0;
}
