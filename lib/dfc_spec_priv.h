/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* dfc_spec internals, private to lib/dfc_spec.c and lib/dfc_spec_expand.c. */
#ifndef DFC_SPEC_PRIV_H
#define DFC_SPEC_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "dfc_spec.h"

/* The message into a thread-local buffer, *why (if why) to it; returns err. */
int dfc_spec_fail(const char **why, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The field table, f < DFC_SPEC_NFIELDS: an address, or a number this wide. */
bool dfc_spec_field_is_addr(enum dfc_spec_field f);
unsigned int dfc_spec_field_bits(enum dfc_spec_field f);
/* A numeric field's items in s (NULL for an address field). */
struct dfc_spec_nums *dfc_spec_field_nums(struct dfc_spec *s,
					  enum dfc_spec_field f);
const struct dfc_spec_nums *dfc_spec_field_nums_const(const struct dfc_spec *s,
						      enum dfc_spec_field f);

/* IP version v (4 or 6) as a bit of the masks dfc_spec_vers() returns. */
unsigned int dfc_spec_ver_bit(unsigned int v);
/* The versions a criterion can match; *any: it constrains the version. */
unsigned int dfc_spec_vers(uint8_t ipver, const struct dfc_spec_addrs *a,
			   const struct dfc_spec_addrs *b, bool *any);

#endif /* DFC_SPEC_PRIV_H */
