/*
 * test_prefetch.c: frames read and decoded by the second thread
 * (src/prefetch.c) are those capfile_next and decode_frame give on one
 * thread: the same headers, bytes, decoded fields, positions, end and
 * error text, on the examples, on every corpus capture (many damaged) and
 * on files written here whose frames fill a batch's bytes exactly or
 * overflow it; each TCP payload's head parsed ahead is the parse the flow
 * would make; the thread stops at once when the engine stops early; and
 * the engine's reports are the same with one thread and with two.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit_bytes.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "unit_corpus.h"
#include "unit_tmpdir.h"
#include "capture/capfile.h"
#include "engine.h"
#include "prefetch.h"
#include "proto/dns.h"
#include "proto/http.h"
#include "report/report.h"

static const char *const examples[] = {
	"examples/gw502-lab.pcap",
	"examples/gw502-lab-eth.pcap",
	"examples/gw502-lab-ng.pcapng",
	"examples/gw502-lab-squid.pcap",
	"examples/gw502-hop.pcap",
	"examples/gw502-hop.peer.pcap",
};

/* The pkt with its pointers made offsets into the frame's bytes. */
static void
normalise(struct pkt *p, const uint8_t *data, uint64_t offs[2])
{
	offs[0] = p->payload ? (uint64_t)(p->payload - data) : UINT64_MAX;
	offs[1] = p->frag_data ? (uint64_t)(p->frag_data - data) :
	    UINT64_MAX;
	p->payload = p->frag_data = NULL;
	p->http_pre = NULL;
	p->dns_pre = NULL;
}

/* The head parsed ahead is the parse of the same bytes, the same way. */
static void
check_pre(const struct pkt *p)
{
	const struct http_pre *pre = p->http_pre;
	struct http_head h;
	enum http_result r;
	size_t len;

	if (p->l4 != L4_TCP || p->payload_len == 0) {
		assert_null(pre);
		return;
	}
	assert_non_null(pre);
	len = p->payload_len < HTTP_HEAD_MAX ? p->payload_len : HTTP_HEAD_MAX;
	assert_ptr_equal(pre->data, p->payload);
	assert_int_equal(pre->len, len);
	assert_int_equal(pre->is_request, !(len >= 5 &&
	    memcmp(p->payload, "HTTP/", 5) == 0));
	r = pre->is_request ? http_parse_request(p->payload, len, &h) :
	    http_parse_response(p->payload, len, &h);
	assert_int_equal(pre->result, r);
	if (r == HTTP_OK) {
		assert_string_equal(pre->h.method, h.method);
		assert_string_equal(pre->h.target, h.target);
		assert_string_equal(pre->h.host, h.host);
		assert_int_equal(pre->h.status, h.status);
		assert_int_equal(pre->h.head_len, h.head_len);
		assert_int_equal(pre->h.content_length, h.content_length);
		assert_int_equal(pre->h.chunked, h.chunked);
		assert_int_equal(pre->h.form, h.form);
	} else if (r == HTTP_INVALID) {
		assert_ptr_equal(pre->h.error, h.error);
		assert_int_equal(pre->h.error_at, h.error_at);
	} else {
		assert_int_equal(pre->h.resume, h.resume);
	}
}

/* A look-up decoded ahead is dns_parse of the same bytes. */
static void
check_dns_pre(const struct pkt *p)
{
	const struct dns_pre *pre = p->dns_pre;
	struct dns_msg m;

	if (p->l4 != L4_UDP || p->fragment ||
	    (p->sport != DNS_PORT && p->dport != DNS_PORT)) {
		assert_null(pre);
		return;
	}
	if (pre == NULL)	/* a batch decodes so many, then leaves them */
		return;
	assert_ptr_equal(pre->data, p->payload);
	assert_int_equal(pre->len, p->payload_len);
	assert_int_equal(pre->result, dns_parse(p->payload, p->payload_len,
	    &m));
	if (pre->result != 0)
		return;
	assert_int_equal(pre->m.id, m.id);
	assert_int_equal(pre->m.response, m.response);
	assert_int_equal(pre->m.rcode, m.rcode);
	assert_string_equal(pre->m.qname, m.qname);
	assert_int_equal(pre->m.nanswers, m.nanswers);
	assert_int_equal(pre->m.neg_ttl, m.neg_ttl);
	for (unsigned i = 0; i < m.nanswers; i++) {
		assert_string_equal(pre->m.answers[i].name, m.answers[i].name);
		assert_true(addr_eq(&pre->m.answers[i].addr,
		    &m.answers[i].addr));
	}
}

/* Reads path both ways; the number of frames. */
static uint64_t
compare(const char *path)
{
	char err[512], err2[512];
	struct capfile *one = capfile_open(path, err, sizeof err);
	struct capfile *two = capfile_open(path, err2, sizeof err2);
	const struct prefetch_frame *pf;
	struct prefetch *ahead;
	uint64_t n = 0;
	int r1, r2;

	if (one == NULL) {	/* not a capture: nothing to read ahead */
		assert_null(two);
		assert_string_equal(err, err2);
		return 0;
	}
	assert_non_null(two);
	ahead = prefetch_start(two);
	assert_non_null(ahead);
	assert_int_equal(prefetch_pos(ahead), capfile_pos(one));
	for (;;) {
		struct frame f;
		struct pkt p, q;
		uint64_t po[2], qo[2];
		enum decode_result dr;

		r1 = capfile_next(one, &f);
		r2 = prefetch_next(ahead, &pf);
		assert_int_equal(r1, r2);
		if (r1 != 1)
			break;
		n++;
		assert_int_equal(pf->f.number, f.number);
		assert_int_equal(pf->f.ts_ns, f.ts_ns);
		assert_int_equal(pf->f.offset, f.offset);
		assert_int_equal(pf->f.caplen, f.caplen);
		assert_int_equal(pf->f.wirelen, f.wirelen);
		assert_int_equal(pf->f.linktype, f.linktype);
		assert_true(f.caplen == 0 ||
		    memcmp(pf->f.data, f.data, f.caplen) == 0);
		assert_int_equal(pf->end_pos, capfile_pos(one));
		assert_int_equal(prefetch_pos(ahead), capfile_pos(one));
		dr = decode_frame(f.linktype, f.data, f.caplen, &p);
		assert_int_equal(pf->result, dr);
		if (dr != DECODE_OK)
			continue;
		check_pre(&pf->p);
		check_dns_pre(&pf->p);
		q = pf->p;
		normalise(&p, f.data, po);
		normalise(&q, pf->f.data, qo);
		assert_memory_equal(po, qo, sizeof po);
		assert_memory_equal(&p, &q, sizeof p);
	}
	if (r1 < 0)
		assert_string_equal(prefetch_error(ahead), capfile_error(one));
	/* the end is said again */
	assert_int_equal(prefetch_next(ahead, &pf), r1);
	prefetch_stop(ahead);
	capfile_close(one);
	capfile_close(two);
	return n;
}

static void
test_examples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof examples / sizeof *examples; i++)
		assert_true(compare(examples[i]) > 0);
}

static char *report_of(const char *path, unsigned threads, size_t *len);

/* compare's result does not matter: any capture, any damage */
static void
compare_any(const char *path)
{
	compare(path);
}

/* The same report with one thread and two (heads cut anywhere, look-ups
 * of every shape: what the flow takes parsed ahead and what it parses). */
static void
reports_alike(const char *path)
{
	size_t n1 = 0, n2 = 0;
	char *one = report_of(path, 1, &n1);
	char *two = report_of(path, 2, &n2);

	assert_int_equal(one == NULL, two == NULL);
	assert_int_equal(n1, n2);
	if (one != NULL)
		assert_memory_equal(one, two, n1);
	free(one);
	free(two);
}

static void
test_corpus(void **state)
{
	int n;

	(void)state;
	n = corpus_walk(corpus_dir(), 0, compare_any);
	assert_true(n > 100);
	assert_int_equal(corpus_walk(corpus_dir(), 0, reports_alike), n);
	print_message("corpus: %d files read both ways\n", n);
}

/* A pcap file image (little-endian, µs, Ethernet, snaplen 262144). */
struct img {
	uint8_t d[2 * 1024 * 1024];
	size_t n;
	bool be;
};

UNIT_BYTE_WRITERS(struct img)

static void
record(struct img *b, uint32_t sec, uint32_t caplen)
{
	put32(b, sec);
	put32(b, 0);
	put32(b, caplen);
	put32(b, caplen);
	/* an Ethernet header saying IPv4, then bytes that do not add up */
	for (int i = 0; i < 12; i++)
		put8(b, 0x02);
	put8(b, 0x08);
	put8(b, 0x00);
	putfill(b, caplen - 14, 0x45);
}

static const char *
write_img(const char *dir, const struct img *b)
{
	static char path[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/big.pcap", dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(b->d, 1, b->n, fp), b->n);
	assert_int_equal(fclose(fp), 0);
	return path;
}

/*
 * Frames whose bytes fill a batch exactly (4 x 65536 = its 256 KiB), one
 * that does not fit beside others and waits for the next batch, the
 * largest frame libpcap takes (262144 bytes) alone, then small ones; a
 * file cut inside the last record ends both readers with the same error.
 */
static void
test_batch_bytes(void **state)
{
	static struct img b;
	static const uint32_t sizes[] = {
		65536, 65536, 65536, 65536, 200000, 100000, 262144, 64, 262144,
		60, 70, 80,
	};
	char dir[64];
	const char *path;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/gw-prefetch-XXXXXX");
	assert_non_null(mkdtemp(dir));
	memset(&b, 0, sizeof b);
	put32(&b, 0xa1b2c3d4);
	put16(&b, 2);
	put16(&b, 4);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 262144);
	put32(&b, 1);
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
		record(&b, (uint32_t)(1000 + i), sizes[i]);
	path = write_img(dir, &b);
	assert_int_equal(compare(path), sizeof sizes / sizeof *sizes);
	b.n -= 30;	/* the last record cut */
	path = write_img(dir, &b);
	assert_int_equal(compare(path), sizeof sizes / sizeof *sizes - 1);
	tmpdir_remove(dir);
}

/* Stopped after a few frames, with batches full and the thread waiting. */
static void
test_stop_early(void **state)
{
	char err[512];
	struct capfile *cf = capfile_open(examples[0], err, sizeof err);
	const struct prefetch_frame *pf;
	struct prefetch *ahead;

	(void)state;
	assert_non_null(cf);
	ahead = prefetch_start(cf);
	assert_non_null(ahead);
	for (int i = 0; i < 3; i++)
		assert_int_equal(prefetch_next(ahead, &pf), 1);
	assert_int_equal(pf->f.number, 3);
	prefetch_stop(ahead);
	capfile_close(cf);
}

/* The whole report (every request, JSON) of path with threads. */
static char *
report_of(const char *path, unsigned threads, size_t *len)
{
	struct engine_opts eo;
	struct report_opts ro;
	struct engine e;
	char err[512];
	char *buf = NULL;
	FILE *out = open_memstream(&buf, len);

	assert_non_null(out);
	engine_default_opts(&eo);
	eo.threads = threads;
	eo.settled_only = true;
	if (engine_open(&e, path, &eo, err, sizeof err) != 0) {
		fclose(out);
		free(buf);
		return NULL;	/* not a capture: both ways alike */
	}
	while (engine_step(&e, 1000) == 1)
		engine_diagnose(&e);
	engine_diagnose(&e);
	memset(&ro, 0, sizeof ro);
	ro.all = true;
	report_all(out, &e, &ro, true);
	assert_int_equal(fclose(out), 0);
	engine_close(&e);
	return buf;
}

static void
test_reports_alike(void **state)
{
	(void)state;
	/* the last is the next hop's capture: no request of the gateway's */
	for (size_t i = 0; i + 1 < sizeof examples / sizeof *examples; i++) {
		size_t n1, n2;
		char *one = report_of(examples[i], 1, &n1);
		char *two = report_of(examples[i], 2, &n2);

		assert_true(n1 > 100);
		assert_int_equal(n1, n2);
		assert_memory_equal(one, two, n1);
		free(one);
		free(two);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_batch_bytes),
		cmocka_unit_test(test_stop_early),
		cmocka_unit_test(test_reports_alike),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
