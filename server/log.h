/* log.h — levelled logging with a module tag, to stderr.
 *
 * Never pass personal data (phone, ID number) to these functions.
 */
#ifndef SINIAN_LOG_H
#define SINIAN_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Set the lowest level that is printed (default LOG_INFO). */
void log_set_level(enum log_level lvl);
/* Parse "debug|info|warn|error"; returns -1 if unknown. */
int log_level_parse(const char *s);

void log_msg(enum log_level lvl, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* For lines written in batches (the access log): whether lvl is printed,
 * the "TIME LEVEL [tag] " start of a line into buf (its length), and
 * whole lines written at once. Any thread. */
bool log_enabled(enum log_level lvl);
size_t log_prefix(char *buf, size_t len, enum log_level lvl, const char *tag);
void log_write(const char *lines, size_t len);

#define log_debug(tag, ...) log_msg(LOG_DEBUG, tag, __VA_ARGS__)
#define log_info(tag, ...)  log_msg(LOG_INFO, tag, __VA_ARGS__)
#define log_warn(tag, ...)  log_msg(LOG_WARN, tag, __VA_ARGS__)
#define log_error(tag, ...) log_msg(LOG_ERROR, tag, __VA_ARGS__)

#endif
