// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Key files. See key.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/crypto.h>

#include "key.h"

int dtcp_key_read(const char *file, bool strict, uint8_t **key, size_t *len, char *why,
		  size_t whylen)
{
	uint8_t buf[DTCP_KEY_FILE_MAX];
	struct stat st;
	ssize_t n = 0, r;
	int err = 0, fd;

	*key = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO named as key file must not hang dtcpd (refused below). */
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		err = -errno;
		snprintf(why, whylen, "%s", strerror(-err));
		return err;
	}
	/* The file read is the file checked: fstat, not stat. */
	if (fstat(fd, &st)) {
		err = -errno;
		snprintf(why, whylen, "%s", strerror(-err));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		snprintf(why, whylen, "not a regular file");
		goto out;
	}
	if (strict && dtcp_key_mode_open(st.st_mode)) {
		err = -EACCES;
		snprintf(why, whylen, "permissions %04o for '%s' are too open: a key file must "
			 "not be accessible by group or others (chmod 600, or set "
			 "insecure-key-permissions)", (unsigned int)(st.st_mode & 07777), file);
		goto out;
	}
	while (n < (ssize_t)sizeof(buf) && (r = read(fd, buf + n, sizeof(buf) - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			snprintf(why, whylen, "%s", strerror(-err));
			goto out;
		}
		n += r;
	}
	if (n == sizeof(buf)) {
		err = -EFBIG;
		snprintf(why, whylen, "longer than %d bytes", DTCP_KEY_FILE_MAX - 1);
		goto out;
	}
	/* A key file written with echo ends in a newline that is not key. */
	if (n && buf[n - 1] == '\n')
		n--;
	if (n && buf[n - 1] == '\r')
		n--;
	if (!n) {
		err = -ENODATA;
		snprintf(why, whylen, "empty key");
		goto out;
	}
	*key = malloc(n + 1);	/* NUL-terminated for whoever prints it (never) or strcmp's it */
	if (!*key) {
		err = -ENOMEM;
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	memcpy(*key, buf, n);
	(*key)[n] = '\0';
	*len = n;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return err;
}

void dtcp_key_howto(const char *file, char *buf, size_t size)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				    "0123456789/._-+,:@%=";
	char q[DTCP_KEY_PATH_QUOTED];
	const char *p = file;
	size_t n = 0;

	if (*file && strspn(file, plain) == strlen(file)) {
		n = snprintf(q, sizeof(q), "%s", file);
		p += strlen(p);
	} else {
		/* In single quotes, a quote as '\'' */
		q[n++] = '\'';
		for (; *p && n + 6 < sizeof(q) && (unsigned char)*p >= 0x20 && *p != 0x7f; p++) {
			if (*p == '\'')
				n += snprintf(q + n, sizeof(q) - n, "'\\''");
			else
				q[n++] = *p;
		}
		q[n++] = '\'';
		q[n] = '\0';
	}
	/* Cut short (too long, a control character): not to be pasted into a shell. */
	if (*p || n >= sizeof(q))
		snprintf(q, sizeof(q), "FILE");
	snprintf(buf, size, "umask 077; " DTCP_KEY_GEN " > %s", q);
}

const char *dtcp_key_path(const char *name, char *buf, size_t len)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	int n;

	if (!dir || !*dir || strchr(name, '/'))
		return name;
	n = snprintf(buf, len, "%s/%s", dir, name);
	return n >= 0 && (size_t)n < len ? buf : name;
}

void dtcp_key_free(void *key, size_t len)
{
	if (key)
		OPENSSL_cleanse(key, len);
	free(key);
}
