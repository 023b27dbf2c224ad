#!/bin/bash
# test_goquote.sh - the one Go quoter (src/core/goquote.c) against Go: the
# small Go program tests/goquote prints strconv.Quote of every code point,
# every lone byte and some mixed strings, and goquote_check compares
# pproftop's go_quote with each. Skipped (77) without a Go toolchain.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
check=${GOQUOTE_CHECK:?GOQUOTE_CHECK is not set}
command -v go >/dev/null || { echo "1..0 # SKIP no Go toolchain"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pproftop-goquote.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
(
	cd "$root/tests/goquote" &&
		GOCACHE=${GOCACHE:-$root/build/gocache} GOFLAGS= GOTOOLCHAIN=local GOPROXY=off \
			go run . quote
) >"$tmp/quote.txt" || { echo "1..1"; echo "not ok 1 - go run ./tests/goquote quote failed"; exit 1; }
"$check" "$tmp/quote.txt"
