/* log.c — one place where sinian writes human-readable log lines.
 *
 * Lines go to stderr as "TIME LEVEL [tag] message". The level is process-wide
 * configuration set once at start-up (the only mutable static here, and it is
 * written before any thread starts).
 */
#include "log.h"

#include <stdarg.h>
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

void log_msg(enum log_level lvl, const char *tag, const char *fmt, ...)
{
	static const char *lvl_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
	char ts[32];
	struct timespec now;
	struct tm tm;
	va_list ap;

	if (lvl < log_min)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s.%03ldZ %-5s [%s] ", ts, now.tv_nsec / 1000000,
	        lvl_names[lvl], tag);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
