/* textlimit.c — the one table of free-text fields: what entity each
 * belongs to, its JSON key, its limits in characters and the bytes of the
 * struct member that keeps it (tests check TEXT_BUF(max) fits).
 *
 * Owns no state. Read by jsonx_text() (every handler that takes such a
 * field), by `sinian text-limits` and by the tests that walk every field.
 */
#include "textlimit.h"
#include "access.h"
#include "ceremony.h"
#include "deceased.h"
#include "grave.h"
#include "memorial.h"
#include "pay.h"
#include "plot.h"
#include "store_ceremony.h"
#include "store_org.h"
#include "store_public.h"
#include "store_user.h"
#include "sweeping.h"
#include "transfer.h"
#include "tribute.h"

#include <jansson.h>

#define AT(type, member) sizeof(((type *)0)->member)

static const struct text_limit table[TEXT_FIELD_COUNT] = {
    [TEXT_USER_NAME] = {"user", "display_name", 1, DISPLAY_NAME_MAX,
                        AT(struct store_user, display_name)},
    [TEXT_ORG_NAME] = {"org", "name", 1, ORG_NAME_MAX, AT(struct org, name)},
    [TEXT_ORG_ADDRESS] = {"org", "address", 0, ORG_ADDRESS_MAX,
                          AT(struct org, address)},
    [TEXT_ORG_PHONE] = {"org", "phone", 0, ORG_PHONE_MAX,
                        AT(struct org, phone)},
    [TEXT_SERVICE_CODE] = {"service", "code", 1, SERVICE_CODE_MAX,
                           AT(struct service_item, code)},
    [TEXT_SERVICE_NAME] = {"service", "name", 1, SERVICE_NAME_MAX,
                           AT(struct service_item, name)},
    [TEXT_SERVICE_DESC] = {"service", "description", 0, SERVICE_DESC_MAX,
                           AT(struct service_item, description)},
    [TEXT_SERVICE_UNIT] = {"service", "unit", 1, SERVICE_UNIT_MAX,
                           AT(struct service_item, unit)},
    [TEXT_HALL_NAME] = {"hall", "name", 1, HALL_NAME_MAX,
                        AT(struct hall, name)},
    [TEXT_CEREMONY_TITLE] = {"ceremony", "title", 1, CEREMONY_TITLE_MAX,
                             AT(struct ceremony, title)},
    [TEXT_CEREMONY_DECEASED] = {"ceremony", "deceased_name", 1,
                                DECEASED_NAME_MAX,
                                AT(struct ceremony, deceased_name)},
    [TEXT_INVITE_GUEST] = {"invite", "guest_name", 1, INVITE_GUEST_MAX,
                           AT(struct ceremony_invite, guest_name)},
    [TEXT_CONDOLENCE_FROM] = {"condolence", "from_name", 1, SENDER_NAME_MAX,
                              AT(struct ceremony_message, from_name)},
    [TEXT_CONDOLENCE_TEXT] = {"condolence", "text", 1, CONDOLENCE_TEXT_MAX,
                              AT(struct ceremony_message, text)},
    [TEXT_DECEASED_NAME] = {"deceased", "name", 1, DECEASED_NAME_MAX,
                            AT(struct deceased, name)},
    [TEXT_DECEASED_PLACE] = {"deceased", "native_place", 0, DECEASED_PLACE_MAX,
                             AT(struct deceased, native_place)},
    [TEXT_DECEASED_EXT_ID] = {"deceased", "ext_id", 1, EXT_ID_MAX,
                              AT(struct deceased, ext_id)},
    [TEXT_EVENT_PLACE] = {"event", "place", 0, DECEASED_PLACE_MAX,
                          AT(struct deceased_event, place)},
    [TEXT_EVENT_NOTE] = {"event", "note", 0, DECEASED_NOTE_MAX,
                         AT(struct deceased_event, note)},
    [TEXT_PLOT_SECTION] = {"plot", "section", 1, PLOT_LABEL_MAX,
                           AT(struct plot, section)},
    [TEXT_PLOT_ROW] = {"plot", "row", 1, PLOT_LABEL_MAX, AT(struct plot, row)},
    [TEXT_PLOT_NUMBER] = {"plot", "number", 1, PLOT_LABEL_MAX,
                          AT(struct plot, number)},
    [TEXT_MEMORIAL_TITLE] = {"memorial", "title", 1, MEMORIAL_TITLE_MAX,
                             AT(struct memorial, title)},
    [TEXT_MEMORIAL_BIO] = {"memorial", "biography", 0, MEMORIAL_BIO_MAX,
                           AT(struct memorial, biography)},
    [TEXT_MEMORIAL_ALIAS] = {"memorial", "search_alias", 0, MEMORIAL_ALIAS_MAX,
                             TEXT_BUF(MEMORIAL_ALIAS_MAX)},
    [TEXT_PHOTO_CAPTION] = {"photo", "caption", 0, PHOTO_CAPTION_MAX,
                            AT(struct memorial_photo, caption)},
    [TEXT_TRIBUTE_FROM] = {"tribute", "from_name", 1, SENDER_NAME_MAX,
                           AT(struct tribute, from_name)},
    [TEXT_TRIBUTE_TEXT] = {"tribute", "text", 0, TRIBUTE_TEXT_MAX,
                           AT(struct tribute, text)},
    [TEXT_ORDER_NOTE] = {"order", "note", 0, SWEEPING_NOTE_MAX,
                         AT(struct sweeping_order, note)},
    [TEXT_MOVE_NOTE] = {"move", "note", 0, SWEEPING_NOTE_MAX,
                        AT(struct sweeping_event, note)},
    [TEXT_MOVE_REASON] = {"move", "reason", 0, SWEEPING_NOTE_MAX,
                          AT(struct sweeping_order, reason)},
    [TEXT_RATING_COMMENT] = {"rating", "comment", 0, RATING_COMMENT_MAX,
                             TEXT_BUF(RATING_COMMENT_MAX)},
    [TEXT_TRANSFER_NOTE] = {"transfer", "note", 0, TRANSFER_NOTE_MAX,
                            AT(struct burial_transfer, note)},
    [TEXT_TRANSFER_REASON] = {"transfer", "reason", 0, TRANSFER_NOTE_MAX,
                              AT(struct burial_transfer, reason)},
    [TEXT_TRANSFER_RELATIVE] = {"transfer", "relative_name", 0,
                                DECEASED_NAME_MAX,
                                AT(struct burial_transfer, relative_name)},
    [TEXT_ORG_COMMITMENTS] = {"org_public", "commitments", 0,
                              ORG_PUBLIC_TEXT_MAX,
                              AT(struct org_public, commitments)},
    [TEXT_ORG_SUPERVISION] = {"org_public", "supervision", 0,
                              ORG_PUBLIC_TEXT_MAX,
                              AT(struct org_public, supervision)},
    [TEXT_ORG_ECO_BURIAL] = {"org_public", "eco_burial", 0, ORG_PUBLIC_TEXT_MAX,
                             AT(struct org_public, eco_burial)},
    [TEXT_ORG_SUBSIDY] = {"org_public", "subsidy", 0, ORG_PUBLIC_TEXT_MAX,
                          AT(struct org_public, subsidy)},
    [TEXT_COMPLAINT_TEXT] = {"complaint", "text", 1, COMPLAINT_TEXT_MAX,
                             AT(struct complaint, text)},
    [TEXT_COMPLAINT_CONTACT] = {"complaint", "contact", 0, CONTACT_TEXT_MAX,
                                AT(struct complaint, contact)},
    [TEXT_COMPLAINT_ANSWER] = {"complaint_answer", "answer", 1, ANSWER_TEXT_MAX,
                               AT(struct complaint, answer)},
    [TEXT_GRAVE_NOTE] = {"grave", "note", 0, GRAVE_NOTE_MAX,
                         AT(struct grave_request, note)},
    [TEXT_GRAVE_REASON] = {"grave_refusal", "reason", 0, GRAVE_NOTE_MAX,
                           AT(struct grave_request, reason)},
    [TEXT_PAY_INSTRUCTIONS] = {"payment", "instructions", 0,
                               PAY_INSTRUCTIONS_MAX,
                               AT(struct pay_settings, instructions)},
    [TEXT_PAY_REFERENCE] = {"payment", "reference", 1, PAY_REFERENCE_MAX,
                            AT(struct pay_record, paid_reference)},
};

const struct text_limit *textlimit_get(enum text_field f)
{
	return f < TEXT_FIELD_COUNT ? &table[f] : NULL;
}

char *textlimit_json(void)
{
	json_t *arr = json_array();
	char *s;

	for (int i = 0; arr && i < TEXT_FIELD_COUNT; i++) {
		json_t *row =
		    json_pack("{s:s,s:s,s:i,s:i}", "entity", table[i].entity,
		              "key", table[i].key, "min", (int)table[i].min,
		              "max", (int)table[i].max);

		if (!row || json_array_append_new(arr, row)) {
			json_decref(arr);
			arr = NULL;
		}
	}
	s = arr ? json_dumps(arr, JSON_INDENT(1)) : NULL;
	json_decref(arr);
	return s;
}
