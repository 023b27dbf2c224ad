#!/bin/bash
# test_deb.sh - the Debian package: dpkg-buildpackage -us -uc -b on a copy
# of the checkout (the tracked and new files, never build directories), so
# the checkout stays clean; lintian reports no errors; the .deb, unpacked
# with dpkg -x into a scratch folder, runs --version and --help, and holds
# the man page and completion. Builds the unit tests too (about a minute on
# 2 cores). The build tools come from scripts/deps.sh (PPROFTOP_DEB_DEPS=1)
# as root; skipped (77) when they are missing and cannot be installed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
export LC_ALL=C

need=(dpkg-buildpackage dh lintian)
missing() {
	for c in "${need[@]}"; do
		command -v "$c" >/dev/null || return 0
	done
	return 1
}
if missing; then
	if [ "$(id -u)" -eq 0 ]; then
		PPROFTOP_DEB_DEPS=1 "$src/scripts/deps.sh" || {
			echo "FAIL: scripts/deps.sh"
			exit 1
		}
	else
		echo "skip: ${need[*]} not all installed, and not root"
		exit 77
	fi
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pproftop-deb.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
nfail=0
fail() {
	echo "FAIL: $*"
	nfail=$((nfail + 1))
}

before=$(git -C "$src" status --porcelain --ignored 2>/dev/null | grep -vE ' (build[^/]*|obj-[^/]*)/$')

# the copy: what git tracks, and new files not ignored (or, outside a
# checkout, everything but build directories)
mkdir "$tmp/pproftop"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z -co --exclude-standard | grep -zvE '^(build[^/]*|obj-[^/]*)/' |
		tar --null -cf - -T -) | tar -xf - -C "$tmp/pproftop"
else
	(cd "$src" && tar --exclude='./build*' --exclude='./obj-*' -cf - .) | tar -xf - -C "$tmp/pproftop"
fi
[ -f "$tmp/pproftop/debian/control" ] || {
	echo "FAIL: the copy has no debian/control"
	exit 1
}

if ! (cd "$tmp/pproftop" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	tail -40 "$tmp/build.log"
	echo "FAIL: dpkg-buildpackage"
	exit 1
fi
debs=("$tmp"/pproftop_*.deb)
deb=${debs[0]}
[ -f "$deb" ] || {
	ls "$tmp"
	echo "FAIL: no pproftop_*.deb"
	exit 1
}
echo "built $(basename "$deb")"

# lintian: no errors (warnings are shown)
lintian "$deb" >"$tmp/lintian.log" 2>&1
sed 's/^/lintian: /' "$tmp/lintian.log"
grep -q '^E: ' "$tmp/lintian.log" && fail "lintian reports errors"

# runtime libraries only, and libcurl named though it is dlopen'd
dep=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $dep"
[[ $dep == *"libcurl4 | "*"libcurl3-gnutls"* ]] || fail "Depends lacks libcurl: $dep"
[[ $dep == *-dev* ]] && fail "Depends names a -dev package: $dep"

dpkg -x "$deb" "$tmp/x"
bin=$tmp/x/usr/bin/pproftop
"$bin" --version >"$tmp/out" 2>&1 || fail "unpacked pproftop --version: exit $?: $(cat "$tmp/out")"
head -1 "$tmp/out" | grep -qE '^pproftop [0-9]+\.[0-9]+\.[0-9]+$' ||
	fail "unpacked --version: '$(head -1 "$tmp/out")' (no git description outside a checkout)"
sed -n 2p "$tmp/out" | grep -q '^libcurl: [0-9]' || fail "unpacked --version: $(sed -n 2p "$tmp/out")"
"$bin" --help >"$tmp/out" 2>&1 || fail "unpacked pproftop --help: exit $?"
grep -q '^usage: pproftop' "$tmp/out" || fail "unpacked --help: $(head -1 "$tmp/out")"
for f in usr/share/man/man1/pproftop.1.gz usr/share/bash-completion/completions/pproftop \
	usr/share/doc/pproftop/copyright; do
	[ -f "$tmp/x/$f" ] || fail "the package lacks /$f"
done
after=$(git -C "$src" status --porcelain --ignored 2>/dev/null | grep -vE ' (build[^/]*|obj-[^/]*)/$')
[ "$before" = "$after" ] || fail "the checkout changed: $(diff <(echo "$before") <(echo "$after"))"

[ "$nfail" -eq 0 ] && echo "deb: ok"
exit $((nfail > 0))
