/* model.h - the live state of one watched target, fed by the poller.
 *
 * Pure: no terminal, loop or network here. The app calls model_ingest() with
 * each response body and model_fail() with each failed poll; the model
 * parses, diffs against the previous poll and the baseline, keeps bounded
 * histories and the header meters, and remembers the last good raw body of
 * every endpoint (for snapshots). The UI reads it through a struct view,
 * which is either the live model or a frozen copy (pause).
 */
#ifndef PPROFTOP_MODEL_H
#define PPROFTOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pproftop/diff.h"
#include "pproftop/history.h"
#include "pproftop/kinds.h"
#include "pproftop/profile.h"
#include "pproftop/symtab.h"


struct endpoint {
	struct snapshot *cur, *prev, *base; /* owned references; NULL until known */
	struct diff d;                      /* cur vs prev, valid when has_d */
	struct diff dbase;                  /* cur vs base, valid when has_dbase */
	bool has_d, has_dbase;
	struct history hist; /* per-group primary value */
	unsigned char *raw;  /* last good body exactly as fetched */
	size_t rawlen;
	double t_cur, t_prev, t_base; /* poll-clock seconds of cur, prev, base */
	double last_ok;               /* poll clock of the last good poll; 0 = never */
	double latency;               /* seconds, last attempt */
	size_t bytes;                 /* body size, last attempt */
	char err[512];                /* last attempt's error, "" when it succeeded */
	unsigned nerr;                /* consecutive failures */
	bool missing;                 /* the index says the target does not serve it */
	bool no_records;              /* the index counts no records: not fetched (needs_records) */
	enum ep_form form;            /* the form of cur and raw */
	enum ep_form want;            /* the form its next fetch asks for (cost.h) */
	size_t text_bytes;  /* its text form's size: measured, or estimated from the protobuf */
	double service_s;   /* service seconds the last fetch cost (estimated; cost.h) */
	size_t self_groups; /* pproftop's own groups taken out of the last snapshot */
	int64_t self_count; /* and their primary value (goroutines, bytes, ...) */
	bool restarted;     /* the last diff saw counters drop */
	bool old_process;   /* cur is from before a restart another endpoint saw
	                     * (this one failing meanwhile); cleared by its next
	                     * good poll */
	uint64_t polls;     /* good polls */
	/* Points: what histories and rates are measured on. Continuous
	 * profiles get one per good poll at the poll's time; heap and allocs
	 * change only at a GC, so they get one per GC cycle seen (a body
	 * unchanged since the last one adds none), at that cycle's time
	 * (the GC before MemStats' LastGC: the heap as of which the runtime
	 * published the profile, mapped onto the poll clock). */
	struct snapshot *pt; /* owned: the newest point's snapshot */
	double t_pt;         /* its time */
	uint64_t npoints;    /* points so far */
	double gc_pt;        /* MemStats NumGC at the newest point; -1 unknown */
	/* Rates over a short window: two anchors leapfrog every half
	 * rate_window, so dw spans between half of it and all of it. */
	struct snapshot *wa, *wb; /* owned; NULL until known */
	double t_wa, t_wb, gc_wa, gc_wb;
	struct diff dw; /* pt vs the older anchor, valid when has_dw */
	bool has_dw;
};

/* Header meters with short histories. */
enum meter_id {
	METER_GOROUTINES,
	METER_HEAP_ALLOC,
	METER_HEAP_INUSE,
	METER_SYS,
	METER_NUM_GC,
	METER_LAST_PAUSE_NS,
	METER_COUNT
};

struct model {
	struct endpoint ep[EP_COUNT];
	struct symtab syms; /* names of the goroutine text's hidden PCs (symtab.h) */
	uint64_t syms_gen;  /* bumped when syms learns names */
	struct series meter[METER_COUNT];
	double meter_now[METER_COUNT];
	bool meter_known[METER_COUNT];
	unsigned evict_after;     /* history eviction, in polls */
	unsigned restarts;        /* target restarts seen (a cumulative counter dropped) */
	double restart_at;        /* poll clock of the last one */
	char index_names[32][64]; /* profile names from the index page */
	int64_t index_counts[32]; /* and their record counts; -1 unknown */
	size_t nindex;
	double rtt_s;       /* the quickest TCP handshake seen: the network's part of a latency */
	double window;      /* growth verdict window, seconds (--window) */
	double rate_window; /* rates are measured over between half of this and all of it */
	/* goroutine and heap groups that both grow through a shared function
	 * of the service's own code ("where growth meets") */
	struct growth_link {
		uint64_t gid, hid;  /* goroutine group, heap group */
		char function[128]; /* the shared frame's function */
	} links[16];
	size_t nlinks;
	uint64_t links_gen; /* changes whenever the links do */
	/* fed by model_ingest_snapshot with merged snapshots (merge.h) */
	bool merged;
};

#define MODEL_RATE_WINDOW 20.0

/* model_init: an empty model. */
void model_init(struct model *m);

/* model_set_window: the growth verdict window in seconds (> 0), for every
 * endpoint's history from the next point on. */
void model_set_window(struct model *m, double window);

/* model_free: releases everything the model owns. */
void model_free(struct model *m);

/* model_ingest: a successful fetch of e at poll-clock time now. Takes
 * ownership of body (malloc'd). Parses it; on success the snapshot becomes
 * cur (the old cur becomes prev), diffs and histories are updated and 0 is
 * returned. On a parse error the last good data stays, ep->err says why
 * (one line) and -1 is returned. */
int model_ingest(struct model *m, enum ep_id e, unsigned char *body, size_t len, double now,
                 double latency);

/* model_ingest_snapshot: e's newest data is snap (taken: the model owns
 * that reference), at poll-clock time now, for a model fed with merged
 * snapshots of several targets (merge.h) instead of bodies: no raw body, no
 * parse; diffs, histories, points, meters and links as with model_ingest,
 * except that heap and allocs get one point per ingest that changed their
 * totals (a GC cycle on any replica), at now, since the replicas' cycles
 * have no one time. Sets m->merged. Returns -1 (snap freed) for a NULL
 * snap or EP_INDEX, else 0. */
int model_ingest_snapshot(struct model *m, enum ep_id e, struct snapshot *snap, double now);

/* model_ingest_timed: model_ingest for a live fetch, which also records what
 * it cost the service (cost_service_s) from libcurl's times: total_s,
 * pretransfer_s (until the request went out) and handshake_s (the TCP
 * handshake, when the fetch connected). */
int model_ingest_timed(struct model *m, enum ep_id e, unsigned char *body, size_t len, double now,
                       double total_s, double pretransfer_s, double handshake_s);

/* model_cpu_query: the query of a CPU window of seconds (>= 1) seconds,
 * relative to the prefix ("profile?seconds=5"), written to out (cap
 * bytes); returns out. */
char *model_cpu_query(char *out, size_t cap, int seconds);

/* model_cpu_cores: the cores (CPU seconds per second) of a CPU window
 * snapshot s: cpu_ns over its duration_ns, in all (g NULL) or of group g;
 * -1 when s is not a CPU profile or has no duration. */
double model_cpu_cores(const struct snapshot *s, const struct group *g);

/* model_symbol_query: the /debug/pprof/symbol query (after "symbol?") for
 * the hidden PCs of the goroutine text that were never asked for, written
 * to out (cap bytes); false when there is nothing to ask. */
bool model_symbol_query(struct model *m, char *out, size_t cap);

/* model_ingest_symbols: a /debug/pprof/symbol answer (body not owned):
 * the names learned say why the goroutines of the text wait. Returns the
 * number learned, or -1 (err set, one line) for a body that is no answer. */
int model_ingest_symbols(struct model *m, const unsigned char *body, size_t len, char *err,
                         size_t errlen);

/* model_query: what the next fetch of e asks for, relative to the prefix:
 * the form cost.h chose. */
const char *model_query(const struct model *m, enum ep_id e);

/* model_self_rate: bytes per second that serving /debug/pprof requests
 * (pproftop's, mostly) allocated in the service, from the pprof handler's
 * own stacks in the allocs profile over the rate window (*over seconds),
 * and the service's whole allocation rate (MemStats TotalAlloc) in *all.
 * False until two GC cycles are known. */
bool model_self_rate(const struct model *m, double *self, double *all, double *over);

/* model_fail: a failed fetch of e (err: one line, copied). */
void model_fail(struct model *m, enum ep_id e, const char *err, double now, double latency);

/* model_set_baseline: the current snapshots become the baseline of the
 * "since baseline" columns. */
void model_set_baseline(struct model *m);

/* model_memstat_rate: the service-wide rate of a cumulative MemStats
 * counter ("TotalAlloc", "Mallocs", "NumGC") over the rate window, exact
 * (MemStats are read stopping the world); *over is the seconds it spans.
 * False until two MemStats reads are known, or when the counter fell (a
 * restart). */
bool model_memstat_rate(const struct model *m, const char *name, double *per_sec, double *over);

/* model_link_of: the growth link of a goroutine (heap = false) or heap
 * group, or NULL. */
const struct growth_link *model_link_of(const struct model *m, uint64_t id, bool heap);

/* model_leaked: goroutines of group id that the last goroutineleak profile
 * proved leaked; -1 when that profile is not known. */
int64_t model_leaked(const struct model *m, uint64_t id);

/* model_index_parse: the profile names listed by a /debug/pprof/ index
 * page (rows minus cmdline, profile, symbol, trace), at most max names of
 * at most namelen-1 bytes. Returns how many. Pure; exposed for tests. */
size_t model_index_parse(const char *html, size_t len, char (*names)[64], size_t max);

/* model_index_counts: model_index_parse, also filling counts[i] with the
 * record count the page shows in front of names[i] (-1 when it shows
 * none). */
size_t model_index_counts(const char *html, size_t len, char (*names)[64], int64_t *counts,
                          size_t max);

/* A frozen or live view of the model for the panes. */
struct view_ep {
	const struct snapshot *cur, *prev, *base;
	const struct diff *d, *dbase; /* NULL when not available */
	const struct diff *dw;        /* rates over the rate window; NULL when not available */
	const struct history *hist;
};

struct view {
	struct view_ep ep[EP_COUNT];
	const struct model *m; /* meters, errors and ages always come from here */
	bool frozen;
	/* owned when frozen */
	struct snapshot *own[EP_COUNT][5]; /* cur, prev, base, pt, anchor */
	struct diff own_d[EP_COUNT], own_dbase[EP_COUNT], own_dw[EP_COUNT];
	struct history own_hist[EP_COUNT];
	struct series own_meter[METER_COUNT];
};

/* view_live: v shows m as it changes (no copies). */
void view_live(struct view *v, const struct model *m);

/* view_freeze: v keeps what m shows now (shared snapshot references,
 * copied histories); m may move on. Release with view_release. */
void view_freeze(struct view *v, const struct model *m);

/* view_release: drops a frozen view's references (no-op when live). */
void view_release(struct view *v);

/* view_meter: the meter history as shown (frozen or live). */
const struct series *view_meter(const struct view *v, enum meter_id id);

#endif
