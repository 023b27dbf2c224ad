/* diff.h - compare two snapshots of the same profile.
 *
 * Gauges (goroutine counts, inuse_*) are differenced as levels; cumulative
 * counters (alloc_*, contentions, delay, threadcreate) as rates. When a
 * cumulative total drops, the target restarted: the diff says so, reports
 * zero deltas and rates, and the caller should take the new snapshot as its
 * baseline.
 */
#ifndef PPROFTOP_DIFF_H
#define PPROFTOP_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pproftop/profile.h"

enum {
	DIFF_NEW = 1,  /* group absent from the old snapshot */
	DIFF_GONE = 2, /* group absent from the new snapshot */
};

/* One group of either snapshot. Its value now and its rate are not stored
 * (a diff of 20,000 groups is held twice per profile): read them with
 * diff_row_value() and diff_row_rate(). */
struct diff_row {
	uint64_t id;
	const struct group *now;        /* NULL when gone */
	const struct group *old;        /* NULL when new */
	int64_t delta[PROF_MAX_VALUES]; /* now - old (0 when the target restarted) */
	unsigned flags;
};

struct diff {
	const struct snapshot *now, *old; /* borrowed: must outlive the diff */
	struct diff_row *rows;            /* groups of now (in now's order), then gone ones */
	size_t nrows;
	double dt;      /* seconds between the snapshots; 0 when unknown */
	bool restarted; /* a cumulative total dropped: deltas are zero */
	int64_t total_delta[PROF_MAX_VALUES];
	double total_per_sec[PROF_MAX_VALUES];
	size_t nnew, ngone;
	uint32_t *tab; /* id -> row index + 1, open addressing (diff_find) */
	size_t tabsize;
};

/* diff_row_value: value v of r's group now; 0 when it is gone. */
static inline int64_t
diff_row_value(const struct diff_row *r, int v)
{
	return r->now != NULL ? r->now->values[v] : 0;
}

/* diff_row_rate: r's delta of value v per second of d; 0 when d's dt is
 * unknown. */
static inline double
diff_row_rate(const struct diff *d, const struct diff_row *r, int v)
{
	return d->dt > 0 ? (double)r->delta[v] / d->dt : 0;
}

/* diff_compute: fill d with now compared to old (same kind and value types,
 * else -1). dt_override > 0 replaces the snapshots' own times (the live app
 * passes its poll clock); otherwise dt comes from time_ns when both are set.
 * The diff borrows both snapshots; free with diff_free. */
int diff_compute(struct diff *d, const struct snapshot *old, const struct snapshot *now,
                 double dt_override);

/* diff_mark_restarted: the target is known to have restarted between the two
 * snapshots (another profile saw its counters drop): deltas and rates become
 * zero, no row is new, the old snapshot's gone rows are dropped, and
 * restarted is set, as diff_compute does when it sees it itself. */
void diff_mark_restarted(struct diff *d);

/* diff_free: releases the rows; the snapshots are not touched. */
void diff_free(struct diff *d);

/* diff_find: the row for a group id (the first one), or NULL; O(1). */
const struct diff_row *diff_find(const struct diff *d, uint64_t id);

#endif
