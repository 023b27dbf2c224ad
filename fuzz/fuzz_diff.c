/* fuzz_diff.c - libFuzzer target: parse two inputs (split at the first
 * "\n====\n") and diff them, then render both report forms to /dev/null,
 * tables and call trees; build the call trees of the second with the first
 * as prev and base, every way (inverted, by line, focused); merge them as
 * two targets (and the second with itself: every id found, by_target
 * consistent) and report the merge with its targets. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/diff.h"
#include "pproftop/history.h"
#include "pproftop/merge.h"
#include "pproftop/parse.h"
#include "pproftop/report.h"
#include "pproftop/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

/* Trees of s with prev and base, in every orientation, then focused on
 * the heaviest path's deepest node and on a gone one. */
static void
fuzz_trees(const struct snapshot *s, const struct snapshot *prev)
{
	for (int k = 0; k < 4; k++) {
		struct tree_opts o = { .inverted = k & 1, .by_line = k & 2, .value = k - 1 };
		struct tree t, f;
		uint64_t ids[64];
		size_t gi[8];
		if (tree_build(&t, s, prev, prev, &o) != 0)
			continue;
		size_t n = tree_heaviest_path(&t, ids, 64);
		for (size_t i = 0; i < n; i++)
			(void)tree_node_groups(&t, ids[i], gi, 8);
		o.focus = n > 0 ? ids[n - 1] : 1;
		for (size_t i = 0; i < t.nnodes; i++)
			if (t.nodes[i].flags & TREE_GONE) {
				o.focus = t.nodes[i].id;
				break;
			}
		if (tree_build(&f, s, prev, NULL, &o) == 0)
			tree_free(&f);
		tree_free(&t);
	}
}

/* a and b as two targets (b may be another profile: left out), then b
 * with itself; abort() on an inconsistent merge. */
static void
fuzz_merge(const struct snapshot *a, const struct snapshot *b)
{
	static const char *const names[] = { "a:1", "b:2" };
	static const struct report_target t[] = { { "a:1", true, NULL, 1, false },
		                                  { "b:2", false, "down", 0, true } };
	const struct snapshot *in[] = { a, b }, *self[] = { b, b };
	struct snapshot *m = merge_snapshots(in, 2);
	struct report_item it;

	report_item_init(&it, m, NULL);
	it.targets = names;
	report_table(sink, &it, 0);
	report_json_targets(sink, &it, 1, 0, t, 2);
	snapshot_free(m);
	m = merge_snapshots(self, 2);
	for (size_t i = 0; i < b->ngroups; i++) {
		const struct group *g = snapshot_find(m, b->groups[i].id);
		if (g == NULL || group_more(g)->by_target[0] != group_more(g)->by_target[1])
			abort();
	}
	snapshot_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n====\n";
	const uint8_t *mid = NULL;

	if (size > (1u << 20))
		return 0;
	for (size_t i = 0; i + sizeof(sep) - 1 <= size; i++)
		if (memcmp(data + i, sep, sizeof(sep) - 1) == 0) {
			mid = data + i;
			break;
		}
	if (mid == NULL)
		return 0;
	if (sink == NULL)
		sink = fopen("/dev/null", "w");
	struct snapshot *a = NULL, *b = NULL;
	struct parse_err err;
	size_t la = (size_t)(mid - data);
	if (profile_parse(data, la, NULL, &a, &err) == 0 &&
	    profile_parse(mid + 6, size - la - 6, NULL, &b, &err) == 0) {
		struct diff d;
		if (diff_compute(&d, a, b, 1.5) == 0) {
			struct report_item it;
			report_item_init(&it, b, &d);
			report_table(sink, &it, 0);
			report_json(sink, &it, 1, 0);
			it.tree = true;
			report_table(sink, &it, 2);
			report_json(sink, &it, 1, 0);
			diff_free(&d);
		}
		fuzz_trees(b, a);
		fuzz_merge(a, b);
		struct history h;
		history_init(&h, 3);
		history_push(&h, a, 0, 1);
		history_push(&h, b, 0, 2);
		history_push(&h, a, 0, 3);
		for (size_t i = 0; i < b->ngroups; i++)
			(void)history_growing(&h, b->groups[i].id);
		history_free(&h);
	}
	snapshot_free(a);
	snapshot_free(b);
	return 0;
}
