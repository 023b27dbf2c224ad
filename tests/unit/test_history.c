/* test_history.c - bounded per-group histories, the "keeps growing" verdict
 * documented in history.h, and the meter ring. */
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
	history_push(h, s, 0);
	snapshot_free(s);
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
	history_push(&h, both, 0);
	history_push(&h, both, 0);
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
	history_push(&h, both, 0);
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
	history_push(&h, both, 0);
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
		history_push(&h, s, 0);
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
	history_push(&h, s, 2);
	history_push(&h, s, 0);
	history_push(&h, s, 7); /* out of range: 0 */
	history_push(&h, s, -1);
	assert_int_equal(history_get(&h, id, out, 4), 4);
	assert_int_equal(out[0], 5000);
	assert_int_equal(out[1], 100);
	assert_int_equal(out[2], 0);
	assert_int_equal(out[3], 0);
	history_free(&h);
	snapshot_free(s);
}

static bool
grows(const int64_t *v, size_t n)
{
	return series_growing(v, n);
}

/* The verdict of history.h on the series it documents. */
static void
test_growing_verdict(void **state)
{
	(void)state;
	int64_t v[64];

	/* leak every poll */
	for (int i = 0; i < 64; i++)
		v[i] = 100 + i;
	assert_false(grows(v, 3)); /* fewer than HISTORY_MIN_GROWING values */
	for (size_t n = HISTORY_MIN_GROWING; n <= 64; n++)
		if (!grows(v, n))
			fail_msg("leak every poll, %zu values: not growing", n);

	/* leak every other poll, both phases, any length from 5 values */
	for (int phase = 0; phase < 2; phase++) {
		for (int i = 0; i < 64; i++)
			v[i] = 100 + (i + phase) / 2;
		for (size_t n = 5; n <= 64; n++)
			if (!grows(v, n))
				fail_msg(
				    "leak every other poll (phase %d), %zu values: not growing",
				    phase, n);
	}

	/* flat */
	for (int i = 0; i < 64; i++)
		v[i] = 42;
	for (size_t n = 0; n <= 64; n++)
		assert_false(grows(v, n));

	/* wobbling up and down around a level, even trending up */
	for (int i = 0; i < 64; i++)
		v[i] = 100 + (i % 2 ? 3 : 0) + i / 8;
	for (size_t n = 0; n <= 64; n++)
		if (grows(v, n))
			fail_msg("wobbling, %zu values: growing", n);

	/* grew once, flat since */
	for (int i = 0; i < 64; i++)
		v[i] = i < 10 ? 100 : 150;
	for (size_t n = 11; n <= 64; n++)
		if (grows(v, n))
			fail_msg("grew once at 10, %zu values: growing", n);
	const int64_t once_short[] = { 5, 5, 5, 6 }, once_mid[] = { 5, 6, 6, 6, 6 };
	assert_false(grows(once_short, 4));
	assert_false(grows(once_mid, 5));
	/* grew twice in the last 8, flat otherwise: not a steady climb */
	const int64_t twice[] = { 1, 1, 2, 2, 2, 2, 3, 3 };
	assert_false(grows(twice, 8));

	/* a drop anywhere in the window rules it out */
	const int64_t drop[] = { 1, 2, 3, 4, 3, 5, 6, 7 };
	assert_false(grows(drop, 8));
	/* ... but only in the window: an old drop is forgotten */
	const int64_t old_drop[] = { 50, 1, 2, 3, 4, 5, 6, 7, 8 };
	assert_true(grows(old_drop, 9));

	/* history_growing uses the same verdict on a group's history */
	struct history h;
	history_init(&h, 3);
	for (int i = 0; i < 12; i++)
		push1(&h, 1, 10 + i / 2);
	assert_true(history_growing(&h, id_of(1)));
	for (int i = 0; i < 8; i++)
		push1(&h, 1, 16);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_wraps),      cmocka_unit_test(test_absent_and_evicted),
		cmocka_unit_test(test_churn_bounded),   cmocka_unit_test(test_value_index),
		cmocka_unit_test(test_growing_verdict), cmocka_unit_test(test_series_ring),
	};
	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
