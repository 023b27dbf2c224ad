/* app.c - the live dashboard and batch mode (see app.h).
 *
 * One libev loop. A repeating ev_timer starts each poll; a poll fetches the
 * endpoints one after another, cheapest first, so the target never sees two
 * of our requests at once and never two for the same endpoint. Each body goes
 * to the model (parse, diff, history); the UI is marked dirty and redrawn
 * once per loop pass from an ev_prepare watcher. stdin is an ev_io drained on
 * every wake-up; SIGWINCH, SIGINT and SIGTERM are ev_signals installed before
 * initscr so ncurses leaves them to us. The screen never waits on the
 * network: every transfer is asynchronous and bounded by a timeout.
 */
#include "pproftop/app.h"

#define EV_COMPAT3 0
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <curses.h>
#include <ev.h>

#include "pproftop/fetch.h"
#include "pproftop/model.h"
#include "pproftop/report.h"
#include "pproftop/savedir.h"
#include "pproftop/ui.h"
#include "pproftop/xalloc.h"

#define BACKOFF_MAX 30.0
#define INDEX_EVERY 30     /* polls between re-reading the index */
#define SLOW_FRACTION 0.25 /* an endpoint slower than this share of the interval is spaced out */
#define SLOW_MAX_EVERY 30
#define DUMP_ASK_ABOVE 10000 /* goroutines: above this, D asks for confirmation */
#define DUMP_CONFIRM_SECS 5.0

static const double interval_steps[] = { 0.2, 0.5, 1, 2, 3, 5, 10, 15, 30, 60 };

struct app {
	struct ev_loop *loop;
	const struct app_config *cfg;
	struct fetcher *fetcher;
	struct model model;
	struct ui *ui; /* NULL in batch mode */
	ev_timer poll_timer, tick;
	ev_io input;
	ev_signal sigwinch, sigint, sigterm;
	ev_prepare prepare;
	double interval;
	/* the poll in progress */
	bool polling;
	enum ep_id order[EP_COUNT];
	int norder, pos;
	struct fetch *inflight;
	double fetch_t0, poll_t0;
	double poll_latency; /* seconds, last complete poll */
	uint64_t npolls;
	unsigned failures; /* consecutive polls that could not reach the target */
	bool poll_failed;
	unsigned index_failed;     /* consecutive failed index reads: retried next poll, 3 times */
	unsigned every[EP_COUNT];  /* fetch e only every every[e]-th poll (slow target) */
	uint64_t seq;              /* polls started */
	bool dump_wanted;          /* fetch goroutine?debug=2 with the next poll */
	double dump_confirm_until; /* a second D before this fetches a large dump */
	char message[256];
	int rc;
};

static void poll_start(struct app *a);

static void
set_message(struct app *a, const char *msg)
{
	snprintf(a->message, sizeof(a->message), "%s", msg);
	if (a->ui)
		ui_model_changed(a->ui);
}

static void
schedule_next(struct app *a)
{
	double next = a->interval;

	if (a->failures > 0) {
		next = a->interval * pow(2, a->failures < 8 ? a->failures : 8);
		if (next > BACKOFF_MAX)
			next = BACKOFF_MAX > a->interval ? BACKOFF_MAX : a->interval;
	}
	a->poll_timer.repeat = next;
	ev_timer_again(a->loop, &a->poll_timer);
}

static void
poll_done(struct app *a)
{
	a->polling = false;
	a->inflight = NULL;
	a->poll_latency = ev_now(a->loop) - a->poll_t0;
	if (a->poll_failed) {
		a->failures++;
	} else {
		a->failures = 0;
		a->npolls++;
	}
	schedule_next(a);
	if (a->ui)
		ui_model_changed(a->ui);
	if (a->cfg->exit_after && a->npolls >= a->cfg->exit_after && a->ui)
		ev_break(a->loop, EVBREAK_ALL);
	if (a->ui == NULL && a->npolls >= a->cfg->batch_n)
		ev_break(a->loop, EVBREAK_ALL);
	if (a->ui == NULL && a->failures >= 3)
		ev_break(a->loop, EVBREAK_ALL); /* batch: give up after 3 failed polls */
}

static void fetch_next(struct app *a);

/* Space out an endpoint whose fetch takes more than SLOW_FRACTION of the
 * interval, and say so; bring it back when it is fast again. */
static void
check_slow(struct app *a, enum ep_id e, double latency)
{
	unsigned every = 1;
	double budget = SLOW_FRACTION * a->interval;

	if (a->ui == NULL)
		return; /* batch: the user asked for exactly these polls */
	if (latency > budget) {
		double k = latency / budget;
		every = k >= SLOW_MAX_EVERY ? SLOW_MAX_EVERY : (unsigned)k + 1;
	}
	if (every == a->every[e] || (every == 1 && a->every[e] == 0))
		return;
	char msg[256];
	if (every > 1)
		snprintf(msg, sizeof(msg),
		         "%s took %.2f s (over %.0f%% of the interval): fetched every %u polls to "
		         "spare the target",
		         ep_info(e)->name, latency, SLOW_FRACTION * 100, every);
	else
		snprintf(msg, sizeof(msg), "%s is fast again: fetched every poll",
		         ep_info(e)->name);
	a->every[e] = every;
	set_message(a, msg);
}

static void
dump_done(struct app *a, bool ok, size_t len, double latency)
{
	char msg[300];
	const struct snapshot *s = a->model.ep[EP_DUMP].cur;

	if (!ok || s == NULL) {
		snprintf(msg, sizeof(msg), "goroutine dump: %s", a->model.ep[EP_DUMP].err);
	} else {
		snprintf(msg, sizeof(msg),
		         "goroutine dump: %lld goroutines in %zu groups, %.1f MiB in %.2f s%s; "
		         "Enter on a goroutine row shows their states",
		         (long long)s->ngoroutines, s->ngroups, (double)len / (1 << 20), latency,
		         s->truncated ? " (cut at the server's 64 MiB cap)" : "");
	}
	set_message(a, msg);
}

static void
request_dump(struct app *a)
{
	double now = ev_now(a->loop);
	double n = a->model.meter_now[METER_GOROUTINES];
	bool known = a->model.meter_known[METER_GOROUTINES];
	char msg[300];

	if (a->cfg->open_dir != NULL) {
		set_message(a, "the goroutine dump needs a live target");
		return;
	}
	if ((!known || n > DUMP_ASK_ABOVE) && now > a->dump_confirm_until) {
		if (known)
			snprintf(msg, sizeof(msg),
			         "goroutine?debug=2 stops the world while it formats all %.0f "
			         "goroutines (about %.1f s): press D again to fetch it once",
			         n, n / 100000.0 * 1.4 + 0.05);
		else
			snprintf(
			    msg, sizeof(msg),
			    "goroutine?debug=2 stops the world while it formats every goroutine "
			    "(count unknown yet): press D again to fetch it once");
		a->dump_confirm_until = now + DUMP_CONFIRM_SECS;
		set_message(a, msg);
		return;
	}
	a->dump_confirm_until = 0;
	a->dump_wanted = true;
	if (a->polling) {
		set_message(a, "fetching the goroutine dump after the current poll");
	} else {
		set_message(a, "fetching the goroutine dump");
		poll_start(a);
	}
}

static void
on_fetched(struct fetch_result *res, void *ud)
{
	struct app *a = ud;
	enum ep_id e = a->order[a->pos];
	double now = ev_now(a->loop);
	double latency = res->total_s > 0 ? res->total_s : now - a->fetch_t0;

	a->inflight = NULL;
	if (e == EP_DUMP)
		a->dump_wanted = false;
	if (res->status == FETCH_OK) {
		size_t len = res->len;
		unsigned char *body = fetch_result_take_body(res);
		int ok = model_ingest(&a->model, e, body, len, now, latency);
		if (e == EP_INDEX)
			a->index_failed = ok == 0 ? 0 : a->index_failed + 1;
		if (e == EP_DUMP)
			dump_done(a, ok == 0, len, latency);
		else
			check_slow(a, e, latency);
	} else {
		if (e == EP_DUMP) {
			char msg[300];
			snprintf(msg, sizeof(msg), "goroutine dump failed: %s", res->err);
			set_message(a, msg);
		}
		model_fail(&a->model, e, res->err, now, latency);
		if (e == EP_INDEX)
			a->index_failed++; /* read it again with the next poll */
		if (res->status == FETCH_NET_ERROR || res->status == FETCH_TIMEOUT) {
			/* the target is unreachable: don't hammer it with the rest */
			a->poll_failed = true;
			for (int i = a->pos + 1; i < a->norder; i++)
				model_fail(&a->model, a->order[i], res->err, now, 0);
			a->pos = a->norder;
		}
	}
	if (a->ui)
		ui_model_changed(a->ui);
	a->pos++;
	fetch_next(a);
}

static void
fetch_next(struct app *a)
{
	char url[2048];

	while (a->pos < a->norder) {
		enum ep_id e = a->order[a->pos];
		snprintf(url, sizeof(url), "%s%s", a->cfg->url, ep_info(e)->query);
		a->fetch_t0 = ev_now(a->loop);
		a->inflight = fetch_start(a->fetcher, url, on_fetched, a);
		if (a->inflight != NULL)
			return;
		model_fail(&a->model, e, "could not start the request", a->fetch_t0, 0);
		a->pos++;
	}
	poll_done(a);
}

static void
poll_start(struct app *a)
{
	if (a->polling)
		return; /* never overlap polls */
	a->polling = true;
	a->poll_failed = false;
	a->poll_t0 = ev_now(a->loop);
	a->norder = 0;
	a->pos = 0;
	/* the index first when it is due: it says which profiles exist */
	if (a->npolls % INDEX_EVERY == 0 || (a->index_failed > 0 && a->index_failed <= 3))
		a->order[a->norder++] = EP_INDEX;
	for (int e = 0; e < EP_COUNT; e++) {
		if (e == EP_INDEX)
			continue;
		if (e == EP_DUMP && !a->dump_wanted)
			continue;
		if (a->model.ep[e].missing)
			continue;
		if (e != EP_DUMP && a->every[e] > 1 && a->seq % a->every[e] != 0)
			continue; /* a slow endpoint: spare the target */
		a->order[a->norder++] = (enum ep_id)e;
	}
	a->seq++;
	fetch_next(a);
}

static void
poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	poll_start(w->data);
}

static void
tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct app *a = w->data;

	/* ages in the header move even when nothing arrives */
	if (a->ui)
		ui_model_changed(a->ui);
}

static void
change_interval(struct app *a, int dir)
{
	size_t n = sizeof(interval_steps) / sizeof(interval_steps[0]);
	size_t i = 0;

	while (i < n && interval_steps[i] < a->interval - 1e-9)
		i++;
	if (dir > 0) {
		/* faster: the next smaller step */
		a->interval = i > 0 ? interval_steps[i - 1] : interval_steps[0];
	} else {
		if (i < n && fabs(interval_steps[i] - a->interval) < 1e-9)
			i++;
		a->interval = i < n ? interval_steps[i] : interval_steps[n - 1];
	}
	char msg[64];
	snprintf(msg, sizeof(msg), "interval %.1f s", a->interval);
	set_message(a, msg);
	if (!a->polling)
		schedule_next(a);
}

static void
report_cb(FILE *out, void *ud)
{
	struct app *a = ud;

	ui_report(a->ui, out);
}

static void
take_snapshot(struct app *a)
{
	char path[4096], err[512], msg[4200];
	const char *dir = a->cfg->snapshot_dir ? a->cfg->snapshot_dir : ".";

	if (savedir_write(dir, &a->model, a->cfg->shown, report_cb, a, path, sizeof(path), err,
	                  sizeof(err)) == 0)
		snprintf(msg, sizeof(msg), "snapshot saved: %s", path);
	else
		snprintf(msg, sizeof(msg), "snapshot failed: %s", err);
	set_message(a, msg);
}

static void
handle_action(struct app *a, enum ui_action act)
{
	switch (act) {
	case UI_QUIT:
		ev_break(a->loop, EVBREAK_ALL);
		break;
	case UI_POLL_NOW:
		if (a->cfg->open_dir == NULL) {
			if (a->polling) {
				set_message(a, "a poll is already running");
			} else {
				a->failures = 0;
				poll_start(a);
			}
		}
		break;
	case UI_SNAPSHOT:
		take_snapshot(a);
		break;
	case UI_BASELINE:
		model_set_baseline(&a->model);
		set_message(a, "baseline set: \"since baseline\" columns count from now");
		ui_model_changed(a->ui);
		break;
	case UI_FASTER:
		change_interval(a, +1);
		break;
	case UI_SLOWER:
		change_interval(a, -1);
		break;
	case UI_DUMP:
		request_dump(a);
		break;
	case UI_NONE:
	case UI_REDRAW:
	case UI_PAUSE_CHANGED:
		break;
	}
}

static void
drain_input(struct app *a)
{
	int ch;

	while ((ch = wgetch(stdscr)) != ERR) {
		/* a message lasts until the next key (like the UI's own): a
		 * stale one would hide "last poll failed" for good */
		if (ch != KEY_RESIZE)
			a->message[0] = '\0';
		handle_action(a, ui_key(a->ui, ch));
	}
}

static void
input_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	drain_input(w->data);
}

static void
winch_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct app *a = w->data;
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	ui_resize(a->ui);
	drain_input(a);
}

static void
quit_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void
prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct app *a = w->data;

	if (a->ui == NULL || !ui_dirty(a->ui))
		return;
	const char *msg = a->message[0] ? a->message : NULL;
	if (msg == NULL && a->cfg->open_dir != NULL)
		msg = "viewing a saved snapshot (no polling)";
	struct ui_status st = {
		.target = a->cfg->shown,
		.now = ev_now(loop),
		.interval = a->interval,
		.message = msg,
		.insecure = a->cfg->insecure,
		.mode = a->cfg->open_dir,
		.poll_latency = a->poll_latency,
		.polling = a->polling,
		.failures = a->failures,
	};
	ui_draw(a->ui, &st);
}

static struct ui *ui_for_fail_hook;

static void
oom_restore_terminal(void)
{
	if (ui_for_fail_hook != NULL)
		endwin();
}

static int
app_init(struct app *a, const struct app_config *cfg)
{
	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->interval = cfg->interval > 0 ? cfg->interval : 2;
	a->loop = ev_default_loop(EVFLAG_AUTO);
	if (a->loop == NULL) {
		fputs("pproftop: cannot initialise the event loop\n", stderr);
		return -1;
	}
	model_init(&a->model);
	if (cfg->open_dir != NULL)
		return 0;
	struct fetch_opts fo = {
		.timeout_ms = cfg->timeout_ms,
		.max_body = cfg->max_body,
		.headers = cfg->headers,
		.nheaders = cfg->nheaders,
		.insecure = cfg->insecure,
		.cacert = cfg->cacert,
		.cert = cfg->cert,
		.key = cfg->key,
	};
	if (fo.timeout_ms <= 0) {
		/* below the interval but long enough for a big goroutine profile */
		double t = a->interval * 1000 * 0.9;
		fo.timeout_ms = t < 5000 ? 5000 : (long)t;
	}
	a->fetcher = fetcher_new(a->loop, &fo);
	if (a->fetcher == NULL) {
		fputs("pproftop: cannot initialise libcurl\n", stderr);
		model_free(&a->model);
		return -1;
	}
	ev_timer_init(&a->poll_timer, poll_cb, 0., a->interval);
	a->poll_timer.data = a;
	return 0;
}

static void
app_fini(struct app *a)
{
	fetcher_free(a->fetcher);
	model_free(&a->model);
	ev_loop_destroy(a->loop);
}

int
app_run(const struct app_config *cfg)
{
	struct app a;

	signal(SIGPIPE, SIG_IGN);
	if (app_init(&a, cfg) != 0)
		return 1;
	if (cfg->open_dir != NULL) {
		char err[512];
		if (savedir_load(cfg->open_dir, &a.model, err, sizeof(err)) == 0) {
			fprintf(stderr, "pproftop: %s\n", err);
			app_fini(&a);
			return 1;
		}
	}
	/* signals before initscr, so ncurses leaves them to the loop */
	ev_signal_init(&a.sigwinch, winch_cb, SIGWINCH);
	ev_signal_init(&a.sigint, quit_cb, SIGINT);
	ev_signal_init(&a.sigterm, quit_cb, SIGTERM);
	a.sigwinch.data = &a;
	ev_signal_start(a.loop, &a.sigwinch);
	ev_signal_start(a.loop, &a.sigint);
	ev_signal_start(a.loop, &a.sigterm);

	a.ui = ui_new(true, cfg->color);
	if (a.ui == NULL) {
		fputs("pproftop: cannot initialise the terminal\n", stderr);
		app_fini(&a);
		return 1;
	}
	ui_for_fail_hook = a.ui;
	xalloc_set_fail_hook(oom_restore_terminal);
	ui_set_model(a.ui, &a.model);

	ev_io_init(&a.input, input_cb, STDIN_FILENO, EV_READ);
	a.input.data = &a;
	ev_io_start(a.loop, &a.input);
	ev_prepare_init(&a.prepare, prepare_cb);
	a.prepare.data = &a;
	ev_prepare_start(a.loop, &a.prepare);
	ev_timer_init(&a.tick, tick_cb, 1., 1.);
	a.tick.data = &a;
	ev_timer_start(a.loop, &a.tick);
	if (cfg->open_dir == NULL)
		ev_timer_start(a.loop, &a.poll_timer);

	drain_input(&a);
	ev_run(a.loop, 0);

	ev_timer_stop(a.loop, &a.poll_timer);
	ev_timer_stop(a.loop, &a.tick);
	ev_io_stop(a.loop, &a.input);
	ev_prepare_stop(a.loop, &a.prepare);
	ui_free(a.ui, true); /* restores the terminal before anything prints */
	ui_for_fail_hook = NULL;
	xalloc_set_fail_hook(NULL);
	a.ui = NULL;
	ev_signal_stop(a.loop, &a.sigwinch);
	ev_signal_stop(a.loop, &a.sigint);
	ev_signal_stop(a.loop, &a.sigterm);
	app_fini(&a);
	return 0;
}

static void
batch_print(struct app *a)
{
	static const enum ep_id shown[] = { EP_GOROUTINE, EP_HEAP, EP_ALLOCS, EP_BLOCK, EP_MUTEX };
	struct report_item items[5];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		const struct endpoint *ep = &a->model.ep[shown[i]];
		if (ep->cur == NULL)
			continue;
		items[n].s = ep->cur;
		items[n].d = ep->has_d ? &ep->d : NULL;
		items[n].memstats = shown[i] == EP_HEAP ? a->model.ep[EP_MEMSTATS].cur : NULL;
		n++;
	}
	if (a->cfg->json) {
		report_json(stdout, items, n, a->cfg->rows);
		return;
	}
	const struct snapshot *ms = a->model.ep[EP_MEMSTATS].cur;
	double v;
	printf("target %s, %llu polls\n", a->cfg->shown, (unsigned long long)a->npolls);
	if (ms != NULL && snapshot_memstat(ms, "HeapAlloc", &v)) {
		double inuse = 0, sys = 0, gc = 0;
		snapshot_memstat(ms, "HeapInuse", &inuse);
		snapshot_memstat(ms, "Sys", &sys);
		snapshot_memstat(ms, "NumGC", &gc);
		printf("memstats: HeapAlloc %.0f, HeapInuse %.0f, Sys %.0f, NumGC %.0f\n", v, inuse,
		       sys, gc);
	}
	for (size_t i = 0; i < n; i++) {
		putchar('\n');
		report_table(stdout, &items[i], a->cfg->rows);
	}
}

int
app_batch(const struct app_config *cfg)
{
	struct app a;
	int rc = 0;

	signal(SIGPIPE, SIG_IGN);
	if (app_init(&a, cfg) != 0)
		return 1;
	if (cfg->open_dir != NULL) {
		char err[512];
		if (savedir_load(cfg->open_dir, &a.model, err, sizeof(err)) == 0) {
			fprintf(stderr, "pproftop: %s\n", err);
			app_fini(&a);
			return 1;
		}
	} else {
		ev_signal_init(&a.sigint, quit_cb, SIGINT);
		ev_signal_init(&a.sigterm, quit_cb, SIGTERM);
		ev_signal_start(a.loop, &a.sigint);
		ev_signal_start(a.loop, &a.sigterm);
		ev_timer_start(a.loop, &a.poll_timer);
		ev_run(a.loop, 0);
		ev_timer_stop(a.loop, &a.poll_timer);
		ev_signal_stop(a.loop, &a.sigint);
		ev_signal_stop(a.loop, &a.sigterm);
	}
	for (int e = 0; a.failures > 0 && e < EP_COUNT; e++) {
		/* unreachable: every endpoint has the same error; say it once */
		if (a.model.ep[e].err[0] != '\0') {
			fprintf(stderr, "pproftop: %s: %s\n", cfg->shown, a.model.ep[e].err);
			rc = 1;
			break;
		}
	}
	for (int e = 0; a.failures == 0 && e < EP_COUNT; e++) {
		const struct endpoint *ep = &a.model.ep[e];
		if (ep->err[0] != '\0' && e != EP_INDEX) { /* the index is optional */
			fprintf(stderr, "pproftop: %s: %s\n", ep_info(e)->name, ep->err);
			rc = 1;
		}
	}
	if (a.model.ep[EP_GOROUTINE].cur != NULL || cfg->open_dir != NULL)
		batch_print(&a);
	else
		rc = 1;
	if (fflush(stdout) != 0)
		rc = 1;
	app_fini(&a);
	return rc;
}
