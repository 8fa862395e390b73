/* rights.h — telling every node that someone's rights changed, so open
 * WebSockets and WHEP viewers are checked again and cut when no longer
 * allowed.
 *
 * Rights are checked when a socket subscribes and when a viewer joins;
 * whatever can take a right away (a memorial turned private or unlisted, a
 * family or guest grant removed, a platform role revoked, a session signed
 * out, a password changed, an invite revoked, a ceremony's visibility or
 * memorial changed) calls rights_changed(). The change goes out on the bus
 * topic "sys:rights" (to every node through Redis when configured); each
 * node, on receiving it, checks again the subscriptions (wshub_recheck) and
 * viewers (api_watch_recheck) the change may touch, and drops those no
 * longer allowed. Main loop only.
 */
#ifndef SINIAN_RIGHTS_H
#define SINIAN_RIGHTS_H

#include <stdint.h>

struct app;

/* What changed: id is a memorial, a ceremony, or a user. */
enum rights_kind {
	RIGHTS_MEMORIAL = 0, /* visibility, link, family or guest grants */
	RIGHTS_CEREMONY,     /* visibility, linked memorial, invites */
	RIGHTS_USER,         /* roles, sessions (sign-out, new password) */
	RIGHTS_KIND_COUNT
};

/* One change, as delivered to the checks. */
struct rights_event {
	enum rights_kind kind;
	int64_t id;
};

/* Announce a change to every node (this one included). Best effort: a
 * change that cannot be published is logged. */
void rights_changed(struct app *app, enum rights_kind kind, int64_t id);

/* Follow "sys:rights" on this node; 0 or ERR_NOMEM. rights_stop() leaves
 * it (before the bus goes). */
int rights_start(struct app *app);
void rights_stop(struct app *app);

/* "memorial", "ceremony", "user"; parse returns -1. */
const char *rights_kind_name(enum rights_kind k);
int rights_kind_parse(const char *s);

#endif
