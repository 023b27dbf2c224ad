/* pane_detail.c - one group in full: its values now and over time, labels,
 * creator, goroutine states (dumps), and the whole stack with the label
 * frame marked. The detail follows the group id across polls; when the
 * group disappears it says since when and keeps its last known state (a
 * snapshot reference keeps that alive). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "pane.h"
#include "pproftop/format.h"
#include "pproftop/symtab.h"
#include "pproftop/xalloc.h"

/* Lines go either to the screen (scrolled into [y, y + h)) or to a file. */
struct out {
	const struct pane_ctx *cx;
	FILE *f;
	int y, h, top;
	int line;  /* lines emitted so far */
	int fncol; /* width of the function column of frames */
};

static void emit(struct out *o, int attr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
emit(struct out *o, int attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	if (o->f != NULL) {
		text_write(o->f, buf, o->cx->utf8);
		fputc('\n', o->f);
	} else {
		int row = o->line - o->top;
		if (row >= 0 && row < o->h)
			ui_put(o->cx, o->y + row, 0, o->cx->cols, attr, buf);
	}
	o->line++;
}

/* A frame: marker, function, then file:line (left-truncated on screen). */
static void
emit_frame(struct out *o, const char *mark, int attr, const struct frame *f)
{
	char loc[600];

	if (f->file[0] != '\0')
		snprintf(loc, sizeof(loc), "%s:%lld", f->file, (long long)f->line);
	else
		loc[0] = '\0';
	if (o->f != NULL) {
		fprintf(o->f, "%s ", mark);
		text_write(o->f, f->function, o->cx->utf8);
		fputs("  ", o->f);
		text_write(o->f, loc, o->cx->utf8);
		fputc('\n', o->f);
		o->line++;
		return;
	}
	int row = o->line - o->top;
	o->line++;
	if (row < 0 || row >= o->h)
		return;
	const struct pane_ctx *cx = o->cx;
	int y = o->y + row, w = cx->cols;
	/* functions in a column as wide as the longest (but the location keeps
	 * at least a third of the screen); locations after it */
	int locw = text_width(loc, strlen(loc), cx->utf8);
	int fnw = w - 4 - 2 - w / 3;
	if (o->fncol > 0 && o->fncol < fnw)
		fnw = o->fncol;
	if (locw > w - 4 - fnw - 2)
		locw = w - 4 - fnw - 2;
	char fit[4 * 512 + 8];
	ui_put(cx, y, 1, 2, attr, mark);
	ui_put(cx, y, 4, fnw, attr, f->function);
	if (locw) {
		text_fit(loc, strlen(loc), locw, true, cx->utf8, fit, sizeof(fit));
		ui_put(cx, y, 4 + fnw + 2, locw, cx->attr[R_DIM], fit);
	}
}

static const char *
pane_name(const struct detail *d)
{
	return ep_info(d->ep)->title;
}

/* The history of the group's primary value; cumulative ones as per-poll
 * increases. */
static size_t
history_series(const struct pane_ctx *cx, const struct detail *d, bool *cumulative, int64_t *raw,
               size_t *nraw, double *out)
{
	const struct history *h = cx->view->ep[d->ep].hist;
	const struct snapshot *s = d->snap;
	size_t n = h ? history_get(h, d->id, raw, HISTORY_LEN) : 0;

	*nraw = n;
	*cumulative = s->vt[s->primary].cumulative;
	if (!*cumulative) {
		for (size_t i = 0; i < n; i++)
			out[i] = (double)raw[i];
		return n;
	}
	size_t k = 0;
	for (size_t i = 1; i < n; i++)
		out[k++] = raw[i] > raw[i - 1] ? (double)(raw[i] - raw[i - 1]) : 0;
	return k;
}

static void
emit_values(struct out *o, const struct detail *d)
{
	const struct pane_ctx *cx = o->cx;
	const struct view_ep *ve = &cx->view->ep[d->ep];
	const struct snapshot *s = d->snap;
	const struct diff_row *dr = ve->d ? diff_find(ve->d, d->id) : NULL;
	const struct diff_row *br = ve->dbase ? diff_find(ve->dbase, d->id) : NULL;
	char a[32], b[32], c[32], e[64], r[32];

	for (int v = 0; v < s->nvalues; v++) {
		const struct value_type *vt = &s->vt[v];
		double now = d->gone ? 0 : (double)d->g->values[v];
		fmt_unit(a, sizeof(a), now, vt->unit);
		if (dr != NULL)
			fmt_signed(b, sizeof(b), (double)dr->delta[v], vt->unit);
		else
			snprintf(b, sizeof(b), "-");
		if (br != NULL)
			fmt_signed(c, sizeof(c), (double)br->delta[v], vt->unit);
		else
			snprintf(c, sizeof(c), "-");
		e[0] = '\0';
		if (vt->cumulative && dr != NULL && ve->d->dt > 0 && !(dr->flags & DIFF_GONE))
			snprintf(e, sizeof(e), "  rate %s",
			         fmt_rate(r, sizeof(r), diff_row_rate(ve->d, dr, v), vt->unit));
		emit(o, A_NORMAL, "  %-14s %10s   %s poll %-10s %s base %-10s%s", vt->key, a,
		     cx->utf8 ? "\xce\x94" : "d", b, cx->utf8 ? "\xce\x94" : "d", c, e);
	}
	if (d->ep == EP_HEAP) {
		const struct diff *ad = cx->view->ep[EP_ALLOCS].d;
		int ab = ad ? snapshot_value_index(ad->now, "alloc_bytes") : -1;
		const struct diff_row *ar = ab >= 0 ? diff_find(ad, d->id) : NULL;
		if (ar != NULL && ad->dt > 0)
			emit(o, A_NORMAL, "  %-14s %10s", "alloc rate",
			     fmt_rate(a, sizeof(a), diff_row_rate(ad, ar, ab), "bytes"));
	}
	if (d->gone)
		emit(o, cx->attr[R_DIM], "  (last known: %s %s)", s->vt[s->primary].key,
		     fmt_unit(a, sizeof(a), (double)d->g->values[s->primary],
		              s->vt[s->primary].unit));
}

static void
emit_history(struct out *o, const struct detail *d)
{
	const struct pane_ctx *cx = o->cx;
	const struct snapshot *s = d->snap;
	int64_t raw[HISTORY_LEN];
	double v[HISTORY_LEN];
	size_t nraw;
	bool cum;
	size_t n = history_series(cx, d, &cum, raw, &nraw, v);
	char spark[3 * 40 + 1], line[600], a[32];

	if (n == 0) {
		emit(o, cx->attr[R_DIM], "  no history yet");
		return;
	}
	ui_spark(v, n, n < 40 ? (int)n : 40, cx->utf8, spark, sizeof(spark));
	emit(o, A_NORMAL, "  %s%s over %zu %s: %s", s->vt[s->primary].key, cum ? " per poll" : "",
	     n, d->ep == EP_HEAP ? "GC cycles" : "points", spark);
	size_t first = n > 8 ? n - 8 : 0, l = 0;
	l += (size_t)snprintf(line + l, sizeof(line) - l, "  last values:");
	for (size_t i = first; i < n && l < sizeof(line); i++)
		l += (size_t)snprintf(line + l, sizeof(line) - l, " %s",
		                      fmt_unit(a, sizeof(a), v[i], s->vt[s->primary].unit));
	emit(o, A_NORMAL, "%s", line);
	if (cum)
		return;
	const struct history *h = cx->view->ep[d->ep].hist;
	struct trend_verdict full;
	const struct trend_verdict *tv = h && history_judge(h, d->id, &full) ? &full : NULL;
	if (tv != NULL) {
		trend_explain(line, sizeof(line), tv, h->window,
		              d->ep == EP_HEAP ? "GC cycles" : "points", s->vt[s->primary].unit);
		emit(o, tv->growing ? cx->attr[R_GROWING] : (int)A_NORMAL, "  %s%s",
		     tv->growing        ? (cx->utf8 ? "\xe2\x96\xb2 " : "^ ")
		     : trend_judged(tv) ? ""
		                        : "growth: ",
		     line);
	}
	if (d->ep == EP_GOROUTINE && cx->view->ep[EP_GOROUTINELEAK].cur != NULL) {
		const struct group *lg = snapshot_find(cx->view->ep[EP_GOROUTINELEAK].cur, d->id);
		if (lg != NULL && lg->values[0] > 0)
			emit(o, cx->attr[R_GROWING],
			     "  %s %lld leaked: blocked where nothing else can reach "
			     "(goroutineleak)",
			     cx->utf8 ? "\xe2\x9c\x96" : "x", (long long)lg->values[0]);
		else
			emit(o, A_NORMAL, "  none proven leaked by the last goroutineleak check");
	}
	if (cx->m == NULL || (d->ep != EP_GOROUTINE && d->ep != EP_HEAP))
		return;
	bool heap = d->ep == EP_HEAP;
	for (size_t i = 0; i < cx->m->nlinks; i++) {
		const struct growth_link *gl = &cx->m->links[i];
		if ((heap ? gl->hid : gl->gid) != d->id)
			continue;
		const struct history *oh = cx->view->ep[heap ? EP_GOROUTINE : EP_HEAP].hist;
		const struct trend_verdict *ov =
		    oh ? history_verdict(oh, heap ? gl->gid : gl->hid) : NULL;
		emit(o, cx->attr[R_GROWING], "  also growing in the %s: %s through %s",
		     heap ? "goroutines" : "heap",
		     ov ? fmt_per_min(a, sizeof(a), ov->slope, heap ? "count" : "bytes") : "?",
		     gl->function);
	}
}

#define MAX_LABELSETS 64

/* "states: chan receive x3; ..." plus waits, locked threads and leaks */
static void
emit_states(struct out *o, const struct group *g)
{
	const struct group_more *m = group_more(g);
	const struct pane_ctx *cx = o->cx;
	char line[600];
	size_t l = (size_t)snprintf(line, sizeof(line), "  states:");

	for (const struct gstate *st = m->states; st != NULL && l < sizeof(line); st = st->next)
		l += (size_t)snprintf(line + l, sizeof(line) - l, " %s %s%lld;", st->state,
		                      cx->utf8 ? "\xc3\x97" : "x", (long long)st->count);
	if (m->max_wait_minutes > 0 && l < sizeof(line))
		l += (size_t)snprintf(line + l, sizeof(line) - l, " longest wait %lld min;",
		                      (long long)m->max_wait_minutes);
	if (m->nlocked > 0 && l < sizeof(line))
		l += (size_t)snprintf(line + l, sizeof(line) - l, " %lld locked to a thread;",
		                      (long long)m->nlocked);
	if (m->nleaked > 0 && l < sizeof(line))
		snprintf(line + l, sizeof(line) - l, " %lld marked leaked by the runtime;",
		         (long long)m->nleaked);
	emit(o, A_NORMAL, "%s", line);
}

/* most frequent label set first */
static int
cmp_labelsets(const void *pa, const void *pb)
{
	const struct labelset *a = *(const struct labelset *const *)pa;
	const struct labelset *b = *(const struct labelset *const *)pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->text, b->text);
}

/* Profiles keep at most 32 (Go <= 1.22) or 128 frames of a stack, leaf
 * first; the dump keeps up to 100. A deep stack therefore has another id in
 * the dump: match the dump's groups whose leaf frames are this group's
 * frames, and show their states together. */
static bool
frames_prefix(const struct group *deep, const struct group *g)
{
	if (g->nframes == 0 || deep->nframes < g->nframes)
		return false;
	for (uint32_t i = 0; i < g->nframes; i++)
		if (group_frame(deep, i)->line != group_frame(g, i)->line ||
		    strcmp(group_frame(deep, i)->function, group_frame(g, i)->function) != 0 ||
		    strcmp(group_frame(deep, i)->file, group_frame(g, i)->file) != 0)
			return false;
	return true;
}

static void
emit_dump_deeper(struct out *o, const struct snapshot *dump, const struct group *g)
{
	const struct pane_ctx *cx = o->cx;
	const struct group *m[4];
	size_t nm = 0, groups = 0;
	long long n = 0;
	char a[32];

	for (size_t i = 0; i < dump->ngroups; i++) {
		const struct group *dg = &dump->groups[i];
		if (!frames_prefix(dg, g))
			continue;
		if (nm < 4)
			m[nm++] = dg;
		groups++;
		n += (long long)group_more(dg)->ngoids;
	}
	if (groups == 0)
		return;
	emit(o, cx->attr[R_TITLE],
	     "from the goroutine dump (D) taken %s ago: %lld goroutines in %zu deeper stack%s "
	     "(the profile cut this one at its depth limit)",
	     fmt_age(a, sizeof(a), cx->now - cx->view->m->ep[EP_DUMP].last_ok), n, groups,
	     groups == 1 ? "" : "s");
	for (size_t i = 0; i < nm; i++)
		emit_states(o, m[i]);
	if (groups > nm)
		emit(o, cx->attr[R_DIM], "  ... and %zu more stacks", groups - nm);
}

#define NODE_STACKS_MAX 50

/* The stacks under a call tree node: each one's values and frames,
 * heaviest first. */
static void
emit_groups(struct out *o)
{
	const struct pane_ctx *cx = o->cx;
	const struct detail *d = cx->detail;
	const struct snapshot *s = d->snap;
	char a[32];
	size_t shown = 0, gone = 0;
	int64_t total = 0;

	for (size_t i = 0; i < d->nids; i++) {
		const struct group *g = snapshot_find(s, d->ids[i]);
		if (g == NULL)
			gone++;
		else
			total += g->values[s->primary];
	}
	emit(o, cx->attr[R_TITLE], "%s %s %s: %zu stacks under this call tree node, %s %s",
	     pane_name(d), cx->utf8 ? "\xe2\x80\xba" : ">", d->title, d->nids - gone,
	     s->vt[s->primary].key, fmt_unit(a, sizeof(a), (double)total, s->vt[s->primary].unit));
	if (gone > 0)
		emit(o, cx->attr[R_WARN], "%zu of them gone since the node was opened", gone);
	for (size_t i = 0; i < d->nids && shown < NODE_STACKS_MAX; i++) {
		const struct group *g = snapshot_find(s, d->ids[i]);
		if (g == NULL)
			continue;
		shown++;
		o->fncol = 0;
		for (uint32_t k = 0; k < g->nframes; k++) {
			int fw = text_width(group_frame(g, k)->function,
			                    strlen(group_frame(g, k)->function), cx->utf8);
			o->fncol = fw > o->fncol ? fw : o->fncol;
		}
		emit(o, cx->attr[R_TITLE], "stack %zu: %s %s, %u frame%s, leaf first", shown,
		     s->vt[s->primary].key,
		     fmt_unit(a, sizeof(a), (double)g->values[s->primary], s->vt[s->primary].unit),
		     g->nframes, g->nframes == 1 ? "" : "s");
		for (uint32_t k = 0; k < g->nframes; k++)
			emit_frame(o, " ", cx->attr[R_NORMAL], group_frame(g, k));
	}
	if (d->nids - gone > shown)
		emit(o, cx->attr[R_DIM], "... and %zu more stacks", d->nids - gone - shown);
}

/* The whole stack, leaf first: the runtime frames that are not part of the
 * group's identity too; the label frame and the frame that tells the row
 * apart from rows with the same label are marked. */
static void
emit_stack(struct out *o, const struct group *g)
{
	const struct pane_ctx *cx = o->cx;
	const struct detail *d = cx->detail;
	const char *lmark = cx->utf8 ? "\xe2\x96\xb6" : ">";
	const char *amark = cx->utf8 ? "\xe2\x86\x90" : "<";
	uint32_t n = g->nhidden + g->nframes;
	uint32_t af_i = d->apart != LABEL_NONE ? LABEL_FRAME(d->apart) : UINT32_MAX;
	bool apart = af_i < g->nframes;
	char text[600];

	if (d->ep == EP_GOROUTINE) {
		const struct snapshot *s = d->snap;
		const char *st = label_state_named(g, s != NULL ? s->format : FMT_TEXT,
		                                   cx->view->m != NULL ? &cx->view->m->syms : NULL);
		if (st[0] != '\0')
			emit(o, cx->attr[R_TITLE], "state: %s (from the stack's runtime frames)",
			     st);
	}
	/* the debug=1 text's hidden runtime frames, named by the target's
	 * /debug/pprof/symbol (no file or line) */
	const char *hn[BUILDER_HPCS_MAX];
	size_t nhn = group_more(g)->nhpcs > 0 && cx->view->m != NULL
	                 ? symtab_hidden(&cx->view->m->syms, g, hn, BUILDER_HPCS_MAX)
	                 : 0;
	if (nhn > 0) {
		emit(o, cx->attr[R_DIM],
		     "  %zu runtime frame%s the text leaves out, named by /debug/pprof/symbol:",
		     nhn, nhn == 1 ? "" : "s");
		for (size_t k = 0; k < nhn; k++)
			emit(o, cx->attr[R_DIM], "    %s", hn[k]);
	}
	emit(o, cx->attr[R_TITLE], "stack (%u frame%s, leaf first; %s marks the label frame)%s", n,
	     n == 1 ? "" : "s", lmark, g->elided ? " (elided)" : "");
	if (apart)
		emit(o, cx->attr[R_DIM], "  %s where it differs from the other rows: %s", amark,
		     label_text(g, d->apart, cx->utf8, text, sizeof(text)));
	if (g->nhidden > 0)
		emit(o, cx->attr[R_DIM],
		     "  the first %u (runtime) frame%s not part of the group's identity",
		     g->nhidden, g->nhidden == 1 ? " is" : "s are");
	for (uint32_t k = 0; k < n; k++) {
		const struct frame *f = group_frame(g, (ptrdiff_t)(k) - (ptrdiff_t)g->nhidden);
		bool own = k >= g->nhidden;
		uint32_t i = k - g->nhidden;
		bool lf = own && i == g->label_frame, af = own && apart && i == af_i;
		emit_frame(o, lf ? lmark : (af ? amark : " "),
		           lf || af ? cx->attr[R_LABEL_FRAME]
		                    : (own ? cx->attr[R_NORMAL] : cx->attr[R_DIM]),
		           f);
	}
}

static const int64_t *sort_values; /* cmp_targets' by_target */

/* Heaviest first, then in the targets' order. */
static int
cmp_targets(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const int64_t *v = sort_values;

	if (v[a] != v[b])
		return v[a] > v[b] ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* A merged group (several targets): its value on each target, heaviest
 * first, down targets marked. */
static void
emit_by_target(struct out *o, const struct detail *d)
{
	const struct pane_ctx *cx = o->cx;
	const struct snapshot *s = d->snap;
	const struct group *g = d->g;
	size_t n = cx->ntargets;
	char a[32];

	if (group_more(g)->by_target == NULL || n == 0 || s->ntargets != n)
		return;
	size_t *order = xcalloc(n, sizeof(*order));
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	sort_values = group_more(g)->by_target;
	qsort(order, n, sizeof(*order), cmp_targets);
	int w = 0;
	for (size_t i = 0; i < n; i++) {
		int tw = text_width(cx->target_names[i], strlen(cx->target_names[i]), cx->utf8);
		w = tw > w ? tw : w;
	}
	w = w > 60 ? 60 : w;
	emit(o, cx->attr[R_TITLE], "by target (%s, %s%s)", s->vt[s->primary].key,
	     d->gone ? "last known" : "now", "; heaviest first");
	for (size_t j = 0; j < n; j++) {
		size_t i = order[j];
		bool present = s->present != NULL && s->present[i];
		bool down = cx->target_down != NULL && cx->target_down[i];
		emit(o, down ? cx->attr[R_WARN] : (int)A_NORMAL, "  %-*s %10s%s", w,
		     cx->target_names[i],
		     present ? fmt_unit(a, sizeof(a), (double)group_more(g)->by_target[i],
		                        s->vt[s->primary].unit)
		             : "-",
		     down ? (present ? "  down: its last data (stale)" : "  down")
		          : (present ? "" : "  (no such profile)"));
	}
	free(order);
}

static void
emit_all(struct out *o)
{
	const struct pane_ctx *cx = o->cx;
	const struct detail *d = cx->detail;
	const struct group *g = d->g;
	char a[32];

	if (d->nids > 1) {
		emit_groups(o);
		return;
	}

	emit(o, cx->attr[R_TITLE], "%s %s %s", pane_name(d), cx->utf8 ? "\xe2\x80\xba" : ">",
	     ui_label_fn(g));
	if (d->gone)
		emit(o, cx->attr[R_WARN], "group gone since %s ago; showing its last known stack",
		     fmt_age(a, sizeof(a), cx->now - d->gone_since));
	emit(o, cx->attr[R_TITLE], "values");
	emit_values(o, d);
	emit_by_target(o, d);
	emit_history(o, d);
	if (g->labels != NULL) {
		const struct labelset *ls[MAX_LABELSETS];
		size_t n = 0;
		for (const struct labelset *l = g->labels; l != NULL && n < MAX_LABELSETS;
		     l = l->next)
			ls[n++] = l;
		qsort(ls, n, sizeof(const struct labelset *), cmp_labelsets);
		emit(o, cx->attr[R_TITLE], "labels");
		for (size_t i = 0; i < n; i++)
			emit(o, A_NORMAL, "  %s %s%lld", ls[i]->text, cx->utf8 ? "\xc3\x97" : "x",
			     (long long)ls[i]->count);
	}
	if (group_more(g)->states != NULL)
		emit_states(o, g);
	/* a goroutine dump fetched on demand (D) tells states, waits and creator */
	const struct snapshot *dump = cx->view->ep[EP_DUMP].cur;
	const struct group *dg = NULL;
	if (d->ep == EP_GOROUTINE && dump != NULL && (dg = snapshot_find_stack(dump, g)) == NULL)
		emit_dump_deeper(o, dump, g);
	if (d->ep == EP_GOROUTINE && dump != NULL && dg != NULL) {
		const struct group_more *dm = group_more(dg);
		const struct endpoint *de = &cx->view->m->ep[EP_DUMP];
		emit(o, cx->attr[R_TITLE],
		     "from the goroutine dump (D) taken %s ago: %lld goroutines",
		     fmt_age(a, sizeof(a), cx->now - de->last_ok), (long long)dm->ngoids);
		emit_states(o, dg);
		char ids[300];
		size_t l = (size_t)snprintf(ids, sizeof(ids), "  goroutine ids:");
		for (size_t i = 0; i < dm->ngoids && i < 16 && l < sizeof(ids); i++)
			l += (size_t)snprintf(ids + l, sizeof(ids) - l, " %lld",
			                      (long long)dm->goids[i]);
		if (dm->ngoids > 16 && l < sizeof(ids))
			snprintf(ids + l, sizeof(ids) - l, " ... (%zu more)", dm->ngoids - 16);
		emit(o, A_NORMAL, "%s", ids);
	}
	/* the creator the dump knows, when the profile form has none */
	const struct frame *creator = group_more(g)->created_by != NULL ? group_more(g)->created_by
	                              : dg != NULL                      ? group_more(dg)->created_by
	                                                                : NULL;
	/* functions in one column, locations aligned after the longest */
	o->fncol = 0;
	for (uint32_t i = 0; i < g->nhidden + g->nframes; i++) {
		const char *fn = group_frame(g, (ptrdiff_t)(i) - (ptrdiff_t)g->nhidden)->function;
		int fw = text_width(fn, strlen(fn), cx->utf8);
		if (fw > o->fncol)
			o->fncol = fw;
	}
	if (creator != NULL) {
		const char *fn = creator->function;
		int fw = text_width(fn, strlen(fn), cx->utf8);
		if (fw > o->fncol)
			o->fncol = fw;
	}
	if (creator != NULL) {
		emit(o, cx->attr[R_TITLE], "created by");
		emit_frame(o, " ", A_NORMAL, creator);
	}
	emit_stack(o, g);
}

void
detail_open(const struct pane_ctx *cx, int from, const struct row *r)
{
	struct detail *d = cx->detail;

	detail_close(cx);
	d->active = true;
	d->from = from;
	d->ep = r->ep;
	d->id = r->id;
	/* snapshots are refcounted and immutable: a reference through the
	 * const row is by design */
	d->snap = snapshot_ref((struct snapshot *)r->snap);
	d->g = r->g;
	d->gone = (r->flags & DIFF_GONE) != 0;
	d->gone_since = cx->m ? cx->m->ep[r->ep].t_cur : 0;
	d->apart = r->apart;
	d->top = 0;
}

void
detail_open_groups(const struct pane_ctx *cx, int from, enum ep_id ep, const struct snapshot *s,
                   const size_t *groups, size_t n, const char *title)
{
	struct detail *d = cx->detail;

	if (n == 0)
		return;
	const struct group *g = &s->groups[groups[0]];
	struct row r = { .id = g->id, .g = g, .snap = s, .ep = ep };
	detail_open(cx, from, &r);
	if (n == 1)
		return;
	d->ids = xreallocarray(NULL, n, sizeof(*d->ids));
	for (size_t i = 0; i < n; i++)
		d->ids[i] = s->groups[groups[i]].id;
	d->nids = n;
	snprintf(d->title, sizeof(d->title), "%s", title);
}

void
detail_close(const struct pane_ctx *cx)
{
	struct detail *d = cx->detail;

	free(d->ids);
	snapshot_free(d->snap);
	memset(d, 0, sizeof(*d));
}

void
detail_refresh(const struct pane_ctx *cx)
{
	struct detail *d = cx->detail;

	if (!d->active)
		return;
	const struct snapshot *s = cx->view->ep[d->ep].cur;
	if (d->nids > 1) {
		/* the node's stacks are found again in the newest snapshot */
		if (s != NULL && s != d->snap) {
			snapshot_free(d->snap);
			d->snap = snapshot_ref((struct snapshot *)s);
		}
		return;
	}
	const struct group *g = s ? snapshot_find(s, d->id) : NULL;
	if (g != NULL) {
		struct snapshot *old = d->snap;
		d->snap = snapshot_ref((struct snapshot *)s);
		d->g = g;
		d->gone = false;
		snapshot_free(old);
	} else if (!d->gone) {
		d->gone = true;
		d->gone_since = cx->m->ep[d->ep].t_cur;
	}
}

void
detail_draw(const struct pane_ctx *cx, int y, int h)
{
	struct detail *d = cx->detail;
	struct out o = { .cx = cx, .y = y, .h = h, .top = d->top };

	emit_all(&o);
	d->nlines = o.line;
	if (d->top > 0 && d->top > d->nlines - h) {
		/* scrolled past the end (the content shrank): redraw clamped */
		d->top = d->nlines - h > 0 ? d->nlines - h : 0;
		for (int i = 0; i < h; i++)
			ui_fill(cx, y + i, 0, cx->cols, A_NORMAL);
		o = (struct out){ .cx = cx, .y = y, .h = h, .top = d->top };
		emit_all(&o);
	}
}

bool
detail_key(const struct pane_ctx *cx, enum km_action a)
{
	struct detail *d = cx->detail;
	int page = cx->body_h > 2 ? cx->body_h - 1 : 1;
	int max = d->nlines - cx->body_h > 0 ? d->nlines - cx->body_h : 0;

	switch (a) {
	case KA_BACK: /* back to the pane it came from (ui.c) */
		detail_close(cx);
		return true;
	case KA_UP:
		d->top--;
		break;
	case KA_DOWN:
		d->top++;
		break;
	case KA_PGUP:
		d->top -= page;
		break;
	case KA_PGDN:
		d->top += page;
		break;
	case KA_HOME:
		d->top = 0;
		break;
	case KA_END:
		d->top = max;
		break;
	default:
		return false;
	}
	if (d->top > max)
		d->top = max;
	if (d->top < 0)
		d->top = 0;
	return true;
}

void
detail_report(const struct pane_ctx *cx, FILE *out)
{
	struct out o = { .cx = cx, .f = out };

	fputs("== Detail ==\n", out);
	emit_all(&o);
	fputc('\n', out);
}

static void
detail_pane_draw(const struct pane_ctx *cx, struct pane *p, int y, int h)
{
	detail_draw(cx, y, h);
}

static bool
detail_pane_key(const struct pane_ctx *cx, struct pane *p, enum km_action a)
{
	return detail_key(cx, a);
}

const struct pane_ops pane_detail_ops = {
	.name = "Detail",
	.draw = detail_pane_draw,
	.key = detail_pane_key,
};
