/* pane_goroutines.c - goroutine groups: count, change since the last poll
 * and since the baseline, a trend of the count and the "keeps growing"
 * mark. The pprof handler's own goroutine (the request that produced the
 * profile) is hidden. */
#include <string.h>

#include "pane.h"
#include "pproftop/format.h"

enum { C_COUNT, C_DPOLL, C_DBASE, NCOLS };

static const struct column cols[NCOLS] = {
	[C_COUNT] = { "COUNT", "COUNT", 7, "count", CS_PLAIN, 0 },
	[C_DPOLL] = { "\xce\x94POLL", "dPOLL", 7, "count", CS_SIGNED, 0 },
	[C_DBASE] = { "\xce\x94"
	              "BASE",
	              "dBASE", 7, "count", CS_SIGNED, 0 },
};

static void
rows(struct ui *ui, struct pane *p)
{
	const struct view_ep *ve = &ui->view.ep[EP_GOROUTINE];
	struct idmap bm = { 0 };

	if (ve->cur == NULL)
		return;
	if (ve->dbase != NULL)
		idmap_build_diff(&bm, ve->dbase);
	size_t n = ve->d ? ve->d->nrows : ve->cur->ngroups;
	for (size_t i = 0; i < n; i++) {
		struct row *r = table_add(p);
		if (ve->d != NULL) {
			const struct diff_row *dr = &ve->d->rows[i];
			r->id = dr->id;
			r->g = dr->now ? dr->now : dr->old;
			r->snap = dr->now ? ve->d->now : ve->d->old;
			r->flags = dr->flags;
			r->v[C_COUNT] = (double)dr->value[0];
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
			size_t k = idmap_get(&bm, r->id);
			/* absent from both base and now: born and gone since */
			r->v[C_DBASE] = k != (size_t)-1 ? (double)ve->dbase->rows[k].delta[0] : 0;
			r->known |= 1u << C_DBASE;
		}
		if (history_growing(ve->hist, r->id))
			r->flags |= ROW_GROWING;
		if (group_is_pprof_handler(r->g)) {
			r->flags |= ROW_HIDDEN;
			p->nhidden++;
		}
	}
	idmap_free(&bm);
}

static void
info(struct ui *ui, struct pane *p)
{
	const struct view_ep *ve = &ui->view.ep[EP_GOROUTINE];
	const struct endpoint *ep = &ui->m->ep[EP_GOROUTINE];
	char line[512], a[32], b[32];
	size_t o = 0;

	if (pane_no_data(ui, p, EP_GOROUTINE, "goroutine"))
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
	if (p->nhidden && o < sizeof(line))
		o += (size_t)snprintf(line + o, sizeof(line) - o, "; pprof handler hidden");
	if (s->truncated && o < sizeof(line))
		snprintf(line + o, sizeof(line) - o, "; response truncated");
	pane_add_info(p, R_INFO, "%s", line);

	size_t growing = 0;
	for (size_t i = 0; i < p->nrows; i++)
		if ((p->rows[i].flags & ROW_GROWING) && !(p->rows[i].flags & ROW_HIDDEN))
			growing++;
	if (growing)
		pane_add_info(p, R_WARN,
		              "%s %zu group%s keep%s growing (rose in at least half of the last "
		              "%d polls, never fell)",
		              ui->utf8 ? "\xe2\x96\xb2" : "^", growing, growing == 1 ? "" : "s",
		              growing == 1 ? "s" : "", HISTORY_WINDOW);
	if (ve->d != NULL && ve->d->restarted)
		pane_add_info(p, R_WARN, "the target restarted: baseline reset");
}

static size_t
trend(const struct ui *ui, const struct row *r, double *out, size_t max)
{
	int64_t v[HISTORY_LEN];
	size_t n = history_get(ui->view.ep[EP_GOROUTINE].hist, r->id, v,
	                       max < HISTORY_LEN ? max : HISTORY_LEN);

	for (size_t i = 0; i < n; i++)
		out[i] = (double)v[i];
	return n;
}

const struct pane_ops pane_goroutines_ops = {
	.name = "Goroutines",
	.id = PANE_GOROUTINES,
	.cols = cols,
	.ncols = NCOLS,
	.default_sort = C_COUNT,
	.tiebreak = C_COUNT,
	.rows = rows,
	.info = info,
	.trend = trend,
};
