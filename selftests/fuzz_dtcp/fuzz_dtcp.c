// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the whole request path of dtcpd against an in-memory
 * kernel (agent/kfake.c). The first byte is control: bit 1 picks the key
 * (cs1's or cs2's); the rest is the request, signed with that key first
 * (else nothing but the HMAC check would ever run), with the Seq windows
 * reset (else nearly every input would be a replay). A second byte 0xfe
 * or 0xfd also expires a criterion or resyncs with the kernel. The parser
 * alone is fuzz_msg's. Built under ASan/UBSan; `make fuzz` runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "auth.h"
#include "kfake.h"
#include "msg.h"
#include "server.h"

static struct dtcp_server S;
static struct kfake K;
static struct dtcp_msg M;
static struct dtcp_replies R[2];
static char conf_path[64];
static unsigned long runs;

static const char conf[] =
	"capture-group = ( { name = \"g\"; interfaces = [ \"m0\" ];\n"
	"  content-destination = ( { id = \"cd1\"; address = \"192.0.2.50\"; },\n"
	"    { id = \"cd2\"; address = \"2001:db8::1\"; hard-limit = 100; } );\n"
	"  control-source = (\n"
	"    { id = \"cs1\"; service-port = 2400; shared-key = \"secret\"; minimum-priority = 7;\n"
	"      request-destinations = true;\n"
	"      notification-targets = ( { address = \"192.0.2.1\"; port = 2100; } ); },\n"
	"    { id = \"cs2\"; service-port = 2400; shared-key = \"other\"; mixed-case = true;\n"
	"      max-criteria = 50; } ); } );\n";

static uint64_t wall(void) { return 1104580861111ULL + runs; }
static uint64_t mono(void) { return runs * 1000; }
static unsigned int ifindex(const char *n) { return !strcmp(n, "lo") ? 1 : 0; }

static void setup(void)
{
	char err[256];
	struct dtcp_config *c = dtcp_config_load(conf_path, err, sizeof(err));

	if (!c) {
		fprintf(stderr, "fuzz_dtcp: %s\n", err);
		abort();
	}
	memset(&S, 0, sizeof(S));
	kfake_init(&K);
	K.max = 500;
	if (dtcp_server_init(&S, c))
		abort();
	S.kops = &kfake_ops;
	S.kctx = &K;
	S.wall_ms = wall;
	S.mono_ms = mono;
	S.ifindex = ifindex;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	snprintf(conf_path, sizeof(conf_path), "/tmp/fuzz_dtcp.XXXXXX");
	fd = mkstemp(conf_path);
	if (fd < 0 || write(fd, conf, sizeof(conf) - 1) != sizeof(conf) - 1)
		abort();
	close(fd);
	setup();
	unlink(conf_path);
	/* Reloads re-read it: keep a copy for the lifetime of the process. */
	fd = open(conf_path, O_WRONLY | O_CREAT, 0600);
	if (fd < 0 || write(fd, conf, sizeof(conf) - 1) != sizeof(conf) - 1)
		abort();
	close(fd);
	return 0;
}

/* Every answer we send must parse and verify. */
static void check_answers(const struct dtcp_replies *r)
{
	for (unsigned int i = 0; i < r->n; i++) {
		if (dtcp_msg_parse(&M, r->d[i].buf, r->d[i].len) || M.kind != DTCP_K_STATUS ||
		    !M.auth || (!dtcp_hmac_verify("secret", 6, M.raw, M.signed_len, M.auth) &&
				!dtcp_hmac_verify("other", 5, M.raw, M.signed_len, M.auth)))
			abort();
		/* LIST splits: nothing but a lone oversized entry may pass the budget. */
		if (r->d[i].len > DTCP_DGRAM_BUDGET && dtcp_msg_count(&M, "Criteria-Num") > 1)
			abort();
	}
}

static void handle(const uint8_t *data, size_t len)
{
	static struct dtcp_out o;
	bool burst = len && (data[0] & 4), later[2] = { false, false };
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = htons(5000) };
	const char *key = len && (data[0] & 2) ? "other" : "secret";

	/* Sign the input as it is, as a client would: text, then the authenticator. */
	dtcp_out_init(&o, false);
	dtcp_out_raw(&o, (const char *)data + 1, len ? len - 1 : 0);
	if (o.overflow)
		return;
	dtcp_out_sign(&o, key, strlen(key));
	inet_pton(AF_INET, "192.0.2.1", &from.sin_addr);
	/* data[0] & 4: in a burst, twice (so ADDs wait for a batch of two). */
	if (burst)
		dtcp_server_burst_begin(&S);
	for (unsigned int k = 0; k < 1u + burst; k++) {
		for (unsigned int i = 0; i < S.n_srcs; i++)
			dtcp_seq_reset(&S.srcs[i]->seq);
		later[k] = dtcp_server_handle(&S, (struct sockaddr *)&from, 2400, o.buf, o.len,
					      &R[k]);
	}
	if (burst)
		dtcp_server_burst_end(&S);
	for (unsigned int k = 0; k < 1u + burst; k++) {
		/* An answer comes later only in a burst, and then it is there at its end. */
		if (later[k] && (!burst || !R[k].n))
			abort();
		check_answers(&R[k]);
		dtcp_replies_clear(&R[k]);
	}
	/* Now and then the kernel's side of things: expiry, events, a reload. */
	if (len > 2 && data[1] == 0xfe && K.n) {
		struct kfake_crit *c = &K.v[data[2] % K.n];

		if (c->used) {
			kfake_expire(&K, c);
			dtcp_server_expired(&S, c->owner, c->c.id, data[2] % 5, 1, 2);
		}
	}
	if (len > 2 && data[1] == 0xfd)
		dtcp_server_resync(&S);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	if (!len)
		return 0;
	runs++;
	handle(data, len);
	/* Start over now and then so the tables stay small. */
	if (!(runs % 2000)) {
		dtcp_replies_clear(&R[0]);
		dtcp_replies_clear(&R[1]);
		dtcp_server_fini(&S);
		kfake_fini(&K);
		setup();
	}
	return 0;
}
