/* frametab.c - interning stack frames (see frametab.h). */
#include "pproftop/frametab.h"

#include <stdlib.h>
#include <string.h>

#include "pproftop/xalloc.h"

void
frametab_init(struct frametab *t, struct arena *a)
{
	memset(t, 0, sizeof(*t));
	t->arena = a;
}

static size_t
slot_of(const char *fn, const char *file, int64_t line, size_t size)
{
	uint64_t h = hash_mix((uint64_t)(uintptr_t)fn);
	h = hash_mix(h ^ (uint64_t)(uintptr_t)file);
	h = hash_mix(h ^ (uint64_t)line);
	return (size_t)(h & (size - 1));
}

static void
grow(struct frametab *t)
{
	size_t n = t->size ? t->size * 2 : 256;
	const struct frame **s = xcalloc(n, sizeof(const struct frame *));

	for (size_t i = 0; i < t->size; i++) {
		const struct frame *f = t->slots[i];
		if (f == NULL)
			continue;
		size_t j = slot_of(f->function, f->file, f->line, n);
		while (s[j] != NULL)
			j = (j + 1) & (n - 1);
		s[j] = f;
	}
	free(t->slots);
	t->slots = s;
	t->size = n;
}

const struct frame *
frametab_intern(struct frametab *t, const char *fn, const char *file, int64_t line)
{
	if ((t->n + 1) * 2 > t->size)
		grow(t);
	size_t j = slot_of(fn, file, line, t->size);
	for (const struct frame *f; (f = t->slots[j]) != NULL; j = (j + 1) & (t->size - 1))
		if (f->function == fn && f->file == file && f->line == line)
			return f;
	struct frame *f = arena_alloc_raw(t->arena, sizeof(*f));
	f->function = fn;
	f->file = file;
	f->line = line;
	t->slots[j] = f;
	t->n++;
	return f;
}

void
frametab_free(struct frametab *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
