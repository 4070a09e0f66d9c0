// SPDX-License-Identifier: GPL-2.0 OR MIT
/* dtcpc: the answers to a request, printed as received and verified. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "dtcpc.h"

bool dfc_dtcpc_verify(const struct dtcpc_opts *o, const struct dtcp_msg *m, const char *seq,
		      char *why, size_t size)
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

void dfc_dtcpc_print(const struct dtcpc_opts *o, const char *buf, size_t len)
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
int dfc_dtcpc_receive(struct dtcpc_opts *o, int fd, const char *method, const char *seq)
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
		dfc_dtcpc_print(o, buf, n);
		if (!dfc_dtcpc_verify(o, &m, seq, why, sizeof(why))) {
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
