/* rights.c — rights changes over the bus, and who checks again.
 *
 * Owns the "sys:rights" topic: the message format ({"kind","id"}), this
 * node's subscription, and the dispatch to the checks of sockets
 * (wshub.c) and WHEP viewers (api_watch.c). Decides nothing itself: the
 * checks ask access.c again, exactly as when the socket subscribed or the
 * viewer joined. Main loop only.
 */
#include "rights.h"
#include "api_ceremony.h"
#include "app.h"
#include "auth.h"
#include "bus.h"
#include "err.h"
#include "log.h"
#include "wshub.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RIGHTS_TOPIC "sys:rights"

static const char *const kind_names[RIGHTS_KIND_COUNT] = {"memorial",
                                                          "ceremony", "user"};

const char *rights_kind_name(enum rights_kind k)
{
	return k < RIGHTS_KIND_COUNT ? kind_names[k] : "?";
}

int rights_kind_parse(const char *s)
{
	for (int i = 0; s && i < RIGHTS_KIND_COUNT; i++)
		if (strcmp(kind_names[i], s) == 0)
			return i;
	return -1;
}

void rights_changed(struct app *app, enum rights_kind kind, int64_t id)
{
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "{\"kind\":\"%s\",\"id\":%lld}",
	                 rights_kind_name(kind), (long long)id);

	log_info("rights", "%s %lld changed: checking again",
	         rights_kind_name(kind), (long long)id);
	if (!app->bus || bus_publish(app->bus, RIGHTS_TOPIC, msg, (size_t)n))
		log_error("rights", "cannot announce the change of %s %lld",
		          rights_kind_name(kind), (long long)id);
}

/* Is topic, followed by a socket of owner, one a change ev may touch?
 * Ceremonies follow the family of their memorial, so a memorial's change
 * touches every ceremony topic. */
static bool touched(void *ud, int64_t owner, const char *topic)
{
	const struct rights_event *ev = ud;
	char want[48];

	switch (ev->kind) {
	case RIGHTS_USER: return owner == ev->id;
	case RIGHTS_CEREMONY:
		snprintf(want, sizeof(want), "ceremony:%lld",
		         (long long)ev->id);
		return strcmp(topic, want) == 0;
	case RIGHTS_MEMORIAL:
		snprintf(want, sizeof(want), "memorial:%lld",
		         (long long)ev->id);
		return strcmp(topic, want) == 0 ||
		       strncmp(topic, "ceremony:", 9) == 0;
	default: return false;
	}
}

/* Whose a socket is, for RIGHTS_USER changes (app_ws_owner). */
static int64_t ws_owner(void *app, struct http_ws *ws)
{
	struct actor a;

	auth_ws_actor(app, ws, &a);
	return a.user_id;
}

static void on_change(void *ud, const struct bus_msg *m)
{
	struct app *app = ud;
	struct rights_event ev;
	json_t *j = json_loadb(m->msg, m->len, 0, NULL);
	int k =
	    rights_kind_parse(json_string_value(json_object_get(j, "kind")));
	json_t *id = json_object_get(j, "id");

	if (k < 0 || !json_is_integer(id)) {
		log_warn("rights", "malformed change on %s", m->topic);
		json_decref(j);
		return;
	}
	ev.kind = (enum rights_kind)k;
	ev.id = json_integer_value(id);
	json_decref(j);
	wshub_recheck(app, touched, &ev);
	api_watch_recheck(app, &ev);
}

int rights_start(struct app *app)
{
	app->ws_owner = ws_owner;
	app->rights_sub = bus_subscribe(app->bus, RIGHTS_TOPIC, on_change, app);
	return app->rights_sub ? 0 : ERR_NOMEM;
}

void rights_stop(struct app *app)
{
	if (app->rights_sub)
		bus_unsubscribe(app->bus, app->rights_sub);
	app->rights_sub = NULL;
}
