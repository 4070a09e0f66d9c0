#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dtcpc_args.sh: host-tier test of dtcpc's command line. Each bad number
# (-p, -w, -c, -q, -v, bench -N and -W, listen -c and -w) is refused with
# status 2 and its message, and nothing is sent: a UDP socket on 127.0.0.1
# logs every datagram that arrives, and after each refused command a good
# one (the positive control) sends a marker, waited for, which must be the
# only thing logged since. dtcpc --version and -V print dfcctl's version.

cd "$(dirname "$0")/.." || exit 1
. selftests/lib.sh

DTCPC=$TOP/build/dtcpc
tmp=$(mktemp -d) || exit 1
lpid=
trap '[ -z "$lpid" ] || kill "$lpid" 2>/dev/null; rm -rf "$tmp"' EXIT
ktap_header
need_python3 "dtcpc's command line"

# The listener: one line per datagram, its X-Case value ("?" without one).
"$PY" -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
log = open(sys.argv[2], "a", buffering=1)
while True:
    d = s.recv(65535)
    v = [l.split(b":", 1)[1].strip() for l in d.split(b"\r\n") if l.lower().startswith(b"x-case:")]
    log.write((v[0].decode("ascii", "replace") if v else "?") + "\n")
' "$tmp/port" "$tmp/log" &
lpid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$tmp/port" 2>/dev/null)
[ -n "$PORT" ] || { fail "the UDP listener starts"; ktap_finish; }
: > "$tmp/log"

# dc ARGS...: dtcpc toward the listener as cs1 (options may follow: last wins).
dc() { "$DTCPC" -s 127.0.0.1 -p "$PORT" -i cs1 -k secret -S "$tmp/seq" "$@"; }

seen=0
# control N DESCRIPTION [SENT]: a good dtcpc sends marker good-N, which
# arrives; then the log since the last control is exactly that marker
# (nothing else was sent), after SENT if given (what was to be sent).
control() {
	dc -w 0 NOOP "X-Case=good-$1" || { fail "$2: the control sends" "status $?"; return; }
	i=0
	while ! grep -qx "good-$1" "$tmp/log" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	got=$(tail -n +$((seen + 1)) "$tmp/log" | tr '\n' ' ')
	seen=$(wc -l < "$tmp/log")
	if [ -n "${3:-}" ]; then
		check_eq "$2: $3 sent, nothing else (then the control's datagram arrived)" \
			"$got" "$3 good-$1 "
	else
		check_eq "$2: nothing sent (then the control's datagram arrived)" "$got" "good-$1 "
	fi
}

n=0
# bad DESCRIPTION WANT ARGS...: dtcpc ARGS exits 2 printing WANT alone.
bad() {
	d=$1 want=$2
	shift 2
	n=$((n + 1))
	out=$("$@" 2>&1)
	check_eq "$d: status 2, message" "$? $out" "2 $want"
	control "$n" "$d"
}

# ---- the positive controls: good numbers are taken, and sent ----
out=$(dc -w 0.2 -c 3 -q 42 -v 0.8 NOOP X-Case=good-opts 2>&1)
check_eq "good -w 0.2 -c 3 -q 42 -v 0.8: sent, no answer in 0.2 s (3)" "$? $out" "3 dtcpc: no answer"
control 0 "good options" good-opts

# ---- -p ----
for p in "${PORT}x" "+$PORT" " $PORT" "$PORT.0" 0 65536 -1 ""; do
	bad "-p '$p'" "dtcpc: -p: '$p' is not a port (1..65535)" dc -p "$p" NOOP X-Case=bad
done
# ---- -w ----
for w in abc -1 1e3 inf nan 0x10 "" . 86401 1.5s " 1" 1,5; do
	bad "-w '$w'" "dtcpc: -w: '$w' is not a number of seconds (0..86400, fractions allowed)" \
		dc -w "$w" NOOP X-Case=bad
done
# ---- -c ----
for c in abc -1 4294967296 2x; do
	bad "-c '$c'" "dtcpc: -c: '$c' is not a count (0..4294967295)" dc -c "$c" NOOP X-Case=bad
done
# ---- -q, -v ----
bad "-q '12abc'" "dtcpc: bad Seq '12abc'" dc -q 12abc NOOP X-Case=bad
for v in 0.7x 1 " 0.7" 0.7.1 000000000000000000000000.7x; do
	bad "-v '$v'" "dtcpc: bad version '$v'" dc -v "$v" NOOP X-Case=bad
done
# ---- bench -N, -W ----
for N in abc 0 16777217 1x; do
	bad "bench -N '$N'" "dtcpc: -N: '$N' is not a count (1..16777216)" dc bench -N "$N"
done
for W in 0 257 2x; do
	bad "bench -W '$W'" "dtcpc: -W: '$W' is not a window (1..256)" dc bench -W "$W"
done
# ---- listen -c, -w (nothing is sent in any case: the status and message) ----
bad "listen -c 'x'" "dtcpc: -c: 'x' is not a count (0..4294967295)" \
	"$DTCPC" listen -l "127.0.0.1:0" -c x
bad "listen -w '5m'" "dtcpc: -w: '5m' is not a number of seconds (0..86400, fractions allowed)" \
	"$DTCPC" listen -l "127.0.0.1:0" -w 5m

# ---- the Seq state file holds a number ----
echo "12 monkeys" > "$tmp/bad.seq"
n=$((n + 1))
out=$("$DTCPC" -s 127.0.0.1 -p "$PORT" -i cs1 -k secret -S "$tmp/bad.seq" -w 0 NOOP X-Case=bad 2>&1)
check_eq "a state file that holds no Seq: status 1, message" "$? $out" \
	"1 dtcpc: state file $tmp/bad.seq: not a Seq (a decimal number); remove it to start from the clock"
control "$n" "a state file that holds no Seq"

# ---- the version ----
want=$("$TOP/build/dfcctl" --version | sed -n 's/^dfcctl //p')
check_eq "dtcpc --version: dfcctl's version" "$("$DTCPC" --version)" "dtcpc $want"
check_eq "dtcpc -V: the same" "$("$DTCPC" -V)" "dtcpc $want"
case $want in
'' | unknown) fail "the version is set" "'$want'" ;;
*) ok "the version is set ($want)" ;;
esac

ktap_finish
