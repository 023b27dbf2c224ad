/* test_sched.c - the polling policy (sched.h) on simulated time.
 *
 * A simulated target answers every fetch after lat[e] seconds with out[e];
 * reading the index sets each endpoint's `missing` from served[]. Each poll
 * is written as one letter per fetch, in order, polls separated by spaces:
 *
 *   I index  g goroutine  m memstats  h heap  a allocs  b block  x mutex
 *   L goroutineleak  D the goroutine dump
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/model.h"
#include "pproftop/sched.h"

static const char letters[EP_COUNT] = {
	[EP_INDEX] = 'I', [EP_GOROUTINE] = 'g',     [EP_MEMSTATS] = 'm',
	[EP_HEAP] = 'h',  [EP_ALLOCS] = 'a',        [EP_BLOCK] = 'b',
	[EP_MUTEX] = 'x', [EP_GOROUTINELEAK] = 'L', [EP_DUMP] = 'D',
};

struct sim {
	struct sched s;
	struct sched_ep_state st[EP_COUNT];
	bool served[EP_COUNT]; /* what the index lists */
	double lat[EP_COUNT];
	enum sched_outcome out[EP_COUNT];
	double now;
	double t_poll; /* start of the last poll */
	char msg[256]; /* the last message sched_fetched gave */
	unsigned nmsg; /* messages so far */
	char seq[32];  /* the poll in progress / the last poll */
	size_t nseq;
	char log[16384]; /* every poll of sim_run */
	size_t nlog;
};

static struct sim sim; /* large: not on the stack */

static void
sim_init(double interval, bool batch, unsigned batch_n)
{
	struct sched_config cfg = { .interval = interval, .batch = batch, .batch_n = batch_n };

	memset(&sim, 0, sizeof(sim));
	sched_init(&sim.s, &cfg);
	for (int e = 0; e < EP_COUNT; e++) {
		sim.served[e] = true;
		sim.st[e].missing = ep_info((enum ep_id)e)->needs_index;
		sim.out[e] = SCHED_OK;
	}
}

/* Waits for the next poll (it must be due some time) and starts it. */
static void
sim_begin(void)
{
	double wait = sched_next_poll(&sim.s, sim.now);

	assert_true(isfinite(wait));
	assert_true(wait >= 0);
	sim.now += wait;
	assert_true(sched_poll_start(&sim.s, sim.now));
	/* never two polls at once */
	assert_false(sched_poll_start(&sim.s, sim.now));
	assert_true(isinf(sched_next_poll(&sim.s, sim.now)));
	sim.t_poll = sim.now;
	sim.nseq = 0;
	sim.seq[0] = '\0';
}

/* The next fetch of the poll in progress; false when the plan is empty. */
static bool
sim_step(void)
{
	enum ep_id order[EP_COUNT];
	char msg[256];
	size_t n = sched_plan(&sim.s, sim.st, order, EP_COUNT);

	if (n == 0)
		return false;
	for (size_t i = 1; i < n; i++)
		assert_true(order[i - 1] != order[i]);
	enum ep_id e = order[0];
	assert_true(sim.nseq + 1 < sizeof(sim.seq));
	sim.seq[sim.nseq++] = letters[e];
	sim.seq[sim.nseq] = '\0';
	sim.now += sim.lat[e];
	sched_fetched(&sim.s, e, sim.now, sim.lat[e], sim.out[e], msg, sizeof(msg));
	if (msg[0] != '\0') {
		snprintf(sim.msg, sizeof(sim.msg), "%s", msg);
		sim.nmsg++;
	}
	if (sim.out[e] == SCHED_OK)
		sim.st[e].fetched = true;
	if (e == EP_INDEX && sim.out[e] == SCHED_OK)
		for (int i = 0; i < EP_COUNT; i++)
			if (i != EP_INDEX)
				sim.st[i].missing = !sim.served[i];
	return true;
}

static void
sim_end(void)
{
	sched_poll_done(&sim.s, sim.now);
	assert_false(sim.s.polling);
}

/* One whole poll; returns its letters. */
static const char *
sim_poll(void)
{
	sim_begin();
	while (sim_step())
		;
	sim_end();
	return sim.seq;
}

/* n polls, appended to sim.log separated by spaces. */
static const char *
sim_run(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const char *p = sim_poll();
		int len = snprintf(sim.log + sim.nlog, sizeof(sim.log) - sim.nlog, "%s%s",
		                   sim.nlog > 0 ? " " : "", p);
		assert_true(len > 0 && (size_t)len < sizeof(sim.log) - sim.nlog);
		sim.nlog += (size_t)len;
	}
	return sim.log;
}

static void
log_reset(void)
{
	sim.nlog = 0;
	sim.log[0] = '\0';
}

/* Appends one poll's letters to an expected log. */
static void
expect(char *buf, size_t len, size_t *o, const char *poll)
{
	int n = snprintf(buf + *o, len - *o, "%s%s", *o > 0 ? " " : "", poll);
	assert_true(n > 0 && (size_t)n < len - *o);
	*o += (size_t)n;
}

static char want[16384];

/* --- order ------------------------------------------------------------ */

static void
order_memstats_before_heap(void **state)
{
	(void)state;
	char msg[256];

	sim_init(1, false, 0);
	/* the first poll: the index first, and the leak check once it lists it */
	assert_string_equal(sim_poll(), "IgmhabxL");
	assert_string_equal(sim_poll(), "gmhabx");
	/* everything at once: the dump last, after the leak check */
	assert_true(sched_request_leakcheck(&sim.s, sim.now, sim.st, msg, sizeof(msg)));
	assert_true(sched_request_dump(&sim.s, sim.now, 100, msg, sizeof(msg)));
	assert_true(sched_next_poll(&sim.s, sim.now) == 0);
	assert_string_equal(sim_poll(), "gmhabxLD");
	/* every endpoint in the table, each once: the index too when due */
	sim_init(1, false, 0);
	assert_true(sched_request_dump(&sim.s, sim.now, 100, msg, sizeof(msg)));
	sim.st[EP_GOROUTINELEAK].missing = false;
	assert_string_equal(sim_poll(), "IgmhabxLD");
}

static void
missing_skipped(void **state)
{
	(void)state;
	char msg[256];

	/* the index lists neither block nor mutex nor goroutineleak: skipped
	 * from the same poll on, since the plan is made after each fetch */
	sim_init(1, false, 0);
	sim.served[EP_BLOCK] = sim.served[EP_MUTEX] = sim.served[EP_GOROUTINELEAK] = false;
	assert_string_equal(sim_run(3), "Igmha gmha gmha");
	assert_false(sched_request_leakcheck(&sim.s, sim.now, sim.st, msg, sizeof(msg)));
	assert_string_equal(msg, "goroutineleak needs Go 1.26+ "
	                         "(GOEXPERIMENT=goroutineleakprofile) or Go 1.27");
	assert_true(sched_next_poll(&sim.s, sim.now) == 1); /* nothing made due */
	assert_string_equal(sim_poll(), "gmha");

	/* needs_index: goroutineleak waits for an index that lists it; a
	 * failed index read leaves it missing; L before the index was read
	 * says so, not "needs Go 1.26+" */
	sim_init(1, false, 0);
	assert_false(sched_request_leakcheck(&sim.s, sim.now, sim.st, msg, sizeof(msg)));
	assert_string_equal(msg, "goroutineleak: waiting for the index, which says whether the "
	                         "target serves it");
	sim.out[EP_INDEX] = SCHED_BAD;
	assert_string_equal(sim_poll(), "Igmhabx");
	sim.out[EP_INDEX] = SCHED_OK;
	assert_string_equal(sim_poll(), "IgmhabxL");

	/* a target without heap: no memstats either (same profile) */
	sim_init(1, false, 0);
	sim.served[EP_HEAP] = sim.served[EP_MEMSTATS] = false;
	assert_string_equal(sim_run(2), "IgabxL gabx");
}

/* --- the index ---------------------------------------------------------- */

static void
index_every_30_polls(void **state)
{
	(void)state;
	size_t o = 0;

	sim_init(2, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	for (unsigned i = 0; i < 95; i++)
		expect(want, sizeof(want), &o, i % 30 == 0 ? "Igmhabx" : "gmhabx");
	assert_string_equal(sim_run(95), want);
}

static void
index_retries(void **state)
{
	(void)state;
	size_t o = 0;

	/* one failed read: read again with the next poll, then every 30 */
	sim_init(1, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.out[EP_INDEX] = SCHED_BAD;
	assert_string_equal(sim_poll(), "Igmhabx");
	sim.out[EP_INDEX] = SCHED_OK;
	log_reset();
	for (unsigned i = 1; i < 62; i++)
		expect(want, sizeof(want), &o, i == 1 || i % 30 == 0 ? "Igmhabx" : "gmhabx");
	assert_string_equal(sim_run(61), want);

	/* always failing: the first read and 3 retries, then at poll 31 (and
	 * no more retries: they count failures since the last good read) */
	sim_init(1, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.out[EP_INDEX] = SCHED_BAD;
	o = 0;
	for (unsigned i = 0; i < 35; i++)
		expect(want, sizeof(want), &o, i <= 3 || i == 30 ? "Igmhabx" : "gmhabx");
	assert_string_equal(sim_run(35), want);
	/* good again at the next 30th poll: retries count afresh after it */
	sim.out[EP_INDEX] = SCHED_OK;
	log_reset();
	o = 0;
	for (unsigned i = 35; i < 62; i++)
		expect(want, sizeof(want), &o, i == 60 ? "Igmhabx" : "gmhabx");
	assert_string_equal(sim_run(27), want);
}

/* --- slow endpoints ----------------------------------------------------- */

static void
slow_spacing(void **state)
{
	(void)state;

	sim_init(1, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.lat[EP_GOROUTINE] = 0.45; /* budget 0.25 s: k = 1.8, every 2nd poll */
	assert_string_equal(sim_poll(), "Igmhabx");
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg, "goroutine took 0.45 s (over 25% of the interval): fetched "
	                             "every 2 polls to spare the target");
	assert_string_equal(sim_run(6), "mhabx gmhabx mhabx gmhabx mhabx gmhabx");
	assert_int_equal(sim.nmsg, 1); /* said once */
	sim.lat[EP_GOROUTINE] = 0.6;   /* k = 2.4: every 3rd */
	log_reset();
	assert_string_equal(sim_run(1), "mhabx");
	assert_string_equal(sim_run(1), "mhabx gmhabx");
	assert_int_equal(sim.nmsg, 2);
	assert_string_equal(sim.msg, "goroutine took 0.60 s (over 25% of the interval): fetched "
	                             "every 3 polls to spare the target");
	/* 9 polls started so far: goroutine in the 10th, 13th, ... */
	log_reset();
	assert_string_equal(sim_run(4), "gmhabx mhabx mhabx gmhabx");
	sim.lat[EP_GOROUTINE] = 0.01; /* fast again: every poll from its next fetch */
	log_reset();
	assert_string_equal(sim_run(6), "mhabx mhabx gmhabx gmhabx gmhabx gmhabx");
	assert_int_equal(sim.nmsg, 3);
	assert_string_equal(sim.msg, "goroutine is fast again: fetched every poll");

	/* at most every 30th poll however slow */
	sim_init(0.2, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.served[EP_HEAP] = sim.served[EP_MEMSTATS] = false;
	sim.served[EP_ALLOCS] = sim.served[EP_BLOCK] = sim.served[EP_MUTEX] = false;
	sim.lat[EP_GOROUTINE] = 10;
	size_t o = 0;
	for (unsigned i = 0; i < 61; i++)
		expect(want, sizeof(want), &o, i % 30 == 0 ? "Ig" : ""); /* the index too */
	assert_string_equal(sim_run(61), want);
	assert_non_null(strstr(sim.msg, "fetched every 30 polls"));
}

static void
slow_heap_spaces_memstats(void **state)
{
	(void)state;

	/* memstats goes with heap, so it is spaced with it */
	sim_init(1, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.lat[EP_HEAP] = 0.3;
	assert_string_equal(sim_run(5), "Igmhabx gabx gmhabx gabx gmhabx");
	assert_string_equal(sim.msg, "heap took 0.30 s (over 25% of the interval): fetched every "
	                             "2 polls to spare the target");
	/* and the pair by the slower of the two */
	sim_init(1, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.lat[EP_MEMSTATS] = 0.6;
	assert_string_equal(sim_run(7), "Igmhabx gabx gabx gmhabx gabx gabx gmhabx");
	assert_non_null(strstr(sim.msg, "memstats took 0.60 s"));
}

/* --- failed polls ------------------------------------------------------- */

static void
backoff(void **state)
{
	(void)state;
	static const double waits[] = { 2, 4, 8, 16, 30, 30, 30 };

	sim_init(1, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	for (int e = 0; e < EP_COUNT; e++)
		sim.out[e] = SCHED_UNREACHABLE;
	/* the first fetch fails: the rest of the poll is off */
	assert_string_equal(sim_poll(), "I");
	assert_int_equal(sim.s.failures, 1);
	assert_int_equal(sim.s.npolls, 0);
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		double done = sim.now;
		assert_true(sched_next_poll(&sim.s, done) == waits[i]);
		assert_string_equal(sim_poll(), "I"); /* no good poll yet: the index is due */
		assert_true(sim.t_poll - done == waits[i]);
	}
	assert_int_equal(sim.s.failures, 8);
	/* back: the interval again */
	for (int e = 0; e < EP_COUNT; e++)
		sim.out[e] = SCHED_OK;
	assert_string_equal(sim_poll(), "Igmhabx");
	assert_int_equal(sim.s.failures, 0);
	assert_true(sched_next_poll(&sim.s, sim.now) == 1);

	/* cut in the middle: what comes after is off; the next poll is whole */
	sim.out[EP_HEAP] = SCHED_UNREACHABLE;
	assert_string_equal(sim_poll(), "gmh");
	assert_true(sched_next_poll(&sim.s, sim.now) == 2);
	sim.out[EP_HEAP] = SCHED_OK;
	assert_string_equal(sim_poll(), "gmhabx");

	/* an answer with an error is not a failed poll */
	sim.out[EP_BLOCK] = SCHED_BAD;
	assert_string_equal(sim_poll(), "gmhabx");
	assert_int_equal(sim.s.failures, 0);
	assert_true(sched_next_poll(&sim.s, sim.now) == 1);

	/* a long interval is never shortened by the cap */
	sim_init(60, false, 0);
	sim.out[EP_INDEX] = SCHED_UNREACHABLE;
	sim_poll();
	assert_true(sched_next_poll(&sim.s, sim.now) == 60);
	/* 10 s: 20, then the cap */
	sim_init(10, false, 0);
	sim.out[EP_INDEX] = SCHED_UNREACHABLE;
	sim_poll();
	assert_true(sched_next_poll(&sim.s, sim.now) == 20);
	sim_poll();
	assert_true(sched_next_poll(&sim.s, sim.now) == 30);

	/* r: at once, and the backoff starts over */
	assert_true(sched_poll_now(&sim.s, sim.now + 1));
	assert_int_equal(sim.s.failures, 0);
	assert_true(sched_next_poll(&sim.s, sim.now + 1) == 0);
	sim_poll();
	assert_true(sched_next_poll(&sim.s, sim.now) == 20);
}

/* --- goroutineleak ------------------------------------------------------ */

/* Runs `seconds` of polls; returns in times[] when goroutineleak was fetched. */
static size_t
leak_times(double seconds, double *times, size_t max)
{
	size_t n = 0;

	while (sim.now < seconds - 1e-9) {
		if (strchr(sim_poll(), 'L') != NULL && n < max)
			times[n++] = sim.t_poll;
	}
	return n;
}

static void
leak_every_30s(void **state)
{
	(void)state;
	static const double intervals[] = { 1, 0.5, 10, 0.2, 3 };
	double t[32] = { 0 };

	for (size_t k = 0; k < sizeof(intervals) / sizeof(intervals[0]); k++) {
		sim_init(intervals[k], false, 0);
		size_t n = leak_times(301, t, 32);
		assert_int_equal(n, 11); /* 0, 30, ..., 300 */
		for (size_t i = 0; i < n; i++)
			assert_true(fabs(t[i] - 30.0 * (double)i) < 1e-6);
	}
	/* the exact sequence at 10 s: every third poll */
	sim_init(10, false, 0);
	assert_string_equal(sim_run(7), "IgmhabxL gmhabx gmhabx gmhabxL gmhabx gmhabx gmhabxL");

	/* polls that drift (each takes 0.08 s): the poll nearest each mark */
	sim_init(1, false, 0);
	for (int e = 0; e < EP_COUNT; e++)
		sim.lat[e] = 0.01;
	size_t n = leak_times(600, t, 32);
	assert_true(n >= 19 && n <= 21);
	for (size_t i = 1; i < n; i++)
		assert_true(t[i] - t[i - 1] > 29.5 && t[i] - t[i - 1] < 30 + 1.1);

	/* first fetched at the first poll of an index that lists it */
	sim_init(1, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	assert_int_equal(leak_times(10, t, 32), 0);
	sim.served[EP_GOROUTINELEAK] = true; /* e.g. the target was upgraded */
	assert_int_equal(leak_times(75, t, 32), 2);
	assert_true(t[0] == 30 && t[1] == 60); /* the index is read again at poll 31 */
}

static void
leak_on_demand(void **state)
{
	(void)state;
	char msg[256];
	double t[32] = { 0 };

	sim_init(1, false, 0);
	assert_int_equal(leak_times(10.5, t, 32), 1);
	/* L between polls: a poll at once, and the 30 s start from it */
	sim.now += 0.5;
	assert_true(sched_request_leakcheck(&sim.s, sim.now, sim.st, msg, sizeof(msg)));
	assert_string_equal(msg,
	                    "checking for proven goroutine leaks (one GC cycle in the target)");
	assert_true(sched_next_poll(&sim.s, sim.now) == 0);
	sim_begin();
	assert_true(sim.t_poll == 11.5);
	while (sim_step())
		if (sim.seq[sim.nseq - 1] == 'x') /* asked for: L comes next */
			assert_true(sched_asked(&sim.s, EP_GOROUTINELEAK));
	sim_end();
	assert_string_equal(sim.seq, "gmhabxL");
	assert_false(sched_asked(&sim.s, EP_GOROUTINELEAK));
	size_t n = leak_times(80, t, 32);
	assert_int_equal(n, 2);
	assert_true(t[0] == 41.5 && t[1] == 71.5);

	/* L during a poll: after it, in the next one */
	sim_begin();
	sim_step();
	assert_true(sched_request_leakcheck(&sim.s, sim.now, sim.st, msg, sizeof(msg)));
	assert_string_equal(msg, "checking for proven goroutine leaks after the current poll "
	                         "(one GC cycle in the target)");
	while (sim_step())
		;
	sim_end();
	assert_string_equal(sim.seq, "gmhabx");
	assert_string_equal(sim_poll(), "gmhabxL");
	assert_string_equal(sim_poll(), "gmhabx");

	/* asked for, but the poll is cut before it: in the next one */
	assert_true(sched_request_leakcheck(&sim.s, sim.now, sim.st, msg, sizeof(msg)));
	sim.out[EP_HEAP] = SCHED_UNREACHABLE;
	assert_string_equal(sim_poll(), "gmh");
	sim.out[EP_HEAP] = SCHED_OK;
	assert_string_equal(sim_poll(), "gmhabxL");
}

static void
leak_batch_first_and_last(void **state)
{
	(void)state;

	sim_init(1, true, 5);
	assert_string_equal(sim_run(5), "IgmhabxL gmhabx gmhabx gmhabx gmhabxL");
	assert_true(sched_finished(&sim.s));
	assert_false(sched_poll_start(&sim.s, sim.now + 100));
	assert_true(isinf(sched_next_poll(&sim.s, sim.now)));

	sim_init(1, true, 1);
	assert_string_equal(sim_run(1), "IgmhabxL");
	assert_true(sched_finished(&sim.s));
	sim_init(1, true, 2);
	assert_string_equal(sim_run(2), "IgmhabxL gmhabxL");

	/* the last poll fails: the one that replaces it is the last */
	sim_init(1, true, 3);
	assert_string_equal(sim_run(2), "IgmhabxL gmhabx");
	sim.out[EP_GOROUTINE] = SCHED_UNREACHABLE;
	assert_string_equal(sim_poll(), "g");
	assert_false(sched_finished(&sim.s));
	sim.out[EP_GOROUTINE] = SCHED_OK;
	assert_string_equal(sim_poll(), "gmhabxL");
	assert_true(sched_finished(&sim.s));
}

/* --- the dump ----------------------------------------------------------- */

static void
dump_on_demand(void **state)
{
	(void)state;
	char msg[256];

	sim_init(1, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	assert_string_equal(sim_run(3), "Igmhabx gmhabx gmhabx");
	/* a small count: at once, the next poll, once */
	assert_true(sched_request_dump(&sim.s, sim.now, 500, msg, sizeof(msg)));
	assert_string_equal(msg, "fetching the goroutine dump");
	assert_true(sched_next_poll(&sim.s, sim.now) == 0);
	assert_string_equal(sim_poll(), "gmhabxD");
	log_reset();
	assert_string_equal(sim_run(3), "gmhabx gmhabx gmhabx");

	/* a large count: D warns with it; only a second D within 5 s fetches */
	assert_false(sched_request_dump(&sim.s, sim.now, 12000, msg, sizeof(msg)));
	assert_string_equal(msg, "goroutine?debug=2 stops the world while it formats all 12000 "
	                         "goroutines (about 0.2 s): press D again to fetch it once");
	assert_true(sched_next_poll(&sim.s, sim.now) == 1);
	log_reset();
	assert_string_equal(sim_run(3), "gmhabx gmhabx gmhabx");
	assert_true(sched_request_dump(&sim.s, sim.now, 12000, msg, sizeof(msg)));
	assert_string_equal(sim_poll(), "gmhabxD");
	/* too late: it asks again */
	assert_false(sched_request_dump(&sim.s, sim.now, 12000, msg, sizeof(msg)));
	log_reset();
	assert_string_equal(sim_run(6), "gmhabx gmhabx gmhabx gmhabx gmhabx gmhabx");
	assert_false(sched_request_dump(&sim.s, sim.now, 12000, msg, sizeof(msg)));
	/* an unknown count asks too */
	sim.now += 10;
	assert_false(sched_request_dump(&sim.s, sim.now, -1, msg, sizeof(msg)));
	assert_string_equal(msg, "goroutine?debug=2 stops the world while it formats every "
	                         "goroutine (count unknown yet): press D again to fetch it once");

	/* during a poll: after it */
	sim.now += 10;
	sim_begin();
	sim_step();
	assert_true(sched_request_dump(&sim.s, sim.now, 5, msg, sizeof(msg)));
	assert_string_equal(msg, "fetching the goroutine dump after the current poll");
	while (sim_step())
		;
	sim_end();
	assert_string_equal(sim.seq, "gmhabx");
	assert_string_equal(sim_poll(), "gmhabxD");

	/* cut before it: in the next poll; an error answer does not repeat it */
	assert_true(sched_request_dump(&sim.s, sim.now, 5, msg, sizeof(msg)));
	sim.out[EP_GOROUTINE] = SCHED_UNREACHABLE;
	assert_string_equal(sim_poll(), "g");
	sim.out[EP_GOROUTINE] = SCHED_OK;
	sim.out[EP_DUMP] = SCHED_BAD;
	assert_string_equal(sim_poll(), "gmhabxD");
	assert_string_equal(sim_poll(), "gmhabx");
}

/* --- batch -------------------------------------------------------------- */

static void
batch_fetches_everything(void **state)
{
	(void)state;

	/* slow endpoints are not spaced out in batch and nothing is said */
	sim_init(1, true, 4);
	for (int e = 0; e < EP_COUNT; e++)
		sim.lat[e] = 3;
	assert_string_equal(sim_run(4), "IgmhabxL gmhabx gmhabx gmhabxL");
	assert_int_equal(sim.nmsg, 0);
	/* 40 polls: the index again at the 31st */
	sim_init(0.5, true, 40);
	size_t o = 0;
	for (unsigned i = 0; i < 40; i++)
		expect(want, sizeof(want), &o,
		       i == 0    ? "IgmhabxL"
		       : i == 30 ? "Igmhabx"
		       : i == 39 ? "gmhabxL"
		                 : "gmhabx");
	assert_string_equal(sim_run(40), want);
	assert_true(sched_finished(&sim.s));
	/* gives up after 3 failed polls in a row */
	sim_init(1, true, 5);
	sim.out[EP_INDEX] = SCHED_UNREACHABLE;
	assert_string_equal(sim_run(3), "I I I");
	assert_true(sched_finished(&sim.s));
	assert_false(sched_poll_start(&sim.s, sim.now + 100));
}

/* --- one poll at a time, interval ---------------------------------------- */

static void
never_two_polls(void **state)
{
	(void)state;
	enum ep_id order[EP_COUNT];

	sim_init(2, false, 0);
	assert_int_equal(sched_plan(&sim.s, sim.st, order, EP_COUNT), 0); /* none running */
	sim_begin();
	assert_true(sched_plan(&sim.s, sim.st, order, EP_COUNT) > 0);
	assert_false(sched_poll_now(&sim.s, sim.now));
	/* a poll that outlasts the interval: the next starts after it ends */
	sim.now += 25;
	assert_false(sched_poll_start(&sim.s, sim.now));
	assert_true(isinf(sched_next_poll(&sim.s, sim.now)));
	/* the interval changed during the poll counts from its end */
	assert_true(sched_change_interval(&sim.s, sim.now, +1) == 1);
	assert_true(isinf(sched_next_poll(&sim.s, sim.now)));
	while (sim_step())
		;
	sim_end();
	assert_true(sched_next_poll(&sim.s, sim.now) == 1);
	assert_true(sim.s.latency == 25);
	/* the plan may be truncated: still the head first */
	sim_begin();
	assert_int_equal(sched_plan(&sim.s, sim.st, order, 2), 2);
	assert_int_equal(order[0], EP_GOROUTINE);
	assert_int_equal(order[1], EP_MEMSTATS);
	while (sim_step())
		;
	sim_end();
	/* no-ops without a poll */
	sched_poll_done(&sim.s, sim.now + 5);
	assert_true(sched_next_poll(&sim.s, sim.now) == 1);
}

static void
interval_steps(void **state)
{
	(void)state;
	static const double faster[] = { 1, 0.5, 0.2, 0.2 };
	static const double slower[] = { 0.5, 1, 2, 3, 5, 10, 15, 30, 60, 60 };

	sim_init(2, false, 0);
	for (size_t i = 0; i < sizeof(faster) / sizeof(faster[0]); i++)
		assert_true(fabs(sched_change_interval(&sim.s, 0, +1) - faster[i]) < 1e-9);
	for (size_t i = 0; i < sizeof(slower) / sizeof(slower[0]); i++)
		assert_true(fabs(sched_change_interval(&sim.s, 0, -1) - slower[i]) < 1e-9);
	/* between steps (-i 0.7): the neighbours */
	sim_init(0.7, false, 0);
	assert_true(fabs(sched_change_interval(&sim.s, 0, +1) - 0.5) < 1e-9);
	sim_init(0.7, false, 0);
	assert_true(fabs(sched_change_interval(&sim.s, 0, -1) - 1) < 1e-9);
	/* between polls: the next one a new interval from now */
	sim_init(2, false, 0);
	sim_poll();
	sim.now += 0.5;
	sched_change_interval(&sim.s, sim.now, -1);
	assert_true(sched_next_poll(&sim.s, sim.now) == 3);
	/* the budget of a slow endpoint follows the interval */
	sim.lat[EP_ALLOCS] = 0.9; /* under 25% of 5 s, over 25% of 3 s */
	sim.served[EP_GOROUTINELEAK] = false;
	sim_poll();
	assert_non_null(strstr(sim.msg, "allocs took 0.90 s"));
	log_reset();
	assert_string_equal(sim_run(2), "gmhabx gmhbx");
	sched_change_interval(&sim.s, sim.now, -1); /* 5 s */
	log_reset();
	assert_string_equal(sim_run(2), "gmhabx gmhabx");
	assert_string_equal(sim.msg, "allocs is fast again: fetched every poll");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_memstats_before_heap),
		cmocka_unit_test(missing_skipped),
		cmocka_unit_test(index_every_30_polls),
		cmocka_unit_test(index_retries),
		cmocka_unit_test(slow_spacing),
		cmocka_unit_test(slow_heap_spaces_memstats),
		cmocka_unit_test(backoff),
		cmocka_unit_test(leak_every_30s),
		cmocka_unit_test(leak_on_demand),
		cmocka_unit_test(leak_batch_first_and_last),
		cmocka_unit_test(dump_on_demand),
		cmocka_unit_test(batch_fetches_everything),
		cmocka_unit_test(never_two_polls),
		cmocka_unit_test(interval_steps),
	};
	return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
