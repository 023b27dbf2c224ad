/* app.c - the live dashboard (see app.h).
 *
 * One libev loop and one poller per target (poller.h), sharing one fetcher
 * and one gate; this file owns them and wires them to the UI, and does
 * nothing else. Each poller's news marks the UI dirty; the UI is redrawn
 * once per loop pass from an ev_prepare watcher. stdin is an ev_io drained
 * on every wake-up; SIGWINCH, SIGINT and SIGTERM are ev_signals installed
 * before initscr so ncurses leaves them to us. The screen never waits on
 * the network: every transfer is asynchronous and bounded by a timeout.
 */
#include "pproftop/app.h"

#include "version.h"

#define EV_COMPAT3 0
#include <signal.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <curses.h>
#include <ev.h>

#include "pproftop/cpulane.h"
#include "pproftop/curl_lazy.h"
#include "pproftop/fetch.h"
#include "pproftop/format.h"
#include "pproftop/merge.h"
#include "pproftop/model.h"
#include "pproftop/poller.h"
#include "pproftop/savedir.h"
#include "pproftop/sched.h"
#include "pproftop/ui.h"
#include "pproftop/xalloc.h"

struct app {
	struct ev_loop *loop;
	const struct app_config *cfg;
	struct fetcher *fetcher;
	struct poller_gate gate;
	struct poller **pollers; /* one per target, in the order given */
	size_t npollers;
	struct model offline; /* --open DIR: the saved snapshot, no pollers */
	struct ui *ui;
	ev_timer tick;
	ev_io input;
	ev_signal sigwinch, sigint, sigterm;
	ev_prepare prepare;
	char message[256];
	/* several targets: the merged model (merge.h), rebuilt by a timer
	 * each interval, and which view the UI shows */
	struct model merged;
	struct merge_state mst;
	const struct model **models; /* the pollers' */
	const char **names;          /* each target as given */
	bool *down;                  /* each target's, for the detail's breakdown */
	size_t view;                 /* 0: merged; i: target i */
	ev_timer merge_timer;
	char target_line[600], summary[128], down_line[900];
};

/* Several targets: the UI shows the merged model or one target's. */
static bool
multi(const struct app *a)
{
	return a->npollers > 1;
}

static double
app_timeout_s(const struct app_config *cfg)
{
	if (cfg->timeout_ms > 0)
		return (double)cfg->timeout_ms / 1000;
	/* below the interval but long enough for a big goroutine profile */
	double t = (cfg->interval > 0 ? cfg->interval : 2) * 0.9;
	return t < 5 ? 5 : t;
}


struct fetcher *
app_fetcher_new(struct ev_loop *loop, const struct app_config *cfg)
{
	struct fetch_opts fo = {
		.timeout_ms = (long)(app_timeout_s(cfg) * 1000),
		.max_body = cfg->max_body,
		.headers = cfg->headers,
		.nheaders = cfg->nheaders,
		.insecure = cfg->insecure,
		.cacert = cfg->cacert,
		.cert = cfg->cert,
		.key = cfg->key,
	};
	struct fetcher *f = fetcher_new(loop, &fo);
	if (f == NULL) {
		const char *why = curl_lazy_error();
		fprintf(stderr, "pproftop: cannot initialise libcurl%s%s\n", *why ? ": " : "", why);
	}
	return f;
}

static void
app_sched_config(const struct app_config *cfg, bool batch, struct sched_config *out)
{
	memset(out, 0, sizeof(*out));
	out->interval = cfg->interval;
	out->batch = batch;
	out->batch_n = cfg->batch_n;
	out->share = !cfg->budget_set ? 0 : cfg->budget > 0 ? cfg->budget / 100 : -1;
}

static void
app_cpu_config(const struct app_config *cfg, bool batch, struct cpulane_config *out)
{
	memset(out, 0, sizeof(*out));
	out->interval = cfg->interval;
	out->always = cfg->cpu;
	out->batch = batch;
	out->batch_n = cfg->batch_n;
}

void
app_poller_config(const struct app_config *cfg, size_t i, bool batch,
                  const struct poller_hooks *hooks, void *ud, struct poller_config *out)
{
	memset(out, 0, sizeof(*out));
	out->url = cfg->targets[i].url;
	out->shown = cfg->targets[i].shown;
	out->window = cfg->window;
	out->hooks = hooks;
	out->ud = ud;
	app_sched_config(cfg, batch, &out->sched);
	app_cpu_config(cfg, batch, &out->cpu);
	out->timeout_s = app_timeout_s(cfg);
}

/* The poller whose model the UI shows: the target's, or NULL for the
 * merged view and a saved snapshot. */
static struct poller *
shown_poller(const struct app *a)
{
	if (a->npollers == 0 || (multi(a) && a->view == 0))
		return NULL;
	return a->pollers[multi(a) ? a->view - 1 : 0];
}

static const struct model *
shown_model(const struct app *a)
{
	const struct poller *p = shown_poller(a);

	if (p != NULL)
		return &p->model;
	return multi(a) ? &a->merged : &a->offline;
}

/* The merge step: the merged model gets what the targets brought since. */
static void
merge_now(struct app *a)
{
	if (multi(a) && merge_update(&a->mst, &a->merged, a->models, ev_now(a->loop)) > 0)
		ui_model_changed(a->ui);
}

static void
merge_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct app *a = w->data;

	merge_now(a);
	/* each interval, as it is now (+ and - change it) */
	w->repeat = a->pollers[0]->sched.interval > 0 ? a->pollers[0]->sched.interval : 2;
	ev_timer_again(loop, w);
}

/* T: merged, target 1, ..., target n, merged. */
static void
next_view(struct app *a)
{
	char msg[700];

	if (!multi(a)) {
		snprintf(a->message, sizeof(a->message),
		         "T switches between targets; one is watched");
		ui_model_changed(a->ui);
		return;
	}
	a->view = (a->view + 1) % (a->npollers + 1);
	ui_set_model(a->ui, shown_model(a));
	if (a->view == 0)
		snprintf(msg, sizeof(msg), "showing all %zu targets merged (T: target 1)",
		         a->npollers);
	else
		snprintf(msg, sizeof(msg), "showing target %zu/%zu: %s (T: %s)", a->view,
		         a->npollers, a->names[a->view - 1],
		         a->view == a->npollers ? "all merged" : "the next one");
	snprintf(a->message, sizeof(a->message), "%s", msg);
	ui_model_changed(a->ui);
}

static void
set_message(struct app *a, const char *msg)
{
	snprintf(a->message, sizeof(a->message), "%s", msg);
	ui_model_changed(a->ui);
}

static void
on_changed(void *ud, struct poller *p)
{
	struct app *a = ud;

	ui_model_changed(a->ui);
}

static void
on_message(void *ud, struct poller *p, const char *msg)
{
	struct app *a = ud;
	char line[sizeof(a->message)];

	if (a->npollers > 1)
		snprintf(line, sizeof(line), "%s: %s", p->shown, msg);
	else
		snprintf(line, sizeof(line), "%s", msg);
	set_message(a, line);
}

static void
on_poll_done(void *ud, struct poller *p)
{
	struct app *a = ud;

	/* the merged view's first data as soon as every target answered once */
	if (multi(a) && a->mst.merges == 0) {
		bool all = true;
		for (size_t i = 0; i < a->npollers; i++)
			all = all && a->pollers[i]->sched.seq > 0 && !a->pollers[i]->sched.polling;
		if (all)
			merge_now(a);
	}
	if (a->cfg->exit_after == 0)
		return;
	for (size_t i = 0; i < a->npollers; i++)
		if (a->pollers[i]->sched.npolls < a->cfg->exit_after)
			return;
	ev_break(a->loop, EVBREAK_ALL);
}

static const struct poller_hooks hooks = {
	.changed = on_changed,
	.message = on_message,
	.poll_done = on_poll_done,
};

static void
tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct app *a = w->data;

	/* ages in the header move even when nothing arrives */
	ui_model_changed(a->ui);
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
	const struct poller *p = shown_poller(a);
	const char *shown = p != NULL ? p->shown : a->cfg->open_dir;

	if (multi(a) && p == NULL) {
		set_message(a, "snapshots are of one target: T shows one, then s saves it");
		return;
	}
	if (savedir_write(dir, shown_model(a), shown, report_cb, a, path, sizeof(path), err,
	                  sizeof(err)) == 0)
		snprintf(msg, sizeof(msg), "snapshot saved: %s", path);
	else
		snprintf(msg, sizeof(msg), "snapshot failed: %s", err);
	set_message(a, msg);
}

static void
change_interval(struct app *a, int dir)
{
	char msg[64];
	double v = 0;

	for (size_t i = 0; i < a->npollers; i++)
		v = poller_change_interval(a->pollers[i], dir);
	snprintf(msg, sizeof(msg), "interval %.1f s", v);
	set_message(a, msg);
}

static void
poll_now(struct app *a)
{
	size_t started = 0;

	for (size_t i = 0; i < a->npollers; i++)
		started += poller_poll_now(a->pollers[i]);
	if (started == 0)
		set_message(a, "a poll is already running");
}

/* D and L: of the target shown. */
static void
request(struct app *a, enum km_action act)
{
	char msg[300];
	struct poller *p = shown_poller(a);

	if (multi(a) && p == NULL && act == KA_LEAKCHECK) {
		/* every target's: a leak is in some replica */
		for (size_t i = 0; i < a->npollers; i++)
			poller_request_leakcheck(a->pollers[i], msg, sizeof(msg));
		set_message(a, msg);
		return;
	}
	if (multi(a) && p == NULL) {
		set_message(a, "the goroutine dump is of one target: T shows one, then D");
		return;
	}
	if (p == NULL) {
		set_message(a, act == KA_DUMP ? "the goroutine dump needs a live target"
		                              : "the goroutine leak check needs a live target");
		return;
	}
	if (act == KA_DUMP)
		poller_request_dump(p, msg, sizeof(msg));
	else
		poller_request_leakcheck(p, msg, sizeof(msg));
	set_message(a, msg);
}

static void
handle_action(struct app *a, enum km_action act)
{
	switch (act) {
	case KA_QUIT:
		ev_break(a->loop, EVBREAK_ALL);
		break;
	case KA_POLL_NOW:
		poll_now(a);
		break;
	case KA_SNAPSHOT:
		take_snapshot(a);
		break;
	case KA_BASELINE:
		for (size_t i = 0; i < a->npollers; i++)
			model_set_baseline(&a->pollers[i]->model);
		if (a->npollers == 0)
			model_set_baseline(&a->offline);
		if (multi(a))
			model_set_baseline(&a->merged);
		set_message(a, "baseline set: \"since baseline\" columns count from now");
		break;
	case KA_FASTER:
		change_interval(a, +1);
		break;
	case KA_SLOWER:
		change_interval(a, -1);
		break;
	case KA_DUMP:
	case KA_LEAKCHECK:
		request(a, act);
		break;
	case KA_TARGET:
		next_view(a);
		break;
	default: /* the UI's own */
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
	/* the CPU pane shown wants CPU windows of the target shown (of every
	 * target in the merged view); the others' lanes stop after the window
	 * in flight */
	struct poller *p = shown_poller(a);
	bool cpu = ui_shows(a->ui, EP_CPU);
	for (size_t i = 0; i < a->npollers; i++)
		poller_set_cpu_shown(a->pollers[i], cpu && (p == NULL || a->pollers[i] == p));
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

/* Several targets: the header's summary ("3 targets, 1 down, worst
 * 120 ms"), the first down target's line, and what the merged view shows
 * of the polls (the worst latency; stale only when every target is down). */
static void
fleet_status(struct app *a, struct ui_status *st)
{
	size_t ndown = 0, first = SIZE_MAX;
	double worst = 0, load = 0;
	unsigned failures = ~0U;
	bool polling = false;
	char lat[32];

	for (size_t i = 0; i < a->npollers; i++) {
		const struct poller *p = a->pollers[i];
		a->down[i] = poller_down(p, NULL);
		if (a->down[i] && ndown++ == 0)
			first = i;
		if (p->sched.latency > worst)
			worst = p->sched.latency;
		if (p->sched.failures < failures)
			failures = p->sched.failures;
		polling = polling || p->sched.polling;
		load += sched_cpu_load(&p->sched);
	}
	snprintf(a->summary, sizeof(a->summary), "%zu targets, %zu down, worst %s", a->npollers,
	         ndown, fmt_ns(lat, sizeof(lat), worst * 1e9));
	st->targets = a->summary;
	if (first != SIZE_MAX) {
		const struct poller *p = a->pollers[first];
		const char *why;
		poller_down(p, &why);
		char more[64] = "";
		if (ndown > 1)
			snprintf(more, sizeof(more), " (and %zu more down)", ndown - 1);
		snprintf(a->down_line, sizeof(a->down_line), "%s down: %s; %s%s", a->names[first],
		         why[0] ? why : "no answer",
		         p->model.ep[EP_GOROUTINE].cur != NULL
		             ? "its last data stays in the merge, marked stale"
		             : "no data from it yet",
		         more);
		st->down = a->down_line;
	}
	if (a->view == 0) {
		snprintf(a->target_line, sizeof(a->target_line), "all %zu targets", a->npollers);
		st->target = a->target_line;
		st->interval = a->pollers[0]->sched.interval;
		st->poll_latency = worst;
		st->polling = polling;
		st->failures = ndown == a->npollers ? failures : 0;
		st->cpu_load = load;
		st->share = a->pollers[0]->sched.cfg.share;
		st->stretch = a->pollers[0]->sched.stretch;
	} else {
		snprintf(a->target_line, sizeof(a->target_line), "target %zu/%zu: %s", a->view,
		         a->npollers, a->names[a->view - 1]);
		st->target = a->target_line;
	}
}

static void
prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct app *a = w->data;
	const struct poller *p = shown_poller(a);

	if (!ui_dirty(a->ui))
		return;
	const char *msg = a->message[0] ? a->message : NULL;
	if (msg == NULL && p == NULL && !multi(a))
		msg = "viewing a saved snapshot (no polling)";
	unsigned every[EP_COUNT];
	char cpu[64];
	for (int e = 0; p != NULL && e < EP_COUNT; e++)
		every[e] = sched_every(&p->sched, (enum ep_id)e);
	struct ui_status st = {
		.target = p != NULL ? p->shown : a->cfg->open_dir,
		.now = ev_now(loop),
		.message = msg,
		.insecure = a->cfg->insecure,
		.mode = a->cfg->open_dir,
	};
	if (p != NULL) {
		st.interval = p->sched.interval;
		st.poll_latency = p->sched.latency;
		st.polling = p->sched.polling;
		st.failures = p->sched.failures;
		st.every = every;
		st.stretch = p->sched.stretch;
		st.share = p->sched.cfg.share;
		st.cpu_load = sched_cpu_load(&p->sched);
		st.cpu_profiling = cpulane_status(&p->lane, cpu, sizeof(cpu));
	}
	if (multi(a))
		fleet_status(a, &st);
	for (size_t i = 0; p == NULL && st.cpu_profiling == NULL && i < a->npollers; i++)
		st.cpu_profiling = cpulane_status(&a->pollers[i]->lane, cpu, sizeof(cpu));
	ui_draw(a->ui, &st);
}

static struct ui *ui_for_fail_hook;

static void
oom_restore_terminal(void)
{
	if (ui_for_fail_hook != NULL)
		endwin();
}

static void
app_fini(struct app *a)
{
	for (size_t i = 0; i < a->npollers; i++)
		poller_free(a->pollers[i]);
	free(a->pollers);
	free(a->models);
	free(a->names);
	free(a->down);
	merge_state_free(&a->mst);
	model_free(&a->merged);
	poller_gate_free(&a->gate);
	fetcher_free(a->fetcher);
	model_free(&a->offline);
	ev_loop_destroy(a->loop);
}

static int
app_init(struct app *a, const struct app_config *cfg)
{
	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->loop = ev_default_loop(EVFLAG_AUTO);
	if (a->loop == NULL) {
		fputs("pproftop: cannot initialise the event loop\n", stderr);
		return -1;
	}
	model_init(&a->offline);
	model_init(&a->merged);
	if (cfg->window > 0)
		model_set_window(&a->merged, cfg->window);
	poller_gate_init(&a->gate, cfg->max_inflight);
	if (cfg->open_dir != NULL) {
		char err[512];
		if (savedir_load(cfg->open_dir, &a->offline, err, sizeof(err)) == 0) {
			fprintf(stderr, "pproftop: %s\n", err);
			app_fini(a);
			return -1;
		}
		return 0;
	}
	a->fetcher = app_fetcher_new(a->loop, cfg);
	if (a->fetcher == NULL) {
		app_fini(a);
		return -1;
	}
	a->pollers = xcalloc(cfg->ntargets, sizeof(struct poller *));
	for (size_t i = 0; i < cfg->ntargets; i++) {
		struct poller_config pc;
		app_poller_config(cfg, i, false, &hooks, a, &pc);
		a->pollers[a->npollers++] = poller_new(a->loop, a->fetcher, &a->gate, &pc);
	}
	merge_state_init(&a->mst, a->npollers);
	a->models = xcalloc(a->npollers, sizeof(const struct model *));
	a->names = xcalloc(a->npollers, sizeof(const char *));
	a->down = xcalloc(a->npollers, sizeof(bool));
	for (size_t i = 0; i < a->npollers; i++) {
		a->models[i] = &a->pollers[i]->model;
		a->names[i] = cfg->targets[i].given;
	}
	return 0;
}

void
app_version(FILE *f)
{
	char curl[300];
	const char *nc = curses_version();

	if (strncmp(nc, "ncurses ", 8) == 0)
		nc += 8;
	if (PPROFTOP_GIT[0] != '\0' && strcmp(PPROFTOP_GIT, PPROFTOP_VERSION) != 0)
		fprintf(f, "pproftop %s (%s)\n", PPROFTOP_VERSION, PPROFTOP_GIT);
	else
		fprintf(f, "pproftop %s\n", PPROFTOP_VERSION);
	curl_lazy_version(curl, sizeof(curl));
	fprintf(f, "libcurl: %s\nncurses: %s\nlibev: %d.%d\n", curl, nc, ev_version_major(),
	        ev_version_minor());
}

/* The dashboard frees and allocates snapshot-sized blocks (a 20,000-group
 * profile's groups, diff rows, pane rows: 1-5 MB each) at every fetch.
 * glibc's default raises its mmap threshold to the largest block freed, and
 * from then on such blocks come from the heap, which fragments and is not
 * given back: 6 MiB more RSS on the 100k-goroutine demo. Fixed thresholds
 * keep them mapped on their own and returned to the system when freed. */
static void
keep_heap_lean(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
}

int
app_run(const struct app_config *cfg)
{
	struct app a;

	signal(SIGPIPE, SIG_IGN);
	keep_heap_lean();
	if (app_init(&a, cfg) != 0)
		return 1;
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
	ui_set_model(a.ui, shown_model(&a));
	if (multi(&a))
		ui_set_targets(a.ui, a.names, a.down, a.npollers);

	ev_io_init(&a.input, input_cb, STDIN_FILENO, EV_READ);
	a.input.data = &a;
	ev_io_start(a.loop, &a.input);
	ev_prepare_init(&a.prepare, prepare_cb);
	a.prepare.data = &a;
	ev_prepare_start(a.loop, &a.prepare);
	ev_timer_init(&a.tick, tick_cb, 1., 1.);
	a.tick.data = &a;
	ev_timer_start(a.loop, &a.tick);
	for (size_t i = 0; i < a.npollers; i++)
		poller_start(a.pollers[i]);
	ev_timer_init(&a.merge_timer, merge_cb, cfg->interval > 0 ? cfg->interval : 2, 0.);
	a.merge_timer.data = &a;
	if (multi(&a))
		ev_timer_start(a.loop, &a.merge_timer);

	drain_input(&a);
	ev_run(a.loop, 0);

	ev_timer_stop(a.loop, &a.tick);
	ev_timer_stop(a.loop, &a.merge_timer);
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
