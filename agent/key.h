/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shared keys: the one reader of key files (dtcpd's key-file, dtcpc -K),
 * the permission rule for files holding a key, and wiping keys from
 * memory (OPENSSL_cleanse: a plain memset before free may be optimised
 * away).
 */
#ifndef DTCP_KEY_H
#define DTCP_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DTCP_KEY_FILE_MAX 4096	/* bytes a key file may hold, its final newline included */
#define DTCP_KEY_PATH_MAX 4096	/* dtcp_key_path()'s buffer */

/*
 * Is a file with this mode too open to hold a key? Any access by group or
 * others is, as ssh has it for private keys.
 */
static inline bool dtcp_key_mode_open(mode_t mode)
{
	return mode & 077;
}

/*
 * Read a key file: its bytes, less one final newline ("\n" or "\r\n").
 * strict: refuse a file dtcp_key_mode_open() says is too open. 0, or
 * -errno with why set (-EACCES: "permissions 0644 for 'FILE' are too
 * open"; -EFBIG, -ENODATA for an empty key). *key: malloc'd, for
 * dtcp_key_free().
 */
int dtcp_key_read(const char *file, bool strict, uint8_t **key, size_t *len, char *why,
		  size_t whylen);
/* A good key, as text: 32 random bytes in hex. */
#define DTCP_KEY_GEN "openssl rand -hex 32"
/*
 * The shell command that writes a good key file, mode 0600: "umask 077;
 * openssl rand -hex 32 > FILE" (FILE quoted for the shell if need be).
 */
void dtcp_key_howto(const char *file, char *buf, size_t size);
#define DTCP_KEY_PATH_QUOTED 256	/* longer, or with control characters: "FILE" */

/*
 * The file a key-file setting names: a bare name (no '/') is a credential
 * when systemd gave dtcpd some (LoadCredential=, which sets
 * $CREDENTIALS_DIRECTORY): that directory's file of that name. Anything
 * else is the path as written. Returns the path (buf, or name itself).
 */
const char *dtcp_key_path(const char *name, char *buf, size_t len);
/* Wipe and free. */
void dtcp_key_free(void *key, size_t len);

#endif /* DTCP_KEY_H */
