// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier tests of dtcpd's logging (agent/log.c, agent/ratelimit.c):
 * "<N>" priority prefixes exactly when stderr is the journal's stream
 * (JOURNAL_STREAM names stderr's device and inode), plain text otherwise;
 * debug lines only when verbose; no control character inside a line;
 * the syslog sink also writing to stderr until startup is over; and the
 * per-cause rate limits (N lines a period, then one line saying how many
 * were left out).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "log.h"
#include "server.h"

/* stderr goes to a temporary file; got() reads what was written there. */
struct cap {
	char path[64];
	int fd, saved;
};

static void cap_start(struct cap *c)
{
	snprintf(c->path, sizeof(c->path), "/tmp/unit_log.XXXXXX");
	c->fd = mkstemp(c->path);
	c->saved = dup(STDERR_FILENO);
	dup2(c->fd, STDERR_FILENO);
}

/* Restores stderr; the captured text (static, NUL-terminated). */
static const char *cap_end(struct cap *c)
{
	static char buf[4096];
	ssize_t n;

	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	n = pread(c->fd, buf, sizeof(buf) - 1, 0);
	buf[n < 0 ? 0 : n] = '\0';
	close(c->fd);
	unlink(c->path);
	return buf;
}

/* JOURNAL_STREAM naming fd's device and inode. */
static void journal_is(int fd)
{
	struct stat st;
	char v[64];

	fstat(fd, &st);
	snprintf(v, sizeof(v), "%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
}

static void five(void)
{
	dtcp_log(LOG_ERR, "e %d", 1);
	dtcp_log(LOG_WARNING, "w");
	dtcp_log(LOG_NOTICE, "n");
	dtcp_log(LOG_INFO, "i");
	dtcp_log(LOG_DEBUG, "d");
}

TEST(journal_stream_names_stderr)
{
	struct cap c;
	int other = open("/dev/null", O_RDONLY);
	bool match, wrong, unset, junk, trailing;

	cap_start(&c);
	journal_is(STDERR_FILENO);
	match = dtcp_log_is_journal(STDERR_FILENO);
	journal_is(other);
	wrong = dtcp_log_is_journal(STDERR_FILENO);
	setenv("JOURNAL_STREAM", "junk", 1);
	junk = dtcp_log_is_journal(STDERR_FILENO);
	journal_is(STDERR_FILENO);
	setenv("JOURNAL_STREAM", strcat(strcpy((char[80]){ 0 }, getenv("JOURNAL_STREAM")), "x"), 1);
	trailing = dtcp_log_is_journal(STDERR_FILENO);
	unsetenv("JOURNAL_STREAM");
	unset = dtcp_log_is_journal(STDERR_FILENO);
	cap_end(&c);
	close(other);
	EXPECT_TRUE(match);
	EXPECT_FALSE(wrong);
	EXPECT_FALSE(junk);
	EXPECT_FALSE(trailing);
	EXPECT_FALSE(unset);
}

TEST(journal_gets_priority_prefixes)
{
	struct cap c;

	cap_start(&c);
	journal_is(STDERR_FILENO);
	/* Without -f too: stderr is the journal, syslog would say it twice. */
	EXPECT_EQ(DTCP_LOG_JOURNAL, dtcp_log_open(false, 0));
	five();
	dtcp_log_open(true, 1);
	dtcp_log(LOG_DEBUG, "d2");
	dtcp_log(LOG_CRIT, "line\nbreak\x1b[0m");
	EXPECT_STREQ("<3>e 1\n<4>w\n<5>n\n<6>i\n<7>d2\n<2>line?break?[0m\n", cap_end(&c));
}

TEST(plain_text_otherwise)
{
	struct cap c;
	int other = open("/dev/null", O_RDONLY);

	cap_start(&c);
	unsetenv("JOURNAL_STREAM");
	EXPECT_EQ(DTCP_LOG_STDERR, dtcp_log_open(true, 0));
	five();
	/* Another stream's journal (a child of a service): not ours. */
	journal_is(other);
	EXPECT_EQ(DTCP_LOG_STDERR, dtcp_log_open(true, 0));
	dtcp_log(LOG_ERR, "x");
	EXPECT_STREQ("dtcpd: error: e 1\ndtcpd: warning: w\ndtcpd: notice: n\ndtcpd: info: i\n"
		     "dtcpd: error: x\n", cap_end(&c));
	close(other);
}

TEST(config_errors_on_stderr)
{
	struct cap c;

	cap_start(&c);
	unsetenv("JOURNAL_STREAM");
	dtcp_log_stderr(LOG_ERR, "%s:%d: bad", "f.conf", 3);
	journal_is(STDERR_FILENO);
	dtcp_log_stderr(LOG_ERR, "%s:%d: bad", "f.conf", 3);
	EXPECT_STREQ("dtcpd: f.conf:3: bad\n<3>f.conf:3: bad\n", cap_end(&c));
}

TEST(syslog_sink_echoes_startup)
{
	struct cap c;

	cap_start(&c);
	unsetenv("JOURNAL_STREAM");
	EXPECT_EQ(DTCP_LOG_SYSLOG, dtcp_log_open(false, 0));
	dtcp_log(LOG_ERR, "cannot start");
	dtcp_log(LOG_INFO, "routine");
	dtcp_log(LOG_NOTICE, "ready");
	dtcp_log_started();
	dtcp_log(LOG_ERR, "later");
	dtcp_log_close();
	EXPECT_STREQ("dtcpd: error: cannot start\ndtcpd: notice: ready\n", cap_end(&c));
}

TEST(rate_limit_one_cause)
{
	struct dtcp_rl rl = { 0 };
	uint64_t now = 5000, rep = 99;
	unsigned int taken = 0;

	for (int i = 0; i < 8; i++) {
		taken += dtcp_rl_take(&rl, now, 3, 1000, &rep);
		EXPECT_EQ(0, rep);
	}
	EXPECT_EQ(3, taken);
	EXPECT_EQ(0, dtcp_rl_flush(&rl, now + 999, 1000));
	/* The next period: the 5 left out are reported, once. */
	EXPECT_TRUE(dtcp_rl_take(&rl, now + 1000, 3, 1000, &rep));
	EXPECT_EQ(5, rep);
	EXPECT_TRUE(dtcp_rl_take(&rl, now + 1001, 3, 1000, &rep));
	EXPECT_EQ(0, rep);
	EXPECT_TRUE(dtcp_rl_take(&rl, now + 1002, 3, 1000, &rep));
	EXPECT_FALSE(dtcp_rl_take(&rl, now + 1003, 3, 1000, &rep));
	EXPECT_EQ(1, dtcp_rl_flush(&rl, now + 2003, 1000));
	EXPECT_EQ(0, dtcp_rl_flush(&rl, now + 3003, 1000));
}

static uint64_t fake_now = 1000000;
static uint64_t fake_mono(void) { return fake_now; }
static unsigned int n_lines;
static char last[512];

static void count_log(struct dtcp_server *s, const struct dtcp_src *src, int prio,
		      const char *fmt, ...)
{
	va_list ap;

	(void)s, (void)src, (void)prio;
	n_lines++;
	va_start(ap, fmt);
	vsnprintf(last, sizeof(last), fmt, ap);
	va_end(ap);
}

TEST(rate_limits_per_cause)
{
	struct dtcp_server s = { .mono_ms = fake_mono, .log = count_log };
	unsigned int drops = 0, answers = 0;

	for (int i = 0; i < 25; i++)
		drops += dtcp_server_log_ok(&s, DTCP_RL_DROP);
	/* Another cause has its own budget. */
	for (int i = 0; i < 12; i++)
		answers += dtcp_server_log_ok(&s, DTCP_RL_ANSWER);
	EXPECT_EQ(DTCP_RL_BURST, drops);
	EXPECT_EQ(DTCP_RL_BURST, answers);
	EXPECT_EQ(15 + 2, s.st.log_suppressed);
	EXPECT_EQ(0, n_lines);
	/* Period not over: nothing to say yet. */
	fake_now += DTCP_RL_MS - 1;
	dtcp_server_log_flush(&s);
	EXPECT_EQ(0, n_lines);
	fake_now += 1;
	dtcp_server_log_flush(&s);
	EXPECT_EQ(2, n_lines);
	EXPECT_STREQ("2 more failed answers not logged in the last 10 s (rate limit; the "
		     "counters have them all)", last);
	/* Said once; a cause with nothing left out says nothing. */
	fake_now += DTCP_RL_MS;
	dtcp_server_log_flush(&s);
	EXPECT_EQ(2, n_lines);
	/* The summary also comes first when the next line of that cause is logged. */
	for (int i = 0; i < DTCP_RL_BURST + 4; i++)
		dtcp_server_log_ok(&s, DTCP_RL_NOTIFY);
	fake_now += DTCP_RL_MS;
	EXPECT_TRUE(dtcp_server_log_ok(&s, DTCP_RL_NOTIFY));
	EXPECT_EQ(3, n_lines);
	EXPECT_NE(NULL, strstr(last, "4 more failed notifications not logged")) TH_LOG("%s", last);
}

TEST_HARNESS_MAIN
