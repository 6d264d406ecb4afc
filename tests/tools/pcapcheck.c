/*
 * pcapcheck.c: reads a pcap back through libpcap and prints what the
 * end-to-end tests assert: "frames=N linktype=L precision=micro|nano
 * first=SEC.FRAC last=SEC.FRAC". Exit 1 if libpcap cannot read it all.
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>

/* libpcap scales times to what we ask for; the file says its own. */
static int
file_is_nano(const char *path)
{
	unsigned char m[4] = { 0 };
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return 0;
	if (fread(m, 1, 4, f) != 4)
		m[0] = 0;
	fclose(f);
	return (m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d) ||
	    (m[0] == 0x4d && m[1] == 0x3c && m[2] == 0xb2 && m[3] == 0xa1);
}

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t n = 0;
	long fs = 0, ff = 0, ls = 0, lf = 0;
	pcap_t *p;
	int r, nano;

	if (argc != 2) {
		fputs("usage: pcapcheck FILE\n", stderr);
		return 2;
	}
	p = pcap_open_offline_with_tstamp_precision(argv[1],
	    PCAP_TSTAMP_PRECISION_NANO, err);
	if (p == NULL) {
		fprintf(stderr, "pcapcheck: %s\n", err);
		return 1;
	}
	nano = file_is_nano(argv[1]);
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		if (n++ == 0) {
			fs = (long)h->ts.tv_sec;
			ff = (long)h->ts.tv_usec;
		}
		ls = (long)h->ts.tv_sec;
		lf = (long)h->ts.tv_usec;
	}
	if (r == PCAP_ERROR) {
		fprintf(stderr, "pcapcheck: %s\n", pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	printf("frames=%" PRIu64 " linktype=%d precision=%s first=%ld.%09ld "
	    "last=%ld.%09ld\n", n, pcap_datalink(p), nano ? "nano" : "micro",
	    fs, ff, ls, lf);
	pcap_close(p);
	return 0;
}
