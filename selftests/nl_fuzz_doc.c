// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz: what the module's answers are held to. The errnos that
 * include/uapi/linux/dfc.h documents per command (read from it at start),
 * and the answers the generic netlink core gives before the module or the
 * permission check see a request.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <stdio.h>
#include <string.h>

#include "nl_fuzz.h"

#define NERR FZ_NERR

const char *const fz_cmd_name[DFC_CMD_MAX + 1] = {
	[DFC_CMD_IFACE_NEW] = "IFACE_NEW", [DFC_CMD_IFACE_DEL] = "IFACE_DEL",
	[DFC_CMD_IFACE_GET] = "IFACE_GET", [DFC_CMD_STATS_GET] = "STATS_GET",
	[DFC_CMD_CRIT_NEW] = "CRIT_NEW", [DFC_CMD_CRIT_DEL] = "CRIT_DEL",
	[DFC_CMD_CRIT_REFRESH] = "CRIT_REFRESH", [DFC_CMD_CRIT_GET] = "CRIT_GET",
	[DFC_CMD_LIMITS_SET] = "LIMITS_SET", [DFC_CMD_CDEST_NEW] = "CDEST_NEW",
	[DFC_CMD_CDEST_SET] = "CDEST_SET", [DFC_CMD_CDEST_DEL] = "CDEST_DEL",
	[DFC_CMD_CDEST_GET] = "CDEST_GET", [DFC_CMD_OWNER_SET] = "OWNER_SET",
};

bool fz_known(unsigned int cmd)
{
	return cmd <= DFC_CMD_MAX && fz_cmd_name[cmd];
}

/* Documented errnos per command, bit e of doc[cmd]; from dfc.h. */
static uint8_t doc[DFC_CMD_MAX + 1][NERR];

bool fz_documented(unsigned int cmd, int e)
{
	return fz_known(cmd) && e >= 0 && e < NERR && doc[cmd][e];
}

/*
 * The "Errors." paragraph of dfc.h: the errnos any command can return,
 * then a "NAME: ERRNO..." line per command. Strict: an unknown word fails.
 */
int fz_load_doc(const char *path)
{
	char line[256], *tok, *save;
	uint8_t common[NERR] = { 0 };
	int state = 0, e, cmd, seen = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("# cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) && state < 3) {
		char *p = line + strspn(line, " /*\t");

		p[strcspn(p, "\n")] = 0;
		if (state == 0 && !strncmp(p, "Errors. Any command", 19))
			state = 1;
		if (state == 1) {	/* the common errnos: every E... word */
			char *stop = strstr(p, "Beyond those");

			if (stop)
				*stop = 0;
			for (tok = strtok_r(p, " ,.()", &save); tok; tok = strtok_r(NULL, " ,.()", &save))
				for (e = 1; e < NERR; e++)
					if (strerrorname_np(e) && !strcmp(tok, strerrorname_np(e)))
						common[e] = 1;
			if (stop)
				state = 2;
			continue;
		}
		if (state != 2)
			continue;
		/* The table: "NAME: ERRNO...", ends at the first other line after it. */
		if (!strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") ||
		    p[strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_")] != ':') {
			if (seen)
				state = 3;
			continue;
		}
		tok = strtok_r(p, ": ", &save);
		for (cmd = 0; cmd <= DFC_CMD_MAX && !(fz_cmd_name[cmd] && !strcmp(fz_cmd_name[cmd], tok)); cmd++)
			;
		if (cmd > DFC_CMD_MAX) {
			printf("# %s: unknown command '%s' in the errors table\n", path, tok);
			fclose(f);
			return -1;
		}
		memcpy(doc[cmd], common, sizeof(common));
		doc[cmd][0] = 1;
		seen++;
		while ((tok = strtok_r(NULL, " ", &save)) && strcmp(tok, "-")) {
			for (e = 1; e < NERR && !(strerrorname_np(e) && !strcmp(tok, strerrorname_np(e))); e++)
				;
			if (e == NERR) {
				printf("# %s: unknown errno '%s' for %s\n", path, tok, fz_cmd_name[cmd]);
				fclose(f);
				return -1;
			}
			doc[cmd][e] = 1;
		}
	}
	fclose(f);
	for (cmd = 0; cmd <= DFC_CMD_MAX; cmd++)
		if (fz_known(cmd) && !doc[cmd][0]) {
			printf("# %s: no errors documented for %s\n", path, fz_cmd_name[cmd]);
			return -1;
		}
	if (!common[EPERM] || !common[EINVAL] || seen != 14) {
		printf("# %s: errors table not found or incomplete\n", path);
		return -1;
	}
	return 0;
}

/*
 * What the generic netlink core answers before it checks the permission
 * (net/netlink/genetlink.c, genl_family_rcv_msg()), 0 if it passes nlh on:
 * EINVAL for no room for the genl header, then (genl_header_check(), every
 * command since resv_start_op is 0) for genlmsghdr.reserved not 0 or
 * nlmsg_flags other than REQUEST, ACK, ECHO and DUMP (both of its bits);
 * then EOPNOTSUPP for a command the family does not have.
 */
int fz_core_errno(const struct nlmsghdr *nlh, unsigned int cmd)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	uint16_t flags = nlh->nlmsg_flags;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN)
		return EINVAL;
	if ((flags & NLM_F_DUMP) == NLM_F_DUMP)
		flags &= ~NLM_F_DUMP;
	if (g->reserved || (flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO)))
		return EINVAL;
	return fz_known(cmd) ? 0 : EOPNOTSUPP;
}
