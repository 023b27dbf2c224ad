/* history.c - bounded per-group history (see history.h). */
#include "pproftop/history.h"

#include <stdlib.h>
#include <string.h>

#include "pproftop/xalloc.h"

void
history_init(struct history *h, unsigned evict_after)
{
	memset(h, 0, sizeof(*h));
	h->evict_after = evict_after ? evict_after : 1;
}

void
history_free(struct history *h)
{
	free(h->e);
	free(h->tab);
	memset(h, 0, sizeof(*h));
}

static void
rebuild(struct history *h)
{
	size_t size = 64;

	while (size < h->n * 2 + 2)
		size *= 2;
	free(h->tab);
	h->tab = xcalloc(size, sizeof(*h->tab));
	h->tabsize = size;
	for (size_t i = 0; i < h->n; i++) {
		size_t j = h->e[i].id & (size - 1);
		while (h->tab[j] != 0)
			j = (j + 1) & (size - 1);
		h->tab[j] = (uint32_t)(i + 1);
	}
}

static struct history_entry *
lookup(const struct history *h, uint64_t id)
{
	if (h->tabsize == 0)
		return NULL;
	size_t j = id & (h->tabsize - 1);
	while (h->tab[j] != 0) {
		struct history_entry *e = &h->e[h->tab[j] - 1];
		if (e->id == id)
			return e;
		j = (j + 1) & (h->tabsize - 1);
	}
	return NULL;
}

static void
append(struct history_entry *e, int64_t v)
{
	e->v[e->head] = v;
	e->head = (e->head + 1) % HISTORY_LEN;
	if (e->n < HISTORY_LEN)
		e->n++;
}

void
history_push(struct history *h, const struct snapshot *s, int vi)
{
	h->gen++;
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct group *g = &s->groups[i];
		struct history_entry *e = lookup(h, g->id);
		if (e == NULL) {
			if (h->n == h->cap) {
				h->cap = h->cap ? h->cap * 2 : 256;
				h->e = xreallocarray(h->e, h->cap, sizeof(*h->e));
			}
			e = &h->e[h->n++];
			memset(e, 0, sizeof(*e));
			e->id = g->id;
			if ((h->n + 1) * 2 > h->tabsize) {
				rebuild(h);
			} else {
				size_t j = g->id & (h->tabsize - 1);
				while (h->tab[j] != 0)
					j = (j + 1) & (h->tabsize - 1);
				h->tab[j] = (uint32_t)h->n;
			}
		}
		if (e->last_seen == h->gen)
			continue; /* duplicate id in one snapshot: keep the first */
		e->last_seen = h->gen;
		append(e, vi >= 0 && vi < s->nvalues ? g->values[vi] : 0);
	}
	/* absent groups: record a zero, evict the long gone */
	size_t w = 0;
	bool evicted = false;
	for (size_t i = 0; i < h->n; i++) {
		struct history_entry *e = &h->e[i];
		if (e->last_seen != h->gen) {
			if (h->gen - e->last_seen >= h->evict_after) {
				evicted = true;
				continue;
			}
			append(e, 0);
		}
		if (w != i)
			h->e[w] = *e;
		w++;
	}
	h->n = w;
	if (evicted)
		rebuild(h);
}

size_t
history_get(const struct history *h, uint64_t id, int64_t *out, size_t max)
{
	const struct history_entry *e = lookup(h, id);

	if (e == NULL)
		return 0;
	size_t n = e->n < max ? e->n : max;
	size_t start = (e->head + HISTORY_LEN - n) % HISTORY_LEN;
	for (size_t i = 0; i < n; i++)
		out[i] = e->v[(start + i) % HISTORY_LEN];
	return n;
}

bool
series_growing(const int64_t *v, size_t n)
{
	if (n < HISTORY_MIN_GROWING)
		return false;
	size_t w = n < HISTORY_WINDOW ? n : HISTORY_WINDOW;
	const int64_t *x = v + (n - w);
	size_t rises = 0;

	for (size_t i = 1; i < w; i++) {
		if (x[i] < x[i - 1])
			return false;
		if (x[i] > x[i - 1])
			rises++;
	}
	/* "at least half of the steps", rounded down: a leak every other poll
	 * rises in 3 of the 7 steps of a full window when the window starts
	 * just after a rise. At least two rises: one step up is "grew once". */
	return x[w - 1] > x[0] && rises >= 2 && rises * 2 + 1 >= w - 1;
}

bool
history_growing(const struct history *h, uint64_t id)
{
	int64_t v[HISTORY_LEN];
	size_t n = history_get(h, id, v, HISTORY_LEN);

	return series_growing(v, n);
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
