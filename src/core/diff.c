/* diff.c - compare two snapshots (see diff.h). */
#include "pproftop/diff.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/idtab.h"
#include "pproftop/xalloc.h"

/* a - b without overflow (values can be anything a hostile target sends) */
static int64_t
sat_sub(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static bool
same_types(const struct snapshot *a, const struct snapshot *b)
{
	/* same value keys is not enough: goroutine (a gauge) and threadcreate
	 * (a counter) both have "count"; block and mutex share theirs */
	if (a->kind != b->kind || a->nvalues != b->nvalues)
		return false;
	if (a->kind == PROF_CUSTOM && strcmp(a->name, b->name) != 0)
		return false;
	for (int i = 0; i < a->nvalues; i++)
		if (strcmp(a->vt[i].key, b->vt[i].key) != 0)
			return false;
	return true;
}

/* The id index of diff_find. */
static void
index_rows(struct diff *d)
{
	_Static_assert(offsetof(struct diff_row, id) == 0, "idtab reads the id first");
	d->tabsize = idtab_size(d->nrows);
	d->tab = xcalloc(d->tabsize, sizeof(*d->tab));
	idtab_fill(d->tab, d->tabsize, d->rows, sizeof(*d->rows), d->nrows);
}

int
diff_compute(struct diff *d, const struct snapshot *old, const struct snapshot *now,
             double dt_override)
{
	memset(d, 0, sizeof(*d));
	if (old == NULL || now == NULL || !same_types(old, now))
		return -1;
	d->now = now;
	d->old = old;
	if (dt_override > 0)
		d->dt = dt_override;
	else if (now->time_ns > 0 && old->time_ns > 0 && now->time_ns > old->time_ns)
		d->dt = (double)(now->time_ns - old->time_ns) / 1e9;

	int nv = now->nvalues;
	for (int v = 0; v < nv; v++)
		if (now->vt[v].cumulative && now->totals[v] < old->totals[v])
			d->restarted = true;

	d->rows = xcalloc(now->ngroups + old->ngroups + 1, sizeof(*d->rows));
	for (size_t i = 0; i < now->ngroups; i++) {
		const struct group *g = &now->groups[i];
		struct diff_row *r = &d->rows[d->nrows++];
		r->id = g->id;
		r->now = g;
		r->old = snapshot_find(old, g->id);
		if (r->old == NULL) {
			r->flags |= DIFF_NEW;
			d->nnew++;
		}
		for (int v = 0; v < nv; v++)
			r->delta[v] = sat_sub(g->values[v], r->old ? r->old->values[v] : 0);
	}
	for (size_t i = 0; i < old->ngroups; i++) {
		const struct group *g = &old->groups[i];
		if (snapshot_find(now, g->id) != NULL)
			continue;
		struct diff_row *r = &d->rows[d->nrows++];
		r->id = g->id;
		r->old = g;
		r->flags = DIFF_GONE;
		d->ngone++;
		for (int v = 0; v < nv; v++)
			r->delta[v] = sat_sub(0, g->values[v]);
	}
	/* room was made for every old group gone: cut it to the rows */
	if (d->nrows < now->ngroups + old->ngroups)
		d->rows = xreallocarray(d->rows, d->nrows + 1, sizeof(*d->rows));

	for (int v = 0; v < nv; v++) {
		d->total_delta[v] = sat_sub(now->totals[v], old->totals[v]);
		d->total_per_sec[v] = d->dt > 0 ? (double)d->total_delta[v] / d->dt : 0;
	}
	if (d->restarted)
		diff_mark_restarted(d);
	else
		index_rows(d);
	return 0;
}

void
diff_mark_restarted(struct diff *d)
{
	d->restarted = true;
	/* a new process: none of its groups is new and none of the old one's
	 * gone, it is all another program's (the gone rows are the last) */
	d->nrows -= d->ngone;
	d->nnew = d->ngone = 0;
	for (size_t i = 0; i < d->nrows; i++) {
		d->rows[i].flags &= ~(unsigned)DIFF_NEW;
		memset(d->rows[i].delta, 0, sizeof(d->rows[i].delta));
	}
	memset(d->total_delta, 0, sizeof(d->total_delta));
	memset(d->total_per_sec, 0, sizeof(d->total_per_sec));
	free(d->tab);
	index_rows(d);
}

void
diff_free(struct diff *d)
{
	free(d->rows);
	free(d->tab);
	memset(d, 0, sizeof(*d));
}

const struct diff_row *
diff_find(const struct diff *d, uint64_t id)
{
	size_t i = idtab_find(d->tab, d->tabsize, d->rows, sizeof(*d->rows), id);

	return i != IDTAB_NONE ? &d->rows[i] : NULL;
}
