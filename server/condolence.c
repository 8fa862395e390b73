/* condolence.c — the rules of condolences on a ceremony: the moderation a
 * message follows, its states, and the events after each change.
 *
 * Owns the choice between pending and published, the allowed changes of
 * state, and what is published on ceremony:{id} (for everyone watching)
 * and condolences:{id} (for the moderators). Never publishes a pending or
 * hidden message's text on ceremony:{id}. Called by api_condolence.c.
 */
#include "condolence.h"
#include "bus.h"
#include "err.h"
#include "jsonx.h"
#include "log.h"
#include "memorial.h"
#include "store_ceremony.h"
#include "store_memorial.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

bool condolence_held(struct store *st, const struct ceremony *c)
{
	struct memorial *m;
	bool held;

	if (!c->memorial_id)
		return false;
	m = g_new(struct memorial, 1);
	/* a memorial gone meanwhile: hold, the careful choice */
	held = store_memorial_get(st, c->memorial_id, m) != 0 || m->hold;
	g_free(m);
	return held;
}

json_t *condolence_json(const struct ceremony_message *m)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)m->id,
	                 "from_name", m->from_name, "text", m->text,
	                 "created_at", m->created_at, "state",
	                 ceremony_cond_state_name(m->state));
}

static void publish(struct bus *bus, const char *kind, int64_t cid, json_t *ev)
{
	char topic[64];
	size_t len = 0;
	char *s = jsonx_dump(ev, &len);

	snprintf(topic, sizeof(topic), "%s:%lld", kind, (long long)cid);
	if (!s || bus_publish(bus, topic, s, len))
		log_warn("condolence", "cannot publish on %s", topic);
	free(s);
	json_decref(ev);
}

static void tell_message(struct bus *bus, const char *kind, const char *type,
                         int64_t cid, const struct ceremony_message *m)
{
	publish(bus, kind, cid,
	        json_pack("{s:s,s:o}", "type", type, "message",
	                  condolence_json(m)));
}

int condolence_add(struct store *st, struct bus *bus, const struct ceremony *c,
                   const char *from, const char *text, int64_t user_id,
                   struct ceremony_message *out)
{
	enum cond_state s =
	    condolence_held(st, c) ? COND_PENDING : COND_PUBLISHED;
	int rc =
	    store_ceremony_message_add(st, c->id, from, text, user_id, s, out);

	if (rc)
		return rc;
	if (s == COND_PUBLISHED)
		tell_message(bus, "ceremony", "condolence", c->id, out);
	else
		tell_message(bus, "condolences", "condolence_pending", c->id,
		             out);
	return 0;
}

int condolence_moderate(struct store *st, struct bus *bus,
                        const struct ceremony *c, int64_t id,
                        enum cond_state to, struct ceremony_message *out)
{
	enum cond_state from;
	int rc;

	if (to == COND_PENDING)
		return ERR_INVALID;
	if ((rc = store_ceremony_message_get(st, c->id, id, out)))
		return rc;
	from = out->state;
	if (from == to)
		return 0;
	if ((rc = store_ceremony_message_set_state(st, c->id, id, to)))
		return rc;
	out->state = to;
	if (to == COND_PUBLISHED)
		tell_message(bus, "ceremony", "condolence", c->id, out);
	else if (from == COND_PUBLISHED)
		publish(bus, "ceremony", c->id,
		        json_pack("{s:s,s:I}", "type", "condolence_hidden",
		                  "id", (json_int_t)id));
	tell_message(bus, "condolences", "condolence_state", c->id, out);
	return 0;
}
