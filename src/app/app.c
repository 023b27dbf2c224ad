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

#define EV_COMPAT3 0
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
};

struct fetcher *
app_fetcher_new(struct ev_loop *loop, const struct app_config *cfg)
{
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
		double t = (cfg->interval > 0 ? cfg->interval : 2) * 1000 * 0.9;
		fo.timeout_ms = t < 5000 ? 5000 : (long)t;
	}
	return fetcher_new(loop, &fo);
}

void
app_sched_config(const struct app_config *cfg, bool batch, struct sched_config *out)
{
	memset(out, 0, sizeof(*out));
	out->interval = cfg->interval;
	out->batch = batch;
	out->batch_n = cfg->batch_n;
	out->share = !cfg->budget_set ? 0 : cfg->budget > 0 ? cfg->budget / 100 : -1;
}

/* The poller whose model the UI shows (the first target's). */
static struct poller *
shown_poller(const struct app *a)
{
	return a->npollers > 0 ? a->pollers[0] : NULL;
}

static const struct model *
shown_model(const struct app *a)
{
	const struct poller *p = shown_poller(a);

	return p != NULL ? &p->model : &a->offline;
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
	const struct poller *p = shown_poller(a);

	if (!ui_dirty(a->ui))
		return;
	const char *msg = a->message[0] ? a->message : NULL;
	if (msg == NULL && p == NULL)
		msg = "viewing a saved snapshot (no polling)";
	unsigned every[EP_COUNT];
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
	}
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
		fputs("pproftop: cannot initialise libcurl\n", stderr);
		app_fini(a);
		return -1;
	}
	a->pollers = xcalloc(cfg->ntargets, sizeof(struct poller *));
	for (size_t i = 0; i < cfg->ntargets; i++) {
		struct poller_config pc = {
			.url = cfg->targets[i].url,
			.shown = cfg->targets[i].shown,
			.window = cfg->window,
			.hooks = &hooks,
			.ud = a,
		};
		app_sched_config(cfg, false, &pc.sched);
		a->pollers[a->npollers++] = poller_new(a->loop, a->fetcher, &a->gate, &pc);
	}
	return 0;
}

int
app_run(const struct app_config *cfg)
{
	struct app a;

	signal(SIGPIPE, SIG_IGN);
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

	drain_input(&a);
	ev_run(a.loop, 0);

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
