/* idtab.h - the one open-addressing id table of the core: an id -> index
 * table over an array of records whose first member is a uint64_t id
 * (snapshot groups, diff rows, history entries, the builder's groups, the
 * arena's interned strings keyed by their hash, the frame table's frames
 * keyed by the hash of their interned pointers).
 *
 * Slots hold a record's index + 1 (0 = empty), so any id, 0 included, is a
 * key; the id itself is read from the record, never copied. Linear probing
 * from id & (size - 1): ids must be well mixed (hashes). The size is a power
 * of two; the load stays at 1/2 or below. The caller owns the slots (any
 * allocator, except for idtab_reserve, which uses xalloc) and the records,
 * which may move between calls (base is passed each time). Records are never
 * removed one by one: a caller that drops records indexes again. */
#ifndef PPROFTOP_IDTAB_H
#define PPROFTOP_IDTAB_H

#include <stddef.h>
#include <stdint.h>

#define IDTAB_NONE ((size_t)-1)

/* idtab_size: the number of slots for n records (a power of two > 2n, at
 * least 16). */
size_t idtab_size(size_t n);

/* idtab_fill: indexes the n records at base, stride bytes apart, into
 * tab[0..size), which must be zeroed and size = idtab_size(n) or more; a
 * repeated id keeps its first record only. */
void idtab_fill(uint32_t *tab, size_t size, const void *base, size_t stride, size_t n);

/* idtab_add: indexes record i alone unless its id is indexed already (the
 * table sized for every record it will hold). */
void idtab_add(uint32_t *tab, size_t size, const void *base, size_t stride, size_t i);

/* idtab_put: indexes record i even when another record has its id (for
 * keys that are hashes of longer contents: see idtab_next); idtab_find
 * still answers the record put first. The table sized for every record it
 * will hold. */
void idtab_put(uint32_t *tab, size_t size, const void *base, size_t stride, size_t i);

/* idtab_find: the index of the first record with id, or IDTAB_NONE (also
 * for an empty table, size 0). */
size_t idtab_find(const uint32_t *tab, size_t size, const void *base, size_t stride, uint64_t id);

/* idtab_next: the records with id one by one, in the order they were put:
 * *probe starts at 0 and is advanced; IDTAB_NONE when there is no other.
 * The caller compares the contents (a hash collision) and stops at its own. */
size_t idtab_next(const uint32_t *tab, size_t size, const void *base, size_t stride, uint64_t id,
                  size_t *probe);

/* idtab_reserve: makes *tab (*size slots, allocated by xalloc or NULL with
 * *size 0) hold room records at the load of 1/2: when it does not, frees
 * it and allocates a larger one (idtab_size(room), at least min slots),
 * into which records 0..n-1 are put again. The caller frees *tab (free). */
void idtab_reserve(uint32_t **tab, size_t *size, const void *base, size_t stride, size_t n,
                   size_t room, size_t min);

#endif
