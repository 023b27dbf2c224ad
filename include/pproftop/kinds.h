/* kinds.h - the one table of what pproftop knows of each profile kind and
 * of each endpoint it fetches: names, value types and the primary value,
 * queries, saved file names, titles. Pure data; profile.c, model.c,
 * savedir.c, report.c and the panes read it instead of switching on kinds.
 *
 * Adding an endpoint: a row in each table of kinds.c (and an enum ep_id),
 * and its cadence row in sched.c.
 */
#ifndef PPROFTOP_KINDS_H
#define PPROFTOP_KINDS_H

#include <stdbool.h>
#include <stddef.h>

#include "pproftop/profile.h"

/* What pproftop knows of a profile kind. */
struct kind_info {
	enum prof_kind kind;
	const char *name;            /* the endpoint name Go serves it under */
	const char *alias;           /* another name for it ("profile" for cpu), or NULL */
	const char *json_key;        /* its key in JSON (NULL: the snapshot's own name) */
	const struct value_type *vt; /* its values */
	int nvalues;
	int primary;       /* index of the default value: sorting, totals, by-target */
	bool trim_runtime; /* runtime frames at the leaf are hidden (not block, mutex, cpu) */
	bool goroutines;   /* values count goroutines (a STATE column; label weights) */
};

/* kind_info: the row of k (every enum prof_kind has one). */
const struct kind_info *kind_info(enum prof_kind k);

/* kind_from_name: the kind for an endpoint name ("goroutine", "heap",
 * "cpu"/"profile", ...); unknown names are PROF_CUSTOM. */
enum prof_kind kind_from_name(const char *name);

/* What a poll fetches, cheapest first. The table in kinds.c gives each its
 * path and query. */
enum ep_id {
	EP_GOROUTINE,
	EP_HEAP,
	EP_ALLOCS,
	EP_BLOCK,
	EP_MUTEX,
	EP_GOROUTINELEAK, /* Go 1.26+: proven leaks; each request runs a GC cycle */
	EP_MEMSTATS,      /* heap?debug=1 for the runtime.MemStats trailer */
	EP_INDEX,         /* the /debug/pprof/ index: which profiles exist */
	EP_DUMP,          /* goroutine?debug=2: only on demand (it stops the world) */
	EP_CPU,           /* profile?seconds=N: the long lane (cpulane.h), never in a poll */
	EP_COUNT
};

/* The forms an endpoint can be fetched in. The debug=1 text costs the
 * service far less than the protobuf (whose handler makes a gzip writer of
 * about 1.2 MiB per request) until the text gets big (cost.h). */
enum ep_form {
	FORM_TEXT,  /* ?debug=1 (the index page, and the ?debug=2 dump) */
	FORM_PROTO, /* the gzipped profile.proto */
	FORM_COUNT
};

struct ep_info {
	const char *name;              /* "goroutine", ..., "memstats", "index" */
	const char *query[FORM_COUNT]; /* relative to the prefix; NULL: never fetched so */
	const char *file[FORM_COUNT];  /* file name in a saved snapshot; NULL: none */
	const char *profile;           /* profile name given to the parser (NULL: index) */
	bool needs_index;              /* fetched only once the index lists it */
	bool needs_records;            /* skipped while the index counts no records */
	enum ep_id fed_by;             /* EP_COUNT: fetched; else what the fetch of fed_by brings */
	enum prof_kind kind;           /* what its body holds (PROF_CUSTOM: the index) */
	const char *title; /* what the detail view calls it: "Heap", "Contention (block)" */
};

/* ep_info: the static table entry for e. */
const struct ep_info *ep_info(enum ep_id e);

/* kind_endpoint: the endpoint whose pane shows a profile of kind k as rows
 * (a saved file of that kind is loaded as it): goroutine-like kinds
 * (goroutineleak too) and kinds no endpoint fetches show as goroutines. */
enum ep_id kind_endpoint(enum prof_kind k);

#endif
