/*
 * keyidx.c: the evidence indexes of diag/ — per key (a host name, a
 * server address and port), the items in time order, so that a window
 * [from, to] is found by binary search and walked from end to end: the
 * cost of a look-up is what the window holds, not what the capture holds.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "diag.h"
#include "diag_int.h"

/* Steps an item may be moved back to keep a list in time order; a
 * capture whose clock jumps back further gets approximate windows, not
 * quadratic time. */
#define KEY_SORT_STEPS 64

/* A list's arrays are its own while it holds KEY_INLINE items at most:
 * after the list moved, they are pointed at again. */
static void
key_list_repoint(struct key_list *l)
{
	if (l->cap == KEY_INLINE) {
		l->items = &l->item_in;
		l->ts = &l->ts_in;
	}
}

static void
key_list_free(struct key_list *l)
{
	if (l->cap > KEY_INLINE)
		free(l->ts);	/* the block, items after ts */
}

void
key_free(struct key_index *ki)
{
	for (size_t i = 0; i < ki->nlists; i++)
		key_list_free(&ki->lists[i]);
	free(ki->lists);
	free(ki->slots);
	memset(ki, 0, sizeof *ki);
}

/* Slot of hash: its list's, or the empty one where it would go. */
static size_t
key_slot(const struct key_index *ki, uint32_t hash)
{
	size_t mask = ki->nslots - 1, s = (hash * 2654435761u) & mask;

	while (ki->slots[s] != 0 && ki->lists[ki->slots[s] - 1].hash != hash)
		s = (s + 1) & mask;
	return s;
}

static int
key_rehash(struct key_index *ki)
{
	size_t n = ki->nslots ? ki->nslots * 2 : 1024;
	uint32_t *old = ki->slots;

	ki->slots = calloc(n, sizeof *ki->slots);
	if (ki->slots == NULL) {
		ki->slots = old;
		return -1;
	}
	ki->nslots = n;
	for (size_t i = 0; i < ki->nlists; i++)
		ki->slots[key_slot(ki, ki->lists[i].hash)] = (uint32_t)i + 1;
	free(old);
	return 0;
}

const struct key_list *
key_find(const struct key_index *ki, uint32_t hash)
{
	size_t s;

	if (ki->nslots == 0)
		return NULL;
	s = key_slot(ki, hash);
	return ki->slots[s] ? &ki->lists[ki->slots[s] - 1] : NULL;
}

/* The slots again, for the lists as they are now. */
static void
key_reslot(struct key_index *ki)
{
	if (ki->nslots == 0)
		return;
	memset(ki->slots, 0, ki->nslots * sizeof *ki->slots);
	for (size_t i = 0; i < ki->nlists; i++)
		ki->slots[key_slot(ki, ki->lists[i].hash)] = (uint32_t)i + 1;
}

void
key_remap(struct key_index *ki, const uint32_t *map, size_t old_n)
{
	size_t nlists = 0, seen = 0;

	for (size_t i = 0; i < ki->nlists; i++) {
		struct key_list *l = &ki->lists[i];
		size_t n = 0;

		for (size_t p = 0; p < l->n; p++) {
			uint32_t to = l->items[p] < old_n ? map[l->items[p]] :
			    NONE32;

			if (to == NONE32)
				continue;
			l->items[n] = to;
			l->ts[n++] = l->ts[p];
		}
		l->n = n;
		if (n == 0) {
			key_list_free(l);
			continue;
		}
		if (nlists != i) {
			ki->lists[nlists] = *l;
			key_list_repoint(&ki->lists[nlists]);
		}
		nlists++;
	}
	/* the slots name lists by place: only a list that went moves any */
	if (nlists != ki->nlists) {
		ki->nlists = nlists;
		key_reslot(ki);
	}
	for (size_t i = 0; i < ki->seen && i < old_n; i++)
		seen += map[i] != NONE32;
	ki->seen = seen;
}

static struct key_list *
key_list_for(struct key_index *ki, uint32_t hash)
{
	size_t s;
	struct key_list *l;
	const struct key_list *was;

	if ((ki->nlists + 1) * 2 > ki->nslots && key_rehash(ki) != 0)
		return NULL;
	s = key_slot(ki, hash);
	if (ki->slots[s])
		return &ki->lists[ki->slots[s] - 1];
	was = ki->lists;
	if (ki->nlists >= ki->lists_cap && (ki->nlists >= UINT32_MAX - 1 ||
	    vec_reserve((void **)&ki->lists, &ki->lists_cap, ki->nlists + 1,
	    sizeof *ki->lists, UINT32_MAX - 1) != 0))
		return NULL;
	if (ki->lists != was)
		for (size_t i = 0; i < ki->nlists; i++)
			key_list_repoint(&ki->lists[i]);
	l = &ki->lists[ki->nlists++];
	memset(l, 0, sizeof *l);
	l->hash = hash;
	l->cap = KEY_INLINE;
	key_list_repoint(l);
	ki->slots[s] = (uint32_t)ki->nlists;
	return l;
}

/* Room for one more item: a full list's arrays doubled into one new
 * block, ts then items (a port scan's keys never get one: one item
 * each, 40 bytes a key; issue 13, F2). */
static int
key_list_grow(struct key_list *l)
{
	uint32_t cap = l->cap * 2;
	int64_t *ts;
	uint32_t *items;

	if (l->n < l->cap)
		return 0;
	if (l->cap >= UINT32_MAX / 2 ||
	    (ts = malloc(cap * (sizeof *ts + sizeof *items))) == NULL)
		return -1;
	items = (uint32_t *)(ts + cap);
	memcpy(ts, l->ts, l->n * sizeof *ts);
	memcpy(items, l->items, l->n * sizeof *items);
	key_list_free(l);
	l->ts = ts;
	l->items = items;
	l->cap = cap;
	return 0;
}

int
key_add(struct key_index *ki, uint32_t hash, uint32_t item, int64_t ts)
{
	struct key_list *l = key_list_for(ki, hash);
	size_t p, steps = 0;

	if (l == NULL || key_list_grow(l) != 0)
		return -1;
	for (p = l->n; p > 0 && l->ts[p - 1] > ts && steps < KEY_SORT_STEPS;
	    p--, steps++) {
		l->items[p] = l->items[p - 1];
		l->ts[p] = l->ts[p - 1];
	}
	l->items[p] = item;
	l->ts[p] = ts;
	l->n++;
	return 0;
}

size_t
key_lower(const struct key_list *l, int64_t ts)
{
	size_t lo;

	VEC_LOWER_BOUND(lo, l->n, l->ts[mid] < ts);
	return lo;
}
