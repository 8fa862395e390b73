/* search.h — finding public memorials by name or title, in Chinese, in
 * pinyin ("li xiuying", "lixiuying", the initials "lxy") or by another
 * name the family gives (an English name).
 *
 * Text of 3 or more characters per word is searched with SQLite FTS5 and
 * its trigram tokenizer (Chinese substrings match: "秀英" finds 李秀英 only
 * through the LIKE path below, "李秀英" and "Xiuying" through FTS). Each
 * word is quoted into an FTS5 string, so no user text is ever read as FTS5
 * syntax. When any word is shorter than 3 characters (trigrams cannot
 * match it) the query falls back to LIKE with every word (up to 4) escaped.
 */
#ifndef SINIAN_SEARCH_H
#define SINIAN_SEARCH_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

struct store;

#define SEARCH_Q_MAX       100 /* characters of a query */
#define SEARCH_WORDS_MAX   4
#define SEARCH_LATIN_BYTES 2048 /* a pinyin key */

enum search_mode {
	SEARCH_ALL = 0, /* empty query: every public memorial */
	SEARCH_FTS,
	SEARCH_LIKE,
};

struct search_query {
	enum search_mode mode;
	char match[SEARCH_Q_MAX * 4 * 2 + 64]; /* FTS5 expression */
	int n_like;
	char like[SEARCH_WORDS_MAX][SEARCH_Q_MAX * 4 * 2 + 3]; /* %word% */
};

/* Build the query for the user's text q (NULL or blank: SEARCH_ALL).
 * 0, or ERR_INVALID when q is too long, not UTF-8 or has more than
 * SEARCH_WORDS_MAX words. */
int search_build(const char *q, struct search_query *out);

/* Run q over public memorials, newest first, id < before (0: from the
 * newest), at most limit, into a GArray of struct memorial_hit. */
int search_memorials(struct store *st, const struct search_query *q,
                     int64_t before, int limit, GArray *out);

/* The pinyin key of a memorial into out (at least SEARCH_LATIN_BYTES):
 * the name read with ICU's Han-Latin transliteration (a polyphonic
 * surname read as a surname: 单 shan, 曾 zeng), the same joined, its
 * initials, then the title; lower-case ASCII. Never empty for a non-empty
 * name. 0, ERR_INTERNAL when ICU cannot transliterate. */
int search_latin_key(const char *name, const char *title, char *out,
                     size_t outlen);

/* Write the pinyin key of up to max memorials that have none (new ones,
 * and those whose deceased was renamed). The number written, or a
 * negative ERR_*. */
int search_latin_refresh(struct store *st, int max);

#endif
