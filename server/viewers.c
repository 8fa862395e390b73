/* viewers.c — the list of this node's WHEP viewers and their credentials.
 *
 * Owns a small array of struct viewer_cred; a ceremony has at most a few
 * hundred viewers per node, and the list is walked only when rights
 * change. Knows nothing of media, HTTP or SQL. Used by api_whep.c (join,
 * leave), live.c (gone) and api_watch.c (checking again).
 */
#include "viewers.h"

#include <string.h>

struct viewers {
	GArray *all;             /* struct viewer_cred */
	GHashTable *negotiating; /* peer -> count, as a pointer */
};

struct viewers *viewers_new(void)
{
	struct viewers *v = g_new0(struct viewers, 1);

	v->all = g_array_new(FALSE, FALSE, sizeof(struct viewer_cred));
	v->negotiating =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return v;
}

void viewers_free(struct viewers *v)
{
	if (!v)
		return;
	g_array_free(v->all, TRUE);
	g_hash_table_destroy(v->negotiating);
	g_free(v);
}

static int find(const struct viewers *v, int64_t ceremony_id, const char *id)
{
	for (guint i = 0; i < v->all->len; i++) {
		const struct viewer_cred *c =
		    &g_array_index(v->all, struct viewer_cred, i);

		if (c->ceremony_id == ceremony_id &&
		    strcmp(c->viewer_id, id) == 0)
			return (int)i;
	}
	return -1;
}

void viewers_add(struct viewers *v, const struct viewer_cred *cred)
{
	int i = find(v, cred->ceremony_id, cred->viewer_id);

	if (i >= 0)
		g_array_index(v->all, struct viewer_cred, i) = *cred;
	else
		g_array_append_vals(v->all, cred, 1);
}

bool viewers_remove(struct viewers *v, int64_t ceremony_id,
                    const char *viewer_id)
{
	int i = v ? find(v, ceremony_id, viewer_id) : -1;

	if (i < 0)
		return false;
	g_array_remove_index_fast(v->all, (guint)i);
	return true;
}

GArray *viewers_list(const struct viewers *v)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct viewer_cred));

	if (v)
		g_array_append_vals(out, v->all->data, v->all->len);
	return out;
}

size_t viewers_count(const struct viewers *v)
{
	return v ? v->all->len : 0;
}

unsigned viewers_from(const struct viewers *v, const char *peer)
{
	unsigned n = 0;

	if (!v)
		return 0;
	for (guint i = 0; i < v->all->len; i++)
		n += strcmp(g_array_index(v->all, struct viewer_cred, i).peer,
		            peer) == 0;
	return n + GPOINTER_TO_UINT(g_hash_table_lookup(v->negotiating, peer));
}

void viewers_negotiating(struct viewers *v, const char *peer, int delta)
{
	long n;

	if (!v)
		return;
	n = (long)GPOINTER_TO_UINT(g_hash_table_lookup(v->negotiating, peer)) +
	    delta;
	if (n > 0)
		g_hash_table_insert(v->negotiating, g_strdup(peer),
		                    GUINT_TO_POINTER((unsigned)n));
	else
		g_hash_table_remove(v->negotiating, peer);
}
