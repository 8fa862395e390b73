/* access.h — who is asking, and may they do that.
 *
 * Every endpoint calls access_check() with the request's actor, an action
 * and the object acted on; the one table in access.c decides (docs/access.md
 * is generated from it by `sinian access-table`). Roles are scoped: admin
 * (platform), agency_operator (of one agency), cemetery_staff (of one
 * cemetery), family_admin and memorial_guest (of one memorial); every
 * signed-in user is also a mourner.
 */
#ifndef SINIAN_ACCESS_H
#define SINIAN_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "textlimit.h"

struct app;
struct http_req;
struct http_resp;
struct http_ws;

enum role {
	ROLE_ADMIN = 0,
	ROLE_AGENCY_OPERATOR,
	ROLE_CEMETERY_STAFF,
	ROLE_FAMILY_ADMIN,
	ROLE_MEMORIAL_GUEST,
	ROLE_COUNT
};

#define ACTOR_MAX_GRANTS 32

struct actor_grant {
	enum role role;
	int64_t scope_id; /* agency, cemetery or memorial id; 0 for admin */
};

/* The user behind a request; user_id 0 is an anonymous visitor. */
struct actor {
	int64_t user_id;
	int64_t session_id;
	char display_name[TEXT_BUF(DISPLAY_NAME_MAX)];
	bool via_cookie; /* authenticated by cookie (CSRF applies) */
	int n_grants;
	struct actor_grant grants[ACTOR_MAX_GRANTS];
};

/* What an object is, as far as access is concerned. Fill what applies. */
enum obj_visibility { VIS_PUBLIC = 0, VIS_UNLISTED, VIS_PRIVATE };

struct access_obj {
	int64_t id;
	int64_t agency_id;
	int64_t cemetery_id;
	int64_t memorial_id;
	int64_t owner_id; /* user who owns it (booking, order) */
	enum obj_visibility visibility;
	bool invite_ok; /* caller showed a valid invite token */
};

enum access_action {
	ACT_ORG_CREATE,        /* create an agency or cemetery */
	ACT_AGENCY_EDIT,       /* edit agency, halls, services */
	ACT_CEMETERY_EDIT,     /* edit cemetery, services */
	ACT_USER_LIST,         /* list users */
	ACT_ROLE_GRANT_STAFF,  /* grant admin/operator/staff roles */
	ACT_PII_VIEW,          /* see unmasked phone / ID numbers (audited) */
	ACT_DECEASED_CREATE,   /* register a deceased at an agency */
	ACT_DECEASED_VIEW,     /* read a deceased record */
	ACT_DECEASED_EDIT,     /* edit, add events */
	ACT_BURIAL_LINK,       /* link a held record to a plot */
	ACT_TRANSFER_START,    /* hand a record over to a cemetery */
	ACT_TRANSFER_DECIDE,   /* accept or decline a hand-over */
	ACT_DECEASED_EXCHANGE, /* export / import records */
	ACT_PLOT_EDIT,         /* create or change plots of a cemetery */
	ACT_MEMORIAL_CREATE,   /* create a memorial */
	ACT_MEMORIAL_VIEW,     /* read a memorial and leave tributes */
	ACT_MEMORIAL_EDIT,     /* edit memorial, photos, settings */
	ACT_MEMORIAL_MODERATE, /* approve or hide messages */
	ACT_FAMILY_GRANT,      /* grant family admin / guest on a memorial */
	ACT_SLOT_MANAGE,       /* publish visit slots, check in visitors */
	ACT_BOOKING_CREATE,    /* book a visit */
	ACT_BOOKING_VIEW,      /* read or cancel a booking */
	ACT_ORDER_CREATE,      /* order proxy sweeping */
	ACT_ORDER_FAMILY,      /* family side of an order: view, cancel... */
	ACT_ORDER_STAFF,       /* cemetery side of an order: accept, proof... */
	ACT_CEREMONY_MANAGE,   /* create and run ceremonies of an agency */
	ACT_CEREMONY_WATCH,    /* watch a ceremony live or its replay */
	ACT_COUNT
};

/* 0 when allowed; ERR_UNAUTHORIZED when an anonymous actor must sign in;
 * ERR_FORBIDDEN otherwise. */
int access_check(const struct actor *a, enum access_action act,
                 const struct access_obj *obj);

/* Name of an action ("memorial.view") and of a role ("agency_operator"). */
const char *access_action_name(enum access_action act);
const char *access_role_name(enum role r);
/* Role from its name, or -1. */
int access_role_parse(const char *name);

/* True when the actor holds role r for scope (any scope when scope < 0). */
bool actor_has(const struct actor *a, enum role r, int64_t scope);
bool actor_is_admin(const struct actor *a);

/* Write the action × role table as Markdown to out (docs/access.md). */
void access_table_markdown(void (*emit)(void *ud, const char *s), void *ud);
/* The rule table as JSON, [{"action","who":[...],"note"}], who naming
 * anon, user, owner, operator, staff, family, guest, admin, visible,
 * invited (what tests/integration/matrix.test.mjs derives its
 * expectations from). Free with free(). */
char *access_table_json(void);

/* Record the use of a right in the audit table. */
int access_audit(struct app *app, const struct actor *a, const char *action,
                 const char *object_kind, int64_t object_id,
                 const char *detail);

/* Map an access error to the HTTP answer; returns true when it filled resp
 * (rc != 0). Convenience for handlers:
 *   if (access_deny(resp, access_check(...))) return; */
bool access_deny(struct http_resp *resp, int rc);

#endif
