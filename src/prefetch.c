/*
 * prefetch.c: the reading thread. It fills batches of frames (headers,
 * decoded packets and a copy of their bytes) and hands them over in
 * order; the engine gives a batch back once it took its last frame. Eight
 * batches bound what is read ahead, so memory does not depend on the
 * file, and the thread waits while the engine is busy.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "prefetch.h"
#include "proto/dns.h"
#include "proto/http.h"

#define PF_BATCHES 8
#define PF_FRAMES 256		/* frames per batch: a handover per 256 */
/* a thread waiting for the other is woken once half the ring is ready
 * for it, not at each batch: a wake-up costs as much as a batch's work */
#define PF_WAKE (PF_BATCHES / 2)
#define PF_DATA (256 * 1024)	/* their bytes; grown for one larger frame */
#define PF_DNS 32		/* DNS messages decoded ahead per batch (9 KB
				 * each); more are left to the flow */

struct pf_batch {
	struct prefetch_frame fr[PF_FRAMES];
	size_t n;
	struct http_pre heads[PF_FRAMES];	/* TCP payloads' heads */
	size_t nheads;
	struct dns_pre dns[PF_DNS];
	size_t ndns;
	uint8_t *data;
	size_t data_cap, data_len;
	int end;		/* 1: more follow; else prefetch_next's 0 or -1 */
	bool oom;		/* end -1 because a frame found no memory */
};

struct prefetch {
	struct capfile *cf;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled, emptied;
	struct pf_batch batch[PF_BATCHES];
	size_t head, count;	/* the filled batches: head .. head + count */
	bool stop;
	/* the reader's: a frame read that the full batch had no room for */
	struct frame held;
	bool holding;
	/* the engine's */
	size_t taken;		/* frames of batch[head] taken */
	bool in_batch;		/* batch[head] is being taken */
	bool ended;
	int end;
	bool oom;
	uint64_t pos;
};

/*
 * What the flow would parse first in these bytes, parsed here: most of
 * what it does with a small request is the head's parse, and a look-up's
 * decoding.
 */
static void
parse_ahead(struct pf_batch *b, struct pkt *p)
{
	if (p->l4 == L4_TCP && p->payload_len > 0) {
		http_pre_parse(p->payload, p->payload_len,
		    &b->heads[b->nheads]);
		p->http_pre = &b->heads[b->nheads++];
	} else if (p->l4 == L4_UDP && !p->fragment && b->ndns < PF_DNS &&
	    (p->sport == DNS_PORT || p->dport == DNS_PORT)) {
		dns_pre_parse(p->payload, p->payload_len, &b->dns[b->ndns]);
		p->dns_pre = &b->dns[b->ndns++];
	}
}

/* Copies f into b and decodes it there; false when its bytes do not fit. */
static bool
batch_add(struct pf_batch *b, const struct frame *f, uint64_t end_pos)
{
	struct prefetch_frame *pf;

	if (f->caplen > b->data_cap - b->data_len) {
		uint8_t *grown;

		if (b->n > 0)
			return false;	/* earlier frames point into data */
		grown = realloc(b->data, f->caplen);
		if (grown == NULL)
			return false;
		b->data = grown;
		b->data_cap = f->caplen;
	}
	pf = &b->fr[b->n++];
	pf->f = *f;
	pf->f.data = b->data + b->data_len;
	if (f->caplen)
		memcpy(b->data + b->data_len, f->data, f->caplen);
	b->data_len += f->caplen;
	pf->end_pos = end_pos;
	pf->result = decode_frame(pf->f.linktype, pf->f.data, pf->f.caplen,
	    &pf->p);
	if (pf->result == DECODE_OK)
		parse_ahead(b, &pf->p);
	return true;
}

static void
batch_fill(struct prefetch *pf, struct pf_batch *b)
{
	struct frame f;
	int r;

	b->n = b->nheads = b->ndns = b->data_len = 0;
	b->end = 1;
	b->oom = false;
	if (pf->holding) {
		pf->holding = false;
		if (!batch_add(b, &pf->held, capfile_pos(pf->cf))) {
			b->end = -1;	/* alone in the batch: no memory */
			b->oom = true;
			return;
		}
	}
	while (b->n < PF_FRAMES) {
		r = capfile_next(pf->cf, &f);
		if (r != 1) {
			b->end = r;
			return;
		}
		if (!batch_add(b, &f, capfile_pos(pf->cf))) {
			if (b->n == 0) {
				b->end = -1;
				b->oom = true;
				return;
			}
			/* f's bytes stay valid: nothing is read before the
			 * next batch takes it first */
			pf->held = f;
			pf->holding = true;
			return;
		}
	}
}

static void *
reader(void *arg)
{
	struct prefetch *pf = arg;
	struct pf_batch *b;

	for (;;) {
		pthread_mutex_lock(&pf->mu);
		while (pf->count == PF_BATCHES && !pf->stop)
			pthread_cond_wait(&pf->emptied, &pf->mu);
		if (pf->stop) {
			pthread_mutex_unlock(&pf->mu);
			return NULL;
		}
		b = &pf->batch[(pf->head + pf->count) % PF_BATCHES];
		pthread_mutex_unlock(&pf->mu);

		batch_fill(pf, b);	/* a batch not counted is the reader's */

		pthread_mutex_lock(&pf->mu);
		pf->count++;
		if (pf->count >= PF_WAKE || b->end != 1)
			pthread_cond_signal(&pf->filled);
		pthread_mutex_unlock(&pf->mu);
		if (b->end != 1)
			return NULL;
	}
}

static void
prefetch_free(struct prefetch *pf)
{
	for (size_t i = 0; i < PF_BATCHES; i++)
		free(pf->batch[i].data);
	free(pf);
}

struct prefetch *
prefetch_start(struct capfile *cf)
{
	struct prefetch *pf = calloc(1, sizeof *pf);

	if (pf == NULL)
		return NULL;
	pf->cf = cf;
	pf->pos = capfile_pos(cf);
	for (size_t i = 0; i < PF_BATCHES; i++) {
		pf->batch[i].data = malloc(PF_DATA);
		if (pf->batch[i].data == NULL) {
			prefetch_free(pf);
			return NULL;
		}
		pf->batch[i].data_cap = PF_DATA;
	}
	if (pthread_mutex_init(&pf->mu, NULL) != 0) {
		prefetch_free(pf);
		return NULL;
	}
	if (pthread_cond_init(&pf->filled, NULL) != 0 ||
	    pthread_cond_init(&pf->emptied, NULL) != 0 ||
	    pthread_create(&pf->thread, NULL, reader, pf) != 0) {
		/* destroying a condition never initialised is harmless on
		 * glibc but not promised: only what was made is undone */
		pthread_mutex_destroy(&pf->mu);
		prefetch_free(pf);
		return NULL;
	}
	return pf;
}

/* Gives batch[head] back to the reader. */
static void
release_head(struct prefetch *pf)
{
	pthread_mutex_lock(&pf->mu);
	pf->head = (pf->head + 1) % PF_BATCHES;
	pf->count--;
	if (pf->count <= PF_BATCHES - PF_WAKE)
		pthread_cond_signal(&pf->emptied);
	pthread_mutex_unlock(&pf->mu);
	pf->in_batch = false;
}

int
prefetch_next(struct prefetch *pf, const struct prefetch_frame **out)
{
	struct pf_batch *b;

	while (!pf->ended) {
		if (!pf->in_batch) {
			pthread_mutex_lock(&pf->mu);
			while (pf->count == 0)
				pthread_cond_wait(&pf->filled, &pf->mu);
			pthread_mutex_unlock(&pf->mu);
			pf->in_batch = true;
			pf->taken = 0;
		}
		b = &pf->batch[pf->head];
		if (pf->taken < b->n) {
			*out = &b->fr[pf->taken++];
			pf->pos = (*out)->end_pos;
			return 1;
		}
		if (b->end != 1) {
			pf->ended = true;
			pf->end = b->end;
			pf->oom = b->oom;
		}
		release_head(pf);
	}
	return pf->end;
}

const char *
prefetch_error(const struct prefetch *pf)
{
	return pf->oom ? "out of memory" : capfile_error(pf->cf);
}

uint64_t
prefetch_pos(const struct prefetch *pf)
{
	return pf->pos;
}

void
prefetch_stop(struct prefetch *pf)
{
	if (pf == NULL)
		return;
	pthread_mutex_lock(&pf->mu);
	pf->stop = true;
	pthread_cond_signal(&pf->emptied);
	pthread_mutex_unlock(&pf->mu);
	pthread_join(pf->thread, NULL);
	pthread_cond_destroy(&pf->filled);
	pthread_cond_destroy(&pf->emptied);
	pthread_mutex_destroy(&pf->mu);
	prefetch_free(pf);
}
