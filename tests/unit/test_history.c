/* test_history.c - bounded per-group (time, value) histories, their
 * thinning and stored verdicts (history.h), and the meter ring. The verdict
 * itself is tested in test_trend.c. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/history.h"
#include "pproftop/profile.h"
#include "testutil.h"

#define MAIN_GO "/home/gopher/demo/main.go"

/* One second between pushes: every push is a point of its own. */
static double
tick(void)
{
	static double t;

	return t += 1;
}

/* A goroutine snapshot with groups main.f<fn[i]> of count v[i]. */
static struct snapshot *
snap(const int *fn, const int64_t *v, size_t n)
{
	struct builder *b = builder_new("goroutine", PROF_GOROUTINE, FMT_PROTO);
	char name[32];

	for (size_t i = 0; i < n; i++) {
		int len = snprintf(name, sizeof(name), "main.f%d", fn[i]);
		builder_frame(b, name, (size_t)len, MAIN_GO, strlen(MAIN_GO), 1);
		builder_commit(b, &v[i], NULL, 0);
	}
	return builder_finish(b);
}

static uint64_t
id_of(int fn)
{
	int64_t one = 1;
	struct snapshot *s = snap(&fn, &one, 1);
	uint64_t id = s->groups[0].id;
	snapshot_free(s);
	return id;
}

static void
push1(struct history *h, int fn, int64_t v)
{
	struct snapshot *s = snap(&fn, &v, 1);
	history_push(h, s, 0, tick());
	snapshot_free(s);
}

/* A group whose value never changed holds one value, not a ring; its
 * first change gives it the ring with the earlier points intact, and a
 * copy (a paused view) is independent of the original. */
static void
test_flat_then_changed(void **state)
{
	(void)state;
	struct history h, copy;
	int64_t out[HISTORY_LEN];
	uint64_t id = id_of(7);

	history_init(&h, 5);
	for (int i = 0; i < 10; i++)
		push1(&h, 7, 3);
	assert_null(h.e[0].v);
	assert_int_equal(history_get(&h, id, out, HISTORY_LEN), 10);
	for (int i = 0; i < 10; i++)
		assert_int_equal(out[i], 3);
	history_copy(&copy, &h);
	push1(&h, 7, 5);
	assert_non_null(h.e[0].v);
	assert_int_equal(history_get(&h, id, out, HISTORY_LEN), 11);
	for (int i = 0; i < 10; i++)
		assert_int_equal(out[i], 3);
	assert_int_equal(out[10], 5);
	assert_int_equal(h.e[0].changed, 10);
	/* the copy still has its 10 flat points */
	assert_int_equal(history_get(&copy, id, out, HISTORY_LEN), 10);
	assert_int_equal(out[9], 3);
	history_free(&copy);
	history_copy(&copy, &h);
	history_free(&h);
	assert_int_equal(history_get(&copy, id, out, HISTORY_LEN), 11);
	assert_int_equal(out[10], 5);
	history_free(&copy);
}

static void
test_ring_wraps(void **state)
{
	(void)state;
	struct history h;
	int64_t out[HISTORY_LEN + 10];

	history_init(&h, 5);
	for (int i = 0; i < 100; i++)
		push1(&h, 1, i);
	assert_int_equal(h.n, 1);
	size_t n = history_get(&h, id_of(1), out, HISTORY_LEN + 10);
	assert_int_equal(n, HISTORY_LEN);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(out[i], 100 - HISTORY_LEN + (int64_t)i);
	/* max smaller than the stored count: the newest max values */
	n = history_get(&h, id_of(1), out, 3);
	assert_int_equal(n, 3);
	assert_int_equal(out[0], 97);
	assert_int_equal(out[2], 99);
	/* exactly HISTORY_LEN pushes: no wrap artefact */
	history_free(&h);
	history_init(&h, 5);
	for (int i = 0; i < HISTORY_LEN; i++)
		push1(&h, 1, i + 1);
	n = history_get(&h, id_of(1), out, HISTORY_LEN);
	assert_int_equal(n, HISTORY_LEN);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[HISTORY_LEN - 1], HISTORY_LEN);
	/* unknown id */
	assert_int_equal(history_get(&h, 12345, out, HISTORY_LEN), 0);
	assert_false(history_growing(&h, 12345));
	history_free(&h);
	assert_int_equal(h.n, 0);
	assert_null(h.e);
	/* an empty history answers too */
	history_init(&h, 0);
	assert_int_equal(history_get(&h, 1, out, 4), 0);
	history_free(&h);
}

static void
test_absent_and_evicted(void **state)
{
	(void)state;
	struct history h;
	int64_t out[HISTORY_LEN];
	const int fns[] = { 1, 2 };
	const int64_t vals[] = { 5, 7 };

	history_init(&h, 3);
	struct snapshot *both = snap(fns, vals, 2);
	history_push(&h, both, 0, tick());
	history_push(&h, both, 0, tick());
	assert_int_equal(h.n, 2);
	/* f2 absent: zeros are appended while it is remembered */
	push1(&h, 1, 6);
	push1(&h, 1, 8);
	assert_int_equal(h.n, 2);
	size_t n = history_get(&h, id_of(2), out, HISTORY_LEN);
	assert_int_equal(n, 4);
	assert_int_equal(out[0], 7);
	assert_int_equal(out[1], 7);
	assert_int_equal(out[2], 0);
	assert_int_equal(out[3], 0);
	n = history_get(&h, id_of(1), out, HISTORY_LEN);
	assert_int_equal(n, 4);
	assert_int_equal(out[3], 8);
	/* back before eviction: its history continues */
	history_push(&h, both, 0, tick());
	n = history_get(&h, id_of(2), out, HISTORY_LEN);
	assert_int_equal(n, 5);
	assert_int_equal(out[4], 7);
	/* absent for evict_after (3) consecutive pushes: forgotten */
	push1(&h, 1, 9);
	push1(&h, 1, 9);
	assert_int_equal(history_get(&h, id_of(2), out, HISTORY_LEN), 7);
	push1(&h, 1, 9);
	assert_int_equal(history_get(&h, id_of(2), out, HISTORY_LEN), 0);
	assert_int_equal(h.n, 1);
	/* f1 is still there and intact after the compaction */
	n = history_get(&h, id_of(1), out, HISTORY_LEN);
	assert_int_equal(n, 8);
	assert_int_equal(out[7], 9);
	assert_int_equal(out[4], 5);
	/* coming back after eviction starts afresh */
	history_push(&h, both, 0, tick());
	assert_int_equal(history_get(&h, id_of(2), out, HISTORY_LEN), 1);
	snapshot_free(both);
	history_free(&h);
}

/* Every push brings 10 groups never seen before: memory stays bounded by
 * evict_after polls' worth of groups. */
static void
test_churn_bounded(void **state)
{
	(void)state;
	struct history h;
	int fns[10];
	int64_t vals[10];
	size_t maxn = 0, maxcap = 0;

	history_init(&h, 4);
	for (int p = 0; p < 1000; p++) {
		for (int k = 0; k < 10; k++) {
			fns[k] = p * 10 + k;
			vals[k] = k + 1;
		}
		struct snapshot *s = snap(fns, vals, 10);
		history_push(&h, s, 0, tick());
		snapshot_free(s);
		if (h.n > maxn)
			maxn = h.n;
		if (h.cap > maxcap)
			maxcap = h.cap;
	}
	/* the groups of the last 4 pushes, at most */
	assert_true(maxn <= 40);
	assert_int_equal(h.n, 40);
	assert_true(maxcap <= 256);
	assert_true(h.tabsize <= 256);
	/* the most recent group has one value; one 3 pushes old has 4 */
	int64_t out[HISTORY_LEN];
	assert_int_equal(history_get(&h, id_of(9999), out, HISTORY_LEN), 1);
	assert_int_equal(history_get(&h, id_of(9969), out, HISTORY_LEN), 4);
	assert_int_equal(out[0], 10);
	assert_int_equal(out[3], 0);
	assert_int_equal(history_get(&h, id_of(9959), out, HISTORY_LEN), 0);
	history_free(&h);
}

static void
test_value_index(void **state)
{
	(void)state;
	struct history h;
	int64_t out[4];
	struct builder *b = builder_new("heap", PROF_HEAP, FMT_PROTO);
	const int64_t v[4] = { 100, 2, 5000, 50 };

	builder_frame(b, "main.grow", 9, MAIN_GO, strlen(MAIN_GO), 71);
	uint64_t id = builder_commit(b, v, NULL, 0)->id;
	struct snapshot *s = builder_finish(b);
	history_init(&h, 2);
	history_push(&h, s, 2, tick());
	history_push(&h, s, 0, tick());
	history_push(&h, s, 7, tick()); /* out of range: 0 */
	history_push(&h, s, -1, tick());
	assert_int_equal(history_get(&h, id, out, 4), 4);
	assert_int_equal(out[0], 5000);
	assert_int_equal(out[1], 100);
	assert_int_equal(out[2], 0);
	assert_int_equal(out[3], 0);
	history_free(&h);
	snapshot_free(s);
}

/* Pushes closer together than window / HISTORY_LEN replace the newest
 * point (value and time), so the points cover the window at any poll rate;
 * the verdict is kept per group and judged at every push. */
static void
test_points_and_verdict(void **state)
{
	(void)state;
	struct history h;
	double t[HISTORY_LEN];
	int64_t v[HISTORY_LEN];
	int fn = 1;

	history_init(&h, 3);
	assert_true(h.window == HISTORY_WINDOW_DEFAULT);
	history_set_judged(&h, true);
	history_set_window(&h, 64); /* one point per second at most */
	history_set_window(&h, -1); /* ignored */
	/* 10 pushes per second for 100 s: a leak of one per second */
	for (int i = 0; i < 1000; i++) {
		int64_t val = 100 + i / 10;
		struct snapshot *s = snap(&fn, &val, 1);
		history_push(&h, s, 0, 1000 + i * 0.1);
		snapshot_free(s);
	}
	size_t n = history_points(&h, id_of(1), t, v, HISTORY_LEN);
	assert_int_equal(n, HISTORY_LEN);
	for (size_t i = 1; i < n; i++) {
		assert_true(t[i] - t[i - 1] > 0.95 && t[i] - t[i - 1] < 1.15);
		assert_true(v[i] >= v[i - 1]);
	}
	assert_true(fabs(t[n - 1] - 1099.9) < 1e-9); /* the newest push, not its slot start */
	assert_int_equal(v[n - 1], 199);
	assert_true(t[n - 1] - t[0] >= 62); /* the window is covered */
	assert_true(history_last_time(&h) == t[n - 1]);
	const struct trend_verdict *tv = history_verdict(&h, id_of(1));
	assert_non_null(tv);
	assert_true(tv->growing);
	assert_true(fabs(tv->slope - 1.0) < 0.05);
	assert_true(history_growing(&h, id_of(1)));
	assert_null(history_verdict(&h, id_of(2)));
	assert_false(history_growing(&h, id_of(2)));
	/* flat from now on: after a window of it, not growing */
	for (int i = 0; i < 700; i++) {
		int64_t val = 199;
		struct snapshot *s = snap(&fn, &val, 1);
		history_push(&h, s, 0, 1100 + i * 0.1);
		snapshot_free(s);
	}
	tv = history_verdict(&h, id_of(1));
	assert_false(tv->growing);
	assert_int_equal(tv->why, TREND_NOT_RISING);
	assert_true(tv->slope == 0);
	struct trend_verdict full;
	assert_true(history_judge(&h, id_of(1), &full));
	assert_true(full.has_slope && full.slope == 0);
	assert_false(history_judge(&h, id_of(2), &full));
	history_free(&h);
	/* not judged by default: no verdict work at all */
	history_init(&h, 3);
	push1(&h, 1, 5);
	assert_null(history_verdict(&h, id_of(1)));
	assert_false(history_growing(&h, id_of(1)));
	history_free(&h);
}

static void
test_series_ring(void **state)
{
	(void)state;
	struct series s;
	double out[HISTORY_LEN];

	memset(&s, 0, sizeof(s));
	assert_int_equal(series_get(&s, out, HISTORY_LEN), 0);
	series_push(&s, 1.5);
	series_push(&s, 2.5);
	assert_int_equal(series_get(&s, out, HISTORY_LEN), 2);
	assert_true(out[0] == 1.5 && out[1] == 2.5);
	for (int i = 0; i < 200; i++)
		series_push(&s, i);
	assert_int_equal(s.n, HISTORY_LEN);
	assert_int_equal(series_get(&s, out, HISTORY_LEN), HISTORY_LEN);
	for (int i = 0; i < HISTORY_LEN; i++)
		assert_true(out[i] == 200 - HISTORY_LEN + i);
	assert_int_equal(series_get(&s, out, 1), 1);
	assert_true(out[0] == 199);
}

/* history_push_ids: series that are not a snapshot's groups (call tree
 * nodes), with the same absent, duplicate and verdict rules. */
static void
test_push_ids(void **state)
{
	(void)state;
	struct history h;
	int64_t out[HISTORY_LEN];
	const uint64_t ids[] = { 11, 22, 11 };
	const int64_t v1[] = { 5, 7, 99 };

	history_init(&h, 2);
	history_set_judged(&h, true);
	history_push_ids(&h, ids, v1, 3, tick());
	assert_int_equal(h.n, 2);
	assert_int_equal(history_get(&h, 11, out, HISTORY_LEN), 1);
	assert_int_equal(out[0], 5); /* a repeated id keeps its first value */
	/* 22 absent: a zero, then forgotten after evict_after pushes */
	const int64_t v2[] = { 6 };
	history_push_ids(&h, ids, v2, 1, tick());
	assert_int_equal(history_get(&h, 22, out, HISTORY_LEN), 2);
	assert_int_equal(out[1], 0);
	history_push_ids(&h, ids, v2, 1, tick());
	assert_int_equal(history_get(&h, 22, out, HISTORY_LEN), 0);
	/* a rising series is judged growing, as a group's is */
	for (int i = 0; i < 40; i++) {
		const int64_t v[] = { 10 + i };
		history_push_ids(&h, ids, v, 1, tick());
	}
	assert_true(history_growing(&h, 11));
	assert_int_equal(history_get(&h, 11, out, HISTORY_LEN), 43);
	assert_int_equal(out[42], 49);
	history_free(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_wraps),
		cmocka_unit_test(test_flat_then_changed),
		cmocka_unit_test(test_absent_and_evicted),
		cmocka_unit_test(test_churn_bounded),
		cmocka_unit_test(test_value_index),
		cmocka_unit_test(test_points_and_verdict),
		cmocka_unit_test(test_series_ring),
		cmocka_unit_test(test_push_ids),
	};
	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
