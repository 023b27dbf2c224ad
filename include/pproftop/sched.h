/* sched.h - the polling policy: what each poll fetches, in what order, and
 * when the next poll starts.
 *
 * Pure: no loop, no network, no clock of its own. The caller (app.c) passes
 * the time in and runs what the scheduler says:
 *
 *     if (sched_poll_start(s, now))
 *         while ((n = sched_plan(s, states, order, EP_COUNT)) > 0) {
 *             fetch order[0] ...;
 *             sched_fetched(s, order[0], now, latency, outcome, msg, len);
 *         }
 *     sched_poll_done(s, now);
 *     arm the poll timer for sched_next_poll(s, now) seconds
 *
 * A poll fetches one endpoint at a time in one fixed order: the index (when
 * due), goroutine, memstats (heap?debug=1) immediately before heap, heap,
 * allocs, block, mutex, goroutineleak (when due), the goroutine dump (when
 * asked for). Endpoints the target does not serve are skipped. When each is
 * due comes from one cadence table in sched.c:
 *
 *   index          every 30 good polls; a failed read is retried with each of
 *                  the next 3 polls
 *   goroutine, heap, allocs, block, mutex
 *                  every poll; live, an endpoint slower than 25 % of the
 *                  interval (the budget) only every k-th poll, k =
 *                  floor(latency / budget) + 1 at most 30, until it is fast
 *                  again
 *   memstats       with heap (same poll, right before it), spaced with it
 *   goroutineleak  live: every 30 s (the poll nearest the mark) and on
 *                  demand (L); batch: the first and the last poll
 *   dump           on demand only (D; above 10,000 goroutines after a
 *                  confirmation)
 *
 * Never two polls at once. After a poll that could not reach the target the
 * next one waits interval * 2^failures, at most 30 s (or the interval when
 * that is longer). Batch mode fetches goroutine, memstats, heap, allocs,
 * block and mutex on every poll (never spaced out) and is finished after
 * the requested number of good polls or 3 failed ones in a row.
 */
#ifndef PPROFTOP_SCHED_H
#define PPROFTOP_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pproftop/model.h"

#define SCHED_BACKOFF_MAX 30.0   /* seconds */
#define SCHED_INDEX_EVERY 30     /* good polls between reads of the index */
#define SCHED_INDEX_RETRIES 3    /* polls that retry a failed index read */
#define SCHED_SLOW_FRACTION 0.25 /* of the interval: slower gets spaced out */
#define SCHED_SLOW_MAX_EVERY 30  /* polls */
#define SCHED_LEAK_EVERY 30.0    /* seconds between goroutineleak requests (live) */
#define SCHED_DUMP_ASK_ABOVE 10000
#define SCHED_DUMP_CONFIRM_SECS 5.0

struct sched_config {
	double interval;  /* seconds between polls; <= 0: 2 */
	bool batch;       /* batch mode: no spacing, no on-demand fetches */
	unsigned batch_n; /* batch: good polls to make (0 counts as 1) */
};

/* What the scheduler needs to know of an endpoint, filled by the caller
 * from the model for every poll and every plan. */
struct sched_ep_state {
	bool missing; /* the target does not serve it (model: endpoint.missing) */
	bool fetched; /* a fetch of it succeeded at least once (model: endpoint.polls) */
};

/* The outcome of one fetch. */
enum sched_outcome {
	SCHED_OK,          /* fetched and understood */
	SCHED_BAD,         /* the target answered, but with an error or a bad body */
	SCHED_UNREACHABLE, /* network error or timeout: the rest of the poll is off */
};

/* Embed it by value; the fields are read-only for callers. */
struct sched {
	struct sched_config cfg;
	double interval;   /* current seconds between polls (sched_change_interval) */
	bool polling;      /* a poll is in progress */
	uint64_t npolls;   /* good polls so far */
	uint64_t seq;      /* polls started so far */
	unsigned failures; /* consecutive polls that could not reach the target */
	double poll_t0;    /* start of the current (or last) poll */
	double latency;    /* seconds the last complete poll took; 0 unknown */
	/* private */
	bool failed;               /* this poll hit SCHED_UNREACHABLE */
	size_t pos;                /* next row of the cadence table in this poll */
	bool due[EP_COUNT];        /* this poll, decided when it started */
	bool asked[EP_COUNT];      /* this poll fetches e because it was asked for */
	bool wanted[EP_COUNT];     /* asked for: with the next poll */
	unsigned every[EP_COUNT];  /* slow spacing: fetched every every[e]-th poll */
	unsigned nfail[EP_COUNT];  /* consecutive failed fetches of e */
	double last[EP_COUNT];     /* start of the poll that last fetched e; < 0 never */
	double next_at;            /* when the next poll is due */
	double dump_confirm_until; /* a second D before this fetches a large dump */
};

/* sched_init: a scheduler whose first poll is due at once. Copies cfg.
 * Owns nothing (nothing to free). */
void sched_init(struct sched *s, const struct sched_config *cfg);

/* sched_poll_start: starts a poll at now and decides what is due in it.
 * Returns false, changing nothing, when a poll is already in progress
 * (never two at once) or when batch mode is finished. */
bool sched_poll_start(struct sched *s, double now);

/* sched_plan: the rest of the current poll, in fetch order, into order
 * (at most max entries); order[0] is the next fetch. Returns how many; 0
 * when the poll has nothing left (or none is in progress, or it hit
 * SCHED_UNREACHABLE). states (EP_COUNT entries) is read now, so an index
 * read earlier in the same poll already counts. Changes nothing: call it
 * after each sched_fetched. */
size_t sched_plan(const struct sched *s, const struct sched_ep_state *states, enum ep_id *order,
                  size_t max);

/* sched_fetched: the fetch of e in the current poll ended at now after
 * latency seconds with outcome. The plan moves past e. Fills msg (msglen
 * bytes, always NUL-terminated when msglen > 0) with one line to show when
 * something changed, e.g. "goroutine took 0.45 s (over 25% of the
 * interval): fetched every 2 polls to spare the target"; otherwise msg is
 * "". After SCHED_UNREACHABLE the plan is empty: the caller marks what it
 * still had planned as failed and calls sched_poll_done. */
void sched_fetched(struct sched *s, enum ep_id e, double now, double latency,
                   enum sched_outcome outcome, char *msg, size_t msglen);

/* sched_poll_done: the current poll ended at now (all of its plan fetched,
 * or cut short by SCHED_UNREACHABLE, which makes it a failed poll). Sets
 * the time of the next poll. No-op when no poll is in progress. */
void sched_poll_done(struct sched *s, double now);

/* sched_next_poll: seconds from now until the next poll should start: 0
 * when it is due already, INFINITY while a poll is in progress or when
 * batch mode is finished. */
double sched_next_poll(const struct sched *s, double now);

/* sched_finished: batch mode made its batch_n good polls or gave up after
 * 3 failed ones in a row. Always false live. */
bool sched_finished(const struct sched *s);

/* sched_asked: e is in the current poll because it was asked for (D, L);
 * true from sched_poll_start until sched_fetched(e). Something asked for
 * but not fetched (the poll was cut short) is asked for again with the next
 * poll. */
bool sched_asked(const struct sched *s, enum ep_id e);

/* sched_poll_now: `r`: the next poll is due now and the backoff starts
 * over. Returns false, changing nothing, while a poll is in progress. */
bool sched_poll_now(struct sched *s, double now);

/* sched_request_dump: `D`. goroutines: the target's goroutine count, < 0
 * when unknown. Above SCHED_DUMP_ASK_ABOVE or unknown, the first D only
 * warns (msg names the count, returns false); D again within
 * SCHED_DUMP_CONFIRM_SECS asks for the dump, as does a single D on a small
 * count: it is fetched at the end of the next poll, which is due at once
 * when none is in progress (returns true). msg (msglen bytes) always says
 * what happens. Live only. */
bool sched_request_dump(struct sched *s, double now, double goroutines, char *msg, size_t msglen);

/* sched_request_leakcheck: `L`: goroutineleak with the next poll (due at
 * once when none is in progress), which also restarts its 30 s cadence.
 * When states say the target does not serve it, nothing is asked and msg
 * says which Go it needs. msg (msglen bytes) always says what happens.
 * Returns true when the check was asked for. Live only. */
bool sched_request_leakcheck(struct sched *s, double now, const struct sched_ep_state *states,
                             char *msg, size_t msglen);

/* sched_change_interval: `+` (dir > 0: the next shorter step) or `-` (the
 * next longer one) through 0.2 0.5 1 2 3 5 10 15 30 60 s. When no poll is
 * in progress, the next one is due one (backed-off) interval from now.
 * Returns the new interval. */
double sched_change_interval(struct sched *s, double now, int dir);

#endif
