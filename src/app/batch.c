/* batch.c - batch and offline modes (see batch.h): the same pollers as the
 * dashboard, on a loop without a screen, then one report on stdout. */
#include "pproftop/batch.h"

#define EV_COMPAT3 0
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "pproftop/diff.h"
#include "pproftop/fetch.h"
#include "pproftop/merge.h"
#include "pproftop/parse.h"
#include "pproftop/poller.h"
#include "pproftop/readfile.h"
#include "pproftop/report.h"
#include "pproftop/savedir.h"
#include "pproftop/xalloc.h"

#define MAX_FILE ((size_t)1 << 30)

struct batch {
	struct ev_loop *loop;
	const struct app_config *cfg;
	struct fetcher *fetcher;
	struct poller_gate gate;
	struct poller **pollers;
	size_t npollers;
	ev_signal sigint, sigterm;
	/* several targets: the merged model, merged whenever no poll runs */
	struct model merged;
	struct merge_state mst;
	const struct model **models; /* the pollers' */
};

static void
merge_now(struct batch *b)
{
	if (b->npollers > 1)
		merge_update(&b->mst, &b->merged, b->models, ev_now(b->loop));
}

/* Every target made its polls, or gave up after 3 failed ones, and its CPU
 * window (--cpu) is over: done. */
static void
on_poll_done(void *ud, struct poller *p)
{
	struct batch *b = ud;
	bool idle = true;

	for (size_t i = 0; i < b->npollers; i++)
		idle = idle && !b->pollers[i]->sched.polling;
	if (idle) /* the end of a round: the merged model's next point */
		merge_now(b);
	for (size_t i = 0; i < b->npollers; i++)
		if (!poller_finished(b->pollers[i]))
			return;
	ev_break(b->loop, EVBREAK_ALL);
}

static const struct poller_hooks hooks = { .poll_done = on_poll_done };

static void
quit_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

/* Several targets: each one's state for the report, and their names. */
struct fleet {
	struct report_target *t;
	const char **names;
	size_t n;
};

static void
fleet_init(struct fleet *f, const struct batch *b)
{
	f->n = b->npollers > 1 ? b->npollers : 0;
	f->t = xcalloc(f->n + 1, sizeof(*f->t));
	f->names = xcalloc(f->n + 1, sizeof(*f->names));
	for (size_t i = 0; i < f->n; i++) {
		const struct poller *p = b->pollers[i];
		const char *why;
		bool down = poller_down(p, &why);
		f->names[i] = b->cfg->targets[i].given;
		f->t[i].url = b->cfg->targets[i].given;
		f->t[i].ok = !down;
		f->t[i].error = down ? why : NULL;
		f->t[i].last_poll = p->sched.seq > 0 ? p->sched.poll_t0 : 0;
		f->t[i].stale = down && p->model.ep[EP_GOROUTINE].cur != NULL;
	}
}

static void
fleet_free(struct fleet *f)
{
	free(f->t);
	free(f->names);
}

static void
print(const struct app_config *cfg, const struct model *m, const char *shown, uint64_t npolls,
      const struct fleet *fl)
{
	struct report_item items[EP_COUNT];
	size_t n = report_model_items(m, items, EP_COUNT);

	for (size_t i = 0; i < n; i++) {
		items[i].tree = cfg->tree;
		items[i].targets = fl != NULL && fl->n > 0 ? fl->names : NULL;
	}
	if (cfg->json) {
		report_json_targets(stdout, items, n, cfg->rows, fl != NULL ? fl->t : NULL,
		                    fl != NULL ? fl->n : 0);
		return;
	}
	const struct snapshot *ms = m->ep[EP_MEMSTATS].cur;
	double v;
	if (cfg->open_dir != NULL) { /* a saved snapshot: no polls of ours */
		printf("snapshot %s\n", cfg->open_dir);
	} else if (fl != NULL && fl->n > 0) {
		printf("%zu targets, merged by stack (a down target's last data is kept, "
		       "stale)\n",
		       fl->n);
		report_targets_text(stdout, fl->t, fl->n);
	} else {
		printf("target %s, %llu polls\n", shown, (unsigned long long)npolls);
	}
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
		report_table(stdout, &items[i], cfg->rows);
	}
}

/* What went wrong with p's last poll, on stderr; 1 when something did. */
static int
errors(const struct poller *p)
{
	const struct model *m = &p->model;

	if (p->sched.failures > 0) {
		/* unreachable: every endpoint has the same error; say it once */
		for (int e = 0; e < EP_COUNT; e++)
			if (m->ep[e].err[0] != '\0') {
				fprintf(stderr, "pproftop: %s: %s\n", p->shown, m->ep[e].err);
				return 1;
			}
		return 0;
	}
	if (p->no_pprof) {
		/* no pprof there: one line, not one per endpoint */
		fprintf(stderr, "pproftop: %s: %s\n", p->shown, m->ep[EP_GOROUTINE].err);
		return 1;
	}
	int rc = 0;
	for (int e = 0; e < EP_COUNT; e++) {
		const struct endpoint *ep = &m->ep[e];
		if (ep->err[0] != '\0' && e != EP_INDEX) { /* the index is optional */
			fprintf(stderr, "pproftop: %s: %s\n", ep_info(e)->name, ep->err);
			rc = 1;
		}
	}
	return rc;
}

static int
finish(const struct app_config *cfg, const struct model *m, const char *shown, uint64_t npolls,
       const struct fleet *fl, int rc)
{
	if (m->ep[EP_GOROUTINE].cur != NULL || cfg->open_dir != NULL)
		print(cfg, m, shown, npolls, fl);
	else
		rc = 1;
	if (fflush(stdout) != 0)
		rc = 1;
	if (rc == 0 && cfg->fail_on_growth && report_growth(stderr, m) > 0)
		rc = 3;
	return rc;
}

static int
run_saved(const struct app_config *cfg)
{
	struct model m;
	char err[512];
	int rc;

	model_init(&m);
	if (savedir_load(cfg->open_dir, &m, err, sizeof(err)) == 0) {
		fprintf(stderr, "pproftop: %s\n", err);
		model_free(&m);
		return 1;
	}
	rc = finish(cfg, &m, cfg->open_dir, 0, NULL, 0);
	model_free(&m);
	return rc;
}

int
batch_run(const struct app_config *cfg)
{
	struct batch b;
	int rc = 0;

	if (cfg->open_dir != NULL)
		return run_saved(cfg);
	signal(SIGPIPE, SIG_IGN);
	memset(&b, 0, sizeof(b));
	b.cfg = cfg;
	b.loop = ev_default_loop(EVFLAG_AUTO);
	if (b.loop == NULL) {
		fputs("pproftop: cannot initialise the event loop\n", stderr);
		return 1;
	}
	b.fetcher = app_fetcher_new(b.loop, cfg);
	if (b.fetcher == NULL) {
		ev_loop_destroy(b.loop);
		return 1;
	}
	poller_gate_init(&b.gate, cfg->max_inflight);
	b.pollers = xcalloc(cfg->ntargets, sizeof(struct poller *));
	for (size_t i = 0; i < cfg->ntargets; i++) {
		struct poller_config pc;
		app_poller_config(cfg, i, true, &hooks, &b, &pc);
		b.pollers[b.npollers++] = poller_new(b.loop, b.fetcher, &b.gate, &pc);
	}
	model_init(&b.merged);
	if (cfg->window > 0)
		model_set_window(&b.merged, cfg->window);
	merge_state_init(&b.mst, b.npollers);
	b.models = xcalloc(b.npollers, sizeof(const struct model *));
	for (size_t i = 0; i < b.npollers; i++)
		b.models[i] = &b.pollers[i]->model;
	ev_signal_init(&b.sigint, quit_cb, SIGINT);
	ev_signal_init(&b.sigterm, quit_cb, SIGTERM);
	ev_signal_start(b.loop, &b.sigint);
	ev_signal_start(b.loop, &b.sigterm);
	for (size_t i = 0; i < b.npollers; i++)
		poller_start(b.pollers[i]);
	ev_run(b.loop, 0);
	ev_signal_stop(b.loop, &b.sigint);
	ev_signal_stop(b.loop, &b.sigterm);

	for (size_t i = 0; i < b.npollers; i++)
		rc |= errors(b.pollers[i]);
	const struct poller *p = b.pollers[0];
	if (b.npollers > 1) {
		struct fleet fl;
		merge_now(&b);
		fleet_init(&fl, &b);
		rc = finish(cfg, &b.merged, NULL, 0, &fl, rc);
		fleet_free(&fl);
	} else {
		rc = finish(cfg, &p->model, p->shown, p->sched.npolls, NULL, rc);
	}
	for (size_t i = 0; i < b.npollers; i++)
		poller_free(b.pollers[i]);
	free(b.pollers);
	free(b.models);
	merge_state_free(&b.mst);
	model_free(&b.merged);
	poller_gate_free(&b.gate);
	fetcher_free(b.fetcher);
	ev_loop_destroy(b.loop);
	return rc;
}

static struct snapshot *
load(const char *path, const char *name)
{
	char err[512];
	size_t len;
	bool mapped;
	const char *buf = readfile_map(path, MAX_FILE, &len, &mapped, err, sizeof(err));

	if (buf == NULL) {
		fprintf(stderr, "pproftop: %s\n", err);
		return NULL;
	}
	struct snapshot *s = NULL;
	struct parse_err pe;
	if (profile_parse(buf, len, name, &s, &pe) != 0) {
		parse_err_format(&pe, path, err, sizeof(err));
		fprintf(stderr, "pproftop: %s\n", err);
	}
	readfile_release(buf, len, mapped);
	/* as live: the request that captured it is not the service */
	if (s != NULL)
		snapshot_hide_self(s);
	return s;
}

int
batch_files(const struct batch_files *f)
{
	struct snapshot *now = load(f->open, f->name), *old = NULL;
	struct diff d;
	struct report_item it;
	int rc = 0;

	if (now == NULL)
		return 1;
	report_item_init(&it, now, NULL);
	it.tree = f->tree;
	if (f->base != NULL) {
		old = load(f->base, f->name ? f->name : now->name);
		if (old == NULL) {
			snapshot_free(now);
			return 1;
		}
		if (diff_compute(&d, old, now, 0) != 0) {
			fprintf(stderr, "pproftop: %s and %s are different profiles (%s, %s)\n",
			        f->open, f->base, now->name, old->name);
			snapshot_free(now);
			snapshot_free(old);
			return 1;
		}
		it.d = &d;
	}
	if (f->json)
		report_json(stdout, &it, 1, f->rows);
	else
		report_table(stdout, &it, f->rows);
	if (fflush(stdout) != 0)
		rc = 1;
	if (it.d)
		diff_free(&d);
	snapshot_free(now);
	snapshot_free(old);
	return rc;
}
