/* password.c — see password.h. The common passwords are read once into a
 * hash set, on first use. */
#include "password.h"

#include "err.h"
#include "jsonx.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

extern const char password_common_text[]; /* NUL-terminated */

/* The set of common passwords, from the embedded file: one a line, lines
 * starting with # are comments. */
static gpointer load(gpointer unused)
{
	GHashTable *set =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char **lines = g_strsplit(password_common_text, "\n", -1);

	(void)unused;
	for (char **l = lines; *l; l++) {
		if (**l && **l != '#')
			g_hash_table_add(set, *l); /* the set keeps it */
		else
			g_free(*l);
	}
	g_free(lines);
	return set;
}

bool password_is_common(const char *pw)
{
	static GOnce once = G_ONCE_INIT;
	GHashTable *set = g_once(&once, load, NULL);
	char *low = g_utf8_strdown(pw, -1);
	bool hit = g_hash_table_contains(set, low);

	g_free(low);
	return hit;
}

int password_check(const char *key, const char *pw, struct err_detail *e)
{
	size_t n = pw && g_utf8_validate(pw, -1, NULL) ? jsonx_utf8_len(pw) : 0;
	bool blank = true;

	if (n < PASSWORD_MIN || n > PASSWORD_MAX) {
		return err_fail(e, ERR_INVALID, NULL,
		                "%s: must be %d to %d characters", key,
		                PASSWORD_MIN, PASSWORD_MAX);
	}
	for (const char *p = pw; *p && blank; p = g_utf8_next_char(p))
		blank = g_unichar_isspace(g_utf8_get_char(p));
	if (blank) {
		return err_fail(e, ERR_INVALID, NULL,
		                "%s: must not be only spaces", key);
	}
	if (password_is_common(pw)) {
		return err_fail(
		    e, ERR_INVALID, NULL,
		    "%s: one of the most common passwords, which are "
		    "guessed first; choose another",
		    key);
	}
	return 0;
}
