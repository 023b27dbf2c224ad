/* pane_table.c - the table machinery shared by the goroutine, heap and
 * contention panes: rows, sorting, the regex filter, a selection that
 * follows its group id, drawing and the plain-text report. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "pane.h"
#include "pproftop/format.h"
#include "pproftop/xalloc.h"

#define NO_INDEX ((size_t)-1)
#define TREND_MAX 40

struct row *
table_add(struct pane *p)
{
	if (p->nrows == p->caprows) {
		p->caprows = p->caprows ? p->caprows * 2 : 64;
		p->rows = xreallocarray(p->rows, p->caprows, sizeof(*p->rows));
	}
	struct row *r = &p->rows[p->nrows++];
	memset(r, 0, sizeof(*r));
	return r;
}

void
table_reserve(struct pane *p, size_t n)
{
	size_t need = p->nrows + n;

	/* exactly: a pane of 20,000 groups holds 20,000 rows, not 32,768 (and
	 * gives back what a larger profile of before needed) */
	if (need > p->caprows || p->caprows - need > need / 4 + 64) {
		p->caprows = need > 0 ? need : 1;
		p->rows = xreallocarray(p->rows, p->caprows, sizeof(*p->rows));
	}
}

size_t
table_trend_history(const struct pane_ctx *cx, const struct row *r, double *out, size_t max)
{
	int64_t v[HISTORY_LEN];
	const struct history *h = cx->view->ep[r->ep].hist;
	size_t n = h ? history_get(h, r->id, v, max < HISTORY_LEN ? max : HISTORY_LEN) : 0;

	for (size_t i = 0; i < n; i++)
		out[i] = (double)v[i];
	return n;
}

void
table_mark_verdict(const struct pane_ctx *cx, struct row *r)
{
	const struct history *h = cx->view->ep[r->ep].hist;
	const struct trend_verdict *v = h ? history_verdict(h, r->id) : NULL;

	if (v != NULL && v->growing) {
		r->flags |= ROW_GROWING;
		r->slope = v->slope;
		if (cx->m != NULL && model_link_of(cx->m, r->id, r->ep == EP_HEAP) != NULL)
			r->flags |= ROW_LINKED;
	}
}

void
pane_add_info(struct pane *p, enum ui_role r, const char *fmt, ...)
{
	va_list ap;

	if (p->ninfo >= PANE_MAX_INFO)
		return;
	va_start(ap, fmt);
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start is above
	vsnprintf(p->info[p->ninfo], sizeof(p->info[0]), fmt, ap);
	va_end(ap);
	p->info_role[p->ninfo++] = r;
}

void
pane_add_verdicts(const struct pane_ctx *cx, struct pane *p, enum ep_id e, const char *unit)
{
	const struct history *h = cx->view->ep[e].hist;
	const char *up = cx->utf8 ? "\xe2\x96\xb2" : "^";
	const char *what = e == EP_HEAP ? "GC cycles" : "points";
	double window = h ? h->window : HISTORY_WINDOW_DEFAULT;
	char line[512], a[48];
	size_t growing = 0, o = 0;
	const struct trend_verdict *waiting = NULL;
	bool judged = false;
	int64_t leaked = 0;
	size_t nleaked = 0;

	if (h == NULL)
		return;
	for (size_t i = 0; i < p->nrows; i++) {
		const struct row *r = &p->rows[i];
		if (r->flags & ROW_LEAKED) {
			leaked += r->leaked;
			nleaked++;
		}
		const struct trend_verdict *v = history_verdict(h, r->id);
		if (v == NULL)
			continue;
		judged |= trend_judged(v);
		if (!trend_judged(v) && (waiting == NULL || v->span > waiting->span))
			waiting = v;
		if (!(r->flags & ROW_GROWING))
			continue;
		if (growing++ < 3 && o < sizeof(line))
			o += (size_t)snprintf(line + o, sizeof(line) - o, "%s %s %s",
			                      growing > 1 ? "," : ":", ui_label_fn(r->g),
			                      fmt_per_min(a, sizeof(a), r->slope, unit));
	}
	if (growing > 3 && o < sizeof(line))
		snprintf(line + o, sizeof(line) - o, ", ...");
	if (growing)
		pane_add_info(p, R_WARN, "%s %zu group%s growing%s (%.0f s window; Enter explains)",
		              up, growing, growing == 1 ? "" : "s", line, window);
	else if (!judged && waiting != NULL) {
		trend_explain(line, sizeof(line), waiting, window, what, unit);
		/* the budget spaced the fetches so far apart that the window can
		 * never hold enough points: say which window would */
		double apart = cx->interval * (cx->stretch > 1 ? cx->stretch : 1) *
		               (cx->every[e] > 1 ? cx->every[e] : 1);
		size_t n = strlen(line);
		if (e != EP_HEAP && (TREND_MIN_POINTS - 1) * apart > window && n < sizeof(line))
			snprintf(line + n, sizeof(line) - n,
			         "; fetched every %.0f s to spare the target: --window %.0f judges",
			         apart, ceil(TREND_MIN_POINTS * apart));
		pane_add_info(p, R_DIM, "growth: %s", line);
	} else if (judged)
		pane_add_info(p, R_DIM, "no group growing over the last %.0f s", window);
	if (nleaked > 0) {
		double age = cx->now - cx->m->ep[EP_GOROUTINELEAK].t_cur;
		pane_add_info(p, R_WARN,
		              "%s %lld goroutine%s in %zu group%s proven leaked by the runtime "
		              "(goroutineleak, %s ago): blocked where nothing else can reach",
		              cx->utf8 ? "\xe2\x9c\x96" : "x", (long long)leaked,
		              leaked == 1 ? "" : "s", nleaked, nleaked == 1 ? "" : "s",
		              fmt_age(a, sizeof(a), age));
	}
	const struct growth_link *l = cx->m->nlinks ? &cx->m->links[0] : NULL;
	if (l != NULL)
		pane_add_info(
		    p, R_WARN, "%s%s grows in both the goroutine and the heap pane through %s%s",
		    up, up, l->function, cx->m->nlinks > 1 ? " (and more: Enter explains)" : "");
	const struct diff *d = cx->view->ep[e].d;
	if (!cx->view->frozen && cx->m->ep[e].old_process)
		pane_add_info(p, R_WARN,
		              "the target restarted: these rows are the old process's until its "
		              "next answer");
	else if (d != NULL && d->restarted)
		pane_add_info(p, R_WARN, "the target restarted: baseline reset");
}

bool
pane_no_data(const struct pane_ctx *cx, struct pane *p, enum ep_id e, const char *what)
{
	const struct endpoint *ep = &cx->m->ep[e];

	if (cx->view->ep[e].cur != NULL)
		return false;
	if (ep->missing)
		pane_add_info(p, R_WARN, "%s: the target does not serve /debug/pprof/%s", what,
		              model_query(cx->m, e));
	else if (ep->err[0] != '\0')
		pane_add_info(p, R_WARN, "%s: no data: %s", what, ep->err);
	else
		pane_add_info(p, R_INFO, "%s: waiting for the first poll", what);
	return true;
}

/* ---- sort, filter, selection ---- */

static const struct pane *sort_pane; /* qsort has no context argument */

static int
cmp_col(const struct row *a, const struct row *b, int c)
{
	bool ka = a->known & (1u << c), kb = b->known & (1u << c);

	if (ka != kb)
		return ka ? -1 : 1;
	if (ka && a->v[c] != b->v[c])
		return a->v[c] > b->v[c] ? -1 : 1;
	return 0;
}

static int
cmp_name(const struct row *a, const struct row *b)
{
	int c = strcmp(ui_label_fn(a->g), ui_label_fn(b->g));

	if (c != 0)
		return c;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return (int)a->ep - (int)b->ep;
}

static int
cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	const struct pane_ops *o = sort_pane->ops;
	int c;

	if (sort_pane->sort < o->ncols) {
		c = cmp_col(a, b, sort_pane->sort);
		if (c != 0)
			return c;
		if (o->tiebreak >= 0 && o->tiebreak != sort_pane->sort) {
			c = cmp_col(a, b, o->tiebreak);
			if (c != 0)
				return c;
		}
	}
	return cmp_name(a, b);
}

static bool
row_matches(const struct pane_ctx *cx, const struct row *r)
{
	if (!(cx->re != NULL))
		return true;
	for (uint32_t i = 0; i < r->g->nframes; i++)
		if (regexec(cx->re, group_frame(r->g, i)->function, 0, NULL, 0) == 0)
			return true;
	return false;
}

static void
select_vis(struct pane *p, size_t i)
{
	if (p->nvis == 0) {
		p->sel = 0;
		return;
	}
	if (i >= p->nvis)
		i = p->nvis - 1;
	p->sel = i;
	const struct row *r = &p->rows[p->vis[i]];
	p->has_sel = true;
	p->sel_id = r->id;
	p->sel_ep = r->ep;
}

void
table_refilter(const struct pane_ctx *cx, struct pane *p)
{
	sort_pane = p;
	if (p->nrows > 1)
		qsort(p->rows, p->nrows, sizeof(*p->rows), cmp_rows);
	sort_pane = NULL;

	if (p->capvis < p->nrows) {
		p->capvis = p->nrows;
		p->vis = xreallocarray(p->vis, p->capvis, sizeof(*p->vis));
	}
	p->nvis = 0;
	p->nlive = 0;
	p->known_cols = 0;
	size_t found = NO_INDEX;
	for (size_t i = 0; i < p->nrows; i++) {
		const struct row *r = &p->rows[i];
		p->known_cols |= r->known;
		if (!row_matches(cx, r))
			continue;
		if (p->has_sel && r->id == p->sel_id && r->ep == p->sel_ep)
			found = p->nvis;
		p->vis[p->nvis++] = i;
		p->nlive += !(r->flags & DIFF_GONE);
	}
	/* the selection stays on the top row until the user moves it; then it
	 * follows its group, and when the group left the table the row that
	 * took its place is selected */
	select_vis(p, !p->moved ? 0 : found != NO_INDEX ? found : p->sel);
	if (p->top > p->sel)
		p->top = p->sel;
}

/* Rows that would read alike get the frame that tells them apart
 * (label_apart), goroutine rows their wait state, and every row the width
 * of its label (for the layout of every draw). */
static void
mark_labels(const struct pane_ctx *cx, struct pane *p)
{
	char text[600];

	const struct group **g =
	    xreallocarray(NULL, p->nrows ? p->nrows : 1, sizeof(const struct group *));
	uint32_t *apart = xreallocarray(NULL, p->nrows ? p->nrows : 1, sizeof(*apart));

	for (size_t i = 0; i < p->nrows; i++)
		g[i] = p->rows[i].g;
	label_apart(g, p->nrows, apart);
	for (size_t i = 0; i < p->nrows; i++) {
		struct row *r = &p->rows[i];
		r->apart = apart[i];
		label_text(r->g, r->apart, cx->utf8, text, sizeof(text));
		r->label_w = text_width(text, strlen(text), cx->utf8);
		r->label_loc_w = r->label_w;
		if (r->g->nframes > 0) {
			const struct frame *f = group_frame(r->g, r->g->label_frame);
			r->label_loc_w += 1 + (int)strlen(label_file(f->file)) + 1 + 6;
		}
		if (p->ops->has_state)
			r->state =
			    label_state_named(r->g, r->snap != NULL ? r->snap->format : FMT_TEXT,
			                      cx->m != NULL ? &cx->m->syms : NULL);
	}
	free(g);
	free(apart);
}

void
table_rebuild(const struct pane_ctx *cx, struct pane *p)
{
	p->nrows = 0;
	p->ninfo = 0;
	p->nempty = 0;
	snapshot_free(p->own);
	p->own = NULL;
	if (cx->m != NULL) {
		p->ops->rows(cx, p);
		p->ops->info(cx, p);
	}
	mark_labels(cx, p);
	table_refilter(cx, p);
	tree_sync(cx, p);
}

const struct row *
table_selected(const struct pane *p)
{
	if (p->nvis == 0 || p->sel >= p->nvis)
		return NULL;
	return &p->rows[p->vis[p->sel]];
}

/* An optional column that no row knows is not shown, nor sorted by. */
static bool
col_hidden(const struct pane *p, int c)
{
	return c < p->ops->ncols && p->ops->cols[c].optional && !(p->known_cols & (1u << c));
}

bool
pane_nav(enum km_action a, size_t sel, size_t n, size_t page, size_t *to)
{
	switch (a) {
	case KA_UP:
		*to = sel > 0 ? sel - 1 : 0;
		return true;
	case KA_DOWN:
		*to = sel + 1;
		return true;
	case KA_PGUP:
		*to = sel > page ? sel - page : 0;
		return true;
	case KA_PGDN:
		*to = sel + page;
		return true;
	case KA_HOME:
		*to = 0;
		return true;
	case KA_END:
		*to = n ? n - 1 : 0;
		return true;
	default:
		return false;
	}
}

bool
table_key(const struct pane_ctx *cx, struct pane *p, enum km_action a)
{
	size_t page = p->page > 1 ? (size_t)p->page - 1 : 1;

	size_t to;

	if (pane_nav(a, p->sel, p->nvis, page, &to)) {
		/* moving makes the selection follow its group; Home goes back
		 * to following the top row */
		p->moved = a != KA_HOME;
		select_vis(p, to);
		return true;
	}
	switch (a) {
	case KA_SORT_PREV:
		do
			p->sort -= p->sort > 0;
		while (p->sort > 0 && col_hidden(p, p->sort));
		table_refilter(cx, p);
		return true;
	case KA_SORT_NEXT:
		do
			p->sort += p->sort < p->ops->ncols;
		while (p->sort < p->ops->ncols && col_hidden(p, p->sort));
		table_refilter(cx, p);
		return true;
	default:
		return false;
	}
}

const char *
table_sort_name(const struct pane_ctx *cx, const struct pane *p)
{
	if (p->sort >= p->ops->ncols)
		return "FUNCTION";
	const struct column *c = &p->ops->cols[p->sort];
	return cx->utf8 ? c->title : c->ascii_title;
}

/* ---- cells ---- */

static void
cell_text(const struct column *c, const struct row *r, int i, char *buf, size_t len)
{
	if (!(r->known & (1u << i))) {
		snprintf(buf, len, "-");
		return;
	}
	switch (c->style) {
	case CS_PLAIN:
		fmt_unit(buf, len, r->v[i], c->unit);
		break;
	case CS_SIGNED:
		fmt_signed(buf, len, r->v[i], c->unit);
		break;
	case CS_RATE:
		fmt_rate(buf, len, r->v[i], c->unit);
		break;
	}
}

/* The mark of a row: ▲ and the slope per minute on growing rows (▲▲ when
 * it grows in both the goroutine and the heap pane), ✖ on proven leaks,
 * + new, - gone. buf holds the text when it is not a constant. */
const char *
table_mark_text(const struct pane_ctx *cx, const struct pane *p, const struct row *r, int *role,
                char *buf, size_t len)
{
	const char *up = cx->utf8 ? "\xe2\x96\xb2" : "^"; /* ▲ */

	if (r->flags & ROW_GROWING) {
		char slope[48];
		*role = R_GROWING;
		if (p->ops->slope_unit == NULL)
			return up;
		fmt_per_min(slope, sizeof(slope), r->slope, p->ops->slope_unit);
		snprintf(buf, len, "%s%s %s", up, r->flags & ROW_LINKED ? up : "", slope);
		return buf;
	}
	if (r->flags & ROW_LEAKED) {
		*role = R_GROWING;
		return cx->utf8 ? "\xe2\x9c\x96" : "x"; /* ✖ */
	}
	if (r->flags & DIFF_NEW) {
		*role = R_NEW;
		return "+";
	}
	if (r->flags & DIFF_GONE) {
		*role = R_GONE;
		return "-";
	}
	*role = R_NORMAL;
	return " ";
}

static size_t
row_trend(const struct pane_ctx *cx, const struct pane *p, const struct row *r, double *v,
          size_t max)
{
	if (p->ops->trend == NULL)
		return 0;
	return p->ops->trend(cx, r, v, max);
}

#define STATE_MAX 14
#define TREND_MIN 6

/* The STATE column: as wide as its widest text among the shown rows; none
 * when no row knows its state. */
static int
state_width(const struct pane *p)
{
	int w = 0;

	if (!p->ops->has_state)
		return 0;
	for (size_t i = 0; i < p->nvis; i++) {
		const char *st = p->rows[p->vis[i]].state;
		int n = st != NULL ? (int)strlen(st) : 0;
		w = n > w ? n : w;
	}
	if (w == 0)
		return 0;
	w = w < 5 ? 5 : w; /* "STATE" */
	return w > STATE_MAX ? STATE_MAX : w;
}

/* The widest shown label: its function (and the frame that tells it
 * apart) in *need_out, with its file:line in *need_loc_out; labels wider
 * than limit, cut whatever the other columns do, do not count. */
static void
label_need(const struct pane *p, int limit, int *need_out, int *need_loc_out)
{
	int need = 0, need_loc = 0;

	for (size_t i = 0; i < p->nvis; i++) {
		const struct row *r = &p->rows[p->vis[i]];
		if (r->label_w > limit)
			continue;
		need = r->label_w > need ? r->label_w : need;
		if (r->label_loc_w <= limit)
			need_loc = r->label_loc_w > need_loc ? r->label_loc_w : need_loc;
	}
	*need_out = need;
	*need_loc_out = need_loc;
}

/* Labels come first: the trend takes a third of what is left, at most what
 * the longest shown label leaves free (with its file:line, or else its
 * function and the frame that tells it apart: need_loc, need); narrower
 * than TREND_MIN, it is hidden. */
static int
trend_width(int need, int need_loc, int avail)
{
	int tw = avail / 3;
	if (tw > TREND_MAX)
		tw = TREND_MAX;
	if (tw > avail - 1 - need_loc)
		tw = avail - 1 - need_loc;
	if (tw < TREND_MIN)
		tw = avail - 1 - need < TREND_MIN ? 0 : TREND_MIN;
	return tw;
}

/* Column x positions for a table of total width w. */
struct table_layout {
	int tag_x;
	int col_x[PANE_MAX_COLS];
	int trend_x, trend_w;
	int state_x, state_w;
	int mark_x, mark_w;
	int name_x, name_w;
};

#define MARK_MAX 48

static void
layout(const struct pane_ctx *cx, const struct pane *p, int w, struct table_layout *L)
{
	const struct pane_ops *o = p->ops;
	int x = 0;
	char buf[MARK_MAX];

	/* the mark is as wide as its widest text among the shown rows */
	L->mark_w = 1;
	for (size_t i = 0; i < p->nvis; i++) {
		const struct row *r = &p->rows[p->vis[i]];
		int role;
		const char *mk = table_mark_text(cx, p, r, &role, buf, sizeof(buf));
		int mw = text_width(mk, strlen(mk), cx->utf8);
		L->mark_w = mw > L->mark_w ? mw : L->mark_w;
	}
	L->tag_x = -1;
	if (o->has_tag) {
		L->tag_x = 0;
		x = 2;
	}
	for (int c = 0; c < o->ncols; c++) {
		L->col_x[c] = -1;
		if (w < o->cols[c].min_screen || col_hidden(p, c))
			continue;
		L->col_x[c] = x;
		x += o->cols[c].width + 1;
	}
	int need = 0, need_loc = 0;
	label_need(p, w - x - L->mark_w - 1, &need, &need_loc);
	/* the state goes before a function name is cut */
	L->state_w = state_width(p);
	if (L->state_w > 0 && w - x - L->state_w - 1 - L->mark_w - 1 < need)
		L->state_w = 0;
	L->state_x = x;
	if (L->state_w > 0)
		x += L->state_w + 1;
	int avail = w - x - 1 - L->mark_w;
	L->trend_w = 0;
	if (o->trend != NULL && avail >= 36)
		L->trend_w = trend_width(need, need_loc, avail);
	L->trend_x = x;
	if (L->trend_w > 0)
		x += L->trend_w + 1;
	L->mark_x = x;
	x += L->mark_w + 1;
	L->name_x = x;
	L->name_w = w - x;
}

void
table_draw(const struct pane_ctx *cx, struct pane *p, int y, int h)
{
	const struct pane_ops *o = p->ops;
	struct table_layout L;
	int w = cx->cols;
	char buf[64];

	layout(cx, p, w, &L);

	int ninfo = p->ninfo;
	if (ninfo > h - 3)
		ninfo = h - 3 > 0 ? h - 3 : 0;
	for (int i = 0; i < ninfo; i++)
		ui_put(cx, y + i, 0, w, cx->attr[p->info_role[i]], p->info[i]);
	y += ninfo;
	h -= ninfo;
	if (h <= 0)
		return;

	/* column titles */
	int hdr = cx->attr[R_COLHDR];
	ui_fill(cx, y, 0, w, hdr);
	if (o->has_tag)
		ui_put(cx, y, L.tag_x, 1, hdr, "K");
	for (int c = 0; c < o->ncols; c++) {
		if (L.col_x[c] < 0)
			continue;
		const char *t = cx->utf8 ? o->cols[c].title : o->cols[c].ascii_title;
		int tw = text_width(t, strlen(t), cx->utf8);
		int cw = o->cols[c].width;
		int at = c == p->sort ? cx->attr[R_SORTED] : hdr;
		ui_put(cx, y, L.col_x[c] + (cw > tw ? cw - tw : 0), cw, at, t);
	}
	if (L.state_w > 0)
		ui_put(cx, y, L.state_x, L.state_w, hdr, "STATE");
	if (L.trend_w > 0)
		ui_put(cx, y, L.trend_x, L.trend_w, hdr, "TREND");
	ui_put(cx, y, L.name_x, L.name_w, p->sort >= o->ncols ? cx->attr[R_SORTED] : hdr,
	       "FUNCTION  FILE:LINE");
	y++;
	h--;

	p->page = h > 0 ? h : 1;
	if (p->nvis == 0) {
		if (h > 0 && p->nrows > 0 && (cx->re != NULL))
			ui_put(cx, y, 1, w - 1, cx->attr[R_DIM], "no group matches the filter");
		else if (h > 0 && p->nrows == 0 && p->ninfo == 0)
			ui_put(cx, y, 1, w - 1, cx->attr[R_DIM], "no groups");
		return;
	}
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + (size_t)h)
		p->top = p->sel - (size_t)h + 1;
	if (p->top + (size_t)h > p->nvis)
		p->top = p->nvis > (size_t)h ? p->nvis - (size_t)h : 0;

	double tv[HISTORY_LEN];
	char spark[3 * TREND_MAX + 1];
	for (int i = 0; i < h && p->top + (size_t)i < p->nvis; i++) {
		size_t vi = p->top + (size_t)i;
		const struct row *r = &p->rows[p->vis[vi]];
		bool sel = vi == p->sel;
		int base = cx->attr[R_NORMAL];
		if (r->flags & DIFF_GONE)
			base = cx->attr[R_GONE];
		else if (r->flags & DIFF_NEW)
			base = cx->attr[R_NEW];
		int extra = sel ? cx->attr[R_SELECTED] : 0;
		int ry = y + i;
		if (sel)
			ui_fill(cx, ry, 0, w, base | extra);
		if (o->has_tag) {
			buf[0] = ' ';
			if (r->tag)
				buf[0] = r->tag;
			buf[1] = '\0';
			ui_put(cx, ry, L.tag_x, 1, base | extra, buf);
		}
		for (int c = 0; c < o->ncols; c++) {
			if (L.col_x[c] < 0)
				continue;
			cell_text(&o->cols[c], r, c, buf, sizeof(buf));
			int cw = o->cols[c].width, tw = (int)strlen(buf);
			ui_put(cx, ry, L.col_x[c] + (cw > tw ? cw - tw : 0), cw, base | extra, buf);
		}
		if (L.state_w > 0)
			ui_put(cx, ry, L.state_x, L.state_w, base | extra,
			       r->state != NULL && r->state[0] ? r->state : "-");
		if (L.trend_w > 0) {
			size_t n = row_trend(cx, p, r, tv, HISTORY_LEN);
			ui_spark(tv, n, L.trend_w, cx->utf8, spark, sizeof(spark));
			ui_put(cx, ry, L.trend_x, L.trend_w,
			       (r->flags & DIFF_GONE ? base : cx->attr[R_SPARK]) | extra, spark);
		}
		int mrole;
		char mbuf[MARK_MAX];
		const char *mk = table_mark_text(cx, p, r, &mrole, mbuf, sizeof(mbuf));
		ui_put(cx, ry, L.mark_x, L.mark_w, cx->attr[mrole] | extra, mk);
		ui_put_label(cx, ry, L.name_x, L.name_w, base | extra,
		             ((r->flags & DIFF_GONE) ? base : cx->attr[R_DIM]) | extra, r->g,
		             r->apart);
	}
}

/* ---- report ---- */

void
table_report(const struct pane_ctx *cx, struct pane *p, FILE *out)
{
	const struct pane_ops *o = p->ops;
	char buf[64];
	double tv[HISTORY_LEN];
	char spark[3 * 16 + 1];

	fprintf(out, "== %s ==\n", o->name);
	for (int i = 0; i < p->ninfo; i++) {
		text_write(out, p->info[i], cx->utf8);
		fputc('\n', out);
	}
	if (o->has_tag)
		fputs("K ", out);
	for (int c = 0; c < o->ncols; c++) {
		if (col_hidden(p, c))
			continue;
		const char *t = cx->utf8 ? o->cols[c].title : o->cols[c].ascii_title;
		int pad = o->cols[c].width - text_width(t, strlen(t), cx->utf8);
		fprintf(out, "%*s%s ", pad > 0 ? pad : 0, "", t);
	}
	if (o->has_state)
		fprintf(out, "%-*s ", STATE_MAX, "STATE");
	fprintf(out, "%-16s   FUNCTION  FILE:LINE\n", "TREND");
	for (size_t i = 0; i < p->nrows; i++) {
		const struct row *r = &p->rows[i];
		if (o->has_tag)
			fprintf(out, "%c ", r->tag ? r->tag : ' ');
		for (int c = 0; c < o->ncols; c++) {
			if (col_hidden(p, c))
				continue;
			cell_text(&o->cols[c], r, c, buf, sizeof(buf));
			fprintf(out, "%*s ", o->cols[c].width, buf);
		}
		if (o->has_state)
			fprintf(out, "%-*s ", STATE_MAX,
			        r->state != NULL && r->state[0] ? r->state : "-");
		size_t n = row_trend(cx, p, r, tv, HISTORY_LEN);
		ui_spark(tv, n, 16, cx->utf8, spark, sizeof(spark));
		int mrole;
		char mbuf[MARK_MAX];
		const char *mk = table_mark_text(cx, p, r, &mrole, mbuf, sizeof(mbuf));
		fprintf(out, "%s %s ", spark, mk);
		char text[1200];
		text_write(out, label_text(r->g, r->apart, cx->utf8, text, sizeof(text)), cx->utf8);
		if (r->g->nframes > 0) {
			const struct frame *f = group_frame(r->g, r->g->label_frame);
			fputc(' ', out);
			text_write(out, label_file(f->file), cx->utf8);
			fprintf(out, ":%lld", (long long)f->line);
		}
		fputc('\n', out);
	}
	if (p->nrows == 0)
		fputs("(no groups)\n", out);
	fputc('\n', out);
}

void
table_free(struct pane *p)
{
	tree_release(p);
	snapshot_free(p->own);
	p->own = NULL;
	free(p->rows);
	free(p->vis);
	p->rows = NULL;
	p->vis = NULL;
	p->nrows = p->caprows = p->nvis = p->capvis = 0;
}
