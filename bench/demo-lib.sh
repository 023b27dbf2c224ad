# shellcheck shell=bash disable=SC2034
# demo-lib.sh - sourced by the bench scripts (bench/run.sh, bench/cost.sh):
# one way to start the demo Go service and wait until it is ready.
#
# stop_started TSOCK: the end of a run: kills the private tmux server
# TSOCK and every process in the caller's pids array, and waits for them.
stop_started() {
	tmux -L "$1" kill-server 2>/dev/null || true
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
}

# demo_launch DEMO DIR NAME ARGS...: starts DEMO -addr 127.0.0.1:0 ARGS...
# with its output in DIR/NAME.stdout and .stderr, appends its pid to the
# caller's pids array, and waits until it prints its address and, with
# -spawn N among ARGS, until /demo/stats shows all N goroutines parked.
# Sets demo_pid, demo_addr and demo_stats (the last /demo/stats body).
# Returns 1 with demo_error set (one line) when it does not get there.
demo_launch() {
	local bin=$1 dir=$2 name=$3
	shift 3
	"$bin" -addr 127.0.0.1:0 "$@" >"$dir/$name.stdout" 2>"$dir/$name.stderr" &
	demo_pid=$!
	pids+=("$demo_pid")
	demo_addr='' demo_stats='' demo_error=''
	for _ in $(seq 100); do
		demo_addr=$(sed -n 's/^listening on //p' "$dir/$name.stdout" || true)
		[ -n "$demo_addr" ] && break
		if ! kill -0 "$demo_pid" 2>/dev/null; then
			demo_error="demo $name exited: $(head -c 500 "$dir/$name.stderr")"
			return 1
		fi
		sleep 0.1
	done
	[ -n "$demo_addr" ] || { demo_error="demo $name did not report its address"; return 1; }
	local want=0 prev='' n=
	for a in "$@"; do
		[ "$prev" = -spawn ] && want=$a
		prev=$a
	done
	for _ in $(seq 1200); do
		demo_stats=$(curl -sS --max-time 10 "http://$demo_addr/demo/stats" || true)
		n=$(printf '%s' "$demo_stats" | sed -n 's/.*"spawned":\([0-9]*\).*/\1/p')
		[ "${n:-0}" -ge "$want" ] && return 0
		sleep 0.1
	done
	demo_error="demo $name: only ${n:-0} of $want goroutines parked"
	return 1
}
