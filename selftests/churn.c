// SPDX-License-Identifier: GPL-2.0
/*
 * churn: the control-plane half of selftests/stress.sh, in the namespace it
 * runs in, through lib/dfc_nl.
 *
 *   churn base OWNER CDEST PORT N
 *       N static criteria of OWNER, ids 1..N, one UDP/TCP destination port
 *       each (PORT..PORT+N-1), toward CDEST (0: none), in one batched add.
 *   churn run [-t SECONDS] [-o OWNER] [-p PORT] [-n NPORTS] [-B BIGBATCH]
 *             [-b MAXBATCH] [-s SEED] [-k CDEST] [-4 ADDR] [-6 ADDR] [-u DPORT] [-q]
 *       For SECONDS, random operations: criteria added in one batch of
 *       BIGBATCH (up to 100000) first, then in batches of 1 up to MAXBATCH and deleted (by id, by destination, all), refreshed;
 *       four destinations of its own (ids CDEST..CDEST+3) switched between
 *       ADDR4 and ADDR6, their limits changed (hard limits low enough to
 *       purge), force-deleted and re-created; namespace limits lowered and
 *       restored; dumps. Criteria on PORT..PORT+NPORTS-1 match the stress
 *       traffic (packet limits and short timeouts: expiries; toward
 *       destinations with a hard limit: purges); the others match nothing
 *       and only move the table. Events (the namespace's, whoever caused
 *       them) are counted as they come, unless -q.
 *   churn control
 *       Positive control of the error tallies: an error no one expects is
 *       reported and fails (exit status 1).
 *   churn snap PREFIX
 *       The counters stress.sh's exact phases compare, as shell assignments.
 *   churn check
 *       Consistency at rest: every criterion's counts within the
 *       namespace's frame counters, every destination a criterion names
 *       exists and counts exactly the criteria toward it, the criteria
 *       count equals the dump.
 *
 * Every operation counts its successes and its expected errors (ENOENT for
 * a criterion that expired or was purged meanwhile, ENOSPC under lowered
 * limits, EBUSY for a destination in use, EAGAIN for a dump that kept
 * changing); any other errno is printed and makes the exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "churn.h"

/*
 * churn control: the positive control of the tallies. Deleting an id that
 * was never added, with no error expected, must count as unexpected and
 * fail the run as any surprise in "run" would.
 */
static int cmd_control(void)
{
	struct state s = { .owner = 0xc0de };
	uint64_t id = 0xdeadbeef;
	int err;

	s.nl = dfc_nl_open();
	if (!s.nl)
		return 2;
	err = dfc_nl_crit_del(s.nl, s.owner, &id, NULL, true, NULL);
	dfc_churn_tally(&s, OP_DEL_ID, err, 0, 0);
	dfc_nl_close(s.nl);
	printf("control: unexpected=%lu\n", s.t[OP_DEL_ID].bad);
	return s.t[OP_DEL_ID].bad ? 1 : 0;
}
static int cmd_base(int argc, char **argv)
{
	struct dfc_nl *nl = dfc_nl_open();
	uint32_t owner, cdest;
	unsigned int port, n, done = 0, i;
	struct dfc_nl_crit *v;
	struct dfc_nl_entry *e;
	int err;

	if (argc != 6 || !nl)
		return 2;
	owner = (uint32_t)strtoul(argv[2], NULL, 0);
	cdest = (uint32_t)strtoul(argv[3], NULL, 0);
	port = (unsigned int)strtoul(argv[4], NULL, 0);
	n = (unsigned int)strtoul(argv[5], NULL, 0);
	v = calloc(n, sizeof(*v));
	e = calloc(n, sizeof(*e));
	if (!v || !e || port + n > 65536)
		return 2;
	for (i = 0; i < n; i++) {
		v[i].id = i + 1;
		v[i].prio = 2;
		v[i].flags = DFC_CRIT_F_STATIC;
		v[i].cdest = cdest;
		v[i].entries = &e[i];
		v[i].n_entries = 1;
		e[i].ports = true;
		e[i].dport = (uint16_t)(port + i);
		e[i].dport_mask = 0xffff;
	}
	err = dfc_nl_crit_add(nl, owner, v, n, &done);
	if (err)
		fprintf(stderr, "churn base: %s (%s)\n", strerror(-err), dfc_nl_extack(nl));
	free(v);
	free(e);
	dfc_nl_close(nl);
	return err ? 1 : 0;
}
static void usage(void)
{
	fprintf(stderr, "usage: churn base OWNER CDEST PORT N\n"
			"       churn run [-t SECONDS] [-o OWNER] [-p PORT] [-n NPORTS] "
			"[-B BIGBATCH] [-b MAXBATCH] [-s SEED] [-k CDEST] [-4 ADDR] [-6 ADDR] [-u DPORT] [-q]\n"
			"       churn check\n"
			"       churn snap PREFIX\n"
			"       churn control\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct state *s;
	bool no_events = false;
	double secs = 60;
	int opt, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "base"))
		return cmd_base(argc, argv);
	if (!strcmp(argv[1], "check"))
		return dfc_churn_check();
	if (!strcmp(argv[1], "control"))
		return cmd_control();
	if (!strcmp(argv[1], "snap") && argc == 3)
		return dfc_churn_snap(argv[2]);
	if (strcmp(argv[1], "run"))
		usage();
	s = calloc(1, sizeof(*s));
	if (!s)
		return 2;
	s->owner = 100;
	s->port = 10000;
	s->nports = 1000;
	s->max_batch = MAX_BATCH_DEFAULT;
	s->cd_base = 10;
	s->udp_dport = 30031;
	s->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	s->next_id = 1;
	inet_pton(AF_INET, "198.51.100.3", s->addr4);
	inet_pton(AF_INET6, "2001:db8:c::3", s->addr6);
	optind = 2;
	while ((opt = getopt(argc, argv, "t:o:p:n:b:B:s:k:4:6:u:q")) != -1) {
		switch (opt) {
		case 't': secs = atof(optarg); break;
		case 'o': s->owner = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'p': s->port = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'n': s->nports = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'b': s->max_batch = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'B': s->big_batch = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 's': s->rng = strtoull(optarg, NULL, 0); break;
		case 'k': s->cd_base = (uint32_t)strtoul(optarg, NULL, 0); break;
		case '4':
			if (inet_pton(AF_INET, optarg, s->addr4) != 1)
				usage();
			break;
		case '6':
			if (inet_pton(AF_INET6, optarg, s->addr6) != 1)
				usage();
			break;
		case 'u': s->udp_dport = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'q': no_events = true; break;
		default: usage();
		}
	}
	if (!s->rng)
		s->rng = 1;
	if (!s->max_batch || s->max_batch > MAX_BATCH_DEFAULT ||
	    s->big_batch > MAX_BATCH_DEFAULT || !s->nports ||
	    s->cd_base + N_CD >= MAX_CDEST_ID)
		usage();
	printf("# churn: owner %u seed 0x%" PRIx64 " for %.0f s, a batch of %u, then up to %u\n",
	       s->owner, s->rng, secs, s->big_batch, s->max_batch);
	s->buf = calloc(MAX_BATCH_DEFAULT, sizeof(*s->buf));
	s->ent = calloc(MAX_BATCH_DEFAULT, sizeof(*s->ent));
	s->nl = dfc_nl_open();
	if (!s->buf || !s->ent || !s->nl) {
		perror("churn");
		rc = 2;
		goto out;
	}
	s->ev = no_events ? NULL : dfc_nl_events_open();
	if (s->ev)
		fcntl(dfc_nl_events_fd(s->ev), F_SETFL, O_NONBLOCK);
	else if (!no_events)
		printf("# churn: no events socket (%s): events not counted\n", strerror(errno));
	rc = dfc_churn_run(s, secs);
	if (s->ev)
		dfc_nl_events_close(s->ev);
out:
	dfc_nl_close(s->nl);
	free(s->buf);
	free(s->ent);
	free(s->statics);
	free(s);
	return rc;
}
