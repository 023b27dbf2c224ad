#!/bin/bash
# verdicts.sh - time to detection and false positives of pproftop's growth
# verdict, over repeated runs of the scenario service (tests/scenario), with
# the real pproftop binary as whole processes.
#
#   bench/verdicts.sh                 the whole benchmark (R=3: about 12 minutes)
#   bench/verdicts.sh -R 1            one run per variant (about 6 minutes)
#   bench/verdicts.sh --report DIR    only the tables, from a kept output directory
#
# One run: one scenario process (-addr 127.0.0.1:0, a seed of its own) and,
# as soon as it listens, at the same moment, one pproftop per N in $NS:
#   pproftop --batch --json -i 1 -n N [--window W] 127.0.0.1:PORT
# each writing its JSON; /truth is read before they start and as each one
# ends. The run with -n N holds the verdict pproftop would give N polls
# (about N-1 s) after the service started, so for a behaviour that must be
# flagged the time to detection is the time (since the service started) at
# which the smallest N ends for which it is "growing" and stays growing at
# every larger N; a "flap" is a growing N followed by a non-growing larger
# N. A false positive is, at any N, a group labelled by a behaviour that
# must not be flagged with "growing": true, or another growing group with a
# frame of ours (main.*) and no function of a must-flag behaviour on its
# stack (the rule of tests/sh/test_verdicts.sh). The slope error is
# growth_per_sec at the largest N against /truth's nominal rate, and
# against the rate realised between the service's start and that moment.
#
# The runs: R per variant ($VARIANTS, rotated: run 1 of every variant, then
# run 2, ...), one -no-leaks run per variant (nothing grows: every growing
# group of ours is a false positive), and one run with --window $W2 on
# $W2_VARIANT with N in $W2_NS. Seeds are SEED0, SEED0+1, ... in that order.
# $JOBS runs at a time (default 2), the longest first. pproftop's exit
# status must be 0 in every run (1: a fetch failed).
#
# Go 1.19 (Debian's go) builds the scenario: it has no goroutineleak
# profile, so no pproftop request runs a GC cycle in it. With --go127 the
# Go 1.27 build is used (scripts/go127.sh); then each of the parallel
# pproftops fetches goroutineleak on its first and its last poll, and each
# such request is a GC cycle: the heap series of the larger N get extra
# points a single pproftop would not have.
#
# Installs what scripts/deps.sh installs, nothing else; builds pproftop in
# build-bench (meson setup build-bench && ninja -C build-bench pproftop)
# and the scenario into build-bench/scenario (Go build cache
# build-bench/gocache). Writes everything under $OUT (default
# build-bench/verdicts/YYYYmmdd-HHMMSS): runs/NN-VARIANT[-noleaks][-wW]-seedS/
# (meta.env, scenario.out/.err, truth0.json, pp-N.json.gz, pp-N.err, pp-N.t
# "N rc start end", truth-N.json, rec/: the recorder's heap?debug=1,
# goroutine?debug=1 and /truth once a second, for the series of a false
# positive; --no-record turns it off), report.md (the tables, also
# printed), results.json, source.diff (git diff HEAD when the binary was
# built). Nothing is deleted.
#
# Options: -R N, --variants "LIST", --ns "LIST", --jobs N, --seed N (SEED0),
# --no-window-run, --go127, --no-record, --out DIR, --report DIR.
# Environment: the same as R, VARIANTS, NS, JOBS, SEED0, W2, W2_VARIANT,
# W2_NS, OUT; PPROFTOP_BIN uses that binary instead of building one.
set -uo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

R=${R:-3}
VARIANTS=${VARIANTS:-steady slow noisy sparse}
NS=${NS:-25 31 34 37 40 45 50 60 75}
JOBS=${JOBS:-2}
W2=${W2:-120}
W2_VARIANT=${W2_VARIANT:-steady}
W2_NS=${W2_NS:-55 61 64 67 70 75 80 90 105 120}
SEED0=${SEED0:-$(($(date +%s) % 90000 + 1000))}
OUT=${OUT:-}
GO127=0
RECORD=${RECORD:-1}
WINDOW_RUN=1
REPORT_ONLY=

usage() {
	sed -n '2,/^set -uo/p' "$0" | sed 's/^# \{0,1\}//; /^set -uo/d'
}
while [ $# -gt 0 ]; do
	case $1 in
	-R) R=$2; shift ;;
	--variants) VARIANTS=$2; shift ;;
	--ns) NS=$2; shift ;;
	--jobs) JOBS=$2; shift ;;
	--seed) SEED0=$2; shift ;;
	--no-window-run) WINDOW_RUN=0 ;;
	--go127) GO127=1 ;;
	--no-record) RECORD=0 ;;
	--out) OUT=$2; shift ;;
	--report) REPORT_ONLY=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "verdicts.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case $R$JOBS in *[!0-9]*) echo "verdicts.sh: -R and --jobs take numbers" >&2; exit 2 ;; esac

say() { echo "verdicts: $*" >&2; }
die() { echo "verdicts: $*" >&2; exit 1; }

# ------------------------------------------------------------ the analysis
# analyze.py OUT: reads OUT/runs/*, writes OUT/report.md and
# OUT/results.json, prints the report.
write_analyzer() {
	cat >"$1" <<'PY'
import glob, gzip, json, math, os, re, statistics, sys

out = sys.argv[1]
primary = {"goroutine": "count", "heap": "inuse_bytes"}


def load(p):
    for f, op in ((p, open), (p + ".gz", gzip.open)):
        if os.path.exists(f):
            try:
                with op(f, "rt") as fh:
                    return json.load(fh)
            except (OSError, ValueError, EOFError):
                return None
    return None


def meta(d):
    m = {}
    for line in open(os.path.join(d, "meta.env")):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            m[k] = v
    return m


def med(xs):
    return statistics.median(xs) if xs else None


def fmt(x, nd=1):
    return "-" if x is None else ("%.*f" % (nd, x))


def pct(x):
    return "-" if x is None else "%+.0f%%" % (100 * x)


runs = []
for d in sorted(glob.glob(os.path.join(out, "runs", "*"))):
    if not os.path.isfile(os.path.join(d, "meta.env")):
        continue
    m = meta(d)
    ns = [int(x) for x in m["ns"].split()]
    t0 = float(m["t0"])
    truth0 = load(os.path.join(d, "truth0.json"))
    pts = {}
    errors = []
    for n in ns:
        tf = os.path.join(d, "pp-%d.t" % n)
        try:
            _, rc, ts, te = open(tf).read().split()
            rc, te = int(rc), float(te)
        except (OSError, ValueError):
            errors.append("N=%d: no pp-%d.t" % (n, n))
            continue
        doc = load(os.path.join(d, "pp-%d.json" % n))
        tr = load(os.path.join(d, "truth-%d.json" % n))
        if rc != 0 or not doc or "profiles" not in doc:
            err = open(os.path.join(d, "pp-%d.err" % n), errors="replace").read().strip()[:200]
            errors.append("N=%d: exit status %d %s" % (n, rc, err))
            continue
        pts[n] = {"t": te - t0, "doc": doc, "truth": tr, "rc": rc}
    runs.append({"dir": d, "name": os.path.basename(d), "meta": m, "ns": ns, "truth0": truth0,
                 "pts": pts, "errors": errors})


def groups(doc, pane, label):
    return [g for g in doc["profiles"].get(pane, {}).get("groups") or [] if g.get("label") == label]


def analyse(run):
    """Per behaviour: growing/judged at each N; the false positives."""
    ns = [n for n in run["ns"] if n in run["pts"]]
    res = {"behaviours": [], "fp": [], "fp_other": [], "nofr": [], "gc": None}
    if not ns:
        return res
    last = ns[-1]
    tl = run["pts"][last]["truth"] or run["truth0"]
    known = {b["label"] for b in tl["behaviours"]}
    allowed = set()
    for b in tl["behaviours"]:
        if b["must_flag"]:
            allowed.add(b["label"])
            allowed.update(b.get("related") or [])
    for b in tl["behaviours"]:
        if not b["enabled"]:
            continue
        pane, label = b["pane"], b["label"]
        row = {"id": b["id"], "label": label, "pane": pane, "must_flag": b["must_flag"], "rate": b["rate"],
               "unit": b["unit"], "grow": {}, "judged": {}, "t": {}, "value": {}, "verdict": {}}
        for n in ns:
            p = run["pts"][n]
            gs = groups(p["doc"], pane, label)
            row["t"][n] = p["t"]
            if not gs:
                row["grow"][n], row["judged"][n] = False, False
                row["value"][n], row["verdict"][n] = 0, "(no group)"
                continue
            main = max(gs, key=lambda g: g.get(primary[pane]) or 0)
            row["value"][n] = main.get(primary[pane])
            row["verdict"][n] = main.get("verdict")
            if b["must_flag"]:
                row["grow"][n] = main.get("growing") is True
                row["judged"][n] = main.get("growth_per_sec") is not None
            else:
                bad = [g for g in gs if g.get("growing") is not False]
                row["grow"][n] = bool(bad)
                row["judged"][n] = any(g.get("growth_per_sec") is not None for g in gs)
                for g in bad:
                    res["fp"].append({"run": run["name"], "n": n, "pane": pane, "label": label, "id": g.get("id"),
                                      "verdict": g.get("verdict"), "growth_per_sec": g.get("growth_per_sec")})
        # detection: the smallest N from which it is growing at every larger N
        det = None
        for i, n in enumerate(ns):
            if all(row["grow"][k] for k in ns[i:]):
                det = n
                break
        first = next((n for n in ns if row["grow"][n]), None)
        row["det_n"], row["first_n"] = det, first
        row["det_t"] = row["t"][det] if det is not None else None
        row["flaps"] = sum(1 for i in range(len(ns) - 1) if row["grow"][ns[i]] and not row["grow"][ns[i + 1]])
        # slope at the largest N
        row["gps"] = None
        gs = groups(run["pts"][last]["doc"], pane, label)
        if gs:
            row["gps"] = max(gs, key=lambda g: g.get(primary[pane]) or 0).get("growth_per_sec")
        b0 = {(x["id"], x["label"]): x for x in (run["truth0"] or {}).get("behaviours", [])}.get((b["id"], label))
        dt = (tl["unix_ns"] - run["truth0"]["unix_ns"]) / 1e9 if run["truth0"] else None
        row["realised"] = (b["count"] - b0["count"]) / dt if b0 and dt else None
        row["err_nominal"] = (row["gps"] / b["rate"] - 1) if (row["gps"] is not None and b["rate"]) else None
        row["err_realised"] = (row["gps"] / row["realised"] - 1) if (row["gps"] is not None and row["realised"]) else None
        res["behaviours"].append(row)
    # other growing groups of ours, at any N
    for n in ns:
        doc = run["pts"][n]["doc"]
        for pane in ("goroutine", "heap"):
            for g in doc["profiles"].get(pane, {}).get("groups") or []:
                if g.get("growing") is not True or g.get("label") in known:
                    continue
                funcs = [f.get("function", "") for f in g.get("frames") or []]
                if any(f in allowed for f in funcs):
                    continue
                item = {"run": run["name"], "n": n, "pane": pane, "label": g.get("label"), "id": g.get("id"),
                        "verdict": g.get("verdict"), "growth_per_sec": g.get("growth_per_sec"),
                        "frames": funcs[:8]}
                if any(f.startswith("main.") for f in funcs):
                    res["fp_other"].append(item)
                else:
                    res["nofr"].append(item)
    # GC cadence between truth0 and the truth read after the largest N
    if run["truth0"] and run["pts"][last]["truth"]:
        a, z = run["truth0"], run["pts"][last]["truth"]
        dt = (z["unix_ns"] - a["unix_ns"]) / 1e9
        cyc = z["gc"]["num_gc"] - a["gc"]["num_gc"]
        ext = (z.get("pprof_request_gcs") or 0) - (a.get("pprof_request_gcs") or 0)
        pts_n = None
        for g in run["pts"][last]["doc"]["profiles"].get("heap", {}).get("groups") or []:
            mm = re.search(r"\((\d+) GC cycles", g.get("verdict") or "")
            if mm and g.get("label") in ("main.retainHeap", "main.churnGarbage", "main.fillCache"):
                pts_n = max(pts_n or 0, int(mm.group(1)))
        res["gc"] = {"dt": dt, "cycles": cyc, "ext": ext, "heap_points": pts_n,
                     "cycles60": z["gc"].get("cycles_last_60s"),
                     "every": dt / cyc if cyc else None,
                     "own_every": dt / (cyc - ext) if cyc > ext else None,
                     "intervals": z["gc"]["last_intervals_sec"], "mode": z["gc"]["mode"],
                     "period": z["gc"]["period_sec"], "jitter": z["gc"]["jitter_sec"]}
    return res


for run in runs:
    run["res"] = analyse(run)

FRAME = re.compile(r"^#\s+0x[0-9a-f]+\s+(\S+?)\+0x")


def parse_debug1(text, pane):
    """Records of a goroutine?debug=1 or heap?debug=1 text: (value, [functions]),
    heap values in in-use bytes scaled as pprof does; and heap's NumGC, LastGC."""
    recs, cur, rate, numgc, lastgc = [], None, None, None, None
    for line in text.splitlines():
        if line.startswith("heap profile:"):
            mm = re.search(r"@ heap/(\d+)", line)
            rate = int(mm.group(1)) / 2 if mm else None
            continue
        mm = re.match(r"^# (NumGC|LastGC) = (\d+)", line)
        if mm:
            if mm.group(1) == "NumGC":
                numgc = int(mm.group(2))
            else:
                lastgc = int(mm.group(2))
            continue
        mm = FRAME.match(line)
        if mm and cur is not None:
            cur[1].append(mm.group(1))
            continue
        if pane == "heap":
            mm = re.match(r"^(\d+): (\d+) \[(\d+): (\d+)\] @", line)
            if mm:
                objs, b = int(mm.group(1)), int(mm.group(2))
                if rate and objs:
                    b = b / (1 - math.exp(-(b / objs) / rate))
                cur = [b, []]
                recs.append(cur)
                continue
        else:
            mm = re.match(r"^(\d+) @", line)
            if mm:
                cur = [int(mm.group(1)), []]
                recs.append(cur)
                continue
        if not line.strip():
            cur = None
    return recs, numgc, lastgc


def recorded_series(run, pane, label, frames):
    """The recorder's series of the stacks through label that hold every
    function of the group's frames: [(seconds since the start, value)],
    heap one point per GC cycle at that cycle's time."""
    d = os.path.join(run["dir"], "rec")
    t0 = float(run["meta"]["t0"])
    try:
        times = [l.split() for l in open(os.path.join(d, "times"))]
    except OSError:
        return None
    want = set(f for f in frames if f) | {label}
    pts, seen = [], set()
    for k, ts in times:
        try:
            text = gzip.open(os.path.join(d, "%s-%s.txt.gz" % (pane, k)), "rt", errors="replace").read()
        except (OSError, EOFError):
            continue
        if not text:
            continue
        recs, numgc, lastgc = parse_debug1(text, pane)
        v = sum(r[0] for r in recs if want <= set(r[1]))
        if pane == "heap":
            if numgc in seen or not lastgc:
                continue
            seen.add(numgc)
            pts.append((lastgc / 1e9 - t0, v))
        else:
            pts.append((float(ts) - t0, v))
    return pts


def show_series(pts, pane):
    if pts is None:
        return "(no recorder data)"
    if pane == "heap":
        return " ".join("%.1f:%.2f" % (t, v / (1 << 20)) for t, v in pts) + " (s: MiB, one point per GC)"
    return " ".join("%.0f:%d" % (t, v) for t, v in pts) + " (s: goroutines)"


def kind(run):
    m = run["meta"]
    if m.get("window"):
        return "window"
    return "noleaks" if m.get("noleaks") == "1" else "leaks"


lines = []
P = lines.append
variants = []
for r in runs:
    if r["meta"]["variant"] not in variants:
        variants.append(r["meta"]["variant"])

errs = [(r["name"], e) for r in runs for e in r["errors"]]
nproc = sum(len(r["ns"]) for r in runs)
P("pproftop processes: %d in %d runs; exit status 0: %d%s" % (
    nproc, len(runs), nproc - len(errs), "" if not errs else "; failed: " + "; ".join("%s %s" % e for e in errs)))
P("")

# -- detection
P("### Time to detection (window 60 s)")
P("")
leak_ns = sorted({n for r in runs if kind(r) == "leaks" for n in r["ns"]})
P("N (polls) per run: %s. Times are seconds from the service's start to the end of the first run "
  "with -n N from which the behaviour is growing at every larger N." % " ".join(map(str, leak_ns)))
P("")
P("| variant | behaviour | pane | nominal rate | detected | time min / median / max (s) | N min / median / max "
  "| first growing N (median) | flaps | slope error at N=%d, median (vs nominal / vs realised) |" % (leak_ns[-1] if leak_ns else 0))
P("|---|---|---|---|---|---|---|---|---|---|")
table = {}
for v in variants:
    rs = [r for r in runs if r["meta"]["variant"] == v and kind(r) == "leaks"]
    rows = {}
    for r in rs:
        for b in r["res"]["behaviours"]:
            if b["must_flag"]:
                rows.setdefault((b["id"], b["label"], b["pane"]), []).append(b)
    for key, bs in rows.items():
        det_t = [b["det_t"] for b in bs if b["det_t"] is not None]
        det_n = [b["det_n"] for b in bs if b["det_n"] is not None]
        first = [b["first_n"] for b in bs if b["first_n"] is not None]
        en = [b["err_nominal"] for b in bs if b["err_nominal"] is not None]
        er = [b["err_realised"] for b in bs if b["err_realised"] is not None]
        unit = "/s" if bs[0]["unit"] == "goroutines" else " MiB/s"
        rate = bs[0]["rate"] if bs[0]["unit"] == "goroutines" else bs[0]["rate"] / (1 << 20)
        table[(v,) + key] = {"det_t": det_t, "det_n": det_n, "runs": len(bs), "err_nominal": en, "err_realised": er,
                             "flaps": sum(b["flaps"] for b in bs), "first": first}
        P("| %s | (%s) %s | %s | %.3g%s | %d of %d | %s | %s | %s | %d | %s / %s |" % (
            v, key[0], key[1], key[2], rate, unit, len(det_t), len(bs),
            " / ".join(fmt(x) for x in (min(det_t), med(det_t), max(det_t))) if det_t else "-",
            " / ".join("%g" % x for x in (min(det_n), med(det_n), max(det_n))) if det_n else "-",
            "%g" % med(first) if first else "-", sum(b["flaps"] for b in bs), pct(med(en)), pct(med(er))))
P("")
late = [(r["name"], b["label"], b["pane"], b["det_n"]) for r in runs if kind(r) == "leaks"
        for b in r["res"]["behaviours"] if b["must_flag"] and (b["det_n"] is None or b["det_n"] > 45)]
if late:
    P("Detected after N=45 or not at all: " + "; ".join(
        "%s %s (%s) %s" % (n, l, p, "not detected" if d is None else "N=%d" % d) for n, l, p, d in late))
    P("")

# -- per-run detail
P("Per run (detection N; '-' not detected by the largest N):")
P("")
labs = []
for r in runs:
    for b in r["res"]["behaviours"]:
        if b["must_flag"] and (b["label"], b["pane"]) not in labs:
            labs.append((b["label"], b["pane"]))
P("| run | load at start | " + " | ".join("%s (%s)" % l for l in labs) + " |")
P("|---|---|" + "---|" * len(labs))
for r in runs:
    if kind(r) == "noleaks":
        continue
    bm = {(b["label"], b["pane"]): b for b in r["res"]["behaviours"] if b["must_flag"]}
    P("| %s | %s | " % (r["name"], r["meta"].get("load", "?")) + " | ".join(
        ("%s (%.1f s)" % (bm[l]["det_n"], bm[l]["det_t"]) if bm[l]["det_n"] is not None else "-") if l in bm else ""
        for l in labs) + " |")
P("")

# -- false positives
P("### False positives")
P("")
P("A (behaviour, N, run) triple counts once when any group with that behaviour's label is growing; "
  "'judged' triples are those where pproftop had enough data for a verdict (growth_per_sec not null). "
  "Other groups of ours (main.* on the stack, no must-flag function) that grow are counted apart, "
  "as they have no fixed number.")
P("")
P("| variant | runs | must-not-flag behaviours | N values | false positives / triples | / judged triples | other groups of ours growing |")
P("|---|---|---|---|---|---|---|")
fptot = {"leaks": [0, 0, 0, 0], "noleaks": [0, 0, 0, 0], "window": [0, 0, 0, 0]}
for v in variants:
    for k in ("leaks", "noleaks", "window"):
        rs = [r for r in runs if r["meta"]["variant"] == v and kind(r) == k]
        if not rs:
            continue
        nb = max(len([b for b in r["res"]["behaviours"] if not b["must_flag"]]) for r in rs)
        triples = sum(len(b["grow"]) for r in rs for b in r["res"]["behaviours"] if not b["must_flag"])
        judged = sum(sum(1 for n in b["judged"] if b["judged"][n]) for r in rs for b in r["res"]["behaviours"]
                     if not b["must_flag"])
        fp = sum(sum(1 for n in b["grow"] if b["grow"][n]) for r in rs for b in r["res"]["behaviours"]
                 if not b["must_flag"])
        other = sum(len(r["res"]["fp_other"]) for r in rs)
        t = fptot[k]
        t[0] += fp; t[1] += triples; t[2] += judged; t[3] += other
        name = v + {"leaks": "", "noleaks": " -no-leaks", "window": " --window %s" % rs[0]["meta"]["window"]}[k]
        P("| %s | %d | %d | %d | %d / %d | %d / %d | %d |" % (name, len(rs), nb, len(rs[0]["ns"]), fp, triples, fp,
                                                             judged, other))
for k, t in fptot.items():
    if t[1]:
        P("| **all, %s** | | | | **%d / %d** | %d / %d | %d |" % (
            {"leaks": "leaking", "noleaks": "-no-leaks", "window": "--window"}[k], t[0], t[1], t[0], t[2], t[3]))
P("")
per = {}
for r in runs:
    for b in r["res"]["behaviours"]:
        if b["must_flag"]:
            continue
        e = per.setdefault((b["id"], b["label"], b["pane"]), {"fp": 0, "n": 0, "where": []})
        e["n"] += len(b["grow"])
        for n in b["grow"]:
            if b["grow"][n]:
                e["fp"] += 1
                e["where"].append("%s N=%d" % (r["name"], n))
P("Per behaviour that must not be flagged (every run):")
P("")
P("| behaviour | pane | false positives / triples | where |")
P("|---|---|---|---|")
for (i, l, pn), e in per.items():
    P("| (%s) %s | %s | %d / %d | %s |" % (i, l, pn, e["fp"], e["n"], ", ".join(e["where"]) or "-"))
P("")
allfp = [x for r in runs for x in r["res"]["fp"] + r["res"]["fp_other"]]
if allfp:
    P("Every false positive (run, N, group, verdict; the group's value at the end of each N of that run, "
      "and once per group the recorder's series):")
    P("")
    shown = set()
    for x in allfp:
        run = next(r for r in runs if r["name"] == x["run"])
        series = []
        for n in run["ns"]:
            if n not in run["pts"]:
                continue
            g = [g for g in run["pts"][n]["doc"]["profiles"].get(x["pane"], {}).get("groups") or []
                 if g.get("id") == x["id"]]
            series.append("%d:%s" % (n, g[0].get(primary[x["pane"]]) if g else "-"))
        P("- %s N=%d %s %s (id %s): %r; growth_per_sec %s; value at the end of each N: %s" % (
            x["run"], x["n"], x["pane"], x["label"], x["id"], x["verdict"], x["growth_per_sec"], " ".join(series)))
        key = (x["run"], x["pane"], x["id"])
        if key not in shown:
            shown.add(key)
            fr = []
            g = [g for g in run["pts"][x["n"]]["doc"]["profiles"][x["pane"]]["groups"] if g.get("id") == x["id"]]
            if g:
                fr = [f.get("function", "") for f in g[0].get("frames") or []]
            P("  recorded series (what the service served, seconds since its start): " +
              show_series(recorded_series(run, x["pane"], x["label"], fr), x["pane"]))
    P("")
nofr = {}
for r in runs:
    for x in r["res"]["nofr"]:
        nofr.setdefault((x["pane"], x["label"]), []).append("%s N=%d" % (x["run"], x["n"]))
if nofr:
    P("Growing groups with no frame of ours (runtime or standard library; not counted): " + "; ".join(
        "%s %s in %d (run, N) pairs, e.g. %s" % (p, l, len(w), w[0]) for (p, l), w in nofr.items()))
    P("")

# -- GC cadence
P("### GC cadence per variant (from /truth, start to the largest N)")
P("")
P("The last two columns: the heap points pproftop's verdict says it holds in its window at the largest N "
  "(\"N GC cycles\" in the verdict text of main.retainHeap, main.churnGarbage or main.fillCache, the largest), "
  "and the GC cycles the service ran in the last 60 s (/truth cycles_last_60s) at that moment.")
P("")
P("| variant | mode | target | cycles per run (median) | one every (median, s) | of which pproftop's requests | last intervals (one run, s) | heap points in the verdict (median) | GC cycles in the last 60 s (median) |")
P("|---|---|---|---|---|---|---|---|---|")
for v in variants:
    gs = [r["res"]["gc"] for r in runs if r["meta"]["variant"] == v and r["res"]["gc"] and kind(r) != "window"]
    if not gs:
        continue
    hp = [g["heap_points"] for g in gs if g.get("heap_points")]
    c60 = [g["cycles60"] for g in gs if g.get("cycles60") is not None]
    P("| %s | %s | %.1f ± %.1f s | %g | %.2f | %d | %s | %s | %s |" % (
        v, gs[0]["mode"], gs[0]["period"], gs[0]["jitter"], med([g["cycles"] for g in gs]),
        med([g["every"] for g in gs if g["every"]]), sum(g["ext"] for g in gs),
        " ".join("%.1f" % x for x in gs[0]["intervals"][:12]),
        "%g" % med(hp) if hp else "-", "%g" % med(c60) if c60 else "-"))
P("")

# -- the window run
wr = [r for r in runs if kind(r) == "window"]
for r in wr:
    v, w = r["meta"]["variant"], r["meta"]["window"]
    P("### --window %s on %s (one run, seed %s; N %s)" % (w, v, r["meta"]["seed"], " ".join(map(str, r["ns"]))))
    P("")
    P("| behaviour | pane | detected at N (s) | first growing N | flaps | slope error at N=%d (vs nominal / realised) | window 60 s: median time over the %s runs |" % (
        r["ns"][-1], v))
    P("|---|---|---|---|---|---|---|")
    for b in r["res"]["behaviours"]:
        if not b["must_flag"]:
            continue
        t60 = table.get((v, b["id"], b["label"], b["pane"]))
        P("| (%s) %s | %s | %s | %s | %d | %s / %s | %s |" % (
            b["id"], b["label"], b["pane"],
            "%d (%.1f s)" % (b["det_n"], b["det_t"]) if b["det_n"] is not None else "not detected",
            b["first_n"] if b["first_n"] is not None else "-", b["flaps"], pct(b["err_nominal"]),
            pct(b["err_realised"]), fmt(med(t60["det_t"])) if t60 and t60["det_t"] else "-"))
    P("")

rep = "\n".join(lines) + "\n"
open(os.path.join(out, "report.md"), "w").write(rep)
print(rep)


def clean(r):
    return {"name": r["name"], "meta": r["meta"], "errors": r["errors"],
            "behaviours": [{k: v for k, v in b.items()} for b in r["res"]["behaviours"]],
            "fp": r["res"]["fp"], "fp_other": r["res"]["fp_other"], "no_frame_of_ours": r["res"]["nofr"],
            "gc": r["res"]["gc"]}


json.dump({"runs": [clean(r) for r in runs]}, open(os.path.join(out, "results.json"), "w"), indent=1)
PY
}

if [ -n "$REPORT_ONLY" ]; then
	[ -d "$REPORT_ONLY/runs" ] || die "$REPORT_ONLY/runs: no such directory"
	write_analyzer "$REPORT_ONLY/analyze.py"
	python3 "$REPORT_ONLY/analyze.py" "$REPORT_ONLY" || die "the analysis failed"
	if [ -f "$REPORT_ONLY/header.txt" ]; then
		{
			echo
			cat "$REPORT_ONLY/header.txt"
		} | tee -a "$REPORT_ONLY/report.md"
	fi
	exit 0
fi

# ------------------------------------------------------------ build
T_START=$(date +%s)
D_START=$(date -u)
"$root/scripts/deps.sh" || die "scripts/deps.sh failed"
for t in curl python3 timeout meson ninja go; do
	command -v "$t" >/dev/null || die "$t not found after scripts/deps.sh"
done
BUILD=$root/build-bench
OUT=${OUT:-$BUILD/verdicts/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/runs" || die "cannot create $OUT"
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
say "output in $OUT"
# the source the binary is built from: HEAD plus this diff (read before
# the build, so that it says what was compiled)
git -C "$root" diff HEAD >"$OUT/source.diff" 2>/dev/null
COMMIT=$(git -C "$root" rev-parse --short HEAD 2>/dev/null)
if [ -s "$OUT/source.diff" ]; then
	COMMIT="$COMMIT with uncommitted changes ($(git -C "$root" diff HEAD --name-only | tr '\n' ' ')- $OUT/source.diff)"
fi
if [ -n "${PPROFTOP_BIN:-}" ]; then
	bin=$PPROFTOP_BIN
	COMMIT="$COMMIT (but the binary is PPROFTOP_BIN=$bin, built from whatever it was built from)"
else
	if [ ! -f "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" >"${TMPDIR:-/tmp}/verdicts-meson.$$.log" 2>&1 ||
			die "meson setup build-bench failed (log: ${TMPDIR:-/tmp}/verdicts-meson.$$.log)"
	fi
	ninja -C "$BUILD" pproftop >&2 || die "ninja -C build-bench pproftop failed"
	bin=$BUILD/pproftop
fi
[ -x "$bin" ] || die "no pproftop binary at $bin"
scen=$BUILD/scenario/scenario
mkdir -p "$BUILD/scenario"
bargs=()
[ $GO127 = 1 ] && bargs=(--go127)
GOCACHE=${GOCACHE:-$BUILD/gocache} "$root/scripts/build-scenario.sh" "${bargs[@]}" "$scen" >&2 ||
	die "scripts/build-scenario.sh ${bargs[*]} $scen failed"
[ $GO127 = 1 ] && scen=$scen-go127
[ -x "$scen" ] || die "no scenario binary at $scen"


# ------------------------------------------------------------ the runs
# JOBS list: "VARIANT NOLEAKS WINDOW SEED|NS..." (WINDOW "-" for the default)
jobs=()
seed=$SEED0
if [ $WINDOW_RUN = 1 ]; then
	jobs+=("$W2_VARIANT 0 $W2 $seed|$W2_NS")
	seed=$((seed + 1))
fi
for ((r = 1; r <= R; r++)); do
	for v in $VARIANTS; do
		jobs+=("$v 0 - $seed|$NS")
		seed=$((seed + 1))
	done
done
for v in $VARIANTS; do
	jobs+=("$v 1 - $seed|$NS")
	seed=$((seed + 1))
done

# Every process started here, by pid, for the cleanup (one file per run).
cleanup() {
	local f p
	for f in "$OUT"/runs/*/pids; do
		[ -f "$f" ] || continue
		while read -r p; do kill "$p" 2>/dev/null; done <"$f"
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

run_job() { # run_job INDEX "VARIANT NOLEAKS WINDOW SEED|NS"
	local idx=$1 spec=${2%%|*} ns=${2#*|} variant noleaks window seed
	read -r variant noleaks window seed <<<"$spec"
	local name
	name=$(printf '%02d-%s' "$idx" "$variant")
	[ "$noleaks" = 1 ] && name+=-noleaks
	[ "$window" != - ] && name+=-w$window
	name+=-seed$seed
	local d=$OUT/runs/$name
	mkdir -p "$d"
	local maxn=0 n
	for n in $ns; do [ "$n" -gt "$maxn" ] && maxn=$n; done
	local sflags=(-addr 127.0.0.1:0 -variant "$variant" -seed "$seed" -exit-after $((maxn * 2 + 120))s)
	[ "$noleaks" = 1 ] && sflags+=(-no-leaks)
	local pflags=(--batch --json -i 1)
	[ "$window" != - ] && pflags+=(--window "$window")

	local t0
	t0=$(date +%s.%N)
	"$scen" "${sflags[@]}" >"$d/scenario.out" 2>"$d/scenario.err" &
	local spid=$!
	echo "$spid" >>"$d/pids"
	local port="" i
	for ((i = 0; i < 400; i++)); do
		port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$d/scenario.out")
		[ -n "$port" ] && break
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.025
	done
	{
		echo "variant=$variant"
		echo "noleaks=$noleaks"
		echo "window=${window#-}"
		echo "seed=$seed"
		echo "ns=$ns"
		echo "t0=$t0"
		echo "port=$port"
		echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
		echo "scenario=$scen ${sflags[*]}"
		echo "pproftop=$bin ${pflags[*]} -n N 127.0.0.1:$port"
	} >"$d/meta.env"
	if [ -z "$port" ]; then
		say "$name: the scenario did not start: $(head -c 300 "$d/scenario.err")"
		kill "$spid" 2>/dev/null
		return 1
	fi
	local u=http://127.0.0.1:$port ppids=() rpid=
	if [ "$RECORD" = 1 ]; then
		# the recorder: what pproftop sees, once a second, for the series
		# of any false positive (heap?debug=1 and goroutine?debug=1 run no
		# GC cycle); stopped when the pproftops are done
		mkdir -p "$d/rec"
		(
			k=0
			while :; do
				kk=$(printf %03d "$k")
				echo "$kk $(date +%s.%N)" >>"$d/rec/times"
				curl -sS --max-time 5 "$u/debug/pprof/heap?debug=1" 2>/dev/null | gzip -1 >"$d/rec/heap-$kk.txt.gz"
				curl -sS --max-time 5 "$u/debug/pprof/goroutine?debug=1" 2>/dev/null | gzip -1 >"$d/rec/goroutine-$kk.txt.gz"
				curl -sS --max-time 5 "$u/truth" 2>/dev/null | gzip -1 >"$d/rec/truth-$kk.json.gz"
				k=$((k + 1))
				sleep 0.95
			done
		) &
		rpid=$!
		echo "$rpid" >>"$d/pids"
	fi
	for n in $ns; do
		(
			ts=$(date +%s.%N)
			timeout -k 5 $((n * 2 + 60)) "$bin" "${pflags[@]}" -n "$n" "127.0.0.1:$port" \
				>"$d/pp-$n.json" 2>"$d/pp-$n.err"
			rc=$?
			te=$(date +%s.%N)
			curl -sS --max-time 10 -o "$d/truth-$n.json" "$u/truth" 2>>"$d/curl.err"
			echo "$n $rc $ts $te" >"$d/pp-$n.t"
		) &
		ppids+=($!)
		echo "$!" >>"$d/pids"
	done
	curl -sS --max-time 10 -o "$d/truth0.json" "$u/truth" 2>>"$d/curl.err"
	for i in "${ppids[@]}"; do wait "$i"; done
	if [ "$RECORD" = 1 ]; then
		kill "$rpid" 2>/dev/null
		wait "$rpid" 2>/dev/null
	fi
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	gzip -1 -f "$d"/pp-*.json # 0.3-1 MB each (every heap group with its frames)
	local bad
	bad=$(awk '$2 != 0 {printf " N=%s:rc=%s", $1, $2}' "$d"/pp-*.t)
	say "$name done in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }') s${bad:+; failed:$bad}"
}

say "${#jobs[@]} runs, $JOBS at a time; seeds $SEED0..$((seed - 1)); N: $NS (window run: $W2_NS)"
T_RUNS=$(date +%s)
running=0
idx=0
for j in "${jobs[@]}"; do
	idx=$((idx + 1))
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_job "$idx" "$j" &
	running=$((running + 1))
	sleep 1 # not two services starting in the same instant
done
wait
T_END=$(date +%s)

{
	echo "date: $D_START (start) to $(date -u) (end)"
	echo "machine: nproc $(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "commit: $COMMIT"
	echo "pproftop: $bin; scenario: $scen, built with $(sed -n 's/^ *"go_version": "\(.*\)",$/\1/p' "$OUT"/runs/*/truth0.json 2>/dev/null | sort -u | tr '\n' ' ')"
	echo "runs: ${#jobs[@]} (R=$R per variant, variants $VARIANTS, one -no-leaks per variant$([ $WINDOW_RUN = 1 ] && echo ", one --window $W2 on $W2_VARIANT")), $JOBS at a time, seeds $SEED0..$((seed - 1))"
	echo "wall time: runs $((T_END - T_RUNS)) s, total with builds $((T_END - T_START)) s"
} >"$OUT/header.txt"
cat "$OUT/header.txt"
echo
write_analyzer "$OUT/analyze.py"
python3 "$OUT/analyze.py" "$OUT" || die "the analysis failed"
{
	echo
	cat "$OUT/header.txt"
} >>"$OUT/report.md"
echo "verdicts: report in $OUT/report.md, raw runs in $OUT/runs" >&2
