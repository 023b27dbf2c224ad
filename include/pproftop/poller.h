/* poller.h - one watched target: its model, its scheduler and its requests.
 *
 * A poller runs the pure scheduler (sched.h) for one target on the app's
 * libev loop: one one-shot ev_timer starts each poll, and the poll fetches
 * what the scheduler plans one after another (one short request of a
 * target in flight at a time, never two for the same endpoint). Each body
 * goes to the poller's model (parse, diff, history); what happened reaches
 * the app through its hooks. After the plan, one small /debug/pprof/symbol
 * request names the goroutine text's new hidden PCs.
 *
 * Beside the polls runs the long lane (cpulane.h): CPU windows,
 * profile?seconds=N, while the CPU pane is shown (poller_set_cpu_shown) or
 * always (--cpu), with their own timer and a timeout of the window plus
 * the short requests' timeout. So a target has at most one short and one
 * long request in flight; the polls keep their cadence while a window runs.
 *
 * Many pollers share one fetcher and one gate: the gate caps the short
 * requests in flight across all of them; a poller that finds it full waits
 * its turn (first come, first served) and goes on when a request ends. The
 * long lane's request does not take a slot: it mostly waits for its
 * seconds to pass, and holding a slot that long would stall the polls of
 * other targets.
 *
 * Knows libev (through fetch.h's struct ev_loop) but neither curses nor
 * libcurl; it never draws and never writes to stderr.
 */
#ifndef PPROFTOP_POLLER_H
#define PPROFTOP_POLLER_H

#include <stdbool.h>
#include <stddef.h>

#include "pproftop/cpulane.h"
#include "pproftop/model.h"
#include "pproftop/sched.h"

struct ev_loop;
struct fetcher;
struct fetch;
struct poller;

#define POLLER_GATE_DEFAULT 8 /* short requests in flight across all targets */

/* The cap on short requests in flight across pollers. Embed by value,
 * poller_gate_init it; it must outlive its pollers. */
struct poller_gate {
	unsigned max;            /* requests in flight at most (>= 1) */
	unsigned inflight;       /* now */
	struct poller **waiting; /* FIFO of pollers waiting for a slot */
	size_t nwaiting, capwaiting;
	unsigned peak; /* the most in flight at once so far (tests, bench) */
};

/* poller_gate_init: a gate of max slots (0: POLLER_GATE_DEFAULT). */
void poller_gate_init(struct poller_gate *g, unsigned max);

/* poller_gate_free: releases its queue (no poller may wait on it). */
void poller_gate_free(struct poller_gate *g);

/* What the poller tells its owner; every hook may be NULL. ud is the
 * poller_config's. */
struct poller_hooks {
	void (*changed)(void *ud, struct poller *p);                  /* data or state moved */
	void (*message)(void *ud, struct poller *p, const char *msg); /* one line to show */
	void (*poll_done)(void *ud, struct poller *p); /* a poll, or a CPU window, ended */
};

struct poller_config {
	const char *url;   /* base URL with a trailing slash (target_parse); copied */
	const char *shown; /* the target as displayed; copied */
	struct sched_config sched;
	struct cpulane_config cpu; /* the long lane */
	double timeout_s;          /* the short requests' timeout (a window's is its
	                            * seconds plus this) */
	double window;             /* growth verdict window (model_set_window); <= 0: the default */
	const struct poller_hooks *hooks;
	void *ud;
};

/* Read-only for the owner but for model (which the UI may show). */
struct poller {
	char url[1024];
	char shown[512];
	struct model model;
	struct sched sched;
	struct cpulane lane; /* CPU windows: when they run (cpulane_status for the header) */
	bool no_pprof;       /* the goroutine profile's last fetch was a 404 */
	/* private */
	struct ev_loop *loop;
	struct fetcher *fetcher;
	struct poller_gate *gate;
	const struct poller_hooks *hooks;
	void *ud;
	void *timer;                /* the poll timer (an ev_timer, allocated) */
	bool symbols_asked;         /* this poll asked /debug/pprof/symbol already */
	bool waiting;               /* queued on the gate */
	bool holds_slot;            /* a short request of ours is in flight */
	enum ep_id order[EP_COUNT]; /* what is left of the poll's plan; order[0] in flight */
	size_t norder;
	struct fetch *inflight;
	double fetch_t0;
	void *lane_timer;         /* the long lane's (an ev_timer, allocated) */
	struct fetch *lane_fetch; /* the CPU window in flight */
	double timeout_s;
};

/* poller_new: a poller for cfg's target on loop, fetching through f and
 * gate (both shared, outliving it). It does not poll before poller_start.
 * Free with poller_free. */
struct poller *poller_new(struct ev_loop *loop, struct fetcher *f, struct poller_gate *gate,
                          const struct poller_config *cfg);

/* poller_start: the first poll is due at once (and, with --cpu, the
 * first CPU window). */
void poller_start(struct poller *p);

/* poller_set_cpu_shown: the CPU pane is shown (CPU windows run back to
 * back) or not (the lane stops after the window in flight). */
void poller_set_cpu_shown(struct poller *p, bool shown);

/* poller_finished: batch: its polls are made (or given up) and its CPU
 * window (--cpu) is over. */
bool poller_finished(const struct poller *p);

/* poller_free: cancels its requests and timer, leaves the gate, frees
 * the model. NULL is fine. */
void poller_free(struct poller *p);

/* poller_poll_now: `r`: the next poll now; false while one is running. */
bool poller_poll_now(struct poller *p);

/* poller_request_dump: `D` (sched_request_dump); msg says what happens. */
void poller_request_dump(struct poller *p, char *msg, size_t msglen);

/* poller_request_leakcheck: `L` (sched_request_leakcheck); msg says what
 * happens. */
void poller_request_leakcheck(struct poller *p, char *msg, size_t msglen);

/* poller_change_interval: `+` (dir > 0) or `-` (the next CPU windows
 * follow); returns the new interval. */
double poller_change_interval(struct poller *p, int dir);

/* poller_down: the target could not be reached (or served no pprof) at its
 * last poll; why (one line) goes to *why when not NULL. */
bool poller_down(const struct poller *p, const char **why);

#endif
