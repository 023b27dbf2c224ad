/* test_tree.c - the call tree (tree.c) on real captures (tests/fixtures). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/profile.h"
#include "pproftop/tree.h"
#include "testutil.h"

#define G19 "go1.19/"

/* As the app sees it: pproftop's own footprint taken out. */
static struct snapshot *
shown(const char *rel)
{
	struct snapshot *s = tu_parse(rel, NULL);

	snapshot_hide_self(s);
	return s;
}

/* The node reached from the roots through the functions of path (NULL
 * terminated), or NULL. */
static const struct tree_node *
node_at(const struct tree *t, const char *const *path)
{
	uint32_t x = t->root;
	const struct tree_node *found = NULL;

	for (; *path != NULL; path++) {
		while (x != TREE_NONE && strcmp(t->nodes[x].function, *path) != 0)
			x = t->nodes[x].next;
		if (x == TREE_NONE)
			return NULL;
		found = &t->nodes[x];
		x = found->child;
	}
	return found;
}

static const struct tree_node *
at(const struct tree *t, const char *a, const char *b, const char *c, const char *d)
{
	const char *const path[] = { a, b, c, d, NULL };

	return node_at(t, path);
}

/* Structural invariants of every tree: cum = flat + children's cums, the
 * roots' cums and the stacks with no frames add up to totals, children sorted,
 * parents before children, depths and the id index consistent. */
static void
check_invariants(const struct tree *t)
{
	int v = t->opts.value, nv = t->s->nvalues;
	int64_t roots[PROF_MAX_VALUES] = { 0 };

	for (uint32_t r = t->root; r != TREE_NONE; r = t->nodes[r].next)
		for (int k = 0; k < nv; k++)
			roots[k] += t->nodes[r].cum[k];
	for (size_t g = 0; g < t->s->ngroups && t->opts.focus == 0; g++)
		if (t->s->groups[g].nframes == 0 && !t->s->groups[g].pprof_handler)
			for (int k = 0; k < nv; k++)
				roots[k] += t->s->groups[g].values[k];
	for (int k = 0; k < nv; k++)
		assert_int_equal(roots[k], t->totals[k]);
	for (size_t i = 0; i < t->nnodes; i++) {
		const struct tree_node *n = &t->nodes[i];
		int64_t sum[PROF_MAX_VALUES] = { 0 };
		uint32_t cnt = 0;
		assert_ptr_equal(tree_find(t, n->id), n);
		assert_string_not_equal(n->function, "runtime.goexit");
		if (n->parent == TREE_NONE) {
			assert_int_equal(n->depth, 0);
		} else {
			assert_true(n->parent < i);
			assert_int_equal(n->depth, t->nodes[n->parent].depth + 1);
		}
		for (uint32_t c = n->child; c != TREE_NONE; c = t->nodes[c].next, cnt++) {
			const struct tree_node *ch = &t->nodes[c];
			assert_int_equal(ch->parent, i);
			for (int k = 0; k < nv; k++)
				sum[k] += ch->cum[k];
			if (ch->next != TREE_NONE) {
				const struct tree_node *nx = &t->nodes[ch->next];
				assert_true(ch->cum[v] > nx->cum[v] ||
				            (ch->cum[v] == nx->cum[v] &&
				             strcmp(ch->function, nx->function) <= 0));
			}
		}
		assert_int_equal(cnt, n->nchildren);
		for (int k = 0; k < nv; k++)
			assert_int_equal(n->cum[k], n->flat[k] + sum[k]);
	}
}

static void
test_goroutine_top_down(void **state)
{
	(void)state;
	struct snapshot *s = shown(G19 "goroutine.pb.gz");
	struct tree_opts o = { .value = 0 };
	struct tree t;

	assert_int_equal(tree_build(&t, s, NULL, NULL, &o), 0);
	check_invariants(&t);
	assert_int_equal(t.totals[0], 129);
	assert_int_equal(s->totals[0], 129);
	/* the heaviest root: 102 leaked goroutines started under pprof.Do */
	const struct tree_node *r = &t.nodes[t.root];
	assert_string_equal(r->function, "runtime/pprof.Do");
	assert_int_equal(r->cum[0], 102);
	assert_int_equal(r->flat[0], 0);
	assert_int_equal(r->nchildren, 1);
	const struct tree_node *n = at(&t, "runtime/pprof.Do", "main.leakOne.func1", NULL, NULL);
	assert_non_null(n);
	assert_int_equal(n->cum[0], 102);
	assert_int_equal(n->flat[0], 102);
	assert_int_equal(n->nstacks, 1);
	assert_string_equal(n->file, "/home/gopher/demo/main.go");
	assert_int_equal(n->line, 64);
	/* main.contend: 2 goroutines in Lock, 2 in Sleep (called from two
	 * lines), in three stacks */
	n = at(&t, "main.contend", NULL, NULL, NULL);
	assert_int_equal(n->cum[0], 4);
	assert_int_equal(n->flat[0], 0);
	assert_int_equal(n->nstacks, 3);
	assert_int_equal(n->line, 89); /* the heaviest stack's */
	assert_int_equal(n->nchildren, 2);
	assert_int_equal(at(&t, "main.contend", "sync.(*Mutex).Lock", NULL, NULL)->cum[0], 2);
	assert_int_equal(at(&t, "main.contend", "time.Sleep", NULL, NULL)->flat[0], 2);
	/* recursion: main.deep calls itself; one node per level, each stack
	 * counted once per node */
	n = at(&t, "main.deep", "main.deep", "main.deep", "main.deep");
	assert_non_null(n);
	assert_int_equal(n->cum[0], 1);
	assert_int_equal(n->depth, 3);
	/* the heaviest path opens the tree */
	uint64_t ids[8];
	assert_int_equal(tree_heaviest_path(&t, ids, 8), 2);
	assert_int_equal(ids[0], r->id);
	assert_int_equal(ids[1], at(&t, "runtime/pprof.Do", "main.leakOne.func1", NULL, NULL)->id);
	assert_int_equal(tree_heaviest_path(&t, ids, 1), 1);
	/* the groups through main.contend: the three stacks that start there */
	size_t gi[4];
	n = at(&t, "main.contend", NULL, NULL, NULL);
	assert_int_equal(tree_node_groups(&t, n->id, gi, 4), 3);
	assert_true(gi[0] < gi[1] && gi[1] < gi[2]);
	int64_t vals = 0;
	for (int i = 0; i < 3; i++) {
		const struct group *g = &s->groups[gi[i]];
		assert_string_equal(group_frame(g, g->nframes - 1)->function, "main.contend");
		vals += g->values[0];
	}
	assert_int_equal(vals, 4);
	assert_int_equal(s->groups[gi[0]].values[0], 2);         /* groups sort heaviest first */
	assert_int_equal(tree_node_groups(&t, n->id, gi, 1), 3); /* counts past max */
	n = at(&t, "main.contend", "time.Sleep", NULL, NULL);
	assert_int_equal(tree_node_groups(&t, n->id, gi, 4), 2);
	assert_int_equal(tree_node_groups(&t, 12345, gi, 4), 0);
	assert_null(tree_find(&t, 12345));
	tree_free(&t);
	snapshot_free(s);
}

/* pproftop's handler groups are left out even when not hidden yet */
static void
test_handler_left_out(void **state)
{
	(void)state;
	struct snapshot *s = tu_parse(G19 "goroutine.pb.gz", NULL);
	struct tree_opts o = { .value = 0 };
	struct tree t;

	assert_int_equal(s->totals[0], 131); /* 129 + 2 handler goroutines */
	assert_int_equal(tree_build(&t, s, NULL, NULL, &o), 0);
	check_invariants(&t);
	/* the connection reader's goroutine stays: it has no frames yet */
	assert_int_equal(t.totals[0], 130);
	int64_t roots = 0;
	for (uint32_t r = t.root; r != TREE_NONE; r = t.nodes[r].next)
		roots += t.nodes[r].cum[0];
	assert_int_equal(roots, 129);
	for (size_t i = 0; i < t.nnodes; i++)
		assert_true(strncmp(t.nodes[i].function, "net/http/pprof.", 15) != 0);
	size_t handlers = 0;
	for (size_t g = 0; g < s->ngroups; g++)
		if (s->groups[g].pprof_handler) {
			handlers++;
			assert_int_equal(t.ends[g], TREE_NONE);
		}
	assert_int_equal(handlers, 1); /* hide_self also takes the reader */
	tree_free(&t);
	snapshot_free(s);
}

/* block: delay_ns (the primary column) is the default; cum/flat of both
 * columns; inverted, the leaves are the roots and flat is at the
 * outermost caller. Values as go tool pprof -top reads the same file. */
static void
test_block_inverted(void **state)
{
	(void)state;
	struct snapshot *s = shown(G19 "block.pb.gz");
	struct tree_opts o = { .value = -1 }; /* out of range: the primary */
	struct tree t;

	assert_int_equal(tree_build(&t, s, NULL, NULL, &o), 0);
	assert_int_equal(t.opts.value, 1);
	check_invariants(&t);
	assert_int_equal(t.totals[0], 46917);
	assert_int_equal(t.totals[1], 284681794561);
	const struct tree_node *n = at(&t, "main.contend", "sync.(*Mutex).Lock", NULL, NULL);
	assert_int_equal(n->cum[0], 32745);
	assert_int_equal(n->cum[1], 202203458074);
	assert_int_equal(n->flat[1], 202203458074);
	assert_int_equal(t.nodes[t.root].cum[1], 202203458074);
	tree_free(&t);

	o.inverted = true;
	assert_int_equal(tree_build(&t, s, NULL, NULL, &o), 0);
	check_invariants(&t);
	n = at(&t, "sync.(*Mutex).Lock", NULL, NULL, NULL);
	assert_int_equal(n->cum[1], 202203458074);
	assert_int_equal(n->flat[1], 0);
	n = at(&t, "sync.(*Mutex).Lock", "main.contend", NULL, NULL);
	assert_int_equal(n->cum[1], 202203458074);
	assert_int_equal(n->flat[1], 202203458074);
	assert_int_equal(n->child, TREE_NONE);
	n = at(&t, "sync.(*Cond).Wait", "net/http.(*connReader).abortPendingRead",
	       "net/http.(*response).finishRequest", "net/http.(*conn).serve");
	assert_int_equal(n->cum[0], 9);
	assert_int_equal(n->cum[1], 948199);
	assert_int_equal(n->flat[1], 948199);
	/* the same path bottom-up and top-down are different nodes */
	struct tree td;
	struct tree_opts o2 = { .value = 1 };
	assert_int_equal(tree_build(&td, s, NULL, NULL, &o2), 0);
	assert_null(tree_find(&td, at(&t, "sync.(*Mutex).Lock", NULL, NULL, NULL)->id));
	assert_null(tree_find(&t, at(&td, "main.contend", NULL, NULL, NULL)->id));
	tree_free(&td);
	tree_free(&t);
	snapshot_free(s);
}

/* by_line: main.contend calls Lock at line 89 and Sleep at lines 91 and 93 */
static void
test_by_line(void **state)
{
	(void)state;
	struct snapshot *s = shown(G19 "goroutine.pb.gz");
	struct tree_opts o = { .value = 0, .by_line = true };
	struct tree t, f;

	assert_int_equal(tree_build(&t, s, NULL, NULL, &o), 0);
	check_invariants(&t);
	size_t n = 0;
	int64_t sum = 0;
	for (uint32_t r = t.root; r != TREE_NONE; r = t.nodes[r].next)
		if (strcmp(t.nodes[r].function, "main.contend") == 0) {
			n++;
			sum += t.nodes[r].cum[0];
			assert_int_equal(t.nodes[r].nchildren, 1);
			assert_int_equal(t.nodes[r].cum[0], t.nodes[r].line == 89 ? 2 : 1);
		}
	assert_int_equal(n, 3);
	assert_int_equal(sum, 4);
	o.by_line = false;
	assert_int_equal(tree_build(&f, s, NULL, NULL, &o), 0);
	assert_true(t.nnodes > f.nnodes);
	const struct tree_node *c = at(&f, "main.contend", NULL, NULL, NULL);
	assert_true(tree_find(&t, c->id) == NULL); /* by_line ids differ */
	tree_free(&f);
	tree_free(&t);
	snapshot_free(s);
}

/* focus: only the stacks through the node */
static void
test_focus(void **state)
{
	(void)state;
	struct snapshot *s = shown(G19 "goroutine.pb.gz");
	struct tree_opts o = { .value = 0 };
	struct tree t, f;

	assert_int_equal(tree_build(&t, s, NULL, NULL, &o), 0);
	const struct tree_node *sleep = at(&t, "main.contend", "time.Sleep", NULL, NULL);
	o.focus = sleep->id;
	assert_int_equal(tree_build(&f, s, NULL, NULL, &o), 0);
	check_invariants(&f);
	assert_int_equal(f.totals[0], 2);
	assert_int_equal(f.nnodes, 2);
	assert_string_equal(f.nodes[f.root].function, "main.contend");
	assert_int_equal(f.nodes[f.root].cum[0], 2);
	assert_int_equal(f.nodes[f.root].next, TREE_NONE);
	assert_int_equal(tree_find(&f, sleep->id)->cum[0], 2);
	/* the ids are the unfocused tree's */
	assert_int_equal(f.nodes[f.root].id, at(&t, "main.contend", NULL, NULL, NULL)->id);
	size_t kept = 0;
	for (size_t g = 0; g < s->ngroups; g++)
		kept += f.ends[g] != TREE_NONE;
	assert_int_equal(kept, 2);
	tree_free(&f);
	/* focus on a root keeps its whole subtree */
	o.focus = at(&t, "main.contend", NULL, NULL, NULL)->id;
	assert_int_equal(tree_build(&f, s, NULL, NULL, &o), 0);
	check_invariants(&f);
	assert_int_equal(f.totals[0], 4);
	assert_int_equal(f.nnodes, 5); /* contend, Lock, lockSlow, SemacquireMutex, Sleep */
	tree_free(&f);
	/* an id in no stack: an empty tree */
	o.focus = 42;
	assert_int_equal(tree_build(&f, s, NULL, NULL, &o), 0);
	assert_int_equal(f.nnodes, 0);
	assert_int_equal(f.root, TREE_NONE);
	assert_int_equal(f.totals[0], 0);
	uint64_t ids[4];
	assert_int_equal(tree_heaviest_path(&f, ids, 4), 0);
	tree_free(&f);
	tree_free(&t);
	snapshot_free(s);
}

/* One process, two formats: the protobuf and the debug=1 text give the
 * same node ids for the same paths. */
static void
test_ids_across_formats(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
		{ G19 "goroutine.pb.gz", G19 "goroutine-debug1.txt" },
		{ G19 "block.pb.gz", G19 "block-debug1.txt" },
		{ "go1.27/mutex.pb.gz", "go1.27/mutex-debug1.txt" },
		{ "go1.24/goroutine.pb.gz", "go1.24/goroutine-debug1.txt" },
	};

	for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
		struct snapshot *p = shown(pairs[k][0]), *x = shown(pairs[k][1]);
		for (int inv = 0; inv < 2; inv++) {
			struct tree_opts o = { .value = p->primary, .inverted = inv };
			struct tree a, b;
			assert_int_equal(tree_build(&a, p, NULL, NULL, &o), 0);
			assert_int_equal(tree_build(&b, x, NULL, NULL, &o), 0);
			check_invariants(&a);
			check_invariants(&b);
			size_t same = 0;
			for (size_t i = 0; i < a.nnodes; i++) {
				const struct tree_node *m = tree_find(&b, a.nodes[i].id);
				if (m == NULL)
					continue;
				same++;
				assert_string_equal(m->function, a.nodes[i].function);
				assert_int_equal(m->depth, a.nodes[i].depth);
			}
			/* the two captures are moments apart: nearly all paths match */
			assert_true(same * 10 >= a.nnodes * 9);
			tree_free(&a);
			tree_free(&b);
		}
		snapshot_free(p);
		snapshot_free(x);
	}
	/* block: the text came first (46890 contentions), then the protobuf */
	struct snapshot *p = shown(G19 "block.pb.gz"), *x = shown(G19 "block-debug1.txt");
	struct tree_opts o = { .value = 1 };
	struct tree a, b;
	assert_int_equal(tree_build(&a, p, NULL, NULL, &o), 0);
	assert_int_equal(tree_build(&b, x, NULL, NULL, &o), 0);
	assert_int_equal(a.nnodes, b.nnodes);
	for (size_t i = 0; i < a.nnodes; i++)
		assert_int_equal(a.nodes[i].id, b.nodes[i].id);
	assert_int_equal(at(&b, "main.contend", NULL, NULL, NULL)->cum[1], 202095743273);
	tree_free(&a);
	tree_free(&b);
	snapshot_free(p);
	snapshot_free(x);
}

/* prev and base: the same process's debug=1 text (earlier) and protobuf */
static void
test_prev_base(void **state)
{
	(void)state;
	struct snapshot *pb = shown(G19 "block.pb.gz"), *txt = shown(G19 "block-debug1.txt");
	struct tree_opts o = { .value = 1 };
	struct tree t;

	assert_int_equal(tree_build(&t, pb, txt, pb, &o), 0);
	check_invariants(&t);
	assert_ptr_equal(t.prev, txt);
	assert_ptr_equal(t.base, pb);
	const struct tree_node *n = at(&t, "main.contend", NULL, NULL, NULL);
	assert_int_equal(n->cum[1], 202203458074);
	assert_int_equal(n->prev_cum, 202095743273);
	assert_int_equal(n->base_cum, 202203458074);
	assert_int_equal(n->flags, 0);
	n = at(&t, "main.chanBlocker", "runtime.chansend1", NULL, NULL);
	assert_int_equal(n->cum[1], 82477388288);
	assert_int_equal(n->prev_cum, 82432813127);
	for (size_t i = 0; i < t.nnodes; i++)
		assert_int_equal(t.nodes[i].flags, 0); /* the same paths */
	tree_free(&t);

	/* goroutines: the text has main.burnCPU.func1 running, the protobuf
	 * has it in time.Sleep */
	struct snapshot *gp = shown(G19 "goroutine.pb.gz"), *gt = shown(G19 "goroutine-debug1.txt");
	o.value = 0;
	assert_int_equal(tree_build(&t, gp, gt, gt, &o), 0);
	check_invariants(&t);
	size_t nnew = 0, ngone = 0;
	for (size_t i = 0; i < t.nnodes; i++) {
		nnew += (t.nodes[i].flags & TREE_NEW) != 0;
		ngone += (t.nodes[i].flags & TREE_GONE) != 0;
	}
	assert_int_equal(nnew, 1);
	assert_int_equal(ngone, 0);
	const char *const burn[] = { "main.burnCPU", "runtime/pprof.Do", "main.burnCPU.func1",
		                     "time.Sleep", NULL };
	n = node_at(&t, burn);
	assert_int_equal(n->flags, TREE_NEW);
	assert_int_equal(n->cum[0], 1);
	assert_int_equal(n->prev_cum, 0);
	assert_int_equal(n->base_cum, 0);
	uint64_t sleep_id = n->id;
	n = at(&t, "main.contend", "sync.(*Mutex).Lock", NULL, NULL);
	assert_int_equal(n->cum[0], 2);
	assert_int_equal(n->prev_cum, 3);
	assert_int_equal(n->base_cum, 3);
	n = at(&t, "main.contend", "time.Sleep", NULL, NULL);
	assert_int_equal(n->cum[0], 2);
	assert_int_equal(n->prev_cum, 1);
	tree_free(&t);

	/* the other way round, the Sleep is gone: kept, zero, dimmed */
	assert_int_equal(tree_build(&t, gt, gp, NULL, &o), 0);
	check_invariants(&t);
	n = node_at(&t, burn);
	assert_non_null(n);
	assert_int_equal(n->id, sleep_id);
	assert_int_equal(n->flags, TREE_GONE);
	assert_int_equal(n->cum[0], 0);
	assert_int_equal(n->flat[0], 0);
	assert_int_equal(n->nstacks, 0);
	assert_int_equal(n->prev_cum, 1);
	assert_int_equal(n->nchildren, 0);
	assert_int_equal(n->next, TREE_NONE);
	/* its parent, running now, is the heavier child */
	const struct tree_node *par = &t.nodes[n->parent];
	assert_string_equal(par->function, "main.burnCPU.func1");
	assert_int_equal(par->cum[0], 1);
	assert_int_equal(par->flat[0], 1);
	assert_int_equal(par->prev_cum, 1);
	size_t gi[2];
	assert_int_equal(tree_node_groups(&t, sleep_id, gi, 2), 0);
	tree_free(&t);

	/* a prev of another kind is ignored */
	assert_int_equal(tree_build(&t, gp, pb, NULL, &o), 0);
	assert_null(t.prev);
	for (size_t i = 0; i < t.nnodes; i++)
		assert_int_equal(t.nodes[i].flags, 0);
	tree_free(&t);
	snapshot_free(gp);
	snapshot_free(gt);
	snapshot_free(pb);
	snapshot_free(txt);
}

/* heap: inuse_bytes by default, the four columns summed */
static void
test_heap(void **state)
{
	(void)state;
	struct snapshot *s = shown(G19 "heap.pb.gz");
	struct tree_opts o = { .value = s->primary };
	struct tree t;

	assert_int_equal(tree_build(&t, s, NULL, NULL, &o), 0);
	check_invariants(&t);
	for (int v = 0; v < s->nvalues; v++)
		assert_int_equal(t.totals[v], s->totals[v]);
	const struct tree_node *r = &t.nodes[t.root];
	assert_string_equal(r->function, "main.grow");
	assert_int_equal(r->cum[0], tu_group_by_label(s, "main.grow")->values[0] +
	                                tu_group_with_fn(s, "strings.Repeat")->values[0]);
	tree_free(&t);
	snapshot_free(s);
}

static void
test_edges(void **state)
{
	(void)state;
	struct tree t;
	struct tree_opts o = { 0 };

	assert_int_equal(tree_build(&t, NULL, NULL, NULL, &o), -1);
	assert_int_equal(t.nnodes, 0);
	assert_int_equal(t.root, TREE_NONE);
	assert_null(tree_find(&t, 1));
	tree_free(&t);
	tree_free(&t);
	/* an empty profile: no nodes */
	struct builder *b = builder_new("goroutine", PROF_GOROUTINE, FMT_TEXT);
	struct snapshot *s = builder_finish(b);
	assert_int_equal(tree_build(&t, s, s, s, &o), 0);
	assert_int_equal(t.nnodes, 0);
	tree_free(&t);
	snapshot_free(s);
	/* a stack with no frames counts in totals but reaches no node */
	b = builder_new("goroutine", PROF_GOROUTINE, FMT_TEXT);
	int64_t one = 1;
	builder_commit(b, &one, NULL, 0);
	builder_frame(b, "main.f", 6, "f.go", 4, 3);
	builder_commit(b, &one, NULL, 0);
	s = builder_finish(b);
	assert_int_equal(tree_build(&t, s, NULL, NULL, &o), 0);
	assert_int_equal(t.totals[0], 2);
	assert_int_equal(t.nnodes, 1);
	assert_int_equal(t.nodes[0].cum[0], 1);
	tree_free(&t);
	snapshot_free(s);
}

/* tree_top on the go1.19 CPU capture: go tool pprof -top -nodecount=100
 * says, in this order (flat, cum, ms):
 *   340 340 main.burnCPU.func1     10 10 runtime.gentraceback
 *     0 340 main.burnCPU            0 10 main.contend
 *     0  10 runtime.callers ... (the rest of main.contend's stack)
 *     0 340 runtime/pprof.Do        ... sync.runtime_Semrelease */
static void
test_top_cpu(void **state)
{
	(void)state;
	static const struct {
		const char *fn;
		int64_t flat_ms, cum_ms;
	} want[] = {
		{ "main.burnCPU.func1", 340, 340 },
		{ "runtime.gentraceback", 10, 10 },
		{ "main.burnCPU", 0, 340 },
		{ "main.contend", 0, 10 },
		{ "runtime.callers", 0, 10 },
		{ "runtime.callers.func1", 0, 10 },
		{ "runtime.saveblockevent", 0, 10 },
		{ "runtime.semrelease1", 0, 10 },
		{ "runtime.systemstack", 0, 10 },
		{ "runtime/pprof.Do", 0, 340 },
		{ "sync.(*Mutex).Unlock", 0, 10 },
		{ "sync.(*Mutex).unlockSlow", 0, 10 },
		{ "sync.event", 0, 10 },
		{ "sync.runtime_Semrelease", 0, 10 },
	};
	struct snapshot *s = shown(G19 "profile-cpu-3s.pb.gz");
	struct tree t;
	struct tree_opts o = { .value = 0 };
	struct tree_fn *fns;

	assert_int_equal(tree_build(&t, s, NULL, NULL, &o), 0);
	size_t n = tree_top(&t, &fns);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fns[i].function, want[i].fn) != 0)
			fail_msg("function %zu is %s, expected %s", i, fns[i].function, want[i].fn);
		assert_int_equal(fns[i].flat[0], want[i].flat_ms * 1000000);
		assert_int_equal(fns[i].cum[0], want[i].cum_ms * 1000000);
	}
	assert_int_equal(fns[0].flat[1], 34); /* samples */
	free(fns);
	tree_free(&t);
	snapshot_free(s);
}

/* A recursive function's cum counts each stack once: f <- f <- main
 * (10) and f <- main (5): f flat 15, cum 15; main cum 15. */
static void
test_top_recursion(void **state)
{
	(void)state;
	struct builder *b = builder_new("cpu", PROF_CPU, FMT_PROTO);
	int64_t v1[2] = { 10, 1 }, v2[2] = { 5, 1 };

	builder_frame(b, "main.f", 6, "m.go", 4, 3);
	builder_frame(b, "main.f", 6, "m.go", 4, 4);
	builder_frame(b, "main.main", 9, "m.go", 4, 9);
	builder_commit(b, v1, NULL, 0);
	builder_frame(b, "main.f", 6, "m.go", 4, 3);
	builder_frame(b, "main.main", 9, "m.go", 4, 9);
	builder_commit(b, v2, NULL, 0);
	struct snapshot *s = builder_finish(b);
	struct tree t;
	struct tree_opts o = { .value = 0 };
	struct tree_fn *fns;

	assert_int_equal(tree_build(&t, s, NULL, NULL, &o), 0);
	assert_int_equal(tree_top(&t, &fns), 2);
	assert_string_equal(fns[0].function, "main.f");
	assert_int_equal(fns[0].flat[0], 15);
	assert_int_equal(fns[0].cum[0], 15);
	assert_string_equal(fns[1].function, "main.main");
	assert_int_equal(fns[1].flat[0], 0);
	assert_int_equal(fns[1].cum[0], 15);
	free(fns);
	tree_free(&t);
	snapshot_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_goroutine_top_down),
		cmocka_unit_test(test_handler_left_out),
		cmocka_unit_test(test_block_inverted),
		cmocka_unit_test(test_by_line),
		cmocka_unit_test(test_focus),
		cmocka_unit_test(test_ids_across_formats),
		cmocka_unit_test(test_prev_base),
		cmocka_unit_test(test_heap),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_top_cpu),
		cmocka_unit_test(test_top_recursion),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
