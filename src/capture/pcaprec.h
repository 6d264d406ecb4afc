/*
 * pcaprec.h: the records of a classic pcap file parsed in place in a
 * buffer of the file, filled with pread(), instead of libpcap's two freads
 * and a copy per record. libpcap still opens the file (capfile.c) and so
 * still checks its header; this reproduces what libpcap 1.10.3's
 * pcap_next_ex does with each record after that: the same frames,
 * lengths, times, error texts and stopping points (a record it would
 * reject is rejected here with its words, at the same offset), and, like
 * libpcap on a file still being written, what the file holds at the time
 * of each read.
 */
#ifndef GW_PCAPREC_H
#define GW_PCAPREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct pcaprec {
	int fd;			/* the file, read with pread (offsets given) */
	uint8_t *buf;		/* bytes [buf_off, buf_off + end) of the file */
	size_t cap, end;
	uint64_t buf_off;
	bool be;		/* records written big-endian */
	bool swapped;		/* in the other byte order than the host's */
	bool ns;		/* ns timestamps (else µs) */
	unsigned rec_len;	/* record header: 16, or 24 (Kuznetzov) */
	/* caplen and len in the other order: files before version 2.3 and
	 * DG/UX's 543.0 always, 2.3 when caplen > len (as libpcap) */
	enum { PCAPREC_LEN_AS_IS, PCAPREC_LEN_SWAPPED,
	    PCAPREC_LEN_MAYBE_SWAPPED } lengths;
	uint32_t snapshot;	/* libpcap's pcap_snapshot() for the file */
	uint32_t max_caplen;	/* libpcap's largest sane caplen for the DLT */
};

/*
 * Sets r up to read the file open on fd (its 24-byte header in hdr, which
 * libpcap accepted with link type dlt and snapshot length snapshot; its
 * records have rec_len-byte headers and ns or µs timestamps). 0, or -1
 * when libpcap must read the records: it rewrites this link type's
 * (swapped pseudo-headers, the USB length fix-up), or no memory.
 */
int pcaprec_open(struct pcaprec *r, int fd, const uint8_t *hdr,
    unsigned rec_len, bool ns, int dlt, int snapshot);
/*
 * The record at *pos into *f (number and linktype not set; data valid
 * until the next call), *pos moved past it: 1; 0 at the end of the file;
 * -1 with libpcap's reason in err (a truncated or invalid record, a read
 * error; *pos stays on it, so a later call reads it again).
 */
int pcaprec_next(struct pcaprec *r, uint64_t *pos, struct frame *f,
    char *err, size_t errlen);
void pcaprec_close(struct pcaprec *r);

#endif
