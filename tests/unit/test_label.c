/* test_label.c - row labels (src/label.c) on real captures: import paths
 * shortened, rows with the same label told apart by the frame where their
 * stacks differ, and goroutine wait states read from the runtime frames,
 * checked against the states the runtime itself wrote in a debug=2 dump of
 * the same service. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "pproftop/label.h"
#include "pproftop/profile.h"
#include "testutil.h"

static void
test_short(void **state)
{
	(void)state;
	assert_string_equal(
	    label_short("github.com/prometheus/prometheus/scrape.(*scrapeLoop).run"),
	    "scrape.(*scrapeLoop).run");
	assert_string_equal(label_short("net/http.(*persistConn).readLoop"),
	                    "http.(*persistConn).readLoop");
	assert_string_equal(label_short("go.etcd.io/etcd/mvcc/backend.(*backend).run"),
	                    "backend.(*backend).run");
	assert_string_equal(label_short("gopkg.in/yaml.v2.(*parser).parse"),
	                    "yaml.v2.(*parser).parse");
	assert_string_equal(label_short("main.parked"), "main.parked");
	assert_string_equal(label_short("runtime.gopark"), "runtime.gopark");
	/* folded type parameters and receivers are not import paths */
	assert_string_equal(label_short("example.com/m/p.F[...]"), "p.F[...]");
	assert_string_equal(label_short("a/b.(*T).M.func1"), "b.(*T).M.func1");
	assert_string_equal(label_short(""), "");
	assert_string_equal(label_short("weird/"), "weird/");
}

/* Every group's label, told apart, with its location: "fn file:line". */
static char **
labels_of(const struct snapshot *s)
{
	const struct group **g = calloc(s->ngroups + 1, sizeof(const struct group *));
	uint32_t *apart = calloc(s->ngroups + 1, sizeof(*apart));
	char **out = calloc(s->ngroups + 1, sizeof(*out));
	char text[600];

	for (size_t i = 0; i < s->ngroups; i++)
		g[i] = &s->groups[i];
	label_apart(g, s->ngroups, apart);
	for (size_t i = 0; i < s->ngroups; i++) {
		if (g[i]->nframes == 0) {
			out[i] = strdup("(no stack)");
			continue;
		}
		const struct frame *f = group_frame(g[i], g[i]->label_frame);
		const char *b = strrchr(f->file, '/');
		char *l = malloc(700);
		snprintf(l, 700, "%s %s:%lld",
		         label_text(g[i], apart[i], false, text, sizeof(text)), b ? b + 1 : f->file,
		         (long long)f->line);
		out[i] = l;
	}
	free(g);
	free(apart);
	return out;
}

static void
free_labels(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static bool
has_label(char **l, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i], want) == 0)
			return true;
	return false;
}

static void
assert_unique(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(l[i], l[j]) == 0)
				fail_msg("two rows read \"%s\"", l[i]);
}

/* The demo's churn stacks: main.parked at the same line under different
 * callers; the net/http reader, all standard library, by its entry. */
static void
test_apart_demo(void **state)
{
	(void)state;
	const char *files[] = { "local/goroutine-debug1.txt", "local/goroutine.pb.gz",
		                "go1.19/goroutine-debug1.txt", "go1.21/goroutine.pb.gz",
		                "go1.27/goroutine.pb.gz" };
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct snapshot *s = tu_parse(files[f], "goroutine");
		char **l = labels_of(s);
		assert_unique(l, s->ngroups);
		free_labels(l, s->ngroups);
		snapshot_free(s);
	}
	struct snapshot *s = tu_parse("local/goroutine-debug1.txt", "goroutine");
	char **l = labels_of(s);
	assert_true(has_label(l, s->ngroups, "main.parked <- main.stackF1 stacks.go:117"));
	assert_true(has_label(l, s->ngroups, "main.parked <- main.stackF3 stacks.go:117"));
	assert_true(has_label(l, s->ngroups, "main.parked <- main.stackF0 stacks.go:114"));
	assert_true(has_label(l, s->ngroups, "main.parked <- main.stackF2 stacks.go:114"));
	assert_true(has_label(l, s->ngroups, "http.(*connReader).backgroundRead server.go:678"));
	free_labels(l, s->ngroups);
	snapshot_free(s);
}

/* Identical labels whose stacks differ only below the label frame, and a
 * stack that is a prefix of another. */
static void
test_apart_edges(void **state)
{
	(void)state;
	struct frame a[] = { { "main.f", "m.go", 1 }, { "main.g", "m.go", 2 } };
	struct frame b[] = { { "main.f", "m.go", 1 },
		             { "main.g", "m.go", 2 },
		             { "main.h", "m.go", 3 } };
	struct frame c[] = { { "main.f", "m.go", 1 }, { "main.k", "m.go", 9 } };
	static const uint32_t idx[] = { 0, 1, 2 };
	struct group ga = { .nframes = 2, .fidx = idx, .ftab = a };
	struct group gb = { .nframes = 3, .fidx = idx, .ftab = b };
	struct group gc = { .nframes = 2, .fidx = idx, .ftab = c };
	struct group gd = { .nframes = 1, .fidx = &idx[1], .ftab = c };
	const struct group *g[] = { &ga, &gb, &gc, &gd, NULL };
	uint32_t apart[5];

	label_apart(g, 5, apart);
	/* ga is gb's prefix: ga has nothing past the shared frames */
	assert_int_equal(apart[0], LABEL_NONE);
	assert_int_equal(apart[1], 2);
	assert_int_equal(apart[2], 1);
	assert_int_equal(apart[3], LABEL_NONE);
	assert_int_equal(apart[4], LABEL_NONE);
	char t[100];
	assert_string_equal(label_text(&gb, apart[1], true, t, sizeof(t)),
	                    "main.f \xe2\x86\x90 main.h");
	assert_string_equal(label_text(&gc, apart[2], false, t, sizeof(t)), "main.f <- main.k");
	assert_string_equal(label_text(&gc, apart[2], false, t, 8), "main.f ");

	/* the same caller at another line: the line tells them apart */
	struct frame e[] = { { "main.f", "m.go", 1 }, { "main.g", "m.go", 7 } };
	struct group ge = { .nframes = 2, .fidx = idx, .ftab = e };
	const struct group *g2[] = { &ga, &ge };
	label_apart(g2, 2, apart);
	assert_int_equal(apart[0], 1 | LABEL_LINE);
	assert_int_equal(apart[1], 1 | LABEL_LINE);
	assert_string_equal(label_text(&ga, apart[0], false, t, sizeof(t)), "main.f <- main.g:2");
	assert_string_equal(label_text(&ge, apart[1], false, t, sizeof(t)), "main.f <- main.g:7");
}

/* 20,000 groups under one label, told apart at their 6th frame: one sort
 * and neighbours compared, well under a second (pairwise would take
 * minutes). */
static void
test_apart_20000(void **state)
{
	(void)state;
	enum { N = 20000, DEPTH = 8 };
	static struct frame fr[N][DEPTH];
	static uint32_t idx[DEPTH];
	static struct group grp[N];
	static const struct group *g[N];
	static uint32_t apart[N];
	static char names[N][16];

	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "main.c%zu", i);
		for (size_t k = 0; k < DEPTH; k++) {
			fr[i][k] =
			    (struct frame){ k == 5 ? names[i] : "main.f", "m.go", (int64_t)k };
			idx[k] = (uint32_t)k;
		}
		grp[i] = (struct group){ .nframes = DEPTH, .fidx = idx, .ftab = fr[i] };
		g[i] = &grp[i];
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	label_apart(g, N, apart);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("# label_apart: %d groups with one label in %.1f ms\n", N, ms);
	for (size_t i = 0; i < N; i++)
		assert_int_equal(apart[i], 5);
	assert_true(ms < 1000);
}

/* A dump's state in label_state's words. */
static const char *
dump_state(const char *st)
{
	static const struct {
		const char *dump, *ours;
	} map[] = {
		{ "chan receive (nil chan)", "chan receive" },
		{ "select (no cases)", "select" },
		{ "sync.Cond.Wait", "sync.Cond" },
		{ "sync.Mutex.Lock", "sync.Mutex" },
		{ "sync.RWMutex.RLock", "sync.RWMutex" },
		{ "sync.RWMutex.Lock", "sync.RWMutex" },
		{ "sync.WaitGroup.Wait", "sync.WaitGroup" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].dump, st) == 0)
			return map[i].ours;
	return st;
}

/* Every goroutine group of the protobuf against the same stacks in the
 * debug=2 dump of the same demo service: the runtime's own word. */
static void
test_state_vs_dump(void **state)
{
	(void)state;
	const char *vers[] = { "go1.19", "go1.21", "go1.22", "go1.24", "go1.27", "local" };
	size_t checked = 0;

	for (size_t v = 0; v < sizeof(vers) / sizeof(vers[0]); v++) {
		char pb[64], d2[64];
		snprintf(pb, sizeof(pb), "%s/goroutine.pb.gz", vers[v]);
		snprintf(d2, sizeof(d2), "%s/goroutine-debug2.txt", vers[v]);
		struct snapshot *s = tu_parse(pb, "goroutine");
		struct snapshot *d = tu_parse(d2, "goroutine");
		for (size_t i = 0; i < s->ngroups; i++) {
			const struct group *g = &s->groups[i];
			const struct group *dg = snapshot_find(d, g->id);
			if (dg == NULL || group_more(dg)->states == NULL ||
			    group_more(dg)->states->next != NULL)
				continue; /* not in the dump, or in several states */
			const char *want = dump_state(group_more(dg)->states->state);
			const char *got = label_state(g, s->format);
			/* Go 1.19's dump says "semacquire" for every semaphore */
			if (strcmp(want, "semacquire") == 0 && strncmp(got, "sync.", 5) == 0)
				want = got;
			/* a goroutine preempted between the two captures */
			if (strcmp(want, "runnable") == 0 || strcmp(want, "running") == 0)
				continue;
			if (strcmp(want, got) != 0)
				fail_msg("%s: %s: dump says \"%s\", label_state \"%s\"", vers[v],
				         group_frame(g, g->label_frame)->function, want, got);
			checked++;
		}
		snapshot_free(s);
		snapshot_free(d);
	}
	assert_true(checked >= 100);
}

/* The text form hides the runtime frames: only what shows is told. */
static void
test_state_text(void **state)
{
	(void)state;
	struct snapshot *s = tu_parse("go1.19/goroutine-debug1.txt", "goroutine");
	const struct group *g = tu_group_by_label(s, "main.contend");
	assert_non_null(g);
	assert_string_equal(label_state(g, s->format), "sync.Mutex");
	g = tu_group_by_label(s, "main.leakOne.func1");
	assert_non_null(g);
	assert_string_equal(label_state(g, s->format), "");
	snapshot_free(s);
	/* the protobuf keeps them: the same group is a channel receive, and
	 * its runtime frames are kept (not part of its id) */
	s = tu_parse("go1.19/goroutine.pb.gz", "goroutine");
	g = tu_group_by_label(s, "main.leakOne.func1");
	assert_non_null(g);
	assert_string_equal(label_state(g, s->format), "chan receive");
	assert_true(g->nhidden >= 2);
	assert_string_equal(group_frame(g, -(int)g->nhidden)->function, "runtime.gopark");
	snapshot_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short),         cmocka_unit_test(test_apart_demo),
		cmocka_unit_test(test_apart_edges),   cmocka_unit_test(test_apart_20000),
		cmocka_unit_test(test_state_vs_dump), cmocka_unit_test(test_state_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
