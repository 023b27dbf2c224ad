/* frametab.h - interning stack frames, so that a snapshot holds each
 * distinct (function, file, line) once and its groups hold pointers to
 * them (struct group.frames), not copies.
 *
 * The frames live in the arena given to frametab_init (a snapshot's); the
 * table itself is the caller's, freed by frametab_free once the snapshot
 * is built. Pure core: no I/O. */
#ifndef PPROFTOP_FRAMETAB_H
#define PPROFTOP_FRAMETAB_H

#include <stddef.h>
#include <stdint.h>

#include "pproftop/arena.h"
#include "pproftop/profile.h"

struct frametab {
	struct arena *arena;
	const struct frame **slots; /* open addressing, NULL = empty */
	size_t size, n;
};

/* frametab_init: an empty table whose frames are allocated in a (borrowed;
 * it must outlive every frame handed out). No allocation until first use. */
void frametab_init(struct frametab *t, struct arena *a);

/* frametab_intern: the one frame of t equal to (fn, file, line). fn and
 * file must be interned in t's arena (arena_intern), so that pointer
 * equality is string equality. The frame is owned by the arena. */
const struct frame *frametab_intern(struct frametab *t, const char *fn, const char *file,
                                    int64_t line);

/* frametab_free: releases the table, not the frames (the arena's). */
void frametab_free(struct frametab *t);

#endif
