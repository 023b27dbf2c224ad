/* pane_heap.c - heap groups: in-use bytes and objects, their change since
 * the last poll and its rate, and the allocation rate of the same stack
 * from the allocs profile. The heap profile is as of the last completed
 * GC, which the info line says (with NumGC from the MemStats meter). */
#include <string.h>

#include "pane.h"
#include "pproftop/format.h"

enum { C_INUSE, C_OBJS, C_DINUSE, C_GROWTH, C_ALLOC, NCOLS };

static const struct column cols[NCOLS] = {
	[C_INUSE] = { "INUSE", "INUSE", 9, "bytes", CS_PLAIN, 0 },
	[C_OBJS] = { "OBJECTS", "OBJECTS", 7, "objects", CS_PLAIN, 0 },
	[C_DINUSE] = { "\xce\x94INUSE", "dINUSE", 10, "bytes", CS_SIGNED, 0 },
	[C_GROWTH] = { "GROWTH/s", "GROWTH/s", 11, "bytes", CS_RATE, 100 },
	[C_ALLOC] = { "ALLOC/s", "ALLOC/s", 11, "bytes", CS_RATE, 0 },
};

static void
rows(struct ui *ui, struct pane *p)
{
	const struct view_ep *ve = &ui->view.ep[EP_HEAP];
	const struct diff *ad = ui->view.ep[EP_ALLOCS].d;
	struct idmap am = { 0 };
	int ab = -1;

	if (ve->cur == NULL)
		return;
	if (ad != NULL) {
		ab = snapshot_value_index(ad->now, "alloc_bytes");
		if (ab >= 0)
			idmap_build_diff(&am, ad);
	}
	int ib = snapshot_value_index(ve->cur, "inuse_bytes");
	int io = snapshot_value_index(ve->cur, "inuse_objects");
	if (ib < 0 || io < 0)
		return;
	size_t n = ve->d ? ve->d->nrows : ve->cur->ngroups;
	for (size_t i = 0; i < n; i++) {
		struct row *r = table_add(p);
		if (ve->d != NULL) {
			const struct diff_row *dr = &ve->d->rows[i];
			r->id = dr->id;
			r->g = dr->now ? dr->now : dr->old;
			r->snap = dr->now ? ve->d->now : ve->d->old;
			r->flags = dr->flags;
			r->v[C_INUSE] = (double)dr->value[ib];
			r->v[C_OBJS] = (double)dr->value[io];
			r->v[C_DINUSE] = (double)dr->delta[ib];
			r->known = 1u << C_INUSE | 1u << C_OBJS | 1u << C_DINUSE;
			if (ve->d->dt > 0) {
				r->v[C_GROWTH] = dr->per_sec[ib];
				r->known |= 1u << C_GROWTH;
			}
		} else {
			const struct group *g = &ve->cur->groups[i];
			r->id = g->id;
			r->g = g;
			r->snap = ve->cur;
			r->v[C_INUSE] = (double)g->values[ib];
			r->v[C_OBJS] = (double)g->values[io];
			r->known = 1u << C_INUSE | 1u << C_OBJS;
		}
		r->ep = EP_HEAP;
		if (ab >= 0 && ad->dt > 0) {
			size_t k = idmap_get(&am, r->id);
			/* a stack gone from allocs has no rate (not a negative one) */
			if (k == (size_t)-1 || !(ad->rows[k].flags & DIFF_GONE)) {
				r->v[C_ALLOC] = k != (size_t)-1 ? ad->rows[k].per_sec[ab] : 0;
				r->known |= 1u << C_ALLOC;
			}
		}
		if (history_growing(ve->hist, r->id))
			r->flags |= ROW_GROWING;
		if (r->g != NULL && group_is_pprof_handler(r->g)) {
			r->flags |= ROW_HIDDEN; /* pproftop's own requests */
			p->nhidden++;
		}
	}
	idmap_free(&am);
}

static void
info(struct ui *ui, struct pane *p)
{
	const struct view_ep *ve = &ui->view.ep[EP_HEAP];
	const struct diff *ad = ui->view.ep[EP_ALLOCS].d;
	char line[512], a[32], b[80], c[32];
	size_t o = 0;
	double v[HISTORY_LEN];

	if (pane_no_data(ui, p, EP_HEAP, "heap"))
		return;
	const struct snapshot *s = ve->cur;
	int ib = snapshot_value_index(s, "inuse_bytes");
	int io = snapshot_value_index(s, "inuse_objects");
	if (ib < 0 || io < 0)
		return;
	o += (size_t)snprintf(line + o, sizeof(line) - o, "in use %s in %s objects, %zu stacks",
	                      fmt_bytes(a, sizeof(a), (double)s->totals[ib]),
	                      fmt_count(b, sizeof(b), (double)s->totals[io]), s->ngroups);
	if (ve->d != NULL && o < sizeof(line))
		o += (size_t)snprintf(
		    line + o, sizeof(line) - o, ", %s since the last poll",
		    fmt_signed(a, sizeof(a), (double)ve->d->total_delta[ib], "bytes"));
	int ab = ad ? snapshot_value_index(ad->now, "alloc_bytes") : -1;
	if (ab >= 0 && ad->dt > 0 && o < sizeof(line))
		snprintf(line + o, sizeof(line) - o, "; allocating %s",
		         fmt_rate(c, sizeof(c), ad->total_per_sec[ab], "bytes"));
	pane_add_info(p, R_INFO, "%s", line);

	size_t n = series_get(view_meter(&ui->view, METER_NUM_GC), v, HISTORY_LEN);
	if (n > 0)
		snprintf(a, sizeof(a), "%.0f", v[n - 1]);
	else
		snprintf(a, sizeof(a), "unknown");
	if (s->period > 0)
		snprintf(b, sizeof(b), "; sampled every %s",
		         fmt_bytes(c, sizeof(c), (double)s->period));
	else if (s->heap_rate > 0)
		snprintf(b, sizeof(b), "; sampled every %s",
		         fmt_bytes(c, sizeof(c), (double)s->heap_rate));
	else
		b[0] = '\0';
	pane_add_info(p, R_DIM, "as of the last GC: changes only at a GC (NumGC %s)%s%s", a, b,
	              p->nhidden ? "; own requests hidden" : "");
}

static size_t
trend(const struct ui *ui, const struct row *r, double *out, size_t max)
{
	int64_t v[HISTORY_LEN];
	size_t n =
	    history_get(ui->view.ep[EP_HEAP].hist, r->id, v, max < HISTORY_LEN ? max : HISTORY_LEN);

	for (size_t i = 0; i < n; i++)
		out[i] = (double)v[i];
	return n;
}

const struct pane_ops pane_heap_ops = {
	.name = "Heap",
	.id = PANE_HEAP,
	.cols = cols,
	.ncols = NCOLS,
	.default_sort = C_INUSE,
	.tiebreak = C_ALLOC,
	.rows = rows,
	.info = info,
	.trend = trend,
};
