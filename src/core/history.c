/* history.c - bounded per-group history (see history.h). */
#include "pproftop/history.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/idtab.h"
#include "pproftop/xalloc.h"

void
history_init(struct history *h, unsigned evict_after)
{
	memset(h, 0, sizeof(*h));
	h->evict_after = evict_after ? evict_after : 1;
	h->window = HISTORY_WINDOW_DEFAULT;
	h->cover = TREND_COVER;
}

void
history_set_cover(struct history *h, double cover)
{
	if (cover > 0 && cover <= 1)
		h->cover = cover;
}

void
history_set_judged(struct history *h, bool judged)
{
	h->judged = judged;
}

void
history_set_window(struct history *h, double window)
{
	if (window > 0)
		h->window = window;
}

_Static_assert(offsetof(struct history_entry, id) == 0, "idtab reads the id first");

void
history_free(struct history *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->e[i].v);
	free(h->e);
	free(h->tab);
	memset(h, 0, sizeof(*h));
}

void
history_copy(struct history *dst, const struct history *src)
{
	*dst = *src;
	dst->e = xreallocarray(NULL, src->cap ? src->cap : 1, sizeof(*src->e));
	if (src->n)
		memcpy(dst->e, src->e, src->n * sizeof(*src->e));
	for (size_t i = 0; i < src->n; i++)
		if (src->e[i].v != NULL) {
			dst->e[i].v = xreallocarray(NULL, HISTORY_LEN, sizeof(*src->e[i].v));
			memcpy(dst->e[i].v, src->e[i].v, HISTORY_LEN * sizeof(*src->e[i].v));
		}
	dst->tab = xreallocarray(NULL, src->tabsize ? src->tabsize : 1, sizeof(*src->tab));
	if (src->tabsize)
		memcpy(dst->tab, src->tab, src->tabsize * sizeof(*src->tab));
}

/* Indexes the entries again (after evictions moved them). */
static void
rebuild(struct history *h)
{
	free(h->tab);
	h->tab = NULL;
	h->tabsize = 0;
	idtab_reserve(&h->tab, &h->tabsize, h->e, sizeof(*h->e), h->n, h->n + 1, 64);
}

static struct history_entry *
lookup(const struct history *h, uint64_t id)
{
	size_t i = idtab_find(h->tab, h->tabsize, h->e, sizeof(*h->e), id);

	return i == IDTAB_NONE ? NULL : &h->e[i];
}

static size_t
entry_count(const struct history *h, const struct history_entry *e)
{
	uint64_t n = h->npoints - e->first;

	return n < HISTORY_LEN ? (size_t)n : HISTORY_LEN;
}

/* The value of point k (first <= k <= last_point). */
static int64_t
value_at(const struct history_entry *e, uint64_t k)
{
	return e->v != NULL ? e->v[k % HISTORY_LEN] : e->flat;
}

/* Stores the value of point k; a value unlike the one of point k - 1 (or
 * a second value for the same point) marks a change. The first change
 * gives the entry its ring, the points before it holding the flat value. */
static void
set_value(struct history_entry *e, uint64_t k, int64_t v)
{
	if (k > e->first && value_at(e, k - 1) != v)
		e->changed = k;
	if (k == e->last_point && value_at(e, k) != v)
		e->changed = k;
	if (e->v == NULL) {
		if (k == e->first || v == e->flat) {
			e->flat = v; /* the only point, or the same value again */
			e->last_point = k;
			return;
		}
		e->v = xreallocarray(NULL, HISTORY_LEN, sizeof(*e->v));
		for (size_t i = 0; i < HISTORY_LEN; i++)
			e->v[i] = e->flat;
	}
	e->v[k % HISTORY_LEN] = v;
	e->last_point = k;
}

/* Flat over every point it holds and already judged flat: the verdict
 * cannot change (most groups of a large service, answered in O(1)). */
static bool
still_flat(const struct history *h, const struct history_entry *e)
{
	const struct trend_verdict *v = &e->verdict;

	return e->changed <= h->npoints - entry_count(h, e) && v->why == TREND_NOT_RISING &&
	       v->has_slope && v->slope == 0;
}

static void
judge(const struct history *h, const struct history_entry *e, double now, bool want_slope,
      struct trend_verdict *out)
{
	double t[HISTORY_LEN], v[HISTORY_LEN];
	size_t n = entry_count(h, e);
	uint64_t k0 = h->npoints - n;

	for (size_t i = 0; i < n; i++) {
		t[i] = h->t[(k0 + i) % HISTORY_LEN];
		v[i] = (double)value_at(e, k0 + i);
	}
	trend_judge(t, v, n, now, h->window, h->cover, want_slope, out);
}

/* The point a push at time t writes: a new one, or the newest one again
 * when this push is too close to it. */
static uint64_t
push_begin(struct history *h, double t)
{
	if (h->npoints == 0 || t - h->slot_start >= h->window / HISTORY_LEN) {
		h->npoints++;
		h->slot_start = t;
	}
	uint64_t k = h->npoints - 1;
	h->t[k % HISTORY_LEN] = t;
	h->gen++;
	return k;
}

/* The value of id at point k (a repeated id keeps its first value). */
static void
push_value(struct history *h, uint64_t k, uint64_t id, int64_t v)
{
	struct history_entry *e = lookup(h, id);
	if (e == NULL) {
		if (h->n == h->cap) {
			h->cap = h->cap ? h->cap * 2 : 256;
			h->e = xreallocarray(h->e, h->cap, sizeof(*h->e));
		}
		idtab_reserve(&h->tab, &h->tabsize, h->e, sizeof(*h->e), h->n, h->n + 1, 64);
		e = &h->e[h->n];
		memset(e, 0, sizeof(*e));
		e->id = id;
		e->first = k;
		idtab_put(h->tab, h->tabsize, h->e, sizeof(*h->e), h->n++);
	}
	if (e->last_seen == h->gen)
		return; /* duplicate id in one push: keep the first */
	e->last_seen = h->gen;
	set_value(e, k, v);
}

/* Absent ids: record a zero, evict the long gone; judge the rest. */
static void
push_end(struct history *h, uint64_t k, double t)
{
	size_t w = 0;
	bool evicted = false;
	for (size_t i = 0; i < h->n; i++) {
		struct history_entry *e = &h->e[i];
		if (e->last_seen != h->gen) {
			if (h->gen - e->last_seen >= h->evict_after) {
				evicted = true;
				free(e->v);
				continue;
			}
			set_value(e, k, 0);
		}
		if (h->judged && !still_flat(h, e))
			judge(h, e, t, false, &e->verdict);
		if (w != i)
			h->e[w] = *e;
		w++;
	}
	h->n = w;
	/* the doubling's slack given back: 20,000 groups hold 22,500 entries,
	 * not 32,768 (entries are reached by index, never kept by pointer) */
	if (h->cap - h->n > h->n / 4 + 256) {
		h->cap = h->n + h->n / 8 + 1;
		h->e = xreallocarray(h->e, h->cap, sizeof(*h->e));
	}
	if (evicted)
		rebuild(h);
}

void
history_push(struct history *h, const struct snapshot *s, int vi, double t)
{
	uint64_t k = push_begin(h, t);

	for (size_t i = 0; i < s->ngroups; i++) {
		const struct group *g = &s->groups[i];
		push_value(h, k, g->id, vi >= 0 && vi < s->nvalues ? g->values[vi] : 0);
	}
	push_end(h, k, t);
}

void
history_push_ids(struct history *h, const uint64_t *ids, const int64_t *values, size_t n, double t)
{
	uint64_t k = push_begin(h, t);

	for (size_t i = 0; i < n; i++)
		push_value(h, k, ids[i], values[i]);
	push_end(h, k, t);
}

size_t
history_points(const struct history *h, uint64_t id, double *t, int64_t *out, size_t max)
{
	const struct history_entry *e = lookup(h, id);

	if (e == NULL)
		return 0;
	size_t n = entry_count(h, e);
	n = n < max ? n : max;
	uint64_t k0 = h->npoints - n;
	for (size_t i = 0; i < n; i++) {
		if (t != NULL)
			t[i] = h->t[(k0 + i) % HISTORY_LEN];
		out[i] = value_at(e, k0 + i);
	}
	return n;
}

size_t
history_get(const struct history *h, uint64_t id, int64_t *out, size_t max)
{
	return history_points(h, id, NULL, out, max);
}

const struct trend_verdict *
history_verdict(const struct history *h, uint64_t id)
{
	const struct history_entry *e = h->judged ? lookup(h, id) : NULL;

	return e != NULL ? &e->verdict : NULL;
}

bool
history_judge(const struct history *h, uint64_t id, struct trend_verdict *out)
{
	const struct history_entry *e = lookup(h, id);

	if (e == NULL)
		return false;
	judge(h, e, history_last_time(h), true, out);
	return true;
}

bool
history_growing(const struct history *h, uint64_t id)
{
	const struct trend_verdict *v = history_verdict(h, id);

	return v != NULL && v->growing;
}

double
history_last_time(const struct history *h)
{
	return h->npoints ? h->t[(h->npoints - 1) % HISTORY_LEN] : 0;
}

void
series_push(struct series *s, double v)
{
	s->v[s->head] = v;
	s->head = (s->head + 1) % HISTORY_LEN;
	if (s->n < HISTORY_LEN)
		s->n++;
}

size_t
series_get(const struct series *s, double *out, size_t max)
{
	size_t n = s->n < max ? s->n : max;
	size_t start = (s->head + HISTORY_LEN - n) % HISTORY_LEN;

	for (size_t i = 0; i < n; i++)
		out[i] = s->v[(start + i) % HISTORY_LEN];
	return n;
}
