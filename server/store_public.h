/* store_public.h — SQL for what an agency or a cemetery publishes beside
 * its fee list (commitments, supervision, eco-burial, subsidy), its rating
 * summary, and the complaints about it. Decides nothing: who may read or
 * answer is access.c's. */
#ifndef SINIAN_STORE_PUBLIC_H
#define SINIAN_STORE_PUBLIC_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "store_org.h"
#include "textlimit.h"

struct store;

struct org_public {
	char commitments[TEXT_BUF(ORG_PUBLIC_TEXT_MAX)];
	char supervision[TEXT_BUF(ORG_PUBLIC_TEXT_MAX)];
	char eco_burial[TEXT_BUF(ORG_PUBLIC_TEXT_MAX)];
	char subsidy[TEXT_BUF(ORG_PUBLIC_TEXT_MAX)];
	char updated_at[32]; /* "" when never edited */
};

/* The organisation's text, all "" when never edited. 0 or ERR_DB. */
int store_public_get(struct store *st, enum org_kind k, int64_t id,
                     struct org_public *out);
/* Create or replace it. 0 or ERR_DB. */
int store_public_put(struct store *st, enum org_kind k, int64_t id,
                     const struct org_public *p);

/* Ratings of the organisation: how many and their mean (0 when none). */
int store_public_rating(struct store *st, enum org_kind k, int64_t id,
                        int64_t *count, double *average);

/* Free plots of an eco-burial kind ("tree", "sea") in a cemetery. */
int store_public_eco_free(struct store *st, int64_t cemetery_id,
                          const char *kind, int64_t *free_plots);

/* Sealed contact: crypto_seal output of a CONTACT_TEXT_MAX field. */
#define COMPLAINT_SEALED_MAX 1024

struct complaint {
	int64_t id;
	enum org_kind org_kind;
	int64_t org_id;
	int64_t user_id; /* 0: sent signed out */
	char token_hash[72];
	char contact_enc[COMPLAINT_SEALED_MAX];   /* "" when none given */
	char contact[TEXT_BUF(CONTACT_TEXT_MAX)]; /* opened by the
	                                                  caller; the store
	                                                  never fills it */
	char text[TEXT_BUF(COMPLAINT_TEXT_MAX)];
	bool answered;
	char answer[TEXT_BUF(ANSWER_TEXT_MAX)];
	int64_t answered_by;
	char answered_at[32];
	char created_at[32];
};

/* Insert c (id and created_at are filled in). 0 or ERR_DB. */
int store_public_complaint_insert(struct store *st, struct complaint *c);
/* ERR_NOT_FOUND when absent. */
int store_public_complaint_get(struct store *st, int64_t id,
                               struct complaint *out);
/* Record the answer; ERR_CONFLICT when it was answered already. */
int store_public_complaint_answer(struct store *st, int64_t id,
                                  const char *answer, int64_t by);
/* Newest first, ids below cursor (0: from the newest), at most limit, into
 * a GArray of struct complaint: about one organisation, sent by one user,
 * or all of them. */
int store_public_complaint_list_org(struct store *st, enum org_kind k,
                                    int64_t id, int64_t cursor, int limit,
                                    GArray *out);
int store_public_complaint_list_user(struct store *st, int64_t user_id,
                                     int64_t cursor, int limit, GArray *out);
int store_public_complaint_list_all(struct store *st, int64_t cursor, int limit,
                                    GArray *out);

#endif
