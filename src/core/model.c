/* model.c - live state of a watched target (see model.h). */
#include "pproftop/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/cost.h"
#include "pproftop/hexdigit.h"
#include "pproftop/parse.h"
#include "pproftop/xalloc.h"

void
model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	symtab_init(&m->syms);
	m->evict_after = 30;
	m->window = HISTORY_WINDOW_DEFAULT;
	m->rate_window = MODEL_RATE_WINDOW;
	m->rtt_s = -1;
	for (int e = 0; e < EP_COUNT; e++) {
		history_init(&m->ep[e].hist, m->evict_after);
		m->ep[e].missing = ep_info(e)->needs_index; /* until the index lists it */
		m->ep[e].gc_pt = -1;
		m->ep[e].service_s = -1;
		m->ep[e].form = m->ep[e].want =
		    ep_info(e)->query[FORM_TEXT] != NULL ? FORM_TEXT : FORM_PROTO;
	}
	/* the panes and the JSON show verdicts for these two */
	history_set_judged(&m->ep[EP_GOROUTINE].hist, true);
	history_set_judged(&m->ep[EP_HEAP].hist, true);
	history_set_cover(&m->ep[EP_HEAP].hist, TREND_COVER_HEAP);
}

void
model_set_window(struct model *m, double window)
{
	if (window <= 0)
		return;
	m->window = window;
	for (int e = 0; e < EP_COUNT; e++)
		history_set_window(&m->ep[e].hist, window);
}

/* Element k of a printed MemStats array ("[1 2 3]"), e.g. PauseNs. */
static bool
memstat_at(const struct snapshot *s, const char *name, long k, double *out)
{
	for (size_t i = 0; i < s->nmemstats; i++) {
		if (strcmp(s->memstats[i].name, name) != 0)
			continue;
		const char *p = s->memstats[i].text;
		if (*p != '[' || k < 0)
			return false;
		p++;
		for (long j = 0; *p && *p != ']'; j++) {
			while (*p == ' ')
				p++;
			char *end;
			double v = strtod(p, &end);
			if (end == p)
				return false;
			if (j == k) {
				*out = v;
				return true;
			}
			p = end;
		}
		return false;
	}
	return false;
}

/* The pause of the n-th GC from the last (0: the last): its entry in a
 * 256-slot MemStats ring (PauseNs, PauseEnd) indexed by NumGC. */
static bool
gc_ring_at(const struct snapshot *s, const char *name, double numgc, long back, double *out)
{
	/* NaN and absurd counts from a hostile target: no cast out of range */
	if (!(numgc >= (double)back + 1 && numgc < 1e15) || back > 255)
		return false;
	return memstat_at(s, name, ((long)numgc - 1 - back) % 256, out);
}

/* Drops the points and rate anchors (a restart, or the end). */
static void
points_reset(struct endpoint *ep)
{
	if (ep->has_dw)
		diff_free(&ep->dw);
	ep->has_dw = false;
	snapshot_free(ep->pt);
	snapshot_free(ep->wa);
	snapshot_free(ep->wb);
	ep->pt = ep->wa = ep->wb = NULL;
	ep->t_pt = ep->t_wa = ep->t_wb = 0;
	ep->gc_pt = -1;
}

/* The anchor rates are measured from: the older one, or the newer one
 * while it is not the newest point itself. */
static struct snapshot *
rate_anchor(const struct endpoint *ep, double *t, double *gc)
{
	if (ep->wa != NULL) {
		*t = ep->t_wa;
		*gc = ep->gc_wa;
		return ep->wa;
	}
	if (ep->wb != NULL && ep->wb != ep->pt) {
		*t = ep->t_wb;
		*gc = ep->gc_wb;
		return ep->wb;
	}
	return NULL;
}

/* Whether s has a cumulative value: only then are rates measured from it. */
static bool
has_rates(const struct snapshot *s)
{
	for (int v = 0; v < s->nvalues; v++)
		if (s->vt[v].cumulative)
			return true;
	return false;
}

/* A new point s at time t: the history gets it, the anchors leapfrog, the
 * windowed diff is recomputed. A profile of levels only (goroutine,
 * threadcreate) has no rates: it keeps no anchors and no windowed diff, so
 * that no more of its snapshots are held than the diffs need. */
static void
point_add(struct model *m, struct endpoint *ep, struct snapshot *s, double t, double gc)
{
	history_push(&ep->hist, s, s->primary, t);
	if (!has_rates(s)) {
		snapshot_free(ep->wa);
		snapshot_free(ep->wb);
		ep->wa = ep->wb = NULL;
	} else if (ep->wb == NULL) {
		ep->wb = snapshot_ref(s);
		ep->t_wb = t;
		ep->gc_wb = gc;
	} else if (t - ep->t_wb >= m->rate_window / 2) {
		snapshot_free(ep->wa);
		ep->wa = ep->wb;
		ep->t_wa = ep->t_wb;
		ep->gc_wa = ep->gc_wb;
		ep->wb = snapshot_ref(s);
		ep->t_wb = t;
		ep->gc_wb = gc;
	}
	snapshot_free(ep->pt);
	ep->pt = snapshot_ref(s);
	ep->t_pt = t;
	ep->gc_pt = gc;
	ep->npoints++;
	if (ep->has_dw)
		diff_free(&ep->dw);
	double ta, gca;
	const struct snapshot *an = rate_anchor(ep, &ta, &gca);
	ep->has_dw = an != NULL && t > ta && diff_compute(&ep->dw, an, s, t - ta) == 0;
}

/* The same GC cycle's heap profile: the same totals. Not the same number of
 * groups: the runtime adds zero-valued records for new allocation sites
 * between GCs. */
static bool
same_totals(const struct snapshot *a, const struct snapshot *b)
{
	if (a->nvalues != b->nvalues)
		return false;
	for (int v = 0; v < a->nvalues; v++)
		if (a->totals[v] != b->totals[v])
			return false;
	return true;
}

/* When the heap that profile s describes was measured, on the poll clock.
 * The runtime publishes at the end of GC N the profile as of GC N-1
 * (allocations made since then are not in it yet, so that they have had a
 * chance to be freed): the time is GC N-1's, MemStats PauseEnd one before
 * the last (LastGC when the ring is not printed), shifted by the offset
 * between the target's clock and ours, estimated from the profile's own
 * time stamp (the middle of the request). Falls back to now when the
 * MemStats read does not know this cycle yet (read before it, or not at
 * all). */
static double
cycle_time(const struct model *m, const struct endpoint *ep, const struct snapshot *s, double now,
           double latency, double *gc)
{
	const struct endpoint *ms = &m->ep[EP_MEMSTATS];
	double last_gc, numgc;

	*gc = -1;
	if (ms->cur == NULL || !snapshot_memstat(ms->cur, "NumGC", &numgc) ||
	    !snapshot_memstat(ms->cur, "LastGC", &last_gc) || last_gc <= 0)
		return now;
	double prev_end;
	if (gc_ring_at(ms->cur, "PauseEnd", numgc, 1, &prev_end) && prev_end > 0 &&
	    prev_end <= last_gc)
		last_gc = prev_end;
	if (ep->gc_pt >= 0 && numgc <= ep->gc_pt)
		return now; /* MemStats were read before this cycle */
	*gc = numgc;
	double offset = 0; /* our clock minus the target's */
	if (s->time_ns > 0)
		offset = now - latency / 2 - (double)s->time_ns / 1e9;
	double t = last_gc / 1e9 + offset;
	return t <= now && t > ep->t_pt ? t : now;
}

static void
ep_free(struct endpoint *ep)
{
	if (ep->has_d)
		diff_free(&ep->d);
	if (ep->has_dbase)
		diff_free(&ep->dbase);
	snapshot_free(ep->cur);
	snapshot_free(ep->prev);
	snapshot_free(ep->base);
	history_free(&ep->hist);
	free(ep->raw);
	points_reset(ep);
}

void
model_free(struct model *m)
{
	for (int e = 0; e < EP_COUNT; e++)
		ep_free(&m->ep[e]);
	symtab_free(&m->syms);
	memset(m, 0, sizeof(*m));
}

void
model_fail(struct model *m, enum ep_id e, const char *err, double now, double latency)
{
	struct endpoint *ep = &m->ep[e];

	(void)now;
	ep->latency = latency;
	ep->bytes = 0;
	ep->nerr++;
	snprintf(ep->err, sizeof(ep->err), "%s", err);
}

static void
set_meter(struct model *m, enum meter_id id, double v)
{
	series_push(&m->meter[id], v);
	m->meter_now[id] = v;
	m->meter_known[id] = true;
}

static void
update_meters(struct model *m, enum ep_id e, const struct snapshot *s)
{
	double v, gc;

	if (e == EP_GOROUTINE) {
		set_meter(m, METER_GOROUTINES, (double)s->totals[0]);
		return;
	}
	if (e != EP_MEMSTATS)
		return;
	if (snapshot_memstat(s, "HeapAlloc", &v))
		set_meter(m, METER_HEAP_ALLOC, v);
	if (snapshot_memstat(s, "HeapInuse", &v))
		set_meter(m, METER_HEAP_INUSE, v);
	if (snapshot_memstat(s, "Sys", &v))
		set_meter(m, METER_SYS, v);
	if (snapshot_memstat(s, "NumGC", &gc)) {
		set_meter(m, METER_NUM_GC, gc);
		if (gc_ring_at(s, "PauseNs", gc, 0, &v))
			set_meter(m, METER_LAST_PAUSE_NS, v);
	}
}

/* The first frame of goroutine group g, leaf first, in the service's own
 * code that heap group h's stack also runs through; NULL when none. */
static const char *
shared_function(const struct group *g, const struct group *h)
{
	for (uint32_t i = 0; i < g->nframes; i++) {
		const char *fn = group_frame(g, i)->function;
		if (frame_is_plumbing(fn))
			continue;
		for (uint32_t j = 0; j < h->nframes; j++)
			if (strcmp(fn, group_frame(h, j)->function) == 0)
				return fn;
	}
	return NULL;
}

/* "Where growth meets": every growing goroutine group paired with every
 * growing heap group that shares a function of the service's own code. */
static void
links_update(struct model *m)
{
	const struct snapshot *gs = m->ep[EP_GOROUTINE].cur, *hs = m->ep[EP_HEAP].pt;
	const struct history *gh = &m->ep[EP_GOROUTINE].hist, *hh = &m->ep[EP_HEAP].hist;
	const size_t max = sizeof(m->links) / sizeof(m->links[0]);
	struct growth_link old[sizeof(m->links) / sizeof(m->links[0])];
	size_t nold = m->nlinks;

	memcpy(old, m->links, sizeof(old));
	m->nlinks = 0;
	for (size_t i = 0; gs != NULL && hs != NULL && i < gs->ngroups && m->nlinks < max; i++) {
		const struct group *g = &gs->groups[i];
		if (g->pprof_handler || !history_growing(gh, g->id))
			continue;
		for (size_t j = 0; j < hs->ngroups && m->nlinks < max; j++) {
			const struct group *h = &hs->groups[j];
			if (h->pprof_handler || !history_growing(hh, h->id))
				continue;
			const char *fn = shared_function(g, h);
			if (fn == NULL)
				continue;
			struct growth_link *l = &m->links[m->nlinks++];
			memset(l, 0, sizeof(*l));
			l->gid = g->id;
			l->hid = h->id;
			snprintf(l->function, sizeof(l->function), "%s", fn);
		}
	}
	if (m->nlinks != nold || memcmp(old, m->links, m->nlinks * sizeof(*old)) != 0)
		m->links_gen++;
}

const struct growth_link *
model_link_of(const struct model *m, uint64_t id, bool heap)
{
	for (size_t i = 0; i < m->nlinks; i++)
		if ((heap ? m->links[i].hid : m->links[i].gid) == id)
			return &m->links[i];
	return NULL;
}

int64_t
model_leaked(const struct model *m, uint64_t id)
{
	const struct snapshot *s = m->ep[EP_GOROUTINELEAK].cur;

	if (s == NULL)
		return -1;
	const struct group *g = snapshot_find(s, id);
	return g != NULL ? g->values[0] : 0;
}

bool
model_memstat_rate(const struct model *m, const char *name, double *per_sec, double *over)
{
	const struct endpoint *ep = &m->ep[EP_MEMSTATS];
	double t0, gc, v0, v1;
	const struct snapshot *an = rate_anchor(ep, &t0, &gc);

	if (an == NULL || ep->pt == NULL || ep->t_pt <= t0 || !snapshot_memstat(an, name, &v0) ||
	    !snapshot_memstat(ep->pt, name, &v1) || !isfinite(v0) || !isfinite(v1) || v1 < v0)
		return false;
	*per_sec = (v1 - v0) / (ep->t_pt - t0);
	*over = ep->t_pt - t0;
	return true;
}

static void
ingest_index(struct model *m, const unsigned char *body, size_t len)
{
	m->nindex =
	    model_index_counts((const char *)body, len, m->index_names, m->index_counts, 32);
	if (m->nindex == 0)
		return;
	for (int e = 0; e < EP_COUNT; e++) {
		const char *p = ep_info(e)->profile;
		/* every index lists the CPU profile ("profile"), with no count */
		if (p == NULL || e == EP_CPU)
			continue;
		bool found = false;
		int64_t count = -1;
		for (size_t i = 0; i < m->nindex; i++)
			if (strcmp(m->index_names[i], p) == 0) {
				found = true;
				count = m->index_counts[i];
			}
		m->ep[e].missing = !found;
		m->ep[e].no_records = ep_info(e)->needs_records && found && count == 0;
		/* before the first fetch, the count is all there is to go by */
		if (m->ep[e].polls == 0)
			m->ep[e].want = cost_first_form(ep_info(e), count);
	}
}

/* A counter dropped: the target is a new process. Every endpoint fetched from
 * it since (the poll fetches them in turn) compares the new process with the
 * old one: mark those diffs restarted and start all baselines afresh. */
static void
model_restarted(struct model *m, double now)
{
	if (m->restart_at == now)
		return; /* already handled in this poll */
	m->restarts++;
	m->restart_at = now;
	symtab_clear(&m->syms); /* another binary: its PCs mean other functions */
	for (int e = 0; e < EP_COUNT; e++) {
		struct endpoint *ep = &m->ep[e];
		if (ep->cur == NULL)
			continue;
		if (ep->has_d && !ep->d.restarted)
			diff_mark_restarted(&ep->d);
		ep->restarted = true;
		/* its last fetch failed (the target was down): what it shows is
		 * the old process's until its own fetch from the new one */
		ep->old_process = ep->nerr > 0;
		points_reset(ep); /* rates and cycles start again with the new process */
		snapshot_free(ep->base);
		ep->base = snapshot_ref(ep->cur);
		ep->t_base = ep->t_cur;
		if (ep->has_dbase)
			diff_free(&ep->dbase);
		ep->has_dbase = diff_compute(&ep->dbase, ep->base, ep->cur, 0) == 0;
	}
}

/* Parses body as profile name for e; NULL with ep->err set on failure. A
 * profile cut short is not comparable (its totals would drop and look like
 * a restart); only the dump is legitimately cut. */
static struct snapshot *
parse_body(struct endpoint *ep, enum ep_id e, const char *name, const unsigned char *body,
           size_t len)
{
	struct snapshot *s = NULL;
	struct parse_err pe;
	int rc = profile_parse(body, len, name, &s, &pe);

	if (rc == 0 && s->truncated && e != EP_DUMP) {
		snapshot_free(s);
		rc = parse_err_set(&pe, 0, len, "the response was cut off");
	}
	if (rc != 0) {
		char msg[300];
		parse_err_format(&pe, ep_info(e)->name, msg, sizeof(msg));
		snprintf(ep->err, sizeof(ep->err), "bad response: %s", msg);
		ep->nerr++;
		return NULL;
	}
	return s;
}

/* s (taken) is e's newest data: pproftop's own footprint out, then diffs,
 * points, meters. */
static void
ingest_snapshot(struct model *m, enum ep_id e, struct snapshot *s, double now, double latency)
{
	struct endpoint *ep = &m->ep[e];

	snapshot_hide_self(s);
	ep->self_groups = s->self_groups;
	ep->self_count = s->self_values[s->primary];
	ep->err[0] = '\0';
	ep->nerr = 0;
	ep->last_ok = now;
	ep->polls++;
	ep->form = s->format == FMT_PROTO ? FORM_PROTO : FORM_TEXT;

	snapshot_free(ep->prev);
	ep->prev = ep->cur;
	ep->t_prev = ep->t_cur;
	ep->cur = s;
	ep->t_cur = now;
	/* both diffs go before the new ones are made: at most two at a time */
	if (ep->has_d)
		diff_free(&ep->d);
	if (ep->has_dbase)
		diff_free(&ep->dbase);
	ep->has_d = ep->has_dbase = false;
	ep->restarted = false;
	if (ep->prev != NULL && diff_compute(&ep->d, ep->prev, ep->cur, now - ep->t_prev) == 0) {
		ep->has_d = true;
		ep->restarted = ep->d.restarted;
	}
	if (ep->restarted)
		model_restarted(m, now);
	if (ep->old_process) {
		/* prev is the old process's: a restart for this endpoint too */
		if (ep->has_d && !ep->d.restarted)
			diff_mark_restarted(&ep->d);
		ep->restarted = true;
		ep->old_process = false;
	}
	if (ep->base == NULL || ep->restarted) {
		snapshot_free(ep->base);
		ep->base = snapshot_ref(s);
		ep->t_base = now;
	}
	if (ep->has_dbase) /* model_restarted made one against the new base */
		diff_free(&ep->dbase);
	ep->has_dbase = diff_compute(&ep->dbase, ep->base, ep->cur, now - ep->t_base) == 0;
	if (e == EP_HEAP || e == EP_ALLOCS) {
		/* one point per GC cycle: an unchanged profile is the same cycle.
		 * Merged: one per merge that changed it (a cycle on any replica),
		 * at the merge's time, as the replicas' cycles have no one time */
		if (ep->pt == NULL || ep->restarted || !same_totals(ep->pt, s)) {
			double gc = -1;
			double t = m->merged ? now : cycle_time(m, ep, s, now, latency, &gc);
			point_add(m, ep, s, t, gc);
		}
	} else {
		double gc = -1;
		if (e == EP_MEMSTATS)
			snapshot_memstat(s, "NumGC", &gc);
		point_add(m, ep, s, now, gc);
	}
	update_meters(m, e, s);
	if (e == EP_GOROUTINE || e == EP_HEAP)
		links_update(m);
}

/* An endpoint brought by another one's fetch (allocs and memstats with
 * heap?debug=1): same latency, no body of its own. */
static void
ingest_fed(struct model *m, enum ep_id e, struct snapshot *s, double now, double latency,
           size_t len)
{
	struct endpoint *ep = &m->ep[e];

	ep->latency = latency;
	ep->bytes = len;
	ep->text_bytes = len;
	free(ep->raw);
	ep->raw = NULL;
	ep->rawlen = 0;
	ingest_snapshot(m, e, s, now, latency);
}

int
model_ingest(struct model *m, enum ep_id e, unsigned char *body, size_t len, double now,
             double latency)
{
	struct endpoint *ep = &m->ep[e];
	const struct ep_info *info = ep_info(e);

	ep->latency = latency;
	ep->bytes = len;
	if (e == EP_INDEX) {
		ingest_index(m, body, len);
		free(ep->raw);
		ep->raw = body;
		ep->rawlen = len;
		ep->err[0] = '\0';
		ep->nerr = 0;
		ep->last_ok = now;
		ep->polls++;
		return 0;
	}

	struct snapshot *s = parse_body(ep, e, info->profile, body, len);
	if (s == NULL) {
		free(body);
		return -1;
	}
	/* heap?debug=1 is also the allocs profile and MemStats: MemStats
	 * first, which tells the heap's GC cycle */
	struct snapshot *allocs = NULL;
	if (e == EP_HEAP && s->format == FMT_TEXT && s->nmemstats > 0) {
		allocs = parse_body(&m->ep[EP_ALLOCS], EP_ALLOCS, "allocs", body, len);
		ingest_fed(m, EP_MEMSTATS, snapshot_ref(s), now, latency, len);
	}
	ep->text_bytes = s->format == FMT_PROTO ? snapshot_text_size(s) : len;
	ep->want =
	    cost_choose(info, s->format == FMT_PROTO ? FORM_PROTO : FORM_TEXT, ep->text_bytes);
	free(ep->raw);
	ep->raw = body;
	ep->rawlen = len;
	ingest_snapshot(m, e, s, now, latency);
	if (allocs != NULL)
		ingest_fed(m, EP_ALLOCS, allocs, now, latency, len);
	return 0;
}

int
model_ingest_snapshot(struct model *m, enum ep_id e, struct snapshot *snap, double now)
{
	if (snap == NULL || e == EP_INDEX) {
		snapshot_free(snap);
		return -1;
	}
	m->merged = true;
	m->ep[e].bytes = 0;
	ingest_snapshot(m, e, snap, now, 0);
	return 0;
}

int
model_ingest_timed(struct model *m, enum ep_id e, unsigned char *body, size_t len, double now,
                   double total_s, double pretransfer_s, double handshake_s)
{
	m->ep[e].service_s = cost_service_s(total_s, pretransfer_s, handshake_s, &m->rtt_s);
	return model_ingest(m, e, body, len, now, total_s);
}

char *
model_cpu_query(char *out, size_t cap, int seconds)
{
	snprintf(out, cap, "%s?seconds=%d", ep_info(EP_CPU)->query[FORM_PROTO],
	         seconds > 0 ? seconds : 1);
	return out;
}

double
model_cpu_cores(const struct snapshot *s, const struct group *g)
{
	if (s == NULL || s->kind != PROF_CPU || s->duration_ns <= 0)
		return -1;
	int v = snapshot_value_index(s, "cpu_ns");
	if (v < 0)
		return -1;
	return (double)(g != NULL ? g->values[v] : s->totals[v]) / (double)s->duration_ns;
}

bool
model_symbol_query(struct model *m, char *out, size_t cap)
{
	const struct snapshot *s = m->ep[EP_GOROUTINE].cur;

	return s != NULL && s->format == FMT_TEXT && symtab_query(&m->syms, s, out, cap) > 0;
}

int
model_ingest_symbols(struct model *m, const unsigned char *body, size_t len, char *err,
                     size_t errlen)
{
	int n = symtab_ingest(&m->syms, body, len, err, errlen);

	if (n > 0)
		m->syms_gen++;
	return n;
}

const char *
model_query(const struct model *m, enum ep_id e)
{
	const char *q = ep_info(e)->query[m->ep[e].want];

	return q != NULL ? q : ep_info(e)->query[FORM_TEXT];
}

bool
model_self_rate(const struct model *m, double *self, double *all, double *over)
{
	const struct endpoint *ep = &m->ep[EP_ALLOCS];
	double t0, gc, tall;
	const struct snapshot *an = rate_anchor(ep, &t0, &gc);

	if (an == NULL || ep->pt == NULL || ep->t_pt <= t0)
		return false;
	int v = snapshot_value_index(ep->pt, "alloc_bytes");
	if (v < 0 || snapshot_value_index(an, "alloc_bytes") != v ||
	    ep->pt->self_values[v] < an->self_values[v])
		return false;
	*over = ep->t_pt - t0;
	*self = (double)(ep->pt->self_values[v] - an->self_values[v]) / *over;
	if (!model_memstat_rate(m, "TotalAlloc", all, &tall))
		*all = -1;
	return true;
}

void
model_set_baseline(struct model *m)
{
	for (int e = 0; e < EP_COUNT; e++) {
		struct endpoint *ep = &m->ep[e];
		if (ep->cur == NULL)
			continue;
		snapshot_free(ep->base);
		ep->base = snapshot_ref(ep->cur);
		ep->t_base = ep->t_cur;
		if (ep->has_dbase)
			diff_free(&ep->dbase);
		ep->has_dbase = diff_compute(&ep->dbase, ep->base, ep->cur, 0) == 0;
	}
}


/* Decode %XX escapes and HTML entities of an href into out. */
static size_t
unescape_name(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	if (n >= 2 && s[0] == '.' && s[1] == '/') {
		s += 2;
		n -= 2;
	}
	for (size_t i = 0; i < n && o + 1 < outlen; i++) {
		if (s[i] == '%' && i + 2 < n) {
			int h = hex_digit((unsigned char)s[i + 1]);
			int l = hex_digit((unsigned char)s[i + 2]);
			if (h >= 0 && l >= 0) {
				out[o++] = (char)(h * 16 + l);
				i += 2;
				continue;
			}
		}
		if (s[i] == '&' && i + 4 < n && memcmp(s + i, "&amp;", 5) == 0) {
			out[o++] = '&';
			i += 4;
			continue;
		}
		out[o++] = s[i];
	}
	out[o] = '\0';
	return o;
}

size_t
model_index_parse(const char *html, size_t len, char (*names)[64], size_t max)
{
	return model_index_counts(html, len, names, NULL, max);
}

/* The count of the row whose link starts at q: "<td>N</td>" right before
 * "<td><a href='" (the index has shown it so since Go 1.8). */
static int64_t
index_count_before(const char *html, const char *q)
{
	static const char tail[] = "</td>";
	const char *e = q;
	int64_t v = 0, mul = 1;

	if ((size_t)(e - html) < sizeof(tail) - 1 ||
	    memcmp(e - (sizeof(tail) - 1), tail, sizeof(tail) - 1) != 0)
		return -1;
	e -= sizeof(tail) - 1;
	const char *d = e;
	while (d > html && d[-1] >= '0' && d[-1] <= '9' && e - d < 18)
		d--;
	if (d == e || (size_t)(d - html) < 4 || memcmp(d - 4, "<td>", 4) != 0)
		return -1;
	for (const char *x = e; x > d; x--) {
		v += (x[-1] - '0') * mul;
		mul *= 10;
	}
	return v;
}

size_t
model_index_counts(const char *html, size_t len, char (*names)[64], int64_t *counts, size_t max)
{
	static const char pre[] = "<td><a href='";
	static const char *const skip[] = { "cmdline", "profile", "symbol", "trace" };
	size_t n = 0;
	const char *p = html, *end = html + len;

	while (n < max && p < end) {
		const char *q = NULL;
		for (const char *x = p; x + sizeof(pre) - 1 <= end; x++)
			if (*x == '<' && memcmp(x, pre, sizeof(pre) - 1) == 0) {
				q = x;
				break;
			}
		if (q == NULL)
			break;
		int64_t count = index_count_before(html, q);
		q += sizeof(pre) - 1;
		const char *e = q;
		while (e < end && *e != '\'' && *e != '?')
			e++;
		if (e >= end)
			break;
		p = e;
		if (*e != '?' || end - e < 8 || memcmp(e, "?debug=1", 8) != 0)
			continue;
		char name[64];
		if (unescape_name(q, (size_t)(e - q), name, sizeof(name)) == 0)
			continue;
		bool skipped = false;
		for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
			if (strcmp(name, skip[i]) == 0)
				skipped = true;
		if (skipped)
			continue;
		if (counts != NULL)
			counts[n] = count;
		memcpy(names[n++], name, sizeof(name));
	}
	return n;
}

void
view_live(struct view *v, const struct model *m)
{
	memset(v, 0, sizeof(*v));
	v->m = m;
	for (int e = 0; e < EP_COUNT; e++) {
		const struct endpoint *ep = &m->ep[e];
		v->ep[e].cur = ep->cur;
		v->ep[e].prev = ep->prev;
		v->ep[e].base = ep->base;
		v->ep[e].d = ep->has_d ? &ep->d : NULL;
		v->ep[e].dbase = ep->has_dbase ? &ep->dbase : NULL;
		v->ep[e].dw = ep->has_dw ? &ep->dw : NULL;
		v->ep[e].hist = &ep->hist;
	}
}

void
view_freeze(struct view *v, const struct model *m)
{
	memset(v, 0, sizeof(*v));
	v->m = m;
	v->frozen = true;
	for (int e = 0; e < EP_COUNT; e++) {
		const struct endpoint *ep = &m->ep[e];
		double ta, gca;
		struct snapshot *an = ep->has_dw ? rate_anchor(ep, &ta, &gca) : NULL;
		struct snapshot *s[5] = { ep->cur, ep->prev, ep->base, ep->pt, an };
		for (int k = 0; k < 5; k++)
			v->own[e][k] = s[k] ? snapshot_ref(s[k]) : NULL;
		v->ep[e].cur = v->own[e][0];
		v->ep[e].prev = v->own[e][1];
		v->ep[e].base = v->own[e][2];
		if (ep->has_d &&
		    diff_compute(&v->own_d[e], v->own[e][1], v->own[e][0], ep->d.dt) == 0)
			v->ep[e].d = &v->own_d[e];
		if (ep->has_dbase &&
		    diff_compute(&v->own_dbase[e], v->own[e][2], v->own[e][0], ep->dbase.dt) == 0)
			v->ep[e].dbase = &v->own_dbase[e];
		if (ep->has_dw && v->own[e][4] != NULL &&
		    diff_compute(&v->own_dw[e], v->own[e][4], v->own[e][3], ep->dw.dt) == 0)
			v->ep[e].dw = &v->own_dw[e];
		history_copy(&v->own_hist[e], &ep->hist);
		v->ep[e].hist = &v->own_hist[e];
	}
	memcpy(v->own_meter, m->meter, sizeof(v->own_meter));
}

void
view_release(struct view *v)
{
	if (!v->frozen)
		return;
	for (int e = 0; e < EP_COUNT; e++) {
		if (v->ep[e].d)
			diff_free(&v->own_d[e]);
		if (v->ep[e].dbase)
			diff_free(&v->own_dbase[e]);
		if (v->ep[e].dw)
			diff_free(&v->own_dw[e]);
		history_free(&v->own_hist[e]);
		for (int k = 0; k < 5; k++)
			snapshot_free(v->own[e][k]);
	}
	memset(v, 0, sizeof(*v));
}

const struct series *
view_meter(const struct view *v, enum meter_id id)
{
	return v->frozen ? &v->own_meter[id] : &v->m->meter[id];
}
