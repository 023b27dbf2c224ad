/* idtab.h - an id -> index table over an array of records whose first
 * member is a uint64_t id (snapshot groups, diff rows): open addressing,
 * slots hold index + 1 (0 = empty), a repeated id keeps its first record.
 * The caller owns the slots (any allocator) and the records. */
#ifndef PPROFTOP_IDTAB_H
#define PPROFTOP_IDTAB_H

#include <stddef.h>
#include <stdint.h>

#define IDTAB_NONE ((size_t)-1)

/* idtab_size: the number of slots for n records (a power of two > 2n, at
 * least 16). */
size_t idtab_size(size_t n);

/* idtab_fill: indexes the n records at base, stride bytes apart, into
 * tab[0..size), which must be zeroed and size = idtab_size(n) or more. */
void idtab_fill(uint32_t *tab, size_t size, const void *base, size_t stride, size_t n);

/* idtab_add: indexes record i alone (records 0..i-1 already are; the table
 * sized for every record it will hold). */
void idtab_add(uint32_t *tab, size_t size, const void *base, size_t stride, size_t i);

/* idtab_find: the index of the first record with id, or IDTAB_NONE (also
 * for an empty table, size 0). */
size_t idtab_find(const uint32_t *tab, size_t size, const void *base, size_t stride, uint64_t id);

#endif
