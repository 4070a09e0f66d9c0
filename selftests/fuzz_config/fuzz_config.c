// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for dtcpd's configuration loader (agent/config.c,
 * libconfig underneath): each input is a configuration file (mode 0600,
 * in memory). A file that loads must make sense (every source with a
 * key, ids printable, destinations with addresses) and survive what dtcpd
 * does with one: a server on the in-memory kernel, its destinations
 * programmed, then a reload with the same file. One that does not load
 * must say why, as file:line or file. Inputs naming other files
 * (@include, key-file) are taken as they are: the files a fuzzer can name
 * (/dev/zero, /proc/...) are refused, not read forever, except that
 * @include is skipped, since libconfig reads an included file whole.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "config.h"
#include "kfake.h"
#include "server.h"

/*
 * libconfig 1.5's parser leaks on some syntax errors (its string buffer,
 * its lexer's scratch): not ours to find. Only allocations made inside
 * libconfig are suppressed; the loader's own stay checked.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\nleak:libconfig.so\n";
}

static uint64_t wall(void) { return 1104580861111ULL; }

static void check_id(const char *s)
{
	if (!s || !*s)
		abort();
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			abort();
}

static void check(const struct dtcp_config *c)
{
	for (unsigned int g = 0; g < c->n_groups; g++) {
		const struct dtcp_group *grp = &c->groups[g];

		for (unsigned int i = 0; i < grp->n_dests; i++) {
			check_id(grp->dests[i].id);
			if (grp->dests[i].addr.ss_family != AF_INET &&
			    grp->dests[i].addr.ss_family != AF_INET6)
				abort();
		}
		for (unsigned int i = 0; i < grp->n_srcs; i++) {
			check_id(grp->srcs[i].id);
			if (!grp->srcs[i].key || !grp->srcs[i].key_len || !grp->srcs[i].port)
				abort();
			if (dtcp_config_source(c, grp->srcs[i].id) == NULL)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char path[64], err[512] = "";
	struct dtcp_server s = { 0 };
	struct dtcp_config *c;
	struct kfake k;
	int fd;

	if (memmem(data, len, "@include", 8))
		return 0;
	fd = memfd_create("fuzz_config", MFD_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0600) || write(fd, data, len) != (ssize_t)len)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	c = dtcp_config_load(path, err, sizeof(err));
	if (!c) {
		/* Every refusal names the file. */
		if (strncmp(err, path, strlen(path)))
			abort();
		close(fd);
		return 0;
	}
	check(c);
	kfake_init(&k);
	if (dtcp_server_init(&s, c))
		abort();
	s.kops = &kfake_ops;
	s.kctx = &k;
	s.wall_ms = wall;
	dtcp_server_program(&s);
	c = dtcp_config_load(path, err, sizeof(err));
	if (!c)
		abort();	/* the same file loads again */
	dtcp_server_reconfig(&s, c);
	check(s.cfg);
	dtcp_server_fini(&s);
	kfake_fini(&k);
	close(fd);
	return 0;
}
