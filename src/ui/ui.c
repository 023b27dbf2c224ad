/* ui.c - the dashboard frame: terminal setup, header, meters, tab bar,
 * status line, filter prompt, help overlay, key dispatch, and the
 * sparklines every pane uses. See ui.h.
 *
 * Everything untrusted (function names, file names, labels, error texts)
 * goes to the screen through ui_put(), which escapes control bytes and
 * invalid UTF-8 and fits the text to its columns (text_fit, in the core's
 * text.c); nothing is written raw.
 */
#include "pproftop/ui.h"

#include <langinfo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "pane.h"
#include "pproftop/format.h"
#include "pproftop/keymap.h"
#include "pproftop/sched.h"
#include "pproftop/xalloc.h"

/* The dashboard's state; the panes see only its ctx. */
struct ui {
	struct pane_ctx ctx; /* what the panes see (kept current by ui.c) */
	const struct model *m;
	struct view view;
	double paused_data_at; /* the frozen view's last good poll */
	struct screen *screen; /* the curses SCREEN made by ui_new, or NULL */
	/* references on the snapshots the rows point to, and what they were */
	struct snapshot *held[EP_COUNT][3];
	uint64_t links_gen; /* the model's links_gen the panes were built with */
	uint64_t syms_gen;  /* and its syms_gen */
	struct pane panes[PANE_MAX];
	struct detail detail;
	struct pane help_pane;   /* the help overlay (pane_help.c) */
	struct pane detail_pane; /* the detail view (pane_detail.c) */
	/* filter */
	regex_t re;
	char filter[256];
	char pbuf[256];
	size_t plen;
	char msg[256];            /* the UI's own one-shot message (bad regex, ...) */
	double now;               /* poll clock at the last draw */
	unsigned every[EP_COUNT]; /* the scheduler's spacing at the last draw (help) */
	double stretch;
	double share;    /* the budget's (sched_config.share) */
	double interval; /* seconds between polls, at the last draw */
	double cpu_load; /* ui_status.cpu_load at the last draw */
	int attr[R_COUNT];
	int npanes; /* the registry's */
	int cur;
	/* layout */
	int lines, cols;
	int meter_rows;
	int body_y, body_h;
	bool paused;
	bool utf8, color;
	bool need_rebuild;
	bool dirty;
	bool help;
	bool filter_on;
	bool prompt;
};

#define MIN_COLS 50
#define MIN_LINES 10

/* ---- text helpers ---- */

void
ui_spark(const double *v, size_t n, int width, bool utf8, char *out, size_t outlen)
{
	static const char *const bars[8] = {
		"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
	}; /* ▁▂▃▄▅▆▇█ */
	static const char ascii[] = "_.-:=+*#";
	size_t o = 0;

	if (outlen == 0)
		return;
	if (width < 0)
		width = 0;
	size_t w = (size_t)width;
	size_t k = n < w ? n : w;
	const double *x = v + (n - k);
	double lo = 0, hi = 0;
	for (size_t i = 0; i < k; i++) {
		if (i == 0 || x[i] < lo)
			lo = x[i];
		if (i == 0 || x[i] > hi)
			hi = x[i];
	}
	/* non-negative series are drawn from zero, so a 1<->2 flip does not look
	 * like a leak; a small variation on a big level is magnified, but to a
	 * span of at least an eighth of the level: 35 -> 36 is a step of two
	 * bars, not the full height */
	if (lo >= 0 && hi > lo)
		lo = (hi - lo) / hi >= 0.125 ? 0 : hi * 0.875;
	for (size_t i = k; i < w && o + 2 <= outlen; i++)
		out[o++] = ' ';
	for (size_t i = 0; i < k; i++) {
		int level = 0;
		if (hi > lo)
			level = (int)floor((x[i] - lo) / (hi - lo) * 7 + 0.5);
		if (level < 0)
			level = 0;
		if (level > 7)
			level = 7;
		if (utf8) {
			if (o + 4 > outlen)
				break;
			memcpy(out + o, bars[level], 3);
			o += 3;
		} else {
			if (o + 2 > outlen)
				break;
			out[o++] = ascii[level];
		}
	}
	out[o] = '\0';
}

int
ui_put(const struct pane_ctx *cx, int y, int x, int maxw, int attr, const char *s)
{
	char buf[4 * 512 + 8];
	int w = maxw;

	if (y < 0 || y >= cx->lines || x < 0 || x >= cx->cols || s == NULL)
		return 0;
	if (w > cx->cols - x)
		w = cx->cols - x;
	if (w > 512)
		w = 512;
	int used = text_fit(s, strlen(s), w, false, cx->utf8, buf, sizeof(buf));
	attrset(attr);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
	return used;
}

void
ui_fill(const struct pane_ctx *cx, int y, int x, int w, int attr)
{
	if (y < 0 || y >= cx->lines || x < 0 || x >= cx->cols)
		return;
	if (w > cx->cols - x)
		w = cx->cols - x;
	attrset(attr);
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

const char *
ui_label_fn(const struct group *g)
{
	return g->nframes > 0 ? label_short(group_frame(g, g->label_frame)->function) : "";
}

int
ui_put_label(const struct pane_ctx *cx, int y, int x, int width, int attr, int locattr,
             const struct group *g, uint32_t apart)
{
	char loc[4 * 600 + 8], fn[4 * 512 + 8], tmp[600], text[1200];
	int locw = 0;

	if (width <= 0)
		return 0;
	if (g->nframes == 0)
		return ui_put(cx, y, x, width, locattr, "(no stack)");
	const struct frame *f = group_frame(g, g->label_frame);
	label_text(g, apart, cx->utf8, text, sizeof(text));
	if (f->file[0] != '\0') {
		const char *b = label_file(f->file);
		snprintf(tmp, sizeof(tmp), "%s:%lld", b, (long long)f->line);
		int fw = text_width(text, strlen(text), cx->utf8);
		int lw = text_width(tmp, strlen(tmp), cx->utf8);
		/* the label comes first: the location when both fit; a label
		 * cut anyway keeps the location when it takes at most a third
		 * of a wide column */
		int lmax = width >= 36 ? width / 3 : 0;
		if (fw + 1 + lw <= width || (fw > width && lw <= lmax))
			locw = text_fit(tmp, strlen(tmp), lw, true, cx->utf8, loc, sizeof(loc));
	}
	int fnw = width - (locw ? locw + 1 : 0);
	if (fnw > 512)
		fnw = 512;
	int used = text_fit(text, strlen(text), fnw, false, cx->utf8, fn, sizeof(fn));
	attrset(attr);
	mvaddstr(y, x, fn);
	if (locw) {
		attrset(locattr);
		mvaddstr(y, x + used + 1, loc);
		used += locw + 1;
	}
	attrset(A_NORMAL);
	return used;
}

/* ---- setup ---- */

static void
init_attrs(struct ui *ui)
{
	int *a = ui->attr;

	for (int i = 0; i < R_COUNT; i++)
		a[i] = A_NORMAL;
	a[R_HEADER] = A_REVERSE;
	a[R_TITLE] = A_BOLD;
	a[R_STALE] = A_REVERSE | A_BOLD;
	a[R_PAUSED] = A_REVERSE | A_BOLD;
	a[R_WARN] = A_BOLD;
	a[R_TAB_ACTIVE] = A_REVERSE | A_BOLD;
	a[R_COLHDR] = A_REVERSE;
	a[R_SORTED] = A_REVERSE | A_BOLD | A_UNDERLINE;
	a[R_SELECTED] = A_REVERSE;
	a[R_NEW] = A_BOLD;
	a[R_GONE] = A_DIM;
	a[R_GROWING] = A_BOLD;
	a[R_DIM] = A_DIM;
	a[R_LABEL_FRAME] = A_BOLD;
	if (!ui->color)
		return;
	if (start_color() == ERR) {
		ui->color = false;
		return;
	}
	int bg = use_default_colors() == OK ? -1 : COLOR_BLACK;
	init_pair(1, (short)COLOR_WHITE, (short)COLOR_BLUE);
	init_pair(2, (short)COLOR_WHITE, (short)COLOR_RED);
	init_pair(3, (short)COLOR_BLACK, (short)COLOR_YELLOW);
	init_pair(4, (short)COLOR_GREEN, (short)bg);
	init_pair(5, (short)COLOR_RED, (short)bg);
	init_pair(6, (short)COLOR_YELLOW, (short)bg);
	init_pair(7, (short)COLOR_CYAN, (short)bg);
	init_pair(8, (short)COLOR_BLACK, (short)COLOR_CYAN);
	init_pair(9, (short)COLOR_BLACK, (short)COLOR_GREEN);
	a[R_HEADER] = COLOR_PAIR(1);
	a[R_STALE] = COLOR_PAIR(2) | A_BOLD;
	a[R_PAUSED] = COLOR_PAIR(3) | A_BOLD;
	a[R_WARN] = COLOR_PAIR(6) | A_BOLD;
	a[R_TAB_ACTIVE] = COLOR_PAIR(8) | A_BOLD;
	a[R_COLHDR] = COLOR_PAIR(9);
	a[R_SORTED] = COLOR_PAIR(8) | A_BOLD;
	a[R_NEW] = COLOR_PAIR(4) | A_BOLD;
	a[R_GONE] = COLOR_PAIR(5) | A_DIM;
	a[R_GROWING] = COLOR_PAIR(6) | A_BOLD;
	a[R_SPARK] = COLOR_PAIR(7);
	a[R_LABEL_FRAME] = COLOR_PAIR(6) | A_BOLD;
}

struct ui *
ui_new(bool init_terminal, bool color)
{
	const char *nc = getenv("NO_COLOR");

	SCREEN *scr = NULL;

	if (init_terminal) {
		/* newterm, unlike initscr, returns NULL instead of exiting */
		scr = newterm(NULL, stdout, stdin);
		if (scr == NULL)
			return NULL;
		set_term(scr);
	}
	struct ui *ui = xcalloc(1, sizeof(*ui));
	ui->screen = scr;
	ui->color = color && (nc == NULL || nc[0] == '\0') && has_colors();
	const char *cs = nl_langinfo(CODESET);
	ui->utf8 = cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	if (init_terminal) {
		set_escdelay(25);
		curs_set(0);
	}
	init_attrs(ui);
	const struct pane_ops *const *reg = pane_registry(&ui->npanes);
	for (int i = 0; i < ui->npanes; i++) {
		ui->panes[i].ops = reg[i];
		ui->panes[i].index = i;
		ui->panes[i].sort = reg[i]->default_sort;
	}
	ui->cur = 0;
	ui->help_pane.ops = &pane_help_ops;
	ui->detail_pane.ops = &pane_detail_ops;
	ui_resize(ui);
	return ui;
}

/* The panes' context: what they see of the UI, brought up to date before
 * every call into them. */
static void
ctx_sync(struct ui *ui)
{
	struct pane_ctx *c = &ui->ctx;

	c->m = ui->m;
	c->view = &ui->view;
	c->attr = ui->attr;
	c->utf8 = ui->utf8;
	c->now = ui->now;
	c->lines = ui->lines;
	c->cols = ui->cols;
	c->body_h = ui->body_h;
	c->re = ui->filter_on ? &ui->re : NULL;
	c->filter = ui->filter;
	c->cur = ui->cur;
	c->every = ui->every;
	c->stretch = ui->stretch;
	c->share = ui->share;
	c->interval = ui->interval;
	c->cpu_load = ui->cpu_load;
	c->detail = &ui->detail;
}

static void
release_held(struct ui *ui)
{
	for (int e = 0; e < EP_COUNT; e++)
		for (int k = 0; k < 3; k++) {
			snapshot_free(ui->held[e][k]);
			ui->held[e][k] = NULL;
		}
}

void
ui_free(struct ui *ui, bool end_terminal)
{
	if (ui == NULL) {
		if (end_terminal)
			endwin();
		return;
	}
	detail_close(&ui->ctx);
	view_release(&ui->view);
	for (int i = 0; i < ui->npanes; i++)
		table_free(&ui->panes[i]);
	release_held(ui);
	if (ui->filter_on)
		regfree(&ui->re);
	if (end_terminal)
		endwin();
	if (ui->screen != NULL && end_terminal)
		delscreen(ui->screen);
	free(ui);
}

/* The snapshots the view shows (or would show, when live). */
static const struct snapshot *
shown(const struct ui *ui, int e, int k)
{
	if (ui->paused) {
		const struct view_ep *v = &ui->view.ep[e];
		return k == 0 ? v->cur : k == 1 ? v->prev : v->base;
	}
	const struct endpoint *ep = &ui->m->ep[e];
	return k == 0 ? ep->cur : k == 1 ? ep->prev : ep->base;
}

static void
rebuild(struct ui *ui)
{
	ui->need_rebuild = false;
	ctx_sync(ui);
	if (ui->m == NULL)
		return;
	if (!ui->paused)
		view_live(&ui->view, ui->m);
	/* hold the snapshots the rows will point into */
	struct snapshot *old[EP_COUNT][3];
	memcpy(old, ui->held, sizeof(old));
	for (int e = 0; e < EP_COUNT; e++)
		for (int k = 0; k < 3; k++) {
			const struct snapshot *s = shown(ui, e, k);
			/* snapshots are refcounted and immutable: taking a
			 * reference through a const view is by design */
			ui->held[e][k] = s ? snapshot_ref((struct snapshot *)s) : NULL;
		}
	/* rebuild only the panes whose profiles changed (a 100,000-goroutine
	 * goroutine pane need not be rebuilt when only the heap moved) */
	/* the goroutine and heap panes mark the groups linked to each other */
	bool links = ui->links_gen != ui->m->links_gen;
	ui->links_gen = ui->m->links_gen;
	/* names for the goroutine text's hidden frames: its STATE column */
	bool syms = ui->syms_gen != ui->m->syms_gen;
	ui->syms_gen = ui->m->syms_gen;
	for (int i = 0; i < ui->npanes; i++) {
		const struct pane_ops *ops = ui->panes[i].ops;
		bool changed = ui->panes[i].nrows == 0 ||
		               (links && (ops->rebuild_on & PANE_ON_LINKS)) ||
		               (syms && (ops->rebuild_on & PANE_ON_SYMS));
		for (int j = 0; j < ops->neps && !changed; j++)
			for (int k = 0; k < 3; k++)
				if (old[ops->eps[j]][k] != ui->held[ops->eps[j]][k])
					changed = true;
		if (changed)
			table_rebuild(&ui->ctx, &ui->panes[i]);
	}
	detail_refresh(&ui->ctx);
	for (int e = 0; e < EP_COUNT; e++)
		for (int k = 0; k < 3; k++)
			snapshot_free(old[e][k]);
	ui->dirty = true;
}

static void
ensure_fresh(struct ui *ui)
{
	if (ui->need_rebuild)
		rebuild(ui);
}

void
ui_set_model(struct ui *ui, const struct model *m)
{
	if (ui->paused) {
		view_release(&ui->view);
		ui->paused = false;
	}
	ui->m = m;
	if (m != NULL)
		view_live(&ui->view, m);
	ctx_sync(ui);
	ui->need_rebuild = true;
	ui->dirty = true;
}

void
ui_set_targets(struct ui *ui, const char *const *names, const bool *down, size_t n)
{
	ui->ctx.target_names = n > 0 ? names : NULL;
	ui->ctx.target_down = n > 0 ? down : NULL;
	ui->ctx.ntargets = n;
	ui->dirty = true;
}

void
ui_model_changed(struct ui *ui)
{
	ui->dirty = true;
	if (ui->m == NULL || ui->paused)
		return;
	for (int e = 0; e < EP_COUNT; e++)
		for (int k = 0; k < 3; k++)
			if (shown(ui, e, k) != ui->held[e][k])
				ui->need_rebuild = true;
	if (ui->syms_gen != ui->m->syms_gen)
		ui->need_rebuild = true; /* the goroutine text's states named */
}

bool
ui_dirty(const struct ui *ui)
{
	return ui->dirty || ui->need_rebuild;
}

bool
ui_paused(const struct ui *ui)
{
	return ui->paused;
}

void
ui_resize(struct ui *ui)
{
	getmaxyx(stdscr, ui->lines, ui->cols);
	/* What the terminal shows after a resize is not what curses last
	 * drew: it cut and blanked what fell outside the sizes it went
	 * through, of which a storm (or a stopped process) lets curses see
	 * only the last, perhaps its old one. Repaint everything. */
	clearok(curscr, TRUE);
	ui->meter_rows = ui->cols >= 180 ? 1 : 2;
	ui->body_y = 2 + ui->meter_rows;
	ui->body_h = ui->lines - ui->body_y - 1;
	ui->dirty = true;
	ctx_sync(ui);
}

static double last_good(const struct model *m, double *latency);

static void
set_pause(struct ui *ui, bool on)
{
	if (on == ui->paused || ui->m == NULL)
		return;
	if (on) {
		double lat;
		view_freeze(&ui->view, ui->m);
		ui->paused = true;
		ui->paused_data_at = last_good(ui->m, &lat);
	} else {
		view_release(&ui->view);
		ui->paused = false;
	}
	rebuild(ui);
}

/* ---- header, meters, tabs, status ---- */

/* The view is stale when the app could not reach the target or when an
 * endpoint that had data failed at its last attempt (its data is kept).
 * Endpoints that never answered don't count: their panes say why. */
static bool
stale_reason(const struct ui *ui, const struct ui_status *st, const char **reason, double *age)
{
	const struct model *m = ui->m;
	double last = 0;
	bool stale = st != NULL && st->failures > 0;

	*reason = NULL;
	*age = -1;
	if (m == NULL)
		return false;
	const char *any = NULL;
	for (int e = 0; e < EP_COUNT; e++) {
		const struct endpoint *ep = &m->ep[e];
		if (ep->last_ok > last)
			last = ep->last_ok;
		/* the index and the on-demand dump do not make the data stale */
		if (e == EP_INDEX || e == EP_DUMP || e == EP_CPU || ep->nerr == 0 ||
		    ep->err[0] == '\0')
			continue;
		if (any == NULL)
			any = ep->err;
		if (ep->last_ok > 0 && *reason == NULL) {
			stale = true;
			*reason = ep->err; /* the first endpoint whose data is now old */
		}
	}
	if (*reason == NULL)
		*reason = any;
	if (last > 0 && st != NULL)
		*age = st->now - last;
	return stale;
}

static double
last_good(const struct model *m, double *latency)
{
	double last = 0, lat = 0;

	for (int e = 0; e < EP_COUNT; e++) {
		if (m->ep[e].last_ok > last)
			last = m->ep[e].last_ok;
		if (m->ep[e].last_ok > 0 && m->ep[e].latency > lat)
			lat = m->ep[e].latency;
	}
	*latency = lat;
	return last;
}

static void
draw_header(struct ui *ui, const struct ui_status *st)
{
	char buf[1200], a[32], b[32];
	int x = 0, w = ui->cols;
	int hattr = ui->attr[R_HEADER];

	ui_fill(&ui->ctx, 0, 0, w, hattr);
	x += ui_put(&ui->ctx, 0, x, w - x, (int)(hattr | A_BOLD), "pproftop ");

	/* right-hand flags, PAUSED rightmost: they go first, the target's
	 * address is cut for them */
	char flags[256], restarted[64] = "";
	const char *mode = st != NULL ? st->mode : NULL;
	/* a restart of the target (counters dropped) is said for 30 s */
	if (ui->m != NULL && st != NULL && ui->m->restarts > 0 && st->now - ui->m->restart_at < 30)
		snprintf(restarted, sizeof(restarted), "RESTARTED %s ago ",
		         fmt_age(a, sizeof(a), st->now - ui->m->restart_at));
	/* CPU windows cost the service a SIGPROF per 10 ms of CPU: said */
	const char *cpu = st != NULL ? st->cpu_profiling : NULL;
	snprintf(flags, sizeof(flags), "%s%s%s%s%s%s%s", cpu ? cpu : "", cpu ? " " : "", restarted,
	         mode ? "[" : "", mode ? mode : "", mode ? "] " : "",
	         st != NULL && st->insecure ? "TLS NOT VERIFIED " : "");
	int pw = ui->paused ? 7 : 0;
	size_t fl = strlen(flags);
	if (fl > 0 && flags[fl - 1] == ' ')
		flags[--fl] = '\0'; /* PAUSED or the line's end follows */
	int fw = text_width(flags, fl, ui->utf8);
	/* what the texts before the flags may take: up to a space before them */
	int right = fw + pw + (fw > 0);
	if (st != NULL && st->target != NULL && w - x - right > 0)
		x += ui_put(&ui->ctx, 0, x, w - x - right, hattr, st->target);
	if (st != NULL && st->targets != NULL && w - x - right > 2) {
		snprintf(buf, sizeof(buf), "  %s", st->targets);
		x += ui_put(&ui->ctx, 0, x, w - x - right,
		            st->down != NULL ? ui->attr[R_STALE] : (int)(hattr | A_BOLD), buf);
	}

	const char *reason = NULL;
	double age = -1;
	bool stale = ui->m != NULL && stale_reason(ui, st, &reason, &age);
	if (ui->m != NULL && st != NULL) {
		double lat;
		double last = last_good(ui->m, &lat);
		if (st->poll_latency > 0)
			lat = st->poll_latency;
		if (stale) {
			if (age >= 0)
				snprintf(buf, sizeof(buf), "STALE %s", fmt_age(a, sizeof(a), age));
			else
				snprintf(buf, sizeof(buf), "STALE (no data yet)");
			x += 2;
			x += ui_put(&ui->ctx, 0, x, w - x - right, ui->attr[R_STALE], buf);
			if (reason != NULL) {
				snprintf(buf, sizeof(buf), " %s", reason);
				ui_put(&ui->ctx, 0, x, w - x - right, hattr, buf);
			}
		} else if (st->mode != NULL) {
			/* a saved snapshot: its poll clock is not ours */
		} else if (last > 0) {
			char c[32];
			/* paused: the view's data are older than the polls */
			if (ui->paused && ui->paused_data_at > 0)
				snprintf(c, sizeof(c), "  view of %s ago,",
				         fmt_age(a, sizeof(a), st->now - ui->paused_data_at));
			else
				snprintf(c, sizeof(c), " ");
			snprintf(buf, sizeof(buf), "%s polled %s ago (%s), every %gs", c,
			         fmt_age(a, sizeof(a), st->now - last),
			         fmt_ns(b, sizeof(b), lat * 1e9), st->interval);
			ui_put(&ui->ctx, 0, x, w - x - right, hattr, buf);
		} else {
			snprintf(buf, sizeof(buf), "  %s",
			         st->polling ? "polling..." : "no data yet");
			ui_put(&ui->ctx, 0, x, w - x - right, hattr, buf);
		}
	}
	/* the texts stop before the flags, which are never cut for them */
	int rx = w - fw - pw;
	if (rx < 0)
		rx = 0;
	if (fw > 0)
		ui_put(&ui->ctx, 0, rx, w - rx, (int)(ui->attr[R_WARN] | A_REVERSE), flags);
	if (ui->paused)
		ui_put(&ui->ctx, 0, w - 7, 7, ui->attr[R_PAUSED], " PAUSED");
}

static const struct {
	const char *label, *shortlabel; /* shortlabel: at most 6 columns */
	enum meter_id id;
	const char *unit;
} meters[METER_COUNT] = {
	{ "goroutines", "gorout", METER_GOROUTINES, "count" },
	{ "HeapAlloc", "HAlloc", METER_HEAP_ALLOC, "bytes" },
	{ "HeapInuse", "HInuse", METER_HEAP_INUSE, "bytes" },
	{ "Sys", "Sys", METER_SYS, "bytes" },
	{ "NumGC", "NumGC", METER_NUM_GC, "count" },
	{ "GC pause", "pause", METER_LAST_PAUSE_NS, "nanoseconds" },
};

static void
draw_meters(struct ui *ui)
{
	int per_row = METER_COUNT / ui->meter_rows;
	int cw = ui->cols / per_row;
	double v[HISTORY_LEN];
	char val[32], spark[3 * 32 + 1];

	for (int i = 0; i < METER_COUNT; i++) {
		int y = 1 + i / per_row, x = (i % per_row) * cw;
		size_t n = 0;
		if (ui->m != NULL)
			n = series_get(view_meter(&ui->view, meters[i].id), v, HISTORY_LEN);
		if (n > 0)
			fmt_unit(val, sizeof(val), v[n - 1], meters[i].unit);
		else
			snprintf(val, sizeof(val), "-");
		/* label, value right-aligned in 8 columns, sparkline */
		int lw = cw - 8 - 2 < 10 ? cw - 8 - 2 : 10;
		ui_put(&ui->ctx, y, x, lw, ui->attr[R_TITLE],
		       lw < 10 ? meters[i].shortlabel : meters[i].label);
		int vw = (int)strlen(val);
		ui_put(&ui->ctx, y, x + lw + 1 + (8 > vw ? 8 - vw : 0), 8, A_NORMAL, val);
		int sw = cw - lw - 8 - 3;
		if (sw > 32)
			sw = 32;
		if (sw >= 3 && n > 0) {
			ui_spark(v, n, sw, ui->utf8, spark, sizeof(spark));
			ui_put(&ui->ctx, y, x + lw + 10, sw, ui->attr[R_SPARK], spark);
		}
	}
}

static void
draw_tabs(struct ui *ui)
{
	int y = 1 + ui->meter_rows, x = 0;
	char buf[300], tab[300];

	const struct pane *p = &ui->panes[ui->cur];
	if (tree_shown(p) && !ui->detail.active) {
		tree_header(&ui->ctx, p, buf, sizeof(buf));
	} else {
		size_t o =
		    (size_t)snprintf(buf, sizeof(buf), "sort: %s", table_sort_name(&ui->ctx, p));
		if (ui->filter_on && o < sizeof(buf))
			snprintf(buf + o, sizeof(buf) - o, "  filter: /%s/", ui->filter);
	}
	int bw = text_width(buf, strlen(buf), ui->utf8);
	/* the counts go when the tabs would leave no room for the sort and
	 * the filter */
	int tw = 0;
	for (int i = 0; i < ui->npanes; i++)
		tw += snprintf(tab, sizeof(tab), " %d %s (%zu)  ", i + 1, ui->panes[i].ops->name,
		               ui->panes[i].nlive);
	bool counts = tw + bw + 1 <= ui->cols;
	for (int i = 0; i < ui->npanes; i++) {
		const struct pane *q = &ui->panes[i];
		if (counts)
			snprintf(tab, sizeof(tab), " %d %s (%zu) ", i + 1, q->ops->name, q->nlive);
		else
			snprintf(tab, sizeof(tab), " %d %s ", i + 1, q->ops->name);
		int at = i == ui->cur ? ui->attr[R_TAB_ACTIVE] : ui->attr[R_TAB];
		x += ui_put(&ui->ctx, y, x, ui->cols - x, at, tab);
		x += ui_put(&ui->ctx, y, x, ui->cols - x, A_NORMAL, " ");
	}
	int rx = ui->cols - bw - 1;
	if (rx < x + 1)
		rx = x + 1;
	ui_put(&ui->ctx, y, rx, ui->cols - rx, ui->attr[R_DIM], buf);
}

static void
draw_status(struct ui *ui, const struct ui_status *st)
{
	int y = ui->lines - 1;
	char buf[600];

	if (ui->prompt) {
		snprintf(buf, sizeof(buf), "filter (regex, Enter apply, Esc cancel): /%s_",
		         ui->pbuf);
		ui_put(&ui->ctx, y, 0, ui->cols, ui->attr[R_TITLE], buf);
		return;
	}
	if (ui->msg[0] != '\0') {
		ui_put(&ui->ctx, y, 0, ui->cols, ui->attr[R_WARN], ui->msg);
		return;
	}
	if (st != NULL && st->message != NULL && st->message[0] != '\0') {
		ui_put(&ui->ctx, y, 0, ui->cols, A_NORMAL, st->message);
		return;
	}
	if (st != NULL && st->down != NULL) {
		ui_put(&ui->ctx, y, 0, ui->cols, ui->attr[R_WARN], st->down);
		return;
	}
	const char *reason = NULL;
	double age;
	if (ui->m != NULL && stale_reason(ui, st, &reason, &age) && reason != NULL) {
		snprintf(buf, sizeof(buf), "last poll failed (showing the last good data): %s",
		         reason);
		ui_put(&ui->ctx, y, 0, ui->cols, ui->attr[R_WARN], buf);
		return;
	}
	/* the hints come from the key table (keymap.c) */
	enum km_context kc = ui->help                          ? KM_CTX_HELP
	                     : ui->detail.active               ? KM_CTX_DETAIL
	                     : tree_shown(&ui->panes[ui->cur]) ? KM_CTX_TREE
	                                                       : KM_CTX_TABLE;
	keymap_hints(kc, buf, sizeof(buf));
	ui_put(&ui->ctx, y, 0, ui->cols, ui->attr[R_DIM], buf);
}

/* ---- drawing ---- */

static void
draw_too_small(struct ui *ui)
{
	char buf[128];

	erase();
	snprintf(buf, sizeof(buf), "Terminal too small (%dx%d, need %dx%d)", ui->cols, ui->lines,
	         MIN_COLS, MIN_LINES);
	if ((int)strlen(buf) > ui->cols)
		snprintf(buf, sizeof(buf), "Terminal too small");
	ui_put(&ui->ctx, 0, 0, ui->cols, ui->attr[R_WARN], buf);
}

void
ui_draw(struct ui *ui, const struct ui_status *st)
{
	if (st != NULL) {
		ui->now = st->now;
		if (st->every != NULL)
			memcpy(ui->every, st->every, sizeof(ui->every));
		ui->stretch = st->stretch;
		ui->share = st->share;
		ui->interval = st->interval;
		ui->cpu_load = st->cpu_load;
	}
	ctx_sync(ui);
	ensure_fresh(ui);
	int l, c;
	getmaxyx(stdscr, l, c);
	if (l != ui->lines || c != ui->cols)
		ui_resize(ui);
	if (ui->cols < MIN_COLS || ui->lines < MIN_LINES) {
		draw_too_small(ui);
	} else {
		erase();
		draw_header(ui, st);
		draw_meters(ui);
		draw_tabs(ui);
		if (ui->help)
			ui->help_pane.ops->draw(&ui->ctx, &ui->help_pane, 1, ui->lines - 2);
		else if (ui->detail.active)
			ui->detail_pane.ops->draw(&ui->ctx, &ui->detail_pane, ui->body_y,
			                          ui->body_h);
		else if (tree_shown(&ui->panes[ui->cur]))
			tree_draw(&ui->ctx, &ui->panes[ui->cur], ui->body_y, ui->body_h);
		else
			table_draw(&ui->ctx, &ui->panes[ui->cur], ui->body_y, ui->body_h);
		draw_status(ui, st);
	}
	wnoutrefresh(stdscr);
	doupdate();
	ui->dirty = false;
}

/* ---- keys ---- */

static int
translate(int ch)
{
	switch (ch) {
	case KEY_UP:
		return KM_UP;
	case KEY_DOWN:
		return KM_DOWN;
	case KEY_LEFT:
		return KM_LEFT;
	case KEY_RIGHT:
		return KM_RIGHT;
	case KEY_PPAGE:
		return KM_PGUP;
	case KEY_NPAGE:
		return KM_PGDN;
	case KEY_HOME:
		return KM_HOME;
	case KEY_END:
		return KM_END;
	case KEY_ENTER:
		return KM_ENTER;
	case KEY_BACKSPACE:
		return KM_BACKSPACE;
	case KEY_BTAB:
		return KM_BTAB;
	case KEY_F(1):
		return KM_F1;
	default:
		return ch >= KEY_MIN ? -1 : ch;
	}
}

static void
refilter_all(struct ui *ui)
{
	for (int i = 0; i < ui->npanes; i++) {
		table_refilter(&ui->ctx, &ui->panes[i]);
		tree_refilter(&ui->ctx, &ui->panes[i]);
	}
}

static void
apply_filter(struct ui *ui)
{
	ui->pbuf[ui->plen] = '\0';
	if (ui->plen == 0) {
		if (ui->filter_on)
			regfree(&ui->re);
		ui->filter_on = false;
		ui->filter[0] = '\0';
		ctx_sync(ui);
		refilter_all(ui);
		return;
	}
	/* smart case: case-insensitive unless the pattern has a capital */
	int flags = REG_EXTENDED | REG_NOSUB;
	bool upper = false;
	for (size_t i = 0; i < ui->plen; i++)
		if (ui->pbuf[i] >= 'A' && ui->pbuf[i] <= 'Z')
			upper = true;
	if (!upper)
		flags |= REG_ICASE;
	regex_t re;
	int rc = regcomp(&re, ui->pbuf, flags);
	if (rc != 0) {
		char err[160];
		regerror(rc, &re, err, sizeof(err));
		snprintf(ui->msg, sizeof(ui->msg), "invalid regex /%s/: %s", ui->pbuf, err);
		return;
	}
	if (ui->filter_on)
		regfree(&ui->re);
	ui->re = re;
	ui->filter_on = true;
	snprintf(ui->filter, sizeof(ui->filter), "%s", ui->pbuf);
	ctx_sync(ui);
	refilter_all(ui);
	tree_filter_applied(&ui->ctx, &ui->panes[ui->cur]);
}

static void
prompt_key(struct ui *ui, int ch)
{
	switch (ch) {
	case KEY_ENTER:
	case '\n':
	case '\r':
		ui->prompt = false;
		apply_filter(ui);
		return;
	case KM_ESC:
		ui->prompt = false;
		return;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		/* drop one UTF-8 character */
		while (ui->plen > 0 && ((unsigned char)ui->pbuf[ui->plen - 1] & 0xc0) == 0x80)
			ui->plen--;
		if (ui->plen > 0)
			ui->plen--;
		ui->pbuf[ui->plen] = '\0';
		return;
	case KM_CTRL('u'):
		ui->plen = 0;
		ui->pbuf[0] = '\0';
		return;
	default:
		if (ch >= 0x20 && ch < 0x100 && ch != 0x7f && ui->plen + 1 < sizeof(ui->pbuf)) {
			ui->pbuf[ui->plen++] = (char)ch;
			ui->pbuf[ui->plen] = '\0';
		}
	}
}

static void
switch_pane(struct ui *ui, int p)
{
	detail_close(&ui->ctx);
	ui->cur = p;
	ctx_sync(ui);
	tree_sync(&ui->ctx, &ui->panes[p]);
}

enum km_action
ui_key(struct ui *ui, int ch)
{
	ui->dirty = true;
	ctx_sync(ui);
	if (ch == KEY_RESIZE) {
		ui_resize(ui);
		return KA_NONE;
	}
	ensure_fresh(ui);
	ui->msg[0] = '\0';
	if (ui->prompt) {
		prompt_key(ui, ch);
		return KA_NONE;
	}
	int k = translate(ch);
	bool tree = !ui->help && !ui->detail.active && tree_shown(&ui->panes[ui->cur]);
	enum km_action a = k < 0 ? KA_NONE : tree ? keymap_lookup_tree(k) : keymap_lookup(k);

	if (ui->help) {
		/* an overlay closes on a key it does not take */
		if (!ui->help_pane.ops->key(&ui->ctx, &ui->help_pane, a))
			ui->help = false;
		return KA_NONE;
	}
	switch (a) {
	case KA_NONE:
		ui->dirty = false;
		return KA_NONE;
	case KA_QUIT:
		return KA_QUIT;
	case KA_HELP:
		ui->help = true;
		ui->help_pane.top = 0;
		return KA_NONE;
	case KA_PAUSE:
		set_pause(ui, !ui->paused);
		return KA_NONE;
	case KA_SNAPSHOT:
	case KA_BASELINE:
	case KA_FASTER:
	case KA_SLOWER:
	case KA_POLL_NOW:
	case KA_DUMP:
	case KA_LEAKCHECK:
	case KA_TARGET:
		return a; /* the app's */
	case KA_REDRAW:
		clearok(curscr, TRUE);
		return KA_NONE;
	case KA_FILTER:
		ui->prompt = true;
		snprintf(ui->pbuf, sizeof(ui->pbuf), "%s", ui->filter);
		ui->plen = strlen(ui->pbuf);
		return KA_NONE;
	case KA_PANE: /* 1..9: the tab of that number */
		if (k - '1' < ui->npanes)
			switch_pane(ui, k - '1');
		return KA_NONE;
	case KA_NEXT_PANE:
		switch_pane(ui, (ui->cur + 1) % ui->npanes);
		return KA_NONE;
	case KA_PREV_PANE:
		switch_pane(ui, (ui->cur + ui->npanes - 1) % ui->npanes);
		return KA_NONE;
	default:
		break;
	}
	if (ui->detail.active) {
		if (a == KA_BACK) {
			ui->cur = ui->detail.from;
			ctx_sync(ui);
		}
		ui->detail_pane.ops->key(&ui->ctx, &ui->detail_pane, a);
		return KA_NONE;
	}
	struct pane *p = &ui->panes[ui->cur];
	if (a == KA_TREE) {
		tree_toggle(&ui->ctx, p);
		return KA_NONE;
	}
	if (tree) {
		tree_key(&ui->ctx, p, a);
		return KA_NONE;
	}
	if (a == KA_ENTER) {
		const struct row *r = table_selected(p);
		if (r != NULL)
			detail_open(&ui->ctx, ui->cur, r);
		return KA_NONE;
	}
	if (p->ops->key != NULL && p->ops->key(&ui->ctx, p, a))
		return KA_NONE;
	table_key(&ui->ctx, p, a);
	return KA_NONE;
}

bool
ui_shows(const struct ui *ui, enum ep_id e)
{
	const struct pane_ops *ops = ui->panes[ui->cur].ops;

	for (int i = 0; i < ops->neps; i++)
		if (ops->eps[i] == e)
			return true;
	return false;
}

/* ---- report ---- */

void
ui_report(struct ui *ui, FILE *out)
{
	double v[HISTORY_LEN];
	char val[32], spark[3 * 16 + 1];

	ctx_sync(ui);
	ensure_fresh(ui);
	fprintf(out, "pproftop report%s\n\n", ui->paused ? " (paused view)" : "");
	for (int i = 0; i < METER_COUNT; i++) {
		size_t n = 0;
		if (ui->m != NULL)
			n = series_get(view_meter(&ui->view, meters[i].id), v, HISTORY_LEN);
		if (n > 0)
			fmt_unit(val, sizeof(val), v[n - 1], meters[i].unit);
		else
			snprintf(val, sizeof(val), "-");
		ui_spark(v, n, 16, ui->utf8, spark, sizeof(spark));
		fprintf(out, "%-10s %10s  %s\n", meters[i].label, val, spark);
	}
	fputc('\n', out);
	for (int i = 0; i < ui->npanes; i++) {
		table_report(&ui->ctx, &ui->panes[i], out);
		if (i == ui->cur && tree_shown(&ui->panes[i]))
			tree_report(&ui->ctx, &ui->panes[i], out);
	}
	if (ui->detail.active)
		detail_report(&ui->ctx, out);
}
