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

/* -t and -ts: how monitor stamps its events (as ip -t and ip -ts). */
enum ctl_ts { CTL_TS_NONE, CTL_TS_LONG, CTL_TS_SHORT };

struct ctl {
	bool json;
	bool details; /* -d: ids beside names */
	bool pretty; /* -p: indented JSON */
	enum ctl_ts ts;
	/*
	 * check: -batch's first pass, arguments only: ctl_go() notes in
	 * checked that a command's arguments were good and stops it there.
	 */
	bool check, checked;
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
bool ctl_go(struct ctl *c);
bool opt_matches(const char *arg, const char *name);
/* A command line resolved (ctl_lookup). */
struct ctl_cmdline {
	const struct cmd *cmd;
	int args;  /* where cmd's arguments start */
	bool help; /* only the help: of cmd's object, or of all (cmd NULL) */
};
int ctl_lookup(int argc, char **argv, struct ctl_cmdline *out);
int ctl_dispatch(struct ctl *c, int argc, char **argv);
int fail(const struct ctl *c, const char *what, int err);
struct dfc_nl *ctl_nl(struct ctl *c);
int print_json(json_t *root);
void fmt_duration(char *buf, size_t size, uint64_t s);
/* vec.c */
void *vec_grow(void *v, size_t n, size_t *cap, size_t sz);
int parse_num(const char *arg, uint64_t max, uint64_t *out);
int take_num(int *argc, char ***argv, uint64_t max, uint64_t *out);

/* netns.c */
int netns_switch(const char *name);

/* batch.c (batch.h: its reader, batch_read.c) */
int batch_run(struct ctl *c, const char *file, bool force);

/*
 * filter_add.c: one 'filter add' line parsed into what the kernel gets
 * (entries, exclusions and text allocated: filter_add_free), so that
 * -batch can send many in one request.
 */
struct filter_add {
	uint32_t owner;
	struct dfc_nl_crit crit;
};
int filter_add_parse(struct ctl *c, int argc, char **argv, struct filter_add *fa);
void filter_add_free(struct filter_add *fa);
void filter_add_what(char *buf, size_t size, const struct filter_add *fa);

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

/*
 * agent.c: each control source dtcpd serves and its kernel owner, asked
 * quietly (no dtcpd, no names): 'filter show' names owners by them,
 * since blobs of format 6 leave the name to the owner.
 */
void agent_owner_names(struct ctl *c, void (*cb)(uint32_t owner, const char *id, void *data),
		       void *data);

/* cdest.c */
void fmt_rate(char *buf, size_t size, uint64_t v);

#endif
