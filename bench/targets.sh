#!/bin/bash
# targets.sh - the dashboard watching many targets at once (issue 10): its
# CPU, peak RSS and key latency with N demo services on loopback.
#
#   bench/targets.sh [--targets N] [--seconds S] [--interval I] [--keys K]
#
#   --targets N   demo services (default 50)
#   --seconds S   how long the dashboard is measured (default 60)
#   --interval I  pproftop -i (default 2)
#   --keys K      key-latency samples (default 20, spread over the run)
#
# Stands alone: needs bash, tmux, python3 (free ports) and the binaries
# PPROFTOP (default build/pproftop) and DEMO (default build/demo/demo, built
# with scripts/build-demo.sh when missing). Starts N demo services with
# -quiet (their active behaviours off: 50 full demos, each burning CPU and
# churning its heap on purpose, would saturate a 2-core machine by
# themselves and measure the machine, not pproftop; their passive parked
# goroutines, HTTP server and pprof handlers are the same) and -spawn 100,
# each on its own 127.0.0.1 port, waits until they all listen, then runs
# `pproftop -i I` against all of them in a private tmux server (200x50),
# waits until the merged view shows "N targets, 0 down" and the merged
# main.parked group at N x 100 (one target: its own view), and then, for S
# seconds:
#   - CPU: pproftop's utime + stime from /proc/PID/stat, over the S seconds,
#     as a share of one core;
#   - RSS: VmHWM (the peak) and VmRSS at the end, /proc/PID/status;
#   - key latency: K times, "?" (the help opens) and then Esc (it closes),
#     each the time from `tmux send-keys` until `tmux capture-pane` shows
#     the change (polled every ~5 ms; tmux's own round trips included, so
#     an upper bound; the time of one capture alone is printed too);
#     median and max for "?", and for Esc, which also waits out ncurses'
#     ESCDELAY (is it a lone Esc or the start of a sequence?).
# Also prints the machine's load average and the polls' worst latency as
# the header shows it. Everything it started is stopped on exit. The
# report (Markdown) goes to stdout, progress to stderr.
set -u

n=50 secs=60 interval=2 nkeys=20
while [ $# -gt 0 ]; do
	case $1 in
	--targets) n=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	--interval) interval=$2; shift 2 ;;
	--keys) nkeys=$2; shift 2 ;;
	*) echo "usage: $0 [--targets N] [--seconds S] [--interval I] [--keys K]" >&2; exit 2 ;;
	esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PPROFTOP:-$root/build/pproftop}
demo=${DEMO:-$root/build/demo/demo}
[ -x "$bin" ] || { echo "targets.sh: no $bin (ninja -C build)" >&2; exit 1; }
if [ ! -x "$demo" ]; then
	"$root/scripts/build-demo.sh" >&2 || exit 1
fi
for tool in tmux python3; do
	command -v "$tool" >/dev/null || { echo "targets.sh: $tool is missing" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pproftop-targets.XXXXXX") || exit 1
sock=pproftop-bench-targets$$
pids=()
cleanup() {
	TMUX_TMPDIR=$tmp tmux -L "$sock" kill-server 2>/dev/null
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
tm() { TMUX_TMPDIR=$tmp tmux -L "$sock" -f /dev/null "$@"; }
screen() { tm capture-pane -p -t bench; }
now_ns() { date +%s%N; }

echo "starting $n demo services (-quiet -spawn 100)" >&2
for ((i = 0; i < n; i++)); do
	"$demo" -addr 127.0.0.1:0 -quiet -spawn 100 >"$tmp/demo$i.out" 2>&1 &
	pids+=($!)
done
addrs=()
for ((i = 0; i < n; i++)); do
	a=
	for ((k = 0; k < 200; k++)); do
		a=$(sed -n 's/^listening on //p' "$tmp/demo$i.out")
		[ -n "$a" ] && break
		sleep 0.05
	done
	[ -n "$a" ] || { echo "demo $i did not start: $(head -c 300 "$tmp/demo$i.out")" >&2; exit 1; }
	addrs+=("$a")
done
printf '%s\n' "${addrs[@]}" >"$tmp/targets"

cat >"$tmp/run.sh" <<EOF
#!/bin/bash
echo \$\$ >"$tmp/pp.pid"
exec env TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 "$bin" -i "$interval" --targets "$tmp/targets" 2>"$tmp/pp.err"
EOF
chmod +x "$tmp/run.sh"
tm new-session -d -s bench -x 200 -y 50 "$tmp/run.sh"
for ((k = 0; k < 100; k++)); do [ -s "$tmp/pp.pid" ] && break; sleep 0.05; done
pid=$(cat "$tmp/pp.pid")
want=$((n * 100))
echo "waiting for the merged view (main.parked at $want)" >&2
ready=0
for ((k = 0; k < 600; k++)); do
	s=$(screen)
	if { [ "$n" = 1 ] || grep -q "^pproftop all $n targets  $n targets, 0 down" <<<"$s"; } &&
		grep -Eq "^ +$want .*main\.parked" <<<"$s"; then
		ready=1
		break
	fi
	sleep 0.1
done
[ "$ready" = 1 ] || { echo "the merged view never showed $want parked goroutines:" >&2; screen >&2; exit 1; }

hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
c0=$(ticks)
t0=$(now_ns)
# key_wait ERE PRESENT: ns until the screen (does not) match ERE
key_ms() {
	local key=$1 ere=$2 present=$3 s e
	s=$(now_ns)
	tm send-keys -t bench "$key"
	while :; do
		if screen | grep -Eq -- "$ere"; then
			[ "$present" = 1 ] && break
		else
			[ "$present" = 0 ] && break
		fi
		e=$(now_ns)
		[ $((e - s)) -gt 5000000000 ] && break
		sleep 0.005
	done
	e=$(now_ns)
	awk -v d=$((e - s)) 'BEGIN { printf "%.1f\n", d / 1e6 }'
}
gap=$(awk -v s="$secs" -v k="$nkeys" 'BEGIN { printf "%.2f", s / k }')
: >"$tmp/keys"
: >"$tmp/esc"
: >"$tmp/rt"
echo "measuring for $secs s ($nkeys key pairs, one every $gap s)" >&2
for ((k = 0; k < nkeys; k++)); do
	sleep "$(awk -v g="$gap" 'BEGIN { printf "%.2f", (g > 0.6) ? g - 0.5 : 0.1 }')"
	key_ms '?' '^Keys  \(Esc' 1 >>"$tmp/keys"
	key_ms Escape '^Keys  \(Esc' 0 >>"$tmp/esc"
	# one capture and grep with nothing to wait for: the harness's own part
	s=$(now_ns)
	screen | grep -Eq -- '^Keys  \(Esc'
	echo "$(( ($(now_ns) - s) / 100000 ))" | awk '{ printf "%.1f\n", $1 / 10 }' >>"$tmp/rt"
done
while [ $(($(now_ns) - t0)) -lt $((secs * 1000000000)) ]; do sleep 0.2; done
c1=$(ticks)
t1=$(now_ns)
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
header=$(screen | head -1)
load=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(awk -v c=$((c1 - c0)) -v hz="$hz" -v t=$((t1 - t0)) 'BEGIN { printf "%.2f", 100 * c / hz / (t / 1e9) }')
# stats FILE: median, max and count of its numbers
stats() { sort -n "$1" | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[NR], NR }'; }
read -r kmed kmax nk < <(stats "$tmp/keys")
read -r emed emax _ < <(stats "$tmp/esc")
read -r rmed rmax _ < <(stats "$tmp/rt")
down=$(grep -c . "$tmp/pp.err" 2>/dev/null || true)

cat <<EOF
### $n targets at \`-i $interval\` ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $load)

| measure | value |
|---|---|
| targets | $n demo services, \`-quiet -spawn 100\` |
| measured | $(awk -v t=$((t1 - t0)) 'BEGIN { printf "%.1f", t / 1e9 }') s after the merged view was complete |
| pproftop CPU (utime + stime) | **$cpu %** of one core |
| pproftop peak RSS (VmHWM) | **$((hwm / 1024)) MiB** ($hwm kB; VmRSS at the end $rss kB) |
| key latency: \`?\` until the help shows, through tmux: median / max | **$kmed ms** / $kmax ms over $nk samples |
| Esc until it is gone (includes ncurses' ESCDELAY): median / max | $emed ms / $emax ms |
| the harness alone (one capture-pane + grep): median / max | $rmed ms / $rmax ms |
| header at the end | \`$header\` |
| lines on pproftop's stderr | ${down:-0} |
EOF
