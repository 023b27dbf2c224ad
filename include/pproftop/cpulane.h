/* cpulane.h - the long lane: when CPU windows (profile?seconds=N) run.
 *
 * Pure: no loop, no network, no clock of its own; the caller passes the
 * time in and runs what the lane says, beside the polls of sched.h (per
 * target at most one CPU window and one short request in flight):
 *
 *     if (cpulane_start(l, now))
 *         fetch model_cpu_query(q, sizeof(q), l->seconds) with the timeout
 *         cpulane_timeout_s(l, normal) ...;
 *     when it ends: cpulane_done(l, now, cpulane_classify(...), msg, len);
 *     arm the lane's timer for cpulane_next(l, now) seconds
 *
 * CPU profiling costs the service a SIGPROF per 10 ms of CPU while it
 * runs, so the lane is off unless asked for: while the CPU pane is shown
 * (cpulane_set_shown) or always (--cpu). Windows run back to back, each
 * max(5 s, interval) rounded up to whole seconds. A pane that stops being
 * shown lets the window in flight finish and starts no other.
 *
 * A 500 whose body says "cpu profiling already in use" (the service's own
 * continuous profiler holds the CPU profile) is retried after 30 s, with
 * one line saying so; any other failure backs off interval * 2^failures,
 * at most 30 s. Batch mode (--batch --cpu) runs one window covering the
 * polls (max(5 s, the polls' span)) and is finished after it, whatever it
 * brought; the polls keep their cadence meanwhile.
 */
#ifndef PPROFTOP_CPULANE_H
#define PPROFTOP_CPULANE_H

#include <stdbool.h>
#include <stddef.h>

#define CPULANE_MIN_SECONDS 5    /* the shortest window */
#define CPULANE_IN_USE_RETRY 30. /* seconds: "cpu profiling already in use" */
#define CPULANE_BACKOFF_MAX 30.  /* seconds: other failures */

struct cpulane_config {
	double interval;  /* seconds between polls; <= 0: 2 */
	bool always;      /* --cpu: on whatever is shown */
	bool batch;       /* batch mode: one window */
	unsigned batch_n; /* batch: the polls the window covers (0 counts as 1) */
};

/* How a window ended. */
enum cpulane_outcome {
	CPULANE_OK,     /* a CPU profile came and was understood */
	CPULANE_IN_USE, /* 500 "cpu profiling already in use" */
	CPULANE_FAILED, /* anything else: network, timeout, other status, bad body */
};

/* Embed it by value; the fields are read-only for callers. */
struct cpulane {
	struct cpulane_config cfg;
	double interval;   /* current seconds between polls (cpulane_set_interval) */
	bool shown;        /* the CPU pane is shown */
	bool running;      /* a window is in flight */
	int seconds;       /* the running (or the last) window's length */
	double started;    /* when it started */
	double next_at;    /* the next window starts no earlier */
	double last_ok;    /* when the last good window ended; 0 never */
	unsigned failures; /* windows in a row that failed */
	unsigned windows;  /* good windows so far */
	bool in_use;       /* the last one found the CPU profile in use */
	bool finished;     /* batch: its window is over */
};

/* cpulane_init: an idle lane (copies cfg); with cfg->always (or in batch)
 * the first window is due at once. Owns nothing. */
void cpulane_init(struct cpulane *l, const struct cpulane_config *cfg);

/* cpulane_set_shown: the CPU pane is shown (true) or not. */
void cpulane_set_shown(struct cpulane *l, bool shown);

/* cpulane_set_interval: the polls' interval changed (`+`/`-`): the next
 * windows' length follows. */
void cpulane_set_interval(struct cpulane *l, double interval);

/* cpulane_wanted: windows should run (the pane is shown, --cpu, or batch
 * not finished). */
bool cpulane_wanted(const struct cpulane *l);

/* cpulane_window_seconds: the length of the next window: live
 * max(CPULANE_MIN_SECONDS, interval) rounded up; batch
 * max(CPULANE_MIN_SECONDS, interval * (batch_n - 1)) rounded up. */
int cpulane_window_seconds(const struct cpulane *l);

/* cpulane_next: seconds from now until the next window should start: 0 when
 * due, INFINITY while one runs, when not wanted or when batch is finished. */
double cpulane_next(const struct cpulane *l, double now);

/* cpulane_start: starts a window at now when one is due (sets running,
 * seconds, started); false, changing nothing, otherwise. */
bool cpulane_start(struct cpulane *l, double now);

/* cpulane_timeout_s: the running window's request timeout: its seconds
 * plus timeout_s, the short requests' timeout. */
double cpulane_timeout_s(const struct cpulane *l, double timeout_s);

/* cpulane_classify: the outcome of a response that was not a good CPU
 * profile: http_code (0 when none arrived) and its body (may be NULL). */
enum cpulane_outcome cpulane_classify(long http_code, const unsigned char *body, size_t len);

/* cpulane_done: the running window ended at now with outcome o. Schedules
 * the next one (back to back after a good one) and writes to msg (msglen
 * bytes, always NUL-terminated when msglen > 0) one line to show, or "":
 * for CPULANE_IN_USE "the service's own profiler holds the CPU profile:
 * retrying in 30 s" (batch: "... holds the CPU profile"). No-op when no
 * window runs. */
void cpulane_done(struct cpulane *l, double now, enum cpulane_outcome o, char *msg, size_t msglen);

/* cpulane_status: the header's words while a window runs, "CPU profiling
 * on (5 s windows)", into buf (len bytes); NULL (buf untouched) when none
 * runs. */
const char *cpulane_status(const struct cpulane *l, char *buf, size_t len);

#endif
