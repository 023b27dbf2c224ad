/* kinds.c - the table of profile kinds and of endpoints (see kinds.h). */
#include "pproftop/kinds.h"

#include <string.h>

static const struct value_type vt_count[] = { { "count", "count", false } };
static const struct value_type vt_threads[] = { { "count", "count", true } };
static const struct value_type vt_heap[] = {
	{ "inuse_bytes", "bytes", false },
	{ "inuse_objects", "objects", false },
	{ "alloc_bytes", "bytes", true },
	{ "alloc_objects", "objects", true },
};
static const struct value_type vt_contention[] = {
	{ "contentions", "count", true },
	{ "delay_ns", "nanoseconds", true },
};
static const struct value_type vt_cpu[] = {
	{ "cpu_ns", "nanoseconds", false },
	{ "samples", "count", false },
};

#define VT(a) (a), (int)(sizeof(a) / sizeof((a)[0]))

/* kind, name, alias, JSON key, values, primary, trim runtime, goroutines */
static const struct kind_info kinds[] = {
	[PROF_GOROUTINE] = { PROF_GOROUTINE, "goroutine", NULL, NULL, VT(vt_count), 0, true, true },
	[PROF_GOROUTINELEAK] = { PROF_GOROUTINELEAK, "goroutineleak", NULL, NULL, VT(vt_count), 0,
	                         true, true },
	[PROF_HEAP] = { PROF_HEAP, "heap", NULL, NULL, VT(vt_heap), 0, true, false },
	[PROF_ALLOCS] = { PROF_ALLOCS, "allocs", NULL, NULL, VT(vt_heap), 2, true, false },
	[PROF_BLOCK] = { PROF_BLOCK, "block", NULL, NULL, VT(vt_contention), 1, false, false },
	[PROF_MUTEX] = { PROF_MUTEX, "mutex", NULL, NULL, VT(vt_contention), 1, false, false },
	[PROF_THREADCREATE] = { PROF_THREADCREATE, "threadcreate", NULL, NULL, VT(vt_threads), 0,
	                        true, false },
	[PROF_CPU] = { PROF_CPU, "cpu", "profile", "cpu", VT(vt_cpu), 0, false, false },
	/* a custom pprof.Profile counts whatever its Add calls do, like goroutines */
	[PROF_CUSTOM] = { PROF_CUSTOM, "", NULL, NULL, VT(vt_count), 0, true, false },
};

const struct kind_info *
kind_info(enum prof_kind k)
{
	return k >= 0 && k <= PROF_CUSTOM ? &kinds[k] : &kinds[PROF_CUSTOM];
}

enum prof_kind
kind_from_name(const char *name)
{
	for (int k = 0; k < PROF_CUSTOM; k++)
		if (strcmp(kinds[k].name, name) == 0 ||
		    (kinds[k].alias != NULL && strcmp(kinds[k].alias, name) == 0))
			return (enum prof_kind)k;
	return PROF_CUSTOM;
}

#define NONE EP_COUNT

/* What each endpoint is fetched as: { text, protobuf } queries and saved
 * file names. heap?debug=1 brings the heap's in-use and allocation values
 * and MemStats in one response, so allocs and memstats are never fetched on
 * their own (fed_by); their protobuf file names are still read by --open. */
static const struct ep_info ep_table[EP_COUNT] = {
	[EP_GOROUTINE] = { .name = "goroutine",
	                   .query = { "goroutine?debug=1", "goroutine" },
	                   .file = { "goroutine-debug1.txt", "goroutine.pb.gz" },
	                   .profile = "goroutine",
	                   .fed_by = NONE,
	                   .kind = PROF_GOROUTINE,
	                   .title = "Goroutines" },
	[EP_HEAP] = { .name = "heap",
	              .query = { "heap?debug=1", NULL },
	              .file = { "heap-debug1.txt", "heap.pb.gz" },
	              .profile = "heap",
	              .fed_by = NONE,
	              .kind = PROF_HEAP,
	              .title = "Heap" },
	[EP_ALLOCS] = { .name = "allocs",
	                .query = { NULL, NULL },
	                .file = { "allocs-debug1.txt", "allocs.pb.gz" },
	                .profile = "allocs",
	                .fed_by = EP_HEAP,
	                .kind = PROF_ALLOCS,
	                .title = "Allocations" },
	[EP_BLOCK] = { .name = "block",
	               .query = { "block?debug=1", "block" },
	               .file = { "block-debug1.txt", "block.pb.gz" },
	               .profile = "block",
	               .needs_records = true,
	               .fed_by = NONE,
	               .kind = PROF_BLOCK,
	               .title = "Contention (block)" },
	[EP_MUTEX] = { .name = "mutex",
	               .query = { "mutex?debug=1", "mutex" },
	               .file = { "mutex-debug1.txt", "mutex.pb.gz" },
	               .profile = "mutex",
	               .needs_records = true,
	               .fed_by = NONE,
	               .kind = PROF_MUTEX,
	               .title = "Contention (mutex)" },
	[EP_GOROUTINELEAK] = { .name = "goroutineleak",
	                       .query = { "goroutineleak?debug=1", "goroutineleak" },
	                       .file = { "goroutineleak-debug1.txt", "goroutineleak.pb.gz" },
	                       .profile = "goroutineleak",
	                       .needs_index = true,
	                       .fed_by = NONE,
	                       .kind = PROF_GOROUTINELEAK,
	                       .title = "Proven leaks" },
	[EP_MEMSTATS] = { .name = "memstats",
	                  .query = { NULL, NULL },
	                  .file = { NULL, NULL },
	                  .profile = "heap",
	                  .fed_by = EP_HEAP,
	                  .kind = PROF_HEAP,
	                  .title = "MemStats" },
	[EP_INDEX] = { .name = "index",
	               .query = { "", NULL },
	               .file = { "index.html", NULL },
	               .fed_by = NONE,
	               .kind = PROF_CUSTOM,
	               .title = "Index" },
	[EP_DUMP] = { .name = "dump",
	              .query = { "goroutine?debug=2", NULL },
	              .file = { "goroutine-debug2.txt", NULL },
	              .profile = "goroutine",
	              .fed_by = NONE,
	              .kind = PROF_GOROUTINE,
	              .title = "Goroutine dump" },
	/* a window of CPU samples (profile?seconds=N, model_cpu_query): each
	 * snapshot is that window's own, so cur vs prev is this window against
	 * the previous one and the history has one point per window */
	[EP_CPU] = { .name = "cpu",
	             .query = { NULL, "profile" },
	             .file = { NULL, "cpu.pb.gz" },
	             .profile = "cpu",
	             .fed_by = NONE,
	             .kind = PROF_CPU,
	             .title = "CPU" },
};

const struct ep_info *
ep_info(enum ep_id e)
{
	return &ep_table[e];
}

enum ep_id
kind_endpoint(enum prof_kind k)
{
	/* goroutine-like kinds show as the goroutine pane's rows; else the
	 * first fetched endpoint (fed_by none) of that kind, or the one fed
	 * by another */
	if (kind_info(k)->goroutines)
		return EP_GOROUTINE;
	for (int pass = 0; pass < 2; pass++)
		for (int e = 0; e < EP_COUNT; e++)
			if (ep_table[e].kind == k && ep_table[e].profile != NULL &&
			    (pass == 1 || ep_table[e].fed_by == NONE) && e != EP_DUMP)
				return (enum ep_id)e;
	return EP_GOROUTINE;
}
