/* frametab.c - interning stack frames (see frametab.h). */
#include "pproftop/frametab.h"

#include <stdlib.h>
#include <string.h>

#include "pproftop/idtab.h"
#include "pproftop/xalloc.h"

void
frametab_init(struct frametab *t)
{
	memset(t, 0, sizeof(*t));
}

/* The strings are interned: their addresses stand for them. */
static uint64_t
key_of(const char *fn, const char *file, int64_t line)
{
	return hash_mix((uint64_t)(uintptr_t)fn * 0x9e3779b97f4a7c15ULL ^
	                (uint64_t)(uintptr_t)file * 0xc2b2ae3d27d4eb4fULL ^ (uint64_t)line);
}

uint32_t
frametab_intern(struct frametab *t, const char *fn, const char *file, int64_t line)
{
	uint64_t key = key_of(fn, file, line);
	size_t probe = 0;

	for (size_t i; (i = idtab_next(t->slots, t->size, t->keys, sizeof(*t->keys), key,
	                               &probe)) != IDTAB_NONE;) {
		const struct frame *f = &t->v[i];
		if (f->function == fn && f->file == file && f->line == line)
			return (uint32_t)i;
	}
	if (t->n >= UINT32_MAX - 1)
		xalloc_die();
	idtab_reserve(&t->slots, &t->size, t->keys, sizeof(*t->keys), t->n, t->n + 1, 256);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
		t->keys = xreallocarray(t->keys, t->cap, sizeof(*t->keys));
	}
	t->v[t->n] = (struct frame){ fn, file, line };
	t->keys[t->n] = key;
	idtab_put(t->slots, t->size, t->keys, sizeof(*t->keys), t->n);
	return (uint32_t)t->n++;
}

const struct frame *
frametab_take(const struct frametab *t, struct arena *a)
{
	struct frame *v = arena_alloc_raw(a, (t->n ? t->n : 1) * sizeof(*v));

	if (t->n > 0)
		memcpy(v, t->v, t->n * sizeof(*v));
	return v;
}

void
frametab_free(struct frametab *t)
{
	free(t->v);
	free(t->keys);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
