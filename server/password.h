/* password.h — which passwords an account may have.
 *
 * 8 to 128 characters, not only white space, and not one of the 10 000
 * most common passwords (data/common-passwords.txt, embedded at build
 * time; compared without regard to case). Sign-up, password changes,
 * resets and the CLI all ask here. Knows no HTTP.
 */
#ifndef SINIAN_PASSWORD_H
#define SINIAN_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include "err.h"

#define PASSWORD_MIN 8   /* characters */
#define PASSWORD_MAX 128 /* characters */

/* 0, or ERR_INVALID with the reason (naming "key", the field) in err. */
int password_check(const char *key, const char *pw, struct err_detail *e);

/* Is pw (any case) one of the common passwords? Thread-safe. */
bool password_is_common(const char *pw);

#endif
