/* test_parse_text.c - the debug=1 text parser against the real captures.
 *
 * Expected values were taken from the fixtures and cross-checked with
 * `go tool pprof -raw` (go1.19's pprof, /usr/bin/go) where pprof can read the
 * file: heap/allocs per-sample values (summed over samples: pprof -raw drops
 * all-zero samples, which does not change sums), block/mutex totals, and
 * goroutine totals (`-top`). pprof cannot read 1.19-1.22 threadcreate text
 * (empty "8 @" records) and over-scales 1.20+ mutex text (see below).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/parse.h"
#include "testutil.h"

/* ---- helpers ---- */

static struct snapshot *
parse_buf(const char *buf, size_t len, const char *name)
{
	struct snapshot *s = NULL;
	struct parse_err err;

	if (parse_text(buf, len, name, &s, &err) != 0) {
		char msg[512];
		parse_err_format(&err, "input", msg, sizeof(msg));
		fail_msg("%s", msg);
	}
	assert_non_null(s);
	return s;
}

static struct snapshot *
parse_str(const char *text, const char *name)
{
	return parse_buf(text, strlen(text), name);
}

static struct snapshot *
parse_fixture(const char *rel, const char *name)
{
	size_t len;
	char *buf = tu_read(rel, &len);
	struct snapshot *s = parse_buf(buf, len, name);
	free(buf);
	return s;
}

/* parse_fails: parse must fail; returns the error (line, message). */
static struct parse_err
parse_fails_buf(const char *buf, size_t len, const char *name)
{
	struct snapshot *s = (struct snapshot *)1;
	struct parse_err err;

	memset(&err, 0, sizeof(err));
	int rc = parse_text(buf, len, name, &s, &err);
	if (rc == 0) {
		snapshot_free(s);
		fail_msg("parse unexpectedly succeeded");
	}
	assert_int_equal(rc, -1);
	assert_null(s);
	assert_true(err.msg[0] != '\0');
	return err;
}

static void
expect_error(const char *text, size_t line, const char *msgpart)
{
	struct parse_err err = parse_fails_buf(text, strlen(text), NULL);
	if (err.line != line || strstr(err.msg, msgpart) == NULL)
		fail_msg("expected line %zu \"%s\", got line %zu \"%s\"", line, msgpart, err.line,
		         err.msg);
}

static const char *
memstat_text(const struct snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->nmemstats; i++)
		if (strcmp(s->memstats[i].name, name) == 0)
			return s->memstats[i].text;
	return NULL;
}

static double
memstat_value(const struct snapshot *s, const char *name)
{
	double v = -1;
	if (!snapshot_memstat(s, name, &v))
		fail_msg("memstat %s missing", name);
	return v;
}

static int64_t
labelset_count(const struct group *g, const char *text)
{
	for (const struct labelset *l = g->labels; l != NULL; l = l->next)
		if (strcmp(l->text, text) == 0)
			return l->count;
	return -1;
}

static size_t
count_labelsets(const struct group *g)
{
	size_t n = 0;
	for (const struct labelset *l = g->labels; l != NULL; l = l->next)
		n++;
	return n;
}

/* the group whose frame i is fn at line */
static const struct group *
group_at(const struct snapshot *s, uint32_t i, const char *fn, int64_t line)
{
	for (size_t k = 0; k < s->ngroups; k++) {
		const struct group *g = &s->groups[k];
		if (g->nframes > i && strcmp(group_frame(g, i)->function, fn) == 0 &&
		    group_frame(g, i)->line == line)
			return g;
	}
	return NULL;
}

static void
assert_frame(const struct frame *f, const char *fn, const char *file, int64_t line)
{
	assert_string_equal(f->function, fn);
	assert_string_equal(f->file, file);
	assert_int_equal(f->line, line);
}

static void
assert_no_goexit(const struct snapshot *s)
{
	for (size_t k = 0; k < s->ngroups; k++)
		for (uint32_t i = 0; i < s->groups[k].nframes; i++)
			assert_string_not_equal(group_frame(&s->groups[k], i)->function,
			                        "runtime.goexit");
}

/* put: copy len bytes (the test buffers are deliberately not NUL-terminated) */
static void
put(char *dst, const char *src, size_t len)
{
	memcpy(dst, src, len);
}

/* a malloc'd copy of buf with line lineno (1-based) replaced by repl */
static char *
replace_line(const char *buf, size_t len, size_t lineno, const char *repl, size_t *outlen)
{
	size_t start = 0, line = 1;
	while (line < lineno) {
		const char *nl = memchr(buf + start, '\n', len - start);
		assert_non_null(nl);
		start = (size_t)(nl - buf) + 1;
		line++;
	}
	const char *nl = memchr(buf + start, '\n', len - start);
	size_t end = nl != NULL ? (size_t)(nl - buf) : len;
	size_t rl = strlen(repl);
	char *out = malloc(len - (end - start) + rl + 1);
	memcpy(out, buf, start);
	put(out + start, repl, rl);
	memcpy(out + start + rl, buf + end, len - end);
	*outlen = len - (end - start) + rl;
	return out;
}

/* byte offset of the start of line lineno */
static size_t
line_start(const char *buf, size_t len, size_t lineno)
{
	size_t start = 0;
	for (size_t line = 1; line < lineno; line++) {
		const char *nl = memchr(buf + start, '\n', len - start);
		assert_non_null(nl);
		start = (size_t)(nl - buf) + 1;
	}
	return start;
}

/* ---- count profiles: goroutine ---- */

struct goroutine_exp {
	const char *file;
	int64_t total;
	int64_t leaker;
	int64_t leak0, leak1, leak2; /* per leak_id label set */
	const char *do_file;
	int64_t do_line;
	int64_t contend; /* goroutines blocked in main.contend's Lock */
	const char *sema_fn;
};

static const struct goroutine_exp goroutine_exps[] = {
	{ "go1.19/goroutine-debug1.txt", 131, 102, 34, 34, 34,
	  "/usr/lib/go-1.19/src/runtime/pprof/runtime.go", 40, 3, "sync.runtime_SemacquireMutex" },
	{ "go1.21/goroutine-debug1.txt", 143, 115, 39, 38, 38,
	  "/usr/lib/go-1.21/src/runtime/pprof/runtime.go", 51, 2, "sync.runtime_SemacquireMutex" },
	{ "go1.22/goroutine-debug1.txt", 144, 116, 39, 39, 38,
	  "/usr/lib/go-1.22/src/runtime/pprof/runtime.go", 51, 2, "sync.runtime_SemacquireMutex" },
	{ "go1.24/goroutine-debug1.txt", 144, 116, 39, 39, 38,
	  "/usr/local/go/src/runtime/pprof/runtime.go", 51, 2,
	  "internal/sync.runtime_SemacquireMutex" },
	{ "go1.27/goroutine-debug1.txt", 145, 117, 39, 39, 39,
	  "/usr/local/go/src/runtime/pprof/runtime.go", 57, 2,
	  "internal/sync.runtime_SemacquireMutex" },
};

static void
test_goroutine_debug1(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(goroutine_exps) / sizeof(goroutine_exps[0]); i++) {
		const struct goroutine_exp *x = &goroutine_exps[i];
		struct snapshot *s = parse_fixture(x->file, NULL);
		assert_string_equal(s->name, "goroutine");
		assert_int_equal(s->kind, PROF_GOROUTINE);
		assert_int_equal(s->format, FMT_TEXT);
		assert_int_equal(s->nvalues, 1);
		assert_string_equal(s->vt[0].key, "count");
		/* header total == sum of records == go tool pprof -top total */
		assert_int_equal(s->header_total, x->total);
		assert_int_equal(s->totals[0], x->total);
		/* 30 records; the three leak_id records share one stack */
		assert_int_equal(s->nsamples, 30);
		assert_int_equal(s->ngroups, 28);
		assert_false(s->truncated);
		assert_int_equal(s->heap_rate, -1);
		assert_int_equal(s->sampling_period, -1);

		const struct group *g = tu_group_by_label(s, "main.leakOne.func1");
		assert_non_null(g);
		assert_ptr_equal(g, &s->groups[0]);
		assert_int_equal(g->values[0], x->leaker);
		assert_int_equal(g->nsamples, 3);
		assert_int_equal(g->nframes, 2);
		assert_frame(group_frame(g, 0), "main.leakOne.func1", "/home/gopher/demo/main.go",
		             64);
		assert_frame(group_frame(g, 1), "runtime/pprof.Do", x->do_file, x->do_line);
		/* labels preserved verbatim, weighted by the record count */
		assert_int_equal(count_labelsets(g), 3);
		assert_int_equal(labelset_count(g, "{\"component\":\"leaker\", \"leak_id\":\"0\"}"),
		                 x->leak0);
		assert_int_equal(labelset_count(g, "{\"component\":\"leaker\", \"leak_id\":\"1\"}"),
		                 x->leak1);
		assert_int_equal(labelset_count(g, "{\"component\":\"leaker\", \"leak_id\":\"2\"}"),
		                 x->leak2);

		/* the CPU burner runs under pprof.Do with its own label */
		g = tu_group_by_label(s, "main.burnCPU.func1");
		if (g != NULL) { /* it may be running (not in the profile) */
			assert_int_equal(labelset_count(g, "{\"component\":\"burner\"}"),
			                 g->values[0]);
		}

		/* the Lock waiters of main.contend: leaf is the semaphore */
		g = tu_group_by_label(s, "main.contend");
		assert_non_null(g);
		assert_int_equal(g->values[0], x->contend);
		assert_string_equal(group_frame(g, 0)->function, x->sema_fn);
		assert_null(g->labels);

		/* the recursion is cut at the stack depth but parsed */
		g = tu_group_by_label(s, "main.deep");
		assert_non_null(g);
		assert_true(g->nframes >= 20);
		assert_no_goexit(s);
		snapshot_free(s);
	}
}

static void
test_goroutine_frames_exact(void **state)
{
	(void)state;
	/* go1.19: the Mutex waiters record, frame by frame (tab padded) */
	struct snapshot *s = parse_fixture("go1.19/goroutine-debug1.txt", NULL);
	const struct group *g = tu_group_by_label(s, "main.contend");
	assert_non_null(g);
	assert_int_equal(g->nframes, 4);
	assert_int_equal(g->label_frame, 3);
	assert_frame(group_frame(g, 0), "sync.runtime_SemacquireMutex",
	             "/usr/lib/go-1.19/src/runtime/sema.go", 77);
	assert_frame(group_frame(g, 1), "sync.(*Mutex).lockSlow",
	             "/usr/lib/go-1.19/src/sync/mutex.go", 171);
	assert_frame(group_frame(g, 2), "sync.(*Mutex).Lock", "/usr/lib/go-1.19/src/sync/mutex.go",
	             90);
	assert_frame(group_frame(g, 3), "main.contend", "/home/gopher/demo/main.go", 89);
	snapshot_free(s);
}

static void
test_goroutineleak_debug1(void **state)
{
	(void)state;
	struct snapshot *s = parse_fixture("go1.27/goroutineleak-debug1.txt", NULL);
	assert_string_equal(s->name, "goroutineleak");
	assert_int_equal(s->kind, PROF_GOROUTINELEAK);
	assert_int_equal(s->header_total, 123);
	assert_int_equal(s->totals[0], 123); /* go tool pprof -top: 123 total */
	assert_int_equal(s->nsamples, 8);
	assert_int_equal(s->ngroups, 6);
	const struct group *g = &s->groups[0];
	assert_int_equal(g->values[0], 118);
	assert_frame(group_frame(g, 0), "main.leakOne.func1", "/home/gopher/demo/main.go", 64);
	assert_int_equal(labelset_count(g, "{\"component\":\"leaker\", \"leak_id\":\"0\"}"), 40);
	assert_int_equal(labelset_count(g, "{\"component\":\"leaker\", \"leak_id\":\"1\"}"), 39);
	assert_int_equal(labelset_count(g, "{\"component\":\"leaker\", \"leak_id\":\"2\"}"), 39);
	g = tu_group_by_label(s, "main.variety.func3");
	assert_non_null(g);
	assert_int_equal(g->values[0], 1);
	assert_int_equal(g->nframes, 1);
	assert_frame(group_frame(g, 0), "main.variety.func3", "/home/gopher/demo/main.go", 152);
	snapshot_free(s);
}

/* ---- threadcreate ---- */

static void
test_threadcreate_debug1(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		const char *proc;
		int64_t allocm, newm, template, main;
	} x[] = {
		/* 1.19-1.22: "8 @" with no PCs (pprof cannot parse these) */
		{ "go1.19/threadcreate-debug1.txt", "/usr/lib/go-1.19/src/runtime/proc.go", 1761,
		  2109, 2186, 229 },
		{ "go1.21/threadcreate-debug1.txt", "/usr/lib/go-1.21/src/runtime/proc.go", 1937,
		  2393, 2470, 239 },
		{ "go1.22/threadcreate-debug1.txt", "/usr/lib/go-1.22/src/runtime/proc.go", 2110,
		  2644, 2721, 241 },
		/* 1.23+: stacks padded with 0x0 to 32 PCs */
		{ "go1.24/threadcreate-debug1.txt", "/usr/local/go/src/runtime/proc.go", 2238, 2772,
		  2849, 242 },
		{ "go1.27/threadcreate-debug1.txt", "/usr/local/go/src/runtime/proc.go", 2344, 2888,
		  2962, 256 },
	};
	for (size_t i = 0; i < sizeof(x) / sizeof(x[0]); i++) {
		struct snapshot *s = parse_fixture(x[i].file, NULL);
		assert_string_equal(s->name, "threadcreate");
		assert_int_equal(s->kind, PROF_THREADCREATE);
		assert_true(s->vt[0].cumulative);
		assert_int_equal(s->header_total, 9);
		assert_int_equal(s->totals[0], 9);
		assert_int_equal(s->ngroups, 2);
		/* the empty stack: no frames at all */
		assert_int_equal(s->groups[0].values[0], 8);
		assert_int_equal(s->groups[0].nframes, 0);
		const struct group *g = &s->groups[1];
		assert_int_equal(g->values[0], 1);
		/* all runtime: nothing is trimmed */
		assert_int_equal(g->nframes, 4);
		assert_frame(group_frame(g, 0), "runtime.allocm", x[i].proc, x[i].allocm);
		assert_frame(group_frame(g, 1), "runtime.newm", x[i].proc, x[i].newm);
		assert_frame(group_frame(g, 2), "runtime.startTemplateThread", x[i].proc,
		             x[i].template);
		assert_frame(group_frame(g, 3), "runtime.main", x[i].proc, x[i].main);
		snapshot_free(s);
	}
}

/* ---- custom profile ---- */

static void
test_custom_openfiles(void **state)
{
	(void)state;
	struct snapshot *s = parse_fixture("go1.19/custom-openfiles-debug1.txt", NULL);
	assert_string_equal(s->name, "example.com/openfiles");
	assert_int_equal(s->kind, PROF_CUSTOM);
	assert_int_equal(s->header_total, 3);
	assert_int_equal(s->totals[0], 3); /* go tool pprof -top: 3 total */
	assert_int_equal(s->ngroups, 1);
	assert_int_equal(s->groups[0].nframes, 2);
	assert_frame(group_frame(&s->groups[0], 0), "main.main", "/home/gopher/demo/main.go", 212);
	assert_frame(group_frame(&s->groups[0], 1), "runtime.main",
	             "/usr/lib/go-1.19/src/runtime/proc.go", 250);
	snapshot_free(s);

	/* the name argument overrides the header's name */
	s = parse_fixture("go1.19/custom-openfiles-debug1.txt", "openfiles");
	assert_string_equal(s->name, "openfiles");
	assert_int_equal(s->kind, PROF_CUSTOM);
	snapshot_free(s);
	s = parse_fixture("go1.19/custom-openfiles-debug1.txt", "goroutine");
	assert_string_equal(s->name, "goroutine");
	assert_int_equal(s->kind, PROF_GOROUTINE);
	snapshot_free(s);
	/* a name whose kind cannot describe count data is ignored */
	s = parse_fixture("go1.19/goroutine-debug1.txt", "heap");
	assert_string_equal(s->name, "goroutine");
	assert_int_equal(s->kind, PROF_GOROUTINE);
	assert_int_equal(s->nvalues, 1);
	snapshot_free(s);
}

/* ---- heap / allocs ---- */

struct heap_exp {
	const char *file;
	/* totals: sums of go tool pprof -raw per-sample values */
	int64_t inuse_b, inuse_o, alloc_b, alloc_o;
	/* main.grow:71 (one record) and main.grow:76 (12 records, per size) */
	int64_t g71_b, g71_o;
	int64_t g76_ab, g76_ao;
	/* MemStats */
	double heap_alloc, num_gc;
	const char *gccpu;
	double gccpu_value;
	const char *mspan_inuse, *mspan_sys;
	const char *pause_head;
};

static const struct heap_exp heap_exps[] = {
	{ "go1.19/heap-debug1.txt", 110923778, 3448, 178616843, 296732, 109874482, 1676, 59257144,
	  291341, 110628096, 42, "0.0014424669934630324", 0.0014424669934630324, "301824", "309168",
	  "[4186012 3802581 36476 " },
	{ "go1.21/heap-debug1.txt", 122144729, 1863, 218147403, 403862, 122144729, 1863, 84953432,
	  394989, 128031376, 49, "0.0015821293055979342", 0.0015821293055979342, "389592", "391104",
	  "[9039106 27945967 " },
	{ "go1.22/heap-debug1.txt", 121586990, 1855, 216573930, 403150, 121586990, 1855, 84428768,
	  398846, 128599696, 49, "0.0010604067323556076", 0.0010604067323556076, "372480", "375360",
	  "[22391271 16469877 " },
	{ "go1.24/heap-debug1.txt", 121553764, 3016, 208116410, 399927, 121029252, 1846, 76037912,
	  372625, 128444936, 50, "0.0009012990205872966", 0.0009012990205872966, "367040", "375360",
	  "[12990386 7209226 " },
	{ "go1.27/heap-debug1.txt", 123193417, 11225, 223924912, 435958, 122144729, 1863, 88099368,
	  421649, 130020528, 50, "0.001302959216527222", 0.001302959216527222, "376800", "391680",
	  "[21680281 10277801 " },
	{ "go1.19/allocs-debug1.txt", 110923778, 3448, 178616843, 296732, 109874482, 1676, 59257144,
	  291341, 112219688, 42, "0.0014424669934630324", 0.0014424669934630324, "301824", "309168",
	  "[4186012 3802581 " },
	{ "go1.21/allocs-debug1.txt", 122144729, 1863, 218147403, 403862, 122144729, 1863, 84953432,
	  394989, 129499080, 49, "0.0015821293055979342", 0.0015821293055979342, "389592", "391104",
	  "[9039106 27945967 " },
	{ "go1.22/allocs-debug1.txt", 124902021, 2025, 226310877, 422263, 124375683, 1897, 86001944,
	  406857, 124237840, 50, "0.001039195745649916", 0.001039195745649916, "354240", "391680",
	  "[22391271 16469877 " },
	{ "go1.24/allocs-debug1.txt", 121553764, 3016, 208116410, 399927, 121029252, 1846, 76037912,
	  372625, 129892536, 50, "0.0009012990205872966", 0.0009012990205872966, "367040", "375360",
	  "[12990386 7209226 " },
	{ "go1.27/allocs-debug1.txt", 123193417, 11225, 223924912, 435958, 122144729, 1863,
	  88099368, 421649, 131039136, 50, "0.001302959216527222", 0.001302959216527222, "376800",
	  "391680", "[21680281 10277801 " },
	{ "go1.19/heap-gc1-debug1.txt", 114794705, 4760, 195256248, 305553, 113220913, 1727, -1, -1,
	  -1, -1, NULL, 0, NULL, NULL, NULL },
};

static void
test_heap_debug1(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(heap_exps) / sizeof(heap_exps[0]); i++) {
		const struct heap_exp *x = &heap_exps[i];
		bool allocs = strstr(x->file, "allocs") != NULL;
		struct snapshot *s = parse_fixture(x->file, allocs ? "allocs" : NULL);
		assert_string_equal(s->name, allocs ? "allocs" : "heap");
		assert_int_equal(s->kind, allocs ? PROF_ALLOCS : PROF_HEAP);
		assert_int_equal(s->primary, allocs ? 2 : 0);
		assert_int_equal(s->nvalues, 4);
		assert_string_equal(s->vt[0].key, "inuse_bytes");
		assert_string_equal(s->vt[3].key, "alloc_objects");
		/* heap/1048576 -> MemProfileRate 524288 */
		assert_int_equal(s->heap_rate, 524288);
		assert_int_equal(s->header_total, -1);
		assert_false(s->truncated);
		assert_int_equal(s->totals[0], x->inuse_b);
		assert_int_equal(s->totals[1], x->inuse_o);
		assert_int_equal(s->totals[2], x->alloc_b);
		assert_int_equal(s->totals[3], x->alloc_o);

		const struct group *g = group_at(s, 0, "main.grow", 71);
		assert_non_null(g);
		assert_int_equal(g->nframes, 1);
		assert_string_equal(group_frame(g, 0)->file, "/home/gopher/demo/main.go");
		assert_int_equal(g->values[0], x->g71_b);
		assert_int_equal(g->values[1], x->g71_o);
		assert_int_equal(g->values[2], x->g71_b);
		assert_int_equal(g->values[3], x->g71_o);
		assert_int_equal(g->nsamples, 1);
		if (x->g76_ab >= 0) {
			/* the same stack repeated per object size: summed */
			g = group_at(s, 0, "main.grow", 76);
			assert_non_null(g);
			assert_int_equal(g->nsamples, 12);
			assert_int_equal(g->values[0], 0);
			assert_int_equal(g->values[1], 0);
			assert_int_equal(g->values[2], x->g76_ab);
			assert_int_equal(g->values[3], x->g76_ao);
		}
		assert_no_goexit(s);
		if (x->gccpu == NULL) {
			snapshot_free(s);
			continue;
		}
		/* MemStats: 27 lines, three of them "a / b" pairs */
		assert_int_equal(s->nmemstats, 30);
		assert_true(memstat_value(s, "HeapAlloc") == x->heap_alloc);
		assert_true(memstat_value(s, "Alloc") > 0);
		assert_true(memstat_value(s, "NumGC") == x->num_gc);
		assert_string_equal(memstat_text(s, "GCCPUFraction"), x->gccpu);
		assert_true(memstat_value(s, "GCCPUFraction") == x->gccpu_value);
		assert_string_equal(memstat_text(s, "MSpanInuse"), x->mspan_inuse);
		assert_string_equal(memstat_text(s, "MSpanSys"), x->mspan_sys);
		assert_non_null(memstat_text(s, "StackInuse"));
		assert_non_null(memstat_text(s, "StackSys"));
		assert_non_null(memstat_text(s, "MCacheInuse"));
		assert_non_null(memstat_text(s, "MCacheSys"));
		assert_null(memstat_text(s, "Stack"));
		assert_string_equal(memstat_text(s, "DebugGC"), "false");
		assert_true(memstat_value(s, "MaxRSS") > 0);
		const char *p = memstat_text(s, "PauseNs");
		assert_non_null(p);
		assert_true(strncmp(p, x->pause_head, strlen(x->pause_head)) == 0);
		assert_int_equal(p[strlen(p) - 1], ']');
		assert_true(memstat_value(s, "PauseNs") == 0); /* not a scalar */
		p = memstat_text(s, "PauseEnd");
		assert_non_null(p);
		assert_int_equal(p[0], '[');
		snapshot_free(s);
	}
}

static void
test_heap_memstats_exact(void **state)
{
	(void)state;
	struct snapshot *s = parse_fixture("go1.19/heap-debug1.txt", NULL);
	assert_string_equal(s->memstats[0].name, "Alloc");
	assert_string_equal(s->memstats[0].text, "110628096");
	assert_string_equal(memstat_text(s, "StackInuse"), "688128");
	assert_string_equal(memstat_text(s, "StackSys"), "688128");
	assert_string_equal(memstat_text(s, "MCacheInuse"), "2400");
	assert_string_equal(memstat_text(s, "MCacheSys"), "15600");
	assert_string_equal(memstat_text(s, "LastGC"), "1795683284858093443");
	assert_string_equal(memstat_text(s, "Lookups"), "0");
	assert_string_equal(memstat_text(s, "NumForcedGC"), "40");
	assert_string_equal(memstat_text(s, "MaxRSS"), "18477056");
	/* 256 numbers in the array */
	const char *p = memstat_text(s, "PauseNs");
	size_t spaces = 0;
	for (; *p; p++)
		spaces += *p == ' ';
	assert_int_equal(spaces, 255);
	snapshot_free(s);
}

static void
test_heap_scaling(void **state)
{
	(void)state;
	/* the worked example of reference 3.4 */
	struct snapshot *s =
	    parse_str("heap profile: 197: 12910592 [197: 12910592] @ heap/1048576\n"
	              "197: 12910592 [197: 12910592] @ 0x676559 0x46b341\n"
	              "#\t0x676558\tmain.grow+0x38\t/home/gopher/demo/main.go:71\n"
	              "\n",
	              NULL);
	assert_int_equal(s->ngroups, 1);
	assert_int_equal(s->groups[0].values[0], 109874482);
	assert_int_equal(s->groups[0].values[1], 1676);
	assert_int_equal(s->groups[0].values[2], 109874482);
	assert_int_equal(s->groups[0].values[3], 1676);
	snapshot_free(s);

	/* heap/0 (profiling off) and heap/2 (rate 1): no scaling; signed
	 * in-use numbers; a zero count or size gives 0, 0 */
	static const char *const hdr[] = { "heap profile: 0: 0 [0: 1] @ heap/0\n",
		                           "heap profile: 0: 0 [0: 1] @ heap/2\n" };
	for (int i = 0; i < 2; i++) {
		char buf[512];
		snprintf(buf, sizeof(buf),
		         "%s-3: -4096 [5: 8192] @ 0x1\n#\t0x1\tmain.a+0x1\t/x.go:1\n\n"
		         "7: 0 [0: 100] @ 0x2\n#\t0x2\tmain.b+0x1\t/x.go:2\n\n",
		         hdr[i]);
		s = parse_str(buf, NULL);
		assert_int_equal(s->heap_rate, i);
		const struct group *g = group_at(s, 0, "main.a", 1);
		assert_non_null(g);
		assert_int_equal(g->values[0], -4096);
		assert_int_equal(g->values[1], -3);
		assert_int_equal(g->values[2], 8192);
		assert_int_equal(g->values[3], 5);
		g = group_at(s, 0, "main.b", 2);
		assert_non_null(g);
		for (int v = 0; v < 4; v++)
			assert_int_equal(g->values[v], 0);
		assert_int_equal(s->nmemstats, 0);
		snapshot_free(s);
	}
	/* google/pprof's "heap_v2/R" carries the rate itself */
	s = parse_str("heap profile: 1: 1 [1: 1] @ heap_v2/524288\n"
	              "197: 12910592 [0: 0] @ 0x1\n#\t0x1\tmain.grow+0x38\t/m.go:71\n\n",
	              NULL);
	assert_int_equal(s->heap_rate, 524288);
	assert_int_equal(s->totals[0], 109874482);
	assert_int_equal(s->totals[1], 1676);
	assert_int_equal(s->totals[2], 0);
	snapshot_free(s);
	/* the header of an empty profile (1.23) */
	s = parse_str("heap profile: 0: 0 [0: 1] @ heap/0\n", "allocs");
	assert_int_equal(s->kind, PROF_ALLOCS);
	assert_int_equal(s->ngroups, 0);
	assert_int_equal(s->heap_rate, 0);
	snapshot_free(s);
}

/* ---- block / mutex ---- */

struct contention_exp {
	const char *file;
	enum prof_kind kind;
	size_t ngroups;
	int64_t contentions, delay_ns; /* == go tool pprof -raw sums (see below) */
	double cps;
	int64_t sampling_period;
	/* the largest group */
	int64_t g0_count, g0_delay;
	const char *leaf;
	int64_t leaf_line;
};

static const struct contention_exp contention_exps[] = {
	{ "go1.19/block-debug1.txt", PROF_BLOCK, 3, 46890, 284529500969, 2100000315, -1, 32727,
	  202095743273, "sync.(*Mutex).Lock", 90 },
	{ "go1.21/block-debug1.txt", PROF_BLOCK, 3, 54369, 331610135875, 2099999591, -1, 37906,
	  235554584299, "sync.(*Mutex).Lock", 90 },
	{ "go1.22/block-debug1.txt", PROF_BLOCK, 4, 54264, 332936685342, 2100000123, -1, 37808,
	  236490604053, "sync.(*Mutex).Lock", 90 },
	{ "go1.24/block-debug1.txt", PROF_BLOCK, 5, 54762, 430415872630, 2100000119, -1, 38109,
	  238280710256, "sync.(*Mutex).Lock", 46 },
	{ "go1.27/block-debug1.txt", PROF_BLOCK, 5, 55412, 338680610892, 2100000121, -1, 38641,
	  240650893160, "sync.(*Mutex).Lock", 46 },
	{ "go1.19/mutex-debug1.txt", PROF_MUTEX, 1, 32760, 82571104824, 2100000315, 1, 32760,
	  82571104824, "sync.(*Mutex).Unlock", 223 },
	{ "go1.21/mutex-debug1.txt", PROF_MUTEX, 2, 37957, 96210453822, 2099999591, 1, 37956,
	  96209878694, "sync.(*Mutex).Unlock", 223 },
	{ "go1.22/mutex-debug1.txt", PROF_MUTEX, 3, 38691, 301080356449, 2100000123, 1, 37835,
	  300812457891, "sync.(*Mutex).Unlock", 223 },
	{ "go1.24/mutex-debug1.txt", PROF_MUTEX, 2, 38541, 303774855386, 2100000119, 1, 38132,
	  303424882443, "sync.(*Mutex).Unlock", 65 },
	{ "go1.27/mutex-debug1.txt", PROF_MUTEX, 9, 38677, 306621718704, 2100000121, 1, 38660,
	  306614627982, "sync.(*Mutex).Unlock", 65 },
	/* SetMutexProfileFraction(5). 1.19 text is unscaled: multiply by 5
	 * (== go tool pprof of this text == pprof of the 1.19 proto). */
	{ "variants/go1.19-mutex-debug1-fraction5.txt", PROF_MUTEX, 1, 39510, 99648518388,
	  2100000215, 5, 39510, 99648518388, "sync.(*Mutex).Unlock", 223 },
	/* 1.20+ text is already scaled at record time: NOT multiplied.
	 * go tool pprof is wrong here: it reports 197600 contentions /
	 * 1558786935420 ns (1.23) and 198275 / 1572063398646 ns (1.27), 5x
	 * the protobuf captured next to it (39525 and 39660 contentions). */
	{ "variants/go1.23-mutex-debug1-fraction5.txt", PROF_MUTEX, 2, 39520, 311757387083,
	  2100000124, 5, 39300, 311524036564, "sync.(*Mutex).Unlock", 225 },
	{ "variants/go1.27-mutex-debug1-fraction5.txt", PROF_MUTEX, 6, 39655, 314412679726,
	  2100000123, 5, 39625, 314403028668, "sync.(*Mutex).Unlock", 65 },
};

static void
test_contention_debug1(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(contention_exps) / sizeof(contention_exps[0]); i++) {
		const struct contention_exp *x = &contention_exps[i];
		struct snapshot *s = parse_fixture(x->file, NULL);
		bool block = x->kind == PROF_BLOCK;
		assert_string_equal(s->name, block ? "block" : "mutex");
		assert_int_equal(s->kind, x->kind);
		assert_int_equal(s->nvalues, 2);
		assert_string_equal(s->vt[0].key, "contentions");
		assert_string_equal(s->vt[1].key, "delay_ns");
		assert_int_equal(s->primary, 1);
		assert_int_equal(s->ngroups, x->ngroups);
		assert_int_equal(s->totals[0], x->contentions);
		assert_int_equal(s->totals[1], x->delay_ns);
		assert_true(s->cycles_per_second == x->cps);
		assert_int_equal(s->sampling_period, x->sampling_period);
		assert_false(s->profiling_disabled);
		assert_int_equal(s->header_total, -1);
		const struct group *g = &s->groups[0];
		assert_int_equal(g->values[0], x->g0_count);
		assert_int_equal(g->values[1], x->g0_delay);
		assert_string_equal(group_frame(g, 0)->function, x->leaf);
		assert_int_equal(group_frame(g, 0)->line, x->leaf_line);
		/* block/mutex stacks keep the plumbing; labelled by main.contend */
		assert_string_equal(group_frame(g, g->label_frame)->function, "main.contend");
		assert_no_goexit(s);
		snapshot_free(s);
	}
}

static void
test_contention_runtime_frames_kept(void **state)
{
	(void)state;
	/* block stacks keep leading runtime frames (runtime.chansend1) */
	struct snapshot *s = parse_fixture("go1.19/block-debug1.txt", NULL);
	const struct group *g = tu_group_by_label(s, "main.chanBlocker");
	assert_non_null(g);
	assert_int_equal(g->values[0], 14155);
	assert_int_equal(g->values[1], 82432813127); /* pprof -raw: 14155 82432813127 */
	assert_int_equal(g->nframes, 2);
	assert_frame(group_frame(g, 0), "runtime.chansend1", "/usr/lib/go-1.19/src/runtime/chan.go",
	             145);
	assert_frame(group_frame(g, 1), "main.chanBlocker", "/home/gopher/demo/main.go", 107);
	snapshot_free(s);
	/* 1.22: runtime-internal contention at a single runtime frame */
	s = parse_fixture("go1.22/mutex-debug1.txt", NULL);
	g = tu_group_with_fn(s, "runtime._LostContendedRuntimeLock");
	assert_non_null(g);
	assert_int_equal(g->nframes, 1);
	assert_int_equal(g->values[0], 855);
	assert_int_equal(g->values[1], 267728385); /* pprof -raw: 855 267728385 */
	snapshot_free(s);
}

static void
test_rate_not_set(void **state)
{
	(void)state;
	struct snapshot *s = parse_fixture("variants/go1.19-block-debug1-rate-not-set.txt", NULL);
	assert_int_equal(s->kind, PROF_BLOCK);
	assert_true(s->profiling_disabled);
	assert_int_equal(s->ngroups, 0);
	assert_true(s->cycles_per_second == 2100003582.0);
	assert_int_equal(s->sampling_period, -1);
	snapshot_free(s);
	s = parse_fixture("variants/go1.19-mutex-debug1-rate-not-set.txt", NULL);
	assert_int_equal(s->kind, PROF_MUTEX);
	assert_true(s->profiling_disabled);
	assert_int_equal(s->ngroups, 0);
	assert_int_equal(s->sampling_period, 0);
	assert_true(s->cycles_per_second == 2100003582.0);
	snapshot_free(s);
	/* fraction reset to 0 after records were taken: records remain, not
	 * "disabled"; nothing to multiply by */
	s = parse_str("--- mutex:\ncycles/second=1000000000\nsampling period=0\n"
	              "300 7 @ 0x1\n#\t0x1\tsync.(*Mutex).Unlock+0x1\t/usr/lib/go-1.19/x.go:3\n\n",
	              NULL);
	assert_false(s->profiling_disabled);
	assert_int_equal(s->totals[0], 7);
	assert_int_equal(s->totals[1], 300);
	snapshot_free(s);
	/* mutex with a fraction and no records: not disabled */
	s = parse_str("--- mutex:\ncycles/second=1000000000\nsampling period=5\n", NULL);
	assert_false(s->profiling_disabled);
	assert_int_equal(s->sampling_period, 5);
	snapshot_free(s);
}

/* Go <= 1.19 detection from GOROOT paths: the sampling period is applied
 * only when a frame's file is under a go1.N / go-1.N (N <= 19) directory. */
static void
test_mutex_version_detection(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		bool scaled;
	} x[] = {
		{ "/usr/lib/go-1.19/src/sync/mutex.go", true },
		{ "/home/u/sdk/go1.18.10/src/sync/mutex.go", true },
		{ "/usr/lib/go-1.9/src/sync/mutex.go", true },
		{ "/opt/go1.19/src/sync/mutex.go", true },
		{ "/usr/lib/go-1.20/src/sync/mutex.go", false },
		{ "/usr/lib/go-1.23/src/sync/mutex.go", false },
		{ "/home/u/sdk/go1.21.3/src/sync/mutex.go", false },
		{ "/usr/local/go/src/sync/mutex.go", false },
		{ "/opt/go1.190/src/sync/mutex.go", false },
		{ "/home/mango1.5/src/sync/mutex.go", false },
	};
	for (size_t i = 0; i < sizeof(x) / sizeof(x[0]); i++) {
		char buf[1024];
		snprintf(buf, sizeof(buf),
		         "--- mutex:\ncycles/second=1000000000\nsampling period=5\n"
		         "3000 10 @ 0x1 0x2\n"
		         "#\t0x1\tsync.(*Mutex).Unlock+0x7e\t%s:223\n"
		         "#\t0x2\tmain.contend+0x5c\t\t/home/gopher/demo/main.go:92\n\n",
		         x[i].file);
		struct snapshot *s = parse_str(buf, NULL);
		int64_t k = x[i].scaled ? 5 : 1;
		if (s->totals[0] != 10 * k || s->totals[1] != 3000 * k)
			fail_msg("%s: got %lld/%lld", x[i].file, (long long)s->totals[0],
			         (long long)s->totals[1]);
		assert_int_equal(s->sampling_period, 5);
		snapshot_free(s);
	}
	/* block has no sampling period: never scaled */
	struct snapshot *s =
	    parse_str("--- contention:\ncycles/second=2000000000\n"
	              "3000 10 @ 0x1\n#\t0x1\tsync.(*Mutex).Lock+0x1\t/usr/lib/go-1.19/m.go:1\n\n",
	              NULL);
	assert_int_equal(s->totals[0], 10);
	assert_int_equal(s->totals[1], 1500); /* cycles / 2 GHz */
	snapshot_free(s);
}

/* ---- labels ---- */

static void
test_labels_verbatim(void **state)
{
	(void)state;
	struct snapshot *s = parse_str("goroutine profile: total 5\n"
	                               "3 @ 0x1 0x2\n"
	                               "# labels: {\"k\":\"a\\\"b\\n\", \"x\":\"\xc3\xa9\"}\n"
	                               "#\t0x1\tmain.f+0x1\t/a b/c:d.go:7\n"
	                               "#\t0x2\tmain.g+0x2\t/a b/c:d.go:9\n"
	                               "\n"
	                               "2 @ 0x1 0x2\n"
	                               "# labels: {\"k\":\"v\"}\n"
	                               "#\t0x1\tmain.f+0x1\t/a b/c:d.go:7\n"
	                               "#\t0x2\tmain.g+0x2\t/a b/c:d.go:9\n"
	                               "\n",
	                               NULL);
	assert_int_equal(s->ngroups, 1);
	const struct group *g = &s->groups[0];
	assert_int_equal(g->values[0], 5);
	assert_int_equal(count_labelsets(g), 2);
	assert_int_equal(labelset_count(g, "{\"k\":\"a\\\"b\\n\", \"x\":\"\xc3\xa9\"}"), 3);
	assert_int_equal(labelset_count(g, "{\"k\":\"v\"}"), 2);
	/* spaces and colons in the path: the line is after the last ':' */
	assert_frame(group_frame(g, 0), "main.f", "/a b/c:d.go", 7);
	assert_frame(group_frame(g, 1), "main.g", "/a b/c:d.go", 9);
	snapshot_free(s);
	/* a labels line anywhere else is an error */
	expect_error("goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n"
	             "# labels: {\"k\":\"v\"}\n\n",
	             4, "labels line");
}

/* ---- frame line forms ---- */

static void
test_frame_forms(void **state)
{
	(void)state;
	struct snapshot *s =
	    parse_str("goroutine profile: total 4\n"
	              /* unknown-function PCs are skipped; 0x0 PCs are dropped */
	              "4 @ 0x1 0x2 0x3 0x0 0x0 \n"
	              "#\t0x1\n"
	              "#\t0x2\tpkg.F[...]+0x10\t\t\t\t/src/pkg/f.go:12\n"
	              "#\t0x3\tmain.(*T).M.func1\t/src/main.go:3\n" /* no +0x offset */
	              "\n",
	              NULL);
	assert_int_equal(s->ngroups, 1);
	const struct group *g = &s->groups[0];
	assert_int_equal(g->nframes, 2);
	assert_frame(group_frame(g, 0), "pkg.F[...]", "/src/pkg/f.go", 12);
	assert_frame(group_frame(g, 1), "main.(*T).M.func1", "/src/main.go", 3);
	snapshot_free(s);

	/* CRLF line endings give the same result as LF */
	size_t len;
	char *buf = tu_read("go1.19/goroutine-debug1.txt", &len);
	char *crlf = malloc(len * 2);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			crlf[n++] = '\r';
		crlf[n++] = buf[i];
	}
	s = parse_buf(crlf, n, NULL);
	assert_int_equal(s->totals[0], 131);
	assert_int_equal(s->ngroups, 28);
	const struct group *lg = tu_group_by_label(s, "main.leakOne.func1");
	assert_non_null(lg);
	assert_string_equal(group_frame(lg, 0)->file, "/home/gopher/demo/main.go");
	assert_int_equal(labelset_count(lg, "{\"component\":\"leaker\", \"leak_id\":\"0\"}"), 34);
	snapshot_free(s);
	free(crlf);
	free(buf);
}

/* ---- unsymbolized text (no "#" frame lines) ---- */

static void
test_unsymbolized(void **state)
{
	(void)state;
	/* the issue's example: frames named by address less one */
	struct snapshot *s = parse_str("heap profile: 1: 524288 [3: 1572864] @ heap/1048576\n"
	                               "1: 524288 [3: 1572864] @ 0x420cef 0x422151 0x4221da\n"
	                               "0: 0 [1: 32] @ 0x420cef 0x0 0x41dc0d\n",
	                               NULL);
	assert_int_equal(s->ngroups, 2);
	assert_false(s->truncated);
	const struct group *g = tu_group_by_label(s, "0x420cee");
	assert_non_null(g);
	assert_int_equal(g->nframes, 3);
	assert_frame(group_frame(g, 0), "0x420cee", "", 0);
	assert_frame(group_frame(g, 1), "0x422150", "", 0);
	assert_frame(group_frame(g, 2), "0x4221d9", "", 0);
	/* scaled as go tool pprof does (rate 524288): its -raw says 829411 */
	assert_int_equal(g->values[0], 829411);
	snapshot_free(s);

	/* real go1.19 captures with their "#" lines stripped: the totals of
	 * the symbolized file, the stacks by address (pprof_parity.py checks
	 * every stack against go tool pprof -raw) */
	s = parse_fixture("variants/go1.19-heap-debug1-unsymbolized.txt", NULL);
	struct snapshot *sym = parse_fixture("go1.19/heap-debug1.txt", NULL);
	assert_int_equal(s->ngroups, 11);
	assert_false(s->truncated);
	for (int i = 0; i < 4; i++)
		assert_int_equal(s->totals[i], sym->totals[i]);
	assert_int_equal(s->totals[0], 110923778);
	assert_int_equal(s->totals[1], 3448);
	g = tu_group_by_label(s, "0x676558");
	assert_non_null(g);
	assert_int_equal(g->nframes, 2);
	assert_frame(group_frame(g, 1), "0x46b340", "", 0);
	const struct group *gs = tu_group_by_label(sym, "main.grow");
	assert_non_null(gs);
	assert_int_equal(g->values[0], 109874482);
	assert_int_equal(gs->values[0], 109874482);
	assert_int_equal(g->values[1], 1676);
	snapshot_free(sym);
	snapshot_free(s);

	s = parse_fixture("variants/go1.19-goroutine-debug1-unsymbolized.txt", NULL);
	assert_int_equal(s->totals[0], 131);
	assert_int_equal(s->header_total, 131);
	assert_int_equal(s->ngroups, 28);
	assert_false(s->truncated);
	snapshot_free(s);

	/* threadcreate: "8 @ 0x0 ..." has no address at all: an empty stack */
	s = parse_fixture("variants/go1.24-threadcreate-debug1-unsymbolized.txt", NULL);
	assert_int_equal(s->totals[0], 9);
	assert_int_equal(s->ngroups, 2);
	assert_false(s->truncated);
	snapshot_free(s);

	/* every cut at a line end is a complete profile, never "truncated";
	 * a cut inside a line is */
	size_t len;
	char *buf = tu_read("variants/go1.19-goroutine-debug1-unsymbolized.txt", &len);
	size_t nlines = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		struct parse_err err;
		s = NULL;
		if (parse_text(buf, i + 1, NULL, &s, &err) == 0) {
			assert_false(s->truncated);
			assert_true(s->totals[0] <= 131);
			snapshot_free(s);
		}
		nlines++;
	}
	assert_true(nlines > 50);
	s = parse_buf(buf, len - 3, NULL);
	assert_true(s->truncated);
	assert_true(s->totals[0] < 131);
	snapshot_free(s);
	free(buf);
}

/* ---- mutex scaling evidence ---- */

static struct snapshot *
parse_proto_fixture(const char *rel)
{
	size_t len;
	char *buf = tu_read(rel, &len);
	struct snapshot *s = NULL;
	struct parse_err err;
	assert_int_equal(profile_parse(buf, len, "mutex", &s, &err), 0);
	free(buf);
	return s;
}

/* the text with its "#" lines stripped: no Go version left in it */
static struct snapshot *
parse_stripped(const char *rel)
{
	size_t len, o = 0;
	char *buf = tu_read(rel, &len);
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t n = nl != NULL ? (size_t)(nl - (buf + i)) + 1 : len - i;
		if (buf[i] != '#') {
			memmove(buf + o, buf + i, n);
			o += n;
		}
		i += n;
	}
	struct snapshot *s = parse_buf(buf, o, NULL);
	free(buf);
	return s;
}

static void
test_mutex_scaling(void **state)
{
	(void)state;
	/* go1.19 built with -trimpath (tests/mutexgen), fraction 5: no GOROOT
	 * in the frames, but its cycles (973911021, 421674858) are not
	 * multiples of 5: unscaled, multiplied; equal to the protobuf and to
	 * go tool pprof (2075 + 1100 contentions, 1875652174 + 812102283 ns) */
	struct snapshot *t =
	    parse_fixture("variants/go1.19-trimpath-mutex-debug1-fraction5.txt", NULL);
	struct snapshot *pb = parse_proto_fixture("variants/go1.19-trimpath-mutex-fraction5.pb.gz");
	assert_int_equal(t->scaling, SCALING_MULTIPLIED);
	assert_int_equal(t->totals[0], 3175);
	assert_int_equal(t->totals[1], 2687754457);
	assert_int_equal(pb->totals[0], t->totals[0]);
	assert_int_equal(pb->totals[1], t->totals[1]);
	const struct group *g = tu_group_by_label(t, "main.hold");
	assert_non_null(g);
	assert_int_equal(g->values[0], 2075);
	assert_int_equal(g->values[1], 1875652174);
	assert_null(snapshot_scaling_note(t));
	snapshot_free(pb);
	snapshot_free(t);

	/* GOROOT evidence: go1.19 multiplied, go1.23 kept as written */
	t = parse_fixture("variants/go1.19-mutex-debug1-fraction5.txt", NULL);
	assert_int_equal(t->scaling, SCALING_MULTIPLIED);
	assert_int_equal(t->totals[0], 39510);
	snapshot_free(t);
	t = parse_fixture("variants/go1.23-mutex-debug1-fraction5.txt", NULL);
	assert_int_equal(t->scaling, SCALING_SCALED);
	assert_int_equal(t->totals[0], 39520);
	snapshot_free(t);

	/* stripped of every frame: go1.19's values still give it away (its
	 * count 7902 is no multiple of 5); go1.23's are all multiples:
	 * assumed scaled, said so */
	t = parse_stripped("variants/go1.19-mutex-debug1-fraction5.txt");
	assert_int_equal(t->scaling, SCALING_MULTIPLIED);
	assert_int_equal(t->totals[0], 39510);
	snapshot_free(t);
	t = parse_stripped("variants/go1.23-mutex-debug1-fraction5.txt");
	assert_int_equal(t->scaling, SCALING_ASSUMED);
	assert_int_equal(t->totals[0], 39520);
	assert_non_null(snapshot_scaling_note(t));
	assert_string_equal(snapshot_scaling_name(t->scaling), "assumed");
	snapshot_free(t);

	/* --mutex-scaled overrides the evidence both ways */
	parse_text_set_mutex_scaled(0);
	t = parse_stripped("variants/go1.23-mutex-debug1-fraction5.txt");
	assert_int_equal(t->scaling, SCALING_FLAG_NO);
	assert_int_equal(t->totals[0], 39520 * 5);
	snapshot_free(t);
	parse_text_set_mutex_scaled(1);
	t = parse_fixture("variants/go1.19-trimpath-mutex-debug1-fraction5.txt", NULL);
	assert_int_equal(t->scaling, SCALING_FLAG_YES);
	assert_int_equal(t->totals[0], 635);
	snapshot_free(t);
	parse_text_set_mutex_scaled(-1);

	/* period 1 or block: nothing to decide */
	t = parse_fixture("go1.22/mutex-debug1.txt", NULL);
	assert_int_equal(t->scaling, SCALING_NA);
	snapshot_free(t);
	t = parse_fixture("go1.19/block-debug1.txt", NULL);
	assert_int_equal(t->scaling, SCALING_NA);
	snapshot_free(t);
}

/* ---- truncated input ---- */

static void
test_truncated(void **state)
{
	(void)state;
	size_t len;
	char *buf = tu_read("go1.19/goroutine-debug1.txt", &len);

	/* the closing blank line missing: the last record is complete */
	assert_true(len > 2 && buf[len - 1] == '\n' && buf[len - 2] == '\n');
	struct snapshot *s = parse_buf(buf, len - 1, NULL);
	assert_int_equal(s->totals[0], 131);
	assert_int_equal(s->nsamples, 30);
	assert_false(s->truncated);
	snapshot_free(s);
	/* the last line without its newline is taken as cut off: the last
	 * record (main.variety.func11, 1 goroutine) is dropped */
	s = parse_buf(buf, len - 2, NULL);
	assert_int_equal(s->totals[0], 130);
	assert_int_equal(s->nsamples, 29);
	assert_null(tu_group_by_label(s, "main.variety.func11"));
	assert_true(s->truncated);
	snapshot_free(s);

	/* cut in record 2's first frame line (line 9), just after the PC:
	 * record 2 is dropped, record 1 kept */
	size_t off = line_start(buf, len, 9) + 10;
	s = parse_buf(buf, off, NULL);
	assert_int_equal(s->totals[0], 34);
	assert_int_equal(s->nsamples, 1);
	assert_true(s->truncated);
	snapshot_free(s);

	/* cut after record 2's line (complete line, no frames yet) */
	off = line_start(buf, len, 8);
	s = parse_buf(buf, off, NULL);
	assert_int_equal(s->totals[0], 34);
	assert_true(s->truncated);
	snapshot_free(s);

	/* cut in the middle of a record line */
	s = parse_buf(buf, line_start(buf, len, 7) + 3, NULL);
	assert_int_equal(s->totals[0], 34);
	assert_true(s->truncated);
	snapshot_free(s);

	/* every prefix parses or fails cleanly, never more than the whole */
	for (size_t cut = 0; cut < len; cut += 7) {
		struct parse_err err;
		s = NULL;
		if (parse_text(buf, cut, NULL, &s, &err) == 0) {
			assert_true(s->totals[0] <= 131);
			assert_true(s->nsamples <= 30);
			snapshot_free(s);
		} else {
			assert_null(s);
			assert_true(err.line >= 1);
		}
	}
	free(buf);

	/* heap cut inside the PauseNs array: records and earlier MemStats kept */
	buf = tu_read("go1.19/heap-debug1.txt", &len);
	off = line_start(buf, len, 164) + 100;
	s = parse_buf(buf, off, NULL);
	assert_int_equal(s->totals[0], 110923778);
	assert_int_equal(s->totals[3], 296732);
	assert_true(s->truncated);
	assert_null(memstat_text(s, "PauseNs"));
	assert_true(memstat_value(s, "LastGC") == 1795683284858093443.0);
	snapshot_free(s);
	/* heap cut inside the last value */
	s = parse_buf(buf, len - 3, NULL);
	assert_true(s->truncated);
	assert_null(memstat_text(s, "MaxRSS"));
	assert_string_equal(memstat_text(s, "DebugGC"), "false");
	assert_int_equal(s->nmemstats, 29);
	snapshot_free(s);
	/* heap cut right before the MemStats trailer */
	s = parse_buf(buf, line_start(buf, len, 143), NULL);
	assert_int_equal(s->totals[2], 178616843);
	assert_int_equal(s->nmemstats, 0);
	snapshot_free(s);
	/* every prefix of the heap text */
	for (size_t cut = 0; cut < len; cut += 11) {
		struct parse_err err;
		s = NULL;
		if (parse_text(buf, cut, NULL, &s, &err) == 0) {
			assert_true(s->totals[2] <= 178616843);
			snapshot_free(s);
		}
	}
	free(buf);
}

/* ---- malformed input ---- */

static void
test_malformed_headers(void **state)
{
	(void)state;
	struct parse_err err = parse_fails_buf("", 0, NULL);
	assert_int_equal(err.line, 1);
	assert_non_null(strstr(err.msg, "empty input"));
	expect_error("hello world\n", 1, "not a debug=1 text profile");
	expect_error("<html><body>502 Bad Gateway</body></html>\n", 1,
	             "not a debug=1 text profile");
	expect_error("\n\ngoroutine profile: total 1\n", 1, "empty first line");
	/* cut-off headers */
	expect_error("goroutine profile: tot", 1, "not a debug=1 text profile");
	expect_error("goroutine profile: total 131", 1, "truncated header");
	expect_error("goroutine profile: total x\n", 1, "profile total");
	expect_error(" profile: total 3\n", 1, "missing profile name");
	expect_error("goroutine profile: total 3 garbage\n", 1, "after the total");
	expect_error("heap profile: 199: 12912032 [328: 13031440] @ heap/", 1,
	             "heap sampling rate");
	expect_error("heap profile: 199: 12912032 [328: 13031440] @ heap/1048576", 1,
	             "truncated header");
	expect_error("heap profile: 199: 12912032 [328: 13031440\n", 1,
	             "malformed heap profile header");
	expect_error("heap profile: 199\n", 1, "malformed heap profile header");
	expect_error("heap profile: 1: 2 [3: 4] @ growth/1\n", 1, "malformed heap profile header");
	expect_error("--- contention:", 1, "truncated header");
	expect_error("--- contention:\n", 2, "missing cycles/second");
	expect_error("--- contention:\ncycles/second=2100000315", 2, "truncated header");
	expect_error("--- contention:\ncycles/second=abc\n", 2, "malformed cycles/second");
	expect_error("--- contention:\ncycles/second=-5\n", 2, "malformed cycles/second");
	expect_error("--- mutex:\ncycles/second=2100000315\n", 3, "missing sampling period");
	expect_error("--- mutex:\ncycles/second=2100000315\nsampling period=x\n", 3,
	             "sampling period");
	/* header only, but the header promises records */
	expect_error("goroutine profile: total 5\n", 1, "no complete record");
	/* (a complete "5 @ 0x1 0x2\n" is an unsymbolized record: test_unsymbolized) */
	expect_error("goroutine profile: total 5\n5 @ 0x1 0x2", 2, "no complete record");
	/* unknown attributes of a contention header are ignored */
	struct snapshot *s =
	    parse_str("--- contention:\ncycles/second=2100000315\nfoo=bar\n", NULL);
	assert_true(s->profiling_disabled);
	snapshot_free(s);
	/* an empty count profile is fine */
	s = parse_str("goroutineleak profile: total 0\n", NULL);
	assert_int_equal(s->kind, PROF_GOROUTINELEAK);
	assert_int_equal(s->ngroups, 0);
	assert_int_equal(s->header_total, 0);
	snapshot_free(s);
}

static void
test_malformed_records(void **state)
{
	(void)state;
	const char *h = "goroutine profile: total 1\n";
	char buf[512];

	/* int64 overflow: error with the line number */
	snprintf(buf, sizeof(buf), "%s99999999999999999999 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n",
	         h);
	expect_error(buf, 2, "out of range");
	snprintf(buf, sizeof(buf),
	         "%s1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n"
	         "1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:99999999999999999999\n\n",
	         h);
	expect_error(buf, 6, "out of range");
	expect_error("goroutine profile: total 99999999999999999999\n", 1, "out of range");
	/* the largest int64 is fine alone, but not summed with more */
	snprintf(buf, sizeof(buf), "%s9223372036854775807 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n",
	         h);
	struct snapshot *s = parse_str(buf, NULL);
	assert_int_equal(s->totals[0], INT64_MAX);
	snapshot_free(s);
	snprintf(buf, sizeof(buf),
	         "%s9223372036854775807 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n"
	         "1 @ 0x2\n#\t0x2\tmain.g+0x1\t/a.go:2\n\n",
	         h);
	expect_error(buf, 5, "overflow");
	expect_error("heap profile: 1: 1 [1: 1] @ heap/1048576\n"
	             "1: 9223372036854775807 [1: 1] @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n",
	             2, "out of range after scaling");
	expect_error("heap profile: 1: 1 [1: 1] @ heap/0\n"
	             "1: 99999999999999999999 [1: 1] @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n",
	             2, "out of range");
	expect_error("--- mutex:\ncycles/second=2100000315\nsampling period=5\n"
	             "1 9223372036854775807 @ 0x1\n#\t0x1\tmain.f+0x1\t/usr/lib/go-1.19/a.go:1\n\n",
	             4, "out of range");
	expect_error("--- contention:\ncycles/second=1\n"
	             "9223372036854775807 1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n",
	             3, "out of range");

	/* syntax errors */
	snprintf(buf, sizeof(buf), "%s1 @ 0x1 zz\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n", h);
	expect_error(buf, 2, "bad PC list");
	snprintf(buf, sizeof(buf), "%s1 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n", h);
	expect_error(buf, 2, "expected '@'");
	snprintf(buf, sizeof(buf), "%s-1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n", h);
	expect_error(buf, 2, "record count");
	snprintf(buf, sizeof(buf), "%s1 @ 0x1\n#\t0x1\tmain.f+0x1\n\n", h);
	expect_error(buf, 3, "malformed frame line");
	snprintf(buf, sizeof(buf), "%s1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go\n\n", h);
	expect_error(buf, 3, "malformed frame line");
	snprintf(buf, sizeof(buf), "%s1 @ 0x1\n#\tmain.f+0x1\t/a.go:1\n\n", h);
	expect_error(buf, 3, "malformed frame line");
	snprintf(buf, sizeof(buf), "%s\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n", h);
	expect_error(buf, 3, "frame line outside a record");
	snprintf(buf, sizeof(buf), "%s1 @ 0x1\n# what\n\n", h);
	expect_error(buf, 3, "unexpected comment line");
	expect_error("heap profile: 1: 1 [1: 1] @ heap/0\n1 1 [1: 1] @ 0x1\n", 2, "expected ':'");
	expect_error("heap profile: 1: 1 [1: 1] @ heap/0\n1: 1 [1: 1 @ 0x1\n", 2, "expected ']'");
	expect_error("heap profile: 1: 1 [1: 1] @ heap/0\n\n# runtime.MemStats\nAlloc = 5\n", 4,
	             "MemStats");
	expect_error("--- contention:\ncycles/second=1\n5 @ 0x1\n", 3, "contention count");

	/* an error in the middle of a real capture: the right line number */
	size_t len, n;
	char *fx = tu_read("go1.19/goroutine-debug1.txt", &len);
	char *bad = replace_line(fx, len, 20, "#\t0x465804\truntime/pprof.F+0x24", &n);
	struct parse_err err = parse_fails_buf(bad, n, NULL);
	assert_int_equal(err.line, 20);
	assert_non_null(strstr(err.msg, "malformed frame line"));
	free(bad);
	bad = replace_line(fx, len, 7, "34 @ 0x43b2f6 0x407e5b 0xZZ", &n);
	err = parse_fails_buf(bad, n, NULL);
	assert_int_equal(err.line, 7);
	free(bad);
	free(fx);
	fx = tu_read("go1.19/heap-debug1.txt", &len);
	bad = replace_line(fx, len, 24, "0: 0 [12: 307x2] @ 0x6766dc 0x46b341", &n);
	err = parse_fails_buf(bad, n, NULL);
	assert_int_equal(err.line, 24);
	free(bad);
	free(fx);
}

static void
test_limits(void **state)
{
	(void)state;
	/* a line longer than PARSE_MAX_LINE */
	size_t big = PARSE_MAX_LINE + 64;
	char *buf = malloc(big);
	const char *h = "goroutine profile: total 1\n1 @ ";
	size_t hl = strlen(h);
	put(buf, h, hl);
	for (size_t i = hl; i < big; i++)
		buf[i] = " 0xx"[(i - hl) % 4];
	buf[big - 1] = '\n';
	struct parse_err err = parse_fails_buf(buf, big, NULL);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "longer than"));
	/* the same without a final newline */
	err = parse_fails_buf(buf, big - 1, NULL);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "longer than"));
	/* a first line that is too long */
	memset(buf, 'a', big);
	err = parse_fails_buf(buf, big, NULL);
	assert_int_equal(err.line, 1);
	assert_non_null(strstr(err.msg, "longer than"));

	/* a frame line of exactly PARSE_MAX_LINE bytes is accepted */
	const char *pre = "goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.f";
	const char *post = "+0x1\t/a.go:1\n\n";
	size_t pl = strlen(pre), ql = strlen(post);
	size_t fill = PARSE_MAX_LINE - (pl - 35) - (ql - 2);
	size_t total = pl + fill + ql;
	char *ok = malloc(total);
	put(ok, pre, pl);
	memset(ok + pl, 'y', fill);
	put(ok + pl + fill, post, ql);
	struct snapshot *s = parse_buf(ok, total, NULL);
	assert_int_equal(s->ngroups, 1);
	assert_int_equal(strlen(group_frame(&s->groups[0], 0)->function), 6 + fill);
	snapshot_free(s);
	/* one byte more and it is rejected */
	char *ko = malloc(total + 1);
	put(ko, pre, pl);
	memset(ko + pl, 'y', fill + 1);
	put(ko + pl + fill + 1, post, ql);
	err = parse_fails_buf(ko, total + 1, NULL);
	assert_int_equal(err.line, 3);
	free(ok);
	free(ko);
	free(buf);

	/* PARSE_MAX_FRAMES frames are fine, one more is an error */
	const char *fr = "#\t0x1\tmain.f+0x1\t/a.go:1\n";
	size_t fl = strlen(fr);
	size_t cap = 64 + (PARSE_MAX_FRAMES + 1) * fl;
	buf = malloc(cap);
	for (int extra = 0; extra < 2; extra++) {
		size_t n = 0;
		put(buf, h, hl);
		n = hl;
		put(buf + n, "0x1\n", 4);
		n += 4;
		for (int i = 0; i < PARSE_MAX_FRAMES + extra; i++) {
			put(buf + n, fr, fl);
			n += fl;
		}
		buf[n++] = '\n';
		if (extra == 0) {
			s = parse_buf(buf, n, NULL);
			assert_int_equal(s->groups[0].nframes, PARSE_MAX_FRAMES);
			snapshot_free(s);
		} else {
			err = parse_fails_buf(buf, n, NULL);
			assert_int_equal(err.line, 2 + PARSE_MAX_FRAMES + 1);
			assert_non_null(strstr(err.msg, "frames"));
		}
	}
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_goroutine_debug1),
		cmocka_unit_test(test_goroutine_frames_exact),
		cmocka_unit_test(test_goroutineleak_debug1),
		cmocka_unit_test(test_threadcreate_debug1),
		cmocka_unit_test(test_custom_openfiles),
		cmocka_unit_test(test_heap_debug1),
		cmocka_unit_test(test_heap_memstats_exact),
		cmocka_unit_test(test_heap_scaling),
		cmocka_unit_test(test_contention_debug1),
		cmocka_unit_test(test_contention_runtime_frames_kept),
		cmocka_unit_test(test_rate_not_set),
		cmocka_unit_test(test_mutex_version_detection),
		cmocka_unit_test(test_labels_verbatim),
		cmocka_unit_test(test_frame_forms),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malformed_headers),
		cmocka_unit_test(test_malformed_records),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_unsymbolized),
		cmocka_unit_test(test_mutex_scaling),
	};
	return cmocka_run_group_tests_name("parse_text", tests, NULL, NULL);
}
