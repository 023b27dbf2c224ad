/* test_profile.c - the builder's normalization and grouping (src/profile.c)
 * with synthetic stacks, and the snapshot helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/profile.h"

#define MAIN_GO "/home/gopher/demo/main.go"
#define PROC_GO "/usr/local/go/src/runtime/proc.go"

struct sf {
	const char *fn, *file;
	int64_t line;
};

/* push: frames leaf first. */
static void
push(struct builder *b, const struct sf *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		builder_frame(b, f[i].fn, strlen(f[i].fn), f[i].file, strlen(f[i].file), f[i].line);
}

/* commit1: pushes the frames and commits one value (the rest zero). */
static struct group *
commit1(struct builder *b, const struct sf *f, size_t n, int64_t v, const char *labels)
{
	int64_t vals[PROF_MAX_VALUES] = { v, v, v, v };

	push(b, f, n);
	return builder_commit(b, vals, labels, labels ? strlen(labels) : 0);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* id_of: the id of a single stack in a fresh snapshot of kind k. */
static uint64_t
id_of(enum prof_kind k, const struct sf *f, size_t n, uint32_t *nframes)
{
	struct builder *b = builder_new("x", k, FMT_PROTO);
	commit1(b, f, n, 1, NULL);
	struct snapshot *s = builder_finish(b);
	assert_int_equal(s->ngroups, 1);
	uint64_t id = s->groups[0].id;
	if (nframes)
		*nframes = s->groups[0].nframes;
	snapshot_free(s);
	return id;
}

static void
test_goexit_dropped(void **state)
{
	(void)state;
	const struct sf with[] = {
		{ "main.worker", MAIN_GO, 42 },
		{ "main.main", MAIN_GO, 17 },
		{ "runtime.goexit", "/usr/local/go/src/runtime/asm_amd64.s", 1650 },
	};
	uint32_t n1, n2;

	assert_int_equal(id_of(PROF_GOROUTINE, with, 3, &n1), id_of(PROF_GOROUTINE, with, 2, &n2));
	assert_int_equal(n1, 2);
	assert_int_equal(n2, 2);
	/* block keeps runtime frames but still drops goexit */
	assert_int_equal(id_of(PROF_BLOCK, with, 3, &n1), id_of(PROF_BLOCK, with, 2, NULL));
	assert_int_equal(n1, 2);

	/* a stack of only goexit is empty */
	struct builder *b = builder_new("goroutine", PROF_GOROUTINE, FMT_PROTO);
	commit1(b, with + 2, 1, 1, NULL);
	struct snapshot *s = builder_finish(b);
	assert_int_equal(s->groups[0].nframes, 0);
	assert_int_equal(s->groups[0].label_frame, 0);
	snapshot_free(s);
}

static void
test_generics_folded(void **state)
{
	(void)state;
	const struct sf shape[] = { { "main.waitGeneric[go.shape.string]", MAIN_GO, 137 } };
	const struct sf dots[] = { { "main.waitGeneric[...]", MAIN_GO, 137 } };
	const struct sf nested[] = {
		{ "main.waitGeneric[go.shape.struct { a []int; b map[string]int }]", MAIN_GO, 137 }
	};
	const struct sf other[] = { { "main.waitGeneric", MAIN_GO, 137 } };

	uint64_t a = id_of(PROF_GOROUTINE, shape, 1, NULL);
	assert_int_equal(a, id_of(PROF_GOROUTINE, dots, 1, NULL));
	assert_int_equal(a, id_of(PROF_GOROUTINE, nested, 1, NULL));
	assert_int_not_equal(a, id_of(PROF_GOROUTINE, other, 1, NULL));

	struct builder *b = builder_new("goroutine", PROF_GOROUTINE, FMT_PROTO);
	const struct sf many[] = {
		{ "main.(*List[go.shape.int]).Push[go.shape.string]", MAIN_GO, 1 },
		{ "pkg.F[a, b[c]].func1", MAIN_GO, 2 },
		{ "pkg.Unbalanced[go.shape.int", MAIN_GO, 3 },
	};
	struct group *g = commit1(b, many, 3, 1, NULL);
	assert_string_equal(group_frame(g, 0)->function, "main.(*List[...]).Push[...]");
	assert_string_equal(group_frame(g, 1)->function, "pkg.F[...].func1");
	assert_string_equal(group_frame(g, 2)->function, "pkg.Unbalanced[go.shape.int");
	/* long names are folded too (heap buffer path) */
	char longfn[600];
	memset(longfn, 'a', sizeof(longfn));
	memcpy(longfn, "pkg.", 4);
	memcpy(longfn + 500, "[go.shape.x]", 12);
	builder_frame(b, longfn, 512, MAIN_GO, strlen(MAIN_GO), 9);
	g = builder_commit(b, (const int64_t[]){ 1 }, NULL, 0);
	assert_int_equal(strlen(group_frame(g, 0)->function), 505);
	assert_memory_equal(group_frame(g, 0)->function + 500, "[...]", 6);
	/* created_by is folded as well */
	builder_note_created_by(b, g, "main.spawn[go.shape.int]", 24, MAIN_GO, strlen(MAIN_GO), 12);
	builder_note_created_by(b, g, "main.other", 10, MAIN_GO, strlen(MAIN_GO), 13);
	assert_string_equal(group_more(g)->created_by->function, "main.spawn[...]");
	assert_int_equal(group_more(g)->created_by->line, 12);
	snapshot_free(builder_finish(b));
}

static const struct sf parked[] = {
	{ "runtime.gopark", PROC_GO, 398 },
	{ "runtime.chanrecv", "/usr/local/go/src/runtime/chan.go", 583 },
	{ "internal/runtime/atomic.Load", "/usr/local/go/src/internal/runtime/atomic/a.go", 5 },
	{ "main.worker", MAIN_GO, 42 },
	{ "runtime.main", PROC_GO, 250 },
};

static void
test_runtime_trim(void **state)
{
	(void)state;
	static const enum prof_kind trimmed[] = { PROF_GOROUTINE, PROF_GOROUTINELEAK, PROF_HEAP,
		                                  PROF_ALLOCS,    PROF_THREADCREATE,  PROF_CUSTOM };
	static const enum prof_kind kept[] = { PROF_BLOCK, PROF_MUTEX, PROF_CPU };

	for (size_t k = 0; k < N(trimmed); k++) {
		struct builder *b = builder_new("x", trimmed[k], FMT_PROTO);
		struct group *g = commit1(b, parked, N(parked), 1, NULL);
		/* only the leading runtime frames go; runtime.main at the root stays */
		assert_int_equal(g->nframes, 2);
		assert_string_equal(group_frame(g, 0)->function, "main.worker");
		assert_string_equal(group_frame(g, 1)->function, "runtime.main");
		/* all runtime: kept whole */
		g = commit1(b, parked, 3, 1, NULL);
		assert_int_equal(g->nframes, 3);
		assert_string_equal(group_frame(g, 0)->function, "runtime.gopark");
		snapshot_free(builder_finish(b));
	}
	for (size_t k = 0; k < N(kept); k++) {
		struct builder *b = builder_new("x", kept[k], FMT_PROTO);
		struct group *g = commit1(b, parked, N(parked), 1, NULL);
		assert_int_equal(g->nframes, 5);
		assert_string_equal(group_frame(g, 0)->function, "runtime.gopark");
		snapshot_free(builder_finish(b));
	}
	/* the trimmed stack has the id of the stack without those frames */
	assert_int_equal(id_of(PROF_GOROUTINE, parked, N(parked), NULL),
	                 id_of(PROF_GOROUTINE, parked + 3, 2, NULL));
	assert_int_not_equal(id_of(PROF_BLOCK, parked, N(parked), NULL),
	                     id_of(PROF_BLOCK, parked + 3, 2, NULL));
	/* runtime/pprof is not runtime.: not trimmed */
	const struct sf pp[] = { { "runtime/pprof.Do", "/x/runtime.go", 40 },
		                 { "main.f", MAIN_GO, 1 } };
	uint32_t n;
	id_of(PROF_GOROUTINE, pp, 2, &n);
	assert_int_equal(n, 2);

	/* builder_set_kind switches the trimming too */
	struct builder *b = builder_new("x", PROF_GOROUTINE, FMT_PROTO);
	builder_set_kind(b, PROF_MUTEX);
	struct group *g = commit1(b, parked, N(parked), 1, NULL);
	assert_int_equal(g->nframes, 5);
	struct snapshot *s = builder_finish(b);
	assert_int_equal(s->kind, PROF_MUTEX);
	assert_int_equal(s->nvalues, 2);
	assert_string_equal(s->vt[1].key, "delay_ns");
	snapshot_free(s);
}

static void
test_same_stack_sums(void **state)
{
	(void)state;
	const struct sf st[] = { { "main.a", MAIN_GO, 1 }, { "main.b", MAIN_GO, 2 } };
	struct builder *b = builder_new("heap", PROF_HEAP, FMT_TEXT);
	int64_t v1[4] = { 100, 2, 1000, 20 }, v2[4] = { 50, 1, 500, 10 };

	push(b, st, 2);
	struct group *g1 = builder_commit(b, v1, NULL, 0);
	uint64_t id = g1->id;
	push(b, st, 2);
	struct group *g2 = builder_commit(b, v2, NULL, 0);
	assert_ptr_equal(g1, g2);
	/* NULL values count a sample without adding */
	push(b, st, 2);
	builder_commit(b, NULL, NULL, 0);
	struct snapshot *s = builder_finish(b);
	assert_int_equal(s->ngroups, 1);
	assert_int_equal(s->groups[0].id, id);
	assert_int_equal(s->groups[0].values[0], 150);
	assert_int_equal(s->groups[0].values[1], 3);
	assert_int_equal(s->groups[0].values[2], 1500);
	assert_int_equal(s->groups[0].values[3], 30);
	assert_int_equal(s->groups[0].nsamples, 3);
	assert_int_equal(s->nsamples, 3);
	assert_int_equal(s->totals[0], 150);
	assert_int_equal(s->totals[3], 30);
	assert_int_equal(s->format, FMT_TEXT);
	assert_string_equal(s->name, "heap");
	assert_int_equal(s->primary, 0);
	assert_int_equal(s->header_total, -1);
	assert_int_equal(s->sampling_period, -1);
	assert_int_equal(s->heap_rate, -1);
	snapshot_free(s);
}

static void
test_lines_and_files_distinguish(void **state)
{
	(void)state;
	const struct sf a[] = { { "main.a", MAIN_GO, 1 }, { "main.b", MAIN_GO, 2 } };
	const struct sf b2[] = { { "main.a", MAIN_GO, 1 }, { "main.b", MAIN_GO, 3 } };
	const struct sf c[] = { { "main.a", "/other/main.go", 1 }, { "main.b", MAIN_GO, 2 } };
	const struct sf d[] = { { "main.a", MAIN_GO, 1 } };
	struct builder *b = builder_new("goroutine", PROF_GOROUTINE, FMT_PROTO);

	commit1(b, a, 2, 5, NULL);
	commit1(b, b2, 2, 3, NULL);
	commit1(b, c, 2, 2, NULL);
	commit1(b, d, 1, 1, NULL);
	commit1(b, a, 2, 5, NULL);
	struct snapshot *s = builder_finish(b);
	assert_int_equal(s->ngroups, 4);
	/* sorted by the primary value, descending */
	assert_int_equal(s->groups[0].values[0], 10);
	assert_int_equal(group_frame(&s->groups[0], 1)->line, 2);
	assert_int_equal(s->groups[1].values[0], 3);
	assert_int_equal(group_frame(&s->groups[1], 1)->line, 3);
	assert_int_equal(s->groups[2].values[0], 2);
	assert_string_equal(group_frame(&s->groups[2], 0)->file, "/other/main.go");
	assert_int_equal(s->groups[3].nframes, 1);
	for (size_t i = 0; i < 4; i++)
		for (size_t j = i + 1; j < 4; j++)
			assert_int_not_equal(s->groups[i].id, s->groups[j].id);
	assert_int_equal(s->totals[0], 16);
	assert_ptr_equal(snapshot_find(s, s->groups[2].id), &s->groups[2]);
	assert_null(snapshot_find(s, 12345));
	snapshot_free(s);
}

static void
test_sort_ties_by_id(void **state)
{
	(void)state;
	struct builder *b = builder_new("goroutine", PROF_GOROUTINE, FMT_PROTO);
	char fn[32];

	for (int i = 0; i < 50; i++) {
		int n = snprintf(fn, sizeof(fn), "main.f%d", i);
		builder_frame(b, fn, (size_t)n, MAIN_GO, strlen(MAIN_GO), i);
		builder_commit(b, (const int64_t[]){ i % 3 }, NULL, 0);
	}
	struct snapshot *s = builder_finish(b);
	assert_int_equal(s->ngroups, 50);
	for (size_t i = 1; i < s->ngroups; i++) {
		const struct group *p = &s->groups[i - 1], *g = &s->groups[i];
		assert_true(p->values[0] > g->values[0] ||
		            (p->values[0] == g->values[0] && p->id < g->id));
	}
	snapshot_free(s);
}

/* The id of a fixed stack: a change to the hash (and so to every id a user
 * may have noted, and to saved baselines) must be deliberate. The value was
 * computed independently (Python) from profile.c's stack_hash: per frame
 * h = mix64(h ^ hash_bytes(SEED, function NUL)), the same for file NUL, then
 * h = mix64(h ^ line); hash_bytes is arena.c's 8-byte-step hash, mix64 the
 * murmur3 finalizer; h starts at HASH_SEED. */
#define STABLE_ID 0x826ac520088e3d06ULL

static void
test_stable_id(void **state)
{
	(void)state;
	const struct sf st[] = { { "main.worker", MAIN_GO, 42 }, { "main.main", MAIN_GO, 17 } };
	const struct sf with_rt[] = {
		{ "runtime.gopark", PROC_GO, 398 },
		{ "main.worker", MAIN_GO, 42 },
		{ "main.main", MAIN_GO, 17 },
		{ "runtime.goexit", PROC_GO, 1 },
	};

	assert_int_equal(id_of(PROF_GOROUTINE, st, 2, NULL), STABLE_ID);
	assert_int_equal(id_of(PROF_GOROUTINE, with_rt, 4, NULL), STABLE_ID);
	assert_int_equal(id_of(PROF_HEAP, st, 2, NULL), STABLE_ID);
	assert_int_equal(id_of(PROF_MUTEX, st, 2, NULL), STABLE_ID);
	/* the empty stack hashes to the FNV offset basis */
	assert_int_equal(id_of(PROF_THREADCREATE, st, 0, NULL), HASH_SEED);
	/* across formats */
	struct builder *b = builder_new("goroutine", PROF_GOROUTINE, FMT_DUMP);
	struct group *g = commit1(b, with_rt, 4, 1, NULL);
	assert_int_equal(g->id, STABLE_ID);
	snapshot_free(builder_finish(b));
}

static const struct labelset *
find_labels(const struct group *g, const char *text)
{
	for (const struct labelset *l = g->labels; l != NULL; l = l->next)
		if (strcmp(l->text, text) == 0)
			return l;
	return NULL;
}

static void
test_labels(void **state)
{
	(void)state;
	const struct sf st[] = { { "main.leak", MAIN_GO, 64 } };
	const char *la = "{\"component\":\"leaker\", \"leak_id\":\"0\"}";
	const char *lb = "{\"component\":\"leaker\", \"leak_id\":\"1\"}";

	/* goroutine: a label set counts goroutines (the sample's value) */
	struct builder *b = builder_new("goroutine", PROF_GOROUTINE, FMT_PROTO);
	commit1(b, st, 1, 34, la);
	commit1(b, st, 1, 2, la);
	commit1(b, st, 1, 30, lb);
	commit1(b, st, 1, 7, NULL);
	struct snapshot *s = builder_finish(b);
	assert_int_equal(s->ngroups, 1); /* labels are not identity */
	const struct group *g = &s->groups[0];
	assert_int_equal(g->values[0], 73);
	assert_int_equal(g->nsamples, 4);
	assert_non_null(find_labels(g, la));
	assert_int_equal(find_labels(g, la)->count, 36);
	assert_int_equal(find_labels(g, lb)->count, 30);
	int n = 0;
	for (const struct labelset *l = g->labels; l; l = l->next)
		n++;
	assert_int_equal(n, 2);
	snapshot_free(s);

	/* other kinds count samples */
	b = builder_new("cpu", PROF_CPU, FMT_PROTO);
	commit1(b, st, 1, 10000000, "{\"component\":\"burner\"}");
	commit1(b, st, 1, 20000000, "{\"component\":\"burner\"}");
	s = builder_finish(b);
	assert_int_equal(s->groups[0].labels->count, 2);
	assert_null(s->groups[0].labels->next);
	snapshot_free(s);

	/* no labels: NULL; an empty label text is no label */
	b = builder_new("goroutine", PROF_GOROUTINE, FMT_PROTO);
	commit1(b, st, 1, 1, "");
	s = builder_finish(b);
	assert_null(s->groups[0].labels);
	snapshot_free(s);

	/* at most 64 distinct sets per group are kept (memory bound) */
	b = builder_new("goroutine", PROF_GOROUTINE, FMT_PROTO);
	char lab[64];
	for (int i = 0; i < 100; i++) {
		snprintf(lab, sizeof(lab), "{\"id\":\"%d\"}", i);
		commit1(b, st, 1, 1, lab);
	}
	s = builder_finish(b);
	n = 0;
	for (const struct labelset *l = s->groups[0].labels; l; l = l->next)
		n++;
	assert_int_equal(n, 64);
	assert_int_equal(s->groups[0].values[0], 100);
	snapshot_free(s);
}

static const char *
label_of(enum prof_kind k, const struct sf *f, size_t n)
{
	static char out[128];
	struct builder *b = builder_new("x", k, FMT_PROTO);
	commit1(b, f, n, 1, NULL);
	struct snapshot *s = builder_finish(b);
	const struct group *g = &s->groups[0];
	snprintf(out, sizeof(out), "%u:%s", g->label_frame,
	         g->nframes ? group_frame(g, g->label_frame)->function : "");
	snapshot_free(s);
	return out;
}

static void
test_label_frame(void **state)
{
	(void)state;
	const struct sf lock[] = {
		{ "runtime.gopark", PROC_GO, 1 },
		{ "sync.(*Mutex).Lock", "/usr/local/go/src/sync/mutex.go", 90 },
		{ "runtime/pprof.Do", "/usr/local/go/src/runtime/pprof/runtime.go", 40 },
		{ "main.worker", MAIN_GO, 42 },
		{ "runtime/pprof.Do", "/usr/local/go/src/runtime/pprof/runtime.go", 40 },
	};
	assert_string_equal(label_of(PROF_BLOCK, lock, N(lock)), "3:main.worker");
	/* goroutine: gopark trimmed first */
	assert_string_equal(label_of(PROF_GOROUTINE, lock, N(lock)), "2:main.worker");

	const struct sf http[] = {
		{ "runtime.gopark", PROC_GO, 1 },
		{ "sync.(*Cond).Wait", "/usr/local/go/src/sync/cond.go", 71 },
		{ "internal/poll.(*FD).Read", "/usr/local/go/src/internal/poll/fd.go", 1 },
		{ "net/http.(*connReader).abortPendingRead", "/usr/local/go/src/net/http/s.go",
		  738 },
		{ "net/http.(*conn).serve", "/usr/local/go/src/net/http/server.go", 2108 },
	};
	/* all standard library: the entry function, the outermost frame */
	assert_string_equal(label_of(PROF_BLOCK, http, N(http)), "4:net/http.(*conn).serve");
	const struct sf syscalls[] = {
		{ "runtime.gopark", PROC_GO, 1 },
		{ "syscall.Syscall", "/usr/local/go/src/syscall/s.go", 1 },
		{ "os.(*File).Read", "/usr/local/go/src/os/file.go", 1 },
	};
	assert_string_equal(label_of(PROF_MUTEX, syscalls, N(syscalls)), "2:os.(*File).Read");
	/* only runtime and sync frames: the outermost outside the runtime */
	const struct sf core[] = {
		{ "runtime.chanrecv1", PROC_GO, 506 },
		{ "runtime.unique_runtime_registerUniqueMapCleanup.func2", PROC_GO, 1796 },
		{ "sync.(*WaitGroup).Wait", "/usr/local/go/src/sync/wg.go", 1 },
	};
	assert_string_equal(label_of(PROF_BLOCK, core, N(core)), "2:sync.(*WaitGroup).Wait");
	/* only runtime frames: the leaf */
	assert_string_equal(label_of(PROF_BLOCK, core, 2), "0:runtime.chanrecv1");
	/* third-party modules whose first path element starts like a stdlib
	 * package are not plumbing */
	const struct sf zap[] = {
		{ "go.uber.org/zap.(*Logger).Info", "/m/zap/logger.go", 1 },
		{ "main.handler", MAIN_GO, 2 },
	};
	assert_string_equal(label_of(PROF_CPU, zap, N(zap)), "0:go.uber.org/zap.(*Logger).Info");
	/* no frames */
	assert_string_equal(label_of(PROF_THREADCREATE, lock, 0), "0:");
}

static void
test_frame_is_plumbing(void **state)
{
	(void)state;
	static const struct {
		const char *fn;
		bool plumbing;
	} t[] = {
		{ "runtime.gopark", true },
		{ "runtime/pprof.Do", true },
		{ "sync.(*Mutex).Lock", true },
		{ "sync/atomic.(*Int64).Add", true },
		{ "internal/poll.runtime_pollWait", true },
		{ "internal/runtime/atomic.Load", true },
		{ "net/http.(*conn).serve", true },
		{ "net.(*conn).Read", true },
		{ "time.Sleep", true },
		{ "fmt.Fprintf", true },
		{ "os/exec.(*Cmd).Wait", true },
		{ "encoding/json.Marshal", true },
		{ "crypto/tls.(*Conn).Handshake", true },
		{ "context.(*cancelCtx).Done", true },
		{ "go/parser.ParseFile", true },
		{ "vendor/golang.org/x/net/http2/hpack.(*Decoder).Write", true },
		{ "unique.Make[...]", true },
		{ "main.worker", false },
		{ "main.main.func1", false },
		{ "main.(*server).handle", false },
		{ "example.com/openfiles.Open", false },
		{ "github.com/acme/app/internal/db.(*Pool).Get", false },
		{ "golang.org/x/sync/errgroup.(*Group).Go", false },
		{ "go.uber.org/zap.(*Logger).Info", false },
		{ "go.opentelemetry.io/otel/sdk/trace.(*span).End", false },
		{ "google.golang.org/grpc.(*Server).Serve", false },
		{ "syncx.Do", false },
		{ "runtimex.F", false },
		{ "timeutil.Now", false },
		{ "0x4567ab", false },
		{ "", false },
	};
	for (size_t i = 0; i < N(t); i++) {
		if (frame_is_plumbing(t[i].fn) != t[i].plumbing)
			fail_msg("frame_is_plumbing(\"%s\") != %d", t[i].fn, t[i].plumbing);
	}
}

static void
test_refcount(void **state)
{
	(void)state;
	struct builder *b = builder_new("goroutine", PROF_GOROUTINE, FMT_PROTO);
	const struct sf st[] = { { "main.a", MAIN_GO, 1 } };

	commit1(b, st, 1, 1, NULL);
	struct snapshot *s = builder_finish(b);
	assert_int_equal(s->refs, 1);
	assert_ptr_equal(snapshot_ref(s), s);
	assert_ptr_equal(snapshot_ref(s), s);
	assert_int_equal(s->refs, 3);
	snapshot_free(s);
	snapshot_free(s);
	assert_int_equal(s->refs, 1);
	assert_string_equal(group_frame(&s->groups[0], 0)->function, "main.a"); /* still alive */
	snapshot_free(s); /* freed: ASan reports a leak or a use after free otherwise */
	snapshot_free(NULL);

	/* abort frees the partial snapshot; NULL is fine */
	b = builder_new("goroutine", PROF_GOROUTINE, FMT_PROTO);
	commit1(b, st, 1, 1, "{\"a\":\"b\"}");
	push(b, st, 1);
	builder_add_memstat(b, "Alloc", 5, "1", 1);
	builder_abort(b);
	builder_abort(NULL);
}

static void
test_goroutine_ids(void **state)
{
	(void)state;
	const struct sf a[] = { { "main.a", MAIN_GO, 1 } };
	const struct sf c[] = { { "main.c", MAIN_GO, 3 } };
	struct builder *b = builder_new("goroutine", PROF_GOROUTINE, FMT_DUMP);
	static const int64_t ga[] = { 90, 7, 1000, 8 }, gc[] = { 55, 3, 4 };
	static const char *const sta[] = { "chan receive", "select", "chan receive",
		                           "chan receive" };

	/* interleaved, unsorted */
	for (int i = 0; i < 4; i++) {
		struct group *g = commit1(b, a, 1, 1, NULL);
		builder_note_goroutine(b, g, ga[i], sta[i], strlen(sta[i]), i * 10, i == 1, i == 3);
		if (i < 3) {
			g = commit1(b, c, 1, 1, NULL);
			builder_note_goroutine(b, g, gc[i], "sleep", 5, 0, false, false);
		}
	}
	struct snapshot *s = builder_finish(b);
	assert_int_equal(s->ngroups, 2);
	assert_int_equal(s->ngoroutines, 7);
	const struct group *g = &s->groups[0];
	assert_string_equal(group_frame(g, 0)->function, "main.a");
	assert_int_equal(g->values[0], 4);
	assert_int_equal(group_more(g)->ngoids, 4);
	static const int64_t wa[] = { 7, 8, 90, 1000 }, wc[] = { 3, 4, 55 };
	assert_memory_equal(group_more(g)->goids, wa, sizeof(wa));
	assert_int_equal(group_more(g)->max_wait_minutes, 30);
	assert_int_equal(group_more(g)->nlocked, 1);
	assert_int_equal(group_more(g)->nleaked, 1);
	int64_t recv = 0, sel = 0;
	for (const struct gstate *st = group_more(g)->states; st; st = st->next) {
		if (strcmp(st->state, "chan receive") == 0)
			recv = st->count;
		else if (strcmp(st->state, "select") == 0)
			sel = st->count;
		else
			fail_msg("unexpected state %s", st->state);
	}
	assert_int_equal(recv, 3);
	assert_int_equal(sel, 1);
	g = &s->groups[1];
	assert_int_equal(group_more(g)->ngoids, 3);
	assert_memory_equal(group_more(g)->goids, wc, sizeof(wc));
	assert_int_equal(group_more(g)->states->count, 3);
	assert_null(group_more(g)->states->next);
	snapshot_free(s);
}

static void
test_memstats(void **state)
{
	(void)state;
	struct builder *b = builder_new("heap", PROF_HEAP, FMT_TEXT);
	static const char *const kv[][2] = {
		{ "HeapAlloc", "110628096" },   { "PauseNs", "[4186012 3802581 0]" },
		{ "GCCPUFraction", "5.1e-05" }, { "DebugGC", "false" },
		{ "Bogus", "12abc" },           { "Empty", "" },
	};
	for (size_t i = 0; i < N(kv); i++)
		builder_add_memstat(b, kv[i][0], strlen(kv[i][0]), kv[i][1], strlen(kv[i][1]));
	struct snapshot *s = builder_finish(b);
	double v = -1;
	assert_int_equal(s->nmemstats, N(kv));
	assert_true(snapshot_memstat(s, "HeapAlloc", &v));
	assert_true(v == 110628096.0);
	assert_true(snapshot_memstat(s, "GCCPUFraction", &v));
	assert_true(v == 5.1e-05);
	assert_true(snapshot_memstat(s, "PauseNs", &v));
	assert_true(v == 0);
	assert_true(snapshot_memstat(s, "Bogus", &v));
	assert_true(v == 0);
	assert_string_equal(s->memstats[1].text, "[4186012 3802581 0]");
	assert_string_equal(s->memstats[3].text, "false");
	assert_false(snapshot_memstat(s, "NumGC", &v));
	assert_int_equal(s->ngroups, 0);
	assert_int_equal(s->totals[0], 0);
	snapshot_free(s);
}

static void
test_kinds_and_value_types(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum prof_kind kind;
		int nvalues, primary;
		const char *key0;
		bool cum0;
	} t[] = {
		{ "goroutine", PROF_GOROUTINE, 1, 0, "count", false },
		{ "goroutineleak", PROF_GOROUTINELEAK, 1, 0, "count", false },
		{ "heap", PROF_HEAP, 4, 0, "inuse_bytes", false },
		{ "allocs", PROF_ALLOCS, 4, 2, "inuse_bytes", false },
		{ "block", PROF_BLOCK, 2, 1, "contentions", true },
		{ "mutex", PROF_MUTEX, 2, 1, "contentions", true },
		{ "threadcreate", PROF_THREADCREATE, 1, 0, "count", true },
		{ "cpu", PROF_CPU, 2, 0, "cpu_ns", false },
		{ "profile", PROF_CPU, 2, 0, "cpu_ns", false },
		{ "example.com/openfiles", PROF_CUSTOM, 1, 0, "count", false },
	};
	for (size_t i = 0; i < N(t); i++) {
		assert_int_equal(snapshot_kind_from_name(t[i].name), t[i].kind);
		struct builder *b = builder_new(t[i].name, t[i].kind, FMT_PROTO);
		struct snapshot *s = builder_finish(b);
		assert_int_equal(s->nvalues, t[i].nvalues);
		assert_int_equal(s->primary, t[i].primary);
		assert_string_equal(s->vt[0].key, t[i].key0);
		assert_int_equal(s->vt[0].cumulative, t[i].cum0);
		assert_int_equal(snapshot_value_index(s, t[i].key0), 0);
		assert_int_equal(snapshot_value_index(s, "nope"), -1);
		snapshot_free(s);
	}
	struct builder *b = builder_new("heap", PROF_HEAP, FMT_PROTO);
	struct snapshot *s = builder_finish(b);
	assert_int_equal(snapshot_value_index(s, "alloc_bytes"), 2);
	assert_true(s->vt[2].cumulative);
	assert_false(s->vt[1].cumulative);
	assert_string_equal(s->vt[3].unit, "objects");
	snapshot_free(s);
}

/* Many distinct stacks: the id table grows, every group stays findable. */
static void
test_many_groups(void **state)
{
	(void)state;
	struct builder *b = builder_new("goroutine", PROF_GOROUTINE, FMT_PROTO);
	char fn[32];

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 5000; i++) {
			int n = snprintf(fn, sizeof(fn), "main.f%d", i);
			builder_frame(b, fn, (size_t)n, MAIN_GO, strlen(MAIN_GO), 1);
			builder_frame(b, "main.main", 9, MAIN_GO, strlen(MAIN_GO), 2);
			builder_commit(b, (const int64_t[]){ 1 }, NULL, 0);
		}
	}
	struct snapshot *s = builder_finish(b);
	assert_int_equal(s->ngroups, 5000);
	assert_int_equal(s->totals[0], 10000);
	assert_int_equal(s->nsamples, 10000);
	for (size_t i = 0; i < s->ngroups; i++)
		assert_int_equal(s->groups[i].values[0], 2);
	snapshot_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_goexit_dropped),
		cmocka_unit_test(test_generics_folded),
		cmocka_unit_test(test_runtime_trim),
		cmocka_unit_test(test_same_stack_sums),
		cmocka_unit_test(test_lines_and_files_distinguish),
		cmocka_unit_test(test_sort_ties_by_id),
		cmocka_unit_test(test_stable_id),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_label_frame),
		cmocka_unit_test(test_frame_is_plumbing),
		cmocka_unit_test(test_refcount),
		cmocka_unit_test(test_goroutine_ids),
		cmocka_unit_test(test_memstats),
		cmocka_unit_test(test_kinds_and_value_types),
		cmocka_unit_test(test_many_groups),
	};
	return cmocka_run_group_tests_name("profile", tests, NULL, NULL);
}
