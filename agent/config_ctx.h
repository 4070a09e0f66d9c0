/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * What the files loading the configuration share (config.c, the host
 * checks of dtcpd -t in config_host.c, the DTCP-over-SSH settings in
 * config_ssh.c, the checks across groups in config_unique.c): the load's
 * context and its setting readers. Errors and
 * warnings name the file and the line. Nothing else includes it.
 */
#ifndef DTCP_CONFIG_CTX_H
#define DTCP_CONFIG_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <libconfig.h>

#include "config.h"

struct dtcp_cfg_ctx {
	const char *path;
	char *err;
	size_t errlen;
	bool failed;
	mode_t mode;			/* of the file: may it hold a shared-key? */
	bool insecure_keys;		/* insecure-key-permissions */
	bool host;			/* check against this host too (dtcpd -t) */
};

/* The first error is the one reported: "FILE:LINE: what". */
void dtcp_cfg_err(struct dtcp_cfg_ctx *x, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *dtcp_cfg_str(struct dtcp_cfg_ctx *x, const config_setting_t *g, const char *name,
			 bool required);
/* true with *out set if present and in min..max (an error otherwise). */
bool dtcp_cfg_int(struct dtcp_cfg_ctx *x, const config_setting_t *g, const char *name,
		  long long min, long long max, long long *out);
/* A list or array setting of strings (or one string): a strdup'd vector. */
char **dtcp_cfg_strs(struct dtcp_cfg_ctx *x, const config_setting_t *g, const char *name,
		     unsigned int *n);
/* Refuse settings not in names: a typo must not pass silently. */
void dtcp_cfg_only(struct dtcp_cfg_ctx *x, const config_setting_t *g, const char *const *names);

/* ---- config_host.c: dtcpd -t ---- */

/* "FILE:LINE: what" (or "FILE: what") for the setting s into buf. */
void dtcp_cfg_where(char *buf, size_t len, const struct dtcp_cfg_ctx *x,
		    const config_setting_t *s, const char *what);
/* A warning on stderr with file:line; the configuration stays valid. */
void dtcp_cfg_warn(struct dtcp_cfg_ctx *x, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The host check of an interface: a bad name fails, a missing one warns. */
void dtcp_cfg_host_iface(struct dtcp_cfg_ctx *x, const config_setting_t *s, const char *ifn,
			 const char *what);

/* ---- config_unique.c ---- */

/* Group names, Csource-IDs, kernel owners and destination ids: one of each. */
void dtcp_cfg_check_unique(struct dtcp_cfg_ctx *x, const struct dtcp_config *cfg);

/* ---- config_ssh.c ---- */

/* The root's "ssh" group (DTCP over SSH), into cfg->ssh. */
void dtcp_cfg_load_ssh(struct dtcp_cfg_ctx *x, struct dtcp_config *cfg,
		       const config_setting_t *root);
/* A control source's ssh-logins. */
void dtcp_cfg_load_logins(struct dtcp_cfg_ctx *x, struct dtcp_csource *c,
			  const config_setting_t *g);
/* Checks across sources once all are loaded (no login in two groups' sources twice...). */
void dtcp_cfg_check_ssh(struct dtcp_cfg_ctx *x, struct dtcp_config *cfg,
			const config_setting_t *root);

#endif /* DTCP_CONFIG_CTX_H */
