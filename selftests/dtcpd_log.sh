#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dtcpd_log.sh: host-tier test of the built dtcpd's own output, where the
# host kernel has no dfc.ko (so dtcpd cannot start). A failing start says
# why on stderr and exits non-zero, with or without -f; its lines carry
# "<N>" priority prefixes exactly when JOURNAL_STREAM names stderr, as
# under systemd. key-file with a bare name is looked up in
# $CREDENTIALS_DIRECTORY (LoadCredential=) when there is one.

cd "$(dirname "$0")/.." || exit 1
. selftests/lib.sh

DTCPD=$PWD/build/dtcpd
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
ktap_header

# conf KEY-FILE: a valid configuration, its key in KEY-FILE
conf() {
	cat <<EOF
state-file = "$tmp/state/state";
control-socket = "$tmp/run/dtcpd.sock";
capture-group = ( {
  name = "g1";
  content-destination = ( { id = "cd1"; address = "192.0.2.1"; } );
  control-source = ( { id = "cs1"; service-port = 2400; key-file = "$1";
    allowed-destinations = [ "cd1" ]; } );
} );
EOF
}
echo secret >"$tmp/cs1.key"
chmod 600 "$tmp/cs1.key"
conf "$tmp/cs1.key" >"$tmp/dtcpd.conf"
chmod 600 "$tmp/dtcpd.conf"

# run ARGS...: dtcpd with stderr in $tmp/err, its status in $rc
run() {
	"$DTCPD" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}
# jrun ARGS...: the same, JOURNAL_STREAM naming $tmp/err as systemd does
jrun() {
	: >"$tmp/err"
	JOURNAL_STREAM=$(stat -c %d:%i "$tmp/err") "$DTCPD" "$@" >"$tmp/out" 2>>"$tmp/err" </dev/null
	rc=$?
}
# said NAME WANT: $tmp/err is WANT exactly and the status non-zero
said() {
	got=$(cat "$tmp/err")
	if [ "$rc" -ne 0 ] && [ "$got" = "$2" ]; then
		ok "$1"
	else
		fail "$1" "status $rc, stderr:" "$got" "want:" "$2"
	fi
}

# Positive control: the configuration is valid, so what fails below is
# the start itself.
check "dtcpd -t accepts the configuration" "$DTCPD" -t -c "$tmp/dtcpd.conf"
if grep -qw dfc /proc/net/netlink 2>/dev/null || [ -d /sys/module/dfc ]; then
	skip "failing starts" "dfc.ko is loaded on this host"
else
	run -c "$tmp/dtcpd.conf"
	said "without -f: no dfc.ko is said on stderr, status non-zero" \
		"dtcpd: error: dfc.ko: module not loaded"
	run -f -c "$tmp/dtcpd.conf"
	said "with -f: the same, plain text" "dtcpd: error: dfc.ko: module not loaded"
	jrun -f -c "$tmp/dtcpd.conf"
	said "stderr is the journal: a <3> prefix (SD_ERR)" "<3>dfc.ko: module not loaded"
	# A journal stream that is not stderr (inherited by a child): plain text.
	: >"$tmp/other"
	JOURNAL_STREAM=$(stat -c %d:%i "$tmp/other") "$DTCPD" -f -c "$tmp/dtcpd.conf" \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	said "JOURNAL_STREAM naming another file: plain text" "dtcpd: error: dfc.ko: module not loaded"
fi
run -c "$tmp/missing.conf"
said "missing configuration: said on stderr, status non-zero" \
	"dtcpd: $tmp/missing.conf: No such file or directory"
jrun -c "$tmp/missing.conf"
said "missing configuration, to the journal: <3>" "<3>$tmp/missing.conf: No such file or directory"
jrun -t -c "$tmp/missing.conf"
said "dtcpd -t, to the journal: <3>" "<3>$tmp/missing.conf: No such file or directory"

# ---- key-file as a credential (LoadCredential=) ----
mkdir "$tmp/creds" "$tmp/elsewhere"
cp "$tmp/cs1.key" "$tmp/creds/cs1.key"
chmod 400 "$tmp/creds/cs1.key"
conf cs1.key >"$tmp/cred.conf"
chmod 600 "$tmp/cred.conf"
# from a directory without cs1.key: only the credentials directory has it
cd "$tmp/elsewhere" || exit 1
if out=$(CREDENTIALS_DIRECTORY=$tmp/creds "$DTCPD" -t -c "$tmp/cred.conf" 2>&1); then
	ok "key-file = \"cs1.key\" is read from \$CREDENTIALS_DIRECTORY"
else
	fail "key-file = \"cs1.key\" is read from \$CREDENTIALS_DIRECTORY" "$out"
fi
out=$("$DTCPD" -t -c "$tmp/cred.conf" 2>&1)
case $out in
*"key file cs1.key: No such file or directory"*) ok "without credentials, a bare name is not found" ;;
*) fail "without credentials, a bare name is not found" "$out" ;;
esac
rm "$tmp/creds/cs1.key"
out=$(CREDENTIALS_DIRECTORY=$tmp/creds "$DTCPD" -t -c "$tmp/cred.conf" 2>&1)
case $out in
*"key file $tmp/creds/cs1.key: No such file or directory"*)
	ok "a missing credential is named with its directory" ;;
*) fail "a missing credential is named with its directory" "$out" ;;
esac
# An absolute key-file is the path as written, credentials or not.
check "an absolute key-file ignores \$CREDENTIALS_DIRECTORY" \
	env CREDENTIALS_DIRECTORY="$tmp/creds" "$DTCPD" -t -c "$tmp/dtcpd.conf"
cd - >/dev/null || exit 1

ktap_finish
