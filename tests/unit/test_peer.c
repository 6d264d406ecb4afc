/*
 * test_peer.c: the next-hop matcher (src/peer) on small synthetic frames:
 * signatures that survive NAT and tell packets apart, the keys that tie an
 * answer to what it answers, and two tiny captures (one shifted by a known
 * offset, one sharing nothing) through peer_attach.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "engine.h"
#include "peer/peer_int.h"
#include "unit_ip4.h"
#include "unit_tmpdir.h"

static const uint8_t GW[4] = { 10, 0, 0, 1 }, SRV[4] = { 10, 9, 0, 80 };
static const uint8_t NAT[4] = { 192, 168, 7, 1 }, HOP[4] = { 10, 0, 0, 2 };

/* An IPv4/TCP packet (20-byte TCP header) with a payload; its length. */
static size_t
tcp4(uint8_t *b, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
    uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t id,
    const char *payload)
{
	uint8_t t[20 + 256];
	size_t n = payload ? strlen(payload) : 0;

	memset(t, 0, 20);
	t[0] = (uint8_t)(sport >> 8); t[1] = (uint8_t)sport;
	t[2] = (uint8_t)(dport >> 8); t[3] = (uint8_t)dport;
	for (int i = 0; i < 4; i++) {
		t[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		t[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	t[12] = 5 << 4;
	t[13] = flags;
	t[14] = 0xff;
	memcpy(t + 20, payload ? payload : "", n);
	return unit_ip4(b, 6, src, dst, id, 0x4000, t, 20 + n);
}

/* A DNS query (or answer) for a.test with this id, over UDP. */
static size_t
dns4(uint8_t *b, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
    uint16_t dport, uint16_t dnsid, bool answer, uint16_t ipid)
{
	static const uint8_t q[] = { 1, 'a', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1 };
	uint8_t u[8 + 12 + sizeof q];

	memset(u, 0, sizeof u);
	u[0] = (uint8_t)(sport >> 8); u[1] = (uint8_t)sport;
	u[2] = (uint8_t)(dport >> 8); u[3] = (uint8_t)dport;
	u[4] = 0; u[5] = (uint8_t)sizeof u;
	u[8] = (uint8_t)(dnsid >> 8); u[9] = (uint8_t)dnsid;
	u[10] = answer ? 0x81 : 0x01;
	u[11] = answer ? 0x80 : 0;
	u[13] = 1;
	memcpy(u + 20, q, sizeof q);
	return unit_ip4(b, 17, src, dst, ipid, 0x4000, u, sizeof u);
}

static struct peer_sig
sig_of(const uint8_t *b, size_t n)
{
	struct pkt p;
	struct peer_sig s;

	assert_int_equal(decode_ip(b, (uint32_t)n, &p), DECODE_OK);
	assert_true(peer_sig_of(&p, &s));
	return s;
}

static void
test_nat_keeps_the_ident(void **state)
{
	uint8_t a[128], b[128];
	struct peer_sig sa, sb;

	(void)state;
	/* the same SYN, before and after NAT (address and port rewritten) */
	sa = sig_of(a, tcp4(a, GW, 40000, SRV, 80, 1000, 0, TCPF_SYN, 7, NULL));
	sb = sig_of(b, tcp4(b, NAT, 23456, SRV, 80, 1000, 0, TCPF_SYN, 7, NULL));
	assert_int_equal(sa.ident, sb.ident);
	assert_int_equal(sa.kind, PK_TCP);
	/* a retransmission (another IP id) or another ISN is another packet */
	sb = sig_of(b, tcp4(b, GW, 40000, SRV, 80, 1000, 0, TCPF_SYN, 8, NULL));
	assert_int_not_equal(sa.ident, sb.ident);
	sb = sig_of(b, tcp4(b, GW, 40000, SRV, 80, 1001, 0, TCPF_SYN, 7, NULL));
	assert_int_not_equal(sa.ident, sb.ident);
}

static void
test_altered_reply_still_matches(void **state)
{
	uint8_t a[256], b[256];
	struct peer_sig sa, sb;

	(void)state;
	/* the reply's bytes differ, its numbers do not: matched, compared */
	sa = sig_of(a, tcp4(a, SRV, 80, GW, 40000, 5001, 1100,
	    TCPF_ACK | TCPF_PSH, 9, "HTTP/1.1 200 OK\r\n"));
	sb = sig_of(b, tcp4(b, SRV, 80, GW, 40000, 5001, 1100,
	    TCPF_ACK | TCPF_PSH, 9, "HTTP/1.1 502 OK\r\n"));
	assert_int_equal(sa.ident, sb.ident);
	/* a different length is a different segment */
	sb = sig_of(b, tcp4(b, SRV, 80, GW, 40000, 5001, 1100,
	    TCPF_ACK | TCPF_PSH, 9, "HTTP/1.1 200 OK\r\n\r\n"));
	assert_int_not_equal(sa.ident, sb.ident);
}

static void
test_answers_share_the_key(void **state)
{
	uint8_t syn[128], synack[128], rst[128], icmp[256], ic[128];
	struct peer_sig s, sa, sr, si;
	size_t n;

	(void)state;
	s = sig_of(syn, n = tcp4(syn, GW, 40000, SRV, 80, 1000, 0, TCPF_SYN, 7,
	    NULL));
	assert_int_equal(s.key, 0);		/* a SYN answers nothing */
	sa = sig_of(synack, tcp4(synack, SRV, 80, GW, 40000, 5000, 1001,
	    TCPF_SYN | TCPF_ACK, 0, NULL));
	sr = sig_of(rst, tcp4(rst, HOP, 80, GW, 40000, 0, 1001,
	    TCPF_RST | TCPF_ACK, 0, NULL));
	assert_int_equal(sa.key, peer_ack_key(s.seq + 1));
	assert_int_equal(sr.key, peer_ack_key(s.seq + 1));
	assert_int_not_equal(sa.ident, sr.ident);
	assert_int_equal(sr.ttl, 64);
	/* ICMP admin-prohibited quoting the SYN: the same key, its own kind */
	ic[0] = 3; ic[1] = 13;
	memset(ic + 2, 0, 6);
	memcpy(ic + 8, syn, 28);
	si = sig_of(icmp, unit_ip4(icmp, 1, HOP, GW, 0, 0, ic, 8 + 28));
	assert_int_equal(si.kind, PK_ICMP);
	assert_int_equal(si.key, peer_ack_key(s.seq + 1));
	(void)n;
}

static void
test_dns_by_id_and_name(void **state)
{
	uint8_t q[128], qn[128], a[128], other[128];
	struct peer_sig sq, sqn, sa, so;

	(void)state;
	sq = sig_of(q, dns4(q, GW, 5353, SRV, 53, 0x1234, false, 3));
	sqn = sig_of(qn, dns4(qn, NAT, 61000, SRV, 53, 0x1234, false, 3));
	sa = sig_of(a, dns4(a, SRV, 53, GW, 5353, 0x1234, true, 99));
	so = sig_of(other, dns4(other, GW, 5353, SRV, 53, 0x1235, false, 3));
	assert_int_equal(sq.kind, PK_DNS_QUERY);
	assert_int_equal(sa.kind, PK_DNS_ANSWER);
	assert_int_equal(sq.ident, sqn.ident);	/* NAT: same message */
	assert_int_equal(sq.key, sa.key);	/* the answer to it */
	assert_int_not_equal(sq.key, so.key);	/* another id */
}

/* A raw-IP pcap of these packets at these times (µs). */
static void
write_pcap(const char *path, uint8_t pk[][128], const size_t *len,
    const int64_t *us, size_t n)
{
	pcap_t *pd = pcap_open_dead(DLT_RAW, 65535);
	pcap_dumper_t *d;

	assert_non_null(pd);
	d = pcap_dump_open(pd, path);
	assert_non_null(d);
	for (size_t i = 0; i < n; i++) {
		struct pcap_pkthdr h;

		memset(&h, 0, sizeof h);
		h.ts.tv_sec = (time_t)(us[i] / 1000000);
		h.ts.tv_usec = (suseconds_t)(us[i] % 1000000);
		h.caplen = h.len = (uint32_t)len[i];
		pcap_dump((u_char *)d, &h, pk[i]);
	}
	pcap_dump_close(d);
	pcap_close(pd);
}

/* Gateway frames 1-3 and the hop's beside them, one pcapng, one clock. */
static void
export_pair(struct engine *e, const char *dir, size_t len12)
{
	struct frame_ref first = { .number = 1, .ts_ns = 1000000000000LL,
	    .offset_lo = CAPFILE_PCAP_HDR_LEN };
	struct frame_ref last = { .number = 3, .ts_ns = 1000200000000LL,
	    .offset_lo = CAPFILE_PCAP_HDR_LEN + 2 * CAPFILE_PCAP_REC_LEN +
	    len12 };
	/* gateway, hop (same moment once aligned), gateway, hop (+400 µs) … */
	const int64_t want[6] = { 1000000000000LL, 1000000000000LL,
	    1000100000000LL, 1000100400000LL, 1000200000000LL,
	    1000200000000LL };
	char path[300], err[512];
	uint64_t written = 0;
	struct capfile *cf;
	struct frame f;
	int n = 0;

	snprintf(path, sizeof path, "%s/pair.pcapng", dir);
	assert_int_equal(peer_export_pair(e->peer, &first, &last, NULL, path, false,
	    &written, err, sizeof err), 0);
	assert_int_equal(written, 6);
	/* never over an existing file */
	assert_int_equal(peer_export_pair(e->peer, &first, &last, NULL, path, false,
	    &written, err, sizeof err), -1);
	cf = capfile_open(path, err, sizeof err);
	assert_non_null(cf);
	assert_int_equal(capfile_format(cf), CAPFILE_PCAPNG);
	while (capfile_next(cf, &f) == 1) {
		assert_true(n < 6);
		assert_int_equal(f.ts_ns, want[n]);
		assert_int_equal(f.linktype, 101);	/* LINKTYPE_RAW */
		n++;
	}
	assert_int_equal(n, 6);
	capfile_close(cf);
}

static void
test_offset_and_nothing_shared(void **state)
{
	char dir[256], gwp[300], peerp[300], otherp[300], err[512];
	uint8_t gw[3][128], hop[3][128], other[1][128];
	size_t gl[3], hl[3], ol[1];
	int64_t gt[3] = { 1000000000, 1000100000, 1000200000 };
	/* the hop's clock runs 2.5 s ahead; its copies come 30 µs later
	 * (except the middle one, queued 400 µs: the median ignores it) */
	int64_t ht[3] = { 1002500030, 1002600430, 1002700030 };
	int64_t ot[1] = { 1002500000 };
	struct engine e;
	struct engine_opts o;
	struct peer_pairing pp;
	struct peer_sighting seen;
	struct frame_ref ref = { 0 };

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_peer.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(gwp, sizeof gwp, "%s/gw.pcap", dir);
	snprintf(peerp, sizeof peerp, "%s/hop.pcap", dir);
	snprintf(otherp, sizeof otherp, "%s/other.pcap", dir);
	for (int i = 0; i < 3; i++) {
		gl[i] = tcp4(gw[i], GW, 40000, SRV, 80, 1000 + (uint32_t)i,
		    0, TCPF_SYN, (uint16_t)(7 + i), NULL);
		/* through NAT */
		hl[i] = tcp4(hop[i], NAT, 23456, SRV, 80, 1000 + (uint32_t)i,
		    0, TCPF_SYN, (uint16_t)(7 + i), NULL);
	}
	ol[0] = tcp4(other[0], GW, 40000, SRV, 80, 77, 0, TCPF_SYN, 1, NULL);
	write_pcap(gwp, gw, gl, gt, 3);
	write_pcap(peerp, hop, hl, ht, 3);
	write_pcap(otherp, other, ol, ot, 1);

	engine_default_opts(&o);
	assert_int_equal(engine_open(&e, gwp, &o, err, sizeof err), 0);
	assert_int_equal(peer_attach(&e, peerp, err, sizeof err), 0);
	assert_true(peer_shares(e.peer));
	peer_pairing(e.peer, &pp);
	assert_int_equal(pp.matched, 3);
	assert_int_equal(pp.offset_ns, 2500030000LL);
	assert_int_equal(pp.spread_ns, 0);
	/* the second gateway frame: seen at the hop as its frame 2 */
	ref.number = 2;
	ref.offset_lo = CAPFILE_PCAP_HDR_LEN + CAPFILE_PCAP_REC_LEN + gl[0];
	assert_true(peer_seen(e.peer, &ref, &seen));
	assert_int_equal(seen.frame, 2);
	assert_int_equal(seen.ts_ns, 1000100400000LL);
	export_pair(&e, dir, gl[0] + gl[1]);
	engine_close(&e);

	assert_int_equal(engine_open(&e, gwp, &o, err, sizeof err), 0);
	assert_int_equal(peer_attach(&e, otherp, err, sizeof err), 0);
	assert_false(peer_shares(e.peer));
	assert_non_null(strstr(peer_status(e.peer), "shares no packet"));
	assert_false(peer_seen(e.peer, &ref, &seen));
	engine_close(&e);
	tmpdir_remove(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nat_keeps_the_ident),
		cmocka_unit_test(test_altered_reply_still_matches),
		cmocka_unit_test(test_answers_share_the_key),
		cmocka_unit_test(test_dns_by_id_and_name),
		cmocka_unit_test(test_offset_and_nothing_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
