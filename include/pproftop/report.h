/* report.h - text tables and JSON documents of snapshots and diffs.
 *
 * Used by --batch, --json and the plain-text report written with each saved
 * snapshot. Output goes to a stdio stream; nothing here touches a terminal.
 */
#ifndef PPROFTOP_REPORT_H
#define PPROFTOP_REPORT_H

#include <stdio.h>

#include "pproftop/diff.h"
#include "pproftop/history.h"
#include "pproftop/model.h"
#include "pproftop/profile.h"

/* One profile to report: its newest snapshot and, optionally, the diff
 * against an older one (d->now must be s). */
struct report_item {
	const struct snapshot *s;
	const struct diff *d;            /* NULL: no Δ columns */
	const struct snapshot *memstats; /* NULL, or a heap debug=1 snapshot whose
	                                  * MemStats are reported with this item */
	/* Live polling (all optional, borrowed): */
	bool windowed;                 /* rates come from dw only (never from d) */
	const struct diff *dw;         /* rates over the rate window; NULL: not yet */
	const struct history *hist;    /* growth verdicts of the groups */
	const char *point_name;        /* what a history point is: "points", "GC cycles" */
	const struct snapshot *leak;   /* goroutineleak counts to join by stack */
	const struct symtab *syms;     /* names of the text's hidden PCs (goroutine) */
	double service_alloc_per_sec;  /* heap: MemStats TotalAlloc rate, < 0 unknown */
	double service_allocs_per_sec; /* heap: MemStats Mallocs rate, < 0 unknown */
	/* --tree: report_table prints the top-down call tree instead of the
	 * groups (max_rows: children per node), report_json adds it as "tree" */
	bool tree;
	/* a merged snapshot (merge.h): the name of each of its s->ntargets
	 * targets as given on the command line, for each group's "by_target"
	 * (JSON) and "by target" line (text); NULL: none */
	const char *const *targets;
};

/* One watched target's state for the top-level "targets" list. */
struct report_target {
	const char *url;   /* as given on the command line */
	bool ok;           /* its last poll succeeded */
	const char *error; /* why not (one line); "" or NULL when ok */
	double last_poll;  /* Unix time (seconds) of its last poll; 0: never */
	bool stale;        /* down, but its last data is still in the merge */
};

/* report_item_init: an item of s with diff d (may be NULL) and nothing
 * else known (service rates unknown). */
void report_item_init(struct report_item *it, const struct snapshot *s, const struct diff *d);

/* report_table: a human-readable table of it, largest first; at most
 * max_rows rows (0 = all). */
void report_table(FILE *out, const struct report_item *it, size_t max_rows);

/* report_json: {"profiles": {"<name>": {...}, ...}} for n items, the keys
 * documented in README ("JSON output"). max_rows 0 = all groups. */
void report_json(FILE *out, const struct report_item *items, size_t n, size_t max_rows);

/* report_json_targets: report_json with, when nt > 0, a top-level
 * "targets" list after "profiles": {"url", "ok", "error" (null when ok),
 * "last_poll" (Unix seconds, null: never), "stale"} per target, in t's
 * order. */
void report_json_targets(FILE *out, const struct report_item *items, size_t n, size_t max_rows,
                         const struct report_target *t, size_t nt);

/* report_targets_text: one line per target for the text report:
 * "target URL: ok" or "target URL: down: REASON" (", its last data kept in
 * the merge, stale" when stale). */
void report_targets_text(FILE *out, const struct report_target *t, size_t nt);

/* report_model_items: the items batch mode reports for a live model:
 * goroutine, goroutineleak, heap, allocs, block, mutex and the last CPU
 * window (cpu: Δ against the previous window, cpu_ns_per_sec) when known, with
 * their rate windows, verdicts, leak counts and (heap) MemStats and
 * service-wide rates. Fills at most max; returns how many. The items
 * borrow from m. */
size_t report_model_items(const struct model *m, struct report_item *items, size_t max);

/* report_growth: the growth gate. Writes to out every goroutine and heap
 * group that is growing or that goroutineleak proved leaked (the pprof
 * handler's own excepted), with its slope, leak count and stack, and
 * returns how many there are (0: nothing written). */
size_t report_growth(FILE *out, const struct model *m);

/* report_kind_name: the JSON profile key for a snapshot ("cpu" for CPU,
 * else its endpoint name). */
const char *report_kind_name(const struct snapshot *s);

#endif
