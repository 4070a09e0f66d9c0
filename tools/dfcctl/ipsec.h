/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The xfrm view of content destinations (ipsec.c), for cdest show.
 */
#ifndef DFCCTL_IPSEC_H
#define DFCCTL_IPSEC_H

#include <stddef.h>
#include <jansson.h>

#include "dfc_nl.h"

struct dfc_ipsec;

/* The namespace's xfrm policies and SAs, once; NULL with the reason in err. */
struct dfc_ipsec *dfc_ipsec_load(char *err, size_t size);
void dfc_ipsec_free(struct dfc_ipsec *x);

/* Every flow of d's copies covered: "yes", some: "partial", none: "no"; x NULL: "?". */
const char *dfc_ipsec_summary(const struct dfc_ipsec *x, const struct dfc_nl_cdest *d);
/* Lines under a destination's details: the kernel's state, per flow policy and SA. */
void dfc_ipsec_print(const struct dfc_ipsec *x, const struct dfc_nl_cdest *d);
/* The "ipsec" object of cdest show -j. */
json_t *dfc_ipsec_json(const struct dfc_ipsec *x, const struct dfc_nl_cdest *d);

#endif
