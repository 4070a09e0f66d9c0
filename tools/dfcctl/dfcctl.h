/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dfcctl's shared declarations: the command table and the state of one
 * run, the handlers the table names (one file per object), the helpers
 * every command uses (dfcctl.c) and what one object's file lends another.
 */
#ifndef DFCCTL_H
#define DFCCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "dfc_nl.h"

#define EXIT_USAGE 2

/* dtcpd's default control-socket (agent/config.c), for 'agent'. */
#define DTCPD_SOCKET "/run/dtcpd/dtcpd.sock"

struct ctl;

struct cmd {
	const char *object;
	const char *verb; /* an object's first verb is its default */
	int (*run)(struct ctl *c, int argc, char **argv); /* argv: after the verb */
	const char *args;
	const char *help;
};

struct ctl {
	bool json;
	bool details; /* -d: ids beside names */
	const struct cmd *cmd;
	struct dfc_nl *nl;
	const char *socket; /* -S: dtcpd's control socket, for 'agent' */
};

/*
 * The handlers, one file per object: iface.c, filter_show.c, filter_add.c,
 * filter_del.c, limits.c, stats.c, cdest.c, owner.c, monitor.c, agent.c.
 */
int cmd_iface_show(struct ctl *c, int argc, char **argv);
int cmd_iface_add(struct ctl *c, int argc, char **argv);
int cmd_iface_del(struct ctl *c, int argc, char **argv);
int cmd_filter_show(struct ctl *c, int argc, char **argv);
int cmd_filter_add(struct ctl *c, int argc, char **argv);
int cmd_filter_del(struct ctl *c, int argc, char **argv);
int cmd_limits_show(struct ctl *c, int argc, char **argv);
int cmd_limits_set(struct ctl *c, int argc, char **argv);
int cmd_stats_show(struct ctl *c, int argc, char **argv);
int cmd_cdest_show(struct ctl *c, int argc, char **argv);
int cmd_cdest_add(struct ctl *c, int argc, char **argv);
int cmd_cdest_set(struct ctl *c, int argc, char **argv);
int cmd_cdest_del(struct ctl *c, int argc, char **argv);
int cmd_owner_set(struct ctl *c, int argc, char **argv);
int cmd_monitor(struct ctl *c, int argc, char **argv);
int cmd_agent_show(struct ctl *c, int argc, char **argv);
int cmd_agent_status(struct ctl *c, int argc, char **argv);
int cmd_agent_criteria(struct ctl *c, int argc, char **argv);
int cmd_agent_seq_reset(struct ctl *c, int argc, char **argv);
int cmd_agent_reload(struct ctl *c, int argc, char **argv);

/* dfcctl.c */
int bad_usage(const struct ctl *c);
int fail(const struct ctl *c, const char *what, int err);
struct dfc_nl *ctl_nl(struct ctl *c);
int print_json(json_t *root);
void fmt_duration(char *buf, size_t size, uint64_t s);
void *vec_grow(void *v, size_t n, size_t *cap, size_t sz);
int parse_num(const char *arg, uint64_t max, uint64_t *out);
int take_num(int *argc, char ***argv, uint64_t max, uint64_t *out);

/* stats.c */
int stats_get(struct ctl *c, struct dfc_stats *s);

/* filter_fmt.c */
const char *reason_name(uint8_t r);
void fmt_flags(char *buf, size_t size, uint32_t flags);
void fmt_entry(char *buf, size_t size, const struct dfc_nl_entry *e);
json_t *entries_json(const struct dfc_nl_entry *v, unsigned int n);
/* A name (owner, destination) with control characters escaped. */
void fmt_name(char *buf, size_t size, const char *name);
/* A criterion's text: its blob in DTCP form (dtcpd's) or as added (malloc'd). */
char *crit_text(const void *blob, uint16_t len, char *csource, size_t cs_size);

/* cdest.c */
void fmt_rate(char *buf, size_t size, uint64_t v);

#endif
