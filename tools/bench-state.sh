#!/bin/sh
# make bench-state: what a commit of dtcpd's state file costs, on the
# disk under build/ and on a tmpfs (/dev/shm), in microseconds (wall
# clock, state-sync on): best of BENCH_STATE_ROUNDS rounds (3) of
# BENCH_STATE_COUNT commits (500; ten times as many on the tmpfs).
# BENCH_STATE_BASE=DIR: the same loop built from another tree (an older
# release); each round runs both, in turn.
#
#   bench-state.sh BENCH_BINARY
set -eu

rounds=${BENCH_STATE_ROUNDS:-3}
count=${BENCH_STATE_COUNT:-500}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "$top/build/bench-state.XXXXXX")
shm=$(mktemp -d /dev/shm/bench-state.XXXXXX)
trap 'rm -rf "$tmp" "$shm"' EXIT INT TERM
cp "$1" "$tmp/this"
builds=this
if [ -n "${BENCH_STATE_BASE:-}" ]; then
	b=$BENCH_STATE_BASE
	# shellcheck disable=SC2046 # its state*.c, however many
	${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -I"$b/agent" -o "$tmp/base" \
		"$top/tools/bench_state_commit.c" $(ls "$b"/agent/state*.c) "$b/agent/auth.c" \
		-ljansson -lcrypto
	builds="this base"
fi
for _ in $(seq "$rounds"); do
	for n in $builds; do
		rm -rf "$tmp/d" "$shm/d" && mkdir "$tmp/d" "$shm/d"
		"$tmp/$n" "$tmp/d/state" "$count" >>"$tmp/$n.disk"
		"$tmp/$n" "$shm/d/state" "$((count * 10))" >>"$tmp/$n.tmpfs"
	done
done
printf '# bench-state: us per commit of the state file, best of %s rounds\n' "$rounds"
printf '%-6s %10s %10s\n' build disk tmpfs
for n in $builds; do
	printf '%-6s %10s %10s\n' "$n" "$(sort -n "$tmp/$n.disk" | head -n 1)" \
		"$(sort -n "$tmp/$n.tmpfs" | head -n 1)"
done
