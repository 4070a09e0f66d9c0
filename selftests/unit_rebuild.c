// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier test of dtcpd's restart rebuild at scale (agent/rebuild.c):
 * N criteria of one control source (4000; DTCP_REBUILD_N=40000 for the
 * size of a large deployment), half of them with two kernel criteria (two
 * destinations), taken over from the in-memory kernel. The rebuild must
 * be linear: it is timed at N/4 and at N criteria, and four times the
 * criteria may not take more than 8 times as long (a quadratic rebuild
 * takes 16 times as long). The time is the process's CPU time, the best
 * of three rebuilds of the same kernel: wall time counted the waits of a
 * host busy with guests (one CI run measured x8.6 for a linear rebuild).
 */
#include <time.h>

#include "kselftest_harness.h"
#include "dtcp_srv.h"

static const char conf[] =
	"capture-group = ( { name = \"g1\";\n"
	"  content-destination = ( { id = \"cd1\"; address = \"192.0.2.50\"; },\n"
	"    { id = \"cd2\"; address = \"192.0.2.51\"; } );\n"
	"  control-source = ( { id = \"cs1\"; service-port = 2400; shared-key = \"secret\";\n"
	"    max-criteria = 100000; } ); } );\n";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Fill a kernel with n criteria through dtcpd, then time a new dtcpd's rebuild. */
static double rebuild_time(struct __test_metadata *_metadata, unsigned int n)
{
	static struct tsrv a, b;
	double t0, t;

	t0 = now();
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	kfake_init(&a.k);
	if (tsrv_start(&a, conf))
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		char l[256];

		snprintf(l, sizeof(l), "Cdest-ID: %s|Source-Address: 10.%u.%u.%u|Timeout-Idle: 600",
			 i % 2 ? "cd1,cd2" : "cd1", i >> 16, (i >> 8) & 255, i & 255);
		if (tsrv_req(&a, "cs1", "secret", 2400, 1 + i, "ADD DTCP/0.7", l, NULL) != 1 ||
		    tsrv_code(&a, "secret", 0) != 200)
			return -1;
	}
	fprintf(stderr, "# filled %u in %.3f s of CPU\n", n, now() - t0);
	t = -1;
	for (int run = 0; run < 3; run++) {
		unsigned int found;
		double t1;

		memset(&b, 0, sizeof(b));
		b.k = a.k;
		if (tsrv_start(&b, conf))
			return -1;
		t0 = now();
		EXPECT_EQ(0, dtcp_server_rebuild(&b.s, &found));
		t1 = now() - t0;
		if (t < 0 || t1 < t)
			t = t1;
		EXPECT_EQ(n, found);
		EXPECT_EQ(n, dtcp_server_src(&b.s, "cs1")->n_live);
		EXPECT_STREQ("cd1,cd2", dtcp_src_find(dtcp_server_src(&b.s, "cs1"), 2)->cdests);
		EXPECT_EQ(n, dtcp_src_find(dtcp_server_src(&b.s, "cs1"), n)->id);
		tsrv_stop(&b);
		unlink(b.path);
	}
	tsrv_stop(&a);
	kfake_fini(&a.k);
	return t;
}

FIXTURE(big) {};
FIXTURE_SETUP(big) {}
FIXTURE_TEARDOWN(big) {}

TEST_F_TIMEOUT(big, rebuild_is_linear, 600)
{
	/* DTCP_REBUILD_N=40000: the size of a large deployment (slow to fill under ASan). */
	const char *env = getenv("DTCP_REBUILD_N");
	unsigned int n = env ? (unsigned int)atoi(env) : 4000;
	double t10 = rebuild_time(_metadata, n / 4);
	double t40 = rebuild_time(_metadata, n);

	ASSERT_GT(t10, 0);
	ASSERT_GT(t40, 0);
	fprintf(stderr, "# rebuild: %u criteria in %.3f s, %u in %.3f s (x%.1f)\n", n / 4, t10, n,
		t40, t40 / t10);
	EXPECT_LT(t40 / t10, 8.0);
}

TEST_HARNESS_MAIN
