#!/bin/bash
# test_install.sh - `meson install` into a scratch DESTDIR: the binary, the
# man page pproftop(1) and the bash completion. The page renders without a
# warning (groff -ww, mandoc -Tlint when installed, man -l), names every
# option of --help and every key of the help overlay's table, and the
# completion completes options, --name's values and files.
#
# env: PPROFTOP_BIN, PPROFTOP_BUILD_ROOT (the build directory).
set -u
bin=${PPROFTOP_BIN:?PPROFTOP_BIN is not set}
build=${PPROFTOP_BUILD_ROOT:?PPROFTOP_BUILD_ROOT is not set}
export LC_ALL=C

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pproftop-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
nfail=0
fail() {
	echo "FAIL: $*"
	nfail=$((nfail + 1))
}

prefix=$(meson introspect --buildoptions "$build" |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
if ! meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/root" >"$tmp/log" 2>&1; then
	cat "$tmp/log"
	echo "FAIL: meson install"
	exit 1
fi
root=$tmp/root$prefix
man=$root/share/man/man1/pproftop.1
comp=$root/share/bash-completion/completions/pproftop
for f in "$root/bin/pproftop" "$man" "$comp"; do
	[ -f "$f" ] || fail "not installed: ${f#"$tmp/root"}"
done
[ -x "$root/bin/pproftop" ] && "$root/bin/pproftop" --version >/dev/null || fail "the installed pproftop does not run"
[ "$nfail" -eq 0 ] || exit 1

# ------------------------------------------------------------ the man page
for s in NAME SYNOPSIS DESCRIPTION OPTIONS KEYS PANES "JSON OUTPUT" "EXIT STATUS" ENVIRONMENT \
	FILES EXAMPLES "SEE ALSO"; do
	grep -qx "\.SH \"\?$s\"\?" "$man" || fail "man page: no section $s"
done
if command -v groff >/dev/null; then
	w=$(groff -man -ww -z "$man" 2>&1)
	[ -z "$w" ] || fail "groff -ww: $w"
else
	fail "groff is not installed (scripts/deps.sh installs groff-base)"
fi
if command -v mandoc >/dev/null; then
	w=$(mandoc -Tlint "$man" 2>&1)
	[ -z "$w" ] || fail "mandoc -Tlint: $w"
fi
if command -v man >/dev/null; then
	w=$(MANWIDTH=80 man -l "$man" 2>&1 >"$tmp/man.txt")
	[ -z "$w" ] || fail "man -l: $w"
	# every option --help shows is in OPTIONS, as --help spells it
	"$bin" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+( [^ ]+)?' | sed 's/^ *//' >"$tmp/opts"
	[ -s "$tmp/opts" ] || fail "no options read from --help"
	while read -r o; do
		grep -qF -- "$o" "$tmp/man.txt" || fail "man page lacks $o"
	done <"$tmp/opts"
	grep -qF "Up, k" "$tmp/man.txt" && grep -qF "?, F1" "$tmp/man.txt" && grep -qF "C-l" "$tmp/man.txt" ||
		fail "man page: KEYS lacks the keys of the help overlay"
	grep -qF "pproftop $PPROFTOP_PROJECT_VERSION" "$tmp/man.txt" || fail "man page: no version"
fi

# ------------------------------------------------------------ completion
mkdir -p "$tmp/files/snap"
touch "$tmp/files/goroutine.pb.gz" "$tmp/files/hdrs"
# complete WORDS...: the completions of the last word, one a line
complete_words() {
	(
		cd "$tmp/files" || exit 1
		PATH=$root/bin:$PATH
		# shellcheck disable=SC1090
		. "$comp"
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_pproftop pproftop "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf '%s\n' "${COMPREPLY[@]}" | sort
	) 2>&1
}
got=$(complete_words pproftop --na)
[ "$got" = "--name" ] || fail "completion of --na: '$got'"
got=$(complete_words pproftop --fail)
[ "$got" = "--fail-on-growth" ] || fail "completion of --fail: '$got'"
got=$(complete_words pproftop --open x.pb.gz --name gor)
[ "$got" = $'goroutine\ngoroutineleak' ] || fail "completion of --name gor: '$got'"
# --name's values are the profile kinds of src/core/kinds.c, all of them
kinds=$(sed -n 's/^\t\[PROF_[A-Z]*\] = { PROF_[A-Z]*, "\([a-z]*\)".*/\1/p' \
	"$(dirname "$0")/../../src/core/kinds.c" | grep . | sort)
got=$(complete_words pproftop --name '')
[ -n "$kinds" ] && [ "$got" = "$kinds" ] ||
	fail "completion of --name: '$got', the kinds of kinds.c: '$kinds'"
got=$(complete_words pproftop --open gor)
[ "$got" = "goroutine.pb.gz" ] || fail "completion of --open gor: '$got'"
got=$(complete_words pproftop --open goroutine.pb.gz --base g)
[ "$got" = "goroutine.pb.gz" ] || fail "completion of --base g: '$got'"
got=$(complete_words pproftop -H @h)
[ "$got" = "@hdrs" ] || fail "completion of -H @h: '$got'"
got=$(complete_words pproftop --open sn)
[ "$got" = "snap" ] || fail "completion of --open sn (a snapshot directory): '$got'"

[ "$nfail" -eq 0 ] && echo "install: ok"
exit $((nfail > 0))
