/* test_trend.c - the growth verdict of trend.h on varied synthetic series:
 * leaks of many rates, sampled per poll or per irregular GC cycle, with and
 * without noise, must be growing with the right slope; flat levels, single
 * steps anywhere, bursting pools, mean-reverting wander, caches that fill
 * and drop, and leaks that stopped must not be, each for its own reason.
 * The non-growing families run over many seeds and phases: none may be
 * flagged. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pproftop/trend.h"

#define W 60.0

static uint64_t rng = 88172645463325252ULL;

static double
urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static double
gauss(void)
{
	double u = urand(), v = urand();

	return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

/* Samples f at poll times 0, dt, ... up to span (plus jitter) and judges at
 * the last one. */
static struct trend_verdict
judge_f(double (*f)(double, const double *), const double *prm, double dt, double span,
        double jitter)
{
	double t[TREND_MAX_POINTS * 2], v[TREND_MAX_POINTS * 2];
	size_t n = 0;
	struct trend_verdict out;

	for (double x = 0; x <= span + 1e-9 && n < TREND_MAX_POINTS * 2; x += dt) {
		t[n] = 1000 + x + (jitter > 0 ? jitter * urand() : 0);
		v[n] = f(t[n] - 1000, prm);
		n++;
	}
	trend_judge(t, v, n, t[n - 1], W, TREND_COVER, true, &out);
	return out;
}

/* prm: rate (per s), start level, noise sigma, phase */
static double
staircase(double x, const double *prm)
{
	return prm[1] + floor((x + prm[3]) * prm[0]) + prm[2] * gauss();
}

static double
linear(double x, const double *prm)
{
	return prm[1] + prm[0] * x + prm[2] * gauss();
}

/* prm: level, step height, step time */
static double
step(double x, const double *prm)
{
	return x >= prm[2] ? prm[0] + prm[1] : prm[0];
}

/* prm: max */
static double
burst(double x, const double *prm)
{
	(void)x;
	return floor(prm[0] * urand());
}

/* prm: period, height, phase: fills linearly, then drops to 0 */
static double
sawtooth(double x, const double *prm)
{
	return prm[1] * fmod(x + prm[2], prm[0]) / prm[0];
}

/* prm: rate, stop time, level */
static double
stopped(double x, const double *prm)
{
	return prm[2] + floor((x < prm[1] ? x : prm[1]) * prm[0]);
}

static void
test_leaks_are_growing(void **state)
{
	(void)state;
	/* one goroutine every k seconds, polled every second, any phase */
	static const double every[] = { 1, 2, 3, 4, 5, 6, 8, 10 };
	for (size_t i = 0; i < sizeof(every) / sizeof(every[0]); i++) {
		for (int ph = 0; ph < 4; ph++) {
			double prm[4] = { 1 / every[i], 20, 0, ph * every[i] / 4 };
			struct trend_verdict v = judge_f(staircase, prm, 1, W, 0.05);
			if (!v.growing)
				fail_msg("leak every %.0f s, phase %d: %s (p %g)", every[i], ph,
				         trend_why_text(v.why), v.p);
			assert_true(fabs(v.slope - prm[0]) < 0.3 * prm[0]);
		}
	}
	/* a slow leak is judged as soon as half the window has passed */
	double slow[4] = { 0.25, 5, 0, 0 };
	struct trend_verdict v = judge_f(staircase, slow, 1, 31, 0);
	assert_true(v.growing);
	v = judge_f(staircase, slow, 1, 25, 0);
	assert_false(v.growing);
	assert_int_equal(v.why, TREND_TOO_SHORT);

	/* a heap retaining 1 MiB/s on top of noise, sampled at GC cycles
	 * every 2-5 s (irregular): growing, slope within 10% */
	for (int seed = 0; seed < 20; seed++) {
		double t[64], val[64];
		size_t n = 0;
		for (double x = 0; x <= W && n < 64; x += 2 + 3 * urand()) {
			t[n] = x;
			val[n] = 8e6 + 1048576 * x + 2e5 * gauss();
			n++;
		}
		trend_judge(t, val, n, t[n - 1], W, TREND_COVER, true, &v);
		if (!v.growing)
			fail_msg("heap leak, seed %d: %s", seed, trend_why_text(v.why));
		assert_true(fabs(v.slope - 1048576) < 0.1 * 1048576);
	}
	/* a noisy linear leak: 0.5/s with sigma 2 */
	double noisy[4] = { 0.5, 50, 2, 0 };
	for (int k = 0; k < 10; k++) {
		v = judge_f(linear, noisy, 1, W, 0.02);
		assert_true(v.growing);
	}
}

static void
test_not_growing(void **state)
{
	(void)state;
	struct trend_verdict v;

	/* without want_slope, a series that fails the O(n) tests has no slope */
	double once[3] = { 10, 50, 30 };
	double tt0[61], vv0[61];
	for (int i = 0; i < 61; i++) {
		tt0[i] = i;
		vv0[i] = step(i, once);
	}
	trend_judge(tt0, vv0, 61, 60, W, TREND_COVER, false, &v);
	assert_false(v.growing);
	assert_false(v.has_slope);
	trend_judge(tt0, vv0, 61, 60, W, TREND_COVER, true, &v);
	assert_false(v.growing);
	assert_true(v.has_slope && v.slope > 0); /* a step has a positive median slope */

	/* flat: answered without a slope search, slope 0 */
	double flat[4] = { 0, 7, 0, 0 };
	v = judge_f(staircase, flat, 1, W, 0);
	assert_false(v.growing);
	assert_int_equal(v.why, TREND_NOT_RISING);
	assert_true(v.has_slope && v.slope == 0);

	/* started once, flat since: a step anywhere in the window */
	for (double at = 0; at <= W; at += 1) {
		double prm[3] = { 10, 50, at };
		v = judge_f(step, prm, 1, W, 0.05);
		if (v.growing)
			fail_msg("one step at %.0f s: growing", at);
	}
	for (int seed = 0; seed < 200; seed++) {
		/* a pool bursting to 50 and draining, sampled at random phases */
		double prm[1] = { 51 };
		v = judge_f(burst, prm, 1, W, 0.1);
		if (v.growing)
			fail_msg("burst, seed %d: growing (p %g)", seed, v.p);
	}
	/* mean-reverting wander around 40 (time constant 3-10 s) */
	int wander_flagged = 0;
	for (int seed = 0; seed < 300; seed++) {
		double t[64], val[64], x = 0, tau = 3 + 7 * urand();
		for (int i = 0; i < 61; i++) {
			x += -x / tau + 4 * gauss();
			t[i] = i;
			val[i] = floor(40 + x);
		}
		trend_judge(t, val, 61, 60, W, TREND_COVER, true, &v);
		wander_flagged += v.growing;
	}
	assert_int_equal(wander_flagged, 0);
	/* a cache filling and dropped every 10-30 s, any phase */
	for (double period = 10; period <= 30; period += 2.5)
		for (double ph = 0; ph < period; ph += period / 7) {
			double prm[3] = { period, 64 << 20, ph };
			v = judge_f(sawtooth, prm, 1, W, 0.05);
			if (v.growing)
				fail_msg("cache period %.1f phase %.1f: growing", period, ph);
		}
	/* short-lived garbage: white noise */
	double garbage[4] = { 0, 1e6, 3e5, 0 };
	for (int k = 0; k < 100; k++) {
		v = judge_f(linear, garbage, 1, W, 0.1);
		assert_false(v.growing);
	}
}

static void
test_reasons(void **state)
{
	(void)state;
	struct trend_verdict v;
	double t[8] = { 0, 1, 2, 3, 4, 5, 6, 7 }, val[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	char buf[256];

	trend_judge(t, val, 1, 7, W, TREND_COVER, true, &v);
	assert_int_equal(v.why, TREND_NO_DATA);
	trend_judge(t, val, 7, 7, W, TREND_COVER, true, &v);
	assert_int_equal(v.why, TREND_TOO_FEW);
	assert_false(v.has_slope);
	assert_string_equal(trend_explain(buf, sizeof(buf), &v, W, "GC cycles", "bytes"),
	                    "judged after 8 GC cycles over 30 s (60 s window); 7 over 6 s so far");
	/* 8 points over 7 s of a 10 s window: enough; Mann-Kendall for a
	 * strictly rising n = 8: S = 28, var = 65.33, p = 0.00042 */
	trend_judge(t, val, 8, 7, 10, TREND_COVER, true, &v);
	assert_true(v.growing);
	assert_true(fabs(v.p - 0.000419) < 0.00001);
	assert_true(fabs(v.slope - 1) < 1e-12);
	assert_true(v.noise == 0);
	trend_explain(buf, sizeof(buf), &v, 10, "points", "count");
	assert_string_equal(buf, "growing +60/min over 7 s (8 points; Mann-Kendall p = 0.00042)");
	/* the same over a 60 s window: too short */
	trend_judge(t, val, 8, 7, W, TREND_COVER, true, &v);
	assert_int_equal(v.why, TREND_TOO_SHORT);
	trend_explain(buf, sizeof(buf), &v, W, "points", "count");
	assert_string_equal(buf,
	                    "judged after 8 points over 30 s (60 s window); 8 over 7 s so far");
	/* the heap's cover: a cache that has only been filling, 40 s of it, is
	 * not judged until 45 s of the window are covered; a leak is then */
	double ct[64], cv[64];
	for (int i = 0; i <= 40; i++) {
		ct[i] = i;
		cv[i] = i * 1048576.0;
	}
	trend_judge(ct, cv, 41, 40, W, TREND_COVER_HEAP, true, &v);
	assert_int_equal(v.why, TREND_TOO_SHORT);
	assert_true(v.need_span == 45);
	trend_explain(buf, sizeof(buf), &v, W, "GC cycles", "bytes");
	assert_string_equal(
	    buf, "judged after 8 GC cycles over 45 s (60 s window); 41 over 40 s so far");
	for (int i = 41; i <= 46; i++) {
		ct[i] = i;
		cv[i] = i * 1048576.0;
	}
	trend_judge(ct, cv, 47, 46, W, TREND_COVER_HEAP, true, &v);
	assert_true(v.growing);
	/* points older than the window are not judged */
	trend_judge(t, val, 8, 100, W, TREND_COVER, true, &v);
	assert_int_equal(v.why, TREND_NO_DATA);

	/* a leak in sparse steps (big objects sampled by the heap profile: a
	 * step every 5-9 s), its last third flat for a while: still growing */
	double st[64], sv[64];
	size_t sn = 0;
	for (int i = 0; i <= 60; i++) {
		st[sn] = i;
		sv[sn++] = (double)(i < 44 ? (i / 7) * 700000 : 6 * 700000);
	}
	trend_judge(st, sv, sn, 60, W, TREND_COVER_HEAP, true, &v);
	if (!v.growing)
		fail_msg("sparse steps, quiet for 17 s: %s", trend_why_text(v.why));
	/* a leak that stopped 5 s ago is still growing as far as anyone can
	 * tell; 25 s ago (the last third is flat): rose, then stopped; 50 s
	 * ago: not rising through the window any more */
	double prm[3] = { 0.5, 55, 10 };
	v = judge_f(stopped, prm, 1, W, 0);
	assert_true(v.growing);
	prm[1] = 35;
	v = judge_f(stopped, prm, 1, W, 0);
	assert_int_equal(v.why, TREND_STOPPED);
	prm[1] = 10;
	v = judge_f(stopped, prm, 1, W, 0);
	assert_int_equal(v.why, TREND_NOT_RISING);

	/* a rise within the noise: rising quarters but tiny against the scatter */
	double tt[64], vv[64];
	for (int i = 0; i < 61; i++) {
		tt[i] = i;
		vv[i] = (i % 2 ? 100 : -100) + i * 0.5;
	}
	trend_judge(tt, vv, 61, 60, W, TREND_COVER, true, &v);
	assert_false(v.growing);

	/* more points than TREND_MAX_POINTS are thinned, the newest kept */
	double bt[300], bv[300];
	for (int i = 0; i < 300; i++) {
		bt[i] = i * 0.2;
		bv[i] = i;
	}
	trend_judge(bt, bv, 300, bt[299], W, TREND_COVER, true, &v);
	assert_true(v.growing);
	assert_int_equal(v.n, TREND_MAX_POINTS);
	assert_true(fabs(v.slope - 5) < 1e-9);
	assert_true(fabs(v.span - bt[299] + (bt[299] - W > 0 ? bt[299] - W : 0)) < 0.21);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaks_are_growing),
		cmocka_unit_test(test_not_growing),
		cmocka_unit_test(test_reasons),
	};
	return cmocka_run_group_tests_name("trend", tests, NULL, NULL);
}
