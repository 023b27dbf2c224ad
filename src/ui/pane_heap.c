/* pane_heap.c - heap groups: in-use bytes and objects, their change since
 * the baseline, their growth rate and the allocation rate of the same stack
 * (from allocs), and the growth verdict. The heap and allocs profiles are
 * as of the last completed GC: their rates are measured between GC cycles
 * (model.h's points), never between polls, so a poll without a GC changes
 * nothing rather than reading 0. The service-wide allocation rate comes
 * from MemStats, which are exact at every read. */
#include <string.h>

#include "pane.h"
#include "pproftop/format.h"
#include "pproftop/sched.h"

enum { C_INUSE, C_OBJS, C_DBASE, C_GROWTH, C_ALLOC, NCOLS };

static const struct column cols[NCOLS] = {
	[C_INUSE] = { "INUSE", "INUSE", 9, "bytes", CS_PLAIN, 0, false },
	[C_OBJS] = { "OBJECTS", "OBJECTS", 7, "objects", CS_PLAIN, 0, false },
	[C_DBASE] = { "\xce\x94"
	              "BASE",
	              "dBASE", 10, "bytes", CS_SIGNED, 100, false },
	[C_GROWTH] = { "GROWTH/s", "GROWTH/s", 11, "bytes", CS_RATE, 0, false },
	[C_ALLOC] = { "ALLOC/s", "ALLOC/s", 11, "bytes", CS_RATE, 0, false },
};

/* The row of id in d, or NULL (also when there is no d). */
static const struct diff_row *
find_row(const struct diff *d, uint64_t id)
{
	return d != NULL ? diff_find(d, id) : NULL;
}

static void
rows(const struct pane_ctx *cx, struct pane *p)
{
	const struct view_ep *ve = &cx->view->ep[EP_HEAP];
	const struct diff *gw = ve->dw, *aw = cx->view->ep[EP_ALLOCS].dw;

	if (ve->cur == NULL)
		return;
	int ib = snapshot_value_index(ve->cur, "inuse_bytes");
	int io = snapshot_value_index(ve->cur, "inuse_objects");
	int ab = aw != NULL ? snapshot_value_index(aw->now, "alloc_bytes") : -1;
	if (ib < 0 || io < 0)
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
			r->v[C_INUSE] = (double)diff_row_value(dr, ib);
			r->v[C_OBJS] = (double)diff_row_value(dr, io);
		} else {
			const struct group *g = &ve->cur->groups[i];
			r->id = g->id;
			r->g = g;
			r->snap = ve->cur;
			r->v[C_INUSE] = (double)g->values[ib];
			r->v[C_OBJS] = (double)g->values[io];
		}
		r->known = 1u << C_INUSE | 1u << C_OBJS;
		r->ep = EP_HEAP;
		const struct diff_row *br = find_row(ve->dbase, r->id);
		if (ve->dbase != NULL) {
			r->v[C_DBASE] = br != NULL ? (double)br->delta[ib] : 0;
			r->known |= 1u << C_DBASE;
		}
		/* rates between GC cycles: "-" until two cycles are known */
		if (gw != NULL && !(r->flags & DIFF_GONE)) {
			const struct diff_row *gr = find_row(gw, r->id);
			r->v[C_GROWTH] = gr != NULL ? diff_row_rate(gw, gr, ib) : 0;
			r->known |= 1u << C_GROWTH;
		}
		if (ab >= 0 && !(r->flags & DIFF_GONE)) {
			const struct diff_row *ar = find_row(aw, r->id);
			/* a stack gone from allocs has no rate (not a negative one) */
			if (ar == NULL || !(ar->flags & DIFF_GONE)) {
				r->v[C_ALLOC] = ar != NULL ? diff_row_rate(aw, ar, ab) : 0;
				r->known |= 1u << C_ALLOC;
			}
		}
		table_mark_verdict(cx, r);
		/* a stack that holds nothing, allocates nothing and has not
		 * changed since the baseline is not listed (nor by pprof) */
		if (!(r->flags & (DIFF_GONE | ROW_GROWING)) && r->v[C_INUSE] == 0 &&
		    r->v[C_OBJS] == 0 && r->v[C_DBASE] == 0 && r->v[C_GROWTH] == 0 &&
		    r->v[C_ALLOC] == 0) {
			p->nrows--;
			p->nempty++;
		}
	}
}

static void
info(const struct pane_ctx *cx, struct pane *p)
{
	const struct view_ep *ve = &cx->view->ep[EP_HEAP];
	const struct diff *gw = ve->dw;
	char line[512], a[32], b[80], c[32], d[32];
	size_t o = 0;
	double v[HISTORY_LEN], rate, over;

	if (pane_no_data(cx, p, EP_HEAP, "heap"))
		return;
	const struct snapshot *s = ve->cur;
	int ib = snapshot_value_index(s, "inuse_bytes");
	int io = snapshot_value_index(s, "inuse_objects");
	if (ib < 0 || io < 0)
		return;
	o += (size_t)snprintf(line + o, sizeof(line) - o, "in use %s in %s objects, %zu stacks",
	                      fmt_bytes(a, sizeof(a), (double)s->totals[ib]),
	                      fmt_count(b, sizeof(b), (double)s->totals[io]), s->ngroups);
	if (p->nempty > 0 && o < sizeof(line))
		o += (size_t)snprintf(line + o, sizeof(line) - o, " (%zu empty, not listed)",
		                      p->nempty);
	if (gw != NULL && o < sizeof(line))
		o += (size_t)snprintf(line + o, sizeof(line) - o, "; %s between GC cycles %s apart",
		                      fmt_rate(a, sizeof(a), gw->total_per_sec[ib], "bytes"),
		                      fmt_age(c, sizeof(c), gw->dt));
	else if (o < sizeof(line))
		o += (size_t)snprintf(line + o, sizeof(line) - o,
		                      "; rates: waiting for a GC (they are measured between two)");
	if (model_memstat_rate(cx->m, "TotalAlloc", &rate, &over) && o < sizeof(line))
		snprintf(line + o, sizeof(line) - o, "; service allocating %s (MemStats, last %s)",
		         fmt_rate(a, sizeof(a), rate, "bytes"), fmt_age(c, sizeof(c), over));
	pane_add_info(p, R_INFO, "%s", line);

	size_t n = series_get(view_meter(cx->view, METER_NUM_GC), v, HISTORY_LEN);
	if (n > 0)
		snprintf(a, sizeof(a), "%.0f", v[n - 1]);
	else
		snprintf(a, sizeof(a), "unknown");
	if (model_memstat_rate(cx->m, "NumGC", &rate, &over))
		snprintf(d, sizeof(d), ", %.0f in the last %s", rate * over,
		         fmt_age(c, sizeof(c), over));
	else
		d[0] = '\0';
	if (s->period > 0)
		snprintf(b, sizeof(b), "; sampled every %s",
		         fmt_bytes(c, sizeof(c), (double)s->period));
	else if (s->heap_rate > 0)
		snprintf(b, sizeof(b), "; sampled every %s",
		         fmt_bytes(c, sizeof(c), (double)s->heap_rate));
	else
		b[0] = '\0';
	pane_add_info(p, R_DIM, "as of the last GC: changes only at a GC (NumGC %s%s)%s", a, d, b);
	double self, all;
	bool known = model_self_rate(cx->m, &self, &all, &over);
	if (known && (self > 0 || s->self_groups > 0)) {
		if (all > 0)
			snprintf(d, sizeof(d), " (%.1f%% of all it allocates)", 100 * self / all);
		else
			d[0] = '\0';
		pane_add_info(
		    p, self > sched_alloc_allowance(cx->share, self, all) ? R_WARN : R_DIM,
		    "not counted: /debug/pprof requests (pproftop's) allocate %s in the "
		    "service%s, over the last %s",
		    fmt_rate(a, sizeof(a), self, "bytes"), d, fmt_age(c, sizeof(c), over));
	} else if (s->self_groups > 0) {
		pane_add_info(p, R_DIM,
		              "not counted: %zu stacks serving /debug/pprof requests (pproftop's "
		              "own); what they allocate is known after two GC cycles",
		              s->self_groups);
	}
	pane_add_verdicts(cx, p, EP_HEAP, "bytes");
}

static const enum ep_id tree_eps[] = { EP_HEAP };
/* the tree has no rates: growth reads as the change since the last poll */
static const int tree_sort[NCOLS] = {
	[C_INUSE] = TC_CUM,    [C_OBJS] = TC_CUM,  [C_DBASE] = TC_DBASE,
	[C_GROWTH] = TC_DPOLL, [C_ALLOC] = TC_CUM,
};

static const enum ep_id deps[] = { EP_HEAP, EP_ALLOCS, EP_MEMSTATS };

const struct pane_ops pane_heap_ops = {
	.name = "Heap",
	.eps = deps,
	.neps = sizeof(deps) / sizeof(deps[0]),
	.rebuild_on = PANE_ON_LINKS,
	.cols = cols,
	.ncols = NCOLS,
	.default_sort = C_INUSE,
	.tiebreak = C_ALLOC,
	.rows = rows,
	.info = info,
	.trend = table_trend_history,
	.slope_unit = "bytes",
	.tree_eps = tree_eps,
	.ntree_eps = 1,
	.tree_value = "inuse_bytes",
	.tree_sort = tree_sort,
};
