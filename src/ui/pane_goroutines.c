/* pane_goroutines.c - goroutine groups: count, change since the last poll
 * and since the baseline, how many goroutineleak proved leaked, a trend of
 * the count and the growth verdict (▲ with the slope). The pprof handler's
 * own goroutine (the request that produced the profile) is hidden. */
#include <string.h>

#include "pane.h"
#include "pproftop/format.h"

enum { C_COUNT, C_DPOLL, C_DBASE, C_LEAKED, NCOLS };

static const struct column cols[NCOLS] = {
	[C_COUNT] = { "COUNT", "COUNT", 7, "count", CS_PLAIN, 0, false },
	[C_DPOLL] = { "\xce\x94POLL", "dPOLL", 7, "count", CS_SIGNED, 0, false },
	[C_DBASE] = { "\xce\x94"
	              "BASE",
	              "dBASE", 7, "count", CS_SIGNED, 0, false },
	[C_LEAKED] = { "LEAKED", "LEAKED", 6, "count", CS_PLAIN, 0, true },
};

static void
rows(const struct pane_ctx *cx, struct pane *p)
{
	const struct view_ep *ve = &cx->view->ep[EP_GOROUTINE];
	const struct snapshot *leak = cx->view->ep[EP_GOROUTINELEAK].cur;
	if (ve->cur == NULL)
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
			r->v[C_COUNT] = (double)diff_row_value(dr, 0);
			r->v[C_DPOLL] = (double)dr->delta[0];
			r->known = 1u << C_COUNT | 1u << C_DPOLL;
		} else {
			const struct group *g = &ve->cur->groups[i];
			r->id = g->id;
			r->g = g;
			r->snap = ve->cur;
			r->v[C_COUNT] = (double)g->values[0];
			r->known = 1u << C_COUNT;
		}
		r->ep = EP_GOROUTINE;
		if (ve->dbase != NULL) {
			const struct diff_row *br = diff_find(ve->dbase, r->id);
			/* absent from both base and now: born and gone since */
			r->v[C_DBASE] = br != NULL ? (double)br->delta[0] : 0;
			r->known |= 1u << C_DBASE;
		}
		if (leak != NULL) {
			const struct group *lg = snapshot_find(leak, r->id);
			r->leaked = lg != NULL ? lg->values[0] : 0;
			r->v[C_LEAKED] = (double)r->leaked;
			r->known |= 1u << C_LEAKED;
			if (r->leaked > 0)
				r->flags |= ROW_LEAKED;
		}
		table_mark_verdict(cx, r);
	}
}

static void
info(const struct pane_ctx *cx, struct pane *p)
{
	const struct view_ep *ve = &cx->view->ep[EP_GOROUTINE];
	const struct endpoint *ep = &cx->m->ep[EP_GOROUTINE];
	char line[512], a[32], b[32];
	size_t o = 0;

	if (pane_no_data(cx, p, EP_GOROUTINE, "goroutine"))
		return;
	const struct snapshot *s = ve->cur;
	o += (size_t)snprintf(line + o, sizeof(line) - o, "%s goroutines in %zu groups",
	                      fmt_count(a, sizeof(a), (double)s->totals[0]), s->ngroups);
	if (ve->d != NULL && o < sizeof(line))
		o += (size_t)snprintf(
		    line + o, sizeof(line) - o, ", %s since the last poll",
		    fmt_signed(a, sizeof(a), (double)ve->d->total_delta[0], "count"));
	if (ve->dbase != NULL && o < sizeof(line))
		o += (size_t)snprintf(
		    line + o, sizeof(line) - o, ", %s since the baseline (%s)",
		    fmt_signed(a, sizeof(a), (double)ve->dbase->total_delta[0], "count"),
		    fmt_age(b, sizeof(b), ep->t_cur - ep->t_base));
	if (ve->d != NULL && (ve->d->nnew || ve->d->ngone) && o < sizeof(line))
		o += (size_t)snprintf(line + o, sizeof(line) - o, "; %zu new, %zu gone",
		                      ve->d->nnew, ve->d->ngone);
	if (s->self_values[0] > 0 && o < sizeof(line))
		o += (size_t)snprintf(line + o, sizeof(line) - o,
		                      "; not counted: pproftop's own %s (its request, its "
		                      "connection)",
		                      fmt_count(a, sizeof(a), (double)s->self_values[0]));
	if (s->truncated && o < sizeof(line))
		snprintf(line + o, sizeof(line) - o, "; response truncated");
	pane_add_info(p, R_INFO, "%s", line);

	pane_add_verdicts(cx, p, EP_GOROUTINE, "count");
}

static const enum ep_id tree_eps[] = { EP_GOROUTINE };
static const int tree_sort[NCOLS] = {
	[C_COUNT] = TC_CUM,
	[C_DPOLL] = TC_DPOLL,
	[C_DBASE] = TC_DBASE,
	[C_LEAKED] = TC_CUM,
};

static const enum ep_id deps[] = { EP_GOROUTINE, EP_GOROUTINELEAK };

const struct pane_ops pane_goroutines_ops = {
	.name = "Goroutines",
	.eps = deps,
	.neps = sizeof(deps) / sizeof(deps[0]),
	.rebuild_on = PANE_ON_LINKS | PANE_ON_SYMS,
	.cols = cols,
	.ncols = NCOLS,
	.default_sort = C_COUNT,
	.tiebreak = C_COUNT,
	.has_state = true,
	.rows = rows,
	.info = info,
	.trend = table_trend_history,
	.slope_unit = "count",
	.tree_eps = tree_eps,
	.ntree_eps = 1,
	.tree_value = "count",
	.tree_sort = tree_sort,
};
