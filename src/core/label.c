/* label.c - short labels, labels that tell rows apart, goroutine wait
 * states (see label.h). */
#include "pproftop/label.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/symtab.h"
#include "pproftop/xalloc.h"

const char *
label_short(const char *fn)
{
	/* the import path ends at the last '/' before the first '(' or '['
	 * (a receiver or folded type parameters may hold anything) */
	size_t end = strcspn(fn, "([");
	const char *slash = NULL;

	for (size_t i = 0; i < end; i++)
		if (fn[i] == '/')
			slash = fn + i;
	return slash != NULL && slash[1] != '\0' ? slash + 1 : fn;
}

char *
label_text(const struct group *g, uint32_t apart, bool utf8, char *out, size_t cap)
{
	if (cap == 0)
		return out;
	if (g->nframes == 0) {
		snprintf(out, cap, "(no stack)");
		return out;
	}
	const char *fn = label_short(group_frame(g, g->label_frame)->function);
	if (apart == LABEL_NONE || LABEL_FRAME(apart) >= g->nframes) {
		snprintf(out, cap, "%s", fn);
		return out;
	}
	const struct frame *f = group_frame(g, LABEL_FRAME(apart));
	int n = snprintf(out, cap, "%s %s %s", fn, utf8 ? "\xe2\x86\x90" : "<-",
	                 label_short(f->function));
	if ((apart & LABEL_LINE) && n >= 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, ":%lld", (long long)f->line);
	return out;
}

const char *
label_file(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

/* A group and its label as shown (computed once, compared often). */
struct apart_item {
	const struct group *g;
	size_t i;
	const char *fn, *file; /* label_short of the label frame's function; basename */
	int64_t line;
};

static int
cmp_label(const struct apart_item *a, const struct apart_item *b)
{
	int c = strcmp(a->fn, b->fn);

	if (c == 0)
		c = strcmp(a->file, b->file);
	if (c == 0 && a->line != b->line)
		c = a->line < b->line ? -1 : 1;
	return c;
}

/* The j-th frame compared: above the label frame first (toward the root),
 * then below it (toward the leaf). */
static uint32_t
seq_frame(const struct group *g, uint32_t j)
{
	uint32_t above = g->nframes - 1 - g->label_frame;

	return j < above ? g->label_frame + 1 + j : g->label_frame - 1 - (j - above);
}

static int
cmp_frame(const struct frame *a, const struct frame *b)
{
	int c = strcmp(a->function, b->function);

	if (c == 0 && a->line != b->line)
		c = a->line < b->line ? -1 : 1;
	return c;
}

/* How many compared frames a and b share, and (in *c) their order. */
static uint32_t
common_prefix(const struct group *a, const struct group *b, int *c)
{
	uint32_t na = a->nframes - 1, nb = b->nframes - 1, j = 0;

	*c = 0;
	for (; j < na && j < nb; j++) {
		*c = cmp_frame(group_frame(a, seq_frame(a, j)), group_frame(b, seq_frame(b, j)));
		if (*c != 0)
			return j;
	}
	*c = na == nb ? 0 : (na < nb ? -1 : 1);
	return j;
}

static int
cmp_apart(const void *pa, const void *pb)
{
	const struct apart_item *a = pa, *b = pb;
	int c = cmp_label(a, b);

	if (c == 0)
		common_prefix(a->g, b->g, &c);
	if (c == 0 && a->i != b->i)
		c = a->i < b->i ? -1 : 1;
	return c;
}

/* Whether it[k]'s d-th compared frame has the function of the same frame
 * of the neighbour(s) it shares d frames with (so only the line differs). */
static bool
same_function_at(const struct apart_item *it, size_t m, size_t k, uint32_t d, bool with_prev,
                 bool with_next)
{
	const char *fn = group_frame(it[k].g, seq_frame(it[k].g, d))->function;

	if (with_prev && k > 0 && d < it[k - 1].g->nframes - 1 &&
	    strcmp(fn, group_frame(it[k - 1].g, seq_frame(it[k - 1].g, d))->function) == 0)
		return true;
	if (with_next && k + 1 < m && d < it[k + 1].g->nframes - 1 &&
	    strcmp(fn, group_frame(it[k + 1].g, seq_frame(it[k + 1].g, d))->function) == 0)
		return true;
	return false;
}

void
label_apart(const struct group *const *g, size_t n, uint32_t *apart)
{
	struct apart_item *it = xreallocarray(NULL, n ? n : 1, sizeof(*it));
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		apart[i] = LABEL_NONE;
		if (g[i] == NULL || g[i]->nframes == 0)
			continue;
		const struct frame *f = group_frame(g[i], g[i]->label_frame);
		it[m++] = (struct apart_item){ g[i], i, label_short(f->function),
			                       label_file(f->file), f->line };
	}
	qsort(it, m, sizeof(*it), cmp_apart);
	/* lcp[k]: frames shared by it[k] and it[k+1] when their labels are
	 * the same; the first frame past the longer of a row's two
	 * neighbours' is where it differs from every row of its label */
	uint32_t prev = 0;
	bool prev_same = false;
	for (size_t k = 0; k < m; k++) {
		int c;
		bool next_same = k + 1 < m && cmp_label(&it[k], &it[k + 1]) == 0;
		uint32_t next = next_same ? common_prefix(it[k].g, it[k + 1].g, &c) : 0;
		if (prev_same || next_same) {
			uint32_t d = prev > next ? prev : next;
			if (d < it[k].g->nframes - 1)
				apart[it[k].i] =
				    seq_frame(it[k].g, d) |
				    (same_function_at(it, m, k, d, prev_same && prev == d,
				                      next_same && next == d)
				         ? LABEL_LINE
				         : 0);
		}
		prev = next;
		prev_same = next_same;
	}
	free(it);
}

static bool
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* A leaf frame that says why its goroutine waits, or NULL. */
static const char *
state_of(const char *fn, const char *caller)
{
	static const struct {
		const char *fn; /* exact, or a prefix when it ends with '*' */
		const char *state;
	} tab[] = {
		{ "runtime.chanrecv*", "chan receive" },
		{ "runtime.chansend*", "chan send" },
		{ "runtime.selectgo", "select" },
		{ "runtime.block", "select" },
		{ "runtime.netpollblock", "IO wait" },
		{ "internal/poll.runtime_pollWait", "IO wait" },
		{ "sync.runtime_SemacquireRWMutex*", "sync.RWMutex" },
		{ "sync.runtime_notifyListWait", "sync.Cond" },
		{ "time.Sleep", "sleep" },
		{ "runtime.timeSleep", "sleep" },
		{ "syscall.Syscall*", "syscall" },
		{ "syscall.RawSyscall*", "syscall" },
		{ "syscall.syscall*", "syscall" },
		{ "syscall.rawSyscall*", "syscall" },
		{ "runtime.cgocall", "syscall" },
		{ "runtime.notetsleepg", "syscall" },
		{ "os/signal.signal_recv", "syscall" },
		{ "runtime.Gosched", "runnable" },
		{ "runtime.goschedImpl", "runnable" },
		{ "runtime.gopreempt_m", "runnable" },
		{ "runtime.asyncPreempt*", "runnable" },
	};

	/* Go 1.24 moved the mutex to internal/sync */
	if (strncmp(fn, "internal/sync.", 14) == 0)
		fn += 9;
	if (strcmp(fn, "sync.runtime_SemacquireMutex") == 0)
		return caller != NULL && has_prefix(caller, "sync.(*RWMutex)") ? "sync.RWMutex"
		                                                               : "sync.Mutex";
	if (strcmp(fn, "sync.runtime_Semacquire") == 0 ||
	    strcmp(fn, "sync.runtime_SemacquireWaitGroup") == 0)
		return caller != NULL && has_prefix(caller, "sync.(*WaitGroup)") ? "sync.WaitGroup"
		                                                                 : "semacquire";
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		size_t l = strlen(tab[i].fn);
		if (tab[i].fn[l - 1] == '*' ? strncmp(fn, tab[i].fn, l - 1) == 0
		                            : strcmp(fn, tab[i].fn) == 0)
			return tab[i].state;
	}
	return NULL;
}

/* A dump's state ("sync.Mutex.Lock", "chan receive (nil chan)") in the
 * words of the frames' (label.h); others as the runtime wrote them. */
static const char *
dump_word(const char *st)
{
	static const struct {
		const char *dump, *ours;
	} map[] = {
		{ "chan receive (nil chan)", "chan receive" },
		{ "chan send (nil chan)", "chan send" },
		{ "select (no cases)", "select" },
		{ "sync.Cond.Wait", "sync.Cond" },
		{ "sync.Mutex.Lock", "sync.Mutex" },
		{ "sync.RWMutex.RLock", "sync.RWMutex" },
		{ "sync.RWMutex.Lock", "sync.RWMutex" },
		{ "sync.WaitGroup.Wait", "sync.WaitGroup" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].dump, st) == 0)
			return map[i].ours;
	return st;
}

static const char *state_of_fns(const char *const *fns, size_t n, size_t nruntime,
                                enum prof_format fmt);

const char *
label_state(const struct group *g, enum prof_format fmt)
{
	const struct group_more *m = group_more(g);
	/* a dump says it itself: the state of most of the group's goroutines */
	if (m->states != NULL) {
		const struct gstate *best = m->states;
		for (const struct gstate *st = m->states; st != NULL; st = st->next)
			if (st->count > best->count)
				best = st;
		return dump_word(best->state);
	}
	if (fmt == FMT_DUMP)
		fmt = FMT_TEXT; /* its traceback hides the runtime frames too */
	const char *fns[LABEL_STATE_FRAMES];
	size_t n = 0;
	for (uint32_t k = 0; k < g->nhidden + g->nframes && n < LABEL_STATE_FRAMES; k++)
		fns[n++] = group_frame(g, (ptrdiff_t)(k) - (ptrdiff_t)g->nhidden)->function;
	return state_of_fns(fns, n, g->nhidden, fmt);
}

const char *
label_state_named(const struct group *g, enum prof_format fmt, const struct symtab *st)
{
	const char *fns[LABEL_STATE_FRAMES];
	size_t n;

	if (group_more(g)->states != NULL || group_more(g)->nhpcs == 0 || st == NULL ||
	    (n = symtab_hidden(st, g, fns, LABEL_STATE_FRAMES)) == 0)
		return label_state(g, fmt);
	/* the hidden frames named: the whole leaf side is known */
	size_t nruntime = n;
	for (uint32_t k = 0; k < g->nframes && n < LABEL_STATE_FRAMES; k++)
		fns[n++] = group_frame(g, k)->function;
	return state_of_fns(fns, n, nruntime, FMT_PROTO);
}

/* The state from the function names of a stack, leaf first (fmt: whether
 * leading runtime frames may be missing, FMT_TEXT). */
static const char *
state_of_fns(const char *const *fns, size_t n, size_t nruntime, enum prof_format fmt)
{
	for (size_t i = 0; i < n; i++) {
		const char *fn = fns[i];
		const char *st = state_of(fn, i + 1 < n ? fns[i + 1] : NULL);
		if (st != NULL)
			return st;
		/* the first nruntime are runtime frames whatever their name says
		 * (/debug/pprof/symbol names a PC by the innermost function
		 * inlined there: runtime/internal/atomic.(*Uintptr).Swap inside
		 * runtime.netpollblock) */
		if (i < nruntime || strncmp(fn, "runtime.", 8) == 0 ||
		    strncmp(fn, "internal/runtime/", 17) == 0 ||
		    strncmp(fn, "runtime/internal/", 17) == 0)
			continue;
		/* the first frame outside the runtime: it called no blocking
		 * primitive we know */
		if (i > 0)
			return "waiting";
		/* the debug=1 text hides leading runtime frames: a blocked
		 * goroutine's leaf is its caller's line, as a running one's */
		return fmt == FMT_TEXT ? "" : "running";
	}
	return n > 0 ? "waiting" : "";
}
