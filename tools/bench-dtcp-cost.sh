#!/bin/sh
# What one authenticated ADD costs dtcpd itself, under callgrind
# (instruction counts repeat on a shared machine, wall clock does not):
# tools/bench_dtcp_add.c feeds dtcpd's protocol core, over the in-memory
# kernel, the ADDs `dtcpc bench` sends. Only dtcp_server_handle() is
# counted (datagram in, answer out), so the client's own signing and
# checking are left out. Prints one line:
#   adds=N insn_per_add=X hmac_per_add=Y stored_form_per_add=Z
# (hmac: checking the request and signing the answer; stored form: the
# criterion's DTCP form that the kernel keeps, agent/blob_write.c).
#
#   bench-dtcp-cost.sh BENCH_BINARY     BENCH_DTCP_ADDS (default 2000)
set -eu

bin=$1
n=${BENCH_DTCP_ADDS:-2000}
command -v valgrind >/dev/null ||
	{ echo "bench-dtcp-cost: valgrind is not installed (make deps)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

valgrind --tool=callgrind --toggle-collect=dtcp_server_handle \
	--callgrind-out-file="$tmp/cg.out" "$bin" "$n" >"$tmp/run" 2>"$tmp/err" ||
	{ cat "$tmp/run" "$tmp/err" >&2; echo "bench-dtcp-cost: $bin failed" >&2; exit 1; }
callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$tmp/cg.out" >"$tmp/ann"
# "  1,234,567 (12.34%)  /path/file.c:function [binary]": inclusive cost.
awk -v n="$n" '
	function cost() { c = $1; gsub(",", "", c); return c + 0 }
	/PROGRAM TOTALS/ { total = cost() }
	/:dtcp_hmac_verify |:dtcp_hmac_hex / { hmac += cost() }
	/:dtcp_add_blob / { blob += cost() }
	END {
		if (!total) exit 1
		printf "adds=%d insn_per_add=%.0f hmac_per_add=%.0f stored_form_per_add=%.0f\n",
			n, total / n, hmac / n, blob / n
	}' "$tmp/ann" ||
	{ echo "bench-dtcp-cost: no counts in callgrind's output" >&2; exit 1; }
