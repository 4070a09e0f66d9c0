// SPDX-License-Identifier: GPL-2.0
/*
 * Host-tier tests of dtcpd's secrets: a crypto failure rejects (the
 * request is dropped, never taken as signed), and a key in a file that
 * group or others may read is refused. Against the in-memory kernel
 * (agent/kfake.c).
 */
#include <errno.h>
#include <sys/stat.h>
#include <openssl/evp.h>

#include "dtcp_fixture.h"
#include "key.h"

/* ---- HMAC: a crypto failure rejects ---- */

static unsigned int zero_signed_noop(struct _test_data_srv *self)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "NOOP DTCP/0.7\r\nCsource-ID: cs1\r\nSeq: %" PRIu64
			 "\r\nAuthentication-Info: %040d\r\n\r\n", ++self->seq[0], 0);

	dtcp_replies_clear(&self->r);
	dtcp_server_handle(&self->s, (struct sockaddr *)&self->from, 2400, buf, n, &self->r);
	return self->r.n;
}

TEST_F(srv, hmac_crypto_failure)
{
	static const char data[] = "NOOP DTCP/0.7\r\n";
	char hex[41], good[41], zeros[41];
	struct dtcp_out o;
	uint64_t drops = self->s.srcs[0]->st.drop_auth;

	snprintf(zeros, sizeof(zeros), "%040d", 0);
	ASSERT_EQ(0, dtcp_hmac_hex("secret", 6, data, sizeof(data) - 1, good));
	ASSERT_TRUE(dtcp_hmac_verify("secret", 6, data, sizeof(data) - 1, good));
	ASSERT_EQ(1, req(self, 0, "NOOP DTCP/0.7", ""));
	ASSERT_EQ(200, reply(self, 0, 0));

	/*
	 * SHA-1 unavailable to libcrypto (no FIPS provider here): every HMAC
	 * fails once the keyed context is built again (as a reload does).
	 */
	ASSERT_EQ(1, EVP_set_default_properties(NULL, "fips=yes"));
	dtcp_hmac_reset();
	EXPECT_EQ(-1, dtcp_hmac_hex("secret", 6, data, sizeof(data) - 1, hex));
	EXPECT_STREQ("", hex);
	EXPECT_FALSE(dtcp_hmac_verify("secret", 6, data, sizeof(data) - 1, zeros));
	EXPECT_FALSE(dtcp_hmac_verify("secret", 6, data, sizeof(data) - 1, good));
	EXPECT_EQ(-1, dtcp_hmac_hex("", 0, "", 0, hex));
	EXPECT_EQ(0, zero_signed_noop(self));
	EXPECT_EQ(drops + 1, self->s.srcs[0]->st.drop_auth);
	/* Nothing unsigned goes out either. */
	dtcp_out_init(&o, false);
	dtcp_out_status(&o, DTCP_VER_CUR, 200, NULL);
	dtcp_out_sign(&o, "secret", 6);
	EXPECT_TRUE(o.overflow);
	ASSERT_EQ(1, EVP_set_default_properties(NULL, ""));

	/* Crypto back: the zero signature is just wrong, a good one works. */
	EXPECT_EQ(0, zero_signed_noop(self));
	EXPECT_EQ(drops + 2, self->s.srcs[0]->st.drop_auth);
	ASSERT_EQ(1, req(self, 0, "NOOP DTCP/0.7", ""));
	EXPECT_EQ(200, reply(self, 0, 0));
}

/* ---- secrets in files others may read ---- */

static char *key_file(const char *text, mode_t mode)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/unit_dtcp_keyXXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fchmod(fd, mode))
		abort();
	close(fd);
	return path;
}

/* Load text written with mode; err "" if it loaded. */
static void load_mode(const char *text, mode_t mode, char *err, size_t errlen)
{
	char *path = write_conf(text);
	struct dtcp_config *c;

	if (chmod(path, mode))
		abort();
	err[0] = '\0';
	c = dtcp_config_load(path, err, errlen);
	if (c)
		err[0] = '\0';
	else if (!err[0])
		snprintf(err, errlen, "failed, no reason");
	dtcp_config_free(c);
	unlink(path);
}

TEST(key_file_permissions)
{
	static const mode_t open_modes[] = { 0644, 0640, 0604, 0620, 0602, 0610, 0601 };
	char kf[64], conf[512], err[512];
	uint8_t *key;
	size_t len;

	snprintf(kf, sizeof(kf), "%s", key_file("Juniper\n", 0600));
	snprintf(conf, sizeof(conf), "capture-group = ( { name = \"g\"; control-source = ( {\n"
		 " id = \"a\"; service-port = 1;\n key-file = \"%s\"; } ); } );\n", kf);
	load_mode(conf, 0644, err, sizeof(err));	/* the file names the key, holds none */
	EXPECT_STREQ("", err);
	for (unsigned int i = 0; i < sizeof(open_modes) / sizeof(open_modes[0]); i++) {
		char want[128];

		ASSERT_EQ(0, chmod(kf, open_modes[i]));
		load_mode(conf, 0600, err, sizeof(err));
		snprintf(want, sizeof(want), "permissions %04o for '%s' are too open",
			 (unsigned int)open_modes[i], kf);
		EXPECT_NE(NULL, strstr(err, want)) TH_LOG("%s", err);
		EXPECT_NE(NULL, strstr(err, ":3: control source 'a': key file")) TH_LOG("%s", err);
		EXPECT_EQ(-EACCES, dtcp_key_read(kf, true, &key, &len, err, sizeof(err)));
		EXPECT_EQ(NULL, key);
	}
	/* Said explicitly: taken. */
	snprintf(conf, sizeof(conf), "insecure-key-permissions = true;\n"
		 "capture-group = ( { name = \"g\"; control-source = ( {\n"
		 " id = \"a\"; service-port = 1;\n key-file = \"%s\"; } ); } );\n", kf);
	load_mode(conf, 0600, err, sizeof(err));
	EXPECT_STREQ("", err);
	ASSERT_EQ(0, chmod(kf, 0400));
	snprintf(conf, sizeof(conf), "capture-group = ( { name = \"g\"; control-source = ( {\n"
		 " id = \"a\"; service-port = 1;\n key-file = \"%s\"; } ); } );\n", kf);
	load_mode(conf, 0600, err, sizeof(err));
	EXPECT_STREQ("", err);

	/* The one reader: final newline (CRLF too) is not key; empty, too long, not a file. */
	ASSERT_EQ(0, dtcp_key_read(kf, true, &key, &len, err, sizeof(err)));
	EXPECT_EQ(7, len);
	EXPECT_EQ(0, memcmp("Juniper", key, 7));
	dtcp_key_free(key, len);
	unlink(kf);
	snprintf(kf, sizeof(kf), "%s", key_file("\r\n", 0600));
	EXPECT_EQ(-ENODATA, dtcp_key_read(kf, true, &key, &len, err, sizeof(err)));
	unlink(kf);
	{
		char big[DTCP_KEY_FILE_MAX + 1];

		memset(big, 'k', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		snprintf(kf, sizeof(kf), "%s", key_file(big, 0600));
		EXPECT_EQ(-EFBIG, dtcp_key_read(kf, true, &key, &len, err, sizeof(err)));
		unlink(kf);
		big[DTCP_KEY_FILE_MAX - 1] = '\0';
		snprintf(kf, sizeof(kf), "%s", key_file(big, 0600));
		EXPECT_EQ(0, dtcp_key_read(kf, true, &key, &len, err, sizeof(err)));
		EXPECT_EQ(DTCP_KEY_FILE_MAX - 1, len);
		dtcp_key_free(key, len);
		unlink(kf);
	}
	EXPECT_EQ(-EINVAL, dtcp_key_read("/tmp", false, &key, &len, err, sizeof(err)));
	EXPECT_EQ(-ENOENT, dtcp_key_read("/nonexistent/key", false, &key, &len, err, sizeof(err)));
}

TEST(shared_key_permissions)
{
	static const char conf[] = "capture-group = ( { name = \"g\"; control-source = ( {\n"
				   " id = \"a\"; service-port = 1;\n shared-key = \"k\"; } ); } );\n";
	static const char lax[] = "insecure-key-permissions = true;\n"
				  "capture-group = ( { name = \"g\"; control-source = ( {\n"
				  " id = \"a\"; service-port = 1;\n shared-key = \"k\"; } ); } );\n";
	char err[512];

	load_mode(conf, 0600, err, sizeof(err));
	EXPECT_STREQ("", err);
	load_mode(conf, 0400, err, sizeof(err));
	EXPECT_STREQ("", err);
	load_mode(conf, 0644, err, sizeof(err));
	EXPECT_NE(NULL, strstr(err, ":3: control source 'a': shared-key in a file with permissions "
			       "0644: too open")) TH_LOG("%s", err);
	load_mode(conf, 0640, err, sizeof(err));
	EXPECT_NE(NULL, strstr(err, "permissions 0640")) TH_LOG("%s", err);
	load_mode(conf, 0602, err, sizeof(err));
	EXPECT_NE(NULL, strstr(err, "permissions 0602")) TH_LOG("%s", err);
	load_mode(lax, 0644, err, sizeof(err));
	EXPECT_STREQ("", err);
	/* The setting is a boolean like any other. */
	load_mode("insecure-key-permissions = 1;\n", 0600, err, sizeof(err));
	EXPECT_NE(NULL, strstr(err, "insecure-key-permissions")) TH_LOG("%s", err);
}

TEST_HARNESS_MAIN
