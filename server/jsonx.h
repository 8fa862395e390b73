/* jsonx.h — small jansson helpers: parse a request body, read validated
 * fields, build the uniform error body.
 *
 * Every reader returns 0, or ERR_INVALID with a sentence for the client in
 * err ("name: must be 1 to 64 characters"). Strings returned are borrowed
 * from the json_t and live as long as it does.
 */
#ifndef SINIAN_JSONX_H
#define SINIAN_JSONX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse body as a JSON object. *out is a new reference on success. */
int jsonx_parse_object(const char *body, size_t len, json_t **out, char *err,
                       size_t errlen);

/* Read a string field of min..max UTF-8 characters. When the key is absent
 * and not required, *out is set to dflt. Control characters other than
 * newline and tab are refused. */
int jsonx_str(json_t *obj, const char *key, bool required, size_t min,
              size_t max, const char *dflt, const char **out, char *err,
              size_t errlen);

/* Read an integer field in [min, max]; absent and not required: dflt. */
int jsonx_int(json_t *obj, const char *key, bool required, int64_t min,
              int64_t max, int64_t dflt, int64_t *out, char *err,
              size_t errlen);

/* Read a boolean field; absent and not required: dflt. */
int jsonx_bool(json_t *obj, const char *key, bool required, bool dflt,
               bool *out, char *err, size_t errlen);

/* Read a string that must be one of choices (NULL-terminated array);
 * *out is its index. Absent and not required: *out = dflt. */
int jsonx_enum(json_t *obj, const char *key, bool required,
               const char *const *choices, int dflt, int *out, char *err,
               size_t errlen);

/* Refuse keys not in allowed (NULL-terminated). */
int jsonx_only(json_t *obj, const char *const *allowed, char *err,
               size_t errlen);

/* Number of UTF-8 characters in s (s must be valid UTF-8). */
size_t jsonx_utf8_len(const char *s);

/* {"error":{"code":code,"message":message}} — new reference. */
json_t *jsonx_error(const char *code, const char *message);

/* Compact serialisation; caller frees with free(). NULL on failure. */
char *jsonx_dump(const json_t *j, size_t *len);

#endif
