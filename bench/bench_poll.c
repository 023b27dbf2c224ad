/* bench_poll.c - the cost of one dashboard poll: parse + diff + draw.
 *
 *   bench_poll [-n RUNS] [-s LINESxCOLS] [-t] DIR_A DIR_B
 *
 * DIR_A and DIR_B hold two captures of the same target taken a few seconds
 * apart, named as in a snapshot directory (see ep_table in src/model.c):
 * goroutine.pb.gz (required), heap.pb.gz, allocs.pb.gz, block.pb.gz,
 * mutex.pb.gz, heap-debug1.txt (each optional). The bodies are read into
 * memory once; file I/O and network are not timed.
 *
 * A model and a UI are set up as the app does (ui_new on a headless ncurses
 * SCREEN made with newterm("xterm-256color") on /dev/null, LINESxCOLS
 * default 60x200, setlocale(LC_ALL, "") so a UTF-8 environment gets the
 * UTF-8 marks). Two warm-up polls (A, B) are ingested and drawn, then RUNS
 * polls (default 20) alternate A, B, A, ... two seconds apart on the poll
 * clock, so every diff has changes. For each poll it times, in wall clock:
 *   ingest.EP     model_ingest() of that endpoint (parse, diff vs previous
 *                 poll, diff vs baseline, history, meters)
 *   ingest.all    the sum over the endpoints
 *   parse.EP      profile_parse() alone on the same body (outside ingest)
 *   diff.EP       one diff_compute() of the model's prev vs cur (outside
 *                 ingest; ingest does two: vs prev and vs baseline)
 *   draw.poll     ui_model_changed() + ui_draw() after the poll (rebuilds
 *                 the shown pane's rows, sorts, draws, doupdate)
 *   poll.total    ingest.all + draw.poll
 *   draw.tick     ui_model_changed() + ui_draw() with no new data (the
 *                 app's once-a-second age refresh)
 *   key.2 key.1   ui_key('2') + ui_draw(), then ui_key('1') + ui_draw(): a
 *                 pane switch as the user sees it, minus terminal I/O
 * With -t the goroutine pane shows its call tree (key t) from the first
 * warm-up poll on: draw.poll then includes building the tree (once per
 * poll) and its node history, and key.down (ui_key(KEY_DOWN) + ui_draw())
 * and key.star (`*` on the top node, then Left to collapse it again, each
 * drawn) time the tree's keys.
 * It prints the best and median of each over the RUNS polls, plus the
 * groups per endpoint and the peak RSS. doupdate() writes its escape
 * sequences to /dev/null, so the terminal's own rendering is not counted.
 * Exit status 1 when a capture is missing or does not parse.
 */
#include <errno.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <curses.h>

#include "pproftop/diff.h"
#include "pproftop/model.h"
#include "pproftop/parse.h"
#include "pproftop/readfile.h"
#include "pproftop/ui.h"

#define MAX_BODY ((size_t)256 << 20)
#define MAX_RUNS 10000

static const enum ep_id polled[] = { EP_GOROUTINE, EP_HEAP,  EP_ALLOCS,
	                             EP_BLOCK,     EP_MUTEX, EP_MEMSTATS };
#define NPOLLED (sizeof(polled) / sizeof(polled[0]))

struct capture {
	char *body[NPOLLED]; /* NULL: not captured */
	size_t len[NPOLLED];
};

/* One timed quantity: RUNS samples in milliseconds. */
struct metric {
	char name[48];
	double *t;
};

enum {
	M_INGEST_ALL,
	M_DRAW_POLL,
	M_POLL_TOTAL,
	M_DRAW_TICK,
	M_KEY2,
	M_KEY1,
	M_KEY_DOWN,
	M_KEY_STAR,
	M_FIXED,
};
/* then per endpoint i: ingest, parse, diff at M_FIXED + 3 * i + 0/1/2 */
#define NMETRICS (M_FIXED + 3 * NPOLLED)

static struct metric metrics[NMETRICS];

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static long
parse_long(const char *s, long lo, long hi)
{
	char *end = NULL;

	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	return v;
}

/* "60x200" -> lines, cols */
static int
parse_size(const char *s, int *lines, int *cols)
{
	char *end = NULL;

	errno = 0;
	long l = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != 'x' || l < 5 || l > 1000)
		return -1;
	const char *c = end + 1;
	long w = strtol(c, &end, 10);
	if (errno != 0 || end == c || *end != '\0' || w < 20 || w > 1000)
		return -1;
	*lines = (int)l;
	*cols = (int)w;
	return 0;
}

static int
load_capture(const char *dir, struct capture *c)
{
	char path[4096], err[512];

	for (size_t i = 0; i < NPOLLED; i++) {
		/* the protobuf capture when there is one (bench/gen-large.sh) */
		for (int f = FORM_COUNT - 1; f >= 0 && c->body[i] == NULL; f--) {
			if (ep_info(polled[i])->file[f] == NULL)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, ep_info(polled[i])->file[f]);
			c->body[i] = readfile(path, MAX_BODY, &c->len[i], err, sizeof(err));
		}
		if (c->body[i] == NULL && polled[i] == EP_GOROUTINE) {
			fprintf(stderr, "bench_poll: %s\n", err);
			return -1;
		}
	}
	return 0;
}

static unsigned char *
copy_body(const char *b, size_t len)
{
	unsigned char *p = malloc(len > 0 ? len : 1);

	if (p == NULL) {
		fprintf(stderr, "bench_poll: out of memory\n");
		exit(2);
	}
	memcpy(p, b, len);
	return p;
}

/* Ingests one capture; when run >= 0 records the timings of that run. */
static int
poll_once(struct model *m, const struct capture *c, double clock, long run)
{
	double all = 0;

	for (size_t i = 0; i < NPOLLED; i++) {
		enum ep_id e = polled[i];
		if (c->body[i] == NULL)
			continue;
		unsigned char *body = copy_body(c->body[i], c->len[i]);
		double t0 = now_ms();
		int rc = model_ingest(m, e, body, c->len[i], clock, 0.01);
		double dt = now_ms() - t0;
		if (rc != 0) {
			fprintf(stderr, "bench_poll: %s: %s\n", ep_info(e)->name, m->ep[e].err);
			return -1;
		}
		all += dt;
		if (run < 0)
			continue;
		metrics[M_FIXED + 3 * i].t[run] = dt;

		/* the parse alone, on the same bytes */
		struct snapshot *s = NULL;
		struct parse_err pe;
		t0 = now_ms();
		rc = profile_parse(c->body[i], c->len[i], ep_info(e)->profile, &s, &pe);
		metrics[M_FIXED + 3 * i + 1].t[run] = now_ms() - t0;
		snapshot_free(s);
		if (rc != 0)
			return -1;

		/* one diff alone, on the model's snapshots */
		const struct endpoint *ep = &m->ep[e];
		if (ep->prev != NULL) {
			struct diff d;
			t0 = now_ms();
			rc = diff_compute(&d, ep->prev, ep->cur, clock - ep->t_prev);
			metrics[M_FIXED + 3 * i + 2].t[run] = now_ms() - t0;
			if (rc == 0)
				diff_free(&d);
		}
	}
	if (run >= 0)
		metrics[M_INGEST_ALL].t[run] = all;
	return 0;
}

static double
timed_draw(struct ui *ui, const struct ui_status *st, int key, bool changed)
{
	double t0 = now_ms();

	if (key != 0)
		ui_key(ui, key);
	if (changed)
		ui_model_changed(ui);
	ui_draw(ui, st);
	return now_ms() - t0;
}

static void
set_name(size_t k, const char *prefix, const char *ep)
{
	snprintf(metrics[k].name, sizeof(metrics[k].name), "%s%s%s", prefix, ep ? "." : "",
	         ep ? ep : "");
}

int
main(int argc, char **argv)
{
	long runs = 20;
	int lines = 60, cols = 200, i = 1;
	bool tree = false;

	while (i + 1 < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-t") == 0) {
			tree = true;
			i++;
			continue;
		}
		if (strcmp(argv[i], "-n") == 0) {
			runs = parse_long(argv[i + 1], 1, MAX_RUNS);
		} else if (strcmp(argv[i], "-s") == 0) {
			if (parse_size(argv[i + 1], &lines, &cols) != 0)
				runs = -1;
		} else {
			runs = -1;
		}
		if (runs < 0)
			break;
		i += 2;
	}
	if (runs < 0 || argc - i != 2) {
		fprintf(stderr, "usage: bench_poll [-n RUNS] [-s LINESxCOLS] [-t] DIR_A DIR_B\n");
		return 2;
	}

	struct capture cap[2];
	memset(cap, 0, sizeof(cap));
	if (load_capture(argv[i], &cap[0]) != 0 || load_capture(argv[i + 1], &cap[1]) != 0)
		return 1;

	set_name(M_INGEST_ALL, "ingest.all", NULL);
	set_name(M_DRAW_POLL, "draw.poll", NULL);
	set_name(M_POLL_TOTAL, "poll.total", NULL);
	set_name(M_DRAW_TICK, "draw.tick", NULL);
	set_name(M_KEY2, "key.2", NULL);
	set_name(M_KEY1, "key.1", NULL);
	set_name(M_KEY_DOWN, "key.down", NULL);
	set_name(M_KEY_STAR, "key.star", NULL);
	for (size_t k = 0; k < NPOLLED; k++) {
		const char *n = ep_info(polled[k])->name;
		set_name(M_FIXED + 3 * k, "ingest", n);
		set_name(M_FIXED + 3 * k + 1, "parse", n);
		set_name(M_FIXED + 3 * k + 2, "diff", n);
	}
	for (size_t k = 0; k < NMETRICS; k++) {
		metrics[k].t = calloc((size_t)runs, sizeof(double));
		if (metrics[k].t == NULL)
			return 2;
	}

	setlocale(LC_ALL, "");
	FILE *tout = fopen("/dev/null", "w"), *tin = fopen("/dev/null", "r");
	if (tout == NULL || tin == NULL)
		return 2;
	SCREEN *scr = newterm("xterm-256color", tout, tin);
	if (scr == NULL)
		scr = newterm("xterm", tout, tin);
	if (scr == NULL) {
		fprintf(stderr, "bench_poll: newterm failed\n");
		return 2;
	}
	set_term(scr);
	resizeterm(lines, cols);

	static struct model model;
	model_init(&model);
	struct ui *ui = ui_new(false, true);
	if (ui == NULL) {
		fprintf(stderr, "bench_poll: ui_new failed\n");
		return 2;
	}
	ui_set_model(ui, &model);
	struct ui_status st = { .target = "http://127.0.0.1:6060/debug/pprof/",
		                .interval = 2,
		                .poll_latency = 0.01 };
	double clock = 1000;
	int status = 0;

	/* warm-up: A then B, both drawn */
	for (int w = 0; w < 2 && status == 0; w++) {
		clock += 2;
		status = poll_once(&model, &cap[w], clock, -1);
		st.now = clock;
		timed_draw(ui, &st, w == 0 && tree ? 't' : 0, true);
	}
	for (long r = 0; r < runs && status == 0; r++) {
		clock += 2;
		status = poll_once(&model, &cap[r % 2], clock, r);
		st.now = clock + 0.01;
		metrics[M_DRAW_POLL].t[r] = timed_draw(ui, &st, 0, true);
		metrics[M_POLL_TOTAL].t[r] = metrics[M_INGEST_ALL].t[r] + metrics[M_DRAW_POLL].t[r];
		st.now = clock + 1;
		metrics[M_DRAW_TICK].t[r] = timed_draw(ui, &st, 0, true);
		metrics[M_KEY2].t[r] = timed_draw(ui, &st, '2', false);
		metrics[M_KEY1].t[r] = timed_draw(ui, &st, '1', false);
		if (tree) {
			metrics[M_KEY_DOWN].t[r] = timed_draw(ui, &st, KEY_DOWN, false);
			timed_draw(ui, &st, KEY_HOME, false);
			metrics[M_KEY_STAR].t[r] =
			    timed_draw(ui, &st, '*', false) + timed_draw(ui, &st, KEY_LEFT, false);
		}
	}

	if (status == 0) {
		printf("bench_poll: screen %dx%d, %ld polls (A/B alternating)\n", lines, cols,
		       runs);
		for (size_t k = 0; k < NPOLLED; k++) {
			const struct endpoint *ep = &model.ep[polled[k]];
			if (ep->cur == NULL)
				continue;
			printf("endpoint %-10s %9zu/%9zu bytes  %6zu groups\n",
			       ep_info(polled[k])->name, cap[0].len[k], cap[1].len[k],
			       ep->cur->ngroups);
		}
		for (size_t k = 0; k < NMETRICS; k++) {
			size_t ep = k >= M_FIXED ? (k - M_FIXED) / 3 : 0;
			if (k >= M_FIXED && cap[0].body[ep] == NULL)
				continue;
			if (!tree && (k == M_KEY_DOWN || k == M_KEY_STAR))
				continue;
			qsort(metrics[k].t, (size_t)runs, sizeof(double), cmp_double);
			printf("%-18s best %9.3f ms  median %9.3f ms\n", metrics[k].name,
			       metrics[k].t[0], metrics[k].t[runs / 2]);
		}
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		printf("peak RSS %ld KiB\n", ru.ru_maxrss);
	}

	ui_free(ui, false);
	model_free(&model);
	endwin();
	delscreen(scr);
	fclose(tout);
	fclose(tin);
	for (size_t k = 0; k < NMETRICS; k++)
		free(metrics[k].t);
	for (int c = 0; c < 2; c++)
		for (size_t k = 0; k < NPOLLED; k++)
			free(cap[c].body[k]);
	return status == 0 ? 0 : 1;
}
