/* store_search.h — SQL for the search keys of memorials: the family's
 * other names (search_alias) and the pinyin the daemon writes
 * (search_latin). The search query itself is store_memorial_search(). */
#ifndef SINIAN_STORE_SEARCH_H
#define SINIAN_STORE_SEARCH_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* A memorial whose pinyin key is still to be written. */
struct search_todo {
	int64_t id;
	char name[512];
	char title[512];
};

/* Up to max memorials with an empty search_latin (a GArray of struct
 * search_todo). 0 or ERR_DB. */
G_GNUC_WARN_UNUSED_RESULT int store_search_todo(struct store *st, int max,
                                                GArray *out);
/* Write a memorial's pinyin key. 0, ERR_NOT_FOUND, ERR_DB. */
G_GNUC_WARN_UNUSED_RESULT int
store_search_set_latin(struct store *st, int64_t id, const char *latin);
/* The family's other names of a memorial into out. 0, ERR_NOT_FOUND,
 * ERR_DB. */
G_GNUC_WARN_UNUSED_RESULT int
store_search_alias_get(struct store *st, int64_t id, char *out, size_t outlen);
/* Set them ("" for none). 0, ERR_NOT_FOUND, ERR_DB. */
G_GNUC_WARN_UNUSED_RESULT int
store_search_alias_set(struct store *st, int64_t id, const char *alias);

#endif
