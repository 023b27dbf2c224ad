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
	CAD_WITH,       /* in exactly the polls that fetch rule.with */
	CAD_FIRST_LAST, /* the first and the last poll (batch) */
	CAD_ON_DEMAND,  /* only when asked for */
};

struct cadence_spec {
	enum cadence kind;
	double period; /* CAD_POLLS: polls; CAD_SECONDS: seconds */
};

struct rule {
	enum ep_id ep;
	struct cadence_spec live, batch;
	unsigned retries; /* a failed fetch is retried with each of the next n polls */
	enum ep_id with;  /* CAD_WITH: the endpoint it goes with (EP_COUNT: none) */
};

#define EVERY_POLL                                                                                 \
	{                                                                                          \
		CAD_EVERY_POLL, 0                                                                  \
	}

/* The one cadence table, in fetch order within a poll: the index first (it
 * says what exists), then cheapest first, MemStats immediately before the
 * heap profile so both describe the same GC cycle, the leak check (a GC
 * cycle in the target) and the dump (stops the world) last. */
static const struct rule rules[] = {
	{ EP_INDEX,
	  { CAD_POLLS, SCHED_INDEX_EVERY },
	  { CAD_POLLS, SCHED_INDEX_EVERY },
	  SCHED_INDEX_RETRIES,
	  EP_COUNT },
	{ EP_GOROUTINE, EVERY_POLL, EVERY_POLL, 0, EP_COUNT },
	{ EP_MEMSTATS, { CAD_WITH, 0 }, { CAD_WITH, 0 }, 0, EP_HEAP },
	{ EP_HEAP, EVERY_POLL, EVERY_POLL, 0, EP_COUNT },
	{ EP_ALLOCS, EVERY_POLL, EVERY_POLL, 0, EP_COUNT },
	{ EP_BLOCK, EVERY_POLL, EVERY_POLL, 0, EP_COUNT },
	{ EP_MUTEX, EVERY_POLL, EVERY_POLL, 0, EP_COUNT },
	{ EP_GOROUTINELEAK, { CAD_SECONDS, SCHED_LEAK_EVERY }, { CAD_FIRST_LAST, 0 }, 0, EP_COUNT },
	{ EP_DUMP, { CAD_ON_DEMAND, 0 }, { CAD_ON_DEMAND, 0 }, 0, EP_COUNT },
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
	for (int e = 0; e < EP_COUNT; e++)
		s->last[e] = -INFINITY;
	s->next_at = -INFINITY;
}

/* The spacing of e's polls: its own, or the slowest of the endpoints that go
 * with it (memstats with heap). */
static unsigned
spacing(const struct sched *s, enum ep_id e)
{
	unsigned k = s->every[e];

	for (size_t i = 0; i < NRULES; i++)
		if (rules[i].with == e && s->every[rules[i].ep] > k)
			k = s->every[rules[i].ep];
	return k;
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
		k = s->cfg.batch ? 1 : spacing(s, r->ep);
		return k <= 1 || s->seq % k == 0;
	case CAD_POLLS:
		return s->npolls % (uint64_t)c->period == 0;
	case CAD_SECONDS:
		/* the poll nearest the mark: polls need not divide the period */
		return now - s->last[r->ep] > c->period - s->interval / 2;
	case CAD_FIRST_LAST:
		return s->npolls == 0 || s->npolls + 1 >= n;
	case CAD_WITH:      /* decided in the plan, from its companion */
	case CAD_ON_DEMAND: /* only when asked for */
		break;
	}
	return false;
}

bool
sched_poll_start(struct sched *s, double now)
{
	if (s->polling || sched_finished(s))
		return false;
	s->polling = true;
	s->failed = false;
	s->poll_t0 = now;
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
	if (states[r->ep].missing)
		return false;
	if (s->due[r->ep])
		return true;
	return cadence_of(s, r)->kind == CAD_WITH && s->due[r->with] && !states[r->with].missing;
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

/* Space out an endpoint whose fetch takes more than SCHED_SLOW_FRACTION of
 * the interval, and say so in msg; bring it back when it is fast again.
 * Returns whether msg was written. */
static bool
check_slow(struct sched *s, enum ep_id e, double latency, char *msg, size_t msglen)
{
	unsigned every = 1;
	double budget = SCHED_SLOW_FRACTION * s->interval;

	if (latency > budget) {
		double k = latency / budget;
		every = k >= SCHED_SLOW_MAX_EVERY ? SCHED_SLOW_MAX_EVERY : (unsigned)k + 1;
	}
	if (every == s->every[e] || (every == 1 && s->every[e] == 0))
		return false;
	if (every > 1)
		snprintf(msg, msglen,
		         "%s took %.2f s (over %.0f%% of the interval): fetched every %u polls to "
		         "spare the target",
		         ep_info(e)->name, latency, SCHED_SLOW_FRACTION * 100, every);
	else
		snprintf(msg, msglen, "%s is fast again: fetched every poll", ep_info(e)->name);
	s->every[e] = every;
	return true;
}

void
sched_fetched(struct sched *s, enum ep_id e, double now, double latency, enum sched_outcome outcome,
              char *msg, size_t msglen)
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
	enum cadence kind = cadence_of(s, &rules[row])->kind;
	if (!s->cfg.batch && (kind == CAD_EVERY_POLL || kind == CAD_WITH)) {
		char text[256]; /* batch: exactly the polls asked for, never spaced */
		if (check_slow(s, e, latency, text, sizeof(text)))
			msg_set(msg, msglen, text);
	}
}

/* Seconds from the end of a poll to the start of the next. */
static double
next_delay(const struct sched *s)
{
	double next = s->interval;

	if (s->failures > 0) {
		next = ldexp(s->interval, s->failures < 8 ? (int)s->failures : 8);
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
	for (int e = 0; e < EP_COUNT; e++)
		if (s->asked[e]) /* asked for but not fetched (cut short): next poll */
			s->wanted[e] = true;
	s->next_at = now + next_delay(s);
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
	if (!s->polling)
		s->next_at = now + next_delay(s);
	return s->interval;
}
