/*
 * fuzz_flow.c: the TCP reassembler and HTTP state machine (flow_feed →
 * stream.c), the DNS log and ICMP matching, then the diagnosis on top.
 *
 * Input: 1 byte of setup, then records of 6 header bytes + payload:
 *   0  kind: bits 0-1 what (0,1 TCP; 2 UDP DNS; 3 ICMP error quoting the
 *      connection), bits 2-3 connection slot, bit 4 direction (0: from the
 *      side that opens), bit 5 truncated capture (wire length > captured),
 *      bits 6-7 time step (0, 1 ms, 1 s, 200 s)
 *   1  TCP flags (FIN SYN RST PSH ACK = 0x01 0x02 0x04 0x08 0x10); ICMP code;
 *      0x20: the seq delta counts in units of 64 KiB (jumps up to ±2^31)
 *   2-3 seq delta, signed, relative to the next byte of that direction
 *   4  ack delta, signed, relative to the peer's next byte
 *   5  payload length (0..255, cut to what is left)
 * Slots: 0 and 2 are clients of the proxy port 9090, 1 and 3 are the
 * gateway talking to an upstream web server on port 80; 0-1 are IPv4,
 * 2-3 IPv6 (DNS: the gateway
 * asking 10.0.0.53). Setup byte bit 0 shrinks the flow limits so that the
 * limit paths run; bit 1 runs the diagnosis every 8 records, as the TUI
 * does while loading; bit 2 then also retires every other settled
 * transaction (diag_retire), as a streamed report or live view does. A record stream made from real captures is in the
 * seeds (mkseeds.c).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"
#include "diag/ladder.h"
#include "flow/flow.h"

#include "fuzz_common.h"

struct slot {
	struct gw_addr a, b;	/* a opens the connection */
	uint16_t pa, pb;
	uint32_t next[2];	/* next sequence number per direction */
};

static void
slots_init(struct slot *s)
{
	static const char *addr[4][2] = {
		{ "10.0.0.5", "10.0.0.1" }, { "10.0.0.1", "93.184.216.34" },
		{ "fd00::5", "fd00::1" }, { "fd00::1", "2001:db8::80" },
	};
	static const uint16_t port[4][2] = {
		{ 40000, 9090 }, { 50000, 80 }, { 40001, 9090 }, { 50001, 80 },
	};

	for (int i = 0; i < 4; i++) {
		memset(&s[i], 0, sizeof s[i]);
		if (!addr_parse(addr[i][0], &s[i].a) ||
		    !addr_parse(addr[i][1], &s[i].b))
			abort();
		s[i].pa = port[i][0];
		s[i].pb = port[i][1];
		s[i].next[0] = 1000u * (uint32_t)(i + 1);
		s[i].next[1] = 0x80000000u + 5000u * (uint32_t)(i + 1);
	}
}

/* Retires every other settled transaction, as a live view or a streamed
 * report does: the model must stay consistent (checked at the end). */
static void
retire_some(struct diag *dg, struct flow *fl, size_t salt)
{
	uint8_t *retire = calloc(dg->ntxns + 1, 1);
	uint64_t before = diag_total(dg);

	if (retire == NULL)
		abort();
	for (size_t i = 0; i < dg->ntxns; i++)
		retire[i] = (i + salt) % 2;
	(void)diag_retire(dg, fl, retire);
	FUZZ_ASSERT(diag_total(dg) == before);
	for (size_t i = 1; i < dg->ntxns; i++)
		FUZZ_ASSERT(dg->txns[i - 1].id < dg->txns[i].id);
	free(retire);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ports[] = { 9090 };
	static const int64_t tstep[4] = { 0, 1000000, 1000000000,
		200000000000LL };
	struct slot s[4];
	struct flow fl;
	struct diag dg;
	struct diag_opts dopts;
	struct frame f;
	struct pkt p;
	uint64_t frameno = 0;
	int64_t now = 1700000000000000000LL;
	size_t pos = 1, nrec = 0;
	uint8_t setup;

	if (size < 1)
		return 0;
	setup = data[0];
	slots_init(s);
	if (flow_init(&fl, ports, 1) != 0)
		abort();
	if (setup & 1) {
		fl.limits.max_conns = 3;
		fl.limits.max_msgs = 6;
		fl.limits.max_dns = 3;
	}
	memset(&dopts, 0, sizeof dopts);
	dopts.statuses[0] = 502;
	dopts.statuses[1] = 503;
	dopts.statuses[2] = 504;
	dopts.nstatuses = 3;
	dopts.timeout_ns = 120LL * 1000000000LL;
	diag_init(&dg, &dopts);

	while (size - pos >= 6) {
		const uint8_t *r = data + pos;
		uint8_t kind = r[0] & 3, si = (r[0] >> 2) & 3;
		int dir = (r[0] >> 4) & 1;
		bool trunc = (r[0] >> 5) & 1;
		int16_t sd = (int16_t)(r[2] << 8 | r[3]);
		int8_t ad = (int8_t)r[4];
		size_t plen = r[5];
		struct slot *c = &s[si];

		pos += 6;
		if (plen > size - pos)
			plen = size - pos;
		now += tstep[r[0] >> 6];
		memset(&f, 0, sizeof f);
		memset(&p, 0, sizeof p);
		f.number = ++frameno;
		f.ts_ns = now;
		f.offset = 24 + frameno * 100;
		p.ipver = c->a.family;
		p.src = dir ? c->b : c->a;
		p.dst = dir ? c->a : c->b;
		p.sport = dir ? c->pb : c->pa;
		p.dport = dir ? c->pa : c->pb;
		p.payload = data + pos;
		p.payload_len = (uint32_t)plen;
		p.payload_wire_len = (uint32_t)plen + (trunc ? 1000u : 0u);
		switch (kind) {
		case 0:
		case 1:
			p.l4 = L4_TCP;
			p.tcp_flags = r[1] & 0x1f;
			p.seq = c->next[dir] + ((r[1] & 0x20) ?
			    (uint32_t)sd << 16 : (uint32_t)(int32_t)sd);
			p.ack = c->next[!dir] + (uint32_t)(int32_t)ad;
			if (p.tcp_flags & TCPF_SYN)
				p.seq = c->next[dir] - 1;
			if ((int32_t)(p.seq + p.payload_wire_len -
			    c->next[dir]) > 0)
				c->next[dir] = p.seq + p.payload_wire_len;
			break;
		case 2:
			p.l4 = L4_UDP;
			addr_parse(dir ? "10.0.0.53" : "10.0.0.1", &p.src);
			addr_parse(dir ? "10.0.0.1" : "10.0.0.53", &p.dst);
			p.ipver = 4;
			p.sport = dir ? 53 : (uint16_t)(53000 + si);
			p.dport = dir ? (uint16_t)(53000 + si) : 53;
			break;
		default:
			/* an ICMP error from a router quoting the SYN */
			p.l4 = c->a.family == 6 ? L4_ICMP6 : L4_ICMP;
			p.ipver = c->a.family == 6 ? 6 : 4;
			addr_parse(p.ipver == 6 ? "2001:db8::1" : "192.0.2.1",
			    &p.src);
			p.dst = c->a;
			p.icmp_type = p.ipver == 6 ? 1 : 3;
			p.icmp_code = r[1];
			p.quote.valid = true;
			p.quote.src = c->a;
			p.quote.dst = c->b;
			p.quote.l4 = L4_TCP;
			p.quote.sport = c->pa;
			p.quote.dport = c->pb;
			p.quote.seq = c->next[0] - 1;
			p.payload_len = p.payload_wire_len = 0;
			p.payload = NULL;
			break;
		}
		/* the payload itself must not be read past plen */
		uint8_t *copy = NULL;
		if (p.payload_len > 0) {
			copy = malloc(p.payload_len);
			if (copy == NULL)
				abort();
			memcpy(copy, p.payload, p.payload_len);
			p.payload = copy;
		}
		f.data = p.payload;
		f.caplen = p.payload_len;
		f.wirelen = p.payload_wire_len;
		flow_feed(&fl, &f, &p);
		free(copy);
		pos += plen;
		if ((setup & 2) && ++nrec % 8 == 0) {
			diag_update(&dg, &fl);
			diag_run(&dg, &fl, false);
			if (setup & 4)
				retire_some(&dg, &fl, nrec);
		}
	}
	flow_finish(&fl);
	diag_update(&dg, &fl);
	diag_run(&dg, &fl, true);

	FUZZ_ASSERT(fl.nconns <= fl.limits.max_conns);
	FUZZ_ASSERT(fl.nmsgs <= fl.limits.max_msgs);
	for (size_t i = 0; i < fl.nmsgs; i++) {
		const struct http_msg *m = &fl.msgs[i];
		struct flow_line line;

		FUZZ_ASSERT(m->conn < fl.nconns);
		FUZZ_ASSERT(m->next == NONE32 || m->next < fl.nmsgs);
		FUZZ_ASSERT(strlen(flow_msg_line(&fl, m, &line)) <=
		    FLOW_LINE_MAX);
		(void)strlen(flow_str(&fl, m->target));
	}
	for (size_t i = 0; i < fl.nconns; i++) {
		const struct conn *c = &fl.conns[i];

		/* the first SYN is the first frame, the others later */
		FUZZ_ASSERT(c->nsyn <= CONN_MAX_SYNS);
		for (unsigned k = 0; k < c->nsyn; k++)
			FUZZ_ASSERT(conn_syn(c, k)->number >= c->first.number);
	}
	for (size_t i = 0; i < dg.ntxns; i++) {
		const struct txn *t = &dg.txns[i];
		char sum[512];
		uint64_t frames[32];
		struct ladder l;

		FUZZ_ASSERT(t->req < fl.nmsgs);
		FUZZ_ASSERT(t->resp == NONE32 || t->resp < fl.nmsgs);
		diag_summary(&dg, &fl, t, sum, sizeof sum);
		FUZZ_ASSERT(diag_evidence_frames(&fl, t, fl.stats.last_ts, frames,
		    32) <= 32);
		memset(&l, 0, sizeof l);
		(void)ladder_build(&l, &fl, &dg, t);
		ladder_free(&l);
	}
	diag_free(&dg);
	flow_free(&fl);
	return 0;
}
