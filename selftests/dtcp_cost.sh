#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dtcp_cost.sh: host-tier run of the smallest case of make bench-dtcp's
# first part (tools/bench-dtcp-cost.sh: instructions of one authenticated
# ADD in dtcpd, under callgrind), so that it keeps working. Each ADD must
# be answered 200 and authentic, and the counts must be whole and
# consistent: the HMAC and the stored form are parts of the ADD. Then
# make bench-state's smallest case (a few state-file commits).

cd "$(dirname "$0")/.." || exit 1
. selftests/lib.sh

BIN=$TOP/build/bench_dtcp_add
ktap_header
out=$(BENCH_STATE_ROUNDS=1 BENCH_STATE_COUNT=5 sh tools/bench-state.sh "$TOP/build/bench_state_commit" 2>&1)
echo "$out" | sed "s/^/# /"
check "bench-state: a cost per commit on a disk and a tmpfs" \
	sh -c "echo '$out' | grep -Eq '^this +[0-9]+[.][0-9] +[0-9]+[.][0-9]\$'"
command -v valgrind >/dev/null || { skip "bench-dtcp cost" "valgrind is not installed"; ktap_finish; }
[ -x "$BIN" ] || { fail "bench_dtcp_add is built"; ktap_finish; }
check "200 ADDs, each answered 200 and authentic, without callgrind" "$BIN" 200
line=$(BENCH_DTCP_ADDS=200 sh tools/bench-dtcp-cost.sh "$BIN" 2>&1)
echo "$line" | sed "s/^/# /"
val() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
check_eq "bench-dtcp-cost counted 200 ADDs" "$(val adds)" 200
insn=$(val insn_per_add) hmac=$(val hmac_per_add) blob=$(val stored_form_per_add)
check "instructions per ADD counted ($insn)" test "${insn:-0}" -gt 0
check "HMAC is part of the ADD ($hmac of $insn)" test "${hmac:-0}" -gt 0 -a "${hmac:-0}" -lt "${insn:-0}"
check "stored form is part of the ADD ($blob of $insn)" \
	test "${blob:-0}" -gt 0 -a "$((${hmac:-0} + ${blob:-0}))" -lt "${insn:-0}"
ktap_finish
