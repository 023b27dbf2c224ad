/* app.c - the live dashboard and batch mode (see app.h).
 *
 * One libev loop. What each poll fetches, in what order, and when the next
 * one starts is the scheduler's (sched.h); this file only runs it: one
 * one-shot ev_timer, set for the next poll, starts each poll, and the poll
 * fetches what the scheduler plans one after another, so the target never
 * sees two of our requests at once and never two for the same endpoint. Each body goes
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
#include "pproftop/format.h"
#include "pproftop/model.h"
#include "pproftop/report.h"
#include "pproftop/savedir.h"
#include "pproftop/sched.h"
#include "pproftop/ui.h"
#include "pproftop/xalloc.h"

struct app {
	struct ev_loop *loop;
	const struct app_config *cfg;
	struct fetcher *fetcher;
	struct model model;
	struct sched sched; /* what to fetch, in what order, and when */
	struct ui *ui;      /* NULL in batch mode */
	bool no_pprof;      /* the goroutine profile's last fetch was a 404 */
	bool symbols_asked; /* this poll asked /debug/pprof/symbol already */
	ev_timer poll_timer, tick;
	ev_io input;
	ev_signal sigwinch, sigint, sigterm;
	ev_prepare prepare;
	/* the poll in progress: what is left of the scheduler's plan, the
	 * first entry in flight */
	enum ep_id order[EP_COUNT];
	size_t norder;
	struct fetch *inflight;
	double fetch_t0;
	char message[256];
	int rc;
};

static void
set_message(struct app *a, const char *msg)
{
	snprintf(a->message, sizeof(a->message), "%s", msg);
	if (a->ui)
		ui_model_changed(a->ui);
}

static void
endpoint_states(const struct app *a, struct sched_ep_state *st)
{
	for (int e = 0; e < EP_COUNT; e++) {
		st[e].missing = a->model.ep[e].missing;
		st[e].fetched = a->model.ep[e].polls > 0;
		st[e].no_records = a->model.ep[e].no_records;
	}
}

/* The one poll timer, one-shot, set for when the scheduler wants the next
 * poll (never while one is in progress). */
static void
arm_poll_timer(struct app *a)
{
	double after;

	if (a->cfg->open_dir != NULL)
		return; /* a saved snapshot: no polling */
	after = sched_next_poll(&a->sched, ev_now(a->loop));
	ev_timer_stop(a->loop, &a->poll_timer);
	if (isfinite(after)) {
		ev_timer_set(&a->poll_timer, after, 0.);
		ev_timer_start(a->loop, &a->poll_timer);
	}
}

static void
poll_done(struct app *a)
{
	double self, all, over;
	char note[300];

	a->inflight = NULL;
	a->norder = 0;
	if (a->ui != NULL && model_self_rate(&a->model, &self, &all, &over) &&
	    sched_alloc_budget(&a->sched, self, all, a->model.ep[EP_ALLOCS].t_pt - over,
	                       a->model.ep[EP_ALLOCS].t_pt, note, sizeof(note)))
		set_message(a, note);
	sched_poll_done(&a->sched, ev_now(a->loop));
	if (a->ui)
		ui_model_changed(a->ui);
	if (a->cfg->exit_after && a->sched.npolls >= a->cfg->exit_after && a->ui) {
		ev_break(a->loop, EVBREAK_ALL);
		return;
	}
	if (sched_finished(&a->sched)) {
		/* batch: the polls asked for, or given up after 3 failed ones */
		ev_break(a->loop, EVBREAK_ALL);
		return;
	}
	arm_poll_timer(a);
}

static void
dump_done(struct app *a, bool ok, size_t len, double latency)
{
	char msg[300];
	const struct snapshot *s = a->model.ep[EP_DUMP].cur;

	if (!ok || s == NULL) {
		snprintf(msg, sizeof(msg), "goroutine dump: %s", a->model.ep[EP_DUMP].err);
	} else {
		char b[32], t[32];
		snprintf(msg, sizeof(msg),
		         "goroutine dump: %lld goroutines in %zu groups, %s in %s%s; "
		         "Enter on a goroutine row shows their states",
		         (long long)s->ngoroutines, s->ngroups,
		         fmt_bytes(b, sizeof(b), (double)len), fmt_ns(t, sizeof(t), latency * 1e9),
		         s->truncated ? " (cut at the server's 64 MiB cap)" : "");
	}
	set_message(a, msg);
}

/* The end of a leak check asked for with L (the periodic ones say nothing). */
static void
leakcheck_done(struct app *a, bool ok, double latency)
{
	char msg[300];
	const struct endpoint *ep = &a->model.ep[EP_GOROUTINELEAK];
	const struct snapshot *s = ep->cur;

	if (!ok || s == NULL)
		snprintf(msg, sizeof(msg), "goroutine leak check: %s", ep->err);
	else if (s->totals[s->primary] == 0)
		snprintf(msg, sizeof(msg), "goroutine leak check: no proven leaks (%.2f s)",
		         latency);
	else
		snprintf(
		    msg, sizeof(msg),
		    "goroutine leak check: %lld goroutines proven leaked in %zu groups (%.2f s)",
		    (long long)s->totals[s->primary], s->ngroups, latency);
	set_message(a, msg);
}

static void
request_dump(struct app *a)
{
	char msg[300];
	bool known = a->model.meter_known[METER_GOROUTINES];

	if (a->cfg->open_dir != NULL) {
		set_message(a, "the goroutine dump needs a live target");
		return;
	}
	sched_request_dump(&a->sched, ev_now(a->loop),
	                   known ? a->model.meter_now[METER_GOROUTINES] : -1, msg, sizeof(msg));
	set_message(a, msg);
	arm_poll_timer(a);
}

static void
request_leakcheck(struct app *a)
{
	char msg[300];
	struct sched_ep_state st[EP_COUNT];

	if (a->cfg->open_dir != NULL) {
		set_message(a, "the goroutine leak check needs a live target");
		return;
	}
	endpoint_states(a, st);
	sched_request_leakcheck(&a->sched, ev_now(a->loop), st, msg, sizeof(msg));
	set_message(a, msg);
	arm_poll_timer(a);
}

/* A fetch asked for with D or L failed: say so (a timed one says nothing
 * beyond the header and the help's endpoint table). */
static void
asked_failed(struct app *a, enum ep_id e, bool asked, const char *err)
{
	char msg[300];

	if (e != EP_DUMP && !(asked && e == EP_GOROUTINELEAK))
		return;
	snprintf(msg, sizeof(msg), "%s failed: %s",
	         e == EP_DUMP ? "goroutine dump" : "goroutine leak check", err);
	set_message(a, msg);
}

static void fetch_next(struct app *a);

static void
on_fetched(struct fetch_result *res, void *ud)
{
	struct app *a = ud;
	enum ep_id e = a->order[0];
	double now = ev_now(a->loop);
	double latency = res->total_s > 0 ? res->total_s : now - a->fetch_t0;
	bool asked = sched_asked(&a->sched, e);
	enum sched_outcome outcome;
	char note[256];

	a->inflight = NULL;
	if (res->status == FETCH_OK && e == EP_GOROUTINE)
		a->no_pprof = false;
	if (res->status == FETCH_OK) {
		size_t len = res->len;
		unsigned char *body = fetch_result_take_body(res);
		uint64_t points = a->model.ep[e].npoints;
		outcome = model_ingest_timed(&a->model, e, body, len, now, latency,
		                             res->pretransfer_s, res->handshake_s) == 0
		              ? SCHED_OK
		              : SCHED_BAD;
		/* the heap brings something new only with a new GC cycle */
		if (outcome == SCHED_OK && e == EP_HEAP)
			sched_changed(&a->sched, e, a->model.ep[e].npoints != points);
		if (e == EP_DUMP)
			dump_done(a, outcome == SCHED_OK, len, latency);
		else if (asked && e == EP_GOROUTINELEAK)
			leakcheck_done(a, outcome == SCHED_OK, latency);
	} else {
		char why[sizeof(res->err) + 1200];
		/* every pprof serves the goroutine profile: a 404 there is the
		 * wrong port or the wrong prefix, and the user needs to know which
		 * URL was tried */
		if (e == EP_GOROUTINE)
			a->no_pprof = res->http_code == 404;
		if (e == EP_GOROUTINE && a->no_pprof)
			snprintf(why, sizeof(why),
			         "%s at %s%s: no pprof on this port under this prefix? (another "
			         "prefix: pproftop http://HOST:PORT/PREFIX)",
			         res->err, a->cfg->url, model_query(&a->model, e));
		else
			snprintf(why, sizeof(why), "%s", res->err);
		model_fail(&a->model, e, why, now, latency);
		outcome = res->status == FETCH_NET_ERROR || res->status == FETCH_TIMEOUT
		              ? SCHED_UNREACHABLE
		              : SCHED_BAD;
		asked_failed(a, e, asked, res->err);
	}
	/* the scheduler's note: an endpoint spaced out or back to every poll */
	sched_fetched(&a->sched, e, now, outcome == SCHED_OK ? a->model.ep[e].service_s : -1,
	              outcome, note, sizeof(note));
	if (note[0] != '\0')
		set_message(a, note);
	if (outcome == SCHED_UNREACHABLE) {
		/* the scheduler called the poll off: the rest of it failed too */
		for (size_t i = 1; i < a->norder; i++)
			model_fail(&a->model, a->order[i], res->err, now, 0);
	}
	if (a->ui)
		ui_model_changed(a->ui);
	fetch_next(a);
}

/* The answer of /debug/pprof/symbol: names for the goroutine text's hidden
 * runtime frames (why its goroutines wait). A target without it, or a bad
 * answer, only leaves those states unknown: the PCs are not asked again. */
static void
on_symbols(struct fetch_result *res, void *ud)
{
	struct app *a = ud;
	char err[200];

	a->inflight = NULL;
	if (res->status == FETCH_OK &&
	    model_ingest_symbols(&a->model, res->body, res->len, err, sizeof(err)) > 0 && a->ui)
		ui_model_changed(a->ui);
	fetch_next(a);
}

/* Starts the next fetch the scheduler plans for this poll (re-planned after
 * every fetch: the index may have just said what exists), or ends the poll:
 * after the plan, one small request names the goroutine text's new hidden
 * PCs (each PC is asked once for the process). */
static void
fetch_next(struct app *a)
{
	char url[2048], note[256];
	struct sched_ep_state st[EP_COUNT];

	for (;;) {
		endpoint_states(a, st);
		a->norder = sched_plan(&a->sched, st, a->order, EP_COUNT);
		if (a->norder == 0)
			break;
		enum ep_id e = a->order[0];
		snprintf(url, sizeof(url), "%s%s", a->cfg->url, model_query(&a->model, e));
		a->fetch_t0 = ev_now(a->loop);
		a->inflight = fetch_start(a->fetcher, url, on_fetched, a);
		if (a->inflight != NULL)
			return;
		model_fail(&a->model, e, "could not start the request", a->fetch_t0, 0);
		asked_failed(a, e, sched_asked(&a->sched, e), "could not start the request");
		sched_fetched(&a->sched, e, a->fetch_t0, -1, SCHED_BAD, note, sizeof(note));
	}
	char q[SYMTAB_QUERY_PCS * 20 + 1];
	if (!a->symbols_asked && !a->sched.failed && model_symbol_query(&a->model, q, sizeof(q))) {
		a->symbols_asked = true;
		snprintf(url, sizeof(url), "%ssymbol?%s", a->cfg->url, q);
		a->fetch_t0 = ev_now(a->loop);
		a->inflight = fetch_start(a->fetcher, url, on_symbols, a);
		if (a->inflight != NULL)
			return;
	}
	a->symbols_asked = false;
	poll_done(a);
}

static void
poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct app *a = w->data;

	if (sched_poll_start(&a->sched, ev_now(loop)))
		fetch_next(a);
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
	char msg[64];

	snprintf(msg, sizeof(msg), "interval %.1f s",
	         sched_change_interval(&a->sched, ev_now(a->loop), dir));
	set_message(a, msg);
	arm_poll_timer(a);
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
			if (sched_poll_now(&a->sched, ev_now(a->loop)))
				arm_poll_timer(a);
			else
				set_message(a, "a poll is already running");
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
	case UI_LEAKCHECK:
		request_leakcheck(a);
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
	unsigned every[EP_COUNT];
	for (int e = 0; e < EP_COUNT; e++)
		every[e] = sched_every(&a->sched, (enum ep_id)e);
	struct ui_status st = {
		.target = a->cfg->shown,
		.now = ev_now(loop),
		.interval = a->sched.interval,
		.message = msg,
		.insecure = a->cfg->insecure,
		.mode = a->cfg->open_dir,
		.poll_latency = a->sched.latency,
		.polling = a->sched.polling,
		.failures = a->sched.failures,
		.every = every,
		.stretch = a->sched.stretch,
		.share = a->sched.cfg.share,
		.cpu_load = sched_cpu_load(&a->sched),
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
app_init(struct app *a, const struct app_config *cfg, bool batch)
{
	struct sched_config sc = {
		.interval = cfg->interval,
		.batch = batch,
		.batch_n = cfg->batch_n,
		.share = !cfg->budget_set  ? 0
		         : cfg->budget > 0 ? cfg->budget / 100
		                           : -1,
	};

	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	sched_init(&a->sched, &sc);
	a->loop = ev_default_loop(EVFLAG_AUTO);
	if (a->loop == NULL) {
		fputs("pproftop: cannot initialise the event loop\n", stderr);
		return -1;
	}
	model_init(&a->model);
	if (cfg->window > 0)
		model_set_window(&a->model, cfg->window);
	/* first poll at once; arm_poll_timer sets it for each next one */
	ev_timer_init(&a->poll_timer, poll_cb, 0., 0.);
	a->poll_timer.data = a;
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
		double t = a->sched.interval * 1000 * 0.9;
		fo.timeout_ms = t < 5000 ? 5000 : (long)t;
	}
	a->fetcher = fetcher_new(a->loop, &fo);
	if (a->fetcher == NULL) {
		fputs("pproftop: cannot initialise libcurl\n", stderr);
		model_free(&a->model);
		return -1;
	}
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
	if (app_init(&a, cfg, false) != 0)
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
	arm_poll_timer(&a); /* not for a saved snapshot */

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
	struct report_item items[EP_COUNT];
	size_t n = report_model_items(&a->model, items, EP_COUNT);

	for (size_t i = 0; i < n; i++)
		items[i].tree = a->cfg->tree;
	if (a->cfg->json) {
		report_json(stdout, items, n, a->cfg->rows);
		return;
	}
	const struct snapshot *ms = a->model.ep[EP_MEMSTATS].cur;
	double v;
	if (a->cfg->open_dir != NULL) /* a saved snapshot: no polls of ours */
		printf("snapshot %s\n", a->cfg->open_dir);
	else
		printf("target %s, %llu polls\n", a->cfg->shown,
		       (unsigned long long)a->sched.npolls);
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
	if (app_init(&a, cfg, true) != 0)
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
		arm_poll_timer(&a);
		ev_run(a.loop, 0);
		ev_timer_stop(a.loop, &a.poll_timer);
		ev_signal_stop(a.loop, &a.sigint);
		ev_signal_stop(a.loop, &a.sigterm);
	}
	for (int e = 0; a.sched.failures > 0 && e < EP_COUNT; e++) {
		/* unreachable: every endpoint has the same error; say it once */
		if (a.model.ep[e].err[0] != '\0') {
			fprintf(stderr, "pproftop: %s: %s\n", cfg->shown, a.model.ep[e].err);
			rc = 1;
			break;
		}
	}
	if (a.sched.failures == 0 && a.no_pprof) {
		/* no pprof there: one line, not one per endpoint */
		fprintf(stderr, "pproftop: %s: %s\n", cfg->shown, a.model.ep[EP_GOROUTINE].err);
		rc = 1;
	}
	for (int e = 0; a.sched.failures == 0 && !a.no_pprof && e < EP_COUNT; e++) {
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
	if (rc == 0 && cfg->fail_on_growth && report_growth(stderr, &a.model) > 0)
		rc = 3;
	app_fini(&a);
	return rc;
}
