// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dfcctl agent: dtcpd's state, through its control socket.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "dfcctl.h"

/* ---- agent: dtcpd's control socket ---- */

/*
 * dtcpd keeps the state of the DTCP control sources (Seq windows, request
 * and drop counters); it is read through dtcpd's root-only control socket
 * (JSON lines, docs/dtcpd.md), not from the module.
 */

/* dtcpd answers from its event loop right away: longer than this, it is stuck. */
#define AGENT_TIMEOUT_MS 10000

static const char *agent_path(const struct ctl *c)
{
	return c->socket ? c->socket : DTCPD_SOCKET;
}

static int agent_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	int fd, err;

	if (len >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, len + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* Read up to the first newline: the reply line, NUL-terminated (malloc'd), or NULL and errno. */
static char *agent_read_line(int fd)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *nl = NULL;

	while (!nl) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int r;

		if (cap - len < 4096) {
			char *b = realloc(buf, cap ? 2 * cap : 16384);

			if (!b)
				goto fail_errno;
			buf = b;
			cap = cap ? 2 * cap : 16384;
		}
		r = poll(&pfd, 1, AGENT_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (!r)
				errno = ETIMEDOUT;
			goto fail_errno;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail_errno;
		if (!n) {
			/* dtcpd drops a client whose reply it cannot write whole */
			errno = len ? EPIPE : ECONNRESET;
			goto fail_errno;
		}
		buf[len + n] = '\0';
		nl = memchr(buf + len, '\n', n);
		len += n;
	}
	*nl = '\0';
	return buf;

fail_errno:
	free(buf);
	return NULL;
}

/* fprintf() to f, or nothing without one. */
static void say_f(FILE *f, const char *fmt, ...)
{
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

/*
 * One request (taken: freed here) and its reply, an object with "ok":
 * true. NULL after saying on stderr what went wrong, unless quiet: no
 * agent, a failed request (dtcpd's "error"), or a reply that is not one.
 */
static json_t *agent_call_as(struct ctl *c, json_t *req, bool quiet)
{
	FILE *say = quiet ? NULL : stderr;
	const char *path = agent_path(c);
	char *line = req ? json_dumps(req, JSON_COMPACT) : NULL, *text = NULL;
	json_t *rep = NULL;
	json_error_t jerr;
	size_t len, off = 0;
	int fd = -1;

	json_decref(req);
	if (!line) {
		fprintf(stderr, "dfcctl: json: %s\n", strerror(ENOMEM));
		return NULL;
	}
	if (!quiet && !ctl_go(c))
		goto out;
	fd = agent_connect(path);
	if (fd < 0) {
		int err = errno;

		say_f(say, "dfcctl: agent: %s: %s%s\n", path, strerror(err),
			err == ENOENT || err == ECONNREFUSED ?
			" (is dtcpd running? its control-socket may be elsewhere: -S PATH)" :
			err == EACCES ? " (the control socket is root-only)" : "");
		goto out;
	}
	len = strlen(line);
	line[len++] = '\n'; /* over the NUL: line is sent by length */
	while (off < len) {
		ssize_t n = send(fd, line + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			say_f(say, "dfcctl: agent: %s: %s\n", path, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	text = agent_read_line(fd);
	if (!text) {
		say_f(say, "dfcctl: agent: %s: %s\n", path,
			errno == EPIPE ? "dtcpd closed the connection in the middle of its reply" :
			errno == ECONNRESET ? "dtcpd closed the connection without a reply" :
			strerror(errno));
		goto out;
	}
	rep = json_loads(text, 0, &jerr);
	if (!json_is_object(rep)) {
		say_f(say, "dfcctl: agent: %s: not a reply: %s\n", path,
			rep ? "not an object" : jerr.text);
		json_decref(rep);
		rep = NULL;
	} else if (!json_is_true(json_object_get(rep, "ok"))) {
		const char *e = json_string_value(json_object_get(rep, "error"));

		say_f(say, "dfcctl: agent %s: %s\n", c->cmd->verb, e ? e : "failed");
		json_decref(rep);
		rep = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	free(line);
	free(text);
	return rep;
}

static json_t *agent_call(struct ctl *c, json_t *req)
{
	return agent_call_as(c, req, false);
}

/* {"cmd": cmd} or, with a source, {"cmd": cmd, "source": source}. */
static json_t *agent_req(const char *cmd, const char *source)
{
	return source ? json_pack("{s:s, s:s}", "cmd", cmd, "source", source) :
			json_pack("{s:s}", "cmd", cmd);
}

void agent_owner_names(struct ctl *c, void (*cb)(uint32_t owner, const char *id, void *data),
		       void *data)
{
	json_t *rep = agent_call_as(c, agent_req("sources", NULL), true);
	json_t *a = json_object_get(rep, "sources"), *o;
	size_t i;

	json_array_foreach(a, i, o) {
		json_t *owner = json_object_get(o, "owner");
		const char *id = json_string_value(json_object_get(o, "id"));

		if (id && json_is_integer(owner) && json_integer_value(owner) >= 0 &&
		    json_integer_value(owner) <= UINT32_MAX)
			cb((uint32_t)json_integer_value(owner), id, data);
	}
	json_decref(rep);
}

/* A member that should hold an array in a successful reply. */
static json_t *agent_array(const struct ctl *c, json_t *rep, const char *key)
{
	json_t *a = json_object_get(rep, key);

	if (!json_is_array(a))
		fprintf(stderr, "dfcctl: agent %s: the reply has no \"%s\" list\n",
			c->cmd->verb, key);
	return json_is_array(a) ? a : NULL;
}

static const char *jstr(const json_t *o, const char *key, const char *def)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : def;
}

static uint64_t jnum(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

/* The sum of an object's counters (requests by method, drops by cause, ...). */
static uint64_t jsum(const json_t *o)
{
	const char *k;
	uint64_t s = 0;
	json_t *v;

	json_object_foreach((json_t *)o, k, v)
		s += jnum(o, k);
	return s;
}

/* "total" and, if any counts, " (name n, ...)" with the causes that count. */
static void fmt_counts(char *buf, size_t size, const json_t *o)
{
	size_t n = (size_t)snprintf(buf, size, "%" PRIu64, jsum(o));
	unsigned int k = 0;
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		if (!jnum(o, key) || n >= size)
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%s %" PRIu64, k++ ? ", " : " (", key,
				      jnum(o, key));
	}
	if (k && n < size)
		snprintf(buf + n, size - n, ")");
}

/* "  label: name n name n ..." in the agent's order. */
static void print_counts(const char *label, const json_t *o)
{
	const char *key;
	json_t *v;

	if (!json_is_object(o))
		return;
	printf("  %s:", label);
	json_object_foreach((json_t *)o, key, v)
		printf(" %s %" PRIu64, key, jnum(o, key));
	putchar('\n');
}

#define ACELL 256

/*
 * A table of n rows of ncols cells (row-major, ACELL each): columns fitted
 * to the data, numbers right-aligned, text (left[c]) left-aligned, the
 * last column not padded.
 */
static void table_print(const char *const *head, const bool *left, int ncols,
			char (*cell)[ACELL], size_t n)
{
	int width[16];

	for (int c = 0; c < ncols && c < 16; c++) {
		width[c] = (int)strlen(head[c]);
		for (size_t i = 0; i < n; i++)
			if ((int)strlen(cell[i * ncols + c]) > width[c])
				width[c] = (int)strlen(cell[i * ncols + c]);
	}
	for (size_t i = 0; i <= n; i++) {
		for (int c = 0; c < ncols && c < 16; c++) {
			const char *s = i ? cell[(i - 1) * ncols + c] : head[c];

			if (c == ncols - 1)
				printf("%s%s", c ? "  " : "", s);
			else
				printf("%s%*s", c ? "  " : "", left[c] ? -width[c] : width[c], s);
		}
		putchar('\n');
	}
}

enum { AS_ID, AS_GROUP, AS_ADDRS, AS_PORT, AS_SEQ, AS_CRITS, AS_REQS, AS_2XX, AS_4XX, AS_5XX,
	AS_9XX, AS_NOTIF, AS_DROPS, AS_N };

static void agent_src_cells(char cell[AS_N][ACELL], const json_t *s)
{
	static const char *const classes[] = { "2xx", "4xx", "5xx", "9xx" };
	const json_t *addrs = json_object_get(s, "addresses"), *port = json_object_get(s, "port");
	const json_t *ans = json_object_get(s, "answers");
	size_t n = 0, i;
	json_t *a;

	snprintf(cell[AS_ID], ACELL, "%s", jstr(s, "id", "?"));
	/* a source removed from the configuration has no group, addresses or port */
	snprintf(cell[AS_GROUP], ACELL, "%s", jstr(s, "group", "-"));
	if (!json_is_array(addrs))
		snprintf(cell[AS_ADDRS], ACELL, "-");
	else if (!json_array_size(addrs))
		snprintf(cell[AS_ADDRS], ACELL, "any");
	else
		json_array_foreach(addrs, i, a) {
			const char *t = json_string_value(a);

			if (n < ACELL && t)
				n += (size_t)snprintf(cell[AS_ADDRS] + n, ACELL - n, "%s%s",
						      i ? "," : "", t);
		}
	if (json_is_integer(port))
		snprintf(cell[AS_PORT], ACELL, "%" PRIu64, jnum(s, "port"));
	else
		snprintf(cell[AS_PORT], ACELL, "-");
	snprintf(cell[AS_SEQ], ACELL, "%s", jstr(s, "seq_text", "-")); /* none before the first request */
	snprintf(cell[AS_CRITS], ACELL, "%" PRIu64, jnum(s, "criteria"));
	snprintf(cell[AS_REQS], ACELL, "%" PRIu64, jsum(json_object_get(s, "requests")));
	for (int k = 0; k < 4; k++) {
		if (json_is_object(ans))
			snprintf(cell[AS_2XX + k], ACELL, "%" PRIu64, jnum(ans, classes[k]));
		else
			snprintf(cell[AS_2XX + k], ACELL, "-"); /* a dtcpd that does not count them */
	}
	snprintf(cell[AS_NOTIF], ACELL, "%" PRIu64, jsum(json_object_get(s, "notifications")));
	fmt_counts(cell[AS_DROPS], ACELL, json_object_get(s, "drops"));
}

static void agent_src_table(const json_t *srcs)
{
	static const char *const head[AS_N] = {
		"SOURCE", "GROUP", "ADDRESSES", "PORT", "SEQ", "CRITS", "REQUESTS", "2XX", "4XX",
		"5XX", "9XX", "NOTIFIED", "DROPS",
	};
	static const bool left[AS_N] = { [AS_ID] = true, [AS_GROUP] = true, [AS_ADDRS] = true,
					 [AS_DROPS] = true };
	size_t n = json_array_size(srcs), i;
	char (*cell)[ACELL] = calloc(n * AS_N + 1, ACELL);
	json_t *s;

	if (!cell) {
		fprintf(stderr, "dfcctl: %s\n", strerror(ENOMEM));
		return;
	}
	json_array_foreach(srcs, i, s)
		agent_src_cells(cell + i * AS_N, s);
	table_print(head, left, AS_N, cell, n);
	free(cell);
}

/* Below the table of one source: its counters one by one. */
static void agent_src_details(const json_t *s)
{
	printf("  owner %" PRIu64 "  notification targets %" PRIu64 "  static criteria %" PRIu64
	       "  added %" PRIu64 "  add failed %" PRIu64 "\n", jnum(s, "owner"),
	       jnum(s, "notification_targets"), jnum(s, "criteria_static"), jnum(s, "added"),
	       jnum(s, "add_failed"));
	print_counts("requests", json_object_get(s, "requests"));
	print_counts("failed", json_object_get(s, "failed"));
	print_counts("answers", json_object_get(s, "answers"));
	print_counts("drops", json_object_get(s, "drops"));
	print_counts("notifications", json_object_get(s, "notifications"));
	print_counts("deleted", json_object_get(s, "deleted"));
}

int cmd_agent_show(struct ctl *c, int argc, char **argv)
{
	const char *source = argc ? argv[0] : NULL;
	json_t *rep, *srcs;
	int ret = EXIT_FAILURE;

	if (argc > 1)
		return bad_usage(c);
	rep = agent_call(c, agent_req("sources", source));
	srcs = rep ? agent_array(c, rep, "sources") : NULL;
	if (srcs && c->json) {
		ret = print_json(json_incref(srcs));
	} else if (srcs) {
		agent_src_table(srcs);
		if (source && json_array_size(srcs) == 1)
			agent_src_details(json_array_get(srcs, 0));
		ret = 0;
	}
	json_decref(rep);
	return ret;
}

/* s for one line of text: a control character (a name from the file may have one) becomes '?'. */
static const char *printable(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

/* The capture groups' interfaces, one line each: attached (ifindex), absent, or failed (why). */
static void agent_ifaces_print(const json_t *a)
{
	size_t i;
	json_t *o;

	if (!json_is_array(a))
		return; /* a dtcpd that does not report them */
	printf("  interfaces:%s\n", json_array_size(a) ? "" : " none");
	json_array_foreach(a, i, o) {
		const char *st = jstr(o, "state", "?");
		char n[ACELL], g[ACELL], e[ACELL];

		printf("    %s (group %s): %s", printable(jstr(o, "name", "?"), n, sizeof(n)),
		       printable(jstr(o, "group", "?"), g, sizeof(g)), printable(st, e, sizeof(e)));
		if (!strcmp(st, "attached"))
			printf(", ifindex %" PRIu64, jnum(o, "ifindex"));
		else if (json_is_string(json_object_get(o, "error")))
			printf(": %s", printable(jstr(o, "error", ""), e, sizeof(e)));
		putchar('\n');
	}
}

/* DTCP over SSH: the relay's socket, its counters, one line per session. */
static void agent_ssh_print(const json_t *o)
{
	char l[ACELL], f[ACELL], src[ACELL], since[ACELL];
	size_t i;
	json_t *x;

	if (!json_is_object(o))
		return; /* off, or a dtcpd without it */
	printf("  ssh: socket %s\n", printable(jstr(o, "socket", "(closed)"), l, sizeof(l)));
	print_counts("ssh counters", json_object_get(o, "counters"));
	printf("  ssh sessions:%s\n", json_array_size(json_object_get(o, "sessions")) ? "" : " none");
	json_array_foreach(json_object_get(o, "sessions"), i, x)
		printf("    %" PRIu64 " login %s from %s source %s since %s: %" PRIu64 " in, %" PRIu64
		       " out, %" PRIu64 " dropped\n", jnum(x, "id"),
		       printable(jstr(x, "login", "?"), l, sizeof(l)),
		       printable(jstr(x, "from", "?"), f, sizeof(f)),
		       *jstr(x, "source", "") ? printable(jstr(x, "source", ""), src, sizeof(src)) : "-",
		       printable(jstr(x, "since", "?"), since, sizeof(since)), jnum(x, "received"),
		       jnum(x, "sent"), jnum(x, "dropped"));
}

int cmd_agent_status(struct ctl *c, int argc, char **argv)
{
	json_t *rep;

	(void)argv;
	if (argc)
		return bad_usage(c);
	rep = agent_call(c, agent_req("status", NULL));
	if (!rep)
		return EXIT_FAILURE;
	if (c->json) {
		json_object_del(rep, "ok");
		return print_json(rep);
	}
	printf("dtcpd %s  pid %" PRIu64 "  config %s\n",
	       jstr(rep, "version", "?"), jnum(rep, "pid"), jstr(rep, "config", "?"));
	printf("  sources %" PRIu64 "  criteria %" PRIu64 "  next criteria id %" PRIu64 "\n",
	       jnum(rep, "sources"), jnum(rep, "criteria"), jnum(rep, "next_criteria_id"));
	print_counts("counters", json_object_get(rep, "counters"));
	agent_ifaces_print(json_object_get(rep, "interfaces"));
	agent_ssh_print(json_object_get(rep, "ssh"));
	json_decref(rep);
	return 0;
}

enum { AC_ID, AC_CDEST, AC_PRIO, AC_FLAGS, AC_ADDED, AC_FROM, AC_BW, AC_N };

static void agent_crit_cells(char cell[AC_N][ACELL], const json_t *o)
{
	bool st = json_is_true(json_object_get(o, "static"));
	bool as = json_is_true(json_object_get(o, "send_async"));

	snprintf(cell[AC_ID], ACELL, "%" PRIu64, jnum(o, "id"));
	snprintf(cell[AC_CDEST], ACELL, "%s", jstr(o, "cdest", "-"));
	snprintf(cell[AC_PRIO], ACELL, "%" PRIu64, jnum(o, "priority"));
	snprintf(cell[AC_FLAGS], ACELL, "%s", st && as ? "static,async" : st ? "static" :
		 as ? "async" : "-");
	snprintf(cell[AC_ADDED], ACELL, "%s", jstr(o, "added", "-"));
	snprintf(cell[AC_FROM], ACELL, "%s", jstr(o, "from", "-"));
	fmt_rate(cell[AC_BW], ACELL, jnum(o, "average_bandwidth"));
}

int cmd_agent_criteria(struct ctl *c, int argc, char **argv)
{
	static const char *const head[AC_N] = {
		"ID", "CDEST", "PRIO", "FLAGS", "ADDED", "FROM", "RATE",
	};
	static const bool left[AC_N] = { [AC_CDEST] = true, [AC_FLAGS] = true, [AC_ADDED] = true,
					 [AC_FROM] = true };
	json_t *rep, *crits, *o;
	char (*cell)[ACELL];
	int ret = EXIT_FAILURE;
	size_t n, i;

	if (argc != 1)
		return bad_usage(c);
	rep = agent_call(c, agent_req("criteria", argv[0]));
	crits = rep ? agent_array(c, rep, "criteria") : NULL;
	if (crits && c->json) {
		ret = print_json(json_incref(crits));
	} else if (crits) {
		n = json_array_size(crits);
		cell = calloc(n * AC_N + 1, ACELL);
		if (cell) {
			json_array_foreach(crits, i, o)
				agent_crit_cells(cell + i * AC_N, o);
			table_print(head, left, AC_N, cell, n);
			free(cell);
			ret = 0;
		} else {
			fprintf(stderr, "dfcctl: %s\n", strerror(ENOMEM));
		}
	}
	json_decref(rep);
	return ret;
}

int cmd_agent_seq_reset(struct ctl *c, int argc, char **argv)
{
	json_t *rep;
	int ret;

	if (argc != 1)
		return bad_usage(c);
	rep = agent_call(c, agent_req("seq-reset", argv[0]));
	ret = rep ? 0 : EXIT_FAILURE;
	json_decref(rep);
	return ret;
}

int cmd_agent_reload(struct ctl *c, int argc, char **argv)
{
	json_t *rep;
	int ret;

	(void)argv;
	if (argc)
		return bad_usage(c);
	rep = agent_call(c, agent_req("reload", NULL));
	ret = rep ? 0 : EXIT_FAILURE;
	json_decref(rep);
	return ret;
}
