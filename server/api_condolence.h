/* api_condolence.h — the condolences of a ceremony over HTTP, and who may
 * care for them. */
#ifndef SINIAN_API_CONDOLENCE_H
#define SINIAN_API_CONDOLENCE_H

#include <stdbool.h>

struct actor;
struct app;
struct ceremony;
struct router;

int api_condolence_routes(struct router *r);
/* Register who may follow condolences:{id} (the moderators). */
int api_condolence_start(struct app *app);

/* May a publish or hide its condolences, and download its recording? The
 * ceremony's managers, and the moderators of its memorial (the family). */
bool api_condolence_may_keep(struct app *app, const struct actor *a,
                             const struct ceremony *c);

#endif
