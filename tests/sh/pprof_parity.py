#!/usr/bin/env python3
"""pprof_parity.py - compare `pproftop --open F --batch --json` with
`go tool pprof -raw F` for every fixture file pprof can read, and the
cumulative values of `pproftop --tree` with `go tool pprof -top`'s cum on
the goroutine, heap, block and mutex protobufs (check_tree).

usage: pprof_parity.py PPROFTOP_BIN FIXTURES_DIR

For each file the per-sample values and stacks printed by `pprof -raw` are
normalized the way pproftop's builder does (src/profile.c header comment):
runtime.goexit dropped, generic instantiations folded to "F[...]", leading
(leaf-side) runtime.* / internal/runtime/ frames trimmed for every kind but
block, mutex and CPU (unless that would drop every frame), samples with the
same normalized stack summed. Groups whose values are all zero are ignored on
both sides (pprof drops all-zero samples). Totals and every stack's values
must then match exactly, except where pprof itself is wrong (see
check_mutex_scaling and the threadcreate special case below).

pprof has no symbols for the legacy debug=1 texts (it prints bare
addresses), so for those the stacks are taken from the file's own
"#\t0xPC\tfunc+0xoff\tfile:line" comment lines: a pprof sample's addresses
(PC-1, as pprof stores them) select the text record with the same PC list.
For unsymbolized texts (no "#" frame lines, tests/fixtures/variants/
*-unsymbolized.txt) the expected frames are those addresses themselves.

Prints one line per file (OK / FAIL with the first difference) and exits 1
when any file failed.
"""
import gzip
import json
import os
import re
import subprocess
import sys

MASK = (1 << 64) - 1
NO_ADDR = MASK  # pprof's address for a 0x0 PC (0 - 1)

# pprof sample type -> pproftop JSON value key
VALUE_KEYS = {
    "alloc_objects": "alloc_objects",
    "alloc_space": "alloc_bytes",
    "inuse_objects": "inuse_objects",
    "inuse_space": "inuse_bytes",
    "contentions": "contentions",
    "delay": "delay_ns",
    "samples": "samples",
    "cpu": "cpu_ns",
}


def go_minor(path):
    """Go minor version of a fixture, from its folder or file name."""
    m = re.search(r"go1\.(\d+)", path)
    if m:
        return int(m.group(1))
    if "/local/" in path:
        return 19  # tests/fixtures/local: Debian's go1.19 captures
    return 0


def fold_generics(fn):
    """pkg.F[a, b[c]] -> pkg.F[...]; an unbalanced '[' keeps the rest."""
    out = []
    i = 0
    n = len(fn)
    while i < n:
        if fn[i] != "[":
            out.append(fn[i])
            i += 1
            continue
        depth = 0
        j = i
        while j < n:
            if fn[j] == "[":
                depth += 1
            elif fn[j] == "]":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j >= n:
            out.append(fn[i:])
            break
        out.append("[...]")
        i = j + 1
    return "".join(out)


def is_runtime(fn):
    return fn.startswith("runtime.") or fn.startswith("internal/runtime/")


def normalize(frames, trim):
    fr = [(fold_generics(f), file, line) for (f, file, line) in frames]
    fr = [f for f in fr if f[0] != "runtime.goexit"]
    if trim:
        k = 0
        while k < len(fr) and is_runtime(fr[k][0]):
            k += 1
        if k < len(fr):
            fr = fr[k:]
    return tuple(fr)


# ---------------------------------------------------------------- pprof -raw

SAMPLE_RE = re.compile(r"^\s+(-?\d+(?:\s+-?\d+)*):((?:\s+\d+)*)\s*$")
LOC_RE = re.compile(r"^\s+(\d+): 0x([0-9a-f]+)(?: M=\d+)?(?: (.*))?$")


def parse_line_entry(text):
    """'fn file:line s=N' -> (fn, file, line); fn may contain spaces."""
    text = re.sub(r"\s+s=\d+\s*$", "", text.strip())
    m = re.match(r"^(.*) (\S*):(-?\d+)$", text)
    if m:
        return (m.group(1), m.group(2), int(m.group(3)))
    m = re.match(r"^(\S*):(-?\d+)$", text)  # empty function name
    if m:
        return ("", m.group(1), int(m.group(2)))
    raise ValueError("cannot parse location line %r" % text)


def pprof_raw(path):
    """Runs go tool pprof -raw; returns (types, samples, locations) or
    raises RuntimeError with pprof's message."""
    r = subprocess.run(["go", "tool", "pprof", "-raw", path], capture_output=True,
                       text=True, timeout=60)
    if r.returncode != 0 or "Samples:" not in r.stdout:
        msg = (r.stderr.strip().splitlines() or ["no output"])[0]
        raise RuntimeError(msg)
    lines = r.stdout.splitlines()
    i = lines.index("Samples:") + 1
    # a custom profile's type name can contain '/': "example.com/openfiles/count"
    types = [t.rsplit("/", 1)[0] for t in lines[i].split()]
    i += 1
    samples = []
    while i < len(lines) and lines[i] != "Locations":
        m = SAMPLE_RE.match(lines[i])
        if m:
            vals = [int(x) for x in m.group(1).split()]
            locs = [int(x) for x in m.group(2).split()]
            samples.append((vals, locs))
        i += 1
    locations = {}  # id -> (address, [(fn, file, line)])
    cur = None
    i += 1
    while i < len(lines) and lines[i] != "Mappings":
        ln = lines[i]
        m = LOC_RE.match(ln)
        if m:
            cur = int(m.group(1))
            rest = (m.group(3) or "").strip()
            locations[cur] = (int(m.group(2), 16), [])
            if rest:
                locations[cur][1].append(parse_line_entry(rest))
        elif ln.strip() and cur is not None:
            locations[cur][1].append(parse_line_entry(ln))
        i += 1
    return types, samples, locations


# ---------------------------------------------------------------- protobuf

def varint(b, i):
    v = 0
    shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def fields(b):
    """(field, wiretype, value) of one message; value is bytes for LEN."""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 1:
            v, i = b[i:i + 8], i + 8
        elif wt == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        yield f, wt, v


def repeated_ints(wt, v):
    if wt == 0:
        return [v]
    out = []
    i = 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(x)
    return out


def proto_stackless(path):
    """Sums of the values of the samples that reference no location at all
    (go tool pprof drops those samples; pproftop keeps them as a group with
    an empty stack)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    sums = None
    n = 0
    for f, wt, v in fields(data):
        if f != 2:
            continue
        locs, vals = [], []
        for sf, swt, sv in fields(v):
            if sf == 1:
                locs += repeated_ints(swt, sv)
            elif sf == 2:
                vals += [x - (1 << 64) if x >> 63 else x for x in repeated_ints(swt, sv)]
        if locs:
            continue
        n += 1
        sums = [a + b for a, b in zip(sums, vals)] if sums else vals
    return n, sums


# ---------------------------------------------------------------- debug=1 text

def text_records(path):
    """Records of a debug=1 text: list of (values, pc_key, frames, header).
    values are the numbers before '@' as printed."""
    with open(path, "rb") as f:
        data = f.read().decode("utf-8", "replace")
    recs = []
    cur = None
    header = {}
    for ln in data.split("\n"):
        if ln.startswith("#"):
            if cur is None:
                continue
            if ln.startswith("# labels:"):
                continue
            fields = [x for x in re.split(r"\t+", ln) if x != ""]
            if len(fields) < 4:
                continue  # "#\t0x0": a PC without a function
            fn = re.sub(r"\+0x[0-9a-f]+$", "", fields[2])
            file, line = fields[3].rsplit(":", 1)
            cur[2].append((fn, file, int(line)))
            continue
        if (" @" in ln or ln.endswith("@")) and not ln.startswith("heap profile:"):
            left, right = ln.split("@", 1)
            nums = re.findall(r"-?\d+", left)
            pcs = [int(x, 16) for x in right.split()]
            key = tuple((pc - 1) & MASK for pc in pcs if pc != 0)
            cur = ([int(x) for x in nums], key, [])
            recs.append(cur)
            continue
        cur = None
        m = re.match(r"^(.*) profile: total (\d+)$", ln)
        if m:
            header["total"] = int(m.group(2))
        m = re.match(r"^sampling period=(-?\d+)$", ln)
        if m:
            header["period"] = int(m.group(1))
    if not any(ln.startswith("#\t") for ln in data.split("\n")):
        # unsymbolized text (no frame lines): pproftop names each frame by
        # its address less one, as pprof stores it
        recs = [(v, key, [("0x%x" % a, "", 0) for a in key]) for v, key, _ in recs]
    return recs, header


# ---------------------------------------------------------------- pproftop

def pproftop_json(binary, path):
    r = subprocess.run([binary, "--open", path, "--batch", "--json"], capture_output=True,
                       timeout=60)
    if r.returncode != 0:
        raise RuntimeError("pproftop exit %d: %s" % (r.returncode,
                                                     r.stderr.decode(errors="replace").strip()))
    doc = json.loads(r.stdout)
    profs = doc["profiles"]
    if len(profs) != 1:
        raise RuntimeError("expected one profile, got %s" % list(profs))
    name, p = next(iter(profs.items()))
    return name, p


def pt_groups(p, keys):
    out = {}
    for g in p["groups"]:
        st = tuple((f["function"], f["file"], f["line"]) for f in g["frames"])
        vals = tuple(g[k] for k in keys)
        prev = out.get(st)
        if prev is not None:
            # the builder never emits two groups with the same frames
            raise RuntimeError("two groups with the same stack %s" % fmt_stack(st))
        out[st] = vals
    return out


def is_pprof_handler(st):
    return any(f[0].startswith("net/http/pprof.") or f[0] == "runtime/pprof.writeGoroutine"
               for f in st)


def hide_self(exp, n, goroutines):
    """pproftop leaves its own footprint out (profile.h, snapshot_hide_self):
    the stacks serving /debug/pprof and, in goroutine profiles where one was
    found, one goroutine of the request connection's background reader (an
    empty stack when it has not run yet, else the deepest backgroundRead
    stack). The same rule, written again from its description, so that the
    hidden part is checked too: returns (shown, hidden groups, hidden sums)."""
    shown, hid, groups = {}, [0] * n, 0
    for st, v in exp.items():
        if is_pprof_handler(st):
            groups += 1
            hid = [a + b for a, b in zip(hid, v)]
        else:
            shown[st] = v
    if groups and goroutines:
        reader = None
        if shown.get((), (0,))[0] > 0:
            reader = ()
        else:
            for st, v in shown.items():
                if v[0] > 0 and st and st[-1][0] == "net/http.(*connReader).backgroundRead" and (
                        reader is None or len(st) > len(reader)):
                    reader = st
        if reader is not None:
            v = list(shown[reader])
            v[0] -= 1
            hid[0] += 1
            if v[0] == 0 and all(x == 0 for x in v):
                del shown[reader]
                groups += 1
            else:
                shown[reader] = tuple(v)
    return shown, groups, hid


def fmt_stack(st):
    if not st:
        return "(empty stack)"
    s = " <- ".join("%s:%d" % (f[0], f[2]) for f in st[:4])
    return s + (" <- ..." if len(st) > 4 else "")


def drop_zero(d):
    return {k: v for k, v in d.items() if any(x != 0 for x in v)}


def close(want, have, slack):
    """Exact for integers; for the floats of undone period scaling, closer
    than slack (1 ns per stack)."""
    if isinstance(want, float):
        return abs(want - have) < slack
    return want == have


def compare(exp, got, keys):
    """First difference between two stack->values maps, or None."""
    exp = drop_zero(exp)
    got = drop_zero(got)
    for st in exp:
        if st not in got:
            return "pproftop lacks stack %s %s" % (fmt_stack(st), exp[st])
    for st in got:
        if st not in exp:
            return "pproftop has extra stack %s %s" % (fmt_stack(st), got[st])
    for st in exp:
        for k, a, b in zip(keys, exp[st], got[st]):
            if not close(a, b, 1):
                return "stack %s: %s pprof %s, pproftop %d" % (fmt_stack(st), k, a, b)
    return None


def check_file(binary, path):
    minor = go_minor(path)
    is_text = path.endswith(".txt")
    base = os.path.basename(path)
    try:
        types, samples, locs = pprof_raw(path)
    except RuntimeError as e:
        if is_text and "threadcreate" in base and 19 <= minor <= 22:
            return check_threadcreate_text(binary, path, str(e))
        return "FAIL go tool pprof cannot read it: %s" % e
    name, p = pproftop_json(binary, path)

    kind_token = types[0]
    contention = kind_token == "contentions"
    cpu = kind_token == "samples"
    trim = not (contention or cpu)
    if len(types) == 1:
        keys = ["count"]  # goroutine, threadcreate, custom: "<name>/count"
    else:
        keys = [VALUE_KEYS[t] for t in types]

    recmap = None
    if is_text:
        recs, header = text_records(path)
        recmap = {}
        for vals, key, frames in recs:
            recmap.setdefault(key, frames)

    # pprof's samples, normalized and summed by stack
    exp = {}
    for vals, ids in samples:
        if is_text:
            key = tuple(a for a in (locs[i][0] for i in ids) if a != NO_ADDR)
            if key not in recmap:
                return "FAIL pprof sample at %s has no record in the text" % (
                    " ".join("%#x" % a for a in key))
            frames = recmap[key]
        else:
            frames = []
            for i in ids:
                addr, lines = locs[i]
                if not lines:
                    if addr not in (0, MASK):
                        frames.append(("0x%x" % addr, "", 0))
                    continue
                frames.extend(l for l in lines if l[0] != "")
        st = normalize(frames, trim)
        acc = exp.setdefault(st, [0] * len(keys))
        for j, v in enumerate(vals):
            acc[j] += v
    note = ""
    if not is_text:
        # pprof silently drops samples that reference no location (the
        # empty stacks of threadcreate <= 1.22, a goroutine caught before
        # it has a stack): add them back from the file itself.
        n, sums = proto_stackless(path)
        if n:
            acc = exp.setdefault((), [0] * len(keys))
            for j, v in enumerate(sums):
                acc[j] += v
            note = " (%d stackless samples pprof drops, read from the file)" % n
    exp = {k: tuple(v) for k, v in exp.items()}
    got = pt_groups(p, keys)

    if contention and is_text:
        period = header.get("period", 1)
        if period > 1 and minor >= 20:
            # pprof is wrong here: Go >= 1.20 writes mutex debug=1 numbers
            # already scaled by the sampling fraction, yet google/pprof
            # multiplies them by "sampling period" again (reference 5.2).
            # The right values are pprof's divided by the period.
            for st in exp:
                c, d = exp[st]
                if c % period != 0:
                    return "FAIL pprof contentions %d not a multiple of the period %d" % (
                        c, period)
                # pprof truncates cycles*period/GHz to an integer, so the
                # right delay is within 1 ns of pprof's / period (a float
                # here; compare() accepts |difference| < 1 for floats).
                exp[st] = (c // period, d / period)
            note = " (pprof's x%d period scaling undone)" % period

    exp, hid_groups, hid = hide_self(exp, len(keys), keys == ["count"] and not contention and not cpu
                                     and name in ("goroutine", "goroutineleak"))
    ph = p["hidden"]
    for j, k in enumerate(keys):
        if ph["totals"][k] != hid[j] and not close(hid[j], ph["totals"][k], hid_groups):
            return "FAIL hidden %s: expected %s, pproftop %d" % (k, hid[j], ph["totals"][k])
    if hid_groups and ph["groups"] != hid_groups:
        return "FAIL hidden groups: expected %d, pproftop %d" % (hid_groups, ph["groups"])
    if hid_groups:
        note += " (pproftop's own, not counted: %d groups, %s %s)" % (
            hid_groups, keys[0], hid[0])

    # totals
    want = [0] * len(keys)
    for v in exp.values():
        for j, x in enumerate(v):
            want[j] += x
    for j, k in enumerate(keys):
        have = p["totals"][k]
        if not close(want[j], have, len(exp)):
            return "FAIL total %s: pprof %s, pproftop %d%s" % (k, want[j], have, note)
    if cpu and name != "cpu":
        return "FAIL CPU profile keyed %r, expected \"cpu\"" % name
    diff = compare(exp, got, keys)
    if diff:
        return "FAIL %s%s" % (diff, note)
    return "OK (%d stacks, %s%s)" % (len(drop_zero(exp)), ", ".join(
        "%s %d" % (k, p["totals"][k]) for k in keys), note)


def check_threadcreate_text(binary, path, why):
    """pprof rejects the 1.19-1.22 threadcreate text ("N @" records with no
    PCs: google/pprof's countRE needs at least one). Check pproftop against
    the header total and the file's own records instead."""
    recs, header = text_records(path)
    name, p = pproftop_json(binary, path)
    if "total" not in header:
        return "FAIL no 'total N' header"
    if p["totals"]["count"] != header["total"]:
        return "FAIL count %d != header total %d" % (p["totals"]["count"], header["total"])
    exp = {}
    for vals, key, frames in recs:
        st = normalize(frames, True)
        exp[st] = (exp.get(st, (0,))[0] + vals[0],)
    got = pt_groups(p, ["count"])
    diff = compare(exp, got, ["count"])
    if diff:
        return "FAIL %s" % diff
    return "OK (pprof cannot parse it: %s; count %d == header total, %d stacks)" % (
        why, header["total"], len(exp))


# ---------------------------------------------------------------- call tree

# (file prefix, pprof -sample_index, pprof -unit, pproftop value key): the
# captures whose --tree is checked against `go tool pprof -top`
TREE_CHECKS = {
    "goroutine": [(None, None, "count")],
    "heap": [("inuse_space", "B", "inuse_bytes"), ("inuse_objects", None, "inuse_objects")],
    "block": [("delay", "ns", "delay_ns"), ("contentions", None, "contentions")],
    "mutex": [("delay", "ns", "delay_ns"), ("contentions", None, "contentions")],
}

TOP_RE = re.compile(r"^\s*(\S+)\s+\S+\s+\S+\s+(\S+)\s+\S+\s+(.+?)(?: \((?:partial-)?inline\))?\s*$")


def top_value(text):
    """'121586990B', '42169ns', '144', '1.5e+10ns' -> a number."""
    v = float(re.sub(r"[A-Za-z]+$", "", text))
    return int(v) if v == int(v) else v


def pprof_top_cum(path, sample_index, unit):
    """function (generics folded) -> cum, from go tool pprof -top."""
    cmd = ["go", "tool", "pprof", "-top", "-nodecount=1000000", "-nodefraction=0",
           "-edgefraction=0"]
    if sample_index:
        cmd.append("-sample_index=" + sample_index)
    if unit:
        cmd.append("-unit=" + unit)
    r = subprocess.run(cmd + [path], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError((r.stderr.strip().splitlines() or ["no output"])[0])
    out = {}
    started = False
    for ln in r.stdout.splitlines():
        if ln.strip().startswith("flat"):
            started = True
            continue
        if not started:
            continue
        m = TOP_RE.match(ln)
        if not m:
            raise RuntimeError("cannot parse pprof -top line %r" % ln)
        fn = fold_generics(m.group(3))
        out[fn] = out.get(fn, 0) + top_value(m.group(2))
    return out


def tree_sums(nodes, key):
    """function -> sum of its nodes' cum[key] over the whole tree."""
    sums = {}
    stack = list(nodes)
    while stack:
        n = stack.pop()
        sums[n["function"]] = sums.get(n["function"], 0) + n[key]
        stack.extend(n["children"])
    return sums


def tree_invariants(nodes, keys, depth=0):
    """cum == flat + children's cum, children sorted by the tree's value."""
    for n in nodes:
        for k in keys:
            if n[k] != n["flat_" + k] + sum(c[k] for c in n["children"]):
                return "node %s: %s %d != flat + children" % (n["function"], k, n[k])
        bad = tree_invariants(n["children"], keys, depth + 1)
        if bad:
            return bad
    return None


def check_tree(binary, path):
    """The cum of a function's node in `pproftop --tree` (summed over its
    nodes) is `go tool pprof -top`'s cum for that function, for every
    function that appears at most once in every stack (pprof counts a
    recursive function once per stack), less what pproftop leaves out as
    its own (hide_self, applied to pprof -raw's stacks)."""
    base = os.path.basename(path)
    kind = base.split("-")[0].split(".")[0]
    r = subprocess.run([binary, "--open", path, "--batch", "--json", "--tree"],
                       capture_output=True, timeout=60)
    if r.returncode != 0:
        return "FAIL pproftop exit %d" % r.returncode
    p = next(iter(json.loads(r.stdout)["profiles"].values()))
    types, samples, locs = pprof_raw(path)
    keys = [VALUE_KEYS[t] for t in types] if len(types) > 1 else ["count"]
    trim = kind not in ("block", "mutex")
    exp = {}
    for vals, ids in samples:
        frames = []
        for i in ids:
            frames.extend(l for l in locs[i][1] if l[0] != "")
        st = normalize(frames, trim)
        acc = exp.setdefault(st, [0] * len(keys))
        for j, v in enumerate(vals):
            acc[j] += v
    exp = {k: tuple(v) for k, v in exp.items()}
    shown, _, _ = hide_self(exp, len(keys), kind == "goroutine")
    bad = tree_invariants(p["tree"], keys)
    if bad:
        return "FAIL " + bad
    # functions pproftop's stacks hold more than once somewhere
    recursive = set()
    for g in p["groups"]:
        fns = [f["function"] for f in g["frames"]]
        recursive.update(f for f in fns if fns.count(f) > 1)
    checked = 0
    for sample_index, unit, key in TREE_CHECKS[kind]:
        j = keys.index(key)
        top = pprof_top_cum(path, sample_index, unit)
        have = tree_sums(p["tree"], key)
        for fn, cum in sorted(top.items()):
            if fn in recursive or fn == "runtime.goexit" or (trim and is_runtime(fn)):
                continue
            hidden = 0
            for st, v in exp.items():
                if any(f[0] == fn for f in st):
                    hidden += v[j] - shown.get(st, (0,) * len(keys))[j]
            want = cum - hidden
            if isinstance(want, float) and abs(want - have.get(fn, 0)) <= 1:
                want = have.get(fn, 0)
            if want != have.get(fn, 0):
                return "FAIL %s %s: pprof -top cum %s (less %s not counted), tree %s" % (
                    fn, key, cum, hidden, have.get(fn, 0))
            checked += 1
    if checked == 0:
        return "FAIL no function compared"
    return "OK (%d function cums equal pprof -top's)" % checked


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    binary, fixtures = sys.argv[1], sys.argv[2]
    files = []
    for d in sorted(os.listdir(fixtures)):
        dp = os.path.join(fixtures, d)
        if not os.path.isdir(dp):
            continue
        for f in sorted(os.listdir(dp)):
            if f.endswith(".pb.gz") or ("debug1" in f and f.endswith(".txt")):
                files.append(os.path.join(dp, f))
    nfail = 0
    for path in files:
        rel = os.path.relpath(path, fixtures)
        try:
            res = check_file(binary, path)
        except Exception as e:  # a crash of the checker is a failure too
            res = "FAIL %s: %s" % (type(e).__name__, e)
        if res.startswith("FAIL"):
            nfail += 1
        print("%-50s %s" % (rel, res), flush=True)
    ntree = 0
    for path in files:
        base = os.path.basename(path)
        kind = base.split("-")[0].split(".")[0]
        if not base.endswith(".pb.gz") or "delta" in base or kind not in TREE_CHECKS:
            continue
        rel = os.path.relpath(path, fixtures)
        try:
            res = check_tree(binary, path)
        except Exception as e:
            res = "FAIL %s: %s" % (type(e).__name__, e)
        ntree += 1
        if res.startswith("FAIL"):
            nfail += 1
        print("%-50s %s" % ("--tree " + rel, res), flush=True)
    print("%d files, %d trees, %d failed" % (len(files), ntree, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
