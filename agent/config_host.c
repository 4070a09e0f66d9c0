// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The configuration's messages and its checks against this host for
 * dtcpd -t (config_ctx.h), beside the host probes of hostcheck.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config_ctx.h"
#include "hostcheck.h"

void dtcp_cfg_where(char *buf, size_t len, const struct dtcp_cfg_ctx *x,
		    const config_setting_t *s, const char *what)
{
	const char *file = s ? config_setting_source_file(s) : NULL;

	if (s && config_setting_source_line(s))
		snprintf(buf, len, "%s:%u: %s", file ? file : x->path,
			 config_setting_source_line(s), what);
	else
		snprintf(buf, len, "%s: %s", file ? file : x->path, what);
}

/*
 * dtcpd -t only: what start-up survives but the operator should see (an
 * interface not there yet is attached when it appears), on stderr with
 * file:line; the configuration stays valid.
 */
void dtcp_cfg_warn(struct dtcp_cfg_ctx *x, const config_setting_t *s, const char *fmt, ...)
{
	char what[512], line[640];
	va_list ap;

	strcpy(what, "warning: ");
	va_start(ap, fmt);
	vsnprintf(what + 9, sizeof(what) - 9, fmt, ap);
	va_end(ap);
	dtcp_cfg_where(line, sizeof(line), x, s, what);
	fprintf(stderr, "dtcpd: %s\n", line);
}

void dtcp_cfg_host_iface(struct dtcp_cfg_ctx *x, const config_setting_t *s, const char *ifn,
			 const char *what)
{
	char why[128];
	int err = dtcp_host_check_iface(ifn, why, sizeof(why));

	if (err == -ENODEV || err == -ENXIO)
		dtcp_cfg_warn(x, s, "%s: interface '%s': %s: attached when it appears", what, ifn,
			      why);
	else if (err)
		dtcp_cfg_err(x, s, "%s: interface '%s': %s", what, ifn, why);
}
