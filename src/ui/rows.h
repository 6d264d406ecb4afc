/*
 * rows.h: the screen's model of a settled transaction (issue 15). Without
 * --keep, a transaction whose story is over is turned into one compact
 * list row and its flow and diag state is retired (diag_retire), so the
 * screen holds a million requests in the memory of their rows. A row
 * keeps what the list shows and the facts the main diagnosis decided once
 * (verdict, cause, summary, flags, elapsed: the screen tells the story
 * --report tells), plus the frames to read again (number and file
 * offset, zigzag-varint deltas) and which of them the diagnosis linked:
 * selecting the row rebuilds a small flow+diag model from those frames
 * (rows_rebuild) that the panes render unchanged.
 */
#ifndef GW_UI_ROWS_H
#define GW_UI_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../diag/diag.h"
#include "../util/vec.h"

struct engine;

#define ROW_ERROR 0x01u		/* status in --status, or no answer */
#define ROW_MASKED 0x02u
#define ROW_AMBIGUOUS 0x04u
#define ROW_SHARED 0x08u
#define ROW_HALF_ANSWERED 0x10u

/* One retired transaction: 56 bytes plus its URL and frames. */
struct row {
	int64_t start_ns;	/* the request's first frame */
	int64_t elapsed_ns;	/* request to answer (or to the client
				 * leaving), as decided when it retired */
	uint32_t id;		/* the transaction's id (txn.id) */
	uint32_t rival;		/* txn.rival: the ambiguity's other request */
	strref url;		/* in rows.str */
	strref host, method, summary;	/* in rows.str, shared (summary:
					 * errors only, else 0) */
	uint32_t client;	/* rows.clients index */
	uint32_t frames;	/* its frame list, offset in rows.refs */
	uint16_t status;
	uint8_t verdict, cause, flags;
};

struct ui_rows {
	struct row *rows;	/* by id, ascending */
	size_t n, cap;
	size_t nstaged;		/* rows[n..n+nstaged): not listed yet */
	struct strpool str;
	strref *shared;		/* open addressing: host, method, summary */
	size_t nshared, shared_slots;
	struct gw_addr *clients;	/* each client address once */
	size_t nclients, clients_cap;
	uint32_t *client_slots;	/* index + 1; 0: empty */
	size_t client_nslots;
	uint8_t *refs;		/* encoded frame lists */
	size_t refs_len, refs_cap;
};

/* What the list shows of a row, retired or still in the model. */
struct row_view {
	uint32_t id;
	uint16_t status;
	uint8_t verdict, cause;
	bool is_error;
	int64_t start_ns, elapsed_ns;
	const char *url, *host, *method;	/* raw: escape to show */
	const char *summary;	/* the diagnosis' sentence, "": say it from
				 * the model (no cause, or not retired) */
	const struct gw_addr *client;
};

void rows_free(struct ui_rows *rs);
/*
 * Turns settled, final transaction t of the model into a row (before
 * diag_retire forgets it): 0, or -1 (memory; nothing added). The row is
 * staged: not one of the n listed until rows_commit, so that the list
 * and its row indices hold while a retirement goes on in steps.
 */
int rows_stage(struct ui_rows *rs, const struct diag *dg,
    const struct flow *fl, const struct txn *t);
/* The staged rows join the list in id order (indices change). */
void rows_commit(struct ui_rows *rs);
/* The staged rows are dropped (their retirement did not happen). */
static inline void rows_unstage(struct ui_rows *rs)
{
	rs->nstaged = 0;
}
/* Row i, or a transaction of the model, as the list shows it. */
void rows_view(const struct ui_rows *rs, size_t i, struct row_view *v);
void rows_txn_view(const struct flow *fl, const struct txn *t,
    struct row_view *v);
/* The row with this id, or SIZE_MAX. */
size_t rows_by_id(const struct ui_rows *rs, uint32_t id);
/* The id of the first row keeping frame `number`, 0: none. */
uint32_t rows_id_of_frame(const struct ui_rows *rs, uint64_t number);
/* Row i's frame numbers, ascending; returns how many were written. */
size_t rows_frame_numbers(const struct ui_rows *rs, size_t i, uint64_t *out,
    size_t max);
/*
 * Reads row i's frames again from the capture at `path` into *mini (a
 * fresh engine with main's options, closed by the caller with
 * engine_close after taking back `peer`) and gives its transaction the
 * row's diagnosis. *ti: that transaction's index in mini->diag. 0, or -1
 * with one line in err.
 */
int rows_rebuild(const struct ui_rows *rs, size_t i, const char *path,
    const struct engine *main, struct engine *mini, uint32_t *ti, char *err,
    size_t errlen);

#endif
