/* symtab.h - names for the program counters a debug=1 goroutine profile
 * leaves unnamed.
 *
 * The debug=1 text hides the runtime frames at the leaf of each stack
 * (runtime.gopark, runtime.chanrecv, runtime.selectgo, ...), which are what
 * says why a goroutine waits; their PCs are still on the record line
 * (struct group's hpcs). /debug/pprof/symbol names them: a GET with the PCs
 * as the query ("symbol?0x43a6d6+0x4068ac") answers "num_symbols: 1" and
 * one "0xPC name" line per PC it knows. A symtab keeps those names for one
 * process (clear it at a restart: the PCs mean nothing in another binary).
 *
 * Pure core: no I/O. The table owns its names.
 */
#ifndef PPROFTOP_SYMTAB_H
#define PPROFTOP_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pproftop/arena.h"
#include "pproftop/profile.h"

#define SYMTAB_MAX 65536    /* PCs kept; past it nothing more is asked */
#define SYMTAB_QUERY_PCS 64 /* PCs asked in one request */

struct symtab_entry {
	uint64_t pc;      /* 0 = empty slot */
	const char *name; /* NULL: asked, not (yet) known */
};

struct symtab {
	struct symtab_entry *e; /* open addressing, power-of-two size */
	size_t size, n;
	struct arena names;
};

/* symtab_init: an empty table. */
void symtab_init(struct symtab *st);

/* symtab_clear: forgets every PC (a restart of the target). */
void symtab_clear(struct symtab *st);

/* symtab_free: releases st; it may be initialized again. */
void symtab_free(struct symtab *st);

/* symtab_name: the function at pc, or NULL when unknown. */
const char *symtab_name(const struct symtab *st, uint64_t pc);

/* symtab_query: the query (without '?') naming up to SYMTAB_QUERY_PCS hidden
 * PCs of s's groups that were never asked for, "0x43a6d6+0x4068ac", written
 * to out (cap bytes, NUL included); they count as asked from now on, so a
 * PC the target cannot name is asked once. Returns how many PCs are in it
 * (0: nothing to ask, out ""). */
size_t symtab_query(struct symtab *st, const struct snapshot *s, char *out, size_t cap);

/* symtab_ingest: the body of a /debug/pprof/symbol answer (not owned).
 * Returns the number of names learned, or -1 with a one-line reason in
 * err (errlen bytes) when the body is not such an answer (names learned
 * before the bad line are kept). Names of PCs never asked are ignored. */
int symtab_ingest(struct symtab *st, const unsigned char *body, size_t len, char *err,
                  size_t errlen);

/* symtab_hidden: the names of g's hidden frames, leaf first, into out (max
 * entries): g's hidden frames (a protobuf's) or its hidden PCs named by st.
 * Returns how many, 0 when any PC is still unnamed (nothing to tell yet). */
size_t symtab_hidden(const struct symtab *st, const struct group *g, const char **out, size_t max);

#endif
