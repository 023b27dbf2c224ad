#!/usr/bin/env python3
"""whole.py - whole-process time and peak RSS, pproftop beside go tool pprof.

    bench/whole.py [-n RUNS] [--pproftop BIN] [--baseline BIN] [--rows N] FILE...

For each FILE, runs `pproftop --open FILE --batch --rows N` (default 20) and
`go tool pprof -top FILE` alternately, RUNS times each (default 10) after
one warm-up of each, in the same run so both see the same machine load.
Wall time is measured around fork+exec+wait (time.perf_counter); peak RSS
is the child's ru_maxrss from wait4(), CPU its user + system time (less
sensitive to other load than wall time). Prints, per file: best and median
wall time of each, the ratio of the medians (and of the bests), and the
largest peak RSS of each. --baseline BIN adds a third command, another
pproftop build (e.g. the commit before a change), alternated with the other
two, for before/after figures taken under the same load. Output goes to /dev/null; a non-zero exit of
either command is reported and fails the run.

Make the 100k-goroutine, 20k-stack inputs with bench/gen-large.sh
(build/bench-data/goroutine.pb.gz, goroutine-debug1.txt).
"""
import argparse
import os
import statistics
import sys
import time


def run(argv):
    """One child: (wall seconds, peak RSS KiB, exit status, CPU seconds)."""
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    return wall, ru.ru_maxrss, os.waitstatus_to_exitcode(status), ru.ru_utime + ru.ru_stime


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10)
    ap.add_argument("--pproftop", default=os.path.join(root, "build", "pproftop"))
    ap.add_argument("--baseline", help="another pproftop binary, measured alongside")
    ap.add_argument("--rows", type=int, default=20)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()

    ok = True
    print(f"nproc {os.cpu_count()}, load average {loadavg()} at start, {a.n} runs each")
    for path in a.files:
        cmds = {
            "pproftop": [a.pproftop, "--open", path, "--batch", "--rows", str(a.rows)],
            "pprof": ["go", "tool", "pprof", "-top", path],
        }
        if a.baseline:
            cmds["baseline"] = [a.baseline, "--open", path, "--batch", "--rows", str(a.rows)]
        res = {k: [] for k in cmds}
        for k, argv in cmds.items():  # warm-up (page cache, go build cache)
            run(argv)
        for _ in range(a.n):
            for k, argv in cmds.items():
                wall, rss, rc, cpu = run(argv)
                if rc != 0:
                    print(f"{k} exited {rc} on {path}", file=sys.stderr)
                    ok = False
                res[k].append((wall, rss, cpu))
        print(f"{os.path.basename(path)} ({os.path.getsize(path)} bytes), load {loadavg()}")
        med = {}
        best = {}
        cpus = {}
        for k, rs in res.items():
            ws = [w for w, _, _ in rs]
            cpu = cpus[k] = statistics.median(c for _, _, c in rs)
            med[k] = statistics.median(ws)
            best[k] = min(ws)
            peak = max(r for _, r, _ in rs)
            print(f"  {k:9s} best {best[k] * 1e3:7.1f} ms  median {med[k] * 1e3:7.1f} ms"
                  f"  CPU (median) {cpu * 1e3:7.1f} ms  peak RSS {peak / 1024:6.1f} MiB")
        for k in [k for k in med if k != "pprof"]:
            print(f"  pprof / {k:9s} median {med['pprof'] / med[k]:.1f}x"
                  f"  best {best['pprof'] / best[k]:.1f}x  CPU {cpus['pprof'] / cpus[k]:.1f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
