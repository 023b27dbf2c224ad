/* history.h - bounded per-group (time, value) history and the growth verdict.
 *
 * Memory is bounded: each group keeps the last HISTORY_LEN points, and a
 * group absent from evict_after consecutive pushes is forgotten. A group
 * whose value has not changed holds that one value (about 130 bytes in
 * all); its ring of points is allocated when the value first changes. Points are
 * shared by all groups (one time per point); a group absent from a push
 * gets 0 for that point. A push closer than window / HISTORY_LEN seconds to
 * the start of the newest point replaces that point's value and time, so
 * the points always cover the verdict window however fast the polls come.
 *
 * After each push every group is judged over the last `window` seconds by
 * trend_judge (trend.h): growing or not, its slope, and why.
 */
#ifndef PPROFTOP_HISTORY_H
#define PPROFTOP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pproftop/profile.h"
#include "pproftop/trend.h"

#define HISTORY_LEN 64
#define HISTORY_WINDOW_DEFAULT 60.0 /* seconds: --window */

struct history_entry {
	uint64_t id;
	uint64_t first;      /* number of the group's first point */
	uint64_t last_seen;  /* push generation it was last present in */
	uint64_t changed;    /* the last point whose value differs from the one before */
	uint64_t last_point; /* the point last written */
	struct trend_verdict verdict;
	int64_t flat; /* the value of every point while v is NULL */
	int64_t *v;   /* HISTORY_LEN values by point number % HISTORY_LEN, or NULL */
};

struct history {
	struct history_entry *e; /* dense array */
	size_t n, cap;
	uint32_t *tab; /* open addressing: index + 1 into e, 0 = empty */
	size_t tabsize;
	uint64_t gen;     /* pushes */
	uint64_t npoints; /* points stored so far; point k lives at k % HISTORY_LEN */
	double t[HISTORY_LEN];
	double slot_start; /* time of the first push into the newest point */
	double window;     /* verdict window, seconds */
	double cover;      /* share of the window to cover before judging */
	bool judged;       /* judge the groups at every push (history_set_judged) */
	unsigned evict_after;
};

/* history_init: empty history; groups absent for evict_after pushes are
 * dropped; the verdict window is HISTORY_WINDOW_DEFAULT. */
void history_init(struct history *h, unsigned evict_after);

/* history_set_cover: the share of the window (0 < cover <= 1; default
 * TREND_COVER) the points must span before a group is judged. */
void history_set_cover(struct history *h, double cover);

/* history_set_window: the verdict window in seconds (> 0); applies from the
 * next push. */
void history_set_window(struct history *h, double window);

/* history_copy: dst becomes an independent copy of src (a paused view's);
 * free both with history_free. */
void history_copy(struct history *dst, const struct history *src);

/* history_free: releases everything; h may be re-initialized. */
void history_free(struct history *h);

/* history_set_judged: whether pushes judge every group (off by default:
 * only histories whose verdicts are shown need the work). */
void history_set_judged(struct history *h, bool judged);

/* history_push: the point at time t (seconds, not before the previous
 * push): values[vi] of every group of s; groups remembered but absent from s
 * get 0. Then, when judged, judges every group over the window ending at
 * t (without the O(n^2) slope for groups that fail the O(n) tests). */
void history_push(struct history *h, const struct snapshot *s, int vi, double t);

/* history_push_ids: history_push for series that are not a snapshot's
 * groups (the nodes of a call tree): the value of ids[i] is values[i]. */
void history_push_ids(struct history *h, const uint64_t *ids, const int64_t *values, size_t n,
                      double t);

/* history_get: copies up to max values of id into out, oldest first; returns
 * how many (0 for an unknown id). */
size_t history_get(const struct history *h, uint64_t id, int64_t *out, size_t max);

/* history_points: like history_get, with each value's time in t. */
size_t history_points(const struct history *h, uint64_t id, double *t, int64_t *out, size_t max);

/* history_verdict: the group's verdict as of the last push, or NULL for an
 * unknown id or a history that is not judged. Valid until the next push or
 * free. */
const struct trend_verdict *history_verdict(const struct history *h, uint64_t id);

/* history_judge: the full verdict of id now (with its slope whenever there
 * is enough data), into *out; false for an unknown id. */
bool history_judge(const struct history *h, uint64_t id, struct trend_verdict *out);

/* history_growing: history_verdict says growing. */
bool history_growing(const struct history *h, uint64_t id);

/* history_last_time: time of the newest point (0 when none). */
double history_last_time(const struct history *h);

/* A ring of doubles for header meters (goroutine total, HeapAlloc, ...). */
struct series {
	double v[HISTORY_LEN];
	uint32_t n, head;
};

void series_push(struct series *s, double v);
/* series_get: up to max values, oldest first. */
size_t series_get(const struct series *s, double *out, size_t max);

#endif
