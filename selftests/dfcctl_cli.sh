#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dfcctl_cli.sh: host-tier test of dfcctl's command line, which needs no
# module: help per object, abbreviations and synonyms (seen in which
# command's usage a bad line gets), options with one dash or two and
# abbreviated, usage errors (exit 2), -n with a bad or missing namespace,
# and -batch's reading and checking: words, quotes, comments,
# continuations, the longest command, every bad line reported as FILE:LINE before anything is
# sent. "Nothing is sent" is seen with a request that cannot succeed and
# says so when tried (agent, toward a socket that does not exist), and its
# positive control is -force, which then runs it. No command here reaches
# the module: the host's dfc.ko, if it has one, is left alone.
# Runs dfcctl built under ASan/UBSan (build/selftests/dfcctl_san).

cd "$(dirname "$0")/.." || exit 1
. selftests/lib.sh

D=${DFCCTL_SAN:-$TOP/build/selftests/dfcctl_san}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
ktap_header
if [ ! -x "$D" ]; then
	fail "dfcctl_san built" "$D: not built (make selftests)"
	ktap_finish
fi
NOSOCK=$tmp/no-dtcpd.sock

# run ARGS...: dfcctl's stdout in $tmp/out, stderr in $tmp/err, status in $rc.
run() {
	"$D" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
err() { cat "$tmp/err"; }
out() { cat "$tmp/out"; }
# usage_of ARGS...: status and first stderr line of dfcctl ARGS
usage_of() {
	run "$@"
	echo "$rc $(head -n 1 "$tmp/err")"
}

# ---- help ----
run help
check_eq "help: exit 0" "$rc" 0
check_eq "help: every object's commands" \
	"$(grep -oE '^  (interface|filter|cdest|owner|limits|stats|monitor|agent) ' "$tmp/out" |
		sort -u | wc -l)" 8
check "help: the options, iproute2's way" grep -q -- '-n, -netns NETNS' "$tmp/out"
run filter help
check_eq "filter help: exit 0, nothing on stderr" "$rc:$(err)" "0:"
check_eq "filter help: filter's commands only" \
	"$(grep -oE '^  [a-z]+ [a-z-]+' "$tmp/out" | sort -u | tr '\n' ,)" \
	"  filter add,  filter del,  filter show,"
cp "$tmp/out" "$tmp/filter-help"
for a in "f h" "fil help" "help filter" "help f"; do
	# shellcheck disable=SC2086 # the words of $a
	run $a
	check_eq "'dfcctl $a' is filter's help" "$rc:$(cmp -s "$tmp/out" "$tmp/filter-help" && echo same)" \
		"0:same"
done
run monitor help
check "monitor help: its timestamps" grep -q -- '-t | -ts' "$tmp/out"
run -h
check_eq "-h: exit 0" "$rc" 0
run --help
check_eq "--help: exit 0, the help" "$rc:$(head -n 1 "$tmp/out" | cut -c1-13)" "0:Usage: dfcctl"

# ---- abbreviations and synonyms: which command's usage a bad line gets ----
check_eq "f a: filter add" "$(usage_of f a)" \
	"2 Usage: dfcctl [-j] filter add owner N id N [OPTION]... [FIELD VALUE]..."
check_eq "int a: interface add" "$(usage_of int a)" "2 Usage: dfcctl [-j] interface add DEV [pass]"
check_eq "i sh: interface show" "$(usage_of i sh x y)" "2 Usage: dfcctl [-j] interface show [DEV]"
check_eq "c s: cdest show, the first of show and set" "$(usage_of c s 1 x)" \
	"2 Usage: dfcctl [-j] cdest show [ID]"
check_eq "c se: cdest set" "$(usage_of c se 1)" "2 dfcctl: cdest set: nothing to change"
check_eq "l s: limits show, not set" "$(usage_of l s x)" "2 Usage: dfcctl [-j] limits show "
check_eq "o s: owner set" "$(usage_of o s)" "2 dfcctl: owner set: OWNER: a number up to 4294967295"
check_eq "a st: agent status" "$(usage_of a st x)" "2 Usage: dfcctl [-j] [-S PATH] agent status "
check_eq "a s: agent show, before status and seq-reset" "$(usage_of a s x y)" \
	"2 Usage: dfcctl [-j] [-S PATH] agent show [SOURCE]"
check_eq "filter delete: filter del" "$(usage_of filter delete)" \
	"2 Usage: dfcctl [-j] filter del owner N [id N | cdest N] [static]"
check_eq "f dele: filter del" "$(usage_of f dele)" \
	"2 Usage: dfcctl [-j] filter del owner N [id N | cdest N] [static]"
check_eq "filter list: filter show" "$(usage_of filter list x)" \
	"2 Usage: dfcctl [-j] filter show [owner N [id N]] [terse]"
check_eq "cdest ls: cdest show" "$(usage_of cdest ls 1 x)" "2 Usage: dfcctl [-j] cdest show [ID]"
check_eq "m -x: monitor events, which refuses -x" "$(usage_of m -x)" \
	"2 Usage: dfcctl [-j] monitor events [-t | -ts]"
check_eq "the full names, the same" "$(usage_of interface add)" \
	"2 Usage: dfcctl [-j] interface add DEV [pass]"

# ---- usage errors ----
check_eq "no object: exit 2" "$(usage_of)" "2 Usage: dfcctl [OPTION]... OBJECT [COMMAND [ARGS]]"
check_eq "unknown object" "$(usage_of bogus)" "2 dfcctl: unknown object 'bogus' (try 'dfcctl help')"
check_eq "unknown command" "$(usage_of f bogus)" \
	"2 dfcctl: unknown command 'filter bogus' (try 'dfcctl filter help')"
check_eq "help of an unknown object" "$(usage_of help bogus)" "2 dfcctl: help: unknown object 'bogus'"
check_eq "unknown option" "$(usage_of -q f s)" "2 dfcctl: unknown option '-q' (try 'dfcctl help')"
check_eq "-jp is no option" "$(usage_of -jp f s)" "2 dfcctl: unknown option '-jp' (try 'dfcctl help')"
check_eq "-n without its namespace" "$(usage_of -n)" "2 dfcctl: option -netns needs an argument"
check_eq "-n with a path" "$(usage_of -n ../x f s)" "2 dfcctl: -netns: '../x' is not a namespace name"
check_eq "-n ..: no namespace name" "$(usage_of -netns .. f s)" \
	"2 dfcctl: -netns: '..' is not a namespace name"
check_eq "-n of a namespace that is not there: exit 1" "$(usage_of -n "dfcctl-none-$$" f s)" \
	"1 dfcctl: cannot open network namespace \"dfcctl-none-$$\": No such file or directory"
check_eq "-batch and an object" "$(usage_of -batch "$tmp/x" f s)" \
	"2 dfcctl: -batch takes its commands from $tmp/x, not from the command line ('f')"
check_eq "-batch of a file that is not there: exit 1" "$(usage_of -batch "$tmp/none")" \
	"1 dfcctl: -batch: $tmp/none: No such file or directory"

# ---- options: one dash or two, abbreviated ----
ver=$("$D" -V)
case $ver in "dfcctl "?*) ok "-V: the version" ;; *) fail "-V: the version" "got '$ver'" ;; esac
for o in -Version --version -Vers -v --v; do
	check_eq "$o: the version" "$("$D" $o 2>&1)" "$ver"
done
# -S's argument reaches agent: the socket it names is tried
for o in -S -socket --socket -so -s; do
	check_eq "$o PATH: agent's socket" "$(usage_of "$o" "$NOSOCK" agent status)" \
		"1 dfcctl: agent: $NOSOCK: No such file or directory (is dtcpd running? its control-socket may be elsewhere: -S PATH)"
done
# options are read, not taken as the object: the usage error is filter add's
for o in -j -json --json -js -p -pretty --pre -t -timestamp -ts -tshort -f -force; do
	check_eq "$o is an option" "$(usage_of $o f a)" \
		"2 Usage: dfcctl [-j] filter add owner N id N [OPTION]... [FIELD VALUE]..."
done
check_eq "-- ends the options" "$(usage_of -- -j)" "2 dfcctl: unknown object '-j' (try 'dfcctl help')"

# ---- -batch: bad lines, FILE:LINE, nothing sent ----
# A file of good and bad lines; the good agent line would fail if run.
printf '%s\n' \
	'# dfcctl batch' \
	'' \
	'agent status' \
	'f a owner 1 id 1 static dst 10.0.0.1 # a comment' \
	'filter add owner 1 id 2 static dst "10.0.0.1 x"' \
	'interface add' \
	'bogus thing' \
	'filter add owner 1 \' \
	'   id y' \
	"filter add owner 1 id 3 src 'unterminated" \
	'monitor -t' \
	'f a owner 1 id 4 static dst 10.0.0.2 #dport 80' \
	'  # indented comment' \
	'limits set max-criteria x' \
	'cdest add 1 address 192.0.2.1 name "two words"' \
	'stats show extra' >"$tmp/b1"
printf 'filter add owner 1 id 5 static dst 10.0.0.3 \001\n' >>"$tmp/b1"
printf '%s\n' \
	"$tmp/b1:5: filter add: dst: '10.0.0.1 x': not an IPv4 or IPv6 address" \
	"$tmp/b1:6: Usage: dfcctl [-j] interface add DEV [pass]" \
	"$tmp/b1:7: unknown object 'bogus' (try 'dfcctl help')" \
	"$tmp/b1:8: id: 'y' is not a number up to 18446744073709551615" \
	"$tmp/b1:8: Usage: dfcctl [-j] filter add owner N id N [OPTION]... [FIELD VALUE]..." \
	"$tmp/b1:10: unterminated quoted string" \
	"$tmp/b1:14: max-criteria: 'x' is not a number up to 4294967295" \
	"$tmp/b1:14: Usage: dfcctl [-j] limits set [max-criteria N] [max-masks N] [max-duplicates N] [dup-period S]" \
	"$tmp/b1:14: [frag-max N] [frag-timeout S] [frag-hold BYTES] [copy-mark MARK]" \
	"$tmp/b1:16: Usage: dfcctl [-j] stats show " \
	"$tmp/b1:17: control character in the line" | sed 's/^/dfcctl: /' >"$tmp/want"
run -S "$NOSOCK" -batch "$tmp/b1"
check_eq "batch with bad lines: exit 2, nothing on stdout" "$rc:$(out)" "2:"
if cmp -s "$tmp/err" "$tmp/want"; then
	ok "batch: every bad line as FILE:LINE, in order, and nothing sent"
else
	fail "batch: every bad line as FILE:LINE, in order, and nothing sent" \
		"$(diff "$tmp/want" "$tmp/err")"
fi
# The same from standard input: named stdin.
"$D" -S "$NOSOCK" -batch - <"$tmp/b1" >/dev/null 2>"$tmp/err"
check_eq "batch -: exit 2" "$?" 2
check_eq "batch -: the lines as stdin:LINE" "$(cat "$tmp/err")" "$(sed "s|$tmp/b1:|stdin:|" "$tmp/want")"

# The positive control: with -force, the good agent line (3) runs, after
# the bad lines are reported, and fails as it must; the exit status is the
# first refusal's. The filter lines are left out: they would go to the module.
grep -v '^f a\|^monitor\|^cdest' "$tmp/b1" >"$tmp/b2"
run -force -S "$NOSOCK" -batch "$tmp/b2"
check_eq "-force: exit 2 (the first refusal)" "$rc" 2
check_eq "-force: the bad lines, then the agent line run and failed" "$(grep -c '' "$tmp/err"):$(tail -n 1 "$tmp/err")" \
	"12:dfcctl: $tmp/b2:3: agent: $NOSOCK: No such file or directory (is dtcpd running? its control-socket may be elsewhere: -S PATH)"
# Without -force a good file runs: the agent line fails (exit 1), and the
# lines after it are not run: their agent errors do not appear.
printf '%s\n' 'a status' 'agent reload' 'help stats' >"$tmp/b3"
run -S "$NOSOCK" -b "$tmp/b3"
check_eq "good file, first line fails: exit 1, stopped there" "$rc:$(grep -c '' "$tmp/err"):$(out)" \
	"1:1:"
check "... reported with its line" grep -q "^dfcctl: $tmp/b3:1: agent: $NOSOCK: " "$tmp/err"
run -f -S "$NOSOCK" -b "$tmp/b3"
check_eq "-f: every line runs, each failure with its line" \
	"$rc:$(cut -d: -f3 "$tmp/err" | tr '\n' ,):$(grep -c '^  stats show' "$tmp/out")" "1:1,2,:1"
# An empty file, and comments only: nothing to do.
: >"$tmp/b4"
run -batch "$tmp/b4"
check_eq "empty batch: exit 0, silent" "$rc:$(out)$(err)" "0:"
printf '# nothing\n\n   \n\t# still nothing\n' >"$tmp/b5"
run -batch "$tmp/b5"
check_eq "comments and blank lines only: exit 0, silent" "$rc:$(out)$(err)" "0:"
# A NUL byte, and a last line continued into the end of the file
printf 'stats\000 show\nagent status \\' >"$tmp/b6"
run -S "$NOSOCK" -batch "$tmp/b6"
check_eq "NUL byte: refused; a trailing '\\' line is a command" "$rc:$(err)" \
	"2:dfcctl: $tmp/b6:1: NUL byte in the line"

# The longest command: 32768 bytes, its lines joined by a blank. One more
# byte, on one line or over continued lines, and it is refused.
pad() { printf "%$1s" ''; }
{ printf 'help stats'; pad 32758; printf '\n'; } >"$tmp/b7"
run -batch "$tmp/b7"
check_eq "a command of 32768 bytes runs" "$rc:$(err):$(out | grep -c '^  stats show')" "0::1"
{ printf 'help \\\n'; printf 'stats'; pad 32757; printf '\n'; } >"$tmp/b8"
run -batch "$tmp/b8"
check_eq "... continued over two lines" "$rc:$(err):$(out | grep -c '^  stats show')" "0::1"
{ printf 'help stats'; pad 32759; printf '\n'; } >"$tmp/b9"
run -batch "$tmp/b9"
check_eq "a command of 32769 bytes: refused" "$rc:$(err):$(out)" \
	"2:dfcctl: $tmp/b9:1: command longer than 32768 bytes:"
{ printf 'help \\\n'; printf 'stats'; pad 32758; printf '\n'; } >"$tmp/b10"
run -batch "$tmp/b10"
check_eq "... continued over two lines: refused, named by its first line" "$rc:$(err):$(out)" \
	"2:dfcctl: $tmp/b10:1: command longer than 32768 bytes:"

ktap_finish
