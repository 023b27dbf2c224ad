/* test_parse_dump.c - goroutine?debug=2 dumps: exact values from the
 * captured fixtures (counted independently with grep/awk on the files),
 * header/frame variants, labels, truncation and malformed input. */
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
parse_mem(const char *p, size_t len, const char *name)
{
	struct snapshot *s = NULL;
	struct parse_err err;

	if (parse_dump(p, len, name, &s, &err) != 0) {
		char msg[512];
		parse_err_format(&err, "<mem>", msg, sizeof(msg));
		fail_msg("%s", msg);
	}
	assert_non_null(s);
	return s;
}

static struct snapshot *
parse_str(const char *p)
{
	return parse_mem(p, strlen(p), NULL);
}

/* parse must fail at line `line` with a message containing `what` */
static void
expect_error(const char *p, size_t len, size_t line, const char *what)
{
	struct snapshot *s = (struct snapshot *)1;
	struct parse_err err;

	assert_int_equal(parse_dump(p, len, NULL, &s, &err), -1);
	assert_null(s);
	if (strstr(err.msg, what) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err.msg, what);
	assert_int_equal(err.line, line);
}

static void
expect_error_str(const char *p, size_t line, const char *what)
{
	expect_error(p, strlen(p), line, what);
}

static int64_t
state_count(const struct group *g, const char *state)
{
	for (const struct gstate *st = group_more(g)->states; st != NULL; st = st->next)
		if (strcmp(st->state, state) == 0)
			return st->count;
	return 0;
}

static int64_t
label_count(const struct group *g, const char *text)
{
	for (const struct labelset *l = g->labels; l != NULL; l = l->next)
		if (strcmp(l->text, text) == 0)
			return l->count;
	return 0;
}

static size_t
nlabelsets(const struct group *g)
{
	size_t n = 0;

	for (const struct labelset *l = g->labels; l != NULL; l = l->next)
		n++;
	return n;
}

static const struct group *
group_of_goid(const struct snapshot *s, int64_t goid)
{
	for (size_t i = 0; i < s->ngroups; i++)
		for (size_t j = 0; j < group_more(&s->groups[i])->ngoids; j++)
			if (group_more(&s->groups[i])->goids[j] == goid)
				return &s->groups[i];
	return NULL;
}

static int64_t
sum_leaked(const struct snapshot *s)
{
	int64_t n = 0;

	for (size_t i = 0; i < s->ngroups; i++)
		n += group_more(&s->groups[i])->nleaked;
	return n;
}

static void
assert_frame(const struct frame *f, const char *fn, const char *file, int64_t line)
{
	assert_string_equal(f->function, fn);
	assert_string_equal(f->file, file);
	assert_int_equal(f->line, line);
}

/* invariants every parsed dump satisfies */
static void
check_invariants(const struct snapshot *s)
{
	int64_t total = 0, ngoids = 0;

	assert_int_equal(s->format, FMT_DUMP);
	assert_int_equal(s->nvalues, 1);
	assert_string_equal(s->vt[0].key, "count");
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct group *g = &s->groups[i];
		int64_t nst = 0;
		assert_int_equal(g->values[0], g->nsamples);
		assert_int_equal((int64_t)group_more(g)->ngoids, g->values[0]);
		for (const struct gstate *st = group_more(g)->states; st != NULL; st = st->next) {
			nst += st->count;
			assert_null(strstr(st->state, "(leaked)"));
			assert_null(strstr(st->state, "(scan)"));
		}
		assert_int_equal(nst, g->values[0]);
		for (size_t j = 1; j < group_more(g)->ngoids; j++)
			assert_true(group_more(g)->goids[j - 1] < group_more(g)->goids[j]);
		total += g->values[0];
		ngoids += (int64_t)group_more(g)->ngoids;
	}
	assert_int_equal(s->totals[0], total);
	assert_int_equal(s->ngoroutines, total);
	assert_int_equal(ngoids, total);
}

/* ---- the captured dumps, one per Go version ---- */

struct version_case {
	const char *dir;
	int64_t goroutines; /* grep -c '^goroutine ' */
	size_t groups;
	int64_t leakers; /* goroutines in main.leakOne.func1 */
	const char *mutex_state;
	int64_t mutex_goid; /* main.variety.func6, blocked in Mutex.Lock */
	const char *mutex_leaf;
	uint32_t mutex_frames;
	int64_t sleep_goid;  /* main.variety.func1: [sleep, 1 minutes] */
	int64_t locked_goid; /* main.variety.func9: [sleep, 1 minutes, locked to thread] */
	int64_t deep_goid;   /* main.deep: the 151-deep recursion */
	uint32_t deep_frames;
	bool deep_elided;
	int64_t requester; /* first block, [running] */
};

static const struct version_case versions[] = {
	{ "go1.19", 131, 29, 102, "semacquire", 11, "sync.runtime_SemacquireMutex", 4, 6, 14, 18,
	  97, false, 149 },
	{ "go1.21", 143, 27, 115, "sync.Mutex.Lock", 11, "sync.runtime_SemacquireMutex", 4, 6, 14,
	  18, 100, true, 151 },
	{ "go1.22", 144, 27, 116, "sync.Mutex.Lock", 24, "sync.runtime_SemacquireMutex", 4, 19, 27,
	  30, 100, true, 157 },
	{ "go1.24", 144, 27, 116, "sync.Mutex.Lock", 25, "internal/sync.runtime_SemacquireMutex", 5,
	  4, 28, 31, 100, true, 155 },
	{ "go1.27", 145, 27, 117, "sync.Mutex.Lock", 25, "internal/sync.runtime_SemacquireMutex", 5,
	  20, 28, 31, 100, true, 155 },
};

static void
check_version(const struct version_case *vc)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/goroutine-debug2.txt", vc->dir);
	struct snapshot *s = tu_parse(path, NULL);
	check_invariants(s);
	assert_string_equal(s->name, "goroutine");
	assert_int_equal(s->kind, PROF_GOROUTINE);
	assert_false(s->truncated);
	assert_int_equal(s->ngoroutines, vc->goroutines);
	assert_int_equal(s->totals[0], vc->goroutines);
	assert_int_equal(s->ngroups, vc->groups);
	assert_int_equal(sum_leaked(s), 0);

	/* the labelled leakers: one group, no labels before 1.26 */
	const struct group *g = tu_group_with_fn(s, "main.leakOne.func1");
	assert_non_null(g);
	assert_int_equal(g->values[0], vc->leakers);
	assert_int_equal(state_count(g, "chan receive"), vc->leakers);
	assert_int_equal(g->nframes, 2);
	assert_string_equal(group_frame(g, 1)->function, "runtime/pprof.Do");
	assert_null(g->labels);
	assert_non_null(group_more(g)->created_by);
	assert_string_equal(group_more(g)->created_by->function, "main.leakOne");

	/* Mutex.Lock: [semacquire] in 1.19, [sync.Mutex.Lock] from 1.21 */
	g = group_of_goid(s, vc->mutex_goid);
	assert_non_null(g);
	assert_ptr_equal(g, tu_group_with_fn(s, "main.variety.func6"));
	assert_int_equal(g->values[0], 1);
	assert_int_equal(state_count(g, vc->mutex_state), 1);
	assert_int_equal(group_more(g)->max_wait_minutes, 1);
	assert_int_equal(g->nframes, vc->mutex_frames);
	assert_string_equal(group_frame(g, 0)->function, vc->mutex_leaf);
	assert_frame(group_frame(g, g->nframes - 1), "main.variety.func6",
	             "/home/gopher/demo/main.go", 165);
	assert_string_equal(group_frame(g, g->nframes - 2)->function, "sync.(*Mutex).Lock");
	assert_frame(group_more(g)->created_by, "main.variety", "/home/gopher/demo/main.go", 165);

	/* the sleeper: [sleep, 1 minutes], created by main.variety (with
	 * " in goroutine 1" from 1.21, stripped) */
	g = group_of_goid(s, vc->sleep_goid);
	assert_non_null(g);
	assert_int_equal(g->nframes, 2);
	assert_string_equal(group_frame(g, 0)->function, "time.Sleep");
	assert_frame(group_frame(g, 1), "main.variety.func1", "/home/gopher/demo/main.go", 148);
	assert_int_equal(state_count(g, "sleep"), 1);
	assert_int_equal(group_more(g)->max_wait_minutes, 1);
	assert_int_equal(group_more(g)->nlocked, 0);
	assert_frame(group_more(g)->created_by, "main.variety", "/home/gopher/demo/main.go", 148);

	/* locked to thread */
	g = group_of_goid(s, vc->locked_goid);
	assert_non_null(g);
	assert_string_equal(group_frame(g, g->nframes - 1)->function, "main.variety.func9");
	assert_int_equal(group_more(g)->nlocked, 1);
	assert_int_equal(group_more(g)->max_wait_minutes, 1);
	assert_int_equal(state_count(g, "sleep"), 1);

	/* the 151-deep recursion: 97 frames and no marker in 1.19,
	 * 50 + 50 frames and "...51 frames elided..." from 1.21 */
	g = group_of_goid(s, vc->deep_goid);
	assert_non_null(g);
	assert_int_equal(g->nframes, vc->deep_frames);
	assert_int_equal(g->elided, vc->deep_elided);
	assert_frame(group_frame(g, 0), "main.deep", "/home/gopher/demo/main.go", 130);
	for (uint32_t i = 1; i < g->nframes; i++)
		assert_frame(group_frame(g, i), "main.deep", "/home/gopher/demo/main.go", 132);
	assert_int_equal(state_count(g, "chan receive"), 1);
	assert_frame(group_more(g)->created_by, "main.variety", "/home/gopher/demo/main.go", 190);
	/* only that group is elided */
	for (size_t i = 0; i < s->ngroups; i++)
		if (&s->groups[i] != g)
			assert_false(s->groups[i].elided);

	/* goroutine 1 has no "created by" */
	g = group_of_goid(s, 1);
	assert_non_null(g);
	assert_null(group_more(g)->created_by);
	assert_string_equal(group_frame(g, g->nframes - 1)->function, "main.main");
	assert_int_equal(state_count(g, "IO wait"), 1);

	/* the requesting goroutine is kept, [running] */
	g = group_of_goid(s, vc->requester);
	assert_non_null(g);
	assert_int_equal(state_count(g, "running"), 1);
	assert_string_equal(group_frame(g, 0)->function, "runtime/pprof.writeGoroutineStacks");
	snapshot_free(s);
}

static void
test_versions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		check_version(&versions[i]);
}

/* The debug=1 text of the same folder was captured in the same second
 * (same totals, same Date header): stable stacks have the same id, and the
 * leakers the same count, in both formats. */
static void
test_cross_format(void **state)
{
	static const char *const stable[] = {
		"main.leakOne.func1", "main.variety.func1", "main.variety.func3",
		"main.variety.func6", "main.variety.func9", "main.waitGeneric[...]",
	};
	(void)state;

	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		char path[256];
		size_t len;
		struct snapshot *text = NULL;
		struct parse_err err;

		snprintf(path, sizeof(path), "%s/goroutine-debug1.txt", versions[v].dir);
		char *buf = tu_read(path, &len);
		int rc = profile_parse(buf, len, NULL, &text, &err);
		free(buf);
		if (rc != 0 && strstr(err.msg, "not implemented") != NULL)
			skip(); /* the debug=1 parser is not there yet */
		assert_int_equal(rc, 0);
		assert_int_equal(text->format, FMT_TEXT);
		assert_int_equal(text->totals[0], versions[v].goroutines);

		snprintf(path, sizeof(path), "%s/goroutine-debug2.txt", versions[v].dir);
		struct snapshot *dump = tu_parse(path, NULL);
		for (size_t i = 0; i < sizeof(stable) / sizeof(stable[0]); i++) {
			const struct group *a = tu_group_with_fn(text, stable[i]);
			const struct group *b = tu_group_with_fn(dump, stable[i]);
			assert_non_null(a);
			assert_non_null(b);
			if (a->id != b->id)
				fail_msg("%s %s: id %016llx (debug=1) != %016llx (debug=2)",
				         versions[v].dir, stable[i], (unsigned long long)a->id,
				         (unsigned long long)b->id);
			assert_int_equal(a->values[0], b->values[0]);
			assert_ptr_not_equal(snapshot_find(dump, a->id), NULL);
		}
		const struct group *lk = tu_group_with_fn(dump, "main.leakOne.func1");
		assert_int_equal(lk->values[0], versions[v].leakers);
		/* the main goroutine: the profile ends its stack with runtime.main,
		 * the dump's traceback leaves it out, so the ids differ and only
		 * the stack matches it: goroutine 1, [IO wait] in every capture */
		const struct group *pm = tu_group_with_fn(text, "main.main");
		const struct group *dm = tu_group_with_fn(dump, "main.main");
		assert_non_null(pm);
		assert_non_null(dm);
		assert_string_equal(group_frame(pm, pm->nframes - 1)->function, "runtime.main");
		assert_string_equal(group_frame(dm, dm->nframes - 1)->function, "main.main");
		if (strcmp(versions[v].dir, "go1.24") == 0) {
			/* captured at other moments: main was in syscall.accept4
			 * (13 frames) for debug=1, parked in pollWait for debug=2;
			 * other stacks, no match */
			assert_int_equal(pm->nframes, 13);
			assert_int_equal(dm->nframes, 11);
			assert_null(snapshot_find_stack(dump, pm));
			snapshot_free(text);
			snapshot_free(dump);
			continue;
		}
		assert_int_equal(pm->nframes, dm->nframes + 1);
		assert_true(pm->id != dm->id);
		assert_null(snapshot_find(dump, pm->id));
		assert_ptr_equal(snapshot_find_stack(dump, pm), dm);
		assert_int_equal(group_more(dm)->ngoids, 1);
		assert_int_equal(group_more(dm)->goids[0], 1);
		assert_int_equal(state_count(dm, "IO wait"), 1);
		/* a stable group is found by its id */
		const struct group *pl = tu_group_with_fn(text, "main.leakOne.func1");
		assert_ptr_equal(snapshot_find_stack(dump, pl), lk);
		/* the other way round: no runtime.main in the dump to drop */
		assert_null(snapshot_find_stack(text, dm));
		snapshot_free(text);
		snapshot_free(dump);
	}
}

/* 1.27 with a go 1.27 module: "{component: leaker, leak_id: 0}" after the
 * brackets, converted to the debug=1 text of goroutine-debug1.txt. */
static void
test_go127_labels(void **state)
{
	static const char *const texts[] = {
		"{\"component\":\"leaker\", \"leak_id\":\"0\"}",
		"{\"component\":\"leaker\", \"leak_id\":\"1\"}",
		"{\"component\":\"leaker\", \"leak_id\":\"2\"}",
	};
	(void)state;

	struct snapshot *s = tu_parse("go1.27/goroutine-debug2-gomod1.27-labels.txt", NULL);
	check_invariants(s);
	assert_int_equal(s->ngoroutines, 145);
	assert_int_equal(s->ngroups, 28);
	const struct group *g = tu_group_with_fn(s, "main.leakOne.func1");
	assert_non_null(g);
	assert_int_equal(g->values[0], 117);
	assert_int_equal(state_count(g, "chan receive"), 117);
	assert_int_equal(nlabelsets(g), 3);
	/* grep -c '{component: leaker, leak_id: N}' = 39 each */
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(label_count(g, texts[i]), 39);
	assert_string_equal(group_more(g)->created_by->file, "/home/gopher/demo127/main.go");

	/* goroutine 50 [runnable] {component: burner}: */
	g = group_of_goid(s, 50);
	assert_non_null(g);
	assert_int_equal(nlabelsets(g), 1);
	assert_int_equal(label_count(g, "{\"component\":\"burner\"}"), 1);
	assert_int_equal(state_count(g, "runnable"), 1);

	/* the very same strings are what debug=1 prints for these goroutines */
	size_t len;
	char *d1 = tu_read("go1.27/goroutine-debug1.txt", &len);
	char want[128];
	for (size_t i = 0; i < 3; i++) {
		snprintf(want, sizeof(want), "\n# labels: %s\n", texts[i]);
		assert_non_null(strstr(d1, want));
	}
	assert_non_null(strstr(d1, "\n# labels: {\"component\":\"burner\"}\n"));
	free(d1);

	/* unlabelled goroutines carry no label set */
	g = group_of_goid(s, 1);
	assert_null(g->labels);
	snapshot_free(s);

	/* without the go 1.27 module line there are no labels at all */
	s = tu_parse("go1.27/goroutine-debug2.txt", NULL);
	for (size_t i = 0; i < s->ngroups; i++)
		assert_null(s->groups[i].labels);
	snapshot_free(s);
}

/* goroutineleak?debug=2 dumps every goroutine and marks leaked ones; the
 * normal dump after a leak detection shows the same marks. */
static void
check_leaks(const char *path, const char *name, enum prof_kind kind)
{
	struct snapshot *s = tu_parse(path, name);
	check_invariants(s);
	assert_int_equal(s->kind, kind);
	assert_string_equal(s->name, name != NULL ? name : "goroutine");
	assert_int_equal(s->ngoroutines, 278);
	assert_int_equal(s->ngroups, 28);
	/* grep -c '(leaked)' = 255 */
	assert_int_equal(sum_leaked(s), 255);

	const struct group *g = tu_group_with_fn(s, "main.leakOne.func1");
	assert_int_equal(g->values[0], 250);
	assert_int_equal(group_more(g)->nleaked, 250);
	assert_int_equal(state_count(g, "chan receive"), 250);
	assert_int_equal(group_more(g)->max_wait_minutes,
	                 0); /* leaked goroutines lose the minutes */

	g = group_of_goid(s, 21); /* [select (no cases) (leaked)] */
	assert_ptr_equal(g, tu_group_with_fn(s, "main.variety.func2"));
	assert_int_equal(group_more(g)->nleaked, 1);
	assert_int_equal(state_count(g, "select (no cases)"), 1);
	g = group_of_goid(s, 22); /* [chan receive (nil chan) (leaked)] */
	assert_int_equal(group_more(g)->nleaked, 1);
	assert_int_equal(state_count(g, "chan receive (nil chan)"), 1);
	g = group_of_goid(s, 23); /* [select (leaked)] */
	assert_int_equal(group_more(g)->nleaked, 1);
	assert_int_equal(state_count(g, "select"), 1);
	g = group_of_goid(s, 31); /* the deep recursion, leaked too */
	assert_int_equal(group_more(g)->nleaked, 1);
	assert_true(g->elided);
	assert_int_equal(g->nframes, 100);
	g = group_of_goid(s, 20); /* [sleep, 3 minutes]: not leaked */
	assert_int_equal(group_more(g)->nleaked, 0);
	assert_int_equal(group_more(g)->max_wait_minutes, 3);
	snapshot_free(s);
}

static void
test_goroutineleak(void **state)
{
	(void)state;
	check_leaks("go1.27/goroutineleak-debug2.txt", "goroutineleak", PROF_GOROUTINELEAK);
	check_leaks("go1.27/goroutine-debug2-after-leak-detection.txt", NULL, PROF_GOROUTINE);
}

/* GODEBUG=tracebackancestors=3: "[originating from goroutine N]:" sections
 * are not part of the stack, and their "created by" lines are ignored. */
static void
test_tracebackancestors(void **state)
{
	(void)state;
	struct snapshot *s =
	    tu_parse("variants/go1.19-goroutine-debug2-GODEBUG-tracebackancestors3.txt", NULL);
	check_invariants(s);
	assert_int_equal(s->ngoroutines, 146);
	assert_int_equal(s->ngroups, 28);

	const struct group *g = group_of_goid(s, 28);
	assert_non_null(g);
	assert_int_equal(g->nframes, 2);
	assert_string_equal(group_frame(g, 0)->function, "time.Sleep");
	assert_frame(group_frame(g, 1), "main.variety.func12.1", "/home/gopher/demo/main.go", 195);
	assert_frame(group_more(g)->created_by, "main.variety.func12", "/home/gopher/demo/main.go",
	             195);

	g = group_of_goid(s, 19);
	assert_int_equal(g->nframes, 2);
	assert_frame(group_frame(g, 1), "main.variety.func1", "/home/gopher/demo/main.go", 148);
	assert_frame(group_more(g)->created_by, "main.variety", "/home/gopher/demo/main.go", 148);

	/* the requester (ancestors after its created by): 9 frames */
	g = group_of_goid(s, 165);
	assert_int_equal(g->nframes, 9);
	assert_string_equal(group_frame(g, 8)->function, "net/http.(*conn).serve");

	g = tu_group_with_fn(s, "main.leakOne.func1");
	assert_int_equal(g->values[0], 118);
	assert_int_equal(g->nframes, 2);
	g = tu_group_with_fn(s, "main.deep");
	assert_int_equal(g->nframes, 97);
	assert_false(g->elided);
	snapshot_free(s);
}

/* GOTRACEBACK=system does not change runtime.Stack's output. */
static void
test_gotraceback_system(void **state)
{
	(void)state;
	struct snapshot *s =
	    tu_parse("variants/go1.23-goroutine-debug2-GOTRACEBACK-system.txt", NULL);
	check_invariants(s);
	assert_int_equal(s->ngoroutines, 148);
	assert_int_equal(s->ngroups, 28);
	const struct group *g = tu_group_with_fn(s, "main.leakOne.func1");
	assert_int_equal(g->values[0], 120);
	g = tu_group_with_fn(s, "main.deep");
	assert_int_equal(g->nframes, 100);
	assert_true(g->elided);
	g = group_of_goid(s, 10);
	assert_int_equal(state_count(g, "sync.Mutex.Lock"), 1);
	g = group_of_goid(s, 162);
	assert_int_equal(state_count(g, "running"), 1);
	for (size_t i = 0; i < s->ngroups; i++)
		for (uint32_t j = 0; j < s->groups[i].nframes; j++)
			assert_null(strstr(group_frame(&s->groups[i], j)->function, "gp="));
	snapshot_free(s);
}

/* ---- header variants ---- */

static void
test_header_variants(void **state)
{
	(void)state;
	struct snapshot *s =
	    parse_str("goroutine 7 gp=0xc000007a40 m=nil [GC worker (idle)]:\n"
	              "main.a()\n\t/x/a.go:1 +0x1\n\n"
	              "goroutine 1 gp=0xc000002380 m=0 mp=0x9a8ea0 [running, locked to thread]:\n"
	              "main.b()\n\t/x/a.go:2 +0x1\n\n"
	              "goroutine 9 [chan receive (scan) (leaked)]:\n"
	              "main.c()\n\t/x/a.go:3 +0x1\n\n"
	              "goroutine 10 [chan receive (durable), 12 minutes, synctest bubble 3]:\n"
	              "main.d()\n\t/x/a.go:4 +0x1\n\n"
	              "goroutine 11 [sleep, synctest group 5]:\n"
	              "main.e()\n\t/x/a.go:5 +0x1\n\n"
	              "goroutine 12 [select (no cases) (scan), 1 minutes, locked to thread]:\n"
	              "main.f()\n\t/x/a.go:6 +0x1\n\n"
	              "goroutine 13 [syscall, 9223 minutes, future field]:\n"
	              "main.g()\n\t/x/a.go:7 +0x1\n");
	check_invariants(s);
	assert_int_equal(s->ngoroutines, 7);
	const struct group *g = group_of_goid(s, 7);
	assert_int_equal(state_count(g, "GC worker (idle)"), 1);
	g = group_of_goid(s, 1);
	assert_int_equal(state_count(g, "running"), 1);
	assert_int_equal(group_more(g)->nlocked, 1);
	g = group_of_goid(s, 9);
	assert_int_equal(state_count(g, "chan receive"), 1);
	assert_int_equal(group_more(g)->nleaked, 1);
	g = group_of_goid(s, 10);
	assert_int_equal(state_count(g, "chan receive (durable)"), 1);
	assert_int_equal(group_more(g)->max_wait_minutes, 12);
	assert_int_equal(group_more(g)->nleaked, 0);
	g = group_of_goid(s, 11);
	assert_int_equal(state_count(g, "sleep"), 1);
	g = group_of_goid(s, 12);
	assert_int_equal(state_count(g, "select (no cases)"), 1);
	assert_int_equal(group_more(g)->nlocked, 1);
	assert_int_equal(group_more(g)->max_wait_minutes, 1);
	g = group_of_goid(s, 13);
	assert_int_equal(state_count(g, "syscall"), 1);
	assert_int_equal(group_more(g)->max_wait_minutes, 9223);
	snapshot_free(s);
}

static void
test_labels(void **state)
{
	(void)state;
	/* 1.26 GODEBUG=tracebacklabels=1: inside the brackets, no comma */
	struct snapshot *s = parse_str(
	    "goroutine 34 [chan receive, 1 minutes labels:{\"component\": \"leaker\", "
	    "\"leak_id\": \"0\"}]:\n"
	    "main.a()\n\t/x/a.go:1 +0x1\n\n"
	    "goroutine 35 [select labels:{\"k\": \"v]}, x\"}]:\n"
	    "main.a()\n\t/x/a.go:1 +0x1\n\n"
	    /* 1.27: after the brackets; user data with ] } , : quotes, escapes */
	    "goroutine 36 [chan receive, 2 minutes] {\"a]b\": \"x}, y: z\", plain: v.1/2, "
	    "\"quo\\\"te\": \"tab\\there\", \"\xc3\xa9\": \"\\u00e9\\x01\"}:\n"
	    "main.a()\n\t/x/a.go:1 +0x1\n\n"
	    /* pairs sorted as formatted strings, as debug=1 does */
	    "goroutine 37 [sleep] {a: 2, \"a b\": 1}:\n"
	    "main.a()\n\t/x/a.go:1 +0x1\n\n"
	    "goroutine 38 [sleep] {b: 2, a: 1}:\n"
	    "main.a()\n\t/x/a.go:1 +0x1\n\n"
	    "goroutine 39 [sleep] {}:\n"
	    "main.a()\n\t/x/a.go:1 +0x1\n\n"
	    "goroutine 40 [sleep] {k: \"\\xff\\u2028\\U0001F600\\a\"}:\n"
	    "main.a()\n\t/x/a.go:1 +0x1\n");
	check_invariants(s);
	assert_int_equal(s->ngoroutines, 7);
	assert_int_equal(s->ngroups, 1);
	const struct group *g = &s->groups[0];
	assert_int_equal(state_count(g, "chan receive"), 2);
	assert_int_equal(state_count(g, "select"), 1);
	assert_int_equal(state_count(g, "sleep"), 4);
	assert_int_equal(group_more(g)->max_wait_minutes, 2);
	assert_int_equal(label_count(g, "{\"component\":\"leaker\", \"leak_id\":\"0\"}"), 1);
	assert_int_equal(label_count(g, "{\"k\":\"v]}, x\"}"), 1);
	assert_int_equal(label_count(g, "{\"a]b\":\"x}, y: z\", \"plain\":\"v.1/2\", "
	                                "\"quo\\\"te\":\"tab\\there\", "
	                                "\"\xc3\xa9\":\"\xc3\xa9\\x01\"}"),
	                 1);
	assert_int_equal(label_count(g, "{\"a b\":\"1\", \"a\":\"2\"}"), 1);
	assert_int_equal(label_count(g, "{\"a\":\"1\", \"b\":\"2\"}"), 1);
	/* invalid UTF-8 byte, U+2028 and control characters are escaped,
	 * printable non-ASCII stays raw (strconv.Quote) */
	assert_int_equal(label_count(g, "{\"k\":\"\\xff\\u2028\xf0\x9f\x98\x80\\a\"}"), 1);
	assert_int_equal(nlabelsets(g), 6); /* {} is no label set */
	snapshot_free(s);
}

/* ---- frames ---- */

static void
test_frames(void **state)
{
	(void)state;
	struct snapshot *s = parse_str("goroutine 1 [running]:\n"
	                               "example.com/m/pkg.(*T).Method(0xc000010000, {0x1, 0x2})\n"
	                               "\t/home/my user/go src/pkg/t.go:42 +0x1d\n"
	                               "example.com/m/pkg.Map[...](...)\n"
	                               "\tC:/Users/x/pkg/map.go:7\n"
	                               "main.F[go.shape.struct { a int }](0x1)\n"
	                               "\t/a/main.go:9 +0x2f\n"
	                               "main.(*G[...]).M(0x0?, {0xc0, 0x1, 0x1}, ...)\n"
	                               "\t/a/main.go:10 +0x3\n"
	                               "panic({0x6c9e40, 0x9335d0})\n"
	                               "\t/usr/local/go/src/runtime/panic.go:770 +0x132\n"
	                               "main.main.func1()\n"
	                               "\t/a/dir:with:colons/main.go:11 +0x4\n"
	                               "main.main()\n"
	                               "\t/a/main.go:12 +0x5\n"
	                               "runtime.goexit({})\n"
	                               "\t/usr/local/go/src/runtime/asm_amd64.s:1700 +0x1\n"
	                               "created by main.init.0 in goroutine 1\n"
	                               "\t/a/init.go:3 +0x1a\n");
	assert_int_equal(s->ngroups, 1);
	const struct group *g = &s->groups[0];
	assert_int_equal(g->nframes, 7); /* runtime.goexit dropped */
	assert_frame(group_frame(g, 0), "example.com/m/pkg.(*T).Method",
	             "/home/my user/go src/pkg/t.go", 42);
	assert_frame(group_frame(g, 1), "example.com/m/pkg.Map[...]", "C:/Users/x/pkg/map.go", 7);
	assert_frame(group_frame(g, 2), "main.F[...]", "/a/main.go", 9);
	assert_frame(group_frame(g, 3), "main.(*G[...]).M", "/a/main.go", 10);
	assert_frame(group_frame(g, 4), "runtime.gopanic", "/usr/local/go/src/runtime/panic.go",
	             770);
	assert_frame(group_frame(g, 5), "main.main.func1", "/a/dir:with:colons/main.go", 11);
	assert_frame(group_frame(g, 6), "main.main", "/a/main.go", 12);
	assert_frame(group_more(g)->created_by, "main.init.0", "/a/init.go", 3);
	assert_false(g->elided);
	snapshot_free(s);

	/* cgo frames without a location line, a symbolized one with "pc=",
	 * both elision markers, a stack-less goroutine, CRLF line ends and
	 * no blank line between two goroutines */
	s = parse_str("goroutine 7 [syscall]:\n"
	              "non-Go function at pc=0x7f0000001234\n"
	              "non-Go function\n"
	              "\tpc=0x7f0000005678\n"
	              "C.helper\n"
	              "\t/src/helper.c:12 pc=0x7f0000009abc\n"
	              "main._Cfunc_sleep(0x1)\n"
	              "\t_cgo_gotypes.go:40 +0x3f\n"
	              "...additional frames elided...\n"
	              "\n"
	              "goroutine 8 [running]:\n"
	              "\tgoroutine running on other thread; stack unavailable\n"
	              "created by main.start in goroutine 1\n"
	              "\t/a/main.go:30 +0x1\n"
	              "goroutine 9 [sleep]:\r\n"
	              "main.x()\r\n"
	              "\t/a/main.go:31 +0x1\r\n");
	check_invariants(s);
	assert_int_equal(s->ngoroutines, 3);
	g = group_of_goid(s, 7);
	assert_int_equal(g->nframes, 4);
	assert_frame(group_frame(g, 0), "non-Go function at pc=0x7f0000001234", "", 0);
	assert_frame(group_frame(g, 1), "non-Go function", "", 0);
	assert_frame(group_frame(g, 2), "C.helper", "/src/helper.c", 12);
	assert_frame(group_frame(g, 3), "main._Cfunc_sleep", "_cgo_gotypes.go", 40);
	assert_true(g->elided);
	assert_null(group_more(g)->created_by);
	g = group_of_goid(s, 8);
	assert_int_equal(g->nframes, 0);
	assert_int_equal(state_count(g, "running"), 1);
	assert_frame(group_more(g)->created_by, "main.start", "/a/main.go", 30);
	g = group_of_goid(s, 9);
	assert_int_equal(g->nframes, 1);
	assert_frame(group_frame(g, 0), "main.x", "/a/main.go", 31);
	assert_int_equal(state_count(g, "sleep"), 1);
	assert_false(s->truncated);
	snapshot_free(s);

	/* identical stacks with different arguments form one group */
	s = parse_str("goroutine 1 [chan receive]:\nmain.w(0xc000012345, 0x1?)\n\t/a.go:5 +0x1\n\n"
	              "goroutine 2 [chan receive]:\nmain.w(0xc000099999, 0x0)\n\t/a.go:5 +0x9\n\n"
	              "goroutine 3 [chan receive]:\nmain.w(...)\n\t/a.go:6\n");
	assert_int_equal(s->ngroups, 2);
	assert_int_equal(s->groups[0].values[0], 2);
	assert_int_equal(group_more(&s->groups[0])->ngoids, 2);
	assert_int_equal(group_more(&s->groups[0])->goids[0], 1);
	assert_int_equal(group_more(&s->groups[0])->goids[1], 2);
	snapshot_free(s);
}

/* ---- truncation ---- */

/* Goroutine headers whose newline lies before `cut`. */
static int64_t
complete_headers(const char *p, size_t cut)
{
	int64_t n = 0;

	for (size_t i = 0; i < cut; i++) {
		if ((i == 0 || p[i - 1] == '\n') && cut - i > 10 &&
		    memcmp(p + i, "goroutine ", 10) == 0) {
			const char *nl = memchr(p + i, '\n', cut - i);
			if (nl != NULL)
				n++;
		}
	}
	return n;
}

static void
test_truncated_offsets(void **state)
{
	static const char *const files[] = {
		"go1.19/goroutine-debug2.txt",
		"go1.27/goroutine-debug2-gomod1.27-labels.txt",
		"variants/go1.19-goroutine-debug2-GODEBUG-tracebackancestors3.txt",
	};
	(void)state;

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		size_t len;
		char *buf = tu_read(files[f], &len);
		for (size_t cut = 11; cut < len; cut += 89) {
			/* parse a private copy so that ASan sees any overread */
			char *copy = malloc(cut);
			memcpy(copy, buf, cut);
			struct snapshot *s = parse_mem(copy, cut, NULL);
			check_invariants(s);
			if (buf[cut - 1] != '\n')
				assert_true(s->truncated);
			assert_int_equal(s->ngoroutines, complete_headers(buf, cut));
			snapshot_free(s);
			free(copy);
		}
		free(buf);
	}
}

static void
test_truncated_mid_stack(void **state)
{
	size_t len;
	(void)state;
	char *buf = tu_read("go1.19/goroutine-debug2.txt", &len);
	const char *h = strstr(buf, "\ngoroutine 18 [chan receive, 1 minutes]:\n");
	assert_non_null(h);
	int64_t before = complete_headers(buf, (size_t)(h - buf) + 1);

	/* 10 complete frames (header + 20 lines), then half a function line */
	const char *p = h + 1;
	for (int i = 0; i < 21; i++)
		p = strchr(p, '\n') + 1;
	size_t cut = (size_t)(p - buf) + 5;
	struct snapshot *s = parse_mem(buf, cut, NULL);
	check_invariants(s);
	assert_true(s->truncated);
	assert_int_equal(s->ngoroutines, before + 1);
	const struct group *g = group_of_goid(s, 18);
	assert_non_null(g);
	assert_int_equal(g->nframes, 10);
	assert_true(g->elided);
	assert_int_equal(state_count(g, "chan receive"), 1);
	assert_null(group_more(g)->created_by);
	snapshot_free(s);

	/* cut right after a function line (at a newline): dropped too */
	p = strchr(p, '\n') + 1;
	s = parse_mem(buf, (size_t)(p - buf), NULL);
	assert_true(s->truncated);
	assert_int_equal(group_of_goid(s, 18)->nframes, 10);
	snapshot_free(s);

	/* cut right after the header line */
	p = strchr(h + 1, '\n') + 1;
	s = parse_mem(buf, (size_t)(p - buf), NULL);
	assert_true(s->truncated);
	assert_int_equal(group_of_goid(s, 18)->nframes, 0);
	snapshot_free(s);

	/* cut inside "created by": the stack is complete, not elided */
	p = strstr(h, "\ncreated by main.variety\n") + 10;
	s = parse_mem(buf, (size_t)(p - buf), NULL);
	assert_true(s->truncated);
	g = group_of_goid(s, 18);
	assert_int_equal(g->nframes, 97);
	assert_false(g->elided);
	snapshot_free(s);
	free(buf);
}

/* The server stops at exactly 64 MiB: such a body is always truncated,
 * even when it happens to end with a complete line. */
static void
test_truncated_64mib(void **state)
{
	static const char tail[6] = { '.', 'g', 'o', ':', '1', '\n' };
	const size_t cap = (size_t)64 << 20;
	char *buf = malloc(cap);
	size_t n = 0;
	int64_t id = 1;
	(void)state;

	for (;;) {
		char block[128];
		int w =
		    snprintf(block, sizeof(block),
		             "goroutine %lld [chan receive]:\nmain.f(...)\n\t/a/b.go:%lld +0x1\n\n",
		             (long long)id, (long long)(id % 7));
		if (cap - n < 3 * (size_t)w)
			break;
		memcpy(buf + n, block, (size_t)w);
		n += (size_t)w;
		id++;
	}
	/* a last goroutine whose path fills the buffer exactly, ending in '\n' */
	int w = snprintf(buf + n, cap - n, "goroutine %lld [sleep]:\nmain.g()\n\t/", (long long)id);
	n += (size_t)w;
	memset(buf + n, 'x', cap - n);
	memcpy(buf + cap - sizeof(tail), tail, sizeof(tail));
	struct snapshot *s = parse_mem(buf, cap, NULL);
	assert_true(s->truncated);
	assert_int_equal(s->ngoroutines, id);
	assert_int_equal(s->ngroups, 8);
	const struct group *g = group_of_goid(s, id);
	assert_int_equal(g->nframes, 1);
	assert_true(g->elided);
	snapshot_free(s);

	/* the same one byte shorter: a complete dump */
	memcpy(buf + cap - 1 - sizeof(tail), tail, sizeof(tail));
	s = parse_mem(buf, cap - 1, NULL);
	assert_false(s->truncated);
	assert_int_equal(s->ngoroutines, id);
	assert_false(group_of_goid(s, id)->elided);
	snapshot_free(s);
	free(buf);
}

/* ---- malformed input ---- */

static void
test_errors(void **state)
{
	(void)state;
	struct snapshot *s = (struct snapshot *)1;
	struct parse_err err;

	assert_int_equal(parse_dump("", 0, NULL, &s, &err), -1);
	assert_null(s);
	assert_non_null(strstr(err.msg, "empty"));

	expect_error_str("hello world\n", 1, "not a goroutine dump");
	expect_error_str("hello", 1, "not a goroutine dump");
	expect_error_str("<html><body>login</body></html>\n", 1, "not a goroutine dump");
	expect_error("\x00\x01\x02\xff", 4, 1, "not a goroutine dump");
	expect_error_str("\ngoroutine 1 [running]:\n", 1, "not a goroutine dump");
	expect_error_str("goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n\ngarbage\n", 5,
	                 "expected a goroutine header");
	expect_error_str("goroutine 1 running:\n", 1, "malformed goroutine header");
	expect_error_str("goroutine 1 [running]\n", 1, "malformed goroutine header");
	expect_error_str("goroutine 1 [running]: x\n", 1, "malformed goroutine header");
	expect_error_str("goroutine 1 [running:\n", 1, "malformed goroutine header");
	expect_error_str("goroutine 1 [running] x}:\n", 1, "malformed goroutine header");
	expect_error_str("goroutine 1 []:\n", 1, "empty goroutine state");
	expect_error_str("goroutine 99999999999999999999 [running]:\n", 1,
	                 "goroutine id out of range");
	expect_error_str("goroutine 1 [sleep, 99999999999999999999 minutes]:\n", 1,
	                 "malformed field");
	expect_error_str("goroutine 1 [sleep] {\"unterminated: v}:\n", 1, "malformed labels");
	expect_error_str("goroutine 1 [sleep] {k: \"\\q\"}:\n", 1, "malformed labels");
	expect_error_str("goroutine 1 [sleep] {novalue}:\n", 1, "malformed labels");
	expect_error_str("goroutine 1 [sleep labels:{\"k\" \"v\"}]:\n", 1, "malformed labels");
	expect_error_str("goroutine 1 [running]:\nmain.main()\nmain.f()\n\t/a.go:1\n", 3,
	                 "not followed by its");
	expect_error_str("goroutine 1 [running]:\nmain.main()\n\ngoroutine 2 [sleep]:\n", 3,
	                 "not followed by its");
	expect_error_str("goroutine 1 [running]:\n\t/a.go:1\n", 2,
	                 "location line without a function line");
	expect_error_str("goroutine 1 [running]:\nmain.main()\n\tno line number here\n", 3,
	                 "malformed location line");
	expect_error_str("goroutine 1 [running]:\nmain.main()\n\t/a.go:99999999999999999999\n", 3,
	                 "malformed location line");
	expect_error_str("goroutine 1 [running]:\nmain.main()\n\t/a.go:1\ncreated by main.x\n"
	                 "main.y()\n",
	                 5, "\"created by\" not followed");
	expect_error_str("goroutine 1 [running]:\nmain.main()\n\t/a.go:1\ncreated by main.x\n"
	                 "\t/a.go:2\nmain.y()\n\t/a.go:3\n",
	                 6, "unexpected line after \"created by\"");
	expect_error_str("goroutine 1 [running]:\ncreated by \n\t/a.go:2\n", 2,
	                 "\"created by\" without a function");

	/* a line longer than PARSE_MAX_LINE */
	size_t big = PARSE_MAX_LINE + 64;
	char *p = malloc(big);
	size_t n = (size_t)snprintf(p, big, "goroutine 1 [running]:\nmain.");
	memset(p + n, 'a', big - n);
	p[big - 1] = '\n';
	expect_error(p, big, 2, "line longer than");
	/* ...also when it is the truncated last line */
	expect_error(p, big - 1, 2, "line longer than");
	free(p);

	/* more than PARSE_MAX_FRAMES frames in one goroutine */
	size_t cap = 64 + (size_t)(PARSE_MAX_FRAMES + 1) * 32;
	p = malloc(cap);
	n = (size_t)snprintf(p, cap, "goroutine 1 [running]:\n");
	for (int i = 0; i <= PARSE_MAX_FRAMES; i++)
		n += (size_t)snprintf(p + n, cap - n, "main.f%d()\n\t/a.go:%d\n", i, i + 1);
	expect_error(p, n, 1 + 2 * (PARSE_MAX_FRAMES + 1), "more than 4096 frames");
	/* exactly PARSE_MAX_FRAMES is fine */
	s = parse_mem(p, n - strlen("main.f4096()\n\t/a.go:4097\n"), NULL);
	assert_int_equal(s->groups[0].nframes, PARSE_MAX_FRAMES);
	snapshot_free(s);
	free(p);
}

/* No error message is empty, and parse_err_format prints the line. */
static void
test_error_format(void **state)
{
	struct snapshot *s = NULL;
	struct parse_err err;
	char msg[256];
	const char *in = "goroutine 1 [running]:\nmain.main()\n\tbad\n";
	(void)state;

	assert_int_equal(profile_parse(in, strlen(in), NULL, &s, &err), -1);
	parse_err_format(&err, "dump.txt", msg, sizeof(msg));
	assert_non_null(strstr(msg, "dump.txt: line 3: malformed location line"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_cross_format),
		cmocka_unit_test(test_go127_labels),
		cmocka_unit_test(test_goroutineleak),
		cmocka_unit_test(test_tracebackancestors),
		cmocka_unit_test(test_gotraceback_system),
		cmocka_unit_test(test_header_variants),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_truncated_offsets),
		cmocka_unit_test(test_truncated_mid_stack),
		cmocka_unit_test(test_truncated_64mib),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_format),
	};
	return cmocka_run_group_tests_name("parse_dump", tests, NULL, NULL);
}
