/* history.h - bounded per-group value history and the "keeps growing" verdict.
 *
 * Memory is bounded: each group keeps the last HISTORY_LEN values, and a
 * group absent from evict_after consecutive pushes is forgotten.
 *
 * Verdict "keeps growing" (history_growing): with at least
 * HISTORY_MIN_GROWING values, over the last up to HISTORY_WINDOW values the
 * series never decreases, ends higher than it starts, and rises at least
 * twice and in at least half (rounded down) of the steps. A leak that adds a goroutine every poll
 * or every other poll qualifies; a level that wobbles up and down, or grew once and is flat since,
 * does not.
 */
#ifndef PPROFTOP_HISTORY_H
#define PPROFTOP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pproftop/profile.h"

#define HISTORY_LEN 60
#define HISTORY_WINDOW 8
#define HISTORY_MIN_GROWING 4

struct history_entry {
	uint64_t id;
	uint32_t n;    /* values stored, <= HISTORY_LEN */
	uint32_t head; /* index of the next write */
	uint64_t last_seen;
	int64_t v[HISTORY_LEN];
};

struct history {
	struct history_entry *e; /* dense array */
	size_t n, cap;
	uint32_t *tab; /* open addressing: index + 1 into e, 0 = empty */
	size_t tabsize;
	uint64_t gen;
	unsigned evict_after;
};

/* history_init: empty history; groups absent for evict_after pushes are dropped. */
void history_init(struct history *h, unsigned evict_after);

/* history_free: releases everything; h may be re-initialized. */
void history_free(struct history *h);

/* history_push: appends values[vi] of every group of s; groups remembered but
 * absent from s get 0 appended. */
void history_push(struct history *h, const struct snapshot *s, int vi);

/* history_get: copies up to max values of id into out, oldest first; returns
 * how many (0 for an unknown id). */
size_t history_get(const struct history *h, uint64_t id, int64_t *out, size_t max);

/* history_growing: the documented verdict above. */
bool history_growing(const struct history *h, uint64_t id);

/* series_growing: the same verdict over a plain array (oldest first). */
bool series_growing(const int64_t *v, size_t n);

/* A ring of doubles for header meters (goroutine total, HeapAlloc, ...). */
struct series {
	double v[HISTORY_LEN];
	uint32_t n, head;
};

void series_push(struct series *s, double v);
/* series_get: up to max values, oldest first. */
size_t series_get(const struct series *s, double *out, size_t max);

#endif
