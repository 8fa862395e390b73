/* jsonx.h — small jansson helpers: parse a request body, read validated
 * fields, build the uniform error body.
 *
 * Every reader returns 0, or ERR_INVALID with a sentence for the client in
 * err ("name: must be 1 to 64 characters"). Strings returned are borrowed
 * from the json_t and live as long as it does.
 */
#ifndef SINIAN_JSONX_H
#define SINIAN_JSONX_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "textlimit.h"
#include "err.h"

/* Parse body as a JSON object. *out is a new reference on success. */
int jsonx_parse_object(const char *body, size_t len, json_t **out,
                       struct err_detail *e);

/* Read a string field of min..max UTF-8 characters. When the key is absent
 * and not required, *out is set to dflt. Control characters other than
 * newline and tab are refused. */
int jsonx_str(json_t *obj, const char *key, bool required, size_t min,
              size_t max, const char *dflt, const char **out,
              struct err_detail *e);

/* Read a free-text field of the table in textlimit.h: its key and limits in
 * characters come from the table, so a field read this way is one the
 * tests walk with emoji and CJK. As jsonx_str otherwise. */
int jsonx_text(json_t *obj, enum text_field f, bool required, const char *dflt,
               const char **out, struct err_detail *e);

/* jsonx_text, copied into dst (sized TEXT_BUF of the field's limit);
 * absent and not required: "". */
int jsonx_text_copy(json_t *obj, enum text_field f, bool required, char *dst,
                    size_t dstlen, struct err_detail *e);

/* Read a string field as jsonx_str and copy it into dst, refusing
 * (ERR_INVALID, "key: too long") a value that does not fit dstlen bytes:
 * nothing is cut. absent and not required: dflt (or ""). */
int jsonx_str_copy(json_t *obj, const char *key, bool required, size_t min,
                   size_t max, const char *dflt, char *dst, size_t dstlen,
                   struct err_detail *e);

/* Read an integer field in [min, max]; absent and not required: dflt. */
int jsonx_int(json_t *obj, const char *key, bool required, int64_t min,
              int64_t max, int64_t dflt, int64_t *out, struct err_detail *e);

/* Read a boolean field; absent and not required: dflt. */
int jsonx_bool(json_t *obj, const char *key, bool required, bool dflt,
               bool *out, struct err_detail *e);

/* Read a string that must be one of choices (NULL-terminated array);
 * *out is its index. Absent and not required: *out = dflt. */
int jsonx_enum(json_t *obj, const char *key, bool required,
               const char *const *choices, int dflt, int *out,
               struct err_detail *e);

/* Refuse keys not in allowed (NULL-terminated). */
int jsonx_only(json_t *obj, const char *const *allowed, struct err_detail *e);

/* Number of UTF-8 characters in s (s must be valid UTF-8). */
size_t jsonx_utf8_len(const char *s);

/* Build a list or an object item by item without ever dropping one: add
 * item (stolen) to *arr / set it as key of *obj. A NULL item (a json_pack
 * that failed, on text that is not UTF-8 or out of memory) or a failed
 * add releases the whole container and sets it to NULL, so the response
 * built from it fails as a whole (500) instead of missing a piece. Further
 * calls on a NULL container only release their item. */
void jsonx_push(json_t **arr, json_t *item);
void jsonx_put(json_t **obj, const char *key, json_t *item);

/* A page of a list: {key: items (stolen), "next_cursor": the id of the
 * last row when the page is full (limit rows), else null}. page is the
 * GArray of rows; id_off the offset of their int64_t id. New reference;
 * NULL when items is. */
json_t *jsonx_page(const char *key, json_t *items, const GArray *page,
                   int limit, size_t id_off);

/* Copy src into dst of dstlen bytes cut at a character boundary, never
 * inside a UTF-8 sequence; true when it fitted whole. */
bool jsonx_utf8_copy(char *dst, size_t dstlen, const char *src);

/* {"error":{"code":code,"message":message}} — new reference. Bytes of
 * message that are not UTF-8 (a cut character) become U+FFFD. */
json_t *jsonx_error(const char *code, const char *message);

/* Compact serialisation; caller frees with free(). NULL on failure. */
char *jsonx_dump(const json_t *j, size_t *len);

#endif
