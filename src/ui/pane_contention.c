/* pane_contention.c - block and mutex profiles in one table (column K: B or
 * M): delay per second and contentions per second over the rate window
 * (model.h: between 10 and 20 s, so one quiet poll does not read 0), and
 * the totals since the target started. An empty or disabled
 * profile is explained, with the call that enables it. */
#include <string.h>

#include "pane.h"
#include "pproftop/format.h"
#include "pproftop/sched.h"

enum { C_DELAYS, C_CONTS, C_DELAY, C_CONT, NCOLS };

static const struct column cols[NCOLS] = {
	[C_DELAYS] = { "DELAY/s", "DELAY/s", 11, "nanoseconds", CS_RATE, 0, false },
	[C_CONTS] = { "CONT/s", "CONT/s", 9, "count", CS_RATE, 0, false },
	[C_DELAY] = { "DELAY", "DELAY", 9, "nanoseconds", CS_PLAIN, 0, false },
	[C_CONT] = { "CONT", "CONT", 7, "count", CS_PLAIN, 0, false },
};

static const struct {
	enum ep_id ep;
	char tag;
	const char *name;
	const char *enable;
} kinds[2] = {
	{ EP_BLOCK, 'B', "block", "runtime.SetBlockProfileRate(1)" },
	{ EP_MUTEX, 'M', "mutex", "runtime.SetMutexProfileFraction(5)" },
};

static bool
empty(const struct snapshot *s)
{
	return s->ngroups == 0 || s->profiling_disabled;
}

static void
add_kind(const struct pane_ctx *cx, struct pane *p, int k)
{
	const struct view_ep *ve = &cx->view->ep[kinds[k].ep];
	if (ve->cur == NULL)
		return;
	int ci = snapshot_value_index(ve->cur, "contentions");
	int di = snapshot_value_index(ve->cur, "delay_ns");
	if (ci < 0 || di < 0)
		return;
	size_t n = ve->d ? ve->d->nrows : ve->cur->ngroups;
	table_reserve(p, n);
	for (size_t i = 0; i < n; i++) {
		struct row *r = table_add(p);
		if (ve->d != NULL) {
			const struct diff_row *dr = &ve->d->rows[i];
			r->id = dr->id;
			r->g = dr->now ? dr->now : dr->old;
			r->snap = dr->now ? ve->d->now : ve->d->old;
			r->flags = dr->flags;
			r->v[C_DELAY] = (double)diff_row_value(dr, di);
			r->v[C_CONT] = (double)diff_row_value(dr, ci);
			r->known = 1u << C_DELAY | 1u << C_CONT;
		} else {
			const struct group *g = &ve->cur->groups[i];
			r->id = g->id;
			r->g = g;
			r->snap = ve->cur;
			r->v[C_DELAY] = (double)g->values[di];
			r->v[C_CONT] = (double)g->values[ci];
			r->known = 1u << C_DELAY | 1u << C_CONT;
		}
		r->ep = kinds[k].ep;
		r->tag = kinds[k].tag;
		/* a counter never goes down: a gone stack has no rate */
		const struct diff_row *w = ve->dw != NULL ? diff_find(ve->dw, r->id) : NULL;
		if (ve->dw != NULL && !(r->flags & DIFF_GONE) &&
		    (w == NULL || !(w->flags & DIFF_GONE))) {
			r->v[C_DELAYS] = w != NULL ? diff_row_rate(ve->dw, w, di) : 0;
			r->v[C_CONTS] = w != NULL ? diff_row_rate(ve->dw, w, ci) : 0;
			r->known |= 1u << C_DELAYS | 1u << C_CONTS;
		}
	}
}

static void
rows(const struct pane_ctx *cx, struct pane *p)
{
	add_kind(cx, p, 0);
	add_kind(cx, p, 1);
}

static void
info(const struct pane_ctx *cx, struct pane *p)
{
	char a[32], b[32], c[32], d[32];

	for (int k = 0; k < 2; k++) {
		const struct view_ep *ve = &cx->view->ep[kinds[k].ep];
		if (cx->m->ep[kinds[k].ep].no_records && ve->cur == NULL) {
			pane_add_info(
			    p, R_WARN,
			    "%s: not fetched while the index counts no records: profiling "
			    "is off unless the target calls %s (the index is read again "
			    "every %d polls)",
			    kinds[k].name, kinds[k].enable, SCHED_INDEX_EVERY);
			continue;
		}
		if (pane_no_data(cx, p, kinds[k].ep, kinds[k].name))
			continue;
		const struct snapshot *s = ve->cur;
		if (empty(s)) {
			pane_add_info(
			    p, R_WARN,
			    "%s profile is empty: profiling is off unless the target calls "
			    "%s",
			    kinds[k].name, kinds[k].enable);
			continue;
		}
		if (snapshot_scaling_note(s) != NULL)
			pane_add_info(p, s->scaling == SCALING_ASSUMED ? R_WARN : R_DIM, "%s",
			              snapshot_scaling_note(s));
		int ci = snapshot_value_index(s, "contentions");
		int di = snapshot_value_index(s, "delay_ns");
		if (ci < 0 || di < 0)
			continue;
		if (ve->dw != NULL && ve->dw->dt > 0)
			pane_add_info(
			    p, R_INFO,
			    "%s: %zu stacks, %s delay, %s contentions over the last %s; total %s",
			    kinds[k].name, s->ngroups,
			    fmt_rate(a, sizeof(a), ve->dw->total_per_sec[di], "nanoseconds"),
			    fmt_rate(b, sizeof(b), ve->dw->total_per_sec[ci], "count"),
			    fmt_age(d, sizeof(d), ve->dw->dt),
			    fmt_ns(c, sizeof(c), (double)s->totals[di]));
		else
			pane_add_info(
			    p, R_INFO, "%s: %zu stacks, total %s delay (rates after the next poll)",
			    kinds[k].name, s->ngroups, fmt_ns(c, sizeof(c), (double)s->totals[di]));
	}
	/* two short lines: one long one was cut at 150 columns */
	pane_add_info(p, R_DIM,
	              "K: B block (time goroutines waited), M mutex (time an Unlock kept others "
	              "waiting)");
	pane_add_info(p, R_DIM,
	              "a wait is recorded when it ends: goroutines still stuck are in the "
	              "Goroutines pane");
}

/* Per-poll increase of the cumulative delay. */
static size_t
trend(const struct pane_ctx *cx, const struct row *r, double *out, size_t max)
{
	int64_t v[HISTORY_LEN];
	size_t n = history_get(cx->view->ep[r->ep].hist, r->id, v, HISTORY_LEN);

	if (n < 2)
		return 0;
	size_t k = 0;
	for (size_t i = 1; i < n && k < max; i++)
		out[k++] = v[i] > v[i - 1] ? (double)(v[i] - v[i - 1]) : 0;
	return k;
}

static const enum ep_id tree_eps[] = { EP_BLOCK, EP_MUTEX };
/* the tree has no rates: a rate reads as the change since the last poll */
static const int tree_sort[NCOLS] = {
	[C_DELAYS] = TC_DPOLL,
	[C_CONTS] = TC_DPOLL,
	[C_DELAY] = TC_CUM,
	[C_CONT] = TC_CUM,
};

static const enum ep_id deps[] = { EP_BLOCK, EP_MUTEX };

const struct pane_ops pane_contention_ops = {
	.name = "Contention",
	.eps = deps,
	.neps = sizeof(deps) / sizeof(deps[0]),
	.cols = cols,
	.ncols = NCOLS,
	.default_sort = C_DELAYS,
	.tiebreak = C_DELAY,
	.has_tag = true,
	.rows = rows,
	.info = info,
	.trend = trend,
	.tree_eps = tree_eps,
	.ntree_eps = 2,
	.tree_tags = "BM",
	.tree_value = "delay_ns",
	.tree_sort = tree_sort,
};
