// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the criteria blob (agent/blob.c) and the rebuild
 * that trusts it (agent/rebuild.c, agent/rdest.c). Each input is the blob
 * of a kernel criterion of control source cs1, in a fake kernel that also
 * holds a criterion of cs2 and the configured destinations. Then:
 *   - dtcp_blob_parse() and dtcp_blob_lines() on it (a blob they accept
 *     carries no control character in any text);
 *   - a dtcpd restart (dtcp_server_rebuild), and cs1 deleting everything it
 *     was given: cs2's criterion and every configured destination must
 *     still be in the kernel, and cs1 may hold only destinations it may use.
 * Under ASan/UBSan, inputs up to 65535 bytes (the kernel keeps 2048). The
 * corpus holds blobs of format 6, 5 (v5_*), 4 (v4_*), 3 (v3_*), 2 (v2_*)
 * and the line format (v1_*).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "core.h"
#include "kfake.h"

static const char conf[] =
	"capture-group = ( { name = \"g\";\n"
	"  content-destination = ( { id = \"cd1\"; address = \"192.0.2.50\"; },\n"
	"    { id = \"cd2\"; address = \"2001:db8::1\"; } );\n"
	"  control-source = (\n"
	"    { id = \"cs1\"; service-port = 2400; shared-key = \"secret\";\n"
	"      request-destinations = true; allowed-destinations = [ \"cd1\" ]; },\n"
	"    { id = \"cs2\"; service-port = 2400; shared-key = \"other\";\n"
	"      request-destinations = true; } ); } );\n";

static struct dtcp_server S;
static struct kfake K;
static uint8_t cs2_blob[DFC_CRIT_BLOB_MAX];
static struct dfc_nl_crit cs2_crit;

static uint64_t wall(void) { return 1104580861111ULL; }

static void check_text(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

static void line_cb(const char *name, const char *value, void *data)
{
	(void)data;
	check_text(name);
	check_text(value);
}

/* cs2's criterion: an ADD on cd2 through the real request path, its blob kept. */
static void cs2_add(void)
{
	static struct dtcp_out o;
	struct dtcp_replies r = { 0 };
	struct sockaddr_in from = { .sin_family = AF_INET };
	struct kfake_crit *k;

	dtcp_out_init(&o, false);
	dtcp_out_request(&o, "ADD", DTCP_VER_CUR);
	dtcp_out_param(&o, "Csource-ID", "cs2");
	dtcp_out_param(&o, "Seq", "1");
	dtcp_out_param(&o, "Cdest-ID", "cd2");
	dtcp_out_param(&o, "Dest-Port", "80");
	dtcp_out_param(&o, "Flags", "Static");
	dtcp_out_sign(&o, "other", 5);
	dtcp_server_handle(&S, (struct sockaddr *)&from, 2400, o.buf, o.len, &r);
	dtcp_replies_clear(&r);
	free(r.d);
	k = kfake_find(&K, S.cfg->groups[0].srcs[1].owner, DTCP_KID(1, 0));
	if (!k)
		abort();
	cs2_crit = k->c;
	memcpy(cs2_blob, k->blob, k->c.blob_len);
	cs2_crit.blob = cs2_blob;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[] = "/tmp/fuzz_blob.XXXXXX", err[256];
	struct dtcp_config *c;
	int fd = mkstemp(path);	/* 0600: it holds shared keys */

	(void)argc;
	(void)argv;
	if (fd < 0 || write(fd, conf, sizeof(conf) - 1) != sizeof(conf) - 1)
		abort();
	close(fd);
	c = dtcp_config_load(path, err, sizeof(err));
	unlink(path);
	if (!c) {
		fprintf(stderr, "fuzz_blob: %s\n", err);
		abort();
	}
	kfake_init(&K);
	if (dtcp_server_init(&S, c))
		abort();
	S.kops = &kfake_ops;
	S.kctx = &K;
	S.wall_ms = wall;
	dtcp_server_program(&S);
	cs2_add();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	uint32_t cd1 = S.cfg->groups[0].dests[0].kid, cd2 = S.cfg->groups[0].dests[1].kid;
	struct dfc_nl_crit kc = { .timeout_idle = 60, .n_entries = 1 };
	struct dtcp_src *cs1 = S.srcs[0];
	struct dtcp_blob b;
	unsigned int done, found;

	if (!dtcp_blob_parse(data, len, &b)) {
		/* From format 6 the owner names the source, kernel ids configured destinations. */
		bool v6 = len >= 4 && !memcmp(data, "dtc", 3) && data[3] >= 6;

		if (!b.n || b.n > DTCP_MAX_DEST || b.k >= b.n || !b.cdests != b.by_kid ||
		    !b.csource[0] != v6 || (b.by_kid && !v6))
			abort();
		check_text(b.csource);
		check_text(b.csource_addr);
		if (b.cdests)
			check_text(b.cdests);
		if (dtcp_blob_lines((const char *)data, len, line_cb, NULL))
			abort();
		/* From format 5 the Criteria-ID is the kernel id's alone. */
		kc.id = DTCP_KID(b.id ?: 7, b.k);
		/* From format 4 the own destination's id is the kernel's alone: one of its kind. */
		kc.cdest = b.cdest_kid[b.k] ?: b.request_dest ? 0x80000001u + b.k : cd1;
		dtcp_blob_free(&b);
	} else {
		if (!dtcp_blob_lines((const char *)data, len, line_cb, NULL))
			abort();
		kc.id = DTCP_KID(2, 0);
		kc.cdest = cd1;
	}
	if (len > DFC_CRIT_BLOB_MAX)
		return 0;	/* the kernel keeps no more */

	/* The kernel as a restarted dtcpd finds it. */
	kfake_fini(&K);
	kfake_init(&K);
	dtcp_server_program(&S);
	if (kfake_ops.add(&K, S.cfg->groups[0].srcs[1].owner, &cs2_crit, 1, &done, NULL))
		abort();
	kc.blob = data;
	kc.blob_len = len;
	kc.entries = S.entries;
	memset(S.entries, 0, sizeof(*S.entries));
	kfake_ops.add(&K, cs1->cfg->owner, &kc, 1, &done, NULL);
	if (dtcp_server_rebuild(&S, &found))
		abort();
	/* cs1 holds only what it may use. */
	for (unsigned int i = 0; i < cs1->n_crits; i++) {
		const struct dtcp_crit *c = cs1->crits[i];

		for (unsigned int k = 0; k < c->n_dest; k++)
			if (c->request_dest ? !(c->cdest_kid[k] & 0x80000000u) : c->cdest_kid[k] != cd1)
				abort();
	}
	for (unsigned int i = 0; i < S.n_rdests; i++)
		if (S.rdests[i].src != cs1)
			abort();
	/* cs1 deletes everything: cs2 and the configured destinations are untouched. */
	for (unsigned int i = 0; i < cs1->n_crits; i++) {
		dtcp_crit_kernel_del(&S, cs1, cs1->crits[i]);
		dtcp_src_remove(&S, cs1, cs1->crits[i], DFC_REASON_NONE);
	}
	dtcp_server_gc(&S);
	if (!kfake_dest(&K, cd1) || !kfake_dest(&K, cd2) ||
	    !kfake_find(&K, S.cfg->groups[0].srcs[1].owner, DTCP_KID(1, 0)) ||
	    S.srcs[1]->n_live != 1 || S.n_rdests)
		abort();
	return 0;
}
