/* textlimit.h — every text field people type into a record, with its
 * length in characters, and the one rule for the buffers that hold them:
 * UTF-8 takes up to 4 bytes a character, so a field of N characters needs
 * TEXT_BUF(N) bytes. Limits are checked in characters before anything is
 * stored (jsonx_text); nothing is cut to fit a buffer.
 *
 * The table in textlimit.c lists every such field once (entity, JSON key,
 * limits, the bytes of the struct member holding it). Handlers read these
 * fields with jsonx_text(), which takes its key and limits from the table;
 * `sinian text-limits` prints it, and tests/integration/text.test.mjs walks
 * it with emoji and CJK at and over each limit. A new free-text field is a
 * new row here, or tests/unit/test_textlimit.c refuses the jsonx_str()
 * that reads it.
 */
#ifndef SINIAN_TEXTLIMIT_H
#define SINIAN_TEXTLIMIT_H

#include <stddef.h>

/* Bytes for a field of n characters, with its NUL. */
#define TEXT_BUF(n) ((n)*4 + 1)

#define DISPLAY_NAME_MAX     64   /* an account's display name */
#define ORG_NAME_MAX         100  /* agency or cemetery */
#define ORG_ADDRESS_MAX      200  /* its address */
#define ORG_PHONE_MAX        20   /* its public phone, as written */
#define SERVICE_CODE_MAX     40   /* a fee-list item's code */
#define SERVICE_NAME_MAX     100  /* its name */
#define SERVICE_DESC_MAX     500  /* its description */
#define SERVICE_UNIT_MAX     16   /* its unit ("次") */
#define HALL_NAME_MAX        60   /* a farewell hall */
#define CEREMONY_TITLE_MAX   100  /* a ceremony's title */
#define INVITE_GUEST_MAX     60   /* the guest an invite link is for */
#define SENDER_NAME_MAX      64   /* who signs a tribute or condolence */
#define CONDOLENCE_TEXT_MAX  300  /* a condolence message */
#define DECEASED_NAME_MAX    64   /* the deceased's name */
#define DECEASED_PLACE_MAX   100  /* native place, the place of an event */
#define DECEASED_NOTE_MAX    500  /* the note of an event */
#define EXT_ID_MAX           64   /* a record's id in another system */
#define PLOT_LABEL_MAX       24   /* section, row and number of a plot */
#define MEMORIAL_TITLE_MAX   100  /* a memorial's title */
#define MEMORIAL_BIO_MAX     5000 /* its biography */
#define MEMORIAL_ALIAS_MAX   100  /* other names it is found by */
#define PHOTO_CAPTION_MAX    100  /* a gallery photo's caption */
#define TRIBUTE_TEXT_MAX     500  /* a message left on a memorial */
#define SWEEPING_NOTE_MAX    500  /* an order's note, a move's note/reason */
#define RATING_COMMENT_MAX   500  /* a rating's comment */
#define TRANSFER_NOTE_MAX    500  /* note and reason of a burial transfer */
#define ORG_PUBLIC_TEXT_MAX  2000 /* commitments, supervision, eco, subsidy */
#define COMPLAINT_TEXT_MAX   2000 /* a complaint */
#define CONTACT_TEXT_MAX     100  /* how a complaint's sender is reached */
#define ANSWER_TEXT_MAX      2000 /* the answer to a complaint */
#define GRAVE_NOTE_MAX       500  /* a grave request's note, its refusal */
#define PAY_INSTRUCTIONS_MAX 1000 /* how a cemetery is paid */
#define PAY_REFERENCE_MAX    64   /* a receipt or transfer number */

enum text_field {
	TEXT_USER_NAME = 0,
	TEXT_ORG_NAME,
	TEXT_ORG_ADDRESS,
	TEXT_ORG_PHONE,
	TEXT_SERVICE_CODE,
	TEXT_SERVICE_NAME,
	TEXT_SERVICE_DESC,
	TEXT_SERVICE_UNIT,
	TEXT_HALL_NAME,
	TEXT_CEREMONY_TITLE,
	TEXT_CEREMONY_DECEASED,
	TEXT_INVITE_GUEST,
	TEXT_CONDOLENCE_FROM,
	TEXT_CONDOLENCE_TEXT,
	TEXT_DECEASED_NAME,
	TEXT_DECEASED_PLACE,
	TEXT_DECEASED_EXT_ID,
	TEXT_EVENT_PLACE,
	TEXT_EVENT_NOTE,
	TEXT_PLOT_SECTION,
	TEXT_PLOT_ROW,
	TEXT_PLOT_NUMBER,
	TEXT_MEMORIAL_TITLE,
	TEXT_MEMORIAL_BIO,
	TEXT_MEMORIAL_ALIAS,
	TEXT_PHOTO_CAPTION,
	TEXT_TRIBUTE_FROM,
	TEXT_TRIBUTE_TEXT,
	TEXT_ORDER_NOTE,
	TEXT_MOVE_NOTE,
	TEXT_MOVE_REASON,
	TEXT_RATING_COMMENT,
	TEXT_TRANSFER_NOTE,
	TEXT_TRANSFER_REASON,
	TEXT_TRANSFER_RELATIVE,
	TEXT_ORG_COMMITMENTS,
	TEXT_ORG_SUPERVISION,
	TEXT_ORG_ECO_BURIAL,
	TEXT_ORG_SUBSIDY,
	TEXT_COMPLAINT_TEXT,
	TEXT_COMPLAINT_CONTACT,
	TEXT_COMPLAINT_ANSWER,
	TEXT_GRAVE_NOTE,
	TEXT_GRAVE_REASON,
	TEXT_PAY_INSTRUCTIONS,
	TEXT_PAY_REFERENCE,
	TEXT_FIELD_COUNT
};

struct text_limit {
	const char *entity; /* "org", "tribute": what the field belongs to */
	const char *key;    /* its JSON key (or query parameter) */
	unsigned min, max;  /* characters */
	size_t bytes;       /* size of the struct member that holds it */
};

/* The row of a field; never NULL for a valid enum value. */
const struct text_limit *textlimit_get(enum text_field f);

/* The table as JSON text, an array of {entity, key, min, max}, for
 * `sinian text-limits`; caller frees with free(). NULL on failure. */
char *textlimit_json(void);

#endif
