/* report.h - text tables and JSON documents of snapshots and diffs.
 *
 * Used by --batch, --json and the plain-text report written with each saved
 * snapshot. Output goes to a stdio stream; nothing here touches a terminal.
 */
#ifndef PPROFTOP_REPORT_H
#define PPROFTOP_REPORT_H

#include <stdio.h>

#include "pproftop/diff.h"
#include "pproftop/profile.h"

/* One profile to report: its newest snapshot and, optionally, the diff
 * against an older one (d->now must be s). */
struct report_item {
	const struct snapshot *s;
	const struct diff *d;            /* NULL: no Δ columns */
	const struct snapshot *memstats; /* NULL, or a heap debug=1 snapshot whose
	                                  * MemStats are reported with this item */
};

/* report_table: a human-readable table of it, largest first; at most
 * max_rows rows (0 = all). */
void report_table(FILE *out, const struct report_item *it, size_t max_rows);

/* report_json: {"profiles": {"<name>": {...}, ...}} for n items, the keys
 * documented in README ("JSON output"). max_rows 0 = all groups. */
void report_json(FILE *out, const struct report_item *items, size_t n, size_t max_rows);

/* report_json_string: s as a JSON string literal (quotes included); control
 * bytes and invalid UTF-8 are escaped. */
void report_json_string(FILE *out, const char *s);

/* report_kind_name: the JSON profile key for a snapshot ("cpu" for CPU,
 * else its endpoint name). */
const char *report_kind_name(const struct snapshot *s);

#endif
