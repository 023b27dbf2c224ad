/* arena.c - bump allocator and string interning (see arena.h). */
#include "pproftop/arena.h"

#include <stdlib.h>
#include <string.h>

#include "pproftop/idtab.h"
#include "pproftop/xalloc.h"

#define BLOCK_MIN ((size_t)64 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

struct intern_str {
	uint64_t hash; /* first: idtab reads it */
	const char *str;
	size_t len;
};

void
arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
}

void
arena_free(struct arena *a)
{
	struct arena_block *b = a->head;

	while (b != NULL) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	free(a->strs);
	free(a->tab);
	memset(a, 0, sizeof(*a));
}

void *
arena_alloc_raw(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t need = (n + 15) & ~(size_t)15;

	if (need < n)
		xalloc_die();
	if (b == NULL || b->size - b->used < need) {
		size_t size = need > BLOCK_MIN ? need : BLOCK_MIN;
		/* grow blocks geometrically with the arena, up to 4 MiB */
		if (a->used_total / 4 > size)
			size = a->used_total / 4 < 4u << 20 ? a->used_total / 4 : 4u << 20;
		if (size < need)
			size = need;
		b = xmalloc(sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += need;
	a->used_total += need;
	return p;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	void *p = arena_alloc_raw(a, n);

	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc_raw(a, n + 1);

	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

uint64_t
hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i = 0;

	/* 8 bytes per step (little-endian load via memcpy), then a byte tail */
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, c + i, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	for (; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 32);
}

uint64_t
hash_str(const char *s)
{
	return hash_bytes(HASH_SEED, s, strlen(s) + 1);
}

const char *
arena_intern(struct arena *a, const char *s, size_t n)
{
	uint64_t h = hash_bytes(HASH_SEED, s, n);
	size_t probe = 0;

	for (size_t i; (i = idtab_next(a->tab, a->tabsize, a->strs, sizeof(*a->strs), h, &probe)) !=
	               IDTAB_NONE;)
		if (a->strs[i].len == n && memcmp(a->strs[i].str, s, n) == 0)
			return a->strs[i].str;
	idtab_reserve(&a->tab, &a->tabsize, a->strs, sizeof(*a->strs), a->nstrings, a->nstrings + 1,
	              1024);
	if (a->nstrings == a->capstrings) {
		a->capstrings = a->capstrings ? a->capstrings * 2 : 512;
		a->strs = xreallocarray(a->strs, a->capstrings, sizeof(*a->strs));
	}
	struct intern_str *e = &a->strs[a->nstrings];
	e->hash = h;
	e->len = n;
	e->str = arena_strndup(a, s, n);
	idtab_put(a->tab, a->tabsize, a->strs, sizeof(*a->strs), a->nstrings++);
	return e->str;
}
