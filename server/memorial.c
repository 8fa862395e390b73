/* memorial.c — memorial pages as records: slugs, visibility, creation in
 * one transaction with the deceased record and the creator's family_admin
 * grant, and the access facts of a memorial or a deceased record.
 *
 * Knows no HTTP; SQL is in store_memorial.c and store_deceased.c. Called by
 * api_memorial.c, api_deceased.c, api_photo.c, api_tribute.c and the demo.
 */
#include "memorial.h"
#include "crypto.h"
#include "err.h"
#include "jsonx.h"
#include "log.h"
#include "store.h"
#include "store_deceased.h"
#include "store_memorial.h"
#include "store_user.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char *const vis_names[] = {"public", "unlisted", "private"};

const char *memorial_visibility_name(enum obj_visibility v)
{
	return v <= VIS_PRIVATE ? vis_names[v] : "private";
}

int memorial_visibility_parse(const char *name)
{
	for (int i = 0; name && i <= VIS_PRIVATE; i++)
		if (strcmp(vis_names[i], name) == 0)
			return i;
	return -1;
}

static bool slug_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool memorial_slug_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < MEMORIAL_SLUG_MIN || n > MEMORIAL_SLUG_MAX ||
	    !slug_char(s[0]) || !slug_char(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!slug_char(s[i]) && s[i] != '-')
			return false;
	return s[strspn(s, "0123456789")] != '\0';
}

void memorial_slug_new(char out[MEMORIAL_SLUG_RANDOM + 1])
{
	/* 32 symbols: 5 bits each; the first one of 24 letters */
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";

	out[0] = alphabet[randombytes_uniform(24)];
	for (int i = 1; i < MEMORIAL_SLUG_RANDOM; i++)
		out[i] = alphabet[randombytes_uniform(32)];
	out[MEMORIAL_SLUG_RANDOM] = '\0';
}

#define SLUG_RULE                                                              \
	"slug: 3 to 64 of a-z, 0-9 and '-', starting and ending with a "       \
	"letter or digit, not all digits"
#define SLUG_PUBLIC_ONLY                                                       \
	"slug: only a public memorial chooses its slug; an unlisted or "       \
	"private one is found by a random one"

static int memorial_check(const struct memorial *m, struct err_detail *e)
{
	size_t n = jsonx_utf8_len(m->title);

	if (m->slug[0] && !memorial_slug_valid(m->slug)) {
		return err_fail(e, ERR_INVALID, NULL, SLUG_RULE);
	}
	if (n < 1 || n > MEMORIAL_TITLE_MAX) {
		return err_fail(e, ERR_INVALID, NULL,
		                "title: must be 1 to %d characters",
		                MEMORIAL_TITLE_MAX);
	}
	if (jsonx_utf8_len(m->biography) > MEMORIAL_BIO_MAX) {
		return err_fail(e, ERR_INVALID, NULL,
		                "biography: at most %d characters",
		                MEMORIAL_BIO_MAX);
	}
	return 0;
}

static int pick_slug(struct store *st, struct memorial *m, struct err_detail *e)
{
	if (m->slug[0]) {
		if (!store_memorial_slug_used(st, m->slug))
			return 0;
		return err_fail(e, ERR_CONFLICT, NULL,
		                "slug: already used by another memorial");
	}
	for (int i = 0; i < 8; i++) {
		memorial_slug_new(m->slug);
		if (!store_memorial_slug_used(st, m->slug))
			return 0;
	}
	return err_fail(e, ERR_CONFLICT, NULL, "cannot find a free slug");
}

int memorial_settle_slug(struct store *st, struct memorial *m,
                         const char *old_slug, enum obj_visibility old_vis,
                         struct err_detail *e)
{
	bool chosen = strcmp(old_slug, m->slug) != 0;

	if (chosen && !memorial_slug_valid(m->slug)) {
		return err_fail(e, ERR_INVALID, NULL, SLUG_RULE);
	}
	if (chosen && m->visibility != VIS_PUBLIC) {
		return err_fail(e, ERR_INVALID, NULL, SLUG_PUBLIC_ONLY);
	}
	if (m->visibility != VIS_PUBLIC && old_vis == VIS_PUBLIC)
		m->slug[0] = '\0'; /* a fresh random one below */
	else if (!chosen)
		return 0;
	return pick_slug(st, m, e);
}

static int link_deceased(struct store *st, const struct crypto *c,
                         struct memorial *m, struct deceased *inline_d,
                         int64_t creator, struct err_detail *e)
{
	struct deceased d;
	char today[11];
	int64_t other;
	int rc;

	if (inline_d) {
		deceased_today(today);
		inline_d->agency_id = 0;
		inline_d->created_by = creator;
		if ((rc = deceased_validate(inline_d, today, e)) ||
		    (rc = deceased_create(st, c, inline_d, NULL, e)))
			return rc;
		m->deceased_id = inline_d->id;
		return 0;
	}
	if ((rc = store_deceased_get(st, m->deceased_id, &d))) {
		return err_fail(e, rc, NULL, "%s",
		                rc == ERR_NOT_FOUND
		                    ? "deceased_id: no such deceased record"
		                    : "cannot read the deceased record");
	}
	if ((rc = store_deceased_memorial(st, d.id, &other)))
		return rc;
	if (other) {
		return err_fail(
		    e, ERR_CONFLICT, NULL,
		    "deceased_id: this record already has a memorial");
	}
	return 0;
}

int memorial_create(struct store *st, const struct crypto *c,
                    struct memorial *m, struct deceased *inline_d,
                    int64_t creator, struct err_detail *e)
{
	int rc;

	if ((rc = memorial_check(m, e)))
		return rc;
	if (m->slug[0] && m->visibility != VIS_PUBLIC) {
		return err_fail(e, ERR_INVALID, NULL, SLUG_PUBLIC_ONLY);
	}
	if ((rc = store_begin(st))) {
		log_error("memorial", "creating a memorial by user %lld: %s",
		          (long long)creator, err_name(rc));
		return err_fail(e, rc, NULL, "store busy");
	}
	m->created_by = creator;
	if ((rc = pick_slug(st, m, e)) ||
	    (rc = link_deceased(st, c, m, inline_d, creator, e)))
		goto out_rollback;
	if ((rc = store_memorial_insert(st, m, &m->id)) ||
	    (creator &&
	     (rc = store_user_grant_add(st, creator, "family_admin", "memorial",
	                                m->id, creator))) ||
	    (rc = store_commit(st))) {
		log_error("memorial",
		          "storing a memorial of record %lld by user %lld: %s",
		          (long long)m->deceased_id, (long long)creator,
		          err_name(rc));
		err_fail(e, rc, NULL, "cannot store the memorial");
		goto out_rollback;
	}
	return 0;
out_rollback:
	store_rollback(st);
	return rc;
}

int memorial_deceased_obj(struct store *st, const struct deceased *d,
                          struct access_obj *obj)
{
	memset(obj, 0, sizeof(*obj));
	obj->id = d->id;
	obj->agency_id = d->agency_id;
	/* the cemetery that accepted the record, not any plot's */
	obj->cemetery_id = d->cemetery_id;
	obj->visibility = VIS_PRIVATE;
	return store_deceased_memorial(st, d->id, &obj->memorial_id);
}

int memorial_deceased_readable(struct store *st, const struct actor *a,
                               int64_t id, struct deceased *d,
                               struct access_obj *obj)
{
	int rc = store_deceased_get(st, id, d);

	if (rc == 0)
		rc = memorial_deceased_obj(st, d, obj);
	if (rc == 0 && access_check(a, ACT_DECEASED_VIEW, obj))
		rc = ERR_NOT_FOUND;
	return rc;
}

int memorial_access_obj(struct store *st, const struct memorial *m,
                        struct access_obj *obj)
{
	struct deceased d;
	int rc = store_deceased_get(st, m->deceased_id, &d);

	memset(obj, 0, sizeof(*obj));
	if (rc == 0)
		rc = memorial_deceased_obj(st, &d, obj);
	obj->id = m->id;
	obj->memorial_id = m->id;
	obj->visibility = m->visibility;
	return rc;
}
