/* bench_history.c - what the growth verdict costs per poll.
 *
 *   bench_history [-g GROUPS] [-n POLLS]
 *
 * Pushes POLLS (default 120) snapshots of GROUPS (default 20,000) goroutine
 * groups, one second apart, into a judged history (as the model keeps for
 * the goroutine and heap panes), in three mixes: every group flat; 10% of
 * them noisy (0-6 around a level); and 10% noisy plus 1% leaking one per
 * poll (all of which pass every test, the worst case). For each mix it
 * prints the mean and worst history_push() time over the second half of the
 * polls (the window is full by then), and the time of history_judge() over
 * every group (what --json does once at the end, slopes included).
 * Snapshot building is not timed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pproftop/history.h"
#include "pproftop/profile.h"

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct snapshot *
make(int groups, int poll, int noisy_every, int leak_every, unsigned *rng)
{
	struct builder *b = builder_new("goroutine", PROF_GOROUTINE, FMT_PROTO);
	char fn[32];

	for (int i = 0; i < groups; i++) {
		int n = snprintf(fn, sizeof(fn), "main.f%d", i);
		builder_frame(b, fn, (size_t)n, "/src/main.go", 12, 1);
		*rng = *rng * 1103515245u + 12345u;
		int64_t v = 5;
		if (noisy_every && i % noisy_every == 0)
			v += (int64_t)((*rng >> 16) % 7);
		if (leak_every && i % leak_every == 1)
			v += poll;
		builder_commit(b, &v, NULL, 0);
	}
	return builder_finish(b);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int noisy_every, leak_every;
	} mixes[] = {
		{ "all flat", 0, 0 },
		{ "10% noisy", 10, 0 },
		{ "10% noisy, 1% leaking", 10, 100 },
	};
	int groups = 20000, polls = 120;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-g") == 0)
			groups = (int)strtol(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "-n") == 0)
			polls = (int)strtol(argv[i + 1], NULL, 10);
	}
	if (groups < 1 || polls < 4) {
		fputs("usage: bench_history [-g GROUPS] [-n POLLS]\n", stderr);
		return 2;
	}
	for (size_t m = 0; m < sizeof(mixes) / sizeof(mixes[0]); m++) {
		struct history h;
		unsigned rng = 1;
		double total = 0, worst = 0;
		int timed = 0;

		history_init(&h, 30);
		history_set_judged(&h, true);
		for (int p = 0; p < polls; p++) {
			struct snapshot *s =
			    make(groups, p, mixes[m].noisy_every, mixes[m].leak_every, &rng);
			double t0 = now();
			history_push(&h, s, 0, 1000 + p);
			double dt = now() - t0;
			if (p >= polls / 2) {
				total += dt;
				worst = dt > worst ? dt : worst;
				timed++;
			}
			snapshot_free(s);
		}
		size_t growing = 0;
		struct trend_verdict v;
		double t0 = now();
		for (size_t i = 0; i < h.n; i++)
			if (history_judge(&h, h.e[i].id, &v) && v.growing)
				growing++;
		double judge = now() - t0;
		printf("%-24s %d groups: history_push mean %.2f ms, worst %.2f ms; "
		       "history_judge of all %.1f ms (%zu growing)\n",
		       mixes[m].name, groups, total / timed * 1e3, worst * 1e3, judge * 1e3,
		       growing);
		history_free(&h);
	}
	return 0;
}
