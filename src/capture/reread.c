/*
 * reread.c: reading frames again by their references (reread.h). A thin
 * layer over capfile: it remembers where the reader is, so that frames
 * asked for in file order are read on without seeking, checks that the
 * record found at an offset is the frame the model saw, and bounds ranges.
 */
#include <stdio.h>
#include <string.h>

#include "reread.h"

static int
fail(struct reread *rr, const char *why)
{
	snprintf(rr->err, sizeof rr->err, "%s", why);
	rr->prev = 0;
	return -1;
}

int
reread_open(struct reread *rr, const char *path,
    const struct frame_offsets *offs)
{
	struct frame f;
	int rc;

	memset(rr, 0, sizeof *rr);
	rr->offs = offs;
	if ((rr->cf = capfile_open(path, rr->err, sizeof rr->err)) == NULL)
		return -1;
	/* where frame 1 is (a ring's file may start later), for ranges */
	if ((rc = capfile_next(rr->cf, &f)) == 1) {
		rr->first = frame_ref_of(&f);
		rr->first_offset = f.offset;
		rr->prev = f.number;
	} else if (rc < 0) {
		fail(rr, capfile_error(rr->cf));
		reread_close(rr);
		return -1;
	}
	return 0;
}

void
reread_close(struct reread *rr)
{
	if (rr->cf)
		capfile_close(rr->cf);
	rr->cf = NULL;
	rr->prev = 0;
}

const char *
reread_error(const struct reread *rr)
{
	return rr->err;
}

static int
seek_at(struct reread *rr, uint64_t number, uint64_t offset)
{
	if (offset == UINT64_MAX)
		return fail(rr, "no such frame");
	if (capfile_seek(rr->cf, offset, number) < 0)
		return fail(rr, capfile_error(rr->cf));
	rr->prev = number - 1;
	return 0;
}

int
reread_frame(struct reread *rr, const struct frame_ref *ref, struct frame *f)
{
	char why[160];
	int rc;

	if (rr->cf == NULL || ref->number == 0)
		return fail(rr, "no such frame");
	/* the frame after the one read last: read on */
	if ((rr->prev == 0 || ref->number != rr->prev + 1) &&
	    seek_at(rr, ref->number, frameoff_get(rr->offs, ref)) < 0)
		return -1;
	rr->last = 0;
	rc = capfile_next(rr->cf, f);
	if (rc < 0)
		return fail(rr, capfile_error(rr->cf));
	if (rc == 0 || f->number != ref->number ||
	    (ref->ts_ns != 0 && f->ts_ns != ref->ts_ns)) {
		snprintf(why, sizeof why, "%s: frame %llu not found (the file "
		    "changed since it was read?)", capfile_path(rr->cf),
		    (unsigned long long)ref->number);
		return fail(rr, why);
	}
	rr->prev = f->number;
	return 0;
}

int
reread_range(struct reread *rr, const struct frame_ref *from, uint64_t last)
{
	if (rr->cf == NULL)
		return fail(rr, "no capture file");
	rr->last = last;
	if (from == NULL || from->number == 0)
		from = &rr->first;
	if (from->number == 0)
		return 0;	/* an empty file: nothing to read */
	if (from->number == rr->prev + 1 && rr->prev != 0)
		return 0;
	/* the first frame's offset is known whole, without a table */
	return seek_at(rr, from->number, from == &rr->first ?
	    rr->first_offset : frameoff_get(rr->offs, from));
}

int
reread_next(struct reread *rr, struct frame *f)
{
	int rc;

	if (rr->cf == NULL || rr->first.number == 0)
		return 0;
	rc = capfile_next(rr->cf, f);
	if (rc < 0)
		return fail(rr, capfile_error(rr->cf));
	rr->prev = rc == 1 ? f->number : 0;
	return rc == 1 && (rr->last == 0 || f->number <= rr->last);
}
