/* search.c — turns what a visitor typed into a safe memorial search.
 *
 * Owns the query building: splitting into words, quoting words for FTS5
 * (a double quote inside a word is doubled, the word is wrapped in double
 * quotes, so operators such as OR, NEAR, *, ^ or column filters are plain
 * text), and escaping %, _ and \ for the LIKE fallback. The SQL itself is
 * in store_memorial.c. Called by api_memorial.c.
 */
#include "search.h"
#include "err.h"
#include "jsonx.h"
#include "store_memorial.h"

#include <glib.h>
#include <string.h>

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
