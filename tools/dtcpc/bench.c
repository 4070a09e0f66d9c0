// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dtcpc bench: COUNT authenticated Static ADDs, WINDOW in flight; prints
 * adds, seconds, adds_per_s, p50_us and p99_us of the verified answers.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "dtcpc.h"

#define BENCH_MAX (1ul << 24)	/* bench -N: one source address each, 10.0.0.0/8 */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Authenticated ADDs as fast as the window allows: each request signed,
 * each answer parsed, verified and matched to its request by Seq.
 */
static int bench_run(struct dtcpc_opts *o, int fd, unsigned long count, unsigned int window,
		     const char *cdest)
{
	static char buf[DTCP_MSG_MAX + 1];
	static struct dtcp_msg m;
	static struct dtcp_out out;
	uint64_t *sent = calloc(count, sizeof(*sent)), *lat = calloc(count, sizeof(*lat));
	unsigned long next = 0, done = 0, ok = 0, bad = 0;
	uint64_t base, t0, t1;
	struct dtcpc_opts so = *o;

	if (!sent || !lat)
		return 1;
	/* Reserve count Seqs at once. */
	if (dfc_dtcpc_seq_next(&so, &base))
		return 1;
	so.have_seq = true;
	so.seq = base + count - 1;
	if (dfc_dtcpc_seq_next(&so, &t0))
		return 1;
	t0 = now_us();
	while (done < count) {
		while (next < count && next - done < window) {
			dtcp_out_init(&out, o->upper);
			dtcp_out_request(&out, "ADD", o->ver);
			dtcp_out_param(&out, "Csource-ID", "%s", o->id);
			dtcp_out_param(&out, "Cdest-ID", "%s", cdest);
			dtcp_out_param(&out, "Source-Address", "10.%lu.%lu.%lu", (next >> 16) & 255,
				       (next >> 8) & 255, next & 255);
			dtcp_out_param(&out, "Protocol", "6");
			dtcp_out_param(&out, "Dest-Port", "80");
			dtcp_out_param(&out, "Flags", "Static");
			dtcp_out_param(&out, "Seq", "%" PRIu64, base + next);
			dtcp_out_sign(&out, o->key, o->key_len);
			sent[next] = now_us();
			if (send(fd, out.buf, out.len, 0) < 0) {
				fprintf(stderr, "dtcpc: send: %s\n", strerror(errno));
				return 1;
			}
			next++;
		}
		{
			struct pollfd p = { fd, POLLIN, 0 };
			ssize_t n;
			uint64_t seq;
			const char *sv;

			if (poll(&p, 1, 3000) <= 0) {
				fprintf(stderr, "dtcpc: bench: no answer for 3 s, %lu unanswered\n",
					next - done);
				break;
			}
			n = recv(fd, buf, sizeof(buf) - 1, 0);
			if (n <= 0)
				continue;
			t1 = now_us();
			if (dtcp_msg_parse(&m, buf, n) || !m.auth ||
			    !dtcp_hmac_verify(o->key, o->key_len, m.raw, m.signed_len, m.auth) ||
			    !(sv = dtcp_msg_value(&m, "Seq")) ||
			    dtcp_parse_u64(sv, UINT64_MAX, &seq) || seq < base || seq >= base + count) {
				bad++;
				continue;
			}
			lat[done++] = t1 - sent[seq - base];
			ok += m.code == 200;
		}
	}
	t1 = now_us();
	qsort(lat, done, sizeof(*lat), cmp_u64);
	printf("adds=%lu ok=%lu unverified=%lu seconds=%.3f adds_per_s=%.0f p50_us=%" PRIu64
	       " p99_us=%" PRIu64 "\n", done, ok, bad, (t1 - t0) / 1e6,
	       done ? done / ((t1 - t0) / 1e6) : 0.0, done ? lat[done / 2] : 0,
	       done ? lat[(done * 99) / 100 < done ? (done * 99) / 100 : done - 1] : 0);
	free(sent);
	free(lat);
	return done == count && ok == count ? 0 : 1;
}

int dfc_dtcpc_bench(struct dtcpc_opts *o, int argc, char **argv)
{
	uint64_t count = 1000, window = 1;
	const char *cdest = "cd1";
	struct sockaddr_storage bs;
	socklen_t blen;
	int c, bfd;

	while ((c = getopt(argc, argv, "N:W:d:")) != -1) {
		switch (c) {
		case 'N':
			if (!dfc_dtcpc_opt_u64('N', optarg, 1, BENCH_MAX, "a count", &count))
				return EXIT_USAGE;
			break;
		case 'W':
			if (!dfc_dtcpc_opt_u64('W', optarg, 1, 256, "a window", &window))
				return EXIT_USAGE;
			break;
		case 'd': cdest = optarg; break;
		default: dfc_dtcpc_usage(stderr); return EXIT_USAGE;
		}
	}
	if (!o->id || !o->key) {
		fprintf(stderr, "dtcpc: bench needs -i and -k\n");
		return EXIT_USAGE;
	}
	if (dfc_dtcpc_resolve(o->server, o->port, &bs, &blen))
		return EXIT_USAGE;
	bfd = socket(bs.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (bfd < 0 || connect(bfd, (struct sockaddr *)&bs, blen)) {
		fprintf(stderr, "dtcpc: %s\n", strerror(errno));
		return 1;
	}
	{
		int sz = 4 << 20;

		setsockopt(bfd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	return bench_run(o, bfd, count, window, cdest);
}
