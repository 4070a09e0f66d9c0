#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# docs.sh: host-tier checks that the documentation stays true to the tree.
# No source file points outside the repository (a path of the build
# machine, a sibling directory); every "docs/dtcp.md §N" the tree cites is
# a section of docs/dtcp.md, and every docs/NAME.md it names exists; the
# per-criterion entry limits the docs state are the UAPI's; the man pages
# and the unit name dtcpd's default configuration; docs/dtcp.md's signed
# example is what build/dtcpc sends. Each check also runs on planted
# faults (a positive control) to show it can fail.

cd "$(dirname "$0")/.." || exit 1
. selftests/lib.sh

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
ktap_header

# src_files ROOT: the tree's source and documentation files, relative.
# Not this script (it holds the patterns), nor fuzz inputs (arbitrary
# bytes), nor hidden files and build products (kbuild's .*.cmd and
# .*.o.d name the build directory).
src_files() {
	if git -C "$1" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$1" ls-files --cached --others --exclude-standard
	else
		(cd "$1" && find . -path ./build -prune -o -path ./.git -prune -o -type f -print |
			sed 's|^\./||')
	fi | grep -v -e '^selftests/docs\.sh$' -e '^selftests/fuzz_[^/]*/corpus/' \
		-e '\(^\|/\)\.[^/]*$' -e '\.\(o\|ko\|mod\|mod\.c\|d\|order\|symvers\)$' |
		LC_ALL=C sort -u
}

# outside_refs ROOT: "file:line: text" of every line naming a place
# outside the repository.
outside_refs() {
	(cd "$1" && src_files . | xargs -r grep -nIE -e '\.\./shared' -e '/work/' --) 2>/dev/null
}

# bad_citations ROOT: "docs/dtcp.md §N" citations (in any file) and "§N"
# references inside docs/dtcp.md that name no section of it, and
# docs/NAME.md files named that do not exist.
bad_citations() {
	(
		cd "$1" || exit 1
		secs=$(sed -n 's/^##\{1,2\} \([0-9][0-9.]*\) .*/\1/p' docs/dtcp.md | sed 's/\.$//')
		{
			src_files . | xargs -r grep -ohIE 'docs/dtcp\.md §[0-9]+(\.[0-9]+)?' -- |
				sed 's/.*§//'
			grep -oE '§[0-9]+(\.[0-9]+)?' docs/dtcp.md | sed 's/§//'
		} | LC_ALL=C sort -u | while read -r n; do
			echo "$secs" | grep -qx "$n" || echo "docs/dtcp.md §$n"
		done
		src_files . | xargs -r grep -ohIE 'docs/[a-z][a-z0-9_-]*\.md' -- | LC_ALL=C sort -u |
			while read -r f; do [ -f "$f" ] || echo "$f"; done
	)
}

# bad_limits ROOT: phrases "N entries and/or M exclusions" in README.md and
# docs/ that are not the UAPI's per-criterion limits.
bad_limits() {
	(
		cd "$1" || exit 1
		h=include/uapi/linux/dfc.h
		e=$(sed -n 's/^#define DFC_CRIT_MAX_ENTRIES \([0-9]*\).*/\1/p' "$h")
		x=$(sed -n 's/^#define DFC_CRIT_MAX_EXCL \([0-9]*\).*/\1/p' "$h")
		if [ -z "$e" ] || [ -z "$x" ]; then
			echo "$h: no DFC_CRIT_MAX_ENTRIES/EXCL"
			exit 0
		fi
		grep -rnoE '[0-9][0-9,]* entries (and|or) [0-9][0-9,]* exclusions' README.md docs |
			grep -vE ":$e entries (and|or) $x exclusions\$"
	)
}

# ---- nothing points outside the repository ----
n=$(src_files . | wc -l)
check_eq "tree: $n source files listed (not none)" "$([ "$n" -gt 100 ] && echo many)" many
check_eq "no file names ../shared or /work/" "$(outside_refs .)" ""
# positive control: a planted tree with two such lines and a clean one
p=$tmp/planted
mkdir -p "$p/docs/man" "$p/agent" "$p/include/uapi/linux"
printf 'see ../shared/docs/dtcp.md\n' >"$p/docs/dtcpd.md"
printf 'x\n/* /work/main/agent */\n' >"$p/agent/x.c"
printf 'fine: docs/dtcpd.md\n' >"$p/docs/man/x.8.scd"
check_eq "control: both planted references are found" \
	"$(outside_refs "$p" | cut -d: -f1,2 | tr '\n' ' ')" "agent/x.c:2 docs/dtcpd.md:1 "

# ---- citations resolve ----
check_eq "every docs/dtcp.md §N and docs/NAME.md cited exists" "$(bad_citations .)" ""
# positive control: a section and a page that do not exist
cp docs/dtcp.md "$p/docs/dtcp.md"
printf '/* docs/dtcp.md §6.3 and docs/dtcp.md §99.1, docs/nope.md */\n' >"$p/agent/y.c"
check_eq "control: a missing section and a missing page are found" \
	"$(bad_citations "$p" | tr '\n' ' ')" "docs/dtcp.md §99.1 docs/nope.md "

# ---- per-criterion limits as the UAPI says ----
check_eq "docs state the UAPI's entries and exclusions per criterion" "$(bad_limits .)" ""
cp include/uapi/linux/dfc.h "$p/include/uapi/linux/"
printf 'beyond the kernel'"'"'s 1024 entries or 64 exclusions\n' >"$p/README.md"
printf 'at most 256 entries and 64 exclusions per criterion\n' >>"$p/README.md"
check_eq "control: a wrong limit is found, the right one is not" \
	"$(bad_limits "$p" | cut -d: -f1,2)" "README.md:1"

# ---- dtcpd's default configuration, where the docs and the unit say ----
conf=$(sed -n 's/.*conf_path = "\([^"]*\)".*/\1/p' agent/main.c)
check_eq "agent/main.c: default configuration /etc/dtcpd/dtcpd.conf" "$conf" /etc/dtcpd/dtcpd.conf
check "the unit reads it (SYSCONFDIR /etc)" \
	grep -q -- "-c @SYSCONFDIR@/dtcpd/dtcpd.conf" agent/dtcpd.service.in
for f in docs/man/dtcpd.8.scd docs/man/dtcpd.conf.5.scd docs/dtcpd.md README.md; do
	check "$f names $conf" grep -qF -- "$conf" "$f"
done

# ---- docs/dtcp.md §6.1's example is what dtcpc signs ----
if [ -x build/dtcpc ]; then
	# the indented block after "For example, under the key", up to the blank line
	sed -n '/^For example, under the key/,/^    Authentication-Info/p' docs/dtcp.md |
		sed -n 's/^    //p' >"$tmp/want"
	printf '\n' >>"$tmp/want"
	# shellcheck disable=SC2016 # backquotes of Markdown, not of the shell
	args=$(sed -n '/^For example, under the key/,/sends/p' docs/dtcp.md | tr '\n' ' ' |
		sed -n 's/.*`dtcpc \([^`]*\)`.*/\1/p')
	# sign ARGS: the request dtcpc builds from the words of ARGS (sent to
	# the discard port, no answer awaited), CRLF shown as LF
	sign() {
		rm -f "$tmp/seq" "$tmp/req"
		# shellcheck disable=SC2086 # the documented command line, word by word
		build/dtcpc -s 127.0.0.1 -p 9 -w 0 -S "$tmp/seq" -o "$tmp/req" $1 >/dev/null 2>&1 &&
			tr -d '\r' <"$tmp/req"
	}
	check_eq "the example's command line was found" "$(echo "$args" | cut -d' ' -f1-5)" \
		"-i cs1 -k secret -q"
	sign "$args" >"$tmp/got"
	if cmp -s "$tmp/want" "$tmp/got" && [ "$(wc -l <"$tmp/want")" -ge 5 ]; then
		ok "docs/dtcp.md §6.1: dtcpc sends the example, its digest included"
	else
		fail "docs/dtcp.md §6.1: dtcpc sends the example, its digest included" \
			"$(diff "$tmp/want" "$tmp/got")"
	fi
	# positive control: another key signs otherwise
	sign "$(echo "$args" | sed 's/-k secret /-k secreT /')" >"$tmp/other"
	check_eq "control: another key gives another digest" \
		"$(cmp -s "$tmp/want" "$tmp/other" || diff "$tmp/want" "$tmp/other" | grep -c '^>')" 1
else
	skip "docs/dtcp.md §6.1: dtcpc sends the example" "build/dtcpc not built"
fi

ktap_finish
