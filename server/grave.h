/* grave.h — a family memorial finding its grave.
 *
 * A family admin asks for the memorial to be linked to a burial, naming a
 * cemetery and the plot, or the cemetery's record of the deceased; the
 * cemetery's staff confirm (then the memorial page shows the resting
 * place, as for any record linked to a plot) or refuse. Only a memorial
 * of a family's own record (no funeral agency: its records go through a
 * hand-over, transfer.h) that lies nowhere yet may ask. Rights are the
 * caller's (access.c: grave.ask, grave.decide); SQL is store_grave.c's.
 */
#ifndef SINIAN_GRAVE_H
#define SINIAN_GRAVE_H

#include "err.h"
#include <stddef.h>
#include <stdint.h>

#include "textlimit.h"

struct store;

enum grave_state { GRAVE_PENDING = 0, GRAVE_CONFIRMED, GRAVE_REFUSED };

struct grave_request {
	int64_t id;
	int64_t memorial_id;
	int64_t cemetery_id;
	char section[TEXT_BUF(PLOT_LABEL_MAX)];
	char row[TEXT_BUF(PLOT_LABEL_MAX)];
	char number[TEXT_BUF(PLOT_LABEL_MAX)];
	int64_t record_id; /* the cemetery's record named; 0: none */
	char note[TEXT_BUF(GRAVE_NOTE_MAX)];
	enum grave_state state;
	char reason[TEXT_BUF(GRAVE_NOTE_MAX)];
	int64_t plot_id; /* the plot it lies in once confirmed; 0: none */
	int64_t created_by;
	char created_at[24];
	int64_t decided_by;
	char decided_at[24]; /* "" while pending */
};

const char *grave_state_name(enum grave_state s);
int grave_state_parse(const char *s); /* -1 when unknown */

/* Store r (pending) once its memorial may ask: ERR_NOT_FOUND (memorial or
 * cemetery, e says which), ERR_CONFLICT when its record is an agency's,
 * already lies somewhere, or a request is pending. r->id and created_at
 * are filled in. */
int grave_ask(struct store *st, struct grave_request *r, struct err_detail *e);

/* Confirm pending request id in one transaction: with record_id (the
 * cemetery's record, held by it, lying in one of its plots, with no
 * memorial of its own) the memorial is pointed at that record; else the
 * memorial's own record is linked to plot_id, a plot of the cemetery.
 * ERR_NOT_FOUND, ERR_INVALID, ERR_CONFLICT or ERR_FULL with e; *out is
 * the request as decided. */
int grave_confirm(struct store *st, int64_t id, int64_t record_id,
                  int64_t plot_id, int64_t actor, struct grave_request *out,
                  struct err_detail *e);

/* Refuse pending request id, with a reason ("" allowed). */
int grave_refuse(struct store *st, int64_t id, const char *reason,
                 int64_t actor, struct grave_request *out,
                 struct err_detail *e);

#endif
