/* cpulane.c - when CPU windows run (see cpulane.h). */
#include "pproftop/cpulane.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* What net/http/pprof answers (500) while another CPU profile runs:
 * "Could not enable CPU profiling: cpu profiling already in use". */
static const char in_use_text[] = "cpu profiling already in use";

void
cpulane_init(struct cpulane *l, const struct cpulane_config *cfg)
{
	memset(l, 0, sizeof(*l));
	l->cfg = *cfg;
	l->interval = cfg->interval > 0 ? cfg->interval : 2;
	l->next_at = -INFINITY;
}

void
cpulane_set_shown(struct cpulane *l, bool shown)
{
	l->shown = shown;
}

void
cpulane_set_interval(struct cpulane *l, double interval)
{
	if (interval > 0)
		l->interval = interval;
}

bool
cpulane_wanted(const struct cpulane *l)
{
	if (l->cfg.batch)
		return l->cfg.always && !l->finished;
	return l->cfg.always || l->shown;
}

/* Whole seconds, at least the minimum; a huge or NaN span is capped. */
static int
whole_seconds(double s)
{
	if (!(s > CPULANE_MIN_SECONDS))
		return CPULANE_MIN_SECONDS;
	if (s > 86400)
		return 86400;
	return (int)ceil(s - 1e-9);
}

int
cpulane_window_seconds(const struct cpulane *l)
{
	if (l->cfg.batch) {
		unsigned n = l->cfg.batch_n > 0 ? l->cfg.batch_n : 1;
		return whole_seconds(l->interval * (double)(n - 1));
	}
	return whole_seconds(l->interval);
}

double
cpulane_next(const struct cpulane *l, double now)
{
	if (l->running || !cpulane_wanted(l))
		return INFINITY;
	return l->next_at > now ? l->next_at - now : 0;
}

bool
cpulane_start(struct cpulane *l, double now)
{
	if (cpulane_next(l, now) != 0)
		return false;
	l->running = true;
	l->seconds = cpulane_window_seconds(l);
	l->started = now;
	return true;
}

double
cpulane_timeout_s(const struct cpulane *l, double timeout_s)
{
	return (double)(l->seconds > 0 ? l->seconds : cpulane_window_seconds(l)) + timeout_s;
}

enum cpulane_outcome
cpulane_classify(long http_code, const unsigned char *body, size_t len)
{
	const size_t n = sizeof(in_use_text) - 1;

	if (http_code != 500 || body == NULL)
		return CPULANE_FAILED;
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(body + i, in_use_text, n) == 0)
			return CPULANE_IN_USE;
	return CPULANE_FAILED;
}

void
cpulane_done(struct cpulane *l, double now, enum cpulane_outcome o, char *msg, size_t msglen)
{
	if (msglen > 0)
		msg[0] = '\0';
	if (!l->running)
		return;
	l->running = false;
	l->in_use = o == CPULANE_IN_USE;
	if (l->cfg.batch)
		l->finished = true;
	switch (o) {
	case CPULANE_OK:
		l->failures = 0;
		l->windows++;
		l->last_ok = now;
		l->next_at = now; /* back to back */
		return;
	case CPULANE_IN_USE:
		l->failures++;
		l->next_at = now + CPULANE_IN_USE_RETRY;
		if (msglen > 0 && l->cfg.batch)
			snprintf(msg, msglen, "the service's own profiler holds the CPU profile");
		else if (msglen > 0)
			snprintf(
			    msg, msglen,
			    "the service's own profiler holds the CPU profile: retrying in %.0f s",
			    CPULANE_IN_USE_RETRY);
		return;
	case CPULANE_FAILED:
		break;
	}
	l->failures++;
	double wait = l->interval;
	for (unsigned i = 0; i < l->failures && wait < CPULANE_BACKOFF_MAX; i++)
		wait *= 2;
	if (wait > CPULANE_BACKOFF_MAX)
		wait = l->interval > CPULANE_BACKOFF_MAX ? l->interval : CPULANE_BACKOFF_MAX;
	l->next_at = now + wait;
}

const char *
cpulane_status(const struct cpulane *l, char *buf, size_t len)
{
	if (!l->running)
		return NULL;
	snprintf(buf, len, "CPU profiling on (%d s windows)", l->seconds);
	return buf;
}
