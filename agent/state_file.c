// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The state file on disk: two slots, PATH for odd generations and PATH.1
 * for even ones. See state.h.
 *
 * A commit overwrites one slot in place: no new file, no rename, no
 * directory to sync, one flush (a rename and two fsyncs cost several
 * times that on a disk). The slot it writes never holds the newest
 * complete generation, and answers leave only once it is written, so
 * after a crash mid-write the other slot holds everything answered. A
 * slot that does not exist yet is created whole, by a rename, so a slot
 * that exists alone was never cut short: if it does not read, nothing is
 * read.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

/* Slot s of path (0: path itself, 1: path.1), malloc'd, or NULL. */
static char *slot_path(const char *path, unsigned int s)
{
	size_t len = strlen(path) + 3;
	char *p = malloc(len);

	if (p)
		snprintf(p, len, "%s%s", path, s ? ".1" : "");
	return p;
}

static unsigned int slot_of(uint64_t generation)
{
	return generation & 1 ? 0 : 1;
}

/* ---- writing ---- */

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

static int pwrite_all(int fd, const char *p, size_t len)
{
	off_t off = 0;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* A slot that does not exist yet: written whole to a temporary file, renamed. */
static int create_slot(const char *slot, const char *text, size_t len, bool sync)
{
	size_t plen = strlen(slot) + 5;
	char *tmp = malloc(plen);
	int fd = -1, err = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, plen, "%s.tmp", slot);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	err = pwrite_all(fd, text, len);
	if (!err && sync && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, slot))
		err = -errno;
	if (err)
		unlink(tmp);
	else if (sync)
		err = fsync_dir(slot);
out:
	free(tmp);
	return err;
}

/* An existing slot, overwritten: the text, then its length. */
static int overwrite_slot(int fd, const char *text, size_t len, bool sync)
{
	struct stat sb;
	int err;

	if (fstat(fd, &sb))
		return -errno;
	if (!S_ISREG(sb.st_mode))
		return -EINVAL;
	err = pwrite_all(fd, text, len);
	if (!err && ftruncate(fd, len))
		err = -errno;
	if (!err && sync && fdatasync(fd))
		err = -errno;
	return err;
}

int dtcp_state_save(const char *path, const struct dtcp_state *st, bool sync)
{
	char *slot, *text;
	int fd, err;
	size_t len;

	if (!st->generation)
		return -EINVAL;
	slot = slot_path(path, slot_of(st->generation));
	text = dtcp_state_format(st);
	if (!slot || !text) {
		free(text);
		free(slot);
		return -ENOMEM;
	}
	len = strlen(text);
	fd = open(slot, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		err = create_slot(slot, text, len, sync);
	} else if (fd < 0) {
		err = -errno;
	} else {
		err = overwrite_slot(fd, text, len, sync);
		if (close(fd) && !err)
			err = -errno;
	}
	free(text);
	free(slot);
	return err;
}

/* ---- reading ---- */

/* One slot: 0, -ENOENT, -EINVAL (why says how), -errno. */
static int load_slot(const char *slot, struct dtcp_state *st, char *why, size_t whylen)
{
	int fd = open(slot, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;
	int err = 0;

	memset(st, 0, sizeof(*st));
	st->next_id = 1;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb)) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > DTCP_STATE_MAX_BYTES) {
		snprintf(why, whylen, "not a regular file of at most %u bytes",
			 DTCP_STATE_MAX_BYTES);
		err = -EINVAL;
		goto out;
	}
	buf = malloc(sb.st_size + 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, sb.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (!n)
			break;
		got += n;
	}
	err = dtcp_state_parse(buf, got, st, why, whylen);
out:
	free(buf);
	close(fd);
	return err;
}

int dtcp_state_load(const char *path, struct dtcp_state *st, char *why, size_t whylen)
{
	struct dtcp_state s[2];
	char w[2][160] = { "", "" }, *name[2];
	int r[2], pick;

	memset(st, 0, sizeof(*st));
	st->next_id = 1;
	if (whylen)
		why[0] = '\0';
	name[0] = slot_path(path, 0);
	name[1] = slot_path(path, 1);
	for (unsigned int i = 0; i < 2; i++) {
		r[i] = name[i] ? load_slot(name[i], &s[i], w[i], sizeof(w[i])) : -ENOMEM;
		if (!r[i] && slot_of(s[i].generation) != i) {
			snprintf(w[i], sizeof(w[i]), "generation %" PRIu64 " in the wrong slot",
				 s[i].generation);
			dtcp_state_free(&s[i]);
			r[i] = -EINVAL;
		}
	}
	/* A slot that could not be read (not: does not exist, does not parse) stops all. */
	for (pick = 0; pick < 2; pick++)
		if (r[pick] && r[pick] != -ENOENT && r[pick] != -EINVAL)
			break;
	if (pick < 2) {
		snprintf(why, whylen, "%s: %s", name[pick] ?: path, strerror(-r[pick]));
	} else if (!r[0] || !r[1]) {
		pick = r[0] ? 1 : r[1] ? 0 : s[0].generation > s[1].generation ? 0 : 1;
		*st = s[pick];
		memset(&s[pick], 0, sizeof(s[pick]));
		if (r[!pick] == -EINVAL)
			snprintf(why, whylen, "%s: %s; generation %" PRIu64 " of %s read instead",
				 name[!pick], w[!pick], st->generation, name[pick]);
		r[pick] = 0;
	} else if (r[0] == -EINVAL || r[1] == -EINVAL) {
		pick = r[0] == -EINVAL ? 0 : 1;
		if (r[!pick] == -EINVAL)
			snprintf(why, whylen, "%s: %s; %s: %s", name[0], w[0], name[1], w[1]);
		else
			snprintf(why, whylen, "%s: %s", name[pick], w[pick]);
	} else {
		pick = 0;	/* neither exists */
	}
	for (unsigned int i = 0; i < 2; i++) {
		if (!r[i] && i != (unsigned int)pick)
			dtcp_state_free(&s[i]);
		free(name[i]);
	}
	return r[pick];
}
