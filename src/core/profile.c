/* profile.c - snapshot model and the builder that groups stacks.
 *
 * Normalization (applied identically to every input format, so that a stack
 * keeps its id across formats, polls and restarts of the target):
 *   - runtime.goexit frames are dropped;
 *   - generic instantiations are folded: "pkg.F[go.shape.string]" and
 *     "pkg.F[...]" both become "pkg.F[...]";
 *   - for goroutine, heap, allocs, threadcreate and custom profiles, leading
 *     (leaf-side) runtime.* and internal/runtime/... frames are dropped unless
 *     that would drop every frame, as Go's own debug=1 writer does; block,
 *     mutex and CPU stacks keep them.
 * The id hashes function, file and line of every remaining frame. Labels and
 * goroutine states are attributes, not identity.
 */
#include "pproftop/profile.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/frametab.h"
#include "pproftop/idtab.h"
#include "pproftop/kinds.h"
#include "pproftop/xalloc.h"

#define MAX_LABELSETS 64

struct builder {
	struct snapshot *snap;
	/* pending frames of the stack being built, as indices into ft */
	uint32_t *pending;
	size_t npending, cap_pending;
	/* groups, growable; moved to snap at finish */
	struct group *groups;
	size_t ngroups, cap_groups;
	/* id -> group index: an idtab over ids, the groups' ids in a dense
	 * array of their own (a probe reads 8 bytes, not a group) */
	uint64_t *ids;
	uint32_t *tab;
	size_t tab_size;
	/* goroutine ids: (group index, goid) pairs, distributed at finish */
	struct goid_pair {
		uint32_t group;
		int64_t goid;
	} * goids;
	size_t ngoids, cap_goids;
	struct memstat *ms;
	size_t nms, cap_ms;
	bool trim_runtime;
	/* the pending stack's hidden PCs (builder_hidden_pcs) */
	uint64_t hpcs[BUILDER_HPCS_MAX];
	size_t nhpcs;
	/* interned string -> its content hash, so that stack_hash hashes each
	 * distinct string once per snapshot (pointer-keyed, open addressing) */
	struct str_hash {
		const char *s;
		uint64_t h;
		unsigned flags; /* STR_RUNTIME | STR_PPROF | STR_PLUMBING */
	} * sh;
	size_t sh_size, sh_n;
	struct str_hash memo[2]; /* the last two distinct strings looked up */
	const char *goexit;      /* "runtime.goexit", interned: dropped by pointer */
	struct frametab ft;      /* the snapshot's frames, each once */
	/* per frame of ft: its strings' content hashes and its function's
	 * STR_ flags, taken once when the frame is first seen */
	struct frame_info {
		uint64_t fn_h, file_h;
		unsigned flags;
	} * fi;
	size_t cap_fi;
};

static struct str_hash str_info(struct builder *b, const char *s);

const char *
snapshot_scaling_name(enum scaling sc)
{
	static const char *const names[] = {
		[SCALING_NA] = "",
		[SCALING_MULTIPLIED] = "multiplied",
		[SCALING_SCALED] = "scaled",
		[SCALING_ASSUMED] = "assumed",
		[SCALING_FLAG_YES] = "flag-yes",
		[SCALING_FLAG_NO] = "flag-no",
	};
	return (unsigned)sc < sizeof(names) / sizeof(names[0]) ? names[sc] : "";
}

const char *
snapshot_scaling_note(const struct snapshot *s)
{
	switch (s->scaling) {
	case SCALING_ASSUMED:
		return "mutex values assumed already multiplied by the sampling period (Go >= "
		       "1.20): every one is a multiple of it and no frame names a Go version; "
		       "--mutex-scaled no if the target runs Go <= 1.19";
	case SCALING_FLAG_YES:
		return "mutex values taken as already multiplied by the sampling period "
		       "(--mutex-scaled yes)";
	case SCALING_FLAG_NO:
		return "mutex values multiplied by the sampling period (--mutex-scaled no)";
	case SCALING_NA:
	case SCALING_MULTIPLIED:
	case SCALING_SCALED:
		break;
	}
	return NULL;
}

enum prof_kind
snapshot_kind_from_name(const char *name)
{
	return kind_from_name(name);
}

static void
set_kind(struct builder *b, enum prof_kind kind)
{
	struct snapshot *s = b->snap;
	const struct kind_info *k = kind_info(kind);

	s->kind = kind;
	s->nvalues = k->nvalues;
	s->primary = k->primary;
	memset(s->vt, 0, sizeof(s->vt));
	memcpy(s->vt, k->vt, (size_t)k->nvalues * sizeof(*k->vt));
	b->trim_runtime = k->trim_runtime;
}

struct builder *
builder_new(const char *name, enum prof_kind kind, enum prof_format format)
{
	struct builder *b = xcalloc(1, sizeof(*b));
	struct snapshot *s = xcalloc(1, sizeof(*s));

	arena_init(&s->arena);
	s->refs = 1;
	s->name = arena_intern(&s->arena, name, strlen(name));
	s->format = format;
	s->header_total = -1;
	s->sampling_period = -1;
	s->heap_rate = -1;
	b->snap = s;
	b->goexit = arena_intern(&s->arena, "runtime.goexit", strlen("runtime.goexit"));
	frametab_init(&b->ft);
	set_kind(b, kind);
	return b;
}

struct snapshot *
builder_snap(struct builder *b)
{
	return b->snap;
}

void
builder_set_kind(struct builder *b, enum prof_kind kind)
{
	set_kind(b, kind);
}

/* Fold generic instantiation brackets: "F[a, b[c]]" -> "F[...]". Returns the
 * new length written to out (out must hold n + 5 bytes). */
static size_t
fold_generics(const char *fn, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (fn[i] != '[') {
			out[o++] = fn[i];
			continue;
		}
		int depth = 0;
		size_t j = i;
		for (; j < n; j++) {
			if (fn[j] == '[')
				depth++;
			else if (fn[j] == ']' && --depth == 0)
				break;
		}
		if (j >= n) { /* unbalanced: keep the rest verbatim */
			memcpy(out + o, fn + i, n - i);
			return o + (n - i);
		}
		memcpy(out + o, "[...]", 5); // NOLINT(bugprone-not-null-terminated-result)
		o += 5;
		i = j;
	}
	return o;
}

void
builder_intern_names(struct builder *b, const char *fn, size_t fnlen, const char *file,
                     size_t filelen, const char **fn_out, const char **file_out)
{
	struct arena *a = &b->snap->arena;
	char small[256];

	if (memchr(fn, '[', fnlen) != NULL) {
		char *buf = fnlen + 5 <= sizeof(small) ? small : xmalloc(fnlen + 5);
		size_t namelen = fold_generics(fn, fnlen, buf);
		*fn_out = arena_intern(a, buf, namelen);
		if (buf != small)
			free(buf);
	} else {
		*fn_out = arena_intern(a, fn, fnlen);
	}
	*file_out = arena_intern(a, file, filelen);
}

uint32_t
builder_frame_key(struct builder *b, const char *fn, const char *file, int64_t line)
{
	size_t known = b->ft.n;
	uint32_t k = frametab_intern(&b->ft, fn, file, line);

	if (b->ft.n != known) { /* first seen: its hashes and flags, once */
		if (k >= b->cap_fi) {
			b->cap_fi = b->ft.cap;
			b->fi = xreallocarray(b->fi, b->cap_fi, sizeof(*b->fi));
		}
		struct str_hash h = str_info(b, fn);
		b->fi[k].fn_h = h.h;
		b->fi[k].flags = h.flags;
		b->fi[k].file_h = str_info(b, file).h;
	}
	return k;
}

void
builder_frame_key_add(struct builder *b, uint32_t key)
{
	if (b->npending == b->cap_pending) {
		b->cap_pending = b->cap_pending ? b->cap_pending * 2 : 64;
		b->pending = xreallocarray(b->pending, b->cap_pending, sizeof(*b->pending));
	}
	b->pending[b->npending++] = key;
}

void
builder_frame_interned(struct builder *b, const char *fn, const char *file, int64_t line)
{
	builder_frame_key_add(b, builder_frame_key(b, fn, file, line));
}

void
builder_frame(struct builder *b, const char *fn, size_t fnlen, const char *file, size_t filelen,
              int64_t line)
{
	const char *name, *path;

	builder_intern_names(b, fn, fnlen, file, filelen, &name, &path);
	builder_frame_interned(b, name, path, line);
}

void
builder_clear_frames(struct builder *b)
{
	b->npending = 0;
	b->nhpcs = 0;
}

void
builder_hidden_pcs(struct builder *b, const uint64_t *pcs, size_t n)
{
	b->nhpcs = n < BUILDER_HPCS_MAX ? n : BUILDER_HPCS_MAX;
	memcpy(b->hpcs, pcs, b->nhpcs * sizeof(*pcs));
}

static bool
is_runtime_fn(const char *fn)
{
	return strncmp(fn, "runtime.", 8) == 0 || strncmp(fn, "internal/runtime/", 17) == 0;
}

/* Go standard-library top-level package names: frames from these packages
 * are plumbing and do not label a row. */
static const char *const stdlib_pkgs[] = {
	"archive",  "bufio",   "bytes",   "cmp",      "compress", "container", "context", "crypto",
	"database", "debug",   "embed",   "encoding", "errors",   "expvar",    "flag",    "fmt",
	"go",       "hash",    "html",    "image",    "index",    "internal",  "io",      "iter",
	"log",      "maps",    "math",    "mime",     "net",      "os",        "path",    "plugin",
	"reflect",  "regexp",  "runtime", "slices",   "sort",     "strconv",   "strings", "structs",
	"sync",     "syscall", "testing", "text",     "time",     "unicode",   "unique",  "unsafe",
	"vendor",   "weak",
};

bool
frame_is_plumbing(const char *fn)
{
	/* the first path element of the package: up to the first '/' or '.' */
	size_t n = strcspn(fn, "/.");

	if (n == 0)
		return false;
	/* "go.uber.org/zap.F": a first path element with a dot is a module
	 * path, never the standard library */
	if (fn[n] == '.' && strchr(fn + n, '/') != NULL)
		return false;
	for (size_t i = 0; i < sizeof(stdlib_pkgs) / sizeof(stdlib_pkgs[0]); i++)
		if (strlen(stdlib_pkgs[i]) == n && memcmp(stdlib_pkgs[i], fn, n) == 0)
			return true;
	return false;
}


int64_t
value_sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static size_t
ptr_slot(const char *s, size_t size)
{
	uint64_t k = (uint64_t)(uintptr_t)s * 0x9e3779b97f4a7c15ULL;

	return (size_t)(k >> 32) & (size - 1);
}

enum {
	STR_RUNTIME = 1,  /* is_runtime_fn */
	STR_PPROF = 2,    /* serves a /debug/pprof request */
	STR_PLUMBING = 4, /* frame_is_plumbing */
};

/* The content hash of an interned string and what it is as a function
 * name, computed once per distinct string of a snapshot. */
static struct str_hash
str_info(struct builder *b, const char *s)
{
	if ((b->sh_n + 1) * 2 > b->sh_size) {
		size_t n = b->sh_size ? b->sh_size * 2 : 1024;
		struct str_hash *t = xcalloc(n, sizeof(*t));
		for (size_t i = 0; i < b->sh_size; i++) {
			if (b->sh[i].s == NULL)
				continue;
			size_t j = ptr_slot(b->sh[i].s, n);
			while (t[j].s != NULL)
				j = (j + 1) & (n - 1);
			t[j] = b->sh[i];
		}
		free(b->sh);
		b->sh = t;
		b->sh_size = n;
	}
	/* a stack repeats its frames (recursion) and alternates function and
	 * file: the last two strings answer most lookups */
	if (b->memo[0].s == s)
		return b->memo[0];
	if (b->memo[1].s == s)
		return b->memo[1];
	b->memo[1] = b->memo[0];
	size_t j = ptr_slot(s, b->sh_size);
	while (b->sh[j].s != NULL) {
		if (b->sh[j].s == s)
			return b->memo[0] = b->sh[j];
		j = (j + 1) & (b->sh_size - 1);
	}
	b->sh[j].s = s;
	b->sh[j].h = hash_str(s);
	b->sh[j].flags = (is_runtime_fn(s) ? STR_RUNTIME : 0u) |
	                 (strncmp(s, "net/http/pprof.", 15) == 0 ||
	                          strcmp(s, "runtime/pprof.writeGoroutine") == 0
	                      ? STR_PPROF
	                      : 0u) |
	                 (frame_is_plumbing(s) ? STR_PLUMBING : 0u);
	b->sh_n++;
	return b->memo[0] = b->sh[j];
}

/* whether frame k of the table has STR_ flag */
static bool
frame_is(const struct builder *b, uint32_t k, unsigned flag)
{
	return (b->fi[k].flags & flag) != 0;
}

static uint32_t
pick_label_frame(const struct builder *b, const uint32_t *f, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (!frame_is(b, f[i], STR_PLUMBING))
			return i;
	/* all standard library: the entry function, the outermost frame
	 * outside the runtime (net/http.(*persistConn).readLoop, not the
	 * net.(*netFD).Read it waits in) */
	for (uint32_t i = n; i-- > 0;)
		if (!frame_is(b, f[i], STR_RUNTIME))
			return i;
	return 0;
}

/* Stable across runs and machines: combines the content hashes of function
 * and file and the line number as a value (not its in-memory bytes).
 * *fn_flags: the STR_ flags of the stack's functions, or'ed. */
static uint64_t
stack_hash(const struct builder *b, const uint32_t *f, size_t n, unsigned *fn_flags)
{
	uint64_t h = HASH_SEED;

	*fn_flags = 0;
	for (size_t i = 0; i < n; i++) {
		const struct frame_info *fi = &b->fi[f[i]];
		*fn_flags |= fi->flags;
		h = hash_mix(h ^ fi->fn_h);
		h = hash_mix(h ^ fi->file_h);
		h = hash_mix(h ^ (uint64_t)b->ft.v[f[i]].line);
	}
	/* never 0: 0 marks an empty slot */
	return h ? h : 1;
}

void
builder_reserve(struct builder *b, size_t n)
{
	if (n <= b->cap_groups || n > UINT32_MAX)
		return;
	b->cap_groups = n;
	b->groups = xreallocarray(b->groups, b->cap_groups, sizeof(*b->groups));
	b->ids = xreallocarray(b->ids, b->cap_groups, sizeof(*b->ids));
}

struct group *
builder_commit(struct builder *b, const int64_t *values, const char *labels, size_t labelslen)
{
	struct snapshot *s = b->snap;
	uint32_t *f = b->pending;
	size_t n = b->npending;

	/* drop runtime.goexit wherever it is (it is the root when present);
	 * every pending function is interned in the snapshot's arena */
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (b->ft.v[f[i]].function != b->goexit)
			f[w++] = f[i];
	n = w;
	size_t hidden = 0;
	if (b->trim_runtime) {
		while (hidden < n && frame_is(b, f[hidden], STR_RUNTIME))
			hidden++;
		if (hidden == n)
			hidden = 0;
		if (hidden > 0) { /* f is NULL for an empty stack: no offset on it */
			f += hidden;
			n -= hidden;
		}
	}

	unsigned fn_flags;
	uint64_t id = stack_hash(b, f, n, &fn_flags);
	idtab_reserve(&b->tab, &b->tab_size, b->ids, sizeof(*b->ids), b->ngroups, b->ngroups + 1,
	              1024);
	struct group *g = NULL;
	for (size_t c;
	     (c = idtab_find(b->tab, b->tab_size, b->ids, sizeof(*b->ids), id)) != IDTAB_NONE;) {
		if (b->groups[c].nframes == n &&
		    (n == 0 || memcmp(b->groups[c].fidx, f, n * sizeof(*f)) == 0)) {
			g = &b->groups[c];
			break;
		}
		id++; /* 64-bit collision with different frames: probe a new id */
		if (id == 0)
			id = 1;
	}
	if (g == NULL) {
		if (b->ngroups == b->cap_groups) {
			b->cap_groups = b->cap_groups ? b->cap_groups * 2 : 256;
			b->groups = xreallocarray(b->groups, b->cap_groups, sizeof(*b->groups));
			b->ids = xreallocarray(b->ids, b->cap_groups, sizeof(*b->ids));
		}
		g = &b->groups[b->ngroups++];
		memset(g, 0, sizeof(*g));
		g->id = id;
		g->nframes = (uint32_t)n;
		/* the hidden runtime frames are kept before the group's own */
		uint32_t *idx =
		    arena_alloc_raw(&s->arena, (hidden + n ? hidden + n : 1) * sizeof(*idx));
		if (hidden + n > 0)
			memcpy(idx, b->pending, (hidden + n) * sizeof(*idx));
		g->fidx = idx + hidden; /* ftab: set by builder_finish */
		g->nhidden = (uint32_t)hidden;
		if (hidden == 0 && b->nhpcs > 0) {
			uint64_t *h = arena_alloc_raw(&s->arena, b->nhpcs * sizeof(*h));
			memcpy(h, b->hpcs, b->nhpcs * sizeof(*h));
			struct group_more *m = group_more_edit(&s->arena, g);
			m->hpcs = h;
			m->nhpcs = (uint32_t)b->nhpcs;
		}
		g->label_frame = pick_label_frame(b, f, (uint32_t)n);
		/* the goroutine (or allocation) of a /debug/pprof request being served */
		g->pprof_handler = (fn_flags & STR_PPROF) != 0;
		g->conn_reader = n > 0 && strcmp(b->ft.v[f[n - 1]].function,
		                                 "net/http.(*connReader).backgroundRead") == 0;
		b->ids[b->ngroups - 1] = id;
		idtab_put(b->tab, b->tab_size, b->ids, sizeof(*b->ids), b->ngroups - 1);
	}
	/* the table moves as it grows: builder_finish sets every group's */
	g->ftab = b->ft.v;
	for (int i = 0; i < s->nvalues; i++)
		g->values[i] = value_sat_add(g->values[i], values != NULL ? values[i] : 0);
	g->nsamples++;
	s->nsamples++;
	b->npending = 0;
	b->nhpcs = 0;

	if (labels != NULL && labelslen > 0) {
		const char *t = arena_intern(&s->arena, labels, labelslen);
		int64_t weight = values != NULL ? values[s->primary] : 1;
		struct labelset *ls = g->labels;
		int nls = 0;
		for (; ls != NULL; ls = ls->next, nls++)
			if (ls->text == t)
				break;
		if (ls == NULL && nls < MAX_LABELSETS) {
			ls = arena_alloc(&s->arena, sizeof(*ls));
			ls->text = t;
			ls->next = g->labels;
			g->labels = ls;
		}
		if (ls != NULL)
			ls->count = value_sat_add(
			    ls->count,
			    kind_info(s->kind)->goroutines || s->kind == PROF_CUSTOM ? weight : 1);
	}
	return g;
}

void
builder_note_goroutine(struct builder *b, struct group *g, int64_t goid, const char *state,
                       size_t statelen, int64_t wait_minutes, bool locked, bool leaked)
{
	struct snapshot *s = b->snap;
	const char *st = arena_intern(&s->arena, state, statelen);
	struct group_more *m = group_more_edit(&s->arena, g);
	struct gstate *gs = m->states;

	for (; gs != NULL; gs = gs->next)
		if (gs->state == st)
			break;
	if (gs == NULL) {
		gs = arena_alloc(&s->arena, sizeof(*gs));
		gs->state = st;
		gs->next = m->states;
		m->states = gs;
	}
	gs->count++;
	if (wait_minutes > m->max_wait_minutes)
		m->max_wait_minutes = wait_minutes;
	m->nlocked += locked;
	m->nleaked += leaked;
	s->ngoroutines++;
	if (b->ngoids == b->cap_goids) {
		b->cap_goids = b->cap_goids ? b->cap_goids * 2 : 1024;
		b->goids = xreallocarray(b->goids, b->cap_goids, sizeof(*b->goids));
	}
	b->goids[b->ngoids].group = (uint32_t)(g - b->groups);
	b->goids[b->ngoids].goid = goid;
	b->ngoids++;
}

void
builder_note_created_by(struct builder *b, struct group *g, const char *fn, size_t fnlen,
                        const char *file, size_t filelen, int64_t line)
{
	struct arena *a = &b->snap->arena;

	if (group_more(g)->created_by != NULL)
		return;
	struct frame *f = arena_alloc(a, sizeof(*f));
	char small[256];
	char *buf = fnlen + 5 <= sizeof(small) ? small : xmalloc(fnlen + 5);
	size_t n = fold_generics(fn, fnlen, buf);
	f->function = arena_intern(a, buf, n);
	if (buf != small)
		free(buf);
	f->file = arena_intern(a, file, filelen);
	f->line = line;
	group_more_edit(a, g)->created_by = f;
}

void
builder_add_memstat(struct builder *b, const char *name, size_t namelen, const char *text,
                    size_t textlen)
{
	struct arena *a = &b->snap->arena;

	if (b->nms == b->cap_ms) {
		b->cap_ms = b->cap_ms ? b->cap_ms * 2 : 32;
		b->ms = xreallocarray(b->ms, b->cap_ms, sizeof(*b->ms));
	}
	struct memstat *m = &b->ms[b->nms++];
	m->name = arena_intern(a, name, namelen);
	m->text = arena_strndup(a, text, textlen);
	char *end = NULL;
	m->value = 0;
	if (textlen > 0 && m->text[0] != '[') {
		double v = strtod(m->text, &end);
		if (end != m->text && *end == '\0')
			m->value = v;
	}
}

/* the order of a sealed snapshot's groups: larger value primary first,
 * then ascending id (sort_groups sorts by it) */
static int
cmp_groups(const struct group *a, const struct group *c, int primary)
{
	int64_t va = a->values[primary], vc = c->values[primary];

	if (va != vc)
		return va > vc ? -1 : 1;
	if (a->id != c->id)
		return a->id < c->id ? -1 : 1;
	return 0;
}

static int
cmp_goid_pairs(const void *pa, const void *pb)
{
	const struct goid_pair *a = pa, *c = pb;

	if (a->group != c->group)
		return a->group < c->group ? -1 : 1;
	if (a->goid != c->goid)
		return a->goid < c->goid ? -1 : 1;
	return 0;
}

static void
free_builder(struct builder *b)
{
	free(b->pending);
	free(b->tab);
	free(b->ids);
	free(b->goids);
	free(b->groups);
	free(b->ms);
	free(b->sh);
	free(b->fi);
	frametab_free(&b->ft);
	free(b);
}

/* A group's sort key: ascending (hi, lo) is cmp_groups' order (hi is the
 * primary value, flipped so that larger sorts first; lo the id). */
struct sort_key {
	uint64_t hi, lo;
	size_t i;
};

/* byte b (0 = lowest) of k's 128-bit key, lo's bytes below hi's */
static inline unsigned
key_byte(const struct sort_key *k, unsigned b)
{
	return (unsigned)((b < 8 ? k->lo >> (8 * b) : k->hi >> (8 * (b - 8))) & 0xff);
}

/* s's groups in cmp_groups' order: their keys radix-sorted (least
 * significant byte first, a byte all keys share skipped), then the
 * permutation applied in place, cycle by cycle (each group moved once). */
static void
sort_groups(struct snapshot *s)
{
	size_t n = s->ngroups;

	if (n < 2)
		return;
	struct sort_key *k = xreallocarray(NULL, n, sizeof(*k));
	struct sort_key *tmp = xreallocarray(NULL, n, sizeof(*tmp));
	for (size_t i = 0; i < n; i++) {
		const struct group *g = &s->groups[i];
		k[i].hi = ~((uint64_t)g->values[s->primary] ^ 0x8000000000000000ULL);
		k[i].lo = g->id;
		k[i].i = i;
	}
	for (unsigned b = 0; b < 16; b++) {
		size_t count[256] = { 0 };
		for (size_t i = 0; i < n; i++)
			count[key_byte(&k[i], b)]++;
		if (count[key_byte(&k[0], b)] == n)
			continue; /* every key has this byte: the pass changes nothing */
		size_t at = 0;
		for (unsigned v = 0; v < 256; v++) {
			size_t c = count[v];
			count[v] = at;
			at += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[key_byte(&k[i], b)]++] = k[i];
		struct sort_key *t = k;
		k = tmp;
		tmp = t;
	}
	free(tmp);
	/* position i takes the group at k[i].i; k[i].i = i marks it placed */
	for (size_t i = 0; i < n; i++) {
		if (k[i].i == i)
			continue;
		struct group held = s->groups[i];
		size_t j = i;
		while (k[j].i != i) {
			size_t from = k[j].i;
			s->groups[j] = s->groups[from];
			k[j].i = j;
			j = from;
		}
		s->groups[j] = held;
		k[j].i = j;
	}
	free(k);
}

/* The id index of snapshot_find, in the arena. */
static void
index_groups(struct snapshot *s)
{
	_Static_assert(offsetof(struct group, id) == 0, "idtab reads the id first");
	s->idtab_size = idtab_size(s->ngroups);
	s->idtab = arena_alloc(&s->arena, s->idtab_size * sizeof(*s->idtab));
	idtab_fill(s->idtab, s->idtab_size, s->groups, sizeof(*s->groups), s->ngroups);
}

void
snapshot_seal(struct snapshot *s)
{
	sort_groups(s);
	index_groups(s);
	memset(s->totals, 0, sizeof(s->totals));
	for (size_t i = 0; i < s->ngroups; i++)
		for (int v = 0; v < s->nvalues; v++)
			s->totals[v] = value_sat_add(s->totals[v], s->groups[i].values[v]);
}

struct snapshot *
builder_finish(struct builder *b)
{
	struct snapshot *s = b->snap;
	struct arena *a = &s->arena;

	/* the lookup tables go first: the peak is then the snapshot alone */
	free(b->tab);
	free(b->ids);
	free(b->sh);
	free(b->fi);
	free(b->pending);
	b->fi = NULL;
	b->tab = NULL;
	b->ids = NULL;
	b->sh = NULL;
	b->pending = NULL;
	/* the frames, once each, into the arena: every group indexes them */
	const struct frame *frames = frametab_take(&b->ft, a);
	for (size_t i = 0; i < b->ngroups; i++)
		b->groups[i].ftab = frames;
	frametab_free(&b->ft);
	/* goroutine ids: sort by (group, goid), hand each group its slice */
	if (b->ngoids > 0) {
		qsort(b->goids, b->ngoids, sizeof(*b->goids), cmp_goid_pairs);
		int64_t *ids = arena_alloc_raw(a, b->ngoids * sizeof(*ids));
		for (size_t i = 0; i < b->ngoids; i++) {
			struct group_more *m = group_more_edit(a, &b->groups[b->goids[i].group]);
			ids[i] = b->goids[i].goid;
			if (m->goids == NULL)
				m->goids = &ids[i];
			m->ngoids++;
		}
	}
	/* the builder's array, cut to fit, becomes the snapshot's (no copy) */
	s->ngroups = b->ngroups;
	s->groups = b->ngroups > 0 ? xreallocarray(b->groups, b->ngroups, sizeof(*s->groups))
	                           : arena_alloc(a, sizeof(*s->groups));
	s->groups_owned = b->ngroups > 0;
	b->groups = NULL;
	snapshot_seal(s);
	if (b->nms > 0) {
		s->memstats = arena_alloc_raw(a, b->nms * sizeof(*s->memstats));
		memcpy(s->memstats, b->ms, b->nms * sizeof(*s->memstats));
		s->nmemstats = b->nms;
	}
	free_builder(b);
	return s;
}

void
builder_abort(struct builder *b)
{
	if (b == NULL)
		return;
	snapshot_free(b->snap);
	free_builder(b);
}

void
snapshot_free(struct snapshot *s)
{
	if (s == NULL || --s->refs > 0)
		return;
	if (s->groups_owned)
		free(s->groups);
	arena_free(&s->arena);
	free(s);
}

struct snapshot *
snapshot_ref(struct snapshot *s)
{
	s->refs++;
	return s;
}

const struct group_more group_more_none;

struct group_more *
group_more_edit(struct arena *a, struct group *g)
{
	if (g->more == NULL)
		g->more = arena_alloc(a, sizeof(*g->more)); /* zeroed */
	return g->more;
}

const struct group *
snapshot_find(const struct snapshot *s, uint64_t id)
{
	size_t i = idtab_find(s->idtab, s->idtab_size, s->groups, sizeof(*s->groups), id);

	return i != IDTAB_NONE ? &s->groups[i] : NULL;
}

/* the same frames, from two snapshots (their strings are not shared) */
static bool
frames_same_text(const struct group *a, const struct group *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct frame *x = group_frame(a, (ptrdiff_t)i),
		                   *y = group_frame(c, (ptrdiff_t)i);
		if (x->line != y->line || strcmp(x->function, y->function) != 0 ||
		    strcmp(x->file, y->file) != 0)
			return false;
	}
	return true;
}

const struct group *
snapshot_find_stack(const struct snapshot *s, const struct group *g)
{
	const struct group *m = snapshot_find(s, g->id);

	if (m != NULL)
		return m;
	uint32_t n = g->nframes;
	if (n < 2 || s->groups == NULL ||
	    strcmp(group_frame(g, n - 1)->function, "runtime.main") != 0)
		return NULL;
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct group *c = &s->groups[i];
		if (c->nframes == n - 1 && frames_same_text(c, g, n - 1))
			return c;
	}
	return NULL;
}

static bool
is_goroutine_kind(enum prof_kind k)
{
	return k == PROF_GOROUTINE || k == PROF_GOROUTINELEAK;
}

void
snapshot_hide_self(struct snapshot *s)
{
	size_t keep = 0, reader = SIZE_MAX, removed = 0;

	for (size_t i = 0; i < s->ngroups; i++) {
		struct group *g = &s->groups[i];
		if (!g->pprof_handler) {
			s->groups[keep++] = *g;
			continue;
		}
		removed++;
		s->self_groups++;
		for (int v = 0; v < s->nvalues; v++) {
			s->self_values[v] = value_sat_add(s->self_values[v], g->values[v]);
			s->totals[v] = value_sat_add(s->totals[v], -g->values[v]);
		}
	}
	if (removed == 0)
		return; /* none (or hidden already) */
	s->ngroups = keep;
	/* the request's own connection: one goroutine of net/http's
	 * background reader. The server starts it right before the handler,
	 * so it may not have run yet: then its stack is runtime.goexit alone
	 * (no frames once trimmed), and that group is taken first; else the
	 * reader blocked in Read. Not in a dump, whose goroutine ids can't
	 * tell which one is ours. */
	if (is_goroutine_kind(s->kind) && s->format != FMT_DUMP) {
		for (size_t i = 0; i < s->ngroups; i++) {
			const struct group *g = &s->groups[i];
			if (g->values[0] <= 0 || g->labels != NULL)
				continue;
			if (g->nframes == 0) {
				reader = i;
				break;
			}
			if (g->conn_reader &&
			    (reader == SIZE_MAX || g->nframes > s->groups[reader].nframes))
				reader = i;
		}
	}
	if (reader != SIZE_MAX) {
		struct group *g = &s->groups[reader];
		g->values[0]--;
		s->totals[0]--;
		s->self_values[0]++;
		if (g->values[0] == 0) {
			s->self_groups++;
			memmove(g, g + 1, (s->ngroups - reader - 1) * sizeof(*g));
			s->ngroups--;
		} else {
			/* it may sort lower now: move it down to its place */
			while (reader + 1 < s->ngroups && cmp_groups(g, g + 1, s->primary) > 0) {
				struct group t = g[0];
				g[0] = g[1];
				g[1] = t;
				g++;
				reader++;
			}
		}
	}
	index_groups(s);
}

size_t
snapshot_text_size(const struct snapshot *s)
{
	/* "N @ 0x... 0x...\n", then "#\t0xADDR\tfunction+0xOFF\tfile:line\n"
	 * per frame (tabwriter pads the columns a little more) */
	size_t n = 40;

	for (size_t i = 0; i < s->ngroups; i++) {
		const struct group *g = &s->groups[i];
		n += 16 + (size_t)g->nframes * 13;
		for (uint32_t f = 0; f < g->nframes; f++)
			n += 32 + strlen(group_frame(g, f)->function) +
			     strlen(group_frame(g, f)->file);
		if (g->labels != NULL)
			n += 12 + strlen(g->labels->text);
	}
	return n;
}

bool
snapshot_memstat(const struct snapshot *s, const char *name, double *out)
{
	for (size_t i = 0; i < s->nmemstats; i++) {
		if (strcmp(s->memstats[i].name, name) == 0) {
			*out = s->memstats[i].value;
			return true;
		}
	}
	return false;
}

int
snapshot_value_index(const struct snapshot *s, const char *key)
{
	for (int i = 0; i < s->nvalues; i++)
		if (strcmp(s->vt[i].key, key) == 0)
			return i;
	return -1;
}
