// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dtcpd: the DTCP agent. Control sources ask it over UDP to copy matching
 * packets to content destinations; it answers them as Junos Capture Vision
 * does and programs dfc.ko. This file is the process around the protocol
 * core (agent/server.h): sockets, the poll loop, signals, the state file,
 * systemd readiness, and telling a restart of dtcpd (capture goes on)
 * from a loss of the criteria (Restart notification).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "kernel.h"
#include "link.h"
#include "log.h"
#include "server.h"
#include "ssh.h"
#include "udp.h"

#ifndef DFC_VERSION
#define DFC_VERSION "unknown"
#endif

#define BATCH 64		/* kernel events read per round */

struct agent {
	const char *conf_path;
	bool foreground;
	int verbose;
	struct dtcp_server s;
	struct dtcp_kernel k;
	bool kernel_up;
	struct dtcp_links links;	/* the capture groups' interfaces */
	struct dtcp_udp u;
	struct dtcp_ssh ssh;		/* DTCP over SSH: the relay's socket, the sessions */
	struct dtcp_ctl ctl;
	int sfd, tfd;
	char boot_id[40];
	uint64_t kexpired;
	uint64_t state_gen;		/* the state file's newest generation written or read */
	char *state_path;		/* ... in this state file (a reload may name another) */
	bool stop;
	/* save_state(): the error being reported, when, and the failures since. */
	int state_err;
	uint64_t state_err_ms, state_err_quiet;
};

static struct agent A;

/* ---- logging ---- */

static void logf_(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dtcp_vlog(prio, fmt, ap);
	va_end(ap);
}

static void server_log(struct dtcp_server *s, const struct dtcp_src *src, int prio,
		       const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	(void)s;
	/* no-syslog: the source's routine events stay quiet; warnings still show. */
	if (src && src->cfg && src->cfg->no_syslog && prio > LOG_WARNING)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (src)
		logf_(prio, "control source %s: %s", src->id, buf);
	else
		logf_(prio, "%s", buf);
}

/* ---- systemd ---- */

static void sd_notify_(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || !*path || strlen(path) >= sizeof(sun.sun_path))
		return;
	strcpy(sun.sun_path, path);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0'; /* abstract namespace */
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sun, len) < 0)
		logf_(LOG_DEBUG, "sd_notify: %s", strerror(errno));
	close(fd);
}

/* ---- clocks, interfaces ---- */

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned int ifindex_of(const char *name)
{
	return if_nametoindex(name);
}

/* ---- state ---- */

/*
 * A failed write is retried at every round of the loop, and datagrams
 * from anyone make rounds: it is logged when it starts (or its error
 * changes), then at most every STATE_LOG_MS with the count of failures
 * not logged, and once when the file can be written again.
 */
#define STATE_LOG_MS 10000

static void state_err_log(int err)
{
	uint64_t now = mono_ms();

	if (!err) {
		if (A.state_err)
			logf_(LOG_NOTICE, "state file %s written again", A.s.cfg->state_file);
		A.state_err = 0;
		A.state_err_quiet = 0;
		return;
	}
	if (err == A.state_err && now - A.state_err_ms < STATE_LOG_MS) {
		A.state_err_quiet++;
		A.s.st.log_suppressed++;
		return;
	}
	if (A.state_err_quiet)
		logf_(LOG_ERR, "state file %s: %s (%" PRIu64 " more failures not logged in the "
		      "last %u s)", A.s.cfg->state_file, strerror(-err), A.state_err_quiet,
		      STATE_LOG_MS / 1000);
	else
		logf_(LOG_ERR, "state file %s: %s", A.s.cfg->state_file, strerror(-err));
	A.state_err = err;
	A.state_err_ms = now;
	A.state_err_quiet = 0;
}

/*
 * A reload named another state file: its slots may hold a newer
 * generation of an earlier run, which a restart would take over ours.
 * Ours goes on from above it.
 */
static void state_path_check(const char *path)
{
	struct dtcp_state old;
	char why[256], *dup;

	if (A.state_path && !strcmp(A.state_path, path))
		return;
	dup = strdup(path);
	if (!dup)
		return;		/* checked again at the next commit */
	if (!dtcp_state_load(path, &old, why, sizeof(why))) {
		if (old.generation > A.state_gen)
			A.state_gen = old.generation;
		dtcp_state_free(&old);
	}
	free(A.state_path);
	A.state_path = dup;
}

/* 0 when the state file is current, else -errno (it stays dirty: retried). */
static int save_state(void)
{
	struct dtcp_state st;
	int err;

	if (!A.s.dirty)
		return 0;
	state_path_check(A.s.cfg->state_file);
	dtcp_server_state(&A.s, &st);
	snprintf(st.boot_id, sizeof(st.boot_id), "%s", A.boot_id);
	/* Refreshed each second, not per request: a lower value only makes restart checks lenient. */
	st.kexpired = A.kexpired;
	/* Into the slot without the newest: a failed write leaves that one as it was. */
	st.generation = A.state_gen + 1;
	err = dtcp_state_save(A.s.cfg->state_file, &st, A.s.cfg->state_sync);
	free(st.src);
	state_err_log(err);
	if (!err) {
		A.s.dirty = false;
		A.state_gen = st.generation;
	}
	return err;
}

/* ---- kernel ---- */

static void ev_expired(void *u, const struct dfc_nl_crit *c)
{
	(void)u;
	dtcp_server_expired(&A.s, c->owner, c->id, c->reason, c->packets, c->bytes);
}

static void ev_congested(void *u, uint32_t cdest, uint64_t rate, bool on)
{
	(void)u;
	dtcp_server_congested(&A.s, cdest, rate, on);
}

static void ev_purged(void *u, uint32_t owner, uint32_t cdest, const uint64_t *kids,
		      unsigned int n)
{
	(void)u;
	dtcp_server_purged(&A.s, owner, cdest, kids, n);
}

static void ev_dups(void *u, uint32_t owner, const struct dtcp_dup *v, unsigned int n)
{
	(void)u;
	dtcp_server_dups(&A.s, owner, v, n);
}

static void ev_noipsec(void *u, uint32_t cdest)
{
	(void)u;
	dtcp_server_noipsec(&A.s, cdest);
}

static const struct dtcp_kevents kevents = {
	.expired = ev_expired,
	.congested = ev_congested,
	.purged = ev_purged,
	.dups = ev_dups,
	.noipsec = ev_noipsec,
};

static void read_events(void)
{
	for (int i = 0; i < BATCH; i++) {
		int n = dtcp_kernel_events(&A.k, &kevents, NULL);

		if (n == -ENOBUFS) {
			/* Events were lost: what the kernel no longer has has expired. */
			A.s.st.events_lost++;
			logf_(LOG_WARNING, "kernel events lost: resynchronising");
			if (dtcp_server_resync(&A.s))
				logf_(LOG_ERR, "resynchronisation failed");
			continue;
		}
		if (n < 0)
			break;
	}
	dtcp_server_gc(&A.s);
}

/*
 * Take over what the kernel holds, and decide whether criteria were lost
 * since the state file was written (the module reloaded, the host
 * rebooted): only then do control sources get a Restart notification.
 */
static int kernel_sync(const struct dtcp_state *st, bool have_state, const char *why)
{
	unsigned int found, n_static = 0, n_dyn = 0;
	uint64_t kexp = 0;
	bool lost = false;
	int err;

	err = dtcp_server_rebuild(&A.s, &found);
	if (err) {
		logf_(LOG_ERR, "reading criteria from dfc.ko: %s", strerror(-err));
		return err;
	}
	for (unsigned int i = 0; i < A.s.n_srcs; i++) {
		n_static += A.s.srcs[i]->n_static;
		n_dyn += A.s.srcs[i]->n_live - A.s.srcs[i]->n_static;
	}
	A.s.kops->expired(A.s.kctx, &kexp);
	if (have_state && st->n_static + st->n_dynamic) {
		/* Static ones never expire; dynamic ones may have, and the kernel counted them. */
		lost = (st->boot_id[0] && strcmp(st->boot_id, A.boot_id)) ||
		       kexp < st->kexpired || n_static < st->n_static ||
		       n_dyn + (kexp - st->kexpired) < st->n_dynamic;
	}
	logf_(LOG_INFO, "%u criteria taken over from dfc.ko%s", found,
	      lost ? "; criteria were lost: sending Restart" : "");
	if (lost)
		dtcp_notify_restart(&A.s, why);
	A.kexpired = kexp;
	A.s.dirty = true;
	return 0;
}

/* The module went away (unloaded or reloaded): every criterion is gone. */
static void kernel_lost(void)
{
	logf_(LOG_ERR, "dfc.ko went away: all criteria are lost");
	dtcp_kernel_close(&A.k);
	A.kernel_up = false;
	dtcp_link_lost(&A.links);
	for (unsigned int i = 0; i < A.s.n_srcs; i++) {
		struct dtcp_src *src = A.s.srcs[i];

		for (unsigned int k = 0; k < src->n_crits; k++)
			dtcp_src_remove(&A.s, src, src->crits[k], DFC_REASON_NONE);
	}
	dtcp_server_gc(&A.s);
	dtcp_notify_restart(&A.s, "dfc module unloaded: all criteria lost");
	A.kexpired = 0;
	A.s.dirty = true;
}

static void kernel_check(void)
{
	struct dfc_stats st;

	if (A.kernel_up) {
		int err = dfc_nl_stats_get(A.k.nl, &st);
		struct dfc_nl *probe;
		bool gone;

		if (!err)
			return;
		/*
		 * Only a family that is gone (ENOENT) or came back under another
		 * id (the module was reloaded) means the criteria are lost; any
		 * other error (ENOBUFS, EINTR, ENOMEM...) is retried next second.
		 */
		probe = dfc_nl_open();
		gone = probe ? dfc_nl_family_id(probe) != dfc_nl_family_id(A.k.nl) :
			       errno == ENOENT;
		dfc_nl_close(probe);
		if (!gone) {
			A.s.st.kernel_errors++;
			if (dtcp_server_log_ok(&A.s, DTCP_RL_KERNEL))
				logf_(LOG_WARNING, "dfc.ko check: %s (transient: retried)",
				      strerror(-err));
			return;
		}
		logf_(LOG_DEBUG, "dfc.ko check: %s", strerror(-err));
		kernel_lost();
	}
	if (!dtcp_kernel_open(&A.k)) {
		A.kernel_up = true;
		logf_(LOG_NOTICE, "dfc.ko is back");
		dtcp_link_sync(&A.links, true);
		dtcp_server_program(&A.s);
		A.s.kops->expired(A.s.kctx, &A.kexpired);
		A.s.dirty = true;
	}
}

/* ---- reload ---- */

static int reload(void *u, char *err, size_t errlen)
{
	struct dtcp_config *c;

	(void)u;
	sd_notify_("RELOADING=1");
	c = dtcp_config_load(A.conf_path, err, errlen);
	if (!c) {
		logf_(LOG_ERR, "reload: %s; keeping the running configuration", err);
		sd_notify_("READY=1");
		return -1;
	}
	dtcp_server_reconfig(&A.s, c);
	if (dtcp_udp_sync(&A.u, c))
		logf_(LOG_WARNING, "some service ports could not be opened");
	dtcp_ssh_sync(&A.ssh, c);
	/* Interfaces gone from the file are detached, new ones attached if they exist. */
	if (dtcp_link_configure(&A.links, c))
		logf_(LOG_ERR, "reload: interfaces: out of memory; the old list is kept");
	dtcp_link_sync(&A.links, false);
	logf_(LOG_NOTICE, "configuration %s reloaded", A.conf_path);
	sd_notify_("READY=1");
	return 0;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f, "Usage: dtcpd [-c FILE] [-f] [-v] [-t]\n"
		   "  -c, --config FILE  configuration (default /etc/dtcpd/dtcpd.conf)\n"
		   "  -t, --test         check the configuration and exit\n"
		   "  -f, --foreground   log to stderr\n"
		   "  -v, --verbose      log debug messages too\n"
		   "  -V, --version      print the version\n");
}

/*
 * Seq windows reach the disk before any answer leaves: no replay after a
 * crash. When they cannot, no answer leaves (the request took effect in
 * dtcpd and the kernel alike; the source sees no answer and may ask again
 * with a new Seq).
 */
static void release_answers(void)
{
	if (dtcp_udp_unreleased(&A.u))
		dtcp_udp_release(&A.u, !save_state());
	dtcp_udp_send(&A.u);
}

/* An SSH session's answers leave once the state file is written, as UDP ones do. */
static bool ssh_save(void)
{
	return !save_state();
}

/* The control socket's view of DTCP over SSH (null: off). */
static json_t *ssh_status(void)
{
	return A.ssh.fd >= 0 || A.ssh.n ? dtcp_ssh_json(&A.ssh) : json_null();
}

/* Until asked to stop (0), or poll() fails (-1). */
static int loop(void)
{
	static struct pollfd pfd[DTCP_UDP_MAX_SOCKS + DTCP_CTL_CLIENTS + DTCP_SSH_FDS_MAX + 8];

	while (!A.stop) {
		/* Reload may change the sockets: indices are this round's. */
		unsigned int n = 0, nc, first_ctl, first_ssh, nu = A.u.n_socks;
		/* Answers that could not all leave: only their socket, for POLLOUT. */
		int wfd = dtcp_udp_backlog(&A.u) ? A.u.q[A.u.head].fd : -1;

		for (unsigned int i = 0; i < nu; i++) {
			short ev = wfd < 0 ? POLLIN : A.u.socks[i].fd == wfd ? POLLOUT : 0;

			pfd[n++] = (struct pollfd){ A.u.socks[i].fd, ev, 0 };
		}
		pfd[n++] = (struct pollfd){ A.sfd, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ A.tfd, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ A.kernel_up ? dfc_nl_events_fd(A.k.ev) : -1, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ dtcp_link_fd(&A.links), POLLIN, 0 };
		first_ctl = n;
		nc = dtcp_ctl_fds(&A.ctl, pfd + n, DTCP_CTL_CLIENTS + 1);
		n += nc;
		first_ssh = n;
		n += dtcp_ssh_fds(&A.ssh, pfd + n, DTCP_SSH_FDS_MAX);
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			logf_(LOG_ERR, "poll: %s", strerror(errno));
			return -1;
		}
		for (unsigned int i = 0; i < nu && wfd < 0; i++)
			if (pfd[i].revents & POLLIN)
				dtcp_udp_read(&A.u, i);
		release_answers();
		if (pfd[nu + 2].revents && A.kernel_up)
			read_events();
		if (pfd[nu + 3].revents)
			dtcp_link_read(&A.links);
		if (pfd[nu].revents) {
			struct signalfd_siginfo si;

			if (read(A.sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					char err[512];

					reload(NULL, err, sizeof(err));
				} else {
					A.stop = true;
				}
			}
		}
		if (pfd[nu + 1].revents) {
			uint64_t ticks;

			if (read(A.tfd, &ticks, sizeof(ticks)) > 0) {
				kernel_check();
				dtcp_link_tick(&A.links);
				dtcp_server_log_flush(&A.s);
				if (A.kernel_up && A.s.n_orphans)
					dtcp_server_retry(&A.s);
				if (A.kernel_up) {
					dtcp_server_tick(&A.s);
					A.s.kops->expired(A.s.kctx, &A.kexpired);
				}
				dtcp_server_gc(&A.s);
				dtcp_udp_tick(&A.u);
				dtcp_udp_send(&A.u);
			}
		}
		for (unsigned int i = first_ctl; i < first_ssh; i++)
			if (pfd[i].revents)
				dtcp_ctl_ready(&A.ctl, pfd[i].fd, pfd[i].revents);
		for (unsigned int i = first_ssh; i < n; i++)
			if (pfd[i].revents && !A.stop)
				dtcp_ssh_ready(&A.ssh, pfd[i].fd, pfd[i].revents);
		save_state();
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "test", no_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct itimerspec its = { { 1, 0 }, { 1, 0 } };
	struct dtcp_state st = { 0 };
	struct dtcp_config *cfg;
	bool test = false, have_state;
	int failed;
	char err[512], why[256];
	sigset_t mask;
	int o, r;

	A.conf_path = "/etc/dtcpd/dtcpd.conf";
	while ((o = getopt_long(argc, argv, "c:tfvVh", opts, NULL)) != -1) {
		switch (o) {
		case 'c': A.conf_path = optarg; break;
		case 't': test = true; break;
		case 'f': A.foreground = true; break;
		case 'v': A.verbose++; break;
		case 'V': printf("dtcpd %s\n", DFC_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	/* -t: against this host too (interfaces, listen addresses), not only the file. */
	cfg = dtcp_config_load_host(A.conf_path, test, err, sizeof(err));
	if (!cfg) {
		dtcp_log_stderr(LOG_ERR, "%s", err);
		return 1;
	}
	if (test) {
		printf("dtcpd: configuration %s is valid\n", A.conf_path);
		dtcp_config_free(cfg);
		return 0;
	}
	dtcp_log_open(A.foreground, A.verbose);

	if (dtcp_server_init(&A.s, cfg)) {
		logf_(LOG_ERR, "out of memory");
		return 1;
	}
	A.s.kops = &dtcp_kernel_ops;
	A.s.kctx = &A.k;
	A.s.wall_ms = wall_ms;
	A.s.mono_ms = mono_ms;
	A.s.send = dtcp_udp_notify;
	A.s.log = server_log;
	A.s.ifindex = ifindex_of;
	A.s.last_sample_ms = mono_ms();
	dtcp_boot_id(A.boot_id);

	/*
	 * Without its Seq windows dtcpd would answer replays: a state file
	 * that exists but cannot be read is an error, never ignored.
	 */
	r = dtcp_state_load(cfg->state_file, &st, why, sizeof(why));
	have_state = !r;
	if (r && r != -ENOENT) {
		logf_(LOG_ERR, "state file %s: %s; move it and %s.1 away to start without them "
		      "(Seq windows are then lost: old requests would be answered again)",
		      cfg->state_file, why[0] ? why : strerror(-r), cfg->state_file);
		return 1;
	}
	if (have_state && why[0])
		logf_(LOG_WARNING, "state file %s: %s", cfg->state_file, why);
	A.state_gen = have_state ? st.generation : 0;
	A.state_path = strdup(cfg->state_file);	/* NULL: looked at again at the first commit */

	r = dtcp_kernel_open(&A.k);
	if (r) {
		logf_(LOG_ERR, "dfc.ko: %s", r == -ENOENT ? "module not loaded" : strerror(-r));
		return 1;
	}
	A.kernel_up = true;
	/*
	 * Listening before the first look: an interface that appears in
	 * between is not missed. One that does not exist yet is no error:
	 * it is attached when it appears (docs/dtcpd.md).
	 */
	A.links.k = &A.k;
	A.links.log = logf_;
	r = dtcp_link_open(&A.links);
	if (r)
		logf_(LOG_WARNING, "link events: %s; interfaces are looked for every second",
		      strerror(-r));
	if (dtcp_link_configure(&A.links, cfg)) {
		logf_(LOG_ERR, "out of memory");
		return 1;
	}
	dtcp_link_sync(&A.links, true);
	dtcp_server_program(&A.s);
	if (kernel_sync(&st, have_state, "criteria lost: dfc module reloaded or host rebooted"))
		return 1;
	/* Seq windows after the rebuild, which reset nothing of them. */
	if (have_state && dtcp_server_restore(&A.s, &st)) {
		logf_(LOG_ERR, "state file %s: out of memory", cfg->state_file);
		return 1;
	}
	dtcp_state_free(&st);

	if (dtcp_udp_init(&A.u, &A.s))
		logf_(LOG_WARNING, "notification sockets: %s", strerror(errno));
	if (dtcp_udp_sync(&A.u, cfg))
		logf_(LOG_WARNING, "some service ports could not be opened");
	if (!A.u.n_socks) {
		logf_(LOG_ERR, "no service port could be opened");
		return 1;
	}
	dtcp_ssh_init(&A.ssh, &A.s);
	A.ssh.save = ssh_save;
	dtcp_ssh_sync(&A.ssh, cfg);
	/* Their directories, when not made by systemd (StateDirectory, RuntimeDirectory). */
	for (int i = 0; i < 2; i++) {
		char *dir = strdup(i ? cfg->ctl_socket : cfg->state_file);
		char *slash = dir ? strrchr(dir, '/') : NULL;

		if (slash && slash != dir) {
			*slash = '\0';
			mkdir(dir, 0700);
		}
		free(dir);
	}
	A.ctl.s = &A.s;
	A.ctl.reload = reload;
	A.ctl.links = &A.links;
	A.ctl.version = DFC_VERSION;
	A.ctl.pid = getpid();
	A.ctl.ssh_status = ssh_status;
	r = dtcp_ctl_open(&A.ctl, cfg->ctl_socket);
	if (r)
		logf_(LOG_WARNING, "control socket %s: %s", cfg->ctl_socket, strerror(-r));

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	A.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	A.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	timerfd_settime(A.tfd, 0, &its, NULL);
	save_state();
	logf_(LOG_NOTICE, "dtcpd %s ready: %u control sources, %u sockets", DFC_VERSION,
	      A.s.n_srcs, A.u.n_socks);
	sd_notify_("READY=1");
	dtcp_log_started();

	failed = loop();

	sd_notify_("STOPPING=1");
	/* Criteria stay in the kernel: a restarted dtcpd takes them over. */
	A.s.dirty = true;
	save_state();
	logf_(LOG_NOTICE, "stopping; criteria stay in dfc.ko");
	dtcp_ctl_close(&A.ctl);
	dtcp_ssh_fini(&A.ssh);
	dtcp_udp_fini(&A.u);
	dtcp_link_close(&A.links);
	dtcp_kernel_close(&A.k);
	dtcp_server_fini(&A.s);
	free(A.state_path);
	dtcp_log_close();
	/* A loop that failed is a failure, for systemd's Restart= too. */
	return failed ? 1 : 0;
}
