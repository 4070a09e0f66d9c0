// SPDX-License-Identifier: GPL-2.0
/*
 * fault_nl: fault.sh's helper. Runs every dfc command with allocation
 * failures injected into this task only, in the current network namespace
 * (which has veth v0/v1 and dummy d0 with routes to the destinations):
 *
 *   fault_nl nth      the N-th allocation fails (/proc/thread-self/fail-nth),
 *                     N = 1, 2, ... until the command runs without reaching
 *                     it: every allocation of every command fails once
 *   fault_nl slab     failslab with task-filter and make-it-fail, times 1,
 *                     space 0, S, 2S, ... bytes: the same by size, S a
 *                     multiple of 32 that spreads SIZE_POINTS points over
 *                     what the command allocates
 *   fault_nl page     the same with fail_page_alloc, whose space counts
 *                     pages (a step of 4096 here before skipped all but
 *                     the first page allocation)
 *   fault_nl dry      no fault: each command, and whether the state
 *                     snapshot sees what it changes (a positive control)
 *   fault_nl copy     the copy path (softirq, no task filter): failslab and
 *                     fail_page_alloc with a probability and a bounded
 *                     times during a burst of matching frames
 *
 * A command under a fault must answer 0, ENOMEM, or lose its answer
 * (ENOBUFS, when the ACK itself could not be allocated); the state
 * afterwards (interfaces, criteria, destinations, counters of the table)
 * must equal the state before if it failed, the state of a fault-free run
 * if it succeeded, and one of the two if the answer was lost. The table's
 * memory and mask count move on after a command (resizes wait for a grace
 * period, the worker retries what could not allocate): when they alone
 * differ, the fault point runs again from a settled setup, and settled,
 * must equal a fault-free run done the same way. Prints
 * "PASS name: ..." or "FAIL name: ..." per command, "# " lines otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dfc_nl.h"
#include "fault_nl.h"

/* Fault points per command by size (slab, page): a spread, not every one. */
#define SIZE_POINTS 48

/* Commands that reached a fault point by size (the mode's positive control). */
static unsigned int size_hits;

/* mode "slab": failslab's file, "page": fail_page_alloc's. */
static const char *attr_path(const char *mode, const char *file)
{
	static char p[128];

	snprintf(p, sizeof(p), DBG "%s/%s", strcmp(mode, "page") ? "failslab" : "fail_page_alloc", file);
	return p;
}

/* This task's make-it-fail, opened once: an open() while armed would allocate. */
static int mif_fd(void)
{
	static int mif = -1;

	if (mif < 0 && (mif = open("/proc/thread-self/make-it-fail", O_WRONLY)) < 0) {
		perror("fault_nl: make-it-fail");
		exit(1);
	}
	return mif;
}

/* Arm, run one command, disarm: its errno; *hit when the fault was injected. */
static int faulted(const char *mode, long arg, struct nlmsghdr *nlh, bool *hit)
{
	static int nth = -1;
	int err;

	if (!strcmp(mode, "nth")) {
		char s[16];
		int n = snprintf(s, sizeof(s), "%ld", arg);

		if (nth < 0 && (nth = open("/proc/thread-self/fail-nth", O_RDWR)) < 0) {
			perror("fault_nl: fail-nth");
			exit(1);
		}
		if (pwrite(nth, s, (size_t)n, 0) != n)
			exit(1);
		err = talk(nlh, NULL, NULL);
		n = (int)pread(nth, s, sizeof(s) - 1, 0);
		s[n > 0 ? n : 0] = 0;
		*hit = !strtol(s, NULL, 10);
		if (pwrite(nth, "0", 1, 0) != 1)
			exit(1);
		return err;
	}
	/*
	 * The first allocation past arg bytes of this task fails, once. The
	 * flag is written through a file opened beforehand: an open() after
	 * the command would be the allocation that fails.
	 */
	if (wfile(attr_path(mode, "space"), "%ld", arg) || wfile(attr_path(mode, "times"), "%ld", 1) ||
	    pwrite(mif_fd(), "1", 1, 0) != 1)
		exit(1);
	err = talk(nlh, NULL, NULL);
	if (pwrite(mif_fd(), "0", 1, 0) != 1)
		exit(1);
	*hit = rfile(attr_path(mode, "times")) == 0;
	wfile(attr_path(mode, "times"), "%ld", 0);
	return err;
}

/*
 * What a case's command allocates in this task, in failslab's or
 * fail_page_alloc's unit (bytes, pages): armed with a space it cannot use up,
 * the attribute subtracts every allocation that passes from it.
 */
static long space_used(const struct fcase *c, const char *mode)
{
	const long big = 1L << 30;
	bool hit;
	long left;

	c->setup();
	faulted(mode, big, c->build(), &hit);
	left = rfile(attr_path(mode, "space"));
	return left < 0 || hit ? -1 : big - left;
}

/*
 * A case's two states, settled: after its setup (s[0]) and after a
 * fault-free run of its command from the settled setup (s[1]); taken
 * when first needed.
 */
struct refs { struct snap s[2]; bool have[2]; };

/*
 * Whether the fault at arg leaves the right state when the table's memory
 * or mask count alone differed: a mask's hash table size depends on when
 * its resizes ran (at most one per grace period, the rest by the worker,
 * and shrinking with hysteresis), not only on its entries, and an empty
 * mask stays until the worker's compaction. So the same fault point runs
 * again from a settled setup and settles, and must equal a fault-free run
 * done the same way (or the settled setup, if it failed). Prints how the
 * state differs if it does not.
 */
static bool redo_settled(const struct fcase *c, const char *mode, long arg, struct refs *r,
			 struct snap *a)
{
	const struct snap *want;
	bool hit;
	int err;

	if (!r->have[0]) {
		c->setup();
		r->have[0] = settle(&r->s[0]);
	}
	if (!r->have[1]) {
		c->setup();
		settle(&r->s[1]);
		if (talk(c->build(), NULL, NULL))
			exit(1);
		r->have[1] = settle(&r->s[1]);
	}
	if (!r->have[0] || !r->have[1]) {
		printf("# %s: the table's memory did not settle\n", c->name);
		return false;
	}
	c->setup();
	settle(a);
	err = faulted(mode, arg, c->build(), &hit);
	sock_open();
	if (!settle(a))
		printf("# %s: the table's memory did not settle\n", c->name);
	want = &r->s[err ? 0 : 1];
	if (snap_eq(a, want) || (err == -ENOBUFS && snap_eq(a, &r->s[1])))
		return true;
	printf("# %s: fault %ld again from a settled setup (%s), settled:\n", c->name, arg,
	       err ? strerror(-err) : "success");
	snap_diff(c->name, a, want);
	return false;
}

/* a is want, or differs in the table's memory alone and passes redo_settled(). */
static bool same_state(const struct fcase *c, const char *mode, long arg, struct snap *a,
		       const struct snap *want, struct refs *r, bool *dirty)
{
	if (snap_eq(a, want))
		return true;
	if (!snap_eq_but_mem(a, want))
		return false;
	*dirty = true;
	return redo_settled(c, mode, arg, r, a);
}

static bool run_case(const struct fcase *c, const char *mode)
{
	static struct snap ok, before, after;
	static struct refs r;
	unsigned int nomem = 0, lost = 0, despite = 0, points = 0;
	long arg = !strcmp(mode, "nth"), step = 1;
	bool hit = true, dirty = true, pass = true, unchanged;
	int err;

	memset(r.have, 0, sizeof(r.have));
	c->setup();
	snap(&before);
	if ((err = talk(c->build(), NULL, NULL))) {
		printf("FAIL %s: without a fault: %s\n", c->name, strerror(-err));
		return false;
	}
	snap(&ok);
	/* Positive control: the snapshot sees what the command changes. */
	unchanged = snap_eq(&ok, &before);
	if (!unchanged && !c->changes && snap_eq_but_mem(&ok, &before)) {
		/* A resize still to come? The settled states must be equal. */
		settle(&ok);
		c->setup();
		settle(&before);
		unchanged = snap_eq(&ok, &before);
	}
	if (c->changes == unchanged) {
		printf("FAIL %s: the state %s without a fault\n", c->name,
		       c->changes ? "did not change" : "changed");
		snap_diff(c->name, &ok, &before);
		return false;
	}
	if (!strcmp(mode, "dry")) {
		printf("PASS %s: %zu bytes of state, %s by the command\n", c->name, ok.n,
		       c->changes ? "changed" : "unchanged");
		return true;
	}
	if (strcmp(mode, "nth")) {
		/*
		 * By size, the same allocation fails for every space within
		 * it: a step of 32 bytes (a page) took up to 620 points a
		 * command, each a few seconds on the debug kernel. nth fails
		 * every allocation in turn already; here at most
		 * SIZE_POINTS spaces spread over what the command allocates.
		 */
		/* failslab counts bytes; fail_page_alloc pages (1 << order). */
		bool page = !strcmp(mode, "page");
		long unit = page ? 1 : 32, used = space_used(c, mode);

		if (used < 0) {
			printf("FAIL %s: %s space unreadable, or used up\n", c->name, mode);
			return false;
		}
		step = (used / SIZE_POINTS / unit + 1) * unit;
		printf("# %s: %ld %s allocated, step %ld\n", c->name, used, page ? "pages" : "bytes",
		       step);
	}
	while (hit && points < 5000) {
		if (dirty)
			c->setup();
		snap(&before);
		err = faulted(mode, arg, c->build(), &hit);
		sock_open();	/* a dump cut short must not linger */
		snap(&after);
		points += hit;
		dirty = err != -ENOMEM;
		if (err == 0) {
			despite += hit;
			if (!same_state(c, mode, arg, &after, &ok, &r, &dirty)) {
				printf("# %s: fault %ld: success, but the state differs from a fault-free run\n",
				       c->name, arg);
				if (!snap_eq_but_mem(&after, &ok))
					snap_diff(c->name, &after, &ok);
				pass = false;
			}
		} else if (err == -ENOMEM) {
			nomem++;
			if (!same_state(c, mode, arg, &after, &before, &r, &dirty)) {
				printf("# %s: fault %ld: ENOMEM, but the state changed\n", c->name, arg);
				if (!snap_eq_but_mem(&after, &before))
					snap_diff(c->name, &after, &before);
				pass = false;
			}
		} else if (err == -ENOBUFS) {
			lost++;
			if (!snap_eq(&after, &before) && !snap_eq(&after, &ok) &&
			    !((snap_eq_but_mem(&after, &before) || snap_eq_but_mem(&after, &ok)) &&
			      redo_settled(c, mode, arg, &r, &after))) {
				printf("# %s: fault %ld: answer lost, and the state is neither before nor after\n",
				       c->name, arg);
				if (!snap_eq_but_mem(&after, &ok))
					snap_diff(c->name, &after, &ok);
				pass = false;
			}
		} else {
			printf("# %s: fault %ld: %s (only ENOMEM, or a lost answer, is an allocation failure)\n",
			       c->name, arg, strerror(-err));
			pass = false;
			dirty = true;
		}
		if (!pass)
			break;
		arg += step;
	}
	/*
	 * Every command allocates (its answer at least), so nth must hit.
	 * By size, a command may take no page, or no new slab page, this
	 * time: the mode as a whole must hit (main()).
	 */
	pass = pass && (points || strcmp(mode, "nth"));
	size_hits += points && strcmp(mode, "nth");
	printf("%s %s: %u allocations failed in turn: ENOMEM %u, answer lost %u, succeeded anyway %u\n",
	       pass ? "PASS" : "FAIL", c->name, points, nomem, lost, despite);
	return pass;
}

#define SKB_CACHE_FAILSLAB "/sys/kernel/slab/skbuff_head_cache/failslab"

/* Counters of destination 1 and of criterion (1, 1). */
struct ctr { uint64_t packets, copies, drops, nomem; };

static void ctr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct ctr *c = data;
	const struct nlattr *a, *b;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (g->cmd == DFC_CMD_CRIT_GET && mnl_attr_get_type(a) == DFC_A_CRIT)
			mnl_attr_for_each_nested(b, a)
				if (mnl_attr_get_type(b) == DFC_CRIT_A_PACKETS)
					c->packets = mnl_attr_get_u64(b);
		if (g->cmd != DFC_CMD_CDEST_GET || mnl_attr_get_type(a) != DFC_CDEST_A_STATS)
			continue;
		mnl_attr_for_each_nested(b, a) {
			uint16_t t = mnl_attr_get_type(b);

			if (t == DFC_CSTATS_A_COPIES)
				c->copies = mnl_attr_get_u64(b);
			else if (t >= DFC_CSTATS_A_NOMEM && t <= DFC_CSTATS_A_DUPCAP)
				c->drops += mnl_attr_get_u64(b);
			if (t == DFC_CSTATS_A_NOMEM)
				c->nomem = mnl_attr_get_u64(b);
		}
	}
}

static void counters(struct ctr *c)
{
	memset(c, 0, sizeof(*c));
	if (talk(c_cdest_get(), ctr_cb, c) || talk(c_crit_get1(), ctr_cb, c)) {
		printf("# copy: counters unreadable\n");
		exit(1);
	}
}

static void burst(const char *len, const char *n)
{
	pid_t pid = fork();
	int st;

	if (!pid) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(1);
		execl(inject, "inject", "-i", "v0", "-n", n, "-l", len, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
}

/*
 * The burst's last frames may still be in the receive softirq when the
 * sender exits, and a frame counts on its criterion before it counts on
 * its destination: read until two reads 200 ms apart agree (at most 10 s).
 */
static void counters_settled(struct ctr *c)
{
	const struct timespec pause = { .tv_nsec = 200 * 1000 * 1000 };
	struct ctr prev;
	int i;

	counters(c);
	for (i = 0; i < 50; i++) {
		prev = *c;
		nanosleep(&pause, NULL);
		counters(c);
		if (!memcmp(&prev, c, sizeof(*c))) {
			if (i)
				printf("# copy: counters settled after %d ms\n", i * 200);
			return;
		}
	}
	printf("# copy: counters still moving after 10 s\n");
}

/*
 * The copy path allocates in softirq, where no task filter applies: a
 * probability and a bounded times, only for allocations that cannot sleep
 * (so that the rest of the guest goes on), during a burst of frames.
 * failslab alone would spend its faults on whatever allocates atomically
 * meanwhile (kmemleak's and debug objects' pools refill so, and shrug a
 * failure off): only the socket buffer cache, flagged at boot
 * (slub_debug=a,skbuff_head_cache, tools/vm-run), takes its faults.
 */
static bool copy_path(const char *attr, const char *len, int hits)
{
	static const char *const knobs[][2] = {
		{ "task-filter", "N" }, { "ignore-gfp-wait", "Y" }, { "verbose", "0" },
		{ "interval", "1" }, { "space", "0" },
	};
	struct nlmsghdr *nlh;
	struct ctr c0, c1;
	char p[128];
	unsigned int i;
	long left;

	s_cdest();
	nlh = req(DFC_CMD_CRIT_NEW, 0);
	mnl_attr_put_u32(nlh, DFC_A_OWNER, 1);
	crit(nlh, 1, 1, 0, 0, true, 1);
	must(nlh, "copy criterion", 0);
	counters(&c0);
	if (!strcmp(attr, "failslab")) {
		if (rfile(SKB_CACHE_FAILSLAB) != 1) {
			printf("FAIL copy-failslab: %s is not 1: boot with slub_debug=a,skbuff_head_cache\n",
			       SKB_CACHE_FAILSLAB);
			return false;
		}
		if (wfile(DBG "failslab/cache-filter", "%ld", 1)) {
			printf("FAIL copy-failslab: failslab/cache-filter: %s\n", strerror(errno));
			return false;
		}
	}
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(p, sizeof(p), DBG "%s/%s", attr, knobs[i][0]);
		FILE *f = fopen(p, "w");

		if (!f || fputs(knobs[i][1], f) < 0 || fclose(f)) {
			printf("# copy: %s: %s\n", p, strerror(errno));
			return false;
		}
	}
	snprintf(p, sizeof(p), DBG "%s/times", attr);
	wfile(p, "%ld", hits);
	snprintf(p, sizeof(p), DBG "%s/probability", attr);
	wfile(p, "%ld", 20);
	burst(len, "1000");
	wfile(p, "%ld", 0);
	snprintf(p, sizeof(p), DBG "%s/times", attr);
	left = rfile(p);
	if (!strcmp(attr, "failslab"))
		wfile(DBG "failslab/cache-filter", "%ld", 0);
	counters_settled(&c1);
	printf("# copy, %s, %s-byte frames: %ld faults injected; %llu frames matched, %llu copies, %llu dropped (%llu for memory)\n",
	       attr, len, hits - left, (unsigned long long)(c1.packets - c0.packets),
	       (unsigned long long)(c1.copies - c0.copies), (unsigned long long)(c1.drops - c0.drops),
	       (unsigned long long)(c1.nomem - c0.nomem));
	if (c1.packets == c0.packets || c1.nomem == c0.nomem ||
	    c1.copies - c0.copies + c1.drops - c0.drops != c1.packets - c0.packets) {
		printf("FAIL copy-%s: every matched frame is a copy or a counted drop, some for memory\n", attr);
		return false;
	}
	printf("PASS copy-%s: every matched frame is a copy or a counted drop, %llu for memory\n", attr,
	       (unsigned long long)(c1.nomem - c0.nomem));
	return true;
}

int main(int argc, char **argv)
{
	static const char *const nth_knobs[][2] = {
		{ "failslab/ignore-gfp-wait", "N" }, { "failslab/verbose", "0" },
		{ "failslab/probability", "0" }, { "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/verbose", "0" }, { "fail_page_alloc/probability", "0" },
		{ "fail_page_alloc/min-order", "0" },
		/* slab and page: task filter, every call, only make-it-fail tasks */
		{ "failslab/task-filter", "Y" }, { "fail_page_alloc/task-filter", "Y" },
		{ "failslab/interval", "1" }, { "fail_page_alloc/interval", "1" },
		{ "failslab/times", "0" }, { "fail_page_alloc/times", "0" },
	};
	const char *mode = argc > 1 ? argv[1] : "";
	struct dfc_nl *h;
	unsigned int i, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2)
		inject = argv[2];
	h = dfc_nl_open();
	if (!h) {
		printf("# family dfc: %s\n", strerror(errno));
		return 1;
	}
	fam = dfc_nl_family_id(h);
	dfc_nl_close(h);
	sock_open();
	for (i = 0; strcmp(mode, "dry") && i < sizeof(nth_knobs) / sizeof(nth_knobs[0]); i++) {
		char p[128];
		FILE *f;

		snprintf(p, sizeof(p), DBG "%s", nth_knobs[i][0]);
		f = fopen(p, "w");

		if (!f || fputs(nth_knobs[i][1], f) < 0 || fclose(f)) {
			printf("# %s: %s\n", nth_knobs[i][0], strerror(errno));
			return 1;
		}
	}
	if (!strcmp(mode, "copy")) {
		failed += !copy_path("failslab", "200", 100);
		failed += !copy_path("fail_page_alloc", "8000", 100);
	} else if (!strcmp(mode, "nth") || !strcmp(mode, "slab") || !strcmp(mode, "page") ||
		   !strcmp(mode, "dry")) {
		if (strcmp(mode, "nth") && strcmp(mode, "dry"))
			wfile(attr_path(mode, "probability"), "%ld", 100);
		for (i = 0; i < n_cases; i++)
			failed += !run_case(&cases[i], mode);
		if (strcmp(mode, "nth") && strcmp(mode, "dry") && !size_hits) {
			printf("FAIL %s: no command reached a fault point\n", mode);
			failed++;
		}
		if (strcmp(mode, "dry"))
			wfile(attr_path(mode, "probability"), "%ld", 0);
	} else {
		fprintf(stderr, "usage: fault_nl nth|slab|page|copy|dry [INJECT]\n");
		return 2;
	}
	base();
	return failed ? 1 : 0;
}
