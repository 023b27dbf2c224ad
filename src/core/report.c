/* report.c - tables and JSON (see report.h). */
#include "pproftop/report.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/format.h"
#include "pproftop/kinds.h"
#include "pproftop/label.h"
#include "pproftop/merge.h"
#include "pproftop/text.h"
#include "pproftop/tree.h"
#include "pproftop/xalloc.h"

static const char *const format_names[] = {
	[FMT_PROTO] = "protobuf",
	[FMT_TEXT] = "text (debug=1)",
	[FMT_DUMP] = "goroutine dump (debug=2)",
};

const char *
report_kind_name(const struct snapshot *s)
{
	const char *key = kind_info(s->kind)->json_key;

	return key != NULL ? key : s->name;
}

void
report_item_init(struct report_item *it, const struct snapshot *s, const struct diff *d)
{
	memset(it, 0, sizeof(*it));
	it->s = s;
	it->d = d;
	it->service_alloc_per_sec = -1;
	it->service_allocs_per_sec = -1;
}

/* The diff row whose per_sec values are g's rates, or NULL when they are
 * not known: the rate window's when the item has one (live polling: a
 * group absent from the window's anchor is new in it), else d's when its
 * snapshots are apart in time. */
static const struct diff_row *
rate_row(const struct report_item *it, const struct diff_row *r, uint64_t id)
{
	if (it->windowed)
		return it->dw != NULL ? diff_find(it->dw, id) : NULL;
	return it->d != NULL && it->d->dt > 0 ? r : NULL;
}

/* The rate of value v of rate_row()'s row rr. */
static double
row_rate(const struct report_item *it, const struct diff_row *rr, int v)
{
	return diff_row_rate(it->windowed ? it->dw : it->d, rr, v);
}

static bool
rates_known(const struct report_item *it)
{
	return it->windowed ? it->dw != NULL : it->d != NULL && it->d->dt > 0;
}

/* Proven leaked goroutines of g (goroutineleak), -1 when not known. */
static int64_t
leaked_of(const struct report_item *it, const struct group *g)
{
	if (it->leak == NULL)
		return -1;
	const struct group *l = snapshot_find(it->leak, g->id);
	return l != NULL ? l->values[0] : 0;
}

/* Rows in display order: largest primary value first; gone rows last. */
struct row {
	const struct group *g;    /* now, or old when gone */
	const struct diff_row *r; /* NULL without a diff */
};

static int sort_primary;

static int
cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	bool ga = a->r && (a->r->flags & DIFF_GONE), gb = b->r && (b->r->flags & DIFF_GONE);

	if (ga != gb)
		return ga ? 1 : -1;
	/* gone rows sort by their last value (g is the old group then) */
	int64_t va = a->g->values[sort_primary];
	int64_t vb = b->g->values[sort_primary];
	if (va != vb)
		return va > vb ? -1 : 1;
	return a->g->id < b->g->id ? -1 : a->g->id > b->g->id;
}

static struct row *
make_rows(const struct report_item *it, size_t *n)
{
	const struct snapshot *s = it->s;
	size_t cnt = it->d ? it->d->nrows : s->ngroups;
	struct row *rows = xcalloc(cnt + 1, sizeof(*rows));

	for (size_t i = 0; i < cnt; i++) {
		if (it->d) {
			rows[i].r = &it->d->rows[i];
			rows[i].g = rows[i].r->now ? rows[i].r->now : rows[i].r->old;
		} else {
			rows[i].g = &s->groups[i];
		}
	}
	/* a snapshot's groups are in this order already (profile.h) */
	if (it->d != NULL) {
		sort_primary = s->primary;
		qsort(rows, cnt, sizeof(*rows), cmp_rows);
	}
	*n = cnt;
	return rows;
}

static void
upper(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	for (; src[i] && i + 1 < len; i++)
		if (src[i] >= 'a' && src[i] <= 'z')
			dst[i] = (char)(src[i] - 32);
		else
			dst[i] = src[i];
	dst[i] = '\0';
}

/* label_apart over the rows printed (the first max_rows, 0: all). */
static uint32_t *
rows_apart(const struct row *rows, size_t n, size_t max_rows)
{
	size_t m = max_rows != 0 && max_rows < n ? max_rows : n;
	const struct group **g = xcalloc(m + 1, sizeof(const struct group *));
	uint32_t *apart = xcalloc(m + 1, sizeof(*apart));

	for (size_t i = 0; i < m; i++)
		g[i] = rows[i].g;
	label_apart(g, m, apart);
	free(g);
	return apart;
}

/* The lines above a table or a tree: totals, what was left out, notes. */
static void
table_header(FILE *out, const struct report_item *it)
{
	const struct snapshot *s = it->s;
	const struct diff *d = it->d;
	char b[80];
	int nv = s->nvalues;

	text_write_valid(out, report_kind_name(s));
	fprintf(out, ": %s, %zu groups", format_names[s->format], s->ngroups);
	for (int v = 0; v < nv; v++)
		fprintf(out, ", %s %s", s->vt[v].key,
		        fmt_unit(b, sizeof(b), (double)s->totals[v], s->vt[v].unit));
	if (s->delta)
		fputs(" (server-side delta)", out);
	double cores = model_cpu_cores(s, NULL);
	if (cores >= 0)
		fprintf(out, ", %s cores over a %.1f s window", fmt_cores(b, sizeof(b), cores),
		        (double)s->duration_ns / 1e9);
	if (s->truncated)
		fputs(" (input truncated)", out);
	if (s->self_groups > 0) {
		fprintf(out, "; not counted: %zu group%s serving /debug/pprof (pproftop's own)",
		        s->self_groups, s->self_groups == 1 ? "" : "s");
		for (int v = 0; v < nv; v++)
			if (s->self_values[v] != 0)
				fprintf(out, ", %s %s", s->vt[v].key,
				        fmt_unit(b, sizeof(b), (double)s->self_values[v],
				                 s->vt[v].unit));
	}
	fputc('\n', out);
	if (s->ntargets > 0) {
		size_t have = 0;
		for (size_t k = 0; k < s->ntargets; k++)
			have += merge_present(s, k);
		fprintf(out, "merged from %zu targets, %zu with this profile\n", s->ntargets, have);
	}
	if (s->profiling_disabled)
		fprintf(out, "note: %s profiling is not enabled in the target (%s)\n", s->name,
		        s->kind == PROF_MUTEX ? "runtime.SetMutexProfileFraction(n > 0)"
		                              : "runtime.SetBlockProfileRate(n > 0)");
	if (snapshot_scaling_note(s) != NULL)
		fprintf(out, "note: %s\n", snapshot_scaling_note(s));
	if (it->hist != NULL)
		fprintf(out, "growth verdict over the last %.0f s (%s)\n", it->hist->window,
		        it->point_name ? it->point_name : "points");
	if (it->windowed)
		fprintf(out, "rates: %s\n",
		        it->dw ? fmt_age(b, sizeof(b), it->dw->dt)
		               : (s->kind == PROF_HEAP || s->kind == PROF_ALLOCS
		                      ? "waiting for a GC (measured between two GC cycles)"
		                      : "after the next poll"));
	if (d != NULL) {
		fprintf(out, "compared with base: %zu new, %zu gone", d->nnew, d->ngone);
		if (d->dt > 0)
			fprintf(out, ", %.1f s apart", d->dt);
		if (d->restarted)
			fputs("; the target restarted (counters dropped): new baseline", out);
		fputc('\n', out);
	}
}

/* "  by target: URL1 5, URL2 7, URL3 -" under a merged group's row, in the
 * targets' order ("-": the target had no such profile). */
static void
by_target_line(FILE *out, const struct report_item *it, const struct group *g)
{
	const struct snapshot *s = it->s;
	char b[80];

	fputs("    by target:", out);
	for (size_t k = 0; k < s->ntargets; k++) {
		fputs(k ? ", " : " ", out);
		text_write_valid(out, it->targets[k]);
		fprintf(out, " %s",
		        merge_present(s, k)
		            ? fmt_unit(b, sizeof(b), (double)group_more(g)->by_target[k],
		                       s->vt[s->primary].unit)
		            : "-");
	}
	fputc('\n', out);
}

static void tree_text(FILE *out, const struct report_item *it, size_t max_children);
static void json_tree(FILE *out, const struct report_item *it, size_t max_children);

void
report_table(FILE *out, const struct report_item *it, size_t max_rows)
{
	const struct snapshot *s = it->s;
	const struct diff *d = it->d;
	char b[80], h[48];
	int nv = s->nvalues;

	table_header(out, it);
	if (it->tree) {
		tree_text(out, it, max_rows);
		return;
	}
	/* column header */
	for (int v = 0; v < nv; v++) {
		upper(h, sizeof(h), s->vt[v].key);
		fprintf(out, "%12s ", h);
		if (d != NULL) {
			snprintf(b, sizeof(b), "D_%s", h);
			fprintf(out, "%12s ", b);
		}
		if (s->vt[v].cumulative && rates_known(it)) {
			snprintf(b, sizeof(b), "%s/S", h);
			fprintf(out, "%12s ", b);
		}
	}
	bool cpu = model_cpu_cores(s, NULL) >= 0;
	if (cpu)
		fprintf(out, "%12s ", "CORES");
	bool states = kind_info(s->kind)->goroutines;
	if (states)
		fprintf(out, " %-14s", "STATE");
	fputs(" FUNCTION (LOCATION)\n", out);

	size_t n;
	struct row *rows = make_rows(it, &n);
	uint32_t *apart = rows_apart(rows, n, max_rows);
	for (size_t i = 0; i < n && (max_rows == 0 || i < max_rows); i++) {
		const struct group *g = rows[i].g;
		const struct diff_row *r = rows[i].r;
		for (int v = 0; v < nv; v++) {
			double val = r ? (double)diff_row_value(r, v) : (double)g->values[v];
			fprintf(out, "%12s ", fmt_unit(b, sizeof(b), val, s->vt[v].unit));
			if (d != NULL && r != NULL)
				fprintf(
				    out, "%12s ",
				    fmt_signed(b, sizeof(b), (double)r->delta[v], s->vt[v].unit));
			if (s->vt[v].cumulative && rates_known(it)) {
				const struct diff_row *rr = rate_row(it, r, g->id);
				if (rr != NULL && !(rr->flags & DIFF_GONE))
					fmt_rate(b, sizeof(b), row_rate(it, rr, v), s->vt[v].unit);
				else
					snprintf(b, sizeof(b), "-");
				fprintf(out, "%12s ", b);
			}
		}
		if (cpu)
			fprintf(out, "%12s ",
			        r != NULL && (r->flags & DIFF_GONE)
			            ? "0"
			            : fmt_cores(b, sizeof(b), model_cpu_cores(s, g)));
		if (states) {
			const char *st = label_state_named(g, s->format, it->syms);
			fprintf(out, " %-14s", st[0] ? st : "-");
		}
		if (g->nframes == 0) {
			fputs(" (no stack)", out);
		} else {
			const struct frame *f = group_frame(g, g->label_frame);
			char text[1200];
			fputc(' ', out);
			text_write_valid(out, label_text(g, apart[i], false, text, sizeof(text)));
			fputs(" (", out);
			text_write_valid(out, label_file(f->file));
			fprintf(out, ":%" PRId64 ")", f->line);
		}
		if (r && (r->flags & DIFF_NEW))
			fputs(" [new]", out);
		if (r && (r->flags & DIFF_GONE))
			fputs(" [gone]", out);
		const struct trend_verdict *tv = it->hist ? history_verdict(it->hist, g->id) : NULL;
		if (tv != NULL && tv->growing)
			fprintf(out, " [growing %s]",
			        fmt_per_min(b, sizeof(b), tv->slope, s->vt[s->primary].unit));
		int64_t lk = leaked_of(it, g);
		if (lk > 0)
			fprintf(out, " [leaked %" PRId64 "]", lk);
		fputc('\n', out);
		if (it->targets != NULL && group_more(g)->by_target != NULL &&
		    (r == NULL || r->now != NULL))
			by_target_line(out, it, g);
	}
	if (max_rows != 0 && n > max_rows)
		fprintf(out, "... %zu more groups\n", n - max_rows);
	free(apart);
	free(rows);
}

/* ---- JSON ---- */


static void
json_frame(FILE *out, const struct frame *f)
{
	fputs("{\"function\": ", out);
	text_write_json(out, f->function);
	fputs(", \"file\": ", out);
	text_write_json(out, f->file);
	fprintf(out, ", \"line\": %" PRId64 "}", f->line);
}

static void
json_number(FILE *out, double v)
{
	/* range first: converting an out-of-range double to int64 is undefined */
	if (!isfinite(v))
		fputs("null", out); /* JSON has no NaN or Infinity */
	else if (v < 9e15 && v > -9e15 && v == (double)(int64_t)v)
		fprintf(out, "%" PRId64, (int64_t)v);
	else
		fprintf(out, "%.6g", v);
}

/* is_json_number: s is exactly a JSON number (strtod also takes "nan",
 * "inf", "0x10", ".5", "+1", which JSON does not). */
static bool
is_json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/* is_uint_array: "[1 2 3]" (Go's %d of an array of unsigned integers). */
static bool
is_uint_array(const char *s)
{
	if (*s++ != '[')
		return false;
	while (*s == ' ')
		s++;
	while (*s >= '0' && *s <= '9') {
		while (*s >= '0' && *s <= '9')
			s++;
		if (*s != ' ' && *s != ']')
			return false;
		while (*s == ' ')
			s++;
	}
	return s[0] == ']' && s[1] == '\0';
}

static void
json_memstats(FILE *out, const struct snapshot *s)
{
	fputs(",\n      \"memstats\": {", out);
	for (size_t i = 0; i < s->nmemstats; i++) {
		const struct memstat *m = &s->memstats[i];
		fputs(i ? ", " : "", out);
		text_write_json(out, m->name);
		fputs(": ", out);
		if (is_uint_array(m->text)) {
			/* "[a b c]" -> [a, b, c] */
			fputc('[', out);
			const char *p = m->text + 1;
			bool first = true;
			while (*p && *p != ']') {
				while (*p == ' ')
					p++;
				const char *st = p;
				while (*p >= '0' && *p <= '9')
					p++;
				if (p == st)
					break;
				fprintf(out, "%s%.*s", first ? "" : ", ", (int)(p - st), st);
				first = false;
			}
			fputc(']', out);
		} else if (strcmp(m->text, "true") == 0 || strcmp(m->text, "false") == 0 ||
		           is_json_number(m->text)) {
			fputs(m->text, out);
		} else {
			text_write_json(out, m->text);
		}
	}
	fputc('}', out);
}

static void
json_group(FILE *out, const struct report_item *it, const struct row *row)
{
	const struct snapshot *s = it->s;
	const struct diff *d = it->d;
	const struct group *g = row->g;
	const struct diff_row *r = row->r;
	const struct group_more *m = group_more(g);

	fprintf(out, "        {\"id\": \"%016" PRIx64 "\", ", g->id);
	fputs("\"label\": ", out);
	text_write_json(out, g->nframes ? group_frame(g, g->label_frame)->function : "");
	for (int v = 0; v < s->nvalues; v++)
		fprintf(out, ", \"%s\": %" PRId64, s->vt[v].key,
		        r ? diff_row_value(r, v) : g->values[v]);
	if (d != NULL && r != NULL) /* with a diff every row has its diff row */
		for (int v = 0; v < s->nvalues; v++)
			fprintf(out, ", \"delta_%s\": %" PRId64, s->vt[v].key, r->delta[v]);
	if (rates_known(it) || it->windowed) {
		/* null, never a false 0, when the rate is not measurable (yet) */
		const struct diff_row *rr = rate_row(it, r, g->id);
		for (int v = 0; v < s->nvalues; v++)
			if (s->vt[v].cumulative) {
				fprintf(out, ", \"%s_per_sec\": ", s->vt[v].key);
				if (rr != NULL && !(rr->flags & DIFF_GONE))
					json_number(out, row_rate(it, rr, v));
				else
					fputs("null", out);
			}
	}
	/* a CPU window: its CPU seconds per second (gone: none in this window) */
	if (model_cpu_cores(s, NULL) >= 0) {
		fputs(", \"cpu_ns_per_sec\": ", out);
		json_number(out, r != NULL && (r->flags & DIFF_GONE)
		                     ? 0
		                     : round(model_cpu_cores(s, g) * 1e9));
	}
	struct trend_verdict full;
	const struct trend_verdict *tv =
	    it->hist && history_judge(it->hist, g->id, &full) ? &full : NULL;
	if (it->hist != NULL) {
		char why[300];
		fprintf(out, ", \"growing\": %s, \"growth_per_sec\": ",
		        tv && tv->growing ? "true" : "false");
		if (tv && tv->has_slope)
			json_number(out, tv->slope);
		else
			fputs("null", out);
		fputs(", \"verdict\": ", out);
		if (tv != NULL)
			trend_explain(why, sizeof(why), tv, it->hist->window,
			              it->point_name ? it->point_name : "points",
			              s->vt[s->primary].unit);
		else
			snprintf(why, sizeof(why), "no history");
		text_write_json(out, why);
	}
	int64_t lk = leaked_of(it, g);
	if (lk >= 0)
		fprintf(out, ", \"leaked\": %" PRId64, lk);
	if (d != NULL && r != NULL) {
		if (r->flags & DIFF_NEW)
			fputs(", \"new\": true", out);
		if (r->flags & DIFF_GONE)
			fputs(", \"gone\": true", out);
	}
	if (g->labels != NULL) {
		fputs(", \"labels\": [", out);
		for (const struct labelset *l = g->labels; l; l = l->next) {
			fputs("{\"set\": ", out);
			text_write_json(out, l->text);
			fprintf(out, ", \"count\": %" PRId64 "}%s", l->count, l->next ? ", " : "");
		}
		fputc(']', out);
	}
	if (m->states != NULL) {
		fputs(", \"states\": {", out);
		for (const struct gstate *st = m->states; st; st = st->next) {
			text_write_json(out, st->state);
			fprintf(out, ": %" PRId64 "%s", st->count, st->next ? ", " : "");
		}
		fprintf(out, "}, \"max_wait_minutes\": %" PRId64, m->max_wait_minutes);
		if (m->nlocked)
			fprintf(out, ", \"locked_to_thread\": %" PRId64, m->nlocked);
		if (m->nleaked && it->leak == NULL)
			fprintf(out, ", \"leaked\": %" PRId64, m->nleaked);
		if (g->elided)
			fputs(", \"elided\": true", out);
	}
	if (m->created_by != NULL) {
		fputs(", \"created_by\": ", out);
		json_frame(out, m->created_by);
	}
	if (it->targets != NULL && m->by_target != NULL && (r == NULL || r->now != NULL)) {
		/* null: the target had no such profile */
		fputs(", \"by_target\": {", out);
		for (size_t k = 0; k < s->ntargets; k++) {
			fputs(k ? ", " : "", out);
			text_write_json(out, it->targets[k]);
			if (merge_present(s, k))
				fprintf(out, ": %" PRId64, m->by_target[k]);
			else
				fputs(": null", out);
		}
		fputc('}', out);
	}
	if (kind_info(s->kind)->goroutines) {
		const char *st = label_state_named(g, s->format, it->syms);
		fputs(", \"state\": ", out);
		if (st[0] != '\0')
			text_write_json(out, st);
		else
			fputs("null", out);
	}
	/* leaf first; the leaf-side runtime frames that are not part of the
	 * group's identity (so that the same stack is the same group in text
	 * and protobuf) in runtime_frames, leaf first, before frames[0] */
	if (g->nhidden > 0) {
		fputs(", \"runtime_frames\": [", out);
		for (uint32_t i = 0; i < g->nhidden; i++) {
			fputs(i ? ", " : "", out);
			json_frame(out, group_frame(g, (int64_t)i - g->nhidden));
		}
		fputc(']', out);
	}
	fputs(", \"frames\": [", out);
	for (uint32_t i = 0; i < g->nframes; i++) {
		fputs(i ? ", " : "", out);
		json_frame(out, group_frame(g, i));
	}
	fputs("]}", out);
}

void
report_json(FILE *out, const struct report_item *items, size_t n, size_t max_rows)
{
	report_json_targets(out, items, n, max_rows, NULL, 0);
}

static void
json_targets(FILE *out, const struct report_target *t, size_t nt)
{
	fputs(",\n\"targets\": [", out);
	for (size_t i = 0; i < nt; i++) {
		fputs(i ? ",\n  {\"url\": " : "\n  {\"url\": ", out);
		text_write_json(out, t[i].url);
		fprintf(out, ", \"ok\": %s, \"error\": ", t[i].ok ? "true" : "false");
		if (t[i].ok || t[i].error == NULL)
			fputs("null", out);
		else
			text_write_json(out, t[i].error);
		fputs(", \"last_poll\": ", out);
		if (t[i].last_poll > 0 && isfinite(t[i].last_poll))
			fprintf(out, "%.3f", t[i].last_poll); /* ms, as a time stamp */
		else
			fputs("null", out);
		fprintf(out, ", \"stale\": %s}", t[i].stale ? "true" : "false");
	}
	fputs("\n]", out);
}

void
report_targets_text(FILE *out, const struct report_target *t, size_t nt)
{
	for (size_t i = 0; i < nt; i++) {
		fputs("target ", out);
		text_write_valid(out, t[i].url);
		if (t[i].ok) {
			fputs(": ok\n", out);
			continue;
		}
		fputs(": down: ", out);
		text_write_valid(out,
		                 t[i].error != NULL && t[i].error[0] ? t[i].error : "never polled");
		fputs(t[i].stale ? "; its last data is kept in the merge, stale\n" : "\n", out);
	}
}

void
report_json_targets(FILE *out, const struct report_item *items, size_t n, size_t max_rows,
                    const struct report_target *t, size_t nt)
{
	fputs("{\"profiles\": {", out);
	for (size_t k = 0; k < n; k++) {
		const struct snapshot *s = items[k].s;
		const struct diff *d = items[k].d;
		int p = s->primary;
		fputs(k ? ",\n  " : "\n  ", out);
		text_write_json(out, report_kind_name(s));
		fprintf(out, ": {\n      \"format\": \"%s\", \"total\": %" PRId64 ", \"unit\": ",
		        s->format == FMT_PROTO  ? "protobuf"
		        : s->format == FMT_TEXT ? "text"
		                                : "dump",
		        s->totals[p]);
		text_write_json(out, s->vt[p].unit);
		fprintf(out, ", \"value\": \"%s\", \"totals\": {", s->vt[p].key);
		for (int v = 0; v < s->nvalues; v++)
			fprintf(out, "%s\"%s\": %" PRId64, v ? ", " : "", s->vt[v].key,
			        s->totals[v]);
		fprintf(out, "}, \"hidden\": {\"groups\": %zu, \"totals\": {", s->self_groups);
		for (int v = 0; v < s->nvalues; v++)
			fprintf(out, "%s\"%s\": %" PRId64, v ? ", " : "", s->vt[v].key,
			        s->self_values[v]);
		fputs("}}", out);
		if (d != NULL) {
			fputs(", \"delta_totals\": {", out);
			for (int v = 0; v < s->nvalues; v++)
				fprintf(out, "%s\"%s\": %" PRId64, v ? ", " : "", s->vt[v].key,
				        d->total_delta[v]);
			fprintf(out, "}, \"interval_sec\": ");
			json_number(out, d->dt);
			fprintf(out,
			        ", \"restarted\": %s, \"new_groups\": %zu, \"gone_groups\": %zu",
			        d->restarted ? "true" : "false", d->nnew, d->ngone);
		}
		if (items[k].hist != NULL)
			fprintf(out, ", \"window_sec\": %.17g", items[k].hist->window);
		if (items[k].windowed) {
			fputs(", \"rate_window_sec\": ", out);
			if (items[k].dw != NULL)
				json_number(out, items[k].dw->dt);
			else
				fputs("null", out);
		}
		if (items[k].service_alloc_per_sec >= 0) {
			fputs(", \"service_alloc_bytes_per_sec\": ", out);
			json_number(out, items[k].service_alloc_per_sec);
		}
		if (items[k].service_allocs_per_sec >= 0) {
			fputs(", \"service_allocs_per_sec\": ", out);
			json_number(out, items[k].service_allocs_per_sec);
		}
		if (s->time_ns)
			fprintf(out, ", \"time_ns\": %" PRId64, s->time_ns);
		if (s->duration_ns)
			fprintf(out, ", \"duration_ns\": %" PRId64, s->duration_ns);
		if (model_cpu_cores(s, NULL) >= 0) {
			fputs(", \"cpu_ns_per_sec\": ", out);
			json_number(out, round(model_cpu_cores(s, NULL) * 1e9));
		}
		if (s->delta)
			fputs(", \"server_delta\": true", out);
		if (s->truncated)
			fputs(", \"truncated\": true", out);
		if (s->profiling_disabled)
			fputs(", \"profiling_disabled\": true", out);
		if (s->scaling != SCALING_NA)
			fprintf(out, ", \"scaling\": \"%s\"", snapshot_scaling_name(s->scaling));
		if (s->format == FMT_DUMP)
			fprintf(out, ", \"goroutines\": %" PRId64, s->ngoroutines);
		if (items[k].memstats != NULL && items[k].memstats->nmemstats > 0)
			json_memstats(out, items[k].memstats);
		else if (s->nmemstats > 0)
			json_memstats(out, s);
		fputs(",\n      \"groups\": [\n", out);
		size_t nr;
		struct row *rows = make_rows(&items[k], &nr);
		for (size_t i = 0; i < nr && (max_rows == 0 || i < max_rows); i++) {
			json_group(out, &items[k], &rows[i]);
			fputs(i + 1 < nr && (max_rows == 0 || i + 1 < max_rows) ? ",\n" : "\n",
			      out);
		}
		free(rows);
		fputs("      ]", out);
		if (items[k].tree)
			json_tree(out, &items[k], max_rows);
		fputc('}', out);
	}
	fputs("\n}", out);
	if (nt > 0)
		json_targets(out, t, nt);
	fputs("}\n", out);
}

/* ---- the call tree (--tree) ---- */

/* The top-down tree of it->s by its primary value; prev is the diff's old
 * snapshot (Δ, new and gone nodes) unless the target restarted. */
static void
item_tree(struct tree *t, const struct report_item *it)
{
	struct tree_opts o = { .value = it->s->primary };
	const struct snapshot *prev = it->d != NULL && !it->d->restarted ? it->d->old : NULL;

	tree_build(t, it->s, prev, NULL, &o);
}

/* cum[v] - prev_cum, saturating. */
static int64_t
cum_delta(const struct tree_node *x, int v)
{
	if (x->prev_cum == INT64_MIN)
		return value_sat_add(value_sat_add(x->cum[v], INT64_MAX), 1);
	return value_sat_add(x->cum[v], -x->prev_cum);
}

/* Children of x beyond max (0: all) that are not shown. */
static size_t
omitted_children(const struct tree_node *x, size_t max)
{
	return max != 0 && x->nchildren > max ? x->nchildren - max : 0;
}

typedef void tree_visit_fn(FILE *out, const struct tree *t, const struct tree_node *x, bool leave,
                           size_t nth, size_t max);

/* Visits t's nodes depth first, at most max (0: all) roots and children of
 * each node, heaviest first: visit(leave = false) before a node's
 * children, visit(leave = true) after them; nth is the node's rank among
 * its siblings. Iterative: stacks can be deep. */
static void
tree_walk(FILE *out, const struct tree *t, size_t max, tree_visit_fn *visit)
{
	uint32_t maxdepth = 0;

	for (size_t i = 0; i < t->nnodes; i++)
		if (t->nodes[i].depth > maxdepth)
			maxdepth = t->nodes[i].depth;
	size_t *nth = xcalloc((size_t)maxdepth + 2, sizeof(*nth));
	uint32_t x = t->root;
	while (x != TREE_NONE) {
		const struct tree_node *nd = &t->nodes[x];
		visit(out, t, nd, false, nth[nd->depth], max);
		if (nd->child != TREE_NONE) {
			nth[nd->depth + 1] = 0;
			x = nd->child;
			continue;
		}
		for (;;) {
			nd = &t->nodes[x];
			visit(out, t, nd, true, nth[nd->depth], max);
			if (nd->next != TREE_NONE && (max == 0 || nth[nd->depth] + 1 < max)) {
				nth[nd->depth]++;
				x = nd->next;
				break;
			}
			x = nd->parent;
			if (x == TREE_NONE)
				break;
		}
	}
	free(nth);
}

static size_t
omitted_roots(const struct tree *t, size_t max)
{
	size_t n = 0;

	for (uint32_t x = t->root; x != TREE_NONE; x = t->nodes[x].next)
		n++;
	return max != 0 && n > max ? n - max : 0;
}

static void
text_node(FILE *out, const struct tree *t, const struct tree_node *x, bool leave, size_t nth,
          size_t max)
{
	const struct value_type *vt = &t->s->vt[t->opts.value];
	char b[48];

	if (leave) {
		size_t more = omitted_children(x, max);
		if (more > 0)
			fprintf(out, "%*s... %zu more\n", (int)(x->depth + 1) * 2, "", more);
		return;
	}
	fprintf(out, "%*s%s ", (int)x->depth * 2, "",
	        fmt_unit(b, sizeof(b), (double)x->cum[t->opts.value], vt->unit));
	text_write_valid(out, x->function);
	if (t->prev != NULL)
		fprintf(out, " (%s)",
		        fmt_signed(b, sizeof(b), (double)cum_delta(x, t->opts.value), vt->unit));
	if (x->flags & TREE_NEW)
		fputs(" [new]", out);
	if (x->flags & TREE_GONE)
		fputs(" [gone]", out);
	fputc('\n', out);
}

/* --tree as text: one node a line, two spaces per level, the cumulative
 * value before the function; at most max_children children per node. */
static void
tree_text(FILE *out, const struct report_item *it, size_t max_children)
{
	struct tree t;

	item_tree(&t, it);
	fprintf(out, "call tree by %s (cumulative, top-down)\n", it->s->vt[t.opts.value].key);
	tree_walk(out, &t, max_children, text_node);
	size_t more = omitted_roots(&t, max_children);
	if (more > 0)
		fprintf(out, "... %zu more\n", more);
	tree_free(&t);
}

static void
json_node(FILE *out, const struct tree *t, const struct tree_node *x, bool leave, size_t nth,
          size_t max)
{
	const struct snapshot *s = t->s;

	if (leave) {
		fputs("]}", out);
		return;
	}
	fprintf(out, "%s%*s{\"id\": \"%016" PRIx64 "\", \"function\": ", nth ? ",\n" : "\n",
	        (int)(x->depth + 4) * 2, "", x->id);
	text_write_json(out, x->function);
	fputs(", \"file\": ", out);
	text_write_json(out, x->file);
	fprintf(out, ", \"line\": %" PRId64, x->line);
	for (int v = 0; v < s->nvalues; v++)
		fprintf(out, ", \"%s\": %" PRId64, s->vt[v].key, x->cum[v]);
	for (int v = 0; v < s->nvalues; v++)
		fprintf(out, ", \"flat_%s\": %" PRId64, s->vt[v].key, x->flat[v]);
	fprintf(out, ", \"stacks\": %" PRIu64, x->nstacks);
	if (t->prev != NULL)
		fprintf(out, ", \"delta_%s\": %" PRId64, s->vt[t->opts.value].key,
		        cum_delta(x, t->opts.value));
	if (x->flags & TREE_NEW)
		fputs(", \"new\": true", out);
	if (x->flags & TREE_GONE)
		fputs(", \"gone\": true", out);
	size_t more = omitted_children(x, max);
	if (more > 0)
		fprintf(out, ", \"children_omitted\": %zu", more);
	fputs(", \"children\": [", out);
}

/* --json --tree: the tree's nodes nested in "tree" (README, JSON keys). */
static void
json_tree(FILE *out, const struct report_item *it, size_t max_children)
{
	struct tree t;

	item_tree(&t, it);
	fprintf(out, ",\n      \"tree_value\": \"%s\"", it->s->vt[t.opts.value].key);
	size_t more = omitted_roots(&t, max_children);
	if (more > 0)
		fprintf(out, ", \"tree_roots_omitted\": %zu", more);
	fputs(", \"tree\": [", out);
	tree_walk(out, &t, max_children, json_node);
	fputs("]", out);
	tree_free(&t);
}

/* ---- a live model ---- */

size_t
report_model_items(const struct model *m, struct report_item *items, size_t max)
{
	static const enum ep_id shown[] = { EP_GOROUTINE, EP_GOROUTINELEAK, EP_HEAP, EP_ALLOCS,
		                            EP_BLOCK,     EP_MUTEX,         EP_CPU };
	size_t n = 0;
	double rate, over;

	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]) && n < max; i++) {
		enum ep_id e = shown[i];
		const struct endpoint *ep = &m->ep[e];
		if (ep->cur == NULL)
			continue;
		struct report_item *it = &items[n++];
		report_item_init(it, ep->cur, ep->has_d ? &ep->d : NULL);
		/* a CPU window is a rate itself; Δ is against the previous window */
		it->windowed = e != EP_CPU;
		it->dw = ep->has_dw && e != EP_CPU ? &ep->dw : NULL;
		if (e == EP_GOROUTINE || e == EP_HEAP) {
			it->hist = &ep->hist;
			it->point_name = e == EP_HEAP ? "GC cycles" : "points";
		}
		if (e == EP_GOROUTINE) {
			it->leak = m->ep[EP_GOROUTINELEAK].cur;
			it->syms = &m->syms;
		}
		if (e == EP_HEAP) {
			it->memstats = m->ep[EP_MEMSTATS].cur;
			if (model_memstat_rate(m, "TotalAlloc", &rate, &over))
				it->service_alloc_per_sec = rate;
			if (model_memstat_rate(m, "Mallocs", &rate, &over))
				it->service_allocs_per_sec = rate;
		}
	}
	return n;
}

static void
growth_group(FILE *out, const struct model *m, enum ep_id e, const struct group *g,
             const struct trend_verdict *tv, int64_t leaked)
{
	const struct snapshot *s = m->ep[e].cur;
	char b[48];

	fprintf(out, "  %-9s", e == EP_HEAP ? "heap" : "goroutine");
	if (tv != NULL && tv->growing)
		fprintf(out, " growing %s",
		        fmt_per_min(b, sizeof(b), tv->slope, s->vt[s->primary].unit));
	if (leaked > 0)
		fprintf(out, " leaked %" PRId64, leaked);
	fprintf(out, " now %s ",
	        fmt_unit(b, sizeof(b), (double)g->values[s->primary], s->vt[s->primary].unit));
	text_write_valid(out, g->nframes ? group_frame(g, g->label_frame)->function : "(no stack)");
	const struct growth_link *l = model_link_of(m, g->id, e == EP_HEAP);
	if (l != NULL) {
		fprintf(out, " (also growing in the %s, through ",
		        e == EP_HEAP ? "goroutines" : "heap");
		text_write_valid(out, l->function);
		fputc(')', out);
	}
	fputc('\n', out);
	for (uint32_t i = 0; i < g->nframes; i++) {
		fputs("      ", out);
		text_write_valid(out, group_frame(g, i)->function);
		fputc(' ', out);
		text_write_valid(out, group_frame(g, i)->file);
		fprintf(out, ":%" PRId64 "\n", group_frame(g, i)->line);
	}
}

size_t
report_growth(FILE *out, const struct model *m)
{
	static const enum ep_id eps[] = { EP_GOROUTINE, EP_HEAP };
	size_t found = 0;

	for (size_t k = 0; k < 2; k++) {
		const struct endpoint *ep = &m->ep[eps[k]];
		if (ep->cur == NULL)
			continue;
		for (size_t i = 0; i < ep->cur->ngroups; i++) {
			const struct group *g = &ep->cur->groups[i];
			const struct trend_verdict *tv = history_verdict(&ep->hist, g->id);
			int64_t leaked = eps[k] == EP_GOROUTINE ? model_leaked(m, g->id) : -1;
			if (!(tv != NULL && tv->growing) && leaked <= 0)
				continue;
			if (found++ == 0)
				fprintf(
				    out,
				    "pproftop: growing (over the last %.0f s) or proven leaked:\n",
				    m->window);
			growth_group(out, m, eps[k], g, tv, leaked);
		}
	}
	return found;
}
