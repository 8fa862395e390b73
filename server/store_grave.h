/* store_grave.h — SQL for grave requests (grave.h) and the one change a
 * confirmed request by record makes: the memorial's record. Decides
 * nothing. */
#ifndef SINIAN_STORE_GRAVE_H
#define SINIAN_STORE_GRAVE_H

#include <glib.h>
#include <stdint.h>

#include "grave.h"

struct store;

/* Insert r as pending; fills id and created_at. ERR_CONFLICT when one of
 * its memorial is pending. */
int store_grave_insert(struct store *st, struct grave_request *r);
/* ERR_NOT_FOUND when absent. */
int store_grave_get(struct store *st, int64_t id, struct grave_request *out);
/* Decide a pending request; ERR_CONFLICT when it is no longer pending. */
int store_grave_decide(struct store *st, int64_t id, enum grave_state to,
                       int64_t plot_id, const char *reason, int64_t actor);
/* Requests of a memorial, newest first (at most 50). */
int store_grave_list_memorial(struct store *st, int64_t memorial_id,
                              GArray *out);
/* Requests to a cemetery, newest first, of one state or (state < 0) all;
 * at most limit. */
int store_grave_list_cemetery(struct store *st, int64_t cemetery_id, int state,
                              int limit, GArray *out);
/* Point memorial_id at deceased record_id; its pinyin search key is made
 * again from the record's name (search.c refills empty ones). */
int store_grave_set_record(struct store *st, int64_t memorial_id,
                           int64_t record_id);

#endif
