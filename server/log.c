/* log.c — one place where sinian writes human-readable log lines.
 *
 * Lines go to stderr as "TIME LEVEL [tag] message". The level is process-wide
 * configuration set once at start-up (the only mutable static here, and it is
 * written before any thread starts).
 */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level log_min = LOG_INFO;

void log_set_level(enum log_level lvl)
{
	log_min = lvl;
}

int log_level_parse(const char *s)
{
	static const char *names[] = {"debug", "info", "warn", "error"};

	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

bool log_enabled(enum log_level lvl)
{
	return lvl >= log_min;
}

size_t log_prefix(char *buf, size_t len, enum log_level lvl, const char *tag)
{
	static const char *lvl_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
	char ts[32];
	struct timespec now;
	struct tm tm;
	int n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(buf, len, "%s.%03ldZ %-5s [%s] ", ts,
	             now.tv_nsec / 1000000, lvl_names[lvl], tag);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

void log_write(const char *lines, size_t len)
{
	flockfile(stderr);
	fwrite(lines, 1, len, stderr);
	funlockfile(stderr);
}

void log_msg(enum log_level lvl, const char *tag, const char *fmt, ...)
{
	char prefix[96];
	va_list ap;

	if (lvl < log_min)
		return;
	log_prefix(prefix, sizeof(prefix), lvl, tag);
	flockfile(stderr);
	fputs(prefix, stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
