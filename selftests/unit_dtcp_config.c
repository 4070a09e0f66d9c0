// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier unit tests of dtcpd's configuration file (agent/config.c):
 * a good one read whole, each error with its file:line, key files.
 */

#include "dtcp_fixture.h"

/* ---- configuration ---- */

TEST(config_good)
{
	char err[512] = "";
	char *path = write_conf(good_conf);
	struct dtcp_config *c = dtcp_config_load(path, err, sizeof(err));
	struct dtcp_csource *cs1, *cs2;
	struct sockaddr_in sin = { .sin_family = AF_INET };

	ASSERT_NE(NULL, c) TH_LOG("%s", err);
	EXPECT_STREQ("/tmp/unit_dtcp.state", c->state_file);
	ASSERT_EQ(1, c->n_groups);
	EXPECT_EQ(5, c->groups[0].max_dups);
	EXPECT_EQ(30, c->groups[0].dup_period);
	EXPECT_EQ(3, c->groups[0].n_dests);
	EXPECT_EQ(64, c->groups[0].dests[1].ttl);
	EXPECT_EQ(255, c->groups[0].dests[0].ttl);
	EXPECT_EQ(1000000, c->groups[0].dests[1].soft_limit);
	EXPECT_STREQ("udp", c->groups[0].dests[2].encap);
	cs1 = dtcp_config_source(c, "cs1");
	cs2 = dtcp_config_source(c, "cs2");
	ASSERT_NE(NULL, cs1);
	ASSERT_NE(NULL, cs2);
	EXPECT_EQ(NULL, dtcp_config_source(c, "CS1"));
	EXPECT_EQ(2400, cs1->port);
	EXPECT_EQ(6, cs1->key_len);
	EXPECT_EQ(3, cs1->min_prio);
	EXPECT_EQ(1, cs1->n_targets);
	EXPECT_STREQ("192.0.2.1 port 2100", cs1->targets[0].text);
	EXPECT_TRUE(cs2->mixed_case);
	EXPECT_TRUE(cs2->request_dests);
	EXPECT_EQ(DTCP_VER(0, 6), cs2->notify_ver);
	EXPECT_NE(cs1->owner, cs2->owner);
	EXPECT_TRUE(dtcp_csource_allows(cs1, dtcp_config_cdest(&c->groups[0], "cd2")));
	EXPECT_FALSE(dtcp_csource_allows(cs1, dtcp_config_cdest(&c->groups[0], "cd3")));
	EXPECT_TRUE(dtcp_csource_allows(cs2, dtcp_config_cdest(&c->groups[0], "cd3")));
	inet_pton(AF_INET, "192.0.2.77", &sin.sin_addr);
	EXPECT_TRUE(dtcp_csource_sender_ok(cs1, (struct sockaddr *)&sin));
	inet_pton(AF_INET, "198.51.100.1", &sin.sin_addr);
	EXPECT_FALSE(dtcp_csource_sender_ok(cs1, (struct sockaddr *)&sin));
	EXPECT_TRUE(dtcp_csource_sender_ok(cs2, (struct sockaddr *)&sin));
	EXPECT_STREQ("lo", dtcp_config_ifname(c, "ge-1/3/5.0"));
	EXPECT_STREQ("eth9", dtcp_config_ifname(c, "eth9"));
	/* The destination kernel ids are stable and below the request-defined range. */
	EXPECT_EQ(0, c->groups[0].dests[0].kid & 0x80000000);
	dtcp_config_free(c);
	unlink(path);
}

TEST(config_errors)
{
	static const struct { const char *text; const char *want; } bad[] = {
		{ "capture-group = ( { name = \"g\"; } ) ;\nfoo = 1;\n", ":2: unknown setting 'foo'" },
		{ "capture-group = ( {\n name = \"g\";\n control-source = ( {\n id = \"a\";\n"
		  " shared-key = \"k\"; } ); } );\n", ":3: control source 'a': 'service-port'" },
		{ "capture-group = ( { name = \"g\";\n control-source = ( { id = \"a\";"
		  " service-port = 70000; shared-key = \"k\"; } ); } );\n", ":2: 'service-port' must be in 1..65535" },
		{ "capture-group = ( { name = \"g\";\n content-destination = ( {\n id = \"d\";\n"
		  " address = \"10.0.0.300\"; } ); } );\n", ":4: content destination 'd': bad address" },
		{ "capture-group = ( { name = \"g\";\n control-source = ( { id = \"a\"; service-port = 1;"
		  " shared-key = \"k\";\n allowed-destinations = [ \"nope\" ]; } ); } );\n",
		  ":3: control source 'a': allowed destination 'nope'" },
		{ "capture-group = ( { name = \"g\";\n control-source = (\n { id = \"a\"; service-port = 1;"
		  " shared-key = \"k\"; },\n { id = \"a\"; service-port = 2; shared-key = \"k\"; } ); } );\n",
		  ":4: control source 'a' defined twice (line 3)" },
		{ "capture-group = ( { name = \"g\";\n control-source = ( { id = \"a\"; service-port = 1;\n"
		  " shared-key = \"k\"; key-file = \"/x\"; } ); } );\n", ":2: control source 'a': shared-key and key-file" },
		{ "capture-group = ( { name = \"g\";\n control-source = ( { id = \"a\"; service-port = 1;\n"
		  " key-file = \"/nonexistent/key\"; } ); } );\n", ":3: control source 'a': key file /nonexistent/key" },
		{ "capture-group = ( { name = \"g\";\n control-source = ( { id = \"a\"; service-port = 1;"
		  " shared-key = \"k\";\n notification-targets = ( { address = \"1.2.3.4\"; } ); } ); } );\n",
		  ":3: notification target: 'port'" },
		{ "capture-group = ( { name = \"g\";\n control-source = ( { id = \"a\"; service-port = 1;"
		  " shared-key = \"k\";\n minimum-priority = 255; } ); } );\n", ":3: 'minimum-priority' must be in 0..254" },
		{ "capture-group = ( { name = \"g\"; } );\nstate-sync = 1;\n", ":2: 'state-sync' must be true or false" },
		{ "capture-group = ( { name = \"g\"\n", ":2: syntax error" },
		{ "listen-addresses = [ \"nowhere\" ];\ncapture-group = ( { name = \"g\"; } );\n", ":1: bad listen address" },
		{ "state-file = \"/x\";\n", ": no capture-group" },
		{ "capture-group = ( { name = \"g\";\n control-source = ( { id = \"a,b\"; service-port = 1;"
		  " shared-key = \"k\"; } ); } );\n", ":2: control source id 'a,b'" },
		{ "capture-group = (\n { name = \"g\"; },\n { name = \"h\"; },\n { name = \"g\"; } );\n",
		  ":4: capture group 'g' defined twice (lines 2 and 4)" },
		{ "capture-group = (\n { name = \"g\"; control-source = ( { id = \"a\"; service-port = 1;"
		  " shared-key = \"k\"; } ); },\n { name = \"h\";\n control-source = ( { id = \"b\";"
		  " service-port = 2; shared-key = \"k\"; },\n { id = \"a\"; service-port = 3;"
		  " shared-key = \"k\"; } ); } );\n", ":5: control source 'a' defined twice (line 2)" },
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[512] = "", want[600];
		char *path = write_conf(bad[i].text);
		struct dtcp_config *c = dtcp_config_load(path, err, sizeof(err));

		snprintf(want, sizeof(want), "%s%s", path, bad[i].want);
		EXPECT_EQ(NULL, c);
		EXPECT_EQ(0, strncmp(err, want, strlen(want))) TH_LOG("case %u: got '%s', want '%s'",
								    i, err, want);
		dtcp_config_free(c);
		unlink(path);
	}
}

TEST(config_key_file)
{
	char kpath[] = "/tmp/unit_dtcp_keyXXXXXX", conf[512], err[512];
	int fd = mkstemp(kpath);
	struct dtcp_config *c;
	char *path;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(9, write(fd, "Juniper\r\n", 9));
	close(fd);
	snprintf(conf, sizeof(conf), "capture-group = ( { name = \"g\"; control-source = ( {"
		 " id = \"a\"; service-port = 1; key-file = \"%s\"; } ); } );\n", kpath);
	path = write_conf(conf);
	c = dtcp_config_load(path, err, sizeof(err));
	ASSERT_NE(NULL, c) TH_LOG("%s", err);
	EXPECT_EQ(7, c->groups[0].srcs[0].key_len);
	EXPECT_EQ(0, memcmp("Juniper", c->groups[0].srcs[0].key, 7));
	dtcp_config_free(c);
	unlink(path);
	unlink(kpath);
}

struct named_hash {
	uint32_t h;
	unsigned int i;
};

static int named_hash_cmp(const void *a, const void *b)
{
	const struct named_hash *x = a, *y = b;

	return x->h < y->h ? -1 : x->h > y->h;
}

/* A configuration of one group with destinations a and b; err gets its error, if any. */
static struct dtcp_config *two_dests_load(const char *a, const char *b, char *err, size_t size,
					  char **path)
{
	char conf[512];
	struct dtcp_config *c;

	snprintf(conf, sizeof(conf), "capture-group = ( { name = \"g\";\n content-destination = (\n"
		 " { id = \"%s\"; address = \"192.0.2.1\"; },\n"
		 " { id = \"%s\"; address = \"192.0.2.2\"; } ); } );\n", a, b);
	*path = write_conf(conf);
	c = dtcp_config_load(*path, err, size);
	unlink(*path);
	return c;
}

/*
 * Two names whose hashes (fmt's key of each, masked) are one, written into
 * a and b: a birthday search over scattered names (FNV-1a keeps
 * consecutive numbers apart). False if none was found.
 */
static bool colliding_names(const char *key_fmt, const char *name_fmt, uint32_t mask,
			    char *a, char *b, size_t size)
{
	enum { N = 400000 };
	struct named_hash *v = calloc(N, sizeof(*v));
	char key[32];
	bool found = false;

	if (!v)
		return false;
	for (unsigned int i = 0; i < N; i++) {
		snprintf(key, sizeof(key), key_fmt, i * 2654435761u);
		v[i].h = dtcp_hash32(key, strlen(key), DTCP_HASH_INIT) & mask;
		v[i].i = i;
	}
	qsort(v, N, sizeof(*v), named_hash_cmp);
	for (unsigned int i = 1; i < N && !found; i++)
		if (v[i].h == v[i - 1].h && v[i].h) {
			snprintf(a, size, name_fmt, v[i - 1].i * 2654435761u);
			snprintf(b, size, name_fmt, v[i].i * 2654435761u);
			found = true;
		}
	free(v);
	return found;
}

/*
 * Two destinations whose kernel ids (31-bit hashes of "group/id") are
 * one: the configuration is refused, since a kernel id names its
 * destination after a restart.
 */
TEST(config_cdest_kid_collision)
{
	char a[16], b[16], err[512] = "", want[600];
	struct dtcp_config *c;
	char *path;

	ASSERT_TRUE(colliding_names("g/d%08x", "d%08x", 0x7fffffff, a, b, sizeof(a)));
	c = two_dests_load(a, b, err, sizeof(err), &path);
	snprintf(want, sizeof(want), "%s:4: content destinations '%s' and '%s' hash to the "
		 "same kernel id: rename one", path, b, a);
	EXPECT_EQ(NULL, c);
	EXPECT_STREQ(want, err);
	dtcp_config_free(c);
	/* The positive control: one of them renamed, it loads. */
	b[0] = 'e';
	c = two_dests_load(a, b, err, sizeof(err), &path);
	EXPECT_NE(NULL, c) TH_LOG("%s", err);
	dtcp_config_free(c);
}

/* Control sources a (group g) and b (group h); err gets the error, if any. */
static struct dtcp_config *two_srcs_load(const char *a, const char *b, char *err, size_t size,
					 char **path)
{
	char conf[512];
	struct dtcp_config *c;

	snprintf(conf, sizeof(conf), "capture-group = (\n"
		 " { name = \"g\"; control-source = ( { id = \"%s\"; service-port = 1;"
		 " shared-key = \"k\"; } ); },\n"
		 " { name = \"h\"; control-source = ( { id = \"%s\"; service-port = 2;"
		 " shared-key = \"k\"; } ); } );\n", a, b);
	*path = write_conf(conf);
	c = dtcp_config_load(*path, err, size);
	unlink(*path);
	return c;
}

/*
 * Two control sources, in two groups, whose kernel owners (32-bit hashes
 * of the Csource-ID) are one: refused, since a restart finds a
 * criterion's source by its owner.
 */
TEST(config_csource_owner_collision)
{
	char a[16], b[16], err[512] = "", want[600];
	struct dtcp_config *c;
	char *path;

	ASSERT_TRUE(colliding_names("s%08x", "s%08x", 0xffffffff, a, b, sizeof(a)));
	c = two_srcs_load(a, b, err, sizeof(err), &path);
	snprintf(want, sizeof(want), "%s:3: control sources '%s' and '%s' hash to the "
		 "same kernel owner: rename one", path, b, a);
	EXPECT_EQ(NULL, c);
	EXPECT_STREQ(want, err);
	dtcp_config_free(c);
	/* In the other order, the error is at the later line all the same. */
	c = two_srcs_load(b, a, err, sizeof(err), &path);
	snprintf(want, sizeof(want), "%s:3: control sources '%s' and '%s' hash to the "
		 "same kernel owner: rename one", path, a, b);
	EXPECT_EQ(NULL, c);
	EXPECT_STREQ(want, err);
	dtcp_config_free(c);
	/* The positive control: one of them renamed, it loads. */
	b[0] = 't';
	c = two_srcs_load(a, b, err, sizeof(err), &path);
	EXPECT_NE(NULL, c) TH_LOG("%s", err);
	dtcp_config_free(c);
}

TEST_HARNESS_MAIN
