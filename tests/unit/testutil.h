/* testutil.h - helpers shared by the unit tests. */
#ifndef PPROFTOP_TESTUTIL_H
#define PPROFTOP_TESTUTIL_H

#include <stddef.h>

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

#endif
