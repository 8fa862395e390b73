/* pwhash.c — passwords hashed and checked (Argon2id) off the main loop.
 *
 * Owns a small pool of threads that run crypto_password_hash() and
 * crypto_password_verify(): each takes tens of milliseconds and 64 MiB,
 * which on the main loop would hold every other request back while
 * people sign in (a crowd on Qingming morning, or someone guessing). The
 * result goes back to the main loop in one g_main_context_invoke() per
 * job, where the handler answers its deferred request. A bounded queue
 * keeps a flood from taking memory: past it the caller answers 503.
 *
 * Must never touch the store, the bus or HTTP: jobs carry copies. Called
 * by api_auth.c, api_code.c.
 */
#include "pwhash.h"
#include "crypto.h"
#include "err.h"

#include <sodium.h>
#include <string.h>

struct pwhash {
	GThreadPool *pool;
	GMainContext *ctx;
	int queue_max;
	gint pending; /* queued or running */
};

struct job {
	struct pwhash *p;
	char *password;               /* wiped and freed once used */
	char hash[CRYPTO_PWHASH_MAX]; /* in: stored hash; out: the new one */
	bool check;
	bool ok;
	pwhash_done done;
	void *ud;
};

static gboolean job_done(gpointer data)
{
	struct job *j = data;

	g_atomic_int_dec_and_test(&j->p->pending);
	j->done(j->ud, j->ok, j->check ? NULL : j->hash);
	g_free(j);
	return G_SOURCE_REMOVE;
}

static void job_run(gpointer data, gpointer user)
{
	struct job *j = data;
	struct pwhash *p = user;

	if (j->check)
		j->ok = crypto_password_verify(j->hash, j->password);
	else
		j->ok = crypto_password_hash(j->password, j->hash) == 0;
	sodium_memzero(j->password, strlen(j->password));
	g_free(j->password);
	j->password = NULL;
	g_main_context_invoke(p->ctx, job_done, j);
}

struct pwhash *pwhash_new(GMainContext *ctx, int threads, int queue_max)
{
	struct pwhash *p = g_new0(struct pwhash, 1);

	p->ctx = ctx;
	p->queue_max = queue_max;
	p->pool = g_thread_pool_new(job_run, p, threads > 0 ? threads : 1, TRUE,
	                            NULL);
	if (!p->pool) {
		g_free(p);
		return NULL;
	}
	return p;
}

void pwhash_free(struct pwhash *p)
{
	if (!p)
		return;
	/* every job queued runs, and its request is answered */
	g_thread_pool_free(p->pool, FALSE, TRUE);
	while (g_atomic_int_get(&p->pending))
		g_main_context_iteration(p->ctx, TRUE);
	g_free(p);
}

int pwhash_run(struct pwhash *p, const char *hash, const char *password,
               pwhash_done done, void *ud)
{
	struct job *j;

	if (g_atomic_int_get(&p->pending) >= p->queue_max)
		return ERR_FULL;
	j = g_new0(struct job, 1);
	j->p = p;
	j->check = hash != NULL;
	if (hash)
		g_strlcpy(j->hash, hash, sizeof(j->hash));
	j->password = g_strdup(password);
	j->done = done;
	j->ud = ud;
	g_atomic_int_inc(&p->pending);
	g_thread_pool_push(p->pool, j, NULL);
	return 0;
}

unsigned pwhash_pending(const struct pwhash *p)
{
	return (unsigned)g_atomic_int_get(&((struct pwhash *)p)->pending);
}
