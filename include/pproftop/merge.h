/* merge.h - one snapshot of a profile from the snapshots of several targets.
 *
 * Replicas of one binary give the same group ids (the ids hash the
 * normalized stack, profile.c), so merging is by id: a merged group is the
 * stack's group on every target that has it, its values summed
 * (value_sat_add), with each target's primary value kept in by_target.
 * Pure: no terminal, loop or network here.
 */
#ifndef PPROFTOP_MERGE_H
#define PPROFTOP_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "pproftop/model.h"
#include "pproftop/profile.h"
#include "pproftop/symtab.h"

/* merge_snapshots: a new snapshot (refs 1, caller frees with
 * snapshot_free) merging in[0..n), one per target in the targets' order;
 * in[i] may be NULL (that target has no data for this profile). Nothing of
 * the inputs is borrowed: frames, labels and states are copied into the
 * merged snapshot's arena, so the inputs may be freed at once.
 *   - The first non-NULL input gives the kind, format, value types and
 *     period; an input of another kind or other value types is left out
 *     as if NULL. present[i] says which inputs were merged; ntargets = n.
 *   - Groups are merged by id: values, nsamples, label and state counts,
 *     locked and leaked goroutines add up; the longest wait, elided,
 *     created_by and the hidden frames come from the first input that has
 *     the group. Goroutine ids are dropped (one process's ids mean nothing
 *     next to another's). by_target[i] is the group's values[primary] on
 *     in[i] (0 where absent). Sorted and indexed like any snapshot
 *     (snapshot_find works), totals the groups' sums.
 *   - Self footprint (self_groups, self_values), header_total (when every
 *     input has one), ngoroutines add up; truncated if any input was;
 *     time_ns and duration_ns are the latest and longest.
 *   - MemStats: the replicas' scalar values add up (HeapAlloc, Sys, NumGC,
 *     TotalAlloc, ... of the fleet), except LastGC (the latest) and
 *     GCCPUFraction (the highest); arrays (PauseNs, PauseEnd, BySize) and
 *     booleans come from the first input that has them. Only a name every
 *     merged input has is kept.
 * n must be at least 1; returns NULL when every input is NULL (or n is 0). */
struct snapshot *merge_snapshots(const struct snapshot *const *in, size_t n);

/* merge_snapshots_named: merge_snapshots, where syms[i] (syms or syms[i]
 * may be NULL) names the hidden PCs of in[i]'s debug=1 goroutine groups
 * (symtab.h): a group whose PCs it all names gets them as hidden frames,
 * as a protobuf's, since the merged model has no symtab of its own. */
struct snapshot *merge_snapshots_named(const struct snapshot *const *in,
                                       const struct symtab *const *syms, size_t n);

/* merge_present: whether target i had data in merged snapshot s (false
 * for i out of range; true for a snapshot that is not merged and i = 0). */
bool merge_present(const struct snapshot *s, size_t i);

/* The merged model's bookkeeping: what each target's endpoints were at the
 * last merge. */
struct merge_state {
	uint64_t *seen;  /* [e * n + i]: target i's ep[e].polls at the last merge */
	size_t n;        /* targets */
	uint64_t merges; /* merge_update calls that merged something */
};

/* merge_state_init: for n targets, nothing merged yet. */
void merge_state_init(struct merge_state *st, size_t n);

/* merge_state_free: releases st. */
void merge_state_free(struct merge_state *st);

/* merge_update: one merge step at poll-clock time now: every endpoint (but
 * the index) of which some target of in[0..st->n) has a good poll the last
 * step did not see is merged anew from the targets' cur snapshots
 * (merge_snapshots; a target that is down keeps its last cur, so its last
 * data stays in the merge) and ingested into merged
 * (model_ingest_snapshot), MemStats first. The merged endpoint is missing
 * (no_records) when every target's is, its latency the worst target's,
 * its bytes the sum. CPU windows are merged a round at a time: once every
 * target whose last CPU window did not fail has a new one (the
 * merged window's cores are the targets' summed; the windows are equally
 * long, max(5 s, interval)). Returns how many endpoints were merged anew. */
size_t merge_update(struct merge_state *st, struct model *merged, const struct model *const *in,
                    double now);

#endif
