/* api_sweeping.h — the start-up of api_sweeping.c (its routes are in
 * api.h, with every other route table): the rules of its live topics.
 */
#ifndef SINIAN_API_SWEEPING_H
#define SINIAN_API_SWEEPING_H

struct app;

/* Register the "order" and "user" topic rules with the WebSocket hub
 * (kinds another module registered first are left to it). Called once by
 * api_start(). */
int api_sweeping_start(struct app *app);

#endif
