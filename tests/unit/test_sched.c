/* test_sched.c - the polling policy (sched.h) on simulated time.
 *
 * A simulated target answers every fetch after lat[e] seconds with out[e],
 * having spent cost[e] seconds of service time on it (what sched_fetched is
 * told; < 0 unknown, while the default 0 is a known 0); reading the index
 * sets each endpoint's `missing` from served[]. Each poll is written as one
 * letter per fetch, in order, polls separated by spaces:
 *
 *   I index  g goroutine  h heap  b block  x mutex  L goroutineleak
 *   D the goroutine dump
 *
 * (m memstats and a allocs are never fetched: heap?debug=1 brings them.)
 * Polls are numbered from 0, by how many started before them. The CPU
 * budget's "every k-th poll" counts from the endpoint's last fetch: fetched
 * in poll n and spaced k apart, it is fetched again in poll n + k (so a new
 * spacing never brings two fetches back to back). An endpoint's cost is the
 * least of its last 8 fetches; the spacing has a dead band: it grows only
 * when the current one costs more than 1.25 times the endpoint's share, and
 * shrinks only when the new one costs less than 0.8 times it.
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

#define MiB ((double)(1 << 20))
#define SIM_STARTS 16   /* poll start times the simulation keeps */
#define ALLOC_WINDOW 10 /* polls: the window over which an allocation rate is measured */

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
	double cost[EP_COUNT]; /* service seconds a fetch costs; < 0 unknown */
	enum sched_outcome out[EP_COUNT];
	double now;
	double t_poll; /* start of the last poll */
	char msg[256]; /* the last message sched_fetched gave */
	unsigned nmsg; /* messages so far */
	char seq[32];  /* the poll in progress / the last poll */
	size_t nseq;
	char log[16384]; /* every poll of sim_run */
	size_t nlog;
	double starts[SIM_STARTS]; /* when the last polls started, by number */
	int changed[EP_COUNT];     /* told after each fetch: 1 new data, 0 none, -1 not told */
};

static struct sim sim; /* large: not on the stack */

/* share: the budget (sched_config.share: 0 the default 1%, < 0 none) */
static void
sim_setup(double interval, bool batch, unsigned batch_n, double share)
{
	struct sched_config cfg = {
		.interval = interval, .batch = batch, .batch_n = batch_n, .share = share
	};

	memset(&sim, 0, sizeof(sim));
	sched_init(&sim.s, &cfg);
	for (int e = 0; e < EP_COUNT; e++) {
		sim.changed[e] = -1;
		sim.served[e] = true;
		sim.st[e].missing = ep_info((enum ep_id)e)->needs_index;
		sim.out[e] = SCHED_OK;
	}
}

static void
sim_init(double interval, bool batch, unsigned batch_n)
{
	sim_setup(interval, batch, batch_n, 0);
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
	sim.starts[(sim.s.seq - 1) % SIM_STARTS] = sim.now;
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
	sched_fetched(&sim.s, e, sim.now, sim.cost[e], sim.out[e], msg, sizeof(msg));
	if (msg[0] != '\0') {
		snprintf(sim.msg, sizeof(sim.msg), "%s", msg);
		sim.nmsg++;
	}
	if (sim.out[e] == SCHED_OK)
		sim.st[e].fetched = true;
	if (sim.out[e] == SCHED_OK && sim.changed[e] >= 0)
		sched_changed(&sim.s, e, sim.changed[e] != 0);
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

/* One poll that ends as app.c's does: the allocation budget applied just
 * before sched_poll_done, so the next poll is already spaced by it. self
 * is taken to be measured over the window (from, to] from the start of the
 * poll ALLOC_WINDOW polls before this one (the first poll, while fewer have
 * started) to now: the polls started in it are the last ALLOC_WINDOW, this
 * one included. */
static bool
alloc_poll(double self, double all, char *msg, size_t len)
{
	bool changed;

	sim_begin();
	while (sim_step())
		;
	uint64_t c = sim.s.seq - 1; /* this poll */
	uint64_t back = c < ALLOC_WINDOW ? c : ALLOC_WINDOW;
	changed = sched_alloc_budget(&sim.s, self, all, sim.starts[(c - back) % SIM_STARTS],
	                             sim.now, msg, len);
	sim_end();
	return changed;
}

/* --- order ------------------------------------------------------------ */

static void
order_heap_brings_allocs_memstats(void **state)
{
	(void)state;
	char msg[256];

	sim_init(1, false, 0);
	/* the first poll: the index first, and the leak check once it lists it;
	 * allocs and memstats never: heap?debug=1 brings them */
	assert_string_equal(sim_poll(), "IghbxL");
	assert_string_equal(sim_poll(), "ghbx");
	/* everything at once: the dump last, after the leak check */
	assert_true(sched_request_leakcheck(&sim.s, sim.now, sim.st, msg, sizeof(msg)));
	assert_true(sched_request_dump(&sim.s, sim.now, 100, msg, sizeof(msg)));
	assert_true(sched_next_poll(&sim.s, sim.now) == 0);
	assert_string_equal(sim_poll(), "ghbxLD");
	/* every endpoint in the table that is fetched, each once: the index
	 * too when due */
	sim_init(1, false, 0);
	assert_true(sched_request_dump(&sim.s, sim.now, 100, msg, sizeof(msg)));
	sim.st[EP_GOROUTINELEAK].missing = false;
	assert_string_equal(sim_poll(), "IghbxLD");
	/* the fed ones are not fetched even when the poll is otherwise empty */
	sim_init(1, false, 0);
	sim.served[EP_GOROUTINE] = sim.served[EP_HEAP] = sim.served[EP_BLOCK] = false;
	sim.served[EP_MUTEX] = sim.served[EP_GOROUTINELEAK] = false;
	assert_string_equal(sim_run(3), "I  ");
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
	assert_string_equal(sim_run(3), "Igh gh gh");
	assert_false(sched_request_leakcheck(&sim.s, sim.now, sim.st, msg, sizeof(msg)));
	assert_string_equal(msg, "goroutineleak needs Go 1.26+ "
	                         "(GOEXPERIMENT=goroutineleakprofile) or Go 1.27");
	assert_true(sched_next_poll(&sim.s, sim.now) == 1); /* nothing made due */
	assert_string_equal(sim_poll(), "gh");

	/* needs_index: goroutineleak waits for an index that lists it; a
	 * failed index read leaves it missing; L before the index was read
	 * says so, not "needs Go 1.26+" */
	sim_init(1, false, 0);
	assert_false(sched_request_leakcheck(&sim.s, sim.now, sim.st, msg, sizeof(msg)));
	assert_string_equal(msg, "goroutineleak: waiting for the index, which says whether the "
	                         "target serves it");
	sim.out[EP_INDEX] = SCHED_BAD;
	assert_string_equal(sim_poll(), "Ighbx");
	sim.out[EP_INDEX] = SCHED_OK;
	assert_string_equal(sim_poll(), "IghbxL");

	/* a target without heap: no memstats nor allocs either (same fetch) */
	sim_init(1, false, 0);
	sim.served[EP_HEAP] = sim.served[EP_MEMSTATS] = false;
	assert_string_equal(sim_run(2), "IgbxL gbx");
}

static void
no_records_skipped(void **state)
{
	(void)state;

	/* the index counts no records in block and mutex: skipped like a
	 * missing endpoint, while it says so */
	sim_init(1, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.st[EP_BLOCK].no_records = sim.st[EP_MUTEX].no_records = true;
	assert_string_equal(sim_run(3), "Igh gh gh");
	/* records in mutex: fetched again with the next poll */
	sim.st[EP_MUTEX].no_records = false;
	assert_string_equal(sim_poll(), "ghx");
	/* read with each plan: set during a poll, it counts at once */
	sim_begin();
	assert_true(sim_step());
	sim.st[EP_MUTEX].no_records = true;
	while (sim_step())
		;
	sim_end();
	assert_string_equal(sim.seq, "gh");
	/* nothing else is skipped; and it does not make a poll failed */
	sim.st[EP_BLOCK].no_records = sim.st[EP_MUTEX].no_records = false;
	assert_string_equal(sim_poll(), "ghbx");
	assert_int_equal(sim.s.failures, 0);
	assert_true(sched_next_poll(&sim.s, sim.now) == 1);
	/* the plan of a poll with no records anywhere: only what is due */
	sim.st[EP_BLOCK].no_records = sim.st[EP_MUTEX].no_records = true;
	enum ep_id order[EP_COUNT];
	sim_begin();
	assert_int_equal(sched_plan(&sim.s, sim.st, order, EP_COUNT), 2);
	assert_int_equal(order[0], EP_GOROUTINE);
	assert_int_equal(order[1], EP_HEAP);
	while (sim_step())
		;
	sim_end();
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
		expect(want, sizeof(want), &o, i % 30 == 0 ? "Ighbx" : "ghbx");
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
	assert_string_equal(sim_poll(), "Ighbx");
	sim.out[EP_INDEX] = SCHED_OK;
	log_reset();
	for (unsigned i = 1; i < 62; i++)
		expect(want, sizeof(want), &o, i == 1 || i % 30 == 0 ? "Ighbx" : "ghbx");
	assert_string_equal(sim_run(61), want);

	/* always failing: the first read and 3 retries, then at poll 31 (and
	 * no more retries: they count failures since the last good read) */
	sim_init(1, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.out[EP_INDEX] = SCHED_BAD;
	o = 0;
	for (unsigned i = 0; i < 35; i++)
		expect(want, sizeof(want), &o, i <= 3 || i == 30 ? "Ighbx" : "ghbx");
	assert_string_equal(sim_run(35), want);
	/* good again at the next 30th poll: retries count afresh after it */
	sim.out[EP_INDEX] = SCHED_OK;
	log_reset();
	o = 0;
	for (unsigned i = 35; i < 62; i++)
		expect(want, sizeof(want), &o, i == 60 ? "Ighbx" : "ghbx");
	assert_string_equal(sim_run(27), want);
}

/* --- the CPU budget ----------------------------------------------------- */

/* Interval 2 s: the budget is 1% of a core, 20 ms of service time per
 * poll. The index costs 60 ms a read, 2 ms a poll amortized over its 30
 * polls; heap costs 2 ms; block and mutex 0 ms (a known 0: they take
 * nothing); no goroutineleak. What is left for goroutine: 20 - 2 - 2 = 16
 * ms a poll. */
static void
budget_setup_share(double share)
{
	sim_setup(2, false, 0, share);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.cost[EP_INDEX] = 0.060;
	sim.cost[EP_HEAP] = 0.002;
}

static void
budget_setup(void)
{
	budget_setup_share(0);
}

/* Goroutine alone (nothing else served, the index a known 0), at 2 s: its
 * share is the whole 20 ms of a poll. */
static void
goroutine_only_setup(void)
{
	sim_init(2, false, 0);
	sim.served[EP_HEAP] = sim.served[EP_MEMSTATS] = sim.served[EP_ALLOCS] = false;
	sim.served[EP_BLOCK] = sim.served[EP_MUTEX] = sim.served[EP_GOROUTINELEAK] = false;
}

/* Runs polls until e is fetched (at most max); returns how many ran. */
static unsigned
until_fetched(enum ep_id e, unsigned max)
{
	for (unsigned n = 1; n <= max; n++)
		if (strchr(sim_poll(), letters[e]) != NULL)
			return n;
	fail_msg("%s not fetched in %u polls", ep_info(e)->name, max);
	return 0;
}

/* The heap changes only at a GC: after 5 fetches without a new cycle it is
 * fetched every 5th poll; the first fetch with a new cycle brings it back
 * to every poll. Batch and --budget 0 fetch it every poll regardless. */
static void
heap_settles(void **state)
{
	(void)state;
	size_t o = 0;

	sim_init(2, false, 0);
	sim.served[EP_GOROUTINELEAK] = sim.served[EP_BLOCK] = sim.served[EP_MUTEX] = false;
	sim.changed[EP_HEAP] = 0;
	/* polls 0-4 fetch it (5 unchanged), then 9, 14 */
	for (unsigned i = 0; i < 15; i++)
		expect(want, sizeof(want), &o,
		       i == 0                       ? "Igh"
		       : i < 5 || i == 9 || i == 14 ? "gh"
		                                    : "g");
	assert_string_equal(sim_run(15), want);
	assert_int_equal(sched_every(&sim.s, EP_HEAP), SCHED_SETTLED_EVERY);
	assert_int_equal(sched_every(&sim.s, EP_GOROUTINE), 1);
	assert_int_equal(sim.nmsg, 0); /* not news: the help's table shows it */
	/* a GC: every poll again, from the next one */
	sim.changed[EP_HEAP] = 1;
	sim.nlog = 0;
	o = 0;
	for (unsigned i = 0; i < 5; i++)
		expect(want, sizeof(want), &o, i < 4 ? "g" : "gh"); /* 15-18, then 19 */
	assert_string_equal(sim_run(5), want);
	assert_int_equal(sched_every(&sim.s, EP_HEAP), 1);
	sim.nlog = 0;
	assert_string_equal(sim_run(2), "gh gh");

	/* batch and no budget: never */
	for (int k = 0; k < 2; k++) {
		if (k == 0)
			sim_init(2, true, 12);
		else
			sim_setup(2, false, 0, -1);
		sim.served[EP_GOROUTINELEAK] = sim.served[EP_BLOCK] = sim.served[EP_MUTEX] = false;
		sim.changed[EP_HEAP] = 0;
		sim_run(12);
		assert_int_equal(sched_every(&sim.s, EP_HEAP), 1);
		assert_null(strstr(sim.log, " g "));
	}
}

static void
budget_cheap_every_poll(void **state)
{
	(void)state;
	size_t o = 0;

	/* 1 + 2 + 0.5 + 0.5 ms a poll, the index 3 ms / 30 polls, the leak
	 * check 10 ms every 30 s (15 polls): far under 20 ms */
	sim_init(2, false, 0);
	sim.cost[EP_INDEX] = 0.003;
	sim.cost[EP_GOROUTINE] = 0.001;
	sim.cost[EP_HEAP] = 0.002;
	sim.cost[EP_BLOCK] = sim.cost[EP_MUTEX] = 0.0005;
	sim.cost[EP_GOROUTINELEAK] = 0.010;
	for (unsigned i = 0; i < 31; i++)
		expect(want, sizeof(want), &o,
		       i == 0    ? "IghbxL"
		       : i == 30 ? "IghbxL"
		       : i == 15 ? "ghbxL"
		                 : "ghbx");
	assert_string_equal(sim_run(31), want);
	assert_int_equal(sim.nmsg, 0);
	for (int e = 0; e < EP_COUNT; e++)
		assert_true(sim.s.every[e] <= 1);
	/* the costs are what was measured (steady: the least of the last 8 is
	 * each of them) */
	assert_true(sim.s.cost[EP_GOROUTINE] == 0.001);
	assert_true(sim.s.cost[EP_HEAP] == 0.002);
	assert_true(sim.s.cost[EP_GOROUTINELEAK] == 0.010);
	assert_true(sched_next_poll(&sim.s, sim.now) == 2);
	/* what the help's total says: 4 ms a poll, the index 3 ms / 30 polls,
	 * the leak check 10 ms every 15 polls, over 2 s: 0.24% of a core */
	assert_true(fabs(sched_cpu_load(&sim.s) - (0.004 + 0.0001 + 0.010 / 15) / 2) < 1e-12);
}

static void
budget_spaces_expensive(void **state)
{
	(void)state;
	size_t o = 0;

	budget_setup();
	sim.cost[EP_GOROUTINE] = 0.300;
	/* the first poll learns the costs one fetch at a time */
	sim_begin();
	assert_true(sim_step()); /* I: 60 ms, 2 ms a poll */
	assert_int_equal(sim.nmsg, 0);
	/* g: heap is not known yet: 20 - 2 = 18 ms left, ceil(300 / 18) =
	 * ceil(16.7) = 17 (300 ms is over 1.25 * 18 = 22.5) */
	assert_true(sim_step());
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 300 ms a fetch: fetched every 17 polls (34.0 s)");
	/* h: 2 ms, the cheapest known (block and mutex are not yet), takes
	 * it: 16 ms left for goroutine, ceil(300 / 16) = ceil(18.75) = 19; but
	 * every 17th poll it costs 300 / 17 = 17.6 ms a poll, not over 1.25 *
	 * 16 = 20 ms: the dead band keeps 17, nothing said */
	assert_true(sim_step());
	assert_int_equal(sim.nmsg, 1);
	/* b, x: 0 ms, known now, take nothing: still 17 */
	assert_true(sim_step());
	assert_true(sim_step());
	assert_false(sim_step());
	sim_end();
	assert_string_equal(sim.seq, "Ighbx");
	assert_int_equal(sim.nmsg, 1);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 17);
	assert_true(sim.s.every[EP_HEAP] <= 1);
	assert_true(sim.s.cost[EP_BLOCK] == 0 && sim.s.cost[EP_MUTEX] == 0);
	/* the spacing is of goroutine alone: polls keep the interval */
	assert_true(sched_next_poll(&sim.s, sim.now) == 2);
	/* 17 polls after poll 0, and after poll 17: polls 17, 34; the steady
	 * 300 ms keeps it at 17 and says nothing more */
	for (unsigned i = 1; i < 38; i++)
		expect(want, sizeof(want), &o,
		       i == 17 || i == 34 ? "ghbx"
		       : i == 30          ? "Ihbx"
		                          : "hbx");
	assert_string_equal(sim_run(37), want);
	assert_int_equal(sim.nmsg, 1);
	assert_true(sim.s.cost[EP_GOROUTINE] == 0.300);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 17);

	/* cheap again (2 ms): one such fetch is the least of the last 8 at
	 * once. Goroutine's next fetch, 17 after poll 34, is poll 51: 2 ms fit
	 * in an even share of the 18 ms left by the index (0.8 * 9 = 7.2 ms):
	 * every poll again, from poll 52. Nothing spaced: no "to keep ..." */
	sim.cost[EP_GOROUTINE] = 0.002;
	log_reset();
	o = 0;
	for (unsigned i = 38; i < 52; i++)
		expect(want, sizeof(want), &o, i == 51 ? "ghbx" : "hbx");
	assert_string_equal(sim_run(14), want);
	assert_int_equal(sim.nmsg, 2);
	assert_string_equal(sim.msg,
	                    "goroutine costs the service 2.0 ms a fetch: fetched every poll again");
	assert_true(sim.s.cost[EP_GOROUTINE] == 0.002);
	assert_true(sim.s.every[EP_GOROUTINE] == 1);
	log_reset();
	o = 0;
	for (unsigned i = 52; i < 62; i++)
		expect(want, sizeof(want), &o, i == 60 ? "Ighbx" : "ghbx");
	assert_string_equal(sim_run(10), want); /* 52-61 */
	assert_int_equal(sim.nmsg, 2);          /* said once */
}

static void
budget_new_spacing_from_last_fetch(void **state)
{
	(void)state;
	size_t o = 0;

	/* at 3 s the budget is 30 ms a poll. With goroutine's fetch in poll 0
	 * the index's 2 ms are taken, 28 left: ceil(300 / 28) = ceil(10.7) =
	 * 11. Heap's 2 ms then leave 26: ceil(300 / 26) = ceil(11.5) = 12,
	 * but 300 / 11 = 27.3 ms a poll is not over 1.25 * 26 = 32.5: 11
	 * stays. Goroutine in polls 0, 11, 22. */
	sim_init(3, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.cost[EP_INDEX] = 0.060;
	sim.cost[EP_HEAP] = 0.002;
	sim.cost[EP_GOROUTINE] = 0.300;
	for (unsigned i = 0; i < 24; i++)
		expect(want, sizeof(want), &o,
		       i == 0               ? "Ighbx"
		       : i == 11 || i == 22 ? "ghbx"
		                            : "hbx");
	assert_string_equal(sim_run(24), want);
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 300 ms a fetch: fetched every 11 polls (33.0 s)");
	assert_int_equal(sim.s.every[EP_GOROUTINE], 11);
	/* `+` after poll 23: 2 s, 20 ms, 16 left with heap's fetch in poll 24:
	 * ceil(300 / 16) = ceil(18.75) = 19, and 27.3 ms a poll is over 1.25 *
	 * 16 = 20: every 19 polls, counted from the fetch in poll 22: poll 41
	 * (not 38, the next multiple of 19, nor 43, 19 after the change) */
	assert_true(sched_change_interval(&sim.s, sim.now, +1) == 2);
	log_reset();
	o = 0;
	for (unsigned i = 24; i < 43; i++)
		expect(want, sizeof(want), &o, i == 41 ? "ghbx" : i == 30 ? "Ihbx" : "hbx");
	assert_string_equal(sim_run(19), want);
	assert_int_equal(sim.nmsg, 2);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 300 ms a fetch: fetched every 19 polls (38.0 s)");
	assert_int_equal(sim.s.every[EP_GOROUTINE], 19);

	/* a spacing shorter than the polls since the last fetch: fetched with
	 * the next poll. 300 ms every 11 at 3 s from poll 0, as above; 10 s
	 * (`-` twice) after poll 5: 100 ms, the index's 2 and heap's 2 taken
	 * with heap's fetch in poll 6, 96 left: ceil(300 / 96) = ceil(3.1) =
	 * 4, and 300 / 4 = 75 ms a poll is under 0.8 * 96 = 76.8: every 4
	 * polls. 6 polls since poll 0 by poll 6: fetched in poll 7 (not at
	 * poll 8, the next multiple of 4), and 4 polls later, in poll 11 */
	sim_init(3, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.cost[EP_INDEX] = 0.060;
	sim.cost[EP_HEAP] = 0.002;
	sim.cost[EP_GOROUTINE] = 0.300;
	log_reset();
	assert_string_equal(sim_run(6), "Ighbx hbx hbx hbx hbx hbx");
	assert_int_equal(sim.s.every[EP_GOROUTINE], 11);
	assert_true(sched_change_interval(&sim.s, sim.now, -1) == 5);
	assert_true(sched_change_interval(&sim.s, sim.now, -1) == 10);
	o = 0;
	for (unsigned i = 6; i < 16; i++)
		expect(want, sizeof(want), &o, i == 7 || i == 11 || i == 15 ? "ghbx" : "hbx");
	log_reset();
	assert_string_equal(sim_run(10), want);
	assert_int_equal(sim.nmsg, 2);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 300 ms a fetch: fetched every 4 polls (40.0 s)");
	assert_int_equal(sim.s.every[EP_GOROUTINE], 4);
}

static void
budget_max_min_fair(void **state)
{
	(void)state;

	/* the cheap take what they need, the expensive one the rest: goroutine
	 * 5 ms fits in an even share (20 / 2 = 10 ms), heap 40 ms gets the 15
	 * ms left: ceil(40 / 15) = ceil(2.67) = 3 (40 is over 1.25 * 15 =
	 * 18.75): polls 0, 3, 6 */
	sim_init(2, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.cost[EP_GOROUTINE] = 0.005;
	sim.cost[EP_HEAP] = 0.040;
	assert_string_equal(sim_run(7), "Ighbx gbx gbx ghbx gbx gbx ghbx");
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: heap costs the service "
	                             "40 ms a fetch: fetched every 3 polls (6.0 s)");
	assert_true(sim.s.every[EP_GOROUTINE] <= 1);

	/* two equally expensive ones share what is left evenly. At 3 s (30 ms
	 * a poll), goroutine and heap 16 ms each: goroutine is over an even
	 * share (15 ms) but not over 1.25 * 15 = 18.75: every poll (the dead
	 * band); heap then has 14 ms, 16 not over 17.5: every poll too */
	sim_init(3, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.cost[EP_GOROUTINE] = sim.cost[EP_HEAP] = 0.016;
	assert_string_equal(sim_run(3), "Ighbx ghbx ghbx");
	assert_int_equal(sim.nmsg, 0);
	/* `+`: 2 s, 20 ms. With goroutine's fetch in poll 3: goroutine 16 >
	 * 1.25 * 10: every ceil(16 / 10) = 2nd poll, 8 ms a poll; heap then
	 * has 12 ms, 16 > 1.25 * 12 = 15: every ceil(16 / 12) = 2nd. Both
	 * changed with that one fetch: one message names both, in fetch
	 * order; both fetched in poll 3 (due when it started): polls 5, 7 */
	assert_true(sched_change_interval(&sim.s, sim.now, +1) == 2);
	log_reset();
	assert_string_equal(sim_run(5), "ghbx bx ghbx bx ghbx");
	assert_int_equal(sim.s.every[EP_GOROUTINE], 2);
	assert_int_equal(sim.s.every[EP_HEAP], 2);
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg,
	                    "to keep pproftop under 1% of a core: goroutine costs the "
	                    "service 16 ms a fetch: fetched every 2 polls (4.0 s); heap "
	                    "costs the service 16 ms a fetch: fetched every 2 polls (4.0 s)");
}

static void
budget_dead_band(void **state)
{
	(void)state;

	/* goroutine alone: its share is the 20 ms of a poll. 24 ms (1.2 times
	 * it) is not over 1.25 times it (25 ms): every poll, nothing said */
	goroutine_only_setup();
	sim.cost[EP_GOROUTINE] = 0.024;
	assert_string_equal(sim_run(5), "Ig g g g g");
	assert_int_equal(sim.nmsg, 0);
	assert_true(sim.s.every[EP_GOROUTINE] <= 1);

	/* 26 ms (1.3 times): every ceil(26 / 20) = 2nd poll */
	goroutine_only_setup();
	sim.cost[EP_GOROUTINE] = 0.026;
	assert_string_equal(sim_run(5), "Ig  g  g");
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 26 ms a fetch: fetched every 2 polls (4.0 s)");
	assert_int_equal(sim.s.every[EP_GOROUTINE], 2);
	/* back only when clearly under: 17 ms (the least of the last 8 at
	 * once) fits in the 20 ms, but is over 0.8 * 20 = 16: still every 2nd
	 * poll (polls 5, 6); 15 ms is under 16: every poll again (7, 8) */
	sim.cost[EP_GOROUTINE] = 0.017;
	assert_int_equal(until_fetched(EP_GOROUTINE, 2), 2);
	assert_true(sim.s.cost[EP_GOROUTINE] == 0.017);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 2);
	assert_int_equal(sim.nmsg, 1);
	sim.cost[EP_GOROUTINE] = 0.015;
	assert_int_equal(until_fetched(EP_GOROUTINE, 2), 2);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 1);
	assert_int_equal(sim.nmsg, 2);
	assert_string_equal(
	    sim.msg, "goroutine costs the service 15.0 ms a fetch: fetched every poll again");
	assert_string_equal(sim_poll(), "g");

	/* further out the same: every 2nd poll at 26 ms, then 48 ms a fetch
	 * (the least of the last 8 once 8 were that): ceil(48 / 20) = 3, but
	 * every 2nd poll it costs 24 ms a poll, not over 25: still every 2nd;
	 * then 52 ms (26 ms a poll, over 25): every ceil(2.6) = 3rd, from the
	 * 8th such fetch on */
	goroutine_only_setup();
	sim.cost[EP_GOROUTINE] = 0.026;
	assert_string_equal(sim_poll(), "Ig");
	assert_int_equal(sim.s.every[EP_GOROUTINE], 2);
	sim.cost[EP_GOROUTINE] = 0.048;
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(until_fetched(EP_GOROUTINE, 2), 2);
	assert_true(sim.s.cost[EP_GOROUTINE] == 0.048);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 2);
	assert_int_equal(sim.nmsg, 1);
	sim.cost[EP_GOROUTINE] = 0.052;
	for (unsigned i = 0; i < 7; i++)
		assert_int_equal(until_fetched(EP_GOROUTINE, 2), 2);
	assert_true(sim.s.cost[EP_GOROUTINE] == 0.048);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 2);
	assert_int_equal(until_fetched(EP_GOROUTINE, 2), 2);
	assert_true(sim.s.cost[EP_GOROUTINE] == 0.052);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 3);
	assert_int_equal(sim.nmsg, 2);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 52 ms a fetch: fetched every 3 polls (6.0 s)");
	assert_int_equal(until_fetched(EP_GOROUTINE, 3), 3);
}

static void
budget_fixed_cadence_first(void **state)
{
	(void)state;
	size_t o = 0;

	/* the leak check: 150 ms every 30 s is 0.5% of a core, 10 ms of the
	 * 20 ms of a 2 s poll (half: all it may take); goroutine's 14 ms fit
	 * in the 20 ms, not in the 10 ms left: ceil(14 / 10) = 2 (14 > 1.25 *
	 * 10), with the leak check's first fetch */
	sim_init(2, false, 0);
	sim.cost[EP_GOROUTINE] = 0.014;
	sim.cost[EP_GOROUTINELEAK] = 0.150;
	sim_begin();
	while (sim_step())
		if (sim.seq[sim.nseq - 1] == 'x') /* before L */
			assert_int_equal(sim.nmsg, 0);
	sim_end();
	assert_string_equal(sim.seq, "IghbxL");
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 14 ms a fetch: fetched every 2 polls (4.0 s)");
	/* the leak check is not spaced itself: every 30 s (poll 15);
	 * goroutine 2 polls after poll 0: the even polls */
	for (unsigned i = 1; i < 17; i++)
		expect(want, sizeof(want), &o, i == 15 ? "hbxL" : i % 2 > 0 ? "hbx" : "ghbx");
	assert_string_equal(sim_run(16), want);
	assert_int_equal(sim.nmsg, 1);
	assert_true(sim.s.every[EP_GOROUTINELEAK] <= 1);
	assert_true(sim.s.every[EP_INDEX] <= 1);
}

static void
budget_fixed_cadence_at_most_half(void **state)
{
	(void)state;
	size_t o = 0;

	/* a 300 ms leak check every 30 s at 2 s: 300 * 2 / 30 = 20 ms a poll,
	 * all of the budget. It takes half, 10 ms; goroutine and heap (1 ms
	 * each) fit in the 10 ms left: every poll, not every 30th */
	sim_init(2, false, 0);
	sim.cost[EP_GOROUTINE] = sim.cost[EP_HEAP] = 0.001;
	sim.cost[EP_GOROUTINELEAK] = 0.300;
	for (unsigned i = 0; i < 31; i++)
		expect(want, sizeof(want), &o,
		       i == 0 || i == 30 ? "IghbxL"
		       : i == 15         ? "ghbxL"
		                         : "ghbx");
	assert_string_equal(sim_run(31), want);
	assert_int_equal(sim.nmsg, 0);
	for (int e = 0; e < EP_COUNT; e++)
		assert_true(sim.s.every[e] <= 1);

	/* the 10 ms left are shared as ever: with L's fetch, block and mutex
	 * (0 ms) take nothing, goroutine 7 ms > 1.25 * 10 / 2: every ceil(7 /
	 * 5) = 2nd poll, 3.5 ms a poll; heap 9 ms > 1.25 * the 6.5 ms left
	 * (8.1): every ceil(9 / 6.5) = 2nd. Before L's fetch (not known yet)
	 * both fit in 20 ms. */
	sim_init(2, false, 0);
	sim.cost[EP_GOROUTINE] = 0.007;
	sim.cost[EP_HEAP] = 0.009;
	sim.cost[EP_GOROUTINELEAK] = 0.300;
	o = 0;
	for (unsigned i = 0; i < 31; i++)
		expect(want, sizeof(want), &o,
		       i == 0 || i == 30 ? "IghbxL"
		       : i == 15         ? "bxL"
		       : i % 2 > 0       ? "bx"
		                         : "ghbx");
	assert_string_equal(sim_run(31), want);
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg,
	                    "to keep pproftop under 1% of a core: goroutine costs the "
	                    "service 7 ms a fetch: fetched every 2 polls (4.0 s); heap "
	                    "costs the service 9 ms a fetch: fetched every 2 polls (4.0 s)");
}

static void
budget_capped_at_30(void **state)
{
	(void)state;
	size_t o = 0;

	/* 3 s a fetch: ceil(3000 / 18) = 167, at most every 30th poll */
	budget_setup();
	sim.cost[EP_GOROUTINE] = 3;
	for (unsigned i = 0; i < 61; i++)
		expect(want, sizeof(want), &o, i % 30 > 0 ? "hbx" : "Ighbx"); /* 0, 30, 60 */
	assert_string_equal(sim_run(61), want);
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 3000 ms a fetch: fetched every 30 polls (60.0 s)");
	assert_int_equal(sim.s.every[EP_GOROUTINE], SCHED_SLOW_MAX_EVERY);

	/* however expensive, and at the shortest interval; the index too (its own
	 * 30 polls) */
	sim_init(0.2, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.served[EP_HEAP] = sim.served[EP_MEMSTATS] = false;
	sim.served[EP_ALLOCS] = sim.served[EP_BLOCK] = sim.served[EP_MUTEX] = false;
	sim.lat[EP_GOROUTINE] = sim.cost[EP_GOROUTINE] = 10;
	o = 0;
	for (unsigned i = 0; i < 61; i++)
		expect(want, sizeof(want), &o, i % 30 == 0 ? "Ig" : "");
	assert_string_equal(sim_run(61), want);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 10000 ms a fetch: fetched every 30 polls (6.0 s)");
}

/* Coming down from a wide spacing: to the spacing clearly (20%) under the
 * share, not only to every poll. Goroutine alone at 2 s (share 20 ms): at
 * 600 ms a fetch every 30 polls; one 100 ms fetch makes it cheap (the least
 * of the last 8): ceil(100 / 16) = 7; at 30 ms, ceil(30 / 16) = 2. */
static void
budget_comes_down_part_way(void **state)
{
	(void)state;

	goroutine_only_setup();
	sim.cost[EP_GOROUTINE] = 0.6;
	sim_run(1);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 30);
	sim.cost[EP_GOROUTINE] = 0.1;
	assert_int_equal(until_fetched(EP_GOROUTINE, 31), 30);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 7);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 100 ms a fetch: fetched every 7 polls (14.0 s)");
	sim.cost[EP_GOROUTINE] = 0.03;
	assert_int_equal(until_fetched(EP_GOROUTINE, 8), 7);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 2);
	/* 0.8 x 20 = 16 ms or less: every poll */
	sim.cost[EP_GOROUTINE] = 0.016;
	assert_int_equal(until_fetched(EP_GOROUTINE, 3), 2);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 1);
}

static void
budget_least_of_last_8(void **state)
{
	(void)state;
	size_t o = 0;

	/* cheap (2 ms) in polls 0-9, then 300 ms a fetch: one slow fetch
	 * changes nothing, the least of the last 8 is still 2 ms, and so it
	 * stays through poll 16 (7 slow fetches) */
	budget_setup();
	sim.cost[EP_GOROUTINE] = 0.002;
	for (unsigned i = 0; i < 10; i++)
		expect(want, sizeof(want), &o, i == 0 ? "Ighbx" : "ghbx");
	assert_string_equal(sim_run(10), want);
	assert_int_equal(sim.nmsg, 0);
	sim.cost[EP_GOROUTINE] = 0.300;
	assert_string_equal(sim_poll(), "ghbx"); /* poll 10 */
	assert_true(sim.s.cost[EP_GOROUTINE] == 0.002);
	assert_true(sim.s.every[EP_GOROUTINE] <= 1);
	log_reset();
	assert_string_equal(sim_run(6), "ghbx ghbx ghbx ghbx ghbx ghbx"); /* 11-16 */
	assert_true(sim.s.cost[EP_GOROUTINE] == 0.002);
	assert_int_equal(sim.nmsg, 0);
	/* the 8th in a row, in poll 17: all of the last 8 are 300 ms. 16 ms
	 * left by the index and heap: every ceil(300 / 16) = ceil(18.75) = 19
	 * polls, from poll 17: poll 36 */
	assert_string_equal(sim_poll(), "ghbx");
	assert_true(sim.s.cost[EP_GOROUTINE] == 0.300);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 19);
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 300 ms a fetch: fetched every 19 polls (38.0 s)");
	log_reset();
	o = 0;
	for (unsigned i = 18; i < 36; i++)
		expect(want, sizeof(want), &o, i == 30 ? "Ihbx" : "hbx");
	assert_string_equal(sim_run(18), want); /* 18-35 */
	/* a single fast fetch among the slow ones (poll 36): cheap at once,
	 * every poll again (2 ms under 0.8 * 16); slow again, the 2 ms stays
	 * the least for the next 7 fetches (polls 37-43), and the 8th (poll
	 * 44) spaces it out again: 19 polls */
	sim.cost[EP_GOROUTINE] = 0.002;
	assert_string_equal(sim_poll(), "ghbx");
	assert_true(sim.s.cost[EP_GOROUTINE] == 0.002);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 1);
	assert_int_equal(sim.nmsg, 2);
	assert_string_equal(sim.msg,
	                    "goroutine costs the service 2.0 ms a fetch: fetched every poll again");
	sim.cost[EP_GOROUTINE] = 0.300;
	log_reset();
	assert_string_equal(sim_run(8), "ghbx ghbx ghbx ghbx ghbx ghbx ghbx ghbx"); /* 37-44 */
	assert_int_equal(sim.nmsg, 3);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 19);
	assert_int_equal(until_fetched(EP_GOROUTINE, 19), 19); /* poll 63 */

	/* a measured 0 is known, and the least: ten 0 ms fetches, then one of
	 * 300 ms: still 0 ms, every poll (were the 0 unknown, the 300 ms
	 * would count at once: budget_unknown_cost) */
	budget_setup();
	log_reset();
	o = 0;
	for (unsigned i = 0; i < 10; i++)
		expect(want, sizeof(want), &o, i == 0 ? "Ighbx" : "ghbx");
	assert_string_equal(sim_run(10), want);
	assert_true(sim.s.cost[EP_GOROUTINE] == 0);
	sim.cost[EP_GOROUTINE] = 0.300;
	assert_string_equal(sim_poll(), "ghbx");
	assert_string_equal(sim_poll(), "ghbx");
	assert_true(sim.s.cost[EP_GOROUTINE] == 0);
	assert_true(sim.s.every[EP_GOROUTINE] <= 1);
	assert_int_equal(sim.nmsg, 0);
}

static void
budget_unknown_cost(void **state)
{
	(void)state;
	size_t o = 0;

	/* never known: every poll, however long the fetches take; the cost
	 * stays unknown (-1, as sched_init left it), not 0 */
	budget_setup();
	sim.cost[EP_GOROUTINE] = -1;
	sim.lat[EP_GOROUTINE] = 0.9;
	for (unsigned i = 0; i < 5; i++)
		expect(want, sizeof(want), &o, i == 0 ? "Ighbx" : "ghbx");
	assert_string_equal(sim_run(5), want);
	assert_int_equal(sim.nmsg, 0);
	assert_true(sim.s.cost[EP_GOROUTINE] == -1);
	/* the first known cost counts in full (the least of one): 300 ms,
	 * ceil(300 / 16) = 19, from poll 5: due again at poll 24 */
	sim.cost[EP_GOROUTINE] = 0.300;
	assert_string_equal(sim_poll(), "ghbx");
	assert_true(sim.s.cost[EP_GOROUTINE] == 0.300);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 19);
	assert_int_equal(sim.nmsg, 1);
	/* unknown again (< 0, or not a number): the spacing and the cost stay */
	sim.cost[EP_GOROUTINE] = -1;
	assert_int_equal(until_fetched(EP_GOROUTINE, 19), 19); /* polls 6..23 skip it */
	sim.cost[EP_GOROUTINE] = INFINITY;
	assert_int_equal(until_fetched(EP_GOROUTINE, 19), 19);
	sim.cost[EP_GOROUTINE] = NAN;
	assert_int_equal(until_fetched(EP_GOROUTINE, 19), 19);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 19);
	assert_true(sim.s.cost[EP_GOROUTINE] == 0.300);
	assert_int_equal(sim.nmsg, 1);
}

static void
budget_skipped_costs_nothing(void **state)
{
	(void)state;

	/* goroutine 12 ms, block 8 ms: with block's fetch (heap 2 ms and the
	 * index's 2 ms taken, 16 ms left) block fits in an even share (8 <=
	 * 16 / 2), goroutine not in the 8 ms left: every ceil(12 / 8) = 2nd
	 * poll (12 > 1.25 * 8) */
	budget_setup();
	sim.cost[EP_GOROUTINE] = 0.012;
	sim.cost[EP_BLOCK] = 0.008;
	assert_string_equal(sim_run(2), "Ighbx hbx");
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 12 ms a fetch: fetched every 2 polls (4.0 s)");
	/* the index counts no records in block: due in poll 2 but skipped,
	 * it costs nothing now (unknown); with the next fetch (heap's, poll
	 * 3) goroutine has the 16 ms (12 under 0.8 * 16 = 12.8): every poll
	 * again from poll 4 */
	sim.st[EP_BLOCK].no_records = true;
	log_reset();
	assert_string_equal(sim_run(1), "ghx");
	assert_true(sim.s.cost[EP_BLOCK] == -1);
	assert_int_equal(sim.nmsg, 1);
	log_reset();
	assert_string_equal(sim_run(3), "hx ghx ghx");
	assert_int_equal(sim.nmsg, 2);
	assert_string_equal(
	    sim.msg, "goroutine costs the service 12.0 ms a fetch: fetched every poll again");
	assert_true(sim.s.every[EP_GOROUTINE] == 1);
	assert_true(sim.s.cost[EP_BLOCK] == -1);
	/* records again (poll 6): block's cost is measured afresh, the least
	 * of its one fetch since: goroutine every 2nd poll again, from its
	 * fetch in poll 6 */
	sim.st[EP_BLOCK].no_records = false;
	log_reset();
	assert_string_equal(sim_run(3), "ghbx hbx ghbx");
	assert_true(sim.s.cost[EP_BLOCK] == 0.008);
	assert_int_equal(sim.nmsg, 3);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 12 ms a fetch: fetched every 2 polls (4.0 s)");
	/* a failed poll skips nothing: block, due in poll 9 but cut off,
	 * keeps its 8 ms, and goroutine its spacing (poll 10: 2 after 8) */
	sim.out[EP_HEAP] = SCHED_UNREACHABLE;
	assert_string_equal(sim_poll(), "h");
	sim.out[EP_HEAP] = SCHED_OK;
	assert_true(sim.s.cost[EP_BLOCK] == 0.008);
	assert_string_equal(sim_poll(), "ghbx");
	assert_int_equal(sim.s.every[EP_GOROUTINE], 2);
	assert_int_equal(sim.nmsg, 3);

	/* the same when the endpoint is gone (the target restarted without
	 * it): goroutine every poll again */
	budget_setup();
	sim.cost[EP_GOROUTINE] = 0.012;
	sim.cost[EP_BLOCK] = 0.008;
	assert_string_equal(sim_run(2), "Ighbx hbx");
	sim.st[EP_BLOCK].missing = true;
	log_reset();
	assert_string_equal(sim_run(4), "ghx hx ghx ghx");
	assert_int_equal(sim.nmsg, 2);
	assert_string_equal(
	    sim.msg, "goroutine costs the service 12.0 ms a fetch: fetched every poll again");

	/* block spaced itself (15 ms; goroutine 11 ms): with block's fetch
	 * heap takes its 2 ms, 16 ms left; goroutine 11 > 1.25 * 16 / 2:
	 * every ceil(11 / 8) = 2nd poll, 5.5 ms a poll; block 15 > 1.25 * the
	 * 10.5 left: every ceil(15 / 10.5) = 2nd. Both in one message. Due in
	 * poll 4 (2 after 2) but skipped, block takes nothing from heap's
	 * fetch in poll 5 on: goroutine every poll again from poll 6. Block's
	 * spacing goes back to 1 too, but its cost is unknown now: the
	 * message leaves it out (it may not quote it as -1000 ms) */
	budget_setup();
	sim.cost[EP_GOROUTINE] = 0.011;
	sim.cost[EP_BLOCK] = 0.015;
	assert_string_equal(sim_run(3), "Ighbx hx ghbx");
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg,
	                    "to keep pproftop under 1% of a core: goroutine costs the "
	                    "service 11 ms a fetch: fetched every 2 polls (4.0 s); block "
	                    "costs the service 15 ms a fetch: fetched every 2 polls (4.0 s)");
	sim.st[EP_BLOCK].no_records = true;
	log_reset();
	assert_string_equal(sim_run(5), "hx ghx hx ghx ghx");
	assert_true(sim.s.cost[EP_BLOCK] == -1);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 1);
	assert_int_equal(sim.s.every[EP_BLOCK], 1);
	assert_int_equal(sim.nmsg, 2);
	assert_string_equal(
	    sim.msg, "goroutine costs the service 11.0 ms a fetch: fetched every poll again");
	assert_null(strchr(sim.msg, '-'));
}

static void
budget_share(void **state)
{
	(void)state;
	char msg[300];

	/* --budget 5%: 100 ms of a 2 s poll. Goroutine 300 ms, the index's 2
	 * ms taken: ceil(300 / 98) = ceil(3.06) = 4 with its fetch (heap's 2
	 * ms then: ceil(300 / 96) = ceil(3.1) = 4 still): polls 0, 4, 8 */
	budget_setup_share(0.05);
	sim.cost[EP_GOROUTINE] = 0.300;
	assert_string_equal(sim_run(9), "Ighbx hbx hbx hbx ghbx hbx hbx hbx ghbx");
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg, "to keep pproftop under 5% of a core: goroutine costs the "
	                             "service 300 ms a fetch: fetched every 4 polls (8.0 s)");
	assert_int_equal(sim.s.every[EP_GOROUTINE], 4);
	/* and 5% of what the service allocates itself: 8 MiB/s of ours in
	 * poll 9, over (0, 18], polls 1-9, is 8 * 18 / 9 = 16 MiB a poll; of
	 * a service that allocates 100 MiB/s itself we may take 5 MiB/s, 10
	 * MiB a 2 s poll: 1.6 intervals (1%: the 1 MiB/s floor, 8) */
	assert_true(alloc_poll(8 * MiB, 108 * MiB, msg, sizeof(msg)));
	assert_true(fabs(sim.s.stretch - 1.6) < 1e-9);
	assert_string_equal(msg, "pproftop's requests allocate 8.00 MiB/s in the service (it "
	                         "allocates 100.00 MiB/s itself): polling every 3.2 s to stay "
	                         "under 5.00 MiB/s");
	assert_true(fabs(sched_next_poll(&sim.s, sim.now) - 3.2) < 1e-9);

	/* --budget 0: no limit. 3 s a fetch is fetched every poll, nothing
	 * said; the allocation budget never stretches the polls */
	sim_setup(2, false, 0, -1);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.cost[EP_GOROUTINE] = sim.cost[EP_HEAP] = 3;
	sim.cost[EP_INDEX] = 30;
	assert_string_equal(sim_run(5), "Ighbx ghbx ghbx ghbx ghbx");
	assert_int_equal(sim.nmsg, 0);
	for (int e = 0; e < EP_COUNT; e++)
		assert_true(sim.s.every[e] <= 1);
	assert_false(alloc_poll(100 * MiB, 100.01 * MiB, msg, sizeof(msg)));
	assert_string_equal(msg, "");
	assert_true(sim.s.stretch <= 1);
	assert_true(sched_next_poll(&sim.s, sim.now) == 2);
	/* the leak check too: 3 s every 30 s takes nothing from the rest */
	sim_setup(2, false, 0, -1);
	sim.cost[EP_GOROUTINE] = sim.cost[EP_GOROUTINELEAK] = 3;
	assert_string_equal(sim_run(3), "IghbxL ghbx ghbx");
	assert_int_equal(sim.nmsg, 0);
	assert_true(sim.s.every[EP_GOROUTINE] <= 1);
}

/* --- the allocation budget ---------------------------------------------- */

static void
alloc_allowance(void **state)
{
	(void)state;

	/* 1% of what the service allocates itself (all - ours), at least 1 MiB/s */
	assert_true(fabs(sched_alloc_allowance(0, 3 * MiB, 500 * MiB) - 4.97 * MiB) < 1e-6);
	assert_true(sched_alloc_allowance(0, 3 * MiB, 50 * MiB) == SCHED_ALLOC_FLOOR);
	assert_true(sched_alloc_allowance(0, 3 * MiB, 3.01 * MiB) == SCHED_ALLOC_FLOOR);
	assert_true(sched_alloc_allowance(0, 0, 1000 * MiB) == 10 * MiB);
	/* unknown, or less than ours (samples of different times): the floor */
	assert_true(sched_alloc_allowance(0, 3 * MiB, -1) == SCHED_ALLOC_FLOOR);
	assert_true(sched_alloc_allowance(0, 3 * MiB, 2 * MiB) == SCHED_ALLOC_FLOOR);
	/* --budget 5%: 5% of it, 0.05 * 497 = 24.85 MiB/s; 5% of 10 MiB/s is
	 * under the floor */
	assert_true(fabs(sched_alloc_allowance(0.05, 3 * MiB, 500 * MiB) - 24.85 * MiB) < 1e-6);
	assert_true(sched_alloc_allowance(0.05, 3 * MiB, 13 * MiB) == SCHED_ALLOC_FLOOR);
	/* --budget 0: no limit */
	assert_true(isinf(sched_alloc_allowance(-1, 3 * MiB, 500 * MiB)));
	assert_true(isinf(sched_alloc_allowance(-1, 3 * MiB, -1)));
}

static void
alloc_budget_stretch(void **state)
{
	(void)state;
	char msg[300];

	sim_init(2, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	assert_string_equal(sim_run(2), "Ighbx ghbx"); /* polls 0, 1 at 0, 2 s */
	assert_true(sched_next_poll(&sim.s, sim.now) == 2);
	/* poll 2 (4 s): 3 MiB/s of ours over (0, 4], polls 1 and 2, is 6 MiB a
	 * poll, in a service that allocates next to nothing itself: the
	 * budget is the floor, 1 MiB/s, 2 MiB a 2 s poll: polls 3 intervals
	 * apart */
	assert_true(alloc_poll(3 * MiB, 3.01 * MiB, msg, sizeof(msg)));
	assert_true(sim.s.stretch == 3);
	assert_string_equal(msg, "pproftop's requests allocate 3.00 MiB/s in the service (it "
	                         "allocates 0.01 MiB/s itself): polling every 6.0 s to stay "
	                         "under 1.00 MiB/s");
	assert_true(sched_next_poll(&sim.s, sim.now) == 6);
	/* whole polls, spaced: poll 3 at 10 s. The rate lags the spacing: the
	 * same 6 MiB a poll over (0, 10], polls 1-3, is 18 / 10 = 1.8 MiB/s:
	 * per poll 1.8 * 10 / 3 = 6 MiB, 3 intervals still (at the current
	 * 6 s it would be 10.8 MiB, 5.4 intervals) */
	double done = sim.now;
	assert_false(alloc_poll(1.8 * MiB, 1.81 * MiB, msg, sizeof(msg)));
	assert_string_equal(msg, "");
	assert_true(sim.t_poll - done == 6);
	assert_true(sim.s.stretch == 3);
	assert_true(sched_next_poll(&sim.s, sim.now) == 6);

	/* polls 4-11 (16 to 58 s): from poll 12 (64 s) on the window is 10
	 * polls 6 s apart, 60 s: per poll 6 s times the rate. 1 MiB/s: 6 MiB,
	 * on the budget: stays */
	log_reset();
	assert_string_equal(sim_run(8), "ghbx ghbx ghbx ghbx ghbx ghbx ghbx ghbx");
	assert_false(alloc_poll(1 * MiB, 1.01 * MiB, msg, sizeof(msg)));
	assert_string_equal(msg, "");
	assert_true(sim.t_poll == 64);
	assert_true(sim.s.stretch == 3);
	assert_true(sched_next_poll(&sim.s, sim.now) == 6);
	/* within 20% of it (1.15 and 0.85 MiB/s: 3.45 and 2.55 intervals): the
	 * dead band, stays */
	assert_false(alloc_poll(1.15 * MiB, 1.16 * MiB, msg, sizeof(msg)));
	assert_false(alloc_poll(0.85 * MiB, 0.86 * MiB, msg, sizeof(msg)));
	assert_true(sim.s.stretch == 3);
	assert_true(sched_next_poll(&sim.s, sim.now) == 6);
	/* beyond it: 1.25 MiB/s, 7.5 MiB a poll, wants 3.75 intervals (poll
	 * 15, 82 s) */
	assert_true(alloc_poll(1.25 * MiB, 1.26 * MiB, msg, sizeof(msg)));
	assert_true(sim.t_poll == 82);
	assert_true(sim.s.stretch == 3.75);
	assert_string_equal(msg, "pproftop's requests allocate 1.25 MiB/s in the service (it "
	                         "allocates 0.01 MiB/s itself): polling every 7.5 s to stay "
	                         "under 1.00 MiB/s");
	assert_true(sched_next_poll(&sim.s, sim.now) == 7.5);
	/* 0.1 MiB/s in poll 16 (89.5 s) over (28, 89.5], 10 polls: 0.615 MiB a
	 * poll, 0.31 intervals would do: back to every interval */
	assert_true(alloc_poll(0.1 * MiB, 0.11 * MiB, msg, sizeof(msg)));
	assert_true(sim.t_poll == 89.5);
	assert_true(sim.s.stretch == 1);
	assert_string_equal(msg,
	                    "pproftop's requests allocate 0.10 MiB/s in the service: back to every "
	                    "2.0 s");
	assert_true(sched_next_poll(&sim.s, sim.now) == 2);
	assert_false(alloc_poll(0.1 * MiB, 0.11 * MiB, msg, sizeof(msg)));
	assert_string_equal(msg, "");
	/* the CPU budget said nothing through all of it */
	assert_int_equal(sim.nmsg, 0);
}

static void
alloc_budget_busy_service(void **state)
{
	(void)state;
	char msg[300];

	sim_init(2, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim_run(2);
	/* a service allocating 500 MiB/s: 1% of its own 497 is 4.97 MiB/s,
	 * 9.94 MiB a 2 s poll; our 3 MiB/s over (0, 4] (polls 1, 2) is 6 MiB
	 * a poll: nothing changes */
	assert_false(alloc_poll(3 * MiB, 500 * MiB, msg, sizeof(msg)));
	assert_string_equal(msg, "");
	assert_true(sim.s.stretch <= 1);
	assert_true(sched_next_poll(&sim.s, sim.now) == 2);
	/* 6 MiB/s of ours over (0, 6] (polls 1-3): 12 MiB a poll; 1% of its
	 * own 494 is 4.94 MiB/s: 12 / (4.94 * 2) = 1.21 intervals */
	assert_true(alloc_poll(6 * MiB, 500 * MiB, msg, sizeof(msg)));
	assert_true(fabs(sim.s.stretch - 6 / 4.94) < 1e-9);
	assert_string_equal(msg, "pproftop's requests allocate 6.00 MiB/s in the service (it "
	                         "allocates 494.00 MiB/s itself): polling every 2.4 s to stay "
	                         "under 4.94 MiB/s");
	assert_true(fabs(sched_next_poll(&sim.s, sim.now) - 12 / 4.94) < 1e-9);
}

static void
alloc_budget_capped(void **state)
{
	(void)state;
	char msg[300];

	/* 100 MiB/s over (0, 4] (polls 1, 2): 200 MiB a poll against 2 MiB a
	 * poll (the 1 MiB/s floor): 100 intervals, at most 15 */
	sim_init(2, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim_run(2);
	assert_true(alloc_poll(100 * MiB, 100.01 * MiB, msg, sizeof(msg)));
	assert_true(sim.s.stretch == SCHED_STRETCH_MAX);
	assert_string_equal(msg, "pproftop's requests allocate 100.00 MiB/s in the service (it "
	                         "allocates 0.01 MiB/s itself): polling every 30.0 s to stay "
	                         "under 1.00 MiB/s");
	assert_true(sched_next_poll(&sim.s, sim.now) == 30);
	/* the same 200 MiB a poll, measured in poll 3 (34 s) over (0, 34]
	 * (polls 1-3): 600 / 34 MiB/s; still capped */
	assert_false(alloc_poll(600 * MiB / 34, 600.01 * MiB / 34, msg, sizeof(msg)));
	assert_true(sim.t_poll == 34);
	assert_true(sim.s.stretch == SCHED_STRETCH_MAX);
	assert_true(sched_next_poll(&sim.s, sim.now) == 30);

	/* the service's own rate unknown: the floor, and nothing to say of
	 * what it allocates itself */
	sim_init(2, false, 0);
	sim_run(2);
	assert_true(alloc_poll(100 * MiB, -1, msg, sizeof(msg)));
	assert_true(sim.s.stretch == SCHED_STRETCH_MAX);
	assert_string_equal(msg, "pproftop's requests allocate 100.00 MiB/s in the service: "
	                         "polling every 30.0 s to stay under 1.00 MiB/s");
	assert_null(strstr(msg, "(it allocates"));
	assert_true(sched_next_poll(&sim.s, sim.now) == 30);

	/* our rate unknown or not a number: nothing changes */
	sim_init(2, false, 0);
	sim_run(2);
	assert_false(alloc_poll(-1, 10 * MiB, msg, sizeof(msg)));
	assert_string_equal(msg, "");
	assert_false(alloc_poll(NAN, 10 * MiB, msg, sizeof(msg)));
	assert_false(alloc_poll(INFINITY, 10 * MiB, msg, sizeof(msg)));
	assert_true(sim.s.stretch <= 1);
	assert_true(sched_next_poll(&sim.s, sim.now) == 2);
}

static void
alloc_budget_needs_two_polls(void **state)
{
	(void)state;
	char msg[300];

	/* poll 1 (2 s): the window (0, 2] holds one poll start: nothing to
	 * measure a poll by, however much */
	sim_init(2, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	assert_string_equal(sim_poll(), "Ighbx");
	assert_false(alloc_poll(100 * MiB, 100.01 * MiB, msg, sizeof(msg)));
	assert_string_equal(msg, "");
	assert_true(sim.s.stretch <= 1);
	/* an empty or backward window: nothing */
	assert_false(sched_alloc_budget(&sim.s, 100 * MiB, -1, 2, 2, msg, sizeof(msg)));
	assert_false(sched_alloc_budget(&sim.s, 100 * MiB, -1, 3, 2, msg, sizeof(msg)));
	assert_true(sim.s.stretch <= 1);
	/* (-1, 2] holds polls 0 and 1: 100 MiB/s * 3 s / 2 polls = 150 MiB a
	 * poll, 75 intervals: at most 15 */
	assert_true(sched_alloc_budget(&sim.s, 100 * MiB, -1, -1, 2, msg, sizeof(msg)));
	assert_true(sim.s.stretch == SCHED_STRETCH_MAX);
	/* (0.5, 2] holds one again */
	sim_init(2, false, 0);
	sim_run(2);
	assert_false(sched_alloc_budget(&sim.s, 100 * MiB, -1, 0.5, 2, msg, sizeof(msg)));
}

static void
alloc_budget_and_cpu_budget(void **state)
{
	(void)state;
	char msg[300];
	size_t o = 0;

	/* goroutine 105 ms at 2 s: ceil(105 / 20) = ceil(5.25) = 6, with its
	 * fetch in poll 0; then, in poll 2, 4 MiB/s over (0, 4] (polls 1, 2):
	 * 8 MiB a poll, the allocation budget spaces polls 4 intervals apart
	 * (8 s) */
	sim_init(2, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.cost[EP_GOROUTINE] = 0.105;
	assert_string_equal(sim_run(2), "Ighbx hbx");
	assert_true(alloc_poll(4 * MiB, 4.01 * MiB, msg, sizeof(msg)));
	assert_string_equal(sim.seq, "hbx");
	assert_true(sim.s.stretch == 4);
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 105 ms a fetch: fetched every 6 polls (12.0 s)");
	/* the CPU budget is 1% of the polls' spacing, 8 s: 80 ms a poll; with
	 * heap's fetch in poll 3, ceil(105 / 80) = ceil(1.3) = 2 polls (52.5
	 * ms a poll, under 0.8 * 80 = 64), 2 * 2 s * 4 = 16 s: poll 4, 2 after
	 * poll 0 */
	double done = sim.now;
	assert_string_equal(sim_poll(), "hbx");
	assert_true(sim.t_poll - done == 8);
	assert_int_equal(sim.nmsg, 2);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 105 ms a fetch: fetched every 2 polls (16.0 s)");
	log_reset();
	assert_string_equal(sim_run(3), "ghbx hbx ghbx"); /* 4-6 */
	assert_true(sched_next_poll(&sim.s, sim.now) == 8);

	/* `+`: 1 s, and the stretch starts over (measured at the old
	 * interval): polls 1 s apart, the budget 10 ms a poll; with heap's
	 * fetch in poll 7 goroutine every ceil(105 / 10) = ceil(10.5) = 11
	 * polls (52.5 ms a poll is over 1.25 * 10), 11.0 s, from its fetch in
	 * poll 6: poll 17 */
	assert_true(sched_change_interval(&sim.s, sim.now, +1) == 1);
	assert_true(sim.s.stretch == 1);
	assert_true(sched_next_poll(&sim.s, sim.now) == 1);
	for (unsigned i = 7; i < 19; i++)
		expect(want, sizeof(want), &o, i == 17 ? "ghbx" : "hbx");
	log_reset();
	assert_string_equal(sim_run(12), want);
	assert_int_equal(sim.nmsg, 3);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 105 ms a fetch: fetched every 11 polls (11.0 s)");
	assert_true(sched_next_poll(&sim.s, sim.now) == 1);

	/* `-` starts it over too: 3 MiB/s in poll 19 (49 s) over (39, 49],
	 * polls 10-19, is 3 MiB a poll, 3 intervals at 1 s, 3 s; then 2 s,
	 * polls 2 s apart */
	assert_true(alloc_poll(3 * MiB, 3.01 * MiB, msg, sizeof(msg)));
	assert_true(sim.t_poll == 49);
	assert_true(sim.s.stretch == 3);
	assert_true(sched_next_poll(&sim.s, sim.now) == 3);
	assert_true(sched_change_interval(&sim.s, sim.now, -1) == 2);
	assert_true(sim.s.stretch == 1);
	assert_true(sched_next_poll(&sim.s, sim.now) == 2);
}

static void
alloc_budget_batch(void **state)
{
	(void)state;
	char msg[300];

	/* batch: exactly the polls asked for, at the interval */
	sim_init(2, true, 4);
	sim.served[EP_GOROUTINELEAK] = false;
	sim_run(2);
	assert_false(alloc_poll(100 * MiB, 100.01 * MiB, msg, sizeof(msg)));
	assert_string_equal(msg, "");
	assert_true(sim.s.stretch <= 1);
	assert_true(sched_next_poll(&sim.s, sim.now) == 2);
	assert_false(alloc_poll(100 * MiB, 100.01 * MiB, msg, sizeof(msg)));
	assert_true(sched_finished(&sim.s));
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
	assert_string_equal(sim_poll(), "Ighbx");
	assert_int_equal(sim.s.failures, 0);
	assert_true(sched_next_poll(&sim.s, sim.now) == 1);

	/* cut in the middle: what comes after is off; the next poll is whole */
	sim.out[EP_HEAP] = SCHED_UNREACHABLE;
	assert_string_equal(sim_poll(), "gh");
	assert_true(sched_next_poll(&sim.s, sim.now) == 2);
	sim.out[EP_HEAP] = SCHED_OK;
	assert_string_equal(sim_poll(), "ghbx");

	/* an answer with an error is not a failed poll */
	sim.out[EP_BLOCK] = SCHED_BAD;
	assert_string_equal(sim_poll(), "ghbx");
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

static void
backoff_stretched(void **state)
{
	(void)state;
	static const double waits[] = { 12, 24, 30, 30 };
	char msg[300];

	/* polls 3 intervals apart (6 s) by the allocation budget: failed
	 * polls double that, 12, 24, then the cap */
	sim_init(2, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim_run(2);
	assert_true(alloc_poll(3 * MiB, 3.01 * MiB, msg, sizeof(msg))); /* 6 MiB a poll */
	assert_true(sched_next_poll(&sim.s, sim.now) == 6);
	sim.out[EP_GOROUTINE] = SCHED_UNREACHABLE;
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		double done = sim.now;
		assert_string_equal(sim_poll(), "g");
		assert_true(sim.t_poll - done == (i == 0 ? 6 : waits[i - 1]));
		assert_true(sched_next_poll(&sim.s, sim.now) == waits[i]);
	}
	assert_int_equal(sim.s.failures, 4);
	/* back: the stretched spacing again (a failed poll keeps the stretch) */
	sim.out[EP_GOROUTINE] = SCHED_OK;
	assert_string_equal(sim_poll(), "ghbx");
	assert_int_equal(sim.s.failures, 0);
	assert_true(sim.s.stretch == 3);
	assert_true(sched_next_poll(&sim.s, sim.now) == 6);

	/* XXX: a stretched spacing longer than the cap is cut to it: at 10 s
	 * stretched 15 times (100 MiB/s over (0, 20], polls 1, 2: 1000 MiB a
	 * poll), polls are 150 s apart, but after a failed one the next waits
	 * 2 * 150 s capped to 30 s (the cap keeps only the interval, 10 s) */
	sim_init(10, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim_run(2);
	assert_true(alloc_poll(100 * MiB, 100.01 * MiB, msg, sizeof(msg)));
	assert_true(sim.s.stretch == SCHED_STRETCH_MAX);
	assert_true(sched_next_poll(&sim.s, sim.now) == 150);
	sim.out[EP_GOROUTINE] = SCHED_UNREACHABLE;
	assert_string_equal(sim_poll(), "g");
	assert_true(sched_next_poll(&sim.s, sim.now) == 30);
	sim.out[EP_GOROUTINE] = SCHED_OK;
	assert_string_equal(sim_poll(), "ghbx");
	assert_true(sched_next_poll(&sim.s, sim.now) == 150);
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
	assert_string_equal(sim_run(7), "IghbxL ghbx ghbx ghbxL ghbx ghbx ghbxL");

	/* polls that drift (each takes 0.04 s, 0.05 s with L): the poll nearest each mark */
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
	assert_string_equal(sim.seq, "ghbxL");
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
	assert_string_equal(sim.seq, "ghbx");
	assert_string_equal(sim_poll(), "ghbxL");
	assert_string_equal(sim_poll(), "ghbx");

	/* asked for, but the poll is cut before it: in the next one */
	assert_true(sched_request_leakcheck(&sim.s, sim.now, sim.st, msg, sizeof(msg)));
	sim.out[EP_HEAP] = SCHED_UNREACHABLE;
	assert_string_equal(sim_poll(), "gh");
	sim.out[EP_HEAP] = SCHED_OK;
	assert_string_equal(sim_poll(), "ghbxL");
}

static void
leak_batch_first_and_last(void **state)
{
	(void)state;

	sim_init(1, true, 5);
	assert_string_equal(sim_run(5), "IghbxL ghbx ghbx ghbx ghbxL");
	assert_true(sched_finished(&sim.s));
	assert_false(sched_poll_start(&sim.s, sim.now + 100));
	assert_true(isinf(sched_next_poll(&sim.s, sim.now)));

	sim_init(1, true, 1);
	assert_string_equal(sim_run(1), "IghbxL");
	assert_true(sched_finished(&sim.s));
	sim_init(1, true, 2);
	assert_string_equal(sim_run(2), "IghbxL ghbxL");

	/* the last poll fails: the one that replaces it is the last */
	sim_init(1, true, 3);
	assert_string_equal(sim_run(2), "IghbxL ghbx");
	sim.out[EP_GOROUTINE] = SCHED_UNREACHABLE;
	assert_string_equal(sim_poll(), "g");
	assert_false(sched_finished(&sim.s));
	sim.out[EP_GOROUTINE] = SCHED_OK;
	assert_string_equal(sim_poll(), "ghbxL");
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
	assert_string_equal(sim_run(3), "Ighbx ghbx ghbx");
	/* a small count: at once, the next poll, once */
	assert_true(sched_request_dump(&sim.s, sim.now, 500, msg, sizeof(msg)));
	assert_string_equal(msg, "fetching the goroutine dump");
	assert_true(sched_next_poll(&sim.s, sim.now) == 0);
	assert_string_equal(sim_poll(), "ghbxD");
	log_reset();
	assert_string_equal(sim_run(3), "ghbx ghbx ghbx");

	/* a large count: D warns with it; only a second D within 5 s fetches */
	assert_false(sched_request_dump(&sim.s, sim.now, 12000, msg, sizeof(msg)));
	assert_string_equal(msg, "goroutine?debug=2 stops the world while it formats all 12000 "
	                         "goroutines (about 0.2 s): press D again to fetch it once");
	assert_true(sched_next_poll(&sim.s, sim.now) == 1);
	log_reset();
	assert_string_equal(sim_run(3), "ghbx ghbx ghbx");
	assert_true(sched_request_dump(&sim.s, sim.now, 12000, msg, sizeof(msg)));
	assert_string_equal(sim_poll(), "ghbxD");
	/* too late: it asks again */
	assert_false(sched_request_dump(&sim.s, sim.now, 12000, msg, sizeof(msg)));
	log_reset();
	assert_string_equal(sim_run(6), "ghbx ghbx ghbx ghbx ghbx ghbx");
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
	assert_string_equal(sim.seq, "ghbx");
	assert_string_equal(sim_poll(), "ghbxD");

	/* cut before it: in the next poll; an error answer does not repeat it */
	assert_true(sched_request_dump(&sim.s, sim.now, 5, msg, sizeof(msg)));
	sim.out[EP_GOROUTINE] = SCHED_UNREACHABLE;
	assert_string_equal(sim_poll(), "g");
	sim.out[EP_GOROUTINE] = SCHED_OK;
	sim.out[EP_DUMP] = SCHED_BAD;
	assert_string_equal(sim_poll(), "ghbxD");
	assert_string_equal(sim_poll(), "ghbx");
}

/* --- batch -------------------------------------------------------------- */

static void
batch_fetches_everything(void **state)
{
	(void)state;

	/* expensive endpoints are not spaced out in batch (3 s a fetch would
	 * be every 30th poll live) and nothing is said */
	sim_init(1, true, 4);
	for (int e = 0; e < EP_COUNT; e++)
		sim.lat[e] = sim.cost[e] = 3;
	assert_string_equal(sim_run(4), "IghbxL ghbx ghbx ghbxL");
	assert_int_equal(sim.nmsg, 0);
	for (int e = 0; e < EP_COUNT; e++)
		assert_true(sim.s.every[e] <= 1);
	/* 40 polls: the index again at the 31st */
	sim_init(0.5, true, 40);
	size_t o = 0;
	for (unsigned i = 0; i < 40; i++)
		expect(want, sizeof(want), &o,
		       i == 0    ? "IghbxL"
		       : i == 30 ? "Ighbx"
		       : i == 39 ? "ghbxL"
		                 : "ghbx");
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
	assert_int_equal(order[1], EP_HEAP);
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
	/* the CPU budget follows the interval: goroutine's 28 ms fit in the
	 * 30 ms of a 3 s poll, not in the 20 ms of a 2 s one: ceil(28 / 20) =
	 * ceil(1.4) = 2 (28 > 1.25 * 20). The spacing is recomputed after each
	 * fetch, from the next one on. */
	sim_init(3, false, 0);
	sim.served[EP_GOROUTINELEAK] = false;
	sim.cost[EP_GOROUTINE] = 0.028;
	assert_string_equal(sim_poll(), "Ighbx");
	assert_int_equal(sim.nmsg, 0);
	sched_change_interval(&sim.s, sim.now, +1); /* 2 s */
	assert_string_equal(sim_poll(), "ghbx");    /* poll 1 */
	assert_int_equal(sim.nmsg, 1);
	assert_string_equal(sim.msg, "to keep pproftop under 1% of a core: goroutine costs the "
	                             "service 28 ms a fetch: fetched every 2 polls (4.0 s)");
	log_reset();
	assert_string_equal(sim_run(2), "hbx ghbx"); /* 2, 3: 2 after 1 */
	/* 3 s again: 28 ms fit in 30, but not under 0.8 * 30 = 24: the dead
	 * band keeps every 2nd poll (4, 5: 2 after 3) */
	sched_change_interval(&sim.s, sim.now, -1);
	log_reset();
	assert_string_equal(sim_run(2), "hbx ghbx");
	assert_int_equal(sim.nmsg, 1);
	assert_int_equal(sim.s.every[EP_GOROUTINE], 2);
	/* 5 s: 50 ms, 28 under 0.8 * 50 = 40: back with heap's fetch in poll
	 * 6, goroutine in poll 7 */
	sched_change_interval(&sim.s, sim.now, -1);
	log_reset();
	assert_string_equal(sim_run(2), "hbx ghbx");
	assert_int_equal(sim.nmsg, 2);
	assert_string_equal(
	    sim.msg, "goroutine costs the service 28.0 ms a fetch: fetched every poll again");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_heap_brings_allocs_memstats),
		cmocka_unit_test(missing_skipped),
		cmocka_unit_test(no_records_skipped),
		cmocka_unit_test(index_every_30_polls),
		cmocka_unit_test(index_retries),
		cmocka_unit_test(heap_settles),
		cmocka_unit_test(budget_cheap_every_poll),
		cmocka_unit_test(budget_spaces_expensive),
		cmocka_unit_test(budget_new_spacing_from_last_fetch),
		cmocka_unit_test(budget_max_min_fair),
		cmocka_unit_test(budget_dead_band),
		cmocka_unit_test(budget_fixed_cadence_first),
		cmocka_unit_test(budget_fixed_cadence_at_most_half),
		cmocka_unit_test(budget_capped_at_30),
		cmocka_unit_test(budget_comes_down_part_way),
		cmocka_unit_test(budget_least_of_last_8),
		cmocka_unit_test(budget_unknown_cost),
		cmocka_unit_test(budget_skipped_costs_nothing),
		cmocka_unit_test(budget_share),
		cmocka_unit_test(alloc_allowance),
		cmocka_unit_test(alloc_budget_stretch),
		cmocka_unit_test(alloc_budget_busy_service),
		cmocka_unit_test(alloc_budget_capped),
		cmocka_unit_test(alloc_budget_needs_two_polls),
		cmocka_unit_test(alloc_budget_and_cpu_budget),
		cmocka_unit_test(alloc_budget_batch),
		cmocka_unit_test(backoff),
		cmocka_unit_test(backoff_stretched),
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
