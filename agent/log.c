// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dtcpd's log sink. See log.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static struct {
	enum dtcp_log_sink sink;
	int verbose;
	bool starting;		/* syslog sink: stderr too, until started */
} L = { .sink = DTCP_LOG_STDERR, .starting = true };

bool dtcp_log_is_journal(int fd)
{
	const char *e = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat st;
	int end = 0;

	if (!e || sscanf(e, "%ju:%ju%n", &dev, &ino, &end) != 2 || e[end])
		return false;
	if (fstat(fd, &st))
		return false;
	return (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino;
}

enum dtcp_log_sink dtcp_log_open(bool foreground, int verbose)
{
	L.verbose = verbose;
	L.starting = true;
	if (dtcp_log_is_journal(STDERR_FILENO)) {
		L.sink = DTCP_LOG_JOURNAL;
	} else if (foreground) {
		L.sink = DTCP_LOG_STDERR;
	} else {
		L.sink = DTCP_LOG_SYSLOG;
		openlog("dtcpd", LOG_PID, LOG_DAEMON);
	}
	return L.sink;
}

void dtcp_log_started(void)
{
	L.starting = false;
}

void dtcp_log_close(void)
{
	if (L.sink == DTCP_LOG_SYSLOG)
		closelog();
}

#define LINE_MAX_ 2048

/*
 * The line as one string, control characters replaced: a newline inside a
 * message would start a journal entry of the default priority.
 */
static void __attribute__((format(printf, 2, 0))) format(char *buf, const char *fmt, va_list ap)
{
	vsnprintf(buf, LINE_MAX_, fmt, ap);
	for (char *c = buf; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

static void plain(int prio, const char *msg)
{
	static const char *const p[] = { "emerg", "alert", "crit", "error", "warning",
					 "notice", "info", "debug" };

	fprintf(stderr, "dtcpd: %s: %s\n", p[prio], msg);
}

void dtcp_vlog(int prio, const char *fmt, va_list ap)
{
	char buf[LINE_MAX_];

	prio &= 7;
	if (prio == LOG_DEBUG && L.verbose < 1)
		return;
	format(buf, fmt, ap);
	switch (L.sink) {
	case DTCP_LOG_JOURNAL:
		fprintf(stderr, "<%d>%s\n", prio, buf);
		break;
	case DTCP_LOG_STDERR:
		plain(prio, buf);
		break;
	case DTCP_LOG_SYSLOG:
		if (L.starting && prio <= LOG_NOTICE)
			plain(prio, buf);
		syslog(prio, "%s", buf);
		break;
	}
}

void dtcp_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dtcp_vlog(prio, fmt, ap);
	va_end(ap);
}

void dtcp_log_stderr(int prio, const char *fmt, ...)
{
	char buf[LINE_MAX_];
	va_list ap;

	va_start(ap, fmt);
	format(buf, fmt, ap);
	va_end(ap);
	if (dtcp_log_is_journal(STDERR_FILENO))
		fprintf(stderr, "<%d>%s\n", prio & 7, buf);
	else
		fprintf(stderr, "dtcpd: %s\n", buf);
}
