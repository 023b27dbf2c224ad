/* pane_cpu.c - where the CPU goes: the last CPU window (profile?seconds=N,
 * which runs only while this pane is shown, or always with --cpu; the
 * poller's long lane, cpulane.h). Per stack: CPU in cores (CPU seconds per
 * second of the window), samples, the change against the previous window
 * and a trend over the windows. F lists functions instead, flat (in the
 * function itself) and cum (with what it calls), as go tool pprof -top
 * does, from the call tree (tree_top). */
#include <stdlib.h>
#include <string.h>

#include "pane.h"
#include "pproftop/format.h"
#include "pproftop/tree.h"

enum { C_CPU, C_CUM, C_SAMPLES, C_DELTA, NCOLS };

static const struct column cols[NCOLS] = {
	[C_CPU] = { "CPU", "CPU", 7, "cores", CS_PLAIN, 0, false },
	[C_CUM] = { "CUM", "CUM", 7, "cores", CS_PLAIN, 0, true },
	[C_SAMPLES] = { "SAMPLES", "SAMPLES", 7, "count", CS_PLAIN, 0, false },
	[C_DELTA] = { "\xce\x94"
	              "WINDOW",
	              "dWINDOW", 8, "cores", CS_SIGNED, 0, true },
};

/* Cores of g in window s, 0 without one. */
static double
cores(const struct snapshot *s, const struct group *g)
{
	double c = s != NULL && g != NULL ? model_cpu_cores(s, g) : -1;

	return c > 0 ? c : 0;
}

/* One row per stack of the last window; Δ against the previous one (a
 * stack gone from this window reads 0 and -its old cores). */
static void
stack_rows(const struct pane_ctx *cx, struct pane *p)
{
	const struct view_ep *ve = &cx->view->ep[EP_CPU];
	const struct diff *d = ve->d;
	int si = snapshot_value_index(ve->cur, "samples");
	size_t n = d != NULL ? d->nrows : ve->cur->ngroups;
	table_reserve(p, n);
	for (size_t i = 0; i < n; i++) {
		struct row *r = table_add(p);
		const struct group *now, *old = NULL;
		if (d != NULL) {
			const struct diff_row *dr = &d->rows[i];
			now = dr->now;
			old = dr->old;
			r->id = dr->id;
			r->g = now != NULL ? now : old;
			r->snap = now != NULL ? d->now : d->old;
			r->flags = dr->flags;
		} else {
			now = &ve->cur->groups[i];
			r->id = now->id;
			r->g = now;
			r->snap = ve->cur;
		}
		r->ep = EP_CPU;
		r->v[C_CPU] = cores(ve->cur, now);
		r->v[C_SAMPLES] = now != NULL && si >= 0 ? (double)now->values[si] : 0;
		r->known = 1u << C_CPU | 1u << C_SAMPLES;
		if (d != NULL) {
			r->v[C_DELTA] = r->v[C_CPU] - cores(d->old, old);
			r->known |= 1u << C_DELTA;
		}
	}
}

static int
cmp_fn_id(const void *pa, const void *pb)
{
	const struct tree_fn *a = pa, *b = pb;

	return a->id < b->id ? -1 : a->id > b->id;
}

/* The functions of window s (NULL: none), sorted by id for bsearch. */
static size_t
functions(const struct snapshot *s, struct tree_fn **out)
{
	struct tree t;
	struct tree_opts o = { .value = 0 };

	*out = NULL;
	if (s == NULL || tree_build(&t, s, NULL, NULL, &o) != 0)
		return 0;
	size_t n = tree_top(&t, out);
	tree_free(&t);
	if (n > 1)
		qsort(*out, n, sizeof(**out), cmp_fn_id);
	return n;
}

static const struct tree_fn *
find_fn(const struct tree_fn *fns, size_t n, uint64_t id)
{
	struct tree_fn key = { .id = id };

	return n > 0 ? bsearch(&key, fns, n, sizeof(*fns), cmp_fn_id) : NULL;
}

/* One row per function (pprof -top): rows need a group to be labelled by,
 * so the pane makes a snapshot of one one-frame group per function (its
 * flat values), p->own; CUM comes from the functions. Δ is the flat
 * change against the previous window. */
static void
function_rows(const struct pane_ctx *cx, struct pane *p)
{
	const struct view_ep *ve = &cx->view->ep[EP_CPU];
	const struct snapshot *s = ve->cur;
	struct tree_fn *fns, *old;
	size_t n = functions(s, &fns);
	size_t nold = functions(ve->d != NULL ? ve->d->old : NULL, &old);
	struct builder *b = builder_new(s->name, PROF_CPU, FMT_PROTO);

	for (size_t i = 0; i < n; i++) {
		const struct tree_fn *f = &fns[i];
		builder_frame(b, f->function, strlen(f->function), f->file, strlen(f->file),
		              f->line);
		builder_commit(b, f->flat, NULL, 0);
	}
	struct snapshot *own = builder_finish(b);
	own->duration_ns = s->duration_ns;
	p->own = own;
	double secs = (double)s->duration_ns / 1e9;
	for (size_t i = 0; i < own->ngroups; i++) {
		const struct group *g = &own->groups[i];
		const struct tree_fn *f = find_fn(fns, n, hash_str(group_frame(g, 0)->function));
		if (f == NULL)
			continue;
		struct row *r = table_add(p);
		r->id = g->id;
		r->g = g;
		r->snap = own;
		r->ep = EP_CPU;
		r->v[C_CPU] = cores(own, g);
		r->v[C_CUM] = secs > 0 ? (double)f->cum[0] / (double)s->duration_ns : 0;
		r->v[C_SAMPLES] = (double)f->flat[1];
		r->known = 1u << C_CPU | 1u << C_CUM | 1u << C_SAMPLES;
		if (ve->d != NULL && ve->d->old->duration_ns > 0) {
			const struct tree_fn *o = find_fn(old, nold, f->id);
			double was =
			    o != NULL ? (double)o->flat[0] / (double)ve->d->old->duration_ns : 0;
			r->v[C_DELTA] = r->v[C_CPU] - was;
			r->known |= 1u << C_DELTA;
			if (o == NULL)
				r->flags |= DIFF_NEW;
		}
	}
	free(fns);
	free(old);
}

static void
rows(const struct pane_ctx *cx, struct pane *p)
{
	const struct snapshot *s = cx->view->ep[EP_CPU].cur;

	if (s == NULL || model_cpu_cores(s, NULL) < 0)
		return;
	if (p->alt)
		function_rows(cx, p);
	else
		stack_rows(cx, p);
}

/* F: functions <-> stacks. */
static bool
key(const struct pane_ctx *cx, struct pane *p, enum km_action a)
{
	if (a != KA_FUNCS)
		return false;
	p->alt = !p->alt;
	table_rebuild(cx, p);
	return true;
}

static void
info(const struct pane_ctx *cx, struct pane *p)
{
	const struct endpoint *ep = &cx->m->ep[EP_CPU];
	const struct view_ep *ve = &cx->view->ep[EP_CPU];
	const struct snapshot *s = ve->cur;
	char a[32], b[32], c[32];

	if (s == NULL) {
		if (ep->err[0] != '\0')
			pane_add_info(p, R_WARN, "CPU profiling: %s", ep->err);
		else
			pane_add_info(
			    p, R_INFO,
			    "CPU profiling: waiting for the first window (windows run while "
			    "this pane is shown, or with --cpu)");
		pane_add_info(p, R_DIM,
		              "each window costs the service a SIGPROF per 10 ms of CPU; it is "
		              "off unless this pane is shown or --cpu is given");
		return;
	}
	double secs = (double)s->duration_ns / 1e9;
	double all = model_cpu_cores(s, NULL);
	int si = snapshot_value_index(s, "samples");
	size_t o = 0;
	char line[512];
	/* no age here: the rows change only with the next window (the header
	 * says while one runs) */
	o += (size_t)snprintf(line, sizeof(line), "CPU profiling: the last window %.1f s", secs);
	if (all >= 0 && o < sizeof(line))
		o += (size_t)snprintf(line + o, sizeof(line) - o, ", %s cores in all (%s samples)",
		                      fmt_cores(b, sizeof(b), all),
		                      fmt_count(c, sizeof(c), si >= 0 ? (double)s->totals[si] : 0));
	if (ve->d != NULL && ve->d->old->duration_ns > 0 && o < sizeof(line))
		snprintf(line + o, sizeof(line) - o, "; previous window %s",
		         fmt_cores(a, sizeof(a), model_cpu_cores(ve->d->old, NULL)));
	pane_add_info(p, R_INFO, "%s", line);
	if (ep->err[0] != '\0')
		pane_add_info(p, R_WARN, "the last window failed: %s", ep->err);
	if (p->alt)
		pane_add_info(
		    p, R_DIM,
		    "per function, as pprof -top: CPU in the function itself (flat), CUM with "
		    "its callees; F: stacks");
	else
		pane_add_info(p, R_DIM,
		              "per stack, in cores (CPU seconds per second), and against the last "
		              "window; F: per function");
}

static const enum ep_id eps[] = { EP_CPU };
static const int tree_sort[NCOLS] = {
	[C_CPU] = TC_CUM,
	[C_CUM] = TC_CUM,
	[C_SAMPLES] = TC_CUM,
	[C_DELTA] = TC_DPOLL,
};

const struct pane_ops pane_cpu_ops = {
	.name = "CPU",
	.eps = eps,
	.neps = 1,
	.key = key,
	.cols = cols,
	.ncols = NCOLS,
	.default_sort = C_CPU,
	.tiebreak = C_SAMPLES,
	.rows = rows,
	.info = info,
	.trend = table_trend_history,
	.tree_eps = eps,
	.ntree_eps = 1,
	.tree_value = "cpu_ns",
	.tree_sort = tree_sort,
};
