/* frametab.h - interning stack frames, so that a snapshot holds each
 * distinct (function, file, line) once and its groups hold 4-byte indices
 * into that table (struct group.fidx, .ftab; group_frame()), not copies.
 *
 * While a snapshot is built the frames live in the table (malloc'd, moved
 * as it grows); frametab_take copies them into the snapshot's arena, where
 * every group's ftab then points. Pure core: no I/O. */
#ifndef PPROFTOP_FRAMETAB_H
#define PPROFTOP_FRAMETAB_H

#include <stddef.h>
#include <stdint.h>

#include "pproftop/arena.h"
#include "pproftop/profile.h"

struct frametab {
	struct frame *v; /* the distinct frames, in order of first sight */
	uint64_t *keys;  /* keys[i]: the hash of v[i], the records of slots */
	size_t n, cap;
	uint32_t *slots; /* an idtab over keys */
	size_t size;
};

/* frametab_init: an empty table; no allocation until first use. */
void frametab_init(struct frametab *t);

/* frametab_intern: the index of the one frame of t equal to (fn, file,
 * line), added if new. fn and file must be interned in one arena
 * (arena_intern), so that pointer equality is string equality; the frame
 * keeps the pointers. Indices stay valid as t grows. */
uint32_t frametab_intern(struct frametab *t, const char *fn, const char *file, int64_t line);

/* frametab_take: t's frames copied into a (owned by the arena; one
 * element, unused, when t is empty), indexed as frametab_intern said.
 * t keeps its frames until frametab_free. */
const struct frame *frametab_take(const struct frametab *t, struct arena *a);

/* frametab_free: releases the table (not what frametab_take copied). */
void frametab_free(struct frametab *t);

#endif
