/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Checks of a configuration against the host it is to run on, for
 * dtcpd -t (dtcp_config_load_host()): what would fail at start besides
 * the file itself. Neither needs dfc.ko. 0, or -errno with why set.
 */
#ifndef DTCP_HOSTCHECK_H
#define DTCP_HOSTCHECK_H

#include <stddef.h>

#include "config.h"

/* name is an interface of this host (as start-up attaches it by name). */
int dtcp_host_check_iface(const char *name, char *why, size_t whylen);
/* A service socket can bind to this address (as start-up binds it). */
int dtcp_host_check_addr(const struct dtcp_prefix *p, char *why, size_t whylen);

#endif /* DTCP_HOSTCHECK_H */
