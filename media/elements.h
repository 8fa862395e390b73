/* elements.h — every GStreamer element that sinian, its tests and its
 * benches use, with the Debian package that ships it.
 *
 * The one list: media_new() checks the daemon's part at start-up and names
 * the packages of what is missing; tests/unit/test_elements.c resolves each
 * element to its plugin file and that file to its package (dpkg -S), checks
 * the package is one scripts/deps.sh installs, and scans the sources for
 * elements used but not listed here.
 */
#ifndef SINIAN_ELEMENTS_H
#define SINIAN_ELEMENTS_H

#include <stddef.h>

/* Who needs an element; an entry may have several. */
enum elements_user {
	ELEMENTS_DAEMON = 1u << 0, /* the daemon's pipelines */
	ELEMENTS_TESTS = 1u << 1,  /* test programs and test pipelines */
	ELEMENTS_BENCH = 1u << 2,  /* bench/ programs and scripts */
};

struct elements_entry {
	const char *name;    /* factory name, e.g. "textoverlay" */
	const char *package; /* Debian package, e.g. "gstreamer1.0-x" */
	unsigned users;      /* enum elements_user bits */
};

/* The whole table (static storage); *n gets its length. */
const struct elements_entry *elements_table(size_t *n);

/* The entry for a factory name, or NULL. */
const struct elements_entry *elements_find(const char *name);

/* Which elements needed by any of `users` are not registered with
 * GStreamer (gst_init must have run). Writes the names, space-separated,
 * into names and the distinct packages that provide them into packages
 * (both empty strings when nothing is missing). Returns the number of
 * missing elements; a name or package list that does not fit is an
 * ERR_TOO_LARGE (negative) rather than a cut list. */
int elements_missing(unsigned users, char *names, size_t names_len,
                     char *packages, size_t packages_len);

#endif
