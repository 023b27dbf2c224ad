#!/bin/bash
# test_pprof_parity.sh - pproftop's totals and per-stack values agree with
# `go tool pprof -raw` on every fixture pprof can read (*.pb.gz and the
# debug=1 texts), and the cumulative values of `pproftop --tree` agree with
# `go tool pprof -top`'s cum on the goroutine, heap, block and mutex
# protobufs. The comparison logic, and the places where pprof is wrong and
# the right value is checked instead, are in pprof_parity.py.
#
# env: PPROFTOP_BIN (the binary), PPROFTOP_FIXTURES (tests/fixtures).
# Skipped (exit 77) when go or python3 is missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=${PPROFTOP_BIN:?PPROFTOP_BIN is not set}
fixtures=${PPROFTOP_FIXTURES:-$here/../fixtures}

if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 not found"
	exit 77
fi
if ! command -v go >/dev/null 2>&1 || ! go tool pprof -h >/dev/null 2>&1; then
	echo "SKIP: go tool pprof not found"
	exit 77
fi
# keep go from fetching a toolchain or modules
export GOTOOLCHAIN=local GOPROXY=off
exec python3 "$here/pprof_parity.py" "$bin" "$fixtures"
