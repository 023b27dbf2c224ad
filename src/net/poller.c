/* poller.c - one watched target (see poller.h).
 *
 * What each poll fetches, in what order, and when the next one starts is
 * the scheduler's (sched.h); this file only runs it: the poll timer starts
 * each poll, and the poll fetches what the scheduler plans one after
 * another, each fetch taking a slot of the shared gate. Each body goes to
 * the model; the hooks tell the owner. The screen never waits on the
 * network: every transfer is asynchronous and bounded by a timeout.
 */
#include "pproftop/poller.h"

#define EV_COMPAT3 0
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "pproftop/fetch.h"
#include "pproftop/format.h"
#include "pproftop/xalloc.h"

void
poller_gate_init(struct poller_gate *g, unsigned max)
{
	memset(g, 0, sizeof(*g));
	g->max = max > 0 ? max : POLLER_GATE_DEFAULT;
}

void
poller_gate_free(struct poller_gate *g)
{
	free(g->waiting);
	memset(g, 0, sizeof(*g));
}

static void fetch_next(struct poller *p);

/* A slot for p's next short request: true when it has one (or had it
 * already); false: p is queued and goes on when a slot frees. */
static bool
gate_take(struct poller *p)
{
	struct poller_gate *g = p->gate;

	if (p->holds_slot)
		return true;
	if (g->inflight < g->max && g->nwaiting == 0) {
		g->inflight++;
		if (g->inflight > g->peak)
			g->peak = g->inflight;
		p->holds_slot = true;
		return true;
	}
	if (!p->waiting) {
		if (g->nwaiting == g->capwaiting) {
			g->capwaiting = g->capwaiting ? 2 * g->capwaiting : 8;
			g->waiting =
			    xreallocarray(g->waiting, g->capwaiting, sizeof(struct poller *));
		}
		g->waiting[g->nwaiting++] = p;
		p->waiting = true;
	}
	return false;
}

/* p's request ended: its slot goes to the first waiter, which goes on. */
static void
gate_give(struct poller *p)
{
	struct poller_gate *g = p->gate;

	if (!p->holds_slot)
		return;
	p->holds_slot = false;
	g->inflight--;
	while (g->nwaiting > 0 && g->inflight < g->max) {
		struct poller *w = g->waiting[0];
		memmove(g->waiting, g->waiting + 1, (g->nwaiting - 1) * sizeof(struct poller *));
		g->nwaiting--;
		w->waiting = false;
		g->inflight++;
		if (g->inflight > g->peak)
			g->peak = g->inflight;
		w->holds_slot = true;
		fetch_next(w);
	}
}

static void
gate_leave(struct poller *p)
{
	struct poller_gate *g = p->gate;

	for (size_t i = 0; p->waiting && i < g->nwaiting; i++)
		if (g->waiting[i] == p) {
			memmove(g->waiting + i, g->waiting + i + 1,
			        (g->nwaiting - i - 1) * sizeof(struct poller *));
			g->nwaiting--;
			p->waiting = false;
		}
	gate_give(p);
}

static void
changed(struct poller *p)
{
	if (p->hooks && p->hooks->changed)
		p->hooks->changed(p->ud, p);
}

static void
message(struct poller *p, const char *msg)
{
	if (p->hooks && p->hooks->message)
		p->hooks->message(p->ud, p, msg);
}

static void
endpoint_states(const struct poller *p, struct sched_ep_state *st)
{
	for (int e = 0; e < EP_COUNT; e++) {
		st[e].missing = p->model.ep[e].missing;
		st[e].fetched = p->model.ep[e].polls > 0;
		st[e].no_records = p->model.ep[e].no_records;
	}
}

/* The one poll timer, one-shot, set for when the scheduler wants the next
 * poll (never while one is in progress). */
static void
arm_poll_timer(struct poller *p)
{
	ev_timer *t = p->timer;
	double after = sched_next_poll(&p->sched, ev_now(p->loop));

	ev_timer_stop(p->loop, t);
	if (isfinite(after)) {
		ev_timer_set(t, after, 0.);
		ev_timer_start(p->loop, t);
	}
}

static void
poll_done(struct poller *p)
{
	double self, all, over;
	char note[300];

	p->inflight = NULL;
	p->norder = 0;
	gate_give(p);
	if (!p->sched.cfg.batch && model_self_rate(&p->model, &self, &all, &over) &&
	    sched_alloc_budget(&p->sched, self, all, p->model.ep[EP_ALLOCS].t_pt - over,
	                       p->model.ep[EP_ALLOCS].t_pt, note, sizeof(note)))
		message(p, note);
	sched_poll_done(&p->sched, ev_now(p->loop));
	changed(p);
	arm_poll_timer(p);
	if (p->hooks && p->hooks->poll_done)
		p->hooks->poll_done(p->ud, p);
}

static void
dump_done(struct poller *p, bool ok, size_t len, double latency)
{
	char msg[300];
	const struct snapshot *s = p->model.ep[EP_DUMP].cur;

	if (!ok || s == NULL) {
		snprintf(msg, sizeof(msg), "goroutine dump: %s", p->model.ep[EP_DUMP].err);
	} else {
		char b[32], t[32];
		snprintf(msg, sizeof(msg),
		         "goroutine dump: %lld goroutines in %zu groups, %s in %s%s; "
		         "Enter on a goroutine row shows their states",
		         (long long)s->ngoroutines, s->ngroups,
		         fmt_bytes(b, sizeof(b), (double)len), fmt_ns(t, sizeof(t), latency * 1e9),
		         s->truncated ? " (cut at the server's 64 MiB cap)" : "");
	}
	message(p, msg);
}

/* The end of a leak check asked for with L (the periodic ones say nothing). */
static void
leakcheck_done(struct poller *p, bool ok, double latency)
{
	char msg[300];
	const struct endpoint *ep = &p->model.ep[EP_GOROUTINELEAK];
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
	message(p, msg);
}

/* A fetch asked for with D or L failed: say so (a timed one says nothing
 * beyond the header and the help's endpoint table). */
static void
asked_failed(struct poller *p, enum ep_id e, bool asked, const char *err)
{
	char msg[300];

	if (e != EP_DUMP && !(asked && e == EP_GOROUTINELEAK))
		return;
	snprintf(msg, sizeof(msg), "%s failed: %s",
	         e == EP_DUMP ? "goroutine dump" : "goroutine leak check", err);
	message(p, msg);
}

static void
on_fetched(struct fetch_result *res, void *ud)
{
	struct poller *p = ud;
	enum ep_id e = p->order[0];
	double now = ev_now(p->loop);
	double latency = res->total_s > 0 ? res->total_s : now - p->fetch_t0;
	bool asked = sched_asked(&p->sched, e);
	enum sched_outcome outcome;
	char note[256];

	p->inflight = NULL;
	if (res->status == FETCH_OK && e == EP_GOROUTINE)
		p->no_pprof = false;
	if (res->status == FETCH_OK) {
		size_t len = res->len;
		unsigned char *body = fetch_result_take_body(res);
		uint64_t points = p->model.ep[e].npoints;
		outcome = model_ingest_timed(&p->model, e, body, len, now, latency,
		                             res->pretransfer_s, res->handshake_s) == 0
		              ? SCHED_OK
		              : SCHED_BAD;
		/* the heap brings something new only with a new GC cycle */
		if (outcome == SCHED_OK && e == EP_HEAP)
			sched_changed(&p->sched, e, p->model.ep[e].npoints != points);
		if (e == EP_DUMP)
			dump_done(p, outcome == SCHED_OK, len, latency);
		else if (asked && e == EP_GOROUTINELEAK)
			leakcheck_done(p, outcome == SCHED_OK, latency);
	} else {
		char why[sizeof(res->err) + 1200];
		/* every pprof serves the goroutine profile: a 404 there is the
		 * wrong port or the wrong prefix, and the user needs to know which
		 * URL was tried */
		if (e == EP_GOROUTINE)
			p->no_pprof = res->http_code == 404;
		if (e == EP_GOROUTINE && p->no_pprof)
			snprintf(why, sizeof(why),
			         "%s at %s%s: no pprof on this port under this prefix? (another "
			         "prefix: pproftop http://HOST:PORT/PREFIX)",
			         res->err, p->url, model_query(&p->model, e));
		else
			snprintf(why, sizeof(why), "%s", res->err);
		model_fail(&p->model, e, why, now, latency);
		outcome = res->status == FETCH_NET_ERROR || res->status == FETCH_TIMEOUT
		              ? SCHED_UNREACHABLE
		              : SCHED_BAD;
		asked_failed(p, e, asked, res->err);
	}
	/* the scheduler's note: an endpoint spaced out or back to every poll */
	sched_fetched(&p->sched, e, now, outcome == SCHED_OK ? p->model.ep[e].service_s : -1,
	              outcome, note, sizeof(note));
	if (note[0] != '\0')
		message(p, note);
	if (outcome == SCHED_UNREACHABLE) {
		/* the scheduler called the poll off: the rest of it failed too */
		for (size_t i = 1; i < p->norder; i++)
			model_fail(&p->model, p->order[i], res->err, now, 0);
	}
	changed(p);
	/* the slot goes to whoever waits first; ours comes back in turn */
	gate_give(p);
	fetch_next(p);
}

/* The answer of /debug/pprof/symbol: names for the goroutine text's hidden
 * runtime frames (why its goroutines wait). A target without it, or a bad
 * answer, only leaves those states unknown: the PCs are not asked again. */
static void
on_symbols(struct fetch_result *res, void *ud)
{
	struct poller *p = ud;
	char err[200];

	p->inflight = NULL;
	if (res->status == FETCH_OK &&
	    model_ingest_symbols(&p->model, res->body, res->len, err, sizeof(err)) > 0)
		changed(p);
	gate_give(p);
	fetch_next(p);
}

/* Starts the next fetch the scheduler plans for this poll (re-planned after
 * every fetch: the index may have just said what exists), or ends the poll:
 * after the plan, one small request names the goroutine text's new hidden
 * PCs (each PC is asked once for the process). Each request waits for a
 * slot of the gate. */
static void
fetch_next(struct poller *p)
{
	char url[2048], note[256];
	struct sched_ep_state st[EP_COUNT];

	for (;;) {
		endpoint_states(p, st);
		p->norder = sched_plan(&p->sched, st, p->order, EP_COUNT);
		if (p->norder == 0)
			break;
		if (!gate_take(p))
			return; /* gate_give calls us again */
		enum ep_id e = p->order[0];
		snprintf(url, sizeof(url), "%s%s", p->url, model_query(&p->model, e));
		p->fetch_t0 = ev_now(p->loop);
		p->inflight = fetch_start(p->fetcher, url, on_fetched, p);
		if (p->inflight != NULL)
			return;
		model_fail(&p->model, e, "could not start the request", p->fetch_t0, 0);
		asked_failed(p, e, sched_asked(&p->sched, e), "could not start the request");
		sched_fetched(&p->sched, e, p->fetch_t0, -1, SCHED_BAD, note, sizeof(note));
	}
	char q[SYMTAB_QUERY_PCS * 20 + 1];
	if (!p->symbols_asked && !p->sched.failed && model_symbol_query(&p->model, q, sizeof(q))) {
		if (!gate_take(p))
			return;
		p->symbols_asked = true;
		snprintf(url, sizeof(url), "%ssymbol?%s", p->url, q);
		p->fetch_t0 = ev_now(p->loop);
		p->inflight = fetch_start(p->fetcher, url, on_symbols, p);
		if (p->inflight != NULL)
			return;
	}
	p->symbols_asked = false;
	poll_done(p);
}

/* ---- the long lane: CPU windows beside the polls ---- */

static void lane_arm(struct poller *p);

/* A CPU window ended: its profile, or why not (one line: the model's
 * EP_CPU error for the pane; "in use" also as a message). */
static void
on_cpu_fetched(struct fetch_result *res, void *ud)
{
	struct poller *p = ud;
	double now = ev_now(p->loop);
	enum cpulane_outcome o = CPULANE_FAILED;
	char msg[256];

	p->lane_fetch = NULL;
	if (res->status == FETCH_OK) {
		size_t len = res->len;
		unsigned char *body = fetch_result_take_body(res);
		if (model_ingest_timed(&p->model, EP_CPU, body, len, now, res->total_s,
		                       res->pretransfer_s, res->handshake_s) == 0)
			o = CPULANE_OK;
	} else {
		o = cpulane_classify(res->http_code, res->body, res->len);
	}
	cpulane_done(&p->lane, now, o, msg, sizeof(msg));
	if (o == CPULANE_IN_USE) {
		model_fail(&p->model, EP_CPU, msg, now, res->total_s);
		message(p, msg);
	} else if (o == CPULANE_FAILED && res->status != FETCH_OK) {
		model_fail(&p->model, EP_CPU, res->err, now, res->total_s);
	}
	changed(p);
	lane_arm(p);
	if (p->hooks && p->hooks->poll_done)
		p->hooks->poll_done(p->ud, p);
}

/* Starts the CPU window that is due now. */
static void
lane_start(struct poller *p)
{
	struct ev_loop *loop = p->loop;
	char url[2048], q[64];

	if (!cpulane_start(&p->lane, ev_now(loop))) {
		lane_arm(p);
		return;
	}
	snprintf(url, sizeof(url), "%s%s", p->url, model_cpu_query(q, sizeof(q), p->lane.seconds));
	p->lane_fetch = fetch_start_timeout(
	    p->fetcher, url, (long)(cpulane_timeout_s(&p->lane, p->timeout_s) * 1000),
	    on_cpu_fetched, p);
	if (p->lane_fetch == NULL) {
		char msg[256];
		model_fail(&p->model, EP_CPU, "could not start the request", ev_now(loop), 0);
		cpulane_done(&p->lane, ev_now(loop), CPULANE_FAILED, msg, sizeof(msg));
		lane_arm(p);
		if (p->hooks && p->hooks->poll_done)
			p->hooks->poll_done(p->ud, p);
	}
	changed(p); /* the header says CPU profiling is on */
}

static void
lane_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	lane_start(w->data);
}

/* The lane's one-shot timer, set for when it wants the next window; one
 * due now starts at once (back to back: the header never flickers off
 * between two windows). */
static void
lane_arm(struct poller *p)
{
	ev_timer *t = p->lane_timer;
	double after = cpulane_next(&p->lane, ev_now(p->loop));

	ev_timer_stop(p->loop, t);
	if (after == 0) {
		lane_start(p);
	} else if (isfinite(after)) {
		ev_timer_set(t, after, 0.);
		ev_timer_start(p->loop, t);
	}
}

void
poller_set_cpu_shown(struct poller *p, bool shown)
{
	if (p->lane.shown == shown)
		return;
	cpulane_set_shown(&p->lane, shown);
	lane_arm(p);
}

bool
poller_finished(const struct poller *p)
{
	return sched_finished(&p->sched) && !p->lane.running && !cpulane_wanted(&p->lane);
}

static void
poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct poller *p = w->data;

	if (sched_poll_start(&p->sched, ev_now(loop)))
		fetch_next(p);
}

struct poller *
poller_new(struct ev_loop *loop, struct fetcher *f, struct poller_gate *gate,
           const struct poller_config *cfg)
{
	struct poller *p = xcalloc(1, sizeof(*p));
	ev_timer *t = xcalloc(1, sizeof(*t));
	ev_timer *lt = xcalloc(1, sizeof(*lt));

	snprintf(p->url, sizeof(p->url), "%s", cfg->url);
	snprintf(p->shown, sizeof(p->shown), "%s", cfg->shown ? cfg->shown : cfg->url);
	p->loop = loop;
	p->fetcher = f;
	p->gate = gate;
	p->hooks = cfg->hooks;
	p->ud = cfg->ud;
	sched_init(&p->sched, &cfg->sched);
	cpulane_init(&p->lane, &cfg->cpu);
	p->timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : 10;
	model_init(&p->model);
	if (cfg->window > 0)
		model_set_window(&p->model, cfg->window);
	ev_timer_init(t, poll_cb, 0., 0.);
	t->data = p;
	p->timer = t;
	ev_timer_init(lt, lane_cb, 0., 0.);
	lt->data = p;
	p->lane_timer = lt;
	return p;
}

void
poller_start(struct poller *p)
{
	arm_poll_timer(p);
	lane_arm(p);
}

void
poller_free(struct poller *p)
{
	if (p == NULL)
		return;
	fetch_cancel(p->inflight);
	p->inflight = NULL;
	fetch_cancel(p->lane_fetch);
	p->lane_fetch = NULL;
	gate_leave(p);
	ev_timer_stop(p->loop, (ev_timer *)p->timer);
	free(p->timer);
	ev_timer_stop(p->loop, (ev_timer *)p->lane_timer);
	free(p->lane_timer);
	model_free(&p->model);
	free(p);
}

bool
poller_poll_now(struct poller *p)
{
	if (!sched_poll_now(&p->sched, ev_now(p->loop)))
		return false;
	arm_poll_timer(p);
	return true;
}

void
poller_request_dump(struct poller *p, char *msg, size_t msglen)
{
	bool known = p->model.meter_known[METER_GOROUTINES];

	sched_request_dump(&p->sched, ev_now(p->loop),
	                   known ? p->model.meter_now[METER_GOROUTINES] : -1, msg, msglen);
	arm_poll_timer(p);
}

void
poller_request_leakcheck(struct poller *p, char *msg, size_t msglen)
{
	struct sched_ep_state st[EP_COUNT];

	endpoint_states(p, st);
	sched_request_leakcheck(&p->sched, ev_now(p->loop), st, msg, msglen);
	arm_poll_timer(p);
}

double
poller_change_interval(struct poller *p, int dir)
{
	double v = sched_change_interval(&p->sched, ev_now(p->loop), dir);

	cpulane_set_interval(&p->lane, v);
	arm_poll_timer(p);
	return v;
}

bool
poller_down(const struct poller *p, const char **why)
{
	const struct endpoint *ep = &p->model.ep[EP_GOROUTINE];
	bool down = p->sched.failures > 0 || p->no_pprof;

	if (why != NULL)
		*why = ep->err[0] != '\0' ? ep->err : "";
	return down;
}
