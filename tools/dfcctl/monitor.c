// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl monitor: dfc.ko's events (expired criteria, congestion,
 * purges, missing IPsec, dropped duplicates) as they come, stamped
 * with the time they were received with -t or -ts (as ip monitor).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dfcctl.h"

/* ---- monitor ---- */

static volatile sig_atomic_t stop;

/* One received datagram's events: how to print them, and when they came. */
struct mon {
	bool json;
	enum ctl_ts ts;
	char stamp[96]; /* text: what goes before each line ("" without -ts) */
	char time[96];	/* JSON: the "time" member (UTC), "" without -t or -ts */
	char when[128];	/* -t: the Timestamp line */
};

/* The stamps of now, as ip -t and -ts print them (local time), and in RFC 3339 UTC. */
static void mon_stamp(struct mon *m)
{
	struct timespec now;
	struct tm tm;
	unsigned int us;
	char t[64];

	m->stamp[0] = m->time[0] = m->when[0] = '\0';
	if (m->ts == CTL_TS_NONE || clock_gettime(CLOCK_REALTIME, &now))
		return;
	us = (unsigned int)(now.tv_nsec / 1000 % 1000000);
	if (m->json) {
		gmtime_r(&now.tv_sec, &tm);
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(m->time, sizeof(m->time), "%s.%06uZ", t, us);
		return;
	}
	localtime_r(&now.tv_sec, &tm);
	if (m->ts == CTL_TS_SHORT) {
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(m->stamp, sizeof(m->stamp), "[%s.%06u] ", t, us);
	} else {
		strftime(t, sizeof(t), "%a %b %e %H:%M:%S %Y", &tm);
		snprintf(m->when, sizeof(m->when), "Timestamp: %s %u usec\n", t, us);
	}
}

/* Print o (taken), with the time it came under -t or -ts: 0, or -EIO. */
static int mon_json(const struct mon *m, json_t *o)
{
	if (o && m->time[0] && json_object_set_new(o, "time", json_string(m->time))) {
		json_decref(o);
		o = NULL;
	}
	return print_json(o) ? -EIO : 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A purge: "purged owner O cdest D ids 1,2,3" (ids in the order the kernel removed them). */
static int event_purged(const struct dfc_nl_event *e, const struct mon *m)
{
	unsigned int n = e->purged.n_ids;

	if (m->json) {
		json_t *ids = json_array(), *o;

		for (unsigned int i = 0; ids && i < n; i++)
			if (json_array_append_new(ids, json_integer((json_int_t)e->purged.ids[i]))) {
				json_decref(ids);
				ids = NULL;
			}
		if (!ids)
			return print_json(NULL) ? -EIO : 0;
		o = json_pack("{s:s, s:I, s:I, s:I, s:o}", "event", "purged",
			      "owner", (json_int_t)e->purged.owner,
			      "cdest", (json_int_t)e->purged.cdest,
			      "count", (json_int_t)e->purged.n_total, "ids", ids);
		return mon_json(m, o);
	}
	fputs(m->stamp, stdout);
	printf("purged owner %" PRIu32 " cdest %" PRIu32 " count %u ids ", e->purged.owner,
	       e->purged.cdest, e->purged.n_total);
	for (unsigned int i = 0; i < n; i++)
		printf("%s%" PRIu64, i ? "," : "", e->purged.ids[i]);
	if (e->purged.n_total > n)
		printf("%s...", n ? "," : "");
	putchar('\n');
	return 0;
}

/* Dropped duplicates: "dup-dropped owner O id I cdest D dropped N, id ..." */
static int event_dup(const struct dfc_nl_event *e, const struct mon *m)
{
	unsigned int n = e->dup.n;

	if (m->json) {
		json_t *v = json_array(), *o;

		for (unsigned int i = 0; v && i < n; i++) {
			const struct dfc_nl_dup *d = &e->dup.v[i];

			if (json_array_append_new(v, json_pack("{s:I, s:I, s:I}",
							       "id", (json_int_t)d->id,
							       "cdest", (json_int_t)d->cdest,
							       "dropped", (json_int_t)d->dropped))) {
				json_decref(v);
				v = NULL;
			}
		}
		if (!v)
			return print_json(NULL) ? -EIO : 0;
		o = json_pack("{s:s, s:I, s:I, s:o}", "event", "dup_dropped",
			      "owner", (json_int_t)e->dup.owner, "count", (json_int_t)e->dup.n_total,
			      "crits", v);
		return mon_json(m, o);
	}
	fputs(m->stamp, stdout);
	printf("dup-dropped owner %" PRIu32, e->dup.owner);
	for (unsigned int i = 0; i < n; i++)
		printf("%s id %" PRIu64 " cdest %" PRIu32 " dropped %" PRIu64, i ? "," : "",
		       e->dup.v[i].id, e->dup.v[i].cdest, e->dup.v[i].dropped);
	if (e->dup.n_total > n)
		printf(", ... (%u criteria)", e->dup.n_total);
	putchar('\n');
	return 0;
}

/* Congestion and missing IPsec: about one destination. */
static int event_cdest(const struct dfc_nl_event *e, const struct mon *m)
{
	bool congested = e->cmd == DFC_CMD_CDEST_CONGESTED;

	if (m->json) {
		json_t *o = congested ?
			json_pack("{s:s, s:I, s:b, s:I}", "event", "congested",
				  "cdest", (json_int_t)e->cdest.id,
				  "congested", e->cdest.congested != 0,
				  "rate", (json_int_t)e->cdest.rate) :
			json_pack("{s:s, s:I}", "event", "noipsec", "cdest", (json_int_t)e->cdest.id);

		return mon_json(m, o);
	}
	fputs(m->stamp, stdout);
	if (congested)
		printf("congested cdest %" PRIu32 " %s rate %" PRIu64 "\n", e->cdest.id,
		       e->cdest.congested ? "on" : "off", e->cdest.rate);
	else
		printf("noipsec cdest %" PRIu32 "\n", e->cdest.id);
	return 0;
}

/* One line (or JSON object) per expired criterion. */
static int event_expired(const struct dfc_nl_event *e, const struct mon *m)
{
	uint32_t owner = e->expired.owner;
	char flags[32];

	for (unsigned int i = 0; i < e->expired.n; i++) {
		const struct dfc_nl_expired *c = &e->expired.v[i];

		if (m->json) {
			json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:I, s:I, s:I, s:I}",
					      "event", "expired", "owner", (json_int_t)owner,
					      "id", (json_int_t)c->id,
					      "reason", reason_name(c->reason),
					      "flags", (json_int_t)c->flags,
					      "cdest", (json_int_t)c->cdest,
					      "packets", (json_int_t)c->packets,
					      "bytes", (json_int_t)c->bytes);

			if (mon_json(m, o))
				return -EIO;
			continue;
		}
		fmt_flags(flags, sizeof(flags), c->flags);
		fputs(m->stamp, stdout);
		printf("expired owner %" PRIu32 " id %" PRIu64 " reason %s flags %s cdest %" PRIu32
		       " packets %" PRIu64 " bytes %" PRIu64 "\n",
		       owner, c->id, reason_name(c->reason), flags, c->cdest, c->packets, c->bytes);
	}
	return 0;
}

static int event_print(const struct dfc_nl_event *e, void *data)
{
	const struct mon *m = data;

	switch (e->cmd) {
	case DFC_CMD_CRIT_EXPIRED:
	case DFC_CMD_CDEST_CONGESTED:
	case DFC_CMD_CDEST_NOIPSEC:
	case DFC_CMD_CDEST_PURGED:
	case DFC_CMD_DUP_DROPPED:
		fputs(m->when, stdout);
		break;
	default:
		return 0; /* an event this dfcctl cannot show */
	}
	switch (e->cmd) {
	case DFC_CMD_CRIT_EXPIRED:
		return event_expired(e, m);
	case DFC_CMD_CDEST_PURGED:
		return event_purged(e, m);
	case DFC_CMD_DUP_DROPPED:
		return event_dup(e, m);
	default:
		return event_cdest(e, m);
	}
}

int cmd_monitor(struct ctl *c, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: poll returns */
	struct mon m = { .json = c->json, .ts = c->ts };
	struct dfc_nl_events *ev;
	struct pollfd pfd;
	int ret = 0;

	/* ip's -t and -ts, here too: 'monitor -t' */
	for (; argc; argc--, argv++) {
		if (opt_matches(argv[0], "-timestamp"))
			m.ts = CTL_TS_LONG;
		else if (!strcmp(argv[0], "-ts") || opt_matches(argv[0], "-tshort"))
			m.ts = CTL_TS_SHORT;
		else
			return bad_usage(c);
	}
	if (!ctl_go(c))
		return EXIT_FAILURE;
	ev = dfc_nl_events_open();
	if (!ev) {
		if (errno == ENOENT)
			fprintf(stderr, "dfcctl: dfc module not loaded (family %s or its group "
					"%s not found)\n", DFC_GENL_NAME, DFC_GENL_MCGRP_EVENTS);
		else
			fprintf(stderr, "dfcctl: monitor: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pfd.fd = dfc_nl_events_fd(ev);
	pfd.events = POLLIN;
	while (!stop) {
		int n = poll(&pfd, 1, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = fail(c, "monitor", -errno);
			break;
		}
		mon_stamp(&m);
		n = dfc_nl_events_recv(ev, event_print, &m);
		if (n == -ENOBUFS) {
			/* the socket overflowed: say so where the events go */
			if (c->json && mon_json(&m, json_pack("{s:s}", "event", "overrun")))
				break;
			if (!c->json)
				printf("%s%soverrun: events were lost\n", m.when, m.stamp);
		} else if (n < 0 && n != -EINTR && n != -EAGAIN) {
			ret = fail(c, "monitor", n);
			break;
		}
		/* each event as it comes, even into a pipe */
		if (fflush(stdout))
			break;
	}
	dfc_nl_events_close(ev);
	return ret;
}
