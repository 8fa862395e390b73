/* search.c — turns what a visitor typed into a safe memorial search, and
 * writes the pinyin keys it is matched against.
 *
 * Owns the query building: splitting into words, quoting words for FTS5
 * (a double quote inside a word is doubled, the word is wrapped in double
 * quotes, so operators such as OR, NEAR, *, ^ or column filters are plain
 * text), and escaping %, _ and \ for the LIKE fallback; and the pinyin of
 * names and titles (ICU, libicu). Debian has no pinyin library made for
 * this (libpinyin is an input method's engine); ICU's Han-Latin reads each
 * character by its most common reading, which is right for given names
 * and titles but not for a dozen polyphonic surnames, read here from a
 * table; for anything else (an English name, a dialect spelling) the
 * family edits search_alias. The SQL is in store_memorial.c and
 * store_search.c. Called by api_memorial.c and api.c (the refresh timer).
 */
#include "search.h"
#include "err.h"
#include "jsonx.h"
#include "log.h"
#include "store_memorial.h"
#include "store_search.h"

#include <ctype.h>
#include <glib.h>
#include <string.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

static bool is_space(gunichar c)
{
	return g_unichar_isspace(c) || c == 0x3000; /* ideographic space */
}

/* Split q into at most max words (copied into words[], each < cap). */
static int split_words(const char *q, char words[][SEARCH_Q_MAX * 4 + 1],
                       int max, int *n)
{
	const char *p = q;

	*n = 0;
	while (*p) {
		const char *start;
		size_t len;

		while (*p && is_space(g_utf8_get_char(p)))
			p = g_utf8_next_char(p);
		if (!*p)
			break;
		start = p;
		while (*p && !is_space(g_utf8_get_char(p)))
			p = g_utf8_next_char(p);
		len = (size_t)(p - start);
		if (*n == max)
			return ERR_INVALID;
		memcpy(words[*n], start, len);
		words[*n][len] = '\0';
		(*n)++;
	}
	return 0;
}

static void fts_quote(const char *w, GString *out)
{
	if (out->len)
		g_string_append_c(out, ' ');
	g_string_append_c(out, '"');
	for (const char *p = w; *p; p++) {
		if (*p == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
}

static void like_escape(const char *w, char *out, size_t outlen)
{
	size_t n = 0;

	out[n++] = '%';
	for (const char *p = w; *p && n + 3 < outlen; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			out[n++] = '\\';
		out[n++] = *p;
	}
	out[n++] = '%';
	out[n] = '\0';
}

int search_build(const char *q, struct search_query *out)
{
	char words[SEARCH_WORDS_MAX][SEARCH_Q_MAX * 4 + 1];
	bool short_word = false;
	GString *m;
	int n;

	memset(out, 0, sizeof(*out));
	if (!q)
		return 0;
	if (!g_utf8_validate(q, -1, NULL) || jsonx_utf8_len(q) > SEARCH_Q_MAX)
		return ERR_INVALID;
	for (const char *p = q; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return ERR_INVALID;
	if (split_words(q, words, SEARCH_WORDS_MAX, &n))
		return ERR_INVALID;
	if (n == 0)
		return 0;
	for (int i = 0; i < n; i++)
		short_word |= g_utf8_strlen(words[i], -1) < 3;
	if (short_word) {
		out->mode = SEARCH_LIKE;
		out->n_like = n;
		for (int i = 0; i < n; i++)
			like_escape(words[i], out->like[i],
			            sizeof(out->like[i]));
		return 0;
	}
	m = g_string_new(NULL);
	for (int i = 0; i < n; i++)
		fts_quote(words[i], m);
	out->mode = SEARCH_FTS;
	g_strlcpy(out->match, m->str, sizeof(out->match));
	g_string_free(m, TRUE);
	return 0;
}

int search_memorials(struct store *st, const struct search_query *q,
                     int64_t before, int limit, GArray *out)
{
	const char *like[4] = {NULL, NULL, NULL, NULL};

	if (q->mode == SEARCH_FTS)
		return store_memorial_search(st, q->match, like, before, limit,
		                             out);
	for (int i = 0; q->mode == SEARCH_LIKE && i < q->n_like; i++)
		like[i] = q->like[i];
	return store_memorial_search(st, NULL, like, before, limit, out);
}

/* ---------- pinyin keys ---------- */

/* Surnames whose reading as a surname is not the character's usual one. */
static const struct {
	const char *han, *latin;
} surnames[] = {
    {"尉迟", "yu chi"},    {"万俟", "mo qi"}, {"单于", "chan yu"},
    {"长孙", "zhang sun"}, {"单", "shan"},    {"曾", "zeng"},
    {"解", "xie"},         {"仇", "qiu"},     {"区", "ou"},
    {"查", "zha"},         {"朴", "piao"},    {"盖", "ge"},
    {"缪", "miao"},        {"覃", "qin"},     {"召", "shao"},
    {"种", "chong"},       {"翟", "zhai"},    {"员", "yun"},
    {"乐", "yue"},         {"秘", "bi"},
};

/* Han characters to lower-case ASCII pinyin, syllables spaced. */
static int to_latin(const char *in, GString *out)
{
	static const char id[] = "Han-Latin; Latin-ASCII; Lower";
	UErrorCode e = U_ZERO_ERROR;
	UChar uid[sizeof(id)], *buf;
	UTransliterator *tr;
	int32_t len = 0, cap, lim;
	char *utf8;

	u_uastrcpy(uid, id);
	u_strFromUTF8(NULL, 0, &len, in, -1, &e);
	if (e != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(e))
		return ERR_INTERNAL;
	e = U_ZERO_ERROR;
	cap = len * 8 + 16; /* 李 → "li ": room for the longest syllables */
	buf = g_new(UChar, (gsize)cap);
	u_strFromUTF8(buf, cap, &len, in, -1, &e);
	tr = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
	lim = len;
	if (U_SUCCESS(e))
		utrans_transUChars(tr, buf, &len, cap, 0, &lim, &e);
	if (tr)
		utrans_close(tr);
	utf8 =
	    U_SUCCESS(e) ? g_utf16_to_utf8(buf, len, NULL, NULL, NULL) : NULL;
	g_free(buf);
	if (!utf8)
		return ERR_INTERNAL;
	/* keep letters and digits, one space between words */
	for (const char *p = utf8; *p; p++) {
		bool word = isalnum((unsigned char)*p);

		if (word)
			g_string_append_c(out, *p);
		else if (out->len && out->str[out->len - 1] != ' ')
			g_string_append_c(out, ' ');
	}
	g_free(utf8);
	while (out->len && out->str[out->len - 1] == ' ')
		g_string_truncate(out, out->len - 1);
	return 0;
}

/* The name's pinyin, a polyphonic surname read as a surname. */
static int name_latin(const char *name, GString *out)
{
	for (size_t i = 0; i < G_N_ELEMENTS(surnames); i++) {
		size_t n = strlen(surnames[i].han);

		if (strncmp(name, surnames[i].han, n) == 0 && name[n]) {
			g_string_append(out, surnames[i].latin);
			g_string_append_c(out, ' ');
			return to_latin(name + n, out);
		}
	}
	return to_latin(name, out);
}

int search_latin_key(const char *name, const char *title, char *out,
                     size_t outlen)
{
	GString *n = g_string_new(NULL), *k = g_string_new(NULL);
	int rc = name_latin(name, n);

	if (rc == 0) {
		g_string_append(k, n->str);
		g_string_append_c(k, ' ');
		for (const char *p = n->str; *p; p++) /* joined */
			if (*p != ' ')
				g_string_append_c(k, *p);
		g_string_append_c(k, ' ');
		for (const char *p = n->str; *p; p++) /* initials */
			if (p == n->str || p[-1] == ' ')
				g_string_append_c(k, *p);
		g_string_truncate(n, 0);
		rc = to_latin(title ? title : "", n);
		if (rc == 0 && n->len)
			g_string_append_printf(k, " | %s", n->str);
	}
	if (rc == 0 && k->len >= outlen) /* cut at a word */
		while (k->len >= outlen ||
		       (k->len && k->str[k->len - 1] != ' '))
			g_string_truncate(k, k->len - 1);
	if (rc == 0)
		g_strlcpy(out, k->str, outlen);
	g_string_free(n, TRUE);
	g_string_free(k, TRUE);
	return rc;
}

int search_latin_refresh(struct store *st, int max)
{
	GArray *todo = g_array_new(FALSE, FALSE, sizeof(struct search_todo));
	char key[SEARCH_LATIN_BYTES];
	int rc = store_search_todo(st, max, todo), done = 0;

	for (guint i = 0; rc == 0 && i < todo->len; i++) {
		struct search_todo *t =
		    &g_array_index(todo, struct search_todo, i);

		if (search_latin_key(t->name, t->title, key, sizeof(key)))
			g_strlcpy(key, " ", sizeof(key)); /* never again */
		rc = store_search_set_latin(st, t->id, key);
		if (rc == ERR_NOT_FOUND)
			rc = 0; /* deleted meanwhile */
		else if (rc == 0)
			done++;
	}
	if (rc)
		log_error("search", "cannot write pinyin keys: %s",
		          err_name(rc));
	g_array_free(todo, TRUE);
	return rc ? rc : done;
}
