/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dtcpc, a DTCP control source: what its files share. main.c dispatches
 * on the method; opts.c reads the command line, seq.c the Seq state file,
 * request.c builds and sends a request, answer.c receives and verifies
 * the answers, listen.c waits for notifications, bench.c measures ADDs.
 */
#ifndef DFC_DTCPC_H
#define DFC_DTCPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "msg.h"

#define EXIT_USAGE 2
#define EXIT_NOANSWER 3
#define EXIT_BADSIG 4

struct dtcpc_opts {
	const char *server, *bind_addr, *id, *state, *raw, *out, *listen;
	char *key;
	size_t key_len;
	uint16_t port;
	int ver;
	double wait;
	bool have_seq, no_sign, upper, quiet, bad_key;
	uint64_t seq;
	long count;
};

/* opts.c: the command line. -1: go on (argv[optind] is the method), else the exit status. */
void dfc_dtcpc_usage(FILE *f);
bool dfc_dtcpc_opt_u64(int opt, const char *arg, uint64_t min, uint64_t max, const char *what,
		       uint64_t *out);
int dfc_dtcpc_opts_parse(struct dtcpc_opts *o, int argc, char **argv);
int dfc_dtcpc_opts_listen(struct dtcpc_opts *o, int argc, char **argv);

/* request.c: a request from the words after the method, sent; the answers received. */
int dfc_dtcpc_resolve(const char *host, uint16_t port, struct sockaddr_storage *ss,
		      socklen_t *len);
int dfc_dtcpc_request(struct dtcpc_opts *o, const char *method, int argc, char **argv);

/* seq.c: the next Seq of o->id, kept in its state file. */
int dfc_dtcpc_seq_next(struct dtcpc_opts *o, uint64_t *seq);

/* answer.c */
bool dfc_dtcpc_verify(const struct dtcpc_opts *o, const struct dtcp_msg *m, const char *seq,
		      char *why, size_t size);
void dfc_dtcpc_print(const struct dtcpc_opts *o, const char *buf, size_t len);
int dfc_dtcpc_receive(struct dtcpc_opts *o, int fd, const char *method, const char *seq);

/* listen.c */
int dfc_dtcpc_listen(struct dtcpc_opts *o);

/* bench.c: its options after "bench", then the run. */
int dfc_dtcpc_bench(struct dtcpc_opts *o, int argc, char **argv);

#endif /* DFC_DTCPC_H */
