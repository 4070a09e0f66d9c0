// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dtcpc's command line: the options before the method, and those listen
 * also takes after it. Numbers are all of the argument, in range, or a
 * usage error that names the option (nothing is sent).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dtcpc.h"
#include "key.h"

#ifndef DFC_VERSION
#define DFC_VERSION "unknown"
#endif

#define WAIT_MAX 86400		/* seconds: -w; a poll() timeout in ms fits an int */

static const struct option lo[] = {
	{ "server", required_argument, NULL, 's' }, { "port", required_argument, NULL, 'p' },
	{ "bind", required_argument, NULL, 'b' }, { "id", required_argument, NULL, 'i' },
	{ "key", required_argument, NULL, 'k' }, { "key-file", required_argument, NULL, 'K' },
	{ "state", required_argument, NULL, 'S' }, { "seq", required_argument, NULL, 'q' },
	{ "dtcp-version", required_argument, NULL, 'v' },
	{ "wait", required_argument, NULL, 'w' }, { "upper", no_argument, NULL, 'u' },
	{ "no-sign", no_argument, NULL, 'n' }, { "out", required_argument, NULL, 'o' },
	{ "listen", required_argument, NULL, 'l' }, { "count", required_argument, NULL, 'c' },
	{ "quiet", no_argument, NULL, 'Q' }, { "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void dfc_dtcpc_usage(FILE *f)
{
	fprintf(f,
		"Usage: dtcpc [OPTIONS] METHOD [NAME=VALUE | 'Name: value']...\n"
		"       dtcpc [OPTIONS] listen [-l ADDR:PORT] [-c COUNT]   (verified when a key is given)\n"
		"       dtcpc [OPTIONS] raw FILE|-   (send bytes as they are: replays, fuzz)\n"
		"       dtcpc [OPTIONS] bench [-N COUNT] [-W WINDOW] [-d CDEST]\n"
		"             COUNT Static ADDs (distinct sources), WINDOW in flight; prints\n"
		"             adds, seconds, adds_per_s, p50_us, p99_us (answers verified)\n\n"
		"Options:\n"
		"  -s, --server ADDR       dtcpd address (default 127.0.0.1; IPv6 too)\n"
		"  -p, --port PORT         service port (default 2400)\n"
		"  -b, --bind ADDR         local address to send from\n"
		"  -i, --id ID             Csource-ID\n"
		"  -k, --key KEY           shared key\n"
		"  -K, --key-file FILE     shared key from FILE (a final newline is not key)\n"
		"  -S, --state FILE        Seq state file (default ~/.dtcpc-ID.seq)\n"
		"  -q, --seq N             send Seq N (and remember it)\n"
		"  -v, --dtcp-version V    request version (default 0.7)\n"
		"  -w, --wait SECONDS      how long to wait for answers (default 2; listen: 0 = forever)\n"
		"  -u, --upper             parameter names in upper case, as Junos clients write them\n"
		"  -n, --no-sign           leave out Authentication-Info\n"
		"  -o, --out FILE          also write the request's exact bytes to FILE\n"
		"  -l, --listen ADDR:PORT  listen: where notifications arrive\n"
		"  -c, --count N           listen: stop after N notifications\n"
		"  -Q, --quiet             print only the status line of each answer\n"
		"  -V, --version           print the version\n"
		"Answers are printed as received, then '# verified' or '# NOT VERIFIED: why'.\n");
}

bool dfc_dtcpc_opt_u64(int opt, const char *arg, uint64_t min, uint64_t max, const char *what,
		       uint64_t *out)
{
	uint64_t v;

	if (dtcp_parse_u64(arg, max, &v) || v < min) {
		fprintf(stderr, "dtcpc: -%c: '%s' is not %s (%" PRIu64 "..%" PRIu64 ")\n", opt,
			arg, what, min, max);
		return false;
	}
	*out = v;
	return true;
}

/* Seconds: decimal digits with at most one point ("2", "0.5", ".5", "1."), 0..WAIT_MAX. */
static bool opt_wait(const char *arg, double *out)
{
	size_t ip = strspn(arg, "0123456789"), fp = 0;
	const char *f = arg + ip;
	double v;

	if (*f == '.') {
		fp = strspn(f + 1, "0123456789");
		f += 1 + fp;
	}
	if (!*f && (ip || fp)) {
		errno = 0;
		v = strtod(arg, NULL);
		if (!errno && isfinite(v) && v <= WAIT_MAX) {
			*out = v;
			return true;
		}
	}
	fprintf(stderr, "dtcpc: -w: '%s' is not a number of seconds (0..%d, fractions "
		"allowed)\n", arg, WAIT_MAX);
	return false;
}

static bool opt_port(const char *arg, uint16_t *port)
{
	uint64_t v;

	if (!dfc_dtcpc_opt_u64('p', arg, 1, 65535, "a port", &v))
		return false;
	*port = v;
	return true;
}

static bool opt_count(const char *arg, long *count)
{
	uint64_t v;

	if (!dfc_dtcpc_opt_u64('c', arg, 0, UINT32_MAX, "a count", &v))
		return false;
	*count = v;
	return true;
}

/* A test client: a key file others may read is taken (dtcpd refuses one). */
static int read_key(struct dtcpc_opts *o, const char *file)
{
	uint8_t *key;
	size_t len;
	char why[256];

	if (dtcp_key_read(file, false, &key, &len, why, sizeof(why))) {
		fprintf(stderr, "dtcpc: %s: %s\n", file, why);
		return -1;
	}
	dtcp_key_free(o->key, o->key_len);
	o->key = (char *)key;
	o->key_len = len;
	return 0;
}

int dfc_dtcpc_opts_parse(struct dtcpc_opts *o, int argc, char **argv)
{
	char vbuf[32];
	int c;

	while ((c = getopt_long(argc, argv, "+s:p:b:i:k:K:S:q:v:w:uno:l:c:QVh", lo, NULL)) != -1) {
		switch (c) {
		case 's': o->server = optarg; break;
		case 'p': if (!opt_port(optarg, &o->port)) return EXIT_USAGE; break;
		case 'b': o->bind_addr = optarg; break;
		case 'i': o->id = optarg; break;
		case 'k': o->key = strdup(optarg); o->key_len = strlen(optarg); break;
		case 'K': if (read_key(o, optarg)) return EXIT_USAGE; break;
		case 'S': o->state = optarg; break;
		case 'q':
			if (dtcp_parse_u64(optarg, UINT64_MAX, &o->seq)) {
				fprintf(stderr, "dtcpc: bad Seq '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o->have_seq = true;
			break;
		case 'v':
			/* Whole: a version cut short by the buffer would be another. */
			snprintf(vbuf, sizeof(vbuf), "DTCP/%s", optarg);
			o->ver = strlen(optarg) + 5 < sizeof(vbuf) ? dtcp_ver_parse(vbuf) : -1;
			if (o->ver < 0) {
				fprintf(stderr, "dtcpc: bad version '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'w': if (!opt_wait(optarg, &o->wait)) return EXIT_USAGE; break;
		case 'u': o->upper = true; break;
		case 'n': o->no_sign = true; break;
		case 'o': o->out = optarg; break;
		case 'l': o->listen = optarg; break;
		case 'c': if (!opt_count(optarg, &o->count)) return EXIT_USAGE; break;
		case 'Q': o->quiet = true; break;
		case 'V': printf("dtcpc %s\n", DFC_VERSION); return 0;
		case 'h': dfc_dtcpc_usage(stdout); return 0;
		default: dfc_dtcpc_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		dfc_dtcpc_usage(stderr);
		return EXIT_USAGE;
	}
	return -1;
}

/* Options may also follow the method listen (getopt stops at it). */
int dfc_dtcpc_opts_listen(struct dtcpc_opts *o, int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "l:c:w:k:K:Q", lo, NULL)) != -1) {
		switch (c) {
		case 'l': o->listen = optarg; break;
		case 'c': if (!opt_count(optarg, &o->count)) return EXIT_USAGE; break;
		case 'w': if (!opt_wait(optarg, &o->wait)) return EXIT_USAGE; break;
		case 'k': o->key = strdup(optarg); o->key_len = strlen(optarg); break;
		case 'K': if (read_key(o, optarg)) return EXIT_USAGE; break;
		case 'Q': o->quiet = true; break;
		default: dfc_dtcpc_usage(stderr); return EXIT_USAGE;
		}
	}
	return -1;
}
