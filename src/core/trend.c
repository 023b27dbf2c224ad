/* trend.c - the growth verdict (see trend.h). */
#include "pproftop/trend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pproftop/format.h"

#ifndef FALL_MAX
#define FALL_MAX 0.5
#endif
#define MAX_PAIRS (TREND_MAX_POINTS * (TREND_MAX_POINTS - 1) / 2)

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* The k-th smallest of v[0..n) (Hoare's quickselect, expected O(n)); on
 * return everything before v[k] is <= v[k]. Reorders v; values are finite. */
static double
select_kth(double *v, size_t n, size_t k)
{
	long lo = 0, hi = (long)n - 1, kk = (long)k;

	if (n == 0 || k >= n)
		return 0;
	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		long i = lo, j = hi;
		while (i <= j) {
			while (i <= hi && v[i] < pivot)
				i++;
			while (j >= lo && v[j] > pivot)
				j--;
			if (i <= j) {
				double x = v[i];
				v[i++] = v[j];
				v[j--] = x;
			}
		}
		if (kk <= j)
			hi = j;
		else if (kk >= i)
			lo = i;
		else
			break; /* between the two parts: equal to the pivot */
	}
	return v[kk];
}

/* median of v[0..n) (0 when empty); reorders v */
static double
median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	double hi = select_kth(v, n, n / 2);
	if (n % 2)
		return hi;
	/* the largest of the lower half, now all in v[0 .. n/2) */
	double lo = v[0];
	for (size_t i = 1; i < n / 2; i++)
		lo = v[i] > lo ? v[i] : lo;
	return (lo + hi) / 2;
}

/* Hamed and Rao's effective-sample-size factor n/n* for Mann-Kendall's
 * variance: the significant autocorrelations (|r_k| > 1.96/sqrt(n)) of the
 * ranks of the detrended series. Wander that drifts for a while is
 * autocorrelated; without this it passes for a trend. */
static double
hamed_rao(const double *t, const double *v, size_t n, double slope)
{
	double r[TREND_MAX_POINTS], rk[TREND_MAX_POINTS];
	double dn = (double)n;

	for (size_t i = 0; i < n; i++)
		r[i] = v[i] - slope * (t[i] - t[0]);
	for (size_t i = 0; i < n; i++) { /* ranks, ties averaged */
		double below = 0, same = 0;
		for (size_t j = 0; j < n; j++) {
			below += r[j] < r[i];
			same += r[j] == r[i];
		}
		rk[i] = below + (same + 1) / 2;
	}
	double mean = (dn + 1) / 2, den = 0;
	for (size_t i = 0; i < n; i++)
		den += (rk[i] - mean) * (rk[i] - mean);
	if (den <= 0)
		return 1;
	double sum = 0, bound = 1.96 / sqrt(dn);
	for (size_t k = 1; k + 2 < n; k++) {
		double num = 0;
		for (size_t i = 0; i + k < n; i++)
			num += (rk[i] - mean) * (rk[i + k] - mean);
		double rho = num / den;
		if (fabs(rho) <= bound)
			continue;
		double m = dn - (double)k;
		sum += m * (m - 1) * (m - 2) * rho;
	}
	double f = 1 + 2 * sum / (dn * (dn - 1) * (dn - 2));
	return f > 1 ? f : 1; /* never claim more certainty than plain MK */
}

/* Mann-Kendall S and its variance with the tie correction, times the
 * autocorrelation factor. */
static double
mann_kendall_p(const double *v, size_t n, double factor)
{
	double s = 0, sorted[TREND_MAX_POINTS];

	for (size_t i = 0; i + 1 < n; i++)
		for (size_t j = i + 1; j < n; j++)
			s += (v[j] > v[i]) - (v[j] < v[i]);
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	double dn = (double)n;
	double var = dn * (dn - 1) * (2 * dn + 5);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && sorted[j] == sorted[i])
			j++;
		double tp = (double)(j - i);
		var -= tp * (tp - 1) * (2 * tp + 5);
		i = j;
	}
	var = var / 18 * factor;
	if (var <= 0 || s <= 0)
		return 1;
	double z = (s - 1) / sqrt(var);
	return 0.5 * erfc(z / sqrt(2.0));
}

/* Theil-Sen slope over points with distinct times; false when none. */
static bool
theil_sen(const double *t, const double *v, size_t n, double *slope)
{
	static double pairs[MAX_PAIRS]; /* the core is single-threaded */
	size_t k = 0;

	for (size_t i = 0; i + 1 < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (t[j] > t[i])
				pairs[k++] = (v[j] - v[i]) / (t[j] - t[i]);
	if (k == 0)
		return false;
	*slope = median(pairs, k);
	return true;
}

/* Scatter of the points around the line of slope b: 1.4826 x MAD. */
static double
scatter(const double *t, const double *v, size_t n, double b)
{
	double r[TREND_MAX_POINTS];

	for (size_t i = 0; i < n; i++)
		r[i] = v[i] - b * (t[i] - t[0]);
	double a = median(r, n);
	for (size_t i = 0; i < n; i++)
		r[i] = fabs(v[i] - b * (t[i] - t[0]) - a);
	return 1.4826 * median(r, n);
}

/* The quarter-means test: returns TREND_GROWING, TREND_NOT_RISING or
 * TREND_STOPPED. Empty quarters (sparse points) are skipped; fewer than
 * three non-empty ones cannot show a rise through the window. */
static enum trend_why
quarters(const double *t, const double *v, size_t n)
{
	double sum[4] = { 0 }, cnt[4] = { 0 }, qm[4];
	double span = t[n - 1] - t[0];
	int seen = 0, rises = 0;

	for (size_t i = 0; i < n; i++) {
		int q = span > 0 ? (int)(4 * (t[i] - t[0]) / span) : 0;
		q = q > 3 ? 3 : q;
		sum[q] += v[i];
		cnt[q]++;
	}
	for (int q = 0; q < 4; q++)
		if (cnt[q] > 0)
			qm[seen++] = sum[q] / cnt[q];
	for (int i = 1; i < seen; i++)
		rises += qm[i] > qm[i - 1];
	if (seen < 3)
		return TREND_NOT_RISING;
	if (rises == seen - 1)
		return TREND_GROWING;
	/* every step rose but the last: it rose, then stopped */
	if (rises == seen - 2 && !(qm[seen - 1] > qm[seen - 2]))
		return TREND_STOPPED;
	return TREND_NOT_RISING;
}

/* The recent part still rises: over the last third of the span the later
 * half of its points averages above the earlier half. When the last third
 * is flat, it may be a pause between sparse steps (a leak of big objects,
 * sampled by the heap profile, rises in steps seconds apart): then it still
 * rises if its last rise is not older than three of its typical gaps
 * between rises. A leak that stopped goes quiet for much longer. */
static bool
recent_rises(const double *t, const double *v, size_t n)
{
	double from = t[n - 1] - (t[n - 1] - t[0]) / 3;
	size_t k = n;

	while (k > 0 && t[k - 1] >= from)
		k--;
	size_t m = n - k, half = m / 2;
	if (m < 2)
		return v[n - 1] > v[n - 2];
	double a = 0, b = 0, lo = v[k], hi = v[k];
	for (size_t i = 0; i < m; i++) {
		if (i < half)
			a += v[k + i];
		else
			b += v[k + i];
		lo = v[k + i] < lo ? v[k + i] : lo;
		hi = v[k + i] > hi ? v[k + i] : hi;
	}
	if (b / (double)(m - half) > a / (double)half)
		return true;
	if (lo != hi)
		return false;
	double gaps[TREND_MAX_POINTS], last = -1;
	size_t ng = 0;
	for (size_t i = 1; i < n; i++) {
		if (!(v[i] > v[i - 1]))
			continue;
		if (last >= 0)
			gaps[ng++] = t[i] - last;
		last = t[i];
	}
	return ng > 0 && t[n - 1] - last <= 3 * median(gaps, ng);
}

/* The largest fall in the series: max over i < j of v[i] - v[j]. */
static double
largest_fall(const double *v, size_t n)
{
	double top = v[0], fall = 0;

	for (size_t i = 1; i < n; i++) {
		top = v[i] > top ? v[i] : top;
		fall = top - v[i] > fall ? top - v[i] : fall;
	}
	return fall;
}

void
trend_judge(const double *t, const double *v, size_t n, double now, double window, double cover,
            bool want_slope, struct trend_verdict *out)
{
	double tt[TREND_MAX_POINTS], vv[TREND_MAX_POINTS];
	size_t first = 0;

	memset(out, 0, sizeof(*out));
	out->p = 1;
	out->why = TREND_NO_DATA;
	out->need_span = window * (cover > 0 && cover <= 1 ? cover : TREND_COVER);
	while (first < n && t[first] < now - window)
		first++;
	size_t m = n - first;
	out->n = m;
	if (m < 2)
		return;
	/* thin evenly to at most TREND_MAX_POINTS, keeping the oldest and newest */
	size_t k = m <= TREND_MAX_POINTS ? m : TREND_MAX_POINTS;
	for (size_t i = 0; i < k; i++) {
		size_t src =
		    first +
		    (m == k ? i : (size_t)llround((double)i * (double)(m - 1) / (double)(k - 1)));
		tt[i] = t[src];
		vv[i] = v[src];
	}
	out->n = k;
	out->span = tt[k - 1] - tt[0];
	if (k < TREND_MIN_POINTS) {
		out->why = TREND_TOO_FEW;
		return;
	}
	if (out->span < out->need_span) {
		out->why = TREND_TOO_SHORT;
		return;
	}
	double lo = vv[0], hi = vv[0];
	for (size_t i = 1; i < k; i++) {
		lo = vv[i] < lo ? vv[i] : lo;
		hi = vv[i] > hi ? vv[i] : hi;
	}
	out->has_slope = true;
	if (lo == hi) { /* flat: the common case, answered without the O(n^2) work */
		out->why = TREND_NOT_RISING;
		return;
	}
	/* the O(n) tests first: most groups stop here, without the O(n^2)
	 * slope unless it was asked for */
	enum trend_why why = quarters(tt, vv, k);
	if (why == TREND_GROWING && !recent_rises(tt, vv, k))
		why = TREND_STOPPED;
	out->why = why;
	if (why != TREND_GROWING && !want_slope) {
		out->has_slope = false;
		return;
	}
	if (!theil_sen(tt, vv, k, &out->slope)) {
		out->has_slope = false;
		out->why = TREND_TOO_SHORT;
		return;
	}
	out->noise = scatter(tt, vv, k, out->slope);
	if (out->why != TREND_GROWING)
		return;
	if (out->slope <= 0) {
		out->why = TREND_NOT_RISING;
		return;
	}
	out->p = mann_kendall_p(vv, k, hamed_rao(tt, vv, k, out->slope));
	if (out->p >= TREND_ALPHA) {
		out->why = TREND_NOT_SIGNIFICANT;
		return;
	}
	/* a leak only adds: a series that fell back by half of what it rose,
	 * or whose rise is lost in its scatter, wanders rather than grows */
	double rise = out->slope * out->span;
	if (rise < 2 * out->noise || largest_fall(vv, k) > rise * FALL_MAX) {
		out->why = TREND_IN_NOISE;
		return;
	}
	out->growing = true;
}

bool
trend_judged(const struct trend_verdict *v)
{
	return v->why != TREND_NO_DATA && v->why != TREND_TOO_FEW && v->why != TREND_TOO_SHORT;
}

const char *
trend_why_text(enum trend_why why)
{
	switch (why) {
	case TREND_GROWING:
		return "growing";
	case TREND_NO_DATA:
		return "no data yet";
	case TREND_TOO_FEW:
		return "too few points";
	case TREND_TOO_SHORT:
		return "not enough time";
	case TREND_NOT_RISING:
		return "not rising through the window";
	case TREND_STOPPED:
		return "stopped rising";
	case TREND_NOT_SIGNIFICANT:
		return "no significant trend";
	case TREND_IN_NOISE:
		return "rise within the noise";
	}
	return "?";
}

char *
trend_explain(char *buf, size_t len, const struct trend_verdict *v, double window, const char *what,
              const char *unit)
{
	char slope[48], noise[48];

	if (v->has_slope) {
		fmt_per_min(slope, sizeof(slope), v->slope, unit);
		fmt_unit(noise, sizeof(noise), v->noise, unit);
	}
	switch (v->why) {
	case TREND_GROWING:
		snprintf(buf, len, "growing %s over %.0f s (%zu %s; Mann-Kendall p %s %.2g)", slope,
		         v->span, v->n, what, v->p < 1e-4 ? "<" : "=", v->p < 1e-4 ? 1e-4 : v->p);
		break;
	case TREND_NO_DATA:
	case TREND_TOO_FEW:
	case TREND_TOO_SHORT:
		snprintf(buf, len,
		         "judged after %d %s over %.0f s (%.0f s window); %zu over %.0f s so far",
		         TREND_MIN_POINTS, what, v->need_span, window, v->n, v->span);
		break;
	case TREND_NOT_RISING:
		if (v->has_slope && v->slope != 0)
			snprintf(buf, len,
			         "not growing: did not rise through the %.0f s window (slope %s)",
			         window, slope);
		else
			snprintf(buf, len, "not growing: flat over the %.0f s window", window);
		break;
	case TREND_STOPPED:
		snprintf(buf, len,
		         "not growing: rose, then stopped (last quarter of the %.0f s window not "
		         "higher)",
		         window);
		break;
	case TREND_NOT_SIGNIFICANT:
		snprintf(buf, len,
		         "not growing: slope %s but no significant trend (Mann-Kendall p = %.2g, "
		         "needs < %g)",
		         slope, v->p, TREND_ALPHA);
		break;
	case TREND_IN_NOISE:
		snprintf(buf, len, "not growing: slope %s, but the rise is within the scatter (%s)",
		         slope, noise);
		break;
	}
	return buf;
}
