/* store_org.h — SQL for funeral agencies, halls, cemeteries and their
 * public service items. */
#ifndef SINIAN_STORE_ORG_H
#define SINIAN_STORE_ORG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "textlimit.h"

struct store;

enum org_kind { ORG_AGENCY = 0, ORG_CEMETERY };

struct org {
	int64_t id;
	enum org_kind kind;
	char name[TEXT_BUF(ORG_NAME_MAX)];
	char region_code[16];
	char address[TEXT_BUF(ORG_ADDRESS_MAX)];
	char phone[TEXT_BUF(ORG_PHONE_MAX)];
	bool has_geo;
	double lat, lng;
	char created_at[32];
};

struct service_item {
	int64_t id;
	enum org_kind org_kind;
	int64_t org_id;
	char code[TEXT_BUF(SERVICE_CODE_MAX)];
	char name[TEXT_BUF(SERVICE_NAME_MAX)];
	char description[TEXT_BUF(SERVICE_DESC_MAX)];
	int64_t price_cents;
	char unit[TEXT_BUF(SERVICE_UNIT_MAX)];
	bool active;
};

const char *store_org_kind_name(enum org_kind k); /* "agency"/"cemetery" */

G_GNUC_WARN_UNUSED_RESULT int
store_org_create(struct store *st, const struct org *o, int64_t *id);
G_GNUC_WARN_UNUSED_RESULT int store_org_update(struct store *st,
                                               const struct org *o);
/* ERR_NOT_FOUND when absent. */
G_GNUC_WARN_UNUSED_RESULT int store_org_get(struct store *st, enum org_kind k,
                                            int64_t id, struct org *out);
/* All of a kind, by name, into a GArray of struct org. */
G_GNUC_WARN_UNUSED_RESULT int store_org_list(struct store *st, enum org_kind k,
                                             GArray *out);

G_GNUC_WARN_UNUSED_RESULT int
store_org_service_create(struct store *st, const struct service_item *s,
                         int64_t *id);
G_GNUC_WARN_UNUSED_RESULT int
store_org_service_update(struct store *st, const struct service_item *s);
G_GNUC_WARN_UNUSED_RESULT int
store_org_service_get(struct store *st, int64_t id, struct service_item *out);
/* Items of an org (active only unless all) into a GArray. */
G_GNUC_WARN_UNUSED_RESULT int store_org_service_list(struct store *st,
                                                     enum org_kind k,
                                                     int64_t org_id, bool all,
                                                     GArray *out);

G_GNUC_WARN_UNUSED_RESULT int store_org_hall_create(struct store *st,
                                                    int64_t agency_id,
                                                    const char *name,
                                                    int64_t *id);
/* A farewell hall of an agency. */
struct hall {
	int64_t id;
	int64_t agency_id;
	char name[TEXT_BUF(HALL_NAME_MAX)];
};
G_GNUC_WARN_UNUSED_RESULT int
store_org_hall_list(struct store *st, int64_t agency_id, GArray *out);
G_GNUC_WARN_UNUSED_RESULT int store_org_hall_get(struct store *st, int64_t id,
                                                 struct hall *out);

#endif
