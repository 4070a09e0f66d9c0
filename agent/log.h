/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dtcpd's log sink. Three ways out, chosen once by dtcp_log_open():
 *  - the journal: stderr is the journal's stream (JOURNAL_STREAM names
 *    stderr's device and inode, as systemd sets it), so each line starts
 *    with its syslog priority, "<3>", which journald stores as the
 *    entry's priority (sd-daemon.h's SD_ERR prefixes);
 *  - stderr as plain text ("dtcpd: error: ..."), with -f;
 *  - syslog otherwise, and, until dtcp_log_started(), stderr too for
 *    notices and worse: a hand-run dtcpd that fails to start says why
 *    where it was started.
 * Debug lines only with -v.
 */
#ifndef DTCP_LOG_H
#define DTCP_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum dtcp_log_sink {
	DTCP_LOG_STDERR,
	DTCP_LOG_JOURNAL,
	DTCP_LOG_SYSLOG,
};

/* Is fd the stream JOURNAL_STREAM ("DEV:INO") names? */
bool dtcp_log_is_journal(int fd);
/* Choose the sink (see above); returns it. */
enum dtcp_log_sink dtcp_log_open(bool foreground, int verbose);
/* Startup is over: syslog alone from now on. */
void dtcp_log_started(void);
void dtcp_log_close(void);

/* One line at a syslog priority (LOG_ERR...). */
void dtcp_vlog(int prio, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void dtcp_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * A message for whoever ran dtcpd (the configuration's errors): always
 * on stderr, "dtcpd: MESSAGE" as plain text, "<N>MESSAGE" to the journal.
 */
void dtcp_log_stderr(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* DTCP_LOG_H */
