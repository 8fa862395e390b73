/* tribute.c — flowers, incense, candles, bows and messages on a memorial.
 *
 * Owns the moderation states of a tribute and the published counts: every
 * change of a tribute and of its count happens in one transaction, so the
 * counts stay exact however many requests arrive at once. After the commit
 * the change is published on "memorial:{id}" for live pages, then the
 * family is told of messages waiting (inbox.c): a tribute's side effects
 * are all here, in that order, and the API layer calls one function. There is
 * no ranking of givers and no amount: the rules for online memorials forbid
 * leaderboards. Knows no HTTP; SQL is in store_tribute.c.
 */
#include "tribute.h"
#include "bus.h"
#include "err.h"
#include "inbox.h"
#include "jsonx.h"
#include "log.h"
#include "memorial.h"
#include "store.h"
#include "store_tribute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[TRIB_KIND_COUNT] = {
    "flower", "incense", "candle", "bow", "message"};
static const char *const state_names[] = {"published", "pending", "hidden"};

const char *tribute_kind_name(enum tribute_kind k)
{
	return k < TRIB_KIND_COUNT ? kind_names[k] : "?";
}

int tribute_kind_parse(const char *name)
{
	for (int i = 0; name && i < TRIB_KIND_COUNT; i++)
		if (strcmp(kind_names[i], name) == 0)
			return i;
	return -1;
}

const char *tribute_state_name(enum tribute_state s)
{
	return s <= TRIB_HIDDEN ? state_names[s] : "?";
}

int tribute_state_parse(const char *name)
{
	for (int i = 0; name && i <= TRIB_HIDDEN; i++)
		if (strcmp(state_names[i], name) == 0)
			return i;
	return -1;
}

int tribute_validate(const struct tribute *t, struct err_detail *e)
{
	size_t name = jsonx_utf8_len(t->from_name);
	size_t text = jsonx_utf8_len(t->text);

	if (t->kind >= TRIB_KIND_COUNT) {
		return err_fail(
		    e, ERR_INVALID, NULL,
		    "kind: one of flower, incense, candle, bow, message");
	}
	if (name < 1 || name > SENDER_NAME_MAX) {
		return err_fail(e, ERR_INVALID, NULL,
		                "from_name: must be 1 to %d characters",
		                SENDER_NAME_MAX);
	}
	if (t->kind == TRIB_MESSAGE && (text < 1 || text > TRIBUTE_TEXT_MAX)) {
		return err_fail(e, ERR_INVALID, NULL,
		                "text: a message needs 1 to %d characters",
		                TRIBUTE_TEXT_MAX);
	}
	if (t->kind != TRIB_MESSAGE && text) {
		return err_fail(e, ERR_INVALID, NULL,
		                "text: only a message carries text");
	}
	return 0;
}

json_t *tribute_json(const struct tribute *t)
{
	return json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s}", "id",
	                 (json_int_t)t->id, "memorial_id",
	                 (json_int_t)t->memorial_id, "kind",
	                 tribute_kind_name(t->kind), "from_name", t->from_name,
	                 "text", t->text, "state", tribute_state_name(t->state),
	                 "created_at", t->created_at);
}

json_t *tribute_counts_json(const struct tribute_counts *c)
{
	json_t *j = json_object();

	for (int k = 0; k < TRIB_KIND_COUNT; k++)
		jsonx_put(&j, kind_names[k], json_integer(c->n[k]));
	jsonx_put(&j, "total", json_integer(c->total));
	return j;
}

/* Publish {"type":type, "tribute"|"id", "counts"} on memorial:{id}. */
static void publish(struct bus *bus, const char *type, const struct tribute *t,
                    const struct tribute_counts *c)
{
	json_t *j = json_pack("{s:s,s:o}", "type", type, "counts",
	                      tribute_counts_json(c));
	char topic[48];
	size_t len;
	char *s;

	if (!bus || !j) {
		json_decref(j);
		return;
	}
	if (t->state == TRIB_HIDDEN)
		jsonx_put(&j, "id", json_integer(t->id));
	else
		jsonx_put(&j, "tribute", tribute_json(t));
	snprintf(topic, sizeof(topic), "memorial:%lld",
	         (long long)t->memorial_id);
	s = jsonx_dump(j, &len);
	if (s && bus_publish(bus, topic, s, len))
		log_warn("tribute", "cannot publish on %s", topic);
	free(s);
	json_decref(j);
}

/* A laid tribute's JSON and its counts', each rendered once into both
 * {"tribute","counts"} (returned) and, when bus is given, its event on
 * the bus (the bytes publish() would send). NULL when out of memory. */
static GString *laid_json(struct bus *bus, const struct tribute *t,
                          const struct tribute_counts *c)
{
	json_t *tj = tribute_json(t), *cj = tribute_counts_json(c);
	char *ts = tj ? jsonx_dump(tj, NULL) : NULL;
	char *cs = cj ? jsonx_dump(cj, NULL) : NULL;
	GString *ev, *answer = NULL;
	char topic[48];

	if (!ts || !cs)
		goto out;
	answer = g_string_new("{\"tribute\":");
	g_string_append_printf(answer, "%s,\"counts\":%s}", ts, cs);
	if (bus) {
		ev = g_string_new("{\"type\":\"tribute\",\"counts\":");
		g_string_append_printf(ev, "%s,\"tribute\":%s}", cs, ts);
		snprintf(topic, sizeof(topic), "memorial:%lld",
		         (long long)t->memorial_id);
		if (bus_publish(bus, topic, ev->str, ev->len))
			log_warn("tribute", "cannot publish on %s", topic);
		g_string_free(ev, TRUE);
	}
out:
	free(ts);
	free(cs);
	json_decref(tj);
	json_decref(cj);
	return answer;
}

int tribute_counts_get(struct store *st, int64_t memorial_id,
                       struct tribute_counts *out)
{
	return store_tribute_counts(st, memorial_id, out);
}

/* Store t and its count in one transaction (nested in the group
 * commit's); fills t->id, state, created_at and counts. */
static int insert(struct store *st, bool hold, struct tribute *t,
                  struct tribute_counts *counts)
{
	int rc;

	t->state =
	    (hold && t->kind == TRIB_MESSAGE) ? TRIB_PENDING : TRIB_PUBLISHED;
	if ((rc = store_begin(st)))
		return rc;
	if ((rc = store_tribute_insert(st, t)) ||
	    (t->state == TRIB_PUBLISHED &&
	     (rc = store_tribute_count_add(st, t->memorial_id, t->kind, 1))) ||
	    (rc = store_tribute_counts(st, t->memorial_id, counts)) ||
	    (rc = store_commit(st))) {
		store_rollback(st);
		return rc;
	}
	return 0;
}

/* A tribute on its way through the group commit (tribute_lay). */
struct lay {
	struct store *st;
	struct bus *bus;
	struct tribute_memorial m;
	struct tribute *t;
	struct tribute_counts *counts;
	tribute_laid_fn laid;
	void *ud;
};

static int lay_run(struct store *st, void *ud)
{
	struct lay *l = ud;

	return insert(st, l->m.hold, l->t, l->counts);
}

static void lay_done(void *ud, int rc)
{
	struct lay *l = ud;
	GString *json = NULL;

	if (rc == 0) {
		bool shown = l->t->state == TRIB_PUBLISHED;

		json = laid_json(shown ? l->bus : NULL, l->t, l->counts);
		if (!shown)
			inbox_message_pending(l->st, l->bus, l->m.id,
			                      l->m.title, l->m.slug);
	}
	l->laid(l->ud, rc, json ? json->str : NULL, json ? json->len : 0);
	if (json)
		g_string_free(json, TRUE);
	g_free(l);
}

void tribute_lay(struct store *st, struct bus *bus,
                 const struct tribute_memorial *m, struct tribute *t,
                 struct tribute_counts *counts, tribute_laid_fn laid, void *ud)
{
	struct lay *l = g_new(struct lay, 1);

	*l = (struct lay){st, bus, *m, t, counts, laid, ud};
	t->memorial_id = m->id;
	store_write(st, lay_run, lay_done, l);
}

int tribute_add(struct store *st, struct bus *bus, bool hold, struct tribute *t,
                struct tribute_counts *counts, struct err_detail *e)
{
	int rc;

	if ((rc = tribute_validate(t, e)))
		return rc;
	if ((rc = insert(st, hold, t, counts)))
		return err_fail(e, rc, NULL, "cannot store the tribute");
	if (t->state == TRIB_PUBLISHED)
		publish(bus, "tribute", t, counts);
	return 0;
}

int tribute_moderate(struct store *st, struct bus *bus,
                     const struct memorial *m, int64_t tribute_id,
                     enum tribute_state to, struct tribute *out,
                     struct tribute_counts *counts)
{
	enum tribute_state from;
	int delta, rc;

	if (to != TRIB_PUBLISHED && to != TRIB_HIDDEN)
		return ERR_INVALID;
	if ((rc = store_begin(st)))
		return rc;
	rc = store_tribute_get(st, tribute_id, out);
	if (rc == 0 && (out->memorial_id != m->id || out->kind != TRIB_MESSAGE))
		rc = ERR_NOT_FOUND;
	if (rc)
		goto out_rollback;
	from = out->state;
	delta = (to == TRIB_PUBLISHED) - (from == TRIB_PUBLISHED);
	out->state = to;
	if ((from != to &&
	     (rc = store_tribute_set_state(st, tribute_id, to))) ||
	    (delta &&
	     (rc = store_tribute_count_add(st, m->id, out->kind, delta))) ||
	    (rc = store_tribute_counts(st, m->id, counts)) ||
	    (rc = store_commit(st)))
		goto out_rollback;
	if (from != to && to == TRIB_PUBLISHED)
		publish(bus, "message_approved", out, counts);
	else if (from == TRIB_PUBLISHED && to == TRIB_HIDDEN)
		publish(bus, "message_hidden", out, counts);
	inbox_message_pending(st, bus, m->id, m->title, m->slug);
	return 0;
out_rollback:
	store_rollback(st);
	return rc;
}
