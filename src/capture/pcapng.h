/*
 * pcapng.h: our own pcapng block reader, internal to capture/.
 * libpcap 1.10 refuses files whose interfaces differ in link type or
 * snapshot length (DESIGN §8); this reader takes every interface as it is.
 * It borrows a buffered FILE from the caller and reads it sequentially,
 * one block at a time, into one buffer it owns.
 */
#ifndef GW_PCAPNG_H
#define GW_PCAPNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frame.h"

/* Largest block we accept: bounds the buffer a damaged length could ask. */
#define PCAPNG_MAX_BLOCK (16u * 1024 * 1024)

struct pcapng;

/*
 * Reads and checks the section header at the start of fp (positioned at 0).
 * Error messages here and below give the reason only, not the file name.
 */
struct pcapng *pcapng_open(FILE *fp, char *err, size_t errlen);
/*
 * 1: *f holds the next packet (f->number is left to the caller, `number`
 * only names the frame in messages); 0: end of file; -1: damaged from here.
 * After -1 or 0 the reader stays at the failing block, so a later call
 * retries it (a file still being written may have grown).
 */
int pcapng_next(struct pcapng *r, struct frame *f, uint64_t number,
    char *err, size_t errlen);
/* Continues reading at a block offset seen earlier (or later in the file). */
int pcapng_seek(struct pcapng *r, uint64_t offset, char *err, size_t errlen);
uint64_t pcapng_pos(const struct pcapng *r);
/* 9 once an interface with a resolution finer than 1 µs was seen, else 6. */
int pcapng_ts_digits(const struct pcapng *r);
/* Largest snapshot length of the interfaces seen so far (0: unlimited). */
uint32_t pcapng_snaplen(const struct pcapng *r);
void pcapng_close(struct pcapng *r);

#endif
