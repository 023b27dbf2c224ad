/* frametab.c - interning stack frames (see frametab.h). */
#include "pproftop/frametab.h"

#include <stdlib.h>
#include <string.h>

#include "pproftop/xalloc.h"

void
frametab_init(struct frametab *t)
{
	memset(t, 0, sizeof(*t));
}

/* The strings are interned: their addresses stand for them, and a
 * multiplicative hash of addresses and line is enough (no finalizer). */
static inline size_t
slot_of(const char *fn, const char *file, int64_t line, size_t size)
{
	uint64_t h = (uint64_t)(uintptr_t)fn * 0x9e3779b97f4a7c15ULL;
	h ^= (uint64_t)(uintptr_t)file * 0xc2b2ae3d27d4eb4fULL;
	h ^= (uint64_t)line * 0x165667b19e3779f9ULL;
	return (size_t)((h ^ (h >> 29)) & (size - 1));
}

static void
grow(struct frametab *t)
{
	size_t n = t->size ? t->size * 2 : 256;
	uint32_t *s = xcalloc(n, sizeof(*s));

	for (size_t i = 0; i < t->n; i++) {
		const struct frame *f = &t->v[i];
		size_t j = slot_of(f->function, f->file, f->line, n);
		while (s[j] != 0)
			j = (j + 1) & (n - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(t->slots);
	t->slots = s;
	t->size = n;
}

uint32_t
frametab_intern(struct frametab *t, const char *fn, const char *file, int64_t line)
{
	if ((t->n + 1) * 2 > t->size)
		grow(t);
	size_t j = slot_of(fn, file, line, t->size);
	for (uint32_t k; (k = t->slots[j]) != 0; j = (j + 1) & (t->size - 1)) {
		const struct frame *f = &t->v[k - 1];
		if (f->function == fn && f->file == file && f->line == line)
			return k - 1;
	}
	if (t->n >= UINT32_MAX - 1)
		xalloc_die();
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	struct frame *f = &t->v[t->n];
	f->function = fn;
	f->file = file;
	f->line = line;
	t->slots[j] = (uint32_t)++t->n;
	return (uint32_t)(t->n - 1);
}

const struct frame *
frametab_take(const struct frametab *t, struct arena *a)
{
	struct frame *v = arena_alloc(a, (t->n ? t->n : 1) * sizeof(*v));

	if (t->n > 0)
		memcpy(v, t->v, t->n * sizeof(*v));
	return v;
}

void
frametab_free(struct frametab *t)
{
	free(t->v);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
