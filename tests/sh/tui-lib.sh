# tui-lib.sh - the harness shared by the tmux tests (e2e, faults, cost,
# soak, terminal, tls, ...): a scratch directory and a private tmux server,
# ok/notok/check/bail TAP lines, a background-server starter, a pane runner
# that records the command's pid, stderr and exit status, and the screen
# helpers (capture, wait for a line, wait for it to go). Source it after
# setting lib_name; set TUI_RAW=1 to also record each pane's raw output in
# NAME.raw, TUI_KEEP=1 to keep the scratch directory.
#
# Timed waits count polls of the screen (20 a second), not the wall clock: on
# a loaded machine each poll takes longer, so a wait only grows more
# generous. What they wait for is behaviour; strict figures are bench/'s.

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pproftop-${lib_name:?}.XXXXXX") || exit 1
sock=pproftop-$lib_name$$
bg_pids=()
cleanup() {
	tm kill-server 2>/dev/null
	local p
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${bg_pids[@]}"; do wait "$p" 2>/dev/null; done
	if [ "${TUI_KEEP:-0}" = 1 ]; then
		echo "# kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------- helpers

n=0
nfail=0
ok() {
	n=$((n + 1))
	echo "ok $n${*:+ - $*}"
}
notok() {
	n=$((n + 1))
	nfail=$((nfail + 1))
	echo "not ok $n - $*"
}
diag() { sed -e 's/^/#   /' | head -n "${1:-45}"; }
# fail MSG: notok, with the last screen looked at ($screen, from cap or a
# wait) when there is one.
screen=
fail() {
	notok "$@"
	if [ -n "$screen" ]; then
		echo "# screen:"
		sed -e 's/[[:space:]]*$//' -e 's/^/# |/' <<<"$screen"
	fi
}
check() { # check EXIT-STATUS MSG
	if [ "$1" -eq 0 ]; then ok "$2"; else fail "$2"; fi
}
bail() {
	fail "$*"
	echo "# bailing out"
	exit 1
}
# now_ms, now_us: the wall clock in milliseconds, microseconds.
now_us() {
	local t=${EPOCHREALTIME/./}
	echo "$((10#$t))"
}
now_ms() { echo "$(($(now_us) / 1000))"; }

# a private server whose socket lives in $tmp
tm() { TMUX_TMPDIR=$tmp tmux -L "$sock" -f /dev/null "$@"; }

# start_server NAME CMD...: CMD in the background, output in NAME.out; waits
# for its "listening on ADDR" line and sets $addr and $bg_pid.
start_server() {
	local name=$1 pid i
	shift
	: >"$tmp/$name.out"
	"$@" >"$tmp/$name.out" 2>&1 &
	pid=$!
	bg_pid=$pid
	bg_pids+=("$pid")
	for ((i = 0; i < 200; i++)); do
		addr=$(sed -n 's/^listening on //p' "$tmp/$name.out")
		[ -n "$addr" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "# $name did not start:"
	diag <"$tmp/$name.out"
	return 1
}
# stop_bg PID: kills a process started by start_server and waits for it.
stop_bg() {
	local p keep=()
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	for p in "${bg_pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	bg_pids=("${keep[@]}")
}

# The pane runs run.sh: it waits for NAME.go, runs the command with stderr in
# NAME.err, writes NAME.pid and NAME.exit, then keeps the pane open.
cat >"$tmp/run.sh" <<'EOF'
#!/bin/bash
d=$(dirname "$0") name=$1 loc=$2
shift 2
while [ ! -e "$d/$name.go" ]; do sleep 0.02; done
(
	echo "$BASHPID" >"$d/$name.pid.tmp" && mv "$d/$name.pid.tmp" "$d/$name.pid"
	exec env -u LINES -u COLUMNS TERM=tmux-256color LANG="$loc" LC_ALL="$loc" "$@" 2>"$d/$name.err"
)
rc=$?
echo "$rc" >"$d/$name.exit"
echo "EXITED rc=$rc"
exec sleep 600
EOF
chmod +x "$tmp/run.sh"

# tui_start NAME COLS LINES LOCALE CMD...: a tmux session running CMD (with
# TUI_RAW=1 the pane's raw output goes to NAME.raw from the first byte); the
# server stays up when its last session is killed.
tui_start() {
	local name=$1 w=$2 h=$3 loc=$4 i
	shift 4
	# exit-empty off: a session killed as the last one must not take the
	# server with it while the next one starts (that raced on a loaded
	# machine: "no server running")
	tm start-server \; set-option -s exit-empty off \; \
		new-session -d -s "$name" -x "$w" -y "$h" "$tmp/run.sh" "$name" "$loc" "$@" || return 1
	if [ "${TUI_RAW:-0}" = 1 ]; then
		tm pipe-pane -O -t "$name" "cat >>'$tmp/$name.raw'"
	fi
	touch "$tmp/$name.go"
	for ((i = 0; i < 200; i++)); do
		[ -s "$tmp/$name.pid" ] && return 0
		sleep 0.05
	done
	return 1
}
screen() { tm capture-pane -p -t "$1" 2>&1; }
# cap NAME: the screen, also left in $screen (for fail and later greps).
cap() {
	screen=$(screen "$1")
	printf '%s\n' "$screen"
}
# show NAME: the screen now, indented, for a failure report.
show() { screen "$1" | sed -e 's/[[:space:]]*$//' -e 's/^/# |/'; }
row() { screen "$1" | sed -n "$2p"; } # row NAME N (1-based)
# wait_for NAME ERE [SECONDS]: until a line of the screen matches ERE (10 s
# by default); the last screen is left in $screen.
wait_for() {
	local i
	for ((i = 0; i < ${3:-10} * 20; i++)); do
		cap "$1" >/dev/null
		grep -Eq -- "$2" <<<"$screen" && return 0
		sleep 0.05
	done
	return 1
}
# wait_not NAME ERE [SECONDS]: until no line matches ERE.
wait_not() {
	local i
	for ((i = 0; i < ${3:-10} * 20; i++)); do
		cap "$1" >/dev/null
		grep -Eq -- "$2" <<<"$screen" || return 0
		sleep 0.05
	done
	return 1
}

# free_port: a TCP port on 127.0.0.1 that nobody listens on (bound, released).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_prometheus BIN LOGLEVEL: Prometheus on a free 127.0.0.1 port,
# scraping itself every 5 s, its data in $tmp; waits for /-/ready (another
# port only when the first was taken in between). Sets prom_pid (empty when
# it did not become ready; its log is $tmp/prometheus.log) and url, and
# adds the pid to bg_pids.
start_prometheus() {
	local prom=$1 level=$2 port i
	prom_pid=
	url=
	for _ in 1 2 3; do
		port=$(free_port) || break
		cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 5s
  scrape_timeout: 4s
scrape_configs:
  - job_name: self
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
		rm -rf "$tmp/tsdb"
		(cd "$tmp" && exec env -u GOGC -u GOMEMLIMIT -u GODEBUG -u GOMAXPROCS "$prom" \
			--config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
			--web.listen-address="127.0.0.1:$port" --log.level="$level") >"$tmp/prometheus.log" 2>&1 &
		prom_pid=$!
		bg_pids+=("$prom_pid")
		url=http://127.0.0.1:$port
		for ((i = 0; i < 600; i++)); do
			curl -sf --max-time 2 "$url/-/ready" >/dev/null 2>&1 && return 0
			kill -0 "$prom_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$prom_pid" 2>/dev/null
		wait "$prom_pid" 2>/dev/null
		# only a port taken in between is worth another try
		grep -q 'address already in use' "$tmp/prometheus.log" || break
		prom_pid=
	done
	prom_pid=
	return 1
}

# find_prometheus: Debian's prometheus in $prom ($PROMETHEUS, else the one
# on PATH), installed with apt-get when missing and root; exits 77 (skip)
# when there is none.
find_prometheus() {
	prom=${PROMETHEUS:-$(command -v prometheus || echo /usr/bin/prometheus)}
	if [ ! -x "$prom" ]; then
		if [ "$(id -u)" -ne 0 ]; then
			echo "SKIP: prometheus is not installed (and installing it needs root: apt-get install prometheus)"
			exit 77
		fi
		echo "# installing prometheus with apt-get"
		export DEBIAN_FRONTEND=noninteractive
		apt_install() { apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1; }
		apt_install || { apt-get update -qq >/dev/null 2>&1 && apt_install; }
		prom=$(command -v prometheus || echo /usr/bin/prometheus)
		if [ ! -x "$prom" ]; then
			echo "SKIP: apt-get install prometheus failed"
			exit 77
		fi
	fi
}
