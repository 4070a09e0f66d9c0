// SPDX-License-Identifier: GPL-2.0 OR MIT
/* dtcpc's Seq state file: one decimal number, the last Seq sent. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>

#include "dtcpc.h"

/* Next Seq from the state file, under a lock so concurrent runs never share one. */
int dfc_dtcpc_seq_next(struct dtcpc_opts *o, uint64_t *seq)
{
	char path[512], buf[64];
	uint64_t last = 0;
	ssize_t n;
	int fd;

	if (o->state)
		snprintf(path, sizeof(path), "%s", o->state);
	else
		snprintf(path, sizeof(path), "%s/.dtcpc-%s.seq",
			 getenv("HOME") ? getenv("HOME") : "/tmp", o->id);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		fprintf(stderr, "dtcpc: state file %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		/* Not a Seq: starting over could replay one; the operator decides. */
		if (dtcp_parse_u64(buf, UINT64_MAX, &last)) {
			fprintf(stderr, "dtcpc: state file %s: not a Seq (a decimal number); "
				"remove it to start from the clock\n", path);
			close(fd);
			return -1;
		}
	} else if (!o->have_seq) {
		/* A new client: start from the clock so a fresh state file does not replay. */
		last = (uint64_t)time(NULL) * 1000;
	}
	*seq = o->have_seq ? o->seq : last + 1;
	n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", *seq);
	if (lseek(fd, 0, SEEK_SET) || ftruncate(fd, 0) || write(fd, buf, n) != n) {
		fprintf(stderr, "dtcpc: state file %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd); /* releases the lock */
	return 0;
}
