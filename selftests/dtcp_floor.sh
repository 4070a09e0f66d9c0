#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dtcp_floor.sh: host-tier test of make bench-dtcp's floor server
# (tools/bench_dtcp_floor.c, under ASan/UBSan), on 127.0.0.1. dtcpc bench
# gets every ADD answered 200 and authentic. Then, from one UDP socket, a
# request signed here (the positive control) must get a 200 with its Seq,
# signed with the key, while a forged signature, a signature over other
# bytes, a datagram as large as UDP carries and an empty one get nothing.
# The server's own count must say the same, and it must exit cleanly.

cd "$(dirname "$0")/.." || exit 1
. selftests/lib.sh

FLOOR=$TOP/build/selftests/bench_dtcp_floor_san
DTCPC=$TOP/build/dtcpc
KEY=floor-key
tmp=$(mktemp -d) || exit 1
fpid=
trap '[ -z "$fpid" ] || kill "$fpid" 2>/dev/null; rm -rf "$tmp"' EXIT
ktap_header
need_python3 "the floor server"
if [ ! -x "$FLOOR" ] || [ ! -x "$DTCPC" ]; then
	fail "bench_dtcp_floor_san and dtcpc are built"
	ktap_finish
fi

"$FLOOR" 127.0.0.1 0 "$KEY" >"$tmp/out" 2>"$tmp/err" &
fpid=$!
i=0
while ! grep -qs '^port=' "$tmp/out" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(sed -n 's/^port=//p' "$tmp/out")
[ -n "$PORT" ] || { fail "the floor server starts" "$(cat "$tmp/err")"; ktap_finish; }

line=$("$DTCPC" -s 127.0.0.1 -p "$PORT" -i cs1 -k "$KEY" -S "$tmp/seq" bench -N 300 -W 32 2>&1)
echo "# $line"
check_eq "dtcpc bench: 300 ADDs answered 200 and authentic" \
	"$(echo "$line" | grep -o 'ok=[0-9]* unverified=[0-9]*')" "ok=300 unverified=0"

# One line per datagram sent: what came back (within 1 s; the control, 10 s).
"$PY" - "$PORT" "$KEY" >"$tmp/py" 2>&1 <<'EOF'
import hashlib, hmac, os, socket, sys
port, key = int(sys.argv[1]), sys.argv[2].encode()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("127.0.0.1", port))

def sign(body, k=key):
    return body + b"Authentication-Info: " + \
        hmac.new(k, body, hashlib.sha1).hexdigest().encode() + b"\r\n\r\n"

def send(name, d, wait=1.0):
    s.settimeout(wait)
    s.send(d)
    try:
        a = s.recv(65535)
    except socket.timeout:
        print(name, "none")
        return
    head, _, sig = a.partition(b"Authentication-Info: ")
    good = hmac.new(key, head, hashlib.sha1).hexdigest().encode() == sig.strip()
    print(name, a.split(b"\r\n")[0].decode(), "Seq: 7" in a.decode(), "signed" if good else "unsigned")

body = b"ADD DTCP/0.7\r\nCsource-ID: cs1\r\nSeq: 7\r\n"
send("forged", sign(body, b"other-key"))
send("tampered", sign(body).replace(b"Seq: 7", b"Seq: 8"))
big = body + os.urandom(65507 - len(body) - 65) + b"\r\n"
send("largest", (big + b"Authentication-Info: " + b"0" * 40 + b"\r\n")[:65507])
send("empty", b"")
send("control", sign(body), 10.0)	# the one answer awaited: room for a loaded host
EOF
sed 's/^/# /' "$tmp/py"
for c in forged tampered largest empty; do
	check_eq "no answer to a request $c" "$(grep "^$c " "$tmp/py")" "$c none"
done
check_eq "the control, signed here, is answered 200 with its Seq and signed" \
	"$(grep '^control ' "$tmp/py")" "control DTCP/0.7 200 OK True signed"

kill "$fpid"
wait "$fpid"
rc=$?
fpid=
check_eq "the server exits cleanly on SIGTERM" "$rc" 0
check_eq "its count: 305 requests, 301 answered, 4 unauthentic" "$(tail -n 1 "$tmp/out")" \
	"requests=305 answered=301 unauthentic=4"
check_eq "nothing on its standard error" "$(cat "$tmp/err")" ""
ktap_finish
