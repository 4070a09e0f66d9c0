// SPDX-License-Identifier: GPL-2.0 OR MIT
/* dfcctl's growing arrays (alone: the -batch reader's fuzz target links it). */
#include <stdlib.h>

#include "dfcctl.h"

/*
 * A growing array v of n used and *cap allocated elements of size sz,
 * with room for one more: the array (perhaps moved), NULL without memory.
 */
void *vec_grow(void *v, size_t n, size_t *cap, size_t sz)
{
	size_t c = *cap ? 2 * *cap : 16;

	if (n < *cap)
		return v;
	v = realloc(v, c * sz);
	if (v)
		*cap = c;
	return v;
}
