/* label.h - what a row is called: short function names, names that tell
 * rows apart, and why a goroutine waits. Pure: no curses, no I/O.
 */
#ifndef PPROFTOP_LABEL_H
#define PPROFTOP_LABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pproftop/profile.h"

/* LABEL_NONE: no frame (label_apart: the label alone tells the row apart).
 * LABEL_LINE: or'ed into a frame index when that frame's function is the
 * same as in the other rows and only its line differs (label_text then
 * writes the line). LABEL_FRAME(a): the frame index of a. */
#define LABEL_NONE UINT32_MAX
#define LABEL_LINE 0x80000000u
#define LABEL_FRAME(a) ((a) & ~LABEL_LINE)

/* label_short: fn without its import path, so that the package and the
 * function show: "github.com/prometheus/prometheus/scrape.(*scrapeLoop).run"
 * -> "scrape.(*scrapeLoop).run", "net/http.(*conn).serve" ->
 * "http.(*conn).serve". A pointer into fn (nothing copied). */
const char *label_short(const char *fn);

/* label_file: a frame's file as labels show it, its base name:
 * "/usr/lib/go/src/net/http/server.go" -> "server.go" (a pointer into
 * path). */
const char *label_file(const char *path);

/* label_apart: for n groups shown together, fills apart[i] with the index
 * (group_frame(g[i], k)) of the first frame where g[i]'s stack differs from
 * every other group whose label (label frame's function, file and line) is
 * the same, or LABEL_NONE when no other group has its label or the stacks
 * never differ. Frames above the label frame (toward the root) are looked
 * at first, then those below it. O(n log n): one sort by label, neighbours
 * compared. g[i] may be NULL (LABEL_NONE). */
void label_apart(const struct group *const *g, size_t n, uint32_t *apart);

/* label_text: the row label written to out (cap bytes, NUL included):
 * label_short of the label frame's function, and with apart (from
 * label_apart) not LABEL_NONE, " <- " (" \u2190 " when utf8) and
 * label_short of that frame's function: "main.parked <- main.depth3", with
 * LABEL_LINE its line too: "main.main <- runtime.main:250". "(no stack)"
 * for a group without frames. Returns out. */
char *label_text(const struct group *g, uint32_t apart, bool utf8, char *out, size_t cap);

/* label_state: why the goroutines of a goroutine-profile group wait, from
 * the runtime and standard-library frames at the leaf of its stack
 * (struct group's hidden frames included): "chan receive", "chan send",
 * "select", "IO wait", "sync.Mutex", "sync.RWMutex", "sync.Cond",
 * "sync.WaitGroup", "semacquire", "sleep", "syscall", "runnable" (yielded
 * or preempted), "running" (no runtime frame at the leaf: it was on a CPU or
 * about to be), "waiting" (parked where no known primitive says why), or ""
 * when the frames cannot tell: fmt FMT_TEXT, whose writer hides leading
 * runtime frames, so a goroutine blocked on a channel looks running. A
 * group from a goroutine dump has the runtime's own word (g->states, most
 * goroutines first; "sync.Mutex.Lock" as "sync.Mutex"). */
const char *label_state(const struct group *g, enum prof_format fmt);

/* label_state_named: label_state, with the debug=1 text's hidden runtime
 * frames (g->hpcs) named by st when it knows them all (st may be NULL). */
struct symtab;
#define LABEL_STATE_FRAMES 64 /* leaf-side frames looked at */
const char *label_state_named(const struct group *g, enum prof_format fmt, const struct symtab *st);

#endif
