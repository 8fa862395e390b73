/* access.c — the rule table and the request hook that finds the actor.
 *
 * Owns the decision "may actor do action on object". Rules name who may act
 * (anyone, any signed-in user, the owner, or a role scoped to the object's
 * agency, cemetery or memorial); admin may do everything marked for admin.
 * Domain code never inspects roles itself. Also authenticates requests
 * (session cookie or bearer token), applies the CSRF rule and the write
 * rate limit.
 */
#include "access.h"
#include "app.h"
#include "crypto.h"
#include "err.h"
#include "http.h"
#include "log.h"
#include "ratelimit.h"
#include "store.h"
#include "store_user.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define W_ANON     0x001 /* anyone, signed in or not */
#define W_USER     0x002 /* any signed-in user (mourner) */
#define W_OWNER    0x004 /* obj->owner_id is the actor */
#define W_OPERATOR 0x008 /* agency_operator of obj->agency_id */
#define W_STAFF    0x010 /* cemetery_staff of obj->cemetery_id */
#define W_FAMILY   0x020 /* family_admin of obj->memorial_id */
#define W_GUEST    0x040 /* memorial_guest of obj->memorial_id */
#define W_ADMIN    0x080 /* platform admin */
#define W_VISIBLE  0x100 /* anyone when obj is public or unlisted */
#define W_INVITED  0x200 /* anyone holding a valid invite token */
#define W_MANAGER  0x400 /* cemetery_staff of obj->cemetery_id, manager */

static const struct {
	const char *name;
	unsigned who;
	const char *note;
} rules[ACT_COUNT] = {
    [ACT_ORG_CREATE] = {"org.create", W_ADMIN,
                        "create funeral agencies and cemeteries"},
    [ACT_AGENCY_EDIT] = {"agency.edit", W_ADMIN | W_OPERATOR,
                         "edit an agency, its halls and service prices"},
    [ACT_CEMETERY_EDIT] = {"cemetery.edit", W_ADMIN | W_STAFF,
                           "edit a cemetery and its service prices"},
    [ACT_USER_LIST] = {"user.list", W_ADMIN, "list accounts"},
    [ACT_ROLE_GRANT_STAFF] = {"role.grant", W_ADMIN,
                              "grant admin, operator or staff roles"},
    [ACT_STAFF_MANAGE] = {"staff.manage", W_ADMIN | W_OPERATOR | W_MANAGER,
                          "invite and revoke the staff of an agency (its "
                          "operators) or a cemetery (its managers)"},
    [ACT_PII_VIEW] = {"pii.view", W_ADMIN | W_OPERATOR | W_STAFF,
                      "see unmasked phone and ID numbers (audited)"},
    [ACT_DECEASED_CREATE] = {"deceased.create", W_ADMIN | W_OPERATOR,
                             "register a deceased at an agency"},
    [ACT_DECEASED_VIEW] = {"deceased.view",
                           W_ADMIN | W_OPERATOR | W_STAFF | W_FAMILY,
                           "read a deceased record (masked)"},
    [ACT_DECEASED_EDIT] = {"deceased.edit", W_ADMIN | W_OPERATOR | W_STAFF,
                           "edit a record, add events (staff: of a record "
                           "their cemetery holds)"},
    [ACT_BURIAL_LINK] = {"burial.link", W_ADMIN | W_STAFF,
                         "link a record their cemetery holds to one of its "
                         "plots"},
    [ACT_TRANSFER_START] = {"transfer.start", W_ADMIN | W_OPERATOR | W_STAFF,
                            "hand a record over to a cemetery (its agency, "
                            "or the cemetery holding it)"},
    [ACT_TRANSFER_DECIDE] = {"transfer.decide", W_ADMIN | W_STAFF,
                             "accept (choosing the plot) or decline a "
                             "hand-over to their cemetery"},
    [ACT_DECEASED_EXCHANGE] = {"deceased.exchange", W_ADMIN | W_OPERATOR,
                               "export or import records"},
    [ACT_PLOT_EDIT] = {"plot.edit", W_ADMIN | W_STAFF,
                       "create and change plots"},
    [ACT_MEMORIAL_CREATE] = {"memorial.create", W_ADMIN | W_OPERATOR | W_USER,
                             "create a memorial (signed-in, real name)"},
    [ACT_MEMORIAL_VIEW] = {"memorial.view",
                           W_ADMIN | W_VISIBLE | W_FAMILY | W_GUEST |
                               W_OPERATOR,
                           "read a memorial and leave tributes"},
    [ACT_MEMORIAL_EDIT] = {"memorial.edit", W_ADMIN | W_FAMILY,
                           "edit a memorial, photos and settings"},
    [ACT_MEMORIAL_MODERATE] = {"memorial.moderate", W_ADMIN | W_FAMILY,
                               "approve or hide messages"},
    [ACT_FAMILY_GRANT] = {"memorial.grant", W_ADMIN | W_FAMILY | W_OPERATOR,
                          "make someone family admin or guest"},
    [ACT_SLOT_MANAGE] = {"slot.manage", W_ADMIN | W_STAFF,
                         "publish visit slots and check visitors in"},
    [ACT_BOOKING_CREATE] = {"booking.create", W_ADMIN | W_USER | W_STAFF,
                            "book a visit (staff may book for others)"},
    [ACT_BOOKING_VIEW] = {"booking.view", W_ADMIN | W_OWNER | W_STAFF,
                          "read or cancel a booking"},
    [ACT_ORDER_CREATE] = {"order.create", W_ADMIN | W_USER,
                          "order proxy grave-sweeping"},
    [ACT_ORDER_FAMILY] = {"order.family", W_ADMIN | W_OWNER,
                          "view, cancel, confirm, dispute, rate an order"},
    [ACT_ORDER_STAFF] = {"order.staff", W_ADMIN | W_STAFF,
                         "accept, reject, start, prove, complete an order; "
                         "record its payment or refund; set how the "
                         "cemetery is paid"},
    [ACT_CEREMONY_MANAGE] = {"ceremony.manage", W_ADMIN | W_OPERATOR,
                             "create and run an agency's ceremonies"},
    [ACT_CEREMONY_WATCH] = {"ceremony.watch",
                            W_ADMIN | W_VISIBLE | W_INVITED | W_OPERATOR |
                                W_FAMILY,
                            "watch live or the replay"},
    [ACT_COMPLAINT_SEND] = {"complaint.send", W_ANON,
                            "complain about an agency or a cemetery "
                            "(limited per address and account)"},
    [ACT_COMPLAINT_READ] = {"complaint.read",
                            W_ADMIN | W_OWNER | W_INVITED | W_OPERATOR |
                                W_STAFF,
                            "read a complaint and its answer (its sender "
                            "by account or by its link; the organisation)"},
    [ACT_COMPLAINT_ANSWER] = {"complaint.answer",
                              W_ADMIN | W_OPERATOR | W_STAFF,
                              "list and answer the complaints about their "
                              "agency or cemetery"},
    [ACT_GRAVE_ASK] = {"grave.ask", W_ADMIN | W_FAMILY,
                       "ask for a family's memorial to be linked to its "
                       "grave"},
    [ACT_GRAVE_DECIDE] = {"grave.decide", W_ADMIN | W_STAFF,
                          "confirm or refuse a memorial's request to be "
                          "linked to a grave of their cemetery"},
};

static const char *const role_names[ROLE_COUNT] = {
    "admin",        "agency_operator", "cemetery_staff",
    "family_admin", "memorial_guest",
};

const char *access_action_name(enum access_action act)
{
	return act < ACT_COUNT ? rules[act].name : "?";
}

const char *access_role_name(enum role r)
{
	return r < ROLE_COUNT ? role_names[r] : "?";
}

int access_role_parse(const char *name)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcmp(role_names[i], name) == 0)
			return i;
	return -1;
}

bool actor_has(const struct actor *a, enum role r, int64_t scope)
{
	for (int i = 0; i < a->n_grants; i++)
		if (a->grants[i].role == r &&
		    (scope < 0 || a->grants[i].scope_id == scope))
			return true;
	return false;
}

bool actor_is_admin(const struct actor *a)
{
	return a->user_id && actor_has(a, ROLE_ADMIN, -1);
}

static bool scoped(const struct actor *a, enum role r, int64_t id)
{
	return id > 0 && actor_has(a, r, id);
}

static bool manages(const struct actor *a, int64_t cemetery_id)
{
	for (int i = 0; cemetery_id > 0 && i < a->n_grants; i++)
		if (a->grants[i].role == ROLE_CEMETERY_STAFF &&
		    a->grants[i].scope_id == cemetery_id &&
		    a->grants[i].manager)
			return true;
	return false;
}

int access_check(const struct actor *a, enum access_action act,
                 const struct access_obj *obj)
{
	/* no object: nothing is public about it */
	static const struct access_obj none = {.visibility = VIS_PRIVATE};
	unsigned who;

	if (act >= ACT_COUNT)
		return ERR_FORBIDDEN;
	if (!obj)
		obj = &none;
	who = rules[act].who;
	if ((who & W_ANON) ||
	    ((who & W_VISIBLE) && obj->visibility != VIS_PRIVATE) ||
	    ((who & W_INVITED) && obj->invite_ok))
		return 0;
	if (a->user_id == 0)
		return ERR_UNAUTHORIZED;
	if (((who & W_ADMIN) && actor_is_admin(a)) || (who & W_USER) ||
	    ((who & W_OWNER) && obj->owner_id == a->user_id) ||
	    ((who & W_OPERATOR) &&
	     scoped(a, ROLE_AGENCY_OPERATOR, obj->agency_id)) ||
	    ((who & W_STAFF) &&
	     scoped(a, ROLE_CEMETERY_STAFF, obj->cemetery_id)) ||
	    ((who & W_MANAGER) && manages(a, obj->cemetery_id)) ||
	    ((who & W_FAMILY) &&
	     scoped(a, ROLE_FAMILY_ADMIN, obj->memorial_id)) ||
	    ((who & W_GUEST) &&
	     scoped(a, ROLE_MEMORIAL_GUEST, obj->memorial_id)))
		return 0;
	return ERR_FORBIDDEN;
}

bool access_deny(struct http_resp *resp, int rc)
{
	if (rc == 0)
		return false;
	if (rc == ERR_UNAUTHORIZED)
		http_resp_err(resp, rc, "sign in first");
	else if (rc == ERR_FORBIDDEN)
		http_resp_err(resp, rc, "you do not have the right to do this");
	else
		http_resp_err(resp, rc, "access check failed");
	return true;
}

char *access_table_json(void)
{
	static const char *const bits[] = {
	    "anon",  "user",  "owner",   "operator", "staff",   "family",
	    "guest", "admin", "visible", "invited",  "manager",
	};
	json_t *all = json_array();
	char *s;

	for (int i = 0; i < ACT_COUNT; i++) {
		json_t *who = json_array();

		for (size_t b = 0; b < G_N_ELEMENTS(bits); b++)
			if (rules[i].who & (1u << b))
				json_array_append_new(who,
				                      json_string(bits[b]));
		json_array_append_new(all, json_pack("{s:s,s:o,s:s}", "action",
		                                     rules[i].name, "who", who,
		                                     "note", rules[i].note));
	}
	s = json_dumps(all, JSON_INDENT(1));
	json_decref(all);
	return s;
}

void access_table_markdown(void (*emit)(void *ud, const char *s), void *ud)
{
	static const struct {
		unsigned bit;
		const char *head;
	} cols[] = {
	    {W_ANON | W_VISIBLE | W_INVITED, "anonymous"},
	    {W_USER | W_OWNER, "mourner"},
	    {W_FAMILY | W_GUEST, "family admin / guest"},
	    {W_STAFF | W_MANAGER, "cemetery staff"},
	    {W_OPERATOR, "agency operator"},
	    {W_ADMIN, "platform admin"},
	};
	char line[512];

	emit(ud, "| action | what | anonymous | mourner | family admin / "
	         "guest | cemetery staff | agency operator | platform admin "
	         "|\n|---|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < ACT_COUNT; i++) {
		unsigned who = rules[i].who;
		size_t n = (size_t)snprintf(line, sizeof(line), "| `%s` | %s |",
		                            rules[i].name, rules[i].note);

		for (size_t c = 0; c < G_N_ELEMENTS(cols); c++) {
			const char *cell = " – |";

			if (who & W_ANON) /* anyone: every column */
				cell = " yes |";
			else if (cols[c].bit ==
			         (W_ANON | W_VISIBLE | W_INVITED))
				cell = (who & W_ANON)      ? " yes |"
				       : (who & W_VISIBLE) ? " if public |"
				       : (who & W_INVITED) ? " with invite |"
				                           : cell;
			else if (cols[c].bit == (W_USER | W_OWNER))
				cell = (who & W_USER)    ? " yes |"
				       : (who & W_OWNER) ? " own only |"
				                         : cell;
			else if (cols[c].bit == (W_STAFF | W_MANAGER))
				cell = (who & W_STAFF) ? " own scope |"
				       : (who & W_MANAGER)
				           ? " managers, own scope |"
				           : cell;
			else if (cols[c].bit == (W_FAMILY | W_GUEST))
				cell = (who & W_FAMILY)  ? " own memorial |"
				       : (who & W_GUEST) ? " view only |"
				                         : cell;
			else if (who & cols[c].bit)
				cell = cols[c].bit == W_ADMIN ? " yes |"
				                              : " own scope |";
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s",
			                      cell);
		}
		snprintf(line + n, sizeof(line) - n, "\n");
		emit(ud, line);
	}
}

int access_audit(struct app *app, const struct actor *a, const char *action,
                 const char *object_kind, int64_t object_id, const char *detail)
{
	log_info("audit", "user %lld used %s on %s %lld", (long long)a->user_id,
	         action, object_kind, (long long)object_id);
	return store_user_audit_add(app->store, a->user_id, action, object_kind,
	                            object_id, detail);
}
