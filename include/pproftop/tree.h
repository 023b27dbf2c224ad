/* tree.h - the call tree of a snapshot: pprof's tree/peek, live.
 *
 * A node is a function (or a function and a line) reached through one path
 * of calls. Top-down, roots are the outermost callers (runtime.goexit is
 * skipped) and children are callees; bottom-up (inverted), roots are the
 * leaves and children are callers. Every node carries the snapshot's value
 * columns cumulative (itself and everything below it: every stack through
 * the node, counted once however often a function recurs) and flat (stacks
 * that end at the node), and, for one chosen column, the same cumulative
 * value in an older snapshot (the last poll, the baseline) so that deltas
 * need no second tree.
 *
 * A node's id is a hash of its path from the root (functions, and lines
 * when by_line), the same in every tree built with the same options, so a
 * selection or a history can follow a node across polls. Nodes present only
 * in the older snapshot `prev` are kept, with zero values and TREE_GONE, so
 * a vanished path can be shown dimmed for a poll.
 *
 * Flat goes to the node where a stack's path ends: the leaf top-down, the
 * outermost caller when inverted; so in both directions a node's cum is its
 * flat plus its children's cums, and the roots' cums add up to totals (less
 * the stacks with no frames, which reach no node).
 *
 * Node ids combine the parent's id with the content hash of the function
 * (hash_str, as group ids do) and, when by_line, the line: they do not
 * depend on where the strings live, so trees of one stack set parsed from
 * different formats (protobuf, debug=1 text) have the same ids.
 *
 * Pure core: no curses, no I/O. A tree owns its arrays and borrows the
 * snapshots' interned strings (gone nodes point into prev's): free the tree
 * before s and prev.
 */
#ifndef PPROFTOP_TREE_H
#define PPROFTOP_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pproftop/profile.h"

#define TREE_NONE UINT32_MAX

enum tree_flags {
	TREE_GONE = 1u << 0, /* only in prev */
	TREE_NEW = 1u << 1,  /* not in prev (prev given) */
};

struct tree_opts {
	bool inverted;  /* bottom-up: leaves are the roots */
	bool by_line;   /* a node is a function and a line */
	int value;      /* the column prev_cum/base_cum and sorting use */
	uint64_t focus; /* 0, or a node id: only stacks through that node */
};

struct tree_node {
	uint64_t id; /* path hash: stable across polls (idtab reads it first) */
	const char *function;
	const char *file; /* the frame's, "" unknown */
	int64_t line;     /* the frame's line (the first stack's when !by_line) */
	uint32_t parent;  /* TREE_NONE for a root */
	/* first child, TREE_NONE; children (and roots) sorted by cum[value]
	 * desc, then function (then line, then id) */
	uint32_t child;
	uint32_t next;  /* next sibling, TREE_NONE */
	uint32_t depth; /* 0 for roots */
	uint32_t nchildren;
	unsigned flags;
	int64_t cum[PROF_MAX_VALUES];
	int64_t flat[PROF_MAX_VALUES];
	int64_t prev_cum; /* cum[value] in prev; 0 when absent or no prev */
	int64_t base_cum; /* cum[value] in base; 0 when absent or no base */
	uint64_t nstacks; /* groups through the node in the current snapshot */
};

struct tree {
	struct tree_opts opts;
	const struct snapshot *s;           /* borrowed */
	const struct snapshot *prev, *base; /* borrowed; NULL when not given or ignored */
	struct tree_node *nodes; /* depth first, each parent before its sorted children */
	size_t nnodes;
	uint32_t root; /* first root, TREE_NONE when empty; roots chained by next */
	uint32_t *tab; /* id -> index + 1 (idtab) */
	size_t tabsize;
	int64_t totals[PROF_MAX_VALUES]; /* of the stacks kept (focus) */
	uint32_t *ends;                  /* per s->groups index: the node where its path ends,
	                                  * TREE_NONE for a group left out (handler, focus, no frames) */
};

/* tree_build: the tree of s (borrowed) with opts, and prev_cum/base_cum
 * from prev and base (either may be NULL; one of another kind or with
 * other value columns is ignored). opts->value outside s's columns means
 * s->primary (t->opts says which was used). Groups marked pprof_handler are
 * left out, as the tables leave them out. With a focus, only the stacks
 * through that node count, in s, prev and base alike (an id found nowhere
 * leaves an empty tree). Returns 0, or -1 (t empty) on a NULL s or opts.
 * Free with tree_free. */
int tree_build(struct tree *t, const struct snapshot *s, const struct snapshot *prev,
               const struct snapshot *base, const struct tree_opts *opts);

/* tree_free: releases t's arrays (not the snapshots); t is left empty. */
void tree_free(struct tree *t);

/* tree_find: the node with this id, or NULL; O(1). */
const struct tree_node *tree_find(const struct tree *t, uint64_t id);

/* tree_heaviest_path: the ids of the path that follows the heaviest child
 * from the heaviest root, root first; returns how many were written (at
 * most max). The tree opens expanded along it. */
size_t tree_heaviest_path(const struct tree *t, uint64_t *ids, size_t max);

/* One function of a tree, as go tool pprof -top shows it: flat, in the
 * function itself (the stacks whose path ends at one of its nodes); cum,
 * with what it calls (the stacks through it, each counted once however
 * often the function recurs). */
struct tree_fn {
	uint64_t id;          /* hash_str(function): the same in every snapshot */
	const char *function; /* borrowed from the tree's snapshots */
	const char *file;     /* its first node's */
	int64_t line;
	int64_t flat[PROF_MAX_VALUES];
	int64_t cum[PROF_MAX_VALUES];
};

/* tree_top: the functions of t (gone nodes left out) into *out (malloc'd,
 * the caller frees it; NULL when there are none), sorted by flat[value]
 * descending, then function: pprof's -top order. Returns
 * how many. Valid while t's snapshots are. */
size_t tree_top(const struct tree *t, struct tree_fn **out);

/* tree_node_groups: the indexes into t->s->groups of the stacks through
 * node id, ascending; returns how many (written up to max). For the
 * detail pane of a node. */
size_t tree_node_groups(const struct tree *t, uint64_t id, size_t *out, size_t max);

#endif
