/* tree.c - the call tree of a snapshot (see tree.h).
 *
 * Built in three steps, each over flat arrays:
 *   1. a trie per snapshot (s, and prev and base when given): every group's
 *      frames walked from the root end, at most one hash table lookup per
 *      frame (none for the outer frames it shares with the group before),
 *      keyed by (parent node, interned function pointer, line when by_line);
 *      the node's id is computed once, when the node is created; the values
 *      are then added along each kept group's path by following parents;
 *   2. prev's and base's tries matched to s's by id: prev_cum, base_cum,
 *      TREE_NEW, and TREE_GONE nodes for paths only in prev;
 *   3. the kept nodes laid out depth first with children sorted, and the id
 *      index built over them.
 */
#include "pproftop/tree.h"

#include <stdlib.h>
#include <string.h>

#include "pproftop/arena.h"
#include "pproftop/idtab.h"
#include "pproftop/xalloc.h"

#define SEEN (1u << 30) /* internal: matched by a prev node (cleared at the end) */

/* One slot of a trie's (parent, function, line) -> node table. */
struct slot {
	const char *fn;
	int64_t line;
	uint32_t parent;
	uint32_t node; /* index + 1; 0: empty */
};

/* A trie's node: small, so that building touches little memory; the
 * values are in the trie's cum and flat arrays. */
struct tnode {
	uint64_t id; /* first: idtab reads it */
	const struct frame *f;
	uint32_t parent, depth;
	uint32_t nstacks;
	unsigned flags;
	int64_t prev_cum, base_cum;
};

struct trie {
	struct tnode *nodes;
	int64_t *cum, *flat; /* nv per node */
	int nv;
	size_t n, cap;
	struct slot *slots;
	size_t nslots;  /* a power of two */
	uint32_t *ends; /* per group */
	size_t ngroups;
	int64_t totals[PROF_MAX_VALUES];
};

static uint64_t
slot_hash(const char *fn, uint32_t parent, int64_t line)
{
	return hash_mix((uint64_t)(uintptr_t)fn ^ ((uint64_t)parent << 32) ^
	                ((uint64_t)line * 0x9e3779b97f4a7c15ULL));
}

static void
slots_grow(struct trie *tr)
{
	size_t n = tr->nslots ? tr->nslots * 2 : 1024;
	struct slot *t = xcalloc(n, sizeof(*t));

	for (size_t i = 0; i < tr->nslots; i++) {
		const struct slot *o = &tr->slots[i];
		if (o->node == 0)
			continue;
		size_t j = slot_hash(o->fn, o->parent, o->line) & (n - 1);
		while (t[j].node != 0)
			j = (j + 1) & (n - 1);
		t[j] = *o;
	}
	free(tr->slots);
	tr->slots = t;
	tr->nslots = n;
}

/* Room for cap nodes; new values zeroed. */
static void
trie_reserve(struct trie *tr, size_t cap)
{
	size_t nv = (size_t)tr->nv;

	if (cap <= tr->cap)
		return;
	if (tr->cap == 0) {
		/* calloc: fresh pages are zero without being touched */
		tr->nodes = xmalloc(cap * sizeof(*tr->nodes));
		tr->cum = xcalloc(cap * nv, sizeof(*tr->cum));
		tr->flat = xcalloc(cap * nv, sizeof(*tr->flat));
		tr->cap = cap;
		return;
	}
	tr->nodes = xreallocarray(tr->nodes, cap, sizeof(*tr->nodes));
	tr->cum = xreallocarray(tr->cum, cap * nv, sizeof(*tr->cum));
	tr->flat = xreallocarray(tr->flat, cap * nv, sizeof(*tr->flat));
	memset(tr->cum + tr->cap * nv, 0, (cap - tr->cap) * nv * sizeof(*tr->cum));
	memset(tr->flat + tr->cap * nv, 0, (cap - tr->cap) * nv * sizeof(*tr->flat));
	tr->cap = cap;
}

/* The child of parent (TREE_NONE: a root) for frame f, created if new. */
static uint32_t
trie_child(struct trie *tr, uint32_t parent, const struct frame *f, bool by_line, uint64_t seed)
{
	int64_t line = by_line ? f->line : 0;

	if ((tr->n + 1) * 2 > tr->nslots)
		slots_grow(tr);
	size_t j = slot_hash(f->function, parent, line) & (tr->nslots - 1);
	while (tr->slots[j].node != 0) {
		const struct slot *sl = &tr->slots[j];
		if (sl->fn == f->function && sl->parent == parent && sl->line == line)
			return sl->node - 1;
		j = (j + 1) & (tr->nslots - 1);
	}
	if (tr->n == tr->cap)
		trie_reserve(tr, tr->cap * 2 + 1024);
	uint32_t idx = (uint32_t)tr->n++;
	uint64_t id = seed;
	uint32_t depth = 0;
	if (parent != TREE_NONE) {
		id = tr->nodes[parent].id;
		depth = tr->nodes[parent].depth + 1;
	}
	id = hash_mix(id ^ hash_str(f->function));
	if (by_line)
		id = hash_mix(id ^ (uint64_t)f->line);
	tr->nodes[idx] = (struct tnode){
		.id = id ? id : 1, /* 0 is "no focus" and an empty idtab slot */
		.f = f,
		.parent = parent,
		.depth = depth,
	};
	tr->slots[j] = (struct slot){ f->function, line, parent, idx + 1 };
	return idx;
}

/* Whether the path ending at node e goes through node f. */
static bool
passes(const struct tnode *nodes, uint32_t e, uint32_t f)
{
	while (e != TREE_NONE && nodes[e].depth > nodes[f].depth)
		e = nodes[e].parent;
	return e == f;
}

/* The trie of s's groups (handlers left out), values added for the groups
 * through the node with id o->focus (all when 0). */
static void
trie_build(struct trie *tr, const struct snapshot *s, const struct tree_opts *o)
{
	uint64_t seed = o->inverted ? hash_mix(HASH_SEED ^ 0x696e76) : HASH_SEED;
	uint32_t maxframes = 0;
	size_t nframes = 0;

	memset(tr, 0, sizeof(*tr));
	tr->nv = s->nvalues > 0 ? s->nvalues : 1;
	tr->ngroups = s->ngroups;
	tr->ends = xcalloc(s->ngroups + 1, sizeof(*tr->ends));
	for (size_t g = 0; g < s->ngroups; g++) {
		if (s->groups[g].pprof_handler)
			continue;
		nframes += s->groups[g].nframes;
		if (s->groups[g].nframes > maxframes)
			maxframes = s->groups[g].nframes;
	}
	/* about three nodes per stack (a leaf and the frames where it parts
	 * from the others: 2.7 on the 100k demo), more as needed; the slots
	 * for twice that, so that they rarely grow */
	size_t guess = 3 * s->ngroups + 1024 < nframes + 1 ? 3 * s->ngroups + 1024 : nframes + 1;
	trie_reserve(tr, guess);
	while (tr->nslots < guess * 2)
		slots_grow(tr);
	/* the nodes of the last group's path: the frames it shares with the
	 * next group from the root end need no lookup (stacks share their
	 * outer frames: runtime.main, a server's accept and serve loops) */
	uint32_t *path = xcalloc((size_t)maxframes + 1, sizeof(*path));
	const struct group *last = NULL;
	for (size_t g = 0; g < s->ngroups; g++) {
		const struct group *gr = &s->groups[g];
		uint32_t at = TREE_NONE, k = 0;
		if (gr->pprof_handler) {
			tr->ends[g] = TREE_NONE;
			continue;
		}
		for (; last != NULL && k < gr->nframes && k < last->nframes; k++) {
			const struct frame *a =
			    group_frame(gr, o->inverted ? k : gr->nframes - 1 - k);
			const struct frame *b =
			    group_frame(last, o->inverted ? k : last->nframes - 1 - k);
			if (a->function != b->function || (o->by_line && a->line != b->line))
				break;
			at = path[k];
		}
		for (; k < gr->nframes; k++) {
			uint32_t fi = o->inverted ? k : gr->nframes - 1 - k;
			at = trie_child(tr, at, group_frame(gr, fi), o->by_line, seed);
			path[k] = at;
		}
		tr->ends[g] = at;
		last = gr;
	}
	free(path);
	uint32_t focus = TREE_NONE;
	if (o->focus != 0) {
		for (size_t i = 0; i < tr->n && focus == TREE_NONE; i++)
			if (tr->nodes[i].id == o->focus)
				focus = (uint32_t)i;
	}
	size_t nv = (size_t)tr->nv;
	for (size_t g = 0; g < s->ngroups; g++) {
		const struct group *gr = &s->groups[g];
		uint32_t e = tr->ends[g];
		if (gr->pprof_handler || (o->focus != 0 && (focus == TREE_NONE || e == TREE_NONE ||
		                                            !passes(tr->nodes, e, focus)))) {
			tr->ends[g] = TREE_NONE;
			continue;
		}
		for (int v = 0; v < s->nvalues; v++)
			tr->totals[v] = value_sat_add(tr->totals[v], gr->values[v]);
		if (e == TREE_NONE)
			continue; /* no frames */
		for (int v = 0; v < s->nvalues; v++)
			tr->flat[e * nv + (size_t)v] =
			    value_sat_add(tr->flat[e * nv + (size_t)v], gr->values[v]);
		for (uint32_t x = e; x != TREE_NONE; x = tr->nodes[x].parent) {
			int64_t *cum = &tr->cum[x * nv];
			for (int v = 0; v < s->nvalues; v++)
				cum[v] = value_sat_add(cum[v], gr->values[v]);
			tr->nodes[x].nstacks++;
		}
	}
}

static void
trie_free(struct trie *tr)
{
	free(tr->nodes);
	free(tr->cum);
	free(tr->flat);
	free(tr->slots);
	free(tr->ends);
	memset(tr, 0, sizeof(*tr));
}

static void
index_nodes(uint32_t **tab, size_t *size, const void *nodes, size_t stride, size_t n)
{
	free(*tab);
	*size = idtab_size(n);
	*tab = xcalloc(*size, sizeof(**tab));
	idtab_fill(*tab, *size, nodes, stride, n);
}

static bool
comparable(const struct snapshot *s, const struct snapshot *o, int value)
{
	return o != NULL && o->kind == s->kind && o->nvalues == s->nvalues && value < o->nvalues;
}

/* Matches old's kept nodes to cur's by id: their cum[value] goes to
 * prev_cum (is_prev) or base_cum. Paths only in prev become TREE_GONE
 * nodes of cur, with zero values (a node of cur that no kept stack
 * reaches is reused). */
static void
merge(struct trie *cur, const struct trie *old, int value, bool is_prev, const uint32_t *tab,
      size_t tabsize)
{
	uint32_t *map = xcalloc(old->n + 1, sizeof(*map));

	if (is_prev)
		trie_reserve(cur, cur->n + old->n + 1);
	for (size_t i = 0; i < old->n; i++) {
		const struct tnode *o = &old->nodes[i];
		map[i] = TREE_NONE;
		if (o->nstacks == 0)
			continue; /* left out by the focus */
		size_t c = idtab_find(tab, tabsize, cur->nodes, sizeof(*cur->nodes), o->id);
		if (c != IDTAB_NONE &&
		    (cur->nodes[c].nstacks > 0 || (cur->nodes[c].flags & TREE_GONE))) {
			map[i] = (uint32_t)c;
		} else if (is_prev && c != IDTAB_NONE) {
			cur->nodes[c].flags |= TREE_GONE;
			map[i] = (uint32_t)c;
		} else if (is_prev) {
			/* parents come first and have at least as many stacks */
			cur->nodes[cur->n] = (struct tnode){
				.id = o->id,
				.f = o->f,
				.parent = o->parent != TREE_NONE ? map[o->parent] : TREE_NONE,
				.depth = o->depth,
				.flags = TREE_GONE,
			};
			map[i] = (uint32_t)cur->n++;
		} else {
			continue; /* only in base: not shown */
		}
		struct tnode *m = &cur->nodes[map[i]];
		int64_t v = old->cum[i * (size_t)old->nv + (size_t)value];
		if (is_prev) {
			m->prev_cum = v;
			m->flags |= SEEN;
		} else {
			m->base_cum = v;
		}
	}
	free(map);
}

/* Children order: cum[value] descending, then function, line, id. */
struct sortkey {
	int64_t cum;
	const char *fn;
	int64_t line;
	uint64_t id;
	uint32_t idx;
};

static int
cmp_keys(const void *pa, const void *pb)
{
	const struct sortkey *a = pa, *b = pb;

	if (a->cum != b->cum)
		return a->cum > b->cum ? -1 : 1;
	int c = strcmp(a->fn, b->fn);
	if (c != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static bool
kept(const struct tnode *nd)
{
	return nd->nstacks > 0 || (nd->flags & TREE_GONE);
}

/* Lays cur's kept nodes out in t->nodes depth first, children sorted,
 * with child/next/nchildren/parent renumbered; fills t->ends. */
static void
layout(struct tree *t, const struct trie *cur, int value)
{
	size_t n = cur->n, nv = (size_t)cur->nv;
	/* children of each parent, contiguous (roots under slot n) */
	size_t *start = xcalloc(n + 2, sizeof(*start));
	struct sortkey *keys = xcalloc(n + 1, sizeof(*keys));
	uint32_t *newidx = xcalloc(n + 1, sizeof(*newidx));
	uint32_t *stack = xcalloc(n + 1, sizeof(*stack));

	for (size_t i = 0; i < n; i++)
		if (kept(&cur->nodes[i])) {
			uint32_t p = cur->nodes[i].parent;
			start[(p == TREE_NONE ? n : p) + 1]++;
		}
	for (size_t i = 0; i <= n; i++)
		start[i + 1] += start[i];
	size_t *fill = xcalloc(n + 1, sizeof(*fill));
	memcpy(fill, start, (n + 1) * sizeof(*fill));
	for (size_t i = 0; i < n; i++) {
		const struct tnode *nd = &cur->nodes[i];
		if (!kept(nd))
			continue;
		size_t p = nd->parent == TREE_NONE ? n : nd->parent;
		keys[fill[p]++] =
		    (struct sortkey){ cur->cum[i * nv + (size_t)value], nd->f->function,
			              nd->f->line, nd->id, (uint32_t)i };
	}
	free(fill);
	for (size_t p = 0; p <= n; p++)
		if (start[p + 1] - start[p] > 1)
			qsort(keys + start[p], start[p + 1] - start[p], sizeof(*keys), cmp_keys);

	/* depth first: pop a node, number it, push its children reversed */
	size_t sp = 0, k = 0;
	for (size_t j = start[n + 1]; j > start[n]; j--)
		stack[sp++] = keys[j - 1].idx;
	t->nodes = xcalloc(start[n + 1] + 1, sizeof(*t->nodes));
	while (sp > 0) {
		uint32_t x = stack[--sp];
		const struct tnode *c = &cur->nodes[x];
		struct tree_node *nd = &t->nodes[k];
		newidx[x] = (uint32_t)k++;
		nd->id = c->id;
		nd->function = c->f->function;
		nd->file = c->f->file;
		nd->line = c->f->line;
		nd->parent = c->parent != TREE_NONE ? newidx[c->parent] : TREE_NONE;
		nd->child = TREE_NONE;
		nd->next = TREE_NONE;
		nd->depth = c->depth;
		nd->flags = c->flags & ~SEEN;
		memcpy(nd->cum, &cur->cum[x * nv], nv * sizeof(*nd->cum));
		memcpy(nd->flat, &cur->flat[x * nv], nv * sizeof(*nd->flat));
		nd->prev_cum = c->prev_cum;
		nd->base_cum = c->base_cum;
		nd->nstacks = c->nstacks;
		for (size_t j = start[x + 1]; j > start[x]; j--)
			stack[sp++] = keys[j - 1].idx;
	}
	t->nnodes = k;
	/* child, next and nchildren from the sorted runs */
	for (size_t p = 0; p <= n; p++) {
		size_t a = start[p], b = start[p + 1];
		if (a == b)
			continue;
		if (p == n) {
			t->root = newidx[keys[a].idx];
		} else {
			t->nodes[newidx[p]].child = newidx[keys[a].idx];
			t->nodes[newidx[p]].nchildren = (uint32_t)(b - a);
		}
		for (size_t j = a; j < b; j++)
			t->nodes[newidx[keys[j].idx]].next =
			    j + 1 < b ? newidx[keys[j + 1].idx] : TREE_NONE;
	}
	for (size_t g = 0; g < cur->ngroups; g++)
		t->ends[g] = cur->ends[g] != TREE_NONE ? newidx[cur->ends[g]] : TREE_NONE;
	free(start);
	free(keys);
	free(newidx);
	free(stack);
}

int
tree_build(struct tree *t, const struct snapshot *s, const struct snapshot *prev,
           const struct snapshot *base, const struct tree_opts *opts)
{
	memset(t, 0, sizeof(*t));
	t->root = TREE_NONE;
	if (s == NULL || opts == NULL)
		return -1;
	t->s = s;
	t->opts = *opts;
	if (t->opts.value < 0 || t->opts.value >= s->nvalues)
		t->opts.value = s->primary;
	int value = t->opts.value;

	struct trie cur, old;
	trie_build(&cur, s, &t->opts);
	memcpy(t->totals, cur.totals, sizeof(t->totals));
	if (comparable(s, prev, value) || comparable(s, base, value))
		index_nodes(&t->tab, &t->tabsize, cur.nodes, sizeof(*cur.nodes), cur.n);
	if (comparable(s, prev, value)) {
		t->prev = prev;
		trie_build(&old, prev, &t->opts);
		merge(&cur, &old, value, true, t->tab, t->tabsize);
		trie_free(&old);
		for (size_t i = 0; i < cur.n; i++) {
			struct tnode *nd = &cur.nodes[i];
			if (nd->nstacks > 0 && !(nd->flags & SEEN))
				nd->flags |= TREE_NEW;
		}
		index_nodes(&t->tab, &t->tabsize, cur.nodes, sizeof(*cur.nodes), cur.n);
	}
	if (comparable(s, base, value)) {
		t->base = base;
		trie_build(&old, base, &t->opts);
		merge(&cur, &old, value, false, t->tab, t->tabsize);
		trie_free(&old);
	}
	t->ends = xcalloc(s->ngroups + 1, sizeof(*t->ends));
	layout(t, &cur, value);
	trie_free(&cur);
	_Static_assert(offsetof(struct tree_node, id) == 0, "idtab reads the id first");
	_Static_assert(offsetof(struct tnode, id) == 0, "idtab reads the id first");
	index_nodes(&t->tab, &t->tabsize, t->nodes, sizeof(*t->nodes), t->nnodes);
	return 0;
}

void
tree_free(struct tree *t)
{
	free(t->nodes);
	free(t->tab);
	free(t->ends);
	memset(t, 0, sizeof(*t));
	t->root = TREE_NONE;
}

static size_t
find_index(const struct tree *t, uint64_t id)
{
	return idtab_find(t->tab, t->tabsize, t->nodes, sizeof(*t->nodes), id);
}

const struct tree_node *
tree_find(const struct tree *t, uint64_t id)
{
	size_t i = find_index(t, id);

	return i != IDTAB_NONE ? &t->nodes[i] : NULL;
}

size_t
tree_heaviest_path(const struct tree *t, uint64_t *ids, size_t max)
{
	size_t n = 0;

	for (uint32_t x = t->root; x != TREE_NONE && n < max; x = t->nodes[x].child) {
		if (t->nodes[x].flags & TREE_GONE)
			break;
		ids[n++] = t->nodes[x].id;
	}
	return n;
}

/* tree_top's working order: by function id, then node index. */
struct fn_node {
	uint64_t id;
	uint32_t node;
};

static int
cmp_fn_node(const void *pa, const void *pb)
{
	const struct fn_node *a = pa, *b = pb;

	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a->node < b->node ? -1 : a->node > b->node;
}

static int top_value; /* qsort has no context argument */

static int
cmp_top(const void *pa, const void *pb)
{
	const struct tree_fn *a = pa, *b = pb;
	int v = top_value;

	/* pprof's flat order: flat, then the name */
	if (a->flat[v] != b->flat[v])
		return a->flat[v] > b->flat[v] ? -1 : 1;
	int c = strcmp(a->function, b->function);
	if (c != 0)
		return c;
	if (a->cum[v] != b->cum[v])
		return a->cum[v] > b->cum[v] ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

size_t
tree_top(const struct tree *t, struct tree_fn **out)
{
	int nv = t->s != NULL ? t->s->nvalues : 0;
	uint64_t *fid = xcalloc(t->nnodes + 1, sizeof(*fid));
	struct fn_node *order = xcalloc(t->nnodes + 1, sizeof(*order));
	size_t n = 0, nfn = 0;

	*out = NULL;
	for (size_t i = 0; i < t->nnodes; i++)
		fid[i] = hash_str(t->nodes[i].function);
	for (size_t i = 0; i < t->nnodes; i++)
		if (!(t->nodes[i].flags & TREE_GONE))
			order[n++] = (struct fn_node){ fid[i], (uint32_t)i };
	qsort(order, n, sizeof(*order), cmp_fn_node);
	struct tree_fn *fns = n > 0 ? xcalloc(n, sizeof(*fns)) : NULL;
	for (size_t k = 0; k < n; k++) {
		const struct tree_node *x = &t->nodes[order[k].node];
		if (k == 0 || order[k].id != order[k - 1].id) {
			struct tree_fn *f = &fns[nfn++];
			f->id = order[k].id;
			f->function = x->function;
			f->file = x->file;
			f->line = x->line;
		}
		struct tree_fn *f = &fns[nfn - 1];
		/* a node under another of the same function (recursion) is
		 * already in that one's cum */
		bool nested = false;
		for (uint32_t p = x->parent; p != TREE_NONE && !nested; p = t->nodes[p].parent)
			nested = fid[p] == order[k].id;
		for (int v = 0; v < nv; v++) {
			f->flat[v] = value_sat_add(f->flat[v], x->flat[v]);
			if (!nested)
				f->cum[v] = value_sat_add(f->cum[v], x->cum[v]);
		}
	}
	free(order);
	free(fid);
	top_value = t->opts.value;
	if (nfn > 1)
		qsort(fns, nfn, sizeof(*fns), cmp_top);
	*out = fns;
	return nfn;
}

size_t
tree_node_groups(const struct tree *t, uint64_t id, size_t *out, size_t max)
{
	size_t i = find_index(t, id), n = 0;

	if (i == IDTAB_NONE)
		return 0;
	/* depth first: the subtree is the run of deeper nodes after i */
	size_t end = i + 1;
	while (end < t->nnodes && t->nodes[end].depth > t->nodes[i].depth)
		end++;
	for (size_t g = 0; g < t->s->ngroups; g++) {
		uint32_t e = t->ends[g];
		if (e != TREE_NONE && e >= i && e < end) {
			if (n < max)
				out[n] = g;
			n++;
		}
	}
	return n;
}
