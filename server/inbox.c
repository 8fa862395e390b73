/* inbox.c — who is told what on the site: the inbox items and their live
 * delivery on "user:{id}".
 *
 * Owns the kinds of items, their data and links, and the choice of
 * recipients for each event; re-checks each recipient's right (to watch a
 * ceremony, to view a memorial) when the item is made. SQL is in
 * store_inbox.c. Never sends e-mail or text messages (reminder.c does,
 * through notify.c). Called after the fact by api_tribute.c (messages
 * waiting), sweeping.c (orders), api_ceremony.c and live.c (ceremonies)
 * and reminder.c (the day before); main loop only.
 */
#include "inbox.h"
#include "access.h"
#include "api_ceremony.h"
#include "app.h"
#include "auth.h"
#include "bus.h"
#include "ceremony.h"
#include "crypto.h"
#include "err.h"
#include "jsonx.h"
#include "log.h"
#include "store.h"
#include "store_ceremony.h"
#include "store_inbox.h"
#include "store_tribute.h"
#include "store_mourning.h"
#include "store_sweeping.h"
#include "store_user.h"
#include "sweeping.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"message_pending", "order",
                                         "visit_tomorrow", "ceremony_live",
                                         "mourning_tomorrow"};

const char *inbox_kind_name(enum inbox_kind k)
{
	return (unsigned)k < G_N_ELEMENTS(kind_names) ? kind_names[k] : "?";
}

json_t *inbox_item_json(const struct inbox_row *r)
{
	json_t *data = json_loads(r->data ? r->data : "{}", 0, NULL);

	return json_pack("{s:I,s:s,s:o,s:s,s:s,s:s,s:b}", "id",
	                 (json_int_t)r->id, "kind", r->kind, "data",
	                 data ? data : json_object(), "link", r->link,
	                 "created_at", r->created_at, "updated_at",
	                 r->updated_at, "read", r->read_at[0] != '\0');
}

static void publish(struct bus *bus, int64_t user_id, json_t *ev)
{
	char topic[48];
	size_t len;
	char *s = ev ? jsonx_dump(ev, &len) : NULL;

	if (s) {
		snprintf(topic, sizeof(topic), "user:%lld", (long long)user_id);
		bus_publish(bus, topic, s, len);
	}
	free(s);
	json_decref(ev);
}

int inbox_put(struct store *st, struct bus *bus, int64_t user_id,
              enum inbox_kind k, const char *key, json_t *data,
              const char *link)
{
	char *text = jsonx_dump(data, NULL);
	struct inbox_row r = {0};
	int64_t id = 0, unread = 0;
	int rc;

	if (!text)
		return ERR_NOMEM;
	rc = store_inbox_put(st, user_id, inbox_kind_name(k), key, text, link,
	                     &id);
	free(text);
	if (rc == 0)
		rc = store_inbox_get(st, user_id, id, &r);
	if (rc) {
		log_error("inbox", "cannot keep a %s item for user %lld (%d)",
		          inbox_kind_name(k), (long long)user_id, rc);
		return rc;
	}
	/* kept; without its unread count the live event would mislead, and
	 * the page reads the inbox again when it opens */
	if (bus && store_ok(store_inbox_unread(st, user_id, &unread),
	                    "counting unread inbox items"))
		publish(bus, user_id,
		        json_pack("{s:s,s:o,s:I}", "type", "inbox", "item",
		                  inbox_item_json(&r), "unread",
		                  (json_int_t)unread));
	store_inbox_row_clear(&r);
	return 0;
}

void inbox_publish_read(struct store *st, struct bus *bus, int64_t user_id,
                        json_t *ids)
{
	int64_t unread = 0;

	if (!bus || !store_ok(store_inbox_unread(st, user_id, &unread),
	                      "counting unread inbox items")) {
		json_decref(ids);
		return;
	}
	publish(bus, user_id,
	        json_pack("{s:s,s:o,s:I}", "type", "inbox_read", "ids",
	                  ids ? ids : json_string("all"), "unread",
	                  (json_int_t)unread));
}

void inbox_message_pending(struct store *st, struct bus *bus,
                           int64_t memorial_id, const char *title,
                           const char *slug)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int64_t pending = 0;
	char key[48], link[96];
	json_t *data;

	snprintf(key, sizeof(key), "memorial:%lld:pending",
	         (long long)memorial_id);
	snprintf(link, sizeof(link), "/memorial-admin.html?id=%lld",
	         (long long)memorial_id);
	if (!store_ok(store_tribute_pending(st, memorial_id, &pending),
	              "counting messages waiting") ||
	    !store_ok(store_user_grant_holders(st, "family_admin", "memorial",
	                                       memorial_id, ids),
	              "finding who moderates a memorial")) {
		g_array_free(ids, TRUE);
		return;
	}
	data = json_pack("{s:I,s:s,s:s,s:I}", "memorial_id",
	                 (json_int_t)memorial_id, "title", title, "slug", slug,
	                 "pending", (json_int_t)pending);
	for (guint i = 0; data && i < ids->len; i++) {
		int64_t uid = g_array_index(ids, int64_t, i);

		if (pending > 0) {
			inbox_put(st, bus, uid, INBOX_MESSAGE_PENDING, key,
			          data, link);
		} else if (store_inbox_read_key(st, uid, key) == 0 &&
		           sqlite3_changes(store_db(st)) > 0) {
			inbox_publish_read(st, bus, uid, NULL);
		}
	}
	json_decref(data);
	g_array_free(ids, TRUE);
}

/* The newest proof photo among an order's proofs, "" when none. */
static void latest_photo(const GArray *a, int64_t order_id, char *out,
                         size_t outlen)
{
	out[0] = '\0';
	for (guint i = a->len; i-- > 0;) {
		struct sweeping_proof *p =
		    &g_array_index(a, struct sweeping_proof, i);

		if (!p->video) {
			snprintf(out, outlen,
			         "/api/sweeping-orders/%lld/proof/%lld",
			         (long long)order_id, (long long)p->id);
			break;
		}
	}
}

void inbox_order(struct store *st, struct bus *bus,
                 const struct sweeping_order *o)
{
	char key[48], link[64], photo[96];
	GArray *proofs =
	    g_array_new(FALSE, FALSE, sizeof(struct sweeping_proof));
	json_t *data;

	/* the change of state is told even if its photos cannot be read */
	if (!store_ok(store_sweeping_proof_list(st, o->id, proofs),
	              "listing an order's proofs for its notice"))
		g_array_set_size(proofs, 0);
	latest_photo(proofs, o->id, photo, sizeof(photo));
	snprintf(key, sizeof(key), "order:%lld", (long long)o->id);
	snprintf(link, sizeof(link), "/order.html?id=%lld", (long long)o->id);
	data = json_pack(
	    "{s:I,s:s,s:s,s:s,s:i,s:o}", "order_id", (json_int_t)o->id, "state",
	    sweeping_state_name(o->state), "date", o->date, "cemetery",
	    o->cemetery_name, "proofs", (int)proofs->len, "photo",
	    photo[0] ? json_string(photo) : json_null());
	if (data)
		inbox_put(st, bus, o->user_id, INBOX_ORDER, key, data, link);
	json_decref(data);
	g_array_free(proofs, TRUE);
}

/* True when user_id's kept invitation to ceremony_id is token. */
static bool invitee_has(struct app *app, int64_t ceremony_id, int64_t user_id,
                        const char *token)
{
	char kept[512], *open;
	bool same;

	if (store_inbox_invitee_get(app->store, ceremony_id, user_id, kept,
	                            sizeof(kept)))
		return false;
	open = crypto_open_sealed(app->crypto, kept);
	same = open && strcmp(open, token) == 0;
	free(open);
	return same;
}

void inbox_invite_opened(struct app *app, int64_t ceremony_id, int64_t user_id,
                         const char *token)
{
	char *sealed;

	/* the player asks again and again while it waits: write once */
	if (!token || !*token || !user_id ||
	    invitee_has(app, ceremony_id, user_id, token))
		return;
	sealed = crypto_seal(app->crypto, token);
	if (!sealed ||
	    store_inbox_invitee_add(app->store, ceremony_id, user_id, sealed))
		log_warn("inbox",
		         "cannot remember an invitee of ceremony "
		         "%lld",
		         (long long)ceremony_id);
	free(sealed);
}

/* Candidates told of a ceremony: uid → sealed invitation or "". */
static void live_candidates(struct app *app, const struct ceremony *c,
                            GHashTable *who)
{
	GArray *inv = g_array_new(FALSE, FALSE, sizeof(struct store_invitee));
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GArray *fol = g_array_new(FALSE, FALSE, sizeof(struct store_follower));

	/* whoever could be listed is told; a failure is logged */
	if (!store_ok(store_inbox_invitees(app->store, c->id, inv),
	              "listing a ceremony's invited accounts"))
		g_array_set_size(inv, 0);
	for (guint i = 0; i < inv->len; i++) {
		struct store_invitee *v =
		    &g_array_index(inv, struct store_invitee, i);

		g_hash_table_insert(who, g_memdup2(&v->user_id, 8),
		                    g_strdup(v->token_enc));
	}
	if (c->memorial_id &&
	    !store_ok(store_user_grant_holders(app->store, "family_admin",
	                                       "memorial", c->memorial_id, ids),
	              "listing a memorial's family admins"))
		g_array_set_size(ids, 0);
	if (c->memorial_id &&
	    !store_ok(store_mourning_followers(app->store, c->memorial_id, fol),
	              "listing a memorial's followers"))
		g_array_set_size(fol, 0);
	for (guint i = 0; i < fol->len; i++)
		g_array_append_val(
		    ids, g_array_index(fol, struct store_follower, i).user_id);
	for (guint i = 0; i < ids->len; i++) {
		int64_t uid = g_array_index(ids, int64_t, i);

		if (!g_hash_table_contains(who, &uid))
			g_hash_table_insert(who, g_memdup2(&uid, 8),
			                    g_strdup(""));
	}
	g_array_free(inv, TRUE);
	g_array_free(ids, TRUE);
	g_array_free(fol, TRUE);
}

/* Tell one person, if they may watch, with their invitation in the link. */
static void tell_live(struct app *app, const struct ceremony *c, int64_t uid,
                      const char *sealed, json_t *data)
{
	struct actor *a = g_new0(struct actor, 1);
	char *token =
	    sealed[0] ? crypto_open_sealed(app->crypto, sealed) : NULL;
	char hash[CRYPTO_HASH_CHARS], link[256], key[48];
	struct access_obj obj;

	api_ceremony_obj(c, &obj);
	if (token) {
		crypto_sha256_hex(token, hash);
		obj.invite_ok =
		    store_ceremony_invite_check(app->store, c->id, hash) == 0;
	}
	if (auth_load_actor(app, uid, a) == 0 &&
	    access_check(a, ACT_CEREMONY_WATCH, &obj) == 0) {
		snprintf(link, sizeof(link), "/c/%lld%s%s", (long long)c->id,
		         obj.invite_ok ? "?invite=" : "",
		         obj.invite_ok ? token : "");
		snprintf(key, sizeof(key), "ceremony:%lld", (long long)c->id);
		inbox_put(app->store, app->bus, uid, INBOX_CEREMONY_LIVE, key,
		          data, link);
	}
	free(token);
	g_free(a);
}

void inbox_ceremony_live(struct app *app, const struct ceremony *c)
{
	GHashTable *who =
	    g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	json_t *data =
	    json_pack("{s:I,s:s,s:s}", "ceremony_id", (json_int_t)c->id,
	              "title", c->title, "deceased_name", c->deceased_name);
	GHashTableIter it;
	gpointer k, v;

	live_candidates(app, c, who);
	g_hash_table_iter_init(&it, who);
	while (data && g_hash_table_iter_next(&it, &k, &v))
		tell_live(app, c, *(int64_t *)k, v, data);
	json_decref(data);
	g_hash_table_destroy(who);
}
