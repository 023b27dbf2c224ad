#!/bin/bash
# test_gentle.sh - what pproftop costs a real Go service that nobody here
# wrote: Debian's Prometheus (Go 1.19), watched by the live dashboard at -i 2,
# measured by Prometheus's own /metrics.
#
# Budget: pproftop may add at most GENTLE_ALLOC_BUDGET MiB/s (0.5) to
# Prometheus's allocation rate (go_memstats_alloc_bytes_total) and at most
# GENTLE_CPU_BUDGET % of one core (0.5) to its CPU (process_cpu_seconds_total,
# cross-checked against utime+stime in /proc/PID/stat around every read).
#
# Prometheus runs with a temporary config (it scrapes itself every 5 s, so it
# is not completely idle) and a temporary TSDB, on 127.0.0.1 only. After a
# warm-up, GENTLE_PHASES phases of GENTLE_PHASE seconds alternate without and
# with pproftop, starting and ending without (default 5 x 30 s: off on off on
# off), so a linear drift of Prometheus's own activity cancels out. /metrics
# is read only at the phase boundaries: every phase contains the tail of one
# read and the head of the next, so the reads cost both kinds the same. Each
# with-phase starts pproftop in tmux and ends when it has quit (q); its rate
# is compared with the mean of the without-phases, and the allocation budget
# is asserted on the mean of the with-phases minus the mean of the
# without-phases. The CPU budget is asserted on the quietest with-phase
# against the mean of the two without-phases around it: pproftop's cost is
# in every with-phase, while a burst of Prometheus's own work (a compaction,
# a GC; seen in CI under a CPU hog: 1.06 % in one with-phase, 0.37 % in the
# other) lands in one. The mean over the with-phases must stay within
# twice the budget too. Every figure is printed, so that a failure says by
# how much.
#
# That pproftop really polled: Prometheus's own count of requests to
# /debug/*subpath (prometheus_http_requests_total) rises during every
# with-phase and stays flat in every without-phase, and the dashboard shows
# Prometheus's goroutines (scrape.(*scrapeLoop).run, ...) at the end of each
# with-phase, not STALE.
#
# Prometheus (/usr/bin/prometheus, or $PROMETHEUS) is installed with apt-get
# when missing, as root only; otherwise, and without tmux, curl or python3,
# the test is skipped (exit 77). About 170 s.
#
# env: PPROFTOP_BIN, PROMETHEUS, GENTLE_PHASE (30), GENTLE_PHASES (5, odd),
# GENTLE_INTERVAL (2), GENTLE_ALLOC_BUDGET (0.5 MiB/s), GENTLE_CPU_BUDGET
# (0.5 % of a core), GENTLE_WARMUP (10 s).
set -u

bin=${PPROFTOP_BIN:?PPROFTOP_BIN is not set}
here=$(cd "$(dirname "$0")" && pwd)
phase=${GENTLE_PHASE:-30}
nphases=${GENTLE_PHASES:-5}
interval=${GENTLE_INTERVAL:-2}
alloc_budget=${GENTLE_ALLOC_BUDGET:-0.5}
cpu_budget=${GENTLE_CPU_BUDGET:-0.5}
warmup=${GENTLE_WARMUP:-10}
export LC_ALL=C # this script's own tools (and a '.' in $EPOCHREALTIME)
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
unset PPROFTOP_HEADERS NO_COLOR

for tool in tmux curl python3 awk; do
	if ! command -v "$tool" >/dev/null; then
		echo "SKIP: $tool is not installed"
		exit 77
	fi
done
tck=$(getconf CLK_TCK 2>/dev/null || echo 100)
if [ $((nphases % 2)) -ne 1 ] || [ "$nphases" -lt 3 ]; then
	echo "GENTLE_PHASES must be odd and at least 3 (off on off ...)" >&2
	exit 2
fi

lib_name=gentle
# shellcheck source=tests/sh/tui-lib.sh
. "$here/tui-lib.sh"
find_prometheus

# ---------------------------------------------------------------- Prometheus

start_prometheus "$prom" info
if [ -z "$prom_pid" ]; then
	notok "prometheus did not become ready ($prom)"
	diag <"$tmp/prometheus.log"
	exit 1
fi
ok "prometheus $("$prom" --version 2>&1 | awk '/^prometheus, version/ { v = $3 } /go version:/ { g = $3 } END { print v " (" g ")" }') ready at $url, pid $prom_pid"

# ---------------------------------------------------------------- sampling

# the CPU time of Prometheus in clock ticks, from the kernel
proc_ticks() { sed 's/.*) //' "/proc/$prom_pid/stat" 2>/dev/null | awk '{ print $12 + $13 }'; }

# sample K: Prometheus's counters at boundary K into T[K] (s, the midpoint of
# the read), A[K] (bytes allocated), C[K] (cpu s), R[K] (/debug requests),
# B[K] (bytes served by /debug), H[K] (s spent in the /debug handler), G[K]
# (GC cycles), M[K] (requests to /metrics); P0[K] P1[K] /proc ticks before and
# after the read.
declare -a T A C R B H G M P0 P1
sample() {
	local k=$1 t0 t1 p0 p1 vals
	t0=$EPOCHREALTIME
	p0=$(proc_ticks)
	if ! curl -sf --max-time 20 "$url/metrics" >"$tmp/metrics.$k"; then
		p1=$(proc_ticks)
		notok "boundary $k: GET /metrics failed"
		return 1
	fi
	p1=$(proc_ticks)
	t1=$EPOCHREALTIME
	vals=$(awk '
		function v(s) { return s + 0 }
		/^go_memstats_alloc_bytes_total /                      { a = v($2) }
		/^process_cpu_seconds_total /                          { c = v($2) }
		/^go_gc_duration_seconds_count /                       { g = v($2) }
		/^prometheus_http_requests_total\{.*handler="\/debug\/\*subpath"/ { r += v($NF) }
		/^prometheus_http_requests_total\{.*handler="\/metrics"/         { m += v($NF) }
		/^prometheus_http_response_size_bytes_sum\{handler="\/debug\/\*subpath"/ { b = v($NF) }
		/^prometheus_http_request_duration_seconds_sum\{handler="\/debug\/\*subpath"/ { h = v($NF) }
		END {
			if (a == "" || c == "") exit 1
			printf "%.0f %.2f %d %d %.0f %.6f %d\n", a, c, g, r, b, h, m
		}' "$tmp/metrics.$k") || {
		notok "boundary $k: no go_memstats_alloc_bytes_total or process_cpu_seconds_total in /metrics"
		diag 10 <"$tmp/metrics.$k"
		return 1
	}
	read -r "A[k]" "C[k]" "G[k]" "R[k]" "B[k]" "H[k]" "M[k]" <<<"$vals"
	T[k]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (a + b) / 2 }')
	P0[k]=$p0
	P1[k]=$p1
}
sleep_until() { # EPOCH seconds
	local d
	d=$(awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { d = a - b; printf "%.3f", d < 0 ? 0 : d }')
	sleep "$d"
}

# ---------------------------------------------------------------- phases

# warm-up: the first self-scrapes create the series; after that Prometheus
# runs at its idle rate
sleep "$warmup"
kind=() # kind[K]: off or on, for the phase that ends at boundary K
sample 0 || exit 1
for ((k = 1; k <= nphases; k++)); do
	start=$EPOCHREALTIME
	deadline=$(awk -v s="$start" -v p="$phase" 'BEGIN { printf "%.6f", s + p }')
	if ((k % 2 == 1)); then
		kind[k]=off
		sleep_until "$deadline"
	else
		kind[k]=on
		name=w$k
		if ! tui_start "$name" 140 40 C.UTF-8 "$bin" -i "$interval" "$url"; then
			notok "with-phase $k: pproftop did not start"
		fi
		sleep_until "$(awk -v d="$deadline" 'BEGIN { printf "%.6f", d - 1.5 }')"
		screen "$name" >"$tmp/$name.screen"
		sleep_until "$deadline"
		tm send-keys -t "$name" q
		for ((i = 0; i < 200; i++)); do
			[ -e "$tmp/$name.exit" ] && break
			sleep 0.05
		done
		if [ "$(cat "$tmp/$name.exit" 2>/dev/null)" = 0 ]; then
			ok "with-phase $k: q quits pproftop with status 0"
		else
			notok "with-phase $k: pproftop did not quit on q (exit '$(cat "$tmp/$name.exit" 2>/dev/null)')"
			screen "$name" | diag
			kill "$(cat "$tmp/$name.pid" 2>/dev/null)" 2>/dev/null
			sleep 0.5
		fi
		if [ -s "$tmp/$name.err" ]; then
			notok "with-phase $k: pproftop wrote to stderr"
			diag 20 <"$tmp/$name.err"
		fi
		tm kill-session -t "$name" 2>/dev/null
		s=$tmp/$name.screen
		# rows of Prometheus's own packages (labels without their
		# import path: scrape.(*scrapeLoop).run, tsdb.(*DB).run, ...)
		own=' (scrape|tsdb|rules|notifier|web|remote)\.'
		if grep -Eq "$own" "$s" &&
			grep -Eq '^[1-9][0-9]* goroutines in [1-9][0-9]* groups' "$s" &&
			! grep -q 'STALE' "$s"; then
			ok "with-phase $k: the dashboard shows Prometheus's goroutines ($(grep -Eo '^[0-9]+ goroutines in [0-9]+ groups' "$s"), $(grep -Ec "$own" "$s") rows of its scrape, tsdb, rules, notifier, web, remote packages)"
		else
			notok "with-phase $k: the dashboard does not show Prometheus's goroutines"
			diag <"$s"
		fi
	fi
	sample "$k" || exit 1
done
kill -0 "$prom_pid" 2>/dev/null || notok "prometheus died during the test"

# ---------------------------------------------------------------- figures

# one line a phase: K KIND SECONDS ALLOC_MIB_S CPU_PCT PROC_CPU_PCT REQS BYTES HANDLER_S GCS METRICS_READS
: >"$tmp/phases"
for ((k = 1; k <= nphases; k++)); do
	j=$((k - 1))
	awk -v k="$k" -v kind="${kind[k]}" -v tck="$tck" \
		-v t0="${T[j]}" -v t1="${T[k]}" -v a0="${A[j]}" -v a1="${A[k]}" \
		-v c0="${C[j]}" -v c1="${C[k]}" -v q0="${P0[j]}" -v q1="${P0[k]}" \
		-v r0="${R[j]}" -v r1="${R[k]}" -v b0="${B[j]}" -v b1="${B[k]}" \
		-v h0="${H[j]}" -v h1="${H[k]}" -v g0="${G[j]}" -v g1="${G[k]}" \
		-v m0="${M[j]}" -v m1="${M[k]}" 'BEGIN {
		d = t1 - t0
		printf "%d %s %.3f %.6f %.4f %.4f %d %.0f %.6f %d %d\n", k, kind, d,
			(a1 - a0) / d / 1048576, 100 * (c1 - c0) / d, 100 * (q1 - q0) / tck / d,
			r1 - r0, b1 - b0, h1 - h0, g1 - g0, m1 - m0
	}' >>"$tmp/phases"
done

while read -r k kd d a c p r b h g m; do
	if [ "$kd" = off ]; then
		printf '# phase %d without pproftop: %.1f s, alloc %.3f MiB/s, cpu %.2f %% (/proc %.2f %%), %d GCs, %d pprof requests, %d /metrics requests\n' \
			"$k" "$d" "$a" "$c" "$p" "$g" "$r" "$m"
	else
		printf '# phase %d with pproftop:    %.1f s, alloc %.3f MiB/s, cpu %.2f %% (/proc %.2f %%), %d GCs, %d pprof requests (%.0f KiB served, %.3f s in the handler), %d /metrics requests\n' \
			"$k" "$d" "$a" "$c" "$p" "$g" "$r" "$((${b%.*} / 1024))" "$h" "$m"
	fi
done <"$tmp/phases"

# the verdicts: means over each kind; every with-phase against the baseline
read -r alloc_off alloc_on alloc_add cpu_off cpu_on cpu_add proc_off proc_on proc_add <<<"$(awk '
	$2 == "off" { n0++; a0 += $4; c0 += $5; p0 += $6 }
	$2 == "on"  { n1++; a1 += $4; c1 += $5; p1 += $6 }
	END {
		a0 /= n0; c0 /= n0; p0 /= n0; a1 /= n1; c1 /= n1; p1 /= n1
		printf "%.6f %.6f %.6f %.4f %.4f %.4f %.4f %.4f %.4f\n", a0, a1, a1 - a0, c0, c1, c1 - c0, p0, p1, p1 - p0
	}' "$tmp/phases")"
while read -r k kd _ a c p _; do
	[ "$kd" = on ] || continue
	printf '# with-phase %d against the without-phases: alloc added %.3f MiB/s, cpu added %.2f %% (/proc %.2f %%)\n' \
		"$k" "$(awk -v x="$a" -v y="$alloc_off" 'BEGIN { print x - y }')" \
		"$(awk -v x="$c" -v y="$cpu_off" 'BEGIN { print x - y }')" \
		"$(awk -v x="$p" -v y="$proc_off" 'BEGIN { print x - y }')"
done <"$tmp/phases"
# the CPU verdict: each with-phase against its neighbours, the smallest
read -r cpu_judged cpu_judged_k <<<"$(awk '
	{ kd[NR] = $2; c[NR] = $5; k[NR] = $1 }
	END {
		best = ""; bk = 0
		for (i = 2; i < NR; i++)
			if (kd[i] == "on" && kd[i - 1] == "off" && kd[i + 1] == "off") {
				x = c[i] - (c[i - 1] + c[i + 1]) / 2
				if (best == "" || x < best) { best = x; bk = k[i] }
			}
		printf "%.4f %d\n", best == "" ? 1e9 : best, bk
	}' "$tmp/phases")"
printf '# alloc without %.3f MiB/s, with %.3f MiB/s, added %.3f MiB/s (budget %s)\n' \
	"$alloc_off" "$alloc_on" "$alloc_add" "$alloc_budget"
printf '# cpu without %.2f %%, with %.2f %%, added %.2f %% of a core (budget %s; /proc: without %.2f %%, with %.2f %%, added %.2f %%)\n' \
	"$cpu_off" "$cpu_on" "$cpu_add" "$cpu_budget" "$proc_off" "$proc_on" "$proc_add"
printf '# cpu, the quietest with-phase (%d) against the without-phases around it: added %.2f %% of a core\n' \
	"$cpu_judged_k" "$cpu_judged"

# Prometheus reports what the kernel says: its value lies between the
# /proc readings taken just before and just after the request
bad=$(for ((k = 0; k <= nphases; k++)); do
	awk -v k="$k" -v c="${C[k]}" -v lo="${P0[k]}" -v hi="${P1[k]}" -v tck="$tck" \
		'BEGIN { if (c < lo / tck - 0.0101 || c > hi / tck + 0.0101) printf "boundary %d: %.2f s not in [%.2f, %.2f]\n", k, c, lo / tck, hi / tck }'
done)
if [ -z "$bad" ]; then
	ok "process_cpu_seconds_total agrees with utime+stime of pid $prom_pid at every boundary"
else
	notok "process_cpu_seconds_total disagrees with /proc/$prom_pid/stat"
	diag <<<"$bad"
fi

# pproftop polled in every with-phase, and nothing did in the others
min_reqs=$(awk -v p="$phase" -v i="$interval" 'BEGIN { printf "%d", p / i / 2 }')
while read -r k kd _ _ _ _ r _; do
	if [ "$kd" = on ]; then
		if [ "$r" -ge "$min_reqs" ]; then
			ok "with-phase $k: Prometheus served $r pprof requests (at least $min_reqs)"
		else
			notok "with-phase $k: Prometheus served only $r pprof requests (want at least $min_reqs: one every two polls)"
		fi
	elif [ "$r" -ne 0 ]; then
		notok "without-phase $k: Prometheus served $r pprof requests (want 0)"
	fi
done <"$tmp/phases"

if awk -v x="$alloc_add" -v b="$alloc_budget" 'BEGIN { exit !(x <= b) }'; then
	ok "pproftop -i $interval adds $(printf %.3f "$alloc_add") MiB/s to Prometheus's allocation rate (budget $alloc_budget MiB/s)"
else
	notok "pproftop -i $interval adds $(printf %.3f "$alloc_add") MiB/s to Prometheus's allocation rate (budget $alloc_budget MiB/s)"
fi
# and the mean over the with-phases, burst and all, within twice the budget
if awk -v x="$cpu_judged" -v m="$cpu_add" -v b="$cpu_budget" 'BEGIN { exit !(x <= b && m <= 2 * b) }'; then
	ok "pproftop -i $interval adds $(printf %.2f "$cpu_judged") % of a core to Prometheus's CPU in with-phase $cpu_judged_k (budget $cpu_budget %; mean of the with-phases: $(printf %.2f "$cpu_add") %)"
else
	notok "pproftop -i $interval adds $(printf %.2f "$cpu_judged") % of a core to Prometheus's CPU in its quietest with-phase, $cpu_judged_k, $(printf %.2f "$cpu_add") % over the with-phases (budgets $cpu_budget % and, over them, twice that)"
fi

# what Prometheus said meanwhile (warnings and errors only)
if grep -Eq 'level=(warn|error)' "$tmp/prometheus.log"; then
	echo "# prometheus logged:"
	grep -E 'level=(warn|error)' "$tmp/prometheus.log" | diag 20
fi

echo "1..$n"
[ "$nfail" -eq 0 ]
