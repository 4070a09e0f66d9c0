// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dtcpc METHOD or raw: the request built from the words after the method
 * (or a file's bytes as they are), signed, sent over UDP from a connected
 * socket; then its answers (answer.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth.h"
#include "dtcpc.h"

int dfc_dtcpc_resolve(const char *host, uint16_t port, struct sockaddr_storage *ss,
		      socklen_t *len)
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

/* raw: the bytes of FILE (- for stdin) as they are. */
static int read_raw(struct dtcp_out *out, int argc, char **argv)
{
	FILE *f;

	if (optind >= argc) {
		dfc_dtcpc_usage(stderr);
		return EXIT_USAGE;
	}
	f = strcmp(argv[optind], "-") ? fopen(argv[optind], "rb") : stdin;
	if (!f) {
		fprintf(stderr, "dtcpc: %s: %s\n", argv[optind], strerror(errno));
		return EXIT_USAGE;
	}
	out->len = fread(out->buf, 1, sizeof(out->buf) - 1, f);
	if (f != stdin)
		fclose(f);
	return 0;
}

/* METHOD and its parameters, Csource-ID and the next Seq unless given, signed unless -n. */
static int build(struct dtcpc_opts *o, struct dtcp_out *out, const char *method, int argc,
		 char **argv, char *seqtext, size_t size)
{
	bool has_id = false, has_seq = false;
	uint64_t seq;

	dtcp_out_request(out, method, o->ver);
	for (int i = optind; i < argc; i++) {
		if (add_param(out, argv[i], &has_id, &has_seq)) {
			fprintf(stderr, "dtcpc: bad parameter '%s': NAME=VALUE or 'Name: value'\n",
				argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!has_id)
		dtcp_out_param(out, "Csource-ID", "%s", o->id);
	if (!has_seq) {
		if (dfc_dtcpc_seq_next(o, &seq))
			return 1;
		snprintf(seqtext, size, "%" PRIu64, seq);
		dtcp_out_param(out, "Seq", "%s", seqtext);
	}
	if (!o->no_sign)
		dtcp_out_sign(out, o->key, o->key_len);
	else
		dtcp_out_raw(out, "\r\n", 2);
	return 0;
}

/* A socket connected to the server (from -b's address): only its answers reach us. */
static int send_out(const struct dtcpc_opts *o, const struct dtcp_out *out, int *fdp)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	if (dfc_dtcpc_resolve(o->server, o->port, &ss, &len))
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
	if (o->bind_addr) {
		struct sockaddr_storage b;
		socklen_t blen;

		if (dfc_dtcpc_resolve(o->bind_addr, 0, &b, &blen) ||
		    bind(fd, (struct sockaddr *)&b, blen)) {
			fprintf(stderr, "dtcpc: bind %s: %s\n", o->bind_addr, strerror(errno));
			return 1;
		}
	}
	if (connect(fd, (struct sockaddr *)&ss, len) || send(fd, out->buf, out->len, 0) < 0) {
		fprintf(stderr, "dtcpc: send: %s\n", strerror(errno));
		return 1;
	}
	*fdp = fd;
	return 0;
}

int dfc_dtcpc_request(struct dtcpc_opts *o, const char *method, int argc, char **argv)
{
	static struct dtcp_out out;
	bool raw = !strcmp(method, "raw");
	char seqtext[24] = "";
	int rc, fd;

	if (!raw && (!o->id || (!o->key && !o->no_sign))) {
		fprintf(stderr, "dtcpc: -i ID and -k KEY (or -K FILE) are required\n");
		return EXIT_USAGE;
	}
	dtcp_out_init(&out, o->upper);
	if (raw)
		rc = read_raw(&out, argc, argv);
	else
		rc = build(o, &out, method, argc, argv, seqtext, sizeof(seqtext));
	if (rc)
		return rc;
	if (out.overflow) {
		fprintf(stderr, "dtcpc: request too large\n");
		return EXIT_USAGE;
	}
	if (o->out) {
		FILE *f = fopen(o->out, "wb");

		if (!f || fwrite(out.buf, 1, out.len, f) != out.len || fclose(f)) {
			fprintf(stderr, "dtcpc: %s: %s\n", o->out, strerror(errno));
			return 1;
		}
	}
	rc = send_out(o, &out, &fd);
	if (rc)
		return rc;
	if (o->wait <= 0)
		return 0;
	if (raw) {
		/* Whatever the bytes said; verify with the key if there is one. */
		static struct dtcp_msg m;

		if (dtcp_msg_parse(&m, out.buf, out.len) == 0 && dtcp_msg_value(&m, "Seq"))
			snprintf(seqtext, sizeof(seqtext), "%.23s", dtcp_msg_value(&m, "Seq"));
		if (!o->key) {
			o->key = strdup("");
			o->key_len = 0;
		}
		method = m.method;
	}
	return dfc_dtcpc_receive(o, fd, method, seqtext[0] ? seqtext : NULL);
}
