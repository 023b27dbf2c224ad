/* test_merge.c - merging one profile across targets (src/core/merge.c) and
 * the merged model (model_ingest_snapshot), on real Go captures: every
 * merged group's values are the sums of the inputs' groups of that id, the
 * totals the sums of the totals, by_target each input's primary value, and
 * the merged model's diffs and histories the sums of the targets'. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/merge.h"
#include "pproftop/model.h"
#include "pproftop/report.h"
#include "testutil.h"

/* Every group of m is the sum of the inputs' groups with its id, by_target
 * holds each input's primary value, every input group is in m, the totals
 * add up and the order is the snapshot order. */
static void
check_sums(const struct snapshot *m, const struct snapshot *const *in, size_t n)
{
	int64_t totals[PROF_MAX_VALUES] = { 0 };

	assert_int_equal(m->ntargets, n);
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(merge_present(m, k), in[k] != NULL);
		if (in[k] == NULL)
			continue;
		for (int v = 0; v < m->nvalues; v++)
			totals[v] += in[k]->totals[v];
		for (size_t i = 0; i < in[k]->ngroups; i++)
			assert_non_null(snapshot_find(m, in[k]->groups[i].id));
	}
	for (int v = 0; v < m->nvalues; v++)
		assert_int_equal(m->totals[v], totals[v]);
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct group *g = &m->groups[i];
		int64_t sum[PROF_MAX_VALUES] = { 0 };
		assert_ptr_equal(snapshot_find(m, g->id), g);
		assert_non_null(group_more(g)->by_target);
		for (size_t k = 0; k < n; k++) {
			const struct group *h = in[k] != NULL ? snapshot_find(in[k], g->id) : NULL;
			assert_int_equal(group_more(g)->by_target[k],
			                 h != NULL ? h->values[m->primary] : 0);
			for (int v = 0; h != NULL && v < m->nvalues; v++)
				sum[v] += h->values[v];
		}
		for (int v = 0; v < m->nvalues; v++)
			assert_int_equal(g->values[v], sum[v]);
		if (i > 0)
			assert_true(m->groups[i - 1].values[m->primary] >= g->values[m->primary]);
	}
}

static void
test_merge_goroutine_versions(void **state)
{
	(void)state;
	struct snapshot *a = tu_parse("go1.19/goroutine-debug1.txt", "goroutine");
	struct snapshot *b = tu_parse("go1.22/goroutine-debug1.txt", "goroutine");
	const struct snapshot *in[] = { a, b };
	struct snapshot *m = merge_snapshots(in, 2);

	assert_non_null(m);
	check_sums(m, in, 2);
	/* "goroutine profile: total 131" and "total 144" */
	assert_int_equal(m->totals[0], 131 + 144);
	assert_int_equal(m->header_total, 131 + 144);
	assert_string_equal(m->name, "goroutine");
	assert_int_equal(m->kind, PROF_GOROUTINE);
	/* the union of the stacks: a group of both counts once */
	size_t both = 0;
	for (size_t i = 0; i < a->ngroups; i++)
		both += snapshot_find(b, a->groups[i].id) != NULL;
	assert_int_equal(m->ngroups, a->ngroups + b->ngroups - both);
	/* the inputs may go at once: the merged snapshot owns its copies */
	const struct group *g0 = &a->groups[0];
	uint64_t id = g0->id;
	char fn[256];
	snprintf(fn, sizeof(fn), "%s", group_frame(g0, g0->label_frame)->function);
	int64_t v0 = g0->values[0];
	snapshot_free(a);
	snapshot_free(b);
	const struct group *g = snapshot_find(m, id);
	assert_non_null(g);
	assert_string_equal(group_frame(g, g->label_frame)->function, fn);
	assert_true(g->values[0] >= v0);
	assert_int_equal(group_more(g)->by_target[0], v0);
	snapshot_free(m);
}

static void
test_merge_three_replicas(void **state)
{
	(void)state;
	/* three replicas of one binary: the same ids, every value tripled */
	struct snapshot *a = tu_parse("go1.19/goroutine-debug1.txt", "goroutine");
	const struct snapshot *in[] = { a, a, a };
	struct snapshot *m = merge_snapshots(in, 3);

	check_sums(m, in, 3);
	assert_int_equal(m->ngroups, a->ngroups);
	assert_int_equal(m->totals[0], 3 * 131);
	/* the leaker group: 3 x 34 goroutines on each replica, labelled
	 * {"component":"leaker", "leak_id":"0"}, "1" and "2" */
	const struct group *l = &a->groups[0];
	assert_int_equal(l->values[0], 102);
	const struct group *g = snapshot_find(m, l->id);
	assert_int_equal(g->values[0], 3 * 102);
	assert_int_equal(group_more(g)->by_target[0], 102);
	assert_int_equal(group_more(g)->by_target[1], 102);
	assert_int_equal(group_more(g)->by_target[2], 102);
	size_t nls = 0;
	for (const struct labelset *ls = g->labels; ls != NULL; ls = ls->next, nls++)
		assert_int_equal(ls->count, 3 * 34);
	assert_int_equal(nls, 3);
	snapshot_free(m);
	snapshot_free(a);
}

static void
test_merge_absent(void **state)
{
	(void)state;
	struct snapshot *a = tu_parse("go1.22/goroutine-debug1.txt", "goroutine");
	struct snapshot *h = tu_parse("go1.22/heap-debug1.txt", "heap");
	const struct snapshot *in[] = { NULL, a, NULL, h };
	struct snapshot *m = merge_snapshots(in, 4);

	/* the heap is another profile: left out like a target without it */
	const struct snapshot *want[] = { NULL, a, NULL, NULL };
	check_sums(m, want, 4);
	assert_false(merge_present(m, 0));
	assert_true(merge_present(m, 1));
	assert_false(merge_present(m, 3));
	assert_false(merge_present(m, 4));
	assert_int_equal(m->totals[0], 144);
	assert_int_equal(group_more(&m->groups[0])->by_target[0], 0);
	assert_int_equal(group_more(&m->groups[0])->by_target[1], a->groups[0].values[0]);
	snapshot_free(m);

	const struct snapshot *none[] = { NULL, NULL };
	assert_null(merge_snapshots(none, 2));
	assert_null(merge_snapshots(none, 0));
	/* a snapshot that is not merged is its own one target */
	assert_true(merge_present(a, 0));
	assert_false(merge_present(a, 1));
	snapshot_free(a);
	snapshot_free(h);
}

static void
test_merge_memstats(void **state)
{
	(void)state;
	struct snapshot *a = tu_parse("go1.19/heap-debug1.txt", "heap");
	struct snapshot *b = tu_parse("go1.22/heap-debug1.txt", "heap");
	const struct snapshot *in[] = { a, b };
	struct snapshot *m = merge_snapshots(in, 2);
	double v;

	check_sums(m, in, 2);
	assert_true(snapshot_memstat(m, "HeapAlloc", &v));
	assert_true(v == 110628096.0 + 128599696.0);
	assert_true(snapshot_memstat(m, "NumGC", &v));
	assert_true(v == 42 + 49);
	/* a time stamp is the latest, a ratio the highest */
	assert_true(snapshot_memstat(m, "LastGC", &v));
	assert_true(v == 1795683298908528106.0);
	assert_true(snapshot_memstat(m, "GCCPUFraction", &v));
	assert_true(fabs(v - 0.0014424669934630324) < 1e-12);
	/* arrays come from the first replica as printed */
	for (size_t i = 0; i < m->nmemstats; i++)
		if (strcmp(m->memstats[i].name, "PauseNs") == 0)
			assert_memory_equal(m->memstats[i].text, "[4186012 3802581 ", 17);
	for (size_t i = 0; i < m->nmemstats; i++)
		if (strcmp(m->memstats[i].name, "NumGC") == 0)
			assert_string_equal(m->memstats[i].text, "91");
	snapshot_free(m);
	snapshot_free(a);
	snapshot_free(b);
}

/* Property over every kind: a snapshot merged with itself doubles every
 * value and total, keeps every id, and merging once more with a third
 * copy triples them. */
static void
test_merge_self_doubles(void **state)
{
	(void)state;
	static const struct {
		const char *rel, *name;
	} fx[] = {
		{ "go1.19/goroutine.pb.gz", "goroutine" },
		{ "go1.19/goroutine-debug2.txt", "goroutine" },
		{ "go1.19/heap.pb.gz", "heap" },
		{ "go1.19/allocs-debug1.txt", "allocs" },
		{ "go1.19/block-debug1.txt", "block" },
		{ "go1.19/mutex.pb.gz", "mutex" },
		{ "go1.19/threadcreate-debug1.txt", "threadcreate" },
		{ "go1.19/profile-cpu-3s.pb.gz", "profile" },
		{ "go1.22/block.pb.gz", "block" },
		{ "go1.27/goroutine-debug1.txt", "goroutine" },
	};
	for (size_t f = 0; f < sizeof(fx) / sizeof(fx[0]); f++) {
		struct snapshot *s = tu_parse(fx[f].rel, fx[f].name);
		const struct snapshot *in2[] = { s, s };
		struct snapshot *m = merge_snapshots(in2, 2);
		check_sums(m, in2, 2);
		assert_int_equal(m->ngroups, s->ngroups);
		for (int v = 0; v < s->nvalues; v++)
			assert_int_equal(m->totals[v], 2 * s->totals[v]);
		for (size_t i = 0; i < s->ngroups; i++) {
			const struct group *g = snapshot_find(m, s->groups[i].id);
			for (int v = 0; v < s->nvalues; v++)
				assert_int_equal(g->values[v], 2 * s->groups[i].values[v]);
			assert_int_equal(g->nsamples, 2 * s->groups[i].nsamples);
			assert_int_equal(g->nframes, s->groups[i].nframes);
			assert_int_equal(g->nhidden, s->groups[i].nhidden);
			assert_null(group_more(g)->goids);
		}
		assert_int_equal(m->ngoroutines, 2 * s->ngoroutines);
		const struct snapshot *in3[] = { m, s };
		struct snapshot *m3 = merge_snapshots(in3, 2);
		for (int v = 0; v < s->nvalues; v++)
			assert_int_equal(m3->totals[v], 3 * s->totals[v]);
		snapshot_free(m3);
		snapshot_free(m);
		snapshot_free(s);
	}
}

/* A goroutine debug=1 body: n goroutines parked in main.park, and 2 in
 * main.serve. */
static unsigned char *
goroutine_text(int64_t n, size_t *len)
{
	char buf[512];
	int k = snprintf(buf, sizeof(buf),
	                 "goroutine profile: total %lld\n"
	                 "%lld @ 0x1 0x2\n"
	                 "#\t0x1\tmain.park+0x1\t/src/main.go:10\n"
	                 "#\t0x2\tmain.spawn+0x1\t/src/main.go:20\n\n"
	                 "2 @ 0x3\n"
	                 "#\t0x3\tmain.serve+0x1\t/src/main.go:30\n\n",
	                 (long long)n + 2, (long long)n);
	*len = (size_t)k;
	unsigned char *p = malloc(*len);
	memcpy(p, buf, *len);
	return p;
}

/* Two targets polled at t and a merged model fed their merge: its diffs,
 * histories and meters are the sums of the targets'. */
static void
poll_both(struct model *t, struct model *mm, struct merge_state *st, const int64_t *park,
          const int64_t *heap, int numgc, double now)
{
	for (int k = 0; k < 2; k++) {
		size_t len;
		unsigned char *b = goroutine_text(park[k], &len);
		assert_int_equal(model_ingest(&t[k], EP_GOROUTINE, b, len, now, 0.01), 0);
		b = tu_heap_text(heap[k], heap[k] * 2, numgc + k, now - 0.5, heap[k] * 4, &len);
		assert_int_equal(model_ingest(&t[k], EP_HEAP, b, len, now, 0.01), 0);
	}
	/* goroutine, heap, allocs and memstats moved */
	const struct model *in[] = { &t[0], &t[1] };
	assert_int_equal(merge_update(st, mm, in, now), 4);
	/* nothing new: nothing merged */
	assert_int_equal(merge_update(st, mm, in, now + 0.5), 0);
}

static void
test_merged_model(void **state)
{
	(void)state;
	struct model t[2], mm;
	model_init(&t[0]);
	model_init(&t[1]);
	model_init(&mm);
	struct merge_state st;
	merge_state_init(&st, 2);

	int64_t park1[] = { 5, 7 }, heap1[] = { 1 << 20, 3 << 20 };
	poll_both(t, &mm, &st, park1, heap1, 10, 100);
	int64_t park2[] = { 9, 7 }, heap2[] = { 2 << 20, 3 << 20 };
	poll_both(t, &mm, &st, park2, heap2, 11, 102);
	int64_t park3[] = { 12, 8 }, heap3[] = { 2 << 20, 4 << 20 };
	poll_both(t, &mm, &st, park3, heap3, 12, 104);

	assert_true(mm.merged);
	const struct endpoint *g = &mm.ep[EP_GOROUTINE];
	assert_true(g->has_d);
	/* main.park: 12 + 8 now, 9 + 7 before */
	const struct group *park = tu_group_by_label(g->cur, "main.park");
	assert_non_null(park);
	assert_int_equal(park->values[0], 20);
	assert_int_equal(group_more(park)->by_target[0], 12);
	assert_int_equal(group_more(park)->by_target[1], 8);
	const struct diff_row *r = diff_find(&g->d, park->id);
	assert_int_equal(r->delta[0], 4);
	const struct diff_row *r0 = diff_find(&t[0].ep[EP_GOROUTINE].d, park->id);
	const struct diff_row *r1 = diff_find(&t[1].ep[EP_GOROUTINE].d, park->id);
	assert_int_equal(r->delta[0], r0->delta[0] + r1->delta[0]);
	/* since the first poll: 20 - 12 */
	assert_true(g->has_dbase);
	assert_int_equal(diff_find(&g->dbase, park->id)->delta[0], 8);
	assert_int_equal(g->polls, 3);
	/* the history has one point per merge, 12 + 8 last */
	int64_t hv[8];
	assert_int_equal(history_get(&g->hist, park->id, hv, 8), 3);
	assert_int_equal(hv[0], 5 + 7);
	assert_int_equal(hv[1], 9 + 7);
	assert_int_equal(hv[2], 12 + 8);
	assert_int_equal(g->npoints, 3);
	assert_true(mm.meter_now[METER_GOROUTINES] == 20 + 2 + 2);

	/* heap: the merged totals changed at every merge: one point each;
	 * main.grow holds 2 + 4 MiB */
	const struct endpoint *h = &mm.ep[EP_HEAP];
	assert_int_equal(h->npoints, 3);
	assert_true(h->t_pt == 104);
	const struct group *grow = tu_group_by_label(h->cur, "main.grow");
	assert_int_equal(grow->values[0], 6 << 20);
	assert_int_equal(group_more(grow)->by_target[0], 2 << 20);
	assert_int_equal(group_more(grow)->by_target[1], 4 << 20);
	assert_int_equal(diff_find(&h->d, grow->id)->delta[0], 1 << 20);
	/* MemStats add up: NumGC 12 + 13 */
	assert_true(mm.meter_now[METER_NUM_GC] == 25);
	/* an unchanged merge is the same heap: no new point */
	for (int k = 0; k < 2; k++) {
		const struct snapshot *in[] = { t[0].ep[EP_HEAP].cur, t[1].ep[EP_HEAP].cur };
		(void)k;
		model_ingest_snapshot(&mm, EP_HEAP, merge_snapshots(in, 2), 106 + k);
	}
	assert_int_equal(h->npoints, 3);
	assert_int_equal(model_ingest_snapshot(&mm, EP_INDEX, NULL, 108), -1);
	assert_int_equal(st.merges, 3);
	/* the merged endpoint's state: the worst latency, the bytes summed */
	assert_true(h->latency == 0.01);
	assert_int_equal(mm.ep[EP_GOROUTINE].bytes,
	                 t[0].ep[EP_GOROUTINE].bytes + t[1].ep[EP_GOROUTINE].bytes);
	assert_false(mm.ep[EP_BLOCK].missing);
	assert_true(mm.ep[EP_GOROUTINELEAK].missing); /* no index lists it */
	/* a target down keeps its last data in the merge: target 1 fails, 0
	 * moves on */
	model_fail(&t[1], EP_GOROUTINE, "connection refused", 110, 0.001);
	size_t len;
	unsigned char *b = goroutine_text(30, &len);
	assert_int_equal(model_ingest(&t[0], EP_GOROUTINE, b, len, 110, 0.01), 0);
	const struct model *in[] = { &t[0], &t[1] };
	assert_int_equal(merge_update(&st, &mm, in, 110), 1);
	park = tu_group_by_label(mm.ep[EP_GOROUTINE].cur, "main.park");
	assert_int_equal(park->values[0], 30 + 8);
	assert_int_equal(group_more(park)->by_target[1], 8);
	merge_state_free(&st);

	model_free(&t[0]);
	model_free(&t[1]);
	model_free(&mm);
}

/* The JSON and text reports of a merged snapshot: by_target per group
 * (null for a target without the profile), the targets list. */
static void
test_merge_report(void **state)
{
	(void)state;
	struct snapshot *a = tu_parse("go1.19/goroutine-debug1.txt", "goroutine");
	const struct snapshot *in[] = { a, a, NULL };
	struct snapshot *m = merge_snapshots(in, 3);
	static const char *const names[] = { "http://a:1/", "b:2", "c:3" };
	struct report_item it;
	report_item_init(&it, m, NULL);
	it.targets = names;
	const struct report_target t[] = {
		{ "http://a:1/", true, "", 1700000000.5, false },
		{ "b:2", true, NULL, 1700000001, false },
		{ "c:3", false, "connection refused", 0, true },
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	report_json_targets(f, &it, 1, 2, t, 3);
	fclose(f);
	/* the leaker group: 102 goroutines on each of the two */
	assert_non_null(
	    strstr(buf, "\"by_target\": {\"http://a:1/\": 102, \"b:2\": 102, \"c:3\": null}"));
	assert_non_null(strstr(buf, "\"total\": 262,"));
	assert_non_null(
	    strstr(buf, "\"targets\": [\n  {\"url\": \"http://a:1/\", \"ok\": true, "
	                "\"error\": null, \"last_poll\": 1700000000.500, \"stale\": false},"));
	assert_non_null(strstr(buf, "{\"url\": \"c:3\", \"ok\": false, \"error\": \"connection "
	                            "refused\", \"last_poll\": null, \"stale\": true}\n]}\n"));
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	report_targets_text(f, t, 3);
	report_table(f, &it, 1);
	fclose(f);
	assert_non_null(strstr(buf, "target b:2: ok\n"));
	assert_non_null(strstr(buf, "target c:3: down: connection refused; its last data is kept "
	                            "in the merge, stale\n"));
	assert_non_null(strstr(buf, "merged from 3 targets, 2 with this profile\n"));
	assert_non_null(strstr(buf, "    by target: http://a:1/ 102, b:2 102, c:3 -\n"));
	free(buf);
	snapshot_free(m);
	snapshot_free(a);
}

/* One CPU window (the go1.19 3 s capture) of target k at now. */
static void
cpu_window(struct model *t, double now)
{
	size_t len;
	char *body = tu_read("go1.19/profile-cpu-3s.pb.gz", &len);
	assert_int_equal(model_ingest(t, EP_CPU, (unsigned char *)body, len, now, 3), 0);
}

/* CPU windows merge a round at a time: not while a target's window is
 * still to come, then the targets' windows summed; a target whose window
 * failed does not hold the round up. */
static void
test_merge_cpu_rounds(void **state)
{
	(void)state;
	struct model t[3], mm;
	for (int k = 0; k < 3; k++)
		model_init(&t[k]);
	model_init(&mm);
	struct merge_state st;
	merge_state_init(&st, 3);
	const struct model *in[] = { &t[0], &t[1], &t[2] };

	cpu_window(&t[0], 100);
	cpu_window(&t[1], 100.5);
	/* target 2's first window is still in flight */
	assert_int_equal(merge_update(&st, &mm, in, 101), 0);
	assert_null(mm.ep[EP_CPU].cur);
	cpu_window(&t[2], 101.2);
	assert_int_equal(merge_update(&st, &mm, in, 102), 1);
	const struct snapshot *m = mm.ep[EP_CPU].cur, *one = t[0].ep[EP_CPU].cur;
	assert_non_null(m);
	assert_int_equal(m->totals[0], 3 * one->totals[0]);
	assert_int_equal(m->duration_ns, one->duration_ns);
	/* the cores of the fleet: three times one target's */
	assert_true(fabs(model_cpu_cores(m, NULL) - 3 * model_cpu_cores(one, NULL)) < 1e-9);
	/* round 2: target 1 fails its window; 0 and 2 make it */
	cpu_window(&t[0], 106);
	assert_int_equal(merge_update(&st, &mm, in, 106.5), 0);
	model_fail(&t[1], EP_CPU, "HTTP 500: cpu profiling already in use", 106.6, 0.01);
	cpu_window(&t[2], 107);
	assert_int_equal(merge_update(&st, &mm, in, 107.5), 1);
	assert_ptr_not_equal(mm.ep[EP_CPU].cur, m);
	for (int k = 0; k < 3; k++)
		model_free(&t[k]);
	model_free(&mm);
	merge_state_free(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_goroutine_versions),
		cmocka_unit_test(test_merge_three_replicas),
		cmocka_unit_test(test_merge_absent),
		cmocka_unit_test(test_merge_memstats),
		cmocka_unit_test(test_merge_self_doubles),
		cmocka_unit_test(test_merged_model),
		cmocka_unit_test(test_merge_report),
		cmocka_unit_test(test_merge_cpu_rounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
