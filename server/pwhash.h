/* pwhash.h — passwords hashed and checked (Argon2id) off the main loop. */
#ifndef SINIAN_PWHASH_H
#define SINIAN_PWHASH_H

#include <glib.h>
#include <stdbool.h>

struct pwhash;

/* Sign-ins and sign-ups that may wait for a thread (about 64 MiB each
 * while running; queued ones cost a few hundred bytes); more answer 503. */
#define PWHASH_QUEUE_MAX 256

/* A pool of threads answering on ctx's loop; at most queue_max jobs wait. */
struct pwhash *pwhash_new(GMainContext *ctx, int threads, int queue_max);
/* Runs every queued job and its done (iterating ctx) before it returns.
 * NULL is a no-op. */
void pwhash_free(struct pwhash *p);

/* On the main loop when the job is done. For a check, ok is whether the
 * password matched; for a hash, whether it was made, and hash is it
 * (borrowed for the call). */
typedef void (*pwhash_done)(void *ud, bool ok, const char *hash);

/* Check password against a stored hash, or hash password (hash NULL).
 * Both strings are copied, and the password is wiped once used.
 * ERR_FULL (nothing queued, done never called) when queue_max jobs
 * already wait: the caller answers 503. */
int pwhash_run(struct pwhash *p, const char *hash, const char *password,
               pwhash_done done, void *ud);

/* Jobs waiting or running (for /metrics). */
unsigned pwhash_pending(const struct pwhash *p);

#endif
