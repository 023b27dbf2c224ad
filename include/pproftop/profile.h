/* profile.h - the snapshot model: one parsed profile, grouped by stack.
 *
 * A snapshot is immutable once built and owns everything it points to (one
 * arena plus a few arrays: the groups are the builder's own array, cut to
 * fit); snapshot_free() releases all of it. Parsers build
 * snapshots through the builder below, which is where frames are normalized
 * and stacks are grouped, so every format (protobuf, debug=1 text, debug=2
 * dump) yields the same group ids for the same stack.
 */
#ifndef PPROFTOP_PROFILE_H
#define PPROFTOP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pproftop/arena.h"

#define PROF_MAX_VALUES 4

enum prof_kind {
	PROF_GOROUTINE,
	PROF_GOROUTINELEAK,
	PROF_HEAP,
	PROF_ALLOCS,
	PROF_BLOCK,
	PROF_MUTEX,
	PROF_THREADCREATE,
	PROF_CPU,
	PROF_CUSTOM,
};

enum prof_format {
	FMT_PROTO, /* gzipped (or raw) profile.proto, debug=0 */
	FMT_TEXT,  /* legacy debug=1 text */
	FMT_DUMP,  /* goroutine?debug=2 full dump */
};

/* What one value column means. cumulative: a counter since process start
 * (differenced as a rate); otherwise a gauge (differenced as a level). */
struct value_type {
	const char *key;  /* JSON key: "count", "inuse_bytes", "delay_ns", ... */
	const char *unit; /* "count", "bytes", "objects", "nanoseconds" */
	bool cumulative;
};

struct frame {
	const char *function; /* interned, normalized ("pkg.F[...]") */
	const char *file;     /* interned; "" when unknown */
	int64_t line;
};

/* A distinct label set seen on a group, e.g. {"component":"leaker"}, and how
 * many samples (goroutines) carried it. */
struct labelset {
	const char *text; /* interned canonical form: {"k":"v", "k2":"v2"} */
	int64_t count;
	struct labelset *next;
};

/* debug=2 only: goroutine states within a group. */
struct gstate {
	const char *state; /* interned: "chan receive", "sync.Mutex.Lock", ... */
	int64_t count;
	struct gstate *next;
};

/* What a group has only in some inputs, held apart so that the groups of
 * every other profile (20,000 of them, three snapshots of each) stay small.
 * Read it with group_more(), which is never NULL. */
struct group_more {
	/* debug=1 goroutine text: the PCs of the leaf-side runtime frames it
	 * does not print, leaf first (symtab.h names them); NULL otherwise */
	const uint64_t *hpcs;
	uint32_t nhpcs; /* the number of hpcs */
	/* debug=2 attributes (zero otherwise) */
	struct gstate *states;
	int64_t max_wait_minutes;
	int64_t nlocked;                /* goroutines locked to their thread */
	int64_t nleaked;                /* goroutines marked (leaked), Go 1.26+ */
	const struct frame *created_by; /* NULL when absent */
	const int64_t *goids;           /* goroutine ids, ascending */
	size_t ngoids;
	/* a merged snapshot's group (merge.h): its values[primary] on each
	 * of the snapshot's ntargets targets, 0 where absent; NULL otherwise */
	const int64_t *by_target;
};

struct group {
	uint64_t id;          /* stable hash of the normalized frames */
	uint32_t nframes;     /* may be 0 (threadcreate records without a stack) */
	uint32_t label_frame; /* the first non-plumbing frame; else the outermost */
	/* the frames, leaf first, as indices into ftab: each distinct frame
	 * is held once per snapshot (frametab.h); read them with group_frame() */
	const uint32_t *fidx;
	const struct frame *ftab;
	/* leaf-side runtime frames left out of frames (and of the id) in
	 * goroutine, heap and custom profiles: fidx[-nhidden..-1], when
	 * the input had them (protobuf, dump; the debug=1 text omits them) */
	uint32_t nhidden;
	bool pprof_handler; /* the stack serves a /debug/pprof request (our own poll) */
	bool conn_reader;   /* net/http's background reader of a connection */
	bool elided;        /* debug=2: "...N frames elided..." or truncated stack */
	int64_t values[PROF_MAX_VALUES];
	int64_t nsamples;        /* records/samples/goroutines merged into this group */
	struct labelset *labels; /* NULL when no sample had labels */
	struct group_more *more; /* NULL when it has none: read group_more() */
};

extern const struct group_more group_more_none;

/* group_more: g's dump, hidden-PC and per-target attributes; all zero (a
 * static) when it has none. Owned by g's snapshot. */
static inline const struct group_more *
group_more(const struct group *g)
{
	return g->more != NULL ? g->more : &group_more_none;
}

/* group_more_edit: g's attributes to fill in, made (zeroed, in a, the
 * arena of g's snapshot) the first time. For builders and merges. */
struct group_more *group_more_edit(struct arena *a, struct group *g);

/* group_frame: frame i of g, leaf first (0 <= i < nframes), or one of its
 * hidden runtime frames (-nhidden <= i < 0). Owned by g's snapshot. */
static inline const struct frame *
group_frame(const struct group *g, ptrdiff_t i)
{
	return &g->ftab[g->fidx[i]];
}

/* One "# Name = value" line of the heap debug=1 MemStats trailer. */
struct memstat {
	const char *name;
	const char *text; /* value as printed: "123", "[1 2 3]", "5.1e-05", "true" */
	double value;     /* numeric value when text is a scalar number, else 0 */
};

/* How the values of a mutex debug=1 text relate to its "sampling period"
 * (Go <= 1.19 writes them unscaled, Go >= 1.20 already multiplied by it;
 * parse_text decides, snapshot_scaling_name names it). */
enum scaling {
	SCALING_NA,         /* not a mutex text, a period <= 1, or no record */
	SCALING_MULTIPLIED, /* unscaled (a value not a multiple of the period,
	                     * or a Go <= 1.19 GOROOT in a frame): multiplied */
	SCALING_SCALED,     /* a Go >= 1.20 GOROOT in a frame: kept as written */
	SCALING_ASSUMED,    /* every value a multiple of the period and no Go
	                     * version in the frames: assumed scaled, kept */
	SCALING_FLAG_YES,   /* --mutex-scaled yes: kept as written */
	SCALING_FLAG_NO,    /* --mutex-scaled no: multiplied */
};

/* snapshot_scaling_name: the JSON token of a scaling ("multiplied",
 * "scaled", "assumed", "flag-yes", "flag-no"; "" for SCALING_NA). Static. */
const char *snapshot_scaling_name(enum scaling sc);

struct snapshot {
	struct arena arena;
	int refs;         /* snapshot_ref/snapshot_free; 1 when built */
	const char *name; /* endpoint name: "goroutine", "heap", "cpu", custom ... */
	enum prof_kind kind;
	enum prof_format format;
	int nvalues;
	struct value_type vt[PROF_MAX_VALUES];
	int primary; /* index of the default value (sorting, totals shown first) */
	const char *period_type;
	const char *period_unit;
	int64_t period;
	int64_t time_ns;      /* 0 when unknown */
	int64_t duration_ns;  /* CPU and ?seconds= delta profiles */
	bool delta;           /* a server-side ?seconds=N delta profile */
	struct group *groups; /* sorted by values[primary] descending, then id */
	size_t ngroups;
	bool groups_owned; /* groups is its own heap block (else in the arena) */
	uint32_t *idtab;   /* id -> group index + 1, open addressing (snapshot_find) */
	size_t idtab_size;
	int64_t totals[PROF_MAX_VALUES];
	int64_t nsamples;
	struct memstat *memstats; /* heap/allocs debug=1 only */
	size_t nmemstats;
	/* text headers */
	int64_t header_total;     /* "total N" of count profiles, -1 if none */
	double cycles_per_second; /* block/mutex debug=1, 0 otherwise */
	int64_t sampling_period;  /* mutex debug=1 "sampling period", -1 if none */
	int64_t heap_rate;        /* heap debug=1: MemProfileRate (R/2), -1 if none */
	bool profiling_disabled;  /* mutex "sampling period=0", or empty block */
	enum scaling scaling;     /* mutex debug=1: how the period was applied */
	/* pproftop's own footprint, taken out by snapshot_hide_self: the
	 * groups serving /debug/pprof requests (and, for goroutines, the
	 * background reader of the request's connection) */
	size_t self_groups;                   /* groups removed */
	int64_t self_values[PROF_MAX_VALUES]; /* their values, also out of totals */
	/* merged snapshots (merge.h): how many targets were merged, and
	 * which of them had this profile (present[i]); 0 and NULL otherwise */
	size_t ntargets;
	const bool *present;
	/* dump */
	bool truncated;      /* the dump (or text) was cut off at the server's cap */
	int64_t ngoroutines; /* goroutines in a dump */
};

/* snapshot_scaling_note: one line for the user when s's mutex numbers rest
 * on an assumption or on --mutex-scaled (SCALING_ASSUMED, SCALING_FLAG_*),
 * else NULL. Static. */
const char *snapshot_scaling_note(const struct snapshot *s);

/* snapshot_kind_from_name: the kind for an endpoint name ("goroutine",
 * "heap", "cpu"/"profile", ...); unknown names are PROF_CUSTOM. */
enum prof_kind snapshot_kind_from_name(const char *name);

/* snapshot_free: drops one reference; the last one releases s and
 * everything it owns. NULL is fine. */
void snapshot_free(struct snapshot *s);

/* snapshot_ref: takes another reference (snapshots are immutable, so a
 * paused view can share them with the live model); returns s. */
struct snapshot *snapshot_ref(struct snapshot *s);

/* snapshot_seal: the last step of building s in its arena (the builder's,
 * merge.c's): sorts groups[0..ngroups) by values[primary] descending, then
 * id, builds the id index in the arena and sets totals to the groups' sums.
 * s must not have been shown to anyone yet. */
void snapshot_seal(struct snapshot *s);

/* snapshot_find: the group with this id (the first one), or NULL; O(1). */
const struct group *snapshot_find(const struct snapshot *s, uint64_t id);

/* snapshot_find_stack: the group of s with the stack of g, a group of
 * another snapshot (perhaps of another form of the same profile): the one
 * with g's id, else the one whose frames are g's without its root
 * runtime.main (goroutine?debug=2 tracebacks leave runtime.main out of the
 * main goroutine's stack; the profile forms keep it), or NULL. O(1) when
 * the ids agree, else one pass over s's groups. */
const struct group *snapshot_find_stack(const struct snapshot *s, const struct group *g);

/* snapshot_hide_self: takes pproftop's own footprint out of s, which must not
 * have been shown to anyone yet (it changes in place; a second call is a
 * no-op): every group whose stack serves a
 * /debug/pprof request (the goroutine producing the profile, what the
 * handler allocated or waited on) is removed, and so, in goroutine
 * profiles in which a handler was found, is one goroutine of net/http's
 * background reader (the connection the request came on). Totals drop by
 * what was removed; self_groups and self_values say how much. Sorting and
 * the id index stay valid. */
void snapshot_hide_self(struct snapshot *s);

/* snapshot_text_size: about how many bytes s would take as debug=1 text
 * (one record line per group, one line per frame), to choose between the
 * text and the protobuf form without fetching both. */
size_t snapshot_text_size(const struct snapshot *s);

/* snapshot_memstat: a MemStats value by name; false when absent. */
bool snapshot_memstat(const struct snapshot *s, const char *name, double *out);

/* snapshot_value_index: index of value key in s->vt, or -1. */
int snapshot_value_index(const struct snapshot *s, const char *key);

/* value_sat_add: a + b, saturating at INT64_MAX and INT64_MIN instead of
 * overflowing (hostile input can hold huge values); sums of values use it. */
int64_t value_sat_add(int64_t a, int64_t b);

/* frame_is_plumbing: true for Go runtime and standard-library frames that
 * should not label a row (runtime.gopark, sync.(*Mutex).Lock, ...). */
bool frame_is_plumbing(const char *function);

/* ---- builder, used by the parsers ---- */

struct builder;

/* builder_new: starts a snapshot of the given kind and format. The value
 * types are set from the kind (see profile.c); a parser may override
 * b->snap fields (period, time, headers) directly. */
struct builder *builder_new(const char *name, enum prof_kind kind, enum prof_format format);

/* builder_snap: the snapshot under construction (for header fields). */
struct snapshot *builder_snap(struct builder *b);

/* builder_set_kind: change kind (and value types) before any commit. */
void builder_set_kind(struct builder *b, enum prof_kind kind);

/* builder_frame: append one frame, leaf first, to the stack being built.
 * Strings are copied (interned); they need not be NUL-terminated. */
void builder_frame(struct builder *b, const char *fn, size_t fnlen, const char *file,
                   size_t filelen, int64_t line);

/* builder_intern_names: the normalized, interned forms of a function name
 * and file, for builder_frame_interned; a parser whose input already names
 * each function once (the protobuf) interns it once instead of per sample.
 * The pointers live as long as the snapshot. */
void builder_intern_names(struct builder *b, const char *fn, size_t fnlen, const char *file,
                          size_t filelen, const char **fn_out, const char **file_out);

/* builder_frame_interned: builder_frame with names from builder_intern_names. */
void builder_frame_interned(struct builder *b, const char *fn, const char *file, int64_t line);

/* builder_frame_key: the frame (names from builder_intern_names) interned
 * in b, as a key that stays valid for b's life, without appending it;
 * builder_frame_key_add appends the frame of a key. Together they are
 * builder_frame_interned, for a parser that meets the same frame often
 * (a protobuf's locations) and keeps the key. */
uint32_t builder_frame_key(struct builder *b, const char *fn, const char *file, int64_t line);
void builder_frame_key_add(struct builder *b, uint32_t key);

/* builder_clear_frames: drop the frames appended since the last commit. */
void builder_clear_frames(struct builder *b);

/* builder_hidden_pcs: the pending stack's leaf-side PCs that have no frame
 * (the debug=1 text's hidden runtime frames), leaf first; at most
 * BUILDER_HPCS_MAX kept. Kept by the group the next commit creates. */
#define BUILDER_HPCS_MAX 16
void builder_hidden_pcs(struct builder *b, const uint64_t *pcs, size_t n);

/* builder_reserve: room for n groups in all, so that a parser that knows
 * how many stacks may come (a protobuf's samples) grows the array once;
 * builder_finish cuts it to the groups made. */
void builder_reserve(struct builder *b, size_t n);

/* builder_commit: normalizes the pending frames, finds or creates their
 * group and adds values[0..nvalues) to it; labels (may be NULL) is the
 * canonical label text. Returns the group, valid (its frames too) until
 * the next commit or finish; only after finish do all groups' frames read. */
struct group *builder_commit(struct builder *b, const int64_t *values, const char *labels,
                             size_t labelslen);

/* dump attributes of the group returned by the last commit */
void builder_note_goroutine(struct builder *b, struct group *g, int64_t goid, const char *state,
                            size_t statelen, int64_t wait_minutes, bool locked, bool leaked);
void builder_note_created_by(struct builder *b, struct group *g, const char *fn, size_t fnlen,
                             const char *file, size_t filelen, int64_t line);

/* builder_add_memstat: append a MemStats line (strings copied). */
void builder_add_memstat(struct builder *b, const char *name, size_t namelen, const char *text,
                         size_t textlen);

/* builder_finish: sorts groups, computes totals and label frames, frees the
 * builder and returns the snapshot (caller frees with snapshot_free). */
struct snapshot *builder_finish(struct builder *b);

/* builder_abort: frees the builder and its partial snapshot. */
void builder_abort(struct builder *b);

#endif
