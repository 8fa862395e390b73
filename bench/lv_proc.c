/* lv_proc.c — /proc readings for the benches.
 *
 * Owns: nothing but the parsing. Must never: fail loudly; a value that
 * cannot be read is -1. Called by lviewers.c.
 */
#include "lv_proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

double lv_proc_cpu_s(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')'); /* comm may hold spaces */
	if (!p || sscanf(p + 2,
	                 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	                 "%llu %llu",
	                 &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

long lv_proc_status(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = atol(line + kl + 1);
			break;
		}
	fclose(f);
	return v;
}

double lv_proc_self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

double lv_proc_loadavg(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

/* The value of a "key<sep>value" line, trimmed, into out. */
static void line_value(const char *line, const char *sep, char *out, size_t cap)
{
	const char *v = strstr(line, sep);
	size_t n;

	if (!v)
		return;
	v += strlen(sep);
	while (*v == ' ' || *v == '\t' || *v == '"')
		v++;
	n = strcspn(v, "\"\n");
	snprintf(out, cap, "%.*s", (int)n, v);
}

void lv_proc_machine(char *buf, size_t cap)
{
	char line[512], model[256] = "unknown CPU", os[256] = "unknown OS";
	long mem_kb = 0;
	struct utsname u;
	FILE *f;

	if ((f = fopen("/proc/cpuinfo", "r"))) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "model name", 10)) {
				line_value(line, ":", model, sizeof(model));
				break;
			}
		fclose(f);
	}
	if ((f = fopen("/proc/meminfo", "r"))) {
		if (fscanf(f, "MemTotal: %ld", &mem_kb) != 1)
			mem_kb = 0;
		fclose(f);
	}
	if ((f = fopen("/etc/os-release", "r"))) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "PRETTY_NAME=", 12))
				line_value(line, "=", os, sizeof(os));
		fclose(f);
	}
	uname(&u);
	snprintf(buf, cap, "%s, %ld CPUs, %.1f GiB, %s, Linux %s", model,
	         sysconf(_SC_NPROCESSORS_ONLN), mem_kb / 1048576.0, os,
	         u.release);
}

static int cmp_port(const void *a, const void *b)
{
	return (int)*(const unsigned short *)a -
	       (int)*(const unsigned short *)b;
}

long long lv_proc_udp_drops(const unsigned short *ports, size_t n)
{
	char line[512];
	long long sum = 0;
	FILE *f = fopen("/proc/net/udp", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned ip, port;
		unsigned long long drops;
		unsigned short p;

		/* sl local rem st tx:rx tr:when retr uid timeout inode ref
		 * pointer drops */
		if (sscanf(line,
		           " %*u: %x:%x %*s %*s %*s %*s %*s %*s %*s %*s %*s "
		           "%*s %llu",
		           &ip, &port, &drops) != 3)
			continue;
		p = (unsigned short)port;
		if (bsearch(&p, ports, n, sizeof(*ports), cmp_port))
			sum += (long long)drops;
	}
	fclose(f);
	return sum;
}

double lv_proc_slope(const double *x, const double *y, int n)
{
	double mx = 0, my = 0, sxy = 0, sxx = 0;

	for (int i = 0; i < n; i++) {
		mx += x[i] / n;
		my += y[i] / n;
	}
	for (int i = 0; i < n; i++) {
		sxy += (x[i] - mx) * (y[i] - my);
		sxx += (x[i] - mx) * (x[i] - mx);
	}
	return sxx > 0 ? sxy / sxx : 0;
}
