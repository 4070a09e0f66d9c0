/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fault_nl's parts: netlink and debugfs I/O (fault_io.c), the state
 * snapshot a fault must leave as it was (fault_snap.c), the commands and
 * their setups (fault_cases.c); fault_nl.c injects the faults.
 */
#ifndef FAULT_NL_H
#define FAULT_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#define DBG "/sys/kernel/debug/"
#define SNAP_CAP (256 * 1024)

/* fault_io.c */
extern uint16_t fam;
extern const char *inject;
typedef void (*reply_cb)(const struct nlmsghdr *nlh, void *data);
int sock_open(void);
struct nlmsghdr *req(uint8_t cmd, uint16_t flags);
int talk(struct nlmsghdr *nlh, reply_cb cb, void *data);
void must(struct nlmsghdr *nlh, const char *what, int ok2);
int wfile(const char *path, const char *fmt, long v);
long rfile(const char *path);

/* fault_snap.c: the state a command may change, without counters and clocks. */
struct snap { size_t n; char s[SNAP_CAP]; };
void snap(struct snap *sn);
bool snap_eq(const struct snap *a, const struct snap *b);
bool snap_eq_but_mem(const struct snap *a, const struct snap *b);
void snap_diff(const char *name, const struct snap *got, const struct snap *want);
bool settle(struct snap *sn);

/* fault_cases.c */
struct fcase {
	const char *name;
	void (*setup)(void);
	struct nlmsghdr *(*build)(void);
	bool changes;	/* visibly: owner settings cannot be read back */
};
extern const struct fcase cases[];
extern const unsigned int n_cases;
void base(void);
void s_cdest(void);	/* base, interface v1, destination 1 */
void crit(struct nlmsghdr *nlh, uint64_t id, unsigned int n, unsigned int nx, size_t blob,
	  bool statik, uint32_t cd);
struct nlmsghdr *c_cdest_get(void);
struct nlmsghdr *c_crit_get1(void);

#endif
