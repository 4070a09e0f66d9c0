// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What one authenticated ADD costs dtcpd itself, for tools/bench-dtcp-cost.sh
 * under callgrind: dtcpd's protocol core over the in-memory kernel
 * (agent/kfake.c), fed the requests `dtcpc bench` sends (one source
 * address each, Protocol 6, Dest-Port 80, Static), each signed; every
 * answer is checked to be an authentic 200 (selftests/dtcp_srv.h, as the
 * unit tests run the core). No sockets, no kernel: the
 * instructions are dtcpd's from the datagram in to the answer out.
 *
 *   bench_dtcp_add COUNT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtcp_srv.h"	/* the core over the in-memory kernel, as the unit tests run it */

#define KEY "bench-key"

/* The request `dtcpc bench` sends as its i-th. */
static void request(struct dtcp_out *o, unsigned long i)
{
	dtcp_out_init(o, false);
	dtcp_out_request(o, "ADD", DTCP_VER_CUR);
	dtcp_out_param(o, "Csource-ID", "cs1");
	dtcp_out_param(o, "Cdest-ID", "cd1");
	dtcp_out_param(o, "Source-Address", "10.%lu.%lu.%lu", (i >> 16) & 255,
		       (i >> 8) & 255, i & 255);
	dtcp_out_param(o, "Protocol", "6");
	dtcp_out_param(o, "Dest-Port", "80");
	dtcp_out_param(o, "Flags", "Static");
	dtcp_out_param(o, "Seq", "%lu", i + 1);
	dtcp_out_sign(o, KEY, strlen(KEY));
}

int main(int argc, char **argv)
{
	static struct dtcp_out o;
	static struct tsrv t;
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000, ok = 0;

	kfake_init(&t.k);
	if (tsrv_start(&t,
		       "capture-group = ( { name = \"g1\";\n"
		       "  content-destination = ( { id = \"cd1\"; address = \"192.0.2.1\"; } );\n"
		       "  control-source = ( { id = \"cs1\"; source-addresses = [ \"192.0.2.1\" ];\n"
		       "    service-port = 2400; shared-key = \"" KEY "\"; } ); } );\n"))
		return 1;
	unlink(t.path);
	for (unsigned long i = 0; i < n; i++) {
		request(&o, i);
		/* One answer, authentic, 200. */
		ok += tsrv_raw(&t, 2400, o.buf, o.len) == 1 && tsrv_code(&t, KEY, 0) == 200;
	}
	printf("adds=%lu ok=%lu\n", n, ok);
	tsrv_stop(&t);
	kfake_fini(&t.k);
	return ok == n ? 0 : 1;
}
