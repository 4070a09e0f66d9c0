// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Destinations defined by requests (X-JTap-Cdest-*), counted by reference.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "core.h"

/*
 * Reference a request-defined destination: the first reference creates it
 * in the kernel (kd given), the last one deletes it. 0 or -errno.
 */
int dtcp_rdest_ref(struct dtcp_server *s, uint32_t kid, int delta, const struct dtcp_kdest *kd)
{
	for (unsigned int i = 0; i < s->n_rdests; i++) {
		if (s->rdests[i].kid != kid)
			continue;
		s->rdests[i].refs += delta;
		if (!s->rdests[i].refs) {
			if (s->kops->cdest_del)
				s->kops->cdest_del(s->kctx, kid);
			s->rdests[i] = s->rdests[--s->n_rdests];
		}
		return 0;
	}
	if (delta > 0) {
		struct dtcp_rdest *n = realloc(s->rdests, (s->n_rdests + 1) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->rdests = n;
		memset(&n[s->n_rdests], 0, sizeof(*n));
		if (kd) {
			int err = s->kops->cdest_set ? s->kops->cdest_set(s->kctx, kd) : 0;

			if (err)
				return err;
			n[s->n_rdests].kd = *kd;
		}
		n[s->n_rdests].kid = kid;
		n[s->n_rdests++].refs = delta;
	}
	return 0;
}

bool dtcp_rdest_known(const struct dtcp_server *s, uint32_t kid)
{
	for (unsigned int i = 0; i < s->n_rdests; i++)
		if (s->rdests[i].kid == kid)
			return true;
	return false;
}
