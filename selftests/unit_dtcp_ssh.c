// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier tests of DTCP over SSH on dtcpd's side (agent/ssh.c,
 * agent/config_ssh.c): the relay's unix socket for real (SO_PEERCRED
 * against relay-group, the hello naming the peer's own login), the login
 * mapping (ssh-logins), a Seq window per session, the refusals (wrong
 * peer, another uid's login, an unmapped login, a login for another
 * source, an oversized message, limits) each counted, answers and
 * notifications down the session. The core runs on the in-memory kernel.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "dtcp_fixture.h"
#include "ssh.h"

static char conf_text[4096];

/* The test configuration with ssh { } and cs1 mapped to logins (a "%s" list). */
static const char *ssh_conf(const char *group, const char *logins1, const char *extra)
{
	snprintf(conf_text, sizeof(conf_text),
		 "state-file = \"/tmp/unit_dtcp_ssh.state\";\n"
		 "ssh = { socket = \"/tmp/unit_dtcp_ssh.%d.sock\"; relay-group = \"%s\"; %s };\n"
		 "capture-group = ( { name = \"g1\"; interfaces = [ \"m0\" ];\n"
		 "  content-destination = ( { id = \"cd1\"; address = \"192.0.2.50\"; } );\n"
		 "  control-source = (\n"
		 "    { id = \"cs1\"; service-port = 2400; shared-key = \"secret\";\n"
		 "      ssh-logins = [ %s ]; },\n"
		 "    { id = \"cs2\"; service-port = 2401; shared-key = \"other\";\n"
		 "      ssh-logins = [ \"md2\" ]; }\n"
		 "  ); } );\n", (int)getpid(), group, extra, logins1);
	return conf_text;
}

static const char *me(void)
{
	return getpwuid(getuid())->pw_name;
}

static const char *my_group(void)
{
	return getgrgid(getgid())->gr_name;
}

FIXTURE(ssh) {
	struct dtcp_server s;
	struct kfake k;
	struct dtcp_ssh h;
	char *path;
};

static void setup(struct __test_metadata *_metadata, FIXTURE_DATA(ssh) *self,
		  const char *conf)
{
	char err[512];
	struct dtcp_config *c;

	self->path = write_conf(conf);
	c = dtcp_config_load(self->path, err, sizeof(err));
	ASSERT_NE(NULL, c) TH_LOG("%s", err);
	memset(&self->s, 0, sizeof(self->s));
	kfake_init(&self->k);
	ASSERT_EQ(0, dtcp_server_init(&self->s, c));
	srv_wire(&self->s, &self->k);
	self->s.ifindex = fake_ifindex;
	dtcp_ssh_init(&self->h, &self->s);
	ASSERT_EQ(0, dtcp_ssh_sync(&self->h, c));
	n_sent = 0;
	setenv("TZ", "UTC", 1);
}

FIXTURE_SETUP(ssh)
{
	char q[64];

	snprintf(q, sizeof(q), "\"%s\"", me());
	setup(_metadata, self, ssh_conf(my_group(), q, "max-sessions = 3; max-sessions-per-source = 2;"));
}

FIXTURE_TEARDOWN(ssh)
{
	dtcp_ssh_fini(&self->h);
	dtcp_server_fini(&self->s);
	kfake_fini(&self->k);
	unlink(self->path);
}

/* Let dtcpd's side handle whatever is ready, as its poll loop would. */
static void pump(struct dtcp_ssh *h)
{
	for (int round = 0; round < 16; round++) {
		struct pollfd p[64];
		unsigned int n = dtcp_ssh_fds(h, p, 64);
		int r = poll(p, n, 0);

		if (r <= 0)
			return;
		for (unsigned int i = 0; i < n; i++)
			if (p[i].revents)
				dtcp_ssh_ready(h, p[i].fd, p[i].revents);
	}
}

/* A relay: connected, its hello sent ("login L\nfrom F\n"). */
static int relay(struct dtcp_ssh *h, const char *login)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char hello[128];
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", h->path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
		return -1;
	snprintf(hello, sizeof(hello), "login %s\nfrom 192.0.2.9\n", login);
	send(fd, hello, strlen(hello), 0);
	pump(h);
	return fd;
}

/* A signed request of source key/id with seq; sent as one packet. */
static void send_req(struct dtcp_ssh *h, int fd, const char *start, const char *lines,
		     const char *id, const char *key, uint64_t seq)
{
	static struct dtcp_out o;

	dtcp_req_build(&o, start, lines, id, key, seq);
	send(fd, o.buf, o.len, 0);
	pump(h);
}

/* The next packet on the relay's side: its status code (signed with key), 0 if none, -1 closed. */
static int answer(int fd, const char *key)
{
	static char buf[DTCP_MSG_MAX + 1];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n == 0)
		return -1;
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	if (dtcp_msg_parse(&M, buf, n) || !M.auth ||
	    !dtcp_hmac_verify(key, strlen(key), M.raw, M.signed_len, M.auth))
		return 1;
	return M.code;
}

/* Has dtcpd closed fd? */
static bool closed(int fd)
{
	ssize_t n;
	char c;

	/* A peer closed with our packet unread: ECONNRESET, else end of file. */
	n = recv(fd, &c, 1, MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN);
}

#define ADD_LINES "Cdest-ID: cd1|Source-Address: 192.0.2.10|Dest-Address: *|Protocol: 6|" \
	"Timeout-Idle: 600"

TEST_F(ssh, add_list_delete_seq_per_session)
{
	int a = relay(&self->h, me()), b;

	ASSERT_LE(0, a);
	ASSERT_EQ(1, self->h.n);
	EXPECT_TRUE(self->h.v[0].hello);
	send_req(&self->h, a, "ADD DTCP/0.7", ADD_LINES, "cs1", "secret", 1);
	EXPECT_EQ(200, answer(a, "secret"));
	EXPECT_STREQ("cs1", self->h.v[0].src_id);
	send_req(&self->h, a, "LIST DTCP/0.7", "Flags: Criteria", "cs1", "secret", 2);
	EXPECT_EQ(200, answer(a, "secret"));
	EXPECT_NE(NULL, dtcp_msg_get(&M, "Criteria-ID"));
	/* A replay inside the session: dropped silently, counted, the session stays. */
	send_req(&self->h, a, "NOOP DTCP/0.7", "", "cs1", "secret", 2);
	EXPECT_EQ(0, answer(a, "secret"));
	EXPECT_EQ(1, self->h.st.dropped);
	EXPECT_EQ(1, dtcp_server_src(&self->s, "cs1")->st.drop_seq);
	EXPECT_FALSE(closed(a));
	/* A bad HMAC: the same. */
	send_req(&self->h, a, "NOOP DTCP/0.7", "", "cs1", "wrong", 3);
	EXPECT_EQ(0, answer(a, "secret"));
	EXPECT_EQ(1, dtcp_server_src(&self->s, "cs1")->st.drop_auth);
	/* A second session starts at Seq 1 again, as Junos clients do. */
	b = relay(&self->h, me());
	send_req(&self->h, b, "DELETE DTCP/0.7", "Criteria-ID: 1", "cs1", "secret", 1);
	EXPECT_EQ(200, answer(b, "secret"));
	EXPECT_EQ(0, dtcp_server_src(&self->s, "cs1")->n_live);
	/* A notification of cs1 goes down both of its sessions. */
	dtcp_notify(&self->s, dtcp_server_src(&self->s, "cs1"), 390, NULL);
	pump(&self->h);
	EXPECT_EQ(390, answer(a, "secret"));
	EXPECT_EQ(390, answer(b, "secret"));
	close(a);
	close(b);
	pump(&self->h);
	EXPECT_EQ(0, self->h.n);
	EXPECT_EQ(2, self->h.st.closed);
}

TEST_F(ssh, another_source_closes)
{
	int a = relay(&self->h, me());

	/* cs2 is md2's: the login may not speak for it, whatever the key. */
	send_req(&self->h, a, "NOOP DTCP/0.7", "", "cs2", "other", 1);
	EXPECT_EQ(-1, answer(a, "other"));
	EXPECT_EQ(1, dtcp_server_src(&self->s, "cs2")->st.drop_login);
	EXPECT_EQ(1, self->h.st.closed_msg);
	EXPECT_EQ(0, self->h.n);
	/* Garbage closes too; a positive control first. */
	a = relay(&self->h, me());
	send_req(&self->h, a, "NOOP DTCP/0.7", "", "cs1", "secret", 7);
	EXPECT_EQ(200, answer(a, "secret"));
	send(a, "hello\r\n\r\n", 9, 0);
	pump(&self->h);
	EXPECT_TRUE(closed(a));
	EXPECT_EQ(2, self->h.st.closed_msg);
	close(a);
}

TEST_F(ssh, oversized_message_closes)
{
	char *big = malloc(DTCP_MSG_MAX + 1);
	int a = relay(&self->h, me());

	/* The relay's mark: cap + 1 bytes. */
	memset(big, 'X', DTCP_MSG_MAX + 1);
	ASSERT_EQ(DTCP_MSG_MAX + 1, send(a, big, DTCP_MSG_MAX + 1, 0));
	pump(&self->h);
	EXPECT_TRUE(closed(a));
	EXPECT_EQ(1, self->h.st.too_big);
	EXPECT_EQ(1, self->s.st.too_big);
	close(a);
	free(big);
}

TEST_F(ssh, hello_refusals)
{
	const char *other = getuid() ? "root" : "nobody";
	int a;

	/* Another uid's login: refused, whatever the relay says. */
	a = relay(&self->h, other);
	EXPECT_TRUE(closed(a));
	EXPECT_EQ(1, self->h.st.refused_peer);
	close(a);
	/* Not a hello at all. */
	a = relay(&self->h, "bad login!");
	EXPECT_TRUE(closed(a));
	EXPECT_EQ(1, self->h.st.refused_hello);
	close(a);
	EXPECT_EQ(0, self->h.n);
}

TEST_F(ssh, limits)
{
	int fd[4];

	/* max-sessions-per-source 2: the third session of cs1's login is refused. */
	fd[0] = relay(&self->h, me());
	fd[1] = relay(&self->h, me());
	EXPECT_EQ(2, self->h.n);
	fd[2] = relay(&self->h, me());
	EXPECT_TRUE(closed(fd[2]));
	EXPECT_EQ(1, self->h.st.refused_source);
	EXPECT_FALSE(closed(fd[0]));
	for (int i = 0; i < 3; i++)
		close(fd[i]);
	pump(&self->h);
	EXPECT_EQ(0, self->h.n);
}

TEST(unmapped_login_and_wrong_group)
{
	struct _test_data_ssh d, *self = &d;
	const char *other_group = getgid() ? "root" : "nogroup";
	int a;

	/* Mapped to nothing: refused at the hello. */
	setup(_metadata, self, ssh_conf(my_group(), "\"md1\"", ""));
	a = relay(&self->h, me());
	EXPECT_TRUE(closed(a));
	EXPECT_EQ(1, self->h.st.refused_login);
	close(a);
	dtcp_ssh_fini(&self->h);
	dtcp_server_fini(&self->s);
	kfake_fini(&self->k);
	unlink(self->path);

	/* A peer without relay-group: refused before anything is read. */
	if (!getgrnam(other_group))
		SKIP(return, "no group %s", other_group);
	{
		char q[64];

		snprintf(q, sizeof(q), "\"%s\"", me());
		setup(_metadata, self, ssh_conf(other_group, q, ""));
	}
	a = relay(&self->h, me());
	EXPECT_TRUE(closed(a));
	EXPECT_EQ(1, self->h.st.refused_peer);
	EXPECT_EQ(0, self->h.n);
	close(a);
	dtcp_ssh_fini(&self->h);
	dtcp_server_fini(&self->s);
	kfake_fini(&self->k);
	unlink(self->path);
}

TEST(rate_limit)
{
	struct _test_data_ssh d, *self = &d;
	char q[64];
	int fd[3];

	snprintf(q, sizeof(q), "\"%s\"", me());
	setup(_metadata, self, ssh_conf(my_group(), q, "rate-limit = 2;"));
	for (int i = 0; i < 3; i++)
		fd[i] = relay(&self->h, me());
	EXPECT_FALSE(closed(fd[0]));
	EXPECT_TRUE(closed(fd[2]));
	EXPECT_EQ(1, self->h.st.refused_rate);
	/* A minute later, one more is welcome. */
	fake_mono += 60000;
	close(fd[2]);
	fd[2] = relay(&self->h, me());
	EXPECT_FALSE(closed(fd[2]));
	EXPECT_EQ(3, self->h.n);
	for (int i = 0; i < 3; i++)
		close(fd[i]);
	dtcp_ssh_fini(&self->h);
	dtcp_server_fini(&self->s);
	kfake_fini(&self->k);
	unlink(self->path);
}

/* The mapping and the configuration's checks, with file:line. */
TEST(config_logins)
{
	char err[512], q[64];
	struct dtcp_config *c;
	char *p;

	snprintf(q, sizeof(q), "\"%s\", \"md9\"", me());
	p = write_conf(ssh_conf(my_group(), q, ""));
	c = dtcp_config_load(p, err, sizeof(err));
	ASSERT_NE(NULL, c) TH_LOG("%s", err);
	EXPECT_EQ(1, dtcp_config_login_sources(c, "md9"));
	EXPECT_EQ(1, dtcp_config_login_sources(c, "md2"));
	EXPECT_EQ(0, dtcp_config_login_sources(c, "md3"));
	EXPECT_TRUE(dtcp_csource_has_login(dtcp_config_source(c, "cs2"), "md2"));
	EXPECT_FALSE(dtcp_csource_has_login(dtcp_config_source(c, "cs1"), "md2"));
	EXPECT_EQ(75 + 0, c->ssh.max_sessions);
	dtcp_config_free(c);
	unlink(p);

	p = write_conf(ssh_conf(my_group(), "\"bad/login\"", ""));
	EXPECT_EQ(NULL, dtcp_config_load(p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, ":7: control source 'cs1': ssh login 'bad/login'")) TH_LOG("%s", err);
	unlink(p);
	p = write_conf(ssh_conf("no-such-group-here", "\"md1\"", ""));
	EXPECT_EQ(NULL, dtcp_config_load(p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, ":2: ssh relay-group 'no-such-group-here'")) TH_LOG("%s", err);
	unlink(p);
	p = write_conf(ssh_conf(my_group(), "\"md1\"", "max-sessions = 0;"));
	EXPECT_EQ(NULL, dtcp_config_load(p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "'max-sessions' must be in 1..1024")) TH_LOG("%s", err);
	unlink(p);
	/* ssh-logins without an ssh group: an error, not a silent nothing. */
	p = write_conf("capture-group = ( { name = \"g1\"; control-source = ( { id = \"cs1\";\n"
		       "  service-port = 2400; shared-key = \"k\"; ssh-logins = \"md1\"; } ); } );\n");
	EXPECT_EQ(NULL, dtcp_config_load(p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "has ssh-logins, but there is no 'ssh' group")) TH_LOG("%s", err);
	unlink(p);
}

TEST(hello_parse)
{
	struct sockaddr_storage ss;
	char login[33];

	EXPECT_EQ(0, dtcp_ssh_hello_parse("login md1\nfrom 2001:db8::1\n", 27, login, &ss));
	EXPECT_STREQ("md1", login);
	EXPECT_EQ(AF_INET6, ss.ss_family);
	EXPECT_EQ(0, dtcp_ssh_hello_parse("login md1\nfrom \n", 16, login, &ss));
	EXPECT_EQ(AF_UNSPEC, ss.ss_family);
	EXPECT_EQ(-EINVAL, dtcp_ssh_hello_parse("login md1\nfrom x\n", 17, login, &ss));
	EXPECT_EQ(-EINVAL, dtcp_ssh_hello_parse("login \nfrom \n", 13, login, &ss));
	EXPECT_EQ(-EINVAL, dtcp_ssh_hello_parse("login a\x1b" "b\nfrom \n", 15, login, &ss));
	EXPECT_EQ(-EINVAL, dtcp_ssh_hello_parse("login md1\nfrom \nmore", 20, login, &ss));
	EXPECT_EQ(-EINVAL, dtcp_ssh_hello_parse("login md1\0\nfrom \n", 17, login, &ss));
}

TEST_HARNESS_MAIN
