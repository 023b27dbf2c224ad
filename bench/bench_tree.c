/* bench_tree.c - time tree_build() (the call tree of one poll).
 *
 *   bench_tree [-n RUNS] [-s demo|distinct] [FILE...]
 *
 * For each FILE (any format profile_parse reads; pproftop's own groups
 * hidden as the app does), and without files for two synthetic goroutine
 * snapshots of 100,000 goroutines in 20,000 stacks of 32 frames:
 *   demo:     the demo service's shape (-spawn 100000 -stacks 20000): a
 *             common root and padding, then base-4 digit frames, so the
 *             stacks share prefixes as real ones do;
 *   distinct: every frame of every stack its own function (640,000
 *             nodes, the worst case);
 * builds the top-down tree RUNS times (default 9) alone and with prev and
 * base (the same snapshot: every node matched), and prints the number of
 * nodes and the best and median wall and CPU (process) times: on a loaded
 * machine the CPU time is the cost, the wall time what a user waits.
 * -s runs one synthetic case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pproftop/parse.h"
#include "pproftop/readfile.h"
#include "pproftop/tree.h"

#define NSTACKS 20000
#define NGOROUTINES 100000
#define DEPTH 32

static double
clock_ms(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
frame(struct builder *b, const char *fn, int64_t line)
{
	builder_frame(b, fn, strlen(fn), "/src/demo/stacks.go", 19, line);
}

/* demo: runtime.goexit, main.spawnRoot, main.(*stackPath).enter, padDepth
 * x (pad + 1), stackF<d> per base-4 digit, main.parked, runtime.gopark
 * (leaf first when committed: built from a list). */
static struct snapshot *
synth(bool distinct)
{
	struct builder *b = builder_new("goroutine", PROF_GOROUTINE, FMT_PROTO);
	const char *fns[DEPTH + 2];
	char names[DEPTH][48];
	int ndigits = 8; /* 4^8 > 20,000 */
	int pad = DEPTH - ndigits - 4;

	for (int g = 0; g < NSTACKS; g++) {
		int n = 0;
		if (distinct) {
			for (int k = 0; k < DEPTH; k++) {
				snprintf(names[k], sizeof(names[k]), "main.f%d_%d", g, k);
				fns[n++] = names[k];
			}
		} else {
			fns[n++] = "main.spawnRoot";
			fns[n++] = "main.(*stackPath).enter";
			for (int k = 0; k <= pad; k++)
				fns[n++] = "main.padDepth";
			static const char *const digit[] = { "main.stackF0", "main.stackF1",
				                             "main.stackF2", "main.stackF3" };
			for (int k = ndigits - 1, v = g; k >= 0; k--, v /= 4)
				fns[n + k] = digit[v % 4];
			n += ndigits;
			fns[n++] = "main.parked";
		}
		/* leaf first */
		frame(b, "runtime.gopark", 381);
		for (int k = n - 1; k >= 0; k--)
			frame(b, fns[k], 100 + k);
		frame(b, "runtime.goexit", 1594);
		int64_t v = NGOROUTINES / NSTACKS;
		builder_commit(b, &v, NULL, 0);
	}
	return builder_finish(b);
}

/* best and median of runs samples (sorted in place) */
static void
stats(double *x, int runs, double *best, double *median)
{
	qsort(x, (size_t)runs, sizeof(*x), cmp_double);
	*best = x[0];
	*median = x[runs / 2];
}

static void
bench(const char *what, const struct snapshot *s, int runs)
{
	/* wall and CPU time, alone and with prev and base */
	double *t[4];
	struct tree_opts o = { .value = s->primary };
	size_t nnodes = 0;

	for (int k = 0; k < 4; k++)
		if ((t[k] = calloc((size_t)runs, sizeof(double))) == NULL)
			exit(1);
	for (int r = 0; r < runs; r++) {
		for (int with = 0; with < 2; with++) {
			struct tree tr;
			double w0 = clock_ms(CLOCK_MONOTONIC);
			double c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
			tree_build(&tr, s, with ? s : NULL, with ? s : NULL, &o);
			t[(size_t)with * 2][r] = clock_ms(CLOCK_MONOTONIC) - w0;
			t[(size_t)with * 2 + 1][r] = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
			nnodes = tr.nnodes;
			tree_free(&tr);
		}
	}
	double b[4], m[4];
	for (int k = 0; k < 4; k++) {
		stats(t[k], runs, &b[k], &m[k]);
		free(t[k]);
	}
	printf("%s: %zu groups, %lld %s, %zu nodes; best / median of %d, ms:\n", what, s->ngroups,
	       (long long)s->totals[s->primary], s->vt[s->primary].key, nnodes, runs);
	printf("  tree_build            wall %7.1f / %7.1f  cpu %7.1f / %7.1f\n", b[0], m[0], b[1],
	       m[1]);
	printf("  with prev and base    wall %7.1f / %7.1f  cpu %7.1f / %7.1f\n", b[2], m[2], b[3],
	       m[3]);
}

int
main(int argc, char **argv)
{
	int runs = 9, i = 1;

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		char *end = NULL;
		long n = strtol(argv[2], &end, 10);
		if (end == argv[2] || *end != '\0' || n < 1 || n > 1000) {
			fprintf(stderr, "bench_tree: -n wants 1 to 1000\n");
			return 2;
		}
		runs = (int)n;
		i = 3;
	}
	const char *only = NULL;
	if (i + 1 < argc && strcmp(argv[i], "-s") == 0) {
		only = argv[i + 1];
		i += 2;
	}
	if (i == argc) {
		for (int d = 0; d < 2; d++) {
			if (only != NULL && strcmp(only, d ? "distinct" : "demo") != 0)
				continue;
			struct snapshot *s = synth(d);
			bench(d ? "synthetic distinct 100k/20k" : "synthetic demo 100k/20k", s,
			      runs);
			snapshot_free(s);
		}
		return 0;
	}
	for (; i < argc; i++) {
		char err[512];
		size_t len;
		char *buf = readfile(argv[i], (size_t)1 << 30, &len, err, sizeof(err));
		struct snapshot *s = NULL;
		struct parse_err pe;
		if (buf == NULL || profile_parse(buf, len, NULL, &s, &pe) != 0) {
			fprintf(stderr, "bench_tree: %s: cannot read or parse\n", argv[i]);
			free(buf);
			return 1;
		}
		free(buf);
		snapshot_hide_self(s);
		const char *base = strrchr(argv[i], '/');
		bench(base ? base + 1 : argv[i], s, runs);
		snapshot_free(s);
	}
	return 0;
}
