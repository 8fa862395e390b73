/* memorial_demo.h — the demo memorial a newcomer sees at /m/demo. */
#ifndef SINIAN_MEMORIAL_DEMO_H
#define SINIAN_MEMORIAL_DEMO_H

#include <stddef.h>
#include "err.h"

struct app;

#define MEMORIAL_DEMO_SLUG "demo"
/* The demo funeral agency (the demo ceremony belongs to it too). */
#define MEMORIAL_DEMO_AGENCY "思念示范殡仪馆"

/* When no memorial has the slug "demo", create in one transaction a demo
 * agency (with a hall), a demo cemetery with a plot, the deceased 李秀英
 * with her timeline, her burial in that plot, the public memorial "demo"
 * and a few tributes. Existing demo agency and cemetery (same names) are
 * reused. Nothing happens when it exists: safe on every start. A failure
 * is logged and not fatal (returns 0); err gets the reason. */
int memorial_demo_ensure(struct app *app, struct err_detail *e);

#endif
