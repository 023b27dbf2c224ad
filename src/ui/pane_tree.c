/* pane_tree.c - a table pane's data as a live call tree (tree.h): `t`
 * switches, `i` inverts, `l` groups by line; nodes expand and collapse,
 * `f` focuses, `/` filters as in the table. Each node shows the pane's
 * value cumulative and flat, its change since the last poll and the
 * baseline, the trend and the growth verdict of its cumulative series (a
 * history of the tree's nodes, fed a point whenever the endpoint's history
 * gets one).
 *
 * The trees are built once per poll, only while shown and only when their
 * snapshots changed; a draw flattens only the expanded nodes and draws only
 * the visible rows. The selection is a node id (its path): it stays on that
 * node while rows move, and falls back to its nearest ancestor when the
 * node vanished. A path only in the last poll (TREE_GONE) is dimmed. */
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "pane.h"
#include "pproftop/format.h"
#include "pproftop/label.h"
#include "pproftop/tree.h"
#include "pproftop/xalloc.h"

#define TREE_SRC_MAX 2
#define SEL_PATH_MAX 64
#define TREND_W_MAX 40
#define INDENT_MAX 24
#define HIST_SHARE                                                                                 \
	512 /* nodes under total / HIST_SHARE start no history */ /* levels indented; deeper ones  \
	                                                             stay at this depth */

/* A history of node values: cum[vi] per node id. */
struct nhist {
	struct history h;
	bool init;
	double t;   /* the endpoint history's point the last push was for */
	uint64_t n; /* and its number of points */
};

struct tsrc {
	enum ep_id ep;
	char tag;
	struct tree t;
	bool built;
	const struct snapshot *cur, *prev, *base; /* what t was built from (held by the cx) */
	int vi;                                   /* the value's index */
	struct nhist hist[2];                     /* the whole tree's, the focused tree's */
	unsigned char *keep;                      /* filter: bit 0 matches, 1 below, 2 above */
	size_t nkeep;
};

struct trow {
	uint32_t src;
	uint32_t node;
};

struct ptree {
	bool on;
	bool inverted, by_line;
	uint64_t focus;
	int focus_src;
	char focus_fn[128];
	bool opened;  /* expanded along the heaviest path since the last reset */
	bool touched; /* a key moved or expanded since: until then the tree
	               * follows the heaviest path of each poll, selection on top */
	struct tsrc src[TREE_SRC_MAX];
	int nsrc;
	/* expanded node keys: open addressing, 0 empty, 1 deleted */
	uint64_t *exp;
	size_t expsize, nexp, nused;
	struct trow *rows;
	size_t nrows, caprows;
	struct trow *scratch;
	size_t nscratch, capscratch;
	int sort;
	bool has_sel;
	int sel_src;
	uint64_t sel_id;
	uint64_t sel_path[SEL_PATH_MAX]; /* its ancestors' ids, parent first */
	size_t sel_depth;
	size_t sel, top;
	int page;
};

/* ---- the set of expanded nodes ---- */

static uint64_t
exp_key(int src, uint64_t id)
{
	uint64_t k = id ^ (src ? 0x9e3779b97f4a7c15ull : 0);

	return k < 2 ? k + 2 : k;
}

static size_t
exp_slot(const struct ptree *pt, uint64_t k, bool *found)
{
	size_t mask = pt->expsize - 1, j = (size_t)(k * 0x9e3779b97f4a7c15ull >> 17) & mask;
	size_t tomb = (size_t)-1;

	*found = false;
	while (pt->exp[j] != 0) {
		if (pt->exp[j] == k) {
			*found = true;
			return j;
		}
		if (pt->exp[j] == 1 && tomb == (size_t)-1)
			tomb = j;
		j = (j + 1) & mask;
	}
	return tomb != (size_t)-1 ? tomb : j;
}

static bool
is_expanded(const struct ptree *pt, int src, uint64_t id)
{
	bool found;

	if (pt->expsize == 0)
		return false;
	exp_slot(pt, exp_key(src, id), &found);
	return found;
}

static void exp_set(struct ptree *pt, int src, uint64_t id, bool on);

static void
exp_grow(struct ptree *pt)
{
	uint64_t *old = pt->exp;
	size_t oldsize = pt->expsize;

	pt->expsize = oldsize ? oldsize * 2 : 64;
	while (pt->expsize < pt->nexp * 4)
		pt->expsize *= 2;
	pt->exp = xcalloc(pt->expsize, sizeof(*pt->exp));
	pt->nexp = pt->nused = 0;
	for (size_t i = 0; i < oldsize; i++)
		if (old[i] > 1) {
			bool found;
			size_t j = exp_slot(pt, old[i], &found);
			pt->exp[j] = old[i];
			pt->nexp++;
			pt->nused++;
		}
	free(old);
}

static void
exp_set(struct ptree *pt, int src, uint64_t id, bool on)
{
	uint64_t k = exp_key(src, id);
	bool found;

	if ((pt->nused + 1) * 2 > pt->expsize)
		exp_grow(pt);
	size_t j = exp_slot(pt, k, &found);
	if (on && !found) {
		if (pt->exp[j] == 0)
			pt->nused++;
		pt->exp[j] = k;
		pt->nexp++;
	} else if (!on && found) {
		pt->exp[j] = 1;
		pt->nexp--;
	}
}

static void
exp_clear(struct ptree *pt)
{
	if (pt->exp != NULL)
		memset(pt->exp, 0, pt->expsize * sizeof(*pt->exp));
	pt->nexp = pt->nused = 0;
}

/* ---- building ---- */

static struct ptree *
get(struct pane *p)
{
	if (p->tree == NULL) {
		struct ptree *pt = xcalloc(1, sizeof(*pt));
		const struct pane_ops *o = p->ops;
		pt->nsrc = o->ntree_eps < TREE_SRC_MAX ? o->ntree_eps : TREE_SRC_MAX;
		for (int i = 0; i < pt->nsrc; i++) {
			pt->src[i].ep = o->tree_eps[i];
			if (o->has_tag && o->tree_tags != NULL)
				pt->src[i].tag = o->tree_tags[i];
		}
		pt->focus_src = -1;
		p->tree = pt;
	}
	return p->tree;
}

static void
src_drop(struct tsrc *s)
{
	tree_free(&s->t);
	s->built = false;
	s->cur = s->prev = s->base = NULL;
	free(s->keep);
	s->keep = NULL;
	s->nkeep = 0;
}

static void
hist_reset(struct nhist *nh)
{
	if (nh->init)
		history_free(&nh->h);
	memset(nh, 0, sizeof(*nh));
}

/* Which history of src i is shown: the whole tree's (0) or the focused
 * one's (1). */
static int
hist_slot(const struct ptree *pt, int i)
{
	return pt->focus != 0 && pt->focus_src == i;
}

/* The selected node's ancestors, for when it vanishes. */
static void
remember_path(struct ptree *pt)
{
	pt->sel_depth = 0;
	if (!pt->has_sel || pt->sel_src < 0 || !pt->src[pt->sel_src].built)
		return;
	const struct tree *t = &pt->src[pt->sel_src].t;
	const struct tree_node *n = tree_find(t, pt->sel_id);
	while (n != NULL && n->parent != TREE_NONE && pt->sel_depth < SEL_PATH_MAX) {
		n = &t->nodes[n->parent];
		pt->sel_path[pt->sel_depth++] = n->id;
	}
}

/* Feeds the node history a point when the endpoint's history got one. */
static void
feed_history(const struct pane_ctx *cx, struct pane *p, int i)
{
	struct tsrc *s = &p->tree->src[i];
	struct nhist *nh = &s->hist[hist_slot(p->tree, i)];
	const struct history *eh = cx->view->ep[s->ep].hist;

	if (eh == NULL || !s->built || eh->npoints == 0)
		return;
	double t = history_last_time(eh);
	if (nh->init && t == nh->t && eh->npoints == nh->n)
		return;
	if (!nh->init) {
		history_init(&nh->h, cx->m != NULL && cx->m->evict_after ? cx->m->evict_after : 1);
		history_set_window(&nh->h, eh->window);
		history_set_cover(&nh->h, eh->cover);
		history_set_judged(&nh->h, p->ops->slope_unit != NULL);
		nh->init = true;
	}
	nh->t = t;
	nh->n = eh->npoints;
	size_t n = 0;
	uint64_t *ids = xreallocarray(NULL, s->t.nnodes ? s->t.nnodes : 1, sizeof(*ids));
	int64_t *v = xreallocarray(NULL, s->t.nnodes ? s->t.nnodes : 1, sizeof(*v));
	/* memory: a node under 1/512 of the total starts no series (a big
	 * service has hundreds of thousands of nodes); one already followed is
	 * followed while it exists */
	int64_t least = s->t.totals[s->vi] / HIST_SHARE, one;
	for (size_t k = 0; k < s->t.nnodes; k++) {
		const struct tree_node *nd = &s->t.nodes[k];
		if (nd->flags & TREE_GONE)
			continue;
		if (nd->cum[s->vi] < least && history_get(&nh->h, nd->id, &one, 1) == 0)
			continue;
		ids[n] = nd->id;
		v[n++] = nd->cum[s->vi];
	}
	history_push_ids(&nh->h, ids, v, n, t);
	free(ids);
	free(v);
}

/* The value index for the pane: ops->tree_value in the snapshot, else its
 * primary value. */
static int
value_index(const struct pane *p, const struct snapshot *s)
{
	int vi = p->ops->tree_value ? snapshot_value_index(s, p->ops->tree_value) : -1;

	return vi >= 0 ? vi : s->primary;
}

static void
rebuild_src(const struct pane_ctx *cx, struct pane *p, int i)
{
	struct ptree *pt = p->tree;
	struct tsrc *s = &pt->src[i];
	const struct view_ep *ve = &cx->view->ep[s->ep];

	src_drop(s);
	if (ve->cur == NULL || ve->cur->ngroups == 0 || ve->cur->profiling_disabled)
		return;
	s->cur = ve->cur;
	s->prev = ve->prev;
	s->base = ve->base;
	s->vi = value_index(p, ve->cur);
	struct tree_opts o = { .inverted = pt->inverted, .by_line = pt->by_line, .value = s->vi };
	if (pt->focus != 0 && pt->focus_src == i)
		o.focus = pt->focus;
	/* tree_build ignores a prev or base it cannot compare (t.prev, t.base) */
	if (tree_build(&s->t, ve->cur, ve->prev, ve->base, &o) != 0)
		return;
	s->vi = s->t.opts.value;
	s->built = true;
}

/* Opens the tree along its heaviest path (each source's). */
static void
open_heaviest(struct ptree *pt)
{
	uint64_t ids[256];

	for (int i = 0; i < pt->nsrc; i++) {
		if (!pt->src[i].built)
			continue;
		size_t n = tree_heaviest_path(&pt->src[i].t, ids, sizeof(ids) / sizeof(ids[0]));
		for (size_t k = 0; k < n; k++)
			exp_set(pt, i, ids[k], true);
		/* not before there is a tree (t pressed before the first poll) */
		if (n > 0)
			pt->opened = true;
	}
}

void
tree_sync(const struct pane_ctx *cx, struct pane *p)
{
	struct ptree *pt = p->tree;

	if (pt == NULL || p->ops->ntree_eps == 0)
		return;
	/* built only while shown: in tree mode, in the current pane */
	bool shown = pt->on && cx->cur == p->index;
	for (int i = 0; i < pt->nsrc; i++) {
		struct tsrc *s = &pt->src[i];
		const struct view_ep *ve = &cx->view->ep[s->ep];
		bool same = s->cur == ve->cur && s->prev == ve->prev && s->base == ve->base &&
		            (s->built || ve->cur == NULL);
		if (!shown) {
			/* never keep pointers into snapshots the ui let go */
			if (!same) {
				src_drop(s);
				pt->nrows = 0;
			}
			continue;
		}
		if (!same)
			rebuild_src(cx, p, i);
		feed_history(cx, p, i);
	}
	if (!shown)
		return;
	if (!pt->touched) {
		exp_clear(pt);
		pt->opened = false;
		pt->has_sel = false;
		pt->sel = pt->top = 0;
	}
	if (!pt->opened)
		open_heaviest(pt);
	tree_refilter(cx, p);
}

/* Everything keyed by node ids changes with these options. */
static void
reset(const struct pane_ctx *cx, struct pane *p)
{
	struct ptree *pt = p->tree;

	for (int i = 0; i < pt->nsrc; i++) {
		src_drop(&pt->src[i]);
		hist_reset(&pt->src[i].hist[0]);
		hist_reset(&pt->src[i].hist[1]);
	}
	exp_clear(pt);
	pt->opened = false;
	pt->touched = false;
	pt->has_sel = false;
	pt->sel = pt->top = 0;
	pt->sel_depth = 0;
	tree_sync(cx, p);
}

bool
tree_shown(const struct pane *p)
{
	return p->tree != NULL && p->tree->on;
}

/* The table sort's equivalent among the tree's columns. */
static int
sort_from_table(const struct pane *p)
{
	if (p->sort >= p->ops->ncols)
		return TC_NCOLS;
	return p->ops->tree_sort != NULL ? p->ops->tree_sort[p->sort] : TC_CUM;
}

void
tree_toggle(const struct pane_ctx *cx, struct pane *p)
{
	if (p->ops->ntree_eps == 0)
		return;
	struct ptree *pt = get(p);
	pt->on = !pt->on;
	if (pt->on) {
		pt->sort = sort_from_table(p);
		tree_sync(cx, p);
	} else {
		/* the trees are built again when shown again: drop them now */
		for (int i = 0; i < pt->nsrc; i++)
			src_drop(&pt->src[i]);
		pt->nrows = 0;
	}
}

void
tree_release(struct pane *p)
{
	struct ptree *pt = p->tree;

	if (pt == NULL)
		return;
	for (int i = 0; i < pt->nsrc; i++) {
		src_drop(&pt->src[i]);
		hist_reset(&pt->src[i].hist[0]);
		hist_reset(&pt->src[i].hist[1]);
	}
	free(pt->exp);
	free(pt->rows);
	free(pt->scratch);
	free(pt);
	p->tree = NULL;
}

/* ---- values, filter, flattening ---- */

static const struct tree_node *
node_of(const struct ptree *pt, struct trow r)
{
	return &pt->src[r.src].t.nodes[r.node];
}

/* Column c of a node; false when unknown (no previous poll, no baseline). */
static bool
node_value(const struct tsrc *s, const struct tree_node *n, int c, double *out)
{
	switch (c) {
	case TC_CUM:
		*out = (double)n->cum[s->vi];
		return true;
	case TC_FLAT:
		*out = (double)n->flat[s->vi];
		return true;
	case TC_DPOLL:
		*out = (double)(n->cum[s->vi] - n->prev_cum);
		return s->t.prev != NULL;
	case TC_DBASE:
		*out = (double)(n->cum[s->vi] - n->base_cum);
		return s->t.base != NULL;
	default:
		*out = 0;
		return false;
	}
}

static const struct ptree *sort_tree; /* qsort has no context argument */

static int
cmp_trows(const void *pa, const void *pb)
{
	const struct trow *ra = pa, *rb = pb;
	const struct ptree *pt = sort_tree;
	const struct tsrc *sa = &pt->src[ra->src], *sb = &pt->src[rb->src];
	const struct tree_node *a = node_of(pt, *ra), *b = node_of(pt, *rb);
	double va, vb;

	if (pt->sort < TC_NCOLS) {
		bool ka = node_value(sa, a, pt->sort, &va), kb = node_value(sb, b, pt->sort, &vb);
		if (ka != kb)
			return ka ? -1 : 1;
		if (ka && va != vb)
			return va > vb ? -1 : 1;
		if (a->cum[sa->vi] != b->cum[sb->vi])
			return a->cum[sa->vi] > b->cum[sb->vi] ? -1 : 1;
	}
	int c = strcmp(a->function, b->function);
	if (c != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return (int)ra->src - (int)rb->src;
}

static void
push_scratch(struct ptree *pt, uint32_t src, uint32_t node)
{
	if (pt->nscratch == pt->capscratch) {
		pt->capscratch = pt->capscratch ? pt->capscratch * 2 : 256;
		pt->scratch = xreallocarray(pt->scratch, pt->capscratch, sizeof(*pt->scratch));
	}
	pt->scratch[pt->nscratch++] = (struct trow){ src, node };
}

static void
push_row(struct ptree *pt, struct trow r)
{
	if (pt->nrows == pt->caprows) {
		pt->caprows = pt->caprows ? pt->caprows * 2 : 256;
		pt->rows = xreallocarray(pt->rows, pt->caprows, sizeof(*pt->rows));
	}
	pt->rows[pt->nrows++] = r;
}

static bool
kept(const struct pane_ctx *cx, const struct tsrc *s, uint32_t node)
{
	if (s->t.nodes == NULL || node >= s->t.nnodes)
		return false;
	const struct tree_node *n = &s->t.nodes[node];

	/* what holds nothing now, at the last poll and at the baseline is not
	 * listed (the heap's empty stacks; go tool pprof drops them too) */
	if (n->cum[s->vi] == 0 && n->prev_cum == 0 && n->base_cum == 0 && !(n->flags & TREE_GONE))
		return false;
	return !(cx->re != NULL) || s->keep == NULL || node >= s->nkeep || s->keep[node] != 0;
}

/* The children of the scratch entries [from, to) of one parent, sorted,
 * each followed by its own expanded children. */
static void
emit_level(const struct pane_ctx *cx, struct ptree *pt, size_t from)
{
	size_t to = pt->nscratch;

	if (to - from > 1) {
		sort_tree = pt;
		qsort(pt->scratch + from, to - from, sizeof(*pt->scratch), cmp_trows);
		sort_tree = NULL;
	}
	for (size_t i = from; i < to; i++) {
		struct trow r = pt->scratch[i];
		push_row(pt, r);
		const struct tsrc *s = &pt->src[r.src];
		const struct tree_node *n = &s->t.nodes[r.node];
		if (n->child == TREE_NONE || !is_expanded(pt, (int)r.src, n->id))
			continue;
		size_t mark = pt->nscratch;
		for (uint32_t c = n->child; c != TREE_NONE; c = s->t.nodes[c].next)
			if (kept(cx, s, c))
				push_scratch(pt, r.src, c);
		emit_level(cx, pt, mark);
		pt->nscratch = mark;
	}
}

static void
compute_keep(const struct pane_ctx *cx, struct tsrc *s)
{
	free(s->keep);
	s->keep = NULL;
	s->nkeep = 0;
	if (!(cx->re != NULL) || !s->built || s->t.nnodes == 0)
		return;
	size_t n = s->t.nnodes;
	s->keep = xcalloc(n, 1);
	s->nkeep = n;
	const char *last = NULL;
	bool last_m = false;
	for (size_t i = 0; i < n; i++) {
		const char *fn = s->t.nodes[i].function;
		if (fn != last) {
			last = fn;
			last_m = regexec(cx->re, fn, 0, NULL, 0) == 0;
		}
		if (last_m)
			s->keep[i] = 1;
	}
	/* parents come before their children */
	for (size_t i = n; i-- > 0;) {
		uint32_t par = s->t.nodes[i].parent;
		if (s->keep[i] & 3 && par != TREE_NONE)
			s->keep[par] |= 2;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t par = s->t.nodes[i].parent;
		if (par != TREE_NONE && s->keep[par] & 5)
			s->keep[i] |= 4;
	}
}

static bool
src_visible(const struct ptree *pt, int i)
{
	return pt->src[i].built && (pt->focus == 0 || pt->focus_src == i);
}

static size_t
find_row(const struct ptree *pt, int src, uint64_t id)
{
	for (size_t i = 0; i < pt->nrows; i++)
		if ((int)pt->rows[i].src == src && node_of(pt, pt->rows[i])->id == id)
			return i;
	return (size_t)-1;
}

static void
select_row(struct ptree *pt, size_t i)
{
	if (pt->nrows == 0) {
		pt->sel = 0;
		return;
	}
	if (i >= pt->nrows)
		i = pt->nrows - 1;
	pt->sel = i;
	pt->has_sel = true;
	pt->sel_src = (int)pt->rows[i].src;
	pt->sel_id = node_of(pt, pt->rows[i])->id;
	remember_path(pt);
}

static void
flatten(const struct pane_ctx *cx, struct pane *p)
{
	struct ptree *pt = p->tree;

	pt->nrows = 0;
	pt->nscratch = 0;
	for (int i = 0; i < pt->nsrc; i++) {
		if (!src_visible(pt, i))
			continue;
		const struct tsrc *s = &pt->src[i];
		for (uint32_t r = s->t.root; r != TREE_NONE; r = s->t.nodes[r].next)
			if (kept(cx, s, r))
				push_scratch(pt, (uint32_t)i, r);
	}
	emit_level(cx, pt, 0);
	/* the selection follows its node, else its nearest ancestor shown */
	size_t found = (size_t)-1;
	if (pt->has_sel) {
		found = find_row(pt, pt->sel_src, pt->sel_id);
		for (size_t k = 0; found == (size_t)-1 && k < pt->sel_depth; k++)
			found = find_row(pt, pt->sel_src, pt->sel_path[k]);
	}
	if (found != (size_t)-1) {
		/* keep the id (and its path) when it is the node itself */
		pt->sel = found;
		if (node_of(pt, pt->rows[found])->id != pt->sel_id)
			select_row(pt, found);
	} else {
		select_row(pt, pt->sel);
	}
	if (pt->top > pt->sel)
		pt->top = pt->sel;
}

void
tree_refilter(const struct pane_ctx *cx, struct pane *p)
{
	struct ptree *pt = p->tree;

	if (pt == NULL || !pt->on)
		return;
	for (int i = 0; i < pt->nsrc; i++)
		compute_keep(cx, &pt->src[i]);
	flatten(cx, p);
}

void
tree_filter_applied(const struct pane_ctx *cx, struct pane *p)
{
	struct ptree *pt = p->tree;

	if (pt == NULL || !pt->on || !(cx->re != NULL))
		return;
	/* open the paths down to the matching functions */
	for (int i = 0; i < pt->nsrc; i++) {
		struct tsrc *s = &pt->src[i];
		compute_keep(cx, s);
		for (size_t k = 0; k < s->nkeep; k++)
			if (s->keep[k] & 2 && !(s->keep[k] & 1))
				exp_set(pt, i, s->t.nodes[k].id, true);
	}
	pt->touched = true;
	flatten(cx, p);
}

/* ---- keys ---- */

static const struct tree_node *
selected(const struct ptree *pt, const struct tsrc **s)
{
	if (pt->nrows == 0 || pt->sel >= pt->nrows)
		return NULL;
	struct trow r = pt->rows[pt->sel];
	if (s != NULL)
		*s = &pt->src[r.src];
	return node_of(pt, r);
}

static void
expand_all(struct ptree *pt, int src, const struct tree *t, uint32_t i)
{
	const struct tree_node *n = &t->nodes[i];

	if (n->child == TREE_NONE)
		return;
	exp_set(pt, src, n->id, true);
	for (uint32_t c = n->child; c != TREE_NONE; c = t->nodes[c].next)
		expand_all(pt, src, t, c);
}

static void
open_detail(const struct pane_ctx *cx, struct pane *p, const struct tsrc *s,
            const struct tree_node *n)
{
	size_t cap = n->nstacks ? (size_t)n->nstacks : 1;
	size_t *idx = xreallocarray(NULL, cap, sizeof(*idx));
	size_t k = tree_node_groups(&s->t, n->id, idx, cap);

	if (k > cap)
		k = cap;
	if (k > 0)
		detail_open_groups(cx, p->index, s->ep, s->cur, idx, k, n->function);
	free(idx);
}

bool
tree_key(const struct pane_ctx *cx, struct pane *p, enum km_action a)
{
	struct ptree *pt = p->tree;
	size_t page = pt->page > 1 ? (size_t)pt->page - 1 : 1;
	const struct tsrc *s = NULL;
	const struct tree_node *n = selected(pt, &s);

	if (a != KA_SORT_PREV && a != KA_SORT_NEXT && a != KA_INVERT && a != KA_BY_LINE)
		pt->touched = true;
	size_t to;
	if (pane_nav(a, pt->sel, pt->nrows, page, &to)) {
		select_row(pt, to);
		return true;
	}
	switch (a) {
	case KA_SORT_PREV:
		pt->sort -= pt->sort > 0;
		flatten(cx, p);
		return true;
	case KA_SORT_NEXT:
		pt->sort += pt->sort < TC_NCOLS;
		flatten(cx, p);
		return true;
	case KA_ENTER:
	case KA_EXPAND:
		if (n == NULL)
			return true;
		if (n->child == TREE_NONE) {
			if (a == KA_ENTER)
				open_detail(cx, p, s, n);
			return true;
		}
		if (a == KA_ENTER && is_expanded(pt, pt->sel_src, n->id))
			exp_set(pt, pt->sel_src, n->id, false);
		else
			exp_set(pt, pt->sel_src, n->id, true);
		flatten(cx, p);
		return true;
	case KA_COLLAPSE:
		if (n == NULL)
			return true;
		if (n->child != TREE_NONE && is_expanded(pt, pt->sel_src, n->id)) {
			exp_set(pt, pt->sel_src, n->id, false);
			flatten(cx, p);
		} else if (n->parent != TREE_NONE) {
			size_t r = find_row(pt, pt->sel_src, s->t.nodes[n->parent].id);
			if (r != (size_t)-1)
				select_row(pt, r);
		}
		return true;
	case KA_EXPAND_ALL:
		if (n != NULL) {
			expand_all(pt, pt->sel_src, &s->t, (uint32_t)(n - s->t.nodes));
			flatten(cx, p);
		}
		return true;
	case KA_FOCUS:
		if (n == NULL || n->flags & TREE_GONE)
			return true;
		pt->focus = n->id;
		pt->focus_src = pt->sel_src;
		snprintf(pt->focus_fn, sizeof(pt->focus_fn), "%s", n->function);
		hist_reset(&pt->src[pt->focus_src].hist[1]);
		src_drop(&pt->src[pt->focus_src]);
		tree_sync(cx, p);
		return true;
	case KA_BACK:
		if (pt->focus == 0)
			return false;
		src_drop(&pt->src[pt->focus_src]);
		pt->focus = 0;
		tree_sync(cx, p);
		return true;
	case KA_INVERT:
	case KA_BY_LINE:
		if (a == KA_INVERT)
			pt->inverted = !pt->inverted;
		else
			pt->by_line = !pt->by_line;
		pt->focus = 0;
		reset(cx, p);
		return true;
	case KA_DETAIL:
		if (n != NULL)
			open_detail(cx, p, s, n);
		return true;
	default:
		return false;
	}
}

/* ---- drawing ---- */

static const char *const tc_title[2][TC_NCOLS] = {
	{ "CUM", "FLAT", "dPOLL", "dBASE" },
	{ "CUM", "FLAT", "\xce\x94POLL",
	  "\xce\x94"
	  "BASE" },
};

static int
col_width(const char *unit, int c)
{
	bool count = strcmp(unit, "count") == 0;

	if (c >= TC_DPOLL)
		return count ? 7 : 10;
	return count ? 7 : 9;
}

static void
cell(const struct tsrc *s, const struct tree_node *n, int c, char *buf, size_t len)
{
	double v;
	const char *unit = s->cur->vt[s->vi].unit;

	if (!node_value(s, n, c, &v))
		snprintf(buf, len, "-");
	else if (c >= TC_DPOLL)
		fmt_signed(buf, len, v, unit);
	else
		fmt_unit(buf, len, v, unit);
}

/* The node's trend: its cumulative series (per-point increases of a
 * counter), and its verdict as a row for table_mark_text. */
static size_t
node_trend(const struct tsrc *s, const struct nhist *nh, const struct tree_node *n, double *out,
           size_t max)
{
	int64_t v[HISTORY_LEN];

	if (!nh->init)
		return 0;
	size_t k = history_get(&nh->h, n->id, v, HISTORY_LEN), o = 0;
	if (!s->cur->vt[s->vi].cumulative) {
		for (size_t i = 0; i < k && o < max; i++)
			out[o++] = (double)v[i];
		return o;
	}
	for (size_t i = 1; i < k && o < max; i++)
		out[o++] = v[i] > v[i - 1] ? (double)(v[i] - v[i - 1]) : 0;
	return o;
}

static void
node_row(const struct tsrc *s, const struct nhist *nh, const struct tree_node *n, struct row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = n->id;
	r->ep = s->ep;
	if (n->flags & TREE_GONE)
		r->flags |= DIFF_GONE;
	else if (n->flags & TREE_NEW)
		r->flags |= DIFF_NEW;
	const struct trend_verdict *v = nh->init ? history_verdict(&nh->h, n->id) : NULL;
	if (v != NULL && v->growing && !(n->flags & TREE_GONE)) {
		r->flags |= ROW_GROWING;
		r->slope = v->slope;
	}
}

struct tlayout {
	int tag_x;
	int col_x[TC_NCOLS], col_w[TC_NCOLS];
	int trend_x, trend_w;
	int mark_x, mark_w;
	int name_x, name_w;
};

#define MARK_MAX 48

static const char *
unit_of(const struct ptree *pt)
{
	for (int i = 0; i < pt->nsrc; i++)
		if (pt->src[i].built)
			return pt->src[i].cur->vt[pt->src[i].vi].unit;
	return "count";
}

static void
layout(const struct pane_ctx *cx, const struct pane *p, int w, struct tlayout *L)
{
	const struct ptree *pt = p->tree;
	const char *unit = unit_of(pt);
	int x = 0;
	char buf[MARK_MAX];
	struct row r;

	L->mark_w = 1;
	for (size_t i = pt->top;
	     i < pt->nrows && i < pt->top + (size_t)(pt->page > 0 ? pt->page : 1); i++) {
		int role;
		int si = (int)pt->rows[i].src;
		node_row(&pt->src[si], &pt->src[si].hist[hist_slot(pt, si)],
		         node_of(pt, pt->rows[i]), &r);
		const char *mk = table_mark_text(cx, p, &r, &role, buf, sizeof(buf));
		int mw = text_width(mk, strlen(mk), cx->utf8);
		L->mark_w = mw > L->mark_w ? mw : L->mark_w;
	}
	L->tag_x = -1;
	if (p->ops->has_tag) {
		L->tag_x = 0;
		x = 2;
	}
	for (int c = 0; c < TC_NCOLS; c++) {
		L->col_w[c] = col_width(unit, c);
		L->col_x[c] = -1;
		if (c == TC_DBASE && w < 100)
			continue;
		L->col_x[c] = x;
		x += L->col_w[c] + 1;
	}
	int avail = w - x - 1 - L->mark_w;
	L->trend_w = 0;
	if (avail >= 36) {
		L->trend_w = avail / 4;
		if (L->trend_w > TREND_W_MAX)
			L->trend_w = TREND_W_MAX;
	}
	L->trend_x = x;
	if (L->trend_w > 0)
		x += L->trend_w + 1;
	L->mark_x = x;
	x += L->mark_w + 1;
	L->name_x = x;
	L->name_w = w - x;
}

/* "main.f" or "main.f file.go:12" (by line), indented by depth, after the
 * expansion marker. */
static void
put_name(const struct pane_ctx *cx, const struct ptree *pt, int y, const struct tlayout *L,
         const struct tsrc *s, const struct tree_node *n, int attr, int dim)
{
	int depth = (int)(n->depth < INDENT_MAX ? n->depth : INDENT_MAX);
	int ind = 2 * depth;
	const char *mk = " ";
	char loc[300];

	if (ind > L->name_w / 2)
		ind = L->name_w / 2;
	if (n->child != TREE_NONE) {
		bool open = is_expanded(pt, (int)(s - pt->src), n->id);
		mk = open ? (cx->utf8 ? "\xe2\x96\xbe" : "v") : (cx->utf8 ? "\xe2\x96\xb8" : ">");
	}
	int x = L->name_x + ind;
	int w = L->name_w - ind;
	if (w <= 2)
		return;
	ui_put(cx, y, x, 1, attr, mk);
	x += 2;
	w -= 2;
	loc[0] = '\0';
	if (pt->by_line && n->file[0] != '\0')
		snprintf(loc, sizeof(loc), "%s:%lld", label_file(n->file), (long long)n->line);
	/* the package and function, as the tables' labels (label.h); the
	 * detail has the whole import path */
	const char *fn = label_short(n->function);
	int lw = text_width(loc, strlen(loc), cx->utf8);
	int fw = text_width(fn, strlen(fn), cx->utf8);
	if (lw > 0 && fw + 1 + lw > w)
		lw = lw <= w / 3 ? lw : 0;
	int used = ui_put(cx, y, x, lw > 0 ? w - lw - 1 : w, attr, fn);
	if (lw > 0)
		ui_put(cx, y, x + used + 1, lw, dim, loc);
}

void
tree_header(const struct pane_ctx *cx, const struct pane *p, char *buf, size_t len)
{
	const struct ptree *pt = p->tree;
	const char *sort = pt->sort < TC_NCOLS ? tc_title[cx->utf8][pt->sort] : "FUNCTION";
	size_t o = (size_t)snprintf(buf, len, "tree %s%s  sort: %s",
	                            pt->inverted ? "bottom-up" : "top-down",
	                            pt->by_line ? " by line" : "", sort);

	if (pt->focus != 0 && o < len)
		o += (size_t)snprintf(buf + o, len - o, "  focus: %s", pt->focus_fn);
	if ((cx->re != NULL) && o < len)
		snprintf(buf + o, len - o, "  filter: /%s/", cx->filter);
}

void
tree_draw(const struct pane_ctx *cx, struct pane *p, int y, int h)
{
	struct ptree *pt = p->tree;
	struct tlayout L;
	int w = cx->cols;
	char buf[64], info[512], a[32];

	/* one info line: what the tree shows */
	size_t nodes = 0;
	for (int i = 0; i < pt->nsrc; i++)
		nodes += src_visible(pt, i) ? pt->src[i].t.nnodes : 0;
	const struct tsrc *s0 = NULL;
	for (int i = 0; i < pt->nsrc && s0 == NULL; i++)
		if (src_visible(pt, i))
			s0 = &pt->src[i];
	if (s0 != NULL) {
		size_t o = (size_t)snprintf(
		    info, sizeof(info), "call tree of %s (%s, %s): %zu nodes, %zu shown; total %s",
		    s0->cur->vt[s0->vi].key, pt->inverted ? "bottom-up: callers below" : "top-down",
		    pt->by_line ? "function and line" : "by function", nodes, pt->nrows,
		    fmt_unit(a, sizeof(a), (double)s0->t.totals[s0->vi], s0->cur->vt[s0->vi].unit));
		if (pt->focus != 0 && o < sizeof(info))
			snprintf(info + o, sizeof(info) - o, "; focus: %s (Esc clears)",
			         pt->focus_fn);
		ui_put(cx, y, 0, w, cx->attr[pt->focus ? R_WARN : R_INFO], info);
	} else {
		ui_put(cx, y, 0, w, cx->attr[R_INFO], "call tree: no data yet");
	}
	y++;
	h--;
	if (h <= 0)
		return;
	p->tree->page = h > 1 ? h - 1 : 1;
	if (pt->sel < pt->top)
		pt->top = pt->sel;
	if (pt->sel >= pt->top + (size_t)pt->page)
		pt->top = pt->sel - (size_t)pt->page + 1;
	if (pt->top + (size_t)pt->page > pt->nrows)
		pt->top = pt->nrows > (size_t)pt->page ? pt->nrows - (size_t)pt->page : 0;
	layout(cx, p, w, &L);

	int hdr = cx->attr[R_COLHDR];
	ui_fill(cx, y, 0, w, hdr);
	if (p->ops->has_tag)
		ui_put(cx, y, L.tag_x, 1, hdr, "K");
	for (int c = 0; c < TC_NCOLS; c++) {
		if (L.col_x[c] < 0)
			continue;
		const char *t = tc_title[cx->utf8][c];
		int tw = text_width(t, strlen(t), cx->utf8);
		int at = c == pt->sort ? cx->attr[R_SORTED] : hdr;
		ui_put(cx, y, L.col_x[c] + (L.col_w[c] > tw ? L.col_w[c] - tw : 0), L.col_w[c], at,
		       t);
	}
	if (L.trend_w > 0)
		ui_put(cx, y, L.trend_x, L.trend_w, hdr, "TREND");
	ui_put(cx, y, L.name_x, L.name_w, pt->sort >= TC_NCOLS ? cx->attr[R_SORTED] : hdr,
	       pt->inverted ? "FUNCTION  (callers below)" : "FUNCTION  (callees below)");
	y++;
	h--;
	if (pt->nrows == 0) {
		if (h > 0)
			ui_put(cx, y, 1, w - 1, cx->attr[R_DIM],
			       (cx->re != NULL) && nodes > 0 ? "no node matches the filter"
			                                     : "no stacks");
		return;
	}
	double tv[HISTORY_LEN];
	char spark[3 * TREND_W_MAX + 1];
	for (int i = 0; i < h && pt->top + (size_t)i < pt->nrows; i++) {
		size_t ri = pt->top + (size_t)i;
		struct trow tr = pt->rows[ri];
		const struct tsrc *s = &pt->src[tr.src];
		const struct tree_node *n = node_of(pt, tr);
		struct row r;
		const struct nhist *nh = &s->hist[hist_slot(pt, (int)tr.src)];
		node_row(s, nh, n, &r);
		bool sel = ri == pt->sel;
		int base = cx->attr[R_NORMAL];
		if (n->flags & TREE_GONE)
			base = cx->attr[R_GONE];
		int extra = sel ? cx->attr[R_SELECTED] : 0;
		int ry = y + i;
		if (sel)
			ui_fill(cx, ry, 0, w, base | extra);
		if (p->ops->has_tag && s->tag) {
			buf[0] = s->tag;
			buf[1] = '\0';
			ui_put(cx, ry, L.tag_x, 1, base | extra, buf);
		}
		for (int c = 0; c < TC_NCOLS; c++) {
			if (L.col_x[c] < 0)
				continue;
			cell(s, n, c, buf, sizeof(buf));
			int cw = L.col_w[c], tw = (int)strlen(buf);
			ui_put(cx, ry, L.col_x[c] + (cw > tw ? cw - tw : 0), cw, base | extra, buf);
		}
		if (L.trend_w > 0) {
			size_t k = node_trend(s, nh, n, tv, HISTORY_LEN);
			ui_spark(tv, k, L.trend_w, cx->utf8, spark, sizeof(spark));
			ui_put(cx, ry, L.trend_x, L.trend_w,
			       (n->flags & TREE_GONE ? base : cx->attr[R_SPARK]) | extra, spark);
		}
		int mrole;
		char mbuf[MARK_MAX];
		const char *mk = table_mark_text(cx, p, &r, &mrole, mbuf, sizeof(mbuf));
		ui_put(cx, ry, L.mark_x, L.mark_w, cx->attr[mrole] | extra, mk);
		put_name(cx, pt, ry, &L, s, n, base | extra,
		         ((n->flags & TREE_GONE) ? base : cx->attr[R_DIM]) | extra);
	}
}

void
tree_report(const struct pane_ctx *cx, struct pane *p, FILE *out)
{
	struct ptree *pt = p->tree;
	char buf[64];

	fprintf(out, "== %s (call tree, %s%s) ==\n", p->ops->name,
	        pt->inverted ? "bottom-up" : "top-down", pt->by_line ? ", by line" : "");
	if (p->ops->has_tag)
		fputs("K ", out);
	for (int c = 0; c < TC_NCOLS; c++) {
		const char *t = tc_title[cx->utf8][c];
		int pad = col_width(unit_of(pt), c) - text_width(t, strlen(t), cx->utf8);
		fprintf(out, "%*s%s ", pad > 0 ? pad : 0, "", t);
	}
	fputs(pt->inverted ? "FUNCTION  (callers below)\n" : "FUNCTION  (callees below)\n", out);
	for (size_t i = 0; i < pt->nrows; i++) {
		const struct tsrc *s = &pt->src[pt->rows[i].src];
		const struct tree_node *n = node_of(pt, pt->rows[i]);
		if (p->ops->has_tag)
			fprintf(out, "%c ", s->tag ? s->tag : ' ');
		for (int c = 0; c < TC_NCOLS; c++) {
			cell(s, n, c, buf, sizeof(buf));
			fprintf(out, "%*s ", col_width(s->cur->vt[s->vi].unit, c), buf);
		}
		fprintf(out, "%*s", 2 * (int)n->depth, "");
		text_write(out, n->function, cx->utf8);
		if (pt->by_line && n->file[0] != '\0') {
			fputc(' ', out);
			text_write(out, label_file(n->file), cx->utf8);
			fprintf(out, ":%lld", (long long)n->line);
		}
		fputc('\n', out);
	}
	fputc('\n', out);
}
