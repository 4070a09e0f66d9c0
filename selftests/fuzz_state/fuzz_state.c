// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for dtcpd's state file parser (agent/state.c): any
 * bytes, up to the largest input `make fuzz` gives. What parses must
 * print back to text that parses to the same state (nothing is lost or
 * invented on the way through a restart). Built under ASan/UBSan.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

static void same(const struct dtcp_state *a, const struct dtcp_state *b)
{
	if (a->generation != b->generation || a->next_id != b->next_id ||
	    strcmp(a->boot_id, b->boot_id) ||
	    a->kexpired != b->kexpired || a->n_static != b->n_static ||
	    a->n_dynamic != b->n_dynamic || a->n_src != b->n_src)
		abort();
	for (unsigned int i = 0; i < a->n_src; i++)
		if (strcmp(a->src[i].id, b->src[i].id) ||
		    memcmp(&a->src[i].seq, &b->src[i].seq, sizeof(a->src[i].seq)))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dtcp_state st, back;
	char why[256];
	char *text;

	if (dtcp_state_parse(data, size, &st, why, sizeof(why))) {
		if (!why[0])
			abort(); /* every refusal says why */
		return 0;
	}
	text = dtcp_state_format(&st);
	if (!text)
		abort();
	if (dtcp_state_parse(text, strlen(text), &back, why, sizeof(why))) {
		fprintf(stderr, "fuzz_state: own output refused: %s\n%s\n", why, text);
		abort();
	}
	same(&st, &back);
	dtcp_state_free(&back);
	dtcp_state_free(&st);
	free(text);
	return 0;
}
