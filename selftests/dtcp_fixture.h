/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host tests of dtcpd share: a parsed message M, the test
 * configuration (three control sources, three destinations) and the srv
 * fixture, a server on the in-memory kernel (agent/kfake.c) with requests
 * signed as each source, a LIST answer reassembled, a notification
 * checked. Included once per test program.
 */
#ifndef DTCP_FIXTURE_H
#define DTCP_FIXTURE_H

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <netinet/in.h>

#include "kselftest_harness.h"
#include "auth.h"
#include "blob.h"
#include "config.h"
#include "kfake.h"
#include "msg.h"
#include "dtcp_req.h"
#include "server.h"

/* Not every program uses every helper. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-const-variable"

static struct dtcp_msg M;

static const char good_conf[] =
	"state-file = \"/tmp/unit_dtcp.state\";\n"
	"interface-map = ( { name = \"ge-1/3/5.0\"; interface = \"lo\"; } );\n"
	"capture-group = ( {\n"
	"  name = \"g1\";\n"
	"  interfaces = [ \"m0\" ];\n"
	"  max-duplicates = 5;\n"
	"  content-destination = (\n"
	"    { id = \"cd1\"; address = \"192.0.2.50\"; },\n"
	"    { id = \"cd2\"; address = \"192.0.2.51\"; ttl = 64; soft-limit = 1000000;\n"
	"      soft-limit-clear = 500000; hard-limit = 2000000; hard-limit-target = 1500000; },\n"
	"    { id = \"cd3\"; address = \"2001:db8::1\"; encapsulation = \"udp\"; udp-port = 4789; }\n"
	"  );\n"
	"  control-source = (\n"
	"    { id = \"cs1\"; source-addresses = [ \"192.0.2.0/24\", \"2001:db8::/32\" ];\n"
	"      service-port = 2400; shared-key = \"secret\";\n"
	"      notification-targets = ( { address = \"192.0.2.1\"; port = 2100; } );\n"
	"      allowed-destinations = [ \"cd1\", \"cd2\" ]; minimum-priority = 3; },\n"
	"    { id = \"cs2\"; service-port = 2401; shared-key = \"other\"; mixed-case = true;\n"
	"      request-destinations = true; notification-version = \"0.6\";\n"
	"      notification-targets = ( { address = \"192.0.2.2\"; port = 2101; } ); },\n"
	"    { id = \"cs3\"; service-port = 2400; shared-key = \"third\"; max-criteria = 2; }\n"
	"  );\n"
	"} );\n";

static char *write_conf(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/unit_dtcp_confXXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return path;
}

struct sent {
	char buf[4096];
	size_t len;
	char target[64];
};

static struct sent sent[64];
static unsigned int n_sent;
static uint64_t fake_wall = 1104580861111ULL, fake_mono = 1000000;

static uint64_t wall(void) { return fake_wall; }
static uint64_t mono(void) { return fake_mono; }

static void send_cb(struct dtcp_server *s, const struct dtcp_csource *src,
		    const struct dtcp_target *t, const void *buf, size_t len)
{
	(void)s;
	(void)src;
	if (n_sent < 64 && len < sizeof(sent[0].buf)) {
		memcpy(sent[n_sent].buf, buf, len);
		sent[n_sent].buf[len] = '\0';
		sent[n_sent].len = len;
		snprintf(sent[n_sent].target, sizeof(sent[n_sent].target), "%s", t->text);
		n_sent++;
	}
}

static unsigned int fake_ifindex(const char *name)
{
	if (!strcmp(name, "lo"))
		return 1;
	if (!strcmp(name, "eth1"))
		return 7;
	return 0;
}

/* Server s on the in-memory kernel k, the fake clocks, its datagrams into sent[]. */
static void srv_wire(struct dtcp_server *s, struct kfake *k)
{
	s->kops = &kfake_ops;
	s->kctx = k;
	s->wall_ms = wall;
	s->mono_ms = mono;
	s->send = send_cb;
}

FIXTURE(srv) {
	struct dtcp_server s;
	struct kfake k;
	struct dtcp_replies r;
	struct sockaddr_in from;
	uint64_t seq[3];
	char *path;
};

FIXTURE_SETUP(srv)
{
	char err[512];
	struct dtcp_config *c;

	self->path = write_conf(good_conf);
	c = dtcp_config_load(self->path, err, sizeof(err));
	ASSERT_NE(NULL, c) TH_LOG("%s", err);
	memset(&self->s, 0, sizeof(self->s));
	kfake_init(&self->k);
	ASSERT_EQ(0, dtcp_server_init(&self->s, c));
	srv_wire(&self->s, &self->k);
	self->s.ifindex = fake_ifindex;
	memset(&self->r, 0, sizeof(self->r));
	self->from.sin_family = AF_INET;
	self->from.sin_port = htons(5000);
	inet_pton(AF_INET, "192.0.2.1", &self->from.sin_addr);
	self->seq[0] = 100;
	self->seq[1] = 5000;
	self->seq[2] = 1;
	n_sent = 0;
	setenv("TZ", "UTC", 1);
}

FIXTURE_TEARDOWN(srv)
{
	dtcp_replies_clear(&self->r);
	free(self->r.d);
	dtcp_server_fini(&self->s);
	kfake_fini(&self->k);
	unlink(self->path);
}

/* Replace the first occurrence of from in s (at most size bytes). */
static inline bool replace(char *s, size_t size, const char *from, const char *to)
{
	char *p = strstr(s, from);
	size_t lf = strlen(from), lt = strlen(to);

	if (!p || strlen(s) - lf + lt >= size)
		return false;
	memmove(p + lt, p + lf, strlen(p + lf) + 1);
	memcpy(p, to, lt);
	return true;
}

static const char *const keys[] = { "secret", "other", "third" };
static const char *const ids[] = { "cs1", "cs2", "cs3" };
static const uint16_t ports[] = { 2400, 2401, 2400 };

/*
 * Send a request from source i (0: cs1, 1: cs2, 2: cs3): method line,
 * then "Name: value" lines separated by '|'. Returns the number of
 * reply datagrams.
 */
static unsigned int req_full(struct _test_data_srv *self, unsigned int i, const char *start,
			     const char *lines, const char *key, uint16_t port)
{
	static struct dtcp_out o;

	dtcp_req_build(&o, start, lines, ids[i], key, ++self->seq[i]);
	dtcp_replies_clear(&self->r);
	dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, port, o.buf, o.len, &self->r);
	return self->r.n;
}

static unsigned int req(struct _test_data_srv *self, unsigned int i, const char *start,
			const char *lines)
{
	return req_full(self, i, start, lines, keys[i], ports[i]);
}

/* Parse reply d (verifying it with source i's key) into M; its status code. */
static unsigned int reply(struct _test_data_srv *self, unsigned int i, unsigned int d)
{
	if (d >= self->r.n || dtcp_msg_parse(&M, self->r.d[d].buf, self->r.d[d].len) ||
	    M.kind != DTCP_K_STATUS || !M.auth ||
	    !dtcp_hmac_verify(keys[i], strlen(keys[i]), M.raw, M.signed_len, M.auth))
		return 0;
	return M.code;
}

static uint64_t num(const char *name)
{
	const char *v = dtcp_msg_value(&M, name);
	uint64_t n = UINT64_MAX;

	if (v)
		dtcp_parse_u64(v, UINT64_MAX, &n);
	return n;
}

#define ADD1 "Cdest-ID: cd1|Source-Address: 192.0.2.10|Dest-Address: *|Protocol: 6|" \
	     "Dest-Port: 80|Timeout-Idle: 600|Priority: 1"

/* Reassemble a LIST answer: entries by Criteria-Num; returns the count, checks each datagram. */
static unsigned int list_entries(struct _test_data_srv *self, unsigned int src, uint64_t seq,
				 char ids[][16], unsigned int max)
{
	unsigned int total = 0, got = 0;

	for (unsigned int d = 0; d < self->r.n; d++) {
		if (reply(self, src, d) != 200 || num("Seq") != seq || self->r.d[d].len > 1400)
			return UINT32_MAX;
		for (unsigned int i = 0; i < M.n; i++) {
			uint64_t n;

			if (!strcasecmp(M.p[i].name, "Criteria-ID")) {
				if (got >= max)
					return UINT32_MAX;
				snprintf(ids[got], 16, "%s", M.p[i].value);
			} else if (!strcasecmp(M.p[i].name, "Criteria-Num")) {
				dtcp_parse_u64(M.p[i].value, UINT64_MAX, &n);
				if (n != ++got)
					return UINT32_MAX;
			} else if (!strcasecmp(M.p[i].name, "Criteria-Count")) {
				dtcp_parse_u64(M.p[i].value, UINT64_MAX, &n);
				total = n;
			}
		}
	}
	return got == total ? got : UINT32_MAX;
}

/* Notification i as sent: a status code, signed with key, no Seq, a Timestamp. */
static bool notified(unsigned int i, const char *key, unsigned int code)
{
	return !dtcp_msg_parse(&M, sent[i].buf, sent[i].len) && M.kind == DTCP_K_STATUS &&
	       M.code == code && M.auth &&
	       dtcp_hmac_verify(key, strlen(key), M.raw, M.signed_len, M.auth) &&
	       !dtcp_msg_get(&M, "Seq") && dtcp_msg_get(&M, "Timestamp");
}

/* A configured destination of group data by kernel id, as a restart names it (format 6). */
static const char *cdest_by_kid(uint32_t kid, void *data)
{
	const struct dtcp_cdest *d = dtcp_config_cdest_by_kid(data, kid);

	return d ? d->id : NULL;
}

/* A blob of the first group's source read as a restart reads it: ids and names the kernel's. */
static int blob_own(struct _test_data_srv *self, struct dtcp_blob *b, uint32_t id, uint32_t kid)
{
	return dtcp_blob_own_id(b, id, b->k) ?: dtcp_blob_own_kid(b, kid) ?:
	       dtcp_blob_own_names(b, cdest_by_kid, &self->s.cfg->groups[0]);
}

/* One attribute at p: its aligned length. */
static size_t blob_attr(uint8_t *p, uint16_t type, const void *data, size_t len)
{
	uint16_t h[2] = { (uint16_t)(4 + len), type };

	memcpy(p, h, 4);
	memcpy(p + 4, data, len);
	memset(p + 4 + len, 0, NLA_ALIGN(4 + len) - 4 - len);
	return NLA_ALIGN(4 + len);
}

/*
 * A blob of format 6 with one configured destination and no binary
 * address (blob[0..*len), room for cap) as format 5 wrote it: the time
 * added an attribute, then the source's and the destination's names.
 * False if it is not of that form.
 */
static bool blob_to_v5(uint8_t *blob, uint16_t *len, size_t cap, const char *csource,
		       const char *cdest)
{
	uint8_t out[DFC_CRIT_BLOB_MAX], name[96];
	size_t n = 4, nl = blob_attr(name, DTCP_BLOB_D_NAME, cdest, strlen(cdest) + 1);

	if (*len < DTCP_BLOB_HEAD || memcmp(blob, "dtc\6", 4) ||
	    *len + 28 + strlen(csource) + nl > cap || *len + 28 + strlen(csource) + nl > sizeof(out))
		return false;
	memcpy(out, "dtc\5", 4);
	n += blob_attr(out + n, DTCP_BLOB_ADDED, blob + 4, 8);
	n += blob_attr(out + n, DTCP_BLOB_CSOURCE, csource, strlen(csource) + 1);
	n += blob_attr(out + n, DTCP_BLOB_DEST | NLA_F_NESTED, name, nl);
	memcpy(out + n, blob + DTCP_BLOB_HEAD, *len - DTCP_BLOB_HEAD);
	n += *len - DTCP_BLOB_HEAD;
	memcpy(blob, out, n);
	*len = (uint16_t)n;
	return true;
}

#pragma GCC diagnostic pop

#endif /* DTCP_FIXTURE_H */
