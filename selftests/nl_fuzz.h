/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nl_fuzz: the message generator (nl_fuzz_gen.c) and what it shares with
 * the driver (nl_fuzz.c).
 */
#ifndef NL_FUZZ_H
#define NL_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <libmnl/libmnl.h>
#include <linux/dfc.h>

/* One request never exceeds this (nla_len is 16 bits; a nest stays below). */
#define FZ_MSG_CAP (62 * 1024)

/* Devices of the namespace the generator aims at (0 if absent). */
struct fz_env {
	uint32_t ifindex[4];	/* the monitored veth end, two dummies, lo */
};
extern struct fz_env fz_env;

void fz_seed(uint64_t seed);
uint64_t fz_rnd(void);
uint32_t fz_below(uint32_t n);
bool fz_chance(unsigned int pct);

/* How a request was built, for the coverage counters. */
enum fz_mode { FZ_VALID, FZ_MUTATED, FZ_SPEC, FZ_RANDOM, FZ_MODES };
extern const char *const fz_mode_name[FZ_MODES];

/*
 * Build one random, well-framed request of family fam at buf (FZ_MSG_CAP
 * bytes): a command (sometimes one the family does not have), flags, and
 * attributes from the command's policy: valid, at boundaries, invalid,
 * random, nested, truncated, duplicated. nlmsg_len may be cut short (but
 * never below the netlink header). *mode tells how it was built.
 */
struct nlmsghdr *fz_gen(void *buf, uint16_t fam, uint32_t seq,
			enum fz_mode *mode);

/* The module accepted nlh: a CRIT_NEW's non-static criteria become refresh targets. */
void fz_accepted(const struct nlmsghdr *nlh);

/* Requests the driver sends to steer the state (cleanup, limits). */
struct nlmsghdr *fz_msg(void *buf, uint16_t fam, uint32_t seq, uint8_t cmd,
			uint16_t flags);

/* nl_fuzz_doc.c: commands' names, documented errnos (0: success) and the core's answers. */
#define FZ_NERR 160
extern const char *const fz_cmd_name[DFC_CMD_MAX + 1];
bool fz_known(unsigned int cmd);
int fz_load_doc(const char *path);
bool fz_documented(unsigned int cmd, int e);
int fz_core_errno(const struct nlmsghdr *nlh, unsigned int cmd);

/* nl_fuzz_env.c */
double fz_now(void);
int fz_write_file(const char *path, const char *s);
int fz_run(const char *cmd);
int fz_net_setup(void);
pid_t fz_traffic(const char *inject, double deadline);
int fz_enter_userns(bool own_net);

#endif /* NL_FUZZ_H */
