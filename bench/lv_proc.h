/* lv_proc.h — what the benches read from /proc and the system about a
 * process and the machine: CPU time, memory, threads, load, and a
 * one-line description of the machine for the record.
 */
#ifndef LV_PROC_H
#define LV_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* utime + stime of pid in seconds, or -1 if it is gone. */
double lv_proc_cpu_s(pid_t pid);
/* A "Key:   N kB" (or plain number) line of /proc/PID/status, or -1. */
long lv_proc_status(pid_t pid, const char *key);
/* This process's own CPU time (user + system), seconds. */
double lv_proc_self_cpu_s(void);
/* The 1-minute load average, or -1. */
double lv_proc_loadavg(void);
/* "model, N CPUs, M GiB, OS, Linux release" into buf. */
void lv_proc_machine(char *buf, size_t cap);
/* Datagrams the kernel dropped (a full receive buffer) on the UDP sockets
 * bound to these local ports (sorted ascending), from /proc/net/udp; -1 if
 * it cannot be read. */
long long lv_proc_udp_drops(const unsigned short *ports, size_t n);
/* Least-squares slope of y over x (n points); 0 if x does not vary. */
double lv_proc_slope(const double *x, const double *y, int n);

#endif
