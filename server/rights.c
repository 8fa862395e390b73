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
	wshub_recheck(app, &ev);
	api_watch_recheck(app, &ev);
}

int rights_start(struct app *app)
{
	app->rights_sub = bus_subscribe(app->bus, RIGHTS_TOPIC, on_change, app);
	return app->rights_sub ? 0 : ERR_NOMEM;
}

void rights_stop(struct app *app)
{
	if (app->rights_sub)
		bus_unsubscribe(app->bus, app->rights_sub);
	app->rights_sub = NULL;
}
