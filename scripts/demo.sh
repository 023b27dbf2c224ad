#!/bin/bash
# demo.sh - set everything up and watch the demo Go service with pproftop.
# Installs what is missing (apt-get), builds pproftop and the demo, starts the
# demo on 127.0.0.1:6060 (or $DEMO_ADDR) and opens the dashboard on it. The
# demo stops when you quit the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
scripts/build-demo.sh >/dev/null

addr=${DEMO_ADDR:-127.0.0.1:6060}
log=$(mktemp -t pproftop-demo.XXXXXX)
build/demo/demo -addr "$addr" >"$log" 2>&1 &
demo=$!
trap 'kill $demo 2>/dev/null; wait $demo 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do
	grep -q listening "$log" && break
	if ! kill -0 $demo 2>/dev/null; then
		echo "demo.sh: the demo service did not start:" >&2
		cat "$log" >&2
		exit 1
	fi
	sleep 0.1
done
build/pproftop -i 1 "$@" "http://$addr"
