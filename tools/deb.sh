#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# deb.sh [--version]: `make deb`. Builds the Debian packages dfc-dkms and
# dfc-tools (debian/) from an export of the tree, so that the tree itself
# stays clean, into build/deb/: the .deb files, .buildinfo and .changes.
# --version prints the package version and builds nothing.
#
# The version: the VERSION file's outside git (a tarball, an export). In
# git, a tag vX.Y.Z on HEAD gives X.Y.Z; any other commit is a snapshot
# after VERSION, VERSION+gitN.gHASH (N: commits up to HEAD, so later
# snapshots sort higher), and uncommitted changes to tracked files (which
# the export includes) add .dirty. debian/changelog is kept in the repo
# for releases; for another version the export's changelog gets an entry
# of its own.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

ingit=
[ -e .git ] && command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1 && ingit=y

version() {
	base=$(cat VERSION)
	[ -n "$ingit" ] || { echo "$base"; return; }
	tag=$(git describe --tags --exact-match --match 'v[0-9]*' HEAD 2>/dev/null || :)
	if [ -n "$tag" ]; then
		v=${tag#v}
	else
		v="$base+git$(git rev-list --count HEAD).g$(git rev-parse --short HEAD)"
	fi
	git diff-index --quiet HEAD -- 2>/dev/null || v="$v.dirty"
	echo "$v"
}
v=$(version)
if ! dpkg --validate-version "$v" 2>/dev/null; then
	echo "deb: '$v' is not a valid Debian version" >&2
	exit 1
fi
if [ "${1:-}" = --version ]; then
	echo "$v"
	exit 0
fi

out=$top/build/deb
src=$out/dfc-$v
rm -rf "$out"
mkdir -p "$src"
if [ -n "$ingit" ]; then
	# the tracked files as they are now (HEAD when the tree is clean)
	rev=$(git stash create 2>/dev/null || :)
	git archive --format=tar "${rev:-HEAD}" | tar -xf - -C "$src"
else
	tar -cf - --exclude=./build --exclude=./debian/.debhelper . | tar -xf - -C "$src"
fi

# A version other than the changelog's: an entry for it, on top.
cv=$(cd "$src" && dpkg-parsechangelog -S Version)
if [ "$cv" != "$v" ]; then
	maint=$(cd "$src" && dpkg-parsechangelog -S Maintainer)
	dist=$(cd "$src" && dpkg-parsechangelog -S Distribution)
	what="the tree without git"
	[ -z "$ingit" ] || what="git commit $(git rev-parse --short HEAD)"
	[ "${v%.dirty}" = "$v" ] || what="$what with uncommitted changes"
	{
		printf 'dfc (%s) %s; urgency=medium\n\n' "$v" "$dist"
		printf '  * Snapshot of %s (make deb).\n\n' "$what"
		printf ' -- %s  %s\n\n' "$maint" "$(date -R)"
		cat "$src/debian/changelog"
	} >"$src/debian/changelog.new"
	mv "$src/debian/changelog.new" "$src/debian/changelog"
fi

# Not the calling make's: they carry this tree's flags and version.
unset CFLAGS LDLIBS DFC_VERSION B MAKEFLAGS MAKELEVEL MFLAGS KVER
(cd "$src" && dpkg-buildpackage -b -us -uc)
rm -rf "$src"
debs=
for f in "$out"/*.deb; do debs="$debs ${f##*/}"; done
echo "deb:$debs in build/deb/"
