# require.sh - what a shell test needs before it starts, or it is skipped
# (exit 77, meson's SKIP). Source it after setting $root (the checkout) and
# $demo_bin (the demo service's binary).

# require_tools TOOL...: every TOOL on the PATH.
require_tools() {
	local tool
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			echo "1..0 # SKIP $tool is not installed"
			exit 77
		fi
	done
}

# require_demo [always]: the demo service at $demo_bin, built with
# scripts/build-demo.sh when missing (always: rebuilt unless PPROFTOP_DEMO
# names another binary, for a test that needs its newest flags).
require_demo() {
	if [ "${1:-}" = always ] && [ -n "${PPROFTOP_DEMO:-}" ]; then
		return 0
	fi
	if [ "${1:-}" = always ] || [ ! -x "$demo_bin" ]; then
		"$root/scripts/build-demo.sh" >/dev/null 2>&1 || {
			echo "1..0 # SKIP the demo service cannot be built (no Go toolchain?)"
			exit 77
		}
	fi
}
