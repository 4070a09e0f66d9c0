// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for dfcctl's -batch reader (tools/dfcctl/batch_read.c):
 * any bytes as a batch file. Every command keeps its first line number,
 * in order and within the file; a good one has words, none carrying a
 * control character but tab and CR, together no longer than
 * DFC_BATCH_CMD_MAX; a bad one says why and has no words. The words, quoted
 * again, split back to the same words. Built under ASan/UBSan.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

/* Lines in the input: its '\n's, and a last line without one. */
static unsigned int lines_in(const uint8_t *data, size_t size)
{
	unsigned int n = 0;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size && data[size - 1] != '\n');
}

/* w quoted so that the splitter reads it back as it is; false if it cannot be. */
static bool quote(char *out, size_t size, const char *w)
{
	bool sq = strchr(w, '\''), dq = strchr(w, '"');

	if (*w && !strpbrk(w, " \t\r\n") && !strchr("#'\"", *w))
		return (size_t)snprintf(out, size, "%s ", w) < size;
	if (!sq)
		return (size_t)snprintf(out, size, "'%s' ", w) < size;
	if (!dq)
		return (size_t)snprintf(out, size, "\"%s\" ", w) < size;
	return false;
}

/* The words of l, quoted and split again: the same words, or abort. */
static void round_trip(const struct bline *l)
{
	size_t size = 16;
	char *text, **argv;
	const char *why = NULL;
	int argc;

	for (int i = 0; i < l->argc; i++)
		size += strlen(l->argv[i]) + 3;
	text = malloc(size);
	if (!text)
		abort();
	text[0] = '\0';
	for (int i = 0, at = 0; i < l->argc; i++) {
		if (!quote(text + at, size - at, l->argv[i])) {
			free(text);
			return; /* both quotes in one word: no way to write it */
		}
		at += strlen(text + at);
	}
	if (dfc_batch_split(text, &argv, &argc, &why) || argc != l->argc) {
		fprintf(stderr, "fuzz_batch: line %u: %d words, quoted again %d (%s)\n", l->no,
			l->argc, argc, why ? why : "");
		abort();
	}
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], l->argv[i]))
			abort();
	free(argv);
	free(text);
}

static void check_line(const struct bline *l, unsigned int prev, unsigned int lines)
{
	size_t len = 0;

	if (l->no < 1 || l->no > lines || l->no <= prev)
		abort();
	if (l->why) {
		if (!l->why[0] || l->argv || l->argc)
			abort(); /* a bad command says why and has no words */
		return;
	}
	if (l->argc < 1 || !l->argv || l->argv[l->argc])
		abort();
	for (int i = 0; i < l->argc; i++)
		len += strlen(l->argv[i]) + (i > 0);
	if (len > DFC_BATCH_CMD_MAX)
		abort();
	for (int i = 0; i < l->argc; i++)
		for (const char *p = l->argv[i]; *p; p++)
			if (((unsigned char)*p < 0x20 && !strchr("\t\r", *p)) || *p == 0x7f)
				abort();
	round_trip(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct batch b = { .name = "fuzz" };
	unsigned int prev = 0, lines = lines_in(data, size);
	FILE *f;

	if (!size)
		return 0; /* fmemopen() takes no empty buffer; dfcctl_cli.sh reads an empty file */
	f = fmemopen((void *)data, size, "r");
	if (!f)
		abort();
	if (dfc_batch_read(&b, f))
		abort(); /* memory does not run out here, and a memory file reads */
	for (size_t i = 0; i < b.n; i++) {
		check_line(&b.v[i], prev, lines);
		prev = b.v[i].no;
	}
	dfc_batch_free(&b);
	fclose(f);
	return 0;
}
