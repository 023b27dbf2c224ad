/* test_diff.c - diff_compute on synthetic snapshots and on real captures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/diff.h"
#include "pproftop/profile.h"
#include "testutil.h"

#define MAIN_GO "/home/gopher/demo/main.go"

/* One synthetic group: a single frame "main.f<n>" and its values. */
struct sg {
	int fn;
	int64_t v[PROF_MAX_VALUES];
};

static struct snapshot *
make(enum prof_kind kind, const char *name, int64_t time_ns, const struct sg *g, size_t n)
{
	struct builder *b = builder_new(name, kind, FMT_PROTO);
	char fn[32];

	builder_snap(b)->time_ns = time_ns;
	for (size_t i = 0; i < n; i++) {
		int len = snprintf(fn, sizeof(fn), "main.f%d", g[i].fn);
		builder_frame(b, fn, (size_t)len, MAIN_GO, strlen(MAIN_GO), g[i].fn);
		builder_commit(b, g[i].v, NULL, 0);
	}
	return builder_finish(b);
}

/* id of main.f<fn> in s */
static uint64_t
id_of(const struct snapshot *s, int fn)
{
	char name[32];

	snprintf(name, sizeof(name), "main.f%d", fn);
	const struct group *g = tu_group_with_fn(s, name);
	assert_non_null(g);
	return g->id;
}

static void
test_heap_gauges_and_counters(void **state)
{
	(void)state;
	/* heap: inuse_bytes, inuse_objects (gauges), alloc_bytes, alloc_objects (counters) */
	const struct sg o[] = {
		{ 1, { 1000, 10, 5000, 50 } },
		{ 2, { 200, 2, 800, 8 } },
		{ 3, { 64, 1, 64, 1 } },
	};
	const struct sg n[] = {
		{ 1, { 700, 7, 9000, 90 } }, /* freed some, allocated more */
		{ 2, { 200, 2, 800, 8 } },   /* unchanged */
		{ 4, { 4096, 4, 4096, 4 } }, /* new */
	};
	struct snapshot *so = make(PROF_HEAP, "heap", 1000000000, o, 3);
	struct snapshot *sn = make(PROF_HEAP, "heap", 3000000000, n, 3);
	struct diff d;

	assert_int_equal(diff_compute(&d, so, sn, 0), 0);
	assert_ptr_equal(d.now, sn);
	assert_ptr_equal(d.old, so);
	assert_true(d.dt == 2.0);
	assert_false(d.restarted);
	assert_int_equal(d.nrows, 4);
	assert_int_equal(d.nnew, 1);
	assert_int_equal(d.ngone, 1);
	/* rows: now's groups in now's order, then the gone ones */
	for (size_t i = 0; i < sn->ngroups; i++) {
		assert_ptr_equal(d.rows[i].now, &sn->groups[i]);
		assert_int_equal(d.rows[i].id, sn->groups[i].id);
	}
	assert_true(d.rows[3].flags == DIFF_GONE);
	assert_null(d.rows[3].now);

	const struct diff_row *r = diff_find(&d, id_of(sn, 1));
	assert_non_null(r);
	assert_int_equal(r->flags, 0);
	assert_ptr_equal(r->old, snapshot_find(so, r->id));
	assert_int_equal(diff_row_value(r, 0), 700);
	assert_int_equal(r->delta[0], -300);
	assert_int_equal(r->delta[1], -3);
	assert_int_equal(r->delta[2], 4000);
	assert_int_equal(r->delta[3], 40);
	assert_true(diff_row_rate(&d, r, 0) == -150.0);
	assert_true(diff_row_rate(&d, r, 2) == 2000.0);
	assert_true(diff_row_rate(&d, r, 3) == 20.0);

	r = diff_find(&d, id_of(sn, 2));
	for (int v = 0; v < 4; v++) {
		assert_int_equal(r->delta[v], 0);
		assert_true(diff_row_rate(&d, r, v) == 0);
	}

	r = diff_find(&d, id_of(sn, 4));
	assert_int_equal(r->flags, DIFF_NEW);
	assert_null(r->old);
	assert_int_equal(r->delta[0], 4096);
	assert_int_equal(r->delta[2], 4096);
	assert_true(diff_row_rate(&d, r, 2) == 2048.0);

	r = diff_find(&d, id_of(so, 3));
	assert_int_equal(r->flags, DIFF_GONE);
	assert_ptr_equal(r->old, snapshot_find(so, r->id));
	assert_int_equal(diff_row_value(r, 0), 0);
	assert_int_equal(r->delta[0], -64);
	assert_int_equal(r->delta[2], -64);
	assert_true(diff_row_rate(&d, r, 2) == -32.0);

	assert_null(diff_find(&d, 42));
	/* totals: now 4996/13/13896/102, old 1264/13/5864/59 */
	assert_int_equal(d.total_delta[0], 4996 - 1264);
	assert_int_equal(d.total_delta[1], 0);
	assert_int_equal(d.total_delta[2], 13896 - 5864);
	assert_int_equal(d.total_delta[3], 102 - 59);
	assert_true(d.total_per_sec[2] == (13896 - 5864) / 2.0);
	diff_free(&d);
	assert_null(d.rows);
	assert_int_equal(d.nrows, 0);
	/* the snapshots are untouched */
	assert_int_equal(sn->refs, 1);
	assert_int_equal(sn->totals[0], 4996);

	/* dt_override wins over the snapshot times */
	assert_int_equal(diff_compute(&d, so, sn, 0.5), 0);
	assert_true(d.dt == 0.5);
	assert_true(diff_row_rate(&d, diff_find(&d, id_of(sn, 1)), 2) == 8000.0);
	diff_free(&d);
	snapshot_free(so);
	snapshot_free(sn);
}

static void
test_dt_unknown(void **state)
{
	(void)state;
	const struct sg o[] = { { 1, { 5, 100 } } };
	const struct sg n[] = { { 1, { 9, 300 } } };
	struct diff d;

	/* no times: dt 0, rates 0, deltas still there */
	struct snapshot *so = make(PROF_BLOCK, "block", 0, o, 1);
	struct snapshot *sn = make(PROF_BLOCK, "block", 0, n, 1);
	assert_int_equal(diff_compute(&d, so, sn, 0), 0);
	assert_true(d.dt == 0);
	assert_int_equal(d.rows[0].delta[0], 4);
	assert_int_equal(d.rows[0].delta[1], 200);
	assert_true(diff_row_rate(&d, &d.rows[0], 1) == 0);
	assert_true(d.total_per_sec[1] == 0);
	assert_int_equal(d.nnew, 0);
	diff_free(&d);
	snapshot_free(so);
	snapshot_free(sn);

	/* one side unknown, or time going backwards: dt 0 */
	so = make(PROF_BLOCK, "block", 5000000000, o, 1);
	sn = make(PROF_BLOCK, "block", 0, n, 1);
	assert_int_equal(diff_compute(&d, so, sn, 0), 0);
	assert_true(d.dt == 0);
	diff_free(&d);
	assert_int_equal(diff_compute(&d, sn, so, 0), 0);
	assert_true(d.dt == 0);
	diff_free(&d);
	snapshot_free(sn);
	sn = make(PROF_BLOCK, "block", 4000000000, n, 1);
	assert_int_equal(diff_compute(&d, so, sn, 0), 0);
	assert_true(d.dt == 0);
	diff_free(&d);
	snapshot_free(so);
	snapshot_free(sn);
}

static void
test_restart(void **state)
{
	(void)state;
	/* mutex counters since process start; the new process has less */
	const struct sg o[] = { { 1, { 1000, 900000 } }, { 2, { 10, 500 } } };
	const struct sg n[] = { { 1, { 40, 30000 } }, { 3, { 5, 100 } } };
	struct snapshot *so = make(PROF_MUTEX, "mutex", 1000000000, o, 2);
	struct snapshot *sn = make(PROF_MUTEX, "mutex", 2000000000, n, 2);
	struct diff d;

	assert_int_equal(diff_compute(&d, so, sn, 0), 0);
	assert_true(d.restarted);
	/* the new process's two groups; the old one's group 2 is not "gone" */
	assert_int_equal(d.nrows, 2);
	assert_null(diff_find(&d, id_of(so, 2)));
	for (size_t i = 0; i < d.nrows; i++) {
		for (int v = 0; v < 2; v++) {
			assert_int_equal(d.rows[i].delta[v], 0);
			assert_true(diff_row_rate(&d, &d.rows[i], v) == 0);
		}
	}
	assert_int_equal(d.total_delta[0], 0);
	assert_int_equal(d.total_delta[1], 0);
	assert_true(d.total_per_sec[1] == 0);
	/* values are still the new ones; nothing is new to a new process */
	assert_int_equal(diff_row_value(diff_find(&d, id_of(sn, 1)), 1), 30000);
	assert_int_equal(diff_find(&d, id_of(sn, 3))->flags, 0);
	assert_int_equal(d.nnew, 0);
	assert_int_equal(d.ngone, 0);
	diff_free(&d);
	snapshot_free(sn);

	/* only one counter column dropping is enough */
	const struct sg n2[] = { { 1, { 1000, 800000 } }, { 2, { 10, 500 } } };
	sn = make(PROF_MUTEX, "mutex", 2000000000, n2, 2);
	assert_int_equal(diff_compute(&d, so, sn, 0), 0);
	assert_true(d.restarted);
	diff_free(&d);
	snapshot_free(sn);

	/* counters equal: no restart */
	sn = make(PROF_MUTEX, "mutex", 2000000000, o, 2);
	assert_int_equal(diff_compute(&d, so, sn, 0), 0);
	assert_false(d.restarted);
	diff_free(&d);
	snapshot_free(sn);
	snapshot_free(so);

	/* gauges dropping is not a restart: fewer goroutines is normal */
	const struct sg go[] = { { 1, { 100 } } }, gn[] = { { 1, { 3 } } };
	so = make(PROF_GOROUTINE, "goroutine", 0, go, 1);
	sn = make(PROF_GOROUTINE, "goroutine", 0, gn, 1);
	assert_int_equal(diff_compute(&d, so, sn, 0), 0);
	assert_false(d.restarted);
	assert_int_equal(d.rows[0].delta[0], -97);
	diff_free(&d);
	snapshot_free(so);
	snapshot_free(sn);

	/* heap: inuse dropping is fine, alloc dropping is a restart */
	const struct sg ho[] = { { 1, { 1000, 10, 5000, 50 } } };
	const struct sg hn[] = { { 1, { 10, 1, 6000, 60 } } };
	const struct sg hr[] = { { 1, { 2000, 20, 2000, 20 } } };
	so = make(PROF_HEAP, "heap", 0, ho, 1);
	sn = make(PROF_HEAP, "heap", 0, hn, 1);
	assert_int_equal(diff_compute(&d, so, sn, 0), 0);
	assert_false(d.restarted);
	diff_free(&d);
	snapshot_free(sn);
	sn = make(PROF_HEAP, "heap", 0, hr, 1);
	assert_int_equal(diff_compute(&d, so, sn, 0), 0);
	assert_true(d.restarted);
	assert_int_equal(d.rows[0].delta[0], 0);
	diff_free(&d);
	snapshot_free(sn);
	snapshot_free(so);
}

static void
test_mismatch(void **state)
{
	(void)state;
	const struct sg one[] = { { 1, { 1, 1, 1, 1 } } };
	struct snapshot *g = make(PROF_GOROUTINE, "goroutine", 0, one, 1);
	struct snapshot *h = make(PROF_HEAP, "heap", 0, one, 1);
	struct snapshot *t = make(PROF_THREADCREATE, "threadcreate", 0, one, 1);
	struct snapshot *b = make(PROF_BLOCK, "block", 0, one, 1);
	struct snapshot *m = make(PROF_MUTEX, "mutex", 0, one, 1);
	struct snapshot *c1 = make(PROF_CUSTOM, "example.com/openfiles", 0, one, 1);
	struct snapshot *c2 = make(PROF_CUSTOM, "example.com/conns", 0, one, 1);
	struct snapshot *c3 = make(PROF_CUSTOM, "example.com/conns", 0, one, 1);
	struct diff d;

	d.nrows = 99;
	assert_int_equal(diff_compute(&d, g, h, 0), -1);
	assert_int_equal(d.nrows, 0); /* cleared: diff_free is safe */
	diff_free(&d);
	assert_int_equal(diff_compute(&d, h, g, 0), -1);
	/* same value keys, different kinds: a gauge is not a counter */
	assert_int_equal(diff_compute(&d, g, t, 0), -1);
	assert_int_equal(diff_compute(&d, b, m, 0), -1);
	assert_int_equal(diff_compute(&d, g, c1, 0), -1);
	/* two different custom profiles */
	assert_int_equal(diff_compute(&d, c1, c2, 0), -1);
	assert_int_equal(diff_compute(&d, NULL, g, 0), -1);
	assert_int_equal(diff_compute(&d, g, NULL, 0), -1);
	assert_int_equal(diff_compute(&d, c3, c2, 0), 0);
	diff_free(&d);
	/* heap and allocs are different endpoints too (the CLI parses --base
	 * with the name of the --open file) */
	struct snapshot *a = make(PROF_ALLOCS, "allocs", 0, one, 1);
	assert_int_equal(diff_compute(&d, h, a, 0), -1);
	snapshot_free(a);
	snapshot_free(g);
	snapshot_free(h);
	snapshot_free(t);
	snapshot_free(b);
	snapshot_free(m);
	snapshot_free(c1);
	snapshot_free(c2);
	snapshot_free(c3);
}

static void
test_empty(void **state)
{
	(void)state;
	const struct sg one[] = { { 1, { 3 } }, { 2, { 4 } } };
	struct snapshot *e = make(PROF_GOROUTINE, "goroutine", 0, NULL, 0);
	struct snapshot *s = make(PROF_GOROUTINE, "goroutine", 0, one, 2);
	struct diff d;

	assert_int_equal(diff_compute(&d, e, e, 0), 0);
	assert_int_equal(d.nrows, 0);
	assert_null(diff_find(&d, 1));
	diff_free(&d);
	assert_int_equal(diff_compute(&d, e, s, 0), 0);
	assert_int_equal(d.nnew, 2);
	assert_int_equal(d.total_delta[0], 7);
	diff_free(&d);
	assert_int_equal(diff_compute(&d, s, e, 0), 0);
	assert_int_equal(d.ngone, 2);
	assert_int_equal(d.nrows, 2);
	assert_int_equal(d.total_delta[0], -7);
	diff_free(&d);
	/* a snapshot against itself: nothing changes */
	assert_int_equal(diff_compute(&d, s, s, 0), 0);
	assert_int_equal(d.nnew + d.ngone, 0);
	assert_int_equal(d.rows[0].delta[0], 0);
	diff_free(&d);
	snapshot_free(e);
	snapshot_free(s);
}

/* Many groups, half of them replaced: the id index finds every match. */
static void
test_many(void **state)
{
	(void)state;
	enum { NG = 3000 };
	static struct sg o[NG], n[NG];

	for (int i = 0; i < NG; i++) {
		o[i] = (struct sg){ i, { i } };
		n[i] = (struct sg){ i % 2 ? i : i + NG, { i + 1 } };
	}
	struct snapshot *so = make(PROF_GOROUTINE, "goroutine", 0, o, NG);
	struct snapshot *sn = make(PROF_GOROUTINE, "goroutine", 0, n, NG);
	struct diff d;
	assert_int_equal(diff_compute(&d, so, sn, 10), 0);
	assert_int_equal(d.nnew, NG / 2);
	assert_int_equal(d.ngone, NG / 2);
	assert_int_equal(d.nrows, NG + NG / 2);
	for (size_t i = 0; i < d.nrows; i++) {
		const struct diff_row *r = &d.rows[i];
		if (r->flags == 0)
			assert_int_equal(r->delta[0], 1);
		else if (r->flags == DIFF_NEW)
			assert_int_equal(r->delta[0], diff_row_value(r, 0));
		else
			assert_int_equal(r->delta[0], -r->old->values[0]);
	}
	diff_free(&d);
	snapshot_free(so);
	snapshot_free(sn);
}

/* Real captures of one process: go1.19 heap.pb.gz then allocs.pb.gz, 74 ms
 * apart (the same data with a different default sample type). */
static void
test_fixture_heap_pair(void **state)
{
	(void)state;
	struct snapshot *old = tu_parse("go1.19/heap.pb.gz", "heap");
	struct snapshot *now = tu_parse("go1.19/allocs.pb.gz", "heap");
	struct diff d;

	assert_int_equal(diff_compute(&d, old, now, 0), 0);
	assert_true(d.dt > 0.0742 && d.dt < 0.0743); /* 1795683286895663884 - ...821446094 */
	assert_false(d.restarted);
	assert_int_equal(d.total_delta[0], 114763304 - 110923778);
	assert_int_equal(d.total_delta[2], 188281175 - 178616843);
	assert_int_equal(d.total_delta[3], 300343 - 296732);
	assert_int_equal(d.nnew, 3);
	assert_int_equal(d.ngone, 0);
	const struct group *g = tu_group_by_label(now, "main.grow");
	const struct diff_row *r = diff_find(&d, g->id);
	assert_non_null(r->old);
	assert_int_equal(r->delta[0], g->values[0] - r->old->values[0]);
	diff_free(&d);
	snapshot_free(old);
	snapshot_free(now);

	/* 1.21 and 1.22 captures are different processes: block counters dropped */
	old = tu_parse("go1.21/block.pb.gz", "block");
	now = tu_parse("go1.22/block.pb.gz", "block");
	assert_int_equal(diff_compute(&d, old, now, 0), 0);
	assert_true(d.restarted);
	assert_int_equal(d.total_delta[0], 0);
	diff_free(&d);
	snapshot_free(old);
	snapshot_free(now);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heap_gauges_and_counters),
		cmocka_unit_test(test_dt_unknown),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_fixture_heap_pair),
	};
	return cmocka_run_group_tests_name("diff", tests, NULL, NULL);
}
