// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The least a DTCP server can do per request, for make bench-dtcp: what
 * the protocol asks of any server, and nothing of dtcpd's. Requests are
 * read 64 at a time (recvmmsg), each one's HMAC-SHA1 is checked (the
 * bytes before its Authentication-Info line), and each authentic one is
 * answered "200 OK" with its Seq, signed, the burst's answers in one
 * sendmmsg. No parsing beyond those two lines, no criterion, no kernel,
 * no state: its CPU time per request is a floor under any server's cost
 * of an ADD, set beside nft's cost of an element. A benchmark instrument,
 * never a server to run: it keeps no Seq window and accepts replays.
 * Unauthentic requests get no answer, as from dtcpd.
 *
 *   bench_dtcp_floor ADDRESS PORT KEY
 *
 * Prints "port=N" once bound (PORT 0: one the kernel picks), then runs
 * until SIGTERM or SIGINT, and prints one line:
 *   requests=N answered=N unauthentic=N
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth.h"
#include "msg.h"

#define BURST 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * The value of line name (case-insensitive) in buf[0, len), its length in
 * *vlen and, if line_at, where its line starts; NULL if none.
 */
static const char *line_value(const char *buf, size_t len, const char *name, size_t *vlen,
			      size_t *line_at)
{
	size_t nlen = strlen(name);
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p), *v;

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nlen && p[nlen] == ':' && !strncasecmp(p, name, nlen)) {
			for (v = p + nlen + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
				;
			*vlen = eol - v;
			if (*vlen && v[*vlen - 1] == '\r')
				(*vlen)--;
			if (line_at)
				*line_at = p - buf;
			return v;
		}
		p = eol + 1;
	}
	return NULL;
}

/* The answer to one request into o; false if it gets none. */
static bool answer(struct dtcp_out *o, const char *req, size_t len, const char *key,
		   size_t key_len)
{
	char hex[DTCP_HMAC_HEX + 1];
	const char *auth, *seq;
	size_t alen, slen, auth_at;

	auth = line_value(req, len, "Authentication-Info", &alen, &auth_at);
	if (!auth || alen != DTCP_HMAC_HEX)
		return false;
	memcpy(hex, auth, DTCP_HMAC_HEX);
	hex[DTCP_HMAC_HEX] = '\0';
	if (!dtcp_hmac_verify(key, key_len, req, auth_at, hex))
		return false;
	seq = line_value(req, auth_at, "Seq", &slen, NULL);
	dtcp_out_init(o, false);
	dtcp_out_status(o, DTCP_VER_CUR, 200, "OK");
	if (seq)
		dtcp_out_param(o, "Seq", "%.*s", (int)slen, seq);
	dtcp_out_sign(o, key, key_len);
	return !o->overflow;	/* a signature that failed is no answer */
}

int main(int argc, char **argv)
{
	static char in[BURST][DTCP_MSG_MAX + 1];
	static struct dtcp_out out[BURST];
	struct sockaddr_in6 from[BURST];
	struct mmsghdr rm[BURST], sm[BURST];
	struct iovec riov[BURST], siov[BURST];
	unsigned long requests = 0, answered = 0, unauthentic = 0;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	struct sigaction sig = { .sa_handler = on_signal };
	const char *key;
	size_t key_len;
	char *end;
	long port;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_dtcp_floor ADDRESS PORT KEY\n");
		return 2;
	}
	port = strtol(argv[2], &end, 10);
	if (*end || end == argv[2] || port < 0 || port > 65535) {
		fprintf(stderr, "bench_dtcp_floor: bad port: %s\n", argv[2]);
		return 2;
	}
	sa.sin6_port = htons(port);
	if (inet_pton(AF_INET6, argv[1], &sa.sin6_addr) != 1) {
		struct in_addr a4;

		if (inet_pton(AF_INET, argv[1], &a4) != 1) {
			fprintf(stderr, "bench_dtcp_floor: bad address: %s\n", argv[1]);
			return 2;
		}
		sa.sin6_addr.s6_addr[10] = sa.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&sa.sin6_addr.s6_addr[12], &a4, 4);
	}
	key = argv[3];
	key_len = strlen(key);
	/* No SA_RESTART: a signal ends the wait in recvmmsg(). */
	sigaction(SIGTERM, &sig, NULL);
	sigaction(SIGINT, &sig, NULL);
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){ 0 }, sizeof(int)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "bench_dtcp_floor: %s:%ld: %s\n", argv[1], port, strerror(errno));
		return 1;
	}
	if (getsockname(fd, (struct sockaddr *)&sa, &(socklen_t){ sizeof(sa) })) {
		fprintf(stderr, "bench_dtcp_floor: getsockname: %s\n", strerror(errno));
		return 1;
	}
	printf("port=%u\n", ntohs(sa.sin6_port));
	fflush(stdout);
	while (!stop) {
		int n, k = 0;

		for (int i = 0; i < BURST; i++) {
			riov[i] = (struct iovec){ in[i], DTCP_MSG_MAX };
			rm[i].msg_hdr = (struct msghdr){ .msg_name = &from[i],
							 .msg_namelen = sizeof(from[i]),
							 .msg_iov = &riov[i], .msg_iovlen = 1 };
		}
		n = recvmmsg(fd, rm, BURST, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "bench_dtcp_floor: recvmmsg: %s\n", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			requests++;
			if (!answer(&out[k], in[i], rm[i].msg_len, key, key_len)) {
				unauthentic++;
				continue;
			}
			siov[k] = (struct iovec){ out[k].buf, out[k].len };
			sm[k].msg_hdr = (struct msghdr){ .msg_name = &from[i],
							 .msg_namelen = rm[i].msg_hdr.msg_namelen,
							 .msg_iov = &siov[k], .msg_iovlen = 1 };
			k++;
		}
		for (int i = 0; i < k;) {
			int s = sendmmsg(fd, sm + i, k - i, 0);

			if (s < 0) {
				if (errno == EINTR)
					continue;
				fprintf(stderr, "bench_dtcp_floor: sendmmsg: %s\n", strerror(errno));
				return 1;
			}
			i += s;
			answered += s;
		}
	}
	printf("requests=%lu answered=%lu unauthentic=%lu\n", requests, answered, unauthentic);
	close(fd);
	return 0;
}
