/*
 * fuzz_dns.c: the DNS decoder (dns_parse, dns_read_name) on arbitrary
 * bytes, checking the promises of dns.h: bounded output, names that are
 * safe to print (only [a-z0-9-_.] and \DDD escapes), no loop that hangs.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dns.h"

#include "fuzz_common.h"

static void
check_name(const char *name, size_t cap)
{
	size_t n = strnlen(name, cap);

	FUZZ_ASSERT(n < cap);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		FUZZ_ASSERT(c >= 0x21 && c < 0x7f);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_msg *m = calloc(1, sizeof *m);
	char name[DNS_NAME_MAX];
	size_t off;

	if (m == NULL)
		abort();
	if (dns_parse(data, size, m) == 0) {
		check_name(m->qname, sizeof m->qname);
		FUZZ_ASSERT(m->nanswers <= DNS_MAX_ANSWERS);
		for (unsigned i = 0; i < m->nanswers; i++) {
			check_name(m->answers[i].name, DNS_NAME_MAX);
			check_name(m->answers[i].target, DNS_NAME_MAX);
		}
		(void)dns_rcode_name(m->rcode);
		(void)dns_type_name(m->qtype);
	}
	free(m);

	/* a name at every offset the first bytes choose (pointer targets) */
	for (size_t k = 0; k + 1 < size && k < 8; k += 2) {
		off = ((size_t)data[k] << 8 | data[k + 1]) % (size + 1);
		if (dns_read_name(data, size, &off, name, sizeof name) == 0) {
			FUZZ_ASSERT(off <= size);
			check_name(name, sizeof name);
		}
	}
	/* a small output buffer must not be overrun either */
	off = 12;
	if (size > 12)
		(void)dns_read_name(data, size, &off, name, 8);
	return 0;
}
