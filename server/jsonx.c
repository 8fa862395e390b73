/* jsonx.c — validated field access over jansson for the API handlers.
 *
 * Owns no state. Used by every api_*.c file to turn a request body into
 * checked C values and to render errors; domain modules never see JSON
 * parsing errors, only values that passed these checks.
 */
#include "jsonx.h"
#include "err.h"
#include "log.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int jsonx_parse_object(const char *body, size_t len, json_t **out,
                       struct err_detail *e)
{
	json_error_t je;
	json_t *j;

	if (!body || len == 0) {
		return err_fail(e, ERR_INVALID, NULL,
		                "request body must be a JSON object");
	}
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		return err_fail(e, ERR_INVALID, NULL,
		                "invalid JSON at line %d column %d: %s",
		                je.line, je.column, je.text);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return err_fail(e, ERR_INVALID, NULL,
		                "request body must be a JSON object");
	}
	*out = j;
	return 0;
}

size_t jsonx_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int missing(const char *key, struct err_detail *e)
{
	return err_fail(e, ERR_INVALID, NULL, "%s: required", key);
}

int jsonx_str(json_t *obj, const char *key, bool required, size_t min,
              size_t max, const char *dflt, const char **out,
              struct err_detail *e)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	size_t n;

	if (!v || json_is_null(v)) {
		if (required)
			return missing(key, e);
		*out = dflt;
		return 0;
	}
	if (!json_is_string(v)) {
		return err_fail(e, ERR_INVALID, NULL, "%s: must be a string",
		                key);
	}
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "%s: must not contain NUL", key);
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) {
			return err_fail(
			    e, ERR_INVALID, NULL,
			    "%s: must not contain control characters", key);
		}
	n = jsonx_utf8_len(s);
	if (n < min || n > max) {
		return err_fail(e, ERR_INVALID, NULL,
		                "%s: must be %zu to %zu characters", key, min,
		                max);
	}
	*out = s;
	return 0;
}

int jsonx_text(json_t *obj, enum text_field f, bool required, const char *dflt,
               const char **out, struct err_detail *e)
{
	const struct text_limit *t = textlimit_get(f);

	return jsonx_str(obj, t->key, required, t->min, t->max, dflt, out, e);
}

int jsonx_text_copy(json_t *obj, enum text_field f, bool required, char *dst,
                    size_t dstlen, struct err_detail *e)
{
	const struct text_limit *t = textlimit_get(f);

	return jsonx_str_copy(obj, t->key, required, t->min, t->max, "", dst,
	                      dstlen, e);
}

int jsonx_str_copy(json_t *obj, const char *key, bool required, size_t min,
                   size_t max, const char *dflt, char *dst, size_t dstlen,
                   struct err_detail *e)
{
	const char *v;
	int rc =
	    jsonx_str(obj, key, required, min, max, dflt ? dflt : "", &v, e);

	if (rc)
		return rc;
	if (strlen(v) >= dstlen) {
		return err_fail(e, ERR_INVALID, NULL, "%s: too long", key);
	}
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

int jsonx_int(json_t *obj, const char *key, bool required, int64_t min,
              int64_t max, int64_t dflt, int64_t *out, struct err_detail *e)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;

	if (!v || json_is_null(v)) {
		if (required)
			return missing(key, e);
		*out = dflt;
		return 0;
	}
	if (!json_is_integer(v)) {
		return err_fail(e, ERR_INVALID, NULL, "%s: must be an integer",
		                key);
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		return err_fail(e, ERR_INVALID, NULL,
		                "%s: must be between %lld and %lld", key,
		                (long long)min, (long long)max);
	}
	*out = n;
	return 0;
}

int jsonx_bool(json_t *obj, const char *key, bool required, bool dflt,
               bool *out, struct err_detail *e)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v)) {
		if (required)
			return missing(key, e);
		*out = dflt;
		return 0;
	}
	if (!json_is_boolean(v)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "%s: must be true or false", key);
	}
	*out = json_is_true(v);
	return 0;
}

int jsonx_enum(json_t *obj, const char *key, bool required,
               const char *const *choices, int dflt, int *out,
               struct err_detail *e)
{
	const char *s;
	char list[256] = "";
	int rc = jsonx_str(obj, key, required, 1, 64, NULL, &s, e);

	if (rc)
		return rc;
	if (!s) {
		*out = dflt;
		return 0;
	}
	for (int i = 0; choices[i]; i++) {
		if (strcmp(choices[i], s) == 0) {
			*out = i;
			return 0;
		}
		if (strlen(list) + strlen(choices[i]) + 3 < sizeof(list)) {
			if (i)
				strcat(list, ", ");
			strcat(list, choices[i]);
		}
	}
	return err_fail(e, ERR_INVALID, NULL, "%s: must be one of %s", key,
	                list);
}

int jsonx_only(json_t *obj, const char *const *allowed, struct err_detail *e)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		int ok = 0;

		for (int i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], key) == 0)
				ok = 1;
		if (!ok) {
			return err_fail(e, ERR_INVALID, NULL,
			                "%.64s: unknown field", key);
		}
	}
	return 0;
}

void jsonx_push(json_t **arr, json_t *item)
{
	if (*arr && (!item || json_array_append_new(*arr, item))) {
		log_error("json", "cannot add an item to a list");
		json_decref(*arr);
		*arr = NULL;
	} else if (!*arr) {
		json_decref(item);
	}
}

void jsonx_put(json_t **obj, const char *key, json_t *item)
{
	if (*obj && (!item || json_object_set_new(*obj, key, item))) {
		log_error("json", "cannot set %s", key);
		json_decref(*obj);
		*obj = NULL;
	} else if (!*obj) {
		json_decref(item);
	}
}

json_t *jsonx_page(const char *key, json_t *items, const GArray *page,
                   int limit, size_t id_off)
{
	json_t *next = json_null();
	int64_t id;

	if (page->len && (int)page->len == limit) {
		memcpy(&id,
		       page->data +
		           (page->len - 1) *
		               g_array_get_element_size((GArray *)page) +
		           id_off,
		       sizeof(id));
		next = json_integer(id);
	}
	return json_pack("{s:o,s:o}", key, items, "next_cursor", next);
}

bool jsonx_utf8_copy(char *dst, size_t dstlen, const char *src)
{
	size_t n = strlen(src);

	if (dstlen == 0)
		return false;
	if (n < dstlen) {
		memcpy(dst, src, n + 1);
		return true;
	}
	n = dstlen - 1;
	/* back off continuation bytes, then the lead byte they follow */
	while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
		n--;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return false;
}

json_t *jsonx_error(const char *code, const char *message)
{
	/* a message may name what the client sent (a path, a key) and be cut
	 * by a buffer: bytes that are not UTF-8, or a character cut in two,
	 * show as U+FFFD, so the error itself always renders */
	char *valid = g_utf8_make_valid(message ? message : "", -1);
	json_t *j =
	    json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", valid);

	g_free(valid);
	return j;
}

char *jsonx_dump(const json_t *j, size_t *len)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	if (s && len)
		*len = strlen(s);
	return s;
}
