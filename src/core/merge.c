/* merge.c - merging one profile's snapshots across targets (see merge.h). */
#include "pproftop/merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/frametab.h"
#include "pproftop/idtab.h"
#include "pproftop/xalloc.h"

#define MAX_LABELSETS 64

/* MemStats that do not add up across replicas, and how they combine. */
enum ms_rule { MS_SUM, MS_MAX, MS_FIRST };

static const struct {
	const char *name;
	enum ms_rule rule;
} ms_rules[] = {
	{ "LastGC", MS_MAX },        /* a time stamp: the latest */
	{ "GCCPUFraction", MS_MAX }, /* a ratio: the busiest replica */
};

static enum ms_rule
ms_rule_of(const struct memstat *m)
{
	for (size_t i = 0; i < sizeof(ms_rules) / sizeof(ms_rules[0]); i++)
		if (strcmp(ms_rules[i].name, m->name) == 0)
			return ms_rules[i].rule;
	/* arrays ("[1 2 3]") and booleans have no numeric value to add */
	if (m->text[0] == '[' || strcmp(m->text, "true") == 0 || strcmp(m->text, "false") == 0)
		return MS_FIRST;
	return MS_SUM;
}

static bool
same_types(const struct snapshot *a, const struct snapshot *b)
{
	if (a->kind != b->kind || a->nvalues != b->nvalues || a->primary != b->primary)
		return false;
	for (int v = 0; v < a->nvalues; v++)
		if (strcmp(a->vt[v].key, b->vt[v].key) != 0)
			return false;
	return true;
}

static const char *
intern(struct arena *a, const char *s)
{
	return s != NULL ? arena_intern(a, s, strlen(s)) : NULL;
}

/* The frames of g (its hidden ones first) interned into t. */
static const uint32_t *
copy_frames(struct frametab *t, struct arena *a, const struct group *g)
{
	size_t n = (size_t)g->nhidden + g->nframes;
	uint32_t *f = arena_alloc_raw(a, (n ? n : 1) * sizeof(*f));

	for (size_t i = 0; i < n; i++) {
		const struct frame *src = group_frame(g, (ptrdiff_t)i - (ptrdiff_t)g->nhidden);
		f[i] =
		    frametab_intern(t, intern(a, src->function), intern(a, src->file), src->line);
	}
	return f + g->nhidden;
}

static void
add_labels(struct arena *a, struct group *dst, const struct group *src)
{
	for (const struct labelset *l = src->labels; l != NULL; l = l->next) {
		const char *t = intern(a, l->text);
		struct labelset *ls = dst->labels;
		int n = 0;
		for (; ls != NULL; ls = ls->next, n++)
			if (ls->text == t)
				break;
		if (ls == NULL) {
			if (n >= MAX_LABELSETS)
				continue;
			ls = arena_alloc(a, sizeof(*ls));
			ls->text = t;
			ls->next = dst->labels;
			dst->labels = ls;
		}
		ls->count = value_sat_add(ls->count, l->count);
	}
}

static void
add_states(struct arena *a, struct group *dst, const struct group *src)
{
	for (const struct gstate *s = group_more(src)->states; s != NULL; s = s->next) {
		const char *t = intern(a, s->state);
		struct group_more *m = group_more_edit(a, dst);
		struct gstate *gs = m->states;
		for (; gs != NULL; gs = gs->next)
			if (gs->state == t)
				break;
		if (gs == NULL) {
			gs = arena_alloc(a, sizeof(*gs));
			gs->state = t;
			gs->next = m->states;
			m->states = gs;
		}
		gs->count = value_sat_add(gs->count, s->count);
	}
}

/* The hidden PCs of a debug=1 group named by its target's symtab become
 * hidden frames (as a protobuf's): the merged model has no symtab of its
 * own. False when some PC is not named yet. */
static bool
name_hidden(struct frametab *t, struct arena *a, struct group *dst, const struct group *g,
            const struct symtab *syms)
{
	const char *names[BUILDER_HPCS_MAX];
	size_t nh = syms != NULL && g->nhidden == 0 && group_more(g)->nhpcs > 0
	                ? symtab_hidden(syms, g, names, BUILDER_HPCS_MAX)
	                : 0;

	if (nh == 0)
		return false;
	uint32_t *f = arena_alloc_raw(a, (nh + g->nframes) * sizeof(*f));
	for (size_t i = 0; i < nh; i++)
		f[i] = frametab_intern(t, intern(a, names[i]), intern(a, ""), 0);
	for (uint32_t i = 0; i < g->nframes; i++) {
		const struct frame *src = group_frame(g, i);
		f[nh + i] =
		    frametab_intern(t, intern(a, src->function), intern(a, src->file), src->line);
	}
	dst->fidx = f + nh;
	dst->nhidden = (uint32_t)nh;
	return true;
}

/* The first appearance of group g (of an input whose symtab is syms, or
 * NULL) in the merged snapshot. */
static void
group_first(struct frametab *ft, struct arena *a, struct group *dst, const struct group *g,
            size_t n, const struct symtab *syms)
{
	memset(dst, 0, sizeof(*dst));
	dst->id = g->id;
	dst->nframes = g->nframes;
	dst->label_frame = g->label_frame;
	dst->nhidden = g->nhidden;
	if (!name_hidden(ft, a, dst, g, syms))
		dst->fidx = copy_frames(ft, a, g);
	const struct group_more *gm = group_more(g);
	struct group_more *m = group_more_edit(a, dst);
	if (gm->nhpcs > 0 && dst->nhidden == 0) {
		uint64_t *h = arena_alloc(a, gm->nhpcs * sizeof(*h));
		memcpy(h, gm->hpcs, gm->nhpcs * sizeof(*h));
		m->hpcs = h;
		m->nhpcs = gm->nhpcs;
	}
	dst->pprof_handler = g->pprof_handler;
	dst->conn_reader = g->conn_reader;
	m->max_wait_minutes = gm->max_wait_minutes;
	dst->elided = g->elided;
	if (gm->created_by != NULL) {
		struct frame *cb = arena_alloc(a, sizeof(*cb));
		cb->function = intern(a, gm->created_by->function);
		cb->file = intern(a, gm->created_by->file);
		cb->line = gm->created_by->line;
		m->created_by = cb;
	}
	m->by_target = arena_alloc(a, n * sizeof(*m->by_target));
}

static void
group_add(struct arena *a, struct group *dst, const struct group *g, int nvalues, int primary,
          size_t k)
{
	for (int v = 0; v < nvalues; v++)
		dst->values[v] = value_sat_add(dst->values[v], g->values[v]);
	dst->nsamples = value_sat_add(dst->nsamples, g->nsamples);
	const struct group_more *gm = group_more(g);
	struct group_more *m = group_more_edit(a, dst);
	m->nlocked = value_sat_add(m->nlocked, gm->nlocked);
	m->nleaked = value_sat_add(m->nleaked, gm->nleaked);
	if (gm->max_wait_minutes > m->max_wait_minutes)
		m->max_wait_minutes = gm->max_wait_minutes;
	dst->elided = dst->elided || g->elided;
	add_labels(a, dst, g);
	add_states(a, dst, g);
	int64_t *bt = (int64_t *)m->by_target;
	bt[k] = value_sat_add(bt[k], g->values[primary]);
}

/* The MemStats every merged input has, combined by ms_rule_of. */
static void
merge_memstats(struct snapshot *out, const struct snapshot *const *in, size_t n)
{
	const struct snapshot *first = NULL;
	size_t nin = 0;

	for (size_t i = 0; i < n; i++)
		if (out->present[i]) {
			nin++;
			if (first == NULL)
				first = in[i];
		}
	if (first == NULL || first->nmemstats == 0)
		return;
	struct arena *a = &out->arena;
	out->memstats = arena_alloc(a, first->nmemstats * sizeof(*out->memstats));
	for (size_t j = 0; j < first->nmemstats; j++) {
		const struct memstat *m = &first->memstats[j];
		enum ms_rule rule = ms_rule_of(m);
		double v = m->value;
		size_t have = 1;
		for (size_t i = 0; i < n; i++) {
			if (!out->present[i] || in[i] == first)
				continue;
			double x;
			if (!snapshot_memstat(in[i], m->name, &x))
				continue;
			have++;
			if (rule == MS_SUM)
				v += x;
			else if (rule == MS_MAX && x > v)
				v = x;
		}
		if (have < nin)
			continue; /* not every replica reports it */
		struct memstat *o = &out->memstats[out->nmemstats++];
		o->name = intern(a, m->name);
		if (rule == MS_FIRST) {
			o->text = arena_strndup(a, m->text, strlen(m->text));
			o->value = m->value;
			continue;
		}
		char buf[64];
		if (v >= -9.0e15 && v <= 9.0e15 && v == (double)(int64_t)v)
			snprintf(buf, sizeof(buf), "%lld", (long long)(int64_t)v);
		else
			snprintf(buf, sizeof(buf), "%.6g", v);
		o->text = arena_strndup(a, buf, strlen(buf));
		o->value = v;
	}
}

/* The header fields of out from the merged inputs. */
static void
merge_headers(struct snapshot *out, const struct snapshot *const *in, size_t n)
{
	bool all_totals = true;

	out->header_total = 0;
	out->profiling_disabled = true;
	for (size_t i = 0; i < n; i++) {
		if (!out->present[i])
			continue;
		const struct snapshot *s = in[i];
		if (s->time_ns > out->time_ns)
			out->time_ns = s->time_ns;
		if (s->duration_ns > out->duration_ns)
			out->duration_ns = s->duration_ns;
		if (s->header_total < 0)
			all_totals = false;
		else
			out->header_total = value_sat_add(out->header_total, s->header_total);
		out->profiling_disabled = out->profiling_disabled && s->profiling_disabled;
		out->truncated = out->truncated || s->truncated;
		out->ngoroutines = value_sat_add(out->ngoroutines, s->ngoroutines);
		out->nsamples = value_sat_add(out->nsamples, s->nsamples);
		out->self_groups += s->self_groups;
		for (int v = 0; v < s->nvalues; v++)
			out->self_values[v] = value_sat_add(out->self_values[v], s->self_values[v]);
	}
	if (!all_totals)
		out->header_total = -1;
}

struct snapshot *
merge_snapshots(const struct snapshot *const *in, size_t n)
{
	return merge_snapshots_named(in, NULL, n);
}

struct snapshot *
merge_snapshots_named(const struct snapshot *const *in, const struct symtab *const *syms, size_t n)
{
	const struct snapshot *first = NULL;

	for (size_t i = 0; i < n && first == NULL; i++)
		first = in[i];
	if (first == NULL)
		return NULL;

	struct snapshot *s = xcalloc(1, sizeof(*s));
	struct arena *a = &s->arena;
	arena_init(a);
	s->refs = 1;
	s->name = intern(a, first->name);
	s->kind = first->kind;
	s->format = first->format;
	s->nvalues = first->nvalues;
	s->primary = first->primary;
	for (int v = 0; v < s->nvalues; v++) {
		s->vt[v] = first->vt[v];
		s->vt[v].key = intern(a, first->vt[v].key);
		s->vt[v].unit = intern(a, first->vt[v].unit);
	}
	s->period_type = intern(a, first->period_type);
	s->period_unit = intern(a, first->period_unit);
	s->period = first->period;
	s->delta = first->delta;
	s->cycles_per_second = first->cycles_per_second;
	s->sampling_period = first->sampling_period;
	s->heap_rate = first->heap_rate;
	/* one assumed scaling makes the merged numbers assumed too */
	s->scaling = first->scaling;
	for (size_t i = 0; i < n; i++)
		if (in[i] != NULL && in[i]->scaling == SCALING_ASSUMED)
			s->scaling = SCALING_ASSUMED;
	s->ntargets = n;
	bool *present = arena_alloc(a, n * sizeof(*present));
	size_t cap = 0;
	for (size_t i = 0; i < n; i++) {
		present[i] = in[i] != NULL && same_types(first, in[i]);
		if (present[i])
			cap += in[i]->ngroups;
	}
	s->present = present;

	/* groups by id: at most every input group, indexed as they come */
	struct group *groups = xcalloc(cap ? cap : 1, sizeof(*groups));
	size_t ng = 0, tabsize = idtab_size(cap);
	uint32_t *tab = xcalloc(tabsize, sizeof(*tab));
	struct frametab ft;
	frametab_init(&ft);
	for (size_t k = 0; k < n; k++) {
		if (!present[k])
			continue;
		for (size_t i = 0; i < in[k]->ngroups; i++) {
			const struct group *g = &in[k]->groups[i];
			size_t j = idtab_find(tab, tabsize, groups, sizeof(*groups), g->id);
			if (j == IDTAB_NONE) {
				j = ng++;
				group_first(&ft, a, &groups[j], g, n,
				            syms != NULL ? syms[k] : NULL);
				idtab_add(tab, tabsize, groups, sizeof(*groups), j);
			}
			group_add(a, &groups[j], g, s->nvalues, s->primary, k);
		}
	}
	free(tab);
	const struct frame *frames = frametab_take(&ft, a);
	for (size_t j = 0; j < ng; j++)
		groups[j].ftab = frames;
	frametab_free(&ft);
	s->ngroups = ng;
	s->groups = arena_alloc(a, (ng ? ng : 1) * sizeof(*s->groups));
	if (ng > 0)
		memcpy(s->groups, groups, ng * sizeof(*groups));
	free(groups);
	snapshot_seal(s);
	merge_headers(s, in, n);
	merge_memstats(s, in, n);
	return s;
}

bool
merge_present(const struct snapshot *s, size_t i)
{
	if (s->present == NULL)
		return i == 0;
	return i < s->ntargets && s->present[i];
}

void
merge_state_init(struct merge_state *st, size_t n)
{
	st->n = n;
	st->seen = xcalloc(n * EP_COUNT + 1, sizeof(*st->seen));
	st->merges = 0;
}

void
merge_state_free(struct merge_state *st)
{
	free(st->seen);
	memset(st, 0, sizeof(*st));
}

/* What merged says about e besides its data: from the targets'. */
static void
merge_status(struct endpoint *dst, const struct model *const *in, size_t n, enum ep_id e)
{
	bool missing = true, no_records = true;

	dst->latency = 0;
	dst->bytes = 0;
	for (size_t i = 0; i < n; i++) {
		const struct endpoint *ep = &in[i]->ep[e];
		missing = missing && ep->missing;
		no_records = no_records && ep->no_records;
		if (ep->latency > dst->latency)
			dst->latency = ep->latency;
		dst->bytes += ep->bytes;
	}
	dst->missing = missing;
	dst->no_records = no_records;
}

/* CPU windows are merged a round at a time: once every target whose lane
 * answers (its last window did not fail; a first window still in flight
 * counts) has a window the last CPU merge did not see, so the merged window is each target's latest
 * over the same stretch of time, not one target's new window beside the
 * others' old ones. */
static bool
cpu_round(const struct merge_state *st, const struct model *const *in)
{
	size_t fresh = 0;

	for (size_t i = 0; i < st->n; i++) {
		const struct endpoint *ep = &in[i]->ep[EP_CPU];
		bool seen = st->seen[(size_t)EP_CPU * st->n + i] == ep->polls;
		if (!seen)
			fresh++;
		else if (ep->nerr == 0)
			return false; /* its next (or first) window is still to come */
	}
	return fresh > 0;
}

size_t
merge_update(struct merge_state *st, struct model *merged, const struct model *const *in,
             double now)
{
	/* MemStats first: the heap's meters and rates read them */
	static const enum ep_id order[] = { EP_MEMSTATS,      EP_GOROUTINE, EP_HEAP,
		                            EP_ALLOCS,        EP_BLOCK,     EP_MUTEX,
		                            EP_GOROUTINELEAK, EP_DUMP,      EP_CPU };
	const struct snapshot **cur = xcalloc(st->n + 1, sizeof(const struct snapshot *));
	const struct symtab **syms = xcalloc(st->n + 1, sizeof(const struct symtab *));
	size_t merged_eps = 0;

	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		enum ep_id e = order[k];
		bool changed = false;
		if (e == EP_CPU && !cpu_round(st, in)) {
			merge_status(&merged->ep[e], in, st->n, e);
			continue;
		}
		for (size_t i = 0; i < st->n; i++) {
			const struct endpoint *ep = &in[i]->ep[e];
			cur[i] = ep->cur;
			syms[i] = &in[i]->syms;
			if (st->seen[(size_t)e * st->n + i] != ep->polls) {
				st->seen[(size_t)e * st->n + i] = ep->polls;
				changed = true;
			}
		}
		struct snapshot *s = changed ? merge_snapshots_named(cur, syms, st->n) : NULL;
		if (s != NULL && model_ingest_snapshot(merged, e, s, now) == 0)
			merged_eps++;
		merge_status(&merged->ep[e], in, st->n, e);
	}
	/* the profiles the index lists: the first target's that has them */
	for (size_t i = 0; i < st->n; i++)
		if (in[i]->nindex > 0) {
			memcpy(merged->index_names, in[i]->index_names,
			       sizeof(merged->index_names));
			memcpy(merged->index_counts, in[i]->index_counts,
			       sizeof(merged->index_counts));
			merged->nindex = in[i]->nindex;
			break;
		}
	free(cur);
	free(syms);
	if (merged_eps > 0)
		st->merges++;
	return merged_eps;
}
