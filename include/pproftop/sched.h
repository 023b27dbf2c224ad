/* sched.h - the polling policy: what each poll fetches, in what order, and
 * when the next poll starts.
 *
 * Pure: no loop, no network, no clock of its own. The caller (app.c) passes
 * the time in and runs what the scheduler says:
 *
 *     if (sched_poll_start(s, now))
 *         while ((n = sched_plan(s, states, order, EP_COUNT)) > 0) {
 *             fetch order[0] ...;
 *             sched_fetched(s, order[0], now, service_s, outcome, msg, len);
 *         }
 *     sched_poll_done(s, now);
 *     arm the poll timer for sched_next_poll(s, now) seconds
 *
 * A poll fetches one endpoint at a time in one fixed order: the index (when
 * due), goroutine, heap (heap?debug=1, which also brings allocs and
 * MemStats: they are never fetched on their own), block, mutex,
 * goroutineleak (when due), the goroutine dump (when asked for). Endpoints
 * the target does not serve are skipped, and so are block and mutex while
 * the index counts no records in them. When each is due comes from one
 * cadence table in sched.c:
 *
 *   index          every 30 good polls; a failed read is retried with each of
 *                  the next 3 polls
 *   goroutine, heap, block, mutex
 *                  every poll; live, within a CPU budget: what our requests
 *                  cost the service (estimated from each fetch's latency,
 *                  cost.h; an endpoint's cost is the least of its last 8
 *                  fetches) may be 1% of a core (--budget). The budget is
 *                  shared max-min fair: the fixed-cadence fetches take
 *                  theirs (at most half of it), the cheap
 *                  endpoints take what they need, and one that needs more
 *                  than an even share of the rest is fetched every k-th
 *                  poll only (k at most 30, counted from its last fetch),
 *                  until it is cheap again; a dead band (spaced further
 *                  when 25% over the share, back when 20% under it) keeps
 *                  a cost near the share from flipping the spacing
 *   heap           besides: once it has settled (5 fetches in a row without a
 *                  new GC cycle: nothing but the MemStats meters changed),
 *                  every 5th poll, until a fetch brings a new cycle
 *   goroutineleak  live: every 30 s (the poll nearest the mark) and on
 *                  demand (L); batch: the first and the last poll
 *   dump           on demand only (D; above 10,000 goroutines after a
 *                  confirmation)
 *
 * An allocation budget spaces whole polls: when what our requests allocate
 * in the service (its allocs profile says, model_self_rate) exceeds 1% of
 * what the service allocates itself, or 1 MiB/s if that is more, polls are
 * spaced out until it does not (at most 15 intervals apart). --budget 0
 * lifts both budgets.
 *
 * Never two polls at once. After a poll that could not reach the target the
 * next one waits interval * 2^failures, at most 30 s (or the interval when
 * that is longer). Batch mode fetches goroutine, heap, block and mutex on
 * every poll (never spaced out) and is finished after
 * the requested number of good polls or 3 failed ones in a row.
 */
#ifndef PPROFTOP_SCHED_H
#define PPROFTOP_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pproftop/model.h"

#define SCHED_BACKOFF_MAX 30.0  /* seconds */
#define SCHED_INDEX_EVERY 30    /* good polls between reads of the index */
#define SCHED_INDEX_RETRIES 3   /* polls that retry a failed index read */
#define SCHED_CPU_SHARE 0.01    /* of a core: what our requests may cost the service */
#define SCHED_SLOW_MAX_EVERY 30 /* polls: the widest spacing of one endpoint */
#define SCHED_STARTS 256        /* poll start times kept for the allocation budget */
#define SCHED_SETTLED_FETCHES 5 /* heap fetches without a new GC cycle: settled ... */
#define SCHED_SETTLED_EVERY 5   /* ... and then fetched every 5th poll until one comes */
#define SCHED_COST_FETCHES 8    /* an endpoint's cost: the least of its last 8 fetches */
#define SCHED_ALLOC_SHARE 0.01  /* of the service's own allocation rate ... */
#define SCHED_ALLOC_FLOOR ((double)(1 << 20)) /* ... or this many bytes/s, if more */
#define SCHED_STRETCH_MAX 15.0 /* the allocation budget spaces polls this much at most */
#define SCHED_LEAK_EVERY 30.0  /* seconds between goroutineleak requests (live) */
#define SCHED_DUMP_ASK_ABOVE 10000
#define SCHED_DUMP_CONFIRM_SECS 5.0

struct sched_config {
	double interval;  /* seconds between polls; <= 0: 2 */
	bool batch;       /* batch mode: no spacing, no on-demand fetches */
	unsigned batch_n; /* batch: good polls to make (0 counts as 1) */
	/* the budget: the share of a core (and of the service's own
	 * allocation rate) our requests may cost it; 0: SCHED_CPU_SHARE
	 * (and SCHED_ALLOC_SHARE); < 0: no limit (--budget 0) */
	double share;
};

/* What the scheduler needs to know of an endpoint, filled by the caller
 * from the model for every poll and every plan. */
struct sched_ep_state {
	bool missing;    /* the target does not serve it (model: endpoint.missing) */
	bool fetched;    /* a fetch of it succeeded at least once (model: endpoint.polls) */
	bool no_records; /* the index counts no records in it: skipped (model: no_records) */
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
	bool failed;              /* this poll hit SCHED_UNREACHABLE */
	size_t pos;               /* next row of the cadence table in this poll */
	bool due[EP_COUNT];       /* this poll, decided when it started */
	bool asked[EP_COUNT];     /* this poll fetches e because it was asked for */
	bool wanted[EP_COUNT];    /* asked for: with the next poll */
	unsigned every[EP_COUNT]; /* the CPU budget: fetched every every[e]-th poll */
	double cost[EP_COUNT];    /* service seconds of a fetch of e: the least of the last
	                           * SCHED_COST_FETCHES; < 0 unknown */
	double costs[EP_COUNT][SCHED_COST_FETCHES];
	size_t ncosts[EP_COUNT];
	uint64_t fetched_seq[EP_COUNT]; /* seq (after its increment) of the poll that last
	                                 * fetched e */
	uint64_t nfetched[EP_COUNT];    /* fetches of e so far */
	double stretch;                 /* the allocation budget: polls this many intervals apart */
	unsigned
	    unchanged[EP_COUNT];     /* fetches in a row that brought nothing new (sched_changed) */
	double starts[SCHED_STARTS]; /* when the last polls started (a ring) */
	size_t nstarts;
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

/* sched_fetched: the fetch of e in the current poll ended at now, having
 * cost the service service_s seconds (< 0 unknown), with outcome. The plan
 * moves past e. Fills msg (msglen bytes, always NUL-terminated when
 * msglen > 0) with one line to show when a spacing changed, e.g. "to keep
 * pproftop under 1% of a core: goroutine costs the service 310 ms a fetch:
 * fetched every 19 polls (38.0 s)"; otherwise msg is "". After
 * SCHED_UNREACHABLE the plan is empty: the caller marks what it still had
 * planned as failed and calls sched_poll_done. */
void sched_fetched(struct sched *s, enum ep_id e, double now, double service_s,
                   enum sched_outcome outcome, char *msg, size_t msglen);

/* sched_poll_done: the current poll ended at now (all of its plan fetched,
 * or cut short by SCHED_UNREACHABLE, which makes it a failed poll). Sets
 * the time of the next poll. No-op when no poll is in progress. */
void sched_poll_done(struct sched *s, double now);

/* sched_next_poll: seconds from now until the next poll should start: 0
 * when it is due already, INFINITY while a poll is in progress or when
 * batch mode is finished. */
double sched_next_poll(const struct sched *s, double now);

/* sched_every: e is fetched every sched_every(s, e)-th poll (1: every poll):
 * the CPU budget's spacing, or, for the heap while it has settled (its last
 * SCHED_SETTLED_FETCHES fetches brought no new GC cycle), every
 * SCHED_SETTLED_EVERY-th poll, whichever is wider. Live, with a budget. */
unsigned sched_every(const struct sched *s, enum ep_id e);

/* sched_cpu_load: the share of a core our requests cost the service at the
 * current spacings, as the CPU budget counts it (each endpoint's cost over
 * its spacing, the fixed cadences amortized); 0 before anything is known. */
double sched_cpu_load(const struct sched *s);

/* sched_changed: the fetch of e just made brought new data (changed: for
 * the heap, a new GC cycle) or not. */
void sched_changed(struct sched *s, enum ep_id e, bool changed);

/* sched_alloc_allowance: the bytes per second our requests may allocate in
 * a service that allocates all bytes per second in all (ours, self,
 * included; all < 0 unknown): share (0: SCHED_ALLOC_SHARE; < 0: no limit,
 * INFINITY) of its own, at least SCHED_ALLOC_FLOOR. */
double sched_alloc_allowance(double share, double self, double all);

/* sched_alloc_budget: what our requests allocate in the service (self) and
 * what it allocates in all (all, < 0 unknown), in bytes per second, measured
 * over the poll-clock window (from, to]: per poll, that is self times the
 * window over the polls started in it (at least 2). Spaces polls out (or brings them back) to keep
 * self under the allocation budget; returns true and says so in msg when the spacing changed. Live
 * only. */
bool sched_alloc_budget(struct sched *s, double self, double all, double from, double to, char *msg,
                        size_t msglen);

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
