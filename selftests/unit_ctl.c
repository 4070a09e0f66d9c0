// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier test of dtcpd's control socket (agent/ctl.c) over a real
 * AF_UNIX socket: a reply far larger than the socket buffer (the criteria
 * of a source with thousands of them) arrives whole while the client
 * reads it slowly, and the next request on the connection is answered
 * after it. The status request's list of capture interfaces.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <jansson.h>

#include "kselftest_harness.h"
#include "ctl.h"
#include "dtcp_srv.h"
#include "link.h"

static const char conf[] =
	"capture-group = ( { name = \"g1\";\n"
	"  content-destination = ( { id = \"cd1\"; address = \"192.0.2.50\"; } );\n"
	"  control-source = ( { id = \"cs1\"; service-port = 2400; shared-key = \"secret\";\n"
	"    max-criteria = 10000; } ); } );\n";

#define N_CRIT 3000

/* What the client has read and not yet consumed. */
static char rbuf[1 << 24];
static size_t rlen;

/*
 * Run dtcpd's side until the client has a whole line (or 5 s without
 * progress); the line (malloc'd) is taken out of rbuf.
 */
static char *reply_line(struct dtcp_ctl *ctl, int cfd, size_t *got_len, unsigned int *rounds)
{
	char *nl, *line;

	*rounds = 0;
	while (!(nl = memchr(rbuf, '\n', rlen))) {
		struct pollfd pfd[DTCP_CTL_CLIENTS + 2];
		unsigned int n = dtcp_ctl_fds(ctl, pfd, DTCP_CTL_CLIENTS + 1);
		ssize_t r;

		pfd[n] = (struct pollfd){ cfd, POLLIN, 0 };
		if (poll(pfd, n + 1, 5000) <= 0)
			break;
		for (unsigned int i = 0; i < n; i++)
			if (pfd[i].revents)
				dtcp_ctl_ready(ctl, pfd[i].fd, pfd[i].revents);
		if (!(pfd[n].revents & (POLLIN | POLLHUP)))
			continue;
		(*rounds)++;
		/* A slow reader: at most 4 KiB at a time. */
		r = recv(cfd, rbuf + rlen, 4096, MSG_DONTWAIT);
		if (r == 0)
			break; /* dtcpd closed the connection */
		if (r > 0)
			rlen += r;
	}
	*got_len = nl ? (size_t)(nl - rbuf) : rlen;
	line = strndup(rbuf, *got_len);
	if (nl) {
		rlen -= *got_len + 1;
		memmove(rbuf, nl + 1, rlen);
	} else {
		rlen = 0;
	}
	return line;
}

TEST(large_reply_streamed)
{
	static struct tsrv t;
	struct dtcp_ctl ctl = { 0 };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char sock[64] = "/tmp/unit_ctl.XXXXXX";
	const char *req = "{\"cmd\":\"criteria\",\"source\":\"cs1\"}\n{\"cmd\":\"status\"}\n";
	json_error_t jerr;
	unsigned int rounds;
	size_t len;
	json_t *o;
	char *line;
	int cfd;

	kfake_init(&t.k);
	ASSERT_EQ(0, tsrv_start(&t, conf));
	for (unsigned int i = 0; i < N_CRIT; i++) {
		char l[256];

		snprintf(l, sizeof(l), "Cdest-ID: cd1|Source-Address: 10.%u.%u.%u|Timeout-Idle: 600",
			 i >> 16, (i >> 8) & 255, i & 255);
		ASSERT_EQ(1, tsrv_req(&t, "cs1", "secret", 2400, 100 + i, "ADD DTCP/0.7", l, NULL));
		ASSERT_EQ(200, tsrv_code(&t, "secret", 0));
	}
	ASSERT_EQ(N_CRIT, dtcp_server_src(&t.s, "cs1")->n_live);
	ASSERT_NE(NULL, mkdtemp(sock));
	strcat(sock, "/s");
	ctl.s = &t.s;
	ASSERT_EQ(0, dtcp_ctl_open(&ctl, sock));
	strcpy(sun.sun_path, sock);
	cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_EQ(0, connect(cfd, (struct sockaddr *)&sun, sizeof(sun)));
	/* Two requests in one write: the second is answered after the first is out. */
	ASSERT_EQ((ssize_t)strlen(req), write(cfd, req, strlen(req)));
	line = reply_line(&ctl, cfd, &len, &rounds);
	o = json_loads(line, 0, &jerr);
	ASSERT_NE(NULL, o) TH_LOG("reply of %zu bytes cut off: %s", len, jerr.text);
	EXPECT_TRUE(json_is_true(json_object_get(o, "ok")));
	EXPECT_EQ(N_CRIT, json_array_size(json_object_get(o, "criteria")));
	EXPECT_GT(len, 200000) TH_LOG("the reply must be larger than the socket buffer");
	EXPECT_GT(rounds, 10);
	json_decref(o);
	free(line);
	line = reply_line(&ctl, cfd, &len, &rounds);
	o = json_loads(line, 0, &jerr);
	ASSERT_NE(NULL, o) TH_LOG("second reply: %s", jerr.text);
	EXPECT_EQ(N_CRIT, json_integer_value(json_object_get(o, "criteria")));
	json_decref(o);
	free(line);
	close(cfd);
	dtcp_ctl_close(&ctl);
	*strrchr(sock, '/') = '\0';
	rmdir(sock);
	tsrv_stop(&t);
	kfake_fini(&t.k);
}

/* counter NAME of a status answer (-1 if absent). */
static json_int_t status_counter(struct dtcp_ctl *ctl, const char *name)
{
	char *out = dtcp_ctl_request(ctl, "{\"cmd\":\"status\"}");
	json_t *o = json_loads(out, 0, NULL);
	json_t *v = json_object_get(json_object_get(o, "counters"), name);
	json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;

	json_decref(o);
	free(out);
	return n;
}

/* The status counts the kernel's lost ADD acknowledgements, as its batch reports them. */
TEST(status_acks_recovered)
{
	static struct tsrv t;
	struct dtcp_ctl ctl = { .fd = -1 };

	kfake_init(&t.k);
	ASSERT_EQ(0, tsrv_start(&t, conf));
	ctl.s = &t.s;
	EXPECT_EQ(0, status_counter(&ctl, "kernel_acks_recovered"));
	t.k.recovered = 3;
	EXPECT_EQ(3, status_counter(&ctl, "kernel_acks_recovered"));
	tsrv_stop(&t);
	kfake_fini(&t.k);
}

/* The status request lists the capture interfaces as agent/link.c keeps them. */
TEST(status_interfaces)
{
	static struct tsrv t;
	struct dtcp_link_if v[3] = {
		{ .name = "m0", .group = "g1", .state = DTCP_LINK_ATTACHED, .ifindex = 7 },
		{ .name = "m\001", .group = "g1", .state = DTCP_LINK_ABSENT },
		{ .name = "lo", .group = "g2", .state = DTCP_LINK_FAILED, .err = -EINVAL,
		  .why = "not an Ethernet interface" },
	};
	struct dtcp_links l = { .v = v, .n = 3, .lost = 2 };
	struct dtcp_ctl ctl = { .fd = -1 };
	json_t *o, *a;
	char *out;

	kfake_init(&t.k);
	ASSERT_EQ(0, tsrv_start(&t, conf));
	ctl.s = &t.s;
	/* Without the table (a core with no links), no member at all. */
	out = dtcp_ctl_request(&ctl, "{\"cmd\":\"status\"}");
	o = json_loads(out, 0, NULL);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(NULL, json_object_get(o, "interfaces"));
	json_decref(o);
	free(out);
	ctl.links = &l;
	out = dtcp_ctl_request(&ctl, "{\"cmd\":\"status\"}");
	o = json_loads(out, 0, NULL);
	ASSERT_NE(NULL, o) TH_LOG("%s", out);
	EXPECT_EQ(2, json_integer_value(json_object_get(json_object_get(o, "counters"),
							"link_events_lost")));
	a = json_object_get(o, "interfaces");
	ASSERT_EQ(3, json_array_size(a));
	EXPECT_STREQ("m0", json_string_value(json_object_get(json_array_get(a, 0), "name")));
	EXPECT_STREQ("attached", json_string_value(json_object_get(json_array_get(a, 0), "state")));
	EXPECT_EQ(7, json_integer_value(json_object_get(json_array_get(a, 0), "ifindex")));
	EXPECT_EQ(NULL, json_object_get(json_array_get(a, 0), "error"));
	/* A control character reaches JSON escaped, as the string it is. */
	EXPECT_NE(NULL, strstr(out, "\"m\\u0001\""));
	EXPECT_STREQ("absent", json_string_value(json_object_get(json_array_get(a, 1), "state")));
	EXPECT_EQ(NULL, json_object_get(json_array_get(a, 1), "ifindex"));
	EXPECT_EQ(NULL, json_object_get(json_array_get(a, 1), "error"));
	EXPECT_STREQ("g2", json_string_value(json_object_get(json_array_get(a, 2), "group")));
	EXPECT_STREQ("failed", json_string_value(json_object_get(json_array_get(a, 2), "state")));
	EXPECT_STREQ("not an Ethernet interface",
		     json_string_value(json_object_get(json_array_get(a, 2), "error")));
	EXPECT_EQ(NULL, json_object_get(json_array_get(a, 2), "ifindex"));
	json_decref(o);
	free(out);
	tsrv_stop(&t);
	kfake_fini(&t.k);
}

TEST_HARNESS_MAIN
