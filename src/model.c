/* model.c - live state of a watched target (see model.h). */
#include "pproftop/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/hexdigit.h"
#include "pproftop/parse.h"
#include "pproftop/xalloc.h"

static const struct ep_info ep_table[EP_COUNT] = {
	[EP_GOROUTINE] = { "goroutine", "goroutine", "goroutine.pb.gz", "goroutine" },
	[EP_HEAP] = { "heap", "heap", "heap.pb.gz", "heap" },
	[EP_ALLOCS] = { "allocs", "allocs", "allocs.pb.gz", "allocs" },
	[EP_BLOCK] = { "block", "block", "block.pb.gz", "block" },
	[EP_MUTEX] = { "mutex", "mutex", "mutex.pb.gz", "mutex" },
	[EP_GOROUTINELEAK] = { "goroutineleak", "goroutineleak", "goroutineleak.pb.gz",
	                       "goroutineleak", true },
	[EP_MEMSTATS] = { "memstats", "heap?debug=1", "heap-debug1.txt", "heap" },
	[EP_INDEX] = { "index", "", "index.html", NULL },
	[EP_DUMP] = { "dump", "goroutine?debug=2", "goroutine-debug2.txt", "goroutine" },
};

const struct ep_info *
ep_info(enum ep_id e)
{
	return &ep_table[e];
}

void
model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->evict_after = 30;
	for (int e = 0; e < EP_COUNT; e++) {
		history_init(&m->ep[e].hist, m->evict_after);
		m->ep[e].missing = ep_table[e].needs_index; /* until the index lists it */
	}
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
}

void
model_free(struct model *m)
{
	for (int e = 0; e < EP_COUNT; e++)
		ep_free(&m->ep[e]);
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

/* The most recent GC pause: PauseNs[(NumGC+255)%256] of the printed array. */
static bool
last_pause(const struct snapshot *s, double numgc, double *out)
{
	for (size_t i = 0; i < s->nmemstats; i++) {
		if (strcmp(s->memstats[i].name, "PauseNs") != 0)
			continue;
		const char *p = s->memstats[i].text;
		if (*p != '[' || numgc < 1)
			return false;
		long want = ((long)numgc + 255) % 256;
		p++;
		for (long k = 0; *p && *p != ']'; k++) {
			while (*p == ' ')
				p++;
			char *end;
			double v = strtod(p, &end);
			if (end == p)
				return false;
			if (k == want) {
				*out = v;
				return true;
			}
			p = end;
		}
		return false;
	}
	return false;
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
		if (last_pause(s, gc, &v))
			set_meter(m, METER_LAST_PAUSE_NS, v);
	}
}

static void
ingest_index(struct model *m, const unsigned char *body, size_t len)
{
	m->nindex = model_index_parse((const char *)body, len, m->index_names, 32);
	if (m->nindex == 0)
		return;
	for (int e = 0; e < EP_COUNT; e++) {
		const char *p = ep_table[e].profile;
		if (p == NULL)
			continue;
		bool found = false;
		for (size_t i = 0; i < m->nindex; i++)
			if (strcmp(m->index_names[i], p) == 0)
				found = true;
		m->ep[e].missing = !found;
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
	for (int e = 0; e < EP_COUNT; e++) {
		struct endpoint *ep = &m->ep[e];
		if (ep->cur == NULL)
			continue;
		if (ep->has_d && !ep->d.restarted)
			diff_mark_restarted(&ep->d);
		ep->restarted = true;
		snapshot_free(ep->base);
		ep->base = snapshot_ref(ep->cur);
		ep->t_base = ep->t_cur;
		if (ep->has_dbase)
			diff_free(&ep->dbase);
		ep->has_dbase = diff_compute(&ep->dbase, ep->base, ep->cur, 0) == 0;
	}
}

int
model_ingest(struct model *m, enum ep_id e, unsigned char *body, size_t len, double now,
             double latency)
{
	struct endpoint *ep = &m->ep[e];
	const struct ep_info *info = &ep_table[e];

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

	struct snapshot *s = NULL;
	struct parse_err pe;
	int rc = profile_parse(body, len, info->profile, &s, &pe);
	if (rc == 0 && s->truncated && e != EP_DUMP) {
		/* a profile cut short is not comparable (its totals would drop
		 * and look like a restart); only the dump is legitimately cut */
		snapshot_free(s);
		rc = parse_err_set(&pe, 0, len, "the response was cut off");
	}
	if (rc != 0) {
		char msg[300];
		parse_err_format(&pe, info->name, msg, sizeof(msg));
		snprintf(ep->err, sizeof(ep->err), "bad response: %s", msg);
		ep->nerr++;
		free(body);
		return -1;
	}
	free(ep->raw);
	ep->raw = body;
	ep->rawlen = len;
	ep->err[0] = '\0';
	ep->nerr = 0;
	ep->last_ok = now;
	ep->polls++;

	snapshot_free(ep->prev);
	ep->prev = ep->cur;
	ep->t_prev = ep->t_cur;
	ep->cur = s;
	ep->t_cur = now;
	if (ep->has_d)
		diff_free(&ep->d);
	ep->has_d = false;
	ep->restarted = false;
	if (ep->prev != NULL && diff_compute(&ep->d, ep->prev, ep->cur, now - ep->t_prev) == 0) {
		ep->has_d = true;
		ep->restarted = ep->d.restarted;
	}
	if (ep->restarted)
		model_restarted(m, now);
	if (ep->base == NULL || ep->restarted) {
		snapshot_free(ep->base);
		ep->base = snapshot_ref(s);
		ep->t_base = now;
	}
	if (ep->has_dbase)
		diff_free(&ep->dbase);
	ep->has_dbase = diff_compute(&ep->dbase, ep->base, ep->cur, now - ep->t_base) == 0;
	history_push(&ep->hist, s, s->primary);
	update_meters(m, e, s);
	return 0;
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
		if (!skipped)
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
		v->ep[e].hist = &ep->hist;
	}
}

static void
history_copy(struct history *dst, const struct history *src)
{
	*dst = *src;
	dst->e = xreallocarray(NULL, src->cap ? src->cap : 1, sizeof(*src->e));
	if (src->n)
		memcpy(dst->e, src->e, src->n * sizeof(*src->e));
	dst->tab = xreallocarray(NULL, src->tabsize ? src->tabsize : 1, sizeof(*src->tab));
	if (src->tabsize)
		memcpy(dst->tab, src->tab, src->tabsize * sizeof(*src->tab));
}

void
view_freeze(struct view *v, const struct model *m)
{
	memset(v, 0, sizeof(*v));
	v->m = m;
	v->frozen = true;
	for (int e = 0; e < EP_COUNT; e++) {
		const struct endpoint *ep = &m->ep[e];
		struct snapshot *s[3] = { ep->cur, ep->prev, ep->base };
		for (int k = 0; k < 3; k++)
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
		history_free(&v->own_hist[e]);
		for (int k = 0; k < 3; k++)
			snapshot_free(v->own[e][k]);
	}
	memset(v, 0, sizeof(*v));
}

const struct series *
view_meter(const struct view *v, enum meter_id id)
{
	return v->frozen ? &v->own_meter[id] : &v->m->meter[id];
}
