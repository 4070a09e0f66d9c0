// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * A criterion's DTCP form, kept in the kernel's blob so that a restarted
 * dtcpd finds its criteria again: written at ADD, read back by the rebuild
 * and by LIST. See crit.h and server.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crit.h"

struct blobw {
	char *out;
	size_t size, len;
};

static void bw(struct blobw *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bw(struct blobw *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->out + (b->len < b->size ? b->len : b->size),
		      b->len < b->size ? b->size - b->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += n;
}

int dtcp_add_blob(const struct dtcp_msg *m, const struct dtcp_add *a, const char *csource,
		  const char *from, uint32_t id, uint64_t added_ms, unsigned int k,
		  char *out, size_t size)
{
	static const char *const keep[] = { "Source-Address", "Dest-Address", "Protocol",
		"Source-Port", "Dest-Port", "ICMP-Type", "ICMP-Code", NULL };
	struct blobw b = { out, size < DFC_CRIT_BLOB_MAX ? size : DFC_CRIT_BLOB_MAX, 0 };
	size_t fixed;
	char esc[160];

	dtcp_escape(esc, sizeof(esc), csource);
	bw(&b, "dtcpd 1\nid %" PRIu32 " %u %u\ncsource %s\nfrom %s\nadded %" PRIu64
	   "\nflags %" PRIu32 " %" PRIu32 "\ntimeouts %" PRIu32 " %" PRIu32 " %" PRIu64 " %" PRIu64
	   "\nrdest %d\nkid",
	   id, k, a->n_dest, esc, from, added_ms, a->flags, a->prio, a->t_idle, a->t_total,
	   a->t_packets, a->t_bytes, a->request_dest);
	for (unsigned int i = 0; i < a->n_dest; i++)
		bw(&b, " %" PRIu32, a->cdest_kid[i]);
	bw(&b, "\nCdest-ID: %s\n", a->cdest_param->raw);
	/* The filter as given (first occurrence of each), then the X- parameters. */
	for (unsigned int i = 0; i < m->n; i++) {
		const struct dtcp_param *p = &m->p[i];
		const char *c = dtcp_param_canon(p->name);

		if (dtcp_msg_get(m, p->name) != p)
			continue;
		for (const char *const *kp = keep; *kp; kp++)
			if (c && !strcmp(c, *kp)) /* canon spelling */
				bw(&b, "%s: %s\n", c, p->raw);
	}
	fixed = b.len;
	for (unsigned int i = 0; i < m->n; i++) {
		const struct dtcp_param *p = &m->p[i];
		const char *c = dtcp_param_canon(p->name);
		size_t before = b.len;

		if (strncasecmp(p->name, "X-", 2) || dtcp_msg_get(m, p->name) != p)
			continue;
		bw(&b, "%s: %s\n", c ? c : p->name, p->raw);
		/* Unknown X- parameters are kept only while they fit; ours must. */
		if (b.len > b.size && !c)
			b.len = before;
	}
	(void)fixed;
	if (b.len >= b.size)
		return -E2BIG;
	return (int)b.len;
}

void dtcp_blob_lines(const char *blob, size_t len, dtcp_blob_line_cb cb, void *data)
{
	const char *p = blob, *end = blob + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p), *colon;
		char name[64], value[DFC_CRIT_BLOB_MAX];
		size_t l;

		if (!nl)
			nl = end;
		colon = memchr(p, ':', nl - p);
		/* Parameter lines are "Name: value"; the header lines have no colon. */
		if (colon && colon + 1 < nl && colon[1] == ' ' && (size_t)(colon - p) < sizeof(name) &&
		    !memchr(p, ' ', colon - p)) {
			memcpy(name, p, colon - p);
			name[colon - p] = '\0';
			l = nl - colon - 2;
			memcpy(value, colon + 2, l);
			value[l] = '\0';
			cb(name, value, data);
		}
		p = nl + 1;
	}
}

int dtcp_blob_parse(const void *blob, size_t len, struct dtcp_blob *b)
{
	char buf[DFC_CRIT_BLOB_MAX + 1], *line, *save = NULL;
	bool magic = false, have_id = false;

	memset(b, 0, sizeof(*b));
	if (!blob || len > DFC_CRIT_BLOB_MAX || len < 8)
		return -EINVAL;
	memcpy(buf, blob, len);
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char s[160];

		if (!strcmp(line, "dtcpd 1")) {
			magic = true;
		} else if (sscanf(line, "id %" SCNu32 " %u %u", &b->id, &b->k, &b->n) == 3) {
			have_id = true;
		} else if (sscanf(line, "csource %159s", s) == 1) {
			dtcp_crit_unescape(s);
			snprintf(b->csource, sizeof(b->csource), "%.79s", s);
		} else if (sscanf(line, "from %47s", s) == 1) {
			snprintf(b->csource_addr, sizeof(b->csource_addr), "%.47s", s);
		} else if (sscanf(line, "added %" SCNu64, &b->added_ms) == 1) {
		} else if (sscanf(line, "flags %" SCNu32 " %" SCNu32, &b->flags, &b->prio) == 2) {
		} else if (sscanf(line, "timeouts %" SCNu32 " %" SCNu32 " %" SCNu64 " %" SCNu64,
				  &b->t_idle, &b->t_total, &b->t_packets, &b->t_bytes) == 4) {
		} else if (!strncmp(line, "rdest ", 6)) {
			b->request_dest = line[6] == '1';
		} else if (!strncmp(line, "kid", 3)) {
			unsigned int n = 0;
			char *p = line + 3, *end;

			while (*p == ' ' && n < DTCP_MAX_DEST) {
				b->cdest_kid[n++] = strtoul(p + 1, &end, 10);
				p = end;
			}
		} else if (!strncmp(line, "Cdest-ID: ", 10)) {
			free(b->cdests);
			b->cdests = strdup(line + 10);
		}
	}
	if (!magic || !have_id || !b->csource[0] || !b->n || b->n > DTCP_MAX_DEST ||
	    b->k >= b->n || !b->cdests) {
		free(b->cdests);
		b->cdests = NULL;
		return -EINVAL;
	}
	return 0;
}
