/* litev.c — the lite engine's viewer object: creation with fresh ICE
 * credentials and id, reference counting, and freeing its DTLS and SRTP
 * state with the last reference, on whichever thread drops it.
 * Called by litefan.c, lite.c and liteworker.c (see litev.h).
 */
#include "litev.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

static void random_chars(char *out, size_t n)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz"
	                          "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";

	for (size_t i = 0; i < n; i++)
		out[i] = set[g_random_int_range(0, (gint32)sizeof(set) - 1)];
	out[n] = '\0';
}

struct litev *litev_new(void)
{
	struct litev *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	atomic_init(&v->ref, 1);
	for (int i = 0; i < 4; i++)
		snprintf(v->id + 8 * i, FANOUT_ID_LEN - 8 * (size_t)i, "%08x",
		         g_random_int());
	/* ufrag: letters and digits only, it is also a hash key */
	random_chars(v->ufrag, LITEV_UFRAG_LEN);
	for (char *c = v->ufrag; *c; c++)
		if (*c == '+' || *c == '/')
			*c = 'x';
	random_chars(v->pwd, LITEV_PWD_LEN);
	pthread_mutex_init(&v->lock, NULL);
	atomic_init(&v->rr_rtt_ms, -1);
	v->worker = -1;
	v->fd = -1;
	return v;
}

struct litev *litev_ref(struct litev *v)
{
	atomic_fetch_add(&v->ref, 1);
	return v;
}

void litev_unref(struct litev *v)
{
	if (!v || atomic_fetch_sub(&v->ref, 1) != 1)
		return;
	dtls_conn_free(v->dtls);
	srtpx_free(v->rx);
	srtpx_free(v->tx);
	pthread_mutex_destroy(&v->lock);
	free(v);
}
