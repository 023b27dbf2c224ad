/* sched.c - the polling policy (see sched.h). */
#include "pproftop/sched.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* When an endpoint is due. */
enum cadence {
	CAD_EVERY_POLL, /* every poll; live, spaced out while it is slow */
	CAD_POLLS,      /* every `period` good polls */
	CAD_SECONDS,    /* every `period` seconds: the poll nearest each mark */
	CAD_FED,        /* never fetched: another endpoint's fetch brings it */
	CAD_FIRST_LAST, /* the first and the last poll (batch) */
	CAD_ON_DEMAND,  /* only when asked for */
};

struct cadence_spec {
	enum cadence kind;
	double period; /* CAD_POLLS: polls; CAD_SECONDS: seconds */
};

struct rule {
	enum ep_id ep;
	unsigned retries; /* a failed fetch is retried with each of the next n polls */
	struct cadence_spec live, batch;
};

#define EVERY_POLL                                                                                 \
	{                                                                                          \
		CAD_EVERY_POLL, 0                                                                  \
	}

#define FED                                                                                        \
	{                                                                                          \
		CAD_FED, 0                                                                         \
	}

/* The one cadence table, in fetch order within a poll: the index first (it
 * says what exists), then cheapest first (heap?debug=1 also brings allocs
 * and MemStats, of the same GC cycle), the leak check (a GC cycle in the
 * target) and the dump (stops the world) last. */
static const struct rule rules[] = {
	{ EP_INDEX,
	  SCHED_INDEX_RETRIES,
	  { CAD_POLLS, SCHED_INDEX_EVERY },
	  { CAD_POLLS, SCHED_INDEX_EVERY } },
	{ EP_GOROUTINE, 0, EVERY_POLL, EVERY_POLL },
	{ EP_MEMSTATS, 0, FED, FED },
	{ EP_HEAP, 0, EVERY_POLL, EVERY_POLL },
	{ EP_ALLOCS, 0, FED, FED },
	{ EP_BLOCK, 0, EVERY_POLL, EVERY_POLL },
	{ EP_MUTEX, 0, EVERY_POLL, EVERY_POLL },
	{ EP_GOROUTINELEAK, 0, { CAD_SECONDS, SCHED_LEAK_EVERY }, { CAD_FIRST_LAST, 0 } },
	{ EP_DUMP, 0, { CAD_ON_DEMAND, 0 }, { CAD_ON_DEMAND, 0 } },
	/* never in a poll: the long lane beside the polls runs it (cpulane.h) */
	{ EP_CPU, 0, { CAD_ON_DEMAND, 0 }, { CAD_ON_DEMAND, 0 } },
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))
_Static_assert(NRULES == EP_COUNT, "every endpoint needs exactly one row in the cadence table");

static const double interval_steps[] = { 0.2, 0.5, 1, 2, 3, 5, 10, 15, 30, 60 };

static size_t
row_of(enum ep_id e)
{
	for (size_t i = 0; i < NRULES; i++)
		if (rules[i].ep == e)
			return i;
	return NRULES;
}

static const struct cadence_spec *
cadence_of(const struct sched *s, const struct rule *r)
{
	return s->cfg.batch ? &r->batch : &r->live;
}

static void
msg_set(char *msg, size_t msglen, const char *text)
{
	if (msglen > 0)
		snprintf(msg, msglen, "%s", text);
}

void
sched_init(struct sched *s, const struct sched_config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->interval = cfg->interval > 0 ? cfg->interval : 2;
	for (int e = 0; e < EP_COUNT; e++) {
		s->last[e] = -INFINITY;
		s->cost[e] = -1;
	}
	s->next_at = -INFINITY;
}

/* Whether r's own cadence makes it due in the poll starting now. */
static bool
cadence_due(const struct sched *s, const struct rule *r, double now)
{
	const struct cadence_spec *c = cadence_of(s, r);
	uint64_t n = s->cfg.batch_n > 0 ? s->cfg.batch_n : 1;
	unsigned k;

	if (s->nfail[r->ep] > 0 && s->nfail[r->ep] <= r->retries)
		return true;
	switch (c->kind) {
	case CAD_EVERY_POLL:
		/* counted from its last fetch, so a new spacing never brings two
		 * fetches back to back */
		k = s->cfg.batch ? 1 : sched_every(s, r->ep);
		return k <= 1 || s->nfetched[r->ep] == 0 || s->seq + 1 - s->fetched_seq[r->ep] >= k;
	case CAD_POLLS:
		return s->npolls % (uint64_t)c->period == 0;
	case CAD_SECONDS:
		/* the poll nearest the mark: polls need not divide the period */
		return now - s->last[r->ep] > c->period - s->interval / 2;
	case CAD_FIRST_LAST:
		return s->npolls == 0 || s->npolls + 1 >= n;
	case CAD_FED:       /* brought by another fetch */
	case CAD_ON_DEMAND: /* only when asked for */
		break;
	}
	return false;
}

unsigned
sched_every(const struct sched *s, enum ep_id e)
{
	unsigned k = s->every[e] > 1 ? s->every[e] : 1;

	/* settled: heap data changes only at a GC, so while none happens its
	 * fetch brings nothing new but the MemStats meters */
	if (e == EP_HEAP && !s->cfg.batch && s->cfg.share >= 0 &&
	    s->unchanged[e] >= SCHED_SETTLED_FETCHES && k < SCHED_SETTLED_EVERY)
		k = SCHED_SETTLED_EVERY;
	return k;
}

void
sched_changed(struct sched *s, enum ep_id e, bool changed)
{
	if (changed)
		s->unchanged[e] = 0;
	else if (s->unchanged[e] < UINT_MAX)
		s->unchanged[e]++;
}

bool
sched_poll_start(struct sched *s, double now)
{
	if (s->polling || sched_finished(s))
		return false;
	s->polling = true;
	s->failed = false;
	s->poll_t0 = now;
	s->starts[s->nstarts++ % SCHED_STARTS] = now;
	s->pos = 0;
	for (size_t i = 0; i < NRULES; i++) {
		enum ep_id e = rules[i].ep;
		s->asked[e] = s->wanted[e];
		s->wanted[e] = false;
		s->due[e] = s->asked[e] || cadence_due(s, &rules[i], now);
	}
	s->seq++;
	return true;
}

static bool
planned(const struct sched *s, const struct rule *r, const struct sched_ep_state *states)
{
	if (states[r->ep].missing || states[r->ep].no_records)
		return false;
	return s->due[r->ep];
}

size_t
sched_plan(const struct sched *s, const struct sched_ep_state *states, enum ep_id *order,
           size_t max)
{
	size_t n = 0;

	if (!s->polling || s->failed)
		return 0;
	for (size_t i = s->pos; i < NRULES && n < max; i++)
		if (planned(s, &rules[i], states))
			order[n++] = rules[i].ep;
	return n;
}

/* The budget's share: of a core, and of the service's allocation rate. */
static double
share_of(const struct sched *s)
{
	return s->cfg.share == 0 ? SCHED_CPU_SHARE : s->cfg.share < 0 ? 0 : s->cfg.share;
}

/* The polls' spacing in seconds, with the allocation budget's stretch. */
static double
spacing_s(const struct sched *s)
{
	return s->interval * (s->stretch > 1 ? s->stretch : 1);
}

/* What a fetch of r costs the service, amortized per poll by its cadence
 * when that is fixed (the index, the leak check); 0 unknown. */
static double
per_poll_fixed(const struct sched *s, const struct rule *r)
{
	const struct cadence_spec *c = &r->live;

	if (s->cost[r->ep] < 0)
		return 0;
	if (c->kind == CAD_POLLS)
		return s->cost[r->ep] / c->period;
	if (c->kind == CAD_SECONDS)
		return s->cost[r->ep] * spacing_s(s) / c->period;
	return 0;
}

/* The spacing k at which need a fetch is at most share a poll. */
static unsigned
spacing_for(double need, double share)
{
	double q = need <= share ? 1 : share > 0 ? ceil(need / share) : SCHED_SLOW_MAX_EVERY;

	return q >= SCHED_SLOW_MAX_EVERY ? SCHED_SLOW_MAX_EVERY : (unsigned)q;
}

/* The CPU budget, max-min fair: SCHED_CPU_SHARE of a core over a poll's
 * spacing is shared by the endpoints fetched every poll after the
 * fixed-cadence ones took theirs (at most half of it: they are not spaced
 * out, so they must not starve the rest); the cheapest take what they
 * need, and whatever each one needs beyond an even share of what is left
 * is had by fetching it every k-th poll only. Endpoints whose cost is not
 * known (never fetched, or skipped in the last poll) take nothing. Fills
 * k[] (1 = every poll). */
static void
budget_spacing(const struct sched *s, unsigned *k)
{
	double budget = share_of(s) * spacing_s(s), fixed = 0;
	enum ep_id todo[EP_COUNT];
	size_t n = 0;

	for (size_t i = 0; i < NRULES; i++) {
		k[rules[i].ep] = 1;
		if (rules[i].live.kind != CAD_EVERY_POLL)
			fixed += per_poll_fixed(s, &rules[i]);
		else if (s->cost[rules[i].ep] >= 0)
			todo[n++] = rules[i].ep;
	}
	double left = budget - (fixed < budget / 2 ? fixed : budget / 2);
	/* cheapest first (insertion sort: a handful of entries) */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && s->cost[todo[j]] < s->cost[todo[j - 1]]; j--) {
			enum ep_id t = todo[j];
			todo[j] = todo[j - 1];
			todo[j - 1] = t;
		}
	if (budget <= 0)
		return; /* --budget 0: no limit */
	for (size_t i = 0; i < n; i++) {
		enum ep_id e = todo[i];
		double need = s->cost[e], share = (left > 0 ? left : 0) / (double)(n - i);
		unsigned cur = s->every[e] > 1 ? s->every[e] : 1;
		/* a dead band: latencies jitter, and a spacing that flips
		 * every poll helps nobody. Space out further only when the
		 * current spacing is clearly (25%) over the share; come back
		 * to the spacing that is clearly (20%) under it. */
		unsigned want = cur;
		if (need > share && need / cur > 1.25 * share)
			want = spacing_for(need, share);
		else if (need / cur < share)
			want = spacing_for(need, 0.8 * share);
		if (want > cur && need / cur <= 1.25 * share)
			want = cur;
		k[e] = want;
		left -= need / want;
	}
}

double
sched_cpu_load(const struct sched *s)
{
	double per_poll = 0;

	for (size_t i = 0; i < NRULES; i++) {
		enum ep_id e = rules[i].ep;
		if (rules[i].live.kind != CAD_EVERY_POLL)
			per_poll += per_poll_fixed(s, &rules[i]);
		else if (s->cost[e] >= 0)
			per_poll += s->cost[e] / sched_every(s, e);
	}
	return per_poll / spacing_s(s);
}

/* Applies the budget; says in msg (when msglen > 0) what changed: every
 * endpoint whose spacing did, in one line. */
static void
check_budget(struct sched *s, char *msg, size_t msglen)
{
	unsigned k[EP_COUNT];
	char text[512];
	size_t o = 0;
	bool spaced = false;

	budget_spacing(s, k);
	text[0] = '\0';
	for (size_t i = 0; i < NRULES; i++) {
		enum ep_id e = rules[i].ep;
		unsigned was = s->every[e] > 0 ? s->every[e] : 1;
		if (rules[i].live.kind != CAD_EVERY_POLL || k[e] == was)
			continue;
		s->every[e] = k[e];
		if (o >= sizeof(text) || s->cost[e] < 0)
			continue; /* an endpoint skipped just now is not news */
		const char *sep = o > 0 ? "; " : "";
		if (k[e] > 1) {
			spaced = true;
			o += (size_t)snprintf(
			    text + o, sizeof(text) - o,
			    "%s%s costs the service %.0f ms a fetch: fetched every %u "
			    "polls (%.1f s)",
			    sep, ep_info(e)->name, s->cost[e] * 1e3, k[e], k[e] * spacing_s(s));
		} else {
			o += (size_t)snprintf(
			    text + o, sizeof(text) - o,
			    "%s%s costs the service %.1f ms a fetch: fetched every "
			    "poll again",
			    sep, ep_info(e)->name, s->cost[e] * 1e3);
		}
	}
	if (spaced)
		snprintf(msg, msglen, "to keep pproftop under %.0f%% of a core: %s",
		         share_of(s) * 100, text);
	else
		msg_set(msg, msglen, text);
}

void
sched_fetched(struct sched *s, enum ep_id e, double now, double service_s,
              enum sched_outcome outcome, char *msg, size_t msglen)
{
	size_t row = row_of(e);

	msg_set(msg, msglen, "");
	if (!s->polling || row >= NRULES)
		return;
	if (row + 1 > s->pos)
		s->pos = row + 1;
	s->asked[e] = false;
	if (outcome == SCHED_OK)
		s->nfail[e] = 0;
	else if (s->nfail[e] < UINT_MAX)
		s->nfail[e]++;
	if (outcome == SCHED_UNREACHABLE) {
		s->failed = true; /* the target is unreachable: don't hammer it with the rest */
		return;
	}
	s->last[e] = s->poll_t0;
	s->fetched_seq[e] = s->seq;
	s->nfetched[e]++;
	if (service_s >= 0 && isfinite(service_s)) {
		/* the least of the last SCHED_COST_FETCHES: a fetch slowed down by
		 * a busy machine (waiting for a CPU is not work done for us)
		 * does not space an endpoint out; a real change shows within
		 * that many fetches */
		s->costs[e][s->ncosts[e]++ % SCHED_COST_FETCHES] = service_s;
		size_t n = s->ncosts[e] < SCHED_COST_FETCHES ? s->ncosts[e] : SCHED_COST_FETCHES;
		s->cost[e] = s->costs[e][0];
		for (size_t i = 1; i < n; i++)
			if (s->costs[e][i] < s->cost[e])
				s->cost[e] = s->costs[e][i];
	}
	if (!s->cfg.batch) /* batch: exactly the polls asked for, never spaced */
		check_budget(s, msg, msglen);
}

/* Seconds from the end of a poll to the start of the next. */
static double
next_delay(const struct sched *s)
{
	double next = spacing_s(s);

	if (s->failures > 0) {
		next = ldexp(next, s->failures < 8 ? (int)s->failures : 8);
		if (next > SCHED_BACKOFF_MAX)
			next = SCHED_BACKOFF_MAX > s->interval ? SCHED_BACKOFF_MAX : s->interval;
	}
	return next;
}

void
sched_poll_done(struct sched *s, double now)
{
	if (!s->polling)
		return;
	s->polling = false;
	s->latency = now - s->poll_t0;
	if (s->failed) {
		if (s->failures < UINT_MAX)
			s->failures++;
	} else {
		s->failures = 0;
		s->npolls++;
	}
	for (int e = 0; e < EP_COUNT; e++) {
		if (s->asked[e]) /* asked for but not fetched (cut short): next poll */
			s->wanted[e] = true;
		/* due but skipped (not served, no records): it costs nothing now */
		if (!s->failed && s->due[e] && s->fetched_seq[e] != s->seq) {
			s->cost[e] = -1;
			s->ncosts[e] = 0;
		}
	}
	s->next_at = now + next_delay(s);
}

double
sched_alloc_allowance(double share, double self, double all)
{
	double own = all > self ? all - self : 0;

	if (share < 0)
		return INFINITY;
	if (share == 0)
		share = SCHED_ALLOC_SHARE;
	return share * own > SCHED_ALLOC_FLOOR ? share * own : SCHED_ALLOC_FLOOR;
}

bool
sched_alloc_budget(struct sched *s, double self, double all, double from, double to, char *msg,
                   size_t msglen)
{
	double was = s->stretch > 1 ? s->stretch : 1;
	size_t polls = 0;

	msg_set(msg, msglen, "");
	if (s->cfg.batch || !(self >= 0) || !isfinite(self) || !(to > from))
		return false;
	double own = all > self ? all - self : 0;
	if (s->cfg.share < 0)
		return false; /* --budget 0: no limit */
	double budget = sched_alloc_allowance(s->cfg.share, self, all);
	/* what one poll allocated: self over the polls that made it (the rate
	 * lags the spacing by its window, so not the current spacing) */
	size_t n = s->nstarts < SCHED_STARTS ? s->nstarts : SCHED_STARTS;
	for (size_t i = 0; i < n; i++)
		if (s->starts[i] > from && s->starts[i] <= to)
			polls++;
	if (polls < 2)
		return false;
	double per_poll = self * (to - from) / (double)polls;
	double want = per_poll / (budget * s->interval);
	if (want < 1)
		want = 1;
	if (want > SCHED_STRETCH_MAX)
		want = SCHED_STRETCH_MAX;
	/* a 20% dead band: the sampled allocation rate is noisy */
	if (fabs(want - was) < 0.2 * was && !(want == 1 && was > 1))
		return false;
	if (want == was)
		return false;
	s->stretch = want;
	if (want > 1 && all >= 0)
		snprintf(
		    msg, msglen,
		    "pproftop's requests allocate %.2f MiB/s in the service (it allocates %.2f "
		    "MiB/s itself): polling every %.1f s to stay under %.2f MiB/s",
		    self / (1 << 20), own / (1 << 20), s->interval * want, budget / (1 << 20));
	else if (want > 1)
		snprintf(
		    msg, msglen,
		    "pproftop's requests allocate %.2f MiB/s in the service: polling every %.1f "
		    "s to stay under %.2f MiB/s",
		    self / (1 << 20), s->interval * want, budget / (1 << 20));
	else
		snprintf(msg, msglen,
		         "pproftop's requests allocate %.2f MiB/s in the service: back to every "
		         "%.1f s",
		         self / (1 << 20), s->interval);
	return true;
}

double
sched_next_poll(const struct sched *s, double now)
{
	if (s->polling || sched_finished(s))
		return INFINITY;
	return s->next_at > now ? s->next_at - now : 0;
}

bool
sched_finished(const struct sched *s)
{
	uint64_t n = s->cfg.batch_n > 0 ? s->cfg.batch_n : 1;

	return s->cfg.batch && (s->npolls >= n || s->failures >= 3);
}

bool
sched_asked(const struct sched *s, enum ep_id e)
{
	return s->polling && s->asked[e];
}

bool
sched_poll_now(struct sched *s, double now)
{
	if (s->polling)
		return false;
	s->failures = 0;
	s->next_at = now;
	return true;
}

/* Asks for e with the next poll, due at once when none is in progress.
 * Returns whether a poll is in progress (e then comes after it). */
static bool
want(struct sched *s, enum ep_id e, double now)
{
	s->wanted[e] = true;
	if (!s->polling && s->next_at > now)
		s->next_at = now;
	return s->polling;
}

bool
sched_request_dump(struct sched *s, double now, double goroutines, char *msg, size_t msglen)
{
	bool known = goroutines >= 0;

	if ((!known || goroutines > SCHED_DUMP_ASK_ABOVE) && now > s->dump_confirm_until) {
		if (known)
			snprintf(msg, msglen,
			         "goroutine?debug=2 stops the world while it formats all %.0f "
			         "goroutines (about %.1f s): press D again to fetch it once",
			         goroutines, goroutines / 100000.0 * 1.4 + 0.05);
		else
			msg_set(
			    msg, msglen,
			    "goroutine?debug=2 stops the world while it formats every goroutine "
			    "(count unknown yet): press D again to fetch it once");
		s->dump_confirm_until = now + SCHED_DUMP_CONFIRM_SECS;
		return false;
	}
	s->dump_confirm_until = 0;
	if (want(s, EP_DUMP, now))
		msg_set(msg, msglen, "fetching the goroutine dump after the current poll");
	else
		msg_set(msg, msglen, "fetching the goroutine dump");
	return true;
}

bool
sched_request_leakcheck(struct sched *s, double now, const struct sched_ep_state *states, char *msg,
                        size_t msglen)
{
	if (states[EP_GOROUTINELEAK].missing && !states[EP_INDEX].fetched) {
		msg_set(msg, msglen,
		        "goroutineleak: waiting for the index, which says whether the target "
		        "serves it");
		return false;
	}
	if (states[EP_GOROUTINELEAK].missing) {
		msg_set(
		    msg, msglen,
		    "goroutineleak needs Go 1.26+ (GOEXPERIMENT=goroutineleakprofile) or Go 1.27");
		return false;
	}
	if (want(s, EP_GOROUTINELEAK, now))
		msg_set(msg, msglen,
		        "checking for proven goroutine leaks after the current poll (one GC cycle "
		        "in the target)");
	else
		msg_set(msg, msglen,
		        "checking for proven goroutine leaks (one GC cycle in the target)");
	return true;
}

double
sched_change_interval(struct sched *s, double now, int dir)
{
	size_t n = sizeof(interval_steps) / sizeof(interval_steps[0]);
	size_t i = 0;

	while (i < n && interval_steps[i] < s->interval - 1e-9)
		i++;
	if (dir > 0) {
		/* faster: the next smaller step */
		s->interval = i > 0 ? interval_steps[i - 1] : interval_steps[0];
	} else {
		if (i < n && fabs(interval_steps[i] - s->interval) < 1e-9)
			i++;
		s->interval = i < n ? interval_steps[i] : interval_steps[n - 1];
	}
	s->stretch = 1; /* measured at the old interval: measured again */
	if (!s->polling)
		s->next_at = now + next_delay(s);
	return s->interval;
}
