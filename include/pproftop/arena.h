/* arena.h - bump allocator and string interning for immutable snapshots.
 *
 * A snapshot owns one arena; everything it points to lives there and is
 * freed at once by arena_free(). Allocation failure aborts (xalloc policy):
 * callers never check for NULL.
 */
#ifndef PPROFTOP_ARENA_H
#define PPROFTOP_ARENA_H

#include <stddef.h>
#include <stdint.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used_total; /* bytes handed out, for memory accounting */
	/* string interning: the distinct strings (hash, ptr, len) and an
	 * idtab over them keyed by hash */
	struct intern_str *strs;
	size_t nstrings, capstrings;
	uint32_t *tab;
	size_t tabsize;
};

/* arena_init: an empty arena; no allocation until first use. */
void arena_init(struct arena *a);

/* arena_free: releases every block and the intern table; the arena is empty again. */
void arena_free(struct arena *a);

/* arena_alloc: n bytes aligned to 16, zeroed; owned by the arena. */
void *arena_alloc(struct arena *a, size_t n);

/* arena_alloc_raw: as arena_alloc, but not zeroed: for memory the caller
 * fills at once (copies), so that it is written once, not twice. */
void *arena_alloc_raw(struct arena *a, size_t n);

/* arena_strndup: a NUL-terminated copy of s[0..n) (not interned). */
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* arena_intern: a NUL-terminated copy of s[0..n), the same pointer for equal
 * strings within this arena. Pointer equality therefore means string equality
 * for interned strings of one arena. */
const char *arena_intern(struct arena *a, const char *s, size_t n);

/* hash_bytes: 64-bit hash, 8 bytes per step (stable across runs and
 * little-endian machines; group ids depend on it). */
uint64_t hash_bytes(uint64_t h, const void *p, size_t n);

/* hash_str: the content hash of a NUL-terminated string, hash_bytes over its
 * bytes and the NUL (group ids and call tree ids depend on it). */
uint64_t hash_str(const char *s);

/* hash_mix: a 64-bit finalizer (murmur3's fmix64) that folds one more step
 * into a hash: h = hash_mix(h ^ part) (group ids and call tree ids);
 * inline, as it runs for every frame of every sample. */
static inline uint64_t
hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

#define HASH_SEED 0xcbf29ce484222325ULL

#endif
