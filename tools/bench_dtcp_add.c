// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What one authenticated ADD costs dtcpd itself, for tools/bench-dtcp-cost.sh
 * under callgrind: dtcpd's protocol core over the in-memory kernel
 * (agent/kfake.c), fed the requests `dtcpc bench` sends (one source
 * address each, Protocol 6, Dest-Port 80, Static), each signed; every
 * answer is checked to be an authentic 200. No sockets, no kernel: the
 * instructions are dtcpd's from the datagram in to the answer out.
 *
 *   bench_dtcp_add COUNT
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "kfake.h"
#include "msg.h"
#include "server.h"

#define KEY "bench-key"

static uint64_t wall_ms(void) { return 1104580861111ULL; }
static uint64_t mono_ms(void) { return 1000000; }

static void log_line(struct dtcp_server *s, const struct dtcp_src *src, int prio,
		     const char *fmt, ...)
{
	va_list ap;

	(void)s, (void)src, (void)prio;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void send_none(struct dtcp_server *s, const struct dtcp_csource *src,
		      const struct dtcp_target *t, const void *buf, size_t len)
{
	(void)s, (void)src, (void)t, (void)buf, (void)len;
}

static struct dtcp_config *config(void)
{
	static const char text[] =
		"capture-group = ( { name = \"g1\";\n"
		"  content-destination = ( { id = \"cd1\"; address = \"192.0.2.1\"; } );\n"
		"  control-source = ( { id = \"cs1\"; source-addresses = [ \"192.0.2.1\" ];\n"
		"    service-port = 2400; shared-key = \"" KEY "\"; } ); } );\n";
	char path[] = "/tmp/bench_dtcp_add.XXXXXX", err[512];
	struct dtcp_config *c = NULL;
	int fd = mkstemp(path);

	if (fd >= 0 && write(fd, text, sizeof(text) - 1) == sizeof(text) - 1) {
		c = dtcp_config_load(path, err, sizeof(err));
		if (!c)
			fprintf(stderr, "bench_dtcp_add: %s\n", err);
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	return c;
}

/* The request `dtcpc bench` sends as its i-th. */
static void request(struct dtcp_out *o, unsigned long i)
{
	dtcp_out_init(o, false);
	dtcp_out_request(o, "ADD", DTCP_VER_CUR);
	dtcp_out_param(o, "Csource-ID", "cs1");
	dtcp_out_param(o, "Cdest-ID", "cd1");
	dtcp_out_param(o, "Source-Address", "10.%lu.%lu.%lu", (i >> 16) & 255,
		       (i >> 8) & 255, i & 255);
	dtcp_out_param(o, "Protocol", "6");
	dtcp_out_param(o, "Dest-Port", "80");
	dtcp_out_param(o, "Flags", "Static");
	dtcp_out_param(o, "Seq", "%lu", i + 1);
	dtcp_out_sign(o, KEY, strlen(KEY));
}

static bool answered_200(const struct dtcp_replies *r, struct dtcp_msg *m)
{
	return r->n == 1 && !dtcp_msg_parse(m, r->d[0].buf, r->d[0].len) &&
	       m->kind == DTCP_K_STATUS && m->auth && m->code == 200 &&
	       dtcp_hmac_verify(KEY, strlen(KEY), m->raw, m->signed_len, m->auth);
}

int main(int argc, char **argv)
{
	static struct dtcp_server s;
	static struct dtcp_msg m;
	static struct dtcp_out o;
	static struct kfake k;
	struct dtcp_replies r = { 0 };
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = htons(5000) };
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000, ok = 0;
	struct dtcp_config *c = config();

	if (!c || dtcp_server_init(&s, c))
		return 1;
	kfake_init(&k);
	s.kops = &kfake_ops;
	s.kctx = &k;
	s.wall_ms = wall_ms;
	s.mono_ms = mono_ms;
	s.send = send_none;
	s.log = log_line;
	inet_pton(AF_INET, "192.0.2.1", &from.sin_addr);
	for (unsigned long i = 0; i < n; i++) {
		request(&o, i);
		dtcp_replies_clear(&r);
		dtcp_server_handle(&s, (struct sockaddr *)&from, 2400, o.buf, o.len, &r);
		ok += answered_200(&r, &m);
	}
	printf("adds=%lu ok=%lu\n", n, ok);
	dtcp_replies_clear(&r);
	free(r.d);
	dtcp_server_fini(&s);
	kfake_fini(&k);
	return ok == n ? 0 : 1;
}
