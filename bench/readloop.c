/*
 * readloop.c: the bare libpcap read loop, the floor gw502tui is measured
 * against: pcap_open_offline, pcap_next_ex, touch each packet (sum its
 * first and last byte so the data is really read), nothing else.
 *
 *   readloop FILE      prints "frames N bytes N sum N"
 *   readloop -b FILE   the same through a 64 KiB stdio buffer (setvbuf, then
 *                      pcap_fopen_offline), as gw502tui's capfile.c reads:
 *                      the plain loop reads in st_blksize (4 KiB) pieces.
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t frames = 0, bytes = 0, sum = 0;
	pcap_t *p;
	int r;

	const char *path;
	int buffered = argc == 3 && strcmp(argv[1], "-b") == 0;

	if (argc != 2 && !buffered) {
		fprintf(stderr, "usage: readloop [-b] FILE\n");
		return 2;
	}
	path = argv[argc - 1];
	if (buffered) {
		FILE *fp = fopen(path, "rb");
		static char buf[64 * 1024];

		if (fp == NULL) {
			perror(path);
			return 1;
		}
		setvbuf(fp, buf, _IOFBF, sizeof buf);
		p = pcap_fopen_offline(fp, err);
	} else {
		p = pcap_open_offline(path, err);
	}
	if (p == NULL) {
		fprintf(stderr, "readloop: %s\n", err);
		return 1;
	}
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		frames++;
		bytes += h->caplen;
		if (h->caplen)
			sum += d[0] + d[h->caplen - 1];
	}
	if (r == PCAP_ERROR) {
		fprintf(stderr, "readloop: %s: %s\n", path, pcap_geterr(p));
		return 1;
	}
	printf("frames %" PRIu64 " bytes %" PRIu64 " sum %" PRIu64 "\n",
	    frames, bytes, sum);
	pcap_close(p);
	return 0;
}
