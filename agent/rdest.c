// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Destinations defined by requests (X-JTap-Cdest-*): an explicit table,
 * each entry owned by one control source and counted by reference. A
 * source's criteria share an entry when they define the same destination;
 * two sources never share one, whatever they send, and kernel ids are
 * handed out (never derived from what a request says), so none can name,
 * reuse or delete another's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Request-defined destinations take kernel ids with the top bit set; configured ones not. */
#define RDEST_KID_MIN 0x80000001u

static bool same_def(const struct dtcp_kdest *a, const struct dtcp_kdest *b)
{
	return a->encap == b->encap && a->family == b->family &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr)) &&
	       !memcmp(a->src, b->src, sizeof(a->src)) && a->has_src == b->has_src &&
	       a->sport == b->sport && a->dport == b->dport && a->ttl == b->ttl;
}

static struct dtcp_rdest *by_kid(const struct dtcp_server *s, uint32_t kid)
{
	for (unsigned int i = 0; i < s->n_rdests; i++)
		if (s->rdests[i].kid == kid)
			return &s->rdests[i];
	return NULL;
}

struct dtcp_rdest *dtcp_rdest_find(const struct dtcp_server *s, const struct dtcp_src *src,
				   const struct dtcp_kdest *kd)
{
	for (unsigned int i = 0; i < s->n_rdests; i++)
		if (s->rdests[i].src == src && same_def(&s->rdests[i].kd, kd))
			return &s->rdests[i];
	return NULL;
}

unsigned int dtcp_rdest_count(const struct dtcp_server *s, const struct dtcp_src *src)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < s->n_rdests; i++)
		n += s->rdests[i].src == src;
	return n;
}

static struct dtcp_rdest *append(struct dtcp_server *s)
{
	struct dtcp_rdest *n;

	if (s->n_rdests == s->cap_rdests) {
		unsigned int cap = s->cap_rdests ? s->cap_rdests * 2 : 16;

		n = realloc(s->rdests, cap * sizeof(*n));
		if (!n)
			return NULL;
		s->rdests = n;
		s->cap_rdests = cap;
	}
	n = &s->rdests[s->n_rdests];
	memset(n, 0, sizeof(*n));
	return n;
}

/* An id no entry has: the table holds far fewer than 2^31 entries. */
static uint32_t new_kid(struct dtcp_server *s)
{
	for (;;) {
		uint32_t kid = s->next_rdest_kid;

		s->next_rdest_kid = kid == UINT32_MAX ? RDEST_KID_MIN : kid + 1;
		if (kid >= RDEST_KID_MIN && !by_kid(s, kid))
			return kid;
	}
}

int dtcp_rdest_get(struct dtcp_server *s, struct dtcp_src *src, const struct dtcp_kdest *kd,
		   uint32_t *kid)
{
	struct dtcp_rdest *r = dtcp_rdest_find(s, src, kd);
	int err;

	if (r) {
		r->refs++;
		*kid = r->kid;
		return 0;
	}
	r = append(s);
	if (!r)
		return -ENOMEM;
	r->kd = *kd;
	r->kd.kid = new_kid(s);
	err = s->kops->cdest_set ? s->kops->cdest_set(s->kctx, &r->kd) : 0;
	if (err)
		return err;
	r->src = src;
	r->refs = 1;
	*kid = r->kid = r->kd.kid;
	s->n_rdests++;
	return 0;
}

void dtcp_rdest_put(struct dtcp_server *s, uint32_t kid)
{
	struct dtcp_rdest *r = by_kid(s, kid);

	if (!r || --r->refs)
		return;
	/* The last criterion of its only source is gone: so is the destination. */
	if (s->kops->cdest_del)
		s->kops->cdest_del(s->kctx, kid);
	*r = s->rdests[--s->n_rdests];
}

/* Could src's criterion use kd (as kd->kid)? */
static int adoptable(const struct dtcp_server *s, const struct dtcp_src *src,
		     const struct dtcp_kdest *kd)
{
	const struct dtcp_rdest *r = by_kid(s, kd->kid);

	if (kd->kid < RDEST_KID_MIN)
		return -EINVAL;
	return r && (r->src != src || !same_def(&r->kd, kd)) ? -EPERM : 0;
}

int dtcp_rdest_adopt(struct dtcp_server *s, struct dtcp_src *src, const struct dtcp_kdest *kd,
		     unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		int err = adoptable(s, src, &kd[i]);

		if (err)
			return err;
		/* Both destinations of one criterion: one id, one definition. */
		for (unsigned int j = 0; j < i; j++)
			if (kd[j].kid == kd[i].kid && !same_def(&kd[j], &kd[i]))
				return -EPERM;
	}
	if (s->cap_rdests - s->n_rdests < n) {
		struct dtcp_rdest *v = realloc(s->rdests, (s->n_rdests + n) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->rdests = v;
		s->cap_rdests = s->n_rdests + n;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct dtcp_rdest *r = by_kid(s, kd[i].kid);

		if (r) {
			r->refs++;
			continue;
		}
		r = append(s);	/* room made above: cannot fail */
		r->kd = kd[i];
		r->kid = kd[i].kid;
		r->src = src;
		r->refs = 1;
		s->n_rdests++;
	}
	return 0;
}

void dtcp_rdest_reset(struct dtcp_server *s)
{
	free(s->rdests);
	s->rdests = NULL;
	s->n_rdests = s->cap_rdests = 0;
}
