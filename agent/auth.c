// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * HMAC, sequence window and state file. See auth.h.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"
#include "msg.h"

/* 0, or -1 if libcrypto failed: then out means nothing and must not be used. */
static int hmac(const void *key, size_t key_len, const void *data, size_t len,
		unsigned char out[DTCP_SHA1_LEN])
{
	unsigned int olen = 0;
	static const unsigned char empty;

	if (key_len > INT_MAX)
		return -1;
	/* OpenSSL wants a non-NULL key pointer even for an empty key. */
	if (!HMAC(EVP_sha1(), key_len ? key : &empty, (int)key_len,
		  len ? data : &empty, len, out, &olen) || olen != DTCP_SHA1_LEN)
		return -1;
	return 0;
}

int dtcp_hmac_hex(const void *key, size_t key_len, const void *data, size_t len,
		  char out[41])
{
	static const char hexd[] = "0123456789abcdef";
	unsigned char d[DTCP_SHA1_LEN];

	out[0] = '\0';
	if (hmac(key, key_len, data, len, d))
		return -1;
	for (int i = 0; i < DTCP_SHA1_LEN; i++) {
		out[2 * i] = hexd[d[i] >> 4];
		out[2 * i + 1] = hexd[d[i] & 15];
	}
	out[40] = '\0';
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool dtcp_hmac_verify(const void *key, size_t key_len, const void *data, size_t len,
		      const char *hex)
{
	unsigned char want[DTCP_SHA1_LEN], got[DTCP_SHA1_LEN];

	if (!hex || strlen(hex) != 2 * DTCP_SHA1_LEN)
		return false;
	for (int i = 0; i < DTCP_SHA1_LEN; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		want[i] = hi << 4 | lo;
	}
	/* A crypto failure rejects: nothing is compared with a digest never computed. */
	if (hmac(key, key_len, data, len, got))
		return false;
	return !CRYPTO_memcmp(want, got, DTCP_SHA1_LEN);
}

/* ---- sequence window ---- */

static bool seen(const struct dtcp_seq *w, uint64_t s)
{
	unsigned int b = s % DTCP_SEQ_RING;

	return w->seen[b / 64] >> (b % 64) & 1;
}

static void mark(struct dtcp_seq *w, uint64_t s, bool on)
{
	unsigned int b = s % DTCP_SEQ_RING;

	if (on)
		w->seen[b / 64] |= 1ULL << (b % 64);
	else
		w->seen[b / 64] &= ~(1ULL << (b % 64));
}

enum dtcp_seq_verdict dtcp_seq_check(const struct dtcp_seq *w, uint64_t s)
{
	/* Distance in the 2^64 circle: a wrap past zero reads as a small step. */
	int64_t d = (int64_t)(s - w->max);

	if (!w->have)
		return DTCP_SEQ_OK; /* the first authentic message sets the baseline */
	if (d >= 1 && d <= DTCP_SEQ_WINDOW)
		return DTCP_SEQ_OK;
	if (d >= -DTCP_SEQ_WINDOW && d <= 0)
		return d == 0 || seen(w, s) ? DTCP_SEQ_REPLAY : DTCP_SEQ_OK;
	return DTCP_SEQ_OUTSIDE;
}

/*
 * Slots of values above max are cleared as max moves over them, so the
 * slot of any s in [max - 256, max] tells exactly whether s was seen.
 */
bool dtcp_seq_accept(struct dtcp_seq *w, uint64_t s)
{
	int64_t d = (int64_t)(s - w->max);
	bool rolled = false;

	if (!w->have) {
		dtcp_seq_reset(w);
		w->have = true;
		w->max = s;
	} else if (d > 0) {
		for (int64_t k = 1; k <= d; k++)
			mark(w, w->max + k, false);
		/* Legal only from a max with its top bit set: check() saw to that. */
		rolled = s < w->max;
		w->max = s;
	}
	mark(w, s, true);
	return rolled;
}

void dtcp_seq_reset(struct dtcp_seq *w)
{
	memset(w, 0, sizeof(*w));
}

/* ---- state file ---- */

void dtcp_boot_id(char out[40])
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, 40, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

static int fsync_dir(const char *path)
{
	char *dup = strdup(path);
	int fd, err = 0;

	if (!dup)
		return -ENOMEM;
	fd = open(dirname(dup), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd))
		err = -errno;
	if (fd >= 0)
		close(fd);
	free(dup);
	return err;
}

int dtcp_state_save(const char *path, const struct dtcp_state *st, bool sync)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 8);
	FILE *f = NULL;
	int fd, err = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, plen + 8, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		free(tmp);
		return err;
	}
	fprintf(f, "# dtcpd state (Seq windows, next Criteria-ID): written by dtcpd\n"
		   "version 1\nnext-criteria-id %" PRIu32 "\nboot-id %s\n"
		   "kernel-expired %" PRIu64 "\ncriteria %" PRIu32 " %" PRIu32 "\n",
		st->next_id, st->boot_id[0] ? st->boot_id : "-", st->kexpired,
		st->n_static, st->n_dynamic);
	for (unsigned int i = 0; i < st->n_src; i++) {
		const struct dtcp_state_src *s = &st->src[i];
		size_t need = dtcp_escape(NULL, 0, s->id);
		char *id = malloc(need + 1);

		if (!id) {
			err = -ENOMEM;
			break;
		}
		dtcp_escape(id, need + 1, s->id);
		fprintf(f, "source %s %d %" PRIu64 " ", id, s->seq.have, s->seq.max);
		for (unsigned int w = 0; w < DTCP_SEQ_RING / 64; w++)
			fprintf(f, "%016" PRIx64, s->seq.seen[w]);
		fputc('\n', f);
		free(id);
	}
	if (fflush(f) || ferror(f) || (sync && fsync(fileno(f))))
		err = err ?: -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	else if (sync)
		err = fsync_dir(path);
	free(tmp);
	return err;
}

int dtcp_state_load(const char *path, struct dtcp_state *st, unsigned int *line)
{
	FILE *f = fopen(path, "r");
	char buf[1024];
	unsigned int n = 0;
	int err = 0;

	memset(st, 0, sizeof(*st));
	st->next_id = 1;
	*line = 0;
	if (!f)
		return -errno;
	while (fgets(buf, sizeof(buf), f)) {
		char key[32], a[512], hex[DTCP_SEQ_RING / 4 + 2];
		uint64_t u1, u2;
		int have;

		n++;
		buf[strcspn(buf, "\n")] = '\0';
		if (!buf[0] || buf[0] == '#')
			continue;
		if (sscanf(buf, "%31s", key) != 1)
			goto bad;
		if (!strcmp(key, "version")) {
			if (sscanf(buf, "version %" SCNu64, &u1) != 1 || u1 != 1)
				goto bad;
		} else if (!strcmp(key, "next-criteria-id")) {
			if (sscanf(buf, "next-criteria-id %" SCNu64, &u1) != 1 || u1 > UINT32_MAX)
				goto bad;
			st->next_id = u1 ? (uint32_t)u1 : 1;
		} else if (!strcmp(key, "boot-id")) {
			if (sscanf(buf, "boot-id %39s", st->boot_id) != 1)
				goto bad;
			if (!strcmp(st->boot_id, "-"))
				st->boot_id[0] = '\0';
		} else if (!strcmp(key, "kernel-expired")) {
			if (sscanf(buf, "kernel-expired %" SCNu64, &st->kexpired) != 1)
				goto bad;
		} else if (!strcmp(key, "criteria")) {
			if (sscanf(buf, "criteria %" SCNu64 " %" SCNu64, &u1, &u2) != 2 ||
			    u1 > UINT32_MAX || u2 > UINT32_MAX)
				goto bad;
			st->n_static = u1;
			st->n_dynamic = u2;
		} else if (!strcmp(key, "source")) {
			struct dtcp_state_src *s, *grown;

			if (sscanf(buf, "source %511s %d %" SCNu64 " %129s", a, &have, &u1, hex) != 4 ||
			    strlen(hex) != DTCP_SEQ_RING / 4)
				goto bad;
			if (dtcp_unescape(a, strlen(a), a, sizeof(a)) < 0)
				goto bad;
			grown = realloc(st->src, (st->n_src + 1) * sizeof(*st->src));
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			st->src = grown;
			s = &st->src[st->n_src];
			memset(s, 0, sizeof(*s));
			s->id = strdup(a);
			if (!s->id) {
				err = -ENOMEM;
				break;
			}
			st->n_src++;
			s->seq.have = have;
			s->seq.max = u1;
			for (unsigned int w = 0; w < DTCP_SEQ_RING / 64; w++) {
				char word[17];

				memcpy(word, hex + 16 * w, 16);
				word[16] = '\0';
				s->seq.seen[w] = strtoull(word, NULL, 16);
			}
		} /* unknown keys: from a newer dtcpd, ignored */
		continue;
bad:
		*line = n;
		err = -EINVAL;
		break;
	}
	fclose(f);
	if (err)
		dtcp_state_free(st);
	return err;
}

void dtcp_state_free(struct dtcp_state *st)
{
	for (unsigned int i = 0; i < st->n_src; i++)
		free(st->src[i].id);
	free(st->src);
	st->src = NULL;
	st->n_src = 0;
}
