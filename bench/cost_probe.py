#!/usr/bin/env python3
"""cost_probe.py - what one pprof request costs the Go service that serves it.

Helper of bench/cost.sh (part 1); standard library only.

    cost_probe.py --base http://127.0.0.1:PORT --pid PID --meter demo|metrics
                  [--prefix /debug/pprof] [--forms F1,F2,...] [--once F,...]
                  [--reps 3] [--min-n 40] [--max-n 2000] [--target-secs 1.5]
                  [--heartbeat] [--label NAME] [--json FILE]

The service's counters, never the client's:

  allocation  MemStats TotalAlloc. --meter demo reads the "# TotalAlloc = N"
              line of PREFIX/heap?debug=1; --meter metrics reads
              go_memstats_alloc_bytes_total from /metrics. A read allocates
              itself, and on the demo the cost of heap?debug=1 grows with the
              heap profile's records (mostly the pprof requests' own
              allocation stacks), so around every repetition the meter is
              read 4 times back to back before and twice after, with nothing
              in between: the median of those 4 differences is the read's
              cost, subtracted; so is the service's idle allocation rate
              (two reads --idle-secs apart, default 3, at the start).
  CPU         utime + stime of PID from /proc/PID/stat (clock ticks), net of
              the idle rate measured over the same 3 s.
  latency     from sending the request to the last byte of the body (what
              curl -w %{time_total} reports on a reused connection), median.
  body        bytes of the body (no Accept-Encoding is sent but "identity").

For each form: one warm-up request, then N requests in a row on ONE
keep-alive connection, N = clamp(target-secs / warm-up latency, min-n,
max-n), the same N for each of the --reps repetitions; the figures are the
medians of the repetitions. Forms in --once are requested once, once (no
warm-up, N = 1, one repetition). With --heartbeat the demo's
/demo/heartbeat is reset before each repetition and read after it: the
longest gap of its 1 ms sleeper, the worst over the repetitions, and the
gaps over 5 ms per request (median of the repetitions). The meter
and the heartbeat use their own connections, opened before and kept.

Prints one Markdown table (and, with --json, every raw figure).
"""

import argparse
import http.client
import json
import os
import re
import statistics
import sys
import time
import urllib.parse

CLK = os.sysconf("SC_CLK_TCK")
TOTALALLOC_RE = re.compile(rb"^# TotalAlloc = (\d+)$", re.M)
METRIC_RE = re.compile(rb"^go_memstats_alloc_bytes_total(?:\{[^}]*\})? (\S+)", re.M)


class Conn:
    """One persistent HTTP/1.1 connection; reopened once if the server closed it."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port or 80
        self.c = None

    def get(self, path):
        for attempt in (0, 1):
            if self.c is None:
                self.c = http.client.HTTPConnection(self.host, self.port, timeout=900)
            try:
                t0 = time.perf_counter()
                self.c.request("GET", path)
                r = self.c.getresponse()
                body = r.read()
                t1 = time.perf_counter()
                if r.status != 200:
                    raise RuntimeError("GET %s: HTTP %d" % (path, r.status))
                if r.getheader("connection", "").lower() == "close":
                    self.c.close()
                    self.c = None
                return body, t1 - t0
            except (http.client.HTTPException, ConnectionError, OSError):
                self.c.close()
                self.c = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def ticks(pid):
    with open("/proc/%d/stat" % pid, "rb") as f:
        s = f.read()
    fields = s[s.rindex(b")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--meter", choices=("demo", "metrics"), required=True)
    ap.add_argument("--prefix", default="/debug/pprof")
    ap.add_argument("--forms", default="goroutine,goroutine?debug=1,heap,heap?debug=1,allocs,"
                    "block,block?debug=1,mutex,mutex?debug=1,index,goroutine?debug=2")
    ap.add_argument("--once", default="")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--min-n", type=int, default=40)
    ap.add_argument("--max-n", type=int, default=2000)
    ap.add_argument("--target-secs", type=float, default=1.5)
    ap.add_argument("--idle-secs", type=float, default=3)
    ap.add_argument("--heartbeat", action="store_true")
    ap.add_argument("--label", default="")
    ap.add_argument("--json")
    a = ap.parse_args()

    meter_c, load_c, hb_c = Conn(a.base), Conn(a.base), Conn(a.base)

    def meter():
        if a.meter == "demo":
            body, _ = meter_c.get(a.prefix + "/heap?debug=1")
            m = TOTALALLOC_RE.search(body)
        else:
            body, _ = meter_c.get("/metrics")
            m = METRIC_RE.search(body)
        if not m:
            sys.exit("cost_probe: no TotalAlloc in the meter's answer")
        return int(float(m.group(1)))

    def hb(reset):
        body, _ = hb_c.get("/demo/heartbeat" + ("?reset=1" if reset else ""))
        return json.loads(body)

    def path(form):
        return a.prefix + "/" + ("" if form == "index" else form)

    # --- calibration: the meter's own cost, the idle rates ---
    meter()
    if a.heartbeat:
        hb(True)
    reads = [meter() for _ in range(8)]
    read_cost = statistics.median(b - a_ for a_, b in zip(reads, reads[1:]))
    m0, c0, t0 = meter(), ticks(a.pid), time.monotonic()
    time.sleep(a.idle_secs)
    c1, t1 = ticks(a.pid), time.monotonic()
    m1 = meter()
    idle_secs = t1 - t0
    idle_alloc = max(0.0, (m1 - m0 - read_cost) / idle_secs)  # bytes/s
    idle_cpu = (c1 - c0) * 1000.0 / CLK / idle_secs  # ms/s
    idle_hb = hb(True) if a.heartbeat else None
    out = {"label": a.label, "base": a.base, "read_cost": read_cost, "reads": reads,
           "idle_alloc_bytes_per_sec": idle_alloc, "idle_cpu_ms_per_sec": idle_cpu,
           "idle_secs": idle_secs, "idle_heartbeat": idle_hb, "clk_tck": CLK, "forms": []}
    print("%s: meter read %.1f KiB, idle %.1f KiB/s, %.2f ms CPU/s%s" % (
        a.label, read_cost / 1024, idle_alloc / 1024, idle_cpu,
        ", idle heartbeat max gap %.1f ms over %.1f s" % (idle_hb["max_gap_ns"] / 1e6,
                                                          idle_hb["since_ns"] / 1e9)
        if idle_hb else ""), file=sys.stderr)

    once = set(f for f in a.once.split(",") if f)
    for form in [f for f in a.forms.split(",") if f]:
        p = path(form)
        if form in once:
            n, reps = 1, 1
        else:
            _, warm = load_c.get(p)
            n = max(a.min_n, min(a.max_n, int(a.target_secs / max(warm, 1e-4) + 0.999)))
            reps = a.reps
        runs = []
        for _ in range(reps):
            if a.heartbeat:
                hb(True)
            lat = []
            size = 0
            pre = [meter() for _ in range(4)]
            m0 = pre[-1]
            c0, t0 = ticks(a.pid), time.monotonic()
            for _ in range(n):
                body, dt = load_c.get(p)
                lat.append(dt)
                size = len(body)
            c1, t1 = ticks(a.pid), time.monotonic()
            m1 = meter()
            m2 = meter()
            h = hb(False) if a.heartbeat else None
            el = t1 - t0
            rc = statistics.median([y - x for x, y in zip(pre, pre[1:])] + [m2 - m1])
            alloc = (m1 - m0 - rc - idle_alloc * el) / n
            cpu = ((c1 - c0) * 1000.0 / CLK - idle_cpu * el) / n
            runs.append({"n": n, "secs": el, "alloc_raw": m1 - m0, "ticks": c1 - c0,
                         "read_cost": rc,
                         "alloc_per_req": alloc, "cpu_ms_per_req": cpu,
                         "latency_ms_median": statistics.median(lat) * 1e3,
                         "latency_ms_max": max(lat) * 1e3, "body_bytes": size,
                         "heartbeat": h})
        r = {"form": form, "n": n, "reps": reps, "runs": runs,
             "alloc_per_req": statistics.median(x["alloc_per_req"] for x in runs),
             "cpu_ms_per_req": statistics.median(x["cpu_ms_per_req"] for x in runs),
             "latency_ms": statistics.median(x["latency_ms_median"] for x in runs),
             "body_bytes": int(statistics.median(x["body_bytes"] for x in runs))}
        r["alloc_per_body_byte"] = r["alloc_per_req"] / r["body_bytes"] if r["body_bytes"] else 0
        if a.heartbeat:
            r["worst_stall_ms"] = max(x["heartbeat"]["max_gap_ns"] for x in runs) / 1e6
            r["stalls_over_5ms_per_req"] = statistics.median(
                x["heartbeat"]["stalls_over_5ms"] / x["n"] for x in runs)
        out["forms"].append(r)
        print("  %-18s n=%-4d x%d  %10.1f KiB  %8.3f ms CPU  %9.2f ms  %10d B%s" % (
            form, n, reps, r["alloc_per_req"] / 1024, r["cpu_ms_per_req"], r["latency_ms"],
            r["body_bytes"], "  stall %.1f ms" % r["worst_stall_ms"] if a.heartbeat else ""),
            file=sys.stderr)

    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)

    # --- the Markdown table ---
    hdr = ["form", "N x reps", "alloc / req (KiB)", "alloc / body byte", "CPU / req (ms)",
           "latency (ms)", "body (bytes)"]
    if a.heartbeat:
        hdr += ["worst stall (ms)", "gaps > 5 ms / req"]
    print("| " + " | ".join(hdr) + " |")
    print("|" + "---|" * len(hdr))
    for r in out["forms"]:
        row = ["`%s`" % ("/debug/pprof/" if r["form"] == "index" else r["form"]),
               "%d x %d" % (r["n"], r["reps"]),
               "%.1f" % (r["alloc_per_req"] / 1024),
               "%.2f" % r["alloc_per_body_byte"],
               "%.3f" % r["cpu_ms_per_req"] if r["cpu_ms_per_req"] < 10 else "%.0f" % r["cpu_ms_per_req"],
               "%.2f" % r["latency_ms"] if r["latency_ms"] < 100 else "%.0f" % r["latency_ms"],
               "{:,}".format(r["body_bytes"])]
        if a.heartbeat:
            row += ["%.1f" % r["worst_stall_ms"], "%.2g" % r["stalls_over_5ms_per_req"]]
        print("| " + " | ".join(row) + " |")
    rcs = [x["read_cost"] for r in out["forms"] for x in r["runs"]] or [read_cost]
    note = ("Meter read (measured around each repetition, subtracted): %.1f to %.1f KiB; "
            "idle: %.1f KiB/s and %.2f ms CPU/s (subtracted)"
            % (min(rcs) / 1024, max(rcs) / 1024, idle_alloc / 1024, idle_cpu))
    if idle_hb:
        note += ("; idle heartbeat: longest gap %.1f ms, %d gaps > 5 ms in %.1f s"
                 % (idle_hb["max_gap_ns"] / 1e6, idle_hb["stalls_over_5ms"], idle_hb["since_ns"] / 1e9))
    print()
    print(note + ".")


if __name__ == "__main__":
    main()
