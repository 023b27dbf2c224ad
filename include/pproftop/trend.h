/* trend.h - the growth verdict: is a series of (time, value) points still
 * rising, how fast, and how sure are we. Pure arithmetic, no state.
 *
 * Over the points of the last `window` seconds, a series is growing when all
 * of these hold (each failure has its own reason, shown to the user):
 *   - enough data: at least TREND_MIN_POINTS points spanning at least the
 *     given share of the window (half for goroutines; three quarters for
 *     the heap, whose profile shows a free two GC cycles late, so a cache
 *     dropped early in the window still looks full for a while; the heap
 *     has one point per GC cycle, so a service that collects rarely needs
 *     a longer window);
 *   - it rose through the whole window: cut the span into four equal parts
 *     by time; the mean of each part is above the one before. A level that
 *     stepped up once and stayed flat can raise at most two of these steps,
 *     so "started once, flat since" is never growing; a part whose mean is
 *     not above the previous one at the end says "stopped rising";
 *   - Mann-Kendall's trend test (ties corrected, continuity corrected)
 *     rejects "no trend" one-sided at p < TREND_ALPHA;
 *   - the Theil-Sen slope (median of the pairwise slopes) is positive and
 *     the rise it predicts over the span is at least twice the scatter of
 *     the points around that line (1.4826 x the median absolute residual):
 *     a rise lost in the noise is not growth.
 * The slope is reported whenever there is enough data, growing or not.
 */
#ifndef PPROFTOP_TREND_H
#define PPROFTOP_TREND_H

#include <stdbool.h>
#include <stddef.h>

#define TREND_MIN_POINTS 8
#define TREND_MAX_POINTS 128 /* more points than this are thinned evenly */
#define TREND_ALPHA 0.001
#define TREND_COVER 0.5       /* default share of the window to cover before judging */
#define TREND_COVER_HEAP 0.75 /* the heap's (frees show two GC cycles late) */

enum trend_why {
	TREND_GROWING,         /* all the tests passed */
	TREND_NO_DATA,         /* fewer than 2 points in the window */
	TREND_TOO_FEW,         /* fewer than TREND_MIN_POINTS points */
	TREND_TOO_SHORT,       /* the points span less than half the window */
	TREND_NOT_RISING,      /* the quarter means do not rise (or the slope is <= 0) */
	TREND_STOPPED,         /* rose, but the last quarter is not above the one before */
	TREND_NOT_SIGNIFICANT, /* Mann-Kendall p >= TREND_ALPHA */
	TREND_IN_NOISE,        /* the rise is within twice the scatter */
};

struct trend_verdict {
	bool growing;
	enum trend_why why;
	bool has_slope;   /* the slope is known (enough data, and computed) */
	double slope;     /* Theil-Sen, value units per second */
	double p;         /* Mann-Kendall one-sided p-value (1 when not computed) */
	double span;      /* seconds between the first and last point judged */
	double need_span; /* seconds of data it needs before judging */
	double noise;     /* robust scatter around the line, value units */
	size_t n;         /* points judged */
};

/* trend_judge: the verdict on points (t[i], v[i]), oldest first, taking
 * only those with t >= now - window, judged once they span cover x window
 * seconds (0 < cover <= 1). t must not decrease. Writes *out;
 * never fails (too little data is a verdict with its reason). The slope of
 * a series that fails the O(n) tests is computed (O(n^2)) only when
 * want_slope; has_slope says whether it was. */
void trend_judge(const double *t, const double *v, size_t n, double now, double window,
                 double cover, bool want_slope, struct trend_verdict *out);

/* trend_judged: the verdict had enough data to judge (growing or not). */
bool trend_judged(const struct trend_verdict *v);

/* trend_why_text: a short phrase for a reason ("needs more points", ...),
 * static storage. */
const char *trend_why_text(enum trend_why why);

/* trend_explain: one line for a person, e.g. "growing: +0.25/s over 58 s
 * (Mann-Kendall p < 0.0001, 58 points)" or "not growing: stopped rising
 * (60 s window)". what names a point ("points", "GC cycles"). Writes at most
 * len bytes including the NUL; returns buf. unit is the
 * series' value_type unit ("count", "bytes", ...). */
char *trend_explain(char *buf, size_t len, const struct trend_verdict *v, double window,
                    const char *what, const char *unit);

#endif
