/* testutil.h - helpers shared by the unit tests. */
#ifndef PPROFTOP_TESTUTIL_H
#define PPROFTOP_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "pproftop/profile.h"

/* tu_read: the whole file at $PPROFTOP_FIXTURES/rel (malloc'd, NUL-terminated
 * beyond *len); fails the test when missing. */
char *tu_read(const char *rel, size_t *len);

/* tu_parse: tu_read + profile_parse; fails the test (printing the parse
 * error) when parsing fails. name may be NULL. */
struct snapshot *tu_parse(const char *rel, const char *name);

/* tu_group_by_label: the first group whose label frame's function is fn. */
const struct group *tu_group_by_label(const struct snapshot *s, const char *fn);

/* tu_group_by_leaf_fn: the first group containing a frame whose function is fn. */
const struct group *tu_group_with_fn(const struct snapshot *s, const char *fn);

/* tu_heap_text: a heap debug=1 body (sampling rate 1, so the values are as
 * written): main.grow (called by main.worker) holding grow bytes in
 * grow/1024 objects with allocated bytes allocated, main.other a fixed
 * 4096, and a MemStats trailer with TotalAlloc, Mallocs (TotalAlloc/64),
 * NumGC and LastGC. malloc'd; *len is its size. */
unsigned char *tu_heap_text(int64_t grow, int64_t allocated, int numgc, double last_gc_s,
                            int64_t total_alloc, size_t *len);

#endif
