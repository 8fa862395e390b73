/* textlimit.h — how long the text fields of the records may be, in
 * characters, and the one rule for the buffers that hold them: UTF-8 takes
 * up to 4 bytes a character, so a field of N characters needs TEXT_BUF(N)
 * bytes. Limits are checked in characters before anything is stored
 * (jsonx_str); nothing is cut to fit a buffer.
 */
#ifndef SINIAN_TEXTLIMIT_H
#define SINIAN_TEXTLIMIT_H

/* Bytes for a field of n characters, with its NUL. */
#define TEXT_BUF(n) ((n)*4 + 1)

#define ORG_NAME_MAX      100 /* name of an agency or cemetery */
#define TRANSFER_NOTE_MAX 500 /* note and reason of a burial transfer */

#endif
