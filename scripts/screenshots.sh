#!/bin/bash
# screenshots.sh - make PNG screenshots of the real pproftop dashboard.
#
# Builds pproftop and the demo Go service, starts the demo on 127.0.0.1:0,
# runs pproftop on it inside a private tmux server (120x36), lets the
# sparklines and the growth verdict (▲ +N/min, after half the 60 s window)
# fill in, then walks through the
# views with tmux send-keys. Each view is captured with
# `tmux capture-pane -e` (text plus colours and attributes), turned into an
# HTML page by a small converter (below) and photographed by headless
# Chromium. Output: screenshots/{tree,goroutines,heap,contention,cpu,detail,help,
# endpoints,paused}.png.
#
# Installs what it needs with apt-get when missing (idempotent).
# Environment:
#   PPROFTOP_BUILD_DIR  meson build dir to use/create (default: build)
#   SHOTS_OUT           output dir (default: screenshots)
#   SHOTS_WAIT          seconds to let the dashboard fill in (default: 9)
#   SHOTS_INTERVAL      pproftop poll interval in seconds (default: 1)
#   SHOTS_KEEP          keep the intermediate .ans/.html files in $SHOTS_OUT
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build=${PPROFTOP_BUILD_DIR:-build}
out=${SHOTS_OUT:-screenshots}
wait_s=${SHOTS_WAIT:-9}
interval=${SHOTS_INTERVAL:-1}
cols=120
rows=36

say() { echo "screenshots: $*" >&2; }
die() {
	say "$*"
	exit 1
}

# ---- dependencies ----------------------------------------------------------
scripts/deps.sh # compiler, libraries, golang-go, tmux, python3, ncurses-term
PKGS=(chromium fonts-dejavu-core optipng python3 tmux ncurses-term)
missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	SUDO=
	[ "$(id -u)" -ne 0 ] && SUDO=sudo
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq >&2
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || die "chromium not found"

# ---- build -----------------------------------------------------------------
[ -d "$build" ] || meson setup "$build" >/dev/null
ninja -C "$build" pproftop >/dev/null
scripts/build-demo.sh >/dev/null
pproftop=$root/$build/pproftop
demo=$root/build/demo/demo

# ---- state and cleanup -----------------------------------------------------
tmp=$(mktemp -d -t pproftop-shots.XXXXXX)
sock=shots$$
T=(tmux -u -L "$sock" -f /dev/null)
demo_pid=
cleanup() {
	"${T[@]}" kill-server 2>/dev/null || true
	if [ -n "$demo_pid" ]; then
		kill "$demo_pid" 2>/dev/null || true
		wait "$demo_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the demo service ------------------------------------------------------
"$demo" -addr 127.0.0.1:0 >"$tmp/demo.log" 2>&1 &
demo_pid=$!
addr=
for _ in $(seq 100); do
	addr=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$tmp/demo.log" | head -n1)
	[ -n "$addr" ] && break
	kill -0 "$demo_pid" 2>/dev/null || {
		cat "$tmp/demo.log" >&2
		die "the demo service did not start"
	}
	sleep 0.1
done
[ -n "$addr" ] || die "the demo service printed no address"
say "demo listening on $addr"

# ---- pproftop in a private tmux server ---------------------------------------
term=tmux-256color
infocmp "$term" >/dev/null 2>&1 || term=screen-256color
export LC_ALL=C.UTF-8 LANG=C.UTF-8
"${T[@]}" new-session -d -s shots -x "$cols" -y "$rows" \
	"env -u NO_COLOR TERM=$term LC_ALL=C.UTF-8 LANG=C.UTF-8 $pproftop -i $interval http://$addr; sleep 5"
"${T[@]}" set -g status off
"${T[@]}" set -g remain-on-exit on

plain() { "${T[@]}" capture-pane -p -t shots; }
keys() { "${T[@]}" send-keys -t shots "$@"; }
# wait_for REGEX SECONDS: until the (plain) screen matches
wait_for() {
	local deadline=$((SECONDS + $2))
	while [ $SECONDS -le $deadline ]; do
		plain | grep -Eq -- "$1" && return 0
		sleep 0.2
	done
	plain >&2
	die "timed out waiting for /$1/ on the screen (above)"
}
# shot NAME: capture the pane with attributes and keep it for conversion
shot() {
	sleep 0.4 # let a redraw in progress finish
	"${T[@]}" capture-pane -e -N -p -t shots >"$tmp/$1.ans"
	say "captured $1"
}

# the call tree first: its node histories start when it is first shown, so
# it fills in (and judges the leak) while the script waits
keys t
wait_for 'tree top-down' 5
sleep "$wait_s"
wait_for '▲ \+[0-9]+/min +main\.leakOne\.func1$' 60
shot tree
keys t
wait_for 'FUNCTION  FILE:LINE' 5
wait_for '1 group growing: main\.leakOne\.func1' 60
wait_for '▲ \+[0-9]+/min main\.leakOne\.func1' 10
keys g # select the first row: the leak, the biggest group
sleep 0.3
shot goroutines

keys 2 g # each pane keeps its own selection: start at the top
wait_for '^in use .* objects' 10
shot heap

keys 3 g
wait_for '^block: ' 10
shot contention

keys 4 # the CPU pane starts CPU windows (5 s each)
wait_for 'CPU profiling on' 5
wait_for 'CPU profiling: the last window' 15
keys g
sleep 0.3
shot cpu

keys 1
keys -l /leakOne
wait_for 'filter .*/leakOne' 5
keys Enter # apply the filter
wait_for 'filter: /leakOne/' 5
keys Enter # open the selected row (the only one left)
wait_for 'main\.leakOne\.func1' 5
wait_for '^stack \(' 5
shot detail

keys Escape # back to the table
sleep 1.2   # ncurses ESCDELAY
keys -l /
keys C-u Enter # an empty filter clears it
sleep 0.5
plain | grep -q 'filter: /' && die "the filter did not clear"
keys '?'
wait_for '^Keys  \(Esc' 5
shot help
keys End # the end of the help: every endpoint's form, cost and spacing
wait_for '^  all in all: about' 5
shot endpoints

keys q # in the help, q only closes the help
sleep 0.5
plain | grep -q '^Keys  (Esc' && die "the help did not close"
keys p
wait_for ' PAUSED' 5
sleep "$interval" # one more poll arrives behind the frozen view
shot paused

# ---- ANSI (tmux capture) -> HTML --------------------------------------------
cat >"$tmp/ansi2html.py" <<'PY'
"""Convert a `tmux capture-pane -e -N -p` dump to a dark terminal HTML page.

The page is a grid of fixed cells (CW x LH px): every run of one style is an
inline-block exactly as wide as its cells, and every non-ASCII character gets
a box of its own, 1 or 2 cells wide, so a glyph from a fallback font can't
shift the columns after it. Block elements (the sparkline bars U+2580-2590)
are drawn as filled boxes, as terminals do, not taken from the font, so bars
fill their cells without seams.
"""
import html
import re
import sys
import unicodedata

BG, FG = "#1e1e1e", "#d4d4d4"
PAL16 = ["#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc",
         "#11a8cd", "#e5e5e5", "#666666", "#f14c4c", "#23d18b", "#f5f543",
         "#3b8eea", "#d670d6", "#29b8db", "#ffffff"]

# block element -> (gradient direction, filled percent)
BLOCKS = {"\u2580": ("to bottom", 50), "\u2590": ("to left", 50)}
for i in range(1, 9):
    BLOCKS[chr(0x2580 + i)] = ("to top", 100 * i / 8)  # lower n/8
for i in range(1, 8):
    BLOCKS[chr(0x2590 - i)] = ("to right", 100 * i / 8)  # left n/8 (258F..2589)


def pal256(n):
    if n < 16:
        return PAL16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        r, g, b = steps[n // 36], steps[n // 6 % 6], steps[n % 6]
        return "#%02x%02x%02x" % (r, g, b)
    v = 8 + 10 * (n - 232)
    return "#%02x%02x%02x" % (v, v, v)


def mix(c1, c2, t):
    a = [int(c1[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(c2[i:i + 2], 16) for i in (1, 3, 5)]
    return "#%02x%02x%02x" % tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def width(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class Style:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = None
        self.bold = self.dim = self.italic = self.under = False
        self.rev = self.hidden = self.strike = False

    def sgr(self, params):
        p = [int(x) if x else 0 for x in params.split(";")] if params else [0]
        i = 0
        while i < len(p):
            c = p[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 3:
                self.italic = True
            elif c == 4:
                self.under = True
            elif c == 7:
                self.rev = True
            elif c == 8:
                self.hidden = True
            elif c == 9:
                self.strike = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 23:
                self.italic = False
            elif c == 24:
                self.under = False
            elif c == 27:
                self.rev = False
            elif c == 28:
                self.hidden = False
            elif c == 29:
                self.strike = False
            elif 30 <= c <= 37:
                self.fg = PAL16[c - 30]
            elif 90 <= c <= 97:
                self.fg = PAL16[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = PAL16[c - 40]
            elif 100 <= c <= 107:
                self.bg = PAL16[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(p):
                col = None
                if p[i + 1] == 5 and i + 2 < len(p):
                    col = pal256(p[i + 2] & 255)
                    i += 2
                elif p[i + 1] == 2 and i + 4 < len(p):
                    col = "#%02x%02x%02x" % tuple(x & 255 for x in p[i + 2:i + 5])
                    i += 4
                if col is not None:
                    if c == 38:
                        self.fg = col
                    else:
                        self.bg = col
            i += 1

    def render(self):
        """(css for the run, effective foreground colour)"""
        fg, bg = self.fg or FG, self.bg or BG
        if self.rev:
            fg, bg = bg, fg
        if self.dim:
            fg = mix(fg, bg, 0.45)
        if self.hidden:
            fg = bg
        s = []
        if fg != FG:
            s.append("color:" + fg)
        if bg != BG:
            s.append("background:" + bg)
        if self.bold:
            s.append("font-weight:bold")
        if self.italic:
            s.append("font-style:italic")
        deco = [d for d, on in (("underline", self.under),
                                ("line-through", self.strike)) if on]
        if deco:
            s.append("text-decoration:" + " ".join(deco))
        return ";".join(s), fg


TOKEN = re.compile(r"\x1b\[([0-9;]*)([A-Za-z])|\x1b[()][0-9A-Za-z]|\x1b.|(.)",
                   re.S)


def cell(ch, w, fg):
    if ch in BLOCKS:
        d, pct = BLOCKS[ch]
        if pct >= 100:
            g = fg
        else:
            g = "linear-gradient(%s,%s %.1f%%,transparent %.1f%%)" % (d, fg, pct, pct)
        return '<i class="c1" style="background:%s"></i>' % g
    if ch.isascii():
        return html.escape(ch)
    return '<i class="c%d">%s</i>' % (w, html.escape(ch))


def convert(text, cols, rows):
    st = Style()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = (lines + [""] * rows)[:rows]
    out = []
    for line in lines:
        runs = []  # [css, fg, [(text, cells)]]
        used = 0
        for m in TOKEN.finditer(line):
            if m.group(2) == "m":
                st.sgr(m.group(1))
                continue
            ch = m.group(3)
            if ch is None or ch == "\r" or used >= cols:
                continue
            w = width(ch)
            if w == 0 and runs:
                t, c = runs[-1][2][-1]
                runs[-1][2][-1] = (t + ch, c)
                continue
            css, fg = st.render()
            if not runs or runs[-1][0] != css:
                runs.append([css, fg, []])
            runs[-1][2].append((ch, w))
            used += w
        if used < cols:  # pad with the default background
            runs.append(["", FG, [(" ", 1)] * (cols - used)])
        parts = []
        for css, fg, cells in runs:
            body = "".join(cell(t, w, fg) for t, w in cells)
            n = sum(w for _, w in cells)
            style = "width:%dpx" % (n * CW) + (";" + css if css else "")
            parts.append('<b style="%s">%s</b>' % (style, body))
        out.append('<div class="l">%s</div>' % "".join(parts))
    return out


def main():
    global CW
    src, dst = sys.argv[1:3]
    cols, rows, fs, cw, lh, pad = (int(x) for x in sys.argv[3:9])
    CW = cw
    advance = fs * 1233 / 2048  # DejaVu Sans Mono's advance width
    with open(src, encoding="utf-8", errors="replace") as f:
        body = convert(f.read(), cols, rows)
    page = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>
html, body {{ margin: 0; background: {bg}; }}
body {{ padding: {pad}px; }}
.t {{ font-family: "DejaVu Sans Mono", monospace; font-size: {fs}px;
      color: {fg}; width: {w}px; font-kerning: none;
      font-variant-ligatures: none; letter-spacing: {ls:.4f}px; }}
.l {{ height: {lh}px; white-space: pre; overflow: hidden; }}
.l b {{ display: inline-block; height: {lh}px; line-height: {lh}px;
        vertical-align: top; font-weight: normal; overflow: hidden; }}
.l i {{ display: inline-block; font-style: inherit; text-align: center;
        overflow: hidden; vertical-align: top; height: {lh}px; }}
.c1 {{ width: {cw}px; }} .c2 {{ width: {cw2}px; }}
</style></head><body><div class="t">
{lines}
</div></body></html>
""".format(bg=BG, fg=FG, pad=pad, fs=fs, lh=lh, w=cols * cw, cw=cw,
           cw2=2 * cw, ls=cw - advance, lines="\n".join(body))
    with open(dst, "w", encoding="utf-8") as f:
        f.write(page)


if __name__ == "__main__":
    main()
PY

# ---- HTML -> PNG -----------------------------------------------------------
fs=13 # font px
cw=8  # cell width px (the font's advance, 7.83 px, plus a little letter-spacing)
lh=16 # cell height px
pad=8 # border px
W=$((cols * cw + 2 * pad))
H=$((rows * lh + 2 * pad))
mkdir -p "$out"
out=$(cd "$out" && pwd)
for name in tree goroutines heap contention cpu detail help endpoints paused; do
	python3 "$tmp/ansi2html.py" "$tmp/$name.ans" "$tmp/$name.html" $cols $rows $fs $cw $lh $pad
	profile=$(mktemp -d -p "$tmp" chrome.XXXXXX)
	if ! timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --hide-scrollbars --force-device-scale-factor=1 \
		--user-data-dir="$profile" --screenshot="$out/$name.png" \
		--window-size="$W,$H" "file://$tmp/$name.html" >"$tmp/chromium.log" 2>&1; then
		cat "$tmp/chromium.log" >&2
		die "chromium failed on $name"
	fi
	[ -s "$out/$name.png" ] || die "chromium wrote no $out/$name.png"
	optipng -quiet -o2 -strip all "$out/$name.png"
	if [ -n "${SHOTS_KEEP:-}" ]; then
		cp "$tmp/$name.ans" "$tmp/$name.html" "$out/"
	fi
	say "$out/$name.png ($(stat -c %s "$out/$name.png") bytes)"
done
