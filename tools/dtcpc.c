// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dtcpc: a DTCP control source for operators and tests. It builds and
 * signs a request, keeps its Seq in a state file, sends it over UDP,
 * prints and verifies the answer (reassembling a LIST split over several
 * datagrams), and can listen for notifications and verify them.
 *
 *   dtcpc -s 192.0.2.1 -p 2400 -i cs1 -k secret ADD Cdest-ID=cd1 \
 *         Dest-Address=10.1.1.1 Timeout-Idle=600
 *   dtcpc -i cs1 -k secret listen -l 0.0.0.0:2100 -c 1
 *
 * Exit status: 0 an answer 200 OK (listen: every notification verified),
 * 1 another status, 2 usage, 3 no answer, 4 an answer that does not
 * verify (bad HMAC or Seq).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/socket.h>

#include "auth.h"
#include "key.h"
#include "msg.h"

#ifndef DFC_VERSION
#define DFC_VERSION "unknown"
#endif

#define EXIT_USAGE 2
#define EXIT_NOANSWER 3
#define EXIT_BADSIG 4

struct opts {
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

static void usage(FILE *f)
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

/*
 * Numbers on the command line: all of the argument, in range, or a usage
 * error that names the option (nothing is sent).
 */
#define WAIT_MAX 86400		/* seconds: -w; a poll() timeout in ms fits an int */
#define BENCH_MAX (1ul << 24)	/* bench -N: one source address each, 10.0.0.0/8 */

static bool opt_u64(int opt, const char *arg, uint64_t min, uint64_t max, const char *what,
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

	if (!opt_u64('p', arg, 1, 65535, "a port", &v))
		return false;
	*port = v;
	return true;
}

static bool opt_count(const char *arg, long *count)
{
	uint64_t v;

	if (!opt_u64('c', arg, 0, UINT32_MAX, "a count", &v))
		return false;
	*count = v;
	return true;
}

static int resolve(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV }, *ai;
	char ps[8];
	int err;

	snprintf(ps, sizeof(ps), "%u", port);
	err = getaddrinfo(host, ps, &hints, &ai);
	if (err) {
		fprintf(stderr, "dtcpc: %s: %s\n", host, gai_strerror(err));
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* "host:port" or "[v6]:port". */
static int split_hostport(const char *s, char *host, size_t size, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	unsigned long p;
	char *end;

	if (!colon)
		return -1;
	if (s[0] == '[' && colon > s && colon[-1] == ']')
		snprintf(host, size, "%.*s", (int)(colon - s - 2), s + 1);
	else
		snprintf(host, size, "%.*s", (int)(colon - s), s);
	p = strtoul(colon + 1, &end, 10);
	if (*end || !p || p > 65535)
		return -1;
	*port = p;
	return 0;
}

/* Next Seq from the state file, under a lock so concurrent runs never share one. */
static int next_seq(struct opts *o, uint64_t *seq)
{
	char path[512], buf[64];
	uint64_t last = 0;
	ssize_t n;
	int fd;

	if (o->state)
		snprintf(path, sizeof(path), "%s", o->state);
	else
		snprintf(path, sizeof(path), "%s/.dtcpc-%s.seq",
			 getenv("HOME") ? getenv("HOME") : "/tmp", o->id);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		fprintf(stderr, "dtcpc: state file %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		/* Not a Seq: starting over could replay one; the operator decides. */
		if (dtcp_parse_u64(buf, UINT64_MAX, &last)) {
			fprintf(stderr, "dtcpc: state file %s: not a Seq (a decimal number); "
				"remove it to start from the clock\n", path);
			close(fd);
			return -1;
		}
	} else if (!o->have_seq) {
		/* A new client: start from the clock so a fresh state file does not replay. */
		last = (uint64_t)time(NULL) * 1000;
	}
	*seq = o->have_seq ? o->seq : last + 1;
	n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", *seq);
	if (lseek(fd, 0, SEEK_SET) || ftruncate(fd, 0) || write(fd, buf, n) != n) {
		fprintf(stderr, "dtcpc: state file %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd); /* releases the lock */
	return 0;
}

/* NAME=VALUE or "Name: value" into the request. */
static int add_param(struct dtcp_out *out, const char *arg, bool *has_id, bool *has_seq)
{
	const char *eq = strchr(arg, '='), *colon = strchr(arg, ':');
	const char *sep = eq && (!colon || eq < colon) ? eq : colon;
	char name[128];
	const char *v;

	if (!sep || sep == arg || (size_t)(sep - arg) >= sizeof(name))
		return -1;
	snprintf(name, sizeof(name), "%.*s", (int)(sep - arg), arg);
	v = sep + 1;
	while (*v == ' ')
		v++;
	if (!strcasecmp(name, "Csource-ID"))
		*has_id = true;
	if (!strcasecmp(name, "Seq"))
		*has_seq = true;
	dtcp_out_param(out, name, "%s", v);
	return 0;
}

static bool verify(const struct opts *o, const struct dtcp_msg *m, const char *seq, char *why,
		   size_t size)
{
	const char *s = dtcp_msg_value(m, "Seq");

	if (!m->auth) {
		snprintf(why, size, "no Authentication-Info");
		return false;
	}
	if (!dtcp_hmac_verify(o->key, o->key_len, m->raw, m->signed_len, m->auth)) {
		snprintf(why, size, "bad Authentication-Info");
		return false;
	}
	if (seq && (!s || strcmp(s, seq))) {
		snprintf(why, size, "Seq %s, not %s", s ? s : "(none)", seq);
		return false;
	}
	return true;
}

static void print_msg(const struct opts *o, const char *buf, size_t len)
{
	if (o->quiet) {
		const char *nl = memchr(buf, '\n', len);

		printf("%.*s\n", (int)(nl ? nl - buf : (ptrdiff_t)len), buf);
		return;
	}
	/* As received, CRLF shown as LF. */
	for (size_t i = 0; i < len; i++)
		if (buf[i] != '\r')
			putchar(buf[i]);
}

static long ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000;
}

/*
 * Receive answers to our request until it is complete: one datagram, or
 * for LIST every entry 1..Criteria-Count (draft §6.1).
 */
static int receive(struct opts *o, int fd, const char *method, const char *seq)
{
	static char buf[DTCP_MSG_MAX + 1];
	static struct dtcp_msg m;
	bool list = !strcasecmp(method, "LIST"), *got = NULL;
	unsigned long total = 0, have = 0, cap = 0;
	unsigned int dgrams = 0, code = 0;
	struct timespec end;
	int rc = EXIT_NOANSWER;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (long)o->wait;
	end.tv_nsec += (long)((o->wait - (long)o->wait) * 1e9);
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long left = ms_left(&end);
		char why[128];
		ssize_t n;
		bool entries = false;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (dtcp_msg_parse(&m, buf, n) || m.kind != DTCP_K_STATUS) {
			printf("# ignored a datagram that is not a DTCP answer\n");
			continue;
		}
		print_msg(o, buf, n);
		if (!verify(o, &m, seq, why, sizeof(why))) {
			printf("# NOT VERIFIED: %s\n", why);
			free(got);
			return EXIT_BADSIG;
		}
		printf("# verified\n");
		dgrams++;
		code = m.code;
		rc = code == 200 ? 0 : 1;
		if (!list || code != 200)
			break;
		/* Entries are counted by Criteria-Num; Criteria-Count may be 0 until the last. */
		for (unsigned int i = 0; i < m.n; i++) {
			uint64_t v;

			if (dtcp_parse_u64(m.p[i].value, 1u << 24, &v))
				continue;
			if (!strcasecmp(m.p[i].name, "Criteria-Count") && v > total) {
				total = v;
			} else if (!strcasecmp(m.p[i].name, "Criteria-Num") && v) {
				entries = true;
				if (v >= cap) {
					unsigned long ncap = v * 2 + 16;
					bool *ng = realloc(got, ncap * sizeof(*ng));

					if (!ng)
						return 1;
					memset(ng + cap, 0, (ncap - cap) * sizeof(*ng));
					got = ng;
					cap = ncap;
				}
				if (!got[v]) {
					got[v] = true;
					have++;
				}
			}
		}
		/* No entries at all: the whole (empty) answer is this datagram. */
		if (!entries && !total)
			break;
		if (total && have >= total) {
			bool all = true;

			for (unsigned long k = 1; k <= total && all; k++)
				all = k < cap && got[k];
			if (all)
				break;
		}
	}
	if (list && code == 200) {
		if (total && have != total) {
			printf("# LIST incomplete: %lu of %lu entries in %u datagrams\n", have, total,
			       dgrams);
			rc = EXIT_NOANSWER;
		} else {
			printf("# LIST: %lu entries in %u datagrams\n", have, dgrams);
		}
	}
	if (!dgrams)
		fprintf(stderr, "dtcpc: no answer\n");
	free(got);
	return rc;
}

static int do_listen(struct opts *o)
{
	static char buf[DTCP_MSG_MAX + 1];
	static struct dtcp_msg m;
	struct sockaddr_storage ss;
	socklen_t len;
	char host[256];
	uint16_t port;
	long n = 0;
	int fd, rc = 0;

	if (!o->listen || split_hostport(o->listen, host, sizeof(host), &port)) {
		fprintf(stderr, "dtcpc: listen needs -l ADDR:PORT\n");
		return EXIT_USAGE;
	}
	if (resolve(host, port, &ss, &len))
		return EXIT_USAGE;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len)) {
		fprintf(stderr, "dtcpc: %s: %s\n", o->listen, strerror(errno));
		return 1;
	}
	printf("# listening on %s\n", o->listen);
	fflush(stdout);
	while (!o->count || n < o->count) {
		struct pollfd p = { fd, POLLIN, 0 };
		char why[128];
		ssize_t r;

		if (poll(&p, 1, o->wait > 0 ? (int)(o->wait * 1000) : -1) <= 0) {
			fprintf(stderr, "dtcpc: no notification\n");
			return n ? rc : EXIT_NOANSWER;
		}
		r = recv(fd, buf, sizeof(buf) - 1, 0);
		if (r <= 0)
			continue;
		buf[r] = '\0';
		n++;
		print_msg(o, buf, r);
		if (dtcp_msg_parse(&m, buf, r) || m.kind != DTCP_K_STATUS) {
			printf("# NOT VERIFIED: not a DTCP notification\n");
			rc = EXIT_BADSIG;
		} else if (!o->key) {
			printf("# not verified: no key given\n");
		} else if (!verify(o, &m, NULL, why, sizeof(why))) {
			printf("# NOT VERIFIED: %s\n", why);
			rc = EXIT_BADSIG;
		} else if (dtcp_msg_get(&m, "Seq")) {
			printf("# NOT VERIFIED: a notification carries no Seq\n");
			rc = EXIT_BADSIG;
		} else {
			printf("# verified\n");
		}
		fflush(stdout);
	}
	close(fd);
	return rc;
}


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
static int do_bench(struct opts *o, int fd, unsigned long count, unsigned int window,
		    const char *cdest)
{
	static char buf[DTCP_MSG_MAX + 1];
	static struct dtcp_msg m;
	static struct dtcp_out out;
	uint64_t *sent = calloc(count, sizeof(*sent)), *lat = calloc(count, sizeof(*lat));
	unsigned long next = 0, done = 0, ok = 0, bad = 0;
	uint64_t base, t0, t1;
	struct opts so = *o;

	if (!sent || !lat)
		return 1;
	/* Reserve count Seqs at once. */
	if (next_seq(&so, &base))
		return 1;
	so.have_seq = true;
	so.seq = base + count - 1;
	if (next_seq(&so, &t0))
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

/* A test client: a key file others may read is taken (dtcpd refuses one). */
static int read_key(struct opts *o, const char *file)
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

int main(int argc, char **argv)
{
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
	struct opts o = { .server = "127.0.0.1", .port = 2400, .ver = DTCP_VER_CUR, .wait = 2 };
	static struct dtcp_out out;
	struct sockaddr_storage ss;
	bool has_id = false, has_seq = false, raw;
	char seqtext[24] = "", vbuf[32];
	const char *method;
	socklen_t len;
	int c, fd;

	while ((c = getopt_long(argc, argv, "+s:p:b:i:k:K:S:q:v:w:uno:l:c:QVh", lo, NULL)) != -1) {
		switch (c) {
		case 's': o.server = optarg; break;
		case 'p': if (!opt_port(optarg, &o.port)) return EXIT_USAGE; break;
		case 'b': o.bind_addr = optarg; break;
		case 'i': o.id = optarg; break;
		case 'k': o.key = strdup(optarg); o.key_len = strlen(optarg); break;
		case 'K': if (read_key(&o, optarg)) return EXIT_USAGE; break;
		case 'S': o.state = optarg; break;
		case 'q':
			if (dtcp_parse_u64(optarg, UINT64_MAX, &o.seq)) {
				fprintf(stderr, "dtcpc: bad Seq '%s'\n", optarg);
				return EXIT_USAGE;
			}
			o.have_seq = true;
			break;
		case 'v':
			/* Whole: a version cut short by the buffer would be another. */
			snprintf(vbuf, sizeof(vbuf), "DTCP/%s", optarg);
			o.ver = strlen(optarg) + 5 < sizeof(vbuf) ? dtcp_ver_parse(vbuf) : -1;
			if (o.ver < 0) {
				fprintf(stderr, "dtcpc: bad version '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'w': if (!opt_wait(optarg, &o.wait)) return EXIT_USAGE; break;
		case 'u': o.upper = true; break;
		case 'n': o.no_sign = true; break;
		case 'o': o.out = optarg; break;
		case 'l': o.listen = optarg; break;
		case 'c': if (!opt_count(optarg, &o.count)) return EXIT_USAGE; break;
		case 'Q': o.quiet = true; break;
		case 'V': printf("dtcpc %s\n", DFC_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	method = argv[optind++];
	/* Options may also follow the method (getopt stops at it). */
	if (!strcmp(method, "listen")) {
		while ((c = getopt_long(argc, argv, "l:c:w:k:K:Q", lo, NULL)) != -1) {
			switch (c) {
			case 'l': o.listen = optarg; break;
			case 'c': if (!opt_count(optarg, &o.count)) return EXIT_USAGE; break;
			case 'w': if (!opt_wait(optarg, &o.wait)) return EXIT_USAGE; break;
			case 'k': o.key = strdup(optarg); o.key_len = strlen(optarg); break;
			case 'K': if (read_key(&o, optarg)) return EXIT_USAGE; break;
			case 'Q': o.quiet = true; break;
			default: usage(stderr); return EXIT_USAGE;
			}
		}
		return do_listen(&o);
	}
	if (!strcmp(method, "bench")) {
		uint64_t count = 1000, window = 1;
		const char *cdest = "cd1";
		struct sockaddr_storage bs;
		socklen_t blen;
		int bfd;

		while ((c = getopt(argc, argv, "N:W:d:")) != -1) {
			switch (c) {
			case 'N':
				if (!opt_u64('N', optarg, 1, BENCH_MAX, "a count", &count))
					return EXIT_USAGE;
				break;
			case 'W':
				if (!opt_u64('W', optarg, 1, 256, "a window", &window))
					return EXIT_USAGE;
				break;
			case 'd': cdest = optarg; break;
			default: usage(stderr); return EXIT_USAGE;
			}
		}
		if (!o.id || !o.key) {
			fprintf(stderr, "dtcpc: bench needs -i and -k\n");
			return EXIT_USAGE;
		}
		if (resolve(o.server, o.port, &bs, &blen))
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
		return do_bench(&o, bfd, count, window, cdest);
	}
	raw = !strcmp(method, "raw");
	if (!raw && (!o.id || (!o.key && !o.no_sign))) {
		fprintf(stderr, "dtcpc: -i ID and -k KEY (or -K FILE) are required\n");
		return EXIT_USAGE;
	}
	dtcp_out_init(&out, o.upper);
	if (raw) {
		FILE *f;
		size_t n;

		if (optind >= argc) {
			usage(stderr);
			return EXIT_USAGE;
		}
		f = strcmp(argv[optind], "-") ? fopen(argv[optind], "rb") : stdin;
		if (!f) {
			fprintf(stderr, "dtcpc: %s: %s\n", argv[optind], strerror(errno));
			return EXIT_USAGE;
		}
		n = fread(out.buf, 1, sizeof(out.buf) - 1, f);
		out.len = n;
		if (f != stdin)
			fclose(f);
		method = "raw";
	} else {
		uint64_t seq;

		dtcp_out_request(&out, method, o.ver);
		for (int i = optind; i < argc; i++) {
			if (add_param(&out, argv[i], &has_id, &has_seq)) {
				fprintf(stderr, "dtcpc: bad parameter '%s': NAME=VALUE or 'Name: value'\n",
					argv[i]);
				return EXIT_USAGE;
			}
		}
		if (!has_id)
			dtcp_out_param(&out, "Csource-ID", "%s", o.id);
		if (!has_seq) {
			if (next_seq(&o, &seq))
				return 1;
			snprintf(seqtext, sizeof(seqtext), "%" PRIu64, seq);
			dtcp_out_param(&out, "Seq", "%s", seqtext);
		}
		if (!o.no_sign)
			dtcp_out_sign(&out, o.key, o.key_len);
		else
			dtcp_out_raw(&out, "\r\n", 2);
	}
	if (out.overflow) {
		fprintf(stderr, "dtcpc: request too large\n");
		return EXIT_USAGE;
	}
	if (o.out) {
		FILE *f = fopen(o.out, "wb");

		if (!f || fwrite(out.buf, 1, out.len, f) != out.len || fclose(f)) {
			fprintf(stderr, "dtcpc: %s: %s\n", o.out, strerror(errno));
			return 1;
		}
	}
	if (resolve(o.server, o.port, &ss, &len))
		return EXIT_USAGE;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "dtcpc: socket: %s\n", strerror(errno));
		return 1;
	}
	{
		/* A LIST answer can be thousands of datagrams, sent faster than we read. */
		int sz = 8 << 20;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	if (o.bind_addr) {
		struct sockaddr_storage b;
		socklen_t blen;

		if (resolve(o.bind_addr, 0, &b, &blen) || bind(fd, (struct sockaddr *)&b, blen)) {
			fprintf(stderr, "dtcpc: bind %s: %s\n", o.bind_addr, strerror(errno));
			return 1;
		}
	}
	/* Connected: only the server's answers reach us. */
	if (connect(fd, (struct sockaddr *)&ss, len) || send(fd, out.buf, out.len, 0) < 0) {
		fprintf(stderr, "dtcpc: send: %s\n", strerror(errno));
		return 1;
	}
	if (o.wait <= 0)
		return 0;
	if (raw) {
		/* Whatever the bytes said; verify with the key if there is one. */
		static struct dtcp_msg m;

		if (dtcp_msg_parse(&m, out.buf, out.len) == 0 && dtcp_msg_value(&m, "Seq"))
			snprintf(seqtext, sizeof(seqtext), "%.23s", dtcp_msg_value(&m, "Seq"));
		if (!o.key) {
			o.key = strdup("");
			o.key_len = 0;
		}
		method = m.method;
	}
	return receive(&o, fd, method, seqtext[0] ? seqtext : NULL);
}
