// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dtcpc: a DTCP control source for operators and tests. It builds and
 * signs a request, keeps its Seq in a state file, sends it over UDP,
 * prints and verifies the answer (reassembling a LIST split over several
 * datagrams), and can listen for notifications and verify them.
 *
 *   dtcpc -s 192.0.2.1 -p 2400 -i cs1 -k secret ADD Cdest-ID=cd1 \
 *         Dest-Address=10.1.1.1 Timeout-Idle=600
 *   dtcpc -i cs1 -k secret listen -l 0.0.0.0:2100 -c 1
 *
 * Exit status: 0 an answer 200 OK (listen: every notification verified),
 * 1 another status, 2 usage, 3 no answer, 4 an answer that does not
 * verify (bad HMAC or Seq).
 */
#include <getopt.h>
#include <string.h>

#include "dtcpc.h"

int main(int argc, char **argv)
{
	struct dtcpc_opts o = { .server = "127.0.0.1", .port = 2400, .ver = DTCP_VER_CUR, .wait = 2 };
	const char *method;
	int rc = dfc_dtcpc_opts_parse(&o, argc, argv);

	if (rc >= 0)
		return rc;
	method = argv[optind++];
	if (!strcmp(method, "listen")) {
		rc = dfc_dtcpc_opts_listen(&o, argc, argv);
		return rc >= 0 ? rc : dfc_dtcpc_listen(&o);
	}
	if (!strcmp(method, "bench"))
		return dfc_dtcpc_bench(&o, argc, argv);
	return dfc_dtcpc_request(&o, method, argc, argv);
}
